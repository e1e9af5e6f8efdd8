//! FITS files through cfitsio (the `fitsio` crate): the HDU list, header cards, images of every
//! BITPIX with BSCALE/BZERO applied (including the unsigned conventions), BLANK and NaN pixels as
//! masked (NaN), tile-compressed images (RICE, GZIP, HCOMPRESS, PLIO: cfitsio decompresses them),
//! one plane of a data cube, and binary tables written and read back.
//!
//! HDUs are numbered from 0 (the primary), as astropy does, or chosen by `EXTNAME`. Images come
//! out row-major `[y][x]`, `x` the fastest axis (FITS axis 1), as numpy shows them.

use crate::{Error, Result};
use fitsio::FitsFile;
use fitsio::hdu::HduInfo;
use fitsio::images::ImageType;
use std::ffi::CStr;
use std::path::Path;

/// One header card.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Card {
    /// Keyword.
    pub key: String,
    /// Value as written (strings without their quotes), if the card has one.
    pub value: Option<String>,
    /// Comment.
    pub comment: String,
}

/// The cards of one header.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Header {
    /// The cards in file order.
    pub cards: Vec<Card>,
}

impl Header {
    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.cards.iter().find(|c| c.key == key).and_then(|c| c.value.as_deref())
    }

    /// The value of `key` as a number (FITS allows `D` exponents).
    pub fn number(&self, key: &str) -> Option<f64> {
        self.get(key).and_then(|v| v.trim().replace(['D', 'd'], "E").parse().ok())
    }

    /// The value of `key` as text.
    pub fn text(&self, key: &str) -> Option<String> {
        self.get(key).map(|v| v.trim().to_string())
    }
}

/// Splits an 80-character card into keyword, value and comment.
pub fn parse_card(card: &str) -> Card {
    let key = card.get(..8).unwrap_or(card).trim().to_string();
    let rest = card.get(8..).unwrap_or("");
    if !rest.starts_with("= ") && !rest.starts_with("=") || key == "COMMENT" || key == "HISTORY" || key.is_empty() {
        return Card { key, value: None, comment: rest.trim().to_string() };
    }
    let body = rest[1..].trim_start();
    if let Some(stripped) = body.strip_prefix('\'') {
        // A string: '' is an escaped quote; the string ends at a lone quote.
        let mut value = String::new();
        let mut chars = stripped.chars().peekable();
        let mut consumed = 1;
        while let Some(c) = chars.next() {
            consumed += c.len_utf8();
            if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                    consumed += 1;
                    value.push('\'');
                    continue;
                }
                break;
            }
            value.push(c);
        }
        let after = &body[consumed.min(body.len())..];
        let comment = after.split_once('/').map(|(_, c)| c.trim().to_string()).unwrap_or_default();
        return Card { key, value: Some(value.trim_end().to_string()), comment };
    }
    let (v, c) = body.split_once('/').unwrap_or((body, ""));
    Card { key, value: Some(v.trim().to_string()), comment: c.trim().to_string() }
}

/// What an HDU holds.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HduSummary {
    /// Index from 0 (the primary HDU).
    pub index: usize,
    /// `EXTNAME`, or `PRIMARY` for HDU 0 without one.
    pub name: String,
    /// `image`, `compressed image`, `binary table` or `ascii table`.
    pub kind: String,
    /// BITPIX of the pixels (ZBITPIX for a compressed image); none for tables.
    pub bitpix: Option<i64>,
    /// Image shape (numpy order, slowest axis first) or `[rows]` for tables.
    pub shape: Vec<usize>,
}

/// An HDU chosen by index (from 0) or by `EXTNAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HduSel {
    /// Index from 0.
    Index(usize),
    /// `EXTNAME` (case-insensitive).
    Name(String),
}

impl HduSel {
    /// `"2"` is an index, anything else a name.
    pub fn parse(s: &str) -> HduSel {
        s.trim().parse().map(HduSel::Index).unwrap_or_else(|_| HduSel::Name(s.trim().to_string()))
    }
}

impl std::fmt::Display for HduSel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HduSel::Index(i) => write!(f, "HDU {i}"),
            HduSel::Name(n) => write!(f, "HDU '{n}'"),
        }
    }
}

/// An image with its header; masked pixels (BLANK, NaN) are NaN.
#[derive(Debug, Clone)]
pub struct Image {
    /// Pixels, row-major `[y][x]`.
    pub data: Vec<f64>,
    /// Width (FITS axis 1).
    pub width: usize,
    /// Height (FITS axis 2).
    pub height: usize,
    /// The header of the HDU.
    pub header: Header,
    /// The HDU's index.
    pub hdu: usize,
}

impl Image {
    /// The pixel at column `x`, row `y`.
    pub fn at(&self, x: usize, y: usize) -> f64 {
        self.data[y * self.width + x]
    }

    /// Number of masked pixels.
    pub fn masked(&self) -> usize {
        self.data.iter().filter(|v| v.is_nan()).count()
    }
}

fn check_magic(path: &Path) -> Result<()> {
    use std::io::Read;
    let mut head = [0u8; 9];
    let mut f = std::fs::File::open(path).map_err(|e| Error::input(path, format!("cannot open: {e}")))?;
    let n = f.read(&mut head).map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
    if n < 9 || &head != b"SIMPLE  =" {
        return Err(Error::input(path, "not a FITS file: it does not start with the `SIMPLE  =` card"));
    }
    Ok(())
}

fn open(path: &Path) -> Result<FitsFile> {
    check_magic(path)?;
    FitsFile::open(path).map_err(|e| Error::input(path, format!("cannot open the FITS file: {e}")))
}

