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
//! Two ways to read, one parser: [`read`] reads the file into an owned
//! [`Array`] (the reference evaluator and the `inputs` module take owned
//! values); [`NpyView`] holds the same data typed, so the JIT can borrow it
//! as `&[T]`. Both go through one `Layout` check, so a file one accepts the
//! other accepts, with the same errors. Files are *read*, never mapped (see
//! `open_regular` for why), and only regular files are opened at all.
//! Writing streams the header and then the data through a buffer into a
//! temporary file in the target directory (see `write`), which is renamed
//! over the final name, so a failed write never leaves a half-written file
//! behind and an output is never held twice in memory.
//!
//! The header is parsed here rather than through `ndarray-npy`: the header
//! is a tiny Python dict literal, and owning the parser lets every malformed
//! file produce a typed error that says exactly what is wrong.

pub mod cleanup;
mod header;
mod read;
mod view;
mod write;

pub use view::{CopyReason, NpyView, ViewError};
pub use write::{check_writable, remove_stale, temporary_pid, write};

use crate::types::ScalarType;
use crate::value::{element_count, Array, ArrayData, Scalar};
use header::{dtype_of, header_text, parse_header, split_header};
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read};
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
    /// The path names a directory, a FIFO, a device: never read.
    NotAFile {
        path: PathBuf,
        what: &'static str,
    },
    /// The data does not fit in memory.
    OutOfMemory {
        path: PathBuf,
        bytes: usize,
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
            | NpyError::NotAFile { path, .. }
            | NpyError::OutOfMemory { path, .. }
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
            NpyError::NotAFile { path, what } => {
                write!(f, "`{}` is {what}, not a .npy file", path.display())
            }
            NpyError::OutOfMemory { path, bytes } => write!(
                f,
                "cannot read `{}`: its {bytes} bytes of data do not fit in memory",
                path.display()
            ),
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
            _ => None,
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
                write!(
                    f,
                    "the array has {rank} dimensions; kern arrays have at most {}",
                    crate::abi::MAX_RANK
                )
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
    let (layout, data) = read_file(path)?;
    Ok(Array {
        shape: layout.shape,
        data,
    })
}

/// The element type of the `.npy` file at `path`, from its header alone
/// (the data is not read): what a generic kernel's instance is chosen by.
pub fn dtype(path: &Path) -> Result<ScalarType, NpyError> {
    let (mut file, file_len) = open_regular(path)?;
    let prefix = read_header(&mut file, file_len).map_err(NpyError::io(path, "read"))?;
    let layout = Layout::parse(&prefix, file_len).map_err(NpyError::format(path))?;
    Ok(layout.elem)
}

/// Opens `path`, checks its header against its length, and reads its data
/// into memory of the file's element type (byte-swapped if need be).
fn read_file(path: &Path) -> Result<(Layout, ArrayData), NpyError> {
    let (mut file, file_len) = open_regular(path)?;
    let prefix = read_header(&mut file, file_len).map_err(NpyError::io(path, "read"))?;
    let layout = Layout::parse(&prefix, file_len).map_err(NpyError::format(path))?;
    // The prefix may run past a (tiny) header; the data starts where it ends.
    io::Seek::seek(&mut file, io::SeekFrom::Start(layout.data.start as u64))
        .map_err(NpyError::io(path, "read"))?;
    let data = read::data(&mut file, &layout).map_err(|e| read::error(path, &layout, e))?;
    Ok((layout, data))
}

/// Opens `path` for reading if it is a regular file; returns it and its
/// length.
///
/// Why read and not map: a mapped file that another process truncates
/// while kjit runs turns every access past the new end into SIGBUS, a
/// crash no check can prevent (file locks are advisory, and a truncating
/// writer need not take them). A read copies the data once, at open, and a
/// file that changes while it is being read shows up as a short read, an
/// ordinary error. The cost is one copy of every input: the pages of the
/// copy (the page cache's pages are no longer shared), and the time to
/// fault them in and copy into them: a 1 GiB f32 input, page-cached, took
/// 0.68-0.75 s from start to exit instead of 0.13-0.24 s mapped, on this
/// project's 2-core VM (peak RSS the same, 1.06 GB, since mapped pages
/// count too).
///
/// Why only regular files: a FIFO would block the open (or the read)
/// until a writer shows up, a directory or a device is never a `.npy`
/// file. The open itself does not block (`O_NONBLOCK`, which a regular
/// file ignores), and the file's type is checked on the open descriptor,
/// so what is read is what was checked.
fn open_regular(path: &Path) -> Result<(File, u64), NpyError> {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(NpyError::io(path, "open"))?;
    let meta = file.metadata().map_err(NpyError::io(path, "open"))?;
    let kind = meta.file_type();
    let what = if kind.is_file() {
        return Ok((file, meta.len()));
    } else if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a device"
    };
    Err(NpyError::NotAFile {
        path: path.to_path_buf(),
        what,
    })
}

