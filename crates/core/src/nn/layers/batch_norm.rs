//! Batch normalisation (Ioffe & Szegedy, 2015) for `(N, C)`, `(N, C, L)`, `(N, C, H, W)` and
//! `(N, C, D, H, W)` inputs, with running statistics.
//!
//! Training normalises with the batch mean and biased variance and updates the running estimates
//! `r = (1 - momentum) * r + momentum * batch`, using the *unbiased* variance for `running_var`, as
//! PyTorch does; evaluation normalises with the running estimates. The running statistics are
//! buffers of the [`crate::nn::ParamStore`] (`running_mean`, `running_var`): saved in checkpoints,
//! never trained.
//!
//! On the CPU in f32/f64, training runs as one custom op: a pass for the per-channel mean, one for
//! the variance (both accumulated in f64), one that writes `x * scale + shift`; its backward is one
//! reduction pass (`sum dy`, `sum dy * x_hat`) and one pass for `dx`. The composition of Candle ops
//! it replaces took about ten kernels forward and a dozen backward, most of them reductions over
//! non-trailing dims (Candle's slow path) with a fresh buffer each. Evaluation folds the running
//! statistics into one scale and one shift per channel. Other devices run the Candle composition.

use super::cpu::{
    Widen, channel_sums, channel_totals, column_sums, dispatch3, par_channel_runs, sum_lanes, uninit_vec,
};
use super::fused::{Act, ActFloat, ActKernel, scale_shift_act, with_act};
use crate::{Error, Result};
use candle_core::{CpuStorage, CustomOp3, DType, Layout, Shape, Tensor, Var};
use candle_nn::{ModuleT, VarBuilder};
use rayon::prelude::*;
use std::sync::{Arc, OnceLock};

/// Batch-norm settings.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BatchNormConfig {
    /// Added to the variance before the square root.
    pub eps: f64,
    /// Weight of the new batch in the running estimates.
    pub momentum: f64,
    /// Learn a per-channel scale and shift.
    pub affine: bool,
}

impl Default for BatchNormConfig {
    fn default() -> Self {
        Self { eps: 1e-5, momentum: 0.1, affine: true }
    }
}

/// A batch-norm layer for a fixed input rank.
#[derive(Debug, Clone)]
pub struct BatchNorm {
    weight: Option<Tensor>,
    bias: Option<Tensor>,
    running_mean: Var,
    running_var: Var,
    cfg: BatchNormConfig,
    spatial: usize,
}

fn running(vb: &VarBuilder, name: &str, c: usize, init: f64) -> Result<Var> {
    let t = vb.get_with_hints(c, name, candle_nn::Init::Const(init))?;
    // The store hands out its variable's tensor; `Var::from_tensor` on a variable tensor shares the
    // storage (no copy), so `set` below updates the value the store saves.
    Ok(Var::from_tensor(&t)?)
}

impl BatchNorm {
    /// Expected input rank: 2 or 3 (1-d), 4 (2-d), 5 (3-d).
    fn check_rank(&self, x: &Tensor) -> Result<()> {
        let ok = match self.spatial {
            0 | 1 => x.rank() == 2 || x.rank() == 3,
            s => x.rank() == s + 2,
        };
        if !ok {
            return Err(Error::Shape(format!("batch norm {}-d received shape {:?}", self.spatial.max(1), x.dims())));
        }
        if x.dim(1)? != self.running_mean.elem_count() {
            return Err(Error::Shape(format!(
                "batch norm for {} channels received shape {:?}",
                self.running_mean.elem_count(),
                x.dims()
            )));
        }
        Ok(())
    }

    /// The running mean buffer.
    pub fn running_mean(&self) -> &Tensor {
        self.running_mean.as_tensor()
    }

    /// The running variance buffer.
    pub fn running_var(&self) -> &Tensor {
        self.running_var.as_tensor()
    }

