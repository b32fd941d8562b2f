//! Op names: unique names for the ops (activations) a model creates, drawn
//! from the same namespace as scopes and variables, so a Rust model can name
//! its tensors exactly as TensorFlow would.

use crate::context::with_current;
use crate::error::{NameKind, Result};
use crate::names::validate;

/// Registers an op named `name` (TF's `"Const"` for `None`) in the current
/// name scope and returns its unique full name (`"dense/MatMul_1"`). A name
/// ending in `/` is taken as an absolute name, not made unique; it fails with
/// `DuplicateName` if taken.
pub fn register_op<'a>(name: impl Into<Option<&'a str>>) -> Result<String> {
    let name = name.into().unwrap_or("Const");
    with_current(|graph, st| {
        let mut state = graph.state_mut();
        let op = match name.strip_suffix('/') {
            Some(absolute) => absolute.to_string(),
            None => state.unique_name(&st.name_stack, name),
        };
        // Checked after naming, as TF does: a uniquified name stays used.
        validate(&op, true, NameKind::Op)?;
        state.add_op(&op)?;
        Ok(op)
    })
}

/// TF's `with name_scope(None, default): op(name=scope)`: opens a unique
/// name scope `default` in the current name stack and makes one op named
/// exactly that scope (how `tf.cast`, the regularizers and `add_n` name
/// their result). Returns the op's name (`"Cast_1"`).
pub(crate) fn scoped_op(default: &str) -> Result<String> {
    with_current(|graph, st| {
        let mut state = graph.state_mut();
        let op = state.unique_name(&st.name_stack, default);
        // A fresh unique name is never an existing op.
        let _ = state.add_op(&op);
        Ok(op)
    })
}
