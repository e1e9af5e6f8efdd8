//! `cargo bench -p scidl`: runs `scidl-bench` (the five reference models of the PyTorch benchmark)
//! at 2 threads and prints its JSON lines. For the side-by-side ratios against PyTorch use
//! `benches/vs-pytorch.sh`; arguments after `--` are passed on (e.g. `cargo bench -p scidl -- --only cnn_fmnist_b64`).

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    if !args.iter().any(|a| a == "--threads") {
        args.extend(["--threads".into(), "2".into()]);
    }
    match Command::new(env!("CARGO_BIN_EXE_scidl-bench")).args(&args).status() {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(s) => ExitCode::from(s.code().unwrap_or(1).clamp(1, 255) as u8),
        Err(e) => {
            eprintln!("cannot run scidl-bench: {e}");
            ExitCode::from(1)
        }
    }
}
