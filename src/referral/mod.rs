//! Referrals: a code per member, friends who join with it, rewards on both
//! sides when the friend qualifies — the same for every referral or
//! growing with the referrer's count — guards against abuse, and reversal
//! when the qualifying order is refunded.

mod code;

use std::fmt;

use chrono::{DateTime, FixedOffset, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub(crate) use code::CodeKey;
pub use code::{CODE_ALPHABET, CodeProblem, InvalidCode, MAX_CODE_LEN, MIN_CODE_LEN, ReferralCode};

use crate::program::{ConfigRule, Problems};
use crate::rewards::{Reward, RewardKind};
use crate::{Currency, Frequency, Money, Period, Points, RewardId};

/// The shortest program secret accepted, in bytes.
pub const MIN_SECRET_LEN: usize = 16;

/// The deepest upline a program may reward.
pub const MAX_UPLINE: usize = 5;

/// The `[referrals]` section of a [`ProgramConfig`](crate::ProgramConfig):
/// codes, who may link, when a referral qualifies, what each side gets,
/// and the limits.
///
/// ```toml
/// [referrals]
/// secret = "a long random string the merchant keeps"  # derives members' codes
/// code_length = 7            # characters before the check character
/// code_valid_days = 365      # a code stops working this long after it was issued
/// link_within_days = 14      # linking a code after enrolment: this long, before any order
/// qualify = "first_order"    # or "enrolment", "each_order" (with orders = 3)
/// minimum_order = "30.00"    # qualifying orders are at least this much
/// qualify_within_days = 60   # ... and come this long after linking
/// referee = { points = 50 }  # or { reward = "welcome-gift" }
/// referrer = { points = 100 }
/// upline = [20]              # the referrer's own referrer gets 20 points
/// limit = { count = 10, per = "month" }  # successful referrals per referrer
/// max_total = 50
///
/// # Or, instead of `referrer`, rewards that grow with the count:
/// # [[referrals.ladder]]
/// # from = 1
/// # points = 100
/// # [[referrals.ladder]]
/// # from = 5
/// # points = 150
/// # [[referrals.milestones]]
/// # at = 5
/// # points = 500
/// ```
///
/// # Example
///
/// ```
/// use loyalty::{Grant, Points, Program};
///
/// let program: Program = toml::from_str(r#"
///     currency = "EUR"
///     [referrals]
///     secret = "a long random string the merchant keeps"
///     minimum_order = "30.00"
///     referee = { points = 50 }
///     ladder = [{ from = 1, points = 100 }, { from = 5, points = 150 }]
/// "#)?;
/// let referrals = program.referrals().expect("configured");
/// assert_eq!(referrals.referrer_grant(4), Some(&Grant::Points(Points::new(100))));
/// assert_eq!(referrals.referrer_grant(5), Some(&Grant::Points(Points::new(150))));
///
/// // Mistakes are named with their path.
/// let wrong = toml::from_str::<Program>(r#"
///     currency = "EUR"
///     [referrals]
///     secret = "too short"
/// "#).unwrap_err();
/// assert!(wrong.to_string().contains("referrals.secret: must be at least 16 (got 9)"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ReferralConfig {
    /// The secret members' codes are derived from (at least 16 bytes). Keep
    /// it out of sight: with it, anyone can compute a member's code from
    /// their id. Changing it changes codes issued from then on.
    pub secret: String,
    /// Characters of a derived code before its check character (4 to 12).
    #[serde(default = "default_code_length")]
    pub code_length: u32,
    /// A code stops working this many days after it was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_valid_days: Option<u32>,
    /// Codes link only from this time (RFC 3339, or a date at local
    /// midnight).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<String>,
    /// Codes link only before this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<String>,
    /// How many days after enrolling a member may still link a code
    /// (before their first order). 0: only when enrolling.
    #[serde(default)]
    pub link_within_days: u32,
    /// When a referral qualifies.
    #[serde(default)]
    pub qualify: Qualify,
    /// The least a qualifying order is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_order: Option<Decimal>,
    /// A qualifying order comes at most this many days after the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualify_within_days: Option<u32>,
    /// `each_order`: how many of the referee's first orders qualify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orders: Option<u32>,
    /// What the new member gets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referee: Option<GrantConfig>,
    /// What the referrer gets, the same for every referral.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<GrantConfig>,
    /// What the referrer gets by their count of successful referrals,
    /// instead of `referrer`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ladder: Vec<LadderStepConfig>,
    /// Extra rewards when the referrer's count reaches a number.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<MilestoneConfig>,
    /// Points for the referrer's own referrer (depth 1), theirs (depth 2),
    /// and so on, up to [`MAX_UPLINE`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upline: Vec<i64>,
    /// At most this many successful referrals per referrer per period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Frequency>,
    /// At most this many successful referrals per referrer, ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_total: Option<u32>,
}

