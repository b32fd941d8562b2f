//! Summary table, tree view and DOT export of a graph.

#![forbid(unsafe_code)]

use scope_runtime::{get_variable, variable_scope, DType, Graph, Variable};

fn small_graph() -> Graph {
    let graph = Graph::with_seed(0);
    let _d = graph.as_default();
    {
        let _vs = variable_scope("enc").enter().unwrap();
        let _l = variable_scope("layer_0").enter().unwrap();
        get_variable("kernel").shape(&[3, 4]).get().unwrap();
        get_variable("bias").shape(&[4]).get().unwrap();
    }
    get_variable("step")
        .shape(&[])
        .dtype(DType::I64)
        .trainable(false)
        .get()
        .unwrap();
    Variable::new("counter", 0i32).unwrap();
    graph
}

#[test]
fn summary_table_lists_every_variable_with_totals() {
    let text = small_graph().summary().to_string();
    let rows: Vec<&str> = text.lines().collect();
    assert!(rows[1].starts_with("Variable"), "{text}");
    assert!(text.contains("enc/layer_0/kernel  [3, 4]"), "{text}");
    assert!(text.contains("step"), "{text}");
    assert!(text.ends_with("Non-trainable params: 1"), "{text}");
    assert!(text.contains("Total params: 18"), "{text}");
    assert!(text.contains("Trainable params: 17"), "{text}");
    assert!(
        rows.iter().all(|r| !r.ends_with(' ')),
        "no trailing spaces:\n{text}"
    );
}

#[test]
fn tree_groups_by_scope_with_subtree_counts() {
    let expected = "\
enc/ (16)
└── layer_0/ (16)
    ├── kernel  [3, 4] float32  12
    └── bias  [4] float32  4
step  [] int64  1
counter  [] int32  1
total: 18 parameters
";
    assert_eq!(small_graph().tree(), expected);
}

#[test]
fn dot_export_nests_scopes_as_clusters() {
    let dot = small_graph().to_dot();
    assert!(dot.starts_with("digraph variables {"));
    assert_eq!(dot.matches('{').count(), dot.matches('}').count());
    assert!(dot.contains("label=\"enc\""), "{dot}");
    assert!(dot.contains("label=\"enc/layer_0\""), "{dot}");
    assert!(
        dot.contains("\"enc/layer_0/kernel\" [label=\"kernel\\n[3, 4] float32\"]"),
        "{dot}"
    );
}
