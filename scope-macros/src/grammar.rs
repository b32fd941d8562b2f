//! The one option grammar shared by every macro (syntax only).
//!
//! ```text
//! options  := (option ("," option)* ","?)?
//! option   := LitStr                    positional name: "layer"
//!           | "[" expr,* "]"            positional shape (get_variable! only)
//!           | key ("=" expr)?           reuse, reuse = auto, dtype = f32, ...
//! ```
//!
//! What a value may be (`reuse = auto` but not `reuse = 3`), duplicates
//! (`read.rs`), which options apply to which macro and conflicts
//! (`valid/`) are left to later stages, so that every mistake of an
//! attribute is reported in one build. Every option keeps the span of its
//! key and value.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Expr, ExprArray, Ident, LitStr, Token};

/// The key of a `key` or `key = value` option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Name,
    DefaultName,
    Reuse,
    Initializer,
    Dtype,
    AuxiliaryNameScope,
    CustomGetter,
    Regularizer,
    Partitioner,
    ArgScope,
    Template,
    UniqueName,
    CreateScopeNow,
    Shape,
    Trainable,
    Crate,
}

impl Key {
    pub const ALL: [Key; 16] = [
        Key::Name,
        Key::DefaultName,
        Key::Reuse,
        Key::Initializer,
        Key::Dtype,
        Key::AuxiliaryNameScope,
        Key::CustomGetter,
        Key::Regularizer,
        Key::Partitioner,
        Key::ArgScope,
        Key::Template,
        Key::UniqueName,
        Key::CreateScopeNow,
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
            Key::CustomGetter => "custom_getter",
            Key::Regularizer => "regularizer",
            Key::Partitioner => "partitioner",
            Key::ArgScope => "arg_scope",
            Key::Template => "template",
            Key::UniqueName => "unique_name",
            Key::CreateScopeNow => "create_scope_now",
            Key::Shape => "shape",
            Key::Trainable => "trainable",
            Key::Crate => "crate",
        }
    }

    fn from_ident(ident: &Ident) -> Option<Key> {
        Key::ALL.into_iter().find(|k| ident == k.as_str())
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
#[derive(Default)]
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
        if input.peek(LitStr) {
            return Ok(Opt::Name(input.parse()?));
        }
        if input.peek(syn::token::Bracket) {
            return Ok(Opt::Shape(input.parse()?));
        }
        if input.peek(Token![crate]) {
            let key_span = input.parse::<Token![crate]>()?.span;
            let value = parse_value(input)?;
            return Ok(Opt::Keyed {
                key: Key::Crate,
                key_span,
                value,
            });
        }
        if !input.peek(Ident::peek_any) {
            return Err(input.error(
                "expected an option: a name (\"layer\"), a shape ([3, 4]), `key` or `key = value`",
            ));
        }
        let ident = Ident::parse_any(input)?;
        let value = parse_value(input)?;
        Ok(match Key::from_ident(&ident) {
            Some(key) => Opt::Keyed {
                key,
                key_span: ident.span(),
                value,
            },
            None => Opt::Unknown { ident, value },
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
