//! The shape-generic library API: arrays of rank 3 and 4 through
//! `input_nd`/`output_nd`, against a plain Rust loop, and shapes kjit cannot
//! take refused with an error, never a panic.

use kjit::api::Program;
use kjit::options::Options;

const SOURCE: &str = "
    kernel scale3(a: f32[d, h, w], k: f32) -> (o: f32[d, h, w], s: f64) {
        foreach (z, y, x) in (d, h, w) { o[z, y, x] = a[z, y, x] * k + f32(z - y + x); }
        s = sum over (z, y, x) in (d, h, w) { f64(o[z, y, x]) };
    }
    kernel sum4(a: i64[p, q, r, t]) -> (s: i64) {
        s = sum over (i, j, k, l) in (p, q, r, t) { a[i, j, k, l] * (l + 1) };
    }";

#[test]
fn rank_3_and_4_match_plain_loops_at_several_thread_counts() {
    for threads in [1, 2] {
        let options = Options {
            threads: Some(threads),
            ..Options::default()
        };
        let program = Program::compile(SOURCE, options).unwrap();
        let (d, h, w) = (3, 5, 19);
        let a: Vec<f32> = (0..d * h * w).map(|i| (i as f32) * 0.25 - 7.0).collect();
        let mut o = vec![0.0f32; d * h * w];
        let kernel = program.kernel("scale3").unwrap();
        let out = kernel
            .bind()
            .input_nd("a", &a, &[d, h, w])
            .scalar("k", 1.5f32)
            .output_nd("o", &mut o, &[d, h, w])
            .run()
            .unwrap();
        for z in 0..d {
            for y in 0..h {
                for x in 0..w {
                    let i = (z * h + y) * w + x;
                    let want = a[i] * 1.5 + (z as i64 - y as i64 + x as i64) as f32;
                    assert_eq!(o[i].to_bits(), want.to_bits(), "[{z}, {y}, {x}]");
                }
            }
        }
        assert!(out.get("s").and_then(|s| s.as_f64()).is_some());

        let shape = [2, 3, 2, 11];
        let b: Vec<i64> = (0..shape.iter().product::<usize>() as i64).collect();
        let s = program
            .kernel("sum4")
            .unwrap()
            .bind()
            .input_nd("b", &b, &shape)
            .run();
        assert!(s.is_err(), "`b` is not a parameter of sum4");
        let out = program
            .kernel("sum4")
            .unwrap()
            .bind()
            .input_nd("a", &b, &shape)
            .run()
            .unwrap();
        let want: i64 = b
            .iter()
            .enumerate()
            .map(|(i, v)| v * (i as i64 % 11 + 1))
            .sum();
        assert_eq!(out.get("s").and_then(|s| s.as_i64()), Some(want));
    }
}

#[test]
fn wrong_and_overlong_shapes_are_errors_not_panics() {
    let program = Program::compile(SOURCE, Options::default()).unwrap();
    let kernel = program.kernel("sum4").unwrap();
    let data = vec![0i64; 64];
    for shape in [
        &[64][..],
        &[4, 16],
        &[2, 2, 2, 2, 4],
        &[1, 1, 1, 1, 1, 1, 64],
    ] {
        let result = kernel.bind().input_nd("a", &data, shape).run();
        assert!(result.is_err(), "shape {shape:?} accepted");
    }
    // A shape whose product is not the data's length.
    let result = kernel.bind().input_nd("a", &data, &[2, 2, 2, 2]).run();
    assert!(result.is_err());
}

#[test]
fn multi_chunk_3d_domains_agree_with_the_evaluator_bit_for_bit() {
    use kjit::value::{Args, Array};
    // 40 x 70 rows of 9: 2800 rows cut into chunks of 16384 / 9 = 1820 rows,
    // so the second chunk starts mid-volume (z = 26, y = 0) and the
    // reduction combines two chunk partials.
    let (d, h, w) = (40usize, 70usize, 9usize);
    let a: Vec<f32> = (0..d * h * w)
        .map(|i| ((i * 7919) % 1000) as f32 * 1e-3 - 0.4)
        .collect();
    let module = kjit::compile(SOURCE).unwrap();
    let args = Args::new()
        .array("a", Array::new(vec![d, h, w], a.clone()).unwrap())
        .scalar("k", 0.75f32);
    let reference = kjit::eval::evaluate(&module, "scale3", &args).unwrap();
    for threads in [1, 2] {
        let options = Options {
            threads: Some(threads),
            ..Options::default()
        };
        let program = Program::compile(SOURCE, options).unwrap();
        let jit = program.kernel("scale3").unwrap().call(&args).unwrap();
        let (r, j) = (reference.scalar("s").unwrap(), jit.scalar("s").unwrap());
        assert!(r.same_bits(j), "threads {threads}: {r} vs {j}");
        assert_eq!(reference.array("o"), jit.array("o"), "threads {threads}");
    }
}

