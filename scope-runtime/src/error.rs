//! The runtime's one error type. Every variant names the full variable or
//! scope name involved and says what to do about it; `kind()` gives the
//! TensorFlow-level error kind used by the conformance corpus.

use std::fmt;
use std::panic::Location;

use crate::dtype::DType;

/// Result alias used throughout the runtime.
pub type Result<T, E = ScopeError> = std::result::Result<T, E>;

/// Where a variable was defined: the user's `file:line:col`, captured with
/// `#[track_caller]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DefinedAt(pub &'static Location<'static>);

impl fmt::Display for DefinedAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.0.file(), self.0.line(), self.0.column())
    }
}

/// What kind of name failed validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    NameScope,
    VariableScope,
    Variable,
    Op,
}

impl fmt::Display for NameKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameKind::NameScope => "name scope",
            NameKind::VariableScope => "variable scope",
            NameKind::Variable => "variable",
            NameKind::Op => "op",
        })
    }
}

/// Every error the runtime reports.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ScopeError {
    #[error(
        "variable `{name}` already exists (originally defined at {defined_at}); \
         to share it, open its scope with `reuse = true` or `reuse = auto`, \
         or call `reuse_variables()` on the scope"
    )]
    AlreadyExists { name: String, defined_at: DefinedAt },

    #[error(
        "variable `{name}` does not exist, and the scope has `reuse = true` so it was not created; \
         {}create it first with reuse unset, or use `reuse = auto`",
        did_you_mean(suggestions)
    )]
    NotFound {
        name: String,
        suggestions: Vec<String>,
    },

    #[error(
        "variable `{name}` has shape {existing:?} but was requested with shape {}; \
         the existing variable was defined at {defined_at}: request the same shape, or give this one another name",
        fmt_partial_shape(requested)
    )]
    ShapeMismatch {
        name: String,
        existing: Vec<usize>,
        requested: Vec<Option<usize>>,
        defined_at: DefinedAt,
    },

    #[error(
        "variable `{name}` has dtype {existing} but was requested as {requested}; \
         the existing variable was defined at {defined_at}: pass `dtype = {existing}` (directly or through the scope)"
    )]
    DtypeMismatch {
        name: String,
        existing: DType,
        requested: DType,
        defined_at: DefinedAt,
    },

    #[error(
        "variable `{name}` cannot be created with an unknown shape ({}); \
         give a fully defined shape, or a value initializer that carries one",
        shape.as_ref().map_or_else(|| "no shape given".to_string(), |s| fmt_partial_shape(s))
    )]
    UnknownShape {
        name: String,
        shape: Option<Vec<Option<usize>>>,
    },

    #[error(
        "`{name}` is not a valid {kind} name: {reason}; names use ASCII letters, digits and `_ . \\ / > -`, \
         and a name at the root must start with a letter, digit or `.`"
    )]
    InvalidName {
        name: String,
        kind: NameKind,
        reason: String,
    },

    #[error(
        "an op named `{name}` already exists; absolute names (ending in `/`) are not made unique, \
         so pick a name that is not taken or drop the trailing `/`"
    )]
    DuplicateName { name: String },

    #[error(
        "template `{template}` created trainable variable(s) {created:?} on a call after its first; \
         a template creates all its variables on the first call and only shares them afterwards"
    )]
    TemplateVariableCreated {
        template: String,
        created: Vec<String>,
    },

    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    #[error(
        "scope guard for `{dropped}` was dropped while {still_open} inner scope(s) were still open \
         (innermost name scope `{innermost}`); guards must be dropped in the reverse order of \
         creation, so the inner scopes were closed with it"
    )]
    GuardOrder {
        dropped: String,
        still_open: usize,
        innermost: String,
    },

    #[error(
        "cannot assign to variable `{name}`: it has dtype {dtype} and shape {shape:?}, \
         the new value has dtype {value_dtype} and shape {value_shape:?}"
    )]
    AssignMismatch {
        name: String,
        dtype: DType,
        shape: Vec<usize>,
        value_dtype: DType,
        value_shape: Vec<usize>,
    },

    #[error(
        "candle failed {doing} for variable `{name}` (defined at {defined_at}): {detail}; \
         check that the device has memory for it"
    )]
    Engine {
        name: String,
        doing: String,
        detail: String,
        defined_at: DefinedAt,
    },

    #[error("variable `{name}`: the request and the store disagree about partitioning: {detail}")]
    PartitionMismatch { name: String, detail: String },

    #[error("variable `{name}` cannot be partitioned so: {detail}")]
    InvalidPartitioning { name: String, detail: String },

    #[error(
        "`{name}` is {got}, not a variable; use `get_object()` (or `get_partitioned()`) \
         to take what the getter or partitioner returned"
    )]
    NotAVariable { name: String, got: String },

    /// A candle op in the user's model failed (converted by `?`).
    #[error("a candle op failed: {0}")]
    Compute(String),
}

impl From<candle_core::Error> for ScopeError {
    fn from(e: candle_core::Error) -> Self {
        ScopeError::Compute(e.to_string())
    }
}

impl ScopeError {
    /// The TensorFlow-level kind of this error, as named in the conformance
    /// corpus (`"AlreadyExists"`, `"NotFound"`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            ScopeError::AlreadyExists { .. } => "AlreadyExists",
            ScopeError::NotFound { .. } => "NotFound",
            ScopeError::ShapeMismatch { .. } => "ShapeMismatch",
            ScopeError::DtypeMismatch { .. } => "DtypeMismatch",
            ScopeError::UnknownShape { .. } => "UnknownShape",
            ScopeError::InvalidName { .. } => "InvalidName",
            ScopeError::DuplicateName { .. } => "DuplicateName",
            ScopeError::TemplateVariableCreated { .. } => "TemplateVariableCreated",
            ScopeError::InvalidArgument(_) => "InvalidArgument",
            ScopeError::GuardOrder { .. } => "GuardOrder",
            ScopeError::AssignMismatch { .. } => "AssignMismatch",
            ScopeError::Engine { .. } => "Engine",
            ScopeError::Compute(_) => "Compute",
            ScopeError::PartitionMismatch { .. } => "PartitionMismatch",
            ScopeError::InvalidPartitioning { .. } => "InvalidPartitioning",
            ScopeError::NotAVariable { .. } => "NotAVariable",
        }
    }
}

fn did_you_mean(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!("did you mean `{one}`? "),
        many => {
            let list: Vec<String> = many.iter().map(|s| format!("`{s}`")).collect();
            format!("did you mean one of {}? ", list.join(", "))
        }
    }
}

pub(crate) fn fmt_partial_shape(shape: &[Option<usize>]) -> String {
    let dims: Vec<String> = shape
        .iter()
        .map(|d| d.map_or_else(|| "?".to_string(), |d| d.to_string()))
        .collect();
    format!("[{}]", dims.join(", "))
}
