//! numpy memory: which numpy dtype is which kjit type, which layouts a
//! kernel can use in place, copies of the others, and the outputs kjit
//! allocates (by numpy, so large ones get its huge pages: 3x faster to fill
//! than a Rust `Vec` handed over, on this project's VM).

use crate::errors::argument_error;
use kjit::api::{Binding, GivenKind, Role};
use kjit::signature::ParamSig;
use kjit::types::ScalarType;
use numpy::npyffi::{
    self, npy_intp, NPY_ARRAY_ALIGNED, NPY_ARRAY_C_CONTIGUOUS, NPY_ARRAY_WRITEABLE, NPY_ORDER,
    PY_ARRAY_API,
};
use numpy::{PyArrayDescr, PyArrayDescrMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt};
use std::os::raw::c_int;
use std::sync::atomic::{AtomicU64, Ordering};

/// One kjit element type as numpy knows it. New kjit types get a row here
/// and an arm in [`with_element!`]; nothing else in the binding matches on
/// element types.
pub(crate) struct Dtype {
    pub ty: ScalarType,
    /// numpy's name, as `np.float32` and error messages spell it.
    pub name: &'static str,
    /// `dtype.kind`: `b`ool, signed `i`nteger, `u`nsigned, `f`loat.
    kind: u8,
    itemsize: usize,
}

pub(crate) const DTYPES: [Dtype; 11] = [
    Dtype {
        ty: ScalarType::Bool,
        name: "bool",
        kind: b'b',
        itemsize: 1,
    },
    Dtype {
        ty: ScalarType::I8,
        name: "int8",
        kind: b'i',
        itemsize: 1,
    },
    Dtype {
        ty: ScalarType::I16,
        name: "int16",
        kind: b'i',
        itemsize: 2,
    },
    Dtype {
        ty: ScalarType::I32,
        name: "int32",
        kind: b'i',
        itemsize: 4,
    },
    Dtype {
        ty: ScalarType::I64,
        name: "int64",
        kind: b'i',
        itemsize: 8,
    },
    Dtype {
        ty: ScalarType::U8,
        name: "uint8",
        kind: b'u',
        itemsize: 1,
    },
    Dtype {
        ty: ScalarType::U16,
        name: "uint16",
        kind: b'u',
        itemsize: 2,
    },
    Dtype {
        ty: ScalarType::U32,
        name: "uint32",
        kind: b'u',
        itemsize: 4,
    },
    Dtype {
        ty: ScalarType::U64,
        name: "uint64",
        kind: b'u',
        itemsize: 8,
    },
    Dtype {
        ty: ScalarType::F32,
        name: "float32",
        kind: b'f',
        itemsize: 4,
    },
    Dtype {
        ty: ScalarType::F64,
        name: "float64",
        kind: b'f',
        itemsize: 8,
    },
];

/// `$body` with `$t` the Rust element type of kjit type `$ty` (the types
/// `kjit::api::Element` and `numpy::Element` both cover): the library's
/// one match on element types.
macro_rules! with_element {
    ($ty:expr, $t:ident => $body:expr) => {
        kjit::value::with_elem_type!($ty, $t => $body)
    };
}
pub(crate) use with_element;

/// numpy's name of `ty` (`float32`).
pub(crate) fn numpy_name(ty: ScalarType) -> &'static str {
    DTYPES.iter().find(|d| d.ty == ty).map_or("?", |d| d.name)
}

/// Whether numpy dtype `descr` is exactly kjit type `ty` in native byte
/// order (so `>f4` is not float32: the kernel would read swapped bytes).
fn is_dtype(descr: &Bound<'_, PyArrayDescr>, ty: ScalarType) -> bool {
    let Some(row) = DTYPES.iter().find(|d| d.ty == ty) else {
        return false;
    };
    descr.kind() == row.kind
        && descr.itemsize() == row.itemsize
        && descr.is_native_byteorder() != Some(false)
        && !descr.has_fields()
        && !descr.has_subarray()
}

