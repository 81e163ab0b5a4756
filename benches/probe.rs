//! The instruction probe: runs one workload in a function of its own, so
//! that callgrind counts the instructions of exactly that work (setup,
//! command generation and teardown left out). Instruction counts do not
//! move between runs of the same code, so they compare builds where timed
//! runs on a shared machine cannot see a change of 1 or 2%; the counts in
//! `benches/HISTORY.md` come from it.
//!
//! ```text
//! cargo bench --no-run --bench probe
//! valgrind --tool=callgrind --toggle-collect='probe::measured*' \
//!     target/release/deps/probe-<hash> plain 100000
//! ```
//!
//! Divide the total callgrind prints (`callgrind_annotate`'s `PROGRAM
//! TOTALS`) by the number of commands, or for `replay` by the number of
//! events the probe prints. Add `--cache-sim=yes` for cache misses.
//! `cargo bench --bench probe -- <mode> <n>` runs it without callgrind
//! (and without criterion: it times nothing). Modes, over 10 K members
//! with spread histories (see `benches/common`):
//!
//! - `plain`, `tiers`, `rolling`, `expiring`, `inactivity`: `n`
//!   purchases through `execute` under the seed program, the calendar-year
//!   ladder, the rolling ladder, points expiring a year after earning, or
//!   after a year without activity;
//! - `top_rung`: `n` purchases under the calendar-year ladder by members
//!   who each start with an order of 1,500.00 EUR, all of them on its top
//!   rung (Gold) before the first is counted;
//! - `batched`: `n` purchases through `execute_all`;
//! - `confirmed`: `n` commands under points pending until confirmation,
//!   each purchase followed by its order's confirmation a second later
//!   (`n / 2` of each);
//! - `settling`: `n` purchases under points pending for a day, each
//!   member's a little over a day apart, so that each settles the
//!   member's last;
//! - `redeem`: `n` redemptions of 100 points (members start with 15,000);
//! - `quote`: `n` quotes of the seed program's rewards for a cart of
//!   80.00 EUR (members start with 15,000 points), the first half of
//!   the `ledger` bench's checkout;
//! - `refund`: `n` partial refunds of 1.00 EUR, each clawing back a
//!   point, of the one order of 10,000,000.00 EUR each member placed
//!   (the `ledger` bench's `refund/partial_refund` stream);
//! - `mixed`: the mixed workload of `benches/ledger.rs` (70% purchases,
//!   15% redemptions, 5% refunds, 5% adjustments, 5% ticks);
//! - `replay`: the populated log and `n` purchases, replayed;
//! - `replay_json`: the same log, each event parsed from its JSON line
//!   first, as the `scale` bench's `replay/from_json`;
//! - `replay_json_stamped`: as `replay_json` under points expiring a year
//!   after earning, each purchase stamped to the microsecond, as the
//!   `ledger` bench's `replay/from_json_stamped`;
//! - `to_json`, `to_json_stamped`: the logs of `replay_json` and
//!   `replay_json_stamped`, each event written as its JSON line into a
//!   reused buffer, as a host stores what a command decided;
//! - `history`: 1,000 members who each place `PROBE_HISTORY` orders
//!   (default 300) before `n` purchases are counted;
//! - `settling_history`: the same under points pending for a day, a
//!   member's purchases 10,000 seconds apart, so that each settles the
//!   one placed about a day before while about eight more wait;
//! - `due_tick`: `n` ticks decided (not applied) over 10 K members of
//!   whom one in a hundred holds a lot that expired, as the `scale`
//!   bench's `tick/one_percent_due` (divide by `n` × 100 for a due
//!   member's expiry).

// Benchmarks may use the environment; the library never does.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::hint::black_box;

use chrono::{DateTime, TimeDelta, Utc};
use loyalty::{Cart, Command, Confirm, Event, Ledger, MemberId, Program, Reference, Refund, Tick};

mod common;
use common::{
    CONFIRMED, EXPIRING, INACTIVITY, MIXED, ROLLING, SEED, SETTLING, TIERED, mixed_command,
    one_in_a_hundred_due, parse, populated_with, purchase, redemption, stamped, start,
};

