//! Test inputs for the maths builtins: every special value, random bit
//! patterns (the whole range, NaNs included) and values spread evenly by
//! exponent over each function's interesting range, deterministic.

use kjit::ir::Builtin;

/// A xorshift generator: reproducible without a dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// ±(1 + m)·2^e with e uniform in `exponents` (an f64).
    pub fn spread(&mut self, exponents: (i32, i32), signed: bool) -> f64 {
        let (lo, hi) = exponents;
        let e = lo + (self.next() % (hi - lo + 1) as u64) as i32;
        let m = 1.0 + (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        let x = m * 2f64.powi(e);
        if signed && self.next() & 1 == 1 {
            -x
        } else {
            x
        }
    }
}

/// The builtins `vmath` computes, each with its arity.
pub const FUNCTIONS: [(Builtin, usize); 22] = {
    use Builtin::*;
    [
        (Exp, 1),
        (Exp2, 1),
        (Expm1, 1),
        (Log, 1),
        (Log2, 1),
        (Log10, 1),
        (Log1p, 1),
        (Pow, 2),
        (Sin, 1),
        (Cos, 1),
        (Tan, 1),
        (Asin, 1),
        (Acos, 1),
        (Atan, 1),
        (Atan2, 2),
        (Sinh, 1),
        (Cosh, 1),
        (Tanh, 1),
        (Erf, 1),
        (Erfc, 1),
        (Cbrt, 1),
        (Hypot, 2),
    ]
};

/// Exponent range where `fun`'s first argument is interesting, and whether
/// negative values are.
fn range(fun: Builtin, f64: bool) -> ((i32, i32), bool) {
    use Builtin::*;
    let (emin, emax) = if f64 { (-1074, 1023) } else { (-149, 127) };
    let wide = |e32: (i32, i32), e64: (i32, i32)| if f64 { e64 } else { e32 };
    match fun {
        Exp | Expm1 | Sinh | Cosh => (wide((-30, 7), (-60, 10)), true),
        Exp2 => (wide((-30, 8), (-60, 11)), true),
        Log | Log2 | Log10 | Cbrt => ((emin, emax), fun == Cbrt),
        Log1p => (wide((-40, 127), (-80, 1023)), true),
        Pow => (wide((-20, 20), (-40, 40)), true),
        Sin | Cos | Tan => (wide((-30, 22), (-40, 40)), true),
        Asin | Acos => (wide((-30, 0), (-60, 0)), true),
        Atan | Atan2 => (wide((-40, 40), (-80, 80)), true),
        Tanh => (wide((-30, 5), (-60, 6)), true),
        Erf => (wide((-30, 3), (-60, 3)), true),
        Erfc => (wide((-30, 4), (-60, 5)), true),
        _ => ((emin, emax), true),
    }
}

/// Values every function must get right, as f64 (exact in f32 where the
/// f32 tests use them, else rounded).
pub fn specials(f64: bool) -> Vec<f64> {
    let (tiny, sub_max, min_normal, max) = if f64 {
        (
            f64::from_bits(1),
            f64::from_bits((1 << 52) - 1),
            f64::MIN_POSITIVE,
            f64::MAX,
        )
    } else {
        (
            f32::from_bits(1) as f64,
            f32::from_bits((1 << 23) - 1) as f64,
            f32::MIN_POSITIVE as f64,
            f32::MAX as f64,
        )
    };
    let positive = [
        0.0,
        tiny,
        sub_max,
        min_normal,
        max,
        f64::INFINITY,
        0.5,
        1.0,
        2.0,
        3.0,
        10.0,
        0.75,
        1.0 + 1e-7,
        1.0 - 1e-7,
        88.72283905206835,
        89.0,
        103.97,
        104.0,
        709.782712893384,
        745.133_219_101_941_2,
        746.0,
        127.0,
        128.0,
        150.0,
        1023.0,
        1024.0,
        1075.0,
        std::f64::consts::FRAC_PI_2,
        std::f64::consts::PI,
        1e5,
        1e10,
        1e22,
        1e300,
        6.0,
        9.0,
        10.05,
        26.5,
        27.3,
    ];
    let mut all: Vec<f64> = positive.iter().flat_map(|&x| [x, -x]).collect();
    all.push(f64::NAN);
    all
}

/// `count` inputs (x, y) for `fun`: the specials (paired with each other
/// for binary functions), then one quarter random bit patterns and three
/// quarters spread by exponent. f32 tests round the values to f32.
pub fn inputs(fun: Builtin, arity: usize, f64: bool, count: usize, seed: u64) -> Vec<(f64, f64)> {
    let mut rng = Rng::new(seed ^ ((fun as u64 + 1) * 0x9e37_79b9_7f4a_7c15));
    let specials = specials(f64);
    let mut out: Vec<(f64, f64)> = if arity == 2 {
        specials
            .iter()
            .flat_map(|&x| specials.iter().map(move |&y| (x, y)))
            .collect()
    } else {
        specials.iter().map(|&x| (x, 1.0)).collect()
    };
    let (exponents, signed) = range(fun, f64);
    let random_bits = |rng: &mut Rng| {
        if f64 {
            f64::from_bits(rng.next())
        } else {
            f32::from_bits(rng.next() as u32) as f64
        }
    };
    while out.len() < count {
        let x = if out.len().is_multiple_of(4) {
            random_bits(&mut rng)
        } else {
            rng.spread(exponents, signed)
        };
        let y = match fun {
            // pow: small integers, halves, and spread exponents.
            Builtin::Pow => match rng.next() % 4 {
                0 => (rng.next() % 41) as f64 - 20.0,
                1 => ((rng.next() % 41) as f64 - 20.0) + 0.5,
                2 => rng.spread((-10, 8), true),
                _ => random_bits(&mut rng),
            },
            Builtin::Atan2 => rng.spread(exponents, true),
            // hypot: any pair, and pairs of near magnitudes (where the
            // smaller operand matters most).
            Builtin::Hypot => match rng.next() % 3 {
                0 => rng.spread(exponents, true),
                1 => random_bits(&mut rng),
                _ => x * rng.spread((-3, 3), true),
            },
            _ => 1.0,
        };
        out.push((x, y));
    }
    out
}
