//! What the Python binding asks of the library beyond `tests/api.rs`: a
//! call on a pool of the caller's choice (`Binding::run_on`, for per-call
//! thread counts) gives the same bits as the program's own, and
//! `Kernel::dump` returns every stage's text, as `kjit emit` prints it.

use kjit::api::{Pool, Program, Stage};
use kjit::options::Options;

const SOURCE: &str = "\
kernel stats(x: f64[n]) -> (y: f64[n], total: f64) {
    foreach i in n { y[i] = exp(x[i]) * 0.5; }
    total = sum over i in n { y[i] };
}
";

fn program() -> Program {
    Program::compile(SOURCE, Options::default()).expect("the source compiles")
}

#[test]
fn run_on_any_pool_gives_the_program_s_bits() {
    let program = program();
    let stats = program.kernel("stats").expect("stats");
    let n = 100_003;
    let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
    let run = |pool: Option<&Pool>| {
        let mut y = vec![0.0; n];
        let binding = stats.bind().input("x", &x).output("y", &mut y);
        let scalars = match pool {
            Some(pool) => binding.run_on(pool),
            None => binding.run(),
        }
        .expect("stats runs");
        let total = scalars.get("total").and_then(|t| t.as_f64());
        (y, total.expect("a f64 total").to_bits())
    };
    let reference = run(None);
    for threads in [Some(1), Some(2), Some(3), None] {
        let pool = Pool::new(threads).expect("a pool starts");
        assert_eq!(run(Some(&pool)), reference, "threads {threads:?}");
    }
}

#[test]
fn every_stage_dumps_for_the_kernel_alone() {
    let program = program();
    let stats = program.kernel("stats").expect("stats");
    for stage in Stage::ALL {
        assert_eq!(Stage::from_name(stage.name()), Some(stage));
        let text = stats.dump(stage).expect("the dump succeeds");
        assert!(text.contains("stats"), "{}: {text}", stage.name());
    }
    assert_eq!(Stage::from_name("ast"), None);
    let explained = stats.dump(Stage::Explain).expect("explain");
    assert!(explained.starts_with("kernel stats:"), "{explained}");
    // The lowered IR (after the passes) is the code that runs.
    assert!(stats
        .dump(Stage::LoweredIr)
        .expect("lowered")
        .contains("kernel stats"));
}
