//! scidl-core
pub mod device;
pub mod error;
pub mod infer;
pub mod metrics;
pub mod loss;
pub mod nn;
pub mod optim;
pub mod progress;
pub mod rng;
pub mod train;
pub use error::{Error, Result};
