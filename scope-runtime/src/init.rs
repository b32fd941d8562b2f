//! Initializers: how a new variable gets its first value.
//!
//! Random initializers draw from ChaCha20 (`rand_chacha`, whose output stream
//! is fixed by its specification, not by the crate version). With a graph
//! seed `s`, a variable named `n` uses the key `s` (little-endian u64, then
//! zeros) and the stream number FNV-1a-64(`n`): the same seed gives the same
//! values on every run and platform, independent of creation order. Uniform
//! floats are `(u64 >> 11) * 2^-53`; normals use Box–Muller on two uniforms;
//! truncated normals redraw values beyond two standard deviations. Each
//! value is computed in `f64` and then converted to the variable's dtype.
//!
//! Values are made on the graph's device as candle tensors, when first
//! needed (see `store`): never for a variable a restore fills.

use std::sync::atomic::{AtomicU64, Ordering};

use candle_core::{Device, Tensor, Var};
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

use crate::dtype::DType;
use crate::value::Value;

/// How a new variable is filled (TF1's `tf.compat.v1` initializers).
#[derive(Clone, Debug)]
pub enum Initializer {
    /// All zeros.
    Zeros,
    /// All ones.
    Ones,
    /// Every element equal to the value. An integer constant fits any dtype;
    /// a float constant only float dtypes (TF rejects `2.0` for an int32
    /// variable). Build with [`Initializer::constant`].
    Constant(Scalar),
    /// Uniform in `[minval, maxval)` (TF's defaults: 0 and 1).
    RandomUniform { minval: f64, maxval: f64 },
    /// Normal with the given mean and standard deviation (TF's defaults: 0, 1).
    RandomNormal { mean: f64, stddev: f64 },
    /// Normal, redrawn beyond two standard deviations (TF's defaults: 0, 1).
    TruncatedNormal { mean: f64, stddev: f64 },
    /// Glorot (Xavier) uniform: `U(-l, l)` with `l = sqrt(6 / (fan_in + fan_out))`.
    /// TF's default for float `get_variable`.
    GlorotUniform,
    /// A plain value: gives the variable its shape and dtype. (A candle
    /// tensor shares its storage, so keeping the initializer copies nothing.)
    Value(Value),
}

impl PartialEq for Initializer {
    fn eq(&self, other: &Self) -> bool {
        use Initializer::*;
        match (self, other) {
            (Zeros, Zeros) | (Ones, Ones) | (GlorotUniform, GlorotUniform) => true,
            (Constant(a), Constant(b)) => a == b,
            (
                RandomUniform {
                    minval: a,
                    maxval: b,
                },
                RandomUniform {
                    minval: c,
                    maxval: d,
                },
            ) => a == c && b == d,
            (RandomNormal { mean: a, stddev: b }, RandomNormal { mean: c, stddev: d })
            | (TruncatedNormal { mean: a, stddev: b }, TruncatedNormal { mean: c, stddev: d }) => {
                a == c && b == d
            }
            (Value(a), Value(b)) => a.same(b),
            _ => false,
        }
    }
}

/// A constant: integer or float, as written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Int(i64),
    Float(f64),
}

impl Scalar {
    pub fn as_f64(self) -> f64 {
        match self {
            Scalar::Int(i) => i as f64,
            Scalar::Float(f) => f,
        }
    }
}

impl From<f64> for Scalar {
    fn from(x: f64) -> Self {
        Scalar::Float(x)
    }
}
impl From<f32> for Scalar {
    fn from(x: f32) -> Self {
        Scalar::Float(x as f64)
    }
}
impl From<i64> for Scalar {
    fn from(x: i64) -> Self {
        Scalar::Int(x)
    }
}
impl From<i32> for Scalar {
    fn from(x: i32) -> Self {
        Scalar::Int(x as i64)
    }
}

impl Initializer {
    /// `tf.constant_initializer(x)`: `constant(2)` or `constant(0.5)`.
    pub fn constant(x: impl Into<Scalar>) -> Self {
        Initializer::Constant(x.into())
    }

    /// Why this initializer cannot fill a variable of `dtype`, if it cannot:
    /// random initializers and float constants need a float dtype (TF raises
    /// a `TypeError` for them on integer variables).
    pub(crate) fn dtype_problem(&self, dtype: DType) -> Option<String> {
        if dtype.is_float() {
            return None;
        }
        match self {
            init if init.is_random() => Some(format!(
                "a random initializer ({init:?}) produces floats and cannot fill a {dtype} variable; \
                 use zeros, ones, an integer constant or a value"
            )),
            Initializer::Constant(Scalar::Float(x)) => Some(format!(
                "the constant {x:?} is a float and cannot fill a {dtype} variable; \
                 use an integer constant (`Initializer::constant({})`)",
                x.trunc() as i64
            )),
            _ => None,
        }
    }

