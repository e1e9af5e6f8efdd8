//! Celestial WCS for gnomonic (TAN) images (Greisen & Calabretta 2002, Calabretta & Greisen 2002):
//! pixel <-> (RA, Dec) from `CRPIX`, `CRVAL`, and `CD` or `CDELT` + `PC` (or the older `CROTA2`).
//!
//! Pixels are 0-based (numpy/SEP convention: the centre of the first pixel is (0, 0)); FITS's
//! 1-based `CRPIX` is converted inside. Angles are degrees. `LONPOLE` defaults to 180°, the
//! native longitude of the celestial pole for a zenithal projection whose reference point is not a
//! pole. Distortion conventions (SIP, TPV) are refused rather than ignored.

use crate::fits::Header;

/// A TAN world coordinate system.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TanWcs {
    /// Reference pixel, 1-based (as in the header).
    pub crpix: [f64; 2],
    /// Reference RA and Dec (degrees).
    pub crval: [f64; 2],
    /// Linear transform from pixel offsets to intermediate coordinates (degrees per pixel).
    pub cd: [[f64; 2]; 2],
    /// Native longitude of the celestial pole (degrees).
    pub lonpole: f64,
}

impl TanWcs {
    /// The WCS of a header, `Ok(None)` when the header has no celestial WCS, or an error naming the
    /// keyword that makes it unusable (a projection other than TAN, a singular matrix, SIP terms).
    pub fn from_header(h: &Header) -> Result<Option<TanWcs>, String> {
        let (Some(c1), Some(c2)) = (h.text("CTYPE1"), h.text("CTYPE2")) else {
            return Ok(None);
        };
        if !(c1.starts_with("RA--") || c1.starts_with("GLON")) || !(c2.starts_with("DEC-") || c2.starts_with("GLAT")) {
            return Ok(None);
        }
        if c1.ends_with("-SIP") || c2.ends_with("-SIP") || c1.ends_with("-TPV") {
            return Err(format!("CTYPE1 = '{c1}': distortion terms (SIP/TPV) are not supported"));
        }
        if !c1.ends_with("-TAN") || !c2.ends_with("-TAN") {
            return Err(format!("CTYPE1/2 = '{c1}'/'{c2}': only the TAN projection is supported"));
        }
        let num = |k: &str| h.number(k);
        let need = |k: &str| num(k).ok_or_else(|| format!("{k} is missing"));
        let crpix = [need("CRPIX1")?, need("CRPIX2")?];
        let crval = [need("CRVAL1")?, need("CRVAL2")?];
        let cd = if num("CD1_1").is_some() || num("CD2_2").is_some() {
            [
                [num("CD1_1").unwrap_or(0.0), num("CD1_2").unwrap_or(0.0)],
                [num("CD2_1").unwrap_or(0.0), num("CD2_2").unwrap_or(0.0)],
            ]
        } else {
            let (d1, d2) = (need("CDELT1")?, need("CDELT2")?);
            let pc = if num("PC1_1").is_some() || num("PC2_2").is_some() || num("PC1_2").is_some() {
                [
                    [num("PC1_1").unwrap_or(1.0), num("PC1_2").unwrap_or(0.0)],
                    [num("PC2_1").unwrap_or(0.0), num("PC2_2").unwrap_or(1.0)],
                ]
            } else if let Some(rot) = num("CROTA2") {
                let (s, c) = rot.to_radians().sin_cos();
                [[c, -s * d2 / d1], [s * d1 / d2, c]]
            } else {
                [[1.0, 0.0], [0.0, 1.0]]
            };
            [[d1 * pc[0][0], d1 * pc[0][1]], [d2 * pc[1][0], d2 * pc[1][1]]]
        };
        let det = cd[0][0] * cd[1][1] - cd[0][1] * cd[1][0];
        if det == 0.0 || !det.is_finite() {
            return Err("the CD (or CDELT x PC) matrix is singular".into());
        }
        let lonpole = num("LONPOLE").unwrap_or(if crval[1] >= 90.0 { 0.0 } else { 180.0 });
        Ok(Some(TanWcs { crpix, crval, cd, lonpole }))
    }

    /// (RA, Dec) in degrees of the 0-based pixel (x, y).
    pub fn pixel_to_world(&self, x: f64, y: f64) -> (f64, f64) {
        let (dx, dy) = (x + 1.0 - self.crpix[0], y + 1.0 - self.crpix[1]);
        let u = self.cd[0][0] * dx + self.cd[0][1] * dy;
        let v = self.cd[1][0] * dx + self.cd[1][1] * dy;
        // Native spherical coordinates of the gnomonic projection.
        let r = u.hypot(v);
        let phi = u.atan2(-v);
        let theta = (180.0 / std::f64::consts::PI).atan2(r);
        // Rotate to celestial coordinates.
        let (sd0, cd0) = self.crval[1].to_radians().sin_cos();
        let (st, ct) = theta.sin_cos();
        let dphi = phi - self.lonpole.to_radians();
        let dec = (st * sd0 + ct * cd0 * dphi.cos()).clamp(-1.0, 1.0).asin();
        let dra = (-ct * dphi.sin()).atan2(st * cd0 - ct * sd0 * dphi.cos());
        ((self.crval[0] + dra.to_degrees()).rem_euclid(360.0), dec.to_degrees())
    }

