//! TensorFlow's name rules: which names are valid, and `unique_name`, the
//! one case-insensitive counter scheme shared by name scopes, ops and
//! variables.

use hashbrown::hash_map::EntryRef;
use rustc_hash::FxBuildHasher;

type FxHashMap<K, V> = hashbrown::HashMap<K, V, FxBuildHasher>;

use crate::error::{NameKind, ScopeError};

/// Checks `name` against TF's root pattern (`at_root`) or the nested one
/// (the rule itself is the `scope-names` crate's).
pub(crate) fn validate(name: &str, at_root: bool, kind: NameKind) -> Result<(), ScopeError> {
    scope_names::check(name, at_root).map_err(|reason| ScopeError::InvalidName {
        name: name.to_string(),
        kind,
        reason: reason.to_string(),
    })
}

/// Joins a scope prefix and a name with `/` (no slash at the root).
/// Leaves room for a `_N` suffix so that uniquifying does not reallocate.
pub(crate) fn join(prefix: &str, name: &str) -> String {
    let mut s = String::with_capacity(prefix.len() + 1 + name.len() + 8);
    if prefix.is_empty() {
        s.push_str(name);
        s
    } else {
        s.push_str(prefix);
        s.push('/');
        s.push_str(name);
        s
    }
}

/// Appends `name` lower-cased like Python's `str.lower` to `out`.
fn push_lower(out: &mut String, name: &str) {
    if name.is_ascii() {
        let from = out.len();
        out.push_str(name);
        out[from..].make_ascii_lowercase();
    } else {
        out.extend(name.chars().flat_map(char::to_lowercase));
    }
}

/// Splits a generated-looking key `base_j` into `(base, j)`; `j` has no
/// leading zero, as generated suffixes never do.
fn split_suffix(key: &str) -> Option<(&str, u64)> {
    let pos = key.rfind('_')?;
    let digits = &key[pos + 1..];
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((&key[..pos], digits.parse().ok()?))
}

/// What is known of the names `base_j` derived from one base name.
#[derive(Default, Debug, Clone, Copy)]
struct Run {
    /// `base_j` for `start <= j < end` were generated and have count 1
    /// (unless `counts` holds them).
    start: u64,
    end: u64,
    /// How many keys of the form `base_j` are in `counts`. While there are
    /// none, whether `base_j` is taken is decided by the run alone.
    shadows: u64,
}

impl Run {
    fn generated(&self, j: u64) -> bool {
        self.start <= j && j < self.end
    }
}

/// The count a generated name has through its base's run (1 or 0).
fn run_count(runs: &FxHashMap<String, Run>, key: &str) -> u64 {
    match split_suffix(key) {
        Some((base, j)) => runs.get(base).is_some_and(|r| r.generated(j)).into(),
        None => 0,
    }
}

/// The graph's record of names handed out by `unique_name`, keyed by the
/// lower-cased full name (TF's `Graph._names_in_use`).
///
/// TF records every generated `name_j` with count 1. Storing each would make
/// a scope entered a million times cost a million map entries, so runs of
/// consecutive generated suffixes are kept as one range per base name (see
/// `Run`); `counts` holds every other name. Lookups give exactly TF's counts.
#[derive(Default, Debug, Clone)]
pub(crate) struct UsedNames {
    counts: FxHashMap<String, u64>,
    runs: FxHashMap<String, Run>,
    key: String,
    candidate: String,
}

impl UsedNames {
    fn count(&self, key: &str) -> u64 {
        match self.counts.get(key) {
            Some(&c) => c,
            None => run_count(&self.runs, key),
        }
    }

    /// Inserts a new key into `counts`, noting it as a shadow of its base.
    fn insert_count(
        counts_entry: hashbrown::hash_map::EntryRef<'_, '_, String, str, u64, FxBuildHasher>,
        runs: &mut FxHashMap<String, Run>,
        key: &str,
        count: u64,
    ) {
        counts_entry.insert(count);
        if let Some((base, _)) = split_suffix(key) {
            runs.entry_ref(base).or_default().shadows += 1;
        }
    }

    /// Increments the count of `key` and returns the count it had.
    fn bump(&mut self, key: &str) -> u64 {
        match self.counts.entry_ref(key) {
            EntryRef::Occupied(mut o) => {
                let i = *o.get();
                *o.get_mut() = i + 1;
                i
            }
            entry @ EntryRef::Vacant(_) => {
                let i = run_count(&self.runs, key);
                Self::insert_count(entry, &mut self.runs, key, i + 1);
                i
            }
        }
    }

