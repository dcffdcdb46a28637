//! Writing a `.npy` file: streamed, atomic, and safe against planted links.
//!
//! The header and then the data go through a buffer into a temporary file
//! in the target's directory, which is renamed over the target once it is
//! complete and synced; an output is never held a second time in memory as
//! file bytes, and a failed write never leaves a half-written file under
//! the final name.
//!
//! The temporary is created with `O_CREAT | O_EXCL` (tempfile), which never
//! follows a symbolic link and never opens a file someone else made, under
//! an unpredictable name: `.kjit-PID-XXXXXXXX.tmp`. A temporary is removed
//! when the write fails, when the process gets SIGINT or SIGTERM (see
//! [`super::cleanup`]), and — after SIGKILL or a power cut, which nothing can
//! catch — by the next write into the same directory, which removes the
//! temporaries of dead kjit processes ([`remove_stale`]).

use super::cleanup;
use super::header::header_text;
use super::{NpyError, MAGIC};
use crate::value::{Array, ArrayData, Value};
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// The name of a temporary starts with this and ends with [`SUFFIX`].
const PREFIX: &str = ".kjit-";
const SUFFIX: &str = ".tmp";
/// Random characters in a temporary's name (after `PID-`).
const RANDOM: usize = 8;

/// Writes `value` as a version 1.0 `.npy` file (a scalar as a 0-d array),
/// replacing `path` only once the whole file is on disk.
pub fn write(path: &Path, value: &Value) -> Result<(), NpyError> {
    let scalar;
    let array = match value {
        Value::Array(array) => array,
        Value::Scalar(s) => {
            scalar = super::scalar_array(*s);
            &scalar
        }
    };
    let dir = directory_of(path);
    remove_stale(dir);
    let (temp, _registered) =
        create_temporary(dir).map_err(NpyError::io(path, "create a temporary file for"))?;
    let file = temp.as_file();
    let mut out = BufWriter::with_capacity(1 << 20, file);
    stream(&mut out, array)
        .and_then(|()| out.flush())
        .and_then(|()| file.sync_all())
        .map_err(NpyError::io(path, "write"))?;
    drop(out);
    // On failure `persist` hands the temporary back; dropping it removes it.
    temp.persist(path)
        .map(drop)
        .map_err(|e| NpyError::io(path, "replace")(e.error))
}

/// Checks that a temporary can be created in `path`'s directory (so a run
/// is not wasted on a read-only directory), and removes it again.
pub fn check_writable(path: &Path) -> Result<(), NpyError> {
    create_temporary(directory_of(path))
        .map(drop)
        .map_err(NpyError::io(path, "create a file next to"))
}

fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// A new temporary in `dir`, registered for removal on a signal.
fn create_temporary(dir: &Path) -> io::Result<(tempfile::NamedTempFile, cleanup::Registered)> {
    cleanup::create_registered(|| new_temporary(dir), |t| t.path())
}

