//! The `scidl-astro` command line. Every output is computed before the first file is written,
//! and every file is written beside its target and renamed in.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

use crate::background::{Background, BackgroundConfig};
use crate::extract::{ExtractConfig, Object, extract, segmentation};
use crate::fits::{
    HduSel, Image, list_hdus, read_image, read_table_df, wcs_cards, write_image, write_table, write_table_df,
};
use crate::photometry::{Ellipse, Frame, Rms};
use crate::simulate::{SimConfig, simulate};
use crate::wcs::TanWcs;
use scidl_cli::BadInput;

/// `scidl-astro`: FITS images in, source catalogs and classifications out.
#[derive(Parser)]
#[command(
    name = "scidl-astro",
    version,
    about = "Astronomical images: inspect, background, detect, photometry, simulate, train, classify"
)]
pub struct Cli {
    /// Options every scidl binary shares.
    #[command(flatten)]
    pub common: scidl_cli::CommonArgs,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// Which image of a FITS file.
#[derive(Debug, Clone, Default, Args)]
pub struct ImageArgs {
    /// HDU: index from 0 (the primary, as astropy) or EXTNAME (default: the first HDU with pixels).
    #[arg(long)]
    pub hdu: Option<String>,
    /// Plane of a 3-D cube.
    #[arg(long)]
    pub plane: Option<usize>,
}

/// Background options (SEP's defaults).
#[derive(Debug, Clone, Args)]
pub struct BackArgs {
    /// Mesh size in pixels.
    #[arg(long, default_value_t = 64)]
    pub mesh: usize,
    /// Median filter size in meshes.
    #[arg(long, default_value_t = 3)]
    pub filter_size: usize,
}

impl BackArgs {
    fn config(&self) -> BackgroundConfig {
        BackgroundConfig { bw: self.mesh, bh: self.mesh, fw: self.filter_size, fh: self.filter_size, fthresh: 0.0 }
    }
}

/// The subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// HDUs, shapes, BITPIX and the WCS of a FITS file.
    Inspect {
        /// The file.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Convert a FITS table (binary or ASCII) to CSV or Parquet, or a CSV/Parquet table to a FITS
    /// binary table (types, nulls and vector columns as `read_table_df` describes).
    Table {
        /// Input: .fits (a table HDU), .csv or .parquet.
        file: PathBuf,
        /// The table HDU of a FITS input: index (0 = primary) or EXTNAME (default: the first table).
        #[arg(long)]
        hdu: Option<String>,
        /// Output: .csv, .parquet or .fits.
        #[arg(long)]
        out: PathBuf,
    },
    /// Measure the background; optionally write the background and RMS maps as FITS.
    Background {
        /// The file.
        file: PathBuf,
        /// Which image.
        #[command(flatten)]
        image: ImageArgs,
        /// Background options.
        #[command(flatten)]
        back: BackArgs,
        /// Write the background map here.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Write the RMS map here.
        #[arg(long)]
        rms_out: Option<PathBuf>,
    },
    /// Detect sources and write a catalog (.csv: 0-based x, y; .fits: binary table, 1-based).
    Detect {
        /// The file.
        file: PathBuf,
        /// Which image.
        #[command(flatten)]
        image: ImageArgs,
        /// Background options.
        #[command(flatten)]
        back: BackArgs,
        /// Catalog to write (.csv or .fits).
        #[arg(long)]
        out: PathBuf,
        /// Detection threshold in units of the global background RMS.
        #[arg(long, default_value_t = 1.5)]
        thresh: f64,
        /// Minimum pixels.
        #[arg(long, default_value_t = 5)]
        minarea: usize,
        /// Deblending levels.
        #[arg(long, default_value_t = 32)]
        deblend_nthresh: usize,
        /// Deblending contrast.
        #[arg(long, default_value_t = 0.005)]
        deblend_cont: f64,
        /// Do not clean spurious detections near bright objects.
        #[arg(long)]
        no_clean: bool,
        /// Aperture radius (pixels) for flux_aper.
        #[arg(long, default_value_t = 5.0)]
        aper: f64,
        /// Detector gain (e-/ADU) for Poisson errors.
        #[arg(long)]
        gain: Option<f64>,
        /// Also write the segmentation map (FITS, 0 = sky, k = object k of the catalog).
        #[arg(long)]
        segmap: Option<PathBuf>,
        /// Also draw the detections on a zscale-stretched PNG.
        #[arg(long)]
        overlay: Option<PathBuf>,
    },
    /// Aperture photometry at given positions or at a catalog's positions.
    Photometry {
        /// The file.
        file: PathBuf,
        /// Which image.
        #[command(flatten)]
        image: ImageArgs,
        /// Background options.
        #[command(flatten)]
        back: BackArgs,
        /// Positions `x,y` (0-based pixels), repeatable.
        #[arg(long = "at", value_name = "X,Y")]
        at: Vec<String>,
        /// A CSV catalog with x and y columns (0-based).
        #[arg(long)]
        catalog: Option<PathBuf>,
        /// Aperture radius (pixels); with --elliptical, the scale of each object's ellipse.
        #[arg(long, default_value_t = 5.0)]
        radius: f64,
        /// Elliptical apertures from the catalog's a, b, theta columns (as `detect` writes them),
        /// scaled by --radius (SEP's sum_ellipse; 2.5 is a common choice).
        #[arg(long)]
        elliptical: bool,
        /// Local background annulus `inner,outer` (pixels, circular).
        #[arg(long)]
        annulus: Option<String>,
        /// Detector gain (e-/ADU).
        #[arg(long)]
        gain: Option<f64>,
        /// Output CSV.
        #[arg(long)]
        out: PathBuf,
    },
    /// Train the star/galaxy/artifact cutout classifier on simulated fields (run folder: --run-dir).
    Train {
        /// Training fields (512 x 512).
        #[arg(long, default_value_t = 10)]
        fields: usize,
        /// Epochs.
        #[arg(long, default_value_t = 12)]
        epochs: usize,
    },
    /// Detect sources (or read a catalog) and add the classifier's class and probabilities.
    Classify {
        /// The image.
        file: PathBuf,
        /// Which image.
        #[command(flatten)]
        image: ImageArgs,
        /// Classifier checkpoint (RUN/checkpoints/best of `train`).
        #[arg(long)]
        checkpoint: PathBuf,
        /// Output catalog (.csv or .fits).
        #[arg(long)]
        out: PathBuf,
    },
    /// Simulate a star/galaxy field with artifacts; writes the image (FITS) and the truth (CSV).
    Simulate {
        /// Image to write.
        #[arg(long)]
        out: PathBuf,
        /// Truth catalog to write.
        #[arg(long)]
        truth: PathBuf,
        /// Width.
        #[arg(long, default_value_t = 512)]
        width: usize,
        /// Height.
        #[arg(long, default_value_t = 512)]
        height: usize,
        /// Stars.
        #[arg(long, default_value_t = 150)]
        stars: usize,
        /// Galaxies.
        #[arg(long, default_value_t = 60)]
        galaxies: usize,
    },
}

pub use scidl_cli::lift;

fn load(path: &Path, a: &ImageArgs) -> Result<Image> {
    let sel = a.hdu.as_deref().map(HduSel::parse);
    let img = read_image(path, sel.as_ref(), a.plane).map_err(lift)?;
    if img.data.iter().all(|v| v.is_nan()) {
        return Err(BadInput::new(format!(
            "{}: HDU {}: every pixel is masked (NaN or BLANK)",
            path.display(),
            img.hdu
        ))
        .into());
    }
    Ok(img)
}

fn wcs_of(path: &Path, img: &Image) -> Result<Option<TanWcs>> {
    TanWcs::from_header(&img.header)
        .map_err(|e| BadInput::new(format!("{}: HDU {}: {e}", path.display(), img.hdu)).into())
}

/// Whether a path names a FITS file (by extension).
fn is_fits(p: &Path) -> bool {
    let l = p.to_string_lossy().to_ascii_lowercase();
    l.ends_with(".fits") || l.ends_with(".fit") || l.ends_with(".fts")
}

/// `table`: converts between FITS tables and CSV/Parquet.
pub fn table(file: &Path, hdu: Option<&str>, out: &Path) -> Result<()> {
    let mut df = if is_fits(file) {
        let sel = match hdu {
            Some(h) => HduSel::parse(h),
            None => {
                let hdus = list_hdus(file).map_err(lift)?;
                let t = hdus
                    .iter()
                    .find(|h| h.kind.ends_with("table"))
                    .ok_or_else(|| BadInput::new(format!("{}: no table HDU in the file", file.display())))?;
                HduSel::Index(t.index)
            }
        };
        read_table_df(file, &sel).map_err(lift)?
    } else {
        if hdu.is_some() {
            return Err(BadInput::new(format!("{}: --hdu applies to FITS inputs only", file.display())).into());
        }
        scidl_data::readers::table::read_table(file).map_err(|e| BadInput::new(e.to_string()))?
    };
    let lower = out.to_string_lossy().to_ascii_lowercase();
    if is_fits(out) {
        write_table_df(out, &df, "TABLE", &[]).map_err(lift)?;
    } else if lower.ends_with(".parquet") {
        scidl_data::readers::table::write_parquet(&mut df, out).map_err(|e| anyhow::anyhow!(e.to_string()))?;
    } else if lower.ends_with(".csv") {
        use polars::prelude::{CsvWriter, SerWriter};
        let mut bytes = Vec::new();
        CsvWriter::new(&mut bytes).finish(&mut df).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
        scidl_core::fs::write_atomic(out, &bytes)?;
    } else {
        return Err(BadInput::new(format!("{}: the output must end in .csv, .parquet or .fits", out.display())).into());
    }
    println!("{} rows x {} columns -> {}", df.height(), df.width(), out.display());
    Ok(())
}

/// `inspect`.
pub fn inspect(path: &Path, json: bool) -> Result<()> {
    let hdus = list_hdus(path).map_err(lift)?;
    let mut out = Vec::new();
    for h in &hdus {
        let mut v = serde_json::to_value(h)?;
        if h.kind.ends_with("image") && h.shape.len() >= 2 && h.shape.iter().product::<usize>() > 0 {
            let plane = (h.shape.len() == 3).then_some(0);
            let img = read_image(path, Some(&HduSel::Index(h.index)), plane).map_err(lift)?;
            v["masked_pixels"] = img.masked().into();
            match TanWcs::from_header(&img.header) {
                Ok(Some(w)) => {
                    let (ra, dec) = w.pixel_to_world((img.width as f64 - 1.0) / 2.0, (img.height as f64 - 1.0) / 2.0);
                    v["wcs"] = serde_json::json!({"projection": "TAN", "centre_ra": ra, "centre_dec": dec,
                        "pixel_scale_arcsec": w.pixel_scale_arcsec(), "crpix": w.crpix, "crval": w.crval});
                }
                Ok(None) => v["wcs"] = serde_json::Value::Null,
                Err(e) => v["wcs"] = serde_json::json!({"unsupported": e}),
            }
        }
        out.push(v);
    }
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"file": path.display().to_string(), "hdus": out}))?
        );
    } else {
        println!("{}", path.display());
        for (h, v) in hdus.iter().zip(&out) {
            let bitpix = h.bitpix.map(|b| format!("BITPIX {b}")).unwrap_or_default();
            println!("  HDU {} {:<12} {:<16} {:?} {bitpix}", h.index, h.name, h.kind, h.shape);
            if let Some(w) = v.get("wcs").filter(|w| !w.is_null()) {
                println!("      WCS: {w}");
            }
        }
    }
    Ok(())
}

