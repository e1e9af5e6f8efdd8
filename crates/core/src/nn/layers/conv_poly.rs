//! Winograd F(2 x 2, 2 x 2) for 2-D 4 x 4 convolutions with stride 2 and padding 1 (the
//! down- and up-sampling layers of DCGAN-style networks), through their polyphase form.
//!
//! Along one axis, output `i` of such a layer reads inputs `2 i - 1 .. 2 i + 2`. Split the input
//! into its two phases `x_q[m] = x[2 m + q - 1]` (q = 0, 1) and the kernel into `g_q[p] =
//! w[2 p + q]`: then `y[i] = sum_q sum_p x_q[i + p] g_q[p]`, four 2 x 2 stride-1 convolutions in
//! 2-D, one per phase pair, summed. A 2 x 2 stride-1 convolution is Winograd's F(2, 2) in each
//! axis (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): a 2 x 2
//! block of outputs from a 3 x 3 tile `d` of a phase is `A^T [(G g G^T) . (B^T d B)] A` with
//!
//! ```text
//! B^T = | 1 -1  0 |    G = | 1  0 |    A^T = | 1  1  0 |
//!       | 0  1  0 |        | 1  1 |          | 0  1  1 |
//!       | 0 -1  1 |        | 0  1 |
//! ```
//!
//! (all coefficients 0 and 1: the result differs from the direct sum by rounding only). The sum
//! over phases and input channels becomes 9 independent products `M[xi] (o x tiles) = U[xi] (o x
//! 4c) * V[xi] (4c x tiles)`, 36 multiply-adds per channel pair and 2 x 2 block against the direct
//! sum's 64. Ho x Wo outputs take ceil(Ho / 2) x ceil(Wo / 2) tiles, so on the DCGAN's 7 x 7 the
//! gain is 64 * 49 / 4 against 36 * 16: 1.36 times fewer multiply-adds.
//!
//! The input gradient (the transposed convolution's forward pass) splits the same way: phase `q`
//! of the input gradient is `dx_q[m] = dy[m] g_q[0] + dy[m - 1] g_q[1]`, a 2 x 2 stride-1
//! convolution of the output gradient (padded by one before) with each phase's kernel flipped,
//! the four phases' outputs interleaved. The weight gradient is the forward's per-point
//! products transposed: `dU[xi] = sum over tiles of (A dy A^T)[xi] V[xi]^T`, then `G^T dU G`.
//!
//! Layout. The vectors run across images: a group of `lanes` images (16 in f32 with AVX-512) is
//! transposed into `(channel, row, column, image)` order, zero-padded, so that every value a
//! transform reads is one whole vector and a tile of the group is `lanes` tiles at once (a 7 x 7
//! plane has 4 tiles per row, a fourth of a vector). Jobs take a run of tile positions of a
//! group, transform them into `V` (tile-contiguous rows, as the direct kernel's register tile
//! reads them, [`super::conv_direct`]), run the products and transform `M` back into the group's
//! output buffer, which is transposed back into `(image, channel, row, column)` order.

use super::conv_direct::Kernel;
use super::conv_gemm::{ConvGeom, Elem};
use super::conv_vec::VecKernel;
use super::cpu::{SendPtr, transpose, transpose_raw, uninit_vec, with_buffers};
use rayon::prelude::*;

/// Points of a transformed 3 x 3 tile.
const POINTS: usize = 9;

/// Fewest input and output channels for the products to pay for the transforms and transposes.
const MIN_CHANNELS: usize = 8;

/// Values of `V` and `M` one job holds: 128 Ki (512 KiB of f32), sized for a core's L2 cache.
const JOB_VALUES: usize = 1 << 17;

/// The most rows of a register tile ([`pack_block_body`]'s arrays).
const MAX_MR: usize = 8;

/// Values between the planes of `V`, `M` and the packed weights beyond their rows: a cache line
/// of f32 (planes a multiple of 4 KiB apart would fall in one set of the L1 cache).
const PLANE_SKEW: usize = 16;

/// One transform call: `ch` channels read from `src` (channel `c`'s row `i`, column `j` at
/// `src + c * cs + i * row + j * lanes`) and written to `dst` (channel stride `dcs`, row stride
/// `drow`; the rows are a tile's points in `V` and `M`, or the image rows of a padded buffer).
#[derive(Clone, Copy)]
pub(crate) struct Io<T> {
    pub(crate) src: *const T,
    pub(crate) cs: usize,
    pub(crate) row: usize,
    pub(crate) ch: usize,
    pub(crate) dst: *mut T,
    pub(crate) dcs: usize,
    pub(crate) drow: usize,
}

/// A transform of one vector of tiles (one tile position of a group of images).
pub(crate) type TransformFn<T> = unsafe fn(io: Io<T>);

/// The transforms of one build, on whole vectors.
#[derive(Clone, Copy)]
pub(crate) struct Fns<T> {
    /// The 6 x 6 input patch of a tile -> its four phases' `B^T d B`: point `xi` of phase `q`
    /// and channel `c` at `dst + xi * drow + (q * ch + c) * dcs`.
    pub(crate) phases: TransformFn<T>,
    /// A 3 x 3 tile -> `B^T d B`, point `xi` of channel `c` at `dst + xi * drow + c * dcs`.
    pub(crate) tile: TransformFn<T>,
    /// A 2 x 2 block of the output gradient -> `A dy A^T`, stored as by `tile`.
    pub(crate) grad: TransformFn<T>,
    /// Nine points of channel `c` (at `src + xi * row + c * cs`) -> the 2 x 2 block `A^T m A` at
    /// `dst + c * dcs + i * drow + j * lanes`.
    pub(crate) block: TransformFn<T>,
    /// Nine points of each phase `q` of channel `c` (at `src + xi * row + (q * ch + c) * cs`) ->
    /// the phases' 2 x 2 blocks interleaved into one 4 x 4 block at `dst + c * dcs`.
    pub(crate) interleave: TransformFn<T>,
}

/// The transforms, on the vector types of [`super::vector`].
#[cfg(target_arch = "x86_64")]
pub(super) mod simd {
    use super::super::vector::Vector;
    use super::{Fns, Io};
    use std::arch::x86_64::*;

    /// One axis of the phase split and input transform: `p0 .. p5` -> phase 0's `B^T [p0, p2,
    /// p4]` then phase 1's `B^T [p1, p3, p5]`.
    #[inline(always)]
    unsafe fn split<V: Vector>(p: [V; 6]) -> [V; 6] {
        // SAFETY: register arithmetic; the caller has the instructions.
        unsafe { [V::sub(p[0], p[2]), p[2], V::sub(p[4], p[2]), V::sub(p[1], p[3]), p[3], V::sub(p[5], p[3])] }
    }

