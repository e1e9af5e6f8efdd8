//! Source detection as Source Extractor and SEP do it: filter the background-subtracted image
//! with a small kernel, keep the 8-connected groups of pixels above `thresh x rms` with at least
//! `minarea` pixels, split blended groups by multi-threshold deblending, measure isophotal
//! quantities (flux, barycentre, second moments, ellipse parameters), and remove spurious
//! detections near bright objects ("cleaning").
//!
//! The arithmetic follows SEP 1.4.1 (`tests/fixtures/SEP_NOTES.md`). One deliberate difference:
//! SEP hands the pixels left between deblended objects to one of them at random (glibc's
//! `rand_r`), scidl gives each such pixel to the object whose fitted profile is highest there.
//! Positions of deblended objects are measured before that step in both, so only their isophotal
//! fluxes can differ slightly.

use crate::{Error, Result};
use rayon::prelude::*;

/// Extraction settings (SEP's defaults).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ExtractConfig {
    /// Detection threshold in units of the RMS.
    pub thresh: f64,
    /// Minimum pixels of a detection.
    pub minarea: usize,
    /// Filter kernel (rows), normalised by the sum of its absolute values; empty: no filtering.
    pub kernel: Vec<Vec<f64>>,
    /// Deblending levels.
    pub deblend_nthresh: usize,
    /// Minimum contrast (share of the total flux) for a branch to become an object.
    pub deblend_cont: f64,
    /// Remove spurious detections in the wings of bright objects.
    pub clean: bool,
    /// Cleaning efficiency (Moffat β of the wing model).
    pub clean_param: f64,
}

impl Default for ExtractConfig {
    fn default() -> Self {
        Self {
            thresh: 1.5,
            minarea: 5,
            kernel: vec![vec![1.0, 2.0, 1.0], vec![2.0, 4.0, 2.0], vec![1.0, 2.0, 1.0]],
            deblend_nthresh: 32,
            deblend_cont: 0.005,
            clean: true,
            clean_param: 1.0,
        }
    }
}

/// Object flag: deblended from a larger group.
pub const MERGED: u32 = 0x01;
/// Object flag: touches the image edge.
pub const TRUNC: u32 = 0x02;
/// Object flag: singular second moments were widened.
pub const SINGU: u32 = 0x08;

/// One detected object (0-based pixel coordinates, as SEP).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Object {
    /// Barycentre x.
    pub x: f64,
    /// Barycentre y.
    pub y: f64,
    /// Second moments.
    pub x2: f64,
    /// Second moment in y.
    pub y2: f64,
    /// Cross moment.
    pub xy: f64,
    /// Semi-major axis (pixels).
    pub a: f64,
    /// Semi-minor axis.
    pub b: f64,
    /// Position angle of `a` from the x axis (radians, counter-clockwise).
    pub theta: f64,
    /// Ellipse coefficients: `cxx dx² + cyy dy² + cxy dx dy = r²`.
    pub cxx: f64,
    /// Ellipse coefficient.
    pub cyy: f64,
    /// Ellipse coefficient.
    pub cxy: f64,
    /// Isophotal flux (sum of background-subtracted pixels).
    pub flux: f64,
    /// Sum of filtered pixels.
    pub cflux: f64,
    /// Highest pixel.
    pub peak: f64,
    /// Pixels.
    pub npix: usize,
    /// Detection threshold (absolute).
    pub thresh: f64,
    /// Flags ([`MERGED`], [`TRUNC`], [`SINGU`]).
    pub flag: u32,
    #[serde(skip)]
    abcor: f64,
    #[serde(skip)]
    mthresh: f64,
    /// The object's pixels (indices `y * width + x`), for segmentation maps.
    #[serde(skip)]
    pub pixels: Vec<u32>,
}

