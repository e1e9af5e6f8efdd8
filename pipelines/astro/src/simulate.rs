//! Simulated sky images with a truth catalog: stars (Moffat PSF), galaxies (elliptical Sérsic
//! profiles convolved with the PSF), cosmic-ray tracks and hot pixels, on a flat sky with Poisson
//! noise (through the gain) and Gaussian read noise. Seeded: the same configuration gives the same
//! image.
//!
//! Profiles: Moffat (1969) `I(r) ∝ (1 + r²/α²)^-β` with `α = FWHM / (2 sqrt(2^(1/β) - 1))`;
//! Sérsic (1963) `I(r) ∝ exp(-b_n ((r/r_e)^(1/n) - 1))` with Ciotti & Bertin's (1999) expansion
//! of `b_n`. Every source is rendered on a 5x5 sub-pixel grid and normalised to its total flux.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, Poisson};

/// Settings of a simulated field.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SimConfig {
    /// Image width (pixels).
    pub width: usize,
    /// Image height.
    pub height: usize,
    /// Stars.
    pub stars: usize,
    /// Galaxies.
    pub galaxies: usize,
    /// Cosmic-ray tracks.
    pub cosmic_rays: usize,
    /// Hot pixels.
    pub hot_pixels: usize,
    /// Sky level (ADU per pixel).
    pub sky: f64,
    /// Gain (electrons per ADU).
    pub gain: f64,
    /// Read noise (electrons).
    pub read_noise: f64,
    /// PSF full width at half maximum (pixels).
    pub fwhm: f64,
    /// Moffat β.
    pub beta: f64,
    /// Source fluxes are drawn log-uniformly in `[flux_min, flux_max]` (ADU).
    pub flux_min: f64,
    /// Upper flux bound.
    pub flux_max: f64,
    /// Galaxy effective radii are drawn uniformly in this range (pixels).
    pub re_range: (f64, f64),
    /// Sérsic indices are drawn uniformly in this range.
    pub sersic_range: (f64, f64),
    /// Seed.
    pub seed: u64,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            width: 512,
            height: 512,
            stars: 150,
            galaxies: 60,
            cosmic_rays: 15,
            hot_pixels: 15,
            sky: 200.0,
            gain: 2.0,
            read_noise: 5.0,
            fwhm: 3.0,
            beta: 3.0,
            flux_min: 150.0,
            flux_max: 150_000.0,
            re_range: (2.0, 6.0),
            sersic_range: (0.7, 4.0),
            seed: 1,
        }
    }
}

/// What a truth entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A point source.
    Star,
    /// An extended source.
    Galaxy,
    /// A cosmic-ray track (not convolved with the PSF).
    CosmicRay,
    /// A single hot pixel.
    HotPixel,
}

impl SourceKind {
    /// The classifier's class: star 0, galaxy 1, artifact (cosmic ray, hot pixel) 2.
    pub fn class(self) -> usize {
        match self {
            SourceKind::Star => 0,
            SourceKind::Galaxy => 1,
            SourceKind::CosmicRay | SourceKind::HotPixel => 2,
        }
    }
}

/// One truth entry.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TruthSource {
    /// Kind.
    pub kind: SourceKind,
    /// Centre, 0-based pixels.
    pub x: f64,
    /// Centre row.
    pub y: f64,
    /// Total flux (ADU).
    pub flux: f64,
    /// Expected signal-to-noise in an optimal aperture (see [`expected_snr`]).
    pub snr: f64,
    /// Effective radius (galaxies) or FWHM/2 (stars), pixels; track length for cosmic rays.
    pub size: f64,
    /// Axis ratio b/a (1 for stars).
    pub axis_ratio: f64,
    /// Position angle (radians).
    pub theta: f64,
}

