//! Issue 10, "hostile inputs": each test is a way a user (or another
//! process) can hand kjit something nasty, with real processes, files,
//! signals and memory caps. Every case must end in a clear error (exit 3)
//! or a correct result, never a crash, hang or clobbered file.

use super::*;
use std::os::unix::fs::symlink;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A sum over a size the user gives, reading an array of another size.
const SUM_OVER_N: &str = "\
kernel k(x: f32[m], n: i64) -> (s: f32) {
    s = sum over i in n { x[i] };
}
";

const COPY: &str = "\
kernel copy(x: f32[n]) -> (y: f32[n]) {
    foreach i in n { y[i] = x[i]; }
}
";

impl Dir {
    fn spawn(&self, args: &[&str]) -> Child {
        Command::new(env!("CARGO_BIN_EXE_kjit"))
            .args(args)
            .current_dir(self.temp.path())
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn kjit")
    }

    fn hidden_files(&self) -> Vec<String> {
        self.files()
            .into_iter()
            .filter(|n| n.starts_with('.'))
            .collect()
    }
}

/// Waits for `child` at most `limit`; a child still running then is killed
/// and the test fails (a hang).
fn wait_at_most(mut child: Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("kjit still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// (extent, what used to happen): the first chunk fails at index 2, so each
/// run must end at once with that error, whatever the domain's size.
const HUGE_DOMAINS: &[(&str, &str)] = &[
    ("1000000000000000", "aborted building a 976 GB chunk list"),
    (
        "9223372036854775807",
        "chunk count overflowed: s = 0, no error",
    ),
    ("9223372036854775000", "chunk count overflowed"),
    ("9223372036854759424", "largest extent without overflow"),
];

#[test]
fn huge_domains_fail_fast_with_the_first_error() {
    let dir = Dir::new();
    dir.write("sum.kern", SUM_OVER_N);
    for (n, before) in HUGE_DOMAINS {
        let started = Instant::now();
        let n = format!("n={n}");
        for threads in ["1", "2"] {
            dir.kjit(&["run", "sum.kern", "x=[1,2]", &n, "--threads", threads])
                .expect(3)
                .stderr_has("index [2] is out of bounds for array `x` of shape [2]");
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{n} ({before})"
        );
    }
}

#[test]
fn fifo_and_directory_inputs_are_refused_without_blocking() {
    let dir = Dir::new();
    dir.write("copy.kern", COPY);
    let fifo = dir.path("pipe.npy");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    fs::create_dir(dir.path("d.npy")).expect("mkdir");
    // A link to an endless device: reading it would never end.
    symlink("/dev/zero", dir.path("zero.npy")).expect("link");
    for engine in ["jit", "reference"] {
        let child = dir.spawn(&["run", "copy.kern", "x=pipe.npy", "--engine", engine]);
        let status = wait_at_most(child, Duration::from_secs(20));
        assert_eq!(status.code(), Some(3), "{engine}");
        dir.kjit(&["run", "copy.kern", "x=pipe.npy", "--engine", engine])
            .stderr_has("`pipe.npy` is a named pipe (FIFO), not a .npy file");
        dir.kjit(&["run", "copy.kern", "x=d.npy", "--engine", engine])
            .expect(3)
            .stderr_has("`d.npy` is a directory, not a .npy file");
        dir.kjit(&["run", "copy.kern", "x=zero.npy", "--engine", engine])
            .expect(3)
            .stderr_has("`zero.npy` is a device, not a .npy file");
    }
    // A FIFO as the kernel source is refused too, without opening it.
    let made = Command::new("mkfifo")
        .arg(dir.path("pipe.kern"))
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let child = dir.spawn(&["check", "pipe.kern"]);
    assert_eq!(wait_at_most(child, Duration::from_secs(20)).code(), Some(3));
    dir.kjit(&["check", "pipe.kern"])
        .stderr_has("cannot read `pipe.kern`: it is not a regular file");
}

/// A kernel that reads its input for a while: 64 gathered reads per index.
const GATHER: &str = "\
kernel heavy(x: f32[n]) -> (s: f32) {
    s = sum over i in n {
        let acc: f32 = 0.0;
        for k in 0..64 { acc += x[(i + k * 7919) % n]; }
        acc
    };
}
";

/// Another process truncates and restores an input over and over while
/// kjit runs on it. Inputs used to be memory-mapped, and a truncation during
/// the run killed kjit with SIGBUS (4 of 20 runs of this test on the old
/// code); now every run ends with a result or an error saying the file is
/// truncated or changed.
#[test]
fn an_input_truncated_during_runs_never_crashes_kjit() {
    let dir = Dir::new();
    dir.write("heavy.kern", GATHER);
    let x = vec![0.5f32; 4 << 20];
    let bytes = npy::encode(&kjit::value::Array::from_vec(x));
    let path = dir.write("x.npy", &bytes);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let vandal = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20));
                let file = fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .expect("open");
                file.set_len(200).expect("truncate");
                std::thread::sleep(Duration::from_millis(5));
                fs::write(&path, &bytes).expect("restore");
            }
        })
    };
    let mut outcomes = [0usize; 2];
    for _ in 0..20 {
        let out = dir.kjit(&["run", "heavy.kern", "x=x.npy"]);
        assert!(
            matches!(out.code, 0 | 3),
            "killed by a signal: {}",
            out.stderr
        );
        outcomes[usize::from(out.code == 3)] += 1;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    vandal.join().expect("vandal");
    eprintln!(
        "truncation runs: {} ok, {} clean errors",
        outcomes[0], outcomes[1]
    );
}

