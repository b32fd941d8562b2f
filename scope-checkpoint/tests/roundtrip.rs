//! Save → read round trips of every dtype, and atomic saves.

#![forbid(unsafe_code)]

use ndarray::{ArrayD, IxDyn};
use scope_checkpoint::{
    bf16, f16, save_checkpoint, save_safetensors, CheckpointError, CheckpointReader,
    CheckpointWriter, Complex, DataType, SafetensorsReader, TensorData,
};

fn arr<T: Clone>(shape: &[usize], f: impl Fn(usize) -> T) -> ArrayD<T> {
    let n: usize = shape.iter().product();
    ArrayD::from_shape_vec(IxDyn(shape), (0..n).map(f).collect()).unwrap()
}

fn every_dtype() -> Vec<(String, TensorData)> {
    let s = [2usize, 3, 5];
    let mut v: Vec<(String, TensorData)> = vec![
        ("f32".into(), arr(&s, |i| i as f32 * 0.5 - 3.0).into()),
        ("f64".into(), arr(&s, |i| (i as f64).sin()).into()),
        (
            "f16".into(),
            arr(&s, |i| f16::from_f32(i as f32 / 7.0)).into(),
        ),
        (
            "bf16".into(),
            arr(&s, |i| bf16::from_f32(-(i as f32) * 1.25)).into(),
        ),
        ("i8".into(), arr(&s, |i| (i as i8).wrapping_mul(9)).into()),
        ("i16".into(), arr(&s, |i| i as i16 * -300).into()),
        ("i32".into(), arr(&s, |i| i as i32 * 70000).into()),
        ("i64".into(), arr(&s, |i| i as i64 * -(1 << 40)).into()),
        ("u8".into(), arr(&s, |i| (i * 8) as u8).into()),
        ("u16".into(), arr(&s, |i| (i * 2000) as u16).into()),
        ("u32".into(), arr(&s, |i| u32::MAX - i as u32).into()),
        ("u64".into(), arr(&s, |i| u64::MAX - i as u64).into()),
        ("bool".into(), arr(&s, |i| i % 3 == 0).into()),
        (
            "c64".into(),
            arr(&s, |i| Complex::new(i as f32, -1.0)).into(),
        ),
        (
            "c128".into(),
            arr(&s, |i| Complex::new(0.5, i as f64)).into(),
        ),
        ("scalar".into(), arr(&[], |_| 9i64).into()),
        ("empty".into(), arr(&[0, 4], |_| 0f32).into()),
        ("str".into(), arr(&[2, 2], |i| vec![b'x'; i * 100]).into()),
        ("str/scalar".into(), arr(&[], |_| b"hello".to_vec()).into()),
        (
            "str/empty".into(),
            ArrayD::<Vec<u8>>::from_shape_vec(IxDyn(&[0]), vec![])
                .unwrap()
                .into(),
        ),
    ];
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[test]
fn every_dtype_round_trips_through_a_checkpoint() {
    let tmp = tempfile::tempdir().unwrap();
    let tensors = every_dtype();
    let prefix = tmp.path().join("sub/dir/model.ckpt");
    save_checkpoint(&prefix, tensors.iter().map(|(n, d)| (n, d))).unwrap();
    let r = CheckpointReader::open(tmp.path().join("sub/dir")).unwrap();
    assert_eq!(r.entries().len(), tensors.len());
    for (name, data) in &tensors {
        let got = r.read(name).unwrap();
        assert_eq!(&got, data, "{name}");
        assert_eq!(r.info(name).unwrap().dtype, data.dtype());
    }
    let covered: std::collections::BTreeSet<DataType> =
        tensors.iter().map(|(_, d)| d.dtype()).collect();
    assert_eq!(covered.len(), scope_checkpoint::ALL_DTYPES.len());
}

#[test]
fn non_contiguous_views_are_saved_in_logical_order() {
    let tmp = tempfile::tempdir().unwrap();
    let a = arr(&[3, 4], |i| i as f32);
    let t = a.t();
    let prefix = tmp.path().join("t.ckpt");
    save_checkpoint(&prefix, [("t", t.view().into_dyn())]).unwrap();
    let got = CheckpointReader::open(&prefix)
        .unwrap()
        .read_as::<f32>("t")
        .unwrap();
    assert_eq!(got, t.to_owned().into_dyn());
    save_safetensors(
        tmp.path().join("t.safetensors"),
        [("t", t.view().into_dyn())],
        [("k", "v")],
    )
    .unwrap();
    let st = SafetensorsReader::open(tmp.path().join("t.safetensors")).unwrap();
    assert_eq!(st.read_as::<f32>("t").unwrap(), t.to_owned().into_dyn());
}

#[test]
fn every_safetensors_dtype_round_trips_and_strings_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let all = every_dtype();
    let ok: Vec<_> = all
        .iter()
        .filter(|(_, d)| d.dtype().safetensors_name().is_some())
        .collect();
    let p = tmp.path().join("m.safetensors");
    save_safetensors(
        &p,
        ok.iter().map(|(n, d)| (n, d)),
        std::iter::empty::<(String, String)>(),
    )
    .unwrap();
    let st = SafetensorsReader::open(&p).unwrap();
    for (name, data) in &ok {
        assert_eq!(&st.read(name).unwrap(), data, "{name}");
    }
    assert!(st.metadata().is_empty());
    let e = save_safetensors(
        tmp.path().join("s.safetensors"),
        all.iter().map(|(n, d)| (n, d)),
        [("a", "b")],
    )
    .unwrap_err();
    assert!(
        matches!(e, CheckpointError::UnsupportedDtype { .. }),
        "{e:?}"
    );
    assert!(!tmp.path().join("s.safetensors").exists());
}

