//! Conformance harness: replays a scenario file (see
//! `conformance/FORMAT.md`) through scope's runtime and compares every
//! result with the `expect` array TensorFlow produced.

#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

mod api;
mod slim;

use scope_runtime::layers::{self, Activation, LayerName, LayerOutput, LayerPadding, LayerValue};
use scope_runtime::{
    get_local_variable, get_name_scope, get_variable, get_variable_scope, make_template,
    name_scope, register_op, reuse_variables, variable_scope, DType, Graph, GraphObject,
    Initializer, Reuse, ScopeError, ScopeTarget, Template, Variable, VariableScope,
};

/// One scenario file.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub steps: Vec<Value>,
    pub expect: Vec<Value>,
}

impl Scenario {
    /// Reads and checks the top-level shape of a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let doc: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not valid JSON: {e}", path.display()))?;
        let field = |key: &str| {
            doc.get(key)
                .ok_or_else(|| format!("{} has no `{key}`", path.display()))
        };
        let name = match doc.get("name").and_then(Value::as_str) {
            Some(n) => n.to_string(),
            None => path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
        };
        let list = |key: &str| -> Result<Vec<Value>, String> {
            field(key)?
                .as_array()
                .cloned()
                .ok_or_else(|| format!("{}: `{key}` is not an array", path.display()))
        };
        Ok(Scenario {
            name,
            description: doc
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            steps: list("steps")?,
            expect: list("expect")?,
        })
    }

    /// Runs the scenario on a fresh graph and returns every result, each
    /// with the step that produced it.
    pub fn run(&self) -> Vec<(Value, Value)> {
        let graph = Graph::new();
        let _default = graph.as_default();
        let mut runner = Runner {
            labels: HashMap::new(),
            out: Vec::new(),
            getter_log: Default::default(),
        };
        runner.steps(&self.steps);
        runner.out
    }

    /// Runs the scenario and compares with `expect`.
    pub fn check(&self) -> Result<(), Mismatch> {
        let got = self.run();
        compare(&self.expect, &got)
    }
}

/// The first result that differs from TensorFlow's.
#[derive(Debug, Clone)]
pub struct Mismatch {
    pub index: usize,
    pub step: Value,
    pub expected: Value,
    pub got: Value,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "result #{} (step {}):\n    expected {}\n    got      {}",
            self.index, self.step, self.expected, self.got
        )
    }
}

/// Compares results with `expect`: error kinds (not messages) for errors,
/// every other key of the expected object exactly.
pub fn compare(expect: &[Value], got: &[(Value, Value)]) -> Result<(), Mismatch> {
    for (index, expected) in expect.iter().enumerate() {
        let Some((step, result)) = got.get(index) else {
            return Err(Mismatch {
                index,
                step: Value::Null,
                expected: expected.clone(),
                got: json!("<no result: the run produced fewer results>"),
            });
        };
        if !result_matches(expected, result) {
            return Err(Mismatch {
                index,
                step: step.clone(),
                expected: expected.clone(),
                got: result.clone(),
            });
        }
    }
    if got.len() > expect.len() {
        let (step, result) = &got[expect.len()];
        return Err(Mismatch {
            index: expect.len(),
            step: step.clone(),
            expected: json!("<no result: TensorFlow produced fewer results>"),
            got: result.clone(),
        });
    }
    Ok(())
}

fn result_matches(expected: &Value, got: &Value) -> bool {
    let (Some(e), Some(g)) = (expected.as_object(), got.as_object()) else {
        return expected == got;
    };
    if let Some(kind) = e.get("error") {
        return g.get("error") == Some(kind);
    }
    if g.contains_key("error") {
        return false;
    }
    // A layer result's `ok` names ops inside the layer that another engine
    // need not build (FORMAT.md): kept for reference, not compared.
    let layer_result = e.contains_key("vars");
    e.iter()
        .filter(|(k, _)| k.as_str() != "message" && !(layer_result && k.as_str() == "ok"))
        .all(|(k, v)| g.get(k) == Some(v))
}

/// Outcome of replaying one file.
pub struct FileOutcome {
    pub path: PathBuf,
    pub name: String,
    pub result: Result<(), String>,
}

/// Replays one scenario file; a malformed file or a panic is a failure.
pub fn replay_file(path: &Path) -> FileOutcome {
    let fallback_name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let scenario = match Scenario::load(path) {
        Ok(s) => s,
        Err(e) => {
            return FileOutcome {
                path: path.to_path_buf(),
                name: fallback_name,
                result: Err(e),
            }
        }
    };
    let result = match std::panic::catch_unwind(|| scenario.check()) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(m)) => Err(m.to_string()),
        Err(panic) => Err(format!("panicked: {}", panic_message(&panic))),
    };
    FileOutcome {
        path: path.to_path_buf(),
        name: scenario.name,
        result,
    }
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "<non-string panic>".to_string())
}

