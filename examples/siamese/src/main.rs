//! A siamese network: two inputs pass through one MLP tower whose variables
//! are created by the first call and shared by the second (`reuse`), exactly
//! as TF1's `with tf.variable_scope("tower", reuse=True)`. Values are candle
//! tensors.

#![forbid(unsafe_code)]

use scope_runtime::candle::{Device, Tensor, D};
use scope_runtime::{get_variable, scope, variable_scope, Graph, Initializer, ScopeError};

type Result<T> = std::result::Result<T, ScopeError>;

/// A fully connected layer in its own variable scope.
#[variable_scope(name = name)]
fn dense(x: &Tensor, name: &str, units: usize) -> Result<Tensor> {
    let kernel = get_variable("kernel").shape(&[x.dim(1)?, units]).get()?;
    let bias = get_variable("bias")
        .shape(&[units])
        .initializer(Initializer::Zeros)
        .get()?;
    Ok(x.matmul(&kernel.tensor()?)?
        .broadcast_add(&bias.tensor()?)?)
}

/// The tower: two dense layers with a ReLU between them.
fn tower(x: &Tensor) -> Result<Tensor> {
    let h = dense(x, "fc1", 16)?.relu()?;
    dense(&h, "fc2", 4)
}

fn main() -> Result<()> {
    let graph = Graph::with_seed(7);
    let _default = graph.as_default();
    let left_input = Tensor::arange(0u32, 16, &Device::Cpu)?
        .to_dtype(scope_runtime::candle::DType::F32)?
        .affine(2.0 / 15.0, -1.0)?
        .reshape((2, 8))?;
    let right_input = (&left_input * 0.5)?;

    let left = scope!(variable_scope("tower") { tower(&left_input)? });
    let right = scope!(variable_scope("tower", reuse) { tower(&right_input)? });

    println!("{}", graph.summary());
    let distance = (left - right)?.sqr()?.sum(D::Minus1)?.sqrt()?;
    println!("\nembedding distance per pair: {distance}");
    assert_eq!(
        graph.len(),
        4,
        "the second tower shares the first one's variables"
    );
    Ok(())
}
