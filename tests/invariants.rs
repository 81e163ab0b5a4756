//! Property tests: DESIGN.md's invariants 1–7 over random programs and
//! random command sequences (duplicates, conflicts, times out of order,
//! repeated partial refunds, transfers, extreme amounts).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use loyalty::*;
use proptest::prelude::*;
use rust_decimal::Decimal;

const MEMBERS: usize = 3;
const REWARDS: [&str; 6] = [
    "ten",
    "five",
    "quarter",
    "shipping",
    "cash",
    "not-in-catalogue",
];
const ACTIONS: [&str; 3] = ["review", "survey", "not-an-action"];
const MEMBERSHIP_IDS: [&str; 3] = ["plus", "monthly", "not-a-membership"];
/// Products with their category (none for the hat).
const SKUS: [(&str, Option<&str>); 5] = [
    ("BOOT", Some("shoes")),
    ("SOCK", Some("accessories")),
    ("HAT", None),
    ("TOTE-01", Some("bags")),
    ("GIFT", Some("gift-cards")),
];

/// The optional parts of a random program.
#[derive(Debug, Clone, Copy)]
struct Extras {
    rules: bool,
    campaigns: bool,
    bonuses: bool,
    caps: bool,
    exclusions: bool,
    by_line: bool,
    birthday_multiplier: bool,
    stacking: usize,
    /// Which tier ladder, if any (see [`TIERS`]).
    tiers: usize,
    /// Which referral programme, if any (see [`REFERRALS`]).
    referrals: usize,
}

/// Referral programmes the random programs run; the first runs none.
const REFERRALS: [&str; 4] = [
    "",
    r#""referrals": {"secret": "a secret of sixteen+", "link_within_days": 30, "minimum_order": "20.00",
                    "qualify_within_days": 90, "referee": {"points": 50},
                    "ladder": [{"from": 1, "points": 100}, {"from": 2, "points": 150}],
                    "milestones": [{"at": 2, "points": 300}], "upline": [20, 10],
                    "limit": {"count": 2, "per": "month"}},"#,
    r#""referrals": {"secret": "a secret of sixteen+", "link_within_days": 60, "qualify": "each_order",
                    "orders": 2, "code_length": 4, "referee": {"reward": "ten"}, "referrer": {"points": 40},
                    "max_total": 3},"#,
    r#""referrals": {"secret": "a secret of sixteen+", "link_within_days": 10, "qualify": "enrolment",
                    "code_valid_days": 100, "referee": {"points": 30}, "referrer": {"reward": "shipping"}},"#,
];

/// Tier ladders the random programs run, with two paid memberships; the
/// first runs none.
const TIERS: [&str; 5] = [
    "",
    r#""tiers": {"metric": "spend", "window": "calendar_year", "review": "period_end", "grace_days": 20,
                "levels": [{"id": "bronze", "threshold": "0"}, {"id": "silver", "threshold": "200", "multiplier": "1.25"},
                           {"id": "gold", "threshold": "600", "multiplier": "1.5"}]},"#,
    r#""tiers": {"metric": "points", "window": "rolling", "rolling_days": 90, "review": "anniversary",
                "downgrade": "to_earned",
                "levels": [{"id": "silver", "threshold": "150", "multiplier": "2"},
                           {"id": "gold", "threshold": "900", "never_downgrade": true}]},"#,
    r#""tiers": {"metric": "orders", "window": "calendar_year", "through_next_year": true,
                "review": "period_end", "grace_days": 45,
                "levels": [{"id": "silver", "threshold": "2"}, {"id": "gold", "threshold": "5", "multiplier": "1.5"}]},"#,
    r#""tiers": {"metric": "spend", "window": "lifetime", "review": "anniversary",
                "levels": [{"id": "silver", "threshold": "100.50", "perks": ["Free shipping"]},
                           {"id": "gold", "threshold": "1000", "multiplier": "3"}]},"#,
];

/// The memberships that go with a tier ladder.
const MEMBERSHIPS: &str = r#""memberships": [
    {"id": "plus", "tier": "gold", "fee": "49.00", "term_months": 12},
    {"id": "monthly", "tier": "silver", "fee": "9.99", "term_days": 30, "renewal": "automatic",
     "cancellation": "pro_rata", "fee_earns_points": true}],"#;

fn extras_strategy() -> impl Strategy<Value = Extras> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        (0..3_usize, 0..TIERS.len(), 0..REFERRALS.len()),
    )
        .prop_map(
            |(
                rules,
                campaigns,
                bonuses,
                caps,
                exclusions,
                by_line,
                birthday_multiplier,
                (stacking, tiers, referrals),
            )| {
                Extras {
                    rules,
                    campaigns,
                    bonuses,
                    caps,
                    exclusions,
                    by_line,
                    birthday_multiplier,
                    stacking,
                    tiers,
                    referrals,
                }
            },
        )
}

