//! One shared set of progress bars, so log lines (written through [`MULTI`]'s `suspend`) and bars do
//! not overwrite each other. Bars are hidden when stderr is not a terminal or `SCIDL_NO_PROGRESS` is set.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::LazyLock;

/// The process-wide bar container.
pub static MULTI: LazyLock<MultiProgress> = LazyLock::new(|| {
    let hidden = !std::io::stderr().is_terminal() || std::env::var_os("SCIDL_NO_PROGRESS").is_some();
    MultiProgress::with_draw_target(if hidden { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() })
});

/// A bar of `len` steps labelled `what` (e.g. "epoch 3/10").
pub fn bar(len: u64, what: &str) -> ProgressBar {
    let pb = MULTI.add(ProgressBar::new(len));
    pb.set_style(
        ProgressStyle::with_template("{prefix:>14} [{bar:30}] {pos}/{len} {per_sec} eta {eta} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_prefix(what.to_string());
    pb
}
