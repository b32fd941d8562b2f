//! Checks of one scope or template layer (an attribute or a `scope!`
//! segment): names, conflicts, and the default name.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::ext::IdentExt;
use syn::{Ident, LitStr};

use super::misplaced;
use super::names::check_name;
use crate::errors::Errors;
use crate::grammar::Options;
use crate::kind::{Kind, Site};
use crate::read::{self, Name, Read};
use crate::scope_input::ScopeInput;
use crate::spec::{
    Common, Layer, NameScopeSpec, ReuseMode, ScopeSpec, TemplateSpec, VariableScopeSpec,
};

pub fn common(krate: Option<TokenStream>) -> Common {
    Common {
        krate: krate.unwrap_or_else(|| quote!(::scope_runtime)),
    }
}

/// Checks `scope!`'s segments.
pub fn scope_macro(input: ScopeInput) -> syn::Result<ScopeSpec> {
    let mut errors = Errors::default();
    let mut layers = Vec::new();
    for segment in input.segments {
        let span = segment.kind_span;
        let layer = layer(
            segment.kind,
            Site::ScopeMacro,
            segment.options,
            None,
            span,
            span,
            &mut errors,
        );
        layers.extend(layer);
    }
    errors.finish(ScopeSpec {
        layers,
        body: input.body,
    })
}

/// Checks one layer. `fn_name` is the function an attribute is on (the
/// default name); `call_span` is where a missing name is reported and
/// `question_span` where a template's `?` points.
pub fn layer(
    kind: Kind,
    site: Site,
    options: Options,
    fn_name: Option<&Ident>,
    call_span: Span,
    question_span: Span,
    errors: &mut Errors,
) -> Option<Layer> {
    let mut read = read::read(kind, site, options, errors);
    misplaced::report(kind, site, &read, errors);
    let kind = if read.template.is_some() {
        Kind::Template
    } else {
        kind
    };
    let what = kind.what();
    let literals = [
        match &read.name {
            Some((_, Name::Literal(lit))) => Some(lit),
            _ => None,
        },
        read.default_name.as_ref(),
        read.unique_name.as_ref(),
    ];
    for lit in literals.into_iter().flatten() {
        errors.take(check_name(&lit.value(), what, lit.span()));
    }
    conflicts(kind, site, &read, errors);
    if read.name.is_none() && read.default_name.is_none() {
        read.default_name = default_from_fn(kind, site, fn_name, call_span, errors);
    }
    if kind == Kind::VariableScope {
        reuse_needs_a_name(site, &read, errors);
    }
    build(kind, read, question_span)
}

fn conflicts(kind: Kind, site: Site, read: &Read, errors: &mut Errors) {
    if let (Some(_), Some((reuse_span, _))) = (read.template, &read.reuse) {
        errors.error(
            *reuse_span,
            "`reuse` conflicts with `template`: a template manages reuse itself (its first call \
             creates the variables, later calls share them); remove `reuse`",
        );
    }
    if kind == Kind::Template {
        if let Some((span, Name::Runtime(_))) = &read.name {
            errors.error(
                *span,
                "a template's name must be a string literal: the template is made once per graph, \
                 on its first call, so its name cannot change from call to call",
            );
        }
        if read.template.is_some() {
            misplaced::report_template_options(read, errors);
        }
    } else if site == Site::Attribute {
        // `#[variable_scope(.., unique_name = ..)]` without `template`.
        let flags = [
            (read.unique_name.as_ref().map(LitStr::span), "unique_name"),
            (
                read.create_scope_now.as_ref().map(|b| b.span),
                "create_scope_now",
            ),
        ];
        for (span, key) in flags {
            if let Some(span) = span {
                errors.error(
                    span,
                    format!(
                        "`{key}` is an option of a template, and this #[variable_scope] is not \
                         one: add `template`, or write #[template(.., {key} ..)]"
                    ),
                );
            }
        }
    }
    if let (Some((_, Name::Literal(name))), Some(default)) = (&read.name, &read.default_name) {
        errors.error(
            default.span(),
            format!(
                "`default_name` is never used: it only names a scope that has no name, and this \
                 one is named \"{}\"; remove one of the two",
                name.value()
            ),
        );
    }
}

