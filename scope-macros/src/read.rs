//! Reading options: the grammar's options of one macro use become one
//! [`Read`], each option's value parsed (`values.rs`) and kept with its
//! span. Duplicates, unknown options (with "did you mean") and malformed
//! values are reported here; options the kind does not take are set aside
//! for `valid/` to explain. Every error is recorded and reading goes on.

use proc_macro2::{Span, TokenStream};
use syn::spanned::Spanned;
use syn::{Expr, ExprArray, LitBool, LitStr};

use crate::errors::Errors;
use crate::grammar::{Key, Opt, Options};
use crate::kind::{Kind, Site};
use crate::suggest;
use crate::values::{self, DTypeName, ReuseMode};

/// A name as written: a literal, or an expression evaluated at run time.
pub enum Name {
    Literal(LitStr),
    Runtime(Expr),
}

/// A shape as written: `[3, 4]` (elements checked in `valid/`) or an expression.
pub enum RawShape {
    Array(ExprArray),
    Expr(Expr),
}

/// The options of one macro use, read but not yet checked together.
#[derive(Default)]
pub struct Read {
    pub name: Option<(Span, Name)>,
    pub default_name: Option<LitStr>,
    pub reuse: Option<(Span, ReuseMode)>,
    pub initializer: Option<Expr>,
    pub dtype: Option<(Span, DTypeName)>,
    pub auxiliary_name_scope: Option<LitBool>,
    pub custom_getter: Option<Expr>,
    pub regularizer: Option<Expr>,
    pub partitioner: Option<Expr>,
    /// A captured slim `ArgScope` re-entered around the body.
    pub arg_scope: Option<Expr>,
    pub template: Option<Span>,
    pub unique_name: Option<LitStr>,
    pub create_scope_now: Option<LitBool>,
    pub shape: Option<RawShape>,
    pub trainable: Option<Expr>,
    pub krate: Option<TokenStream>,
    /// Options this kind does not take at this site, with their spans.
    pub misplaced: Vec<(Key, Span)>,
    /// A positional shape given to a scope.
    pub misplaced_shape: Option<Span>,
}

/// Reads the options of a `kind` written at `site`.
pub fn read(kind: Kind, site: Site, options: Options, errors: &mut Errors) -> Read {
    let mut read = Read::default();
    for opt in options.opts {
        match opt {
            Opt::Name(lit) => read.set_name(lit.span(), Name::Literal(lit), errors),
            Opt::Shape(array) if kind != Kind::GetVariable => {
                read.misplaced_shape.get_or_insert(array.span());
            }
            Opt::Shape(array) => {
                if read.shape.is_some() {
                    errors.error(array.span(), "duplicate shape");
                } else {
                    read.shape = Some(RawShape::Array(array));
                }
            }
            Opt::Unknown { ident, value } => {
                errors.push(suggest::unknown_option(kind, site, &ident, value.is_some()))
            }
            Opt::Keyed { key, key_span, .. } if !kind.takes(site, key) => {
                read.misplaced.push((key, key_span));
            }
            Opt::Keyed {
                key,
                key_span,
                value,
            } => read.keyed(key, key_span, value, errors),
        }
    }
    read
}

/// Stores `value` in `slot`, or reports the second occurrence of `key`.
fn set<T>(slot: &mut Option<T>, value: T, key: Key, key_span: Span, errors: &mut Errors) {
    if slot.is_some() {
        errors.error(key_span, format!("duplicate `{}` option", key.as_str()));
    } else {
        *slot = Some(value);
    }
}

/// How to give `key` a value, for "needs a value".
fn example(key: Key) -> &'static str {
    match key {
        Key::Name => "name = \"layer\"` or `name = self.name",
        Key::DefaultName => "default_name = \"dense\"",
        Key::Initializer => "initializer = Initializer::Zeros",
        Key::Dtype => "dtype = f32",
        Key::AuxiliaryNameScope => "auxiliary_name_scope = false",
        Key::CustomGetter => "custom_getter = my_getter",
        Key::Regularizer => "regularizer = l2_regularizer",
        Key::Partitioner => "partitioner = fixed_partitioner",
        Key::ArgScope => "arg_scope = resnet_arg_scope",
        Key::UniqueName => "unique_name = \"tower\"",
        Key::Shape => "shape = dims",
        Key::Trainable => "trainable = false",
        Key::Crate => "crate = \"::scope_runtime\"",
        Key::Reuse | Key::Template | Key::CreateScopeNow => "",
    }
}

