//! Restoring a graph's variables from TensorFlow checkpoints or safetensors
//! files by name, and saving them. The file formats live in
//! `scope-checkpoint` (re-exported as [`format`](crate::format)); this module
//! matches file tensors to variables.
//!
//! Restoring is strict by default: every variable must find a tensor of the
//! same dtype and shape, and every tensor must find a variable. Nothing is
//! assigned unless all match, and one error lists every problem at once.

use std::fmt;
use std::path::{Path, PathBuf};

use scope_checkpoint::{CheckpointError, DataType, TensorData, TensorSource, TensorView};

use crate::graph::Graph;
use crate::tensor::{DType, Tensor};
use crate::variable::Variable;

/// Errors of restoring or saving a graph.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read or written (missing, corrupt, ...).
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// Strict restore found variables and tensors that do not match;
    /// nothing was assigned.
    #[error("{0}")]
    Mismatch(Box<LoadReport>),
}

/// A tensor that exists in both model and file but differs in dtype or shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TensorMismatch {
    /// The variable's op name.
    pub variable: String,
    /// The tensor's name in the file.
    pub tensor: String,
    pub model_dtype: DType,
    pub model_shape: Vec<usize>,
    pub file_dtype: String,
    pub file_shape: Vec<usize>,
}

/// A file tensor no variable takes, with the closest variable names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unexpected {
    pub tensor: String,
    pub suggestions: Vec<String>,
}

/// What a restore did (or, strictly, would have done).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// The file read.
    pub source: PathBuf,
    /// Variables assigned (op names).
    pub loaded: Vec<String>,
    /// Variables with no tensor in the file: (variable op name, tensor name looked for).
    pub missing: Vec<(String, String)>,
    /// File tensors no variable takes.
    pub unexpected: Vec<Unexpected>,
    /// Pairs whose dtype or shape differ.
    pub mismatched: Vec<TensorMismatch>,
}

impl LoadReport {
    /// True when every variable found its tensor and every tensor its variable.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty() && self.unexpected.is_empty() && self.mismatched.is_empty()
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_complete() {
            return write!(
                f,
                "restored {} variable(s) from {}",
                self.loaded.len(),
                self.source.display()
            );
        }
        writeln!(
            f,
            "{} does not match the model: {} missing, {} unexpected, {} mismatched{}",
            self.source.display(),
            self.missing.len(),
            self.unexpected.len(),
            self.mismatched.len(),
            if self.loaded.is_empty() {
                " (nothing was assigned)"
            } else {
                ""
            },
        )?;
        for (var, tensor) in &self.missing {
            if var == tensor {
                writeln!(f, "  missing:    `{var}` has no tensor in the file")?;
            } else {
                writeln!(
                    f,
                    "  missing:    `{var}` (looked for `{tensor}`) has no tensor in the file"
                )?;
            }
        }
        for u in &self.unexpected {
            write!(f, "  unexpected: tensor `{}` matches no variable", u.tensor)?;
            match u.suggestions.as_slice() {
                [] => writeln!(f)?,
                s => writeln!(f, "; closest variables: {}", s.join(", "))?,
            }
        }
        for m in &self.mismatched {
            writeln!(
                f,
                "  mismatch:   `{}` is {} {:?} in the model but tensor `{}` is {} {:?} in the file",
                m.variable, m.model_dtype, m.model_shape, m.tensor, m.file_dtype, m.file_shape
            )?;
        }
        write!(
            f,
            "fix the names (an assignment map renames scopes), or restore non-strictly to load what matches"
        )
    }
}

/// Options of [`Graph::restore_with`].
#[derive(Clone, Debug, Default)]
pub struct RestoreOptions {
    strict: bool,
    assignment_map: Vec<(String, String)>,
}

impl RestoreOptions {
    /// Strict (the default of [`Graph::restore`]): fail without assigning
    /// anything unless model and file match exactly.
    pub fn strict() -> Self {
        RestoreOptions {
            strict: true,
            assignment_map: Vec::new(),
        }
    }

    /// Non-strict: assign what matches and return the report of the rest.
    pub fn lenient() -> Self {
        RestoreOptions::default()
    }

    /// Maps a file scope to a model scope, like `tf.train.init_from_checkpoint`'s
    /// assignment map: `("old_scope/", "new_scope/")` loads every tensor under
    /// `old_scope/` into the variable of the same name under `new_scope/`;
    /// names without a trailing `/` map one tensor to one variable; a file
    /// scope of `"/"` is the file's root. With a map, only mapped variables
    /// and tensors take part.
    pub fn map(mut self, file_scope: &str, model_scope: &str) -> Self {
        self.assignment_map
            .push((file_scope.to_string(), model_scope.to_string()));
        self
    }

    /// The file tensor name for a variable op name, or `None` if the map
    /// does not cover it.
    fn file_name_for(&self, var: &str) -> Option<String> {
        if self.assignment_map.is_empty() {
            return Some(var.to_string());
        }
        self.assignment_map.iter().find_map(|(file, model)| {
            if let Some(model_prefix) = model.strip_suffix('/') {
                let rest = var.strip_prefix(model_prefix)?.strip_prefix('/')?;
                let file_prefix = file.trim_end_matches('/');
                Some(if file_prefix.is_empty() {
                    rest.to_string()
                } else {
                    format!("{file_prefix}/{rest}")
                })
            } else {
                (model == var).then(|| file.clone())
            }
        })
    }

    /// Whether a file tensor falls under the map's file side.
    fn covers_file_name(&self, tensor: &str) -> bool {
        self.assignment_map.is_empty()
            || self.assignment_map.iter().any(|(file, model)| {
                if model.ends_with('/') {
                    let prefix = file.trim_end_matches('/');
                    prefix.is_empty()
                        || tensor
                            .strip_prefix(prefix)
                            .is_some_and(|r| r.starts_with('/'))
                } else {
                    file == tensor
                }
            })
    }
}

