//! Name scopes and variable scopes: the per-thread scope stacks, the
//! `VariableScope` object, and the RAII guards that open and close scopes.
//!
//! Each thread has, for each graph it touches, a name stack, a current
//! variable scope, the per-parent open counts used for default names, and a
//! stack of frames (one per live guard). Dropping a guard pops its frame and
//! restores exactly what was there before, also during a panic unwind.

use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Weak};

use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::error::{NameKind, Result, ScopeError};
use crate::graph::{process_default, Graph, GraphInner, GraphState};
use crate::init::Initializer;
use crate::names::{join, validate};
use crate::tensor::DType;

// ---------------------------------------------------------------------------
// Reuse

/// A variable scope's reuse mode (TF1's `reuse=False | True | AUTO_REUSE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Reuse {
    /// `get_variable` creates; an existing name is `AlreadyExists`.
    #[default]
    False,
    /// `get_variable` shares; a missing name is `NotFound`.
    True,
    /// `get_variable` shares an existing variable or creates a missing one.
    Auto,
}

impl From<bool> for Reuse {
    fn from(b: bool) -> Self {
        if b {
            Reuse::True
        } else {
            Reuse::False
        }
    }
}

impl Reuse {
    fn to_u8(self) -> u8 {
        self as u8
    }
    fn from_u8(v: u8) -> Reuse {
        match v {
            1 => Reuse::True,
            2 => Reuse::Auto,
            _ => Reuse::False,
        }
    }
}

impl fmt::Display for Reuse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reuse::False => "false",
            Reuse::True => "true",
            Reuse::Auto => "auto",
        })
    }
}

// ---------------------------------------------------------------------------
// VariableScope

/// A variable scope object (TF1's `VariableScope`, what `variable_scope(...)
/// as vs` binds). Cheap to clone; clones are the same object, so
/// `reuse_variables()` on one is seen by all.
#[derive(Clone)]
pub struct VariableScope(Arc<ScopeInner>);

struct ScopeInner {
    /// The name followed by the original name scope, in one allocation.
    text: String,
    name_len: usize,
    reuse: AtomicU8,
    initializer: Option<Arc<Initializer>>,
    dtype: DType,
}

impl VariableScope {
    /// A scope whose name is the concatenation of `name` and whose
    /// original name scope is the concatenation of `original_name_scope`.
    pub(crate) fn new(
        name: &[&str],
        original_name_scope: &[&str],
        reuse: Reuse,
        initializer: Option<Arc<Initializer>>,
        dtype: DType,
    ) -> Self {
        let len: usize = name
            .iter()
            .chain(original_name_scope)
            .map(|p| p.len())
            .sum();
        let mut text = String::with_capacity(len);
        name.iter().for_each(|p| text.push_str(p));
        let name_len = text.len();
        original_name_scope.iter().for_each(|p| text.push_str(p));
        VariableScope(Arc::new(ScopeInner {
            text,
            name_len,
            reuse: AtomicU8::new(reuse.to_u8()),
            initializer,
            dtype,
        }))
    }

    fn root() -> Self {
        VariableScope::new(&[], &[], Reuse::False, None, DType::F32)
    }

    /// The scope's name: the prefix of every `get_variable` inside it.
    pub fn name(&self) -> &str {
        &self.0.text[..self.0.name_len]
    }

    /// The name scope opened when the scope was first entered (`"a/"`).
    pub fn original_name_scope(&self) -> &str {
        &self.0.text[self.0.name_len..]
    }

    pub fn reuse(&self) -> Reuse {
        Reuse::from_u8(self.0.reuse.load(Ordering::Relaxed))
    }

    /// The initializer `get_variable` uses inside this scope when none is given.
    pub fn initializer(&self) -> Option<&Initializer> {
        self.0.initializer.as_deref()
    }

    pub(crate) fn initializer_arc(&self) -> Option<&Arc<Initializer>> {
        self.0.initializer.as_ref()
    }

    /// The dtype `get_variable` uses inside this scope when none is given.
    pub fn dtype(&self) -> DType {
        self.0.dtype
    }

    /// Sets reuse to `true` on this scope object (TF's `reuse_variables()`).
    pub fn reuse_variables(&self) {
        self.0.reuse.store(Reuse::True.to_u8(), Ordering::Relaxed);
    }

    /// Whether two handles are the same scope object.
    pub fn same_object(&self, other: &VariableScope) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for VariableScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VariableScope")
            .field("name", &self.name())
            .field("original_name_scope", &self.original_name_scope())
            .field("reuse", &self.reuse())
            .field("dtype", &self.dtype())
            .field("initializer", &self.initializer())
            .finish()
    }
}