    /// `B^T d` along one axis.
    #[inline(always)]
    unsafe fn bt<V: Vector>(d: [V; 3]) -> [V; 3] {
        // SAFETY: as above.
        unsafe { [V::sub(d[0], d[1]), d[1], V::sub(d[2], d[1])] }
    }

    /// `A^T m` along one axis.
    #[inline(always)]
    unsafe fn at<V: Vector>(m: [V; 3]) -> [V; 2] {
        // SAFETY: as above.
        unsafe { [V::add(m[0], m[1]), V::add(m[1], m[2])] }
    }

    /// `A d` along one axis.
    #[inline(always)]
    unsafe fn a<V: Vector>(d: [V; 2]) -> [V; 3] {
        // SAFETY: as above.
        unsafe { [d[0], V::add(d[0], d[1]), d[1]] }
    }

    /// See [`Fns::phases`].
    ///
    /// # Safety
    /// The patch (6 rows of 6 vectors per channel) is readable and every point's row writable.
    #[inline(always)]
    pub(super) unsafe fn phases<V: Vector>(io: Io<V::T>) {
        let l = V::LANES;
        // SAFETY: guaranteed by the caller.
        unsafe {
            for c in 0..io.ch {
                let s = io.src.add(c * io.cs);
                // Rows written in place, not zeroed first (a zeroed array of vectors per channel
                // was a `memset` call).
                let mut t = std::mem::MaybeUninit::<[[V; 6]; 6]>::uninit();
                let rows = t.as_mut_ptr().cast::<[V; 6]>();
                for i in 0..6 {
                    let r = s.add(i * io.row);
                    rows.add(i).write(split([
                        V::load(r),
                        V::load(r.add(l)),
                        V::load(r.add(2 * l)),
                        V::load(r.add(3 * l)),
                        V::load(r.add(4 * l)),
                        V::load(r.add(5 * l)),
                    ]));
                }
                let t = t.assume_init();
                #[allow(clippy::needless_range_loop)]
                for col in 0..6 {
                    let u = split([t[0][col], t[1][col], t[2][col], t[3][col], t[4][col], t[5][col]]);
                    let (qx, b) = (col / 3, col % 3);
                    for (r, v) in u.iter().enumerate() {
                        let (qy, a) = (r / 3, r % 3);
                        v.store(io.dst.add((3 * a + b) * io.drow + ((2 * qy + qx) * io.ch + c) * io.dcs));
                    }
                }
            }
        }
    }

    /// See [`Fns::tile`] (`GRAD = false`, 3 x 3 source) and [`Fns::grad`] (2 x 2 source).
    ///
    /// # Safety
    /// The source rows and the points' rows are inside their buffers.
    #[inline(always)]
    pub(super) unsafe fn tile<V: Vector, const GRAD: bool>(io: Io<V::T>) {
        let l = V::LANES;
        // SAFETY: guaranteed by the caller.
        unsafe {
            for c in 0..io.ch {
                let s = io.src.add(c * io.cs);
                let mut t = [[V::zero(); 3]; 3];
                for (i, ti) in t.iter_mut().enumerate().take(if GRAD { 2 } else { 3 }) {
                    let r = s.add(i * io.row);
                    *ti = if GRAD {
                        a([V::load(r), V::load(r.add(l))])
                    } else {
                        bt([V::load(r), V::load(r.add(l)), V::load(r.add(2 * l))])
                    };
                }
                #[allow(clippy::needless_range_loop)]
                for b in 0..3 {
                    let u = if GRAD { a([t[0][b], t[1][b]]) } else { bt([t[0][b], t[1][b], t[2][b]]) };
                    for (a_, v) in u.iter().enumerate() {
                        v.store(io.dst.add((3 * a_ + b) * io.drow + c * io.dcs));
                    }
                }
            }
        }
    }

    /// The 2 x 2 block `A^T m A` of the nine points at `p + xi * row`, row `i` column `j` as
    /// `[i][j]`. (No closures in these transforms: a closure is not compiled with its caller's
    /// target features, and the intrinsics in it were called, not inlined.)
    #[inline(always)]
    unsafe fn untile<V: Vector>(p: *const V::T, row: usize) -> [[V; 2]; 2] {
        // SAFETY: the caller's points are readable.
        unsafe {
            let mut r = [[V::zero(); 2]; 3];
            for (a_, ra) in r.iter_mut().enumerate() {
                let q = p.add(3 * a_ * row);
                *ra = at([V::load(q), V::load(q.add(row)), V::load(q.add(2 * row))]);
            }
            let c0 = at([r[0][0], r[1][0], r[2][0]]);
            let c1 = at([r[0][1], r[1][1], r[2][1]]);
            [[c0[0], c1[0]], [c0[1], c1[1]]]
        }
    }

    /// See [`Fns::block`].
    ///
    /// # Safety
    /// The points are readable and the blocks writable.
    #[inline(always)]
    pub(super) unsafe fn block<V: Vector>(io: Io<V::T>) {
        let l = V::LANES;
        // SAFETY: guaranteed by the caller.
        unsafe {
            for c in 0..io.ch {
                let y = untile::<V>(io.src.add(c * io.cs), io.row);
                let d = io.dst.add(c * io.dcs);
                for (i, yi) in y.iter().enumerate() {
                    for (j, v) in yi.iter().enumerate() {
                        v.store(d.add(i * io.drow + j * l));
                    }
                }
            }
        }
    }

    /// See [`Fns::interleave`].
    ///
    /// # Safety
    /// As for [`block`].
    #[inline(always)]
    pub(super) unsafe fn interleave<V: Vector>(io: Io<V::T>) {
        let l = V::LANES;
        // SAFETY: guaranteed by the caller.
        unsafe {
            for c in 0..io.ch {
                let d = io.dst.add(c * io.dcs);
                for q in 0..4 {
                    let (qy, qx) = (q / 2, q % 2);
                    let y = untile::<V>(io.src.add((q * io.ch + c) * io.cs), io.row);
                    for (i, yi) in y.iter().enumerate() {
                        for (j, v) in yi.iter().enumerate() {
                            v.store(d.add((2 * i + qy) * io.drow + (2 * j + qx) * l));
                        }
                    }
                }
            }
        }
    }

