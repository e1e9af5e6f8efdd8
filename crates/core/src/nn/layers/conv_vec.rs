//! Direct convolution vectorised over channels, for any stride, dilation and padding.
//!
//! [`super::conv_direct`] vectorises over output positions and so needs stride 1 and planes wide
//! enough to fill its tiles. Small planes (a GAN's 7 x 7 maps, a U-Net's 8^3 and 4^3 levels) and
//! strided or transposed convolutions instead took im2col + GEMM, whose copies of the input
//! (im2col) or scatter of the columns (col2im) cost as much as a third of the product itself there.
//!
//! Here a vector holds output channels: with the input zero-padded once, output position `p`
//! reads the padded input at `base[p] + offs[k]` for reduction entry `k` (input channel and tap),
//! so a tile of `P` positions x `MV` vectors of channels accumulates
//! `acc[p][m] += w[k][m] * x[base[p] + offs[k]]` over `k`: one weight vector load per `P`
//! broadcasts, any set of positions, nothing dropped but the channels past the last full vector.
//! The tile is stored channel-last and scattered into the `(N, O, ...)` output.
//!
//! The input gradient of a strided convolution splits into `stride` phases per axis: the input
//! positions `i` with `(i + pad) mod s = r` receive exactly the taps `k` with `k * dil mod s = r`,
//! from the output gradient at `(i + pad) / s - (k * dil) / s`, which is again such a gather
//! (vectorised over input channels) on the output gradient padded by `max (k * dil) / s` in front.
//! The weight gradient tiles `KT` reduction entries x `MV` vectors of output channels and sums
//! `dy[p][m] * x[base[p] + offs[k]]` over every position of the batch (the output gradient
//! transposed to channel-last first), each tile in one job, so the sum's order is fixed.

use super::conv_direct::Padded;
use super::conv_gemm::{ConvGeom, Elem};
use super::cpu::{SendPtr, transpose, uninit_vec};
use rayon::prelude::*;

/// `fwd(w, offs, src, out)`: for the `P = src.len()` positions and `MV` vectors of channels,
/// `out[(p * MV + m) * L..][..L] = sum_k w[(k * MV + m) * L..][..L] * src[p][offs[k]]`.
type FwdFn<T> = unsafe fn(w: *const T, offs: &[usize], src: &[*const T], out: *mut T);
/// `grad_w(dyt, ld, xs, bases, out)`: for the `KT = xs.len()` reduction entries and `MV` vectors of
/// channels, adds `sum_q dyt[q * ld + m * L..][..L] * xs[k][bases[q]]` to `out[(k * MV + m) * L..]`.
pub(crate) type GradWFn<T> = unsafe fn(dyt: *const T, ld: usize, xs: &[*const T], bases: &[usize], out: *mut T);

/// The kernels of one instruction set and element type, widest first.
#[derive(Clone)]
pub struct VecKernel<T> {
    lanes: usize,
    /// Forward tiles: (vectors of channels, positions, kernel).
    fwd: Vec<(usize, usize, FwdFn<T>)>,
    /// Weight-gradient tiles: (vectors of output channels, reduction entries, kernel).
    grad_w: Vec<(usize, usize, GradWFn<T>)>,
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use super::super::vector::Vector;
    use std::arch::x86_64::*;

    /// The forward tile (see [`super::FwdFn`]).
    ///
    /// # Safety
    /// The CPU must have the vector type's instructions; `w` holds `offs.len() * MV * LANES`
    /// values, `src[p] + offs[k]` is readable for every `p` and `k`, `out` holds `P * MV * LANES`.
    #[inline(always)]
    pub(super) unsafe fn fwd<V: Vector, const MV: usize, const P: usize>(
        w: *const V::T,
        offs: &[usize],
        src: &[*const V::T],
        out: *mut V::T,
    ) {
        let src: [*const V::T; P] = src.try_into().expect("P positions");
        // SAFETY: guaranteed by the caller.
        unsafe {
            let mut acc = [[V::zero(); MV]; P];
            for (k, &off) in offs.iter().enumerate() {
                let wv: [V; MV] = std::array::from_fn(|m| V::load(w.add((k * MV + m) * V::LANES)));
                for (acc_p, s) in acc.iter_mut().zip(&src) {
                    let b = V::splat(*s.add(off));
                    for (a, &wm) in acc_p.iter_mut().zip(&wv) {
                        *a = V::fma(wm, b, *a);
                    }
                }
            }
            for (p, acc_p) in acc.iter().enumerate() {
                for (m, a) in acc_p.iter().enumerate() {
                    a.store(out.add((p * MV + m) * V::LANES));
                }
            }
        }
    }

    /// The weight-gradient tile (see [`super::GradWFn`]).
    ///
    /// # Safety
    /// The CPU must have the vector type's instructions; `dyt + q * ld .. + MV * LANES` and
    /// `xs[k] + bases[q]` are readable for every `q` and `k`, `out` holds `KT * MV * LANES`.
    #[inline(always)]
    pub(super) unsafe fn grad_w<V: Vector, const MV: usize, const KT: usize>(
        dyt: *const V::T,
        ld: usize,
        xs: &[*const V::T],
        bases: &[usize],
        out: *mut V::T,
    ) {
        let xs: [*const V::T; KT] = xs.try_into().expect("KT entries");
        // SAFETY: guaranteed by the caller.
        unsafe {
            let mut acc = [[V::zero(); MV]; KT];
            for (q, &base) in bases.iter().enumerate() {
                let d: [V; MV] = std::array::from_fn(|m| V::load(dyt.add(q * ld + m * V::LANES)));
                for (acc_k, x) in acc.iter_mut().zip(&xs) {
                    let b = V::splat(*x.add(base));
                    for (a, &dm) in acc_k.iter_mut().zip(&d) {
                        *a = V::fma(dm, b, *a);
                    }
                }
            }
            for (k, acc_k) in acc.iter().enumerate() {
                for (m, a) in acc_k.iter().enumerate() {
                    let p = out.add((k * MV + m) * V::LANES);
                    V::add(V::load(p), *a).store(p);
                }
            }
        }
    }

