//! The CPU inference paths of `conv2d` / `conv2d_fused` (`sgemm` +
//! `conv_nhwc`: packed and in-place weights; K blocks per tap, per kernel
//! row and an explicit im2col) and of `max_pool2d` (NHWC in place) against the composed candle paths
//! that the same functions take for tensors that track a gradient, over
//! strides, dilations, paddings, channel counts on both sides of the
//! implicit-im2col threshold, row counts on both sides of the in-place
//! threshold, batches and output widths that leave partial tiles.

#![forbid(unsafe_code)]

mod common;

use common::{max_diff, rand, tracked};
use scope_ops::{conv2d, conv2d_fused, max_pool2d, Conv2dConfig, Fused, Padding, Pool2dConfig};

/// `([batch, h, w, c, o], [kh, kw], stride, dilation)`
type Case = ([usize; 5], [usize; 2], usize, usize);

const CASES: &[Case] = &[
    ([1, 9, 9, 3, 8], [3, 3], 1, 1),
    ([2, 11, 7, 3, 70], [7, 7], 2, 1),
    ([1, 10, 10, 5, 64], [2, 3], 2, 1),
    ([1, 8, 8, 33, 65], [3, 3], 1, 1),
    ([2, 9, 10, 40, 130], [3, 3], 2, 1),
    ([1, 12, 12, 64, 64], [3, 3], 1, 2),
    ([1, 7, 7, 300, 129], [1, 1], 1, 1),
    ([1, 20, 20, 48, 64], [1, 1], 2, 1),
    ([3, 13, 11, 32, 17], [3, 3], 1, 1),
    ([1, 30, 30, 64, 200], [3, 3], 1, 1),
    ([1, 12, 10, 8, 20], [3, 5], 1, 1),
    ([2, 40, 40, 3, 64], [7, 7], 2, 1),
];

#[test]
fn conv2d_inference_path_matches_the_composed_one() {
    for (seed, &([n, h, w, c, o], [kh, kw], s, d)) in CASES.iter().enumerate() {
        for padding in [Padding::Same, Padding::Valid] {
            let x = rand(&[n, h, w, c], seed as u64);
            let f = rand(&[kh, kw, c, o], 100 + seed as u64);
            let cfg = Conv2dConfig {
                strides: [s, s],
                dilations: [d, d],
                padding,
                ..Default::default()
            };
            let fast = conv2d(&x, &f, &cfg).unwrap();
            let composed = conv2d(&tracked(&x), &f, &cfg).unwrap();
            let diff = max_diff(&fast, &composed);
            assert!(diff <= 1e-4, "case {seed} {padding:?}: {diff}");
        }
    }
}

#[test]
fn conv2d_fused_applies_scale_shift_and_relu_as_composed() {
    for (seed, &([n, h, w, c, o], [kh, kw], s, d)) in CASES.iter().enumerate() {
        let x = rand(&[n, h, w, c], 7 + seed as u64);
        let f = rand(&[kh, kw, c, o], 200 + seed as u64);
        let cfg = Conv2dConfig {
            strides: [s, s],
            dilations: [d, d],
            padding: Padding::Same,
            ..Default::default()
        };
        for relu in [false, true] {
            let post = Fused {
                scale: Some(rand(&[o], 300 + seed as u64)),
                shift: Some(rand(&[o], 400 + seed as u64)),
                relu,
            };
            let fast = conv2d_fused(&x, &f, &cfg, &post).unwrap();
            let mut want = conv2d(&tracked(&x), &f, &cfg).unwrap();
            want = want
                .broadcast_mul(post.scale.as_ref().unwrap())
                .unwrap()
                .broadcast_add(post.shift.as_ref().unwrap())
                .unwrap();
            if relu {
                want = want.relu().unwrap();
            }
            let diff = max_diff(&fast, &want);
            assert!(diff <= 1e-4, "case {seed} relu {relu}: {diff}");
            let composed = conv2d_fused(&tracked(&x), &f, &cfg, &post).unwrap();
            assert!(max_diff(&composed, &want) <= 1e-5);
        }
    }
}

#[test]
fn conv2d_fused_checks_the_per_channel_vectors() {
    let x = rand(&[1, 4, 4, 3], 1);
    let f = rand(&[1, 1, 3, 5], 2);
    let post = Fused {
        scale: Some(rand(&[4], 3)),
        ..Default::default()
    };
    let e = conv2d_fused(&x, &f, &Conv2dConfig::default(), &post).unwrap_err();
    assert!(e.to_string().contains("scale [4] must be [5]"), "{e}");
}

#[test]
fn max_pool2d_inference_path_matches_the_composed_one() {
    for (seed, (n, h, w, c, k, s)) in [
        (1, 112, 112, 8, 3, 2),
        (2, 9, 7, 3, 3, 2),
        (1, 8, 8, 5, 2, 2),
        (1, 10, 9, 4, 1, 2),
        (3, 7, 7, 6, 3, 1),
        (1, 5, 6, 2, 4, 3),
    ]
    .into_iter()
    .enumerate()
    {
        for padding in [Padding::Same, Padding::Valid] {
            let x = rand(&[n, h, w, c], 50 + seed as u64);
            let cfg = Pool2dConfig::new([k, k], [s, s], padding);
            let fast = max_pool2d(&x, &cfg).unwrap();
            let composed = max_pool2d(&tracked(&x), &cfg).unwrap();
            assert_eq!(max_diff(&fast, &composed), 0.0, "case {seed} {padding:?}");
        }
    }
}