    /// Declares `$name() -> Fns<T>`, the transforms compiled with `$features`.
    macro_rules! fns {
        ($name:ident, $features:literal, $v:ty) => {
            pub(in super::super) fn $name() -> Fns<<$v as Vector>::T> {
                type T = <$v as Vector>::T;
                #[target_feature(enable = $features)]
                unsafe fn phases_fn(io: Io<T>) {
                    // SAFETY: forwarded; the attribute enables the instructions.
                    unsafe { phases::<$v>(io) }
                }
                #[target_feature(enable = $features)]
                unsafe fn tile_fn(io: Io<T>) {
                    // SAFETY: as above.
                    unsafe { tile::<$v, false>(io) }
                }
                #[target_feature(enable = $features)]
                unsafe fn grad_fn(io: Io<T>) {
                    // SAFETY: as above.
                    unsafe { tile::<$v, true>(io) }
                }
                #[target_feature(enable = $features)]
                unsafe fn block_fn(io: Io<T>) {
                    // SAFETY: as above.
                    unsafe { block::<$v>(io) }
                }
                #[target_feature(enable = $features)]
                unsafe fn interleave_fn(io: Io<T>) {
                    // SAFETY: as above.
                    unsafe { interleave::<$v>(io) }
                }
                Fns { phases: phases_fn, tile: tile_fn, grad: grad_fn, block: block_fn, interleave: interleave_fn }
            }
        };
    }
    fns!(f32_avx512, "avx512f", __m512);
    fns!(f64_avx512, "avx512f", __m512d);
    fns!(f32_avx2, "avx2,fma", __m256);
    fns!(f64_avx2, "avx2,fma", __m256d);
}

/// `G g` along one axis: 2 taps -> 3 points.
#[cfg(test)]
fn g_col<T: Elem>(g: [T; 2]) -> [T; 3] {
    [g[0], g[0] + g[1], g[1]]
}

/// `G g G^T` of a 2 x 2 kernel `g[p][p']`: point `3 a + b` (the tests' reference for
/// [`Poly::pack_into`]).
#[cfg(test)]
fn transform_kernel<T: Elem>(g: [[T; 2]; 2]) -> [T; POINTS] {
    let rows = [g_col(g[0]), g_col(g[1])];
    let mut u = [T::default(); POINTS];
    for b in 0..3 {
        let col = g_col([rows[0][b], rows[1][b]]);
        for a in 0..3 {
            u[3 * a + b] = col[a];
        }
    }
    u
}

/// `G^T s G` of nine points `s(3 a + b)`: the 2 x 2 kernel gradient `[p][p']`.
fn untransform_kernel<T: Elem>(s: impl Fn(usize) -> T) -> [[T; 2]; 2] {
    let gt = |v: [T; 3]| [v[0] + v[1], v[1] + v[2]];
    let rows: [[T; 2]; 3] = std::array::from_fn(|a| gt([s(3 * a), s(3 * a + 1), s(3 * a + 2)]));
    let c0 = gt([rows[0][0], rows[1][0], rows[2][0]]);
    let c1 = gt([rows[0][1], rows[1][1], rows[2][1]]);
    [[c0[0], c1[0]], [c0[1], c1[1]]]
}

/// One block of [`Poly::pack_into`]: the `mr` rows of block `b` for every input. `G g G^T`
/// runs across the block's rows at once, on fixed-length arrays, and each point's values for one
/// input are stored as one run of `mr`: one pair at a time, with 9 scattered stores each, the
/// packing had cost 3 % of DCGAN training.
#[inline(always)]
fn pack_block_body<T: Elem>(w: &[T], ub: &mut [T], [b, mr, rows, red, c, panel]: [usize; 6], forward: bool) {
    let (one, z) = (T::ONE, T::default());
    // G's rows.
    let g: [[T; 2]; 3] = [[one, z], [one, one], [z, one]];
    let used = mr.min(rows - b * mr);
    // Each row's (output channel, 0) or (phase, input channel): no divisions in the loop below.
    let mut row_of = [(0usize, 0usize); MAX_MR];
    for (r, ro) in row_of.iter_mut().enumerate().take(used) {
        let row = b * mr + r;
        *ro = if forward { (row, 0) } else { (row / c, row % c) };
    }
    for k in 0..red {
        let (kq, kc) = if forward { (k / c, k % c) } else { (0, k) };
        // Tap (p, p') of row r's phase kernel for input k; zero past the last row.
        let mut x = [[[z; MAX_MR]; 2]; 2];
        for (r, &(ra, rb)) in row_of.iter().enumerate().take(used) {
            // (output channel, input channel, phase) of the pair.
            let (oi, ci, q) = if forward { (ra, kc, kq) } else { (kc, rb, ra) };
            let (qy, qx) = (q / 2, q % 2);
            let kw = &w[(oi * c + ci) * 16..][..16];
            for (p, xp) in x.iter_mut().enumerate() {
                for (pp, xpp) in xp.iter_mut().enumerate() {
                    let (p, pp) = if forward { (p, pp) } else { (1 - p, 1 - pp) };
                    xpp[r] = kw[(2 * p + qy) * 4 + 2 * pp + qx];
                }
            }
        }
        // h[a][p'] = sum_p G[a][p] x[p][p'], then U[a][b] = sum_p' G[b][p'] h[a][p'].
        let mut h = [[[z; MAX_MR]; 2]; 3];
        for (ha, ga) in h.iter_mut().zip(&g) {
            for (pp, hap) in ha.iter_mut().enumerate() {
                for (r, v) in hap.iter_mut().enumerate() {
                    *v = ga[0] * x[0][pp][r] + ga[1] * x[1][pp][r];
                }
            }
        }
        for (a, ha) in h.iter().enumerate() {
            for (bb, gb) in g.iter().enumerate() {
                let d = &mut ub[(3 * a + bb) * panel + k * mr..][..mr];
                for (r, v) in d.iter_mut().enumerate() {
                    *v = gb[0] * ha[0][r] + gb[1] * ha[1][r];
                }
            }
        }
    }
}

simd_kernel!(
    /// [`pack_block_body`] compiled for the CPU's widest vectors.
    pack_block<T: Elem> => pack_block_body(w: &[T], ub: &mut [T], geom: [usize; 6], forward: bool)
);

/// The layer's shape and how its tiles are cut into jobs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Poly {
    /// Batch, input and output channels of the convolution (the transposed convolution's are
    /// the other way round).
    n: usize,
    c: usize,
    o: usize,
    /// Input height and width (even), output height and width (half of them).
    size: [usize; 2],
    out: [usize; 2],
    /// Tile rows and columns per image.
    tiles: [usize; 2],
    /// Vector lanes (images per group) and the register tile (output rows x tiles).
    lanes: usize,
    mr: usize,
    nb: usize,
}