    /// Declares `$name() -> VecKernel<T>` with the forward tiles `($mv, $p)` and weight-gradient
    /// tiles `($gm, $gk)` compiled with `$features`.
    macro_rules! vec_kernel {
        ($name:ident, $features:literal, $v:ty, [$(($mv:literal, $p:literal)),*], [$(($gm:literal, $gk:literal)),*]) => {
            /// The kernels of this instruction set; only to be called once the CPU is known to
            /// have it.
            pub(super) fn $name() -> super::VecKernel<<$v as Vector>::T> {
                type T = <$v as Vector>::T;
                super::VecKernel {
                    lanes: <$v as Vector>::LANES,
                    fwd: vec![$({
                        #[target_feature(enable = $features)]
                        unsafe fn f(w: *const T, offs: &[usize], src: &[*const T], out: *mut T) {
                            // SAFETY: forwarded; the attribute enables the instructions.
                            unsafe { fwd::<$v, $mv, $p>(w, offs, src, out) }
                        }
                        ($mv, $p, f as super::FwdFn<T>)
                    }),*],
                    grad_w: vec![$({
                        #[target_feature(enable = $features)]
                        unsafe fn f(dyt: *const T, ld: usize, xs: &[*const T], bases: &[usize], out: *mut T) {
                            // SAFETY: forwarded; the attribute enables the instructions.
                            unsafe { grad_w::<$v, $gm, $gk>(dyt, ld, xs, bases, out) }
                        }
                        ($gm, $gk, f as super::GradWFn<T>)
                    }),*],
                }
            }
        };
    }
    // AVX-512 (32 registers): 4 x 6, 2 x 8 and 1 x 12 (vectors x positions or entries; 24, 16
    // and 12 accumulators). A 2 x 12 tile's build kept accumulators on the stack and rotated
    // registers every step (objdump; 12 position pointers besides 24 accumulators). AVX2 (16
    // registers): 2 x 6 and 1 x 12.
    vec_kernel!(f32_avx512, "avx512f", __m512, [(4, 6), (2, 8), (1, 12)], [(4, 6), (2, 8), (1, 12)]);
    vec_kernel!(f64_avx512, "avx512f", __m512d, [(4, 6), (2, 8), (1, 12)], [(4, 6), (2, 8), (1, 12)]);
    vec_kernel!(f32_avx2, "avx2,fma", __m256, [(2, 6), (1, 12)], [(2, 6), (1, 12)]);
    vec_kernel!(f64_avx2, "avx2,fma", __m256d, [(2, 6), (1, 12)], [(2, 6), (1, 12)]);
    // For the tests only: the AVX-512 builds' 4-vector blocks (and a 3-vector one) on AVX2, so
    // that a CPU without AVX-512 still runs every block width through the same code.
    #[cfg(test)]
    vec_kernel!(f32_avx2_wide, "avx2,fma", __m256, [(4, 2), (3, 4), (1, 8)], [(4, 2), (3, 4), (1, 8)]);
}

impl<T> VecKernel<T> {
    /// Vector lanes of this build.
    pub(crate) fn lanes(&self) -> usize {
        self.lanes
    }

    /// The widest weight-gradient tile whose vectors of channels divide `ch`: `(vectors,
    /// reduction entries, kernel)`.
    pub(crate) fn grad_tile_for(&self, ch: usize) -> Option<(usize, usize, GradWFn<T>)> {
        self.grad_w.iter().copied().find(|&(mv, _, _)| ch.is_multiple_of(mv * self.lanes))
    }
}

/// The channel-vectorised kernels this CPU runs, best first: AVX-512, then AVX2 + FMA. Empty
/// without either.
pub(crate) trait VecKernels: Sized {
    fn vec_kernels() -> Vec<VecKernel<Self>>;
}

cpu_builds!(VecKernels, vec_kernels, VecKernel, f32, f32_avx512, f32_avx2);
cpu_builds!(VecKernels, vec_kernels, VecKernel, f64, f64_avx512, f64_avx2);

/// The best channel-vectorised kernel for this CPU, if any.
pub(crate) fn best_vec_kernel<T: VecKernels>() -> Option<VecKernel<T>> {
    T::vec_kernels().into_iter().next()
}

/// The smallest share of computed channels that are kept (the last block of channels is rounded
/// up to a whole vector) for this path to be taken.
const MIN_KEPT: f64 = 0.75;

/// The smallest reduction (input channels x taps) this path takes: below it the scatter of each
/// tile into the output costs as much as the tile.
const MIN_REDUCTION: usize = 32;

/// Output positions per forward job, at most.
const JOB_POSITIONS: usize = 192;

/// Positions per weight-gradient pass over one tile of reduction entries: their channel-last
/// output gradient (f32: 32 KiB at 64 channels) stays in L1 across the job's tiles.
const GRAD_W_CHUNK: usize = 128;

/// A block of channels computed by one tile variant: `rows` channels from `start`, `width` wide
/// (`rows <= width`; the rest is computed from zero weights and dropped).
#[derive(Debug, Clone, Copy)]
struct Block {
    start: usize,
    rows: usize,
    width: usize,
    variant: usize,
}

/// `ch` channels in blocks of the widest variant that fits, the last rounded up to the narrowest,
/// or `None` when less than [`MIN_KEPT`] of the computed channels would be kept.
fn blocks(mvs: &[usize], lanes: usize, ch: usize) -> Option<Vec<Block>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < ch {
        let rem = ch - start;
        let variant = mvs.iter().position(|&mv| mv * lanes <= rem).unwrap_or(mvs.len().checked_sub(1)?);
        let width = mvs[variant] * lanes;
        out.push(Block { start, rows: width.min(rem), width, variant });
        start += width.min(rem);
    }
    let computed: usize = out.iter().map(|b| b.width).sum();
    (ch as f64 / computed as f64 >= MIN_KEPT).then_some(out)
}

