//! 2-D convolution on the CPU as im2col + one GEMM per image, with a hand-written backward
//! (`dW = sum_n dY_n cols_n^T`, `dX_n = col2im(W^T dY_n)`), parallel over the batch.
//!
//! Candle 0.11's CPU convolution computes the input gradient as a direct transposed convolution
//! (one dot product per output pixel, parallel over output channels only) and the weight gradient
//! as a convolution with the image as kernel; its backward also mis-pads the width when height and
//! width leave different remainders under a stride. This op replaces both and skips the input
//! gradient when the input needs none (the first layer). Other devices and dtypes use Candle's
//! kernels. Shapes: `x (N, C, H, W)`, `w (O, C, kh, kw)` -> `(N, O, Ho, Wo)`, one group.

use super::cpu::{dispatch2, mm};
use crate::{Error, Result};
use candle_core::{CpuStorage, CustomOp2, DType, Layout, Shape, Tensor};
use gemm::Parallelism;
use rayon::prelude::*;

/// Geometry of one convolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvGeom {
    /// Batch, channels in, height, width.
    pub n: usize,
    /// Input channels.
    pub c: usize,
    /// Input height.
    pub h: usize,
    /// Input width.
    pub w: usize,
    /// Output channels.
    pub o: usize,
    /// Kernel height and width.
    pub k: [usize; 2],
    /// Padding (height, width).
    pub pad: [usize; 2],
    /// Stride (height, width).
    pub stride: [usize; 2],
    /// Dilation (height, width).
    pub dil: [usize; 2],
    /// Output height and width.
    pub out: [usize; 2],
}

impl ConvGeom {
    fn kdim(&self) -> usize {
        self.c * self.k[0] * self.k[1]
    }
    fn pdim(&self) -> usize {
        self.out[0] * self.out[1]
    }
}

/// Computes the geometry, checking that the kernel fits.
pub fn geometry(xd: &[usize], wd: &[usize], pad: [usize; 2], stride: [usize; 2], dil: [usize; 2]) -> Result<ConvGeom> {
    let (&[n, c, h, w], &[o, c2, kh, kw]) = (xd, wd) else {
        return Err(Error::Shape(format!("conv2d expects x (N,C,H,W) and w (O,C,kh,kw), got {xd:?} and {wd:?}")));
    };
    if c != c2 {
        return Err(Error::Shape(format!("conv2d: input has {c} channels, kernel {wd:?} expects {c2}")));
    }
    if stride.contains(&0) || dil.contains(&0) {
        return Err(Error::Config("conv2d stride and dilation must be at least 1".into()));
    }
    let span = [dil[0] * (kh - 1) + 1, dil[1] * (kw - 1) + 1];
    if h + 2 * pad[0] < span[0] || w + 2 * pad[1] < span[1] {
        return Err(Error::Shape(format!(
            "conv2d: kernel span {span:?} exceeds padded input {:?}",
            [h + 2 * pad[0], w + 2 * pad[1]]
        )));
    }
    let out = [(h + 2 * pad[0] - span[0]) / stride[0] + 1, (w + 2 * pad[1] - span[1]) / stride[1] + 1];
    Ok(ConvGeom { n, c, h, w, o, k: [kh, kw], pad, stride, dil, out })
}

