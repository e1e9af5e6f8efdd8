//! The error type of the pipeline crates. [`PipelineError::Input`] is bad input (a file, an HDU,
//! a column, a setting that cannot work): binaries map it to exit code 2 (see [`crate::BadInput`]).

use std::path::{Path, PathBuf};

/// Errors of a pipeline crate (each re-exports it as its `Error`).
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// A file or its contents cannot be used: names the file (and the HDU, column, variable or row).
    #[error("{}: {reason}", path.display())]
    Input {
        /// The offending file.
        path: PathBuf,
        /// What is wrong, naming the HDU, column, variable or row.
        reason: String,
    },
    /// A setting that cannot work with the data (e.g. a window longer than the series).
    #[error("{0}")]
    Config(String),
    /// The model core failed.
    #[error(transparent)]
    Core(#[from] scidl_core::Error),
    /// Candle failed.
    #[error(transparent)]
    Candle(#[from] candle_core::Error),
}

impl PipelineError {
    /// A bad-input error naming `path`.
    pub fn input(path: &Path, reason: impl Into<String>) -> Self {
        PipelineError::Input { path: path.to_path_buf(), reason: reason.into() }
    }

    /// Whether the error is the user's input (exit code 2).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            PipelineError::Input { .. }
                | PipelineError::Config(_)
                | PipelineError::Core(
                    scidl_core::Error::Io { .. }
                        | scidl_core::Error::Checkpoint { .. }
                        | scidl_core::Error::Config(_)
                        | scidl_core::Error::Shape(_)
                        | scidl_core::Error::NonFinite(_)
                )
        )
    }
}

impl From<scidl_data::Error> for PipelineError {
    fn from(e: scidl_data::Error) -> Self {
        match e {
            scidl_data::Error::Format { path, reason } => PipelineError::Input { path, reason },
            scidl_data::Error::Io { path, source } => PipelineError::Input { path, reason: source.to_string() },
            other => PipelineError::Config(other.to_string()),
        }
    }
}

/// Maps a pipeline error to a binary's error, keeping bad input recognisable (exit code 2).
pub fn lift(e: PipelineError) -> anyhow::Error {
    if e.is_bad_input() { crate::BadInput::new(e.to_string()).into() } else { anyhow::Error::new(e) }
}

/// A pipeline's result type.
pub type PipelineResult<T> = std::result::Result<T, PipelineError>;
