//! [`NpyView`]: the data of a `.npy` file where it lies, in the file's
//! memory map, handed out as `&[T]` without a copy.
//!
//! In: a path. Out: a view whose element type and shape are the file's,
//! and whose data is mapped when the bytes can be used as they are, or an
//! owned copy otherwise, with the [`CopyReason`]:
//! - **byte order**: the file is big-endian (or this machine is not
//!   little-endian), so every element must be swapped;
//! - **alignment**: the data does not start at a multiple of the element's
//!   alignment. numpy pads the header so the data starts at a multiple of
//!   64 bytes, and a map starts on a page boundary, so a file numpy wrote
//!   is always aligned; a hand-made file may not be, and reading an `f64`
//!   through a misaligned `&[f64]` would be undefined behaviour.
//!
//! Holds: a view's bytes are never written (the file is opened read-only,
//! the map is read-only, and no `&mut` to the data is ever handed out), and
//! the bytes of a mapped bool view are all 0 or 1, checked once by
//! [`NpyView::open`], the only constructor. [`NpyView::as_slice`] checks
//! element type, length and alignment again before every unsafe cast, so
//! its soundness does not rest on `open` alone. The one thing no check can
//! cover is another process truncating or rewriting the file while it is
//! mapped; see `map_file`.

use super::{check_bools, convert, map_file, Layout, NpyError};
use crate::api::Element;
use crate::types::ScalarType;
use crate::value::ArrayData;
use memmap2::Mmap;
use std::any::Any;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A `.npy` file's data, read in place when possible.
pub struct NpyView {
    path: PathBuf,
    elem: ScalarType,
    shape: Vec<usize>,
    /// `product(shape)`.
    len: usize,
    storage: Storage,
}

enum Storage {
    /// The data is `map[data]`, usable as it is.
    Mapped { map: Mmap, data: Range<usize> },
    /// The data had to be decoded into memory of our own.
    Copied { data: ArrayData, reason: CopyReason },
}

/// Why a view holds a copy instead of the mapped bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyReason {
    /// The file's byte order is not this machine's.
    ByteOrder,
    /// The data starts at byte `offset` of the file, which is not a
    /// multiple of `align`, the element's alignment.
    Misaligned { offset: usize, align: usize },
}

impl fmt::Display for CopyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CopyReason::ByteOrder => {
                f.write_str("its byte order is not this machine's, so every element is swapped")
            }
            CopyReason::Misaligned { offset, align } => write!(
                f,
                "its data starts at byte {offset}, not a multiple of {align} \
                 (numpy pads headers to 64 bytes; this file was not written by numpy)"
            ),
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
    /// The data's address is not a multiple of the element's alignment.
    Misaligned { address: usize, align: usize },
    /// The mapped bytes are not exactly the elements the shape promises.
    Length { expected: usize, found: usize },
}

impl fmt::Display for ViewError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ViewError::WrongType { requested, stored } => {
                write!(f, "it holds {stored} values, not {requested}")
            }
            ViewError::Misaligned { address, align } => {
                write!(
                    f,
                    "its data at {address:#x} is not aligned to {align} bytes"
                )
            }
            ViewError::Length { expected, found } => {
                write!(
                    f,
                    "its data is {found} bytes where {expected} were expected"
                )
            }
        }
    }
}

