//! The program's health, read from a ledger through its public reads.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::MetricError;
use crate::{EntryKind, Ledger, Money, Points, Rounding, TierId};

/// The program's points over a period `[from, to)`, its members, and the
/// figures at `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProgramHealth {
    /// The first instant covered.
    pub from: DateTime<Utc>,
    /// The end of the period, not included.
    pub to: DateTime<Utc>,
    /// Points issued: earned by purchases, bonuses and referrals, available
    /// or pending.
    pub issued: Points,
    /// Points spent on rewards, less those cancellations and refunds gave
    /// back.
    pub redeemed: Points,
    /// Points expired.
    pub expired: Points,
    /// Points taken back by refunds and reversed referrals.
    pub clawed_back: Points,
    /// Manual credits less debits.
    pub adjusted: Points,
    /// Points pending at `to`.
    pub pending: Points,
    /// Points outstanding at `to`: members' available points (debts left
    /// out) and pending points — what the program still owes.
    pub outstanding: Points,
    /// Points members owe at `to` (clawbacks under the debt policy).
    pub debt: Points,
    /// Members enrolled before `to`.
    pub members: u64,
    /// Members who placed an order or redeemed a reward in the period.
    pub active_members: u64,
    /// Members by the tier whose benefits apply at `to` (none: no tier),
    /// lowest first; empty without tiers.
    pub members_by_tier: Vec<(Option<TierId>, u64)>,
}

impl ProgramHealth {
    /// Redemption rate, in percent: redeemed / issued × 100.
    ///
    /// # Errors
    ///
    /// [`MetricError::ZeroDivisor`] when nothing was issued.
    pub fn redemption_rate(&self) -> Result<Decimal, MetricError> {
        points_percent(self.redeemed, self.issued, "redemption rate")
    }

    /// Breakage rate, in percent: expired / issued × 100.
    ///
    /// # Errors
    ///
    /// [`MetricError::ZeroDivisor`] when nothing was issued.
    pub fn breakage_rate(&self) -> Result<Decimal, MetricError> {
        points_percent(self.expired, self.issued, "breakage rate")
    }

    /// The outstanding points as a liability: see [`points_liability`].
    ///
    /// # Errors
    ///
    /// As [`points_liability`].
    pub fn liability(
        &self,
        value_per_point: Money,
        expected_redemption: Decimal,
        rounding: Rounding,
    ) -> Result<Money, MetricError> {
        points_liability(
            self.outstanding,
            value_per_point,
            expected_redemption,
            rounding,
        )
    }
}

fn points_percent(
    part: Points,
    whole: Points,
    metric: &'static str,
) -> Result<Decimal, MetricError> {
    if whole.is_zero() {
        return Err(MetricError::ZeroDivisor {
            what: "points issued",
            metric,
        });
    }
    Decimal::from(part.value())
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|x| x.checked_div(Decimal::from(whole.value())))
        .ok_or(MetricError::Overflow { metric })
}

/// Outstanding points valued as a liability (the deferred-revenue view):
/// points × value per point × the share of them expected to be redeemed
/// (a fraction from 0 to 1; the rest is expected breakage), rounded to the
/// currency's minor unit by `rounding`.
///
/// # Errors
///
/// [`MetricError::OutOfRange`] for negative points or value, or an
/// expected redemption outside 0 to 1; [`MetricError::Overflow`].
///
/// # Example
///
/// 120,000 points outstanding, worth 0.01 EUR each (100 points buy 1.00 EUR
/// off), 80% expected to be redeemed: 960.00 EUR.
///
/// ```
/// use loyalty::metrics::points_liability;
/// use loyalty::{Points, Rounding};
/// use rust_decimal::Decimal;
///
/// let liability = points_liability(Points::new(120_000), "0.01 EUR".parse()?,
///     Decimal::new(80, 2), Rounding::HalfEven)?;
/// assert_eq!(liability.to_string(), "960.00 EUR");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn points_liability(
    outstanding: Points,
    value_per_point: Money,
    expected_redemption: Decimal,
    rounding: Rounding,
) -> Result<Money, MetricError> {
    if outstanding.is_negative() {
        return Err(MetricError::OutOfRange {
            what: "outstanding points",
            value: Decimal::from(outstanding.value()),
            rule: "zero or more",
        });
    }
    if value_per_point.is_negative() {
        return Err(MetricError::OutOfRange {
            what: "value per point",
            value: value_per_point.amount(),
            rule: "zero or more",
        });
    }
    super::formulas::fraction("expected redemption", expected_redemption)?;
    let metric = "points liability";
    let amount = Decimal::from(outstanding.value())
        .checked_mul(value_per_point.amount())
        .and_then(|x| x.checked_mul(expected_redemption))
        .ok_or(MetricError::Overflow { metric })?;
    let currency = value_per_point.currency();
    Ok(Money::new(
        rounding.round(amount, currency.minor_units()),
        currency,
    ))
}

