//! Direct convolution for stride 1: no im2col.
//!
//! With the input zero-padded once, the tap `(kz, ky, kx)` of the output at flat position `j` of
//! a padded-width grid (`j = y * Wp + x`, plane `z`) reads the padded input at
//! `z * Hp * Wp + j + kz * dz * Hp * Wp + ky * dy * Wp + kx * dx`: one fixed offset per tap and
//! input channel. A run of consecutive output positions therefore reads a contiguous run of the
//! input for every `(channel, tap)`, which is exactly a row of the im2col matrix, without writing
//! that matrix (27 copies of the input for a 3 x 3 x 3 kernel, then a second copy when the GEMM
//! packs it). The register-blocked kernel below keeps a block of output channels x positions in
//! registers and reads those rows in place; the weights are packed once per call.
//!
//! The positions `x >= Wo` of each grid row are computed and dropped (2 of 34 per row for a
//! 3 x 3 kernel on 32 columns), so the path is taken only where the dropped share is small.
//! The same kernel computes the input gradient, which is a stride-1 convolution of the padded
//! output gradient with the flipped, transposed kernel. The weight gradient is dot products of
//! output-gradient rows on the grid (zero past each row's end) with the same shifted input rows.
//! Small planes, where rounding a row span up to a 32-position tile drops too much, run a narrow
//! tile of one vector of positions in their forward passes.

use super::conv_gemm::Elem;
use super::conv_poly::Fns as PolyFns;
use super::conv_wino::{GradFn, InputFn, OutputFn};
use super::cpu::{SendPtr, uninit_vec};
use rayon::prelude::*;

/// The register-blocked kernels of one instruction set and element type.
#[derive(Clone, Copy)]
pub struct Kernel<T> {
    /// Output channels x grid positions per forward tile.
    mr: usize,
    nb: usize,
    /// `tile(wp, offs, src, dst, ld, rows)` computes, for `r < mr` and `j < nb`,
    /// `acc[r][j] = sum_k wp[k * mr + r] * src[offs[k] + j]` and stores rows `r < rows` at
    /// `dst + r * ld`.
    tile: TileFn<T>,
    /// A narrow tile (more channels x one vector of positions) for small planes, where rounding a
    /// row span up to `nb` drops too much: `(mr, nb, tile)`. Forward and input gradient only.
    narrow: (usize, usize, TileFn<T>),
    /// Rows of each operand per weight-gradient block.
    gm: usize,
    gn: usize,
    /// Vector lanes of the dots kernel and the Winograd transforms.
    lanes: usize,
    /// `dots(a, b, len, out)` adds `a[r][j] * b[i][j]` for `j < len` to lane `j % lanes` of
    /// `out[(r * gn + i) * lanes..][..lanes]`, for the `gm` rows `a` and `gn` rows `b` (`len` a
    /// multiple of `lanes`): the lanes are summed once per block, not once per call.
    dots: DotsFn<T>,
    /// The Winograd transforms of the same build ([`super::conv_wino`]), 2-D then 3-D.
    wino_in: [InputFn<T>; 2],
    wino_out: [OutputFn<T>; 2],
    /// The output gradient's transform for the Winograd weight gradient, 2-D then 3-D.
    wino_dy: [GradFn<T>; 2],
    /// The transforms of the polyphase Winograd for 4 x 4 stride-2 layers ([`super::conv_poly`]).
    poly: PolyFns<T>,
}

pub(crate) type TileFn<T> = unsafe fn(wp: *const T, offs: &[usize], src: *const T, dst: *mut T, ld: usize, rows: usize);

impl<T> Kernel<T> {
    /// The regular tile's output channels x positions.
    pub(crate) fn regular_tile(&self) -> (usize, usize) {
        (self.mr, self.nb)
    }

    /// The regular tile and the Winograd input and output transforms of this build (of 3-D
    /// tiles with `d3`, else of 2-D ones), and the transforms' vector lanes.
    pub(crate) fn wino(&self, d3: bool) -> (TileFn<T>, InputFn<T>, OutputFn<T>, usize) {
        (self.tile, self.wino_in[d3 as usize], self.wino_out[d3 as usize], self.lanes)
    }

    /// The output gradient's Winograd transform of this build (of 3-D tiles with `d3`), for the
    /// weight gradient.
    pub(crate) fn wino_dy(&self, d3: bool) -> GradFn<T> {
        self.wino_dy[d3 as usize]
    }

    /// The polyphase Winograd transforms of this build and their vector lanes.
    pub(crate) fn poly(&self) -> (PolyFns<T>, usize)
    where
        T: Copy,
    {
        (self.poly, self.lanes)
    }

    /// A tile of this build exactly `width` positions wide, regular or narrow, as `(rows, tile)`:
    /// the recurrent product of the LSTM/GRU kernels runs it on panels of that width.
    pub(crate) fn tile_of_width(&self, width: usize) -> Option<(usize, TileFn<T>)> {
        if self.nb == width {
            Some((self.mr, self.tile))
        } else if self.narrow.1 == width {
            Some((self.narrow.0, self.narrow.2))
        } else {
            None
        }
    }
}
type DotsFn<T> = unsafe fn(a: &[*const T], b: &[*const T], len: usize, out: &mut [T]);

/// The kernels, on the vector types of [`super::vector`].
#[cfg(target_arch = "x86_64")]
mod simd {
    use super::super::conv_wino::{Rows, simd as wino};
    use super::super::vector::Vector;
    use std::arch::x86_64::*;

    /// The tile: `MR` channels x `NV` vectors of positions accumulated in registers over `k`.
    ///
    /// # Safety
    /// The CPU must have the vector type's instructions; `wp` must hold `offs.len() * MR` values,
    /// `src + offs[k] .. + NV * LANES` be readable for every `k`, and `dst + r * ld .. + NV * LANES`
    /// writable for `r < rows <= MR`.
    #[inline(always)]
    pub(super) unsafe fn tile<V: Vector, const MR: usize, const NV: usize>(
        wp: *const V::T,
        offs: &[usize],
        src: *const V::T,
        dst: *mut V::T,
        ld: usize,
        rows: usize,
    ) {
        // SAFETY: guaranteed by the caller.
        unsafe {
            let mut acc = [[V::zero(); NV]; MR];
            for (k, &off) in offs.iter().enumerate() {
                let b: [V; NV] = std::array::from_fn(|v| V::load(src.add(off + v * V::LANES)));
                let a = wp.add(k * MR);
                for (r, acc_r) in acc.iter_mut().enumerate() {
                    let av = V::splat(*a.add(r));
                    for (s, &bv) in acc_r.iter_mut().zip(&b) {
                        *s = V::fma(av, bv, *s);
                    }
                }
            }
            for (r, acc_r) in acc.iter().enumerate().take(rows) {
                for (v, s) in acc_r.iter().enumerate() {
                    s.store(dst.add(r * ld + v * V::LANES));
                }
            }
        }
    }

