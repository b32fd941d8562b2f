//! `tensor_role` on a checkpoint TF wrote after training with six TF1
//! optimizers and an `ExponentialMovingAverage` (`fixtures/checkpoints/slots`).

#![forbid(unsafe_code)]

mod common;

use common::*;
use scope_checkpoint::{ema_restore_map, tensor_role, CheckpointReader, TensorRole};

#[test]
fn roles_agree_with_tf() {
    let v = json(ckpts().join("slots/values.json"));
    let model: Vec<&str> = v["model_variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    let restore = v["ema_variables_to_restore"].as_object().unwrap();
    let r = CheckpointReader::open(ckpts().join("slots")).unwrap();
    let (mut slots, mut state, mut ema) = (0, 0, 0);
    for e in r.entries() {
        let name = e.name.as_str();
        match tensor_role(name) {
            TensorRole::Model => assert!(model.contains(&name), "{name} is not a model variable"),
            TensorRole::GlobalStep => assert_eq!(name, "global_step"),
            TensorRole::EmaShadow { variable } => {
                // What ExponentialMovingAverage.variables_to_restore() loads it into.
                assert_eq!(restore[name].as_str().unwrap(), variable);
                assert!(model.contains(&variable.as_str()));
                ema += 1;
            }
            TensorRole::OptimizerSlot { variable, slot } => {
                assert!(model.contains(&variable.as_str()), "{name}");
                assert_eq!(format!("{variable}/{slot}"), name);
                slots += 1;
            }
            TensorRole::OptimizerState { name: n } => {
                assert!(n.starts_with("beta"), "{n}");
                state += 1;
            }
        }
    }
    assert_eq!((slots, state, ema), (20, 2, 12));
    // Every model variable has its shadow.
    for m in model {
        assert!(r.contains(&format!("{m}/ExponentialMovingAverage")), "{m}");
    }
}

#[test]
fn ema_restore_map_is_tfs_variables_to_restore() {
    let v = json(ckpts().join("slots/values.json"));
    // TF's map is checkpoint name -> variable; ours is variable -> checkpoint name.
    let tf: std::collections::BTreeMap<String, String> = v["ema_variables_to_restore"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, var)| (var.as_str().unwrap().to_string(), k.clone()))
        .collect();
    let r = CheckpointReader::open(ckpts().join("slots")).unwrap();
    let ours = ema_restore_map(r.entries().iter().map(|e| e.name.as_str()));
    assert_eq!(ours, tf);
}
