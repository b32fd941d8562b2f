//! The TF1-API steps and values of `conformance/FORMAT-tf1-api.md`: custom
//! getters (`record`, `rename`, `cast`, `combine_two`, `identity`, ...),
//! partitioners, regularizers, named collections, `getter_log`,
//! `add_to_collection`, `set_*` and `regularization_loss`. The getters are
//! built here from the runtime's public API (`CustomGetter::new`,
//! `register_op`, `name_scope`, `DerivedTensor`), except `cast`, which the
//! runtime ships.

use std::sync::Arc;

use serde_json::{json, Value};
use std::sync::Mutex;

use scope_runtime::{
    get_regularization_loss, get_variable_scope, name_scope, register_op, CustomGetter, DType,
    DerivedTensor, GraphObject, Partitioner, Regularizer, Reuse, ScopeError, VariableRequest,
};

use crate::{error_result, reuse_value, value_kind, Captured, Runner};

/// The entries `record` getters wrote since the last `getter_log` step.
pub(crate) type GetterLog = Arc<Mutex<Vec<String>>>;

fn bad(what: impl std::fmt::Display) -> ScopeError {
    ScopeError::InvalidArgument(what.to_string())
}

/// A PART value.
pub(crate) fn parse_partitioner(v: &Value) -> Result<Partitioner, ScopeError> {
    let o = v
        .as_object()
        .ok_or_else(|| bad(format!("bad partitioner {v}")))?;
    let int = |o: &serde_json::Map<String, Value>, k: &str| o.get(k).and_then(Value::as_i64);
    let uint = |x: Option<i64>, what: &str| {
        x.map(|x| usize::try_from(x).map_err(|_| bad(format!("{what} must be >= 0, got {x}"))))
            .transpose()
    };
    if let Some(n) = o.get("fixed_size") {
        let n = uint(n.as_i64(), "fixed_size")?.unwrap_or(0);
        let axis = uint(int(o, "axis"), "axis")?.unwrap_or(0);
        return Ok(Partitioner::fixed_size(n, axis));
    }
    if let Some(m) = o.get("min_max").and_then(Value::as_object) {
        let max = uint(int(m, "max_partitions"), "max_partitions")?.unwrap_or(1);
        let axis = uint(int(m, "axis"), "axis")?.unwrap_or(0);
        let min = uint(int(m, "min_slice_size"), "min_slice_size")?.unwrap_or(262144);
        return Partitioner::min_max(max, axis, min);
    }
    if let Some(m) = o.get("variable_axis_size").and_then(Value::as_object) {
        let bytes = int(m, "max_shard_bytes").unwrap_or(0);
        let axis = uint(int(m, "axis"), "axis")?.unwrap_or(0);
        return Partitioner::variable_axis_size(bytes, axis, int(m, "max_shards"));
    }
    if let Some(list) = o.get("partitions").and_then(Value::as_array) {
        let list = list
            .iter()
            .map(|p| uint(p.as_i64(), "partitions").map(Option::unwrap_or_default))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Partitioner::list(&list));
    }
    Err(bad(format!("unknown partitioner {v}")))
}

