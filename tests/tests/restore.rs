//! Restoring graphs from TF checkpoints and safetensors by name: strict
//! reports, lenient loads, assignment maps into renamed scopes, round trips.

use std::path::PathBuf;

use scope_runtime::{
    get_variable, variable_scope, DType, Graph, Initializer, LoadError, RestoreOptions, Value,
};

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(rel)
}

fn var(graph: &Graph, scope: &str, name: &str, shape: &[usize]) {
    let _d = graph.as_default();
    let _vs = variable_scope(scope)
        .reuse(scope_runtime::Reuse::Auto)
        .enter()
        .unwrap();
    get_variable(name).shape(shape).get().unwrap();
}

#[test]
fn strict_restore_lists_every_problem_and_assigns_nothing() {
    let graph = Graph::with_seed(3);
    var(&graph, "model", "wte", &[96, 32]);
    var(&graph, "model", "wpe", &[16, 32]); // wrong shape: [32, 32] in the file
    var(&graph, "model", "extra", &[2]); // not in the file
    let before = graph
        .variable_by_op_name("model/wte")
        .unwrap()
        .to_vec::<f32>()
        .unwrap();

    let err = graph.restore(fixture("tiny_gpt2")).unwrap_err();
    let LoadError::Mismatch(report) = &err else {
        panic!("expected a mismatch report, got {err}");
    };
    assert_eq!(
        report.missing,
        vec![("model/extra".to_string(), "model/extra".to_string())]
    );
    assert_eq!(report.mismatched.len(), 1);
    assert_eq!(report.mismatched[0].variable, "model/wpe");
    assert_eq!(report.mismatched[0].file_shape, vec![32, 32]);
    assert_eq!(report.unexpected.len(), 26);
    assert!(report.loaded.is_empty());
    let msg = err.to_string();
    assert!(
        msg.contains("1 missing, 26 unexpected, 1 mismatched"),
        "{msg}"
    );
    assert!(msg.contains("model/h0/ln_1/g"), "{msg}");
    // Nothing was assigned.
    assert_eq!(
        graph
            .variable_by_op_name("model/wte")
            .unwrap()
            .to_vec::<f32>()
            .unwrap(),
        before
    );
}

#[test]
fn lenient_restore_loads_what_matches_and_reports_the_rest() {
    let graph = Graph::new();
    var(&graph, "model", "wte", &[96, 32]);
    var(&graph, "model", "missing", &[3]);
    let report = graph
        .restore_with(
            fixture("tiny_gpt2/model.safetensors"),
            &RestoreOptions::lenient(),
        )
        .unwrap();
    assert_eq!(report.loaded, vec!["model/wte".to_string()]);
    assert_eq!(report.missing.len(), 1);
    assert_eq!(report.unexpected.len(), 27);
    let from_file = scope_runtime::format::open(fixture("tiny_gpt2/model.safetensors"))
        .unwrap()
        .read_as::<f32>("model/wte")
        .unwrap();
    assert_eq!(
        graph
            .variable_by_op_name("model/wte")
            .unwrap()
            .to_vec::<f32>()
            .unwrap(),
        from_file.iter().copied().collect::<Vec<f32>>()
    );
}

#[test]
fn assignment_map_loads_into_renamed_scopes() {
    // The file has model/h0/ln_1/{g,b}; the model calls the scope encoder/layer_0/norm.
    let graph = Graph::new();
    var(&graph, "encoder/layer_0/norm", "g", &[32]);
    var(&graph, "encoder/layer_0/norm", "b", &[32]);
    let options = RestoreOptions::strict().map("model/h0/ln_1/", "encoder/layer_0/norm/");
    let report = graph.restore_with(fixture("tiny_gpt2"), &options).unwrap();
    assert_eq!(report.loaded.len(), 2);
    let g = graph.variable_by_op_name("encoder/layer_0/norm/g").unwrap();
    let expected = scope_runtime::format::open(fixture("tiny_gpt2"))
        .unwrap()
        .read_as::<f32>("model/h0/ln_1/g")
        .unwrap();
    assert_eq!(
        g.to_vec::<f32>().unwrap(),
        expected.iter().copied().collect::<Vec<f32>>()
    );

    // A one-tensor mapping, and the whole file's root mapped under a scope.
    let graph = Graph::new();
    var(&graph, "renamed", "embedding", &[96, 32]);
    let report = graph
        .restore_with(
            fixture("tiny_gpt2"),
            &RestoreOptions::strict().map("model/wte", "renamed/embedding"),
        )
        .unwrap();
    assert_eq!(report.loaded, vec!["renamed/embedding".to_string()]);

    let graph = Graph::new();
    var(&graph, "outer/model", "wte", &[96, 32]);
    let report = graph
        .restore_with(
            fixture("tiny_gpt2"),
            &RestoreOptions::lenient().map("/", "outer/"),
        )
        .unwrap();
    assert_eq!(report.loaded, vec!["outer/model/wte".to_string()]);
}

#[test]
fn save_and_restore_round_trip_every_dtype() {
    let tmp = tempfile::tempdir().unwrap();
    let make = |seed| {
        let graph = Graph::with_seed(seed);
        {
            let _d = graph.as_default();
            let _vs = variable_scope("net").enter().unwrap();
            get_variable("w").shape(&[3, 2]).get().unwrap();
            get_variable("w64")
                .shape(&[2])
                .dtype(DType::F64)
                .initializer(Initializer::random_normal())
                .get()
                .unwrap();
            get_variable("steps")
                .initializer(Value::from(7i64))
                .get()
                .unwrap();
            get_variable("ids")
                .shape(&[4])
                .dtype(DType::I32)
                .initializer(Initializer::constant(5))
                .get()
                .unwrap();
        }
        graph
    };
    let a = make(1);
    a.save_checkpoint(tmp.path().join("ckpt")).unwrap();
    a.save_safetensors(tmp.path().join("w.safetensors"))
        .unwrap();
    for path in [tmp.path().to_path_buf(), tmp.path().join("w.safetensors")] {
        let b = make(2);
        let values = |g: &Graph| -> Vec<Vec<f64>> {
            g.variables()
                .iter()
                .map(|v| v.to_f64_vec().unwrap())
                .collect()
        };
        assert_ne!(values(&a)[0], values(&b)[0]);
        b.restore(&path).unwrap();
        assert_eq!(values(&a), values(&b), "from {}", path.display());
        for (x, y) in a.variables().iter().zip(b.variables()) {
            assert_eq!((x.name(), x.dtype()), (y.name(), y.dtype()));
        }
    }
}

#[test]
fn corrupt_and_missing_files_are_typed_errors() {
    let graph = Graph::new();
    var(&graph, "", "v", &[1]);
    let err = graph.restore(fixture("nope/model.ckpt")).unwrap_err();
    assert!(matches!(err, LoadError::Checkpoint(_)), "{err}");
    assert!(err.to_string().contains("nope"), "{err}");
    let err = graph
        .restore(fixture("checkpoints/corrupt/bad_footer_magic/small.ckpt"))
        .unwrap_err();
    assert!(matches!(err, LoadError::Checkpoint(_)), "{err}");
}