fn default_code_length() -> u32 {
    7
}

/// When a referral qualifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Qualify {
    /// When the friend links the code.
    Enrolment,
    /// At the friend's first order of at least the minimum.
    #[default]
    FirstOrder,
    /// At each of the friend's first `orders` orders of at least the
    /// minimum.
    EachOrder,
}

/// Points or a catalogue reward, as configured: `{ points = 100 }` or
/// `{ reward = "ten-percent-off" }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct GrantConfig {
    /// Points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// A catalogue reward, given as a voucher the member redeems for no
    /// points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward: Option<String>,
}

impl GrantConfig {
    /// `points` points.
    pub fn points(points: i64) -> GrantConfig {
        GrantConfig {
            points: Some(points),
            reward: None,
        }
    }

    /// A voucher for the catalogue reward `reward`.
    pub fn reward(reward: impl Into<String>) -> GrantConfig {
        GrantConfig {
            points: None,
            reward: Some(reward.into()),
        }
    }
}

/// One step of a referral ladder: from the `from`-th successful referral
/// on, the referrer gets this.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LadderStepConfig {
    /// The count this step starts at; the first step starts at 1.
    pub from: u32,
    /// Points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// Or a catalogue reward.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward: Option<String>,
}

/// A one-off reward when the referrer's count of successful referrals
/// reaches `at`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MilestoneConfig {
    /// The count.
    pub at: u32,
    /// Points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// Or a catalogue reward.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward: Option<String>,
}

/// What a referral gives one side: points, or a voucher for a catalogue
/// reward.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Grant {
    /// Points, credited at once.
    Points(Points),
    /// A voucher for this reward, redeemed for no points.
    Reward(RewardId),
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Grant::Points(p) => write!(f, "{}", crate::points::PointsNoun(*p)),
            Grant::Reward(r) => write!(f, "a {r} voucher"),
        }
    }
}

/// A step of a validated ladder.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LadderStep {
    from: u32,
    grant: Grant,
}

impl LadderStep {
    /// The count the step starts at.
    pub fn from(&self) -> u32 {
        self.from
    }

    /// What each referral at this step gives the referrer.
    pub fn grant(&self) -> &Grant {
        &self.grant
    }
}

/// What the referrer gets: one reward for every referral, or a ladder.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReferrerReward {
    /// Nothing.
    Nothing,
    /// The same for every referral.
    Single(Grant),
    /// By count, lowest step first.
    Ladder(Vec<LadderStep>),
}

/// A validated milestone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Milestone {
    at: u32,
    grant: Grant,
}

impl Milestone {
    /// The count that reaches it.
    pub fn at(&self) -> u32 {
        self.at
    }

    /// What it gives.
    pub fn grant(&self) -> &Grant {
        &self.grant
    }
}

/// The validated referral rules of a [`Program`](crate::Program).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Referrals {
    key: CodeKey,
    code_length: usize,
    code_valid_days: Option<u32>,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    link_within_days: u32,
    qualify: Qualify,
    minimum_order: Money,
    qualify_within_days: Option<u32>,
    orders: u32,
    referee: Option<Grant>,
    referrer: ReferrerReward,
    milestones: Vec<Milestone>,
    upline: Vec<Points>,
    limit: Option<Frequency>,
    max_total: Option<u32>,
}

impl Referrals {
    pub(crate) fn key(&self) -> &CodeKey {
        &self.key
    }

    /// Characters of a derived code before its check character.
    pub fn code_length(&self) -> usize {
        self.code_length
    }

    /// Days a code works after it was issued.
    pub fn code_valid_days(&self) -> Option<u32> {
        self.code_valid_days
    }

    /// The window in which codes link.
    pub fn window(&self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        (self.starts_at, self.ends_at)
    }

    /// Days after enrolment a code may still be linked.
    pub fn link_within_days(&self) -> u32 {
        self.link_within_days
    }

