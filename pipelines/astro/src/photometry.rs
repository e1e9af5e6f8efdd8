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

/// SExtractor's windowed-position constants (SEP 1.4.1 `aperture.c`): at most 16 iterations, a
/// window of 4 sigma, a stop when a step moves less than 1e-4 px, and offsets doubled (exact for a
/// Gaussian profile).
const WIN_ITER_MAX: usize = 16;
const WIN_NSIG: f64 = 4.0;
const WIN_STEP_MIN: f64 = 1e-4;
const WIN_FAC: f64 = 2.0;

/// A windowed centroid (SExtractor's XWIN_IMAGE/YWIN_IMAGE).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Windowed {
    /// Centre, 0-based pixels.
    pub x: f64,
    /// Centre, 0-based pixels.
    pub y: f64,
    /// Iterations run.
    pub iterations: usize,
    /// [`APER_TRUNC`] and/or [`APER_HASMASKED`].
    pub flag: u8,
}

/// The pixel-index range `[lo, hi)` a box of half-width `r` about `c` covers, clipped to `0..n`, in
/// Source Extractor's rounding (`(int)(c - r + 0.5)` .. `(int)(c + r + 1.4999999)`), and whether it
/// was clipped.
fn box_range(c: f64, r: f64, n: usize) -> (usize, usize, bool) {
    // `as i64` truncates toward zero, as C's `(int)` does.
    let lo = (c - r + 0.5) as i64;
    let hi = (c + r + 1.4999999) as i64;
    let clipped = lo < 0 || hi > n as i64;
    (lo.clamp(0, n as i64) as usize, hi.clamp(0, n as i64) as usize, clipped)
}

/// Fraction of a pixel (offset `dx, dy` from the centre) inside radius `r`, sampled on a
/// `sub x sub` grid (Source Extractor's sub-pixel sampling).
fn sampled_overlap(dx: f64, dy: f64, r: f64, sub: usize) -> f64 {
    let scale = 1.0 / sub as f64;
    let offset = 0.5 * (scale - 1.0);
    let r2 = r * r;
    let mut n = 0usize;
    for sy in 0..sub {
        let yy = dy + offset + sy as f64 * scale;
        for sx in 0..sub {
            let xx = dx + offset + sx as f64 * scale;
            if xx * xx + yy * yy < r2 {
                n += 1;
            }
        }
    }
    n as f64 * scale * scale
}

