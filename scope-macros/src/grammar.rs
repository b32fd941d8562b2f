//! Syntax: the one option grammar shared by every macro, the input of
//! `scope!`, and the item an attribute is put on.
//!
//! ```text
//! options  := (option ("," option)* ","?)?
//! option   := LitStr                    positional name: "layer"
//!           | "[" expr,* "]"            positional shape (get_variable! only)
//!           | key ("=" expr)?           reuse, reuse = auto, dtype = f32, ...
//! scope!   := segment ("," segment)* ","? block
//! segment  := ("variable_scope" | "name_scope") ("(" options ")")?
//! ```
//!
//! This module only checks the syntax. What a value may be (`reuse = auto`
//! but not `reuse = 3`), which options apply to which macro, duplicates and
//! conflicts are left to `valid.rs`, so that every mistake of an attribute is
//! reported in one build. Every option keeps the span of its key and value.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprArray, Ident, LitStr, Signature, Token, Visibility};

pub mod kw {
    syn::custom_keyword!(name);
    syn::custom_keyword!(default_name);
    syn::custom_keyword!(reuse);
    syn::custom_keyword!(initializer);
    syn::custom_keyword!(dtype);
    syn::custom_keyword!(auxiliary_name_scope);
    syn::custom_keyword!(template);
    syn::custom_keyword!(unique_name);
    syn::custom_keyword!(shape);
    syn::custom_keyword!(trainable);
    syn::custom_keyword!(variable_scope);
    syn::custom_keyword!(name_scope);
}

/// The key of a `key` or `key = value` option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Name,
    DefaultName,
    Reuse,
    Initializer,
    Dtype,
    AuxiliaryNameScope,
    Template,
    UniqueName,
    Shape,
    Trainable,
    Crate,
}

impl Key {
    pub const ALL: [Key; 11] = [
        Key::Name,
        Key::DefaultName,
        Key::Reuse,
        Key::Initializer,
        Key::Dtype,
        Key::AuxiliaryNameScope,
        Key::Template,
        Key::UniqueName,
        Key::Shape,
        Key::Trainable,
        Key::Crate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Key::Name => "name",
            Key::DefaultName => "default_name",
            Key::Reuse => "reuse",
            Key::Initializer => "initializer",
            Key::Dtype => "dtype",
            Key::AuxiliaryNameScope => "auxiliary_name_scope",
            Key::Template => "template",
            Key::UniqueName => "unique_name",
            Key::Shape => "shape",
            Key::Trainable => "trainable",
            Key::Crate => "crate",
        }
    }
}

/// One option, with the spans errors point at.
pub enum Opt {
    /// `"layer"`: the name, as a literal.
    Name(LitStr),
    /// `[3, 4]`: the shape of `get_variable!`.
    Shape(ExprArray),
    /// `key` or `key = value`.
    Keyed {
        key: Key,
        key_span: Span,
        value: Option<Expr>,
    },
    /// An identifier that is no option (kept for "did you mean").
    Unknown { ident: Ident, value: Option<Expr> },
}

/// A comma-separated list of options (an attribute's arguments, a segment's
/// parenthesized arguments, or `get_variable!`'s input).
pub struct Options {
    pub opts: Vec<Opt>,
}

impl Parse for Options {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut opts = Vec::new();
        while !input.is_empty() {
            opts.push(input.parse()?);
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(Options { opts })
    }
}

