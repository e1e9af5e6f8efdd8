//! 2-D convolution on the CPU as im2col + one GEMM per image, with a hand-written backward
//! (`dW = sum_n dY_n cols_n^T`, `dX_n = col2im(W^T dY_n)`), parallel over the batch.
//!
//! Candle 0.11's CPU convolution computes the input gradient as a direct transposed convolution
//! (one dot product per output pixel, parallel over output channels only) and the weight gradient
//! as a convolution with the image as kernel; its backward also mis-pads the width when height and
//! width leave different remainders under a stride. This op replaces both and skips the input
//! gradient when the input needs none (the first layer). Other devices and dtypes use Candle's
//! kernels. Shapes: `x (N, C, H, W)`, `w (O, C, kh, kw)` -> `(N, O, Ho, Wo)`, one group.
//!
//! Stride-1 convolutions whose shapes suit it (see `conv_direct`) skip im2col: their forward,
//! input and weight gradients go to the direct kernels, which read the padded input in place.
//! Where that plan declines, shapes whose channels fill the vectors go to the channel-vectorised
//! kernels (`conv_vec`: any stride, small planes, transposed convolutions); im2col + GEMM is left
//! for the rest.

use super::conv_direct::{Kernel, Plan};
use super::conv_poly::Poly;
use super::conv_vec::{self, VecKernel};
use super::conv_wino::Plan as WinoPlan;
use super::cpu::{dispatch2, mm_strided, uninit_vec};
use crate::{Error, Result};
use candle_core::{CpuStorage, CustomOp2, DType, Layout, Shape, Tensor};
use gemm::Parallelism;
use rayon::prelude::*;

/// Geometry of one convolution, 2-D or 3-D (a 2-D convolution has depth 1 in every `[_; 3]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvGeom {
    /// Batch.
    pub n: usize,
    /// Input channels.
    pub c: usize,
    /// Output channels.
    pub o: usize,
    /// Spatial dims of the tensors: 2 or 3.
    pub spatial: usize,
    /// Input depth, height, width.
    pub size: [usize; 3],
    /// Kernel depth, height, width.
    pub k: [usize; 3],
    /// Padding (depth, height, width).
    pub pad: [usize; 3],
    /// Stride (depth, height, width).
    pub stride: [usize; 3],
    /// Dilation (depth, height, width).
    pub dil: [usize; 3],
    /// Output depth, height, width.
    pub out: [usize; 3],
}

impl ConvGeom {
    /// The padding `dil * (k - 1) - pad` of the output gradient that makes the input gradient a
    /// convolution with the flipped kernel, or `None` where the padding exceeds the kernel's reach.
    pub(super) fn flip_pad(&self) -> Option<[usize; 3]> {
        let fp = [0, 1, 2].map(|i| (self.dil[i] * (self.k[i] - 1)).checked_sub(self.pad[i]));
        Some([fp[0]?, fp[1]?, fp[2]?])
    }

    pub(super) fn kdim(&self) -> usize {
        self.c * self.k.iter().product::<usize>()
    }
    fn pdim(&self) -> usize {
        self.out.iter().product()
    }
    /// Elements of one input image.
    fn xdim(&self) -> usize {
        self.c * self.size.iter().product::<usize>()
    }
    /// A tensor shape `(n, ch, spatial...)` with this geometry's rank.
    fn shape(&self, n: usize, ch: usize, dims: [usize; 3]) -> Shape {
        let mut v = vec![n, ch];
        v.extend_from_slice(&dims[3 - self.spatial..]);
        Shape::from(v)
    }
}

/// Computes the geometry of a 2-D (`x (N,C,H,W)`, `w (O,C,kh,kw)`, two-element settings) or 3-D
/// (`x (N,C,D,H,W)`, `w (O,C,kd,kh,kw)`, three-element settings) convolution, checking that the
/// kernel fits.
pub fn geometry(xd: &[usize], wd: &[usize], pad: &[usize], stride: &[usize], dil: &[usize]) -> Result<ConvGeom> {
    let spatial = xd.len().saturating_sub(2);
    if !(spatial == 2 || spatial == 3) || wd.len() != xd.len() || [pad.len(), stride.len(), dil.len()] != [spatial; 3] {
        return Err(Error::Shape(format!(
            "conv expects x (N,C,[D,]H,W) and w (O,C,[kd,]kh,kw) with one setting per spatial dim, got {xd:?}, {wd:?}"
        )));
    }
    if xd[2..].contains(&0) || wd[2..].contains(&0) {
        return Err(Error::Shape(format!("conv: empty spatial dims in x {xd:?} or kernel {wd:?}")));
    }
    let (n, c, o, c2) = (xd[0], xd[1], wd[0], wd[1]);
    if c == 0 || o == 0 {
        return Err(Error::Shape(format!("conv: no input or output channels in x {xd:?}, kernel {wd:?}")));
    }
    if c != c2 {
        return Err(Error::Shape(format!("conv: input has {c} channels, kernel {wd:?} expects {c2}")));
    }
    if stride.contains(&0) || dil.contains(&0) {
        return Err(Error::Config("conv stride and dilation must be at least 1".into()));
    }
    let lift = |v: &[usize], fill: usize| {
        let mut a = [fill; 3];
        a[3 - spatial..].copy_from_slice(v);
        a
    };
    let (size, k) = (lift(&xd[2..], 1), lift(&wd[2..], 1));
    let (pad, stride, dil) = (lift(pad, 0), lift(stride, 1), lift(dil, 1));
    let mut out = [1; 3];
    for i in 0..3 {
        let span = dil[i] * (k[i] - 1) + 1;
        if size[i] + 2 * pad[i] < span || k[i] == 0 {
            return Err(Error::Shape(format!(
                "conv: kernel {wd:?} (dilation {dil:?}) exceeds the padded input {xd:?} (padding {pad:?})"
            )));
        }
        out[i] = (size[i] + 2 * pad[i] - span) / stride[i] + 1;
    }
    Ok(ConvGeom { n, c, o, spatial, size, k, pad, stride, dil, out })
}

/// Convolution (cross-correlation) of `x` with `w`; CPU f32/f64 goes through im2col + GEMM.
pub fn conv2d(x: &Tensor, w: &Tensor, pad: [usize; 2], stride: [usize; 2], dil: [usize; 2]) -> Result<Tensor> {
    let g = geometry(x.dims(), w.dims(), &pad, &stride, &dil)?;
    if x.device().is_cpu() && matches!(x.dtype(), DType::F32 | DType::F64) && w.dtype() == x.dtype() {
        return Ok(x.contiguous()?.apply_op2(&w.contiguous()?, ConvOp { g })?);
    }
    if pad[0] != pad[1] || stride[0] != stride[1] || dil[0] != dil[1] {
        return Err(Error::Config("anisotropic conv2d parameters are only implemented on the CPU".into()));
    }
    Ok(x.conv2d(w, pad[0], stride[0], dil[0], 1)?)
}

