//! Tests of the `.npy` reader and writer against files numpy wrote
//! (tests/data/make_npy_fixtures.py).

use super::*;
use crate::value::Value;

/// The fixtures were written by numpy (tests/data/make_npy_fixtures.py).
fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

fn decoded(name: &str) -> Array {
    decode(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn reads_every_supported_dtype() {
    let f32s = decoded("npy_f32_1d.npy");
    assert_eq!(f32s.shape, vec![5]);
    let ArrayData::F32(v) = &f32s.data else {
        panic!("{:?}", f32s.data)
    };
    assert_eq!(&v[..3], &[1.5, -2.0, 3.25]);
    assert!(v[3].is_nan() && v[4] == f32::INFINITY);
    let i32s = decoded("npy_i32_1d.npy");
    assert_eq!(i32s.data, ArrayData::I32(vec![1, -2, i32::MAX, i32::MIN]));
    assert_eq!(
        decoded("npy_i64_1d.npy").data,
        ArrayData::I64(vec![1, -2, 1 << 40])
    );
    assert_eq!(
        decoded("npy_bool_1d.npy").data,
        ArrayData::Bool(vec![true, false, true])
    );
}

#[test]
fn reads_2d_0d_empty_and_version_2() {
    let a = decoded("npy_f64_2d.npy");
    assert_eq!(a.shape, vec![2, 3]);
    assert_eq!(a.data, ArrayData::F64(vec![0.0, 0.5, 1.0, 1.5, 2.0, 2.5]));
    let scalar = decoded("npy_f64_0d.npy");
    assert_eq!(
        (scalar.shape.len(), scalar.data),
        (0, ArrayData::F64(vec![2.5]))
    );
    assert_eq!(decoded("npy_f32_empty.npy").data, ArrayData::F32(vec![]));
    assert_eq!(
        decoded("npy_f64_2d_v2.npy").data,
        ArrayData::F64(vec![0.0, 1.0, 2.0, 3.0])
    );
}

#[test]
fn byte_swaps_big_endian() {
    assert_eq!(
        decoded("npy_f32_bigendian.npy").data,
        ArrayData::F32(vec![1.0, 2.0, -0.5])
    );
}

#[test]
fn writes_exactly_what_numpy_writes() {
    for name in [
        "npy_f32_1d.npy",
        "npy_f64_2d.npy",
        "npy_i32_1d.npy",
        "npy_i64_1d.npy",
        "npy_bool_1d.npy",
        "npy_f64_0d.npy",
        "npy_f32_empty.npy",
    ] {
        let bytes = fixture(name);
        assert_eq!(encode(&decoded(name)), bytes, "{name}");
    }
}

#[test]
fn header_is_padded_to_64_bytes() {
    for shape in [vec![], vec![7], vec![123456, 3]] {
        let count = shape.iter().product();
        let array = Array {
            shape,
            data: ArrayData::I64(vec![0; count]),
        };
        let header_len = encode(&array).len() - count * 8;
        assert_eq!(header_len % ALIGN, 0);
    }
}

#[test]
fn rejects_fortran_order_rank_and_dtype() {
    assert_eq!(
        decode(&fixture("npy_f32_fortran.npy")),
        Err(FormatError::FortranOrder)
    );
    // numpy wrote this one; ranks up to MAX_RANK read.
    let three = decoded("npy_f32_3d.npy");
    assert_eq!(three.shape.len(), 3);
    let mut five =
        with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1), }");
    five.extend_from_slice(&[0; 4]);
    assert_eq!(decode(&five), Err(FormatError::UnsupportedRank(5)));
    assert_eq!(
        decode(&half_floats()),
        Err(FormatError::UnsupportedDtype("<f2".to_string()))
    );
    // numpy wrote this one: `<u2` is u16.
    assert_eq!(
        decode(&fixture("npy_u2_1d.npy")).map(|a| a.data),
        Ok(ArrayData::U16(vec![1, 2, 3]))
    );
}

/// Three float16 values, a dtype kjit does not have.
fn half_floats() -> Vec<u8> {
    let mut bytes = with_header("{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }");
    bytes.extend_from_slice(&[0; 6]);
    bytes
}

#[test]
fn every_integer_dtype_round_trips() {
    let arrays = [
        ArrayData::I8(vec![i8::MIN, -1, 0, i8::MAX]),
        ArrayData::I16(vec![i16::MIN, -1, 0, i16::MAX]),
        ArrayData::U8(vec![0, 1, 200, u8::MAX]),
        ArrayData::U16(vec![0, 1, 40000, u16::MAX]),
        ArrayData::U32(vec![0, 1, 3_000_000_000, u32::MAX]),
        ArrayData::U64(vec![0, 1, 1 << 63, u64::MAX]),
    ];
    for data in arrays {
        let array = Array {
            shape: vec![4],
            data,
        };
        assert_eq!(decode(&encode(&array)), Ok(array.clone()));
    }
    let descr = |elem| {
        String::from_utf8_lossy(&encode(&Array {
            shape: vec![0],
            data: ArrayData::zeros(elem, 0),
        }))
        .contains(elem_descr(elem))
    };
    for elem in ScalarType::INTS {
        assert!(descr(elem), "{elem}");
    }
}