    /// `tf.random_uniform_initializer()` with TF's defaults.
    pub fn random_uniform() -> Self {
        Initializer::RandomUniform {
            minval: 0.0,
            maxval: 1.0,
        }
    }

    /// `tf.random_normal_initializer()` with TF's defaults.
    pub fn random_normal() -> Self {
        Initializer::RandomNormal {
            mean: 0.0,
            stddev: 1.0,
        }
    }

    /// `tf.truncated_normal_initializer()` with TF's defaults.
    pub fn truncated_normal() -> Self {
        Initializer::TruncatedNormal {
            mean: 0.0,
            stddev: 1.0,
        }
    }

    /// Whether the initializer draws random numbers.
    pub fn is_random(&self) -> bool {
        matches!(
            self,
            Initializer::RandomUniform { .. }
                | Initializer::RandomNormal { .. }
                | Initializer::TruncatedNormal { .. }
                | Initializer::GlorotUniform
        )
    }

    /// The default for a new variable of `dtype` with no initializer:
    /// glorot uniform for floats, zeros for integers.
    pub fn default_for(dtype: DType) -> Self {
        if dtype.is_float() {
            Initializer::GlorotUniform
        } else {
            Initializer::Zeros
        }
    }

    /// Produces the initial value of a variable named `name` on `device`.
    /// `Value` returns its tensor converted to the dtype and moved to the device.
    pub(crate) fn generate(
        &self,
        name: &str,
        dtype: DType,
        shape: &[usize],
        fan_shape: &[usize],
        seed: Option<u64>,
        device: &Device,
    ) -> candle_core::Result<Var> {
        match self {
            Initializer::Zeros => Var::zeros(shape, dtype.candle(), device),
            Initializer::Ones if dtype != DType::Bool => Var::ones(shape, dtype.candle(), device),
            Initializer::Ones => Var::from_tensor(&full(dtype, shape, 1.0, device)?),
            Initializer::Constant(x) => Var::from_tensor(&full(dtype, shape, x.as_f64(), device)?),
            Initializer::Value(v) => {
                Var::from_tensor(&v.tensor().to_dtype(dtype.candle())?.to_device(device)?)
            }
            Initializer::RandomUniform { minval, maxval } => {
                let mut rng = VariableRng::new(seed, name);
                let (lo, hi) = (*minval, *maxval);
                from_fn(dtype, shape, device, || lo + (hi - lo) * rng.uniform())
            }
            Initializer::RandomNormal { mean, stddev } => {
                let mut rng = VariableRng::new(seed, name);
                from_fn(dtype, shape, device, || mean + stddev * rng.normal())
            }
            Initializer::TruncatedNormal { mean, stddev } => {
                let mut rng = VariableRng::new(seed, name);
                from_fn(dtype, shape, device, || loop {
                    let z = rng.normal();
                    if z.abs() <= 2.0 {
                        break mean + stddev * z;
                    }
                })
            }
            Initializer::GlorotUniform => {
                let (fan_in, fan_out) = fans(fan_shape);
                let limit = (6.0 / (fan_in + fan_out).max(1.0)).sqrt();
                let mut rng = VariableRng::new(seed, name);
                from_fn(dtype, shape, device, || limit * (2.0 * rng.uniform() - 1.0))
            }
        }
    }
}

/// A tensor of `shape` whose every element is `x` converted to `dtype`
/// (`bool`: `x != 0`).
pub(crate) fn full(
    dtype: DType,
    shape: &[usize],
    x: f64,
    device: &Device,
) -> candle_core::Result<Tensor> {
    let x = if dtype == DType::Bool {
        f64::from(u8::from(x != 0.0))
    } else {
        x
    };
    match x {
        0.0 => Tensor::zeros(shape, dtype.candle(), device),
        1.0 => Tensor::ones(shape, dtype.candle(), device),
        x => Tensor::full(x, shape, device)?.to_dtype(dtype.candle()),
    }
}

