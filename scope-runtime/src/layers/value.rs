//! What a layer takes and gives: a candle tensor, or only a (partially
//! unknown) static shape for TF's shape inference, plus the variables the
//! call requested.

use candle_core::Tensor;

use crate::error::{Result, ScopeError};
use crate::variable::Variable;

/// A layer's input or output: values, or only a static shape (`None` an
/// unknown dimension). Names, variables and output shapes never depend on
/// which: a shape-only call makes no variable value.
#[derive(Clone, Debug)]
pub enum LayerValue {
    Tensor(Tensor),
    Shape(Vec<Option<usize>>),
}

impl LayerValue {
    /// A shape-only value.
    pub fn shape_only(shape: &[Option<usize>]) -> LayerValue {
        LayerValue::Shape(shape.to_vec())
    }

    /// The static shape.
    pub fn shape(&self) -> Vec<Option<usize>> {
        match self {
            LayerValue::Tensor(t) => t.dims().iter().map(|&d| Some(d)).collect(),
            LayerValue::Shape(s) => s.clone(),
        }
    }

    /// The rank.
    pub fn rank(&self) -> usize {
        match self {
            LayerValue::Tensor(t) => t.rank(),
            LayerValue::Shape(s) => s.len(),
        }
    }

    /// The tensor, if this carries values.
    pub fn as_tensor(&self) -> Option<&Tensor> {
        match self {
            LayerValue::Tensor(t) => Some(t),
            LayerValue::Shape(_) => None,
        }
    }

    /// The tensor; an error for a shape-only value.
    pub fn into_tensor(self) -> Result<Tensor> {
        match self {
            LayerValue::Tensor(t) => Ok(t),
            LayerValue::Shape(s) => Err(ScopeError::InvalidArgument(format!(
                "the layer ran in shape-only mode (shape {}); it has no values",
                crate::error::fmt_partial_shape(&s)
            ))),
        }
    }
}

impl From<Tensor> for LayerValue {
    fn from(t: Tensor) -> Self {
        LayerValue::Tensor(t)
    }
}

impl From<&Tensor> for LayerValue {
    fn from(t: &Tensor) -> Self {
        LayerValue::Tensor(t.clone())
    }
}

/// What a layer call gives: its output and every variable it requested
/// from the store (created or shared), in request order.
#[derive(Clone, Debug)]
pub struct LayerOutput {
    pub value: LayerValue,
    pub variables: Vec<Variable>,
}

impl LayerOutput {
    /// The output tensor; an error for a shape-only call.
    pub fn tensor(self) -> Result<Tensor> {
        self.value.into_tensor()
    }

    /// The output's static shape.
    pub fn shape(&self) -> Vec<Option<usize>> {
        self.value.shape()
    }
}