fn program_strategy() -> impl Strategy<Value = Program> {
    (
        (0..3_usize, 30..400_u32, any::<bool>()),
        (0..3_usize, 0..20_u32),
        0..3_usize,
        0..3_usize,
        1..5_i64,
        prop_oneof![Just("1.00"), Just("10.00"), Just("0.50")],
        extras_strategy(),
    )
        .prop_map(
            |((expiry, days, extend), (pending, pending_days), policy, rounding, points, per, x)| {
                let expiry = match expiry {
                    0 => r#"{"policy": "never"}"#.to_owned(),
                    1 if extend => format!(
                        r#"{{"policy": "after_earning", "days": {days}, "extend_to": "month"}}"#
                    ),
                    1 => format!(r#"{{"policy": "after_earning", "days": {days}}}"#),
                    _ => format!(r#"{{"policy": "after_inactivity", "days": {days}}}"#),
                };
                let pending = match pending {
                    0 => r#"{"days": 0}"#.to_owned(),
                    1 => format!(r#"{{"days": {}}}"#, pending_days.min(days - 1)),
                    _ => r#"{"settle": "on_confirmation"}"#.to_owned(),
                };
                let policy = ["reject", "clamp", "debt"][policy];
                let rounding = ["floor", "half_up", "ceiling"][rounding];
                let stacking = ["multiply", "add", "highest"][x.stacking];
                let scope = if x.by_line { "line" } else { "order" };
                let rules = if x.rules {
                    r#"[{"id": "shoes", "categories": ["shoes"], "multiplier": "2"},
                        {"id": "socks", "skus": ["SOCK"], "bonus_per_item": 5}]"#
                } else {
                    "[]"
                };
                let exclude = if x.exclusions {
                    r#"{"shipping": true, "gift_cards": true, "categories": ["gift-cards"]}"#
                } else {
                    "{}"
                };
                let limits = if x.caps {
                    r#"{"maximum_per_order": 500, "maximum_per_period": {"points": 1500, "per": "month"},
                        "maximum_balance": 4000}"#
                } else {
                    "{}"
                };
                let campaigns = if x.campaigns {
                    r#"[{"id": "weekend", "starts_at": "2026-01-01", "ends_at": "2040-01-01",
                         "days": ["saturday", "sunday"], "multiplier": "2"},
                        {"id": "welcome", "starts_at": "2026-01-01", "ends_at": "2040-01-01",
                         "minimum_order": "50.00", "bonus": 25}]"#
                } else {
                    "[]"
                };
                let birthday = if x.birthday_multiplier {
                    r#"{"mode": "multiplier", "multiplier": "1.5"}"#
                } else {
                    r#"{"mode": "grant", "points": 40}"#
                };
                let bonuses = if x.bonuses {
                    format!(
                        r#"{{"sign_up": 30, "first_purchase": 20, "birthday": {birthday},
                            "actions": [{{"id": "review", "points": 15, "limit": {{"count": 1, "per": "day"}}}},
                                        {{"id": "survey", "points": 40, "cooldown_days": 7}}]}}"#
                    )
                } else {
                    "{}".to_owned()
                };
                let tiers = match TIERS[x.tiers] {
                    "" => String::new(),
                    ladder => format!("{ladder} {MEMBERSHIPS}"),
                };
                let referrals = REFERRALS[x.referrals];
                let json = format!(
                    r#"{{"currency": "EUR", "utc_offset": "+01:00", {tiers} {referrals}
                        "earn": {{"points": {points}, "per": "{per}", "rounding_scope": "{scope}",
                                  "stacking": "{stacking}", "rules": {rules}, "exclude": {exclude},
                                  "limits": {limits}}},
                        "rewards": [
                          {{"id": "ten", "cost": 100, "kind": "percent_off", "percent": "10",
                            "limit": {{"count": 3, "per": "month"}}}},
                          {{"id": "five", "cost": 60, "kind": "fixed_amount_off", "amount": "5.00"}},
                          {{"id": "quarter", "cost": 250, "kind": "percent_off", "percent": "25",
                            "minimum_order": "50.00", "maximum_discount": "30.00", "categories": ["shoes"]}},
                          {{"id": "shipping", "cost": 80, "kind": "free_shipping"}},
                          {{"id": "cash", "kind": "points_as_cash", "step_points": 100, "step_value": "1.00",
                            "minimum_points": 100, "maximum_points": 5000}}],
                        "campaigns": {campaigns}, "bonuses": {bonuses},
                        "expiry": {expiry}, "pending": {pending},
                        "refunds": {{"rounding": "{rounding}", "negative_balance": "{policy}"}}}}"#
                );
                serde_json::from_str(&json).unwrap()
            },
        )
}

/// A cart: lines of (product, quantity, unit price in cents), shipping and
/// an order discount in cents.
#[derive(Debug, Clone)]
struct CartSpec {
    lines: Vec<(usize, u32, i64)>,
    shipping: i64,
    discount: i64,
    gift_card: i64,
}

fn cart_strategy() -> impl Strategy<Value = CartSpec> {
    (
        proptest::collection::vec((0..SKUS.len(), 1..4_u32, 0..8_000_i64), 1..4),
        prop_oneof![Just(0_i64), 100..1_000_i64],
        0..3_000_i64,
        prop_oneof![3 => Just(0_i64), 1 => 0..5_000_i64],
    )
        .prop_map(|(lines, shipping, discount, gift_card)| CartSpec {
            lines,
            shipping,
            discount,
            gift_card,
        })
}

impl CartSpec {
    /// The cart, with its discount and gift card trimmed to what it holds.
    fn cart(&self) -> Cart {
        let mut cart = Cart::of(self.lines.iter().map(|(sku, qty, cents)| {
            let (name, category) = SKUS[*sku];
            let line = Line::new(name.parse().unwrap(), *qty, eur(*cents));
            match category {
                Some(c) => line.category(c.parse().unwrap()),
                None => line,
            }
        }));
        let merchandise: i64 = self.lines.iter().map(|(_, q, c)| i64::from(*q) * c).sum();
        cart = cart.discount(eur(self.discount.min(merchandise)));
        if self.shipping > 0 {
            cart = cart.shipping(eur(self.shipping));
        }
        cart
    }
}

#[derive(Debug, Clone)]
enum Op {
    Enroll(usize, Option<(u32, u32)>),
    Buy(usize, usize, i64, Option<usize>),
    BuyCart(usize, usize, CartSpec, Option<usize>),
    Confirm(usize, usize),
    Redeem(usize, usize, usize, CartSpec, i64),
    Cancel(usize, usize),
    Refund(usize, usize, usize, i64),
    Adjust(usize, usize, i64),
    Transfer(usize, usize, usize, i64),
    Action(usize, usize, usize),
    Join(usize, usize, usize),
    Renew(usize, usize),
    CancelMembership(usize, usize),
    /// Member `a` refunds what is left of an order.
    RefundRest(usize, usize, usize),
    /// Member `a` links member `b`'s referral code.
    Link(usize, usize),
    /// Member `a` records fingerprint `f` (of a few, so they are shared).
    Fingerprint(usize, usize),
    /// Member `a` invites someone.
    Invite(usize, usize),
    /// Member `a` redeems their `n`-th referral voucher for `reward`.
    RedeemVoucher(usize, usize, usize, usize, CartSpec),
    Reevaluate,
    Tick,
    /// The previous command again, unchanged: a host's retry.
    Repeat,
}

fn cents() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => 0..30_000_i64,
        1 => Just(0_i64),
        1 => prop_oneof![Just(i64::MAX), Just(i64::MIN), Just(-1_i64), 1..i64::MAX],
    ]
}

