//! `scope-ckpt`: list, convert and compare TF checkpoints and safetensors files.
//!
//! Exit status: 0 on success (for `diff`: no difference), 1 when `diff`
//! finds differences, 2 on any error (bad path, damaged file, bad usage).

#![deny(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

use scope_checkpoint::{
    balance_shards, open, tensor_role, CheckpointError, CheckpointWriter, DataType,
    SafetensorsWriter, TensorData, TensorInfo, TensorRole, TensorSource, TensorView,
};

/// Inputs larger than this get a progress bar (only when stderr is a terminal).
const PROGRESS_BYTES: u64 = 64 << 20;

fn cli() -> Command {
    Command::new("scope-ckpt")
        .about("List, convert and compare TensorFlow V2 checkpoints and safetensors files")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("list")
                .about("List every tensor: name, dtype (as TF spells it) and shape")
                .arg(Arg::new("path").required(true).value_parser(value_parser!(PathBuf)).help(
                    "checkpoint prefix (dir/model.ckpt), .index file, directory with a `checkpoint` file, or .safetensors",
                ))
                .arg(Arg::new("json").long("json").action(ArgAction::SetTrue).help("print a JSON array of {\"name\",\"dtype\",\"shape\"}"))
                .arg(
                    Arg::new("tree")
                        .long("tree")
                        .action(ArgAction::SetTrue)
                        .conflicts_with("json")
                        .help("print the tensors as a tree grouped by scope, with parameter counts per subtree"),
                )
                .arg(Arg::new("hide-optimizer").long("hide-optimizer").action(ArgAction::SetTrue).help(
                    "leave out optimizer slots (<var>/Adam, <var>/Momentum, ...) and optimizer state (beta1_power, ...)",
                ))
                .arg(Arg::new("hide-ema").long("hide-ema").action(ArgAction::SetTrue).help(
                    "leave out exponential moving average shadows (<var>/ExponentialMovingAverage)",
                ))
                .arg(
                    Arg::new("group")
                        .long("group")
                        .action(ArgAction::SetTrue)
                        .conflicts_with_all(["json", "tree"])
                        .help("list model tensors, then one summary line each for optimizer state and EMA shadows"),
                ),
        )
        .subcommand(
            Command::new("convert")
                .about("Convert between TF checkpoint and safetensors (by OUT's extension or --to)")
                .arg(Arg::new("input").required(true).value_parser(value_parser!(PathBuf)))
                .arg(Arg::new("output").required(true).value_parser(value_parser!(PathBuf)).help(
                    "a .safetensors file, or a checkpoint prefix (dir/model.ckpt)",
                ))
                .arg(
                    Arg::new("to")
                        .long("to")
                        .value_parser(["safetensors", "checkpoint"])
                        .help("output format (default: safetensors if OUT ends in .safetensors, else checkpoint)"),
                )
                .arg(
                    Arg::new("shards")
                        .long("shards")
                        .value_parser(value_parser!(u32).range(1..=99_999))
                        .default_value("1")
                        .help("checkpoint output: number of .data files, tensors balanced over them by size"),
                )
                .arg(Arg::new("skip-unsupported").long("skip-unsupported").action(ArgAction::SetTrue).help(
                    "safetensors output: leave out (and name) tensors safetensors cannot store (strings, complex128) instead of failing",
                ))
                .arg(Arg::new("quiet").long("quiet").short('q').action(ArgAction::SetTrue).help("no progress bar")),
        )
        .subcommand(
            Command::new("diff")
                .about("Report names, dtypes, shapes and values that differ; exit 1 if any do")
                .arg(Arg::new("a").required(true).value_parser(value_parser!(PathBuf)))
                .arg(Arg::new("b").required(true).value_parser(value_parser!(PathBuf)))
                .arg(
                    Arg::new("atol")
                        .long("atol")
                        .value_parser(value_parser!(f64))
                        .default_value("0")
                        .help("absolute tolerance for numeric values"),
                )
                .arg(Arg::new("suggest").long("suggest").action(ArgAction::SetTrue).help(
                    "also infer the rewrites (scope map, component renames, transposes) that map A's names onto B's",
                )),
        )
}

fn main() -> ExitCode {
    let m = cli().get_matches();
    let r = match m.subcommand() {
        Some(("list", m)) => list(m),
        Some(("convert", m)) => convert(m),
        Some(("diff", m)) => diff(m),
        _ => unreachable!("clap requires a subcommand"),
    };
    match r {
        Ok(code) => code,
        Err(e) => {
            eprintln!("scope-ckpt: error: {e}");
            ExitCode::from(2)
        }
    }
}

fn shape_str(s: &[usize]) -> String {
    let d: Vec<String> = s.iter().map(usize::to_string).collect();
    format!("[{}]", d.join(", "))
}