/// The dtype a call argument gives a generic kernel's type parameter: a
/// numpy array's or numpy scalar's own, `float64` for a Python float,
/// `int64` for a Python int, `bool` for a Python bool; `None` for anything
/// else (a list is converted to whatever the chosen instance wants).
pub(crate) fn given_kind(obj: &Bound<'_, PyAny>) -> Option<GivenKind> {
    if let Ok(array) = obj.cast::<PyUntypedArray>() {
        let descr = array.dtype();
        let row = DTYPES.iter().find(|d| is_dtype(&descr, d.ty))?;
        return Some(if array.ndim() == 0 {
            GivenKind::Scalar(row.ty)
        } else {
            GivenKind::Array(row.ty)
        });
    }
    if obj.is_exact_instance_of::<PyBool>() {
        return Some(GivenKind::Scalar(ScalarType::Bool));
    }
    if obj.is_exact_instance_of::<PyFloat>() {
        return Some(GivenKind::Scalar(ScalarType::F64));
    }
    if obj.is_exact_instance_of::<PyInt>() {
        return Some(GivenKind::Scalar(ScalarType::I64));
    }
    // A numpy scalar (`np.float32(1.5)`) carries its dtype.
    let descr = obj.getattr("dtype").ok()?;
    let descr = descr.cast::<PyArrayDescr>().ok()?;
    let row = DTYPES.iter().find(|d| is_dtype(descr, d.ty))?;
    Some(GivenKind::Scalar(row.ty))
}

/// How many inputs were copied because their layout could not be used in
/// place (`kjit.stats()["copies"]`).
static COPIES: AtomicU64 = AtomicU64::new(0);

/// `kjit.stats()`: counters of the whole process, `{"copies": n}`.
#[pyfunction]
pub(crate) fn stats(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("copies", COPIES.load(Ordering::Relaxed))?;
    Ok(dict)
}

/// The byte range an array's elements span, as numpy's `byte_bounds`;
/// `None` when it holds no element. Used to refuse aliasing.
pub(crate) type Bounds = Option<(usize, usize)>;

/// Addresses fit an `isize` (user space is the lower half); the products
/// saturate rather than wrap for absurd strides.
fn bounds(array: &Bound<'_, PyUntypedArray>) -> Bounds {
    if array.shape().contains(&0) {
        return None;
    }
    let start = data(array) as usize;
    let (mut low, mut high) = (start as isize, start as isize);
    for (&dim, &stride) in array.shape().iter().zip(array.strides()) {
        let reach = (dim as isize - 1).saturating_mul(stride);
        if reach < 0 {
            low = low.saturating_add(reach);
        } else {
            high = high.saturating_add(reach);
        }
    }
    let item = array.dtype().itemsize() as isize;
    Some((low as usize, high.saturating_add(item) as usize))
}

fn flags(array: &Bound<'_, PyUntypedArray>) -> c_int {
    // SAFETY: the pointer is the live array object `array` holds.
    unsafe { (*npyffi::_PyArray_GET_ITEM_DATA(array.as_array_ptr())).flags }
}

pub(crate) fn data(array: &Bound<'_, PyUntypedArray>) -> *mut u8 {
    // SAFETY: the pointer is the live array object `array` holds.
    unsafe {
        (*npyffi::_PyArray_GET_ITEM_DATA(array.as_array_ptr()))
            .data
            .cast()
    }
}

fn has_flags(array: &Bound<'_, PyUntypedArray>, wanted: c_int) -> bool {
    flags(array) & wanted == wanted
}

/// An input array a kernel can read in place: `obj` itself when it is
/// C-contiguous and aligned (read-only and memory-mapped arrays included),
/// else a C-ordered copy (strided, stride-0 broadcast, Fortran order).
/// Also returns the bounds of the caller's array, for the aliasing check.
pub(crate) fn input<'py>(
    obj: &Bound<'py, PyAny>,
    param: &ParamSig,
) -> PyResult<(Bound<'py, PyUntypedArray>, Bounds)> {
    let array = ndarray(obj, param)?;
    let bounds = bounds(&array);
    let mut array = if has_flags(&array, NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED) {
        array
    } else {
        copy(&array)?
    };
    if param.elem == ScalarType::Bool && !holds_0_or_1(&array) {
        array = normalized_bools(&array)?;
    }
    Ok((array, bounds))
}