fn refund_cents() -> impl Strategy<Value = i64> {
    prop_oneof![9 => 1..12_000_i64, 1 => cents()]
}

fn points() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => -200..200_i64,
        1 => prop_oneof![Just(i64::MAX), Just(i64::MIN), Just(0_i64)],
    ]
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let m = 0..MEMBERS;
    let birth = proptest::option::of((1..13_u32, 1..29_u32));
    prop_oneof![
        2 => (m.clone(), birth).prop_map(|(a, b)| Op::Enroll(a, b)),
        5 => (m.clone(), 0..5_usize, cents(), proptest::option::weighted(0.3, 0..4_usize))
            .prop_map(|(a, b, c, d)| Op::Buy(a, b, c, d)),
        4 => (m.clone(), 0..5_usize, cart_strategy(), proptest::option::weighted(0.4, 0..4_usize))
            .prop_map(|(a, b, c, d)| Op::BuyCart(a, b, c, d)),
        2 => (m.clone(), 0..5_usize).prop_map(|(a, b)| Op::Confirm(a, b)),
        5 => (m.clone(), 0..4_usize, 0..REWARDS.len(), cart_strategy(), prop_oneof![1 => Just(0_i64), 6 => 1..8_i64, 1 => 8..60_i64])
            .prop_map(|(a, b, c, d, e)| Op::Redeem(a, b, c, d, e)),
        2 => (m.clone(), 0..4_usize).prop_map(|(a, b)| Op::Cancel(a, b)),
        5 => (m.clone(), 0..5_usize, 0..8_usize, refund_cents())
            .prop_map(|(a, b, c, d)| Op::Refund(a, b, c, d)),
        2 => (m.clone(), 0..4_usize, points()).prop_map(|(a, b, c)| Op::Adjust(a, b, c)),
        2 => (m.clone(), m.clone(), 0..4_usize, points())
            .prop_map(|(a, b, c, d)| Op::Transfer(a, b, c, d)),
        2 => (m.clone(), 0..ACTIONS.len(), 0..4_usize).prop_map(|(a, b, c)| Op::Action(a, b, c)),
        1 => (m.clone(), 0..MEMBERSHIP_IDS.len(), 0..6_usize).prop_map(|(a, b, c)| Op::Join(a, b, c)),
        1 => (m.clone(), 0..6_usize).prop_map(|(a, b)| Op::Renew(a, b)),
        1 => (m.clone(), 0..6_usize).prop_map(|(a, b)| Op::CancelMembership(a, b)),
        3 => (m.clone(), m.clone()).prop_map(|(a, b)| Op::Link(a, b)),
        2 => (m.clone(), 0..5_usize, 0..8_usize).prop_map(|(a, b, c)| Op::RefundRest(a, b, c)),
        1 => (m.clone(), 0..4_usize).prop_map(|(a, b)| Op::Fingerprint(a, b)),
        1 => (m.clone(), 0..3_usize).prop_map(|(a, b)| Op::Invite(a, b)),
        2 => (m.clone(), 1..4_usize, 0..REWARDS.len(), 0..4_usize, cart_strategy())
            .prop_map(|(a, n, reward, red, cart)| Op::RedeemVoucher(a, n, reward, red, cart)),
        1 => Just(Op::Reevaluate),
        2 => Just(Op::Tick),
        2 => Just(Op::Repeat),
    ]
}

fn step_strategy() -> impl Strategy<Value = (i64, Op)> {
    let day = 86_400_i64;
    let dt = prop_oneof![
        3 => Just(0_i64),
        6 => 1..3 * day,
        3 => day..60 * day,
        1 => 60 * day..400 * day,
        1 => -5 * day..0,
    ];
    (dt, op_strategy())
}

fn id<T: std::str::FromStr>(prefix: &str, i: usize) -> T
where
    T::Err: std::fmt::Debug,
{
    format!("{prefix}{i}").parse().unwrap()
}

fn eur(cents: i64) -> Money {
    Money::new(Decimal::new(cents, 2), Currency::EUR)
}

/// An amount in cents (every amount these tests make has two decimals).
fn cents_of(money: Money) -> i64 {
    i64::try_from((money.amount() * Decimal::ONE_HUNDRED).trunc()).unwrap_or(0)
}

/// `rounding(points × part / whole)` in exact integer arithmetic, on cents:
/// the share of an order's points a refund of `part` stands for. A free
/// order is refunded whole.
fn share(points: i64, part: i64, whole: i64, rounding: Rounding) -> i64 {
    if whole == 0 {
        return points;
    }
    let (n, d) = (i128::from(points) * i128::from(part), i128::from(whole));
    let (q, r) = (n.div_euclid(d), n.rem_euclid(d));
    let up = match rounding {
        Rounding::Floor => false,
        Rounding::Ceiling => r > 0,
        _ => 2 * r >= d,
    };
    i64::try_from(q + i128::from(up)).unwrap()
}

/// What a member's order paid, from the log.
fn p_amount(log: &[Event], member: &MemberId, order: &Reference) -> Money {
    log.iter()
        .find_map(|e| match e {
            Event::PurchaseRecorded(p) if &p.member == member && &p.order == order => {
                Some(p.amount)
            }
            _ => None,
        })
        .unwrap_or(eur(0))
}

/// The discount a member's redemption gave, from the log.
fn discount_of(log: &[Event], member: &MemberId, redemption: &Reference) -> Option<Money> {
    log.iter().find_map(|e| match e {
        Event::RewardRedeemed(r) if &r.member == member && &r.redemption == redemption => {
            Some(r.discount)
        }
        _ => None,
    })
}