/// One gather: output position `idx[p]` of each image is the sum over `k` of the packed weights
/// times the padded source at `base[p] + offs[k]`; `packed[b]` holds block `b`'s weights,
/// `(offs.len(), width)`.
struct Gather<T> {
    offs: Vec<usize>,
    idx: Vec<usize>,
    base: Vec<usize>,
    packed: Vec<Vec<T>>,
}

/// `(blocks, reduction)` weights from `get(channel, k)`, zero past each block's last channel.
fn pack<T: Elem>(blocks: &[Block], kd: usize, get: impl Fn(usize, usize) -> T) -> Vec<Vec<T>> {
    blocks
        .iter()
        .map(|b| {
            let mut wp = vec![T::default(); kd * b.width];
            for (k, row) in wp.chunks_exact_mut(b.width).enumerate() {
                for (r, v) in row[..b.rows].iter_mut().enumerate() {
                    *v = get(b.start + r, k);
                }
            }
            wp
        })
        .collect()
}

/// The padded input of `g`'s forward and weight gradient, the offset of each reduction entry
/// `(channel, tap)` in it and the base of each output position.
fn forward_gather(g: &ConvGeom) -> (Padded, Vec<usize>, Vec<usize>) {
    let dims = [0, 1, 2].map(|i| g.size[i] + 2 * g.pad[i]);
    let src = Padded { ch: g.c, size: g.size, lo: g.pad, dims };
    let offs = src.tap_offsets(g.k, g.dil);
    let mut base = Vec::with_capacity(g.out.iter().product());
    for z in 0..g.out[0] {
        for y in 0..g.out[1] {
            for x in 0..g.out[2] {
                base.push(src.at(z * g.stride[0], y * g.stride[1], x * g.stride[2]));
            }
        }
    }
    (src, offs, base)
}

/// The forward `(n, o, out)` of `g`, or `None` where the output channels do not fill the vectors.
pub(crate) fn conv_fwd<T: Elem>(kern: &VecKernel<T>, g: &ConvGeom, x: &[T], w: &[T]) -> Option<Vec<T>> {
    let kd = g.kdim();
    let mvs: Vec<usize> = kern.fwd.iter().map(|v| v.0).collect();
    let blocks = blocks(&mvs, kern.lanes, g.o).filter(|_| kd >= MIN_REDUCTION)?;
    let (src, offs, base) = forward_gather(g);
    let plane: usize = g.out.iter().product();
    let gather = Gather { offs, idx: (0..plane).collect(), base, packed: pack(&blocks, kd, |o, k| w[o * kd + k]) };
    Some(run(kern, &blocks, &src, g.n, x, &[gather], (g.o, plane), true))
}

/// The input gradient `(n, c, size)` of `g` from `w (o, c, taps)` and `dy (n, o, out)`, one gather
/// per stride phase, or `None` where the input channels do not fill the vectors.
pub(crate) fn grad_x<T: Elem>(kern: &VecKernel<T>, g: &ConvGeom, w: &[T], dy: &[T]) -> Option<Vec<T>> {
    let mvs: Vec<usize> = kern.fwd.iter().map(|v| v.0).collect();
    let blocks = blocks(&mvs, kern.lanes, g.c)?;
    let taps: usize = g.k.iter().product();
    // Per axis: the output gradient padded by the farthest tap's shift in front and to the last
    // input position's reach behind.
    let (mut lo, mut dims) = ([0; 3], [0; 3]);
    for a in 0..3 {
        lo[a] = (g.k[a] - 1) * g.dil[a] / g.stride[a];
        let reach = (g.size[a] - 1 + g.pad[a]) / g.stride[a] + 1;
        dims[a] = lo[a] + g.out[a].max(reach);
    }
    let src = Padded { ch: g.o, size: g.out, lo, dims };
    let cs = src.cs();
    // Per axis and phase r: the input positions (i, (i + pad) / s) and taps (k, (k dil) / s).
    type Pairs = Vec<(usize, usize)>;
    let phases = |a: usize, r: usize| -> (Pairs, Pairs) {
        let s = g.stride[a];
        let pos = (0..g.size[a]).filter(|i| (i + g.pad[a]) % s == r).map(|i| (i, (i + g.pad[a]) / s)).collect();
        let tps = (0..g.k[a]).filter(|k| k * g.dil[a] % s == r).map(|k| (k, k * g.dil[a] / s)).collect();
        (pos, tps)
    };
    let plane: usize = g.size.iter().product();
    let mut gathers = Vec::new();
    let mut uncovered = false;
    for rz in 0..g.stride[0] {
        let (pz, tz) = phases(0, rz);
        for ry in 0..g.stride[1] {
            let (py, ty) = phases(1, ry);
            for rx in 0..g.stride[2] {
                let (px, tx) = phases(2, rx);
                if pz.is_empty() || py.is_empty() || px.is_empty() {
                    continue;
                }
                if tz.is_empty() || ty.is_empty() || tx.is_empty() {
                    // These input positions receive no tap: their gradient is zero.
                    uncovered = true;
                    continue;
                }
                let (mut offs, mut tap) = (Vec::new(), Vec::new());
                for oc in 0..g.o {
                    for &(kz, sz) in &tz {
                        for &(ky, sy) in &ty {
                            for &(kx, sx) in &tx {
                                offs.push(oc * cs + src.at(lo[0] - sz, lo[1] - sy, lo[2] - sx));
                                tap.push(oc * g.c * taps + (kz * g.k[1] + ky) * g.k[2] + kx);
                            }
                        }
                    }
                }
                if offs.len() < MIN_REDUCTION {
                    return None;
                }
                let (mut idx, mut base) = (Vec::new(), Vec::new());
                for &(iz, mz) in &pz {
                    for &(iy, my) in &py {
                        for &(ix, mx) in &px {
                            idx.push((iz * g.size[1] + iy) * g.size[2] + ix);
                            base.push(src.at(mz, my, mx));
                        }
                    }
                }
                let packed = pack(&blocks, offs.len(), |c, k| w[tap[k] + c * taps]);
                gathers.push(Gather { offs, idx, base, packed });
            }
        }
    }
    Some(run(kern, &blocks, &src, g.n, dy, &gathers, (g.c, plane), !uncovered))
}

