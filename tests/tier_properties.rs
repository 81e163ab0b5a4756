//! Properties of tiers: a member's tier is a function of their qualifying
//! history (orders, refunds) and the review dates alone — redemptions,
//! adjustments, transfers, paid memberships and ticks leave it as it is —
//! and a re-evaluation under an unchanged program changes nothing. (That
//! upgrades are never delayed and replay reproduces tiers is checked on
//! every command of `invariants`.)

use chrono::{DateTime, Duration, Utc};
use loyalty::*;
use proptest::prelude::*;
use rust_decimal::Decimal;

/// Ladders measured by spend or orders (points earned depend on the
/// multiplier a membership lends, so they are not "qualifying history
/// alone").
const LADDERS: [&str; 3] = [
    r#"{"metric": "spend", "window": "calendar_year", "review": "period_end", "grace_days": 20,
        "levels": [{"id": "bronze", "threshold": "0"}, {"id": "silver", "threshold": "200", "multiplier": "1.25"},
                   {"id": "gold", "threshold": "600", "multiplier": "1.5"}]}"#,
    r#"{"metric": "orders", "window": "rolling", "rolling_days": 60, "review": "anniversary",
        "downgrade": "to_earned",
        "levels": [{"id": "silver", "threshold": "2"}, {"id": "gold", "threshold": "4", "multiplier": "2"},
                   {"id": "platinum", "threshold": "7", "never_downgrade": true}]}"#,
    r#"{"metric": "spend", "window": "calendar_year", "through_next_year": true, "review": "period_end",
        "levels": [{"id": "silver", "threshold": "150.00"}, {"id": "gold", "threshold": "900", "multiplier": "3"}]}"#,
];

fn program(ladder: usize) -> Program {
    let json = format!(
        r#"{{"currency": "EUR", "utc_offset": "+01:00",
            "earn": {{"points": 1, "per": "1.00", "stacking": "multiply"}},
            "rewards": [{{"id": "ten", "cost": 100, "kind": "percent_off", "percent": "10"}}],
            "expiry": {{"policy": "after_earning", "days": 120}},
            "refunds": {{"negative_balance": "clamp"}},
            "tiers": {},
            "memberships": [
              {{"id": "plus", "tier": "gold", "fee": "49.00", "term_months": 3}},
              {{"id": "monthly", "tier": "silver", "fee": "9.99", "term_days": 30, "renewal": "automatic",
                "cancellation": "pro_rata", "fee_earns_points": true}}]}}"#,
        LADDERS[ladder]
    );
    serde_json::from_str(&json).unwrap()
}

/// A step of member m0's story: what qualifies, or noise that must not
/// change their tier.
#[derive(Debug, Clone)]
enum Step {
    Buy(usize, i64),
    Refund(usize, usize, i64),
    Redeem(usize),
    Adjust(usize, i64),
    GiftFromFriend(usize, i64),
    GiftToFriend(usize, i64),
    Join(bool, usize),
    Cancel(usize),
    Renew(usize),
    Tick,
}

impl Step {
    fn qualifies(&self) -> bool {
        matches!(self, Step::Buy(..) | Step::Refund(..))
    }

    fn command(&self, at: DateTime<Utc>) -> Command {
        let ana: MemberId = "m0".parse().unwrap();
        let friend: MemberId = "m1".parse().unwrap();
        let r = |prefix: &str, i: usize| -> Reference { format!("{prefix}-{i}").parse().unwrap() };
        match self {
            Step::Buy(order, cents) => Purchase::new(ana, r("O", *order), eur(*cents), at).into(),
            Step::Refund(order, refund, cents) => {
                Refund::new(ana, r("O", *order), r("F", *refund), eur(*cents), at).into()
            }
            Step::Redeem(i) => Redeem::new(
                ana,
                r("R", *i),
                "ten".parse().unwrap(),
                Cart::new(eur(5_000)),
                at,
            )
            .into(),
            Step::Adjust(i, points) => {
                Adjust::new(ana, r("A", *i), Points::new(*points), "goodwill", at).into()
            }
            Step::GiftFromFriend(i, points) => {
                Transfer::new(friend, ana, r("T", *i), Points::new(*points), at).into()
            }
            Step::GiftToFriend(i, points) => {
                Transfer::new(ana, friend, r("G", *i), Points::new(*points), at).into()
            }
            Step::Join(plus, i) => {
                let which = if *plus { "plus" } else { "monthly" };
                JoinMembership::new(ana, which.parse().unwrap(), r("PAY", *i), at).into()
            }
            Step::Cancel(i) => CancelMembership::new(ana, r("CXL", *i), at).into(),
            Step::Renew(i) => RenewMembership::new(ana, r("REN", *i), at).into(),
            Step::Tick => Tick::new(at).into(),
        }
    }
}

fn eur(cents: i64) -> Money {
    Money::new(Decimal::new(cents, 2), Currency::EUR)
}

