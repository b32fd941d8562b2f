//! Name scopes and variable scopes: the builders and RAII guards that open
//! and close scopes. They are operations on the graph's name record
//! (`graph`) and on this thread's scope state (`context`); the scope object
//! itself is in `scope_object`.

use std::fmt;
use std::sync::Arc;

use crate::context::{
    close_frame, inspect_current, record_guard_error, with_current, Closing, CountsRestore,
    ScopeState, ThreadBound,
};
use crate::dtype::DType;
use crate::error::{DefinedAt, NameKind, Result, ScopeError};
use crate::getter::{CustomGetter, GetterChain};
use crate::graph::{Graph, GraphState};
use crate::init::Initializer;
use crate::names::validate;
use crate::partitioner::Partitioner;
use crate::regularizer::Regularizer;
use crate::scope_object::{OpenedBy, Origin, Reuse, ScopeExtras, VariableScope};

// ---------------------------------------------------------------------------
// Name scopes

/// Chooses the name stack and the returned scope string for
/// `name_scope(name)` (§4): root for `None`/`""`, absolute for a trailing
/// `/`, otherwise unique within the current stack. Validates first, so a bad
/// name records nothing.
fn scope_name(
    state: &mut GraphState,
    stack: &str,
    name: Option<&str>,
    kind: NameKind,
    buf: String,
) -> Result<(String, String)> {
    let new_stack = scope_stack(state, stack, name, kind, buf)?;
    let s = match name {
        Some(name) if name.ends_with('/') => name.to_string(),
        _ => stack_slash(&new_stack),
    };
    Ok((new_stack, s))
}

/// The name stack `name_scope(name)` opens (see `scope_name`).
/// `buf` is the buffer to write it in.
pub(crate) fn scope_stack(
    state: &mut GraphState,
    stack: &str,
    name: Option<&str>,
    kind: NameKind,
    mut buf: String,
) -> Result<String> {
    buf.clear();
    match name {
        None | Some("") => Ok(buf),
        Some(name) => {
            validate(name, stack.is_empty(), kind)?;
            Ok(match name.strip_suffix('/') {
                Some(absolute) => {
                    buf.push_str(absolute);
                    buf
                }
                None => state.unique_name_in(stack, name, buf),
            })
        }
    }
}

/// The scope string of a name stack: `"a/b/"`, or `""` at the root.
fn stack_slash(stack: &str) -> String {
    if stack.is_empty() {
        String::new()
    } else {
        let mut s = String::with_capacity(stack.len() + 1);
        s.push_str(stack);
        s.push('/');
        s
    }
}

fn open_name_scope(
    graph: &Graph,
    st: &mut ScopeState,
    name: Option<&str>,
    kind: NameKind,
) -> Result<(String, String)> {
    let buf = st.spare_string();
    scope_name(&mut graph.state_mut(), &st.name_stack, name, kind, buf)
}

/// Where a variable scope's original name scope comes from.
enum ScopeString<'n> {
    Empty,
    /// An absolute name scope given as is (`"a/b/"`).
    Given(&'n str),
    /// The name stack the scope runs in, plus `/` (`""` at the root).
    StackSlash,
}

/// What a name scope is opened by: a name, or `None` (the root, or the
/// builder's `default_name`).
#[derive(Clone, Copy, Debug, Default)]
pub struct NameScopeTarget<'a>(Option<&'a str>);

impl<'a> From<&'a str> for NameScopeTarget<'a> {
    fn from(s: &'a str) -> Self {
        NameScopeTarget(Some(s))
    }
}
impl<'a> From<&'a String> for NameScopeTarget<'a> {
    fn from(s: &'a String) -> Self {
        NameScopeTarget(Some(s))
    }
}
impl<'a> From<Option<&'a str>> for NameScopeTarget<'a> {
    fn from(s: Option<&'a str>) -> Self {
        NameScopeTarget(s)
    }
}

/// Options of a name scope, opened with `enter()`.
#[derive(Clone, Copy, Debug, Default)]
#[must_use = "call `.enter()` to open the name scope"]
pub struct NameScopeBuilder<'a> {
    name: Option<&'a str>,
    default_name: Option<&'a str>,
}

