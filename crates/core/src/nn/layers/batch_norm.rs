//! Batch normalisation (Ioffe & Szegedy, 2015) for `(N, C)`, `(N, C, L)`, `(N, C, H, W)` and
//! `(N, C, D, H, W)` inputs, with running statistics.
//!
//! Training normalises with the batch mean and biased variance and updates the running estimates
//! `r = (1 - momentum) * r + momentum * batch`, using the *unbiased* variance for `running_var`, as
//! PyTorch does; evaluation normalises with the running estimates. The running statistics are
//! buffers of the [`crate::nn::ParamStore`] (`running_mean`, `running_var`): saved in checkpoints,
//! never trained.

use crate::{Error, Result};
use candle_core::{Tensor, Var};
use candle_nn::{ModuleT, VarBuilder};

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

    fn forward_impl(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        self.check_rank(x)?;
        let c = x.dim(1)?;
        let n = x.dim(0)?;
        let x3 = x.reshape((n, c, ()))?;
        let mut bshape = vec![1usize; x.rank()];
        bshape[1] = c;
        let (mean, var) = if train {
            let count = x3.elem_count() / c;
            if count < 2 {
                return Err(Error::Shape(format!(
                    "batch norm in training needs more than one value per channel, got shape {:?}",
                    x.dims()
                )));
            }
            let mean = x3.mean_keepdim(2)?.mean_keepdim(0)?; // (1, C, 1)
            let centred = x3.broadcast_sub(&mean)?;
            let var = centred.sqr()?.mean_keepdim(2)?.mean_keepdim(0)?; // biased
            let m = self.cfg.momentum;
            let mean_d = mean.detach().flatten_all()?;
            let var_unbiased = (var.detach().flatten_all()? * (count as f64 / (count as f64 - 1.0)))?;
            let new_mean = ((self.running_mean.as_tensor() * (1.0 - m))? + (mean_d * m)?)?;
            let new_var = ((self.running_var.as_tensor() * (1.0 - m))? + (var_unbiased * m)?)?;
            self.running_mean.set(&new_mean)?;
            self.running_var.set(&new_var)?;
            (mean.reshape(bshape.clone())?, var.reshape(bshape.clone())?)
        } else {
            (
                self.running_mean.as_tensor().reshape(bshape.clone())?,
                self.running_var.as_tensor().reshape(bshape.clone())?,
            )
        };
        let y = x.broadcast_sub(&mean)?.broadcast_div(&(var + self.cfg.eps)?.sqrt()?)?;
        Ok(match (&self.weight, &self.bias) {
            (Some(w), Some(b)) => y.broadcast_mul(&w.reshape(bshape.clone())?)?.broadcast_add(&b.reshape(bshape)?)?,
            _ => y,
        })
    }
}

impl ModuleT for BatchNorm {
    fn forward_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        self.forward_impl(x, train).map_err(candle_core::Error::wrap)
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
