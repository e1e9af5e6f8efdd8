//! The astronomy pipeline's error type. [`Error::Input`] is bad input (a file, an HDU, a setting):
//! the binary maps it to exit code 2.

use std::path::{Path, PathBuf};

/// Errors of the astronomy pipeline.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or its contents cannot be used: names the file (and the HDU when there is one).
    #[error("{}: {reason}", path.display())]
    Input {
        /// The offending file.
        path: PathBuf,
        /// What is wrong, naming the HDU.
        reason: String,
    },
    /// A setting that cannot work with the data.
    #[error("{0}")]
    Config(String),
    /// The model core failed.
    #[error(transparent)]
    Core(#[from] scidl_core::Error),
    /// Candle failed.
    #[error(transparent)]
    Candle(#[from] candle_core::Error),
}

impl Error {
    /// A bad-input error naming `path`.
    pub fn input(path: &Path, reason: impl Into<String>) -> Self {
        Error::Input { path: path.to_path_buf(), reason: reason.into() }
    }

    /// Whether the error is the user's input (exit code 2).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            Error::Input { .. }
                | Error::Config(_)
                | Error::Core(
                    scidl_core::Error::Io { .. }
                        | scidl_core::Error::Checkpoint { .. }
                        | scidl_core::Error::Config(_)
                        | scidl_core::Error::Shape(_)
                        | scidl_core::Error::NonFinite(_)
                )
        )
    }
}

impl From<scidl_data::Error> for Error {
    fn from(e: scidl_data::Error) -> Self {
        match e {
            scidl_data::Error::Format { path, reason } => Error::Input { path, reason },
            scidl_data::Error::Io { path, source } => Error::Input { path, reason: source.to_string() },
            other => Error::Config(other.to_string()),
        }
    }
}

/// The pipeline's result type.
pub type Result<T> = std::result::Result<T, Error>;
