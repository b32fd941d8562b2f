//! The f32 matrix product under the CPU inference kernels:
//! `C = epilogue(A · B)` with A read in place, row by row, and B packed.
//!
//! Why our own and not `gemm` (the crate under candle's CPU matmul): on
//! ResNet-50's convolutions `gemm` ran at 40-55 GFLOP/s on one core of this
//! machine (~125 GFLOP/s FMA peak per core, measured), and an im2col made
//! in front of it cost about as much again on the 56×56 layers; this
//! kernel runs the same convolutions at 105-125 GFLOP/s on two cores with
//! no im2col (table in `conv.rs`). It is not used for GPT-2's dense layers:
//! there (128 rows, B of 0.6-2.4 M weights) it was slower than `gemm`,
//! which packs B in cache-sized pieces as it goes: 0.40-0.43 s per
//! forward pass against `gemm`'s 0.33-0.39 s, runs alternating on a loaded
//! machine.
//! The design is BLIS's, cut down to what inference needs:
//!
//! * a 6 × 64 microkernel: 24 AVX-512 accumulators; per step of k one
//!   64-wide row of packed B (4 loads), 6 broadcasts of A, 24 FMAs;
//! * A is never packed: a [`Rows`] source gives, for each row and K block,
//!   one contiguous run of that row's elements. For a dense matrix that is
//!   a piece of a row; for an NHWC convolution it is one input pixel's
//!   channels under one kernel tap, so the convolution's im2col is
//!   implicit, and a tap that falls in the padding is a run of zeros;
//! * B is packed once per call into `[K block][64-column panel][k][64]`,
//!   zero-padded, so a panel's `kc` rows (≤ 32 KB) stay in L1 while every
//!   row tile of a task passes over it;
//! * the work is cut into (row chunk × panel chunk) tasks, 4 or more per
//!   thread, that rayon's work stealing hands out, so a core that another
//!   process slows down does not hold the others at a barrier;
//! * the epilogue (a per-column scale and shift, i.e. a bias or a folded
//!   batch norm, then an optional ReLU) is applied as the last K block's
//!   accumulators are stored: no second pass over the output.
//!
//! Without AVX-512 (or off x86-64) a portable microkernel of the same
//! shape runs instead; it is what the tests check the AVX-512 one against.

use std::mem::MaybeUninit;
use std::ops::Range;

use rayon::prelude::*;

use crate::out_ptr::OutPtr;

/// Rows of a microkernel tile.
pub(crate) const MR: usize = 6;
/// Columns of a microkernel tile (a packed B panel's width).
pub(crate) const NR: usize = 64;
/// Longest K block: a packed panel of `KC × NR` f32 is 32 KB.
pub(crate) const KC: usize = 128;
/// How many rows of B ahead the AVX-512 kernel prefetches.
const PREFETCH_ROWS: usize = 16;
/// Rows per task (a multiple of `MR`).
const MC: usize = 96;

/// The run of zeros that stands for a padding tap or a missing row.
static ZEROS: [f32; KC] = [0.0; KC];

/// What each output element becomes once its whole sum is made:
/// `relu?(acc · scale[j] + shift[j])` for column `j`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Epilogue<'a> {
    pub(crate) scale: Option<&'a [f32]>,
    pub(crate) shift: Option<&'a [f32]>,
    pub(crate) relu: bool,
}

impl Epilogue<'_> {
    fn apply(&self, j: usize, v: f32) -> f32 {
        let v = self.scale.map_or(v, |s| v * s[j]);
        let v = self.shift.map_or(v, |s| v + s[j]);
        if self.relu {
            v.max(0.0)
        } else {
            v
        }
    }
}

/// The left operand, `M × K`, read in place.
pub(crate) trait Rows: Sync {
    /// `M`.
    fn rows(&self) -> usize;
    /// The K blocks: consecutive ranges of A's columns (B's rows), each at
    /// most [`KC`] long, covering `0..K`.
    fn blocks(&self) -> &[Range<usize>];
    /// Row `m`'s elements in K block `block` (exactly that block's length),
    /// or `None` where they are all zero.
    fn run(&self, m: usize, block: usize) -> Option<&[f32]>;
}

