//! The seed programs and model-shaped code written with the macros, each
//! compared with the names TensorFlow produced for the matching public
//! conformance scenario (read from its `expect` array, not retyped).
//!
//! Each program logs what the scenario's steps report, in the same order:
//! scope results (`vs.name`, the name scope, `reuse`), name-scope strings,
//! variable names with their ordinal (so sharing is compared too), op
//! names, collections and error kinds. `project` turns the scenario's
//! `expect` array into the same strings.

#![forbid(unsafe_code)]

use std::path::PathBuf;

use serde_json::Value;

use scope_runtime::{
    get_name_scope, get_variable, get_variable_scope, global_variables, name_scope, register_op,
    reuse_variables, scope, template, trainable_variables, variable_scope, DType, Graph,
    Initializer, Reuse, ScopeError, Value as TfValue, Variable,
};
use scope_tests::Scenario;

type Result<T = (), E = ScopeError> = std::result::Result<T, E>;

/// What a program reported, in scenario order.
#[derive(Default)]
struct Log(Vec<String>);

impl Log {
    /// A scope result: the current variable scope and name scope.
    fn scope(&mut self) {
        let vs = get_variable_scope();
        let reuse = match vs.reuse() {
            Reuse::False => "false",
            Reuse::True => "true",
            Reuse::Auto => "auto",
        };
        self.0.push(format!(
            "scope {} ns={} reuse={reuse}",
            vs.name(),
            get_name_scope()
        ));
    }

    /// A name-scope result: the scope string (`"a/b_1/"`).
    fn name_scope(&mut self) {
        self.0.push(format!("{}/", get_name_scope()));
    }

    fn var(&mut self, v: Result<Variable>) {
        let entry = match v {
            Ok(v) => format!("var {} #{}", v.name(), v.index()),
            Err(e) => format!("error {}", e.kind()),
        };
        self.0.push(entry);
    }

    fn op(&mut self, name: &str) {
        let entry = match register_op(name) {
            Ok(op) => op,
            Err(e) => format!("error {}", e.kind()),
        };
        self.0.push(entry);
    }

    fn collection(&mut self, vars: Vec<Variable>) {
        let names: Vec<&str> = vars.iter().map(Variable::name).collect();
        self.0.push(format!("[{}]", names.join(", ")));
    }

    fn reuse_variables(&mut self) {
        reuse_variables();
        self.0.push(String::new());
    }
}

fn scenario(name: &str) -> Scenario {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("conformance")
        .join(format!("{name}.json"));
    Scenario::load(&path).expect("scenario file")
}

/// The scenario's `expect` array as `Log` strings.
fn project(expect: &[Value]) -> Vec<String> {
    expect
        .iter()
        .map(|e| {
            if let Some(kind) = e.get("error") {
                return format!("error {}", kind.as_str().expect("error kind"));
            }
            let ok = &e["ok"];
            if let Some(ns) = e.get("ns") {
                let reuse = match &e["reuse"] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                return format!(
                    "scope {} ns={} reuse={reuse}",
                    ok.as_str().expect("scope name"),
                    ns.as_str().expect("ns")
                );
            }
            if let Some(k) = e.get("var") {
                return format!("var {} #{k}", ok.as_str().expect("variable name"));
            }
            match ok {
                Value::String(s) => s.clone(),
                Value::Array(names) => {
                    let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
                    format!("[{}]", names.join(", "))
                }
                other => other.to_string(),
            }
        })
        .collect()
}

/// Runs `program` on a fresh default graph and compares with the scenario.
fn check(name: &str, program: impl FnOnce(&mut Log) -> Result) {
    check_with(name, |expected| expected, program)
}

/// Like `check`, with the expected strings adjusted first (for steps that
/// have no counterpart in the macro program, e.g. an eager `make_template`).
fn check_with(
    name: &str,
    adjust: impl FnOnce(Vec<String>) -> Vec<String>,
    program: impl FnOnce(&mut Log) -> Result,
) {
    let expected = adjust(project(&scenario(name).expect));
    let graph = Graph::with_seed(7);
    let _default = graph.as_default();
    let mut log = Log::default();
    program(&mut log).expect("the program itself succeeds");
    assert_eq!(log.0, expected, "scenario {name}");
}

// ---------------------------------------------------------------------------
// The seed programs

#[name_scope("cltdevelop")]
fn seed_a(log: &mut Log) -> Result {
    log.name_scope();
    for _ in 0..3 {
        log.var(Variable::new("var_1", zeros1()));
    }
    Ok(())
}

