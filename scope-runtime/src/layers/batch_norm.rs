//! `tf.compat.v1.layers.batch_normalization`: `gamma`, `beta` and the
//! non-trainable `moving_mean` / `moving_variance`; in training mode the
//! batch moments normalize and the two moving-average steps join the
//! graph's `UPDATE_OPS` collection under TF's op names.

use candle_core::Tensor;

use super::base::{
    candle_err, choose_scope, fmt_shape, input_dtype, op_err, request, LayerName, Weight,
};
use super::value::{LayerOutput, LayerValue};
use crate::error::Result;
use crate::graph::Graph;
use crate::init::Initializer;
use crate::op::register_op;
use crate::scope_object::Reuse;
use crate::update_op::UpdateOp;

/// Options of [`batch_normalization`] with TF's defaults.
#[derive(Clone, Debug)]
pub struct BatchNormalization {
    axis: Vec<isize>,
    momentum: f64,
    epsilon: f64,
    center: bool,
    scale: bool,
    training: bool,
    fused: Option<bool>,
    beta_initializer: Option<Initializer>,
    gamma_initializer: Option<Initializer>,
    moving_mean_initializer: Option<Initializer>,
    moving_variance_initializer: Option<Initializer>,
    trainable: bool,
    name: LayerName,
    reuse: Option<Reuse>,
}

/// `tf.compat.v1.layers.batch_normalization(inputs, ...)`.
pub fn batch_normalization() -> BatchNormalization {
    BatchNormalization {
        axis: vec![-1],
        momentum: 0.99,
        epsilon: 1e-3,
        center: true,
        scale: true,
        training: false,
        fused: None,
        beta_initializer: Some(Initializer::Zeros),
        gamma_initializer: Some(Initializer::Ones),
        moving_mean_initializer: Some(Initializer::Zeros),
        moving_variance_initializer: Some(Initializer::Ones),
        trainable: true,
        name: LayerName::Default,
        reuse: None,
    }
}

impl BatchNormalization {
    /// One axis or several (default `-1`).
    pub fn axis(mut self, axis: &[isize]) -> Self {
        self.axis = axis.to_vec();
        self
    }
    pub fn momentum(mut self, m: f64) -> Self {
        self.momentum = m;
        self
    }
    pub fn epsilon(mut self, e: f64) -> Self {
        self.epsilon = e;
        self
    }
    pub fn center(mut self, c: bool) -> Self {
        self.center = c;
        self
    }
    pub fn scale(mut self, s: bool) -> Self {
        self.scale = s;
        self
    }
    /// Training mode: batch moments, moving-average update ops.
    pub fn training(mut self, t: bool) -> Self {
        self.training = t;
        self
    }
    /// `None` (default): fused where TF fuses (rank 4, one axis).
    pub fn fused(mut self, f: Option<bool>) -> Self {
        self.fused = f;
        self
    }
    pub fn beta_initializer(mut self, i: impl Into<Option<Initializer>>) -> Self {
        self.beta_initializer = i.into();
        self
    }
    pub fn gamma_initializer(mut self, i: impl Into<Option<Initializer>>) -> Self {
        self.gamma_initializer = i.into();
        self
    }
    pub fn moving_mean_initializer(mut self, i: impl Into<Option<Initializer>>) -> Self {
        self.moving_mean_initializer = i.into();
        self
    }
    pub fn moving_variance_initializer(mut self, i: impl Into<Option<Initializer>>) -> Self {
        self.moving_variance_initializer = i.into();
        self
    }
    pub fn trainable(mut self, t: bool) -> Self {
        self.trainable = t;
        self
    }
    pub fn name(mut self, n: impl Into<LayerName>) -> Self {
        self.name = n.into();
        self
    }
    pub fn reuse(mut self, r: impl Into<Reuse>) -> Self {
        self.reuse = Some(r.into());
        self
    }

