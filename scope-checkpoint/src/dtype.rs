//! TensorFlow `DataType` numbers and names.

use std::fmt;
use std::str::FromStr;

/// A tensor element type, numbered as TensorFlow's `DataType` enum
/// (`tensorflow/core/framework/types.proto`) and named as TF spells it
/// (`float32`, `bfloat16`, `string`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DataType {
    Float32 = 1,
    Float64 = 2,
    Int32 = 3,
    UInt8 = 4,
    Int16 = 5,
    Int8 = 6,
    String = 7,
    Complex64 = 8,
    Int64 = 9,
    Bool = 10,
    BFloat16 = 14,
    UInt16 = 17,
    Complex128 = 18,
    Float16 = 19,
    UInt32 = 22,
    UInt64 = 23,
}

/// All supported dtypes, in TF enum order.
pub const ALL_DTYPES: [DataType; 16] = [
    DataType::Float32,
    DataType::Float64,
    DataType::Int32,
    DataType::UInt8,
    DataType::Int16,
    DataType::Int8,
    DataType::String,
    DataType::Complex64,
    DataType::Int64,
    DataType::Bool,
    DataType::BFloat16,
    DataType::UInt16,
    DataType::Complex128,
    DataType::Float16,
    DataType::UInt32,
    DataType::UInt64,
];

impl DataType {
    /// The TF `DataType` enum number (`DT_FLOAT` = 1, ...).
    pub fn tf_enum(self) -> u32 {
        self as u32
    }

    /// The dtype for a TF enum number, or `None` for an unknown or unsupported one.
    pub fn from_tf_enum(n: i64) -> Option<DataType> {
        ALL_DTYPES
            .iter()
            .copied()
            .find(|d| i64::from(d.tf_enum()) == n)
    }

    /// The name as TF spells it (`tf.float32.name`): `float32`, `bfloat16`, `string`, ...
    pub fn name(self) -> &'static str {
        match self {
            DataType::Float32 => "float32",
            DataType::Float64 => "float64",
            DataType::Int32 => "int32",
            DataType::UInt8 => "uint8",
            DataType::Int16 => "int16",
            DataType::Int8 => "int8",
            DataType::String => "string",
            DataType::Complex64 => "complex64",
            DataType::Int64 => "int64",
            DataType::Bool => "bool",
            DataType::BFloat16 => "bfloat16",
            DataType::UInt16 => "uint16",
            DataType::Complex128 => "complex128",
            DataType::Float16 => "float16",
            DataType::UInt32 => "uint32",
            DataType::UInt64 => "uint64",
        }
    }

    /// Bytes per element, or `None` for `string` (variable length).
    pub fn size(self) -> Option<usize> {
        Some(match self {
            DataType::UInt8 | DataType::Int8 | DataType::Bool => 1,
            DataType::Int16 | DataType::UInt16 | DataType::BFloat16 | DataType::Float16 => 2,
            DataType::Float32 | DataType::Int32 | DataType::UInt32 => 4,
            DataType::Float64 | DataType::Int64 | DataType::UInt64 | DataType::Complex64 => 8,
            DataType::Complex128 => 16,
            DataType::String => return None,
        })
    }

    /// The safetensors dtype string (`F32`, `BF16`, `BOOL`, ...), or `None`
    /// for `string`, which safetensors cannot hold.
    pub fn safetensors_name(self) -> Option<&'static str> {
        Some(match self {
            DataType::Float32 => "F32",
            DataType::Float64 => "F64",
            DataType::Int32 => "I32",
            DataType::UInt8 => "U8",
            DataType::Int16 => "I16",
            DataType::Int8 => "I8",
            DataType::Complex64 => "C64",
            DataType::Int64 => "I64",
            DataType::Bool => "BOOL",
            DataType::BFloat16 => "BF16",
            DataType::UInt16 => "U16",
            DataType::Float16 => "F16",
            DataType::UInt32 => "U32",
            DataType::UInt64 => "U64",
            DataType::String | DataType::Complex128 => return None,
        })
    }

    /// The dtype for a safetensors dtype string.
    pub fn from_safetensors_name(s: &str) -> Option<DataType> {
        ALL_DTYPES
            .iter()
            .copied()
            .find(|d| d.safetensors_name() == Some(s))
    }

    /// Rank in the `safetensors` package's `Dtype` enum; it writes tensors
    /// sorted by this rank, descending, then by name.
    pub(crate) fn safetensors_rank(self) -> u8 {
        match self {
            DataType::Bool => 0,
            DataType::UInt8 => 1,
            DataType::Int8 => 2,
            DataType::Int16 => 3,
            DataType::UInt16 => 4,
            DataType::Float16 => 5,
            DataType::BFloat16 => 6,
            DataType::Int32 => 7,
            DataType::UInt32 => 8,
            DataType::Float32 => 9,
            DataType::Complex64 => 10,
            DataType::Float64 => 11,
            DataType::Int64 => 12,
            DataType::UInt64 => 13,
            DataType::String | DataType::Complex128 => 14,
        }
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Error of [`DataType::from_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown dtype '{0}'; expected a TF name such as float32, bfloat16, int64, string (or float, double, half)")]
pub struct ParseDataTypeError(pub String);

impl FromStr for DataType {
    type Err = ParseDataTypeError;

    /// Accepts TF names (`float32`), TF aliases (`float`, `double`, `half`),
    /// `DT_*` enum names (`DT_FLOAT`) and safetensors names (`F32`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(d) = ALL_DTYPES.iter().copied().find(|d| d.name() == s) {
            return Ok(d);
        }
        if let Some(d) = DataType::from_safetensors_name(s) {
            return Ok(d);
        }
        let d = match s {
            "float" | "DT_FLOAT" => DataType::Float32,
            "double" | "DT_DOUBLE" => DataType::Float64,
            "half" | "DT_HALF" => DataType::Float16,
            "DT_BFLOAT16" => DataType::BFloat16,
            "DT_INT32" => DataType::Int32,
            "DT_INT64" => DataType::Int64,
            "DT_INT16" => DataType::Int16,
            "DT_INT8" => DataType::Int8,
            "DT_UINT8" => DataType::UInt8,
            "DT_UINT16" => DataType::UInt16,
            "DT_UINT32" => DataType::UInt32,
            "DT_UINT64" => DataType::UInt64,
            "DT_BOOL" => DataType::Bool,
            "DT_STRING" => DataType::String,
            "DT_COMPLEX64" => DataType::Complex64,
            "DT_COMPLEX128" => DataType::Complex128,
            _ => return Err(ParseDataTypeError(s.to_string())),
        };
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_numbers_match_tf() {
        for d in ALL_DTYPES {
            assert_eq!(d.name().parse::<DataType>().unwrap(), d);
            assert_eq!(DataType::from_tf_enum(i64::from(d.tf_enum())), Some(d));
        }
        assert_eq!(DataType::Float32.tf_enum(), 1);
        assert_eq!(DataType::BFloat16.tf_enum(), 14);
        assert_eq!(DataType::Float16.tf_enum(), 19);
        assert_eq!(DataType::UInt64.tf_enum(), 23);
        assert_eq!(DataType::from_tf_enum(20), None);
        assert_eq!("double".parse::<DataType>().unwrap(), DataType::Float64);
        assert!("float128".parse::<DataType>().is_err());
    }
}
