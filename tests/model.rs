//! Model-based test: the ledger against a deliberately simple reference
//! model of the same program, written with plain integers and vectors and
//! sharing no code with the library.
//!
//! The program is the seed's core: 1 point per whole euro, one reward of
//! 100 points, an optional 3-day return window, optional expiry 30 days
//! after earning, and one of the three negative-balance policies. Random
//! sequences send purchases, redemptions, cancellations, repeated partial
//! refunds, refunds after spending, adjustments, transfers and ticks, with
//! duplicate references, conflicting payloads, times out of order, gaps
//! that land on a settlement or an expiry to the second, and extreme
//! amounts. After every command the library and the model agree on
//! whether it was accepted (and on the refusal's kind), and on every
//! member's lots, pending points, debt and totals; DESIGN.md's invariants
//! 1–7 are checked on the way.
//!
//! `PROPTEST_CASES` sets the number of sequences (256 by default, of 200
//! commands each); the README records a long run.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use loyalty::*;
use proptest::prelude::*;
use rust_decimal::Decimal;

const DAY: i64 = 86_400;
const MEMBERS: usize = 3;
const COST: i128 = 100;

/// Seconds since 2026-01-01T00:00:00Z.
type Time = i64;

fn time(t: Time) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::seconds(t)
}

// ---------------------------------------------------------------------
// The model.
// ---------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Policy {
    Reject,
    Clamp,
    Debt,
}

