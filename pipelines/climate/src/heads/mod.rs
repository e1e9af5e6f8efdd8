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
    /// Steps per token of the transformer (patches of consecutive steps, as PatchTST); 1 = one
    /// token per step. Must divide the window length.
    #[serde(default = "default_patch")]
    pub patch: usize,
}

fn default_heads() -> usize {
    4
}

fn default_patch() -> usize {
    4
}

/// Outputs per token of the patched transformer before the flattening head (direct strategy).
const TOKEN_FEATURES: usize = 16;

/// A transformer over patches of `patch` consecutive steps (Nie et al. 2023, "A time series is
/// worth 64 words"): `(B, T, F)` is cut into `T / patch` tokens of `patch * F` values; the direct
/// head flattens every token's outputs into all horizons and quantiles, the seq2seq head reads
/// `patch * Q` values per future token.
struct PatchTransformer {
    enc: TransformerEncoder,
    head: Option<candle_nn::Linear>,
    /// Direct strategy: a linear map from the raw window to the outputs, added to the head's
    /// (the linear path of DLinear, Zeng et al. 2023), so attention models what a linear
    /// autoregression of the window misses.
    skip: Option<candle_nn::Linear>,
    patch: usize,
}

impl PatchTransformer {
    fn forward(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let (b, t, f) = x.dims3()?;
        if t % self.patch != 0 {
            candle_core::bail!("window of {t} steps is not a multiple of the patch length {}", self.patch);
        }
        let tokens = x.reshape((b, t / self.patch, self.patch * f))?;
        let y = self.enc.forward_t(&tokens, train)?;
        match &self.head {
            Some(h) => {
                let out = candle_core::Module::forward(h, &y.flatten_from(1)?)?;
                match &self.skip {
                    Some(s) => out + candle_core::Module::forward(s, &x.flatten_from(1)?)?,
                    None => Ok(out),
                }
            }
            None => {
                let (_, n, pq) = y.dims3()?;
                y.reshape((b, n * self.patch, pq / self.patch))
            }
        }
    }
}

enum Net {
    Recurrent(SeqModel),
    Transformer(PatchTransformer),
}

/// A forecaster network: `(B, L, F)` (direct) or `(B, L + H, F)` (seq2seq) in, `(B, H, Q)` out.
pub struct Forecaster {
    net: Net,
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
        let net = match cfg.architecture {
            Architecture::Lstm | Architecture::Gru => Net::Recurrent(SeqModel::new(
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
                if cfg.heads == 0 || !cfg.hidden.is_multiple_of(cfg.heads) {
                    return Err(Error::Config(format!(
                        "transformer width {} is not a multiple of {} heads",
                        cfg.hidden, cfg.heads
                    )));
                }
                let p = cfg.patch.max(1);
                let steps = if cfg.strategy == Strategy::Direct { lookback } else { lookback + horizon };
                if !steps.is_multiple_of(p) || (cfg.strategy == Strategy::Seq2seq && !horizon.is_multiple_of(p)) {
                    return Err(Error::Config(format!(
                        "transformer patch length {p} must divide the window ({steps} steps) and the horizon ({horizon})"
                    )));
                }
                let tokens = steps / p;
                let per_token = if cfg.strategy == Strategy::Direct { TOKEN_FEATURES } else { p * quantiles };
                let enc = TransformerEncoder::new(
                    &TransformerConfig {
                        input_size: features * p,
                        d_model: cfg.hidden,
                        heads: cfg.heads,
                        num_layers: cfg.layers,
                        ff_size: 2 * cfg.hidden,
                        dropout: cfg.dropout,
                        max_len: tokens,
                        output_size: per_token,
                        output: SeqOutput::SeqToSeq,
                        causal: false,
                    },
                    vb.pp("encoder"),
                )?;
                let head = (cfg.strategy == Strategy::Direct)
                    .then(|| candle_nn::linear(tokens * TOKEN_FEATURES, horizon * quantiles, vb.pp("flatten_head")))
                    .transpose()?;
                let skip = (cfg.strategy == Strategy::Direct)
                    .then(|| candle_nn::linear(steps * features, horizon * quantiles, vb.pp("linear_skip")))
                    .transpose()?;
                Net::Transformer(PatchTransformer { enc, head, skip, patch: p })
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
        let y = match &self.net {
            Net::Recurrent(m) => m.forward_t(x, train)?,
            Net::Transformer(m) => m.forward(x, train)?,
        };
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
                let cfg =
                    NetConfig { architecture: arch, strategy, hidden: 8, layers: 1, dropout: 0.0, heads: 2, patch: 2 };
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
