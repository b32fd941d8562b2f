//! The reader and writer against the TF-written fixtures.

#![forbid(unsafe_code)]

mod common;

use std::path::Path;

use common::*;
use scope_checkpoint::{
    save_checkpoint, save_safetensors, CheckpointError, CheckpointReader, DataType,
    SafetensorsReader, TensorData, TensorSource,
};

/// Checks every tensor of `reader` against a values.json `{tensors: [...]}` object.
fn check_against_values(reader: &CheckpointReader, v: &serde_json::Value) {
    let tensors = v["tensors"].as_array().unwrap();
    assert_eq!(reader.entries().len(), tensors.len());
    assert_eq!(
        reader.num_shards() as u64,
        v["num_shards"].as_u64().unwrap()
    );
    for (e, t) in reader.entries().iter().zip(tensors) {
        assert_eq!(e.name, t["name"].as_str().unwrap());
        assert_eq!(e.dtype.name(), t["dtype"].as_str().unwrap(), "{}", e.name);
        assert_eq!(e.dtype.tf_enum() as u64, t["dtype_enum"].as_u64().unwrap());
        assert_eq!(e.shape, shape_of(t), "{}", e.name);
        let data = reader.read(&e.name).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(data.dtype(), e.dtype);
        assert_eq!(data.shape(), &e.shape[..]);
        assert_eq!(flat(&data), expected(t), "values of {}", e.name);
        if let Some(h) = t.get("data_hex").and_then(|h| h.as_str()) {
            if e.dtype != DataType::String {
                assert_eq!(
                    reader.raw_bytes(&e.name).unwrap().1,
                    hex(h),
                    "bytes of {}",
                    e.name
                );
            }
        }
    }
}

#[test]
fn reads_every_fixture_like_values_json() {
    for (dir, prefix) in [
        ("dtypes", "dtypes.ckpt"),
        ("extra_dtypes", "extra_dtypes.ckpt"),
        ("sharded", "model.ckpt"),
        ("multi_block", "many.ckpt"),
        ("corrupt/intact", "small.ckpt"),
    ] {
        let r = CheckpointReader::open(ckpts().join(dir).join(prefix)).unwrap();
        check_against_values(&r, &json(ckpts().join(dir).join("values.json")));
    }
    let latest = json(ckpts().join("latest/values.json"));
    for step in ["weights-10", "weights-20"] {
        let r = CheckpointReader::open(ckpts().join("latest").join(step)).unwrap();
        check_against_values(&r, &latest["checkpoints"][step]);
    }
}

#[test]
fn multi_block_index_has_two_blocks_and_700_tensors() {
    let v = json(ckpts().join("multi_block/values.json"));
    assert_eq!(
        v["index_layout"]["data_blocks"].as_array().unwrap().len(),
        2
    );
    let r = CheckpointReader::open(ckpts().join("multi_block/many.ckpt")).unwrap();
    assert_eq!(r.entries().len(), 700);
    // Tensor i holds the value i; look some up by name through both blocks.
    for t in v["tensors"].as_array().unwrap().iter().step_by(97) {
        let name = t["name"].as_str().unwrap();
        let a = r.read_as::<f32>(name).unwrap();
        assert_eq!(f64::from(a[[]]), t["values"][0].as_f64().unwrap());
    }
}

#[test]
fn opening_a_directory_follows_the_state_file() {
    let r = CheckpointReader::open(ckpts().join("latest")).unwrap();
    assert!(r.prefix().ends_with("weights-20"));
    let v = json(ckpts().join("latest/values.json"));
    check_against_values(&r, &v["checkpoints"]["weights-20"]);
    let r = CheckpointReader::open(fixtures().join("tiny_gpt2")).unwrap();
    assert_eq!(r.entries().len(), 28);
    // .index and .data-* paths work as prefixes too.
    let r = CheckpointReader::open(ckpts().join("sharded/model.ckpt.index")).unwrap();
    assert_eq!(r.num_shards(), 2);
    let r = CheckpointReader::open(ckpts().join("sharded/model.ckpt.data-00001-of-00002")).unwrap();
    assert_eq!(r.entries().len(), 7);
    // A directory without a state file but one checkpoint.
    let r = CheckpointReader::open(ckpts().join("dtypes")).unwrap();
    assert_eq!(r.entries().len(), 36);
}

#[test]
fn tiny_gpt2_matches_manifest_and_its_safetensors_copy() {
    for dir in ["tiny_gpt2", "tiny_gpt2_sharp"] {
        let d = fixtures().join(dir);
        let r = CheckpointReader::open(d.join("model.ckpt")).unwrap();
        let st = SafetensorsReader::open(d.join("model.safetensors")).unwrap();
        assert_eq!(
            st.metadata().get("source").map(String::as_str),
            Some("model.ckpt")
        );
        let manifest = json(d.join("manifest.json"));
        let vars = manifest["variables"].as_array().unwrap();
        assert_eq!(vars.len(), r.entries().len());
        for v in vars {
            let name = v["name"].as_str().unwrap();
            let info = r.info(name).unwrap();
            assert_eq!(info.shape, shape_of(v));
            assert_eq!(info.dtype, DataType::Float32);
        }
        assert_eq!(r.entries(), st.entries());
        for e in r.entries() {
            let a = r.read_as::<f32>(&e.name).unwrap();
            assert_eq!(a, st.read_as::<f32>(&e.name).unwrap());
            assert_eq!(a.view(), r.view::<f32>(&e.name).unwrap());
            assert_eq!(a.view(), st.view::<f32>(&e.name).unwrap());
        }
    }
}