    /// The dot products of `MR` rows `a` with `NR` rows `b` over `len` values, lane by lane: one
    /// vector accumulator per pair, added to the vector `out[(r * NR + i) * LANES..]` (the
    /// caller sums the lanes once after all its calls).
    ///
    /// # Safety
    /// The CPU must have the vector type's instructions; `a` and `b` hold `MR` and `NR` pointers
    /// to `len` readable values each, `len` is a multiple of `LANES`, `out` holds `MR * NR * LANES`.
    #[inline(always)]
    pub(super) unsafe fn dots<V: Vector, const MR: usize, const NR: usize>(
        a: &[*const V::T],
        b: &[*const V::T],
        len: usize,
        out: &mut [V::T],
    ) {
        let a: [*const V::T; MR] = a.try_into().expect("MR rows");
        let b: [*const V::T; NR] = b.try_into().expect("NR rows");
        // SAFETY: guaranteed by the caller.
        unsafe {
            let mut acc = [[V::zero(); NR]; MR];
            for j in (0..len).step_by(V::LANES) {
                let av: [V; MR] = std::array::from_fn(|r| V::load(a[r].add(j)));
                for (i, &bi) in b.iter().enumerate() {
                    let bv = V::load(bi.add(j));
                    for (acc_r, &ar) in acc.iter_mut().zip(&av) {
                        acc_r[i] = V::fma(ar, bv, acc_r[i]);
                    }
                }
            }
            for (r, acc_r) in acc.iter().enumerate() {
                for (i, v) in acc_r.iter().enumerate() {
                    let p = out.as_mut_ptr().add((r * NR + i) * V::LANES);
                    V::add(V::load(p), *v).store(p);
                }
            }
        }
    }

    /// Declares `$name() -> Kernel<T>`: the tile (`$mr` channels x `$nv` vectors) and dots
    /// (`$gm` x `$gn` rows) kernels compiled with `$features`, with the block sizes the plans
    /// rely on for their bounds taken from the same constants.
    macro_rules! kernel {
        ($name:ident, $features:literal, $v:ty, $mr:literal, $nv:literal, $nmr:literal, $gm:literal, $gn:literal) => {
            /// The kernels of this instruction set; only to be called once the CPU is known to
            /// have it.
            pub(super) fn $name() -> super::Kernel<<$v as Vector>::T> {
                type T = <$v as Vector>::T;
                #[target_feature(enable = $features)]
                unsafe fn tile_fn(wp: *const T, offs: &[usize], src: *const T, dst: *mut T, ld: usize, rows: usize) {
                    // SAFETY: forwarded; the attribute enables the instructions.
                    unsafe { tile::<$v, $mr, $nv>(wp, offs, src, dst, ld, rows) }
                }
                #[target_feature(enable = $features)]
                unsafe fn narrow_fn(wp: *const T, offs: &[usize], src: *const T, dst: *mut T, ld: usize, rows: usize) {
                    // SAFETY: forwarded; the attribute enables the instructions.
                    unsafe { tile::<$v, $nmr, 1>(wp, offs, src, dst, ld, rows) }
                }
                #[target_feature(enable = $features)]
                unsafe fn dots_fn(a: &[*const T], b: &[*const T], len: usize, out: &mut [T]) {
                    // SAFETY: forwarded; the attribute enables the instructions.
                    unsafe { dots::<$v, $gm, $gn>(a, b, len, out) }
                }
                #[target_feature(enable = $features)]
                unsafe fn wino_in2(rows: Rows<T>, len: usize, out: *mut T, ld: usize) {
                    // SAFETY: forwarded; the attribute enables the instructions.
                    unsafe { wino::transform::<$v, false, false>(rows, len, out, ld) }
                }
                #[target_feature(enable = $features)]
                unsafe fn wino_in3(rows: Rows<T>, len: usize, out: *mut T, ld: usize) {
                    // SAFETY: forwarded; the attribute enables the instructions.
                    unsafe { wino::transform::<$v, true, false>(rows, len, out, ld) }
                }
                #[target_feature(enable = $features)]
                unsafe fn wino_out2(m: *const T, ld: usize, len: usize, y: [*mut T; 2], ly: [usize; 2]) {
                    // SAFETY: forwarded; the attribute enables the instructions.
                    unsafe { wino::output::<$v, false>(m, ld, len, y, ly) }
                }
                #[target_feature(enable = $features)]
                unsafe fn wino_out3(m: *const T, ld: usize, len: usize, y: [*mut T; 2], ly: [usize; 2]) {
                    // SAFETY: forwarded; the attribute enables the instructions.
                    unsafe { wino::output::<$v, true>(m, ld, len, y, ly) }
                }
                #[target_feature(enable = $features)]
                unsafe fn wino_dy2(rows: Rows<T>, len: usize, out: *mut T, ld: usize) {
                    // SAFETY: forwarded; the attribute enables the instructions.
                    unsafe { wino::transform::<$v, false, true>(rows, len, out, ld) }
                }
                #[target_feature(enable = $features)]
                unsafe fn wino_dy3(rows: Rows<T>, len: usize, out: *mut T, ld: usize) {
                    // SAFETY: forwarded; the attribute enables the instructions.
                    unsafe { wino::transform::<$v, true, true>(rows, len, out, ld) }
                }
                super::Kernel {
                    mr: $mr,
                    nb: $nv * <$v as Vector>::LANES,
                    tile: tile_fn,
                    narrow: ($nmr, <$v as Vector>::LANES, narrow_fn),
                    gm: $gm,
                    gn: $gn,
                    lanes: <$v as Vector>::LANES,
                    dots: dots_fn,
                    wino_in: [wino_in2, wino_in3],
                    wino_out: [wino_out2, wino_out3],
                    wino_dy: [wino_dy2, wino_dy3],
                    poly: super::super::conv_poly::simd::$name(),
                }
            }
        };
    }
    // AVX-512: tiles of 8 channels x 2 vectors (16 of the 32 registers accumulate), narrow tiles
    // of 16 x 1, dots blocks of 4 x 6 (24). AVX2: 6 x 2 (12 accumulators, 15 of the 16 registers:
    // 4 x 3 needed one more, and LLVM reloaded an accumulator from the stack every step), 8 x 1,
    // and 3 x 4 (12).
    kernel!(f32_avx512, "avx512f", __m512, 8, 2, 16, 4, 6);
    kernel!(f64_avx512, "avx512f", __m512d, 8, 2, 16, 4, 6);
    kernel!(f32_avx2, "avx2,fma", __m256, 6, 2, 8, 3, 4);
    kernel!(f64_avx2, "avx2,fma", __m256d, 6, 2, 8, 3, 4);
}

