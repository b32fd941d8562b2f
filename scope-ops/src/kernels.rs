//! CPU inference kernels for the transformer examples: a dense layer
//! (`x · w + b`, optionally GELU) and multi-head attention, on candle
//! tensors, calling the `gemm` crate (the sgemm under candle's own CPU
//! matmul) directly; plus a fused residual add + layer norm.
//!
//! Why not `Tensor::matmul`: candle 0.11 hands each matmul to `gemm` with
//! `Parallelism::Rayon(n)`, which splits it into one static part per
//! thread; on this 2-core machine, whenever another process takes a core
//! the other thread waits at the end of every matmul. Here a matmul is cut
//! into column blocks (4 or more per thread, ≥ 64 columns) that rayon's
//! work stealing hands out, each a single-threaded `gemm` call, and the
//! epilogue (bias, GELU) runs on each block while it is in cache, so no
//! separate broadcast-add or activation pass (and allocation) follows.
//! Attention runs one task per (batch, head): `q·kᵀ` scaled by `gemm`'s
//! own factor, TF's mask, softmax and `probs·v` written straight into the
//! merged `[tokens, hidden]` output, reading q, k and v through their
//! strides (e.g. column ranges of GPT-2's fused `c_attn` output), so none
//! of the four head-split/merge copies of the composed form is made.
//! Measured on GPT-2 124M, batch 1 × 128: see BENCHMARKS.md.
//!
//! Every kernel falls back to the composed candle ops (any device, any
//! dtype, autograd) when an input is not an f32 CPU tensor or tracks a
//! gradient, so callers need no second code path.

use candle_core::{DType, Device, Layout, Storage, Tensor, D};
use rayon::prelude::*;

use crate::error::{arg_err, Context, Result};
use crate::fast_path::has_fast_path;
use crate::out_ptr::OutPtr;

/// What a dense layer applies to `x · w + b` before returning it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Epilogue {
    None,
    /// `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))` (BERT's and GPT-2's
    /// GELU), computed as the identical `x / (1 + exp(-2·√(2/π)·(x +
    /// 0.044715·x³)))`.
    GeluTanh,
}

/// The mask of [`attention`].
#[derive(Clone, Copy, Debug)]
pub enum Mask<'a> {
    None,
    /// GPT-2's: a query attends to itself and earlier keys; the scores of
    /// later keys become -1e10 (TF's `w*b - 1e10*(1-b)`).
    Causal,
    /// BERT's additive mask `[batch, keys]` (`(1 - input_mask) * -10000`),
    /// added to every query's scores.
    KeyAdder(&'a Tensor),
}

/// A read-only strided 2-D view into a CPU f32 storage.
#[derive(Clone, Copy)]
struct View {
    ptr: *const f32,
    rs: isize,
    cs: isize,
}
// SAFETY: read-only access to storage that the caller keeps alive (the
// read guards are held for the whole kernel).
#[allow(unsafe_code)]
unsafe impl Send for View {}
#[allow(unsafe_code)]
unsafe impl Sync for View {}

impl View {
    fn at(self, row: isize, col: isize) -> *const f32 {
        self.ptr.wrapping_offset(row * self.rs + col * self.cs)
    }
}

/// Checks that the 2-D (or 1-D) layout stays inside `len` elements and
/// returns the view.
#[allow(unsafe_code)]
fn view(data: &[f32], l: &Layout) -> Option<View> {
    let (dims, strides) = (l.dims(), l.stride());
    let (rows, cols, rs, cs) = match (dims, strides) {
        ([r, c], [rs, cs]) => (*r, *c, *rs, *cs),
        ([c], [cs]) => (1, *c, 0, *cs),
        _ => return None,
    };
    let last = if rows == 0 || cols == 0 {
        0
    } else {
        (rows - 1) * rs + (cols - 1) * cs
    };
    if rows > 0 && cols > 0 && l.start_offset() + last >= data.len() {
        return None;
    }
    Some(View {
        // SAFETY: start_offset is within the slice (checked above, or the
        // view is empty and never read).
        ptr: unsafe { data.as_ptr().add(l.start_offset().min(data.len())) },
        rs: rs as isize,
        cs: cs as isize,
    })
}

/// Runs `f` on the f32 CPU data of `t` and its layout.
fn with_data<R>(t: &Tensor, f: impl FnOnce(&[f32], &Layout) -> Result<R>) -> Result<R> {
    let (storage, layout) = t.storage_and_layout();
    match &*storage {
        Storage::Cpu(cpu) => f(cpu.as_slice::<f32>().ctx("kernel")?, layout),
        _ => Err(arg_err("kernel", "not a CPU tensor")),
    }
}

const SQRT_2_OVER_PI: f32 = 0.797_884_6;