fn list(m: &ArgMatches) -> Result<ExitCode, CheckpointError> {
    let src = open(m.get_one::<PathBuf>("path").expect("required"))?;
    if let Some(r) = src.resolution() {
        eprintln!("note: {r}");
    }
    let (hide_opt, hide_ema) = (m.get_flag("hide-optimizer"), m.get_flag("hide-ema"));
    let shown: Vec<&TensorInfo> = src
        .entries()
        .iter()
        .filter(|e| match tensor_role(&e.name) {
            TensorRole::OptimizerSlot { .. } | TensorRole::OptimizerState { .. } => !hide_opt,
            TensorRole::EmaShadow { .. } => !hide_ema,
            _ => true,
        })
        .collect();
    if m.get_flag("json") {
        // Written by hand to keep the keys in the documented order: name, dtype, shape.
        let items: Vec<String> = shown
            .iter()
            .map(|e| {
                let name = serde_json::to_string(&e.name).expect("strings serialize");
                let shape: Vec<String> = e.shape.iter().map(usize::to_string).collect();
                format!(
                    r#"{{"name":{name},"dtype":"{}","shape":[{}]}}"#,
                    e.dtype,
                    shape.join(",")
                )
            })
            .collect();
        println!("[{}]", items.join(","));
    } else if m.get_flag("tree") {
        let dtypes: Vec<String> = shown.iter().map(|e| e.dtype.to_string()).collect();
        print!(
            "{}",
            scope_checkpoint::tree::render_tree(shown.iter().zip(&dtypes).map(|(e, d)| {
                scope_checkpoint::tree::TreeItem {
                    name: &e.name,
                    shape: &e.shape,
                    dtype: d,
                }
            }))
        );
    } else if m.get_flag("group") {
        let mut slots: std::collections::BTreeMap<String, usize> = Default::default();
        let mut state = Vec::new();
        let mut ema = 0usize;
        for e in &shown {
            match tensor_role(&e.name) {
                TensorRole::OptimizerSlot { slot, .. } => *slots.entry(slot).or_default() += 1,
                TensorRole::OptimizerState { name } => state.push(name),
                TensorRole::EmaShadow { .. } => ema += 1,
                _ => println!("{}\t{}\t{}", e.name, e.dtype, shape_str(&e.shape)),
            }
        }
        if !slots.is_empty() || !state.is_empty() {
            let mut parts: Vec<String> = slots.iter().map(|(s, n)| format!("{s} ×{n}")).collect();
            parts.extend(state.iter().cloned());
            let n = slots.values().sum::<usize>() + state.len();
            println!("# optimizer state: {n} tensors ({})", parts.join(", "));
        }
        if ema > 0 {
            println!("# EMA shadows: {ema} tensors (<var>/ExponentialMovingAverage)");
        }
    } else {
        for e in shown {
            println!("{}\t{}\t{}", e.name, e.dtype, shape_str(&e.shape));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn progress(total: u64, quiet: bool, what: &str) -> ProgressBar {
    if quiet || total < PROGRESS_BYTES || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(total);
    pb.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

/// A reusable buffer, 8-byte aligned (enough for every element type), of
/// at least `len` bytes.
struct Buffer(Vec<u64>);

impl Buffer {
    #[allow(unsafe_code)]
    fn bytes(&mut self, len: usize) -> &mut [u8] {
        let words = len.div_ceil(8);
        if self.0.len() < words {
            self.0 = vec![0u64; words];
        }
        // SAFETY: u64s are plain bytes; the length is within the allocation.
        unsafe { std::slice::from_raw_parts_mut(self.0.as_mut_ptr().cast::<u8>(), len) }
    }
}

/// Streams every tensor of `src` through one buffer the size of the largest
/// tensor: memory stays bounded by that, never by the file size.
fn convert(m: &ArgMatches) -> Result<ExitCode, CheckpointError> {
    let input = m.get_one::<PathBuf>("input").expect("required");
    let output = m.get_one::<PathBuf>("output").expect("required");
    let to_safetensors = match m.get_one::<String>("to").map(String::as_str) {
        Some("safetensors") => true,
        Some(_) => false,
        None => output.extension().is_some_and(|e| e == "safetensors"),
    };
    let src = open(input)?;
    if let Some(r) = src.resolution() {
        eprintln!("note: {r}");
    }
    let mut entries: Vec<&TensorInfo> = src.entries().iter().collect();
    if to_safetensors {
        let (ok, cannot): (Vec<&TensorInfo>, Vec<&TensorInfo>) = entries
            .iter()
            .partition(|e| e.dtype.safetensors_name().is_some());
        if !cannot.is_empty() {
            let names: Vec<String> = cannot
                .iter()
                .map(|e| format!("{} ({})", e.name, e.dtype))
                .collect();
            if !m.get_flag("skip-unsupported") {
                return Err(CheckpointError::UnsupportedDtype {
                    path: output.clone(),
                    tensor: cannot[0].name.clone(),
                    dtype: cannot[0].dtype,
                    what: format!(
                        "safetensors cannot store {} of the tensors: {}; keep them in a TF checkpoint, or pass --skip-unsupported to leave them out",
                        cannot.len(),
                        names.join(", ")
                    ),
                });
            }
            eprintln!(
                "note: left out {} tensors safetensors cannot store: {}",
                cannot.len(),
                names.join(", ")
            );
        }
        entries = ok;
    }
    let total: u64 = entries.iter().map(|e| e.size_bytes).sum();
    let pb = progress(total, m.get_flag("quiet"), "converting");
    let mut buf = Buffer(Vec::new());
    if to_safetensors {
        let source = src
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut w = SafetensorsWriter::create(
            output,
            entries
                .iter()
                .map(|e| (e.name.as_str(), e.dtype, e.shape.clone())),
            [("source", source)],
        )?;
        for name in w.order().to_vec() {
            let e = src.info(&name)?;
            let len = e.num_elements() * e.dtype.size().unwrap_or(0);
            let bytes = buf.bytes(len);
            src.read_into(&name, bytes)?;
            w.write(&name, bytes)?;
            pb.inc(e.size_bytes);
        }
        pb.set_message("finishing");
        w.finish()?;
    } else {
        let s = output.to_string_lossy();
        let prefix = Path::new(s.strip_suffix(".index").unwrap_or(&s)).to_path_buf();
        let shards = *m.get_one::<u32>("shards").expect("has default") as usize;
        let sizes: Vec<u64> = entries.iter().map(|e| e.size_bytes).collect();
        let assignment = balance_shards(&sizes, shards);
        let mut w = CheckpointWriter::create_sharded(&prefix, shards)?;
        // entries() is in byte-wise name order, which makes the files identical to TF's.
        for (e, &shard) in entries.iter().zip(&assignment) {
            if e.dtype == DataType::String {
                w.add_to_shard(shard, &e.name, &src.read(&e.name)?)?;
            } else {
                let len = e.num_elements() * e.dtype.size().unwrap_or(0);
                let bytes = buf.bytes(len);
                src.read_into(&e.name, bytes)?;
                let view = TensorView::from_bytes(e.dtype, &e.shape, bytes)?;
                w.add_to_shard(shard, &e.name, view)?;
            }
            pb.inc(e.size_bytes);
        }
        pb.set_message("finishing");
        w.finish()?;
    }
    pb.finish_and_clear();
    eprintln!(
        "wrote {} tensors ({} bytes) to {}",
        entries.len(),
        total,
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// A fixed-size tensor's stored values as f64s (complex as re, im pairs),
/// decoded straight from its bytes; `None` for bools (compared bytewise).
fn values(dtype: DataType, b: &[u8]) -> Option<Box<dyn Iterator<Item = f64> + '_>> {
    macro_rules! le {
        ($t:ty, $conv:expr) => {
            Box::new(
                b.chunks_exact(std::mem::size_of::<$t>())
                    .map(|c| <$t>::from_le_bytes(c.try_into().expect("exact chunk")))
                    .map($conv),
            )
        };
    }
    Some(match dtype {
        DataType::Float32 | DataType::Complex64 => le!(f32, f64::from),
        DataType::Float64 | DataType::Complex128 => le!(f64, |x| x),
        DataType::Float16 => le!(u16, |x| f64::from(
            scope_checkpoint::f16::from_bits(x).to_f32()
        )),
        DataType::BFloat16 => le!(u16, |x| f64::from(
            scope_checkpoint::bf16::from_bits(x).to_f32()
        )),
        DataType::Int8 => le!(i8, f64::from),
        DataType::Int16 => le!(i16, f64::from),
        DataType::Int32 => le!(i32, f64::from),
        DataType::Int64 => le!(i64, |x| x as f64),
        DataType::UInt8 => le!(u8, f64::from),
        DataType::UInt16 => le!(u16, f64::from),
        DataType::UInt32 => le!(u32, f64::from),
        DataType::UInt64 => le!(u64, |x| x as f64),
        _ => return None,
    })
}

fn diff(m: &ArgMatches) -> Result<ExitCode, CheckpointError> {
    let a = open(m.get_one::<PathBuf>("a").expect("required"))?;
    let b = open(m.get_one::<PathBuf>("b").expect("required"))?;
    for src in [&a, &b] {
        if let Some(r) = src.resolution() {
            eprintln!("note: {r}");
        }
    }
    let atol = *m.get_one::<f64>("atol").expect("has default");
    let mut differences = 0usize;
    let mut bufs = (Buffer(Vec::new()), Buffer(Vec::new()));
    let names_b: std::collections::BTreeMap<&str, &TensorInfo> =
        b.entries().iter().map(|e| (e.name.as_str(), e)).collect();
    for e in a.entries() {
        if !names_b.contains_key(e.name.as_str()) {
            println!("only in A: {}", e.name);
            differences += 1;
        }
    }
    for e in b.entries() {
        if !a.contains(&e.name) {
            println!("only in B: {}", e.name);
            differences += 1;
        }
    }
    for ea in a.entries() {
        let Some(eb) = names_b.get(ea.name.as_str()) else {
            continue;
        };
        if ea.dtype != eb.dtype {
            println!("dtype differs: {}: {} vs {}", ea.name, ea.dtype, eb.dtype);
            differences += 1;
            continue;
        }
        if ea.shape != eb.shape {
            println!(
                "shape differs: {}: {} vs {}",
                ea.name,
                shape_str(&ea.shape),
                shape_str(&eb.shape)
            );
            differences += 1;
            continue;
        }
        if let Some(d) = value_diff(&*a, &*b, ea, atol, &mut bufs)? {
            println!("values differ: {}: {d}", ea.name);
            differences += 1;
        }
    }
    if m.get_flag("suggest") {
        let only = |x: &dyn TensorSource, other: &dyn TensorSource| -> Vec<(String, Vec<usize>)> {
            x.entries()
                .iter()
                .filter(|e| other.info(&e.name).map_or(true, |o| o.shape != e.shape))
                .map(|e| (e.name.clone(), e.shape.clone()))
                .collect()
        };
        let (from_a, in_b) = (only(&*a, &*b), only(&*b, &*a));
        let file: Vec<scope_checkpoint::Named<'_>> = from_a
            .iter()
            .map(|(n, s)| (n.as_str(), s.as_slice()))
            .collect();
        let model: Vec<scope_checkpoint::Named<'_>> = in_b
            .iter()
            .map(|(n, s)| (n.as_str(), s.as_slice()))
            .collect();
        let rewrites = scope_checkpoint::suggest_rewrites(&model, &file);
        if rewrites.is_empty() {
            println!("no consistent rewrite maps A's names onto B's");
        } else {
            println!("rewrites that map A's names onto B's (as scope-runtime RestoreOptions):");
            for r in &rewrites {
                println!("  {r}");
            }
        }
    }
    if differences == 0 {
        println!(
            "no differences ({} tensors{})",
            a.entries().len(),
            if atol > 0.0 {
                format!(", atol {atol}")
            } else {
                String::new()
            }
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{differences} difference(s)");
        Ok(ExitCode::from(1))
    }
}

fn value_diff(
    a: &dyn TensorSource,
    b: &dyn TensorSource,
    info: &TensorInfo,
    atol: f64,
    bufs: &mut (Buffer, Buffer),
) -> Result<Option<String>, CheckpointError> {
    let name = info.name.as_str();
    if info.dtype == DataType::String {
        let (da, db) = (a.read(name)?, b.read(name)?);
        let n = match (&da, &db) {
            (TensorData::String(x), TensorData::String(y)) => {
                x.iter().zip(y).filter(|(p, q)| p != q).count()
            }
            _ => usize::from(da != db),
        };
        return Ok((n > 0).then(|| format!("{n} of {} elements differ", da.len())));
    }
    // One tensor of each side in memory, read straight into reused buffers.
    let len = info.num_elements() * info.dtype.size().unwrap_or(0);
    let x = bufs.0.bytes(len);
    a.read_into(name, x)?;
    let y = bufs.1.bytes(len);
    b.read_into(name, y)?;
    let (x, y) = (&*x, &*y);
    match (values(info.dtype, x), values(info.dtype, y)) {
        (Some(xs), Some(ys)) => {
            let mut n = 0usize;
            let mut count = 0usize;
            let mut max = 0f64;
            for (p, q) in xs.zip(ys) {
                count += 1;
                if p == q || (p.is_nan() && q.is_nan()) {
                    continue;
                }
                let d = (p - q).abs();
                if d.is_nan() || d > atol || p.is_infinite() || q.is_infinite() {
                    n += 1;
                }
                if d.is_nan() || d > max {
                    max = d;
                }
            }
            Ok((n > 0).then(|| format!("{n} of {count} values differ, max |a-b| = {max:e}")))
        }
        _ => {
            let n = x.iter().zip(y).filter(|(p, q)| p != q).count();
            Ok((n > 0).then(|| format!("{n} of {} elements differ", info.num_elements())))
        }
    }
}
