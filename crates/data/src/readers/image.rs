//! PNG and TIFF images, read channels-first as raw integer (or float) values in `f32`.
//!
//! Every reader returns shape `[C, H, W]` (TIFF stacks: `[pages, C, H, W]`); values are never
//! rescaled, so an 8-bit image holds 0..=255 and a 16-bit one 0..=65535. [`read_image`] picks
//! the reader from the file's first bytes.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read};
use std::path::Path;

use tiff::decoder::{Decoder as TiffDecoder, DecodingResult, ifd::Value as TiffValue};
use tiff::tags::Tag;
use tiff::{ColorType as TiffColor, TiffError};

use super::{ArrayData, ArrayMeta};
use crate::{Error, Result};

/// The eight bytes every PNG file starts with.
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
/// The most bytes of decoded pixels a PNG header may ask for (4 GiB), so that a corrupt header
/// cannot make us allocate without bound.
const MAX_PNG_DECODED_BYTES: usize = 1 << 32;

/// Converts pixel-interleaved samples (`[H, W, C]`) to channels-first (`[C, H, W]`).
/// `src.len()` must be `h * w * c`.
fn to_channels_first(src: &[f32], h: usize, w: usize, c: usize) -> Vec<f32> {
    if c == 1 {
        return src.to_vec();
    }
    let plane = h * w;
    let mut out = vec![0f32; src.len()];
    for (p, px) in src.chunks_exact(c).enumerate() {
        for (ch, &v) in px.iter().enumerate() {
            out[ch * plane + p] = v;
        }
    }
    out
}

/// `h * w * c`, or an error naming the file on overflow.
fn sample_count(path: &Path, h: usize, w: usize, c: usize) -> Result<usize> {
    h.checked_mul(w)
        .and_then(|n| n.checked_mul(c))
        .ok_or_else(|| Error::format(path, format!("image of {c}x{h}x{w} samples is too large")))
}

// ------------------------------------------------------------------------------------------ PNG

/// Maps a PNG decoding error to ours: cut-short files are format errors saying "truncated".
fn png_error(path: &Path, e: png::DecodingError) -> Error {
    match e {
        png::DecodingError::IoError(io) if io.kind() == io::ErrorKind::UnexpectedEof => {
            Error::format(path, format!("truncated PNG file: {io}"))
        }
        png::DecodingError::IoError(io) => Error::io(path, io),
        other => Error::format(path, format!("invalid PNG file: {other}")),
    }
}

