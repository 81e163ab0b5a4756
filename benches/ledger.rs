//! Ledger throughput at 10 K members: the two baselines (the minimal loop
//! the hardware allows, and the same ledger in SQLite), the earn path, a
//! redemption with its quote, a refund, referrals, a mixed workload, replay
//! and ticks. Run with `cargo bench --bench ledger`; the 1 M-member and
//! 10 M-event figures are `benches/scale.rs`.
//!
//! Inputs are generated before the clock starts; each measurement reports
//! elements (commands or events) per second.

// Benchmarks time themselves with the wall clock; the library never does.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

mod common;

use std::hint::black_box;

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use loyalty::{
    Cart, Command, Enroll, Event, Ledger, MemberId, Money, Purchase, Redeem, Reference, Refund,
    Tick,
};

use common::{
    EXPIRING, INACTIVITY, MIXED, REFERRING, ROLLING, Stream, TIERED, Visit, members, mixed_command,
    parse, populated, populated_spread, populated_with, program, purchase, spread, start, wanted,
};

/// Both baselines over 10 K members, in the same run as the ledger.
fn baselines(c: &mut Criterion) {
    common::baselines(c, 10_000, Visit::InTurn);
}

fn earn_path(c: &mut Criterion) {
    if !wanted(&[
        "earn/purchase",
        "earn/purchase_reusing",
        "earn/purchase_batched",
        "earn/purchase_with_tiers",
        "earn/purchase_with_rolling_tiers",
        "earn/purchase_expiring",
        "earn/purchase_expiring_after_inactivity",
    ]) {
        return;
    }
    let mut group = c.benchmark_group("earn");
    group.throughput(Throughput::Elements(1));
    for n in [10_000_usize, 100_000] {
        let (base, ids, _) = populated(n, "150.00 EUR");
        let mut stream = Stream::from(&base);
        group.bench_function(BenchmarkId::new("purchase", n), |b| {
            stream.execute(b, |i| purchase(&ids, i))
        });
    }
    // The same purchases through `execute_reusing`, the decision's list of
    // events handed back after each: a host that stores events and keeps
    // the list.
    let (base, ids, _) = populated(10_000, "150.00 EUR");
    let mut stream = Stream::from(&base);
    let mut spare: Vec<Event> = Vec::new();
    group.bench_function(BenchmarkId::new("purchase_reusing", 10_000), |b| {
        stream.run(
            b,
            |i| purchase(&ids, i),
            |ledger, command| {
                let decision = ledger
                    .execute_reusing(command, std::mem::take(&mut spare))
                    .expect("accepted");
                spare = black_box(decision).events;
            },
        )
    });
    // The same purchases through `execute_all`, a thousand a batch: where
    // every account is in the caches, what reading ahead costs.
    let mut stream = Stream::from(&base);
    group.bench_function(BenchmarkId::new("purchase_batched", 10_000), |b| {
        stream.execute_all(b, |i| purchase(&ids, i))
    });
    // With a tier ladder: the year's running spend is read on every purchase,
    // and members move up as they cross 500.00 and 1000.00 EUR.
    let (base, ids, _) = populated_with(parse(TIERED), 10_000, "150.00 EUR");
    let mut stream = Stream::from(&base);
    group.bench_function(BenchmarkId::new("purchase_with_tiers", 10_000), |b| {
        stream.execute(b, |i| purchase(&ids, i))
    });
    // The same ladder over the last 365 days: the window moves on with
    // every purchase, and each member's orders pile up inside it (up to
    // fifty each before the stream starts again).
    let (base, ids, _) = populated_with(parse(ROLLING), 10_000, "150.00 EUR");
    let mut stream = Stream::from(&base);
    group.bench_function(
        BenchmarkId::new("purchase_with_rolling_tiers", 10_000),
        |b| stream.execute(b, |i| purchase(&ids, i)),
    );
    // Points that expire: a year after they are earned (each purchase files
    // its lot by when it expires), or after a year without activity (each
    // purchase moves the member's deadline in the index of due times).
    for (name, text) in [
        ("purchase_expiring", EXPIRING),
        ("purchase_expiring_after_inactivity", INACTIVITY),
    ] {
        let (base, ids, _) = populated_with(parse(text), 10_000, "150.00 EUR");
        let mut stream = Stream::from(&base);
        group.bench_function(BenchmarkId::new(name, 10_000), |b| {
            stream.execute(b, |i| purchase(&ids, i))
        });
    }
    group.finish();
}