/// Splits `range` into the fewest blocks of at most [`KC`], of near-equal
/// lengths, appended to `out`.
pub(crate) fn split_k(range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let len = range.len();
    if len == 0 {
        return;
    }
    let parts = len.div_ceil(KC);
    let (base, extra) = (len / parts, len % parts);
    let mut start = range.start;
    for i in 0..parts {
        let l = base + usize::from(i < extra);
        out.push(start..start + l);
        start += l;
    }
}

/// A row-major matrix: row `m` starts at `m * ld`.
pub(crate) struct Dense<'a> {
    data: &'a [f32],
    rows: usize,
    ld: usize,
    blocks: Vec<Range<usize>>,
}

impl<'a> Dense<'a> {
    /// `rows × cols` with leading dimension `ld` (≥ `cols`); `data` must
    /// hold every row.
    pub(crate) fn new(data: &'a [f32], rows: usize, cols: usize, ld: usize) -> Dense<'a> {
        assert!(ld >= cols && (rows == 0 || data.len() >= (rows - 1) * ld + cols));
        let mut blocks = Vec::new();
        split_k(0..cols, &mut blocks);
        Dense {
            data,
            rows,
            ld,
            blocks,
        }
    }
}

impl Rows for Dense<'_> {
    fn rows(&self) -> usize {
        self.rows
    }
    fn blocks(&self) -> &[Range<usize>] {
        &self.blocks
    }
    fn run(&self, m: usize, block: usize) -> Option<&[f32]> {
        let r = &self.blocks[block];
        Some(&self.data[m * self.ld + r.start..m * self.ld + r.end])
    }
}

/// The right operand as [`matmul`] reads it: 64-column panels of each K
/// block, `kc` rows each, `stride` apart.
pub(crate) struct PackedB<'a> {
    data: std::borrow::Cow<'a, [f32]>,
    n: usize,
    panels: usize,
    /// Distance between two rows of a panel.
    stride: usize,
    /// Start of each K block's panels in `data`.
    offsets: Vec<usize>,
    /// Whether `data` is packed (panel `p` of a block starts `p · kc · 64`
    /// after the block) or B itself (`p · 64` after it).
    packed: bool,
    blocks: Vec<Range<usize>>,
}

impl<'a> PackedB<'a> {
    /// Packs `B` (`K × n`, element `(k, j)` at `b[k * rs + j * cs]`) for the
    /// K `blocks` of the left operand it will meet: per K block, per
    /// panel, `kc` rows of 64 (columns past N are zeros).
    pub(crate) fn pack(
        b: &[f32],
        rs: usize,
        cs: usize,
        n: usize,
        blocks: &[Range<usize>],
    ) -> PackedB<'a> {
        let panels = n.div_ceil(NR);
        let mut offsets = Vec::with_capacity(blocks.len());
        let mut total = 0;
        for r in blocks {
            offsets.push(total);
            total += r.len() * panels * NR;
        }
        let mut data = vec![0f32; total];
        // One job per (K block, panel): a `kc × 64` piece of `data`.
        let mut jobs = Vec::with_capacity(blocks.len() * panels);
        let mut rest = data.as_mut_slice();
        for r in blocks {
            let (mine, tail) = rest.split_at_mut(r.len() * panels * NR);
            rest = tail;
            if r.is_empty() {
                continue;
            }
            for (p, piece) in mine.chunks_exact_mut(r.len() * NR).enumerate() {
                jobs.push((r.clone(), p, piece));
            }
        }
        jobs.into_par_iter().for_each(|(r, p, piece)| {
            let j0 = p * NR;
            let cols = NR.min(n - j0);
            for (q, k) in r.enumerate() {
                let dst = &mut piece[q * NR..q * NR + cols];
                if cs == 1 {
                    dst.copy_from_slice(&b[k * rs + j0..k * rs + j0 + cols]);
                } else {
                    for (j, d) in dst.iter_mut().enumerate() {
                        *d = b[k * rs + (j0 + j) * cs];
                    }
                }
            }
        });
        PackedB {
            data: data.into(),
            n,
            panels,
            stride: NR,
            offsets,
            packed: true,
            blocks: blocks.to_vec(),
        }
    }

    /// `B` (`K × n`, rows `ld` apart, columns adjacent) read where it is:
    /// no copy, for products with few rows of A, where a packed panel
    /// would be used by few tiles and packing costs more than it saves.
    pub(crate) fn in_place(
        b: &'a [f32],
        ld: usize,
        n: usize,
        blocks: &[Range<usize>],
    ) -> PackedB<'a> {
        let k = blocks.last().map_or(0, |r| r.end);
        assert!(ld >= n && (k == 0 || n == 0 || b.len() >= (k - 1) * ld + n));
        PackedB {
            data: b.into(),
            n,
            panels: n.div_ceil(NR),
            stride: ld,
            offsets: blocks.iter().map(|r| r.start * ld).collect(),
            packed: false,
            blocks: blocks.to_vec(),
        }
    }

    /// B for the product of `a` (rows `M`) with `b` (`K × n` row-major,
    /// rows `ld` apart): in place when A has at most
    /// [`IN_PLACE_MAX_ROWS`] rows, else packed.
    pub(crate) fn for_rows(a: &dyn Rows, b: &'a [f32], ld: usize, n: usize) -> PackedB<'a> {
        if a.rows() <= IN_PLACE_MAX_ROWS {
            PackedB::in_place(b, ld, n, a.blocks())
        } else {
            PackedB::pack(b, ld, 1, n, a.blocks())
        }
    }

    /// Panel `p` of K block `block`: its first element; rows are
    /// `self.stride` apart and the last one ends inside `data`.
    fn panel(&self, block: usize, p: usize) -> *const f32 {
        let kc = self.blocks[block].len();
        let step = if self.packed { kc * NR } else { NR };
        let start = self.offsets[block] + p * step;
        let cols = NR.min(self.n - p * NR);
        // Bounds of what the kernel reads (masked to `cols` columns).
        assert!(kc == 0 || start + (kc - 1) * self.stride + cols <= self.data.len());
        self.data[start..].as_ptr()
    }
}

