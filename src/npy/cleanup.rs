//! Removing output temporaries when the process is interrupted.
//!
//! A writer registers its temporary's path for as long as the file exists;
//! [`remove_on_signal`] (the `kjit` binary calls it; a library never
//! installs signal handlers behind its user's back) installs a SIGINT and
//! SIGTERM handler that unlinks every registered path and then dies of the
//! signal as it would have, so the exit status still says what happened.
//!
//! The handler may only do async-signal-safe things: it reads a fixed table
//! of atomic pointers to C strings and calls `unlink`, `signal` and `raise`.
//! It never allocates or locks. A path's string is never freed once
//! registered (a few dozen bytes per `-o` file): the handler may be reading
//! it at any moment, and freeing it would race with that read.

use std::ffi::{c_char, c_int, CString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::ptr::null_mut;
use std::sync::atomic::{AtomicPtr, Ordering};

/// Temporaries registered at once; a run writes one at a time, so this is
/// plenty. A path that finds no slot is simply not removed on a signal
/// (the next run's stale sweep removes it).
const SLOTS: usize = 64;

static PATHS: [AtomicPtr<c_char>; SLOTS] = [const { AtomicPtr::new(null_mut()) }; SLOTS];

/// A registration; dropping it unregisters the path.
pub struct Registered(Option<usize>);

impl Drop for Registered {
    fn drop(&mut self) {
        if let Some(slot) = self.0 {
            // Leaked on purpose: see the module comment.
            PATHS[slot].store(null_mut(), Ordering::SeqCst);
        }
    }
}

/// Registers `path` for removal on SIGINT or SIGTERM.
fn register(path: &Path) -> Registered {
    let Ok(c_path) = CString::new(path.as_os_str().as_bytes()) else {
        return Registered(None);
    };
    let raw = c_path.into_raw();
    for (slot, entry) in PATHS.iter().enumerate() {
        let free = entry.compare_exchange(null_mut(), raw, Ordering::SeqCst, Ordering::SeqCst);
        if free.is_ok() {
            return Registered(Some(slot));
        }
    }
    // SAFETY: `raw` came from `into_raw` above and was never shared.
    drop(unsafe { CString::from_raw(raw) });
    Registered(None)
}

/// Runs `create`, which makes the file at the path it returns, and
/// registers that path, with SIGINT and SIGTERM held back on this thread in
/// between: a signal that arrives meanwhile is delivered once the path is
/// registered. (A signal that another thread of the process takes in that
/// window of microseconds can still miss the file; the next write's sweep
/// of stale temporaries removes it.)
pub fn create_registered<T, E>(
    create: impl FnOnce() -> Result<T, E>,
    path_of: impl Fn(&T) -> &Path,
) -> Result<(T, Registered), E> {
    // SAFETY: sigset operations on a local, zeroed set; pthread_sigmask with
    // valid pointers only changes this thread's mask, restored below.
    let old = unsafe {
        let mut block: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut block);
        libc::sigaddset(&mut block, libc::SIGINT);
        libc::sigaddset(&mut block, libc::SIGTERM);
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_BLOCK, &block, &mut old);
        old
    };
    let result = create().map(|made| {
        let registered = register(path_of(&made));
        (made, registered)
    });
    // SAFETY: restores the mask saved above.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut()) };
    result
}

/// Installs the SIGINT and SIGTERM handler, leaving a signal that is
/// ignored (as `nohup` or a shell's background job sets it up) ignored.
pub fn remove_on_signal() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: `sigaction` with a zeroed struct, a handler that is an
        // `extern "C" fn(c_int)` doing only async-signal-safe work, and
        // valid pointers to local structs.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, std::ptr::null(), &mut old) != 0
                || old.sa_sigaction == libc::SIG_IGN
            {
                continue;
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESETHAND;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

extern "C" fn on_signal(signal: c_int) {
    for entry in &PATHS {
        let path = entry.load(Ordering::SeqCst);
        if !path.is_null() {
            // SAFETY: a registered pointer is a NUL-terminated string that is
            // never freed; unlink is async-signal-safe.
            unsafe { libc::unlink(path) };
        }
    }
    // SA_RESETHAND restored the default action: die of the signal.
    // SAFETY: both are async-signal-safe.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}