/// Friends join with one of 10 K referrers' codes (each referrer was
/// referred by the one before, so the upline is paid too), then place
/// their qualifying first order: the commands alternate, one element is one
/// command.
fn referral_path(c: &mut Criterion) {
    if !wanted(&["referrals/join_and_qualify"]) {
        return;
    }
    let mut group = c.benchmark_group("referrals");
    group.throughput(Throughput::Elements(1));
    let program = parse(REFERRING);
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
    let mut stream = Stream::from(&base);
    group.bench_function(BenchmarkId::new("join_and_qualify", 10_000), |b| {
        stream.execute(b, |n| -> Command {
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
    if !wanted(&[
        "redeem/redeem",
        "redeem/quote_and_redeem",
        "redeem/redeem_from_small_lots",
    ]) {
        return;
    }
    let mut group = c.benchmark_group("redeem");
    group.throughput(Throughput::Elements(1));
    let (mut base, ids, _) = populated(10_000, "10000000.00 EUR");
    let cart = Cart::new("80.00 EUR".parse().expect("money"));
    let reward: loyalty::RewardId = "ten-percent-off".parse().expect("a valid id");
    // Redemption histories spread as the order histories are.
    spread(&mut base, &ids, |i, k| {
        Redeem::new(
            ids[i].clone(),
            Reference::new(format!("RDM-S-{i}-{k}")).expect("a valid id"),
            reward.clone(),
            cart.clone(),
            start(),
        )
        .into()
    });
    let redemption = |n: u64| {
        Redeem::new(
            ids[(n as usize) % ids.len()].clone(),
            Reference::new(format!("RDM-{n}")).expect("a valid id"),
            reward.clone(),
            cart.clone(),
            start() + TimeDelta::seconds(1 + n as i64),
        )
    };
    let mut stream = Stream::from(&base);
    group.bench_function(BenchmarkId::new("redeem", 10_000), |b| {
        stream.execute(b, redemption)
    });
    // What a checkout does: quote the member's options for the cart, then
    // redeem the one the customer picked. One element is both.
    let mut stream = Stream::from(&base);
    group.bench_function(BenchmarkId::new("quote_and_redeem", 10_000), |b| {
        stream.run(b, redemption, |ledger, command| {
            let quote = ledger
                .quote(&command.member, &command.cart, command.at)
                .expect("quotes");
            black_box(quote);
            black_box(ledger.execute(command).expect("redeems"));
        })
    });
    // Points earned a purchase at a time, as most members hold them: each
    // member placed 50 orders of 12.00 EUR (50 lots of 12 points), and
    // each redemption of 100 points draws from nine of them. A member
    // redeems six times before the stream starts again.
    let (mut small, ids, _) = populated_spread(program(), 10_000, "12.00 EUR", 1);
    let twelve: Money = "12.00 EUR".parse().expect("money");
    let orders = (1..SMALL_LOTS).flat_map(|k| {
        ids.iter().enumerate().map(move |(i, m)| {
            let order = Reference::new(format!("L-{i}-{k}")).expect("a valid id");
            Purchase::new(m.clone(), order, twelve, start())
        })
    });
    small.execute_all(orders, |decided| {
        decided.expect("buys");
    });
    let mut stream = Stream::every(&small, 6 * ids.len() as u64);
    group.bench_function(BenchmarkId::new("redeem_from_small_lots", 10_000), |b| {
        stream.execute(b, redemption)
    });
    group.finish();
}

/// How many lots each member holds before `redeem_from_small_lots`.
const SMALL_LOTS: usize = 50;

/// Partial refunds of large orders: each member placed one order of
/// 10,000,000.00 EUR, and each refund returns 1.00 EUR of it, clawing back
/// a point.
fn refund_path(c: &mut Criterion) {
    if !wanted(&["refund/partial_refund"]) {
        return;
    }
    let mut group = c.benchmark_group("refund");
    group.throughput(Throughput::Elements(1));
    let (mut base, ids, _) = populated(10_000, "10000000.00 EUR");
    let returned: Money = "1.00 EUR".parse().expect("money");
    // Refund histories spread as the order histories are.
    spread(&mut base, &ids, |i, k| {
        Refund::new(
            ids[i].clone(),
            Reference::new(format!("W-{i}")).expect("a valid id"),
            Reference::new(format!("RF-S-{i}-{k}")).expect("a valid id"),
            returned,
            start(),
        )
        .into()
    });
    let mut stream = Stream::from(&base);
    group.bench_function(BenchmarkId::new("partial_refund", 10_000), |b| {
        stream.execute(b, |n| {
            let i = (n as usize) % ids.len();
            Refund::new(
                ids[i].clone(),
                Reference::new(format!("W-{i}")).expect("a valid id"),
                Reference::new(format!("RF-{n}")).expect("a valid id"),
                returned,
                start() + TimeDelta::seconds(1 + n as i64),
            )
        })
    });
    group.finish();
}

/// The log of 10 K members' enrolments and first orders and 100 K
/// purchases under the seed program, or, `stamped`, under points that
/// expire a year after earning with each purchase stamped to the
/// microsecond, as a host whose clock reads microseconds writes it (each
/// purchase event then holds two times with a fraction of a second, when
/// it was placed and when its points expire). With its program.
fn log(stamped: bool) -> (Vec<Event>, loyalty::Program) {
    let text = if stamped { EXPIRING } else { common::SEED };
    let (mut ledger, ids, mut log) = populated_with(parse(text), 10_000, "150.00 EUR");
    for n in 0..100_000 {
        let bought = if stamped {
            common::stamped(purchase(&ids, n), n)
        } else {
            purchase(&ids, n)
        };
        log.extend(ledger.execute(bought).expect("earns").events);
    }
    assert_eq!(
        log.last()
            .is_some_and(|e| e.at().timestamp_subsec_nanos() != 0),
        stamped,
        "times to the microsecond when stamped"
    );
    (log, parse(text))
}

/// Each event of `log` as its JSON line.
fn stored(log: &[Event]) -> Vec<String> {
    log.iter()
        .map(|e| serde_json::to_string(e).expect("serialises"))
        .collect()
}

fn replay(c: &mut Criterion) {
    if !wanted(&[
        "replay/in_memory",
        "replay/from_json",
        "replay/from_json_stamped",
    ]) {
        return;
    }
    let mut group = c.benchmark_group("replay");
    group.sample_size(10);
    for stamped in [false, true] {
        let (log, program) = log(stamped);
        group.throughput(Throughput::Elements(log.len() as u64));
        if !stamped {
            group.bench_function(BenchmarkId::new("in_memory", log.len()), |b| {
                b.iter(|| black_box(Ledger::replay(program.clone(), &log).expect("replays")))
            });
        }
        let stored = stored(&log);
        let name = if stamped {
            "from_json_stamped"
        } else {
            "from_json"
        };
        group.bench_function(BenchmarkId::new(name, log.len()), |b| {
            b.iter(|| {
                let events = stored
                    .iter()
                    .map(|s| serde_json::from_str::<Event>(s).expect("parses"));
                black_box(Ledger::replay(program.clone(), events).expect("replays"))
            })
        });
    }
    group.finish();
}

/// Writing each event a command decided as the JSON line a host stores,
/// into a buffer reused from one event to the next: the logs `replay`
/// reads back.
fn store(c: &mut Criterion) {
    if !wanted(&["store/to_json", "store/to_json_stamped"]) {
        return;
    }
    let mut group = c.benchmark_group("store");
    group.sample_size(10);
    for stamped in [false, true] {
        let (log, _) = log(stamped);
        group.throughput(Throughput::Elements(log.len() as u64));
        let name = if stamped {
            "to_json_stamped"
        } else {
            "to_json"
        };
        group.bench_function(BenchmarkId::new(name, log.len()), |b| {
            let mut line = Vec::with_capacity(1024);
            b.iter(|| {
                for event in &log {
                    line.clear();
                    serde_json::to_writer(&mut line, event).expect("serialises");
                    black_box(&line);
                }
            })
        });
    }
    group.finish();
}

fn tick_nothing_due(c: &mut Criterion) {
    if !wanted(&["tick/nothing_due"]) {
        return;
    }
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
    if !wanted(&["tick/year_end_review"]) {
        return;
    }
    let mut group = c.benchmark_group("tick");
    let n = 10_000_usize;
    // Each member reached Silver with one 600.00 EUR order, then returned
    // 200.00 EUR of it.
    let (mut reviewed, ids, _) = populated_with(parse(TIERED), n, "600.00 EUR");
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

/// The mixed workload, under the tier ladder and a campaign: of every 20
/// commands 14 purchases, 3 redemptions, 1 refund, 1 adjustment and 1
/// tick, against 10 K members. Refusals (a redemption without enough
/// points: about one in 25 redemptions, in the first rounds) count: they
/// are work the ledger does.
fn mixed(c: &mut Criterion) {
    if !wanted(&["mixed/workload"]) {
        return;
    }
    let mut group = c.benchmark_group("mixed");
    group.throughput(Throughput::Elements(1));
    let program = parse(MIXED);
    let n = 10_000;
    let (base, ids, _) = populated_with(program, n, "150.00 EUR");
    let command = |i: u64| mixed_command(&ids, i);
    let mut stream = Stream::from(&base);
    group.bench_function(BenchmarkId::new("workload", n), |b| {
        stream.run(b, command, |ledger, command| {
            let _ = black_box(ledger.execute(command));
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
    refund_path,
    referral_path,
    replay,
    store,
    tick_nothing_due,
    tick_year_end_review
);
criterion_main!(benches);
