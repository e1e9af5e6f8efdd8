//! `scidl`: the demo, the case studies, and prediction with saved checkpoints.

mod astro;
mod co2;
mod demo;
mod fashion;
mod predict;
mod study;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "scidl", version, about = "Deep learning for scientific data: demo, case studies, prediction")]
struct Cli {
    #[command(flatten)]
    common: scidl_cli::CommonArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train and test a small CNN on the bundled digits; writes runs/demo/report.md with plots.
    Demo {
        /// Training epochs.
        #[arg(long, default_value_t = 20)]
        epochs: usize,
    },
    /// Reproduce a case study's table of results.
    Case {
        #[command(subcommand)]
        study: Case,
    },
    /// Classify PNG or IDX images with a saved checkpoint; prints CSV (file, index, class, probability).
    Predict {
        /// Checkpoint folder (e.g. runs/demo/checkpoints/best).
        #[arg(long)]
        checkpoint: PathBuf,
        /// Write the CSV here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Image files (PNG grey, or IDX with one or many images).
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum Case {
    /// Fashion-MNIST CNN study (needs `make fashion-mnist` or Debian's dataset-fashion-mnist).
    FashionMnist(fashion::Args),
    /// Mauna Loa weekly CO2: LSTM, GRU and transformer forecasters against every baseline, plus anomaly detection.
    Co2(co2::Args),
    /// Classical vs learned source detection on simulated fields, a star/galaxy/artifact classifier, and the real M13 image.
    AstroDetect(astro::Args),
}

fn main() -> ExitCode {
    scidl_cli::main_with(|| {
        let cli = Cli::parse();
        match cli.command {
            Command::Demo { epochs } => demo::run(&cli.common, epochs),
            Command::Case { study: Case::FashionMnist(a) } => fashion::run(&cli.common, &a),
            Command::Case { study: Case::Co2(a) } => co2::run(&cli.common, &a),
            Command::Case { study: Case::AstroDetect(a) } => astro::run(&cli.common, &a),
            Command::Predict { checkpoint, out, files } => {
                predict::run(&cli.common, &checkpoint, out.as_deref(), &files)
            }
        }
    })
}