fn data_type(dtype: DType) -> DataType {
    match dtype {
        DType::F32 => DataType::Float32,
        DType::F64 => DataType::Float64,
        DType::I32 => DataType::Int32,
        DType::I64 => DataType::Int64,
    }
}

fn to_tensor(data: TensorData) -> Option<Tensor> {
    Some(match data {
        TensorData::Float32(a) => Tensor::F32(a),
        TensorData::Float64(a) => Tensor::F64(a),
        TensorData::Int32(a) => Tensor::I32(a),
        TensorData::Int64(a) => Tensor::I64(a),
        _ => return None,
    })
}

fn view(t: &Tensor) -> TensorView<'_> {
    match t {
        Tensor::F32(a) => a.into(),
        Tensor::F64(a) => a.into(),
        Tensor::I32(a) => a.into(),
        Tensor::I64(a) => a.into(),
    }
}

impl Graph {
    /// Restores every variable from a TF checkpoint (prefix, `.index` or a
    /// directory with a `checkpoint` state file) or a safetensors file,
    /// strictly: see [`RestoreOptions::strict`].
    pub fn restore(&self, path: impl AsRef<Path>) -> Result<LoadReport, LoadError> {
        self.restore_with(path, &RestoreOptions::strict())
    }

    /// Restores with options (non-strict, assignment map).
    pub fn restore_with(
        &self,
        path: impl AsRef<Path>,
        options: &RestoreOptions,
    ) -> Result<LoadReport, LoadError> {
        let source = scope_checkpoint::open(path.as_ref())?;
        self.restore_from(source.as_ref(), options)
    }

    /// Restores from an already opened checkpoint or safetensors file.
    pub fn restore_from(
        &self,
        source: &dyn TensorSource,
        options: &RestoreOptions,
    ) -> Result<LoadReport, LoadError> {
        let mut report = LoadReport {
            source: source.path().to_path_buf(),
            ..LoadReport::default()
        };
        let variables = self.variables();
        let mut claimed = std::collections::HashSet::new();
        let mut pairs: Vec<(Variable, String)> = Vec::new();
        for var in &variables {
            let Some(tensor) = options.file_name_for(var.op_name()) else {
                continue;
            };
            match source.info(&tensor) {
                Ok(info) => {
                    claimed.insert(tensor.clone());
                    if info.dtype != data_type(var.dtype()) || info.shape != var.shape() {
                        report.mismatched.push(TensorMismatch {
                            variable: var.op_name().to_string(),
                            tensor,
                            model_dtype: var.dtype(),
                            model_shape: var.shape().to_vec(),
                            file_dtype: info.dtype.name().to_string(),
                            file_shape: info.shape.clone(),
                        });
                    } else {
                        pairs.push((var.clone(), tensor));
                    }
                }
                Err(CheckpointError::TensorNotFound { .. }) => {
                    report.missing.push((var.op_name().to_string(), tensor))
                }
                Err(e) => return Err(e.into()),
            }
        }
        let model_names: Vec<&str> = variables.iter().map(Variable::op_name).collect();
        for entry in source.entries() {
            if !claimed.contains(&entry.name) && options.covers_file_name(&entry.name) {
                report.unexpected.push(Unexpected {
                    tensor: entry.name.clone(),
                    suggestions: scope_checkpoint::closest_names(
                        &entry.name,
                        model_names.iter().copied(),
                    ),
                });
            }
        }
        if options.strict && !report.is_complete() {
            return Err(LoadError::Mismatch(Box::new(report)));
        }
        // Read everything first, then assign: a corrupt tensor leaves the
        // model untouched.
        let mut values = Vec::with_capacity(pairs.len());
        for (var, tensor) in pairs {
            let data = source.read(&tensor)?;
            let value = to_tensor(data).ok_or_else(|| CheckpointError::InvalidInput {
                path: report.source.clone(),
                detail: format!("tensor `{tensor}` has a dtype scope variables cannot hold"),
            })?;
            values.push((var, value));
        }
        for (var, value) in values {
            var.assign(value)
                .map_err(|e| CheckpointError::InvalidInput {
                    path: report.source.clone(),
                    detail: e.to_string(),
                })?;
            report.loaded.push(var.op_name().to_string());
        }
        Ok(report)
    }

    /// Saves every variable under its op name as a TF V2 checkpoint at
    /// `prefix` (`dir/model.ckpt`), and points `dir/checkpoint` at it.
    /// Atomic: an interrupted save leaves any previous checkpoint intact.
    pub fn save_checkpoint(&self, prefix: impl AsRef<Path>) -> Result<(), LoadError> {
        let variables = self.variables();
        let guards: Vec<_> = variables.iter().map(Variable::value_guard).collect();
        scope_checkpoint::save_checkpoint(
            prefix,
            variables
                .iter()
                .zip(&guards)
                .map(|(v, g)| (v.op_name(), view(g))),
        )?;
        Ok(())
    }

    /// Saves every variable under its op name as a safetensors file (atomic).
    pub fn save_safetensors(&self, path: impl AsRef<Path>) -> Result<(), LoadError> {
        let variables = self.variables();
        let guards: Vec<_> = variables.iter().map(Variable::value_guard).collect();
        scope_checkpoint::save_safetensors(
            path,
            variables
                .iter()
                .zip(&guards)
                .map(|(v, g)| (v.op_name(), view(g))),
            [("format", "pt"), ("source", "scope")],
        )?;
        Ok(())
    }
}