/// For `cargo test`: replays every scenario under `dir` (relative to this
/// crate) and panics listing each one that differs from TensorFlow, or if
/// fewer than `at_least` scenarios are there.
pub fn assert_dir_matches_tensorflow(dir: &str, at_least: usize) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
    let files = collect_scenario_files(&[dir]).expect("scenario directory");
    assert!(
        files.len() >= at_least,
        "expected at least {at_least} scenarios, found {}",
        files.len()
    );
    let failures: Vec<String> = files
        .iter()
        .map(|f| replay_file(f))
        .filter_map(|o| o.result.err().map(|e| format!("{}: {e}", o.name)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} scenarios differ from TensorFlow:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

/// Every `*.json` file under the given files and directories (recursively),
/// sorted within each directory.
pub fn collect_scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| format!("cannot read directory {}: {e}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            let (dirs, plain): (Vec<_>, Vec<_>) = entries.into_iter().partition(|p| p.is_dir());
            files.extend(
                plain
                    .into_iter()
                    .filter(|p| p.extension().is_some_and(|e| e == "json")),
            );
            files.extend(collect_scenario_files(&dirs)?);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(format!("{} does not exist", path.display()));
        }
    }
    Ok(files)
}

// ---------------------------------------------------------------------------
// Running steps

enum Captured {
    Str(String),
    Scope(VariableScope),
    Template(Template),
    /// A layer's output (`"capture"` on a `layer` step).
    Output(LayerValue),
    /// What a get or `variable` step returned (FORMAT-tf1-api.md, Labels).
    Object(GraphObject),
    ArgScope(scope_runtime::slim::ArgScope),
}

struct Runner {
    labels: HashMap<String, Captured>,
    out: Vec<(Value, Value)>,
    getter_log: api::GetterLog,
}

fn error_result(e: &ScopeError) -> Value {
    json!({"error": e.kind(), "message": e.to_string()})
}

fn reuse_value(r: Reuse) -> Value {
    match r {
        Reuse::False => json!(false),
        Reuse::True => json!(true),
        Reuse::Auto => json!("auto"),
    }
}

fn scope_result(vs: &VariableScope) -> Value {
    json!({
        "ok": vs.name(),
        "ns": get_name_scope(),
        "original_name_scope": vs.original_name_scope(),
        "reuse": reuse_value(vs.reuse()),
    })
}

fn step_header(step: &Value) -> Value {
    match step.as_object() {
        Some(o) => Value::Object(
            o.iter()
                .filter(|(k, _)| k.as_str() != "body")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Map<String, Value>>(),
        ),
        None => step.clone(),
    }
}

impl Runner {
    fn steps(&mut self, steps: &[Value]) {
        for step in steps {
            self.step(step);
        }
    }

    fn push(&mut self, step: &Value, result: Value) {
        self.out.push((step_header(step), result));
    }

    fn push_result(&mut self, step: &Value, result: Result<Value, ScopeError>) {
        let value = result.unwrap_or_else(|e| error_result(&e));
        self.push(step, value);
    }

    fn capture(&mut self, step: &Value, captured: Captured) {
        if let Some(label) = step.get("capture").and_then(Value::as_str) {
            self.labels.insert(label.to_string(), captured);
        }
    }

    fn body(&mut self, step: &Value) {
        if let Some(body) = step.get("body").and_then(Value::as_array) {
            self.steps(body);
        }
    }

    fn step(&mut self, step: &Value) {
        let o = step.as_object();
        let has = |k: &str| o.is_some_and(|o| o.contains_key(k));
        if has("name_scope") {
            self.name_scope(step);
        } else if has("variable_scope") {
            self.variable_scope(step);
        } else if has("variable") {
            let r = self.variable(step);
            self.push_result(step, r);
        } else if has("get_variable") || has("get_local_variable") {
            let r = self.get_variable(step);
            self.push_result(step, r);
        } else if has("getter_log") {
            self.getter_log_step(step);
        } else if has("add_to_collection") {
            self.add_to_collection_step(step);
        } else if has("set_regularizer") || has("set_partitioner") || has("set_custom_getter") {
            self.set_step(step);
        } else if has("regularization_loss") {
            self.regularization_loss_step(step);
        } else if has("op") {
            let r = register_op(step["op"].as_str()).map(|n| json!({ "ok": n }));
            self.push_result(step, r);
        } else if has("reuse_variables") {
            reuse_variables();
            self.push(step, json!({"ok": ""}));
        } else if has("get_variable_scope") {
            let vs = get_variable_scope();
            self.push(step, scope_result(&vs));
            self.capture(step, Captured::Scope(vs));
        } else if has("collection") {
            self.collection(step);
        } else if has("layer") {
            let r = self.layer(step);
            self.push_result(step, r);
        } else if has("make_template") {
            self.make_template(step);
        } else if has("call_template") {
            self.call_template(step);
        } else if !slim::step(self, step) {
            self.push(
                step,
                json!({"error": "UnknownStep", "message": "unknown step kind"}),
            );
        }
    }