/// In-place GELU (tanh form, one `exp` per element).
fn gelu_in_place(row: &mut [f32]) {
    let a = -2.0 * SQRT_2_OVER_PI;
    let b = a * 0.044_715;
    for v in row {
        let x = *v;
        *v = x / (1.0 + (x * (a + b * x * x)).exp());
    }
}

/// Column block width for `n` columns: 4+ blocks per thread, multiples of
/// 64 (the AVX-512 microkernel's height once gemm transposes a row-major
/// product), at most 1024 columns so a loaded core's share can be stolen.
fn block_cols(n: usize) -> usize {
    let threads = rayon::current_num_threads().max(1);
    let per = n.div_ceil(4 * threads).div_ceil(64) * 64;
    per.clamp(64, 1024)
}

/// `act(x · w + b)`: `x` `[m, k]`, `w` `[k, n]` in any strides (a
/// transposed view such as `wteᵀ` is read in place), `b` `[n]`.
#[allow(unsafe_code)]
pub fn linear(x: &Tensor, w: &Tensor, b: Option<&Tensor>, act: Epilogue) -> Result<Tensor> {
    const OP: &str = "linear";
    let (m, k) = x.dims2().ctx(OP)?;
    let (k2, n) = w.dims2().ctx(OP)?;
    if k != k2 || b.is_some_and(|b| b.dims() != [n]) {
        return Err(arg_err(
            OP,
            format!(
                "shapes {:?} · {:?} + {:?} do not fit",
                x.dims(),
                w.dims(),
                b.map(|b| b.dims().to_vec())
            ),
        ));
    }
    if !(has_fast_path(x) && has_fast_path(w) && b.is_none_or(has_fast_path)) {
        let mut y = x.matmul(w).ctx(OP)?;
        if let Some(b) = b {
            y = y.broadcast_add(b).ctx(OP)?;
        }
        return match act {
            Epilogue::None => Ok(y),
            Epilogue::GeluTanh => crate::gelu_tanh(&y),
        };
    }
    let b = b.map(|b| b.contiguous()).transpose().ctx(OP)?;
    let mut out = vec![0f32; m * n];
    with_data(x, |xd, xl| {
        with_data(w, |wd, wl| {
            let bias: Option<Vec<f32>> =
                b.as_ref().map(|b| b.to_vec1::<f32>()).transpose().ctx(OP)?;
            let (Some(xv), Some(wv)) = (view(xd, xl), view(wd, wl)) else {
                return Err(arg_err(OP, "layout outside its storage"));
            };
            let dst = OutPtr(out.as_mut_ptr());
            let bc = block_cols(n);
            let blocks = n.div_ceil(bc);
            let run = |blk: usize| {
                let j0 = blk * bc;
                let cols = bc.min(n - j0);
                // SAFETY: rows 0..m, columns j0..j0+cols of the m×n output
                // belong to this block only; x and w are read inside the
                // extents `view` checked.
                unsafe {
                    let d = dst.get().add(j0);
                    if let Some(bias) = &bias {
                        for i in 0..m {
                            std::ptr::copy_nonoverlapping(
                                bias.as_ptr().add(j0),
                                d.add(i * n),
                                cols,
                            );
                        }
                    }
                    gemm::gemm(
                        m,
                        cols,
                        k,
                        d,
                        1,
                        n as isize,
                        bias.is_some(),
                        xv.at(0, 0),
                        xv.cs,
                        xv.rs,
                        wv.at(0, j0 as isize),
                        wv.cs,
                        wv.rs,
                        1.0,
                        1.0,
                        false,
                        false,
                        false,
                        gemm::Parallelism::None,
                    );
                    if act == Epilogue::GeluTanh {
                        for i in 0..m {
                            gelu_in_place(std::slice::from_raw_parts_mut(d.add(i * n), cols));
                        }
                    }
                }
            };
            if blocks == 1 || m * n * k < 1 << 21 {
                (0..blocks).for_each(run);
            } else {
                (0..blocks).into_par_iter().for_each(run);
            }
            Ok(())
        })
    })?;
    Tensor::from_vec(out, (m, n), &Device::Cpu).ctx(OP)
}