impl NpyView {
    /// Maps `path` and checks its header, exactly as [`super::read`] does
    /// (same errors). A bool file's bytes are checked to be 0 or 1 here.
    pub fn open(path: &Path) -> Result<NpyView, NpyError> {
        let map = map_file(path)?;
        let layout = Layout::of(&map).map_err(NpyError::format(path))?;
        let bytes = layout.data_in(&map);
        let storage = match copy_reason(&layout, bytes) {
            Some(reason) => {
                let data = convert(bytes, layout.elem, layout.big_endian)
                    .map_err(NpyError::format(path))?;
                Storage::Copied { data, reason }
            }
            None => {
                if layout.elem == ScalarType::Bool {
                    check_bools(bytes).map_err(NpyError::format(path))?;
                }
                let data = layout.data.clone();
                Storage::Mapped { map, data }
            }
        };
        Ok(NpyView {
            path: path.to_path_buf(),
            elem: layout.elem,
            len: layout.shape.iter().product(),
            shape: layout.shape,
            storage,
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

    /// Whether [`NpyView::as_slice`] reads the file's pages in place (no
    /// copy was made).
    pub fn is_mapped(&self) -> bool {
        matches!(self.storage, Storage::Mapped { .. })
    }

    /// Why the data was copied, if it was.
    pub fn copy_reason(&self) -> Option<CopyReason> {
        match self.storage {
            Storage::Mapped { .. } => None,
            Storage::Copied { reason, .. } => Some(reason),
        }
    }

    /// The elements, row-major, if `T` is the file's element type.
    pub fn as_slice<T: Element>(&self) -> Result<&[T], NpyError> {
        if T::TYPE != self.elem {
            return Err(self.error(ViewError::WrongType {
                requested: T::TYPE,
                stored: self.elem,
            }));
        }
        match &self.storage {
            Storage::Mapped { map, data } => self.mapped(map, data.clone()),
            Storage::Copied { data, .. } => typed(data).ok_or_else(|| {
                self.error(ViewError::WrongType {
                    requested: T::TYPE,
                    stored: data.elem(),
                })
            }),
        }
    }

    /// `map[data]` as `&[T]`, after checking length and alignment.
    fn mapped<'v, T: Element>(
        &'v self,
        map: &'v Mmap,
        data: Range<usize>,
    ) -> Result<&'v [T], NpyError> {
        let size = std::mem::size_of::<T>();
        let expected = self.len.checked_mul(size);
        let found = data.len();
        let bytes = map.get(data).filter(|b| Some(b.len()) == expected);
        let Some(bytes) = bytes else {
            return Err(self.error(ViewError::Length {
                expected: expected.unwrap_or(usize::MAX),
                found,
            }));
        };
        let align = std::mem::align_of::<T>();
        let address = bytes.as_ptr().addr();
        if !address.is_multiple_of(align) {
            return Err(self.error(ViewError::Misaligned { address, align }));
        }
        // SAFETY: `from_raw_parts` needs a pointer that is non-null, aligned
        // for `T` and valid for reads of `len * size_of::<T>()` bytes, which
        // hold valid `T`s and are not mutated while the slice lives:
        // - non-null and in bounds: it points into `bytes`, a subslice of
        //   the map, and `bytes.len() == len * size_of::<T>()` (checked);
        // - aligned: checked just above;
        // - valid values: `T` is one of kjit's five element types (the
        //   `Element` trait is sealed) and `T::TYPE` is the file's dtype
        //   (checked). Every bit pattern is a valid i32, i64, f32 or f64,
        //   and the data is little-endian like this machine (`open` copies
        //   otherwise). A bool must be 0 or 1: `open`, the only
        //   constructor, checked every byte of a mapped bool view;
        // - not mutated, alive: the slice borrows `self`, which owns the
        //   map, so the map outlives it; the map is read-only and kjit never
        //   writes the file. Another process writing or truncating the file
        //   meanwhile is the caveat of every mapped read (see `map_file`).
        Ok(unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<T>(), self.len) })
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

/// `None` if the data can be used in place; else why it must be copied.
fn copy_reason(layout: &Layout, bytes: &[u8]) -> Option<CopyReason> {
    if layout.big_endian != cfg!(target_endian = "big") {
        return Some(CopyReason::ByteOrder);
    }
    let align = alignment(layout.elem);
    if !bytes.as_ptr().addr().is_multiple_of(align) {
        return Some(CopyReason::Misaligned {
            offset: layout.data.start,
            align,
        });
    }
    None
}

/// The alignment Rust requires of `elem`'s type on this machine.
fn alignment(elem: ScalarType) -> usize {
    match elem {
        ScalarType::Bool => std::mem::align_of::<bool>(),
        ScalarType::I32 => std::mem::align_of::<i32>(),
        ScalarType::I64 => std::mem::align_of::<i64>(),
        ScalarType::F32 => std::mem::align_of::<f32>(),
        ScalarType::F64 => std::mem::align_of::<f64>(),
    }
}

/// The elements of `data` as `&[T]`, if `T` is their type.
fn typed<T: Element>(data: &ArrayData) -> Option<&[T]> {
    let vec: &dyn Any = match data {
        ArrayData::Bool(v) => v,
        ArrayData::I32(v) => v,
        ArrayData::I64(v) => v,
        ArrayData::F32(v) => v,
        ArrayData::F64(v) => v,
    };
    vec.downcast_ref::<Vec<T>>().map(Vec::as_slice)
}
