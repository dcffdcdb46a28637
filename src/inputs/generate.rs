//! Generators: deterministic values for an array of any shape.
//!
//! Random generators draw from a splitmix64 stream seeded by a hash of the
//! argument's name, so `kjit run k.kern x=uniform(0,1)` gives the same `x`
//! on every run and machine, and `x` and `y` given the same generator still
//! differ. The stream is written out here (no `rand` crate): ten lines that
//! will never change under us, which matters because expected results in
//! file tests depend on the exact values.

use super::convert::{to_integer, to_scalar, Reason};
use super::spec::Generator;
use crate::types::ScalarType;
use crate::value::{ArrayData, Scalar};

/// `count` values of type `elem` made by `generator`, seeded by `seed`.
/// The error says what is wrong with the generator for this type.
pub fn generate(
    generator: &Generator,
    elem: ScalarType,
    count: usize,
    seed: &str,
) -> Result<ArrayData, String> {
    let mut rng = SplitMix64::seeded_by(seed);
    match elem {
        ScalarType::Bool => bools(generator, count),
        // Values are generated wide and narrowed one by one into the
        // final vector, so no wide copy of the whole array is ever held.
        // `integers` keeps every value inside `elem`'s range.
        ScalarType::I8 => {
            integers(generator, elem, count, &mut rng, |x| x as i8).map(ArrayData::I8)
        }
        ScalarType::I16 => {
            integers(generator, elem, count, &mut rng, |x| x as i16).map(ArrayData::I16)
        }
        ScalarType::I32 => {
            integers(generator, elem, count, &mut rng, |x| x as i32).map(ArrayData::I32)
        }
        ScalarType::I64 => {
            integers(generator, elem, count, &mut rng, |x| x as i64).map(ArrayData::I64)
        }
        ScalarType::U8 => {
            integers(generator, elem, count, &mut rng, |x| x as u8).map(ArrayData::U8)
        }
        ScalarType::U16 => {
            integers(generator, elem, count, &mut rng, |x| x as u16).map(ArrayData::U16)
        }
        ScalarType::U32 => {
            integers(generator, elem, count, &mut rng, |x| x as u32).map(ArrayData::U32)
        }
        ScalarType::U64 => {
            integers(generator, elem, count, &mut rng, |x| x as u64).map(ArrayData::U64)
        }
        ScalarType::F32 => {
            let narrow_one = narrowing(generator);
            floats(generator, elem, count, &mut rng, narrow_one).map(ArrayData::F32)
        }
        ScalarType::F64 => floats(generator, elem, count, &mut rng, |x| x).map(ArrayData::F64),
    }
}

/// A `Vec` with room for `count` elements, or an error instead of an abort
/// when the size is absurd (or memory is capped).
fn allocate<T>(count: usize) -> Result<Vec<T>, String> {
    let mut values = Vec::new();
    values.try_reserve_exact(count).map_err(|_| {
        let bytes = count.saturating_mul(std::mem::size_of::<T>());
        format!("cannot allocate {bytes} bytes for {count} elements")
    })?;
    Ok(values)
}

fn bools(generator: &Generator, count: usize) -> Result<ArrayData, String> {
    match generator {
        Generator::Fill(value) => match to_scalar(*value, ScalarType::Bool).map_err(|e| format!("fill: {e}"))? {
            Scalar::Bool(x) => {
                let mut values = allocate(count)?;
                values.resize(count, x);
                Ok(ArrayData::Bool(values))
            }
            _ => Err("a bool array takes fill(true) or fill(false)".to_string()),
        },
        _ => Err(format!(
            "`{generator}` makes numbers, not bools; use fill(true), fill(false), a literal or a .npy file"
        )),
    }
}

