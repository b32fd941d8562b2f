//! The default graph: `Graph::current()`, `Graph::as_default()` and its
//! guard, an operation on this thread's default-graph stack (`context`).

use crate::context::{pop_default_graph, push_default_graph, record_guard_error, ThreadBound};
use crate::error::ScopeError;
use crate::graph::Graph;

impl Graph {
    /// The current thread's default graph: the innermost `as_default` guard's
    /// graph, else the process-wide default graph.
    pub fn current() -> Graph {
        crate::context::with_default_graph(Graph::clone)
    }

    /// Makes this graph the current thread's default until the guard drops.
    pub fn as_default(&self) -> DefaultGraphGuard {
        push_default_graph(self.clone());
        DefaultGraphGuard {
            graph_id: self.id(),
            _thread: ThreadBound::default(),
        }
    }
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
        if let Some(still_open) = pop_default_graph(self.graph_id) {
            record_guard_error(ScopeError::GuardOrder {
                dropped: format!("Graph::as_default (graph {})", self.graph_id),
                still_open,
                innermost: String::new(),
            });
        }
    }
}