/// `tf.name_scope(name)`: configure, then `enter()`. `None` or `""` resets
/// to the root, a trailing `/` re-enters that scope exactly, anything else
/// opens a unique sub-scope.
///
/// ```
/// # use scope_runtime::{name_scope, Graph};
/// let graph = Graph::new();
/// let _default = graph.as_default();
/// let ns = name_scope("block").enter()?;
/// assert_eq!(ns.scope(), "block/");
/// # Ok::<(), scope_runtime::ScopeError>(())
/// ```
pub fn name_scope<'a>(name: impl Into<NameScopeTarget<'a>>) -> NameScopeBuilder<'a> {
    NameScopeBuilder {
        name: name.into().0,
        default_name: None,
    }
}

impl<'a> NameScopeBuilder<'a> {
    /// The name used when `name` is `None`.
    pub fn default_name(mut self, default_name: &'a str) -> Self {
        self.default_name = Some(default_name);
        self
    }

    /// Opens the scope until the guard drops.
    pub fn enter(self) -> Result<NameScopeGuard> {
        with_current(|graph, st| {
            let name = self.name.or(self.default_name);
            let (stack, scope) = open_name_scope(graph, st, name, NameKind::NameScope)?;
            let frame_id = st.push_frame(Some(stack), None, CountsRestore::Keep);
            Ok(NameScopeGuard {
                graph_id: graph.id(),
                frame_id,
                scope,
                closed: false,
                _thread: ThreadBound::default(),
            })
        })
    }
}

/// The current name scope, without trailing `/` (`get_name_scope()`).
pub fn get_name_scope() -> String {
    inspect_current(|_, st| st.name_stack.clone())
}

/// A live name scope. Dropping it restores the previous name scope.
#[must_use = "the scope closes when the guard is dropped"]
pub struct NameScopeGuard {
    graph_id: u64,
    frame_id: u64,
    scope: String,
    closed: bool,
    _thread: ThreadBound,
}

impl NameScopeGuard {
    /// The scope string TF returns (`"a/b_1/"`, or `""` at the root).
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// Closes the scope now, reporting a guard-order error if inner guards
    /// were still alive.
    pub fn exit(mut self) -> Result<()> {
        self.closed = true;
        close_frame(
            self.graph_id,
            self.frame_id,
            Closing::NameScope(&self.scope),
        )
    }
}

impl Drop for NameScopeGuard {
    fn drop(&mut self) {
        if !self.closed {
            if let Err(e) = close_frame(
                self.graph_id,
                self.frame_id,
                Closing::NameScope(&self.scope),
            ) {
                record_guard_error(e);
            }
        }
    }
}

impl fmt::Debug for NameScopeGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NameScopeGuard")
            .field("scope", &self.scope)
            .finish()
    }
}

// ---------------------------------------------------------------------------
// Variable scopes

/// What a variable scope is opened by: a name, a captured scope object, or
/// nothing (then a `default_name` is required).
#[derive(Clone, Copy, Debug)]
pub enum ScopeTarget<'a> {
    Name(&'a str),
    Scope(&'a VariableScope),
    Unnamed,
}

impl<'a> From<&'a str> for ScopeTarget<'a> {
    fn from(s: &'a str) -> Self {
        ScopeTarget::Name(s)
    }
}
impl<'a> From<&'a String> for ScopeTarget<'a> {
    fn from(s: &'a String) -> Self {
        ScopeTarget::Name(s)
    }
}
impl<'a> From<&'a VariableScope> for ScopeTarget<'a> {
    fn from(s: &'a VariableScope) -> Self {
        ScopeTarget::Scope(s)
    }
}
impl<'a> From<Option<&'a str>> for ScopeTarget<'a> {
    fn from(s: Option<&'a str>) -> Self {
        s.map_or(ScopeTarget::Unnamed, ScopeTarget::Name)
    }
}

/// Options of a variable scope, opened with `enter()`.
#[derive(Clone, Debug)]
#[must_use = "call `.enter()` to open the variable scope"]
pub struct VariableScopeBuilder<'a> {
    target: ScopeTarget<'a>,
    default_name: Option<&'a str>,
    reuse: Reuse,
    initializer: Option<Initializer>,
    dtype: Option<DType>,
    auxiliary_name_scope: bool,
    partitioner: Option<Partitioner>,
    regularizer: Option<Regularizer>,
    custom_getter: Option<CustomGetter>,
}