#[test]
fn seed_variable_uniquify_in_name_scope() {
    check("seed_variable_uniquify_in_name_scope", seed_a);
}

#[test]
fn seed_a_prints_exactly_the_seed_names() {
    let graph = Graph::new();
    let _default = graph.as_default();
    let mut log = Log::default();
    seed_a(&mut log).unwrap();
    let vars = graph.variables();
    let names: Vec<&str> = vars.iter().map(Variable::name).collect();
    assert_eq!(
        names,
        [
            "cltdevelop/var_1:0",
            "cltdevelop/var_1_1:0",
            "cltdevelop/var_1_2:0"
        ]
    );
}

fn zeros1() -> TfValue {
    TfValue::full(DType::F32, &[1], 0.0).unwrap()
}

#[name_scope("cltdevelop")]
fn seed_b_name_scope(log: &mut Log) -> Result {
    log.name_scope();
    log.var(Variable::new("var_1", zeros1()));
    log.var(get_variable!("var_2", [1]));
    Ok(())
}

#[variable_scope("aaa")]
fn seed_b_variable_scope(log: &mut Log) -> Result {
    log.scope();
    log.var(Variable::new("var_3", zeros1()));
    log.var(get_variable!("var_4", [1]));
    Ok(())
}

#[test]
fn seed_name_scope_vs_variable_scope() {
    check("seed_name_scope_vs_variable_scope", |log| {
        seed_b_name_scope(log)?;
        seed_b_variable_scope(log)
    });
}

#[variable_scope("cltdevelop")]
fn seed_c_create(log: &mut Log) -> Result {
    log.scope();
    log.var(get_variable!("var_1", [1]));
    Ok(())
}

#[variable_scope("cltdevelop", reuse)]
fn seed_c_share(log: &mut Log, names: &[&str]) -> Result {
    log.scope();
    for name in names {
        log.var(get_variable!(name = name, [1]));
    }
    Ok(())
}

#[test]
fn seed_variable_scope_reuse_true_shares() {
    check("seed_variable_scope_reuse_true_shares", |log| {
        seed_c_create(log)?;
        seed_c_share(log, &["var_1", "var_9"])
    });
}

#[test]
fn seed_reuse_true_missing_variable_not_found() {
    check("seed_reuse_true_missing_variable_not_found", |log| {
        seed_c_share(log, &["var_1"])?;
        log.collection(global_variables(""));
        seed_c_create(log)?;
        log.collection(global_variables(""));
        Ok(())
    });
}

#[test]
fn seed_c_shares_and_reports_not_found() {
    let graph = Graph::new();
    let _default = graph.as_default();
    let mut log = Log::default();
    seed_c_create(&mut log).unwrap();
    seed_c_share(&mut log, &["var_1", "var_9"]).unwrap();
    let vars: Vec<&String> = log.0.iter().filter(|l| !l.starts_with("scope")).collect();
    assert_eq!(
        vars,
        [
            "var cltdevelop/var_1:0 #0",
            "var cltdevelop/var_1:0 #0",
            "error NotFound"
        ]
    );
}

// ---------------------------------------------------------------------------
// MLP with default-named layers

#[variable_scope] // dense, dense_1, dense_2 under the caller's scope
fn dense(log: &mut Log, inputs: usize, units: usize, relu: bool) -> Result {
    log.scope();
    log.var(get_variable("kernel").shape(&[inputs, units]).get());
    log.var(get_variable!(
        "bias",
        [units],
        initializer = Initializer::Zeros
    ));
    log.op("MatMul");
    log.op("BiasAdd");
    if relu {
        log.op("Relu");
    }
    Ok(())
}

#[name_scope("inputs")]
fn inputs(log: &mut Log) {
    log.name_scope();
    log.op("x");
}

#[variable_scope("mlp")]
fn mlp(log: &mut Log, sizes: &[usize]) -> Result {
    log.scope();
    for (i, pair) in sizes.windows(2).enumerate() {
        dense(log, pair[0], pair[1], i + 2 < sizes.len())?;
    }
    Ok(())
}

#[test]
fn mlp_with_default_names() {
    check("model_mlp_dense_default_names", |log| {
        inputs(log);
        mlp(log, &[4, 8, 8, 2])?;
        log.collection(trainable_variables("mlp/dense_1"));
        Ok(())
    });
}

