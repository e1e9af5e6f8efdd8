//! The error type of scidl-core.

use std::path::PathBuf;

/// Everything that can go wrong in the model core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A tensor operation failed inside Candle (shape mismatch, dtype, device).
    #[error(transparent)]
    Candle(#[from] candle_core::Error),
    /// A configuration value is invalid; the message names the field.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Two shapes that must agree do not; the message names both.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// A value is NaN or infinite where a finite number is required.
    #[error("non-finite value: {0}")]
    NonFinite(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// A checkpoint or manifest is missing a part or does not match the model.
    #[error("checkpoint {path}: {reason}")]
    Checkpoint {
        /// The checkpoint directory or file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A metric was asked for a value before it saw any data, or saw inconsistent data.
    #[error("metric {metric}: {reason}")]
    Metric {
        /// Name of the metric.
        metric: &'static str,
        /// What is wrong.
        reason: String,
    },
}

/// Result alias for scidl-core.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An I/O error for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}