/// A REG value.
pub(crate) fn parse_regularizer(v: &Value) -> Result<Regularizer, ScopeError> {
    let o = v
        .as_object()
        .ok_or_else(|| bad(format!("bad regularizer {v}")))?;
    if let Some(x) = o.get("l1").and_then(Value::as_f64) {
        return Regularizer::l1(x);
    }
    if let Some(x) = o.get("l2").and_then(Value::as_f64) {
        return Regularizer::l2(x);
    }
    if let Some([a, b]) = o.get("l1_l2").and_then(Value::as_array).map(Vec::as_slice) {
        return Regularizer::l1_l2(a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
    }
    if o.contains_key("none") {
        return Ok(Regularizer::none());
    }
    Err(bad(format!("unknown regularizer {v}")))
}

fn shape_text(shape: &Option<Vec<Option<usize>>>) -> String {
    match shape {
        None => "none".to_string(),
        Some(dims) => {
            let dims: Vec<String> = dims
                .iter()
                .map(|d| d.map_or("null".to_string(), |d| d.to_string()))
                .collect();
            format!("[{}]", dims.join(","))
        }
    }
}

/// `NS/add` or `NS/mul` of two getter results, named at the root.
fn combine(op: &str, ns: &str, a: GraphObject, b: GraphObject) -> Result<GraphObject, ScopeError> {
    let scope = name_scope(ns).enter()?;
    let name = register_op(if op == "multiply" { "mul" } else { "add" })?;
    scope.exit()?;
    let multiply = op == "multiply";
    let shape = a.shape().to_vec();
    let dtype = a.dtype();
    Ok(DerivedTensor::new(&name, &shape, dtype, move || {
        let (x, y) = (a.value()?, b.value()?);
        Ok(if multiply { (x * y)? } else { (x + y)? })
    })
    .into())
}

fn identity(name: &str, x: GraphObject) -> Result<GraphObject, ScopeError> {
    let name = register_op(name)?;
    let shape = x.shape().to_vec();
    let dtype = x.dtype();
    Ok(DerivedTensor::new(&name, &shape, dtype, move || x.value()).into())
}

/// A GET value.
pub(crate) fn parse_getter(v: &Value, log: &GetterLog) -> Result<CustomGetter, ScopeError> {
    let o = v
        .as_object()
        .ok_or_else(|| bad(format!("bad getter {v}")))?;
    if let Some(tag) = o.get("record").and_then(Value::as_str) {
        let tag = tag.to_string();
        let args: Vec<String> = o
            .get("args")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        let log = log.clone();
        return Ok(CustomGetter::new(move |next, req: VariableRequest| {
            let mut entry = format!("{tag}:{}", req.name);
            for a in &args {
                let value = match a.as_str() {
                    "reuse" => reuse_value(req.reuse).to_string().replace('"', ""),
                    "trainable" => req.trainable.to_string(),
                    "dtype" => req.dtype.name().to_string(),
                    "shape" => shape_text(&req.shape),
                    other => format!("<unknown {other}>"),
                };
                entry.push_str(&format!(" {a}={value}"));
            }
            log.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(entry);
            next.get(req)
        }));
    }
    if let Some(suffix) = o.get("rename").and_then(Value::as_str) {
        let suffix = suffix.to_string();
        return Ok(CustomGetter::new(move |next, mut req| {
            req.name.push_str(&suffix);
            next.get(req)
        }));
    }
    if let Some(t) = o.get("cast").and_then(Value::as_str) {
        return Ok(CustomGetter::cast(t.parse::<DType>().map_err(bad)?));
    }
    let combine_spec = if o.contains_key("sum_of_two") {
        Some((
            "/0".to_string(),
            "/1".to_string(),
            "add".to_string(),
            "custom_getter".to_string(),
        ))
    } else if let Some(c) = o.get("combine_two") {
        let s = c["suffixes"].as_array().cloned().unwrap_or_default();
        let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_string();
        Some((
            text(s.first()),
            text(s.get(1)),
            text(c.get("op")),
            text(c.get("name_scope")),
        ))
    } else {
        None
    };
    if let Some((s0, s1, op, ns)) = combine_spec {
        return Ok(CustomGetter::new(move |next, req| {
            let mut r0 = req.clone();
            r0.name.push_str(&s0);
            let g0 = next.get(r0)?;
            let mut r1 = req;
            r1.name.push_str(&s1);
            let g1 = next.get(r1)?;
            combine(&op, &ns, g0, g1)
        }));
    }
    if let Some(name) = o.get("identity").and_then(Value::as_str) {
        let name = name.to_string();
        return Ok(CustomGetter::new(move |next, req| {
            identity(&name, next.get(req)?)
        }));
    }
    if let Some([r, n]) = o
        .get("identity_by_reuse")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        let (r, n) = (
            r.as_str().unwrap_or_default().to_string(),
            n.as_str().unwrap_or_default().to_string(),
        );
        return Ok(CustomGetter::new(move |next, req| {
            let name = if req.reuse == Reuse::False { &n } else { &r };
            identity(name, next.get(req)?)
        }));
    }
    Err(bad(format!("unknown getter {v}")))
}

/// A step's partitioner, regularizer and custom getter.
pub(crate) type Extras = (
    Option<Partitioner>,
    Option<Regularizer>,
    Option<CustomGetter>,
);

