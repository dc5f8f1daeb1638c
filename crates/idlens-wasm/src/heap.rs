//! The module's heap on wasm32: std's own allocator (dlmalloc), asking the engine for memory in large steps.
//!
//! std's allocator grows linear memory by just what each request needs, a 64 KiB page at a time for small
//! allocations. A 1.7 GB tenant then takes over ten thousand `memory.grow` calls, and in V8 each one costs about a
//! third of a millisecond (the engine replaces the memory's `ArrayBuffer` and accounts for it), several seconds in
//! all. Growing by [`STEP`] at a time takes under two hundred calls for that tenant; the price is at most one step
//! of memory the module has asked for and not used yet. (16 MiB steps were no faster, and left the 100k tenant's
//! peak 8 MB higher.)

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;

/// How much memory the heap asks for at a time (a power of two, as dlmalloc requires).
pub const STEP: usize = 4 << 20;

/// dlmalloc behind a cell. The module has one thread (wasm32-unknown-unknown without atomics), so calls never
/// overlap and no lock is needed.
pub struct Heap(UnsafeCell<dlmalloc::Dlmalloc>);

// SAFETY: this module runs on one thread only (wasm32 built without the atomics feature has no threads), so no
// two calls reach the cell at once.
unsafe impl Sync for Heap {}

impl Heap {
    const fn new() -> Heap {
        let mut inner = dlmalloc::Dlmalloc::new();
        // STEP is a power of two far above the minimum, so it is always accepted.
        let _ = inner.set_granularity(STEP);
        Heap(UnsafeCell::new(inner))
    }
}

// SAFETY: every method forwards to dlmalloc, which upholds GlobalAlloc's contract; the cell is only reached from
// the module's single thread.
unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl; the layout's contract is the caller's.
        unsafe { (*self.0.get()).malloc(layout.size(), layout.align()) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as in `alloc`.
        unsafe { (*self.0.get()).calloc(layout.size(), layout.align()) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this heap with `layout` (the caller's contract).
        unsafe { (*self.0.get()).free(ptr, layout.size(), layout.align()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as in `dealloc`.
        unsafe { (*self.0.get()).realloc(ptr, layout.size(), layout.align(), new_size) }
    }
}

#[global_allocator]
static HEAP: Heap = Heap::new();