/// Products with at most this many rows read B in place. Packing B costs
/// a pass over it (read, write, page faults) that few row tiles would
/// share: inside ResNet-50's forward pass the 7×7 layers (49 rows) took
/// 3.0 ms instead of 4.9 ms (3×3, 512 → 512) and 1.4 instead of 1.9 ms
/// (1×1, 512 → 2048) with B in place; the 14×14 layers (196 rows) gained
/// less, the 28×28 ones (784 rows) lost.
pub(crate) const IN_PLACE_MAX_ROWS: usize = 256;

/// One microkernel call: `rows × cols` (≤ `MR × NR`) of C at `c` (row
/// stride `ldc`) from `kc` steps of the runs `a` and the panel `b`.
struct Tile {
    kc: usize,
    a: [*const f32; MR],
    b: *const f32,
    /// Distance between two rows of the panel.
    ldb: usize,
    c: *mut f32,
    ldc: usize,
    rows: usize,
    cols: usize,
    /// Overwrite C (first K block) instead of adding to it.
    first: bool,
    /// Apply the epilogue (last K block); `scale`/`shift` point at this
    /// tile's first column, or are null.
    last: bool,
    scale: *const f32,
    shift: *const f32,
    relu: bool,
}

type Kernel = unsafe fn(&Tile);

fn kernel() -> Kernel {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            return tile_avx512;
        }
    }
    tile_portable
}

/// The portable microkernel: the same arithmetic in plain Rust.
///
/// # Safety
/// `a[i]` point at `kc` readable f32, `b` at `kc` rows of `cols` readable
/// f32 `ldb` apart, `c` at `rows` rows
/// of `cols` writable f32 `ldc` apart; `scale`/`shift` (if not null) at
/// `cols` f32.
#[allow(unsafe_code)]
unsafe fn tile_portable(t: &Tile) {
    let mut acc = [[0f32; NR]; MR];
    for p in 0..t.kc {
        // SAFETY: p < kc (see the function's contract).
        let brow = unsafe { std::slice::from_raw_parts(t.b.add(p * t.ldb), t.cols) };
        for (i, acc_row) in acc.iter_mut().enumerate() {
            let x = unsafe { *t.a[i].add(p) };
            for (a, &bv) in acc_row.iter_mut().zip(brow) {
                *a += x * bv;
            }
        }
    }
    for (i, acc_row) in acc.iter().enumerate().take(t.rows) {
        // SAFETY: row i < rows, `cols` elements (the contract).
        let row = unsafe { std::slice::from_raw_parts_mut(t.c.add(i * t.ldc), t.cols) };
        for (j, out) in row.iter_mut().enumerate() {
            let mut v = acc_row[j];
            if !t.first {
                v += *out;
            }
            if t.last {
                if !t.scale.is_null() {
                    v *= unsafe { *t.scale.add(j) };
                }
                if !t.shift.is_null() {
                    v += unsafe { *t.shift.add(j) };
                }
                if t.relu {
                    v = v.max(0.0);
                }
            }
            *out = v;
        }
    }
}

