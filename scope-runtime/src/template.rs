//! Templates: TF's `make_template`. The first call creates the wrapped
//! code's variables in a uniquified scope; later calls re-enter that scope
//! with reuse, and a later call that creates a trainable variable fails.

use std::fmt;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::context::record_guard_error;
use crate::error::{Result, ScopeError};
use crate::getter::CustomGetter;
use crate::graph::Graph;
use crate::scope::{create_scope_now, default_variable_scope, variable_scope, VariableScopeGuard};
use crate::scope_object::{Reuse, VariableScope};

/// A template: shares the variables its first call created. Clones are the
/// same template.
#[derive(Clone)]
pub struct Template(Arc<Mutex<TemplateState>>);

/// TF's `Template` flags: `first_call` turns false when the first call
/// starts (and back to true if that call fails); `variables_created` turns
/// true when the first call succeeds. Calls made while the first call is
/// still running (a template calling itself) share without checks.
struct TemplateState {
    name: String,
    unique_name: Option<String>,
    scope: Option<VariableScope>,
    first_call: bool,
    variables_created: bool,
    /// `custom_getter_`: composed on the getter of the scope the template's
    /// scope is made in.
    custom_getter: Option<CustomGetter>,
}

/// Which of TF's three paths a call takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CallKind {
    /// The first call: creates the variables.
    First,
    /// A call after a successful first call: must not create trainables.
    Checked,
    /// A call while the first call is still running.
    Nested,
}

/// Options of `make_template`; `build()` makes the template.
#[derive(Clone, Debug)]
pub struct TemplateBuilder<'a> {
    name: Option<&'a str>,
    create_scope_now: bool,
    unique_name: Option<&'a str>,
    custom_getter: Option<CustomGetter>,
}

/// `tf.compat.v1.make_template(name, f)`.
pub fn make_template<'a>(name: impl Into<Option<&'a str>>) -> TemplateBuilder<'a> {
    TemplateBuilder {
        name: name.into(),
        create_scope_now: false,
        unique_name: None,
        custom_getter: None,
    }
}

impl<'a> TemplateBuilder<'a> {
    /// Make the variable scope now instead of at the first call.
    pub fn create_scope_now(mut self, now: bool) -> Self {
        self.create_scope_now = now;
        self
    }

    /// Use this scope name as given instead of uniquifying `name`.
    pub fn unique_name(mut self, unique_name: &'a str) -> Self {
        self.unique_name = Some(unique_name);
        self
    }

    /// TF's `custom_getter_`: a getter for the template's variables,
    /// composed on the getter of the scope its scope is made in (at
    /// construction with `create_scope_now`, else the first caller's).
    pub fn custom_getter(mut self, getter: CustomGetter) -> Self {
        self.custom_getter = Some(getter);
        self
    }

    pub fn build(self) -> Result<Template> {
        let Some(name) = self.name else {
            return Err(ScopeError::InvalidArgument(
                "make_template needs a name".to_string(),
            ));
        };
        let scope = if self.create_scope_now {
            Some(create_scope_now(
                name,
                self.unique_name,
                self.custom_getter.as_ref(),
            )?)
        } else {
            None
        };
        Ok(Template(Arc::new(Mutex::new(TemplateState {
            name: name.to_string(),
            unique_name: self.unique_name.map(str::to_string),
            scope,
            first_call: true,
            variables_created: false,
            custom_getter: self.custom_getter,
        }))))
    }
}

impl Template {
    /// The template's variable scope, once it has one.
    pub fn variable_scope(&self) -> Option<VariableScope> {
        self.0.lock().scope.clone()
    }

    /// The name given to `make_template`.
    pub fn name(&self) -> String {
        self.0.lock().name.clone()
    }

    /// Starts a call: enters the template's scope (creating it on the first
    /// call). Run the body, then `finish()` the call.
    pub fn enter(&self) -> Result<TemplateCall> {
        let mut state = self.0.lock();
        let graph = Graph::current();
        let trainable_before = graph.trainable_len();
        let guard = match &state.scope {
            Some(scope) => variable_scope(scope)
                .reuse(if state.first_call {
                    Reuse::False
                } else {
                    Reuse::True
                })
                .enter()?,
            None => {
                let mut builder = match &state.unique_name {
                    Some(unique) => variable_scope(unique.as_str()),
                    None => default_variable_scope(&state.name),
                };
                if let Some(g) = &state.custom_getter {
                    builder = builder.custom_getter(g.clone());
                }
                let guard = builder.enter()?;
                state.scope = Some(guard.scope().clone());
                guard
            }
        };
        let kind = if state.variables_created {
            CallKind::Checked
        } else if state.first_call {
            state.first_call = false;
            CallKind::First
        } else {
            CallKind::Nested
        };
        Ok(TemplateCall {
            template: self.clone(),
            guard: Some(guard),
            kind,
            trainable_before,
            graph,
        })
    }

    /// Calls `f` as the template's body: `enter`, `f`, `finish`.
    pub fn call<R>(&self, f: impl FnOnce() -> R) -> Result<R> {
        let call = self.enter()?;
        let out = f();
        call.finish()?;
        Ok(out)
    }
}

impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.0.lock();
        f.debug_struct("Template")
            .field("name", &state.name)
            .field("scope", &state.scope.as_ref().map(VariableScope::name))
            .finish()
    }
}

/// A template call in progress: the template's scope is entered.
#[must_use = "finish() the call to check that it created no new variables"]
pub struct TemplateCall {
    template: Template,
    guard: Option<VariableScopeGuard>,
    kind: CallKind,
    trainable_before: usize,
    graph: Graph,
}

impl TemplateCall {
    /// The scope the call runs in.
    pub fn scope(&self) -> &VariableScope {
        self.guard
            .as_ref()
            .map(VariableScopeGuard::scope)
            .expect("a TemplateCall holds its guard until finished")
    }

    /// Ends a call whose body succeeded: closes the scope and, on a call
    /// after the first, reports `TemplateVariableCreated` if trainable
    /// variables were created.
    pub fn finish(mut self) -> Result<()> {
        self.close(true)
    }

    /// Ends a call whose body failed. As in TF, a failed first call leaves
    /// the template as if it had never been called (the next call is the
    /// first), and no check is made.
    pub fn fail(mut self) {
        if let Err(e) = self.close(false) {
            record_guard_error(e);
        }
    }

    fn close(&mut self, body_ok: bool) -> Result<()> {
        let Some(guard) = self.guard.take() else {
            return Ok(());
        };
        let scope_name = guard.scope().name().to_string();
        let after = self.graph.trainable_len();
        let exited = guard.exit();
        match self.kind {
            CallKind::First => {
                let mut state = self.template.0.lock();
                if body_ok {
                    state.variables_created = true;
                } else {
                    state.first_call = true;
                }
            }
            CallKind::Checked if body_ok && after > self.trainable_before => {
                exited?;
                let created = self.graph.trainable_names_from(self.trainable_before);
                return Err(ScopeError::TemplateVariableCreated {
                    template: scope_name,
                    created,
                });
            }
            CallKind::Checked | CallKind::Nested => {}
        }
        exited
    }
}

impl Drop for TemplateCall {
    /// A call dropped without `finish` (an early `return`, `?`) counts as a
    /// successful body, and its check's error is reported by the next
    /// fallible call; during a panic it counts as a failed body.
    fn drop(&mut self) {
        if let Err(e) = self.close(!std::thread::panicking()) {
            record_guard_error(e);
        }
    }
}
