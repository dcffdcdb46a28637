//! `.npy` files: numpy's on-disk array format, read and written.
//!
//! In: a path (or the bytes of a file). Out: an [`Array`] whose element type
//! is the file's dtype, never converted. Writing goes the other way, for
//! kernel outputs.
//!
//! What is supported, and why:
//! - dtypes `<f4 <f8 <i4 <i8 |b1` (float32, float64, int32, int64, bool), the
//!   five kern scalar types; big-endian `>` variants are byte-swapped on
//!   read. Anything else is an [`FormatError::UnsupportedDtype`] naming the
//!   descr, so the user knows which `astype` to call.
//! - 0-, 1- and 2-D arrays in C order. Fortran order is rejected rather than
//!   transposed: kern arrays are row-major, and silently copying a transpose
//!   would hide a layout mistake the user probably wants to know about.
//! - format versions 1.0, 2.0 and 3.0 on read; version 1.0 on write, with
//!   the header padded so the data starts at a multiple of 64 bytes exactly as
//!   numpy pads it (numpy itself reads version 1.0 everywhere).
//!
//! Reading maps the file ([`memmap2`]) and copies it into an owned
//! [`ArrayData`]; zero-copy views come with the JIT runtime. Writing goes to
//! a temporary file in the target directory that is renamed over the final
//! name, so a failed write never leaves a half-written file behind.
//!
//! The header is parsed here rather than through `ndarray-npy`: the header
//! is a tiny Python dict literal, and owning the parser lets every malformed
//! file produce a typed error that says exactly what is wrong.

use crate::types::ScalarType;
use crate::value::{Array, ArrayData, Scalar, Value};
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8] = b"\x93NUMPY";
/// numpy pads the header so the data starts at a multiple of this.
const ALIGN: usize = 64;
/// The element types kjit reads and writes, as the error message lists them.
const SUPPORTED: &str = "<f4 <f8 <i4 <i8 |b1 (float32, float64, int32, int64, bool)";

/// A failure to read or write one `.npy` file; always names the file.
#[derive(Debug)]
pub enum NpyError {
    Io {
        path: PathBuf,
        /// What was being done: "open", "read", "create", "write", ...
        action: &'static str,
        source: io::Error,
    },
    Format {
        path: PathBuf,
        problem: FormatError,
    },
}

impl NpyError {
    pub fn path(&self) -> &Path {
        match self {
            NpyError::Io { path, .. } | NpyError::Format { path, .. } => path,
        }
    }
}

impl fmt::Display for NpyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NpyError::Io {
                path,
                action,
                source,
            } => write!(f, "cannot {action} `{}`: {source}", path.display()),
            NpyError::Format { path, problem } => {
                write!(
                    f,
                    "`{}` is not a usable .npy file: {problem}",
                    path.display()
                )
            }
        }
    }
}

impl std::error::Error for NpyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            NpyError::Io { source, .. } => Some(source),
            NpyError::Format { .. } => None,
        }
    }
}

/// What is wrong with the bytes of a `.npy` file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// The file does not start with `\x93NUMPY`.
    NotNpy,
    UnsupportedVersion {
        major: u8,
        minor: u8,
    },
    /// The file ends inside `part` ("magic", "header length", "header" or
    /// "data").
    Truncated {
        part: &'static str,
        expected: usize,
        found: usize,
    },
    /// The header dict could not be parsed, or lacks a key.
    BadHeader(String),
    UnsupportedDtype(String),
    FortranOrder,
    UnsupportedRank(usize),
    /// The shape's element or byte count overflows `usize`.
    TooLarge,
    /// More bytes follow the data than the shape accounts for.
    TrailingBytes(usize),
    /// A bool element is neither 0 nor 1.
    BadBool {
        index: usize,
        byte: u8,
    },
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::NotNpy => f.write_str("it does not start with the magic string \\x93NUMPY"),
            FormatError::UnsupportedVersion { major, minor } => {
                write!(f, "format version {major}.{minor} is not supported (1.0, 2.0 and 3.0 are)")
            }
            FormatError::Truncated {
                part,
                expected,
                found,
            } => write!(
                f,
                "the file is truncated: the {part} needs {expected} bytes but only {found} are there"
            ),
            FormatError::BadHeader(why) => write!(f, "malformed header: {why}"),
            FormatError::UnsupportedDtype(descr) => {
                write!(f, "dtype {descr:?} is not supported; kjit reads {SUPPORTED}")
            }
            FormatError::FortranOrder => f.write_str(
                "the array is stored in Fortran order; kern arrays are row-major \
                 (save it with np.ascontiguousarray(a))",
            ),
            FormatError::UnsupportedRank(rank) => {
                write!(f, "the array has {rank} dimensions; kern arrays have at most 2")
            }
            FormatError::TooLarge => f.write_str("the shape is too large to address"),
            FormatError::TrailingBytes(n) => {
                write!(f, "{n} bytes follow the data that the shape does not account for")
            }
            FormatError::BadBool { index, byte } => {
                write!(f, "bool element {index} is the byte {byte:#04x}, not 0 or 1")
            }
        }
    }
}