/// `background`.
pub fn background(path: &Path, a: &ImageArgs, b: &BackArgs, out: Option<&Path>, rms_out: Option<&Path>) -> Result<()> {
    let img = load(path, a)?;
    let bg = Background::new(&img.data, img.width, img.height, b.config())
        .map_err(|e| BadInput::new(format!("{}: {e}", path.display())))?;
    let cards = wcs_cards(&img.header);
    let maps: Vec<(PathBuf, Vec<f32>)> = [(out, bg.back_map()), (rms_out, bg.rms_map())]
        .into_iter()
        .filter_map(|(p, m)| p.map(|p| (p.to_path_buf(), m.iter().map(|&v| v as f32).collect())))
        .collect();
    for (p, m) in &maps {
        write_image(p, m, img.width, img.height, &cards).map_err(lift)?;
    }
    println!("global background {:.4}, global rms {:.4} ({} x {} meshes)", bg.global_back, bg.global_rms, bg.nx, bg.ny);
    Ok(())
}

/// A catalog ready to write: column names and values, one row per object.
pub struct Catalog {
    /// Column names.
    pub names: Vec<String>,
    /// Columns.
    pub columns: Vec<Vec<f64>>,
}

/// Background, detection and aperture photometry of one image.
pub fn detect_image(
    img: &Image,
    b: &BackgroundConfig,
    cfg: &ExtractConfig,
    aper: f64,
    gain: Option<f64>,
    wcs: Option<&TanWcs>,
) -> crate::Result<(Vec<Object>, Catalog, Vec<f64>)> {
    let bg = Background::new(&img.data, img.width, img.height, *b)?;
    let back = bg.back_map();
    let sub: Vec<f64> = img.data.iter().zip(&back).map(|(v, b)| v - b).collect();
    let rms = f64::from(bg.global_rms);
    let objs = extract(&sub, img.width, img.height, rms, cfg)?;
    let frame = Frame { data: &sub, width: img.width, height: img.height, rms: Rms::Global(rms), gain };
    let phot: Vec<_> = objs.par_iter().map(|o| frame.circle(o.x, o.y, aper, None)).collect();
    // Source Extractor's recipe: half-light radius within 6 a of the isophotal flux, then windowed
    // centroids with sigma = 2 / 2.35 of it.
    let (radius, win): (Vec<f64>, Vec<_>) = objs
        .par_iter()
        .map(|o| {
            let r = frame.flux_radius(o.x, o.y, 6.0 * o.a, Some(o.flux), &[0.5], 5).0[0];
            (r, frame.windowed_position(o.x, o.y, 2.0 / 2.35 * r, 11))
        })
        .unzip();
    let mut names: Vec<String> = ["x", "y"].iter().map(|s| s.to_string()).collect();
    let mut columns = vec![objs.iter().map(|o| o.x).collect::<Vec<_>>(), objs.iter().map(|o| o.y).collect()];
    if let Some(w) = wcs {
        let (ra, dec): (Vec<f64>, Vec<f64>) = objs.iter().map(|o| w.pixel_to_world(o.x, o.y)).unzip();
        names.extend(["ra".to_string(), "dec".to_string()]);
        columns.push(ra);
        columns.push(dec);
    }
    let get = |f: fn(&Object) -> f64| objs.iter().map(f).collect::<Vec<f64>>();
    for (n, c) in [
        ("flux_iso", get(|o| o.flux)),
        ("npix", get(|o| o.npix as f64)),
        ("peak", get(|o| o.peak)),
        ("a", get(|o| o.a)),
        ("b", get(|o| o.b)),
        ("theta", get(|o| o.theta)),
        ("cxx", get(|o| o.cxx)),
        ("cyy", get(|o| o.cyy)),
        ("cxy", get(|o| o.cxy)),
        ("flux_aper", phot.iter().map(|p| p.flux).collect()),
        ("fluxerr_aper", phot.iter().map(|p| p.flux_err).collect()),
        ("flux_radius", radius),
        ("xwin", win.iter().map(|w| w.x).collect()),
        ("ywin", win.iter().map(|w| w.y).collect()),
        ("flag", objs.iter().zip(&phot).map(|(o, p)| f64::from(o.flag | (u32::from(p.flag) << 4))).collect()),
    ] {
        names.push(n.to_string());
        columns.push(c);
    }
    Ok((objs, Catalog { names, columns }, sub))
}

