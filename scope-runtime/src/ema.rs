//! `tf.compat.v1.train.ExponentialMovingAverage`: shadow variables
//! `<var>/ExponentialMovingAverage` (non-trainable; the averaged variables
//! join `moving_average_variables`), the update `shadow -= (1 - decay) *
//! (shadow - var)`, `average`, `average_name` and `variables_to_restore`
//! with TF's names, so a training checkpoint's shadows load by name and
//! `CustomGetter::ema_shadow` evaluates with them.

use std::sync::Arc;

use parking_lot::Mutex;

use crate::error::{Result, ScopeError};
use crate::get_variable::get_variable;
use crate::graph::{Graph, MOVING_AVERAGE_VARIABLES};
use crate::init::Initializer;
use crate::scope::default_variable_scope;
use crate::variable::Variable;

/// Moving averages of variables. Cheap to clone; clones share the shadows.
#[derive(Clone)]
pub struct ExponentialMovingAverage(Arc<Inner>);

struct Inner {
    decay: f64,
    name: String,
    /// (variable, shadow) in `apply` order.
    averages: Mutex<Vec<(Variable, Variable)>>,
}

impl ExponentialMovingAverage {
    /// Averages with `decay` (e.g. 0.999), named `ExponentialMovingAverage`.
    pub fn new(decay: f64) -> Result<Self> {
        Self::with_name(decay, "ExponentialMovingAverage")
    }

    /// Averages whose shadows are named `<var>/<name>`.
    pub fn with_name(decay: f64, name: &str) -> Result<Self> {
        if !(0.0..=1.0).contains(&decay) {
            return Err(ScopeError::InvalidArgument(format!(
                "ExponentialMovingAverage: decay must be in [0, 1], got {decay}"
            )));
        }
        Ok(ExponentialMovingAverage(Arc::new(Inner {
            decay,
            name: name.to_string(),
            averages: Mutex::new(Vec::new()),
        })))
    }

    pub fn decay(&self) -> f64 {
        self.0.decay
    }

    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// TF's `apply(var_list)`: makes the shadow of each variable that has
    /// none yet, starting at the variable's current value, as TF's
    /// `slot_creator` does: a `get_variable("")` inside a new default-named
    /// variable scope `<var>/<name>` under the current one (so inside scope
    /// `outer` the shadow of `a/w` is `outer/a/w/ExponentialMovingAverage`),
    /// non-trainable, with no partitioner; the averaged variables join
    /// `moving_average_variables`. Call [`update`](Self::update) for each
    /// training step.
    #[track_caller]
    pub fn apply(&self, vars: &[Variable]) -> Result<()> {
        let graph = Graph::current();
        for var in vars {
            if !var.dtype().is_float() {
                return Err(ScopeError::InvalidArgument(format!(
                    "ExponentialMovingAverage: `{}` is {}, only floating-point variables are averaged",
                    var.op_name(),
                    var.dtype()
                )));
            }
            if self.average(var).is_some() {
                continue;
            }
            let initial = Initializer::Value(var.detached()?.copy()?.into());
            let scope =
                default_variable_scope(&format!("{}/{}", var.op_name(), self.0.name)).enter()?;
            scope.scope().set_partitioner(None);
            let shadow = get_variable("").initializer(initial).trainable(false).get();
            scope.exit()?;
            let shadow = shadow?;
            graph.add_to_collection(MOVING_AVERAGE_VARIABLES, var.clone());
            self.0.averages.lock().push((var.clone(), shadow));
        }
        Ok(())
    }

    /// One update of every shadow: `shadow -= (1 - decay) * (shadow - var)`.
    pub fn update(&self) -> Result<()> {
        let averages = self.0.averages.lock().clone();
        for (var, shadow) in averages {
            let s = shadow.detached()?;
            let next = (&s - ((&s - var.detached()?)? * (1.0 - self.0.decay))?)?;
            shadow.assign(next)?;
        }
        Ok(())
    }

    /// The shadow of `var`, if `apply` made one.
    pub fn average(&self, var: &Variable) -> Option<Variable> {
        self.0
            .averages
            .lock()
            .iter()
            .find(|(v, _)| v.same(var))
            .map(|(_, s)| s.clone())
    }

    /// The checkpoint name of `var`'s average: its shadow's op name once
    /// `apply` made one, else `<var op name>/<name>` (TF's `average_name`).
    pub fn average_name(&self, var: &Variable) -> String {
        match self.average(var) {
            Some(shadow) => shadow.op_name().to_string(),
            None => format!("{}/{}", var.op_name(), self.0.name),
        }
    }

    /// TF's `variables_to_restore()`: the checkpoint name each variable of
    /// `graph` loads from: the shadow's name for trainable and
    /// moving-average variables, the variable's own for the other global
    /// ones. Sorted by checkpoint name.
    pub fn variables_to_restore(&self, graph: &Graph) -> Vec<(String, Variable)> {
        let mut averaged = graph.trainable_variables("");
        for v in graph.moving_average_variables("") {
            if !averaged.iter().any(|a| a.same(&v)) {
                averaged.push(v);
            }
        }
        let mut map: Vec<(String, Variable)> = averaged
            .iter()
            .map(|v| (self.average_name(v), v.clone()))
            .collect();
        for v in graph.global_variables("") {
            if !averaged.iter().any(|a| a.same(&v)) && !map.iter().any(|(n, _)| n == v.op_name()) {
                map.push((v.op_name().to_string(), v));
            }
        }
        map.sort_by(|a, b| a.0.cmp(&b.0));
        map.dedup_by(|a, b| a.0 == b.0);
        map
    }
}

impl std::fmt::Debug for ExponentialMovingAverage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExponentialMovingAverage")
            .field("decay", &self.0.decay)
            .field("name", &self.0.name)
            .field("averaged", &self.0.averages.lock().len())
            .finish()
    }
}