// ---------------------------------------------------------------------------
// Siamese network: one tower, shared

#[variable_scope("conv1")]
fn conv1(log: &mut Log) -> Result {
    log.scope();
    log.var(get_variable!("w", [3, 3, 1, 4]));
    log.var(get_variable!("b", [4], initializer = Initializer::Zeros));
    log.op("Conv2D");
    log.op("Relu");
    Ok(())
}

#[variable_scope("fc")]
fn fc(log: &mut Log) -> Result {
    log.scope();
    log.var(get_variable!("w", [16, 2]));
    log.var(get_variable!("b", [2], initializer = Initializer::Zeros));
    log.op("MatMul");
    Ok(())
}

fn tower_body(log: &mut Log) -> Result {
    log.scope();
    conv1(log)?;
    fc(log)
}

#[variable_scope("tower")]
fn tower(log: &mut Log) -> Result {
    tower_body(log)
}

#[variable_scope("tower", reuse)]
fn shared_tower(log: &mut Log) -> Result {
    tower_body(log)
}

#[test]
fn siamese_tower_shared_through_reuse_variables() {
    check("model_siamese_shared_tower", |log| {
        scope!(variable_scope("siamese") {
            log.scope();
            tower(log)?;
            log.reuse_variables();
            tower(log)?;
            log.op("distance");
        });
        log.collection(trainable_variables(""));
        Ok(())
    });
}