/// Integer values, each inside `ty`'s range.
fn integers<T: Copy>(
    generator: &Generator,
    ty: ScalarType,
    count: usize,
    rng: &mut SplitMix64,
    to: impl Fn(i128) -> T,
) -> Result<Vec<T>, String> {
    let mut values = allocate(count)?;
    let Some((_, max)) = ty.int_range() else {
        return Err(format!("{ty} is not an integer type"));
    };
    match *generator {
        Generator::Uniform { lo, hi } => {
            // `hi` is excluded, so it may be one past the type's largest
            // value: `uniform(0, 256)` covers every u8.
            let (lo, hi) = (integer_bound(lo, ty, 0)?, integer_bound(hi, ty, 1)?);
            if lo >= hi {
                return Err(format!(
                    "uniform({lo}, {hi}) is empty: integers are drawn from lo..hi, hi excluded"
                ));
            }
            // The width fits in u64 except for a whole 64-bit range
            // (`uniform(0, 18446744073709551616)` on u64): then every
            // 64-bit pattern is a value.
            match u64::try_from(hi - lo) {
                Ok(width) => values.extend((0..count).map(|_| to(lo + rng.below(width) as i128))),
                Err(_) => values.extend((0..count).map(|_| to(lo + rng.next_u64() as i128))),
            }
        }
        Generator::Iota => {
            if count > 0 && (count - 1) as i128 > max {
                return Err(format!("iota needs {count} values but {ty} stops at {max}"));
            }
            values.extend((0..count).map(|i| to(i as i128)));
        }
        Generator::Fill(value) => {
            let scalar = to_scalar(value, ty).map_err(|e| format!("fill: {e}"))?;
            let Some(x) = scalar.int_value() else {
                return Err(format!("fill needs an integer for {ty}"));
            };
            values.resize(count, to(x));
        }
        Generator::Normal { .. } | Generator::Linspace { .. } => {
            return Err(format!(
                "`{generator}` makes floats, not {ty}; use uniform(lo, hi), iota or fill(v) for integers"
            ))
        }
    }
    Ok(values)
}

/// A uniform bound for an integer type: an integer that fits `ty`, or
/// goes `past` its largest value by that much.
fn integer_bound(
    literal: super::spec::Literal,
    ty: ScalarType,
    past: i128,
) -> Result<i128, String> {
    let range_error = || format!("uniform bound `{literal}` is out of range for {ty}");
    let wide = to_integer(literal).map_err(|reason| match reason {
        Reason::OutOfRange => range_error(),
        _ => format!("uniform bound `{literal}` is not an integer, and {ty} values are"),
    })?;
    let fits = match ty.int_range() {
        Some((lo, hi)) => (lo..=hi + past).contains(&wide),
        None => false,
    };
    if fits {
        Ok(wide)
    } else {
        Err(range_error())
    }
}

/// Float values; for `f32`, every bound has been checked to fit.
fn floats<T: Copy>(
    generator: &Generator,
    ty: ScalarType,
    count: usize,
    rng: &mut SplitMix64,
    to: impl Fn(f64) -> T,
) -> Result<Vec<T>, String> {
    let mut values = allocate(count)?;
    match *generator {
        Generator::Uniform { lo, hi } => {
            let (lo, hi) = (float_bound(lo, ty)?, float_bound(hi, ty)?);
            let width = hi - lo;
            if !(width >= 0.0 && width.is_finite()) {
                return Err(format!(
                    "uniform({lo:?}, {hi:?}) needs lo <= hi, both finite"
                ));
            }
            values.extend((0..count).map(|_| to(below(lo + width * rng.unit(), lo, hi))));
        }
        Generator::Normal { mean, std_dev } => {
            if !(mean.is_finite() && std_dev.is_finite() && std_dev >= 0.0) {
                return Err(format!(
                    "normal({mean:?}, {std_dev:?}) needs a finite mean and std_dev >= 0"
                ));
            }
            values.extend((0..count).map(|_| to(mean + std_dev * rng.standard_normal())));
        }
        Generator::Linspace { start, end } => {
            if !(start.is_finite() && end.is_finite()) {
                return Err(format!("linspace({start:?}, {end:?}) needs finite ends"));
            }
            values.extend(linspace(start, end, count).map(&to));
        }
        Generator::Iota => values.extend((0..count).map(|i| to(i as f64))),
        Generator::Fill(value) => {
            let x = match to_scalar(value, ty).map_err(|e| format!("fill: {e}"))? {
                Scalar::F32(x) => f64::from(x),
                Scalar::F64(x) => x,
                _ => return Err(format!("fill needs a number for {ty}")),
            };
            values.resize(count, to(x));
        }
    }
    Ok(values)
}