/// Reads a `.npy` file into an owned array (shape `[]` for a 0-d array).
pub fn read(path: &Path) -> Result<Array, NpyError> {
    let io_error = |action| {
        move |source| NpyError::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    };
    let file = File::open(path).map_err(io_error("open"))?;
    let len = file.metadata().map_err(io_error("read"))?.len();
    // An empty file cannot be mapped on every platform; it is truncated
    // anyway, and `decode` says so.
    let decoded = if len == 0 {
        decode(&[])
    } else {
        // SAFETY: the map is only read, and only while we copy it into an
        // owned array below. Mapping a file is sound as long as no one
        // truncates or rewrites it meanwhile; that is the contract of every
        // mmap-based reader (numpy's `mmap_mode` included), and a concurrent
        // writer would corrupt the data of a buffered read just the same.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io_error("map"))?;
        decode(&map)
    };
    decoded.map_err(|problem| NpyError::Format {
        path: path.to_path_buf(),
        problem,
    })
}

/// Writes `value` as a version 1.0 `.npy` file (a scalar as a 0-d array),
/// replacing `path` only once the whole file is on disk.
pub fn write(path: &Path, value: &Value) -> Result<(), NpyError> {
    let bytes = match value {
        Value::Array(array) => encode(array),
        Value::Scalar(scalar) => encode(&scalar_array(*scalar)),
    };
    write_atomically(path, &bytes)
}