    fn name_scope(&mut self, step: &Value) {
        let name: Option<String> = match &step["name_scope"] {
            Value::String(s) => Some(s.clone()),
            Value::Object(r) => match r
                .get("ref")
                .and_then(Value::as_str)
                .and_then(|l| self.labels.get(l))
            {
                Some(Captured::Str(s)) => Some(s.clone()),
                Some(Captured::Scope(vs)) => Some(vs.original_name_scope().to_string()),
                _ => {
                    self.push(step, json!({"error": "UnknownLabel"}));
                    return;
                }
            },
            _ => None,
        };
        let mut ns = name_scope(name.as_deref());
        if let Some(d) = step.get("default_name").and_then(Value::as_str) {
            ns = ns.default_name(d);
        }
        match ns.enter() {
            Ok(guard) => {
                self.push(step, json!({ "ok": guard.scope() }));
                self.capture(step, Captured::Str(guard.scope().to_string()));
                self.body(step);
            }
            Err(e) => self.push(step, error_result(&e)),
        }
    }

    fn variable_scope(&mut self, step: &Value) {
        let captured;
        let captured_name;
        let target: ScopeTarget<'_> = match &step["variable_scope"] {
            Value::String(s) => ScopeTarget::Name(s),
            Value::Object(r) => match r
                .get("ref")
                .and_then(Value::as_str)
                .and_then(|l| self.labels.get(l))
            {
                Some(Captured::Scope(vs)) => {
                    captured = vs.clone();
                    ScopeTarget::Scope(&captured)
                }
                // A captured name-scope string is passed to TF as a plain name.
                Some(Captured::Str(s)) => {
                    captured_name = s.clone();
                    ScopeTarget::Name(&captured_name)
                }
                _ => {
                    self.push(step, json!({"error": "UnknownLabel"}));
                    return;
                }
            },
            _ => ScopeTarget::Unnamed,
        };
        let mut vs = variable_scope(target);
        if let Some(d) = step.get("default_name").and_then(Value::as_str) {
            vs = vs.default_name(d);
        }
        match step.get("reuse") {
            Some(Value::Bool(b)) => vs = vs.reuse(*b),
            Some(Value::String(s)) if s == "auto" => vs = vs.reuse(Reuse::Auto),
            _ => {}
        }
        if let Some(b) = step.get("auxiliary_name_scope").and_then(Value::as_bool) {
            vs = vs.auxiliary_name_scope(b);
        }
        if let Some(i) = step.get("initializer") {
            match parse_initializer(i) {
                Ok(i) => vs = vs.initializer(i),
                Err(e) => return self.push(step, e),
            }
        }
        if let Some(t) = step.get("dtype").and_then(Value::as_str) {
            match t.parse::<DType>() {
                Ok(t) => vs = vs.dtype(t),
                Err(e) => return self.push(step, json!({"error": "BadStep", "message": e})),
            }
        }
        match self.extras(step) {
            Ok((p, r, g)) => {
                if let Some(p) = p {
                    vs = vs.partitioner(p);
                }
                if let Some(r) = r {
                    vs = vs.regularizer(r);
                }
                if let Some(g) = g {
                    vs = vs.custom_getter(g);
                }
            }
            Err(e) => return self.push(step, error_result(&e)),
        }
        match vs.enter() {
            Ok(guard) => {
                self.push(step, scope_result(guard.scope()));
                self.capture(step, Captured::Scope(guard.scope().clone()));
                self.body(step);
            }
            Err(e) => self.push(step, error_result(&e)),
        }
    }

    fn variable(&mut self, step: &Value) -> Result<Value, ScopeError> {
        let shape = parse_shape(step.get("shape")).unwrap_or_default();
        let shape: Vec<usize> = shape.into_iter().map(|d| d.unwrap_or(0)).collect();
        let dtype = step
            .get("dtype")
            .and_then(Value::as_str)
            .and_then(|t| t.parse().ok())
            .unwrap_or(DType::F32);
        let zeros = scope_runtime::Value::full(dtype, &shape, 0.0)
            .map_err(|e| ScopeError::InvalidArgument(format!("cannot make a zero value: {e}")))?;
        let mut builder = Variable::builder(zeros);
        if let Some(t) = step.get("trainable").and_then(Value::as_bool) {
            builder = builder.trainable(t);
        }
        if let Some(keys) = collections_arg(step) {
            builder = builder.collections(&keys);
        }
        let v = match step["variable"].as_str() {
            Some(name) => builder.name(name).build()?,
            None => builder.build()?,
        };
        self.capture(step, Captured::Object(v.clone().into()));
        Ok(json!({"ok": v.name(), "var": v.index()}))
    }

    fn get_variable(&mut self, step: &Value) -> Result<Value, ScopeError> {
        let (name, local) = match step.get("get_local_variable") {
            Some(n) => (n.as_str().unwrap_or_default(), true),
            None => (step["get_variable"].as_str().unwrap_or_default(), false),
        };
        let shape = parse_shape(step.get("shape"));
        // Bad partitioner or regularizer arguments fail first (FORMAT-tf1-api.md).
        let (partitioner, regularizer, getter) = self.extras(step)?;
        let mut gv = if local {
            get_local_variable(name)
        } else {
            get_variable(name)
        };
        if let Some(p) = partitioner {
            gv = gv.partitioner(p);
        }
        if let Some(r) = regularizer {
            gv = gv.regularizer(r);
        }
        if let Some(g) = getter {
            gv = gv.custom_getter(g);
        }
        if let Some(keys) = collections_arg(step) {
            gv = gv.collections(&keys);
        }
        if let Some(shape) = &shape {
            gv = gv.partial_shape(shape);
        }
        if let Some(t) = step.get("dtype").and_then(Value::as_str) {
            gv = gv.dtype(t.parse().map_err(ScopeError::InvalidArgument)?);
        }
        if let Some(i) = step.get("initializer") {
            gv = gv.initializer(
                parse_initializer(i).map_err(|e| ScopeError::InvalidArgument(e.to_string()))?,
            );
        }
        if let Some(t) = step.get("trainable").and_then(Value::as_bool) {
            gv = gv.trainable(t);
        }
        let obj = gv.get_object()?;
        self.capture(step, Captured::Object(obj.clone()));
        Ok(api::object_result(&obj))
    }

    fn collection(&mut self, step: &Value) {
        let prefix = step.get("scope").and_then(Value::as_str).unwrap_or("");
        let graph = Graph::current();
        match step["collection"].as_str() {
            Some("update_ops") => {
                let names: Vec<String> = graph
                    .update_ops(prefix)
                    .iter()
                    .map(|op| op.name().to_string())
                    .collect();
                self.push(step, json!({ "ok": names }))
            }
            Some(key) if !key.is_empty() => {
                let names: Vec<String> = graph
                    .get_collection(api::collection_key(key), prefix)
                    .iter()
                    .map(|o| o.name().to_string())
                    .collect();
                self.push(step, json!({ "ok": names }))
            }
            other => self.push(
                step,
                json!({"error": "BadStep", "message": format!("bad collection key {other:?}")}),
            ),
        }
    }

    fn make_template(&mut self, step: &Value) {
        let mut builder = make_template(step["make_template"].as_str());
        if let Some(b) = step.get("create_scope_now").and_then(Value::as_bool) {
            builder = builder.create_scope_now(b);
        }
        if let Some(u) = step.get("unique_name").and_then(Value::as_str) {
            builder = builder.unique_name(u);
        }
        match self.extras(step) {
            Ok((_, _, Some(g))) => builder = builder.custom_getter(g),
            Ok(_) => {}
            Err(e) => return self.push(step, error_result(&e)),
        }
        match builder.build() {
            Ok(t) => {
                let name = t.variable_scope().map(|s| s.name().to_string());
                self.push(step, json!({ "ok": name }));
                self.capture(step, Captured::Template(t));
            }
            Err(e) => self.push(step, error_result(&e)),
        }
    }

    fn call_template(&mut self, step: &Value) {
        let label = step["call_template"].as_str().unwrap_or_default();
        let Some(Captured::Template(t)) = self.labels.get(label) else {
            self.push(step, json!({"error": "UnknownLabel"}));
            return;
        };
        let template = t.clone();
        let call = match template.enter() {
            Ok(call) => call,
            Err(e) => return self.push(step, error_result(&e)),
        };
        let scope = scope_result(call.scope());
        let at = self.out.len();
        self.body(step);
        let head = match call.finish() {
            Ok(()) => scope,
            Err(e) => error_result(&e),
        };
        self.out.insert(at, (step_header(step), head));
    }
}

