//! PNG plots for reports: line charts (loss curves, metrics by epoch) and a confusion-matrix heat map.
//!
//! Text uses the DejaVu Sans font from Debian's `fonts-dejavu-core` (installed by `make`); plots are
//! rendered into memory and written through a temporary file.

use anyhow::{Context, Result};
use plotters::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

const FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
];

fn ensure_font() -> Result<()> {
    static FONT: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    FONT.get_or_init(|| {
        let bytes = FONT_PATHS
            .iter()
            .find_map(|p| std::fs::read(p).ok())
            .ok_or_else(|| format!("no DejaVuSans.ttf in {FONT_PATHS:?} (install Debian's fonts-dejavu-core)"))?;
        let leaked: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        plotters::style::register_font("sans-serif", FontStyle::Normal, leaked)
            .map_err(|_| "DejaVuSans.ttf is not a valid font".to_string())
    })
    .clone()
    .map_err(anyhow::Error::msg)
}

/// Writes an 8-bit RGB buffer (`w` x `h`, row-major) as a PNG, atomically.
pub fn write_png(path: &Path, w: u32, h: u32, rgb: &[u8]) -> Result<()> {
    let mut encoded = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut encoded, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.write_header()?.write_image_data(rgb).with_context(|| format!("encoding {}", path.display()))?;
    }
    scidl_core::fs::write_atomic(path, &encoded)?;
    Ok(())
}

/// One named series of (x, y) points.
pub struct Series<'a> {
    /// Legend label.
    pub label: &'a str,
    /// Points.
    pub points: Vec<(f64, f64)>,
}

/// A shaded band between a lower and an upper line (e.g. a prediction interval).
pub struct Band<'a> {
    /// Legend label.
    pub label: &'a str,
    /// Points `(x, lower, upper)`, in x order.
    pub points: Vec<(f64, f64, f64)>,
}

/// Points drawn as markers without lines (e.g. flagged anomalies).
pub struct Markers<'a> {
    /// Legend label.
    pub label: &'a str,
    /// Points.
    pub points: Vec<(f64, f64)>,
}

/// A line chart of several series.
pub fn line_chart(path: &Path, title: &str, x_label: &str, y_label: &str, series: &[Series]) -> Result<()> {
    chart(path, title, x_label, y_label, series, &[], &[])
}

/// A chart of lines over shaded bands, with marker sets on top (colours: bands and lines share
/// one palette in order, markers use the palette from the end).
pub fn chart(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    bands: &[Band],
    markers: &[Markers],
) -> Result<()> {
    ensure_font()?;
    let (w, h) = (900u32, 500u32);
    let mut buf = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE)?;
        let line_pts = series.iter().flat_map(|s| s.points.iter().copied());
        let band_pts = bands.iter().flat_map(|b| b.points.iter().flat_map(|&(x, lo, hi)| [(x, lo), (x, hi)]));
        let marker_pts = markers.iter().flat_map(|m| m.points.iter().copied());
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for (x, y) in line_pts.chain(band_pts).chain(marker_pts).filter(|p| p.0.is_finite() && p.1.is_finite()) {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        if x0 > x1 {
            (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
        }
        let pad = ((y1 - y0) * 0.05).max(1e-9);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1.max(x0 + 1e-9), (y0 - pad)..(y1 + pad))?;
        chart.configure_mesh().x_desc(x_label).y_desc(y_label).label_style(("sans-serif", 14)).draw()?;
        for (i, b) in bands.iter().enumerate() {
            let c = Palette99::pick(series.len() + i).to_rgba();
            let mut poly: Vec<(f64, f64)> = b.points.iter().map(|&(x, lo, _)| (x, lo)).collect();
            poly.extend(b.points.iter().rev().map(|&(x, _, hi)| (x, hi)));
            chart
                .draw_series(std::iter::once(Polygon::new(poly, c.mix(0.25).filled())))?
                .label(b.label)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], c.mix(0.25).filled()));
        }
        for (i, s) in series.iter().enumerate() {
            let c = Palette99::pick(i).to_rgba();
            chart
                .draw_series(LineSeries::new(s.points.iter().copied().filter(|p| p.1.is_finite()), c.stroke_width(2)))?
                .label(s.label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
        }
        for (i, m) in markers.iter().enumerate() {
            let c = if i == 0 { RED.to_rgba() } else { Palette99::pick(98 - i).to_rgba() };
            chart
                .draw_series(m.points.iter().map(|&p| Circle::new(p, 4, c.filled())))?
                .label(m.label)
                .legend(move |(x, y)| Circle::new((x + 10, y), 4, c.filled()));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font(("sans-serif", 14))
            .draw()?;
        root.present()?;
    }
    write_png(path, w, h, &buf)
}

/// A confusion-matrix heat map (rows = true class, columns = predicted), cells annotated with counts.
pub fn confusion_heatmap(path: &Path, title: &str, labels: &[String], matrix: &[Vec<u64>]) -> Result<()> {
    ensure_font()?;
    let n = matrix.len();
    let (w, h) = (760u32, 720u32);
    let mut buf = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(90)
            .y_label_area_size(110)
            .build_cartesian_2d((0..n.max(1) - 1).into_segmented(), (0..n.max(1) - 1).into_segmented())?;
        // Row r (true class) is drawn at y = n - 1 - r so class 0 is on top.
        let name = |v: &SegmentValue<usize>, flip: bool| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) if *i < n => {
                let k = if flip { n - 1 - *i } else { *i };
                labels.get(k).cloned().unwrap_or_else(|| k.to_string())
            }
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(n)
            .y_labels(n)
            .x_desc("predicted")
            .y_desc("true")
            .x_label_formatter(&|v| name(v, false))
            .y_label_formatter(&|v| name(v, true))
            .label_style(("sans-serif", 13))
            .draw()?;
        let row_max: Vec<u64> = matrix.iter().map(|r| r.iter().sum::<u64>().max(1)).collect();
        chart.draw_series(matrix.iter().enumerate().flat_map(|(r, row)| {
            let rm = row_max[r];
            row.iter().enumerate().map(move |(c, &v)| {
                let t = v as f64 / rm as f64;
                let shade = (255.0 * (1.0 - 0.8 * t)) as u8;
                Rectangle::new(
                    [
                        (SegmentValue::Exact(c), SegmentValue::Exact(n - 1 - r)),
                        (SegmentValue::Exact(c + 1), SegmentValue::Exact(n - r)),
                    ],
                    RGBColor(shade, shade, 255).filled(),
                )
            })
        }))?;
        chart.draw_series(matrix.iter().enumerate().flat_map(|(r, row)| {
            row.iter().enumerate().map(move |(c, &v)| {
                let style = ("sans-serif", 14).into_font().color(&BLACK).pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Center,
                ));
                Text::new(v.to_string(), (SegmentValue::CenterOf(c), SegmentValue::CenterOf(n - 1 - r)), style)
            })
        }))?;
        root.present()?;
    }
    write_png(path, w, h, &buf)
}
