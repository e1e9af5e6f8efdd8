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
/// the offsets of its `N` blocks of `S` values; parallel over channels. For `S = 1`, where a
/// channel's values are `C` apart, [`column_sums`] reads rows instead.
pub(crate) fn channel_sums((n, c, s): (usize, usize, usize), f: impl Fn(usize, usize) -> f64 + Sync) -> Vec<f64> {
    (0..c).into_par_iter().map(|ch| (0..n).map(|i| f(ch, (i * c + ch) * s)).sum()).collect()
}

/// An element type the reductions widen to f64.
pub(crate) trait Widen: Copy + Send + Sync + 'static {
    fn f(self) -> f64;
}
impl Widen for f32 {
    #[inline(always)]
    fn f(self) -> f64 {
        self as f64
    }
}
impl Widen for f64 {
    #[inline(always)]
    fn f(self) -> f64 {
        self
    }
}

/// Per-channel totals of an `(N, C, S)` buffer in f64 (batch norm's means, the bias gradients):
/// rows in [`sum_lanes`]' eight partial sums, or for `S = 1` columns summed by blocks over the
/// rows; both compiled for AVX-512 and AVX2 as well.
pub(crate) fn channel_totals<T: Widen>(x: &[T], (n, c, s): (usize, usize, usize)) -> Vec<f64> {
    if s == 1 {
        column_sums((n, c), |_, o, acc| col_sum(acc, &x[o..o + acc.len()]))
    } else {
        channel_sums((n, c, s), |_, o| row_sum(&x[o..o + s]))
    }
}

simd_kernel!(
    /// [`row_sum_body`], vectorised.
    row_sum<T: Widen> => row_sum_body(x: &[T]) -> f64
);
simd_kernel!(
    /// [`col_sum_body`], vectorised.
    col_sum<T: Widen> => col_sum_body(acc: &mut [f64], x: &[T])
);

/// `sum x` in f64.
#[inline(always)]
fn row_sum_body<T: Widen>(x: &[T]) -> f64 {
    sum_lanes(x, x, |v, _| v.f())
}

/// `acc[j] += x[j]`: one row of an `(N, C)` buffer into per-column sums.
#[inline(always)]
fn col_sum_body<T: Widen>(acc: &mut [f64], x: &[T]) {
    acc.iter_mut().zip(x).for_each(|(a, &v)| *a += v.f());
}

/// Per-column sums of an `(N, C)` buffer: `f(c0, offset, acc)` adds row `offset / C`'s values of
/// columns `c0..c0 + acc.len()` (at `offset..`) into `acc`; parallel over blocks of columns, each
/// summed over the rows in order.
pub(crate) fn column_sums((n, c): (usize, usize), f: impl Fn(usize, usize, &mut [f64]) + Sync) -> Vec<f64> {
    let mut sums = vec![0f64; c];
    sums.par_chunks_mut(CHANNEL_BLOCK).enumerate().for_each(|(b, acc)| {
        let c0 = b * CHANNEL_BLOCK;
        for i in 0..n {
            f(c0, i * c + c0, acc);
        }
    });
    sums
}

/// Columns per task of [`column_sums`].
const CHANNEL_BLOCK: usize = 256;

/// Values per task of [`par_channel_runs`] (at least one row).
const RUN_TASK: usize = 4096;