#[test]
fn siamese_tower_shared_through_the_reuse_option() {
    // Same names, with `reuse` on the second tower instead of the
    // `reuse_variables()` step (whose empty result is dropped).
    let drop_reuse_variables_step = |mut expected: Vec<String>| {
        let pos = expected
            .iter()
            .position(String::is_empty)
            .expect("the reuse step");
        expected.remove(pos);
        expected
    };
    check_with(
        "model_siamese_shared_tower",
        drop_reuse_variables_step,
        |log| {
            scope!(variable_scope("siamese") {
                log.scope();
                tower(log)?;
                shared_tower(log)?;
                log.op("distance");
            });
            log.collection(trainable_variables(""));
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------
// RNN cell unrolled with reuse = auto

#[variable_scope("basic_rnn_cell")]
fn rnn_cell(log: &mut Log) -> Result {
    log.scope();
    log.var(get_variable!("kernel", [6, 3]));
    log.var(get_variable!("bias", [3], initializer = Initializer::Zeros));
    log.op("MatMul");
    log.op("Tanh");
    Ok(())
}

#[variable_scope("rnn", reuse = auto)]
fn rnn_step(log: &mut Log) -> Result {
    log.scope();
    rnn_cell(log)
}

#[test]
fn rnn_cell_unrolled_with_auto_reuse() {
    check("model_rnn_cell_loop_auto_reuse", |log| {
        for _ in 0..3 {
            rnn_step(log)?;
        }
        log.collection(global_variables(""));
        Ok(())
    });
}

#[test]
fn rnn_cell_unrolled_with_scope_macro() {
    check("model_rnn_cell_loop_auto_reuse", |log| {
        for _ in 0..3 {
            scope!(variable_scope("rnn", reuse = auto) {
                log.scope();
                rnn_cell(log)?;
            });
        }
        log.collection(global_variables(""));
        Ok(())
    });
}

// ---------------------------------------------------------------------------
// Templates

#[template("s1")]
fn s1_first(log: &mut Log) -> Result {
    log.scope();
    log.var(get_variable!(
        "dummy",
        [1],
        initializer = Initializer::Zeros
    ));
    Ok(())
}

#[template("s1")]
fn s1_second(log: &mut Log) -> Result {
    log.scope();
    log.var(get_variable!(
        "dummy",
        [1],
        initializer = Initializer::Zeros
    ));
    Ok(())
}

#[test]
fn template_basic_sharing() {
    // The two `make_template` steps report `null` (no scope yet); a
    // #[template] function's template is made at its first call.
    let drop_make_template_steps = |expected: Vec<String>| {
        assert_eq!(expected[..2], ["null", "null"]);
        expected[2..].to_vec()
    };
    check_with("template_basic_sharing", drop_make_template_steps, |log| {
        s1_first(log)?;
        s1_first(log)?;
        s1_second(log)?;
        log.collection(global_variables(""));
        Ok(())
    });
}

#[template] // named after the function
fn shared_dense(log: &mut Log) -> Result<Variable> {
    log.scope();
    get_variable!("w", [2, 2])
}

#[test]
fn template_called_three_times_shares_one_variable() {
    let graph = Graph::new();
    let _default = graph.as_default();
    let mut log = Log::default();
    let calls: Vec<Variable> = (0..3).map(|_| shared_dense(&mut log).unwrap()).collect();
    assert_eq!(calls[0].name(), "shared_dense/w:0");
    assert!(calls.iter().all(|v| *v == calls[0]));
    assert_eq!(graph.len(), 1);
    assert_eq!(
        log.0,
        [
            "scope shared_dense ns=shared_dense reuse=false",
            "scope shared_dense ns=shared_dense_1 reuse=true",
            "scope shared_dense ns=shared_dense_2 reuse=true",
        ]
    );
    // A new graph gets a new template.
    let other = Graph::new();
    let _other = other.as_default();
    assert_eq!(shared_dense(&mut log).unwrap().graph_id(), other.id());
}

fn scalar_variable(trainable: bool) -> Result<Variable> {
    Variable::builder(0.0f32).trainable(trainable).build()
}

#[template("s")]
fn creates_trainable(log: &mut Log) -> Result {
    log.scope();
    log.var(scalar_variable(true));
    log.var(get_variable!(
        "dummy",
        [1],
        initializer = Initializer::Zeros
    ));
    Ok(())
}

#[template("n")]
fn creates_non_trainable(log: &mut Log) -> Result {
    log.scope();
    log.var(scalar_variable(false));
    log.var(get_variable!(
        "dummy",
        [1],
        initializer = Initializer::Zeros
    ));
    Ok(())
}

/// A template call's result: the scope result its body logged first, or
/// the call's error in its place (the body's results follow).
fn call(log: &mut Log, f: fn(&mut Log) -> Result) {
    let at = log.0.len();
    if let Err(e) = f(log) {
        log.0[at] = format!("error {}", e.kind());
    }
}

#[test]
fn template_later_call_creating_a_trainable_variable_is_an_error() {
    let drop_make_template_steps =
        |expected: Vec<String>| expected.into_iter().filter(|e| e != "null").collect();
    check_with(
        "template_later_call_trainable_variable_rejected",
        drop_make_template_steps,
        |log| {
            call(log, creates_trainable);
            call(log, creates_trainable);
            call(log, creates_non_trainable);
            call(log, creates_non_trainable);
            log.collection(global_variables(""));
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------
// GPT-2: layer structs named by a field, under reuse = auto

struct Conv1d {
    name: &'static str,
    nx: usize,
    nf: usize,
}

impl Conv1d {
    #[variable_scope(name = self.name)]
    fn build(&self, log: &mut Log, with_op: bool) -> Result {
        log.scope();
        log.var(get_variable!(
            "w",
            [1, self.nx, self.nf],
            initializer = Initializer::random_normal()
        ));
        log.var(get_variable!(
            "b",
            [self.nf],
            initializer = Initializer::Zeros
        ));
        if with_op {
            log.op("MatMul");
        }
        Ok(())
    }
}

struct LayerNorm {
    name: String,
}

impl LayerNorm {
    #[variable_scope(name = &self.name)]
    fn build(&self, log: &mut Log) -> Result {
        log.scope();
        log.var(get_variable!("g", [8], initializer = Initializer::Ones));
        log.var(get_variable!("b", [8], initializer = Initializer::Zeros));
        Ok(())
    }
}

struct Block {
    index: usize,
}

impl Block {
    #[variable_scope(name = format!("h{}", self.index))]
    fn build(&self, log: &mut Log) -> Result {
        log.scope();
        LayerNorm {
            name: "ln_1".into(),
        }
        .build(log)?;
        scope!(variable_scope("attn") {
            log.scope();
            Conv1d { name: "c_attn", nx: 8, nf: 24 }.build(log, true)?;
            Conv1d { name: "c_proj", nx: 8, nf: 8 }.build(log, false)?;
        });
        LayerNorm {
            name: "ln_2".into(),
        }
        .build(log)?;
        scope!(variable_scope("mlp") {
            log.scope();
            Conv1d { name: "c_fc", nx: 8, nf: 32 }.build(log, false)?;
            Conv1d { name: "c_proj", nx: 32, nf: 8 }.build(log, false)?;
        });
        Ok(())
    }
}

struct Gpt2 {
    layers: usize,
}

impl Gpt2 {
    #[variable_scope("model", reuse = auto)]
    fn build(&self, log: &mut Log, final_norm: bool) -> Result {
        log.scope();
        log.var(get_variable!(
            "wpe",
            [16, 8],
            initializer = Initializer::random_normal()
        ));
        log.var(get_variable!(
            "wte",
            [50, 8],
            initializer = Initializer::random_normal()
        ));
        for index in 0..self.layers {
            Block { index }.build(log)?;
        }
        if final_norm {
            LayerNorm {
                name: "ln_f".into(),
            }
            .build(log)?;
        }
        Ok(())
    }
}

#[test]
fn gpt2_layer_structs_named_by_a_field() {
    check("model_gpt2_nested_blocks", |log| {
        Gpt2 { layers: 2 }.build(log, true)?;
        Gpt2 { layers: 1 }.build(log, false)?;
        log.collection(trainable_variables("model/h1/attn"));
        Ok(())
    });
}

// ---------------------------------------------------------------------------
// GAN: the discriminator shared through a reuse flag given at run time

#[variable_scope("generator")]
fn generator(log: &mut Log) -> Result {
    log.scope();
    scope!(variable_scope("fc") {
        log.scope();
        log.var(get_variable!("w", [4, 16]));
        log.var(get_variable!("b", [16], initializer = Initializer::Zeros));
    });
    scope!(variable_scope("out") {
        log.scope();
        log.var(get_variable!("w", [16, 8]));
        log.op("Tanh");
    });
    Ok(())
}

fn discriminator_body(log: &mut Log) -> Result {
    log.scope();
    scope!(variable_scope("fc") {
        log.scope();
        log.var(get_variable!("w", [8, 16]));
        log.var(get_variable!("b", [16], initializer = Initializer::Zeros));
        log.op("LeakyRelu");
    });
    scope!(variable_scope("logit") {
        log.scope();
        log.var(get_variable!("w", [16, 1]));
        log.op("MatMul");
    });
    Ok(())
}

fn discriminator(log: &mut Log, reuse: bool) -> Result {
    // A reuse flag known only at run time: the runtime builder, next to the macros.
    let _vs = variable_scope("discriminator").reuse(reuse).enter()?;
    discriminator_body(log)
}

#[test]
fn gan_discriminator_built_twice() {
    check("model_gan_discriminator_reuse", |log| {
        generator(log)?;
        discriminator(log, false)?;
        discriminator(log, true)?;
        log.collection(trainable_variables("discriminator"));
        log.collection(trainable_variables("generator"));
        Ok(())
    });
}

// ---------------------------------------------------------------------------
// Multi-tower data parallelism: the captured root scope as a run-time name

#[variable_scope("conv1")]
fn tower_conv1(log: &mut Log) -> Result {
    log.scope();
    log.var(get_variable!("weights", [5, 5, 3, 8]));
    log.var(get_variable!(
        "biases",
        [8],
        initializer = Initializer::Zeros
    ));
    log.op("Conv2D");
    Ok(())
}

#[variable_scope("softmax_linear")]
fn tower_softmax(log: &mut Log) -> Result {
    log.scope();
    log.var(get_variable!("weights", [8, 10]));
    log.op("logits");
    Ok(())
}

#[name_scope(name = format!("tower_{i}"))]
fn gpu_tower(log: &mut Log, i: usize) -> Result {
    log.name_scope();
    tower_conv1(log)?;
    tower_softmax(log)?;
    log.op("loss");
    Ok(())
}

#[test]
fn multi_tower_towers_in_the_reentered_root_scope() {
    check("model_multi_tower_data_parallel", |log| {
        let root = get_variable_scope();
        log.scope();
        scope!(variable_scope(name = root) {
            log.scope();
            gpu_tower(log, 0)?;
            log.reuse_variables();
            gpu_tower(log, 1)?;
        });
        log.collection(trainable_variables(""));
        log.scope();
        Ok(())
    });
}

// Keep the plain runtime API in view: the macros expand to these calls.
#[test]
fn macros_and_runtime_calls_agree() {
    let graph = Graph::new();
    let _default = graph.as_default();
    let by_macro =
        scope!(variable_scope("same", reuse = auto) { get_variable!("w", [1]) }).unwrap();
    let by_hand = {
        let _vs = variable_scope("same").reuse(Reuse::Auto).enter().unwrap();
        let _ns = name_scope("inner").enter().unwrap();
        get_variable("w").shape(&[1]).get().unwrap()
    };
    assert_eq!(by_macro, by_hand);
}
