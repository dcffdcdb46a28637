//! The benchmark report: `cargo bench --bench report` measures every case
//! of the suite (kjit at 1 and 2 threads, the Rust reference at 1 and 2),
//! STREAM bandwidth, compile latency and, when `benches/.venv` exists, the
//! numpy and numba peers (`benches/peers.py`), and writes
//! `benches/REPORT.md`. See benches/README.md.
//!
//! Times are the best of several rounds; within a round the four variants
//! of a case run one after the other, so background load on a shared
//! machine hits all of them alike. Every case is checked (kjit against
//! Rust, and kjit at 1 thread against 2) before it is timed and again
//! after.
//!
//! Arguments (after `--`): `--no-peers` skips the Python peers; names
//! select cases (`-- poly dot`), and the report is then printed, not
//! written.

#[path = "../suite/mod.rs"]
mod suite;

mod machine;
mod markdown;
mod peers;

use kjit::api::Program;
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use suite::stream::{Op, Stream};
use suite::{Bound, Case, NpyDir, Spec};

/// Every large allocation of the report asks for huge pages as numpy's
/// arrays do (`kjit::memory`), so kjit, the Rust references, STREAM and
/// numba's numpy arrays all stream through the same kind of pages.
struct HugePages;

// SAFETY: every call goes to the system allocator with the caller's
// layout; the huge-page hint changes no byte of the memory.
unsafe impl GlobalAlloc for HugePages {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        kjit::memory::advise_huge_pages(p, layout.size());
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        kjit::memory::advise_huge_pages(p, layout.size());
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        kjit::memory::advise_huge_pages(p, new_size);
        p
    }
}

#[global_allocator]
static ALLOCATOR: HugePages = HugePages;

/// Thread counts measured; the last one is the headline.
const THREADS: [usize; 2] = [1, 2];

/// STREAM arrays: 2^27 f64 = 1 GiB each, twice the last-level cache this
/// VM reports (480 MiB, shared with the host's other tenants). Rates were
/// flat from 128 MiB per array up when this was chosen.
const STREAM_N: usize = 1 << 27;

/// A sample is a batch of calls lasting at least this long, so that short
/// calls (saxpy on 1,000 elements) are timed in bulk.
const MIN_SAMPLE: Duration = Duration::from_millis(5);

/// Rounds per case: at least `MIN_ROUNDS`, more while a case stays under
/// `CASE_BUDGET`, at most `MAX_ROUNDS`.
const MIN_ROUNDS: usize = 5;
const MAX_ROUNDS: usize = 21;
const CASE_BUDGET: Duration = Duration::from_secs(6);

/// The best bytes per second of each STREAM op, by thread count.
pub struct Bandwidth {
    /// `(threads, op, bytes per second)`.
    pub rates: Vec<(usize, Op, f64)>,
}

impl Bandwidth {
    pub fn rate(&self, threads: usize, op: Op) -> Option<f64> {
        let mut rates = self.rates.iter();
        let found = rates.find(|(t, o, _)| *t == threads && *o == op);
        found.map(|(_, _, rate)| *rate)
    }
}

