//! Restoring a graph's variables from TensorFlow checkpoints or safetensors
//! files by name, and saving them. The file formats live in
//! `scope-checkpoint` (re-exported as [`format`](crate::format)); this module
//! matches file tensors to variables.
//!
//! Restoring is strict by default: every variable must find a tensor of the
//! same dtype and shape, and every tensor must find a variable, except the
//! training state TF writes beside the weights (optimizer slots, optimizer
//! bookkeeping, `global_step`, EMA shadows), which the report lists apart.
//! Nothing is assigned unless all match, and one error lists every problem
//! at once. Each tensor is read straight into the buffer that becomes its
//! variable's storage (one copy from the file; see `read_value`).

use std::fmt;
use std::path::{Path, PathBuf};

use scope_checkpoint::{CheckpointError, TensorRole, TensorSource, TensorView};

use crate::dtype::DType;
use crate::graph::Graph;
use crate::variable::Variable;

/// Errors of restoring a graph.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// The file could not be read or written (missing, corrupt, ...).
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// Strict restore found variables and tensors that do not match;
    /// nothing was assigned.
    #[error("{0}")]
    Mismatch(Box<LoadReport>),
    /// A variable's value could not be made, read or assigned.
    #[error(transparent)]
    Value(#[from] crate::ScopeError),
}

/// Errors of saving a graph. A failed save leaves any previous file intact.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The file could not be written.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// A variable's value could not be made or read for saving.
    #[error(transparent)]
    Value(#[from] crate::ScopeError),
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
    /// File tensors recognised as training state, not model weights:
    /// optimizer slots (`<var>/Adam`, `<var>/adam_m`, ...), optimizer
    /// bookkeeping (`beta1_power`) and `global_step`. Never a failure.
    pub optimizer_state: Vec<String>,
    /// `<var>/ExponentialMovingAverage` shadows left in the file (loaded
    /// instead of the raw weights with [`RestoreOptions::ema_shadows`]).
    pub ema_shadows: Vec<String>,
    /// Variables loaded from their EMA shadow: (variable, shadow tensor).
    pub from_ema: Vec<(String, String)>,
    /// How the checkpoint was found, when the state file named a path that
    /// does not exist here and a local prefix of that name was used.
    pub resolution: Option<String>,
    /// When names do not match: the consistent rewrites (scope map,
    /// component renames, transposes) that would make them, each with how
    /// many tensors it explains, ready to add to [`RestoreOptions`].
    pub rewrites: Vec<scope_checkpoint::Suggestion>,
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
            write!(
                f,
                "restored {} variable(s) from {}",
                self.loaded.len(),
                self.source.display()
            )?;
            if !self.from_ema.is_empty() {
                write!(f, " ({} from EMA shadows)", self.from_ema.len())?;
            }
            if !self.optimizer_state.is_empty() {
                write!(
                    f,
                    "; skipped {} optimizer tensor(s) (slots, optimizer state, global_step)",
                    self.optimizer_state.len()
                )?;
            }
            if !self.ema_shadows.is_empty() {
                write!(
                    f,
                    "; skipped {} EMA shadow(s) (restore with ema_shadows(true) to load them instead)",
                    self.ema_shadows.len()
                )?;
            }
            if let Some(resolution) = &self.resolution {
                write!(f, "\n  note: {resolution}")?;
            }
            return Ok(());
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
        if let Some(resolution) = &self.resolution {
            writeln!(f, "  note: {resolution}")?;
        }
        if !self.rewrites.is_empty() {
            writeln!(f, "  these rewrites make the names match; restore with")?;
            writeln!(f, "    RestoreOptions::strict()")?;
            for r in &self.rewrites {
                writeln!(f, "      {r}")?;
            }
        }
        write!(
            f,
            "fix the names (an assignment map renames scopes), or restore non-strictly to load what matches"
        )
    }
}