/// The raw header cards of the current HDU of `f`.
fn header_cards(f: &mut FitsFile, path: &Path, hdu: usize) -> Result<Header> {
    let (mut nkeys, mut more, mut status) = (0i32, 0i32, 0i32);
    // SAFETY: the pointer comes from an open FitsFile whose current HDU was just selected; cfitsio
    // writes at most 81 bytes (FLEN_CARD) into `buf`.
    unsafe {
        fitsio::sys::ffghsp(f.as_raw(), &mut nkeys, &mut more, &mut status);
    }
    if status != 0 {
        return Err(Error::input(path, format!("HDU {hdu}: cannot read the header (cfitsio status {status})")));
    }
    let mut cards = Vec::with_capacity(nkeys as usize);
    for k in 1..=nkeys {
        let mut buf = [0 as std::os::raw::c_char; 81];
        // SAFETY: as above.
        unsafe {
            fitsio::sys::ffgrec(f.as_raw(), k, buf.as_mut_ptr(), &mut status);
        }
        if status != 0 {
            return Err(Error::input(
                path,
                format!("HDU {hdu}: cannot read header card {k} (cfitsio status {status})"),
            ));
        }
        // SAFETY: cfitsio null-terminates the card.
        let text = unsafe { CStr::from_ptr(buf.as_ptr()) }.to_string_lossy().into_owned();
        cards.push(parse_card(&text));
    }
    Ok(Header { cards })
}

fn bitpix_of(t: &ImageType) -> i64 {
    match t {
        ImageType::UnsignedByte => 8,
        ImageType::Byte => 8,
        ImageType::Short | ImageType::UnsignedShort => 16,
        ImageType::Long | ImageType::UnsignedLong => 32,
        ImageType::LongLong => 64,
        ImageType::Float => -32,
        ImageType::Double => -64,
    }
}

/// The binary-table columns of `h` whose type the fitsio crate cannot describe (it panics on them):
/// complex (`C`, `M`) and variable-length arrays (`P`, `Q`), as `(column number, TFORM)`.
fn undescribable_columns(h: &Header) -> Vec<(usize, String)> {
    // A tile-compressed image is a binary table of variable-length arrays that cfitsio (and fitsio)
    // read as an image.
    if h.text("XTENSION").as_deref() != Some("BINTABLE") || h.get("ZIMAGE") == Some("T") {
        return Vec::new();
    }
    h.cards
        .iter()
        .filter_map(|c| {
            let k: usize = c.key.strip_prefix("TFORM")?.parse().ok()?;
            let v = c.value.as_deref()?.trim().to_string();
            let letter = v.trim_start_matches(|ch: char| ch.is_ascii_digit()).chars().next()?;
            matches!(letter, 'C' | 'M' | 'P' | 'Q').then_some((k, v))
        })
        .collect()
}

/// Makes HDU `i` (0-based) current without asking fitsio to describe it, and returns its header.
fn raw_header(f: &mut FitsFile, path: &Path, i: usize) -> Result<Header> {
    let (mut kind, mut status) = (0i32, 0i32);
    // SAFETY: the pointer comes from an open FitsFile; cfitsio writes two scalars.
    unsafe {
        fitsio::sys::ffmahd(f.as_raw(), i as i32 + 1, &mut kind, &mut status);
    }
    if status != 0 {
        return Err(Error::input(path, format!("HDU {i}: cannot move to it (cfitsio status {status})")));
    }
    header_cards(f, path, i)
}

/// Lists the HDUs of a FITS file.
pub fn list_hdus(path: &Path) -> Result<Vec<HduSummary>> {
    let mut f = open(path)?;
    let n = f.num_hdus().map_err(|e| Error::input(path, format!("cannot count HDUs: {e}")))?;
    (0..n)
        .map(|i| {
            let raw = raw_header(&mut f, path, i)?;
            if !undescribable_columns(&raw).is_empty() {
                let name = raw.text("EXTNAME").unwrap_or_default();
                let rows = raw.number("NAXIS2").unwrap_or(0.0) as usize;
                return Ok(HduSummary { index: i, name, kind: "binary table".into(), bitpix: None, shape: vec![rows] });
            }
            let hdu = f.hdu(i).map_err(|e| Error::input(path, format!("HDU {i}: {e}")))?;
            let header = raw;
            let name = header.text("EXTNAME").unwrap_or_else(|| if i == 0 { "PRIMARY".into() } else { String::new() });
            let compressed = header.get("ZIMAGE") == Some("T");
            Ok(match &hdu.info {
                HduInfo::ImageInfo { shape, image_type } => HduSummary {
                    index: i,
                    name,
                    kind: if compressed { "compressed image" } else { "image" }.into(),
                    bitpix: Some(
                        header
                            .number(if compressed { "ZBITPIX" } else { "BITPIX" })
                            .map_or(bitpix_of(image_type), |b| b as i64),
                    ),
                    shape: shape.clone(),
                },
                HduInfo::TableInfo { num_rows, .. } => HduSummary {
                    index: i,
                    name,
                    kind: if header.text("XTENSION").as_deref() == Some("TABLE") {
                        "ascii table"
                    } else {
                        "binary table"
                    }
                    .into(),
                    bitpix: None,
                    shape: vec![*num_rows],
                },
                HduInfo::AnyInfo => {
                    HduSummary { index: i, name, kind: "unknown".into(), bitpix: None, shape: Vec::new() }
                }
            })
        })
        .collect()
}

fn resolve(path: &Path, hdus: &[HduSummary], sel: &HduSel) -> Result<usize> {
    match sel {
        HduSel::Index(i) if *i < hdus.len() => Ok(*i),
        HduSel::Index(i) => Err(Error::input(
            path,
            format!("HDU {i} does not exist: the file has {} HDUs (0..{})", hdus.len(), hdus.len() - 1),
        )),
        HduSel::Name(n) => hdus.iter().find(|h| h.name.eq_ignore_ascii_case(n)).map(|h| h.index).ok_or_else(|| {
            let names: Vec<String> = hdus.iter().map(|h| format!("{} {}", h.index, h.name)).collect();
            Error::input(path, format!("no HDU named '{n}' (HDUs: {})", names.join(", ")))
        }),
    }
}