/// The AVX-512 microkernel.
///
/// # Safety
/// As [`tile_portable`], on a CPU with AVX-512F.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[target_feature(enable = "avx512f")]
unsafe fn tile_avx512(t: &Tile) {
    use std::arch::x86_64::*;
    let z = _mm512_setzero_ps();
    let mut acc = [[z; 4]; MR];
    let [a0, a1, a2, a3, a4, a5] = t.a;
    let mut b = t.b;
    let mask = |g: usize| -> __mmask16 {
        let have = t.cols.saturating_sub(16 * g).min(16);
        ((1u32 << have) - 1) as __mmask16
    };
    let masks = [mask(0), mask(1), mask(2), mask(3)];
    macro_rules! step {
        ($p:expr, $b0:ident, $b1:ident, $b2:ident, $b3:ident, $i:expr, $a:ident) => {
            let x = _mm512_set1_ps(*$a.add($p));
            acc[$i][0] = _mm512_fmadd_ps(x, $b0, acc[$i][0]);
            acc[$i][1] = _mm512_fmadd_ps(x, $b1, acc[$i][1]);
            acc[$i][2] = _mm512_fmadd_ps(x, $b2, acc[$i][2]);
            acc[$i][3] = _mm512_fmadd_ps(x, $b3, acc[$i][3]);
        };
    }
    // SAFETY (whole loop): p < kc, so every read is inside the runs and
    // the panel (the contract).
    // The loads are masked to the tile's columns: an in-place B's last
    // panel may end before 64.
    for p in 0..t.kc {
        // B rows PREFETCH_ROWS ahead: an in-place B's rows are far apart,
        // which the hardware prefetchers do not follow.
        let ahead = b.wrapping_add(PREFETCH_ROWS * t.ldb) as *const i8;
        _mm_prefetch::<_MM_HINT_T0>(ahead);
        _mm_prefetch::<_MM_HINT_T0>(ahead.wrapping_add(64));
        _mm_prefetch::<_MM_HINT_T0>(ahead.wrapping_add(128));
        _mm_prefetch::<_MM_HINT_T0>(ahead.wrapping_add(192));
        let b0 = _mm512_maskz_loadu_ps(masks[0], b);
        let b1 = _mm512_maskz_loadu_ps(masks[1], b.add(16));
        let b2 = _mm512_maskz_loadu_ps(masks[2], b.add(32));
        let b3 = _mm512_maskz_loadu_ps(masks[3], b.add(48));
        step!(p, b0, b1, b2, b3, 0, a0);
        step!(p, b0, b1, b2, b3, 1, a1);
        step!(p, b0, b1, b2, b3, 2, a2);
        step!(p, b0, b1, b2, b3, 3, a3);
        step!(p, b0, b1, b2, b3, 4, a4);
        step!(p, b0, b1, b2, b3, 5, a5);
        b = b.add(t.ldb);
    }
    macro_rules! store {
        ($i:expr) => {
            if $i < t.rows {
                let row = t.c.add($i * t.ldc);
                for (g, &m) in masks.iter().enumerate() {
                    if m == 0 {
                        break;
                    }
                    let mut v = acc[$i][g];
                    if !t.first {
                        v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, row.add(16 * g)));
                    }
                    if t.last {
                        if !t.scale.is_null() {
                            v = _mm512_mul_ps(v, _mm512_maskz_loadu_ps(m, t.scale.add(16 * g)));
                        }
                        if !t.shift.is_null() {
                            v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, t.shift.add(16 * g)));
                        }
                        if t.relu {
                            v = _mm512_max_ps(v, z);
                        }
                    }
                    _mm512_mask_storeu_ps(row.add(16 * g), m, v);
                }
            }
        };
    }
    store!(0);
    store!(1);
    store!(2);
    store!(3);
    store!(4);
    store!(5);
}

