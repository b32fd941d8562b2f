//! Semantics: which options apply to which macro, what their values may be,
//! duplicates, conflicts, and TensorFlow's name rules for literal names.
//!
//! Every check reports into [`Errors`] and goes on, so one build shows every
//! mistake of an attribute; the errors are folded with `syn::Error::combine`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Expr, ExprArray, Ident, Lit, LitBool, LitStr};

use crate::parse::{Key, Opt, Options};

/// Collects errors (serde_derive's `Ctxt`).
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, err: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(err),
            None => self.0 = Some(err),
        }
    }

    pub fn error(&mut self, span: Span, msg: impl std::fmt::Display) {
        self.push(syn::Error::new(span, msg));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    pub fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.0 {
            Some(err) => Err(err),
            None => Ok(value),
        }
    }
}

/// What the options are for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    VariableScope,
    NameScope,
    Template,
    GetVariable,
}

/// Where the options were written, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Site {
    Attribute,
    ScopeMacro,
    GetVariableMacro,
}

fn display(kind: Kind, site: Site) -> &'static str {
    match (kind, site) {
        (Kind::VariableScope, Site::ScopeMacro) => "scope!(variable_scope(..))",
        (Kind::NameScope, Site::ScopeMacro) => "scope!(name_scope(..))",
        (Kind::VariableScope, _) => "#[variable_scope]",
        (Kind::NameScope, _) => "#[name_scope]",
        (Kind::Template, _) => "#[template]",
        (Kind::GetVariable, _) => "get_variable!",
    }
}

