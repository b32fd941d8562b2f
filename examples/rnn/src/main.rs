//! A simple RNN cell unrolled over time: the cell's scope has
//! `reuse = auto`, so the first step creates `rnn/cell/kernel` and
//! `rnn/cell/bias` and every later step shares them, as TF1's
//! `tf.variable_scope("cell", reuse=tf.AUTO_REUSE)` inside a Python loop.

#![forbid(unsafe_code)]

use scope_runtime::candle::{DType, Device, Tensor};
use scope_runtime::{get_variable, variable_scope, Graph, Initializer, ScopeError};

type Result<T> = std::result::Result<T, ScopeError>;

/// One step: `h' = tanh([x, h] · kernel + bias)`.
#[variable_scope("cell", reuse = auto)]
fn cell(x: &Tensor, h: &Tensor) -> Result<Tensor> {
    let units = h.dim(1)?;
    let kernel = get_variable("kernel")
        .shape(&[x.dim(1)? + units, units])
        .get()?;
    let bias = get_variable("bias")
        .shape(&[units])
        .initializer(Initializer::Zeros)
        .get()?;
    let xh = Tensor::cat(&[x, h], 1)?;
    Ok(xh
        .matmul(&kernel.tensor()?)?
        .broadcast_add(&bias.tensor()?)?
        .tanh()?)
}

/// Runs the cell over a sequence of `[batch, features]` inputs.
#[variable_scope("rnn")]
fn unroll(inputs: &[Tensor], units: usize) -> Result<Tensor> {
    let batch = match inputs.first() {
        Some(x) => x.dim(0)?,
        None => 1,
    };
    let mut h = Tensor::zeros((batch, units), DType::F32, &Device::Cpu)?;
    for x in inputs {
        h = cell(x, &h)?;
    }
    Ok(h)
}

fn main() -> Result<()> {
    let graph = Graph::with_seed(11);
    let _default = graph.as_default();
    let inputs: Vec<Tensor> = (0..6)
        .map(|t| {
            let values: Vec<f32> = (0..6)
                .map(|i| ((t + i / 3 + i % 3) as f32 * 0.3).sin())
                .collect();
            Tensor::from_vec(values, (2, 3), &Device::Cpu)
        })
        .collect::<std::result::Result<_, _>>()?;
    let h = unroll(&inputs, 5)?;
    println!("{}", graph.summary());
    println!("\nfinal state after {} steps:\n{h}", inputs.len());
    assert_eq!(graph.len(), 2, "six steps share one kernel and one bias");
    Ok(())
}