/// The `collections` key of a get or `variable` step.
fn collections_arg(step: &Value) -> Option<Vec<String>> {
    step.get("collections")
        .and_then(Value::as_array)
        .map(|keys| {
            keys.iter()
                .filter_map(Value::as_str)
                .map(|k| api::collection_key(k).to_string())
                .collect()
        })
}

fn parse_shape(v: Option<&Value>) -> Option<Vec<Option<usize>>> {
    v?.as_array().map(|dims| {
        dims.iter()
            .map(|d| d.as_u64().map(|d| d as usize))
            .collect()
    })
}

fn parse_initializer(v: &Value) -> Result<Initializer, Value> {
    let bad = || json!({"error": "BadStep", "message": format!("unknown initializer {v}")});
    let o = v.as_object().ok_or_else(bad)?;
    let (kind, arg) = o.iter().next().ok_or_else(bad)?;
    Ok(match kind.as_str() {
        "zeros" => Initializer::Zeros,
        "ones" => Initializer::Ones,
        "constant" => match (arg.as_i64(), arg.as_f64()) {
            (Some(i), _) => Initializer::constant(i),
            (None, Some(f)) => Initializer::constant(f),
            _ => return Err(bad()),
        },
        "random_uniform" => Initializer::random_uniform(),
        "random_normal" => Initializer::random_normal(),
        "truncated_normal" => Initializer::truncated_normal(),
        "glorot_uniform" => Initializer::GlorotUniform,
        "value" => Initializer::from(parse_value(arg).ok_or_else(bad)?),
        _ => return Err(bad()),
    })
}