/// Reads a PNG image as `[C, H, W]` raw values.
///
/// Supports 8- and 16-bit grayscale (C = 1), grayscale + alpha (C = 2), RGB (C = 3) and RGBA
/// (C = 4). The alpha channel is kept as the last channel, never applied. Palette images are
/// expanded to RGB (RGBA when they carry transparency), and a `tRNS` transparency chunk on a
/// grayscale or RGB image adds an alpha channel, both by the png crate's `EXPAND` transform; that
/// transform also widens 1-, 2- and 4-bit grayscale to 8 bits, scaling it to 0..=255. Values are
/// otherwise the stored integers in `f32` (0..=255 or 0..=65535, no scaling); `meta.dtype` is
/// `"u8"` or `"u16"`. `meta.pixel_size` comes from the `pHYs` chunk when present (see
/// [`ArrayMeta::pixel_size`]). Only the first frame of an animated PNG is read.
///
/// Fails with [`Error::Io`] if the file cannot be read and with [`Error::Format`] if it is not a
/// valid PNG, is truncated, or decodes to more than 4 GiB.
pub fn read_png(path: &Path) -> Result<ArrayData> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut decoder = png::Decoder::new(BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().map_err(|e| png_error(path, e))?;
    let pixel_size = reader.info().pixel_dims.and_then(|d| {
        if d.xppu == 0 || d.yppu == 0 {
            return None;
        }
        let scale = match d.unit {
            png::Unit::Meter => 1e6,
            png::Unit::Unspecified => 1.0,
        };
        Some(vec![scale / f64::from(d.yppu), scale / f64::from(d.xppu)])
    });
    let size = reader.output_buffer_size().filter(|&n| n <= MAX_PNG_DECODED_BYTES).ok_or_else(|| {
        let (w, h) = reader.info().size();
        Error::format(path, format!("PNG image of {w}x{h} pixels is too large to decode"))
    })?;
    let mut buf = vec![0u8; size];
    let out = reader.next_frame(&mut buf).map_err(|e| png_error(path, e))?;
    reader.finish().map_err(|e| png_error(path, e))?;

    let (w, h) = (out.width as usize, out.height as usize);
    let c = out.color_type.samples();
    let n = sample_count(path, h, w, c)?;
    let (dtype, bytes_per_sample) = match out.bit_depth {
        png::BitDepth::Eight => ("u8", 1),
        png::BitDepth::Sixteen => ("u16", 2),
        other => {
            return Err(Error::format(path, format!("unexpected PNG bit depth {other:?} after expansion")));
        }
    };
    // Rows are tightly packed for 8- and 16-bit samples; check rather than index blindly.
    let data = n
        .checked_mul(bytes_per_sample)
        .filter(|&len| out.line_size.checked_mul(h) == Some(len))
        .and_then(|len| buf.get(..len))
        .ok_or_else(|| {
            Error::format(
                path,
                format!("decoded PNG rows of {} bytes do not hold {w} pixels of {c} x {dtype}", out.line_size),
            )
        })?;
    let interleaved: Vec<f32> = if bytes_per_sample == 1 {
        data.iter().map(|&b| f32::from(b)).collect()
    } else {
        data.chunks_exact(2).map(|b| f32::from(u16::from_be_bytes([b[0], b[1]]))).collect()
    };
    Ok(ArrayData {
        shape: vec![c, h, w],
        values: to_channels_first(&interleaved, h, w, c),
        meta: ArrayMeta { source: path.to_path_buf(), dtype: dtype.to_string(), pixel_size },
    })
}

/// Writes a grayscale PNG of `bit_depth` from big-endian sample bytes.
fn write_png_gray(
    path: &Path,
    width: u32,
    height: u32,
    depth: png::BitDepth,
    samples: usize,
    bytes: &[u8],
) -> Result<()> {
    let expected = (width as usize).checked_mul(height as usize);
    if expected != Some(samples) || width == 0 || height == 0 {
        return Err(Error::Param(format!(
            "{}: a {width}x{height} PNG needs {} samples (width and height at least 1), got {samples}",
            path.display(),
            u64::from(width) * u64::from(height)
        )));
    }
    let file = File::create(path).map_err(|e| Error::io(path, e))?;
    let mut encoder = png::Encoder::new(BufWriter::new(file), width, height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(depth);
    let enc_err = |e: png::EncodingError| match e {
        png::EncodingError::IoError(io) => Error::io(path, io),
        other => Error::format(path, format!("cannot encode PNG: {other}")),
    };
    let mut writer = encoder.write_header().map_err(enc_err)?;
    writer.write_image_data(bytes).map_err(enc_err)?;
    writer.finish().map_err(enc_err)?;
    Ok(())
}

/// Writes `data` (`height` rows of `width` values, row-major) as an 8-bit grayscale PNG at
/// `path`, replacing it.
///
/// Fails with [`Error::Param`] (naming the file) if `data.len() != width * height` or either is
/// 0, and with [`Error::Io`] if the file cannot be written.
pub fn write_png_gray8(path: &Path, width: u32, height: u32, data: &[u8]) -> Result<()> {
    write_png_gray(path, width, height, png::BitDepth::Eight, data.len(), data)
}

/// Writes `data` (`height` rows of `width` values, row-major) as a 16-bit grayscale PNG at
/// `path`, replacing it.
///
/// Fails like [`write_png_gray8`].
pub fn write_png_gray16(path: &Path, width: u32, height: u32, data: &[u16]) -> Result<()> {
    let bytes: Vec<u8> = data.iter().flat_map(|v| v.to_be_bytes()).collect();
    write_png_gray(path, width, height, png::BitDepth::Sixteen, data.len(), &bytes)
}

// ----------------------------------------------------------------------------------------- TIFF

/// Maps a TIFF decoding error to ours: cut-short files are format errors saying "truncated".
fn tiff_error(path: &Path, e: TiffError) -> Error {
    match e {
        TiffError::IoError(io) if io.kind() == io::ErrorKind::UnexpectedEof => {
            Error::format(path, format!("truncated TIFF file: {io}"))
        }
        TiffError::IoError(io) => Error::io(path, io),
        other => Error::format(path, format!("invalid or unsupported TIFF file: {other}")),
    }
}

fn open_tiff(path: &Path) -> Result<TiffDecoder<BufReader<File>>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    TiffDecoder::new(BufReader::new(file)).map_err(|e| tiff_error(path, e))
}