    /// Batch norm followed by the activation `act`, fused into the normalisation pass on the CPU
    /// (training and evaluation): one pass forward and none extra backward instead of an
    /// activation op of its own.
    pub fn forward_act(&self, x: &Tensor, train: bool, act: Act) -> Result<Tensor> {
        act.check()?;
        self.check_rank(x)?;
        let c = x.dim(1)?;
        if !train {
            // y = act(x * scale + shift), per channel: scale = w / sqrt(running_var + eps),
            // shift = b - running_mean * scale.
            let inv = (self.running_var.as_tensor() + self.cfg.eps)?.sqrt()?.recip()?;
            let mean = self.running_mean.as_tensor();
            let (scale, shift) = match (&self.weight, &self.bias) {
                (Some(w), Some(b)) => {
                    let scale = w.mul(&inv.to_dtype(w.dtype())?)?;
                    (scale.clone(), b.sub(&mean.to_dtype(b.dtype())?.mul(&scale)?)?)
                }
                _ => (inv.clone(), mean.mul(&inv)?.neg()?),
            };
            return scale_shift_act(x, &scale.to_dtype(x.dtype())?, &shift.to_dtype(x.dtype())?, act);
        }
        let count = x.elem_count() / c;
        if count < 2 {
            return Err(Error::Shape(format!(
                "batch norm in training needs more than one value per channel, got shape {:?}",
                x.dims()
            )));
        }
        let fused = x.device().is_cpu()
            && matches!(x.dtype(), DType::F32 | DType::F64)
            && [&self.weight, &self.bias].iter().all(|w| w.as_ref().is_none_or(|w| w.dtype() == x.dtype()));
        if fused { self.train_fused(x, act) } else { act.candle(&self.train_composed(x)?) }
    }

    /// Updates the running estimates from a batch's per-channel mean and biased variance.
    fn update_running(&self, mean: &Tensor, var: &Tensor, count: usize) -> Result<()> {
        let m = self.cfg.momentum;
        let dt = self.running_mean.dtype();
        let unbiased = (var.detach().to_dtype(dt)? * (count as f64 / (count as f64 - 1.0)))?;
        let mean = mean.detach().to_dtype(dt)?;
        self.running_mean.set(&((self.running_mean.as_tensor() * (1.0 - m))? + (mean * m)?)?)?;
        self.running_var.set(&((self.running_var.as_tensor() * (1.0 - m))? + (unbiased * m)?)?)?;
        Ok(())
    }

    /// Training as a composition of Candle ops (devices other than the CPU; the reference of the
    /// fused op's tests).
    fn train_composed(&self, x: &Tensor) -> Result<Tensor> {
        let (n, c) = (x.dim(0)?, x.dim(1)?);
        let mut bshape = vec![1usize; x.rank()];
        bshape[1] = c;
        let x3 = x.reshape((n, c, ()))?;
        let mean = x3.mean_keepdim(2)?.mean_keepdim(0)?; // (1, C, 1)
        let var = x3.broadcast_sub(&mean)?.sqr()?.mean_keepdim(2)?.mean_keepdim(0)?; // biased
        self.update_running(&mean.flatten_all()?, &var.flatten_all()?, x.elem_count() / c)?;
        let y = x
            .broadcast_sub(&mean.reshape(bshape.clone())?)?
            .broadcast_div(&(var.reshape(bshape.clone())? + self.cfg.eps)?.sqrt()?)?;
        Ok(match (&self.weight, &self.bias) {
            (Some(w), Some(b)) => y.broadcast_mul(&w.reshape(bshape.clone())?)?.broadcast_add(&b.reshape(bshape)?)?,
            _ => y,
        })
    }

    /// Training on the CPU: the fused op (with the activation), then the running estimates from
    /// its statistics.
    fn train_fused(&self, x: &Tensor, act: Act) -> Result<Tensor> {
        let (n, c) = (x.dim(0)?, x.dim(1)?);
        let (w, b) = match (&self.weight, &self.bias) {
            (Some(w), Some(b)) => (w.clone(), b.clone()),
            _ => (Tensor::ones(c, x.dtype(), x.device())?, Tensor::zeros(c, x.dtype(), x.device())?),
        };
        let stats = Arc::new(OnceLock::new());
        let op = BnTrain { eps: self.cfg.eps, stats: stats.clone(), act };
        let y = x.reshape((n, c, ()))?.contiguous()?.apply_op3(&w.contiguous()?, &b.contiguous()?, op)?;
        let Some(st) = stats.get() else {
            return Err(Error::Shape("batch norm: the fused op kept no statistics".into()));
        };
        let mean = Tensor::from_slice(&st.mean, c, x.device())?;
        let var = Tensor::from_slice(&st.var, c, x.device())?;
        self.update_running(&mean, &var, x.elem_count() / c)?;
        Ok(y.reshape(x.shape())?)
    }
}

