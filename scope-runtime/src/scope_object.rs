//! The variable scope object and its reuse mode: plain types, shared by the
//! per-thread state (`context`) and the scope operations (`scope`).

use std::fmt;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;
use rustc_hash::FxBuildHasher;

use crate::dtype::DType;
use crate::error::DefinedAt;
use crate::getter::{CustomGetter, GetterChain};
use crate::init::Initializer;
use crate::partitioner::Partitioner;
use crate::regularizer::Regularizer;

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
    /// FxHash of the name, so lookups inside the scope need not rehash it.
    name_hash: u64,
    reuse: AtomicU8,
    initializer: Option<Arc<Initializer>>,
    dtype: DType,
    /// Whether any of `extras` is set: lets `get_variable` skip the lock.
    has_extras: AtomicBool,
    extras: RwLock<ScopeExtras>,
    origin: Origin,
}

/// How and where a scope object was made, for `Graph::explain`.
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    pub(crate) how: OpenedBy,
    /// The user's `enter()` call (none for the root).
    pub(crate) at: Option<DefinedAt>,
    /// The scope it was opened in (for a re-entry: the captured scope).
    pub(crate) parent: Option<VariableScope>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpenedBy {
    Root,
    Name,
    /// A default name; the leaf is the default (`base_len` bytes) plus any
    /// `_N` the per-parent counter added.
    DefaultName {
        base_len: usize,
    },
    Reentered,
    Template,
}

/// The scope's partitioner, regularizer and (composed) custom getter.
/// Copied into a scope opened inside or from this one; changed in place by
/// the `set_*` methods.
#[derive(Clone, Debug, Default)]
pub(crate) struct ScopeExtras {
    pub(crate) partitioner: Option<Partitioner>,
    pub(crate) regularizer: Option<Regularizer>,
    pub(crate) getter: Option<Arc<GetterChain>>,
}

impl ScopeExtras {
    fn is_empty(&self) -> bool {
        self.partitioner.is_none() && self.regularizer.is_none() && self.getter.is_none()
    }
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
        extras: ScopeExtras,
        origin: Origin,
    ) -> Self {
        VariableScope::renew(
            None,
            name,
            original_name_scope,
            reuse,
            initializer,
            dtype,
            extras,
            origin,
        )
    }

    /// `new`, in the allocation of `spare` (from `into_spare`) if given:
    /// scopes entered per call then cost no allocation.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn renew(
        spare: Option<VariableScope>,
        name: &[&str],
        original_name_scope: &[&str],
        reuse: Reuse,
        initializer: Option<Arc<Initializer>>,
        dtype: DType,
        extras: ScopeExtras,
        origin: Origin,
    ) -> Self {
        let fill = |inner: &mut ScopeInner| {
            inner.text.clear();
            name.iter().for_each(|p| inner.text.push_str(p));
            inner.name_len = inner.text.len();
            original_name_scope
                .iter()
                .for_each(|p| inner.text.push_str(p));
            inner.name_hash = FxBuildHasher.hash_one(&inner.text[..inner.name_len]);
            *inner.reuse.get_mut() = reuse.to_u8();
            inner.initializer = initializer;
            inner.dtype = dtype;
            *inner.has_extras.get_mut() = !extras.is_empty();
            *inner.extras.get_mut() = extras;
            inner.origin = origin;
        };
        if let Some(mut spare) = spare {
            if let Some(inner) = Arc::get_mut(&mut spare.0) {
                fill(inner);
                return spare;
            }
        }
        let len: usize = name
            .iter()
            .chain(original_name_scope)
            .map(|p| p.len())
            .sum();
        let mut inner = ScopeInner {
            text: String::with_capacity(len),
            name_len: 0,
            name_hash: 0,
            reuse: AtomicU8::new(0),
            initializer: None,
            dtype,
            has_extras: AtomicBool::new(false),
            extras: RwLock::new(ScopeExtras::default()),
            origin: Origin {
                how: OpenedBy::Root,
                at: None,
                parent: None,
            },
        };
        fill(&mut inner);
        VariableScope(Arc::new(inner))
    }

    /// This scope's allocation for reuse by `renew`, if this was the last
    /// handle to it (what it referred to is released now).
    pub(crate) fn into_spare(mut self) -> Option<VariableScope> {
        let inner = Arc::get_mut(&mut self.0)?;
        inner.origin.parent = None;
        inner.initializer = None;
        *inner.extras.get_mut() = ScopeExtras::default();
        Some(self)
    }

    /// The root scope (`""`, float32, no reuse).
    pub(crate) fn root() -> Self {
        VariableScope::new(
            &[],
            &[],
            Reuse::False,
            None,
            DType::F32,
            ScopeExtras::default(),
            Origin {
                how: OpenedBy::Root,
                at: None,
                parent: None,
            },
        )
    }

    pub(crate) fn origin(&self) -> &Origin {
        &self.0.origin
    }

    /// A copy of the partitioner, regularizer and getter (empty without
    /// taking the lock when none is set).
    pub(crate) fn extras(&self) -> ScopeExtras {
        if self.0.has_extras.load(Ordering::Acquire) {
            self.0.extras.read().clone()
        } else {
            ScopeExtras::default()
        }
    }

    pub(crate) fn has_extras(&self) -> bool {
        self.0.has_extras.load(Ordering::Acquire)
    }

    fn update_extras(&self, f: impl FnOnce(&mut ScopeExtras)) {
        let mut extras = self.0.extras.write();
        f(&mut extras);
        self.0
            .has_extras
            .store(!extras.is_empty(), Ordering::Release);
    }

    /// The partitioner `get_variable` uses inside this scope when none is given.
    pub fn partitioner(&self) -> Option<Partitioner> {
        self.extras().partitioner
    }

    /// The regularizer `get_variable` uses inside this scope when none is given.
    pub fn regularizer(&self) -> Option<Regularizer> {
        self.extras().regularizer
    }

    /// Whether `get_variable` inside this scope goes through custom getters.
    pub fn has_custom_getter(&self) -> bool {
        self.extras().getter.is_some()
    }

    /// Replaces the scope's regularizer (TF's `set_regularizer`; `None`
    /// clears it). Like `reuse_variables()`, the change stays on this object.
    pub fn set_regularizer(&self, regularizer: Option<Regularizer>) {
        self.update_extras(|e| e.regularizer = regularizer);
    }

    /// Replaces the scope's partitioner (TF's `set_partitioner`).
    pub fn set_partitioner(&self, partitioner: Option<Partitioner>) {
        self.update_extras(|e| e.partitioner = partitioner);
    }

    /// Replaces the scope's custom getter outright (TF's
    /// `set_custom_getter`): the enclosing scopes' getters drop out.
    pub fn set_custom_getter(&self, getter: Option<CustomGetter>) {
        self.update_extras(|e| e.getter = getter.map(|g| GetterChain::compose(g, None)));
    }

    /// The scope's name: the prefix of every `get_variable` inside it.
    pub fn name(&self) -> &str {
        &self.0.text[..self.0.name_len]
    }

    pub(crate) fn name_hash(&self) -> u64 {
        self.0.name_hash
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
            .field("partitioner", &self.partitioner())
            .field("regularizer", &self.regularizer())
            .field("custom_getter", &self.has_custom_getter())
            .finish()
    }
}
