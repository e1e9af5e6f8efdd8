//! Fused per-channel bias + activation for `(N, C, *spatial)` tensors, with a hand-written backward.
//!
//! Candle expresses `x + b` (bias broadcast along dim 1) and `relu` through generic kernels: the
//! bias gradient is a reduction over the non-trailing dims `[0, 2, 3]` (Candle's slow path, about
//! a third of a small CNN's training step) and the ReLU backward takes five kernels. Here the
//! forward is one pass, and the backward is one pass for the activation mask plus a reduction over
//! trailing dims for the bias. On devices other than the CPU the same result comes from Candle ops.

use super::cpu::{channel_totals, contiguous_slice, par_channel_runs, tanh_f32, uninit_vec};
use crate::{Error, Result};
use candle_core::{CpuStorage, CustomOp1, CustomOp2, CustomOp3, DType, Layout, Shape, Tensor};
use rayon::prelude::*;

/// The activation applied after the bias (or per-channel scale and shift).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Act {
    /// No activation.
    Identity,
    /// `max(x, 0)`.
    Relu,
    /// `x` for `x > 0`, `slope * x` otherwise; the slope must be in `[0, 1]`.
    LeakyRelu(f32),
    /// `tanh(x)`.
    Tanh,
}

impl Act {
    /// Refuses settings the kernels cannot differentiate from the output (a slope outside [0, 1]).
    pub(crate) fn check(self) -> Result<()> {
        match self {
            Act::LeakyRelu(s) if !(0.0..=1.0).contains(&s) => {
                Err(Error::Config(format!("LeakyReLU slope must be in [0, 1], got {s}")))
            }
            _ => Ok(()),
        }
    }

    /// The activation as Candle ops (devices other than the CPU, and the tests' reference).
    pub fn candle(self, y: &Tensor) -> Result<Tensor> {
        Ok(match self {
            Act::Identity => y.clone(),
            Act::Relu => y.relu()?,
            Act::LeakyRelu(s) => y.maximum(&(y * s as f64)?)?,
            Act::Tanh => y.tanh()?,
        })
    }
}

/// The float types the activations run on (zero is `default()`).
pub trait ActFloat:
    Copy + Default + PartialOrd + std::ops::Mul<Output = Self> + std::ops::Sub<Output = Self> + From<f32>
{
    /// The hyperbolic tangent.
    fn tanh(self) -> Self;
}
impl ActFloat for f32 {
    #[inline(always)]
    fn tanh(self) -> Self {
        tanh_f32(self)
    }
}
impl ActFloat for f64 {
    fn tanh(self) -> Self {
        f64::tanh(self)
    }
}

/// One activation as a type of its own, so that a kernel generic over it is compiled once per
/// activation with no branch on the kind inside its loop (matching on [`Act`] per element kept the
/// loops scalar, behind a jump table).
pub(crate) trait ActKernel: Copy + Send + Sync {
    /// The activation of one value.
    fn apply<T: ActFloat>(self, v: T) -> T;
    /// The derivative at a point whose *output* is `y` (for the ReLUs as PyTorch differentiates:
    /// 0, or the slope, at exactly 0). For a non-negative slope the output has the input's sign,
    /// and tanh' = 1 - tanh^2, so the backward needs only the output.
    fn slope_at_output<T: ActFloat>(self, y: T) -> T;
}

/// The [`ActKernel`]s of [`Act`]'s variants.
pub(crate) mod kernels {
    use super::{ActFloat, ActKernel};

    #[derive(Clone, Copy)]
    pub(crate) struct Identity;
    #[derive(Clone, Copy)]
    pub(crate) struct Relu;
    #[derive(Clone, Copy)]
    pub(crate) struct LeakyRelu(pub(crate) f32);
    #[derive(Clone, Copy)]
    pub(crate) struct Tanh;

