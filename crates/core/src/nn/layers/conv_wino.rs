//! Winograd F(2 x 2, 3 x 3) and F(2 x 2 x 2, 3 x 3 x 3) for the 3 x 3 (x 3) stride-1
//! convolutions of 2-D and 3-D networks.
//!
//! A direct 3 x 3 convolution spends 36 multiply-adds per input channel on each 2 x 2 block of
//! outputs of one output channel. Winograd's minimal filtering (Lavin and Gray, "Fast Algorithms
//! for Convolutional Neural Networks", 2016) computes the same block as
//! `Y = A^T [(G g G^T) . (B^T d B)] A` from the 4 x 4 input tile `d` around it: the element-wise
//! product has 16 points, so the sum over input channels becomes 16 independent matrix products
//! `M[xi] = U[xi] (O x C) * V[xi] (C x tiles)`, 16 multiply-adds per channel pair and tile
//! instead of 36. The transforms `B^T d B` (of each input channel's tile) and `A^T m A` (of each
//! output channel's) are additions and subtractions only; the weights' transform `G g G^T` has
//! halves, exact in binary floating point. The result differs from the direct sum by rounding only.
//! In 3-D the same matrices act along the depth axis too: a 4 x 4 x 4 tile, 64 points and 64
//! products, against 216 multiply-adds per 2 x 2 x 2 block for the direct sum.
//!
//! Layout. Each image is zero-padded once. The input transform reads a vector of tiles along a
//! row at a time: the 4 columns `2 tx .. 2 tx + 3` of the tiles are the even and odd elements of
//! two runs of the padded row (split with lane permutations), and the output transform writes its
//! two columns back interleaved. A 3-D tile's transform first combines the rows of two of its
//! four planes (one row of `B^T` along depth), then runs the 2-D transform on the result, once per
//! depth point. The tiles of the whole batch are numbered image by image, plane by plane, row by
//! row, and cut into jobs of `ts` tiles (a multiple of the direct kernel's tile width). A job
//! transforms its input tiles into `V[xi][c][t]` (tile-contiguous), runs the products on the
//! direct convolution's register tile ([`super::conv_direct`]: output channels x a run of
//! positions, here tiles, over a reduction whose offsets are the input channels' rows of `V`),
//! then transforms `M[xi][o][t]` back into its output blocks. Jobs own disjoint output blocks,
//! so the result does not depend on the thread count.
//!
//! The input gradient of such a convolution is again a 3 x 3 (x 3) stride-1 convolution (of the
//! padded output gradient with the flipped kernel, channel axes swapped) and runs here too.

use super::conv_direct::{Kernel, Padded, TileFn};
use super::conv_gemm::{ConvGeom, Elem};
use super::conv_vec::{NtProduct, VecKernel};
use super::cpu::{SendPtr, uninit_vec, with_buffers};
use rayon::prelude::*;

/// Points of the transformed 4 x 4 tile; a 3-D tile has four planes of them.
const POINTS: usize = 16;

/// Fewest input and output channels for the products to pay for the transforms (a 1-channel
/// input layer runs direct).
const MIN_CHANNELS: usize = 8;

/// The least share of computed output channels that are kept (the last block of the register
/// tile's rows may be partly empty): 8 channels on AVX2's 6-row tile keep 0.67, still well under
/// the direct kernel's 36 multiply-adds per 16.
const MIN_KEPT: f64 = 0.6;

/// Values between the planes of `V` and `M` beyond their rows: a cache line of f32.
const PLANE_SKEW: usize = 16;

/// Chunks of jobs the weight gradient sums apart: the partial sums it adds up, whatever the
/// thread count (one per job cost as much as the products on the U-Net 3-D's 16-channel level).
const GRAD_CHUNKS: usize = 16;

/// Values per task of the weight gradient's sum over chunks.
const SUM_TASK: usize = 16 << 10;

/// Values of `V` and `M` one job holds: 128 Ki (512 KiB of f32), sized for a core's L2 cache.
const JOB_VALUES: usize = 1 << 17;

/// A job's run of tiles along one tile row.
#[derive(Debug, Clone, Copy)]
struct Seg {
    /// Image in the group, tile plane, tile row and first tile column.
    img: usize,
    tz: usize,
    ty: usize,
    tx: usize,
    /// Tiles in the run, and the first one's position in the job.
    len: usize,
    at: usize,
}

/// The rows a transform reads: row `i` of plane `k` at `base[0] + k * strides[0] + i * strides[1]`,
/// and the upper half of each vector of tiles at the same offsets from `base[1]`: `base[0] +
/// lanes` for one run of tiles, or the start of a second run of `lanes / 2` tiles when the call
/// has one vector and each run half of it (see [`Plan::run`]). Two pointers and two strides:
/// with arrays of 16 row pointers filled per call, the jobs' own code was 4.9 % of a U-Net 2-D
/// training profile; 1.7 % after.
#[derive(Clone, Copy)]
pub(crate) struct Rows<T> {
    pub(crate) base: [*const T; 2],
    pub(crate) strides: [usize; 2],
}

impl<T> Rows<T> {
    /// Row `i` of plane `k` of half `h`.
    ///
    /// # Safety
    /// The row lies inside the allocation of `base[h]`.
    #[inline(always)]
    unsafe fn at(self, h: usize, k: usize, i: usize) -> *const T {
        // SAFETY: guaranteed by the caller.
        unsafe { self.base[h].add(k * self.strides[0] + i * self.strides[1]) }
    }
}

/// `input(rows, len, out, ld)`: for the `len` tiles whose padded input rows are `rows` (2-D:
/// rows 0-3 of plane 0; 3-D: rows 0-3 of planes 0-3; tile `t` at columns `2 t .. 2 t + 3` of
/// each), stores point `xi` of the transformed tile `t` at `out[xi * ld + t]` (2-D: 16 points
/// `4 a + b`; 3-D: 64, `16 a + 4 b + c` with `a` along depth).
pub(crate) type InputFn<T> = unsafe fn(rows: Rows<T>, len: usize, out: *mut T, ld: usize);
/// `output(m, ld, len, y, ly)`: for the `len` tiles whose points lie at `m[xi * ld + t]`, stores
/// the outputs `A^T m A` of tile `t` at `y[0][z * ly[1] + i * ly[0] + 2 t + j]` (row `i`, column
/// `j`, output plane `z` in 3-D); the upper half of each vector of tiles goes through `y[1]`
/// (`y[0] + lanes`, or a second run's rows, as for the input). `ly` is a buffer's row and plane
/// strides, or the output's own.
pub(crate) type OutputFn<T> = unsafe fn(m: *const T, ld: usize, len: usize, y: [*mut T; 2], ly: [usize; 2]);

/// `gradient(rows, len, out, ld)`: for the `len` tiles whose 2 x 2 (x 2) blocks of the output
/// gradient lie in `rows` (2-D: rows 0-1 of plane 0; 3-D: rows 0-1 of planes 0-1; tile `t` at
/// columns `2 t, 2 t + 1`), stores point `xi` of `A dy A^T` (along depth too in 3-D) at
/// `out[xi * ld + t]`, points numbered as by [`InputFn`].
pub(crate) type GradFn<T> = unsafe fn(rows: Rows<T>, len: usize, out: *mut T, ld: usize);

/// The transforms, on the vector types of [`super::vector`]. No closures here: a closure is not
/// compiled with its caller's target features, and the intrinsics would not be inlined.
#[cfg(target_arch = "x86_64")]
pub(super) mod simd {
    use super::super::vector::{Shuffle, Vector};
    use super::POINTS;

    /// `B^T` applied to a column of 4: `[d0 - d2, d1 + d2, d2 - d1, d1 - d3]`.
    #[inline(always)]
    unsafe fn bt<V: Vector>(d: [V; 4]) -> [V; 4] {
        // SAFETY: the caller's build has the vector type's instructions.
        unsafe { [V::sub(d[0], d[2]), V::add(d[1], d[2]), V::sub(d[2], d[1]), V::sub(d[1], d[3])] }
    }

    /// `A^T` applied to a column of 4: `[m0 + m1 + m2, m1 - m2 - m3]`.
    #[inline(always)]
    unsafe fn at<V: Vector>(m: [V; 4]) -> [V; 2] {
        // SAFETY: the caller's build has the vector type's instructions.
        unsafe { [V::add(V::add(m[0], m[1]), m[2]), V::sub(V::sub(m[1], m[2]), m[3])] }
    }

    /// The values a vector of tiles from tile `t` reads from one padded row: the runs at columns
    /// `2 t` and `2 t + 2`, each two vectors long (even and odd columns still interleaved), the
    /// second vector of each from `upper` (`row + LANES` along one row).
    #[inline(always)]
    unsafe fn runs<V: Vector>(row: *const V::T, upper: *const V::T, t: usize) -> [V; 4] {
        // SAFETY: guaranteed by the caller of `transform`.
        unsafe {
            let (p, q) = (row.add(2 * t), upper.add(2 * t));
            [V::load(p), V::load(q), V::load(p.add(2)), V::load(q.add(2))]
        }
    }

