//! Reusable blocks: convolution + norm + activation for 2-D and 3-D, ResNet basic blocks, the
//! Inception block, and the transformer encoder layer.

pub mod conv_block;
pub mod inception;
pub mod residual;
pub mod transformer_layer;

pub use conv_block::{ConvNd, ConvNormAct, conv_nd};
pub use inception::{InceptionBlock, InceptionConfig};
pub use residual::BasicBlock;
pub use transformer_layer::{EncoderLayer, MultiHeadAttention};
