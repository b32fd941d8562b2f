//! slim's conv2d under `no_grad()`: a following inference batch norm (and
//! ReLU) is folded into the convolution (`scope_ops::conv2d_fused`). The
//! fused path must be invisible: the same values (within float rounding),
//! the same variables in the same order, the same op names, the same
//! outputs collection, as the unfused path that runs with autograd on.

#![forbid(unsafe_code)]

use scope_runtime::candle::{Device, Tensor};
use scope_runtime::layers::{Activation, LayerValue};
use scope_runtime::slim::{self, Args, Normalizer};
use scope_runtime::{no_grad, register_op, variable_scope, Graph, Reuse};

fn rand(shape: &[usize], seed: u64) -> Tensor {
    let n: usize = shape.iter().product();
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let data: Vec<f32> = (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect();
    Tensor::from_vec(data, shape, &Device::Cpu).unwrap()
}

/// A few slim convolutions inside `resnet_arg_scope`-like defaults: fused
/// (BN + ReLU, BN alone, a shared layer) and unfused (biases) calls.
fn net(x: LayerValue, reuse: Option<Reuse>) -> Vec<LayerValue> {
    let mut vs = variable_scope("net");
    if let Some(r) = reuse {
        vs = vs.reuse(r);
    }
    let vs = vs.enter().unwrap();
    let bn = Args::new().set("scale", true).set("epsilon", 0.01);
    let _conv = slim::arg_scope(&["conv2d"])
        .set("normalizer_fn", Normalizer::BatchNorm)
        .set("normalizer_params", bn)
        .set("outputs_collections", "ep")
        .enter()
        .unwrap();
    let _bn = slim::arg_scope(&["batch_norm"])
        .set("is_training", false)
        .enter()
        .unwrap();
    let a = slim::conv2d(8, &[3]).apply(x.clone()).unwrap().value;
    let b = slim::conv2d(40, &[3])
        .stride(2usize)
        .activation_fn(Activation::None)
        .apply(a.clone())
        .unwrap()
        .value;
    let c = slim::conv2d(5, &[1])
        .normalizer_fn(None::<Normalizer>)
        .apply(b.clone())
        .unwrap()
        .value;
    let d = slim::conv2d(8, &[3])
        .scope("Conv")
        .reuse(Reuse::True)
        .apply(x)
        .unwrap()
        .value;
    vs.exit().unwrap();
    vec![a, b, c, d]
}

struct Run {
    outputs: Vec<Tensor>,
    variables: Vec<(String, Vec<usize>)>,
    end_points: Vec<(String, Tensor)>,
    next_ops: Vec<String>,
}

fn run(inference: bool) -> Run {
    let graph = Graph::new();
    let _g = graph.as_default();
    let x = rand(&[2, 9, 7, 3], 1);
    let shape: Vec<Option<usize>> = x.dims().iter().map(|&d| Some(d)).collect();
    net(LayerValue::Shape(shape), None);
    slim::clear_named_outputs("ep");
    for (i, v) in graph.variables().iter().enumerate() {
        let mut t = rand(v.shape(), 100 + i as u64);
        if v.op_name().ends_with("moving_variance") {
            t = (t.abs().unwrap() + 0.5).unwrap();
        }
        v.assign(t).unwrap();
    }
    let _inference = inference.then(no_grad);
    let outputs = net(x.into(), Some(Reuse::True))
        .into_iter()
        .map(|v| v.as_tensor().unwrap().detach())
        .collect();
    let end_points = slim::end_points("ep")
        .into_iter()
        .map(|(k, v)| (k, v.as_tensor().unwrap().detach()))
        .collect();
    let next_ops = [
        "net_1/Conv/Conv2D",
        "net_1/Conv/Relu",
        "net_1/Conv_1/Conv2D",
        "net_1/Conv_2/BiasAdd",
        "net_1/Conv_3/Conv2D",
        "net_1/Conv_3/Relu",
    ]
    .iter()
    .map(|&n| {
        // Each probe names an op both paths made, so registering it again
        // gives the next free name (`..._1`).
        assert!(graph.has_op(n), "no op `{n}`");
        register_op(n).unwrap()
    })
    .collect();
    let variables = graph
        .variables()
        .iter()
        .map(|v| (v.op_name().to_string(), v.shape().to_vec()))
        .collect();
    Run {
        outputs,
        variables,
        end_points,
        next_ops,
    }
}

fn max_diff(a: &Tensor, b: &Tensor) -> f32 {
    assert_eq!(a.dims(), b.dims());
    (a - b)
        .unwrap()
        .abs()
        .unwrap()
        .flatten_all()
        .unwrap()
        .max(0)
        .unwrap()
        .to_scalar::<f32>()
        .unwrap()
}

#[test]
fn folding_batch_norm_into_the_convolution_changes_nothing_but_speed() {
    let (plain, fused) = (run(false), run(true));
    assert_eq!(plain.variables, fused.variables);
    assert_eq!(plain.next_ops, fused.next_ops);
    assert_eq!(plain.outputs.len(), fused.outputs.len());
    for (i, (a, b)) in plain.outputs.iter().zip(&fused.outputs).enumerate() {
        let d = max_diff(a, b);
        assert!(d <= 1e-5, "output {i}: {d}");
    }
    let keys = |r: &Run| {
        r.end_points
            .iter()
            .map(|(k, _)| k.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&plain), keys(&fused));
    // Four calls, three aliases: the shared `Conv` is one end point, as in
    // slim's `convert_collection_to_dict`.
    assert_eq!(plain.end_points.len(), 3);
    for ((k, a), (_, b)) in plain.end_points.iter().zip(&fused.end_points) {
        assert!(max_diff(a, b) <= 1e-5, "end point {k}");
    }
    // The first layer really ran BN + ReLU: non-negative, not all zero.
    let a = &fused.outputs[0];
    let min = a
        .flatten_all()
        .unwrap()
        .min(0)
        .unwrap()
        .to_scalar::<f32>()
        .unwrap();
    assert!(min >= 0.0);
    assert!(max_diff(a, &a.zeros_like().unwrap()) > 0.0);
}

#[test]
fn no_grad_detaches_variable_reads_and_nests() {
    let graph = Graph::new();
    let _g = graph.as_default();
    let x = LayerValue::shape_only(&[Some(1), Some(4), Some(4), Some(3)]);
    slim::conv2d(2, &[1]).apply(x).unwrap();
    let w = graph.stored_variable("Conv/weights").unwrap();
    let obj = scope_runtime::GraphObject::Variable(w);
    assert!(obj.value().unwrap().track_op());
    {
        let _outer = no_grad();
        {
            let _inner = no_grad();
            assert!(!obj.value().unwrap().track_op());
        }
        assert!(!scope_runtime::grad_enabled());
        assert!(!obj.value().unwrap().track_op());
    }
    assert!(scope_runtime::grad_enabled());
    assert!(obj.value().unwrap().track_op());
}
