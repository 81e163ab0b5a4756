//! Ledger throughput at scale: the earn path at 1 M members beside both
//! baselines (members in turn and scattered, one `execute` at a time and
//! through `execute_all`), a tick over 1 M members, the replay of a 10
//! M-event log (in memory, in turn and scattered, and from JSON), and the
//! earn path after 10 M events of history against after 10 K. Run with
//! `cargo bench --bench scale` (9 to 12 minutes and up to 13 GB of memory
//! on a 2-core machine); a filter such as `cargo bench --bench scale --
//! tick` sets up only what it selects.
//!
//! Inputs are generated before the clock starts; each measurement reports
//! elements (commands or events) per second.

// Benchmarks time themselves with the wall clock; the library never does.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

mod common;

use std::hint::black_box;
use std::time::Duration;

use chrono::TimeDelta;
use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use loyalty::{Enroll, Event, Ledger, Money, Program, Purchase, Reference, Tick};

use common::{
    Stream, Visit, members, one_in_a_hundred_due, populated_spread, program, purchase, purchase_in,
    start, wanted,
};

const MILLION: usize = 1_000_000;

/// The earn path over 1 M members, and both baselines over as many, in
/// the same run: the ratios the README reports. Once with the members in
/// turn, in the order they enrolled (`earn/purchase`), and once scattered
/// as a shop's customers arrive (`earn/purchase_scattered`), each beside
/// its baselines in the same order; and each again through
/// `Ledger::execute_all`, a thousand purchases a batch
/// (`earn/purchase_batched`, `earn/purchase_batched_scattered`).
fn earn_at_a_million(c: &mut Criterion) {
    // Each row's ledger is kept until the last row has run, so that each
    // is built from fresh memory, its accounts' lists allocated in the
    // order the members enrolled, and not from the freed pieces of the
    // row before's.
    let mut kept = Vec::new();
    for visit in [Visit::InTurn, Visit::Scattered] {
        common::baselines(c, MILLION, visit);
        for batched in [false, true] {
            let name = visit.name(if batched {
                "purchase_batched"
            } else {
                "purchase"
            });
            if !wanted(&[format!("earn/{name}").as_str()]) {
                continue;
            }
            let mut group = c.benchmark_group("earn");
            group.throughput(Throughput::Elements(1));
            // Member i placed 1 + i % 4 orders: the stream adds a few
            // more each over a run (too few to be worth copying 1 M
            // accounts to undo), and a quarter of the members' lists grow
            // in each round of it, not all of them in one round.
            let (ledger, ids, _) = populated_spread(program(), MILLION, "150.00 EUR", 4);
            let mut stream = Stream::endless(ledger);
            group.bench_function(BenchmarkId::new(&name, MILLION), |b| {
                let command = |i| purchase_in(visit, &ids, i);
                if batched {
                    stream.execute_all(b, command)
                } else {
                    stream.execute(b, command)
                }
            });
            group.finish();
            kept.push(stream);
        }
    }
}

/// A tick over 1 M members whose points expire a year after they are
/// earned: when nothing is due, and when 1% of the members hold a lot that
/// has expired. The tick is decided, not applied, so every iteration sees
/// the same ledger.
fn tick_at_a_million(c: &mut Criterion) {
    if !wanted(&["tick/nothing_due", "tick/one_percent_due"]) {
        return;
    }
    let mut group = c.benchmark_group("tick");
    group.throughput(Throughput::Elements(1));
    let ledger = one_in_a_hundred_due(MILLION);
    let quiet = start() + TimeDelta::days(300);
    group.bench_function(BenchmarkId::new("nothing_due", MILLION), |b| {
        b.iter(|| black_box(ledger.decide(Tick::new(quiet)).expect("ticks")))
    });
    let due = start() + TimeDelta::days(366);
    assert_eq!(
        ledger.decide(Tick::new(due)).expect("ticks").events.len(),
        MILLION / 100,
        "one member in a hundred has points expiring"
    );
    group.sample_size(20);
    group.bench_function(BenchmarkId::new("one_percent_due", MILLION), |b| {
        b.iter(|| black_box(ledger.decide(Tick::new(due)).expect("ticks")))
    });
    group.finish();
}

/// A 10 M-event log as a host stores it: 1 M members enrolled, then nine
/// rounds of one purchase each, members in turn (so consecutive events
/// touch different accounts, as in a live log). Built a batch of members
/// at a time, so generating it never holds the whole ledger besides it.
fn ten_million_events() -> Vec<Event> {
    const ROUNDS: usize = 9;
    const BATCH: usize = 10_000;
    let amount: Money = "57.40 EUR".parse().expect("money");
    let ids = members(MILLION);
    let mut rounds: Vec<Vec<Event>> = (0..=ROUNDS).map(|_| Vec::with_capacity(MILLION)).collect();
    for (b, batch) in ids.chunks(BATCH).enumerate() {
        let mut ledger = Ledger::new(program());
        for (j, m) in batch.iter().enumerate() {
            let i = b * BATCH + j;
            let enrolled = ledger.execute(Enroll::new(m.clone(), start()));
            rounds[0].extend(enrolled.expect("enrols").events);
            for (k, round) in rounds.iter_mut().enumerate().skip(1) {
                let order = Reference::new(format!("ORD-{i}-{k}")).expect("a valid id");
                let at = start() + TimeDelta::minutes(k as i64);
                let bought = ledger.execute(Purchase::new(m.clone(), order, amount, at));
                round.extend(bought.expect("buys").events);
            }
        }
    }
    rounds.into_iter().flatten().collect()
}