/// Multi-head scaled dot-product attention on `[batch·seq, hidden]`
/// queries, keys and values (any strides: column ranges of one fused
/// projection work in place): per head, `softmax(q·kᵀ / √d + mask) · v`,
/// heads merged back into a contiguous `[batch·seq, hidden]`.
#[allow(unsafe_code)]
pub fn attention(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    batch: usize,
    heads: usize,
    mask: Mask<'_>,
) -> Result<Tensor> {
    const OP: &str = "attention";
    let (rows, hidden) = q.dims2().ctx(OP)?;
    if k.dims() != q.dims()
        || v.dims() != q.dims()
        || batch == 0
        || heads == 0
        || rows % batch != 0
        || hidden % heads != 0
    {
        return Err(arg_err(
            OP,
            format!(
                "q {:?}, k {:?}, v {:?} do not split into {batch} sequence(s) of {heads} heads",
                q.dims(),
                k.dims(),
                v.dims()
            ),
        ));
    }
    let seq = rows / batch;
    let d = hidden / heads;
    let scale = 1.0 / (d as f64).sqrt();
    if let Mask::KeyAdder(a) = mask {
        if a.dims() != [batch, seq] {
            return Err(arg_err(
                OP,
                format!("mask {:?} is not [{batch}, {seq}]", a.dims()),
            ));
        }
    }
    let adder_fast = match mask {
        Mask::KeyAdder(a) => has_fast_path(a),
        _ => true,
    };
    if !(has_fast_path(q) && has_fast_path(k) && has_fast_path(v) && adder_fast) {
        return composed_attention(q, k, v, batch, heads, mask).ctx(OP);
    }
    let adder: Option<Vec<f32>> = match mask {
        Mask::KeyAdder(a) => Some(a.flatten_all().and_then(|a| a.to_vec1()).ctx(OP)?),
        _ => None,
    };
    let mut out = vec![0f32; rows * hidden];
    with_data(q, |qd, ql| {
        with_data(k, |kd, kl| {
            with_data(v, |vd, vl| {
                let (Some(qv), Some(kv), Some(vv)) = (view(qd, ql), view(kd, kl), view(vd, vl))
                else {
                    return Err(arg_err(OP, "layout outside its storage"));
                };
                let dst = OutPtr(out.as_mut_ptr());
                let causal = matches!(mask, Mask::Causal);
                let run = |task: usize| {
                    let (bi, h) = (task / heads, task % heads);
                    let mut scores = vec![0f32; seq * seq];
                    let r0 = (bi * seq) as isize;
                    let c0 = (h * d) as isize;
                    // SAFETY: q, k, v are read at rows of sequence `bi`
                    // and columns of head `h`, inside the checked extents;
                    // the output block (those rows, those columns) is this
                    // task's alone.
                    unsafe {
                        gemm::gemm(
                            seq,
                            seq,
                            d,
                            scores.as_mut_ptr(),
                            1,
                            seq as isize,
                            false,
                            qv.at(r0, c0),
                            qv.cs,
                            qv.rs,
                            // kᵀ: element (p, j) is k[j, p].
                            kv.at(r0, c0),
                            kv.rs,
                            kv.cs,
                            0.0,
                            scale as f32,
                            false,
                            false,
                            false,
                            gemm::Parallelism::None,
                        );
                    }
                    for (i, row) in scores.chunks_exact_mut(seq).enumerate() {
                        if causal {
                            row[i + 1..].fill(-1e10);
                        }
                        if let Some(a) = &adder {
                            for (s, m) in row.iter_mut().zip(&a[bi * seq..(bi + 1) * seq]) {
                                *s += m;
                            }
                        }
                        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                        let mut sum = 0f32;
                        for s in row.iter_mut() {
                            *s = (*s - max).exp();
                            sum += *s;
                        }
                        let inv = 1.0 / sum;
                        for s in row.iter_mut() {
                            *s *= inv;
                        }
                    }
                    // SAFETY: as above.
                    unsafe {
                        gemm::gemm(
                            seq,
                            d,
                            seq,
                            dst.get().offset(r0 * hidden as isize + c0),
                            1,
                            hidden as isize,
                            false,
                            scores.as_ptr(),
                            1,
                            seq as isize,
                            vv.at(r0, c0),
                            vv.cs,
                            vv.rs,
                            0.0,
                            1.0,
                            false,
                            false,
                            false,
                            gemm::Parallelism::None,
                        );
                    }
                };
                (0..batch * heads).into_par_iter().for_each(run);
                Ok(())
            })
        })
    })?;
    Tensor::from_vec(out, (rows, hidden), &Device::Cpu).ctx(OP)
}