    /// The 0-based pixel of (RA, Dec) in degrees; NaN for points on the far hemisphere.
    pub fn world_to_pixel(&self, ra: f64, dec: f64) -> (f64, f64) {
        let (sd0, cd0) = self.crval[1].to_radians().sin_cos();
        let (sd, cdd) = dec.to_radians().sin_cos();
        let da = (ra - self.crval[0]).to_radians();
        // Direction cosines in the native frame: (l, m) across the sky, n = sin(theta) along the
        // reference direction. cos(theta) = |(l, m)| avoids the cancellation of sqrt(1 - n^2).
        let l = -cdd * da.sin();
        let m = sd * cd0 - cdd * sd0 * da.cos();
        let n = sd * sd0 + cdd * cd0 * da.cos();
        if n <= 0.0 {
            return (f64::NAN, f64::NAN);
        }
        let phi = self.lonpole.to_radians() + l.atan2(m);
        let r = (180.0 / std::f64::consts::PI) * l.hypot(m) / n;
        let (u, v) = (r * phi.sin(), -r * phi.cos());
        let det = self.cd[0][0] * self.cd[1][1] - self.cd[0][1] * self.cd[1][0];
        let dx = (self.cd[1][1] * u - self.cd[0][1] * v) / det;
        let dy = (-self.cd[1][0] * u + self.cd[0][0] * v) / det;
        (dx + self.crpix[0] - 1.0, dy + self.crpix[1] - 1.0)
    }

    /// Pixel scale in arcseconds (square root of the Jacobian's determinant).
    pub fn pixel_scale_arcsec(&self) -> f64 {
        (self.cd[0][0] * self.cd[1][1] - self.cd[0][1] * self.cd[1][0]).abs().sqrt() * 3600.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fits::{Card, Header};

    fn header(cards: &[(&str, &str)]) -> Header {
        Header {
            cards: cards
                .iter()
                .map(|(k, v)| Card { key: k.to_string(), value: Some(v.to_string()), comment: String::new() })
                .collect(),
        }
    }

    #[test]
    fn reference_pixel_maps_to_crval_and_back() {
        let h = header(&[
            ("CTYPE1", "RA---TAN"),
            ("CTYPE2", "DEC--TAN"),
            ("CRPIX1", "100.5"),
            ("CRPIX2", "50.0"),
            ("CRVAL1", "250.4"),
            ("CRVAL2", "36.46"),
            ("CDELT1", "-2.7778E-4"),
            ("CDELT2", "2.7778E-4"),
        ]);
        let w = TanWcs::from_header(&h).unwrap().unwrap();
        let (ra, dec) = w.pixel_to_world(99.5, 49.0);
        assert!((ra - 250.4).abs() < 1e-12 && (dec - 36.46).abs() < 1e-12);
        // One pixel north is 1" north (to first order), and round trips are exact to 1e-9 px.
        let (_, dec1) = w.pixel_to_world(99.5, 50.0);
        assert!(((dec1 - dec) * 3600.0 - 1.00001).abs() < 1e-3);
        for (x, y) in [(0.0, 0.0), (250.0, -30.0), (1000.0, 2000.0)] {
            let (a, d) = w.pixel_to_world(x, y);
            let (x2, y2) = w.world_to_pixel(a, d);
            assert!((x - x2).abs() < 1e-9 && (y - y2).abs() < 1e-9, "{x},{y} -> {x2},{y2}");
        }
        assert!((w.pixel_scale_arcsec() - 1.00001).abs() < 1e-4);
    }

    #[test]
    fn unsupported_projections_and_distortions_are_refused() {
        let sip = header(&[("CTYPE1", "RA---TAN-SIP"), ("CTYPE2", "DEC--TAN-SIP")]);
        assert!(TanWcs::from_header(&sip).unwrap_err().contains("SIP"));
        let sin = header(&[("CTYPE1", "RA---SIN"), ("CTYPE2", "DEC--SIN")]);
        assert!(TanWcs::from_header(&sin).unwrap_err().contains("TAN"));
        assert_eq!(TanWcs::from_header(&header(&[("CTYPE1", "LINEAR")])).unwrap(), None);
    }
}