fn command(op: &Op, at: DateTime<Utc>, log: &[Event]) -> Option<Command> {
    let m = |i: usize| id::<MemberId>("m", i);
    Some(match op {
        Op::Enroll(a, birth) => {
            let enroll = Enroll::new(m(*a), at);
            match birth {
                Some((month, day)) => enroll
                    .born(chrono::NaiveDate::from_ymd_opt(1990, *month, *day).unwrap())
                    .into(),
                None => enroll.into(),
            }
        }
        Op::Buy(a, order, cents, with) => {
            let p = Purchase::new(m(*a), id("O", *order), eur(*cents), at);
            match with {
                Some(r) => p.with_redemption(id("R", *r)).into(),
                None => p.into(),
            }
        }
        Op::BuyCart(a, order, spec, with) => {
            let cart = spec.cart();
            let total = cart.total().ok()?;
            let paid = match with {
                Some(r) => {
                    let discount = discount_of(log, &m(*a), &id("R", *r)).unwrap_or(eur(0));
                    total.checked_sub(discount).ok()?
                }
                None => total,
            };
            let cart = if spec.gift_card > 0 {
                cart.gift_card(eur(spec.gift_card.min(cents_of(paid).max(0))))
            } else {
                cart
            };
            let p = Purchase::new(m(*a), id("O", *order), paid, at).with_cart(cart);
            match with {
                Some(r) => p.with_redemption(id("R", *r)).into(),
                None => p.into(),
            }
        }
        Op::Confirm(a, order) => Confirm::new(m(*a), id("O", *order), at).into(),
        Op::Redeem(a, red, reward, spec, steps) => {
            let redeem = Redeem::new(
                m(*a),
                id("R", *red),
                REWARDS[*reward].parse().unwrap(),
                spec.cart(),
                at,
            );
            if REWARDS[*reward] == "cash" {
                redeem.points(Points::new(steps * 100)).into()
            } else {
                redeem.into()
            }
        }
        Op::Cancel(a, red) => CancelRedemption::new(m(*a), id("R", *red), at).into(),
        Op::Refund(a, order, refund, cents) => {
            Refund::new(m(*a), id("O", *order), id("F", *refund), eur(*cents), at).into()
        }
        Op::Adjust(a, adj, p) => {
            Adjust::new(m(*a), id("A", *adj), Points::new(*p), "test", at).into()
        }
        Op::Transfer(a, b, tr, p) => {
            Transfer::new(m(*a), m(*b), id("T", *tr), Points::new(*p), at).into()
        }
        Op::Action(a, action, reference) => Action::new(
            m(*a),
            ACTIONS[*action].parse().unwrap(),
            id("ACT", *reference),
            at,
        )
        .into(),
        Op::Join(a, which, reference) => JoinMembership::new(
            m(*a),
            MEMBERSHIP_IDS[*which].parse().unwrap(),
            id("PAY", *reference),
            at,
        )
        .into(),
        Op::Renew(a, reference) => RenewMembership::new(m(*a), id("PAY", *reference), at).into(),
        Op::CancelMembership(a, reference) => {
            CancelMembership::new(m(*a), id("PAY", *reference), at).into()
        }
        Op::RefundRest(a, order, refund) => {
            let (member, order) = (m(*a), id::<Reference>("O", *order));
            let mut left = 0;
            for e in log {
                match e {
                    Event::PurchaseRecorded(p) if p.member == member && p.order == order => {
                        left = cents_of(p.amount)
                    }
                    Event::OrderRefunded(r) if r.member == member && r.order == order => {
                        left = cents_of(p_amount(log, &member, &order)) - cents_of(r.refunded_total)
                    }
                    _ => {}
                }
            }
            Refund::new(member, order, id("F", *refund), eur(left), at).into()
        }
        Op::Link(a, b) => {
            let code = log.iter().find_map(|e| match e {
                Event::ReferralCodeIssued(c) if c.member == m(*b) => Some(c.code.clone()),
                _ => None,
            });
            // A member without a code: a code nobody has.
            let code = code.unwrap_or_else(|| ReferralCode::with_check("NEWBY").unwrap());
            LinkReferral::new(m(*a), code, at).into()
        }
        Op::Fingerprint(a, f) => {
            let kind = [FingerprintKind::Email, FingerprintKind::Payment][f % 2];
            let fingerprint = Fingerprint::new(kind, format!("hash-{f}")).unwrap();
            RecordFingerprints::new(m(*a), vec![fingerprint], at).into()
        }
        Op::Invite(a, i) => Invite::new(m(*a), id("INV", *i), at).into(),
        Op::RedeemVoucher(a, n, reward, red, spec) => Redeem::new(
            m(*a),
            id("V", *red),
            REWARDS[*reward].parse().unwrap(),
            spec.cart(),
            at,
        )
        .with_voucher(id("referral-voucher-", *n))
        .into(),
        Op::Reevaluate => ReevaluateTiers::new(at).into(),
        Op::Tick => Tick::new(at).into(),
        Op::Repeat => return None,
    })
}

/// Sums per member computed from the events alone, independently of the
/// ledger's own bookkeeping.
#[derive(Default, Debug, PartialEq, Eq)]
struct Sums {
    earned: i128,
    redeemed: i128,
    expired: i128,
    clawed_back: i128,
    adjusted: i128,
    transferred_in: i128,
    transferred_out: i128,
}

fn sums(log: &[Event]) -> BTreeMap<MemberId, Sums> {
    let mut out: BTreeMap<MemberId, Sums> = BTreeMap::new();
    for event in log {
        let s = out.entry(event.member().clone()).or_default();
        match event {
            Event::PurchaseRecorded(e) => s.earned += i128::from(e.points.value()),
            Event::BonusAwarded(e) => s.earned += i128::from(e.points.value()),
            Event::RewardRedeemed(e) => s.redeemed += i128::from(e.points.value()),
            Event::RedemptionCancelled(e) => s.redeemed -= i128::from(e.points.value()),
            Event::OrderRefunded(e) => {
                for r in &e.restored {
                    s.redeemed -= i128::from(r.points.value());
                }
                s.clawed_back += i128::from(e.clawback.points.value())
                    - i128::from(e.clawback.forgiven.value())
                    - i128::from(e.clawback.expired.value());
            }
            Event::PointsExpired(e) => s.expired += i128::from(e.points.value()),
            Event::PointsAdjusted(e) => s.adjusted += i128::from(e.points.value()),
            Event::PointsTransferredIn(e) => s.transferred_in += i128::from(e.points.value()),
            Event::PointsTransferredOut(e) => s.transferred_out += i128::from(e.points.value()),
            Event::ReferralRewarded(e) => s.earned += i128::from(e.points().value()),
            Event::ReferralReversed(e) => {
                s.clawed_back += i128::from(e.points.value()) - i128::from(e.forgiven.value())
            }
            _ => {}
        }
    }
    out
}

