//! proptest strategies built on a merchant's program.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};
use rust_decimal::Decimal;

use crate::{
    Action, ActionId, Adjust, CODE_ALPHABET, CancelMembership, CancelRedemption, Cart, Category,
    Command, Confirm, Enroll, Invite, JoinMembership, Line, LinkReferral, MemberId, Money, Points,
    Program, Purchase, Redeem, Reference, ReferralCode, Refund, RenewMembership, RewardId,
    RewardKind, RuleId, Sku, Tick, Transfer,
};

/// What generated commands draw from: a few members and a few references
/// of each kind, so that commands meet — the same member buys twice, a
/// refund finds its order, a reference comes back as a retry or as a
/// conflict — and where the timeline starts.
///
/// # Example
///
/// ```
/// use loyalty::testing::Pools;
///
/// let pools = Pools::new().members(5).references(8).start("2027-01-01T00:00:00Z".parse()?);
/// assert_eq!(pools.member_ids()[4].as_str(), "member-4");
/// assert_eq!(pools.codes().len(), 5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pools {
    members: usize,
    references: usize,
    start: DateTime<Utc>,
}

impl Default for Pools {
    /// Three members, four references of each kind, from 2026-01-01.
    fn default() -> Pools {
        Pools {
            members: 3,
            references: 4,
            start: DateTime::<Utc>::from_naive_utc_and_offset(
                NaiveDate::from_ymd_opt(2026, 1, 1)
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .unwrap_or_default(),
                Utc,
            ),
        }
    }
}

impl Pools {
    /// The default pools.
    pub fn new() -> Pools {
        Pools::default()
    }

    /// How many members commands are about (at least 1).
    pub fn members(mut self, count: usize) -> Pools {
        self.members = count.max(1);
        self
    }

    /// How many references of each kind (orders, redemptions, refunds,
    /// ...) commands use (at least 1).
    pub fn references(mut self, count: usize) -> Pools {
        self.references = count.max(1);
        self
    }

    /// When the timeline starts.
    pub fn start(mut self, at: DateTime<Utc>) -> Pools {
        self.start = at;
        self
    }

    /// The members commands are about: `member-0`, `member-1`, ...
    pub fn member_ids(&self) -> Vec<MemberId> {
        numbered("member-", self.members)
    }

    /// The referral code generated enrolments give each member, in the
    /// order of [`member_ids`](Pools::member_ids).
    pub fn codes(&self) -> Vec<ReferralCode> {
        let alphabet: Vec<char> = CODE_ALPHABET.chars().collect();
        let len = alphabet.len().max(1);
        let pick = |i: usize| {
            let at = i.checked_rem(len).unwrap_or_default();
            alphabet.get(at).copied().unwrap_or('M')
        };
        (0..self.members)
            .filter_map(|i| {
                ReferralCode::with_check(&format!(
                    "MB{}{}",
                    pick(i.checked_div(len).unwrap_or_default()),
                    pick(i)
                ))
                .ok()
            })
            .collect()
    }

    /// The references of one kind: `order-0`, `order-1`, ...
    fn refs(&self, prefix: &str) -> Vec<Reference> {
        numbered(prefix, self.references)
    }
}

/// `count` ids of `prefix` and a number (valid ids, so none is dropped).
fn numbered<T: std::str::FromStr>(prefix: &str, count: usize) -> Vec<T> {
    (0..count)
        .filter_map(|i| format!("{prefix}{i}").parse().ok())
        .collect()
}

/// Members from the pools.
pub fn member(pools: &Pools) -> impl Strategy<Value = MemberId> + use<> {
    proptest::sample::select(pools.member_ids())
}

/// References of one kind from the pools (`order-0`, `order-1`, ...).
pub fn reference(prefix: &str, pools: &Pools) -> impl Strategy<Value = Reference> + use<> {
    proptest::sample::select(pools.refs(prefix))
}

/// An amount in the program's currency, in cents: mostly everyday
/// amounts, sometimes zero, sometimes extreme.
pub fn amount(program: &Program) -> impl Strategy<Value = Money> + use<> {
    let currency = program.currency();
    prop_oneof![
        12 => 1..30_000_i64,
        1 => Just(0_i64),
        1 => prop_oneof![Just(i64::MAX), Just(-1_i64), 30_000..i64::MAX],
    ]
    .prop_map(move |cents| Money::new(Decimal::new(cents, 2), currency))
}

