//! Restoring graphs from TF checkpoints and safetensors by name: strict
//! reports, lenient loads, assignment maps into renamed scopes, round trips.

#![forbid(unsafe_code)]

use std::path::PathBuf;

use scope_runtime::{
    get_variable, variable_scope, DType, Graph, Initializer, RestoreError, RestoreOptions, Value,
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
    let RestoreError::Mismatch(report) = &err else {
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
    assert!(matches!(err, RestoreError::Checkpoint(_)), "{err}");
    assert!(err.to_string().contains("nope"), "{err}");
    let err = graph
        .restore(fixture("checkpoints/corrupt/bad_footer_magic/small.ckpt"))
        .unwrap_err();
    assert!(matches!(err, RestoreError::Checkpoint(_)), "{err}");
}

/// A fixture's `values.json`: name -> (dtype, shape, values as f64).
fn tf_values(dir: &str) -> Vec<(String, String, Vec<usize>, serde_json::Value)> {
    let text = std::fs::read_to_string(fixture(dir).join("values.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["tensors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                t["dtype"].as_str().unwrap().to_string(),
                t["shape"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d.as_u64().unwrap() as usize)
                    .collect(),
                t["values"].clone(),
            )
        })
        .collect()
}

fn as_f64s(values: &serde_json::Value) -> Vec<f64> {
    values
        .as_array()
        .unwrap()
        .iter()
        .map(|v| match v {
            serde_json::Value::Bool(b) => f64::from(u8::from(*b)),
            other => other.as_f64().unwrap(),
        })
        .collect()
}

