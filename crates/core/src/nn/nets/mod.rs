//! Whole networks, each built from a serde config (`XConfig` -> `X::new(&cfg, vb)`), with the
//! backbone (features) separable from the head.

pub mod cnn;
pub mod dcgan;
pub mod inception;
pub mod resnet;
pub mod rnn;
pub mod transformer;
pub mod unet;

#[cfg(test)]
mod param_counts;

pub use cnn::{ClassifierHead, Vgg, VggBlock, VggConfig};
pub use dcgan::{DcganConfig, Discriminator, Generator};
pub use inception::{InceptionNet, InceptionNetConfig};
pub use resnet::{ResNet, ResNetConfig};
pub use rnn::{RecurrentCell, SeqModel, SeqModelConfig, SeqOutput};
pub use transformer::{TransformerConfig, TransformerEncoder};
pub use unet::{UNet, UNetConfig, UpMode};