/// Runs `gathers` on `n` images `x` padded as `src`: the output `(n, ch, plane)`, zero at the
/// positions no gather covers unless `covered` says the gathers cover every position.
///
/// Tiles are channel-last, so each is first copied position by position into a channel-last
/// output (a vector copy per position), which is then transposed in blocks. Storing each tile's
/// values straight into the `(n, ch, plane)` layout took one scalar store per value, scattered
/// over `ch` rows: 10 % of a DCGAN generator's inference.
///
/// With [`IMAGE_JOBS`] images per thread or more, each job takes one image whole: it pads it,
/// runs every gather and transposes the result into place, all in its thread's scratch buffer,
/// which stays in cache. Padding the batch first and transposing it last instead sent the padded
/// batch and the channel-last output through memory (DCGAN, 64 images of 64 x 14 x 14: 4 MiB
/// each way), and the padding alone took 6 % of a training step. With fewer images, jobs split
/// each image's positions and share one padded copy of the batch.
#[allow(clippy::too_many_arguments)]
fn run<T: Elem>(
    kern: &VecKernel<T>,
    blocks: &[Block],
    src: &Padded,
    n: usize,
    x: &[T],
    gathers: &[Gather<T>],
    (ch, plane): (usize, usize),
    covered: bool,
) -> Vec<T> {
    let (len, xdim) = (src.len(), src.xdim());
    assert!(x.len() == n * xdim);
    let max_p = kern.fwd.iter().map(|v| v.1).max().unwrap_or(1);
    let max_w = blocks.iter().map(|b| b.width).max().unwrap_or(0);
    let tile_len = max_p * max_w;
    // SAFETY: the transposes write every value.
    let mut y = unsafe { uninit_vec::<T>(n * ch * plane) };
    if n >= IMAGE_JOBS * rayon::current_num_threads() {
        y.par_chunks_mut(ch * plane).zip(x.par_chunks(xdim)).for_each(|(y, x)| {
            T::with_scratch(len + plane * ch + tile_len, |buf| {
                let (xp, rest) = buf.split_at_mut(len);
                let (yt, tmp) = rest.split_at_mut(plane * ch);
                let xp = src.images(x, xp);
                if !covered {
                    yt.fill(T::default());
                }
                let mut ptrs = Vec::with_capacity(max_p);
                for ga in gathers {
                    // SAFETY: xp is one padded image, yt holds its (plane, ch) outputs, tmp a tile.
                    unsafe {
                        gather_tiles(
                            kern,
                            blocks,
                            ga,
                            xp.as_ptr(),
                            0..ga.idx.len(),
                            yt.as_mut_ptr(),
                            ch,
                            tmp,
                            &mut ptrs,
                        )
                    }
                }
                transpose(yt, ch, y, plane, (plane, ch));
            })
        });
        return y;
    }
    // The channel-last output, (n, plane, ch).
    let mut yt = if covered {
        // SAFETY: the gathers write every channel of every position of every image.
        unsafe { uninit_vec::<T>(n * plane * ch) }
    } else {
        vec![T::default(); n * plane * ch]
    };
    let gs = src.group(n);
    // Positions per job: up to JOB_POSITIONS, fewer where that would leave threads idle; whole
    // tiles of the longest variant.
    let total: usize = gathers.iter().map(|ga| ga.idx.len()).sum::<usize>() * gs;
    let per_job = total.div_ceil(4 * rayon::current_num_threads()).clamp(1, JOB_POSITIONS).next_multiple_of(max_p);
    let out = SendPtr(yt.as_mut_ptr());
    // SAFETY: `images` pads each group into xp before the jobs read it (no buffer without padding).
    let mut xp = unsafe { src.buffer::<T>(if src.unpadded() { 0 } else { gs }, 0) };
    for (gi, xg) in x.chunks(gs * xdim).enumerate() {
        let imgs = xg.len() / xdim;
        let xp = src.images(xg, &mut xp);
        let mut jobs = Vec::new();
        for (ga_i, ga) in gathers.iter().enumerate() {
            for i in 0..imgs {
                for p0 in (0..ga.idx.len()).step_by(per_job) {
                    jobs.push((ga_i, i, p0..(p0 + per_job).min(ga.idx.len())));
                }
            }
        }
        jobs.into_par_iter().for_each(|(ga_i, i, range)| {
            let mut tmp = vec![T::default(); tile_len];
            let mut ptrs = Vec::with_capacity(max_p);
            // SAFETY: xp holds the group's padded images; image gi * gs + i's outputs start at
            // its (plane, ch) block of yt, and only this job writes the range's positions there
            // (gathers and jobs cover disjoint positions).
            unsafe {
                let yt = out.get().add((gi * gs + i) * plane * ch);
                gather_tiles(kern, blocks, &gathers[ga_i], xp[i * len..].as_ptr(), range, yt, ch, &mut tmp, &mut ptrs);
            }
        });
    }
    y.par_chunks_mut(ch * plane)
        .zip(yt.par_chunks(plane * ch))
        .for_each(|(d, s)| transpose(s, ch, d, plane, (plane, ch)));
    y
}

/// Images per thread from which [`run`] gives each job a whole image.
const IMAGE_JOBS: usize = 4;

