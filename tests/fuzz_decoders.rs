//! The fuzz targets' decoders under proptest, so that every `cargo test`
//! runs them: a program from JSON bytes, an event log from JSON bytes, a
//! command sequence from any bytes. Inputs are random bytes and the fuzz
//! corpus's seeds with bytes changed, cut or repeated. The targets
//! themselves live in `fuzz/` and run under cargo-fuzz.

use std::path::PathBuf;

use loyalty::testing::fuzz;
use proptest::prelude::*;

/// The fuzz corpus's seeds for a target.
#[allow(clippy::disallowed_methods)] // the seeds are files
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("seed-")
        })
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// A seed with a few bytes changed, a slice cut and a slice repeated.
fn damaged(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(seeds),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        any::<prop::sample::Index>(),
        0..64_usize,
        any::<bool>(),
    )
        .prop_map(|(mut bytes, flips, at, len, repeat)| {
            if bytes.is_empty() {
                return bytes;
            }
            for (index, byte) in flips {
                let i = index.index(bytes.len());
                bytes[i] = byte;
            }
            let start = at.index(bytes.len());
            let end = (start + len).min(bytes.len());
            if repeat {
                let slice = bytes[start..end].to_vec();
                bytes.splice(start..start, slice);
            } else {
                bytes.drain(start..end);
            }
            bytes
        })
}

#[test]
fn the_seeds_themselves_pass() {
    for seed in seeds("config") {
        assert_eq!(fuzz::program_from_json(&seed), Ok(()));
    }
    for seed in seeds("replay") {
        assert_eq!(fuzz::replay_from_json(&seed), Ok(()));
    }
    for seed in seeds("commands") {
        assert_eq!(fuzz::commands_from_bytes(&seed), Ok(()));
        assert!(fuzz::decode_commands(&seed).len() > 20);
    }
}

#[test]
fn the_seed_programs_are_accepted_and_the_seed_commands_mostly_run() {
    for seed in seeds("config") {
        assert!(serde_json::from_slice::<loyalty::Program>(&seed).is_ok());
    }
    let program = fuzz::program().unwrap();
    let mut ledger = loyalty::Ledger::new(program);
    let commands = fuzz::decode_commands(&seeds("commands")[0]);
    let accepted = commands
        .iter()
        .filter(|c| ledger.execute((*c).clone()).is_ok())
        .count();
    assert!(accepted > 0, "{accepted} of {}", commands.len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn programs_from_json_bytes(bytes in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        damaged(seeds("config")),
    ]) {
        prop_assert_eq!(fuzz::program_from_json(&bytes), Ok(()));
    }

    #[test]
    fn event_logs_from_json_bytes(bytes in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        damaged(seeds("replay")),
    ]) {
        prop_assert_eq!(fuzz::replay_from_json(&bytes), Ok(()));
    }

    #[test]
    fn command_sequences_from_bytes(bytes in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..600),
        damaged(seeds("commands")),
    ]) {
        prop_assert_eq!(fuzz::commands_from_bytes(&bytes), Ok(()));
    }
}