/// Invariant 1 for every member, against the event log, and the figures
/// against the lots: after every command a debt means no lots are left.
fn check_balances(ledger: &Ledger, log: &[Event]) -> Result<(), TestCaseError> {
    check_totals(ledger, log)?;
    for account in ledger.accounts() {
        let b = account.balance();
        let lots: i128 = account.lots().map(|l| i128::from(l.points.value())).sum();
        prop_assert_eq!(lots, i128::from(b.available.value().max(0)));
        prop_assert_eq!(account.debt(), b.debt());
    }
    Ok(())
}

/// Invariant 1 for every member, against the event log.
fn check_totals(ledger: &Ledger, log: &[Event]) -> Result<(), TestCaseError> {
    let all = sums(log);
    let none = Sums::default();
    for account in ledger.accounts() {
        let b = account.balance();
        let s = all.get(account.member()).unwrap_or(&none);
        let total =
            s.earned - s.redeemed - s.expired - s.clawed_back + s.adjusted + s.transferred_in
                - s.transferred_out;
        // Invariant 1.
        prop_assert_eq!(
            i128::from(b.available.value()) + i128::from(b.pending.value()),
            total,
            "{}: {:?} vs {:?}",
            account.member(),
            b,
            s
        );
        prop_assert_eq!(i128::from(b.earned.value()), s.earned);
        prop_assert_eq!(i128::from(b.redeemed.value()), s.redeemed);
        prop_assert_eq!(i128::from(b.expired.value()), s.expired);
        prop_assert_eq!(i128::from(b.clawed_back.value()), s.clawed_back);
        prop_assert_eq!(i128::from(b.adjusted.value()), s.adjusted);
        // The figures match the lots, pending lots and debt they summarise.
        let lots: i128 = account.lots().map(|l| i128::from(l.points.value())).sum();
        let pending: i128 = account
            .pending()
            .map(|p| i128::from(p.points.value()))
            .sum();
        prop_assert_eq!(
            lots - i128::from(account.debt().value()),
            i128::from(b.available.value())
        );
        prop_assert_eq!(pending, i128::from(b.pending.value()));
        prop_assert!(account.lots().all(|l| l.points.is_positive()));
    }
    Ok(())
}

/// Invariant 2: only a clawback under the debt policy leaves a negative
/// balance; spending never does.
fn check_no_debt_from_spending(
    ledger: &Ledger,
    before: &BTreeMap<MemberId, Points>,
    spent: bool,
) -> Result<(), TestCaseError> {
    for account in ledger.accounts() {
        let available = account.balance().available;
        if !available.is_negative() {
            continue;
        }
        prop_assert_eq!(
            ledger.program().refunds().negative_balance,
            NegativeBalance::Debt
        );
        if spent {
            let was = before.get(account.member()).copied().unwrap_or_default();
            prop_assert!(was <= available, "a spend deepened a debt");
        }
    }
    Ok(())
}

/// Invariants 4 and 5 over the whole log.
fn check_references(log: &[Event]) -> Result<(), TestCaseError> {
    let mut seen = BTreeSet::new();
    let mut earned: BTreeMap<(MemberId, Reference), i64> = BTreeMap::new();
    let mut spent: BTreeMap<(MemberId, Reference), i64> = BTreeMap::new();
    let mut clawed: BTreeMap<(MemberId, Reference), i64> = BTreeMap::new();
    let mut restored: BTreeMap<(MemberId, Reference), i64> = BTreeMap::new();
    for event in log {
        let m = event.member().clone();
        let key = match event {
            Event::PurchaseRecorded(e) => {
                earned.insert((m.clone(), e.order.clone()), e.points.value());
                Some(("order", e.order.clone()))
            }
            Event::RewardRedeemed(e) => {
                spent.insert((m.clone(), e.redemption.clone()), e.points.value());
                Some(("redemption", e.redemption.clone()))
            }
            Event::RedemptionCancelled(e) => Some(("cancel", e.redemption.clone())),
            Event::OrderConfirmed(e) => Some(("confirm", e.order.clone())),
            Event::OrderRefunded(e) => {
                *clawed.entry((m.clone(), e.order.clone())).or_default() +=
                    e.clawback.points.value();
                for r in &e.restored {
                    *restored
                        .entry((m.clone(), r.redemption.clone()))
                        .or_default() += r.points.value();
                }
                Some(("refund", e.refund.clone()))
            }
            Event::PointsAdjusted(e) => Some(("adjustment", e.adjustment.clone())),
            Event::PointsTransferredOut(e) => Some(("transfer", e.transfer.clone())),
            Event::PointsTransferredIn(e) => Some(("transfer", e.transfer.clone())),
            _ => None,
        };
        if let Some((kind, reference)) = key {
            // Invariant 4.
            prop_assert!(
                seen.insert((m, kind, reference.clone())),
                "{kind} {reference} recorded twice"
            );
        }
    }
    // Invariant 5, and its twin for restored points.
    for (order, total) in &clawed {
        prop_assert!(
            *total <= earned[order],
            "{order:?}: {total} > {}",
            earned[order]
        );
    }
    for (redemption, total) in &restored {
        prop_assert!(*total <= spent[redemption]);
    }
    Ok(())
}

/// Invariant 6 for one event about to be applied to `ledger`.
fn check_spending_order(ledger: &Ledger, event: &Event) -> Result<(), TestCaseError> {
    let (draws, at) = match event {
        Event::RewardRedeemed(e) => (&e.draws, e.at),
        Event::PointsAdjusted(e) => (&e.draws, e.at),
        Event::PointsTransferredOut(e) => (&e.draws, e.at),
        Event::OrderRefunded(e) => {
            // A clawback takes the order's own lot first; it still never
            // touches an expired lot.
            for d in &e.clawback.draws {
                prop_assert!(d.expires_at.is_none_or(|x| x > e.at));
            }
            return Ok(());
        }
        Event::PointsExpired(e) => {
            if e.reason == ExpiryReason::LotExpired {
                for d in &e.draws {
                    prop_assert!(d.expires_at.is_some_and(|x| x <= e.at));
                }
            }
            return Ok(());
        }
        _ => return Ok(()),
    };
    let Some(account) = ledger.account(event.member()) else {
        return Ok(());
    };
    let lots: Vec<Lot> = account.lots().collect();
    // Soonest-expiring first, ties oldest first: the lots listed in order,
    // each drawn whole but the last.
    let keys: Vec<(bool, Option<DateTime<Utc>>, LotId)> = lots
        .iter()
        .map(|l| (l.expires_at.is_none(), l.expires_at, l.id))
        .collect();
    prop_assert!(keys.windows(2).all(|w| w[0] < w[1]), "lots out of order");
    prop_assert!(draws.len() <= lots.len());
    for (i, (d, l)) in draws.iter().zip(&lots).enumerate() {
        prop_assert_eq!(d.lot, l.id);
        prop_assert!(
            d.expires_at.is_none_or(|x| x > at),
            "an expired lot was spent"
        );
        if i + 1 < draws.len() {
            prop_assert_eq!(d.points, l.points);
        } else {
            prop_assert!(d.points <= l.points);
        }
    }
    Ok(())
}

