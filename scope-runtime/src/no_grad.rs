//! `no_grad()`: inference without autograd, as `torch.no_grad()` (TF1 has
//! no such switch: a `Session.run` of the forward ops never builds a
//! backward graph). While the guard lives on a thread, every layer there
//! reads its variables detached from autograd (the same storage, no
//! backward graph recorded), so results keep nothing alive for a later
//! `backward` and the CPU inference kernels of `scope_ops` (the fused,
//! channels-last convolution among them) take their fast paths, which
//! they only take for tensors autograd does not track.
//!
//! ```
//! # use scope_runtime::{no_grad, grad_enabled};
//! assert!(grad_enabled());
//! {
//!     let _inference = no_grad();
//!     assert!(!grad_enabled());
//! }
//! assert!(grad_enabled());
//! ```

use std::cell::Cell;
use std::marker::PhantomData;

thread_local! {
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// The guard [`no_grad`] returns; dropping it ends that `no_grad` block.
/// It stays on the thread that made it.
#[must_use = "autograd is off only while the guard lives"]
pub struct NoGrad {
    _thread_bound: PhantomData<*const ()>,
}

/// Turns autograd off for variable reads on this thread until the guard
/// is dropped. Nests.
pub fn no_grad() -> NoGrad {
    DEPTH.with(|d| d.set(d.get() + 1));
    NoGrad {
        _thread_bound: PhantomData,
    }
}

impl Drop for NoGrad {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Whether layers on this thread read variables tracked by autograd (no
/// [`no_grad`] guard alive).
pub fn grad_enabled() -> bool {
    DEPTH.with(|d| d.get() == 0)
}
