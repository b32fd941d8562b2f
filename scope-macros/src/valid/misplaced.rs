//! Why an option does not apply where it was written: the message for
//! each option `read.rs` set aside.

use proc_macro2::Span;

use crate::errors::Errors;
use crate::grammar::Key;
use crate::kind::{Kind, Site};
use crate::read::Read;

/// Reports the options set aside while reading.
pub fn report(kind: Kind, site: Site, read: &Read, errors: &mut Errors) {
    let this = kind.display(site);
    if let Some(span) = read.misplaced_shape {
        errors.error(
            span,
            format!("a shape does not apply to {this}: it is an argument of get_variable!"),
        );
    }
    for &(key, span) in &read.misplaced {
        errors.error(span, message(kind, site, key));
    }
}

/// Reports the scope options given with `template` in
/// `#[variable_scope(.., template)]`.
pub fn report_template_options(read: &Read, errors: &mut Errors) {
    use syn::spanned::Spanned;
    let spans: [(Option<Span>, &str); 7] = [
        (read.initializer.as_ref().map(Spanned::span), "initializer"),
        (read.dtype.map(|(span, _)| span), "dtype"),
        (
            read.auxiliary_name_scope.as_ref().map(|b| b.span),
            "auxiliary_name_scope",
        ),
        (read.default_name.as_ref().map(|d| d.span()), "default_name"),
        (read.regularizer.as_ref().map(Spanned::span), "regularizer"),
        (read.partitioner.as_ref().map(Spanned::span), "partitioner"),
        (read.arg_scope.as_ref().map(Spanned::span), "arg_scope"),
    ];
    for (span, key) in spans {
        if let Some(span) = span {
            errors.error(span, format!("`{key}` does not apply to a template"));
        }
    }
}

fn message(kind: Kind, site: Site, key: Key) -> String {
    let this = kind.display(site);
    let k = key.as_str();
    match (kind, key) {
        (Kind::Template, Key::Reuse) => format!(
            "`reuse` conflicts with {this}: a template manages reuse itself (its first call \
             creates the variables, later calls share them); remove `reuse`"
        ),
        (
            Kind::NameScope,
            Key::Reuse
            | Key::Initializer
            | Key::Dtype
            | Key::AuxiliaryNameScope
            | Key::CustomGetter
            | Key::Regularizer
            | Key::Partitioner,
        ) => {
            let instead = if site == Site::ScopeMacro {
                "scope!(variable_scope(..))"
            } else {
                "#[variable_scope]"
            };
            format!(
                "`{k}` does not apply to {this}: a name scope only prefixes the names of ops and \
                 `Variable::new`, and get_variable ignores it; use {instead} for `{k}`"
            )
        }
        (Kind::VariableScope, Key::Template) => format!(
            "`{k}` does not apply to {this}: a template is its own scope; write \
             scope!(template(\"..\") {{ .. }}), or put #[template(\"..\")] on a function"
        ),
        (_, Key::Shape | Key::Trainable) => {
            format!("`{k}` does not apply to {this}: it is an option of get_variable!")
        }
        (Kind::GetVariable, _) => {
            format!("`{k}` does not apply to get_variable!: it is an option of a scope")
        }
        (_, Key::UniqueName | Key::CreateScopeNow) => {
            format!(
                "`{k}` does not apply to {this}: it is an option of #[template] and \
                 scope!(template(..))"
            )
        }
        (
            Kind::Template,
            Key::Initializer
            | Key::Dtype
            | Key::AuxiliaryNameScope
            | Key::DefaultName
            | Key::Regularizer
            | Key::Partitioner,
        ) => format!(
            "`{k}` does not apply to {this}: a template's scope takes its defaults from the \
             enclosing variable scope; set `{k}` there, or on get_variable"
        ),
        _ => format!("`{k}` does not apply to {this}"),
    }
}