/// The tiles of positions `range` of `ga` on one padded image `xs`, each position's channels
/// stored into the channel-last outputs `yt` (`(plane, ch)`).
///
/// # Safety
/// `xs` is an image padded as the gather's offsets expect, `yt` holds `plane * ch` values and
/// nothing else writes the range's positions meanwhile, `tmp` holds a tile (`p x width`) of every
/// variant.
#[allow(clippy::too_many_arguments)]
unsafe fn gather_tiles<T: Elem>(
    kern: &VecKernel<T>,
    blocks: &[Block],
    ga: &Gather<T>,
    xs: *const T,
    range: std::ops::Range<usize>,
    yt: *mut T,
    ch: usize,
    tmp: &mut [T],
    ptrs: &mut Vec<*const T>,
) {
    for (b, blk) in blocks.iter().enumerate() {
        let (_, p, f) = kern.fwd[blk.variant];
        for t0 in range.clone().step_by(p) {
            let t1 = (t0 + p).min(range.end);
            ptrs.clear();
            // SAFETY: every base is a position of the padded image (`forward_gather`, `grad_x`);
            // a short tile repeats its last position.
            ptrs.extend((t0..t0 + p).map(|q| unsafe { xs.add(ga.base[q.min(t1 - 1)]) }));
            // SAFETY: base + offs[k] < len for every position and entry (the padded dims hold
            // the farthest tap of the last position), packed[b] holds offs.len() * width values
            // with width = mv * lanes, tmp p * width; idx < plane and blk.start + rows <= ch.
            unsafe {
                f(ga.packed[b].as_ptr(), &ga.offs, ptrs, tmp.as_mut_ptr());
                for q in t0..t1 {
                    let dst = yt.add(ga.idx[q] * ch + blk.start);
                    std::ptr::copy_nonoverlapping(tmp.as_ptr().add((q - t0) * blk.width), dst, blk.rows);
                }
            }
        }
    }
}

/// A row product `c (m x n) += a (m x k) b (k x n)` on the widest forward tile (AVX-512: 4
/// vectors of columns x 6 rows): the rows of `a` are the tile's positions, `b` is packed once in
/// blocks of the tile's width. The LSTM/GRU recurrent product runs on it where the tile is 4
/// vectors wide and `n` a multiple of that width: per step of `k`, 4 vector loads and 6 broadcasts
/// feed 24 fused multiply-adds, where the 16 x 16 tile of the direct kernel needed 16 broadcasts
/// for 16. Each output is summed over `k` in order from zero, then added to `c`.
pub(crate) struct RowProduct<T> {
    p: usize,
    width: usize,
    f: FwdFn<T>,
    /// `b` in blocks of `width` columns, `(k, width)` each.
    packed: Vec<Vec<T>>,
    /// `0..k`: the tile's reduction offsets within a row of `a`.
    offs: Vec<usize>,
    /// One row tile's output, block after block (`p x width` each).
    tmp: Vec<T>,
}

impl<T: Elem> RowProduct<T> {
    /// The product with `b (k x n)` given by `get(k, column)`, or `None` where this CPU has no tile
    /// 4 vectors wide or `n` is not a multiple of its width.
    pub(crate) fn new(kern: &VecKernel<T>, k: usize, n: usize, get: impl Fn(usize, usize) -> T) -> Option<Self> {
        let &(mv, p, f) = kern.fwd.iter().find(|v| v.0 >= 4)?;
        let width = mv * kern.lanes;
        if n == 0 || k == 0 || p > 16 || !n.is_multiple_of(width) {
            return None;
        }
        let mut packed = vec![Vec::with_capacity(k * width); n / width];
        for (b, block) in packed.iter_mut().enumerate() {
            for kk in 0..k {
                block.extend((b * width..(b + 1) * width).map(|j| get(kk, j)));
            }
        }
        Some(RowProduct { p, width, f, packed, offs: (0..k).collect(), tmp: vec![T::default(); n * p] })
    }

    /// `c[i * rs_c + j] += sum_k a[i * rs_a + k] b[k][j]` for `i < m`, `j < n`.
    #[inline(always)]
    pub(crate) fn run(&mut self, a: &[T], rs_a: usize, m: usize, c: &mut [T], rs_c: usize) {
        let (k, p, width) = (self.offs.len(), self.p, self.width);
        let n = self.packed.len() * width;
        if m == 0 {
            return;
        }
        assert!(a.len() >= (m - 1) * rs_a + k && c.len() >= (m - 1) * rs_c + n);
        let mut ptrs = [std::ptr::null::<T>(); 16];
        let ptrs = &mut ptrs[..p];
        for i0 in (0..m).step_by(p) {
            let rows = p.min(m - i0);
            // A short tile repeats its last row (computed, not added).
            for (r, q) in ptrs.iter_mut().enumerate() {
                *q = a[(i0 + r.min(rows - 1)) * rs_a..].as_ptr();
            }
            for (b, w) in self.packed.iter().enumerate() {
                // SAFETY: every row pointer has k values (asserted), w holds k * width values,
                // tmp p * width from b * p * width.
                unsafe { (self.f)(w.as_ptr(), &self.offs, ptrs, self.tmp[b * p * width..].as_mut_ptr()) }
            }
            // Row by row, each row's blocks in turn (rows of `c` may be 4 KiB multiples apart).
            for r in 0..rows {
                let dst = &mut c[(i0 + r) * rs_c..][..n];
                for (b, d) in dst.chunks_exact_mut(width).enumerate() {
                    let t = &self.tmp[(b * p + r) * width..][..width];
                    d.iter_mut().zip(t).for_each(|(d, &v)| *d += v);
                }
            }
        }
    }
}

/// Products `s (m x n) += a (m x k) b^T` with `b` `(n x k)`, both row-major with rows given by
/// stride, on the forward tiles: each block of `b`'s rows (a tile's width of columns of `s`) is
/// transposed once into `bt` `(k, width)`, then tiles of `p` rows of `a` are broadcast against
/// it. The Winograd weight gradient's per-point sums over tiles run on it, where both operands
/// come out of the transforms tile-contiguous.
#[derive(Clone)]
pub(crate) struct NtProduct<T> {
    kern: VecKernel<T>,
    blocks: Vec<Block>,
    /// `0..k` for the longest `k`: the reduction's offsets within a row of `a`.
    offs: Vec<usize>,
    bt: Vec<T>,
    tmp: Vec<T>,
}