/// `tf.compat.v1.variable_scope(target)`: configure, then `enter()`.
pub fn variable_scope<'a>(target: impl Into<ScopeTarget<'a>>) -> VariableScopeBuilder<'a> {
    VariableScopeBuilder {
        target: target.into(),
        default_name: None,
        reuse: Reuse::False,
        initializer: None,
        dtype: None,
        auxiliary_name_scope: true,
        partitioner: None,
        regularizer: None,
        custom_getter: None,
    }
}

/// `variable_scope(None, default_name = d)`: a scope named `d`, `d_1`, ...
pub fn default_variable_scope(default_name: &str) -> VariableScopeBuilder<'_> {
    variable_scope(ScopeTarget::Unnamed).default_name(default_name)
}

impl<'a> VariableScopeBuilder<'a> {
    /// The name used when the target is `Unnamed`, uniquified per parent scope.
    pub fn default_name(mut self, default_name: &'a str) -> Self {
        self.default_name = Some(default_name);
        self
    }

    /// `true` / `Reuse::True` shares, `Reuse::Auto` shares or creates;
    /// `false` inherits the parent's reuse (as in TF).
    pub fn reuse(mut self, reuse: impl Into<Reuse>) -> Self {
        self.reuse = reuse.into();
        self
    }

    /// The default initializer for `get_variable` inside the scope.
    pub fn initializer(mut self, initializer: impl Into<Initializer>) -> Self {
        self.initializer = Some(initializer.into());
        self
    }

    /// The default dtype for `get_variable` inside the scope.
    pub fn dtype(mut self, dtype: DType) -> Self {
        self.dtype = Some(dtype);
        self
    }

    /// `false`: do not open a name scope of the same name.
    pub fn auxiliary_name_scope(mut self, open: bool) -> Self {
        self.auxiliary_name_scope = open;
        self
    }

    /// The partitioner for `get_variable` inside the scope (replaces the
    /// inherited one).
    pub fn partitioner(mut self, partitioner: Partitioner) -> Self {
        self.partitioner = Some(partitioner);
        self
    }

    /// The regularizer for variables created inside the scope (replaces the
    /// inherited one; `Regularizer::none()` turns it off).
    pub fn regularizer(mut self, regularizer: Regularizer) -> Self {
        self.regularizer = Some(regularizer);
        self
    }

    /// A custom getter, composed on the inherited one: requests inside the
    /// scope call it first, and its next getter is the enclosing scope's.
    pub fn custom_getter(mut self, getter: CustomGetter) -> Self {
        self.custom_getter = Some(getter);
        self
    }

    /// The new scope's partitioner, regularizer and getter, from the
    /// scope it inherits from (TF copies them when the scope opens).
    fn inherit(&self, from: &VariableScope) -> ScopeExtras {
        let mut extras = from.extras();
        if let Some(p) = &self.partitioner {
            extras.partitioner = Some(p.clone());
        }
        if let Some(r) = &self.regularizer {
            extras.regularizer = Some(r.clone());
        }
        if let Some(g) = &self.custom_getter {
            extras.getter = Some(GetterChain::compose(g.clone(), extras.getter.take()));
        }
        extras
    }

    /// Opens the scope until the guard drops.
    #[track_caller]
    pub fn enter(self) -> Result<VariableScopeGuard> {
        self.enter_at(crate::call_site::defined_at(std::panic::Location::caller()))
    }

