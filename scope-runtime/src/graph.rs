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
use crate::getter::GraphObject;
use crate::names::UsedNames;
use crate::partitioned::PartitionedVariable;
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
    store: Store,
    /// Every variable, in creation order (a variable's `index`).
    variables: Vec<Variable>,
    /// The `variables` collection (`GLOBAL_VARIABLES`), in insertion order.
    global: Vec<GraphObject>,
    /// The `trainable_variables` collection, in insertion order.
    trainable: Vec<GraphObject>,
    /// Every other collection by key (`model_variables`,
    /// `regularization_losses`, users' keys), in insertion order.
    collections: FxHashMap<String, Vec<GraphObject>>,
    /// The partitioned variables `get_variable` made, by full name.
    partitioned: FxHashMap<String, PartitionedVariable>,
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

/// The `get_variable` store, keyed by each variable's own store key (not
/// stored twice), with the key's hash kept as in `Ops`.
#[derive(Default)]
struct Store {
    table: hashbrown::HashTable<(u64, Variable)>,
}

impl Store {
    fn key(var: &Variable) -> &str {
        var.store_key().unwrap_or_else(|| var.op_name())
    }

    fn get(&self, key: &str) -> Option<&Variable> {
        let hash = FxBuildHasher.hash_one(key);
        self.table
            .find(hash, |(h, v)| *h == hash && Self::key(v) == key)
            .map(|(_, v)| v)
    }

    /// Adds a variable whose store key is not taken (callers check first).
    fn insert(&mut self, var: Variable) {
        let hash = FxBuildHasher.hash_one(Self::key(&var));
        self.table.insert_unique(hash, (hash, var), |(h, _)| *h);
    }

    fn keys(&self) -> impl Iterator<Item = &str> {
        self.table.iter().map(|(_, v)| Self::key(v))
    }
}

impl GraphState {
    /// TF's `unique_name(stack/name)`: records and returns a name not used
    /// before (case-insensitively) under the name stack `stack`.
    pub(crate) fn unique_name(&mut self, stack: &str, name: &str) -> String {
        self.used.unique_name(stack, name)
    }

    /// `unique_name`, written into the buffer `out`.
    pub(crate) fn unique_name_in(&mut self, stack: &str, name: &str, out: String) -> String {
        self.used.unique_name_in(stack, name, out)
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
        self.store.keys()
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
        new: NewVar<'_>,
    ) -> Result<Variable> {
        if self.ops.contains(op_name.as_str()) {
            return Err(ScopeError::DuplicateName { name: op_name });
        }
        let collections = new.collections.clone();
        let var = Variable::from_parts(op_name, new, self.variables.len(), graph_id);
        self.ops.insert(Op::Variable(var.clone()));
        if var.store_key().is_some() {
            self.store.insert(var.clone());
        }
        self.variables.push(var.clone());
        // TF's `VariableV1`: `collections` (default `[variables]`), each
        // distinct key once, then `trainable_variables` if trainable and not
        // already listed.
        let mut listed_trainable = false;
        match collections {
            None => self.global.push(var.clone().into()),
            Some(keys) => {
                for (i, key) in keys.iter().enumerate() {
                    if keys[..i].contains(key) {
                        continue;
                    }
                    listed_trainable |= key == TRAINABLE_VARIABLES;
                    self.collection_mut(key).push(var.clone().into());
                }
            }
        }
        if var.trainable() && !listed_trainable {
            self.trainable.push(var.clone().into());
        }
        Ok(var)
    }

    /// The list of collection `key`, made if new.
    pub(crate) fn collection_mut(&mut self, key: &str) -> &mut Vec<GraphObject> {
        match key {
            GLOBAL_VARIABLES => &mut self.global,
            TRAINABLE_VARIABLES => &mut self.trainable,
            _ => self.collections.entry(key.to_string()).or_default(),
        }
    }

    fn collection_ref(&self, key: &str) -> &[GraphObject] {
        match key {
            GLOBAL_VARIABLES => &self.global,
            TRAINABLE_VARIABLES => &self.trainable,
            _ => self.collections.get(key).map_or(&[], Vec::as_slice),
        }
    }

    /// The partitioned variable `get_variable` made under `name`.
    pub(crate) fn partitioned(&self, name: &str) -> Option<&PartitionedVariable> {
        self.partitioned.get(name)
    }

