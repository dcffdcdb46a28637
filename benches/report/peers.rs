//! The numpy and numba columns: runs `benches/peers.py --tsv DIR CASE...` in
//! `benches/.venv` on the `.npy` files the cases wrote, and reads its
//! tab-separated lines back:
//!
//! ```text
//! #versions <TAB> python 3.11.7, numpy 2.4.6, numba 0.68.1
//! CASE <TAB> PEER <TAB> SECONDS <TAB> COMPILE_SECONDS <TAB> STATUS <TAB> DETAIL
//! ```
//!
//! `SECONDS` is the best time per call; `COMPILE_SECONDS` numba's first
//! call minus that (`-` for numpy); `STATUS` is `ok` (results agree with
//! kjit's within the tolerance in `DETAIL`), `fail` or `n/a`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct PeerResult {
    pub case: String,
    /// `numpy` or `numba`.
    pub peer: String,
    pub seconds: f64,
    pub compile: Option<f64>,
    pub status: String,
    pub detail: String,
}

pub struct Peers {
    pub versions: String,
    pub results: Vec<PeerResult>,
}

impl Peers {
    pub fn get(&self, case: &str, peer: &str) -> Option<&PeerResult> {
        self.results
            .iter()
            .find(|r| r.case == case && r.peer == peer)
    }
}

fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches")
}

/// The virtualenv's interpreter, if the venv was made.
pub fn python() -> Option<PathBuf> {
    let python = bench_dir().join(".venv/bin/python");
    python.exists().then_some(python)
}

/// Runs the peers on `cases` at 2 threads (numba's pool, and OpenBLAS for
/// numpy's dot).
pub fn run(python: &Path, data: &Path, cases: &[&str]) -> Result<Peers, String> {
    eprintln!("peers: numpy and numba (benches/peers.py)");
    let output = Command::new(python)
        .arg(bench_dir().join("peers.py"))
        .arg("--tsv")
        .arg(data)
        .args(cases)
        .env("NUMBA_NUM_THREADS", "2")
        .env("OPENBLAS_NUM_THREADS", "2")
        .env("OMP_NUM_THREADS", "2")
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !output.status.success() {
        return Err(format!("benches/peers.py failed ({})", output.status));
    }
    parse(&String::from_utf8_lossy(&output.stdout))
}

fn parse(text: &str) -> Result<Peers, String> {
    let mut peers = Peers {
        versions: String::new(),
        results: Vec::new(),
    };
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["#versions", versions] => peers.versions = versions.to_string(),
            [case, peer, seconds, compile, status, detail] => peers.results.push(PeerResult {
                case: case.to_string(),
                peer: peer.to_string(),
                seconds: seconds.parse().unwrap_or(f64::NAN),
                compile: compile.parse().ok(),
                status: status.to_string(),
                detail: detail.to_string(),
            }),
            _ => return Err(format!("benches/peers.py: unexpected line {line:?}")),
        }
    }
    Ok(peers)
}
