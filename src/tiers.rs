//! Tiers: a ladder of statuses reached by qualifying spend, points or
//! orders, with benefits as data; and paid memberships that grant a tier for
//! a term.

use std::fmt;

use chrono::{DateTime, Days, FixedOffset, Months, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calendar::Period;
use crate::money::compare_decimals;
use crate::program::{ConfigRule, Problems};
use crate::{Currency, Money, Name, Rounding, TierId};

/// The `[tiers]` section of a [`ProgramConfig`](crate::ProgramConfig): the
/// ladder, what qualifies, and when status is reviewed.
///
/// ```toml
/// [tiers]
/// metric = "spend"           # or "points" (earned), "orders"
/// window = "calendar_year"   # or "lifetime", "rolling" (with rolling_days)
/// review = "period_end"      # or "anniversary" (of reaching the tier)
/// grace_days = 30            # a downgrade waits this long after a failed review
/// downgrade = "one_level"    # or "to_earned"
///
/// [[tiers.levels]]
/// id = "bronze"
/// threshold = "0"
///
/// [[tiers.levels]]
/// id = "silver"
/// threshold = "500.00"
/// multiplier = "1.25"
/// perks = ["Free shipping"]
///
/// [[tiers.levels]]
/// id = "gold"
/// threshold = "1000.00"
/// multiplier = "1.5"
/// perks = ["Free shipping", "Priority support"]
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TierConfig {
    /// What qualifies: `spend` (amount paid, less refunds), `points`
    /// (earned by purchases and bonuses, less clawbacks) or `orders` (not
    /// fully refunded).
    #[serde(default)]
    pub metric: Metric,
    /// Over which time the metric counts.
    #[serde(default)]
    pub window: WindowKind,
    /// `rolling`: the window's length in days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolling_days: Option<u32>,
    /// `calendar_year`: a tier reached in a year is secured for the rest of
    /// that year and all of the next, the way airlines grant status.
    #[serde(default)]
    pub through_next_year: bool,
    /// When a member's tier is reviewed for a downgrade.
    #[serde(default)]
    pub review: Review,
    /// Days a downgrade waits after a review the member fails.
    #[serde(default)]
    pub grace_days: u32,
    /// How far a downgrade goes.
    #[serde(default)]
    pub downgrade: Downgrade,
    /// The tiers, lowest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<TierLevelConfig>,
}

/// What qualifies a member for a tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Metric {
    /// The amount paid for orders, less refunds.
    #[default]
    Spend,
    /// Points earned by purchases and bonuses, less clawbacks.
    Points,
    /// Orders, except those refunded in full.
    Orders,
}

/// Over which time the metric counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WindowKind {
    /// Everything since enrolment.
    #[default]
    Lifetime,
    /// The last `rolling_days` days.
    Rolling,
    /// The calendar year, in the program's UTC offset.
    CalendarYear,
}

/// When a tier is reviewed for a downgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Review {
    /// A year after the tier was reached, then every year.
    #[default]
    Anniversary,
    /// At the end of the calendar year (in the program's UTC offset).
    PeriodEnd,
}

/// How far a downgrade goes at a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Downgrade {
    /// One tier down (or to the tier the window earns, if that is higher).
    #[default]
    OneLevel,
    /// Straight to the tier the window earns.
    ToEarned,
}

/// One tier of the ladder and its benefits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TierLevelConfig {
    /// Unique id, as rewards and memberships name it.
    pub id: String,
    /// A name for people; defaults to the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The metric a member needs, in the window: an amount of the program's
    /// currency for `spend`, a whole number for `points` and `orders`. Each
    /// tier's threshold exceeds the one below.
    pub threshold: Decimal,
    /// The earn multiplier the tier gives (1 to 100). Defaults to 1.
    #[serde(default = "one")]
    pub multiplier: Decimal,
    /// Named benefits the host honours (free shipping, early access to
    /// sales, priority support, event invitations).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub perks: Vec<String>,
    /// Members who reach this tier keep it: reviews never lower it.
    #[serde(default)]
    pub never_downgrade: bool,
}

fn one() -> Decimal {
    Decimal::ONE
}

impl TierLevelConfig {
    /// A tier reached at `threshold`.
    pub fn new(id: impl Into<String>, threshold: Decimal) -> TierLevelConfig {
        TierLevelConfig {
            id: id.into(),
            name: None,
            threshold,
            multiplier: Decimal::ONE,
            perks: Vec::new(),
            never_downgrade: false,
        }
    }

