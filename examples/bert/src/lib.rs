//! google-research/bert `modeling.py` (`BertModel`: embeddings, encoder,
//! pooler) and the `run_pretraining.py` heads (masked LM with output
//! weights tied to the word embeddings, next sentence), written with
//! scope's TF1 layers so every variable has Google's name and layout.
//!
//! The same code builds the graph on shapes only ([`LayerValue::Shape`]:
//! variables without values, which a restore then fills) and runs it on
//! tensors. ALBERT (`examples/albert`) reuses the pieces here.

#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use scope_ops::kernels::{self, Epilogue};
use scope_runtime::candle::{DType, Device, Tensor};
use scope_runtime::layers::{self, Activation, LayerValue};
use scope_runtime::{
    get_variable, variable_scope, Graph, Initializer, LoadReport, RestoreOptions, Reuse, ScopeError,
};

pub type Result<T, E = ScopeError> = std::result::Result<T, E>;

fn io_err(what: String) -> ScopeError {
    ScopeError::InvalidArgument(what)
}

/// `bert_config.json` (Google's `BertConfig.to_json_string()`).
#[derive(Clone, Debug, serde::Deserialize)]
pub struct BertConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    #[serde(default = "default_act")]
    pub hidden_act: String,
    pub max_position_embeddings: usize,
    #[serde(default = "default_type_vocab")]
    pub type_vocab_size: usize,
    #[serde(default = "default_range")]
    pub initializer_range: f64,
}

fn default_act() -> String {
    "gelu".into()
}
fn default_type_vocab() -> usize {
    16
}
fn default_range() -> f64 {
    0.02
}

impl BertConfig {
    pub fn load(path: &Path) -> Result<BertConfig> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| io_err(format!("cannot read {}: {e}", path.display())))?;
        let c: BertConfig = serde_json::from_str(&text)
            .map_err(|e| io_err(format!("{} is not a BERT config: {e}", path.display())))?;
        if c.num_attention_heads == 0 || !c.hidden_size.is_multiple_of(c.num_attention_heads) {
            return Err(io_err(format!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                c.hidden_size, c.num_attention_heads
            )));
        }
        Ok(c)
    }
}

/// `modeling.get_activation`.
pub fn activation(name: &str) -> Result<Activation> {
    match name {
        "gelu" => Ok(Activation::GeluTanh),
        "relu" => Ok(Activation::Relu),
        "tanh" => Ok(Activation::Tanh),
        "linear" | "" => Ok(Activation::None),
        other => Err(io_err(format!("unsupported hidden_act `{other}`"))),
    }
}

/// `input.json`: `[batch, seq]` ids, mask, types; `[batch, P]` positions.
#[derive(Clone, Debug)]
pub struct Inputs {
    pub input_ids: Tensor,
    pub input_mask: Tensor,
    pub token_type_ids: Tensor,
    pub masked_lm_positions: Option<Tensor>,
}

fn int_matrix(v: &serde_json::Value, key: &str) -> Result<Option<Tensor>> {
    let Some(rows) = v.get(key) else {
        return Ok(None);
    };
    let rows: Vec<Vec<u32>> = serde_json::from_value(rows.clone())
        .map_err(|e| io_err(format!("input `{key}` is not a matrix of ids: {e}")))?;
    let b = rows.len();
    let s = rows.first().map_or(0, Vec::len);
    if rows.iter().any(|r| r.len() != s) {
        return Err(io_err(format!(
            "input `{key}` has rows of different lengths"
        )));
    }
    Ok(Some(Tensor::from_vec(rows.concat(), (b, s), &Device::Cpu)?))
}

impl Inputs {
    pub fn load(path: &Path) -> Result<Inputs> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| io_err(format!("cannot read {}: {e}", path.display())))?;
        let v: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| io_err(format!("{} is not JSON: {e}", path.display())))?;
        let need = |k: &str| -> Result<Tensor> {
            int_matrix(&v, k)?.ok_or_else(|| io_err(format!("input.json has no `{k}`")))
        };
        let input_ids = need("input_ids")?;
        let input_mask = match int_matrix(&v, "input_mask")? {
            Some(m) => m,
            None => input_ids.ones_like()?,
        };
        let token_type_ids = match int_matrix(&v, "token_type_ids")? {
            Some(t) => t,
            None => input_ids.zeros_like()?,
        };
        if input_mask.dims() != input_ids.dims() || token_type_ids.dims() != input_ids.dims() {
            return Err(io_err(
                "input_ids, input_mask and token_type_ids differ in shape".into(),
            ));
        }
        Ok(Inputs {
            input_ids,
            input_mask,
            token_type_ids,
            masked_lm_positions: int_matrix(&v, "masked_lm_positions")?,
        })
    }
}

