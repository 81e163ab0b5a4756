//! What the ledger benchmarks share: the programs, the generated members
//! and commands, the steady stream of commands against one long-lived
//! ledger, and the two baselines (the minimal loop and the SQLite ledger).

// Each bench target uses part of this module.
#![allow(dead_code)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use criterion::measurement::WallTime;
use criterion::{Bencher, BenchmarkGroup, BenchmarkId, Criterion, Throughput};
use loyalty::{
    Adjust, Cart, Command, Enroll, Event, Ledger, MemberId, Money, Points, Program, Purchase,
    Redeem, Reference, Refund, Tick,
};

/// The seed program: 1 point per euro, 100 points buy 10% off.
pub const SEED: &str = r#"{
    "currency": "EUR",
    "earn": {"points": 1, "per": "1.00", "rounding": "floor"},
    "rewards": [{"id": "ten-percent-off", "cost": 100, "kind": "percent_off", "percent": "10"}]
}"#;

/// The seed program with a sign-up bonus of 50 points.
pub const JOINING: &str = r#"{
    "currency": "EUR",
    "earn": {"points": 1, "per": "1.00", "rounding": "floor"},
    "rewards": [{"id": "ten-percent-off", "cost": 100, "kind": "percent_off", "percent": "10"}],
    "bonuses": {"sign_up": 50}
}"#;

/// The seed program with points that expire a year after they are earned.
pub const EXPIRING: &str = r#"{
    "currency": "EUR",
    "earn": {"points": 1, "per": "1.00", "rounding": "floor"},
    "rewards": [{"id": "ten-percent-off", "cost": 100, "kind": "percent_off", "percent": "10"}],
    "expiry": {"policy": "after_earning", "days": 365}
}"#;

/// The seed program with points pending for a day after each purchase.
pub const SETTLING: &str = r#"{
    "currency": "EUR",
    "earn": {"points": 1, "per": "1.00", "rounding": "floor"},
    "rewards": [{"id": "ten-percent-off", "cost": 100, "kind": "percent_off", "percent": "10"}],
    "pending": {"days": 1}
}"#;

/// The seed program with points pending until the host confirms the
/// order.
pub const CONFIRMED: &str = r#"{
    "currency": "EUR",
    "earn": {"points": 1, "per": "1.00", "rounding": "floor"},
    "rewards": [{"id": "ten-percent-off", "cost": 100, "kind": "percent_off", "percent": "10"}],
    "pending": {"settle": "on_confirmation"}
}"#;

/// The seed program with points that expire after a year without
/// activity: every purchase moves the member's deadline.
pub const INACTIVITY: &str = r#"{
    "currency": "EUR",
    "earn": {"points": 1, "per": "1.00", "rounding": "floor"},
    "rewards": [{"id": "ten-percent-off", "cost": 100, "kind": "percent_off", "percent": "10"}],
    "expiry": {"policy": "after_inactivity", "days": 365}
}"#;

/// The seed program with a Bronze / Silver / Gold ladder by calendar-year
/// spend, reviewed at year end.
pub const TIERED: &str = r#"{
    "currency": "EUR",
    "earn": {"points": 1, "per": "1.00", "rounding": "floor", "stacking": "multiply"},
    "rewards": [{"id": "ten-percent-off", "cost": 100, "kind": "percent_off", "percent": "10"}],
    "tiers": {"metric": "spend", "window": "calendar_year", "review": "period_end", "grace_days": 30,
              "levels": [{"id": "bronze", "threshold": "0"},
                         {"id": "silver", "threshold": "500", "multiplier": "1.25"},
                         {"id": "gold", "threshold": "1000", "multiplier": "1.5"}]}
}"#;

/// The tier ladder over a rolling window: the last 365 days' spend,
/// reviewed a year after each tier is reached.
pub const ROLLING: &str = r#"{
    "currency": "EUR",
    "earn": {"points": 1, "per": "1.00", "rounding": "floor", "stacking": "multiply"},
    "rewards": [{"id": "ten-percent-off", "cost": 100, "kind": "percent_off", "percent": "10"}],
    "tiers": {"metric": "spend", "window": "rolling", "rolling_days": 365, "review": "anniversary",
              "grace_days": 30,
              "levels": [{"id": "bronze", "threshold": "0"},
                         {"id": "silver", "threshold": "500", "multiplier": "1.25"},
                         {"id": "gold", "threshold": "1000", "multiplier": "1.5"}]}
}"#;

