//! slim's keyword arguments as values: what `arg_scope` stores per layer
//! function and what a call passes, with the typed reads a layer makes
//! (a wrong kind is an error naming the function, the argument and where
//! the value was set).

use std::panic::Location;

use super::error::{ArgOrigin, SlimError, SlimResult};
use super::init::Init;
use super::normalizer::Normalizer;
use crate::init::Initializer;
use crate::layers::Activation;
use crate::regularizer::Regularizer;
use crate::scope_object::{Reuse, VariableScope};

/// One argument value (a Python keyword argument's value).
#[derive(Clone, Debug)]
pub enum ArgValue {
    /// Python's `None` (`biases_initializer=None`, `num_outputs=None`, ...).
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// An int or a list of ints (`kernel_size`, `stride`, `rate`).
    Ints(Vec<usize>),
    Str(String),
    Activation(Activation),
    Init(Init),
    Normalizer(Normalizer),
    /// A dict of arguments (`normalizer_params`, `param_initializers`).
    Params(Args),
    Scope(VariableScope),
    Reuse(Reuse),
    Regularizer(RegularizerArg),
}

impl ArgValue {
    fn describe(&self) -> String {
        match self {
            ArgValue::None => "None".into(),
            ArgValue::Bool(b) => format!("bool {b}"),
            ArgValue::Int(i) => format!("int {i}"),
            ArgValue::Float(x) => format!("float {x}"),
            ArgValue::Ints(v) => format!("ints {v:?}"),
            ArgValue::Str(s) => format!("string {s:?}"),
            ArgValue::Activation(a) => format!("activation {a:?}"),
            ArgValue::Init(i) => format!("initializer {i:?}"),
            ArgValue::Normalizer(n) => format!("normalizer {n:?}"),
            ArgValue::Params(_) => "a dict of arguments".into(),
            ArgValue::Scope(s) => format!("variable scope `{}`", s.name()),
            ArgValue::Reuse(r) => format!("reuse {r:?}"),
            ArgValue::Regularizer(r) => format!("regularizer {r:?}"),
        }
    }
}

macro_rules! from_value {
    ($($t:ty => $v:expr),* $(,)?) => {$(
        impl From<$t> for ArgValue {
            fn from(x: $t) -> Self {
                #[allow(clippy::redundant_closure_call)]
                ($v)(x)
            }
        }
    )*};
}

from_value! {
    bool => ArgValue::Bool,
    i64 => ArgValue::Int,
    i32 => |x: i32| ArgValue::Int(i64::from(x)),
    usize => |x: usize| ArgValue::Ints(vec![x]),
    f64 => ArgValue::Float,
    &[usize] => |x: &[usize]| ArgValue::Ints(x.to_vec()),
    Vec<usize> => ArgValue::Ints,
    &str => |x: &str| ArgValue::Str(x.to_string()),
    String => ArgValue::Str,
    Activation => ArgValue::Activation,
    Init => ArgValue::Init,
    Initializer => |x| ArgValue::Init(Init::Fixed(x)),
    Normalizer => ArgValue::Normalizer,
    Args => ArgValue::Params,
    VariableScope => ArgValue::Scope,
    &VariableScope => |x: &VariableScope| ArgValue::Scope(x.clone()),
    Reuse => ArgValue::Reuse,
    Regularizer => |r| ArgValue::Regularizer(RegularizerArg(r)),
}

impl<T: Into<ArgValue>> From<Option<T>> for ArgValue {
    fn from(x: Option<T>) -> Self {
        x.map_or(ArgValue::None, Into::into)
    }
}

/// A regularizer as an argument value (shown by its op name).
#[derive(Clone)]
pub struct RegularizerArg(pub Regularizer);

impl std::fmt::Debug for RegularizerArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.op_name().unwrap_or("no_regularizer"))
    }
}

/// Keyword arguments in the order they were set; setting one again
/// replaces it (a dict's `update`).
#[derive(Clone, Debug, Default)]
pub struct Args {
    items: Vec<(String, ArgValue, ArgOrigin)>,
}

impl Args {
    pub fn new() -> Args {
        Args::default()
    }

    /// Sets `key` (explicit: passed to the call).
    pub fn set(mut self, key: &str, value: impl Into<ArgValue>) -> Args {
        self.insert(key, value.into(), ArgOrigin::Explicit);
        self
    }