fn run_sequence(program: Program, steps: Vec<(i64, Op)>) -> Result<(), TestCaseError> {
    let mut ledger = Ledger::new(program.clone());
    let mut log: Vec<Event> = Vec::new();
    let mut now: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
    let mut last: Option<Command> = None;
    let mut commands: Vec<Command> = Vec::new();
    for (dt, op) in steps {
        now += Duration::seconds(dt);
        let Some(command) = command(&op, now, &log).or_else(|| last.clone()) else {
            continue;
        };
        last = Some(command.clone());
        commands.push(command.clone());
        let spends = matches!(
            command,
            Command::Redeem(_) | Command::Transfer(_) | Command::Adjust(_)
        );
        let before: BTreeMap<MemberId, Points> = ledger
            .accounts()
            .map(|a| (a.member().clone(), a.balance().available))
            .collect();
        let preview = match &command {
            Command::Purchase(p) => Some(ledger.preview(p)),
            _ => None,
        };
        match ledger.decide(command.clone()) {
            Ok(decision) => {
                if decision.duplicate {
                    prop_assert!(decision.events.is_empty());
                }
                // The checkout's preview is what the purchase earns.
                if let (Some(preview), Receipt::Purchase(receipt), false) =
                    (&preview, &decision.receipt, decision.duplicate)
                {
                    prop_assert_eq!(preview, &Ok(receipt.earning.clone()));
                }
                for event in &decision.events {
                    check_spending_order(&ledger, event)?;
                    check_points_never_earn(event)?;
                    prop_assert_eq!(ledger.apply(event), Ok(()));
                }
                // With the program unchanged, re-evaluation finds nothing
                // to change: no upgrade ever waits.
                if let Receipt::Reevaluation(r) = &decision.receipt {
                    prop_assert_eq!(r.changed, 0);
                }
                // A tick does everything due by its time: unless it had to
                // skip a member, nothing is left due then.
                if let Receipt::Tick(r) = &decision.receipt
                    && r.skipped.is_empty()
                {
                    prop_assert!(
                        ledger.next_due().is_none_or(|next| next > r.at),
                        "still due at {:?} after a tick at {}",
                        ledger.next_due(),
                        r.at
                    );
                }
                log.extend(decision.events);
                check_no_debt_from_spending(&ledger, &before, spends)?;
                check_upgrades_not_delayed(&ledger)?;
            }
            Err(error) => {
                if let Some(preview) = &preview
                    && !matches!(error, Error::Conflict { .. })
                {
                    prop_assert_eq!(preview, &Err(error.clone()));
                }
                // A refused command changes nothing (execute is decide + apply).
                let before = ledger.clone();
                prop_assert!(ledger.execute(command).is_err());
                prop_assert_eq!(&ledger, &before);
            }
        }
        check_balances(&ledger, &log)?;
    }
    check_references(&log)?;
    check_referrals_pay_once(&log, &program)?;
    check_program_health(&ledger, now)?;
    check_clawbacks_in_proportion(&log, program.refunds().rounding)?;
    // The same commands as one batch: each result as `execute` gives it one
    // command after another, and the same ledger.
    // A queued command reads back as written, and with its keys sorted by
    // a store (`command` then no longer first).
    for command in &commands {
        let written = serde_json::to_string(command).unwrap();
        let sorted = serde_json::to_value(command).unwrap().to_string();
        prop_assert_eq!(&serde_json::from_str::<Command>(&written).unwrap(), command);
        prop_assert_eq!(&serde_json::from_str::<Command>(&sorted).unwrap(), command);
    }
    let mut one_by_one = Ledger::new(program.clone());
    let expected: Vec<Result<Decision, Error>> = commands
        .iter()
        .map(|command| one_by_one.execute(command.clone()))
        .collect();
    let mut batched = Ledger::new(program.clone());
    let mut results = Vec::new();
    batched.execute_all(commands, |result| results.push(result.cloned()));
    prop_assert_eq!(results, expected);
    prop_assert_eq!(&batched, &ledger);
    // Invariant 3: replay, from memory and from stored JSON, gives the same
    // ledger.
    prop_assert_eq!(&Ledger::replay(program.clone(), &log).unwrap(), &ledger);
    let stored: Vec<String> = log
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect();
    let read: Vec<Event> = stored
        .iter()
        .map(|s| serde_json::from_str(s).unwrap())
        .collect();
    prop_assert_eq!(&Ledger::replay(program, &read).unwrap(), &ledger);
    // Stored by a store that sorts keys, so `type` is no longer first, the
    // events read the same.
    let sorted: Vec<Event> = log
        .iter()
        .map(|e| serde_json::from_str(&serde_json::to_value(e).unwrap().to_string()).unwrap())
        .collect();
    prop_assert_eq!(&sorted, &log);
    Ok(())
}

