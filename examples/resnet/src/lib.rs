//! ResNet-v1 (tf-slim's `nets/resnet_v1.py`) written with scope's slim
//! layers and `arg_scope`, on slim checkpoints by name: build from
//! `config.json` (custom blocks or a standard depth), restore, compare
//! every output with TensorFlow's.

#![forbid(unsafe_code)]

mod config;
mod io;
mod load;
mod net;

pub use config::{BlockConfig, Config};
pub use io::{diffs, load_expected, load_images};
pub use load::{load, Loaded};
pub use net::{
    blocks, bottleneck, conv2d_same, resnet_arg_scope, resnet_v1, resnet_v1_block,
    stack_blocks_dense, tensor, Block, Outputs, Unit,
};

/// What building, loading or comparing can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Slim(#[from] scope_runtime::slim::SlimError),
    #[error(transparent)]
    Scope(#[from] scope_runtime::ScopeError),
    #[error("tensor computation failed: {0}")]
    Candle(#[from] scope_runtime::candle::Error),
    #[error("{0}")]
    Io(String),
    #[error("config.json: {0}")]
    Config(String),
    #[error("{0}")]
    Model(String),
    #[error("{0}")]
    Mismatch(String),
}