/// The kernels this CPU runs, best first: AVX-512 (forward tiles of 8 channels x 32 f32 or 16
/// f64 positions, narrow ones of 16 channels x one vector, weight-gradient blocks of 4 x 6 rows),
/// then AVX2 + FMA (6 x 16 or 8; 8 x one vector; 3 x 4). Empty without either: the caller then
/// takes im2col + GEMM.
pub(crate) trait Kernels: Sized {
    fn kernels() -> Vec<Kernel<Self>>;
}

cpu_builds!(Kernels, kernels, Kernel, f32, f32_avx512, f32_avx2);
cpu_builds!(Kernels, kernels, Kernel, f64, f64_avx512, f64_avx2);

/// The best kernel for this CPU, if any.
pub(crate) fn best_kernel<T: Kernels>() -> Option<Kernel<T>> {
    T::kernels().into_iter().next()
}

/// The smallest share of computed values that are kept (output channels beyond the last
/// multiple of the block and grid positions past a row's end are computed and dropped) for the
/// direct path to be taken; below it im2col + GEMM wastes less.
const MIN_EFFICIENCY: f64 = 0.8;

/// The share of kept work from which a forward pass or input gradient runs this kernel rather
/// than the channel-vectorised one where both apply. Measured on an AVX2-only Zen 1 machine with
/// the U-Net 3-D (its 8^3 narrow-tile level and its 32^3 level of 16 channels, 84 % kept with
/// 6-channel tiles): inference 6.5-6.7 -> 7.6-7.8 batches/s with the channel-vectorised kernel;
/// the U-Net 2-D's 128^2 planes (87 % kept) within noise either way.
const PREFERRED_EFFICIENCY: f64 = 0.9;

/// Output positions per parallel job.
const JOB_POSITIONS: usize = 1024;

/// The layout of one stride-1 convolution on the padded grid.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// Input and output channels.
    c: usize,
    o: usize,
    /// Input depth, height, width (unpadded).
    size: [usize; 3],
    pad: [usize; 3],
    k: [usize; 3],
    dil: [usize; 3],
    /// Output depth, height, width.
    out: [usize; 3],
    /// Padded input depth, height, width.
    padded: [usize; 3],
    /// Values per padded input channel.
    cs: usize,
    /// Grid positions per output plane (`Ho * Wp`) and the same rounded up to whole tiles.
    span: usize,
    ps: usize,
    /// Values per padded image: its channels and the slack the last tiles read past them.
    len: usize,
    mr: usize,
    nb: usize,
    /// Whether the plan runs the kernel's narrow tile (forward only).
    narrow: bool,
    /// Padded values held at a time ([`PADDED_VALUES`]; smaller in tests).
    budget: usize,
}

impl Plan {
    /// The plan for `c -> o` channels over `size` with kernel `k`, padding `pad` and dilation
    /// `dil`, or `None` when the kernel does not fit or too much of the work would be dropped.
    /// With `narrow_ok` (forward passes and input gradients, not [`Plan::grad_w`]), where the
    /// regular tile drops too much, the kernel's narrow tile is tried (one vector of positions per
    /// tile: an 8 x 8 plane's rows of 10 round up to 80 positions instead of 96).
    pub(crate) fn new<T>(
        kern: &Kernel<T>,
        narrow_ok: bool,
        channels: (usize, usize),
        size: [usize; 3],
        k: [usize; 3],
        pad: [usize; 3],
        dil: [usize; 3],
    ) -> Option<Plan> {
        let kept =
            |narrow| Self::build(kern, narrow, channels, size, k, pad, dil).filter(|p| p.kept() >= MIN_EFFICIENCY);
        kept(false).or_else(|| if narrow_ok { kept(true) } else { None })
    }

    /// Whether this plan is preferred to the channel-vectorised kernel (`conv_vec`): a regular
    /// tile keeping at least [`PREFERRED_EFFICIENCY`] of its work.
    pub(crate) fn preferred(&self) -> bool {
        !self.narrow && self.kept() >= PREFERRED_EFFICIENCY
    }

    /// The share of computed values that are kept.
    fn kept(&self) -> f64 {
        let [_, oh, ow] = self.out;
        (oh * ow) as f64 / self.ps as f64 * self.o as f64 / self.o.next_multiple_of(self.mr) as f64
    }

    /// [`Plan::new`] whatever the share of dropped work.
    fn build<T>(
        kern: &Kernel<T>,
        narrow: bool,
        (c, o): (usize, usize),
        size: [usize; 3],
        k: [usize; 3],
        pad: [usize; 3],
        dil: [usize; 3],
    ) -> Option<Plan> {
        let mut padded = [0; 3];
        let mut out = [0; 3];
        for i in 0..3 {
            padded[i] = size[i] + 2 * pad[i];
            out[i] = padded[i].checked_sub(dil[i] * (k[i].checked_sub(1)?))?;
        }
        if c == 0 || o == 0 || out.contains(&0) {
            return None;
        }
        let [dp, hp, wp] = padded;
        let cs = dp * hp * wp;
        let span = out[1] * wp;
        let (mr, nb) = if narrow { (kern.narrow.0, kern.narrow.1) } else { (kern.mr, kern.nb) };
        let ps = span.div_ceil(nb) * nb;
        let max_off = (k[0] - 1) * dil[0] * hp * wp + (k[1] - 1) * dil[1] * wp + (k[2] - 1) * dil[2];
        let len = (c * cs).max((c - 1) * cs + max_off + (out[0] - 1) * hp * wp + ps);
        Some(Plan { c, o, size, pad, k, dil, out, padded, cs, span, ps, len, mr, nb, narrow, budget: PADDED_VALUES })
    }

