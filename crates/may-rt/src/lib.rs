//! concbench-may: may 0.3's stackful coroutines as the may models (cpu-may, serve-may) use
//! them. may's scheduler is process-wide and configured once, before the first coroutine
//! ([`configure`]); its spawn is `unsafe`, so every coroutine starts here ([`go`]), where the
//! reason it is sound for these models is written once.
#![deny(missing_docs)]

use std::os::fd::{FromRawFd, IntoRawFd};

use anyhow::Context;

/// Each coroutine's stack, in machine words (may counts words): may's default, 32 KiB on a
/// 64-bit machine, of which only the pages a coroutine touches become resident.
pub const STACK_WORDS: usize = 0x1000;

/// A stack of `words` as reports name it, e.g. `stack 32 KiB`.
pub fn stack_name(words: usize) -> String {
    format!("stack {} KiB", words * size_of::<usize>() / 1024)
}

/// Configures may's scheduler: `workers` threads, [`STACK_WORDS`] stacks, and no pinning of its
/// workers to cores (may's default), so that the OS places them as it places every other
/// model's threads.
pub fn configure(workers: usize) {
    may::config()
        .set_workers(workers)
        .set_stack_size(STACK_WORDS)
        .set_worker_pin(false);
}

/// Starts `f` as coroutine `n` on a stack of [`STACK_WORDS`].
pub fn go<F, T>(n: usize, f: F) -> anyhow::Result<may::coroutine::JoinHandle<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    go_on(n, STACK_WORDS, f)
}

/// Starts `f` as coroutine `n` on a stack of `words` (a coroutine that overflows its stack
/// aborts the process: the callers' contract tests run their deepest paths).
#[allow(unsafe_code)]
pub fn go_on<F, T>(n: usize, words: usize, f: F) -> anyhow::Result<may::coroutine::JoinHandle<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    // SAFETY: may's spawn is unsafe because a coroutine may move between threads (so a
    // thread-local it read might be another thread's after a yield) and because its stack is
    // fixed. The closures the models start read no thread-local storage (they touch their own
    // arguments, the heap, process-wide statics and may's own coroutine-aware types), and the
    // models' contract tests run every kernel, scenario, echo and request on their stack sizes.
    unsafe { may::coroutine::Builder::new().stack_size(words).spawn(f) }
        .with_context(|| format!("starting coroutine {n}"))
}

/// Parks the coroutine for `dur`; a zero `dur` returns at once. may 0.3 puts even a zero sleep
/// on its timer list, whose thread can resume the coroutine on another worker while this one is
/// still registering it: a race seen as heap corruption ("malloc(): unaligned tcache chunk") in
/// about 1 of 10 runs of io-may's open-loop contract, whose requests were mostly overdue.
pub fn sleep(dur: std::time::Duration) {
    if !dur.is_zero() {
        may::coroutine::sleep(dur);
    }
}

/// Joins `handle`, naming coroutine `n` if it panicked.
pub fn join<T>(n: usize, handle: may::coroutine::JoinHandle<T>) -> anyhow::Result<T> {
    handle
        .join()
        .map_err(|_| anyhow::anyhow!("coroutine {n} panicked"))
}

/// A listening socket handed to may, which makes it non-blocking and registers it with its
/// poller, so that an accept parks the coroutine instead of the thread. may panics where its
/// poller refuses the socket; that is an error here.
#[allow(unsafe_code)]
pub fn listener(std: std::net::TcpListener) -> anyhow::Result<may::net::TcpListener> {
    let fd = std.into_raw_fd();
    // SAFETY: the descriptor comes out of a listening socket this function owned, so it is open
    // and nothing else will close it.
    std::panic::catch_unwind(|| unsafe { may::net::TcpListener::from_raw_fd(fd) })
        .map_err(|_| anyhow::anyhow!("may could not register the listener with its poller"))
}
