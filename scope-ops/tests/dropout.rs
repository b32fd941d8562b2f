//! Seeded inverted dropout: its mask is this crate's documented generator,
//! not TF's, so these tests check the semantics rather than TF's numbers.

#![forbid(unsafe_code)]

use candle_core::{DType, Device, Tensor, Var};
use scope_ops::{dropout, dropout_mask, Error};

fn x() -> Tensor {
    Tensor::arange(1f32, 100_001f32, &Device::Cpu)
        .unwrap()
        .reshape((100, 1000))
        .unwrap()
}

#[test]
fn kept_values_are_scaled_and_the_rest_are_zero() {
    let x = x();
    let y = dropout(&x, 0.25, 7, true).unwrap();
    let (xs, ys) = (
        x.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
        y.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
    );
    let mut kept = 0usize;
    for (a, b) in xs.iter().zip(&ys) {
        if *b != 0.0 {
            kept += 1;
            assert!((b - a / 0.75).abs() <= 1e-6 * b.abs(), "{a} -> {b}");
        }
    }
    // 100k Bernoulli(0.75): the standard deviation of the count is ~137
    let expected = 75_000f64;
    assert!(
        (kept as f64 - expected).abs() < 6.0 * 137.0,
        "kept {kept} of 100000 at keep probability 0.75"
    );
}

#[test]
fn the_same_seed_gives_the_same_mask_and_another_seed_another() {
    let x = x();
    let a = dropout(&x, 0.5, 42, true).unwrap();
    let b = dropout(&x, 0.5, 42, true).unwrap();
    let c = dropout(&x, 0.5, 43, true).unwrap();
    let same = |p: &Tensor, q: &Tensor| {
        p.eq(q)
            .unwrap()
            .to_dtype(DType::F32)
            .unwrap()
            .mean_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap()
    };
    assert_eq!(same(&a, &b), 1.0);
    // two independent masks agree on about half the elements
    let agree = same(&a, &c);
    assert!((0.45..0.55).contains(&agree), "{agree}");
}

#[test]
fn inference_and_rate_zero_are_the_identity() {
    let x = x();
    for y in [
        dropout(&x, 0.5, 1, false).unwrap(),
        dropout(&x, 0.0, 1, true).unwrap(),
    ] {
        let d = (y - &x).unwrap().abs().unwrap().max_all().unwrap();
        assert_eq!(d.to_scalar::<f32>().unwrap(), 0.0);
    }
}

#[test]
fn the_gradient_is_the_mask() {
    let x = Var::from_tensor(&x()).unwrap();
    let y = dropout(x.as_tensor(), 0.3, 5, true).unwrap();
    let g = y.sum_all().unwrap().backward().unwrap();
    let gx = g.get(x.as_tensor()).unwrap();
    let mask = dropout_mask(x.shape(), 0.3, 5, &Device::Cpu).unwrap();
    let d = (gx - mask).unwrap().abs().unwrap().max_all().unwrap();
    assert!(d.to_scalar::<f32>().unwrap() < 1e-6);
}

#[test]
fn a_rate_outside_zero_one_is_an_error() {
    for rate in [1.0, -0.1, 1.5, f64::NAN] {
        assert!(
            matches!(
                dropout(&x(), rate, 0, true),
                Err(Error::InvalidArgument { .. })
            ),
            "rate {rate}"
        );
    }
}
