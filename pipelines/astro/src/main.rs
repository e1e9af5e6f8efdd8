//! `scidl-astro`: FITS images in, source catalogs out.

fn main() {}
