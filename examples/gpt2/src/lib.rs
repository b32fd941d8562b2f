//! GPT-2 written with scope, structured like OpenAI's TF1 `src/model.py`:
//! one function per block (`conv1d`, `norm`, `attn`, `mlp`, `block`,
//! `model`), each in its own variable scope. Running `model` creates (first
//! call) or shares (later calls, `reuse = auto`) exactly the variables TF
//! creates — `model/wpe`, `model/wte`, `model/h0/ln_1/g`, ... — so the
//! released TF checkpoints restore by name.
//!
//! Values are candle tensors and every step is a candle op (no loops over
//! elements), so the same code runs on any candle device and candle's
//! autograd differentiates it. [`Mode`] picks candle-nn's fused layer norm
//! and softmax for inference, or their differentiable forms for training
//! (the fused ops have no backward), or no computation at all: declaring
//! the variables (TF's graph building), which never runs an initializer.

#![forbid(unsafe_code)]

use std::path::Path;

use scope_ops::kernels::{self, Epilogue, Mask};
use scope_runtime::candle::{DType, Device, Tensor, D};
use scope_runtime::{
    get_variable, variable_scope, CustomGetter, GraphObject, Initializer, ScopeError,
};
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

impl From<scope_ops::Error> for Error {
    fn from(e: scope_ops::Error) -> Self {
        Error::Scope(ScopeError::Compute(e.to_string()))
    }
}

