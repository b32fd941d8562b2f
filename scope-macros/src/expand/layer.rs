//! The expression that enters one variable or name scope. A literal name
//! enters infallibly (`enter_variable_scope`); a run-time name enters with
//! `?`, spanned at the user's expression.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::tokens::{self, private, respan};
use crate::spec::{Name, NameScopeSpec, ReuseMode, VariableScopeSpec};

/// `.enter()?` for a name computed at run time, spanned at the user's name
/// expression. With the builder's leading path spanned there too, rustc
/// reports a missing `From<ScopeError>`, or `?` outside a `Result`
/// function, at that expression; the user's own expressions in between
/// keep their spans.
fn fallible(builder: TokenStream, span: proc_macro2::Span) -> TokenStream {
    quote_spanned!(span=> #builder.enter()?)
}

/// The private path, spanned at a run-time name when there is one.
fn path(krate: &TokenStream, name: &Option<Name>) -> TokenStream {
    match name {
        Some(Name::Runtime(e)) => respan(private(krate), e.span()),
        _ => private(krate),
    }
}

/// `arg_scope = sc`: re-enters the captured slim arg scope for the body
/// (`with slim.arg_scope(sc):`), spanned at the user's expression.
pub fn arg_scope(arg_scope: &Option<syn::Expr>, krate: &TokenStream) -> Option<TokenStream> {
    let e = arg_scope.as_ref()?;
    let p = respan(private(krate), e.span());
    Some(quote_spanned!(e.span()=> #p::enter_arg_scope(#e)))
}

pub fn name_scope(spec: &NameScopeSpec) -> TokenStream {
    let p = path(&spec.common.krate, &spec.name);
    let scope = match &spec.name {
        Some(Name::Literal(lit)) => quote!(#p::name_scope(#lit)),
        Some(Name::Runtime(e)) => quote_spanned!(e.span()=>
            #p::name_scope(#p::scope_name(&(#e)))),
        None => quote!(#p::name_scope(::core::option::Option::None::<&str>)),
    };
    let default = spec
        .default_name
        .as_ref()
        .map(|d| quote!(.default_name(#d)));
    match &spec.name {
        Some(Name::Runtime(e)) => fallible(quote!(#scope #default), e.span()),
        _ => quote!(#p::enter_name_scope(#scope #default)),
    }
}

pub fn variable_scope(spec: &VariableScopeSpec) -> TokenStream {
    let p = path(&spec.common.krate, &spec.name);
    let mut builder = match &spec.name {
        Some(Name::Literal(lit)) => quote!(#p::variable_scope(#lit)),
        Some(Name::Runtime(e)) => quote_spanned!(e.span()=>
            #p::variable_scope(#p::scope_target(&(#e)))),
        None => quote!(#p::variable_scope(#p::ScopeTarget::Unnamed)),
    };
    if let Some(d) = &spec.default_name {
        builder.extend(quote!(.default_name(#d)));
    }
    if let Some((span, mode)) = spec.reuse {
        let mode = match mode {
            ReuseMode::True => quote_spanned!(span=> True),
            ReuseMode::False => quote_spanned!(span=> False),
            ReuseMode::Auto => quote_spanned!(span=> Auto),
        };
        builder.extend(quote!(.reuse(#p::Reuse::#mode)));
    }
    builder.extend(tokens::options([(
        "initializer",
        spec.initializer.as_ref(),
    )]));
    if let Some((span, dtype)) = spec.dtype {
        let dtype = tokens::dtype(&p, span, dtype);
        builder.extend(quote!(.dtype(#dtype)));
    }
    if let Some(aux) = &spec.auxiliary_name_scope {
        builder.extend(quote!(.auxiliary_name_scope(#aux)));
    }
    builder.extend(tokens::converted([
        ("custom_getter", spec.custom_getter.as_ref()),
        ("regularizer", spec.regularizer.as_ref()),
        ("partitioner", spec.partitioner.as_ref()),
    ]));
    match &spec.name {
        Some(Name::Runtime(e)) => fallible(builder, e.span()),
        _ => quote!(#p::enter_variable_scope(#builder)),
    }
}