/// Memory caps (`prlimit --as`) of several sizes, on a generated input and
/// an `-o` output of 200 MB each: every run either succeeds or says which
/// array did not fit, and none aborts.
#[test]
fn memory_caps_give_errors_naming_the_array_never_an_abort() {
    if Command::new("prlimit").arg("--version").output().is_err() {
        eprintln!("skipped: no prlimit");
        return;
    }
    let dir = Dir::new();
    dir.write("copy.kern", COPY);
    let mut handled = 0;
    for cap_mb in [80, 150, 300, 500, 2000] {
        let out = Command::new("prlimit")
            .arg(format!("--as={}", cap_mb << 20))
            .arg(env!("CARGO_BIN_EXE_kjit"))
            .args(["run", "copy.kern", "x=uniform(0,1)", "n=50000000"])
            .args(["-o", "y=y.npy", "--force", "--threads", "2"])
            .current_dir(dir.temp.path())
            .output()
            .expect("prlimit");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.signal(), None, "{cap_mb} MB: {stderr}");
        match out.status.code() {
            Some(0) => {}
            Some(3) => {
                let named = ["argument `x`", "output `y`", "-o y"];
                assert!(
                    named.iter().any(|n| stderr.contains(n)),
                    "{cap_mb} MB: {stderr}"
                );
                assert!(
                    stderr.contains("bytes") || stderr.contains("memory"),
                    "{stderr}"
                );
            }
            other => panic!("{cap_mb} MB: exit {other:?}: {stderr}"),
        }
        handled += 1;
        assert_eq!(dir.hidden_files(), Vec::<String>::new(), "{cap_mb} MB");
    }
    assert_eq!(handled, 5);
}

// ----- lost or clobbered files -----

#[test]
fn output_never_overwrites_the_kernel_source_or_a_linked_input() {
    let dir = Dir::new();
    dir.write("k.npy", COPY);
    dir.kjit(&["run", "k.npy", "x=[1,2]", "-o", "y=k.npy", "--force"])
        .expect(3)
        .stderr_has("refusing to write `k.npy`: it is the kernel source");
    assert_eq!(fs::read_to_string(dir.path("k.npy")).expect("read"), COPY);
    // A hard link has a path of its own, but is the same file.
    dir.write("copy.kern", COPY);
    dir.fixture("npy_f32_1d.npy");
    fs::hard_link(dir.path("npy_f32_1d.npy"), dir.path("alias.npy")).expect("link");
    let before = fs::read(dir.path("npy_f32_1d.npy")).expect("read");
    dir.kjit(&[
        "run",
        "copy.kern",
        "x=npy_f32_1d.npy",
        "-o",
        "y=alias.npy",
        "--force",
    ])
    .expect(3)
    .stderr_has("it is the input file of `x`");
    assert_eq!(fs::read(dir.path("npy_f32_1d.npy")).expect("read"), before);
}

#[test]
fn planted_links_are_never_followed() {
    let dir = Dir::new();
    dir.write("copy.kern", COPY);
    let victim = dir.write("victim.txt", "precious");
    // The old temporary name, for a range of pids around ours: any of
    // them being followed would overwrite the victim.
    let pid = std::process::id();
    for p in pid..pid + 200 {
        symlink(&victim, dir.path(&format!(".y.npy.{p}.tmp"))).expect("plant");
    }
    // An output path that is itself a link is replaced, not written through.
    symlink(&victim, dir.path("y.npy")).expect("plant");
    dir.kjit(&["run", "copy.kern", "x=[1,2]", "-o", "y=y.npy", "--force"])
        .expect(0);
    assert_eq!(fs::read_to_string(&victim).expect("read"), "precious");
    assert!(!dir
        .path("y.npy")
        .symlink_metadata()
        .expect("y")
        .file_type()
        .is_symlink());
    assert_eq!(
        read_npy(&dir.path("y.npy")).data,
        ArrayData::F32(vec![1.0, 2.0])
    );
}

