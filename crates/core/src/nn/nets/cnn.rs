//! VGG-style CNN (Simonyan & Zisserman, 2015): blocks of 3x3 "same" convolutions (optionally with
//! batch norm) + ReLU, each block closed by a 2x2 max-pool, then a multi-layer perceptron head.
//! `(N, C, H, W)` -> logits `(N, classes)`. With blocks `[32 x1, 64 x1]` and hidden `[128]` on
//! 28x28 inputs it is the "2 conv + pooling" model of the Fashion-MNIST benchmark table.

use crate::nn::blocks::ConvNormAct;
use crate::nn::layers::{Dropout, max_pool2d};
use crate::{Error, Result};
use candle_core::{Module, Tensor};
use candle_nn::{Linear, ModuleT, VarBuilder, linear};

/// One VGG block: `convs` convolutions with `channels` outputs, then a 2x2 max-pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VggBlock {
    /// Output channels of each convolution.
    pub channels: usize,
    /// Number of convolutions.
    pub convs: usize,
}

/// Configuration of a [`Vgg`] network.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct VggConfig {
    /// Input channels.
    pub in_channels: usize,
    /// Input height and width (the head's input size depends on them).
    pub input_size: [usize; 2],
    /// Convolution blocks.
    pub blocks: Vec<VggBlock>,
    /// Batch norm after each convolution.
    #[serde(default)]
    pub batch_norm: bool,
    /// Hidden widths of the head.
    pub hidden: Vec<usize>,
    /// Dropout before each head layer.
    #[serde(default)]
    pub dropout: f64,
    /// Number of classes.
    pub num_classes: usize,
}

impl VggConfig {
    /// The "2 conv + pooling" CNN for 28x28 grey images (conv 32, conv 64, fc 128).
    pub fn small_28(num_classes: usize) -> Self {
        Self {
            in_channels: 1,
            input_size: [28, 28],
            blocks: vec![VggBlock { channels: 32, convs: 1 }, VggBlock { channels: 64, convs: 1 }],
            batch_norm: false,
            hidden: vec![128],
            dropout: 0.0,
            num_classes,
        }
    }
}

/// A multi-layer perceptron head: `(N, F)` -> `(N, classes)`, ReLU between layers.
#[derive(Debug, Clone)]
pub struct ClassifierHead {
    layers: Vec<Linear>,
    dropouts: Vec<Dropout>,
}

impl ClassifierHead {
    /// `in_features` -> `hidden...` -> `out`.
    pub fn new(in_features: usize, hidden: &[usize], out: usize, dropout: f64, vb: VarBuilder) -> Result<Self> {
        let mut dims = vec![in_features];
        dims.extend_from_slice(hidden);
        dims.push(out);
        let layers = dims
            .windows(2)
            .enumerate()
            .map(|(i, w)| Ok(linear(w[0], w[1], vb.pp(format!("fc{i}")))?))
            .collect::<Result<Vec<_>>>()?;
        let dropouts = (0..layers.len())
            .map(|i| Dropout::new(dropout, &format!("{}.drop{i}", vb.prefix())))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self { layers, dropouts })
    }
}

impl ModuleT for ClassifierHead {
    fn forward_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let mut x = x.clone();
        let n = self.layers.len();
        for (i, (l, d)) in self.layers.iter().zip(&self.dropouts).enumerate() {
            x = l.forward(&d.forward_t(&x, train)?)?;
            if i + 1 < n {
                x = x.relu()?;
            }
        }
        Ok(x)
    }
}

/// A VGG-style classifier.
#[derive(Debug, Clone)]
pub struct Vgg {
    blocks: Vec<Vec<ConvNormAct>>,
    head: ClassifierHead,
}

impl Vgg {
    /// Builds the network.
    pub fn new(cfg: &VggConfig, vb: VarBuilder) -> Result<Self> {
        if cfg.blocks.is_empty() || cfg.num_classes == 0 {
            return Err(Error::Config("VGG needs at least one block and one class".into()));
        }
        let (mut c, mut h, mut w) = (cfg.in_channels, cfg.input_size[0], cfg.input_size[1]);
        let mut blocks = Vec::new();
        for (bi, b) in cfg.blocks.iter().enumerate() {
            let mut convs = Vec::new();
            for ci in 0..b.convs.max(1) {
                convs.push(ConvNormAct::new(
                    2,
                    c,
                    b.channels,
                    3,
                    cfg.batch_norm,
                    vb.pp(format!("features.{bi}.{ci}")),
                )?);
                c = b.channels;
            }
            blocks.push(convs);
            if h < 2 || w < 2 {
                return Err(Error::Config(format!(
                    "input {:?} is too small for {} pooling blocks",
                    cfg.input_size,
                    cfg.blocks.len()
                )));
            }
            h /= 2;
            w /= 2;
        }
        let head = ClassifierHead::new(c * h * w, &cfg.hidden, cfg.num_classes, cfg.dropout, vb.pp("head"))?;
        Ok(Self { blocks, head })
    }

    /// The backbone: `(N, C, H, W)` -> feature maps `(N, C_last, H/2^b, W/2^b)`.
    pub fn features(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let mut x = x.clone();
        for b in &self.blocks {
            for c in b {
                x = c.forward_t(&x, train)?;
            }
            x = max_pool2d(&x, 2, 2).map_err(candle_core::Error::wrap)?;
        }
        Ok(x)
    }

    /// The head.
    pub fn head(&self) -> &ClassifierHead {
        &self.head
    }
}

impl ModuleT for Vgg {
    fn forward_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let f = self.features(x, train)?.flatten_from(1)?;
        self.head.forward_t(&f, train)
    }
}
