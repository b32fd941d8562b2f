//! `tf.nn.embedding_lookup(params, ids)`: rows of a `[vocab, ...]` table
//! gathered by integer ids; output `ids.shape + params.shape[1:]`. An op
//! (`embedding_lookup`) in the current name scope; no variables of its own.

use candle_core::Tensor;

use super::value::LayerValue;
use crate::error::{Result, ScopeError};
use crate::op::register_op;

/// `tf.nn.embedding_lookup(params, ids)` on values or shapes. Ids out of
/// range are an error (TF's CPU kernel rejects them too).
pub fn embedding_lookup(params: &LayerValue, ids: &LayerValue) -> Result<LayerValue> {
    let pshape = params.shape();
    if pshape.is_empty() {
        return Err(ScopeError::InvalidArgument(
            "embedding_lookup: params must have rank >= 1".to_string(),
        ));
    }
    let name = register_op("embedding_lookup")?;
    match (params, ids) {
        (LayerValue::Tensor(p), LayerValue::Tensor(i)) => {
            lookup(&name, p, i).map(LayerValue::Tensor)
        }
        _ => {
            let mut out = ids.shape();
            out.extend_from_slice(&pshape[1..]);
            Ok(LayerValue::Shape(out))
        }
    }
}

fn lookup(name: &str, params: &Tensor, ids: &Tensor) -> Result<Tensor> {
    let err = |e: candle_core::Error| ScopeError::Compute(format!("{name}: {e}"));
    let vocab = params.dims()[0];
    let flat = ids
        .flatten_all()
        .and_then(|f| f.to_dtype(candle_core::DType::I64))
        .map_err(err)?;
    let (lo, hi) = (
        flat.min(0).and_then(|m| m.to_scalar::<i64>()).unwrap_or(0),
        flat.max(0).and_then(|m| m.to_scalar::<i64>()).unwrap_or(0),
    );
    if flat.elem_count() > 0 && (lo < 0 || hi as usize >= vocab) {
        return Err(ScopeError::InvalidArgument(format!(
            "{name}: ids must be in [0, {vocab}), found values in [{lo}, {hi}]"
        )));
    }
    let flat = flat.to_dtype(candle_core::DType::U32).map_err(err)?;
    let rows = params.index_select(&flat, 0).map_err(err)?;
    let mut dims = ids.dims().to_vec();
    dims.extend_from_slice(&params.dims()[1..]);
    rows.reshape(dims).map_err(err)
}