/// Transposed convolution (PyTorch's `conv_transpose2d`, one group): `x (N, C_in, H, W)`,
/// `w (C_in, C_out, kh, kw)` -> `(N, C_out, H_out, W_out)` with
/// `H_out = (H - 1) stride - 2 pad + dil (kh - 1) + out_pad + 1`.
///
/// It is the adjoint of the convolution from `(N, C_out, H_out, W_out)` with kernel `w` read as
/// `(O = C_in, C = C_out, kh, kw)`, so on the CPU in f32/f64 it reuses that convolution's kernels:
/// the forward is the convolution's input gradient (one GEMM + col2im per image), the input
/// gradient its forward (im2col + GEMM), the weight gradient its weight gradient with the roles of
/// image and output gradient swapped. Candle 0.11's CPU version is a direct loop parallel over
/// output channels only.
pub fn conv_transpose2d(
    x: &Tensor,
    w: &Tensor,
    pad: [usize; 2],
    out_pad: [usize; 2],
    stride: [usize; 2],
    dil: [usize; 2],
) -> Result<Tensor> {
    if x.rank() != 4 || w.rank() != 4 {
        return Err(Error::Shape(format!(
            "conv_transpose2d expects x (N,C_in,H,W) and w (C_in,C_out,kh,kw), got {:?} and {:?}",
            x.dims(),
            w.dims()
        )));
    }
    if (0..2).any(|i| stride[i] == 0 || dil[i] == 0 || out_pad[i] >= stride[i].max(dil[i])) {
        return Err(Error::Config(format!(
            "conv_transpose2d: stride {stride:?} and dilation {dil:?} must be >= 1, output padding {out_pad:?} below one of them"
        )));
    }
    // Output padding of at least the stride (allowed below the dilation) goes to Candle's kernel.
    let fast = x.device().is_cpu()
        && matches!(x.dtype(), DType::F32 | DType::F64)
        && w.dtype() == x.dtype()
        && out_pad.iter().zip(&stride).all(|(o, s)| o < s);
    if fast {
        return conv_transpose_gemm(x, w, &pad, &out_pad, &stride, &dil);
    }
    if pad[0] != pad[1] || stride[0] != stride[1] || dil[0] != dil[1] || out_pad[0] != out_pad[1] {
        return Err(Error::Config("anisotropic conv_transpose2d parameters are only implemented on the CPU".into()));
    }
    Ok(x.conv_transpose2d(w, pad[0], out_pad[0], stride[0], dil[0])?)
}

/// The CPU (f32/f64) transposed convolution of any rank the GEMM kernels handle (2-D or 3-D), one
/// group: `x (N, C_in, ...)`, `w (C_in, C_out, k...)`, one setting per spatial dim.
pub fn conv_transpose_gemm(
    x: &Tensor,
    w: &Tensor,
    pad: &[usize],
    out_pad: &[usize],
    stride: &[usize],
    dil: &[usize],
) -> Result<Tensor> {
    let (xd, wd) = (x.dims(), w.dims());
    let spatial = xd.len().saturating_sub(2);
    if wd.len() != xd.len() || xd.len() < 3 || xd[1] != wd[0] {
        return Err(Error::Shape(format!("conv_transpose: x {xd:?} and weight {wd:?} do not match")));
    }
    if [pad.len(), out_pad.len(), stride.len(), dil.len()] != [spatial; 4] {
        return Err(Error::Config(format!("conv_transpose: {spatial} spatial dims need one setting each")));
    }
    if xd[2..].contains(&0) || wd[2..].contains(&0) {
        return Err(Error::Shape(format!("conv_transpose: empty spatial dims in x {xd:?} or weight {wd:?}")));
    }
    if out_pad.iter().zip(stride).any(|(o, s)| o >= s) {
        // PyTorch also allows stride <= output padding < dilation; the adjoint convolution would
        // then see a window past the input, which this path does not model.
        return Err(Error::Config(format!(
            "conv_transpose: output padding {out_pad:?} must be below the stride {stride:?} on this path"
        )));
    }
    let mut out = Vec::with_capacity(spatial);
    for i in 0..spatial {
        if stride.get(i).is_none_or(|&s| s == 0)
            || dil.get(i).is_none_or(|&d| d == 0)
            || out_pad[i] >= stride[i].max(dil[i])
        {
            return Err(Error::Config(format!(
                "conv_transpose: stride {stride:?} and dilation {dil:?} must be >= 1, output padding {out_pad:?} below both"
            )));
        }
        let full = (xd[2 + i] - 1) * stride[i] + dil[i] * (wd[2 + i] - 1) + out_pad[i] + 1;
        if full <= 2 * pad[i] {
            return Err(Error::Shape(format!("conv_transpose: padding {pad:?} removes the whole output of {xd:?}")));
        }
        out.push(full - 2 * pad[i]);
    }
    let mut yd = vec![xd[0], wd[1]];
    yd.extend_from_slice(&out);
    let g = geometry(&yd, wd, pad, stride, dil)?;
    if g.out[3 - spatial..] != xd[2..] {
        return Err(Error::Shape(format!("conv_transpose: inconsistent geometry for {xd:?} and {wd:?}")));
    }
    Ok(x.contiguous()?.apply_op2(&w.contiguous()?, ConvTransposeOp { g })?)
}

/// The CPU (f32/f64) 3-D convolution through im2col + GEMM, one group: `x (N, C, D, H, W)`,
/// `w (O, C, kd, kh, kw)`.
pub fn conv3d_gemm(x: &Tensor, w: &Tensor, pad: [usize; 3], stride: [usize; 3], dil: [usize; 3]) -> Result<Tensor> {
    let g = geometry(x.dims(), w.dims(), &pad, &stride, &dil)?;
    Ok(x.contiguous()?.apply_op2(&w.contiguous()?, ConvOp { g })?)
}
/// `(x, w)` -> the transposed convolution; `g` is the geometry of the adjoint convolution.
struct ConvTransposeOp {
    g: ConvGeom,
}

impl CustomOp2 for ConvTransposeOp {
    fn name(&self) -> &'static str {
        "scidl-conv-transpose2d"
    }
    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let g = self.g;
        let what = "conv_transpose2d";
        let st = dispatch2(what, (s1, l1), (s2, l2), |x, w| grad_x(&g, w, x), |x, w| grad_x(&g, w, x))?;
        Ok((st, g.shape(g.n, g.c, g.size)))
    }
    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>)> {
        let grad = grad.contiguous()?;
        // The adjoint convolution's weight gradient with the output gradient as its image and x as
        // its output gradient; its forward (run without recording a backward) for the input gradient.
        let dw = if w.track_op() { Some(grad.apply_op2_no_bwd(x, &ConvGradW { g: self.g })?) } else { None };
        let dx = if x.track_op() { Some(grad.apply_op2_no_bwd(w, &ConvOp { g: self.g })?) } else { None };
        Ok((dx, dw))
    }
}

/// A transposed 2-D convolution layer with bias: PyTorch's `nn.ConvTranspose2d` (one group) on
/// [`conv_transpose2d`]; weight `(C_in, C_out, kh, kw)`.
#[derive(Debug, Clone)]
pub struct ConvTranspose2d {
    weight: Tensor,
    bias: Option<Tensor>,
    cfg: candle_nn::ConvTranspose2dConfig,
}

