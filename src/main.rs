//! The binary: parse arguments, run, map the outcome to an exit code. Everything else is in the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    learn_registry::run(std::env::args_os())
}

/// mimalloc rather than the system allocator: glibc grows each thread's heap a page range at a time
/// (`lint` of 100 lessons: 561 `mprotect` calls, 1,223 page faults, 11 ms of system time on this VM,
/// where a fault costs ~10 µs), mimalloc takes memory in large segments (370 faults, 6 ms). Issue 12.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
