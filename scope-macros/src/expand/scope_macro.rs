//! `scope!(segment, ... { body })`: the layered block; its value is the
//! body's.

use proc_macro2::TokenStream;

use super::layers::{layered, Body};
use crate::spec::ScopeSpec;

pub fn scope_macro(spec: &ScopeSpec) -> TokenStream {
    layered(&spec.layers, Body::Block(&spec.body))
}
