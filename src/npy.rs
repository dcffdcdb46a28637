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
//! Two ways to read, one parser: [`read`] maps the file ([`memmap2`]) and
//! copies it into an owned [`ArrayData`] (the reference evaluator and the
//! `inputs` module take owned values); [`NpyView`] keeps the map and hands
//! out the data in place as `&[T]`, so the JIT reads a large input straight
//! from the page cache with no copy. Both go through one `Layout` check,
//! so a file one accepts the other accepts, with the same errors. Writing
//! goes to a temporary file in the target directory that is renamed over the
//! final name, so a failed write never leaves a half-written file behind.
//!
//! The header is parsed here rather than through `ndarray-npy`: the header
//! is a tiny Python dict literal, and owning the parser lets every malformed
//! file produce a typed error that says exactly what is wrong.

mod header;
mod view;

pub use view::{CopyReason, NpyView, ViewError};

use crate::types::ScalarType;
use crate::value::{element_count, Array, ArrayData, Scalar, Value};
use header::{dtype_of, header_text, parse_header, split_header};
use memmap2::Mmap;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Write};
use std::ops::Range;
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
    /// [`NpyView::as_slice`] was asked for data the view cannot give.
    View {
        path: PathBuf,
        problem: ViewError,
    },
}

impl NpyError {
    pub fn path(&self) -> &Path {
        match self {
            NpyError::Io { path, .. }
            | NpyError::Format { path, .. }
            | NpyError::View { path, .. } => path,
        }
    }

    fn io<'p>(path: &'p Path, action: &'static str) -> impl FnOnce(io::Error) -> NpyError + 'p {
        move |source| NpyError::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }

    fn format(path: &Path) -> impl Fn(FormatError) -> NpyError + '_ {
        move |problem| NpyError::Format {
            path: path.to_path_buf(),
            problem,
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
            NpyError::View { path, problem } => {
                write!(f, "cannot view the data of `{}`: {problem}", path.display())
            }
        }
    }
}

impl std::error::Error for NpyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            NpyError::Io { source, .. } => Some(source),
            NpyError::Format { .. } | NpyError::View { .. } => None,
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
    let map = map_file(path)?;
    decode(&map).map_err(NpyError::format(path))
}

/// Opens `path` read-only and maps it read-only.
///
/// memmap2 (0.9) maps an empty file as an empty slice on every platform,
/// so an empty file reaches the parser and is reported as truncated like
/// any other short file.
fn map_file(path: &Path) -> Result<Mmap, NpyError> {
    let file = File::open(path).map_err(NpyError::io(path, "open"))?;
    // SAFETY: `Mmap::map` is unsafe because the mapped bytes can change
    // under us if the file is modified or truncated while mapped, by this
    // process or another. kjit never writes a file it maps (the file is
    // opened read-only, the map is read-only, and `-o` refuses to target an
    // input file), so only another process could. That is the contract of
    // every mmap-based reader (numpy's `mmap_mode` included) and beyond what
    // a mapped read can protect against: a truncation shows as SIGBUS, a
    // concurrent rewrite as changed data (which would corrupt a buffered
    // read just the same). This is also why `inout` arrays are never
    // mapped: kjit writes them, and a writable map would write the user's
    // input file in place; they are copied into an owned buffer instead.
    unsafe { Mmap::map(&file) }.map_err(NpyError::io(path, "map"))
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
    let result = write_file(&temp, bytes)
        .map_err(NpyError::io(path, "write"))
        .and_then(|()| fs::rename(&temp, path).map_err(NpyError::io(path, "replace")));
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
    let layout = Layout::of(bytes)?;
    let data = convert(layout.data_in(bytes), layout.elem, layout.big_endian)?;
    Ok(Array {
        shape: layout.shape,
        data,
    })
}

/// What a file holds and where: everything its header says, checked
/// against the file's length. The one parse behind [`decode`] and
/// [`NpyView::open`].
struct Layout {
    elem: ScalarType,
    big_endian: bool,
    /// At most two dimensions, C order.
    shape: Vec<usize>,
    /// The byte range of the data: exactly `product(shape) * size(elem)`
    /// bytes, ending at the end of the file.
    data: Range<usize>,
}

