//! The ResNet basic block (He et al., 2016): two 3x3 conv + BN, identity or 1x1-conv shortcut.

use crate::Result;
use crate::nn::layers::{BatchNorm, BatchNormConfig, batch_norm2d};
use candle_core::{Module, Tensor};
use candle_nn::{Conv2d, Conv2dConfig, ModuleT, VarBuilder};

/// A basic residual block, `(N, C_in, H, W)` -> `(N, C_out, H/stride, W/stride)`.
#[derive(Debug, Clone)]
pub struct BasicBlock {
    conv1: Conv2d,
    bn1: BatchNorm,
    conv2: Conv2d,
    bn2: BatchNorm,
    shortcut: Option<(Conv2d, BatchNorm)>,
}

fn conv(c_in: usize, c_out: usize, k: usize, stride: usize, vb: VarBuilder) -> Result<Conv2d> {
    let w = vb.get_with_hints((c_out, c_in, k, k), "weight", candle_nn::init::DEFAULT_KAIMING_NORMAL)?;
    Ok(Conv2d::new(w, None, Conv2dConfig { padding: k / 2, stride, ..Default::default() }))
}

impl BasicBlock {
    /// A block; a projection shortcut is used when the stride or channel count changes.
    pub fn new(c_in: usize, c_out: usize, stride: usize, vb: VarBuilder) -> Result<Self> {
        let bn = BatchNormConfig::default();
        let shortcut = if stride != 1 || c_in != c_out {
            Some((conv(c_in, c_out, 1, stride, vb.pp("downsample.0"))?, batch_norm2d(c_out, bn, vb.pp("downsample.1"))?))
        } else {
            None
        };
        Ok(Self {
            conv1: conv(c_in, c_out, 3, stride, vb.pp("conv1"))?,
            bn1: batch_norm2d(c_out, bn, vb.pp("bn1"))?,
            conv2: conv(c_out, c_out, 3, 1, vb.pp("conv2"))?,
            bn2: batch_norm2d(c_out, bn, vb.pp("bn2"))?,
            shortcut,
        })
    }
}

impl ModuleT for BasicBlock {
    fn forward_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let y = self.bn1.forward_t(&self.conv1.forward(x)?, train)?.relu()?;
        let y = self.bn2.forward_t(&self.conv2.forward(&y)?, train)?;
        let s = match &self.shortcut {
            Some((c, b)) => b.forward_t(&c.forward(x)?, train)?,
            None => x.clone(),
        };
        (y + s)?.relu()
    }
}