/// The function's name as the default name, or the error that a name is
/// needed.
fn default_from_fn(
    kind: Kind,
    site: Site,
    fn_name: Option<&Ident>,
    call_span: Span,
    errors: &mut Errors,
) -> Option<LitStr> {
    let this = kind.display(site);
    let what = kind.what();
    let Some(ident) = fn_name else {
        let how = if kind == Kind::Template {
            "a string literal: scope!(template(\"tower\") { .. })"
        } else {
            "a string literal, `name = <expr>` or `default_name = \"..\"`"
        };
        errors.error(call_span, format!("{this} needs a name: {how}"));
        return None;
    };
    let name = ident.unraw().to_string();
    if check_name(&name, what, ident.span()).is_ok() {
        return Some(LitStr::new(&name, ident.span()));
    }
    errors.error(
        ident.span(),
        format!(
            "the function name `{name}` is not a valid {what} name (a name must start with an \
             ASCII letter, a digit or `.`), so {this} cannot be named after it; give a name: \
             {}(\"..\")]",
            this.trim_end_matches(']')
        ),
    );
    None
}

/// TF rejects `reuse` with a default name.
fn reuse_needs_a_name(site: Site, read: &Read, errors: &mut Errors) {
    if read.name.is_some() {
        return;
    }
    let Some((span, mode @ (ReuseMode::True | ReuseMode::Auto))) = read.reuse else {
        return;
    };
    let default = read
        .default_name
        .as_ref()
        .map_or_else(String::new, LitStr::value);
    let mode = if mode == ReuseMode::True {
        "true"
    } else {
        "auto"
    };
    let how = if site == Site::Attribute {
        format!("#[variable_scope(\"{default}\", reuse = {mode})]")
    } else {
        format!("variable_scope(\"{default}\", reuse = {mode})")
    };
    errors.error(
        span,
        format!(
            "`reuse = {mode}` needs a named scope: without a name the scope takes the default \
             name `{default}` (`{default}`, `{default}_1`, ...), which is new on every entry, and \
             TensorFlow rejects a default name with reuse; name the scope to share its \
             variables: {how}"
        ),
    );
}