fn new_temporary(dir: &Path) -> io::Result<tempfile::NamedTempFile> {
    use std::os::unix::fs::PermissionsExt;
    tempfile::Builder::new()
        .prefix(&format!("{PREFIX}{}-", std::process::id()))
        .suffix(SUFFIX)
        .rand_bytes(RANDOM)
        // What `File::create` would give (the umask applies), not tempfile's
        // private 0600: the temporary becomes the user's output file.
        .permissions(fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
        // tempfile appends the temporary's name to the message; the caller
        // names the output, which is what the user knows.
        .map_err(|e| e.raw_os_error().map_or(e, io::Error::from_raw_os_error))
}

fn stream(out: &mut impl Write, array: &Array) -> io::Result<()> {
    let header = header_text(array.elem(), &array.shape);
    out.write_all(MAGIC)?;
    out.write_all(&[1, 0])?;
    // A header for at most two dimensions is far below 64 KiB, the limit of
    // version 1.0's u16 length.
    out.write_all(&(header.len() as u16).to_le_bytes())?;
    out.write_all(header.as_bytes())?;
    match &array.data {
        ArrayData::Bool(v) => words(out, v, |b| [u8::from(b)]),
        ArrayData::I8(v) => words(out, v, i8::to_le_bytes),
        ArrayData::I16(v) => words(out, v, i16::to_le_bytes),
        ArrayData::I32(v) => words(out, v, i32::to_le_bytes),
        ArrayData::U8(v) => words(out, v, u8::to_le_bytes),
        ArrayData::U16(v) => words(out, v, u16::to_le_bytes),
        ArrayData::U32(v) => words(out, v, u32::to_le_bytes),
        ArrayData::U64(v) => words(out, v, u64::to_le_bytes),
        ArrayData::I64(v) => words(out, v, i64::to_le_bytes),
        ArrayData::F32(v) => words(out, v, f32::to_le_bytes),
        ArrayData::F64(v) => words(out, v, f64::to_le_bytes),
    }
}

/// Encodes `values` a block at a time into a small buffer of its own, so
/// the writer sees large writes.
fn words<T: Copy, const N: usize>(
    out: &mut impl Write,
    values: &[T],
    to_le: fn(T) -> [u8; N],
) -> io::Result<()> {
    let mut buffer = Vec::with_capacity(8192 * N);
    for block in values.chunks(8192) {
        buffer.clear();
        buffer.extend(block.iter().flat_map(|&x| to_le(x)));
        out.write_all(&buffer)?;
    }
    Ok(())
}

/// Removes the temporaries that killed kjit processes left in `dir`.
///
/// Only files that are certainly kjit's own leftovers go: a regular file
/// (not a link), owned by this user, whose name matches the temporary
/// pattern exactly, and whose process is gone (`kill(pid, 0)` fails with
/// ESRCH). A live process with that pid — the writer itself, or a recycled
/// pid — keeps its files. Everything here is best effort: a directory that
/// cannot be listed only means nothing is cleaned.
pub fn remove_stale(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(temporary_pid) else {
            continue;
        };
        if is_own_regular_file(&entry) && process_is_gone(pid) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The pid in a temporary's name, if `name` is exactly
/// `.kjit-PID-XXXXXXXX.tmp` (PID decimal, X alphanumeric).
pub fn temporary_pid(name: &str) -> Option<u32> {
    let middle = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    let (pid, random) = middle.split_once('-')?;
    let digits = !pid.is_empty() && pid.len() <= 10 && pid.bytes().all(|b| b.is_ascii_digit());
    let random_ok = random.len() == RANDOM && random.bytes().all(|b| b.is_ascii_alphanumeric());
    if !(digits && random_ok) || pid.starts_with('0') {
        return None;
    }
    pid.parse().ok()
}

fn is_own_regular_file(entry: &fs::DirEntry) -> bool {
    use std::os::unix::fs::MetadataExt;
    // `DirEntry::metadata` does not follow symbolic links.
    entry
        .metadata()
        // SAFETY: `getuid` has no preconditions and cannot fail.
        .is_ok_and(|m| m.file_type().is_file() && m.uid() == unsafe { libc::getuid() })
}

fn process_is_gone(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 || pid as u32 == std::process::id() {
        return false;
    }
    // SAFETY: signal 0 only checks whether `pid` exists; nothing is sent.
    let result = unsafe { libc::kill(pid, 0) };
    result == -1 && io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
}

#[cfg(test)]
mod tests {
    use super::temporary_pid;

    #[test]
    fn only_exact_temporary_names_match() {
        let cases = [
            (".kjit-123-aB3dE6gH.tmp", Some(123)),
            (".kjit-4194304-00000000.tmp", Some(4194304)),
            (".kjit-123-aB3dE6g.tmp", None),
            (".kjit-123-aB3dE6gHi.tmp", None),
            (".kjit-123-aB3d_6gH.tmp", None),
            (".kjit--aB3dE6gH.tmp", None),
            (".kjit-0123-aB3dE6gH.tmp", None),
            (".kjit-12a-aB3dE6gH.tmp", None),
            ("kjit-123-aB3dE6gH.tmp", None),
            (".kjit-123-aB3dE6gH.tmp.npy", None),
            (".out.npy.123.tmp", None),
            (".kjit-99999999999-aB3dE6gH.tmp", None),
        ];
        for (name, pid) in cases {
            assert_eq!(temporary_pid(name), pid, "{name}");
        }
    }
}
