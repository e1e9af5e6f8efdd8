//! # scidl-core: the model core of scidl
//!
//! Layers, networks, losses, optimisers, the training engine, metrics and inference strategies for
//! scientific deep learning, on [Candle](https://docs.rs/candle-core). CPU by default; build with
//! `--features cuda` for NVIDIA GPUs (the device is chosen at run time with [`device::parse_device`]).
//!
//! - [`nn`]: the seeded [`nn::ParamStore`], layers Candle lacks or gets wrong (3-D convolutions,
//!   pooling with a correct backward, batch/group norm with running statistics, resizing, seeded
//!   dropout, fused kernels), blocks and networks built from serde configs (VGG-style CNN,
//!   ResNet-18/34, Inception, 2-D/3-D U-Net, LSTM/GRU, transformer encoder, DCGAN).
//! - [`loss`], [`metrics`], [`optim`]: what training needs, checked against PyTorch and by hand.
//! - [`train`]: the train/validate loop with checkpoints, exact resume and early stopping.
//! - [`infer`]: sliding-window inference for images larger than the network's window.
//!
//! ```
//! use candle_core::{Device, Tensor};
//! use candle_nn::ModuleT;
//! use scidl_core::nn::{ParamStore, nets::{Vgg, VggConfig}};
//!
//! # fn main() -> scidl_core::Result<()> {
//! let store = ParamStore::new(42, &Device::Cpu);          // weights drawn from seed 42
//! let cnn = Vgg::new(&VggConfig::small_28(10), store.var_builder())?;
//! let x = Tensor::zeros((4, 1, 28, 28), candle_core::DType::F32, &Device::Cpu)?;
//! let logits = cnn.forward_t(&x, false)?;
//! assert_eq!(logits.dims(), &[4, 10]);
//! let target = Tensor::new(&[0u32, 1, 2, 3], &Device::Cpu)?;
//! let loss = scidl_core::loss::cross_entropy(&logits, &target)?;
//! assert!(scidl_core::loss::scalar(&loss)? > 0.0);
//! # Ok(())
//! # }
//! ```
pub mod device;
pub mod error;
pub mod fs;
pub mod infer;
pub mod loss;
pub mod metrics;
pub mod nn;
pub mod optim;
pub mod progress;
pub mod rng;
#[cfg(test)]
mod test_util;
pub mod train;
pub use error::{Error, Result};
