//! `tf.compat.v1.layers.max_pooling2d` and `average_pooling2d`, with TF's
//! SAME/VALID windows and TF's divisor for padded average pooling; no
//! variables, a given name is only a default name.

use super::base::{choose_default_scope, fmt_shape, op_err, ops, positive, LayerPadding};
use super::value::{LayerOutput, LayerValue};
use crate::error::{Result, ScopeError};
use scope_ops::{DataFormat, Pool2dConfig};

/// Max or average.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolKind {
    Max,
    Average,
}

/// Options of a pooling layer.
#[derive(Clone, Debug)]
pub struct Pooling2d {
    kind: PoolKind,
    pool_size: [usize; 2],
    strides: [usize; 2],
    padding: LayerPadding,
    data_format: DataFormat,
    name: Option<String>,
}

/// `tf.compat.v1.layers.max_pooling2d(inputs, pool_size, strides)`.
pub fn max_pooling2d(pool_size: [usize; 2], strides: [usize; 2]) -> Pooling2d {
    pooling(PoolKind::Max, pool_size, strides)
}

/// `tf.compat.v1.layers.average_pooling2d(inputs, pool_size, strides)`.
pub fn average_pooling2d(pool_size: [usize; 2], strides: [usize; 2]) -> Pooling2d {
    pooling(PoolKind::Average, pool_size, strides)
}

fn pooling(kind: PoolKind, pool_size: [usize; 2], strides: [usize; 2]) -> Pooling2d {
    Pooling2d {
        kind,
        pool_size,
        strides,
        padding: LayerPadding::Valid,
        data_format: DataFormat::ChannelsLast,
        name: None,
    }
}

impl Pooling2d {
    pub fn padding(mut self, p: LayerPadding) -> Self {
        self.padding = p;
        self
    }
    pub fn data_format(mut self, f: DataFormat) -> Self {
        self.data_format = f;
        self
    }
    pub fn name(mut self, n: &str) -> Self {
        self.name = Some(n.to_string());
        self
    }

    /// Runs the layer on `x` (values or a shape).
    #[track_caller]
    pub fn apply(&self, x: impl Into<LayerValue>) -> Result<LayerOutput> {
        let _call = crate::call_site::layer_call();
        let x = x.into();
        let (base, op) = match self.kind {
            PoolKind::Max => ("max_pooling2d", "MaxPool"),
            PoolKind::Average => ("average_pooling2d", "AvgPool"),
        };
        let padding = match self.padding {
            LayerPadding::Causal => {
                return Err(ScopeError::InvalidArgument(format!(
                    "{base}: causal padding is only supported for conv1d"
                )))
            }
            p => p.op_padding(base)?,
        };
        positive(base, "pool_size", self.pool_size)?;
        positive(base, "strides", self.strides)?;
        let c = choose_default_scope(base, self.name.as_deref())?;
        let shape = x.shape();
        if shape.len() != 4 {
            return Err(c.invalid(
                base,
                format!(
                    "expected ndim=4, found ndim={}; full shape received: {}",
                    shape.len(),
                    fmt_shape(&shape)
                ),
            ));
        }
        let spatial = match self.data_format {
            DataFormat::ChannelsLast => [1, 2],
            DataFormat::ChannelsFirst => [2, 3],
        };
        let mut out = shape.clone();
        for (i, &a) in spatial.iter().enumerate() {
            if let Some(n) = shape[a] {
                let w = scope_ops::windowed_output_size(
                    n,
                    self.pool_size[i],
                    self.strides[i],
                    1,
                    padding,
                )
                .map_err(|_| {
                    c.invalid(
                        base,
                        format!(
                            "negative dimension size caused by a window of {} over an input of {n}",
                            self.pool_size[i]
                        ),
                    )
                })?;
                out[a] = Some(w.output);
            }
        }
        c.run(|| {
            ops(&[op])?;
            let value = match &x {
                LayerValue::Shape(_) => LayerValue::Shape(out),
                LayerValue::Tensor(t) => {
                    let cfg = Pool2dConfig {
                        ksize: self.pool_size,
                        strides: self.strides,
                        padding,
                        data_format: self.data_format,
                    };
                    let y = match self.kind {
                        PoolKind::Max => scope_ops::max_pool2d(t, &cfg),
                        PoolKind::Average => scope_ops::avg_pool2d(t, &cfg),
                    };
                    LayerValue::Tensor(y.map_err(|e| op_err(c.name(), e))?)
                }
            };
            Ok(LayerOutput {
                value,
                variables: Vec::new(),
            })
        })
    }
}