// ---------------------------------------------------------------------------
// Per-thread state

/// Variable-scope open counts, as a tree over `/`-separated components so
/// that closing a scope resets its whole subtree in O(1).
#[derive(Clone, Default)]
pub(crate) struct CountNode {
    count: u64,
    children: hashbrown::HashMap<String, CountNode, FxBuildHasher>,
}

impl CountNode {
    fn find(&self, name: &str) -> Option<&CountNode> {
        name.split('/')
            .try_fold(self, |node, part| node.children.get(part))
    }

    pub(crate) fn get(&self, name: &str) -> u64 {
        self.find(name).map_or(0, |n| n.count)
    }

    /// Counts one more opening of `name`; returns whether it already had
    /// counted sub-scopes.
    pub(crate) fn increment(&mut self, name: &str) -> bool {
        let mut node = self;
        for part in name.split('/') {
            // `entry_ref` allocates the key only when it inserts.
            node = node.children.entry_ref(part).or_default();
        }
        node.count += 1;
        !node.children.is_empty()
    }

    /// Resets every count whose key starts with `name + "/"`.
    pub(crate) fn reset_under(&mut self, name: &str) {
        let mut node = self;
        for part in name.split('/') {
            match node.children.get_mut(part) {
                Some(child) => node = child,
                None => return,
            }
        }
        node.children.clear();
    }
}

enum CountsRestore {
    Keep,
    /// Reset the counts under the scope this frame opened (still current
    /// when the frame pops).
    /// The reset is skipped when it cannot change anything: the scope had
    /// no counted sub-scopes when it opened and no count changed since.
    ResetUnderCurrent {
        had_children: bool,
        opens_at_push: u64,
    },
    Snapshot(CountNode),
}

struct Frame {
    id: u64,
    prev_stack: Option<String>,
    prev_scope: Option<VariableScope>,
    counts: CountsRestore,
}

/// One thread's scope state for one graph.
pub(crate) struct ScopeState {
    /// The current name scope, without trailing `/` (`""` is the root).
    pub(crate) name_stack: String,
    pub(crate) var_scope: VariableScope,
    pub(crate) counts: CountNode,
    /// How many times a count was incremented (see `CountsRestore`).
    opens: u64,
    frames: Vec<Frame>,
    next_frame_id: u64,
    /// A reused buffer for building names on hot paths.
    pub(crate) scratch: String,
    /// Store entries this thread has looked up (see `GetVariable::get`).
    pub(crate) found: FxHashMap<String, crate::variable::Variable>,
}

impl ScopeState {
    fn new() -> Self {
        ScopeState {
            name_stack: String::new(),
            var_scope: VariableScope::root(),
            counts: CountNode::default(),
            opens: 0,
            frames: Vec::new(),
            next_frame_id: 1,
            scratch: String::new(),
            found: FxHashMap::default(),
        }
    }

    fn push_frame(
        &mut self,
        new_stack: Option<String>,
        new_scope: Option<VariableScope>,
        counts: CountsRestore,
    ) -> u64 {
        let id = self.next_frame_id;
        self.next_frame_id += 1;
        let prev_stack = new_stack.map(|s| std::mem::replace(&mut self.name_stack, s));
        let prev_scope = new_scope.map(|s| std::mem::replace(&mut self.var_scope, s));
        self.frames.push(Frame {
            id,
            prev_stack,
            prev_scope,
            counts,
        });
        id
    }

    fn pop_frame(&mut self) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        match frame.counts {
            CountsRestore::Keep => {}
            CountsRestore::ResetUnderCurrent {
                had_children,
                opens_at_push,
            } => {
                if had_children || self.opens != opens_at_push {
                    let name = self.var_scope.clone();
                    self.counts.reset_under(name.name());
                }
            }
            CountsRestore::Snapshot(counts) => self.counts = counts,
        }
        if let Some(stack) = frame.prev_stack {
            self.name_stack = stack;
        }
        if let Some(scope) = frame.prev_scope {
            self.var_scope = scope;
        }
    }

    /// Counts an opening of the variable scope `name` (§7); returns whether
    /// it already had counted sub-scopes.
    pub(crate) fn count_open(&mut self, name: &str) -> bool {
        self.opens += 1;
        self.counts.increment(name)
    }

    /// The reset made when a scope opened by name closes.
    fn reset_on_close(&self, had_children: bool) -> CountsRestore {
        CountsRestore::ResetUnderCurrent {
            had_children,
            opens_at_push: self.opens,
        }
    }

    /// The leaf a `default_name` scope gets under the current scope (§7):
    /// `d` if `parent/d` was never opened, else `d_j` for the smallest free `j`.
    pub(crate) fn default_leaf(&self, d: &str) -> String {
        let p = join(self.var_scope.name(), d);
        if self.counts.get(&p) == 0 {
            return d.to_string();
        }
        let mut j = 1u64;
        while self.counts.get(&format!("{p}_{j}")) != 0 {
            j += 1;
        }
        format!("{d}_{j}")
    }
}

