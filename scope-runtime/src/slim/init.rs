//! slim's weight initializers: any [`Initializer`], or slim's
//! `variance_scaling_initializer` (ResNet's), whose scale depends on the
//! weight's shape and so is resolved per variable.

use crate::init::Initializer;

/// Which fan `variance_scaling_initializer` divides by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FanMode {
    FanIn,
    FanOut,
    FanAvg,
}

/// A slim weights initializer.
#[derive(Clone, Debug, PartialEq)]
pub enum Init {
    Fixed(Initializer),
    /// `tf_slim.variance_scaling_initializer(factor, mode, uniform)`:
    /// truncated normal with stddev `sqrt(1.3 * factor / n)`, or uniform
    /// in `±sqrt(3 * factor / n)`.
    VarianceScaling {
        factor: f64,
        mode: FanMode,
        uniform: bool,
    },
}

impl Init {
    /// slim's defaults: `factor=2.0, mode='FAN_IN', uniform=False`.
    pub fn variance_scaling() -> Init {
        Init::VarianceScaling {
            factor: 2.0,
            mode: FanMode::FanIn,
            uniform: false,
        }
    }

    /// `xavier_initializer()` (glorot uniform), slim's weights default.
    pub fn xavier() -> Init {
        Init::Fixed(Initializer::GlorotUniform)
    }

    /// The initializer of a weight of this shape.
    pub fn resolve(&self, shape: &[usize]) -> Initializer {
        match self {
            Init::Fixed(i) => i.clone(),
            Init::VarianceScaling {
                factor,
                mode,
                uniform,
            } => {
                let (fan_in, fan_out) = fans(shape);
                let n = match mode {
                    FanMode::FanIn => fan_in,
                    FanMode::FanOut => fan_out,
                    FanMode::FanAvg => (fan_in + fan_out) / 2.0,
                }
                .max(1.0);
                if *uniform {
                    let limit = (3.0 * factor / n).sqrt();
                    Initializer::RandomUniform {
                        minval: -limit,
                        maxval: limit,
                    }
                } else {
                    Initializer::TruncatedNormal {
                        mean: 0.0,
                        stddev: (1.3 * factor / n).sqrt(),
                    }
                }
            }
        }
    }
}

impl From<Initializer> for Init {
    fn from(i: Initializer) -> Self {
        Init::Fixed(i)
    }
}

/// slim's fans: the last two axes, times every leading (receptive) axis.
fn fans(shape: &[usize]) -> (f64, f64) {
    let Some(&last) = shape.last() else {
        return (1.0, 1.0);
    };
    let mut fan_in = if shape.len() > 1 {
        shape[shape.len() - 2] as f64
    } else {
        last as f64
    };
    let mut fan_out = last as f64;
    for &d in shape.iter().take(shape.len().saturating_sub(2)) {
        fan_in *= d as f64;
        fan_out *= d as f64;
    }
    (fan_in, fan_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variance_scaling_uses_receptive_field_fan_in() {
        let i = Init::variance_scaling().resolve(&[3, 3, 8, 16]);
        let want = (1.3f64 * 2.0 / 72.0).sqrt();
        assert_eq!(
            i,
            Initializer::TruncatedNormal {
                mean: 0.0,
                stddev: want
            }
        );
    }
}
