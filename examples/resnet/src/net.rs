//! ResNet-v1 as `tf_slim.nets.resnet_v1` and `resnet_utils` write it:
//! `resnet_arg_scope`, bottleneck units, `resnet_v1_block`,
//! `stack_blocks_dense` (atrous for `output_stride`), `conv2d_same`, the
//! root block, the global pool and the logits; `bottleneck` and
//! `stack_blocks_dense` are `add_arg_scope` functions, so their
//! `outputs_collections` (the end points) come from the arg scope as in
//! slim. Every call works on values or on shapes only (the graph build).

use scope_runtime::candle::Tensor;
use scope_runtime::layers::{Activation, LayerValue};
use scope_runtime::slim::{self, ArgScope, Args, Init, Normalizer, ScopeArg};
use scope_runtime::{name_scope, register_op, variable_scope, Regularizer, Reuse, ScopeTarget};

use crate::config::Config;
use crate::Error;

/// One bottleneck unit's arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unit {
    pub depth: usize,
    pub depth_bottleneck: usize,
    pub stride: usize,
}

/// `resnet_utils.Block`: a scope and its units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub scope: String,
    pub units: Vec<Unit>,
}

/// `resnet_v1_block`: `num_units` units of depth `4 * base_depth`; only
/// the last one has `stride`.
pub fn resnet_v1_block(scope: &str, base_depth: usize, num_units: usize, stride: usize) -> Block {
    let unit = |stride| Unit {
        depth: base_depth * 4,
        depth_bottleneck: base_depth,
        stride,
    };
    let mut units = vec![unit(1); num_units.saturating_sub(1)];
    units.push(unit(stride));
    Block {
        scope: scope.to_string(),
        units,
    }
}

/// `resnet_utils.resnet_arg_scope(weight_decay, batch_norm_decay,
/// batch_norm_epsilon, batch_norm_scale)`, captured.
pub fn resnet_arg_scope(c: &Config) -> Result<ArgScope, Error> {
    let bn = Args::new()
        .set("decay", c.batch_norm_decay)
        .set("epsilon", c.batch_norm_epsilon)
        .set("scale", c.batch_norm_scale)
        .set("fused", None::<bool>);
    let _conv = slim::arg_scope(&["conv2d"])
        .set("weights_regularizer", Regularizer::l2(c.weight_decay)?)
        .set("weights_initializer", Init::variance_scaling())
        .set("activation_fn", Activation::Relu)
        .set("normalizer_fn", Normalizer::BatchNorm)
        .set("normalizer_params", bn.clone())
        .enter()?;
    let _bn = slim::arg_scope(&["batch_norm"]).set_all(&bn).enter()?;
    let pool = slim::arg_scope(&["max_pool2d"])
        .set("padding", "SAME")
        .enter()?;
    Ok(pool.scope().clone())
}

fn register() {
    slim::add_arg_scope("bottleneck");
    slim::add_arg_scope("stack_blocks_dense");
}

/// Zero padding of the two spatial axes.
fn pad(x: LayerValue, before: usize, after: usize) -> Result<LayerValue, Error> {
    register_op("Pad")?;
    Ok(match x {
        LayerValue::Tensor(t) => LayerValue::Tensor(
            t.pad_with_zeros(1, before, after)?
                .pad_with_zeros(2, before, after)?,
        ),
        LayerValue::Shape(mut s) => {
            for d in s.iter_mut().skip(1).take(2) {
                *d = d.map(|n| n + before + after);
            }
            LayerValue::Shape(s)
        }
    })
}

/// `resnet_utils.conv2d_same`: SAME for stride 1, else explicit symmetric
/// padding and a VALID convolution.
pub fn conv2d_same(
    x: LayerValue,
    num_outputs: usize,
    kernel: usize,
    stride: usize,
    rate: usize,
    scope: &str,
) -> Result<LayerValue, Error> {
    let conv = slim::conv2d(num_outputs, &[kernel]).rate(rate).scope(scope);
    if stride == 1 {
        return Ok(conv.stride(1usize).padding("SAME").apply(x)?.value);
    }
    let effective = kernel + (kernel - 1) * (rate - 1);
    let total = effective - 1;
    let x = pad(x, total / 2, total - total / 2)?;
    Ok(conv.stride(stride).padding("VALID").apply(x)?.value)
}

fn channels(x: &LayerValue, what: &str) -> Result<usize, Error> {
    let s = x.shape();
    match (s.len(), s.last().copied().flatten()) {
        (4, Some(c)) => Ok(c),
        _ => Err(Error::Model(format!(
            "{what}: expected an NHWC input with known channels, got {s:?}"
        ))),
    }
}