/// An output or `inout` array the kernel writes in place: it must be
/// C-contiguous, aligned and writeable, since a copy would have to be
/// written back behind the caller's back.
pub(crate) fn writable<'py>(
    obj: &Bound<'py, PyAny>,
    param: &ParamSig,
) -> PyResult<(Bound<'py, PyUntypedArray>, Bounds)> {
    let array = ndarray(obj, param)?;
    let what = role_text(param.role);
    let name = &param.name;
    let fail = |problem: &str| {
        Err(argument_error(
            obj.py(),
            format!("{what} `{name}`: {problem}; it is written in place, so pass a C-contiguous, writeable array (np.empty(shape, dtype) or np.ascontiguousarray)"),
            Some(name),
        ))
    };
    if !has_flags(&array, NPY_ARRAY_WRITEABLE) {
        return fail("the array is read-only");
    }
    if !has_flags(&array, NPY_ARRAY_C_CONTIGUOUS) {
        return fail("the array is not C-contiguous");
    }
    if !has_flags(&array, NPY_ARRAY_ALIGNED) {
        return fail("the array is not aligned");
    }
    // A bool output's old bytes are overwritten before the run (see
    // `call::clear_bool_outputs`); an inout array's are read, so must be bools.
    if param.elem == ScalarType::Bool && param.role == Role::InOut && !holds_0_or_1(&array) {
        return fail("the bool array holds bytes other than 0 and 1 (a view of other data?)");
    }
    let bounds = bounds(&array);
    Ok((array, bounds))
}

fn role_text(role: Role) -> &'static str {
    match role {
        Role::Input => "input",
        Role::InOut => "inout array",
        Role::Output => "output",
    }
}

/// `obj` as a numpy array of the parameter's dtype, or the error that says
/// how to make one.
fn ndarray<'py>(obj: &Bound<'py, PyAny>, param: &ParamSig) -> PyResult<Bound<'py, PyUntypedArray>> {
    let py = obj.py();
    let name = &param.name;
    let want = numpy_name(param.elem);
    let Ok(array) = obj.cast::<PyUntypedArray>() else {
        let got = obj.get_type().name()?;
        return Err(argument_error(
            py,
            format!("argument `{name}`: expected a numpy array of {want}, got {got} (use np.asarray({name}, dtype=np.{want}))"),
            Some(name),
        ));
    };
    if !is_dtype(&array.dtype(), param.elem) {
        let got = array.dtype().str()?;
        return Err(argument_error(
            py,
            format!("argument `{name}`: expected {want}, got {got} (use {name}.astype(np.{want}))"),
            Some(name),
        ));
    }
    Ok(array.clone())
}

/// A C-ordered, aligned copy of `array`.
fn copy<'py>(array: &Bound<'py, PyUntypedArray>) -> PyResult<Bound<'py, PyUntypedArray>> {
    let py = array.py();
    // SAFETY: `array` is a live array; PyArray_NewCopy returns a new
    // reference or null with a Python error set, which `from_owned_ptr_or_err`
    // turns into `Err`.
    let copied = unsafe {
        let ptr = PY_ARRAY_API.PyArray_NewCopy(py, array.as_array_ptr(), NPY_ORDER::NPY_CORDER);
        Bound::from_owned_ptr_or_err(py, ptr)?
    };
    COPIES.fetch_add(1, Ordering::Relaxed);
    Ok(copied.cast_into::<PyUntypedArray>()?)
}

/// The bytes of a C-contiguous array.
fn bytes<'a>(array: &'a Bound<'_, PyUntypedArray>) -> &'a [u8] {
    let len = array.len() * array.dtype().itemsize();
    if len == 0 {
        return &[];
    }
    // SAFETY: a C-contiguous array of `len` bytes starts at its data
    // pointer; any byte is a valid `u8`; `array` keeps it alive for 'a.
    unsafe { std::slice::from_raw_parts(data(array), len) }
}

/// Whether every byte of a C-contiguous bool array is 0 or 1, as kernels
/// (and Rust's `bool`) require. Views of other data can hold anything.
pub(crate) fn holds_0_or_1(array: &Bound<'_, PyUntypedArray>) -> bool {
    bytes(array).iter().all(|&b| b <= 1)
}

/// `array != 0` as a new bool array: true stays true whatever its byte.
fn normalized_bools<'py>(
    array: &Bound<'py, PyUntypedArray>,
) -> PyResult<Bound<'py, PyUntypedArray>> {
    let as_bytes = array.call_method1("view", ("u1",))?;
    COPIES.fetch_add(1, Ordering::Relaxed);
    let normalized = as_bytes.call_method1("__ne__", (0,))?;
    Ok(normalized.cast_into::<PyUntypedArray>()?)
}