    /// Records the generated name `base_j` (count 1).
    fn mark_generated(&mut self, base: &str, j: u64) {
        let run = self.runs.entry_ref(base).or_default();
        if run.start == run.end {
            (run.start, run.end) = (j, j + 1);
        } else if run.end == j {
            run.end += 1;
        } else {
            let mut key = String::with_capacity(base.len() + 8);
            key.push_str(base);
            key.push('_');
            push_decimal(&mut key, j);
            let entry = self.counts.entry_ref(key.as_str());
            Self::insert_count(entry, &mut self.runs, &key, 1);
        }
    }

    /// TF's `Graph.unique_name(name)` with the name stack `stack`: the first
    /// use of a name returns it as is; later uses append `_N`, skipping any
    /// suffix already taken. O(1) amortised: the counter remembers where to
    /// continue.
    pub(crate) fn unique_name(&mut self, stack: &str, name: &str) -> String {
        let full = join(stack, name);
        let mut key = std::mem::take(&mut self.key);
        key.clear();
        push_lower(&mut key, &full);
        let i = self.bump(&key);
        if i == 0 {
            self.key = key;
            return full;
        }
        let run = self.runs.get(key.as_str()).copied().unwrap_or_default();
        let mut j = i;
        if run.shadows == 0 {
            // Only the run can have taken `key_j`: no map lookups needed.
            while run.generated(j) {
                j += 1;
            }
        } else {
            let mut candidate = std::mem::take(&mut self.candidate);
            loop {
                candidate.clear();
                candidate.push_str(&key);
                candidate.push('_');
                push_decimal(&mut candidate, j);
                if self.count(&candidate) == 0 {
                    break;
                }
                j += 1;
            }
            self.candidate = candidate;
        }
        self.mark_generated(&key, j);
        self.key = key;
        let mut out = full;
        out.push('_');
        push_decimal(&mut out, j);
        out
    }

    #[cfg(test)]
    pub(crate) fn contains(&self, name: &str) -> bool {
        let mut key = String::new();
        push_lower(&mut key, name);
        self.count(&key) > 0
    }
}

/// Appends `n` in decimal.
fn push_decimal(s: &mut String, n: u64) {
    s.push_str(itoa::Buffer::new().format(n));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semantics_examples() {
        let mut u = UsedNames::default();
        let got: Vec<String> = ["foo", "foo", "foo_1", "foo_1"]
            .iter()
            .map(|n| u.unique_name("", n))
            .collect();
        assert_eq!(got, ["foo", "foo_1", "foo_1_1", "foo_1_2"]);

        let mut u = UsedNames::default();
        let got: Vec<String> = ["foo_2", "foo", "foo", "foo"]
            .iter()
            .map(|n| u.unique_name("", n))
            .collect();
        assert_eq!(got, ["foo_2", "foo", "foo_1", "foo_3"]);

        let mut u = UsedNames::default();
        assert_eq!(u.unique_name("", "foo"), "foo");
        assert_eq!(u.unique_name("", "Foo"), "Foo_1");
        assert!(u.contains("FOO_1"));
    }

    /// TF's algorithm exactly as SEMANTICS.md §2 states it, one map entry per name.
    fn reference(
        used: &mut std::collections::HashMap<String, u64>,
        stack: &str,
        name: &str,
    ) -> String {
        let full = join(stack, name);
        let key = full.to_lowercase();
        let i = *used.get(&key).unwrap_or(&0);
        used.insert(key.clone(), i + 1);
        if i == 0 {
            return full;
        }
        let mut j = i;
        while used.contains_key(&format!("{key}_{j}")) {
            j += 1;
        }
        used.insert(format!("{key}_{j}"), 1);
        format!("{full}_{j}")
    }

    proptest::proptest! {
        #[test]
        fn compact_record_equals_tf_reference(
            names in proptest::collection::vec(
                proptest::sample::select(vec!["a", "A", "a_1", "a_2", "a_1_1", "a_01", "a_3", "b", "a_", "_1"]),
                1..200,
            )
        ) {
            let mut compact = UsedNames::default();
            let mut naive = std::collections::HashMap::new();
            for n in names {
                proptest::prop_assert_eq!(compact.unique_name("s", n), reference(&mut naive, "s", n));
            }
        }
    }

    #[test]
    fn repeated_names_do_not_grow_the_record() {
        let mut u = UsedNames::default();
        for _ in 0..10_000 {
            u.unique_name("", "block");
        }
        assert_eq!(u.counts.len() + u.runs.len(), 2);
        assert_eq!(u.unique_name("", "block_9999"), "block_9999_1");
        assert_eq!(u.unique_name("", "block"), "block_10000");
    }

    #[test]
    fn validity() {
        assert!(validate("a.b-c>d\\e/f_g", true, NameKind::Op).is_ok());
        assert!(validate("_x", true, NameKind::Op).is_err());
        assert!(validate("_x", false, NameKind::Op).is_ok());
        assert!(validate("a:0", false, NameKind::Op).is_err());
        assert!(validate("", true, NameKind::Op).is_err());
    }
}
