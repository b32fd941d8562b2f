//! The dtypes a variable can hold: every dtype that both TensorFlow and
//! candle have. A variable's dtype is TF's (a `bool` variable stays `bool`
//! in names, checks and checkpoints); its value is a candle tensor of the
//! matching candle dtype (`bool` is stored as `u8`, as candle has no bool).

use std::fmt;
use std::str::FromStr;

use scope_checkpoint::DataType;

/// A variable's element type, with TensorFlow's spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DType {
    F32,
    F64,
    F16,
    BF16,
    I64,
    I32,
    I16,
    U8,
    U32,
    /// TF's `bool`, stored as candle `u8` (0 or 1).
    Bool,
}

impl DType {
    /// Every dtype, in the order of the enum.
    pub const ALL: [DType; 10] = [
        DType::F32,
        DType::F64,
        DType::F16,
        DType::BF16,
        DType::I64,
        DType::I32,
        DType::I16,
        DType::U8,
        DType::U32,
        DType::Bool,
    ];

    /// TensorFlow's spelling: `float32`, `bfloat16`, `int64`, `bool`, ...
    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "float32",
            DType::F64 => "float64",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
            DType::I64 => "int64",
            DType::I32 => "int32",
            DType::I16 => "int16",
            DType::U8 => "uint8",
            DType::U32 => "uint32",
            DType::Bool => "bool",
        }
    }

    /// Whether the dtype is a floating-point type (random initializers and
    /// float constants need one).
    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64 | DType::F16 | DType::BF16)
    }

    /// The candle dtype that stores values of this dtype.
    pub fn candle(self) -> candle_core::DType {
        use candle_core::DType as C;
        match self {
            DType::F32 => C::F32,
            DType::F64 => C::F64,
            DType::F16 => C::F16,
            DType::BF16 => C::BF16,
            DType::I64 => C::I64,
            DType::I32 => C::I32,
            DType::I16 => C::I16,
            DType::U8 | DType::Bool => C::U8,
            DType::U32 => C::U32,
        }
    }

    /// The dtype of a candle tensor (`u8` is `uint8`; `bool` is never inferred).
    pub fn from_candle(dtype: candle_core::DType) -> Option<DType> {
        use candle_core::DType as C;
        Some(match dtype {
            C::F32 => DType::F32,
            C::F64 => DType::F64,
            C::F16 => DType::F16,
            C::BF16 => DType::BF16,
            C::I64 => DType::I64,
            C::I32 => DType::I32,
            C::I16 => DType::I16,
            C::U8 => DType::U8,
            C::U32 => DType::U32,
            _ => return None,
        })
    }

    /// The checkpoint formats' dtype of the same name.
    pub fn data_type(self) -> DataType {
        match self {
            DType::F32 => DataType::Float32,
            DType::F64 => DataType::Float64,
            DType::F16 => DataType::Float16,
            DType::BF16 => DataType::BFloat16,
            DType::I64 => DataType::Int64,
            DType::I32 => DataType::Int32,
            DType::I16 => DataType::Int16,
            DType::U8 => DataType::UInt8,
            DType::U32 => DataType::UInt32,
            DType::Bool => DataType::Bool,
        }
    }

    /// Bytes per element in memory and in both file formats.
    pub fn size_in_bytes(self) -> usize {
        self.candle().size_in_bytes()
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
        let short = match s {
            "f32" => Some(DType::F32),
            "f64" => Some(DType::F64),
            "f16" => Some(DType::F16),
            "bf16" => Some(DType::BF16),
            "i64" => Some(DType::I64),
            "i32" => Some(DType::I32),
            "i16" => Some(DType::I16),
            "u8" => Some(DType::U8),
            "u32" => Some(DType::U32),
            _ => None,
        };
        short
            .or_else(|| DType::ALL.into_iter().find(|d| d.name() == s))
            .ok_or_else(|| {
                let names: Vec<&str> = DType::ALL.iter().map(|d| d.name()).collect();
                format!("unknown dtype `{s}`: expected one of {}", names.join(", "))
            })
    }
}