/// Per-channel batch statistics (biased variance) kept by the forward, and the scale and shift
/// it applied (rounded to the element type), from which the backward recomputes the
/// pre-activation values exactly.
struct BnStats {
    mean: Vec<f64>,
    var: Vec<f64>,
    inv_std: Vec<f64>,
    scale: Vec<f64>,
    shift: Vec<f64>,
}

/// Training-mode batch norm and activation: `(x (N, C, S), weight (C), bias (C))` ->
/// `y = act(x_hat * weight + bias)` `(N, C, S)`.
struct BnTrain {
    eps: f64,
    stats: Arc<OnceLock<BnStats>>,
    act: Act,
}

/// `(N, C, S)` of a 3-d layout.
fn ncs(l: &Layout) -> candle_core::Result<(usize, usize, usize)> {
    l.shape().dims3()
}

/// What the kernels need of an element type: widening to f64 ([`Widen`]) and rounding back.
trait BnElem: ActFloat + Widen {
    fn of(v: f64) -> Self;
}
impl BnElem for f32 {
    #[inline(always)]
    fn of(v: f64) -> Self {
        v as f32
    }
}
impl BnElem for f64 {
    #[inline(always)]
    fn of(v: f64) -> Self {
        v
    }
}

/// The pre-activation value of `x` under a channel's scale and shift, rounded to `T` as the
/// forward wrote it (the backward's activation mask comes from the same expression).
#[inline(always)]
fn pre<T: BnElem>(x: T, scale: f64, shift: f64) -> T {
    T::of(x.f() * scale + shift)
}

fn bn_forward<T: BnElem>(d: (usize, usize, usize), x: &[T], w: &[T], b: &[T], eps: f64, act: Act) -> (Vec<T>, BnStats) {
    let (n, c, s) = d;
    let m = (x.len() / c) as f64;
    let mean: Vec<f64> = channel_totals(x, d).into_iter().map(|v| v / m).collect();
    let var: Vec<f64> = if s == 1 {
        column_sums((n, c), |c0, o, acc| col_sq_dev(acc, &x[o..o + acc.len()], &mean[c0..c0 + acc.len()]))
    } else {
        channel_sums(d, |ch, o| row_sq_dev(&x[o..o + s], mean[ch]))
    };
    let var: Vec<f64> = var.into_iter().map(|v| v / m).collect();
    let inv_std: Vec<f64> = var.iter().map(|v| 1.0 / (v + eps).sqrt()).collect();
    let scale: Vec<f64> = (0..c).map(|ch| T::of(w[ch].f() * inv_std[ch]).f()).collect();
    let shift: Vec<f64> = (0..c).map(|ch| T::of(b[ch].f() - mean[ch] * w[ch].f() * inv_std[ch]).f()).collect();
    // SAFETY: every row is written below.
    let mut y = unsafe { uninit_vec::<T>(x.len()) };
    with_act!(act, |f| par_channel_runs(&mut y, (c, s), |ch, o, run| {
        let k = run.len().div_ceil(s.max(1));
        bn_apply(run, &x[o..o + run.len()], s, &scale[ch..ch + k], &shift[ch..ch + k], f);
    }));
    (y, BnStats { mean, var, inv_std, scale, shift })
}

// The per-row and per-column loops of the forward and backward, each compiled for AVX-512 and
// AVX2 as well (`simd_kernel!`): in the baseline build their f64 arithmetic ran two lanes wide,
// and batch norm took 16 % of a DCGAN training step.

