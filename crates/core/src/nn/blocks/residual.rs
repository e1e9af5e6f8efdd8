//! The ResNet basic block (He et al., 2016): two 3x3 conv + BN, identity or 1x1-conv shortcut.

use super::{ConvNd, conv_nd};
use crate::Result;
use crate::nn::layers::{BatchNorm, BatchNormConfig, batch_norm2d};
use candle_core::Tensor;
use candle_nn::{ModuleT, VarBuilder};

/// A basic residual block, `(N, C_in, H, W)` -> `(N, C_out, H/stride, W/stride)`.
#[derive(Debug, Clone)]
pub struct BasicBlock {
    conv1: ConvNd,
    bn1: BatchNorm,
    conv2: ConvNd,
    bn2: BatchNorm,
    shortcut: Option<(ConvNd, BatchNorm)>,
}

fn conv(c_in: usize, c_out: usize, k: usize, stride: usize, vb: VarBuilder) -> Result<ConvNd> {
    conv_nd(2, c_in, c_out, k, k / 2, stride, false, vb)
}

impl BasicBlock {
    /// A block; a projection shortcut is used when the stride or channel count changes.
    pub fn new(c_in: usize, c_out: usize, stride: usize, vb: VarBuilder) -> Result<Self> {
        let bn = BatchNormConfig::default();
        let shortcut = if stride != 1 || c_in != c_out {
            Some((
                conv(c_in, c_out, 1, stride, vb.pp("downsample.0"))?,
                batch_norm2d(c_out, bn, vb.pp("downsample.1"))?,
            ))
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
        let y = self.bn1.forward_t(&self.conv1.forward_no_bias(x)?, train)?.relu()?;
        let y = self.bn2.forward_t(&self.conv2.forward_no_bias(&y)?, train)?;
        let s = match &self.shortcut {
            Some((c, b)) => b.forward_t(&c.forward_no_bias(x)?, train)?,
            None => x.clone(),
        };
        (y + s)?.relu()
    }
}