/// `b_n` of a Sérsic profile (Ciotti & Bertin 1999, asymptotic series: within 1e-4 of the exact
/// root for n >= 1, 1e-6 for n >= 4).
pub fn sersic_b(n: f64) -> f64 {
    2.0 * n - 1.0 / 3.0 + 4.0 / (405.0 * n) + 46.0 / (25_515.0 * n * n) + 131.0 / (1_148_175.0 * n * n * n)
        - 2_194_697.0 / (30_690_717_750.0 * n.powi(4))
}

/// Moffat α for a FWHM and β.
pub fn moffat_alpha(fwhm: f64, beta: f64) -> f64 {
    fwhm / (2.0 * (2f64.powf(1.0 / beta) - 1.0).sqrt())
}

/// Signal-to-noise of a source of `flux` ADU measured with a matched (PSF-weighted) filter on a
/// background of `sky` ADU: `F / sqrt(F/g + A (sky/g + (rn/g)^2))` with `A = 4πσ²` the noise-
/// equivalent area of a Gaussian of the same FWHM (σ = FWHM / 2.3548), grown by `size` for galaxies.
pub fn expected_snr(flux: f64, cfg: &SimConfig, extra_radius: f64) -> f64 {
    let sigma = cfg.fwhm / 2.3548 + extra_radius;
    let area = 4.0 * std::f64::consts::PI * sigma * sigma;
    let var_pix = cfg.sky / cfg.gain + (cfg.read_noise / cfg.gain).powi(2);
    flux / (flux / cfg.gain + area * var_pix).sqrt()
}

const SUB: usize = 5;

/// Adds a profile `f(dx, dy)` (unnormalised) centred at (`x`, `y`) with total `flux` to `img`,
/// over the box of half-size `reach`.
fn add_profile(
    img: &mut [f64],
    (w, h): (usize, usize),
    x: f64,
    y: f64,
    reach: f64,
    flux: f64,
    f: impl Fn(f64, f64) -> f64,
) {
    let (x0, x1) = (((x - reach).floor().max(0.0)) as usize, ((x + reach).ceil().min(w as f64 - 1.0)) as usize);
    let (y0, y1) = (((y - reach).floor().max(0.0)) as usize, ((y + reach).ceil().min(h as f64 - 1.0)) as usize);
    let mut stamp = vec![0.0; (x1 - x0 + 1) * (y1 - y0 + 1)];
    let mut total = 0.0;
    let sw = x1 - x0 + 1;
    for py in y0..=y1 {
        for px in x0..=x1 {
            let mut s = 0.0;
            for sy in 0..SUB {
                for sx in 0..SUB {
                    let dx = px as f64 - 0.5 + (sx as f64 + 0.5) / SUB as f64 - x;
                    let dy = py as f64 - 0.5 + (sy as f64 + 0.5) / SUB as f64 - y;
                    s += f(dx, dy);
                }
            }
            stamp[(py - y0) * sw + px - x0] = s;
            total += s;
        }
    }
    // Normalise to the flux the profile would have without the image edge: use the analytic
    // integral where it is known is overkill; the box is wide enough that truncation is < 1e-3.
    if total > 0.0 {
        for py in y0..=y1 {
            for px in x0..=x1 {
                img[py * w + px] += flux * stamp[(py - y0) * sw + px - x0] / total;
            }
        }
    }
}

