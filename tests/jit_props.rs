//! Generated kernels: the JIT (at every thread count of `engine::THREADS`)
//! against the reference evaluator, exactly, on random inputs.
//!
//! `jit_diff/program_gen.rs` writes a random well-typed kernel from a tape
//! of choices (1-D or 2-D foreach over f32/f64/i32/i64 arrays, arithmetic,
//! casts, builtins, divergent control flow, bounded loops, gathers,
//! stencils, out-of-range reads of one array, reductions (argmin, argmax,
//! `let (v, i) = min_at ...` among them), scalar outputs, user functions,
//! local arrays, a scratch array, `swap`, owner stores into a `[n, width]`
//! output). This file makes its inputs (lengths 0..=40, now and
//! then about 1000, rarely a few chunks; values mixing small numbers,
//! extremes, NaN and infinities) and compares. After proptest has shrunk
//! the tape toward a simpler kernel, a failure prints the first difference
//! and the kernel with its inputs as a `// run:` line: a file test that
//! `KJIT_DIFF_FILE=FILE cargo test --test jit_diff replay` re-runs.
//!
//! `PROPTEST_CASES=N` runs N cases instead of the default 200.

#[allow(dead_code)]
mod jit_diff {
    pub mod compare;
    pub mod engine;
    pub mod program_gen;
    pub mod subject;
}

use jit_diff::engine::{self, Failure};
use jit_diff::program_gen::{self, Program, Role, Ty, KERNEL};
use jit_diff::subject::Subject;
use kjit::value::{Args, Array, ArrayData, Scalar, Value};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

const DEFAULT_CASES: u32 = 200;

/// The longest tape: about what a kernel at the statement budget uses (the
/// median kernel reads ~500 choices). Shorter tapes end in zeros, which
/// read as the simplest choices, so lengths spread from tiny to full.
const TAPE_LEN: usize = 800;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    ProptestConfig {
        cases,
        // Each shrink step compiles twice; this bounds a failing run to
        // about a minute while still reaching small kernels.
        max_shrink_iters: 2000,
        ..ProptestConfig::default()
    }
}

/// What one case is made of: the kernel's tape, the input seed, and the
/// extents for a 1-D and a 2-D kernel (the tape decides which is used).
#[derive(Clone, Debug)]
struct Case {
    tape: Vec<u32>,
    seed: u64,
    len: usize,
    shape: (usize, usize),
}