#[derive(Debug, Clone, Copy)]
struct Rules {
    pending_days: Option<i64>,
    expiry_days: Option<i64>,
    policy: Policy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Lot {
    id: u64,
    points: i128,
    expires: Option<Time>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Pend {
    id: u64,
    points: i128,
    settles: Time,
    expires: Option<Time>,
}

#[derive(Debug, Clone)]
struct Order {
    cents: i128,
    points: i128,
    lot: Option<u64>,
    refunded: i128,
    clawed: i128,
    lapsed: i128,
    lapsed_counted: i128,
    full: bool,
}

#[derive(Debug, Clone)]
struct Redemption {
    cart: i128,
    draws: Vec<(u64, Option<Time>, i128)>,
    cancelled: bool,
}

#[derive(Debug, Clone, Default)]
struct Totals {
    earned: i128,
    redeemed: i128,
    expired: i128,
    clawed: i128,
    adjusted: i128,
    transferred_in: i128,
    transferred_out: i128,
}

#[derive(Debug, Clone)]
struct Member {
    last: Time,
    next_lot: u64,
    lots: Vec<Lot>,
    pending: Vec<Pend>,
    debt: i128,
    orders: BTreeMap<usize, Order>,
    redemptions: BTreeMap<usize, Redemption>,
    refunds: BTreeMap<usize, (usize, i128)>,
    adjustments: BTreeMap<usize, i128>,
    /// Transfer reference → (sent, counterpart, points).
    transfers: BTreeMap<usize, (bool, usize, i128)>,
    totals: Totals,
}

impl Member {
    fn new(at: Time) -> Member {
        Member {
            last: at,
            next_lot: 1,
            lots: Vec::new(),
            pending: Vec::new(),
            debt: 0,
            orders: BTreeMap::new(),
            redemptions: BTreeMap::new(),
            refunds: BTreeMap::new(),
            adjustments: BTreeMap::new(),
            transfers: BTreeMap::new(),
            totals: Totals::default(),
        }
    }

    /// Every figure the ledger keeps in an `i64` stays in range.
    fn fits(&self) -> Result<(), Verdict> {
        let t = &self.totals;
        for value in [
            self.held(),
            self.available(),
            self.debt,
            self.pending.iter().map(|p| p.points).sum(),
            t.earned,
            t.redeemed,
            t.expired,
            t.clawed,
            t.adjusted,
            t.transferred_in,
            t.transferred_out,
        ] {
            checked(value)?;
        }
        Ok(())
    }

    fn held(&self) -> i128 {
        self.lots.iter().map(|l| l.points).sum()
    }

    fn available(&self) -> i128 {
        self.held() - self.debt
    }

    /// Lots in spending order: soonest-expiring first (never last), ties
    /// oldest first.
    fn sort(&mut self) {
        self.lots
            .sort_by_key(|l| (l.expires.is_none(), l.expires, l.id));
    }

    /// Points into lot `id`, repaying debt first.
    fn credit(&mut self, id: u64, expires: Option<Time>, points: i128) {
        self.next_lot = self.next_lot.max(id + 1);
        let repay = points.min(self.debt).max(0);
        self.debt -= repay;
        let add = points - repay;
        if add > 0 {
            match self.lots.iter_mut().find(|l| l.id == id) {
                Some(lot) => lot.points += add,
                None => self.lots.push(Lot {
                    id,
                    points: add,
                    expires,
                }),
            }
            self.sort();
        }
    }

    /// Takes `points` from the lots in spending order (lot `first`
    /// first); returns the draws and what they could not cover.
    fn draw(&mut self, points: i128, first: Option<u64>) -> (Vec<(u64, Option<Time>, i128)>, i128) {
        let mut left = points;
        let mut draws = Vec::new();
        let mut order: Vec<usize> = (0..self.lots.len()).collect();
        if let Some(pos) = first.and_then(|id| self.lots.iter().position(|l| l.id == id)) {
            order.retain(|i| *i != pos);
            order.insert(0, pos);
        }
        for i in order {
            if left <= 0 {
                break;
            }
            let lot = &mut self.lots[i];
            let take = left.min(lot.points);
            if take > 0 {
                lot.points -= take;
                left -= take;
                draws.push((lot.id, lot.expires, take));
            }
        }
        self.lots.retain(|l| l.points > 0);
        (draws, left)
    }

    /// Brings the member up to `at`: at each moment something falls due,
    /// lots expiring then (or before) go first, then pending points
    /// settling then arrive.
    fn sweep(&mut self, at: Time) -> Result<(), Verdict> {
        loop {
            let next_expiry = self.lots.iter().filter_map(|l| l.expires).min();
            let next_settle = self.pending.iter().map(|p| p.settles).min();
            let Some(due) = [next_expiry, next_settle].into_iter().flatten().min() else {
                return Ok(());
            };
            if due > at {
                return Ok(());
            }
            let when = due.max(self.last);
            let expiring: Vec<Lot> = self
                .lots
                .iter()
                .filter(|l| l.expires.is_some_and(|t| t <= due))
                .cloned()
                .collect();
            if !expiring.is_empty() {
                self.lots.retain(|l| l.expires.is_none_or(|t| t > due));
                for lot in expiring {
                    self.totals.expired += lot.points;
                    if let Some(order) = self.orders.values_mut().find(|o| o.lot == Some(lot.id)) {
                        order.lapsed += lot.points;
                    }
                }
                self.last = when;
            }
            let mut settling: Vec<Pend> = self
                .pending
                .iter()
                .filter(|p| p.settles <= due)
                .cloned()
                .collect();
            settling.sort_by_key(|p| (p.settles, p.id));
            self.pending.retain(|p| p.settles > due);
            for p in settling {
                self.credit(p.id, p.expires, p.points);
                self.last = when;
            }
            // Each moment's events must fit, or the command is refused.
            self.fits()?;
        }
    }
}

/// What the model says a command does.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    /// Accepted, with new events.
    Done,
    /// Recognised as a retry: accepted, no events.
    Duplicate,
    /// Refused, with this kind (`Error::kind`).
    Refused(&'static str),
}

#[derive(Debug, Clone)]
struct Model {
    rules: Rules,
    members: BTreeMap<usize, Member>,
}

fn checked(value: i128) -> Result<i128, Verdict> {
    if value > i128::from(i64::MAX) || value < -i128::from(i64::MAX) {
        Err(Verdict::Refused("points_overflow"))
    } else {
        Ok(value)
    }
}

impl Model {
    fn enrolled(&self, m: usize) -> Result<&Member, Verdict> {
        self.members.get(&m).ok_or(Verdict::Refused("not_enrolled"))
    }

    fn in_order(member: &Member, at: Time) -> Result<(), Verdict> {
        if at < member.last {
            Err(Verdict::Refused("out_of_order"))
        } else {
            Ok(())
        }
    }

    /// Runs `op` at `at` on a copy; the copy replaces the model only when
    /// the command is accepted.
    fn run(&mut self, op: &Op, at: Time) -> Verdict {
        let mut next = self.clone();
        match next.step(op, at) {
            Ok(Verdict::Done) => match next.fits() {
                Ok(()) => {
                    *self = next;
                    Verdict::Done
                }
                Err(refused) => refused,
            },
            Ok(verdict) => verdict,
            Err(refused) => refused,
        }
    }

    /// Every member's figures stay in range.
    fn fits(&self) -> Result<(), Verdict> {
        self.members.values().try_for_each(Member::fits)
    }

    fn step(&mut self, op: &Op, at: Time) -> Result<Verdict, Verdict> {
        let rules = self.rules;
        match *op {
            Op::Enroll(m) => {
                if self.members.contains_key(&m) {
                    return Ok(Verdict::Duplicate);
                }
                self.members.insert(m, Member::new(at));
                Ok(Verdict::Done)
            }
            Op::Buy(m, order, cents) => {
                let member = self.enrolled(m)?;
                if let Some(recorded) = member.orders.get(&order) {
                    return if recorded.cents == i128::from(cents) {
                        Ok(Verdict::Duplicate)
                    } else {
                        Err(Verdict::Refused("conflict"))
                    };
                }
                Model::in_order(member, at)?;
                if cents < 0 {
                    return Err(Verdict::Refused("invalid_amount"));
                }
                let member = self.members.get_mut(&m).unwrap();
                member.sweep(at)?;
                let points = i128::from(cents) / 100;
                let expires = rules.expiry_days.map(|d| at + d * DAY);
                let lot = (points > 0).then_some(member.next_lot);
                if let Some(id) = lot {
                    match rules.pending_days {
                        Some(days) => {
                            member.next_lot = id + 1;
                            member.pending.push(Pend {
                                id,
                                points,
                                settles: at + days * DAY,
                                expires,
                            });
                        }
                        None => member.credit(id, expires, points),
                    }
                }
                member.totals.earned += points;
                member.orders.insert(
                    order,
                    Order {
                        cents: i128::from(cents),
                        points,
                        lot,
                        refunded: 0,
                        clawed: 0,
                        lapsed: 0,
                        lapsed_counted: 0,
                        full: false,
                    },
                );
                member.last = at;
                Ok(Verdict::Done)
            }
            Op::Redeem(m, red, cart) => {
                let member = self.enrolled(m)?;
                if let Some(recorded) = member.redemptions.get(&red) {
                    return if recorded.cart == i128::from(cart) {
                        Ok(Verdict::Duplicate)
                    } else {
                        Err(Verdict::Refused("conflict"))
                    };
                }
                Model::in_order(member, at)?;
                let member = self.members.get_mut(&m).unwrap();
                member.sweep(at)?;
                if member.held() < COST {
                    return Err(Verdict::Refused("insufficient_points"));
                }
                let (draws, _) = member.draw(COST, None);
                member.totals.redeemed += COST;
                member.redemptions.insert(
                    red,
                    Redemption {
                        cart: i128::from(cart),
                        draws,
                        cancelled: false,
                    },
                );
                member.last = at;
                Ok(Verdict::Done)
            }
            Op::Cancel(m, red) => {
                let member = self.enrolled(m)?;
                let recorded = member
                    .redemptions
                    .get(&red)
                    .ok_or(Verdict::Refused("unknown_redemption"))?;
                if recorded.cancelled {
                    return Ok(Verdict::Duplicate);
                }
                Model::in_order(member, at)?;
                let member = self.members.get_mut(&m).unwrap();
                member.sweep(at)?;
                let draws = member.redemptions[&red].draws.clone();
                for (id, expires, points) in draws {
                    member.credit(id, expires, points);
                }
                member.totals.redeemed -= COST;
                member.redemptions.get_mut(&red).unwrap().cancelled = true;
                member.last = at;
                // The cancellation itself must fit, before what it put back
                // into expired lots expires.
                member.fits()?;
                // Points back in a lot that has meanwhile expired expire
                // at once.
                member.sweep(at)?;
                Ok(Verdict::Done)
            }
            Op::Refund(m, order, refund, cents) => {
                let member = self.enrolled(m)?;
                if let Some((o, c)) = member.refunds.get(&refund) {
                    return if *o == order && *c == i128::from(cents) {
                        Ok(Verdict::Duplicate)
                    } else {
                        Err(Verdict::Refused("conflict"))
                    };
                }
                Model::in_order(member, at)?;
                let mut member = member.clone();
                member.sweep(at)?;
                let recorded = member
                    .orders
                    .get(&order)
                    .cloned()
                    .ok_or(Verdict::Refused("unknown_order"))?;
                let cents = i128::from(cents);
                if cents < 0 || (cents == 0 && recorded.cents != 0) {
                    return Err(Verdict::Refused("invalid_amount"));
                }
                let refunded = recorded.refunded + cents;
                if recorded.full || refunded > recorded.cents {
                    return Err(Verdict::Refused("refund_exceeds_order"));
                }
                let share = if recorded.cents == 0 || refunded == recorded.cents {
                    recorded.points
                } else {
                    // points × refunded in decimal arithmetic, which has 96
                    // bits of precision: the product may round, or not fit.
                    let part = Decimal::new(i64::try_from(refunded).unwrap(), 2);
                    let points = Decimal::from(i64::try_from(recorded.points).unwrap());
                    let scaled = part
                        .checked_mul(points)
                        .ok_or(Verdict::Refused("amount_out_of_range"))?;
                    let ten = 10_i128.pow(scaled.scale());
                    (scaled.mantissa() * 100).div_euclid(recorded.cents * ten)
                };
                let claw = (share - recorded.clawed).max(0);
                let mut from_pending = 0;
                if let Some(id) = recorded.lot
                    && let Some(p) = member.pending.iter_mut().find(|p| p.id == id)
                {
                    from_pending = claw.min(p.points);
                    p.points -= from_pending;
                }
                member.pending.retain(|p| p.points > 0);
                let after_pending = claw - from_pending;
                let uncounted = (recorded.lapsed - recorded.lapsed_counted).max(0);
                let expired = after_pending.min(uncounted);
                let from_available = after_pending - expired;
                let (_, short) = member.draw(from_available, recorded.lot);
                let forgiven = match rules.policy {
                    _ if short == 0 => 0,
                    Policy::Reject => return Err(Verdict::Refused("clawback_exceeds_balance")),
                    Policy::Clamp => short,
                    Policy::Debt => {
                        member.debt += short;
                        0
                    }
                };
                member.totals.clawed += claw - forgiven - expired;
                let o = member.orders.get_mut(&order).unwrap();
                o.refunded = refunded;
                o.full = refunded == o.cents;
                o.clawed += claw;
                o.lapsed_counted += expired;
                member.refunds.insert(refund, (order, cents));
                member.last = at;
                self.members.insert(m, member);
                Ok(Verdict::Done)
            }
            Op::Adjust(m, adj, points) => {
                let member = self.enrolled(m)?;
                let points = i128::from(points);
                if let Some(recorded) = member.adjustments.get(&adj) {
                    return if *recorded == points {
                        Ok(Verdict::Duplicate)
                    } else {
                        Err(Verdict::Refused("conflict"))
                    };
                }
                Model::in_order(member, at)?;
                if points == 0 || points == i128::from(i64::MIN) {
                    return Err(Verdict::Refused("invalid_points"));
                }
                let member = self.members.get_mut(&m).unwrap();
                member.sweep(at)?;
                if points > 0 {
                    let id = member.next_lot;
                    member.credit(id, rules.expiry_days.map(|d| at + d * DAY), points);
                } else {
                    if member.held() < -points {
                        return Err(Verdict::Refused("insufficient_points"));
                    }
                    member.draw(-points, None);
                }
                member.totals.adjusted += points;
                member.adjustments.insert(adj, points);
                member.last = at;
                Ok(Verdict::Done)
            }
            Op::Transfer(from, to, tr, points) => {
                if from == to {
                    return Err(Verdict::Refused("self_transfer"));
                }
                let sender = self.enrolled(from)?;
                let receiver = self.enrolled(to)?;
                let points = i128::from(points);
                if let Some((sent, other, p)) = sender.transfers.get(&tr) {
                    return if *sent && *other == to && *p == points {
                        Ok(Verdict::Duplicate)
                    } else {
                        Err(Verdict::Refused("conflict"))
                    };
                }
                if receiver.transfers.contains_key(&tr) {
                    return Err(Verdict::Refused("conflict"));
                }
                Model::in_order(sender, at)?;
                Model::in_order(receiver, at)?;
                if points <= 0 {
                    return Err(Verdict::Refused("invalid_points"));
                }
                let mut sender = sender.clone();
                let mut receiver = receiver.clone();
                sender.sweep(at)?;
                receiver.sweep(at)?;
                if sender.held() < points {
                    return Err(Verdict::Refused("insufficient_points"));
                }
                let (draws, _) = sender.draw(points, None);
                let first = receiver.next_lot;
                for (i, (_, expires, p)) in draws.into_iter().enumerate() {
                    receiver.credit(first + i as u64, expires, p);
                }
                sender.totals.transferred_out += points;
                receiver.totals.transferred_in += points;
                sender.transfers.insert(tr, (true, to, points));
                receiver.transfers.insert(tr, (false, from, points));
                sender.last = at;
                receiver.last = at;
                self.members.insert(from, sender);
                self.members.insert(to, receiver);
                Ok(Verdict::Done)
            }
            Op::Tick => {
                // A member whose due work would overflow is skipped.
                for member in self.members.values_mut() {
                    let mut swept = member.clone();
                    if swept.sweep(at).is_ok() {
                        *member = swept;
                    }
                }
                Ok(Verdict::Done)
            }
        }
    }
}

// ---------------------------------------------------------------------
// Commands.
// ---------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Enroll(usize),
    Buy(usize, usize, i64),
    Redeem(usize, usize, i64),
    Cancel(usize, usize),
    Refund(usize, usize, usize, i64),
    Adjust(usize, usize, i64),
    Transfer(usize, usize, usize, i64),
    Tick,
}

fn eur(cents: i64) -> Money {
    Money::new(Decimal::new(cents, 2), Currency::EUR)
}

fn id<T: std::str::FromStr>(prefix: &str, i: usize) -> T
where
    T::Err: std::fmt::Debug,
{
    format!("{prefix}{i}").parse().unwrap()
}

fn command(op: &Op, at: Time) -> Command {
    let m = |i: usize| id::<MemberId>("m", i);
    let at = time(at);
    match *op {
        Op::Enroll(a) => Enroll::new(m(a), at).into(),
        Op::Buy(a, o, cents) => Purchase::new(m(a), id("O", o), eur(cents), at).into(),
        Op::Redeem(a, r, cart) => Redeem::new(
            m(a),
            id("R", r),
            "r100".parse().unwrap(),
            Cart::new(eur(cart)),
            at,
        )
        .into(),
        Op::Cancel(a, r) => CancelRedemption::new(m(a), id("R", r), at).into(),
        Op::Refund(a, o, f, cents) => {
            Refund::new(m(a), id("O", o), id("F", f), eur(cents), at).into()
        }
        Op::Adjust(a, j, points) => {
            Adjust::new(m(a), id("A", j), Points::new(points), "model", at).into()
        }
        Op::Transfer(a, b, t, points) => {
            Transfer::new(m(a), m(b), id("T", t), Points::new(points), at).into()
        }
        Op::Tick => Tick::new(at).into(),
    }
}

fn program(rules: Rules) -> Program {
    let pending = match rules.pending_days {
        Some(days) => format!(r#""pending": {{"settle": "after_days", "days": {days}}},"#),
        None => String::new(),
    };
    let expiry = match rules.expiry_days {
        Some(days) => format!(r#"{{"policy": "after_earning", "days": {days}}}"#),
        None => r#"{"policy": "never"}"#.to_owned(),
    };
    let policy = match rules.policy {
        Policy::Reject => "reject",
        Policy::Clamp => "clamp",
        Policy::Debt => "debt",
    };
    serde_json::from_str(&format!(
        r#"{{"currency": "EUR", {pending}
            "earn": {{"points": 1, "per": "1.00", "rounding": "floor"}},
            "expiry": {expiry},
            "refunds": {{"negative_balance": "{policy}"}},
            "rewards": [{{"id": "r100", "cost": {COST}, "kind": "fixed_amount_off", "amount": "5.00"}}]}}"#
    ))
    .unwrap()
}

fn rules() -> impl Strategy<Value = Rules> {
    (
        prop_oneof![Just(None), Just(Some(3_i64))],
        prop_oneof![Just(None), Just(Some(30_i64))],
        prop_oneof![
            Just(Policy::Reject),
            Just(Policy::Clamp),
            Just(Policy::Debt)
        ],
    )
        .prop_map(|(pending_days, expiry_days, policy)| Rules {
            pending_days,
            expiry_days,
            policy,
        })
}

fn cents() -> impl Strategy<Value = i64> {
    prop_oneof![
        10 => 0..40_000_i64,
        1 => Just(0_i64),
        1 => prop_oneof![Just(i64::MAX), Just(-1_i64), Just(i64::MIN), 1..i64::MAX],
    ]
}

fn points() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => -300..300_i64,
        1 => prop_oneof![Just(i64::MAX), Just(i64::MIN), Just(i64::MIN + 1), Just(0_i64)],
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let m = 0..MEMBERS;
    prop_oneof![
        2 => m.clone().prop_map(Op::Enroll),
        8 => (m.clone(), 0..5_usize, cents()).prop_map(|(a, o, c)| Op::Buy(a, o, c)),
        4 => (m.clone(), 0..4_usize, prop_oneof![1_000..20_000_i64, Just(100_i64)])
            .prop_map(|(a, r, c)| Op::Redeem(a, r, c)),
        2 => (m.clone(), 0..4_usize).prop_map(|(a, r)| Op::Cancel(a, r)),
        6 => (m.clone(), 0..5_usize, 0..8_usize, prop_oneof![4 => 1..15_000_i64, 1 => cents()])
            .prop_map(|(a, o, f, c)| Op::Refund(a, o, f, c)),
        2 => (m.clone(), 0..4_usize, points()).prop_map(|(a, j, p)| Op::Adjust(a, j, p)),
        2 => (m.clone(), m.clone(), 0..4_usize, points())
            .prop_map(|(a, b, t, p)| Op::Transfer(a, b, t, p)),
        2 => Just(Op::Tick),
    ]
}

