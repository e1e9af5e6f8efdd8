//! Multi-layer LSTM (Hochreiter & Schmidhuber, 1997) and GRU (Cho et al., 2014) sequence models with
//! dropout between layers, a linear head, and two output modes: sequence-to-one (last time step)
//! and sequence-to-sequence (every time step). Input `(B, T, F)`; output `(B, out)` or `(B, T, out)`.
//! Initialisation (uniform in `±1/sqrt(hidden)`) and gate order follow PyTorch's `nn.LSTM`/`nn.GRU`.

use crate::nn::layers::Dropout;
use crate::{Error, Result};
use candle_core::{Module, Tensor};
use candle_nn::rnn::{GRU, GRUConfig, LSTM, LSTMConfig, RNN};
use candle_nn::{Linear, ModuleT, VarBuilder, linear};

/// The recurrent cell type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecurrentCell {
    /// Long short-term memory.
    Lstm,
    /// Gated recurrent unit.
    Gru,
}

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

#[derive(Debug, Clone)]
enum Layer {
    Lstm(LSTM),
    Gru(GRU),
}

/// A stacked recurrent network with a linear head.
#[derive(Debug, Clone)]
pub struct SeqModel {
    layers: Vec<Layer>,
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
        let bound = 1.0 / (h as f64).sqrt();
        let init = candle_nn::Init::Uniform { lo: -bound, up: bound };
        let mut layers = Vec::new();
        for l in 0..cfg.num_layers {
            let inp = if l == 0 { cfg.input_size } else { h };
            layers.push(match cfg.cell {
                RecurrentCell::Lstm => Layer::Lstm(candle_nn::rnn::lstm(
                    inp,
                    h,
                    LSTMConfig {
                        w_ih_init: init,
                        w_hh_init: init,
                        b_ih_init: Some(init),
                        b_hh_init: Some(init),
                        ..Default::default()
                    },
                    vb.pp(format!("rnn.layer{l}")),
                )?),
                RecurrentCell::Gru => Layer::Gru(candle_nn::rnn::gru(
                    inp,
                    h,
                    GRUConfig { w_ih_init: init, w_hh_init: init, b_ih_init: Some(init), b_hh_init: Some(init) },
                    vb.pp(format!("rnn.layer{l}")),
                )?),
            });
        }
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
            let hs: Vec<Tensor> = match layer {
                Layer::Lstm(l) => l.seq(&x)?.into_iter().map(|s| s.h).collect(),
                Layer::Gru(g) => g.seq(&x)?.into_iter().map(|s| s.h).collect(),
            };
            x = Tensor::stack(&hs, 1)?;
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
