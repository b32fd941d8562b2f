//! The `checkpoint` state file (a text-format `CheckpointState` proto).

use std::path::{Path, PathBuf};

use crate::atomic::write_atomic;
use crate::error::{CheckpointError, Result};
use crate::paths::{locate, parent_dir, Located};

/// The name of the state file TF's `Saver` keeps next to its checkpoints.
pub const STATE_FILE_NAME: &str = "checkpoint";

/// The contents of a `checkpoint` state file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckpointState {
    /// The latest save, relative to the state file's directory or absolute.
    pub model_checkpoint_path: String,
    /// Every kept save, oldest first.
    pub all_model_checkpoint_paths: Vec<String>,
}

impl CheckpointState {
    /// Parses the text format. Unknown fields (TF2's timestamps) are ignored.
    pub fn parse(text: &str) -> std::result::Result<CheckpointState, String> {
        let mut st = CheckpointState::default();
        let mut have_model = false;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once(':') else {
                return Err(format!("line {}: expected `field: value`", i + 1));
            };
            let key = key.trim();
            match key {
                "model_checkpoint_path" | "all_model_checkpoint_paths" => {
                    let v = unquote(value.trim()).map_err(|e| format!("line {}: {e}", i + 1))?;
                    if key == "model_checkpoint_path" {
                        st.model_checkpoint_path = v;
                        have_model = true;
                    } else {
                        st.all_model_checkpoint_paths.push(v);
                    }
                }
                _ => {}
            }
        }
        if !have_model || st.model_checkpoint_path.is_empty() {
            return Err("no model_checkpoint_path".into());
        }
        Ok(st)
    }

    /// The text TF's `Saver` writes for this state.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "model_checkpoint_path: \"{}\"\n",
            escape(&self.model_checkpoint_path)
        );
        for p in &self.all_model_checkpoint_paths {
            s.push_str(&format!("all_model_checkpoint_paths: \"{}\"\n", escape(p)));
        }
        s
    }
}