/// The outputs `expected.json` can list.
#[derive(Clone, Debug, Default)]
pub struct Outputs {
    pub sequence_output: Option<Tensor>,
    pub pooled_output: Option<Tensor>,
    pub masked_lm_logits: Option<Tensor>,
    pub next_sentence_logits: Option<Tensor>,
}

impl Outputs {
    pub fn named(&self) -> Vec<(&'static str, &Tensor)> {
        [
            ("sequence_output", &self.sequence_output),
            ("pooled_output", &self.pooled_output),
            ("masked_lm_logits", &self.masked_lm_logits),
            ("next_sentence_logits", &self.next_sentence_logits),
        ]
        .into_iter()
        .filter_map(|(n, t)| t.as_ref().map(|t| (n, t)))
        .collect()
    }
}

/// A step of the model on values or on shapes: `f` runs only on values,
/// `shape` is the static shape it gives.
pub fn map(
    x: &LayerValue,
    shape: Vec<Option<usize>>,
    f: impl FnOnce(&Tensor) -> Result<Tensor>,
) -> Result<LayerValue> {
    match x {
        LayerValue::Tensor(t) => Ok(LayerValue::Tensor(f(t)?)),
        LayerValue::Shape(_) => Ok(LayerValue::Shape(shape)),
    }
}

pub fn tensor(x: &LayerValue) -> Result<&Tensor> {
    x.as_tensor()
        .ok_or_else(|| io_err("internal: a value was needed in shape-only mode".into()))
}

fn trunc(range: f64) -> Initializer {
    Initializer::TruncatedNormal {
        mean: 0.0,
        stddev: range,
    }
}

fn ops_err(e: scope_ops::Error) -> ScopeError {
    ScopeError::Compute(e.to_string())
}

/// `tf.layers.dense(x, units, activation, name, kernel_initializer)`.
///
/// The layer itself runs on the input's shape, so it names, creates or
/// shares its variables and records its ops exactly as on values; on
/// values the product is then computed here from the variables' detached
/// storage (inference: no autograd graph) by one
/// `scope_ops::kernels::linear` call, bias and GELU applied inside it.
pub fn dense(
    x: &LayerValue,
    units: usize,
    act: Activation,
    name: &str,
    range: f64,
) -> Result<LayerValue> {
    let layer = layers::dense(units)
        .activation(act)
        .name(name)
        .kernel_initializer(trunc(range));
    let LayerValue::Tensor(t) = x else {
        return Ok(layer.apply(x.clone())?.value);
    };
    let declared = layer.apply(LayerValue::Shape(x.shape()))?;
    let [kernel, bias] = declared.variables.as_slice() else {
        return Err(io_err(format!(
            "dense `{name}`: expected a kernel and a bias, got {} variable(s)",
            declared.variables.len()
        )));
    };
    let mut dims = t.dims().to_vec();
    let flat = t.reshape(((), *dims.last().unwrap_or(&0)))?;
    let epilogue = match act {
        Activation::GeluTanh => Epilogue::GeluTanh,
        _ => Epilogue::None,
    };
    let y = kernels::linear(
        &flat,
        &kernel.detached()?,
        Some(&bias.detached()?),
        epilogue,
    )
    .map_err(ops_err)?;
    let y = match act {
        Activation::None | Activation::GeluTanh => y,
        Activation::Relu => scope_ops::relu(&y).map_err(ops_err)?,
        Activation::Tanh => scope_ops::tanh(&y).map_err(ops_err)?,
        Activation::Sigmoid => scope_ops::sigmoid(&y).map_err(ops_err)?,
        Activation::Gelu => scope_ops::gelu_erf(&y).map_err(ops_err)?,
    };
    if let Some(last) = dims.last_mut() {
        *last = units;
    }
    Ok(LayerValue::Tensor(y.reshape(dims)?))
}

/// `modeling.layer_norm`: slim's layer_norm over the last axis.
pub fn layer_norm(x: &LayerValue) -> Result<LayerValue> {
    add_layer_norm(x, None)
}