/// The bytes from the start of the file to the end of its header (fewer
/// if the file is shorter: the parser then reports what is truncated).
fn read_header(file: &mut File, file_len: u64) -> io::Result<Vec<u8>> {
    // Magic, version and the longest length field come first; the header
    // length they give says how much more to read.
    let mut prefix = read_up_to(file, Vec::new(), (MAGIC.len() + 6) as u64, file_len)?;
    if let Err(FormatError::Truncated {
        part: "header",
        expected,
        ..
    }) = header::split_header(&prefix)
    {
        prefix = read_up_to(file, prefix, expected as u64, file_len)?;
    }
    Ok(prefix)
}

/// Extends `bytes` to `want` bytes of the file (or to its end).
fn read_up_to(
    file: &mut File,
    mut bytes: Vec<u8>,
    want: u64,
    file_len: u64,
) -> io::Result<Vec<u8>> {
    let more = want.min(file_len).saturating_sub(bytes.len() as u64);
    (&mut *file).take(more).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// A scalar as the 0-d array numpy stores it as.
pub fn scalar_array(scalar: Scalar) -> Array {
    let mut data = ArrayData::zeros(scalar.ty(), 1);
    data.set(0, scalar);
    Array {
        shape: Vec::new(),
        data,
    }
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
        Layout::parse(bytes, bytes.len() as u64)
    }

    /// The layout of a file of `file_len` bytes that starts with `prefix`
    /// (which holds at least the header, if the file does).
    fn parse(prefix: &[u8], file_len: u64) -> Result<Layout, FormatError> {
        let (header, rest) = split_header(prefix)?;
        let header_end = prefix.len() - rest.len();
        let fields = parse_header(header)?;
        let (elem, big_endian) = dtype_of(&fields.descr)?;
        if fields.fortran_order && fields.shape.len() > 1 {
            return Err(FormatError::FortranOrder);
        }
        if fields.shape.len() > crate::abi::MAX_RANK {
            return Err(FormatError::UnsupportedRank(fields.shape.len()));
        }
        let count = element_count(&fields.shape).ok_or(FormatError::TooLarge)?;
        let file_len = usize::try_from(file_len).map_err(|_| FormatError::TooLarge)?;
        check_data_len(file_len - header_end, count, elem)?;
        Ok(Layout {
            elem,
            big_endian,
            shape: fields.shape,
            data: header_end..file_len,
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

fn check_data_len(found: usize, count: usize, elem: ScalarType) -> Result<(), FormatError> {
    let expected = count
        .checked_mul(elem.byte_size())
        .ok_or(FormatError::TooLarge)?;
    match found.cmp(&expected) {
        std::cmp::Ordering::Less => Err(truncated("data", expected, found)),
        std::cmp::Ordering::Greater => Err(FormatError::TrailingBytes(found - expected)),
        std::cmp::Ordering::Equal => Ok(()),
    }
}

fn convert(bytes: &[u8], elem: ScalarType, big_endian: bool) -> Result<ArrayData, FormatError> {
    Ok(match elem {
        ScalarType::Bool => ArrayData::Bool(bools(bytes)?),
        ScalarType::I8 => ArrayData::I8(words(bytes, big_endian, i8::from_le_bytes)),
        ScalarType::I16 => ArrayData::I16(words(bytes, big_endian, i16::from_le_bytes)),
        ScalarType::I32 => ArrayData::I32(words(bytes, big_endian, i32::from_le_bytes)),
        ScalarType::U8 => ArrayData::U8(words(bytes, big_endian, u8::from_le_bytes)),
        ScalarType::U16 => ArrayData::U16(words(bytes, big_endian, u16::from_le_bytes)),
        ScalarType::U32 => ArrayData::U32(words(bytes, big_endian, u32::from_le_bytes)),
        ScalarType::U64 => ArrayData::U64(words(bytes, big_endian, u64::from_le_bytes)),
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
        ArrayData::I8(v) => push_words(out, v, i8::to_le_bytes),
        ArrayData::I16(v) => push_words(out, v, i16::to_le_bytes),
        ArrayData::I32(v) => push_words(out, v, i32::to_le_bytes),
        ArrayData::U8(v) => push_words(out, v, u8::to_le_bytes),
        ArrayData::U16(v) => push_words(out, v, u16::to_le_bytes),
        ArrayData::U32(v) => push_words(out, v, u32::to_le_bytes),
        ArrayData::U64(v) => push_words(out, v, u64::to_le_bytes),
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
