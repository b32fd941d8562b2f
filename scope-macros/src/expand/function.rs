//! An annotated function: its attributes (minus this crate's, absorbed
//! into the layers), visibility and signature as written, and the layered
//! body.

use proc_macro2::TokenStream;
use quote::quote;
use syn::Attribute;

use super::layers::{layered, Body};
use crate::kind::Kind;
use crate::spec::FnSpec;

pub fn function(spec: &FnSpec<'_>) -> TokenStream {
    let f = spec.f;
    let attrs = f.attrs.iter().filter(|a| Kind::of_attribute(a).is_none());
    let (vis, sig) = (&f.vis, &f.sig);
    let body = layered(&spec.layers, Body::Fn(f));
    // The absorbed attributes are never resolved by rustc, so a `use` that
    // brought them in would be reported unused: refer to each path once.
    let absorbed = f
        .attrs
        .iter()
        .filter(|a| Kind::of_attribute(a).is_some())
        .map(Attribute::path);
    quote!(#(#attrs)* #vis #sig {
        #(#[allow(unused_imports)] use #absorbed as _;)*
        #body
    })
}