    /// Columns `0 .. 4` of a vector of tiles from their row's [`runs`].
    #[inline(always)]
    unsafe fn columns<V: Shuffle>(r: [V; 4]) -> [V; 4] {
        // SAFETY: the caller's build has the vector type's instructions.
        unsafe {
            let (c0, c1) = V::deinterleave(r[0], r[1]);
            let (c2, c3) = V::deinterleave(r[2], r[3]);
            [c0, c1, c2, c3]
        }
    }

    /// `B^T d B` of a vector of 4 x 4 tiles `d[i][j]` (row `i`, column `j`), point `(a, b)`
    /// stored at `out + (4 a + b) ld + t`.
    #[inline(always)]
    unsafe fn transform_2d<V: Vector>(d: [[V; 4]; 4], out: *mut V::T, ld: usize, t: usize) {
        // SAFETY: guaranteed by the caller of `transform`.
        unsafe {
            // Down the columns, then along the rows.
            let mut c = [[V::zero(); 4]; 4];
            for (j, cj) in c.iter_mut().enumerate() {
                *cj = bt([d[0][j], d[1][j], d[2][j], d[3][j]]);
            }
            // Row a of the column results: element a of each of the four.
            #[allow(clippy::needless_range_loop)]
            for a in 0..4 {
                let v = bt([c[0][a], c[1][a], c[2][a], c[3][a]]);
                for (b, vb) in v.iter().enumerate() {
                    vb.store(out.add((a * 4 + b) * ld + t));
                }
            }
        }
    }

    /// The input transform of `V::LANES` tiles from tile `t` on (see [`super::InputFn`]).
    #[inline(always)]
    unsafe fn input_at<V: Shuffle, const D3: bool>(rows: super::Rows<V::T>, t: usize, out: *mut V::T, ld: usize) {
        // SAFETY: guaranteed by the caller of `transform`.
        unsafe {
            if !D3 {
                let mut d = [[V::zero(); 4]; 4];
                for (i, di) in d.iter_mut().enumerate() {
                    *di = columns(runs::<V>(rows.at(0, 0, i), rows.at(1, 0, i), t));
                }
                return transform_2d(d, out, ld, t);
            }
            // Depth point a: row a of B^T across the planes, `[d0 - d2, d1 + d2, d2 - d1, d1 - d3]`.
            depth_point::<V>(rows, t, out, ld, (0, 0, 2, false));
            depth_point::<V>(rows, t, out, ld, (1, 1, 2, true));
            depth_point::<V>(rows, t, out, ld, (2, 2, 1, false));
            depth_point::<V>(rows, t, out, ld, (3, 1, 3, false));
        }
    }

    /// Depth point `a` of a vector of 3-D tiles: planes `k0` and `k1` of the tiles added (`plus`)
    /// or subtracted, on the raw runs (the column split is linear), then the 2-D transform,
    /// stored from point `16 a` on. Called with constants, so that `plus` is resolved.
    #[inline(always)]
    unsafe fn depth_point<V: Shuffle>(
        rows: super::Rows<V::T>,
        t: usize,
        out: *mut V::T,
        ld: usize,
        (a, k0, k1, plus): (usize, usize, usize, bool),
    ) {
        // SAFETY: guaranteed by the caller of `transform`.
        unsafe {
            let mut d = [[V::zero(); 4]; 4];
            for (i, di) in d.iter_mut().enumerate() {
                let (r0, r1) = (
                    runs::<V>(rows.at(0, k0, i), rows.at(1, k0, i), t),
                    runs::<V>(rows.at(0, k1, i), rows.at(1, k1, i), t),
                );
                let mut e = [V::zero(); 4];
                for j in 0..4 {
                    e[j] = if plus { V::add(r0[j], r1[j]) } else { V::sub(r0[j], r1[j]) };
                }
                *di = columns(e);
            }
            transform_2d(d, out.add(a * POINTS * ld), ld, t);
        }
    }

    /// See [`super::InputFn`] (the input's transform) and, with `GRAD`, [`super::GradFn`] (the
    /// output gradient's), in whole vectors of tiles: up to `LANES - 1` tiles past `len` are
    /// transformed too (from whatever the buffer holds there) and stored past `len`.
    ///
    /// # Safety
    /// The CPU must have `V`'s instructions; with `lanes = len.next_multiple_of(LANES)`, each
    /// row read (input: 4, or 16 with `D3`; gradient: 2, or 4) is readable from its start to
    /// `2 lanes + 2` past it (or, with a second run's rows from `rows.base[1]` and `len ==
    /// LANES`, each row of both runs to `LANES + 2` past it), and `out + xi * ld .. + lanes`
    /// writable for each point `xi` (16, or 64 with `D3`).
    #[inline(always)]
    pub(crate) unsafe fn transform<V: Shuffle, const D3: bool, const GRAD: bool>(
        rows: super::Rows<V::T>,
        len: usize,
        out: *mut V::T,
        ld: usize,
    ) {
        // SAFETY: forwarded.
        unsafe {
            for t in (0..len).step_by(V::LANES) {
                if GRAD {
                    gradient_at::<V, D3>(rows, t, out, ld);
                } else {
                    input_at::<V, D3>(rows, t, out, ld);
                }
            }
        }
    }

    /// Point `p` of the 4 x 4 plane of points that output plane `z` sees: the point itself in
    /// 2-D; in 3-D, row `z` of `A^T` across the four depth points.
    #[inline(always)]
    unsafe fn point<V: Vector, const D3: bool>(m: *const V::T, ld: usize, t: usize, p: usize, z: usize) -> V {
        // SAFETY: guaranteed by the caller of `output`.
        unsafe {
            if !D3 {
                V::load(m.add(p * ld + t))
            } else if z == 0 {
                let (m0, m1, m2) = (m.add(p * ld + t), m.add((POINTS + p) * ld + t), m.add((2 * POINTS + p) * ld + t));
                V::add(V::add(V::load(m0), V::load(m1)), V::load(m2))
            } else {
                let (m1, m2, m3) =
                    (m.add((POINTS + p) * ld + t), m.add((2 * POINTS + p) * ld + t), m.add((3 * POINTS + p) * ld + t));
                V::sub(V::sub(V::load(m1), V::load(m2)), V::load(m3))
            }
        }
    }

    /// The output transform of `V::LANES` tiles from tile `t` on (see [`super::OutputFn`]).
    #[inline(always)]
    unsafe fn output_at<V: Shuffle, const D3: bool>(
        m: *const V::T,
        ld: usize,
        t: usize,
        y: [*mut V::T; 2],
        ly: [usize; 2],
    ) {
        // SAFETY: guaranteed by the caller of `output`.
        unsafe {
            for z in 0..if D3 { 2 } else { 1 } {
                // Along the rows of the 4 x 4 points, then down the two columns left.
                let mut r = [[V::zero(); 2]; 4];
                for (a, ra) in r.iter_mut().enumerate() {
                    let mut row = [V::zero(); 4];
                    for (b, v) in row.iter_mut().enumerate() {
                        *v = point::<V, D3>(m, ld, t, a * 4 + b, z);
                    }
                    *ra = at(row);
                }
                let c0 = at([r[0][0], r[1][0], r[2][0], r[3][0]]);
                let c1 = at([r[0][1], r[1][1], r[2][1], r[3][1]]);
                for i in 0..2 {
                    let (lo, hi) = V::interleave(c0[i], c1[i]);
                    let off = z * ly[1] + i * ly[0] + 2 * t;
                    lo.store(y[0].add(off));
                    hi.store(y[1].add(off));
                }
            }
        }
    }

    /// See [`super::OutputFn`], in whole vectors of tiles (up to `LANES - 1` past `len`).
    ///
    /// # Safety
    /// The CPU must have `V`'s instructions; with `lanes = len.next_multiple_of(LANES)`,
    /// `m + xi * ld .. + lanes` is readable for each point `xi` (16, or 64 with `D3`) and
    /// `y[0] + z * ly[1] + i * ly[0] .. + 2 lanes` writable for `i < 2` (and `z < 2` with `D3`),
    /// or with a second run's rows in `y[1]` and `len == LANES`, `.. + LANES` from both.
    #[inline(always)]
    pub(crate) unsafe fn output<V: Shuffle, const D3: bool>(
        m: *const V::T,
        ld: usize,
        len: usize,
        y: [*mut V::T; 2],
        ly: [usize; 2],
    ) {
        // SAFETY: forwarded.
        unsafe {
            for t in (0..len).step_by(V::LANES) {
                output_at::<V, D3>(m, ld, t, y, ly);
            }
        }
    }

