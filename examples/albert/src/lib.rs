//! google-research/albert `modeling.py` (`AlbertModel`: factorized
//! embeddings, `embedding_hidden_mapping_in`, layers sharing
//! `transformer/group_%d/inner_group_%d` under `AUTO_REUSE` with
//! `name_scope("layer_%d")`, pooler) and the `run_pretraining.py` heads
//! (masked LM through the embedding width, sentence order), on scope's
//! layers and the BERT example's pieces.

#![forbid(unsafe_code)]

use std::path::Path;

use bert::{
    activation, add_layer_norm, attention, attention_adder, dense, embeddings, heads, input_values,
    pooler,
};
use bert::{Inputs, Outputs, Result};
use scope_runtime::candle::Tensor;
use scope_runtime::layers::{Activation, LayerValue};
use scope_runtime::{name_scope, variable_scope, Reuse, ScopeError};

/// `albert_config.json` (Google's `AlbertConfig.to_json_string()`).
#[derive(Clone, Debug, serde::Deserialize)]
pub struct AlbertConfig {
    pub vocab_size: usize,
    pub embedding_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    #[serde(default = "one")]
    pub num_hidden_groups: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    #[serde(default = "one")]
    pub inner_group_num: usize,
    #[serde(default = "default_act")]
    pub hidden_act: String,
    pub max_position_embeddings: usize,
    #[serde(default = "default_type_vocab")]
    pub type_vocab_size: usize,
    #[serde(default = "default_range")]
    pub initializer_range: f64,
}

fn one() -> usize {
    1
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

impl AlbertConfig {
    pub fn load(path: &Path) -> Result<AlbertConfig> {
        let bad = |what: String| ScopeError::InvalidArgument(what);
        let text = std::fs::read_to_string(path)
            .map_err(|e| bad(format!("cannot read {}: {e}", path.display())))?;
        let c: AlbertConfig = serde_json::from_str(&text)
            .map_err(|e| bad(format!("{} is not an ALBERT config: {e}", path.display())))?;
        if c.num_attention_heads == 0 || !c.hidden_size.is_multiple_of(c.num_attention_heads) {
            return Err(bad(format!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                c.hidden_size, c.num_attention_heads
            )));
        }
        if c.num_hidden_groups == 0 || c.num_hidden_groups > c.num_hidden_layers.max(1) {
            return Err(bad(format!(
                "num_hidden_groups {} does not fit {} layers",
                c.num_hidden_groups, c.num_hidden_layers
            )));
        }
        Ok(c)
    }
}

/// `attention_ffn_block` in the current `inner_group_%d` scope.
fn block(
    x: &LayerValue,
    adder: Option<&Tensor>,
    c: &AlbertConfig,
    act: Activation,
    batch: usize,
    seq: usize,
) -> Result<LayerValue> {
    let (h, r) = (c.hidden_size, c.initializer_range);
    let attn = {
        let _a = variable_scope("attention_1").enter()?;
        let ctx = {
            let _s = variable_scope("self").enter()?;
            attention(x, adder, batch, seq, c.num_attention_heads, h, r)?
        };
        let _o = variable_scope("output").enter()?;
        dense(&ctx, h, Activation::None, "dense", r)?
    };
    let attn = add_layer_norm(&attn, Some(x))?;
    let ffn = {
        let _f = variable_scope("ffn_1").enter()?;
        let _i = variable_scope("intermediate").enter()?;
        let inter = dense(&attn, c.intermediate_size, act, "dense", r)?;
        let _o = variable_scope("output").enter()?;
        dense(&inter, h, Activation::None, "dense", r)?
    };
    add_layer_norm(&ffn, Some(&attn))
}

/// `AlbertModel` (+ the heads when `with_heads`); on shapes only when
/// `shape_only`. Shares its variables on later calls.
pub fn albert(
    c: &AlbertConfig,
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
    let act = activation(&c.hidden_act)?;
    let (e, h, r) = (c.embedding_size, c.hidden_size, c.initializer_range);
    let (seq_out, pooled, word) = {
        let _bert = variable_scope("bert").reuse(Reuse::Auto).enter()?;
        let (emb, word) = {
            let _e = variable_scope("embeddings").enter()?;
            embeddings(
                &ids,
                &types,
                c.vocab_size,
                e,
                c.type_vocab_size,
                c.max_position_embeddings,
                r,
            )?
        };
        let x = {
            let _enc = variable_scope("encoder").enter()?;
            let mut x = if e != h {
                dense(&emb, h, Activation::None, "embedding_hidden_mapping_in", r)?
            } else {
                emb
            };
            let _t = variable_scope("transformer").reuse(Reuse::Auto).enter()?;
            for l in 0..c.num_hidden_layers {
                let g = l * c.num_hidden_groups / c.num_hidden_layers;
                let _g = variable_scope(format!("group_{g}").as_str()).enter()?;
                let _n = name_scope(&format!("layer_{l}")).enter()?;
                for i in 0..c.inner_group_num {
                    let _i = variable_scope(format!("inner_group_{i}").as_str()).enter()?;
                    x = block(&x, adder.as_ref(), c, act, batch, seq)?;
                }
            }
            x
        };
        let pooled = pooler(&x, batch, seq, h, r)?;
        (x, pooled, word)
    };
    let mut out = Outputs::default();
    if with_heads {
        let (mlm, sop) = heads(
            &seq_out,
            &pooled,
            inputs.masked_lm_positions.as_ref(),
            &word,
            c.vocab_size,
            e,
            h,
            seq,
            act,
            r,
        )?;
        out.masked_lm_logits = mlm.as_tensor().cloned();
        out.next_sentence_logits = sop.as_tensor().cloned();
    }
    out.sequence_output = match &seq_out {
        LayerValue::Tensor(t) => Some(t.reshape((batch, seq, h))?),
        LayerValue::Shape(_) => None,
    };
    out.pooled_output = pooled.as_tensor().cloned();
    Ok(out)
}