simd_kernel!(
    /// [`row_sq_dev_body`], vectorised.
    row_sq_dev<T: BnElem> => row_sq_dev_body(x: &[T], mu: f64) -> f64
);
simd_kernel!(
    /// [`col_sq_dev_body`], vectorised.
    col_sq_dev<T: BnElem> => col_sq_dev_body(acc: &mut [f64], x: &[T], mu: &[f64])
);
simd_kernel!(
    /// [`bn_apply_body`], vectorised.
    bn_apply<T: BnElem, A: ActKernel> => bn_apply_body(out: &mut [T], x: &[T], s: usize, scale: &[f64], shift: &[f64], act: A)
);

/// `sum (x - mu)^2` in f64.
#[inline(always)]
fn row_sq_dev_body<T: BnElem>(x: &[T], mu: f64) -> f64 {
    sum_lanes(x, x, |v, _| (v.f() - mu) * (v.f() - mu))
}

/// `acc[j] += (x[j] - mu[j])^2`.
#[inline(always)]
fn col_sq_dev_body<T: BnElem>(acc: &mut [f64], x: &[T], mu: &[f64]) {
    acc.iter_mut().zip(x).zip(mu).for_each(|((a, &v), &mu)| *a += (v.f() - mu) * (v.f() - mu));
}

/// `out = act(pre(x))` over rows of `s` values (or single values when `s <= 1`), row `r` with
/// `scale[r]` and `shift[r]`.
#[inline(always)]
fn bn_apply_body<T: BnElem, A: ActKernel>(out: &mut [T], x: &[T], s: usize, scale: &[f64], shift: &[f64], act: A) {
    if s <= 1 {
        for (((o, &v), &a), &sh) in out.iter_mut().zip(x).zip(scale).zip(shift) {
            *o = act.apply(pre(v, a, sh));
        }
        return;
    }
    for (((row, xr), &a), &sh) in out.chunks_mut(s).zip(x.chunks(s)).zip(scale).zip(shift) {
        row.iter_mut().zip(xr).for_each(|(o, &v)| *o = act.apply(pre(v, a, sh)));
    }
}

impl CustomOp3 for BnTrain {
    fn name(&self) -> &'static str {
        "scidl-batch-norm"
    }
    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let d = ncs(l1)?;
        if l2.dims() != [d.1] || l3.dims() != [d.1] {
            candle_core::bail!("batch norm: weight {:?} and bias {:?} for {} channels", l2.dims(), l3.dims(), d.1);
        }
        // Candle runs a custom op's forward once per application: the statistics are set once.
        let y = dispatch3(
            "batch norm",
            (s1, l1),
            (s2, l2),
            (s3, l3),
            |x, w, b| {
                let (y, st) = bn_forward(d, x, w, b, self.eps, self.act);
                let _ = self.stats.set(st);
                y
            },
            |x, w, b| {
                let (y, st) = bn_forward(d, x, w, b, self.eps, self.act);
                let _ = self.stats.set(st);
                y
            },
        )?;
        Ok((y, l1.shape().clone()))
    }
    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        _b: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let Some(stats) = self.stats.get() else { candle_core::bail!("batch norm backward: no statistics kept") };
        let (n, c, s) = x.dims3()?;
        let packed = grad.contiguous()?.apply_op3_no_bwd(x, w, &BnGrad { stats, act: self.act })?;
        let len = n * c * s;
        let dx = packed.narrow(0, 0, len)?.reshape((n, c, s))?;
        let dw = packed.narrow(0, len, c)?;
        let db = packed.narrow(0, len + c, c)?;
        Ok((Some(dx), Some(dw), Some(db)))
    }
}

/// The backward: `(dy, x, weight)` -> `[dx (N*C*S), dweight (C), dbias (C)]`; the activation's
/// derivative comes from the pre-activation values recomputed from `x`.
struct BnGrad<'a> {
    stats: &'a BnStats,
    act: Act,
}

fn bn_backward<T: BnElem>(d: (usize, usize, usize), dy: &[T], x: &[T], w: &[T], st: &BnStats, act: Act) -> Vec<T> {
    with_act!(act, |a| bn_backward_with(d, dy, x, w, st, a))
}