    /// `enter`, recording `at` as where the scope was opened (`explain`).
    pub(crate) fn enter_at(self, at: DefinedAt) -> Result<VariableScopeGuard> {
        let at = Some(at);
        with_current(|graph, st| {
            let explicit_reuse = match self.reuse {
                Reuse::False => None,
                other => Some(other),
            };
            let initializer = self.initializer.clone().map(Arc::new);
            let (scope, stack, counts) = match self.target {
                ScopeTarget::Scope(captured) => {
                    let leaf = captured.name().rsplit('/').next().unwrap_or("");
                    let stack = if self.auxiliary_name_scope && !leaf.is_empty() {
                        let buf = st.spare_string();
                        Some(scope_stack(
                            &mut graph.state_mut(),
                            &st.name_stack,
                            Some(leaf),
                            NameKind::VariableScope,
                            buf,
                        )?)
                    } else {
                        None
                    };
                    let scope = VariableScope::new(
                        &[captured.name()],
                        &[captured.original_name_scope()],
                        explicit_reuse.unwrap_or_else(|| captured.reuse()),
                        initializer.or_else(|| captured.initializer_arc().cloned()),
                        self.dtype.unwrap_or(captured.dtype()),
                        self.inherit(captured),
                        Origin {
                            how: OpenedBy::Reentered,
                            at,
                            parent: Some(captured.clone()),
                        },
                    );
                    st.count_open(captured.name());
                    let snapshot = CountsRestore::Snapshot(st.counts.clone());
                    (scope, stack, snapshot)
                }
                ScopeTarget::Name(name) => {
                    let (stack, s) = self.open_auxiliary(graph, st, name)?;
                    let extras = self.inherit(&st.var_scope);
                    let (scope, had_children) = by_name(
                        st,
                        name,
                        stack.as_deref(),
                        s,
                        explicit_reuse,
                        initializer,
                        self.dtype,
                        extras,
                        Origin {
                            how: OpenedBy::Name,
                            at,
                            parent: None,
                        },
                    );
                    (scope, stack, st.reset_on_close(had_children))
                }
                ScopeTarget::Unnamed => {
                    let Some(default_name) = self.default_name else {
                        return Err(ScopeError::InvalidArgument(
                            "variable_scope needs a name, a captured scope or a default_name"
                                .to_string(),
                        ));
                    };
                    if explicit_reuse.is_some() {
                        return Err(ScopeError::InvalidArgument(format!(
                            "variable_scope with default_name `{default_name}` cannot take \
                             reuse = {}: a default-named scope is new by definition; \
                             give it an explicit name to reuse it",
                            self.reuse
                        )));
                    }
                    // Unlike a name, an empty default name still opens
                    // name_scope(""), which resets to the root.
                    let (stack, s) = if self.auxiliary_name_scope && default_name.is_empty() {
                        (Some(String::new()), ScopeString::Empty)
                    } else {
                        self.open_auxiliary(graph, st, default_name)?
                    };
                    let leaf = st.default_leaf(default_name);
                    let extras = self.inherit(&st.var_scope);
                    let (scope, had_children) = by_name(
                        st,
                        &leaf,
                        stack.as_deref(),
                        s,
                        None,
                        initializer,
                        self.dtype,
                        extras,
                        Origin {
                            how: OpenedBy::DefaultName {
                                base_len: default_name.len(),
                            },
                            at,
                            parent: None,
                        },
                    );
                    (scope, stack, st.reset_on_close(had_children))
                }
            };
            let frame_id = st.push_frame(stack, Some(scope.clone()), counts);
            Ok(VariableScopeGuard {
                graph_id: graph.id(),
                frame_id,
                scope: Some(scope),
                _thread: ThreadBound::default(),
            })
        })
    }

    /// The name stack a scope opened by name opens (§7; `None`: unchanged),
    /// and where its string `s` comes from.
    fn open_auxiliary<'n>(
        &self,
        graph: &Graph,
        st: &mut ScopeState,
        name: &'n str,
    ) -> Result<(Option<String>, ScopeString<'n>)> {
        if !self.auxiliary_name_scope {
            Ok((None, ScopeString::StackSlash))
        } else if name.is_empty() {
            Ok((None, ScopeString::Empty))
        } else {
            let buf = st.spare_string();
            let stack = scope_stack(
                &mut graph.state_mut(),
                &st.name_stack,
                Some(name),
                NameKind::VariableScope,
                buf,
            )?;
            let s = if name.ends_with('/') {
                ScopeString::Given(name)
            } else {
                ScopeString::StackSlash
            };
            Ok((Some(stack), s))
        }
    }
}