/// Correlates `img` with `kernel` normalised by Σ|k| (taps outside the image count as 0).
pub fn filter(img: &[f64], w: usize, h: usize, kernel: &[Vec<f64>]) -> Vec<f64> {
    if kernel.is_empty() {
        return img.to_vec();
    }
    let kh = kernel.len();
    let kw = kernel[0].len();
    let norm: f64 = kernel.iter().flatten().map(|v| v.abs()).sum();
    let k: Vec<f32> = kernel.iter().flatten().map(|v| (v / norm) as f32).collect();
    let src: Vec<f32> = img.iter().map(|&v| if v.is_nan() { 0.0 } else { v as f32 }).collect();
    let mut out = vec![0f64; w * h];
    out.par_chunks_mut(w).enumerate().for_each(|(y, row)| {
        for (x, o) in row.iter_mut().enumerate() {
            let mut acc = 0f32;
            for cy in 0..kh {
                let yy = y as i64 + cy as i64 - (kh / 2) as i64;
                if yy < 0 || yy >= h as i64 {
                    continue;
                }
                for cx in 0..kw {
                    let xx = x as i64 + cx as i64 - (kw / 2) as i64;
                    if xx < 0 || xx >= w as i64 {
                        continue;
                    }
                    acc += k[cy * kw + cx] * src[yy as usize * w + xx as usize];
                }
            }
            *o = f64::from(acc);
        }
    });
    out
}

/// The 8-connected groups of `pixels` (indices into a `w`-wide image) for which `on` holds.
fn groups(pixels: &[u32], w: usize, on: impl Fn(u32) -> bool) -> Vec<Vec<u32>> {
    if pixels.is_empty() {
        return Vec::new();
    }
    let (mut x0, mut x1, mut y0, mut y1) = (usize::MAX, 0, usize::MAX, 0);
    for &p in pixels {
        let (x, y) = (p as usize % w, p as usize / w);
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    let bw = x1 - x0 + 1;
    let mut mark = vec![0u8; bw * (y1 - y0 + 1)];
    let local = |p: u32| (p as usize / w - y0) * bw + (p as usize % w - x0);
    for &p in pixels {
        if on(p) {
            mark[local(p)] = 1;
        }
    }
    let mut out = Vec::new();
    // Scan in image order so groups come out in raster order of their first pixel.
    let mut sorted: Vec<u32> = pixels.iter().copied().filter(|&p| mark[local(p)] == 1).collect();
    sorted.sort_unstable();
    for &start in &sorted {
        if mark[local(start)] != 1 {
            continue;
        }
        mark[local(start)] = 2;
        let mut group = vec![start];
        let mut k = 0;
        while k < group.len() {
            let p = group[k] as usize;
            k += 1;
            let (x, y) = (p % w, p / w);
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    if nx < x0 as i64 || nx > x1 as i64 || ny < y0 as i64 || ny > y1 as i64 {
                        continue;
                    }
                    let q = ny as usize * w + nx as usize;
                    let l = local(q as u32);
                    if mark[l] == 1 {
                        mark[l] = 2;
                        group.push(q as u32);
                    }
                }
            }
        }
        out.push(group);
    }
    out
}

struct Ctx<'a> {
    w: usize,
    h: usize,
    raw: &'a [f64],
    filt: &'a [f64],
    t0: f64,
}

