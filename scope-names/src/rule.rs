//! TensorFlow's name rule (`_VALID_OP_NAME_REGEX` and
//! `_VALID_SCOPE_NAME_REGEX` in `tensorflow/python/framework/ops.py`):
//! at the root `^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$`, nested
//! `^[A-Za-z0-9_.\\/>-]*$`, with Python's `$` (which also matches before
//! one trailing newline).

/// Why a name breaks the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidName {
    /// A character no TF name may contain, at byte `at`.
    #[error("it contains {ch:?}")]
    BadChar { ch: char, at: usize },
    /// The empty name, at the root.
    #[error("it is empty")]
    Empty,
    /// A first character only valid below the root (`_x`).
    #[error("at the root a name must start with a letter, digit or `.`, not {0:?}")]
    BadFirst(char),
}

const fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '\\' | '/' | '>' | '-')
}

fn is_root_first_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.'
}

fn strip_final_newline(name: &str) -> &str {
    name.strip_suffix('\n').unwrap_or(name)
}

/// `is_name_char` for every byte (all name characters are ASCII): the
/// check runs on every scope entry, so it is one table load per byte.
const NAME_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = is_name_char(b as u8 as char);
        b += 1;
    }
    table
};

/// Checks `name` against the root pattern (`at_root`) or the nested one.
pub fn check(name: &str, at_root: bool) -> Result<(), InvalidName> {
    let body = strip_final_newline(name);
    if !body.bytes().all(|b| NAME_BYTES[usize::from(b)]) {
        if let Some((at, ch)) = body.char_indices().find(|&(_, c)| !is_name_char(c)) {
            return Err(InvalidName::BadChar { ch, at });
        }
    }
    if !at_root {
        return Ok(());
    }
    match body.chars().next() {
        None => Err(InvalidName::Empty),
        Some(first) if !is_root_first_char(first) => Err(InvalidName::BadFirst(first)),
        Some(_) => Ok(()),
    }
}

/// TF's root pattern `^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$`.
pub fn is_valid_root(name: &str) -> bool {
    check(name, true).is_ok()
}

/// TF's nested pattern `^[A-Za-z0-9_.\\/>-]*$`.
pub fn is_valid_nested(name: &str) -> bool {
    check(name, false).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_and_nested_patterns() {
        for ok in ["a.b-c>d\\e/f_g", ".x", "9a", "x/", "a\n"] {
            assert!(is_valid_root(ok), "{ok:?}");
        }
        for bad in ["", "_x", "-x", "/x", ">x", "a b", "a:0", "é", "a\n\n"] {
            assert!(!is_valid_root(bad), "{bad:?}");
        }
        assert!(is_valid_nested("_x"));
        assert!(is_valid_nested(""));
        assert!(!is_valid_nested("a b"));
    }

    #[test]
    fn reasons() {
        assert_eq!(
            check("conv 1", true),
            Err(InvalidName::BadChar { ch: ' ', at: 4 })
        );
        assert_eq!(check("", true), Err(InvalidName::Empty));
        assert_eq!(check("_x", true), Err(InvalidName::BadFirst('_')));
        assert_eq!(InvalidName::Empty.to_string(), "it is empty");
        assert_eq!(
            check("a:0", false).unwrap_err().to_string(),
            "it contains ':'"
        );
    }
}