    fn taps(&self) -> usize {
        self.k.iter().product()
    }

    /// The padded layout of the input.
    fn src(&self) -> Padded {
        Padded { ch: self.c, size: self.size, lo: self.pad, dims: self.padded }
    }

    /// The input offset of every `(channel, tap)`, in the weights' order.
    fn offsets(&self) -> Vec<usize> {
        self.src().tap_offsets(self.k, self.dil)
    }

    /// The kernel `w (o, c, taps)` in blocks of `mr` output channels:
    /// `wp[(b * K + k) * mr + r] = w[b * mr + r][k]` with `k = channel * taps + tap`, zero past the
    /// last channel.
    pub(crate) fn pack<T: Elem>(&self, w: &[T]) -> Vec<T> {
        self.pack_with(w, false)
    }

    /// [`Plan::pack`] for an input gradient: `w (c, o, taps)` is the kernel of the convolution
    /// whose input gradient this plan computes (channel axes swapped), read flipped in space.
    pub(crate) fn pack_flipped<T: Elem>(&self, w: &[T]) -> Vec<T> {
        self.pack_with(w, true)
    }

    fn pack_with<T: Elem>(&self, w: &[T], flipped: bool) -> Vec<T> {
        let (taps, mr) = (self.taps(), self.mr);
        let kd = self.c * taps;
        assert_eq!(w.len(), self.o * kd);
        let mut wp = vec![T::default(); self.o.div_ceil(mr) * kd * mr];
        for o in 0..self.o {
            let (b, r) = (o / mr, o % mr);
            for c in 0..self.c {
                let dst = &mut wp[(b * kd + c * taps) * mr..][..taps * mr];
                if flipped {
                    let src = &w[(c * self.o + o) * taps..][..taps];
                    dst.chunks_exact_mut(mr).zip(src.iter().rev()).for_each(|(d, &v)| d[r] = v);
                } else {
                    let src = &w[(o * self.c + c) * taps..][..taps];
                    dst.chunks_exact_mut(mr).zip(src).for_each(|(d, &v)| d[r] = v);
                }
            }
        }
        wp
    }

    /// One image `(c, D, H, W)` into its padded buffer of `len` values, zero around it and after.
    fn pad_into<T: Elem>(&self, x: &[T], dst: &mut [T]) {
        let (image, slack) = dst.split_at_mut(self.c * self.cs);
        self.src().fill(x, image);
        slack.fill(T::default());
    }

    /// Images padded at a time: as many as fit in the budget, at least one.
    fn group(&self) -> usize {
        (self.budget / self.len).max(1)
    }

    /// The convolution of `n` images `x (n, c, D, H, W)` with the packed weights `wp`:
    /// `(n, o, Do, Ho, Wo)`.
    pub(crate) fn run<T: Elem>(&self, kern: &Kernel<T>, n: usize, x: &[T], wp: &[T]) -> Vec<T> {
        let xdim = self.c * self.size.iter().product::<usize>();
        let [od, oh, ow] = self.out;
        let [_, hp, wp_] = self.padded;
        let tile = if self.narrow { kern.narrow.2 } else { kern.tile };
        let (mr, nb) = if self.narrow { (kern.narrow.0, kern.narrow.1) } else { (kern.mr, kern.nb) };
        assert!(x.len() == n * xdim && (mr, nb) == (self.mr, self.nb));
        assert!(wp.len() == self.o.div_ceil(self.mr) * self.c * self.taps() * self.mr);
        let offs = self.offsets();
        let kd = offs.len();
        let plane = oh * ow;
        let gs = self.group().min(n.max(1));
        let tiles = self.ps / self.nb;
        // Tiles per job: JOB_POSITIONS, fewer when that would leave threads idle (a single image).
        let jobs_wanted = 4 * rayon::current_num_threads();
        let per_job = (JOB_POSITIONS / self.nb).min((gs * od * tiles).div_ceil(jobs_wanted)).clamp(1, tiles);
        let chunks = tiles.div_ceil(per_job);
        // SAFETY: every output value is stored by the one job whose tile covers its position.
        let mut y = unsafe { uninit_vec::<T>(n * self.o * od * plane) };
        let out = SendPtr(y.as_mut_ptr());
        // SAFETY: pad_into writes every value of each image's buffer.
        let mut xp = unsafe { uninit_vec::<T>(gs * self.len) };
        for (g, xg) in x.chunks(gs * xdim).enumerate() {
            let gi = xg.len() / xdim;
            xp.par_chunks_mut(self.len).zip(xg.par_chunks(xdim)).for_each(|(dst, src)| self.pad_into(src, dst));
            (0..gi * od * chunks).into_par_iter().for_each(|job| {
                let (i, z, chunk) = (job / (od * chunks), job / chunks % od, job % chunks);
                let img = g * gs + i;
                let tiles = chunk * per_job..((chunk + 1) * per_job).min(tiles);
                // The kept runs of each tile (grid positions x < Wo of the span), as (offset in
                // the tile, offset in the output plane, length); those of the job's i-th tile
                // are runs[starts[i]..starts[i + 1]].
                let (mut runs, mut starts) = (Vec::new(), vec![0]);
                for t in tiles.clone() {
                    let (j0, j1) = (t * self.nb, ((t + 1) * self.nb).min(self.span));
                    let mut j = j0;
                    while j < j1 {
                        let (row, x) = (j / wp_, j % wp_);
                        let next = ((row + 1) * wp_).min(j1);
                        if x < ow {
                            runs.push((j - j0, row * ow + x, (ow - x).min(next - j)));
                        }
                        j = next;
                    }
                    starts.push(runs.len());
                }
                let src = &xp[i * self.len..][..self.len];
                let mut acc = vec![T::default(); self.mr * self.nb];
                for b in 0..self.o.div_ceil(self.mr) {
                    let rows = self.mr.min(self.o - b * self.mr);
                    let wb = &wp[b * kd * self.mr..][..kd * self.mr];
                    for (ti, t) in tiles.clone().enumerate() {
                        let base = z * hp * wp_ + t * self.nb;
                        // SAFETY: base + offs[k] + nb <= (Do-1) Hp Wp + ps + (c-1) cs + max_off
                        // <= len for every tile and tap (`build`), the kernel's block is mr x nb
                        // by construction (`kernel!`), wb holds kd * mr values, acc mr rows of nb.
                        unsafe { tile(wb.as_ptr(), &offs, src.as_ptr().add(base), acc.as_mut_ptr(), self.nb, rows) }
                        for r in 0..rows {
                            let dst = ((img * self.o + b * self.mr + r) * od + z) * plane;
                            for &(from, to, len) in &runs[starts[ti]..starts[ti + 1]] {
                                // SAFETY: from + len <= nb and to + len <= plane; only this job
                                // writes these positions of this image, plane and channel.
                                unsafe {
                                    std::ptr::copy_nonoverlapping(
                                        acc.as_ptr().add(r * self.nb + from),
                                        out.get().add(dst + to),
                                        len,
                                    )
                                }
                            }
                        }
                    }
                }
            });
        }
        y
    }
}

