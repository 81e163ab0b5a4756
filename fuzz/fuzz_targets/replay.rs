//! An event log from JSON bytes, replayed: accepted or refused whole, never a panic; an accepted one adds up and replays the same from its own JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(broken) = loyalty::testing::fuzz::replay_from_json(data) {
        panic!("{broken}");
    }
});
