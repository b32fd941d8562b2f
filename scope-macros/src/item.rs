//! Syntax of the item an attribute is put on: a function (its body kept
//! as tokens), a bodiless method declaration, or anything else (kept for
//! the error's span).

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Signature, Token, Visibility};

/// A function, parsed only as far as the macros need: attributes,
/// visibility and signature, with the body kept as tokens (tracing's
/// `MaybeItemFn`). The body is not parsed here, so its syntax errors are
/// rustc's, pointing at the user's code.
pub struct ItemFn {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub sig: Signature,
    pub body: Group,
}

/// What an attribute was put on.
pub enum Item {
    Fn(ItemFn),
    /// A function signature with no body (a trait method declaration).
    NoBody(Signature),
    /// Anything else; the span is the item's keyword where known.
    Other(Span, &'static str),
}

impl Parse for Item {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let fork = input.fork();
        let attrs = fork.call(Attribute::parse_outer)?;
        let vis: Visibility = fork.parse()?;
        if let Ok(sig) = fork.parse::<Signature>() {
            if fork.peek(Token![;]) {
                input.parse::<TokenStream>()?;
                return Ok(Item::NoBody(sig));
            }
            if let Ok(TokenTree::Group(body)) = fork.parse::<TokenTree>() {
                if body.delimiter() == Delimiter::Brace && fork.is_empty() {
                    input.parse::<TokenStream>()?;
                    return Ok(Item::Fn(ItemFn {
                        attrs,
                        vis,
                        sig,
                        body,
                    }));
                }
            }
        }
        // Not a function: find the item's keyword to point at.
        let rest: TokenStream = input.parse()?;
        let other = match syn::parse2::<syn::Item>(rest.clone()) {
            Ok(item) => item_keyword(&item),
            Err(_) => (
                rest.into_iter()
                    .next()
                    .map_or(Span::call_site(), |t| t.span()),
                "item",
            ),
        };
        Ok(Item::Other(other.0, other.1))
    }
}

fn item_keyword(item: &syn::Item) -> (Span, &'static str) {
    use syn::Item as I;
    match item {
        I::Struct(i) => (i.struct_token.span, "struct"),
        I::Enum(i) => (i.enum_token.span, "enum"),
        I::Union(i) => (i.union_token.span, "union"),
        I::Trait(i) => (i.trait_token.span, "trait"),
        I::Impl(i) => (i.impl_token.span, "impl block"),
        I::Mod(i) => (i.mod_token.span, "module"),
        I::Const(i) => (i.const_token.span, "const"),
        I::Static(i) => (i.static_token.span, "static"),
        I::Type(i) => (i.type_token.span, "type alias"),
        I::Use(i) => (i.use_token.span, "use declaration"),
        I::ExternCrate(i) => (i.extern_token.span, "extern crate"),
        I::ForeignMod(i) => (i.abi.extern_token.span, "extern block"),
        I::Macro(i) => (i.mac.path.span(), "macro invocation"),
        other => (
            other
                .to_token_stream()
                .into_iter()
                .next()
                .map_or(Span::call_site(), |t| t.span()),
            "item",
        ),
    }
}