/// Moments and shape of a pixel set (weights: filtered values), SEP's formulas.
fn measure(ctx: &Ctx, pixels: &[u32], centre: Option<(f64, f64)>) -> Object {
    let w = ctx.w;
    let (mut xmin, mut ymin) = (usize::MAX, usize::MAX);
    for &p in pixels {
        xmin = xmin.min(p as usize % w);
        ymin = ymin.min(p as usize / w);
    }
    let (mut f, mut sx, mut sy, mut sxx, mut syy, mut sxy, mut flux) = (0f64, 0f64, 0f64, 0f64, 0f64, 0f64, 0f64);
    let (mut peak, mut cpeak) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    let mut flag = 0;
    let mut tnpix = 0usize;
    for &p in pixels {
        let (x, y) = (p as usize % w, p as usize / w);
        if x == 0 || y == 0 || x + 1 == w || y + 1 == ctx.h {
            flag |= TRUNC;
        }
        let v = ctx.filt[p as usize] as f32;
        let (lx, ly) = ((x - xmin) as f32, (y - ymin) as f32);
        f += f64::from(v);
        sx += f64::from(v * lx);
        sy += f64::from(v * ly);
        sxx += f64::from(v * lx * lx);
        syy += f64::from(v * ly * ly);
        sxy += f64::from(v * lx * ly);
        let r = ctx.raw[p as usize];
        flux += r;
        peak = peak.max(r);
        cpeak = cpeak.max(f64::from(v));
        if r > ctx.t0 {
            tnpix += 1;
        }
    }
    let fr = f64::from(f as f32);
    let (mx, my) = (sx / fr, sy / fr);
    let (cx, cy) = match centre {
        Some((x, y)) => (x - xmin as f64, y - ymin as f64),
        None => (mx, my),
    };
    let mut x2 = sxx / fr + cx * cx - 2.0 * mx * cx;
    let mut y2 = syy / fr + cy * cy - 2.0 * my * cy;
    let xy = sxy / fr + cx * cy - mx * cy - my * cx;
    if x2 * y2 - xy * xy < 0.00694 {
        x2 += 0.083_333_3;
        y2 += 0.083_333_3;
        flag |= SINGU;
    }
    let theta = if x2 == y2 { std::f64::consts::FRAC_PI_4 } else { 0.5 * (2.0 * xy).atan2(x2 - y2) };
    let half = (x2 + y2) / 2.0;
    let root = (((x2 - y2) / 2.0).powi(2) + xy * xy).sqrt();
    let (a, b) = ((half + root).sqrt(), (half - root).max(0.0).sqrt());
    let d = x2 * y2 - xy * xy;
    // abcor: the correction for the isophotal area of a blended profile (SEP analyse.c).
    let t2 = (ctx.t0 + peak) / 2.0;
    let above = pixels.iter().filter(|&&p| ctx.raw[p as usize] > t2).count() as f64;
    let darea = above - tnpix as f64;
    let abcor = if t2 > 0.0 && ctx.t0 / t2 > 0.0 && a * b > 0.0 {
        let v = (if darea < 0.0 { darea } else { -1.0 })
            / (2.0 * std::f64::consts::PI * (ctx.t0 / t2).min(0.99).ln() * a * b);
        v.min(1.0)
    } else {
        1.0
    };
    Object {
        x: cx + xmin as f64,
        y: cy + ymin as f64,
        x2,
        y2,
        xy,
        a,
        b,
        theta,
        cxx: y2 / d,
        cyy: x2 / d,
        cxy: -2.0 * xy / d,
        flux,
        cflux: f,
        peak: cpeak.max(peak).min(peak),
        npix: pixels.len(),
        thresh: ctx.t0,
        flag,
        abcor,
        mthresh: 0.0,
        pixels: Vec::new(),
    }
}

/// The `minarea`-th largest `filtered - t0` over the pixels (cleaning's detectability floor).
fn mthresh(ctx: &Ctx, pixels: &[u32], minarea: usize) -> f64 {
    let mut v: Vec<f64> = pixels.iter().map(|&p| ctx.filt[p as usize] - ctx.t0).collect();
    v.sort_by(|a, b| b.total_cmp(a));
    v.get(minarea.saturating_sub(1)).copied().unwrap_or(0.0)
}

/// One object out of the deblender: its pixels, the centre passed on to [`measure`] (if any), and
/// whether it came from a split.
type Piece = (Vec<u32>, Option<(f64, f64)>, bool);