/// Everything scope keeps per thread: the default-graph stack, one scope
/// state per graph the thread has used, and a pending guard-order error. A
/// graph that no longer exists has its state dropped when a new graph
/// arrives, so programs that make many graphs keep this list short.
#[derive(Default)]
struct ThreadScopes {
    /// Graphs made the thread's default with `Graph::as_default`, innermost last.
    defaults: Vec<Graph>,
    states: Vec<(u64, Weak<GraphInner>, ScopeState)>,
    pending: Option<ScopeError>,
}

fn state_for<'a>(
    states: &'a mut Vec<(u64, Weak<GraphInner>, ScopeState)>,
    graph: &Graph,
) -> &'a mut ScopeState {
    let id = graph.id();
    let pos = match states.iter().rposition(|(g, _, _)| *g == id) {
        Some(pos) => pos,
        None => {
            states.retain(|(_, alive, _)| alive.strong_count() > 0);
            states.push((id, Arc::downgrade(&graph.inner), ScopeState::new()));
            states.len() - 1
        }
    };
    &mut states[pos].2
}

impl ThreadScopes {
    /// The state for a graph id, if this thread has one (never creates).
    fn existing_state(&mut self, graph_id: u64) -> Option<&mut ScopeState> {
        self.states
            .iter_mut()
            .rev()
            .find(|(g, _, _)| *g == graph_id)
            .map(|(_, _, state)| state)
    }
}

thread_local! {
    static SCOPES: RefCell<ThreadScopes> = RefCell::new(ThreadScopes::default());
}

/// Runs `f` with the current graph and this thread's scope state for it.
/// A guard error recorded by an out-of-order drop is returned first.
pub(crate) fn with_current<R>(f: impl FnOnce(&Graph, &mut ScopeState) -> Result<R>) -> Result<R> {
    SCOPES.with(|s| {
        let mut scopes = s.borrow_mut();
        let ThreadScopes {
            defaults,
            states,
            pending,
        } = &mut *scopes;
        if let Some(err) = pending.take() {
            return Err(err);
        }
        let graph = defaults.last().unwrap_or_else(|| process_default());
        f(graph, state_for(states, graph))
    })
}

/// Like `with_current` for infallible reads; leaves a pending error alone.
pub(crate) fn inspect_current<R>(f: impl FnOnce(&Graph, &mut ScopeState) -> R) -> R {
    SCOPES.with(|s| {
        let mut scopes = s.borrow_mut();
        let ThreadScopes {
            defaults, states, ..
        } = &mut *scopes;
        let graph = defaults.last().unwrap_or_else(|| process_default());
        f(graph, state_for(states, graph))
    })
}

/// Runs `f` with the current thread's default graph, without cloning it.
pub(crate) fn with_default_graph<R>(f: impl FnOnce(&Graph) -> R) -> R {
    SCOPES.with(|s| {
        let scopes = s.borrow();
        f(scopes.defaults.last().unwrap_or_else(|| process_default()))
    })
}

/// Makes `graph` the thread's default (`Graph::as_default`).
pub(crate) fn push_default_graph(graph: Graph) {
    SCOPES.with(|s| s.borrow_mut().defaults.push(graph));
}

/// Undoes `push_default_graph` for the graph `graph_id`; returns how many
/// inner defaults were still in place (closed with it) if it was not the
/// innermost.
pub(crate) fn pop_default_graph(graph_id: u64) -> Option<usize> {
    SCOPES.with(|s| {
        let mut scopes = s.borrow_mut();
        let stack = &mut scopes.defaults;
        match stack.iter().rposition(|g| g.id() == graph_id) {
            Some(pos) if pos + 1 == stack.len() => {
                stack.pop();
                None
            }
            Some(pos) => {
                let inner = stack.len() - pos - 1;
                stack.truncate(pos);
                Some(inner)
            }
            None => None,
        }
    })
}

/// Records a guard-order error, reported by the next fallible call on this
/// thread (and at once on stderr, since a `Drop` cannot return it).
pub(crate) fn record_guard_error(err: ScopeError) {
    eprintln!("scope: {err}");
    SCOPES.with(|s| s.borrow_mut().pending = Some(err));
}

