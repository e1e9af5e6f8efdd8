//! The astronomy pipeline's error type: scidl-cli's [`PipelineError`](scidl_cli::PipelineError),
//! shared by every pipeline. [`Error::Input`] is bad input (a file and what is wrong with it);
//! the binary maps it to exit code 2.

pub use scidl_cli::PipelineError as Error;

/// The pipeline's result type.
pub type Result<T> = std::result::Result<T, Error>;