impl Plan {
    /// The weight gradient `(o, c * taps)` from `n` images `x (n, c, D, H, W)` and the output
    /// gradient `dy (n, o, Do, Ho, Wo)`: `dW[o][k] = sum dy_grid[o][p] * x_padded[offs[k] + p]`
    /// over the grid positions `p` of every plane, with the gradient zero past each row's end.
    /// The jobs depend on the shapes only and their partial sums are added in order, so the
    /// result does not depend on the thread count or on scheduling.
    pub(crate) fn grad_w<T: Elem>(&self, kern: &Kernel<T>, n: usize, x: &[T], dy: &[T]) -> Vec<T> {
        let xdim = self.c * self.size.iter().product::<usize>();
        let [od, oh, ow] = self.out;
        let [_, hp, wp] = self.padded;
        let (o, ps) = (self.o, self.ps);
        assert!(x.len() == n * xdim && dy.len() == n * o * od * oh * ow && kern.nb == self.nb && !self.narrow);
        let offs = self.offsets();
        let kd = offs.len();
        let gs = self.group().min(n.max(1));
        let tiles = ps / self.nb;
        // Tiles per job: the job's gradient rows and input rows (plus halo) stay in L2.
        let per_job = (GRAD_W_JOB_VALUES / (o + self.c) / self.nb).max(1);
        let (gm, gn) = (kern.gm, kern.gn);
        let mut total = vec![T::default(); o * kd];
        // SAFETY: pad_into writes every value of each image's buffer.
        let mut xp = unsafe { uninit_vec::<T>(gs * self.len) };
        // SAFETY: every grid row and every plane's tail is written below.
        let mut dyg = unsafe { uninit_vec::<T>(gs * o * od * ps) };
        for (xg, dyc) in x.chunks(gs * xdim).zip(dy.chunks(gs * o * od * oh * ow)) {
            let gi = xg.len() / xdim;
            xp.par_chunks_mut(self.len).zip(xg.par_chunks(xdim)).for_each(|(dst, src)| self.pad_into(src, dst));
            // The output gradient on the grid, zero past each row's end and past the span.
            dyg.par_chunks_mut(od * ps).zip(dyc.par_chunks(od * oh * ow)).for_each(|(gc, yc)| {
                for (gz, yz) in gc.chunks_exact_mut(ps).zip(yc.chunks_exact(oh * ow)) {
                    let (rows, tail) = gz.split_at_mut(self.span);
                    for (gr, yr) in rows.chunks_exact_mut(wp).zip(yz.chunks_exact(ow)) {
                        gr[..ow].copy_from_slice(yr);
                        gr[ow..].fill(T::default());
                    }
                    tail.fill(T::default());
                }
            });
            let units = gi * od * tiles;
            let partials: Vec<Vec<T>> = (0..units.div_ceil(per_job))
                .into_par_iter()
                .map(|job| {
                    let mut acc = vec![T::default(); o * kd];
                    // The job's runs of tiles, one per plane it touches: (image, plane, t0, t1).
                    let mut segs = Vec::new();
                    let (mut u, end) = (job * per_job, ((job + 1) * per_job).min(units));
                    while u < end {
                        let (plane, t0) = (u / tiles, u % tiles);
                        let t1 = tiles.min(t0 + end - u);
                        segs.push((plane / od, plane % od, t0, t1));
                        u += t1 - t0;
                    }
                    let mut a = vec![std::ptr::null::<T>(); gm];
                    let mut b = vec![std::ptr::null::<T>(); gn];
                    let lanes = kern.lanes;
                    let mut block = vec![T::default(); gm * gn * lanes];
                    for ob in (0..o).step_by(gm) {
                        for kb in (0..kd).step_by(gn) {
                            block.fill(T::default());
                            for &(img, z, t0, t1) in &segs {
                                let at = t0 * self.nb;
                                for (r, p) in a.iter_mut().enumerate() {
                                    // Rows past the last channel repeat it; their sums are dropped.
                                    let oc = (ob + r).min(o - 1);
                                    *p = dyg[((img * o + oc) * od + z) * ps + at..].as_ptr();
                                }
                                for (i, p) in b.iter_mut().enumerate() {
                                    let off = offs[(kb + i).min(kd - 1)];
                                    *p = xp[img * self.len + off + z * hp * wp + at..].as_ptr();
                                }
                                // SAFETY: a's rows hold (t1 - t0) * nb values within their plane
                                // of ps; b's rows end at z Hp Wp + t1 nb + offs[k] <= len (the
                                // forward tile's bound, `build`); whole tiles are a multiple of
                                // the vector width.
                                unsafe { (kern.dots)(&a, &b, (t1 - t0) * self.nb, &mut block) }
                            }
                            for r in 0..gm.min(o - ob) {
                                for i in 0..gn.min(kd - kb) {
                                    let v = &block[(r * gn + i) * lanes..][..lanes];
                                    acc[(ob + r) * kd + kb + i] += v.iter().fold(T::default(), |s, &x| s + x);
                                }
                            }
                        }
                    }
                    acc
                })
                .collect();
            for p in &partials {
                total.iter_mut().zip(p).for_each(|(t, &v)| *t += v);
            }
        }
        total
    }
}

