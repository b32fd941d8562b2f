//! batch_norm (inference, training, fused training), tf-slim layer_norm and
//! GPT-2's norm against TensorFlow's outputs and gradients.

#![forbid(unsafe_code)]

mod common;

use common::*;
use scope_ops::{
    batch_norm, batch_norm_training, gpt2_layer_norm, layer_norm, BatchNormConfig, LayerNormConfig,
};

#[test]
fn batch_norm_matches_tf() {
    let mut r = Report::default();
    for c in cases("batch_norm.json") {
        let cfg = BatchNormConfig {
            axis: c["axis"].as_u64().unwrap() as usize,
            epsilon: c["epsilon"].as_f64().unwrap(),
        };
        let opt = |k: &str| has(&c, k).then(|| tensor(&c, k));
        match str_of(&c, "mode") {
            "inference" => {
                let (g, b) = (opt("gamma"), opt("beta"));
                let y = batch_norm(
                    &tensor(&c, "x"),
                    &tensor(&c, "mean"),
                    &tensor(&c, "variance"),
                    g.as_ref(),
                    b.as_ref(),
                    &cfg,
                )
                .unwrap();
                r.check(&c, "y", &y, &tensor(&c, "y"));
            }
            "training" => {
                let (x, g, b) = (var(&c, "x"), var(&c, "gamma"), var(&c, "beta"));
                let out = batch_norm_training(
                    x.as_tensor(),
                    Some(g.as_tensor()),
                    Some(b.as_tensor()),
                    &tensor(&c, "moving_mean"),
                    &tensor(&c, "moving_variance"),
                    c["decay"].as_f64().unwrap(),
                    false,
                    &cfg,
                )
                .unwrap();
                r.check(&c, "y", &out.output, &tensor(&c, "y"));
                r.check(&c, "batch_mean", &out.batch_mean, &tensor(&c, "batch_mean"));
                r.check(
                    &c,
                    "batch_variance",
                    &out.batch_variance,
                    &tensor(&c, "batch_variance"),
                );
                r.check(
                    &c,
                    "moving_mean",
                    &out.moving_mean,
                    &tensor(&c, "moving_mean_new"),
                );
                r.check(
                    &c,
                    "moving_variance",
                    &out.moving_variance,
                    &tensor(&c, "moving_variance_new"),
                );
                let gr = grads(&out.output, &tensor(&c, "dy"), &[&x, &g, &b]);
                for (k, gr) in ["dx", "dgamma", "dbeta"].iter().zip(&gr) {
                    r.check(&c, k, gr, &tensor(&c, k));
                }
            }
            "fused_training" => {
                let x = tensor(&c, "x");
                let ch = x.dim(cfg.axis).unwrap();
                let zeros = candle_core::Tensor::zeros(ch, x.dtype(), x.device()).unwrap();
                let out = batch_norm_training(
                    &x,
                    Some(&tensor(&c, "gamma")),
                    Some(&tensor(&c, "beta")),
                    &zeros,
                    &zeros,
                    0.0,
                    true,
                    &cfg,
                )
                .unwrap();
                r.check(&c, "y", &out.output, &tensor(&c, "y"));
                r.check(&c, "batch_mean", &out.batch_mean, &tensor(&c, "batch_mean"));
                r.check(
                    &c,
                    "batch_variance",
                    &out.batch_variance,
                    &tensor(&c, "batch_variance"),
                );
                // decay 0: the moving variance becomes the corrected batch variance
                r.check(
                    &c,
                    "moving_variance",
                    &out.moving_variance,
                    &tensor(&c, "batch_variance"),
                );
            }
            m => panic!("unknown mode {m}"),
        }
    }
    r.finish("batch_norm.json");
}

#[test]
fn layer_norms_match_tf() {
    let mut r = Report::default();
    for c in cases("layer_norm.json") {
        let (x, g, b) = (var(&c, "x"), var(&c, "gamma"), var(&c, "beta"));
        let y = match str_of(&c, "form") {
            "slim" => {
                let cfg = LayerNormConfig {
                    begin_norm_axis: c["begin_norm_axis"].as_i64().unwrap() as isize,
                    begin_params_axis: c["begin_params_axis"].as_i64().unwrap() as isize,
                    ..Default::default()
                };
                // untracked
                let y = layer_norm(
                    &tensor(&c, "x"),
                    Some(&tensor(&c, "gamma")),
                    Some(&tensor(&c, "beta")),
                    &cfg,
                )
                .unwrap();
                r.check(&c, "y", &y, &tensor(&c, "y"));
                layer_norm(
                    x.as_tensor(),
                    Some(g.as_tensor()),
                    Some(b.as_tensor()),
                    &cfg,
                )
                .unwrap()
            }
            _ => gpt2_layer_norm(x.as_tensor(), g.as_tensor(), b.as_tensor(), 1e-5).unwrap(),
        };
        r.check(&c, "y (tracked)", &y, &tensor(&c, "y"));
        let gr = grads(&y, &tensor(&c, "dy"), &[&x, &g, &b]);
        for (k, gr) in ["dx", "dgamma", "dbeta"].iter().zip(&gr) {
            r.check(&c, k, gr, &tensor(&c, k));
        }
    }
    r.finish("layer_norm.json");
}