    pub(crate) fn add_partitioned(&mut self, p: PartitionedVariable) {
        self.partitioned.insert(p.name().to_string(), p);
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

    /// Every variable, in creation order, local ones included.
    pub fn variables(&self) -> Vec<Variable> {
        self.state().variables.clone()
    }

    /// `tf.compat.v1.global_variables(prefix)`: the variables of the
    /// `variables` collection whose name starts with `prefix`, in insertion
    /// order (not local variables or ones made with `collections = []`).
    pub fn global_variables(&self, prefix: &str) -> Vec<Variable> {
        self.collection_variables(GLOBAL_VARIABLES, prefix)
    }

    /// `tf.compat.v1.trainable_variables(prefix)`.
    pub fn trainable_variables(&self, prefix: &str) -> Vec<Variable> {
        self.collection_variables(TRAINABLE_VARIABLES, prefix)
    }

    /// The variable `get_variable` stored under the full name `name`
    /// (`"layer/w"`), if any. Variables made with `Variable::new` are not in
    /// the store.
    pub fn stored_variable(&self, name: &str) -> Option<Variable> {
        self.state().store.get(name).cloned()
    }

    /// The partitioned variable `get_variable` made under the full name
    /// `name`, if any.
    pub fn stored_partitioned(&self, name: &str) -> Option<PartitionedVariable> {
        self.state().partitioned.get(name).cloned()
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

    /// `tf.compat.v1.add_to_collection(key, obj)`: appends a variable, a
    /// partitioned variable or a derived tensor to collection `key`
    /// (duplicates included, as in TF).
    pub fn add_to_collection(&self, key: &str, obj: impl Into<GraphObject>) {
        self.state_mut().collection_mut(key).push(obj.into());
    }

    /// Appends `var` to collection `key` unless it is there already (the
    /// layers' model-variable bookkeeping).
    pub(crate) fn add_to_collection_once(&self, key: &str, var: &Variable) {
        let mut state = self.state_mut();
        let list = state.collection_mut(key);
        if !list
            .iter()
            .any(|o| o.as_variable().is_some_and(|v| v.same(var)))
        {
            list.push(var.clone().into());
        }
    }

    /// `tf.compat.v1.get_collection(key, scope)`: the members of collection
    /// `key` whose name starts with `prefix`, in insertion order (a key
    /// never used is empty).
    pub fn get_collection(&self, key: &str, prefix: &str) -> Vec<GraphObject> {
        self.state()
            .collection_ref(key)
            .iter()
            .filter(|o| o.name().starts_with(prefix))
            .cloned()
            .collect()
    }

    /// `tf.compat.v1.get_collection_ref(key)`: runs `f` on the collection's
    /// own list, which it may change.
    pub fn get_collection_ref<R>(
        &self,
        key: &str,
        f: impl FnOnce(&mut Vec<GraphObject>) -> R,
    ) -> R {
        f(self.state_mut().collection_mut(key))
    }

    /// The keys of every collection that has been used.
    pub fn collection_keys(&self) -> Vec<String> {
        let state = self.state();
        let mut keys = vec![
            GLOBAL_VARIABLES.to_string(),
            TRAINABLE_VARIABLES.to_string(),
        ];
        keys.extend(state.collections.keys().cloned());
        keys
    }

    /// The variables among collection `key`'s members whose name starts
    /// with `prefix` (partitioned variables and tensors left out).
    pub fn collection_variables(&self, key: &str, prefix: &str) -> Vec<Variable> {
        self.state()
            .collection_ref(key)
            .iter()
            .filter_map(GraphObject::as_variable)
            .filter(|v| v.name().starts_with(prefix))
            .cloned()
            .collect()
    }

    /// `tf.compat.v1.model_variables(prefix)`.
    pub fn model_variables(&self, prefix: &str) -> Vec<Variable> {
        self.collection_variables(MODEL_VARIABLES, prefix)
    }

    /// `tf.compat.v1.local_variables(prefix)`.
    pub fn local_variables(&self, prefix: &str) -> Vec<Variable> {
        self.collection_variables(LOCAL_VARIABLES, prefix)
    }

    /// `tf.compat.v1.moving_average_variables(prefix)`.
    pub fn moving_average_variables(&self, prefix: &str) -> Vec<Variable> {
        self.collection_variables(MOVING_AVERAGE_VARIABLES, prefix)
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

    /// The names of the `trainable_variables` members from position `from` on.
    pub(crate) fn trainable_names_from(&self, from: usize) -> Vec<String> {
        let state = self.state();
        state.trainable[from.min(state.trainable.len())..]
            .iter()
            .map(|o| o.name().to_string())
            .collect()
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

/// The key of `tf.compat.v1.global_variables()` (`GraphKeys.GLOBAL_VARIABLES`).
pub const GLOBAL_VARIABLES: &str = "variables";
/// The key of `tf.compat.v1.trainable_variables()`.
pub const TRAINABLE_VARIABLES: &str = "trainable_variables";
/// The key regularizers add their losses to (`GraphKeys.REGULARIZATION_LOSSES`).
pub const REGULARIZATION_LOSSES: &str = "regularization_losses";
/// The key of `tf.compat.v1.model_variables()`.
pub const MODEL_VARIABLES: &str = "model_variables";
/// The key of `tf.compat.v1.local_variables()`.
pub const LOCAL_VARIABLES: &str = "local_variables";
/// The key of `tf.compat.v1.moving_average_variables()`.
pub const MOVING_AVERAGE_VARIABLES: &str = "moving_average_variables";

/// The process-wide default graph (made on first use).
pub(crate) fn process_default() -> &'static Graph {
    PROCESS_DEFAULT.get_or_init(Graph::new)
}
