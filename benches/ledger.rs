//! Ledger throughput: two baselines (the minimal loop the hardware allows,
//! and the same ledger in SQLite), the earn path at 10 K to 1 M members, a
//! mixed workload, redemptions, referrals, replay, and ticks. Run with
//! `cargo bench --bench ledger`.
//!
//! Inputs are generated before the clock starts; each measurement reports
//! elements (commands or events) per second.

// Benchmarks time themselves with the wall clock; the library never does.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::hint::black_box;
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{Bencher, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use loyalty::{
    Adjust, Cart, Command, Enroll, Event, Ledger, MemberId, Money, Points, Program, Purchase,
    Redeem, Reference, Refund, Tick,
};

const SEED: &str = r#"{
    "currency": "EUR",
    "earn": {"points": 1, "per": "1.00", "rounding": "floor"},
    "rewards": [{"id": "ten-percent-off", "cost": 100, "kind": "percent_off", "percent": "10"}]
}"#;

/// The seed program with a Bronze / Silver / Gold ladder by calendar-year
/// spend, reviewed at year end.
const TIERED: &str = r#"{
    "currency": "EUR",
    "earn": {"points": 1, "per": "1.00", "rounding": "floor", "stacking": "multiply"},
    "rewards": [{"id": "ten-percent-off", "cost": 100, "kind": "percent_off", "percent": "10"}],
    "tiers": {"metric": "spend", "window": "calendar_year", "review": "period_end", "grace_days": 30,
              "levels": [{"id": "bronze", "threshold": "0"},
                         {"id": "silver", "threshold": "500", "multiplier": "1.25"},
                         {"id": "gold", "threshold": "1000", "multiplier": "1.5"}]}
}"#;

/// The seed program with a referral ladder, double-sided, with an upline
/// reward: a friend's first order of 30.00 EUR or more qualifies.
const REFERRING: &str = r#"{
    "currency": "EUR",
    "earn": {"points": 1, "per": "1.00", "rounding": "floor"},
    "referrals": {"secret": "a benchmark secret, sixteen+", "minimum_order": "30.00",
                  "referee": {"points": 50}, "upline": [20],
                  "ladder": [{"from": 1, "points": 100}, {"from": 5, "points": 150}],
                  "milestones": [{"at": 10, "points": 500}]}
}"#;

/// The tiered program with a double-points campaign on Saturdays.
const MIXED: &str = r#"{
    "currency": "EUR",
    "earn": {"points": 1, "per": "1.00", "rounding": "floor", "stacking": "multiply"},
    "rewards": [{"id": "ten-percent-off", "cost": 100, "kind": "percent_off", "percent": "10"}],
    "campaigns": [{"id": "saturday", "starts_at": "2026-01-01", "ends_at": "2027-01-01",
                   "days": ["saturday"], "multiplier": "2"}],
    "tiers": {"metric": "spend", "window": "calendar_year", "review": "period_end", "grace_days": 30,
              "levels": [{"id": "bronze", "threshold": "0"},
                         {"id": "silver", "threshold": "500", "multiplier": "1.25"},
                         {"id": "gold", "threshold": "1000", "multiplier": "1.5"}]}
}"#;

fn program() -> Program {
    serde_json::from_str(SEED).expect("the seed program is valid")
}

fn tiered() -> Program {
    serde_json::from_str(TIERED).expect("the tiered program is valid")
}

fn start() -> DateTime<Utc> {
    "2026-01-01T00:00:00Z".parse().expect("a valid time")
}

fn members(n: usize) -> Vec<MemberId> {
    (0..n)
        .map(|i| MemberId::new(format!("member-{i:07}")).expect("a valid id"))
        .collect()
}

/// A ledger with `n` enrolled members who each spent `spent` once, and the events
/// it was built from.
fn populated(n: usize, spent: &str) -> (Ledger, Vec<MemberId>, Vec<Event>) {
    populated_with(program(), n, spent)
}

/// As [`populated`], under `program`.
fn populated_with(program: Program, n: usize, spent: &str) -> (Ledger, Vec<MemberId>, Vec<Event>) {
    let ids = members(n);
    let mut ledger = Ledger::new(program);
    let mut log = Vec::new();
    let amount: Money = spent.parse().expect("money");
    for (i, m) in ids.iter().enumerate() {
        let enrol = ledger.execute(Enroll::new(m.clone(), start()));
        log.extend(enrol.expect("enrols").events);
        let order = Reference::new(format!("W-{i}")).expect("a valid id");
        let buy = ledger.execute(Purchase::new(m.clone(), order, amount, start()));
        log.extend(buy.expect("buys").events);
    }
    (ledger, ids, log)
}

