//! Property: names handed out by `unique_name` (name scopes, ops,
//! `Variable::new`, `get_variable`) never collide, case-insensitively.

#![forbid(unsafe_code)]

use std::collections::HashSet;

use proptest::prelude::*;
use scope_runtime::{
    get_variable, name_scope, register_op, variable_scope, Graph, Reuse, Variable,
};

#[derive(Debug, Clone)]
enum Action {
    Op(String),
    Var(String),
    GetVar(String),
    Enter(String),
    Exit,
}

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a", "A", "a_1", "A_1", "a_2", "a_1_1", "b", "B_2", "x", "X",
    ])
    .prop_map(str::to_string)
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => name().prop_map(Action::Op),
        2 => name().prop_map(Action::Var),
        2 => name().prop_map(Action::GetVar),
        2 => name().prop_map(Action::Enter),
        1 => Just(Action::Exit),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn unique_names_never_collide(actions in prop::collection::vec(action(), 1..80)) {
        let graph = Graph::new();
        let _g = graph.as_default();
        let _auto = variable_scope("").reuse(Reuse::Auto).enter().unwrap();
        let mut guards = Vec::new();
        let mut handed_out: Vec<String> = Vec::new();
        let mut store_keys = HashSet::new();
        for action in actions {
            match action {
                Action::Op(n) => handed_out.push(register_op(n.as_str()).unwrap()),
                Action::Var(n) => handed_out.push(Variable::new(&n, 0.0f32).unwrap().op_name().to_string()),
                Action::GetVar(n) => {
                    let v = get_variable(&n).shape(&[1]).get().unwrap();
                    // A shared variable is not a new name.
                    if store_keys.insert(v.store_key().unwrap().to_string()) {
                        handed_out.push(v.op_name().to_string());
                    }
                }
                Action::Enter(n) => {
                    let g = name_scope(&n).enter().unwrap();
                    handed_out.push(g.scope().trim_end_matches('/').to_string());
                    guards.push(g);
                }
                Action::Exit => { guards.pop(); }
            }
        }
        while guards.pop().is_some() {}
        let mut seen = HashSet::new();
        for n in &handed_out {
            prop_assert!(seen.insert(n.to_lowercase()), "{} handed out twice (case-insensitively) in {:?}", n, handed_out);
        }
    }
}
