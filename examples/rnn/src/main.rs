//! A simple RNN cell unrolled over time: the cell's scope has
//! `reuse = auto`, so the first step creates `rnn/cell/kernel` and
//! `rnn/cell/bias` and every later step shares them, as TF1's
//! `tf.variable_scope("cell", reuse=tf.AUTO_REUSE)` inside a Python loop.

use ndarray::{concatenate, Array2, Axis, Ix1, Ix2};
use scope_runtime::{get_variable, variable_scope, Graph, Initializer, ScopeError};

type Result<T> = std::result::Result<T, ScopeError>;

/// One step: `h' = tanh([x, h] · kernel + bias)`.
#[variable_scope("cell", reuse = auto)]
fn cell(x: &Array2<f32>, h: &Array2<f32>) -> Result<Array2<f32>> {
    let units = h.ncols();
    let kernel = get_variable("kernel")
        .shape(&[x.ncols() + units, units])
        .get()?;
    let bias = get_variable("bias")
        .shape(&[units])
        .initializer(Initializer::Zeros)
        .get()?;
    let kernel = kernel.array_nd::<f32, Ix2>()?;
    let xh = concatenate(Axis(1), &[x.view(), h.view()]).expect("same batch size");
    Ok((xh.dot(&kernel) + &bias.array_nd::<f32, Ix1>()?).mapv(f32::tanh))
}

/// Runs the cell over a sequence of `[batch, features]` inputs.
#[variable_scope("rnn")]
fn unroll(inputs: &[Array2<f32>], units: usize) -> Result<Array2<f32>> {
    let batch = inputs.first().map_or(1, Array2::nrows);
    let mut h = Array2::zeros((batch, units));
    for x in inputs {
        h = cell(x, &h)?;
    }
    Ok(h)
}

fn main() -> Result<()> {
    let graph = Graph::with_seed(11);
    let _default = graph.as_default();
    let inputs: Vec<Array2<f32>> = (0..6)
        .map(|t| Array2::from_shape_fn((2, 3), |(b, f)| ((t + b + f) as f32 * 0.3).sin()))
        .collect();
    let h = unroll(&inputs, 5)?;
    println!("{}", graph.summary());
    println!("\nfinal state after {} steps:\n{h:.4}", inputs.len());
    assert_eq!(graph.len(), 2, "six steps share one kernel and one bias");
    Ok(())
}
