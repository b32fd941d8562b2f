//! Runtime behaviour beyond the conformance corpus: threads, panics, guard
//! misuse, error messages, seeds, values.

#![forbid(unsafe_code)]

use std::collections::HashSet;
use std::sync::{Arc, Barrier};

use scope_runtime::{
    get_name_scope, get_variable, get_variable_scope, name_scope, take_guard_error, variable_scope,
    DType, Graph, Initializer, Reuse, ScopeError, Value, Variable,
};

#[test]
fn auto_reuse_race_creates_each_name_once() {
    let graph = Graph::new();
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let graph = graph.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let _g = graph.as_default();
                let _vs = variable_scope("shared").reuse(Reuse::Auto).enter().unwrap();
                barrier.wait();
                (0..200)
                    .map(|i| get_variable(&format!("w{i}")).shape(&[2]).get().unwrap())
                    .collect::<Vec<Variable>>()
            })
        })
        .collect();
    let results: Vec<Vec<Variable>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(graph.len(), 200, "each name must be created exactly once");
    for per_thread in &results[1..] {
        assert_eq!(
            per_thread, &results[0],
            "every thread must get the same variables"
        );
    }
    assert_eq!(results[0][7].name(), "shared/w7:0");
}

#[test]
fn variable_new_from_threads_never_repeats_a_name() {
    let graph = Graph::new();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let graph = graph.clone();
            std::thread::spawn(move || {
                let _g = graph.as_default();
                let _ns = name_scope("layer").enter().unwrap();
                (0..250)
                    .map(|_| Variable::new("v", 0.0f32).unwrap().name().to_string())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let names: Vec<String> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let unique: HashSet<&String> = names.iter().collect();
    assert_eq!(names.len(), 2000);
    assert_eq!(unique.len(), 2000, "a variable name was handed out twice");
}

#[test]
fn panic_inside_scope_restores_stack() {
    let graph = Graph::new();
    let _g = graph.as_default();
    let _outer = name_scope("outer").enter().unwrap();
    let before_scope = get_variable_scope();
    let result = std::panic::catch_unwind(|| {
        let _vs = variable_scope("inner").enter().unwrap();
        let _ns = name_scope("deeper").enter().unwrap();
        assert_eq!(get_name_scope(), "outer/inner/deeper");
        panic!("boom");
    });
    assert!(result.is_err());
    assert_eq!(get_name_scope(), "outer");
    assert!(get_variable_scope().same_object(&before_scope));
    // Counters continue as TF's would: `inner` was used once.
    let _vs = variable_scope("inner").enter().unwrap();
    assert_eq!(get_name_scope(), "outer/inner_1");
}

#[test]
fn out_of_order_drop_is_reported_and_the_stack_stays_sound() {
    let graph = Graph::new();
    let _g = graph.as_default();
    let outer = name_scope("a").enter().unwrap();
    let inner = name_scope("b").enter().unwrap();
    drop(outer); // wrong order: `b` is still open
    assert_eq!(get_name_scope(), "", "dropping `a` closes `b` too");
    drop(inner); // already closed with `a`: no-op
    assert_eq!(get_name_scope(), "");
    // The next fallible call reports the misuse.
    let err = get_variable("w").shape(&[1]).get().unwrap_err();
    assert_eq!(err.kind(), "GuardOrder");
    let msg = err.to_string();
    assert!(msg.contains("`a/`") && msg.contains("a/b"), "{msg}");
    assert!(take_guard_error().is_none());
    // And the thread keeps working normally afterwards.
    assert_eq!(get_variable("w").shape(&[1]).get().unwrap().name(), "w:0");
}

#[test]
fn explicit_exit_reports_order_errors() {
    let graph = Graph::new();
    let _g = graph.as_default();
    let outer = variable_scope("x").enter().unwrap();
    let _inner = variable_scope("y").enter().unwrap();
    let err = outer.exit().unwrap_err();
    assert!(matches!(err, ScopeError::GuardOrder { still_open: 1, .. }));
    assert_eq!(get_variable_scope().name(), "");
}

#[test]
fn already_exists_names_the_definition_site() {
    let graph = Graph::new();
    let _g = graph.as_default();
    let _vs = variable_scope("layer").enter().unwrap();
    let line = line!() + 1;
    get_variable("w").shape(&[2]).get().unwrap();
    let err = get_variable("w").shape(&[2]).get().unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("`layer/w`"), "{msg}");
    assert!(msg.contains(&format!("runtime.rs:{line}:")), "{msg}");
    assert!(msg.contains("reuse"), "{msg}");
}

#[test]
fn not_found_suggests_close_names() {
    let graph = Graph::new();
    let _g = graph.as_default();
    {
        let _vs = variable_scope("encoder").enter().unwrap();
        get_variable("kernel").shape(&[2]).get().unwrap();
        get_variable("bias").shape(&[2]).get().unwrap();
    }
    let _vs = variable_scope("encoder").reuse(true).enter().unwrap();
    let err = get_variable("kernal").shape(&[2]).get().unwrap_err();
    match &err {
        ScopeError::NotFound { name, suggestions } => {
            assert_eq!(name, "encoder/kernal");
            assert_eq!(
                suggestions.first().map(String::as_str),
                Some("encoder/kernel")
            );
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(
        err.to_string().contains("did you mean `encoder/kernel`"),
        "{err}"
    );
}

#[test]
fn invalid_runtime_names_are_errors_not_panics() {
    let graph = Graph::new();
    let _g = graph.as_default();
    for bad in ["a b", "x:0", "_root", "ü"] {
        assert_eq!(
            name_scope(bad).enter().unwrap_err().kind(),
            "InvalidName",
            "{bad}"
        );
        assert_eq!(
            get_variable(bad).shape(&[1]).get().unwrap_err().kind(),
            "InvalidName"
        );
    }
    assert_eq!(Variable::new("", 1.0f32).unwrap_err().kind(), "InvalidName");
    assert!(graph.is_empty());
}

#[test]
fn seeded_graphs_initialize_identically() {
    let make = || {
        let graph = Graph::with_seed(42);
        let _g = graph.as_default();
        let _vs = variable_scope("dense").enter().unwrap();
        let w = get_variable("kernel").shape(&[4, 3]).get().unwrap();
        w.to_vec::<f32>().unwrap()
    };
    let (a, b) = (make(), make());
    assert_eq!(a, b);
    let limit = (6.0f32 / 7.0).sqrt();
    assert!(a.iter().all(|x| x.abs() <= limit));
    assert!(a.iter().any(|&x| x != a[0]));
}

#[test]
fn values_are_readable_and_assignable_with_checks() {
    let graph = Graph::new();
    let _g = graph.as_default();
    let v = get_variable("counts")
        .shape(&[3])
        .dtype(DType::I64)
        .get()
        .unwrap();
    assert_eq!(v.to_vec::<i64>().unwrap(), [0, 0, 0]);
    v.assign(vec![1i64, 2, 3]).unwrap();
    assert_eq!(v.to_vec::<i64>().unwrap(), [1, 2, 3]);
    let err = v
        .assign(Value::full(DType::F32, &[3], 1.0).unwrap())
        .unwrap_err();
    assert_eq!(err.kind(), "AssignMismatch");
    assert_eq!(v.to_vec::<f32>().unwrap_err().kind(), "DtypeMismatch");
    assert_eq!(v.op_name(), "counts");
    assert_eq!(v.name(), "counts:0");
}

#[test]
fn scope_initializer_and_dtype_are_inherited() {
    let graph = Graph::new();
    let _g = graph.as_default();
    let _vs = variable_scope("s")
        .initializer(Initializer::constant(2.0))
        .dtype(DType::F64)
        .enter()
        .unwrap();
    let _inner = variable_scope("t").enter().unwrap();
    let v = get_variable("v").shape(&[2]).get().unwrap();
    assert_eq!(v.dtype(), DType::F64);
    assert_eq!(v.to_vec::<f64>().unwrap(), [2.0, 2.0]);
}

#[test]
fn graphs_are_isolated_and_send_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Graph>();
    assert_send_sync::<Variable>();
    let g1 = Graph::new();
    let g2 = Graph::new();
    {
        let _d = g1.as_default();
        let _ns = name_scope("a").enter().unwrap();
        let _d2 = g2.as_default();
        // Scope stacks are per graph: g2 starts at its root.
        assert_eq!(get_name_scope(), "");
        Variable::new("v", 0.0f32).unwrap();
    }
    assert_eq!(g1.len(), 0);
    assert_eq!(g2.variables()[0].name(), "v:0");
}

#[test]
fn integer_variables_reject_random_and_float_initializers_after_naming() {
    let graph = Graph::new();
    let _g = graph.as_default();
    for init in [
        Initializer::GlorotUniform,
        Initializer::random_normal(),
        Initializer::constant(0.5),
        Initializer::constant(2.0),
    ] {
        let err = get_variable("k")
            .shape(&[2])
            .dtype(DType::I32)
            .initializer(init)
            .get()
            .unwrap_err();
        assert_eq!(err.kind(), "InvalidArgument");
        assert!(err.to_string().contains("int32"), "{err}");
    }
    // As in TF, each failure used up the name `k`: the next variable is k_4.
    let v = get_variable("k")
        .shape(&[2])
        .dtype(DType::I32)
        .initializer(Initializer::constant(2))
        .get()
        .unwrap();
    assert_eq!(v.name(), "k_4:0");
    assert_eq!(v.to_vec::<i32>().unwrap(), [2, 2]);
    assert_eq!(graph.len(), 1);
}

#[test]
fn a_template_calling_itself_during_its_first_call_shares_without_checks() {
    let graph = Graph::new();
    let _g = graph.as_default();
    let t = scope_runtime::make_template("t").build().unwrap();
    let outer = t.enter().unwrap();
    assert_eq!(outer.scope().reuse(), Reuse::False);
    get_variable("w").shape(&[1]).get().unwrap();
    let inner = t.enter().unwrap();
    assert_eq!(inner.scope().reuse(), Reuse::True);
    inner.finish().unwrap();
    outer.finish().unwrap();
    // After a successful first call, new trainables are an error.
    let call = t.enter().unwrap();
    Variable::new("extra", 0.0f32).unwrap();
    assert_eq!(call.finish().unwrap_err().kind(), "TemplateVariableCreated");
}

#[test]
fn a_failed_first_template_call_leaves_the_next_call_first() {
    let graph = Graph::new();
    let _g = graph.as_default();
    let t = scope_runtime::make_template("t").build().unwrap();
    t.enter().unwrap().fail();
    let call = t.enter().unwrap();
    assert_eq!(call.scope().reuse(), Reuse::False, "still the first call");
    get_variable("w").shape(&[1]).get().unwrap();
    call.finish().unwrap();
}

#[test]
fn value_initializer_with_explicit_dtype_makes_a_root_const_op() {
    let graph = Graph::new();
    let _g = graph.as_default();
    let _ns = name_scope("ns").enter().unwrap();
    let err = get_variable("d")
        .dtype(DType::I64)
        .initializer(Value::from(1.5f32))
        .get()
        .unwrap_err();
    assert_eq!(err.kind(), "InvalidArgument");
    // TF converted the value to a tensor to compare dtypes: `Const` is taken.
    assert!(graph.has_op("Const"));
    assert_eq!(scope_runtime::register_op(None).unwrap(), "ns/Const");
    let _root = scope_runtime::name_scope(None).enter().unwrap();
    assert_eq!(scope_runtime::register_op(None).unwrap(), "Const_1");
}

#[test]
fn absurd_shapes_are_an_error_not_a_panic() {
    let graph = Graph::new();
    let _g = graph.as_default();
    let err = get_variable("huge")
        .shape(&[usize::MAX, 2])
        .initializer(Initializer::Zeros)
        .get()
        .unwrap_err();
    assert_eq!(err.kind(), "InvalidArgument");
    assert!(err.to_string().contains("huge"), "{err}");
    assert!(graph.is_empty());
}

/// A variable's name, initializer, dtype, shape and pinned values.
type Pinned = (
    &'static str,
    Initializer,
    DType,
    &'static [usize],
    &'static [f64],
);

/// Values scope drew before values were candle tensors (seed 42), pinned:
/// the seeded ChaCha20 streams must stay bit-identical.
#[test]
fn seeded_values_are_bit_identical_to_the_pinned_streams() {
    let graph = Graph::with_seed(42);
    let _g = graph.as_default();
    let pinned: [Pinned; 4] = [
        (
            "a/w",
            Initializer::GlorotUniform,
            DType::F32,
            &[3, 4],
            &[
                -4.7511035203933716e-1,
                8.363476991653442e-1,
                3.1481683254241943e-1,
                2.4711671471595764e-1,
                -8.405564427375793e-1,
                3.4111785888671875e-1,
                3.9024120569229126e-1,
                2.4465955793857574e-1,
                5.043900609016418e-1,
                -3.7776168435811996e-2,
                1.1037798970937729e-1,
                4.097634553909302e-1,
            ],
        ),
        (
            "b",
            Initializer::random_normal(),
            DType::F64,
            &[5],
            &[
                -1.158085489092289e0,
                1.3480021997713125e0,
                -1.5055807805755248e0,
                -1.388398931268405e-1,
                -7.939093716513097e-1,
            ],
        ),
        (
            "c",
            Initializer::TruncatedNormal {
                mean: 1.0,
                stddev: 0.5,
            },
            DType::F32,
            &[6],
            &[
                7.506834268569946e-1,
                1.3085708618164063e0,
                9.899741411209106e-1,
                1.2516260147094727e0,
                1.026259183883667e0,
                9.636502861976624e-1,
            ],
        ),
        (
            "d",
            Initializer::RandomUniform {
                minval: -2.0,
                maxval: 3.0,
            },
            DType::F64,
            &[4],
            &[
                -8.1498983913316e-1,
                1.7098956596347255e0,
                2.8551627784019207e0,
                1.1146611603549816e-1,
            ],
        ),
    ];
    for (name, init, dtype, shape, values) in pinned {
        let v = get_variable(name)
            .shape(shape)
            .dtype(dtype)
            .initializer(init)
            .get()
            .unwrap();
        assert!(!v.is_initialized(), "{name}: made before it was read");
        assert_eq!(v.to_f64_vec().unwrap(), values, "{name}");
    }
}

#[test]
fn values_are_made_lazily_and_shared_as_candle_storage() {
    let graph = Graph::with_seed(1);
    let _g = graph.as_default();
    let w = get_variable("w").shape(&[2, 3]).get().unwrap();
    let b = get_variable("b").shape(&[3]).get().unwrap();
    assert!(!w.is_initialized() && !b.is_initialized());
    // An explicit initialize (TF's global_variables_initializer) makes them all.
    graph.initialize().unwrap();
    assert!(w.is_initialized() && b.is_initialized());
    // The tensor is the variable's own storage: an optimizer's update through
    // the `Var` is what the next read sees, and autograd reaches the variable.
    let var = w.var().unwrap();
    let t = w.tensor().unwrap();
    let loss = t.sqr().unwrap().sum_all().unwrap();
    let grads = loss.backward().unwrap();
    let g = grads
        .get(var.as_tensor())
        .expect("a gradient for the variable");
    assert_eq!(g.dims(), &[2, 3]);
    var.set(&var.zeros_like().unwrap()).unwrap();
    assert_eq!(w.to_f64_vec().unwrap(), [0.0; 6]);
    // Assigning before the first read skips the initializer altogether.
    let c = get_variable("c").shape(&[2]).get().unwrap();
    c.assign(vec![4.0f32, 5.0]).unwrap();
    assert_eq!(c.to_vec::<f32>().unwrap(), [4.0, 5.0]);
}

#[test]
fn every_candle_dtype_with_a_tf_dtype_is_a_variable_dtype() {
    let graph = Graph::new();
    let _g = graph.as_default();
    for (i, dtype) in DType::ALL.into_iter().enumerate() {
        let v = get_variable(&format!("v{i}"))
            .shape(&[2])
            .dtype(dtype)
            .initializer(Initializer::Ones)
            .get()
            .unwrap();
        assert_eq!(v.dtype(), dtype);
        assert_eq!(v.tensor().unwrap().dtype(), dtype.candle());
        assert_eq!(v.to_f64_vec().unwrap(), [1.0, 1.0], "{dtype}");
        assert_eq!(dtype.name().parse::<DType>().unwrap(), dtype);
    }
    let flag = Variable::new("flag", true).unwrap();
    assert_eq!(
        (flag.dtype(), flag.to_vec::<u8>().unwrap()),
        (DType::Bool, vec![1])
    );
}
