//! `slim.max_pool2d` and `slim.avg_pool2d`: a name scope only
//! (`MaxPool2D`, `AvgPool2D`; no variable scope, no variables), stride 2
//! and VALID padding by default, TF's SAME arithmetic through `scope-ops`.

use super::arg_scope::call_args;
use super::args::{Args, ScopeArg};
use super::common::{collect, invalid, padding, two};
use super::error::SlimResult;
use super::setters::arg_setters;
use crate::layers::base::{op_err, ops};
use crate::layers::{LayerOutput, LayerValue};
use crate::scope::name_scope;

const KNOWN: &[&str] = &[
    "stride",
    "padding",
    "data_format",
    "outputs_collections",
    "scope",
];

/// Which pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolKind {
    Max,
    Avg,
}

/// A `slim.max_pool2d` / `slim.avg_pool2d(inputs, kernel_size, ...)` call.
#[derive(Clone, Debug)]
pub struct Pool2d {
    kind: PoolKind,
    kernel_size: Vec<usize>,
    args: Args,
}

/// `slim.max_pool2d(inputs, kernel_size)`.
pub fn max_pool2d(kernel_size: &[usize]) -> Pool2d {
    Pool2d {
        kind: PoolKind::Max,
        kernel_size: kernel_size.to_vec(),
        args: Args::new(),
    }
}

/// `slim.avg_pool2d(inputs, kernel_size)`.
pub fn avg_pool2d(kernel_size: &[usize]) -> Pool2d {
    Pool2d {
        kind: PoolKind::Avg,
        kernel_size: kernel_size.to_vec(),
        args: Args::new(),
    }
}

arg_setters!(Pool2d {
    stride,
    padding,
    data_format,
    outputs_collections,
    scope,
});

impl Pool2d {
    /// Runs the pool on `x` (NHWC values or a shape).
    #[track_caller]
    pub fn apply(&self, x: impl Into<LayerValue>) -> SlimResult<LayerOutput> {
        let _call = crate::call_site::layer_call();
        let x = x.into();
        let (func, default, op) = match self.kind {
            PoolKind::Max => ("max_pool2d", "MaxPool2D", "MaxPool"),
            PoolKind::Avg => ("avg_pool2d", "AvgPool2D", "AvgPool"),
        };
        let call = call_args(func, &self.args)?;
        call.check_known(KNOWN)?;
        if call.str("data_format", "NHWC")? != "NHWC" {
            return Err(invalid(func, "", "only data_format NHWC is supported"));
        }
        let kernel = two(func, "kernel_size", &self.kernel_size)?;
        let stride = call.pair("stride", [2, 2])?;
        let pad = padding(&call, "VALID")?.op_padding(func)?;
        let collection = call.opt_str("outputs_collections")?;
        let name = match call.scope("scope")? {
            Some(ScopeArg::Name(n)) => Some(n),
            Some(ScopeArg::Scope(s)) => Some(s.name().to_string()),
            None => None,
        };
        let ns = name_scope(name.as_deref()).default_name(default).enter()?;
        let sc = ns.scope().to_string();
        let shape = x.shape();
        if shape.len() != 4 {
            return Err(invalid(
                func,
                &sc,
                format!("expected ndim=4, found ndim={}", shape.len()),
            ));
        }
        ops(&[op])?;
        let cfg = scope_ops::Pool2dConfig::new(kernel, stride, pad);
        let value = match &x {
            LayerValue::Shape(s) => {
                let mut out = s.clone();
                for axis in 0..2 {
                    if let Some(n) = s[axis + 1] {
                        let w =
                            scope_ops::windowed_output_size(n, kernel[axis], stride[axis], 1, pad)
                                .map_err(|e| invalid(func, &sc, e.to_string()))?;
                        out[axis + 1] = Some(w.output);
                    }
                }
                LayerValue::Shape(out)
            }
            LayerValue::Tensor(t) => LayerValue::Tensor(
                match self.kind {
                    PoolKind::Max => scope_ops::max_pool2d(t, &cfg),
                    PoolKind::Avg => scope_ops::avg_pool2d(t, &cfg),
                }
                .map_err(|e| op_err(&sc, e))?,
            ),
        };
        collect(collection.as_deref(), &sc, &value);
        ns.exit()?;
        Ok(LayerOutput {
            value,
            variables: Vec::new(),
        })
    }
}