/// Options of [`Graph::restore_with`]. The default is strict, as
/// [`Graph::restore`] is.
#[derive(Clone, Debug)]
pub struct RestoreOptions {
    strict: bool,
    ema: bool,
    assignment_map: Vec<(String, String)>,
    /// (file component, model component) renames.
    renames: Vec<(String, String)>,
    /// Model variables stored transposed in the file.
    transposed: Vec<String>,
}

impl Default for RestoreOptions {
    fn default() -> Self {
        RestoreOptions::strict()
    }
}

impl RestoreOptions {
    /// Strict (the default of [`Graph::restore`]): fail without assigning
    /// anything unless model and file match exactly.
    pub fn strict() -> Self {
        RestoreOptions {
            strict: true,
            ema: false,
            assignment_map: Vec::new(),
            renames: Vec::new(),
            transposed: Vec::new(),
        }
    }

    /// Non-strict: assign what matches and return the report of the rest.
    pub fn lenient() -> Self {
        RestoreOptions {
            strict: false,
            ..RestoreOptions::strict()
        }
    }

    /// Loads each variable from its `<var>/ExponentialMovingAverage` shadow
    /// where the file has one, as TF's
    /// `ExponentialMovingAverage.variables_to_restore()` does.
    pub fn ema_shadows(mut self, load: bool) -> Self {
        self.ema = load;
        self
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

    /// Reads every name component `file_component` of the file as the
    /// model's `model_component` (`rename("weights", "kernel")`,
    /// `rename("gamma", "weight")`).
    pub fn rename(mut self, file_component: &str, model_component: &str) -> Self {
        self.renames
            .push((file_component.to_string(), model_component.to_string()));
        self
    }

    /// These model variables are stored transposed (`[out, in]` in the
    /// file for an `[in, out]` variable): restored with the axes swapped.
    pub fn transpose<S: AsRef<str>>(mut self, variables: &[S]) -> Self {
        self.transposed
            .extend(variables.iter().map(|v| v.as_ref().to_string()));
        self
    }

    fn is_transposed(&self, var: &str) -> bool {
        self.transposed.iter().any(|t| t == var)
    }

    /// The file tensor name for a variable op name, or `None` if the map
    /// does not cover it.
    fn file_name_for(&self, var: &str) -> Option<String> {
        let mapped = self.mapped_name_for(var)?;
        if self.renames.is_empty() {
            return Some(mapped);
        }
        let parts: Vec<&str> = mapped
            .split('/')
            .map(|c| {
                self.renames
                    .iter()
                    .find(|(_, model)| model == c)
                    .map_or(c, |(file, _)| file.as_str())
            })
            .collect();
        Some(parts.join("/"))
    }

    fn mapped_name_for(&self, var: &str) -> Option<String> {
        if self.assignment_map.is_empty() {
            return Some(var.to_string());
        }
        self.assignment_map.iter().find_map(|(file, model)| {
            if let Some(model_prefix) = model.strip_suffix('/') {
                let rest = if model_prefix.is_empty() {
                    var
                } else {
                    var.strip_prefix(model_prefix)?.strip_prefix('/')?
                };
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

/// The rewrites that would make the report's missing variables and
/// unexpected tensors match (see `scope_checkpoint::suggest_rewrites`).
fn suggest(
    variables: &[Variable],
    source: &dyn TensorSource,
    report: &LoadReport,
) -> Vec<scope_checkpoint::Suggestion> {
    let model: Vec<(&str, &[usize])> = variables
        .iter()
        .filter(|v| {
            report.missing.iter().any(|(m, _)| m == v.op_name())
                || report.mismatched.iter().any(|m| m.variable == v.op_name())
        })
        .map(|v| (v.op_name(), saved_shape(v)))
        .collect();
    let file: Vec<(&str, &[usize])> = source
        .entries()
        .iter()
        .filter(|e| {
            report.unexpected.iter().any(|u| u.tensor == e.name)
                || report.mismatched.iter().any(|m| m.tensor == e.name)
        })
        .map(|e| (e.name.as_str(), e.shape.as_slice()))
        .collect();
    scope_checkpoint::suggest_rewrites(&model, &file)
}

/// Reads the tensor `name` of `source` into a new buffer of the variable's
/// candle dtype and makes it the variable's value, with one copy (file to
/// buffer); the buffer becomes the variable's storage on the CPU.
fn read_value(
    source: &dyn TensorSource,
    name: &str,
    var: &Variable,
    shape: &[usize],
) -> Result<Staged, RestoreError> {
    let elements: usize = shape.iter().product();
    macro_rules! staged {
        ($t:ty, $variant:ident) => {{
            let mut data = vec![<$t>::default(); elements];
            fill(source, name, bytemuck::cast_slice_mut(&mut data))?;
            Staged::$variant(data)
        }};
    }
    Ok(match var.dtype() {
        DType::F32 => staged!(f32, F32),
        DType::F64 => staged!(f64, F64),
        DType::F16 => staged!(u16, F16),
        DType::BF16 => staged!(u16, BF16),
        DType::I64 => staged!(i64, I64),
        DType::I32 => staged!(i32, I32),
        DType::I16 => staged!(i16, I16),
        DType::U8 | DType::Bool => staged!(u8, U8),
        DType::U32 => staged!(u32, U32),
    })
}

/// Reads the verified element bytes of `name` straight into `out` (slices
/// of a partitioned variable assembled; mapped pages dropped after copying).
fn fill(source: &dyn TensorSource, name: &str, out: &mut [u8]) -> Result<(), RestoreError> {
    Ok(source.read_into(name, out)?)
}

/// A tensor read from a file, waiting to be assigned.
enum Staged {
    F32(Vec<f32>),
    F64(Vec<f64>),
    F16(Vec<u16>),
    BF16(Vec<u16>),
    I64(Vec<i64>),
    I32(Vec<i32>),
    I16(Vec<i16>),
    U8(Vec<u8>),
    U32(Vec<u32>),
    /// A part's slice of a partitioned variable's full tensor.
    Tensor(candle_core::Tensor),
}

impl Staged {
    /// The data as a CPU tensor of `shape`.
    fn into_tensor(self, shape: &[usize]) -> candle_core::Result<candle_core::Tensor> {
        use candle_core::{Device, Tensor};
        let cpu = &Device::Cpu;
        match self {
            Staged::F32(d) => Tensor::from_vec(d, shape, cpu),
            Staged::F64(d) => Tensor::from_vec(d, shape, cpu),
            Staged::F16(d) => Tensor::from_vec(
                bytemuck::allocation::cast_vec::<u16, half::f16>(d),
                shape,
                cpu,
            ),
            Staged::BF16(d) => Tensor::from_vec(
                bytemuck::allocation::cast_vec::<u16, half::bf16>(d),
                shape,
                cpu,
            ),
            Staged::I64(d) => Tensor::from_vec(d, shape, cpu),
            Staged::I32(d) => Tensor::from_vec(d, shape, cpu),
            Staged::I16(d) => Tensor::from_vec(d, shape, cpu),
            Staged::U8(d) => Tensor::from_vec(d, shape, cpu),
            Staged::U32(d) => Tensor::from_vec(d, shape, cpu),
            Staged::Tensor(t) => t.reshape(shape),
        }
    }

    fn assign_to(self, var: &Variable) -> crate::Result<()> {
        match self {
            Staged::Tensor(t) => var.assign(t.contiguous()?),
            Staged::F32(d) => var.assign_owned(d),
            Staged::F64(d) => var.assign_owned(d),
            Staged::F16(d) => var.assign_owned(bytemuck::allocation::cast_vec::<u16, half::f16>(d)),
            Staged::BF16(d) => {
                var.assign_owned(bytemuck::allocation::cast_vec::<u16, half::bf16>(d))
            }
            Staged::I64(d) => var.assign_owned(d),
            Staged::I32(d) => var.assign_owned(d),
            Staged::I16(d) => var.assign_owned(d),
            Staged::U8(d) => var.assign_owned(d),
            Staged::U32(d) => var.assign_owned(d),
        }
    }
}

/// Saves `variables` through `save`, which gets each op name with a
/// borrowed view of its value's bytes (on the CPU, contiguous).
fn with_views<R>(
    variables: &[Variable],
    save: impl FnOnce(Vec<(&Variable, TensorView<'_>)>) -> Result<R, SaveError>,
) -> Result<R, SaveError> {
    let host: Vec<candle_core::Tensor> = variables
        .iter()
        .map(|v| {
            let t = v.tensor().map_err(SaveError::Value)?;
            t.to_device(&candle_core::Device::Cpu)
                .and_then(|t| t.contiguous())
                .map_err(|e| SaveError::Value(engine(v, e)))
        })
        .collect::<Result<_, _>>()?;
    let guards: Vec<_> = host.iter().map(|t| t.storage_and_layout()).collect();
    let mut views = Vec::with_capacity(variables.len());
    for (v, (storage, layout)) in variables.iter().zip(&guards) {
        macro_rules! bytes {
            ($t:ty) => {
                bytemuck::cast_slice::<$t, u8>(cpu_slice::<$t>(storage, layout, v)?)
            };
        }
        let bytes: &[u8] = match v.dtype() {
            DType::F32 => bytes!(f32),
            DType::F64 => bytes!(f64),
            DType::F16 => bytes!(half::f16),
            DType::BF16 => bytes!(half::bf16),
            DType::I64 => bytes!(i64),
            DType::I32 => bytes!(i32),
            DType::I16 => bytes!(i16),
            DType::U8 | DType::Bool => bytes!(u8),
            DType::U32 => bytes!(u32),
        };
        let view = TensorView::from_bytes(v.dtype().data_type(), v.shape(), bytes)?;
        views.push((v, view));
    }
    save(views)
}

/// The file shape a variable is saved as and restored from: a part's full
/// variable shape, else its own.
fn saved_shape(var: &Variable) -> &[usize] {
    var.save_slice().map_or(var.shape(), |s| &s.full_shape)
}

/// Writes views as a TF checkpoint: whole tensors under their op names,
/// parts of partitioned variables as TF's slices of the full entry, in
/// byte-wise name order (parts by offset).
fn write_checkpoint(
    prefix: &Path,
    mut views: Vec<(&Variable, TensorView<'_>)>,
) -> Result<(), SaveError> {
    let key = |v: &Variable| -> (String, Vec<usize>) {
        match v.save_slice() {
            Some(s) => (s.full_name.clone(), s.offset.clone()),
            None => (v.op_name().to_string(), Vec::new()),
        }
    };
    views.sort_by(|a, b| {
        let (ka, kb) = (key(a.0), key(b.0));
        ka.0.as_bytes().cmp(kb.0.as_bytes()).then(ka.1.cmp(&kb.1))
    });
    let mut w = scope_checkpoint::CheckpointWriter::create(prefix)?;
    for (var, view) in views {
        match var.save_slice() {
            None => w.add(var.op_name(), view)?,
            Some(s) => {
                let slice = scope_checkpoint::TensorSlice {
                    start: s.offset.clone(),
                    length: var.shape().to_vec(),
                };
                w.add_slice(0, &s.full_name, &s.full_shape, &slice, view)?
            }
        }
    }
    Ok(w.finish()?)
}

fn cpu_slice<'s, T: candle_core::WithDType>(
    storage: &'s candle_core::Storage,
    layout: &candle_core::Layout,
    var: &Variable,
) -> Result<&'s [T], SaveError> {
    let candle_core::Storage::Cpu(cpu) = storage else {
        return Err(SaveError::Value(crate::ScopeError::InvalidArgument(
            format!(
                "variable `{}`: its value was moved to the CPU but is not there",
                var.op_name()
            ),
        )));
    };
    let all = cpu
        .as_slice::<T>()
        .map_err(|e| SaveError::Value(engine(var, e)))?;
    let start = layout.start_offset();
    all.get(start..start + var.num_elements()).ok_or_else(|| {
        SaveError::Value(crate::ScopeError::InvalidArgument(format!(
            "variable `{}`: its storage is smaller than its shape",
            var.op_name()
        )))
    })
}

fn engine_restoring(var: &Variable, e: candle_core::Error) -> crate::ScopeError {
    crate::ScopeError::Engine {
        name: var.op_name().to_string(),
        doing: "shaping the restored value".to_string(),
        detail: e.to_string(),
        defined_at: var.defined_at(),
    }
}

fn engine(var: &Variable, e: candle_core::Error) -> crate::ScopeError {
    crate::ScopeError::Engine {
        name: var.op_name().to_string(),
        doing: "reading its value for saving".to_string(),
        detail: e.to_string(),
        defined_at: var.defined_at(),
    }
}

impl Graph {
    /// Restores every variable from a TF checkpoint (prefix, `.index` or a
    /// directory with a `checkpoint` state file) or a safetensors file,
    /// strictly: see [`RestoreOptions::strict`].
    pub fn restore(&self, path: impl AsRef<Path>) -> Result<LoadReport, RestoreError> {
        self.restore_with(path, &RestoreOptions::strict())
    }

    /// Restores with options (non-strict, assignment map).
    pub fn restore_with(
        &self,
        path: impl AsRef<Path>,
        options: &RestoreOptions,
    ) -> Result<LoadReport, RestoreError> {
        let source = scope_checkpoint::open(path.as_ref())?;
        self.restore_from_with(source.as_ref(), options)
    }

    /// Restores from an already opened checkpoint or safetensors file,
    /// strictly.
    pub fn restore_from(&self, source: &dyn TensorSource) -> Result<LoadReport, RestoreError> {
        self.restore_from_with(source, &RestoreOptions::strict())
    }

    /// [`restore_from`](Self::restore_from) with options.
    pub fn restore_from_with(
        &self,
        source: &dyn TensorSource,
        options: &RestoreOptions,
    ) -> Result<LoadReport, RestoreError> {
        let mut report = LoadReport {
            source: source.path().to_path_buf(),
            resolution: source.resolution().map(ToString::to_string),
            ..LoadReport::default()
        };
        let variables = self.saved_variables();
        let mut claimed = std::collections::HashSet::new();
        let mut pairs: Vec<(Variable, String)> = Vec::new();
        for var in &variables {
            // A part of a partitioned variable loads its slice of the full
            // tensor (stored whole or as TF's slices).
            let key = var.save_slice().map_or(var.op_name(), |s| &s.full_name);
            let want_shape = saved_shape(var);
            let transposed: Vec<usize>;
            let want_shape = if options.is_transposed(var.op_name()) && want_shape.len() == 2 {
                transposed = vec![want_shape[1], want_shape[0]];
                transposed.as_slice()
            } else {
                want_shape
            };
            let Some(mut tensor) = options.file_name_for(key) else {
                continue;
            };
            if options.ema {
                let shadow = format!("{tensor}/ExponentialMovingAverage");
                if source.contains(&shadow) {
                    claimed.insert(tensor.clone());
                    report
                        .from_ema
                        .push((var.op_name().to_string(), shadow.clone()));
                    tensor = shadow;
                }
            }
            match source.info(&tensor) {
                Ok(info) => {
                    claimed.insert(tensor.clone());
                    if info.dtype != var.dtype().data_type() || info.shape != want_shape {
                        report.mismatched.push(TensorMismatch {
                            variable: var.op_name().to_string(),
                            tensor,
                            model_dtype: var.dtype(),
                            model_shape: want_shape.to_vec(),
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
            if claimed.contains(&entry.name) || !options.covers_file_name(&entry.name) {
                continue;
            }
            let role = scope_checkpoint::tensor_role(&entry.name);
            if role.is_optimizer() || role == TensorRole::GlobalStep {
                report.optimizer_state.push(entry.name.clone());
            } else if matches!(role, TensorRole::EmaShadow { .. }) {
                report.ema_shadows.push(entry.name.clone());
            } else {
                report.unexpected.push(Unexpected {
                    tensor: entry.name.clone(),
                    suggestions: scope_checkpoint::closest_names(
                        &entry.name,
                        model_names.iter().copied(),
                    ),
                });
            }
        }
        if !report.is_complete() {
            report.rewrites = suggest(&variables, source, &report);
        }
        if options.strict && !report.is_complete() {
            return Err(RestoreError::Mismatch(Box::new(report)));
        }
        // Read everything first, then assign: a corrupt tensor leaves the
        // model untouched.
        let mut values = Vec::with_capacity(pairs.len());
        let mut full_tensors: std::collections::HashMap<String, candle_core::Tensor> =
            std::collections::HashMap::new();
        for (var, tensor) in pairs {
            let value = match var.save_slice() {
                None if options.is_transposed(var.op_name()) && var.shape().len() == 2 => {
                    let stored = [var.shape()[1], var.shape()[0]];
                    let t = read_value(source, &tensor, &var, &stored)?
                        .into_tensor(&stored)
                        .and_then(|t| t.t())
                        .map_err(|e| RestoreError::Value(engine_restoring(&var, e)))?;
                    Staged::Tensor(t)
                }
                None => read_value(source, &tensor, &var, var.shape())?,
                Some(slice) => {
                    let full = match full_tensors.get(&tensor) {
                        Some(t) => t.clone(),
                        None => {
                            let t = read_value(source, &tensor, &var, &slice.full_shape)?
                                .into_tensor(&slice.full_shape)
                                .map_err(|e| RestoreError::Value(engine_restoring(&var, e)))?;
                            full_tensors.insert(tensor.clone(), t.clone());
                            t
                        }
                    };
                    let mut part = full;
                    for (d, (&start, &len)) in slice.offset.iter().zip(var.shape()).enumerate() {
                        part = part
                            .narrow(d, start, len)
                            .map_err(|e| RestoreError::Value(engine_restoring(&var, e)))?;
                    }
                    Staged::Tensor(part)
                }
            };
            values.push((var, value));
        }
        drop(full_tensors);
        for (var, value) in values {
            value.assign_to(&var)?;
            report.loaded.push(var.op_name().to_string());
        }
        Ok(report)
    }

    /// Saves every variable under its op name as a TF V2 checkpoint at
    /// `prefix` (`dir/model.ckpt`), and points `dir/checkpoint` at it.
    /// Atomic: an interrupted save leaves any previous checkpoint intact.
    pub fn save_checkpoint(&self, prefix: impl AsRef<Path>) -> Result<(), SaveError> {
        with_views(&self.saved_variables(), |views| {
            write_checkpoint(prefix.as_ref(), views)
        })
    }

    /// Saves every variable under its op name as a safetensors file
    /// (atomic). Safetensors has no slices: a partitioned variable's parts
    /// are saved under their own names (`w/part_0`, ...).
    pub fn save_safetensors(&self, path: impl AsRef<Path>) -> Result<(), SaveError> {
        with_views(&self.saved_variables(), |views| {
            let named = views.into_iter().map(|(v, view)| (v.op_name(), view));
            Ok(scope_checkpoint::save_safetensors(
                path,
                named,
                [("format", "pt"), ("source", "scope")],
            )?)
        })
    }

    /// What TF's `Saver()` saves: the variables of the `variables`
    /// collection (so not local variables), each once, in creation order.
    fn saved_variables(&self) -> Vec<Variable> {
        let mut vars = self.global_variables("");
        vars.sort_by_key(Variable::index);
        vars.dedup_by(|a, b| a.same(b));
        vars
    }
}