/// A JSON number or nested list as a tensor: int32 if written with integers
/// only, else float32.
fn parse_value(v: &Value) -> Option<scope_runtime::Value> {
    fn walk<'a>(
        v: &'a Value,
        depth: usize,
        shape: &mut Vec<usize>,
        out: &mut Vec<&'a Value>,
    ) -> Option<()> {
        match v {
            Value::Array(items) => {
                if shape.len() == depth {
                    shape.push(items.len());
                } else if shape.get(depth) != Some(&items.len()) {
                    return None;
                }
                items
                    .iter()
                    .try_for_each(|i| walk(i, depth + 1, shape, out))
            }
            Value::Number(_) => (shape.len() == depth).then(|| out.push(v)),
            _ => None,
        }
    }
    let mut shape = Vec::new();
    let mut leaves = Vec::new();
    walk(v, 0, &mut shape, &mut leaves)?;
    let all_int = leaves.iter().all(|l| l.is_i64() || l.is_u64());
    let values = leaves.iter().map(|l| l.as_f64().unwrap_or(0.0));
    if all_int {
        scope_runtime::Value::from_vec(values.map(|x| x as i32).collect(), &shape).ok()
    } else {
        scope_runtime::Value::from_vec(values.map(|x| x as f32).collect(), &shape).ok()
    }
}

/// The `value` field of a get_variable result.
fn value_kind(v: &Variable) -> String {
    if v.initializer().is_some_and(Initializer::is_random) {
        return "random".to_string();
    }
    let Ok(values) = v.to_f64_vec() else {
        return "unreadable".to_string();
    };
    let Some(&first) = values.first() else {
        return "zeros".to_string();
    };
    if values.iter().any(|&x| x != first) {
        return "mixed".to_string();
    }
    if first == 0.0 {
        "zeros".to_string()
    } else if first == 1.0 {
        "ones".to_string()
    } else {
        // Printed in the variable's own precision, as TF prints it.
        let text = match v.dtype() {
            DType::F32 => format!("{}", first as f32),
            DType::F64 => format!("{first}"),
            _ if v.dtype().is_float() => format!("{}", first as f32),
            _ => format!("{}", first as i64),
        };
        format!("constant:{text}")
    }
}

// ---------------------------------------------------------------------------
// Layer steps (FORMAT.md, "Layer steps")

/// Runs the layer a FORMAT.md `layer` step describes on `x` (its `input`
/// key is ignored; `{"ref": L}` names and scopes are not available here).
pub fn run_layer_step(step: &Value, x: LayerValue) -> Result<LayerOutput, ScopeError> {
    let runner = Runner {
        labels: HashMap::new(),
        out: Vec::new(),
        getter_log: Default::default(),
    };
    runner.run_layer(step["layer"].as_str().unwrap_or_default(), step, x)
}