/// A positive, finite number from a TIFF rational (or numeric) tag value.
fn tiff_number(v: &TiffValue) -> Option<f64> {
    let x = match *v {
        TiffValue::Rational(n, d) if d != 0 => f64::from(n) / f64::from(d),
        TiffValue::RationalBig(n, d) if d != 0 => n as f64 / d as f64,
        TiffValue::SRational(n, d) if d != 0 => f64::from(n) / f64::from(d),
        TiffValue::Float(f) => f64::from(f),
        TiffValue::Double(f) => f,
        TiffValue::Short(s) => f64::from(s),
        TiffValue::Unsigned(u) => f64::from(u),
        TiffValue::List(ref l) if l.len() == 1 => return l.first().and_then(tiff_number),
        _ => return None,
    };
    (x.is_finite() && x > 0.0).then_some(x)
}

/// The pixel size `[y, x]` of the current page from its resolution tags (see
/// [`ArrayMeta::pixel_size`]); `None` when absent or unusable.
fn tiff_pixel_size<R: Read + io::Seek>(dec: &mut TiffDecoder<R>) -> Option<Vec<f64>> {
    let x = dec.find_tag(Tag::XResolution).ok().flatten().as_ref().and_then(tiff_number)?;
    let y = dec.find_tag(Tag::YResolution).ok().flatten().as_ref().and_then(tiff_number);
    let y = y.unwrap_or(x);
    // TIFF's default unit is the inch.
    let unit = dec.find_tag(Tag::ResolutionUnit).ok().flatten().and_then(|v| v.into_u16().ok()).unwrap_or(2);
    let scale = match unit {
        2 => 25_400.0, // micrometres per inch
        3 => 10_000.0, // micrometres per centimetre
        _ => 1.0,
    };
    Some(vec![scale / y, scale / x])
}

/// One decoded TIFF page, channels-first.
struct Page {
    c: usize,
    h: usize,
    w: usize,
    dtype: &'static str,
    values: Vec<f32>,
}

/// Decodes the decoder's current page. `page` is its index, for messages.
fn decode_page<R: Read + io::Seek>(path: &Path, dec: &mut TiffDecoder<R>, page: usize) -> Result<Page> {
    let err = |e| tiff_error(path, e);
    let (w, h) = dec.dimensions().map_err(err)?;
    let (w, h) = (w as usize, h as usize);
    let color = dec.colortype().map_err(err)?;
    let (c, bits) = match color {
        TiffColor::Gray(b) => (1, b),
        TiffColor::GrayA(b) => (2, b),
        TiffColor::RGB(b) => (3, b),
        TiffColor::RGBA(b) => (4, b),
        TiffColor::Multiband { bit_depth, num_samples } => (usize::from(num_samples), bit_depth),
        other => {
            return Err(Error::format(path, format!("TIFF page {page}: colour type {other:?} is not supported")));
        }
    };
    if ![8, 16, 32, 64].contains(&bits) {
        return Err(Error::format(path, format!("TIFF page {page}: {bits}-bit samples are not supported")));
    }
    let planar = dec.find_tag(Tag::PlanarConfiguration).map_err(err)?.and_then(|v| v.into_u16().ok()).unwrap_or(1);
    if planar != 1 && c > 1 {
        return Err(Error::format(
            path,
            format!("TIFF page {page}: planar configuration {planar} (separate planes) is not supported"),
        ));
    }
    let (dtype, interleaved): (&'static str, Vec<f32>) = match dec.read_image().map_err(err)? {
        DecodingResult::U8(v) => ("u8", v.into_iter().map(f32::from).collect()),
        DecodingResult::I8(v) => ("i8", v.into_iter().map(f32::from).collect()),
        DecodingResult::U16(v) => ("u16", v.into_iter().map(f32::from).collect()),
        DecodingResult::I16(v) => ("i16", v.into_iter().map(f32::from).collect()),
        DecodingResult::U32(v) => ("u32", v.into_iter().map(|x| x as f32).collect()),
        DecodingResult::I32(v) => ("i32", v.into_iter().map(|x| x as f32).collect()),
        DecodingResult::F16(v) => ("f16", v.into_iter().map(|x| x.to_f32()).collect()),
        DecodingResult::F32(v) => ("f32", v),
        DecodingResult::F64(v) => ("f64", v.into_iter().map(|x| x as f32).collect()),
        DecodingResult::U64(_) | DecodingResult::I64(_) => {
            return Err(Error::format(path, format!("TIFF page {page}: 64-bit integer samples are not supported")));
        }
    };
    let n = sample_count(path, h, w, c)?;
    if interleaved.len() != n {
        return Err(Error::format(
            path,
            format!(
                "TIFF page {page}: decoded {} samples, expected {n} for {c} channels of {h}x{w}",
                interleaved.len()
            ),
        ));
    }
    Ok(Page { c, h, w, dtype, values: to_channels_first(&interleaved, h, w, c) })
}