/// The `n`th purchase of the stream: members in turn, a minute apart.
fn purchase(ids: &[MemberId], n: u64) -> Purchase {
    let amount: Money = "57.40 EUR".parse().expect("money");
    let member = ids[(n as usize) % ids.len()].clone();
    let order = Reference::new(format!("ORD-{n}")).expect("a valid id");
    Purchase::new(
        member,
        order,
        amount,
        start() + TimeDelta::seconds(60 + n as i64),
    )
}

/// Purchases a ledger takes before a benchmark starts again from its
/// initial state: the history stays between none and 50 orders per member
/// at 10 K members, so each figure is the cost at a stated size.
const HISTORY_WINDOW: u64 = 500_000;

/// Times a steady stream of commands (`command(0)`, `command(1)`, ...)
/// against one long-lived ledger: each sample continues where the last
/// stopped, as a host's ledger would, until [`HISTORY_WINDOW`] commands,
/// when it starts again from a copy of `base` made outside the clock.
fn steady_stream<C: Into<Command>>(b: &mut Bencher<'_>, base: &Ledger, command: impl Fn(u64) -> C) {
    let mut ledger = base.clone();
    let mut next = 0_u64;
    b.iter_custom(|iters| {
        if next + iters > HISTORY_WINDOW {
            ledger = base.clone();
            next = 0;
        }
        let commands: Vec<C> = (next..next + iters).map(&command).collect();
        next += iters;
        let clock = Instant::now();
        for command in commands {
            black_box(ledger.execute(command).expect("accepted"));
        }
        clock.elapsed()
    })
}

fn earn_path(c: &mut Criterion) {
    let mut group = c.benchmark_group("earn");
    group.throughput(Throughput::Elements(1));
    for n in [10_000_usize, 100_000, 1_000_000] {
        let (base, ids, _) = populated(n, "150.00 EUR");
        group.bench_function(BenchmarkId::new("purchase", n), |b| {
            steady_stream(b, &base, |i| purchase(&ids, i))
        });
    }
    // With a tier ladder: the year's spend is summed on every purchase,
    // and members move up as they cross 500.00 and 1000.00 EUR.
    let (base, ids, _) = populated_with(tiered(), 10_000, "150.00 EUR");
    group.bench_function(BenchmarkId::new("purchase_with_tiers", 10_000), |b| {
        steady_stream(b, &base, |i| purchase(&ids, i))
    });
    group.finish();
}

/// Friends join with one of 10 K referrers' codes (each referrer was
/// referred by the one before, so the upline is paid too), then place
/// their qualifying first order: the commands alternate, one element is one
/// command.
fn referral_path(c: &mut Criterion) {
    let mut group = c.benchmark_group("referrals");
    group.throughput(Throughput::Elements(1));
    let program: Program = serde_json::from_str(REFERRING).expect("the referral program is valid");
    let ids = members(10_000);
    let mut base = Ledger::new(program);
    let mut previous: Option<loyalty::ReferralCode> = None;
    for m in &ids {
        let enrol = Enroll::new(m.clone(), start());
        let enrol = match previous {
            Some(code) => enrol.referred_by(code),
            None => enrol,
        };
        base.execute(enrol).expect("enrols");
        previous = base.referral_code(m).cloned();
    }
    let codes: Vec<loyalty::ReferralCode> = ids
        .iter()
        .map(|m| base.referral_code(m).cloned().expect("a code"))
        .collect();
    let amount: Money = "45.00 EUR".parse().expect("money");
    group.bench_function(BenchmarkId::new("join_and_qualify", 10_000), |b| {
        steady_stream(b, &base, |n| -> Command {
            let friend = MemberId::new(format!("friend-{}", n / 2)).expect("a valid id");
            let at = start() + TimeDelta::seconds(60 + n as i64);
            if n % 2 == 0 {
                let code = codes[(n as usize / 2) % codes.len()].clone();
                Enroll::new(friend, at).referred_by(code).into()
            } else {
                let order = Reference::new(format!("F-{n}")).expect("a valid id");
                Purchase::new(friend, order, amount, at).into()
            }
        })
    });
    group.finish();
}

/// Every member starts rich enough for all the redemptions.
fn redeem_path(c: &mut Criterion) {
    let mut group = c.benchmark_group("redeem");
    group.throughput(Throughput::Elements(1));
    let (base, ids, _) = populated(10_000, "10000000.00 EUR");
    let cart = Cart::new("80.00 EUR".parse().expect("money"));
    let reward: loyalty::RewardId = "ten-percent-off".parse().expect("a valid id");
    group.bench_function(BenchmarkId::new("redeem", 10_000), |b| {
        steady_stream(b, &base, |n| {
            Redeem::new(
                ids[(n as usize) % ids.len()].clone(),
                Reference::new(format!("RDM-{n}")).expect("a valid id"),
                reward.clone(),
                cart.clone(),
                start() + TimeDelta::seconds(1 + n as i64),
            )
        })
    });
    group.finish();
}

