//! Keeps glibc's allocator from handing the large buffers of a forward
//! pass back to the kernel after each pass.
//!
//! glibc serves an allocation above its mmap threshold (128 KB at first,
//! raised as such blocks are freed, up to 32 MB) with a fresh `mmap`, and
//! trims the heap's free top above the trim threshold, so every pass of a
//! model re-faults its activations, packed weights and im2col buffers page
//! by page (on ResNet-50 at batch 1: about 12 % of the CPU samples were
//! page faults and the kernel's memory accounting). With both thresholds
//! raised, freed blocks stay in the heap and the next pass reuses them.

/// Largest block glibc may keep in its heap instead of mapping it.
const MMAP_THRESHOLD: i32 = 256 << 20;
/// Free heap top glibc keeps before trimming.
const TRIM_THRESHOLD: i32 = 1 << 30;

/// Raises glibc's mmap and trim thresholds (Linux with glibc; elsewhere
/// nothing). Call it once, early in `main`.
pub fn tune_cpu_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: mallopt only changes allocator parameters; it is called with
    // valid option numbers and values and touches no Rust object.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
    }
}
