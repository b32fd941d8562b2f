//! `tf.compat.v1.layers.flatten`: `[batch, rest...]` to `[batch, prod]`
//! (unknown if any of `rest` is); no variables.

use super::base::{candle_err, choose_default_scope, ops};
use super::value::{LayerOutput, LayerValue};
use crate::error::Result;

/// Options of [`flatten`].
#[derive(Clone, Debug, Default)]
pub struct Flatten {
    name: Option<String>,
}

/// `tf.compat.v1.layers.flatten(inputs)`.
pub fn flatten() -> Flatten {
    Flatten::default()
}

impl Flatten {
    pub fn name(mut self, n: &str) -> Self {
        self.name = Some(n.to_string());
        self
    }

    /// Runs the layer on `x` (values or a shape).
    #[track_caller]
    pub fn apply(&self, x: impl Into<LayerValue>) -> Result<LayerOutput> {
        let _call = crate::call_site::layer_call();
        let x = x.into();
        let c = choose_default_scope("flatten", self.name.as_deref())?;
        let shape = x.shape();
        if shape.is_empty() {
            return Err(c.invalid("flatten", "expected min_ndim=1, found ndim=0"));
        }
        c.run(|| {
            ops(&["Reshape"])?;
            let rest: Option<usize> = shape[1..].iter().try_fold(1usize, |n, d| d.map(|d| n * d));
            let value = match &x {
                LayerValue::Shape(_) => LayerValue::Shape(vec![shape[0], rest]),
                LayerValue::Tensor(t) => {
                    let n = t.dims()[0];
                    let m = t.dims()[1..].iter().product::<usize>();
                    LayerValue::Tensor(t.reshape((n, m)).map_err(|e| candle_err(c.name(), e))?)
                }
            };
            Ok(LayerOutput {
                value,
                variables: Vec::new(),
            })
        })
    }
}
