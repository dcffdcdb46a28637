//! Which instance of a generic kernel a call means: the type parameters
//! decided by the dtypes of the arguments, and the exact conversion of a
//! scalar argument to the type its instance wants.
//!
//! In: the signatures of a kernel's instances (each records its type
//! arguments, [`TypeParamSig`]) and what the caller gives for each
//! parameter. Out: the index of the instance, or an [`ArgError`] naming
//! the argument whose dtype no instance takes. The library, the CLI and
//! the Python binding all choose here, so they agree.

use super::{ArgError, Role, Signature};
use crate::types::{Scalar, ScalarType};

/// A type parameter of a generic kernel, in one instance.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeParamSig {
    pub name: String,
    /// What it stands for in this instance.
    pub ty: ScalarType,
    /// The types its bound allows, in order (the first is the default
    /// where no argument decides, as for generated CLI inputs).
    pub allowed: Vec<ScalarType>,
    /// The bound as written (`float`, `f32 | f64`).
    pub bound: String,
    /// The parameters (indices into [`Signature::params`]) whose element
    /// type it is.
    pub params: Vec<usize>,
}

/// What the caller gives for a parameter, as far as choosing goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Given {
    Array(ScalarType),
    Scalar(ScalarType),
}

impl Given {
    /// What an owned argument value gives.
    pub fn of(value: &crate::value::Value) -> Given {
        match value {
            crate::value::Value::Scalar(x) => Given::Scalar(x.ty()),
            crate::value::Value::Array(a) => Given::Array(a.data.elem()),
        }
    }
}

/// The type each type parameter takes from the arguments: the dtype of
/// the first array argument of that element type, else the type of the
/// first such scalar argument (in parameter order), else `None`.
pub fn decided_types(
    sig: &Signature,
    given: impl Fn(usize) -> Option<Given>,
) -> Vec<Option<(ScalarType, usize)>> {
    let pick = |params: &[usize], want_array: bool| {
        params.iter().find_map(|&p| match given(p)? {
            Given::Array(ty) if want_array => Some((ty, p)),
            Given::Scalar(ty) if !want_array => Some((ty, p)),
            _ => None,
        })
    };
    (sig.type_params.iter())
        .map(|t| pick(&t.params, true).or_else(|| pick(&t.params, false)))
        .collect()
}

/// The instance (index into `instances`, all of one kernel) the
/// arguments select. A type parameter no argument decides takes the first
/// type of its bound (the call then fails on the missing argument); a type
/// outside the bound is an [`ArgError::TypeOutsideBound`] naming the
/// argument that decided it.
pub fn select(
    instances: &[&Signature],
    given: impl Fn(usize) -> Option<Given>,
) -> Result<usize, ArgError> {
    let Some(first) = instances.first() else {
        return Ok(0);
    };
    if first.type_params.is_empty() {
        return Ok(0);
    }
    let decided = decided_types(first, given);
    let mut wanted = Vec::new();
    for (t, choice) in first.type_params.iter().zip(decided) {
        match choice {
            Some((ty, _)) if t.allowed.contains(&ty) => wanted.push(ty),
            Some((ty, p)) => return Err(outside_bound(first, t, ty, p)),
            None => wanted.push(t.allowed[0]),
        }
    }
    let types = |s: &Signature| s.type_params.iter().map(|t| t.ty).collect::<Vec<_>>();
    Ok(instances
        .iter()
        .position(|s| types(s) == wanted)
        .unwrap_or(0))
}

fn outside_bound(sig: &Signature, t: &TypeParamSig, found: ScalarType, param: usize) -> ArgError {
    let name = sig
        .params
        .get(param)
        .map_or_else(String::new, |p| p.name.clone());
    ArgError::TypeOutsideBound {
        name,
        kernel: sig.name.clone(),
        type_param: t.name.clone(),
        found,
        allowed: t.allowed.clone(),
    }
}

/// `x` as a value of type `ty`, if it converts exactly (an `f64` 2.5 as
/// an `f32`, an `i64` 7 as a `u8`); `None` if it would round, wrap,
/// saturate or change kind (a bool is never a number).
pub fn exact_conversion(x: Scalar, ty: ScalarType) -> Option<Scalar> {
    if x.ty() == ty {
        return Some(x);
    }
    if x.ty() == ScalarType::Bool || ty == ScalarType::Bool {
        return None;
    }
    match (x.int_value(), ty.is_int()) {
        (Some(v), true) => Scalar::of_int_exact(ty, v),
        (Some(v), false) => {
            let wide = v as f64;
            let back_exact = (wide as i128) == v && wide.abs() < 2f64.powi(100);
            let y = float_of(ty, wide)?;
            (back_exact && as_f64(y) == wide).then_some(y)
        }
        (None, _) => {
            let v = as_f64(x);
            if ty.is_int() {
                let integral = v.is_finite() && v.trunc() == v && v.abs() < 2f64.powi(100);
                return integral
                    .then(|| Scalar::of_int_exact(ty, v as i128))
                    .flatten();
            }
            let y = float_of(ty, v)?;
            (as_f64(y) == v || v.is_nan()).then_some(y)
        }
    }
}