    /// When a referral qualifies.
    pub fn qualify(&self) -> Qualify {
        self.qualify
    }

    /// The least a qualifying order is.
    pub fn minimum_order(&self) -> Money {
        self.minimum_order
    }

    /// Days after the link a qualifying order may come.
    pub fn qualify_within_days(&self) -> Option<u32> {
        self.qualify_within_days
    }

    /// How many orders qualify: 1, or `orders` for `each_order`; 0 for
    /// `enrolment`.
    pub fn qualifying_orders(&self) -> u32 {
        self.orders
    }

    /// What the new member gets.
    pub fn referee(&self) -> Option<&Grant> {
        self.referee.as_ref()
    }

    /// What the referrer gets.
    pub fn referrer(&self) -> &ReferrerReward {
        &self.referrer
    }

    /// What the referrer gets for their `count`-th successful referral.
    pub fn referrer_grant(&self, count: u32) -> Option<&Grant> {
        match &self.referrer {
            ReferrerReward::Nothing => None,
            ReferrerReward::Single(g) => Some(g),
            ReferrerReward::Ladder(steps) => steps
                .iter()
                .rev()
                .find(|s| s.from <= count)
                .map(|s| &s.grant),
        }
    }

    /// The next ladder step above `count`, if any.
    pub fn next_step(&self, count: u32) -> Option<&LadderStep> {
        match &self.referrer {
            ReferrerReward::Ladder(steps) => steps.iter().find(|s| s.from > count),
            _ => None,
        }
    }

    /// The milestones, lowest first.
    pub fn milestones(&self) -> &[Milestone] {
        &self.milestones
    }

    /// Points for the upline, depth 1 first.
    pub fn upline(&self) -> &[Points] {
        &self.upline
    }

    /// The per-period limit on successful referrals.
    pub fn limit(&self) -> Option<Frequency> {
        self.limit
    }

    /// The total limit on successful referrals.
    pub fn max_total(&self) -> Option<u32> {
        self.max_total
    }
}

/// The largest number of points one referral grant may give.
const MAX_GRANT_POINTS: i64 = 10_000_000;

