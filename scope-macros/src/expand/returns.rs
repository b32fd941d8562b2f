//! An early `return` in a template function's body ends the template's
//! call as reaching the end of the body does (TF counts a `return` as a
//! completed call): each `return` of the function itself becomes a `break`
//! with its value to a label around the body. Returns of closures, async
//! blocks and nested items are their own and stay; so do `?` (a failed
//! call) and returns inside other macros' arguments, which are opaque
//! tokens here, except the blocks of `scope!`.
//!
//! A body that does not parse is left as written (rustc reports its syntax
//! errors at the user's code).

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::{quote_spanned, ToTokens};
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, Lifetime};

/// The body with its returns rewritten, and the label they break to (none
/// when the body has no `return`).
pub fn rewrite(body: &Group) -> (TokenStream, Option<Lifetime>) {
    let Ok(mut block) = syn::parse2::<Block>(body.to_token_stream()) else {
        return (body.to_token_stream(), None);
    };
    let mut returns = Returns {
        label: Lifetime::new("'__scope_template_body", Span::mixed_site()),
        found: false,
    };
    returns.visit_block_mut(&mut block);
    let label = returns.found.then_some(returns.label);
    (block.into_token_stream(), label)
}

struct Returns {
    label: Lifetime,
    found: bool,
}

impl Returns {
    /// Rewrites the block of a `scope!(.. { block })` invocation.
    fn scope_macro(&mut self, tokens: &mut TokenStream) {
        let mut trees: Vec<TokenTree> = std::mem::take(tokens).into_iter().collect();
        if let Some(TokenTree::Group(g)) = trees.last_mut() {
            if g.delimiter() == Delimiter::Brace {
                if let Ok(mut block) = syn::parse2::<Block>(g.to_token_stream()) {
                    self.visit_block_mut(&mut block);
                    let mut new = Group::new(Delimiter::Brace, {
                        let mut stream = TokenStream::new();
                        for stmt in &block.stmts {
                            stmt.to_tokens(&mut stream);
                        }
                        stream
                    });
                    new.set_span(g.span());
                    *g = new;
                }
            }
        }
        *tokens = trees.into_iter().collect();
    }
}

fn is_scope_macro(mac: &syn::Macro) -> bool {
    mac.path.segments.last().is_some_and(|s| s.ident == "scope")
}

impl VisitMut for Returns {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            // Their `return`s are their own.
            Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => {}
            Expr::Return(ret) => {
                if let Some(value) = &mut ret.expr {
                    self.visit_expr_mut(value);
                }
                self.found = true;
                let label = &self.label;
                let value = &ret.expr;
                let span = ret.return_token.span;
                let attrs = &ret.attrs;
                *expr = Expr::Verbatim(quote_spanned!(span=> #(#attrs)* break #label #value));
            }
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        if is_scope_macro(mac) {
            self.scope_macro(&mut mac.tokens);
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {
        // A nested item's `return`s are its own.
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn rewritten(body: TokenStream) -> (String, bool) {
        let group = Group::new(Delimiter::Brace, body);
        let (tokens, label) = rewrite(&group);
        (tokens.to_string(), label.is_some())
    }

    #[test]
    fn returns_of_the_function_become_breaks() {
        let (out, labelled) = rewritten(quote!(
            if x { return Ok(1); }
            let f = || return 2;
            fn inner() -> i32 { return 3 }
            for i in 0..3 { if i == 1 { return Err(e) } }
            scope!(name_scope("a") { return Ok(4) });
            Ok(0)
        ));
        assert!(labelled);
        assert_eq!(
            out.matches("break '__scope_template_body").count(),
            3,
            "{out}"
        );
        assert_eq!(out.matches("return").count(), 2, "{out}");
    }

    #[test]
    fn no_return_no_label() {
        let (out, labelled) = rewritten(quote!(let a = 1; Ok(a)));
        assert!(!labelled);
        assert!(!out.contains("break"));
    }
}