fn float_bound(literal: super::spec::Literal, ty: ScalarType) -> Result<f64, String> {
    match to_scalar(literal, ty).map_err(|e| format!("uniform bound {e}"))? {
        Scalar::F32(x) => Ok(f64::from(x)),
        Scalar::F64(x) => Ok(x),
        _ => Err(format!("uniform bound `{literal}` is not a number")),
    }
}

/// `x`, or the float just below `hi` when rounding pushed `x` up to it, so
/// uniform values stay in `[lo, hi)` (an empty range `lo == hi` gives `lo`).
fn below(x: f64, lo: f64, hi: f64) -> f64 {
    if x >= hi && lo < hi {
        hi.next_down()
    } else {
        x
    }
}

/// numpy's `linspace(start, end, count)`: `start + i * step`, with the last
/// value exactly `end`.
fn linspace(start: f64, end: f64, count: usize) -> impl Iterator<Item = f64> {
    let step = if count > 1 {
        (end - start) / (count - 1) as f64
    } else {
        0.0
    };
    (0..count).map(move |i| {
        if i + 1 == count && count > 1 {
            end
        } else {
            start + step * i as f64
        }
    })
}

/// f64 values to f32; uniform values that round up to `hi` step back below
/// it, as in [`below`].
fn narrowing(generator: &Generator) -> impl Fn(f64) -> f32 {
    let ceiling = match *generator {
        Generator::Uniform { lo, hi } => match (
            to_scalar(lo, ScalarType::F32),
            to_scalar(hi, ScalarType::F32),
        ) {
            (Ok(Scalar::F32(lo)), Ok(Scalar::F32(hi))) if lo < hi => Some(hi),
            _ => None,
        },
        _ => None,
    };
    move |x: f64| {
        let y = x as f32;
        match ceiling {
            Some(hi) if y >= hi => hi.next_down(),
            _ => y,
        }
    }
}