    /// Runs the layer on `x` (values or a shape).
    #[track_caller]
    pub fn apply(&self, x: impl Into<LayerValue>) -> Result<LayerOutput> {
        let _call = crate::call_site::layer_call();
        const KIND: &str = "batch_normalization";
        let x = x.into();
        let dtype = input_dtype(&x)?;
        let c = choose_scope(KIND, &self.name, self.reuse)?;
        let shape = x.shape();
        let rank = shape.len() as isize;
        let mut axes = Vec::with_capacity(self.axis.len());
        for &a in &self.axis {
            let r = if a < 0 { a + rank } else { a };
            if r < 0 || r >= rank {
                return Err(c.invalid(
                    KIND,
                    format!("axis {a} is out of range for an input of rank {rank}"),
                ));
            }
            axes.push(r as usize);
        }
        axes.sort_unstable();
        axes.dedup();
        let mut dims = Vec::with_capacity(axes.len());
        for &a in &axes {
            let Some(d) = shape[a] else {
                return Err(c.invalid(
                    KIND,
                    format!(
                        "axis {a} of the input should have a defined dimension; received {}",
                        fmt_shape(&shape)
                    ),
                ));
            };
            dims.push(d);
        }
        let pshape: Vec<usize> = if axes.len() == 1 {
            dims.clone()
        } else {
            (0..shape.len())
                .map(|i| axes.iter().position(|&a| a == i).map_or(1, |j| dims[j]))
                .collect()
        };
        let fused = shape.len() == 4 && axes.len() == 1 && self.fused != Some(false);
        // A non-trainable layer runs in inference mode (Keras).
        let training = self.training && self.trainable;
        c.run(|| {
            let mut vars = Vec::new();
            let mut w = |name, init: &Option<Initializer>, trainable| {
                request(
                    Weight {
                        name,
                        shape: &pshape,
                        initializer: init.as_ref(),
                        trainable,
                    },
                    dtype,
                    &mut vars,
                )
            };
            let gamma = self
                .scale
                .then(|| w("gamma", &self.gamma_initializer, self.trainable))
                .transpose()?;
            let beta = self
                .center
                .then(|| w("beta", &self.beta_initializer, self.trainable))
                .transpose()?;
            let mm = w("moving_mean", &self.moving_mean_initializer, false)?;
            let mv = w("moving_variance", &self.moving_variance_initializer, false)?;
            let (value, updates) = match &x {
                LayerValue::Shape(s) => (LayerValue::Shape(s.clone()), None),
                LayerValue::Tensor(t) => {
                    let g = gamma.as_ref().map(|v| v.value()).transpose()?;
                    let b = beta.as_ref().map(|v| v.value()).transpose()?;
                    let (y, up) = self.compute(
                        c.name(),
                        t,
                        &axes,
                        g.as_ref(),
                        b.as_ref(),
                        &mm.value()?,
                        &mv.value()?,
                        fused,
                        training,
                    )?;
                    (LayerValue::Tensor(y), up)
                }
            };
            if training {
                let graph = Graph::current();
                let (m_new, v_new) = updates.map_or((None, None), |(m, v)| (Some(m), Some(v)));
                for (var, value) in [(&mm, m_new), (&mv, v_new)] {
                    let scope = register_op("AssignMovingAvg")?;
                    // The update assigns the moving statistic itself: a
                    // getter must return it as a variable here.
                    graph.add_update_op(UpdateOp::new(
                        format!("{scope}/AssignSubVariableOp"),
                        var.clone().into_variable()?,
                        value,
                    ));
                }
            }
            Ok(LayerOutput {
                value,
                variables: vars,
            })
        })
    }

    /// The output and, in training mode, the new moving mean and variance.
    #[allow(clippy::too_many_arguments)]
    fn compute(
        &self,
        layer: &str,
        x: &Tensor,
        axes: &[usize],
        gamma: Option<&Tensor>,
        beta: Option<&Tensor>,
        mm: &Tensor,
        mv: &Tensor,
        fused: bool,
        training: bool,
    ) -> Result<(Tensor, Option<(Tensor, Tensor)>)> {
        let cfg = scope_ops::BatchNormConfig {
            axis: axes[0],
            epsilon: self.epsilon,
        };
        if axes.len() == 1 {
            return if training {
                let r = scope_ops::batch_norm_training(
                    x,
                    gamma,
                    beta,
                    mm,
                    mv,
                    self.momentum,
                    fused,
                    &cfg,
                )
                .map_err(|e| op_err(layer, e))?;
                Ok((r.output, Some((r.moving_mean, r.moving_variance))))
            } else {
                let y = scope_ops::batch_norm(x, mm, mv, gamma, beta, &cfg)
                    .map_err(|e| op_err(layer, e))?;
                Ok((y, None))
            };
        }
        // Several axes: parameters already have the input's rank.
        let err = |e| candle_err(layer, e);
        let reduce: Vec<usize> = (0..x.rank()).filter(|i| !axes.contains(i)).collect();
        let (mean, var, up) = if training {
            let mean = x.mean_keepdim(reduce.as_slice()).map_err(err)?;
            let var = x
                .broadcast_sub(&mean)
                .and_then(|d| d.sqr())
                .and_then(|d| d.mean_keepdim(reduce.as_slice()))
                .map_err(err)?;
            let mom = self.momentum;
            let step = |moving: &Tensor, batch: &Tensor| -> candle_core::Result<Tensor> {
                moving
                    .affine(mom, 0.0)?
                    .add(&batch.detach().affine(1.0 - mom, 0.0)?)
            };
            let up = (step(mm, &mean).map_err(err)?, step(mv, &var).map_err(err)?);
            (mean, var, Some(up))
        } else {
            (mm.clone(), mv.clone(), None)
        };
        let inv = var
            .affine(1.0, self.epsilon)
            .and_then(|v| v.sqrt())
            .and_then(|v| v.recip())
            .map_err(err)?;
        let inv = match gamma {
            Some(g) => inv.broadcast_mul(g).map_err(err)?,
            None => inv,
        };
        let mut y = x
            .broadcast_sub(&mean)
            .and_then(|d| d.broadcast_mul(&inv))
            .map_err(err)?;
        if let Some(b) = beta {
            y = y.broadcast_add(b).map_err(err)?;
        }
        Ok((y, up))
    }
}