fn float_of(ty: ScalarType, v: f64) -> Option<Scalar> {
    match ty {
        ScalarType::F32 => Some(Scalar::F32(v as f32)),
        ScalarType::F64 => Some(Scalar::F64(v)),
        _ => None,
    }
}

fn as_f64(x: Scalar) -> f64 {
    match x {
        Scalar::F32(v) => f64::from(v),
        Scalar::F64(v) => v,
        other => other.int_value().unwrap_or_default() as f64,
    }
}

/// Whether parameter `param` of `sig` is a scalar input whose type is a
/// type parameter: a scalar argument of another type is converted to it
/// by [`exact_conversion`] (`a=2.0` for an `f32` instance) rather than
/// refused.
pub fn adapts(sig: &Signature, param: usize) -> bool {
    sig.type_params.iter().any(|t| t.params.contains(&param))
        && sig
            .params
            .get(param)
            .is_some_and(|p| p.dims.is_none() && p.role == Role::Input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::{ParamSig, Signature};
    use ScalarType::*;

    /// `k<T: float>(a: T, x: T[n], y: i32[n]) -> (out: T[n])`, instance `ty`.
    fn instance(ty: ScalarType) -> Signature {
        let param = |name: &str, role, elem, dims: Option<Vec<usize>>| ParamSig {
            name: name.into(),
            role,
            elem,
            dims,
        };
        Signature {
            name: "k".into(),
            params: vec![
                param("a", Role::Input, ty, None),
                param("x", Role::Input, ty, Some(vec![0])),
                param("y", Role::Input, I32, Some(vec![0])),
                param("out", Role::Output, ty, Some(vec![0])),
            ],
            sizes: Vec::new(),
            scratch: Vec::new(),
            type_params: vec![TypeParamSig {
                name: "T".into(),
                ty,
                allowed: vec![F32, F64],
                bound: "float".into(),
                params: vec![0, 1, 3],
            }],
        }
    }

    #[test]
    fn arrays_decide_then_scalars_then_the_bound() {
        let (f32s, f64s) = (instance(F32), instance(F64));
        let sigs = [&f32s, &f64s];
        use Given::{Array as A, Scalar as S};
        // (what is given for a, x, out) → the instance, or the argument at fault.
        type Case = ([Option<Given>; 3], Result<usize, &'static str>);
        let cases: [Case; 7] = [
            ([Some(S(F32)), Some(A(F64)), None], Ok(1)),
            ([Some(S(F64)), Some(A(F32)), None], Ok(0)),
            ([Some(S(F64)), None, None], Ok(1)),
            ([None, None, Some(A(F64))], Ok(1)),
            ([None, None, None], Ok(0)),
            ([Some(S(F64)), Some(A(I32)), None], Err("x")),
            ([Some(S(I8)), None, None], Err("a")),
        ];
        for (given, expected) in cases {
            let at = |p: usize| match p {
                0 => given[0],
                1 => given[1],
                3 => given[2],
                _ => None,
            };
            let found = select(&sigs, at).map_err(|e| match e {
                ArgError::TypeOutsideBound { name, .. } => name,
                other => panic!("{other:?}"),
            });
            assert_eq!(
                found.as_ref().copied().map_err(String::as_str),
                expected,
                "{given:?}"
            );
        }
    }

    #[test]
    fn scalars_convert_only_when_exact() {
        use Scalar as V;
        let cases = [
            (V::F64(2.5), F32, Some(V::F32(2.5))),
            (V::F64(0.1), F32, None),
            (V::F64(1e300), F32, None),
            (V::F64(f64::INFINITY), F32, Some(V::F32(f32::INFINITY))),
            (V::F64(7.0), U8, Some(V::U8(7))),
            (V::F64(7.5), U8, None),
            (V::F64(-1.0), U8, None),
            (V::I64(300), U8, None),
            (V::I64(-3), I8, Some(V::I8(-3))),
            (V::I64(16_777_217), F32, None),
            (V::I64(16_777_216), F32, Some(V::F32(16_777_216.0))),
            (V::U64(u64::MAX), F64, None),
            (V::I32(5), F64, Some(V::F64(5.0))),
            (V::Bool(true), I32, None),
            (V::I32(1), Bool, None),
            (V::Bool(false), Bool, Some(V::Bool(false))),
        ];
        for (x, ty, expected) in cases {
            assert_eq!(exact_conversion(x, ty), expected, "{x:?} as {ty}");
        }
        let nan = exact_conversion(V::F64(f64::NAN), F32);
        assert!(matches!(nan, Some(V::F32(v)) if v.is_nan()));
    }
}