/// Picks the HDU to read an image from: `sel`, or the first image HDU with data (the primary, or
/// the first extension when the primary is empty, as many instruments write).
pub fn image_hdu(path: &Path, sel: Option<&HduSel>) -> Result<usize> {
    let hdus = list_hdus(path)?;
    let i = match sel {
        Some(s) => resolve(path, &hdus, s)?,
        None => hdus
            .iter()
            .find(|h| h.kind.ends_with("image") && !h.shape.is_empty() && h.shape.iter().product::<usize>() > 0)
            .map(|h| h.index)
            .ok_or_else(|| {
                let kinds: Vec<String> = hdus.iter().map(|h| format!("HDU {} {}", h.index, h.kind)).collect();
                Error::input(path, format!("not an image file: no HDU holds pixels ({})", kinds.join(", ")))
            })?,
    };
    let h = &hdus[i];
    if !h.kind.ends_with("image") {
        return Err(Error::input(path, format!("HDU {i} ({}) is a {}, not an image", h.name, h.kind)));
    }
    if h.shape.is_empty() || h.shape.iter().product::<usize>() == 0 {
        return Err(Error::input(path, format!("HDU {i} ({}) holds no pixels (NAXIS = 0)", h.name)));
    }
    Ok(i)
}

/// Reads a 2-D image (or plane `plane` of a 3-D cube) from the HDU `sel` (default: see
/// [`image_hdu`]). Physical values (BSCALE/BZERO applied); BLANK pixels and NaN become NaN.
pub fn read_image(path: &Path, sel: Option<&HduSel>, plane: Option<usize>) -> Result<Image> {
    let index = image_hdu(path, sel)?;
    let mut f = open(path)?;
    let hdu = f.hdu(index).map_err(|e| Error::input(path, format!("HDU {index}: {e}")))?;
    let header = header_cards(&mut f, path, index)?;
    let HduInfo::ImageInfo { shape, .. } = &hdu.info else {
        return Err(Error::input(path, format!("HDU {index} is not an image")));
    };
    let shape = shape.clone();
    let (planes, height, width) = match shape.as_slice() {
        [h, w] => (1, *h, *w),
        [p, h, w] => (*p, *h, *w),
        [1, p, h, w] => (*p, *h, *w),
        other => {
            return Err(Error::input(
                path,
                format!("HDU {index}: images of shape {other:?} are not supported (2-D, or 3-D cubes)"),
            ));
        }
    };
    let k = match (planes, plane) {
        (1, None | Some(0)) => 0,
        (_, Some(k)) if k < planes => k,
        (_, Some(k)) => {
            return Err(Error::input(path, format!("HDU {index}: plane {k} does not exist (the cube has {planes})")));
        }
        (_, None) => {
            return Err(Error::input(
                path,
                format!("HDU {index} is a cube of {planes} planes; choose one with --plane"),
            ));
        }
    };
    let n = width * height;
    let data: Vec<f64> = hdu.read_section(&mut f, k * n, (k + 1) * n).map_err(|e| {
        Error::input(path, format!("HDU {index}: cannot read the pixels (truncated or corrupt file?): {e}"))
    })?;
    let compressed = header.get("ZIMAGE") == Some("T");
    let key = |k: &str| if compressed { format!("Z{k}") } else { k.to_string() };
    let blank = header.number(&key("BLANK")).or_else(|| header.number("BLANK"));
    let int_image = header.number(&key("BITPIX")).is_some_and(|b| b > 0.0);
    let data = match blank.filter(|_| int_image) {
        Some(b) => {
            let scale = header.number(&key("BSCALE")).or_else(|| header.number("BSCALE")).unwrap_or(1.0);
            let zero = header.number(&key("BZERO")).or_else(|| header.number("BZERO")).unwrap_or(0.0);
            let masked = zero + scale * b;
            data.into_iter().map(|v| if v == masked { f64::NAN } else { v }).collect()
        }
        None => data,
    };
    Ok(Image { data, width, height, header, hdu: index })
}

/// Writes header cards: values that read as numbers are written as numbers, the rest as strings.
fn write_cards(
    hdu: &fitsio::hdu::FitsHdu,
    f: &mut FitsFile,
    cards: &[(String, String, String)],
) -> fitsio::errors::Result<()> {
    for (k, v, c) in cards {
        match v.trim().replace(['D', 'd'], "E").parse::<f64>() {
            Ok(x) if v.trim().parse::<i64>().is_ok() => hdu.write_key(f, k, (x as i64, c.as_str()))?,
            Ok(x) => hdu.write_key(f, k, (x, c.as_str()))?,
            Err(_) => hdu.write_key(f, k, (v.as_str(), c.as_str()))?,
        }
    }
    Ok(())
}

/// Writes a FITS file through `body` into a temporary sibling and renames it over `path`, so a
/// failure leaves no partial file (and an older `path` untouched); `what` names the content in the
/// error.
fn write_atomically(
    path: &Path,
    what: &str,
    body: impl FnOnce(&Path) -> std::result::Result<(), fitsio::errors::Error>,
) -> Result<()> {
    let tmp = path.with_extension("fits.partial");
    let _ = std::fs::remove_file(&tmp);
    match body(&tmp) {
        Ok(()) => std::fs::rename(&tmp, path).map_err(|e| Error::input(path, format!("cannot write: {e}"))),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(Error::input(path, format!("cannot write the FITS {what}: {e}")))
        }
    }
}