/// The products and categories the program's rules and rewards mention,
/// and a few it does not.
fn vocabulary(program: &Program) -> (Vec<String>, Vec<String>) {
    let config = program.config();
    let mut skus: Vec<String> = vec!["SKU-1".to_owned(), "SKU-2".to_owned()];
    let mut categories: Vec<String> = vec!["misc".to_owned()];
    for rule in &config.earn.rules {
        skus.extend(rule.skus.iter().cloned());
        categories.extend(rule.categories.iter().cloned());
    }
    skus.extend(config.earn.exclude.skus.iter().cloned());
    categories.extend(config.earn.exclude.categories.iter().cloned());
    for reward in program.rewards() {
        categories.extend(reward.categories().iter().map(ToString::to_string));
        if let RewardKind::FreeProduct { sku } = reward.kind() {
            skus.push(sku.to_string());
        }
    }
    skus.sort();
    skus.dedup();
    categories.sort();
    categories.dedup();
    (skus, categories)
}

/// Carts of one to three lines over the products and categories the
/// program's rules and rewards name, with shipping, a coupon and a gift
/// card now and then. The coupon never exceeds the merchandise, nor the
/// gift card what is left to pay.
pub fn cart(program: &Program) -> impl Strategy<Value = Cart> + use<> {
    let currency = program.currency();
    let (skus, categories) = vocabulary(program);
    let skus: Vec<Sku> = skus.iter().filter_map(|s| s.parse().ok()).collect();
    let categories: Vec<Category> = categories.iter().filter_map(|c| c.parse().ok()).collect();
    let line = (
        proptest::sample::select(skus),
        proptest::option::weighted(0.7, proptest::sample::select(categories)),
        1..4_u32,
        0..8_000_i64,
    );
    (
        proptest::collection::vec(line, 1..4),
        prop_oneof![2 => Just(0_i64), 1 => 100..1_000_i64],
        prop_oneof![3 => Just(0_i64), 1 => 0..3_000_i64],
        prop_oneof![5 => Just(0_i64), 1 => 0..5_000_i64],
    )
        .prop_map(move |(lines, shipping, coupon, gift_card)| {
            let eur = |cents: i64| Money::new(Decimal::new(cents, 2), currency);
            let mut merchandise: i64 = 0;
            let mut cart = Cart::of(lines.into_iter().map(|(sku, category, quantity, cents)| {
                merchandise = merchandise.saturating_add(cents.saturating_mul(i64::from(quantity)));
                let line = Line::new(sku, quantity, eur(cents));
                match category {
                    Some(category) => line.category(category),
                    None => line,
                }
            }));
            if shipping > 0 {
                cart = cart.shipping(eur(shipping));
            }
            let coupon = coupon.min(merchandise);
            if coupon > 0 {
                cart = cart.discount(eur(coupon));
            }
            let gift_card = gift_card.min(merchandise.saturating_sub(coupon));
            if gift_card > 0 {
                cart = cart.gift_card(eur(gift_card));
            }
            cart
        })
}

/// Purchases by the pools' members of the pools' orders: a plain amount,
/// or a cart paid in full; now and then paid partly with a redemption.
/// Their time is the pools' start; [`commands`] spreads them out.
pub fn purchase(program: &Program, pools: &Pools) -> impl Strategy<Value = Purchase> + use<> {
    let at = pools.start;
    let zero = Money::new(Decimal::ZERO, program.currency());
    (
        member(pools),
        reference("order-", pools),
        prop_oneof![
            amount(program).prop_map(|a| (a, None)),
            cart(program).prop_map(move |c| (c.total().unwrap_or(zero), Some(c))),
        ],
        proptest::option::weighted(0.2, reference("redemption-", pools)),
    )
        .prop_map(move |(member, order, (amount, cart), redemption)| {
            let mut purchase = Purchase::new(member, order, amount, at);
            if let Some(cart) = cart {
                purchase = purchase.with_cart(cart);
            }
            match redemption {
                Some(r) => purchase.with_redemption(r),
                None => purchase,
            }
        })
}