/// A scalar as the 0-d array numpy stores it as.
pub fn scalar_array(scalar: Scalar) -> Array {
    let data = match scalar {
        Scalar::Bool(x) => ArrayData::Bool(vec![x]),
        Scalar::I32(x) => ArrayData::I32(vec![x]),
        Scalar::I64(x) => ArrayData::I64(vec![x]),
        Scalar::F32(x) => ArrayData::F32(vec![x]),
        Scalar::F64(x) => ArrayData::F64(vec![x]),
    };
    Array {
        shape: Vec::new(),
        data,
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), NpyError> {
    let temp = temp_path(path);
    let io_error = |action, source| NpyError::Io {
        path: path.to_path_buf(),
        action,
        source,
    };
    let result = write_file(&temp, bytes)
        .map_err(|e| io_error("write", e))
        .and_then(|()| fs::rename(&temp, path).map_err(|e| io_error("replace", e)));
    if result.is_err() {
        // Best effort: the temporary may not even exist, and the error that
        // matters to the user is the one above.
        let _ = fs::remove_file(&temp);
    }
    result
}

fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    // A leftover temporary from a crashed run with the same pid is ours to
    // overwrite.
    let mut file = File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// `dir/.name.npy.<pid>.tmp`: in the same directory as the target, so the
/// final rename never crosses file systems, and hidden.
fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let name = name.unwrap_or_else(|| "output.npy".to_string());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Parses the bytes of a `.npy` file.
pub fn decode(bytes: &[u8]) -> Result<Array, FormatError> {
    let (header, data_start) = split_header(bytes)?;
    let fields = parse_header(header)?;
    let (elem, big_endian) = dtype_of(&fields.descr)?;
    if fields.fortran_order && fields.shape.len() > 1 {
        return Err(FormatError::FortranOrder);
    }
    if fields.shape.len() > 2 {
        return Err(FormatError::UnsupportedRank(fields.shape.len()));
    }
    let count = element_count(&fields.shape)?;
    let data = data_bytes(&bytes[data_start..], count, elem)?;
    Ok(Array {
        shape: fields.shape,
        data: convert(data, elem, big_endian)?,
    })
}

/// Checks magic and version; returns the header text and where data starts.
fn split_header(bytes: &[u8]) -> Result<(&str, usize), FormatError> {
    if !bytes.starts_with(MAGIC) {
        return if MAGIC.starts_with(bytes) {
            Err(truncated("magic", MAGIC.len() + 2, bytes.len()))
        } else {
            Err(FormatError::NotNpy)
        };
    }
    let (major, minor) = match bytes.get(6..8) {
        Some(&[major, minor]) => (major, minor),
        _ => return Err(truncated("magic", MAGIC.len() + 2, bytes.len())),
    };
    let length_size = match (major, minor) {
        (1, 0) => 2,
        (2, 0) | (3, 0) => 4,
        _ => return Err(FormatError::UnsupportedVersion { major, minor }),
    };
    let header_start = 8 + length_size;
    let length = bytes
        .get(8..header_start)
        .ok_or_else(|| truncated("header length", header_start, bytes.len()))?;
    let header_len = length
        .iter()
        .rev()
        .fold(0usize, |acc, &b| (acc << 8) | b as usize);
    let data_start = header_start + header_len;
    let header = bytes
        .get(header_start..data_start)
        .ok_or_else(|| truncated("header", data_start, bytes.len()))?;
    // Versions 1 and 2 promise latin-1, version 3 UTF-8; a header kjit can
    // use is plain ASCII either way.
    let header = std::str::from_utf8(header)
        .map_err(|_| FormatError::BadHeader("the header is not ASCII text".to_string()))?;
    Ok((header, data_start))
}

fn truncated(part: &'static str, expected: usize, found: usize) -> FormatError {
    FormatError::Truncated {
        part,
        expected,
        found,
    }
}

fn element_count(shape: &[usize]) -> Result<usize, FormatError> {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or(FormatError::TooLarge)
}

fn data_bytes(data: &[u8], count: usize, elem: ScalarType) -> Result<&[u8], FormatError> {
    let expected = count
        .checked_mul(elem.byte_size())
        .ok_or(FormatError::TooLarge)?;
    match data.len().cmp(&expected) {
        std::cmp::Ordering::Less => Err(truncated("data", expected, data.len())),
        std::cmp::Ordering::Greater => Err(FormatError::TrailingBytes(data.len() - expected)),
        std::cmp::Ordering::Equal => Ok(data),
    }
}

/// The three header fields kjit needs.
#[derive(Debug, PartialEq)]
struct HeaderFields {
    descr: String,
    fortran_order: bool,
    shape: Vec<usize>,
}

fn parse_header(text: &str) -> Result<HeaderFields, FormatError> {
    let mut parser = HeaderParser { rest: text };
    let mut descr = None;
    let mut fortran_order = None;
    let mut shape = None;
    parser.expect('{')?;
    while !parser.eat('}') {
        let key = parser.string()?;
        parser.expect(':')?;
        match key.as_str() {
            "descr" => descr = Some(parser.descr()?),
            "fortran_order" => fortran_order = Some(parser.boolean()?),
            "shape" => shape = Some(parser.shape()?),
            other => return Err(bad_header(format!("unexpected key {other:?}"))),
        }
        if !parser.eat(',') {
            parser.expect('}')?;
            break;
        }
    }
    parser.end()?;
    let missing = |key: &str| bad_header(format!("the key {key:?} is missing"));
    Ok(HeaderFields {
        descr: descr.ok_or_else(|| missing("descr"))?,
        fortran_order: fortran_order.ok_or_else(|| missing("fortran_order"))?,
        shape: shape.ok_or_else(|| missing("shape"))?,
    })
}

fn bad_header(why: impl Into<String>) -> FormatError {
    FormatError::BadHeader(why.into())
}

/// A cursor over the header: a Python dict literal with string keys whose
/// values are a string, a bool or a tuple of integers.
struct HeaderParser<'a> {
    rest: &'a str,
}