    /// Sets the name shown to people.
    pub fn name(mut self, name: impl Into<String>) -> TierLevelConfig {
        self.name = Some(name.into());
        self
    }

    /// Sets the earn multiplier.
    pub fn multiplier(mut self, multiplier: Decimal) -> TierLevelConfig {
        self.multiplier = multiplier;
        self
    }

    /// Adds a named perk.
    pub fn perk(mut self, perk: impl Into<String>) -> TierLevelConfig {
        self.perks.push(perk.into());
        self
    }
}

/// A validated tier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tier {
    id: TierId,
    name: Name,
    threshold: Decimal,
    multiplier: Decimal,
    perks: Vec<String>,
    never_downgrade: bool,
}

impl Tier {
    /// The tier's id.
    pub fn id(&self) -> &TierId {
        &self.id
    }

    /// The name shown to people.
    pub fn name(&self) -> &str {
        self.name.as_str()
    }

    /// The name, to copy into an award's source without allocating.
    pub(crate) fn shared_name(&self) -> &Name {
        &self.name
    }

    /// The metric a member needs in the window.
    pub fn threshold(&self) -> Decimal {
        self.threshold
    }

    /// The earn multiplier.
    pub fn multiplier(&self) -> Decimal {
        self.multiplier
    }

    /// Named benefits the host honours.
    pub fn perks(&self) -> &[String] {
        &self.perks
    }

    /// Whether reviews never lower it.
    pub fn never_downgrade(&self) -> bool {
        self.never_downgrade
    }
}

/// Over which time the metric counts, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Window {
    /// Everything since enrolment.
    Lifetime,
    /// The last `days` days.
    Rolling {
        /// The window's length.
        days: u32,
    },
    /// The calendar year; `through_next_year` secures a tier reached in a
    /// year until the end of the next.
    CalendarYear {
        /// Status reached in a year lasts through the next.
        through_next_year: bool,
    },
}

/// The validated tier rules of a [`Program`](crate::Program).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tiers {
    metric: Metric,
    window: Window,
    review: Review,
    grace_days: u32,
    downgrade: Downgrade,
    levels: Vec<Tier>,
    currency: Currency,
}

impl Tiers {
    /// What qualifies.
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// Over which time.
    pub fn window(&self) -> Window {
        self.window
    }

    /// When tiers are reviewed.
    pub fn review(&self) -> Review {
        self.review
    }

    /// Days a downgrade waits after a failed review.
    pub fn grace_days(&self) -> u32 {
        self.grace_days
    }

    /// How far a downgrade goes.
    pub fn downgrade(&self) -> Downgrade {
        self.downgrade
    }

    /// The tiers, lowest first.
    pub fn levels(&self) -> &[Tier] {
        &self.levels
    }

    /// A tier by id.
    pub fn tier(&self, id: &TierId) -> Option<&Tier> {
        self.levels.iter().find(|t| &t.id == id)
    }

    /// A tier's position on the ladder, lowest 0.
    pub fn rank(&self, id: &TierId) -> Option<usize> {
        self.levels.iter().position(|t| &t.id == id)
    }

    /// The highest tier a metric value reaches.
    pub fn earned_by(&self, value: Decimal) -> Option<&Tier> {
        self.earned_with_rank(value).map(|(_, tier)| tier)
    }

    /// As [`earned_by`](Tiers::earned_by), with the tier's
    /// [`rank`](Tiers::rank), found without looking its id up again.
    pub(crate) fn earned_with_rank(&self, value: Decimal) -> Option<(usize, &Tier)> {
        self.levels
            .iter()
            .enumerate()
            .rev()
            .find(|(_, t)| compare_decimals(t.threshold, value).is_le())
    }

    /// Whether the tier of rank `rank` is the top rung: none above it.
    pub(crate) fn is_top(&self, rank: usize) -> bool {
        self.levels.get(rank.saturating_add(1)).is_none()
    }

    /// Whether a metric `value` reaches the rung above the tier of rank
    /// `rank`; true on the top rung, which has none: what an upgrade
    /// looks at before walking the ladder for the tier it earns.
    pub(crate) fn reaches_above(&self, rank: usize, value: Decimal) -> bool {
        self.levels
            .get(rank.saturating_add(1))
            .is_none_or(|next| compare_decimals(next.threshold, value).is_le())
    }