/// Writes a catalog: CSV with 0-based pixels, or a FITS binary table with 1-based pixels (said in
/// the header, as FITS wants).
pub fn write_catalog(path: &Path, cat: &Catalog, extra_cards: &[(String, String, String)]) -> Result<()> {
    let lower = path.to_string_lossy().to_ascii_lowercase();
    if is_fits(path) {
        let cols: Vec<(String, Vec<f64>)> = cat
            .names
            .iter()
            .zip(&cat.columns)
            .map(|(n, c)| {
                let one_based = matches!(n.as_str(), "x" | "y" | "xwin" | "ywin");
                (n.to_uppercase(), if one_based { c.iter().map(|v| v + 1.0).collect() } else { c.clone() })
            })
            .collect();
        let mut cards =
            vec![("PIXORIG".to_string(), "1".to_string(), "X Y XWIN YWIN are 1-based pixel coordinates".to_string())];
        cards.extend_from_slice(extra_cards);
        write_table(path, &cols, &cards).map_err(lift)
    } else if lower.ends_with(".csv") {
        let mut s = cat.names.join(",");
        s.push('\n');
        let rows = cat.columns.first().map_or(0, Vec::len);
        for r in 0..rows {
            let line: Vec<String> = cat.columns.iter().map(|c| c[r].to_string()).collect();
            s.push_str(&line.join(","));
            s.push('\n');
        }
        Ok(scidl_core::fs::write_atomic(path, s.as_bytes())?)
    } else {
        Err(BadInput::new(format!("{}: the catalog must end in .csv or .fits", path.display())).into())
    }
}

