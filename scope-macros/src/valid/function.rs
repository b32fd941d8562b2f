//! Checks of the item an attribute is on: a function with a body, not
//! `async` or `const`, whose signature can return what its layers need
//! (`?` for run-time names and templates).

use proc_macro2::{Span, TokenStream};
use syn::spanned::Spanned;
use syn::{Attribute, Meta, ReturnType, Type};

use super::scope::layer;
use crate::errors::Errors;
use crate::grammar::Options;
use crate::item::{Item, ItemFn};
use crate::kind::{Kind, Site};
use crate::spec::{FnSpec, Layer};

/// Checks an attribute of `kind` with arguments `args` on `item`, together
/// with the scope attributes below it (one stack of layers, outermost
/// first, so that stacking keeps the written order).
pub fn function<'a>(
    kind: Kind,
    args: TokenStream,
    item: &'a syn::Result<Item>,
) -> syn::Result<FnSpec<'a>> {
    let options = syn::parse2::<Options>(args);
    let f = match item {
        Ok(Item::Fn(f)) => f,
        Ok(Item::NoBody(sig)) => {
            let mut err = syn::Error::new(
                sig.ident.span(),
                format!(
                    "{} needs a function body: the scope is entered when the body runs; put it on \
                     the implementations of this method, or give the method a default body",
                    kind.display(Site::Attribute)
                ),
            );
            if let Err(e) = options {
                err.combine(e);
            }
            return Err(err);
        }
        Ok(Item::Other(span, what)) => {
            return Err(syn::Error::new(
                *span,
                format!(
                    "{} can only be put on a function or method, not on {}",
                    kind.display(Site::Attribute),
                    article(what)
                ),
            ))
        }
        Err(e) => return Err(e.clone()),
    };
    let options = options?;
    let mut errors = Errors::default();
    modifiers(kind, f, &mut errors);
    let question = output_span(f);
    let mut layers = Vec::new();
    let mut add = |kind: Kind, options: Options, errors: &mut Errors| {
        let l = layer(
            kind,
            Site::Attribute,
            options,
            Some(&f.sig.ident),
            Span::call_site(),
            question,
            errors,
        );
        layers.extend(l);
    };
    add(kind, options, &mut errors);
    for a in &f.attrs {
        if let Some(inner) = Kind::of_attribute(a) {
            if let Some(options) = errors.take(attribute_options(a)) {
                add(inner, options, &mut errors);
            }
        }
    }
    for layer in &layers {
        signature(layer, f, &mut errors);
    }
    errors.finish(FnSpec { f, layers })
}

fn article(what: &str) -> String {
    let an = what.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {what}", if an { "an" } else { "a" })
}

/// `async` and `const` functions cannot hold a scope.
fn modifiers(kind: Kind, f: &ItemFn, errors: &mut Errors) {
    let this = kind.display(Site::Attribute);
    if let Some(asyncness) = &f.sig.asyncness {
        errors.error(
            asyncness.span,
            format!(
                "{this} cannot be used on an `async fn`: scopes are per thread and a scope guard \
                 must not live across `.await` (the future may resume on another thread, or \
                 interleave with other tasks on this one); open the scope with scope!(..) around \
                 code that does not await"
            ),
        );
    }
    if let Some(constness) = &f.sig.constness {
        errors.error(
            constness.span,
            format!(
                "{this} cannot be used on a `const fn`: entering a scope changes per-thread state \
                 at run time, which a `const fn` cannot do"
            ),
        );
    }
}

fn attribute_options(attr: &Attribute) -> syn::Result<Options> {
    match &attr.meta {
        Meta::Path(_) => Ok(Options::default()),
        Meta::List(list) => syn::parse2(list.tokens.clone()),
        Meta::NameValue(nv) => Err(syn::Error::new(
            nv.eq_token.span,
            "expected options in parentheses: #[variable_scope(\"layer\", reuse)]",
        )),
    }
}

/// Whether the function returns `Result<..>` (any path ending in `Result`).
fn returns_result(f: &ItemFn) -> bool {
    match &f.sig.output {
        ReturnType::Type(_, ty) => match &**ty {
            Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Result"),
            _ => false,
        },
        ReturnType::Default => false,
    }
}

/// Where errors about the return type point.
pub fn output_span(f: &ItemFn) -> Span {
    match &f.sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => f.sig.paren_token.span.close(),
    }
}

fn signature(layer: &Layer, f: &ItemFn, errors: &mut Errors) {
    if returns_result(f) {
        return;
    }
    if let Some(name) = layer.runtime_name() {
        errors.error(
            name.span(),
            format!(
                "this name is computed at run time, so entering the scope can fail (an invalid \
                 name is a `ScopeError`), and `{}` does not return a `Result`: make it return \
                 `Result<_, E>` with `E: From<ScopeError>` so the error can be returned with `?`, \
                 or use a literal name, which is checked at compile time",
                f.sig.ident
            ),
        );
    }
    if matches!(layer, Layer::Template(_)) {
        errors.error(
            output_span(f),
            format!(
                "a #[template] function must return `Result<_, E>` with `E: From<ScopeError>`: \
                 a call after the first that creates a trainable variable fails with \
                 `TemplateVariableCreated`, and `{}` has no way to return that error",
                f.sig.ident
            ),
        );
    }
}
