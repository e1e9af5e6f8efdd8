//! Multi-layer LSTM (Hochreiter & Schmidhuber, 1997) and GRU (Cho et al., 2014) sequence models with
//! dropout between layers, a linear head, and two output modes: sequence-to-one (last time step)
//! and sequence-to-sequence (every time step). Input `(B, T, F)`; output `(B, out)` or `(B, T, out)`.
//! Initialisation (uniform in `±1/sqrt(hidden)`) and gate order follow PyTorch's `nn.LSTM`/`nn.GRU`.
//! Each layer is a [`crate::nn::layers::Recurrent`]: on the CPU a fused whole-sequence recurrence with a
//! hand-written backward (see that module), elsewhere candle_nn's cells.

pub use crate::nn::layers::RecurrentCell;
use crate::nn::layers::{Dropout, Recurrent, recurrent};
use crate::{Error, Result};
use candle_core::{Module, Tensor};
use candle_nn::{Linear, ModuleT, VarBuilder, linear};

/// What the model outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeqOutput {
    /// The head applied to the last time step: `(B, out)`.
    #[default]
    SeqToOne,
    /// The head applied to every time step: `(B, T, out)`.
    SeqToSeq,
}

/// Configuration of a [`SeqModel`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SeqModelConfig {
    /// LSTM or GRU.
    pub cell: RecurrentCell,
    /// Features per time step.
    pub input_size: usize,
    /// Hidden units per layer.
    pub hidden_size: usize,
    /// Stacked layers.
    pub num_layers: usize,
    /// Dropout on the outputs of every layer but the last.
    #[serde(default)]
    pub dropout: f64,
    /// Head outputs (e.g. the forecast horizon).
    pub output_size: usize,
    /// Sequence-to-one or sequence-to-sequence.
    #[serde(default)]
    pub output: SeqOutput,
}

/// A stacked recurrent network with a linear head.
#[derive(Debug, Clone)]
pub struct SeqModel {
    layers: Vec<Recurrent>,
    drops: Vec<Dropout>,
    head: Linear,
    output: SeqOutput,
    input_size: usize,
}

impl SeqModel {
    /// Builds the model (layer `k`'s weights under `rnn.layer{k}`, named `weight_ih_l0`, `weight_hh_l0`,
    /// `bias_ih_l0`, `bias_hh_l0` with PyTorch's gate order).
    pub fn new(cfg: &SeqModelConfig, vb: VarBuilder) -> Result<Self> {
        if cfg.num_layers == 0 || cfg.hidden_size == 0 || cfg.input_size == 0 {
            return Err(Error::Config("recurrent model needs layers, hidden and input sizes of at least 1".into()));
        }
        let h = cfg.hidden_size;
        let layers = (0..cfg.num_layers)
            .map(|l| {
                let inp = if l == 0 { cfg.input_size } else { h };
                recurrent(cfg.cell, inp, h, vb.pp(format!("rnn.layer{l}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let drops = (0..cfg.num_layers)
            .map(|l| Dropout::new(cfg.dropout, &format!("{}.rnn_dropout{l}", vb.prefix())))
            .collect::<Result<Vec<_>>>()?;
        let head = linear(h, cfg.output_size, vb.pp("head"))?;
        Ok(Self { layers, drops, head, output: cfg.output, input_size: cfg.input_size })
    }

    /// Hidden states of the last layer at every step: `(B, T, F)` -> `(B, T, hidden)`.
    pub fn encode(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let (_, _, f) = x.dims3()?;
        if f != self.input_size {
            candle_core::bail!(
                "recurrent model expects {} features per step, got input {:?}",
                self.input_size,
                x.dims()
            );
        }
        let mut x = x.contiguous()?;
        let n = self.layers.len();
        for (i, layer) in self.layers.iter().enumerate() {
            x = layer.forward(&x)?;
            if i + 1 < n {
                x = self.drops[i].forward_t(&x, train)?;
            }
        }
        Ok(x)
    }
}

impl ModuleT for SeqModel {
    fn forward_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let h = self.encode(x, train)?;
        match self.output {
            SeqOutput::SeqToOne => {
                let t = h.dim(1)?;
                self.head.forward(&h.narrow(1, t - 1, 1)?.squeeze(1)?)
            }
            SeqOutput::SeqToSeq => self.head.forward(&h),
        }
    }
}