/// `detect`.
#[allow(clippy::too_many_arguments)]
pub fn detect_cmd(
    path: &Path,
    a: &ImageArgs,
    b: &BackArgs,
    out: &Path,
    cfg: &ExtractConfig,
    aper: f64,
    gain: Option<f64>,
    segmap: Option<&Path>,
    overlay: Option<&Path>,
) -> Result<()> {
    let img = load(path, a)?;
    let wcs = wcs_of(path, &img)?;
    let (objs, cat, sub) = detect_image(&img, &b.config(), cfg, aper, gain, wcs.as_ref())
        .map_err(|e| BadInput::new(format!("{}: HDU {}: {e}", path.display(), img.hdu)))?;
    let seg = segmap.map(|_| segmentation(&objs, img.width, img.height));
    let picture = overlay
        .map(|_| crate::render::overlay(&sub, img.width, img.height, &objs, 3.0, (800 / img.width.max(1)).clamp(1, 4)));
    write_catalog(out, &cat, &[("SRCFILE".into(), path.display().to_string(), "detection image".into())])?;
    if let (Some(p), Some(s)) = (segmap, seg) {
        let m: Vec<f32> = s.iter().map(|&v| v as f32).collect();
        write_image(p, &m, img.width, img.height, &wcs_cards(&img.header)).map_err(lift)?;
    }
    if let (Some(p), Some((rgb, w, h))) = (overlay, picture) {
        scidl_cli::plot::write_png(p, w as u32, h as u32, &rgb)?;
    }
    println!("{} objects -> {}", objs.len(), out.display());
    Ok(())
}

