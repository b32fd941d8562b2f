//! `outputs_collections`: slim's `collect_named_outputs`, the tensors a
//! layer adds to a named collection under an alias (its scope name), from
//! which slim nets build their `end_points` dict. Kept per graph and
//! thread, in insertion order.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::graph::Graph;
use crate::layers::LayerValue;

type Key = (u64, String);

thread_local! {
    static COLLECTIONS: RefCell<HashMap<Key, Vec<(String, LayerValue)>>> =
        RefCell::new(HashMap::new());
}

/// Adds `value` under `alias` (a trailing `/` dropped, as slim's
/// `append_tensor_alias` does) to `collection` of the current graph.
pub fn collect_named_outputs(collection: &str, alias: &str, value: &LayerValue) {
    let alias = alias.strip_suffix('/').unwrap_or(alias).to_string();
    let key = (Graph::current().id(), collection.to_string());
    COLLECTIONS.with(|c| {
        c.borrow_mut()
            .entry(key)
            .or_default()
            .push((alias, value.clone()))
    });
}

/// The outputs of `collection` of the current graph, as `(alias, value)`
/// in insertion order (`convert_collection_to_dict` keeps the last value
/// of a repeated alias; [`end_points`] does that).
pub fn named_outputs(collection: &str) -> Vec<(String, LayerValue)> {
    let key = (Graph::current().id(), collection.to_string());
    COLLECTIONS.with(|c| c.borrow().get(&key).cloned().unwrap_or_default())
}

/// `utils.convert_collection_to_dict(collection)`: one entry per alias,
/// in first-insertion order, holding the alias's last value.
pub fn end_points(collection: &str) -> Vec<(String, LayerValue)> {
    let mut out: Vec<(String, LayerValue)> = Vec::new();
    for (alias, v) in named_outputs(collection) {
        match out.iter_mut().find(|(a, _)| *a == alias) {
            Some(slot) => slot.1 = v,
            None => out.push((alias, v)),
        }
    }
    out
}

/// Empties `collection` of the current graph.
pub fn clear_named_outputs(collection: &str) {
    let key = (Graph::current().id(), collection.to_string());
    COLLECTIONS.with(|c| c.borrow_mut().remove(&key));
}