impl<T: Elem> NtProduct<T> {
    /// The product for `n` columns and reductions up to `k`, or `None` where `n` does not fill
    /// the vectors ([`MIN_KEPT`]).
    pub(crate) fn new(kern: &VecKernel<T>, n: usize, k: usize) -> Option<Self> {
        let mvs: Vec<usize> = kern.fwd.iter().map(|v| v.0).collect();
        let blocks = blocks(&mvs, kern.lanes, n)?;
        let width = blocks.iter().map(|b| b.width).max()?;
        let p = kern.fwd.iter().map(|v| v.1).max().filter(|&p| p <= 16)?;
        Some(NtProduct {
            kern: kern.clone(),
            blocks,
            offs: (0..k).collect(),
            bt: vec![T::default(); k * width],
            tmp: vec![T::default(); p * width],
        })
    }

    /// `s[i * n + j] += sum_l a[i * rs_a + l] b[j * rs_b + l]` for `i < m`, `j < n`, `l < k`.
    ///
    /// # Safety
    /// `a + i * rs_a .. + k` is readable for `i < m`, `b + j * rs_b .. + k` for `j < n`, and
    /// `k` is at most the `k` of [`NtProduct::new`].
    pub(crate) unsafe fn add(
        &mut self,
        (a, rs_a, m): (*const T, usize, usize),
        (b, rs_b): (*const T, usize),
        k: usize,
        s: &mut [T],
    ) {
        let n = self.blocks.iter().map(|b| b.rows).sum::<usize>();
        assert!(k <= self.offs.len() && s.len() >= m * n);
        if m == 0 || k == 0 {
            return;
        }
        let mut ptrs = [std::ptr::null::<T>(); 16];
        for blk in &self.blocks {
            let (_, p, f) = self.kern.fwd[blk.variant];
            let width = blk.width;
            let bt = &mut self.bt[..k * width];
            if blk.rows < width {
                bt.fill(T::default());
            }
            // SAFETY: rows `blk.start .. + rows` of `b` hold `k` readable values each.
            let rows = unsafe { std::slice::from_raw_parts(b.add(blk.start * rs_b), (blk.rows - 1) * rs_b + k) };
            transpose(rows, rs_b, bt, width, (blk.rows, k));
            let ptrs = &mut ptrs[..p];
            for i0 in (0..m).step_by(p) {
                let used = p.min(m - i0);
                // A short tile repeats its last row (computed, not added).
                for (r, q) in ptrs.iter_mut().enumerate() {
                    // SAFETY: row i0 + r.min(used - 1) < m of `a`.
                    *q = unsafe { a.add((i0 + r.min(used - 1)) * rs_a) };
                }
                // SAFETY: bt holds k * width values, every row pointer k, tmp p * width.
                unsafe { f(bt.as_ptr(), &self.offs[..k], ptrs, self.tmp.as_mut_ptr()) };
                for r in 0..used {
                    let dst = &mut s[(i0 + r) * n + blk.start..][..blk.rows];
                    dst.iter_mut().zip(&self.tmp[r * width..][..blk.rows]).for_each(|(d, &v)| *d += v);
                }
            }
        }
    }
}