impl Poly {
    /// The plan of the convolution `g` where it is a 2-D 4 x 4, stride-2, padding-1 layer on even
    /// planes with enough channels, and the batch fills at least 3/4 of its groups' lanes.
    pub(crate) fn new<T: Elem>(kern: &Kernel<T>, g: &ConvGeom) -> Option<Poly> {
        let shape = g.spatial == 2
            && g.k == [1, 4, 4]
            && g.stride == [1, 2, 2]
            && g.pad == [0, 1, 1]
            && g.dil == [1; 3]
            && g.size[1].is_multiple_of(2)
            && g.size[2].is_multiple_of(2)
            && g.c >= MIN_CHANNELS
            && g.o >= MIN_CHANNELS;
        let (mr, nb) = kern.regular_tile();
        let lanes = kern.poly().1;
        if !shape || 4 * g.n < 3 * g.n.next_multiple_of(lanes) || nb != 2 * lanes || mr > MAX_MR {
            return None;
        }
        let out = [g.out[1], g.out[2]];
        Some(Poly {
            n: g.n,
            c: g.c,
            o: g.o,
            size: [g.size[1], g.size[2]],
            out,
            tiles: out.map(|v| v.div_ceil(2)),
            lanes,
            mr,
            nb,
        })
    }

    /// The tiles of the input gradient's phases: each phase has `Ho + 1` rows (`W + 1` columns)
    /// of which the first of phase 0 and the last of phase 1 fall in the padding.
    fn phase_tiles(&self) -> [usize; 2] {
        self.out.map(|v| (v + 1).div_ceil(2))
    }

    /// Tile positions per job for a product of `rows` outputs over `red` inputs: an even number
    /// (a whole register tile is two vectors wide), as many as [`JOB_VALUES`] allow.
    fn job_positions(&self, rows: usize, red: usize) -> usize {
        (JOB_VALUES / (POINTS * (rows + red) * self.lanes)).max(2) / 2 * 2
    }

    /// The padded group layout of the input: `(channel, row, column, image)` with one zero row
    /// and column before, and zeros after up to the tiles' reach (rows `-1 .. 4 Ty + 1`).
    fn x_dims(&self) -> [usize; 2] {
        self.tiles.map(|t| 4 * t + 2)
    }

    /// The padded group layout of the output gradient for `tiles` tiles: one zero row and
    /// column before, and zeros after up to the tiles' reach (rows `-1 .. 2 Ty`).
    fn dy_dims(tiles: [usize; 2]) -> [usize; 2] {
        tiles.map(|t| 2 * t + 1)
    }

    /// The packed kernel for the register tile (see [`Poly::pack_into`]), in a new buffer.
    #[cfg(test)]
    fn pack<T: Elem>(&self, w: &[T], forward: bool) -> (Vec<T>, usize) {
        let (len, panel) = self.pack_len(forward);
        let mut u = vec![T::default(); len];
        self.pack_into(w, forward, &mut u);
        (u, panel)
    }

    /// Values of the packed kernel ([`Poly::pack_into`]) and its panel stride.
    fn pack_len(&self, forward: bool) -> (usize, usize) {
        let (rows, red) = if forward { (self.o, 4 * self.c) } else { (4 * self.c, self.o) };
        let panel = red * self.mr + PLANE_SKEW;
        (POINTS * rows.div_ceil(self.mr) * panel, panel)
    }

    /// Writes the transformed kernel, packed for the register tile, into `u` ([`Poly::pack_len`]
    /// values): point `xi` of output row `r` and reduction input `k` at `(b * 9 + xi) * panel +
    /// k * mr + r % mr` for block `b = r / mr`, zero past the last row; the skew after each
    /// panel is left as it was (never read). `forward`: rows are the `o` output channels, inputs
    /// `q * c + ci` (phase `q`, input channel `ci`), `U = G g_q G^T`. Otherwise (the input
    /// gradient): rows `q * c + ci`, inputs the `o` output channels, each phase's kernel flipped.
    fn pack_into<T: Elem>(&self, w: &[T], forward: bool, u: &mut [T]) {
        let (c, o, mr) = (self.c, self.o, self.mr);
        let (rows, red) = if forward { (o, 4 * c) } else { (4 * c, o) };
        let (len, panel) = self.pack_len(forward);
        assert!(mr <= MAX_MR && w.len() == o * c * 16 && u.len() == len);
        u.par_chunks_mut(POINTS * panel)
            .enumerate()
            .for_each(|(b, ub)| pack_block(w, ub, [b, mr, rows, red, c, panel], forward));
    }

    /// Copies `imgs` images of `ch` channels of `h x w` (`src`, images `ld` apart) into the group
    /// layout `dst` (`dims` per channel, the plane at row and column 1), zero elsewhere: the
    /// lanes past `imgs` included.
    fn fill<T: Elem>(
        &self,
        src: &[T],
        (imgs, ld): (usize, usize),
        (ch, [h, w]): (usize, [usize; 2]),
        dims: [usize; 2],
        dst: &mut [T],
    ) {
        let l = self.lanes;
        let (row, cs) = (dims[1] * l, dims[0] * dims[1] * l);
        dst[..ch * cs].par_chunks_mut(cs).enumerate().for_each(|(c, d)| {
            T::with_scratch(h * w * l, |tmp| {
                if imgs < l {
                    tmp.fill(T::default());
                }
                transpose(&src[c * h * w..], ld, tmp, l, (imgs, h * w));
                d[..row].fill(T::default());
                d[(h + 1) * row..].fill(T::default());
                for (i, t) in tmp.chunks_exact(w * l).enumerate() {
                    let r = &mut d[(i + 1) * row..][..row];
                    r[..l].fill(T::default());
                    r[l..(w + 1) * l].copy_from_slice(t);
                    r[(w + 1) * l..].fill(T::default());
                }
            })
        });
    }

    /// Copies rows and columns `1 ..= h`, `1 ..= w` (`lo = 1`) or `0 .. h`, `0 .. w` (`lo = 0`) of
    /// each of `ch` channels of the group layout `src` (`dims` per channel) to `imgs` images of
    /// `dst` (images `ld` apart).
    #[allow(clippy::too_many_arguments)]
    fn unfill<T: Elem>(
        &self,
        src: &[T],
        dims: [usize; 2],
        lo: usize,
        (ch, [h, w]): (usize, [usize; 2]),
        dst: SendPtr<T>,
        (imgs, ld): (usize, usize),
    ) {
        let l = self.lanes;
        let (row, cs) = (dims[1] * l, dims[0] * dims[1] * l);
        (0..ch).into_par_iter().for_each(|c| {
            T::with_scratch(h * w * l, |tmp| {
                for (i, t) in tmp.chunks_exact_mut(w * l).enumerate() {
                    t.copy_from_slice(&src[c * cs + (i + lo) * row + lo * l..][..w * l]);
                }
                // SAFETY: channel `c` of each of the `imgs` images lies inside `dst`, and no other
                // task writes it.
                unsafe { transpose_raw(tmp.as_ptr(), l, dst.get().add(c * h * w), ld, (h * w, imgs)) };
            })
        });
    }

