//! What a slim layer or `arg_scope` call can fail with: the scope errors of
//! the layers it wraps, and its own argument errors, each naming the layer
//! function, the argument and where a default came from.

use std::fmt;
use std::panic::Location;

use crate::error::ScopeError;

/// Where an argument's value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgOrigin {
    /// Passed to the call itself.
    Explicit,
    /// A default of the `arg_scope` entered at this source location.
    ArgScope(&'static Location<'static>),
}

impl fmt::Display for ArgOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgOrigin::Explicit => write!(f, "passed to the call"),
            ArgOrigin::ArgScope(at) => write!(f, "set by the arg_scope entered at {at}"),
        }
    }
}

/// A slim call's error.
#[derive(Debug, thiserror::Error)]
pub enum SlimError {
    /// A variable, scope or layer error of the call (names the variable).
    #[error(transparent)]
    Scope(#[from] ScopeError),

    /// `arg_scope` over (or defaults asked for) a function that was never
    /// registered with `add_arg_scope`.
    #[error(
        "`{func}` is not decorated with add_arg_scope: register it with \
         `slim::add_arg_scope(\"{func}\")` before listing it in an arg_scope"
    )]
    NotArgScoped { func: String },

    /// An argument the function does not take (TF: "got an unexpected
    /// keyword argument").
    #[error("{func}() got an unexpected argument `{arg}` ({origin}); it takes {known}")]
    UnknownArg {
        func: String,
        arg: String,
        origin: ArgOrigin,
        known: String,
    },

    /// An argument of the wrong kind.
    #[error("{func}(): argument `{arg}` must be {expected}, got {got} ({origin})")]
    ArgType {
        func: String,
        arg: String,
        expected: &'static str,
        got: String,
        origin: ArgOrigin,
    },

    /// A value or input the layer rejects.
    #[error("{func} `{scope}`: {message}")]
    Invalid {
        func: String,
        scope: String,
        message: String,
    },

    /// A captured arg scope re-entered together with new defaults.
    #[error("arg_scope: a captured scope cannot be re-entered with new defaults ({at})")]
    ReenterWithArgs { at: &'static Location<'static> },
}

impl SlimError {
    /// The conformance error kind (FORMAT.md "Errors").
    pub fn kind(&self) -> &'static str {
        match self {
            SlimError::Scope(e) => e.kind(),
            _ => "InvalidArgument",
        }
    }
}

/// A slim call's result.
pub type SlimResult<T> = std::result::Result<T, SlimError>;