/// The weight gradient `(o, c * taps)` of `g` from `x (n, c, size)` and `dy (n, o, out)`, or
/// `None` where the output channels do not fill the vectors. Each tile of the result is summed by
/// one job over the positions in order, so it does not depend on the thread count.
pub(crate) fn grad_w<T: Elem>(kern: &VecKernel<T>, g: &ConvGeom, x: &[T], dy: &[T]) -> Option<Vec<T>> {
    let kd = g.kdim();
    let mvs: Vec<usize> = kern.grad_w.iter().map(|v| v.0).collect();
    let blocks = blocks(&mvs, kern.lanes, g.o)?;
    let (src, offs, base) = forward_gather(g);
    let (len, xdim) = (src.len(), src.xdim());
    let plane = base.len();
    assert!(x.len() == g.n * xdim && dy.len() == g.n * g.o * plane);
    let ld: usize = blocks.iter().map(|b| b.width).sum();
    // The output gradient channel-last, (n * plane, ld), zero past the last channel.
    let mut dyt = if ld > g.o {
        vec![T::default(); g.n * plane * ld]
    } else {
        // SAFETY: the transpose writes all ld = o channels of every position.
        unsafe { uninit_vec::<T>(g.n * plane * ld) }
    };
    dyt.par_chunks_mut(plane * ld)
        .zip(dy.par_chunks(g.o * plane))
        .for_each(|(t, d)| transpose(d, plane, t, ld, (g.o, plane)));
    // Jobs: (block, range of reduction tiles), enough of them to keep every thread busy.
    let mut jobs = Vec::new();
    let mut col = 0;
    for (b, blk) in blocks.iter().enumerate() {
        let kt = kern.grad_w[blk.variant].1;
        let tiles = kd.div_ceil(kt);
        let per_job = (tiles * blocks.len()).div_ceil(4 * rayon::current_num_threads()).clamp(1, tiles);
        for t0 in (0..tiles).step_by(per_job) {
            jobs.push((b, col, t0 * kt..((t0 + per_job) * kt).min(kd)));
        }
        col += blk.width;
    }
    let gs = src.group(g.n);
    let mut total = vec![T::default(); g.o * kd];
    // SAFETY: `images` pads each group into xp before the jobs read it (no buffer without padding).
    let mut xp = unsafe { src.buffer::<T>(if src.unpadded() { 0 } else { gs }, 0) };
    for (gi, xg) in x.chunks(gs * xdim).enumerate() {
        let imgs = xg.len() / xdim;
        let xp = src.images(xg, &mut xp);
        let positions = imgs * plane;
        let dyg = &dyt[gi * gs * plane * ld..][..positions * ld];
        let tot = SendPtr(total.as_mut_ptr());
        jobs.par_iter().for_each(|&(b, col, ref ks)| {
            let blk = blocks[b];
            let (_, kt, f) = kern.grad_w[blk.variant];
            let mut acc = vec![T::default(); ks.len().next_multiple_of(kt) * blk.width];
            let mut bases = Vec::with_capacity(GRAD_W_CHUNK);
            let mut xs = Vec::with_capacity(kt);
            for q0 in (0..positions).step_by(GRAD_W_CHUNK) {
                let q1 = (q0 + GRAD_W_CHUNK).min(positions);
                bases.clear();
                bases.extend((q0..q1).map(|q| q / plane * len + base[q % plane]));
                for k0 in ks.clone().step_by(kt) {
                    xs.clear();
                    // SAFETY: offs[k] < len; entries past the range repeat its last one
                    // (their sums land in acc's padding and are dropped).
                    xs.extend((k0..k0 + kt).map(|k| unsafe { xp.as_ptr().add(offs[k.min(ks.end - 1)]) }));
                    // SAFETY: dyg holds (q1 - q0) rows of ld >= col + width values from q0;
                    // bases[q] + offs[k] < imgs * len (the forward bound); acc holds kt *
                    // width values from (k0 - ks.start) * width.
                    unsafe {
                        f(
                            dyg.as_ptr().add(q0 * ld + col),
                            ld,
                            &xs,
                            &bases,
                            acc.as_mut_ptr().add((k0 - ks.start) * blk.width),
                        )
                    }
                }
            }
            // The job's sums added into its own entries of every channel of its block, by
            // rows of entries (transposed in blocks first): a serial scalar pass over all the
            // jobs' sums, strided by the entries, had taken 0.40 of the DCGAN layer's 3.4 ms.
            let mut sums = vec![T::default(); blk.rows * ks.len()];
            transpose(&acc, blk.width, &mut sums, ks.len(), (ks.len(), blk.rows));
            for (r, row) in sums.chunks_exact(ks.len()).enumerate() {
                // SAFETY: the jobs' (block, entries) are disjoint, so are these values of
                // total; blk.start + r < o and ks.end <= kd.
                let dst =
                    unsafe { std::slice::from_raw_parts_mut(tot.get().add((blk.start + r) * kd + ks.start), ks.len()) };
                dst.iter_mut().zip(row).for_each(|(d, &v)| *d += v);
            }
        });
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::super::conv_direct::tests::{best_of, max_diff, values};
    use super::super::conv_gemm::{conv_fwd_gemm, geometry, grad_w_gemm, grad_x_gemm};
    use super::*;

    /// Forward, weight and input gradient against im2col + GEMM for `kern`.
    fn check<T: Elem + From<f32> + Into<f64>>(kern: &VecKernel<T>, tol: f64) {
        // (n, c, o, size, k, pad, stride, dil): strides 1-3, kernels wider than the stride and
        // narrower (phases with no tap), dilation, asymmetric settings, 2-D (depth 1) and 3-D,
        // channel counts on and off the vector width, the DCGAN's 4 x 4 stride-2 layers.
        type Case = (usize, usize, usize, [usize; 3], [usize; 3], [usize; 3], [usize; 3], [usize; 3]);
        let cases: &[Case] = &[
            (3, 64, 128, [1, 14, 14], [1, 4, 4], [0, 1, 1], [1, 2, 2], [1, 1, 1]),
            (2, 128, 64, [1, 7, 7], [1, 4, 4], [0, 1, 1], [1, 2, 2], [1, 1, 1]),
            (2, 5, 16, [1, 9, 11], [1, 3, 3], [0, 1, 1], [1, 2, 2], [1, 1, 1]),
            (1, 7, 32, [1, 10, 13], [1, 3, 2], [0, 2, 0], [1, 3, 2], [1, 1, 2]),
            (2, 6, 48, [1, 12, 12], [1, 1, 1], [0, 0, 0], [1, 3, 3], [1, 1, 1]),
            (2, 16, 20, [1, 8, 8], [1, 3, 3], [0, 1, 1], [1, 1, 1], [1, 1, 1]),
            (2, 20, 64, [4, 4, 4], [3, 3, 3], [1, 1, 1], [1, 1, 1], [1, 1, 1]),
            (1, 24, 16, [6, 7, 5], [2, 2, 2], [0, 0, 0], [2, 2, 2], [1, 1, 1]),
            (2, 8, 33, [5, 6, 7], [3, 3, 2], [1, 0, 1], [2, 1, 3], [1, 2, 1]),
            (1, 40, 17, [1, 5, 5], [1, 2, 2], [0, 0, 0], [1, 3, 3], [1, 1, 1]),
        ];
        // Each case also with 12 more images: at most 3 threads, [`run`] gives those a job per
        // image, and splits the positions of the few.
        let more = |&(n, c, o, size, k, pad, stride, dil): &Case| {
            [(n, c, o, size, k, pad, stride, dil), (n + 12, c, o, size, k, pad, stride, dil)]
        };
        for (n, c, o, size, k, pad, stride, dil) in cases.iter().flat_map(more) {
            let spatial = if size[0] == 1 && k[0] == 1 { 2 } else { 3 };
            let dims = |a: usize, b: usize, s: [usize; 3]| [&[a, b][..], &s[3 - spatial..]].concat();
            let g: ConvGeom = geometry(
                &dims(n, c, size),
                &dims(o, c, k),
                &pad[3 - spatial..],
                &stride[3 - spatial..],
                &dil[3 - spatial..],
            )
            .unwrap();
            let case = (n, c, o, size, k, pad, stride, dil);
            let x: Vec<T> = values(g.n * g.c * size.iter().product::<usize>(), 0.37);
            let w: Vec<T> = values(o * g.kdim(), 0.91);
            let refr = conv_fwd_gemm(&g, &x, &w);
            let dy: Vec<T> = values(refr.len(), 0.53);
            if let Some(ours) = conv_fwd(kern, &g, &x, &w) {
                assert!(max_diff(&ours, &refr) < tol, "forward {case:?}: {}", max_diff(&ours, &refr));
            } else {
                assert!(o % kern.lanes > 0 || g.kdim() < MIN_REDUCTION, "forward declined {case:?}");
            }
            if let Some(ours) = grad_w(kern, &g, &x, &dy) {
                let refr = grad_w_gemm(&g, &x, &dy);
                assert!(max_diff(&ours, &refr) < tol * 10.0, "weight gradient {case:?}: {}", max_diff(&ours, &refr));
            } else {
                assert!(o % kern.lanes > 0, "weight gradient declined {case:?}");
            }
            if let Some(ours) = grad_x(kern, &g, &w, &dy) {
                let refr = grad_x_gemm(&g, &w, &dy);
                assert!(max_diff(&ours, &refr) < tol, "input gradient {case:?}: {}", max_diff(&ours, &refr));
            } else {
                assert!(c % kern.lanes > 0 || o < MIN_REDUCTION, "input gradient declined {case:?}");
            }
        }
    }

    #[test]
    fn vec_conv_matches_im2col_gemm_every_build() {
        let mut kernels = f32::vec_kernels();
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            kernels.push(simd::f32_avx2_wide());
        }
        for kern in kernels {
            for threads in [1, 3] {
                rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| check(&kern, 1e-4));
            }
        }
        for kern in f64::vec_kernels() {
            rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap().install(|| check(&kern, 1e-12));
        }
    }

    /// The row product against a loop of fused multiply-adds in the same order, bit for bit: tail
    /// row tiles, strided rows, several column blocks, values past each row untouched; every
    /// 4-vector build this CPU runs (the AVX2 test build included), f32 and f64.
    #[test]
    fn row_product_matches_fma_loop_bitwise() {
        fn check<T: Elem + From<f32> + PartialEq + std::fmt::Debug>(
            kern: &VecKernel<T>,
            fma: fn(T, T, T) -> T,
        ) -> bool {
            let lanes4 = 4 * kern.lanes;
            let mut ran = false;
            for (m, k, n) in [(13, 5, lanes4), (6, 64, 2 * lanes4), (1, 3, lanes4), (32, 64, 4 * lanes4)] {
                let (rs_a, rs_c) = (k + 3, n + 5);
                let a: Vec<T> = (0..m * rs_a).map(|i| T::from(((i * 5 % 11) as f32 - 5.0) * 0.07)).collect();
                let b = |kk: usize, j: usize| T::from(((kk * 31 + j * 7) % 13) as f32 * 0.11 - 0.6);
                let c0: Vec<T> = (0..m * rs_c).map(|i| T::from((i % 3) as f32 * 0.3)).collect();
                let Some(mut rp) = RowProduct::new(kern, k, n, b) else { continue };
                let mut got = c0.clone();
                rp.run(&a, rs_a, m, &mut got, rs_c);
                let mut want = c0;
                for i in 0..m {
                    for j in 0..n {
                        let s = (0..k).fold(T::default(), |s, kk| fma(a[i * rs_a + kk], b(kk, j), s));
                        want[i * rs_c + j] += s;
                    }
                }
                assert_eq!(got, want, "m {m} k {k} n {n}");
                ran = true;
            }
            assert!(RowProduct::new(kern, 4, lanes4 + kern.lanes, |_, _| T::default()).is_none());
            ran
        }
        let mut runs = 0;
        for kern in f32::vec_kernels() {
            runs += usize::from(check(&kern, f32::mul_add));
        }
        for kern in f64::vec_kernels() {
            runs += usize::from(check(&kern, f64::mul_add));
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            assert!(check(&simd::f32_avx2_wide(), f32::mul_add));
            runs += 1;
        }
        eprintln!("{runs} builds checked");
    }

    /// Times the DCGAN's (64, 64 -> 128, 14 x 14, 4 x 4, stride 2, padding 1) layer, whose input
    /// gradient is the generator's first transposed convolution: best of 10 per pass.
    /// `cargo test --release -p scidl-core --lib vec_timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn vec_timing() {
        let Some(kern) = best_vec_kernel::<f32>() else { return };
        let g = geometry(&[64, 64, 14, 14], &[128, 64, 4, 4], &[1, 1], &[2, 2], &[1, 1]).unwrap();
        let x: Vec<f32> = values(g.n * g.c * 196, 0.37);
        let w: Vec<f32> = values(g.o * g.kdim(), 0.91);
        let dy: Vec<f32> = values(g.n * g.o * 49, 0.53);
        let best = |f: &dyn Fn()| best_of(10, f) * 1e3;
        let fwd = best(&|| drop(conv_fwd(&kern, &g, &x, &w)));
        let gx = best(&|| drop(grad_x(&kern, &g, &w, &dy)));
        let gw = best(&|| drop(grad_w(&kern, &g, &x, &dy)));
        let gflop = 2.0 * (g.n * g.o * 49 * g.kdim()) as f64 * 1e-6;
        eprintln!("forward {fwd:.2} ms, input gradient {gx:.2} ms, weight gradient {gw:.2} ms ({gflop:.0} MFLOP each)");
    }

    #[test]
    fn blocks_cover_the_channels_and_decline_waste() {
        let mvs = [4, 2, 1];
        let b = blocks(&mvs, 16, 128).unwrap();
        assert_eq!(b.iter().map(|b| (b.start, b.rows, b.width)).collect::<Vec<_>>(), [(0, 64, 64), (64, 64, 64)]);
        let b = blocks(&mvs, 16, 112).unwrap();
        assert_eq!(
            b.iter().map(|b| (b.start, b.rows, b.width)).collect::<Vec<_>>(),
            [(0, 64, 64), (64, 32, 32), (96, 16, 16)]
        );
        // 13 of 16 kept; 2 of 16 not.
        assert_eq!(blocks(&mvs, 16, 13).unwrap()[0].rows, 13);
        assert!(blocks(&mvs, 16, 2).is_none());
        assert!(blocks(&mvs, 16, 17).is_none());
    }
}
