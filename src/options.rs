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
    /// Which of the host CPU's x86-64 extensions the JIT may use.
    pub cpu: Cpu,
}

/// The instruction sets code generation may use, as a subset of the
/// host's: the differential tests compile each kernel both ways, so the
/// code for a CPU without AVX-512 is checked on one that has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Cpu {
    /// Everything the host has.
    #[default]
    Host,
    /// The host's extensions without AVX-512 (as on an AVX2 machine).
    NoAvx512,
}

/// The most worker threads a program may ask for. Each thread is a real OS
/// thread with its own stack; past a few per core they only add
/// scheduling, and 10,000 of them is a way to exhaust the process, not to
/// go faster.
pub const MAX_THREADS: usize = 1024;

/// The Cranelift optimization levels `cranelift_opt_level` accepts.
pub const OPT_LEVELS: [&str; 3] = ["none", "speed", "speed_and_size"];

/// Why [`Options::validate`] refused a setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptionsError {
    TooManyThreads(usize),
    UnknownOptLevel(String),
}

impl std::fmt::Display for OptionsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OptionsError::TooManyThreads(n) => {
                write!(
                    f,
                    "{n} threads asked for; at most {MAX_THREADS} are allowed"
                )
            }
            OptionsError::UnknownOptLevel(level) => write!(
                f,
                "unknown Cranelift opt level {level:?} (expected one of {})",
                OPT_LEVELS.join(", ")
            ),
        }
    }
}

impl std::error::Error for OptionsError {}

impl Options {
    /// Checks every setting; called before anything is compiled.
    pub fn validate(&self) -> Result<(), OptionsError> {
        if let Some(n) = self.threads.filter(|&n| n > MAX_THREADS) {
            return Err(OptionsError::TooManyThreads(n));
        }
        if !OPT_LEVELS.contains(&self.cranelift_opt_level) {
            return Err(OptionsError::UnknownOptLevel(
                self.cranelift_opt_level.to_string(),
            ));
        }
        Ok(())
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            threads: None,
            verify_codegen: cfg!(debug_assertions),
            cranelift_opt_level: "none",
            fast_math: false,
            cpu: Cpu::Host,
        }
    }
}