/// `c = epilogue(a · b)`: `c` is `M × N` row-major (`N` = `b`'s columns),
/// `b` packed for `a`'s K blocks.
///
/// # Panics
/// If `c` does not hold `M × N` elements, if `b` was packed for other K
/// blocks, or if the epilogue's vectors are shorter than `N` (callers
/// check shapes first; these are internal invariants).
/// (The tests call this form, on outputs filled with NaN first, so a
/// missed element shows.)
#[cfg(test)]
#[allow(unsafe_code)]
pub(crate) fn matmul(a: &dyn Rows, b: &PackedB<'_>, c: &mut [f32], epi: Epilogue<'_>) {
    // SAFETY: `MaybeUninit<f32>` has f32's layout, and `fill` only writes
    // initialized values.
    let c = unsafe { &mut *(c as *mut [f32] as *mut [MaybeUninit<f32>]) };
    fill(a, b, c, epi);
}

/// [`matmul`] into a new `M × N` vector, which is not zeroed first: the
/// tiles (or the empty-K epilogue) write every element.
#[allow(unsafe_code)]
pub(crate) fn product(a: &dyn Rows, b: &PackedB<'_>, epi: Epilogue<'_>) -> Vec<f32> {
    let len = a.rows() * b.n;
    let mut c = Vec::with_capacity(len);
    fill(a, b, &mut c.spare_capacity_mut()[..len], epi);
    // SAFETY: `fill` wrote all `len` elements: the tiles of every task
    // cover rows 0..M and columns 0..N (the last ones masked), and K = 0
    // writes each element directly.
    unsafe { c.set_len(len) };
    c
}

