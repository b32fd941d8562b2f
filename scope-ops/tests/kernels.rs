//! `scope_ops::kernels` (the CPU inference kernels) against their composed
//! candle fallback, which the same functions take for tensors that track
//! a gradient: dense layers with strided and transposed weights, bias and
//! GELU; attention with strided q/k/v, causal and additive masks, several
//! sequences; fused add + layer norm; add + ReLU; and the argument checks.

#![forbid(unsafe_code)]

mod common;

use candle_core::{Device, Tensor};
use common::{max_diff, rand, tracked};
use scope_ops::kernels::{self, Epilogue, Mask};

#[test]
fn linear_matches_composed() {
    for &(m, k, n) in &[(3, 5, 7), (128, 96, 1000), (130, 64, 200)] {
        let x = rand(&[m, k], 1);
        let w = rand(&[k, n], 2);
        let wt = rand(&[n, k], 3);
        let b = rand(&[n], 4);
        for act in [Epilogue::None, Epilogue::GeluTanh] {
            let fast = kernels::linear(&x, &w, Some(&b), act).unwrap();
            let slow = kernels::linear(&tracked(&x), &w, Some(&b), act).unwrap();
            assert!(max_diff(&fast, &slow) < 1e-4, "{m}x{k}x{n} {act:?}");
        }
        // A transposed (strided) weight, no bias.
        let fast = kernels::linear(&x, &wt.t().unwrap(), None, Epilogue::None).unwrap();
        let slow = x.matmul(&wt.t().unwrap()).unwrap();
        assert!(max_diff(&fast, &slow) < 1e-4);
    }
}

#[test]
fn gelu_epilogue_is_tf_gelu() {
    let x = (rand(&[4, 64], 9) * 6.0).unwrap();
    let eye = Tensor::eye(64, candle_core::DType::F32, &Device::Cpu).unwrap();
    let got = kernels::linear(&x, &eye, None, Epilogue::GeluTanh).unwrap();
    let want = scope_ops::gelu_tanh(&tracked(&x)).unwrap();
    assert!(max_diff(&got, &want) < 1e-5);
}

#[test]
fn attention_matches_composed() {
    for &(batch, seq, heads, d) in &[(1, 16, 2, 8), (2, 33, 3, 16), (1, 128, 12, 64)] {
        let hidden = heads * d;
        // q, k, v as column ranges of one fused projection, as GPT-2 has them.
        let c = rand(&[batch * seq, 3 * hidden], 5);
        let part = |i: usize| c.narrow(1, i * hidden, hidden).unwrap();
        let (q, k, v) = (part(0), part(1), part(2));
        let mask01 = rand(&[batch, seq], 6).ge(-0.5).unwrap();
        let adder = mask01
            .to_dtype(candle_core::DType::F32)
            .unwrap()
            .affine(10000.0, -10000.0)
            .unwrap();
        for mask in [Mask::None, Mask::Causal, Mask::KeyAdder(&adder)] {
            let fast = kernels::attention(&q, &k, &v, batch, heads, mask).unwrap();
            let slow = kernels::attention(&tracked(&q), &k, &v, batch, heads, mask).unwrap();
            assert!(
                max_diff(&fast, &slow) < 1e-5,
                "batch {batch} seq {seq} heads {heads} {mask:?}"
            );
        }
    }
}

#[test]
fn add_layer_norm_matches_composed() {
    let x = rand(&[37, 48], 7);
    let r = rand(&[37, 48], 8);
    let g = rand(&[48], 10);
    let b = rand(&[48], 11);
    let fast = kernels::add_layer_norm(&x, Some(&r), &g, &b, 1e-12).unwrap();
    let slow = kernels::add_layer_norm(&tracked(&x), Some(&r), &g, &b, 1e-12).unwrap();
    assert!(max_diff(&fast, &slow) < 1e-5);
    let fast = kernels::add_layer_norm(&x, None, &g, &b, 1e-5).unwrap();
    let slow = kernels::add_layer_norm(&tracked(&x), None, &g, &b, 1e-5).unwrap();
    assert!(max_diff(&fast, &slow) < 1e-5);
}

#[test]
fn bad_shapes_are_errors() {
    let x = rand(&[4, 8], 1);
    assert!(kernels::linear(&x, &rand(&[7, 3], 2), None, Epilogue::None).is_err());
    assert!(kernels::linear(&x, &rand(&[8, 3], 2), Some(&rand(&[4], 3)), Epilogue::None).is_err());
    assert!(kernels::attention(&x, &x, &x, 3, 2, Mask::None).is_err());
    assert!(kernels::attention(&x, &x, &x, 1, 3, Mask::None).is_err());
    let bad_mask = rand(&[2, 4], 4);
    assert!(kernels::attention(&x, &x, &x, 1, 2, Mask::KeyAdder(&bad_mask)).is_err());
    assert!(kernels::add_layer_norm(&x, None, &rand(&[7], 1), &rand(&[8], 1), 1e-5).is_err());
}

#[test]
fn add_relu_matches_candles_add_then_relu() {
    let a = rand(&[2, 7, 5, 33], 91);
    let b = rand(&[2, 7, 5, 33], 92);
    let want = (&a + &b).unwrap().relu().unwrap();
    let fast = kernels::add_relu(&a, &b).unwrap();
    assert_eq!(max_diff(&fast, &want), 0.0);
    // a strided view takes the same pass, after a contiguous copy
    let at = a.transpose(1, 2).unwrap();
    let bt = b.transpose(1, 2).unwrap();
    let want_t = want.transpose(1, 2).unwrap();
    assert_eq!(
        max_diff(&kernels::add_relu(&at, &bt).unwrap(), &want_t),
        0.0
    );
    let composed = kernels::add_relu(&tracked(&a), &b).unwrap();
    assert!(composed.track_op());
    assert_eq!(max_diff(&composed.detach(), &want), 0.0);
    let e = kernels::add_relu(&a, &rand(&[2, 7, 5, 32], 1)).unwrap_err();
    assert!(e.to_string().contains("differ"), "{e}");
}
