//! The error type of scidl-data. Every variant that concerns a file names it.

use std::path::PathBuf;

/// Everything that can go wrong while reading or preparing data.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The file was read but its content is not what its format promises (bad magic, truncated,
    /// unsupported variant, inconsistent sizes).
    #[error("{path}: {reason}")]
    Format {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A sample lacks a key, or tensors that must agree in shape do not.
    #[error("sample: {0}")]
    Sample(String),
    /// A parameter of a transform, split or batcher is invalid.
    #[error("invalid parameter: {0}")]
    Param(String),
    /// A tensor operation failed.
    #[error(transparent)]
    Candle(#[from] candle_core::Error),
    /// An error from the model core.
    #[error(transparent)]
    Core(#[from] scidl_core::Error),
}

/// Result alias for scidl-data.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An I/O error for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
    /// A format error for `path`.
    pub fn format(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::Format { path: path.into(), reason: reason.into() }
    }
}