#[allow(unsafe_code)]
fn fill(a: &dyn Rows, b: &PackedB<'_>, c: &mut [MaybeUninit<f32>], epi: Epilogue<'_>) {
    let (m, n) = (a.rows(), b.n);
    assert_eq!(c.len(), m * n, "sgemm: output size");
    assert_eq!(
        a.blocks(),
        &b.blocks[..],
        "sgemm: B packed for other K blocks"
    );
    assert!(epi.scale.is_none_or(|s| s.len() >= n) && epi.shift.is_none_or(|s| s.len() >= n));
    if m == 0 || n == 0 {
        return;
    }
    let blocks = a.blocks();
    if blocks.is_empty() {
        // K = 0: every sum is empty.
        for row in c.chunks_exact_mut(n) {
            for (j, v) in row.iter_mut().enumerate() {
                v.write(epi.apply(j, 0.0));
            }
        }
        return;
    }
    let kernel = kernel();
    let mc = MC.min(m.div_ceil(MR) * MR);
    let row_tasks = m.div_ceil(mc);
    let want = 4 * rayon::current_num_threads().max(1);
    let per_panels = b
        .panels
        .div_ceil(want.div_ceil(row_tasks).clamp(1, b.panels));
    let panel_tasks = b.panels.div_ceil(per_panels);
    let out = OutPtr(c.as_mut_ptr().cast::<f32>());
    (0..row_tasks * panel_tasks)
        .into_par_iter()
        .for_each(|task| {
            let rows = {
                let r0 = (task / panel_tasks) * mc;
                r0..(r0 + mc).min(m)
            };
            let panels = {
                let p0 = (task % panel_tasks) * per_panels;
                p0..(p0 + per_panels).min(b.panels)
            };
            let tiles = rows.len().div_ceil(MR);
            let mut runs = vec![[ZEROS.as_ptr(); MR]; tiles];
            for (kb, range) in blocks.iter().enumerate() {
                let kc = range.len();
                for (t, tile) in runs.iter_mut().enumerate() {
                    for (i, ptr) in tile.iter_mut().enumerate() {
                        let row = rows.start + t * MR + i;
                        *ptr = match (row < rows.end).then(|| a.run(row, kb)).flatten() {
                            Some(run) => {
                                assert_eq!(run.len(), kc, "sgemm: a run of the wrong length");
                                run.as_ptr()
                            }
                            None => ZEROS.as_ptr(),
                        };
                    }
                }
                let (first, last) = (kb == 0, kb + 1 == blocks.len());
                for p in panels.clone() {
                    let j0 = p * NR;
                    let panel = b.panel(kb, p);
                    let at = |v: Option<&[f32]>| v.map_or(std::ptr::null(), |v| v[j0..].as_ptr());
                    for (t, tile) in runs.iter().enumerate() {
                        let r0 = rows.start + t * MR;
                        let job = Tile {
                            kc,
                            a: *tile,
                            b: panel,
                            ldb: b.stride,
                            // SAFETY: r0 < m and j0 < n, inside `c`.
                            c: unsafe { out.get().add(r0 * n + j0) },
                            ldc: n,
                            rows: MR.min(rows.end - r0),
                            cols: NR.min(n - j0),
                            first,
                            last,
                            scale: at(epi.scale),
                            shift: at(epi.shift),
                            relu: epi.relu,
                        };
                        // SAFETY: the runs hold kc elements (checked above) or
                        // are ZEROS (KC ≥ kc); the panel's kc rows of `cols`
                        // are inside B (checked by `panel`); the tile
                        // is inside `c` and belongs to this task alone; the
                        // epilogue vectors hold N ≥ j0 + cols elements; the
                        // AVX-512 kernel is chosen only where the CPU has it.
                        unsafe { kernel(&job) };
                    }
                }
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(a: &[f32], b: &[f32], m: usize, k: usize, n: usize, epi: Epilogue) -> Vec<f32> {
        let mut c = vec![0f32; m * n];
        for i in 0..m {
            for j in 0..n {
                let s: f64 = (0..k)
                    .map(|p| a[i * k + p] as f64 * b[p * n + j] as f64)
                    .sum();
                c[i * n + j] = epi.apply(j, s as f32);
            }
        }
        c
    }

    fn values(len: usize, seed: u32) -> Vec<f32> {
        (0..len)
            .map(|i| {
                let x = (i as u32).wrapping_mul(2_654_435_761).wrapping_add(seed);
                (x >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            })
            .collect()
    }

    #[test]
    fn matches_a_plain_product_at_edge_shapes() {
        for &(m, k, n) in &[
            (1, 1, 1),
            (5, 3, 7),
            (6, 128, 64),
            (7, 129, 65),
            (13, 300, 130),
            (97, 257, 200),
            (2, 0, 3),
        ] {
            let a = values(m * k, 1);
            let b = values(k * n, 2);
            let scale = values(n, 3);
            let shift = values(n, 4);
            for epi in [
                Epilogue::default(),
                Epilogue {
                    scale: Some(&scale),
                    shift: Some(&shift),
                    relu: true,
                },
            ] {
                let rows = Dense::new(&a, m, k, k);
                let want = reference(&a, &b, m, k, n, epi);
                for right in [
                    PackedB::pack(&b, n, 1, n, rows.blocks()),
                    PackedB::in_place(&b, n, n, rows.blocks()),
                ] {
                    let mut c = vec![f32::NAN; m * n];
                    matmul(&rows, &right, &mut c, epi);
                    for (x, y) in c.iter().zip(&want) {
                        assert!((x - y).abs() <= 1e-4, "{m}x{k}x{n}: {x} vs {y}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_portable_kernel_agrees_with_the_one_in_use() {
        let (m, k, n) = (6, 40, 64);
        let a = values(m * k, 5);
        let b = values(k * n, 6);
        let mut outs = Vec::new();
        for kern in [tile_portable as Kernel, kernel()] {
            let mut c = vec![0f32; m * n];
            let tile = Tile {
                kc: k,
                a: std::array::from_fn(|i| a[i * k..].as_ptr()),
                b: b.as_ptr(),
                ldb: n,
                c: c.as_mut_ptr(),
                ldc: n,
                rows: m,
                cols: n,
                first: true,
                last: true,
                scale: std::ptr::null(),
                shift: std::ptr::null(),
                relu: false,
            };
            #[allow(unsafe_code)]
            // SAFETY: every pointer covers what the tile reads or writes.
            unsafe {
                kern(&tile)
            };
            outs.push(c);
        }
        for (x, y) in outs[0].iter().zip(&outs[1]) {
            assert!((x - y).abs() <= 1e-5);
        }
    }

    #[test]
    fn transposed_b_is_packed_through_its_strides() {
        let (m, k, n) = (9, 70, 80);
        let a = values(m * k, 7);
        let bt = values(n * k, 8); // [n, k]: B = btᵀ
        let b: Vec<f32> = (0..k * n).map(|i| bt[(i % n) * k + i / n]).collect();
        let rows = Dense::new(&a, m, k, k);
        let packed = PackedB::pack(&bt, 1, k, n, rows.blocks());
        let mut c = vec![0f32; m * n];
        matmul(&rows, &packed, &mut c, Epilogue::default());
        let want = reference(&a, &b, m, k, n, Epilogue::default());
        for (x, y) in c.iter().zip(&want) {
            assert!((x - y).abs() <= 1e-4);
        }
    }
}