/// A tensor of `shape` whose elements come from `next` in row-major order,
/// each converted from `f64` to `dtype` with Rust's `as` (bit-identical to
/// the values scope made before values were candle tensors).
fn from_fn(
    dtype: DType,
    shape: &[usize],
    device: &Device,
    mut next: impl FnMut() -> f64,
) -> candle_core::Result<Var> {
    fn make<T: candle_core::WithDType>(
        shape: &[usize],
        device: &Device,
        f: impl FnMut() -> T,
    ) -> candle_core::Result<Var> {
        let n = shape.iter().product();
        let data: Vec<T> = std::iter::repeat_with(f).take(n).collect();
        Var::from_vec(data, shape, device)
    }
    match dtype {
        DType::F32 => make(shape, device, || next() as f32),
        DType::F64 => make(shape, device, next),
        DType::F16 => make(shape, device, || half::f16::from_f64(next())),
        DType::BF16 => make(shape, device, || half::bf16::from_f64(next())),
        DType::I64 => make(shape, device, || next() as i64),
        DType::I32 => make(shape, device, || next() as i32),
        DType::I16 => make(shape, device, || next() as i16),
        DType::U8 => make(shape, device, || next() as u8),
        DType::U32 => make(shape, device, || next() as u32),
        DType::Bool => make(shape, device, || u8::from(next() != 0.0)),
    }
}

impl From<Value> for Initializer {
    fn from(v: Value) -> Self {
        Initializer::Value(v)
    }
}

impl From<Tensor> for Initializer {
    fn from(t: Tensor) -> Self {
        Initializer::Value(Value::new(t))
    }
}

/// TF's `_compute_fans`: fan-in and fan-out of a weight shape.
fn fans(shape: &[usize]) -> (f64, f64) {
    match shape {
        [] => (1.0, 1.0),
        [n] => (*n as f64, *n as f64),
        [a, b] => (*a as f64, *b as f64),
        [rest @ .., a, b] => {
            let receptive: f64 = rest.iter().map(|&d| d as f64).product();
            (*a as f64 * receptive, *b as f64 * receptive)
        }
    }
}

/// The per-variable random stream described in the module docs.
struct VariableRng {
    rng: ChaCha20Rng,
    spare_normal: Option<f64>,
}

impl VariableRng {
    fn new(seed: Option<u64>, name: &str) -> Self {
        let seed = seed.unwrap_or_else(unseeded);
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        let mut rng = ChaCha20Rng::from_seed(key);
        rng.set_stream(fnv1a64(name.as_bytes()));
        VariableRng {
            rng,
            spare_normal: None,
        }
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    fn uniform(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal (Box–Muller; the second value is kept for the next call).
    fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        let u1 = 1.0 - self.uniform(); // (0, 1]: ln is finite
        let u2 = self.uniform();
        let r = (-2.0 * u1.ln()).sqrt();
        let theta = std::f64::consts::TAU * u2;
        self.spare_normal = Some(r * theta.sin());
        r * theta.cos()
    }
}

/// FNV-1a, 64 bit: a fixed, documented hash of the variable name.
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A fresh seed for graphs without one: differs per process and per call.
fn unseeded() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    RandomState::new().hash_one(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(init: Initializer, name: &str, dtype: DType, shape: &[usize], seed: u64) -> Vec<f64> {
        init.generate(name, dtype, shape, shape, Some(seed), &Device::Cpu)
            .and_then(|v| {
                v.to_dtype(candle_core::DType::F64)?
                    .flatten_all()?
                    .to_vec1()
            })
            .unwrap()
    }

    #[test]
    fn seeded_values_are_reproducible_and_name_dependent() {
        let a = values(Initializer::random_normal(), "a/w", DType::F32, &[4], 7);
        let b = values(Initializer::random_normal(), "a/w", DType::F32, &[4], 7);
        let c = values(Initializer::random_normal(), "a/v", DType::F32, &[4], 7);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn glorot_stays_within_limit() {
        let t = values(Initializer::GlorotUniform, "w", DType::F64, &[30, 20], 1);
        let limit = (6.0f64 / 50.0).sqrt();
        assert!(t.iter().all(|x| x.abs() <= limit));
    }

    #[test]
    fn truncated_normal_within_two_sigma() {
        let init = Initializer::TruncatedNormal {
            mean: 1.0,
            stddev: 0.5,
        };
        let t = values(init, "w", DType::F64, &[1000], 3);
        assert!(t.iter().all(|x| (x - 1.0).abs() <= 1.0));
    }

    #[test]
    fn fans_follow_tf() {
        assert_eq!(fans(&[3, 3, 16, 32]), (144.0, 288.0));
        assert_eq!(fans(&[5]), (5.0, 5.0));
    }

    #[test]
    fn every_dtype_fills() {
        for dtype in DType::ALL {
            let t = full(dtype, &[2, 3], 1.0, &Device::Cpu).unwrap();
            assert_eq!((t.dims(), t.dtype()), (&[2usize, 3][..], dtype.candle()));
        }
        let h = values(Initializer::random_normal(), "h", DType::BF16, &[8], 2);
        assert!(h.iter().all(|x| x.is_finite()));
    }
}