/// Makes the scope object for a scope opened by name (or default name) under
/// the current scope, and counts it as opened; also returns whether the
/// scope already had counted sub-scopes.
#[allow(clippy::too_many_arguments)]
fn by_name(
    st: &mut ScopeState,
    leaf: &str,
    new_stack: Option<&str>,
    s: ScopeString<'_>,
    explicit_reuse: Option<Reuse>,
    initializer: Option<Arc<Initializer>>,
    dtype: Option<DType>,
    extras: ScopeExtras,
    mut origin: Origin,
) -> (VariableScope, bool) {
    let spare = st.spare_scope();
    let parent = &st.var_scope;
    origin.parent = Some(parent.clone());
    let sep = if parent.name().is_empty() { "" } else { "/" };
    let stack = new_stack.unwrap_or(&st.name_stack);
    let ons: [&str; 2] = match s {
        ScopeString::Empty => ["", ""],
        ScopeString::Given(given) => [given, ""],
        ScopeString::StackSlash if stack.is_empty() => ["", ""],
        ScopeString::StackSlash => [stack, "/"],
    };
    let scope = VariableScope::renew(
        spare,
        &[parent.name(), sep, leaf],
        &ons,
        explicit_reuse.unwrap_or_else(|| parent.reuse()),
        initializer.or_else(|| parent.initializer_arc().cloned()),
        dtype.unwrap_or(parent.dtype()),
        extras,
        origin,
    );
    let had_children = st.count_open(scope.name());
    (scope, had_children)
}

/// The current variable scope object (`tf.compat.v1.get_variable_scope()`).
pub fn get_variable_scope() -> VariableScope {
    inspect_current(|_, st| st.var_scope.clone())
}

/// `get_variable_scope().reuse_variables()`.
pub fn reuse_variables() {
    get_variable_scope().reuse_variables();
}

/// A live variable scope. Dropping it restores the previous variable scope
/// and name scope.
#[must_use = "the scope closes when the guard is dropped"]
pub struct VariableScopeGuard {
    graph_id: u64,
    frame_id: u64,
    /// `Some` until the guard closes.
    scope: Option<VariableScope>,
    _thread: ThreadBound,
}

impl VariableScopeGuard {
    /// The scope object (`as vs`).
    pub fn scope(&self) -> &VariableScope {
        self.scope
            .as_ref()
            .expect("a VariableScopeGuard holds its scope until it closes")
    }

    /// Closes the scope now, reporting a guard-order error if inner guards
    /// were still alive.
    pub fn exit(mut self) -> Result<()> {
        self.close()
    }

    fn close(&mut self) -> Result<()> {
        match self.scope.take() {
            Some(scope) => close_frame(self.graph_id, self.frame_id, Closing::VariableScope(scope)),
            None => Ok(()),
        }
    }
}

impl Drop for VariableScopeGuard {
    fn drop(&mut self) {
        if let Err(e) = self.close() {
            record_guard_error(e);
        }
    }
}

impl fmt::Debug for VariableScopeGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VariableScopeGuard")
            .field("scope", &self.scope)
            .finish()
    }
}

/// For templates: makes a scope at once without opening a name scope
/// (`make_template(..., create_scope_now_=True)`, §11).
#[track_caller]
pub(crate) fn create_scope_now(
    default_name: &str,
    unique_name: Option<&str>,
    custom_getter: Option<&CustomGetter>,
) -> Result<VariableScope> {
    let at = Some(crate::call_site::defined_at(std::panic::Location::caller()));
    with_current(|_, st| {
        let leaf = match unique_name {
            Some(u) => u.to_string(),
            None => st.default_leaf(default_name),
        };
        let parent = &st.var_scope;
        let sep = if parent.name().is_empty() { "" } else { "/" };
        let scope = VariableScope::new(
            &[parent.name(), sep, &leaf],
            &[&leaf],
            parent.reuse(),
            parent.initializer_arc().cloned(),
            DType::F32,
            template_extras(parent, custom_getter),
            Origin {
                how: OpenedBy::Template,
                at,
                parent: Some(parent.clone()),
            },
        );
        st.count_open(scope.name());
        st.counts.reset_under(scope.name());
        Ok(scope)
    })
}

/// A template's scope inherits the caller's partitioner, regularizer and
/// getter, with the template's own getter composed on them.
pub(crate) fn template_extras(
    parent: &VariableScope,
    custom_getter: Option<&CustomGetter>,
) -> ScopeExtras {
    let mut extras = parent.extras();
    if let Some(g) = custom_getter {
        extras.getter = Some(GetterChain::compose(g.clone(), extras.getter.take()));
    }
    extras
}
