//! A command sequence decoded from any bytes against a fixed program: every invariant holds after every command.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(broken) = loyalty::testing::fuzz::commands_from_bytes(data) {
        panic!("{broken}");
    }
});