/// An upgrade is never delayed to a later event: after every command each
/// member's qualified tier is at least the one their qualifying metric
/// earns, and the tier whose benefits apply is the higher of it and their
/// membership's.
fn check_upgrades_not_delayed(ledger: &Ledger) -> Result<(), TestCaseError> {
    let Some(tiers) = ledger.program().tiers() else {
        return Ok(());
    };
    for account in ledger.accounts() {
        let status = ledger
            .tier_status(account.member(), account.last_event_at())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let earned = tiers.earned_by(status.metric).map(|t| tiers.rank(t.id()));
        let held = status.qualified.as_ref().map(|t| tiers.rank(t));
        prop_assert!(
            held >= earned,
            "{}: {:?} held while the metric {} earns more",
            account.member(),
            status.qualified,
            status.metric
        );
        let paid = status.membership.as_ref().map(|m| tiers.rank(&m.tier));
        prop_assert_eq!(
            status.tier.as_ref().map(|t| tiers.rank(t)),
            held.max(paid),
            "{}",
            account.member()
        );
    }
    Ok(())
}

/// The program's health since the start adds up: what was issued, less
/// what was redeemed, expired and clawed back, plus adjustments, is what
/// members hold (outstanding less what they owe); transfers cancel out.
fn check_program_health(ledger: &Ledger, now: DateTime<Utc>) -> Result<(), TestCaseError> {
    let start: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
    let to = (now + Duration::seconds(1)).max(start);
    let health = match loyalty::metrics::program_health(ledger, start, to) {
        Ok(health) => health,
        // Totals over all members may pass what one member can hold: a
        // typed overflow, only then.
        Err(
            loyalty::metrics::MetricError::Overflow { .. }
            | loyalty::metrics::MetricError::Ledger(Error::PointsOverflow(_)),
        ) => {
            let total: i128 = ledger
                .accounts()
                .map(|a| {
                    let b = a.balance();
                    i128::from(b.earned.value()).abs()
                        + i128::from(b.adjusted.value()).abs()
                        + i128::from(b.available.value()).abs()
                })
                .sum();
            prop_assert!(total > i128::from(i64::MAX), "overflow at {}", total);
            return Ok(());
        }
        Err(e) => return Err(TestCaseError::fail(e.to_string())),
    };
    let flows = i128::from(health.issued.value())
        - i128::from(health.redeemed.value())
        - i128::from(health.expired.value())
        - i128::from(health.clawed_back.value())
        + i128::from(health.adjusted.value());
    let held = i128::from(health.outstanding.value()) - i128::from(health.debt.value());
    prop_assert_eq!(flows, held, "{:?}", health);
    let enrolled = ledger.accounts().filter(|a| a.enrolled_at() < to).count();
    prop_assert_eq!(health.members, enrolled as u64);
    prop_assert!(health.active_members <= health.members);
    if ledger.program().tiers().is_some() {
        prop_assert_eq!(
            health.members_by_tier.iter().map(|(_, n)| n).sum::<u64>(),
            health.members
        );
    }
    Ok(())
}

