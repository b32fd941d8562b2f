//! The graph: every variable in creation order, the unique-name record
//! shared by name scopes, ops and variables, the `get_variable` store, the
//! `global`/`trainable` collections, the seed and the device. `GraphState`
//! owns these and their invariants (every variable is an op of its name, in
//! the store under its key if it has one, in the collections once), and
//! changes only through its methods. A graph is `Send + Sync`; scope stacks
//! are per thread (`context`).

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use candle_core::Device;
use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::error::{Result, ScopeError};
use crate::names::UsedNames;
use crate::update_op::UpdateOp;
use crate::variable::{NewVar, Variable};

/// A graph of variables. Cheap to clone: clones share the same graph.
#[derive(Clone)]
pub struct Graph {
    pub(crate) inner: Arc<GraphInner>,
}

pub(crate) struct GraphInner {
    id: u64,
    device: Device,
    state: RwLock<GraphState>,
}

/// The graph's state; see the module comment for its invariants.
#[derive(Default)]
pub(crate) struct GraphState {
    used: UsedNames,
    /// Every op in the graph, by name (variables are ops too).
    ops: Ops,
    /// The `get_variable` store: full variable name (case-sensitive) to variable.
    store: FxHashMap<String, Variable>,
    /// The `global` collection: every variable, in creation order.
    variables: Vec<Variable>,
    /// The `trainable` collection, in creation order.
    trainable: Vec<Variable>,
    /// Other variable collections by key (`model_variables`, ...), in
    /// insertion order.
    collections: FxHashMap<String, Vec<Variable>>,
    /// The `UPDATE_OPS` collection, in insertion order.
    update_ops: Vec<UpdateOp>,
    seed: Option<u64>,
}

/// An op of the graph: a variable (its name is the variable's op name, not
/// stored twice) or another op known only by name.
enum Op {
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
struct Ops {
    table: hashbrown::HashTable<(u64, Op)>,
}

impl Ops {
    fn hash(name: &str) -> u64 {
        FxBuildHasher.hash_one(name)
    }

    fn get(&self, name: &str) -> Option<&Op> {
        let hash = Self::hash(name);
        self.table
            .find(hash, |(h, op)| *h == hash && op.name() == name)
            .map(|(_, op)| op)
    }

    fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Adds an op whose name is not taken (callers check `contains` first).
    fn insert(&mut self, op: Op) {
        let hash = Self::hash(op.name());
        self.table.insert_unique(hash, (hash, op), |(h, _)| *h);
    }
}

impl GraphState {
    /// TF's `unique_name(stack/name)`: records and returns a name not used
    /// before (case-insensitively) under the name stack `stack`.
    pub(crate) fn unique_name(&mut self, stack: &str, name: &str) -> String {
        self.used.unique_name(stack, name)
    }

    /// Adds an op that is not a variable; `DuplicateName` if taken.
    pub(crate) fn add_op(&mut self, name: &str) -> Result<()> {
        if self.ops.contains(name) {
            return Err(ScopeError::DuplicateName {
                name: name.to_string(),
            });
        }
        self.ops.insert(Op::Named(name.into()));
        Ok(())
    }

    /// TF's root `Const` op for a value converted to a tensor.
    pub(crate) fn add_root_const(&mut self) {
        let op = self.used.unique_name("", "Const");
        // A fresh unique name is never an existing op.
        let _ = self.add_op(&op);
    }

    /// The variable `get_variable` stored under `key`.
    pub(crate) fn stored(&self, key: &str) -> Option<&Variable> {
        self.store.get(key)
    }

    pub(crate) fn store_keys(&self) -> impl Iterator<Item = &str> {
        self.store.keys().map(String::as_str)
    }

    pub(crate) fn seed(&self) -> Option<u64> {
        self.seed
    }

