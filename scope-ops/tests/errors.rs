//! Bad input is a typed error saying what is wrong, never a panic.

#![forbid(unsafe_code)]

use candle_core::{DType, Device, Tensor};
use scope_ops::*;

fn z(shape: &[usize]) -> Tensor {
    Tensor::zeros(shape, DType::F32, &Device::Cpu).unwrap()
}

fn msg<T: std::fmt::Debug>(r: Result<T>) -> (Error, String) {
    let e = r.unwrap_err();
    let s = e.to_string();
    (e, s)
}

#[test]
fn conv_rank_channels_and_geometry() {
    let cfg = Conv2dConfig::default();
    let (e, s) = msg(conv2d(&z(&[5, 5, 3]), &z(&[3, 3, 3, 4]), &cfg));
    assert!(
        matches!(
            e,
            Error::Rank {
                op: "conv2d",
                arg: "input",
                expected: 4,
                ..
            }
        ),
        "{s}"
    );
    let (e, s) = msg(conv2d(&z(&[1, 5, 5, 3]), &z(&[3, 3, 2, 4]), &cfg));
    assert!(
        matches!(e, Error::Shape { op: "conv2d", .. }) && s.contains("input channels"),
        "{s}"
    );
    let (e, s) = msg(conv2d(&z(&[1, 2, 5, 3]), &z(&[3, 3, 3, 4]), &cfg));
    assert!(
        matches!(e, Error::InvalidArgument { .. }) && s.contains("negative"),
        "{s}"
    );
    let strided_atrous = Conv2dConfig {
        strides: [2, 2],
        dilations: [2, 2],
        ..cfg
    };
    let (e, s) = msg(conv2d(
        &z(&[1, 9, 9, 3]),
        &z(&[3, 3, 3, 4]),
        &strided_atrous,
    ));
    assert!(
        matches!(e, Error::InvalidArgument { .. }) && s.contains("dilation"),
        "{s}"
    );
    let zero = Conv2dConfig {
        strides: [0, 1],
        ..cfg
    };
    assert!(matches!(
        conv2d(&z(&[1, 9, 9, 3]), &z(&[3, 3, 3, 4]), &zero),
        Err(Error::InvalidArgument { .. })
    ));
    // channels-first reads the channel axis 1
    let nchw = Conv2dConfig {
        data_format: DataFormat::ChannelsFirst,
        ..cfg
    };
    let (_, s) = msg(conv2d(&z(&[1, 3, 9, 9]), &z(&[3, 3, 9, 4]), &nchw));
    assert!(s.contains("has 3"), "{s}");
}

#[test]
fn conv1d_and_separable_and_depthwise() {
    let (e, _) = msg(conv1d(
        &z(&[1, 9, 3]),
        &z(&[3, 3, 3, 4]),
        &Conv1dConfig::default(),
    ));
    assert!(matches!(
        e,
        Error::Rank {
            op: "conv1d",
            arg: "filter",
            ..
        }
    ));
    let (e, s) = msg(conv1d(
        &z(&[1, 9, 3]),
        &z(&[3, 2, 4]),
        &Conv1dConfig::default(),
    ));
    assert!(matches!(e, Error::Shape { op: "conv1d", .. }), "{s}");
    let cfg = Conv2dConfig::default();
    let (e, s) = msg(separable_conv2d(
        &z(&[1, 9, 9, 3]),
        &z(&[3, 3, 3, 2]),
        &z(&[1, 1, 3, 4]),
        &cfg,
    ));
    assert!(
        matches!(
            e,
            Error::Shape {
                op: "separable_conv2d",
                ..
            }
        ) && s.contains("[1, 1, 6, out]"),
        "{s}"
    );
    let (e, _) = msg(depthwise_conv2d(&z(&[1, 9, 9, 3]), &z(&[3, 3, 4, 1]), &cfg));
    assert!(matches!(
        e,
        Error::Shape {
            op: "depthwise_conv2d",
            ..
        }
    ));
}

#[test]
fn conv2d_transpose_output_size_must_fit() {
    let cfg = Conv2dTransposeConfig {
        strides: [2, 2],
        padding: Padding::Same,
        output_size: Some([10, 8]),
        ..Default::default()
    };
    // SAME stride 2 from 10 gives 5, not 4
    let (e, s) = msg(conv2d_transpose(&z(&[1, 4, 4, 3]), &z(&[3, 3, 2, 3]), &cfg));
    assert!(
        matches!(
            e,
            Error::Shape {
                op: "conv2d_transpose",
                ..
            }
        ) && s.contains("not 4"),
        "{s}"
    );
    let (e, _) = msg(conv2d_transpose(&z(&[1, 4, 4, 3]), &z(&[3, 3, 3, 2]), &cfg));
    assert!(matches!(e, Error::Shape { .. }));
    // 7 and 8 both give 4
    for out in [7, 8] {
        let ok = Conv2dTransposeConfig {
            output_size: Some([out, out]),
            ..cfg
        };
        let y = conv2d_transpose(&z(&[1, 4, 4, 3]), &z(&[3, 3, 2, 3]), &ok).unwrap();
        assert_eq!(y.dims(), &[1, out, out, 2]);
    }
}

