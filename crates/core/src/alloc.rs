//! The counting global allocator every binary linking this crate runs on: the system allocator,
//! with each allocation (and each reallocation, counted as one of its new size) added to a
//! counter, so that a report can give allocations and bytes allocated per unit of work.
//!
//! Cheap by design: a thread adds to one of [`SHARDS`] cache-line-sized counters of its own
//! (threads are dealt to them in turn as they first allocate), with relaxed atomic adds that no
//! other thread contends for until there are more threads than shards; no lock, no allocation,
//! and a thread-local read that needs no destructor. A thread can leave its allocations out
//! ([`leave_out_this_thread`]): the sampler does.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Counters the threads are dealt to.
const SHARDS: usize = 64;

#[repr(align(128))]
struct Shard {
    count: AtomicU64,
    bytes: AtomicU64,
}

static COUNTERS: [Shard; SHARDS] = [const {
    Shard {
        count: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
    }
}; SHARDS];

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// This thread's counter, `usize::MAX` before its first allocation or when left out.
const UNDEALT: usize = usize::MAX;
const LEFT_OUT: usize = usize::MAX - 1;

thread_local! {
    static SHARD: Cell<usize> = const { Cell::new(UNDEALT) };
}

/// The system allocator, counted.
pub struct Counting;

fn note(size: usize) {
    // `try_with`: a thread being torn down may allocate after its locals are gone.
    let shard = SHARD
        .try_with(|s| match s.get() {
            UNDEALT => {
                let dealt = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
                s.set(dealt);
                dealt
            }
            dealt => dealt,
        })
        .unwrap_or(0);
    if let Some(c) = COUNTERS.get(shard) {
        c.count.fetch_add(1, Ordering::Relaxed);
        c.bytes.fetch_add(size as u64, Ordering::Relaxed);
    }
}

// SAFETY: every method hands the call to `System` unchanged; counting touches no memory the
// allocation returns.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Allocations and bytes allocated so far by every thread not left out.
pub fn totals() -> (u64, u64) {
    COUNTERS.iter().fold((0, 0), |(n, b), c| {
        (
            n + c.count.load(Ordering::Relaxed),
            b + c.bytes.load(Ordering::Relaxed),
        )
    })
}

/// Leaves the calling thread's allocations out of [`totals`] from now on.
pub fn leave_out_this_thread() {
    SHARD.with(|s| s.set(LEFT_OUT));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_allocation_counts_once_with_its_size_and_a_left_out_thread_not_at_all() {
        // Other tests allocate meanwhile, so only lower bounds hold in this process; a thread
        // left out adds nothing of its own, which the contract tests check exactly.
        let (n0, b0) = totals();
        let held: Vec<Vec<u8>> = (0..100).map(|_| Vec::with_capacity(1000)).collect();
        let (n1, b1) = totals();
        assert!(n1 - n0 >= 101 && b1 - b0 >= 100_000, "{} {}", n1 - n0, b1 - b0);
        drop(std::hint::black_box(held));
        let out = std::thread::spawn(|| {
            leave_out_this_thread();
            SHARD.with(Cell::get)
        })
        .join()
        .unwrap();
        assert_eq!(out, LEFT_OUT);
    }
}
