//! # scidl-cli: what every scidl binary shares
//!
//! [`CommonArgs`] (`--device`, `--seed`, `--run-dir`, `--config`, `--set key=value`, `--threads`),
//! TOML configuration with overrides ([`load_config`]) written back resolved into the run folder
//! ([`write_resolved`]), logging that does not fight the progress bars ([`logging`]), PNG plots
//! ([`plot`]) and the exit-code policy ([`main_with`]: 2 for bad input, with the error chain).
//!
//! ```
//! #[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
//! struct Train { epochs: usize, lr: f64 }
//! #[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
//! struct Config { train: Train }
//!
//! let cfg: Config = scidl_cli::load_config(None, &["train.epochs=5".into(), "train.lr=0.01".into()]).unwrap();
//! assert_eq!((cfg.train.epochs, cfg.train.lr), (5, 0.01));
//! ```
pub mod args;
pub mod config;
pub mod error;
pub mod exit;
pub mod logging;
pub mod plot;

pub use args::CommonArgs;
pub use config::{load_config, write_resolved};
pub use error::{PipelineError, PipelineResult, lift};
pub use exit::{BadInput, main_with};
