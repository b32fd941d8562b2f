//! `config.json` (fixtures/tiny_resnet/README): the arguments that rebuild
//! a ResNet-v1, as custom blocks or a standard depth (50, 101, 152, 200).

use std::path::Path;

use serde::Deserialize;

use crate::Error;

/// One `resnet_v1_block(scope, base_depth, num_units, stride)`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct BlockConfig {
    pub scope: String,
    pub base_depth: usize,
    pub num_units: usize,
    pub stride: usize,
}

/// The net's configuration.
#[derive(Clone, Debug, Deserialize)]
pub struct Config {
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub depth: Option<usize>,
    #[serde(default)]
    pub blocks: Vec<BlockConfig>,
    pub num_classes: Option<usize>,
    #[serde(default)]
    pub image_size: Option<usize>,
    #[serde(default = "yes")]
    pub global_pool: bool,
    #[serde(default)]
    pub spatial_squeeze: bool,
    #[serde(default = "yes")]
    pub include_root_block: bool,
    #[serde(default)]
    pub output_stride: Option<usize>,
    #[serde(default = "weight_decay")]
    pub weight_decay: f64,
    #[serde(default = "bn_decay")]
    pub batch_norm_decay: f64,
    #[serde(default = "bn_epsilon")]
    pub batch_norm_epsilon: f64,
    #[serde(default = "yes")]
    pub batch_norm_scale: bool,
}

fn yes() -> bool {
    true
}
fn weight_decay() -> f64 {
    1e-4
}
fn bn_decay() -> f64 {
    0.997
}
fn bn_epsilon() -> f64 {
    1e-5
}

/// `resnet_v1_<depth>`'s blocks as (base_depth, num_units, stride).
fn standard_blocks(depth: usize) -> Option<[(usize, usize, usize); 4]> {
    let b2_b3 = match depth {
        50 => (4, 6),
        101 => (4, 23),
        152 => (8, 36),
        200 => (24, 36),
        _ => return None,
    };
    Some([
        (64, 3, 2),
        (128, b2_b3.0, 2),
        (256, b2_b3.1, 2),
        (512, 3, 1),
    ])
}

impl Config {
    /// Reads and checks `config.json`.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Io(format!("cannot read {}: {e}", path.display())))?;
        let mut c: Config = serde_json::from_str(&text)
            .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        c.resolve()?;
        Ok(c)
    }

    /// A standard depth fills in its blocks, scope and root block.
    pub fn resolve(&mut self) -> Result<(), Error> {
        if let Some(depth) = self.depth {
            let blocks = standard_blocks(depth).ok_or_else(|| {
                Error::Config(format!("depth {depth} is not one of 50, 101, 152, 200"))
            })?;
            let explicit: Vec<BlockConfig> = blocks
                .iter()
                .enumerate()
                .map(|(i, &(base_depth, num_units, stride))| BlockConfig {
                    scope: format!("block{}", i + 1),
                    base_depth,
                    num_units,
                    stride,
                })
                .collect();
            if !self.blocks.is_empty() && self.blocks != explicit {
                return Err(Error::Config(format!(
                    "depth {depth} and the listed blocks disagree"
                )));
            }
            self.blocks = explicit;
            self.scope
                .get_or_insert_with(|| format!("resnet_v1_{depth}"));
            self.include_root_block = true;
        }
        if self.blocks.is_empty() {
            return Err(Error::Config("no `blocks` and no `depth`".into()));
        }
        if let Some(b) = self
            .blocks
            .iter()
            .find(|b| b.num_units == 0 || b.stride == 0)
        {
            return Err(Error::Config(format!(
                "block `{}` needs num_units and stride of at least 1",
                b.scope
            )));
        }
        Ok(())
    }

    /// `scope=` of `resnet_v1` (slim's default name `resnet_v1` if none).
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }
}