/// `resnet_v1.bottleneck(inputs, depth, depth_bottleneck, stride, rate)`.
pub fn bottleneck(
    x: LayerValue,
    unit: Unit,
    rate: usize,
    explicit: &Args,
) -> Result<LayerValue, Error> {
    register();
    let call = slim::call_args("bottleneck", explicit)?;
    call.check_known(&["outputs_collections", "scope"])?;
    let collection = call.opt_str("outputs_collections")?;
    let name = match call.scope("scope")? {
        Some(ScopeArg::Name(n)) => Some(n),
        _ => None,
    };
    let target = name
        .as_deref()
        .map_or(ScopeTarget::Unnamed, ScopeTarget::Name);
    let vs = variable_scope(target)
        .default_name("bottleneck_v1")
        .enter()?;
    let sc = vs.scope().name().to_string();
    let depth_in = channels(&x, &sc)?;
    let shortcut = if unit.depth == depth_in {
        if unit.stride == 1 {
            x.clone()
        } else {
            slim::max_pool2d(&[1])
                .stride(unit.stride)
                .scope("shortcut")
                .apply(x.clone())?
                .value
        }
    } else {
        slim::conv2d(unit.depth, &[1])
            .stride(unit.stride)
            .activation_fn(Activation::None)
            .scope("shortcut")
            .apply(x.clone())?
            .value
    };
    let r = slim::conv2d(unit.depth_bottleneck, &[1])
        .stride(1usize)
        .scope("conv1")
        .apply(x)?;
    let r = conv2d_same(
        r.value,
        unit.depth_bottleneck,
        3,
        unit.stride,
        rate,
        "conv2",
    )?;
    let r = slim::conv2d(unit.depth, &[1])
        .stride(1usize)
        .activation_fn(Activation::None)
        .scope("conv3")
        .apply(r)?
        .value;
    register_op("add")?;
    register_op("Relu")?;
    let out = match (shortcut, r) {
        (LayerValue::Tensor(a), LayerValue::Tensor(b)) => LayerValue::Tensor(
            scope_ops::kernels::add_relu(&a, &b).map_err(|e| Error::Model(e.to_string()))?,
        ),
        (_, r) => LayerValue::Shape(r.shape()),
    };
    if let Some(c) = &collection {
        slim::collect_named_outputs(c, &sc, &out);
    }
    vs.exit()?;
    Ok(out)
}

/// `resnet_utils.stack_blocks_dense(net, blocks, output_stride)`.
pub fn stack_blocks_dense(
    mut net: LayerValue,
    blocks: &[Block],
    output_stride: Option<usize>,
    explicit: &Args,
) -> Result<LayerValue, Error> {
    register();
    let call = slim::call_args("stack_blocks_dense", explicit)?;
    call.check_known(&["outputs_collections"])?;
    let collection = call.opt_str("outputs_collections")?;
    let unreachable = || Error::Model("The target output_stride cannot be reached.".into());
    let mut current = 1usize;
    let mut rate = 1usize;
    for block in blocks {
        let vs = variable_scope(block.scope.as_str())
            .default_name("block")
            .enter()?;
        let sc = vs.scope().name().to_string();
        for (i, unit) in block.units.iter().enumerate() {
            if output_stride.is_some_and(|o| current > o) {
                return Err(unreachable());
            }
            let _u = variable_scope(format!("unit_{}", i + 1).as_str()).enter()?;
            if output_stride == Some(current) {
                let dense = Unit { stride: 1, ..*unit };
                net = bottleneck(net, dense, rate, &Args::new())?;
                rate *= unit.stride;
            } else {
                net = bottleneck(net, *unit, 1, &Args::new())?;
                current *= unit.stride;
            }
        }
        if let Some(c) = &collection {
            slim::collect_named_outputs(c, &sc, &net);
        }
        vs.exit()?;
    }
    if output_stride.is_some_and(|o| o != current) {
        return Err(unreachable());
    }
    Ok(net)
}

/// What `resnet_v1` returns: the net (logits, or the pooled features
/// without classes), `pool5` when pooled, and slim's `end_points`.
#[derive(Debug)]
pub struct Outputs {
    /// The net's variable scope (`resnet_v1`, `resnet_v1_1`, ... when unnamed).
    pub scope: String,
    pub net: LayerValue,
    pub pool: Option<LayerValue>,
    pub end_points: Vec<(String, LayerValue)>,
}

impl Outputs {
    /// An output by `expected.json` key: `logits`, `pool`, or an end point.
    pub fn get(&self, key: &str) -> Option<&LayerValue> {
        match key {
            "logits" => Some(&self.net),
            "pool" => self.pool.as_ref(),
            _ => self
                .end_points
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v),
        }
    }
}