/// The checked layer, when the checks left what it needs.
fn build(kind: Kind, read: Read, question_span: Span) -> Option<Layer> {
    let common = common(read.krate);
    Some(match kind {
        Kind::VariableScope => Layer::VariableScope(Box::new(VariableScopeSpec {
            name: read.name.map(|(_, n)| n),
            default_name: read.default_name,
            reuse: read.reuse,
            initializer: read.initializer,
            dtype: read.dtype,
            auxiliary_name_scope: read.auxiliary_name_scope,
            custom_getter: read.custom_getter,
            regularizer: read.regularizer,
            partitioner: read.partitioner,
            arg_scope: read.arg_scope,
            common,
        })),
        Kind::NameScope => Layer::NameScope(NameScopeSpec {
            name: read.name.map(|(_, n)| n),
            default_name: read.default_name,
            arg_scope: read.arg_scope,
            common,
        }),
        Kind::Template => {
            // A template is named after the function when no name is given.
            let name = match read.name {
                Some((_, Name::Literal(lit))) => lit,
                Some((_, Name::Runtime(_))) => return None,
                None => read.default_name?,
            };
            Layer::Template(TemplateSpec {
                name,
                unique_name: read.unique_name,
                create_scope_now: read.create_scope_now,
                custom_getter: read.custom_getter,
                question_span,
                common,
            })
        }
        Kind::GetVariable => unreachable!("get_variable! is checked in get_variable.rs"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(
        kind: Kind,
        site: Site,
        tokens: TokenStream,
        fn_name: Option<&Ident>,
    ) -> Result<Layer, Vec<String>> {
        let mut errors = Errors::default();
        let options = syn::parse2(tokens).expect("options parse");
        let span = Span::call_site();
        let layer = layer(kind, site, options, fn_name, span, span, &mut errors);
        errors
            .finish_opt(layer)
            .map_err(|e| e.into_iter().map(|e| e.to_string()).collect())
    }

    #[test]
    fn every_mistake_is_reported_at_once() {
        let opts = quote!("a b", resue, dtype = f16, reuse, reuse = auto);
        let msgs = check(Kind::VariableScope, Site::Attribute, opts, None)
            .err()
            .expect("errors");
        assert_eq!(msgs.len(), 4, "{msgs:#?}");
        assert!(msgs[0].contains("did you mean `reuse`"), "{msgs:#?}");
        assert!(msgs[1].contains("unsupported dtype `f16`"), "{msgs:#?}");
        assert!(msgs[2].contains("duplicate `reuse` option"), "{msgs:#?}");
        assert!(
            msgs[3].contains("`a b` is not a valid scope name"),
            "{msgs:#?}"
        );
    }

    #[test]
    fn default_name_comes_from_the_function() {
        let f: Ident = syn::parse_quote!(dense);
        let layer = check(Kind::VariableScope, Site::Attribute, quote!(), Some(&f));
        let Ok(Layer::VariableScope(spec)) = layer else {
            panic!("a variable scope");
        };
        assert!(spec.name.is_none());
        assert_eq!(
            spec.default_name.map(|d| d.value()).as_deref(),
            Some("dense")
        );
    }

    #[test]
    fn reuse_with_a_default_name_is_rejected() {
        let f: Ident = syn::parse_quote!(dense);
        let msgs = check(
            Kind::VariableScope,
            Site::Attribute,
            quote!(reuse = auto),
            Some(&f),
        )
        .err()
        .expect("rejected");
        assert!(msgs[0].contains("needs a named scope"));
        // `reuse = false` is TF's "no reuse argument": fine with a default name.
        let kind = Kind::VariableScope;
        assert!(check(kind, Site::Attribute, quote!(reuse = false), Some(&f)).is_ok());
    }

    #[test]
    fn options_that_do_not_apply_are_rejected() {
        let opts = quote!("a", reuse, initializer = x, custom_getter = g);
        let msgs = check(Kind::NameScope, Site::Attribute, opts, None)
            .err()
            .expect("rejected");
        assert_eq!(msgs.len(), 3);
        assert!(msgs
            .iter()
            .all(|m| m.contains("does not apply to #[name_scope]")));
    }

    #[test]
    fn the_template_option_rejects_scope_options() {
        let opts = quote!("t", template, dtype = f32, reuse);
        let msgs = check(Kind::VariableScope, Site::Attribute, opts, None)
            .err()
            .expect("rejected");
        assert_eq!(msgs.len(), 2, "{msgs:#?}");
        assert!(msgs[0].contains("`reuse` conflicts with `template`"));
        assert!(msgs[1].contains("`dtype` does not apply to a template"));
        // In scope!, `template` is a segment, not an option.
        let opts = quote!("t", template);
        assert!(check(Kind::VariableScope, Site::ScopeMacro, opts, None).is_err());
    }

    #[test]
    fn template_segments_take_template_options() {
        let opts = quote!("t", unique_name = "u", create_scope_now);
        let Ok(Layer::Template(spec)) = check(Kind::Template, Site::ScopeMacro, opts, None) else {
            panic!("a template");
        };
        assert_eq!(spec.name.value(), "t");
        assert!(spec.create_scope_now.is_some_and(|b| b.value));
        let opts = quote!(reuse = auto);
        assert!(check(Kind::Template, Site::ScopeMacro, opts, None).is_err());
    }

    #[test]
    fn template_flags_need_template() {
        let opts = quote!("v", create_scope_now);
        let msgs = check(Kind::VariableScope, Site::Attribute, opts, None)
            .err()
            .expect("rejected");
        assert!(msgs[0].contains("add `template`"), "{msgs:#?}");
    }
}
