//! The crate's one error type.
//!
//! Bad input (a wrong rank, an unknown padding name, mismatched channels, an
//! output size TensorFlow would reject) is checked before any compute and
//! reported as its own variant naming the op and what is wrong. An error
//! that candle raises while computing is wrapped with the op it happened in.

/// What went wrong in a `scope-ops` call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A tensor of the wrong rank.
    #[error("{op}: {arg} must have rank {expected}, got shape {shape:?}")]
    Rank {
        op: &'static str,
        arg: &'static str,
        expected: usize,
        shape: Vec<usize>,
    },
    /// A padding name other than TensorFlow's `"SAME"` / `"VALID"`.
    #[error("unknown padding {0:?}: expected \"SAME\" or \"VALID\" (either case)")]
    UnknownPadding(String),
    /// A data format name TensorFlow does not have.
    #[error(
        "unknown data format {0:?}: expected NHWC/NWC/channels_last or NCHW/NCW/channels_first"
    )]
    UnknownDataFormat(String),
    /// Shapes that do not fit together (channels, parameter shapes, ...).
    #[error("{op}: {what}")]
    Shape { op: &'static str, what: String },
    /// An argument out of its range (a zero stride, a keep probability
    /// outside (0, 1], a label outside the classes, ...).
    #[error("{op}: {what}")]
    InvalidArgument { op: &'static str, what: String },
    /// An error raised by candle while computing the op.
    #[error("{op}: {source}")]
    Candle {
        op: &'static str,
        #[source]
        source: candle_core::Error,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Wraps candle's errors with the name of the op they happened in.
pub(crate) trait Context<T> {
    fn ctx(self, op: &'static str) -> Result<T>;
}

impl<T> Context<T> for candle_core::Result<T> {
    fn ctx(self, op: &'static str) -> Result<T> {
        self.map_err(|source| Error::Candle { op, source })
    }
}

pub(crate) fn shape_err(op: &'static str, what: impl Into<String>) -> Error {
    Error::Shape {
        op,
        what: what.into(),
    }
}

pub(crate) fn arg_err(op: &'static str, what: impl Into<String>) -> Error {
    Error::InvalidArgument {
        op,
        what: what.into(),
    }
}

/// The dims of `t` if it has rank `rank`, else [`Error::Rank`].
pub(crate) fn dims_of<'a>(
    op: &'static str,
    arg: &'static str,
    t: &'a candle_core::Tensor,
    rank: usize,
) -> Result<&'a [usize]> {
    let dims = t.dims();
    if dims.len() == rank {
        Ok(dims)
    } else {
        Err(Error::Rank {
            op,
            arg,
            expected: rank,
            shape: dims.to_vec(),
        })
    }
}