fn replay(c: &mut Criterion) {
    let mut group = c.benchmark_group("replay");
    let (mut ledger, ids, mut log) = populated(10_000, "150.00 EUR");
    for n in 0..100_000 {
        log.extend(ledger.execute(purchase(&ids, n)).expect("earns").events);
    }
    group.throughput(Throughput::Elements(log.len() as u64));
    group.sample_size(10);
    group.bench_function(BenchmarkId::new("in_memory", log.len()), |b| {
        b.iter(|| black_box(Ledger::replay(program(), &log).expect("replays")))
    });
    let stored: Vec<String> = log
        .iter()
        .map(|e| serde_json::to_string(e).expect("serialises"))
        .collect();
    group.bench_function(BenchmarkId::new("from_json", log.len()), |b| {
        b.iter(|| {
            let events = stored
                .iter()
                .map(|s| serde_json::from_str::<Event>(s).expect("parses"));
            black_box(Ledger::replay(program(), events).expect("replays"))
        })
    });
    group.finish();
}

fn tick_nothing_due(c: &mut Criterion) {
    let mut group = c.benchmark_group("tick");
    group.throughput(Throughput::Elements(1));
    let (ledger, _, _) = populated(10_000, "150.00 EUR");
    let at = start() + TimeDelta::days(365);
    group.bench_function(BenchmarkId::new("nothing_due", 10_000), |b| {
        b.iter(|| black_box(ledger.decide(Tick::new(at)).expect("ticks")))
    });
    group.finish();
}

/// The year-end review: every member holds Silver and falls short, so each
/// gets a grace period. One element is one member reviewed.
fn tick_year_end_review(c: &mut Criterion) {
    let mut group = c.benchmark_group("tick");
    let n = 10_000_usize;
    // Each member reached Silver with one 600.00 EUR order, then returned
    // 200.00 EUR of it.
    let (mut reviewed, ids, _) = populated_with(tiered(), n, "600.00 EUR");
    for (i, m) in ids.into_iter().enumerate() {
        let order = Reference::new(format!("W-{i}")).expect("a valid id");
        let refund = Reference::new(format!("RF-{i}")).expect("a valid id");
        let returned: Money = "200.00 EUR".parse().expect("money");
        let at = start() + TimeDelta::days(1);
        reviewed
            .execute(loyalty::Refund::new(m, order, refund, returned, at))
            .expect("refunds");
    }
    let at: DateTime<Utc> = "2027-01-01T00:00:00Z".parse().expect("a valid time");
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(20);
    group.bench_function(BenchmarkId::new("year_end_review", n), |b| {
        b.iter(|| black_box(reviewed.decide(Tick::new(at)).expect("ticks")))
    });
    group.finish();
}

/// A 32-byte posting: what the minimal loop appends.
#[derive(Clone, Copy)]
#[allow(dead_code)] // written, never read: the bound is the writing
struct RawPosting {
    member: u32,
    kind: u32,
    order: u64,
    points: i64,
    at: i64,
}

/// The same purchases as plain numbers: member index, order number, cents,
/// seconds.
fn raw_purchases(members: usize, from: u64, count: u64) -> Vec<(u32, u64, i64, i64)> {
    (from..from + count)
        .map(|n| {
            let member = (n as usize % members) as u32;
            (member, n, 5_740, 60 + n as i64)
        })
        .collect()
}