#[test]
fn pools() {
    let cfg = Pool2dConfig::new([0, 3], [1, 1], Padding::Same);
    assert!(matches!(
        max_pool2d(&z(&[1, 5, 5, 2]), &cfg),
        Err(Error::InvalidArgument { .. })
    ));
    let cfg = Pool2dConfig::new([3, 3], [1, 1], Padding::Valid);
    assert!(matches!(
        avg_pool2d(&z(&[5, 5, 2]), &cfg),
        Err(Error::Rank { .. })
    ));
    assert!(matches!(
        avg_pool2d(&z(&[1, 2, 5, 2]), &cfg),
        Err(Error::InvalidArgument { .. })
    ));
}

#[test]
fn norms() {
    let cfg = BatchNormConfig {
        axis: 3,
        epsilon: 1e-3,
    };
    let (e, s) = msg(batch_norm(
        &z(&[1, 2, 2, 3]),
        &z(&[4]),
        &z(&[3]),
        None,
        None,
        &cfg,
    ));
    assert!(
        matches!(
            e,
            Error::Shape {
                op: "batch_norm",
                ..
            }
        ) && s.contains("mean"),
        "{s}"
    );
    let bad_axis = BatchNormConfig { axis: 4, ..cfg };
    assert!(matches!(
        batch_norm(&z(&[1, 2, 2, 3]), &z(&[3]), &z(&[3]), None, None, &bad_axis),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        batch_norm_training(
            &z(&[1, 2, 2, 3]),
            None,
            None,
            &z(&[3]),
            &z(&[3]),
            1.5,
            false,
            &cfg
        ),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        batch_norm_training(
            &z(&[1, 1, 1, 3]),
            None,
            None,
            &z(&[3]),
            &z(&[3]),
            0.9,
            true,
            &cfg
        ),
        Err(Error::InvalidArgument { .. })
    ));
    let ln = LayerNormConfig::default();
    let (e, s) = msg(layer_norm(&z(&[2, 3, 4]), Some(&z(&[3])), None, &ln));
    assert!(
        matches!(
            e,
            Error::Shape {
                op: "layer_norm",
                ..
            }
        ) && s.contains("[4]"),
        "{s}"
    );
    let ln_bad = LayerNormConfig {
        begin_norm_axis: 3,
        ..ln
    };
    assert!(matches!(
        layer_norm(&z(&[2, 3, 4]), None, None, &ln_bad),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        gpt2_layer_norm(&z(&[2, 4]), &z(&[3]), &z(&[4]), 1e-5),
        Err(Error::Shape { .. })
    ));
}

#[test]
fn cross_entropy_labels() {
    let logits = z(&[2, 5]);
    let lab = |v: Vec<i64>| Tensor::new(v, &Device::Cpu).unwrap();
    let (e, s) = msg(sparse_softmax_cross_entropy_with_logits(
        &logits,
        &lab(vec![1, 5]),
    ));
    assert!(
        matches!(e, Error::InvalidArgument { .. }) && s.contains("label value of 5"),
        "{s}"
    );
    let (_, s) = msg(sparse_softmax_cross_entropy_with_logits(
        &logits,
        &lab(vec![-1, 0]),
    ));
    assert!(s.contains("label value of -1"), "{s}");
    let (e, _) = msg(sparse_softmax_cross_entropy_with_logits(
        &logits,
        &lab(vec![1, 2, 3]),
    ));
    assert!(matches!(e, Error::Shape { .. }));
    let (e, _) = msg(sparse_softmax_cross_entropy_with_logits(&logits, &z(&[2])));
    assert!(matches!(e, Error::InvalidArgument { .. }));
}

#[test]
fn names() {
    assert!(matches!(
        "same ".parse::<Padding>(),
        Err(Error::UnknownPadding(_))
    ));
    assert!(matches!(
        "NHCW".parse::<DataFormat>(),
        Err(Error::UnknownDataFormat(_))
    ));
    assert_eq!(
        "channels_first".parse::<DataFormat>().unwrap(),
        DataFormat::ChannelsFirst
    );
    assert!(matches!(
        softmax(&z(&[2, 3]), 2),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        softmax(&z(&[2, 3]), -3),
        Err(Error::InvalidArgument { .. })
    ));
}
