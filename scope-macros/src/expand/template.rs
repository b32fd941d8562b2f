//! A template layer: the function's (or block's) own `TemplateCell`, one
//! template per graph, entered before the body and finished after it.
//!
//! In a function the body's value decides how the call ends (`Ok`: TF's
//! completed call, checked for new trainable variables; `Err`: a failed
//! call), and a `return` in the body has been rewritten into a `break` to
//! the label given here (`returns.rs`), so it ends the call the same way.
//! Leaving with `?` drops the call as a failed one. A `scope!` block's
//! value is not inspected: finishing the block completes the call, and
//! leaving it early (`?`, `break`, `return`) closes the call as the
//! runtime's `TemplateCall` does when dropped.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Lifetime, ReturnType};

use super::tokens::{mixed, private, question, respan};
use crate::spec::TemplateSpec;

pub enum Form<'a> {
    Fn {
        output: &'a ReturnType,
        label: Option<Lifetime>,
    },
    Block,
}

/// Whether a type mentions `impl Trait` (which a `let` cannot be annotated with).
fn mentions_impl(tokens: TokenStream) -> bool {
    use proc_macro2::TokenTree;
    tokens.into_iter().any(|t| match t {
        TokenTree::Ident(i) => i == "impl",
        TokenTree::Group(g) => mentions_impl(g.stream()),
        _ => false,
    })
}

pub fn wrap(spec: &TemplateSpec, inner: TokenStream, form: Form<'_>) -> TokenStream {
    let p = private(&spec.common.krate);
    let cell = mixed("__SCOPE_TEMPLATE");
    let call = mixed("__scope_call");
    let out = mixed("__scope_out");
    let name = &spec.name;
    let unique = match &spec.unique_name {
        Some(u) => quote!(::core::option::Option::Some(#u)),
        None => quote!(::core::option::Option::None),
    };
    let now = match &spec.create_scope_now {
        Some(b) => b.to_token_stream(),
        None => quote!(false),
    };
    // The fallible call is spanned at the return type (or the `template`
    // segment), so a `?` that cannot convert or return points there.
    let span = spec.question_span;
    let getter = match &spec.custom_getter {
        Some(g) => quote_spanned!(g.span()=>
            || ::core::option::Option::Some(::core::convert::Into::into(#g))),
        None => quote!(|| ::core::option::Option::None),
    };
    let (unique, now) = (respan(unique, span), respan(now, span));
    // The static, resolved as the other locals, located at `span`.
    let at = syn::Ident::new("__SCOPE_TEMPLATE", Span::mixed_site().located_at(span));
    let enter_body = quote_spanned!(span=> #at.enter_body(#name, #unique, #now, #getter)?);
    let enter = quote_spanned!(span=> #at.enter(#name, #unique, #now, #getter)?);
    let q = question(span);
    match form {
        Form::Fn { output, label } => {
            let annotation = match output {
                ReturnType::Type(_, ty) if !mentions_impl(ty.to_token_stream()) => quote!(: #ty),
                _ => TokenStream::new(),
            };
            let label = label.map(|l| quote!(#l:));
            quote!({
                static #cell: #p::TemplateCell = #p::TemplateCell::new();
                let #call = #enter_body;
                #[allow(unused_braces)]
                let #out #annotation = #label #inner;
                #call.finish(&#out) #q;
                #out
            })
        }
        Form::Block => quote!({
            static #cell: #p::TemplateCell = #p::TemplateCell::new();
            let #call = #enter;
            #[allow(unused_braces)]
            let #out = #inner;
            #call.finish() #q;
            #out
        }),
    }
}
