//! Memory: heap bytes held per member and per stored purchase, counted by a
//! global allocator that tallies every allocation and free. Run with
//! `cargo bench --bench memory`; it prints tables in Markdown, one for
//! the seed program, one for each of four others and one for
//! redemptions, and lines for the steady state, a member who joins with
//! a sign-up bonus, orders confirmed at another fraction of a second than
//! they were placed, orders with longer references and a command built
//! from borrowed ids (criterion measures time, not bytes).

// Benchmarks may use the clock and the environment; the library never does.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};

use chrono::TimeDelta;
use loyalty::{
    Cart, Command, Confirm, Enroll, Event, Ledger, MemberId, Money, Program, Purchase, Redeem,
    Reference, RewardId,
};

mod common;
use common::{CONFIRMED, EXPIRING, JOINING, SEED, SETTLING, TIERED, start};

/// The system allocator, counting the bytes live and the allocations made.
struct Counting;

// A global allocator is unsafe to implement; this one only forwards.

static LIVE: AtomicIsize = AtomicIsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// How the purchases are executed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Via {
    /// `Ledger::execute`, one at a time.
    Execute,
    /// `Ledger::execute_reusing`, handed back each decision's list of
    /// events, as a host that stores them and keeps the list does.
    Reusing,
    /// `Ledger::execute_all`, every purchase in one batch (the
    /// enrolments before it, one at a time).
    Batch,
}

/// How a member's orders come.
#[derive(Clone, Copy)]
struct Habit {
    /// Minutes between a member's orders.
    minutes_apart: i64,
    /// When each order is confirmed after it is placed, if it is.
    confirm_after: Option<TimeDelta>,
    /// The reference of member `i`'s order `k`.
    reference: fn(usize, usize) -> String,
}

/// An order a minute, none confirmed, named `ORD-{i}-{k}` (up to 11
/// bytes here).
const EVERY_MINUTE: Habit = Habit {
    minutes_apart: 1,
    confirm_after: None,
    reference: |i, k| format!("ORD-{i}-{k}"),
};

/// What building a ledger of `members` with `orders` purchases each cost
/// under the seed program: see [`measure_under`].
fn measure(members: usize, orders: usize, via: Via, counted_from: usize) -> (isize, usize, usize) {
    measure_under(SEED, members, orders, via, counted_from, EVERY_MINUTE)
}

/// Executes `command` `via` the ledger's one-at-a-time calls, handing
/// back `spare` when reusing: the events it gave.
fn execute(ledger: &mut Ledger, via: Via, command: Command, spare: Vec<Event>) -> Vec<Event> {
    let decision = match via {
        Via::Reusing => ledger.execute_reusing(command, spare),
        _ => ledger.execute(command),
    };
    decision.expect("the command succeeds").events
}