/// argmin/argmax and `min_at` over 1-D, 3-D and 4-D domains of several
/// chunks, with ties in several chunks and lanes, a NaN in a late chunk for
/// one case: the JIT at 1, 2 and 3 threads gives the evaluator's result
/// and a plain Rust scan's (first best; NaN first).
#[test]
fn multi_chunk_argmin_agrees_at_every_thread_count() {
    use kjit::value::{Args, Array, Scalar};
    const ARG: &str = "
        kernel arg(a: f32[d, h, w], b: f64[p, q, r, t], x: i32[n])
            -> (lo: i64, hi: i64, v: f32, at: i64, b_lo: i64, x_hi: i64) {
            lo = argmin over (z, y, c) in (d, h, w) { a[z, y, c] };
            hi = argmax over (z, y, c) in (d, h, w) { a[z, y, c] };
            let (value, index) = min_at over (z, y, c) in (d, h, w) { a[z, y, c] };
            v = value;
            at = index;
            b_lo = argmin over (i, j, k, l) in (p, q, r, t) { b[i, j, k, l] };
            x_hi = argmax over i in n { x[i] };
        }";
    // Values repeat every 1000 elements, so the minimum and maximum tie
    // in every chunk; 40 x 70 x 9 = 25200 elements make two chunks.
    let (d, h, w) = (40usize, 70usize, 9usize);
    let a: Vec<f32> = (0..d * h * w)
        .map(|i| ((i * 7919 + 13) % 1000) as f32)
        .collect();
    let (p, q, r, t) = (3usize, 5usize, 41usize, 37usize);
    let mut b: Vec<f64> = (0..p * q * r * t)
        .map(|i| ((i * 104_729 + 7) % 977) as f64)
        .collect();
    let nan_at = b.len() - 100;
    b[nan_at] = f64::NAN;
    let x: Vec<i32> = (0..40_000)
        .map(|i| ((i as i64 * 7919 + 5) % 30011) as i32)
        .collect();
    let first_best = |len: usize, better: &dyn Fn(usize, usize) -> bool| {
        (1..len).fold(0usize, |best, i| if better(i, best) { i } else { best }) as i64
    };
    let want_lo = first_best(a.len(), &|i, j| a[i] < a[j]);
    let want_hi = first_best(a.len(), &|i, j| a[i] > a[j]);
    let want_b = nan_at as i64;
    let want_x = first_best(x.len(), &|i, j| x[i] > x[j]);
    let args = Args::new()
        .array("a", Array::new(vec![d, h, w], a.clone()).unwrap())
        .array("b", Array::new(vec![p, q, r, t], b).unwrap())
        .array("x", Array::from_vec(x));
    let module = kjit::compile(ARG).unwrap();
    let reference = kjit::eval::evaluate(&module, "arg", &args).unwrap();
    let want = [
        ("lo", Scalar::I64(want_lo)),
        ("hi", Scalar::I64(want_hi)),
        ("v", Scalar::F32(a[want_lo as usize])),
        ("at", Scalar::I64(want_lo)),
        ("b_lo", Scalar::I64(want_b)),
        ("x_hi", Scalar::I64(want_x)),
    ];
    for (name, value) in want {
        assert_eq!(reference.scalar(name), Some(value), "evaluator: {name}");
    }
    for threads in [1, 2, 3] {
        let options = Options {
            threads: Some(threads),
            ..Options::default()
        };
        let program = Program::compile(ARG, options).unwrap();
        let jit = program.kernel("arg").unwrap().call(&args).unwrap();
        for (name, value) in want {
            assert_eq!(jit.scalar(name), Some(value), "threads {threads}: {name}");
        }
    }
}
