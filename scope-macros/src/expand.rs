//! Code generation.
//!
//! An annotated function keeps its signature and its body as written; the
//! guards are locals bound before the body (tracing-attributes style):
//!
//! ```text
//! #[attrs] #vis #sig {
//!     let __scope_guard = ::scope_runtime::__private::enter_variable_scope(..);
//!     { #body }
//! }
//! ```
//!
//! Nothing is wrapped in a closure, so `?`, `return`, `break`/`continue` (in
//! `scope!`), `self`, generics and lifetimes keep their meaning, and a panic
//! still drops the guard. Locals use `Span::mixed_site()`, so the body can
//! neither see nor shadow them. On any error the output is the errors plus
//! the original item (without this crate's attributes), so one mistake gives
//! one error.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Attribute, Meta, ReturnType, Type};

use crate::parse::{Item, ItemFn, Options, ScopeInput, SegmentKind};
use crate::valid::{
    self, DTypeName, Errors, GetVariableSpec, Kind, Name, ReuseMode, ScopeSpec, Shape, Site,
};

/// The attribute macros.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attr {
    VariableScope,
    NameScope,
    Template,
}

impl Attr {
    fn kind(self) -> Kind {
        match self {
            Attr::VariableScope => Kind::VariableScope,
            Attr::NameScope => Kind::NameScope,
            Attr::Template => Kind::Template,
        }
    }

    fn display(self) -> &'static str {
        match self {
            Attr::VariableScope => "#[variable_scope]",
            Attr::NameScope => "#[name_scope]",
            Attr::Template => "#[template]",
        }
    }

    /// The attribute a path names, if it is one of this crate's.
    fn from_attribute(attr: &Attribute) -> Option<Attr> {
        let path = attr.path();
        let last = path.segments.last()?.ident.to_string();
        let ours = path.segments.len() == 1
            || path
                .segments
                .first()
                .is_some_and(|s| s.ident == "scope_runtime");
        if !ours {
            return None;
        }
        match last.as_str() {
            "variable_scope" => Some(Attr::VariableScope),
            "name_scope" => Some(Attr::NameScope),
            "template" => Some(Attr::Template),
            _ => None,
        }
    }
}

/// Entry point of the three attribute macros.
pub fn attribute(attr: Attr, args: TokenStream, item: TokenStream) -> TokenStream {
    let parsed = syn::parse2::<Item>(item.clone());
    match try_attribute(attr, args, &parsed) {
        Ok(tokens) => tokens,
        Err(err) => {
            let original = match &parsed {
                Ok(Item::Fn(f)) => original_fn(f),
                _ => item,
            };
            let errors = err.to_compile_error();
            quote!(#errors #original)
        }
    }
}

/// The function as written, minus this crate's attributes (which would
/// otherwise report the same mistakes a second time).
fn original_fn(f: &ItemFn) -> TokenStream {
    let attrs = f.attrs.iter().filter(|a| Attr::from_attribute(a).is_none());
    let (vis, sig, body) = (&f.vis, &f.sig, &f.body);
    quote!(#(#attrs)* #vis #sig #body)
}

fn try_attribute(
    attr: Attr,
    args: TokenStream,
    item: &syn::Result<Item>,
) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let options = syn::parse2::<Options>(args);
    let f = match item {
        Ok(Item::Fn(f)) => f,
        Ok(Item::NoBody(sig)) => {
            let mut err = syn::Error::new(
                sig.ident.span(),
                format!(
                    "{} needs a function body: the scope is entered when the body runs; put it on \
                     the implementations of this method, or give the method a default body",
                    attr.display()
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
                    attr.display(),
                    article(what)
                ),
            ))
        }
        Err(e) => return Err(e.clone()),
    };
    let options = options?;

    // async / const functions cannot hold a scope.
    if let Some(asyncness) = &f.sig.asyncness {
        errors.error(
            asyncness.span,
            format!(
                "{} cannot be used on an `async fn`: scopes are per thread and a scope guard must \
                 not live across `.await` (the future may resume on another thread, or interleave \
                 with other tasks on this one); open the scope with scope!(..) around code that \
                 does not await",
                attr.display()
            ),
        );
    }
    if let Some(constness) = &f.sig.constness {
        errors.error(
            constness.span,
            format!(
                "{} cannot be used on a `const fn`: entering a scope changes per-thread state at \
                 run time, which a `const fn` cannot do",
                attr.display()
            ),
        );
    }

    // This attribute and the scope attributes below it become one stack of
    // layers, outermost first, so that stacking keeps the written order.
    let mut layers = Vec::new();
    let mut add = |attr: Attr, options: Options, errors: &mut Errors| match valid::scope_spec(
        attr.kind(),
        Site::Attribute,
        options,
        Some(&f.sig.ident),
        Span::call_site(),
    ) {
        Ok(spec) => layers.push(spec),
        Err(e) => errors.push(e),
    };
    add(attr, options, &mut errors);
    for a in &f.attrs {
        if let Some(inner) = Attr::from_attribute(a) {
            match attribute_options(a) {
                Ok(options) => add(inner, options, &mut errors),
                Err(e) => errors.push(e),
            }
        }
    }
    for spec in &layers {
        check_signature(spec, f, &mut errors);
    }
    errors.finish(())?;

    let attrs = f.attrs.iter().filter(|a| Attr::from_attribute(a).is_none());
    let (vis, sig) = (&f.vis, &f.sig);
    let body = layered_body(&layers, f);
    // The absorbed attributes are never resolved by rustc, so a `use` that
    // brought them in would be reported unused: refer to each path once.
    let absorbed = f
        .attrs
        .iter()
        .filter(|a| Attr::from_attribute(a).is_some())
        .map(Attribute::path);
    Ok(quote!(#(#attrs)* #vis #sig {
        #(#[allow(unused_imports)] use #absorbed as _;)*
        #body
    }))
}