/// The seed program with a referral ladder, double-sided, with an upline
/// reward: a friend's first order of 30.00 EUR or more qualifies.
pub const REFERRING: &str = r#"{
    "currency": "EUR",
    "earn": {"points": 1, "per": "1.00", "rounding": "floor"},
    "referrals": {"secret": "a benchmark secret, sixteen+", "minimum_order": "30.00",
                  "referee": {"points": 50}, "upline": [20],
                  "ladder": [{"from": 1, "points": 100}, {"from": 5, "points": 150}],
                  "milestones": [{"at": 10, "points": 500}]}
}"#;

/// The tiered program with a double-points campaign on Saturdays.
pub const MIXED: &str = r#"{
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

/// A program from one of the texts above.
pub fn parse(text: &str) -> Program {
    serde_json::from_str(text).expect("the benchmark program is valid")
}

/// The seed program.
pub fn program() -> Program {
    parse(SEED)
}

/// When every benchmark's story starts.
pub fn start() -> DateTime<Utc> {
    "2026-01-01T00:00:00Z".parse().expect("a valid time")
}

/// `n` member ids.
/// The ticks' ledger: `n` members under points that expire a year after
/// earning, each enrolled with one purchase of 150.00 EUR, one in a
/// hundred on the first day and the others a hundred days later, so that
/// a tick a year and a day in finds one in a hundred due.
pub fn one_in_a_hundred_due(n: usize) -> Ledger {
    let mut ledger = Ledger::new(parse(EXPIRING));
    let amount: Money = "150.00 EUR".parse().expect("money");
    for (i, m) in members(n).into_iter().enumerate() {
        ledger
            .execute(Enroll::new(m.clone(), start()))
            .expect("enrols");
        let bought = if i % 100 == 0 {
            start()
        } else {
            start() + TimeDelta::days(100)
        };
        let order = Reference::new(format!("W-{i}")).expect("a valid id");
        ledger
            .execute(Purchase::new(m, order, amount, bought))
            .expect("buys");
    }
    ledger
}

pub fn members(n: usize) -> Vec<MemberId> {
    (0..n)
        .map(|i| MemberId::new(format!("member-{i:07}")).expect("a valid id"))
        .collect()
}

/// Whether the command line selects anything in `group`: criterion runs
/// every group's setup even when a filter selects one benchmark, and the
/// large groups take minutes and gigabytes to set up. `benchmarks` are the
/// group's benchmark ids (`"group/name"`); a filter selects the group when
/// it (or one of its `|` alternatives) is part of one of them or starts
/// with one. A filter with other regex syntax selects everything.
pub fn wanted(benchmarks: &[&str]) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let plain = |f: &str| f.chars().all(|c| c.is_alphanumeric() || "_/|".contains(c));
    filters.iter().all(|f| !plain(f))
        || filters.iter().any(|f| {
            plain(f)
                && f.split('|').any(|alt| {
                    benchmarks
                        .iter()
                        .any(|id| id.contains(alt) || alt.starts_with(id))
                })
        })
}

/// How far apart the members' histories start in [`populated_with`]:
/// member `i` placed `i % HISTORY_SPREAD` small orders before the stream.
///
/// A member's lists double as they fill (at 4, 8, 16, 32 records...). If
/// every member started with the same history, a stream that visits them
/// in turn would make every member's lists double in the same 10 K
/// commands, which cost up to twice the others, and a figure would depend
/// on whether criterion's largest samples fell there. Spread histories, as
/// in a shop, make every stretch of the stream cost the same.
pub const HISTORY_SPREAD: usize = 32;

/// A ledger with `n` enrolled members who each spent `spent` once, then
/// `i % HISTORY_SPREAD` orders of 1.00 EUR (member `i`), and the events it
/// was built from.
pub fn populated_with(
    program: Program,
    n: usize,
    spent: &str,
) -> (Ledger, Vec<MemberId>, Vec<Event>) {
    populated_spread(program, n, spent, HISTORY_SPREAD)
}

