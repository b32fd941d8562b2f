//! Variable values: a dtype tag and an owned `ndarray` array of that dtype.

use std::fmt;
use std::str::FromStr;

use ndarray::ArrayD;

/// The element types a variable can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DType {
    F32,
    F64,
    I32,
    I64,
}

impl DType {
    /// TensorFlow's spelling: `float32`, `float64`, `int32`, `int64`.
    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "float32",
            DType::F64 => "float64",
            DType::I32 => "int32",
            DType::I64 => "int64",
        }
    }

    /// Whether the dtype is a floating-point type.
    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64)
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "float32" | "f32" => Ok(DType::F32),
            "float64" | "f64" => Ok(DType::F64),
            "int32" | "i32" => Ok(DType::I32),
            "int64" | "i64" => Ok(DType::I64),
            other => Err(format!(
                "unknown dtype `{other}`: expected float32, float64, int32 or int64"
            )),
        }
    }
}

/// An owned array of one of the supported dtypes.
#[derive(Clone, Debug, PartialEq)]
pub enum Tensor {
    F32(ArrayD<f32>),
    F64(ArrayD<f64>),
    I32(ArrayD<i32>),
    I64(ArrayD<i64>),
}

/// Runs `$body` with `$a` bound to the inner array, whatever its dtype.
macro_rules! with_array {
    ($t:expr, $a:ident => $body:expr) => {
        match $t {
            Tensor::F32($a) => $body,
            Tensor::F64($a) => $body,
            Tensor::I32($a) => $body,
            Tensor::I64($a) => $body,
        }
    };
}

impl Tensor {
    pub fn dtype(&self) -> DType {
        match self {
            Tensor::F32(_) => DType::F32,
            Tensor::F64(_) => DType::F64,
            Tensor::I32(_) => DType::I32,
            Tensor::I64(_) => DType::I64,
        }
    }

    pub fn shape(&self) -> &[usize] {
        with_array!(self, a => a.shape())
    }

    pub fn len(&self) -> usize {
        with_array!(self, a => a.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A tensor of `shape` and `dtype` filled with `value` (cast to the dtype).
    pub fn full(dtype: DType, shape: &[usize], value: f64) -> Tensor {
        match dtype {
            DType::F32 => Tensor::F32(ArrayD::from_elem(shape, value as f32)),
            DType::F64 => Tensor::F64(ArrayD::from_elem(shape, value)),
            DType::I32 => Tensor::I32(ArrayD::from_elem(shape, value as i32)),
            DType::I64 => Tensor::I64(ArrayD::from_elem(shape, value as i64)),
        }
    }

    /// A tensor of `shape` and `dtype` whose elements come from `next`
    /// (cast to the dtype), in row-major order.
    pub fn from_fn(dtype: DType, shape: &[usize], mut next: impl FnMut() -> f64) -> Tensor {
        match dtype {
            DType::F32 => Tensor::F32(ArrayD::from_shape_simple_fn(shape, || next() as f32)),
            DType::F64 => Tensor::F64(ArrayD::from_shape_simple_fn(shape, next)),
            DType::I32 => Tensor::I32(ArrayD::from_shape_simple_fn(shape, || next() as i32)),
            DType::I64 => Tensor::I64(ArrayD::from_shape_simple_fn(shape, || next() as i64)),
        }
    }

    /// The elements converted to `f64`, in row-major order.
    pub fn to_f64_vec(&self) -> Vec<f64> {
        match self {
            Tensor::F32(a) => a.iter().map(|&x| x as f64).collect(),
            Tensor::F64(a) => a.iter().copied().collect(),
            Tensor::I32(a) => a.iter().map(|&x| x as f64).collect(),
            Tensor::I64(a) => a.iter().map(|&x| x as f64).collect(),
        }
    }

    /// Borrows the array if the tensor holds elements of type `T`.
    pub fn as_array<T: Element>(&self) -> Option<&ArrayD<T>> {
        T::from_tensor(self)
    }
}

/// Element types a [`Tensor`] can hold; lets typed accessors such as
/// `Variable::array::<f32>()` pick the right variant.
pub trait Element: Copy + Send + Sync + 'static + sealed::Sealed {
    const DTYPE: DType;
    fn from_tensor(t: &Tensor) -> Option<&ArrayD<Self>>;
    fn into_tensor(a: ArrayD<Self>) -> Tensor;
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! element {
    ($t:ty, $variant:ident) => {
        impl sealed::Sealed for $t {}
        impl Element for $t {
            const DTYPE: DType = DType::$variant;
            fn from_tensor(t: &Tensor) -> Option<&ArrayD<Self>> {
                match t {
                    Tensor::$variant(a) => Some(a),
                    _ => None,
                }
            }
            fn into_tensor(a: ArrayD<Self>) -> Tensor {
                Tensor::$variant(a)
            }
        }
        impl From<ArrayD<$t>> for Tensor {
            fn from(a: ArrayD<$t>) -> Tensor {
                Tensor::$variant(a)
            }
        }
        impl From<$t> for Tensor {
            fn from(x: $t) -> Tensor {
                Tensor::$variant(ArrayD::from_elem(ndarray::IxDyn(&[]), x))
            }
        }
    };
}

element!(f32, F32);
element!(f64, F64);
element!(i32, I32);
element!(i64, I64);