    pub(crate) fn insert(&mut self, key: &str, value: ArgValue, origin: ArgOrigin) {
        match self.items.iter_mut().find(|(k, _, _)| k == key) {
            Some(slot) => {
                slot.1 = value;
                slot.2 = origin;
            }
            None => self.items.push((key.to_string(), value, origin)),
        }
    }

    /// Every argument of `other` over these (`dict.update`).
    pub(crate) fn update(&mut self, other: &Args) {
        for (k, v, o) in &other.items {
            self.insert(k, v.clone(), *o);
        }
    }

    /// The same arguments, marked as set by an arg_scope entered at `at`.
    pub(crate) fn marked_from_arg_scope(&self, at: &'static Location<'static>) -> Args {
        Args {
            items: self
                .items
                .iter()
                .map(|(k, v, _)| (k.clone(), v.clone(), ArgOrigin::ArgScope(at)))
                .collect(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&ArgValue> {
        self.items
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, _)| v)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|(k, _, _)| k.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn origin(&self, key: &str) -> ArgOrigin {
        self.items
            .iter()
            .find(|(k, _, _)| k == key)
            .map_or(ArgOrigin::Explicit, |(_, _, o)| *o)
    }
}

/// The merged arguments of one call of `func`: typed reads.
#[derive(Clone, Debug)]
pub struct CallArgs {
    pub(crate) func: String,
    pub(crate) args: Args,
}

impl CallArgs {
    pub(crate) fn new(func: &str, args: Args) -> CallArgs {
        CallArgs {
            func: func.to_string(),
            args,
        }
    }

    /// The function these arguments are for.
    pub fn func(&self) -> &str {
        &self.func
    }

    /// The raw value, if set.
    pub fn get(&self, key: &str) -> Option<&ArgValue> {
        self.args.get(key)
    }

    /// Fails on any argument not in `known` (checked before any name is
    /// chosen, as Python rejects the keyword).
    pub fn check_known(&self, known: &[&str]) -> SlimResult<()> {
        match self.args.keys().find(|k| !known.contains(k)) {
            None => Ok(()),
            Some(arg) => Err(SlimError::UnknownArg {
                func: self.func.clone(),
                arg: arg.to_string(),
                origin: self.args.origin(arg),
                known: known.join(", "),
            }),
        }
    }

    fn wrong(&self, key: &str, expected: &'static str) -> SlimError {
        SlimError::ArgType {
            func: self.func.clone(),
            arg: key.to_string(),
            expected,
            got: self.get(key).map_or_else(String::new, ArgValue::describe),
            origin: self.args.origin(key),
        }
    }

    pub fn bool(&self, key: &str, default: bool) -> SlimResult<bool> {
        match self.get(key) {
            None => Ok(default),
            Some(ArgValue::Bool(b)) => Ok(*b),
            Some(_) => Err(self.wrong(key, "true or false")),
        }
    }

    /// `None` for an absent argument or Python `None`.
    pub fn opt_bool(&self, key: &str) -> SlimResult<Option<bool>> {
        match self.get(key) {
            None | Some(ArgValue::None) => Ok(None),
            Some(ArgValue::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.wrong(key, "true, false or None")),
        }
    }

    pub fn float(&self, key: &str, default: f64) -> SlimResult<f64> {
        match self.get(key) {
            None => Ok(default),
            Some(ArgValue::Float(x)) => Ok(*x),
            Some(ArgValue::Int(i)) => Ok(*i as f64),
            Some(_) => Err(self.wrong(key, "a number")),
        }
    }

    /// A count (`num_outputs`, `depth_multiplier`): `None` for Python None.
    pub fn count(&self, key: &str) -> SlimResult<Option<usize>> {
        match self.get(key) {
            None | Some(ArgValue::None) => Ok(None),
            Some(ArgValue::Int(i)) if *i >= 0 => Ok(Some(*i as usize)),
            Some(ArgValue::Ints(v)) if v.len() == 1 => Ok(Some(v[0])),
            Some(_) => Err(self.wrong(key, "a non-negative integer")),
        }
    }

    /// An int or a list of `n` ints (`kernel_size`, `stride`, `rate`), as
    /// slim's `two_element_tuple`.
    pub fn pair(&self, key: &str, default: [usize; 2]) -> SlimResult<[usize; 2]> {
        match self.get(key) {
            None => Ok(default),
            Some(ArgValue::Int(i)) if *i > 0 => Ok([*i as usize; 2]),
            Some(ArgValue::Ints(v)) if v.len() == 1 && v[0] > 0 => Ok([v[0]; 2]),
            Some(ArgValue::Ints(v)) if v.len() == 2 && v.iter().all(|&d| d > 0) => Ok([v[0], v[1]]),
            Some(_) => Err(self.wrong(key, "a positive int or a list of 2 of them")),
        }
    }

    pub fn str(&self, key: &str, default: &str) -> SlimResult<String> {
        match self.get(key) {
            None => Ok(default.to_string()),
            Some(ArgValue::Str(s)) => Ok(s.clone()),
            Some(_) => Err(self.wrong(key, "a string")),
        }
    }

    /// A string or Python None (`outputs_collections`).
    pub fn opt_str(&self, key: &str) -> SlimResult<Option<String>> {
        match self.get(key) {
            None | Some(ArgValue::None) => Ok(None),
            Some(ArgValue::Str(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.wrong(key, "a string or None")),
        }
    }

    pub fn activation(&self, key: &str, default: Activation) -> SlimResult<Activation> {
        match self.get(key) {
            None => Ok(default),
            Some(ArgValue::None) => Ok(Activation::None),
            Some(ArgValue::Activation(a)) => Ok(*a),
            Some(_) => Err(self.wrong(key, "an activation or None")),
        }
    }

    /// `Ok(None)`: Python None (no initializer).
    pub fn init(&self, key: &str, default: Option<Init>) -> SlimResult<Option<Init>> {
        match self.get(key) {
            None => Ok(default),
            Some(ArgValue::None) => Ok(None),
            Some(ArgValue::Init(i)) => Ok(Some(i.clone())),
            Some(_) => Err(self.wrong(key, "an initializer or None")),
        }
    }

    pub fn normalizer(&self, key: &str) -> SlimResult<Option<Normalizer>> {
        match self.get(key) {
            None | Some(ArgValue::None) => Ok(None),
            Some(ArgValue::Normalizer(n)) => Ok(Some(n.clone())),
            Some(_) => Err(self.wrong(key, "a normalizer function or None")),
        }
    }

    /// A dict argument; empty when absent or None.
    pub fn params(&self, key: &str) -> SlimResult<Args> {
        match self.get(key) {
            None | Some(ArgValue::None) => Ok(Args::new()),
            Some(ArgValue::Params(a)) => Ok(a.clone()),
            Some(_) => Err(self.wrong(key, "a dict of arguments or None")),
        }
    }

    /// The `scope` argument: a name, a captured scope, or none.
    pub fn scope(&self, key: &str) -> SlimResult<Option<ScopeArg>> {
        match self.get(key) {
            None | Some(ArgValue::None) => Ok(None),
            Some(ArgValue::Str(s)) => Ok(Some(ScopeArg::Name(s.clone()))),
            Some(ArgValue::Scope(s)) => Ok(Some(ScopeArg::Scope(s.clone()))),
            Some(_) => Err(self.wrong(key, "a scope name, a variable scope or None")),
        }
    }

    /// `None`: absent or Python None (no regularizer).
    pub fn regularizer(&self, key: &str) -> SlimResult<Option<Regularizer>> {
        match self.get(key) {
            None | Some(ArgValue::None) => Ok(None),
            Some(ArgValue::Regularizer(r)) => Ok(Some(r.0.clone())),
            Some(_) => Err(self.wrong(key, "a regularizer or None")),
        }
    }

    pub fn reuse(&self, key: &str) -> SlimResult<Option<Reuse>> {
        match self.get(key) {
            None | Some(ArgValue::None) => Ok(None),
            Some(ArgValue::Reuse(r)) => Ok(Some(*r)),
            Some(ArgValue::Bool(b)) => Ok(Some(Reuse::from(*b))),
            Some(_) => Err(self.wrong(key, "true, false, AUTO_REUSE or None")),
        }
    }
}

/// A layer's `scope` argument.
#[derive(Clone, Debug)]
pub enum ScopeArg {
    Name(String),
    Scope(VariableScope),
}
