//! ResNet-18/34 (He et al., 2016) with basic blocks; the ImageNet stem (7x7/2 conv + 3x3/2 max-pool)
//! or the small-image stem of the CIFAR experiments (one 3x3/1 conv, no pooling). Global average
//! pooling and a linear head. `(N, C, H, W)` -> `(N, classes)`.

use crate::nn::blocks::BasicBlock;
use crate::nn::blocks::{ConvNd, conv_nd};
use crate::nn::layers::{BatchNorm, BatchNormConfig, Pool, PoolMode, batch_norm2d, global_avg_pool};
use crate::{Error, Result};
use candle_core::{Module, Tensor};
use candle_nn::{Linear, ModuleT, VarBuilder, linear};

/// Configuration of a [`ResNet`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ResNetConfig {
    /// 18 or 34.
    pub depth: usize,
    /// Input channels.
    pub in_channels: usize,
    /// Number of classes.
    pub num_classes: usize,
    /// Use the small-image (CIFAR-style) stem.
    #[serde(default)]
    pub small_input: bool,
    /// Width of the first stage (64 in the paper); later stages double it.
    #[serde(default = "default_width")]
    pub width: usize,
}

fn default_width() -> usize {
    64
}

/// A ResNet.
#[derive(Debug, Clone)]
pub struct ResNet {
    stem: ConvNd,
    stem_bn: BatchNorm,
    stem_pool: bool,
    stages: Vec<Vec<BasicBlock>>,
    fc: Linear,
}

impl ResNet {
    /// Builds the network.
    pub fn new(cfg: &ResNetConfig, vb: VarBuilder) -> Result<Self> {
        let blocks = match cfg.depth {
            18 => [2, 2, 2, 2],
            34 => [3, 4, 6, 3],
            d => return Err(Error::Config(format!("ResNet depth {d}: only 18 and 34 (basic blocks) are built"))),
        };
        let w = cfg.width.max(1);
        let (k, stride) = if cfg.small_input { (3, 1) } else { (7, 2) };
        let stem = conv_nd(2, cfg.in_channels, w, k, k / 2, stride, false, vb.pp("conv1"))?;
        let stem_bn = batch_norm2d(w, BatchNormConfig::default(), vb.pp("bn1"))?;
        let mut stages = Vec::new();
        let mut c = w;
        for (s, &n) in blocks.iter().enumerate() {
            let out = w << s;
            let mut stage = Vec::new();
            for b in 0..n {
                let stride = if b == 0 && s > 0 { 2 } else { 1 };
                stage.push(BasicBlock::new(c, out, stride, vb.pp(format!("layer{}.{b}", s + 1)))?);
                c = out;
            }
            stages.push(stage);
        }
        let fc = linear(c, cfg.num_classes, vb.pp("fc"))?;
        Ok(Self { stem, stem_bn, stem_pool: !cfg.small_input, stages, fc })
    }

    /// Backbone: `(N, C, H, W)` -> pooled features `(N, 8 * width)`.
    pub fn features(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let mut x = self.stem_bn.forward_t(&self.stem.forward_no_bias(x)?, train)?.relu()?;
        if self.stem_pool {
            x = Pool::uniform(PoolMode::Max, 2, 3, 2, 1).forward(&x).map_err(candle_core::Error::wrap)?;
        }
        for stage in &self.stages {
            for b in stage {
                x = b.forward_t(&x, train)?;
            }
        }
        global_avg_pool(&x).map_err(candle_core::Error::wrap)
    }
}

impl ModuleT for ResNet {
    fn forward_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        self.fc.forward(&self.features(x, train)?)
    }
}