/// Takes the guard-order error recorded on this thread, if any.
pub fn take_guard_error() -> Option<ScopeError> {
    SCOPES.with(|s| s.borrow_mut().pending.take())
}

/// Runs `f` with this thread's pending guard-order error set aside, then puts
/// it back: for the macro expansions' infallible enters (`__private`), which
/// must neither report nor consume it.
pub(crate) fn with_pending_set_aside<R>(f: impl FnOnce() -> R) -> R {
    let pending = take_guard_error();
    let out = f();
    if let Some(err) = pending {
        SCOPES.with(|s| s.borrow_mut().pending = Some(err));
    }
    out
}

/// Closes the frame `frame_id`. Frames above it (inner guards still alive)
/// are closed too, and that is reported as `GuardOrder`.
fn close_frame(graph_id: u64, frame_id: u64, label: &str) -> Result<()> {
    SCOPES.with(|s| {
        let mut scopes = s.borrow_mut();
        let Some(state) = scopes.existing_state(graph_id) else {
            return Ok(()); // the graph is gone, and its scopes with it
        };
        let Some(pos) = state.frames.iter().rposition(|f| f.id == frame_id) else {
            return Ok(()); // already closed together with an outer guard
        };
        let above = state.frames.len() - pos - 1;
        let innermost = if above > 0 {
            state.name_stack.clone()
        } else {
            String::new()
        };
        while state.frames.len() > pos {
            state.pop_frame();
        }
        if above == 0 {
            Ok(())
        } else {
            Err(ScopeError::GuardOrder {
                dropped: label.to_string(),
                still_open: above,
                innermost,
            })
        }
    })
}

// ---------------------------------------------------------------------------
// Name scopes

/// Chooses the name stack and the returned scope string for
/// `name_scope(name)` (§4): root for `None`/`""`, absolute for a trailing
/// `/`, otherwise unique within the current stack. Validates first, so a bad
/// name records nothing.
pub(crate) fn scope_name(
    state: &mut GraphState,
    stack: &str,
    name: Option<&str>,
    kind: NameKind,
) -> Result<(String, String)> {
    let new_stack = scope_stack(state, stack, name, kind)?;
    let s = match name {
        Some(name) if name.ends_with('/') => name.to_string(),
        _ => stack_slash(&new_stack),
    };
    Ok((new_stack, s))
}

/// The name stack `name_scope(name)` opens (see `scope_name`).
pub(crate) fn scope_stack(
    state: &mut GraphState,
    stack: &str,
    name: Option<&str>,
    kind: NameKind,
) -> Result<String> {
    match name {
        None | Some("") => Ok(String::new()),
        Some(name) => {
            validate(name, stack.is_empty(), kind)?;
            Ok(match name.strip_suffix('/') {
                Some(absolute) => absolute.to_string(),
                None => state.used.unique_name(stack, name),
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
    st: &ScopeState,
    name: Option<&str>,
    kind: NameKind,
) -> Result<(String, String)> {
    scope_name(&mut graph.inner.state.write(), &st.name_stack, name, kind)
}

/// Where a variable scope's original name scope comes from.
enum ScopeString<'n> {
    Empty,
    /// An absolute name scope given as is (`"a/b/"`).
    Given(&'n str),
    /// The name stack the scope runs in, plus `/` (`""` at the root).
    StackSlash,
}

/// Options of a name scope: `NameScope::new(name).default_name(d).enter()`.
#[derive(Clone, Copy, Debug, Default)]
pub struct NameScope<'a> {
    name: Option<&'a str>,
    default_name: Option<&'a str>,
}

impl<'a> NameScope<'a> {
    /// `name_scope(name)`: `None` or `""` resets to the root, a trailing `/`
    /// re-enters that scope exactly, anything else opens a unique sub-scope.
    pub fn new(name: impl Into<Option<&'a str>>) -> Self {
        NameScope {
            name: name.into(),
            default_name: None,
        }
    }

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
                _not_send: PhantomData,
            })
        })
    }
}

/// `with tf.name_scope(name) as s:` — opens a name scope until the guard drops.
pub fn name_scope(name: &str) -> Result<NameScopeGuard> {
    NameScope::new(name).enter()
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
    _not_send: PhantomData<*const ()>,
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
        close_frame(self.graph_id, self.frame_id, &self.scope)
    }
}

