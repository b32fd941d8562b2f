//! The fixture files beside the checkpoint: `input.json` (NHWC images),
//! `expected.json` (TF's outputs by key), and the comparison of every
//! listed output with what the port computed.

use std::collections::BTreeMap;
use std::path::Path;

use scope_runtime::candle::{Device, Tensor};
use serde::Deserialize;

use crate::net::{tensor, Outputs};
use crate::Error;

#[derive(Deserialize)]
struct Entry {
    shape: Vec<usize>,
    data: Vec<f64>,
}

impl Entry {
    fn tensor(self, what: &str) -> Result<Tensor, Error> {
        let n: usize = self.shape.iter().product();
        if n != self.data.len() {
            return Err(Error::Io(format!(
                "`{what}` has shape {:?} ({n} values) but {} values",
                self.shape,
                self.data.len()
            )));
        }
        let data: Vec<f32> = self.data.iter().map(|&x| x as f32).collect();
        Ok(Tensor::from_vec(data, self.shape, &Device::Cpu)?)
    }
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path)
        .map_err(|e| Error::Io(format!("cannot read {}: {e}", path.display())))
}

/// `input.json`: `{"images": {"shape": [B, H, W, 3], "data": [...]}}`.
pub fn load_images(path: &Path) -> Result<Tensor, Error> {
    #[derive(Deserialize)]
    struct Input {
        images: Entry,
    }
    let input: Input = serde_json::from_str(&read(path)?)
        .map_err(|e| Error::Io(format!("{} is not an input file: {e}", path.display())))?;
    let t = input.images.tensor("images")?;
    if t.rank() != 4 {
        return Err(Error::Io(format!(
            "images must be [B, H, W, C], got {:?}",
            t.dims()
        )));
    }
    Ok(t)
}

/// `expected.json`: `{"<key>": {"shape", "data"}}`.
pub fn load_expected(path: &Path) -> Result<BTreeMap<String, Tensor>, Error> {
    let map: BTreeMap<String, Entry> = serde_json::from_str(&read(path)?)
        .map_err(|e| Error::Io(format!("{} is not an expected file: {e}", path.display())))?;
    map.into_iter()
        .map(|(k, e)| Ok((k.clone(), e.tensor(&k)?)))
        .collect()
}

/// The largest difference of each listed output; an output the port did
/// not compute, or of another shape, is an error.
pub fn diffs(
    out: &Outputs,
    expected: &BTreeMap<String, Tensor>,
) -> Result<Vec<(String, f32)>, Error> {
    expected
        .iter()
        .map(|(key, want)| {
            let got = out.get(key).ok_or_else(|| {
                Error::Mismatch(format!(
                    "expected.json lists `{key}`, which the net did not compute"
                ))
            })?;
            let got = tensor(got, key)?;
            if got.dims() != want.dims() {
                return Err(Error::Mismatch(format!(
                    "`{key}` has shape {:?}, expected {:?}",
                    got.dims(),
                    want.dims()
                )));
            }
            let d = got
                .sub(want)?
                .abs()?
                .flatten_all()?
                .max(0)?
                .to_scalar::<f32>()?;
            Ok((key.clone(), d))
        })
        .collect()
}
