//! Adam's update in place on the CPU: one pass per moment and one for the parameter, with no
//! temporaries. The same update as a chain of Candle ops makes about a dozen full-size tensors per
//! parameter and step (each a fresh allocation), which in small models (the LSTM forecaster, the
//! CNNs) costs as much as a layer's forward. Contiguous f32/f64 CPU tensors only; the caller falls
//! back to the chain otherwise.

use candle_core::{CpuStorage, InplaceOp2, InplaceOp3, Layout, Tensor};

/// Whether the in-place path applies to all of these tensors.
pub(crate) fn applies(ts: &[&Tensor]) -> bool {
    let Some(first) = ts.first() else { return false };
    ts.iter().all(|t| {
        t.device().is_cpu()
            && t.dtype() == first.dtype()
            && matches!(t.dtype(), candle_core::DType::F32 | candle_core::DType::F64)
            && t.is_contiguous()
            && t.dims() == first.dims()
    })
}

/// `m = beta m + (1 - beta) g` (or `g^2`), in place on `m`.
struct Moment {
    beta: f64,
    square: bool,
}

/// `p = decay p - step m / (sqrt(v) / sqrt(bc2) + eps)`, in place on `p`.
struct Param {
    decay: f64,
    step: f64,
    sqrt_bc2: f64,
    eps: f64,
}

/// The elements of a contiguous operand.
fn src<'a, T>(s: &'a [T], l: &Layout) -> candle_core::Result<&'a [T]> {
    match l.contiguous_offsets() {
        Some((a, b)) => Ok(&s[a..b]),
        None => candle_core::bail!("fused optimiser update: contiguous operands expected"),
    }
}

/// The destination's elements, and the sources', all of the same length.
fn operands<'a, T, const N: usize>(
    dst: &'a mut [T],
    dl: &Layout,
    srcs: [(&'a [T], &Layout); N],
) -> candle_core::Result<(&'a mut [T], [&'a [T]; N])> {
    let Some((a, b)) = dl.contiguous_offsets() else {
        candle_core::bail!("fused optimiser update: contiguous parameter expected")
    };
    let mut out = [&[] as &[T]; N];
    for (o, (s, l)) in out.iter_mut().zip(srcs) {
        *o = src(s, l)?;
        if o.len() != b - a {
            candle_core::bail!("fused optimiser update: operands of {} and {} elements", b - a, o.len());
        }
    }
    Ok((&mut dst[a..b], out))
}

impl InplaceOp2 for Moment {
    fn name(&self) -> &'static str {
        "scidl-adam-moment"
    }
    fn cpu_fwd(&self, dst: &mut CpuStorage, dl: &Layout, g: &CpuStorage, gl: &Layout) -> candle_core::Result<()> {
        let (b, a) = (self.beta, 1.0 - self.beta);
        match (dst, g) {
            (CpuStorage::F32(m), CpuStorage::F32(g)) => {
                let (m, [g]) = operands(m, dl, [(g, gl)])?;
                let (b, a) = (b as f32, a as f32);
                if self.square {
                    m.iter_mut().zip(g).for_each(|(m, &g)| *m = b * *m + a * g * g);
                } else {
                    m.iter_mut().zip(g).for_each(|(m, &g)| *m = b * *m + a * g);
                }
            }
            (CpuStorage::F64(m), CpuStorage::F64(g)) => {
                let (m, [g]) = operands(m, dl, [(g, gl)])?;
                if self.square {
                    m.iter_mut().zip(g).for_each(|(m, &g)| *m = b * *m + a * g * g);
                } else {
                    m.iter_mut().zip(g).for_each(|(m, &g)| *m = b * *m + a * g);
                }
            }
            _ => candle_core::bail!("fused optimiser update: f32 or f64 operands of one dtype expected"),
        }
        Ok(())
    }
}

impl InplaceOp3 for Param {
    fn name(&self) -> &'static str {
        "scidl-adam-param"
    }
    fn cpu_fwd(
        &self,
        dst: &mut CpuStorage,
        dl: &Layout,
        m: &CpuStorage,
        ml: &Layout,
        v: &CpuStorage,
        vl: &Layout,
    ) -> candle_core::Result<()> {
        let (decay, step, inv_sqrt_bc2, eps) = (self.decay, self.step, 1.0 / self.sqrt_bc2, self.eps);
        match (dst, m, v) {
            (CpuStorage::F32(p), CpuStorage::F32(m), CpuStorage::F32(v)) => {
                let (p, [m, v]) = operands(p, dl, [(m, ml), (v, vl)])?;
                let (decay, step, inv, eps) = (decay as f32, step as f32, inv_sqrt_bc2 as f32, eps as f32);
                for ((p, &m), &v) in p.iter_mut().zip(m).zip(v) {
                    *p = decay * *p - step * m / (v.sqrt() * inv + eps);
                }
            }
            (CpuStorage::F64(p), CpuStorage::F64(m), CpuStorage::F64(v)) => {
                let (p, [m, v]) = operands(p, dl, [(m, ml), (v, vl)])?;
                for ((p, &m), &v) in p.iter_mut().zip(m).zip(v) {
                    *p = decay * *p - step * m / (v.sqrt() * inv_sqrt_bc2 + eps);
                }
            }
            _ => candle_core::bail!("fused optimiser update: f32 or f64 operands of one dtype expected"),
        }
        Ok(())
    }
}

/// One Adam/AdamW update in place: the moments `m`, `v` from the gradient `g`, then the parameter
/// `p` (`decay = 1 - lr wd` for AdamW, 1 otherwise; `step = lr / (1 - b1^t)`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn adam(
    p: &Tensor,
    g: &Tensor,
    m: &Tensor,
    v: &Tensor,
    (b1, b2): (f64, f64),
    decay: f64,
    step: f64,
    sqrt_bc2: f64,
    eps: f64,
) -> candle_core::Result<()> {
    m.inplace_op2(g, &Moment { beta: b1, square: false })?;
    v.inplace_op2(g, &Moment { beta: b2, square: true })?;
    p.inplace_op3(m, v, &Param { decay, step, sqrt_bc2, eps })
}