/// Reads the first page of a TIFF file as `[C, H, W]` raw values.
///
/// Supports grayscale (C = 1), grayscale + alpha (2), RGB (3), RGBA (4) and other multi-sample
/// pages (C = samples per pixel) stored pixel-interleaved, with 8-, 16-, 32- or 64-bit samples:
/// unsigned or signed integers (`meta.dtype` `"u8"`, `"i8"`, `"u16"`, `"i16"`, `"u32"`,
/// `"i32"`) and floats (`"f16"`, `"f32"`, `"f64"`), in any compression the tiff crate decodes.
/// Values are the stored ones in `f32`, not rescaled (32-bit integers beyond ±2^24 and `f64`
/// are rounded). `meta.pixel_size` comes from the resolution tags (see
/// [`ArrayMeta::pixel_size`]).
///
/// Fails with [`Error::Io`] if the file cannot be read and with [`Error::Format`] if it is not a
/// valid TIFF, is truncated, or uses an unsupported layout (palette, CMYK, YCbCr, sub-byte or
/// 64-bit integer samples, separate planes).
pub fn read_tiff(path: &Path) -> Result<ArrayData> {
    let mut dec = open_tiff(path)?;
    let pixel_size = tiff_pixel_size(&mut dec);
    let page = decode_page(path, &mut dec, 0)?;
    Ok(ArrayData {
        shape: vec![page.c, page.h, page.w],
        values: page.values,
        meta: ArrayMeta { source: path.to_path_buf(), dtype: page.dtype.to_string(), pixel_size },
    })
}

/// Reads every page of a multi-page TIFF as `[pages, C, H, W]`.
///
/// Each page is read as by [`read_tiff`]; `meta.pixel_size` is that of the first page. A
/// single-page file gives `[1, C, H, W]`. Fails like [`read_tiff`], and with [`Error::Format`]
/// if the pages differ in channels, size or sample type.
pub fn read_tiff_stack(path: &Path) -> Result<ArrayData> {
    let mut dec = open_tiff(path)?;
    let pixel_size = tiff_pixel_size(&mut dec);
    let first = decode_page(path, &mut dec, 0)?;
    let (c, h, w, dtype) = (first.c, first.h, first.w, first.dtype);
    let mut values = first.values;
    let mut pages = 1;
    while dec.more_images() {
        dec.next_image().map_err(|e| tiff_error(path, e))?;
        let page = decode_page(path, &mut dec, pages)?;
        if (page.c, page.h, page.w) != (c, h, w) {
            return Err(Error::format(
                path,
                format!("TIFF page {pages} is {}x{}x{} (CxHxW), page 0 is {c}x{h}x{w}", page.c, page.h, page.w),
            ));
        }
        if page.dtype != dtype {
            return Err(Error::format(path, format!("TIFF page {pages} holds {}, page 0 holds {dtype}", page.dtype)));
        }
        values.extend_from_slice(&page.values);
        pages += 1;
    }
    Ok(ArrayData {
        shape: vec![pages, c, h, w],
        values,
        meta: ArrayMeta { source: path.to_path_buf(), dtype: dtype.to_string(), pixel_size },
    })
}

