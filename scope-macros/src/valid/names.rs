//! Literal names against TensorFlow's rule (`scope_names::check`), with
//! the macros' messages. A literal is checked against the root pattern
//! because the macro cannot know whether the code runs inside another
//! scope; valid there means valid everywhere.

use proc_macro2::Span;
use scope_names::InvalidName;

/// Checks a literal name; `what` is "scope", "template" or "variable".
pub fn check_name(name: &str, what: &str, span: Span) -> syn::Result<()> {
    let msg = match scope_names::check(name, true) {
        Ok(()) => return Ok(()),
        Err(InvalidName::Empty) => {
            let why = if what == "variable" {
                ""
            } else {
                " (TensorFlow takes an empty name as the root scope)"
            };
            format!("a {what} name cannot be empty{why}")
        }
        Err(InvalidName::BadChar { ch, at }) => format!(
            "`{name}` is not a valid {what} name: {ch:?} (at byte {at}) is not allowed; \
             names use ASCII letters, digits and `_ . \\ / > -`"
        ),
        Err(InvalidName::BadFirst(first)) => format!(
            "`{name}` is not a valid {what} name: it must start with an ASCII letter, a digit or \
             `.`, not {first:?} (TensorFlow's rule for a name that may be used at the root)"
        ),
    };
    Err(syn::Error::new(span, msg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_names_follow_tensorflows_root_pattern() {
        for ok in ["layer", "a/b", "dense_1", ".x", "9a", "a-b>c.d\\e", "x/"] {
            assert!(check_name(ok, "scope", Span::call_site()).is_ok(), "{ok}");
        }
        for bad in ["", "_x", "-x", "/x", ">x", "a b", "a:0", "é"] {
            assert!(
                check_name(bad, "scope", Span::call_site()).is_err(),
                "{bad:?}"
            );
        }
    }
}