    /// The higher of two tiers (either may be absent).
    pub(crate) fn higher<'a>(
        &self,
        a: Option<&'a TierId>,
        b: Option<&'a TierId>,
    ) -> Option<&'a TierId> {
        match (a, b) {
            (Some(x), Some(y)) => {
                if self.rank(y) > self.rank(x) {
                    Some(y)
                } else {
                    Some(x)
                }
            }
            (x, None) => x,
            (None, y) => y,
        }
    }

    /// A metric value as people read it: `120.00 EUR`, `80 points`,
    /// `3 orders`.
    pub fn describe(&self, value: Decimal) -> String {
        match self.metric {
            Metric::Spend => Money::new(value, self.currency).to_string(),
            Metric::Points => format!("{} points", value.normalize()),
            Metric::Orders => {
                let n = value.normalize();
                if n == Decimal::ONE {
                    "1 order".to_owned()
                } else {
                    format!("{n} orders")
                }
            }
        }
    }

    /// Until when `tier`, reached (or kept) at `at`, is secured: its next
    /// review. `None` for a tier nobody can lose (`never_downgrade`, or a
    /// threshold of zero).
    pub(crate) fn secured_until(
        &self,
        tier: &Tier,
        at: DateTime<Utc>,
        offset: FixedOffset,
        reached: bool,
    ) -> Result<Option<DateTime<Utc>>, crate::Error> {
        if tier.never_downgrade || tier.threshold.is_zero() {
            return Ok(None);
        }
        self.next_review(at, offset, reached)
            .map(Some)
            .ok_or(crate::Error::TimeOutOfRange { at, days: 0 })
    }

    /// When a tier reached (or kept) at `at` is next reviewed.
    pub(crate) fn next_review(
        &self,
        at: DateTime<Utc>,
        offset: FixedOffset,
        reached: bool,
    ) -> Option<DateTime<Utc>> {
        match self.review {
            Review::Anniversary => at.checked_add_months(Months::new(12)),
            Review::PeriodEnd => {
                let end = Period::Year.end(at, offset)?;
                match self.window {
                    Window::CalendarYear {
                        through_next_year: true,
                    } if reached => Period::Year.end(end, offset),
                    _ => Some(end),
                }
            }
        }
    }

    /// The start of the window a metric is measured over when it ends at
    /// `end` (not included); `None` for the whole history.
    pub(crate) fn window_start(
        &self,
        end: DateTime<Utc>,
        offset: FixedOffset,
    ) -> Option<DateTime<Utc>> {
        match self.window {
            Window::Lifetime => None,
            // On the UTC time directly: `DateTime`'s own `checked_sub_days`
            // goes through the zone (UTC's included) and back, which costs
            // more than the subtraction.
            Window::Rolling { days } => end
                .naive_utc()
                .checked_sub_days(Days::new(u64::from(days)))
                .map(|start| start.and_utc()),
            // The year holding the instant just before `end`.
            Window::CalendarYear { .. } => end
                .checked_sub_signed(chrono::TimeDelta::nanoseconds(1))
                .and_then(|last| Period::Year.start(last, offset)),
        }
    }

    /// The window holding `at` when it has fixed ends (a calendar year):
    /// when it opens and when it closes. Rolling and lifetime windows have
    /// none.
    pub(crate) fn fixed_window(
        &self,
        at: DateTime<Utc>,
        offset: FixedOffset,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        match self.window {
            Window::CalendarYear { .. } => Some((
                Period::Year.start(at, offset)?,
                Period::Year.end(at, offset)?,
            )),
            _ => None,
        }
    }

    /// When the window holding `at` closes, if it has a fixed end: the
    /// deadline for "120.00 EUR more by …".
    pub(crate) fn window_end(
        &self,
        at: DateTime<Utc>,
        offset: FixedOffset,
    ) -> Option<DateTime<Utc>> {
        match self.window {
            Window::CalendarYear { .. } => Period::Year.end(at, offset),
            _ => None,
        }
    }
}

/// The largest number of days or threshold any tier setting accepts.
const MAX_THRESHOLD: i64 = 1_000_000_000_000;