/// A name: a literal checked here, or an expression evaluated at run time.
pub enum Name {
    Literal(LitStr),
    Runtime(Expr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReuseMode {
    True,
    False,
    Auto,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DTypeName {
    F32,
    F64,
    I32,
    I64,
}

/// A checked scope (or template) and its options.
pub struct ScopeSpec {
    pub kind: Kind,
    pub name: Option<Name>,
    /// The explicit `default_name`, else the function's name for attributes.
    pub default_name: Option<LitStr>,
    pub reuse: Option<(Span, ReuseMode)>,
    pub initializer: Option<Expr>,
    pub dtype: Option<(Span, DTypeName)>,
    pub auxiliary_name_scope: Option<LitBool>,
    pub unique_name: Option<LitStr>,
    /// The path of scope-runtime (`::scope_runtime` unless `crate = ...`).
    pub krate: TokenStream,
}

impl ScopeSpec {
    /// Whether entering can fail at run time (a name computed at run time).
    pub fn runtime_name(&self) -> Option<&Expr> {
        match &self.name {
            Some(Name::Runtime(e)) => Some(e),
            _ => None,
        }
    }
}

/// A checked `get_variable!`.
pub struct GetVariableSpec {
    pub name: Name,
    pub shape: Option<Shape>,
    pub dtype: Option<(Span, DTypeName)>,
    pub initializer: Option<Expr>,
    pub trainable: Option<Expr>,
    pub krate: TokenStream,
}

pub enum Shape {
    Array(ExprArray),
    Expr(Expr),
}

/// Options of one macro use, before the kind-specific checks.
#[derive(Default)]
struct Seen {
    name: Option<(Span, Name)>,
    default_name: Option<LitStr>,
    reuse: Option<(Span, ReuseMode)>,
    initializer: Option<Expr>,
    dtype: Option<(Span, DTypeName)>,
    auxiliary_name_scope: Option<LitBool>,
    template: Option<Span>,
    unique_name: Option<LitStr>,
    shape: Option<Shape>,
    trainable: Option<Expr>,
    krate: Option<TokenStream>,
}

fn applies(kind: Kind, site: Site, key: Key) -> bool {
    use Key::*;
    match kind {
        Kind::VariableScope => match key {
            Name | DefaultName | Reuse | Initializer | Dtype | AuxiliaryNameScope | Crate => true,
            Template | UniqueName => site == Site::Attribute,
            Shape | Trainable => false,
        },
        Kind::NameScope => matches!(key, Name | DefaultName | Crate),
        Kind::Template => matches!(key, Name | UniqueName | Crate),
        Kind::GetVariable => matches!(key, Name | Shape | Dtype | Initializer | Trainable | Crate),
    }
}

fn not_applicable(kind: Kind, site: Site, key: Key) -> String {
    let this = display(kind, site);
    let k = key.as_str();
    match (kind, key) {
        (Kind::Template, Key::Reuse) => "`reuse` conflicts with #[template]: a template \
             manages reuse itself (its first call creates the variables, later calls share \
             them); remove `reuse`"
            .to_string(),
        (Kind::NameScope, Key::Reuse | Key::Initializer | Key::Dtype | Key::AuxiliaryNameScope) => {
            format!(
                "`{k}` does not apply to {this}: a name scope only prefixes the names of ops and \
                 `Variable::new`, and get_variable ignores it; use #[variable_scope] for `{k}`"
            )
        }
        (Kind::VariableScope, Key::Template) => format!(
            "`template` does not apply to {this}: a template belongs to a function; put \
             #[template(\"..\")] on the function"
        ),
        (_, Key::Shape | Key::Trainable) => {
            format!("`{k}` does not apply to {this}: it is an option of get_variable!")
        }
        (Kind::GetVariable, _) => {
            format!("`{k}` does not apply to get_variable!: it is an option of a scope")
        }
        (_, Key::UniqueName) => {
            format!("`unique_name` does not apply to {this}: it is an option of #[template]")
        }
        _ => format!("`{k}` does not apply to {this}"),
    }
}

/// Checks the options of a scope, template or `get_variable!`.
/// `fn_name` is the function an attribute is on (its default name).
fn collect(kind: Kind, site: Site, options: Options, errors: &mut Errors) -> Seen {
    let mut seen = Seen::default();
    for opt in options.opts {
        match opt {
            Opt::Name(lit) => set_name(&mut seen, lit.span(), Name::Literal(lit), errors),
            Opt::Shape(array) => {
                if kind != Kind::GetVariable {
                    errors.error(
                        array.span(),
                        format!(
                            "a shape does not apply to {}: it is an argument of get_variable!",
                            display(kind, site)
                        ),
                    );
                } else if seen.shape.is_some() {
                    errors.error(array.span(), "duplicate shape");
                } else {
                    seen.shape = Some(Shape::Array(array));
                }
            }
            Opt::Unknown { ident, value } => {
                unknown_option(kind, site, &ident, value.is_some(), errors)
            }
            Opt::Keyed {
                key,
                key_span,
                value,
            } => {
                if !applies(kind, site, key) {
                    errors.error(key_span, not_applicable(kind, site, key));
                    continue;
                }
                keyed(&mut seen, key, key_span, value, errors);
            }
        }
    }
    seen
}

fn set_name(seen: &mut Seen, span: Span, name: Name, errors: &mut Errors) {
    if seen.name.is_some() {
        errors.error(
            span,
            "the name is given twice: give it once, as \"..\" or `name = ..`",
        );
    } else {
        seen.name = Some((span, name));
    }
}

fn duplicate(errors: &mut Errors, span: Span, key: Key) {
    errors.error(span, format!("duplicate `{}` option", key.as_str()));
}

fn keyed(seen: &mut Seen, key: Key, key_span: Span, value: Option<Expr>, errors: &mut Errors) {
    let k = key.as_str();
    // Options that take no value, or whose value is optional.
    match key {
        Key::Template => {
            if let Some(v) = value {
                errors.error(v.span(), "`template` takes no value: write `template`");
            } else if seen.template.is_some() {
                duplicate(errors, key_span, key);
            } else {
                seen.template = Some(key_span);
            }
            return;
        }
        Key::Reuse if value.is_none() => {
            if seen.reuse.is_some() {
                duplicate(errors, key_span, key);
            } else {
                seen.reuse = Some((key_span, ReuseMode::True));
            }
            return;
        }
        _ => {}
    }
    let Some(value) = value else {
        let example = match key {
            Key::Name => "name = \"layer\"` or `name = self.name",
            Key::DefaultName => "default_name = \"dense\"",
            Key::Initializer => "initializer = Initializer::Zeros",
            Key::Dtype => "dtype = f32",
            Key::AuxiliaryNameScope => "auxiliary_name_scope = false",
            Key::UniqueName => "unique_name = \"tower\"",
            Key::Shape => "shape = dims",
            Key::Trainable => "trainable = false",
            Key::Crate => "crate = \"::scope_runtime\"",
            Key::Reuse | Key::Template => unreachable!(),
        };
        errors.error(key_span, format!("`{k}` needs a value: `{example}`"));
        return;
    };
    let span = key_span.join(value.span()).unwrap_or(key_span);
    match key {
        Key::Name => {
            let name = match value {
                Expr::Lit(syn::ExprLit {
                    lit: Lit::Str(lit), ..
                }) => Name::Literal(lit),
                other => Name::Runtime(other),
            };
            set_name(seen, span, name, errors);
        }
        Key::DefaultName | Key::UniqueName => {
            let Some(lit) = lit_str(&value) else {
                errors.error(
                    value.span(),
                    format!("`{k}` takes a string literal: `{k} = \"..\"`"),
                );
                return;
            };
            let slot = if key == Key::DefaultName {
                &mut seen.default_name
            } else {
                &mut seen.unique_name
            };
            if slot.is_some() {
                duplicate(errors, key_span, key);
            } else {
                *slot = Some(lit);
            }
        }
        Key::Reuse => {
            let Some(mode) = reuse_value(&value, errors) else {
                return;
            };
            if seen.reuse.is_some() {
                duplicate(errors, key_span, key);
            } else {
                seen.reuse = Some((span, mode));
            }
        }
        Key::Dtype => {
            let Some(dtype) = dtype_value(&value, errors) else {
                return;
            };
            if seen.dtype.is_some() {
                duplicate(errors, key_span, key);
            } else {
                seen.dtype = Some((span, dtype));
            }
        }
        Key::AuxiliaryNameScope => {
            let Expr::Lit(syn::ExprLit {
                lit: Lit::Bool(b), ..
            }) = value
            else {
                errors.error(
                    value.span(),
                    "`auxiliary_name_scope` takes `true` or `false`",
                );
                return;
            };
            if seen.auxiliary_name_scope.is_some() {
                duplicate(errors, key_span, key);
            } else {
                seen.auxiliary_name_scope = Some(b);
            }
        }
        Key::Initializer | Key::Trainable => {
            let slot = if key == Key::Initializer {
                &mut seen.initializer
            } else {
                &mut seen.trainable
            };
            if slot.is_some() {
                duplicate(errors, key_span, key);
            } else {
                *slot = Some(value);
            }
        }
        Key::Shape => {
            if seen.shape.is_some() {
                errors.error(key_span, "duplicate shape");
            } else {
                seen.shape = Some(match value {
                    Expr::Array(a) => Shape::Array(a),
                    other => Shape::Expr(other),
                });
            }
        }
        Key::Crate => {
            let path = match &value {
                Expr::Path(p) if p.qself.is_none() => Some(p.path.to_token_stream()),
                _ => lit_str(&value)
                    .and_then(|lit| lit.parse::<syn::Path>().ok().map(|p| p.to_token_stream())),
            };
            match path {
                None => errors.error(
                    value.span(),
                    "`crate` takes the path scope-runtime is reachable at: `crate = \"::scope_runtime\"`",
                ),
                Some(_) if seen.krate.is_some() => duplicate(errors, key_span, key),
                Some(path) => seen.krate = Some(path),
            }
        }
        Key::Template => unreachable!(),
    }
}

fn lit_str(value: &Expr) -> Option<LitStr> {
    match value {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(lit), ..
        }) => Some(lit.clone()),
        _ => None,
    }
}

fn path_ident(value: &Expr) -> Option<&Ident> {
    match value {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident(),
        _ => None,
    }
}

fn reuse_value(value: &Expr, errors: &mut Errors) -> Option<ReuseMode> {
    if let Expr::Lit(syn::ExprLit {
        lit: Lit::Bool(b), ..
    }) = value
    {
        return Some(if b.value {
            ReuseMode::True
        } else {
            ReuseMode::False
        });
    }
    if let Some(ident) = path_ident(value) {
        if ident == "auto" {
            return Some(ReuseMode::Auto);
        }
        let hint = match ident.to_string().to_ascii_lowercase().as_str() {
            "auto_reuse" | "autoreuse" => " (did you mean `auto`?)",
            "true" | "yes" => " (did you mean `true`?)",
            "false" | "no" => " (did you mean `false`?)",
            _ => "",
        };
        errors.error(
            value.span(),
            format!("`reuse` takes `true`, `false` or `auto`, not `{ident}`{hint}"),
        );
        return None;
    }
    errors.error(
        value.span(),
        "`reuse` takes `true`, `false` or `auto`; a reuse mode computed at run time is not supported",
    );
    None
}

fn dtype_value(value: &Expr, errors: &mut Errors) -> Option<DTypeName> {
    let ident = path_ident(value).map(Ident::to_string);
    let dtype = match ident.as_deref() {
        Some("f32") => Some(DTypeName::F32),
        Some("f64") => Some(DTypeName::F64),
        Some("i32") => Some(DTypeName::I32),
        Some("i64") => Some(DTypeName::I64),
        _ => None,
    };
    if dtype.is_none() {
        let hint = match ident.as_deref() {
            Some("float32" | "F32") => " (did you mean `f32`?)",
            Some("float64" | "double" | "F64") => " (did you mean `f64`?)",
            Some("int32" | "I32") => " (did you mean `i32`?)",
            Some("int64" | "I64") => " (did you mean `i64`?)",
            _ => "",
        };
        let got = ident.map_or_else(String::new, |i| format!(" `{i}`"));
        errors.error(
            value.span(),
            format!("unsupported dtype{got}: expected `f32`, `f64`, `i32` or `i64`{hint}"),
        );
    }
    dtype
}

fn unknown_option(kind: Kind, site: Site, ident: &Ident, has_value: bool, errors: &mut Errors) {
    let this = display(kind, site);
    let name = ident.to_string();
    let candidates: Vec<&str> = Key::ALL
        .iter()
        .filter(|k| applies(kind, site, **k))
        .map(|k| k.as_str())
        .collect();
    let best = candidates
        .iter()
        .map(|c| (edit_distance(&name, c), *c))
        .filter(|(d, c)| *d <= (c.len() / 2).max(1))
        .min();
    let msg = match best {
        Some((_, c)) => format!("unknown option `{name}` for {this}; did you mean `{c}`?"),
        None if !has_value => format!(
            "unknown option `{name}` for {this}; a name is a string literal (`\"{name}\"`), \
             and the options are: {}",
            candidates.join(", ")
        ),
        None => format!(
            "unknown option `{name}` for {this}; the options are: {}",
            candidates.join(", ")
        ),
    };
    errors.error(ident.span(), msg);
}

/// Levenshtein distance, for "did you mean".
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '\\' | '/' | '>' | '-')
}