/// The modes, for the usage line.
const MODES: &str = "plain|tiers|top_rung|rolling|expiring|inactivity|batched|confirmed|settling|redeem|quote|refund|mixed|replay|replay_json|replay_json_stamped|to_json|to_json_stamped|history|settling_history|due_tick";

/// The counted work: each command through `execute`.
#[inline(never)]
fn measured(ledger: &mut Ledger, commands: Vec<Command>) {
    for command in commands {
        let _ = black_box(ledger.execute(command));
    }
}

/// The counted work: the commands through `execute_all`.
#[inline(never)]
fn measured_batch(ledger: &mut Ledger, commands: Vec<Command>) {
    ledger.execute_all(commands, |result| {
        black_box(result.is_ok());
    });
}

/// The counted work: each member's quote for `cart`.
#[inline(never)]
fn measured_quote(ledger: &Ledger, cart: &Cart, asked: Vec<(MemberId, DateTime<Utc>)>) {
    for (member, at) in asked {
        let _ = black_box(ledger.quote(&member, cart, at));
    }
}

/// The counted work: `ticks` ticks decided, none applied. The decisions
/// are handed back to be dropped outside the count (and outside this
/// function, whose dropping them moved the compiler's choices for
/// [`measured`]'s).
#[inline(never)]
fn measured_ticks(ledger: &Ledger, ticks: Vec<Tick>) -> Vec<Result<usize, loyalty::Error>> {
    ticks
        .into_iter()
        .map(|tick| black_box(ledger.decide(tick)).map(|decided| decided.events.len()))
        .collect()
}

/// The `scale` bench's 1%-due tick at 10 K members: each enrolled with
/// one purchase under points that expire a year after earning, one in a
/// hundred on the first day and the others a hundred days later; `n`
/// ticks decided a year and a day in, each deciding a hundred expiries.
fn due_ticks(n: u64) {
    let ledger = one_in_a_hundred_due(10_000);
    let due = start() + TimeDelta::days(366);
    let decided = measured_ticks(&ledger, (0..n).map(|_| Tick::new(due)).collect());
    assert!(
        decided
            .iter()
            .all(|d| d.as_ref().is_ok_and(|expired| *expired == 100))
    );
}

/// The counted work: a replay of `log`.
#[inline(never)]
fn measured_replay(program: Program, log: &[Event]) {
    black_box(Ledger::replay(program, log).expect("the log replays"));
}

/// The counted work: each event of `log` written as its JSON line, into
/// a buffer cleared for each.
#[inline(never)]
fn measured_to_json(log: &[Event]) {
    let mut line = Vec::with_capacity(1024);
    for event in log {
        line.clear();
        serde_json::to_writer(&mut line, event).expect("an event serialises");
        black_box(&line);
    }
}

/// The counted work: a replay of the `stored` log, each event parsed from
/// its JSON line first.
#[inline(never)]
fn measured_replay_json(program: Program, stored: &[String]) {
    let events = stored
        .iter()
        .map(|line| serde_json::from_str::<Event>(line).expect("a stored event parses"));
    black_box(Ledger::replay(program, events).expect("the log replays"));
}

