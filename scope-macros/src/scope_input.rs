//! Syntax of `scope!`'s input: scopes, outermost first, then one block.
//!
//! ```text
//! scope!   := segment ("," segment)* ","? block
//! segment  := ("variable_scope" | "name_scope" | "template") ("(" options ")")?
//! ```

use proc_macro2::{Delimiter, Group, Span, TokenTree};
use syn::parse::{Parse, ParseStream};
use syn::{Ident, Token};

use crate::grammar::Options;
use crate::kind::Kind;

const SEGMENTS: &str = "expected `variable_scope`, `name_scope` or `template`";

/// `variable_scope("b", reuse)` in `scope!(...)`.
pub struct Segment {
    pub kind: Kind,
    pub kind_span: Span,
    pub options: Options,
}

impl Parse for Segment {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let ident: Ident = input
            .parse()
            .map_err(|e| syn::Error::new(e.span(), SEGMENTS))?;
        let kind = match ident.to_string().as_str() {
            "variable_scope" => Kind::VariableScope,
            "name_scope" => Kind::NameScope,
            "template" => Kind::Template,
            _ => return Err(syn::Error::new(ident.span(), SEGMENTS)),
        };
        let options = if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            content.parse()?
        } else {
            Options::default()
        };
        Ok(Segment {
            kind,
            kind_span: ident.span(),
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
