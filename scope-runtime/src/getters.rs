//! The custom getters scope ships: casting (TF's mixed-precision pattern:
//! float32 master weights read as bfloat16 or float16) and EMA-shadow
//! substitution (evaluate with the moving averages instead of the weights).

use crate::derived_tensor::DerivedTensor;
use crate::dtype::DType;
use crate::ema::ExponentialMovingAverage;
use crate::error::Result;
use crate::getter::{CustomGetter, GraphObject};
use crate::op::scoped_op;

impl CustomGetter {
    /// Returns what the next getter returns cast to `dtype` (`tf.cast`): a
    /// tensor named `Cast:0`, `Cast_1:0`, ... at the root; unchanged if it
    /// already has that dtype. The variable itself keeps its dtype, so a
    /// float32 checkpoint restores into it and gradients reach it.
    pub fn cast(dtype: DType) -> CustomGetter {
        CustomGetter::new(move |next, request| cast(next.get(request)?, dtype))
    }

    /// The mixed-precision storage getter of TF1 practice (NVIDIA's
    /// `float32_variable_storage_getter`): a trainable variable requested
    /// in float16 or bfloat16 is stored in float32 and returned cast to the
    /// requested dtype, so layers fed half-precision inputs keep float32
    /// master weights (and float32 checkpoints load into them).
    pub fn float32_storage() -> CustomGetter {
        CustomGetter::new(|next, mut request| {
            let wanted = request.dtype;
            if !request.trainable || !matches!(wanted, DType::F16 | DType::BF16) {
                return next.get(request);
            }
            request.dtype = DType::F32;
            cast(next.get(request)?, wanted)
        })
    }

    /// Returns the moving average `ema` keeps for the variable, if it keeps
    /// one, else the variable (TF's EMA getter for evaluation).
    pub fn ema_shadow(ema: &ExponentialMovingAverage) -> CustomGetter {
        let ema = ema.clone();
        CustomGetter::new(move |next, request| {
            let got = next.get(request)?;
            Ok(match got.as_variable().and_then(|v| ema.average(v)) {
                Some(shadow) => shadow.into(),
                None => got,
            })
        })
    }
}

/// `tf.cast(obj, dtype)` in the current name scope: `obj` itself if it has
/// `dtype`; a partitioned variable is first concatenated (an op named like
/// it, as TF's `convert_to_tensor` names it).
pub fn cast(obj: GraphObject, dtype: DType) -> Result<GraphObject> {
    if obj.dtype() == dtype {
        return Ok(obj);
    }
    if let GraphObject::Partitioned(p) = &obj {
        scoped_op(p.name())?;
    }
    let name = scoped_op("Cast")?;
    let shape = obj.shape().to_vec();
    let tensor = DerivedTensor::new(&name, &shape, dtype, move || {
        Ok(obj.value()?.to_dtype(dtype.candle())?)
    });
    Ok(tensor.into())
}
