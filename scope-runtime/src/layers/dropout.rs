//! `tf.compat.v1.layers.dropout`: seeded, the identity at inference; no
//! variables, a given name is only a default name.

use super::base::{choose_default_scope, op_err};
use super::value::{LayerOutput, LayerValue};
use crate::error::{Result, ScopeError};
use crate::graph::Graph;

/// Options of [`dropout`] with TF's defaults (`rate` 0.5, inference).
#[derive(Clone, Debug)]
pub struct Dropout {
    rate: f64,
    training: bool,
    seed: Option<u64>,
    name: Option<String>,
}

/// `tf.compat.v1.layers.dropout(inputs, ...)`.
pub fn dropout() -> Dropout {
    Dropout {
        rate: 0.5,
        training: false,
        seed: None,
        name: None,
    }
}

impl Dropout {
    pub fn rate(mut self, r: f64) -> Self {
        self.rate = r;
        self
    }
    pub fn training(mut self, t: bool) -> Self {
        self.training = t;
        self
    }
    /// The mask's seed (default: the graph seed, or 0, mixed with the
    /// layer's scope name).
    pub fn seed(mut self, s: u64) -> Self {
        self.seed = Some(s);
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
        if !(0.0..=1.0).contains(&self.rate) {
            return Err(ScopeError::InvalidArgument(format!(
                "dropout: invalid value {} for `rate`, expected a value between 0 and 1",
                self.rate
            )));
        }
        let c = choose_default_scope("dropout", self.name.as_deref())?;
        let active = self.training && self.rate > 0.0;
        if active && self.rate >= 1.0 {
            return Err(c.invalid(
                "dropout",
                format!(
                    "`rate` must be in [0, 1) when training; received {}",
                    self.rate
                ),
            ));
        }
        c.run(|| {
            super::base::ops(&[if active { "dropout" } else { "Identity" }])?;
            let value = match &x {
                LayerValue::Shape(s) => LayerValue::Shape(s.clone()),
                LayerValue::Tensor(t) => {
                    let seed = self.seed.unwrap_or_else(|| {
                        let g = Graph::current().seed().unwrap_or(0);
                        c.name().bytes().fold(g ^ 0xcbf2_9ce4_8422_2325, |h, b| {
                            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
                        })
                    });
                    LayerValue::Tensor(
                        scope_ops::dropout(t, self.rate, seed, active)
                            .map_err(|e| op_err(c.name(), e))?,
                    )
                }
            };
            Ok(LayerOutput {
                value,
                variables: Vec::new(),
            })
        })
    }
}
