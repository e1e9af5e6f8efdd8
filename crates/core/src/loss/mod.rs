//! Loss functions. Each takes the network output and the target and returns a scalar tensor
//! (mean reduction, PyTorch's default), differentiable with respect to the output.

pub mod classification;
pub mod regression;
pub mod segmentation;

pub use classification::{CrossEntropy, bce_with_logits, cross_entropy, focal_loss};
pub use regression::{huber, mae, mse, quantile};
pub use segmentation::{DiceLoss, dice_ce};

use crate::{Error, Result};
use candle_core::{DType, Tensor};

/// Moves the class axis (1) of `(N, C, *spatial)` last and flattens to `(M, C)`; `(N, C)` passes through.
pub(crate) fn classes_last(x: &Tensor) -> Result<Tensor> {
    if x.rank() < 2 {
        return Err(Error::Shape(format!("expected (N, C, ...) scores, got {:?}", x.dims())));
    }
    if x.rank() == 2 {
        return Ok(x.clone());
    }
    let c = x.dim(1)?;
    let r = x.rank();
    let mut perm: Vec<usize> = vec![0];
    perm.extend(2..r);
    perm.push(1);
    Ok(x.permute(perm)?.contiguous()?.reshape(((), c))?)
}

/// Flattens integer class targets `(N, *spatial)` (or `(N, 1, *spatial)`) to `(M,)` as i64 and checks
/// they match `scores` `(N, C, *spatial)`.
pub(crate) fn flat_targets(scores: &Tensor, target: &Tensor) -> Result<Tensor> {
    let mut t = target.clone();
    if t.rank() == scores.rank() && t.dim(1)? == 1 && scores.rank() > 2 {
        t = t.squeeze(1)?;
    }
    let mut expect: Vec<usize> = vec![scores.dim(0)?];
    expect.extend_from_slice(&scores.dims()[2..]);
    if t.dims() != expect.as_slice() {
        return Err(Error::Shape(format!(
            "targets {:?} do not match scores {:?} (expected {:?})",
            target.dims(),
            scores.dims(),
            expect
        )));
    }
    let t = match t.dtype() {
        DType::F32 | DType::F64 | DType::F16 | DType::BF16 => t.round()?.to_dtype(DType::I64)?,
        _ => t.to_dtype(DType::I64)?,
    };
    Ok(t.flatten_all()?)
}

/// One-hot `(M, C)` f32 from class indices `(M,)` (any index outside `0..C` gives a zero row).
pub(crate) fn one_hot(t: &Tensor, c: usize) -> Result<Tensor> {
    let classes = Tensor::arange(0i64, c as i64, t.device())?;
    Ok(t.unsqueeze(1)?.broadcast_eq(&classes.unsqueeze(0)?)?.to_dtype(DType::F32)?)
}

/// The scalar value of a 0-d or 1-element tensor as f64 (for logs and tests).
pub fn scalar(t: &Tensor) -> Result<f64> {
    Ok(t.to_dtype(DType::F64)?.flatten_all()?.to_vec1::<f64>()?.first().copied().unwrap_or(f64::NAN))
}