impl TierConfig {
    pub(crate) fn validate(&self, currency: Currency, problems: &mut Problems) -> Option<Tiers> {
        let window = match self.window {
            WindowKind::Lifetime | WindowKind::CalendarYear => {
                let when = format!("window = \"{}\"", window_name(self.window));
                let unused = problems.unused("tiers.rolling_days", &self.rolling_days, &when);
                if !unused {
                    return None;
                }
                match self.window {
                    WindowKind::CalendarYear => Window::CalendarYear {
                        through_next_year: self.through_next_year,
                    },
                    _ => Window::Lifetime,
                }
            }
            WindowKind::Rolling => {
                let days = problems
                    .required(
                        "tiers.rolling_days",
                        self.rolling_days,
                        "window = \"rolling\"",
                    )
                    .filter(|d| {
                        problems.range(
                            "tiers.rolling_days",
                            i64::from(*d),
                            1,
                            i64::from(crate::MAX_DAYS),
                        )
                    })?;
                Window::Rolling { days }
            }
        };
        if self.through_next_year && self.window != WindowKind::CalendarYear {
            problems.push(
                "tiers.through_next_year",
                ConfigRule::NotUsed {
                    when: format!("window = \"{}\"", window_name(self.window)),
                },
            );
            return None;
        }
        if !problems.range(
            "tiers.grace_days",
            i64::from(self.grace_days),
            0,
            i64::from(crate::MAX_DAYS),
        ) {
            return None;
        }
        let mut levels = Vec::with_capacity(self.levels.len());
        let mut ok = true;
        for (i, level) in self.levels.iter().enumerate() {
            let path = format!("tiers.levels[{i}]");
            let id = problems.id::<TierId>(&format!("{path}.id"), &level.id);
            let threshold_ok = self.check_threshold(&path, level.threshold, problems);
            if let (Some(previous), true) =
                (levels.last().map(|t: &Tier| t.threshold), threshold_ok)
                && level.threshold <= previous
            {
                problems.push(
                    format!("{path}.threshold"),
                    ConfigRule::NotAbove {
                        value: level.threshold,
                        other: format!("tiers.levels[{}].threshold", i.saturating_sub(1)),
                        limit: previous,
                    },
                );
                ok = false;
            }
            let multiplier_ok =
                problems.multiplier(&format!("{path}.multiplier"), level.multiplier);
            let perks_ok = level.perks.iter().enumerate().all(|(j, p)| {
                let valid = !p.trim().is_empty();
                if !valid {
                    problems.push(
                        format!("{path}.perks[{j}]"),
                        ConfigRule::InvalidId {
                            problem: crate::IdProblem::Empty,
                        },
                    );
                }
                valid
            });
            match id {
                Some(id) if threshold_ok && multiplier_ok && perks_ok => levels.push(Tier {
                    name: Name::new(level.name.as_deref().unwrap_or(id.as_str())),
                    id,
                    threshold: level.threshold,
                    multiplier: level.multiplier,
                    perks: level.perks.clone(),
                    never_downgrade: level.never_downgrade,
                }),
                _ => ok = false,
            }
        }
        problems.unique("tiers.levels", self.levels.iter().map(|l| l.id.as_str()));
        ok.then_some(Tiers {
            metric: self.metric,
            window,
            review: self.review,
            grace_days: self.grace_days,
            downgrade: self.downgrade,
            levels,
            currency,
        })
    }

    fn check_threshold(&self, path: &str, threshold: Decimal, problems: &mut Problems) -> bool {
        let field = format!("{path}.threshold");
        if threshold.is_sign_negative() && !threshold.is_zero() {
            problems.push(field, ConfigRule::Negative { value: threshold });
            return false;
        }
        if self.metric != Metric::Spend && threshold.fract() != Decimal::ZERO {
            problems.push(
                field,
                ConfigRule::NotWhole {
                    value: threshold,
                    when: format!("metric = \"{}\"", metric_name(self.metric)),
                },
            );
            return false;
        }
        if threshold > Decimal::from(MAX_THRESHOLD) {
            problems.push(
                field,
                ConfigRule::TooLarge {
                    maximum: MAX_THRESHOLD,
                    value: i64::try_from(threshold.trunc()).unwrap_or(i64::MAX),
                },
            );
            return false;
        }
        true
    }
}

fn metric_name(metric: Metric) -> &'static str {
    match metric {
        Metric::Spend => "spend",
        Metric::Points => "points",
        Metric::Orders => "orders",
    }
}

fn window_name(window: WindowKind) -> &'static str {
    match window {
        WindowKind::Lifetime => "lifetime",
        WindowKind::Rolling => "rolling",
        WindowKind::CalendarYear => "calendar_year",
    }
}