    /// `A` applied to a column of 2 (the transpose of [`at`]): `[d0, d0 + d1, d0 - d1, -d1]`.
    #[inline(always)]
    unsafe fn a_col<V: Vector>(d0: V, d1: V) -> [V; 4] {
        // SAFETY: the caller's build has the vector type's instructions.
        unsafe { [d0, V::add(d0, d1), V::sub(d0, d1), V::sub(V::zero(), d1)] }
    }

    /// The output-gradient transform of `V::LANES` tiles from tile `t` on (see
    /// [`super::GradFn`]); its rows are read to `2 LANES` past `2 t`.
    #[inline(always)]
    unsafe fn gradient_at<V: Shuffle, const D3: bool>(rows: super::Rows<V::T>, t: usize, out: *mut V::T, ld: usize) {
        // SAFETY: guaranteed by the caller of `transform`.
        unsafe {
            // Per plane and row of the 2 x 2 (x 2) blocks: their two columns, then `A` along the row.
            let mut e = [[[V::zero(); 4]; 2]; 2];
            for (z, ez) in e.iter_mut().enumerate().take(if D3 { 2 } else { 1 }) {
                for (i, ei) in ez.iter_mut().enumerate() {
                    let (p, q) = (rows.at(0, z, i).add(2 * t), rows.at(1, z, i).add(2 * t));
                    let (c0, c1) = V::deinterleave(V::load(p), V::load(q));
                    *ei = a_col(c0, c1);
                }
            }
            // `A` down the columns, then (3-D) along depth.
            #[allow(clippy::needless_range_loop)]
            for a in 0..4 {
                for b in 0..4 {
                    let m0 = a_col(e[0][0][b], e[0][1][b])[a];
                    if D3 {
                        let m1 = a_col(e[1][0][b], e[1][1][b])[a];
                        for (k, v) in a_col(m0, m1).iter().enumerate() {
                            v.store(out.add((k * POINTS + a * 4 + b) * ld + t));
                        }
                    } else {
                        m0.store(out.add((a * 4 + b) * ld + t));
                    }
                }
            }
        }
    }
}

/// Runs `transform` (the input's or the output gradient's) over a job's calls ([`Plan::segments`])
/// for `ch` channels: channel `k`'s rows of run `seg` start at `base(seg, k)`, `strides` apart
/// (planes, rows), and its points go to `out + k * rs + seg.at`, `ld` apart.
///
/// # Safety
/// Every call's rows and points lie where `transform` may read and write them (see [`InputFn`]).
#[allow(clippy::type_complexity)]
unsafe fn transform_runs<T>(
    transform: InputFn<T>,
    (segs, calls): (&[Seg], &[(usize, bool)]),
    lanes: usize,
    (ch, base, strides): (usize, impl Fn(Seg, usize) -> *const T, [usize; 2]),
    (out, rs, ld): (*mut T, usize, usize),
) {
    for k in 0..ch {
        for &(s, paired) in calls {
            let first = base(segs[s], k);
            let (upper, len) = match paired {
                true => (base(segs[s + 1], k), lanes),
                // SAFETY: the upper half of the run's own vectors, inside its rows' reach.
                false => (unsafe { first.add(lanes) }, segs[s].len),
            };
            // SAFETY: guaranteed by the caller.
            unsafe { transform(Rows { base: [first, upper], strides }, len, out.add(k * rs + segs[s].at), ld) };
        }
    }
}

/// Rows of the register tile a weight transform handles at once (at least any build's `mr`).
const MAX_ROWS: usize = 8;

/// `G` applied to a column of 3 kernels' values, for `MAX_ROWS` kernels at once:
/// `G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]]`.
#[inline(always)]
fn g_col<T: Elem>(a: &[T; MAX_ROWS], b: &[T; MAX_ROWS], c: &[T; MAX_ROWS]) -> [[T; MAX_ROWS]; 4] {
    let mut out = [[T::default(); MAX_ROWS]; 4];
    for r in 0..MAX_ROWS {
        out[0][r] = a[r];
        out[1][r] = (a[r] + b[r] + c[r]) * T::HALF;
        out[2][r] = (a[r] - b[r] + c[r]) * T::HALF;
        out[3][r] = c[r];
    }
    out
}

/// `G g G^T` of up to `MAX_ROWS` 3 x 3 kernels: `g[i * 3 + j][r]` is tap `(i, j)` of kernel `r`,
/// the result's `[a * 4 + b][r]` point `(a, b)` of kernel `r`.
fn transform_kernels<T: Elem>(g: &[[T; MAX_ROWS]]) -> [[T; MAX_ROWS]; POINTS] {
    // Down each column of taps, then along each row of the 4 x 3 result.
    let cols: [[[T; MAX_ROWS]; 4]; 3] = std::array::from_fn(|j| g_col(&g[j], &g[3 + j], &g[6 + j]));
    let mut u = [[T::default(); MAX_ROWS]; POINTS];
    for a in 0..4 {
        let row = g_col(&cols[0][a], &cols[1][a], &cols[2][a]);
        u[a * 4..][..4].copy_from_slice(&row);
    }
    u
}

/// `G g G^T` along all three axes of up to `MAX_ROWS` 3 x 3 x 3 kernels: `g[(k * 3 + i) * 3 +
/// j][r]` is tap `(k, i, j)` of kernel `r`, the result's `[(a * 4 + b) * 4 + c][r]` point
/// `(a, b, c)`.
fn transform_kernels_3d<T: Elem>(g: &[[T; MAX_ROWS]]) -> [[T; MAX_ROWS]; 4 * POINTS] {
    // Each plane of taps in 2-D, then along depth.
    let planes: [[[T; MAX_ROWS]; POINTS]; 3] = std::array::from_fn(|k| transform_kernels(&g[9 * k..][..9]));
    let mut u = [[T::default(); MAX_ROWS]; 4 * POINTS];
    for p in 0..POINTS {
        let col = g_col(&planes[0][p], &planes[1][p], &planes[2][p]);
        for (a, v) in col.into_iter().enumerate() {
            u[a * POINTS + p] = v;
        }
    }
    u
}

/// `G^T` applied to a column of 4 points: `[s0 + (s1 + s2) / 2, (s1 - s2) / 2, (s1 + s2) / 2 + s3]`,
/// the transpose of [`g_col`].
#[inline(always)]
fn gt_col<T: Elem>(s: [T; 4]) -> [T; 3] {
    let (p, m) = ((s[1] + s[2]) * T::HALF, (s[1] - s[2]) * T::HALF);
    [s[0] + p, m, p + s[3]]
}

/// `G^T S G` of the 4 x 4 points `s(4 a + b)`: the gradient of a 3 x 3 kernel, taps `3 i + j`.
fn untransform_2d<T: Elem>(s: impl Fn(usize) -> T) -> [T; 9] {
    // Along each row of points, then down the columns of the 4 x 3 result.
    let rows: [[T; 3]; 4] = std::array::from_fn(|a| gt_col([s(4 * a), s(4 * a + 1), s(4 * a + 2), s(4 * a + 3)]));
    let mut k = [T::default(); 9];
    for j in 0..3 {
        let col = gt_col([rows[0][j], rows[1][j], rows[2][j], rows[3][j]]);
        for i in 0..3 {
            k[3 * i + j] = col[i];
        }
    }
    k
}

/// `G^T S G` along all three axes of the 64 points `s(16 a + 4 b + c)` (`a` along depth): the
/// gradient of a 3 x 3 x 3 kernel, taps `9 k + 3 i + j`.
fn untransform_3d<T: Elem>(s: impl Fn(usize) -> T) -> [T; 27] {
    // Each plane of points in 2-D, then along depth.
    let planes: [[T; 9]; 4] = std::array::from_fn(|a| untransform_2d(|p| s(POINTS * a + p)));
    let mut k = [T::default(); 27];
    for t in 0..9 {
        let col = gt_col([planes[0][t], planes[1][t], planes[2][t], planes[3][t]]);
        for (d, v) in col.into_iter().enumerate() {
            k[9 * d + t] = v;
        }
    }
    k
}

/// The layout of one 3 x 3 (x 3) stride-1 convolution in 2 x 2 (x 2) output tiles. A 2-D one
/// has depth 1 in every `[_; 3]` (one plane of tiles, no padding along depth).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// Input and output channels.
    c: usize,
    o: usize,
    /// 3 x 3 x 3 kernels on 4 x 4 x 4 tiles, else 3 x 3 on 4 x 4.
    d3: bool,
    /// Input depth, height and width (unpadded), padding, output depth, height and width.
    size: [usize; 3],
    pad: [usize; 3],
    out: [usize; 3],
    /// Tile planes, rows and columns per image.
    tiles: [usize; 3],
    /// Padded planes, rows and columns per channel: two more than the tiles cover.
    padded: [usize; 3],
    /// The register tile: output channels x tiles.
    mr: usize,
    nb: usize,
}