/// Gaps that land on the return window and the expiry to the second.
fn gap() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => Just(0_i64),
        4 => 1..2 * DAY,
        1 => Just(1_i64),
        1 => Just(3 * DAY),
        1 => Just(3 * DAY - 1),
        1 => Just(30 * DAY),
        1 => Just(30 * DAY - 1),
        1 => Just(27 * DAY),
        2 => DAY..40 * DAY,
        1 => -3 * DAY..0,
    ]
}

// ---------------------------------------------------------------------
// The comparison.
// ---------------------------------------------------------------------

/// A lot as (id, points, expiry).
type LotView = (u64, i128, Option<Time>);

/// The library's view of a member, in the model's terms: lots, pending
/// points by lot, debt.
fn observed(account: &Account) -> (Vec<LotView>, Vec<(u64, i128)>, i128) {
    let base = time(0);
    let lots = account
        .lots()
        .map(|l| {
            (
                l.id.number(),
                i128::from(l.points.value()),
                l.expires_at.map(|t| (t - base).num_seconds()),
            )
        })
        .collect();
    let pending = account
        .pending()
        .map(|p| (p.lot.number(), i128::from(p.points.value())))
        .collect();
    (lots, pending, i128::from(account.debt().value()))
}

fn agree(model: &Model, ledger: &Ledger) -> Result<(), TestCaseError> {
    prop_assert_eq!(ledger.len(), model.members.len());
    for (index, member) in &model.members {
        let account = ledger.account(&id("m", *index)).unwrap();
        let (lots, pending, debt) = observed(account);
        let expected: Vec<LotView> = member
            .lots
            .iter()
            .map(|l| (l.id, l.points, l.expires))
            .collect();
        prop_assert_eq!(&lots, &expected, "lots of m{}", index);
        let mut expected: Vec<(u64, i128)> =
            member.pending.iter().map(|p| (p.id, p.points)).collect();
        expected.sort();
        let mut pending = pending;
        pending.sort();
        prop_assert_eq!(&pending, &expected, "pending of m{}", index);
        prop_assert_eq!(debt, member.debt, "debt of m{}", index);
        let b = account.balance();
        let t = &member.totals;
        let figures = [
            ("available", b.available, member.available()),
            (
                "pending",
                b.pending,
                member.pending.iter().map(|p| p.points).sum(),
            ),
            ("earned", b.earned, t.earned),
            ("redeemed", b.redeemed, t.redeemed),
            ("expired", b.expired, t.expired),
            ("clawed back", b.clawed_back, t.clawed),
            ("adjusted", b.adjusted, t.adjusted),
            ("transferred in", b.transferred_in, t.transferred_in),
            ("transferred out", b.transferred_out, t.transferred_out),
        ];
        for (what, library, model) in figures {
            prop_assert_eq!(i128::from(library.value()), model, "{} of m{}", what, index);
        }
        // Invariant 1, in the model's own terms.
        prop_assert_eq!(
            member.available() + member.pending.iter().map(|p| p.points).sum::<i128>(),
            t.earned - t.redeemed - t.expired - t.clawed + t.adjusted + t.transferred_in
                - t.transferred_out,
            "invariant 1 for m{}",
            index
        );
        prop_assert_eq!(
            i128::from(
                account
                    .last_event_at()
                    .signed_duration_since(time(0))
                    .num_seconds()
            ),
            i128::from(member.last),
            "last event of m{}",
            index
        );
    }
    Ok(())
}