impl ReferralConfig {
    pub(crate) fn validate(
        &self,
        currency: Currency,
        offset: FixedOffset,
        rewards: &[Reward],
        problems: &mut Problems,
    ) -> Option<Referrals> {
        let mut ok = true;
        if self.secret.len() < MIN_SECRET_LEN {
            problems.push(
                "referrals.secret",
                ConfigRule::TooSmall {
                    minimum: MIN_SECRET_LEN as i64,
                    value: self.secret.len() as i64,
                },
            );
            ok = false;
        }
        ok &= problems.range("referrals.code_length", i64::from(self.code_length), 4, 12);
        if let Some(days) = self.code_valid_days {
            ok &= problems.range(
                "referrals.code_valid_days",
                i64::from(days),
                1,
                i64::from(crate::MAX_DAYS),
            );
        }
        ok &= problems.range(
            "referrals.link_within_days",
            i64::from(self.link_within_days),
            0,
            i64::from(crate::MAX_DAYS),
        );
        if let Some(days) = self.qualify_within_days {
            ok &= problems.range(
                "referrals.qualify_within_days",
                i64::from(days),
                1,
                i64::from(crate::MAX_DAYS),
            );
        }
        let starts_at = self
            .starts_at
            .as_deref()
            .map(|t| problems.time("referrals.starts_at", t, offset));
        let ends_at = self
            .ends_at
            .as_deref()
            .map(|t| problems.time("referrals.ends_at", t, offset));
        if let (Some(Some(start)), Some(Some(end))) = (starts_at, ends_at)
            && end <= start
        {
            problems.push(
                "referrals.ends_at",
                ConfigRule::NotAfter {
                    value: self.ends_at.clone().unwrap_or_default(),
                    other: "starts_at".to_owned(),
                    limit: self.starts_at.clone().unwrap_or_default(),
                },
            );
            ok = false;
        }
        ok &= problems.non_negative("referrals.minimum_order", self.minimum_order);
        let orders = match self.qualify {
            Qualify::EachOrder => problems
                .required("referrals.orders", self.orders, "qualify = \"each_order\"")
                .filter(|n| problems.range("referrals.orders", i64::from(*n), 1, 1000)),
            Qualify::FirstOrder => problems
                .unused(
                    "referrals.orders",
                    &self.orders,
                    "qualify = \"first_order\"",
                )
                .then_some(1),
            Qualify::Enrolment => {
                let when = "qualify = \"enrolment\"";
                let a = problems.unused("referrals.orders", &self.orders, when);
                let b = problems.unused("referrals.minimum_order", &self.minimum_order, when);
                let c = problems.unused(
                    "referrals.qualify_within_days",
                    &self.qualify_within_days,
                    when,
                );
                (a && b && c).then_some(0)
            }
        };
        let referee = self.referee.as_ref().map(|g| {
            grant(
                "referrals.referee",
                g.points,
                g.reward.as_deref(),
                rewards,
                problems,
            )
        });
        let referrer = match (&self.referrer, self.ladder.is_empty()) {
            (Some(_), false) => {
                problems.push(
                    "referrals.ladder",
                    ConfigRule::NotUsed {
                        when: "referrer is given".to_owned(),
                    },
                );
                None
            }
            (Some(g), true) => grant(
                "referrals.referrer",
                g.points,
                g.reward.as_deref(),
                rewards,
                problems,
            )
            .map(ReferrerReward::Single),
            (None, true) => Some(ReferrerReward::Nothing),
            (None, false) => self.ladder(rewards, problems).map(ReferrerReward::Ladder),
        };
        let mut milestones = Vec::with_capacity(self.milestones.len());
        for (i, m) in self.milestones.iter().enumerate() {
            let path = format!("referrals.milestones[{i}]");
            let at_ok = problems.range(&format!("{path}.at"), i64::from(m.at), 1, 1_000_000);
            if let Some(previous) = milestones.last().map(|p: &Milestone| p.at)
                && m.at <= previous
            {
                problems.push(
                    format!("{path}.at"),
                    ConfigRule::NotAbove {
                        value: Decimal::from(m.at),
                        other: format!("referrals.milestones[{}].at", i.saturating_sub(1)),
                        limit: Decimal::from(previous),
                    },
                );
                ok = false;
            }
            match grant(&path, m.points, m.reward.as_deref(), rewards, problems) {
                Some(g) if at_ok => milestones.push(Milestone { at: m.at, grant: g }),
                _ => ok = false,
            }
        }
        if self.upline.len() > MAX_UPLINE {
            problems.push(
                "referrals.upline",
                ConfigRule::TooLarge {
                    maximum: MAX_UPLINE as i64,
                    value: self.upline.len() as i64,
                },
            );
            ok = false;
        }
        let upline: Vec<Points> = self
            .upline
            .iter()
            .enumerate()
            .filter(|(i, p)| {
                problems.range(&format!("referrals.upline[{i}]"), **p, 1, MAX_GRANT_POINTS)
            })
            .map(|(_, p)| Points::new(*p))
            .collect();
        ok &= upline.len() == self.upline.len();
        if let Some(limit) = self.limit {
            ok &= limit.validate("referrals.limit", problems);
        }
        if let Some(total) = self.max_total {
            ok &= problems.range("referrals.max_total", i64::from(total), 1, 1_000_000);
        }
        let counts = !self.milestones.is_empty()
            || !self.upline.is_empty()
            || self.limit.is_some()
            || self.max_total.is_some();
        if counts && self.referrer.is_none() && self.ladder.is_empty() {
            problems.push(
                "referrals.referrer",
                ConfigRule::Required {
                    when: "milestones, upline, limit or max_total is given (or a ladder)"
                        .to_owned(),
                },
            );
            ok = false;
        }
        let minimum_order = Money::new(self.minimum_order.unwrap_or(Decimal::ZERO), currency);
        let (orders, referee, referrer) = (orders?, valid(referee)?, referrer?);
        let (starts_at, ends_at) = (valid(starts_at)?, valid(ends_at)?);
        ok.then(|| Referrals {
            key: CodeKey::from_secret(&self.secret),
            code_length: self.code_length as usize,
            code_valid_days: self.code_valid_days,
            starts_at,
            ends_at,
            link_within_days: self.link_within_days,
            qualify: self.qualify,
            minimum_order,
            qualify_within_days: self.qualify_within_days,
            orders,
            referee,
            referrer,
            milestones,
            upline,
            limit: self.limit,
            max_total: self.max_total,
        })
    }