fn article(what: &str) -> String {
    let an = what.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {what}", if an { "an" } else { "a" })
}

fn attribute_options(attr: &Attribute) -> syn::Result<Options> {
    match &attr.meta {
        Meta::Path(_) => Ok(Options { opts: Vec::new() }),
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

fn output_span(f: &ItemFn) -> Span {
    match &f.sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => f.sig.paren_token.span.close(),
    }
}

fn check_signature(spec: &ScopeSpec, f: &ItemFn, errors: &mut Errors) {
    if returns_result(f) {
        return;
    }
    if let Some(name) = spec.runtime_name() {
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
    if spec.kind == Kind::Template {
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

fn private(krate: &TokenStream) -> TokenStream {
    quote!(#krate::__private)
}

fn mixed(name: &str) -> syn::Ident {
    syn::Ident::new(name, Span::mixed_site())
}

/// `?` with the given span, so a failed conversion points at user code.
fn question(span: Span) -> TokenStream {
    quote_spanned!(span=> ?)
}

/// `.enter()?` for a name computed at run time, spanned at the user's name
/// expression. With the builder's leading path spanned there too (see
/// `enter_expr`), rustc reports a missing `From<ScopeError>`, or `?` outside
/// a `Result` function, at that expression; the user's own expressions in
/// between keep their spans.
fn fallible(builder: TokenStream, span: Span) -> TokenStream {
    quote_spanned!(span=> #builder.enter()?)
}

/// Gives every token the span `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
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

/// The expression that enters one (variable or name) scope.
fn enter_expr(spec: &ScopeSpec) -> TokenStream {
    let p = match spec.runtime_name() {
        Some(e) => respan(private(&spec.krate), e.span()),
        None => private(&spec.krate),
    };
    match spec.kind {
        Kind::NameScope => {
            let scope = match &spec.name {
                Some(Name::Literal(lit)) => quote!(#p::NameScope::new(#lit)),
                Some(Name::Runtime(e)) => quote_spanned!(e.span()=>
                    #p::NameScope::new(#p::scope_name(&(#e)))),
                None => quote!(#p::NameScope::new(::core::option::Option::None::<&str>)),
            };
            let default = spec
                .default_name
                .as_ref()
                .map(|d| quote!(.default_name(#d)));
            match spec.runtime_name() {
                Some(e) => fallible(quote!(#scope #default), e.span()),
                None => quote!(#p::enter_name_scope(#scope #default)),
            }
        }
        Kind::VariableScope => {
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
            if let Some(init) = &spec.initializer {
                builder.extend(quote_spanned!(init.span()=> .initializer(#init)));
            }
            if let Some((span, dtype)) = spec.dtype {
                let dtype = dtype_tokens(&p, span, dtype);
                builder.extend(quote!(.dtype(#dtype)));
            }
            if let Some(aux) = &spec.auxiliary_name_scope {
                builder.extend(quote!(.auxiliary_name_scope(#aux)));
            }
            match spec.runtime_name() {
                Some(e) => fallible(builder, e.span()),
                None => quote!(#p::enter_variable_scope(#builder)),
            }
        }
        Kind::Template | Kind::GetVariable => unreachable!("not a guard layer"),
    }
}

fn dtype_tokens(p: &TokenStream, span: Span, dtype: DTypeName) -> TokenStream {
    let variant = match dtype {
        DTypeName::F32 => quote_spanned!(span=> F32),
        DTypeName::F64 => quote_spanned!(span=> F64),
        DTypeName::I32 => quote_spanned!(span=> I32),
        DTypeName::I64 => quote_spanned!(span=> I64),
    };
    quote!(#p::DType::#variant)
}

/// Whether a type mentions `impl Trait` (which a `let` cannot be annotated with).
fn mentions_impl(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|t| match t {
        TokenTree::Ident(i) => i == "impl",
        TokenTree::Group(g) => mentions_impl(g.stream()),
        _ => false,
    })
}

/// The function body: the layers' guards, then the user's block.
fn layered_body(layers: &[ScopeSpec], f: &ItemFn) -> TokenStream {
    let guard = mixed("__scope_guard");
    let mut inner: TokenStream = f.body.to_token_stream();
    let mut guards: Vec<TokenStream> = Vec::new();
    let flush = |guards: &mut Vec<TokenStream>, inner: TokenStream| -> TokenStream {
        if guards.is_empty() {
            return inner;
        }
        let lets = guards.drain(..).rev();
        quote!({ #(let #guard = #lets;)* #inner })
    };
    for spec in layers.iter().rev() {
        if spec.kind != Kind::Template {
            guards.push(enter_expr(spec));
            continue;
        }
        inner = flush(&mut guards, inner);
        let p = private(&spec.krate);
        let cell = mixed("__SCOPE_TEMPLATE");
        let call = mixed("__scope_call");
        let out = mixed("__scope_out");
        let name = match &spec.name {
            Some(Name::Literal(lit)) => lit,
            _ => unreachable!("valid.rs gives templates a literal name"),
        };
        let unique = match &spec.unique_name {
            Some(u) => quote!(::core::option::Option::Some(#u)),
            None => quote!(::core::option::Option::None),
        };
        let q = question(output_span(f));
        let annotation = match &f.sig.output {
            ReturnType::Type(_, ty) if !mentions_impl(ty.to_token_stream()) => quote!(: #ty),
            _ => TokenStream::new(),
        };
        inner = quote!({
            static #cell: #p::TemplateCell = #p::TemplateCell::new();
            let #call = #cell.enter(#name, #unique) #q;
            let #out #annotation = #inner;
            #p::finish_template_call(#call, &#out) #q;
            #out
        });
    }
    flush(&mut guards, inner)
}

/// `scope!(segment, ... { body })`.
pub fn scope_macro(input: TokenStream) -> TokenStream {
    match try_scope_macro(input) {
        Ok(tokens) => tokens,
        Err(err) => err.to_compile_error(),
    }
}

fn try_scope_macro(input: TokenStream) -> syn::Result<TokenStream> {
    let input: ScopeInput = syn::parse2(input)?;
    let mut errors = Errors::default();
    let mut guards = Vec::new();
    for segment in input.segments {
        let kind = match segment.kind {
            SegmentKind::VariableScope => Kind::VariableScope,
            SegmentKind::NameScope => Kind::NameScope,
        };
        match valid::scope_spec(
            kind,
            Site::ScopeMacro,
            segment.options,
            None,
            segment.kind_span,
        ) {
            Ok(spec) => guards.push(enter_expr(&spec)),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        // Still emit the body, so it type-checks and one mistake gives one error.
        let body = &input.body;
        let errors = errors.finish(()).expect_err("errors were recorded");
        let errors = errors.to_compile_error();
        return Ok(quote!({ #errors #body }));
    }
    let guard = mixed("__scope_guard");
    let body = flat_body(&input.body);
    Ok(quote!({ #(let #guard = #guards;)* #body }))
}

/// The block's statements, to follow the guards in the same block. Nesting
/// the block instead would make rustc's `unused_braces` lint fire on the
/// user's braces when the block is a single expression. The guards are
/// `mixed_site` locals, invisible to the body, and the body's locals are
/// still dropped before them. A block with inner attributes (`#![..]`) is
/// kept whole, since those must open a block.
fn flat_body(body: &Group) -> TokenStream {
    let mut tokens = body.stream().into_iter();
    let inner_attr = matches!(
        (tokens.next(), tokens.next()),
        (Some(TokenTree::Punct(p)), Some(TokenTree::Punct(q))) if p.as_char() == '#' && q.as_char() == '!'
    );
    if inner_attr {
        body.to_token_stream()
    } else {
        body.stream()
    }
}

/// `get_variable!("w", [3, 4], ...)`.
pub fn get_variable_macro(input: TokenStream) -> TokenStream {
    let call_span = Span::call_site();
    let spec = syn::parse2::<Options>(input)
        .and_then(|options| valid::get_variable_spec(options, call_span));
    match spec {
        Ok(spec) => get_variable_call(&spec, call_span),
        Err(err) => err.to_compile_error(),
    }
}

fn get_variable_call(spec: &GetVariableSpec, call_span: Span) -> TokenStream {
    let p = private(&spec.krate);
    let name = match &spec.name {
        Name::Literal(lit) => lit.to_token_stream(),
        Name::Runtime(e) => quote_spanned!(e.span()=> &(#e)),
    };
    let mut call = quote!(#p::get_variable(#name));
    match &spec.shape {
        Some(Shape::Array(a)) => call.extend(quote_spanned!(a.span()=> .shape(&#a))),
        Some(Shape::Expr(e)) => call.extend(quote_spanned!(e.span()=>
            .shape(::core::convert::AsRef::<[usize]>::as_ref(&(#e))))),
        None => {}
    }
    if let Some((span, dtype)) = spec.dtype {
        let dtype = dtype_tokens(&p, span, dtype);
        call.extend(quote!(.dtype(#dtype)));
    }
    if let Some(init) = &spec.initializer {
        call.extend(quote_spanned!(init.span()=> .initializer(#init)));
    }
    if let Some(t) = &spec.trainable {
        call.extend(quote_spanned!(t.span()=> .trainable(#t)));
    }
    // `get` is `#[track_caller]`: with the call site's span the variable's
    // definition site is the user's `get_variable!` line.
    quote_spanned!(call_span=> #call.get())
}