    impl ActKernel for Identity {
        #[inline(always)]
        fn apply<T: ActFloat>(self, v: T) -> T {
            v
        }
        #[inline(always)]
        fn slope_at_output<T: ActFloat>(self, _: T) -> T {
            T::from(1.0)
        }
    }
    impl ActKernel for Relu {
        #[inline(always)]
        fn apply<T: ActFloat>(self, v: T) -> T {
            if v < T::default() { T::default() } else { v }
        }
        #[inline(always)]
        fn slope_at_output<T: ActFloat>(self, y: T) -> T {
            if y > T::default() { T::from(1.0) } else { T::default() }
        }
    }
    impl ActKernel for LeakyRelu {
        #[inline(always)]
        fn apply<T: ActFloat>(self, v: T) -> T {
            if v < T::default() { v * T::from(self.0) } else { v }
        }
        #[inline(always)]
        fn slope_at_output<T: ActFloat>(self, y: T) -> T {
            if y > T::default() { T::from(1.0) } else { T::from(self.0) }
        }
    }
    impl ActKernel for Tanh {
        #[inline(always)]
        fn apply<T: ActFloat>(self, v: T) -> T {
            v.tanh()
        }
        #[inline(always)]
        fn slope_at_output<T: ActFloat>(self, y: T) -> T {
            T::from(1.0) - y * y
        }
    }
}

/// Evaluates `$body` with `$a` bound to the [`ActKernel`] of the activation `$act`: one
/// monomorphised copy of the body per activation.
macro_rules! with_act {
    ($act:expr, |$a:ident| $body:expr) => {
        match $act {
            $crate::nn::layers::fused::Act::Identity => {
                let $a = $crate::nn::layers::fused::kernels::Identity;
                $body
            }
            $crate::nn::layers::fused::Act::Relu => {
                let $a = $crate::nn::layers::fused::kernels::Relu;
                $body
            }
            $crate::nn::layers::fused::Act::LeakyRelu(s) => {
                let $a = $crate::nn::layers::fused::kernels::LeakyRelu(s);
                $body
            }
            $crate::nn::layers::fused::Act::Tanh => {
                let $a = $crate::nn::layers::fused::kernels::Tanh;
                $body
            }
        }
    };
}
pub(crate) use with_act;

/// `act(x + b[c])` with `x` `(N, C, *spatial)` and `b` `(C,)`; `b = None` applies only the activation.
pub fn bias_act(x: &Tensor, bias: Option<&Tensor>, act: Act) -> Result<Tensor> {
    act.check()?;
    if x.rank() < 2 {
        return Err(Error::Shape(format!("bias/activation expects (N, C, ...), got {:?}", x.dims())));
    }
    let c = x.dim(1)?;
    if let Some(b) = bias
        && b.dims() != [c]
    {
        return Err(Error::Shape(format!("bias {:?} for {c} channels of {:?}", b.dims(), x.dims())));
    }
    let fast = x.device().is_cpu() && x.dtype() == DType::F32 && bias.is_none_or(|b| b.dtype() == DType::F32);
    if !fast {
        let mut y = x.clone();
        if let Some(b) = bias {
            y = y.broadcast_add(&b.reshape(channel_shape(x.rank(), c))?)?;
        }
        return act.candle(&y);
    }
    let x = x.contiguous()?;
    Ok(match bias {
        Some(b) => x.apply_op2(&b.contiguous()?, BiasAct { act })?,
        None if act == Act::Identity => x,
        None => x.apply_op1(ActOp { act })?,
    })
}

/// `act(x * scale[c] + shift[c])` with `x` `(N, C, *spatial)`, `scale` and `shift` `(C,)`: batch
/// norm in evaluation mode with its activation, in one pass over `x` (Candle's two broadcast ops
/// and the activation took three).
pub fn scale_shift_act(x: &Tensor, scale: &Tensor, shift: &Tensor, act: Act) -> Result<Tensor> {
    act.check()?;
    if x.rank() < 2 {
        return Err(Error::Shape(format!("scale/shift/activation expects (N, C, ...), got {:?}", x.dims())));
    }
    let c = x.dim(1)?;
    if scale.dims() != [c] || shift.dims() != [c] {
        return Err(Error::Shape(format!(
            "scale {:?} and shift {:?} for {c} channels of {:?}",
            scale.dims(),
            shift.dims(),
            x.dims()
        )));
    }
    let fast = x.device().is_cpu() && [x, scale, shift].iter().all(|t| t.dtype() == DType::F32);
    if !fast {
        let shape = channel_shape(x.rank(), c);
        return act.candle(&x.broadcast_mul(&scale.reshape(shape.clone())?)?.broadcast_add(&shift.reshape(shape)?)?);
    }
    Ok(x.contiguous()?.apply_op3(&scale.contiguous()?, &shift.contiguous()?, ScaleShiftAct { act })?)
}

/// `(1, C, 1, ...)` for a rank-`rank` tensor.
fn channel_shape(rank: usize, c: usize) -> Vec<usize> {
    let mut shape = vec![1usize; rank];
    shape[1] = c;
    shape
}

