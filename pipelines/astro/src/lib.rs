//! # scidl-astro
//!
//! Astronomical images on scidl's model core: FITS images and tables through cfitsio, celestial
//! TAN WCS, a Source-Extractor/SEP-compatible background, detection and aperture photometry.

pub mod background;
pub mod cli;
pub mod error;
pub mod extract;
pub mod fits;
pub mod learn;
pub mod photometry;
pub mod render;
pub mod simulate;
pub mod wcs;

pub use error::{Error, Result};