/// splitmix64 (Steele, Lea and Flood 2014): a 64-bit state advanced by a
/// constant and scrambled; passes BigCrush, and is one multiply-xorshift
/// chain, so it never needs a warm-up.
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// Seeds with the FNV-1a hash of `name`, so the stream depends only on
    /// the argument's name.
    pub fn seeded_by(name: &str) -> SplitMix64 {
        let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        SplitMix64 { state: hash }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`, with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `0..width` (Lemire's multiply-shift; the bias is below
    /// 2^-64 per draw, far under anything a test could see).
    pub fn below(&mut self, width: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(width)) >> 64) as u64
    }

    /// A standard normal draw (Box–Muller, one value per pair of uniforms).
    pub fn standard_normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit(); // in (0, 1], so the log is finite
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::super::spec::Literal::{Bool as B, Float as F, Int as I};
    use super::*;

    fn make(generator: Generator, elem: ScalarType, count: usize) -> ArrayData {
        generate(&generator, elem, count, "x").unwrap_or_else(|e| panic!("{e}"))
    }

    fn refuse(generator: Generator, elem: ScalarType) -> String {
        generate(&generator, elem, 3, "x").unwrap_err()
    }

    #[test]
    fn same_name_same_values_other_name_other_values() {
        let g = Generator::Uniform { lo: I(0), hi: I(1) };
        let a = generate(&g, ScalarType::F64, 16, "x");
        assert_eq!(a, generate(&g, ScalarType::F64, 16, "x"));
        assert_ne!(a, generate(&g, ScalarType::F64, 16, "y"));
    }

    #[test]
    fn uniform_stays_in_range() {
        let ArrayData::F32(v) = make(
            Generator::Uniform {
                lo: F(-1.0),
                hi: F(1.0),
            },
            ScalarType::F32,
            10_000,
        ) else {
            panic!()
        };
        assert!(v.iter().all(|&x| (-1.0..1.0).contains(&x)));
        let mean = v.iter().map(|&x| f64::from(x)).sum::<f64>() / v.len() as f64;
        assert!(mean.abs() < 0.05, "{mean}");
        let ArrayData::I32(v) = make(
            Generator::Uniform {
                lo: I(-2),
                hi: I(3),
            },
            ScalarType::I32,
            1000,
        ) else {
            panic!()
        };
        assert!(v.iter().all(|x| (-2..3).contains(x)));
        assert!((-2..3).all(|k| v.contains(&k)), "every value is drawn");
        let full = Generator::Uniform {
            lo: I(i64::MIN as i128),
            hi: I(i64::MAX as i128),
        };
        assert_eq!(make(full, ScalarType::I64, 5).len(), 5);
    }

    #[test]
    fn normal_has_the_right_moments() {
        let ArrayData::F64(v) = make(
            Generator::Normal {
                mean: 3.0,
                std_dev: 2.0,
            },
            ScalarType::F64,
            20_000,
        ) else {
            panic!()
        };
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64;
        assert!(
            (mean - 3.0).abs() < 0.05 && (var.sqrt() - 2.0).abs() < 0.05,
            "{mean} {var}"
        );
    }

    #[test]
    fn linspace_iota_fill() {
        let lin = make(
            Generator::Linspace {
                start: 0.0,
                end: 1.0,
            },
            ScalarType::F64,
            5,
        );
        assert_eq!(lin, ArrayData::F64(vec![0.0, 0.25, 0.5, 0.75, 1.0]));
        assert_eq!(
            make(
                Generator::Linspace {
                    start: 2.0,
                    end: 9.0
                },
                ScalarType::F32,
                1
            ),
            ArrayData::F32(vec![2.0])
        );
        assert_eq!(
            make(Generator::Iota, ScalarType::I32, 3),
            ArrayData::I32(vec![0, 1, 2])
        );
        assert_eq!(
            make(Generator::Iota, ScalarType::F32, 0),
            ArrayData::F32(vec![])
        );
        assert_eq!(
            make(Generator::Fill(I(7)), ScalarType::F64, 2),
            ArrayData::F64(vec![7.0, 7.0])
        );
        assert_eq!(
            make(Generator::Fill(B(true)), ScalarType::Bool, 2),
            ArrayData::Bool(vec![true, true])
        );
    }

    #[test]
    fn refusals_say_why() {
        assert!(refuse(Generator::Iota, ScalarType::Bool).contains("not bools"));
        assert!(refuse(
            Generator::Normal {
                mean: 0.0,
                std_dev: 1.0
            },
            ScalarType::I32
        )
        .contains("makes floats"));
        assert!(
            refuse(Generator::Uniform { lo: I(3), hi: I(3) }, ScalarType::I64).contains("empty")
        );
        assert!(refuse(
            Generator::Uniform {
                lo: F(0.5),
                hi: I(3)
            },
            ScalarType::I64
        )
        .contains("not an integer"));
        assert!(refuse(
            Generator::Uniform {
                lo: I(0),
                hi: I(1 << 40)
            },
            ScalarType::I32
        )
        .contains("out of range"));
        assert!(
            refuse(Generator::Uniform { lo: I(2), hi: I(1) }, ScalarType::F64).contains("lo <= hi")
        );
        assert!(refuse(
            Generator::Uniform {
                lo: I(0),
                hi: F(1e39)
            },
            ScalarType::F32
        )
        .contains("out of range"));
        assert!(refuse(
            Generator::Normal {
                mean: 0.0,
                std_dev: -1.0
            },
            ScalarType::F64
        )
        .contains("std_dev >= 0"));
        assert!(refuse(Generator::Fill(F(2.5)), ScalarType::I32).contains("not an integer"));
        assert!(
            generate(&Generator::Iota, ScalarType::F64, usize::MAX / 2, "x")
                .unwrap_err()
                .contains("allocate")
        );
    }
}