/// What building a ledger of `members` with `orders` purchases each cost
/// under `program`: the heap bytes it holds, the events it was built from,
/// and the heap allocations the purchases made, executed `via`: all of
/// them, or with `counted_from` above zero each member's purchases from
/// that one on (one at a time only; a batch counts all). Each member's
/// orders come as `habit` says; a confirmation's allocations (one at a
/// time only) are counted with its purchase's.
fn measure_under(
    program: &str,
    members: usize,
    orders: usize,
    via: Via,
    counted_from: usize,
    habit: Habit,
) -> (isize, usize, usize) {
    let program: Program = serde_json::from_str(program).expect("the program is valid");
    let amount: Money = "57.40 EUR".parse().expect("money");
    let ids: Vec<MemberId> = (0..members)
        .map(|i| MemberId::new(format!("member-{i:07}")).expect("a valid id"))
        .collect();
    let before = live();
    let mut ledger = Ledger::new(program);
    let mut events = 0_usize;
    let mut allocations = 0_usize;
    let mut spare: Vec<Event> = Vec::new();
    let mut batch: Vec<Purchase> = Vec::new();
    for (i, member) in ids.iter().enumerate() {
        let decision = ledger.execute(Enroll::new(member.clone(), start()));
        events += decision.expect("enrols").events.len();
        for k in 0..orders {
            let order = Reference::new((habit.reference)(i, k)).expect("a valid id");
            let at = start() + TimeDelta::minutes(k as i64 * habit.minutes_apart);
            let confirmation = habit
                .confirm_after
                .map(|after| Confirm::new(member.clone(), order.clone(), at + after));
            let command = Purchase::new(member.clone(), order, amount, at);
            if via == Via::Batch {
                batch.push(command);
                continue;
            }
            let before = ALLOCATIONS.load(Ordering::Relaxed);
            let lent = std::mem::take(&mut spare);
            let mut events_here = execute(&mut ledger, via, command.into(), lent);
            events += events_here.len();
            if let Some(confirmation) = confirmation {
                events_here = execute(&mut ledger, via, confirmation.into(), events_here);
                events += events_here.len();
            }
            if via == Via::Reusing {
                spare = events_here;
            }
            if k >= counted_from {
                allocations += ALLOCATIONS.load(Ordering::Relaxed) - before;
            }
        }
    }
    if via == Via::Batch {
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        ledger.execute_all(batch, |decision| {
            events += decision.expect("buys").events.len();
        });
        allocations += ALLOCATIONS.load(Ordering::Relaxed) - before;
    }
    let held = live() - before;
    drop(ledger);
    (held, events, allocations)
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else to parse.
    println!(
        "| members | orders each | heap held | per member | per stored purchase | allocations per purchase, `execute` | allocations per purchase, `execute_reusing` | … `execute_all` |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let (empty, _, _) = measure(10_000, 0, Via::Execute, 0);
    println!(
        "| 10000 | 0 | {:.1} MB | {:.0} B | — | — | — | — |",
        empty as f64 / 1e6,
        empty as f64 / 10_000.0
    );
    for (members, orders) in [
        (10_000, 1),
        (10_000, 3),
        (10_000, 10),
        (100_000, 10),
        (10_000, 100),
        (1_000, 1_000),
    ] {
        let (held, _, allocations) = measure(members, orders, Via::Execute, 0);
        let (_, _, reusing) = measure(members, orders, Via::Reusing, 0);
        let (_, _, batched) = measure(members, orders, Via::Batch, 0);
        let (empty, _, _) = measure(members, 0, Via::Execute, 0);
        let purchases = members * orders;
        println!(
            "| {members} | {orders} | {:.1} MB | {:.0} B | {:.0} B | {:.2} | {:.2} | {:.2} |",
            held as f64 / 1e6,
            empty as f64 / members as f64,
            (held - empty) as f64 / purchases as f64,
            allocations as f64 / purchases as f64,
            reusing as f64 / purchases as f64,
            batched as f64 / purchases as f64,
        );
    }
    // The steady state: each member's last hundred of a thousand orders,
    // their lists long past their first growth.
    let (members, orders, last) = (1_000, 1_000, 100);
    let (_, _, one_at_a_time) = measure(members, orders, Via::Execute, orders - last);
    let (_, _, reusing) = measure(members, orders, Via::Reusing, orders - last);
    println!();
    println!(
        "Steady state, {members} members, each member's orders {} to {orders}: {:.3} allocations per purchase through `execute`, {:.3} through `execute_reusing`.",
        orders - last + 1,
        one_at_a_time as f64 / (members * last) as f64,
        reusing as f64 / (members * last) as f64,
    );
    // Members who join with a sign-up bonus: the bonus is their first
    // journal entry.
    let members = 10_000;
    let (joined, _, _) = measure_under(JOINING, members, 0, Via::Reusing, 0, EVERY_MINUTE);
    let (held, _, _) = measure_under(JOINING, members, 10, Via::Reusing, 0, EVERY_MINUTE);
    println!();
    println!(
        "Joining with a sign-up bonus of 50 points, {members} members: {:.0} B a member, {:.0} B a stored purchase at ten orders each.",
        joined as f64 / members as f64,
        (held - joined) as f64 / (members * 10) as f64,
    );
    // Points that expire a year after they are earned: each purchase's
    // lot is held with its expiry date.
    under_program(
        EXPIRING,
        "Points expiring a year after earning:",
        EVERY_MINUTE,
    );
    // Under a tier ladder: a member's purchases past the first rung earn
    // a multiplier line beside the base one, which their records keep.
    under_program(
        TIERED,
        "Under the Bronze / Silver / Gold ladder by calendar-year spend (silver from the ninth order of 57.40 EUR, gold from the eighteenth):",
        EVERY_MINUTE,
    );
    // Points pending until the host confirms the order, each order
    // confirmed: its record keeps the confirmation, for a retry's receipt.
    under_program(
        CONFIRMED,
        "Points pending until the order is confirmed, each order confirmed half a minute after it is placed (a purchase and its confirmation):",
        Habit {
            confirm_after: Some(TimeDelta::seconds(30)),
            ..EVERY_MINUTE
        },
    );
    // The same, each confirmation stamped by a clock that reads to the
    // microsecond: its time's fraction of a second is not the order's.
    let members = 10_000;
    let fine = Habit {
        confirm_after: Some(TimeDelta::microseconds(30_123_456)),
        ..EVERY_MINUTE
    };
    let (none, _, _) = measure_under(CONFIRMED, members, 0, Via::Reusing, 0, fine);
    let (held, _, allocations) = measure_under(CONFIRMED, members, 10, Via::Reusing, 0, fine);
    println!();
    println!(
        "The same, each order confirmed 30.123456 seconds after it is placed, {members} members with ten orders each: {:.0} B a stored purchase, {:.2} allocations per purchase and confirmation.",
        (held - none) as f64 / (members * 10) as f64,
        allocations as f64 / (members * 10) as f64,
    );
    // Points pending a day, each member's orders a day and a minute
    // apart: each purchase's sweep first settles the member's previous
    // order, whose lot becomes spendable.
    under_program(
        SETTLING,
        "Points pending a day, each member's orders a day and a minute apart (each purchase settling the member's previous order):",
        Habit {
            minutes_apart: 24 * 60 + 1,
            ..EVERY_MINUTE
        },
    );
    // Longer order references: a shop's order numbers of 18 bytes, packed
    // in the list's key; the same with a character the key does not
    // pack, held as text beside the records; and UUIDs of 36.
    let members = 10_000;
    let (none, _, _) = measure(members, 0, Via::Reusing, 0);
    for (name, reference) in [
        (
            "18-byte order numbers (ORD-2026-000001234)",
            (|i, k| format!("ORD-2026-{:09}", i * 10 + k)) as fn(usize, usize) -> String,
        ),
        (
            "18-byte references with slashes (ORD/2026/000001234)",
            |i, k| format!("ORD/2026/{:09}", i * 10 + k),
        ),
        ("36-byte UUIDs", |i, k| {
            format!(
                "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                i,
                k,
                i % 4096,
                k % 4096,
                i * 7 + k
            )
        }),
    ] {
        let named = Habit {
            reference,
            ..EVERY_MINUTE
        };
        let (held, _, _) = measure_under(SEED, members, 10, Via::Reusing, 0, named);
        println!();
        println!(
            "Orders named by {name}, {members} members with ten orders each: {:.0} B a stored purchase.",
            (held - none) as f64 / (members * 10) as f64,
        );
    }
    // Redemptions: each member buys enough points once, then spends them
    // 100 at a time on the seed program's reward.
    redemptions();
    // A host builds each command from text it holds (a request's body, a
    // database row): what that costs before the ledger sees the command.
    let amount: Money = "57.40 EUR".parse().expect("money");
    let (member, order) = (
        String::from("member-0000042"),
        String::from("ORD-2026-000123"),
    );
    let commands = 10_000;
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..commands {
        let purchase = Purchase::new(
            MemberId::new(member.as_str()).expect("a valid id"),
            Reference::new(order.as_str()).expect("a valid id"),
            amount,
            start(),
        );
        std::hint::black_box(purchase);
    }
    println!();
    println!(
        "A purchase command built from borrowed ids of up to 22 bytes: {:.2} allocations a command.",
        (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / commands as f64,
    );
}

/// What building a ledger of `members` who each buy 100,000 points in
/// one order, then redeem 100 of them `redemptions` times (a minute
/// apart, through `execute_reusing`) cost: the heap bytes it holds, and
/// the heap allocations the redemptions made.
fn measure_redemptions(members: usize, redemptions: usize) -> (isize, usize) {
    let program: Program = serde_json::from_str(SEED).expect("the program is valid");
    let stock: Money = "100000.00 EUR".parse().expect("money");
    let cart = Cart::new("80.00 EUR".parse().expect("money"));
    let reward: RewardId = "ten-percent-off".parse().expect("a reward id");
    let before = live();
    let mut ledger = Ledger::new(program);
    let mut allocations = 0_usize;
    let mut spare: Vec<Event> = Vec::new();
    for i in 0..members {
        let member = MemberId::new(format!("member-{i:07}")).expect("a valid id");
        ledger
            .execute(Enroll::new(member.clone(), start()))
            .expect("enrols");
        let order = Reference::new(format!("ORD-{i}")).expect("a valid id");
        ledger
            .execute(Purchase::new(member.clone(), order, stock, start()))
            .expect("buys");
        for k in 0..redemptions {
            let reference = Reference::new(format!("RDM-{i}-{k}")).expect("a valid id");
            let at = start() + TimeDelta::minutes(1 + k as i64);
            let redeem = Redeem::new(member.clone(), reference, reward.clone(), cart.clone(), at);
            let counted = ALLOCATIONS.load(Ordering::Relaxed);
            spare = execute(
                &mut ledger,
                Via::Reusing,
                redeem.into(),
                std::mem::take(&mut spare),
            );
            allocations += ALLOCATIONS.load(Ordering::Relaxed) - counted;
        }
    }
    let held = live() - before;
    drop(ledger);
    (held, allocations)
}

/// Prints what a stored redemption costs at ten, a hundred and a
/// thousand redemptions a member.
fn redemptions() {
    let title = "Redemptions of 100 points for 10% off an 80.00 EUR cart, each member's points bought in one order first:";
    table(
        title,
        ("redemptions", "redemption"),
        |members, redemptions| {
            let (held, allocations) = measure_redemptions(members, redemptions);
            let (bought, _) = measure_redemptions(members, 0);
            (held, bought, allocations)
        },
    );
}

/// Prints, under `title`, a table of what a stored `what` costs at ten,
/// a hundred and a thousand `counted` a member: `measure` gives the heap
/// bytes held with that many each, without any, and the allocations
/// they made.
fn table(
    title: &str,
    (counted, what): (&str, &str),
    measure: impl Fn(usize, usize) -> (isize, isize, usize),
) {
    println!();
    println!(
        "{title}\n\n| members | {counted} each | heap held | per stored {what} | allocations per {what}, `execute_reusing` |"
    );
    println!("| --- | --- | --- | --- | --- |");
    for (members, each) in [(10_000, 10), (10_000, 100), (1_000, 1_000)] {
        let (held, without, allocations) = measure(members, each);
        let stored = members * each;
        println!(
            "| {members} | {each} | {:.1} MB | {:.0} B | {:.2} |",
            held as f64 / 1e6,
            (held - without) as f64 / stored as f64,
            allocations as f64 / stored as f64,
        );
    }
}

/// Prints what a stored purchase costs under `program` at ten, a hundred
/// and a thousand orders a member, executed through `execute_reusing`
/// as `habit` says, under `title`.
fn under_program(program: &str, title: &str, habit: Habit) {
    table(title, ("orders", "purchase"), |members, orders| {
        let (held, _, reusing) = measure_under(program, members, orders, Via::Reusing, 0, habit);
        let (empty, _, _) = measure_under(program, members, 0, Via::Reusing, 0, habit);
        (held, empty, reusing)
    });
}
