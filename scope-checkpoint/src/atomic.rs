//! Atomic file replacement: write beside the target, fsync, rename.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{CheckpointError, Result};
use crate::paths::parent_dir;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The temporary name used beside `target` (hidden, unique per process and call).
pub(crate) fn temp_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    parent_dir(target).join(format!(".{name}.tmp-{}-{n}", std::process::id()))
}

/// A file being written under a temporary name. Dropping it without
/// [`TempFile::commit`] deletes it, so the final name never sees a partial file.
pub(crate) struct TempFile {
    tmp: PathBuf,
    target: PathBuf,
    out: Option<BufWriter<File>>,
}

impl TempFile {
    pub fn create(target: &Path) -> Result<TempFile> {
        let tmp = temp_path(target);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| CheckpointError::io(&tmp, "creating", e))?;
        Ok(TempFile {
            tmp,
            target: target.to_path_buf(),
            out: Some(BufWriter::with_capacity(1 << 20, file)),
        })
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        let out = self.out.as_mut().expect("TempFile used after commit");
        out.write_all(bytes)
            .map_err(|e| CheckpointError::io(&self.tmp, "writing", e))
    }

    /// Flushes and (optionally) fsyncs the temporary file; the rename is separate
    /// so that several files can be made durable before any is renamed.
    pub fn seal(&mut self, fsync: bool) -> Result<()> {
        let out = self.out.as_mut().expect("TempFile used after commit");
        out.flush()
            .map_err(|e| CheckpointError::io(&self.tmp, "writing", e))?;
        if fsync {
            out.get_ref()
                .sync_all()
                .map_err(|e| CheckpointError::io(&self.tmp, "fsync of", e))?;
        }
        Ok(())
    }

    /// Renames the sealed file over its target.
    pub fn rename(mut self) -> Result<()> {
        self.out = None; // close before renaming
        std::fs::rename(&self.tmp, &self.target)
            .map_err(|e| CheckpointError::io(&self.target, "renaming a temporary file to", e))?;
        self.tmp = PathBuf::new();
        Ok(())
    }

    pub fn target(&self) -> &Path {
        &self.target
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            self.out = None;
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// fsync a directory so renames in it are durable (best effort: not every
/// platform can open a directory).
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Replaces `path` with `bytes` atomically.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], fsync: bool) -> Result<()> {
    let mut t = TempFile::create(path)?;
    t.write_all(bytes)?;
    t.seal(fsync)?;
    t.rename()?;
    if fsync {
        sync_dir(&parent_dir(path));
    }
    Ok(())
}
