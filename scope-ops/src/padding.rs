//! TensorFlow's `"SAME"` / `"VALID"` window arithmetic, exactly as
//! `GetWindowedOutputSizeVerbose` in `tensorflow/core/framework/kernel_shape_util.cc`:
//!
//! * effective window `k_eff = (k - 1) * dilation + 1`;
//! * VALID: `out = (in - k_eff + stride) / stride`, no padding, an error when
//!   the window is larger than the input;
//! * SAME: `out = ceil(in / stride)`,
//!   `total = max((out - 1) * stride + k_eff - in, 0)`,
//!   `pad_before = total / 2`, `pad_after = total - pad_before` (the odd
//!   pixel goes after, unlike a symmetric PyTorch/candle padding).

use crate::error::{arg_err, Error, Result};
use std::str::FromStr;

/// TensorFlow's padding scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Padding {
    /// Output `ceil(in / stride)`, zero (or -inf for max pooling) padding
    /// split with the extra pixel after.
    Same,
    /// No padding: only windows that fit entirely.
    #[default]
    Valid,
}

impl FromStr for Padding {
    type Err = Error;

    /// `"SAME"`/`"VALID"` as `tf.nn` spells them, or lowercase as
    /// `tf.layers` accepts them.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "SAME" | "same" => Ok(Padding::Same),
            "VALID" | "valid" => Ok(Padding::Valid),
            _ => Err(Error::UnknownPadding(s.to_string())),
        }
    }
}

/// One spatial axis of a windowed op: its output size and the padding TF
/// adds before and after the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub output: usize,
    pub pad_before: usize,
    pub pad_after: usize,
}

impl Window {
    /// The length of padded input that the windows read: `(out - 1) * stride
    /// + k_eff` (0 for an empty output). Rows after it are never read.
    pub fn used_extent(&self, ksize: usize, stride: usize, dilation: usize) -> usize {
        if self.output == 0 {
            0
        } else {
            (self.output - 1) * stride + effective_size(ksize, dilation)
        }
    }
}

/// `(ksize - 1) * dilation + 1`.
pub fn effective_size(ksize: usize, dilation: usize) -> usize {
    (ksize - 1) * dilation + 1
}

/// TF's output size and padding for one axis (`GetWindowedOutputSizeVerbose`).
pub fn windowed_output_size(
    input: usize,
    ksize: usize,
    stride: usize,
    dilation: usize,
    padding: Padding,
) -> Result<Window> {
    const OP: &str = "padding";
    if stride == 0 {
        return Err(arg_err(OP, "stride must be > 0"));
    }
    if ksize == 0 {
        return Err(arg_err(OP, "window size must be > 0"));
    }
    if dilation == 0 {
        return Err(arg_err(OP, "dilation rate must be > 0"));
    }
    let k_eff = effective_size(ksize, dilation);
    match padding {
        Padding::Valid => {
            if input < k_eff {
                return Err(arg_err(
                    OP,
                    format!(
                        "computed output size would be negative: input size {input}, \
                         effective window size {k_eff}, stride {stride} (VALID padding)"
                    ),
                ));
            }
            Ok(Window {
                output: (input - k_eff + stride) / stride,
                pad_before: 0,
                pad_after: 0,
            })
        }
        Padding::Same => {
            let output = input.div_ceil(stride);
            let needed = (output.saturating_sub(1) * stride + k_eff).saturating_sub(input);
            let needed = if output == 0 { 0 } else { needed };
            Ok(Window {
                output,
                pad_before: needed / 2,
                pad_after: needed - needed / 2,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(input: usize, k: usize, s: usize, d: usize, p: Padding) -> (usize, usize, usize) {
        let w = windowed_output_size(input, k, s, d, p).unwrap();
        (w.output, w.pad_before, w.pad_after)
    }

    #[test]
    fn same_puts_the_odd_pixel_after() {
        // ResNet-50's stem: 224, 7x7, stride 2 -> 112 with pads 2 / 3.
        assert_eq!(w(224, 7, 2, 1, Padding::Same), (112, 2, 3));
        // Its max pool: 112, 3x3, stride 2 -> 56 with pads 0 / 1.
        assert_eq!(w(112, 3, 2, 1, Padding::Same), (56, 0, 1));
        assert_eq!(w(7, 3, 1, 1, Padding::Same), (7, 1, 1));
        assert_eq!(w(9, 3, 2, 1, Padding::Same), (5, 1, 1));
        assert_eq!(w(8, 3, 2, 1, Padding::Same), (4, 0, 1));
        // dilation 2: k_eff = 5
        assert_eq!(w(9, 3, 1, 2, Padding::Same), (9, 2, 2));
        // a window larger than the input
        assert_eq!(w(2, 5, 1, 1, Padding::Same), (2, 2, 2));
        // stride larger than the window: no padding needed
        assert_eq!(w(10, 1, 3, 1, Padding::Same), (4, 0, 0));
    }

    #[test]
    fn valid_drops_partial_windows() {
        assert_eq!(w(7, 3, 2, 1, Padding::Valid), (3, 0, 0));
        assert_eq!(w(10, 5, 3, 1, Padding::Valid), (2, 0, 0));
        assert_eq!(w(11, 3, 1, 2, Padding::Valid), (7, 0, 0));
        assert_eq!(w(5, 5, 1, 1, Padding::Valid), (1, 0, 0));
        let e = windowed_output_size(4, 3, 1, 2, Padding::Valid).unwrap_err();
        assert!(e.to_string().contains("negative"), "{e}");
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(windowed_output_size(4, 3, 0, 1, Padding::Same).is_err());
        assert!(windowed_output_size(4, 0, 1, 1, Padding::Same).is_err());
        assert!(windowed_output_size(4, 3, 1, 0, Padding::Same).is_err());
        assert!(matches!(
            "Same".parse::<Padding>(),
            Err(Error::UnknownPadding(s)) if s == "Same"
        ));
        assert_eq!("SAME".parse::<Padding>().unwrap(), Padding::Same);
        assert_eq!("valid".parse::<Padding>().unwrap(), Padding::Valid);
    }
}