/// An argument TF rejects while parsing it (before any name is chosen).
fn bad_arg(what: impl fmt::Display) -> ScopeError {
    ScopeError::InvalidArgument(what.to_string())
}

fn int_arg(step: &Value, key: &str) -> Result<Option<i64>, ScopeError> {
    match step.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| bad_arg(format!("`{key}` must be an integer, got {v}"))),
    }
}

/// A count argument (`units`, `filters`, ...): TF rejects negatives.
fn count_arg(step: &Value, key: &str) -> Result<Option<usize>, ScopeError> {
    match int_arg(step, key)? {
        Some(n) if n < 0 => Err(bad_arg(format!(
            "received an invalid value for `{key}`, expected a positive integer: {n}"
        ))),
        n => Ok(n.map(|n| n as usize)),
    }
}

/// An integer or a list of integers (`kernel_size`, `strides`, ...).
fn ints_arg(step: &Value, key: &str) -> Result<Option<Vec<i64>>, ScopeError> {
    let bad = |v: &Value| {
        bad_arg(format!(
            "`{key}` must be an integer or a list of them, got {v}"
        ))
    };
    match step.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_i64().ok_or_else(|| bad(i)))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(v) => v.as_i64().map(|i| Some(vec![i])).ok_or_else(|| bad(v)),
    }
}

fn window_arg(step: &Value, key: &str) -> Result<Option<Vec<usize>>, ScopeError> {
    match ints_arg(step, key)? {
        Some(v) if v.iter().any(|&i| i < 0) => {
            Err(bad_arg(format!("`{key}` must be positive, received {v:?}")))
        }
        v => Ok(v.map(|v| v.into_iter().map(|i| i as usize).collect())),
    }
}

fn pair_arg(step: &Value, key: &str) -> Result<Option<[usize; 2]>, ScopeError> {
    match window_arg(step, key)? {
        None => Ok(None),
        Some(v) if v.len() == 1 => Ok(Some([v[0], v[0]])),
        Some(v) if v.len() == 2 => Ok(Some([v[0], v[1]])),
        Some(v) => Err(bad_arg(format!(
            "`{key}` must have 1 or 2 entries, received {v:?}"
        ))),
    }
}

fn bool_arg(step: &Value, key: &str) -> Option<bool> {
    step.get(key).and_then(Value::as_bool)
}

fn f64_arg(step: &Value, key: &str) -> Option<f64> {
    step.get(key).and_then(Value::as_f64)
}

fn activation_arg(step: &Value, key: &str) -> Result<Option<Activation>, ScopeError> {
    match step.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(Activation::None)),
        Some(Value::String(s)) if s == "relu" => Ok(Some(Activation::Relu)),
        Some(Value::String(s)) if s == "tanh" => Ok(Some(Activation::Tanh)),
        Some(v) => Err(bad_arg(format!("unknown activation {v}"))),
    }
}

/// `None`: absent (the layer's default); `Some(None)`: `null`.
fn init_arg(step: &Value, key: &str) -> Result<Option<Option<Initializer>>, ScopeError> {
    match step.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(v) => parse_initializer(v).map(|i| Some(Some(i))).map_err(|e| {
            bad_arg(
                e["message"]
                    .as_str()
                    .unwrap_or("bad initializer")
                    .to_string(),
            )
        }),
    }
}

fn reuse_arg(step: &Value) -> Option<Reuse> {
    match step.get("reuse") {
        Some(Value::Bool(b)) => Some(Reuse::from(*b)),
        Some(Value::String(s)) if s == "auto" => Some(Reuse::Auto),
        _ => None,
    }
}

fn padding_arg(step: &Value) -> Result<Option<LayerPadding>, ScopeError> {
    match step.get("padding").and_then(Value::as_str) {
        None => Ok(None),
        Some(p) => p.parse().map(Some),
    }
}

impl Runner {
    fn layer_name(&self, step: &Value, key: &str) -> Result<LayerName, ScopeError> {
        match step.get(key) {
            None | Some(Value::Null) => Ok(LayerName::Default),
            Some(Value::String(s)) => Ok(LayerName::Name(s.clone())),
            Some(Value::Object(r)) => match r
                .get("ref")
                .and_then(Value::as_str)
                .and_then(|l| self.labels.get(l))
            {
                Some(Captured::Scope(vs)) => Ok(LayerName::Scope(vs.clone())),
                _ => Err(bad_arg(format!(
                    "`{key}` refers to no captured variable scope"
                ))),
            },
            Some(v) => Err(bad_arg(format!("bad `{key}` {v}"))),
        }
    }

