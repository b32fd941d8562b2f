//! The variable scope object and its reuse mode: plain types, shared by the
//! per-thread state (`context`) and the scope operations (`scope`).

use std::fmt;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use rustc_hash::FxBuildHasher;

use crate::dtype::DType;
use crate::init::Initializer;

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
        let name_hash = FxBuildHasher.hash_one(&text[..name_len]);
        VariableScope(Arc::new(ScopeInner {
            text,
            name_len,
            name_hash,
            reuse: AtomicU8::new(reuse.to_u8()),
            initializer,
            dtype,
        }))
    }

    /// The root scope (`""`, float32, no reuse).
    pub(crate) fn root() -> Self {
        VariableScope::new(&[], &[], Reuse::False, None, DType::F32)
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
            .finish()
    }
}