    /// The forward pass of `x (n, c, H, W)` with `w (o, c, 4, 4)`: `(n, o, H / 2, W / 2)`.
    pub(crate) fn forward<T: Elem>(&self, kern: &Kernel<T>, x: &[T], w: &[T]) -> Vec<T> {
        self.run(kern, w, x, true)
    }

    /// The input gradient `(n, c, H, W)` from the output gradient `dy (n, o, H / 2, W / 2)` and
    /// `w (o, c, 4, 4)`: the transposed convolution's forward pass.
    pub(crate) fn input_gradient<T: Elem>(&self, kern: &Kernel<T>, w: &[T], dy: &[T]) -> Vec<T> {
        self.run(kern, w, dy, false)
    }

    /// The forward pass (`forward`, from `x`) or the input gradient (from `dy`): group by group,
    /// the images transposed into the padded group layout, the jobs, and their output
    /// transposed back.
    ///
    /// Forward: a tile's 6 x 6 input patch (rows `4 ty - 1 .. 4 ty + 4`, at padded row `4 ty`)
    /// goes through [`Fns::phases`], and its 2 x 2 output block (row `2 ty`) through
    /// [`Fns::block`]. Input gradient: the tile's 3 x 3 patch of the output gradient (rows
    /// `2 ty - 1 .. 2 ty + 1`, at padded row `2 ty`) through [`Fns::tile`], and the four phases'
    /// blocks, rows `4 ty - 1 .. 4 ty + 2` of the input gradient, through [`Fns::interleave`]
    /// into a buffer whose row `4 ty` is that first row (one row and column of offset).
    fn run<T: Elem>(&self, kern: &Kernel<T>, w: &[T], src: &[T], forward: bool) -> Vec<T> {
        let (c, o, l) = (self.c, self.o, self.lanes);
        let fns = kern.poly().0;
        // The source's channels, plane, padded dims, tile step and transform; the output's
        // channels, plane, buffer dims, offset, tile step and transform.
        let (tiles, (ich, isize, id, istep, itf), (och, osize, od, lo, ostep, otf)) = if forward {
            let t = self.tiles;
            (t, (c, self.size, self.x_dims(), 4, fns.phases), (o, self.out, t.map(|t| 2 * t), 0, 2, fns.block))
        } else {
            let t = self.phase_tiles();
            (t, (o, self.out, Self::dy_dims(t), 2, fns.tile), (c, self.size, t.map(|t| 4 * t), 1, 4, fns.interleave))
        };
        let (rows, red) = if forward { (o, 4 * c) } else { (4 * c, o) };
        let (ulen, panel) = self.pack_len(forward);
        let (sdim, ddim) = (ich * isize[0] * isize[1], och * osize[0] * osize[1]);
        let (slen, dlen) = (ich * id[0] * id[1] * l, och * od[0] * od[1] * l);
        assert!(src.len() == self.n * sdim && w.len() == o * c * 16);
        // SAFETY: `unfill` writes every value of each group's images.
        let mut y = unsafe { uninit_vec::<T>(self.n * ddim) };
        let out = SendPtr(y.as_mut_ptr());
        // `fill` writes every value of the source buffer before the jobs read it, and the jobs
        // every block of the output buffer before `unfill` reads it. The transformed kernel
        // shares the thread's scratch with the group buffers.
        with_buffers([slen, dlen + ulen], |sp, rest| {
            let (dp, u) = rest.split_at_mut(dlen);
            self.pack_into(w, forward, u);
            let u = &*u;
            for (gi, sg) in src.chunks(l * sdim).enumerate() {
                let imgs = sg.len() / sdim;
                self.fill(sg, (imgs, sdim), (ich, isize), id, sp);
                let (ss, ds) = (SendPtr(sp.as_mut_ptr()), SendPtr(dp.as_mut_ptr()));
                self.jobs(kern, tiles, (rows, red), u, panel, |p, [ty, tx]| {
                    let at_src = (istep * ty * id[1] + istep * tx) * l;
                    let at_dst = (ostep * ty * od[1] + ostep * tx) * l;
                    (
                        Io {
                            src: ss.get().wrapping_add(at_src),
                            cs: id[0] * id[1] * l,
                            row: id[1] * l,
                            ch: ich,
                            dst: p.0,
                            dcs: p.1,
                            drow: p.2,
                        },
                        itf,
                        Io {
                            src: p.3,
                            cs: p.4,
                            row: p.5,
                            ch: och,
                            dst: ds.get().wrapping_add(at_dst),
                            dcs: od[0] * od[1] * l,
                            drow: od[1] * l,
                        },
                        otf,
                    )
                });
                // SAFETY: the group's images lie inside `y`.
                self.unfill(dp, od, lo, (och, osize), SendPtr(unsafe { out.get().add(gi * l * ddim) }), (imgs, ddim));
            }
        });
        y
    }