/// C-style escape as protobuf's text format does (`CEscape`).
fn escape(s: &str) -> String {
    let mut out = String::new();
    for &b in s.as_bytes() {
        match b {
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b'"' => out.push_str("\\\""),
            b'\'' => out.push_str("\\'"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out
}

fn unquote(v: &str) -> std::result::Result<String, String> {
    let b = v.as_bytes();
    if b.len() < 2 || (b[0] != b'"' && b[0] != b'\'') || b[b.len() - 1] != b[0] {
        return Err(format!("expected a quoted string, found {v}"));
    }
    let inner = &b[1..b.len() - 1];
    let mut out = Vec::new();
    let mut i = 0;
    while i < inner.len() {
        if inner[i] != b'\\' {
            out.push(inner[i]);
            i += 1;
            continue;
        }
        let Some(&c) = inner.get(i + 1) else {
            return Err("string ends in a backslash".into());
        };
        i += 2;
        match c {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'"' | b'\'' | b'\\' | b'?' => out.push(c),
            b'0'..=b'7' => {
                let mut v = u32::from(c - b'0');
                for _ in 0..2 {
                    match inner.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push(v as u8);
            }
            b'x' => {
                let mut v = 0u32;
                let mut n = 0;
                while n < 2 {
                    match inner.get(i).and_then(|d| (*d as char).to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d;
                            i += 1;
                            n += 1;
                        }
                        None => break,
                    }
                }
                if n == 0 {
                    return Err("\\x without hex digits".into());
                }
                out.push(v as u8);
            }
            _ => return Err(format!("unknown escape \\{}", c as char)),
        }
    }
    String::from_utf8(out).map_err(|_| "path is not UTF-8".into())
}

/// Reads `dir/checkpoint`.
pub fn read_checkpoint_state(dir: impl AsRef<Path>) -> Result<CheckpointState> {
    let path = dir.as_ref().join(STATE_FILE_NAME);
    let text = std::fs::read(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => CheckpointError::NotFound {
            path: path.clone(),
            tensor: None,
            hint: "this directory has no `checkpoint` state file; pass a checkpoint prefix such as dir/model.ckpt instead".into(),
        },
        _ => CheckpointError::io(&path, "reading", e),
    })?;
    let text = String::from_utf8(text).map_err(|_| CheckpointError::StateFile {
        path: path.clone(),
        detail: "not UTF-8 text".into(),
    })?;
    CheckpointState::parse(&text).map_err(|detail| CheckpointError::StateFile { path, detail })
}

/// The prefix of the latest checkpoint in `dir`, like
/// `tf.train.latest_checkpoint`: `model_checkpoint_path` from the state
/// file, resolved against `dir` when relative. Unlike TF, a directory that
/// was moved still works: see [`latest_checkpoint_located`]. Fails when
/// no `.index` exists for it.
pub fn latest_checkpoint(dir: impl AsRef<Path>) -> Result<PathBuf> {
    latest_checkpoint_located(dir).map(|l| l.prefix)
}

/// [`latest_checkpoint`], saying whether the prefix the state file names
/// was used or (when it does not exist, typically an absolute path from the
/// machine that trained the model) the prefix of the same file name in
/// `dir`, and why.
pub fn latest_checkpoint_located(dir: impl AsRef<Path>) -> Result<Located> {
    let dir = dir.as_ref();
    let st = read_checkpoint_state(dir)?;
    locate(dir, &st.model_checkpoint_path, &dir.join(STATE_FILE_NAME))
}

/// Every checkpoint the state file of `dir` keeps
/// (`all_model_checkpoint_paths`, oldest first), each located as
/// [`latest_checkpoint_located`] does. Fails on the first entry that exists
/// neither where it is named nor in `dir`.
pub fn all_checkpoints(dir: impl AsRef<Path>) -> Result<Vec<Located>> {
    let dir = dir.as_ref();
    let st = read_checkpoint_state(dir)?;
    let state_file = dir.join(STATE_FILE_NAME);
    st.all_model_checkpoint_paths
        .iter()
        .map(|p| locate(dir, p, &state_file))
        .collect()
}

/// Turns what the user passed (a prefix, an `.index` or `.data-*` file, or
/// a directory) into a checkpoint prefix.
pub(crate) fn resolve_prefix(path: &Path) -> Result<Located> {
    let plain = |prefix: PathBuf| {
        Ok(Located {
            prefix,
            resolution: None,
        })
    };
    if path.is_dir() {
        if path.join(STATE_FILE_NAME).is_file() {
            return latest_checkpoint_located(path);
        }
        // No state file: accept a directory holding exactly one checkpoint.
        let mut found = Vec::new();
        if let Ok(rd) = std::fs::read_dir(path) {
            for e in rd.flatten() {
                let p = e.path();
                if let Some(name) = p.file_name().and_then(|n| n.to_str()) {
                    if let Some(stem) = name.strip_suffix(".index") {
                        if !name.starts_with('.') {
                            found.push(path.join(stem));
                        }
                    }
                }
            }
        }
        return match found.len() {
            1 => plain(found.pop().unwrap_or_default()),
            0 => Err(CheckpointError::NotACheckpoint {
                path: path.to_path_buf(),
                reason: "the directory has no `checkpoint` state file and no .index file".into(),
            }),
            _ => {
                found.sort();
                let names: Vec<String> = found.iter().map(|p| p.display().to_string()).collect();
                Err(CheckpointError::NotACheckpoint {
                    path: path.to_path_buf(),
                    reason: format!(
                        "no `checkpoint` state file and several checkpoints; pass one prefix: {}",
                        names.join(", ")
                    ),
                })
            }
        };
    }
    let s = path.to_string_lossy();
    if let Some(p) = s.strip_suffix(".index") {
        return plain(PathBuf::from(p));
    }
    if let Some(pos) = s.rfind(".data-") {
        let tail = &s[pos + 6..];
        let b = tail.as_bytes();
        if b.len() == 14
            && &tail[5..9] == "-of-"
            && b[..5].iter().chain(&b[9..]).all(u8::is_ascii_digit)
        {
            return plain(PathBuf::from(&s[..pos]));
        }
    }
    plain(path.to_path_buf())
}

/// Records `prefix` as the latest checkpoint in the state file of its
/// directory, with a path relative to that directory (like a `Saver` built
/// with `save_relative_paths=True`). Earlier entries are kept, oldest first;
/// `prefix` moves to the end if it was listed. Written atomically.
pub fn update_checkpoint_state(prefix: impl AsRef<Path>, fsync: bool) -> Result<()> {
    let prefix = prefix.as_ref();
    let dir = parent_dir(prefix);
    let name = prefix
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| CheckpointError::InvalidInput {
            path: prefix.to_path_buf(),
            detail: "the prefix must end in a UTF-8 file name".into(),
        })?
        .to_string();
    let mut st = match read_checkpoint_state(&dir) {
        Ok(st) => st,
        Err(CheckpointError::NotFound { .. }) | Err(CheckpointError::StateFile { .. }) => {
            CheckpointState::default()
        }
        Err(e) => return Err(e),
    };
    st.all_model_checkpoint_paths.retain(|p| *p != name);
    st.all_model_checkpoint_paths.push(name.clone());
    st.model_checkpoint_path = name;
    write_atomic(&dir.join(STATE_FILE_NAME), st.to_text().as_bytes(), fsync)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_writes_tf_text() {
        let text = "model_checkpoint_path: \"weights-20\"\nall_model_checkpoint_paths: \"weights-10\"\nall_model_checkpoint_paths: \"weights-20\"\n";
        let st = CheckpointState::parse(text).unwrap();
        assert_eq!(st.model_checkpoint_path, "weights-20");
        assert_eq!(st.all_model_checkpoint_paths, ["weights-10", "weights-20"]);
        assert_eq!(st.to_text(), text);
        let odd = CheckpointState {
            model_checkpoint_path: "a\"b\\c\n\u{e9}".into(),
            all_model_checkpoint_paths: vec![],
        };
        assert_eq!(CheckpointState::parse(&odd.to_text()).unwrap(), odd);
        assert!(CheckpointState::parse("all_model_checkpoint_paths: \"x\"\n").is_err());
        assert!(CheckpointState::parse("model_checkpoint_path: x\n").is_err());
        let tf2 = "model_checkpoint_path: \"ckpt-2\"\nall_model_checkpoint_timestamps: 1700000000.5\nlast_preserved_timestamp: 1.0\n";
        assert_eq!(
            CheckpointState::parse(tf2).unwrap().model_checkpoint_path,
            "ckpt-2"
        );
    }
}
