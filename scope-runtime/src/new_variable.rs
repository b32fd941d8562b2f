//! `tf.Variable`: `Variable::new` always creates a new variable, named
//! uniquely in the current name scope (`var`, `var_1`, ...), with the value
//! it is given.

use std::panic::Location;

use crate::context::with_current;
use crate::error::{NameKind, Result, ScopeError};
use crate::scope::scope_stack;
use crate::store::ValueCell;
use crate::value::Value;
use crate::variable::{NewVar, Variable};

impl Variable {
    /// `tf.Variable(value, name=name)`: always creates a new variable named
    /// uniquely in the current name scope (`var`, `var_1`, ...).
    #[track_caller]
    pub fn new(name: &str, value: impl Into<Value>) -> Result<Variable> {
        Variable::builder(value).name(name).build()
    }

    /// Options for `tf.Variable`: name (default `"Variable"`) and trainable flag.
    pub fn builder(value: impl Into<Value>) -> NewVariable<'static> {
        NewVariable {
            name: None,
            value: value.into(),
            trainable: true,
            collections: None,
        }
    }
}

/// Options for `Variable::new`.
#[must_use = "call .build() to create the variable"]
pub struct NewVariable<'a> {
    name: Option<&'a str>,
    value: Value,
    trainable: bool,
    collections: Option<Vec<String>>,
}

impl<'a> NewVariable<'a> {
    /// The requested name (made unique in the current name scope; a trailing
    /// `/` makes it absolute).
    pub fn name<'b>(self, name: &'b str) -> NewVariable<'b> {
        NewVariable {
            name: Some(name),
            value: self.value,
            trainable: self.trainable,
            collections: self.collections,
        }
    }

    pub fn trainable(mut self, trainable: bool) -> Self {
        self.trainable = trainable;
        self
    }

    /// The collections the variable joins instead of `variables` (TF's
    /// `collections=`); `trainable_variables` is added if trainable.
    pub fn collections<S: AsRef<str>>(mut self, keys: &[S]) -> Self {
        self.collections = Some(keys.iter().map(|k| k.as_ref().to_string()).collect());
        self
    }

    /// Creates the variable; its value is the given one, on the graph's device.
    #[track_caller]
    pub fn build(self) -> Result<Variable> {
        let defined_at = crate::call_site::defined_at(Location::caller());
        with_current(|graph, st| {
            let name = self.name.unwrap_or("Variable");
            if name.is_empty() {
                return Err(ScopeError::InvalidName {
                    name: String::new(),
                    kind: NameKind::Variable,
                    reason: "it is empty".to_string(),
                });
            }
            let dtype = self.value.dtype().map_err(|candle| {
                ScopeError::InvalidArgument(format!(
                    "Variable `{name}`: candle dtype {candle:?} has no TensorFlow dtype"
                ))
            })?;
            let mut state = graph.state_mut();
            // The op name is the name scope `name` would open (§6).
            let op_name = scope_stack(
                &mut state,
                &st.name_stack,
                Some(name),
                NameKind::Variable,
                String::new(),
            )?;
            let value =
                ValueCell::ready(self.value.tensor(), graph.device().clone()).map_err(|e| {
                    ScopeError::Engine {
                        name: op_name.clone(),
                        doing: "storing its value".to_string(),
                        detail: e.to_string(),
                        defined_at,
                    }
                })?;
            state.add_variable(
                graph.id(),
                op_name,
                NewVar {
                    store_key: None,
                    dtype,
                    shape: self.value.shape().into(),
                    value,
                    trainable: self.trainable,
                    initializer: None,
                    defined_at,
                    collections: self.collections,
                    created_in: Some(st.var_scope.clone()),
                    requested: Some(name.to_string()),
                },
            )
        })
    }
}