    /// The jobs of one group: runs of [`Poly::job_positions`] tile positions, each transforming
    /// its tiles into `V` (`red` rows per point), running the products with `u` (`rows` output
    /// rows) into `M` and transforming `M` out. `io(v, position)` names, for the position's
    /// vector of tiles, the input transform's source and the output transform's destination;
    /// `v` is `(V, row stride, point stride, M, row stride, point stride)` at the position.
    #[allow(clippy::type_complexity)]
    fn jobs<T: Elem>(
        &self,
        kern: &Kernel<T>,
        tiles: [usize; 2],
        (rows, red): (usize, usize),
        u: &[T],
        panel: usize,
        io: impl Fn(
            (*mut T, usize, usize, *const T, usize, usize),
            [usize; 2],
        ) -> (Io<T>, TransformFn<T>, Io<T>, TransformFn<T>)
        + Sync,
    ) {
        let (l, mr, nb) = (self.lanes, self.mr, self.nb);
        let tile = kern.wino(false).0;
        let positions = tiles[0] * tiles[1];
        let per_job = self.job_positions(rows, red);
        let rs = per_job * l;
        let (pv, pm) = (red * rs + PLANE_SKEW, rows * rs + PLANE_SKEW);
        let offs: Vec<usize> = (0..red).map(|k| k * rs).collect();
        let blocks = rows.div_ceil(mr);
        (0..positions.div_ceil(per_job)).into_par_iter().for_each(|job| {
            let (p0, p1) = (job * per_job, ((job + 1) * per_job).min(positions));
            with_buffers::<T, _>([POINTS * pv, POINTS * pm], |v, m| {
                let (v, m) = (v.as_mut_ptr(), m.as_mut_ptr());
                // SAFETY: each position's vectors lie in row slots `s l .. (s + 1) l < rs` of `V`
                // and `M`; the products read `(p1 - p0) l` rounded up to `nb <= rs` of each row
                // (the last slot's values past the job are computed and not transformed out);
                // `io` names sources and destinations inside the group buffers.
                unsafe {
                    for (s, p) in (p0..p1).enumerate() {
                        let (i, f, _, _) =
                            io((v.add(s * l), rs, pv, m.add(s * l), rs, pm), [p / tiles[1], p % tiles[1]]);
                        f(i);
                    }
                    let groups = ((p1 - p0) * l).div_ceil(nb);
                    for xi in 0..POINTS {
                        for b in 0..blocks {
                            let wp = u.as_ptr().add((b * POINTS + xi) * panel);
                            let r = mr.min(rows - b * mr);
                            for grp in 0..groups {
                                tile(
                                    wp,
                                    &offs,
                                    v.add(xi * pv + grp * nb),
                                    m.add(xi * pm + b * mr * rs + grp * nb),
                                    rs,
                                    r,
                                );
                            }
                        }
                    }
                    for (s, p) in (p0..p1).enumerate() {
                        let (_, _, o, f) =
                            io((v.add(s * l), rs, pv, m.add(s * l), rs, pm), [p / tiles[1], p % tiles[1]]);
                        f(o);
                    }
                }
            })
        });
    }

    /// The weight gradient `(o, c, 4, 4)` from `x (n, c, H, W)` and `dy (n, o, H / 2, W / 2)`,
    /// or `None` where no weight-gradient tile of `vkern` fits the output channels.
    ///
    /// Tasks own runs of input channels: each transforms its channels' tiles and every output
    /// channel's `A dy A^T` (the cheaper transform: 4 loads per tile and channel against 36), and
    /// adds `V[xi] (4 c x tiles) * (A dy A^T)[xi]^T` into its own sums on the channel-vectorised
    /// weight-gradient tile, which accumulates in place. The jobs cut the tiles the same way
    /// whatever the task count, so the result does not depend on the thread count.
    pub(crate) fn weight_gradient<T: Elem>(
        &self,
        (kern, vkern): (&Kernel<T>, &VecKernel<T>),
        x: &[T],
        dy: &[T],
    ) -> Option<Vec<T>> {
        let (c, o, l) = (self.c, self.o, self.lanes);
        let (mv, kt, gtile) = vkern.grad_tile_for(o).filter(|&(_, kt, _)| kt <= 16)?;
        // Output channels per tile call, and their blocks: the sums are `(xi, block, row, bw)`.
        let bw = mv * vkern.lanes();
        let tasks = rayon::current_num_threads().min(c / MIN_CHANNELS).max(1);
        let cpt = c.div_ceil(tasks);
        // Jobs of the same tiles whatever the task count: each job's sums are added to the
        // totals as one (the tile sums over a job's tiles in its registers first).
        let per_job = self.job_positions(o, 4 * c);
        let rs = per_job * l;
        let (pv, pm) = (4 * cpt * rs + PLANE_SKEW, o * rs + PLANE_SKEW);
        let (xd, dd) = (self.x_dims(), Self::dy_dims(self.tiles));
        let (xdim, ydim) = (c * self.size[0] * self.size[1], o * self.out[0] * self.out[1]);
        assert!(x.len() == self.n * xdim && dy.len() == self.n * ydim);
        let fns = kern.poly().0;
        let positions = self.tiles[0] * self.tiles[1];
        let bases: Vec<usize> = (0..rs).collect();
        // Task `t`'s sums over its `cs` channels: point `xi`, block `ob` of output channels, row
        // `q * cs + ci` at `((xi * blocks + ob) * 4 * cs + q * cs + ci) * bw`, then `bw` values.
        let blocks = o / bw;
        let mut sums: Vec<Vec<T>> = (0..tasks)
            .map(|t| vec![T::default(); POINTS * blocks * 4 * cpt.min(c.saturating_sub(t * cpt)) * bw])
            .collect();
        // `fill` writes every value of the buffers before the tasks read them.
        with_buffers([c * xd[0] * xd[1] * l, o * dd[0] * dd[1] * l], |xp, dp| {
            for (xg, dg) in x.chunks(l * xdim).zip(dy.chunks(l * ydim)) {
                let imgs = xg.len() / xdim;
                self.fill(xg, (imgs, xdim), (c, self.size), xd, xp);
                self.fill(dg, (imgs, ydim), (o, self.out), dd, dp);
                let (xp, dp) = (&*xp, &*dp);
                sums.par_iter_mut().enumerate().for_each(|(t, sum)| {
                    let (c0, cs) = (t * cpt, cpt.min(c - t * cpt));
                    if cs == 0 {
                        return;
                    }
                    let k = 4 * cs;
                    for p0 in (0..positions).step_by(per_job) {
                        let p1 = (p0 + per_job).min(positions);
                        let len = (p1 - p0) * l;
                        with_buffers::<T, _>([POINTS * pv + len * o, POINTS * pm + kt * bw], |v, rest| {
                            let (m, tmp) = rest.split_at_mut(POINTS * pm);
                            let (dt, v) = v.split_at_mut(len * o);
                            let (vp, mp) = (v.as_mut_ptr(), m.as_mut_ptr());
                            // SAFETY: the patches lie inside the padded group buffers (rows `4 ty
                            // - 1 .. 4 ty + 4` of x at padded row `4 ty`, rows `2 ty, 2 ty + 1` of
                            // dy at padded row `2 ty + 1`); the points' rows inside `V` and `M`.
                            unsafe {
                                for (s, p) in (p0..p1).enumerate() {
                                    let (ty, tx) = (p / self.tiles[1], p % self.tiles[1]);
                                    let row = xd[1] * l;
                                    let xs = xp.as_ptr().add(c0 * xd[0] * row + (4 * ty * xd[1] + 4 * tx) * l);
                                    (fns.phases)(Io {
                                        src: xs,
                                        cs: xd[0] * row,
                                        row,
                                        ch: cs,
                                        dst: vp.add(s * l),
                                        dcs: rs,
                                        drow: pv,
                                    });
                                    let row = dd[1] * l;
                                    let ds = dp.as_ptr().add(((2 * ty + 1) * dd[1] + 2 * tx + 1) * l);
                                    (fns.grad)(Io {
                                        src: ds,
                                        cs: dd[0] * row,
                                        row,
                                        ch: o,
                                        dst: mp.add(s * l),
                                        dcs: rs,
                                        drow: pm,
                                    });
                                }
                            }
                            for xi in 0..POINTS {
                                // The point's `A dy A^T` tile-major, output channels contiguous.
                                transpose(&m[xi * pm..], rs, dt, o, (o, len));
                                for ob in 0..blocks {
                                    let out = &mut sum[(xi * blocks + ob) * k * bw..][..k * bw];
                                    for k0 in (0..k).step_by(kt) {
                                        let rows = kt.min(k - k0);
                                        // A short last run repeats its last row and runs on a
                                        // copy of its sums, to which the tile adds its register
                                        // sums as it does for a full run.
                                        let mut xs = [std::ptr::null::<T>(); 16];
                                        for (r, x) in xs[..kt].iter_mut().enumerate() {
                                            *x = v[xi * pv + (k0 + r.min(rows - 1)) * rs..].as_ptr();
                                        }
                                        let dst = if rows == kt {
                                            out[k0 * bw..].as_mut_ptr()
                                        } else {
                                            tmp[..rows * bw].copy_from_slice(&out[k0 * bw..][..rows * bw]);
                                            tmp.as_mut_ptr()
                                        };
                                        // SAFETY: `dt` holds `len` rows of `o` values (this block's
                                        // `bw` from `ob * bw`), every row of `xs` `len` values, `dst`
                                        // `kt * bw` values; the CPU runs `vkern`'s builds.
                                        unsafe { gtile(dt[ob * bw..].as_ptr(), o, &xs[..kt], &bases[..len], dst) };
                                        if rows < kt {
                                            out[k0 * bw..][..rows * bw].copy_from_slice(&tmp[..rows * bw]);
                                        }
                                    }
                                }
                            }
                        });
                    }
                });
            }
        });
        // G^T dU G per pair and phase, into (o, c, 4, 4): a block of output channels per task,
        // reading each point's sums in runs of `bw` channels.
        let mut dw = vec![T::default(); o * c * 16];
        dw.par_chunks_exact_mut(bw * c * 16).enumerate().for_each(|(ob, dwb)| {
            let mut stage = vec![T::default(); 16 * bw];
            for ci in 0..c {
                let (t, cl) = (ci / cpt, ci % cpt);
                let cs = cpt.min(c - t * cpt);
                let sum = &sums[t];
                for q in 0..4 {
                    let (qy, qx) = (q / 2, q % 2);
                    let pt = |xi: usize| &sum[((xi * blocks + ob) * 4 * cs + q * cs + cl) * bw..][..bw];
                    for j in 0..bw {
                        let g = untransform_kernel(|xi| pt(xi)[j]);
                        for (p, gp) in g.iter().enumerate() {
                            for (pp, &v) in gp.iter().enumerate() {
                                stage[((2 * p + qy) * 4 + 2 * pp + qx) * bw + j] = v;
                            }
                        }
                    }
                }
                for j in 0..bw {
                    for tap in 0..16 {
                        dwb[j * c * 16 + ci * 16 + tap] = stage[tap * bw + j];
                    }
                }
            }
        });
        Some(dw)
    }
}