/// Zeroes a C-contiguous array the caller checked is writeable (a bool
/// output whose old bytes are not all 0 or 1: see `call`). It writes to
/// the caller's array, so only once every check has passed.
pub(crate) fn clear(array: &Bound<'_, PyUntypedArray>) {
    let len = array.len() * array.dtype().itemsize();
    if len > 0 {
        // SAFETY: `writable` checked the array is C-contiguous and
        // writeable: `len` bytes from its data pointer are its own.
        unsafe { std::ptr::write_bytes(data(array), 0, len) };
    }
}

/// A new C-ordered array of `shape`, allocated by numpy: uninitialised
/// (np.empty) since the kernel writes or zero-fills every element, except
/// bool arrays, zeroed so that they hold valid `bool`s from the start.
pub(crate) fn allocate<'py>(
    py: Python<'py>,
    ty: ScalarType,
    shape: &[usize],
) -> PyResult<Bound<'py, PyUntypedArray>> {
    let descr = with_element!(ty, T => numpy::dtype::<T>(py));
    // `bind_sizes` checked every dimension fits an i64 and the element
    // count a usize; numpy checks the byte count.
    let mut dims: Vec<npy_intp> = shape.iter().map(|&d| d as npy_intp).collect();
    let nd = dims.len() as c_int;
    // SAFETY: `dims` holds `nd` extents; both calls steal the reference to
    // the descriptor (`into_dtype_ptr` gives one up) and return a new
    // reference or null with a Python error set (MemoryError, or
    // ValueError for a too large array), which becomes `Err`.
    let array = unsafe {
        let ptr = if ty == ScalarType::Bool {
            PY_ARRAY_API.PyArray_Zeros(py, nd, dims.as_mut_ptr(), descr.into_dtype_ptr(), 0)
        } else {
            PY_ARRAY_API.PyArray_NewFromDescr(
                py,
                npyffi::get_type_object(py, npyffi::NpyTypes::PyArray_Type),
                descr.into_dtype_ptr(),
                nd,
                dims.as_mut_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                0,
                std::ptr::null_mut(),
            )
        };
        Bound::from_owned_ptr_or_err(py, ptr)?
    };
    Ok(array.cast_into::<PyUntypedArray>()?)
}

/// An array as the kernel sees it: memory, shape and element count.
pub(crate) struct RawArray<'a> {
    pub data: *mut u8,
    pub shape: &'a [usize],
    pub len: usize,
}

impl<'a> RawArray<'a> {
    /// `array`, which must be C-contiguous and aligned.
    pub fn of(array: &'a Bound<'_, PyUntypedArray>) -> RawArray<'a> {
        RawArray {
            data: data(array),
            shape: array.shape(),
            len: array.len(),
        }
    }
}

/// Adds array `raw` to `binding` as parameter `param` (in its role).
///
/// # Safety
/// `raw` describes a live, C-contiguous, aligned numpy array of
/// `param.elem`'s dtype (`raw.len` elements from `raw.data`), valid for
/// the binding's whole run; if it is an output or `inout` array, it is
/// writeable and overlaps no other array of the call; a bool array holds
/// only bytes 0 and 1.
pub(crate) unsafe fn give<'k, 'a>(
    binding: Binding<'k, 'a>,
    param: &ParamSig,
    raw: &'a RawArray<'a>,
) -> Binding<'k, 'a> {
    let name = param.name.as_str();
    with_element!(param.elem, T => {
        // An empty array's data pointer may be anything (even null), which
        // a slice must not be.
        let ptr = if raw.len == 0 {
            std::ptr::NonNull::<T>::dangling().as_ptr()
        } else {
            raw.data.cast::<T>()
        };
        // SAFETY: forwarded from this function's contract; the dtype check
        // made the elements `T`s, and the alignment check aligned them.
        match param.role {
            Role::Input => binding.input_nd(name, unsafe { std::slice::from_raw_parts(ptr, raw.len) }, raw.shape),
            Role::InOut => binding.inout_nd(name, unsafe { std::slice::from_raw_parts_mut(ptr, raw.len) }, raw.shape),
            Role::Output => binding.output_nd(name, unsafe { std::slice::from_raw_parts_mut(ptr, raw.len) }, raw.shape),
        }
    })
}