fn main() {
    // `cargo bench` passes `--bench`; the mode and count follow it.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(mode) = args.first().map(String::as_str) else {
        // `cargo bench` with no arguments runs every target: nothing to do.
        println!("probe: give a mode ({MODES}) and a count; see benches/probe.rs");
        return;
    };
    let n: u64 = match args.get(1).map(|a| a.parse()) {
        None => 100_000,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("probe: the count must be a whole number");
            std::process::exit(2);
        }
    };
    if mode == "due_tick" {
        due_ticks(n);
        return;
    }
    let text = match mode {
        "plain" | "batched" | "redeem" | "quote" | "refund" | "replay" | "replay_json"
        | "to_json" | "history" => SEED,
        "tiers" | "top_rung" => TIERED,
        "rolling" => ROLLING,
        "expiring" | "replay_json_stamped" | "to_json_stamped" => EXPIRING,
        "inactivity" => INACTIVITY,
        "confirmed" => CONFIRMED,
        "settling" | "settling_history" => SETTLING,
        "mixed" => MIXED,
        other => {
            eprintln!("probe: no mode {other:?}; one of {MODES}");
            std::process::exit(2);
        }
    };
    let history = matches!(mode, "history" | "settling_history");
    let members = if history { 1_000 } else { 10_000 };
    let spent = match mode {
        "redeem" | "quote" => "15000.00 EUR",
        "refund" => "10000000.00 EUR",
        "top_rung" => "1500.00 EUR",
        _ => "150.00 EUR",
    };
    let (mut ledger, ids, mut log) = populated_with(parse(text), members, spent);
    match mode {
        "history" | "settling_history" => {
            let orders: u64 = std::env::var("PROBE_HISTORY")
                .ok()
                .and_then(|h| h.parse().ok())
                .unwrap_or(300);
            let before = orders * members as u64;
            let bought = |i: u64| {
                let mut bought = purchase(&ids, i);
                if mode == "settling_history" {
                    bought.at = start() + TimeDelta::seconds(60 + 10 * i as i64);
                }
                bought
            };
            for i in 0..before {
                ledger.execute(bought(i)).expect("a purchase");
            }
            let commands = (before..before + n).map(|i| bought(i).into()).collect();
            measured(&mut ledger, commands);
        }
        "quote" => {
            let cart = Cart::new("80.00 EUR".parse().expect("money"));
            let asked = (0..n)
                .map(|i| {
                    let member = ids[(i % ids.len() as u64) as usize].clone();
                    (member, start() + TimeDelta::seconds(60 + i as i64))
                })
                .collect();
            measured_quote(&ledger, &cart, asked);
        }
        "replay" | "replay_json" | "replay_json_stamped" | "to_json" | "to_json_stamped" => {
            for i in 0..n {
                let bought = if mode.ends_with("_stamped") {
                    stamped(purchase(&ids, i), i)
                } else {
                    purchase(&ids, i)
                };
                log.extend(ledger.execute(bought).expect("a purchase").events);
            }
            println!("events {}", log.len());
            if mode == "replay" {
                measured_replay(parse(text), &log);
            } else if mode.starts_with("to_json") {
                measured_to_json(&log);
            } else {
                let stored: Vec<String> = log
                    .iter()
                    .map(|e| serde_json::to_string(e).expect("an event serialises"))
                    .collect();
                measured_replay_json(parse(text), &stored);
            }
        }
        _ => {
            let commands = (0..n).map(|i| command(mode, &ids, i)).collect();
            if mode == "batched" {
                measured_batch(&mut ledger, commands);
            } else {
                measured(&mut ledger, commands);
            }
        }
    }
}

/// Command `i` of `mode`'s stream: members in turn.
fn command(mode: &str, ids: &[MemberId], i: u64) -> Command {
    match mode {
        "redeem" => {
            let at = start() + TimeDelta::seconds(60 + i as i64);
            redemption(ids[(i % ids.len() as u64) as usize].clone(), i, at)
        }
        "refund" => {
            let member = (i % ids.len() as u64) as usize;
            Refund::new(
                ids[member].clone(),
                Reference::new(format!("W-{member}")).expect("a valid id"),
                Reference::new(format!("RF-{i}")).expect("a valid id"),
                "1.00 EUR".parse().expect("money"),
                start() + TimeDelta::seconds(60 + i as i64),
            )
            .into()
        }
        "mixed" => mixed_command(ids, i),
        "confirmed" => {
            let bought = purchase(ids, i / 2);
            if i.is_multiple_of(2) {
                bought.into()
            } else {
                let at = bought.at + TimeDelta::seconds(1);
                Confirm::new(bought.member, bought.order, at).into()
            }
        }
        "settling" => {
            let mut bought = purchase(ids, i);
            // Ten seconds a purchase: a member's come 100,000 seconds
            // apart at 10 K members.
            bought.at = start() + TimeDelta::seconds(60 + 10 * i as i64);
            bought.into()
        }
        _ => purchase(ids, i).into(),
    }
}
