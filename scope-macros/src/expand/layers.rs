//! Stacks the layers around a body, outermost first: consecutive scopes
//! become guards bound in one block, a template wraps what is inside it.

use proc_macro2::{Group, TokenStream, TokenTree};
use quote::{quote, ToTokens};

use super::template::{self, Form};
use super::tokens::mixed;
use super::{layer, returns};
use crate::item::ItemFn;
use crate::spec::Layer;

/// What the layers are around.
pub enum Body<'a> {
    /// An annotated function's body: its `return`s end a template's call.
    Fn(&'a ItemFn),
    /// A `scope!` block.
    Block(&'a Group),
}

pub fn layered(layers: &[Layer], body: Body<'_>) -> TokenStream {
    let guard = mixed("__scope_guard");
    let has_template = layers.iter().any(|l| matches!(l, Layer::Template(_)));
    // `bare`: `inner` is statements that still need a block around them.
    let (mut inner, mut bare, mut label) = match body {
        Body::Fn(f) if has_template => {
            let (tokens, label) = returns::rewrite(&f.body);
            (tokens, false, label)
        }
        Body::Fn(f) => (f.body.to_token_stream(), false, None),
        Body::Block(group) => {
            let (tokens, bare) = flat_body(group);
            (tokens, bare, None)
        }
    };
    let mut guards: Vec<TokenStream> = Vec::new();
    let flush = |guards: &mut Vec<TokenStream>, inner: TokenStream, bare: &mut bool| {
        if guards.is_empty() {
            return inner;
        }
        *bare = false;
        let lets = guards.drain(..).rev();
        quote!({ #(let #guard = #lets;)* #inner })
    };
    for layer in layers.iter().rev() {
        match layer {
            // An arg scope opens inside its scope: pushed first, bound after.
            Layer::VariableScope(spec) => {
                guards.extend(layer::arg_scope(&spec.arg_scope, &spec.common.krate));
                guards.push(layer::variable_scope(spec));
            }
            Layer::NameScope(spec) => {
                guards.extend(layer::arg_scope(&spec.arg_scope, &spec.common.krate));
                guards.push(layer::name_scope(spec));
            }
            Layer::Template(spec) => {
                inner = flush(&mut guards, inner, &mut bare);
                if bare {
                    inner = quote!({ #inner });
                    bare = false;
                }
                let form = match body {
                    Body::Fn(f) => Form::Fn {
                        output: &f.sig.output,
                        label: label.take(),
                    },
                    Body::Block(_) => Form::Block,
                };
                inner = template::wrap(spec, inner, form);
            }
        }
    }
    inner = flush(&mut guards, inner, &mut bare);
    if bare {
        quote!({ #inner })
    } else {
        inner
    }
}

/// The block's statements, to follow the guards in the same block. Nesting
/// the block instead would make rustc's `unused_braces` lint fire on the
/// user's braces when the block is a single expression. The guards are
/// `mixed_site` locals, invisible to the body, and the body's locals are
/// still dropped before them. A block with inner attributes (`#![..]`) is
/// kept whole, since those must open a block. The flag says whether the
/// statements were taken out of their block.
fn flat_body(body: &Group) -> (TokenStream, bool) {
    let mut tokens = body.stream().into_iter();
    let inner_attr = matches!(
        (tokens.next(), tokens.next()),
        (Some(TokenTree::Punct(p)), Some(TokenTree::Punct(q))) if p.as_char() == '#' && q.as_char() == '!'
    );
    if inner_attr {
        (body.to_token_stream(), false)
    } else {
        (body.stream(), true)
    }
}