impl ConvTranspose2d {
    /// A layer from its weight, optional bias `(C_out)` and settings (groups must be 1).
    pub fn new(weight: Tensor, bias: Option<Tensor>, cfg: candle_nn::ConvTranspose2dConfig) -> Self {
        Self { weight, bias, cfg }
    }
    /// The weight `(C_in, C_out, kh, kw)`.
    pub fn weight(&self) -> &Tensor {
        &self.weight
    }

    /// The transposed convolution, then bias and activation in one fused pass.
    pub fn forward_act(&self, x: &Tensor, act: super::fused::Act) -> Result<Tensor> {
        let c = &self.cfg;
        let y =
            conv_transpose2d(x, &self.weight, [c.padding; 2], [c.output_padding; 2], [c.stride; 2], [c.dilation; 2])?;
        super::fused::bias_act(&y, self.bias.as_ref(), act)
    }
}

impl candle_core::Module for ConvTranspose2d {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.forward_act(x, super::fused::Act::Identity).map_err(candle_core::Error::wrap)
    }
}

/// The element types the GEMM path handles.
pub trait Elem:
    Copy
    + Send
    + Sync
    + Default
    + std::ops::AddAssign
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + 'static
{
    /// One.
    const ONE: Self;
    /// One half.
    const HALF: Self;
    /// `a * b + c` with one rounding (an FMA instruction where the caller's build enables it).
    fn mul_add(a: Self, b: Self, c: Self) -> Self;
    /// The direct-convolution kernel for this CPU, if it has one.
    fn direct_kernel() -> Option<Kernel<Self>>;
    /// The channel-vectorised direct-convolution kernel for this CPU, if it has one.
    fn vec_kernel() -> Option<VecKernel<Self>>;
    /// Runs `f` on this thread's scratch buffer of at least `len` elements (contents unspecified:
    /// whatever the last user left). im2col columns are rewritten in full by every use, so keeping
    /// one buffer per thread saves allocating and zeroing up to tens of MiB per convolution.
    fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [Self]) -> R) -> R;
}

/// The largest scratch buffer a thread keeps between calls (16 Mi elements: 64 MiB in f32).
const SCRATCH_KEEP: usize = 16 << 20;

macro_rules! scratch_elem {
    ($t:ty, $key:ident) => {
        thread_local! {
            static $key: std::cell::RefCell<Vec<$t>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        impl Elem for $t {
            const ONE: Self = 1.0;
            const HALF: Self = 0.5;
            #[inline(always)]
            fn mul_add(a: Self, b: Self, c: Self) -> Self {
                a.mul_add(b, c)
            }
            fn direct_kernel() -> Option<Kernel<Self>> {
                super::conv_direct::best_kernel()
            }
            fn vec_kernel() -> Option<VecKernel<Self>> {
                super::conv_vec::best_vec_kernel()
            }
            fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [Self]) -> R) -> R {
                if len > SCRATCH_KEEP {
                    // Too big to keep for the life of the thread: a buffer for this call only.
                    return f(&mut vec![0.0; len]);
                }
                $key.with(|cell| match cell.try_borrow_mut() {
                    Ok(mut buf) => {
                        if buf.len() < len {
                            buf.resize(len, 0.0);
                        }
                        f(&mut buf[..len])
                    }
                    // Re-entered on this thread (a kernel inside a kernel): a fresh buffer.
                    Err(_) => f(&mut vec![0.0; len]),
                })
            }
        }
    };
}
scratch_elem!(f32, SCRATCH_F32);
scratch_elem!(f64, SCRATCH_F64);

/// The outputs `lo..hi` of a row of `out` whose taps `o * stride + off` fall inside `0..n`, and the
/// input index of the first (`off` is the tap's offset, `j * dil - pad`).
#[inline]
fn valid_span(out: usize, stride: usize, off: isize, n: usize) -> (usize, usize, usize) {
    let s = stride as isize;
    // lo: smallest o >= 0 with o * s + off >= 0; hi: one past the largest o with o * s + off < n.
    let lo = if off >= 0 { 0 } else { ((-off + s - 1) / s) as usize };
    let last = n as isize - 1 - off;
    let hi = if last < 0 { 0 } else { ((last / s) as usize + 1).min(out) };
    let lo = lo.min(hi);
    let first = if lo < hi { (lo as isize * s + off) as usize } else { 0 };
    (lo, hi, first)
}

/// For each output row of `rows` (flattened `z * oh + y`), the input depth and row of its first
/// tap (`z * stride - pad`, `y * stride - pad`, possibly negative). Computed once per call so
/// that the tap loops add offsets instead of dividing by `oh` per tap and row (the divisions were
/// most of im2col's time on the DCGAN's 7 x 7 outputs).
fn row_origins(g: &ConvGeom, rows: std::ops::Range<usize>) -> Vec<(isize, isize)> {
    let oh = g.out[1];
    rows.map(|zy| {
        ((zy / oh * g.stride[0]) as isize - g.pad[0] as isize, (zy % oh * g.stride[1]) as isize - g.pad[1] as isize)
    })
    .collect()
}

/// The input depth and row of the tap at kernel offset `(kz, ky)` of an output row whose first
/// tap is at `origin`, or `None` when it falls in the padding.
#[inline(always)]
fn tap_row(g: &ConvGeom, origin: (isize, isize), kz: usize, ky: usize) -> Option<(usize, usize)> {
    let iz = origin.0 + (kz * g.dil[0]) as isize;
    let iy = origin.1 + (ky * g.dil[1]) as isize;
    (iz >= 0 && (iz as usize) < g.size[0] && iy >= 0 && (iy as usize) < g.size[1]).then_some((iz as usize, iy as usize))
}