fn step_strategy() -> impl Strategy<Value = (i64, Step)> {
    let day = 86_400_i64;
    let dt = prop_oneof![2 => 0..day, 4 => day..40 * day, 1 => 40 * day..300 * day];
    let step = prop_oneof![
        6 => (0..8_usize, 1..40_000_i64).prop_map(|(o, c)| Step::Buy(o, c)),
        3 => (0..8_usize, 0..6_usize, 1..20_000_i64).prop_map(|(o, f, c)| Step::Refund(o, f, c)),
        2 => (0..4_usize).prop_map(Step::Redeem),
        2 => (0..4_usize, -150..300_i64).prop_map(|(i, p)| Step::Adjust(i, p)),
        1 => (0..4_usize, 1..200_i64).prop_map(|(i, p)| Step::GiftFromFriend(i, p)),
        1 => (0..4_usize, 1..200_i64).prop_map(|(i, p)| Step::GiftToFriend(i, p)),
        2 => (any::<bool>(), 0..4_usize).prop_map(|(p, i)| Step::Join(p, i)),
        1 => (0..4_usize).prop_map(Step::Cancel),
        1 => (0..4_usize).prop_map(Step::Renew),
        2 => Just(Step::Tick),
    ];
    (dt, step)
}

/// Runs m0's story, with or without the noise, and returns m0's tier
/// events and final tier status.
fn run(
    program: &Program,
    steps: &[(i64, Step)],
    noise: bool,
) -> Result<(Vec<Event>, TierStatus), TestCaseError> {
    let start: DateTime<Utc> = "2026-01-01T09:00:00Z".parse().unwrap();
    let mut ledger = Ledger::new(program.clone());
    let mut log = Vec::new();
    let mut enrol = vec![Enroll::new("m0".parse().unwrap(), start)];
    if noise {
        enrol.push(Enroll::new("m1".parse().unwrap(), start));
    }
    for e in enrol {
        log.extend(ledger.execute(e).unwrap().events);
    }
    if noise {
        let friend = Adjust::new(
            "m1".parse().unwrap(),
            "SEED".parse().unwrap(),
            Points::new(5_000),
            "seed",
            start,
        );
        log.extend(ledger.execute(friend).unwrap().events);
    }
    let mut now = start;
    for (dt, step) in steps {
        now += Duration::seconds(*dt);
        if !noise && !step.qualifies() {
            continue;
        }
        if let Ok(decision) = ledger.execute(step.command(now)) {
            log.extend(decision.events);
        }
    }
    let end = now + Duration::days(800);
    log.extend(ledger.execute(Tick::new(end)).unwrap().events);
    prop_assert_eq!(&Ledger::replay(program.clone(), &log).unwrap(), &ledger);
    let member: MemberId = "m0".parse().unwrap();
    let tiers = log
        .into_iter()
        .filter(|e| {
            e.member() == &member && matches!(e, Event::TierChanged(_) | Event::TierReviewed(_))
        })
        .collect();
    let status = ledger.tier_status(&member, end).unwrap();
    Ok((tiers, status))
}

proptest! {
    #![proptest_config(ProptestConfig::default())]

    /// The tier is a function of the qualifying history and the review
    /// dates alone: the same orders and refunds at the same times give the
    /// same tier events, whatever else the member did and whenever the
    /// host's ticks ran.
    #[test]
    fn the_tier_depends_on_the_qualifying_history_alone(
        ladder in 0..LADDERS.len(),
        steps in proptest::collection::vec(step_strategy(), 1..60),
    ) {
        let program = program(ladder);
        let (quiet, quiet_status) = run(&program, &steps, false)?;
        let (noisy, noisy_status) = run(&program, &steps, true)?;
        prop_assert_eq!(quiet, noisy);
        prop_assert_eq!(quiet_status.qualified, noisy_status.qualified);
        prop_assert_eq!(quiet_status.metric, noisy_status.metric);
    }

    /// Re-evaluating under an unchanged program finds every member's tier
    /// already right.
    #[test]
    fn re_evaluation_under_the_same_program_changes_no_tier(
        ladder in 0..LADDERS.len(),
        steps in proptest::collection::vec(step_strategy(), 1..40),
    ) {
        let program = program(ladder);
        let mut ledger = Ledger::new(program.clone());
        let start: DateTime<Utc> = "2026-01-01T09:00:00Z".parse().unwrap();
        for who in ["m0", "m1"] {
            ledger.execute(Enroll::new(who.parse().unwrap(), start)).unwrap();
        }
        let mut now = start;
        for (dt, step) in &steps {
            now += Duration::seconds(*dt);
            let _ = ledger.execute(step.command(now));
        }
        // Set the same program again, as a host does after any change.
        ledger.set_program(program).unwrap();
        let decision = ledger.decide(ReevaluateTiers::new(now)).unwrap();
        match decision.receipt {
            Receipt::Reevaluation(r) => prop_assert_eq!(r.changed, 0),
            other => prop_assert!(false, "unexpected receipt {:?}", other),
        }
        let reevaluated = decision.events.iter().any(|e| {
            matches!(e, Event::TierChanged(c) if c.reason == TierReason::Reevaluated)
        });
        prop_assert!(!reevaluated);
    }
}
