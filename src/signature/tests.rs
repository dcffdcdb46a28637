//! One test per `ArgError` variant, plus binding and `Signature::of`.

use super::*;
use crate::eval::testkit::saxpy;
use crate::value::Array;
use ScalarType::*;

fn param(name: &str, role: Role, elem: ScalarType, dims: Option<Vec<usize>>) -> ParamSig {
    ParamSig {
        name: name.to_string(),
        role,
        elem,
        dims,
    }
}

/// `kernel k(a: f32, x: f32[n], y: f32[n], m: i32[n, k]) -> (out: f32[n, c], s: f64)`
/// where `c` is given by the caller.
fn sig() -> Signature {
    let size = |name: &str, fixed_by| SizeSig {
        name: name.to_string(),
        fixed_by,
        definition: None,
    };
    Signature {
        name: "k".to_string(),
        params: vec![
            param("a", Role::Input, F32, None),
            param("x", Role::Input, F32, Some(vec![0])),
            param("y", Role::Input, F32, Some(vec![0])),
            param("m", Role::InOut, I32, Some(vec![0, 1])),
            param("out", Role::Output, F32, Some(vec![0, 2])),
            param("s", Role::Output, F64, None),
        ],
        sizes: vec![
            size("n", Some((1, 0))),
            size("k", Some((3, 1))),
            size("c", None),
        ],
        scratch: Vec::new(),
        type_params: Vec::new(),
    }
}

fn f32s(n: usize) -> Array {
    Array::from_vec(vec![0.0f32; n])
}

fn good() -> Args {
    Args::new()
        .scalar("a", 1.0f32)
        .array("x", f32s(3))
        .array("y", f32s(3))
        .array("m", Array::new(vec![3, 2], vec![0i32; 6]).unwrap())
        .size("c", 4)
}

fn err(args: Args) -> String {
    bind(&sig(), &args).unwrap_err().to_string()
}

#[test]
fn binds_sizes_and_output_shapes() {
    let bound = bind(&sig(), &good()).unwrap();
    assert_eq!(bound.sizes, [3, 2, 4]);
    assert_eq!(
        bound.shapes,
        [vec![], vec![3], vec![3], vec![3, 2], vec![3, 4], vec![]]
    );
    // Repeating a fixed size is fine when it agrees.
    assert!(bind(&sig(), &good().size("n", 3)).is_ok());
}

#[test]
fn signature_of_a_kernel() {
    let s = Signature::of(&saxpy());
    assert_eq!(
        s.sizes,
        [SizeSig {
            name: "n".to_string(),
            fixed_by: Some((1, 0)),
            definition: None,
        }]
    );
    assert_eq!(s.params[3], param("out", Role::Output, F32, Some(vec![0])));
    assert_eq!(
        s.to_string(),
        "kernel saxpy(a: f32, x: f32[n], y: f32[n]) -> (out: f32[n])"
    );
    assert_eq!(
        sig().to_string(),
        "kernel k(a: f32, x: f32[n], y: f32[n], inout m: i32[n, k]) -> (out: f32[n, c], s: f64)"
    );
}

#[test]
fn missing_argument() {
    let mut args = good();
    args.values.remove("y");
    assert_eq!(err(args), "missing argument `y`: expected f32[n]");
}

#[test]
fn unknown_argument() {
    assert_eq!(
        err(good().scalar("z", 1i32)),
        "argument `z`: the kernel has no such parameter"
    );
}

#[test]
fn output_given() {
    assert_eq!(
        err(good().scalar("s", 1.0f64)),
        "argument `s`: `s` is an output; outputs are returned, not passed"
    );
}

#[test]
fn expected_scalar() {
    assert_eq!(
        err(good().array("a", f32s(2))),
        "argument `a`: expected a scalar f32, found f32 array of shape [2]"
    );
}

#[test]
fn expected_array() {
    assert_eq!(
        err(good().scalar("x", 1.0f32)),
        "argument `x`: expected an array f32[n], found scalar f32"
    );
}

#[test]
fn wrong_dtype() {
    assert_eq!(
        err(good().scalar("a", 1.0f64)),
        "argument `a`: expected element type f32, found f64"
    );
    let e = bind(&sig(), &good().array("x", Array::from_vec(vec![0i64; 3]))).unwrap_err();
    assert_eq!(
        e,
        ArgError::WrongDtype {
            name: "x".to_string(),
            expected: F32,
            found: I64
        }
    );
}

#[test]
fn wrong_rank() {
    let flat = Array::from_vec(vec![0i32; 6]);
    assert_eq!(
        err(good().array("m", flat)),
        "argument `m`: expected i32[n, k], found an array of rank 1 (shape [6])"
    );
}

#[test]
fn inconsistent_array() {
    let broken = Array {
        shape: vec![3],
        data: vec![0.0f32; 2].into(),
    };
    assert_eq!(
        err(good().array("y", broken)),
        "argument `y`: array of shape [3] holds 2 elements"
    );
}

#[test]
fn size_mismatch_names_the_size_both_arrays_dims_and_values() {
    assert_eq!(
        err(good().array("y", f32s(4))),
        "argument `y`: expected f32[n] (n = 3 from `x` dim 0), found f32 array of shape [4] (dim 0 is 4)"
    );
    let m = Array::new(vec![2, 2], vec![0i32; 4]).unwrap();
    assert_eq!(
        err(good().array("m", m)),
        "argument `m`: expected i32[n, k] (n = 3 from `x` dim 0), found i32 array of shape [2, 2] (dim 0 is 2)"
    );
}

#[test]
fn unknown_size() {
    assert_eq!(
        err(good().size("q", 1)),
        "size `q`: the kernel has no such size"
    );
}

#[test]
fn missing_size() {
    let mut args = good();
    args.sizes.clear();
    assert_eq!(
        err(args),
        "size `c` is fixed by no input array, so it must be given"
    );
}

#[test]
fn negative_size() {
    assert_eq!(
        err(good().size("c", -1)),
        "size `c`: must be >= 0, found -1"
    );
}

#[test]
fn size_conflict() {
    assert_eq!(
        err(good().size("n", 5)),
        "size `n`: given as 5, but `x` dim 0 fixes it to 3"
    );
}

#[test]
fn size_too_large() {
    let s = Signature {
        name: "k".to_string(),
        params: vec![param("m", Role::Input, F32, Some(vec![0, 1]))],
        sizes: vec![
            SizeSig {
                name: "a".to_string(),
                fixed_by: Some((0, 0)),
                definition: None,
            },
            SizeSig {
                name: "b".to_string(),
                fixed_by: Some((0, 1)),
                definition: None,
            },
        ],
        scratch: Vec::new(),
        type_params: Vec::new(),
    };
    let m = Array::new(vec![0, usize::MAX], Vec::<f32>::new()).unwrap();
    let e = bind(&s, &Args::new().array("m", m)).unwrap_err();
    assert_eq!(
        e,
        ArgError::SizeTooLarge {
            name: "m".to_string(),
            dim: 1,
            extent: usize::MAX
        }
    );
}

#[test]
fn output_too_large() {
    let e = bind(&sig(), &good().size("c", i64::MAX)).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "output `out`: shape [3, {}] has more elements than fit in memory",
            i64::MAX
        )
    );
}
