//! Mapping errors to messages and exit codes: bad input (files, configuration, data) exits with 2,
//! anything else with 1; the whole error chain is printed.

use std::process::ExitCode;

/// An error caused by the user's input (a file, an argument, a configuration value).
#[derive(Debug)]
pub struct BadInput(pub String);

impl BadInput {
    /// A bad-input error with a message naming the input and the problem.
    pub fn new(msg: impl Into<String>) -> Self {
        Self(msg.into())
    }
}

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for BadInput {}

impl From<scidl_core::Error> for BadInput {
    fn from(e: scidl_core::Error) -> Self {
        Self(e.to_string())
    }
}
impl From<scidl_data::Error> for BadInput {
    fn from(e: scidl_data::Error) -> Self {
        Self(e.to_string())
    }
}

/// Whether an error chain stems from bad input: our data/core errors about files, shapes,
/// configuration or values, or an explicit [`BadInput`].
pub fn is_bad_input(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.is::<BadInput>()
            || c.downcast_ref::<scidl_data::Error>().is_some()
            || matches!(
                c.downcast_ref::<scidl_core::Error>(),
                Some(
                    scidl_core::Error::Config(_)
                        | scidl_core::Error::Shape(_)
                        | scidl_core::Error::NonFinite(_)
                        | scidl_core::Error::Io { .. }
                        | scidl_core::Error::Checkpoint { .. }
                )
            )
    })
}

/// Runs a binary's main body: sets up logging, prints the error chain on failure and returns the
/// exit code (2 for bad input, 1 otherwise).
pub fn main_with(body: impl FnOnce() -> anyhow::Result<()>) -> ExitCode {
    crate::logging::init();
    match body() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            scidl_core::progress::MULTI.suspend(|| {
                eprintln!("error: {e}");
                for cause in e.chain().skip(1) {
                    eprintln!("  caused by: {cause}");
                }
            });
            if is_bad_input(&e) { ExitCode::from(2) } else { ExitCode::from(1) }
        }
    }
}