fn case() -> impl Strategy<Value = Case> {
    // Mostly tiny; now and then ~1000 elements; rarely more than a chunk
    // (`abi::CHUNK_ELEMS`), so two threads share the work and reduction
    // partials and errors cross chunk boundaries.
    let len = prop_oneof![
        95 => 0..=40usize,
        5 => 990..=1010usize,
        1 => 16_380..=33_000usize,
    ];
    let shape = prop_oneof![
        95 => (0..=7usize, 0..=7usize),
        5 => (30..=34usize, 30..=34usize),
        1 => (120..=140usize, 130..=140usize),
    ];
    let tape = prop::collection::vec(any::<u32>(), 0..=TAPE_LEN);
    (tape, any::<u64>(), len, shape).prop_map(|(tape, seed, len, shape)| Case {
        tape,
        seed,
        len,
        shape,
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn jit_matches_evaluator(case in case()) {
        let program = program_gen::program(&case.tape);
        assert_checks_clean(&program).map_err(TestCaseError::fail)?;
        let args = inputs(&program, &case);
        let subject = Subject::new(&program.source)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{}", program.source)))?;
        if let Err(report) = subject.check(KERNEL, &args) {
            return Err(TestCaseError::fail(format!(
                "{report}\n\n--- replay: save the lines up to `--- end` as FILE.kern, then \
                 KJIT_DIFF_FILE=FILE.kern cargo test --test jit_diff replay ---\n{}\n{}--- end\n",
                run_line(&program, &case, &args),
                program.source,
            )));
        }
    }
}

/// The generator alone, without the JIT: generated kernels check clean,
/// verify, run on the evaluator, and between them use every feature the
/// generator is meant to produce, with a sensible share of out-of-range
/// failures.
#[test]
fn generated_kernels_check_clean_and_cover_the_language() {
    const KERNELS: u64 = 300;
    #[rustfmt::skip]
    const FEATURES: &[&str] = &[
        "fn f0", "[h, w]", "inout", "foreach", "sum over", "prod over", "min over", "max over",
        "argmin over", "argmax over", "min_at over", "max_at over",
        "while", "break;", "continue;", "..=", "if ", "else if", "} else {", "select(", "fma(",
        "sqrt(", "clamp(", " % ", " / ", " << ", " >> ", "!", "&&", "||", "i64(", "f32(",
        " % n]", "if n > 0", "r0 = ", "+= ", "rint(", "hypot(", "copysign(", "popcount(",
        "clz(", "ctz(", "to_bits(", "from_bits(", "is_nan(", "is_inf(", "is_finite(",
        "let a", "swap(", "let z0", "q0[i, ", "q0[r, c, ",
        ": i8[", ": i16[", ": u8[", ": u16[", ": u32[", ": u64[", "u8(", "i16(", "u64(",
        "-u32(", "-u8(", "let v", ": u16 =",
        ": (", ").0", ").1", "p0.0", "[m0_0", ") -> (",
    ];
    let mut rng = Rng(0x5eed);
    let mut seen = vec![false; FEATURES.len()];
    let mut out_of_range = 0;
    for k in 0..KERNELS {
        let tape: Vec<u32> = (0..TAPE_LEN).map(|_| rng.next() as u32).collect();
        let program = program_gen::program(&tape);
        assert_checks_clean(&program).unwrap_or_else(|e| panic!("kernel {k}: {e}"));
        for (feature, seen) in FEATURES.iter().zip(&mut seen) {
            *seen |= program.source.contains(feature);
        }
        let case = Case {
            tape,
            seed: k,
            len: (k % 41) as usize,
            shape: ((k % 7) as usize, (k % 5) as usize),
        };
        let module = kjit::compile(&program.source).expect("checked clean");
        match engine::evaluate(&module, KERNEL, &inputs(&program, &case)) {
            Ok(_) => {}
            Err(Failure::OutOfBounds { array, .. }) => {
                assert_eq!(
                    array, "x0",
                    "only x0 may be read out of range:\n{}",
                    program.source
                );
                out_of_range += 1;
            }
            Err(other) => panic!("kernel {k}: {other}\n{}", program.source),
        }
    }
    let missing: Vec<&&str> = FEATURES
        .iter()
        .zip(&seen)
        .filter(|(_, s)| !**s)
        .map(|(f, _)| f)
        .collect();
    assert!(missing.is_empty(), "no generated kernel has {missing:?}");
    assert!(
        (KERNELS / 50..KERNELS / 2).contains(&out_of_range),
        "{out_of_range} of {KERNELS} runs read out of range"
    );
}

fn assert_checks_clean(program: &Program) -> Result<(), String> {
    let checked = kjit::check(&program.source);
    if checked.diagnostics.is_empty() {
        return Ok(());
    }
    let rendered = kjit::diagnostic::render(
        &checked.diagnostics,
        "generated.kern",
        &program.source,
        false,
    );
    Err(format!(
        "a generated kernel does not check clean (a generator or checker bug):\n{rendered}\n{}",
        program.source
    ))
}

// ---- inputs ----

/// splitmix64: the inputs' random stream.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Float values: small halves, specials, or uniform in ±1000.
fn float(rng: &mut Rng) -> f64 {
    #[rustfmt::skip]
    const SPECIAL: &[f64] = &[
        f64::NAN, -f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0, 1e30, -1e30, 0.1,
        1e-40, -1e-310, f64::MAX, f64::MIN, f64::MIN_POSITIVE,
    ];
    match rng.below(100) {
        0..=39 => (rng.below(33) as f64 - 16.0) / 2.0,
        40..=54 => rng.pick(SPECIAL),
        _ => (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * 2000.0 - 1000.0,
    }
}

/// Integer values: small, extreme, medium or any bits (narrowed by the
/// caller for `i32`).
fn int(rng: &mut Rng, min: i64, max: i64) -> i64 {
    match rng.below(100) {
        0..=44 => rng.below(17) as i64 - 8,
        45..=59 => rng.pick(&[min, max, min + 1, max - 1, 0, -1]),
        60..=74 => rng.below(2001) as i64 - 1000,
        _ => rng.next() as i64,
    }
}

fn scalar(rng: &mut Rng, ty: Ty) -> Scalar {
    match ty {
        Ty::Bool => Scalar::Bool(rng.below(2) == 1),
        Ty::F32 => Scalar::F32(float(rng) as f32),
        Ty::F64 => Scalar::F64(float(rng)),
        int_ty => {
            // Drawn over the signed type of the width, then wrapped: an
            // unsigned type sees its MAX as -1, and so on.
            let ty = int_ty.scalar_type();
            let half = 1i128 << (ty.bits() - 1);
            let v = int(rng, (-half) as i64, (half - 1) as i64);
            Scalar::of_int(ty, v.into()).expect("an integer type")
        }
    }
}

fn array(rng: &mut Rng, ty: Ty, shape: Vec<usize>) -> Array {
    let count: usize = shape.iter().product();
    let mut data = ArrayData::zeros(kjit_type(ty), count);
    for i in 0..count {
        data.set(i, scalar(rng, ty));
    }
    Array::new(shape, data).expect("data for the shape")
}

fn kjit_type(ty: Ty) -> kjit::types::ScalarType {
    ty.scalar_type()
}

/// Values for every input and `inout` parameter.
fn inputs(program: &Program, case: &Case) -> Args {
    let mut rng = Rng(case.seed);
    let shape = match program.rank {
        1 => vec![case.len],
        _ => vec![case.shape.0, case.shape.1],
    };
    let mut args = Args::new();
    for param in program.params.iter().filter(|p| p.role != Role::Output) {
        args = if param.array {
            args.array(&param.name, array(&mut rng, param.ty, shape.clone()))
        } else {
            args.scalar(&param.name, scalar(&mut rng, param.ty))
        };
    }
    args
}

/// The arguments as a `// run:` line: the generated kernel, with this
/// line above it, is a file test that `jit_diff`'s `replay` runs. Sizes are
/// given too, so an empty 2-D array can be `fill(0)`.
fn run_line(program: &Program, case: &Case, args: &Args) -> String {
    let sizes = match program.rank {
        1 => format!("n={}", case.len),
        _ => format!("h={} w={}", case.shape.0, case.shape.1),
    };
    let words: Vec<String> = args
        .values
        .iter()
        .map(|(name, value)| match value {
            Value::Scalar(x) => format!("{name}={x}"),
            Value::Array(a) if a.data.is_empty() => format!("{name}=fill(0)"),
            Value::Array(a) => format!("{name}={}", array_text(a)),
        })
        .collect();
    format!("// run: {sizes} {}", words.join(" "))
}

fn array_text(array: &Array) -> String {
    let items: Vec<String> = array.data.iter().map(|x| x.to_string()).collect();
    let row = |items: &[String]| format!("[{}]", items.join(", "));
    match array.shape[..] {
        [_, cols] => {
            let rows: Vec<String> = items.chunks(cols).map(row).collect();
            format!("[{}]", rows.join(", "))
        }
        _ => row(&items),
    }
}
