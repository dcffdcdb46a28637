//! probe
#[path = "vmath/erf_oracle.rs"]
mod erf_oracle;
#[path = "vmath/inputs.rs"]
mod inputs;
#[path = "vmath/oracle.rs"]
mod oracle;

use inputs::{inputs, FUNCTIONS};
use std::time::Instant;

#[test]
fn probe() {
    let n: usize = std::env::var("PROBE_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let prec: usize = std::env::var("PROBE_P")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(80);
    for (fun, arity) in FUNCTIONS {
        let pairs = inputs(fun, arity, true, n, 7);
        let t = Instant::now();
        let mut count = 0;
        let mut slowest = (0.0, 0.0, 0.0);
        for &(x, y) in &pairs {
            if !x.is_finite() || !y.is_finite() || x == 0.0 || y == 0.0 {
                continue;
            }
            if std::panic::catch_unwind(|| ()).is_err() {}
            let s = Instant::now();
            let r = std::panic::catch_unwind(|| oracle::exact64(fun, x, y, prec));
            let dt = s.elapsed().as_secs_f64();
            if dt > slowest.0 {
                slowest = (dt, x, y);
            }
            if r.is_ok() {
                count += 1;
            }
        }
        let dt = t.elapsed().as_secs_f64();
        println!(
            "{fun:?}: {count} ok, {:.1} us/call, slowest {:.1} us at ({:e}, {:e})",
            dt * 1e6 / pairs.len() as f64,
            slowest.0 * 1e6,
            slowest.1,
            slowest.2
        );
    }
}