/// What the hardware allows, and what a backend team would write in SQL,
/// on the same stream of purchases (57.40 EUR each, members in turn).
fn baselines(c: &mut Criterion) {
    let mut group = c.benchmark_group("baseline");
    group.throughput(Throughput::Elements(1));
    let n = 1_000_000_usize;

    // 1. The minimal loop: append a 32-byte posting to a Vec and add the
    // points to an i64 balance by member index.
    assert_eq!(std::mem::size_of::<RawPosting>(), 32);
    let mut balances = vec![150_i64; n];
    let mut postings: Vec<RawPosting> = Vec::with_capacity(HISTORY_WINDOW as usize);
    let mut next = 0_u64;
    group.bench_function(BenchmarkId::new("minimal_loop", n), |b| {
        b.iter_custom(|iters| {
            if next + iters > HISTORY_WINDOW {
                postings.clear();
                next = 0;
            }
            let inputs = raw_purchases(n, next, iters);
            next += iters;
            let clock = Instant::now();
            for (member, order, cents, at) in inputs {
                let points = cents / 100;
                postings.push(RawPosting {
                    member,
                    kind: 1,
                    order,
                    points,
                    at,
                });
                balances[member as usize] += points;
            }
            black_box(&postings);
            clock.elapsed()
        })
    });

    // 2. The same ledger in SQLite, in memory: prepared statements, one
    // transaction per 1,000 orders, a postings table with the order id as
    // the idempotency key, and a balances table.
    let db = rusqlite::Connection::open_in_memory().expect("sqlite");
    db.execute_batch(
        "CREATE TABLE balances (member INTEGER PRIMARY KEY, points INTEGER NOT NULL);
         CREATE TABLE postings (id INTEGER PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE,
                                member INTEGER NOT NULL, points INTEGER NOT NULL,
                                at INTEGER NOT NULL);",
    )
    .expect("schema");
    {
        let mut insert = db
            .prepare("INSERT INTO balances (member, points) VALUES (?1, 150)")
            .expect("prepared");
        db.execute_batch("BEGIN").expect("begin");
        for member in 0..n as i64 {
            insert.execute([member]).expect("a member");
        }
        db.execute_batch("COMMIT").expect("commit");
    }
    let mut record = db
        .prepare(
            "INSERT INTO postings (idempotency_key, member, points, at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (idempotency_key) DO NOTHING",
        )
        .expect("prepared");
    let mut credit = db
        .prepare("UPDATE balances SET points = points + ?1 WHERE member = ?2")
        .expect("prepared");
    let mut next = 0_u64;
    let mut open = 0_u64;
    group.bench_function(BenchmarkId::new("sqlite", n), |b| {
        b.iter_custom(|iters| {
            let inputs: Vec<(String, i64, i64, i64)> = raw_purchases(n, next, iters)
                .into_iter()
                .map(|(member, order, cents, at)| {
                    (format!("ORD-{order}"), member as i64, cents, at)
                })
                .collect();
            next += iters;
            let clock = Instant::now();
            for (key, member, cents, at) in inputs {
                if open == 0 {
                    db.execute_batch("BEGIN").expect("begin");
                }
                let points = cents / 100;
                let inserted = record
                    .execute(rusqlite::params![key, member, points, at])
                    .expect("recorded");
                if inserted == 1 {
                    credit.execute([points, member]).expect("credited");
                }
                open += 1;
                if open == 1_000 {
                    db.execute_batch("COMMIT").expect("commit");
                    open = 0;
                }
            }
            clock.elapsed()
        })
    });
    if open > 0 {
        db.execute_batch("COMMIT").expect("commit");
    }
    group.finish();
}

/// The mixed workload, under the tier ladder and a campaign: of every 20
/// commands 14 purchases, 3 redemptions, 1 refund, 1 adjustment and 1
/// tick, against 10 K members. Refusals (a redemption without enough
/// points) count: they are work the ledger does.
fn mixed(c: &mut Criterion) {
    let mut group = c.benchmark_group("mixed");
    group.throughput(Throughput::Elements(1));
    let program: Program = serde_json::from_str(MIXED).expect("the mixed program is valid");
    let n = 10_000;
    let (base, ids, _) = populated_with(program, n, "150.00 EUR");
    let command = |i: u64| -> Command {
        let at = start() + TimeDelta::seconds(60 + i as i64);
        let member = ids[(i as usize) % ids.len()].clone();
        match i % 20 {
            0..14 => purchase(&ids, i).into(),
            14..17 => Redeem::new(
                member,
                Reference::new(format!("RDM-{i}")).expect("a valid id"),
                "ten-percent-off".parse().expect("a reward id"),
                Cart::new("80.00 EUR".parse().expect("money")),
                at,
            )
            .into(),
            // The purchase this member made 17 commands ago... or the
            // first one: refunds of orders that exist.
            17 => Refund::new(
                member,
                Reference::new(format!("ORD-{}", i.saturating_sub(20 * (n as u64))))
                    .expect("an id"),
                Reference::new(format!("RF-{i}")).expect("a valid id"),
                "10.00 EUR".parse().expect("money"),
                at,
            )
            .into(),
            18 => Adjust::new(
                member,
                Reference::new(format!("ADJ-{i}")).expect("a valid id"),
                Points::new(5),
                "goodwill",
                at,
            )
            .into(),
            _ => Tick::new(at).into(),
        }
    };
    let mut ledger = base.clone();
    let mut next = 0_u64;
    group.bench_function(BenchmarkId::new("workload", n), |b| {
        b.iter_custom(|iters| {
            if next + iters > HISTORY_WINDOW {
                ledger = base.clone();
                next = 0;
            }
            let commands: Vec<Command> = (next..next + iters).map(command).collect();
            next += iters;
            let clock = Instant::now();
            for command in commands {
                let _ = black_box(ledger.execute(command));
            }
            clock.elapsed()
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    baselines,
    mixed,
    earn_path,
    redeem_path,
    referral_path,
    replay,
    tick_nothing_due,
    tick_year_end_review
);
criterion_main!(benches);
