//! A program's configuration from JSON bytes: accepted or refused, never a panic; an accepted one round-trips and keeps the invariants on a short story.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(broken) = loyalty::testing::fuzz::program_from_json(data) {
        panic!("{broken}");
    }
});