/// Replaying 10 M events: held in memory, in the order
/// [`ten_million_events`] gives them (`in_memory`) and with each round of
/// purchases scattered over the members as a shop's customers arrive
/// (`in_memory_scattered`); and parsed from JSON lines.
fn replay_ten_million(c: &mut Criterion) {
    if !wanted(&["replay/in_memory", "replay/from_json"]) {
        return;
    }
    let mut group = c.benchmark_group("replay");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(1));
    let mut log = ten_million_events();
    let n = log.len();
    group.throughput(Throughput::Elements(n as u64));
    let fresh = program();
    group.bench_function(BenchmarkId::new("in_memory", n), |b| {
        b.iter(|| black_box(Ledger::replay(fresh.clone(), &log).expect("replays")))
    });
    let mut stored = String::new();
    if wanted(&["replay/from_json"]) {
        stored.reserve(n * 300);
        for event in &log {
            stored.push_str(&serde_json::to_string(event).expect("serialises"));
            stored.push('\n');
        }
    }
    if wanted(&["replay/in_memory_scattered"]) {
        // The enrolments stay first, in order; each round of purchases
        // (one a member, all at the same time) is scattered.
        let ids = members(MILLION);
        for round in log[MILLION..].chunks_mut(MILLION) {
            Visit::Scattered.arrange(round);
            assert!(
                round
                    .iter()
                    .enumerate()
                    .all(|(j, event)| *event.member()
                        == ids[Visit::Scattered.member(j as u64, MILLION)]),
                "each round visits its members in the scattered order"
            );
        }
        group.bench_function(BenchmarkId::new("in_memory_scattered", n), |b| {
            b.iter(|| black_box(Ledger::replay(fresh.clone(), &log).expect("replays")))
        });
    }
    drop(log);
    group.bench_function(BenchmarkId::new("from_json", n), |b| {
        b.iter(|| {
            let events = stored
                .lines()
                .map(|line| serde_json::from_str::<Event>(line).expect("parses"));
            black_box(Ledger::replay(fresh.clone(), events).expect("replays"))
        })
    });
    group.finish();
}

/// 10 K members with `orders` purchases of history each on average, built
/// by the ledger itself. Members' histories differ in length (from none to
/// twice the average), as they do in a shop, so the growth of each
/// member's records is spread over the stream instead of falling on every
/// member at once.
fn with_history(program: Program, orders: u64) -> (Ledger, Vec<loyalty::MemberId>) {
    let ids = members(10_000);
    let mut ledger = Ledger::new(program);
    for m in &ids {
        ledger
            .execute(Enroll::new(m.clone(), start()))
            .expect("enrols");
    }
    // The history's purchases are dated when the story starts, before
    // the stream's.
    let amount: Money = "57.40 EUR".parse().expect("money");
    let mut placed = 0_u64;
    for round in 0..2 * orders {
        for (i, member) in ids.iter().enumerate() {
            // Member i has about 2 × orders × i / 10 K orders.
            if round * ids.len() as u64 >= 2 * orders * i as u64 {
                continue;
            }
            let order = Reference::new(format!("H-{round}-{i}")).expect("a valid id");
            ledger
                .execute(Purchase::new(member.clone(), order, amount, start()))
                .expect("buys");
            placed += 1;
        }
    }
    assert!(placed.abs_diff(orders * ids.len() as u64) <= ids.len() as u64);
    (ledger, ids)
}

/// The earn path over 10 K members after 10 K events of history (their
/// enrolments; the stream starts again from them every 100 K purchases, so
/// the history stays between 10 K and 110 K events) and after 10 M (a
/// thousand orders each on average; the stream adds about 2 M more): history
/// must not slow the hot path.
fn history(c: &mut Criterion) {
    if !wanted(&["history/purchase_after"]) {
        return;
    }
    let mut group = c.benchmark_group("history");
    group.throughput(Throughput::Elements(1));
    for (events, orders) in [(10_000_u64, 0_u64), (10_000_000, 999)] {
        let (ledger, ids) = with_history(program(), orders);
        let base;
        let mut stream = if orders == 0 {
            base = ledger;
            Stream::every(&base, 100_000)
        } else {
            Stream::endless(ledger)
        };
        group.bench_function(BenchmarkId::new("purchase_after", events), |b| {
            stream.execute(b, |i| purchase(&ids, i))
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    earn_at_a_million,
    tick_at_a_million,
    replay_ten_million,
    history
);
criterion_main!(benches);
