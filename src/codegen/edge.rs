//! The out-of-line slow path of contiguous loads: a gang whose lanes
//! straddle an array's edge (a stencil tap at the border, a tail gang).
//! It is rare at run time, so it lives here once, in Rust, instead of as
//! ~80 inline instructions at every load: smaller code, faster compiles,
//! fewer registers tied up around hot loops.

use crate::abi::GANG;

/// Loads lanes `col0 .. col0 + GANG` of row `row` into `out`, for the lanes
/// whose `mask` entry is non-zero (the others get zero bytes). Returns 1 and
/// writes the first active lane's out-of-range index to `bad` (`[row, col]`
/// for 2-D, `[col, 0]` for 1-D) if any active lane is outside the array;
/// nothing is read then.
///
/// # Safety
/// `ptr` points at `rows * cols` elements of `elem_size` bytes (the
/// runtime's array descriptor guarantees it); `mask` at `GANG` i32; `out` at
/// `GANG * elem_size` writable bytes; `bad` at two writable i64. Codegen
/// passes stack slots of exactly these sizes.
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn edge_load(
    ptr: *const u8,
    elem_size: u64,
    rank: u64,
    rows: i64,
    cols: i64,
    row: i64,
    col0: i64,
    mask: *const i32,
    out: *mut u8,
    bad: *mut i64,
) -> u32 {
    let size = elem_size as usize;
    for lane in 0..GANG {
        let col = col0 + lane as i64;
        // SAFETY: `lane < GANG` and `out` holds `GANG * size` bytes.
        let dst = unsafe { out.add(lane * size) };
        // SAFETY: `mask` holds `GANG` entries.
        if unsafe { *mask.add(lane) } == 0 {
            unsafe { std::ptr::write_bytes(dst, 0, size) };
            continue;
        }
        if !(0..rows).contains(&row) || !(0..cols).contains(&col) {
            let index = if rank == 2 { [row, col] } else { [col, 0] };
            // SAFETY: `bad` holds two i64.
            unsafe { std::ptr::copy_nonoverlapping(index.as_ptr(), bad, 2) };
            return 1;
        }
        // SAFETY: `0 <= row < rows` and `0 <= col < cols` were just checked,
        // so the element lies inside the array.
        unsafe {
            let src = ptr.add((row * cols + col) as usize * size);
            std::ptr::copy_nonoverlapping(src, dst, size);
        }
    }
    0
}