fn bn_backward_with<T: BnElem, A: ActKernel>(
    d: (usize, usize, usize),
    dy: &[T],
    x: &[T],
    w: &[T],
    st: &BnStats,
    act: A,
) -> Vec<T> {
    let (n, c, s) = d;
    let m = (x.len() / c) as f64;
    let len = x.len();
    // Per channel: sum g and sum g * x_hat, g the gradient at the normalised output (dy times the
    // activation's derivative there).
    let (db, dw) = if s == 1 {
        let cols = |c0: usize, k: usize| {
            let r = c0..c0 + k;
            Cols {
                scale: &st.scale[r.clone()],
                shift: &st.shift[r.clone()],
                mu: &st.mean[r.clone()],
                is: &st.inv_std[r],
            }
        };
        let db = column_sums((n, c), |c0, o, acc| {
            let k = acc.len();
            col_grad(acc, &mut [], &dy[o..o + k], &x[o..o + k], cols(c0, k), act)
        });
        let dw = column_sums((n, c), |c0, o, acc| {
            let k = acc.len();
            col_grad(&mut [], acc, &dy[o..o + k], &x[o..o + k], cols(c0, k), act)
        });
        (db, dw)
    } else {
        let sums: Vec<(f64, f64)> = (0..c)
            .into_par_iter()
            .map(|ch| {
                let (a, sh, mu, is) = (st.scale[ch], st.shift[ch], st.mean[ch], st.inv_std[ch]);
                (0..n).fold((0.0, 0.0), |(gb, gw), i| {
                    let o = (i * c + ch) * s;
                    let (b, w) = row_grad(&dy[o..o + s], &x[o..o + s], a, sh, mu, is, act);
                    (gb + b, gw + w)
                })
            })
            .collect();
        sums.into_iter().unzip()
    };
    // SAFETY: dx is written row by row below, the last 2c values after it.
    let mut out = unsafe { uninit_vec::<T>(len + 2 * c) };
    let (dx, rest) = out.split_at_mut(len);
    // dx = w inv_std (g - db / M - x_hat dw / M)
    let k: Vec<f64> = (0..c).map(|ch| w[ch].f() * st.inv_std[ch]).collect();
    let mb: Vec<f64> = db.iter().map(|v| v / m).collect();
    let mw: Vec<f64> = dw.iter().map(|v| v / m).collect();
    par_channel_runs(dx, (c, s), |ch, o, run| {
        let r = ch..ch + run.len().div_ceil(s.max(1));
        let p = Cols {
            scale: &st.scale[r.clone()],
            shift: &st.shift[r.clone()],
            mu: &st.mean[r.clone()],
            is: &st.inv_std[r.clone()],
        };
        bn_dx(run, &dy[o..o + run.len()], &x[o..o + run.len()], s, p, (&k[r.clone()], &mb[r.clone()], &mw[r]), act);
    });
    for ch in 0..c {
        rest[ch] = T::of(dw[ch]);
        rest[c + ch] = T::of(db[ch]);
    }
    out
}

/// Per-channel statistics of consecutive channels, for the backward kernels.
#[derive(Clone, Copy)]
struct Cols<'a> {
    scale: &'a [f64],
    shift: &'a [f64],
    mu: &'a [f64],
    is: &'a [f64],
}

