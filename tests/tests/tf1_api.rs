//! The TF1 variable API beyond names (the names are checked by the
//! `conformance/api` scenarios): what regularizer losses, cast getters,
//! partitioned variables and moving averages compute, and partitioned
//! variables moving through checkpoints both ways (TF's own sliced
//! checkpoint in, TF's slice entries out).

#![forbid(unsafe_code)]

use std::path::PathBuf;

use scope_runtime::candle::Tensor;
use scope_runtime::{
    get_regularization_loss, get_variable, variable_scope, CustomGetter, DType,
    ExponentialMovingAverage, Graph, GraphObject, Initializer, Partitioner, Regularizer,
    RestoreOptions, ScopeError,
};

fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/checkpoints")
        .join(path)
}

/// The row-major values TF wrote for tensor `name` of a fixture.
fn tf_values(dir: &str, name: &str) -> Vec<f64> {
    let text = std::fs::read_to_string(fixture(dir).join("values.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let t = doc["tensors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap();
    fn flat(v: &serde_json::Value, out: &mut Vec<f64>) {
        match v {
            serde_json::Value::Array(a) => a.iter().for_each(|x| flat(x, out)),
            x => out.push(x.as_f64().unwrap()),
        }
    }
    let mut out = Vec::new();
    flat(&t["values"], &mut out);
    out
}

fn values(t: &Tensor) -> Vec<f64> {
    t.flatten_all()
        .unwrap()
        .to_dtype(scope_runtime::candle::DType::F64)
        .unwrap()
        .to_vec1()
        .unwrap()
}

#[test]
fn regularizer_losses_are_tf_formulas_and_differentiable() -> Result<(), ScopeError> {
    let graph = Graph::with_seed(0);
    let _g = graph.as_default();
    let (a, b) = {
        let _vs = variable_scope("s")
            .regularizer(Regularizer::l2(0.1)?)
            .enter()?;
        let a = get_variable("a")
            .shape(&[3])
            .initializer(Initializer::constant(2.0))
            .get()?;
        let b = get_variable("b")
            .shape(&[2])
            .initializer(Initializer::constant(-1.0))
            .regularizer(Regularizer::l1_l2(0.5, 0.2)?)
            .get()?;
        (a, b)
    };
    // l2: 0.1 * (3 * 4) / 2; l1_l2: 0.5 * 2 + 0.2 * 2 / 2.
    let total = get_regularization_loss("", None)?;
    assert_eq!(total.name(), "total_regularization_loss:0");
    let v = values(&total.value()?)[0];
    assert!((v - (0.6 + 1.2)).abs() < 1e-6, "{v}");
    let only_s_a = get_regularization_loss("s/a", None)?;
    assert!((values(&only_s_a.value()?)[0] - 0.6).abs() < 1e-6);
    // Gradients reach the variables: d(0.05 * sum a^2)/da = 0.1 * a.
    let grads = total.value()?.backward()?;
    let ga = grads.get(&a.tensor()?).expect("gradient of a");
    assert!(values(ga).iter().all(|g| (g - 0.2).abs() < 1e-6));
    assert!(grads.get(&b.tensor()?).is_some());
    // A restore is seen by the next value.
    a.assign(Tensor::new(
        &[1.0f32, 1.0, 1.0],
        &scope_runtime::candle::Device::Cpu,
    )?)?;
    assert!((values(&only_s_a.value()?)[0] - 0.15).abs() < 1e-6);
    Ok(())
}

#[test]
fn a_cast_getter_reads_float32_weights_as_bfloat16() -> Result<(), ScopeError> {
    let graph = Graph::with_seed(1);
    let _g = graph.as_default();
    let vs = variable_scope("m")
        .custom_getter(CustomGetter::cast(DType::BF16))
        .enter()?;
    let m = vs.scope().clone();
    let got = get_variable("w").shape(&[4, 3]).get_object()?;
    let GraphObject::Tensor(t) = &got else {
        panic!("a cast getter returns a tensor, got {got:?}");
    };
    assert_eq!((t.name(), t.dtype()), ("Cast:0", DType::BF16));
    let w = graph
        .stored_variable("m/w")
        .expect("the float32 master variable");
    assert_eq!(w.dtype(), DType::F32);
    let cast = values(&t.value()?);
    let master = values(&w.tensor()?);
    for (c, m) in cast.iter().zip(&master) {
        assert!((c - m).abs() <= m.abs() / 128.0 + 1e-6, "{c} vs {m}");
    }
    // `get()` says what it got instead of a variable.
    let err = {
        let _again = variable_scope(&m).reuse(true).enter()?;
        get_variable("w").get().unwrap_err()
    };
    assert!(matches!(err, ScopeError::NotAVariable { .. }), "{err}");
    Ok(())
}

#[test]
fn partitioned_variables_load_tf_slices_whatever_the_partitioning() -> Result<(), ScopeError> {
    let expected = tf_values("partitioned", "embed/table");
    for parts in [4usize, 2, 1] {
        let graph = Graph::with_seed(0);
        let _g = graph.as_default();
        let table = {
            let _vs = variable_scope("embed").enter()?;
            get_variable("table")
                .shape(&[10, 3])
                .partitioner(Partitioner::fixed_size(parts, 0))
                .get_object()?
        };
        let report = graph
            .restore_with(fixture("partitioned"), &RestoreOptions::lenient())
            .expect("restore");
        assert!(report.missing.is_empty(), "{report}");
        let got = values(&table.value()?);
        assert_eq!(got.len(), expected.len());
        for (g, e) in got.iter().zip(&expected) {
            assert!((g - e).abs() < 1e-6, "{parts} parts: {g} vs {e}");
        }
    }
    Ok(())
}

#[test]
fn partitioned_variables_save_as_tf_slice_entries() -> Result<(), ScopeError> {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("model.ckpt");
    let (graph, saved) = {
        let graph = Graph::with_seed(3);
        let _g = graph.as_default();
        let _vs = variable_scope("emb")
            .partitioner(Partitioner::fixed_size(3, 0))
            .enter()?;
        let w = get_variable("w").shape(&[7, 2]).get_partitioned()?;
        assert_eq!(
            w.parts().iter().map(|p| p.shape()[0]).collect::<Vec<_>>(),
            [3, 2, 2]
        );
        let saved = values(&w.value()?);
        graph.save_checkpoint(&prefix).expect("save");
        (graph.clone(), saved)
    };
    drop(graph);
    let reader = scope_runtime::format::CheckpointReader::open(&prefix).expect("open");
    let info = reader
        .info("emb/w")
        .expect("one entry for the partitioned variable");
    assert_eq!(info.shape, vec![7, 2]);
    let slices = reader.slices("emb/w").expect("slices");
    assert_eq!(
        slices
            .iter()
            .map(|s| (s.start.clone(), s.length.clone()))
            .collect::<Vec<_>>(),
        vec![
            (vec![0, 0], vec![3, 2]),
            (vec![3, 0], vec![2, 2]),
            (vec![5, 0], vec![2, 2])
        ]
    );
    // Back into an unpartitioned variable.
    let graph = Graph::new();
    let _g = graph.as_default();
    let w = {
        let _vs = variable_scope("emb").enter()?;
        get_variable("w").shape(&[7, 2]).get()?
    };
    graph.restore(&prefix).expect("strict restore");
    assert_eq!(values(&w.tensor()?), saved);
    Ok(())
}

#[test]
fn moving_averages_shadow_and_substitute() -> Result<(), ScopeError> {
    let graph = Graph::with_seed(0);
    let _g = graph.as_default();
    let w = {
        let _vs = variable_scope("layer").enter()?;
        get_variable("w")
            .shape(&[2])
            .initializer(Initializer::constant(1.0))
            .get()?
    };
    let ema = ExponentialMovingAverage::new(0.9)?;
    ema.apply(std::slice::from_ref(&w))?;
    let shadow = ema.average(&w).expect("a shadow");
    assert_eq!(shadow.name(), "layer/w/ExponentialMovingAverage:0");
    assert!(!shadow.trainable());
    assert_eq!(graph.moving_average_variables("").len(), 1);
    w.assign(Tensor::new(
        &[3.0f32, 3.0],
        &scope_runtime::candle::Device::Cpu,
    )?)?;
    ema.update()?;
    // 1 - 0.1 * (1 - 3)
    assert!(values(&shadow.tensor()?)
        .iter()
        .all(|v| (v - 1.2).abs() < 1e-6));
    let names: Vec<String> = ema
        .variables_to_restore(&graph)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["layer/w/ExponentialMovingAverage"]);
    // As tools/tf-differential/ema_names.py shows TF doing: a shadow is
    // made relative to the variable scope `apply` runs in, whatever the
    // name scope; a second average of another name gets its own shadow.
    let outer = {
        let _vs = variable_scope("outer").enter()?;
        let _ns = scope_runtime::name_scope("ns").enter()?;
        let v = scope_runtime::Variable::new(
            "v",
            Tensor::new(&[1.0f32], &scope_runtime::candle::Device::Cpu)?,
        )?;
        ema.apply(std::slice::from_ref(&v))?;
        ema.average(&v).expect("shadow of v")
    };
    assert_eq!(outer.name(), "outer/outer/ns/v/ExponentialMovingAverage:0");
    let avg = ExponentialMovingAverage::with_name(0.5, "avg")?;
    avg.apply(std::slice::from_ref(&w))?;
    assert_eq!(avg.average(&w).unwrap().name(), "layer/w/avg:0");
    assert_eq!(
        graph
            .moving_average_variables("")
            .iter()
            .map(|v| v.name().to_string())
            .collect::<Vec<_>>(),
        ["layer/w:0", "outer/ns/v:0", "layer/w:0"]
    );
    // Evaluation through the EMA getter reads the shadow.
    let _vs = variable_scope("layer")
        .reuse(true)
        .custom_getter(CustomGetter::ema_shadow(&ema))
        .enter()?;
    let got = get_variable("w").get()?;
    assert_eq!(got, shadow);
    Ok(())
}

#[test]
fn layers_compute_in_bfloat16_from_float32_master_weights() -> Result<(), ScopeError> {
    use scope_runtime::candle::{DType as CDType, Device};
    use scope_runtime::layers::{self, LayerValue};
    let x = Tensor::randn(0f32, 1.0, (4, 8), &Device::Cpu)?;
    let graph = Graph::with_seed(7);
    let _g = graph.as_default();
    let full = layers::dense(5)
        .name("proj")
        .apply(LayerValue::Tensor(x.clone()))?;
    let full = full.tensor()?;
    let half = {
        let _vs = variable_scope("")
            .custom_getter(CustomGetter::float32_storage())
            .reuse(true)
            .enter()?;
        layers::dense(5)
            .name("proj")
            .apply(LayerValue::Tensor(x.to_dtype(CDType::BF16)?))?
            .tensor()?
    };
    assert_eq!(half.dtype(), CDType::BF16);
    let kernel = graph.stored_variable("proj/kernel").expect("kernel");
    assert_eq!(kernel.dtype(), DType::F32, "master weights stay float32");
    let (a, b) = (values(&full), values(&half));
    let scale = a.iter().fold(0f64, |m, v| m.max(v.abs()));
    for (x, y) in a.iter().zip(&b) {
        assert!((x - y).abs() <= scale * 0.02, "{x} vs {y}");
    }
    Ok(())
}

#[test]
fn explain_says_where_each_part_of_a_name_came_from() -> Result<(), ScopeError> {
    use scope_runtime::{default_variable_scope, name_scope, Variable};
    let graph = Graph::new();
    let _g = graph.as_default();
    let outer = variable_scope("model").enter()?;
    let captured = outer.scope().clone();
    {
        let _a = default_variable_scope("block").enter()?;
    }
    {
        let _b = default_variable_scope("block").enter()?;
        get_variable("w").shape(&[1]).get()?;
    }
    outer.exit()?;
    {
        let _again = variable_scope(&captured).reuse(true).enter()?;
        get_variable("block_1/w").shape(&[1]).get()?;
    }
    let e = graph.explain("model/block_1/w:0")?;
    let texts: Vec<&str> = e.parts.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts, ["model", "block_1", "w"], "{e}");
    assert!(
        e.parts[1]
            .source
            .contains("`_1` from the default-name counter"),
        "{e}"
    );
    assert!(e.parts.iter().all(|p| p
        .defined_at
        .is_some_and(|at| at.to_string().contains("tf1_api.rs"))));
    {
        let _ns = name_scope("ns").enter()?;
        Variable::new("v", 0.0f32)?;
        Variable::new("v", 0.0f32)?;
    }
    let e = graph.explain("ns/v_1")?.to_string();
    assert!(
        e.contains("tf.Variable asked for `v`; `_1` from the unique-name counter"),
        "{e}"
    );
    let missing = graph.explain("model/blok_1/w").unwrap_err();
    assert!(missing.to_string().contains("model/block_1/w"), "{missing}");
    Ok(())
}
