//! A convolution over 2 or 3 spatial dims behind one type, and conv + batch norm + ReLU.

use crate::Result;
use crate::nn::layers::{BatchNorm, BatchNormConfig, Conv3d, Conv3dConfig, batch_norm_nd, conv3d_layer};
use candle_core::{Module, Tensor};
use candle_nn::{Conv2d, Conv2dConfig, ModuleT, VarBuilder};

/// A square/cubic convolution for 2-D or 3-D inputs.
#[derive(Debug, Clone)]
pub enum ConvNd {
    /// `(N, C, H, W)`.
    D2(Conv2d),
    /// `(N, C, D, H, W)`.
    D3(Conv3d),
}

/// Builds a `k`-wide convolution over `spatial` dims with the given padding and stride (PyTorch init).
pub fn conv_nd(
    spatial: usize,
    c_in: usize,
    c_out: usize,
    k: usize,
    padding: usize,
    stride: usize,
    bias: bool,
    vb: VarBuilder,
) -> Result<ConvNd> {
    Ok(match spatial {
        2 => {
            let cfg = Conv2dConfig { padding, stride, ..Default::default() };
            // PyTorch default init: Kaiming uniform with a = sqrt(5) -> bound 1/sqrt(fan_in) (weight and bias).
            let bound = 1.0 / ((c_in * k * k) as f64).sqrt();
            let init = candle_nn::Init::Uniform { lo: -bound, up: bound };
            let w = vb.get_with_hints((c_out, c_in, k, k), "weight", init)?;
            let b = if bias { Some(vb.get_with_hints(c_out, "bias", init)?) } else { None };
            ConvNd::D2(Conv2d::new(w, b, cfg))
        }
        3 => ConvNd::D3(conv3d_layer(
            c_in,
            c_out,
            k,
            Conv3dConfig { padding: [padding; 3], stride: [stride; 2], ..Default::default() },
            bias,
            vb,
        )?),
        s => return Err(crate::Error::Config(format!("convolutions support 2 or 3 spatial dims, not {s}"))),
    })
}

impl Module for ConvNd {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            ConvNd::D2(c) => c.forward(x),
            ConvNd::D3(c) => c.forward(x),
        }
    }
}

/// Convolution, optional batch norm, ReLU.
#[derive(Debug, Clone)]
pub struct ConvNormAct {
    conv: ConvNd,
    norm: Option<BatchNorm>,
}

impl ConvNormAct {
    /// A `k`-wide "same" convolution (padding `k/2`) with batch norm when `bn` (the conv then has no bias).
    pub fn new(spatial: usize, c_in: usize, c_out: usize, k: usize, bn: bool, vb: VarBuilder) -> Result<Self> {
        Self::with_stride(spatial, c_in, c_out, k, 1, bn, vb)
    }

    /// As [`ConvNormAct::new`] with a stride.
    pub fn with_stride(
        spatial: usize,
        c_in: usize,
        c_out: usize,
        k: usize,
        stride: usize,
        bn: bool,
        vb: VarBuilder,
    ) -> Result<Self> {
        let conv = conv_nd(spatial, c_in, c_out, k, k / 2, stride, !bn, vb.pp("conv"))?;
        let norm = if bn { Some(batch_norm_nd(c_out, spatial, BatchNormConfig::default(), vb.pp("bn"))?) } else { None };
        Ok(Self { conv, norm })
    }
}

impl ModuleT for ConvNormAct {
    fn forward_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let y = self.conv.forward(x)?;
        let y = match &self.norm {
            Some(n) => n.forward_t(&y, train)?,
            None => y,
        };
        y.relu()
    }
}