/// numpy's descr of each integer type, written out independently.
fn elem_descr(elem: ScalarType) -> &'static str {
    match elem {
        ScalarType::I8 => "'|i1'",
        ScalarType::I16 => "'<i2'",
        ScalarType::I32 => "'<i4'",
        ScalarType::I64 => "'<i8'",
        ScalarType::U8 => "'|u1'",
        ScalarType::U16 => "'<u2'",
        ScalarType::U32 => "'<u4'",
        ScalarType::U64 => "'<u8'",
        _ => unreachable!("integer types only"),
    }
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = fixture("npy_f64_2d.npy");
    for len in 0..bytes.len() {
        match decode(&bytes[..len]) {
            Err(FormatError::Truncated { .. }) => {}
            other => panic!("{len} bytes: {other:?}"),
        }
    }
}

#[test]
fn malformed_files_are_typed_errors() {
    assert_eq!(decode(b"PK\x03\x04 a zip file"), Err(FormatError::NotNpy));
    let mut bytes = fixture("npy_bool_1d.npy");
    bytes[6] = 9;
    assert_eq!(
        decode(&bytes),
        Err(FormatError::UnsupportedVersion { major: 9, minor: 0 })
    );
    let mut bytes = fixture("npy_bool_1d.npy");
    let last = bytes.len() - 1;
    bytes[last] = 7;
    assert_eq!(
        decode(&bytes),
        Err(FormatError::BadBool { index: 2, byte: 7 })
    );
    let mut bytes = fixture("npy_bool_1d.npy");
    bytes.push(0);
    assert_eq!(decode(&bytes), Err(FormatError::TrailingBytes(1)));
}

fn with_header(dict: &str) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&[1, 0]);
    bytes.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    bytes.extend_from_slice(dict.as_bytes());
    bytes
}

#[test]
fn malformed_headers_say_what_is_wrong() {
    let cases = [
        (
            "{'descr': '<f4', 'shape': (0,)}",
            "\"fortran_order\" is missing",
        ),
        (
            "{'descr': '<f4', 'fortran_order': 0, 'shape': (0,)}",
            "True or False",
        ),
        (
            "{'descr': '<f4', 'fortran_order': False, 'shape': (x,)}",
            "dimension",
        ),
        (
            "{'descr': '<f4', 'fortran_order': False, 'shape': (0,)} junk",
            "after the dict",
        ),
        ("{'descr': '<f4, 'fortran_order': False}", "expected '}'"),
        (
            "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (0,)}",
            "structured",
        ),
        (
            "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}",
            "dimension",
        ),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296)}",
            "too large",
        ),
    ];
    for (dict, expected) in cases {
        let message = decode(&with_header(dict))
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(message.contains(expected), "{dict}: {message}");
    }
}

#[test]
fn accepts_python_2_longs_and_double_quotes() {
    let dict = "{\"descr\": \"<i4\", \"fortran_order\": False, \"shape\": (1L,), }\n";
    let mut bytes = with_header(dict);
    bytes.extend_from_slice(&7i32.to_le_bytes());
    assert_eq!(decode(&bytes).map(|a| a.data), Ok(ArrayData::I32(vec![7])));
}

#[test]
fn write_then_read_round_trips_through_the_file_system() {
    let dir = std::env::temp_dir().join(format!("kjit-npy-test-{}", std::process::id()));
    fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("scalar.npy");
    write(&path, &Value::Scalar(Scalar::I32(-5))).expect("write");
    let back = read(&path).expect("read");
    assert_eq!((back.shape.len(), back.data), (0, ArrayData::I32(vec![-5])));
    let leftovers: Vec<_> = fs::read_dir(&dir).expect("list").collect();
    assert_eq!(leftovers.len(), 1, "the temporary file was renamed away");
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn read_errors_name_the_file() {
    let missing = Path::new("/nonexistent/kjit/x.npy");
    let message = read(missing).map(|_| ()).unwrap_err().to_string();
    assert!(message.contains("/nonexistent/kjit/x.npy"), "{message}");
}

// ----- views -----

/// A fresh temporary directory holding `bytes` as `name`.
fn temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    fs::write(&path, bytes).expect("write");
    (dir, path)
}

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn open_view(path: &Path) -> NpyView {
    NpyView::open(path).unwrap_or_else(|e| panic!("{e}"))
}

