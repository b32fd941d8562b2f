//! `get_variable!("w", [3, 4], ...)`: the runtime's `get_variable` builder
//! with each option, then `get()` (`get_partitioned()` with a
//! `partitioner`).

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;

use super::tokens::{self, private};
use crate::spec::{GetVariableSpec, Name, Shape};

pub fn get_variable(spec: &GetVariableSpec, call_span: Span) -> TokenStream {
    let p = private(&spec.common.krate);
    let name = match &spec.name {
        Name::Literal(lit) => lit.to_token_stream(),
        Name::Runtime(e) => quote_spanned!(e.span()=> &(#e)),
    };
    let mut call = quote!(#p::get_variable(#name));
    match &spec.shape {
        Some(Shape::Known(dims, span)) => {
            call.extend(quote_spanned!(*span=> .shape(&[#(#dims),*])))
        }
        Some(Shape::Partial(dims, span)) => {
            let dims = dims.iter().map(|d| match d {
                Some(e) => quote_spanned!(e.span()=> ::core::option::Option::Some(#e)),
                None => quote!(::core::option::Option::None),
            });
            call.extend(quote_spanned!(*span=> .partial_shape(&[#(#dims),*])));
        }
        Some(Shape::Expr(e)) => call.extend(quote_spanned!(e.span()=>
            .shape(::core::convert::AsRef::<[usize]>::as_ref(&(#e))))),
        None => {}
    }
    if let Some((span, dtype)) = spec.dtype {
        let dtype = tokens::dtype(&p, span, dtype);
        call.extend(quote!(.dtype(#dtype)));
    }
    call.extend(tokens::options([
        ("initializer", spec.initializer.as_ref()),
        ("trainable", spec.trainable.as_ref()),
    ]));
    call.extend(tokens::converted([
        ("custom_getter", spec.custom_getter.as_ref()),
        ("regularizer", spec.regularizer.as_ref()),
        ("partitioner", spec.partitioner.as_ref()),
    ]));
    // `get` is `#[track_caller]`: with the call site's span the variable's
    // definition site is the user's `get_variable!` line. A partitioner
    // makes a partitioned variable.
    if spec.partitioner.is_some() {
        quote_spanned!(call_span=> #call.get_partitioned())
    } else {
        quote_spanned!(call_span=> #call.get())
    }
}
