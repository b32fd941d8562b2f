//! Read-only memory maps of whole files.

use std::fs::File;
use std::path::Path;

use memmap2::Mmap;

use crate::error::{CheckpointError, Result};

/// A read-only map of a whole file (an empty file needs no map).
pub(crate) enum Mapped {
    Map(Mmap),
    Empty,
}

impl Mapped {
    /// Maps `path`. The usual memory-map caveat applies: if another process
    /// truncates or rewrites the file while it is mapped, reads may see the
    /// new bytes or fault. This crate's own writers never modify a file in
    /// place (they write a new file and rename it over the old name).
    #[allow(unsafe_code)]
    pub fn open(path: &Path, tensor: Option<&str>) -> Result<Mapped> {
        let file = File::open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => CheckpointError::NotFound {
                path: path.to_path_buf(),
                tensor: tensor.map(str::to_string),
                hint: "the data file of this checkpoint is missing; copy all of its `.data-*` files along with the `.index`".into(),
            },
            _ => CheckpointError::io(path, "opening", e),
        })?;
        let len = file
            .metadata()
            .map_err(|e| CheckpointError::io(path, "reading the size of", e))?
            .len();
        if len == 0 {
            return Ok(Mapped::Empty);
        }
        // SAFETY: the map is read-only; see the caveat in the doc comment.
        let map = unsafe { Mmap::map(&file) }
            .map_err(|e| CheckpointError::io(path, "memory-mapping", e))?;
        Ok(Mapped::Map(map))
    }

    pub fn bytes(&self) -> &[u8] {
        match self {
            Mapped::Map(m) => m,
            Mapped::Empty => &[],
        }
    }

    /// Drops the process's mapping of the pages holding `part` (a sub-slice
    /// of [`bytes`](Self::bytes)) after a copy out of them, so that reading
    /// a large file tensor by tensor does not leave every touched page in
    /// the resident set. The file's pages stay in the page cache and the
    /// mapping stays valid: a later access faults them in again with the
    /// same contents (the map is read-only and this crate never writes the
    /// file). Best effort; a no-op off Linux.
    #[allow(unsafe_code)]
    pub fn release(&self, part: &[u8]) {
        #[cfg(target_os = "linux")]
        if let Mapped::Map(m) = self {
            let base = m.as_ptr() as usize;
            let start = part.as_ptr() as usize;
            if part.is_empty() || start < base || start + part.len() > base + m.len() {
                return;
            }
            // SAFETY: sysconf has no preconditions.
            let page =
                usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
            let from = start & !(page - 1);
            let to = (start + part.len())
                .next_multiple_of(page)
                .min((base + m.len()).next_multiple_of(page));
            // SAFETY: [from, to) lies within this read-only, file-backed,
            // page-aligned mapping (rounded to whole pages, which the kernel
            // maps whole). MADV_DONTNEED on such a mapping only discards page
            // table entries; later reads see the file's bytes again, so no
            // live borrow of the map can observe a change.
            unsafe {
                libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_DONTNEED);
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = part;
    }
}