/// Writes a catalog as a FITS binary table (primary HDU empty, table EXTNAME `CATALOG`) with one
/// `D` (f64) column per entry of `columns`, plus `cards` (key, value, comment) in the table header.
/// The file is written beside `path` and renamed over it.
pub fn write_table(path: &Path, columns: &[(String, Vec<f64>)], cards: &[(String, String, String)]) -> Result<()> {
    use fitsio::tables::{ColumnDataType, ColumnDescription};
    write_atomically(path, "table", |tmp| {
        let mut f = FitsFile::create(&tmp).open()?;
        let descs: Vec<_> = columns
            .iter()
            .map(|(n, _)| ColumnDescription::new(n).with_type(ColumnDataType::Double).create())
            .collect::<std::result::Result<_, _>>()?;
        let hdu = f.create_table("CATALOG", &descs)?;
        for (n, v) in columns {
            hdu.write_col(&mut f, n, v)?;
        }
        write_cards(&hdu, &mut f, cards)?;
        Ok(())
    })
}

/// Writes a 2-D float32 image (`width` x `height`, row-major) as the primary HDU, with `cards`
/// (key, value, comment) copied into its header; atomically, like [`write_table`].
pub fn write_image(
    path: &Path,
    data: &[f32],
    width: usize,
    height: usize,
    cards: &[(String, String, String)],
) -> Result<()> {
    use fitsio::images::{ImageDescription, ImageType};
    write_atomically(path, "image", |tmp| {
        let desc = ImageDescription { data_type: ImageType::Float, dimensions: &[height, width] };
        let mut f = FitsFile::create(&tmp).with_custom_primary(&desc).open()?;
        let hdu = f.primary_hdu()?;
        hdu.write_image(&mut f, data)?;
        write_cards(&hdu, &mut f, cards)?;
        Ok(())
    })
}

/// The WCS header cards of `h` (to copy into derived images such as maps).
pub fn wcs_cards(h: &Header) -> Vec<(String, String, String)> {
    const KEYS: &[&str] = &[
        "CTYPE1", "CTYPE2", "CRPIX1", "CRPIX2", "CRVAL1", "CRVAL2", "CDELT1", "CDELT2", "CD1_1", "CD1_2", "CD2_1",
        "CD2_2", "PC1_1", "PC1_2", "PC2_1", "PC2_2", "CROTA2", "EQUINOX", "RADESYS", "LONPOLE",
    ];
    h.cards
        .iter()
        .filter(|c| KEYS.contains(&c.key.as_str()))
        .filter_map(|c| c.value.clone().map(|v| (c.key.clone(), v, c.comment.clone())))
        .collect()
}

/// Reads the numeric columns of a binary table HDU as f64 columns (name, values).
pub fn read_table(path: &Path, sel: &HduSel) -> Result<Vec<(String, Vec<f64>)>> {
    let hdus = list_hdus(path)?;
    let index = resolve(path, &hdus, sel)?;
    let mut f = open(path)?;
    if let Some((k, tform)) = undescribable_columns(&raw_header(&mut f, path, index)?).first() {
        return Err(Error::input(
            path,
            format!("HDU {index}: column {k} has TFORM '{tform}', which scidl does not read"),
        ));
    }
    let hdu = f.hdu(index).map_err(|e| Error::input(path, format!("HDU {index}: {e}")))?;
    let HduInfo::TableInfo { column_descriptions, .. } = &hdu.info else {
        return Err(Error::input(path, format!("HDU {index} is an image, not a table")));
    };
    let names: Vec<String> = column_descriptions.iter().map(|c| c.name.clone()).collect();
    let mut out = Vec::new();
    for n in names {
        if let Ok(v) = hdu.read_col::<f64>(&mut f, &n) {
            out.push((n, v));
        }
    }
    Ok(out)
}

// -------------------------------------------------------------------------------------------------
// Tables as polars DataFrames

/// cfitsio's type codes (`fitsio.h`).
const TBIT: i32 = 1;
const TLOGICAL: i32 = 14;
const TSTRING: i32 = 16;
const TFLOAT: i32 = 42;
const TDOUBLE: i32 = 82;

