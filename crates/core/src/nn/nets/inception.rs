//! A small Inception-style classifier: a 3x3 conv stem, Inception blocks with 2x2 max-pooling
//! between them, global average pooling and a linear head. `(N, C, H, W)` -> `(N, classes)`.

use crate::nn::blocks::{ConvNormAct, InceptionBlock, InceptionConfig};
use crate::nn::layers::{global_avg_pool, max_pool2d};
use crate::{Error, Result};
use candle_core::{Module, Tensor};
use candle_nn::{Linear, ModuleT, VarBuilder, linear};

/// Configuration of an [`InceptionNet`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InceptionNetConfig {
    /// Input channels.
    pub in_channels: usize,
    /// Stem width.
    pub stem_channels: usize,
    /// The blocks, in order (a 2x2 max-pool follows each but the last).
    pub blocks: Vec<InceptionConfig>,
    /// Number of classes.
    pub num_classes: usize,
}

/// A small Inception network.
#[derive(Debug, Clone)]
pub struct InceptionNet {
    stem: ConvNormAct,
    blocks: Vec<InceptionBlock>,
    fc: Linear,
}

impl InceptionNet {
    /// Builds the network.
    pub fn new(cfg: &InceptionNetConfig, vb: VarBuilder) -> Result<Self> {
        if cfg.blocks.is_empty() {
            return Err(Error::Config("an Inception net needs at least one block".into()));
        }
        let stem = ConvNormAct::new(2, cfg.in_channels, cfg.stem_channels, 3, true, vb.pp("stem"))?;
        let mut c = cfg.stem_channels;
        let mut blocks = Vec::new();
        for (i, b) in cfg.blocks.iter().enumerate() {
            blocks.push(InceptionBlock::new(c, b, vb.pp(format!("inception{i}")))?);
            c = b.out_channels();
        }
        Ok(Self { stem, blocks, fc: linear(c, cfg.num_classes, vb.pp("fc"))? })
    }

    /// Backbone: pooled features `(N, C_last)`.
    pub fn features(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let mut x = self.stem.forward_t(x, train)?;
        let n = self.blocks.len();
        for (i, b) in self.blocks.iter().enumerate() {
            x = b.forward_t(&x, train)?;
            if i + 1 < n {
                x = max_pool2d(&x, 2, 2).map_err(candle_core::Error::wrap)?;
            }
        }
        global_avg_pool(&x).map_err(candle_core::Error::wrap)
    }
}

impl ModuleT for InceptionNet {
    fn forward_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        self.fc.forward(&self.features(x, train)?)
    }
}