impl From<scope_runtime::candle::Error> for Error {
    fn from(e: scope_runtime::candle::Error) -> Self {
        Error::Scope(e.into())
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

/// How the model runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Only create (or share) the variables: no values are read or made, the
    /// outputs are empty tensors of the right rank (`[batch, 0, width]`).
    Declare,
    /// Inference with candle-nn's fused layer norm and softmax.
    Infer,
    /// Training: every op differentiable by candle's autograd.
    Train,
    /// Inference in the dtype the weights arrive in (bfloat16 or float16
    /// from float32 variables through a cast getter, see [`forward_in`]),
    /// with the composed ops, which candle runs in any float dtype.
    InferHalf,
}

/// The value of a variable as a candle tensor (its own storage): tracked by
/// autograd for training, detached for inference (else every activation
/// stays alive, referenced by the logits' backward graph).
/// What a custom getter returned (a cast tensor) is computed from the
/// variables' current values.
fn value(v: &GraphObject, mode: Mode) -> Result<Tensor> {
    Ok(match (mode, v) {
        (Mode::Train, _) => v.value()?,
        (_, GraphObject::Variable(v)) => v.detached()?,
        (_, other) => other.value()?.detach(),
    })
}

/// `conv1d`: a matmul over the last axis with `w[0]` as an [nx, nf] matrix
/// (then `act`). For inference, one `scope_ops::kernels::linear` call
/// (bias and GELU applied inside the matmul's blocks).
#[variable_scope(name = scope)]
fn conv1d(x: &Tensor, scope: &str, nf: usize, act: Epilogue, mode: Mode) -> Result<Tensor> {
    let (batch, t, nx) = x.dims3()?;
    let w = get_variable("w")
        .shape(&[1, nx, nf])
        .initializer(Initializer::RandomNormal {
            mean: 0.0,
            stddev: 0.02,
        })
        .get_object()?;
    let b = get_variable("b")
        .shape(&[nf])
        .initializer(Initializer::Zeros)
        .get_object()?;
    if mode == Mode::Declare {
        return Ok(Tensor::zeros((batch, 0, nf), DType::F32, x.device())?);
    }
    let w = value(&w, mode)?.reshape((nx, nf))?;
    let x = x.reshape((batch * t, nx))?;
    let out = if mode == Mode::Infer {
        kernels::linear(&x, &w, Some(&value(&b, mode)?), act)?
    } else {
        let y = x.matmul(&w)?.broadcast_add(&value(&b, mode)?)?;
        match act {
            Epilogue::None => y,
            Epilogue::GeluTanh => gelu(&y)?,
        }
    };
    Ok(out.reshape((batch, t, nf))?)
}

/// Layer norm over the last axis (ε = 1e-5, biased variance).
#[variable_scope(name = scope)]
fn norm(x: &Tensor, scope: &str, mode: Mode) -> Result<Tensor> {
    let n_state = x.dim(D::Minus1)?;
    let g = get_variable("g")
        .shape(&[n_state])
        .initializer(Initializer::Ones)
        .get_object()?;
    let b = get_variable("b")
        .shape(&[n_state])
        .initializer(Initializer::Zeros)
        .get_object()?;
    let (g, b) = match mode {
        Mode::Declare => return Ok(x.clone()),
        _ => (value(&g, mode)?, value(&b, mode)?),
    };
    if mode == Mode::Infer {
        return Ok(candle_nn::ops::layer_norm(&x.contiguous()?, &g, &b, 1e-5)?);
    }
    let mu = x.mean_keepdim(D::Minus1)?;
    let centered = x.broadcast_sub(&mu)?;
    let var = centered.sqr()?.mean_keepdim(D::Minus1)?;
    let normed = centered.broadcast_div(&(var + 1e-5)?.sqrt()?)?;
    Ok(normed.broadcast_mul(&g)?.broadcast_add(&b)?)
}

/// Softmax over the last axis: fused for inference, composed for training.
fn softmax(x: &Tensor, mode: Mode) -> Result<Tensor> {
    if mode == Mode::Infer {
        return Ok(candle_nn::ops::softmax_last_dim(x)?);
    }
    let max = x.max_keepdim(D::Minus1)?;
    let e = x.broadcast_sub(&max)?.exp()?;
    Ok(e.broadcast_div(&e.sum_keepdim(D::Minus1)?)?)
}

/// `[batch, t, n_state]` to `[batch, heads, t, n_state / heads]`.
fn split_heads(x: &Tensor, n_head: usize) -> Result<Tensor> {
    let (batch, t, n) = x.dims3()?;
    Ok(x.reshape((batch, t, n_head, n / n_head))?
        .transpose(1, 2)?
        .contiguous()?)
}

/// Causal self-attention with `n_head` heads.
#[variable_scope(name = scope)]
fn attn(x: &Tensor, scope: &str, n_state: usize, hparams: &HParams, mode: Mode) -> Result<Tensor> {
    let c = conv1d(x, "c_attn", n_state * 3, Epilogue::None, mode)?;
    let (batch, t, _) = x.dims3()?;
    if mode == Mode::Declare {
        let merged = Tensor::zeros((batch, 0, n_state), DType::F32, x.device())?;
        return conv1d(&merged, "c_proj", n_state, Epilogue::None, mode);
    }
    if mode == Mode::Infer {
        // q, k, v read in place as column ranges of `c`; heads merged by the kernel.
        let c = c.reshape((batch * t, 3 * n_state))?;
        let part = |i: usize| c.narrow(1, i * n_state, n_state);
        let (q, k, v) = (part(0)?, part(1)?, part(2)?);
        let a = kernels::attention(&q, &k, &v, batch, hparams.n_head, Mask::Causal)?;
        let merged = a.reshape((batch, t, n_state))?;
        return conv1d(&merged, "c_proj", n_state, Epilogue::None, mode);
    }
    let head = |i: usize| split_heads(&c.narrow(2, i * n_state, n_state)?, hparams.n_head);
    let (q, k, v) = (head(0)?, head(1)?, head(2)?);
    let d = n_state / hparams.n_head;
    let scores = (q.matmul(&k.t()?)? * (1.0 / (d as f64).sqrt()))?;
    // TF: w*b - 1e10*(1-b) with b the lower triangle: masked logits are -1e10.
    let keep = Tensor::tril2(t, DType::U8, x.device())?;
    let masked = Tensor::full(-1e10f32, (t, t), x.device())?.to_dtype(scores.dtype())?;
    let scores = keep
        .broadcast_as(scores.shape())?
        .where_cond(&scores, &masked.broadcast_as(scores.shape())?)?;
    let a = softmax(&scores, mode)?.matmul(&v)?;
    let merged = a.transpose(1, 2)?.reshape((batch, t, n_state))?;
    conv1d(&merged, "c_proj", n_state, Epilogue::None, mode)
}

/// GPT-2's GELU, `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`, computed as
/// the identical `x / (1 + exp(-2·√(2/π)·(x + 0.044715·x³)))`: one `exp`
/// per element instead of candle's `tanh`-based `gelu` (libm's `tanhf` and
/// `expm1f` took 12% of the 124M forward pass), differentiable.
fn gelu(x: &Tensor) -> Result<Tensor> {
    let c = (2.0 / std::f64::consts::PI).sqrt();
    let minus_two_z = (x * x.sqr()?.affine(-2.0 * c * 0.044715, -2.0 * c)?)?;
    Ok((x / (minus_two_z.exp()? + 1.0)?)?)
}

/// The position-wise MLP: `conv1d(gelu(conv1d(x, c_fc)), c_proj)`.
#[variable_scope(name = scope)]
fn mlp(x: &Tensor, scope: &str, n_state: usize, mode: Mode) -> Result<Tensor> {
    let nx = x.dim(D::Minus1)?;
    let h = conv1d(x, "c_fc", n_state, Epilogue::GeluTanh, mode)?;
    conv1d(&h, "c_proj", nx, Epilogue::None, mode)
}

/// One pre-layer-norm transformer block.
#[variable_scope(name = scope)]
fn block(x: &Tensor, scope: &str, hparams: &HParams, mode: Mode) -> Result<Tensor> {
    let nx = x.dim(D::Minus1)?;
    let a = attn(&norm(x, "ln_1", mode)?, "attn", nx, hparams, mode)?;
    let x = (x + a)?;
    let m = mlp(&norm(&x, "ln_2", mode)?, "mlp", nx * 4, mode)?;
    Ok((x + m)?)
}

/// The model: embeddings, `n_layer` blocks, final norm, logits over the
/// vocabulary with the tied embedding. `tokens` is `[batch, time]` (u32).
/// Creates the variables on the first call and shares them afterwards.
#[variable_scope("model", reuse = auto)]
pub fn model(hparams: &HParams, tokens: &Tensor, mode: Mode) -> Result<Tensor> {
    let (batch, t) = tokens.dims2()?;
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
        .get_object()?;
    let wte = get_variable("wte")
        .shape(&[hparams.n_vocab, hparams.n_embd])
        .initializer(Initializer::RandomNormal {
            mean: 0.0,
            stddev: 0.02,
        })
        .get_object()?;
    let mut h = if mode == Mode::Declare {
        Tensor::zeros((batch, 0, hparams.n_embd), DType::F32, tokens.device())?
    } else {
        let max = tokens.flatten_all()?.max(0)?.to_scalar::<u32>()?;
        if max as usize >= hparams.n_vocab {
            return Err(Error::Input(format!(
                "token {max} is outside the vocabulary (0..{})",
                hparams.n_vocab
            )));
        }
        let (wte, wpe) = (value(&wte, mode)?, value(&wpe, mode)?);
        let emb =
            wte.index_select(&tokens.flatten_all()?, 0)?
                .reshape((batch, t, hparams.n_embd))?;
        emb.broadcast_add(&wpe.narrow(0, 0, t)?)?
    };
    for layer in 0..hparams.n_layer {
        h = block(&h, &format!("h{layer}"), hparams, mode)?;
    }
    let h = norm(&h, "ln_f", mode)?;
    if mode == Mode::Declare {
        return Ok(Tensor::zeros(
            (batch, 0, hparams.n_vocab),
            DType::F32,
            tokens.device(),
        )?);
    }
    // h · wteᵀ: the transposed embedding is a strided view (no copy).
    let flat = h.reshape((batch * t, hparams.n_embd))?;
    let wte_t = value(&wte, mode)?.t()?;
    let logits = if mode == Mode::Infer {
        kernels::linear(&flat, &wte_t, None, Epilogue::None)?
    } else {
        flat.matmul(&wte_t)?
    };
    Ok(logits.reshape((batch, t, hparams.n_vocab))?)
}

/// The forward pass in `dtype` (bfloat16 or float16) from the float32
/// variables, as TF1's mixed-precision code reads them: through a casting
/// custom getter on an enclosing scope, so the variables (and what a
/// checkpoint restores into them) stay float32. Returns float32 logits.
pub fn forward_in(
    hparams: &HParams,
    tokens: &Tensor,
    dtype: scope_runtime::DType,
) -> Result<Tensor> {
    let _cast = variable_scope("")
        .custom_getter(CustomGetter::cast(dtype))
        .enter()?;
    Ok(model(hparams, tokens, Mode::InferHalf)?.to_dtype(DType::F32)?)
}

/// Creates the model's variables in the current default graph without
/// making any value (TF's graph building): a restore then fills them.
pub fn build(hparams: &HParams) -> Result<()> {
    let tokens = Tensor::zeros((1, 1), DType::U32, &Device::Cpu)?;
    model(hparams, &tokens, Mode::Declare)?;
    Ok(())
}

/// openai/gpt-2 `train.py`'s loss: the mean cross-entropy of predicting
/// `tokens[:, 1:]` from `logits[:, :-1]`.
pub fn loss(hparams: &HParams, tokens: &Tensor) -> Result<Tensor> {
    let (batch, t) = tokens.dims2()?;
    if t < 2 {
        return Err(Error::Input(
            "training needs sequences of at least 2 tokens".to_string(),
        ));
    }
    let logits = model(hparams, tokens, Mode::Train)?;
    let logits = logits
        .narrow(1, 0, t - 1)?
        .reshape((batch * (t - 1), hparams.n_vocab))?;
    let labels = tokens.narrow(1, 1, t - 1)?.flatten_all()?;
    Ok(candle_nn::loss::cross_entropy(&logits, &labels)?)
}

/// Reads a `{"shape": [...], "data": [...]}` JSON array of float32 values.
pub fn load_json_array(path: &Path) -> Result<Tensor> {
    // Each number is an exact float32 printed as a double: parsed as f64
    // and cast, it gives back the exact bits. Streamed from the file, so a
    // 124M model's 128 MB of logits never sit in memory as text.
    #[derive(Deserialize)]
    struct Json {
        shape: Vec<usize>,
        data: Vec<f32>,
    }
    let file = std::fs::File::open(path)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
    let j: Json = serde_json::from_reader(std::io::BufReader::new(file))
        .map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
    Tensor::from_vec(j.data, j.shape.as_slice(), &Device::Cpu).map_err(|e| {
        Error::Input(format!(
            "{}: shape does not match data: {e}",
            path.display()
        ))
    })
}

/// Reads `input.json`: `{"tokens": [[...], ...]}`, as a `[batch, time]` u32 tensor.
pub fn load_tokens(path: &Path) -> Result<Tensor> {
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
    let flat: Vec<u32> = flat
        .into_iter()
        .map(|tok| {
            u32::try_from(tok).map_err(|_| {
                Error::Input(format!(
                    "{}: token {tok} is negative; token ids are 0..n_vocab",
                    path.display()
                ))
            })
        })
        .collect::<Result<_>>()?;
    Tensor::from_vec(flat.clone(), (flat.len() / t, t), &Device::Cpu)
        .map_err(|e| Error::Input(format!("{}: {e}", path.display())))
}

/// Max abs difference between two tensors of the same shape (`None` if
/// the shapes differ).
pub fn max_abs_diff(a: &Tensor, b: &Tensor) -> Result<Option<f32>> {
    if a.dims() != b.dims() {
        return Ok(None);
    }
    let diff = (a.to_dtype(DType::F32)? - b.to_dtype(DType::F32)?)?.abs()?;
    Ok(Some(diff.flatten_all()?.max(0)?.to_scalar::<f32>()?))
}

/// The most likely next token after each sequence.
pub fn greedy_next(logits: &Tensor) -> Result<Vec<u32>> {
    let t = logits.dim(1)?;
    Ok(logits
        .narrow(1, t - 1, 1)?
        .squeeze(1)?
        .argmax(D::Minus1)?
        .to_vec1()?)
}
