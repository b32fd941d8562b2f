//! Layers that take TF's default names (`dense`, `dense_1`, `dense_2`), and
//! how to load their checkpoint into a model whose scopes were renamed: a
//! strict restore reports every mismatch with suggestions, and an assignment
//! map (`tf.train.init_from_checkpoint` style) fixes it.

#![forbid(unsafe_code)]

use scope_runtime::candle::{Device, Tensor};
use scope_runtime::{
    get_variable, scope, variable_scope, Graph, Initializer, RestoreError, RestoreOptions,
    ScopeError,
};

type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

/// A dense layer; `#[variable_scope]` names its scope after the function,
/// uniquified per call like TF's `default_name`: dense, dense_1, ...
#[variable_scope]
fn dense(x: &Tensor, units: usize) -> Result<Tensor, ScopeError> {
    let kernel = get_variable("kernel").shape(&[x.dim(1)?, units]).get()?;
    let bias = get_variable("bias")
        .shape(&[units])
        .initializer(Initializer::constant(0.1))
        .get()?;
    Ok(x.matmul(&kernel.tensor()?)?
        .broadcast_add(&bias.tensor()?)?
        .relu()?)
}

fn mlp(x: &Tensor) -> Result<Tensor, ScopeError> {
    let h = dense(x, 8)?;
    let h = dense(&h, 8)?;
    dense(&h, 2)
}

fn main() -> Result<()> {
    let x = (Tensor::arange(0f32, 12.0, &Device::Cpu)?.reshape((3, 4))? / 10.0)?;

    // 1. Train... well, initialize and save: variables dense/..., dense_1/..., dense_2/...
    let original = Graph::with_seed(5);
    let expected = {
        let _d = original.as_default();
        mlp(&x)?
    };
    println!("original model:\n{}\n", original.tree());
    let dir = tempfile::tempdir()?;
    original.save_checkpoint(dir.path().join("mlp.ckpt"))?;

    // 2. The same layers, now inside a `classifier` scope.
    let renamed = Graph::with_seed(6);
    {
        let _d = renamed.as_default();
        scope!(variable_scope("classifier") { mlp(&x)? });
    }
    println!("renamed model:\n{}\n", renamed.tree());

    // 3. A strict restore names every problem at once and assigns nothing.
    match renamed.restore(dir.path()) {
        Err(RestoreError::Mismatch(report)) => println!("strict restore refused:\n{report}\n"),
        other => panic!("expected a mismatch, got {other:?}"),
    }

    // 4. Map the file's root into `classifier/` and load.
    let options = RestoreOptions::strict().map("/", "classifier/");
    let report = renamed.restore_with(dir.path(), &options)?;
    println!("with map {{\"/\": \"classifier/\"}}: {report}");
    let _d = renamed.as_default();
    let out = scope!(variable_scope("classifier", reuse) { mlp(&x)? });
    assert_eq!(
        out.to_vec2::<f32>()?,
        expected.to_vec2::<f32>()?,
        "the renamed model computes what the original did"
    );
    println!("outputs equal the original model's: {out}");
    Ok(())
}