/// `modeling.layer_norm(x + residual)`: slim's layer norm declared on the
/// shape (its names and sharing), computed on values by one fused
/// `scope_ops::kernels::add_layer_norm` pass from the detached `gamma`
/// and `beta` (ε = 1e-12, slim's default).
pub fn add_layer_norm(x: &LayerValue, residual: Option<&LayerValue>) -> Result<LayerValue> {
    let layer = layers::layer_norm()
        .begin_norm_axis(-1)
        .begin_params_axis(-1);
    let LayerValue::Tensor(t) = x else {
        return Ok(layer.apply(x.clone())?.value);
    };
    let declared = layer.apply(LayerValue::Shape(x.shape()))?;
    let find = |suffix: &str| {
        declared
            .variables
            .iter()
            .find(|v| v.op_name().ends_with(suffix))
            .ok_or_else(|| io_err(format!("layer_norm has no `{suffix}` variable")))
    };
    let (gamma, beta) = (find("/gamma")?.detached()?, find("/beta")?.detached()?);
    let residual = residual.map(tensor).transpose()?;
    Ok(LayerValue::Tensor(
        kernels::add_layer_norm(t, residual, &gamma, &beta, 1e-12).map_err(ops_err)?,
    ))
}

/// `embedding_lookup` + `embedding_postprocessor` (token types, positions,
/// LayerNorm) inside the current scope (`bert/embeddings`); returns the
/// output `[B*S, E]` and the word embedding table.
pub fn embeddings(
    ids: &LayerValue,
    types: &LayerValue,
    vocab: usize,
    width: usize,
    type_vocab: usize,
    max_positions: usize,
    range: f64,
) -> Result<(LayerValue, scope_runtime::Variable)> {
    let shape = ids.shape();
    let (b, s) = (shape[0], shape[1]);
    let word = get_variable("word_embeddings")
        .shape(&[vocab, width])
        .initializer(trunc(range))
        .get()?;
    let token = get_variable("token_type_embeddings")
        .shape(&[type_vocab, width])
        .initializer(trunc(range))
        .get()?;
    let position = get_variable("position_embeddings")
        .shape(&[max_positions, width])
        .initializer(trunc(range))
        .get()?;
    let flat = vec![b.zip(s).map(|(b, s)| b * s), Some(width)];
    let x = map(ids, flat, |ids| {
        let s = ids.dim(1)?;
        if s > max_positions {
            return Err(io_err(format!(
                "sequence of {s} tokens is longer than max_position_embeddings {max_positions}"
            )));
        }
        let w = layers::embedding_lookup(&word.detached()?.into(), &ids.into())?.into_tensor()?;
        let t = layers::embedding_lookup(&token.detached()?.into(), &tensor(types)?.into())?
            .into_tensor()?;
        let p = position.detached()?.narrow(0, 0, s)?;
        let x = w.add(&t)?.broadcast_add(&p)?;
        Ok(x.reshape(((), width))?)
    })?;
    Ok((layer_norm(&x)?, word))
}

/// `create_attention_mask_from_input_mask`, as the additive mask
/// `(1 - mask) * -10000` of shape `[B, S]` (added to every query's scores).
pub fn attention_adder(mask: &Tensor) -> Result<Tensor> {
    Ok(mask.to_dtype(DType::F32)?.affine(10000.0, -10000.0)?)
}

/// `attention_layer` (self-attention; `query`, `key`, `value` in the
/// current scope) on `x` `[B*S, H]`; returns the context `[B*S, H]`.
pub fn attention(
    x: &LayerValue,
    adder: Option<&Tensor>,
    batch: usize,
    seq: usize,
    heads: usize,
    hidden: usize,
    range: f64,
) -> Result<LayerValue> {
    let q = dense(x, hidden, Activation::None, "query", range)?;
    let k = dense(x, hidden, Activation::None, "key", range)?;
    let v = dense(x, hidden, Activation::None, "value", range)?;
    map(x, vec![x.shape()[0], Some(hidden)], |_| {
        let _ = seq;
        let mask = match adder {
            Some(a) => kernels::Mask::KeyAdder(a),
            None => kernels::Mask::None,
        };
        kernels::attention(tensor(&q)?, tensor(&k)?, tensor(&v)?, batch, heads, mask)
            .map_err(ops_err)
    })
}

/// `a + b` on values, same shape.
pub fn add(a: &LayerValue, b: &LayerValue) -> Result<LayerValue> {
    map(a, a.shape(), |t| Ok(t.add(tensor(b)?)?))
}

