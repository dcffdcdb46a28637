//! Reading a `.npy` file's data straight into memory of its element type:
//! one allocation (fallible, so a file too large for memory is an error
//! naming it, not an abort), one read, a byte swap if the file's order is
//! not this machine's. Used by both [`super::read`] and [`super::NpyView`].

use super::{check_bools, FormatError, Layout, NpyError};
use crate::types::ScalarType;
use crate::value::ArrayData;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Why the data could not be read.
pub(super) enum ReadError {
    Io(io::Error),
    OutOfMemory,
    /// The file is shorter or longer than when its length was taken.
    Changed,
    Format(FormatError),
}

impl From<io::Error> for ReadError {
    fn from(error: io::Error) -> ReadError {
        ReadError::Io(error)
    }
}

/// The data of `file`, whose header `layout` describes; the file position
/// is at the end of the header.
pub(super) fn data(file: &mut File, layout: &Layout) -> Result<ArrayData, ReadError> {
    let count = layout.data.len() / layout.elem.byte_size();
    let swap = layout.big_endian != cfg!(target_endian = "big");
    Ok(match layout.elem {
        ScalarType::Bool => ArrayData::Bool(bools(file, count)?),
        ScalarType::I8 => ArrayData::I8(words(file, count, swap)?),
        ScalarType::I16 => ArrayData::I16(words(file, count, swap)?),
        ScalarType::I32 => ArrayData::I32(words(file, count, swap)?),
        ScalarType::U8 => ArrayData::U8(words(file, count, swap)?),
        ScalarType::U16 => ArrayData::U16(words(file, count, swap)?),
        ScalarType::U32 => ArrayData::U32(words(file, count, swap)?),
        ScalarType::U64 => ArrayData::U64(words(file, count, swap)?),
        ScalarType::I64 => ArrayData::I64(words(file, count, swap)?),
        ScalarType::F32 => ArrayData::F32(words(file, count, swap)?),
        ScalarType::F64 => ArrayData::F64(words(file, count, swap)?),
    })
}

pub(super) fn error(path: &Path, layout: &Layout, error: ReadError) -> NpyError {
    let path = path.to_path_buf();
    match error {
        ReadError::Io(source) => NpyError::Io {
            path,
            action: "read",
            source,
        },
        ReadError::OutOfMemory => NpyError::OutOfMemory {
            path,
            bytes: layout.data.len(),
        },
        ReadError::Changed => NpyError::Io {
            path,
            action: "read",
            source: io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file changed size while kjit was reading it",
            ),
        },
        ReadError::Format(problem) => NpyError::Format { path, problem },
    }
}

/// The numeric element types, read as their raw bytes.
trait Word: Copy + Default {
    fn swap_bytes(self) -> Self;
}

macro_rules! int_word {
    ($($t:ty),*) => {$(
        impl Word for $t {
            fn swap_bytes(self) -> $t {
                <$t>::swap_bytes(self)
            }
        }
    )*};
}
int_word!(i8, i16, i32, i64, u8, u16, u32, u64);
impl Word for f32 {
    fn swap_bytes(self) -> f32 {
        f32::from_bits(self.to_bits().swap_bytes())
    }
}
impl Word for f64 {
    fn swap_bytes(self) -> f64 {
        f64::from_bits(self.to_bits().swap_bytes())
    }
}

fn words<T: Word>(file: &mut File, count: usize, swap: bool) -> Result<Vec<T>, ReadError> {
    let mut values = zeroed::<T>(count)?;
    let len = std::mem::size_of_val(values.as_slice());
    // SAFETY: the pointer and length cover exactly the initialized elements
    // of `values`, which the byte slice borrows mutably for its whole life;
    // `T` is an integer, f32 or f64 (the private `Word` trait), for which
    // every byte pattern is a valid value, so any bytes the read leaves are
    // valid `T`s; u8 has alignment 1.
    let bytes = unsafe { std::slice::from_raw_parts_mut(values.as_mut_ptr().cast::<u8>(), len) };
    read_exactly(file, bytes)?;
    if swap {
        values.iter_mut().for_each(|v| *v = v.swap_bytes());
    }
    Ok(values)
}

fn bools(file: &mut File, count: usize) -> Result<Vec<bool>, ReadError> {
    let mut bytes = zeroed::<u8>(count)?;
    read_exactly(file, &mut bytes)?;
    check_bools(&bytes).map_err(ReadError::Format)?;
    let mut values = Vec::new();
    values
        .try_reserve_exact(count)
        .map_err(|_| ReadError::OutOfMemory)?;
    values.extend(bytes.iter().map(|&b| b == 1));
    Ok(values)
}

/// `count` default values, or `OutOfMemory` instead of an abort.
fn zeroed<T: Copy + Default>(count: usize) -> Result<Vec<T>, ReadError> {
    let mut values = Vec::new();
    values
        .try_reserve_exact(count)
        .map_err(|_| ReadError::OutOfMemory)?;
    values.resize(count, T::default());
    Ok(values)
}

/// Fills `bytes` and checks the file ends there: a file that is shorter
/// or longer than its length said at open was changed under the read.
fn read_exactly(file: &mut File, bytes: &mut [u8]) -> Result<(), ReadError> {
    file.read_exact(bytes).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => ReadError::Changed,
        _ => ReadError::Io(e),
    })?;
    let mut probe = [0u8; 1];
    match file.read(&mut probe)? {
        0 => Ok(()),
        _ => Err(ReadError::Changed),
    }
}
