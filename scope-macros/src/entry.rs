//! The macros' pipeline, one function per macro: read the input, check it
//! (`valid/`), expand the checked spec (`expand/`), or fall back to the
//! errors plus the user's code (`fallback.rs`).

use proc_macro2::{Span, TokenStream};

use crate::grammar::Options;
use crate::item::Item;
use crate::kind::Kind;
use crate::scope_input::ScopeInput;
use crate::{expand, fallback, valid};

/// `#[variable_scope]`, `#[name_scope]` and `#[template]`.
pub fn attribute(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let parsed = syn::parse2::<Item>(item.clone());
    match valid::function(kind, args, &parsed) {
        Ok(spec) => expand::function(&spec),
        Err(err) => fallback::item(err, &parsed, item),
    }
}

/// `scope!`.
pub fn scope_macro(input: TokenStream) -> TokenStream {
    let input = match syn::parse2::<ScopeInput>(input) {
        Ok(input) => input,
        Err(err) => return fallback::block(err, None),
    };
    // Kept to emit on error, so that the body still type-checks.
    let body = input.body.clone();
    match valid::scope_macro(input) {
        Ok(spec) => expand::scope_macro(&spec),
        Err(err) => fallback::block(err, Some(&body)),
    }
}

/// `get_variable!`.
pub fn get_variable(input: TokenStream) -> TokenStream {
    let call_span = Span::call_site();
    let spec =
        syn::parse2::<Options>(input).and_then(|options| valid::get_variable(options, call_span));
    match spec {
        Ok(spec) => expand::get_variable(&spec, call_span),
        Err(err) => err.to_compile_error(),
    }
}