/// One BERT layer (`layer_%d` scope current): attention, output, FFN.
#[allow(clippy::too_many_arguments)]
pub fn transformer_layer(
    x: &LayerValue,
    adder: Option<&Tensor>,
    c: &BertConfig,
    batch: usize,
    seq: usize,
) -> Result<LayerValue> {
    let act = activation(&c.hidden_act)?;
    let r = c.initializer_range;
    let h = c.hidden_size;
    let attn = {
        let _a = variable_scope("attention").enter()?;
        let ctx = {
            let _s = variable_scope("self").enter()?;
            attention(x, adder, batch, seq, c.num_attention_heads, h, r)?
        };
        let _o = variable_scope("output").enter()?;
        let y = dense(&ctx, h, Activation::None, "dense", r)?;
        add_layer_norm(&y, Some(x))?
    };
    let inter = {
        let _i = variable_scope("intermediate").enter()?;
        dense(&attn, c.intermediate_size, act, "dense", r)?
    };
    let _o = variable_scope("output").enter()?;
    let y = dense(&inter, h, Activation::None, "dense", r)?;
    add_layer_norm(&y, Some(&attn))
}

/// The pooler (`bert/pooler/dense`, tanh) on the first token of each row.
pub fn pooler(
    seq_out: &LayerValue,
    batch: usize,
    seq: usize,
    hidden: usize,
    range: f64,
) -> Result<LayerValue> {
    let _p = variable_scope("pooler").enter()?;
    let first = map(seq_out, vec![Some(batch), Some(hidden)], |t| {
        Ok(t.reshape((batch, seq, hidden))?
            .narrow(1, 0, 1)?
            .reshape((batch, hidden))?)
    })?;
    dense(&first, hidden, Activation::Tanh, "dense", range)
}

/// `get_masked_lm_output` (logits before log_softmax) and
/// `get_next_sentence_output` (logits), in `cls/`. `width` is the
/// transform's width (BERT: hidden; ALBERT: embedding size).
#[allow(clippy::too_many_arguments)]
pub fn heads(
    seq_out: &LayerValue,
    pooled: &LayerValue,
    positions: Option<&Tensor>,
    word: &scope_runtime::Variable,
    vocab: usize,
    width: usize,
    hidden: usize,
    seq: usize,
    act: Activation,
    range: f64,
) -> Result<(LayerValue, LayerValue)> {
    let _cls = variable_scope("cls").reuse(Reuse::Auto).enter()?;
    let mlm = {
        let _p = variable_scope("predictions").enter()?;
        let gathered = map(seq_out, vec![None, Some(hidden)], |t| {
            let pos =
                positions.ok_or_else(|| io_err("input.json has no masked_lm_positions".into()))?;
            let (b, _) = pos.dims2()?;
            let offsets = Tensor::arange(0u32, b as u32, pos.device())?
                .affine(seq as f64, 0.0)?
                .reshape((b, 1))?;
            let flat = pos.broadcast_add(&offsets)?.flatten_all()?;
            Ok(t.index_select(&flat, 0)?)
        })?;
        let x = {
            let _t = variable_scope("transform").enter()?;
            let x = dense(&gathered, width, act, "dense", range)?;
            layer_norm(&x)?
        };
        let bias = get_variable("output_bias")
            .shape(&[vocab])
            .initializer(Initializer::Zeros)
            .get()?;
        map(&x, vec![None, Some(vocab)], |t| {
            kernels::linear(
                t,
                &word.detached()?.t()?,
                Some(&bias.detached()?),
                Epilogue::None,
            )
            .map_err(ops_err)
        })?
    };
    let _s = variable_scope("seq_relationship").enter()?;
    let w = get_variable("output_weights")
        .shape(&[2, hidden])
        .initializer(trunc(range))
        .get()?;
    let b = get_variable("output_bias")
        .shape(&[2])
        .initializer(Initializer::Zeros)
        .get()?;
    let nsp = map(pooled, vec![pooled.shape()[0], Some(2)], |t| {
        kernels::linear(t, &w.detached()?.t()?, Some(&b.detached()?), Epilogue::None)
            .map_err(ops_err)
    })?;
    Ok((mlm, nsp))
}

/// The inputs as layer values, or their shapes only.
pub fn input_values(inputs: &Inputs, shape_only: bool) -> (LayerValue, LayerValue) {
    let dims: Vec<Option<usize>> = inputs.input_ids.dims().iter().map(|&d| Some(d)).collect();
    if shape_only {
        (LayerValue::Shape(dims.clone()), LayerValue::Shape(dims))
    } else {
        (
            inputs.input_ids.clone().into(),
            inputs.token_type_ids.clone().into(),
        )
    }
}