impl Plan {
    /// The plan of a `c -> o` channel 3 x 3 (x 3 with `d3`) convolution with stride and
    /// dilation 1 over `size` (depth, height, width; depth 1 in 2-D) padded by `pad` (0 along
    /// depth in 2-D), or `None` where Winograd does not apply or pay.
    pub(crate) fn new<T>(
        kern: &Kernel<T>,
        (c, o): (usize, usize),
        size: [usize; 3],
        pad: [usize; 3],
        d3: bool,
    ) -> Option<Plan> {
        let (mr, nb) = kern.regular_tile();
        let kept = o as f64 / o.next_multiple_of(mr) as f64;
        if c < MIN_CHANNELS || o < MIN_CHANNELS || kept < MIN_KEPT || pad.iter().any(|&p| p > 2) {
            return None;
        }
        if !d3 && (size[0] != 1 || pad[0] != 0) {
            return None;
        }
        let mut out = [1; 3];
        for i in if d3 { 0 } else { 1 }..3 {
            out[i] = (size[i] + 2 * pad[i]).checked_sub(2).filter(|&v| v > 0)?;
        }
        let tiles = out.map(|v| v.div_ceil(2));
        let padded = if d3 { tiles.map(|t| 2 * t + 2) } else { [1, 2 * tiles[1] + 2, 2 * tiles[2] + 2] };
        Some(Plan { c, o, d3, size, pad, out, tiles, padded, mr, nb })
    }

    /// The plan of a convolution's forward pass, where Winograd applies.
    pub(crate) fn forward<T: Elem>(g: &ConvGeom) -> Option<(Kernel<T>, Plan)> {
        if !Self::applies(g) {
            return None;
        }
        let kern = T::direct_kernel()?;
        let plan = Plan::new(&kern, (g.c, g.o), g.size, g.pad, g.spatial == 3).filter(|p| p.pays(g.n))?;
        Some((kern, plan))
    }

    /// The plan of a convolution's input gradient (the output gradient padded by `2 - pad`),
    /// where Winograd applies.
    pub(crate) fn input_gradient<T: Elem>(g: &ConvGeom) -> Option<(Kernel<T>, Plan)> {
        if !Self::applies(g) {
            return None;
        }
        let fp = g.flip_pad()?;
        let kern = T::direct_kernel()?;
        let plan = Plan::new(&kern, (g.o, g.c), g.out, fp, g.spatial == 3).filter(|p| p.pays(g.n))?;
        Some((kern, plan))
    }

    /// A 2-D 3 x 3 or 3-D 3 x 3 x 3 convolution with stride and dilation 1.
    fn applies(g: &ConvGeom) -> bool {
        let shape = match g.spatial {
            2 => g.k == [1, 3, 3] && g.pad[0] == 0,
            3 => g.k == [3, 3, 3],
            _ => false,
        };
        shape && g.stride == [1; 3] && g.dil == [1; 3]
    }

    /// Whether `n` images' tiles fill the register tile's width at least twice. Fewer (a 4 x 4 x 4
    /// bottleneck at batch 2 has 16 tiles) leave most of it and a thread idle, and the weights'
    /// transform, which grows with both channel counts, is not paid back: measured 3.0 ms
    /// against the direct kernel's 1.3 for 128 -> 128 channels on 4 x 4 x 4 at batch 2.
    fn pays(&self, n: usize) -> bool {
        n * self.tiles.iter().product::<usize>() >= 2 * self.nb
    }

    /// Values between the transformed kernel's panels (one per block and point, `c * mr` values
    /// each): a cache line more, so that the weight transform's stores to the points of one
    /// channel do not fall in one set of the L1 cache when the panels are a multiple of 4 KiB
    /// (128 channels x 8 rows of f32). Measured for 128 -> 128 channels in 3-D: 1.97 -> 1.57 ms.
    fn panel(&self) -> usize {
        self.c * self.mr + PLANE_SKEW
    }

    /// Points of a transformed tile.
    fn points(&self) -> usize {
        if self.d3 { 4 * POINTS } else { POINTS }
    }

    /// Register-tile blocks of output channels.
    fn blocks(&self) -> usize {
        self.o.div_ceil(self.mr)
    }

    /// The transformed kernel, packed for the register tile: the weights of block `b`, point `xi`,
    /// input channel `c` and row `r` at `(b * points + xi) * panel + c * mr + r` (see
    /// [`Plan::panel`]), zero past the last output channel. `w` is `(o, c, [3,] 3, 3)`, or with
    /// `flipped` the `(c, o, [3,] 3, 3)` kernel of the convolution whose input gradient this plan
    /// computes, read flipped in space.
    pub(crate) fn weights<T: Elem>(&self, w: &[T], flipped: bool) -> Vec<T> {
        let (c, o, mr, blocks, points) = (self.c, self.o, self.mr, self.blocks(), self.points());
        let taps = if self.d3 { 27 } else { 9 };
        assert_eq!(w.len(), c * o * taps);
        assert!(mr <= MAX_ROWS);
        let ps = self.panel();
        let mut u = vec![T::default(); points * blocks * ps];
        // The `mr` kernels of a block's rows at once (zero past the last output channel), so
        // that the arithmetic runs across them and each point's `mr` values are stored together;
        // the blocks in parallel.
        u.par_chunks_mut(points * ps).enumerate().for_each(|(b, ub)| {
            let mut g = [[T::default(); MAX_ROWS]; 27];
            for ci in 0..c {
                for (r, k) in (b * mr..o.min((b + 1) * mr)).enumerate() {
                    for (tap, gt) in g[..taps].iter_mut().enumerate() {
                        gt[r] = if flipped {
                            w[(ci * o + k) * taps + taps - 1 - tap]
                        } else {
                            w[(k * c + ci) * taps + tap]
                        };
                    }
                }
                let pts: &[[T; MAX_ROWS]] =
                    if self.d3 { &transform_kernels_3d(&g) } else { &transform_kernels(&g[..9]) };
                for (xi, p) in pts.iter().enumerate() {
                    ub[xi * ps + ci * mr..][..mr].copy_from_slice(&p[..mr]);
                }
            }
        });
        u
    }

    /// The padded layout of an input image: zero around it, and past its end along each axis up
    /// to the tiles' reach.
    fn src(&self) -> Padded {
        Padded { ch: self.c, size: self.size, lo: self.pad, dims: self.padded }
    }

    /// Tiles per job: a multiple of the register tile's width, as many as [`JOB_VALUES`] allow,
    /// fewer where that would leave threads idle.
    fn job_tiles(&self, tiles: usize) -> usize {
        let fit = (JOB_VALUES / (self.points() * (self.c + self.o)) / self.nb).max(1) * self.nb;
        let spread = tiles.div_ceil(4 * rayon::current_num_threads()).next_multiple_of(self.nb);
        fit.min(spread).max(self.nb)
    }