#[cfg(test)]
mod tests {
    use super::super::conv_direct::Kernels;
    use super::super::conv_direct::tests::{best_of, max_diff, on_every_build, values};
    use super::super::conv_gemm::{conv_fwd_gemm, geometry, grad_w_gemm, grad_x_gemm};
    use super::super::conv_vec::VecKernels;
    use super::*;

    /// `G g G^T` by hand: a kernel of ones gives `G`'s row sums `[1, 2, 1]` multiplied, a single
    /// 1 at `(0, 1)` the products of `G`'s first column `[1, 1, 0]` (rows) and its second `[0,
    /// 1, 1]` (columns). `G^T s G` of the points of `G g G^T` is the kernel again scaled by
    /// `G^T G = [[2, 1], [1, 2]]` on each side.
    #[test]
    fn kernel_transforms_known_answers() {
        let u = transform_kernel([[1.0f64, 1.0], [1.0, 1.0]]);
        assert_eq!(u, [1.0, 2.0, 1.0, 2.0, 4.0, 2.0, 1.0, 2.0, 1.0]);
        let u = transform_kernel([[0.0f64, 1.0], [0.0, 0.0]]);
        assert_eq!(u, [0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
        // G^T G = [[2, 1], [1, 2]]; for g = [[0, 1], [0, 0]]: [[2,1],[1,2]] g [[2,1],[1,2]] =
        // [[1, 2], [2, 4]] (row 0 of the left factor times column 1 of g, times the right one).
        let g = untransform_kernel(|xi| u[xi]);
        assert_eq!(g, [[2.0, 4.0], [1.0, 2.0]]);
    }

    /// The packed kernel against `G g G^T` of each pair's phase kernel, one at a time: both
    /// directions, channel counts on and off the register tile's rows, zero past the last row.
    #[test]
    fn pack_matches_the_kernel_transform() {
        let Some(kern) = f32::kernels().into_iter().next() else { return };
        let mr = kern.regular_tile().0;
        for (c, o) in [(8, 16), (12, 20), (9, 13)] {
            let g = geometry(&[16, c, 8, 8], &[o, c, 4, 4], &[1, 1], &[2, 2], &[1, 1]).unwrap();
            let poly = Poly::new(&kern, &g).unwrap();
            let w: Vec<f32> = values(o * c * 16, 0.91);
            for forward in [true, false] {
                let (u, panel) = poly.pack(&w, forward);
                let (rows, red) = if forward { (o, 4 * c) } else { (4 * c, o) };
                for r in 0..rows.next_multiple_of(mr) {
                    for k in 0..red {
                        // (output channel, input channel, phase) of this row and input.
                        let (oi, ci, q) = if forward { (r, k % c, k / c) } else { (k, r % c, r / c) };
                        let want = if r < rows {
                            let (qy, qx) = (q / 2, q % 2);
                            let f = |p: usize| if forward { p } else { 1 - p };
                            transform_kernel(std::array::from_fn(|p| {
                                std::array::from_fn(|pp| w[((oi * c + ci) * 4 + 2 * f(p) + qy) * 4 + 2 * f(pp) + qx])
                            }))
                        } else {
                            [0.0; POINTS]
                        };
                        for (xi, &v) in want.iter().enumerate() {
                            let got = u[((r / mr) * POINTS + xi) * panel + k * mr + r % mr];
                            // (The two sum the taps in different orders: rounding apart.)
                            assert!(
                                (got - v).abs() < 1e-6,
                                "{forward} ({c}, {o}) row {r} input {k} point {xi}: {got} vs {v}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// Forward, input and weight gradients against im2col + GEMM for `kern`: the DCGAN layers
    /// (64 -> 128 on 14 x 14 and 1 -> ... is declined), odd output planes (a half-empty last
    /// tile) and even ones (the input gradient's extra phase tile), rectangular planes, channel
    /// counts off the register tile, and batches that leave a group's lanes partly empty.
    fn check<T: Elem + VecKernels + From<f32> + Into<f64>>(kern: &Kernel<T>, tol: f64) {
        let lanes = kern.poly().1;
        // (images as a multiple of the lanes plus extra, c, o, h, w)
        let cases: &[(usize, usize, usize, usize, usize, usize)] = &[
            (4, 0, 64, 128, 14, 14),
            (1, 0, 8, 8, 8, 8),
            (1, 0, 12, 20, 6, 10),
            (2, 0, 16, 8, 16, 4),
            (1, 0, 8, 16, 2, 2),
            (1, 0, 9, 13, 28, 28),
        ];
        for &(groups, extra, c, o, h, w) in cases {
            let n = groups * lanes + extra;
            let case = (n, c, o, h, w);
            let g = geometry(&[n, c, h, w], &[o, c, 4, 4], &[1, 1], &[2, 2], &[1, 1]).unwrap();
            let x: Vec<T> = values(n * c * h * w, 0.37);
            let wt: Vec<T> = values(o * c * 16, 0.91);
            let poly = Poly::new(kern, &g).expect("the plan");
            let ours = poly.forward(kern, &x, &wt);
            let refr = conv_fwd_gemm(&g, &x, &wt);
            assert!(max_diff(&ours, &refr) < tol, "forward {case:?}: {}", max_diff(&ours, &refr));
            let dy: Vec<T> = values(refr.len(), 0.53);
            let ours = poly.input_gradient(kern, &wt, &dy);
            let refr = grad_x_gemm(&g, &wt, &dy);
            assert!(max_diff(&ours, &refr) < tol, "input gradient {case:?}: {}", max_diff(&ours, &refr));
            let refr = grad_w_gemm(&g, &x, &dy);
            let wtol = tol * ((n * g.out.iter().product::<usize>()) as f64).sqrt();
            for vk in T::vec_kernels() {
                match poly.weight_gradient((kern, &vk), &x, &dy) {
                    Some(ours) => {
                        assert!(max_diff(&ours, &refr) < wtol, "weight gradient {case:?}: {}", max_diff(&ours, &refr))
                    }
                    // Declined only where the output channels are no multiple of the vectors.
                    None => assert!(o % vk.lanes() != 0, "weight gradient declined {case:?}"),
                }
            }
        }
    }

    /// The weight gradient is the same, bit for bit, on 1, 2 and 3 threads (tasks of different
    /// channel runs, whose last runs of the weight-gradient tile fall at other rows).
    #[test]
    fn polyphase_weight_gradient_does_not_depend_on_threads() {
        let (Some(kern), Some(vk)) = (f32::kernels().into_iter().next(), f32::vec_kernels().into_iter().next()) else {
            return;
        };
        let lanes = kern.poly().1;
        let g = geometry(&[2 * lanes, 40, 14, 14], &[32, 40, 4, 4], &[1, 1], &[2, 2], &[1, 1]).unwrap();
        let x: Vec<f32> = values(g.n * g.c * 196, 0.37);
        let dy: Vec<f32> = values(g.n * g.o * 49, 0.53);
        let poly = Poly::new(&kern, &g).unwrap();
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| poly.weight_gradient((&kern, &vk), &x, &dy)).expect("the weight gradient")
        };
        let one = on(1);
        for threads in [2, 3] {
            let other = on(threads);
            let differ = one.iter().zip(&other).filter(|(a, b)| a.to_bits() != b.to_bits()).count();
            assert_eq!(differ, 0, "{differ} of {} values differ on {threads} threads", one.len());
        }
    }

    #[test]
    fn polyphase_matches_im2col_gemm_every_build() {
        on_every_build(|k| check(&k, 1e-4), |k| check(&k, 1e-12));
    }

    /// Times the DCGAN layer (64 -> 128 channels on 14 x 14, batch 64) on this path and on the
    /// channel-vectorised kernels: `cargo test --release -p scidl-core --lib poly_timing --
    /// --ignored --nocapture`. With `POLY_ONLY` set (`f`, `x` or `w`) it runs only that pass of
    /// this path, 200 times, for a profiler.
    #[test]
    #[ignore]
    fn poly_timing() {
        use super::super::conv_vec;
        let Some(kern) = f32::kernels().into_iter().next() else { return };
        let Some(vk) = f32::vec_kernels().into_iter().next() else { return };
        let g = geometry(&[64, 64, 14, 14], &[128, 64, 4, 4], &[1, 1], &[2, 2], &[1, 1]).unwrap();
        let x: Vec<f32> = values(g.n * g.c * 196, 0.37);
        let w: Vec<f32> = values(g.o * g.kdim(), 0.91);
        let dy: Vec<f32> = values(g.n * g.o * 49, 0.53);
        let poly = Poly::new(&kern, &g).unwrap();
        let best = |f: &dyn Fn()| best_of(10, f) * 1e3;
        if let Ok(only) = std::env::var("POLY_ONLY") {
            for _ in 0..200 {
                match only.as_str() {
                    "w" => drop(poly.weight_gradient((&kern, &vk), &x, &dy)),
                    "x" => drop(poly.input_gradient(&kern, &w, &dy)),
                    _ => drop(poly.forward(&kern, &x, &w)),
                }
            }
            return;
        }
        for _ in 0..2 {
            let fwd = best(&|| drop(poly.forward(&kern, &x, &w)));
            let gx = best(&|| drop(poly.input_gradient(&kern, &w, &dy)));
            let gw = best(&|| drop(poly.weight_gradient((&kern, &vk), &x, &dy)));
            eprintln!("polyphase: forward {fwd:.2} ms, input gradient {gx:.2} ms, weight gradient {gw:.2} ms");
            let fwd = best(&|| drop(conv_vec::conv_fwd(&vk, &g, &x, &w)));
            let gx = best(&|| drop(conv_vec::grad_x(&vk, &g, &w, &dy)));
            let gw = best(&|| drop(conv_vec::grad_w(&vk, &g, &x, &dy)));
            eprintln!("channel-vectorised: forward {fwd:.2} ms, input gradient {gx:.2} ms, weight gradient {gw:.2} ms");
        }
    }
}
