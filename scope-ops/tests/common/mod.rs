//! Reading the TensorFlow fixtures and comparing with them.
#![allow(dead_code)]

use candle_core::{DType, Device, Tensor, Var};
use serde_json::Value;

/// Relative tolerance: max |ours - TF| <= TOL * max |TF|.
pub const TOL: f32 = 1e-5;

pub fn cases(file: &str) -> Vec<Value> {
    let path = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let v: Value = serde_json::from_str(&text).unwrap();
    v["cases"].as_array().unwrap().clone()
}

pub fn has(c: &Value, key: &str) -> bool {
    c.get(key).is_some()
}

pub fn shape(c: &Value, key: &str) -> Vec<usize> {
    c[key]["shape"]
        .as_array()
        .unwrap_or_else(|| panic!("{}: no {key}", c["name"]))
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect()
}

pub fn tensor(c: &Value, key: &str) -> Tensor {
    let data: Vec<f32> = c[key]["data"]
        .as_array()
        .unwrap_or_else(|| panic!("{}: no {key}", c["name"]))
        .iter()
        .map(|d| d.as_f64().unwrap() as f32)
        .collect();
    Tensor::from_vec(data, shape(c, key), &Device::Cpu).unwrap()
}

pub fn labels(c: &Value, key: &str) -> Tensor {
    let data: Vec<i64> = c[key]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_i64().unwrap())
        .collect();
    Tensor::from_vec(data, shape(c, key), &Device::Cpu).unwrap()
}

pub fn var(c: &Value, key: &str) -> Var {
    Var::from_tensor(&tensor(c, key)).unwrap()
}

pub fn str_of<'a>(c: &'a Value, key: &str) -> &'a str {
    c[key]
        .as_str()
        .unwrap_or_else(|| panic!("{}: no {key}", c["name"]))
}

pub fn pair(c: &Value, key: &str) -> [usize; 2] {
    let a = c[key].as_array().unwrap();
    [
        a[0].as_u64().unwrap() as usize,
        a[1].as_u64().unwrap() as usize,
    ]
}

/// The relative difference max |got - want| / max |want|, or an error
/// message when the shapes differ.
pub fn rel_diff(got: &Tensor, want: &Tensor) -> Result<f32, String> {
    if got.dims() != want.dims() {
        return Err(format!("shape {:?}, TF {:?}", got.dims(), want.dims()));
    }
    let got = got.to_dtype(DType::F32).unwrap().flatten_all().unwrap();
    let want = want.flatten_all().unwrap();
    let scale = want
        .abs()
        .unwrap()
        .max(0)
        .unwrap()
        .to_scalar::<f32>()
        .unwrap();
    let diff = (got - &want)
        .unwrap()
        .abs()
        .unwrap()
        .max(0)
        .unwrap()
        .to_scalar::<f32>()
        .unwrap();
    Ok(if scale > 0.0 { diff / scale } else { diff })
}

/// Collects mismatches so one run reports every failing case.
#[derive(Default)]
pub struct Report {
    pub failures: Vec<String>,
    pub checked: usize,
    pub worst: f32,
}

impl Report {
    pub fn check(&mut self, case: &Value, what: &str, got: &Tensor, want: &Tensor) {
        self.checked += 1;
        match rel_diff(got, want) {
            Ok(d) if d <= TOL => self.worst = self.worst.max(d),
            Ok(d) => self.failures.push(format!(
                "{} {what}: relative difference {d:e}",
                case["name"]
            )),
            Err(e) => self.failures.push(format!("{} {what}: {e}", case["name"])),
        }
    }

    pub fn fail(&mut self, case: &Value, what: &str, e: impl std::fmt::Display) {
        self.failures
            .push(format!("{} {what}: error {e}", case["name"]));
    }

    pub fn finish(self, family: &str) {
        assert!(self.checked > 0, "{family}: nothing was checked");
        assert!(
            self.failures.is_empty(),
            "{family}: {} of {} comparisons with TF failed:\n{}",
            self.failures.len(),
            self.checked,
            self.failures.join("\n")
        );
        eprintln!(
            "{family}: {} comparisons with TF, worst relative difference {:e}",
            self.checked, self.worst
        );
    }
}

/// The gradients of sum(y * dy) w.r.t. `vars`, as `tf.gradients(y, vars,
/// grad_ys=dy)` gives them.
pub fn grads(y: &Tensor, dy: &Tensor, vars: &[&Var]) -> Vec<Tensor> {
    let loss = (y * dy).unwrap().sum_all().unwrap();
    let g = loss.backward().unwrap();
    vars.iter()
        .map(|v| {
            g.get(v.as_tensor())
                .cloned()
                .unwrap_or_else(|| v.as_tensor().zeros_like().unwrap())
        })
        .collect()
}

/// A fixed pseudo-random pattern (no RNG dependency): values in [-1, 1).
pub fn rand(shape: &[usize], seed: u64) -> Tensor {
    let n: usize = shape.iter().product();
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let data: Vec<f32> = (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect();
    Tensor::from_vec(data, shape, &Device::Cpu).unwrap()
}

/// The same values, tracked by autograd: the kernels and fast paths take
/// their composed path.
pub fn tracked(t: &Tensor) -> Tensor {
    Var::from_tensor(t).unwrap().as_tensor().clone()
}

/// The largest absolute difference of two same-shaped tensors.
pub fn max_diff(a: &Tensor, b: &Tensor) -> f32 {
    assert_eq!(a.dims(), b.dims());
    (a - b)
        .unwrap()
        .abs()
        .unwrap()
        .flatten_all()
        .unwrap()
        .max(0)
        .unwrap()
        .to_scalar::<f32>()
        .unwrap()
}
