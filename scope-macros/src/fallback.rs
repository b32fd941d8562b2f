//! What a macro emits when its use has mistakes: the errors, plus the
//! original item (without this crate's attributes, which would report the
//! same mistakes again) or the `scope!` body, so that unrelated code keeps
//! type-checking and one mistake gives one error (thiserror's `fallback`).

use proc_macro2::{Group, TokenStream};
use quote::quote;

use crate::item::{Item, ItemFn};
use crate::kind::Kind;

pub fn item(err: syn::Error, parsed: &syn::Result<Item>, item: TokenStream) -> TokenStream {
    let original = match parsed {
        Ok(Item::Fn(f)) => original_fn(f),
        _ => item,
    };
    let errors = err.to_compile_error();
    quote!(#errors #original)
}

fn original_fn(f: &ItemFn) -> TokenStream {
    let attrs = f.attrs.iter().filter(|a| Kind::of_attribute(a).is_none());
    let (vis, sig, body) = (&f.vis, &f.sig, &f.body);
    quote!(#(#attrs)* #vis #sig #body)
}

pub fn block(err: syn::Error, body: Option<&Group>) -> TokenStream {
    let errors = err.to_compile_error();
    match body {
        Some(body) => quote!({ #errors #body }),
        None => errors,
    }
}
