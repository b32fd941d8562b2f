//! The graph: every variable in creation order, the unique-name namespace
//! shared by name scopes, ops and variables, the `get_variable` store and
//! the `global`/`trainable` collections. A graph is `Send + Sync`; scope
//! stacks are per thread (see `scope`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use parking_lot::RwLock;
use std::hash::BuildHasher;

use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::context::ThreadBound;
use crate::names::UsedNames;
use crate::variable::Variable;

/// A graph of variables. Cheap to clone: clones share the same graph.
#[derive(Clone)]
pub struct Graph {
    pub(crate) inner: Arc<GraphInner>,
}

pub(crate) struct GraphInner {
    pub(crate) id: u64,
    pub(crate) state: RwLock<GraphState>,
}

#[derive(Default)]
pub(crate) struct GraphState {
    pub(crate) used: UsedNames,
    /// Every op in the graph, by name (variables are ops too).
    pub(crate) ops: Ops,
    /// The `get_variable` store: full variable name (case-sensitive) to variable.
    pub(crate) store: FxHashMap<String, Variable>,
    /// The `global` collection: every variable, in creation order.
    pub(crate) variables: Vec<Variable>,
    /// The `trainable` collection, in creation order.
    pub(crate) trainable: Vec<Variable>,
    pub(crate) seed: Option<u64>,
}

/// An op of the graph: a variable (its name is the variable's op name, not
/// stored twice) or another op known only by name.
pub(crate) enum Op {
    Variable(Variable),
    Named(Box<str>),
}

impl Op {
    fn name(&self) -> &str {
        match self {
            Op::Variable(v) => v.op_name(),
            Op::Named(name) => name,
        }
    }
}

/// The graph's ops by name. Each entry keeps its name's hash, so growing the
/// table never has to follow a variable to its name again.
#[derive(Default)]
pub(crate) struct Ops {
    table: hashbrown::HashTable<(u64, Op)>,
}

impl Ops {
    fn hash(name: &str) -> u64 {
        FxBuildHasher.hash_one(name)
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Op> {
        let hash = Self::hash(name);
        self.table
            .find(hash, |(h, op)| *h == hash && op.name() == name)
            .map(|(_, op)| op)
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Adds an op whose name is not taken (callers check `contains` first).
    pub(crate) fn insert(&mut self, op: Op) {
        let hash = Self::hash(op.name());
        self.table.insert_unique(hash, (hash, op), |(h, _)| *h);
    }
}

static NEXT_GRAPH_ID: AtomicU64 = AtomicU64::new(1);
static PROCESS_DEFAULT: OnceLock<Graph> = OnceLock::new();

impl Default for Graph {
    fn default() -> Self {
        Graph::new()
    }
}

impl std::fmt::Debug for Graph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Graph")
            .field("id", &self.inner.id)
            .field("variables", &self.len())
            .finish()
    }
}

impl PartialEq for Graph {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}
impl Eq for Graph {}

impl Graph {
    /// A new, empty graph with no seed (random initializers differ per run).
    pub fn new() -> Graph {
        Graph {
            inner: Arc::new(GraphInner {
                id: NEXT_GRAPH_ID.fetch_add(1, Ordering::Relaxed),
                state: RwLock::new(GraphState::default()),
            }),
        }
    }

    /// A new graph whose random initializers are reproducible: the same seed
    /// gives the same values on every run and platform (see `init`).
    pub fn with_seed(seed: u64) -> Graph {
        let g = Graph::new();
        g.set_seed(Some(seed));
        g
    }

    /// Sets or clears the graph-level seed (`tf.compat.v1.set_random_seed`).
    pub fn set_seed(&self, seed: Option<u64>) {
        self.inner.state.write().seed = seed;
    }

    pub fn seed(&self) -> Option<u64> {
        self.inner.state.read().seed
    }

    /// The current thread's default graph: the innermost `as_default` guard's
    /// graph, else the process-wide default graph.
    pub fn current() -> Graph {
        crate::context::with_default_graph(Graph::clone)
    }

    /// Makes this graph the current thread's default until the guard drops.
    pub fn as_default(&self) -> DefaultGraphGuard {
        crate::context::push_default_graph(self.clone());
        DefaultGraphGuard {
            graph_id: self.inner.id,
            _thread: ThreadBound::default(),
        }
    }

    /// A number that identifies this graph within the process.
    pub fn id(&self) -> u64 {
        self.inner.id
    }

    /// Number of variables in the graph.
    pub fn len(&self) -> usize {
        self.inner.state.read().variables.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every variable, in creation order (`tf.compat.v1.global_variables()`).
    pub fn variables(&self) -> Vec<Variable> {
        self.inner.state.read().variables.clone()
    }

    /// `tf.compat.v1.global_variables(prefix)`: variables whose name starts
    /// with `prefix`, in creation order.
    pub fn global_variables(&self, prefix: &str) -> Vec<Variable> {
        filter_prefix(&self.inner.state.read().variables, prefix)
    }

    /// `tf.compat.v1.trainable_variables(prefix)`.
    pub fn trainable_variables(&self, prefix: &str) -> Vec<Variable> {
        filter_prefix(&self.inner.state.read().trainable, prefix)
    }

    /// The variable `get_variable` stored under the full name `name`
    /// (`"layer/w"`), if any. Variables made with `Variable::new` are not in
    /// the store.
    pub fn stored_variable(&self, name: &str) -> Option<Variable> {
        self.inner.state.read().store.get(name).cloned()
    }

    /// Any variable by op name (`"layer/w"`, no `:0`).
    pub fn variable_by_op_name(&self, op_name: &str) -> Option<Variable> {
        match self.inner.state.read().ops.get(op_name) {
            Some(Op::Variable(v)) => Some(v.clone()),
            _ => None,
        }
    }

    /// Whether an op (or variable) of this name exists.
    pub fn has_op(&self, name: &str) -> bool {
        self.inner.state.read().ops.contains(name)
    }

    pub(crate) fn trainable_len(&self) -> usize {
        self.inner.state.read().trainable.len()
    }
}

fn filter_prefix(vars: &[Variable], prefix: &str) -> Vec<Variable> {
    vars.iter()
        .filter(|v| v.name().starts_with(prefix))
        .cloned()
        .collect()
}

/// Runs `f` with the current thread's default graph, without cloning it.
/// The process-wide default graph (made on first use).
pub(crate) fn process_default() -> &'static Graph {
    PROCESS_DEFAULT.get_or_init(Graph::new)
}

/// `tf.compat.v1.get_default_graph()`.
pub fn get_default_graph() -> Graph {
    Graph::current()
}

/// Keeps a graph the current thread's default; restores the previous
/// default when dropped. Not `Send`: defaults are per thread.
#[must_use = "the graph is the default only while the guard lives"]
pub struct DefaultGraphGuard {
    graph_id: u64,
    _thread: ThreadBound,
}

impl Drop for DefaultGraphGuard {
    fn drop(&mut self) {
        let out_of_order = crate::context::pop_default_graph(self.graph_id);
        if let Some(still_open) = out_of_order {
            crate::context::record_guard_error(crate::error::ScopeError::GuardOrder {
                dropped: format!("Graph::as_default (graph {})", self.graph_id),
                still_open,
                innermost: String::new(),
            });
        }
    }
}
