//! kjit against plain idiomatic Rust + rayon on the same data, in one run,
//! with criterion (see benches/README.md for how to run and read it; the
//! report, `benches/report/`, measures the same cases more briefly and
//! writes benches/REPORT.md).
//!
//! Each case of the suite (`benches/suite/`) is a group: `kjit_1t` and
//! `kjit_2t` (kjit at 1 and 2 threads) beside `rust_2t` (the reference in
//! a 2-thread rayon pool; for the call-overhead case, a loop on the calling
//! thread). Before timing, every kjit result is compared with the Rust
//! reference's, so a fast wrong answer cannot pass as a speed-up. A case's
//! inputs are built only when one of its benchmarks runs, so a filter
//! (`cargo bench --bench jit -- mandelbrot`) skips the others' setup.
//!
//! `stream` measures bandwidth (the floor of the memory-bound cases) and
//! `compile` the latency of compiling each `kernels/` file. At the end, the
//! speed-up of each case (Rust time / kjit time at 2 threads) is printed
//! from the estimates criterion saved.

// The `.npy` side of the suite serves the report only.
#[allow(dead_code)]
mod suite;

use criterion::{BenchmarkGroup, Criterion, Throughput};
use kjit::api::Program;
use std::path::{Path, PathBuf};
use std::time::Duration;
use suite::stream::{Op, Stream};
use suite::{Bound, Case, Spec};

/// STREAM arrays: 2^27 f64, 1 GiB each (see benches/report/main.rs).
const STREAM_N: usize = 1 << 27;

/// What a case's benchmarks share, built on first use.
struct Setup {
    case: Box<dyn Case>,
    /// kjit compiled for 1 and for 2 threads.
    programs: [Program; 2],
    pool: rayon::ThreadPool,
}

impl Setup {
    fn new(spec: &Spec) -> Setup {
        let mut setup = Setup {
            case: (spec.setup)(),
            programs: [1, 2].map(|threads| suite::compile(spec.kernel, threads)),
            pool: suite::pool(2),
        };
        setup.rust(spec);
        for (program, threads) in setup.programs.iter().zip([1, 2]) {
            setup.case.kjit(program);
            if let Err(e) = setup.case.check() {
                panic!("{}: kjit at {threads} threads: {e}", spec.name);
            }
        }
        setup
    }

    fn rust(&mut self, spec: &Spec) {
        match spec.bound {
            Bound::Call => self.case.rust(),
            _ => self.pool.install(|| self.case.rust()),
        }
    }
}

fn case(c: &mut Criterion, spec: &Spec) {
    let mut group = c.benchmark_group(spec.name);
    match (spec.bound, spec.traffic) {
        (Bound::Memory, Some((bytes, _))) => group.throughput(Throughput::Bytes(bytes)),
        _ => group.throughput(Throughput::Elements(spec.elements)),
    };
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3));
    let mut setup: Option<Setup> = None;
    for threads in [1, 2] {
        group.bench_function(format!("kjit_{threads}t"), |b| {
            let s = setup.get_or_insert_with(|| Setup::new(spec));
            b.iter(|| s.case.kjit(&s.programs[threads - 1]))
        });
    }
    group.bench_function("rust_2t", |b| {
        let s = setup.get_or_insert_with(|| Setup::new(spec));
        b.iter(|| s.rust(spec))
    });
    group.finish();
}

fn stream(c: &mut Criterion) {
    let mut group = c.benchmark_group("stream");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3));
    let mut arrays: Option<Stream> = None;
    for threads in [1, 2] {
        let pool = suite::pool(threads);
        for op in Op::ALL {
            stream_op(&mut group, &mut arrays, &pool, op, threads);
        }
    }
    group.finish();
}

fn stream_op(
    group: &mut BenchmarkGroup<criterion::measurement::WallTime>,
    arrays: &mut Option<Stream>,
    pool: &rayon::ThreadPool,
    op: Op,
    threads: usize,
) {
    let bytes = STREAM_N * op.bytes_per_element();
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(format!("{}_{threads}t", op.name()), |b| {
        let stream = arrays.get_or_insert_with(|| Stream::new(STREAM_N));
        b.iter(|| pool.install(|| stream.run(op)))
    });
}

/// Source text to a callable kernel: check, vectorize, Cranelift, link.
fn compile_latency(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(2));
    for path in suite::kernel_files() {
        let name = path.file_stem().expect("a file name").to_string_lossy();
        let source = std::fs::read_to_string(&path).expect("readable kernel");
        group.bench_function(name.as_ref(), |b| {
            b.iter(|| Program::compile(&source, Default::default()).expect("compiles"))
        });
    }
    group.finish();
}

// ---- speed-ups ----

/// Where criterion keeps its estimates (its own rule: `CRITERION_HOME`,
/// else `criterion` under the target directory).
fn criterion_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return home.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("criterion")
}

/// The mean time (ns) of one benchmark, from `new/estimates.json`.
fn mean_ns(group: &str, function: &str) -> Option<f64> {
    let path = criterion_home()
        .join(group)
        .join(function)
        .join("new/estimates.json");
    let json = std::fs::read_to_string(path).ok()?;
    let mean = &json[json.find("\"mean\"")?..];
    let value = &mean[mean.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = value.find([',', '}'])?;
    value[..end].trim().parse().ok()
}

fn print_speedups(specs: &[Spec]) {
    println!("\nspeed-up = Rust time / kjit time at 2 threads (above 1: kjit is faster):");
    for spec in specs {
        let (kjit, rust) = (mean_ns(spec.name, "kjit_2t"), mean_ns(spec.name, "rust_2t"));
        let scaling = mean_ns(spec.name, "kjit_1t")
            .zip(kjit)
            .map(|(one, two)| one / two);
        match (kjit, rust) {
            (Some(k), Some(r)) => println!(
                "  {:<13} {:>5.2}×  (kjit {}, rust {}; kjit 1→2 threads {:.2}×)",
                spec.name,
                r / k,
                show_ns(k),
                show_ns(r),
                scaling.unwrap_or(f64::NAN)
            ),
            _ => println!("  {:<13} (not measured)", spec.name),
        }
    }
}

fn show_ns(ns: f64) -> String {
    match ns {
        ns if ns >= 1e9 => format!("{:.2} s", ns / 1e9),
        ns if ns >= 1e6 => format!("{:.2} ms", ns / 1e6),
        ns if ns >= 1e3 => format!("{:.2} µs", ns / 1e3),
        ns => format!("{ns:.0} ns"),
    }
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .configure_from_args();
    let specs = suite::cases();
    for spec in &specs {
        case(&mut c, spec);
    }
    stream(&mut c);
    compile_latency(&mut c);
    c.final_summary();
    print_speedups(&specs);
}