    fn ladder(&self, rewards: &[Reward], problems: &mut Problems) -> Option<Vec<LadderStep>> {
        let mut steps: Vec<LadderStep> = Vec::with_capacity(self.ladder.len());
        let mut ok = true;
        for (i, step) in self.ladder.iter().enumerate() {
            let path = format!("referrals.ladder[{i}]");
            let expected_first = i == 0 && step.from != 1;
            if expected_first {
                problems.push(
                    format!("{path}.from"),
                    ConfigRule::Required {
                        when: "it is the first step: from = 1".to_owned(),
                    },
                );
                ok = false;
            }
            if let Some(previous) = steps.last().map(|s| s.from)
                && step.from <= previous
            {
                problems.push(
                    format!("{path}.from"),
                    ConfigRule::NotAbove {
                        value: Decimal::from(step.from),
                        other: format!("referrals.ladder[{}].from", i.saturating_sub(1)),
                        limit: Decimal::from(previous),
                    },
                );
                ok = false;
            }
            match grant(
                &path,
                step.points,
                step.reward.as_deref(),
                rewards,
                problems,
            ) {
                Some(g) => steps.push(LadderStep {
                    from: step.from,
                    grant: g,
                }),
                None => ok = false,
            }
        }
        ok.then_some(steps)
    }
}

/// An optional setting that was validated: `Some(None)` when absent,
/// `None` when given but invalid.
fn valid<T>(setting: Option<Option<T>>) -> Option<Option<T>> {
    match setting {
        None => Some(None),
        Some(value) => value.map(Some),
    }
}

/// Validates `{ points }` or `{ reward }` at `path`.
fn grant(
    path: &str,
    points: Option<i64>,
    reward: Option<&str>,
    rewards: &[Reward],
    problems: &mut Problems,
) -> Option<Grant> {
    match (points, reward) {
        (Some(p), None) => problems
            .range(&format!("{path}.points"), p, 1, MAX_GRANT_POINTS)
            .then(|| Grant::Points(Points::new(p))),
        (None, Some(r)) => {
            let id: RewardId = problems.id(&format!("{path}.reward"), r)?;
            match rewards.iter().find(|x| x.id() == &id) {
                None => {
                    problems.push(
                        format!("{path}.reward"),
                        ConfigRule::NotListed {
                            key: r.to_owned(),
                            list: "rewards".to_owned(),
                        },
                    );
                    None
                }
                Some(x) if matches!(x.kind(), RewardKind::PointsAsCash { .. }) => {
                    problems.push(
                        format!("{path}.reward"),
                        ConfigRule::NotUsed {
                            when: format!("{r} is points as cash"),
                        },
                    );
                    None
                }
                Some(_) => Some(Grant::Reward(id)),
            }
        }
        (Some(_), Some(_)) => {
            problems.push(
                format!("{path}.reward"),
                ConfigRule::NotUsed {
                    when: "points is given".to_owned(),
                },
            );
            None
        }
        (None, None) => {
            problems.push(
                format!("{path}.points"),
                ConfigRule::Required {
                    when: "reward is absent".to_owned(),
                },
            );
            None
        }
    }
}

/// What an identity fingerprint identifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FingerprintKind {
    /// An email address.
    Email,
    /// A phone number.
    Phone,
    /// A payment instrument (card, account).
    Payment,
    /// A shipping address.
    Address,
    /// A device.
    Device,
}

impl FingerprintKind {
    /// The kind in words: `"email address"`, `"payment instrument"`, ...
    pub fn describe(self) -> &'static str {
        match self {
            FingerprintKind::Email => "email address",
            FingerprintKind::Phone => "phone number",
            FingerprintKind::Payment => "payment instrument",
            FingerprintKind::Address => "shipping address",
            FingerprintKind::Device => "device",
        }
    }
}

/// A hash of something that identifies a person (an email address, a card,
/// a shipping address, a device), as the host computes it: the ledger
/// compares fingerprints, never the data behind them. A referrer and a
/// referee who share one are taken for the same person.
///
/// # Example
///
/// ```
/// use loyalty::{Fingerprint, FingerprintKind};
///
/// let email = Fingerprint::new(FingerprintKind::Email, "sha256:5d41402abc4b2a76b9719d911017c592")?;
/// assert_eq!(email.kind(), FingerprintKind::Email);
/// # Ok::<(), loyalty::InvalidId>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fingerprint {
    kind: FingerprintKind,
    hash: crate::Reference,
}