impl Parse for Opt {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let lookahead = input.lookahead1();
        if lookahead.peek(LitStr) {
            return Ok(Opt::Name(input.parse()?));
        }
        if lookahead.peek(syn::token::Bracket) {
            return Ok(Opt::Shape(input.parse()?));
        }
        let (key, key_span) = if lookahead.peek(kw::name) {
            (Key::Name, input.parse::<kw::name>()?.span)
        } else if lookahead.peek(kw::default_name) {
            (Key::DefaultName, input.parse::<kw::default_name>()?.span)
        } else if lookahead.peek(kw::reuse) {
            (Key::Reuse, input.parse::<kw::reuse>()?.span)
        } else if lookahead.peek(kw::initializer) {
            (Key::Initializer, input.parse::<kw::initializer>()?.span)
        } else if lookahead.peek(kw::dtype) {
            (Key::Dtype, input.parse::<kw::dtype>()?.span)
        } else if lookahead.peek(kw::auxiliary_name_scope) {
            let k = input.parse::<kw::auxiliary_name_scope>()?;
            (Key::AuxiliaryNameScope, k.span)
        } else if lookahead.peek(kw::template) {
            (Key::Template, input.parse::<kw::template>()?.span)
        } else if lookahead.peek(kw::unique_name) {
            (Key::UniqueName, input.parse::<kw::unique_name>()?.span)
        } else if lookahead.peek(kw::shape) {
            (Key::Shape, input.parse::<kw::shape>()?.span)
        } else if lookahead.peek(kw::trainable) {
            (Key::Trainable, input.parse::<kw::trainable>()?.span)
        } else if lookahead.peek(Token![crate]) {
            (Key::Crate, input.parse::<Token![crate]>()?.span)
        } else if input.peek(Ident::peek_any) {
            let ident = Ident::parse_any(input)?;
            let value = parse_value(input)?;
            return Ok(Opt::Unknown { ident, value });
        } else {
            return Err(lookahead.error());
        };
        let value = parse_value(input)?;
        Ok(Opt::Keyed {
            key,
            key_span,
            value,
        })
    }
}

fn parse_value(input: ParseStream) -> syn::Result<Option<Expr>> {
    if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        Ok(Some(input.parse()?))
    } else {
        Ok(None)
    }
}

/// The kind of a `scope!` segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentKind {
    VariableScope,
    NameScope,
}

/// `variable_scope("b", reuse)` in `scope!(...)`.
pub struct Segment {
    pub kind: SegmentKind,
    pub kind_span: Span,
    pub options: Options,
}

impl Parse for Segment {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let lookahead = input.lookahead1();
        let (kind, kind_span) = if lookahead.peek(kw::variable_scope) {
            let k = input.parse::<kw::variable_scope>()?;
            (SegmentKind::VariableScope, k.span)
        } else if lookahead.peek(kw::name_scope) {
            (
                SegmentKind::NameScope,
                input.parse::<kw::name_scope>()?.span,
            )
        } else {
            return Err(lookahead.error());
        };
        let options = if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            content.parse()?
        } else {
            Options { opts: Vec::new() }
        };
        Ok(Segment {
            kind,
            kind_span,
            options,
        })
    }
}

/// `scope!(seg, seg { body })`. The body is kept as tokens: syntax errors
/// in it are left to rustc, which reports them at the user's code.
pub struct ScopeInput {
    pub segments: Vec<Segment>,
    pub body: Group,
}

impl Parse for ScopeInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(input
                .error("expected scopes and a block: scope!(variable_scope(\"layer\") { ... })"));
        }
        let mut segments = vec![input.parse::<Segment>()?];
        loop {
            if input.peek(syn::token::Brace) {
                break;
            }
            if input.is_empty() {
                return Err(input.error(
                    "expected a block `{ ... }` after the scopes: scope!(name_scope(\"a\") { ... })",
                ));
            }
            if !input.peek(Token![,]) {
                return Err(input.error(
                    "expected `,` and another scope, or the block `{ ... }` the scopes apply to",
                ));
            }
            input.parse::<Token![,]>()?;
            if input.peek(syn::token::Brace) {
                break;
            }
            segments.push(input.parse()?);
        }
        let body = match input.parse::<TokenTree>()? {
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => g,
            _ => unreachable!("peeked a brace"),
        };
        if !input.is_empty() {
            return Err(input.error(
                "unexpected tokens after the block: scope! takes the scopes and one block",
            ));
        }
        Ok(ScopeInput { segments, body })
    }
}

/// A function, parsed only as far as the macros need: attributes,
/// visibility and signature, with the body kept as tokens (tracing's
/// `MaybeItemFn`). The body is never parsed, so its syntax errors are
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
