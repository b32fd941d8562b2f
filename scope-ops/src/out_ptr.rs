//! The output pointer that the tasks of one parallel kernel share
//! (`kernels`' column and head blocks, `sgemm`'s row × column tasks).
//! Each task writes only its own disjoint part of the output, and the
//! owning buffer outlives the parallel loop: that is what makes sharing a
//! raw pointer across rayon's threads sound, and each user says why its
//! parts are disjoint where it writes.

/// A raw pointer to an f32 output, shared by tasks that write disjoint
/// parts of it.
#[derive(Clone, Copy)]
pub(crate) struct OutPtr(pub(crate) *mut f32);
// SAFETY: see the module comment: writes through the pointer go to parts
// of the output that belong to one task each, while the buffer lives.
#[allow(unsafe_code)]
unsafe impl Send for OutPtr {}
#[allow(unsafe_code)]
unsafe impl Sync for OutPtr {}

impl OutPtr {
    // A method, so closures capture the whole (Sync) wrapper, not the field.
    pub(crate) fn get(self) -> *mut f32 {
        self.0
    }
}
