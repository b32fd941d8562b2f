//! `tf.compat.v1.layers.dense`: `kernel` `[in, units]` (TF's layout, used
//! as stored), `bias` `[units]`, on inputs of rank 2 or more.

use super::base::{
    choose_scope, fmt_shape, input_dtype, ops, request, Activation, LayerName, Weight,
};
use super::value::{LayerOutput, LayerValue};
use crate::error::Result;
use crate::init::Initializer;
use crate::scope_object::Reuse;

/// Options of [`dense`] with TF's defaults.
#[derive(Clone, Debug)]
pub struct Dense {
    units: usize,
    activation: Activation,
    use_bias: bool,
    kernel_initializer: Option<Initializer>,
    bias_initializer: Option<Initializer>,
    trainable: bool,
    name: LayerName,
    reuse: Option<Reuse>,
}

/// `tf.compat.v1.layers.dense(inputs, units, ...)`: set options, then
/// [`Dense::apply`].
pub fn dense(units: usize) -> Dense {
    Dense {
        units,
        activation: Activation::None,
        use_bias: true,
        kernel_initializer: None,
        bias_initializer: Some(Initializer::Zeros),
        trainable: true,
        name: LayerName::Default,
        reuse: None,
    }
}

impl Dense {
    pub fn activation(mut self, a: Activation) -> Self {
        self.activation = a;
        self
    }
    pub fn use_bias(mut self, b: bool) -> Self {
        self.use_bias = b;
        self
    }
    /// `None`: the scope's initializer, else glorot uniform (TF's default).
    pub fn kernel_initializer(mut self, i: impl Into<Option<Initializer>>) -> Self {
        self.kernel_initializer = i.into();
        self
    }
    /// Default zeros; `None`: the scope's initializer, else glorot uniform.
    pub fn bias_initializer(mut self, i: impl Into<Option<Initializer>>) -> Self {
        self.bias_initializer = i.into();
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
        let x = x.into();
        let dtype = input_dtype(&x)?;
        let c = choose_scope("dense", &self.name, self.reuse)?;
        let shape = x.shape();
        if shape.len() < 2 {
            return Err(c.invalid(
                "dense",
                format!(
                    "expected min_ndim=2, found ndim={}; full shape received: {}",
                    shape.len(),
                    fmt_shape(&shape)
                ),
            ));
        }
        let Some(input_dim) = shape[shape.len() - 1] else {
            return Err(c.invalid(
                "dense",
                format!(
                    "the last dimension of the inputs should be defined; found None in {}",
                    fmt_shape(&shape)
                ),
            ));
        };
        c.run(|| {
            let mut vars = Vec::new();
            let kernel = request(
                Weight {
                    name: "kernel",
                    shape: &[input_dim, self.units],
                    initializer: self.kernel_initializer.as_ref(),
                    trainable: self.trainable,
                },
                dtype,
                &mut vars,
            )?;
            let bias = if self.use_bias {
                Some(request(
                    Weight {
                        name: "bias",
                        shape: &[self.units],
                        initializer: self.bias_initializer.as_ref(),
                        trainable: self.trainable,
                    },
                    dtype,
                    &mut vars,
                )?)
            } else {
                None
            };
            let mut names = vec![if shape.len() == 2 {
                "MatMul"
            } else {
                "Tensordot"
            }];
            if self.use_bias {
                names.push("BiasAdd");
            }
            names.extend(self.activation.op());
            ops(&names)?;
            let value = match &x {
                LayerValue::Shape(s) => {
                    let mut out = s.clone();
                    *out.last_mut().expect("rank checked >= 2") = Some(self.units);
                    LayerValue::Shape(out)
                }
                LayerValue::Tensor(t) => {
                    let err = |e| super::base::candle_err(c.name(), e);
                    let k = kernel.value()?;
                    let mut y = if t.rank() == 2 {
                        t.matmul(&k).map_err(err)?
                    } else {
                        let mut dims = t.dims().to_vec();
                        let flat = t.reshape(((), input_dim)).map_err(err)?;
                        *dims.last_mut().expect("rank checked >= 2") = self.units;
                        flat.matmul(&k).and_then(|y| y.reshape(dims)).map_err(err)?
                    };
                    if let Some(b) = &bias {
                        y = y.broadcast_add(&b.value()?).map_err(err)?;
                    }
                    LayerValue::Tensor(self.activation.apply(y)?)
                }
            };
            Ok(LayerOutput {
                value,
                variables: vars,
            })
        })
    }
}