/// TensorFlow's rule for a name that may be used at the root (SEMANTICS §3,
/// `^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$`). A literal is checked against the
/// root pattern because the macro cannot know whether the code runs inside
/// another scope; valid there means valid everywhere.
pub fn check_name(name: &str, what: &str, span: Span) -> syn::Result<()> {
    let msg = if name.is_empty() {
        let why = if what == "variable" {
            ""
        } else {
            " (TensorFlow takes an empty name as the root scope)"
        };
        format!("a {what} name cannot be empty{why}")
    } else if let Some((i, c)) = name.char_indices().find(|&(_, c)| !is_name_char(c)) {
        format!(
            "`{name}` is not a valid {what} name: {c:?} (at byte {i}) is not allowed; \
             names use ASCII letters, digits and `_ . \\ / > -`"
        )
    } else if let Some(first) = name
        .chars()
        .next()
        .filter(|&c| c != '.' && !c.is_ascii_alphanumeric())
    {
        format!(
            "`{name}` is not a valid {what} name: it must start with an ASCII letter, a digit or \
             `.`, not {first:?} (TensorFlow's rule for a name that may be used at the root)"
        )
    } else {
        return Ok(());
    };
    Err(syn::Error::new(span, msg))
}

fn default_krate() -> TokenStream {
    quote!(::scope_runtime)
}

