//! max_pool2d / avg_pool2d against TensorFlow's outputs and gradients.

#![forbid(unsafe_code)]

mod common;

use common::*;
use scope_ops::{avg_pool2d, max_pool2d, Pool2dConfig};

#[test]
fn pools_match_tf() {
    let mut r = Report::default();
    for c in cases("pool.json") {
        let cfg = Pool2dConfig {
            ksize: pair(&c, "ksize"),
            strides: pair(&c, "strides"),
            padding: str_of(&c, "padding").parse().unwrap(),
            data_format: str_of(&c, "data_format").parse().unwrap(),
        };
        let op = |x: &candle_core::Tensor| match str_of(&c, "kind") {
            "max" => max_pool2d(x, &cfg),
            _ => avg_pool2d(x, &cfg),
        };
        match op(&tensor(&c, "x")) {
            Ok(y) => r.check(&c, "y", &y, &tensor(&c, "y")),
            Err(e) => r.fail(&c, "y", e),
        }
        let x = var(&c, "x");
        match op(x.as_tensor()) {
            Ok(y) => {
                r.check(&c, "y (tracked)", &y, &tensor(&c, "y"));
                if has(&c, "dy") {
                    let g = grads(&y, &tensor(&c, "dy"), &[&x]);
                    r.check(&c, "dx", &g[0], &tensor(&c, "dx"));
                }
            }
            Err(e) => r.fail(&c, "y (tracked)", e),
        }
    }
    r.finish("pool.json");
}
