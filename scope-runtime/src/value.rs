//! Values given to scope: a candle tensor together with the TF dtype it
//! stands for (`Variable::new(name, value)`, value initializers, `assign`).
//! A plain candle tensor, a scalar or a `Vec` converts into one.

use candle_core::{Device, Tensor};

use crate::dtype::DType;

/// A candle tensor and its TF dtype. `bool` values are candle `u8` tensors
/// marked [`DType::Bool`] with [`Value::bool`].
#[derive(Clone, Debug)]
pub struct Value {
    tensor: Tensor,
    dtype: Result<DType, candle_core::DType>,
}

impl Value {
    /// A value of the tensor's own dtype.
    pub fn new(tensor: Tensor) -> Value {
        let dtype = DType::from_candle(tensor.dtype()).ok_or(tensor.dtype());
        Value { tensor, dtype }
    }

    /// A TF `bool` value from a tensor of 0/1 (any dtype; stored as `u8`).
    pub fn bool(tensor: &Tensor) -> candle_core::Result<Value> {
        Ok(Value {
            tensor: tensor.ne(0u8)?.to_dtype(candle_core::DType::U8)?,
            dtype: Ok(DType::Bool),
        })
    }

    /// A tensor of `shape` and `dtype` with every element `x` (cast to the dtype).
    pub fn full(dtype: DType, shape: &[usize], x: f64) -> candle_core::Result<Value> {
        Ok(Value {
            tensor: crate::init::full(dtype, shape, x, &Device::Cpu)?,
            dtype: Ok(dtype),
        })
    }

    /// A row-major vector as a tensor of `shape`.
    pub fn from_vec<T: candle_core::WithDType>(
        data: Vec<T>,
        shape: &[usize],
    ) -> candle_core::Result<Value> {
        Ok(Value::new(Tensor::from_vec(data, shape, &Device::Cpu)?))
    }

    /// The tensor.
    pub fn tensor(&self) -> &Tensor {
        &self.tensor
    }

    /// The TF dtype, or the candle dtype that has none.
    pub fn dtype(&self) -> Result<DType, candle_core::DType> {
        self.dtype
    }

    pub fn shape(&self) -> &[usize] {
        self.tensor.dims()
    }

    /// Whether both values hold the same storage (cheap identity for
    /// `Initializer`'s `PartialEq`).
    pub(crate) fn same(&self, other: &Value) -> bool {
        self.tensor.id() == other.tensor.id()
    }
}

impl From<Tensor> for Value {
    fn from(t: Tensor) -> Value {
        Value::new(t)
    }
}

impl From<&Tensor> for Value {
    fn from(t: &Tensor) -> Value {
        Value::new(t.clone())
    }
}

macro_rules! scalar_value {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(x: $t) -> Value {
                // A 0-d tensor on the CPU cannot fail to allocate one element.
                Value::new(Tensor::new(x, &Device::Cpu).expect("a scalar tensor"))
            }
        }
        impl From<Vec<$t>> for Value {
            fn from(v: Vec<$t>) -> Value {
                let n = v.len();
                Value::new(Tensor::from_vec(v, n, &Device::Cpu).expect("a vector tensor"))
            }
        }
    )*};
}
scalar_value!(f32, f64, i64, i32, i16, u8, u32, half::f16, half::bf16);

impl From<bool> for Value {
    fn from(x: bool) -> Value {
        Value {
            tensor: Tensor::new(x as u8, &Device::Cpu).expect("a scalar tensor"),
            dtype: Ok(DType::Bool),
        }
    }
}