/// Inner size (product of spatial dims) and channel count.
fn geometry(l: &Layout) -> (usize, usize) {
    let d = l.dims();
    (d[2..].iter().product(), d[1])
}

/// `out[i] = act(x[i] * a[ch] + b[ch])` over `(N, C, inner)` storage, `ch` the channel of `i`.
fn per_channel_map<A: ActKernel>(x: &[f32], l: &Layout, a: &[f32], b: &[f32], act: A) -> Vec<f32> {
    let (inner, c) = geometry(l);
    // SAFETY: every element is written below before the vector is returned.
    let mut out = unsafe { uninit_vec::<f32>(x.len()) };
    par_channel_runs(&mut out, (c, inner), |ch, o, run| {
        let k = run.len().div_ceil(inner.max(1));
        affine_act(run, &x[o..o + run.len()], inner, &a[ch..ch + k], &b[ch..ch + k], act);
    });
    out
}

simd_kernel!(
    /// [`affine_act_body`], vectorised.
    affine_act<A: ActKernel> => affine_act_body(out: &mut [f32], x: &[f32], inner: usize, a: &[f32], b: &[f32], act: A)
);

/// `out = act(x * a + b)` over rows of `inner` values, row `r` with `a[r]` and `b[r]`.
#[inline(always)]
fn affine_act_body<A: ActKernel>(out: &mut [f32], x: &[f32], inner: usize, a: &[f32], b: &[f32], act: A) {
    if inner <= 1 {
        for (((o, &v), &a), &b) in out.iter_mut().zip(x).zip(a).zip(b) {
            *o = act.apply(v * a + b);
        }
        return;
    }
    for (((o, x), &a), &b) in out.chunks_mut(inner).zip(x.chunks(inner)).zip(a).zip(b) {
        for (o, &v) in o.iter_mut().zip(x) {
            *o = act.apply(v * a + b);
        }
    }
}

/// Per-channel sums of an `(N, C, *spatial)` tensor, `(C,)`: the bias gradient. On the CPU in f32,
/// one pass over the rows in eight interleaved f64 partial sums (Candle's sum over dim 2 then 0
/// took its generic path: 2.5 % of a U-Net 3-D training step); elsewhere Candle's sums.
fn channel_sum(t: &Tensor) -> candle_core::Result<Tensor> {
    if t.device().is_cpu() && t.dtype() == DType::F32 {
        return t.contiguous()?.apply_op1_no_bwd(&ChannelSum);
    }
    let (n, c) = (t.dim(0)?, t.dim(1)?);
    t.reshape((n, c, ()))?.sum(2)?.sum(0)
}

struct ChannelSum;

impl CustomOp1 for ChannelSum {
    fn name(&self) -> &'static str {
        "scidl-channel-sum"
    }
    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let CpuStorage::F32(x) = s else { candle_core::bail!("channel sum: f32 only") };
        let x = contiguous_slice(x, l, "channel sum")?;
        let (inner, c) = geometry(l);
        let sums = channel_totals(x, (l.dims()[0], c, inner));
        Ok((CpuStorage::F32(sums.into_iter().map(|v| v as f32).collect()), Shape::from(c)))
    }
}

struct BiasAct {
    act: Act,
}

impl CustomOp2 for BiasAct {
    fn name(&self) -> &'static str {
        "scidl-bias-act"
    }
    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (CpuStorage::F32(x), CpuStorage::F32(b)) = (s1, s2) else {
            candle_core::bail!("bias/activation: f32 only")
        };
        let (x, b) = (contiguous_slice(x, l1, "bias/activation")?, contiguous_slice(b, l2, "bias/activation")?);
        let ones = vec![1f32; b.len()];
        let out = with_act!(self.act, |f| per_channel_map(x, l1, &ones, b, f));
        Ok((CpuStorage::F32(out), l1.shape().clone()))
    }
    fn bwd(
        &self,
        _x: &Tensor,
        _b: &Tensor,
        res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>)> {
        let g = match self.act {
            Act::Identity => grad.clone(),
            act => res.apply_op2_no_bwd(&grad.contiguous()?, &ActGrad { act })?,
        };
        let gb = channel_sum(&g)?;
        Ok((Some(g), Some(gb)))
    }
}

struct ScaleShiftAct {
    act: Act,
}