/// Convolution (cross-correlation) of `x` with `w`; CPU f32/f64 goes through im2col + GEMM.
pub fn conv2d(x: &Tensor, w: &Tensor, pad: [usize; 2], stride: [usize; 2], dil: [usize; 2]) -> Result<Tensor> {
    let g = geometry(x.dims(), w.dims(), pad, stride, dil)?;
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
    let (&[n, c_in, h, wd], &[c_in_w, c_out, kh, kw]) = (x.dims(), w.dims()) else {
        return Err(Error::Shape(format!(
            "conv_transpose2d expects x (N,C_in,H,W) and w (C_in,C_out,kh,kw), got {:?} and {:?}",
            x.dims(),
            w.dims()
        )));
    };
    if c_in != c_in_w {
        return Err(Error::Shape(format!("conv_transpose2d: input has {c_in} channels, weight {:?}", w.dims())));
    }
    if stride.contains(&0)
        || dil.contains(&0)
        || out_pad[0] >= stride[0].max(dil[0])
        || out_pad[1] >= stride[1].max(dil[1])
    {
        return Err(Error::Config(format!(
            "conv_transpose2d: stride {stride:?} and dilation {dil:?} must be >= 1, output padding {out_pad:?} below both"
        )));
    }
    let full = |i: usize| [(h - 1) * stride[0], (wd - 1) * stride[1]][i] + dil[i] * ([kh, kw][i] - 1) + out_pad[i] + 1;
    if full(0) <= 2 * pad[0] || full(1) <= 2 * pad[1] {
        return Err(Error::Shape(format!(
            "conv_transpose2d: padding {pad:?} removes the whole output of {:?}",
            x.dims()
        )));
    }
    let out = [full(0) - 2 * pad[0], full(1) - 2 * pad[1]];
    let fast = x.device().is_cpu() && matches!(x.dtype(), DType::F32 | DType::F64) && w.dtype() == x.dtype();
    if !fast {
        if pad[0] != pad[1] || stride[0] != stride[1] || dil[0] != dil[1] || out_pad[0] != out_pad[1] {
            return Err(Error::Config(
                "anisotropic conv_transpose2d parameters are only implemented on the CPU".into(),
            ));
        }
        return Ok(x.conv_transpose2d(w, pad[0], out_pad[0], stride[0], dil[0])?);
    }
    let g = geometry(&[n, c_out, out[0], out[1]], w.dims(), pad, stride, dil)?;
    if g.out != [h, wd] {
        return Err(Error::Shape(format!(
            "conv_transpose2d: inconsistent geometry for {:?} and {:?}",
            x.dims(),
            w.dims()
        )));
    }
    Ok(x.contiguous()?.apply_op2(&w.contiguous()?, ConvTransposeOp { g })?)
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
        Ok((st, Shape::from((g.n, g.c, g.h, g.w))))
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
        // its output gradient; its forward for the input gradient.
        let dw = if w.track_op() { Some(grad.apply_op2_no_bwd(x, &ConvGradW { g: self.g })?) } else { None };
        let dx = if x.track_op() { Some(grad.apply_op2_no_bwd(w, &ConvFwdNoGrad { g: self.g })?) } else { None };
        Ok((dx, dw))
    }
}

/// The convolution's forward without a backward of its own (the transposed op's input gradient).
struct ConvFwdNoGrad {
    g: ConvGeom,
}

impl CustomOp2 for ConvFwdNoGrad {
    fn name(&self) -> &'static str {
        "scidl-conv-transpose2d-grad-x"
    }
    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let g = self.g;
        let st =
            dispatch2("conv_transpose2d", (s1, l1), (s2, l2), |y, w| conv_fwd(&g, y, w), |y, w| conv_fwd(&g, y, w))?;
        Ok((st, Shape::from((g.n, g.o, g.out[0], g.out[1]))))
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
}

impl candle_core::Module for ConvTranspose2d {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let c = &self.cfg;
        let run = || -> Result<Tensor> {
            let y = conv_transpose2d(
                x,
                &self.weight,
                [c.padding; 2],
                [c.output_padding; 2],
                [c.stride; 2],
                [c.dilation; 2],
            )?;
            match &self.bias {
                Some(b) => super::fused::bias_act(&y, Some(b), super::fused::Act::Identity),
                None => Ok(y),
            }
        };
        run().map_err(candle_core::Error::wrap)
    }
}

/// The element types the GEMM path handles.
pub trait Elem: Copy + Send + Sync + Default + std::ops::AddAssign + 'static {
    /// One.
    const ONE: Self;
    /// Runs `f` on this thread's scratch buffer of at least `len` elements (contents unspecified:
    /// whatever the last user left). im2col columns are rewritten in full by every use, so keeping
    /// one buffer per thread saves allocating and zeroing up to tens of MiB per convolution.
    fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [Self]) -> R) -> R;
}

