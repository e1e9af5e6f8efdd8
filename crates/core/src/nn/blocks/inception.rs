//! The Inception block (Szegedy et al., 2015, GoogLeNet "Inception v1" with dimension reductions):
//! four parallel branches — 1x1; 1x1 then 3x3; 1x1 then 5x5; 3x3 max-pool (stride 1) then 1x1 —
//! concatenated along channels. Each convolution is conv + BN + ReLU. `(N, C, H, W)` ->
//! `(N, b1 + b3 + b5 + pool_proj, H, W)`.

use super::ConvNormAct;
use crate::Result;
use crate::nn::layers::{Pool, PoolMode};
use candle_core::Tensor;
use candle_nn::{ModuleT, VarBuilder};

/// Branch widths of an Inception block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InceptionConfig {
    /// 1x1 branch.
    pub b1: usize,
    /// 1x1 reduction before the 3x3 branch.
    pub b3_reduce: usize,
    /// 3x3 branch.
    pub b3: usize,
    /// 1x1 reduction before the 5x5 branch.
    pub b5_reduce: usize,
    /// 5x5 branch.
    pub b5: usize,
    /// 1x1 projection after the pooling branch.
    pub pool_proj: usize,
}

impl InceptionConfig {
    /// Output channels.
    pub fn out_channels(&self) -> usize {
        self.b1 + self.b3 + self.b5 + self.pool_proj
    }
}

/// An Inception block.
#[derive(Debug, Clone)]
pub struct InceptionBlock {
    b1: ConvNormAct,
    b3: (ConvNormAct, ConvNormAct),
    b5: (ConvNormAct, ConvNormAct),
    pool_proj: ConvNormAct,
}

impl InceptionBlock {
    /// Builds the block for `c_in` input channels.
    pub fn new(c_in: usize, cfg: &InceptionConfig, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            b1: ConvNormAct::new(2, c_in, cfg.b1, 1, true, vb.pp("branch1"))?,
            b3: (
                ConvNormAct::new(2, c_in, cfg.b3_reduce, 1, true, vb.pp("branch3.0"))?,
                ConvNormAct::new(2, cfg.b3_reduce, cfg.b3, 3, true, vb.pp("branch3.1"))?,
            ),
            b5: (
                ConvNormAct::new(2, c_in, cfg.b5_reduce, 1, true, vb.pp("branch5.0"))?,
                ConvNormAct::new(2, cfg.b5_reduce, cfg.b5, 5, true, vb.pp("branch5.1"))?,
            ),
            pool_proj: ConvNormAct::new(2, c_in, cfg.pool_proj, 1, true, vb.pp("branch_pool"))?,
        })
    }
}

impl ModuleT for InceptionBlock {
    fn forward_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let a = self.b1.forward_t(x, train)?;
        let b = self.b3.1.forward_t(&self.b3.0.forward_t(x, train)?, train)?;
        let c = self.b5.1.forward_t(&self.b5.0.forward_t(x, train)?, train)?;
        let p = Pool::uniform(PoolMode::Max, 2, 3, 1, 1).forward(x).map_err(candle_core::Error::wrap)?;
        let d = self.pool_proj.forward_t(&p, train)?;
        Tensor::cat(&[a, b, c, d], 1)
    }
}
