//! Activations, softmax and the sparse softmax cross-entropy against
//! TensorFlow's outputs and gradients.

#![forbid(unsafe_code)]

mod common;

use candle_core::Tensor;
use common::*;
use scope_ops::{
    gelu_erf, gelu_tanh, relu, relu6, sigmoid, softmax, sparse_softmax_cross_entropy_with_logits,
    tanh,
};

fn apply(name: &str, x: &Tensor) -> scope_ops::Result<Tensor> {
    match name {
        "gelu_tanh" => gelu_tanh(x),
        "gelu_erf" => gelu_erf(x),
        "relu" => relu(x),
        "relu6" => relu6(x),
        "tanh" => tanh(x),
        "sigmoid" => sigmoid(x),
        "softmax_last" | "softmax_large" => softmax(x, -1),
        "softmax_axis0" => softmax(x, 0),
        other => panic!("no activation {other}"),
    }
}

#[test]
fn activations_match_tf() {
    let mut r = Report::default();
    for c in cases("activation.json") {
        let name = str_of(&c, "name");
        // inference path (candle's fused kernels where there is one)
        r.check(
            &c,
            "y",
            &apply(name, &tensor(&c, "x")).unwrap(),
            &tensor(&c, "y"),
        );
        // training path
        let x = var(&c, "x");
        let y = apply(name, x.as_tensor()).unwrap();
        r.check(&c, "y (tracked)", &y, &tensor(&c, "y"));
        let g = grads(&y, &tensor(&c, "dy"), &[&x]);
        r.check(&c, "dx", &g[0], &tensor(&c, "dx"));
    }
    r.finish("activation.json");
}

#[test]
fn sparse_cross_entropy_matches_tf() {
    let mut r = Report::default();
    for c in cases("loss.json") {
        let labels = labels(&c, "labels");
        let logits = var(&c, "logits");
        let y = sparse_softmax_cross_entropy_with_logits(logits.as_tensor(), &labels).unwrap();
        r.check(&c, "loss", &y, &tensor(&c, "y"));
        let g = grads(&y, &tensor(&c, "dy"), &[&logits]);
        r.check(&c, "dlogits", &g[0], &tensor(&c, "dlogits"));
        // u32 labels give the same loss
        let y32 = sparse_softmax_cross_entropy_with_logits(
            &tensor(&c, "logits"),
            &labels.to_dtype(candle_core::DType::U32).unwrap(),
        )
        .unwrap();
        r.check(&c, "loss (u32 labels)", &y32, &tensor(&c, "y"));
    }
    r.finish("loss.json");
}
