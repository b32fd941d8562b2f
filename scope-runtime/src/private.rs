//! Support code for the expansions of `scope-macros`. Not a public API: no
//! semver promise; only macro expansions should call it.
//!
//! The expansions reach everything through `::scope_runtime::__private::...`
//! (or the path given with `crate = "..."`), so a user crate needs no `use`.

use std::borrow::Cow;
use std::rc::Rc;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use crate::context::{record_guard_error, with_pending_set_aside};
use crate::error::Result;
use crate::getter::CustomGetter;
use crate::graph::{Graph, GraphInner};
use crate::scope::{NameScopeBuilder, NameScopeGuard, VariableScopeBuilder, VariableScopeGuard};
use crate::scope_object::VariableScope;
use crate::template::{make_template, Template, TemplateCall};

// What the expansions name, and nothing else (`scope-macros/src/expand/`).
pub use crate::dtype::DType;
pub use crate::get_variable::get_variable;
pub use crate::scope::{name_scope, variable_scope, ScopeTarget};
pub use crate::scope_object::Reuse;

/// Enters a variable scope whose options were all checked at compile time
/// (a literal, valid name; no `reuse` with a default name), so entering
/// cannot fail on its own account.
///
/// A guard-order error pending on this thread is left pending: the next
/// fallible call reports it. Should entering fail anyway, the error is
/// recorded the same way (and the body runs without the scope), so the
/// user's next `get_variable(..).get()` or `Variable::new` returns it before
/// anything is named: no panic, and no silently wrong name.
#[track_caller]
pub fn enter_variable_scope(builder: VariableScopeBuilder<'_>) -> Option<VariableScopeGuard> {
    let at = crate::error::DefinedAt(std::panic::Location::caller());
    match with_pending_set_aside(|| builder.enter_at(at)) {
        Ok(guard) => Some(guard),
        Err(err) => {
            record_guard_error(err);
            None
        }
    }
}

/// The name-scope counterpart of [`enter_variable_scope`].
pub fn enter_name_scope(scope: NameScopeBuilder<'_>) -> Option<NameScopeGuard> {
    match with_pending_set_aside(|| scope.enter()) {
        Ok(guard) => Some(guard),
        Err(err) => {
            record_guard_error(err);
            None
        }
    }
}

/// `arg_scope = sc` of a scope macro: re-enters the captured slim arg
/// scope until the guard drops.
pub fn enter_arg_scope(
    scope: impl std::borrow::Borrow<crate::slim::ArgScope>,
) -> crate::slim::ArgScopeGuard {
    crate::slim::reenter_arg_scope(scope.borrow())
}

/// What a run-time name of a name scope (`#[name_scope(name = ...)]`) may be:
/// a string of any kind, a reference to one, or an `Option` of one (`None`
/// falls back to the default name).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot name a name scope",
    label = "expected a string (`&str`, `String`, ...) or an `Option` of one",
    note = "the `name = ...` option of #[name_scope] and scope!(name_scope(..)) takes a string"
)]
pub trait ScopeName {
    fn scope_name(&self) -> Option<&str>;
}

/// What a run-time name of a variable scope (`#[variable_scope(name = ...)]`)
/// may be: a string (or reference, or `Option` of one), or a captured
/// [`VariableScope`] to re-enter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot name a variable scope",
    label = "expected a string (`&str`, `String`, ...), an `Option` of one, or a `VariableScope`",
    note = "the `name = ...` option of #[variable_scope] and scope!(variable_scope(..)) takes a string or a captured scope"
)]
pub trait VariableScopeName {
    fn scope_target(&self) -> ScopeTarget<'_>;
}

macro_rules! string_names {
    ($($ty:ty),* $(,)?) => {$(
        impl ScopeName for $ty {
            fn scope_name(&self) -> Option<&str> {
                Some(self)
            }
        }
        impl VariableScopeName for $ty {
            fn scope_target(&self) -> ScopeTarget<'_> {
                ScopeTarget::Name(self)
            }
        }
    )*};
}

