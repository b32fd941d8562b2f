//! File names of a checkpoint and where a `checkpoint` state file's paths
//! point: the leaf every other module uses for paths (no crate imports but
//! the error type).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{CheckpointError, Result};

/// `P.index` for a prefix `P`.
pub fn index_path(prefix: &Path) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(".index");
    PathBuf::from(s)
}

/// `P.data-SSSSS-of-NNNNN` for a prefix `P`.
pub fn data_path(prefix: &Path, shard: u32, num_shards: u32) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(format!(".data-{shard:05}-of-{num_shards:05}"));
    PathBuf::from(s)
}

/// The directory holding `p` (`.` for a bare file name).
pub(crate) fn parent_dir(p: &Path) -> PathBuf {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Why a checkpoint was loaded from another prefix than the one its
/// `checkpoint` state file names: the directory was moved, copied or
/// downloaded, and the state file still holds the paths of the machine that
/// wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolution {
    /// The prefix actually used.
    pub prefix: PathBuf,
    /// The path as the state file spells it.
    pub named: String,
    /// Why `prefix` was used instead.
    pub reason: String,
}

impl fmt::Display for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "using {} instead of {}: {}",
            self.prefix.display(),
            self.named,
            self.reason
        )
    }
}

/// A checkpoint prefix found through a state file entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub prefix: PathBuf,
    /// `Some` when the named prefix does not exist and a prefix of the same
    /// file name in the state file's directory was used instead.
    pub resolution: Option<Resolution>,
}

/// The last component of a path written on any machine (`/` or `\`).
fn foreign_file_name(named: &str) -> &str {
    named.rsplit(['/', '\\']).next().unwrap_or(named)
}

/// Where the state-file entry `named` (relative to `dir`, or absolute)
/// points. TF counts a V2 checkpoint as existing when `P.index` exists.
/// If the named prefix does not exist but `dir/<its file name>` does, that
/// one is used and the [`Resolution`] says so. `state_file` only names the
/// file in the error when neither exists.
pub(crate) fn locate(dir: &Path, named: &str, state_file: &Path) -> Result<Located> {
    let p = Path::new(named);
    let as_named = if p.is_absolute() {
        p.to_path_buf()
    } else {
        dir.join(p)
    };
    if index_path(&as_named).is_file() {
        return Ok(Located {
            prefix: as_named,
            resolution: None,
        });
    }
    let leaf = foreign_file_name(named);
    let local = dir.join(leaf);
    let tried_local = !leaf.is_empty() && leaf != "." && leaf != ".." && local != as_named;
    if tried_local && index_path(&local).is_file() {
        let reason = format!(
            "{} does not exist, but the state file's directory has a checkpoint of the same name (the directory was moved or copied from {})",
            index_path(&as_named).display(),
            if p.is_absolute() { "another place or machine" } else { "a layout with other relative paths" },
        );
        return Ok(Located {
            prefix: local.clone(),
            resolution: Some(Resolution {
                prefix: local,
                named: named.to_string(),
                reason,
            }),
        });
    }
    let also = if tried_local {
        format!(" nor does {}", index_path(&local).display())
    } else {
        String::new()
    };
    Err(CheckpointError::StateFile {
        path: state_file.to_path_buf(),
        detail: format!(
            "it names {named} but {} does not exist{also}; copy the checkpoint's .index and .data-* files next to the state file, fix the file, or open a prefix directly",
            index_path(&as_named).display()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_from_other_machines() {
        assert_eq!(
            foreign_file_name("/nonexistent/run-17/model.ckpt"),
            "model.ckpt"
        );
        assert_eq!(
            foreign_file_name("C:\\runs\\17\\model.ckpt-100"),
            "model.ckpt-100"
        );
        assert_eq!(foreign_file_name("model.ckpt"), "model.ckpt");
        assert_eq!(
            data_path(Path::new("d/m"), 1, 3),
            PathBuf::from("d/m.data-00001-of-00003")
        );
    }
}