/// The result of a get step, by what TF returned.
pub(crate) fn object_result(obj: &GraphObject) -> Value {
    match obj {
        GraphObject::Variable(v) => json!({
            "ok": v.name(),
            "var": v.index(),
            "shape": v.shape(),
            "dtype": v.dtype().name(),
            "value": value_kind(v),
        }),
        GraphObject::Partitioned(p) => {
            let parts: Vec<Value> = p
                .parts()
                .iter()
                .map(|part| {
                    let offset = part
                        .save_slice()
                        .map(|s| s.offset.clone())
                        .unwrap_or_default();
                    json!([part.name(), part.index(), part.shape(), offset])
                })
                .collect();
            json!({
                "ok": p.name(),
                "shape": p.shape(),
                "dtype": p.dtype().name(),
                "value": partitioned_value_kind(p),
                "parts": parts,
            })
        }
        GraphObject::Tensor(t) => json!({
            "ok": t.name(),
            "shape": t.shape(),
            "dtype": t.dtype().name(),
        }),
    }
}

/// The `value` of a partitioned variable: its parts' values concatenated.
fn partitioned_value_kind(p: &scope_runtime::PartitionedVariable) -> String {
    let kinds: Vec<String> = p.parts().iter().map(value_kind).collect();
    if kinds.iter().any(|k| k == "random") {
        return "random".to_string();
    }
    if kinds.iter().all(|k| *k == kinds[0]) && kinds[0] != "mixed" {
        return kinds[0].clone();
    }
    "mixed".to_string()
}

impl Runner {
    /// The `partitioner`, `regularizer` and `custom_getter` keys of a step.
    pub(crate) fn extras(&self, step: &Value) -> Result<Extras, ScopeError> {
        let p = step.get("partitioner").map(parse_partitioner).transpose()?;
        let r = step.get("regularizer").map(parse_regularizer).transpose()?;
        let g = step
            .get("custom_getter")
            .map(|g| parse_getter(g, &self.getter_log))
            .transpose()?;
        Ok((p, r, g))
    }

    pub(crate) fn getter_log_step(&mut self, step: &Value) {
        let entries = std::mem::take(
            &mut *self
                .getter_log
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        self.push(step, json!({ "ok": entries }));
    }

    pub(crate) fn add_to_collection_step(&mut self, step: &Value) {
        let key = collection_key(step["add_to_collection"].as_str().unwrap_or_default());
        let label = step["value"]["ref"].as_str().unwrap_or_default();
        let obj = match self.labels.get(label) {
            Some(Captured::Object(o)) => o.clone(),
            _ => return self.push(step, json!({"error": "UnknownLabel"})),
        };
        scope_runtime::Graph::current().add_to_collection(key, obj);
        self.push(step, json!({"ok": ""}));
    }

    pub(crate) fn set_step(&mut self, step: &Value) {
        let scope = get_variable_scope();
        let result = if let Some(v) = step.get("set_regularizer") {
            (if v.is_null() {
                Ok(None)
            } else {
                parse_regularizer(v).map(Some)
            })
            .map(|r| scope.set_regularizer(r))
        } else if let Some(v) = step.get("set_partitioner") {
            (if v.is_null() {
                Ok(None)
            } else {
                parse_partitioner(v).map(Some)
            })
            .map(|p| scope.set_partitioner(p))
        } else {
            let v = &step["set_custom_getter"];
            (if v.is_null() {
                Ok(None)
            } else {
                parse_getter(v, &self.getter_log).map(Some)
            })
            .map(|g| scope.set_custom_getter(g))
        };
        match result {
            Ok(()) => self.push(step, json!({"ok": ""})),
            Err(e) => self.push(step, error_result(&e)),
        }
    }

    pub(crate) fn regularization_loss_step(&mut self, step: &Value) {
        let scope = step.get("scope").and_then(Value::as_str).unwrap_or("");
        let name = step.get("name").and_then(Value::as_str);
        let r = get_regularization_loss(scope, name).map(|t| json!({ "ok": t.name() }));
        self.push_result(step, r);
    }
}

/// A KEY: `global` and `trainable` are aliases of TF's keys.
pub(crate) fn collection_key(key: &str) -> &str {
    match key {
        "global" => scope_runtime::GLOBAL_VARIABLES,
        "trainable" => scope_runtime::TRAINABLE_VARIABLES,
        other => other,
    }
}
