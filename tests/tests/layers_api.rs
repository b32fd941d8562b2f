//! The layers module used directly: shape-only calls make no values, errors
//! name the layer, BERT/ALBERT naming and sharing, update ops that assign.

#![forbid(unsafe_code)]

use scope_runtime::candle::{DType, Device, Tensor};
use scope_runtime::layers::{self, LayerValue};
use scope_runtime::{name_scope, variable_scope, Graph, Reuse};

#[test]
fn shape_only_calls_make_no_values() {
    let graph = Graph::new();
    let _g = graph.as_default();
    let x = LayerValue::shape_only(&[None, Some(7), Some(5)]);
    let y = layers::dense(3).apply(x).unwrap();
    assert_eq!(y.shape(), vec![None, Some(7), Some(3)]);
    let bn = layers::batch_normalization()
        .training(true)
        .apply(y.value)
        .unwrap();
    assert_eq!(bn.variables.len(), 4);
    for v in graph.variables() {
        assert!(!v.is_initialized(), "{} got a value", v.name());
    }
    // The update ops exist by name but have nothing to assign.
    let ops = graph.update_ops("");
    assert_eq!(ops.len(), 2);
    assert_eq!(
        ops[0].name(),
        "batch_normalization/AssignMovingAvg/AssignSubVariableOp"
    );
    assert!(ops[0].pending().is_none());
}

#[test]
fn errors_name_the_layer() {
    let graph = Graph::new();
    let _g = graph.as_default();
    let _vs = variable_scope("enc").enter().unwrap();
    let e = layers::dense(2)
        .name("proj")
        .apply(LayerValue::shape_only(&[Some(4)]))
        .unwrap_err();
    assert_eq!(e.kind(), "InvalidArgument");
    assert!(e.to_string().contains("enc/proj"), "{e}");
    let e = layers::conv2d(2, &[3])
        .apply(LayerValue::shape_only(&[
            Some(1),
            Some(2),
            Some(2),
            Some(1),
        ]))
        .unwrap_err();
    assert!(e.to_string().contains("enc/conv2d"), "{e}");
}

#[test]
fn bert_and_albert_names() {
    let graph = Graph::new();
    let _g = graph.as_default();
    let x = LayerValue::shape_only(&[None, Some(8)]);
    {
        let _b = variable_scope("bert/encoder/layer_0/attention/self")
            .enter()
            .unwrap();
        let q = layers::dense(8).name("query").apply(x.clone()).unwrap();
        assert_eq!(
            q.variables[0].name(),
            "bert/encoder/layer_0/attention/self/query/kernel:0"
        );
        assert_eq!(q.variables[0].shape(), &[8, 8]);
    }
    let _t = variable_scope("transformer")
        .reuse(Reuse::Auto)
        .enter()
        .unwrap();
    let mut first = Vec::new();
    for l in 0..2 {
        let _n = name_scope(&format!("layer_{l}")).enter().unwrap();
        let _i = variable_scope("inner_group_0").enter().unwrap();
        let a = layers::layer_norm()
            .begin_norm_axis(-1)
            .apply(x.clone())
            .unwrap();
        let b = layers::layer_norm()
            .begin_norm_axis(-1)
            .apply(x.clone())
            .unwrap();
        let names: Vec<String> = a
            .variables
            .iter()
            .chain(&b.variables)
            .map(|v| v.name().to_string())
            .collect();
        assert_eq!(names[0], "transformer/inner_group_0/LayerNorm/beta:0");
        assert_eq!(names[3], "transformer/inner_group_0/LayerNorm_1/gamma:0");
        if l == 0 {
            first = a.variables.iter().chain(&b.variables).cloned().collect();
        } else {
            for (v, w) in first.iter().zip(a.variables.iter().chain(&b.variables)) {
                assert!(v.same(w), "layer_1 must share {}", v.name());
            }
        }
    }
    assert_eq!(graph.model_variables("").len(), 4);
}

#[test]
fn training_batch_norm_update_ops_assign_the_moving_averages() {
    let graph = Graph::new();
    let _g = graph.as_default();
    let x = Tensor::from_vec(vec![1f32, 2., 3., 5., 7., 11.], (3, 2), &Device::Cpu).unwrap();
    let out = layers::batch_normalization()
        .training(true)
        .momentum(0.5)
        .apply(&x)
        .unwrap();
    let mm = &out.variables[2];
    assert_eq!(mm.to_vec::<f32>().unwrap(), vec![0.0, 0.0]);
    assert_eq!(graph.run_update_ops("").unwrap(), 2);
    // 0.5 * 0 + 0.5 * batch mean [11/3, 6].
    let got = mm.to_vec::<f32>().unwrap();
    assert!(
        (got[0] - 11.0 / 6.0).abs() < 1e-6 && (got[1] - 3.0).abs() < 1e-6,
        "{got:?}"
    );
    // Run once: nothing pending any more.
    assert_eq!(graph.run_update_ops("").unwrap(), 0);
    let y = out.tensor().unwrap();
    assert_eq!(y.dtype(), DType::F32);
}

/// A `#[variable_scope]` function calling layers: the macro's scope is the
/// layers' enclosing scope, its default name counts like any other.
#[scope_runtime::variable_scope]
fn block(x: &LayerValue) -> scope_runtime::Result<layers::LayerOutput> {
    let h = layers::dense(4)
        .activation(layers::Activation::Relu)
        .apply(x.clone())?;
    layers::layer_norm().begin_norm_axis(-1).apply(h.value)
}

#[scope_runtime::variable_scope("encoder", reuse = auto)]
fn encoder(x: &LayerValue) -> scope_runtime::Result<layers::LayerOutput> {
    block(x)
}

#[test]
fn layers_inside_macro_scopes() {
    let graph = Graph::new();
    let _g = graph.as_default();
    let x = LayerValue::shape_only(&[Some(2), Some(3)]);
    let a = block(&x).unwrap();
    let b = block(&x).unwrap();
    assert_eq!(a.variables[0].name(), "block/LayerNorm/beta:0");
    assert_eq!(b.variables[0].name(), "block_1/LayerNorm/beta:0");
    let first = encoder(&x).unwrap();
    let again = encoder(&x).unwrap();
    assert_eq!(first.variables[0].name(), "encoder/block/LayerNorm/beta:0");
    assert!(first.variables[0].same(&again.variables[0]));
    let names: Vec<String> = graph
        .global_variables("encoder/")
        .iter()
        .map(|v| v.name().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "encoder/block/dense/kernel:0",
            "encoder/block/dense/bias:0",
            "encoder/block/LayerNorm/beta:0",
            "encoder/block/LayerNorm/gamma:0"
        ]
    );
}
