//! `tf.nn.sparse_softmax_cross_entropy_with_logits`, per example:
//! `logsumexp(logits) - logits[label]`, with the log-sum-exp shifted by the
//! (detached) row maximum so that large logits neither overflow nor lose
//! the small terms. Composed from candle ops, so differentiable w.r.t. the
//! logits (the gradient is `softmax(logits) - one_hot(label)`, as TF's).

use crate::error::{arg_err, shape_err, Context, Result};
use candle_core::{DType, Tensor, D};

/// `logits` `[..., classes]`, `labels` `[...]` of an integer dtype (u8,
/// u32 or i64); returns the loss `[...]`. A label outside `[0, classes)` is
/// an error, as on TF's CPU kernel.
pub fn sparse_softmax_cross_entropy_with_logits(
    logits: &Tensor,
    labels: &Tensor,
) -> Result<Tensor> {
    const OP: &str = "sparse_softmax_cross_entropy_with_logits";
    let ld = logits.dims();
    if ld.is_empty() {
        return Err(shape_err(OP, "logits must have rank >= 1, got a scalar"));
    }
    if labels.dims() != &ld[..ld.len() - 1] {
        return Err(shape_err(
            OP,
            format!(
                "labels have shape {:?}; for logits {ld:?} they must be {:?}",
                labels.dims(),
                &ld[..ld.len() - 1]
            ),
        ));
    }
    if !matches!(labels.dtype(), DType::U8 | DType::U32 | DType::I64) {
        return Err(arg_err(
            OP,
            format!("labels must be u8, u32 or i64, got {:?}", labels.dtype()),
        ));
    }
    let classes = ld[ld.len() - 1];
    if labels.elem_count() > 0 {
        let as_i64 = labels.to_dtype(DType::I64).ctx(OP)?.flatten_all().ctx(OP)?;
        let lo = as_i64.min(0).ctx(OP)?.to_scalar::<i64>().ctx(OP)?;
        let hi = as_i64.max(0).ctx(OP)?.to_scalar::<i64>().ctx(OP)?;
        if lo < 0 || hi >= classes as i64 {
            let bad = if lo < 0 { lo } else { hi };
            return Err(arg_err(
                OP,
                format!("received a label value of {bad}, outside the valid range [0, {classes})"),
            ));
        }
    }
    (|| {
        let max = logits.max_keepdim(D::Minus1)?.detach();
        let shifted = logits.broadcast_sub(&max)?;
        let lse = shifted.exp()?.sum_keepdim(D::Minus1)?.log()?;
        let idx = labels.to_dtype(DType::U32)?.unsqueeze(D::Minus1)?;
        let picked = shifted
            .contiguous()?
            .gather(&idx.contiguous()?, D::Minus1)?;
        (lse - picked)?.squeeze(D::Minus1)
    })()
    .ctx(OP)
}