#[test]
fn duplicate_and_empty_names_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let a = arr(&[2], |i| i as f32);
    let e = save_checkpoint(tmp.path().join("d.ckpt"), [("x", &a), ("x", &a)]).unwrap_err();
    assert!(matches!(e, CheckpointError::InvalidInput { .. }));
    let e = save_checkpoint(tmp.path().join("d.ckpt"), [("", &a)]).unwrap_err();
    assert!(matches!(e, CheckpointError::InvalidInput { .. }));
    assert!(!tmp.path().join("d.ckpt.index").exists());
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "temporary files left behind"
    );
}

fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn an_interrupted_save_leaves_the_previous_checkpoint_and_state_file_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let old = arr(&[4], |i| i as f32);
    save_checkpoint(tmp.path().join("ckpt-1"), [("w", &old)]).unwrap();
    let state_before = std::fs::read(tmp.path().join("checkpoint")).unwrap();
    let files_before = listing(tmp.path());

    // 1. A writer abandoned half-way (an error in the caller, say).
    let new = arr(&[1 << 20], |i| i as f32);
    {
        let mut w = CheckpointWriter::create(tmp.path().join("ckpt-2")).unwrap();
        w.add("w", &new).unwrap();
        assert!(
            listing(tmp.path())
                .iter()
                .any(|f| f.starts_with(".ckpt-2.data")),
            "temp file beside the target"
        );
        // dropped without finish()
    }
    // 2. A panic in the middle of a save (e.g. from the tensor producer).
    let r = std::panic::catch_unwind(|| {
        let mut w = CheckpointWriter::create(tmp.path().join("ckpt-2")).unwrap();
        w.add("a", &new).unwrap();
        panic!("killed mid-save");
    });
    assert!(r.is_err());
    // 3. Overwriting the same prefix with a save that fails at a bad tensor name.
    let e = save_checkpoint(tmp.path().join("ckpt-1"), [("w", &new), ("w", &new)]).unwrap_err();
    assert!(matches!(e, CheckpointError::InvalidInput { .. }));

    assert_eq!(
        listing(tmp.path()),
        files_before,
        "no partial or temporary file remains"
    );
    assert_eq!(
        std::fs::read(tmp.path().join("checkpoint")).unwrap(),
        state_before
    );
    let r = CheckpointReader::open(tmp.path()).unwrap();
    assert!(r.prefix().ends_with("ckpt-1"));
    assert_eq!(r.read_as::<f32>("w").unwrap(), old);

    // A completed save then becomes the latest, and the old one stays listed and readable.
    save_checkpoint(tmp.path().join("ckpt-2"), [("w", &new)]).unwrap();
    let st = scope_checkpoint::read_checkpoint_state(tmp.path()).unwrap();
    assert_eq!(st.model_checkpoint_path, "ckpt-2");
    assert_eq!(st.all_model_checkpoint_paths, ["ckpt-1", "ckpt-2"]);
    assert_eq!(
        CheckpointReader::open(tmp.path())
            .unwrap()
            .read_as::<f32>("w")
            .unwrap(),
        new
    );
    assert_eq!(
        CheckpointReader::open(tmp.path().join("ckpt-1"))
            .unwrap()
            .read_as::<f32>("w")
            .unwrap(),
        old
    );
    // Overwriting a prefix in place works and leaves no temporary file.
    save_checkpoint(tmp.path().join("ckpt-1"), [("w", &new)]).unwrap();
    assert_eq!(
        CheckpointReader::open(tmp.path().join("ckpt-1"))
            .unwrap()
            .read_as::<f32>("w")
            .unwrap(),
        new
    );
    assert!(listing(tmp.path()).iter().all(|f| !f.starts_with('.')));
}

#[test]
fn borrowed_views_from_a_reader_can_be_saved_directly() {
    let tmp = tempfile::tempdir().unwrap();
    let src = CheckpointReader::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/tiny_gpt2/model.ckpt"
    ))
    .unwrap();
    let views: Vec<_> = src
        .entries()
        .iter()
        .map(|e| (e.name.clone(), src.view::<f32>(&e.name).unwrap()))
        .collect();
    save_checkpoint(
        tmp.path().join("copy.ckpt"),
        views.iter().map(|(n, v)| (n, v.clone())),
    )
    .unwrap();
    let a = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/tiny_gpt2/model.ckpt.index"
    ))
    .unwrap();
    assert_eq!(
        a,
        std::fs::read(tmp.path().join("copy.ckpt.index")).unwrap()
    );
}
