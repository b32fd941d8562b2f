//! `Graph::explain(name)`: where a variable's name came from — each
//! variable scope that gave a part of it (how it was opened and where),
//! which default-name counter or unique-name suffix gave a `_N`, and the
//! call that made the variable. Built from what the runtime records anyway:
//! every scope object knows its parent and its `enter()` call site, every
//! variable its creation scope.

use std::fmt;

use crate::error::{DefinedAt, Result, ScopeError};
use crate::graph::Graph;
use crate::scope_object::{OpenedBy, VariableScope};
use crate::variable::Variable;

/// One part of a variable's name and what produced it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamePart {
    /// The name text this part contributed (`"layer_1"`, `"w"`).
    pub text: String,
    /// What produced it, in words.
    pub source: String,
    /// Where in the user's code, when known.
    pub defined_at: Option<DefinedAt>,
}

/// The answer of [`Graph::explain`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub name: String,
    pub parts: Vec<NamePart>,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "`{}`:", self.name)?;
        for p in &self.parts {
            write!(f, "  {:<24} {}", p.text, p.source)?;
            match p.defined_at {
                Some(at) => writeln!(f, " (at {at})")?,
                None => writeln!(f)?,
            }
        }
        Ok(())
    }
}

impl Graph {
    /// Explains where the variable `name` (op name, `name:0`, or
    /// `get_variable` store key) got its name.
    pub fn explain(&self, name: &str) -> Result<Explanation> {
        let op = name.strip_suffix(":0").unwrap_or(name);
        let var = self
            .variable_by_op_name(op)
            .or_else(|| self.stored_variable(op))
            .ok_or_else(|| ScopeError::NotFound {
                name: op.to_string(),
                suggestions: scope_checkpoint::closest_names(
                    op,
                    self.variables().iter().map(Variable::op_name),
                ),
            })?;
        let mut parts = Vec::new();
        // A get_variable name is the variable scope's plus the asked name;
        // a tf.Variable name is the name stack's (`leaf_part`).
        if let (Some(scope), Some(_)) = (var.created_in(), var.store_key()) {
            scope_parts(scope, &mut parts);
        }
        leaf_part(&var, &mut parts);
        Ok(Explanation {
            name: var.name().to_string(),
            parts,
        })
    }
}

/// The parts the scope chain ending at `scope` contributed, outermost first.
fn scope_parts(scope: &VariableScope, parts: &mut Vec<NamePart>) {
    let origin = scope.origin();
    if origin.how == OpenedBy::Root {
        return;
    }
    let parent = origin.parent.as_ref();
    if origin.how == OpenedBy::Reentered {
        // The captured object gave the name; this entry only reopened it.
        if let Some(captured) = parent {
            scope_parts(captured, parts);
            if let Some(last) = parts.last_mut() {
                last.source.push_str(&format!(
                    "; re-entered here from the captured scope object{}",
                    origin.at.map(|at| format!(" at {at}")).unwrap_or_default()
                ));
            }
        }
        return;
    }
    let parent_name = parent.map_or("", |p| p.name());
    if let Some(p) = parent {
        scope_parts(p, parts);
    }
    let leaf = scope
        .name()
        .strip_prefix(parent_name)
        .map(|r| r.trim_start_matches('/'))
        .unwrap_or(scope.name())
        .to_string();
    let within = if parent_name.is_empty() {
        "the root".to_string()
    } else {
        format!("`{parent_name}`")
    };
    let source = match origin.how {
        OpenedBy::Name => format!("variable scope opened by name in {within}"),
        OpenedBy::DefaultName { base_len } => {
            let (base, suffix) = leaf.split_at(base_len.min(leaf.len()));
            if suffix.is_empty() {
                format!("default name `{base}`, the first so named in {within}")
            } else {
                format!(
                    "default name `{base}`; `{suffix}` from the default-name counter: \
                     `{base}` was already opened in {within}"
                )
            }
        }
        OpenedBy::Template => format!("template scope made in {within}"),
        OpenedBy::Root | OpenedBy::Reentered => unreachable!("handled above"),
    };
    parts.push(NamePart {
        text: leaf,
        source,
        defined_at: origin.at,
    });
}

/// The part the variable's own call contributed.
fn leaf_part(var: &Variable, parts: &mut Vec<NamePart>) {
    let op = var.op_name();
    match (var.store_key(), var.requested()) {
        (Some(key), _) => {
            let scope = var.created_in().map_or("", VariableScope::name);
            let asked = key
                .strip_prefix(scope)
                .map(|r| r.trim_start_matches('/'))
                .unwrap_or(key);
            let mut source = format!("the name asked of get_variable (store key `{key}`)");
            if op != key.trim_end_matches('/') {
                source.push_str(&format!(
                    "; its op is `{op}`: an op named `{key}` already existed, so the unique-name \
                     counter added a suffix"
                ));
            }
            parts.push(NamePart {
                text: asked.to_string(),
                source,
                defined_at: Some(var.defined_at()),
            });
        }
        (None, Some(asked)) => {
            let (stack, leaf) = op.rsplit_once('/').unwrap_or(("", op));
            if !stack.is_empty() {
                parts.push(NamePart {
                    text: stack.to_string(),
                    source: "the name scope current at creation (tf.Variable ignores variable \
                             scopes' names, not name scopes)"
                        .to_string(),
                    defined_at: None,
                });
            }
            let mut source = format!("tf.Variable asked for `{asked}`");
            if leaf != asked.trim_end_matches('/') {
                source.push_str(&format!(
                    "; `{}` from the unique-name counter: `{asked}` was taken in this name scope",
                    &leaf[asked.len().min(leaf.len())..]
                ));
            }
            parts.push(NamePart {
                text: leaf.to_string(),
                source,
                defined_at: Some(var.defined_at()),
            });
        }
        (None, None) => parts.push(NamePart {
            text: op.to_string(),
            source: "made by the runtime".to_string(),
            defined_at: Some(var.defined_at()),
        }),
    }
}
