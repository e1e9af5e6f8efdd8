//! Transformer encoder for sequences (Vaswani et al., 2017): a linear input embedding, sinusoidal
//! positional encoding, a stack of encoder layers and a linear head on the last step
//! (sequence-to-one) or on every step (sequence-to-sequence). Input `(B, T, F)`.

use super::rnn::SeqOutput;
use crate::nn::blocks::EncoderLayer;
use crate::nn::layers::Dropout;
use crate::{Error, Result};
use candle_core::{Module, Tensor};
use candle_nn::{Linear, ModuleT, VarBuilder, linear};

/// Configuration of a [`TransformerEncoder`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TransformerConfig {
    /// Features per time step.
    pub input_size: usize,
    /// Model width.
    pub d_model: usize,
    /// Attention heads.
    pub heads: usize,
    /// Encoder layers.
    pub num_layers: usize,
    /// Feed-forward width.
    pub ff_size: usize,
    /// Dropout rate.
    #[serde(default)]
    pub dropout: f64,
    /// Longest sequence the positional table covers.
    pub max_len: usize,
    /// Head outputs.
    pub output_size: usize,
    /// Sequence-to-one or sequence-to-sequence.
    #[serde(default)]
    pub output: SeqOutput,
    /// Apply a causal mask (each step attends only to itself and the past).
    #[serde(default)]
    pub causal: bool,
}

/// The sinusoidal table `PE[t, 2i] = sin(t / 10000^(2i/d))`, `PE[t, 2i+1] = cos(...)`: `(max_len, d)`.
pub fn positional_encoding(max_len: usize, d: usize) -> Vec<f32> {
    let mut pe = vec![0f32; max_len * d];
    for t in 0..max_len {
        for i in 0..d {
            let k = (i / 2 * 2) as f64;
            let angle = t as f64 / 10000f64.powf(k / d as f64);
            pe[t * d + i] = if i % 2 == 0 { angle.sin() } else { angle.cos() } as f32;
        }
    }
    pe
}

/// A transformer encoder with a linear head.
#[derive(Debug, Clone)]
pub struct TransformerEncoder {
    embed: Linear,
    layers: Vec<EncoderLayer>,
    head: Linear,
    drop: Dropout,
    cfg: TransformerConfig,
}

impl TransformerEncoder {
    /// Builds the network.
    pub fn new(cfg: &TransformerConfig, vb: VarBuilder) -> Result<Self> {
        if cfg.num_layers == 0 || cfg.max_len == 0 {
            return Err(Error::Config("transformer needs at least one layer and max_len >= 1".into()));
        }
        let layers = (0..cfg.num_layers)
            .map(|i| EncoderLayer::new(cfg.d_model, cfg.heads, cfg.ff_size, cfg.dropout, vb.pp(format!("layers.{i}"))))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            embed: linear(cfg.input_size, cfg.d_model, vb.pp("embed"))?,
            layers,
            head: linear(cfg.d_model, cfg.output_size, vb.pp("head"))?,
            drop: Dropout::new(cfg.dropout, &format!("{}.pos_dropout", vb.prefix()))?,
            cfg: cfg.clone(),
        })
    }

    /// Encoded sequence `(B, T, d_model)`.
    pub fn encode(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let (_, t, f) = x.dims3()?;
        if f != self.cfg.input_size || t > self.cfg.max_len {
            candle_core::bail!(
                "transformer expects (B, T <= {}, {}) input, got {:?}",
                self.cfg.max_len,
                self.cfg.input_size,
                x.dims()
            );
        }
        let d = self.cfg.d_model;
        let pe = Tensor::from_vec(positional_encoding(t, d), (1, t, d), x.device())?.to_dtype(x.dtype())?;
        let mut h = self.drop.forward_t(&self.embed.forward(x)?.broadcast_add(&pe)?, train)?;
        let mask = if self.cfg.causal {
            let m: Vec<f32> = (0..t * t).map(|i| if i % t > i / t { f32::NEG_INFINITY } else { 0.0 }).collect();
            Some(Tensor::from_vec(m, (t, t), x.device())?.to_dtype(x.dtype())?)
        } else {
            None
        };
        for l in &self.layers {
            h = l.forward_masked(&h, mask.as_ref(), train)?;
        }
        Ok(h)
    }
}

impl ModuleT for TransformerEncoder {
    fn forward_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let h = self.encode(x, train)?;
        match self.cfg.output {
            SeqOutput::SeqToOne => {
                let t = h.dim(1)?;
                self.head.forward(&h.narrow(1, t - 1, 1)?.squeeze(1)?)
            }
            SeqOutput::SeqToSeq => self.head.forward(&h),
        }
    }
}