fn run(rules: Rules, steps: Vec<(i64, Op)>) -> Result<(), TestCaseError> {
    let program = program(rules);
    let mut ledger = Ledger::new(program.clone());
    let mut model = Model {
        rules,
        members: BTreeMap::new(),
    };
    let mut log: Vec<Event> = Vec::new();
    let mut at: Time = 0;
    for (step, (gap, op)) in steps.into_iter().enumerate() {
        at += gap;
        let command = command(&op, at);
        let before = ledger.clone();
        let fingerprint = ledger.state_hash();
        let state = format!("{:?}", model.members);
        let expected = model.run(&op, at);
        let got = ledger.execute(command.clone());
        match (&expected, &got) {
            (Verdict::Done, Ok(d)) => {
                // A tick with nothing due emits nothing; every other
                // accepted command records something.
                prop_assert!(
                    !d.duplicate && (matches!(op, Op::Tick) || !d.events.is_empty()),
                    "step {}: {:?}",
                    step,
                    op
                );
                log.extend(d.events.iter().cloned());
            }
            (Verdict::Duplicate, Ok(d)) => {
                prop_assert!(
                    d.duplicate && d.events.is_empty(),
                    "step {}: {:?}",
                    step,
                    op
                );
                prop_assert_eq!(&ledger, &before);
            }
            (Verdict::Refused(kind), Err(e)) => {
                let same = *kind == e.kind()
                    || (*kind == "points_overflow" && e.kind() == "amount_out_of_range");
                prop_assert!(
                    same,
                    "step {}: {:?} refused as {} ({}), model says {}\nmodel before: {}",
                    step,
                    op,
                    e.kind(),
                    e,
                    kind,
                    state
                );
                // A refusal leaves the ledger exactly as it was.
                prop_assert_eq!(&ledger, &before);
                prop_assert_eq!(ledger.state_hash(), fingerprint);
            }
            _ => {
                return Err(TestCaseError::fail(format!(
                    "step {step}: {op:?} at {}: model {expected:?}, library {:?}\nmodel before: {state}",
                    time(at),
                    got.as_ref()
                        .map(|d| d.events.iter().map(Event::kind).collect::<Vec<_>>())
                )));
            }
        }
        agree(&model, &ledger)
            .map_err(|e| TestCaseError::fail(format!("after step {step} ({op:?}): {e}")))?;
    }
    // Invariant 3: the log replays to the same ledger, fingerprint and all.
    let replayed = Ledger::replay(program, &log).unwrap();
    prop_assert_eq!(&replayed, &ledger);
    prop_assert_eq!(replayed.state_hash(), ledger.state_hash());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::default())]

    /// The ledger and the model agree after every one of 200 commands.
    #[test]
    fn the_ledger_agrees_with_a_simple_model(
        rules in rules(),
        steps in proptest::collection::vec((gap(), op()), 200),
    ) {
        run(rules, steps)?;
    }
}
