//! Weight regularizers: TF1's `tf.contrib.layers` `l1_regularizer`,
//! `l2_regularizer`, `l1_l2_regularizer`, `no_regularizer`, and users'
//! own closures. A regularizer set on a scope or a `get_variable` call runs
//! once for each variable that call *creates*; its loss joins the
//! `regularization_losses` collection (see `regularization`).
//!
//! The losses are TF's formulas on candle tensors: l1 is
//! `scale * sum(|w|)`, l2 is `scale * sum(w^2) / 2` (`tf.nn.l2_loss`).

use std::fmt;
use std::sync::Arc;

use candle_core::Tensor;

use crate::error::{Result, ScopeError};

type LossFn = dyn Fn(&Tensor) -> candle_core::Result<Tensor> + Send + Sync;

/// A weight regularizer (`regularizer=` of `variable_scope` / `get_variable`).
#[derive(Clone)]
pub struct Regularizer(Kind);

#[derive(Clone)]
enum Kind {
    L1(f64),
    L2(f64),
    /// Both scales non-zero (with one zero, TF builds the other alone).
    L1L2(f64, f64),
    /// `tf.compat.v1.no_regularizer`, or a zero scale: overrides an
    /// inherited regularizer and adds no loss.
    Nothing,
    Custom {
        name: Arc<str>,
        loss: Arc<LossFn>,
    },
}

fn check_scale(what: &str, scale: f64) -> Result<f64> {
    if scale.is_finite() && scale >= 0.0 {
        Ok(scale)
    } else {
        Err(ScopeError::InvalidArgument(format!(
            "{what}: the scale must be a finite number >= 0, got {scale}"
        )))
    }
}

impl Regularizer {
    /// `l1_regularizer(scale)`: `scale * sum(|w|)`; scale 0 adds nothing.
    pub fn l1(scale: f64) -> Result<Regularizer> {
        let s = check_scale("l1_regularizer", scale)?;
        Ok(Regularizer(if s == 0.0 {
            Kind::Nothing
        } else {
            Kind::L1(s)
        }))
    }

    /// `l2_regularizer(scale)`: `scale * sum(w^2) / 2`; scale 0 adds nothing.
    pub fn l2(scale: f64) -> Result<Regularizer> {
        let s = check_scale("l2_regularizer", scale)?;
        Ok(Regularizer(if s == 0.0 {
            Kind::Nothing
        } else {
            Kind::L2(s)
        }))
    }

    /// `l1_l2_regularizer(scale_l1, scale_l2)`: the sum of both; its loss is
    /// named `l1_l2_regularizer` also when one scale is 0.
    pub fn l1_l2(scale_l1: f64, scale_l2: f64) -> Result<Regularizer> {
        let l1 = check_scale("l1_l2_regularizer", scale_l1)?;
        let l2 = check_scale("l1_l2_regularizer", scale_l2)?;
        Ok(Regularizer(match (l1 == 0.0, l2 == 0.0) {
            (true, true) => Kind::Nothing,
            (false, false) => Kind::L1L2(l1, l2),
            // TF: `l2_regularizer(scale_l2, scope="l1_l2_regularizer")`.
            (true, false) => Kind::Custom {
                name: "l1_l2_regularizer".into(),
                loss: Arc::new(move |w| l2_loss(w, l2)),
            },
            (false, true) => Kind::Custom {
                name: "l1_l2_regularizer".into(),
                loss: Arc::new(move |w| l1_loss(w, l1)),
            },
        }))
    }

    /// `tf.compat.v1.no_regularizer`: overrides an inherited regularizer.
    pub fn none() -> Regularizer {
        Regularizer(Kind::Nothing)
    }

    /// A user's regularizer: `loss` maps the variable's value to a scalar,
    /// computed in a name scope called `name` (as a TF regularizer function
    /// opens `name_scope(scope, name)`).
    pub fn custom(
        name: &str,
        loss: impl Fn(&Tensor) -> candle_core::Result<Tensor> + Send + Sync + 'static,
    ) -> Regularizer {
        Regularizer(Kind::Custom {
            name: name.into(),
            loss: Arc::new(loss),
        })
    }

    /// The name scope the regularizer opens (`l2_regularizer`, ...), or
    /// `None` if it adds no loss.
    pub fn op_name(&self) -> Option<&str> {
        match &self.0 {
            Kind::L1(_) => Some("l1_regularizer"),
            Kind::L2(_) => Some("l2_regularizer"),
            Kind::L1L2(..) => Some("l1_l2_regularizer"),
            Kind::Nothing => None,
            Kind::Custom { name, .. } => Some(name),
        }
    }

    /// The names of the regularizers a sum regularizer is made of (made
    /// inside its own name scope).
    pub(crate) fn inner_op_names(&self) -> &'static [&'static str] {
        match self.0 {
            Kind::L1L2(..) => &["l1_regularizer", "l2_regularizer"],
            _ => &[],
        }
    }

    /// The loss of a variable whose value is `w`, or `None` if the
    /// regularizer adds none.
    pub fn loss(&self, w: &Tensor) -> candle_core::Result<Option<Tensor>> {
        Ok(Some(match &self.0 {
            Kind::L1(s) => l1_loss(w, *s)?,
            Kind::L2(s) => l2_loss(w, *s)?,
            Kind::L1L2(a, b) => (l1_loss(w, *a)? + l2_loss(w, *b)?)?,
            Kind::Nothing => return Ok(None),
            Kind::Custom { loss, .. } => loss(w)?,
        }))
    }
}

fn l1_loss(w: &Tensor, scale: f64) -> candle_core::Result<Tensor> {
    w.abs()?.sum_all()?.affine(scale, 0.0)
}

fn l2_loss(w: &Tensor, scale: f64) -> candle_core::Result<Tensor> {
    w.sqr()?.sum_all()?.affine(scale / 2.0, 0.0)
}

impl fmt::Debug for Regularizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::L1(s) => write!(f, "l1_regularizer({s})"),
            Kind::L2(s) => write!(f, "l2_regularizer({s})"),
            Kind::L1L2(a, b) => write!(f, "l1_l2_regularizer({a}, {b})"),
            Kind::Nothing => f.write_str("no_regularizer"),
            Kind::Custom { name, .. } => write!(f, "custom regularizer `{name}`"),
        }
    }
}
