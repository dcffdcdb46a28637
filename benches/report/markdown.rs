//! `benches/REPORT.md`: the measurements as markdown tables.

use crate::machine::Machine;
use crate::peers::{PeerResult, Peers};
use crate::suite::stream::Op;
use crate::suite::Bound;
use crate::{Bandwidth, Row, THREADS};
use std::time::Duration;

/// The headline thread count (the machine has two cores).
const T: usize = THREADS.len() - 1;

/// The command that writes the report (benches/README.md).
const COMMAND: &str =
    "RUSTFLAGS=\"-C target-cpu=native\" CARGO_TARGET_DIR=target/native cargo bench --bench report";

pub struct Report<'a> {
    pub machine: &'a Machine,
    pub load_after: String,
    pub elapsed: Duration,
    pub bandwidth: &'a Bandwidth,
    /// Median compile latency (seconds) of each `kernels/` file.
    pub compile: &'a [(String, f64)],
    pub rows: &'a [Row],
    pub peers: &'a Result<Peers, String>,
}

impl Report<'_> {
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        self.header(&mut out);
        self.results(&mut out);
        self.targets(&mut out);
        self.stream(&mut out);
        self.compile_table(&mut out);
        self.checks(&mut out);
        out.join("\n") + "\n"
    }

    fn header(&self, out: &mut Vec<String>) {
        let m = self.machine;
        let flags = match m.rustflags.as_str() {
            "" => "(none: baseline x86-64 for rustc)",
            flags => flags,
        };
        out.extend([
            "# kjit benchmark report".into(),
            String::new(),
            format!("Written by `{COMMAND}` (benches/README.md); do not edit by hand."),
            String::new(),
            format!(
                "- date: {}, {:.0} s to run",
                m.date,
                self.elapsed.as_secs_f64()
            ),
            format!(
                "- CPU: {} ({} cores; has {})",
                m.cpu, m.cores, m.cpu_features
            ),
            format!(
                "- RUSTFLAGS: `{flags}`; rustc could use: {}",
                m.rustc_features
            ),
            format!("- commit: {}", m.commit),
            format!(
                "- transparent huge pages: {} (numpy's arrays ask for 2 MiB pages from 4 MiB; \
                 this report's allocator asks alike for kjit's and the Rust references' \
                 buffers)",
                m.huge_pages
            ),
            format!(
                "- load average (1, 5, 15 min) at start: {}, at end: {}",
                m.load, self.load_after
            ),
            "- times: best of N rounds (N in the checks below); in a round, kjit and Rust at \
             1 and 2 threads run in turn"
                .into(),
            String::new(),
        ]);
    }

    fn results(&self, out: &mut Vec<String>) {
        out.extend([
            "## kjit against Rust + rayon, numpy and numba".into(),
            String::new(),
            "Speed-up = Rust time / kjit time (above 1: kjit is faster). Rate: GB/s moved \
             (STREAM counting) for memory-bound kernels, else Gelem/s; for the call row, the \
             overhead per call (kjit − Rust). % of floor: the time to move the bytes at the \
             STREAM rate (2 threads) over kjit's time; 100% means kjit moves them as fast as \
             STREAM (for the compute-bound rows: how far they are from being memory-bound). Scaling: time at 1 thread / \
             time at 2."
                .into(),
            String::new(),
            "| kernel | size | kjit (2 thr) | Rust (2 thr) | speed-up vs Rust | kjit rate | \
             % of floor | scaling 1→2 thr: kjit (Rust) | compile | numpy | numba (2 thr) | \
             numba compile |"
                .into(),
            "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|".into(),
        ]);
        for row in self.rows {
            out.push(self.result_row(row));
        }
        out.push(String::new());
    }

    fn result_row(&self, row: &Row) -> String {
        let s = &row.spec;
        if row.check.is_err() {
            return format!(
                "| {} | {} | **wrong results** (see Checks) |",
                s.name, s.size
            );
        }
        let (kjit, rust) = (row.kjit[T], row.rust[T]);
        let rate = match (s.bound, s.traffic) {
            (Bound::Memory, Some((bytes, _))) => format!("{:.1} GB/s", bytes as f64 / kjit / 1e9),
            (Bound::Call, _) => format!("+{} per call", time(kjit - rust)),
            _ => format!("{:.2} Gelem/s", s.elements as f64 / kjit / 1e9),
        };
        let floor = self
            .floor(row)
            .map_or("—".into(), |f| format!("{:.0}%", 100.0 * f / kjit));
        let scaling = format!("{:.2}× ({:.2}×)", row.kjit[0] / kjit, row.rust[0] / rust);
        let peer = |p: &str| self.peer(s.name, p);
        let numba_compile = peer("numba")
            .and_then(|r| r.compile)
            .map_or("—".into(), time);
        [
            format!("| {} | {}", s.name, s.size),
            time(kjit),
            time(rust),
            format!("{:.2}×", rust / kjit),
            rate,
            floor,
            scaling,
            self.compile_of(s.kernel).map_or("—".into(), time),
            peer("numpy").map_or("—".into(), peer_time),
            peer("numba").map_or("—".into(), peer_time),
            numba_compile + " |",
        ]
        .join(" | ")
    }

    fn targets(&self, out: &mut Vec<String>) {
        out.extend([
            "## Targets (issue 5)".into(),
            String::new(),
            "| target | measured | met |".into(),
            "|---|--:|:-:|".into(),
        ]);
        let mark = |ok: bool| if ok { "yes" } else { "**no**" };
        for row in self.rows.iter().filter(|r| r.check.is_ok()) {
            let s = &row.spec;
            let (kjit, rust) = (row.kjit[T], row.rust[T]);
            if s.bound == Bound::Call {
                let overhead = (kjit - rust) * 1e9;
                out.push(format!(
                    "| call overhead ≤ {:.0} ns ({}, {}: kjit − Rust) | {overhead:.0} ns | {} |",
                    s.target,
                    s.kernel,
                    s.size,
                    mark(overhead <= s.target)
                ));
                continue;
            }
            let speedup = rust / kjit;
            out.push(format!(
                "| {} ≥ {}× Rust | {speedup:.2}× | {} |",
                s.name,
                s.target,
                mark(speedup >= s.target)
            ));
        }
        for row in self
            .rows
            .iter()
            .filter(|r| r.spec.bound != Bound::Call && r.check.is_ok())
        {
            let Some(numba) = self.peer(row.spec.name, "numba") else {
                continue;
            };
            let (ratio, memory) = (numba.seconds / row.kjit[T], row.spec.bound == Bound::Memory);
            let (goal, ok) = match memory {
                true => ("at least as fast as", ratio >= 1.0),
                false => ("faster than", ratio > 1.0),
            };
            out.push(format!(
                "| {} {goal} numba | {ratio:.2}× | {} |",
                row.spec.name,
                mark(ok)
            ));
        }
        if let Some((name, worst)) = self.compile.iter().max_by(|a, b| a.1.total_cmp(&b.1)) {
            out.push(format!(
                "| compile ≤ 5 ms, every kernels/ file | worst {} ({name}) | {} |",
                time(*worst),
                mark(*worst <= 5e-3)
            ));
        }
        out.push(String::new());
    }

    fn stream(&self, out: &mut Vec<String>) {
        out.extend([
            "## STREAM bandwidth (the floor)".into(),
            String::new(),
            "Plain Rust + rayon over f64 arrays of 1 GiB each: copy `a = b`, triad \
             `a = b + s c`, read `sum of b`; bytes counted as STREAM does (16, 24 and 8 B per \
             element). A kernel's floor is its bytes at the rate of the op with its mix of reads \
             and writes: triad for saxpy, triad and blackscholes, copy for blur and poly, read \
             for dot and logsumexp."
                .into(),
            String::new(),
            "| threads | copy | triad | read |".into(),
            "|--:|--:|--:|--:|".into(),
        ]);
        for threads in THREADS {
            let rates = Op::ALL.map(|op| {
                let rate = self.bandwidth.rate(threads, op);
                rate.map_or("—".into(), |r| format!("{:.1} GB/s", r / 1e9))
            });
            out.push(format!("| {threads} | {} |", rates.join(" | ")));
        }
        out.push(String::new());
    }

    fn compile_table(&self, out: &mut Vec<String>) {
        out.extend([
            "## Compile latency".into(),
            String::new(),
            "Source text to callable machine code (`Program::compile`, default options), \
             median of 15."
                .into(),
            String::new(),
            "| kernels/ file | compile |".into(),
            "|---|--:|".into(),
        ]);
        for (name, seconds) in self.compile {
            out.push(format!("| {name}.kern | {} |", time(*seconds)));
        }
        out.push(String::new());
    }

    fn checks(&self, out: &mut Vec<String>) {
        out.extend([
            "## Checks".into(),
            String::new(),
            "Before timing and again after, kjit's outputs at 1 and at 2 threads are compared \
             with the Rust reference's; the peers compare theirs with kjit's."
                .into(),
            String::new(),
        ]);
        for row in self.rows {
            let s = &row.spec;
            let rust = match &row.check {
                Ok(how) => how.clone(),
                Err(why) => format!("**MISMATCH**: {why}"),
            };
            out.push(format!(
                "- {} ({} rounds): Rust: {rust}",
                s.name, row.rounds
            ));
            for peer in ["numpy", "numba"] {
                let peers = self.peers.as_ref().ok();
                if let Some(r) = peers.and_then(|p| p.get(s.name, peer)) {
                    out.push(format!("  - {peer}: {} — {}", r.status, r.detail));
                }
            }
        }
        match self.peers {
            Ok(peers) => out.push(format!("\nPeers: {}.", peers.versions)),
            Err(why) => out.push(format!("\nPeers: {why}.")),
        }
    }

    /// Seconds a row's bytes take at the rate of its STREAM op.
    fn floor(&self, row: &Row) -> Option<f64> {
        let (bytes, op) = row.spec.traffic?;
        Some(bytes as f64 / self.bandwidth.rate(THREADS[T], op)?)
    }

    fn compile_of(&self, kernel: &str) -> Option<f64> {
        let found = self.compile.iter().find(|(name, _)| name == kernel);
        found.map(|(_, seconds)| *seconds)
    }

    fn peer(&self, case: &str, peer: &str) -> Option<&PeerResult> {
        let peers = self.peers.as_ref().ok()?;
        peers.get(case, peer).filter(|r| r.seconds.is_finite())
    }
}

/// A peer's time, flagged when its results disagreed with kjit's.
fn peer_time(result: &PeerResult) -> String {
    match result.status.as_str() {
        "ok" => time(result.seconds),
        status => format!("{} ({status})", time(result.seconds)),
    }
}

/// Seconds with three significant digits and a unit.
fn time(seconds: f64) -> String {
    let (value, unit) = match seconds.abs() {
        s if s >= 1.0 => (seconds, "s"),
        s if s >= 1e-3 => (seconds * 1e3, "ms"),
        s if s >= 1e-6 => (seconds * 1e6, "µs"),
        _ => (seconds * 1e9, "ns"),
    };
    let decimals = match value.abs() {
        v if v >= 100.0 => 0,
        v if v >= 10.0 => 1,
        _ => 2,
    };
    format!("{value:.decimals$} {unit}")
}
