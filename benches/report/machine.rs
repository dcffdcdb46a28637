//! What the report says about where and how it was measured.

use std::process::Command;

pub struct Machine {
    /// UTC date and time of the run.
    pub date: String,
    /// `model name` of /proc/cpuinfo (what `lscpu` shows).
    pub cpu: String,
    pub cores: usize,
    /// Vector extensions the CPU has (Cranelift uses what it finds).
    pub cpu_features: String,
    /// `RUSTFLAGS` this bench was compiled with, and the vector extensions
    /// rustc was allowed to use for the Rust references.
    pub rustflags: String,
    pub rustc_features: String,
    /// The commit measured, `+ changes` if `src/` differs from it.
    pub commit: String,
    /// /proc/loadavg's 1, 5 and 15 minute averages.
    pub load: String,
    /// The transparent huge page mode: numpy asks for 2 MiB pages for its
    /// large arrays (madvise); a Rust `Vec` gets them only in mode `always`.
    pub huge_pages: String,
}

impl Machine {
    pub fn observe() -> Machine {
        Machine {
            date: utc_now(),
            cpu: cpu_model(),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_features: cpu_features(),
            rustflags: option_env!("RUSTFLAGS").unwrap_or("").to_string(),
            rustc_features: rustc_features(),
            commit: commit(),
            load: load_average(),
            huge_pages: huge_pages(),
        }
    }
}

pub fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let fields: Vec<&str> = text.split_whitespace().take(3).collect();
    fields.join(" ")
}

/// The bracketed word of `always [madvise] never`.
fn huge_pages() -> String {
    let path = "/sys/kernel/mm/transparent_hugepage/enabled";
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let chosen = text.split_whitespace().find(|w| w.starts_with('['));
    chosen.map_or("unknown".into(), |w| w.trim_matches(['[', ']']).to_string())
}

fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let line = info.lines().find(|l| l.starts_with("model name"));
    let model = line.and_then(|l| l.split(':').nth(1));
    model.map_or("unknown".into(), |m| m.trim().to_string())
}

fn cpu_features() -> String {
    #[cfg(target_arch = "x86_64")]
    {
        let mut found = Vec::new();
        macro_rules! probe {
            ($($f:tt),*) => {$(
                if std::arch::is_x86_feature_detected!($f) {
                    found.push($f);
                }
            )*};
        }
        probe!("sse4.2", "avx", "avx2", "fma", "avx512f");
        found.join(" ")
    }
    #[cfg(not(target_arch = "x86_64"))]
    String::from("(not x86-64)")
}

fn rustc_features() -> String {
    let enabled = [
        ("sse4.2", cfg!(target_feature = "sse4.2")),
        ("avx", cfg!(target_feature = "avx")),
        ("avx2", cfg!(target_feature = "avx2")),
        ("fma", cfg!(target_feature = "fma")),
        ("avx512f", cfg!(target_feature = "avx512f")),
    ];
    let names: Vec<&str> = enabled
        .iter()
        .filter(|(_, on)| *on)
        .map(|(n, _)| *n)
        .collect();
    match names.as_slice() {
        [] => "sse2 only".into(),
        names => names.join(" "),
    }
}

fn git(args: &[&str]) -> Option<String> {
    let dir = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// HEAD, and whether the compiler under test (`src/`) differs from it.
fn commit() -> String {
    let head = git(&["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".into());
    match git(&["status", "--porcelain", "--", "src"]) {
        Some(changes) if !changes.is_empty() => format!("{head} + uncommitted changes in src/"),
        _ => head,
    }
}

fn utc_now() -> String {
    let out = Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output();
    let text = out.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    text.unwrap_or_else(|_| "unknown".into())
}
