//! What a checkpoint tensor is for, from its name alone: a model weight,
//! an optimizer's slot or bookkeeping variable, an exponential moving
//! average shadow, or the global step.
//!
//! The names are the ones TF's optimizers and `ExponentialMovingAverage`
//! write (checked against `fixtures/checkpoints/slots`, written by TF's
//! Adam, Momentum, RMSProp, Adagrad, Adadelta and Ftrl optimizers).

/// The role of one tensor (see [`tensor_role`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TensorRole {
    /// A model weight (anything not recognised below).
    Model,
    /// An optimizer's per-variable slot, e.g. `dense/kernel/Adam_1` is slot
    /// `Adam_1` of `dense/kernel`.
    OptimizerSlot { variable: String, slot: String },
    /// `<variable>/ExponentialMovingAverage`: the shadow that
    /// `ExponentialMovingAverage.variables_to_restore()` loads into `variable`.
    EmaShadow { variable: String },
    /// `global_step`.
    GlobalStep,
    /// An optimizer's own variable that belongs to no single model
    /// variable: Adam's `beta1_power` / `beta2_power` (TF1), or an
    /// optimizer's `iter` / `learning_rate` in object-based checkpoints.
    OptimizerState { name: String },
}

impl TensorRole {
    /// True for optimizer slots and optimizer state.
    pub fn is_optimizer(&self) -> bool {
        matches!(
            self,
            TensorRole::OptimizerSlot { .. } | TensorRole::OptimizerState { .. }
        )
    }
}

/// Slot names TF1 optimizers append to a variable's name (each may carry a
/// `_N` suffix when the graph had several optimizers of one kind), plus the
/// `adam_m` / `adam_v` of BERT's `AdamWeightDecayOptimizer`.
const SLOTS: &[&str] = &[
    "Adam",
    "Adam_1",
    "adam_m",
    "adam_v",
    "Momentum",
    "RMSProp",
    "RMSProp_1",
    "RMSProp_2",
    "Adagrad",
    "AdagradDA",
    "AdagradDA_1",
    "Adadelta",
    "Adadelta_1",
    "Ftrl",
    "Ftrl_1",
    "ProximalAdagrad",
    "LARSOptimizer",
    "LAMB",
    "LAMB_1",
];

/// Bookkeeping variables of TF1 optimizers (possibly scoped, possibly
/// with a `_N` suffix).
const STATE: &[&str] = &["beta1_power", "beta2_power"];

/// `base` or `base_<digits>`.
fn is_numbered(s: &str, base: &str) -> bool {
    match s.strip_prefix(base) {
        Some("") => true,
        Some(rest) => rest
            .strip_prefix('_')
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())),
        None => false,
    }
}

/// Recognises a tensor's role from its name: `<var>/Adam`, `<var>/Adam_1`,
/// `<var>/adam_m`, `<var>/adam_v`, `<var>/Momentum`, `<var>/RMSProp`,
/// `<var>/RMSProp_1`, `<var>/Adagrad`, `<var>/Adadelta[_1]`, `<var>/Ftrl[_1]`
/// (and the same with TF's `_N` uniquifying suffix, e.g. `Adam_2`), a last
/// component starting with `_slot_`, object-based
/// `<var>/.OPTIMIZER_SLOT/<optimizer>/<slot>/...` keys, TF1's
/// `beta1_power`/`beta2_power`, `<var>/ExponentialMovingAverage`, and
/// `global_step`. Everything else is [`TensorRole::Model`].
pub fn tensor_role(name: &str) -> TensorRole {
    if name == "global_step" {
        return TensorRole::GlobalStep;
    }
    if let Some((var, rest)) = name.split_once("/.OPTIMIZER_SLOT/") {
        let mut it = rest.split('/');
        let _optimizer = it.next();
        let slot = it.next().unwrap_or_default().to_string();
        return TensorRole::OptimizerSlot {
            variable: var.to_string(),
            slot,
        };
    }
    let (var, last) = match name.rsplit_once('/') {
        Some((v, l)) => (v, l),
        None => ("", name),
    };
    if STATE.iter().any(|s| is_numbered(last, s)) {
        return TensorRole::OptimizerState {
            name: name.to_string(),
        };
    }
    if var.is_empty() {
        return TensorRole::Model;
    }
    if last == "ExponentialMovingAverage" {
        return TensorRole::EmaShadow {
            variable: var.to_string(),
        };
    }
    let slot_like = SLOTS.iter().any(|s| is_numbered(last, s))
        || last.starts_with("_slot_")
        || last.starts_with("slot_");
    if slot_like {
        return TensorRole::OptimizerSlot {
            variable: var.to_string(),
            slot: last.to_string(),
        };
    }
    TensorRole::Model
}

/// For restoring EMA shadows instead of raw weights, as TF's
/// `ExponentialMovingAverage.variables_to_restore()` does: maps each
/// variable of a checkpoint with tensor `names` to the tensor to load into
/// it, `<var>/ExponentialMovingAverage` where the checkpoint has one, else
/// the variable's own tensor. Shadows themselves are not variables here.
pub fn ema_restore_map<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> std::collections::BTreeMap<String, String> {
    let names: std::collections::BTreeSet<&str> = names.into_iter().collect();
    names
        .iter()
        .filter(|n| !matches!(tensor_role(n), TensorRole::EmaShadow { .. }))
        .map(|&n| {
            let shadow = format!("{n}/ExponentialMovingAverage");
            let from = if names.contains(shadow.as_str()) {
                shadow
            } else {
                n.to_string()
            };
            (n.to_string(), from)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(v: &str, s: &str) -> TensorRole {
        TensorRole::OptimizerSlot {
            variable: v.into(),
            slot: s.into(),
        }
    }

    #[test]
    fn names_tf_writes() {
        assert_eq!(tensor_role("global_step"), TensorRole::GlobalStep);
        assert_eq!(tensor_role("dense/kernel"), TensorRole::Model);
        assert_eq!(tensor_role("Adam"), TensorRole::Model);
        assert_eq!(
            tensor_role("dense/kernel/Adam"),
            slot("dense/kernel", "Adam")
        );
        assert_eq!(
            tensor_role("dense/kernel/Adam_1"),
            slot("dense/kernel", "Adam_1")
        );
        assert_eq!(
            tensor_role("dense/kernel/Adam_3"),
            slot("dense/kernel", "Adam_3")
        );
        assert_eq!(tensor_role("bert/x/adam_m"), slot("bert/x", "adam_m"));
        assert_eq!(tensor_role("w/_slot_momentum"), slot("w", "_slot_momentum"));
        assert_eq!(tensor_role("dense/kernel/Adamx"), TensorRole::Model);
        assert_eq!(
            tensor_role("w/ExponentialMovingAverage"),
            TensorRole::EmaShadow {
                variable: "w".into()
            }
        );
        assert_eq!(
            tensor_role("beta1_power_1"),
            TensorRole::OptimizerState {
                name: "beta1_power_1".into()
            }
        );
        assert_eq!(
            tensor_role(
                "model/dense/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE"
            ),
            slot("model/dense/kernel", "m")
        );
        // BatchNorm's moving statistics are model weights.
        assert_eq!(tensor_role("bn/moving_mean"), TensorRole::Model);
    }
}