/// Points for adjustments and transfers: mostly small, sometimes extreme.
fn points() -> impl Strategy<Value = Points> {
    prop_oneof![
        8 => -200..500_i64,
        1 => prop_oneof![Just(i64::MAX), Just(i64::MIN), Just(0_i64)],
    ]
    .prop_map(Points::new)
}

/// Every kind of command the program can use, each weighted by how often a
/// shop sends it; all timed at the pools' start.
fn command(program: &Program, pools: &Pools) -> BoxedStrategy<Command> {
    let at = pools.start;
    let m = || member(pools);
    let r = |prefix: &str| reference(prefix, pools);
    let mut arms: Vec<(u32, BoxedStrategy<Command>)> = Vec::new();

    let people: Vec<(MemberId, Option<ReferralCode>)> = match program.referrals() {
        Some(_) => pools
            .member_ids()
            .into_iter()
            .zip(pools.codes().into_iter().map(Some))
            .collect(),
        None => pools
            .member_ids()
            .into_iter()
            .map(|id| (id, None))
            .collect(),
    };
    let codes: Vec<Option<ReferralCode>> = people.iter().map(|(_, c)| c.clone()).collect();
    let birthdays = program.bonuses().birthday().is_some();
    arms.push((
        3,
        (
            proptest::sample::select(people),
            proptest::option::weighted(0.3, (1..13_u32, 1..29_u32)),
            proptest::sample::select(codes.clone()),
            proptest::bool::weighted(0.3),
        )
            .prop_map(move |((member, code), birth, referrer, referred)| {
                let mut enroll = Enroll::new(member, at);
                if birthdays
                    && let Some(date) = birth.and_then(|(m, d)| NaiveDate::from_ymd_opt(1990, m, d))
                {
                    enroll = enroll.born(date);
                }
                if let Some(code) = code {
                    enroll = enroll.with_code(code);
                }
                match referrer {
                    Some(referrer) if referred => enroll.referred_by(referrer).into(),
                    _ => enroll.into(),
                }
            })
            .boxed(),
    ));
    arms.push((8, purchase(program, pools).prop_map(Command::from).boxed()));
    arms.push((
        2,
        (m(), r("order-"))
            .prop_map(move |(m, o)| Confirm::new(m, o, at).into())
            .boxed(),
    ));
    let rewards: Vec<(RewardId, bool)> = program
        .rewards()
        .iter()
        .map(|r| {
            let as_cash = matches!(r.kind(), RewardKind::PointsAsCash { .. });
            (r.id().clone(), as_cash)
        })
        .chain(
            numbered("unknown-reward-", 1)
                .into_iter()
                .map(|id| (id, false)),
        )
        .collect();
    arms.push((
        5,
        (
            m(),
            r("redemption-"),
            proptest::sample::select(rewards),
            cart(program),
            1..20_i64,
        )
            .prop_map(move |(m, r, (reward, as_cash), cart, steps)| {
                let redeem = Redeem::new(m, r, reward, cart, at);
                let redeem = if as_cash {
                    redeem.points(Points::new(steps.saturating_mul(100)))
                } else {
                    redeem
                };
                Command::from(redeem)
            })
            .boxed(),
    ));
    arms.push((
        2,
        (m(), r("redemption-"))
            .prop_map(move |(m, r)| CancelRedemption::new(m, r, at).into())
            .boxed(),
    ));
    arms.push((
        5,
        (m(), r("order-"), r("refund-"), amount(program))
            .prop_map(move |(m, o, f, amount)| Refund::new(m, o, f, amount, at).into())
            .boxed(),
    ));
    arms.push((
        2,
        (m(), r("adjustment-"), points())
            .prop_map(move |(m, a, points)| Adjust::new(m, a, points, "generated", at).into())
            .boxed(),
    ));
    arms.push((
        2,
        (m(), m(), r("transfer-"), points())
            .prop_map(move |(from, to, t, points)| Transfer::new(from, to, t, points, at).into())
            .boxed(),
    ));
    let actions: Vec<ActionId> = program
        .bonuses()
        .actions()
        .iter()
        .map(|a| a.id().clone())
        .chain(numbered("unknown-action-", 1))
        .collect();
    arms.push((
        2,
        (m(), proptest::sample::select(actions), r("action-"))
            .prop_map(move |(m, action, r)| Action::new(m, action, r, at).into())
            .boxed(),
    ));
    let memberships: Vec<RuleId> = program
        .memberships()
        .iter()
        .map(|m| m.id().clone())
        .collect();
    if !memberships.is_empty() {
        arms.push((
            2,
            (m(), proptest::sample::select(memberships), r("payment-"))
                .prop_map(move |(m, membership, r)| {
                    JoinMembership::new(m, membership, r, at).into()
                })
                .boxed(),
        ));
        arms.push((
            1,
            (m(), r("payment-"))
                .prop_map(move |(m, r)| RenewMembership::new(m, r, at).into())
                .boxed(),
        ));
        arms.push((
            1,
            (m(), r("payment-"))
                .prop_map(move |(m, r)| CancelMembership::new(m, r, at).into())
                .boxed(),
        ));
    }
    let codes: Vec<ReferralCode> = codes.into_iter().flatten().collect();
    if !codes.is_empty() {
        arms.push((
            2,
            (m(), proptest::sample::select(codes))
                .prop_map(move |(m, code)| LinkReferral::new(m, code, at).into())
                .boxed(),
        ));
        arms.push((
            1,
            (m(), r("invitation-"))
                .prop_map(move |(m, r)| Invite::new(m, r, at).into())
                .boxed(),
        ));
    }
    arms.push((2, Just(Command::from(Tick::new(at))).boxed()));
    Union::new_weighted(arms).boxed()
}

