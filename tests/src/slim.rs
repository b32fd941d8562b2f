//! The slim steps of the conformance harness
//! (`conformance-own/slim/FORMAT-slim.md`): `slim` layer calls (and the
//! `user_block` function registered with `add_arg_scope`), `arg_scope`
//! blocks (new or re-entered from a captured scope) and `named_outputs`.

use serde_json::{json, Value};

use scope_runtime::layers::{Activation, LayerOutput, LayerValue};
use scope_runtime::slim::{self, ArgValue, Args, Init, Normalizer, SlimError, SlimResult};
use scope_runtime::{variable_scope, Initializer, Reuse, ScopeError, ScopeTarget};

use super::{Captured, Runner};

/// Runs `step` if it is a slim step; false if it is not one.
pub(crate) fn step(r: &mut Runner, step: &Value) -> bool {
    // The scenarios' user function is defined (decorated) before any step.
    slim::add_arg_scope("user_block");
    let o = step.as_object();
    let has = |k: &str| o.is_some_and(|o| o.contains_key(k));
    if has("slim") {
        let result = layer(r, step).unwrap_or_else(|e| error(&e));
        r.push(step, result);
    } else if has("arg_scope") {
        arg_scope(r, step);
    } else if has("named_outputs") {
        let key = step["named_outputs"].as_str().unwrap_or_default();
        let names: Vec<String> = slim::end_points(key).into_iter().map(|(a, _)| a).collect();
        r.push(step, json!({ "ok": names }));
    } else {
        return false;
    }
    true
}

fn error(e: &SlimError) -> Value {
    json!({"error": e.kind(), "message": e.to_string()})
}

fn bad(what: impl Into<String>) -> SlimError {
    SlimError::Scope(ScopeError::InvalidArgument(what.into()))
}

fn arg_scope(r: &mut Runner, step: &Value) {
    let guard = match &step["arg_scope"] {
        Value::Object(o) => match o
            .get("ref")
            .and_then(Value::as_str)
            .and_then(|l| r.labels.get(l))
        {
            Some(Captured::ArgScope(sc)) => slim::arg_scope_from(sc).enter(),
            _ => Err(bad("`arg_scope` refers to no captured arg scope")),
        },
        Value::Array(funcs) => {
            let funcs: Vec<&str> = funcs.iter().filter_map(Value::as_str).collect();
            args_of(r, step.get("args")).and_then(|a| slim::arg_scope(&funcs).set_all(&a).enter())
        }
        other => Err(bad(format!("bad arg_scope {other}"))),
    };
    match guard {
        Ok(g) => {
            r.push(step, json!({"ok": ""}));
            r.capture(step, Captured::ArgScope(g.scope().clone()));
            r.body(step);
        }
        Err(e) => r.push(step, error(&e)),
    }
}

/// A step's keyword arguments (every key but `skip`) as slim arguments.
fn args_of(r: &Runner, v: Option<&Value>) -> SlimResult<Args> {
    let mut args = Args::new();
    if let Some(Value::Object(o)) = v {
        for (k, v) in o {
            args = args.set(k, value(r, k, v)?);
        }
    }
    Ok(args)
}

fn init(v: &Value) -> SlimResult<ArgValue> {
    if v.is_null() {
        return Ok(ArgValue::None);
    }
    if v.get("variance_scaling").is_some() {
        return Ok(ArgValue::Init(Init::variance_scaling()));
    }
    if v.get("xavier").is_some() {
        return Ok(ArgValue::Init(Init::Fixed(Initializer::GlorotUniform)));
    }
    super::parse_initializer(v)
        .map(|i| ArgValue::Init(Init::Fixed(i)))
        .map_err(|e| bad(e.to_string()))
}

fn value(r: &Runner, key: &str, v: &Value) -> SlimResult<ArgValue> {
    Ok(match (key, v) {
        (_, Value::Null) => ArgValue::None,
        ("reuse", Value::String(s)) if s == "auto" => ArgValue::Reuse(Reuse::Auto),
        ("reuse", Value::Bool(b)) => ArgValue::Reuse(Reuse::from(*b)),
        (k, v) if k.ends_with("_initializer") => init(v)?,
        (k, v) if k.ends_with("_regularizer") => ArgValue::from(super::api::parse_regularizer(v)?),
        ("param_initializers", Value::Object(o)) => {
            let mut a = Args::new();
            for (k, v) in o {
                a = a.set(k, init(v)?);
            }
            ArgValue::Params(a)
        }
        ("normalizer_params", v) => ArgValue::Params(args_of(r, Some(v))?),
        ("activation_fn", Value::String(s)) => ArgValue::Activation(match s.as_str() {
            "relu" => Activation::Relu,
            "tanh" => Activation::Tanh,
            other => return Err(bad(format!("unknown activation {other:?}"))),
        }),
        ("normalizer_fn", Value::String(s)) => ArgValue::Normalizer(match s.as_str() {
            "batch_norm" => Normalizer::BatchNorm,
            "layer_norm" => Normalizer::LayerNorm,
            other => return Err(bad(format!("unknown normalizer {other:?}"))),
        }),
        ("scope", Value::Object(o)) => match o
            .get("ref")
            .and_then(Value::as_str)
            .and_then(|l| r.labels.get(l))
        {
            Some(Captured::Scope(vs)) => ArgValue::Scope(vs.clone()),
            _ => return Err(bad("`scope` refers to no captured variable scope")),
        },
        (_, Value::Bool(b)) => ArgValue::Bool(*b),
        (_, Value::Number(n)) if n.is_i64() => ArgValue::Int(n.as_i64().unwrap_or_default()),
        (_, Value::Number(n)) => ArgValue::Float(n.as_f64().unwrap_or_default()),
        (_, Value::String(s)) => ArgValue::Str(s.clone()),
        (_, Value::Array(items)) => ArgValue::Ints(
            items
                .iter()
                .map(|i| i.as_u64().map(|i| i as usize))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| bad(format!("`{key}`: a list of non-negative ints")))?,
        ),
        (_, other) => return Err(bad(format!("`{key}`: unsupported value {other}"))),
    })
}