/// `photometry`.
#[allow(clippy::too_many_arguments)]
pub fn photometry_cmd(
    path: &Path,
    a: &ImageArgs,
    b: &BackArgs,
    at: &[String],
    catalog: Option<&Path>,
    (radius, elliptical): (f64, bool),
    annulus: Option<&str>,
    gain: Option<f64>,
    out: &Path,
) -> Result<()> {
    if elliptical && (catalog.is_none() || !at.is_empty()) {
        return Err(
            BadInput::new("--elliptical takes its shapes from --catalog (columns a, b, theta), not --at").into()
        );
    }
    let img = load(path, a)?;
    let mut pos: Vec<(f64, f64)> = Vec::new();
    let mut shapes: Vec<Ellipse> = Vec::new();
    for p in at {
        let v: Vec<f64> = p
            .split(',')
            .map(|s| s.trim().parse::<f64>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| BadInput::new(format!("--at `{p}`: expected X,Y")))?;
        match v.as_slice() {
            [x, y] => pos.push((*x, *y)),
            _ => return Err(BadInput::new(format!("--at `{p}`: expected X,Y")).into()),
        }
    }
    if let Some(c) = catalog {
        let text = std::fs::read_to_string(c).with_context(|| format!("reading {}", c.display()))?;
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or("").split(',').map(str::trim).collect();
        let (ix, iy) = match (header.iter().position(|h| *h == "x"), header.iter().position(|h| *h == "y")) {
            (Some(ix), Some(iy)) => (ix, iy),
            _ => return Err(BadInput::new(format!("{}: needs columns x and y (0-based pixels)", c.display())).into()),
        };
        let shape_cols = if elliptical {
            let col = |n: &str| header.iter().position(|h| *h == n);
            match (col("a"), col("b"), col("theta")) {
                (Some(ia), Some(ib), Some(it)) => Some((ia, ib, it)),
                _ => {
                    return Err(BadInput::new(format!(
                        "{}: --elliptical needs columns a, b and theta (semi-axes in pixels, angle in radians)",
                        c.display()
                    ))
                    .into());
                }
            }
        } else {
            None
        };
        for (k, l) in lines.enumerate() {
            let f: Vec<&str> = l.split(',').collect();
            let num = |i: usize| f.get(i).and_then(|v| v.trim().parse::<f64>().ok());
            match (num(ix), num(iy)) {
                (Some(x), Some(y)) => pos.push((x, y)),
                _ => return Err(BadInput::new(format!("{}: row {}: x/y are not numbers", c.display(), k + 1)).into()),
            }
            if let Some((ia, ib, it)) = shape_cols {
                match (num(ia), num(ib), num(it)) {
                    (Some(a), Some(b), Some(theta)) if a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite() => {
                        shapes.push(Ellipse { a, b, theta })
                    }
                    _ => {
                        return Err(BadInput::new(format!(
                            "{}: row {}: a, b must be positive numbers and theta a number",
                            c.display(),
                            k + 1
                        ))
                        .into());
                    }
                }
            }
        }
    }
    if pos.is_empty() {
        return Err(BadInput::new("no positions: give --at X,Y or --catalog FILE").into());
    }
    let ann = match annulus {
        Some(s) => {
            let v: Vec<f64> = s.split(',').filter_map(|x| x.trim().parse().ok()).collect();
            match v.as_slice() {
                [i, o] if o > i && *i >= radius => Some((*i, *o)),
                _ => {
                    return Err(BadInput::new(format!(
                        "--annulus `{s}`: expected INNER,OUTER with radius <= inner < outer"
                    ))
                    .into());
                }
            }
        }
        None => None,
    };
    let bg = Background::new(&img.data, img.width, img.height, b.config()).map_err(lift)?;
    let back = bg.back_map();
    let sub: Vec<f64> = img.data.iter().zip(&back).map(|(v, b)| v - b).collect();
    let frame =
        Frame { data: &sub, width: img.width, height: img.height, rms: Rms::Global(f64::from(bg.global_rms)), gain };
    let mut s = String::from("x,y,flux,flux_err,area,local_background,flag\n");
    for (k, (x, y)) in pos.into_iter().enumerate() {
        let local = ann.and_then(|(i, o)| frame.annulus_mean(x, y, i, o));
        let p = match shapes.get(k) {
            Some(e) => frame.ellipse(x, y, e, radius, local),
            None => frame.circle(x, y, radius, local),
        };
        s.push_str(&format!("{x},{y},{},{},{},{},{}\n", p.flux, p.flux_err, p.area, local.unwrap_or(0.0), p.flag));
    }
    scidl_core::fs::write_atomic(out, s.as_bytes())?;
    println!("wrote {}", out.display());
    Ok(())
}

