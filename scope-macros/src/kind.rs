//! The one "kind" enum: what a macro use makes (a variable scope, a name
//! scope, a template, a variable), where it was written, and which options
//! each kind takes there.

use syn::Attribute;

use crate::grammar::Key;

/// What the options are for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    VariableScope,
    NameScope,
    Template,
    GetVariable,
}

/// Where the options were written, for messages and the options a site
/// takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Site {
    Attribute,
    ScopeMacro,
    GetVariableMacro,
}

impl Kind {
    /// How the user wrote it, for messages.
    pub fn display(self, site: Site) -> &'static str {
        match (self, site) {
            (Kind::VariableScope, Site::ScopeMacro) => "scope!(variable_scope(..))",
            (Kind::NameScope, Site::ScopeMacro) => "scope!(name_scope(..))",
            (Kind::Template, Site::ScopeMacro) => "scope!(template(..))",
            (Kind::VariableScope, _) => "#[variable_scope]",
            (Kind::NameScope, _) => "#[name_scope]",
            (Kind::Template, _) => "#[template]",
            (Kind::GetVariable, _) => "get_variable!",
        }
    }

    /// What a name of this kind names, for name errors.
    pub fn what(self) -> &'static str {
        match self {
            Kind::VariableScope | Kind::NameScope => "scope",
            Kind::Template => "template",
            Kind::GetVariable => "variable",
        }
    }

    /// Whether `key` is an option of this kind at `site`.
    pub fn takes(self, site: Site, key: Key) -> bool {
        use Key::*;
        match self {
            Kind::VariableScope => match key {
                Name | DefaultName | Reuse | Initializer | Dtype | AuxiliaryNameScope
                | CustomGetter | Regularizer | Partitioner | ArgScope | Crate => true,
                // `#[variable_scope(.., template)]` is `#[template]`.
                Template | UniqueName | CreateScopeNow => site == Site::Attribute,
                Shape | Trainable => false,
            },
            Kind::NameScope => matches!(key, Name | DefaultName | ArgScope | Crate),
            Kind::Template => matches!(
                key,
                Name | UniqueName | CreateScopeNow | CustomGetter | Crate
            ),
            Kind::GetVariable => matches!(
                key,
                Name | Shape
                    | Dtype
                    | Initializer
                    | Trainable
                    | CustomGetter
                    | Regularizer
                    | Partitioner
                    | Crate
            ),
        }
    }

    /// The scope attribute an attribute is, if it is one of this crate's
    /// (`#[variable_scope]`, `#[scope_runtime::template]`, ...).
    pub fn of_attribute(attr: &Attribute) -> Option<Kind> {
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
            "variable_scope" => Some(Kind::VariableScope),
            "name_scope" => Some(Kind::NameScope),
            "template" => Some(Kind::Template),
            _ => None,
        }
    }
}
