//! Multi-head self-attention and the transformer encoder layer (Vaswani et al., 2017), in
//! PyTorch's `nn.TransformerEncoderLayer` arrangement (post-norm, ReLU feed-forward, dropout after
//! attention, inside and after the feed-forward). Shapes: `(B, T, d_model)` in and out.

use crate::Result;
use crate::nn::layers::Dropout;
use candle_core::{D, Module, Tensor};
use candle_nn::{LayerNorm, Linear, ModuleT, VarBuilder, layer_norm, linear};

/// Multi-head scaled dot-product self-attention.
#[derive(Debug, Clone)]
pub struct MultiHeadAttention {
    q: Linear,
    k: Linear,
    v: Linear,
    out: Linear,
    heads: usize,
    dropout: Dropout,
}

impl MultiHeadAttention {
    /// `heads` heads over `d_model` features (`d_model % heads == 0`).
    pub fn new(d_model: usize, heads: usize, dropout: f64, vb: VarBuilder) -> Result<Self> {
        if heads == 0 || !d_model.is_multiple_of(heads) {
            return Err(crate::Error::Config(format!("d_model {d_model} is not divisible by {heads} heads")));
        }
        Ok(Self {
            q: linear(d_model, d_model, vb.pp("q_proj"))?,
            k: linear(d_model, d_model, vb.pp("k_proj"))?,
            v: linear(d_model, d_model, vb.pp("v_proj"))?,
            out: linear(d_model, d_model, vb.pp("out_proj"))?,
            heads,
            dropout: Dropout::new(dropout, &format!("{}.attn_dropout", vb.prefix()))?,
        })
    }

    /// Attention of `x` `(B, T, d)` to itself; `mask` `(T, T)` adds to the scores (use `-inf` to block).
    pub fn forward_t(&self, x: &Tensor, mask: Option<&Tensor>, train: bool) -> candle_core::Result<Tensor> {
        let (b, t, d) = x.dims3()?;
        let hd = d / self.heads;
        let split = |y: Tensor| -> candle_core::Result<Tensor> {
            y.reshape((b, t, self.heads, hd))?.transpose(1, 2)?.contiguous()
        };
        let q = split(self.q.forward(x)?)?;
        let k = split(self.k.forward(x)?)?;
        let v = split(self.v.forward(x)?)?;
        let mut scores = (q.matmul(&k.transpose(2, 3)?.contiguous()?)? / (hd as f64).sqrt())?;
        if let Some(m) = mask {
            scores = scores.broadcast_add(m)?;
        }
        let attn = self.dropout.forward_t(&candle_nn::ops::softmax(&scores, D::Minus1)?, train)?;
        let y = attn.matmul(&v)?.transpose(1, 2)?.contiguous()?.reshape((b, t, d))?;
        self.out.forward(&y)
    }
}

/// One encoder layer: `x = norm1(x + drop(attn(x)))`, `x = norm2(x + drop(ff(x)))`.
#[derive(Debug, Clone)]
pub struct EncoderLayer {
    attn: MultiHeadAttention,
    ff1: Linear,
    ff2: Linear,
    norm1: LayerNorm,
    norm2: LayerNorm,
    drop1: Dropout,
    drop_ff: Dropout,
    drop2: Dropout,
}

impl EncoderLayer {
    /// A layer with `heads` heads and a feed-forward of width `ff`.
    pub fn new(d_model: usize, heads: usize, ff: usize, dropout: f64, vb: VarBuilder) -> Result<Self> {
        let p = vb.prefix();
        Ok(Self {
            attn: MultiHeadAttention::new(d_model, heads, dropout, vb.pp("self_attn"))?,
            ff1: linear(d_model, ff, vb.pp("linear1"))?,
            ff2: linear(ff, d_model, vb.pp("linear2"))?,
            norm1: layer_norm(d_model, 1e-5, vb.pp("norm1"))?,
            norm2: layer_norm(d_model, 1e-5, vb.pp("norm2"))?,
            drop1: Dropout::new(dropout, &format!("{p}.dropout1"))?,
            drop_ff: Dropout::new(dropout, &format!("{p}.dropout"))?,
            drop2: Dropout::new(dropout, &format!("{p}.dropout2"))?,
        })
    }

    /// Applies the layer with an optional additive attention mask.
    pub fn forward_masked(&self, x: &Tensor, mask: Option<&Tensor>, train: bool) -> candle_core::Result<Tensor> {
        let a = self.drop1.forward_t(&self.attn.forward_t(x, mask, train)?, train)?;
        let x = self.norm1.forward(&(x + a)?)?;
        let f = self.ff2.forward(&self.drop_ff.forward_t(&self.ff1.forward(&x)?.relu()?, train)?)?;
        let f = self.drop2.forward_t(&f, train)?;
        self.norm2.forward(&(x + f)?)
    }
}

impl ModuleT for EncoderLayer {
    fn forward_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        self.forward_masked(x, None, train)
    }
}
