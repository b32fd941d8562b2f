//! TensorFlow's name rules: which names are valid, and `unique_name`, the
//! one case-insensitive counter scheme shared by name scopes, ops and
//! variables.

use std::hash::Hasher;

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
    join_into(String::new(), prefix, name)
}

/// `join` in the buffer `out` (cleared first).
pub(crate) fn join_into(mut out: String, prefix: &str, name: &str) -> String {
    let needed = prefix.len() + 1 + name.len() + 8;
    if out.capacity() < needed {
        // Straight to the size needed (no growth path, no copy).
        out = String::with_capacity(needed);
    }
    out.clear();
    if !prefix.is_empty() {
        out.push_str(prefix);
        out.push('/');
    }
    out.push_str(name);
    out
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
    // Scans bytes from the end: this runs on every `unique_name`.
    let bytes = key.as_bytes();
    let mut pos = bytes.len();
    while pos > 0 && bytes[pos - 1].is_ascii_digit() {
        pos -= 1;
    }
    let digits = &bytes[pos..];
    if digits.is_empty() || digits[0] == b'0' || pos == 0 || bytes[pos - 1] != b'_' {
        return None;
    }
    let mut j = 0u64;
    for &d in digits {
        j = j.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some((&key[..pos - 1], j))
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

    /// Adds `j` if it starts an empty run or continues this one.
    fn try_extend(&mut self, j: u64) -> bool {
        if self.start == self.end {
            (self.start, self.end) = (j, j + 1);
        } else if self.end == j {
            self.end += 1;
        } else {
            return false;
        }
        true
    }
}

/// The count a generated name has through its base's run (1 or 0).
fn run_count(runs: &FxHashMap<String, Run>, key: &str) -> u64 {
    match split_suffix(key) {
        Some((base, j)) => runs.get(base).is_some_and(|r| r.generated(j)).into(),
        None => 0,
    }
}

/// A key `base_j/leaf` directly under a generated scope `base_j` (one
/// in its base's run), as `(base, j, leaf)`.
fn under_generated<'k>(
    runs: &FxHashMap<String, Run>,
    key: &'k str,
) -> Option<(&'k str, u64, &'k str)> {
    let slash = key.bytes().rposition(|b| b == b'/')?;
    let (parent, leaf) = (&key[..slash], &key[slash + 1..]);
    let (base, j) = split_suffix(parent)?;
    runs.get(base)?.generated(j).then_some((base, j, leaf))
}

/// Names opened once directly inside each of a run of generated scopes
/// (`model_1/layer`, `model_2/layer`, ...: what a scope entered per call
/// leaves behind), kept as one run of `j` per `(base, leaf)` instead of one
/// record per name. Lookups hash `(base, leaf)` without building a key.
#[derive(Default, Debug, Clone)]
struct ChildRuns {
    table: hashbrown::HashTable<(Box<str>, Box<str>, Run)>,
}

impl ChildRuns {
    fn hash(base: &str, leaf: &str) -> u64 {
        let mut h = rustc_hash::FxHasher::default();
        h.write(base.as_bytes());
        h.write_u8(b'/');
        h.write(leaf.as_bytes());
        h.finish()
    }

    fn get(&self, base: &str, leaf: &str) -> Option<&Run> {
        self.table
            .find(Self::hash(base, leaf), |(b, l, _)| {
                &**b == base && &**l == leaf
            })
            .map(|(_, _, run)| run)
    }

    fn get_or_insert(&mut self, base: &str, leaf: &str) -> &mut Run {
        let hash = Self::hash(base, leaf);
        let entry = self.table.entry(
            hash,
            |(b, l, _)| &**b == base && &**l == leaf,
            |(b, l, _)| Self::hash(b, l),
        );
        &mut entry
            .or_insert_with(|| (base.into(), leaf.into(), Run::default()))
            .into_mut()
            .2
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
    children: ChildRuns,
    key: String,
    candidate: String,
}

impl UsedNames {
    fn count(&self, key: &str) -> u64 {
        match self.counts.get(key) {
            Some(&c) => c,
            None => run_count(&self.runs, key).max(self.child_count(key)),
        }
    }

    /// The count `key` has through a child run (1 or 0).
    fn child_count(&self, key: &str) -> u64 {
        under_generated(&self.runs, key)
            .and_then(|(base, j, leaf)| self.children.get(base, leaf).map(|r| r.generated(j)))
            .unwrap_or(false)
            .into()
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
                if i == 0 {
                    if let Some((base, j, leaf)) = under_generated(&self.runs, key) {
                        let run = self.children.get_or_insert(base, leaf);
                        if run.generated(j) {
                            Self::insert_count(entry, &mut self.runs, key, 2);
                            return 1;
                        }
                        if run.try_extend(j) {
                            // `base_j/leaf` may itself look generated
                            // (`leaf` = `x_k`): its count is then no longer
                            // decided by its own base's run alone.
                            if let Some((own_base, _)) = split_suffix(key) {
                                self.runs.entry_ref(own_base).or_default().shadows += 1;
                            }
                            return 0;
                        }
                    }
                }
                Self::insert_count(entry, &mut self.runs, key, i + 1);
                i
            }
        }
    }

    /// Records the generated name `base_j` (count 1).
    fn mark_generated(&mut self, base: &str, j: u64) {
        if !self.runs.entry_ref(base).or_default().try_extend(j) {
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
        self.unique_name_in(stack, name, String::new())
    }

    /// `unique_name`, written into the buffer `out`.
    pub(crate) fn unique_name_in(&mut self, stack: &str, name: &str, out: String) -> String {
        let full = join_into(out, stack, name);
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

    proptest::proptest! {
        /// Names opened inside names handed out before (`model_3/layer`):
        /// the child runs must give TF's counts too, for any interleaving.
        #[test]
        fn nested_generated_scopes_equal_tf_reference(
            steps in proptest::collection::vec(
                (0usize..6, proptest::sample::select(vec!["m", "M", "m_1", "m_2", "l", "l_1", "L_2", "x"])),
                1..300,
            )
        ) {
            let mut compact = UsedNames::default();
            let mut naive = std::collections::HashMap::new();
            let mut handed_out: Vec<String> = Vec::new();
            for (pick, name) in steps {
                let stack = match pick {
                    0 => String::new(),
                    k => handed_out.iter().rev().nth(k - 1).cloned().unwrap_or_default(),
                };
                let got = compact.unique_name(&stack, name);
                proptest::prop_assert_eq!(&got, &reference(&mut naive, &stack, name));
                handed_out.push(got);
            }
            for key in naive.keys() {
                proptest::prop_assert_eq!(compact.count(key), naive[key], "count of {}", key);
            }
            proptest::prop_assert_eq!(compact.count("m_99/l"), 0);
        }
    }

    #[test]
    fn scopes_entered_per_call_do_not_grow_the_record() {
        let mut u = UsedNames::default();
        for j in 0..10_000u64 {
            let outer = u.unique_name("", "model");
            assert_eq!(u.unique_name(&outer, "layer"), format!("{outer}/layer"));
            assert_eq!(
                outer,
                if j == 0 {
                    "model".to_string()
                } else {
                    format!("model_{j}")
                }
            );
        }
        assert!(u.counts.len() + u.runs.len() + u.children.table.len() <= 4);
        assert_eq!(u.unique_name("model_5", "layer"), "model_5/layer_1");
        assert_eq!(u.unique_name("model_10000", "layer"), "model_10000/layer");
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