/// Reads a binary or ASCII table HDU into a DataFrame, one column per FITS column, typed as FITS
/// types them: integers (any width, BZERO/TZERO applied) as `i64`, reals as `f64`, logicals as
/// `bool`, strings as `str`, bit fields (`nX`) as strings of `0`/`1`. Undefined values (`TNULLn`
/// integers, NaN reals, undefined logicals) become nulls. A vector column (`rT` with `r > 1`) is
/// spread over columns `NAME_0 .. NAME_{r-1}`.
pub fn read_table_df(path: &Path, sel: &HduSel) -> Result<polars::prelude::DataFrame> {
    use polars::prelude::{Column, DataFrame};
    let hdus = list_hdus(path)?;
    let index = resolve(path, &hdus, sel)?;
    let mut f = open(path)?;
    let header = raw_header(&mut f, path, index)?;
    if let Some((k, tform)) = undescribable_columns(&header).first() {
        return Err(Error::input(
            path,
            format!(
                "HDU {index}: column {k} has TFORM '{tform}' (complex or variable-length arrays), which scidl does not read"
            ),
        ));
    }
    let hdu = f.hdu(index).map_err(|e| Error::input(path, format!("HDU {index}: {e}")))?;
    let HduInfo::TableInfo { column_descriptions, num_rows } = &hdu.info else {
        return Err(Error::input(path, format!("HDU {index} is an image, not a table")));
    };
    let rows = *num_rows;
    let names: Vec<String> = column_descriptions.iter().map(|c| c.name.clone()).collect();
    let fail = |what: String, status: i32| Error::input(path, format!("HDU {index}: {what} (cfitsio status {status})"));
    let mut columns = Vec::new();
    for (k, name) in names.iter().enumerate() {
        let colnum = k as i32 + 1;
        let (mut typecode, mut repeat, mut width, mut status) = (0i32, 0i64, 0i64, 0i32);
        // SAFETY: the file is open on this HDU (selected by `f.hdu`); cfitsio writes three scalars.
        unsafe {
            fitsio::sys::ffgtcl(
                f.as_raw(),
                colnum,
                &mut typecode,
                &mut repeat as *mut i64 as *mut _,
                &mut width as *mut i64 as *mut _,
                &mut status,
            );
        }
        if status != 0 {
            return Err(fail(format!("cannot read the type of column {name}"), status));
        }
        if typecode < 0 {
            return Err(Error::input(
                path,
                format!("HDU {index}: column {name} holds variable-length arrays, which scidl does not read"),
            ));
        }
        let repeat = repeat.max(0) as usize;
        if typecode == TSTRING {
            let hdu = f.hdu(index).map_err(|e| Error::input(path, format!("HDU {index}: {e}")))?;
            let v: Vec<String> = hdu
                .read_col(&mut f, name)
                .map_err(|e| Error::input(path, format!("HDU {index}: column {name}: {e}")))?;
            columns.push(Column::new(
                name.as_str().into(),
                v.iter().map(|s| s.trim_end().to_string()).collect::<Vec<_>>(),
            ));
            continue;
        }
        if typecode == TBIT {
            let mut bits = vec![0 as std::os::raw::c_char; rows * repeat];
            let mut text = Vec::with_capacity(rows);
            for r in 0..rows {
                // SAFETY: `bits` has room for `repeat` flags from this row.
                unsafe {
                    fitsio::sys::ffgcx(
                        f.as_raw(),
                        colnum,
                        r as i64 + 1,
                        1,
                        repeat as i64,
                        bits[r * repeat..].as_mut_ptr(),
                        &mut status,
                    );
                }
                if status != 0 {
                    return Err(fail(format!("cannot read bit column {name}"), status));
                }
                text.push(
                    bits[r * repeat..(r + 1) * repeat]
                        .iter()
                        .map(|&b| if b != 0 { '1' } else { '0' })
                        .collect::<String>(),
                );
            }
            columns.push(Column::new(name.as_str().into(), text));
            continue;
        }
        let n = rows * repeat;
        let mut nul = vec![0 as std::os::raw::c_char; n];
        let mut anynul = 0i32;
        let label = |j: usize| if repeat <= 1 { name.clone() } else { format!("{name}_{j}") };
        if n == 0 {
            // Zero-width columns hold nothing; an empty table keeps its columns (empty, as f64).
            if rows == 0 {
                for j in 0..repeat.max(1) {
                    columns.push(Column::new(label(j).as_str().into(), Vec::<Option<f64>>::new()));
                }
            }
            continue;
        }
        // One cfitsio reader per element type: values and null flags for all `n` cells, spread over
        // `repeat` columns.
        macro_rules! read_cells {
            ($read:path, $zero:expr, $conv:expr) => {{
                let mut v = vec![$zero; n];
                // SAFETY: the file is open on this HDU; `v` and `nul` hold the `n` cells asked for.
                unsafe {
                    $read(
                        f.as_raw(),
                        colnum,
                        1,
                        1,
                        n as i64,
                        v.as_mut_ptr() as *mut _,
                        nul.as_mut_ptr(),
                        &mut anynul,
                        &mut status,
                    );
                }
                if status != 0 {
                    return Err(fail(format!("cannot read column {name}"), status));
                }
                for j in 0..repeat {
                    let c: Vec<Option<_>> =
                        (0..rows).map(|r| r * repeat + j).map(|i| (nul[i] == 0).then(|| $conv(v[i]))).collect();
                    columns.push(Column::new(label(j).as_str().into(), c));
                }
            }};
        }
        if typecode == TLOGICAL {
            read_cells!(fitsio::sys::ffgcfl, 0 as std::os::raw::c_char, |b: std::os::raw::c_char| b != 0);
        } else if typecode == TFLOAT || typecode == TDOUBLE || has_scaling(&header, colnum) {
            read_cells!(fitsio::sys::ffgcfd, 0f64, |x: f64| x);
        } else {
            read_cells!(fitsio::sys::ffgcfjj, 0i64, |x: i64| x);
        }
    }
    DataFrame::new(rows, columns).map_err(|e| Error::input(path, format!("HDU {index}: {e}")))
}

/// Whether an integer column carries a non-trivial scale (`TSCALn != 1`, or a `TZEROn` other than
/// the unsigned-integer offsets): then its values are reals.
fn has_scaling(header: &Header, colnum: i32) -> bool {
    let scale = header.number(&format!("TSCAL{colnum}"));
    let zero = header.number(&format!("TZERO{colnum}"));
    let unsigned_offsets = [0.0, 128.0, -128.0, 32768.0, 2147483648.0, 9223372036854775808.0];
    scale.is_some_and(|s| s != 1.0) || zero.is_some_and(|z| !unsigned_offsets.contains(&z))
}