impl Frame<'_> {
    /// Windowed centroid from a start position `(x, y)`: iterated Gaussian-weighted (sigma `sig`)
    /// first moments within `4 sig`, as Source Extractor's XWIN/YWIN (SEP's `winpos`). Pixels cut by
    /// the window edge are weighted by their sub-sampled overlap (`subpix` per side, SEP's default
    /// 11). NaN pixels count as the mean of the valid pixels in the window.
    pub fn windowed_position(&self, x: f64, y: f64, sig: f64, subpix: usize) -> Windowed {
        let (mut x, mut y) = (x, y);
        let r = WIN_NSIG * sig;
        let r_in2 = (r - 0.7072).max(0.0).powi(2);
        let r_out2 = (r + 0.7072).powi(2);
        let inv2s2 = 1.0 / (2.0 * sig * sig);
        let mut flag = 0u8;
        let mut iterations = 0;
        if sig.is_nan() || sig <= 0.0 || !x.is_finite() || !y.is_finite() {
            return Windowed { x, y, iterations, flag };
        }
        for _ in 0..WIN_ITER_MAX {
            iterations += 1;
            let (x0, x1, cx) = box_range(x, r, self.width);
            let (y0, y1, cy) = box_range(y, r, self.height);
            if cx || cy {
                flag |= APER_TRUNC;
            }
            let (mut tv, mut twv, mut dxp, mut dyp) = (0.0, 0.0, 0.0, 0.0);
            let (mut area, mut m_area, mut m_w, mut m_dx, mut m_dy) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for iy in y0..y1 {
                for ix in x0..x1 {
                    let (dx, dy) = (ix as f64 - x, iy as f64 - y);
                    let rp2 = dx * dx + dy * dy;
                    if rp2 >= r_out2 {
                        continue;
                    }
                    let overlap = if rp2 > r_in2 { sampled_overlap(dx, dy, r, subpix.max(1)) } else { 1.0 };
                    let weight = (-rp2 * inv2s2).exp();
                    let v = self.data[iy * self.width + ix];
                    if v.is_nan() {
                        flag |= APER_HASMASKED;
                        m_area += overlap;
                        m_w += overlap * weight;
                        m_dx += overlap * weight * dx;
                        m_dy += overlap * weight * dy;
                    } else {
                        tv += v * overlap;
                        let wv = v * overlap * weight;
                        twv += wv;
                        dxp += wv * dx;
                        dyp += wv * dy;
                    }
                    area += overlap;
                }
            }
            if m_area > 0.0 && area > m_area {
                let mean = tv / (area - m_area);
                twv += mean * m_w;
                dxp += mean * m_dx;
                dyp += mean * m_dy;
            }
            if twv.is_nan() || twv <= 0.0 {
                break;
            }
            let (sx, sy) = (dxp / twv, dyp / twv);
            x += sx * WIN_FAC;
            y += sy * WIN_FAC;
            if sx * sx + sy * sy < WIN_STEP_MIN * WIN_STEP_MIN {
                break;
            }
        }
        Windowed { x, y, iterations, flag }
    }

    /// Radii enclosing `fractions` of `total` (or of the flux within `rmax` when `None`): Source
    /// Extractor's FLUX_RADIUS (SEP's `flux_radius`). The flux is binned in 64 annuli out to `rmax`
    /// (pixels near a bin edge sub-sampled `subpix` per side, SEP's default 5), accumulated, and
    /// inverted by linear interpolation. NaN pixels are skipped and flagged.
    pub fn flux_radius(
        &self,
        cx: f64,
        cy: f64,
        rmax: f64,
        total: Option<f64>,
        fractions: &[f64],
        subpix: usize,
    ) -> (Vec<f64>, u8) {
        const BINS: usize = 64;
        let mut sum = [0.0f64; BINS];
        let mut flag = 0u8;
        if rmax.is_nan() || rmax <= 0.0 || !cx.is_finite() || !cy.is_finite() {
            return (vec![0.0; fractions.len()], flag);
        }
        let step = rmax / BINS as f64;
        let r_out = rmax + 1.5;
        let (x0, x1, clx) = box_range(cx, r_out, self.width);
        let (y0, y1, cly) = box_range(cy, r_out, self.height);
        if clx || cly {
            flag |= APER_TRUNC;
        }
        let sub = subpix.max(1);
        let scale = 1.0 / sub as f64;
        let offset = 0.5 * (scale - 1.0);
        for iy in y0..y1 {
            for ix in x0..x1 {
                let (dx, dy) = (ix as f64 - cx, iy as f64 - cy);
                let rp = (dx * dx + dy * dy).sqrt();
                if rp >= r_out {
                    continue;
                }
                let v = self.data[iy * self.width + ix];
                if v.is_nan() {
                    flag |= APER_HASMASKED;
                    continue;
                }
                let d = rp % step;
                if d < 0.7072 || d > step - 0.7072 {
                    for sy in 0..sub {
                        let yy = dy + offset + sy as f64 * scale;
                        for sx in 0..sub {
                            let xx = dx + offset + sx as f64 * scale;
                            let j = ((xx * xx + yy * yy).sqrt() / step) as usize;
                            if j < BINS {
                                sum[j] += scale * scale * v;
                            }
                        }
                    }
                } else {
                    let j = (rp / step) as usize;
                    if j < BINS {
                        sum[j] += v;
                    }
                }
            }
        }
        for i in 1..BINS {
            sum[i] += sum[i - 1];
        }
        let total = total.unwrap_or(sum[BINS - 1]);
        let radii = fractions
            .iter()
            .map(|&f| {
                let target = f * total;
                // `s >= target` that also stops at a NaN target, as Source Extractor's loop does.
                let i =
                    sum.iter().position(|&s| s.partial_cmp(&target) != Some(std::cmp::Ordering::Less)).unwrap_or(BINS);
                if i == 0 {
                    if target <= 0.0 || sum[0] == 0.0 { 0.0 } else { step * target / sum[0] }
                } else if i == BINS {
                    rmax
                } else {
                    // sum[i - 1] is the flux within radius step * i.
                    step * (i as f64 + (target - sum[i - 1]) / (sum[i] - sum[i - 1]))
                }
            })
            .collect();
        (radii, flag)
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

    /// A circular Gaussian of sigma 2 centred off the pixel grid: the windowed centroid converges to
    /// its centre (exact for a Gaussian, hence SExtractor's factor 2), and the radii enclosing 50 %
    /// and 90 % of the total flux 2 pi sigma^2 A are sigma sqrt(2 ln 2) and sigma sqrt(2 ln 10).
    #[test]
    fn gaussian_windowed_centre_and_half_light_radius() {
        let (w, h, s, amp) = (48usize, 48usize, 2.0f64, 100.0f64);
        let (cx, cy) = (23.37, 20.81);
        let data: Vec<f64> = (0..w * h)
            .map(|i| {
                let (x, y) = ((i % w) as f64 - cx, (i / w) as f64 - cy);
                amp * (-(x * x + y * y) / (2.0 * s * s)).exp()
            })
            .collect();
        let f = Frame { data: &data, width: w, height: h, rms: Rms::Global(1.0), gain: None };
        let win = f.windowed_position(cx.round() + 0.4, cy.round() - 0.3, s, 11);
        assert!((win.x - cx).abs() < 2e-3 && (win.y - cy).abs() < 2e-3, "{win:?}");
        assert!(win.iterations > 1 && win.iterations <= WIN_ITER_MAX && win.flag == 0, "{win:?}");
        let total = 2.0 * PI * s * s * amp;
        let (r, flag) = f.flux_radius(cx, cy, 12.0, Some(total), &[0.5, 0.9], 5);
        assert_eq!(flag, 0);
        // The image samples the profile at pixel centres and the aperture spreads each pixel's value
        // over its square, which widens the profile by the variance of a unit box, 1/12 per axis.
        let s_eff = (s * s + 1.0 / 12.0).sqrt();
        let half = s_eff * (2.0 * 2f64.ln()).sqrt();
        let r90 = s_eff * (2.0 * 10f64.ln()).sqrt();
        assert!((r[0] - half).abs() < 0.01 && (r[1] - r90).abs() < 0.01, "{r:?} vs {half}, {r90}");
        // A NaN pixel in the window is filled with the window's mean and flagged; the edge truncates.
        let mut holes = data.clone();
        holes[21 * w + 25] = f64::NAN;
        let g = Frame { data: &holes, width: w, height: h, rms: Rms::Global(1.0), gain: None };
        assert_eq!(g.windowed_position(cx, cy, s, 11).flag, APER_HASMASKED);
        assert_eq!(f.flux_radius(2.0, 2.0, 6.0, None, &[0.5], 5).1, APER_TRUNC);
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