    /// Adds a variable with op name `op_name`, or `DuplicateName` if an op
    /// of that name exists: the op, the store entry (if `new` has a key) and
    /// the collections are updated together.
    pub(crate) fn add_variable(
        &mut self,
        graph_id: u64,
        op_name: String,
        new: NewVar,
    ) -> Result<Variable> {
        if self.ops.contains(op_name.as_str()) {
            return Err(ScopeError::DuplicateName { name: op_name });
        }
        let store_key = new.store_key.clone();
        let var = Variable::from_parts(op_name, new, self.variables.len(), graph_id);
        self.ops.insert(Op::Variable(var.clone()));
        if let Some(key) = store_key {
            self.store.insert(key, var.clone());
        }
        self.variables.push(var.clone());
        if var.trainable() {
            self.trainable.push(var.clone());
        }
        Ok(var)
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
            .field("device", &self.inner.device)
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

/// Options of a new graph: `Graph::builder().seed(0).device(dev).build()`.
#[derive(Clone, Debug, Default)]
pub struct GraphBuilder {
    seed: Option<u64>,
    device: Option<Device>,
}

impl GraphBuilder {
    /// The graph-level seed (`tf.compat.v1.set_random_seed`).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The device every variable's value lives on (default: the CPU).
    pub fn device(mut self, device: Device) -> Self {
        self.device = Some(device);
        self
    }

    pub fn build(self) -> Graph {
        Graph {
            inner: Arc::new(GraphInner {
                id: NEXT_GRAPH_ID.fetch_add(1, Ordering::Relaxed),
                device: self.device.unwrap_or(Device::Cpu),
                state: RwLock::new(GraphState {
                    seed: self.seed,
                    ..GraphState::default()
                }),
            }),
        }
    }
}

impl Graph {
    /// A new, empty graph on the CPU with no seed (random initializers
    /// differ per run).
    pub fn new() -> Graph {
        Graph::builder().build()
    }

    /// Options for a new graph (seed, device).
    pub fn builder() -> GraphBuilder {
        GraphBuilder::default()
    }

    /// A new graph whose random initializers are reproducible: the same seed
    /// gives the same values on every run and platform (see `init`).
    pub fn with_seed(seed: u64) -> Graph {
        Graph::builder().seed(seed).build()
    }

    /// Sets or clears the graph-level seed (`tf.compat.v1.set_random_seed`);
    /// it applies to variables created afterwards.
    pub fn set_seed(&self, seed: Option<u64>) {
        self.state_mut().seed = seed;
    }

    pub fn seed(&self) -> Option<u64> {
        self.state().seed
    }

    /// The device of every variable's value.
    pub fn device(&self) -> &Device {
        &self.inner.device
    }

    /// A number that identifies this graph within the process.
    pub fn id(&self) -> u64 {
        self.inner.id
    }

    pub(crate) fn state(&self) -> RwLockReadGuard<'_, GraphState> {
        self.inner.state.read()
    }

    pub(crate) fn state_mut(&self) -> RwLockWriteGuard<'_, GraphState> {
        self.inner.state.write()
    }