#[test]
fn training_state_never_fails_a_strict_restore_and_ema_shadows_load_on_request() {
    // Written by TF (tools/tf-differential/checkpoint_fixtures.py): model
    // variables, six optimizers' slots, EMA shadows, global_step.
    let text = std::fs::read_to_string(fixture("checkpoints/slots/values.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let model: Vec<String> = json["model_variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let tensors = tf_values("checkpoints/slots");
    let make = || {
        let graph = Graph::new();
        for name in &model {
            let (_, _, shape, _) = tensors.iter().find(|t| &t.0 == name).unwrap();
            let (scope, leaf) = name.rsplit_once('/').unwrap();
            var(&graph, scope, leaf, shape);
        }
        graph
    };
    let graph = make();
    let report = graph.restore(fixture("checkpoints/slots")).unwrap();
    assert_eq!(report.loaded.len(), model.len());
    assert!(report.unexpected.is_empty(), "{report}");
    assert!(report
        .optimizer_state
        .iter()
        .any(|t| t.ends_with("/Adam_1")));
    assert!(report.optimizer_state.iter().any(|t| t == "global_step"));
    assert_eq!(report.ema_shadows.len(), model.len());
    assert!(
        report.to_string().contains("optimizer tensor(s)"),
        "{report}"
    );
    for name in &model {
        let (_, _, _, values) = tensors.iter().find(|t| &t.0 == name).unwrap();
        let v = graph.variable_by_op_name(name).unwrap();
        assert_eq!(v.to_f64_vec().unwrap(), as_f64s(values), "{name}");
    }

    let graph = make();
    let options = RestoreOptions::strict().ema_shadows(true);
    let report = graph
        .restore_with(fixture("checkpoints/slots"), &options)
        .unwrap();
    assert_eq!(report.from_ema.len(), model.len());
    for name in &model {
        let shadow = format!("{name}/ExponentialMovingAverage");
        let (_, _, _, values) = tensors.iter().find(|t| t.0 == shadow).unwrap();
        let v = graph.variable_by_op_name(name).unwrap();
        assert_eq!(
            v.to_f64_vec().unwrap(),
            as_f64s(values),
            "{name} from its shadow"
        );
    }
}

#[test]
fn partitioned_variables_restore_as_full_tensors() {
    // TF's Saver wrote each partitioned variable as slices (one data shard,
    // and spread over three devices' shards).
    for dir in ["checkpoints/partitioned", "checkpoints/partitioned_sharded"] {
        let graph = Graph::new();
        let mut expected = Vec::new();
        for (name, dtype, shape, values) in tf_values(dir) {
            let Ok(dtype) = dtype.parse::<DType>() else {
                continue; // complex/int8: no candle dtype
            };
            let _d = graph.as_default();
            get_variable(&name)
                .shape(&shape)
                .dtype(dtype)
                .initializer(scope_runtime::Initializer::Zeros)
                .get()
                .unwrap();
            expected.push((name, as_f64s(&values)));
        }
        assert!(expected.len() >= 3, "{dir}");
        let report = graph
            .restore_with(fixture(dir), &RestoreOptions::lenient())
            .unwrap();
        assert!(
            report.missing.is_empty() && report.mismatched.is_empty(),
            "{report}"
        );
        for (name, values) in expected {
            let v = graph.variable_by_op_name(&name).unwrap();
            assert_eq!(v.to_f64_vec().unwrap(), values, "{dir}: {name}");
        }
    }
}

#[test]
fn a_moved_checkpoint_directory_restores_and_the_report_says_which_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    let src = fixture("tiny_gpt2");
    for f in ["model.ckpt.index", "model.ckpt.data-00000-of-00001"] {
        std::fs::copy(src.join(f), tmp.path().join(f)).unwrap();
    }
    // The state file of the machine that trained it.
    std::fs::write(
        tmp.path().join("checkpoint"),
        "model_checkpoint_path: \"/nonexistent/run-17/model.ckpt\"\n\
         all_model_checkpoint_paths: \"/nonexistent/run-17/model.ckpt\"\n",
    )
    .unwrap();
    let graph = Graph::new();
    var(&graph, "model", "wte", &[96, 32]);
    let report = graph
        .restore_with(tmp.path(), &RestoreOptions::lenient())
        .unwrap();
    assert_eq!(report.loaded, ["model/wte"]);
    let note = report.resolution.clone().expect("a relocation note");
    assert!(note.contains("/nonexistent/run-17/model.ckpt"), "{note}");
    assert!(report.to_string().contains("note:"), "{report}");
}

#[test]
fn a_failed_restore_suggests_the_rewrites_that_port_the_names() {
    // A file written by another port: top scope `model/`, slim's `weights`,
    // kernels stored [out, in].
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("model.ckpt");
    {
        let other = Graph::with_seed(1);
        var(&other, "model/layer_0/dense", "weights", &[4, 2]);
        var(&other, "model/layer_0/dense", "bias", &[4]);
        var(&other, "model/pooler", "weights", &[3, 3]);
        let k = other
            .stored_variable("model/layer_0/dense/weights")
            .unwrap();
        k.assign(Value::from_vec((0..8).map(|i| i as f32).collect::<Vec<_>>(), &[4, 2]).unwrap())
            .unwrap();
        other.save_checkpoint(&prefix).unwrap();
    }
    let graph = Graph::with_seed(0);
    var(&graph, "bert/layer_0/dense", "kernel", &[2, 4]);
    var(&graph, "bert/layer_0/dense", "bias", &[4]);
    var(&graph, "bert/pooler", "kernel", &[3, 3]);
    let Err(RestoreError::Mismatch(report)) = graph.restore(&prefix) else {
        panic!("the names differ");
    };
    let text = report.to_string();
    assert!(text.contains(".map(\"model/\", \"bert/\")"), "{text}");
    assert!(text.contains(".rename(\"weights\", \"kernel\")"), "{text}");
    assert!(
        text.contains(".transpose([\"bert/layer_0/dense/kernel\"])"),
        "{text}"
    );
    // The suggested options, used as printed, load everything.
    let options = RestoreOptions::strict()
        .map("model/", "bert/")
        .rename("weights", "kernel")
        .transpose(&["bert/layer_0/dense/kernel"]);
    let report = graph.restore_with(&prefix, &options).unwrap();
    assert_eq!(report.loaded.len(), 3, "{report}");
    let kernel = graph.stored_variable("bert/layer_0/dense/kernel").unwrap();
    let got = kernel.to_vec::<f32>().unwrap();
    // kernel[i][j] = stored[j][i]
    assert_eq!(got, vec![0.0, 2.0, 4.0, 6.0, 1.0, 3.0, 5.0, 7.0]);
}