/// `simulate`.
pub fn simulate_cmd(seed: u64, out: &Path, truth: &Path, cfg: SimConfig) -> Result<()> {
    let cfg = SimConfig { seed, ..cfg };
    let (img, t) = simulate(&cfg);
    let data: Vec<f32> = img.iter().map(|&v| v as f32).collect();
    let mut s = String::from("kind,class,x,y,flux,snr,size,axis_ratio,theta\n");
    for e in &t {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\n",
            serde_json::to_value(e.kind)?.as_str().unwrap_or(""),
            e.kind.class(),
            e.x,
            e.y,
            e.flux,
            e.snr,
            e.size,
            e.axis_ratio,
            e.theta
        ));
    }
    let cards = vec![
        ("GAIN".to_string(), cfg.gain.to_string(), "e-/ADU".to_string()),
        ("SKYLEVEL".to_string(), cfg.sky.to_string(), "ADU".to_string()),
        ("FWHM".to_string(), cfg.fwhm.to_string(), "PSF FWHM in pixels".to_string()),
        ("SIMSEED".to_string(), cfg.seed.to_string(), "scidl-astro simulate seed".to_string()),
    ];
    write_image(out, &data, cfg.width, cfg.height, &cards).map_err(lift)?;
    scidl_core::fs::write_atomic(truth, s.as_bytes())?;
    println!("{} sources -> {} and {}", t.len(), out.display(), truth.display());
    Ok(())
}

