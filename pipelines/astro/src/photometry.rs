//! Aperture photometry with exact pixel overlap: circular and elliptical apertures, circular
//! annuli for a local background, flux errors from a per-pixel RMS (plus Poisson noise with a gain).
//!
//! Pixel `(i, j)` (column, row) covers `[i - 0.5, i + 0.5] x [j - 0.5, j + 0.5]` (0-based centres,
//! as SEP and photutils). The overlap of a circle with a pixel is exact: the circle-polygon
//! intersection area summed over the triangles the polygon's edges make with the centre. An ellipse
//! is mapped to the unit circle by its inverse shape matrix, which turns each pixel into a
//! parallelogram; the overlap is that circle-polygon area times the ellipse's area scale.

/// Signed area of the intersection of the disk of radius `r` at the origin with the triangle
/// (origin, `a`, `b`); positive when `a -> b` turns counter-clockwise.
fn disk_triangle(a: [f64; 2], b: [f64; 2], r: f64) -> f64 {
    let d = [b[0] - a[0], b[1] - a[1]];
    let (qa, qb, qc) =
        (d[0] * d[0] + d[1] * d[1], 2.0 * (a[0] * d[0] + a[1] * d[1]), a[0] * a[0] + a[1] * a[1] - r * r);
    let mut cuts = vec![0.0, 1.0];
    let disc = qb * qb - 4.0 * qa * qc;
    if qa > 0.0 && disc > 0.0 {
        let s = disc.sqrt();
        for t in [(-qb - s) / (2.0 * qa), (-qb + s) / (2.0 * qa)] {
            if t > 0.0 && t < 1.0 {
                cuts.push(t);
            }
        }
    }
    cuts.sort_by(f64::total_cmp);
    let at = |t: f64| [a[0] + t * d[0], a[1] + t * d[1]];
    let mut area = 0.0;
    for w in cuts.windows(2) {
        let (p, q) = (at(w[0]), at(w[1]));
        let m = at(0.5 * (w[0] + w[1]));
        let cross = p[0] * q[1] - p[1] * q[0];
        if m[0] * m[0] + m[1] * m[1] < r * r {
            area += 0.5 * cross;
        } else {
            let dot = p[0] * q[0] + p[1] * q[1];
            area += 0.5 * r * r * cross.atan2(dot);
        }
    }
    area
}

/// Area of the intersection of the disk of radius `r` at the origin with a convex polygon given
/// counter-clockwise.
fn disk_polygon(poly: &[[f64; 2]], r: f64) -> f64 {
    (0..poly.len()).map(|k| disk_triangle(poly[k], poly[(k + 1) % poly.len()], r)).sum()
}

/// Exact area of the pixel centred at (`px`, `py`) inside the circle of radius `r` at (`cx`, `cy`).
pub fn circle_pixel_overlap(cx: f64, cy: f64, r: f64, px: f64, py: f64) -> f64 {
    let (x0, y0, x1, y1) = (px - 0.5 - cx, py - 0.5 - cy, px + 0.5 - cx, py + 0.5 - cy);
    // Quick exits: far outside, fully inside.
    let nearest = |lo: f64, hi: f64| if lo <= 0.0 && hi >= 0.0 { 0.0 } else { lo.abs().min(hi.abs()) };
    let (nx, ny) = (nearest(x0, x1), nearest(y0, y1));
    if nx * nx + ny * ny >= r * r {
        return 0.0;
    }
    let fx = x0.abs().max(x1.abs());
    let fy = y0.abs().max(y1.abs());
    if fx * fx + fy * fy <= r * r {
        return 1.0;
    }
    disk_polygon(&[[x0, y0], [x1, y0], [x1, y1], [x0, y1]], r)
}

/// An elliptical aperture: semi-axes `a >= b` (pixels), `theta` the angle of `a` from the x axis
/// (radians, counter-clockwise), scaled by `r` (SEP's convention: the aperture is `r*a` by `r*b`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ellipse {
    /// Semi-major axis.
    pub a: f64,
    /// Semi-minor axis.
    pub b: f64,
    /// Position angle of the major axis (radians).
    pub theta: f64,
}