simd_kernel!(
    /// [`row_grad_body`], vectorised.
    row_grad<T: BnElem, A: ActKernel> => row_grad_body(dy: &[T], x: &[T], scale: f64, shift: f64, mu: f64, is: f64, act: A) -> (f64, f64)
);
simd_kernel!(
    /// [`col_grad_body`], vectorised.
    col_grad<T: BnElem, A: ActKernel> => col_grad_body(db: &mut [f64], dw: &mut [f64], dy: &[T], x: &[T], p: Cols<'_>, act: A)
);
simd_kernel!(
    /// [`bn_dx_body`], vectorised.
    bn_dx<T: BnElem, A: ActKernel> => bn_dx_body(out: &mut [T], dy: &[T], x: &[T], s: usize, p: Cols<'_>, coef: (&[f64], &[f64], &[f64]), act: A)
);

/// The gradient at the normalised output of one value: `dy` times the activation's derivative
/// at the pre-activation value the forward wrote.
#[inline(always)]
fn g_at<T: BnElem, A: ActKernel>(gi: T, xi: T, scale: f64, shift: f64, act: A) -> f64 {
    gi.f() * act.slope_at_output(pre(xi, scale, shift)).f()
}

/// `(sum g, sum g * x_hat)` over one row of a channel.
#[inline(always)]
fn row_grad_body<T: BnElem, A: ActKernel>(
    dy: &[T],
    x: &[T],
    scale: f64,
    shift: f64,
    mu: f64,
    is: f64,
    act: A,
) -> (f64, f64) {
    let db = sum_lanes(dy, x, |gi, xi| g_at(gi, xi, scale, shift, act));
    let dw = sum_lanes(dy, x, |gi, xi| g_at(gi, xi, scale, shift, act) * (xi.f() - mu) * is);
    (db, dw)
}

/// One row of an `(N, C)` input into the per-channel sums of g (`db`, unless empty) and of
/// g * x_hat (`dw`, unless empty).
#[inline(always)]
fn col_grad_body<T: BnElem, A: ActKernel>(db: &mut [f64], dw: &mut [f64], dy: &[T], x: &[T], p: Cols<'_>, act: A) {
    for (j, (a, (&gi, &xi))) in db.iter_mut().zip(dy.iter().zip(x)).enumerate() {
        *a += g_at(gi, xi, p.scale[j], p.shift[j], act);
    }
    for (j, (a, (&gi, &xi))) in dw.iter_mut().zip(dy.iter().zip(x)).enumerate() {
        *a += g_at(gi, xi, p.scale[j], p.shift[j], act) * (xi.f() - p.mu[j]) * p.is[j];
    }
}

/// `dx = k (g - mb - x_hat mw)` over rows of `s` values (single values when `s <= 1`), row `r`
/// with the statistics and `(k, mb, mw)` of entry `r`.
#[inline(always)]
fn bn_dx_body<T: BnElem, A: ActKernel>(
    out: &mut [T],
    dy: &[T],
    x: &[T],
    s: usize,
    p: Cols<'_>,
    (k, mb, mw): (&[f64], &[f64], &[f64]),
    act: A,
) {
    if s <= 1 {
        for (j, ((o, &gi), &xi)) in out.iter_mut().zip(dy).zip(x).enumerate() {
            let g = g_at(gi, xi, p.scale[j], p.shift[j], act);
            *o = T::of(k[j] * (g - mb[j] - (xi.f() - p.mu[j]) * p.is[j] * mw[j]));
        }
        return;
    }
    for (r, ((row, gr), xr)) in out.chunks_mut(s).zip(dy.chunks(s)).zip(x.chunks(s)).enumerate() {
        let (a, sh, mu, is, k, mb, mw) = (p.scale[r], p.shift[r], p.mu[r], p.is[r], k[r], mb[r], mw[r]);
        for ((o, &gi), &xi) in row.iter_mut().zip(gr).zip(xr) {
            *o = T::of(k * (g_at(gi, xi, a, sh, act) - mb - (xi.f() - mu) * is * mw));
        }
    }
}

impl CustomOp3 for BnGrad<'_> {
    fn name(&self) -> &'static str {
        "scidl-batch-norm-grad"
    }
    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let d = ncs(l2)?;
        if l1.dims() != l2.dims() {
            candle_core::bail!("batch norm backward: gradient {:?} for input {:?}", l1.dims(), l2.dims());
        }
        let st = dispatch3(
            "batch norm backward",
            (s1, l1),
            (s2, l2),
            (s3, l3),
            |g, x, w| bn_backward(d, g, x, w, self.stats, self.act),
            |g, x, w| bn_backward(d, g, x, w, self.stats, self.act),
        )?;
        Ok((st, Shape::from(d.0 * d.1 * d.2 + 2 * d.1)))
    }
}

impl ModuleT for BatchNorm {
    fn forward_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        self.forward_act(x, train, Act::Identity).map_err(candle_core::Error::wrap)
    }
}