/// As [`populated_with`], member `i` placing `i % spread` small orders
/// after the first (none when `spread` is 1).
pub fn populated_spread(
    program: Program,
    n: usize,
    spent: &str,
    spread: usize,
) -> (Ledger, Vec<MemberId>, Vec<Event>) {
    let ids = members(n);
    let mut ledger = Ledger::new(program);
    let mut log = Vec::new();
    let amount: Money = spent.parse().expect("money");
    let small: Money = "1.00 EUR".parse().expect("money");
    for (i, m) in ids.iter().enumerate() {
        let enrol = ledger.execute(Enroll::new(m.clone(), start()));
        log.extend(enrol.expect("enrols").events);
        let order = Reference::new(format!("W-{i}")).expect("a valid id");
        let buy = ledger.execute(Purchase::new(m.clone(), order, amount, start()));
        log.extend(buy.expect("buys").events);
        for k in 0..i % spread.max(1) {
            let order = Reference::new(format!("S-{i}-{k}")).expect("a valid id");
            let buy = ledger.execute(Purchase::new(m.clone(), order, small, start()));
            log.extend(buy.expect("buys").events);
        }
    }
    (ledger, ids, log)
}

/// Executes `command(i, k)` for `k` in `0..i % HISTORY_SPREAD` on each
/// member `i`: spreads a history of some other kind of command as
/// [`populated_with`] spreads the orders.
pub fn spread(ledger: &mut Ledger, ids: &[MemberId], command: impl Fn(usize, usize) -> Command) {
    for i in 0..ids.len() {
        for k in 0..i % HISTORY_SPREAD {
            ledger.execute(command(i, k)).expect("accepted");
        }
    }
}

/// As [`populated_with`], under the seed program.
pub fn populated(n: usize, spent: &str) -> (Ledger, Vec<MemberId>, Vec<Event>) {
    populated_with(program(), n, spent)
}

/// The order in which a stream's commands visit the members.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visit {
    /// In turn, in the order they enrolled: the order their accounts were
    /// allocated in, which the processor's prefetchers follow.
    InTurn,
    /// Every member once a round, as in turn, but scattered over the
    /// accounts as a shop's customers arrive: each command's member is
    /// about 435 K enrolments away from the last one's at 1 M members.
    Scattered,
}

impl Visit {
    /// A prime above any member count here: stepping by it modulo the
    /// number of members visits each member once a round.
    const STEP: u64 = 2_654_435_761;

    /// The index of the member the `n`th command goes to, of `members`.
    pub fn member(self, n: u64, members: usize) -> usize {
        let members = members as u64;
        let turn = n % members;
        match self {
            Visit::InTurn => turn as usize,
            Visit::Scattered => (turn * Visit::STEP % members) as usize,
        }
    }

    /// A benchmark's name in this order: `name` in turn, `name_scattered`
    /// otherwise.
    pub fn name(self, name: &str) -> String {
        match self {
            Visit::InTurn => name.to_owned(),
            Visit::Scattered => format!("{name}_scattered"),
        }
    }

    /// Rearranges `events`, one for each of its members in the order they
    /// enrolled, into this order: the event at position `j` is then the
    /// one of member [`member(j)`](Visit::member).
    pub fn arrange<T>(self, events: &mut [T]) {
        let n = events.len();
        let mut placed = vec![false; n];
        for first in 0..n {
            // Follow the cycle through `first`: each swap brings the event
            // position `at` wants, and carries `first`'s own on.
            let mut at = first;
            while !placed[at] {
                placed[at] = true;
                let from = self.member(at as u64, n);
                if from == first {
                    break;
                }
                events.swap(at, from);
                at = from;
            }
        }
    }
}

/// The `n`th purchase of the stream: 57.40 EUR, members in turn, a second
/// apart, starting a minute after the story starts.
pub fn purchase(ids: &[MemberId], n: u64) -> Purchase {
    purchase_in(Visit::InTurn, ids, n)
}

/// Redemption `i` of the stream: `member` redeems the seed program's
/// 10% off (100 points) on an 80.00 EUR cart at `at`.
pub fn redemption(member: MemberId, i: u64, at: DateTime<Utc>) -> Command {
    Redeem::new(
        member,
        Reference::new(format!("RDM-{i}")).expect("a valid id"),
        "ten-percent-off".parse().expect("a reward id"),
        Cart::new("80.00 EUR".parse().expect("money")),
        at,
    )
    .into()
}

