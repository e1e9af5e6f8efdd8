//! A convolution over 2 or 3 spatial dims behind one type, and conv + batch norm + ReLU.

use crate::Result;
use crate::nn::layers::{Act, BatchNorm, BatchNormConfig, Conv3dConfig, batch_norm_nd, bias_act, conv_gemm, conv3d};
use candle_core::{Module, Tensor};
use candle_nn::{ModuleT, VarBuilder};

/// A square/cubic convolution for 2-D or 3-D inputs; the bias is added by the fused
/// bias/activation kernel ([`bias_act`]).
#[derive(Debug, Clone)]
pub struct ConvNd {
    weight: Tensor,
    bias: Option<Tensor>,
    padding: usize,
    stride: usize,
}

/// Builds a `k`-wide convolution over `spatial` dims with the given padding and stride (PyTorch's
/// default initialisation: uniform in `±1/sqrt(fan_in)` for weight and bias).
#[allow(clippy::too_many_arguments)]
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
    if spatial != 2 && spatial != 3 {
        return Err(crate::Error::Config(format!("convolutions support 2 or 3 spatial dims, not {spatial}")));
    }
    let mut shape = vec![c_out, c_in];
    shape.extend(std::iter::repeat_n(k, spatial));
    let bound = 1.0 / ((c_in * k.pow(spatial as u32)) as f64).sqrt();
    let init = candle_nn::Init::Uniform { lo: -bound, up: bound };
    let weight = vb.get_with_hints(shape, "weight", init)?;
    let bias = if bias { Some(vb.get_with_hints(c_out, "bias", init)?) } else { None };
    Ok(ConvNd { weight, bias, padding, stride })
}

impl ConvNd {
    /// The convolution without its bias.
    pub fn forward_no_bias(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self.weight.rank() {
            4 => conv_gemm::conv2d(x, &self.weight, [self.padding; 2], [self.stride; 2], [1, 1])
                .map_err(candle_core::Error::wrap),
            _ => conv3d(
                x,
                &self.weight,
                &Conv3dConfig { padding: [self.padding; 3], stride: [self.stride; 2], ..Default::default() },
            )
            .map_err(candle_core::Error::wrap),
        }
    }

    /// The convolution, then bias and activation in one fused pass.
    pub fn forward_act(&self, x: &Tensor, act: Act) -> candle_core::Result<Tensor> {
        bias_act(&self.forward_no_bias(x)?, self.bias.as_ref(), act).map_err(candle_core::Error::wrap)
    }
}

impl Module for ConvNd {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.forward_act(x, Act::Identity)
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
        let norm =
            if bn { Some(batch_norm_nd(c_out, spatial, BatchNormConfig::default(), vb.pp("bn"))?) } else { None };
        Ok(Self { conv, norm })
    }
}

impl ModuleT for ConvNormAct {
    fn forward_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        match &self.norm {
            Some(n) => {
                n.forward_act(&self.conv.forward_no_bias(x)?, train, Act::Relu).map_err(candle_core::Error::wrap)
            }
            None => self.conv.forward_act(x, Act::Relu),
        }
    }
}