impl Read {
    fn set_name(&mut self, span: Span, name: Name, errors: &mut Errors) {
        if self.name.is_some() {
            errors.error(
                span,
                "the name is given twice: give it once, as \"..\" or `name = ..`",
            );
        } else {
            self.name = Some((span, name));
        }
    }

    fn keyed(&mut self, key: Key, key_span: Span, value: Option<Expr>, errors: &mut Errors) {
        // Flags: options that take no value, or whose value is optional.
        match (key, value) {
            (Key::Template, Some(v)) => {
                errors.error(v.span(), "`template` takes no value: write `template`");
            }
            (Key::Template, None) => set(&mut self.template, key_span, key, key_span, errors),
            (Key::Reuse, None) => set(
                &mut self.reuse,
                (key_span, ReuseMode::True),
                key,
                key_span,
                errors,
            ),
            (Key::CreateScopeNow, None) => set(
                &mut self.create_scope_now,
                LitBool::new(true, key_span),
                key,
                key_span,
                errors,
            ),
            (_, None) => {
                let k = key.as_str();
                let example = example(key);
                errors.error(key_span, format!("`{k}` needs a value: `{example}`"));
            }
            (_, Some(value)) => self.valued(key, key_span, value, errors),
        }
    }

    fn valued(&mut self, key: Key, key_span: Span, value: Expr, errors: &mut Errors) {
        let k = key.as_str();
        let span = key_span.join(value.span()).unwrap_or(key_span);
        match key {
            Key::Name => {
                let name = match values::lit_str(&value) {
                    Some(lit) => Name::Literal(lit),
                    None => Name::Runtime(value),
                };
                self.set_name(span, name, errors);
            }
            Key::DefaultName => {
                if let Some(lit) = errors.take(values::string(k, &value)) {
                    set(&mut self.default_name, lit, key, key_span, errors);
                }
            }
            Key::UniqueName => {
                if let Some(lit) = errors.take(values::string(k, &value)) {
                    set(&mut self.unique_name, lit, key, key_span, errors);
                }
            }
            Key::Reuse => {
                if let Some(mode) = errors.take(values::reuse(&value)) {
                    set(&mut self.reuse, (span, mode), key, key_span, errors);
                }
            }
            Key::Dtype => {
                if let Some(dtype) = errors.take(values::dtype(&value)) {
                    set(&mut self.dtype, (span, dtype), key, key_span, errors);
                }
            }
            Key::AuxiliaryNameScope => {
                if let Some(b) = errors.take(values::boolean(k, &value)) {
                    set(&mut self.auxiliary_name_scope, b, key, key_span, errors);
                }
            }
            Key::CreateScopeNow => {
                if let Some(b) = errors.take(values::boolean(k, &value)) {
                    set(&mut self.create_scope_now, b, key, key_span, errors);
                }
            }
            Key::Crate => {
                if let Some(path) = errors.take(values::crate_path(&value)) {
                    set(&mut self.krate, path, key, key_span, errors);
                }
            }
            Key::Shape => {
                let shape = match value {
                    Expr::Array(a) => RawShape::Array(a),
                    other => RawShape::Expr(other),
                };
                if self.shape.is_some() {
                    errors.error(key_span, "duplicate shape");
                } else {
                    self.shape = Some(shape);
                }
            }
            Key::Initializer => set(&mut self.initializer, value, key, key_span, errors),
            Key::Trainable => set(&mut self.trainable, value, key, key_span, errors),
            Key::CustomGetter => set(&mut self.custom_getter, value, key, key_span, errors),
            Key::Regularizer => set(&mut self.regularizer, value, key, key_span, errors),
            Key::Partitioner => set(&mut self.partitioner, value, key, key_span, errors),
            Key::ArgScope => set(&mut self.arg_scope, value, key, key_span, errors),
            Key::Template => unreachable!("a flag, read in `keyed`"),
        }
    }
}
