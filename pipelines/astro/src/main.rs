//! `scidl-astro`: FITS images in, source catalogs out. Bad input exits with code 2.

use clap::Parser;
use scidl_astro::cli::{self, Cli, Command};
use scidl_astro::extract::ExtractConfig;
use scidl_astro::simulate::SimConfig;
use std::process::ExitCode;

fn main() -> ExitCode {
    scidl_cli::main_with(|| {
        let c = Cli::parse();
        match &c.command {
            Command::Inspect { file, json } => cli::inspect(file, *json),
            Command::Table { file, hdu, out } => cli::table(file, hdu.as_deref(), out),
            Command::Background { file, image, back, out, rms_out } => {
                cli::background(file, image, back, out.as_deref(), rms_out.as_deref())
            }
            Command::Detect {
                file,
                image,
                back,
                out,
                thresh,
                minarea,
                deblend_nthresh,
                deblend_cont,
                no_clean,
                aper,
                gain,
                segmap,
                overlay,
            } => {
                let cfg = ExtractConfig {
                    thresh: *thresh,
                    minarea: *minarea,
                    deblend_nthresh: *deblend_nthresh,
                    deblend_cont: *deblend_cont,
                    clean: !no_clean,
                    ..Default::default()
                };
                cli::detect_cmd(file, image, back, out, &cfg, *aper, *gain, segmap.as_deref(), overlay.as_deref())
            }
            Command::Photometry { file, image, back, at, catalog, radius, elliptical, annulus, gain, out } => {
                cli::photometry_cmd(
                    file,
                    image,
                    back,
                    at,
                    catalog.as_deref(),
                    (*radius, *elliptical),
                    annulus.as_deref(),
                    *gain,
                    out,
                )
            }
            Command::Train { fields, epochs } => cli::train_cmd(&c.common, *fields, *epochs),
            Command::Classify { file, image, checkpoint, out } => {
                cli::classify_cmd(&c.common, file, image, checkpoint, out)
            }
            Command::Simulate { out, truth, width, height, stars, galaxies } => cli::simulate_cmd(
                c.common.seed,
                out,
                truth,
                SimConfig { width: *width, height: *height, stars: *stars, galaxies: *galaxies, ..Default::default() },
            ),
        }
    })
}
