//! Channels-last conv2d on the CPU through [`crate::sgemm`], for f32
//! tensors that autograd does not track (inference).
//!
//! The convolution is the product of the im2col matrix (`N·Ho·Wo` rows,
//! `kh·kw·C` columns in HWIO's `(i, j, c)` order) and the HWIO filter
//! viewed as `[kh·kw·C, O]`. That matrix is never written out: one K block
//! of the product is one kernel tap and a range of channels, so a row's
//! run is the channels of a single input pixel, read where the input
//! holds it (a tap in the padding is a run of zeros). Inputs with fewer
//! than [`IMPLICIT_MIN_CHANNELS`] channels (the 3-channel stem) would give
//! runs too short for the microkernel to pay for its loads and stores of
//! C. For them a K block is a whole kernel row instead (`kw·C` adjacent
//! elements: ResNet's stem, explicitly padded then VALID, reads 7 × 3 = 21
//! at a time), where no window reaches into a horizontal padding; else the
//! im2col is written into one buffer first, in parallel, and read as a
//! dense matrix with K blocks of up to 128. ResNet-50's stem (7×7/2,
//! 3 → 64 on 230×230, `examples/conv_speed.rs`): 4.9 ms with the buffer,
//! 2.8 ms with kernel-row blocks (the second at a noisier moment).
//! A bias or an inference batch norm folded into a per-channel scale and
//! shift, and a ReLU, are applied as the output is stored.

use std::ops::Range;

use rayon::prelude::*;

use crate::padding::Window;
use crate::sgemm::{self, Dense, Epilogue, PackedB, Rows};

/// The fewest input channels for which the im2col stays implicit.
pub(crate) const IMPLICIT_MIN_CHANNELS: usize = 32;

/// The geometry of one convolution, as `conv.rs` checked it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Geometry {
    /// Input `[n, h, w, c]`.
    pub(crate) input: [usize; 4],
    /// Kernel `[kh, kw]`.
    pub(crate) ksize: [usize; 2],
    pub(crate) strides: [usize; 2],
    pub(crate) dilations: [usize; 2],
    /// TF's padding before each spatial axis and the output size.
    pub(crate) windows: [Window; 2],
}

impl Geometry {
    fn rows(&self) -> usize {
        self.input[0] * self.windows[0].output * self.windows[1].output
    }

    /// Output row `m`'s window origin: its batch index and the padded
    /// input row and column of its first tap.
    fn origin(&self, m: usize) -> [usize; 3] {
        let (ho, wo) = (self.windows[0].output, self.windows[1].output);
        let (b, r) = (m / (ho * wo), m % (ho * wo));
        [b, (r / wo) * self.strides[0], (r % wo) * self.strides[1]]
    }

    /// Where the window at `origin` reads under tap `(i, j)`: the input
    /// pixel's first element, or `None` in the padding.
    fn pixel_at(&self, [b, oh, ow]: [usize; 3], i: usize, j: usize) -> Option<usize> {
        let [_, h, w, c] = self.input;
        let ih = (oh + i * self.dilations[0])
            .checked_sub(self.windows[0].pad_before)
            .filter(|&v| v < h)?;
        let iw = (ow + j * self.dilations[1])
            .checked_sub(self.windows[1].pad_before)
            .filter(|&v| v < w)?;
        Some(((b * h + ih) * w + iw) * c)
    }

    /// [`pixel_at`](Self::pixel_at) for output row `m`.
    fn pixel(&self, m: usize, i: usize, j: usize) -> Option<usize> {
        self.pixel_at(self.origin(m), i, j)
    }
}

/// The implicit im2col: K blocks are (tap, channel range) pairs.
struct Implicit<'a> {
    x: &'a [f32],
    g: Geometry,
    blocks: Vec<Range<usize>>,
    /// Per block: the tap `(i, j)` and its first channel.
    taps: Vec<(usize, usize, usize)>,
    /// Per output row: its window origin (no divisions per block).
    origins: Vec<[usize; 3]>,
}

