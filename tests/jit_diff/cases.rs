//! The inputs every example kernel is run on: domain extents around the
//! gang and chunk boundaries, times input variants (the file's own
//! `// default:` inputs, huge values, NaN / infinity / signed zeros). A case
//! is argument text in the `NAME=SPEC` language, so a failing case can be
//! replayed with `kjit run FILE.kern ARGS`.

use kjit::abi::{CHUNK_ELEMS, GANG};
use kjit::signature::{Role, Signature};
use kjit::types::ScalarType;

const G: usize = GANG;
const C: usize = CHUNK_ELEMS;

/// 1-D lengths: empty, one, around one and two gangs, two gangs and three
/// (full gangs run two per loop step in a short body), around a chunk, and
/// more than three chunks (so two threads both get work).
pub const LENGTHS: &[usize] = &[
    0,
    1,
    G - 1,
    G,
    G + 1,
    2 * G,
    2 * G + 3,
    3 * G + 1,
    C - 1,
    C + 1,
    3 * C + 5,
];

/// Width of the 2-D shapes that straddle a chunk's row count.
const WIDE: usize = 100;
const ROWS_PER_CHUNK: usize = C / WIDE;

/// 2-D shapes (rows, columns): empty either way, one pixel, a gang-and-one
/// wide, around a chunk's worth of rows, rows wider than a chunk (one row
/// per chunk), and more than three chunks.
pub const SHAPES: &[(usize, usize)] = &[
    (0, 0),
    (0, 5),
    (5, 0),
    (1, 1),
    (3, G + 1),
    (G + 1, 3),
    (2, 2 * G + 3),
    (ROWS_PER_CHUNK - 1, WIDE),
    (ROWS_PER_CHUNK + 1, WIDE),
    (3, C + 1),
    (3 * ROWS_PER_CHUNK + 2, WIDE),
];

/// Values cycled through by the `special` variants. Every float text here
/// fits f32 (no finite literal may become infinite).
const SPECIAL_FLOATS: &[&str] = &[
    "nan", "inf", "-inf", "-0.0", "0.0", "1e30", "-1e30", "1.0", "-2.5", "1e-30", "3.0e38", "0.5",
    "-3.0e38", "1e-45",
];
/// 0, 1, -1, MAX, MIN, 7, -7 of each integer type (wrapped into an
/// unsigned type's range: -1 is its MAX, MIN its 0).
fn special_int(ty: ScalarType, k: usize) -> String {
    let (lo, hi) = ty.int_range().unwrap_or_default();
    let values = [0, 1, -1, hi, lo, 7, -7];
    let v = values[k % values.len()];
    (lo + (v - lo).rem_euclid(hi - lo + 1)).to_string()
}

/// How the inputs of one case are made.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Variant {
    /// The file's `// default:` inputs, at the case's extents.
    File,
    /// Every numeric array uniform over a huge range.
    Huge,
    /// Every array written out, cycling through special values.
    SpecialArrays,
    /// Every float scalar a special value (NaN, infinity, -0.0).
    SpecialScalars,
}

pub const VARIANTS: &[Variant] = &[
    Variant::File,
    Variant::Huge,
    Variant::SpecialArrays,
    Variant::SpecialScalars,
];

/// Cases with written-out arrays stay small: the text is the data.
const MAX_SPECIAL_ELEMS: usize = 64;

/// The extents of a case: `[len]` or `[rows, columns]`.
pub fn extents(rank: usize) -> Vec<Vec<usize>> {
    match rank {
        1 => LENGTHS.iter().map(|&n| vec![n]).collect(),
        _ => SHAPES.iter().map(|&(h, w)| vec![h, w]).collect(),
    }
}

/// The largest array rank of the kernel's parameters.
pub fn rank(sig: &Signature) -> usize {
    let dims = sig.params.iter().filter_map(|p| p.dims.as_ref());
    dims.map(Vec::len).max().unwrap_or(1)
}

