//! Compile and run options, threaded explicitly from the CLI or the library
//! caller down to codegen and the runtime. No stage reads the environment.

/// How a kernel is compiled and run.
#[derive(Clone, Debug)]
pub struct Options {
    /// Worker threads for phases; `None` uses rayon's global pool (one per
    /// core). `Some(1)` runs everything on the calling thread.
    pub threads: Option<usize>,
    /// Run Cranelift's IR verifier on every generated function (a compiler
    /// bug detector; costs 40-70% of compile time, so off by default in
    /// release builds and on in debug builds and tests).
    pub verify_codegen: bool,
    /// Cranelift optimization level: "none", "speed" or "speed_and_size".
    /// "none" by default: kjit schedules its own code, and Cranelift's
    /// e-graph pass moved loop-invariant work into mandelbrot's escape loop
    /// and spilled (88.8 ms at "none" against 168.8 ms at "speed" for
    /// 2048² × 256 iterations; saxpy unchanged; compile 3.4 vs 4.5 ms for
    /// blackscholes).
    pub cranelift_opt_level: &'static str,
    /// Compile with [`passes::fast_math`](crate::passes::fast_math): the fast
    /// variants of the maths builtins (looser bounds, docs/MATH.md) and
    /// `a * b + c` contracted into fused multiply-adds. Off by default.
    pub fast_math: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            threads: None,
            verify_codegen: cfg!(debug_assertions),
            cranelift_opt_level: "none",
            fast_math: false,
        }
    }
}
