//! U-Net (Ronneberger et al., 2015) for 2-D and 3-D from one type, as MONAI's `UNet` with
//! `spatial_dims`: per level a double (conv3 + BN + ReLU) block, max-pool down, transposed-conv
//! (2x2, stride 2) or linear-interpolation up, skip concatenation, and a 1x1 head.
//! `(N, C_in, *spatial)` -> `(N, C_out, *spatial)`; every spatial size must be divisible by
//! `2^(levels - 1)`.

use crate::nn::blocks::{ConvNd, ConvNormAct, conv_nd};
use crate::nn::layers::ConvTranspose2d;
use crate::nn::layers::{
    ConvTranspose3d, ConvTranspose3dConfig, InterpMode, Pool, PoolMode, conv_transpose3d_layer, upsample,
};
use crate::{Error, Result};
use candle_core::{Module, Tensor};
use candle_nn::{ConvTranspose2dConfig, ModuleT, VarBuilder};

/// How the decoder upsamples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UpMode {
    /// 2x2(x2) transposed convolution with stride 2.
    #[default]
    Transpose,
    /// Bi/trilinear interpolation then a 1x1 convolution.
    Interpolate,
}

/// Configuration of a [`UNet`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct UNetConfig {
    /// 2 or 3.
    pub spatial_dims: usize,
    /// Input channels.
    pub in_channels: usize,
    /// Output channels (classes for segmentation).
    pub out_channels: usize,
    /// Channels per level, the last being the bottleneck (e.g. `[16, 32, 64, 128]`).
    pub channels: Vec<usize>,
    /// Batch norm in the conv blocks.
    #[serde(default = "yes")]
    pub batch_norm: bool,
    /// Decoder upsampling.
    #[serde(default)]
    pub up: UpMode,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone)]
struct DoubleConv(ConvNormAct, ConvNormAct);

impl DoubleConv {
    fn new(s: usize, c_in: usize, c_out: usize, bn: bool, vb: VarBuilder) -> Result<Self> {
        Ok(Self(
            ConvNormAct::new(s, c_in, c_out, 3, bn, vb.pp("0"))?,
            ConvNormAct::new(s, c_out, c_out, 3, bn, vb.pp("1"))?,
        ))
    }
    fn forward_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        self.1.forward_t(&self.0.forward_t(x, train)?, train)
    }
}

#[derive(Debug, Clone)]
enum Up {
    T2(ConvTranspose2d),
    T3(ConvTranspose3d),
    Interp(ConvNd),
}

impl Up {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Up::T2(c) => c.forward(x),
            Up::T3(c) => c.forward(x),
            Up::Interp(c) => c.forward(&upsample(x, 2, InterpMode::Linear, false).map_err(candle_core::Error::wrap)?),
        }
    }
}

/// A 2-D or 3-D U-Net.
#[derive(Debug, Clone)]
pub struct UNet {
    down: Vec<DoubleConv>,
    mid: DoubleConv,
    up: Vec<Up>,
    dec: Vec<DoubleConv>,
    head: ConvNd,
    spatial: usize,
}

impl UNet {
    /// Builds the network.
    pub fn new(cfg: &UNetConfig, vb: VarBuilder) -> Result<Self> {
        let s = cfg.spatial_dims;
        if s != 2 && s != 3 {
            return Err(Error::Config(format!("U-Net spatial_dims must be 2 or 3, got {s}")));
        }
        let ch = &cfg.channels;
        if ch.len() < 2 {
            return Err(Error::Config("U-Net needs at least two levels of channels".into()));
        }
        let levels = ch.len() - 1;
        let bn = cfg.batch_norm;
        let mut down = Vec::new();
        let mut c = cfg.in_channels;
        for (i, &o) in ch[..levels].iter().enumerate() {
            down.push(DoubleConv::new(s, c, o, bn, vb.pp(format!("down.{i}")))?);
            c = o;
        }
        let mid = DoubleConv::new(s, c, ch[levels], bn, vb.pp("mid"))?;
        let mut up = Vec::new();
        let mut dec = Vec::new();
        for i in 0..levels {
            let (hi, lo) = (ch[levels - i], ch[levels - 1 - i]);
            let uvb = vb.pp(format!("up.{i}"));
            up.push(match (cfg.up, s) {
                (UpMode::Transpose, 2) => {
                    let bound = 1.0 / ((lo * 4) as f64).sqrt();
                    let init = candle_nn::Init::Uniform { lo: -bound, up: bound };
                    let w = uvb.get_with_hints((hi, lo, 2, 2), "weight", init)?;
                    let b = uvb.get_with_hints(lo, "bias", init)?;
                    Up::T2(ConvTranspose2d::new(w, Some(b), ConvTranspose2dConfig { stride: 2, ..Default::default() }))
                }
                (UpMode::Transpose, _) => Up::T3(conv_transpose3d_layer(
                    hi,
                    lo,
                    2,
                    ConvTranspose3dConfig { stride: [2, 2], ..Default::default() },
                    true,
                    uvb,
                )?),
                (UpMode::Interpolate, _) => Up::Interp(conv_nd(s, hi, lo, 1, 0, 1, true, uvb)?),
            });
            dec.push(DoubleConv::new(s, 2 * lo, lo, bn, vb.pp(format!("dec.{i}")))?);
        }
        let head = conv_nd(s, ch[0], cfg.out_channels, 1, 0, 1, true, vb.pp("head"))?;
        Ok(Self { down, mid, up, dec, head, spatial: s })
    }

    fn check(&self, x: &Tensor) -> candle_core::Result<()> {
        let f = 1usize << self.down.len();
        if x.rank() != self.spatial + 2 || x.dims()[2..].iter().any(|d| d % f != 0) {
            candle_core::bail!(
                "U-Net ({}-D, {} levels) needs (N, C, *spatial) with sizes divisible by {f}, got {:?}",
                self.spatial,
                self.down.len() + 1,
                x.dims()
            );
        }
        Ok(())
    }
}

impl ModuleT for UNet {
    fn forward_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        self.check(x)?;
        let pool = Pool::uniform(PoolMode::Max, self.spatial, 2, 2, 0);
        let mut skips = Vec::new();
        let mut x = x.clone();
        for d in &self.down {
            x = d.forward_t(&x, train)?;
            skips.push(x.clone());
            x = pool.forward(&x).map_err(candle_core::Error::wrap)?;
        }
        x = self.mid.forward_t(&x, train)?;
        for (u, d) in self.up.iter().zip(&self.dec) {
            let skip = skips.pop().ok_or_else(|| candle_core::Error::Msg("U-Net skip stack empty".into()))?;
            x = d.forward_t(&Tensor::cat(&[u.forward(&x)?, skip], 1)?, train)?;
        }
        self.head.forward(&x)
    }
}