fn ints(v: Option<&Value>, key: &str) -> SlimResult<Vec<usize>> {
    match v {
        Some(Value::Number(n)) => n.as_u64().map(|n| vec![n as usize]),
        Some(Value::Array(a)) => a.iter().map(|i| i.as_u64().map(|i| i as usize)).collect(),
        _ => None,
    }
    .ok_or_else(|| {
        bad(format!(
            "a slim step needs `{key}`: an int or a list of ints"
        ))
    })
}

fn count(v: Option<&Value>, key: &str) -> SlimResult<Option<usize>> {
    match v {
        Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.is_u64() => Ok(n.as_u64().map(|n| n as usize)),
        _ => Err(bad(format!("a slim step needs `{key}`: an int or null"))),
    }
}

const POSITIONAL: &[&str] = &["slim", "input", "capture", "num_outputs", "kernel_size"];

fn layer(r: &mut Runner, s: &Value) -> SlimResult<Value> {
    let kind = s["slim"].as_str().unwrap_or_default();
    let x = r.layer_input(s)?;
    let mut args = Args::new();
    if let Some(o) = s.as_object() {
        for (k, v) in o.iter().filter(|(k, _)| !POSITIONAL.contains(&k.as_str())) {
            args = args.set(k, value(r, k, v)?);
        }
    }
    let n = || count(s.get("num_outputs"), "num_outputs");
    let need = |n: Option<usize>| n.ok_or_else(|| bad(format!("{kind} needs `num_outputs`")));
    let k = || ints(s.get("kernel_size"), "kernel_size");
    let out = match kind {
        "conv2d" => slim::conv2d(need(n()?)?, &k()?).args(&args).apply(x)?,
        "separable_conv2d" => slim::separable_conv2d(n()?, &k()?).args(&args).apply(x)?,
        "fully_connected" => slim::fully_connected(need(n()?)?).args(&args).apply(x)?,
        "batch_norm" => slim::batch_norm().args(&args).apply(x)?,
        "layer_norm" => slim::layer_norm().args(&args).apply(x)?,
        "max_pool2d" => slim::max_pool2d(&k()?).args(&args).apply(x)?,
        "avg_pool2d" => slim::avg_pool2d(&k()?).args(&args).apply(x)?,
        "dropout" => slim::dropout().args(&args).apply(x)?,
        "flatten" => slim::flatten().args(&args).apply(x)?,
        "user_block" => user_block(x, need(n()?)?, &args)?,
        other => return Err(bad(format!("unknown slim layer {other:?}"))),
    };
    Ok(r.layer_result(kind, s, &out))
}

/// The scenarios' `@add_arg_scope` user function (slim_run_tf.py's
/// `user_block`): two slim convs `a` (1x1, `stride`) and `b` (3x3) in a
/// `user_block` variable scope, passing its own `activation_fn` on.
fn user_block(x: LayerValue, num_outputs: usize, explicit: &Args) -> SlimResult<LayerOutput> {
    let call = slim::call_args("user_block", explicit)?;
    call.check_known(&["stride", "activation_fn", "scope"])?;
    let stride = call.pair("stride", [1, 1])?;
    let act = call.activation("activation_fn", Activation::Relu)?;
    let target = match call.scope("scope")? {
        Some(slim::ScopeArg::Name(n)) => Some(n),
        _ => None,
    };
    let vs = variable_scope(match &target {
        Some(n) => ScopeTarget::Name(n),
        None => ScopeTarget::Unnamed,
    })
    .default_name("user_block")
    .enter()?;
    let a = slim::conv2d(num_outputs, &[1, 1])
        .stride(stride.to_vec())
        .activation_fn(act)
        .scope("a")
        .apply(x)?;
    let b = slim::conv2d(num_outputs, &[3, 3])
        .activation_fn(act)
        .scope("b")
        .apply(a.value)?;
    vs.exit()?;
    Ok(LayerOutput {
        value: b.value,
        variables: [a.variables, b.variables].concat(),
    })
}
