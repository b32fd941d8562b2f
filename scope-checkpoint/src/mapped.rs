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
}