/// Splits one group of pixels into objects by multi-threshold deblending; returns each object's
/// pixel list and whether it came from a split.
fn deblend(ctx: &Ctx, pixels: Vec<u32>, cfg: &ExtractConfig) -> Vec<Piece> {
    let n = cfg.deblend_nthresh.max(1);
    let peak = pixels.iter().map(|&p| ctx.filt[p as usize]).fold(f64::NEG_INFINITY, f64::max);
    if n < 2 || peak <= ctx.t0 {
        return vec![(pixels, None, false)];
    }
    struct Node {
        pixels: Vec<u32>,
        children: Vec<usize>,
        flux: f64,
        thresh: f64,
    }
    let sumf = |px: &[u32]| px.iter().map(|&p| ctx.filt[p as usize]).sum::<f64>();
    let root_flux = sumf(&pixels);
    let mut nodes = vec![Node { flux: root_flux, pixels, children: Vec::new(), thresh: ctx.t0 }];
    let mut levels: Vec<Vec<usize>> = vec![vec![0]];
    let min_pix = cfg.minarea.min(3);
    for k in 1..n {
        let tk = if ctx.t0 > 0.0 { ctx.t0 * (peak / ctx.t0).powf(k as f64 / n as f64) } else { ctx.t0 };
        let mut this = Vec::new();
        for &parent in &levels[k - 1] {
            for g in groups(&nodes[parent].pixels, ctx.w, |p| ctx.filt[p as usize] > tk) {
                if g.len() >= min_pix {
                    let id = nodes.len();
                    nodes.push(Node { flux: sumf(&g), pixels: g, children: Vec::new(), thresh: tk });
                    nodes[parent].children.push(id);
                    this.push(id);
                }
            }
        }
        if this.is_empty() {
            break;
        }
        levels.push(this);
    }
    let passes = |nd: &Node| nd.flux - nd.thresh * nd.pixels.len() as f64 > cfg.deblend_cont * root_flux;
    let mut ok = vec![true; nodes.len()];
    let mut emitted: Vec<usize> = Vec::new();
    for level in (0..levels.len().saturating_sub(1)).rev() {
        for &id in &levels[level] {
            let kids = nodes[id].children.clone();
            ok[id] = kids.iter().all(|&c| ok[c]);
            let passing: Vec<usize> = kids.iter().copied().filter(|&c| passes(&nodes[c])).collect();
            if passing.len() >= 2 {
                emitted.extend(passing.iter().copied().filter(|&c| ok[c]));
                ok[id] = false;
            }
        }
    }
    if ok[0] || emitted.is_empty() {
        let root = std::mem::take(&mut nodes[0].pixels);
        return vec![(root, None, false)];
    }
    // Emitted objects, measured on their own pixels; the rest of the root goes to the object whose
    // fitted profile is highest at the pixel.
    let mut own: Vec<Vec<u32>> = emitted.iter().map(|&id| nodes[id].pixels.clone()).collect();
    let shapes: Vec<Object> = own.iter().map(|px| measure(ctx, px, None)).collect();
    let mut taken = std::collections::HashSet::new();
    for px in &own {
        taken.extend(px.iter().copied());
    }
    let amp: Vec<f64> = shapes
        .iter()
        .map(|o| {
            let cpeak = o.peak.max(1e-30);
            let q = o.npix as f64 / (2.0 * std::f64::consts::PI * o.abcor * o.a * o.b);
            if q < 70.0 { (ctx.t0 * q.exp()).min(4.0 * cpeak) } else { 4.0 * cpeak }
        })
        .collect();
    for &p in &nodes[0].pixels {
        if taken.contains(&p) {
            continue;
        }
        let (x, y) = ((p as usize % ctx.w) as f64, (p as usize / ctx.w) as f64);
        let mut best = (f64::NEG_INFINITY, 0usize);
        let mut nearest = (f64::INFINITY, 0usize);
        for (i, o) in shapes.iter().enumerate() {
            let (dx, dy) = (x - o.x, y - o.y);
            let d = 0.5 * (o.cxx * dx * dx + o.cyy * dy * dy + o.cxy * dx * dy) / o.abcor;
            if d < nearest.0 {
                nearest = (d, i);
            }
            let wgt = if d < 70.0 { amp[i] * (-d).exp() } else { 0.0 };
            if wgt > best.0 {
                best = (wgt, i);
            }
        }
        let i = if best.0 > 0.0 { best.1 } else { nearest.1 };
        own[i].push(p);
    }
    own.into_iter().zip(shapes).map(|(px, o)| (px, Some((o.x, o.y)), true)).collect()
}

/// Detects objects in `sub` (background-subtracted, NaN = masked) with the noise `rms` (one value:
/// SEP's `err=globalrms`), `w` x `h`.
pub fn extract(sub: &[f64], w: usize, h: usize, rms: f64, cfg: &ExtractConfig) -> Result<Vec<Object>> {
    if sub.len() != w * h {
        return Err(Error::Config(format!("image of {} pixels is not {w} x {h}", sub.len())));
    }
    if !(rms.is_finite() && rms > 0.0 && cfg.thresh.is_finite() && cfg.thresh > 0.0) {
        return Err(Error::Config(format!("threshold {} x rms {rms} must be positive", cfg.thresh)));
    }
    if cfg.kernel.iter().any(|r| r.len() != cfg.kernel[0].len()) {
        return Err(Error::Config("the filter kernel rows differ in length".into()));
    }
    let t0 = f64::from((cfg.thresh * rms) as f32);
    let filt = filter(sub, w, h, &cfg.kernel);
    let raw: Vec<f64> = sub.iter().map(|v| if v.is_nan() { 0.0 } else { *v }).collect();
    let ctx = Ctx { w, h, raw: &raw, filt: &filt, t0 };
    let all: Vec<u32> = (0..(w * h) as u32).collect();
    let found: Vec<Vec<u32>> = groups(&all, w, |p| filt[p as usize] > t0 && !sub[p as usize].is_nan())
        .into_iter()
        .filter(|g| g.len() >= cfg.minarea)
        .collect();
    let pieces: Vec<Vec<Piece>> = found.into_par_iter().map(|g| deblend(&ctx, g, cfg)).collect();
    let mut objects: Vec<Object> = Vec::new();
    for piece in pieces {
        for (px, centre, merged) in piece {
            let mut o = measure(&ctx, &px, centre);
            if merged {
                o.flag |= MERGED;
            }
            o.mthresh = mthresh(&ctx, &px, cfg.minarea);
            o.pixels = px;
            objects.push(o);
        }
    }
    if cfg.clean {
        clean(&mut objects, cfg.clean_param);
    }
    Ok(objects)
}