impl HeaderParser<'_> {
    fn skip_space(&mut self) {
        self.rest = self.rest.trim_start();
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn expect(&mut self, c: char) -> Result<(), FormatError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(bad_header(format!(
                "expected {c:?} at {:?}",
                self.context()
            )))
        }
    }

    /// Everything after the closing brace must be padding.
    fn end(&mut self) -> Result<(), FormatError> {
        self.skip_space();
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(bad_header(format!(
                "unexpected text after the dict: {:?}",
                self.context()
            )))
        }
    }

    fn context(&self) -> &str {
        let end = self
            .rest
            .char_indices()
            .nth(20)
            .map_or(self.rest.len(), |(i, _)| i);
        &self.rest[..end]
    }

    fn string(&mut self) -> Result<String, FormatError> {
        self.skip_space();
        let quote = match self.rest.chars().next() {
            Some(q @ ('\'' | '"')) => q,
            _ => {
                return Err(bad_header(format!(
                    "expected a string at {:?}",
                    self.context()
                )))
            }
        };
        let body = &self.rest[1..];
        let end = body
            .find(quote)
            .ok_or_else(|| bad_header("unterminated string"))?;
        self.rest = &body[end + 1..];
        Ok(body[..end].to_string())
    }

    /// A structured dtype is a list, not a string; say so instead of
    /// reporting a syntax error.
    fn descr(&mut self) -> Result<String, FormatError> {
        self.skip_space();
        if self.rest.starts_with('[') {
            return Err(FormatError::UnsupportedDtype(
                "a structured dtype".to_string(),
            ));
        }
        self.string()
    }

    fn boolean(&mut self) -> Result<bool, FormatError> {
        self.skip_space();
        for (word, value) in [("True", true), ("False", false)] {
            if let Some(rest) = self.rest.strip_prefix(word) {
                self.rest = rest;
                return Ok(value);
            }
        }
        Err(bad_header(format!(
            "expected True or False at {:?}",
            self.context()
        )))
    }

    fn shape(&mut self) -> Result<Vec<usize>, FormatError> {
        self.expect('(')?;
        let mut dims = Vec::new();
        while !self.eat(')') {
            dims.push(self.dimension()?);
            if !self.eat(',') {
                self.expect(')')?;
                break;
            }
        }
        Ok(dims)
    }

    fn dimension(&mut self) -> Result<usize, FormatError> {
        self.skip_space();
        let digits = self.rest.len()
            - self
                .rest
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .len();
        let (number, rest) = self.rest.split_at(digits);
        let value = number
            .parse()
            .map_err(|_| bad_header(format!("expected a dimension at {:?}", self.context())))?;
        // Python 2 wrote long integers with an `L` suffix.
        self.rest = rest.strip_prefix('L').unwrap_or(rest);
        Ok(value)
    }
}

/// Maps a descr to its element type and byte order.
fn dtype_of(descr: &str) -> Result<(ScalarType, bool), FormatError> {
    let unsupported = || FormatError::UnsupportedDtype(descr.to_string());
    let (order, code) = descr.split_at_checked(1).ok_or_else(unsupported)?;
    let elem = match code {
        "f4" => ScalarType::F32,
        "f8" => ScalarType::F64,
        "i4" => ScalarType::I32,
        "i8" => ScalarType::I64,
        "b1" => ScalarType::Bool,
        _ => return Err(unsupported()),
    };
    let big_endian = match order {
        "<" => false,
        ">" => true,
        // One-byte types have no byte order; numpy writes `|` for them.
        "|" if elem == ScalarType::Bool => false,
        _ => return Err(unsupported()),
    };
    Ok((elem, big_endian))
}

