//! Large buffers in 2 MiB pages. Linux's transparent huge pages are, by
//! Debian's default (`madvise`), given only to memory that asks; numpy
//! asks for arrays of 4 MiB and more, a Rust `Vec` never does. A streaming
//! kernel over 4 KiB pages takes a TLB miss every 4 KiB and a page fault
//! per page on first touch: filling a fresh 200 MB output was 3× slower
//! here (`../shared/research/next-wave.md`). kjit's own large buffers ask
//! as numpy does, so a kernel's outputs cost the same from Rust and Python.

/// Buffers at least this large ask for huge pages (numpy's threshold).
pub const HUGE_PAGES_FROM: usize = 4 << 20;

/// Asks Linux to back `bytes` bytes at `ptr` with huge pages where it can;
/// a hint only, with no effect on the contents, ignored elsewhere and for
/// smaller buffers. Best called before the memory is first written.
pub fn advise_huge_pages(ptr: *const u8, bytes: usize) {
    if bytes < HUGE_PAGES_FROM || ptr.is_null() {
        return;
    }
    advise(ptr, bytes);
}

#[cfg(target_os = "linux")]
fn advise(ptr: *const u8, bytes: usize) {
    const PAGE: usize = 4096;
    let start = (ptr as usize).next_multiple_of(PAGE);
    let end = (ptr as usize + bytes) & !(PAGE - 1);
    if end <= start {
        return;
    }
    // SAFETY: the range lies inside memory the caller owns (rounded inward
    // to whole pages), and MADV_HUGEPAGE changes no byte of it. The result
    // is ignored: without huge pages the memory works as before.
    unsafe {
        libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
    }
}

#[cfg(not(target_os = "linux"))]
fn advise(_ptr: *const u8, _bytes: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hint keeps every byte, in buffers around the threshold.
    #[test]
    fn advice_keeps_contents() {
        for len in [0, 1, HUGE_PAGES_FROM - 1, HUGE_PAGES_FROM + 4097] {
            let mut v: Vec<u8> = Vec::with_capacity(len);
            advise_huge_pages(v.as_ptr(), len);
            v.extend((0..len).map(|i| (i % 251) as u8));
            assert!(v.iter().enumerate().all(|(i, &x)| x == (i % 251) as u8));
        }
    }
}