impl Layout {
    fn of(bytes: &[u8]) -> Result<Layout, FormatError> {
        let (header, data) = split_header(bytes)?;
        let fields = parse_header(header)?;
        let (elem, big_endian) = dtype_of(&fields.descr)?;
        if fields.fortran_order && fields.shape.len() > 1 {
            return Err(FormatError::FortranOrder);
        }
        if fields.shape.len() > 2 {
            return Err(FormatError::UnsupportedRank(fields.shape.len()));
        }
        let count = element_count(&fields.shape).ok_or(FormatError::TooLarge)?;
        let data = data_bytes(data, count, elem)?;
        Ok(Layout {
            elem,
            big_endian,
            shape: fields.shape,
            data: bytes.len() - data.len()..bytes.len(),
        })
    }

    /// The data bytes of `bytes`, the file this layout was read from.
    fn data_in<'b>(&self, bytes: &'b [u8]) -> &'b [u8] {
        bytes.get(self.data.clone()).unwrap_or_default()
    }
}

fn truncated(part: &'static str, expected: usize, found: usize) -> FormatError {
    FormatError::Truncated {
        part,
        expected,
        found,
    }
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

fn convert(bytes: &[u8], elem: ScalarType, big_endian: bool) -> Result<ArrayData, FormatError> {
    Ok(match elem {
        ScalarType::Bool => ArrayData::Bool(bools(bytes)?),
        ScalarType::I32 => ArrayData::I32(words(bytes, big_endian, i32::from_le_bytes)),
        ScalarType::I64 => ArrayData::I64(words(bytes, big_endian, i64::from_le_bytes)),
        ScalarType::F32 => ArrayData::F32(words(bytes, big_endian, f32::from_le_bytes)),
        ScalarType::F64 => ArrayData::F64(words(bytes, big_endian, f64::from_le_bytes)),
    })
}

fn bools(bytes: &[u8]) -> Result<Vec<bool>, FormatError> {
    check_bools(bytes)?;
    Ok(bytes.iter().map(|&byte| byte == 1).collect())
}

/// kjit's bool is one byte, 0 or 1; any other byte is an error, never
/// reinterpreted.
fn check_bools(bytes: &[u8]) -> Result<(), FormatError> {
    match bytes.iter().position(|&byte| byte > 1) {
        Some(index) => Err(FormatError::BadBool {
            index,
            byte: bytes[index],
        }),
        None => Ok(()),
    }
}

/// Decodes fixed-size elements; a big-endian word is reversed first.
/// `bytes.len()` is a multiple of `N`, checked by `data_bytes`.
fn words<T, const N: usize>(bytes: &[u8], big_endian: bool, from_le: fn([u8; N]) -> T) -> Vec<T> {
    let (words, _) = bytes.as_chunks::<N>();
    words
        .iter()
        .map(|&word| {
            let mut word = word;
            if big_endian {
                word.reverse();
            }
            from_le(word)
        })
        .collect()
}

/// The bytes of a version 1.0 `.npy` file holding `array`.
pub fn encode(array: &Array) -> Vec<u8> {
    let elem = array.elem();
    let header = header_text(elem, &array.shape);
    let mut out = Vec::with_capacity(header.len() + 10 + array.data.len() * elem.byte_size());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    // A header for at most two dimensions is far below 64 KiB, the limit of
    // version 1.0's u16 length.
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    push_data(&mut out, &array.data);
    out
}

fn push_data(out: &mut Vec<u8>, data: &ArrayData) {
    match data {
        ArrayData::Bool(v) => out.extend(v.iter().map(|&b| u8::from(b))),
        ArrayData::I32(v) => push_words(out, v, i32::to_le_bytes),
        ArrayData::I64(v) => push_words(out, v, i64::to_le_bytes),
        ArrayData::F32(v) => push_words(out, v, f32::to_le_bytes),
        ArrayData::F64(v) => push_words(out, v, f64::to_le_bytes),
    }
}

fn push_words<T: Copy, const N: usize>(out: &mut Vec<u8>, values: &[T], to_le: fn(T) -> [u8; N]) {
    out.extend(values.iter().flat_map(|&x| to_le(x)));
}

#[cfg(test)]
mod tests;
