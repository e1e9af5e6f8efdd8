//! Images people look at: the zscale display range (IRAF's `zscale`, as ds9 and astropy's
//! `ZScaleInterval`) and a PNG of the image with the detections drawn as ellipses.

use crate::extract::Object;

/// The display range `(z1, z2)` by IRAF's zscale: sort up to `samples` pixels taken evenly over
/// the image, fit a line to the sorted values with iterative 2.5-sigma rejection, and spread the
/// median by the slope divided by `contrast` (0.25), within the data range.
pub fn zscale(data: &[f64], samples: usize, contrast: f64) -> (f64, f64) {
    let finite: Vec<f64> = data.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() {
        return (0.0, 1.0);
    }
    let stride = (finite.len() / samples.max(1)).max(1);
    let mut s: Vec<f64> = finite.iter().step_by(stride).copied().collect();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    let (lo, hi) = (s[0], s[n - 1]);
    let centre = (n - 1) / 2;
    let median = if n % 2 == 1 { s[centre] } else { 0.5 * (s[centre] + s[centre + 1]) };
    let mut keep = vec![true; n];
    let mut slope = 0.0;
    for _ in 0..5 {
        let pts: Vec<(f64, f64)> = (0..n).filter(|&i| keep[i]).map(|i| (i as f64, s[i])).collect();
        if pts.len() < n / 2 || pts.len() < 5 {
            break;
        }
        let m = pts.len() as f64;
        let (sx, sy) = pts.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1));
        let (mx, my) = (sx / m, sy / m);
        let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
        let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
        let intercept = my - slope * mx;
        let resid: Vec<f64> = (0..n).map(|i| s[i] - (intercept + slope * i as f64)).collect();
        let sd = (pts.iter().map(|p| (p.1 - intercept - slope * p.0).powi(2)).sum::<f64>() / m).sqrt();
        let before = keep.iter().filter(|&&k| k).count();
        for i in 0..n {
            keep[i] = resid[i].abs() <= 2.5 * sd;
        }
        if keep.iter().filter(|&&k| k).count() == before {
            break;
        }
    }
    let slope = slope / contrast;
    let z1 = (median - centre as f64 * slope).max(lo);
    let z2 = (median + (n - 1 - centre) as f64 * slope).min(hi);
    if z2 > z1 { (z1, z2) } else { (lo, hi.max(lo + 1.0)) }
}

/// An RGB rendering (north up: row 0 of the image at the bottom) of `data` in the zscale range,
/// enlarged by `scale`, with each object's ellipse (`r` times its a, b) drawn in red.
pub fn overlay(data: &[f64], w: usize, h: usize, objects: &[Object], r: f64, scale: usize) -> (Vec<u8>, usize, usize) {
    let (z1, z2) = zscale(data, 1000, 0.25);
    let (ow, oh) = (w * scale, h * scale);
    let mut rgb = vec![0u8; ow * oh * 3];
    for oy in 0..oh {
        let y = h - 1 - oy / scale;
        for ox in 0..ow {
            let v = data[y * w + ox / scale];
            let g = if v.is_nan() { 0 } else { (((v - z1) / (z2 - z1)).clamp(0.0, 1.0) * 255.0) as u8 };
            let k = (oy * ow + ox) * 3;
            rgb[k..k + 3].copy_from_slice(&[g, g, g]);
        }
    }
    for o in objects {
        let (a, b) = ((r * o.a).max(1.0), (r * o.b).max(1.0));
        let steps = ((a * scale as f64) * 8.0).ceil() as usize + 16;
        let (st, ct) = o.theta.sin_cos();
        for k in 0..steps {
            let phi = 2.0 * std::f64::consts::PI * k as f64 / steps as f64;
            let (u, v) = (a * phi.cos(), b * phi.sin());
            let (x, y) = (o.x + u * ct - v * st, o.y + u * st + v * ct);
            let px = ((x + 0.5) * scale as f64) as i64;
            let py = oh as i64 - 1 - ((y + 0.5) * scale as f64) as i64;
            if px >= 0 && py >= 0 && (px as usize) < ow && (py as usize) < oh {
                let i = (py as usize * ow + px as usize) * 3;
                rgb[i..i + 3].copy_from_slice(&[255, 40, 40]);
            }
        }
    }
    (rgb, ow, oh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zscale_of_a_ramp_and_of_outliers() {
        // A linear ramp 0..999: the fitted slope is 1, so z1/z2 = median -+ 500 / 0.25, clipped
        // to the data range.
        let ramp: Vec<f64> = (0..1000).map(f64::from).collect();
        assert_eq!(zscale(&ramp, 1000, 0.25), (0.0, 999.0));
        // Gaussian-like sky with a few huge stars: the range stays near the sky, not the stars.
        let mut sky: Vec<f64> = (0..10_000).map(|i| 100.0 + ((i * 7919) % 101) as f64 / 10.0 - 5.0).collect();
        for v in sky.iter_mut().step_by(500) {
            *v = 50_000.0;
        }
        let (z1, z2) = zscale(&sky, 1000, 0.25);
        assert!(z1 >= 94.9 && z2 <= 200.0 && z2 > z1, "{z1} {z2}");
    }
}
