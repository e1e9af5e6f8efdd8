//! Segmentation losses: soft Dice (per class, with or without background) and Dice + cross-entropy,
//! following MONAI's `DiceLoss(softmax=True, to_onehot_y=True)` and `DiceCELoss`.

use super::{classes_last, flat_targets, one_hot};
use crate::Result;
use candle_core::{D, Tensor};

/// Soft Dice loss options (MONAI defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiceLoss {
    /// Include class 0 in the mean.
    pub include_background: bool,
    /// Added to the numerator (MONAI `smooth_nr`, 1e-5).
    pub smooth_nr: f64,
    /// Added to the denominator (MONAI `smooth_dr`, 1e-5).
    pub smooth_dr: f64,
    /// Sum intersections over the batch before the ratio (MONAI `batch=True`) instead of per sample.
    pub batch: bool,
}

impl Default for DiceLoss {
    fn default() -> Self {
        Self { include_background: true, smooth_nr: 1e-5, smooth_dr: 1e-5, batch: false }
    }
}

impl DiceLoss {
    /// Per-(sample, class) losses `1 - (2 I + nr) / (P + G + dr)` averaged: logits `(N, C, *spatial)`
    /// through a softmax, targets class indices `(N, *spatial)`.
    pub fn loss(&self, scores: &Tensor, target: &Tensor) -> Result<Tensor> {
        let (n, c) = (scores.dim(0)?, scores.dim(1)?);
        let probs = candle_nn::ops::softmax(&classes_last(scores)?, D::Minus1)?; // (M, C)
        let t = flat_targets(scores, target)?;
        let oh = one_hot(&t, c)?.to_dtype(probs.dtype())?;
        // (N, S, C): per-sample sums over spatial positions.
        let p = probs.reshape((n, (), c))?;
        let g = oh.reshape((n, (), c))?;
        let (mut inter, mut psum, mut gsum) = (p.mul(&g)?.sum(1)?, p.sum(1)?, g.sum(1)?); // (N, C)
        if self.batch {
            inter = inter.sum_keepdim(0)?;
            psum = psum.sum_keepdim(0)?;
            gsum = gsum.sum_keepdim(0)?;
        }
        let ratio = ((inter * 2.0)? + self.smooth_nr)?.div(&((psum + gsum)? + self.smooth_dr)?)?;
        let l = ratio.affine(-1.0, 1.0)?;
        let l = if self.include_background { l } else { l.narrow(1, 1, c - 1)? };
        Ok(l.mean_all()?)
    }
}

/// MONAI `DiceCELoss` with unit weights: soft Dice (softmax, one-hot targets) plus cross-entropy.
pub fn dice_ce(scores: &Tensor, target: &Tensor, dice: &DiceLoss) -> Result<Tensor> {
    Ok((dice.loss(scores, target)? + super::cross_entropy(scores, target)?)?)
}