/// An output big enough that writing it takes a while: the signal lands
/// while the temporary exists.
fn spawn_big_write(dir: &Dir) -> Child {
    dir.write("copy.kern", COPY);
    dir.spawn(&[
        "run",
        "copy.kern",
        "x=fill(1)",
        "n=150000000",
        "-o",
        "y=y.npy",
        "--force",
    ])
}

/// Waits until kjit's temporary shows up with data in it (the empty probe
/// of the directory before the run does not count); false if the run ended
/// first.
fn temporary_appears(dir: &Dir, child: &mut Child) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let writing = dir.hidden_files().iter().any(|n| {
            n.starts_with(".kjit-") && fs::metadata(dir.path(n)).is_ok_and(|m| m.len() > 0)
        });
        if writing {
            return true;
        }
        if child.try_wait().expect("wait").is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    false
}

#[test]
fn interrupted_writes_leave_no_temporary() {
    let mut caught = 0;
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGINT, libc::SIGTERM] {
        let dir = Dir::new();
        let mut child = spawn_big_write(&dir);
        if !temporary_appears(&dir, &mut child) {
            continue;
        }
        // SAFETY: sending a signal to our own child.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        let status = wait_at_most(child, Duration::from_secs(60));
        assert!(
            status.signal() == Some(signal) || status.success(),
            "{status:?}"
        );
        assert_eq!(dir.hidden_files(), Vec::<String>::new(), "signal {signal}");
        caught += usize::from(status.signal() == Some(signal));
    }
    assert!(caught > 0, "no signal landed during a write");
}

#[test]
fn a_killed_writers_temporary_is_removed_by_the_next_write() {
    let dir = Dir::new();
    let mut child = spawn_big_write(&dir);
    assert!(
        temporary_appears(&dir, &mut child),
        "the write ended too soon"
    );
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    let left = dir.hidden_files();
    assert_eq!(left.len(), 1, "{left:?}");
    // Lookalikes that are not a dead kjit's temporaries stay.
    let keep = [
        ".kjit-1-abcdefgh.tmp.bak",
        ".kjit-x-abcdefgh.tmp",
        ".notes.tmp",
    ];
    for name in keep {
        dir.write(name, "mine");
    }
    let live = format!(".kjit-{}-abcdefgh.tmp", std::process::id());
    dir.write(&live, "a live process's");
    dir.kjit(&["run", "copy.kern", "x=[1]", "-o", "y=z.npy"])
        .expect(0);
    let mut expected: Vec<String> = keep.iter().map(|s| s.to_string()).collect();
    expected.push(live);
    expected.sort();
    assert_eq!(dir.hidden_files(), expected);
}

#[test]
fn unwritable_outputs_are_refused_before_the_run() {
    let dir = Dir::new();
    dir.write("copy.kern", COPY);
    fs::create_dir(dir.path("out.npy")).expect("mkdir");
    let long = format!("{}.npy", "a".repeat(252));
    let fits = format!("{}.npy", "b".repeat(251));
    let cases: &[(&str, &str)] = &[
        ("y=out.npy", "`out.npy` exists and is not a regular file"),
        (
            &format!("y={long}"),
            "is 256 bytes; its file system allows 255",
        ),
        // Read-only even for root.
        (
            "y=/proc/y.npy",
            "cannot create a file next to `/proc/y.npy`",
        ),
    ];
    for (request, message) in cases {
        dir.kjit(&[
            "run",
            "copy.kern",
            "x=iota",
            "n=10",
            "-o",
            request,
            "--force",
        ])
        .expect(3)
        .stderr_has(message);
    }
    dir.kjit(&[
        "run",
        "copy.kern",
        "x=iota",
        "n=10",
        "-o",
        &format!("y={fits}"),
    ])
    .expect(0);
    assert!(dir.path(&fits).is_file());
}

// ----- hangs and blow-ups -----