/// Argument text for `variant` at `extents`, or `None` when the variant
/// does not apply (nothing to vary, or too large to write out). Names the
/// file's defaults do not cover must be covered here.
pub fn args(sig: &Signature, variant: Variant, extents: &[usize]) -> Option<String> {
    let count: usize = extents.iter().product();
    // An empty array has no values to make special (and `[]` is 1-D).
    let small = (1..=MAX_SPECIAL_ELEMS).contains(&count);
    let mut words = size_words(sig, extents);
    let sizes = size_values(sig, extents);
    let mut varied = false;
    for (index, param) in sig.params.iter().enumerate() {
        if param.role == Role::Output {
            continue;
        }
        // The array's own shape (`f64[n, 3]` is not the case's extents).
        let shape = sig.shape(param, &sizes);
        let spec = match (&param.dims, variant) {
            (Some(_), Variant::Huge) => huge(param.elem),
            (Some(_), Variant::SpecialArrays) if small && shape.len() <= 2 => {
                Some(special_array(param.elem, &shape, index))
            }
            (None, Variant::SpecialScalars) if small => special_scalar(param.elem, index),
            _ => None,
        };
        if let Some(spec) = spec {
            words.push(format!("{}={spec}", param.name));
            varied = true;
        }
    }
    (variant == Variant::File || varied).then(|| words.join(" "))
}

/// `n=LEN`, or `h=ROWS w=COLS` for the sizes of the first and second
/// dimensions of 2-D arrays.
fn size_words(sig: &Signature, extents: &[usize]) -> Vec<String> {
    let values = size_values(sig, extents);
    let sizes = sig.sizes.iter().zip(values);
    sizes
        .filter(|(size, _)| size.is_named())
        .map(|(size, value)| format!("{}={value}", size.name))
        .collect()
}

/// Elements of the largest array parameter at `extents`.
pub fn largest_array(sig: &Signature, extents: &[usize]) -> usize {
    let sizes = size_values(sig, extents);
    let counts = sig
        .params
        .iter()
        .map(|p| sig.shape(p, &sizes).iter().product::<usize>());
    counts.max().unwrap_or(0)
}

/// Every size's value: a named size the extent of the last dimension it
/// names (clamped to the case's rank), a derived size computed.
fn size_values(sig: &Signature, extents: &[usize]) -> Vec<i64> {
    let mut dim_of = vec![0; sig.sizes.len()];
    for param in &sig.params {
        for (d, &size) in param.dims.iter().flatten().enumerate() {
            dim_of[size] = dim_of[size].max(d);
        }
    }
    let mut values: Vec<i64> = Vec::new();
    for (size, d) in sig.sizes.iter().zip(dim_of) {
        let value = match size.definition {
            Some(def) => def
                .eval(|s| values.get(s.as_u32() as usize).copied())
                .unwrap_or(0),
            None => extents[d.min(extents.len() - 1)] as i64,
        };
        values.push(value);
    }
    values
}

fn huge(elem: ScalarType) -> Option<String> {
    match elem.int_range() {
        _ if elem.is_float() => Some("uniform(-1e30, 1e30)".into()),
        Some((lo, hi)) => Some(format!("uniform({lo}, {hi})")),
        None => None,
    }
}

/// A written-out array cycling through the special values, starting at a
/// different one for each parameter so arrays do not move in lockstep.
fn special_array(elem: ScalarType, extents: &[usize], param: usize) -> String {
    let values = |start: usize, count: usize| -> Vec<String> {
        (start..start + count)
            .map(|k| special(elem, k * 5 + param * 3))
            .collect()
    };
    match extents {
        [n] => format!("[{}]", values(0, *n).join(", ")),
        [h, w] => {
            let rows: Vec<String> = (0..*h)
                .map(|r| format!("[{}]", values(r * w, *w).join(", ")))
                .collect();
            format!("[{}]", rows.join(", "))
        }
        _ => unreachable!("kern arrays have rank 1 or 2"),
    }
}

fn special(elem: ScalarType, k: usize) -> String {
    match elem {
        ScalarType::F32 | ScalarType::F64 => SPECIAL_FLOATS[k % SPECIAL_FLOATS.len()].into(),
        ScalarType::Bool => k.is_multiple_of(2).to_string(),
        int => special_int(int, k),
    }
}

fn special_scalar(elem: ScalarType, param: usize) -> Option<String> {
    let values = ["nan", "inf", "-0.0", "-inf"];
    matches!(elem, ScalarType::F32 | ScalarType::F64).then(|| values[param % 4].to_string())
}