/// Checks the options of a scope or template attribute (`fn_name` given) or
/// of a `scope!` segment.
pub fn scope_spec(
    kind: Kind,
    site: Site,
    options: Options,
    fn_name: Option<&Ident>,
    call_span: Span,
) -> syn::Result<ScopeSpec> {
    let mut errors = Errors::default();
    let mut seen = collect(kind, site, options, &mut errors);
    let kind = if seen.template.is_some() {
        Kind::Template
    } else {
        kind
    };
    let this = display(kind, site);
    let what = match kind {
        Kind::Template => "template",
        _ => "scope",
    };

    if let Some((_, Name::Literal(lit))) = &seen.name {
        if let Err(e) = check_name(&lit.value(), what, lit.span()) {
            errors.push(e);
        }
    }
    if let Some(lit) = &seen.default_name {
        if let Err(e) = check_name(&lit.value(), what, lit.span()) {
            errors.push(e);
        }
    }
    if let Some(lit) = &seen.unique_name {
        if let Err(e) = check_name(&lit.value(), what, lit.span()) {
            errors.push(e);
        }
    }

    // Conflicts.
    if let (Some(_), Some((reuse_span, _))) = (seen.template, &seen.reuse) {
        errors.error(
            *reuse_span,
            "`reuse` conflicts with `template`: a template manages reuse itself (its first call \
             creates the variables, later calls share them); remove `reuse`",
        );
    }
    if kind == Kind::Template {
        if let Some((span, Name::Runtime(_))) = &seen.name {
            errors.error(
                *span,
                "a template's name must be a string literal: the template is made once per graph, \
                 on the function's first call, so its name cannot change from call to call",
            );
        }
        // Reachable through `#[variable_scope(.., template, ..)]`.
        let others = [
            (seen.initializer.as_ref().map(Spanned::span), "initializer"),
            (seen.dtype.map(|(span, _)| span), "dtype"),
            (
                seen.auxiliary_name_scope.as_ref().map(LitBool::span),
                "auxiliary_name_scope",
            ),
            (seen.default_name.as_ref().map(LitStr::span), "default_name"),
        ];
        for (span, key) in others {
            if let Some(span) = span {
                errors.error(span, format!("`{key}` does not apply to a template"));
            }
        }
    }
    if let (Some((_, Name::Literal(name))), Some(default)) = (&seen.name, &seen.default_name) {
        errors.error(
            default.span(),
            format!(
                "`default_name` is never used: it only names a scope that has no name, and this \
                 one is named \"{}\"; remove one of the two",
                name.value()
            ),
        );
    }

    // The default name: explicit, else the function's.
    if seen.name.is_none() && seen.default_name.is_none() {
        match fn_name {
            Some(ident) => {
                let name = ident.unraw().to_string();
                match check_name(&name, what, ident.span()) {
                    Ok(()) => seen.default_name = Some(LitStr::new(&name, ident.span())),
                    Err(_) => errors.error(
                        ident.span(),
                        format!(
                            "the function name `{name}` is not a valid {what} name (a name must \
                             start with an ASCII letter, a digit or `.`), so {this} cannot be \
                             named after it; give a name: {}(\"..\")]",
                            this.trim_end_matches(']')
                        ),
                    ),
                }
            }
            None => errors.error(
                call_span,
                format!(
                    "{this} needs a name: a string literal, `name = <expr>` or \
                     `default_name = \"..\"`"
                ),
            ),
        }
    }
    if seen.name.is_none() && kind == Kind::VariableScope {
        if let Some((span, mode @ (ReuseMode::True | ReuseMode::Auto))) = seen.reuse {
            let default = seen
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
                    "`reuse = {mode}` needs a named scope: without a name the scope takes the \
                     default name `{default}` (`{default}`, `{default}_1`, ...), which is new on \
                     every entry, and TensorFlow rejects a default name with reuse; name the \
                     scope to share its variables: {how}"
                ),
            );
        }
    }
    if kind == Kind::Template && seen.name.is_none() {
        // A template is named after the function when no name is given.
        seen.name = seen
            .default_name
            .take()
            .map(|d| (d.span(), Name::Literal(d)));
    }

    errors.finish(ScopeSpec {
        kind,
        name: seen.name.map(|(_, n)| n),
        default_name: seen.default_name,
        reuse: seen.reuse,
        initializer: seen.initializer,
        dtype: seen.dtype,
        auxiliary_name_scope: seen.auxiliary_name_scope,
        unique_name: seen.unique_name,
        krate: seen.krate.unwrap_or_else(default_krate),
    })
}