/// `train`: the cutout classifier on simulated fields; prints held-out accuracy.
pub fn train_cmd(common: &scidl_cli::CommonArgs, fields: usize, epochs: usize) -> Result<()> {
    let device = common.init_device()?;
    let run_dir = common.run_dir_or("astro-classifier");
    let cfg = SimConfig { cosmic_rays: 30, hot_pixels: 30, ..Default::default() };
    let seed = common.seed;
    let train = crate::learn::cutout_set(&cfg, fields, 1000 + seed, 10.0).map_err(lift)?;
    let val = crate::learn::cutout_set(&cfg, 2, 2000 + seed, 10.0).map_err(lift)?;
    let (model, _, fit) =
        crate::learn::train_classifier(train, val.clone(), epochs, seed, &run_dir, &device).map_err(lift)?;
    let p = crate::learn::predict_proba(&model, &val.0, &device).map_err(lift)?;
    let y = val.1.to_vec1::<u32>()?;
    let correct =
        p.iter().zip(&y).filter(|(p, y)| (0..3).max_by(|&a, &b| p[a].total_cmp(&p[b])) == Some(**y as usize)).count();
    println!(
        "trained {} epochs; validation accuracy {:.3} on {} cutouts; checkpoint {}",
        fit.history.len(),
        correct as f64 / y.len().max(1) as f64,
        y.len(),
        run_dir.join("checkpoints/best").display()
    );
    Ok(())
}

/// `classify`: detection + classification of every detection.
pub fn classify_cmd(
    common: &scidl_cli::CommonArgs,
    path: &Path,
    a: &ImageArgs,
    checkpoint: &Path,
    out: &Path,
) -> Result<()> {
    let device = common.init_device()?;
    let model = crate::learn::load_classifier(checkpoint, &device).map_err(lift)?;
    let img = load(path, a)?;
    let wcs = wcs_of(path, &img)?;
    let (objs, mut cat, sub) =
        detect_image(&img, &BackgroundConfig::default(), &ExtractConfig::default(), 5.0, None, wcs.as_ref())
            .map_err(|e| BadInput::new(format!("{}: HDU {}: {e}", path.display(), img.hdu)))?;
    let cuts: Vec<f32> =
        objs.iter().flat_map(|o| crate::learn::cutout(&sub, img.width, img.height, o.x, o.y)).collect();
    let x = candle_core::Tensor::from_vec(
        cuts,
        (objs.len(), 1, crate::learn::CUTOUT, crate::learn::CUTOUT),
        &candle_core::Device::Cpu,
    )?;
    let p =
        if objs.is_empty() { Vec::new() } else { crate::learn::predict_proba(&model, &x, &device).map_err(lift)? };
    let class: Vec<f64> = p.iter().map(|q| (0..3).max_by(|&i, &j| q[i].total_cmp(&q[j])).unwrap_or(0) as f64).collect();
    cat.names.push("class".into());
    cat.columns.push(class);
    for (k, name) in crate::learn::CLASSES.iter().enumerate() {
        cat.names.push(format!("p_{name}"));
        cat.columns.push(p.iter().map(|q| f64::from(q[k])).collect());
    }
    write_catalog(out, &cat, &[("CLASSES".into(), "0 star, 1 galaxy, 2 artifact".into(), "class column".into())])?;
    let mut counts = [0usize; 3];
    for c in &cat.columns[cat.columns.len() - 4] {
        counts[*c as usize] += 1;
    }
    println!(
        "{} objects: {} stars, {} galaxies, {} artifacts -> {}",
        objs.len(),
        counts[0],
        counts[1],
        counts[2],
        out.display()
    );
    Ok(())
}