/// The columns of the output rows `rows` (flattened `z * oh + y`): `kdim` rows of
/// `rows.len() * ow` values, `ld` apart in `cols` (`ld` is more than a row when several images
/// share one column matrix).
fn im2col<T: Elem>(g: &ConvGeom, x: &[T], cols: &mut [T], rows: std::ops::Range<usize>, ld: usize) {
    let ow = g.out[2];
    let [d, h, w] = g.size;
    let p = rows.len() * ow;
    let sx = g.stride[2];
    let origins = row_origins(g, rows);
    let mut r = 0;
    for c in 0..g.c {
        for kz in 0..g.k[0] {
            for ky in 0..g.k[1] {
                for kx in 0..g.k[2] {
                    let row = &mut cols[r * ld..][..p];
                    r += 1;
                    let (lo, hi, first) = valid_span(ow, sx, (kx * g.dil[2]) as isize - g.pad[2] as isize, w);
                    for (ri, &origin) in origins.iter().enumerate() {
                        let dst = &mut row[ri * ow..][..ow];
                        let Some((iz, iy)) = tap_row(g, origin, kz, ky) else {
                            dst.fill(T::default());
                            continue;
                        };
                        let src = &x[((c * d + iz) * h + iy) * w..][..w];
                        dst[..lo].fill(T::default());
                        dst[hi..].fill(T::default());
                        if sx == 1 {
                            dst[lo..hi].copy_from_slice(&src[first..first + (hi - lo)]);
                        } else {
                            for (k, v) in dst[lo..hi].iter_mut().enumerate() {
                                *v = src[first + k * sx];
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Adds the columns of the output rows `rows` (rows `ld` apart in `cols`) back onto the image
/// `dx` (which the caller zeroes).
fn col2im<T: Elem>(g: &ConvGeom, cols: &[T], dx: &mut [T], rows: std::ops::Range<usize>, ld: usize) {
    let ow = g.out[2];
    let [d, h, w] = g.size;
    let p = rows.len() * ow;
    let sx = g.stride[2];
    let origins = row_origins(g, rows);
    let mut r = 0;
    for c in 0..g.c {
        for kz in 0..g.k[0] {
            for ky in 0..g.k[1] {
                for kx in 0..g.k[2] {
                    let row = &cols[r * ld..][..p];
                    r += 1;
                    let (lo, hi, first) = valid_span(ow, sx, (kx * g.dil[2]) as isize - g.pad[2] as isize, w);
                    for (ri, &origin) in origins.iter().enumerate() {
                        let Some((iz, iy)) = tap_row(g, origin, kz, ky) else { continue };
                        let dst = &mut dx[((c * d + iz) * h + iy) * w..][..w];
                        let src = &row[ri * ow + lo..ri * ow + hi];
                        if sx == 1 {
                            dst[first..first + src.len()].iter_mut().zip(src).for_each(|(v, &s)| *v += s);
                        } else {
                            for (k, &s) in src.iter().enumerate() {
                                dst[first + k * sx] += s;
                            }
                        }
                    }
                }
            }
        }
    }
}

fn threads() -> usize {
    rayon::current_num_threads().max(1)
}

/// Parallelism inside one GEMM when the batch is too small to split across threads.
fn inner_par(g: &ConvGeom) -> Parallelism {
    if g.n >= threads() { Parallelism::None } else { Parallelism::Rayon(threads()) }
}

/// Column values per im2col slab (f32: 512 KiB), so that the columns of a slab stay in a core's
/// L2 cache between im2col writing them and the GEMM reading them, instead of spanning a whole
/// image or volume (tens of MiB for the first layers of a U-Net).
const SLAB_VALUES: usize = 128 << 10;

/// The fewest output values (GEMM columns) per slab, so that the GEMMs stay wide enough to run
/// near the micro-kernels' speed.
const SLAB_MIN_COLS: usize = 256;

/// Ranges of flattened output rows (`z * oh + y`) whose columns make one slab each.
fn slabs(g: &ConvGeom) -> impl Iterator<Item = std::ops::Range<usize>> {
    let ow = g.out[2];
    let total = g.out[0] * g.out[1];
    let per = (SLAB_VALUES / (g.kdim() * ow).max(1)).max(SLAB_MIN_COLS.div_ceil(ow)).clamp(1, total);
    (0..total.div_ceil(per)).map(move |i| i * per..((i + 1) * per).min(total))
}

/// GEMM columns a group of small images aims for.
const GROUP_COLS: usize = 512;

/// Images per column matrix. A small output (a 7 x 7 or 14 x 14 map, whose columns fill a fraction
/// of a slab) makes a narrow GEMM that repacks the whole weight matrix for a few dozen columns;
/// several images side by side share one packing and one wide GEMM. Never fewer groups than
/// threads, and 1 for images big enough to need slabs.
fn group(g: &ConvGeom) -> usize {
    let (kd, pd) = (g.kdim(), g.pdim());
    if pd >= GROUP_COLS || 2 * kd * pd > SLAB_VALUES {
        return 1;
    }
    (SLAB_VALUES / (kd * pd).max(1)).max(GROUP_COLS.div_ceil(pd)).min(g.n.div_ceil(threads())).max(1)
}

/// The `(rows x pd)` blocks of `gi` images (one after another in `src`) side by side in
/// `dst (rows x gi*pd)`.
fn gather<T: Elem>(src: &[T], dst: &mut [T], rows: usize, pd: usize, gi: usize) {
    for i in 0..gi {
        for r in 0..rows {
            dst[r * gi * pd + i * pd..][..pd].copy_from_slice(&src[(i * rows + r) * pd..][..pd]);
        }
    }
}

/// The inverse of [`gather`]: `src (rows x gi*pd)` back into one block per image.
fn scatter<T: Elem>(src: &[T], dst: &mut [T], rows: usize, pd: usize, gi: usize) {
    for i in 0..gi {
        for r in 0..rows {
            dst[(i * rows + r) * pd..][..pd].copy_from_slice(&src[r * gi * pd + i * pd..][..pd]);
        }
    }
}

/// [`conv_fwd`] for groups of `gs` small images: im2col of each image into its columns of one
/// matrix, one GEMM, and the output blocks copied back per image.
fn conv_fwd_grouped<T: Elem>(g: &ConvGeom, x: &[T], w: &[T], gs: usize) -> Vec<T> {
    let (kd, pd, o) = (g.kdim(), g.pdim(), g.o);
    let all = 0..g.out[0] * g.out[1];
    // SAFETY: every group's output blocks are copied in full from its GEMM result.
    let mut y = unsafe { uninit_vec::<T>(g.n * o * pd) };
    y.par_chunks_mut(gs * o * pd).zip(x.par_chunks(gs * g.xdim())).for_each(|(yg, xg)| {
        let gi = xg.len() / g.xdim();
        let wd = gi * pd;
        T::with_scratch((kd + o) * wd, |buf| {
            let (cols, out) = buf.split_at_mut(kd * wd);
            for (i, xi) in xg.chunks(g.xdim()).enumerate() {
                im2col(g, xi, &mut cols[i * pd..], all.clone(), wd);
            }
            // SAFETY: out (o x wd) = w (o x kd) * cols (kd x wd), row-major, disjoint.
            unsafe {
                mm_strided(
                    o,
                    wd,
                    kd,
                    (out.as_mut_ptr(), wd as isize),
                    false,
                    (w.as_ptr(), kd as isize, 1),
                    (cols.as_ptr(), wd as isize, 1),
                    Parallelism::None,
                )
            }
            scatter(out, yg, o, pd, gi);
        })
    });
    y
}

/// [`grad_w`] for groups of `gs` small images: their output gradients side by side, their
/// columns side by side, one GEMM per group.
fn grad_w_grouped<T: Elem>(g: &ConvGeom, x: &[T], dy: &[T], gs: usize) -> Vec<T> {
    let (kd, pd, o) = (g.kdim(), g.pdim(), g.o);
    let all = 0..g.out[0] * g.out[1];
    // Whole groups per thread.
    let per_thread = g.n.div_ceil(threads()).div_ceil(gs).max(1) * gs;
    x.par_chunks(per_thread * g.xdim())
        .zip(dy.par_chunks(per_thread * o * pd))
        .map(|(xt, dyt)| {
            let mut acc = vec![T::default(); o * kd];
            for (k, (xg, dyg)) in xt.chunks(gs * g.xdim()).zip(dyt.chunks(gs * o * pd)).enumerate() {
                let gi = xg.len() / g.xdim();
                let wd = gi * pd;
                T::with_scratch((kd + o) * wd, |buf| {
                    let (cols, dys) = buf.split_at_mut(kd * wd);
                    for (i, xi) in xg.chunks(g.xdim()).enumerate() {
                        im2col(g, xi, &mut cols[i * pd..], all.clone(), wd);
                    }
                    gather(dyg, dys, o, pd, gi);
                    // SAFETY: acc (o x kd) [+]= dys (o x wd) * cols^T (wd x kd); disjoint buffers.
                    unsafe {
                        mm_strided(
                            o,
                            kd,
                            wd,
                            (acc.as_mut_ptr(), kd as isize),
                            k > 0,
                            (dys.as_ptr(), wd as isize, 1),
                            (cols.as_ptr(), 1, wd as isize),
                            Parallelism::None,
                        )
                    }
                });
            }
            acc
        })
        .reduce_with(|mut a, b| {
            a.iter_mut().zip(&b).for_each(|(x, y)| *x += *y);
            a
        })
        .unwrap_or_else(|| vec![T::default(); o * kd])
}

/// [`grad_x`] for groups of `gs` small images: one GEMM makes the columns of the whole group.
fn grad_x_grouped<T: Elem>(g: &ConvGeom, w: &[T], dy: &[T], gs: usize) -> Vec<T> {
    let (kd, pd, o) = (g.kdim(), g.pdim(), g.o);
    let all = 0..g.out[0] * g.out[1];
    let mut dx = vec![T::default(); g.n * g.xdim()];
    dx.par_chunks_mut(gs * g.xdim()).zip(dy.par_chunks(gs * o * pd)).for_each(|(dxg, dyg)| {
        let gi = dxg.len() / g.xdim();
        let wd = gi * pd;
        T::with_scratch((kd + o) * wd, |buf| {
            let (cols, dys) = buf.split_at_mut(kd * wd);
            gather(dyg, dys, o, pd, gi);
            // SAFETY: cols (kd x wd) = w^T (kd x o) * dys (o x wd); disjoint buffers.
            unsafe {
                mm_strided(
                    kd,
                    wd,
                    o,
                    (cols.as_mut_ptr(), wd as isize),
                    false,
                    (w.as_ptr(), 1, kd as isize),
                    (dys.as_ptr(), wd as isize, 1),
                    Parallelism::None,
                )
            }
            for (i, dxi) in dxg.chunks_mut(g.xdim()).enumerate() {
                col2im(g, &cols[i * pd..], dxi, all.clone(), wd);
            }
        })
    });
    dx
}

/// The direct plan of a stride-1 convolution (`c -> o` channels over `size`), when it pays;
/// `forward` admits the narrow tile (forward passes and input gradients, not weight gradients).
fn direct_plan<T: Elem>(
    g: &ConvGeom,
    (c, o): (usize, usize),
    size: [usize; 3],
    pad: [usize; 3],
    forward: bool,
) -> Option<(Kernel<T>, Plan)> {
    if g.stride != [1; 3] {
        return None;
    }
    let kern = T::direct_kernel()?;
    Plan::new(&kern, forward, (c, o), size, g.k, pad, g.dil).map(|p| (kern, p))
}

/// The kernel of a forward pass or input gradient: the direct plan where it is preferred (see
/// [`Plan::preferred`]), else the channel-vectorised kernel where the channels suit it, else the
/// direct plan whatever tile it runs, else im2col + GEMM.
fn forward_kernel<T: Elem>(
    direct: Option<(Kernel<T>, Plan)>,
    run: impl FnOnce(&Kernel<T>, &Plan) -> Vec<T>,
    vec: impl FnOnce(&VecKernel<T>) -> Option<Vec<T>>,
    gemm: impl FnOnce() -> Vec<T>,
) -> Vec<T> {
    if let Some((kern, plan)) = direct.as_ref().filter(|(_, p)| p.preferred()) {
        return run(kern, plan);
    }
    if let Some(y) = T::vec_kernel().and_then(|kern| vec(&kern)) {
        return y;
    }
    match direct {
        Some((kern, plan)) => run(&kern, &plan),
        None => gemm(),
    }
}

/// The forward pass: polyphase Winograd for 2-D 4 x 4 stride-2 layers ([`Poly`]), Winograd for
/// the 3 x 3 (x 3) stride-1 layers it takes, else see [`forward_kernel`].
fn conv_fwd<T: Elem>(g: &ConvGeom, x: &[T], w: &[T]) -> Vec<T> {
    if let Some((kern, poly)) = poly_plan::<T>(g) {
        return poly.forward(&kern, x, w);
    }
    match WinoPlan::forward::<T>(g) {
        Some((kern, plan)) => plan.run(&kern, g.n, x, &plan.weights(w, false)),
        None => conv_fwd_direct(g, x, w),
    }
}

/// The polyphase Winograd plan of a 2-D 4 x 4 stride-2 layer ([`Poly`]), where it applies.
fn poly_plan<T: Elem>(g: &ConvGeom) -> Option<(Kernel<T>, Poly)> {
    let kern = T::direct_kernel()?;
    let poly = Poly::new(&kern, g)?;
    Some((kern, poly))
}

/// The forward pass without Winograd: see [`forward_kernel`].
pub(super) fn conv_fwd_direct<T: Elem>(g: &ConvGeom, x: &[T], w: &[T]) -> Vec<T> {
    forward_kernel(
        direct_plan::<T>(g, (g.c, g.o), g.size, g.pad, true),
        |kern, plan| plan.run(kern, g.n, x, &plan.pack(w)),
        |kern| conv_vec::conv_fwd(kern, g, x, w),
        || conv_fwd_gemm(g, x, w),
    )
}

/// The forward through im2col + GEMM.
pub(super) fn conv_fwd_gemm<T: Elem>(g: &ConvGeom, x: &[T], w: &[T]) -> Vec<T> {
    let gs = group(g);
    if gs > 1 {
        return conv_fwd_grouped(g, x, w, gs);
    }
    let (kd, pd) = (g.kdim(), g.pdim());
    let ow = g.out[2];
    // SAFETY: the slabs cover every output row of every image, and each GEMM writes its block
    // without reading it (accumulate = false).
    let mut y = unsafe { uninit_vec::<T>(g.n * g.o * pd) };
    let par = inner_par(g);
    y.par_chunks_mut(g.o * pd).zip(x.par_chunks(g.xdim())).for_each(|(yn, xn)| {
        for rows in slabs(g) {
            let ps = rows.len() * ow;
            T::with_scratch(kd * ps, |cols| {
                im2col(g, xn, cols, rows.clone(), ps);
                // SAFETY: yn[:, rows] is (o x ps) with rows pd apart, w is (o x kd), cols is
                // (kd x ps); all row-major and disjoint.
                unsafe {
                    mm_strided(
                        g.o,
                        ps,
                        kd,
                        (yn[rows.start * ow..].as_mut_ptr(), pd as isize),
                        false,
                        (w.as_ptr(), kd as isize, 1),
                        (cols.as_ptr(), ps as isize, 1),
                        par,
                    )
                }
            })
        }
    });
    y
}

/// The weight gradient: polyphase Winograd for 2-D 4 x 4 stride-2 layers ([`Poly`]), Winograd
/// for the 3 x 3 (x 3) stride-1 layers where it pays and the input
/// channels fill the vectors ([`WinoPlan::weight_gradient`]), else the direct dots kernel, the
/// channel-vectorised kernel or im2col + GEMM.
fn grad_w<T: Elem>(g: &ConvGeom, x: &[T], dy: &[T]) -> Vec<T> {
    if let Some((kern, poly)) = poly_plan::<T>(g)
        && let Some(dw) = T::vec_kernel().and_then(|vk| poly.weight_gradient((&kern, &vk), x, dy))
    {
        return dw;
    }
    if let Some((kern, plan)) = WinoPlan::forward::<T>(g)
        && let Some(dw) = T::vec_kernel().and_then(|vk| plan.weight_gradient((&kern, &vk), g.n, x, dy))
    {
        return dw;
    }
    if let Some((kern, plan)) = direct_plan::<T>(g, (g.c, g.o), g.size, g.pad, false) {
        return plan.grad_w(&kern, g.n, x, dy);
    }
    if let Some(dw) = T::vec_kernel().and_then(|kern| conv_vec::grad_w(&kern, g, x, dy)) {
        return dw;
    }
    grad_w_gemm(g, x, dy)
}

/// The weight gradient through im2col + GEMM.
pub(super) fn grad_w_gemm<T: Elem>(g: &ConvGeom, x: &[T], dy: &[T]) -> Vec<T> {
    let gs = group(g);
    if gs > 1 {
        return grad_w_grouped(g, x, dy, gs);
    }
    let (kd, pd) = (g.kdim(), g.pdim());
    let ow = g.out[2];
    let par = inner_par(g);
    let chunk = g.n.div_ceil(threads()).max(1);
    (0..g.n)
        .collect::<Vec<_>>()
        .par_chunks(chunk)
        .map(|imgs| {
            let mut acc = vec![T::default(); g.o * kd];
            let mut first = true;
            for &n in imgs {
                for rows in slabs(g) {
                    let ps = rows.len() * ow;
                    T::with_scratch(kd * ps, |cols| {
                        im2col(g, &x[n * g.xdim()..][..g.xdim()], cols, rows.clone(), ps);
                        let dyn_ = &dy[n * g.o * pd + rows.start * ow..];
                        // acc (o x kd) += dy_n[:, rows] (o x ps, rows pd apart) * cols^T (ps x kd)
                        // SAFETY: buffers are sized as described and disjoint.
                        unsafe {
                            mm_strided(
                                g.o,
                                kd,
                                ps,
                                (acc.as_mut_ptr(), kd as isize),
                                !first,
                                (dyn_.as_ptr(), pd as isize, 1),
                                (cols.as_ptr(), 1, ps as isize),
                                par,
                            )
                        }
                    });
                    first = false;
                }
            }
            acc
        })
        .reduce_with(|mut a, b| {
            a.iter_mut().zip(&b).for_each(|(x, y)| *x += *y);
            a
        })
        .unwrap_or_else(|| vec![T::default(); g.o * kd])
}

/// The input gradient: polyphase Winograd for 2-D 4 x 4 stride-2 layers ([`Poly`]), Winograd for
/// the 3 x 3 (x 3) stride-1 layers it takes, else see [`forward_kernel`].
fn grad_x<T: Elem>(g: &ConvGeom, w: &[T], dy: &[T]) -> Vec<T> {
    if let Some((kern, poly)) = poly_plan::<T>(g) {
        return poly.input_gradient(&kern, w, dy);
    }
    // With stride 1 the input gradient is the convolution of the output gradient, padded by
    // `dil * (k - 1) - pad`, with the kernel flipped and its channel axes swapped.
    if let Some((kern, plan)) = WinoPlan::input_gradient::<T>(g) {
        return plan.run(&kern, g.n, dy, &plan.weights(w, true));
    }
    forward_kernel(
        g.flip_pad().and_then(|fp| direct_plan::<T>(g, (g.o, g.c), g.out, fp, true)),
        |kern, plan| plan.run(kern, g.n, dy, &plan.pack_flipped(w)),
        |kern| conv_vec::grad_x(kern, g, w, dy),
        || grad_x_gemm(g, w, dy),
    )
}

/// The input gradient through GEMM + col2im.
pub(super) fn grad_x_gemm<T: Elem>(g: &ConvGeom, w: &[T], dy: &[T]) -> Vec<T> {
    let gs = group(g);
    if gs > 1 {
        return grad_x_grouped(g, w, dy, gs);
    }
    let (kd, pd) = (g.kdim(), g.pdim());
    let ow = g.out[2];
    let par = inner_par(g);
    let mut dx = vec![T::default(); g.n * g.xdim()];
    dx.par_chunks_mut(g.xdim()).zip(dy.par_chunks(g.o * pd)).for_each(|(dxn, dyn_)| {
        for rows in slabs(g) {
            let ps = rows.len() * ow;
            T::with_scratch(kd * ps, |cols| {
                // cols (kd x ps) = w^T (kd x o) * dy_n[:, rows] (o x ps, rows pd apart)
                // SAFETY: buffers are sized as described and disjoint.
                unsafe {
                    mm_strided(
                        kd,
                        ps,
                        g.o,
                        (cols.as_mut_ptr(), ps as isize),
                        false,
                        (w.as_ptr(), 1, kd as isize),
                        (dyn_[rows.start * ow..].as_ptr(), pd as isize, 1),
                        par,
                    )
                }
                col2im(g, cols, dxn, rows.clone(), ps);
            })
        }
    });
    dx
}

struct ConvOp {
    g: ConvGeom,
}

impl CustomOp2 for ConvOp {
    fn name(&self) -> &'static str {
        "scidl-conv2d"
    }
    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let g = self.g;
        let st = dispatch2("conv2d", (s1, l1), (s2, l2), |x, w| conv_fwd(&g, x, w), |x, w| conv_fwd(&g, x, w))?;
        Ok((st, g.shape(g.n, g.o, g.out)))
    }
    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>)> {
        let grad = grad.contiguous()?;
        let dw = if w.track_op() { Some(x.apply_op2_no_bwd(&grad, &ConvGradW { g: self.g })?) } else { None };
        let dx = if x.track_op() { Some(w.apply_op2_no_bwd(&grad, &ConvGradX { g: self.g })?) } else { None };
        Ok((dx, dw))
    }
}

struct ConvGradW {
    g: ConvGeom,
}

impl CustomOp2 for ConvGradW {
    fn name(&self) -> &'static str {
        "scidl-conv2d-grad-w"
    }
    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let g = self.g;
        let st = dispatch2("conv2d", (s1, l1), (s2, l2), |x, dy| grad_w(&g, x, dy), |x, dy| grad_w(&g, x, dy))?;
        Ok((st, g.shape(g.o, g.c, g.k)))
    }
}

struct ConvGradX {
    g: ConvGeom,
}

impl CustomOp2 for ConvGradX {
    fn name(&self) -> &'static str {
        "scidl-conv2d-grad-x"
    }
    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let g = self.g;
        let st = dispatch2("conv2d", (s1, l1), (s2, l2), |w, dy| grad_x(&g, w, dy), |w, dy| grad_x(&g, w, dy))?;
        Ok((st, g.shape(g.n, g.c, g.size)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var};

    fn t(n: usize, shape: &[usize], k: f32) -> Tensor {
        let v: Vec<f32> = (0..n).map(|i| ((i as f32 * k).sin() * 0.7) + 0.05).collect();
        Tensor::from_vec(v, shape, &Device::Cpu).unwrap()
    }

    /// The branch-free span of valid taps equals a brute-force scan.
    #[test]
    fn valid_span_matches_brute_force() {
        for out in 0..7 {
            for stride in 1..4 {
                for off in -5isize..5 {
                    for n in 0..9 {
                        let valid: Vec<usize> = (0..out)
                            .filter(|&o| (0..n as isize).contains(&(o as isize * stride as isize + off)))
                            .collect();
                        let (lo, hi, first) = valid_span(out, stride, off, n);
                        assert_eq!((lo..hi).collect::<Vec<_>>(), valid, "{out} {stride} {off} {n}");
                        if lo < hi {
                            assert_eq!(first as isize, lo as isize * stride as isize + off);
                        }
                    }
                }
            }
        }
    }

    /// Runs `f` on rayon pools of 1, 2 and 3 threads: the batch is split into image groups and
    /// slabs by thread count, so each count takes other paths.
    fn on_pools(f: impl Fn() + Sync) {
        for threads in [1, 2, 3] {
            rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(&f);
        }
    }

    /// Compares forward and both gradients with Candle's reference kernels on odd shapes, on 1-3
    /// threads (small images go through the grouped path, big ones through slabs).
    #[test]
    fn matches_candle_reference_on_odd_shapes() {
        on_pools(matches_candle_reference_on_odd_shapes_here);
    }

    fn matches_candle_reference_on_odd_shapes_here() {
        for &(n, c, h, w, o, k, p, s, d) in &[
            (2, 3, 7, 9, 4, 3, 1, 1, 1),
            (3, 2, 8, 8, 5, 3, 0, 2, 1),
            (1, 4, 9, 9, 3, 3, 2, 2, 2),
            (2, 1, 6, 5, 2, 1, 0, 1, 1),
            (4, 3, 5, 5, 2, 5, 2, 1, 1),
            // Seven small images: groups of 7, 4 + 3 or 3 + 3 + 1 on 1, 2 or 3 threads.
            (7, 4, 7, 7, 6, 4, 1, 2, 1),
            // Big enough for several im2col slabs (72 x 66 columns per output row: 27 rows per
            // slab), strided and dilated ones too.
            (1, 8, 70, 66, 3, 3, 1, 1, 1),
            (2, 5, 67, 67, 2, 3, 2, 2, 2),
            // Channel counts the direct (stride-1) path takes where the CPU has AVX2 or AVX-512:
            // forward and weight gradient; all three.
            (2, 3, 20, 24, 16, 3, 1, 1, 1),
            (2, 16, 20, 24, 8, 3, 1, 1, 1),
        ] {
            let x = Var::from_tensor(&t(n * c * h * w, &[n, c, h, w], 0.37)).unwrap();
            let wt = Var::from_tensor(&t(o * c * k * k, &[o, c, k, k], 0.91)).unwrap();
            let ours = conv2d(x.as_tensor(), wt.as_tensor(), [p; 2], [s; 2], [d; 2]).unwrap();
            let refr = x.as_tensor().conv2d(wt.as_tensor(), p, s, d, 1).unwrap();
            let diff =
                |a: &Tensor, b: &Tensor| (a - b).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap();
            assert!(diff(&ours, &refr) < 1e-4, "forward {:?}", (n, c, h, w, o, k, p, s, d));
            let coeff = t(ours.elem_count(), ours.dims(), 0.53);
            let go = (ours * &coeff).unwrap().sum_all().unwrap().backward().unwrap();
            let gr = (refr * &coeff).unwrap().sum_all().unwrap().backward().unwrap();
            for v in [&x, &wt] {
                let e = diff(go.get(v.as_tensor()).unwrap(), gr.get(v.as_tensor()).unwrap());
                assert!(e < 1e-3, "grad {e} for {:?}", (n, c, h, w, o, k, p, s, d));
            }
        }
    }

    /// The transposed convolution against Candle's on odd shapes: forward, input and weight
    /// gradients, with padding, output padding, stride and dilation, on 1-3 threads.
    #[test]
    fn transposed_matches_candle_reference_on_odd_shapes() {
        on_pools(transposed_matches_candle_reference_on_odd_shapes_here);
    }

    fn transposed_matches_candle_reference_on_odd_shapes_here() {
        // (n, c_in, h, w, c_out, k, pad, out_pad, stride, dil)
        for &(n, c, h, w, o, k, p, op, s, d) in &[
            (2, 3, 5, 4, 4, 4, 1, 0, 2, 1),
            (3, 2, 4, 4, 5, 2, 0, 0, 2, 1),
            (1, 4, 3, 5, 3, 3, 1, 1, 2, 1),
            (2, 1, 6, 5, 2, 3, 0, 0, 1, 2),
            (4, 3, 3, 3, 2, 5, 2, 2, 3, 1),
            // Two im2col slabs of the adjoint convolution (8 x 16 x 40 columns per row: 25 rows).
            (1, 4, 40, 40, 8, 4, 1, 0, 2, 1),
        ] {
            let x = Var::from_tensor(&t(n * c * h * w, &[n, c, h, w], 0.37)).unwrap();
            let wt = Var::from_tensor(&t(c * o * k * k, &[c, o, k, k], 0.91)).unwrap();
            let ours = conv_transpose2d(x.as_tensor(), wt.as_tensor(), [p; 2], [op; 2], [s; 2], [d; 2]).unwrap();
            let refr = x.as_tensor().conv_transpose2d(wt.as_tensor(), p, op, s, d).unwrap();
            let case = (n, c, h, w, o, k, p, op, s, d);
            assert_eq!(ours.dims(), refr.dims(), "{case:?}");
            let diff =
                |a: &Tensor, b: &Tensor| (a - b).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap();
            assert!(diff(&ours, &refr) < 1e-4, "forward {case:?}");
            let coeff = t(ours.elem_count(), ours.dims(), 0.53);
            let go = (ours * &coeff).unwrap().sum_all().unwrap().backward().unwrap();
            let gr = (refr * &coeff).unwrap().sum_all().unwrap().backward().unwrap();
            for v in [&x, &wt] {
                let e = diff(go.get(v.as_tensor()).unwrap(), gr.get(v.as_tensor()).unwrap());
                assert!(e < 1e-3, "grad {e} for {case:?}");
            }
        }
        // Output padding below the dilation but not below the stride (PyTorch allows it): Candle's
        // kernel, same shape as PyTorch's (1, 1, 8, 8).
        let small = t(9, &[1, 1, 3, 3], 0.3);
        let y = conv_transpose2d(&small, &t(9, &[1, 1, 3, 3], 0.2), [0; 2], [1; 2], [1; 2], [2; 2]).unwrap();
        assert_eq!(y.dims(), [1, 1, 8, 8]);
        let x = t(2 * 3 * 4 * 4, &[2, 3, 4, 4], 0.3);
        assert!(conv_transpose2d(&x, &t(2 * 2 * 9, &[2, 2, 3, 3], 0.2), [0; 2], [0; 2], [1; 2], [1; 2]).is_err());
        // Empty kernels are errors, not panics.
        assert!(
            conv_transpose2d(
                &x,
                &Tensor::zeros((3, 2, 0, 3), DType::F32, &Device::Cpu).unwrap(),
                [0; 2],
                [0; 2],
                [1; 2],
                [1; 2]
            )
            .is_err()
        );
        assert!(
            conv2d(&x, &Tensor::zeros((2, 3, 3, 0), DType::F32, &Device::Cpu).unwrap(), [0; 2], [1; 2], [1; 2])
                .is_err()
        );
        assert!(conv_transpose2d(&x, &t(3 * 2 * 9, &[3, 2, 3, 3], 0.2), [0; 2], [2; 2], [2; 2], [1; 2]).is_err());
        assert!(conv_transpose2d(&x, &t(3 * 2 * 4, &[3, 2, 2, 2], 0.2), [4; 2], [0; 2], [1; 2], [1; 2]).is_err());
    }

    /// The shapes the reference test gives the direct path take it where the CPU has a kernel;
    /// the small ones and strided ones do not.
    #[test]
    fn direct_path_is_chosen_by_shape() {
        if <f32 as Elem>::direct_kernel().is_none() {
            return;
        }
        let g = geometry(&[2, 3, 20, 24], &[16, 3, 3, 3], &[1, 1], &[1, 1], &[1, 1]).unwrap();
        assert!(direct_plan::<f32>(&g, (g.c, g.o), g.size, g.pad, true).is_some());
        let g = geometry(&[2, 16, 20, 24], &[8, 16, 3, 3], &[1, 1], &[1, 1], &[1, 1]).unwrap();
        assert!(direct_plan::<f32>(&g, (g.o, g.c), g.out, [0, 1, 1], true).is_some());
        let g = geometry(&[2, 3, 7, 9], &[4, 3, 3, 3], &[1, 1], &[1, 1], &[1, 1]).unwrap();
        assert!(direct_plan::<f32>(&g, (g.c, g.o), g.size, g.pad, true).is_none());
        let g = geometry(&[2, 16, 20, 24], &[16, 16, 3, 3], &[1, 1], &[2, 2], &[1, 1]).unwrap();
        assert!(direct_plan::<f32>(&g, (g.c, g.o), g.size, g.pad, true).is_none());
    }

    /// Forward passes take a preferred direct plan, else the channel-vectorised kernel, else any
    /// direct plan (the narrow tile), else GEMM; the markers say which ran.
    #[test]
    fn forward_kernel_order() {
        let (Some(_), Some(_)) = (<f32 as Elem>::direct_kernel(), <f32 as Elem>::vec_kernel()) else {
            return;
        };
        let pick = |g: &ConvGeom, vec_applies: bool| {
            forward_kernel::<f32>(
                direct_plan::<f32>(g, (g.c, g.o), g.size, g.pad, true),
                |_, _| vec![1.0],
                |_| vec_applies.then(|| vec![2.0]),
                || vec![3.0],
            )[0]
        };
        // A wide plane keeps over 90 % of its regular tiles: direct, whatever else applies.
        let g = geometry(&[1, 64, 64, 126], &[64, 64, 3, 3], &[1, 1], &[1, 1], &[1, 1]).unwrap();
        assert_eq!(pick(&g, true), 1.0);
        // An 8^3 volume runs the narrow tile: the channel-vectorised kernel where it applies.
        let g = geometry(&[1, 64, 8, 8, 8], &[64, 64, 3, 3, 3], &[1, 1, 1], &[1, 1, 1], &[1, 1, 1]).unwrap();
        assert!(direct_plan::<f32>(&g, (g.c, g.o), g.size, g.pad, true).is_some_and(|(_, p)| !p.preferred()));
        assert_eq!(pick(&g, true), 2.0);
        assert_eq!(pick(&g, false), 1.0);
        // Stride 2: no direct plan.
        let g = geometry(&[1, 64, 14, 14], &[64, 64, 4, 4], &[1, 1], &[2, 2], &[1, 1]).unwrap();
        assert_eq!(pick(&g, true), 2.0);
        assert_eq!(pick(&g, false), 3.0);
    }

    /// A U-Net 3-D level (16 -> 16 channels, 3 x 3 x 3, 16^3, batch 2) through the op's backward,
    /// whose weight gradient Winograd takes, against im2col + GEMM for all three results.
    #[test]
    fn winograd_layer_through_the_op_matches_gemm() {
        let (n, c, o, s) = (2, 16, 16, 16);
        let x = Var::from_tensor(&t(n * c * s * s * s, &[n, c, s, s, s], 0.37)).unwrap();
        let wt = Var::from_tensor(&t(o * c * 27, &[o, c, 3, 3, 3], 0.91)).unwrap();
        let y = conv3d_gemm(x.as_tensor(), wt.as_tensor(), [1; 3], [1; 3], [1; 3]).unwrap();
        let dy = t(y.elem_count(), y.dims(), 0.53);
        let grads = (&y * &dy).unwrap().sum_all().unwrap().backward().unwrap();
        let g = geometry(x.dims(), wt.dims(), &[1; 3], &[1; 3], &[1; 3]).unwrap();
        let v = |t: &Tensor| t.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let (xv, wv, dyv) = (v(x.as_tensor()), v(wt.as_tensor()), v(&dy));
        let diff = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
        assert!(diff(&v(&y), &conv_fwd_gemm(&g, &xv, &wv)) < 1e-4, "forward");
        assert!(diff(&v(grads.get(x.as_tensor()).unwrap()), &grad_x_gemm(&g, &wv, &dyv)) < 1e-4, "input gradient");
        let dw = diff(&v(grads.get(wt.as_tensor()).unwrap()), &grad_w_gemm(&g, &xv, &dyv));
        assert!(dw < 1e-3, "weight gradient {dw}");
    }

    #[test]
    fn untracked_input_gets_no_gradient_and_bad_shapes_error() {
        let x = t(2 * 3 * 5 * 5, &[2, 3, 5, 5], 0.3);
        let w = Var::from_tensor(&t(4 * 3 * 9, &[4, 3, 3, 3], 0.2)).unwrap();
        let g = conv2d(&x, w.as_tensor(), [1, 1], [1, 1], [1, 1]).unwrap().sum_all().unwrap().backward().unwrap();
        assert!(g.get(&x).is_none());
        assert!(g.get(w.as_tensor()).is_some());
        assert!(conv2d(&x, &t(4 * 2 * 9, &[4, 2, 3, 3], 0.2), [0, 0], [1, 1], [1, 1]).is_err());
        assert!(conv2d(&x, w.as_tensor(), [0, 0], [1, 1], [3, 3]).is_err());
        // No channels: an error, not a zero-sized chunk panic.
        let none = Tensor::zeros((2, 0, 5, 5), DType::F32, &candle_core::Device::Cpu).unwrap();
        assert!(
            conv2d(
                &none,
                &Tensor::zeros((4, 0, 3, 3), DType::F32, &candle_core::Device::Cpu).unwrap(),
                [1, 1],
                [1, 1],
                [1, 1]
            )
            .is_err()
        );
        assert!(
            conv2d(
                &x,
                &Tensor::zeros((0, 3, 3, 3), DType::F32, &candle_core::Device::Cpu).unwrap(),
                [1, 1],
                [1, 1],
                [1, 1]
            )
            .is_err()
        );
    }
}
