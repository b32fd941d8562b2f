//! slim's layer variable getter (`_build_variable_getter`): inside a slim
//! layer the wrapped `tf.layers` layer's `kernel` / `bias` requests become
//! `weights` / `biases` (one rename map per open slim layer, the innermost
//! applied first, as TF composes nested custom getters), and every variable
//! a slim layer creates joins `model_variables`.

use std::cell::RefCell;

use crate::graph::{Graph, MODEL_VARIABLES};
use crate::variable::Variable;

/// A rename map: `(tf.layers name, slim name)` of the last name component.
pub(crate) type Renames = &'static [(&'static str, &'static str)];

/// The conv / fully-connected renames.
pub(crate) const WEIGHTS_BIASES: Renames = &[("kernel", "weights"), ("bias", "biases")];

/// `separable_conv2d`'s renames.
pub(crate) const SEPARABLE: Renames = &[
    ("bias", "biases"),
    ("depthwise_kernel", "depthwise_weights"),
    ("pointwise_kernel", "pointwise_weights"),
];

thread_local! {
    static FRAMES: RefCell<Vec<Renames>> = const { RefCell::new(Vec::new()) };
}

/// Keeps a getter frame open until dropped.
pub(crate) struct GetterFrame {
    depth: usize,
}

/// Opens a getter frame for one slim layer call.
pub(crate) fn push(renames: Renames) -> GetterFrame {
    FRAMES.with(|f| {
        let mut f = f.borrow_mut();
        f.push(renames);
        GetterFrame { depth: f.len() - 1 }
    })
}

impl Drop for GetterFrame {
    fn drop(&mut self) {
        FRAMES.with(|f| f.borrow_mut().truncate(self.depth));
    }
}

/// The name a layer's variable request uses (`kernel` → `weights` inside
/// a slim conv); unchanged outside slim layers.
pub(crate) fn name_for(name: &str) -> String {
    FRAMES.with(|f| {
        f.borrow()
            .iter()
            .rev()
            .fold(name.to_string(), |n, renames| {
                renames
                    .iter()
                    .find(|(from, _)| *from == n)
                    .map_or(n, |(_, to)| (*to).to_string())
            })
    })
}

/// The graph's variable count before a request, when a slim frame is open.
pub(crate) fn mark() -> Option<usize> {
    let open = FRAMES.with(|f| !f.borrow().is_empty());
    open.then(|| Graph::current().len())
}

/// After a request: a variable a slim layer created is a model variable.
pub(crate) fn requested(v: &Variable, before: Option<usize>) {
    if before.is_some_and(|n| v.index() >= n) {
        Graph::current().add_to_collection_once(MODEL_VARIABLES, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_apply_only_inside_frames_innermost_first() {
        assert_eq!(name_for("kernel"), "kernel");
        let outer = push(WEIGHTS_BIASES);
        assert_eq!(name_for("kernel"), "weights");
        assert_eq!(name_for("gamma"), "gamma");
        {
            let _inner = push(&[("gamma", "kernel")]);
            assert_eq!(name_for("gamma"), "weights");
        }
        assert_eq!(name_for("gamma"), "gamma");
        drop(outer);
        assert_eq!(name_for("bias"), "bias");
    }
}