/// A referral pays each side at most once: one reward per member, referee,
/// qualifying order (or the link) and role, ever — a reversed one never
/// comes back; a referee qualifies at most the configured number of times;
/// nobody is rewarded as their own referrer; and a reversal takes back a
/// reward that stood.
fn check_referrals_pay_once(log: &[Event], program: &Program) -> Result<(), TestCaseError> {
    let most = program
        .referrals()
        .map_or(0, |r| r.qualifying_orders().max(1));
    let mut paid: BTreeSet<(MemberId, MemberId, Option<Reference>, ReferralRole)> = BTreeSet::new();
    let mut standing = paid.clone();
    let mut qualified: BTreeMap<MemberId, u32> = BTreeMap::new();
    for event in log {
        match event {
            Event::ReferralQualified(e) => {
                let n = qualified.entry(e.member.clone()).or_default();
                *n += 1;
                prop_assert!(*n <= most, "{} qualified {} times", e.member, n);
            }
            Event::ReferralRewarded(e) => {
                let key = (
                    e.member.clone(),
                    e.referee.clone(),
                    e.order.clone(),
                    e.role.clone(),
                );
                prop_assert!(paid.insert(key.clone()), "paid twice: {:?}", key);
                standing.insert(key);
                prop_assert_eq!(e.role == ReferralRole::Referee, e.member == e.referee);
            }
            Event::ReferralReversed(e) => {
                let key = (
                    e.member.clone(),
                    e.referee.clone(),
                    Some(e.order.clone()),
                    e.role.clone(),
                );
                let stood = standing.remove(&key);
                prop_assert!(stood || e.role == ReferralRole::Referee, "{:?}", key);
                if !stood {
                    // The referee's marker for a qualification that paid
                    // them nothing: nothing to take back.
                    prop_assert!(e.points.is_zero() && e.voucher_revoked.is_none());
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Points never earn points: what a purchase earns on is never more than
/// the money paid.
fn check_points_never_earn(event: &Event) -> Result<(), TestCaseError> {
    if let Event::PurchaseRecorded(e) = event {
        for line in &e.breakdown {
            if let EarnLine::Base { eligible, .. } = line {
                prop_assert!(
                    eligible.amount() <= e.amount.amount(),
                    "{eligible} > {}",
                    e.amount
                );
            }
        }
    }
    Ok(())
}

/// A refund claws back all of an order's points — base, rules, campaigns,
/// bonuses — in proportion to the amount refunded: after each refund the
/// order's clawbacks add up to `rounding(points × refunded / amount)`.
fn check_clawbacks_in_proportion(log: &[Event], rounding: Rounding) -> Result<(), TestCaseError> {
    let mut orders: BTreeMap<(MemberId, Reference), (i64, i64)> = BTreeMap::new();
    let mut clawed: BTreeMap<(MemberId, Reference), i64> = BTreeMap::new();
    for event in log {
        match event {
            Event::PurchaseRecorded(e) => {
                orders.insert(
                    (e.member.clone(), e.order.clone()),
                    (e.points.value(), cents_of(e.amount)),
                );
            }
            Event::OrderRefunded(e) => {
                let key = (e.member.clone(), e.order.clone());
                let (points, amount) = orders[&key];
                let total = clawed.entry(key).or_default();
                *total += e.clawback.points.value();
                let expected = share(points, cents_of(e.refunded_total), amount, rounding);
                prop_assert_eq!(*total, expected, "{} {}", e.order, e.refund);
            }
            _ => {}
        }
    }
    Ok(())
}

proptest! {
    // 256 cases per property unless PROPTEST_CASES says otherwise.
    #![proptest_config(ProptestConfig::default())]

    /// Invariants 1–7 over random programs and command sequences.
    #[test]
    fn random_command_sequences_keep_every_invariant(
        program in program_strategy(),
        steps in proptest::collection::vec(step_strategy(), 1..120),
    ) {
        // Everyone enrols first, most of the time, so commands do real work.
        let mut all = vec![
            (0, Op::Enroll(0, Some((3, 14)))),
            (0, Op::Enroll(1, None)),
            (0, Op::Enroll(2, Some((2, 28)))),
            // Under a referral programme: a chain 2 → 1 → 0.
            (0, Op::Link(1, 0)),
            (0, Op::Link(2, 1)),
        ];
        all.extend(steps);
        run_sequence(program, all)?;
    }

    /// Invariant 7: any text as a configuration is accepted or refused,
    /// never a panic.
    #[test]
    fn any_configuration_text_is_accepted_or_refused(text in ".{0,200}") {
        let _ = serde_json::from_str::<Program>(&text);
        let _ = toml::from_str::<Program>(&text);
    }

    /// Invariant 7: configurations with wild values validate or fail with
    /// problems, and a valid one runs a purchase.
    #[test]
    fn wild_configuration_values_never_panic(
        points in any::<i64>(),
        per in any::<i64>(),
        scale in 0..30_u32,
        days in any::<u32>(),
        pending in any::<u32>(),
        cost in any::<i64>(),
        percent in any::<i64>(),
        offset in "[+-][0-9]{2}:[0-9]{2}",
    ) {
        let mut config = ProgramConfig::new("EUR");
        config.earn.points = points;
        config.earn.per = Decimal::new(per, scale.min(28));
        config.utc_offset = offset;
        config.expiry.policy = ExpiryPolicy::AfterEarning;
        config.expiry.days = Some(days);
        config.pending.days = Some(pending);
        config.rewards.push(RewardConfig::percent_off("r", cost, Decimal::new(percent, 2)));
        if let Ok(program) = Program::new(config) {
            let mut ledger = Ledger::new(program);
            let at = DateTime::<Utc>::MAX_UTC - Duration::days(1);
            ledger.execute(Enroll::new(id("m", 0), at)).unwrap();
            let _ = ledger.execute(Purchase::new(id("m", 0), id("O", 0), eur(i64::MAX), at));
            let _ = ledger.execute(Purchase::new(id("m", 0), id("O", 1), eur(5_000), at));
        }
    }

    /// Invariant 7: a stored log with any number changed or an event
    /// dropped or repeated is applied or refused whole, never a panic, and
    /// what applies keeps the figures consistent.
    #[test]
    fn tampered_logs_are_applied_or_refused_whole(
        program in program_strategy(),
        steps in proptest::collection::vec(step_strategy(), 1..60),
        target in any::<prop::sample::Index>(),
        number in prop_oneof![any::<i64>(), Just(0_i64), Just(-1_i64), Just(i64::MAX)],
        nth in 0..8_usize,
        action in 0..3_usize,
    ) {
        let mut ledger = Ledger::new(program.clone());
        let mut log = Vec::new();
        let mut now: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
        let enrol = [(0, Op::Enroll(0, Some((3, 14)))), (0, Op::Enroll(1, None))];
        for (dt, op) in enrol.into_iter().chain(steps) {
            now += Duration::seconds(dt);
            if let Some(c) = command(&op, now, &log) && let Ok(d) = ledger.execute(c) {
                log.extend(d.events);
            }
        }
        prop_assume!(!log.is_empty());
        let i = target.index(log.len());
        let mut values: Vec<serde_json::Value> =
            log.iter().map(|e| serde_json::to_value(e).unwrap()).collect();
        match action {
            0 => replace_nth_number(&mut values[i], nth, number),
            1 => { values.remove(i); }
            _ => { let v = values[i].clone(); values.insert(i, v); }
        }
        let events: Vec<Event> = values
            .into_iter()
            .filter_map(|value| serde_json::from_value::<Event>(value).ok())
            .collect();
        // Replaying the log whole gives what applying it an event at a
        // time gives: the same ledger, or the same first refusal at the
        // same index.
        let mut one_by_one = Ledger::new(program.clone());
        let refused = events
            .iter()
            .enumerate()
            .find_map(|(i, event)| one_by_one.apply(event).err().map(|error| (i, error)));
        match (Ledger::replay(program.clone(), &events), refused) {
            (Ok(whole), None) => prop_assert_eq!(whole, one_by_one),
            (Err(whole), Some((index, error))) => {
                prop_assert_eq!(whole.index, index);
                prop_assert_eq!(whole.error, error);
            }
            (whole, refused) => prop_assert!(false, "replay {:?}, one at a time {:?}", whole.err(), refused),
        }
        let mut replayed = Ledger::new(program);
        let mut applied = Vec::new();
        for event in events {
            let before = replayed.clone();
            match replayed.apply(&event) {
                Ok(()) => applied.push(event),
                Err(_) => prop_assert_eq!(&replayed, &before),
            }
        }
        for account in replayed.accounts() {
            // Whatever applied, the figures match the lots, pending lots and
            // debt they summarise, and agree with the applied events.
            let b = account.balance();
            let lots: i128 = account.lots().map(|l| i128::from(l.points.value())).sum();
            let pending: i128 = account.pending().map(|p| i128::from(p.points.value())).sum();
            prop_assert_eq!(lots - i128::from(account.debt().value()), i128::from(b.available.value()));
            prop_assert!(!account.debt().is_negative());
            prop_assert_eq!(pending, i128::from(b.pending.value()));
            prop_assert!(account.lots().all(|l| l.points.is_positive()));
        }
        check_totals(&replayed, &applied)?;
    }
}

/// Replaces the `nth` integer found in a JSON value (wrapping around).
fn replace_nth_number(value: &mut serde_json::Value, nth: usize, number: i64) {
    fn walk<'a>(v: &'a mut serde_json::Value, out: &mut Vec<&'a mut serde_json::Value>) {
        match v {
            serde_json::Value::Number(_) => out.push(v),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|x| walk(x, out)),
            serde_json::Value::Object(map) => map.values_mut().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut numbers = Vec::new();
    walk(value, &mut numbers);
    let count = numbers.len();
    if let Some(slot) = numbers.into_iter().nth(nth % count.max(1)) {
        *slot = serde_json::Value::from(number);
    }
}
