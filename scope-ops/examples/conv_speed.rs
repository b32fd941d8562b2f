//! Times candle's conv2d (NCHW, im2col + gemm) and this crate's NHWC
//! `conv2d` on ResNet-50 layer shapes (batch 1, 224x224 input) and prints
//! the achieved GFLOP/s (2 FLOPs per multiply-add).
//!
//! `cargo run --release -p scope-ops --example conv_speed`

#![forbid(unsafe_code)]

use candle_core::{DType, Device, Tensor};
use scope_ops::{conv2d, conv2d_fused, depthwise_conv2d, Conv2dConfig, Padding};
use std::time::Instant;

/// Fastest of `runs` calls after 3 warm-ups (the machine is shared: the
/// minimum is the least disturbed run).
fn time(runs: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..3 {
        f();
    }
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[0]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dev = Device::Cpu;
    println!("threads: {}", candle_core::utils::get_num_threads());
    // (name, H=W in, C in, C out, k, stride)
    let layers: [(&str, usize, usize, usize, usize, usize); 5] = [
        ("stem 7x7/2 3->64 @224", 224, 3, 64, 7, 2),
        ("3x3 64->64 @56", 56, 64, 64, 3, 1),
        ("3x3 256->256 @14", 14, 256, 256, 3, 1),
        ("1x1 64->256 @56", 56, 64, 256, 1, 1),
        ("1x1 1024->256 @14", 14, 1024, 256, 1, 1),
    ];
    println!(
        "{:<24} {:>8} {:>12} {:>9} {:>12} {:>9}",
        "layer", "MFLOP", "candle ms", "GFLOP/s", "NHWC ms", "GFLOP/s"
    );
    for (name, hw, c, o, k, s) in layers {
        let out = hw.div_ceil(s);
        let flops = 2.0 * (out * out * o * k * k * c) as f64;
        let x_nchw = Tensor::randn(0f32, 1., (1, c, hw, hw), &dev)?;
        let pad = (k - 1) / 2;
        let w_oihw = Tensor::randn(0f32, 1., (o, c, k, k), &dev)?;
        let t_candle = time(20, || {
            x_nchw.conv2d(&w_oihw, pad, s, 1, 1).unwrap();
        });
        let x_nhwc = x_nchw.permute((0, 2, 3, 1))?.contiguous()?;
        let w_hwio = w_oihw.permute((2, 3, 1, 0))?.contiguous()?;
        let cfg = Conv2dConfig {
            strides: [s, s],
            padding: Padding::Same,
            ..Default::default()
        };
        let t_ops = time(20, || {
            conv2d(&x_nhwc, &w_hwio, &cfg)
                .unwrap()
                .contiguous()
                .unwrap();
        });
        println!(
            "{:<24} {:>8.1} {:>12.3} {:>9.1} {:>12.3} {:>9.1}",
            name,
            flops / 1e6,
            t_candle * 1e3,
            flops / t_candle / 1e9,
            t_ops * 1e3,
            flops / t_ops / 1e9
        );
    }
    // the gemm alone, for the im2col shape of the 3x3 64->64 @56 layer
    let a = Tensor::randn(0f32, 1., (56 * 56, 576), &dev)?;
    let b = Tensor::randn(0f32, 1., (576, 64), &dev)?;
    let t = time(20, || {
        a.matmul(&b).unwrap();
    });
    let flops = 2.0 * (56 * 56 * 576 * 64) as f64;
    println!(
        "gemm [3136x576]x[576x64]: {:.3} ms, {:.1} GFLOP/s",
        t * 1e3,
        flops / t / 1e9
    );
    // depthwise 3x3 (MobileNet shapes): candle's grouped conv (one conv
    // per channel, then a concat) vs this crate's sum over taps
    for (hw, c) in [(112usize, 32usize), (14, 512)] {
        let x_nchw = Tensor::randn(0f32, 1., (1, c, hw, hw), &dev)?;
        let w = Tensor::randn(0f32, 1., (c, 1, 3, 3), &dev)?;
        let t_groups = time(10, || {
            x_nchw.conv2d(&w, 1, 1, 1, c).unwrap();
        });
        let x_nhwc = x_nchw.permute((0, 2, 3, 1))?.contiguous()?;
        let w_hwcm = w.permute((2, 3, 0, 1))?.contiguous()?;
        let cfg = Conv2dConfig {
            padding: Padding::Same,
            ..Default::default()
        };
        let t_taps = time(10, || {
            depthwise_conv2d(&x_nhwc, &w_hwcm, &cfg).unwrap();
        });
        let flops = 2.0 * (hw * hw * c * 9) as f64;
        println!(
            "depthwise 3x3 {c} @{hw}: candle groups {:.3} ms ({:.2} GFLOP/s), taps {:.3} ms ({:.2} GFLOP/s)",
            t_groups * 1e3,
            flops / t_groups / 1e9,
            t_taps * 1e3,
            flops / t_taps / 1e9
        );
    }
    resnet50_convs(&dev)?;
    let _ = DType::F32;
    Ok(())
}