/// Exact area of the pixel at (`px`, `py`) inside the ellipse `e` scaled by `r`, centred at (`cx`, `cy`).
pub fn ellipse_pixel_overlap(cx: f64, cy: f64, e: &Ellipse, r: f64, px: f64, py: f64) -> f64 {
    let (s, c) = e.theta.sin_cos();
    let (ra, rb) = (r * e.a, r * e.b);
    // Map to the unit circle: rotate by -theta, divide by the semi-axes.
    let map = |x: f64, y: f64| {
        let (dx, dy) = (x - cx, y - cy);
        [(c * dx + s * dy) / ra, (-s * dx + c * dy) / rb]
    };
    let corners = [map(px - 0.5, py - 0.5), map(px + 0.5, py - 0.5), map(px + 0.5, py + 0.5), map(px - 0.5, py + 0.5)];
    // The map preserves orientation (positive determinant), so the polygon stays counter-clockwise.
    disk_polygon(&corners, 1.0) * ra * rb
}

/// A measured aperture sum.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ApertureSum {
    /// Background-subtracted sum of the pixels inside the aperture.
    pub flux: f64,
    /// Its 1-sigma error.
    pub flux_err: f64,
    /// Aperture area that fell on valid pixels.
    pub area: f64,
    /// Flags: 1 = the aperture reaches past the image edge, 2 = it covers masked (NaN) pixels.
    pub flag: u8,
}

/// Flag: the aperture is truncated by the image edge.
pub const APER_TRUNC: u8 = 1;
/// Flag: the aperture covers masked pixels (they are skipped).
pub const APER_HASMASKED: u8 = 2;

/// What an aperture measures on.
pub struct Frame<'a> {
    /// Pixels (background already subtracted or not), row-major.
    pub data: &'a [f64],
    /// Width.
    pub width: usize,
    /// Height.
    pub height: usize,
    /// Per-pixel background RMS (one value for all, or a map).
    pub rms: Rms<'a>,
    /// Detector gain in e-/ADU for the Poisson term (none: background noise only).
    pub gain: Option<f64>,
}

/// The noise of every pixel.
pub enum Rms<'a> {
    /// One RMS for the whole image.
    Global(f64),
    /// A map, row-major like the image.
    Map(&'a [f64]),
}