/// Simulates a field: the image (ADU, sky included) and the truth catalog.
pub fn simulate(cfg: &SimConfig) -> (Vec<f64>, Vec<TruthSource>) {
    let (w, h) = (cfg.width, cfg.height);
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let mut img = vec![0.0; w * h];
    let mut truth = Vec::new();
    let margin = 3.0;
    let pos = |rng: &mut ChaCha8Rng| {
        (rng.random_range(margin..w as f64 - margin), rng.random_range(margin..h as f64 - margin))
    };
    let log_flux = |rng: &mut ChaCha8Rng| (rng.random_range(cfg.flux_min.ln()..cfg.flux_max.ln())).exp();
    let alpha = moffat_alpha(cfg.fwhm, cfg.beta);
    let moffat = |dx: f64, dy: f64| (1.0 + (dx * dx + dy * dy) / (alpha * alpha)).powf(-cfg.beta);
    let psf_reach = 4.0 * cfg.fwhm;
    for _ in 0..cfg.stars {
        let (x, y) = pos(&mut rng);
        let flux = log_flux(&mut rng);
        add_profile(&mut img, (w, h), x, y, psf_reach, flux, moffat);
        let snr = expected_snr(flux, cfg, 0.0);
        truth.push(TruthSource {
            kind: SourceKind::Star,
            x,
            y,
            flux,
            snr,
            size: cfg.fwhm / 2.0,
            axis_ratio: 1.0,
            theta: 0.0,
        });
    }
    for _ in 0..cfg.galaxies {
        let (x, y) = pos(&mut rng);
        let flux = log_flux(&mut rng);
        let re = rng.random_range(cfg.re_range.0..cfg.re_range.1);
        let n = rng.random_range(cfg.sersic_range.0..cfg.sersic_range.1);
        let q = rng.random_range(0.3..1.0);
        let theta = rng.random_range(0.0..std::f64::consts::PI);
        let b = sersic_b(n);
        let (s, c) = theta.sin_cos();
        // PSF-convolved Sérsic: render the galaxy on a stamp, convolve with the PSF stamp, add.
        let reach = (5.0 * re).min(40.0) + psf_reach;
        let size = (2.0 * reach).ceil() as usize + 1;
        let half = (size / 2) as f64;
        let mut gal = vec![0.0; size * size];
        let (fx, fy) = (x - x.floor(), y - y.floor());
        add_profile(&mut gal, (size, size), half + fx, half + fy, reach - psf_reach, 1.0, |dx, dy| {
            let u = c * dx + s * dy;
            let v = (-s * dx + c * dy) / q;
            let r = (u * u + v * v).sqrt();
            (-b * ((r / re).powf(1.0 / n) - 1.0)).exp()
        });
        let k = (2.0 * psf_reach).ceil() as usize | 1;
        let kh = (k / 2) as i64;
        let mut ker = vec![0.0; k * k];
        add_profile(&mut ker, (k, k), kh as f64, kh as f64, psf_reach, 1.0, moffat);
        let (gx0, gy0) = (x.floor() as i64 - half as i64, y.floor() as i64 - half as i64);
        for gy in 0..size as i64 {
            for gx in 0..size as i64 {
                let (ix, iy) = (gx0 + gx, gy0 + gy);
                if ix < 0 || iy < 0 || ix >= w as i64 || iy >= h as i64 {
                    continue;
                }
                let mut acc = 0.0;
                for ky in -kh..=kh {
                    let sy = gy - ky;
                    if sy < 0 || sy >= size as i64 {
                        continue;
                    }
                    for kx in -kh..=kh {
                        let sx = gx - kx;
                        if sx < 0 || sx >= size as i64 {
                            continue;
                        }
                        acc += gal[(sy as usize) * size + sx as usize]
                            * ker[((ky + kh) as usize) * k + (kx + kh) as usize];
                    }
                }
                img[iy as usize * w + ix as usize] += flux * acc;
            }
        }
        let snr = expected_snr(flux, cfg, re * q.sqrt());
        truth.push(TruthSource { kind: SourceKind::Galaxy, x, y, flux, snr, size: re, axis_ratio: q, theta });
    }
    for _ in 0..cfg.cosmic_rays {
        let (x, y) = pos(&mut rng);
        let len = rng.random_range(2.0..12.0f64);
        let theta = rng.random_range(0.0..std::f64::consts::PI);
        let amp = rng.random_range(20.0..200.0) * (cfg.sky / cfg.gain).sqrt();
        let steps = (len * 3.0).ceil() as usize;
        let mut total = 0.0;
        for k in 0..=steps {
            let t = k as f64 / steps as f64 - 0.5;
            let (px, py) = ((x + t * len * theta.cos()).round(), (y + t * len * theta.sin()).round());
            if px >= 0.0 && py >= 0.0 && (px as usize) < w && (py as usize) < h {
                img[py as usize * w + px as usize] += amp / 3.0;
                total += amp / 3.0;
            }
        }
        truth.push(TruthSource {
            kind: SourceKind::CosmicRay,
            x,
            y,
            flux: total,
            snr: f64::INFINITY,
            size: len,
            axis_ratio: 0.0,
            theta,
        });
    }
    for _ in 0..cfg.hot_pixels {
        let (x, y) = (rng.random_range(0..w), rng.random_range(0..h));
        let amp = rng.random_range(30.0..300.0) * (cfg.sky / cfg.gain).sqrt();
        img[y * w + x] += amp;
        truth.push(TruthSource {
            kind: SourceKind::HotPixel,
            x: x as f64,
            y: y as f64,
            flux: amp,
            snr: f64::INFINITY,
            size: 0.5,
            axis_ratio: 1.0,
            theta: 0.0,
        });
    }
    // Sky, Poisson noise in electrons, read noise.
    let read = Normal::new(0.0, cfg.read_noise / cfg.gain).expect("read noise is finite");
    for v in img.iter_mut() {
        let electrons = (*v + cfg.sky).max(0.0) * cfg.gain;
        let counted = if electrons > 0.0 {
            Poisson::new(electrons).map(|p| p.sample(&mut rng)).unwrap_or(electrons)
        } else {
            0.0
        };
        *v = counted / cfg.gain + read.sample(&mut rng);
    }
    (img, truth)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sersic_b_and_moffat_alpha_known_values() {
        // b_1 = 1.67834699 (exponential disk), b_4 = 7.66924944 (de Vaucouleurs), from the exact
        // root of gamma(2n, b) = Γ(2n)/2.
        assert!((sersic_b(1.0) - 1.678_346_99).abs() < 1e-4);
        assert!((sersic_b(4.0) - 7.669_249_44).abs() < 1e-6);
        // Moffat half maximum at r = FWHM/2: (1 + (FWHM/2α)²)^-β = 1/2.
        let (fwhm, beta) = (3.0, 2.5);
        let a = moffat_alpha(fwhm, beta);
        assert!(((1.0 + (fwhm / 2.0 / a).powi(2)).powf(-beta) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn noiseless_fluxes_add_up_and_the_same_seed_gives_the_same_field() {
        let cfg = SimConfig {
            width: 96,
            height: 96,
            stars: 3,
            galaxies: 2,
            cosmic_rays: 0,
            hot_pixels: 0,
            gain: 1e9,
            read_noise: 0.0,
            sky: 0.0,
            seed: 3,
            ..Default::default()
        };
        let (img, truth) = simulate(&cfg);
        // Noise is negligible at this gain, so the image sums to the truth fluxes (minus what falls
        // off the edge for sources near it).
        let total: f64 = img.iter().sum();
        let want: f64 = truth.iter().map(|t| t.flux).sum();
        assert!((total - want).abs() / want < 0.02, "{total} vs {want}");
        let (again, truth2) = simulate(&cfg);
        assert_eq!(img, again);
        assert_eq!(truth, truth2);
        let other = simulate(&SimConfig { seed: 4, ..cfg }).0;
        assert_ne!(img, other);
    }

    #[test]
    fn sky_noise_has_the_poisson_plus_read_variance() {
        let cfg = SimConfig {
            width: 200,
            height: 200,
            stars: 0,
            galaxies: 0,
            cosmic_rays: 0,
            hot_pixels: 0,
            ..Default::default()
        };
        let (img, _) = simulate(&cfg);
        let n = img.len() as f64;
        let mean = img.iter().sum::<f64>() / n;
        let var = img.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        // sky/g + (rn/g)^2 = 100 + 6.25.
        assert!((mean - 200.0).abs() < 0.1, "{mean}");
        assert!((var - 106.25).abs() / 106.25 < 0.02, "{var}");
    }
}
