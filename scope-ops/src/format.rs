//! Channels-last (TF's default, NHWC / NWC) or channels-first (NCHW / NCW).

use crate::error::{Error, Result};
use std::str::FromStr;

/// Where the channel axis is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DataFormat {
    /// `[N, H, W, C]` (`[N, W, C]` in 1-D): TensorFlow's default.
    #[default]
    ChannelsLast,
    /// `[N, C, H, W]` (`[N, C, W]` in 1-D): candle's and PyTorch's layout.
    ChannelsFirst,
}

impl DataFormat {
    /// The channel axis of a tensor of rank `rank`.
    pub fn channel_axis(self, rank: usize) -> usize {
        match self {
            DataFormat::ChannelsLast => rank - 1,
            DataFormat::ChannelsFirst => 1,
        }
    }

    /// The two spatial axes of a 4-D tensor.
    pub(crate) fn spatial_axes(self) -> [usize; 2] {
        match self {
            DataFormat::ChannelsLast => [1, 2],
            DataFormat::ChannelsFirst => [2, 3],
        }
    }
}

impl FromStr for DataFormat {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "NHWC" | "NWC" | "NDHWC" | "channels_last" => Ok(DataFormat::ChannelsLast),
            "NCHW" | "NCW" | "NCDHW" | "channels_first" => Ok(DataFormat::ChannelsFirst),
            _ => Err(Error::UnknownDataFormat(s.to_string())),
        }
    }
}