string_names!(str, String, Cow<'_, str>, Box<str>, Rc<str>, Arc<str>);

impl<T: ScopeName + ?Sized> ScopeName for &T {
    fn scope_name(&self) -> Option<&str> {
        (**self).scope_name()
    }
}
impl<T: ScopeName + ?Sized> ScopeName for &mut T {
    fn scope_name(&self) -> Option<&str> {
        (**self).scope_name()
    }
}
impl<T: ScopeName> ScopeName for Option<T> {
    fn scope_name(&self) -> Option<&str> {
        self.as_ref().and_then(ScopeName::scope_name)
    }
}

impl VariableScopeName for VariableScope {
    fn scope_target(&self) -> ScopeTarget<'_> {
        ScopeTarget::Scope(self)
    }
}
impl<T: VariableScopeName + ?Sized> VariableScopeName for &T {
    fn scope_target(&self) -> ScopeTarget<'_> {
        (**self).scope_target()
    }
}
impl<T: VariableScopeName + ?Sized> VariableScopeName for &mut T {
    fn scope_target(&self) -> ScopeTarget<'_> {
        (**self).scope_target()
    }
}
impl<T: VariableScopeName> VariableScopeName for Option<T> {
    fn scope_target(&self) -> ScopeTarget<'_> {
        self.as_ref()
            .map_or(ScopeTarget::Unnamed, VariableScopeName::scope_target)
    }
}

/// The name-scope name of a `name = ...` value.
pub fn scope_name<T: ScopeName + ?Sized>(name: &T) -> Option<&str> {
    name.scope_name()
}

/// The variable-scope target of a `name = ...` value.
pub fn scope_target<T: VariableScopeName + ?Sized>(name: &T) -> ScopeTarget<'_> {
    name.scope_target()
}

/// The templates of one `#[template]` function: one per graph, made on the
/// function's first call in that graph (TF's `make_template`, called once
/// per graph). Entries of dropped graphs are pruned.
pub struct TemplateCell {
    templates: Mutex<Vec<(Weak<GraphInner>, Template)>>,
}

impl TemplateCell {
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        TemplateCell {
            templates: Mutex::new(Vec::new()),
        }
    }

    /// The template of the current default graph, made on first use.
    /// `custom_getter` is called only when the template is made.
    pub fn template(
        &self,
        name: &str,
        unique_name: Option<&str>,
        create_scope_now: bool,
        custom_getter: impl FnOnce() -> Option<CustomGetter>,
    ) -> Result<Template> {
        let graph = Graph::current();
        let mut templates = self
            .templates
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        templates.retain(|(g, _)| g.strong_count() > 0);
        let found = templates
            .iter()
            .find(|(g, _)| std::ptr::eq(g.as_ptr(), Arc::as_ptr(&graph.inner)));
        if let Some((_, template)) = found {
            return Ok(template.clone());
        }
        let mut builder = make_template(name).create_scope_now(create_scope_now);
        if let Some(unique) = unique_name {
            builder = builder.unique_name(unique);
        }
        if let Some(getter) = custom_getter() {
            builder = builder.custom_getter(getter);
        }
        let template = builder.build()?;
        templates.push((Arc::downgrade(&graph.inner), template.clone()));
        Ok(template)
    }

    /// Starts a call of a `scope!(template(..))` block: enters its
    /// template's scope.
    pub fn enter(
        &self,
        name: &str,
        unique_name: Option<&str>,
        create_scope_now: bool,
        custom_getter: impl FnOnce() -> Option<CustomGetter>,
    ) -> Result<TemplateCall> {
        self.template(name, unique_name, create_scope_now, custom_getter)?
            .enter()
    }

    /// Starts a call of a `#[template]` function.
    pub fn enter_body(
        &self,
        name: &str,
        unique_name: Option<&str>,
        create_scope_now: bool,
        custom_getter: impl FnOnce() -> Option<CustomGetter>,
    ) -> Result<TemplateBody> {
        let call = self.enter(name, unique_name, create_scope_now, custom_getter)?;
        Ok(TemplateBody(Some(call)))
    }
}

/// A call of a `#[template]` function. Finished with the body's value (the
/// end of the body, or a `return`); dropped unfinished (the body left with
/// `?`, or panicked) it is a failed call, as an exception is in TF.
pub struct TemplateBody(Option<TemplateCall>);

impl TemplateBody {
    /// Ends the call after the body produced `out`: an `Ok` body gets the
    /// call's own check (`TemplateVariableCreated`), an `Err` body keeps its
    /// error (the call is still closed).
    pub fn finish<T, E>(mut self, out: &std::result::Result<T, E>) -> Result<()> {
        let Some(call) = self.0.take() else {
            return Ok(());
        };
        if out.is_ok() {
            call.finish()
        } else {
            call.fail();
            Ok(())
        }
    }
}

impl Drop for TemplateBody {
    fn drop(&mut self) {
        if let Some(call) = self.0.take() {
            call.fail();
        }
    }
}