/// Visits an `(N, C, S)` buffer in parallel tasks of a few thousand values, each split into runs
/// of consecutive rows of one image: `f(ch, offset, run)` gets the channel of the run's first row,
/// the run's offset in the buffer and the run, `k * S` values for channels `ch..ch + k`.
///
/// With `S = 1` (an `(N, C)` input of a batch norm or bias after a linear layer) a run is a slice
/// of channels that a loop over it can vectorise; one task per row, or a channel index `% C` per
/// value, cost more than the arithmetic there.
pub(crate) fn par_channel_runs<T: Send>(
    out: &mut [T],
    (c, s): (usize, usize),
    f: impl Fn(usize, usize, &mut [T]) + Sync,
) {
    let (c, s) = (c.max(1), s.max(1));
    let rows_per_task = RUN_TASK.div_ceil(s);
    out.par_chunks_mut(rows_per_task * s).enumerate().for_each(|(t, chunk)| {
        let mut row = t * rows_per_task;
        let mut rest = chunk;
        while !rest.is_empty() {
            let ch = row % c;
            let k = (c - ch).min(rest.len().div_ceil(s));
            let (run, tail) = rest.split_at_mut((k * s).min(rest.len()));
            f(ch, row * s, run);
            row += k;
            rest = tail;
        }
    });
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

/// `dst[c * dst_ld + r] = src[r * src_ld + c]` for `r < rows`, `c < cols`: a transpose in
/// square blocks, so that both sides touch a few cache lines at a time. Values of 4 or 8 bytes
/// move in 8 x 8 or 4 x 4 blocks of AVX registers where the CPU has AVX (40 instructions per 64
/// values, against two a value for the scalar copy). In a DCGAN training profile the transpose's
/// share went from 5.7 % to 4.8 % with it; the rest is its data's trip through memory.
pub(crate) fn transpose<T: Copy>(src: &[T], src_ld: usize, dst: &mut [T], dst_ld: usize, (rows, cols): (usize, usize)) {
    if rows == 0 || cols == 0 {
        return;
    }
    assert!(src.len() >= (rows - 1) * src_ld + cols && dst.len() >= (cols - 1) * dst_ld + rows);
    // SAFETY: inside both slices (asserted above).
    unsafe { transpose_raw(src.as_ptr(), src_ld, dst.as_mut_ptr(), dst_ld, (rows, cols)) }
}

/// [`transpose`] between raw pointers, for tasks that write disjoint columns of one buffer.
///
/// # Safety
/// The rows and columns lie inside the source and their transpose inside the destination, which
/// nothing else reads or writes meanwhile.
pub(crate) unsafe fn transpose_raw<T: Copy>(
    s: *const T,
    src_ld: usize,
    d: *mut T,
    dst_ld: usize,
    (rows, cols): (usize, usize),
) {
    if rows == 0 || cols == 0 {
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: AVX is present; the blocks lie inside both buffers (guaranteed by the caller), and
        // values of 4 and 8 bytes are moved bit for bit, whatever their type.
        unsafe {
            match size_of::<T>() {
                4 => return avx_transpose::blocks_f32(s.cast(), src_ld, d.cast(), dst_ld, (rows, cols)),
                8 => return avx_transpose::blocks_f64(s.cast(), src_ld, d.cast(), dst_ld, (rows, cols)),
                _ => {}
            }
        }
    }
    // SAFETY: guaranteed by the caller.
    unsafe { transpose_scalar(s, src_ld, d, dst_ld, (0, rows), (0, cols)) }
}

/// The transpose of rows `r0..r1` and columns `c0..c1`, in 16 x 16 blocks of scalar copies.
///
/// # Safety
/// The rows and columns lie inside `src` (`src_ld` apart) and their transpose inside `dst`.
#[inline(always)]
unsafe fn transpose_scalar<T: Copy>(
    s: *const T,
    src_ld: usize,
    d: *mut T,
    dst_ld: usize,
    (r0, r1): (usize, usize),
    (c0, c1): (usize, usize),
) {
    const B: usize = 16;
    for rb in (r0..r1).step_by(B) {
        let re = (rb + B).min(r1);
        for cb in (c0..c1).step_by(B) {
            let ce = (cb + B).min(c1);
            for c in cb..ce {
                // SAFETY: guaranteed by the caller.
                unsafe {
                    let (dc, sc) = (d.add(c * dst_ld), s.add(c));
                    for r in rb..re {
                        *dc.add(r) = *sc.add(r * src_ld);
                    }
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx_transpose {
    use super::transpose_scalar;
    use std::arch::x86_64::*;

    /// Columns per pass over a band of rows: the destination rows they touch stay in L1.
    const BAND: usize = 64;

    /// Declares `$name`: the transpose in `$b x $b` register blocks by `$block`, the edges by
    /// [`transpose_scalar`].
    macro_rules! blocked {
        ($name:ident, $t:ty, $b:literal, $block:ident) => {
            /// # Safety
            /// The CPU has AVX; rows and columns lie inside the source and their transpose inside
            /// the destination.
            #[target_feature(enable = "avx")]
            pub(super) unsafe fn $name(s: *const $t, sl: usize, d: *mut $t, dl: usize, (rows, cols): (usize, usize)) {
                let (rb, cb) = (rows / $b * $b, cols / $b * $b);
                // SAFETY: guaranteed by the caller; every block lies inside `rb x cb`.
                unsafe {
                    for c0 in (0..cb).step_by(BAND) {
                        let c1 = (c0 + BAND).min(cb);
                        for r in (0..rb).step_by($b) {
                            for c in (c0..c1).step_by($b) {
                                $block(s.add(r * sl + c), sl, d.add(c * dl + r), dl);
                            }
                        }
                    }
                    transpose_scalar(s, sl, d, dl, (0, rb), (cb, cols));
                    transpose_scalar(s, sl, d, dl, (rb, rows), (0, cols));
                }
            }
        };
    }
    blocked!(blocks_f32, f32, 8, block_f32);
    blocked!(blocks_f64, f64, 4, block_f64);

    /// One 8 x 8 block of 4-byte values: rows `s + i sl`, columns to `d + j dl`.
    #[inline(always)]
    unsafe fn block_f32(s: *const f32, sl: usize, d: *mut f32, dl: usize) {
        // SAFETY: the caller's block is inside both buffers and the CPU has AVX.
        unsafe {
            let r: [__m256; 8] = std::array::from_fn(|i| _mm256_loadu_ps(s.add(i * sl)));
            // Pairs of rows interleaved, then quadruples, then the 128-bit halves exchanged.
            let t = [
                _mm256_unpacklo_ps(r[0], r[1]),
                _mm256_unpackhi_ps(r[0], r[1]),
                _mm256_unpacklo_ps(r[2], r[3]),
                _mm256_unpackhi_ps(r[2], r[3]),
                _mm256_unpacklo_ps(r[4], r[5]),
                _mm256_unpackhi_ps(r[4], r[5]),
                _mm256_unpacklo_ps(r[6], r[7]),
                _mm256_unpackhi_ps(r[6], r[7]),
            ];
            let u = [
                _mm256_shuffle_ps::<0x44>(t[0], t[2]),
                _mm256_shuffle_ps::<0xEE>(t[0], t[2]),
                _mm256_shuffle_ps::<0x44>(t[1], t[3]),
                _mm256_shuffle_ps::<0xEE>(t[1], t[3]),
                _mm256_shuffle_ps::<0x44>(t[4], t[6]),
                _mm256_shuffle_ps::<0xEE>(t[4], t[6]),
                _mm256_shuffle_ps::<0x44>(t[5], t[7]),
                _mm256_shuffle_ps::<0xEE>(t[5], t[7]),
            ];
            for j in 0..4 {
                _mm256_storeu_ps(d.add(j * dl), _mm256_permute2f128_ps::<0x20>(u[j], u[j + 4]));
                _mm256_storeu_ps(d.add((j + 4) * dl), _mm256_permute2f128_ps::<0x31>(u[j], u[j + 4]));
            }
        }
    }

    /// One 4 x 4 block of 8-byte values.
    #[inline(always)]
    unsafe fn block_f64(s: *const f64, sl: usize, d: *mut f64, dl: usize) {
        // SAFETY: as for `block_f32`.
        unsafe {
            let r: [__m256d; 4] = std::array::from_fn(|i| _mm256_loadu_pd(s.add(i * sl)));
            let t = [
                _mm256_unpacklo_pd(r[0], r[1]),
                _mm256_unpackhi_pd(r[0], r[1]),
                _mm256_unpacklo_pd(r[2], r[3]),
                _mm256_unpackhi_pd(r[2], r[3]),
            ];
            for j in 0..2 {
                _mm256_storeu_pd(d.add(j * dl), _mm256_permute2f128_pd::<0x20>(t[j], t[j + 2]));
                _mm256_storeu_pd(d.add((j + 2) * dl), _mm256_permute2f128_pd::<0x31>(t[j], t[j + 2]));
            }
        }
    }
}

/// Elements of slack for [`aligned`]: 64 bytes of f32.
const ALIGN_SLACK: usize = 16;

/// `buf` from its first 64-byte boundary, so that the whole-vector loads and stores of the
/// transforms and products do not straddle cache lines.
fn aligned<T>(buf: &mut [T]) -> &mut [T] {
    let off = buf.as_ptr().align_offset(64).min(buf.len());
    &mut buf[off..]
}

/// Runs `f` on two buffers of `lens` values each, 64-byte aligned, from this thread's scratch
/// (kept between calls: fresh allocations of this size cost page faults on every call). Aligned,
/// the whole-vector loads and stores of the Winograd transforms and products do not straddle
/// cache lines: the polyphase forward of the DCGAN layer 2.65 -> 2.47 ms with both changes.
pub(crate) fn with_buffers<T: Elem, R>(lens: [usize; 2], f: impl FnOnce(&mut [T], &mut [T]) -> R) -> R {
    T::with_scratch(lens[0] + lens[1] + 2 * ALIGN_SLACK, |buf| {
        let (a, b) = buf.split_at_mut(lens[0] + ALIGN_SLACK);
        f(&mut aligned(a)[..lens[0]], &mut aligned(b)[..lens[1]])
    })
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

/// `e^x` for f32 without branches or float-to-int conversions, so that the gate loops vectorise:
/// Cody-Waite reduction `x = n ln2 + r`, `|r| <= ln2 / 2`, and Cephes' `expf` polynomial (relative
/// error ~1e-7). Inputs are clamped to `[-87.3, 88]`, where `2^n` stays a normal number; NaN stays NaN.
/// The multiply-adds are fused (`mul_add`): one FMA instruction each in the AVX2 + FMA build of
/// the gate kernels, and the same correctly rounded result from the C library's `fmaf` in the
/// baseline build, so both builds still agree bit for bit.
#[inline(always)]
pub(crate) fn exp_f32(x: f32) -> f32 {
    // Adding 1.5 * 2^23 rounds a float of magnitude < 2^22 to an integer `n`, held in the low
    // mantissa bits: `bits(ROUND + n) = bits(ROUND) + n`.
    const ROUND: f32 = 12_582_912.0;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let x = x.clamp(-87.3, 88.0);
    let shifted = x.mul_add(std::f32::consts::LOG2_E, ROUND);
    let n = shifted - ROUND;
    let r = (-n).mul_add(LN2_LO, (-n).mul_add(LN2_HI, x));
    let mut p = 1.987_569_1e-4f32;
    p = p.mul_add(r, 1.398_199_9e-3);
    p = p.mul_add(r, 8.333_452e-3);
    p = p.mul_add(r, 4.166_579_6e-2);
    p = p.mul_add(r, 1.666_666_5e-1);
    p = p.mul_add(r, 0.5);
    let y = (p * r).mul_add(r, r) + 1.0;
    let n_bits = shifted.to_bits().wrapping_sub(ROUND.to_bits());
    y * f32::from_bits(n_bits.wrapping_add(127) << 23)
}

/// `tanh x` for f32, branch-free so that element loops vectorise: `1 - 2 / (e^{2x} + 1)`, and its
/// Taylor polynomial below `|x| = 1/4`, where the subtraction would lose relative precision (the
/// first omitted term is below 1e-8 relative there). Relative error below 5e-7 against libm
/// (`recurrent`'s gate test); libm's `tanhf` does not vectorise (it was 5 % of a DCGAN generator's
/// inference, in `__expm1f` and `__tanhf`).
#[inline(always)]
pub(crate) fn tanh_f32(x: f32) -> f32 {
    let big = 1.0 - 2.0 / (exp_f32(2.0 * x) + 1.0);
    let x2 = x * x;
    let p = x2.mul_add(x2.mul_add(62.0 / 2835.0, -17.0 / 315.0), 2.0 / 15.0);
    let small = (x * x2).mul_add(x2.mul_add(p, -1.0 / 3.0), x);
    if x.abs() < 0.25 { small } else { big }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The blocked transpose against the definition: sizes on and off the block, strides wider
    /// than the rows, and the values past each row left alone.
    #[test]
    fn transpose_matches_definition() {
        fn check<T: Copy + PartialEq + std::fmt::Debug>(of: impl Fn(usize) -> T, fill: T) {
            for (rows, cols, src_ld, dst_ld) in [
                (1, 1, 1, 1),
                (16, 16, 16, 16),
                (37, 5, 7, 40),
                (3, 70, 70, 5),
                (49, 128, 130, 52),
                (8, 8, 8, 8),
                (9, 200, 203, 11),
                (64, 49, 49, 64),
            ] {
                let src: Vec<T> = (0..rows * src_ld).map(&of).collect();
                let mut dst = vec![fill; cols * dst_ld];
                transpose(&src, src_ld, &mut dst, dst_ld, (rows, cols));
                for c in 0..cols {
                    for r in 0..dst_ld {
                        let want = if r < rows { src[r * src_ld + c] } else { fill };
                        assert_eq!(dst[c * dst_ld + r], want, "{rows}x{cols} at ({c}, {r})");
                    }
                }
            }
        }
        // The AVX blocks of 4- and 8-byte values, and the scalar path of other sizes.
        check(|i| i as f32, -1.0);
        check(|i| i as f64 + 0.5, -1.0);
        check(|i| i as u16, u16::MAX);
    }

    /// Runs cover every value once, with the channel of their first row and consecutive
    /// channels, whatever the row length (1, short, longer than a task) and channel count.
    #[test]
    fn channel_runs_cover_each_value_once() {
        for (n, c, s) in [(5, 1100, 1), (3, 7, 700), (2, 3, 5000), (4, 1, 1), (2, 4096, 1)] {
            let mut seen = vec![usize::MAX; n * c * s];
            par_channel_runs(&mut seen, (c, s), |ch, o, run| {
                for (j, v) in run.iter_mut().enumerate() {
                    assert_eq!(*v, usize::MAX);
                    *v = o + j;
                    assert_eq!(((o + j) / s) % c, ch + j / s, "({n}, {c}, {s}): offset {}", o + j);
                }
            });
            assert!(seen.iter().enumerate().all(|(i, &v)| v == i), "({n}, {c}, {s})");
        }
    }
}