#[test]
fn dtypes_safetensors_equals_the_checkpoint() {
    let r = CheckpointReader::open(ckpts().join("dtypes/dtypes.ckpt")).unwrap();
    let st = SafetensorsReader::open(ckpts().join("dtypes/dtypes.safetensors")).unwrap();
    assert_eq!(r.entries(), st.entries());
    for e in r.entries() {
        assert_eq!(
            flat(&r.read(&e.name).unwrap()),
            flat(&st.read(&e.name).unwrap()),
            "{}",
            e.name
        );
    }
    let any = scope_checkpoint::open(ckpts().join("dtypes/dtypes.safetensors")).unwrap();
    assert_eq!(any.format(), scope_checkpoint::Format::Safetensors);
    assert_eq!(any.view::<i64>("a/b_1/c").unwrap()[[]], -5);
}

fn read_all(r: &dyn TensorSource) -> Vec<(String, TensorData)> {
    r.entries()
        .iter()
        .map(|e| (e.name.clone(), r.read(&e.name).unwrap()))
        .collect()
}

fn assert_same_file(a: &Path, b: &Path) {
    let (x, y) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    assert!(
        x == y,
        "{} ({} bytes) differs from {} ({} bytes)",
        a.display(),
        x.len(),
        b.display(),
        y.len()
    );
}

#[test]
fn rewrites_are_byte_identical_to_tf() {
    let tmp = tempfile::tempdir().unwrap();
    for (dir, prefix) in [
        ("checkpoints/dtypes", "dtypes.ckpt"),
        ("checkpoints/extra_dtypes", "extra_dtypes.ckpt"),
        ("checkpoints/multi_block", "many.ckpt"),
        ("checkpoints/corrupt/intact", "small.ckpt"),
        ("checkpoints/latest", "weights-10"),
        ("tiny_gpt2", "model.ckpt"),
        ("tiny_gpt2_sharp", "model.ckpt"),
    ] {
        let src = fixtures().join(dir).join(prefix);
        let r = CheckpointReader::open(&src).unwrap();
        let tensors = read_all(&r);
        let out = tmp.path().join(dir).join(prefix);
        // Shuffled input: the writer must sort like TF's Saver.
        save_checkpoint(&out, tensors.iter().rev().map(|(n, d)| (n, d))).unwrap();
        for suffix in [".index", ".data-00000-of-00001"] {
            assert_same_file(
                Path::new(&format!("{}{suffix}", src.display())),
                Path::new(&format!("{}{suffix}", out.display())),
            );
        }
    }
}

#[test]
fn state_files_are_byte_identical_to_tf() {
    let tmp = tempfile::tempdir().unwrap();
    for step in ["weights-10", "weights-20"] {
        let r = CheckpointReader::open(ckpts().join("latest").join(step)).unwrap();
        let t = read_all(&r);
        save_checkpoint(tmp.path().join(step), t.iter().map(|(n, d)| (n, d))).unwrap();
    }
    assert_same_file(
        &ckpts().join("latest/checkpoint"),
        &tmp.path().join("checkpoint"),
    );
    for f in ["weights-20.index", "weights-20.data-00000-of-00001"] {
        assert_same_file(&ckpts().join("latest").join(f), &tmp.path().join(f));
    }
    let r = CheckpointReader::open(fixtures().join("tiny_gpt2")).unwrap();
    let t = read_all(&r);
    save_checkpoint(
        tmp.path().join("gpt/model.ckpt"),
        t.iter().map(|(n, d)| (n, d)),
    )
    .unwrap();
    assert_same_file(
        &fixtures().join("tiny_gpt2/checkpoint"),
        &tmp.path().join("gpt/checkpoint"),
    );
}

#[test]
fn safetensors_rewrites_are_byte_identical_to_the_python_package() {
    let tmp = tempfile::tempdir().unwrap();
    for (file, source) in [
        ("checkpoints/dtypes/dtypes.safetensors", "dtypes.ckpt"),
        ("tiny_gpt2/model.safetensors", "model.ckpt"),
        ("tiny_gpt2_sharp/model.safetensors", "model.ckpt"),
    ] {
        let st = SafetensorsReader::open(fixtures().join(file)).unwrap();
        let t = read_all(&st);
        let out = tmp.path().join(file.replace('/', "_"));
        save_safetensors(&out, t.iter().map(|(n, d)| (n, d)), [("source", source)]).unwrap();
        assert_same_file(&fixtures().join(file), &out);
    }
}

#[test]
fn sharded_reads_alternate_between_data_files() {
    let r = CheckpointReader::open(ckpts().join("sharded/model.ckpt")).unwrap();
    assert_eq!(
        r.read_as::<i64>("global_step").unwrap()[[]],
        json(ckpts().join("sharded/values.json"))["tensors"][6]["values"][0]
            .as_i64()
            .unwrap()
    );
    assert!(matches!(
        r.read_as::<f32>("global_step"),
        Err(CheckpointError::DtypeMismatch { .. })
    ));
}

#[test]
fn zero_copy_views_refuse_misaligned_offsets() {
    let r = CheckpointReader::open(ckpts().join("dtypes/dtypes.ckpt")).unwrap();
    let v = json(ckpts().join("dtypes/values.json"));
    let mut misaligned = 0;
    for t in v["tensors"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        if t["dtype"] != "float64" {
            continue;
        }
        let off = t["offset"].as_u64().unwrap();
        match r.view::<f64>(name) {
            Ok(a) => assert_eq!(flat(&TensorData::Float64(a.to_owned())), expected(t)),
            Err(CheckpointError::Misaligned { offset, align, .. }) => {
                assert_eq!((offset, align), (off, 8));
                assert_ne!(off % 8, 0);
                misaligned += 1;
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert!(
        misaligned > 0,
        "the fixture has misaligned f64 tensors; the test must see one"
    );
}