/// One entry of the `memberships` list of a
/// [`ProgramConfig`](crate::ProgramConfig): a paid membership that grants a
/// tier for a term, regardless of spend — the way Amazon Prime does.
///
/// ```toml
/// [[memberships]]
/// id = "plus"
/// name = "Plus"
/// tier = "gold"
/// fee = "49.00"
/// term_months = 12          # or term_days = 30
/// renewal = "manual"        # or "automatic": renewed at term end (the host charges the fee)
/// cancellation = "pro_rata" # or "no_refund"
/// fee_earns_points = false  # the fee earns points like an order only when true
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MembershipConfig {
    /// Unique id.
    pub id: String,
    /// A name for people; defaults to the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The tier it grants, one of `tiers.levels`.
    pub tier: String,
    /// The fee per term, in the program's currency.
    pub fee: Decimal,
    /// The term in months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_months: Option<u32>,
    /// The term in days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_days: Option<u32>,
    /// What happens at term end.
    #[serde(default)]
    pub renewal: Renewal,
    /// What cancelling gives back.
    #[serde(default)]
    pub cancellation: Cancellation,
    /// Whether the fee earns points. When it does, the fee is recorded as
    /// an order under the payment's reference (an automatic renewal's under
    /// `<membership>-renewal-<date>`) that earns — and waits for pending
    /// rules — like any order, at the membership's tier; cancelling with a
    /// refund claws back the same share of its points. Fees never count
    /// toward the tier metrics.
    #[serde(default)]
    pub fee_earns_points: bool,
}

/// What happens when a membership's term ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Renewal {
    /// It ends unless the host renews it.
    #[default]
    Manual,
    /// It renews for another term; the renewal event tells the host to
    /// charge the fee.
    Automatic,
}

/// What cancelling a membership gives back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Cancellation {
    /// Nothing: the membership ends at once.
    #[default]
    NoRefund,
    /// The unused part of the term's fee, in proportion to the time left.
    ProRata,
}

/// A validated paid membership.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Membership {
    id: crate::RuleId,
    name: String,
    tier: TierId,
    fee: Money,
    term: Term,
    renewal: Renewal,
    cancellation: Cancellation,
    fee_earns_points: bool,
}

/// A membership's term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Term {
    /// Calendar months.
    Months(u32),
    /// Days.
    Days(u32),
}

impl Term {
    /// The end of a term starting at `start`.
    pub fn end(self, start: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Term::Months(m) => start.checked_add_months(Months::new(m)),
            Term::Days(d) => start.checked_add_days(Days::new(u64::from(d))),
        }
    }
}

impl Membership {
    /// The membership's id.
    pub fn id(&self) -> &crate::RuleId {
        &self.id
    }

    /// The name shown to people.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The tier it grants.
    pub fn tier(&self) -> &TierId {
        &self.tier
    }

    /// The fee per term.
    pub fn fee(&self) -> Money {
        self.fee
    }

    /// The term.
    pub fn term(&self) -> Term {
        self.term
    }

    /// What happens at term end.
    pub fn renewal(&self) -> Renewal {
        self.renewal
    }

    /// What cancelling gives back.
    pub fn cancellation(&self) -> Cancellation {
        self.cancellation
    }

    /// Whether the fee earns points.
    pub fn fee_earns_points(&self) -> bool {
        self.fee_earns_points
    }

    /// The part of the fee a cancellation at `at` gives back, for a term
    /// from `start` to `end`: nothing without a pro-rata refund; otherwise
    /// the fee × time left / term, rounded down to the currency's minor
    /// units.
    pub fn refund_at(&self, start: DateTime<Utc>, end: DateTime<Utc>, at: DateTime<Utc>) -> Money {
        let currency = self.fee.currency();
        if self.cancellation == Cancellation::NoRefund || at >= end {
            return Money::zero(currency);
        }
        let total = end.signed_duration_since(start).num_seconds();
        let left = end.signed_duration_since(at.max(start)).num_seconds();
        let amount = self
            .fee
            .amount()
            .checked_mul(Decimal::from(left))
            .and_then(|x| x.checked_div(Decimal::from(total.max(1))))
            .map(|x| Rounding::Floor.round(x, currency.minor_units()))
            .unwrap_or(Decimal::ZERO);
        Money::new(amount.min(self.fee.amount()), currency)
    }
}