    /// The layer input: a placeholder of the given shape (values when the
    /// shape is fully known, else shape-only) or a captured output.
    fn layer_input(&self, step: &Value) -> Result<LayerValue, ScopeError> {
        match step.get("input") {
            Some(Value::Object(r)) => match r
                .get("ref")
                .and_then(Value::as_str)
                .and_then(|l| self.labels.get(l))
            {
                Some(Captured::Output(v)) => Ok(v.clone()),
                _ => Err(bad_arg("`input` refers to no captured layer output")),
            },
            Some(v @ Value::Array(_)) => {
                let shape = parse_shape(Some(v)).unwrap_or_default();
                match shape.iter().copied().collect::<Option<Vec<usize>>>() {
                    Some(dims) => scope_runtime::candle::Tensor::zeros(
                        dims,
                        scope_runtime::candle::DType::F32,
                        &Graph::current().device().clone(),
                    )
                    .map(LayerValue::Tensor)
                    .map_err(ScopeError::from),
                    None => Ok(LayerValue::Shape(shape)),
                }
            }
            _ => Err(bad_arg("a layer step needs an `input`")),
        }
    }

    fn layer(&mut self, step: &Value) -> Result<Value, ScopeError> {
        let kind = step["layer"].as_str().unwrap_or_default();
        let x = self.layer_input(step)?;
        let out = self.run_layer(kind, step, x)?;
        Ok(self.layer_result(kind, step, &out))
    }

    /// A layer step's result (`{"ok", "shape", "vars"}`), capturing the
    /// output under the step's `capture` label; shared by tf.layers and
    /// slim steps.
    pub(crate) fn layer_result(&mut self, kind: &str, step: &Value, out: &LayerOutput) -> Value {
        let vars: Vec<Value> = out
            .variables
            .iter()
            .map(|v| json!([v.name(), v.index(), v.shape(), v.trainable()]))
            .collect();
        if let Some(label) = step.get("capture").and_then(Value::as_str) {
            self.labels
                .insert(label.to_string(), Captured::Output(out.value.clone()));
        }
        json!({"ok": format!("{kind}:0"), "shape": out.shape(), "vars": vars})
    }

