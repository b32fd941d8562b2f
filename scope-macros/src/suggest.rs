//! The message for an unknown option: "did you mean" among the options the
//! macro takes (the one closest-names rule of `scope-names`), else the
//! list of them.

use syn::Ident;

use crate::grammar::Key;
use crate::kind::{Kind, Site};

pub fn unknown_option(kind: Kind, site: Site, ident: &Ident, has_value: bool) -> syn::Error {
    let this = kind.display(site);
    let name = ident.to_string();
    let candidates: Vec<&str> = Key::ALL
        .iter()
        .filter(|k| kind.takes(site, **k))
        .map(|k| k.as_str())
        .collect();
    let best = scope_names::closest_name(&name, candidates.iter().copied());
    let msg = match best {
        Some(c) => format!("unknown option `{name}` for {this}; did you mean `{c}`?"),
        None if !has_value => format!(
            "unknown option `{name}` for {this}; a name is a string literal (`\"{name}\"`), \
             and the options are: {}",
            candidates.join(", ")
        ),
        None => format!(
            "unknown option `{name}` for {this}; the options are: {}",
            candidates.join(", ")
        ),
    };
    syn::Error::new(ident.span(), msg)
}
