//! Generated kernels through the whole pipeline: the fuzzer's bytes are
//! the tape of choices of `tests/jit_diff/program_gen.rs` (the generator
//! `tests/jit_props.rs` drives with proptest), and the argument values.
//! Every generated kernel must check clean, and the JIT at every thread
//! count (and in fast maths) must agree with the reference evaluator bit
//! for bit, errors included. A difference or a panic is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../tests/jit_diff"]
mod jit_diff {
    pub mod compare;
    pub mod engine;
    pub mod program_gen;
    pub mod subject;
}

use jit_diff::program_gen::{self, Role, Ty, KERNEL};
use jit_diff::subject::Subject;
use kjit::value::{Args, Array, ArrayData, Scalar};

fuzz_target!(|data: &[u8]| {
    let (head, tape_bytes) = data.split_at(data.len().min(16));
    let tape: Vec<u32> = tape_bytes
        .chunks(2)
        .map(|c| u32::from(c[0]) | u32::from(*c.get(1).unwrap_or(&0)) << 8)
        .collect();
    let program = program_gen::program(&tape);
    let subject =
        Subject::new(&program.source).unwrap_or_else(|e| panic!("{e}\n{}", program.source));
    let args = arguments(&program, head);
    if let Err(report) = subject.check(KERNEL, &args) {
        panic!("{report}\n{}", program.source);
    }
});

/// Small shapes and values from the first bytes: the generator's kernels
/// are about control flow and arithmetic, and short arrays reach every
/// lane and tail case (8-lane gangs).
fn arguments(program: &program_gen::Program, head: &[u8]) -> Args {
    let byte = |i: usize| head.get(i).copied().unwrap_or(0) as usize;
    let shape = match program.rank {
        1 => vec![byte(0) % 41],
        _ => vec![byte(0) % 8, byte(1) % 8],
    };
    let mut seed = head.iter().fold(0x9E37_79B9_7F4A_7C15u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
    });
    let mut args = Args::new();
    for param in program.params.iter().filter(|p| p.role != Role::Output) {
        let count: usize = if param.array {
            shape.iter().product()
        } else {
            1
        };
        let values: Vec<f64> = (0..count).map(|_| value(&mut seed)).collect();
        args = if param.array {
            args.array(&param.name, array(param.ty, shape.clone(), &values))
        } else {
            args.scalar(&param.name, scalar(param.ty, values[0]))
        };
    }
    args
}

/// splitmix64 to a value mixing small numbers and the awkward ones.
fn value(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    const SPECIAL: [f64; 8] = [
        f64::NAN,
        f64::INFINITY,
        -f64::INFINITY,
        0.0,
        -0.0,
        1e30,
        -1e-40,
        0.5,
    ];
    match z % 8 {
        0 => SPECIAL[(z >> 8) as usize % SPECIAL.len()],
        _ => ((z >> 16) % 2001) as f64 / 10.0 - 100.0,
    }
}

fn scalar(ty: Ty, x: f64) -> Scalar {
    match ty {
        Ty::Bool => Scalar::Bool(x > 0.0),
        Ty::F32 => Scalar::F32(x as f32),
        Ty::F64 => Scalar::F64(x),
        // Integers: truncated, then wrapped to the type's width.
        int => Scalar::of_int(int.scalar_type(), (x as i64).into()).expect("an integer type"),
    }
}

fn array(ty: Ty, shape: Vec<usize>, values: &[f64]) -> Array {
    let mut data = ArrayData::zeros(ty.scalar_type(), values.len());
    for (i, &x) in values.iter().enumerate() {
        data.set(i, scalar(ty, x));
    }
    Array { shape, data }
}