/// The view's data as an owned `ArrayData`, through `as_slice`.
fn view_data(view: &NpyView) -> ArrayData {
    let data: Result<ArrayData, NpyError> = crate::value::with_elem_type!(view.elem(), T => view.as_slice::<T>().map(|s| s.to_vec().into()));
    data.unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn views_map_what_numpy_wrote_and_agree_with_read() {
    for name in [
        "npy_f32_1d.npy",
        "npy_f64_2d.npy",
        "npy_i32_1d.npy",
        "npy_i64_1d.npy",
        "npy_bool_1d.npy",
        "npy_f64_0d.npy",
        "npy_f32_empty.npy",
        "npy_f64_2d_v2.npy",
    ] {
        let path = fixture_path(name);
        let view = open_view(&path);
        let owned = read(&path).expect("read");
        assert_eq!(view.copy_reason(), None, "{name}");
        assert_eq!(view.shape(), owned.shape.as_slice(), "{name}");
        assert_eq!(view.len(), owned.data.len(), "{name}");
        // Compared as npy bytes, so NaN compares equal to itself.
        let viewed = Array {
            shape: view.shape().to_vec(),
            data: view_data(&view),
        };
        assert_eq!(encode(&viewed), encode(&owned), "{name}");
    }
}

#[test]
fn a_view_holds_the_files_data() {
    // Large enough to span many pages; every element distinct.
    let values: Vec<f64> = (0..300_000).map(|i| f64::from(i) * 0.25).collect();
    let (_dir, path) = temp_file("big.npy", &encode(&Array::from_vec(values.clone())));
    let view = open_view(&path);
    let slice = view.as_slice::<f64>().expect("f64");
    assert_eq!(slice, values.as_slice());
}

#[test]
fn big_endian_data_is_copied_and_swapped() {
    let view = open_view(&fixture_path("npy_f32_bigendian.npy"));
    assert_eq!(view.copy_reason(), Some(CopyReason::ByteOrder));
    assert_eq!(view.as_slice::<f32>().expect("f32"), &[1.0, 2.0, -0.5]);
}

/// A valid `.npy` file whose header is not padded: the data starts at byte
/// 10 + len(dict), whatever that is.
fn unpadded(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut bytes = with_header(dict);
    bytes.extend_from_slice(data);
    bytes
}

#[test]
fn misaligned_data_reads_like_any_other() {
    let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}";
    let data: Vec<u8> = [1.5f64, -2.0, 1e300]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    let bytes = unpadded(dict, &data);
    let offset = bytes.len() - data.len();
    assert_ne!(offset % 8, 0, "the test needs a misaligned file");
    let (_dir, path) = temp_file("odd.npy", &bytes);
    let view = open_view(&path);
    assert_eq!(view.copy_reason(), None);
    assert_eq!(view.as_slice::<f64>().expect("f64"), &[1.5, -2.0, 1e300]);
    let dict = "{'descr': '|b1', 'fortran_order': False, 'shape': (2,)}";
    let (_dir, path) = temp_file("odd_bool.npy", &unpadded(dict, &[1, 0]));
    let view = open_view(&path);
    assert_eq!(view.as_slice::<bool>().expect("bool"), &[true, false]);
}

#[test]
fn bool_bytes_other_than_0_and_1_are_an_error_naming_the_file() {
    let mut bytes = fixture("npy_bool_1d.npy");
    let last = bytes.len() - 1;
    bytes[last] = 2;
    let (_dir, path) = temp_file("bad_bool.npy", &bytes);
    let error = NpyView::open(&path).map(|_| ()).unwrap_err();
    assert!(
        matches!(
            &error,
            NpyError::Format {
                problem: FormatError::BadBool { index: 2, byte: 2 },
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.path(), path.as_path());
    assert!(error.to_string().contains("bad_bool.npy"), "{error}");
    // The owned reader reports exactly the same.
    assert_eq!(
        read(&path).map(|_| ()).unwrap_err().to_string(),
        error.to_string()
    );
}

#[test]
fn as_slice_checks_the_element_type() {
    let view = open_view(&fixture_path("npy_i32_1d.npy"));
    let error = view.as_slice::<f32>().map(|_| ()).unwrap_err();
    assert!(matches!(
        error,
        NpyError::View {
            problem: ViewError::WrongType {
                requested: ScalarType::F32,
                stored: ScalarType::I32
            },
            ..
        }
    ));
    assert!(
        error.to_string().contains("holds i32 values, not f32"),
        "{error}"
    );
    let copied = open_view(&fixture_path("npy_f32_bigendian.npy"));
    assert!(copied.as_slice::<f64>().is_err());
}

#[test]
fn views_reject_what_read_rejects_with_the_same_error() {
    let bytes = fixture("npy_f64_2d.npy");
    for (name, contents) in [
        ("empty.npy", Vec::new()),
        ("short.npy", bytes[..bytes.len() - 3].to_vec()),
        ("header.npy", bytes[..12].to_vec()),
        ("junk.npy", b"not numpy".to_vec()),
        ("fortran.npy", fixture("npy_f32_fortran.npy")),
        ("rank5.npy", {
            let mut five =
                with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1), }");
            five.extend_from_slice(&[0; 4]);
            five
        }),
        ("f2.npy", half_floats()),
    ] {
        let (_dir, path) = temp_file(name, &contents);
        let viewed = NpyView::open(&path).map(|_| ()).unwrap_err().to_string();
        let read = read(&path).map(|_| ()).unwrap_err().to_string();
        assert_eq!(viewed, read, "{name}");
    }
    let missing = Path::new("/nonexistent/kjit/x.npy");
    let error = NpyView::open(missing).map(|_| ()).unwrap_err();
    assert!(error
        .to_string()
        .contains("cannot open `/nonexistent/kjit/x.npy`"));
}
