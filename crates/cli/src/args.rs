//! Arguments every scidl binary shares.

use candle_core::Device;
use std::path::PathBuf;

/// Device, seed, run folder, configuration and thread count.
#[derive(Debug, Clone, clap::Args)]
pub struct CommonArgs {
    /// Compute device: cpu, cuda or cuda:N.
    #[arg(long, default_value = "cpu", global = true)]
    pub device: String,
    /// Seed for initialisation, data order, augmentation and dropout.
    #[arg(long, default_value_t = 42, global = true)]
    pub seed: u64,
    /// Folder for this run's outputs (config, metrics, checkpoints, plots).
    #[arg(long, global = true)]
    pub run_dir: Option<PathBuf>,
    /// TOML configuration file.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Override a configuration value: `--set train.epochs=5` (repeatable; values are TOML).
    #[arg(long = "set", value_name = "KEY=VALUE", global = true)]
    pub overrides: Vec<String>,
    /// CPU threads (default: all cores).
    #[arg(long, global = true)]
    pub threads: Option<usize>,
}

impl CommonArgs {
    /// Sets the thread count and opens the device.
    pub fn init_device(&self) -> anyhow::Result<Device> {
        let threads = self.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        scidl_core::device::set_cpu_threads(threads);
        Ok(scidl_core::device::parse_device(&self.device).map_err(crate::BadInput::from)?)
    }

    /// The run folder, or `runs/<default_name>`.
    pub fn run_dir_or(&self, default_name: &str) -> PathBuf {
        self.run_dir.clone().unwrap_or_else(|| PathBuf::from("runs").join(default_name))
    }
}