/// One case, measured.
pub struct Row {
    pub spec: Spec,
    /// Seconds per call, by `THREADS` index: kjit, then the Rust reference.
    pub kjit: [f64; 2],
    pub rust: [f64; 2],
    /// How kjit and Rust agreed, or why they did not (then nothing is timed).
    pub check: Result<String, String>,
    pub rounds: usize,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo test --benches` runs bench targets without `--bench`: do nothing.
    if !args.iter().any(|a| a == "--bench") {
        eprintln!("benches/report: run it with `cargo bench --bench report`");
        return;
    }
    let started = Instant::now();
    let machine = machine::Machine::observe();
    eprintln!("load average at start: {}", machine.load);
    let python = peers::python().filter(|_| !args.iter().any(|a| a == "--no-peers"));
    let data = python.as_ref().map(|_| data_dir());

    let bandwidth = measure_stream();
    let compile = compile_latency();
    let selected: Vec<&String> = args[1..].iter().filter(|a| !a.starts_with("--")).collect();
    let rows: Vec<Row> = suite::cases()
        .into_iter()
        .filter(|spec| selected.is_empty() || selected.iter().any(|s| *s == spec.name))
        .map(|spec| measure_case(spec, data.as_deref()))
        .collect();
    let peers = match (&python, &data) {
        (Some(python), Some(dir)) => {
            let names: Vec<&str> = rows.iter().map(|r| r.spec.name).collect();
            peers::run(python, dir, &names)
        }
        _ => Err("not run: no benches/.venv (see benches/README.md), or --no-peers".into()),
    };

    let report = markdown::Report {
        machine: &machine,
        load_after: machine::load_average(),
        elapsed: started.elapsed(),
        bandwidth: &bandwidth,
        compile: &compile,
        rows: &rows,
        peers: &peers,
    };
    let text = report.render();
    println!("{text}");
    if selected.is_empty() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/REPORT.md");
        std::fs::write(&path, &text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        eprintln!("wrote {} in {:.0?}", path.display(), started.elapsed());
    }
}

/// `<target dir>/bench-data`, next to the directory of this executable
/// (`<target dir>/release/deps/report-*`): large files stay out of `benches/`.
fn data_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the bench's own path");
    let target = exe.ancestors().nth(3).expect("a target directory");
    let dir = target.join("bench-data");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// Seconds per call of `f`: the least of `samples`, each a batch of calls
/// of at least `MIN_SAMPLE`.
struct Timer {
    batch: u32,
    best: f64,
}

impl Timer {
    /// Calls `f` once to size the batch.
    fn new(f: &mut dyn FnMut()) -> Timer {
        let start = Instant::now();
        f();
        let once = start.elapsed().max(Duration::from_nanos(1));
        let batch = (MIN_SAMPLE.as_secs_f64() / once.as_secs_f64()).ceil();
        Timer {
            batch: batch.clamp(1.0, 1e6) as u32,
            best: f64::INFINITY,
        }
    }

    fn sample(&mut self, f: &mut dyn FnMut()) {
        let start = Instant::now();
        for _ in 0..self.batch {
            f();
        }
        let per_call = start.elapsed().as_secs_f64() / self.batch as f64;
        self.best = self.best.min(per_call);
    }
}

fn measure_stream() -> Bandwidth {
    eprintln!("STREAM: 3 arrays of {} MiB", (STREAM_N * 8) >> 20);
    let mut stream = Stream::new(STREAM_N);
    let mut rates = Vec::new();
    for threads in THREADS {
        let pool = suite::pool(threads);
        for op in Op::ALL {
            let mut run = || pool.install(|| stream.run(op));
            let mut timer = Timer::new(&mut run);
            for _ in 0..5 {
                timer.sample(&mut run);
            }
            rates.push((threads, op, stream.bytes(op) as f64 / timer.best));
        }
    }
    Bandwidth { rates }
}

/// Median seconds to compile each `kernels/` file to callable code.
fn compile_latency() -> Vec<(String, f64)> {
    let time = |source: &str| {
        let start = Instant::now();
        let program = Program::compile(source, Default::default()).expect("compiles");
        let seconds = start.elapsed().as_secs_f64();
        drop(program);
        seconds
    };
    let files = suite::kernel_files();
    let mut latency = Vec::new();
    for path in files {
        let name = path.file_stem().expect("a file name").to_string_lossy();
        let source = std::fs::read_to_string(&path).expect("readable kernel");
        time(&source);
        let mut times: Vec<f64> = (0..15).map(|_| time(&source)).collect();
        times.sort_by(f64::total_cmp);
        latency.push((name.into_owned(), times[times.len() / 2]));
    }
    latency
}

/// Checks, then times, one case; writes its `.npy` files when `data` is
/// given (for the peers).
fn measure_case(spec: Spec, data: Option<&Path>) -> Row {
    eprintln!("{}: setting up", spec.name);
    let mut case = (spec.setup)();
    let programs = THREADS.map(|t| suite::compile(spec.kernel, t));
    let pools = THREADS.map(suite::pool);
    let mut row = Row {
        kjit: [f64::NAN; 2],
        rust: [f64::NAN; 2],
        check: check(case.as_mut(), &programs, &pools),
        rounds: 0,
        spec,
    };
    if row.check.is_err() {
        return row;
    }
    if let Some(dir) = data {
        let npy = NpyDir {
            dir,
            case: row.spec.name,
        };
        case.save(&npy)
            .unwrap_or_else(|e| panic!("saving inputs: {e}"));
    }
    time_case(case.as_mut(), &programs, &pools, &mut row);
    if let Err(e) = check(case.as_mut(), &programs, &pools) {
        row.check = Err(format!("after timing: {e}"));
    }
    row
}

/// kjit at every thread count against the Rust reference at the most.
fn check(
    case: &mut dyn Case,
    programs: &[Program; 2],
    pools: &[rayon::ThreadPool; 2],
) -> Result<String, String> {
    pools[1].install(|| case.rust());
    let mut how = String::new();
    for (program, threads) in programs.iter().zip(THREADS) {
        case.kjit(program);
        how = case
            .check()
            .map_err(|e| format!("kjit at {threads} threads: {e}"))?;
    }
    Ok(how)
}

fn time_case(
    case: &mut dyn Case,
    programs: &[Program; 2],
    pools: &[rayon::ThreadPool; 2],
    row: &mut Row,
) {
    eprintln!("{}: timing", row.spec.name);
    // Variants 0..2 are kjit at THREADS[v], 2..4 the Rust reference. A
    // call-overhead reference is a sequential loop: run on this thread, as
    // kjit runs one chunk, without the µs of handing work to a pool.
    let sequential = row.spec.bound == Bound::Call;
    let mut run = |v: usize| match v {
        0 | 1 => case.kjit(&programs[v]),
        _ if sequential => case.rust(),
        _ => pools[v - 2].install(|| case.rust()),
    };
    let start = Instant::now();
    let mut timers: Vec<Timer> = (0..4).map(|v| Timer::new(&mut || run(v))).collect();
    for round in 1..=MAX_ROUNDS {
        for (v, timer) in timers.iter_mut().enumerate() {
            timer.sample(&mut || run(v));
        }
        row.rounds = round;
        let per_round = start.elapsed() / round as u32;
        if round >= MIN_ROUNDS && start.elapsed() + per_round > CASE_BUDGET {
            break;
        }
    }
    row.kjit = [timers[0].best, timers[1].best];
    row.rust = [timers[2].best, timers[3].best];
}