    /// The convolution of `n` images `x (n, c, [D,] H, W)` with the transformed weights `u`
    /// ([`Plan::weights`]): `(n, o, [Do,] Ho, Wo)`.
    pub(crate) fn run<T: Elem>(&self, kern: &Kernel<T>, n: usize, x: &[T], u: &[T]) -> Vec<T> {
        let (c, o, nb, points) = (self.c, self.o, self.nb, self.points());
        let [dout, ho, wo] = self.out;
        let [td, th, tw] = self.tiles;
        let src = self.src();
        let (tile, input, output, lanes) = kern.wino(self.d3);
        assert!(x.len() == n * src.xdim() && u.len() == points * self.blocks() * self.panel());
        // The transforms run whole vectors of tiles, up to `lanes - 1` past a run's end: they read
        // up to `2 lanes + 2` values past the last padded row (zeros here), and store into slack
        // after each row of `V` and `M` and in the output rows' buffer `yb`. The batch is padded
        // in groups of images, as the direct kernels do ([`Padded::group`]).
        let gs = src.group(n);
        // SAFETY: fill_images writes each group's images before its jobs read them.
        let mut xp = unsafe { src.buffer::<T>(gs, 2 * lanes + 2) };
        // SAFETY: every output value lies in the block of exactly one tile, stored by the job
        // that holds the tile.
        let mut y = unsafe { uninit_vec::<T>(n * o * dout * ho * wo) };
        let out = SendPtr(y.as_mut_ptr());
        for (gi, xg) in x.chunks(gs * src.xdim()).enumerate() {
            let imgs = xg.len() / src.xdim();
            src.fill_images(xg, &mut xp[..imgs * src.len()]);
            let tiles = imgs * td * th * tw;
            let ts = self.job_tiles(tiles);
            // Row strides of V and M, and of yb (two output rows, four in 3-D); the points' planes
            // of V and M one cache line more than their rows (at a multiple of 4 KiB apart, the
            // streams of a transform would all fall in one set of the L1 cache).
            let (rs, ly) = (ts + lanes, 2 * tw.next_multiple_of(lanes));
            let (pv, pm) = (c * rs + PLANE_SKEW, o * rs + PLANE_SKEW);
            let offs: Vec<usize> = (0..c).map(|ci| ci * rs).collect();
            let xp = &xp;
            (0..tiles.div_ceil(ts)).into_par_iter().for_each(|job| {
                let (t0, t1) = (job * ts, ((job + 1) * ts).min(tiles));
                let (segs, calls) = self.segments(t0..t1, lanes);
                with_buffers::<T, _>([points * pv, points * pm + 8 * ly], |v, rest| {
                    let (m, yb) = rest.split_at_mut(points * pm);
                    let (yb, yb2) = yb.split_at_mut(4 * ly);
                    let (yb, yb2) = (yb.as_mut_ptr(), yb2.as_mut_ptr());
                    // SAFETY: the row pointers start inside the padded channel (`2 tz + 3 < Dp`
                    // in 3-D, `2 ty + 3 < Hp`) and read at most `2 lanes + 2` past its rows, into
                    // the next rows, an earlier group's images or the slack (a paired run reads
                    // `lanes + 2` from its start, its own padded row); `V` and `M` rows have
                    // `lanes` of slack after the job's `ts` tiles and `yb` (and `yb2`) rows room
                    // for `tw` rounded up to `lanes`; the output copies stay inside the image's
                    // planes `2 tz + z < Do`, rows `2 ty + i < Ho` and columns `< Wo`, and so do
                    // the stores in place (`direct`), which write exactly the run's own blocks.
                    unsafe {
                        self.input_runs(input, xp, (&segs, &calls), lanes, (v.as_mut_ptr(), rs, pv));
                        self.products(tile, &offs, (rs, pv, pm), (t1 - t0).div_ceil(nb), u, v, m);
                        // One run's outputs from `yb` into output channel `k`.
                        let copy = |Seg { img, tz, ty, tx, len, .. }: Seg, k: usize, yb: *const T| {
                            let plane = out.get().add(((gi * gs + img) * o + k) * dout * ho * wo);
                            let cols = (2 * len).min(wo - 2 * tx);
                            for z in 0..2.min(dout - 2 * tz) {
                                for i in 0..2.min(ho - 2 * ty) {
                                    let row = plane.add(((2 * tz + z) * ho + 2 * ty + i) * wo + 2 * tx);
                                    std::ptr::copy_nonoverlapping(yb.add((2 * z + i) * ly), row, cols);
                                }
                            }
                        };
                        // Row and plane strides of `yb` and of the output.
                        let (lb, lo) = ([ly, 2 * ly], [wo, ho * wo]);
                        // The first output row of a run that the output transform may store in
                        // place: all of its 2 x 2 (x 2) rows exist, and its vectors cover exactly
                        // its own columns (`exact`: whole vectors of tiles, or half of one in a
                        // pair), all inside the row. Otherwise through `yb` and a copy.
                        let direct = |Seg { img, tz, ty, tx, len, .. }: Seg, k: usize, exact: bool| {
                            let rows = 2 * ty + 1 < ho && (!self.d3 || 2 * tz + 1 < dout);
                            let at = ((gi * gs + img) * o + k) * dout * ho * wo + (2 * tz * ho + 2 * ty) * wo + 2 * tx;
                            (rows && exact && 2 * (tx + len) <= wo).then(|| out.get().add(at))
                        };
                        for k in 0..o {
                            for &(s, paired) in &calls {
                                let (a, mk) = (segs[s], m.as_ptr().add(k * rs + segs[s].at));
                                if paired {
                                    let b = segs[s + 1];
                                    if let (Some(ya), Some(yb_)) = (direct(a, k, true), direct(b, k, true)) {
                                        output(mk, pm, lanes, [ya, yb_], lo);
                                    } else {
                                        output(mk, pm, lanes, [yb, yb2], lb);
                                        copy(a, k, yb);
                                        copy(b, k, yb2);
                                    }
                                } else if let Some(ya) = direct(a, k, a.len % lanes == 0) {
                                    output(mk, pm, a.len, [ya, ya.add(lanes)], lo);
                                } else {
                                    output(mk, pm, a.len, [yb, yb.add(lanes)], lb);
                                    copy(a, k, yb);
                                }
                            }
                        }
                    }
                });
            });
        }
        y
    }

    /// The input transform of a job's runs from the group's padded images `xp` into `V` (rows
    /// `rs` apart, points `pv`), channel by channel.
    ///
    /// # Safety
    /// `xp` holds the padded images the runs name and the slack after them, and `v` room for
    /// every channel's points (see [`transform_runs`]).
    #[allow(clippy::type_complexity)]
    unsafe fn input_runs<T>(
        &self,
        input: InputFn<T>,
        xp: &[T],
        runs: (&[Seg], &[(usize, bool)]),
        lanes: usize,
        (v, rs, pv): (*mut T, usize, usize),
    ) {
        let src = self.src();
        let [_, hp, wp] = self.padded;
        let base = |Seg { img, tz, ty, tx, .. }: Seg, ci: usize| {
            // SAFETY: the run's plane, row and column lie inside image `img` of `xp`.
            unsafe { xp.as_ptr().add((img * self.c + ci) * src.cs() + src.at(2 * tz, 2 * ty, 2 * tx)) }
        };
        // SAFETY: guaranteed by the caller.
        unsafe { transform_runs(input, runs, lanes, (self.c, base, [hp * wp, wp]), (v, rs, pv)) }
    }

    /// The runs of the tiles `range` (numbered image by image, plane by plane, row by row) along
    /// tile rows, and the transforms' calls on them: a run alone, or two runs of half a vector
    /// each (a row of `lanes / 2` tiles, as on 16 x 16 x 16 with 16 f32 lanes), whose tiles share
    /// vectors instead of leaving half of each empty: (first run, paired).
    fn segments(&self, range: std::ops::Range<usize>, lanes: usize) -> (Vec<Seg>, Vec<(usize, bool)>) {
        let [td, th, tw] = self.tiles;
        let mut segs: Vec<Seg> = Vec::new();
        let mut t = range.start;
        while t < range.end {
            let (img, tz, ty, tx) = (t / (td * th * tw), t / (th * tw) % td, t / tw % th, t % tw);
            let len = (tw - tx).min(range.end - t);
            segs.push(Seg { img, tz, ty, tx, len, at: t - range.start });
            t += len;
        }
        let half = |s: usize| segs.get(s).is_some_and(|seg| 2 * seg.len == lanes);
        let mut calls = Vec::with_capacity(segs.len());
        let mut s = 0;
        while s < segs.len() {
            let paired = half(s) && half(s + 1);
            calls.push((s, paired));
            s += 1 + paired as usize;
        }
        (segs, calls)
    }

    /// The weight gradient `(o, c, [3,] 3, 3)` of the convolution this plan computes, from `n`
    /// images `x (n, c, [D,] H, W)` and the output gradient `dy (n, o, [Do,] Ho, Wo)`.
    ///
    /// The forward block is `A^T [U . V] A` with `U = G g G^T`, so the gradient of `U` at point
    /// `xi` is the sum over tiles of `(A dy A^T)[xi] (o x tiles) * V[xi]^T (tiles x c)` and the
    /// kernel's is `G^T (that) G`: per channel pair and tile, 16 (64 in 3-D) multiply-adds
    /// instead of the direct sum's 36 (216) over each 2 x 2 (x 2) block. Jobs transform their
    /// tiles of both operands and sum the per-point products on the channel-vectorised tiles
    /// ([`NtProduct`]); the jobs are summed in [`GRAD_CHUNKS`] chunks added in order, and neither
    /// the jobs nor the chunks depend on the thread count, so the result does not either.
    ///
    /// `None` where it does not pay (see [`Plan::weight_gradient_pays`]) or the input channels
    /// fill too little of the vectors for the products.
    pub(crate) fn weight_gradient<T: Elem>(
        &self,
        kerns: (&Kernel<T>, &VecKernel<T>),
        n: usize,
        x: &[T],
        dy: &[T],
    ) -> Option<Vec<T>> {
        let lanes = kerns.0.wino(self.d3).3;
        if !self.weight_gradient_pays(self.grad_job_tiles(lanes)) {
            return None;
        }
        self.weight_gradient_always(kerns, n, x, dy)
    }