impl Drop for NameScopeGuard {
    fn drop(&mut self) {
        if !self.closed {
            if let Err(e) = close_frame(self.graph_id, self.frame_id, &self.scope) {
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
pub struct VariableScopeBuilder<'a> {
    target: ScopeTarget<'a>,
    default_name: Option<&'a str>,
    reuse: Reuse,
    initializer: Option<Initializer>,
    dtype: Option<DType>,
    auxiliary_name_scope: bool,
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

    /// Opens the scope until the guard drops.
    pub fn enter(self) -> Result<VariableScopeGuard> {
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
                        Some(scope_stack(
                            &mut graph.inner.state.write(),
                            &st.name_stack,
                            Some(leaf),
                            NameKind::VariableScope,
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
                    );
                    st.count_open(captured.name());
                    let snapshot = CountsRestore::Snapshot(st.counts.clone());
                    (scope, stack, snapshot)
                }
                ScopeTarget::Name(name) => {
                    let (stack, s) = self.open_auxiliary(graph, st, name)?;
                    let (scope, had_children) = by_name(
                        st,
                        name,
                        stack.as_deref(),
                        s,
                        explicit_reuse,
                        initializer,
                        self.dtype,
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
                    let (scope, had_children) = by_name(
                        st,
                        &leaf,
                        stack.as_deref(),
                        s,
                        None,
                        initializer,
                        self.dtype,
                    );
                    (scope, stack, st.reset_on_close(had_children))
                }
            };
            let frame_id = st.push_frame(stack, Some(scope.clone()), counts);
            Ok(VariableScopeGuard {
                graph_id: graph.id(),
                frame_id,
                scope,
                closed: false,
                _not_send: PhantomData,
            })
        })
    }

    /// The name stack a scope opened by name opens (§7; `None`: unchanged),
    /// and where its string `s` comes from.
    fn open_auxiliary<'n>(
        &self,
        graph: &Graph,
        st: &ScopeState,
        name: &'n str,
    ) -> Result<(Option<String>, ScopeString<'n>)> {
        if !self.auxiliary_name_scope {
            Ok((None, ScopeString::StackSlash))
        } else if name.is_empty() {
            Ok((None, ScopeString::Empty))
        } else {
            let stack = scope_stack(
                &mut graph.inner.state.write(),
                &st.name_stack,
                Some(name),
                NameKind::VariableScope,
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
fn by_name(
    st: &mut ScopeState,
    leaf: &str,
    new_stack: Option<&str>,
    s: ScopeString<'_>,
    explicit_reuse: Option<Reuse>,
    initializer: Option<Arc<Initializer>>,
    dtype: Option<DType>,
) -> (VariableScope, bool) {
    let parent = &st.var_scope;
    let sep = if parent.name().is_empty() { "" } else { "/" };
    let stack = new_stack.unwrap_or(&st.name_stack);
    let ons: [&str; 2] = match s {
        ScopeString::Empty => ["", ""],
        ScopeString::Given(given) => [given, ""],
        ScopeString::StackSlash if stack.is_empty() => ["", ""],
        ScopeString::StackSlash => [stack, "/"],
    };
    let scope = VariableScope::new(
        &[parent.name(), sep, leaf],
        &ons,
        explicit_reuse.unwrap_or_else(|| parent.reuse()),
        initializer.or_else(|| parent.initializer_arc().cloned()),
        dtype.unwrap_or(parent.dtype()),
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
    scope: VariableScope,
    closed: bool,
    _not_send: PhantomData<*const ()>,
}

impl VariableScopeGuard {
    /// The scope object (`as vs`).
    pub fn scope(&self) -> &VariableScope {
        &self.scope
    }

    /// Closes the scope now, reporting a guard-order error if inner guards
    /// were still alive.
    pub fn exit(mut self) -> Result<()> {
        self.closed = true;
        close_frame(self.graph_id, self.frame_id, self.scope.name())
    }
}

impl Drop for VariableScopeGuard {
    fn drop(&mut self) {
        if !self.closed {
            if let Err(e) = close_frame(self.graph_id, self.frame_id, self.scope.name()) {
                record_guard_error(e);
            }
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
pub(crate) fn create_scope_now(
    default_name: &str,
    unique_name: Option<&str>,
) -> Result<VariableScope> {
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
        );
        st.count_open(scope.name());
        st.counts.reset_under(scope.name());
        Ok(scope)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_reset_subtree() {
        let mut c = CountNode::default();
        c.increment("a");
        c.increment("a/b");
        c.increment("a/b/c");
        c.increment("ab");
        c.reset_under("a");
        assert_eq!(c.get("a"), 1);
        assert_eq!(c.get("a/b"), 0);
        assert_eq!(c.get("a/b/c"), 0);
        assert_eq!(c.get("ab"), 1);
    }
}