    /// Number of variables in the graph.
    pub fn len(&self) -> usize {
        self.state().variables.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every variable, in creation order (`tf.compat.v1.global_variables()`).
    pub fn variables(&self) -> Vec<Variable> {
        self.state().variables.clone()
    }

    /// `tf.compat.v1.global_variables(prefix)`: variables whose name starts
    /// with `prefix`, in creation order.
    pub fn global_variables(&self, prefix: &str) -> Vec<Variable> {
        filter_prefix(&self.state().variables, prefix)
    }

    /// `tf.compat.v1.trainable_variables(prefix)`.
    pub fn trainable_variables(&self, prefix: &str) -> Vec<Variable> {
        filter_prefix(&self.state().trainable, prefix)
    }

    /// The variable `get_variable` stored under the full name `name`
    /// (`"layer/w"`), if any. Variables made with `Variable::new` are not in
    /// the store.
    pub fn stored_variable(&self, name: &str) -> Option<Variable> {
        self.state().store.get(name).cloned()
    }

    /// Any variable by op name (`"layer/w"`, no `:0`).
    pub fn variable_by_op_name(&self, op_name: &str) -> Option<Variable> {
        match self.state().ops.get(op_name) {
            Some(Op::Variable(v)) => Some(v.clone()),
            _ => None,
        }
    }

    /// Whether an op (or variable) of this name exists.
    pub fn has_op(&self, name: &str) -> bool {
        self.state().ops.contains(name)
    }

    /// `tf.compat.v1.add_to_collection(key, var)` for a variable collection
    /// other than `global` and `trainable` (e.g. `"model_variables"`).
    pub fn add_to_collection(&self, key: &str, var: &Variable) {
        let mut state = self.state_mut();
        let list = state.collections.entry(key.to_string()).or_default();
        if !list.iter().any(|v| v.same(var)) {
            list.push(var.clone());
        }
    }

    /// The variables of collection `key` whose name starts with `prefix`,
    /// in insertion order (`get_collection(key, prefix)`).
    pub fn collection(&self, key: &str, prefix: &str) -> Vec<Variable> {
        self.state()
            .collections
            .get(key)
            .map_or_else(Vec::new, |vars| filter_prefix(vars, prefix))
    }

    /// `tf.compat.v1.model_variables(prefix)`.
    pub fn model_variables(&self, prefix: &str) -> Vec<Variable> {
        self.collection(MODEL_VARIABLES, prefix)
    }

    /// `tf.compat.v1.local_variables(prefix)`.
    pub fn local_variables(&self, prefix: &str) -> Vec<Variable> {
        self.collection(LOCAL_VARIABLES, prefix)
    }

    /// `tf.compat.v1.moving_average_variables(prefix)`.
    pub fn moving_average_variables(&self, prefix: &str) -> Vec<Variable> {
        self.collection(MOVING_AVERAGE_VARIABLES, prefix)
    }

    /// Appends to the `UPDATE_OPS` collection.
    pub fn add_update_op(&self, op: UpdateOp) {
        self.state_mut().update_ops.push(op);
    }

    /// `get_collection(UPDATE_OPS, prefix)`: the update ops whose op name
    /// starts with `prefix`, in insertion order.
    pub fn update_ops(&self, prefix: &str) -> Vec<UpdateOp> {
        self.state()
            .update_ops
            .iter()
            .filter(|op| op.name().starts_with(prefix))
            .cloned()
            .collect()
    }

    /// Runs (assigns) every pending update op whose name starts with
    /// `prefix`, as `sess.run(tf.get_collection(UPDATE_OPS, prefix))` does.
    /// Returns how many assigned a value.
    pub fn run_update_ops(&self, prefix: &str) -> Result<usize> {
        let mut ran = 0;
        for op in self.update_ops(prefix) {
            if op.run()? {
                ran += 1;
            }
        }
        Ok(ran)
    }

    pub(crate) fn trainable_len(&self) -> usize {
        self.state().trainable.len()
    }

    /// TF1's `global_variables_initializer()`: makes the value of every
    /// variable that has none yet (restored and assigned values are kept).
    pub fn initialize(&self) -> Result<()> {
        for var in self.variables() {
            var.initialize()?;
        }
        Ok(())
    }
}

/// The key of `tf.compat.v1.model_variables()`.
pub const MODEL_VARIABLES: &str = "model_variables";
/// The key of `tf.compat.v1.local_variables()`.
pub const LOCAL_VARIABLES: &str = "local_variables";
/// The key of `tf.compat.v1.moving_average_variables()`.
pub const MOVING_AVERAGE_VARIABLES: &str = "moving_average_variables";

fn filter_prefix(vars: &[Variable], prefix: &str) -> Vec<Variable> {
    vars.iter()
        .filter(|v| v.name().starts_with(prefix))
        .cloned()
        .collect()
}

/// The process-wide default graph (made on first use).
pub(crate) fn process_default() -> &'static Graph {
    PROCESS_DEFAULT.get_or_init(Graph::new)
}