/// The same attention from candle ops (autograd, any device).
fn composed_attention(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    batch: usize,
    heads: usize,
    mask: Mask<'_>,
) -> candle_core::Result<Tensor> {
    let (rows, hidden) = q.dims2()?;
    let (seq, d) = (rows / batch, hidden / heads);
    let split = |t: &Tensor| {
        t.reshape((batch, seq, heads, d))?
            .transpose(1, 2)?
            .contiguous()
    };
    let (q, k, v) = (split(q)?, split(k)?, split(v)?);
    let mut scores = (q.matmul(&k.t()?)? * (1.0 / (d as f64).sqrt()))?;
    match mask {
        Mask::None => {}
        Mask::Causal => {
            let keep = Tensor::tril2(seq, DType::U8, q.device())?;
            let masked = Tensor::full(-1e10f32, (seq, seq), q.device())?.to_dtype(q.dtype())?;
            scores = keep
                .broadcast_as(scores.shape())?
                .where_cond(&scores, &masked.broadcast_as(scores.shape())?)?;
        }
        Mask::KeyAdder(a) => {
            scores = scores.broadcast_add(&a.reshape((batch, 1, 1, seq))?.to_dtype(q.dtype())?)?
        }
    }
    let max = scores.max_keepdim(D::Minus1)?.detach();
    let e = scores.broadcast_sub(&max)?.exp()?;
    let probs = e.broadcast_div(&e.sum_keepdim(D::Minus1)?)?;
    probs.matmul(&v)?.transpose(1, 2)?.reshape((rows, hidden))
}

/// `relu(a + b)` for two tensors of one shape (a residual block's end, as
/// ResNet's `relu(shortcut + residual)`): for untracked f32 CPU tensors one
/// parallel pass into a new tensor, instead of candle's add and ReLU (two
/// passes, two outputs); otherwise candle's ops.
pub fn add_relu(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    const OP: &str = "add_relu";
    if a.dims() != b.dims() {
        return Err(arg_err(
            OP,
            format!("shapes {:?} and {:?} differ", a.dims(), b.dims()),
        ));
    }
    if !(has_fast_path(a) && has_fast_path(b)) {
        return (a + b).and_then(|s| s.relu()).ctx(OP);
    }
    let (a, b) = (a.contiguous().ctx(OP)?, b.contiguous().ctx(OP)?);
    let n = a.elem_count();
    let out = with_data(&a, |ad, al| {
        with_data(&b, |bd, bl| {
            let (x, y) = (&ad[al.start_offset()..][..n], &bd[bl.start_offset()..][..n]);
            let mut out = Vec::with_capacity(n);
            x.par_iter()
                .zip(y.par_iter())
                .map(|(p, q)| (p + q).max(0.0))
                .collect_into_vec(&mut out);
            Ok(out)
        })
    })?;
    Tensor::from_vec(out, a.dims(), &Device::Cpu).ctx(OP)
}

/// `layer_norm(x + residual)` over the last axis with `gamma`, `beta`
/// (`[n]`) and `eps`, as TF computes it: mean, then the mean of squared
/// deviations, `(s - mean) · rsqrt(var + eps) · gamma + beta`. `residual`
/// may be absent.
pub fn add_layer_norm(
    x: &Tensor,
    residual: Option<&Tensor>,
    gamma: &Tensor,
    beta: &Tensor,
    eps: f64,
) -> Result<Tensor> {
    const OP: &str = "add_layer_norm";
    let n = x.dim(D::Minus1).ctx(OP)?;
    if residual.is_some_and(|r| r.dims() != x.dims()) || gamma.dims() != [n] || beta.dims() != [n] {
        return Err(arg_err(
            OP,
            format!(
                "x {:?}, residual {:?}, gamma {:?}, beta {:?} do not fit",
                x.dims(),
                residual.map(|r| r.dims().to_vec()),
                gamma.dims(),
                beta.dims()
            ),
        ));
    }
    let s = match residual {
        Some(r) => x.add(r).ctx(OP)?,
        None => x.clone(),
    };
    let fast = has_fast_path(&s) && has_fast_path(gamma) && has_fast_path(beta);
    if !fast || n == 0 {
        let mean = s.mean_keepdim(D::Minus1).ctx(OP)?;
        let c = s.broadcast_sub(&mean).ctx(OP)?;
        let var = c.sqr().and_then(|v| v.mean_keepdim(D::Minus1)).ctx(OP)?;
        let normed = c
            .broadcast_div(&(var + eps).and_then(|v| v.sqrt()).ctx(OP)?)
            .ctx(OP)?;
        return normed
            .broadcast_mul(gamma)
            .and_then(|t| t.broadcast_add(beta))
            .ctx(OP);
    }
    let shape = s.shape().clone();
    let mut data = s.flatten_all().and_then(|t| t.to_vec1::<f32>()).ctx(OP)?;
    let g = gamma.to_vec1::<f32>().ctx(OP)?;
    let b = beta.to_vec1::<f32>().ctx(OP)?;
    data.par_chunks_mut(n * 16).for_each(|rows| {
        for row in rows.chunks_exact_mut(n) {
            let mean = row.iter().sum::<f32>() / n as f32;
            let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n as f32;
            let inv = 1.0 / (var + eps as f32).sqrt();
            for ((v, g), b) in row.iter_mut().zip(&g).zip(&b) {
                *v = (*v - mean) * inv * g + b;
            }
        }
    });
    Tensor::from_vec(data, shape, &Device::Cpu).ctx(OP)
}
