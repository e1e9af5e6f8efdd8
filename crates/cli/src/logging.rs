//! Tracing to stderr through the shared progress bars, so log lines and bars do not fight.
//! `RUST_LOG` filters (default `info`).

use std::io::{IsTerminal, Write};
use tracing_subscriber::EnvFilter;

struct BarAwareStderr;

impl Write for BarAwareStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        scidl_core::progress::MULTI.suspend(|| std::io::stderr().write_all(buf))?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// Installs the subscriber (idempotent).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(|| BarAwareStderr)
        .try_init();
}
