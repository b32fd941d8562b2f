#![allow(dead_code)]
//! Helpers shared by the integration tests.

use std::path::PathBuf;

use scope_checkpoint::{bf16, f16, Complex, TensorData};
use serde_json::Value;

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

pub fn ckpts() -> PathBuf {
    fixtures().join("checkpoints")
}

pub fn json(path: impl Into<PathBuf>) -> Value {
    let p = path.into();
    serde_json::from_slice(&std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .unwrap()
}

pub fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// One element, in a form comparable with values.json.
#[derive(Debug, Clone)]
pub enum Val {
    F(f64),
    I(i128),
    B(bool),
    C(f64, f64),
    S(Vec<u8>),
}

impl PartialEq for Val {
    fn eq(&self, other: &Val) -> bool {
        fn feq(a: f64, b: f64) -> bool {
            (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
        }
        match (self, other) {
            (Val::F(a), Val::F(b)) => feq(*a, *b),
            (Val::I(a), Val::I(b)) => a == b,
            (Val::B(a), Val::B(b)) => a == b,
            (Val::C(a, b), Val::C(c, d)) => feq(*a, *c) && feq(*b, *d),
            (Val::S(a), Val::S(b)) => a == b,
            _ => false,
        }
    }
}

pub fn flat(d: &TensorData) -> Vec<Val> {
    match d {
        TensorData::Float32(a) => a.iter().map(|&x| Val::F(f64::from(x))).collect(),
        TensorData::Float64(a) => a.iter().map(|&x| Val::F(x)).collect(),
        TensorData::Float16(a) => a
            .iter()
            .map(|&x: &f16| Val::F(f64::from(x.to_f32())))
            .collect(),
        TensorData::BFloat16(a) => a
            .iter()
            .map(|&x: &bf16| Val::F(f64::from(x.to_f32())))
            .collect(),
        TensorData::Int8(a) => a.iter().map(|&x| Val::I(x.into())).collect(),
        TensorData::Int16(a) => a.iter().map(|&x| Val::I(x.into())).collect(),
        TensorData::Int32(a) => a.iter().map(|&x| Val::I(x.into())).collect(),
        TensorData::Int64(a) => a.iter().map(|&x| Val::I(x.into())).collect(),
        TensorData::UInt8(a) => a.iter().map(|&x| Val::I(x.into())).collect(),
        TensorData::UInt16(a) => a.iter().map(|&x| Val::I(x.into())).collect(),
        TensorData::UInt32(a) => a.iter().map(|&x| Val::I(x.into())).collect(),
        TensorData::UInt64(a) => a.iter().map(|&x| Val::I(x.into())).collect(),
        TensorData::Bool(a) => a.iter().map(|&x| Val::B(x)).collect(),
        TensorData::Complex64(a) => a
            .iter()
            .map(|c: &Complex<f32>| Val::C(c.re.into(), c.im.into()))
            .collect(),
        TensorData::Complex128(a) => a.iter().map(|c| Val::C(c.re, c.im)).collect(),
        TensorData::String(a) => a.iter().map(|s| Val::S(s.clone())).collect(),
        other => panic!("unexpected variant {:?}", other.dtype()),
    }
}

fn num(v: &Value) -> f64 {
    match v {
        Value::String(s) => match s.as_str() {
            "nan" => f64::NAN,
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            _ => panic!("bad float {s}"),
        },
        Value::Number(n) => n.as_f64().unwrap(),
        _ => panic!("bad float {v}"),
    }
}

/// The expected values of one tensor of values.json.
pub fn expected(t: &Value) -> Vec<Val> {
    let dtype = t["dtype"].as_str().unwrap();
    if dtype == "string" {
        return t["values_hex"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| Val::S(hex(h.as_str().unwrap())))
            .collect();
    }
    t["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| match dtype {
            "float32" | "float64" | "float16" | "bfloat16" => Val::F(num(v)),
            "bool" => Val::B(v.as_bool().unwrap()),
            "complex64" | "complex128" => Val::C(num(&v[0]), num(&v[1])),
            _ => Val::I(
                v.as_i64()
                    .map(i128::from)
                    .or(v.as_u64().map(i128::from))
                    .unwrap(),
            ),
        })
        .collect()
}

pub fn shape_of(t: &Value) -> Vec<usize> {
    t["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect()
}