impl CustomOp3 for ScaleShiftAct {
    fn name(&self) -> &'static str {
        "scidl-scale-shift-act"
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
        let (CpuStorage::F32(x), CpuStorage::F32(a), CpuStorage::F32(b)) = (s1, s2, s3) else {
            candle_core::bail!("scale/shift/activation: f32 only")
        };
        let what = "scale/shift/activation";
        let (x, a, b) =
            (contiguous_slice(x, l1, what)?, contiguous_slice(a, l2, what)?, contiguous_slice(b, l3, what)?);
        let out = with_act!(self.act, |f| per_channel_map(x, l1, a, b, f));
        Ok((CpuStorage::F32(out), l1.shape().clone()))
    }
    /// Evaluation mode rarely differentiates (saliency maps and adversarial examples do, for the
    /// input): the gradients are Candle ops on the activation's masked gradient.
    fn bwd(
        &self,
        x: &Tensor,
        scale: &Tensor,
        shift: &Tensor,
        res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let g = match self.act {
            Act::Identity => grad.clone(),
            act => res.apply_op2_no_bwd(&grad.contiguous()?, &ActGrad { act })?,
        };
        let c = g.dim(1)?;
        let dx = if x.track_op() { Some(g.broadcast_mul(&scale.reshape(channel_shape(x.rank(), c))?)?) } else { None };
        let dscale = if scale.track_op() { Some(channel_sum(&(&g * x)?)?) } else { None };
        let dshift = if shift.track_op() { Some(channel_sum(&g)?) } else { None };
        Ok((dx, dscale, dshift))
    }
}

/// The activation alone, one pass.
struct ActOp {
    act: Act,
}

impl CustomOp1 for ActOp {
    fn name(&self) -> &'static str {
        "scidl-act"
    }
    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let CpuStorage::F32(x) = s else { candle_core::bail!("activation: f32 only") };
        let x = contiguous_slice(x, l, "activation")?;
        // SAFETY: every element is written below.
        let mut out = unsafe { uninit_vec::<f32>(x.len()) };
        with_act!(self.act, |a| out
            .par_chunks_mut(ELEMENTWISE_TASK)
            .zip(x.par_chunks(ELEMENTWISE_TASK))
            .for_each(|(o, x)| act_map(o, x, a)));
        Ok((CpuStorage::F32(out), l.shape().clone()))
    }
    fn bwd(&self, _x: &Tensor, res: &Tensor, grad: &Tensor) -> candle_core::Result<Option<Tensor>> {
        Ok(Some(res.apply_op2_no_bwd(&grad.contiguous()?, &ActGrad { act: self.act })?))
    }
}

/// `grad * act'(y)` in one pass, from the activation's output `y`.
struct ActGrad {
    act: Act,
}

impl CustomOp2 for ActGrad {
    fn name(&self) -> &'static str {
        "scidl-act-grad"
    }
    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (CpuStorage::F32(y), CpuStorage::F32(g)) = (s1, s2) else {
            candle_core::bail!("activation grad: f32 only")
        };
        let (y, g) = (contiguous_slice(y, l1, "activation grad")?, contiguous_slice(g, l2, "activation grad")?);
        if y.len() != g.len() {
            candle_core::bail!("activation grad: {} outputs but {} gradients", y.len(), g.len())
        }
        // SAFETY: every element is written below.
        let mut out = unsafe { uninit_vec::<f32>(y.len()) };
        with_act!(self.act, |a| out
            .par_chunks_mut(ELEMENTWISE_TASK)
            .zip(y.par_chunks(ELEMENTWISE_TASK).zip(g.par_chunks(ELEMENTWISE_TASK)))
            .for_each(|(o, (y, g))| act_grad_map(o, y, g, a)));
        Ok((CpuStorage::F32(out), l1.shape().clone()))
    }
}

/// Values per parallel task of the elementwise activation passes.
const ELEMENTWISE_TASK: usize = 16 << 10;

simd_kernel!(
    /// `out = act(x)`, vectorised. A rayon `map` + `collect` per value took 2 % of a DCGAN
    /// training step in the activation gradient alone (4-lane baseline build, no fusion).
    act_map<A: ActKernel> => act_map_body(out: &mut [f32], x: &[f32], act: A)
);

#[inline(always)]
fn act_map_body<A: ActKernel>(out: &mut [f32], x: &[f32], act: A) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = act.apply(v);
    }
}

simd_kernel!(
    /// `out = g * act'(y)` from the activation's output `y`, vectorised.
    act_grad_map<A: ActKernel> => act_grad_body(out: &mut [f32], y: &[f32], g: &[f32], act: A)
);

