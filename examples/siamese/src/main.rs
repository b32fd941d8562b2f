//! A siamese network: two inputs pass through one MLP tower whose variables
//! are created by the first call and shared by the second (`reuse`), exactly
//! as TF1's `with tf.variable_scope("tower", reuse=True)`.

use ndarray::{Array, Array2, Axis, Ix1, Ix2};
use scope_runtime::{get_variable, scope, variable_scope, Graph, Initializer, ScopeError};

type Result<T> = std::result::Result<T, ScopeError>;

/// A fully connected layer in its own variable scope.
#[variable_scope(name = name)]
fn dense(x: &Array2<f32>, name: &str, units: usize) -> Result<Array2<f32>> {
    let kernel = get_variable("kernel").shape(&[x.ncols(), units]).get()?;
    let bias = get_variable("bias")
        .shape(&[units])
        .initializer(Initializer::Zeros)
        .get()?;
    let kernel = kernel.array_nd::<f32, Ix2>()?;
    let bias = bias.array_nd::<f32, Ix1>()?;
    Ok(x.dot(&kernel) + &bias)
}

/// The tower: two dense layers with a ReLU between them.
fn tower(x: &Array2<f32>) -> Result<Array2<f32>> {
    let h = dense(x, "fc1", 16)?.mapv(|v| v.max(0.0));
    dense(&h, "fc2", 4)
}

fn main() -> Result<()> {
    let graph = Graph::with_seed(7);
    let _default = graph.as_default();
    let left_input = Array::linspace(-1.0, 1.0, 2 * 8)
        .into_shape_with_order((2, 8))
        .unwrap();
    let right_input = left_input.mapv(|v: f32| v * 0.5);

    let left = scope!(variable_scope("tower") { tower(&left_input)? });
    let right = scope!(variable_scope("tower", reuse) { tower(&right_input)? });

    println!("{}", graph.summary());
    let distance = (&left - &right)
        .mapv(|d| d * d)
        .sum_axis(Axis(1))
        .mapv(f32::sqrt);
    println!("\nembedding distance per pair: {distance}");
    assert_eq!(
        graph.len(),
        4,
        "the second tower shares the first one's variables"
    );
    Ok(())
}