/// Writes a DataFrame as a FITS binary table (primary HDU empty, table EXTNAME `extname`): integer
/// columns as 64-bit integers (`K`; nulls as `TNULLn` = i64::MIN), reals as doubles (`D`; nulls as
/// NaN), booleans as logicals (`L`, written as 0/1 bytes), strings as `nA` with `n` the longest
/// value. Other dtypes (dates, lists) are refused with the column named. Atomic, like
/// [`write_table`].
pub fn write_table_df(
    path: &Path,
    df: &polars::prelude::DataFrame,
    extname: &str,
    cards: &[(String, String, String)],
) -> Result<()> {
    use fitsio::tables::{ColumnDataDescription, ColumnDataType, ConcreteColumnDescription};
    use polars::prelude::DataType;
    enum Data {
        Int(Vec<i64>, bool),
        Real(Vec<f64>),
        Bool(Vec<Option<bool>>),
        Text(Vec<String>),
    }
    let mut cols = Vec::new();
    for c in df.columns() {
        let name = c.name().to_string();
        let bad = |e: String| Error::input(path, format!("column {name}: {e}"));
        let data = match c.dtype() {
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32 => {
                let s = c.cast(&DataType::Int64).map_err(|e| bad(e.to_string()))?;
                let ca = s.i64().map_err(|e| bad(e.to_string()))?;
                Data::Int(ca.iter().map(|v| v.unwrap_or(i64::MIN)).collect(), ca.null_count() > 0)
            }
            DataType::Float32 | DataType::Float64 | DataType::UInt64 => {
                let s = c.cast(&DataType::Float64).map_err(|e| bad(e.to_string()))?;
                let ca = s.f64().map_err(|e| bad(e.to_string()))?;
                Data::Real(ca.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
            }
            DataType::Boolean => {
                let ca = c.bool().map_err(|e| bad(e.to_string()))?;
                Data::Bool(ca.iter().collect())
            }
            DataType::String => {
                let ca = c.str().map_err(|e| bad(e.to_string()))?;
                Data::Text(ca.iter().map(|v| v.unwrap_or("").to_string()).collect())
            }
            other => return Err(bad(format!("{other} columns cannot be written to a FITS table"))),
        };
        cols.push((name, data));
    }
    write_atomically(path, "table", |tmp| {
        let mut f = FitsFile::create(&tmp).open()?;
        let descs: Vec<ConcreteColumnDescription> = cols
            .iter()
            .map(|(n, d)| {
                let (typ, width) = match d {
                    Data::Int(..) => (ColumnDataType::LongLong, 1),
                    Data::Real(_) => (ColumnDataType::Double, 1),
                    Data::Bool(_) => (ColumnDataType::Logical, 1),
                    Data::Text(v) => (ColumnDataType::String, v.iter().map(String::len).max().unwrap_or(1).max(1)),
                };
                let mut dd = ColumnDataDescription::scalar(typ);
                if let Data::Text(_) = d {
                    dd = ColumnDataDescription::vector(ColumnDataType::String, width);
                }
                ConcreteColumnDescription { name: n.clone(), data_type: dd }
            })
            .collect();
        let hdu = f.create_table(extname, &descs)?;
        for (k, (n, d)) in cols.iter().enumerate() {
            match d {
                Data::Int(v, nulls) => {
                    hdu.write_col(&mut f, n, v.as_slice())?;
                    if *nulls {
                        hdu.write_key(&mut f, &format!("TNULL{}", k + 1), i64::MIN)?;
                    }
                }
                Data::Real(v) => {
                    hdu.write_col(&mut f, n, v.as_slice())?;
                }
                Data::Bool(v) => {
                    let colnum = k as i32 + 1;
                    let mut flags: Vec<std::os::raw::c_char> =
                        v.iter().map(|b| i8::from(b.unwrap_or(false)) as _).collect();
                    let mut status = 0;
                    // SAFETY: the new table is the current HDU; `flags` holds one value per row.
                    unsafe {
                        fitsio::sys::ffpcll(
                            f.as_raw(),
                            colnum,
                            1,
                            1,
                            flags.len() as i64,
                            flags.as_mut_ptr(),
                            &mut status,
                        );
                        for (r, b) in v.iter().enumerate() {
                            if b.is_none() {
                                fitsio::sys::ffpclu(f.as_raw(), colnum, r as i64 + 1, 1, 1, &mut status);
                            }
                        }
                    }
                    fitsio::errors::check_status(status)?;
                    let _ = n;
                }
                Data::Text(v) => {
                    hdu.write_col(&mut f, n, v.as_slice())?;
                }
            }
        }
        write_cards(&hdu, &mut f, cards)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_split_into_key_value_comment() {
        let c = parse_card("CTYPE1  = 'RA---TAN'           / projection                                     ");
        assert_eq!(
            (c.key.as_str(), c.value.as_deref(), c.comment.as_str()),
            ("CTYPE1", Some("RA---TAN"), "projection")
        );
        let c = parse_card("OBJECT  = 'O''Brien / x'  / quoted");
        assert_eq!(c.value.as_deref(), Some("O'Brien / x"));
        assert_eq!(c.comment, "quoted");
        let c = parse_card("CDELT1  =          -2.7778D-04 / deg");
        let h = Header { cards: vec![c] };
        assert_eq!(h.number("CDELT1"), Some(-2.7778e-4));
        assert_eq!(parse_card("HISTORY made by = someone").value, None);
    }
}

#[cfg(test)]
mod reference_tests {
    //! Against `tests/fixtures/fits/fits_reference.json` (astropy 8.0.2 on files it wrote from the
    //! real m13 image: every BITPIX, unsigned and scaled integers, BLANK, NaN, extensions, the four
    //! tile compressions, a cube, and broken files).
    use super::*;
    use std::path::PathBuf;

    fn dir() -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fits"))
    }

    fn reference() -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir().join("fits_reference.json")).unwrap()).unwrap()
    }

    fn check_image(file: &str, want: &serde_json::Value, img: &Image) {
        let mut sum = 0.0;
        for v in img.data.iter().filter(|v| !v.is_nan()) {
            sum += v;
        }
        assert!((sum - want["finite_sum"].as_f64().unwrap()).abs() < 1e-6 * sum.abs().max(1.0), "{file}: sum {sum}");
        assert_eq!(img.masked() as u64, want["masked_count"].as_u64().unwrap(), "{file}");
        for (pos, v) in want["pixels"].as_object().unwrap() {
            let p: Vec<usize> = pos.split(',').map(|s| s.parse().unwrap()).collect();
            let (y, x) = (p[p.len() - 2], p[p.len() - 1]);
            match v.as_f64() {
                // serde_json's default float parsing may differ from Python's repr in the last bit.
                Some(v) => assert!(
                    (img.at(x, y) - v).abs() <= 1e-12 * v.abs().max(1.0),
                    "{file} [{pos}]: {} vs {v}",
                    img.at(x, y)
                ),
                None => assert!(img.at(x, y).is_nan(), "{file} [{pos}] should be masked"),
            }
        }
    }

    #[test]
    fn every_pixel_type_scaling_mask_and_compression_reads_as_astropy_does() {
        let r = reference();
        let files = r["files"].as_object().unwrap();
        let mut checked = 0;
        for name in [
            "bitpix_u8.fits",
            "bitpix_i16.fits",
            "bitpix_i32.fits",
            "bitpix_i64.fits",
            "bitpix_f32.fits",
            "bitpix_f64.fits",
            "u16_bzero.fits",
            "scaled_i16.fits",
            "blank_i16.fits",
            "nan_f32.fits",
            "comp_rice.fits",
            "comp_gzip.fits",
            "comp_hcompress.fits",
            "comp_plio.fits",
        ] {
            let want = &files[name]["hdus"];
            let hdu =
                want.as_array().unwrap().iter().find(|h| h["shape"].as_array().is_some_and(|s| !s.is_empty())).unwrap();
            let img = read_image(&dir().join(name), None, None).unwrap();
            assert_eq!(img.hdu as u64, hdu["index"].as_u64().unwrap(), "{name}");
            assert_eq!((img.height, img.width), (64, 64));
            check_image(name, hdu, &img);
            let list = list_hdus(&dir().join(name)).unwrap();
            assert_eq!(list[img.hdu].bitpix, hdu["BITPIX"].as_i64(), "{name}");
            if name.starts_with("comp_") {
                assert_eq!(list[img.hdu].kind, "compressed image");
            }
            checked += 1;
        }
        assert_eq!(checked, 14);
    }

    #[test]
    fn extensions_by_index_and_name_cubes_and_tables() {
        let r = reference();
        let multi = dir().join("multi_ext.fits");
        let list = list_hdus(&multi).unwrap();
        let names: Vec<&str> = list.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["PRIMARY", "SCI", "ERR", "CAT"]);
        assert_eq!(list[3].kind, "binary table");
        let err = read_image(&multi, Some(&HduSel::parse("err")), None).unwrap();
        check_image("multi ERR", &r["files"]["multi_ext.fits"]["hdus"][2], &err);
        let sci = read_image(&multi, None, None).unwrap();
        assert_eq!(sci.hdu, 1, "the empty primary is skipped");
        let e = read_image(&multi, Some(&HduSel::Index(3)), None).unwrap_err().to_string();
        assert!(e.contains("multi_ext.fits") && e.contains("HDU 3") && e.contains("not an image"), "{e}");
        let e = read_image(&multi, Some(&HduSel::Name("DQ".into())), None).unwrap_err().to_string();
        assert!(e.contains("no HDU named 'DQ'"), "{e}");
        let cat = read_table(&multi, &HduSel::Name("CAT".into())).unwrap();
        assert_eq!(cat.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(), ["x", "y"]);

        let cube = dir().join("cube_f32.fits");
        let e = read_image(&cube, None, None).unwrap_err().to_string();
        assert!(e.contains("cube of 3 planes"), "{e}");
        let p2 = read_image(&cube, None, Some(2)).unwrap();
        assert_eq!((p2.at(0, 0), p2.at(20, 10)), (483.0, 663.0));
        assert!(read_image(&cube, None, Some(3)).is_err());
    }

    #[test]
    fn broken_files_are_errors_naming_the_file() {
        for (name, want) in [
            ("truncated.fits", "truncated.fits"),
            ("wrong_magic.fits", "not a FITS file"),
            ("table_only.fits", "not an image"),
        ] {
            let e = read_image(&dir().join(name), None, None);
            let msg = e.as_ref().err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.is_err() && msg.contains(name) && msg.contains(want), "{name}: {msg}");
            assert!(e.unwrap_err().is_bad_input());
        }
        let e = read_image(&dir().join("table_only.fits"), Some(&HduSel::Index(0)), None).unwrap_err().to_string();
        assert!(e.contains("holds no pixels"), "{e}");
    }

    #[test]
    fn catalogs_round_trip_through_a_binary_table() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("cat.fits");
        let cols = vec![("X_IMAGE".to_string(), vec![1.5, 2.5]), ("FLUX".to_string(), vec![10.0, -3.25])];
        write_table(&p, &cols, &[("PIXORIG".into(), "1".into(), "pixel coordinates are 1-based (FITS)".into())])
            .unwrap();
        let back = read_table(&p, &HduSel::Name("CATALOG".into())).unwrap();
        assert_eq!(back, cols);
        let list = list_hdus(&p).unwrap();
        assert_eq!(list[1].shape, [2]);
    }

    /// Tables into DataFrames against astropy 8.0.2 (`tables_reference.json`, written by
    /// `make_table_fixture.py`): every FITS column type, TNULL and NaN as nulls, a vector column
    /// spread over columns, a bit field, and an ASCII table; then the real Chandra event table.
    #[test]
    fn tables_read_into_dataframes_as_astropy_reads_them() {
        let path = dir().join("tables.fits");
        let r: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir().join("tables_reference.json")).unwrap()).unwrap();
        let m = &r["mixed"];
        let df = read_table_df(&path, &HduSel::Name("MIXED".into())).unwrap();
        assert_eq!(df.height(), 3);
        let ints = |c: &str| df.column(c).unwrap().i64().unwrap().iter().collect::<Vec<_>>();
        let reals = |c: &str| df.column(c).unwrap().f64().unwrap().iter().collect::<Vec<_>>();
        let texts =
            |c: &str| df.column(c).unwrap().str().unwrap().iter().map(|v| v.unwrap().to_string()).collect::<Vec<_>>();
        let json_ints = |v: &serde_json::Value| v.as_array().unwrap().iter().map(|x| x.as_i64()).collect::<Vec<_>>();
        let json_reals = |v: &serde_json::Value| v.as_array().unwrap().iter().map(|x| x.as_f64()).collect::<Vec<_>>();
        let json_texts = |v: &serde_json::Value| {
            v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect::<Vec<_>>()
        };
        for c in ["ID16", "N32", "N64"] {
            assert_eq!(ints(c), json_ints(&m[c]), "{c}");
        }
        for c in ["F32", "F64"] {
            assert_eq!(reals(c), json_reals(&m[c]), "{c}");
        }
        let ok: Vec<Option<bool>> = df.column("OK").unwrap().bool().unwrap().iter().collect();
        assert_eq!(ok, m["OK"].as_array().unwrap().iter().map(|x| x.as_bool()).collect::<Vec<_>>());
        assert_eq!(texts("NAME"), json_texts(&m["NAME"]));
        assert_eq!(texts("FLAGS"), json_texts(&m["FLAGS"]));
        for j in 0..3 {
            let want: Vec<Option<f64>> = m["FLUX_APER"].as_array().unwrap().iter().map(|row| row[j].as_f64()).collect();
            assert_eq!(reals(&format!("FLUX_APER_{j}")), want);
        }
        let a = &r["ascii"];
        let asc = read_table_df(&path, &HduSel::Index(2)).unwrap();
        assert_eq!(asc.column("ID").unwrap().i64().unwrap().iter().collect::<Vec<_>>(), json_ints(&a["ID"]));
        assert_eq!(asc.column("FLUX").unwrap().f64().unwrap().iter().collect::<Vec<_>>(), json_reals(&a["FLUX"]));
        let tags: Vec<String> = asc.column("TAG").unwrap().str().unwrap().iter().map(|v| v.unwrap().into()).collect();
        assert_eq!(tags, json_texts(&a["TAG"]));
        // Chandra events (astropy: time[0] = 570219292.8514419, pha = [1682, 1326], energy[1] =
        // 5926.72509765625, tdetx = [4599, 4878] with TNULL 9999, status = 32 zero bits).
        let ev = read_table_df(&dir().join("table_only.fits"), &HduSel::Name("EVENTS".into())).unwrap();
        assert_eq!(ev.shape(), (2, 19));
        assert_eq!(ev.column("time").unwrap().f64().unwrap().get(0), Some(570219292.8514419));
        assert_eq!(ev.column("pha").unwrap().i64().unwrap().iter().collect::<Vec<_>>(), [Some(1682), Some(1326)]);
        assert_eq!(ev.column("energy").unwrap().f64().unwrap().get(1), Some(5926.72509765625));
        assert_eq!(ev.column("tdetx").unwrap().i64().unwrap().iter().collect::<Vec<_>>(), [Some(4599), Some(4878)]);
        assert_eq!(ev.column("status").unwrap().str().unwrap().get(0), Some("0".repeat(32).as_str()));
        assert!(
            read_table_df(&dir().join("bitpix_f32.fits"), &HduSel::Index(0))
                .unwrap_err()
                .to_string()
                .contains("not a table")
        );
        // A table without rows keeps its column; complex and variable-length columns are refused
        // with the TFORM named (and the HDU is still listed).
        let empty = read_table_df(&path, &HduSel::Name("EMPTY".into())).unwrap();
        assert_eq!((empty.height(), empty.width(), empty.column("X").is_ok()), (0, 1, true));
        let odd = dir().join("odd_columns.fits");
        assert_eq!(list_hdus(&odd).unwrap()[1].kind, "binary table");
        let e = read_table_df(&odd, &HduSel::Index(1)).unwrap_err().to_string();
        assert!(e.contains("odd_columns.fits") && e.contains("PJ"), "{e}");
    }

    /// DataFrame -> FITS binary table -> DataFrame keeps types, values and nulls.
    #[test]
    fn dataframes_round_trip_through_fits_tables() {
        use polars::prelude::*;
        let df = df!(
            "id" => [Some(1i64), None, Some(-7)],
            "flux" => [Some(1.25f64), None, Some(f64::MAX)],
            "small" => [1i32, 2, 3],
            "ok" => [Some(true), None, Some(false)],
            "name" => ["M13", "", "NGC 6205 core"]
        )
        .unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("cat.fits");
        write_table_df(&p, &df, "CATALOG", &[("ORIGIN".into(), "scidl".into(), "test".into())]).unwrap();
        let back = read_table_df(&p, &HduSel::Name("CATALOG".into())).unwrap();
        assert_eq!(back.get_column_names(), ["id", "flux", "small", "ok", "name"]);
        assert!(back.column("id").unwrap().equals_missing(df.column("id").unwrap()));
        assert!(back.column("flux").unwrap().equals_missing(df.column("flux").unwrap()));
        assert!(
            back.column("small").unwrap().equals_missing(&df.column("small").unwrap().cast(&DataType::Int64).unwrap())
        );
        assert!(back.column("ok").unwrap().equals_missing(df.column("ok").unwrap()));
        assert!(back.column("name").unwrap().equals_missing(df.column("name").unwrap()));
        let dates = DataFrame::new(1, vec![Column::new("d".into(), [1i32]).cast(&DataType::Date).unwrap()]).unwrap();
        let e = write_table_df(&p, &dates, "X", &[]).unwrap_err().to_string();
        assert!(e.contains("column d"), "{e}");
        assert!(p.exists(), "the earlier catalog stays when a later write fails");
    }
}
