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
    Ok(same_shape("mae", output, target)?.abs()?.mean_all()?)
}

/// Huber loss (PyTorch `HuberLoss`): `0.5 r^2` where `|r| < delta`, else `delta * (|r| - delta/2)`; mean.
pub fn huber(output: &Tensor, target: &Tensor, delta: f64) -> Result<Tensor> {
    if delta <= 0.0 {
        return Err(Error::Config(format!("huber delta must be positive, got {delta}")));
    }
    let a = same_shape("huber", output, target)?.abs()?;
    // min(|r|, delta) = q; loss = 0.5 q^2 + delta (|r| - q) reproduces both branches.
    let q = a.clamp(0.0, delta)?;
    Ok(((q.sqr()? * 0.5)? + ((a - &q)? * delta)?)?.mean_all()?)
}

/// Quantile (pinball) loss for quantile `q` in (0, 1): `mean(max(q r, (q - 1) r))`, `r = target - output`.
pub fn quantile(output: &Tensor, target: &Tensor, q: f64) -> Result<Tensor> {
    if !(0.0 < q && q < 1.0) {
        return Err(Error::Config(format!("quantile must be in (0, 1), got {q}")));
    }
    let r = same_shape("quantile", output, target)?.neg()?;
    Ok((r.relu()? * q)?.add(&(r.neg()?.relu()? * (1.0 - q))?)?.mean_all()?)
}