/// Every distinct convolution of ResNet-v1-50 (tf-slim, 224x224, batch 1)
/// with how often one forward pass runs it: the fused NHWC path's time per
/// shape and in all, i.e. the convolutions' share of a forward pass.
fn resnet50_convs(dev: &Device) -> Result<(), Box<dyn std::error::Error>> {
    // (input H=W, C in, C out, k, stride, count), as tf-slim's
    // resnet_v1_50 runs them (stride-2 3x3 convolutions on inputs that
    // conv2d_same padded explicitly; the logits are a 1x1 convolution).
    let shapes: [(usize, usize, usize, usize, usize, usize); 27] = [
        (230, 3, 64, 7, 2, 1),
        (56, 64, 64, 1, 1, 1),
        (56, 64, 64, 3, 1, 2),
        (56, 64, 256, 1, 1, 3),
        (56, 256, 64, 1, 1, 2),
        (58, 64, 64, 3, 2, 1),
        (28, 64, 256, 1, 1, 1),
        (28, 256, 512, 1, 1, 1),
        (28, 256, 128, 1, 1, 1),
        (28, 128, 128, 3, 1, 3),
        (28, 128, 512, 1, 1, 3),
        (28, 512, 128, 1, 1, 3),
        (30, 128, 128, 3, 2, 1),
        (14, 128, 512, 1, 1, 1),
        (14, 512, 1024, 1, 1, 1),
        (14, 512, 256, 1, 1, 1),
        (14, 256, 256, 3, 1, 5),
        (14, 256, 1024, 1, 1, 5),
        (14, 1024, 256, 1, 1, 5),
        (16, 256, 256, 3, 2, 1),
        (7, 256, 1024, 1, 1, 1),
        (7, 1024, 2048, 1, 1, 1),
        (7, 1024, 512, 1, 1, 1),
        (7, 512, 512, 3, 1, 3),
        (7, 512, 2048, 1, 1, 3),
        (7, 2048, 512, 1, 1, 2),
        (1, 2048, 1000, 1, 1, 1),
    ];
    println!("\nResNet-v1-50's convolutions (fused path, BN folded, ReLU):");
    println!(
        "{:<28} {:>5} {:>9} {:>9} {:>10}",
        "shape", "count", "ms each", "GFLOP/s", "ms in all"
    );
    let (mut total_t, mut total_f) = (0.0, 0.0);
    for (hw, c, o, k, s, count) in shapes {
        let x = Tensor::randn(0f32, 1., (1, hw, hw, c), dev)?;
        let w = Tensor::randn(0f32, 1., (k, k, c, o), dev)?;
        let post = scope_ops::Fused {
            scale: Some(Tensor::ones(o, DType::F32, dev)?),
            shift: Some(Tensor::zeros(o, DType::F32, dev)?),
            relu: true,
        };
        let cfg = Conv2dConfig {
            strides: [s, s],
            padding: if s == 1 {
                Padding::Same
            } else {
                Padding::Valid
            },
            ..Default::default()
        };
        let out = conv2d_fused(&x, &w, &cfg, &post)?;
        let (_, ho, wo, _) = out.dims4()?;
        let flops = 2.0 * (ho * wo * o * k * k * c) as f64;
        let t = time(10, || {
            conv2d_fused(&x, &w, &cfg, &post).unwrap();
        });
        total_t += t * count as f64;
        total_f += flops * count as f64;
        println!(
            "{:<28} {:>5} {:>9.3} {:>9.1} {:>10.2}",
            format!("{k}x{k}/{s} {c}->{o} @{hw}"),
            count,
            t * 1e3,
            flops / t / 1e9,
            t * 1e3 * count as f64
        );
    }
    println!(
        "{:<28} {:>5} {:>9} {:>9.1} {:>10.2}",
        "all",
        "",
        "",
        total_f / total_t / 1e9,
        total_t * 1e3
    );
    Ok(())
}