impl Frame<'_> {
    fn sum(&self, cx: f64, cy: f64, reach: f64, weight: impl Fn(f64, f64) -> f64) -> (f64, f64, f64, u8) {
        let (mut flux, mut var, mut area, mut flag) = (0.0, 0.0, 0.0, 0u8);
        let x0 = (cx - reach - 0.5).floor() as i64;
        let x1 = (cx + reach + 0.5).ceil() as i64;
        let y0 = (cy - reach - 0.5).floor() as i64;
        let y1 = (cy + reach + 0.5).ceil() as i64;
        for y in y0..=y1 {
            for x in x0..=x1 {
                let w = weight(x as f64, y as f64);
                if w <= 0.0 {
                    continue;
                }
                if x < 0 || y < 0 || x >= self.width as i64 || y >= self.height as i64 {
                    flag |= APER_TRUNC;
                    continue;
                }
                let i = y as usize * self.width + x as usize;
                let v = self.data[i];
                if v.is_nan() {
                    flag |= APER_HASMASKED;
                    continue;
                }
                let s = match self.rms {
                    Rms::Global(s) => s,
                    Rms::Map(m) => m[i],
                };
                flux += w * v;
                var += w * s * s;
                area += w;
            }
        }
        (flux, var, area, flag)
    }

    fn finish(&self, flux: f64, var: f64, area: f64, flag: u8) -> ApertureSum {
        let poisson = self.gain.map_or(0.0, |g| flux.max(0.0) / g);
        ApertureSum { flux, flux_err: (var + poisson).sqrt(), area, flag }
    }

    /// The sum in a circle of radius `r`, minus `bkg` per unit area if given.
    pub fn circle(&self, cx: f64, cy: f64, r: f64, bkg: Option<f64>) -> ApertureSum {
        let (f, v, a, flag) = self.sum(cx, cy, r, |x, y| circle_pixel_overlap(cx, cy, r, x, y));
        self.finish(f - bkg.unwrap_or(0.0) * a, v, a, flag)
    }

    /// The sum in the ellipse `e` scaled by `r`.
    pub fn ellipse(&self, cx: f64, cy: f64, e: &Ellipse, r: f64, bkg: Option<f64>) -> ApertureSum {
        let (f, v, a, flag) = self.sum(cx, cy, r * e.a, |x, y| ellipse_pixel_overlap(cx, cy, e, r, x, y));
        self.finish(f - bkg.unwrap_or(0.0) * a, v, a, flag)
    }

    /// Mean level per unit area in the annulus `r_in..r_out` (exact overlap weights), for a local
    /// background; `None` when the annulus has no valid pixel.
    pub fn annulus_mean(&self, cx: f64, cy: f64, r_in: f64, r_out: f64) -> Option<f64> {
        let (f, _, a, _) = self.sum(cx, cy, r_out, |x, y| {
            circle_pixel_overlap(cx, cy, r_out, x, y) - circle_pixel_overlap(cx, cy, r_in, x, y)
        });
        (a > 0.0).then(|| f / a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn overlaps_sum_to_the_aperture_area() {
        for &(cx, cy, r) in &[(10.0, 10.0, 3.0), (10.3, 9.71, 5.0), (7.5, 7.5, 0.7), (10.0, 10.0, 0.5)] {
            let mut sum = 0.0;
            for y in 0..25 {
                for x in 0..25 {
                    sum += circle_pixel_overlap(cx, cy, r, x as f64, y as f64);
                }
            }
            assert!((sum - PI * r * r).abs() < 1e-9, "r={r}: {sum}");
        }
        let e = Ellipse { a: 4.0, b: 1.5, theta: 0.6 };
        let mut sum = 0.0;
        for y in 0..30 {
            for x in 0..30 {
                sum += ellipse_pixel_overlap(14.2, 15.7, &e, 1.5, x as f64, y as f64);
            }
        }
        assert!((sum - PI * 6.0 * 2.25).abs() < 1e-9, "{sum}");
    }

    #[test]
    fn known_single_pixel_overlaps() {
        // A circle of radius 0.5 centred on a pixel lies inside it: pi/4.
        assert!((circle_pixel_overlap(0.0, 0.0, 0.5, 0.0, 0.0) - PI / 4.0).abs() < 1e-12);
        // Centred on a pixel corner, radius 1: a quarter of the disk falls in each of 4 pixels... but
        // each pixel is a unit square, so the share is the quarter disk clipped to it: pi/4.
        assert!((circle_pixel_overlap(0.5, 0.5, 1.0, 0.0, 0.0) - PI / 4.0).abs() < 1e-12);
        // Radius 0.6 from a pixel centre crosses the four edges but not the corners: the disk minus
        // four circular segments at distance 0.5, each r^2 acos(d/r) - d sqrt(r^2 - d^2).
        let (r, d) = (0.6f64, 0.5f64);
        let seg = r * r * (d / r).acos() - d * (r * r - d * d).sqrt();
        assert!((circle_pixel_overlap(3.0, 3.0, r, 3.0, 3.0) - (PI * r * r - 4.0 * seg)).abs() < 1e-12);
        assert_eq!(circle_pixel_overlap(3.0, 3.0, 0.75, 3.0, 3.0), 1.0);
        assert_eq!(circle_pixel_overlap(0.0, 0.0, 1.0, 5.0, 0.0), 0.0);
        assert_eq!(circle_pixel_overlap(0.0, 0.0, 10.0, 1.0, 1.0), 1.0);
    }

    #[test]
    fn flat_image_fluxes_errors_and_flags() {
        let (w, h) = (40, 40);
        let data = vec![2.0; w * h];
        let f = Frame { data: &data, width: w, height: h, rms: Rms::Global(0.5), gain: None };
        let s = f.circle(20.0, 20.0, 5.0, None);
        assert!((s.flux - 2.0 * PI * 25.0).abs() < 1e-9);
        assert!((s.flux_err - 0.5 * (PI * 25.0).sqrt()).abs() < 1e-9);
        assert_eq!(s.flag, 0);
        // A local background of 2 removes everything.
        let bkg = f.annulus_mean(20.0, 20.0, 6.0, 10.0).unwrap();
        assert!((bkg - 2.0).abs() < 1e-12);
        assert!(f.circle(20.0, 20.0, 5.0, Some(bkg)).flux.abs() < 1e-9);
        // Near the edge: truncated.
        assert_eq!(f.circle(1.0, 20.0, 5.0, None).flag & APER_TRUNC, APER_TRUNC);
        let mut holes = data.clone();
        holes[20 * w + 20] = f64::NAN;
        let g = Frame { data: &holes, width: w, height: h, rms: Rms::Global(0.5), gain: Some(4.0) };
        let s = g.circle(20.0, 20.0, 5.0, None);
        assert_eq!(s.flag, APER_HASMASKED);
        assert!((s.area - (PI * 25.0 - 1.0)).abs() < 1e-9);
        assert!((s.flux_err - (0.25 * s.area + s.flux / 4.0).sqrt()).abs() < 1e-9);
    }
}
