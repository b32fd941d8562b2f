//! Token helpers of the expansions: the private path, hygienic locals,
//! spans moved onto generated tokens, and dtypes.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};

use crate::spec::DTypeName;

/// `#krate::__private`.
pub fn private(krate: &TokenStream) -> TokenStream {
    quote!(#krate::__private)
}

/// A local the user's code can neither see nor shadow.
pub fn mixed(name: &str) -> syn::Ident {
    syn::Ident::new(name, Span::mixed_site())
}

/// `?` with the given span, so a failed conversion points at user code.
pub fn question(span: Span) -> TokenStream {
    quote_spanned!(span=> ?)
}

/// Gives every token the span `span`.
pub fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut t| {
            if let TokenTree::Group(g) = &t {
                let mut group = Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                t = TokenTree::Group(group);
            } else {
                t.set_span(span);
            }
            t
        })
        .collect()
}

pub fn dtype(p: &TokenStream, span: Span, dtype: DTypeName) -> TokenStream {
    let variant = match dtype {
        DTypeName::F32 => quote_spanned!(span=> F32),
        DTypeName::F64 => quote_spanned!(span=> F64),
        DTypeName::I32 => quote_spanned!(span=> I32),
        DTypeName::I64 => quote_spanned!(span=> I64),
    };
    quote!(#p::DType::#variant)
}

/// `.method(expr)` for each option given, spanned at the user's expression.
pub fn options<'a>(
    options: impl IntoIterator<Item = (&'static str, Option<&'a syn::Expr>)>,
) -> TokenStream {
    use syn::spanned::Spanned;
    let mut out = TokenStream::new();
    for (method, expr) in options {
        if let Some(e) = expr {
            let m = syn::Ident::new(method, e.span());
            out.extend(quote_spanned!(e.span()=> .#m(#e)));
        }
    }
    out
}

/// `.method(Into::into(expr))` for each option given: the runtime's
/// `CustomGetter`, `Regularizer` and `Partitioner` taken from anything that
/// converts into them.
pub fn converted<'a>(
    options: impl IntoIterator<Item = (&'static str, Option<&'a syn::Expr>)>,
) -> TokenStream {
    use syn::spanned::Spanned;
    let mut out = TokenStream::new();
    for (method, expr) in options {
        if let Some(e) = expr {
            let m = syn::Ident::new(method, e.span());
            out.extend(quote_spanned!(e.span()=> .#m(::core::convert::Into::into(#e))));
        }
    }
    out
}
