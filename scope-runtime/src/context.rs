//! Per-thread scope state: for each graph a thread touches, its name stack,
//! current variable scope, the per-parent open counts used for default
//! names, and a stack of frames (one per live guard); plus the thread's
//! default-graph stack and a pending guard-order error, all in one
//! thread-local. Dropping a guard pops its frame and restores exactly what
//! was there before, also during a panic unwind.

use std::cell::RefCell;
use std::marker::PhantomData;
use std::sync::{Arc, Weak};

use std::hash::Hasher;

use rustc_hash::{FxBuildHasher, FxHasher};

use crate::error::{Result, ScopeError};
use crate::graph::{process_default, Graph, GraphInner};
use crate::names::join;
use crate::scope_object::VariableScope;
use crate::variable::Variable;

/// The `get_variable` store entries a thread has found, keyed by (scope
/// name, variable name) without joining them: the hash continues from the
/// scope's precomputed name hash. Variables never leave the store, so an
/// entry never goes stale.
#[derive(Default)]
pub(crate) struct Found {
    table: hashbrown::HashTable<(u64, Box<str>, Variable)>,
}

impl Found {
    fn hash(scope: &VariableScope, name: &str) -> u64 {
        let mut h = FxHasher::with_seed(scope.name_hash() as usize);
        h.write(name.as_bytes());
        h.finish()
    }

    pub(crate) fn get(&self, scope: &VariableScope, name: &str) -> Option<&Variable> {
        let hash = Self::hash(scope, name);
        self.table
            .find(hash, |(h, full, _)| {
                *h == hash && is_join(full, scope.name(), name)
            })
            .map(|(_, _, v)| v)
    }

    /// Remembers `var`, stored under `full` = `scope/name`.
    pub(crate) fn insert(&mut self, scope: &VariableScope, name: &str, full: &str, var: Variable) {
        let hash = Self::hash(scope, name);
        self.table
            .insert_unique(hash, (hash, full.into(), var), |(h, _, _)| *h);
    }
}

/// Whether `full` is `prefix + "/" + name` (or `name` for an empty prefix).
fn is_join(full: &str, prefix: &str, name: &str) -> bool {
    if prefix.is_empty() {
        return full == name;
    }
    full.len() == prefix.len() + 1 + name.len()
        && full.as_bytes()[prefix.len()] == b'/'
        && full.starts_with(prefix)
        && full.ends_with(name)
}

/// How many closed scope objects (and name-stack buffers) a thread keeps
/// for reuse (one per level of the deepest nest entered per call is enough).
const MAX_SPARE_SCOPES: usize = 16;

/// Makes a guard `!Send`: scopes are per thread, so a guard must be dropped
/// on the thread that opened its scope (a compile error names this type).
#[derive(Default)]
pub struct ThreadBound(PhantomData<*const ()>);

/// Variable-scope open counts, as a tree over `/`-separated components so
/// that closing a scope resets its whole subtree at once. A reset zeroes
/// the counts but keeps the nodes, so a scope entered per call finds its
/// sub-scopes' nodes in place (no allocation); `dirty` marks the nodes
/// under which something was counted since the last reset, so a reset
/// visits only those.
#[derive(Clone, Default)]
pub(crate) struct CountNode {
    count: u64,
    dirty: bool,
    children: hashbrown::HashMap<String, CountNode, FxBuildHasher>,
}

/// The `/`-separated components of a scope name (`str::split` with a
/// byte loop: scope names are short and this runs on every scope entry).
fn components(name: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(name);
    std::iter::from_fn(move || {
        let s = rest?;
        match s.bytes().position(|b| b == b'/') {
            Some(i) => {
                rest = Some(&s[i + 1..]);
                Some(&s[..i])
            }
            None => {
                rest = None;
                Some(s)
            }
        }
    })
}

impl CountNode {
    fn find(&self, name: &str) -> Option<&CountNode> {
        components(name).try_fold(self, |node, part| node.children.get(part))
    }

    pub(crate) fn get(&self, name: &str) -> u64 {
        self.find(name).map_or(0, |n| n.count)
    }

    /// Counts one more opening of `name`; returns whether it already had
    /// counted sub-scopes.
    pub(crate) fn increment(&mut self, name: &str) -> bool {
        let mut node = self;
        for part in components(name) {
            node.dirty = true;
            // `entry_ref` allocates the key only when it inserts.
            node = node.children.entry_ref(part).or_default();
        }
        node.count += 1;
        node.dirty
    }

    /// Resets every count whose key starts with `name + "/"`.
    pub(crate) fn reset_under(&mut self, name: &str) {
        let mut node = self;
        for part in components(name) {
            match node.children.get_mut(part) {
                Some(child) => node = child,
                None => return,
            }
        }
        node.zero_below();
    }

    fn zero_below(&mut self) {
        if std::mem::take(&mut self.dirty) {
            for child in self.children.values_mut() {
                child.count = 0;
                child.zero_below();
            }
        }
    }
}

pub(crate) enum CountsRestore {
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
    pub(crate) found: Found,
    /// Allocations of closed scope objects nobody held, for the next ones.
    spare_scopes: Vec<VariableScope>,
    /// Buffers of name stacks that were closed, for the next ones.
    spare_strings: Vec<String>,
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
            found: Found::default(),
            spare_scopes: Vec::new(),
            spare_strings: Vec::new(),
        }
    }

    /// A buffer for the next name stack (empty; from a closed one if any).
    pub(crate) fn spare_string(&mut self) -> String {
        self.spare_strings.pop().unwrap_or_default()
    }

    /// An allocation for the next scope object (see `VariableScope::renew`).
    pub(crate) fn spare_scope(&mut self) -> Option<VariableScope> {
        self.spare_scopes.pop()
    }

    pub(crate) fn push_frame(
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
                    self.counts.reset_under(self.var_scope.name());
                }
            }
            CountsRestore::Snapshot(counts) => self.counts = counts,
        }
        if let Some(stack) = frame.prev_stack {
            let closed = std::mem::replace(&mut self.name_stack, stack);
            if self.spare_strings.len() < MAX_SPARE_SCOPES && closed.capacity() <= 256 {
                self.spare_strings.push(closed);
            }
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
    pub(crate) fn reset_on_close(&self, had_children: bool) -> CountsRestore {
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
/// thread (a `Drop` cannot return it; `take_guard_error` reads it at once).
/// The library never prints.
pub(crate) fn record_guard_error(err: ScopeError) {
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
/// What a guard closes: a name scope (its scope string) or a variable scope
/// (its object, whose allocation is kept for the next scope if nothing
/// else holds it).
pub(crate) enum Closing<'a> {
    NameScope(&'a str),
    VariableScope(VariableScope),
}

impl Closing<'_> {
    fn label(&self) -> &str {
        match self {
            Closing::NameScope(s) => s,
            Closing::VariableScope(scope) => scope.name(),
        }
    }
}

pub(crate) fn close_frame(graph_id: u64, frame_id: u64, closing: Closing<'_>) -> Result<()> {
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
        let result = if above == 0 {
            Ok(())
        } else {
            Err(ScopeError::GuardOrder {
                dropped: closing.label().to_string(),
                still_open: above,
                innermost,
            })
        };
        if let Closing::VariableScope(scope) = closing {
            if state.spare_scopes.len() < MAX_SPARE_SCOPES {
                if let Some(spare) = scope.into_spare() {
                    state.spare_scopes.push(spare);
                }
            }
        }
        result
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