/// `BertModel` (+ the heads when `with_heads`); on shapes only when
/// `shape_only` (the graph build: variables, no values). Shares its
/// variables on later calls.
pub fn bert(
    c: &BertConfig,
    inputs: &Inputs,
    with_heads: bool,
    shape_only: bool,
) -> Result<Outputs> {
    let (batch, seq) = inputs.input_ids.dims2()?;
    let (ids, types) = input_values(inputs, shape_only);
    let adder = if shape_only {
        None
    } else {
        Some(attention_adder(&inputs.input_mask)?)
    };
    let r = c.initializer_range;
    let h = c.hidden_size;
    let (seq_out, pooled, word) = {
        let _bert = variable_scope("bert").reuse(Reuse::Auto).enter()?;
        let (emb, word) = {
            let _e = variable_scope("embeddings").enter()?;
            embeddings(
                &ids,
                &types,
                c.vocab_size,
                h,
                c.type_vocab_size,
                c.max_position_embeddings,
                r,
            )?
        };
        let mut x = emb;
        {
            let _enc = variable_scope("encoder").enter()?;
            for l in 0..c.num_hidden_layers {
                let _l = variable_scope(format!("layer_{l}").as_str()).enter()?;
                x = transformer_layer(&x, adder.as_ref(), c, batch, seq)?;
            }
        }
        let pooled = pooler(&x, batch, seq, h, r)?;
        (x, pooled, word)
    };
    let mut out = Outputs::default();
    if with_heads {
        let (mlm, nsp) = heads(
            &seq_out,
            &pooled,
            inputs.masked_lm_positions.as_ref(),
            &word,
            c.vocab_size,
            h,
            h,
            seq,
            activation(&c.hidden_act)?,
            r,
        )?;
        out.masked_lm_logits = mlm.as_tensor().cloned();
        out.next_sentence_logits = nsp.as_tensor().cloned();
    }
    out.sequence_output = match seq_out {
        LayerValue::Tensor(t) => Some(t.reshape((batch, seq, h))?),
        LayerValue::Shape(_) => None,
    };
    out.pooled_output = pooled.as_tensor().cloned();
    Ok(out)
}

// ---------------------------------------------------------------------------
// Loading (shared with ALBERT)

/// The checkpoint in `dir`: the one its `checkpoint` state file names, or
/// (Google's release archives have no state file) the one prefix in it.
pub fn checkpoint_path(dir: &Path) -> Result<PathBuf> {
    if dir.join("checkpoint").exists() {
        return Ok(dir.to_path_buf());
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| io_err(format!("cannot read {}: {e}", dir.display())))?;
    let prefixes: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "index"))
        .map(|p| p.with_extension(""))
        .collect();
    match prefixes.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(io_err(format!(
            "{} has no checkpoint (no state file, no *.index)",
            dir.display()
        ))),
        many => Err(io_err(format!(
            "{} has several checkpoints and no state file: {many:?}",
            dir.display()
        ))),
    }
}

/// What loading found, beyond the variables assigned.
#[derive(Debug)]
pub struct Loaded {
    pub report: LoadReport,
    pub optimizer_state: Vec<String>,
    pub unexpected: Vec<String>,
    /// Whether the pretraining heads' variables were all in the file.
    pub has_heads: bool,
}

/// Options of [`load_with`]. The default is strict, as [`load`] is.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    allow_unexpected: bool,
}

impl LoadOptions {
    /// Strict (the default of [`load`]): a tensor of the file that is
    /// neither a variable nor training state is an error.
    pub fn strict() -> Self {
        LoadOptions::default()
    }

    /// Lenient: such tensors are listed in [`Loaded::unexpected`].
    pub fn lenient() -> Self {
        LoadOptions {
            allow_unexpected: true,
        }
    }
}

/// Restores the model from `dir`, strictly: see [`load_with`].
pub fn load(graph: &Graph, dir: &Path) -> Result<Loaded> {
    load_with(graph, dir, &LoadOptions::strict())
}

