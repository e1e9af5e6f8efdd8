//! Learned forecasters on the core's networks (LSTM, GRU, transformer encoder), producing every
//! horizon and quantile at once: `(B, L, F)` window in, `(B, H, Q)` out.
//!
//! Two multi-horizon strategies:
//! - **direct**: the network reads the `L` past steps and its head emits all `H x Q` values from
//!   the last state;
//! - **seq2seq**: the network reads `L + H` steps, the future ones carrying only the known
//!   covariates (season, a "future" flag) and no value, and each future step emits its `Q`
//!   quantiles (an encoder over past and known future, as in temporal-fusion style forecasters).
//!
//! Training uses the quantile (pinball) loss averaged over quantiles; with quantiles
//! `[0.1, 0.5, 0.9]` the median is the point forecast and `[0.1, 0.9]` an 80 % interval.

use candle_core::{D, Tensor};
use candle_nn::{ModuleT, VarBuilder};
use scidl_core::nn::nets::{RecurrentCell, SeqModel, SeqModelConfig, SeqOutput, TransformerConfig, TransformerEncoder};

use crate::{Error, Result};

/// The network family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Architecture {
    /// Stacked LSTM.
    Lstm,
    /// Stacked GRU.
    Gru,
    /// Transformer encoder.
    Transformer,
}

/// The multi-horizon strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// One head emits every horizon from the last state.
    #[default]
    Direct,
    /// Past and known-future steps in, one output per future step.
    Seq2seq,
}

/// Shape of a forecaster network.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NetConfig {
    /// Network family.
    pub architecture: Architecture,
    /// Multi-horizon strategy.
    #[serde(default)]
    pub strategy: Strategy,
    /// Hidden units (recurrent) or model width (transformer).
    pub hidden: usize,
    /// Layers.
    pub layers: usize,
    /// Dropout between layers.
    #[serde(default)]
    pub dropout: f64,
    /// Attention heads (transformer).
    #[serde(default = "default_heads")]
    pub heads: usize,
}

fn default_heads() -> usize {
    4
}

/// A forecaster network: `(B, L, F)` (direct) or `(B, L + H, F)` (seq2seq) in, `(B, H, Q)` out.
pub struct Forecaster {
    net: Box<dyn ModuleT>,
    strategy: Strategy,
    horizon: usize,
    quantiles: usize,
}

impl Forecaster {
    /// Builds the network for `features` inputs per step, `lookback` past steps, `horizon` steps
    /// ahead and `quantiles` outputs per step.
    pub fn new(
        cfg: &NetConfig,
        features: usize,
        lookback: usize,
        horizon: usize,
        quantiles: usize,
        vb: VarBuilder,
    ) -> Result<Self> {
        if horizon == 0 || quantiles == 0 || lookback == 0 {
            return Err(Error::Config("lookback, horizon and the number of quantiles must be at least 1".into()));
        }
        let (output, output_size) = match cfg.strategy {
            Strategy::Direct => (SeqOutput::SeqToOne, horizon * quantiles),
            Strategy::Seq2seq => (SeqOutput::SeqToSeq, quantiles),
        };
        let net: Box<dyn ModuleT> = match cfg.architecture {
            Architecture::Lstm | Architecture::Gru => Box::new(SeqModel::new(
                &SeqModelConfig {
                    cell: if cfg.architecture == Architecture::Lstm { RecurrentCell::Lstm } else { RecurrentCell::Gru },
                    input_size: features,
                    hidden_size: cfg.hidden,
                    num_layers: cfg.layers,
                    dropout: cfg.dropout,
                    output_size,
                    output,
                },
                vb,
            )?),
            Architecture::Transformer => {
                if !cfg.hidden.is_multiple_of(cfg.heads) {
                    return Err(Error::Config(format!(
                        "transformer width {} is not a multiple of {} heads",
                        cfg.hidden, cfg.heads
                    )));
                }
                Box::new(TransformerEncoder::new(
                    &TransformerConfig {
                        input_size: features,
                        d_model: cfg.hidden,
                        heads: cfg.heads,
                        num_layers: cfg.layers,
                        ff_size: 2 * cfg.hidden,
                        dropout: cfg.dropout,
                        max_len: lookback + horizon,
                        output_size,
                        output,
                        causal: false,
                    },
                    vb,
                )?)
            }
        };
        Ok(Self { net, strategy: cfg.strategy, horizon, quantiles })
    }

    /// The strategy (decides whether inputs include the future steps).
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }
}

impl ModuleT for Forecaster {
    fn forward_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let y = self.net.forward_t(x, train)?;
        let b = y.dim(0)?;
        match self.strategy {
            Strategy::Direct => y.reshape((b, self.horizon, self.quantiles)),
            Strategy::Seq2seq => {
                let t = y.dim(1)?;
                y.narrow(1, t - self.horizon, self.horizon)
            }
        }
    }
}

/// Pinball loss averaged over quantiles: `output (B, H, Q)` against `target (B, H)`.
pub fn multi_quantile_loss(output: &Tensor, target: &Tensor, quantiles: &[f64]) -> scidl_core::Result<Tensor> {
    let mut total: Option<Tensor> = None;
    for (k, &q) in quantiles.iter().enumerate() {
        let o = output.narrow(D::Minus1, k, 1)?.squeeze(D::Minus1)?;
        let l = scidl_core::loss::quantile(&o, target, q)?;
        total = Some(match total {
            Some(t) => (t + l)?,
            None => l,
        });
    }
    let total = total.ok_or_else(|| scidl_core::Error::Config("no quantiles".into()))?;
    Ok((total / quantiles.len() as f64)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;
    use scidl_core::nn::ParamStore;

    #[test]
    fn every_architecture_and_strategy_gives_b_h_q() {
        let dev = Device::Cpu;
        for arch in [Architecture::Lstm, Architecture::Gru, Architecture::Transformer] {
            for strategy in [Strategy::Direct, Strategy::Seq2seq] {
                let store = ParamStore::new(1, &dev);
                let cfg = NetConfig { architecture: arch, strategy, hidden: 8, layers: 1, dropout: 0.0, heads: 2 };
                let f = Forecaster::new(&cfg, 3, 10, 4, 3, store.var_builder()).unwrap();
                let t = if strategy == Strategy::Direct { 10 } else { 14 };
                let x = Tensor::zeros((2, t, 3), candle_core::DType::F32, &dev).unwrap();
                assert_eq!(f.forward_t(&x, false).unwrap().dims(), &[2, 4, 3], "{arch:?} {strategy:?}");
            }
        }
    }

    #[test]
    fn quantile_loss_by_hand() {
        // Target 1, outputs 0 (q = 0.1 -> 0.1 * 1) and 2 (q = 0.9 -> 0.1 * 1): mean over quantiles 0.1.
        let dev = Device::Cpu;
        let out = Tensor::new(&[[[0f32, 2.0]]], &dev).unwrap();
        let tgt = Tensor::new(&[[1f32]], &dev).unwrap();
        let l = multi_quantile_loss(&out, &tgt, &[0.1, 0.9]).unwrap().to_scalar::<f32>().unwrap();
        assert!((l - 0.1).abs() < 1e-7, "{l}");
    }
}