    /// Tiles per weight-gradient job, a multiple of the vector: as many as [`JOB_VALUES`] allow.
    fn grad_job_tiles(&self, lanes: usize) -> usize {
        (JOB_VALUES / (self.points() * (self.c + self.o)) / lanes).max(1) * lanes
    }

    /// Whether the Winograd weight gradient beats the direct dots kernel, by the layer timings of
    /// the U-Net and CNN levels (`wino_timing`, 2 threads, AVX-512, with the jobs' scratch
    /// 64-byte aligned): it loses where jobs of fewer than 32 tiles make the products'
    /// reductions short (3-D 128 -> 128 channels on 4^3: 2.04 against 0.98 ms; 2-D 256 -> 128 on
    /// 16^2: 9.1 against 6.3), and on the 2-D layer of fewest channels, where the transforms cost
    /// as much as the products (16 -> 16 on 128^2: 1.56 against 1.38). It wins on 2-D 16 -> 32
    /// on 64^2 (0.67 against 0.79), 32 -> 32 on 64^2 (0.98 against 1.45), 128 -> 128 on 16^2
    /// (1.19 against 3.08), 3-D 16 -> 16 on 32^3 (3.35 against 4.61), 32 -> 16 (5.48 against
    /// 7.84).
    fn weight_gradient_pays(&self, ts: usize) -> bool {
        ts >= 32 && (self.d3 || self.c + self.o >= 48)
    }

    /// [`Plan::weight_gradient`] wherever the products can run.
    fn weight_gradient_always<T: Elem>(
        &self,
        (kern, vkern): (&Kernel<T>, &VecKernel<T>),
        n: usize,
        x: &[T],
        dy: &[T],
    ) -> Option<Vec<T>> {
        let (c, o, points) = (self.c, self.o, self.points());
        let [td, th, tw] = self.tiles;
        let src = self.src();
        let (_, input, _, lanes) = kern.wino(self.d3);
        let grad = kern.wino_dy(self.d3);
        // The output gradient on the tiles' grid, zero past the output's end on each axis.
        let grid = if self.d3 { self.tiles.map(|t| 2 * t) } else { [1, 2 * th, 2 * tw] };
        let dsrc = Padded { ch: o, size: self.out, lo: [0; 3], dims: grid };
        let dcs = dsrc.cs();
        assert!(x.len() == n * src.xdim() && dy.len() == n * dsrc.xdim());
        let gs = src.group(n).min(dsrc.group(n));
        // Slack after both padded buffers for the whole vectors the transforms read past a run.
        // SAFETY: fill_images writes each group's images before its jobs read them.
        let (mut xp, mut dp) = unsafe { (src.buffer::<T>(gs, 2 * lanes + 2), dsrc.buffer::<T>(gs, 2 * lanes)) };
        let ts = self.grad_job_tiles(lanes);
        let prod = NtProduct::new(vkern, c, ts)?;
        let rs = ts + lanes;
        let (pv, pm) = (c * rs + PLANE_SKEW, o * rs + PLANE_SKEW);
        let mut total = vec![T::default(); points * o * c];
        for (xg, dg) in x.chunks(gs * src.xdim()).zip(dy.chunks(gs * dsrc.xdim())) {
            let imgs = xg.len() / src.xdim();
            src.fill_images(xg, &mut xp[..imgs * src.len()]);
            dsrc.fill_images(dg, &mut dp[..imgs * dsrc.len()]);
            let tiles = imgs * td * th * tw;
            let (xp, dp) = (&xp, &dp);
            // A fixed number of chunks of jobs, each summed by one task into its own sums (added
            // in chunk order below): as many partial sums as chunks, whatever the thread count.
            let jobs = tiles.div_ceil(ts);
            let per_chunk = jobs.div_ceil(GRAD_CHUNKS.min(jobs));
            let partials: Vec<Vec<T>> = (0..jobs.div_ceil(per_chunk))
                .into_par_iter()
                .map(|chunk| {
                    let mut sum = vec![T::default(); points * o * c];
                    let mut prod = prod.clone();
                    for job in chunk * per_chunk..((chunk + 1) * per_chunk).min(jobs) {
                        let (t0, t1) = (job * ts, ((job + 1) * ts).min(tiles));
                        let (segs, calls) = self.segments(t0..t1, lanes);
                        // Whole vectors of tiles enter the products; those past the job's last are zeroed.
                        let (used, len) = (t1 - t0, (t1 - t0).next_multiple_of(lanes));
                        with_buffers::<T, _>([points * pv, points * pm], |v, m| {
                            // SAFETY: the row pointers start inside the padded channel (input) or the
                            // output gradient's grid, and read at most `2 lanes + 2` (`2 lanes`) past
                            // a run's start row, into the next rows, other images of the group or the
                            // slack; `V` and `M` rows have `lanes` of slack after the job's `ts`
                            // tiles, and the products read `len <= ts` values of each row.
                            unsafe {
                                self.input_runs(input, xp, (&segs, &calls), lanes, (v.as_mut_ptr(), rs, pv));
                                let dbase = |Seg { img, tz, ty, tx, .. }: Seg, k: usize| {
                                    dp.as_ptr().add((img * o + k) * dcs + dsrc.at(2 * tz, 2 * ty, 2 * tx))
                                };
                                let strides = [grid[1] * grid[2], grid[2]];
                                transform_runs(
                                    grad,
                                    (&segs, &calls),
                                    lanes,
                                    (o, dbase, strides),
                                    (m.as_mut_ptr(), rs, pm),
                                );
                                for xi in 0..points {
                                    for r in 0..c {
                                        v[xi * pv + r * rs..][used..len].fill(T::default());
                                    }
                                    for r in 0..o {
                                        m[xi * pm + r * rs..][used..len].fill(T::default());
                                    }
                                }
                                // Per point, the sums over the job's tiles (whole vectors; those past
                                // its last are zero in both operands).
                                for (xi, s) in sum.chunks_exact_mut(o * c).enumerate() {
                                    prod.add((m.as_ptr().add(xi * pm), rs, o), (v.as_ptr().add(xi * pv), rs), len, s);
                                }
                            }
                        });
                    }
                    sum
                })
                .collect();
            // The chunks' sums in chunk order, element by element, in parallel over the elements.
            total.par_chunks_mut(SUM_TASK).enumerate().for_each(|(i, t)| {
                for p in &partials {
                    t.iter_mut().zip(&p[i * SUM_TASK..]).for_each(|(t, &v)| *t += v);
                }
            });
        }
        // G^T S G for every channel pair, into (o, c, [3,] 3, 3).
        let taps = if self.d3 { 27 } else { 9 };
        let mut dw = vec![T::default(); o * c * taps];
        dw.par_chunks_exact_mut(taps).enumerate().for_each(|(oc, out)| {
            let s = |xi: usize| total[xi * o * c + oc];
            if self.d3 {
                let k: [T; 27] = untransform_3d(s);
                out.copy_from_slice(&k);
            } else {
                let k: [T; 9] = untransform_2d(s);
                out.copy_from_slice(&k);
            }
        });
        Some(dw)
    }

