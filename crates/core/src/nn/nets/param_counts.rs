//! Trainable-parameter counts of scidl's networks against the PyTorch reference models of the
//! benchmark (`the shared benchmark folder, bench/torch_ref.py`), so that the benchmark compares like with like.
//!
//! The PyTorch numbers were computed with PyTorch 2.15.0 as `sum(p.numel() for p in m.parameters())`
//! on torch_ref.py's `SmallCnn()`, `UNet(2)`, `UNet(3)` and `LstmForecast()` (and `Dcgan().g` / `.d`,
//! checked in `dcgan.rs`).

use crate::nn::ParamStore;
use crate::nn::nets::{RecurrentCell, SeqModel, SeqModelConfig, SeqOutput, UNet, UNetConfig, UpMode, Vgg, VggConfig};
use candle_core::Device;

const TORCH_SMALL_CNN: usize = 421_642;
const TORCH_UNET2D: usize = 483_170;
const TORCH_UNET3D: usize = 1_401_986;
const TORCH_LSTM_FORECAST: usize = 51_980;

/// torch_ref.py's U-Net blocks are `Conv(bias=True) -> BatchNorm -> ReLU`; scidl's `ConvNormAct`
/// drops the convolution bias when batch norm follows, because batch norm subtracts the per-channel
/// mean and so cancels it exactly (in training and, through the running mean, in evaluation): the
/// two networks compute the same function family. The difference is one bias per output channel of
/// the 14 convolutions of the 7 double-conv blocks: 2 * (16 + 32 + 64 + 128 + 64 + 32 + 16) = 704
/// (PyTorch: `sum(c.bias.numel() for c in convs outside the head)` = 704 for both UNet(2) and UNet(3)).
const UNET_CONV_BIASES_BEFORE_BN: usize = 704;

fn count(build: impl FnOnce(&ParamStore)) -> usize {
    let store = ParamStore::new(0, &Device::Cpu);
    build(&store);
    store.num_trainable()
}

#[test]
fn param_counts_small_cnn_matches_pytorch() {
    let n = count(|s| {
        Vgg::new(&VggConfig::small_28(10), s.var_builder()).unwrap();
    });
    assert_eq!(n, TORCH_SMALL_CNN);
}

#[test]
fn param_counts_unet_matches_pytorch_less_redundant_biases() {
    for (spatial, torch) in [(2, TORCH_UNET2D), (3, TORCH_UNET3D)] {
        let cfg = UNetConfig {
            spatial_dims: spatial,
            in_channels: 1,
            out_channels: 2,
            channels: vec![16, 32, 64, 128],
            batch_norm: true,
            up: UpMode::Transpose,
        };
        let n = count(|s| {
            UNet::new(&cfg, s.var_builder()).unwrap();
        });
        assert_eq!(n, torch - UNET_CONV_BIASES_BEFORE_BN, "U-Net {spatial}-D");
    }
}

#[test]
fn param_counts_lstm_forecast_matches_pytorch() {
    let cfg = SeqModelConfig {
        cell: RecurrentCell::Lstm,
        input_size: 4,
        hidden_size: 64,
        num_layers: 2,
        dropout: 0.0,
        output_size: 12,
        output: SeqOutput::SeqToOne,
    };
    let n = count(|s| {
        SeqModel::new(&cfg, s.var_builder()).unwrap();
    });
    assert_eq!(n, TORCH_LSTM_FORECAST);
}