/// The program's health over `[from, to)`: points issued, redeemed,
/// expired, clawed back and adjusted in the period; pending, outstanding
/// and owed at `to`; members, active members and members by tier. Read
/// through [`Ledger::statement`] and [`Ledger::tier_status`], so what falls
/// due by `to` (expiry, settling) counts even before a tick records it.
///
/// # Errors
///
/// [`MetricError::Ledger`] for a period that ends before it starts, or
/// points that overflow.
///
/// # Example
///
/// ```
/// use loyalty::metrics::program_health;
/// use loyalty::{Cart, Enroll, Ledger, Program, Purchase, Redeem};
/// use rust_decimal::Decimal;
///
/// let program: Program = serde_json::from_str(r#"{"currency": "EUR",
///     "rewards": [{"id": "ten-off", "cost": 100, "kind": "percent_off", "percent": "10"}]}"#)?;
/// let mut ledger = Ledger::new(program);
/// let at = "2026-03-02T10:00:00Z".parse()?;
/// for (who, amount) in [("ana", "250.00 EUR"), ("ben", "150.00 EUR")] {
///     ledger.execute(Enroll::new(who.parse()?, at))?;
///     ledger.execute(Purchase::new(who.parse()?, format!("{who}-1").parse()?, amount.parse()?, at))?;
/// }
/// ledger.execute(Redeem::new("ana".parse()?, "R-1".parse()?, "ten-off".parse()?,
///     Cart::new("50.00 EUR".parse()?), at))?;
///
/// let march = program_health(&ledger, "2026-03-01T00:00:00Z".parse()?, "2026-04-01T00:00:00Z".parse()?)?;
/// assert_eq!((march.issued.value(), march.redeemed.value(), march.outstanding.value()), (400, 100, 300));
/// assert_eq!(march.redemption_rate()?, Decimal::from(25));
/// assert_eq!((march.members, march.active_members), (2, 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn program_health(
    ledger: &Ledger,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<ProgramHealth, MetricError> {
    if to < from {
        return Err(MetricError::Ledger(crate::Error::InvalidPeriod {
            from,
            to,
        }));
    }
    let overflow = || MetricError::Overflow {
        metric: "program health",
    };
    let add = |total: &mut Points, points: Points| -> Result<(), MetricError> {
        *total = total.checked_add(points).map_err(|_| overflow())?;
        Ok(())
    };
    let take = |total: &mut Points, points: Points| -> Result<(), MetricError> {
        *total = total.checked_sub(points).map_err(|_| overflow())?;
        Ok(())
    };
    let mut health = ProgramHealth {
        from,
        to,
        issued: Points::ZERO,
        redeemed: Points::ZERO,
        expired: Points::ZERO,
        clawed_back: Points::ZERO,
        adjusted: Points::ZERO,
        pending: Points::ZERO,
        outstanding: Points::ZERO,
        debt: Points::ZERO,
        members: 0,
        active_members: 0,
        members_by_tier: Vec::new(),
    };
    let tiers = ledger.program().tiers();
    let mut by_tier: std::collections::BTreeMap<Option<usize>, (Option<TierId>, u64)> =
        std::collections::BTreeMap::new();
    for account in ledger.accounts() {
        if account.enrolled_at() >= to {
            continue;
        }
        health.members = health.members.saturating_add(1);
        let statement = ledger.statement(account.member(), from, to)?;
        let mut active = false;
        for line in &statement.lines {
            let both = line
                .available
                .checked_add(line.pending)
                .map_err(|_| overflow())?;
            match line.kind {
                EntryKind::Earned | EntryKind::Bonus | EntryKind::Referral => {
                    active |= line.kind == EntryKind::Earned;
                    add(&mut health.issued, both)?;
                }
                EntryKind::Redeemed => {
                    active = true;
                    take(&mut health.redeemed, line.available)?;
                }
                EntryKind::RedemptionCancelled | EntryKind::Restored => {
                    take(&mut health.redeemed, line.available)?
                }
                EntryKind::Expired => take(&mut health.expired, line.available)?,
                EntryKind::ClawedBack | EntryKind::ReferralReversed => {
                    take(&mut health.clawed_back, both)?
                }
                EntryKind::Adjusted => add(&mut health.adjusted, line.available)?,
                EntryKind::Settled | EntryKind::TransferredIn | EntryKind::TransferredOut => {}
            }
        }
        if active {
            health.active_members = health.active_members.saturating_add(1);
        }
        let closing = statement.closing;
        add(&mut health.pending, closing.pending)?;
        add(&mut health.outstanding, closing.pending)?;
        add(&mut health.outstanding, closing.available.max(Points::ZERO))?;
        add(&mut health.debt, closing.debt())?;
        if let Some(tiers) = tiers {
            let tier = ledger
                .tier_status(account.member(), to.max(account.last_event_at()))?
                .tier;
            let rank = tier.as_ref().and_then(|t| tiers.rank(t));
            let entry = by_tier.entry(rank).or_insert((tier, 0));
            entry.1 = entry.1.saturating_add(1);
        }
    }
    health.members_by_tier = by_tier.into_values().collect();
    Ok(health)
}