    /// The products `M[xi] (o x tiles) = U[xi] (o x c) * V[xi] (c x tiles)` for each point `xi`
    /// over the first `groups` register-tile widths of tiles, rows `rs` and points `pv` (in `v`)
    /// and `pm` (in `m`) apart.
    ///
    /// # Safety
    /// `v` and `m` hold `points * pv` and `points * pm` values, `pv >= c * rs`, `pm >= o * rs`,
    /// `groups * nb <= rs`, and `tile` is a kernel this CPU runs.
    #[allow(clippy::too_many_arguments)]
    unsafe fn products<T: Elem>(
        &self,
        tile: TileFn<T>,
        offs: &[usize],
        (rs, pv, pm): (usize, usize, usize),
        groups: usize,
        u: &[T],
        v: &[T],
        m: &mut [T],
    ) {
        let (o, mr, nb, blocks, points) = (self.o, self.mr, self.nb, self.blocks(), self.points());
        for xi in 0..points {
            for b in 0..blocks {
                let wp = u[(b * points + xi) * self.panel()..].as_ptr();
                let rows = mr.min(o - b * mr);
                for grp in 0..groups {
                    let src = v[xi * pv + grp * nb..].as_ptr();
                    let dst = m[xi * pm + b * mr * rs + grp * nb..].as_mut_ptr();
                    // SAFETY: the weights hold `c * mr` values from `wp`; `src + ci * ts .. + nb`
                    // lies inside point `xi`'s rows of `v` and `dst + r * rs .. + nb` inside its
                    // rows of `m` for `r < rows`.
                    unsafe { tile(wp, offs, src, dst, rs, rows) };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::conv_direct::Kernels;
    use super::super::conv_direct::tests::{best_of, max_diff, on_every_build, values};
    use super::super::conv_gemm::{conv_fwd_gemm, geometry, grad_w_gemm, grad_x_gemm};
    use super::super::conv_vec::VecKernels;
    use super::*;

    /// `G g G^T` by hand for a kernel of ones: `G`'s row sums are `[1, 3/2, 1/2, 1]`, so point
    /// `(a, b)` is their product; and for a single 1 at the centre, `G`'s middle column is
    /// `[0, 1/2, -1/2, 0]`.
    #[test]
    fn kernel_transform_known_answers() {
        // Kernel 0 all ones, kernel 1 a single 1 at the centre, kernel 2 that one scaled by 3.
        let mut g = [[0.0f64; MAX_ROWS]; 9];
        for (tap, gt) in g.iter_mut().enumerate() {
            gt[0] = 1.0;
            gt[1] = if tap == 4 { 1.0 } else { 0.0 };
            gt[2] = 3.0 * gt[1];
        }
        let u = transform_kernels(&g);
        let s = [1.0, 1.5, 0.5, 1.0];
        let m = [0.0, 0.5, -0.5, 0.0];
        for a in 0..4 {
            for b in 0..4 {
                let p = u[a * 4 + b];
                assert_eq!((p[0], p[1], p[2]), (s[a] * s[b], m[a] * m[b], 3.0 * m[a] * m[b]), "point {a}, {b}");
                assert!(p[3..].iter().all(|&v| v == 0.0));
            }
        }
    }

    /// The same in 3-D: a 3 x 3 x 3 kernel of ones gives the products of three row sums, a
    /// single 1 at the centre (tap 13) those of three middle-column entries, and a single 1 at
    /// tap `(0, 0, 2)` the product `G[a][0] G[b][0] G[c][2]` (`G`'s first column
    /// `[1, 1/2, 1/2, 0]`, last `[0, 1/2, 1/2, 1]`).
    #[test]
    fn kernel_transform_3d_known_answers() {
        let mut g = [[0.0f64; MAX_ROWS]; 27];
        for (tap, gt) in g.iter_mut().enumerate() {
            gt[0] = 1.0;
            gt[1] = if tap == 13 { 1.0 } else { 0.0 };
            gt[2] = if tap == 2 { 1.0 } else { 0.0 };
        }
        let u = transform_kernels_3d(&g);
        let s = [1.0, 1.5, 0.5, 1.0];
        let m = [0.0, 0.5, -0.5, 0.0];
        let (first, last) = ([1.0, 0.5, 0.5, 0.0], [0.0, 0.5, 0.5, 1.0]);
        for a in 0..4 {
            for b in 0..4 {
                for c in 0..4 {
                    let p = u[(a * 4 + b) * 4 + c];
                    let want = (s[a] * s[b] * s[c], m[a] * m[b] * m[c], first[a] * first[b] * last[c]);
                    assert_eq!((p[0], p[1], p[2]), want, "point {a}, {b}, {c}");
                    assert!(p[3..].iter().all(|&v| v == 0.0));
                }
            }
        }
    }

    /// The geometry, input and weights of a `c -> o` channel 3 x 3 stride-1 convolution of `n`
    /// images `[d, h, w]` padded by `p`: 3-D (3 x 3 x 3) where `d > 0`, else 2-D over `h x w`.
    fn conv_case<T: From<f32>>(
        n: usize,
        c: usize,
        o: usize,
        [d, h, w]: [usize; 3],
        p: usize,
    ) -> (ConvGeom, Vec<T>, Vec<T>) {
        let g = if d > 0 {
            geometry(&[n, c, d, h, w], &[o, c, 3, 3, 3], &[p; 3], &[1; 3], &[1; 3])
        } else {
            geometry(&[n, c, h, w], &[o, c, 3, 3], &[p; 2], &[1; 2], &[1; 2])
        };
        let g = g.unwrap();
        let x = values(n * c * g.size.iter().product::<usize>(), 0.37);
        let wt = values(o * g.kdim(), 0.91);
        (g, x, wt)
    }

    /// Forward and input gradient against im2col + GEMM for `kern`, on 2-D 3 x 3 and 3-D
    /// 3 x 3 x 3 convolutions: odd and even sizes (a last half-empty tile plane, row and
    /// column), padding 0-2, channel counts on and off the register tile's rows, one tile per
    /// image, more jobs than images, rows of tiles paired in vectors, outputs stored in place.
    fn check<T: Elem + VecKernels + From<f32> + Into<f64>>(kern: &Kernel<T>, tol: f64) {
        // (n, c, o, [d, h, w], pad); depth 0 for a 2-D case.
        let cases: &[(usize, usize, usize, [usize; 3], usize)] = &[
            (2, 8, 16, [0, 7, 9], 1),
            (3, 16, 8, [0, 14, 14], 1),
            (1, 12, 23, [0, 12, 5], 0),
            (2, 32, 64, [0, 16, 16], 1),
            (1, 12, 12, [0, 4, 4], 2),
            (5, 8, 8, [0, 3, 3], 1),
            (1, 16, 32, [0, 40, 37], 1),
            (2, 20, 10, [0, 2, 2], 2),
            (2, 8, 16, [5, 6, 7], 1),
            (1, 16, 8, [4, 4, 4], 1),
            (1, 12, 23, [3, 5, 4], 0),
            (2, 16, 16, [8, 8, 8], 1),
            (1, 8, 8, [2, 2, 2], 2),
            (1, 16, 32, [9, 3, 17], 1),
            (3, 32, 16, [6, 7, 5], 1),
            // Rows of 8 tiles, which pair up in vectors of 16 lanes (f32 on AVX-512; 4 for
            // AVX2 and f64 on AVX-512 above, 2 for f64 on AVX2): odd counts of rows per plane
            // and image, so that pairs cross planes and images and single runs are left.
            (2, 8, 16, [3, 5, 15], 1),
            (3, 8, 8, [0, 9, 15], 1),
            // Rows of 16 and 24 tiles: whole vectors stored in place, runs cut by jobs at other
            // columns and the last, partial tile rows and planes through the buffer.
            (2, 8, 8, [0, 5, 48], 1),
            (1, 8, 8, [3, 3, 32], 1),
        ];
        for &(n, c, o, [d, h, w], p) in cases {
            let case = (n, c, o, [d, h, w], p);
            let d3 = d > 0;
            let (g, x, wt) = conv_case::<T>(n, c, o, [d, h, w], p);
            let plan = Plan::new(kern, (c, o), g.size, g.pad, d3).expect("the plan");
            let ours = plan.run(kern, n, &x, &plan.weights(&wt, false));
            let refr = conv_fwd_gemm(&g, &x, &wt);
            assert!(max_diff(&ours, &refr) < tol, "forward {case:?}: {}", max_diff(&ours, &refr));
            let dy: Vec<T> = values(refr.len(), 0.53);
            // The weight gradient, with every channel-vectorised build for its products, sums
            // over every position of the batch: its tolerance grows with their count. It is
            // declined where the input channels fill too little of the vectors.
            let refr = grad_w_gemm(&g, &x, &dy);
            let wtol = tol * ((n * g.out.iter().product::<usize>()) as f64).sqrt();
            for vk in T::vec_kernels() {
                match plan.weight_gradient_always((kern, &vk), n, &x, &dy) {
                    Some(ours) => {
                        assert!(max_diff(&ours, &refr) < wtol, "weight gradient {case:?}: {}", max_diff(&ours, &refr))
                    }
                    None => assert!(c % vk.lanes() != 0, "weight gradient declined {case:?}"),
                }
            }
            let fp = g.flip_pad().unwrap();
            let plan = Plan::new(kern, (o, c), g.out, fp, d3).expect("the gradient's plan");
            let ours = plan.run(kern, n, &dy, &plan.weights(&wt, true));
            let refr = grad_x_gemm(&g, &wt, &dy);
            assert!(max_diff(&ours, &refr) < tol, "input gradient {case:?}: {}", max_diff(&ours, &refr));
        }
    }

    /// A batch too big to pad at once runs in groups of images (here 5 + 1 of 8 channels of
    /// 600 x 600): the second group's output lands on its own images.
    #[test]
    fn winograd_pads_big_batches_in_groups() {
        let Some(kern) = f32::kernels().into_iter().next() else { return };
        let (n, c, o, h, w) = (6, 8, 8, 600, 600);
        let plan = Plan::new(&kern, (c, o), [1, h, w], [0, 1, 1], false).unwrap();
        assert_eq!(plan.src().group(n), 5);
        let g = geometry(&[n, c, h, w], &[o, c, 3, 3], &[1, 1], &[1, 1], &[1, 1]).unwrap();
        let x: Vec<f32> = values(n * c * h * w, 0.37);
        let wt: Vec<f32> = values(o * c * 9, 0.91);
        let ours = plan.run(&kern, n, &x, &plan.weights(&wt, false));
        let refr = conv_fwd_gemm(&g, &x, &wt);
        assert!(max_diff(&ours, &refr) < 1e-4, "{}", max_diff(&ours, &refr));
    }

    #[test]
    fn winograd_matches_im2col_gemm_every_build() {
        on_every_build(|k| check(&k, 1e-4), |k| check(&k, 1e-12));
    }

    /// Winograd is declined for thin layers, partly empty register tiles, wide padding, and
    /// anything but a 2-D 3 x 3 or 3-D 3 x 3 x 3 stride-1 convolution.
    #[test]
    fn plan_declines_what_does_not_pay() {
        let Some(kern) = f32::kernels().into_iter().next() else { return };
        let (mr, _) = kern.regular_tile();
        let plan2 = |c: usize, o: usize, s: usize, p: usize| Plan::new(&kern, (c, o), [1, s, s], [0, p, p], false);
        assert!(plan2(1, 16, 28, 1).is_none(), "one input channel");
        assert!(plan2(16, 4, 28, 1).is_none(), "four output channels");
        assert!(plan2(16, mr + 1, 28, 1).is_none(), "one row of a second block");
        assert!(plan2(16, 16, 28, 3).is_none(), "padding 3");
        assert!(plan2(16, 16, 1, 0).is_none(), "no output");
        assert!(Plan::new(&kern, (16, 16), [2, 28, 28], [0, 1, 1], false).is_none(), "2-D with depth");
        assert!(Plan::new(&kern, (16, 16), [4, 4, 4], [1, 1, 1], false).is_none(), "2-D padded along depth");
        assert!(Plan::new(&kern, (16, 16), [2, 8, 8], [0, 1, 1], true).is_none(), "no output plane");
        assert!(plan2(16, 16, 28, 1).is_some());
        let geom =
            |k: usize, s: usize, d: usize| geometry(&[2, 16, 20, 20], &[16, 16, k, k], &[1, 1], &[s, s], &[d, d]);
        assert!(Plan::forward::<f32>(&geom(3, 1, 1).unwrap()).is_some());
        for g in [geom(3, 2, 1), geom(3, 1, 2), geom(5, 1, 1)] {
            assert!(Plan::forward::<f32>(&g.unwrap()).is_none());
        }
        let geom3 = |k: [usize; 3], s: usize| {
            geometry(&[2, 16, 8, 8, 8], &[16, 16, k[0], k[1], k[2]], &[1; 3], &[s; 3], &[1; 3]).unwrap()
        };
        let plan = Plan::forward::<f32>(&geom3([3, 3, 3], 1)).expect("3-D 3 x 3 x 3");
        assert!(plan.1.d3 && plan.1.points() == 64 && plan.1.tiles == [4, 4, 4]);
        // The weight gradient: 3-D levels of the U-Net with long enough jobs, 2-D layers of 48
        // channels in and out or more.
        let wg = |c: usize, o: usize, size: [usize; 3], d3: bool| {
            let pad = if d3 { [1; 3] } else { [0, 1, 1] };
            let p = Plan::new(&kern, (c, o), size, pad, d3).unwrap();
            p.weight_gradient_pays(p.grad_job_tiles(16))
        };
        assert!(wg(16, 16, [32, 32, 32], true) && wg(32, 32, [16, 16, 16], true));
        assert!(!wg(64, 64, [8, 8, 8], true), "3-D jobs of 16 tiles");
        assert!(wg(128, 128, [1, 16, 16], false) && wg(32, 64, [1, 14, 14], false));
        assert!(wg(16, 32, [1, 64, 64], false) && wg(32, 32, [1, 64, 64], false));
        assert!(!wg(16, 16, [1, 128, 128], false) && !wg(256, 128, [1, 16, 16], false));
        assert!(Plan::forward::<f32>(&geom3([1, 3, 3], 1)).is_none(), "3-D 1 x 3 x 3");
        assert!(Plan::forward::<f32>(&geom3([3, 3, 3], 2)).is_none(), "3-D stride 2");
        // One 4 x 4 x 4 image: 8 tiles, under two register-tile widths.
        let small = geometry(&[1, 16, 4, 4, 4], &[16, 16, 3, 3, 3], &[1; 3], &[1; 3], &[1; 3]).unwrap();
        assert!(Plan::forward::<f32>(&small).is_none() && Plan::input_gradient::<f32>(&small).is_none(), "8 tiles");
    }

    /// On the 2-D reference models' layers at full size, Winograd agrees with the direct
    /// kernels; and the timings of both are printed for every build this CPU has (best of 15
    /// calls each, 2 threads; "direct" is the stride-1 kernel of the same build where its plan
    /// takes the shape, else the best build's choice). Ignored by default for its run time:
    /// `cargo test --release -p scidl-core --lib wino_timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn wino_timing() {
        use super::super::conv_direct::Plan as DirectPlan;
        use super::super::conv_gemm::conv_fwd_direct;
        let best = |f: &dyn Fn()| best_of(15, f);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        for (build, kern) in f32::kernels().into_iter().enumerate() {
            // (n, c, o, [d, h, w]; depth 0 in 2-D): U-Net 2-D levels and transitions at batch 4,
            // the CNN's second layer, U-Net 3-D levels at batch 2.
            for &(n, c, o, [d, h, w]) in &[
                (4, 16, 16, [0, 128, 128]),
                (4, 16, 32, [0, 64, 64]),
                (4, 32, 32, [0, 64, 64]),
                (4, 64, 64, [0, 32, 32]),
                (4, 128, 128, [0, 16, 16]),
                (4, 256, 128, [0, 16, 16]),
                (64, 32, 64, [0, 14, 14]),
                (2, 16, 16, [32, 32, 32]),
                (2, 32, 16, [32, 32, 32]),
                (2, 32, 32, [16, 16, 16]),
                (2, 64, 64, [8, 8, 8]),
                (2, 128, 64, [8, 8, 8]),
                (2, 128, 128, [4, 4, 4]),
            ] {
                let (g, x, wt) = conv_case::<f32>(n, c, o, [d, h, w], 1);
                let plan = Plan::new(&kern, (c, o), g.size, g.pad, d > 0).expect("a Winograd plan");
                let direct_plan = DirectPlan::new(&kern, true, (c, o), g.size, g.k, g.pad, [1; 3]);
                let direct_run = || match &direct_plan {
                    Some(p) => p.run(&kern, n, &x, &p.pack(&wt)),
                    None => conv_fwd_direct(&g, &x, &wt),
                };
                pool.install(|| {
                    let diff = max_diff(&direct_run(), &plan.run(&kern, n, &x, &plan.weights(&wt, false)));
                    assert!(diff < 1e-3, "{:?}: {diff}", (n, c, o, [d, h, w]));
                    let direct = best(&|| drop(direct_run()));
                    let wino = best(&|| drop(plan.run(&kern, n, &x, &plan.weights(&wt, false))));
                    let weights = best(&|| drop(plan.weights(&wt, false)));
                    let gflop = 2.0 * (g.n * g.o * g.out.iter().product::<usize>() * g.kdim()) as f64 / 1e9;
                    println!(
                        "build {build} {:?}: direct{} {:.2} ms ({:.0} GFLOP/s), winograd {:.2} ms (weights {:.2}), x{:.2}",
                        (n, c, o, [d, h, w]),
                        if direct_plan.is_some() { "" } else { " (best build)" },
                        direct * 1e3,
                        gflop / direct,
                        wino * 1e3,
                        weights * 1e3,
                        direct / wino
                    );
                    // The weight gradient: the direct dots kernel (or the best build's path)
                    // against Winograd's.
                    let dy: Vec<f32> = values(n * o * g.out.iter().product::<usize>(), 0.53);
                    let direct_w = || match DirectPlan::new(&kern, false, (c, o), g.size, g.k, g.pad, [1; 3]) {
                        Some(p) => p.grad_w(&kern, n, &x, &dy),
                        None => grad_w_gemm(&g, &x, &dy),
                    };
                    let vk = f32::vec_kernels().into_iter().next().expect("a vector build");
                    if let Some(ours) = plan.weight_gradient_always((&kern, &vk), n, &x, &dy) {
                        let diff = max_diff(&direct_w(), &ours);
                        let dw = best(&|| drop(direct_w()));
                        let ww = best(&|| drop(plan.weight_gradient_always((&kern, &vk), n, &x, &dy)));
                        let taken = plan.weight_gradient_pays(plan.grad_job_tiles(kern.wino(d > 0).3));
                        println!(
                            "    weight gradient: direct {:.2} ms, winograd {:.2} ms, x{:.2} (max diff {diff:.1e}){}",
                            dw * 1e3,
                            ww * 1e3,
                            dw / ww,
                            if taken { ", taken" } else { "" }
                        );
                    }
                });
            }
        }
    }
}
