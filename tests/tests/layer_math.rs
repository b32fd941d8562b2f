//! Layer math against TensorFlow: every case of `layer-math/layers.json`
//! (inputs, variable values, outputs and moving-statistics updates that
//! TF 2.21 computed, `tools/tf-differential/layer_math_fixtures.py`) is run
//! through scope's layers, within 1e-5 relative to the output's largest
//! magnitude.

#![forbid(unsafe_code)]

use std::path::PathBuf;

use scope_runtime::candle::{DType, Device, Tensor};
use scope_runtime::layers::LayerValue;
use scope_runtime::Graph;
use scope_tests::run_layer_step;
use serde_json::{json, Value};

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .expect("a list of numbers")
        .iter()
        .map(|x| x.as_f64().expect("a number") as f32)
        .collect()
}

fn dims(v: &Value) -> Vec<usize> {
    v.as_array()
        .expect("a shape")
        .iter()
        .map(|d| d.as_u64().expect("a dimension") as usize)
        .collect()
}

/// The largest difference relative to the largest expected magnitude.
fn rel_diff(got: &[f32], want: &[f32]) -> f32 {
    assert_eq!(got.len(), want.len(), "element counts differ");
    let scale = want
        .iter()
        .fold(0f32, |m, x| m.max(x.abs()))
        .max(f32::MIN_POSITIVE);
    got.iter()
        .zip(want)
        .fold(0f32, |m, (a, b)| m.max((a - b).abs()))
        / scale
}

fn run_case(case: &Value) -> Result<(), String> {
    let name = case["name"].as_str().unwrap_or_default();
    let graph = Graph::new();
    let _g = graph.as_default();
    let mut step = case["step"].clone();
    let kind = step["layer"].as_str().unwrap_or_default().to_string();
    let has_vars = !case["variables"].as_array().is_some_and(Vec::is_empty);
    let key = if kind == "layer_norm" {
        "scope"
    } else {
        "name"
    };
    step[key] = json!("l");
    let x_shape = dims(&case["input"]["shape"]);
    if has_vars {
        // Create the variables from the shape alone, then load TF's values.
        let partial: Vec<Option<usize>> = x_shape.iter().map(|&d| Some(d)).collect();
        run_layer_step(&step, LayerValue::Shape(partial)).map_err(|e| e.to_string())?;
        for v in case["variables"].as_array().into_iter().flatten() {
            let full = v["name"].as_str().unwrap_or_default();
            let var = graph
                .stored_variable(full.trim_end_matches(":0"))
                .ok_or_else(|| format!("{name}: no variable {full}"))?;
            if var.is_initialized() {
                return Err(format!("{name}: shape-only call made a value for {full}"));
            }
            let t = Tensor::from_vec(floats(&v["data"]), dims(&v["shape"]), &Device::Cpu)
                .map_err(|e| e.to_string())?;
            var.assign(t).map_err(|e| e.to_string())?;
        }
        step["reuse"] = json!(true);
    }
    let x = Tensor::from_vec(floats(&case["input"]["data"]), x_shape, &Device::Cpu)
        .map_err(|e| e.to_string())?;
    let out = run_layer_step(&step, LayerValue::Tensor(x)).map_err(|e| e.to_string())?;
    let y = out.tensor().map_err(|e| e.to_string())?;
    if y.dims() != dims(&case["output"]["shape"]).as_slice() {
        return Err(format!("{name}: output shape {:?}", y.dims()));
    }
    let got: Vec<f32> = y
        .to_dtype(DType::F32)
        .and_then(|t| t.flatten_all())
        .and_then(|t| t.to_vec1())
        .map_err(|e| e.to_string())?;
    let d = rel_diff(&got, &floats(&case["output"]["data"]));
    if d > 1e-5 {
        return Err(format!(
            "{name}: output differs from TF by {d:e} (relative)"
        ));
    }
    let updated = case["updated"].as_array().cloned().unwrap_or_default();
    if !updated.is_empty() {
        // Run the update ops of the values call (the last ones added).
        let ops = graph.update_ops("");
        for op in &ops[ops.len() - updated.len()..] {
            op.run().map_err(|e| e.to_string())?;
        }
        for u in &updated {
            let full = u["name"].as_str().unwrap_or_default();
            let var = graph
                .stored_variable(full.trim_end_matches(":0"))
                .ok_or_else(|| format!("{name}: no variable {full}"))?;
            let got: Vec<f32> = var.to_vec().map_err(|e| e.to_string())?;
            let d = rel_diff(&got, &floats(&u["data"]));
            if d > 1e-5 {
                return Err(format!("{name}: {full} after the update differs by {d:e}"));
            }
        }
    }
    Ok(())
}

#[test]
fn layers_compute_what_tensorflow_computes() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("layer-math/layers.json");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(
        cases.len() >= 20,
        "expected at least 20 cases, found {}",
        cases.len()
    );
    let failures: Vec<String> = cases.iter().filter_map(|c| run_case(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn a_wrong_value_is_caught() {
    // The comparison itself can fail: perturb one output element.
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("layer-math/layers.json");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
    let mut case = doc["cases"][0].clone();
    let first = case["output"]["data"][0].as_f64().unwrap_or(0.0);
    case["output"]["data"][0] = json!(first + 1.0);
    assert!(run_case(&case).is_err());
}
