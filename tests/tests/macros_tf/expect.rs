//! Shared by the `macros_*` tests that replay a TF-produced scenario with
//! the macros: the scenario's `expect` array projected to strings, and the
//! log a macro program writes in the same form.
// Each test file uses part of this module.
#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::Value;

use scope_runtime::{
    get_name_scope, get_variable_scope, PartitionedVariable, Reuse, ScopeError, Variable,
};

/// The scenario `file` (under `tests/conformance/`, or `tests/tests/macros_tf/`
/// for those made for the macros) as strings, minus the entries at `skip`
/// (results a macro program cannot observe, such as `make_template`'s).
pub fn expected(file: &str, skip: &[usize]) -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = [
        root.join("conformance").join(file),
        root.join("tests/macros_tf").join(file),
    ]
    .into_iter()
    .find(|p| p.exists())
    .unwrap_or_else(|| panic!("no scenario {file}"));
    let text = std::fs::read_to_string(&path).expect("scenario readable");
    let scenario: Value = serde_json::from_str(&text).expect("scenario is JSON");
    let expect = scenario["expect"].as_array().expect("an expect array");
    expect
        .iter()
        .enumerate()
        .filter(|(i, _)| !skip.contains(i))
        .map(|(_, e)| project(e))
        .collect()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

fn project(e: &Value) -> String {
    if let Some(kind) = e.get("error") {
        return format!("error {}", text(kind));
    }
    let ok = &e["ok"];
    if let Some(ns) = e.get("ns") {
        return format!(
            "scope {} ns={} orig={} reuse={}",
            text(ok),
            text(ns),
            text(&e["original_name_scope"]),
            text(&e["reuse"])
        );
    }
    if let Some(parts) = e.get("parts").and_then(Value::as_array) {
        let parts: Vec<String> = parts
            .iter()
            .map(|p| format!("{} #{}", text(&p[0]), p[1]))
            .collect();
        return format!("partitioned {} [{}]", text(ok), parts.join(", "));
    }
    if let Some(index) = e.get("var") {
        return format!("var {} #{index}", text(ok));
    }
    match ok {
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(text).collect();
            format!("list [{}]", items.join(", "))
        }
        other => format!("ok {}", text(other)),
    }
}

/// What a macro program observed, in the scenario's order.
#[derive(Default)]
pub struct Log(pub Vec<String>);

impl Log {
    /// The current variable scope and name scope (a scope step's result).
    pub fn scope(&mut self) {
        let vs = get_variable_scope();
        let reuse = match vs.reuse() {
            Reuse::False => "false",
            Reuse::True => "true",
            Reuse::Auto => "auto",
        };
        self.0.push(format!(
            "scope {} ns={} orig={} reuse={reuse}",
            vs.name(),
            get_name_scope(),
            vs.original_name_scope()
        ));
    }

    pub fn var(&mut self, v: Result<Variable, ScopeError>) {
        self.0.push(match v {
            Ok(v) => format!("var {} #{}", v.name(), v.index()),
            Err(e) => format!("error {}", e.kind()),
        });
    }

    pub fn partitioned(&mut self, p: Result<PartitionedVariable, ScopeError>) {
        self.0.push(match p {
            Ok(p) => {
                let parts: Vec<String> = p
                    .parts()
                    .iter()
                    .map(|v| format!("{} #{}", v.name(), v.index()))
                    .collect();
                format!("partitioned {} [{}]", p.name(), parts.join(", "))
            }
            Err(e) => format!("error {}", e.kind()),
        });
    }

    pub fn list<S: AsRef<str>>(&mut self, names: impl IntoIterator<Item = S>) {
        let names: Vec<String> = names.into_iter().map(|n| n.as_ref().to_string()).collect();
        self.0.push(format!("list [{}]", names.join(", ")));
    }
}
