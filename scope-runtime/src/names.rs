//! TensorFlow's name rules: which names are valid, and `unique_name`, the
//! one case-insensitive counter scheme shared by name scopes, ops and
//! variables.

use rustc_hash::FxHashMap;

use crate::error::{NameKind, ScopeError};

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '\\' | '/' | '>' | '-')
}

fn is_root_first_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.'
}

/// TF's nested pattern `^[A-Za-z0-9_.\\/>-]*$`, with Python's `$` (which
/// also matches before one trailing newline).
pub(crate) fn is_valid_nested(name: &str) -> bool {
    strip_final_newline(name).chars().all(is_name_char)
}

/// TF's root pattern `^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$`.
pub(crate) fn is_valid_root(name: &str) -> bool {
    let body = strip_final_newline(name);
    let mut chars = body.chars();
    match chars.next() {
        Some(first) => is_root_first_char(first) && chars.all(is_name_char),
        None => false,
    }
}

fn strip_final_newline(name: &str) -> &str {
    name.strip_suffix('\n').unwrap_or(name)
}

/// Checks `name` against the root pattern (`at_root`) or the nested one.
pub(crate) fn validate(name: &str, at_root: bool, kind: NameKind) -> Result<(), ScopeError> {
    let ok = if at_root {
        is_valid_root(name)
    } else {
        is_valid_nested(name)
    };
    if ok {
        return Ok(());
    }
    let body = strip_final_newline(name);
    let reason = if let Some(c) = body.chars().find(|&c| !is_name_char(c)) {
        format!("it contains {c:?}")
    } else if body.is_empty() {
        "it is empty".to_string()
    } else {
        format!(
            "at the root a name must start with a letter, digit or `.`, not {:?}",
            body.chars().next().unwrap_or(' ')
        )
    };
    Err(ScopeError::InvalidName {
        name: name.to_string(),
        kind,
        reason,
    })
}

/// Joins a scope prefix and a name with `/` (no slash at the root).
pub(crate) fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        let mut s = String::with_capacity(prefix.len() + 1 + name.len());
        s.push_str(prefix);
        s.push('/');
        s.push_str(name);
        s
    }
}

/// Lower-cases like Python's `str.lower`, without allocating twice for the
/// common ASCII case.
fn lower(name: &str) -> String {
    if name.is_ascii() {
        name.to_ascii_lowercase()
    } else {
        name.to_lowercase()
    }
}

/// The graph's record of names handed out by `unique_name`, keyed by the
/// lower-cased full name.
#[derive(Default, Debug, Clone)]
pub(crate) struct UsedNames {
    counts: FxHashMap<String, u64>,
}

impl UsedNames {
    /// TF's `Graph.unique_name(name)` with the name stack `stack`: the first
    /// use of a name returns it as is; later uses append `_N`, skipping any
    /// suffix already taken. O(1) amortised: the counter remembers where to
    /// continue.
    pub(crate) fn unique_name(&mut self, stack: &str, name: &str) -> String {
        let full = join(stack, name);
        let key = lower(&full);
        let i = match self.counts.get_mut(&key) {
            Some(count) => {
                let i = *count;
                *count += 1;
                i
            }
            None => {
                self.counts.insert(key.clone(), 1);
                0
            }
        };
        if i == 0 {
            return full;
        }
        let mut j = i;
        let mut candidate = String::with_capacity(key.len() + 4);
        loop {
            candidate.clear();
            candidate.push_str(&key);
            candidate.push('_');
            push_decimal(&mut candidate, j);
            if !self.counts.contains_key(&candidate) {
                break;
            }
            j += 1;
        }
        self.counts.insert(candidate, 1);
        let mut out = full;
        out.push('_');
        push_decimal(&mut out, j);
        out
    }

    #[cfg(test)]
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.counts.contains_key(&lower(name))
    }
}

fn push_decimal(s: &mut String, n: u64) {
    use std::fmt::Write;
    let _ = write!(s, "{n}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semantics_examples() {
        let mut u = UsedNames::default();
        let got: Vec<String> = ["foo", "foo", "foo_1", "foo_1"]
            .iter()
            .map(|n| u.unique_name("", n))
            .collect();
        assert_eq!(got, ["foo", "foo_1", "foo_1_1", "foo_1_2"]);

        let mut u = UsedNames::default();
        let got: Vec<String> = ["foo_2", "foo", "foo", "foo"]
            .iter()
            .map(|n| u.unique_name("", n))
            .collect();
        assert_eq!(got, ["foo_2", "foo", "foo_1", "foo_3"]);

        let mut u = UsedNames::default();
        assert_eq!(u.unique_name("", "foo"), "foo");
        assert_eq!(u.unique_name("", "Foo"), "Foo_1");
        assert!(u.contains("FOO_1"));
    }

    #[test]
    fn validity() {
        assert!(is_valid_root("a.b-c>d\\e/f_g"));
        assert!(is_valid_root(".x"));
        assert!(!is_valid_root("_x"));
        assert!(is_valid_nested("_x"));
        assert!(!is_valid_nested("a b"));
        assert!(!is_valid_nested("a:0"));
        assert!(!is_valid_root(""));
        assert!(is_valid_nested(""));
    }
}
