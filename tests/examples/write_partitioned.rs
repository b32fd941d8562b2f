//! `write_partitioned OUT_DIR`: saves a checkpoint holding partitioned
//! variables made by scope (values `0.5 * i` in row-major order), for
//! `tools/tf-differential/partitioned_roundtrip.py` to restore with real
//! TensorFlow under other partitionings.

#![forbid(unsafe_code)]

use scope_runtime::candle::{Device, Tensor};
use scope_runtime::{get_variable, variable_scope, Graph, Partitioner, ScopeError};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .ok_or("usage: write_partitioned OUT_DIR")?;
    let graph = Graph::new();
    let _g = graph.as_default();
    for (scope, shape, partitioner) in [
        ("emb", vec![10usize, 3], Partitioner::fixed_size(4, 0)),
        ("dense", vec![2, 9], Partitioner::fixed_size(3, 1)),
    ] {
        let _vs = variable_scope(scope).enter()?;
        let w = get_variable("w")
            .shape(&shape)
            .partitioner(partitioner)
            .get_partitioned()?;
        let n: usize = shape.iter().product();
        let full = Tensor::arange(0u32, n as u32, &Device::Cpu)?
            .to_dtype(scope_runtime::candle::DType::F32)?
            .affine(0.5, 0.0)?
            .reshape(shape.as_slice())?;
        let axis = w.axis();
        let mut at = 0;
        for part in w.parts() {
            let len = part.shape()[axis];
            part.assign(full.narrow(axis, at, len)?.contiguous()?)?;
            at += len;
        }
    }
    std::fs::create_dir_all(&out)?;
    graph
        .save_checkpoint(std::path::Path::new(&out).join("model.ckpt"))
        .map_err(|e| ScopeError::InvalidArgument(e.to_string()))?;
    println!("saved {out}/model.ckpt");
    Ok(())
}