fn batch_norm(c: usize, spatial: usize, cfg: BatchNormConfig, vb: VarBuilder) -> Result<BatchNorm> {
    let (weight, bias) = if cfg.affine {
        (
            Some(vb.get_with_hints(c, "weight", candle_nn::Init::Const(1.0))?),
            Some(vb.get_with_hints(c, "bias", candle_nn::Init::Const(0.0))?),
        )
    } else {
        (None, None)
    };
    let running_mean = running(&vb, "running_mean", c, 0.0)?;
    let running_var = running(&vb, "running_var", c, 1.0)?;
    Ok(BatchNorm { weight, bias, running_mean, running_var, cfg, spatial })
}

/// Batch norm over `(N, C)` or `(N, C, L)`.
pub fn batch_norm1d(c: usize, cfg: BatchNormConfig, vb: VarBuilder) -> Result<BatchNorm> {
    batch_norm(c, 1, cfg, vb)
}
/// Batch norm over `(N, C, H, W)`.
pub fn batch_norm2d(c: usize, cfg: BatchNormConfig, vb: VarBuilder) -> Result<BatchNorm> {
    batch_norm(c, 2, cfg, vb)
}
/// Batch norm over `(N, C, D, H, W)`.
pub fn batch_norm3d(c: usize, cfg: BatchNormConfig, vb: VarBuilder) -> Result<BatchNorm> {
    batch_norm(c, 3, cfg, vb)
}
/// Batch norm for `spatial` dims (1, 2 or 3).
pub fn batch_norm_nd(c: usize, spatial: usize, cfg: BatchNormConfig, vb: VarBuilder) -> Result<BatchNorm> {
    batch_norm(c, spatial, cfg, vb)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::ParamStore;
    use crate::test_util::deviation;
    use candle_core::Device;

    /// The fused training op against the composition of Candle ops on odd shapes (1-d without and
    /// with length, 2-d, 3-d; with and without affine parameters; f32 and f64, on 1 and 3 threads;
    /// with no activation, ReLU and LeakyReLU fused): output, running statistics after two steps,
    /// and the gradients of the input, weight and bias under a non-uniform objective. Inputs have a
    /// large mean (100) so that a one-pass variance would show cancellation in f32.
    #[test]
    fn fused_training_matches_candle_composition() {
        let shapes: [&[usize]; 5] = [&[6, 3], &[5, 1100], &[3, 5, 7], &[2, 4, 5, 3], &[2, 3, 3, 4, 5]];
        let acts = [Act::Identity, Act::Relu, Act::LeakyRelu(0.2)];
        for (threads, act) in [1, 3].into_iter().flat_map(|t| acts.map(|a| (t, a))) {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            for shape in shapes {
                for affine in [true, false] {
                    for (dtype, tol) in [(DType::F32, 2e-5), (DType::F64, 1e-11)] {
                        let tag = format!("{shape:?} affine {affine} {dtype:?} {threads} threads {act:?}");
                        let n: usize = shape.iter().product();
                        let xs: Vec<f64> = (0..n).map(|k| 100.0 + ((k * 37 % 23) as f64 * 0.41).sin() * 3.0).collect();
                        let x = Var::from_tensor(
                            &Tensor::from_vec(xs, shape, &Device::Cpu).unwrap().to_dtype(dtype).unwrap(),
                        )
                        .unwrap();
                        let obj: Vec<f64> = (0..n).map(|k| (k as f64 * 0.7).cos()).collect();
                        let obj = Tensor::from_vec(obj, shape, &Device::Cpu).unwrap().to_dtype(dtype).unwrap();
                        let cfg = BatchNormConfig { affine, ..Default::default() };
                        let c = shape[1];
                        let mut out = Vec::new();
                        for fused in [true, false] {
                            let store = ParamStore::new(3, &Device::Cpu);
                            let bn = batch_norm_nd(
                                c,
                                shape.len().saturating_sub(2).max(1),
                                cfg,
                                store.var_builder().set_dtype(dtype),
                            )
                            .unwrap();
                            if affine {
                                let w: Vec<f64> = (0..c).map(|k| 0.5 + k as f64 * 0.3).collect();
                                let b: Vec<f64> = (0..c).map(|k| k as f64 * 0.2 - 0.1).collect();
                                store
                                    .get("weight")
                                    .unwrap()
                                    .set(&Tensor::new(w, &Device::Cpu).unwrap().to_dtype(dtype).unwrap())
                                    .unwrap();
                                store
                                    .get("bias")
                                    .unwrap()
                                    .set(&Tensor::new(b, &Device::Cpu).unwrap().to_dtype(dtype).unwrap())
                                    .unwrap();
                            }
                            let run = |x: &Tensor| {
                                if fused {
                                    bn.train_fused(x, act).unwrap()
                                } else {
                                    act.candle(&bn.train_composed(x).unwrap()).unwrap()
                                }
                            };
                            let (y, grads) = pool.install(|| {
                                let _ = run(x.as_tensor());
                                let y = run(x.as_tensor());
                                let g = (&y * &obj).unwrap().sum_all().unwrap().backward().unwrap();
                                (y, g)
                            });
                            let mut gs = vec![grads.get(x.as_tensor()).unwrap().clone()];
                            if affine {
                                for name in ["weight", "bias"] {
                                    gs.push(grads.get(store.get(name).unwrap().as_tensor()).unwrap().clone());
                                }
                            }
                            out.push((y, bn.running_mean().clone(), bn.running_var().clone(), gs));
                        }
                        let (f, r) = (&out[0], &out[1]);
                        for (what, a, b) in
                            [("y", &f.0, &r.0), ("running_mean", &f.1, &r.1), ("running_var", &f.2, &r.2)]
                        {
                            let d = deviation(a, b);
                            assert!(d < tol, "{tag}: {what} deviates by {d:e}");
                        }
                        assert_eq!(f.3.len(), r.3.len());
                        for (k, (a, b)) in f.3.iter().zip(&r.3).enumerate() {
                            let d = deviation(a, b);
                            assert!(d < tol * 10.0, "{tag}: gradient {k} deviates by {d:e}");
                        }
                    }
                }
            }
        }
    }

    /// Evaluation folds the running statistics into one scale and shift: hand-computed values.
    #[test]
    fn eval_uses_running_statistics() {
        let store = ParamStore::new(0, &Device::Cpu);
        let bn = batch_norm1d(2, BatchNormConfig::default(), store.var_builder()).unwrap();
        store.get("running_mean").unwrap().set(&Tensor::new(&[1.0f32, -2.0], &Device::Cpu).unwrap()).unwrap();
        store.get("running_var").unwrap().set(&Tensor::new(&[4.0f32, 0.25], &Device::Cpu).unwrap()).unwrap();
        store.get("weight").unwrap().set(&Tensor::new(&[2.0f32, 1.0], &Device::Cpu).unwrap()).unwrap();
        store.get("bias").unwrap().set(&Tensor::new(&[0.5f32, -1.0], &Device::Cpu).unwrap()).unwrap();
        let x = Tensor::new(&[[3.0f32, -1.0], [1.0, -2.5]], &Device::Cpu).unwrap();
        let y = bn.forward_t(&x, false).unwrap().to_vec2::<f32>().unwrap();
        // (3 - 1) / sqrt(4 + 1e-5) * 2 + 0.5 = 2.4999975; (-1 + 2) / sqrt(0.25 + 1e-5) - 1 = 0.99996.
        let want = [[2.4999975f32, 0.99996], [0.5, -1.99998]];
        for (r, w) in y.iter().zip(want) {
            for (a, b) in r.iter().zip(w) {
                assert!((a - b).abs() < 1e-5, "{y:?}");
            }
        }
        // With the activation fused: the same values through ReLU and LeakyReLU(0.1).
        for (act, neg) in [(Act::Relu, 0.0f32), (Act::LeakyRelu(0.1), 0.1)] {
            let y = bn.forward_act(&x, false, act).unwrap().to_vec2::<f32>().unwrap();
            for (r, w) in y.iter().zip(want) {
                for (a, b) in r.iter().zip(w) {
                    let b = if b < 0.0 { b * neg } else { b };
                    assert!((a - b).abs() < 1e-5, "{act:?}: {y:?}");
                }
            }
        }
    }
}
