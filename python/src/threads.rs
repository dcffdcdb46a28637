//! How many threads run a call: `threads=` of the call, else of the
//! program, else `KJIT_NUM_THREADS`, else rayon's global pool (one thread
//! per core). Pools of a given size are shared by every program of the
//! process, so a thousand programs asking for 4 threads start 4, not 4000.

use crate::errors::argument_error;
use kjit::api::Pool;
use kjit::options::MAX_THREADS;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The environment variable giving the default thread count.
const ENV: &str = "KJIT_NUM_THREADS";

/// Pools kept alive at once; past this, the oldest is dropped (its threads
/// end once the calls still running on it finish: each holds an `Arc`).
const CACHED_POOLS: usize = 8;

/// `threads=` as given: an int in `1..=MAX_THREADS`.
pub(crate) fn validate(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
    let n = obj.extract::<i64>().ok().filter(|&n| n >= 1);
    match n.and_then(|n| usize::try_from(n).ok()) {
        Some(n) if n <= MAX_THREADS => Ok(n),
        _ => Err(argument_error(
            obj.py(),
            format!(
                "threads: expected an int from 1 to {MAX_THREADS}, got {}",
                obj.repr().map_or_else(|_| "?".into(), |r| r.to_string())
            ),
            Some("threads"),
        )),
    }
}

/// The thread count of a program: `threads` if given, else
/// `KJIT_NUM_THREADS` if set (an invalid value is an error, not ignored),
/// else `None`: rayon's global pool.
pub(crate) fn program_threads(threads: Option<&Bound<'_, PyAny>>) -> PyResult<Option<usize>> {
    if let Some(obj) = threads.filter(|t| !t.is_none()) {
        return validate(obj).map(Some);
    }
    let Ok(text) = std::env::var(ENV) else {
        return Ok(None);
    };
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(Some(n)),
        _ => Err(PyValueError::new_err(format!(
            "{ENV}={text:?}: expected an int from 1 to {MAX_THREADS}"
        ))),
    }
}

/// A pool to run a call on: a static one, or a shared sized one.
pub(crate) enum Threads {
    Static(&'static Pool),
    Sized(Arc<Pool>),
}

impl std::ops::Deref for Threads {
    type Target = Pool;
    fn deref(&self) -> &Pool {
        match self {
            Threads::Static(pool) => pool,
            Threads::Sized(pool) => pool,
        }
    }
}

/// The pool that runs `n` threads (`None`: rayon's global pool). One
/// thread means the calling thread: no hand-over to a worker, and
/// concurrent single-threaded calls (dask tasks) do not queue behind one.
///
/// In a process forked after pools started (`multiprocessing`'s default
/// start method on Linux before Python 3.14), their threads do not exist:
/// a call on them would wait forever. There, every pool is built anew,
/// and rayon's global pool is replaced by one of the same size.
pub(crate) fn pool(n: Option<usize>) -> PyResult<Threads> {
    static GLOBAL: Pool = Pool::Global;
    static CALLING_THREAD: Pool = Pool::CallingThread;
    let forked = FORKS.load(Ordering::Relaxed) > 0;
    match n {
        Some(1) => Ok(Threads::Static(&CALLING_THREAD)),
        None if !forked => Ok(Threads::Static(&GLOBAL)),
        None => sized(cores()).map(Threads::Sized),
        Some(n) => sized(n).map(Threads::Sized),
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// How many times this process is a forked child of one that loaded kjit.
static FORKS: AtomicU64 = AtomicU64::new(0);

extern "C" fn after_fork_in_child() {
    // Async-signal-safe: one atomic increment.
    FORKS.fetch_add(1, Ordering::Relaxed);
}

/// Counts forks from now on (called once, when the module loads).
pub(crate) fn watch_forks() {
    // SAFETY: registers a child handler that only touches an atomic; the
    // handler is a plain function that lives as long as the process.
    unsafe { libc::pthread_atfork(None, None, Some(after_fork_in_child)) };
}

/// The sized pools of this process, and the fork count they were built at.
struct Sized {
    forks: u64,
    pools: Vec<(usize, Arc<Pool>)>,
}

fn sized(n: usize) -> PyResult<Arc<Pool>> {
    static SIZED: Mutex<Sized> = Mutex::new(Sized {
        forks: 0,
        pools: Vec::new(),
    });
    // A poisoned lock only means another thread panicked while holding it;
    // the list inside is still whole.
    let mut cache = SIZED.lock().unwrap_or_else(|e| e.into_inner());
    let forks = FORKS.load(Ordering::Relaxed);
    if cache.forks != forks {
        // Built before a fork: their threads are the parent's. Dropping one
        // would try to stop them, so they are leaked instead.
        std::mem::forget(std::mem::take(&mut cache.pools));
        cache.forks = forks;
    }
    if let Some((_, pool)) = cache.pools.iter().find(|(size, _)| *size == n) {
        return Ok(pool.clone());
    }
    let pool = Pool::new(Some(n))
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start {n} kjit threads: {e}")))?;
    let pool = Arc::new(pool);
    if cache.pools.len() == CACHED_POOLS {
        cache.pools.remove(0);
    }
    cache.pools.push((n, pool.clone()));
    Ok(pool)
}
