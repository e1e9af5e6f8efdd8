//! scidl-cli
pub mod args;
pub mod config;
pub mod exit;
pub mod logging;
pub mod plot;

pub use args::CommonArgs;
pub use config::{load_config, write_resolved};
pub use exit::{BadInput, main_with};