/// The blocks a config describes.
pub fn blocks(c: &Config) -> Vec<Block> {
    c.blocks
        .iter()
        .map(|b| resnet_v1_block(&b.scope, b.base_depth, b.num_units, b.stride))
        .collect()
}

/// `resnet_v1.resnet_v1(inputs, blocks, num_classes, is_training=False,
/// global_pool, output_stride, include_root_block, reuse, scope)` inside
/// `resnet_arg_scope`, plus later slim's `spatial_squeeze`.
pub fn resnet_v1(images: LayerValue, c: &Config, reuse: Option<Reuse>) -> Result<Outputs, Error> {
    let arg_sc = resnet_arg_scope(c)?;
    let _resnet_args = slim::arg_scope_from(&arg_sc).enter()?;
    let target = c.scope().map_or(ScopeTarget::Unnamed, ScopeTarget::Name);
    let mut vs = variable_scope(target).default_name("resnet_v1");
    if let Some(r) = reuse {
        vs = vs.reuse(r);
    }
    let vs = vs.enter()?;
    let sc = vs.scope().name().to_string();
    let collection = format!("{}_end_points", vs.scope().original_name_scope());
    register();
    let out = {
        let _ep = slim::arg_scope(&["conv2d", "bottleneck", "stack_blocks_dense"])
            .set("outputs_collections", collection.as_str())
            .enter()?;
        let _bn = slim::arg_scope(&["batch_norm"])
            .set("is_training", false)
            .enter()?;
        body(images, c, &sc, &collection)
    };
    slim::clear_named_outputs(&collection);
    vs.exit()?;
    out
}

fn body(images: LayerValue, c: &Config, sc: &str, collection: &str) -> Result<Outputs, Error> {
    let mut net = images;
    let mut output_stride = c.output_stride;
    if c.include_root_block {
        if let Some(o) = output_stride {
            if o % 4 != 0 {
                return Err(Error::Model(
                    "The output_stride needs to be a multiple of 4.".into(),
                ));
            }
            output_stride = Some(o / 4);
        }
        net = conv2d_same(net, 64, 7, 2, 1, "conv1")?;
        net = slim::max_pool2d(&[3, 3])
            .stride(2)
            .scope("pool1")
            .apply(net)?
            .value;
    }
    net = stack_blocks_dense(net, &blocks(c), output_stride, &Args::new())?;
    let mut pool = None;
    if c.global_pool {
        register_op("pool5")?;
        net = match net {
            LayerValue::Tensor(t) => LayerValue::Tensor(t.mean_keepdim((1, 2))?),
            LayerValue::Shape(s) => LayerValue::Shape(vec![s[0], Some(1), Some(1), s[3]]),
        };
        pool = Some(net.clone());
    }
    let mut end_points = slim::end_points(collection);
    if let Some(n) = c.num_classes {
        net = slim::conv2d(n, &[1])
            .activation_fn(Activation::None)
            .normalizer_fn(None::<Normalizer>)
            .scope("logits")
            .apply(net)?
            .value;
        end_points = slim::end_points(collection);
        if c.spatial_squeeze {
            net = squeeze(net)?;
            end_points.push((format!("{sc}/spatial_squeeze"), net.clone()));
        }
        let _ns = name_scope("predictions").enter()?;
        let predictions = match &net {
            LayerValue::Tensor(t) => LayerValue::Tensor(
                scope_ops::softmax(t, -1).map_err(|e| Error::Model(e.to_string()))?,
            ),
            v => v.clone(),
        };
        end_points.push(("predictions".to_string(), predictions));
    }
    Ok(Outputs {
        scope: sc.to_string(),
        net,
        pool,
        end_points,
    })
}

/// `tf.squeeze(net, [1, 2], name='SpatialSqueeze')`.
fn squeeze(net: LayerValue) -> Result<LayerValue, Error> {
    register_op("SpatialSqueeze")?;
    let s = net.shape();
    if s.len() != 4 || s[1] != Some(1) || s[2] != Some(1) {
        return Err(Error::Model(format!(
            "spatial_squeeze needs logits of shape [B, 1, 1, N], got {s:?} (use global_pool)"
        )));
    }
    Ok(match net {
        LayerValue::Tensor(t) => LayerValue::Tensor(t.squeeze(2)?.squeeze(1)?),
        LayerValue::Shape(s) => LayerValue::Shape(vec![s[0], s[3]]),
    })
}

/// The values of a tensor output (an error for a shape-only one).
pub fn tensor<'a>(v: &'a LayerValue, what: &str) -> Result<&'a Tensor, Error> {
    v.as_tensor()
        .ok_or_else(|| Error::Model(format!("`{what}` has no values (shape-only run)")))
}
