//! Conformance harness: replays a scenario file (see
//! `conformance/FORMAT.md`) through scope's runtime and compares every
//! result with the `expect` array TensorFlow produced.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use scope_runtime::{
    get_name_scope, get_variable, get_variable_scope, make_template, op_name, reuse_variables,
    variable_scope, DType, Graph, Initializer, NameScope, Reuse, ScopeError, ScopeTarget, Template,
    Variable, VariableScope,
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
    e.iter()
        .filter(|(k, _)| k.as_str() != "message")
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
}

struct Runner {
    labels: HashMap<String, Captured>,
    out: Vec<(Value, Value)>,
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
        } else if has("get_variable") {
            let r = self.get_variable(step);
            self.push_result(step, r);
        } else if has("op") {
            let r = op_name(step["op"].as_str()).map(|n| json!({ "ok": n }));
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
        } else if has("make_template") {
            self.make_template(step);
        } else if has("call_template") {
            self.call_template(step);
        } else {
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
        let mut ns = NameScope::new(name.as_deref());
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
        let v = match step["variable"].as_str() {
            Some(name) => builder.name(name).build()?,
            None => builder.build()?,
        };
        Ok(json!({"ok": v.name(), "var": v.index()}))
    }

    fn get_variable(&mut self, step: &Value) -> Result<Value, ScopeError> {
        let name = step["get_variable"].as_str().unwrap_or_default();
        let shape = parse_shape(step.get("shape"));
        let mut gv = get_variable(name);
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
        let v = gv.get()?;
        Ok(json!({
            "ok": v.name(),
            "var": v.index(),
            "shape": v.shape(),
            "dtype": v.dtype().name(),
            "value": value_kind(&v),
        }))
    }

    fn collection(&mut self, step: &Value) {
        let prefix = step.get("scope").and_then(Value::as_str).unwrap_or("");
        let graph = Graph::current();
        let vars = match step["collection"].as_str() {
            Some("trainable") => graph.trainable_variables(prefix),
            _ => graph.global_variables(prefix),
        };
        let names: Vec<&str> = vars.iter().map(Variable::name).collect();
        self.push(step, json!({ "ok": names }));
    }

    fn make_template(&mut self, step: &Value) {
        let mut builder = make_template(step["make_template"].as_str());
        if let Some(b) = step.get("create_scope_now").and_then(Value::as_bool) {
            builder = builder.create_scope_now(b);
        }
        if let Some(u) = step.get("unique_name").and_then(Value::as_str) {
            builder = builder.unique_name(u);
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
