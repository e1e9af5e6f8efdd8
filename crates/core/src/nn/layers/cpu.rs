//! Helpers shared by the CPU kernels of scidl's custom ops.

use super::conv_gemm::Elem;
use candle_core::{CpuStorage, Layout};
use gemm::Parallelism;
use rayon::prelude::*;

/// The elements of a contiguous tensor's storage; `what` names the op in the error.
pub(crate) fn contiguous_slice<'a, T>(s: &'a [T], l: &Layout, what: &str) -> candle_core::Result<&'a [T]> {
    match l.contiguous_offsets() {
        Some((a, b)) => Ok(&s[a..b]),
        None => candle_core::bail!("{what}: expected a contiguous tensor"),
    }
}

/// Runs a two-operand kernel on f32 or f64 storage (both operands of the same dtype) and wraps
/// its output in the same dtype.
pub(crate) fn dispatch2(
    what: &str,
    (s1, l1): (&CpuStorage, &Layout),
    (s2, l2): (&CpuStorage, &Layout),
    f32_fn: impl FnOnce(&[f32], &[f32]) -> Vec<f32>,
    f64_fn: impl FnOnce(&[f64], &[f64]) -> Vec<f64>,
) -> candle_core::Result<CpuStorage> {
    match (s1, s2) {
        (CpuStorage::F32(a), CpuStorage::F32(b)) => {
            Ok(CpuStorage::F32(f32_fn(contiguous_slice(a, l1, what)?, contiguous_slice(b, l2, what)?)))
        }
        (CpuStorage::F64(a), CpuStorage::F64(b)) => {
            Ok(CpuStorage::F64(f64_fn(contiguous_slice(a, l1, what)?, contiguous_slice(b, l2, what)?)))
        }
        _ => candle_core::bail!("{what}: f32 or f64 operands of the same dtype expected"),
    }
}

/// [`dispatch2`] for three operands.
pub(crate) fn dispatch3(
    what: &str,
    (s1, l1): (&CpuStorage, &Layout),
    (s2, l2): (&CpuStorage, &Layout),
    (s3, l3): (&CpuStorage, &Layout),
    f32_fn: impl FnOnce(&[f32], &[f32], &[f32]) -> Vec<f32>,
    f64_fn: impl FnOnce(&[f64], &[f64], &[f64]) -> Vec<f64>,
) -> candle_core::Result<CpuStorage> {
    let w = what;
    match (s1, s2, s3) {
        (CpuStorage::F32(a), CpuStorage::F32(b), CpuStorage::F32(c)) => Ok(CpuStorage::F32(f32_fn(
            contiguous_slice(a, l1, w)?,
            contiguous_slice(b, l2, w)?,
            contiguous_slice(c, l3, w)?,
        ))),
        (CpuStorage::F64(a), CpuStorage::F64(b), CpuStorage::F64(c)) => Ok(CpuStorage::F64(f64_fn(
            contiguous_slice(a, l1, w)?,
            contiguous_slice(b, l2, w)?,
            contiguous_slice(c, l3, w)?,
        ))),
        _ => candle_core::bail!("{what}: f32 or f64 operands of the same dtype expected"),
    }
}

/// A buffer of `len` elements whose contents are unspecified, for kernels that write every
/// element before anything reads it (GEMM outputs with `accumulate = false`, element-wise maps):
/// it skips the zero fill that `vec![0.0; len]` costs (memset was ~8 % of a U-Net training step).
///
/// # Safety
/// The caller must write every element before reading any.
#[allow(clippy::uninit_vec)]
pub(crate) unsafe fn uninit_vec<T: Copy>(len: usize) -> Vec<T> {
    let mut v = Vec::with_capacity(len);
    // SAFETY: the capacity is `len`; the caller writes every element before reading it, and the
    // element types here (f32, f64) have no invalid bit patterns or destructors.
    unsafe { v.set_len(len) };
    v
}

/// `sum f(a[i], b[i])` in f64 over two equally long slices, in eight interleaved partial sums.
/// A single running sum is a chain of dependent adds (one per 3-4 cycles); eight independent
/// ones vectorise and overlap (batch norm's reductions, per-channel bias gradients).
#[inline(always)]
pub(crate) fn sum_lanes<T: Copy>(a: &[T], b: &[T], f: impl Fn(T, T) -> f64) -> f64 {
    const L: usize = 8;
    let mut acc = [0f64; L];
    let (ca, cb) = (a.chunks_exact(L), b[..a.len()].chunks_exact(L));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (pa, pb) in ca.zip(cb) {
        for l in 0..L {
            acc[l] += f(pa[l], pb[l]);
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(&x, &y)| f(x, y)).sum();
    acc.iter().sum::<f64>() + tail
}

/// Per-channel sums of an `(N, C, S)` buffer: for every channel, `f(channel, offset)` summed over
/// the offsets of its `N` blocks of `S` values; parallel over channels.
pub(crate) fn channel_sums((n, c, s): (usize, usize, usize), f: impl Fn(usize, usize) -> f64 + Sync) -> Vec<f64> {
    (0..c).into_par_iter().map(|ch| (0..n).map(|i| f(ch, (i * c + ch) * s)).sum()).collect()
}

/// A row-major operand: pointer, row stride, column stride.
pub(crate) type Operand<T> = (*const T, isize, isize);

/// `dst (m x n, rows `dst.1` apart) = [dst +] a (m x k) * b (k x n)`.
///
/// # Safety
/// The pointers must cover the described matrices, and `dst` must not alias `a` or `b`.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn mm_strided<T: Elem>(
    m: usize,
    n: usize,
    k: usize,
    dst: (*mut T, isize),
    accumulate: bool,
    a: Operand<T>,
    b: Operand<T>,
    par: Parallelism,
) {
    // SAFETY: forwarded from the caller; gemm computes dst := alpha*dst + beta*a*b.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.0,
            1,
            dst.1,
            accumulate,
            a.0,
            a.2,
            a.1,
            b.0,
            b.2,
            b.1,
            T::ONE,
            T::ONE,
            false,
            false,
            false,
            par,
        )
    }
}

/// A raw pointer shared by jobs that write disjoint parts of one buffer.
#[derive(Clone, Copy)]
pub(crate) struct SendPtr<T>(pub(crate) *mut T);
// SAFETY: the jobs sharing it write disjoint elements and nothing reads them meanwhile.
unsafe impl<T: Send> Send for SendPtr<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for SendPtr<T> {}
impl<T> SendPtr<T> {
    pub(crate) fn get(self) -> *mut T {
        self.0
    }
}
