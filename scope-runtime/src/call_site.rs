//! Where a definition is recorded. The runtime's layer entry points
//! (`layers::*` and `slim::*` `apply`) are `#[track_caller]` and mark their
//! caller for the extent of the call, so the scopes and variables they make
//! inside the runtime's own code are defined at the user's line (what
//! `Graph::explain` and the sharing errors report), not in `layers/`.

use std::cell::Cell;
use std::panic::Location;

use crate::error::DefinedAt;

thread_local! {
    /// The caller of the outermost layer call running on this thread.
    static LAYER_CALLER: Cell<Option<&'static Location<'static>>> = const { Cell::new(None) };
}

/// A layer call in progress; dropping it ends the call.
pub(crate) struct LayerCall {
    previous: Option<&'static Location<'static>>,
}

/// Marks a call of a layer entry point, at its caller. A layer called by
/// another (slim's normalizer, a tf.layers layer under slim) keeps the
/// outer call's caller, the user's.
#[track_caller]
pub(crate) fn layer_call() -> LayerCall {
    let here = Location::caller();
    LAYER_CALLER.with(|c| {
        let previous = c.get();
        if previous.is_none() {
            c.set(Some(here));
        }
        LayerCall { previous }
    })
}

impl Drop for LayerCall {
    fn drop(&mut self) {
        LAYER_CALLER.with(|c| c.set(self.previous));
    }
}

/// The definition site of something made at `at`: the caller of the
/// layer call in progress if there is one, else `at`.
pub(crate) fn defined_at(at: &'static Location<'static>) -> DefinedAt {
    DefinedAt(LAYER_CALLER.with(Cell::get).unwrap_or(at))
}
