//! Checked specs: what `valid/` hands to `expand/`. Their types carry the
//! checks (a template's name is a literal, a scope has a name or a default
//! name, a function that needs `?` returns a `Result`), so expansion never
//! checks again.

use proc_macro2::{Group, Span, TokenStream};
use syn::{Expr, LitBool, LitStr};

use crate::item::ItemFn;
pub use crate::read::Name;
pub use crate::values::{DTypeName, ReuseMode};

/// The options every spec has.
pub struct Common {
    /// The path of scope-runtime (`::scope_runtime` unless `crate = ...`).
    pub krate: TokenStream,
}

/// A checked variable scope. `name` or `default_name` is set.
pub struct VariableScopeSpec {
    pub name: Option<Name>,
    pub default_name: Option<LitStr>,
    pub reuse: Option<(Span, ReuseMode)>,
    pub initializer: Option<Expr>,
    pub dtype: Option<(Span, DTypeName)>,
    pub auxiliary_name_scope: Option<LitBool>,
    pub custom_getter: Option<Expr>,
    pub regularizer: Option<Expr>,
    pub partitioner: Option<Expr>,
    /// A slim `ArgScope` (or `&ArgScope`) entered inside the scope.
    pub arg_scope: Option<Expr>,
    pub common: Common,
}

/// A checked name scope. `name` or `default_name` is set.
pub struct NameScopeSpec {
    pub name: Option<Name>,
    pub default_name: Option<LitStr>,
    pub arg_scope: Option<Expr>,
    pub common: Common,
}

/// A checked template: its name is a valid literal.
pub struct TemplateSpec {
    pub name: LitStr,
    pub unique_name: Option<LitStr>,
    pub create_scope_now: Option<LitBool>,
    /// TF's `custom_getter_`: evaluated once per graph, when the template
    /// is made.
    pub custom_getter: Option<Expr>,
    /// The span `?` is given: the function's return type, or the segment.
    pub question_span: Span,
    pub common: Common,
}

/// One layer around a body, outermost first.
pub enum Layer {
    VariableScope(Box<VariableScopeSpec>),
    NameScope(NameScopeSpec),
    Template(TemplateSpec),
}

impl Layer {
    /// The name computed at run time, if any (entering is then fallible).
    pub fn runtime_name(&self) -> Option<&Expr> {
        let name = match self {
            Layer::VariableScope(s) => &s.name,
            Layer::NameScope(s) => &s.name,
            Layer::Template(_) => return None,
        };
        match name {
            Some(Name::Runtime(e)) => Some(e),
            _ => None,
        }
    }
}

/// A checked annotated function: its layers (this attribute's and the
/// scope attributes below it), and a signature that can return what the
/// layers need to return.
pub struct FnSpec<'a> {
    pub f: &'a ItemFn,
    pub layers: Vec<Layer>,
}

/// A checked `scope!`.
pub struct ScopeSpec {
    pub layers: Vec<Layer>,
    pub body: Group,
}

/// A checked shape of `get_variable!`.
pub enum Shape {
    /// `[3, 4]`: every dimension known.
    Known(Vec<Expr>, Span),
    /// `[None, 3]`: some dimension unknown (`None` or `_`).
    Partial(Vec<Option<Expr>>, Span),
    /// `shape = dims`: anything `AsRef<[usize]>`.
    Expr(Expr),
}

/// A checked `get_variable!`.
pub struct GetVariableSpec {
    pub name: Name,
    pub shape: Option<Shape>,
    pub dtype: Option<(Span, DTypeName)>,
    pub initializer: Option<Expr>,
    pub trainable: Option<Expr>,
    pub custom_getter: Option<Expr>,
    pub regularizer: Option<Expr>,
    pub partitioner: Option<Expr>,
    pub common: Common,
}