    fn run_layer(&self, kind: &str, s: &Value, x: LayerValue) -> Result<LayerOutput, ScopeError> {
        let reuse = reuse_arg(s);
        match kind {
            "dense" => {
                let units = count_arg(s, "units")?.ok_or_else(|| bad_arg("dense needs `units`"))?;
                let mut l = layers::dense(units).name(self.layer_name(s, "name")?);
                if let Some(a) = activation_arg(s, "activation")? {
                    l = l.activation(a);
                }
                if let Some(b) = bool_arg(s, "use_bias") {
                    l = l.use_bias(b);
                }
                if let Some(i) = init_arg(s, "kernel_initializer")? {
                    l = l.kernel_initializer(i);
                }
                if let Some(i) = init_arg(s, "bias_initializer")? {
                    l = l.bias_initializer(i);
                }
                if let Some(t) = bool_arg(s, "trainable") {
                    l = l.trainable(t);
                }
                if let Some(r) = reuse {
                    l = l.reuse(r);
                }
                l.apply(x)
            }
            "conv1d" | "conv2d" | "conv2d_transpose" | "separable_conv2d" => {
                let filters = count_arg(s, "filters")?
                    .ok_or_else(|| bad_arg(format!("{kind} needs `filters`")))?;
                let k = window_arg(s, "kernel_size")?
                    .ok_or_else(|| bad_arg(format!("{kind} needs `kernel_size`")))?;
                let mut l = match kind {
                    "conv1d" => match k.as_slice() {
                        [k] => layers::conv1d(filters, *k),
                        _ => return Err(bad_arg(format!("conv1d: `kernel_size` {k:?}"))),
                    },
                    "conv2d" => layers::conv2d(filters, &k),
                    "conv2d_transpose" => layers::conv2d_transpose(filters, &k),
                    _ => layers::separable_conv2d(filters, &k),
                };
                l = l.name(self.layer_name(s, "name")?);
                if let Some(v) = window_arg(s, "strides")? {
                    l = l.strides(&v);
                }
                if let Some(v) = window_arg(s, "dilation_rate")? {
                    l = l.dilation_rate(&v);
                }
                if let Some(p) = padding_arg(s)? {
                    l = l.padding(p);
                }
                if let Some(m) = count_arg(s, "depth_multiplier")? {
                    l = l.depth_multiplier(m);
                }
                if let Some(a) = activation_arg(s, "activation")? {
                    l = l.activation(a);
                }
                if let Some(b) = bool_arg(s, "use_bias") {
                    l = l.use_bias(b);
                }
                for key in ["kernel_initializer", "depthwise_initializer"] {
                    if let Some(i) = init_arg(s, key)? {
                        l = l.kernel_initializer(i);
                    }
                }
                if let Some(i) = init_arg(s, "pointwise_initializer")? {
                    l = l.pointwise_initializer(i);
                }
                if let Some(i) = init_arg(s, "bias_initializer")? {
                    l = l.bias_initializer(i);
                }
                if let Some(t) = bool_arg(s, "trainable") {
                    l = l.trainable(t);
                }
                if let Some(r) = reuse {
                    l = l.reuse(r);
                }
                l.apply(x)
            }
            "batch_normalization" => {
                let mut l = layers::batch_normalization().name(self.layer_name(s, "name")?);
                if let Some(a) = ints_arg(s, "axis")? {
                    l = l.axis(&a.iter().map(|&a| a as isize).collect::<Vec<_>>());
                }
                if let Some(m) = f64_arg(s, "momentum") {
                    l = l.momentum(m);
                }
                if let Some(e) = f64_arg(s, "epsilon") {
                    l = l.epsilon(e);
                }
                if let Some(b) = bool_arg(s, "center") {
                    l = l.center(b);
                }
                if let Some(b) = bool_arg(s, "scale") {
                    l = l.scale(b);
                }
                if let Some(b) = bool_arg(s, "training") {
                    l = l.training(b);
                }
                if s.get("fused").is_some() {
                    l = l.fused(bool_arg(s, "fused"));
                }
                if let Some(i) = init_arg(s, "beta_initializer")? {
                    l = l.beta_initializer(i);
                }
                if let Some(i) = init_arg(s, "gamma_initializer")? {
                    l = l.gamma_initializer(i);
                }
                if let Some(i) = init_arg(s, "moving_mean_initializer")? {
                    l = l.moving_mean_initializer(i);
                }
                if let Some(i) = init_arg(s, "moving_variance_initializer")? {
                    l = l.moving_variance_initializer(i);
                }
                if let Some(t) = bool_arg(s, "trainable") {
                    l = l.trainable(t);
                }
                if let Some(r) = reuse {
                    l = l.reuse(r);
                }
                l.apply(x)
            }
            "layer_norm" => {
                let mut l = layers::layer_norm().scope(self.layer_name(s, "scope")?);
                if let Some(b) = bool_arg(s, "center") {
                    l = l.center(b);
                }
                if let Some(b) = bool_arg(s, "scale") {
                    l = l.scale(b);
                }
                if let Some(a) = activation_arg(s, "activation_fn")? {
                    l = l.activation(a);
                }
                if let Some(a) = int_arg(s, "begin_norm_axis")? {
                    l = l.begin_norm_axis(a as isize);
                }
                if let Some(a) = int_arg(s, "begin_params_axis")? {
                    l = l.begin_params_axis(a as isize);
                }
                if let Some(t) = bool_arg(s, "trainable") {
                    l = l.trainable(t);
                }
                if let Some(r) = reuse {
                    l = l.reuse(r);
                }
                l.apply(x)
            }
            "dropout" => {
                let mut l = layers::dropout();
                if let Some(r) = f64_arg(s, "rate") {
                    l = l.rate(r);
                }
                if let Some(t) = bool_arg(s, "training") {
                    l = l.training(t);
                }
                if let Some(n) = s.get("name").and_then(Value::as_str) {
                    l = l.name(n);
                }
                l.apply(x)
            }
            "flatten" => {
                let mut l = layers::flatten();
                if let Some(n) = s.get("name").and_then(Value::as_str) {
                    l = l.name(n);
                }
                l.apply(x)
            }
            "max_pooling2d" | "average_pooling2d" => {
                let pool = pair_arg(s, "pool_size")?
                    .ok_or_else(|| bad_arg(format!("{kind} needs `pool_size`")))?;
                let strides = pair_arg(s, "strides")?
                    .ok_or_else(|| bad_arg(format!("{kind} needs `strides`")))?;
                let mut l = if kind == "max_pooling2d" {
                    layers::max_pooling2d(pool, strides)
                } else {
                    layers::average_pooling2d(pool, strides)
                };
                if let Some(p) = padding_arg(s)? {
                    l = l.padding(p);
                }
                if let Some(n) = s.get("name").and_then(Value::as_str) {
                    l = l.name(n);
                }
                l.apply(x)
            }
            other => Err(bad_arg(format!("unknown layer kind {other:?}"))),
        }
    }
}
