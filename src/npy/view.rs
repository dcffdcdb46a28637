//! [`NpyView`]: the data of a `.npy` file, read once into memory of its
//! element type, handed out as `&[T]` without a further copy.
//!
//! In: a path. Out: a view whose element type and shape are the file's.
//! Views used to map the file; they read it now, because a mapped file that
//! another process truncates during a run crashes kjit with SIGBUS (see
//! `open_regular` in the parent module). A big-endian file is byte-swapped
//! as it is read, and [`NpyView::copy_reason`] says so.
//!
//! Holds: a view's data is never written (no `&mut` to it is handed out),
//! and the data of a bool view is all 0 or 1, checked as it is read.

use super::{read_file, NpyError};
use crate::api::Element;
use crate::types::ScalarType;
use crate::value::ArrayData;
use std::any::Any;
use std::fmt;
use std::path::{Path, PathBuf};

/// A `.npy` file's data, read into memory.
pub struct NpyView {
    path: PathBuf,
    elem: ScalarType,
    shape: Vec<usize>,
    /// `product(shape)`.
    len: usize,
    data: ArrayData,
    swapped: bool,
}

/// Why a view's data differs from the file's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyReason {
    /// The file's byte order is not this machine's.
    ByteOrder,
}

impl fmt::Display for CopyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CopyReason::ByteOrder => {
                f.write_str("its byte order is not this machine's, so every element is swapped")
            }
        }
    }
}

/// Why [`NpyView::as_slice`] cannot give the requested slice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewError {
    WrongType {
        requested: ScalarType,
        stored: ScalarType,
    },
}

impl fmt::Display for ViewError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ViewError::WrongType { requested, stored } => {
                write!(f, "it holds {stored} values, not {requested}")
            }
        }
    }
}

impl NpyView {
    /// Reads `path` and checks its header, exactly as [`super::read`] does
    /// (same errors).
    pub fn open(path: &Path) -> Result<NpyView, NpyError> {
        let (layout, data) = read_file(path)?;
        Ok(NpyView {
            path: path.to_path_buf(),
            elem: layout.elem,
            len: layout.shape.iter().product(),
            shape: layout.shape,
            swapped: layout.big_endian != cfg!(target_endian = "big"),
            data,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn elem(&self) -> ScalarType {
        self.elem
    }

    /// `[]`, `[n]` or `[rows, cols]`, row-major.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Why the data differs from the file's bytes, if it does.
    pub fn copy_reason(&self) -> Option<CopyReason> {
        self.swapped.then_some(CopyReason::ByteOrder)
    }

    /// The elements, row-major, if `T` is the file's element type.
    pub fn as_slice<T: Element>(&self) -> Result<&[T], NpyError> {
        typed(&self.data).ok_or_else(|| {
            self.error(ViewError::WrongType {
                requested: T::TYPE,
                stored: self.elem,
            })
        })
    }

    fn error(&self, problem: ViewError) -> NpyError {
        NpyError::View {
            path: self.path.clone(),
            problem,
        }
    }
}

impl fmt::Debug for NpyView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NpyView")
            .field("path", &self.path)
            .field("elem", &self.elem)
            .field("shape", &self.shape)
            .field("copy_reason", &self.copy_reason())
            .finish()
    }
}

/// The elements of `data` as `&[T]`, if `T` is their type.
fn typed<T: Element>(data: &ArrayData) -> Option<&[T]> {
    let vec: &dyn Any = match data {
        ArrayData::Bool(v) => v,
        ArrayData::I8(v) => v,
        ArrayData::I16(v) => v,
        ArrayData::I32(v) => v,
        ArrayData::I64(v) => v,
        ArrayData::U8(v) => v,
        ArrayData::U16(v) => v,
        ArrayData::U32(v) => v,
        ArrayData::U64(v) => v,
        ArrayData::F32(v) => v,
        ArrayData::F64(v) => v,
    };
    vec.downcast_ref::<Vec<T>>().map(Vec::as_slice)
}