macro_rules! scratch_elem {
    ($t:ty, $key:ident) => {
        thread_local! {
            static $key: std::cell::RefCell<Vec<$t>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        impl Elem for $t {
            const ONE: Self = 1.0;
            fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [Self]) -> R) -> R {
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

fn im2col<T: Elem>(g: &ConvGeom, x: &[T], cols: &mut [T]) {
    let [oh, ow] = g.out;
    let p = g.pdim();
    let (sy, sx) = (g.stride[0], g.stride[1]);
    for c in 0..g.c {
        for i in 0..g.k[0] {
            for j in 0..g.k[1] {
                let row = &mut cols[((c * g.k[0] + i) * g.k[1] + j) * p..][..p];
                let (lo, hi, first) = valid_span(ow, sx, (j * g.dil[1]) as isize - g.pad[1] as isize, g.w);
                for y in 0..oh {
                    let iy = (y * sy + i * g.dil[0]) as isize - g.pad[0] as isize;
                    let dst = &mut row[y * ow..(y + 1) * ow];
                    if iy < 0 || iy as usize >= g.h {
                        dst.fill(T::default());
                        continue;
                    }
                    let src = &x[(c * g.h + iy as usize) * g.w..][..g.w];
                    dst[..lo].fill(T::default());
                    dst[hi..].fill(T::default());
                    if sx == 1 {
                        dst[lo..hi].copy_from_slice(&src[first..first + (hi - lo)]);
                    } else {
                        for (k, d) in dst[lo..hi].iter_mut().enumerate() {
                            *d = src[first + k * sx];
                        }
                    }
                }
            }
        }
    }
}

/// Adds the columns back onto the image `dx` (which the caller zeroes).
fn col2im<T: Elem>(g: &ConvGeom, cols: &[T], dx: &mut [T]) {
    let [oh, ow] = g.out;
    let p = g.pdim();
    let (sy, sx) = (g.stride[0], g.stride[1]);
    for c in 0..g.c {
        for i in 0..g.k[0] {
            for j in 0..g.k[1] {
                let row = &cols[((c * g.k[0] + i) * g.k[1] + j) * p..][..p];
                let (lo, hi, first) = valid_span(ow, sx, (j * g.dil[1]) as isize - g.pad[1] as isize, g.w);
                for y in 0..oh {
                    let iy = (y * sy + i * g.dil[0]) as isize - g.pad[0] as isize;
                    if iy < 0 || iy as usize >= g.h {
                        continue;
                    }
                    let dst = &mut dx[(c * g.h + iy as usize) * g.w..][..g.w];
                    let src = &row[y * ow + lo..y * ow + hi];
                    if sx == 1 {
                        dst[first..first + src.len()].iter_mut().zip(src).for_each(|(d, &v)| *d += v);
                    } else {
                        for (k, &v) in src.iter().enumerate() {
                            dst[first + k * sx] += v;
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

fn conv_fwd<T: Elem>(g: &ConvGeom, x: &[T], w: &[T]) -> Vec<T> {
    let (kd, pd) = (g.kdim(), g.pdim());
    let mut y = vec![T::default(); g.n * g.o * pd];
    let par = inner_par(g);
    y.par_chunks_mut(g.o * pd).zip(x.par_chunks(g.c * g.h * g.w)).for_each(|(yn, xn)| {
        T::with_scratch(kd * pd, |cols| {
            im2col(g, xn, cols);
            // SAFETY: yn is (o x pd), w is (o x kd), cols is (kd x pd); all row-major and disjoint.
            unsafe {
                mm(
                    g.o,
                    pd,
                    kd,
                    yn.as_mut_ptr(),
                    false,
                    (w.as_ptr(), kd as isize, 1),
                    (cols.as_ptr(), pd as isize, 1),
                    par,
                )
            }
        })
    });
    y
}

fn grad_w<T: Elem>(g: &ConvGeom, x: &[T], dy: &[T]) -> Vec<T> {
    let (kd, pd) = (g.kdim(), g.pdim());
    let par = inner_par(g);
    let chunk = g.n.div_ceil(threads()).max(1);
    (0..g.n)
        .collect::<Vec<_>>()
        .par_chunks(chunk)
        .map(|imgs| {
            let mut acc = vec![T::default(); g.o * kd];
            T::with_scratch(kd * pd, |cols| {
                for (i, &n) in imgs.iter().enumerate() {
                    im2col(g, &x[n * g.c * g.h * g.w..][..g.c * g.h * g.w], cols);
                    let dyn_ = &dy[n * g.o * pd..][..g.o * pd];
                    // acc (o x kd) += dy_n (o x pd) * cols^T (pd x kd)
                    // SAFETY: buffers are sized as described and disjoint.
                    unsafe {
                        mm(
                            g.o,
                            kd,
                            pd,
                            acc.as_mut_ptr(),
                            i > 0,
                            (dyn_.as_ptr(), pd as isize, 1),
                            (cols.as_ptr(), 1, pd as isize),
                            par,
                        )
                    }
                }
            });
            acc
        })
        .reduce_with(|mut a, b| {
            a.iter_mut().zip(&b).for_each(|(x, y)| *x += *y);
            a
        })
        .unwrap_or_else(|| vec![T::default(); g.o * kd])
}

fn grad_x<T: Elem>(g: &ConvGeom, w: &[T], dy: &[T]) -> Vec<T> {
    let (kd, pd) = (g.kdim(), g.pdim());
    let par = inner_par(g);
    let mut dx = vec![T::default(); g.n * g.c * g.h * g.w];
    dx.par_chunks_mut(g.c * g.h * g.w).zip(dy.par_chunks(g.o * pd)).for_each(|(dxn, dyn_)| {
        T::with_scratch(kd * pd, |cols| {
            // cols (kd x pd) = w^T (kd x o) * dy_n (o x pd)
            // SAFETY: buffers are sized as described and disjoint.
            unsafe {
                mm(
                    kd,
                    pd,
                    g.o,
                    cols.as_mut_ptr(),
                    false,
                    (w.as_ptr(), 1, kd as isize),
                    (dyn_.as_ptr(), pd as isize, 1),
                    par,
                )
            }
            col2im(g, cols, dxn);
        })
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
        Ok((st, Shape::from((g.n, g.o, g.out[0], g.out[1]))))
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
        Ok((st, Shape::from((g.o, g.c, g.k[0], g.k[1]))))
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
        Ok((st, Shape::from((g.n, g.c, g.h, g.w))))
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

    /// Compares forward and both gradients with Candle's reference kernels on odd shapes.
    #[test]
    fn matches_candle_reference_on_odd_shapes() {
        for &(n, c, h, w, o, k, p, s, d) in &[
            (2, 3, 7, 9, 4, 3, 1, 1, 1),
            (3, 2, 8, 8, 5, 3, 0, 2, 1),
            (1, 4, 9, 9, 3, 3, 2, 2, 2),
            (2, 1, 6, 5, 2, 1, 0, 1, 1),
            (4, 3, 5, 5, 2, 5, 2, 1, 1),
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
    /// gradients, with padding, output padding, stride and dilation.
    #[test]
    fn transposed_matches_candle_reference_on_odd_shapes() {
        // (n, c_in, h, w, c_out, k, pad, out_pad, stride, dil)
        for &(n, c, h, w, o, k, p, op, s, d) in &[
            (2, 3, 5, 4, 4, 4, 1, 0, 2, 1),
            (3, 2, 4, 4, 5, 2, 0, 0, 2, 1),
            (1, 4, 3, 5, 3, 3, 1, 1, 2, 1),
            (2, 1, 6, 5, 2, 3, 0, 0, 1, 2),
            (4, 3, 3, 3, 2, 5, 2, 2, 3, 1),
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
        let x = t(2 * 3 * 4 * 4, &[2, 3, 4, 4], 0.3);
        assert!(conv_transpose2d(&x, &t(2 * 2 * 9, &[2, 2, 3, 3], 0.2), [0; 2], [0; 2], [1; 2], [1; 2]).is_err());
        assert!(conv_transpose2d(&x, &t(3 * 2 * 9, &[3, 2, 3, 3], 0.2), [0; 2], [2; 2], [2; 2], [1; 2]).is_err());
        assert!(conv_transpose2d(&x, &t(3 * 2 * 4, &[3, 2, 2, 2], 0.2), [4; 2], [0; 2], [1; 2], [1; 2]).is_err());
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
    }
}