/// The descr kjit writes for `elem`: always little-endian, as numpy does on
/// every platform kjit runs on.
fn descr_of(elem: ScalarType) -> &'static str {
    match elem {
        ScalarType::Bool => "|b1",
        ScalarType::I32 => "<i4",
        ScalarType::I64 => "<i8",
        ScalarType::F32 => "<f4",
        ScalarType::F64 => "<f8",
    }
}

fn convert(bytes: &[u8], elem: ScalarType, big_endian: bool) -> Result<ArrayData, FormatError> {
    Ok(match elem {
        ScalarType::Bool => ArrayData::Bool(bools(bytes)?),
        ScalarType::I32 => ArrayData::I32(words(
            bytes,
            big_endian,
            i32::from_le_bytes,
            i32::from_be_bytes,
        )),
        ScalarType::I64 => ArrayData::I64(words(
            bytes,
            big_endian,
            i64::from_le_bytes,
            i64::from_be_bytes,
        )),
        ScalarType::F32 => ArrayData::F32(words(
            bytes,
            big_endian,
            f32::from_le_bytes,
            f32::from_be_bytes,
        )),
        ScalarType::F64 => ArrayData::F64(words(
            bytes,
            big_endian,
            f64::from_le_bytes,
            f64::from_be_bytes,
        )),
    })
}

fn bools(bytes: &[u8]) -> Result<Vec<bool>, FormatError> {
    bytes
        .iter()
        .enumerate()
        .map(|(index, &byte)| match byte {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(FormatError::BadBool { index, byte }),
        })
        .collect()
}

/// Decodes fixed-size elements. `bytes.len()` is a multiple of `N`, checked
/// by `data_bytes`.
fn words<T, const N: usize>(
    bytes: &[u8],
    big_endian: bool,
    le: fn([u8; N]) -> T,
    be: fn([u8; N]) -> T,
) -> Vec<T> {
    let from = if big_endian { be } else { le };
    bytes
        .chunks_exact(N)
        .map(|chunk| {
            let mut word = [0u8; N];
            word.copy_from_slice(chunk);
            from(word)
        })
        .collect()
}

/// The bytes of a version 1.0 `.npy` file holding `array`.
pub fn encode(array: &Array) -> Vec<u8> {
    let elem = elem_of(&array.data);
    let header = header_text(elem, &array.shape);
    let mut out = Vec::with_capacity(header.len() + 10 + array_len(&array.data) * elem.byte_size());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    // A header for at most two dimensions is far below 64 KiB, the limit of
    // version 1.0's u16 length.
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    push_data(&mut out, &array.data);
    out
}

/// numpy's header: the dict, then spaces and a newline so that magic,
/// version, length and header together fill a multiple of 64 bytes.
fn header_text(elem: ScalarType, shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let shape = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let mut text = format!(
        "{{'descr': '{}', 'fortran_order': False, 'shape': {shape}, }}",
        descr_of(elem)
    );
    let unpadded = MAGIC.len() + 2 + 2 + text.len() + 1;
    let padding = (ALIGN - unpadded % ALIGN) % ALIGN;
    text.extend(std::iter::repeat_n(' ', padding));
    text.push('\n');
    text
}

fn elem_of(data: &ArrayData) -> ScalarType {
    match data {
        ArrayData::Bool(_) => ScalarType::Bool,
        ArrayData::I32(_) => ScalarType::I32,
        ArrayData::I64(_) => ScalarType::I64,
        ArrayData::F32(_) => ScalarType::F32,
        ArrayData::F64(_) => ScalarType::F64,
    }
}

fn array_len(data: &ArrayData) -> usize {
    match data {
        ArrayData::Bool(v) => v.len(),
        ArrayData::I32(v) => v.len(),
        ArrayData::I64(v) => v.len(),
        ArrayData::F32(v) => v.len(),
        ArrayData::F64(v) => v.len(),
    }
}

fn push_data(out: &mut Vec<u8>, data: &ArrayData) {
    match data {
        ArrayData::Bool(v) => out.extend(v.iter().map(|&b| u8::from(b))),
        ArrayData::I32(v) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
        ArrayData::I64(v) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
        ArrayData::F32(v) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
        ArrayData::F64(v) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
    }
}

#[cfg(test)]
mod tests;