/// Zeros into `v`: a loop for a few values (a row's padding), which a library call would outweigh.
#[inline(always)]
fn zero<T: Elem>(v: &mut [T]) {
    if v.len() <= 16 {
        for x in v.iter_mut() {
            // `black_box` keeps the loop from being turned back into a `memset` call.
            *std::hint::black_box(x) = T::default();
        }
    } else {
        v.fill(T::default());
    }
}

/// Images `(ch, size)` zero-padded to `dims`, with `lo` zeros in front on each axis.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Padded {
    pub(crate) ch: usize,
    pub(crate) size: [usize; 3],
    pub(crate) lo: [usize; 3],
    pub(crate) dims: [usize; 3],
}

impl Padded {
    /// Values per padded channel.
    pub(crate) fn cs(&self) -> usize {
        self.dims.iter().product()
    }
    /// Values per padded image.
    pub(crate) fn len(&self) -> usize {
        self.ch * self.cs()
    }
    /// Values per unpadded image.
    pub(crate) fn xdim(&self) -> usize {
        self.ch * self.size.iter().product::<usize>()
    }
    /// The offset of padded position `(z, y, x)` within a channel.
    pub(crate) fn at(&self, z: usize, y: usize, x: usize) -> usize {
        (z * self.dims[1] + y) * self.dims[2] + x
    }
    /// One image into its padded buffer: per channel, the planes and rows of padding before and
    /// after the image zeroed in one run each, and per row of the image a copy and one run of
    /// zeros (the row's right padding and the next row's left padding are contiguous), instead of
    /// three library calls a row. On the DCGAN's 14- and 7-wide rows the copy's share of a
    /// training step did not move with this alone (6.1 -> 6.0 %): its cost there is the padded
    /// batch's trip through memory, which the channel-vectorised kernels' whole-image jobs avoid.
    pub(crate) fn fill<T: Elem>(&self, x: &[T], dst: &mut [T]) {
        let [d, h, w] = self.size;
        let [lz, ly, lx] = self.lo;
        let [_, hp, wp] = self.dims;
        for (xc, dc) in x.chunks_exact(d * h * w).zip(dst.chunks_exact_mut(self.cs())) {
            // Zeros from `from` up to the next image row (`first`), then that row, row by row; a
            // plane's rows in one copy where they are not padded (`w == Wp`, as in a transposed
            // convolution's input gradient, whose 16-wide rows took a library call each).
            let mut from = 0;
            for (z, xz) in xc.chunks_exact(h * w).enumerate() {
                let row0 = ((z + lz) * hp + ly) * wp;
                if w == wp {
                    zero(&mut dc[from..row0]);
                    dc[row0..row0 + h * w].copy_from_slice(xz);
                    from = row0 + h * w;
                    continue;
                }
                for (y, xr) in xz.chunks_exact(w).enumerate() {
                    let first = row0 + y * wp + lx;
                    zero(&mut dc[from..first]);
                    dc[first..first + w].copy_from_slice(xr);
                    from = first + w;
                }
            }
            zero(&mut dc[from..]);
        }
    }
    /// Each image of `x` into its padded buffer in `dst`, in parallel (one image, as a job of the
    /// channel-vectorised kernels pads, on the calling thread).
    pub(crate) fn fill_images<T: Elem>(&self, x: &[T], dst: &mut [T]) {
        if x.len() == self.xdim() {
            return self.fill(x, dst);
        }
        dst.par_chunks_mut(self.len()).zip(x.par_chunks(self.xdim())).for_each(|(d, x)| self.fill(x, d));
    }

    /// The images `x` in this layout: `x` itself where nothing is padded ([`Padded::unpadded`]),
    /// else padded into the front of `buf`.
    pub(crate) fn images<'a, T: Elem>(&self, x: &'a [T], buf: &'a mut [T]) -> &'a [T] {
        if self.unpadded() {
            return x;
        }
        let buf = &mut buf[..x.len() / self.xdim() * self.len()];
        self.fill_images(x, buf);
        buf
    }

    /// A buffer for `images` padded images and `slack` zeros after them.
    ///
    /// # Safety
    /// The images' values are uninitialised: each must be written ([`Padded::fill_images`],
    /// [`Padded::images`]) before anything reads it.
    pub(crate) unsafe fn buffer<T: Elem>(&self, images: usize, slack: usize) -> Vec<T> {
        // SAFETY: the caller writes the images' values before reading them; the slack is zeroed.
        let mut buf = unsafe { uninit_vec::<T>(images * self.len() + slack) };
        buf[images * self.len()..].fill(T::default());
        buf
    }

    /// Whether the padded layout is the image's own (no padding on any axis): the channel-
    /// vectorised kernels then read the image in place. The U-Net 3-D's transposed
    /// convolutions (their input gradients and forward passes) copied their whole input for
    /// nothing, 4 MiB a layer at 32^3 x 16 channels and batch 2.
    pub(crate) fn unpadded(&self) -> bool {
        self.lo == [0; 3] && self.dims == self.size
    }
    /// The offset of each reduction entry `(channel, tap)` of a kernel `k` with dilation `dil`, in
    /// the weights' order.
    pub(crate) fn tap_offsets(&self, k: [usize; 3], dil: [usize; 3]) -> Vec<usize> {
        let mut offs = Vec::with_capacity(self.ch * k.iter().product::<usize>());
        for ci in 0..self.ch {
            for kz in 0..k[0] {
                for ky in 0..k[1] {
                    for kx in 0..k[2] {
                        offs.push(ci * self.cs() + self.at(kz * dil[0], ky * dil[1], kx * dil[2]));
                    }
                }
            }
        }
        offs
    }
    /// Images padded at a time: as many as [`PADDED_VALUES`] hold, at least one.
    pub(crate) fn group(&self, n: usize) -> usize {
        (PADDED_VALUES / self.len().max(1)).clamp(1, n.max(1))
    }
}

