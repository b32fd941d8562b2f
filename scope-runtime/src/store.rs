//! The value store seam: one cell per variable holding its candle `Var`,
//! made lazily. A new variable's cell holds only how to make its value (the
//! initializer, the graph seed and the device); the value is computed the
//! first time it is read or when the graph is initialized (TF1's
//! `global_variables_initializer`). A restore puts the file's tensor in the
//! cell directly, so a restored variable never runs its initializer.
//!
//! Once made, a cell's `Var` is never replaced: later assignments write into
//! its storage (`Var::set`), so a `Var` handed to an optimizer or held by
//! autograd stays the variable.

use candle_core::{Device, Tensor, Var};
use parking_lot::RwLock;

use crate::dtype::DType;
use crate::init::Initializer;

/// How a pending value will be made.
struct Recipe {
    initializer: Initializer,
    seed: Option<u64>,
    /// For a part of a partitioned variable: the full shape, which glorot's
    /// fans come from (TF's `partition_info`).
    fan_shape: Option<Box<[usize]>>,
}

enum State {
    Pending(Recipe),
    Ready(Var),
}

/// A variable's value: pending (an initializer) or ready (a candle `Var`).
pub(crate) struct ValueCell {
    state: RwLock<State>,
    device: Device,
}

impl ValueCell {
    /// A cell whose value the initializer makes on first use.
    pub(crate) fn pending(
        initializer: Initializer,
        seed: Option<u64>,
        device: Device,
        fan_shape: Option<&[usize]>,
    ) -> Self {
        ValueCell {
            state: RwLock::new(State::Pending(Recipe {
                initializer,
                seed,
                fan_shape: fan_shape.map(Into::into),
            })),
            device,
        }
    }

    /// A cell holding `tensor` (already of the variable's dtype and shape).
    pub(crate) fn ready(tensor: &Tensor, device: Device) -> candle_core::Result<Self> {
        let tensor = tensor.to_device(&device)?;
        Ok(ValueCell {
            state: RwLock::new(State::Ready(Var::from_tensor(&tensor)?)),
            device,
        })
    }

    pub(crate) fn device(&self) -> &Device {
        &self.device
    }

    pub(crate) fn is_ready(&self) -> bool {
        matches!(*self.state.read(), State::Ready(_))
    }

    /// The `Var`, made now if pending (`name`, `dtype` and `shape` are the
    /// variable's, for the initializer's random stream and the value's form).
    pub(crate) fn var(
        &self,
        name: &str,
        dtype: DType,
        shape: &[usize],
    ) -> candle_core::Result<Var> {
        if let State::Ready(var) = &*self.state.read() {
            return Ok(var.clone());
        }
        let mut state = self.state.write();
        if let State::Pending(recipe) = &*state {
            let fans = recipe.fan_shape.as_deref().unwrap_or(shape);
            let var =
                recipe
                    .initializer
                    .generate(name, dtype, shape, fans, recipe.seed, &self.device)?;
            *state = State::Ready(var);
        }
        match &*state {
            State::Ready(var) => Ok(var.clone()),
            State::Pending(_) => unreachable!("the value was just made"),
        }
    }

    /// Sets the value to `tensor` (of the variable's dtype and shape,
    /// checked by the caller): written into the existing storage if the
    /// value was made, else taken as the value (no initializer runs).
    pub(crate) fn set(&self, tensor: &Tensor) -> candle_core::Result<()> {
        let mut state = self.state.write();
        match &*state {
            State::Ready(var) => var.set(&tensor.to_device(&self.device)?),
            State::Pending(_) => {
                let tensor = tensor.to_device(&self.device)?;
                let var = if tensor.is_variable() {
                    // A `Var` elsewhere already owns this storage: copy.
                    Var::from_tensor(&tensor.copy()?)?
                } else {
                    Var::from_tensor(&tensor)?
                };
                *state = State::Ready(var);
                Ok(())
            }
        }
    }

    /// Takes a freshly read tensor as the value without copying it (a
    /// restore: `data` was just read from the file into its own buffer).
    pub(crate) fn set_owned<T: candle_core::WithDType>(
        &self,
        data: Vec<T>,
        shape: &[usize],
    ) -> candle_core::Result<()> {
        let mut state = self.state.write();
        match &*state {
            State::Ready(var) => {
                let t = Tensor::from_vec(data, shape, &self.device)?;
                var.set(&t)
            }
            State::Pending(_) => {
                *state = State::Ready(Var::from_vec(data, shape, &self.device)?);
                Ok(())
            }
        }
    }
}
