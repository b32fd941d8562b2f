//! `scope-ckpt`: list, convert and compare TF checkpoints and safetensors files.
//!
//! Exit status: 0 on success (for `diff`: no difference), 1 when `diff`
//! finds differences, 2 on any error (bad path, damaged file, bad usage).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};
use indicatif::{ProgressBar, ProgressStyle};
use scope_checkpoint::{
    open, save_safetensors, CheckpointError, CheckpointWriter, SaveOptions, TensorData, TensorInfo,
    TensorSource,
};

/// Inputs larger than this get a progress bar (when stderr is a terminal).
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
                ),
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
    if m.get_flag("json") {
        // Written by hand to keep the keys in the documented order: name, dtype, shape.
        let items: Vec<String> = src
            .entries()
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
        let dtypes: Vec<String> = src.entries().iter().map(|e| e.dtype.to_string()).collect();
        print!(
            "{}",
            scope_checkpoint::tree::render_tree(src.entries().iter().zip(&dtypes).map(|(e, d)| {
                scope_checkpoint::tree::TreeItem {
                    name: &e.name,
                    shape: &e.shape,
                    dtype: d,
                }
            }))
        );
    } else {
        for e in src.entries() {
            println!("{}\t{}\t{}", e.name, e.dtype, shape_str(&e.shape));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn progress(total: u64, quiet: bool, what: &str) -> ProgressBar {
    if quiet || total < PROGRESS_BYTES {
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

fn convert(m: &ArgMatches) -> Result<ExitCode, CheckpointError> {
    let input = m.get_one::<PathBuf>("input").expect("required");
    let output = m.get_one::<PathBuf>("output").expect("required");
    let to_safetensors = match m.get_one::<String>("to").map(String::as_str) {
        Some("safetensors") => true,
        Some(_) => false,
        None => output.extension().is_some_and(|e| e == "safetensors"),
    };
    let src = open(input)?;
    let total: u64 = src.entries().iter().map(|e| e.size_bytes).sum();
    let pb = progress(total, m.get_flag("quiet"), "converting");
    if to_safetensors {
        let mut tensors: Vec<(String, TensorData)> = Vec::with_capacity(src.entries().len());
        for e in src.entries() {
            tensors.push((e.name.clone(), src.read(&e.name)?));
            pb.inc(e.size_bytes);
        }
        let source = src
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        pb.set_message("writing");
        save_safetensors(
            output,
            tensors.iter().map(|(n, d)| (n, d)),
            [("source", source)],
        )?;
    } else {
        let s = output.to_string_lossy();
        let prefix = Path::new(s.strip_suffix(".index").unwrap_or(&s)).to_path_buf();
        let mut w = CheckpointWriter::create_with(&prefix, SaveOptions::default())?;
        // entries() is in byte-wise name order, which makes the files identical to TF's.
        for e in src.entries() {
            w.add(&e.name, &src.read(&e.name)?)?;
            pb.inc(e.size_bytes);
        }
        pb.set_message("finishing");
        w.finish()?;
    }
    pb.finish_and_clear();
    eprintln!(
        "wrote {} tensors ({} bytes) to {}",
        src.entries().len(),
        total,
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Numeric values as f64s (complex as re, im pairs); `None` for strings and bools.
fn as_f64(d: &TensorData) -> Option<Vec<f64>> {
    Some(match d {
        TensorData::Float32(a) => a.iter().map(|&x| f64::from(x)).collect(),
        TensorData::Float64(a) => a.iter().copied().collect(),
        TensorData::Float16(a) => a.iter().map(|x| f64::from(x.to_f32())).collect(),
        TensorData::BFloat16(a) => a.iter().map(|x| f64::from(x.to_f32())).collect(),
        TensorData::Int8(a) => a.iter().map(|&x| f64::from(x)).collect(),
        TensorData::Int16(a) => a.iter().map(|&x| f64::from(x)).collect(),
        TensorData::Int32(a) => a.iter().map(|&x| f64::from(x)).collect(),
        TensorData::Int64(a) => a.iter().map(|&x| x as f64).collect(),
        TensorData::UInt8(a) => a.iter().map(|&x| f64::from(x)).collect(),
        TensorData::UInt16(a) => a.iter().map(|&x| f64::from(x)).collect(),
        TensorData::UInt32(a) => a.iter().map(|&x| f64::from(x)).collect(),
        TensorData::UInt64(a) => a.iter().map(|&x| x as f64).collect(),
        TensorData::Complex64(a) => a
            .iter()
            .flat_map(|c| [f64::from(c.re), f64::from(c.im)])
            .collect(),
        TensorData::Complex128(a) => a.iter().flat_map(|c| [c.re, c.im]).collect(),
        _ => return None,
    })
}

fn diff(m: &ArgMatches) -> Result<ExitCode, CheckpointError> {
    let a = open(m.get_one::<PathBuf>("a").expect("required"))?;
    let b = open(m.get_one::<PathBuf>("b").expect("required"))?;
    let atol = *m.get_one::<f64>("atol").expect("has default");
    let mut differences = 0usize;
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
        if let Some(d) = value_diff(&*a, &*b, &ea.name, atol)? {
            println!("values differ: {}: {d}", ea.name);
            differences += 1;
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
    name: &str,
    atol: f64,
) -> Result<Option<String>, CheckpointError> {
    let (da, db) = (a.read(name)?, b.read(name)?);
    match (as_f64(&da), as_f64(&db)) {
        (Some(x), Some(y)) => {
            let mut n = 0usize;
            let mut max = 0f64;
            for (p, q) in x.iter().zip(&y) {
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
            Ok((n > 0).then(|| format!("{n} of {} values differ, max |a-b| = {max:e}", x.len())))
        }
        _ => {
            let n = match (&da, &db) {
                (TensorData::String(x), TensorData::String(y)) => {
                    x.iter().zip(y).filter(|(p, q)| p != q).count()
                }
                (TensorData::Bool(x), TensorData::Bool(y)) => {
                    x.iter().zip(y).filter(|(p, q)| p != q).count()
                }
                _ => usize::from(da != db),
            };
            Ok((n > 0).then(|| format!("{n} of {} elements differ", da.len())))
        }
    }
}