/// Padded input values held at a time (f32: 64 MiB): the batch is padded in groups of images,
/// so that a large 3-D batch is not copied whole.
const PADDED_VALUES: usize = 16 << 20;

/// Values of gradient and input rows per weight-gradient job (f32: 512 KiB, half of a Zen 4
/// core's L2).
const GRAD_W_JOB_VALUES: usize = 128 << 10;

#[cfg(test)]
pub(crate) mod tests {
    use super::super::conv_gemm::{ConvGeom, conv_fwd_gemm, geometry, grad_w_gemm, grad_x_gemm};
    use super::*;

    pub(crate) fn values<T: From<f32>>(n: usize, k: f32) -> Vec<T> {
        (0..n).map(|i| T::from((i as f32 * k).sin() * 0.7 + 0.05)).collect()
    }

    pub(crate) fn max_diff<T: Into<f64> + Copy>(a: &[T], b: &[T]) -> f64 {
        assert_eq!(a.len(), b.len());
        a.iter().zip(b).map(|(&x, &y)| (x.into() - y.into()).abs()).fold(0.0, f64::max)
    }

    /// Runs `f32_check` on every f32 build this CPU has, on 1 and on 3 threads, and `f64_check`
    /// on every f64 build.
    pub(crate) fn on_every_build(f32_check: impl Fn(Kernel<f32>) + Sync, f64_check: impl Fn(Kernel<f64>)) {
        for kern in f32::kernels() {
            for threads in [1, 3] {
                rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| f32_check(kern));
            }
        }
        for kern in f64::kernels() {
            f64_check(kern);
        }
    }

    /// The shortest of `calls` timed calls of `f`, in seconds.
    pub(crate) fn best_of(calls: usize, f: &dyn Fn()) -> f64 {
        (0..calls)
            .map(|_| {
                let t = std::time::Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .fold(f64::MAX, f64::min)
    }

    /// The padded copy against its definition, into a buffer of NaNs (a reused buffer holds the
    /// last image): every value written, zero outside the image. Short rows (zeros by the loop)
    /// and long ones (by `fill`), padding in front and behind on each axis, 2-D and 3-D.
    #[test]
    fn padded_fill_matches_definition() {
        for (ch, size, lo, dims) in [
            (3, [1, 14, 14], [0, 1, 1], [1, 16, 16]),
            (2, [3, 4, 6], [0, 0, 0], [3, 4, 6]),
            (2, [3, 4, 6], [1, 2, 0], [5, 7, 6]),
            (2, [1, 5, 40], [0, 2, 0], [1, 9, 40]),
            (2, [1, 4, 30], [0, 0, 20], [1, 6, 52]),
            (2, [3, 4, 5], [1, 2, 1], [6, 9, 8]),
            (1, [2, 2, 2], [0, 0, 0], [2, 2, 2]),
        ] {
            let src = Padded { ch, size, lo, dims };
            let x: Vec<f64> = (0..src.xdim()).map(|i| i as f64 + 1.0).collect();
            let mut dst = vec![f64::NAN; src.len()];
            src.fill(&x, &mut dst);
            let [d, h, w] = size;
            for c in 0..ch {
                for z in 0..dims[0] {
                    for y in 0..dims[1] {
                        for xx in 0..dims[2] {
                            let (iz, iy, ix) = (z.wrapping_sub(lo[0]), y.wrapping_sub(lo[1]), xx.wrapping_sub(lo[2]));
                            let want =
                                if iz < d && iy < h && ix < w { x[((c * d + iz) * h + iy) * w + ix] } else { 0.0 };
                            let got = dst[c * src.cs() + src.at(z, y, xx)];
                            assert_eq!(got, want, "{size:?} {lo:?} {dims:?} at {c} {z} {y} {xx}");
                        }
                    }
                }
            }
        }
    }

    /// Forward and input gradient through the direct kernel against im2col + GEMM, whatever the
    /// share of dropped work, for `kern` (each instruction set's build where the CPU has it).
    fn check<T: Elem + From<f32> + Into<f64>>(kern: Kernel<T>, tol: f64) {
        // (n, c, o, size, k, pad, dil): 2-D (depth 1) and 3-D, channel counts off the block size,
        // odd sizes, no padding, padding up to the kernel's reach, dilation, 1 x 1 kernels.
        type Case = (usize, usize, usize, [usize; 3], [usize; 3], [usize; 3], [usize; 3]);
        let cases: &[Case] = &[
            (2, 3, 5, [1, 7, 9], [1, 3, 3], [0, 1, 1], [1, 1, 1]),
            (1, 1, 9, [1, 13, 5], [1, 3, 3], [0, 0, 0], [1, 1, 1]),
            (3, 4, 17, [1, 6, 31], [1, 5, 3], [0, 2, 1], [1, 1, 2]),
            (1, 9, 8, [1, 40, 37], [1, 3, 3], [0, 2, 2], [1, 2, 2]),
            (2, 5, 3, [1, 8, 8], [1, 1, 1], [0, 0, 0], [1, 1, 1]),
            (2, 3, 4, [5, 6, 7], [3, 3, 3], [1, 1, 1], [1, 1, 1]),
            (1, 2, 11, [4, 9, 5], [2, 3, 3], [0, 2, 0], [2, 1, 1]),
            (2, 16, 16, [9, 9, 9], [3, 3, 3], [1, 1, 1], [1, 1, 1]),
            // Output one wide; padding on the width only; padding beyond the kernel's reach
            // (a 1 x 1 kernel with padding 1: no direct input gradient).
            (2, 3, 8, [1, 5, 3], [1, 3, 3], [0, 0, 0], [1, 1, 1]),
            (1, 4, 8, [1, 6, 10], [1, 3, 3], [0, 0, 1], [1, 1, 1]),
            (2, 5, 9, [1, 7, 6], [1, 1, 1], [0, 1, 1], [1, 1, 1]),
            // Several weight-gradient jobs, split inside planes and across images (2-D) and
            // across planes (3-D).
            (2, 40, 40, [1, 50, 45], [1, 3, 3], [0, 1, 1], [1, 1, 1]),
            (3, 24, 24, [6, 20, 20], [3, 3, 3], [1, 1, 1], [1, 1, 1]),
        ];
        for &(n, c, o, size, k, pad, dil) in cases {
            let spatial = if size[0] == 1 && k[0] == 1 { 2 } else { 3 };
            let dims = |a: usize, b: usize, s: [usize; 3]| [&[a, b][..], &s[3 - spatial..]].concat();
            let g: ConvGeom = geometry(
                &dims(n, c, size),
                &dims(o, c, k),
                &pad[3 - spatial..],
                &[1; 3][3 - spatial..],
                &dil[3 - spatial..],
            )
            .unwrap();
            let x: Vec<T> = values(n * c * size.iter().product::<usize>(), 0.37);
            let w: Vec<T> = values(o * c * k.iter().product::<usize>(), 0.91);
            let case = (n, c, o, size, k, pad, dil);

            // The whole batch padded at once, and one image at a time.
            // And the narrow tile (forward and input gradient only).
            for (one, narrow) in [(false, false), (true, false), (false, true)] {
                let mut plan = Plan::build(&kern, narrow, (c, o), size, k, pad, dil).unwrap();
                if one {
                    plan.budget = plan.len;
                }
                let ours = plan.run(&kern, n, &x, &plan.pack(&w));
                let refr = conv_fwd_gemm(&g, &x, &w);
                assert!(max_diff(&ours, &refr) < tol, "forward {case:?}: {}", max_diff(&ours, &refr));

                let dy: Vec<T> = values(refr.len(), 0.53);
                if !narrow {
                    let ours = plan.grad_w(&kern, n, &x, &dy);
                    let refr = grad_w_gemm(&g, &x, &dy);
                    assert!(
                        max_diff(&ours, &refr) < tol * 10.0,
                        "weight gradient {case:?}: {}",
                        max_diff(&ours, &refr)
                    );
                }

                // The input gradient needs padding dil * (k - 1) - pad >= 0; beyond it the
                // GEMM path runs.
                let Some(fp) = g.flip_pad() else {
                    continue;
                };
                let mut plan = Plan::build(&kern, narrow, (o, c), g.out, k, fp, dil).unwrap();
                if one {
                    plan.budget = plan.len;
                }
                let ours = plan.run(&kern, n, &dy, &plan.pack_flipped(&w));
                let refr = grad_x_gemm(&g, &w, &dy);
                assert!(max_diff(&ours, &refr) < tol, "input gradient {case:?}: {}", max_diff(&ours, &refr));
            }
        }
        // An empty batch: no output, a zero weight gradient.
        let plan = Plan::build(&kern, false, (3, 5), [1, 6, 6], [1, 3, 3], [0, 1, 1], [1; 3]).unwrap();
        let w: Vec<T> = values(5 * 3 * 9, 0.2);
        assert!(plan.run(&kern, 0, &[], &plan.pack(&w)).is_empty());
        assert!(plan.grad_w(&kern, 0, &[], &[]).iter().all(|&v| v.into() == 0.0));
    }

    #[test]
    fn direct_matches_im2col_gemm_every_build() {
        on_every_build(|k| check(k, 1e-4), |k| check(k, 1e-12));
    }

    unsafe fn noop<T>(_: *const T, _: &[usize], _: *const T, _: *mut T, _: usize, _: usize) {}
    unsafe fn noop_dots<T>(_: &[*const T], _: &[*const T], _: usize, _: &mut [T]) {}
    unsafe fn noop_in<T>(_: super::super::conv_wino::Rows<T>, _: usize, _: *mut T, _: usize) {}
    unsafe fn noop_out<T>(_: *const T, _: usize, _: usize, _: [*mut T; 2], _: [usize; 2]) {}
    unsafe fn noop_poly<T>(_: super::super::conv_poly::Io<T>) {}

    /// The plan declines what does not fit and what would drop most of its work.
    #[test]
    fn plan_declines_misfits_and_wasteful_shapes() {
        let kern = Kernel {
            mr: 8,
            nb: 32,
            tile: noop::<f32>,
            narrow: (16, 16, noop::<f32>),
            gm: 4,
            gn: 6,
            lanes: 16,
            dots: noop_dots::<f32>,
            wino_in: [noop_in::<f32>; 2],
            wino_out: [noop_out::<f32>; 2],
            wino_dy: [noop_in::<f32>; 2],
            poly: PolyFns {
                phases: noop_poly::<f32>,
                tile: noop_poly::<f32>,
                grad: noop_poly::<f32>,
                block: noop_poly::<f32>,
                interleave: noop_poly::<f32>,
            },
        };
        // Kernel wider than the padded input.
        assert!(Plan::new(&kern, false, (3, 8), [1, 4, 4], [1, 7, 7], [0, 1, 1], [1, 1, 1]).is_none());
        // 4 x 4 output on a 6-wide grid: 16 of 32 positions kept.
        assert!(Plan::new(&kern, false, (8, 8), [4, 4, 4], [3, 3, 3], [1, 1, 1], [1, 1, 1]).is_none());
        // An 8^3 volume: 64 of 96 grid positions per plane with the regular tile, 64 of 80 with
        // the narrow one, which forward passes take.
        assert!(Plan::new(&kern, false, (64, 64), [8, 8, 8], [3, 3, 3], [1, 1, 1], [1, 1, 1]).is_none());
        let p = Plan::new(&kern, true, (64, 64), [8, 8, 8], [3, 3, 3], [1, 1, 1], [1, 1, 1]).unwrap();
        assert!(p.narrow && p.ps == 80 && (p.kept() - 0.8).abs() < 1e-12);
        // 2 of 8 output channels kept.
        assert!(Plan::new(&kern, false, (16, 2), [1, 64, 64], [1, 3, 3], [0, 1, 1], [1, 1, 1]).is_none());
        let p = Plan::new(&kern, false, (16, 16), [32, 32, 32], [3, 3, 3], [1, 1, 1], [1, 1, 1]).unwrap();
        // 32 x 34 grid positions per plane, 34 tiles, 32 of 34 columns kept.
        assert_eq!((p.span, p.ps, p.out), (32 * 34, 32 * 34, [32, 32, 32]));
        assert!((p.kept() - 32.0 / 34.0).abs() < 1e-12);
    }
}