#[test]
fn a_line_of_punctuation_gives_bounded_diagnostics() {
    let dir = Dir::new();
    // Every pattern on one 28 KB line; each used to print the line once per
    // error.
    let mut handled = 0;
    for pattern in ["@", "$#", ". ", "1. ", ")", "(", "{", "+ ", "x y ", "[1,"] {
        dir.write("p.kern", pattern.repeat(28_000 / pattern.len()));
        let out = dir.kjit(&["check", "p.kern"]);
        out.expect(1);
        assert!(
            out.stderr.len() < 64 * 1024,
            "{pattern:?}: {} bytes",
            out.stderr.len()
        );
        let frames = out.stderr.matches("┌─").count();
        assert!(frames <= 50, "{pattern:?}: {frames} frames");
        handled += 1;
    }
    assert_eq!(handled, 10);
    // More than 50 errors: the rest are counted, not shown.
    dir.write("many.kern", "fn f() -> i32 { 1. }\n".repeat(80));
    dir.kjit(&["check", "many.kern"])
        .expect(1)
        .stderr_has("... and ")
        .stderr_has("more errors (not shown)");
}

#[test]
fn thread_counts_are_bounded() {
    let dir = Dir::new();
    dir.write("copy.kern", COPY);
    dir.kjit(&["run", "copy.kern", "x=[1]", "--threads", "10000"])
        .expect(2)
        .stderr_has("--threads: 10000 threads asked for; at most 1024 are allowed");
    dir.kjit(&["run", "copy.kern", "x=[1]", "--threads", "1024"])
        .expect(0);
}

// ----- unclear errors -----

#[test]
fn inputs_and_sources_that_are_not_what_they_seem() {
    let dir = Dir::new();
    dir.write("copy.kern", COPY);
    // A 2-D file of shape (0, 2^63): no data, but a size no i64 holds.
    let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 9223372036854775808), }";
    let mut header = format!("{dict:<117}\n").into_bytes();
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.append(&mut header);
    dir.write("wide.npy", bytes);
    dir.write(
        "two.kern",
        "kernel k(x: f32[r, c]) -> (y: f32[r, c]) {\n    foreach (i, j) in (r, c) { y[i, j] = x[i, j]; }\n}\n",
    );
    for engine in ["jit", "reference"] {
        dir.kjit(&["run", "two.kern", "x=wide.npy", "--engine", engine])
            .expect(3)
            .stderr_has("size `c`: `x` has 9223372036854775808 along dimension 1, more than the largest size");
    }
    // A byte order mark is not an unknown character.
    let mut bom = "\u{feff}".as_bytes().to_vec();
    bom.extend_from_slice(COPY.as_bytes());
    dir.write("bom.kern", bom);
    dir.kjit(&["run", "bom.kern", "x=[1]"]).expect(0);
    // Invalid UTF-8 is named by position.
    let mut bad = b"kernel k(x: f32[n]) -> (y: f32[n]) {\n  foreach i in n { ".to_vec();
    bad.extend_from_slice(b"\xff y[i] = x[i]; }\n}\n");
    dir.write("bad.kern", bad);
    dir.kjit(&["check", "bad.kern"])
        .expect(3)
        .stderr_has("it is not UTF-8: byte 56 (line 2, column 20) is 0xff");
    fs::create_dir(dir.path("d.kern")).expect("mkdir");
    dir.kjit(&["check", "d.kern"])
        .expect(3)
        .stderr_has("it is a directory");
}

#[test]
fn an_empty_domain_reports_zero_elements() {
    let dir = Dir::new();
    dir.write("copy.kern", COPY);
    dir.kjit(&["run", "copy.kern", "x=iota", "n=0"])
        .expect(0)
        .stdout_has("0 elements in the largest domain: nothing to run");
    dir.kjit(&["run", "copy.kern", "x=iota", "n=1"])
        .expect(0)
        .stdout_has("1 element in the largest domain");
}

// ----- the first hour -----

#[test]
fn default_sizes_yield_to_the_users_arrays_and_conflicts_say_where() {
    let dir = Dir::new();
    dir.write(
        "d.kern",
        "// default: n=1000000 x=uniform(0,1)\n// default: y=[1, 2, 3]\n\
         kernel k(x: f32[n], y: f32[n]) -> (s: f32) {\n    s = sum over i in n { x[i] + y[i] };\n}\n",
    );
    // The user's arrays fix n; the default n=1000000 steps aside.
    dir.kjit(&["run", "d.kern", "x=[1,2,3,4,5]", "y=fill(1)"])
        .expect(0)
        .stdout_has("with n = 5")
        .stdout_has("s: f32 = 20.0");
    // A generator fixes nothing, so the default n still applies to it, and
    // then meets the default y.
    dir.kjit(&["run", "d.kern", "x=iota"]).expect(3).stderr_has(
        "size `n` is given as 1000000 (by the `// default:` line 1), \
         but `y` (by the `// default:` line 2) has 3 along dimension 0",
    );
    dir.kjit(&["run", "d.kern", "n=4", "x=iota"])
        .expect(3)
        .stderr_has(
        "size `n` is given as 4 (on the command line), but `y` (by the `// default:` line 2) has 3",
    );
}
