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

fn write_png(path: &Path, w: u32, h: u32, rgb: &[u8]) -> Result<()> {
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

/// A line chart of several series.
pub fn line_chart(path: &Path, title: &str, x_label: &str, y_label: &str, series: &[Series]) -> Result<()> {
    ensure_font()?;
    let (w, h) = (800u32, 500u32);
    let mut buf = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE)?;
        let pts = series.iter().flat_map(|s| s.points.iter());
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(x, y) in pts.filter(|p| p.0.is_finite() && p.1.is_finite()) {
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
        for (i, s) in series.iter().enumerate() {
            let c = Palette99::pick(i).to_rgba();
            chart
                .draw_series(LineSeries::new(s.points.iter().copied(), c.stroke_width(2)))?
                .label(s.label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
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
