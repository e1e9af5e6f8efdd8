//! Classification losses: cross-entropy (class weights, label smoothing, ignore index), binary
//! cross-entropy on logits, and softmax focal loss.

use super::{classes_last, flat_targets, one_hot};
use crate::{Error, Result};
use candle_core::{D, DType, Tensor};

/// Options of [`cross_entropy`], with PyTorch's defaults.
#[derive(Debug, Clone, Default)]
pub struct CrossEntropy {
    /// Per-class weights `(C,)`; `None` weighs every class 1.
    pub class_weights: Option<Vec<f32>>,
    /// Label smoothing epsilon in `[0, 1)`.
    pub label_smoothing: f64,
    /// Targets equal to this index contribute nothing (PyTorch default: -100).
    pub ignore_index: Option<i64>,
}

impl CrossEntropy {
    /// Computes the loss of `scores` `(N, C, *spatial)` (logits) against class indices `(N, *spatial)`.
    ///
    /// As in PyTorch's `F.cross_entropy` with `reduction='mean'`: the sum over non-ignored elements
    /// of `(1 - eps) * w[t] * -log p[t] + eps / C * sum_c w[c] * -log p[c]`, divided by the sum of
    /// `w[t]` over non-ignored elements.
    pub fn loss(&self, scores: &Tensor, target: &Tensor) -> Result<Tensor> {
        let logits = classes_last(scores)?;
        let c = logits.dim(1)?;
        let t = flat_targets(scores, target)?;
        let dev = logits.device();
        let ignore = self.ignore_index.unwrap_or(-100);
        let valid = t.ne(ignore)?; // u8
        let t_safe = valid.where_cond(&t, &t.zeros_like()?)?;
        let (lo, hi) = (t_safe.min_all()?.to_scalar::<i64>()?, t_safe.max_all()?.to_scalar::<i64>()?);
        if lo < 0 || hi >= c as i64 {
            return Err(Error::Shape(format!("class target {} outside 0..{c}", if lo < 0 { lo } else { hi })));
        }
        if !(0.0..1.0).contains(&self.label_smoothing) {
            return Err(Error::Config(format!("label smoothing must be in [0, 1), got {}", self.label_smoothing)));
        }
        let logp = candle_nn::ops::log_softmax(&logits, D::Minus1)?;
        let valid_f = valid.to_dtype(logp.dtype())?;
        let w = match &self.class_weights {
            Some(w) if w.len() != c => {
                return Err(Error::Shape(format!("{} class weights for {c} classes", w.len())));
            }
            Some(w) => Tensor::from_slice(w, c, dev)?.to_dtype(logp.dtype())?,
            None => Tensor::ones(c, logp.dtype(), dev)?,
        };
        let idx = t_safe.to_dtype(DType::U32)?;
        let wt = w.index_select(&idx, 0)?.mul(&valid_f)?; // (M,)
        let nll = logp.gather(&idx.unsqueeze(1)?, 1)?.squeeze(1)?.neg()?.mul(&wt)?.sum_all()?;
        let denom = wt.sum_all()?;
        let mut total = nll;
        if self.label_smoothing > 0.0 {
            let eps = self.label_smoothing;
            let smooth = logp.broadcast_mul(&w.unsqueeze(0)?)?.sum(1)?.neg()?.mul(&valid_f)?.sum_all()?;
            total = ((total * (1.0 - eps))? + (smooth * (eps / c as f64))?)?;
        }
        Ok(total.div(&denom)?)
    }
}

/// Plain cross-entropy of logits `(N, C, *spatial)` against class indices (mean over elements).
pub fn cross_entropy(scores: &Tensor, target: &Tensor) -> Result<Tensor> {
    CrossEntropy::default().loss(scores, target)
}

/// Binary cross-entropy on logits, numerically stable:
/// `mean(max(x, 0) - x * y + log(1 + exp(-|x|)))`, as PyTorch's `binary_cross_entropy_with_logits`.
pub fn bce_with_logits(logits: &Tensor, target: &Tensor) -> Result<Tensor> {
    if logits.dims() != target.dims() {
        return Err(Error::Shape(format!("bce: logits {:?} vs targets {:?}", logits.dims(), target.dims())));
    }
    let y = target.to_dtype(logits.dtype())?;
    let pos = logits.relu()?;
    let soft = logits.abs()?.neg()?.exp()?.affine(1.0, 1.0)?.log()?;
    Ok((pos - logits.mul(&y)?)?.add(&soft)?.mean_all()?)
}

/// Softmax focal loss (Lin et al., 2017): `mean(-alpha[t] * (1 - p_t)^gamma * log p_t)` over elements
/// of logits `(N, C, *spatial)` and class targets; `alpha = None` weighs every class 1.
pub fn focal_loss(scores: &Tensor, target: &Tensor, gamma: f64, alpha: Option<&[f32]>) -> Result<Tensor> {
    let logits = classes_last(scores)?;
    let c = logits.dim(1)?;
    let t = flat_targets(scores, target)?;
    let (lo, hi) = (t.min_all()?.to_scalar::<i64>()?, t.max_all()?.to_scalar::<i64>()?);
    if lo < 0 || hi >= c as i64 {
        return Err(Error::Shape(format!("class target outside 0..{c}")));
    }
    let logp = candle_nn::ops::log_softmax(&logits, D::Minus1)?;
    let oh = one_hot(&t, c)?.to_dtype(logp.dtype())?;
    let logpt = logp.mul(&oh)?.sum(1)?; // (M,)
    let pt = logpt.exp()?;
    let modulating = pt.affine(-1.0, 1.0)?.relu()?.powf(gamma)?;
    let mut l = modulating.mul(&logpt)?.neg()?;
    if let Some(a) = alpha {
        if a.len() != c {
            return Err(Error::Shape(format!("{} focal alphas for {c} classes", a.len())));
        }
        let aw = Tensor::from_slice(a, c, logp.device())?
            .to_dtype(logp.dtype())?
            .index_select(&t.to_dtype(DType::U32)?, 0)?;
        l = l.mul(&aw)?;
    }
    Ok(l.mean_all()?)
}
