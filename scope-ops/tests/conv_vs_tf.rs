//! conv1d / conv2d / conv2d_transpose / depthwise / separable against
//! TensorFlow's outputs and `tf.gradients` (fixtures from
//! tools/tf-differential/ops_fixtures.py).

#![forbid(unsafe_code)]

mod common;

use common::*;
use scope_ops::{
    conv1d, conv2d, conv2d_transpose, depthwise_conv2d, separable_conv2d, Conv1dConfig,
    Conv2dConfig, Conv2dTransposeConfig, DataFormat,
};
use serde_json::Value;

fn cfg2(c: &Value) -> Conv2dConfig {
    Conv2dConfig {
        strides: pair(c, "strides"),
        dilations: pair(c, "dilations"),
        padding: str_of(c, "padding").parse().unwrap(),
        data_format: str_of(c, "data_format").parse().unwrap(),
    }
}

/// Runs `op(x, filters...)` on the fixture's inputs, compares y and, when
/// the fixture has them, the gradients w.r.t. every input.
fn run_family(
    file: &str,
    inputs: &[&str],
    op: impl Fn(&Value, &[candle_core::Tensor]) -> scope_ops::Result<candle_core::Tensor>,
) {
    let mut r = Report::default();
    for c in cases(file) {
        let vars: Vec<_> = inputs.iter().map(|k| var(&c, k)).collect();
        // without gradient tracking (plain tensors) ...
        let plain: Vec<_> = inputs.iter().map(|k| tensor(&c, k)).collect();
        match op(&c, &plain) {
            Ok(y) => r.check(&c, "y", &y, &tensor(&c, "y")),
            Err(e) => r.fail(&c, "y", e),
        }
        // ... and through autograd
        let tracked: Vec<_> = vars.iter().map(|v| v.as_tensor().clone()).collect();
        let y = match op(&c, &tracked) {
            Ok(y) => y,
            Err(e) => {
                r.fail(&c, "y (tracked)", e);
                continue;
            }
        };
        r.check(&c, "y (tracked)", &y, &tensor(&c, "y"));
        if has(&c, "dy") {
            let g = grads(&y, &tensor(&c, "dy"), &vars.iter().collect::<Vec<_>>());
            for (k, g) in inputs.iter().zip(&g) {
                r.check(&c, &format!("d{k}"), g, &tensor(&c, &format!("d{k}")));
            }
        }
    }
    r.finish(file);
}

#[test]
fn conv2d_matches_tf() {
    run_family("conv2d.json", &["x", "filter"], |c, t| {
        conv2d(&t[0], &t[1], &cfg2(c))
    });
}

#[test]
fn conv1d_matches_tf() {
    run_family("conv1d.json", &["x", "filter"], |c, t| {
        let cfg = Conv1dConfig {
            stride: c["stride"].as_u64().unwrap() as usize,
            dilation: c["dilation"].as_u64().unwrap() as usize,
            padding: str_of(c, "padding").parse().unwrap(),
            data_format: str_of(c, "data_format").parse().unwrap(),
        };
        conv1d(&t[0], &t[1], &cfg)
    });
}

#[test]
fn conv2d_transpose_matches_tf() {
    run_family("conv2d_transpose.json", &["x", "filter"], |c, t| {
        let given = pair(c, "output_size");
        let cfg = Conv2dTransposeConfig {
            strides: pair(c, "strides"),
            padding: str_of(c, "padding").parse().unwrap(),
            data_format: str_of(c, "data_format").parse().unwrap(),
            output_size: Some(given),
        };
        let y = conv2d_transpose(&t[0], &t[1], &cfg)?;
        // the default output size is tf.layers' rule; every fixture made
        // without an explicit size must get it back from `None`
        let default = conv2d_transpose(
            &t[0],
            &t[1],
            &Conv2dTransposeConfig {
                output_size: None,
                ..cfg
            },
        );
        let name = c["name"].as_str().unwrap();
        if !["conv2d_transpose_2", "conv2d_transpose_7"].contains(&name) {
            let d = default?;
            assert_eq!(d.dims(), y.dims(), "{name}: default output size");
        }
        Ok(y)
    });
}

#[test]
fn depthwise_conv2d_matches_tf() {
    run_family("depthwise.json", &["x", "filter"], |c, t| {
        depthwise_conv2d(&t[0], &t[1], &cfg2(c))
    });
}

#[test]
fn separable_conv2d_matches_tf() {
    run_family(
        "separable.json",
        &["x", "depthwise_filter", "pointwise_filter"],
        |c, t| separable_conv2d(&t[0], &t[1], &t[2], &cfg2(c)),
    );
}

#[test]
fn channels_first_is_tested() {
    let n = cases("conv2d.json")
        .iter()
        .filter(|c| {
            str_of(c, "data_format").parse::<DataFormat>().unwrap() == DataFormat::ChannelsFirst
        })
        .count();
    assert!(n >= 2);
}
