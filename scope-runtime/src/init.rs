//! Initializers: how a new variable gets its first value.
//!
//! Random initializers draw from ChaCha20 (`rand_chacha`, whose output stream
//! is fixed by its specification, not by the crate version). With a graph
//! seed `s`, a variable named `n` uses the key `s` (little-endian u64, then
//! zeros) and the stream number FNV-1a-64(`n`): the same seed gives the same
//! values on every run and platform, independent of creation order. Uniform
//! floats are `(u64 >> 11) * 2^-53`; normals use Box–Muller on two uniforms;
//! truncated normals redraw values beyond two standard deviations.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

use crate::tensor::{DType, Tensor};

/// How a new variable is filled (TF1's `tf.compat.v1` initializers).
#[derive(Clone, Debug, PartialEq)]
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
    /// A plain value: gives the variable its shape and dtype. (Shared, so
    /// that variables keep their initializer without copying the value.)
    Value(Arc<Tensor>),
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

    /// Produces the initial value of a variable named `name`. `Value`
    /// returns its tensor unchanged.
    pub(crate) fn generate(
        &self,
        name: &str,
        dtype: DType,
        shape: &[usize],
        seed: Option<u64>,
    ) -> Tensor {
        match self {
            Initializer::Zeros => Tensor::full(dtype, shape, 0.0),
            Initializer::Ones => Tensor::full(dtype, shape, 1.0),
            Initializer::Constant(x) => Tensor::full(dtype, shape, x.as_f64()),
            Initializer::Value(t) => Tensor::clone(t),
            Initializer::RandomUniform { minval, maxval } => {
                let mut rng = VariableRng::new(seed, name);
                let (lo, hi) = (*minval, *maxval);
                Tensor::from_fn(dtype, shape, || lo + (hi - lo) * rng.uniform())
            }
            Initializer::RandomNormal { mean, stddev } => {
                let mut rng = VariableRng::new(seed, name);
                Tensor::from_fn(dtype, shape, || mean + stddev * rng.normal())
            }
            Initializer::TruncatedNormal { mean, stddev } => {
                let mut rng = VariableRng::new(seed, name);
                Tensor::from_fn(dtype, shape, || loop {
                    let z = rng.normal();
                    if z.abs() <= 2.0 {
                        break mean + stddev * z;
                    }
                })
            }
            Initializer::GlorotUniform => {
                let (fan_in, fan_out) = fans(shape);
                let limit = (6.0 / (fan_in + fan_out).max(1.0)).sqrt();
                let mut rng = VariableRng::new(seed, name);
                Tensor::from_fn(dtype, shape, || limit * (2.0 * rng.uniform() - 1.0))
            }
        }
    }
}

impl From<Tensor> for Initializer {
    fn from(t: Tensor) -> Self {
        Initializer::Value(Arc::new(t))
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

    #[test]
    fn seeded_values_are_reproducible_and_name_dependent() {
        let a = Initializer::random_normal().generate("a/w", DType::F32, &[4], Some(7));
        let b = Initializer::random_normal().generate("a/w", DType::F32, &[4], Some(7));
        let c = Initializer::random_normal().generate("a/v", DType::F32, &[4], Some(7));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn glorot_stays_within_limit() {
        let t = Initializer::GlorotUniform.generate("w", DType::F64, &[30, 20], Some(1));
        let limit = (6.0f64 / 50.0).sqrt();
        assert!(t.to_f64_vec().iter().all(|x| x.abs() <= limit));
    }

    #[test]
    fn truncated_normal_within_two_sigma() {
        let t = Initializer::TruncatedNormal {
            mean: 1.0,
            stddev: 0.5,
        }
        .generate("w", DType::F64, &[1000], Some(3));
        assert!(t.to_f64_vec().iter().all(|x| (x - 1.0).abs() <= 1.0));
    }

    #[test]
    fn fans_follow_tf() {
        assert_eq!(fans(&[3, 3, 16, 32]), (144.0, 288.0));
        assert_eq!(fans(&[5]), (5.0, 5.0));
    }
}