/// Command `i` of the mixed workload over `ids`, members in turn: of
/// every 20 commands 14 purchases, 3 redemptions, 1 refund, 1 adjustment
/// and 1 tick. Each round of `ids.len()` commands shifts which of the 20
/// kinds a member's command is, so every member buys, redeems, gets
/// refunds and adjustments.
pub fn mixed_command(ids: &[MemberId], i: u64) -> Command {
    let at = start() + TimeDelta::seconds(60 + i as i64);
    let n = ids.len() as u64;
    let member = ids[(i % n) as usize].clone();
    let round = i / n;
    match (i + round) % 20 {
        0..14 => purchase(ids, i).into(),
        14..17 => redemption(member, i, at),
        // Part of the purchase this member made four rounds ago (their
        // command then was the 14th kind, a purchase), or of their first
        // order in the first four rounds.
        17 => Refund::new(
            member,
            match i.checked_sub(4 * n) {
                Some(earlier) => Reference::new(format!("ORD-{earlier}")),
                None => Reference::new(format!("W-{}", i % n)),
            }
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
}

/// As [`purchase`], members visited in `visit`'s order.
pub fn purchase_in(visit: Visit, ids: &[MemberId], n: u64) -> Purchase {
    let amount: Money = "57.40 EUR".parse().expect("money");
    let member = ids[visit.member(n, ids.len())].clone();
    let order = Reference::new(format!("ORD-{n}")).expect("a valid id");
    Purchase::new(
        member,
        order,
        amount,
        start() + TimeDelta::seconds(60 + n as i64),
    )
}

/// Purchase `n` of the stream stamped to the microsecond, as a host
/// whose clock reads microseconds stamps it: its time moved on by a
/// fraction of a second that differs from purchase to purchase.
pub fn stamped(mut bought: Purchase, n: u64) -> Purchase {
    bought.at += TimeDelta::microseconds((n as i64 * 7_919) % 1_000_000);
    bought
}

/// Purchases a ledger takes before a benchmark starts again from its
/// initial state: the history stays between none and 50 orders per member
/// at 10 K members, so each figure is the cost at a stated size.
pub const HISTORY_WINDOW: u64 = 500_000;

/// A steady stream of commands (`command(0)`, `command(1)`, ...) against
/// one long-lived ledger: each sample continues where the last stopped, as
/// a host's ledger would. Made outside `bench_function` (criterion calls
/// its closure once per sample), so the ledger and the stream's position
/// outlive the samples.
pub struct Stream<'a> {
    ledger: Ledger,
    /// Where to start again, and after how many commands; `None` for
    /// ledgers too large to copy, whose history a benchmark's commands
    /// barely change.
    reset: Option<(&'a Ledger, u64)>,
    next: u64,
}

impl<'a> Stream<'a> {
    /// A stream that starts again from a copy of `base` (made outside the
    /// clock) every [`HISTORY_WINDOW`] commands, so each figure is the
    /// cost at a stated size.
    pub fn from(base: &'a Ledger) -> Stream<'a> {
        Stream::every(base, HISTORY_WINDOW)
    }

    /// As [`Stream::from`], starting again every `window` commands.
    pub fn every(base: &'a Ledger, window: u64) -> Stream<'a> {
        Stream {
            ledger: base.clone(),
            reset: Some((base, window)),
            next: 0,
        }
    }

    /// A stream that goes on from `ledger` for as long as the benchmark
    /// runs.
    pub fn endless(ledger: Ledger) -> Stream<'static> {
        Stream {
            ledger,
            reset: None,
            next: 0,
        }
    }

    /// Times `step` on the stream's next commands, generated before the
    /// clock starts.
    pub fn run<C>(
        &mut self,
        b: &mut Bencher<'_>,
        command: impl Fn(u64) -> C,
        mut step: impl FnMut(&mut Ledger, C),
    ) {
        self.run_all(b, command, |ledger, commands| {
            for command in commands {
                step(ledger, command);
            }
        })
    }

    /// Times `steps` on all of the stream's next commands of a sample at
    /// once, generated before the clock starts. A sample that does not
    /// fit what is left of the window starts it again; one longer than
    /// the window runs a window at a time, each from a fresh copy made
    /// outside the clock.
    fn run_all<C>(
        &mut self,
        b: &mut Bencher<'_>,
        command: impl Fn(u64) -> C,
        mut steps: impl FnMut(&mut Ledger, Vec<C>),
    ) {
        b.iter_custom(|iters| {
            let mut elapsed = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let mut part = left;
                if let Some((base, window)) = self.reset {
                    part = part.min(window);
                    if self.next + part > window {
                        self.ledger = base.clone();
                        self.next = 0;
                    }
                }
                let commands: Vec<C> = (self.next..self.next + part).map(&command).collect();
                self.next += part;
                left -= part;
                let clock = Instant::now();
                steps(&mut self.ledger, commands);
                elapsed += clock.elapsed();
            }
            elapsed
        })
    }

    /// Times executing the stream's next commands, each of which must be
    /// accepted.
    pub fn execute<C: Into<Command>>(&mut self, b: &mut Bencher<'_>, command: impl Fn(u64) -> C) {
        self.run(b, command, |ledger, command| {
            black_box(ledger.execute(command).expect("accepted"));
        })
    }

    /// As [`Stream::execute`], through `Ledger::execute_all` in batches of
    /// [`BATCH`] commands (the last of a sample shorter).
    pub fn execute_all<C: Into<Command>>(
        &mut self,
        b: &mut Bencher<'_>,
        command: impl Fn(u64) -> C,
    ) {
        self.run_all(b, command, |ledger, commands| {
            let mut commands = commands.into_iter().peekable();
            while commands.peek().is_some() {
                ledger.execute_all(commands.by_ref().take(BATCH), |result| {
                    black_box(result.expect("accepted"));
                });
            }
        })
    }
}

/// How many commands [`Stream::execute_all`] gives `Ledger::execute_all`
/// at a time: as many as the SQLite baseline commits in one transaction.
pub const BATCH: usize = 1_000;

/// A 32-byte posting: what the minimal loop appends.
#[derive(Clone, Copy)]
pub struct RawPosting {
    pub member: u32,
    pub kind: u32,
    pub order: u64,
    pub points: i64,
    pub at: i64,
}

/// The stream's purchases as plain numbers, members visited in `visit`'s
/// order: member index, order number, cents, seconds.
pub fn raw_purchases(
    visit: Visit,
    members: usize,
    from: u64,
    count: u64,
) -> Vec<(u32, u64, i64, i64)> {
    (from..from + count)
        .map(|n| {
            let member = visit.member(n, members) as u32;
            (member, n, 5_740, 60 + n as i64)
        })
        .collect()
}

/// Both baselines over `n` members visited in `visit`'s order, in the same
/// run as the ledger's figures: the group `baseline`, named as
/// [`Visit::name`] names them.
pub fn baselines(c: &mut Criterion, n: usize, visit: Visit) {
    let minimal = visit.name("minimal_loop");
    let sql = visit.name("sqlite");
    let mut group = c.benchmark_group("baseline");
    group.throughput(Throughput::Elements(1));
    if wanted(&[format!("baseline/{minimal}").as_str()]) {
        minimal_loop(&mut group, &minimal, n, visit);
    }
    if wanted(&[format!("baseline/{sql}").as_str()]) {
        sqlite(&mut group, &sql, n, visit);
    }
    group.finish();
}

/// Baseline 1, the bound the hardware gives: append a 32-byte posting to a
/// `Vec` and add the points to an `i64` balance by member index, for the
/// stream's purchases over `n` members.
fn minimal_loop(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, n: usize, visit: Visit) {
    assert_eq!(std::mem::size_of::<RawPosting>(), 32);
    let mut balances = vec![150_i64; n];
    let mut postings: Vec<RawPosting> = Vec::with_capacity(HISTORY_WINDOW as usize);
    let mut next = 0_u64;
    group.bench_function(BenchmarkId::new(name, n), |b| {
        b.iter_custom(|iters| {
            if next + iters > HISTORY_WINDOW {
                postings.clear();
                next = 0;
            }
            let inputs = raw_purchases(visit, n, next, iters);
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
}

/// Baseline 2, the same ledger as a backend team would write it in SQL:
/// SQLite in memory, prepared statements, one transaction per 1,000
/// orders, a postings table with the order id as its idempotency key, and
/// a balances table, over `n` members.
fn sqlite(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, n: usize, visit: Visit) {
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
    group.bench_function(BenchmarkId::new(name, n), |b| {
        b.iter_custom(|iters| {
            let inputs: Vec<(String, i64, i64, i64)> = raw_purchases(visit, n, next, iters)
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
}