/// The segmentation map: 0 for sky, `k + 1` for the pixels of object `k`.
pub fn segmentation(objects: &[Object], w: usize, h: usize) -> Vec<u32> {
    let mut seg = vec![0u32; w * h];
    for (k, o) in objects.iter().enumerate() {
        for &p in &o.pixels {
            seg[p as usize] = k as u32 + 1;
        }
    }
    seg
}

/// Removes objects that a brighter neighbour's extended wings (a Moffat profile of index
/// `beta` fitted to its isophotal area) explain.
fn clean(objects: &mut Vec<Object>, beta: f64) {
    let n = objects.len();
    let mut alive = vec![true; n];
    for i in 0..n {
        for j in i + 1..n {
            if !alive[i] || !alive[j] {
                continue;
            }
            let (oi, oj) = (&objects[i], &objects[j]);
            let (dx, dy) = (oj.x - oi.x, oj.y - oi.y);
            let reach = oi.a + oj.a;
            if (dx * dx + dy * dy) as f32 > (100.0 * reach * reach) as f32 {
                continue;
            }
            let (eater, victim) = if oi.cflux > oj.cflux { (i, j) } else { (j, i) };
            let (e, v) = (&objects[eater], &objects[victim]);
            let (dx, dy) = (v.x - e.x, v.y - e.y);
            let u = std::f64::consts::PI * e.a * e.b;
            if u <= 0.0 || e.thresh <= 0.0 {
                continue;
            }
            let amp = e.cflux / (2.0 * u * e.abcor);
            let alpha = ((amp / e.thresh).powf(1.0 / beta) - 1.0) * u / e.npix as f64;
            let val = 1.0 + alpha * (e.cxx * dx * dx + e.cyy * dy * dy + e.cxy * dx * dy);
            if val > 1.0 {
                let wing = if val < 1e10 { (amp * val.powf(-beta)) as f32 } else { 0.0 };
                if f64::from(wing) > v.mthresh {
                    alive[victim] = false;
                }
            }
        }
    }
    let mut k = 0;
    objects.retain(|_| {
        k += 1;
        alive[k - 1]
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::background::{Background, BackgroundConfig};
    use crate::fits::read_image;
    use crate::photometry::{Frame, Rms};
    use std::path::Path;

    #[test]
    fn filter_is_normalised_and_zero_padded() {
        let mut img = vec![0.0; 25];
        img[12] = 16.0;
        let f = filter(&img, 5, 5, &ExtractConfig::default().kernel);
        assert_eq!((f[12], f[11], f[6]), (4.0, 2.0, 1.0));
        assert!((f.iter().sum::<f64>() - 16.0).abs() < 1e-9);
        let edge = filter(&[16.0, 0.0, 0.0, 0.0], 2, 2, &ExtractConfig::default().kernel);
        assert_eq!(edge[0], 4.0, "taps outside the image count as zero");
    }

    #[test]
    fn two_separated_stars_and_a_blend() {
        // Two Gaussian blobs far apart and two close ones (deblended) on a flat zero sky.
        let (w, h) = (80, 40);
        let mut img = vec![0.0; w * h];
        for &(cx, cy, amp) in &[(15.0, 20.0, 100.0), (60.0, 20.0, 80.0), (35.0, 20.0, 100.0), (41.0, 20.0, 60.0)] {
            for y in 0..h {
                for x in 0..w {
                    let r2 = (x as f64 - cx).powi(2) + (y as f64 - cy).powi(2);
                    img[y * w + x] += amp * (-r2 / (2.0 * 1.5f64.powi(2))).exp();
                }
            }
        }
        let cfg = ExtractConfig { clean: false, ..Default::default() };
        let objs = extract(&img, w, h, 1.0, &cfg).unwrap();
        assert_eq!(objs.len(), 4, "{objs:#?}");
        for &(cx, cy) in &[(15.0, 20.0), (60.0, 20.0), (35.0, 20.0), (41.0, 20.0)] {
            let o =
                objs.iter().min_by(|a, b| ((a.x - cx).hypot(a.y - cy)).total_cmp(&(b.x - cx).hypot(b.y - cy))).unwrap();
            assert!((o.x - cx).hypot(o.y - cy) < 0.3, "{cx}: {o:?}");
        }
        assert_eq!(objs.iter().filter(|o| o.flag & MERGED != 0).count(), 2);
        // A round Gaussian of sigma 1.5: a = b = 1.5 (weights are filtered values, which widen it
        // by the kernel's variance 0.5 per axis): sqrt(1.5^2 + 0.5) = 1.658.
        let single = objs.iter().find(|o| (o.x - 60.0).abs() < 1.0).unwrap();
        assert!((single.a - 1.658).abs() < 0.1 && (single.b - 1.658).abs() < 0.1, "{single:?}");
    }

    #[test]
    fn m13_catalog_matches_sep_1_4_1() {
        // tests/fixtures/m13_sep.csv: SEP 1.4.1 with its defaults (thresh 1.5 x globalrms, minarea 5,
        // the 3x3 kernel, 32 levels, contrast 0.005, cleaning), aperture r = 5 (subpix 5).
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let img = read_image(&root.join("../../data/m13.fits"), None, None).unwrap();
        let bg = Background::new(&img.data, img.width, img.height, BackgroundConfig::default()).unwrap();
        let back = bg.back_map();
        let sub: Vec<f64> = img.data.iter().zip(&back).map(|(v, b)| v - b).collect();
        let objs = extract(&sub, img.width, img.height, f64::from(bg.global_rms), &ExtractConfig::default()).unwrap();
        let text = std::fs::read_to_string(root.join("tests/fixtures/m13_sep.csv")).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
        let (cx, cy, cf) = (col("x"), col("y"), col("flux_aper5"));
        let sep: Vec<(f64, f64, f64)> = lines
            .map(|l| {
                let f: Vec<f64> = l.split(',').map(|v| v.parse().unwrap_or(f64::NAN)).collect();
                (f[cx], f[cy], f[cf])
            })
            .collect();
        let nearest = |x: f64, y: f64, pts: &mut dyn Iterator<Item = (f64, f64)>| {
            pts.map(|(a, b)| (a - x).hypot(b - y)).fold(f64::INFINITY, f64::min)
        };
        let sep_found = sep.iter().filter(|s| nearest(s.0, s.1, &mut objs.iter().map(|o| (o.x, o.y))) <= 1.0).count();
        let ours_found = objs.iter().filter(|o| nearest(o.x, o.y, &mut sep.iter().map(|s| (s.0, s.1))) <= 1.0).count();
        let (fs, fo) = (sep_found as f64 / sep.len() as f64, ours_found as f64 / objs.len() as f64);
        eprintln!("SEP {} objects, scidl {}; matched {fs:.3} of SEP's, {fo:.3} of ours", sep.len(), objs.len());
        assert!(fs >= 0.95 && fo >= 0.95, "SEP {} vs scidl {}: {fs:.3} / {fo:.3}", sep.len(), objs.len());
        // Aperture fluxes at SEP's positions agree (exact overlap here, 5x5 subsampling in SEP).
        let frame = Frame {
            data: &sub,
            width: img.width,
            height: img.height,
            rms: Rms::Global(f64::from(bg.global_rms)),
            gain: None,
        };
        let mut rel: Vec<f64> = sep
            .iter()
            .filter(|s| s.2.abs() > 0.0)
            .map(|s| ((frame.circle(s.0, s.1, 5.0, None).flux - s.2) / s.2).abs())
            .collect();
        rel.sort_by(f64::total_cmp);
        let median = rel[rel.len() / 2];
        eprintln!("median |aperture flux difference| {:.5}", median);
        assert!(median <= 0.01, "{median}");
    }

    /// SEP 1.4.1 on m13 (tests/fixtures/m13_sep.csv, script sep_reference.py): `flux_radius(data_sub,
    /// x, y, 6 a, 0.5, normflux=flux, subpix=5)` and `winpos(data_sub, x, y, 2/2.35 flux_radius)`
    /// (subpix 11), both from SEP's own positions. Same algorithms, so they agree to rounding: SEP
    /// works on the float32 background-subtracted image, scidl in f64.
    #[test]
    fn m13_windowed_positions_and_flux_radius_match_sep() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let img = read_image(&root.join("../../data/m13.fits"), None, None).unwrap();
        let bg = Background::new(&img.data, img.width, img.height, BackgroundConfig::default()).unwrap();
        let sub: Vec<f64> = img.data.iter().zip(bg.back_map()).map(|(v, b)| v - b).collect();
        let frame = Frame { data: &sub, width: img.width, height: img.height, rms: Rms::Global(1.0), gain: None };
        let text = std::fs::read_to_string(root.join("tests/fixtures/m13_sep.csv")).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
        let cols = ["x", "y", "a", "flux", "flux_radius", "xwin", "ywin"].map(col);
        let (mut dr, mut dw) = (Vec::new(), Vec::new());
        for l in lines {
            let f: Vec<f64> = l.split(',').map(|v| v.parse().unwrap_or(f64::NAN)).collect();
            let [x, y, a, flux, r_sep, xw, yw] = cols.map(|c| f[c]);
            let (r, _) = frame.flux_radius(x, y, 6.0 * a, Some(flux), &[0.5], 5);
            dr.push((r[0] - r_sep).abs());
            let w = frame.windowed_position(x, y, 2.0 / 2.35 * r_sep, 11);
            dw.push((w.x - xw).hypot(w.y - yw));
        }
        for v in [&mut dr, &mut dw] {
            v.sort_by(f64::total_cmp);
        }
        let q = |v: &[f64], p: f64| v[((v.len() - 1) as f64 * p) as usize];
        eprintln!(
            "{} objects: |flux_radius - SEP| median {:.2e} p95 {:.2e}; |win - SEP| median {:.2e} p95 {:.2e}",
            dr.len(),
            q(&dr, 0.5),
            q(&dr, 0.95),
            q(&dw, 0.5),
            q(&dw, 0.95)
        );
        assert!(dr.len() > 250);
        assert!(q(&dr, 0.5) < 1e-3 && q(&dr, 0.95) < 1e-2, "flux_radius");
        assert!(q(&dw, 0.5) < 1e-3 && q(&dw, 0.95) < 1e-2, "windowed positions");
    }

    /// Pixel -> sky on m13 against astropy.wcs 6.x `all_pix2world(..., 0)` at the five points in
    /// tests/fixtures/m13_sep.json ("wcs"."points"): within 0.01 arcsec, and back within 1e-6 px.
    #[test]
    fn m13_wcs_matches_astropy() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let img = read_image(&root.join("../../data/m13.fits"), None, None).unwrap();
        let wcs = crate::wcs::TanWcs::from_header(&img.header).unwrap().expect("m13 has a TAN WCS");
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(root.join("tests/fixtures/m13_sep.json")).unwrap()).unwrap();
        let points = json["wcs"]["points"].as_array().unwrap();
        assert_eq!(points.len(), 5);
        for p in points {
            let (x, y) = (p["pixel_xy_0based"][0].as_f64().unwrap(), p["pixel_xy_0based"][1].as_f64().unwrap());
            let (ra0, dec0) = (p["ra_deg"].as_f64().unwrap(), p["dec_deg"].as_f64().unwrap());
            let (ra, dec) = wcs.pixel_to_world(x, y);
            let sep_arcsec = ((ra - ra0) * dec0.to_radians().cos()).hypot(dec - dec0) * 3600.0;
            assert!(sep_arcsec < 0.01, "({x}, {y}): {sep_arcsec} arcsec from astropy");
            let (x2, y2) = wcs.world_to_pixel(ra0, dec0);
            assert!((x2 - x).abs() < 1e-6 && (y2 - y).abs() < 1e-6, "({x}, {y}) -> ({x2}, {y2})");
        }
    }
}
