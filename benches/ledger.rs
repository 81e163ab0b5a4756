//! Ledger throughput: the earn path, redemptions, referrals, replay, and a
//! tick with nothing due. Run with `cargo bench --bench ledger`.
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
    Cart, Command, Enroll, Event, Ledger, MemberId, Money, Program, Purchase, Redeem, Reference,
    Tick,
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
    for n in [10_000_usize, 100_000] {
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

criterion_group!(
    benches,
    earn_path,
    redeem_path,
    referral_path,
    replay,
    tick_nothing_due,
    tick_year_end_review
);
criterion_main!(benches);