/// Checks the input of `get_variable!`.
pub fn get_variable_spec(options: Options, call_span: Span) -> syn::Result<GetVariableSpec> {
    let mut errors = Errors::default();
    let seen = collect(
        Kind::GetVariable,
        Site::GetVariableMacro,
        options,
        &mut errors,
    );
    let name = match seen.name {
        Some((_, Name::Literal(lit))) => {
            if let Err(e) = check_name(&lit.value(), "variable", lit.span()) {
                errors.push(e);
            }
            Some(Name::Literal(lit))
        }
        Some((_, runtime)) => Some(runtime),
        None => {
            errors.error(
                call_span,
                "get_variable! needs the variable's name: get_variable!(\"w\", [3, 4])",
            );
            None
        }
    };
    let spec = name.map(|name| GetVariableSpec {
        name,
        shape: seen.shape,
        dtype: seen.dtype,
        initializer: seen.initializer,
        trainable: seen.trainable,
        krate: seen.krate.unwrap_or_else(default_krate),
    });
    match spec {
        Some(spec) => errors.finish(spec),
        None => Err(errors.finish(()).expect_err("an error was recorded")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(tokens: TokenStream) -> Options {
        syn::parse2(tokens).expect("options parse")
    }

    fn messages(err: syn::Error) -> Vec<String> {
        err.into_iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn literal_names_follow_tensorflows_root_pattern() {
        for ok in ["layer", "a/b", "dense_1", ".x", "9a", "a-b>c.d\\e", "x/"] {
            assert!(check_name(ok, "scope", Span::call_site()).is_ok(), "{ok}");
        }
        for bad in ["", "_x", "-x", "/x", ">x", "a b", "a:0", "é", "a\n"] {
            assert!(
                check_name(bad, "scope", Span::call_site()).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn every_mistake_is_reported_at_once() {
        let opts = options(quote!("a b", resue, dtype = f16, reuse, reuse = auto));
        let err = scope_spec(
            Kind::VariableScope,
            Site::Attribute,
            opts,
            None,
            Span::call_site(),
        )
        .err()
        .expect("errors");
        let msgs = messages(err);
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
        let spec = scope_spec(
            Kind::VariableScope,
            Site::Attribute,
            options(quote!()),
            Some(&f),
            Span::call_site(),
        )
        .unwrap_or_else(|e| panic!("valid: {e}"));
        assert!(spec.name.is_none());
        assert_eq!(
            spec.default_name.map(|d| d.value()).as_deref(),
            Some("dense")
        );
    }

    #[test]
    fn reuse_with_a_default_name_is_rejected() {
        let f: Ident = syn::parse_quote!(dense);
        let err = scope_spec(
            Kind::VariableScope,
            Site::Attribute,
            options(quote!(reuse = auto)),
            Some(&f),
            Span::call_site(),
        )
        .err()
        .expect("rejected");
        assert!(messages(err)[0].contains("needs a named scope"));
        // `reuse = false` is TF's "no reuse argument": fine with a default name.
        assert!(scope_spec(
            Kind::VariableScope,
            Site::Attribute,
            options(quote!(reuse = false)),
            Some(&f),
            Span::call_site(),
        )
        .is_ok());
    }

    #[test]
    fn options_that_do_not_apply_are_rejected() {
        let err = scope_spec(
            Kind::NameScope,
            Site::Attribute,
            options(quote!("a", reuse, initializer = x)),
            None,
            Span::call_site(),
        )
        .err()
        .expect("rejected");
        let msgs = messages(err);
        assert_eq!(msgs.len(), 2);
        assert!(msgs
            .iter()
            .all(|m| m.contains("does not apply to #[name_scope]")));
    }

    #[test]
    fn the_template_option_rejects_scope_options() {
        let err = scope_spec(
            Kind::VariableScope,
            Site::Attribute,
            options(quote!("t", template, dtype = f32, reuse)),
            None,
            Span::call_site(),
        )
        .err()
        .expect("rejected");
        let msgs = messages(err);
        assert_eq!(msgs.len(), 2, "{msgs:#?}");
        assert!(msgs[0].contains("`reuse` conflicts with `template`"));
        assert!(msgs[1].contains("`dtype` does not apply to a template"));
        // In scope!, `template` is not an option at all.
        assert!(scope_spec(
            Kind::VariableScope,
            Site::ScopeMacro,
            options(quote!("t", template)),
            None,
            Span::call_site(),
        )
        .is_err());
    }

    #[test]
    fn get_variable_needs_a_valid_name() {
        assert!(get_variable_spec(options(quote!("w", [3, 4])), Span::call_site()).is_ok());
        assert!(get_variable_spec(options(quote!([3, 4])), Span::call_site()).is_err());
        assert!(get_variable_spec(options(quote!("w:0")), Span::call_site()).is_err());
        assert!(get_variable_spec(options(quote!("w", reuse)), Span::call_site()).is_err());
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("resue", "reuse"), 2);
        assert_eq!(edit_distance("dtype", "dtype"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