/// Restores by name; every variable outside `cls/` must be found (else an
/// error; the pretraining heads may be absent), optimizer slots and
/// `global_step` are set aside, any other tensor is an error unless
/// `options` are lenient, then listed.
pub fn load_with(graph: &Graph, dir: &Path, options: &LoadOptions) -> Result<Loaded> {
    let path = checkpoint_path(dir)?;
    let report = graph
        .restore_with(&path, &RestoreOptions::lenient())
        .map_err(|e| io_err(format!("loading {}: {e}", path.display())))?;
    let missing_model: Vec<&String> = report
        .missing
        .iter()
        .map(|(v, _)| v)
        .filter(|v| !v.starts_with("cls/"))
        .collect();
    if !missing_model.is_empty() {
        return Err(io_err(format!(
            "the checkpoint lacks model variables: {missing_model:?}"
        )));
    }
    if let Some(m) = report.mismatched.first() {
        return Err(io_err(format!(
            "`{}` has shape {:?} in the model but {:?} in the checkpoint ({} mismatches)",
            m.variable,
            m.model_shape,
            m.file_shape,
            report.mismatched.len()
        )));
    }
    // The restore recognises training state (optimizer slots such as
    // `adam_m`/`adam_v`, `global_step`) and lists it apart from unexpected tensors.
    let optimizer_state = report.optimizer_state.clone();
    let unexpected: Vec<String> = report.unexpected.iter().map(|u| u.tensor.clone()).collect();
    if !options.allow_unexpected && !unexpected.is_empty() {
        return Err(io_err(format!(
            "strict: unexpected tensors in the checkpoint: {unexpected:?}"
        )));
    }
    let has_heads = !report.missing.iter().any(|(v, _)| v.starts_with("cls/"));
    Ok(Loaded {
        report,
        optimizer_state,
        unexpected,
        has_heads,
    })
}

impl std::fmt::Display for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "loaded {} variables from {}",
            self.report.loaded.len(),
            self.report.source.display()
        )?;
        if !self.has_heads {
            writeln!(
                f,
                "no pretraining heads in the checkpoint (cls/*): encoder outputs only"
            )?;
        }
        if !self.optimizer_state.is_empty() {
            let adam = self
                .optimizer_state
                .iter()
                .filter(|n| *n != "global_step")
                .count();
            let gs = self.optimizer_state.iter().any(|n| n == "global_step");
            let mut parts = Vec::new();
            if adam > 0 {
                parts.push(format!("{adam} Adam slot(s) (adam_m/adam_v)"));
            }
            if gs {
                parts.push("global_step".to_string());
            }
            writeln!(f, "optimizer state (not loaded): {}", parts.join(" and "))?;
        }
        for u in &self.unexpected {
            writeln!(f, "unexpected tensor (not loaded): {u}")?;
        }
        Ok(())
    }
}

/// `expected.json`: `{"<output>": {"shape", "data"}}`.
pub fn load_expected(path: &Path) -> Result<BTreeMap<String, Tensor>> {
    #[derive(serde::Deserialize)]
    struct Entry {
        shape: Vec<usize>,
        data: Vec<f64>,
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| io_err(format!("cannot read {}: {e}", path.display())))?;
    let map: BTreeMap<String, Entry> = serde_json::from_str(&text)
        .map_err(|e| io_err(format!("{} is not an expected file: {e}", path.display())))?;
    map.into_iter()
        .map(|(k, e)| {
            let data: Vec<f32> = e.data.iter().map(|&x| x as f32).collect();
            Ok((k, Tensor::from_vec(data, e.shape, &Device::Cpu)?))
        })
        .collect()
}

/// The largest difference over every output `expected` lists; an output
/// the model did not compute, or of another shape, is an error.
pub fn max_abs_diff(out: &Outputs, expected: &BTreeMap<String, Tensor>) -> Result<f32> {
    let named: BTreeMap<&str, &Tensor> = out.named().into_iter().collect();
    let mut worst = 0f32;
    for (name, want) in expected {
        let got = named.get(name.as_str()).ok_or_else(|| {
            io_err(format!(
                "expected.json lists `{name}`, which the model did not compute"
            ))
        })?;
        if got.dims() != want.dims() {
            return Err(io_err(format!(
                "`{name}` has shape {:?}, expected {:?}",
                got.dims(),
                want.dims()
            )));
        }
        let d = got
            .sub(want)?
            .abs()?
            .flatten_all()?
            .max(0)?
            .to_scalar::<f32>()?;
        worst = worst.max(d);
    }
    Ok(worst)
}

/// candle's CPU threading for inference ([`scope_ops::tune_cpu_threads`]):
/// call first in `main`.
pub fn tune_threads() {
    scope_ops::tune_cpu_threads();
}
