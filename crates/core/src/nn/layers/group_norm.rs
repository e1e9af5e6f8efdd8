//! Group normalisation (Wu & He, 2018) over `(N, C, *spatial)`: channels are split into groups and
//! each group of each sample is normalised with its own mean and biased variance, then an affine
//! per-channel scale and shift is applied. Identical in training and evaluation.

use crate::{Error, Result};
use candle_core::{Module, Tensor};
use candle_nn::VarBuilder;

/// A group-norm layer.
#[derive(Debug, Clone)]
pub struct GroupNorm {
    weight: Tensor,
    bias: Tensor,
    groups: usize,
    eps: f64,
}

/// Builds a [`GroupNorm`] with `groups` groups over `channels` channels (weight 1, bias 0).
pub fn group_norm(groups: usize, channels: usize, eps: f64, vb: VarBuilder) -> Result<GroupNorm> {
    if groups == 0 || !channels.is_multiple_of(groups) {
        return Err(Error::Config(format!("group norm: {channels} channels cannot be split into {groups} groups")));
    }
    let weight = vb.get_with_hints(channels, "weight", candle_nn::Init::Const(1.0))?;
    let bias = vb.get_with_hints(channels, "bias", candle_nn::Init::Const(0.0))?;
    Ok(GroupNorm { weight, bias, groups, eps })
}

impl Module for GroupNorm {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let dims = x.dims().to_vec();
        if dims.len() < 2 || dims[1] != self.weight.elem_count() {
            candle_core::bail!("group norm for {} channels received shape {:?}", self.weight.elem_count(), dims);
        }
        let n = dims[0];
        let xg = x.reshape((n, self.groups, ()))?;
        let mean = xg.mean_keepdim(2)?;
        let centred = xg.broadcast_sub(&mean)?;
        let var = centred.sqr()?.mean_keepdim(2)?;
        let y = centred.broadcast_div(&(var + self.eps)?.sqrt()?)?.reshape(dims.clone())?;
        let mut bshape = vec![1usize; dims.len()];
        bshape[1] = dims[1];
        y.broadcast_mul(&self.weight.reshape(bshape.clone())?)?.broadcast_add(&self.bias.reshape(bshape)?)
    }
}