#[inline(always)]
fn act_grad_body<A: ActKernel>(out: &mut [f32], y: &[f32], g: &[f32], act: A) {
    for ((o, &y), &g) in out.iter_mut().zip(y).zip(g) {
        *o = g * act.slope_at_output(y);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::deviation as d;
    use candle_core::{Device, Var};

    /// A `(2, 3, 4, 5)` input of tenths, shifted down by `offset` tenths, and a non-uniform weight
    /// for the objective `sum(y * weight)`.
    fn fixture(offset: f32) -> (Var, Tensor) {
        let dev = Device::Cpu;
        let xv: Vec<f32> = (0..120).map(|i| ((i * 37 % 23) as f32 - offset) * 0.1).collect();
        let x = Var::from_tensor(&Tensor::from_vec(xv, (2, 3, 4, 5), &dev).unwrap()).unwrap();
        let coeff = Tensor::arange(0f32, 120., &dev).unwrap().reshape((2, 3, 4, 5)).unwrap().cos().unwrap();
        (x, coeff)
    }

    /// LeakyReLU and tanh fused after the bias, and the per-channel scale/shift op with every
    /// activation, against Candle compositions: forward and the gradients of every input.
    #[test]
    fn scale_shift_and_other_activations_match_candle_ops() {
        let dev = Device::Cpu;
        // No pre-activation is exactly 0, where Candle's `maximum` passes the gradient to both
        // sides (PyTorch's LeakyReLU, and this op, give the slope there).
        let (x, coeff) = fixture(11.3);
        let b = Var::from_tensor(&Tensor::new(&[0.35f32, -0.25, 0.05], &dev).unwrap()).unwrap();
        let a = Var::from_tensor(&Tensor::new(&[1.5f32, -0.5, 0.75], &dev).unwrap()).unwrap();
        for act in [Act::LeakyRelu(0.2), Act::Tanh, Act::Relu, Act::Identity] {
            let cases: [(Tensor, Tensor, Vec<&Var>); 2] = [
                (
                    bias_act(x.as_tensor(), Some(b.as_tensor()), act).unwrap(),
                    act.candle(&x.broadcast_add(&b.reshape((1, 3, 1, 1)).unwrap()).unwrap()).unwrap(),
                    vec![&x, &b],
                ),
                (
                    scale_shift_act(x.as_tensor(), a.as_tensor(), b.as_tensor(), act).unwrap(),
                    act.candle(
                        &x.broadcast_mul(&a.reshape((1, 3, 1, 1)).unwrap())
                            .unwrap()
                            .broadcast_add(&b.reshape((1, 3, 1, 1)).unwrap())
                            .unwrap(),
                    )
                    .unwrap(),
                    vec![&x, &a, &b],
                ),
            ];
            for (k, (fused, plain, vars)) in cases.into_iter().enumerate() {
                assert!(d(&fused, &plain) < 1e-6, "{act:?} case {k}: forward");
                let gf = (fused * &coeff).unwrap().sum_all().unwrap().backward().unwrap();
                let gp = (plain * &coeff).unwrap().sum_all().unwrap().backward().unwrap();
                for v in vars {
                    let e = d(gf.get(v.as_tensor()).unwrap(), gp.get(v.as_tensor()).unwrap());
                    assert!(e < 1e-5, "{act:?} case {k}: gradient {e}");
                }
            }
        }
        // A slope outside [0, 1] would break the output-sign backward: refused.
        assert!(bias_act(x.as_tensor(), None, Act::LeakyRelu(-0.5)).is_err());
    }

    /// `(N, C)` inputs (after a linear layer) and short rows, with parallel tasks that end inside
    /// an image: every activation of both ops against the Candle composition.
    #[test]
    fn per_channel_ops_on_rank_two_and_short_rows() {
        let dev = Device::Cpu;
        for shape in [vec![5usize, 1100], vec![3, 7, 700], vec![4, 3, 1]] {
            let c = shape[1];
            let n: usize = shape.iter().product();
            let xs: Vec<f32> = (0..n).map(|k| ((k * 37 % 101) as f32 - 50.3) * 0.05).collect();
            let x = Tensor::from_vec(xs, shape.as_slice(), &dev).unwrap();
            let a = Tensor::from_vec((0..c).map(|k| 0.5 + (k % 13) as f32 * 0.1).collect(), c, &dev).unwrap();
            let b = Tensor::from_vec((0..c).map(|k| (k % 7) as f32 * 0.2 - 0.6).collect(), c, &dev).unwrap();
            let mut bshape = vec![1usize; shape.len()];
            bshape[1] = c;
            for act in [Act::LeakyRelu(0.2), Act::Tanh, Act::Relu, Act::Identity] {
                let plain_bias = act.candle(&x.broadcast_add(&b.reshape(bshape.as_slice()).unwrap()).unwrap()).unwrap();
                let plain_affine = act
                    .candle(
                        &x.broadcast_mul(&a.reshape(bshape.as_slice()).unwrap())
                            .unwrap()
                            .broadcast_add(&b.reshape(bshape.as_slice()).unwrap())
                            .unwrap(),
                    )
                    .unwrap();
                let e = d(&bias_act(&x, Some(&b), act).unwrap(), &plain_bias);
                assert!(e < 1e-6, "{shape:?} {act:?}: bias {e}");
                let e = d(&scale_shift_act(&x, &a, &b, act).unwrap(), &plain_affine);
                assert!(e < 1e-6, "{shape:?} {act:?}: scale/shift {e}");
            }
        }
    }

    /// The activation alone and its gradient over several parallel tasks (the last one short),
    /// every activation, against the Candle composition.
    #[test]
    fn activation_alone_over_several_tasks() {
        let dev = Device::Cpu;
        let n = 2 * ELEMENTWISE_TASK + 1001;
        let xs: Vec<f32> = (0..n).map(|k| ((k * 37 % 101) as f32 - 50.3) * 0.05).collect();
        let x = Var::from_tensor(&Tensor::from_vec(xs, (1, n), &dev).unwrap()).unwrap();
        let coeff = Tensor::arange(0f32, n as f32, &dev).unwrap().reshape((1, n)).unwrap().cos().unwrap();
        for act in [Act::LeakyRelu(0.2), Act::Tanh, Act::Relu, Act::Identity] {
            let ours = bias_act(x.as_tensor(), None, act).unwrap();
            let plain = act.candle(x.as_tensor()).unwrap();
            assert!(d(&ours, &plain) < 1e-6, "{act:?}: forward");
            let go = (ours * &coeff).unwrap().sum_all().unwrap().backward().unwrap();
            let gp = (plain * &coeff).unwrap().sum_all().unwrap().backward().unwrap();
            let e = d(go.get(x.as_tensor()).unwrap(), gp.get(x.as_tensor()).unwrap());
            assert!(e < 1e-5, "{act:?}: gradient {e}");
        }
    }

    #[test]
    fn fused_matches_candle_ops_forward_and_backward() {
        let dev = Device::Cpu;
        let (x, coeff) = fixture(11.0);
        let b = Var::from_tensor(&Tensor::new(&[0.3f32, -0.2, 0.05], &dev).unwrap()).unwrap();
        for act in [Act::Relu, Act::Identity] {
            let fused = bias_act(x.as_tensor(), Some(b.as_tensor()), act).unwrap();
            let plain = x.broadcast_add(&b.reshape((1, 3, 1, 1)).unwrap()).unwrap();
            // ReLU as PyTorch differentiates it: gradient 0 where the input is exactly 0 (Candle's own
            // relu passes the gradient there; this input has such a point).
            let plain = if act == Act::Relu {
                let mask = plain.gt(0.0).unwrap().to_dtype(candle_core::DType::F32).unwrap();
                (plain * mask).unwrap()
            } else {
                plain
            };
            assert_eq!(d(&fused, &plain), 0.0);
            let gf = (fused * &coeff).unwrap().sum_all().unwrap().backward().unwrap();
            let gp = (plain * &coeff).unwrap().sum_all().unwrap().backward().unwrap();
            for v in [&x, &b] {
                let e = d(gf.get(v.as_tensor()).unwrap(), gp.get(v.as_tensor()).unwrap());
                assert!(e < 1e-5, "{act:?}: {e}");
            }
        }
        let r = bias_act(x.as_tensor(), None, Act::Relu).unwrap();
        let gr = (r * &coeff).unwrap().sum_all().unwrap().backward().unwrap();
        let pos = x.gt(0.0).unwrap().to_dtype(candle_core::DType::F32).unwrap();
        let gp = ((x.as_tensor() * pos).unwrap() * &coeff).unwrap().sum_all().unwrap().backward().unwrap();
        assert!(d(gr.get(x.as_tensor()).unwrap(), gp.get(x.as_tensor()).unwrap()) < 1e-6);
    }
}