impl Fingerprint {
    /// A fingerprint of `kind`: `hash` is any text of 1 to 128 bytes
    /// without control characters or surrounding whitespace.
    ///
    /// # Errors
    ///
    /// [`InvalidId`](crate::InvalidId) for a hash that is not such text.
    pub fn new(
        kind: FingerprintKind,
        hash: impl AsRef<str>,
    ) -> Result<Fingerprint, crate::InvalidId> {
        Ok(Fingerprint {
            kind,
            hash: crate::Reference::new(hash)?,
        })
    }

    /// What it identifies.
    pub fn kind(&self) -> FingerprintKind {
        self.kind
    }

    /// The host's hash.
    pub fn hash(&self) -> &str {
        self.hash.as_str()
    }
}

/// Who a referral reward went to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "who", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum ReferralRole {
    /// The new member.
    Referee,
    /// The member whose code was used, for their `count`-th successful
    /// referral.
    Referrer {
        /// The referrer's count of successful referrals, this one included.
        count: u32,
    },
    /// The referrer, on reaching a milestone.
    Milestone {
        /// The count reached.
        count: u32,
    },
    /// The referrer's own referrer (`depth` 1), theirs (2), and so on.
    Upline {
        /// How far up the chain.
        depth: u32,
    },
}

impl fmt::Display for ReferralRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReferralRole::Referee => f.write_str("referee"),
            ReferralRole::Referrer { count } => write!(f, "referrer (referral {count})"),
            ReferralRole::Milestone { count } => write!(f, "milestone of {count} referrals"),
            ReferralRole::Upline { depth } => write!(f, "upline (depth {depth})"),
        }
    }
}

/// Why a referral was refused, or a side's reward withheld: each a reason
/// the host can show.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum ReferralRefusal {
    /// The program has no referrals.
    #[error("the program has no referrals")]
    NoReferrals,
    /// No member has this code.
    #[error("no member has the code {code}")]
    UnknownCode {
        /// The code given.
        code: ReferralCode,
    },
    /// The code is the member's own.
    #[error("a member cannot use their own code")]
    SelfReferral,
    /// The member was already referred.
    #[error("already referred by {referrer}")]
    AlreadyReferred {
        /// Who referred them.
        referrer: crate::MemberId,
    },
    /// The member has ordered already: referrals are for new customers.
    #[error("not a new customer: {orders} order(s) already")]
    NotNew {
        /// Their orders so far.
        orders: usize,
    },
    /// Too long after enrolling to link a code.
    #[error("codes link within {days} days of enrolling (enrolled {})", enrolled_at.format("%Y-%m-%d %H:%M UTC"))]
    LinkWindowClosed {
        /// When the member enrolled.
        enrolled_at: DateTime<Utc>,
        /// The days allowed.
        days: u32,
    },
    /// The code is past its validity.
    #[error("the code expired {}", expired_at.format("%Y-%m-%d %H:%M UTC"))]
    CodeExpired {
        /// When it stopped working.
        expired_at: DateTime<Utc>,
    },
    /// Outside the referral programme's window.
    #[error("outside the referral programme's window ({} to {})", WindowEnd(*starts_at), WindowEnd(*ends_at))]
    OutsideWindow {
        /// When the window opens.
        starts_at: Option<DateTime<Utc>>,
        /// When it closes.
        ends_at: Option<DateTime<Utc>>,
    },
    /// Referrer and referee share an identity fingerprint.
    #[error("referrer and referee share the same {}", kind.describe())]
    SharedIdentity {
        /// What they share.
        kind: FingerprintKind,
    },
    /// The referrer reached the per-period limit of successful referrals.
    #[error("the referrer reached {count} successful referrals this {}", per.name())]
    PeriodLimit {
        /// The limit.
        count: u32,
        /// The period.
        per: Period,
    },
    /// The referrer reached the total limit of successful referrals.
    #[error("the referrer reached the limit of {count} successful referrals")]
    TotalLimit {
        /// The limit.
        count: u32,
    },
    /// The link would close a loop: the referrer was referred, directly or
    /// up the chain, by this member.
    #[error("{referrer} was referred, up the chain, by this member")]
    Cycle {
        /// The would-be referrer.
        referrer: crate::MemberId,
    },
}

/// One end of the programme's window, for messages.
struct WindowEnd(Option<DateTime<Utc>>);

impl fmt::Display for WindowEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(t) => write!(f, "{}", t.format("%Y-%m-%d %H:%M UTC")),
            None => f.write_str("open"),
        }
    }
}