impl MembershipConfig {
    /// A membership granting `tier` for `fee` per term of `term_months`.
    pub fn new(
        id: impl Into<String>,
        tier: impl Into<String>,
        fee: Decimal,
        term_months: u32,
    ) -> MembershipConfig {
        MembershipConfig {
            id: id.into(),
            name: None,
            tier: tier.into(),
            fee,
            term_months: Some(term_months),
            term_days: None,
            renewal: Renewal::Manual,
            cancellation: Cancellation::NoRefund,
            fee_earns_points: false,
        }
    }

    pub(crate) fn validate(
        &self,
        path: &str,
        currency: Currency,
        tiers: Option<&Tiers>,
        problems: &mut Problems,
    ) -> Option<Membership> {
        let id = problems.id::<crate::RuleId>(&format!("{path}.id"), &self.id);
        let tier = problems.id::<TierId>(&format!("{path}.tier"), &self.tier);
        if let Some(t) = &tier
            && tiers.is_none_or(|ts| ts.tier(t).is_none())
        {
            problems.push(
                format!("{path}.tier"),
                ConfigRule::NotListed {
                    key: t.to_string(),
                    list: "tiers.levels".to_owned(),
                },
            );
            return None;
        }
        let fee_ok = problems.positive(&format!("{path}.fee"), self.fee);
        let term = match (self.term_months, self.term_days) {
            (Some(m), None) => problems
                .range(&format!("{path}.term_months"), i64::from(m), 1, 1200)
                .then_some(Term::Months(m)),
            (None, Some(d)) => problems
                .range(
                    &format!("{path}.term_days"),
                    i64::from(d),
                    1,
                    i64::from(crate::MAX_DAYS),
                )
                .then_some(Term::Days(d)),
            (Some(_), Some(_)) => {
                problems.push(
                    format!("{path}.term_days"),
                    ConfigRule::NotUsed {
                        when: "term_months is given".to_owned(),
                    },
                );
                None
            }
            (None, None) => {
                problems.push(
                    format!("{path}.term_months"),
                    ConfigRule::Required {
                        when: "term_days is absent".to_owned(),
                    },
                );
                None
            }
        };
        let (id, tier, term) = (id?, tier?, term?);
        fee_ok.then(|| Membership {
            name: self.name.clone().unwrap_or_else(|| id.to_string()),
            id,
            tier,
            fee: Money::new(self.fee, currency),
            term,
            renewal: self.renewal,
            cancellation: self.cancellation,
            fee_earns_points: self.fee_earns_points,
        })
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The tier a metric earns comes with its rank on the ladder, the
        /// one looking its id up gives: below the first threshold, on one,
        /// between two and past the last.
        #[test]
        fn an_earned_tier_comes_with_its_rank(cents in -10_000_i64..200_000) {
            let program: crate::Program = serde_json::from_str(
                r#"{"currency": "EUR",
                    "tiers": {"metric": "spend", "window": "calendar_year",
                              "levels": [{"id": "bronze", "threshold": "100"},
                                         {"id": "silver", "threshold": "500", "multiplier": "1.25"},
                                         {"id": "gold", "threshold": "1000.00", "multiplier": "1.5"}]}}"#,
            )
            .unwrap();
            let tiers = program.tiers().unwrap();
            let value = Decimal::new(cents, 2);
            let ranked = tiers.earned_with_rank(value).map(|(rank, tier)| (rank, tier.id().clone()));
            let looked_up = tiers
                .earned_by(value)
                .map(|tier| (tiers.rank(tier.id()).unwrap(), tier.id().clone()));
            proptest::prop_assert_eq!(&ranked, &looked_up);
            proptest::prop_assert_eq!(ranked.is_none(), cents < 10_000);
        }

        /// A rolling window opens its days before its end, to the
        /// nanosecond: what `DateTime`'s own subtraction of days gives,
        /// for any time chrono holds, leap seconds and a start before its
        /// range included.
        #[test]
        fn a_rolling_window_opens_its_days_before_its_end(
            end in crate::calendar::instants(),
            days in proptest::prop_oneof![1_u32..400, 1..=crate::MAX_DAYS],
        ) {
            let program: crate::Program = serde_json::from_str(&format!(
                r#"{{"currency": "EUR",
                    "tiers": {{"metric": "spend", "window": "rolling", "rolling_days": {days},
                              "levels": [{{"id": "bronze", "threshold": "100"}}]}}}}"#,
            ))
            .unwrap();
            let tiers = program.tiers().unwrap();
            proptest::prop_assert_eq!(
                tiers.window_start(end, FixedOffset::east_opt(0).unwrap()),
                end.checked_sub_days(Days::new(u64::from(days)))
            );
        }
    }
}