impl<'a> Implicit<'a> {
    /// One K block per tap and channel range.
    fn per_tap(x: &'a [f32], g: Geometry) -> Implicit<'a> {
        let c = g.input[3];
        let (mut blocks, mut taps) = (Vec::new(), Vec::new());
        for i in 0..g.ksize[0] {
            for j in 0..g.ksize[1] {
                let base = (i * g.ksize[1] + j) * c;
                let before = blocks.len();
                sgemm::split_k(base..base + c, &mut blocks);
                taps.extend(blocks[before..].iter().map(|r| (i, j, r.start - base)));
            }
        }
        Implicit::with_blocks(x, g, blocks, taps)
    }

    /// One K block per kernel row (`kw·C` elements, split at [`sgemm::KC`]):
    /// the taps of a kernel row read adjacent input pixels, one run, when
    /// no window reaches into a horizontal padding and the rate across is
    /// 1. `None` otherwise.
    fn per_kernel_row(x: &'a [f32], g: Geometry) -> Option<Implicit<'a>> {
        let across = g.windows[1];
        if g.dilations[1] != 1 || across.pad_before != 0 || across.pad_after != 0 {
            return None;
        }
        let row = g.ksize[1] * g.input[3];
        let (mut blocks, mut taps) = (Vec::new(), Vec::new());
        for i in 0..g.ksize[0] {
            let before = blocks.len();
            sgemm::split_k(i * row..(i + 1) * row, &mut blocks);
            taps.extend(blocks[before..].iter().map(|r| (i, 0, r.start - i * row)));
        }
        Some(Implicit::with_blocks(x, g, blocks, taps))
    }

    fn with_blocks(
        x: &'a [f32],
        g: Geometry,
        blocks: Vec<Range<usize>>,
        taps: Vec<(usize, usize, usize)>,
    ) -> Implicit<'a> {
        let origins = (0..g.rows()).map(|m| g.origin(m)).collect();
        Implicit {
            x,
            g,
            blocks,
            taps,
            origins,
        }
    }
}

impl Rows for Implicit<'_> {
    fn rows(&self) -> usize {
        self.g.rows()
    }
    fn blocks(&self) -> &[Range<usize>] {
        &self.blocks
    }
    fn run(&self, m: usize, block: usize) -> Option<&[f32]> {
        let (i, j, c0) = self.taps[block];
        let at = self.g.pixel_at(self.origins[m], i, j)? + c0;
        Some(&self.x[at..at + self.blocks[block].len()])
    }
}

/// The explicit im2col `[rows, kh·kw·C]`.
fn im2col(x: &[f32], g: &Geometry) -> Vec<f32> {
    let c = g.input[3];
    let k = g.ksize[0] * g.ksize[1] * c;
    let mut cols = vec![0f32; g.rows() * k];
    let kw = g.ksize[1];
    cols.par_chunks_mut(k.max(1))
        .enumerate()
        .for_each(|(m, row)| {
            for i in 0..g.ksize[0] {
                let t = i * kw * c;
                // The whole kernel row inside the input, taps adjacent: one
                // copy of kw·C (the stem's 7 taps × 3 channels).
                if let (1, Some(a), Some(b)) =
                    (g.dilations[1], g.pixel(m, i, 0), g.pixel(m, i, kw - 1))
                {
                    if b == a + (kw - 1) * c {
                        row[t..t + kw * c].copy_from_slice(&x[a..a + kw * c]);
                        continue;
                    }
                }
                for j in 0..kw {
                    if let Some(at) = g.pixel(m, i, j) {
                        row[t + j * c..t + (j + 1) * c].copy_from_slice(&x[at..at + c]);
                    }
                }
            }
        });
    cols
}

/// `epilogue(conv2d(x, filter))` for a contiguous NHWC `x` and HWIO
/// `filter` (f32 CPU data, `filter` `[kh, kw, C, O]` contiguous), as
/// `[n, ho, wo, O]` values.
pub(crate) fn conv2d(
    x: &[f32],
    filter: &[f32],
    outputs: usize,
    g: Geometry,
    epi: Epilogue,
) -> Vec<f32> {
    let implicit = if g.input[3] >= IMPLICIT_MIN_CHANNELS {
        Some(Implicit::per_tap(x, g))
    } else {
        Implicit::per_kernel_row(x, g).filter(|r| {
            r.blocks
                .first()
                .is_some_and(|b| b.len() >= IMPLICIT_MIN_CHANNELS / 2)
        })
    };
    if let Some(rows) = implicit {
        let b = PackedB::for_rows(&rows, filter, outputs, outputs);
        sgemm::product(&rows, &b, epi)
    } else {
        let k = g.ksize[0] * g.ksize[1] * g.input[3];
        let cols = im2col(x, &g);
        let rows = Dense::new(&cols, g.rows(), k, k);
        let b = PackedB::for_rows(&rows, filter, outputs, outputs);
        sgemm::product(&rows, &b, epi)
    }
}
