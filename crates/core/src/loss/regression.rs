//! Regression losses: MSE, MAE, Huber and the quantile (pinball) loss.

use crate::{Error, Result};
use candle_core::Tensor;

fn same_shape(what: &str, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.dims() != b.dims() {
        return Err(Error::Shape(format!("{what}: output {:?} vs target {:?}", a.dims(), b.dims())));
    }
    Ok(a.sub(&b.to_dtype(a.dtype())?)?)
}

/// Mean squared error.
pub fn mse(output: &Tensor, target: &Tensor) -> Result<Tensor> {
    Ok(same_shape("mse", output, target)?.sqr()?.mean_all()?)
}

/// Mean absolute error (L1).
pub fn mae(output: &Tensor, target: &Tensor) -> Result<Tensor> {
    let r = same_shape("mae", output, target)?;
    // |r| as relu(r) + relu(-r): its gradient at r = 0 is 0, as PyTorch's `l1_loss` (Candle's `abs`
    // has gradient 1 there).
    Ok((r.relu()? + r.neg()?.relu()?)?.mean_all()?)
}

/// Huber loss (PyTorch `HuberLoss`): `0.5 r^2` where `|r| < delta`, else `delta * (|r| - delta/2)`; mean.
pub fn huber(output: &Tensor, target: &Tensor, delta: f64) -> Result<Tensor> {
    if delta <= 0.0 {
        return Err(Error::Config(format!("huber delta must be positive, got {delta}")));
    }
    let r = same_shape("huber", output, target)?;
    let a = r.abs()?;
    // Both branches, selected per element as PyTorch does, so the gradient is r where |r| < delta
    // (0 at r = 0, where Candle's `abs` would give 1) and delta * sign(r) elsewhere.
    let quadratic = (r.sqr()? * 0.5)?;
    let linear = a.affine(delta, -0.5 * delta * delta)?;
    Ok(a.lt(delta)?.where_cond(&quadratic, &linear)?.mean_all()?)
}

/// Quantile (pinball) loss for quantile `q` in (0, 1): `mean(max(q r, (q - 1) r))`, `r = target - output`.
pub fn quantile(output: &Tensor, target: &Tensor, q: f64) -> Result<Tensor> {
    if !(0.0 < q && q < 1.0) {
        return Err(Error::Config(format!("quantile must be in (0, 1), got {q}")));
    }
    let r = same_shape("quantile", output, target)?.neg()?;
    Ok((r.relu()? * q)?.add(&(r.neg()?.relu()? * (1.0 - q))?)?.mean_all()?)
}
