//! A global allocator that counts the bytes asked for on the threads that ask it to, for
//! the complexity tests: bytes stand for the work where the quadratic version spent its
//! time filling arrays. A test file installs it with
//! `#[global_allocator] static ALLOCATOR: Counting = Counting;`. Beside it, the parts of
//! the models those tests grow: one resource in each of n subscriptions.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counting the bytes asked for on a thread while it counts.
pub struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static BYTES: Cell<u64> = const { Cell::new(0) };
}

fn note(bytes: usize) {
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        let _ = BYTES.try_with(|b| b.set(b.get() + bytes as u64));
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// What `work` returns, with the bytes this thread allocated while it ran.
pub fn bytes_allocated<T>(work: impl FnOnce() -> T) -> (T, u64) {
    BYTES.with(|b| b.set(0));
    COUNTING.with(|c| c.set(true));
    let result = work();
    COUNTING.with(|c| c.set(false));
    (result, BYTES.with(Cell::get))
}

/// `n` resources, resource `s` in subscription `s` (see [`subscriptions_of`]).
pub fn one_resource_each(n: usize) -> securescore::model::Resources {
    (0..n)
        .map(|s| format!("/subscriptions/{s:08}/resourceGroups/rg/providers/x/vm{s}"))
        .collect()
}

/// `n` subscription scopes, keyed and named by their number.
pub fn subscriptions_of(n: usize) -> Vec<securescore::model::Scope> {
    (0..n)
        .map(|s| securescore::model::Scope {
            key: Some(format!("{s:08}")),
            id: Some(format!("{s:08}")),
            name: None,
            management_groups: Vec::new(),
            count_level: false,
        })
        .collect()
}
