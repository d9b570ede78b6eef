//! The allocator the `riposte` binary runs on, here in the library so that what measures it
//! (the speed benchmark's floor, `examples/floor.rs`) runs on the same one: a floor on
//! glibc's malloc spent half its instructions in malloc and free, and made riposte look
//! closer to it than it is (issue 7). A program opts in with
//! `#[global_allocator] static A: riposte::alloc::Mimalloc = riposte::alloc::Mimalloc;`
//! and calls [`lean_memory`] first thing.

/// mimalloc, asked the way std asks the system allocator: plain `mi_malloc` where its own
/// alignment is enough. The `mimalloc` crate's allocator calls `mi_malloc_aligned` for
/// every request, whose checks cost a `pair` run about 2 % of its instructions on ~1,900
/// allocations per article (issue 7).
pub struct Mimalloc;

/// What `mi_malloc` guarantees, as C's `malloc` does: blocks aligned to 16 bytes, or to
/// their size below that (MI_MAX_ALIGN_SIZE in `mimalloc.h`; the same rule std's `System`
/// allocator applies).
const MI_MIN_ALIGN: usize = 16;

fn plain(align: usize, size: usize) -> bool {
    align <= MI_MIN_ALIGN && align <= size
}

// SAFETY: each call passes mimalloc a layout it can serve (plain calls only where its
// guaranteed alignment covers the layout's), and frees only pointers it gave out.
unsafe impl std::alloc::GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        if plain(layout.align(), layout.size()) {
            libmimalloc_sys::mi_malloc(layout.size()) as *mut u8
        } else {
            libmimalloc_sys::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
        }
    }
    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        if plain(layout.align(), layout.size()) {
            libmimalloc_sys::mi_zalloc(layout.size()) as *mut u8
        } else {
            libmimalloc_sys::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
        }
    }
    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        libmimalloc_sys::mi_free(ptr as *mut std::ffi::c_void)
    }
    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new: usize) -> *mut u8 {
        let p = ptr as *mut std::ffi::c_void;
        if plain(layout.align(), new) {
            libmimalloc_sys::mi_realloc(p, new) as *mut u8
        } else {
            libmimalloc_sys::mi_realloc_aligned(p, new, layout.align()) as *mut u8
        }
    }
}

/// Keeps the resident memory close to the live data without paying for it at every free.
/// Two settings:
/// - mimalloc returns freed pages after 25 ms instead of its default delay (10 ms in its
///   v2, which `Cargo.toml` asks `libmimalloc-sys` for; 1 s in v3). Both `pair` runs stream
///   their report through buffers freed as fast as they fill, and with v3's default delay
///   the freed pages stayed resident (`bench/scale.sh`, 20k × 20k units: 88 MiB; the
///   10k-article batch: 62–70 MiB).
///   Returning them at once (delay 0) kept those at 49 and 26 MiB, but each return is an
///   `madvise` that flushes the other core's TLB and is paid again as a page fault when the
///   page is reused: about 2,900 calls and a tenth of the CPU time of a 10k-article run.
///   At 25 ms a page freed and taken again within a batch stays, and the returns come in
///   bulk: 680 calls, CPU time (user + sys) −7 % on the 10k batch and −29 % on the scale
///   run, for 33–36 and 57 MiB peak under v3, still flat in the number of articles (issue
///   7). Under v2 (session 10) the 10k batch peaks at 28–38 MiB and the scale run at 62;
///   a delay of 5 or 10 ms measured the same as 25, and 0 trades speed for memory as it did
///   under v3 (see `Cargo.toml` for what v2 costs in memory). The
///   option's number is `mi_option_purge_delay` in `mimalloc.h` (15 in its v2 and v3
///   enums); it is set only where that option still reads one of those defaults, so another
///   numbering, or a `MIMALLOC_PURGE_DELAY` the user set, is left alone.
/// - No transparent huge pages: mimalloc asks for them on its arenas, and every 2 MiB page
///   touched for a few small allocations was wholly resident (and zeroed).
pub fn lean_memory() {
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    const DEFAULTS_MS: [std::os::raw::c_long; 2] = [1000, 10];
    const PURGE_DELAY_MS: std::os::raw::c_long = 25;
    // SAFETY: both calls only read or write mimalloc's option table, which is valid for the
    // whole run and takes any option number below `_mi_option_last`.
    unsafe {
        if DEFAULTS_MS.contains(&libmimalloc_sys::mi_option_get(PURGE_DELAY)) {
            libmimalloc_sys::mi_option_set(PURGE_DELAY, PURGE_DELAY_MS);
        }
    }
    // SAFETY: a process-wide flag with no pointers passed; failure (an old kernel) only
    // leaves huge pages on.
    #[cfg(target_os = "linux")]
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::{GlobalAlloc, Layout};

    /// Every size and alignment comes back aligned, zeroed when asked, and keeps its bytes
    /// through growing and shrinking, whichever way (`mi_malloc` or `mi_malloc_aligned`)
    /// served it.
    #[test]
    fn every_layout_is_served_aligned_and_kept_through_realloc() {
        let a = Mimalloc;
        for align in [1usize, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1usize, 2, 3, 7, 8, 9, 15, 16, 17, 31, 64, 100, 1000, 70_000] {
                let layout = Layout::from_size_align(size, align).unwrap();
                let aligned = |p: *mut u8| !p.is_null() && p as usize % align == 0;
                // SAFETY: non-zero sizes; each block is used within its size and freed once
                // with the layout it last had.
                unsafe {
                    let z = a.alloc_zeroed(layout);
                    assert!(aligned(z), "zeroed {size} {align}");
                    assert!(std::slice::from_raw_parts(z, size).iter().all(|&b| b == 0));
                    a.dealloc(z, layout);
                    let p = a.alloc(layout);
                    assert!(aligned(p), "{size} {align}");
                    for i in 0..size {
                        *p.add(i) = i as u8;
                    }
                    let big = a.realloc(p, layout, size * 3);
                    assert!(aligned(big), "{size} grown {align}");
                    let small = a.realloc(
                        big,
                        Layout::from_size_align(size * 3, align).unwrap(),
                        size.div_ceil(2),
                    );
                    assert!(aligned(small), "{size} shrunk {align}");
                    for i in 0..size.div_ceil(2) {
                        assert_eq!(*small.add(i), i as u8, "{size} {align} byte {i}");
                    }
                    a.dealloc(
                        small,
                        Layout::from_size_align(size.div_ceil(2), align).unwrap(),
                    );
                }
            }
        }
    }
}