// ------------------------------------------------------------------------------------- dispatch

/// Reads a PNG or TIFF image, choosing the reader from the file's first bytes (the PNG signature,
/// or a TIFF / BigTIFF header `II*\0`, `MM\0*`, `II+\0`, `MM\0+`), whatever its extension.
///
/// Returns what [`read_png`] or [`read_tiff`] (first page) returns. Fails with
/// [`Error::Format`] naming the file for anything else.
pub fn read_image(path: &Path) -> Result<ArrayData> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut head = Vec::with_capacity(8);
    file.take(8).read_to_end(&mut head).map_err(|e| Error::io(path, e))?;
    let is_tiff = [b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"].iter().any(|m| head.starts_with(*m));
    if head.starts_with(&PNG_SIGNATURE) {
        read_png(path)
    } else if is_tiff {
        read_tiff(path)
    } else {
        let hex: Vec<String> = head.iter().map(|b| format!("{b:02x}")).collect();
        Err(Error::format(path, format!("not a PNG or TIFF image (first bytes: {})", hex.join(" "))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readers::assert_format_err;
    use std::collections::BTreeSet;
    use std::path::PathBuf;
    use tiff::encoder::{Rational, TiffEncoder, colortype};
    use tiff::tags::ResolutionUnit;

    const IMG2D: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/img2d.tif");
    const MASK2D: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/mask2d.tif");

    fn at(a: &ArrayData, c: usize, y: usize, x: usize) -> f32 {
        let (h, w) = (a.shape[1], a.shape[2]);
        a.values[(c * h + y) * w + x]
    }

    /// Reference numbers from tifffile 2026.3.3 + numpy 2.4.6
    /// (`a = tifffile.imread("img2d.tif")`: `a.shape, a.dtype, a.min(), a.max(), a.mean(),
    /// int(a.astype(np.int64).sum())` — the sum over all pixels — and `a[0,0], a[100,200],
    /// a[511,511]`, indices [row, column]). The file has one page; its resolution tags are
    /// XResolution = YResolution = 1/1, ResolutionUnit = 1 (none).
    #[test]
    fn img2d_matches_tifffile() {
        let p = Path::new(IMG2D);
        let a = read_tiff(p).unwrap();
        assert_eq!(a.shape, vec![1, 512, 512]);
        assert_eq!(a.meta.dtype, "u16");
        assert_eq!(a.meta.pixel_size, Some(vec![1.0, 1.0]));
        assert_eq!(a.values.len(), 512 * 512);

        let min = a.values.iter().copied().fold(f32::INFINITY, f32::min);
        let max = a.values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum: u64 = a.values.iter().map(|&v| v as u64).sum();
        let mean = sum as f64 / a.values.len() as f64;
        assert_eq!(min, 0.0);
        assert_eq!(max, 235.0);
        assert_eq!(sum, 8_331_268);
        assert!((mean - 31.781265258789062).abs() < 1e-12, "mean {mean}");
        assert_eq!(at(&a, 0, 0, 0), 14.0);
        assert_eq!(at(&a, 0, 100, 200), 26.0);
        assert_eq!(at(&a, 0, 511, 511), 37.0);
        assert!(a.values.iter().all(|v| v.fract() == 0.0));

        // Same through the dispatcher and as a stack of one page.
        assert_eq!(read_image(p).unwrap(), a);
        let s = read_tiff_stack(p).unwrap();
        assert_eq!(s.shape, vec![1, 1, 512, 512]);
        assert_eq!(s.values, a.values);

        let t = a.to_tensor(&candle_core::Device::Cpu).unwrap();
        assert_eq!(t.dims(), &[1, 512, 512]);
    }

    /// Reference from tifffile 2026.3.3 + numpy 2.4.6: `mask2d.tif` is (512, 512) uint16, min 0,
    /// max 183, sum 4 978 481, `len(np.unique(a[a != 0])) == 125` (125 labelled nuclei; the labels
    /// are not contiguous).
    #[test]
    fn mask2d_has_125_instances() {
        let a = read_image(Path::new(MASK2D)).unwrap();
        assert_eq!(a.shape, vec![1, 512, 512]);
        assert_eq!(a.meta.dtype, "u16");
        let labels: BTreeSet<u32> = a.values.iter().filter(|&&v| v != 0.0).map(|&v| v as u32).collect();
        assert_eq!(labels.len(), 125);
        assert_eq!(labels.last(), Some(&183));
        let sum: u64 = a.values.iter().map(|&v| v as u64).sum();
        assert_eq!(sum, 4_978_481);
    }

    #[test]
    fn png_gray8_and_gray16_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let (w, h) = (7u32, 5u32);

        let p8 = dir.path().join("g8.png");
        let d8: Vec<u8> = (0..w * h).map(|i| (i * 37 % 256) as u8).collect();
        write_png_gray8(&p8, w, h, &d8).unwrap();
        let a = read_png(&p8).unwrap();
        assert_eq!(a.shape, vec![1, 5, 7]);
        assert_eq!(a.meta.dtype, "u8");
        assert_eq!(a.values, d8.iter().map(|&v| f32::from(v)).collect::<Vec<_>>());
        assert_eq!(at(&a, 0, 1, 2), f32::from(d8[7 + 2]));
        assert_eq!(read_image(&p8).unwrap(), a);

        let p16 = dir.path().join("g16.png");
        let mut d16: Vec<u16> = (0..w * h).map(|i| (i * 1871 % 65536) as u16).collect();
        d16[(w * h - 1) as usize] = 65535;
        write_png_gray16(&p16, w, h, &d16).unwrap();
        let a = read_png(&p16).unwrap();
        assert_eq!(a.shape, vec![1, 5, 7]);
        assert_eq!(a.meta.dtype, "u16");
        assert_eq!(a.values, d16.iter().map(|&v| f32::from(v)).collect::<Vec<_>>());
        assert_eq!(a.values.last(), Some(&65535.0));
        assert_eq!(a.meta.pixel_size, None);

        let err = write_png_gray8(&dir.path().join("bad.png"), 3, 3, &[0; 8]).unwrap_err();
        assert!(matches!(err, Error::Param(_)) && err.to_string().contains("bad.png"));
        let err = write_png_gray16(&dir.path().join("bad.png"), 0, 0, &[]).unwrap_err();
        assert!(matches!(err, Error::Param(_)));
    }

    #[test]
    fn png_rgba_is_channels_first_with_alpha_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("rgba.png");
        let (w, h) = (3u32, 2u32);
        // Pixel (y, x) has channels (10y + x, 100 + ..., 200 + ..., 255 - ...).
        let mut data = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let v = (10 * y + x) as u8;
                data.extend_from_slice(&[v, 100 + v, 200 + v, 255 - v]);
            }
        }
        {
            let file = File::create(&p).unwrap();
            let mut enc = png::Encoder::new(BufWriter::new(file), w, h);
            enc.set_color(png::ColorType::Rgba);
            enc.set_depth(png::BitDepth::Eight);
            enc.set_pixel_dims(Some(png::PixelDimensions { xppu: 2_000_000, yppu: 1_000_000, unit: png::Unit::Meter }));
            let mut wr = enc.write_header().unwrap();
            wr.write_image_data(&data).unwrap();
            wr.finish().unwrap();
        }
        let a = read_png(&p).unwrap();
        assert_eq!(a.shape, vec![4, 2, 3]);
        for y in 0..2 {
            for x in 0..3 {
                let v = (10 * y + x) as f32;
                assert_eq!(at(&a, 0, y, x), v);
                assert_eq!(at(&a, 1, y, x), 100.0 + v);
                assert_eq!(at(&a, 2, y, x), 200.0 + v);
                assert_eq!(at(&a, 3, y, x), 255.0 - v);
            }
        }
        // pHYs: 1e6 px/m in y = 1 µm, 2e6 px/m in x = 0.5 µm.
        assert_eq!(a.meta.pixel_size, Some(vec![1.0, 0.5]));
    }

    #[test]
    fn png_palette_is_expanded() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pal.png");
        {
            let file = File::create(&p).unwrap();
            let mut enc = png::Encoder::new(BufWriter::new(file), 2, 1);
            enc.set_color(png::ColorType::Indexed);
            enc.set_depth(png::BitDepth::Eight);
            enc.set_palette(vec![1, 2, 3, 40, 50, 60]);
            let mut wr = enc.write_header().unwrap();
            wr.write_image_data(&[1, 0]).unwrap();
            wr.finish().unwrap();
        }
        let a = read_png(&p).unwrap();
        assert_eq!(a.shape, vec![3, 1, 2]);
        assert_eq!(a.values, vec![40., 1., 50., 2., 60., 3.]);
    }

    #[test]
    fn truncated_png_and_non_images_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("full.png");
        let data: Vec<u8> = (0..64 * 64).map(|i| (i * 13 % 251) as u8).collect();
        write_png_gray8(&p, 64, 64, &data).unwrap();
        let full = std::fs::read(&p).unwrap();
        for (i, len) in [full.len() - 1, full.len() - 12, full.len() / 2, 40, 12, 8, 3].into_iter().enumerate() {
            let t: PathBuf = dir.path().join(format!("truncated-{i}.png"));
            std::fs::write(&t, &full[..len]).unwrap();
            let err = read_png(&t).unwrap_err();
            assert!(matches!(err, Error::Format { .. }), "{len}: {err:?}");
            assert!(err.to_string().contains(&t.display().to_string()), "{err}");
            // The dispatcher recognises the signature when there is one, and fails alike.
            assert!(read_image(&t).is_err());
        }
        let t = dir.path().join("short.png");
        std::fs::write(&t, &full[..full.len() / 2]).unwrap();
        assert_format_err(read_png(&t).unwrap_err(), &t, "truncated");

        let txt = dir.path().join("notes.txt");
        std::fs::write(&txt, "just some text\n").unwrap();
        assert_format_err(read_image(&txt).unwrap_err(), &txt, "not a PNG or TIFF");
        assert_format_err(read_png(&txt).unwrap_err(), &txt, "PNG");
        assert_format_err(read_tiff(&txt).unwrap_err(), &txt, "TIFF");
        let empty = dir.path().join("empty.tif");
        std::fs::write(&empty, "").unwrap();
        assert_format_err(read_image(&empty).unwrap_err(), &empty, "not a PNG or TIFF");
        let missing = dir.path().join("missing.png");
        let err = read_image(&missing).unwrap_err();
        assert!(matches!(err, Error::Io { .. }) && err.to_string().contains("missing.png"));
    }

    #[test]
    fn tiff_types_and_rgb() {
        let dir = tempfile::tempdir().unwrap();
        let (w, h) = (4u32, 3u32);
        let n = (w * h) as usize;

        let p = dir.path().join("f32.tif");
        let f: Vec<f32> = (0..n).map(|i| i as f32 * -0.5 + 0.25).collect();
        TiffEncoder::new(File::create(&p).unwrap()).unwrap().write_image::<colortype::Gray32Float>(w, h, &f).unwrap();
        let a = read_image(&p).unwrap();
        assert_eq!((a.shape.clone(), a.meta.dtype.as_str()), (vec![1, 3, 4], "f32"));
        assert_eq!(a.values, f);

        let p = dir.path().join("i32.tif");
        let i: Vec<i32> = (0..n as i32).map(|i| i * 1000 - 5000).collect();
        TiffEncoder::new(File::create(&p).unwrap()).unwrap().write_image::<colortype::GrayI32>(w, h, &i).unwrap();
        let a = read_tiff(&p).unwrap();
        assert_eq!((a.shape.clone(), a.meta.dtype.as_str()), (vec![1, 3, 4], "i32"));
        assert_eq!(a.values, i.iter().map(|&v| v as f32).collect::<Vec<_>>());

        let p = dir.path().join("u8.tif");
        let b: Vec<u8> = (0..n as u8).map(|v| v * 20).collect();
        TiffEncoder::new(File::create(&p).unwrap()).unwrap().write_image::<colortype::Gray8>(w, h, &b).unwrap();
        let a = read_tiff(&p).unwrap();
        assert_eq!(a.meta.dtype, "u8");
        assert_eq!(a.values, b.iter().map(|&v| f32::from(v)).collect::<Vec<_>>());

        // RGB16, pixel-interleaved in the file, channels-first here.
        let p = dir.path().join("rgb16.tif");
        let mut rgb = Vec::new();
        for k in 0..n as u16 {
            rgb.extend_from_slice(&[k, 1000 + k, 60000 + k]);
        }
        TiffEncoder::new(File::create(&p).unwrap()).unwrap().write_image::<colortype::RGB16>(w, h, &rgb).unwrap();
        let a = read_tiff(&p).unwrap();
        assert_eq!((a.shape.clone(), a.meta.dtype.as_str()), (vec![3, 3, 4], "u16"));
        for y in 0..3 {
            for x in 0..4 {
                let k = (y * 4 + x) as f32;
                assert_eq!(at(&a, 0, y, x), k);
                assert_eq!(at(&a, 1, y, x), 1000.0 + k);
                assert_eq!(at(&a, 2, y, x), 60000.0 + k);
            }
        }
    }

    #[test]
    fn tiff_resolution_gives_pixel_size_in_micrometres() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("res.tif");
        {
            let mut enc = TiffEncoder::new(File::create(&p).unwrap()).unwrap();
            let mut img = enc.new_image::<colortype::Gray16>(2, 2).unwrap();
            img.resolution_unit(ResolutionUnit::Centimeter);
            img.x_resolution(Rational { n: 20_000, d: 1 }); // 0.5 µm
            img.y_resolution(Rational { n: 40_000, d: 3 }); // 0.75 µm
            img.write_data(&[1, 2, 3, 4]).unwrap();
        }
        let a = read_tiff(&p).unwrap();
        let ps = a.meta.pixel_size.unwrap();
        assert_eq!(ps.len(), 2);
        assert!((ps[0] - 0.75).abs() < 1e-12 && (ps[1] - 0.5).abs() < 1e-12, "{ps:?}");
        assert_eq!(a.values, vec![1., 2., 3., 4.]);
    }

    #[test]
    fn tiff_stacks() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("stack.tif");
        {
            let mut enc = TiffEncoder::new(File::create(&p).unwrap()).unwrap();
            for z in 0..3u16 {
                let page: Vec<u16> = (0..6).map(|i| z * 100 + i).collect();
                enc.write_image::<colortype::Gray16>(3, 2, &page).unwrap();
            }
        }
        let s = read_tiff_stack(&p).unwrap();
        assert_eq!(s.shape, vec![3, 1, 2, 3]);
        assert_eq!(s.meta.dtype, "u16");
        let expected: Vec<f32> = (0..3).flat_map(|z| (0..6).map(move |i| (z * 100 + i) as f32)).collect();
        assert_eq!(s.values, expected);
        // read_tiff reads the first page only.
        let first = read_tiff(&p).unwrap();
        assert_eq!(first.shape, vec![1, 2, 3]);
        assert_eq!(first.values, expected[..6]);

        let p = dir.path().join("ragged.tif");
        {
            let mut enc = TiffEncoder::new(File::create(&p).unwrap()).unwrap();
            enc.write_image::<colortype::Gray16>(3, 2, &[0; 6]).unwrap();
            enc.write_image::<colortype::Gray16>(2, 2, &[0; 4]).unwrap();
        }
        assert_format_err(read_tiff_stack(&p).unwrap_err(), &p, "page 1");

        let p = dir.path().join("mixed.tif");
        {
            let mut enc = TiffEncoder::new(File::create(&p).unwrap()).unwrap();
            enc.write_image::<colortype::Gray16>(2, 2, &[0; 4]).unwrap();
            enc.write_image::<colortype::Gray8>(2, 2, &[0; 4]).unwrap();
        }
        assert_format_err(read_tiff_stack(&p).unwrap_err(), &p, "page 1");
    }

    #[test]
    fn truncated_tiff_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let full = std::fs::read(IMG2D).unwrap();
        for (i, len) in [full.len() - 1, full.len() / 2, 300, 16, 7, 4].into_iter().enumerate() {
            let t = dir.path().join(format!("cut-{i}.tif"));
            std::fs::write(&t, &full[..len]).unwrap();
            let err = read_tiff(&t).unwrap_err();
            assert!(err.to_string().contains(&t.display().to_string()), "{err}");
            assert!(read_tiff_stack(&t).is_err());
        }
    }
}
