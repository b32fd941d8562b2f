//! GPT-2 written with scope, structured like OpenAI's TF1 `src/model.py`:
//! one function per block (`conv1d`, `norm`, `attn`, `mlp`, `block`,
//! `model`), each in its own variable scope. Running `model` creates (first
//! call) or shares (later calls, `reuse = auto`) exactly the variables TF
//! creates — `model/wpe`, `model/wte`, `model/h0/ln_1/g`, ... — so the
//! released TF checkpoints restore by name.

use std::path::Path;

use ndarray::{s, Array2, Array3, ArrayD, Axis, Ix3, IxDyn};
use scope_runtime::{get_variable, variable_scope, Initializer, ScopeError, Variable};
use serde::Deserialize;

/// The model's hyper-parameters (`hparams.json` of the released models).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub struct HParams {
    pub n_vocab: usize,
    pub n_ctx: usize,
    pub n_embd: usize,
    pub n_head: usize,
    pub n_layer: usize,
}

/// Errors of the example: scoping errors and bad input files.
#[derive(Debug)]
pub enum Error {
    Scope(ScopeError),
    Input(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Scope(e) => write!(f, "{e}"),
            Error::Input(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<ScopeError> for Error {
    fn from(e: ScopeError) -> Self {
        Error::Scope(e)
    }
}

pub type Result<T> = std::result::Result<T, Error>;

impl HParams {
    /// Reads `hparams.json` and checks that the shapes make sense.
    pub fn load(path: &Path) -> Result<HParams> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
        let h: HParams = serde_json::from_str(&text).map_err(|e| {
            Error::Input(format!(
                "{} is not a GPT-2 hparams file: {e}",
                path.display()
            ))
        })?;
        if h.n_head == 0 || !h.n_embd.is_multiple_of(h.n_head) {
            return Err(Error::Input(format!(
                "{}: n_embd ({}) must be a multiple of n_head ({})",
                path.display(),
                h.n_embd,
                h.n_head
            )));
        }
        if h.n_vocab == 0 || h.n_ctx == 0 {
            return Err(Error::Input(format!(
                "{}: n_vocab and n_ctx must be positive",
                path.display()
            )));
        }
        Ok(h)
    }
}

fn weight(v: &Variable) -> Result<ArrayD<f32>> {
    Ok(v.array::<f32>()?)
}

/// `conv1d`: a matmul over the last axis with `w[0]` as an [nx, nf] matrix.
#[variable_scope(name = scope)]
fn conv1d(x: &Array3<f32>, scope: &str, nf: usize) -> Result<Array3<f32>> {
    let nx = x.shape()[2];
    let w = get_variable("w")
        .shape(&[1, nx, nf])
        .initializer(Initializer::RandomNormal {
            mean: 0.0,
            stddev: 0.02,
        })
        .get()?;
    let b = get_variable("b")
        .shape(&[nf])
        .initializer(Initializer::Zeros)
        .get()?;
    let (batch, t) = (x.shape()[0], x.shape()[1]);
    let w = weight(&w)?;
    let w = w
        .index_axis(Axis(0), 0)
        .into_dimensionality::<ndarray::Ix2>()
        .expect("[nx, nf]");
    let b = weight(&b)?;
    let flat = x.to_shape((batch * t, nx)).expect("contiguous input");
    let out = flat.dot(&w) + &b;
    Ok(out
        .into_shape_with_order((batch, t, nf))
        .expect("same size"))
}

/// Layer norm over the last axis (ε = 1e-5, biased variance).
#[variable_scope(name = scope)]
fn norm(x: &Array3<f32>, scope: &str) -> Result<Array3<f32>> {
    let n_state = x.shape()[2];
    let g = get_variable("g")
        .shape(&[n_state])
        .initializer(Initializer::Ones)
        .get()?;
    let b = get_variable("b")
        .shape(&[n_state])
        .initializer(Initializer::Zeros)
        .get()?;
    let (g, b) = (weight(&g)?, weight(&b)?);
    let mut out = x.clone();
    for mut row in out.lanes_mut(Axis(2)) {
        let mu = row.sum() / n_state as f32;
        row.mapv_inplace(|v| v - mu);
        let var = row.iter().map(|c| c * c).sum::<f32>() / n_state as f32;
        let inv = 1.0 / (var + 1e-5).sqrt();
        for (i, v) in row.iter_mut().enumerate() {
            *v = *v * inv * g[i] + b[i];
        }
    }
    Ok(out)
}

fn gelu(x: f32) -> f32 {
    const SQRT_2_OVER_PI: f32 = 0.797_884_6; // sqrt(2/pi) rounded to f32, as TF does
    0.5 * x * (1.0 + (SQRT_2_OVER_PI * (x + 0.044715 * x.powi(3))).tanh())
}

/// Causal self-attention with `n_head` heads.
#[variable_scope(name = scope)]
fn attn(x: &Array3<f32>, scope: &str, n_state: usize, hparams: &HParams) -> Result<Array3<f32>> {
    let c = conv1d(x, "c_attn", n_state * 3)?;
    let (batch, t) = (x.shape()[0], x.shape()[1]);
    let (h, d) = (hparams.n_head, n_state / hparams.n_head);
    let scale = 1.0 / (d as f32).sqrt();
    let mut merged = Array3::<f32>::zeros((batch, t, n_state));
    let mut scores = Array2::<f32>::zeros((t, t));
    for bi in 0..batch {
        for head in 0..h {
            let q = c.slice(s![bi, .., head * d..(head + 1) * d]);
            let k = c.slice(s![bi, .., n_state + head * d..n_state + (head + 1) * d]);
            let v = c.slice(s![
                bi,
                ..,
                2 * n_state + head * d..2 * n_state + (head + 1) * d
            ]);
            scores.assign(&q.dot(&k.t()));
            for i in 0..t {
                let mut row = scores.row_mut(i);
                for (j, w) in row.iter_mut().enumerate() {
                    // w*m - 1e10*(1-m): masked logits become exactly -1e10.
                    *w = if j <= i { *w * scale } else { -1e10 };
                }
                let max = row.fold(f32::NEG_INFINITY, |m, &w| m.max(w));
                row.mapv_inplace(|w| (w - max).exp());
                let sum = row.sum();
                row.mapv_inplace(|w| w / sum);
            }
            let a = scores.dot(&v);
            merged
                .slice_mut(s![bi, .., head * d..(head + 1) * d])
                .assign(&a);
        }
    }
    conv1d(&merged, "c_proj", n_state)
}

/// The position-wise MLP: `conv1d(gelu(conv1d(x, c_fc)), c_proj)`.
#[variable_scope(name = scope)]
fn mlp(x: &Array3<f32>, scope: &str, n_state: usize) -> Result<Array3<f32>> {
    let nx = x.shape()[2];
    let h = conv1d(x, "c_fc", n_state)?.mapv(gelu);
    conv1d(&h, "c_proj", nx)
}

/// One pre-layer-norm transformer block.
#[variable_scope(name = scope)]
fn block(x: &Array3<f32>, scope: &str, hparams: &HParams) -> Result<Array3<f32>> {
    let nx = x.shape()[2];
    let a = attn(&norm(x, "ln_1")?, "attn", nx, hparams)?;
    let x = x + &a;
    let m = mlp(&norm(&x, "ln_2")?, "mlp", nx * 4)?;
    Ok(x + &m)
}

/// The model: embeddings, `n_layer` blocks, final norm, logits over the
/// vocabulary with the tied embedding. `tokens` is [batch, time].
/// Creates the variables on the first call and shares them afterwards.
#[variable_scope("model", reuse = auto)]
pub fn model(hparams: &HParams, tokens: &Array2<i32>) -> Result<Array3<f32>> {
    let (batch, t) = tokens.dim();
    if t > hparams.n_ctx {
        return Err(Error::Input(format!(
            "sequence of {t} tokens is longer than the context ({})",
            hparams.n_ctx
        )));
    }
    let wpe = get_variable("wpe")
        .shape(&[hparams.n_ctx, hparams.n_embd])
        .initializer(Initializer::RandomNormal {
            mean: 0.0,
            stddev: 0.01,
        })
        .get()?;
    let wte = get_variable("wte")
        .shape(&[hparams.n_vocab, hparams.n_embd])
        .initializer(Initializer::RandomNormal {
            mean: 0.0,
            stddev: 0.02,
        })
        .get()?;
    let (wpe, wte) = (weight(&wpe)?, weight(&wte)?);
    let mut h = Array3::<f32>::zeros((batch, t, hparams.n_embd));
    for ((bi, ti), &tok) in tokens.indexed_iter() {
        let tok = usize::try_from(tok)
            .ok()
            .filter(|&tok| tok < hparams.n_vocab)
            .ok_or_else(|| {
                Error::Input(format!(
                    "token {tok} is outside the vocabulary (0..{})",
                    hparams.n_vocab
                ))
            })?;
        let row = &wte.slice(s![tok, ..]) + &wpe.slice(s![ti, ..]);
        h.slice_mut(s![bi, ti, ..]).assign(&row);
    }
    for layer in 0..hparams.n_layer {
        h = block(&h, &format!("h{layer}"), hparams)?;
    }
    let h = norm(&h, "ln_f")?;
    let wte = wte
        .into_dimensionality::<ndarray::Ix2>()
        .expect("[n_vocab, n_embd]");
    let flat = h.to_shape((batch * t, hparams.n_embd)).expect("contiguous");
    let logits = flat.dot(&wte.t());
    Ok(logits
        .into_shape_with_order((batch, t, hparams.n_vocab))
        .expect("same size"))
}

/// Creates the model's variables (a one-token forward pass) in the current
/// default graph.
pub fn build(hparams: &HParams) -> Result<()> {
    model(hparams, &Array2::zeros((1, 1)))?;
    Ok(())
}

/// Reads a `{"shape": [...], "data": [...]}` JSON array of float32 values.
pub fn load_json_array(path: &Path) -> Result<ArrayD<f32>> {
    #[derive(Deserialize)]
    struct Json {
        shape: Vec<usize>,
        data: Vec<f64>,
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
    let j: Json = serde_json::from_str(&text)
        .map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
    let data: Vec<f32> = j.data.into_iter().map(|x| x as f32).collect();
    ArrayD::from_shape_vec(IxDyn(&j.shape), data).map_err(|e| {
        Error::Input(format!(
            "{}: shape does not match data: {e}",
            path.display()
        ))
    })
}

/// Reads `input.json`: `{"tokens": [[...], ...]}`.
pub fn load_tokens(path: &Path) -> Result<Array2<i32>> {
    #[derive(Deserialize)]
    struct Json {
        tokens: Vec<Vec<i32>>,
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
    let j: Json = serde_json::from_str(&text)
        .map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
    let t = j.tokens.first().map_or(0, Vec::len);
    if t == 0 || j.tokens.iter().any(|row| row.len() != t) {
        return Err(Error::Input(format!(
            "{}: tokens must be a non-empty batch of equal-length rows",
            path.display()
        )));
    }
    let flat: Vec<i32> = j.tokens.into_iter().flatten().collect();
    Array2::from_shape_vec((flat.len() / t, t), flat)
        .map_err(|e| Error::Input(format!("{}: {e}", path.display())))
}

/// Max abs difference between two arrays of the same shape.
pub fn max_abs_diff(a: &Array3<f32>, b: &ArrayD<f32>) -> Option<f32> {
    let b = b.view().into_dimensionality::<Ix3>().ok()?;
    (a.shape() == b.shape()).then(|| {
        a.iter()
            .zip(b.iter())
            .fold(0.0f32, |m, (x, y)| m.max((x - y).abs()))
    })
}

/// The most likely next token after each sequence.
pub fn greedy_next(logits: &Array3<f32>) -> Vec<usize> {
    logits
        .axis_iter(Axis(0))
        .map(|seq| {
            let last = seq.row(seq.nrows() - 1);
            last.iter()
                .enumerate()
                .fold((0, f32::NEG_INFINITY), |best, (i, &x)| {
                    if x > best.1 {
                        (i, x)
                    } else {
                        best
                    }
                })
                .0
        })
        .collect()
}