/// The gap before a command: often none, mostly hours to days, sometimes
/// months, now and then backwards (a command out of order).
fn gap() -> impl Strategy<Value = i64> {
    let day = 86_400_i64;
    prop_oneof![
        3 => Just(0_i64),
        6 => 1..3 * day,
        3 => day..60 * day,
        1 => 60 * day..400 * day,
        1 => -5 * day..0,
    ]
}

/// Sequences of `len` commands against `program`, after most of the pools'
/// members have enrolled: enrolments (with birthdays and referral codes
/// when the program has them), purchases of
/// amounts and carts, confirmations, redemptions of the program's rewards
/// (and one it does not have), cancellations, refunds, adjustments,
/// transfers, actions, memberships, referral links and invitations, and
/// ticks — each a moment after the one before, now and then before it.
///
/// Values shrink toward shorter sequences of simpler commands, so a failure
/// comes back as the few commands that matter.
///
/// # Example
///
/// ```
/// use loyalty::testing::{Pools, commands};
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::{TestRng, TestRunner, RngAlgorithm, Config};
///
/// let program: loyalty::Program = serde_json::from_str(r#"{"currency": "EUR"}"#)?;
/// let mut runner = TestRunner::new_with_rng(Config::default(),
///     TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]));
/// let sequence = commands(&program, &Pools::new(), 20..21)
///     .new_tree(&mut runner)
///     .map_err(|reason| reason.to_string())?
///     .current();
/// assert!(sequence.len() >= 20); // and the enrolments first
/// assert!(sequence.windows(2).any(|w| w[0].at() != w[1].at()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn commands(
    program: &Program,
    pools: &Pools,
    len: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<Command>> + use<> {
    let start = pools.start;
    let members = pools.member_ids();
    let codes: Vec<Option<ReferralCode>> = match program.referrals() {
        Some(_) => pools.codes().into_iter().map(Some).collect(),
        None => Vec::new(),
    };
    (
        proptest::collection::vec(proptest::bool::weighted(0.8), members.len()),
        proptest::collection::vec((gap(), command(program, pools)), len),
    )
        .prop_map(move |(enrolled, steps)| {
            // Most members join first, so most commands find their member;
            // each of these enrolments shrinks away when not needed.
            let mut sequence: Vec<Command> = Vec::new();
            for ((member, join), code) in members
                .iter()
                .zip(enrolled)
                .zip(codes.iter().cloned().chain(std::iter::repeat(None)))
            {
                if join {
                    let enroll = Enroll::new(member.clone(), start);
                    sequence.push(match code {
                        Some(code) => enroll.with_code(code).into(),
                        None => enroll.into(),
                    });
                }
            }
            let mut at = start;
            for (gap, mut command) in steps {
                at = at.checked_add_signed(Duration::seconds(gap)).unwrap_or(at);
                command.set_at(at);
                sequence.push(command);
            }
            sequence
        })
}
