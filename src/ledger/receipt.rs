//! Receipts: what a command did, explained.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::account::Account;
use super::draws::Draws;
use super::event::*;
use crate::earn::Earning;
use crate::points::PointsNoun;
use crate::rewards::Donation;
use crate::{
    ActionId, MemberId, Money, Points, Reference, ReferralRole, RewardId, Rounding, RuleId, TierId,
};

/// The outcome of a command: its receipt, the events to store, and whether
/// it repeated an earlier command.
///
/// A host stores `events` (in the same transaction as its own write) and
/// applies them with [`Ledger::apply`](crate::Ledger::apply), or lets
/// [`Ledger::execute`](crate::Ledger::execute) apply them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Decision {
    /// What the command did, explained.
    pub receipt: Receipt,
    /// The events to store and apply, in order. Empty for a duplicate.
    pub events: Vec<Event>,
    /// Whether the command repeated one already recorded (same reference,
    /// same payload): `receipt` is then the original one and nothing
    /// changes.
    pub duplicate: bool,
}

impl Decision {
    /// What referrals did in this decision, for every member concerned:
    /// rewards given, withheld and reversed (a purchase that qualifies a
    /// referral, an enrolment with a code, a refund that reverses one).
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::{Enroll, Ledger, Program, Purchase, ReferralCode};
    ///
    /// let program: Program = serde_json::from_str(r#"{
    ///     "currency": "EUR",
    ///     "referrals": {"secret": "a long random string", "minimum_order": "25.00",
    ///                   "referee": {"points": 50}, "referrer": {"points": 100}}
    /// }"#)?;
    /// let mut ledger = Ledger::new(program);
    /// let at = "2026-03-02T10:00:00Z".parse()?;
    /// ledger.execute(Enroll::new("marta".parse()?, at).with_code(ReferralCode::with_check("MARTA")?))?;
    /// ledger.execute(Enroll::new("ana".parse()?, at).referred_by("MARTAT".parse()?))?;
    ///
    /// let first = ledger.execute(Purchase::new("ana".parse()?, "A-1".parse()?, "30.00 EUR".parse()?, at))?;
    /// let said: Vec<String> = first.referral_outcomes().map(|o| o.to_string()).collect();
    /// assert_eq!(said, ["ana gets 50 points for joining by referral",
    ///                   "marta gets 100 points for referring ana (referral 1)"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn referral_outcomes(&self) -> impl Iterator<Item = ReferralOutcome<'_>> {
        self.events.iter().filter_map(|e| match e {
            Event::ReferralRewarded(r) => Some(ReferralOutcome::Rewarded(r)),
            Event::ReferralWithheld(w) => Some(ReferralOutcome::Withheld(w)),
            Event::ReferralReversed(r) => Some(ReferralOutcome::Reversed(r)),
            _ => None,
        })
    }
}

/// One member's referral reward given, withheld or reversed, as
/// [`Decision::referral_outcomes`] lists them. Its `Display` is a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReferralOutcome<'a> {
    /// A reward given.
    Rewarded(&'a ReferralRewarded),
    /// A reward withheld, and why.
    Withheld(&'a ReferralWithheld),
    /// A reward taken back.
    Reversed(&'a ReferralReversed),
}

impl ReferralOutcome<'_> {
    /// The member concerned.
    pub fn member(&self) -> &MemberId {
        match self {
            ReferralOutcome::Rewarded(e) => &e.member,
            ReferralOutcome::Withheld(e) => &e.member,
            ReferralOutcome::Reversed(e) => &e.member,
        }
    }
}

impl fmt::Display for ReferralOutcome<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReferralOutcome::Rewarded(e) => {
                write!(f, "{} gets {} ", e.member, e.grant)?;
                match &e.role {
                    ReferralRole::Referee => f.write_str("for joining by referral")?,
                    ReferralRole::Referrer { count } => {
                        write!(f, "for referring {} (referral {count})", e.referee)?
                    }
                    ReferralRole::Milestone { count } => {
                        write!(f, "on reaching {count} referrals (with {})", e.referee)?
                    }
                    ReferralRole::Upline { depth } => {
                        write!(f, "as upline (depth {depth}) for {}'s referral", e.referee)?
                    }
                }
                if let Some(v) = &e.voucher {
                    write!(f, " (voucher {v})")?;
                }
                Ok(())
            }
            ReferralOutcome::Withheld(e) => write!(
                f,
                "{}'s {} withheld: {}",
                e.member,
                RewardName(&e.role, &e.referee),
                e.why
            ),
            ReferralOutcome::Reversed(e) => {
                write!(
                    f,
                    "{}'s {} reversed: {}'s order {} was refunded",
                    e.member,
                    RewardName(&e.role, &e.referee),
                    e.referee,
                    e.order
                )?;
                let taken = e.points.value().saturating_sub(e.forgiven.value());
                if taken > 0 {
                    write!(f, "; {} taken back", PointsNoun(Points::new(taken)))?;
                }
                if e.debt.is_positive() {
                    write!(f, " ({} as debt)", PointsNoun(e.debt))?;
                }
                if e.forgiven.is_positive() {
                    write!(f, "; {} forgiven", PointsNoun(e.forgiven))?;
                }
                if let Some(v) = &e.voucher_revoked {
                    write!(f, "; voucher {v} revoked")?;
                }
                Ok(())
            }
        }
    }
}

/// A referral reward named for a sentence: "welcome", "reward for
/// referring ana (referral 2)", ...
struct RewardName<'a>(&'a ReferralRole, &'a MemberId);

impl fmt::Display for RewardName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            ReferralRole::Referee => f.write_str("welcome for joining by referral"),
            ReferralRole::Referrer { count } => {
                write!(f, "reward for referring {} (referral {count})", self.1)
            }
            ReferralRole::Milestone { count } => write!(f, "milestone of {count} referrals"),
            ReferralRole::Upline { depth } => {
                write!(f, "upline reward (depth {depth}) for {}'s referral", self.1)
            }
        }
    }
}

/// What a command did.
///
/// Every receipt's `Display` is a sentence a support agent can read out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "receipt", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Receipt {
    /// A member enrolled.
    Enrollment(EnrollmentReceipt),
    /// A purchase earned points.
    Purchase(PurchaseReceipt),
    /// An order was confirmed.
    Confirmation(ConfirmationReceipt),
    /// A reward was redeemed.
    Redemption(RedemptionReceipt),
    /// A redemption was cancelled.
    Cancellation(CancellationReceipt),
    /// An order was refunded.
    Refund(RefundReceipt),
    /// Points were adjusted by hand.
    Adjustment(AdjustmentReceipt),
    /// Points moved between members.
    Transfer(TransferReceipt),
    /// A custom action was rewarded.
    Action(ActionReceipt),
    /// Time passed.
    Tick(TickReceipt),
    /// A paid membership started, renewed or was cancelled.
    Membership(MembershipReceipt),
    /// Every member's tier was re-evaluated.
    Reevaluation(ReevaluationReceipt),
    /// A referral code issued, a code linked, fingerprints or an
    /// invitation recorded.
    Referral(ReferralReceipt),
}

impl fmt::Display for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Receipt::Enrollment(r) => r.fmt(f),
            Receipt::Purchase(r) => r.fmt(f),
            Receipt::Confirmation(r) => r.fmt(f),
            Receipt::Redemption(r) => r.fmt(f),
            Receipt::Cancellation(r) => r.fmt(f),
            Receipt::Refund(r) => r.fmt(f),
            Receipt::Adjustment(r) => r.fmt(f),
            Receipt::Transfer(r) => r.fmt(f),
            Receipt::Action(r) => r.fmt(f),
            Receipt::Tick(r) => r.fmt(f),
            Receipt::Membership(r) => r.fmt(f),
            Receipt::Reevaluation(r) => r.fmt(f),
            Receipt::Referral(r) => r.fmt(f),
        }
    }
}

fn date(at: &DateTime<Utc>) -> impl fmt::Display + use<> {
    at.format("%Y-%m-%d %H:%M UTC")
}

/// A member enrolled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EnrollmentReceipt {
    /// The member.
    pub member: MemberId,
    /// When they enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// Their birth date, when given.
    pub birth_date: Option<NaiveDate>,
    /// The sign-up bonus, when the program awards one.
    pub sign_up: Option<Earning>,
    /// The member's referral code, under a program with referrals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral_code: Option<crate::ReferralCode>,
    /// Who referred them, when they enrolled with a code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referred_by: Option<MemberId>,
}

impl EnrollmentReceipt {
    pub(crate) fn new(account: &Account) -> EnrollmentReceipt {
        EnrollmentReceipt {
            member: account.member().clone(),
            enrolled_at: account.enrolled_at(),
            birth_date: account.birth_date(),
            sign_up: account.sign_up.as_ref().map(|bonus| Earning {
                points: bonus.points(),
                lines: bonus.lines(),
            }),
            referral_code: account.referral_code().cloned(),
            referred_by: account.referred_by().cloned(),
        }
    }
}

impl fmt::Display for EnrollmentReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} enrolled on {}", self.member, date(&self.enrolled_at))?;
        if let Some(bonus) = &self.sign_up {
            write!(f, " with a sign-up bonus of {}", PointsNoun(bonus.points))?;
        }
        if let Some(referrer) = &self.referred_by {
            write!(f, ", referred by {referrer}")?;
        }
        if let Some(code) = &self.referral_code {
            write!(f, "; referral code {code}")?;
        }
        Ok(())
    }
}

/// A custom action rewarded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ActionReceipt {
    /// The member.
    pub member: MemberId,
    /// The action.
    pub action: ActionId,
    /// The host's reference.
    pub reference: Reference,
    /// When.
    pub at: DateTime<Utc>,
    /// The points awarded, and how.
    pub earning: Earning,
}

impl ActionReceipt {
    /// The receipt of an action bonus; `None` for other bonuses.
    pub(crate) fn new(e: &BonusAwarded) -> Option<ActionReceipt> {
        let BonusKind::Action { action, reference } = &e.bonus else {
            return None;
        };
        let (action, reference) = (action.clone(), reference.clone());
        Some(ActionReceipt {
            member: e.member.clone(),
            action,
            reference,
            at: e.at,
            earning: Earning {
                points: e.points,
                lines: e.breakdown.clone(),
            },
        })
    }
}

impl fmt::Display for ActionReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "action {} ({}): earned {} ({})",
            self.action,
            self.reference,
            PointsNoun(self.earning.points),
            self.earning
        )
    }
}

/// When the points of a purchase can be spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EarnStatus {
    /// Spendable at once.
    Available,
    /// Pending until `until`, or until the order is confirmed when `None`.
    Pending {
        /// When they become spendable.
        until: Option<DateTime<Utc>>,
    },
    /// The purchase earned nothing.
    NothingEarned,
}

/// What a purchase earned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PurchaseReceipt {
    /// The member.
    pub member: MemberId,
    /// The order.
    pub order: Reference,
    /// When.
    pub at: DateTime<Utc>,
    /// The amount paid.
    pub amount: Money,
    /// The points earned, and how.
    pub earning: Earning,
    /// When they can be spent.
    pub status: EarnStatus,
    /// The part that repaid a debt instead of reaching the balance.
    pub debt_repaid: Points,
    /// When the points expire; `None` when they never do (or expire with
    /// inactivity).
    pub expires_at: Option<DateTime<Utc>>,
}

impl PurchaseReceipt {
    /// The receipt of the purchase `e` records.
    pub(crate) fn new(e: &PurchaseRecorded) -> PurchaseReceipt {
        let earning = Earning {
            points: e.points,
            lines: e.breakdown.clone(),
        };
        PurchaseReceipt::of(
            e.member.clone(),
            e.order.clone(),
            e.at,
            e.amount,
            earning,
            e.credit,
            e.pending,
        )
    }

    /// The receipt of a purchase by `member` of `amount` under `order` at
    /// `at`, which earned `earning`, formed as `credit` or `pending` says
    /// (as its event records them). Apart from [`new`](PurchaseReceipt::new),
    /// its one caller: written into it, the receipt's fields were copied
    /// out of the event one by one, 28 instructions more a purchase.
    fn of(
        member: MemberId,
        order: Reference,
        at: DateTime<Utc>,
        amount: Money,
        earning: Earning,
        credit: Option<LotCredit>,
        pending: Option<PendingCredit>,
    ) -> PurchaseReceipt {
        let status = match (&credit, &pending) {
            (Some(_), _) => EarnStatus::Available,
            (None, Some(p)) => EarnStatus::Pending {
                until: p.available_at,
            },
            (None, None) => EarnStatus::NothingEarned,
        };
        PurchaseReceipt {
            member,
            order,
            at,
            amount,
            earning,
            status,
            debt_repaid: credit.map_or(Points::ZERO, |c| c.debt_repaid),
            expires_at: credit
                .and_then(|c| c.expires_at)
                .or(pending.and_then(|p| p.expires_at)),
        }
    }

    /// The points earned.
    pub fn points(&self) -> Points {
        self.earning.points
    }
}

impl fmt::Display for PurchaseReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "order {} of {}: earned {} ({})",
            self.order,
            self.amount,
            PointsNoun(self.earning.points),
            self.earning
        )?;
        match self.status {
            EarnStatus::Available => f.write_str(", spendable now")?,
            EarnStatus::Pending { until: Some(t) } => write!(f, ", pending until {}", date(&t))?,
            EarnStatus::Pending { until: None } => {
                f.write_str(", pending until the order is confirmed")?
            }
            EarnStatus::NothingEarned => {}
        }
        if self.debt_repaid.is_positive() {
            write!(f, "; {} repaid debt", PointsNoun(self.debt_repaid))?;
        }
        if let Some(t) = self.expires_at {
            write!(f, "; expires {}", date(&t))?;
        }
        Ok(())
    }
}

/// What confirming an order settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConfirmationReceipt {
    /// The member.
    pub member: MemberId,
    /// The order.
    pub order: Reference,
    /// When it was confirmed.
    pub at: DateTime<Utc>,
    /// Pending points that became spendable.
    pub settled: Points,
}

impl ConfirmationReceipt {
    pub(crate) fn new(e: &OrderConfirmed) -> ConfirmationReceipt {
        ConfirmationReceipt {
            member: e.member.clone(),
            order: e.order.clone(),
            at: e.at,
            settled: e.credit.map_or(Points::ZERO, |c| c.points),
        }
    }
}

impl fmt::Display for ConfirmationReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "order {} confirmed: {} became spendable",
            self.order,
            PointsNoun(self.settled)
        )
    }
}

fn write_draws(f: &mut fmt::Formatter<'_>, draws: &[LotDraw]) -> fmt::Result {
    for (i, d) in draws.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{} from {}", d.points, d.lot)?;
    }
    Ok(())
}

/// What a redemption spent and gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RedemptionReceipt {
    /// The member.
    pub member: MemberId,
    /// The redemption.
    pub redemption: Reference,
    /// The reward.
    pub reward: RewardId,
    /// When.
    pub at: DateTime<Utc>,
    /// The cart's total before the discount.
    pub cart: Money,
    /// The discount to apply to the cart.
    pub discount: Money,
    /// The donation the points funded, for a donation reward.
    pub donation: Option<Donation>,
    /// The points spent.
    pub points: Points,
    /// The lots they came from, in consumption order.
    pub draws: Draws,
}

impl RedemptionReceipt {
    pub(crate) fn new(e: &RewardRedeemed) -> RedemptionReceipt {
        RedemptionReceipt {
            member: e.member.clone(),
            redemption: e.redemption.clone(),
            reward: e.reward.clone(),
            at: e.at,
            cart: e.cart,
            discount: e.discount,
            donation: e.donation.clone(),
            points: e.points,
            draws: e.draws.clone(),
        }
    }
}

impl fmt::Display for RedemptionReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.donation {
            Some(d) => write!(
                f,
                "redemption {} of {}: {} donated to {} for {} (",
                self.redemption,
                self.reward,
                d.amount,
                d.cause,
                PointsNoun(self.points)
            )?,
            None => write!(
                f,
                "redemption {} of {}: {} off a cart of {} for {} (",
                self.redemption,
                self.reward,
                self.discount,
                self.cart,
                PointsNoun(self.points)
            )?,
        }
        write_draws(f, &self.draws)?;
        f.write_str(")")
    }
}

/// What cancelling a redemption gave back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CancellationReceipt {
    /// The member.
    pub member: MemberId,
    /// The redemption.
    pub redemption: Reference,
    /// When.
    pub at: DateTime<Utc>,
    /// The points given back.
    pub points: Points,
    /// Of those, the points whose lot had already expired: they expire again
    /// at once.
    pub expired_on_return: Points,
}

impl CancellationReceipt {
    pub(crate) fn new(e: &RedemptionCancelled) -> CancellationReceipt {
        let expired = e
            .credits
            .iter()
            .filter(|c| c.expires_at.is_some_and(|t| t <= e.at))
            .map(|c| c.points.value().saturating_sub(c.debt_repaid.value()))
            .fold(0_i64, i64::saturating_add);
        CancellationReceipt {
            member: e.member.clone(),
            redemption: e.redemption.clone(),
            at: e.at,
            points: e.points,
            expired_on_return: Points::new(expired),
        }
    }
}

impl fmt::Display for CancellationReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "redemption {} cancelled: {} given back",
            self.redemption,
            PointsNoun(self.points)
        )?;
        if self.expired_on_return.is_positive() {
            write!(
                f,
                " ({} of them had already expired)",
                self.expired_on_return
            )?;
        }
        Ok(())
    }
}

/// Points one redemption got back from a refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RestoredPoints {
    /// The redemption.
    pub redemption: Reference,
    /// The points it spent.
    pub spent: Points,
    /// The points given back by this refund.
    pub points: Points,
    /// The points earlier refunds of the order gave back.
    pub before: Points,
}

/// What a refund clawed back and gave back, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RefundReceipt {
    /// The member.
    pub member: MemberId,
    /// The order.
    pub order: Reference,
    /// The refund.
    pub refund: Reference,
    /// When.
    pub at: DateTime<Utc>,
    /// The amount this refund returned.
    pub amount: Money,
    /// The amount refunded on the order so far, this refund included.
    pub refunded_total: Money,
    /// What the order was paid.
    pub order_amount: Money,
    /// What the order earned.
    pub order_points: Points,
    /// The points clawed back by earlier refunds of the order.
    pub clawed_back_before: Points,
    /// The clawback of this refund, and where the points came from.
    pub clawback: Clawback,
    /// Points spent on the order's discounts, given back.
    pub restored: Vec<RestoredPoints>,
}

impl RefundReceipt {
    /// `before` is the cumulative target before this refund, recomputed from
    /// the event's own figures; the order's own target is `earned_share`
    /// when the caller worked it out already (the refund's plan did).
    pub(crate) fn new(
        e: &OrderRefunded,
        order_amount: Money,
        order_points: Points,
        earned_share: Option<Points>,
        spent: impl Fn(&Reference) -> Points,
    ) -> RefundReceipt {
        let rounding = e.clawback.rounding;
        let target = |points: Points| {
            proportion(points, e.refunded_total, order_amount, rounding).unwrap_or(points)
        };
        let before = |target: Points, now: Points| target.saturating_sub(now).max(Points::ZERO);
        RefundReceipt {
            member: e.member.clone(),
            order: e.order.clone(),
            refund: e.refund.clone(),
            at: e.at,
            amount: e.amount,
            refunded_total: e.refunded_total,
            order_amount,
            order_points,
            clawed_back_before: before(
                earned_share.unwrap_or_else(|| target(order_points)),
                e.clawback.points,
            ),
            clawback: e.clawback.clone(),
            restored: e
                .restored
                .iter()
                .map(|r| {
                    let spent = spent(&r.redemption);
                    RestoredPoints {
                        redemption: r.redemption.clone(),
                        spent,
                        points: r.points,
                        before: before(target(spent), r.points),
                    }
                })
                .collect(),
        }
    }

    /// Points taken from the member (pending, available or as debt).
    pub fn clawed_back(&self) -> Points {
        let c = &self.clawback;
        Points::new(
            c.points
                .value()
                .saturating_sub(c.forgiven.value())
                .saturating_sub(c.expired.value()),
        )
    }

    /// Points given back to the member.
    pub fn restored_points(&self) -> Points {
        Points::new(
            self.restored
                .iter()
                .map(|r| r.points.value())
                .fold(0, i64::saturating_add),
        )
    }
}

/// `rounding(points × part / whole)`: the share of `points` that `part` of
/// `whole` stands for.
///
/// A free order (`whole` zero) can only be refunded whole: its share is all
/// of `points`.
pub(crate) fn proportion(
    points: Points,
    part: Money,
    whole: Money,
    rounding: Rounding,
) -> Option<Points> {
    // The whole is all the points, whatever the amounts' size: exact even
    // where `part × points` would leave the decimal range's precision.
    if whole.is_zero()
        || (part.currency() == whole.currency()
            && crate::money::compare_decimals(part.amount(), whole.amount()).is_eq())
    {
        return Some(points);
    }
    let scaled = part
        .amount()
        .checked_mul(rust_decimal::Decimal::from(points.value()))?;
    rounding.divide(scaled, whole.amount()).ok()
}

fn write_share(
    f: &mut fmt::Formatter<'_>,
    points: Points,
    of: Points,
    rounding: Rounding,
    part: Money,
    whole: Money,
    before: Points,
) -> fmt::Result {
    if whole.is_zero() {
        return write!(f, "{points} = all {of}: the order was free");
    }
    write!(f, "{points} = {rounding}({of} × {part} / {whole})")?;
    if before.is_positive() {
        write!(f, " − {before} before")?;
    }
    Ok(())
}

impl fmt::Display for RefundReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refund {} of {} on order {}: clawed back {} (",
            self.refund,
            self.amount,
            self.order,
            PointsNoun(self.clawback.points)
        )?;
        write_share(
            f,
            self.clawback.points,
            self.order_points,
            self.clawback.rounding,
            self.refunded_total,
            self.order_amount,
            self.clawed_back_before,
        )?;
        f.write_str(")")?;
        let c = &self.clawback;
        if let Some(pending) = c.from_pending {
            write!(f, ", {} from pending", pending.points)?;
        }
        if c.expired.is_positive() {
            write!(f, ", {} had already expired", c.expired)?;
        }
        if c.debt.is_positive() {
            write!(f, ", {} left as debt", c.debt)?;
        }
        if c.forgiven.is_positive() {
            write!(f, ", {} forgiven", c.forgiven)?;
        }
        for r in &self.restored {
            write!(
                f,
                "; restored {} spent on redemption {} (",
                PointsNoun(r.points),
                r.redemption
            )?;
            write_share(
                f,
                r.points,
                r.spent,
                self.clawback.rounding,
                self.refunded_total,
                self.order_amount,
                r.before,
            )?;
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// A manual adjustment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AdjustmentReceipt {
    /// The member.
    pub member: MemberId,
    /// The adjustment.
    pub adjustment: Reference,
    /// When.
    pub at: DateTime<Utc>,
    /// The change: positive credits, negative debits.
    pub points: Points,
    /// Why.
    pub reason: String,
}

impl AdjustmentReceipt {
    pub(crate) fn new(e: &PointsAdjusted) -> AdjustmentReceipt {
        AdjustmentReceipt {
            member: e.member.clone(),
            adjustment: e.adjustment.clone(),
            at: e.at,
            points: e.points,
            reason: e.reason.clone(),
        }
    }
}

impl fmt::Display for AdjustmentReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.points.is_negative() {
            "debited"
        } else {
            "credited"
        };
        write!(
            f,
            "adjustment {}: {verb} {} ({})",
            self.adjustment,
            PointsNoun(Points::new(self.points.value().saturating_abs())),
            self.reason
        )
    }
}

/// A transfer between members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TransferReceipt {
    /// The sender.
    pub from: MemberId,
    /// The receiver.
    pub to: MemberId,
    /// The transfer.
    pub transfer: Reference,
    /// When.
    pub at: DateTime<Utc>,
    /// The points moved.
    pub points: Points,
}

impl TransferReceipt {
    pub(crate) fn new(e: &PointsTransferredOut) -> TransferReceipt {
        TransferReceipt {
            from: e.member.clone(),
            to: e.to.clone(),
            transfer: e.transfer.clone(),
            at: e.at,
            points: e.points,
        }
    }
}

impl fmt::Display for TransferReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "transfer {}: {} from {} to {}",
            self.transfer,
            PointsNoun(self.points),
            self.from,
            self.to
        )
    }
}

/// What letting time pass did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TickReceipt {
    /// The time reached.
    pub at: DateTime<Utc>,
    /// Members with something due.
    pub members: usize,
    /// Pending points that became spendable, over all members (held at
    /// [`Points::MAX`] rather than overflowing).
    pub settled: Points,
    /// Points that expired, over all members (held at [`Points::MAX`]).
    pub expired: Points,
    /// Birthday bonuses awarded, over all members (held at
    /// [`Points::MAX`]).
    pub bonuses: Points,
    /// Tier upgrades and downgrades.
    pub tier_changes: usize,
    /// Tier reviews that kept a tier or granted grace.
    pub tier_reviews: usize,
    /// Memberships renewed automatically.
    pub memberships_renewed: usize,
    /// Memberships that lapsed.
    pub memberships_lapsed: usize,
    /// Members left as they were because what fell due could not be
    /// recorded: their figures would leave the range of points (after
    /// extreme adjustments). Every other member was brought up to `at`; a
    /// command for one of these returns the error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<MemberId>,
}

impl fmt::Display for TickReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "time reached {}: {} settled, {} expired",
            date(&self.at),
            PointsNoun(self.settled),
            PointsNoun(self.expired),
        )?;
        if self.bonuses.is_positive() {
            write!(f, ", {} of birthday bonuses", PointsNoun(self.bonuses))?;
        }
        for (count, what) in [
            (self.tier_changes, "tier change"),
            (self.tier_reviews, "tier review"),
            (self.memberships_renewed, "membership renewed"),
            (self.memberships_lapsed, "membership lapsed"),
        ] {
            if count > 0 {
                write!(f, ", {}", Counted(count, what))?;
            }
        }
        write!(f, " across {}", Counted(self.members, "member"))?;
        if !self.skipped.is_empty() {
            let names: Vec<&str> = self.skipped.iter().map(MemberId::as_str).collect();
            write!(
                f,
                "; {} skipped, their figures would overflow: {}",
                Counted(self.skipped.len(), "member"),
                names.join(", ")
            )?;
        }
        Ok(())
    }
}

/// `count` things, with the noun's plural when needed: "1 member",
/// "3 tier changes", "2 memberships renewed".
struct Counted(usize, &'static str);

impl fmt::Display for Counted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Counted(count, noun) = *self;
        if count == 1 {
            return write!(f, "1 {noun}");
        }
        // The plural goes on the first word: "memberships renewed".
        match noun.split_once(' ') {
            Some((head, tail)) if head == "membership" => write!(f, "{count} {head}s {tail}"),
            _ => write!(f, "{count} {noun}s"),
        }
    }
}

/// What a membership command did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
#[non_exhaustive]
pub enum MembershipChange {
    /// The membership started.
    Started {
        /// The tier it grants.
        tier: TierId,
        /// The fee the host charges.
        fee: Money,
        /// When the term ends.
        ends_at: DateTime<Utc>,
    },
    /// The membership was renewed for another term.
    Renewed {
        /// The fee the host charges.
        fee: Money,
        /// When the new term ends.
        ends_at: DateTime<Utc>,
    },
    /// The membership was cancelled.
    Cancelled {
        /// What the host refunds.
        refund: Money,
    },
}

/// A paid membership bought, renewed or cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MembershipReceipt {
    /// The member.
    pub member: MemberId,
    /// The membership.
    pub membership: RuleId,
    /// When.
    pub at: DateTime<Utc>,
    /// What changed.
    pub change: MembershipChange,
    /// What the fee earned, when the program lets it earn points.
    pub fee_earning: Option<Earning>,
}

impl MembershipReceipt {
    /// The receipt of a membership event; `None` for other events and for
    /// memberships that lapsed.
    pub(crate) fn new(event: &Event, fee_earning: Option<Earning>) -> Option<MembershipReceipt> {
        let (member, membership, at, change) = match event {
            Event::MembershipStarted(e) => (
                &e.member,
                &e.membership,
                e.at,
                MembershipChange::Started {
                    tier: e.tier.clone(),
                    fee: e.fee,
                    ends_at: e.ends_at,
                },
            ),
            Event::MembershipRenewed(e) => (
                &e.member,
                &e.membership,
                e.at,
                MembershipChange::Renewed {
                    fee: e.fee,
                    ends_at: e.ends_at,
                },
            ),
            Event::MembershipEnded(MembershipEnded {
                member,
                membership,
                at,
                reason: MembershipEnd::Cancelled { refund, .. },
            }) => (
                member,
                membership,
                *at,
                MembershipChange::Cancelled { refund: *refund },
            ),
            _ => return None,
        };
        Some(MembershipReceipt {
            member: member.clone(),
            membership: membership.clone(),
            at,
            change,
            fee_earning,
        })
    }
}

impl fmt::Display for MembershipReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.change {
            MembershipChange::Started { tier, fee, ends_at } => write!(
                f,
                "membership {} started: {tier} until {} for {fee}",
                self.membership,
                date(ends_at)
            )?,
            MembershipChange::Renewed { fee, ends_at } => write!(
                f,
                "membership {} renewed until {} for {fee}",
                self.membership,
                date(ends_at)
            )?,
            MembershipChange::Cancelled { refund } if refund.is_zero() => write!(
                f,
                "membership {} cancelled, nothing refunded",
                self.membership
            )?,
            MembershipChange::Cancelled { refund } => write!(
                f,
                "membership {} cancelled, {refund} refunded",
                self.membership
            )?,
        }
        if let Some(earning) = &self.fee_earning {
            write!(
                f,
                "; the fee earned {} ({earning})",
                PointsNoun(earning.points)
            )?;
        }
        Ok(())
    }
}

/// Every member's tier re-evaluated under the current ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReevaluationReceipt {
    /// When.
    pub at: DateTime<Utc>,
    /// Members re-evaluated.
    pub members: usize,
    /// Members whose tier changed.
    pub changed: usize,
}

impl fmt::Display for ReevaluationReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "tiers re-evaluated at {}: {} of {} changed",
            date(&self.at),
            self.changed,
            Counted(self.members, "member"),
        )
    }
}

/// A referral code issued, a code linked, fingerprints or an invitation
/// recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReferralReceipt {
    /// The member.
    pub member: MemberId,
    /// When.
    pub at: DateTime<Utc>,
    /// What changed.
    pub change: ReferralChange,
}

/// What a referral command changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReferralChange {
    /// The member's code was issued.
    CodeIssued {
        /// The code.
        code: crate::ReferralCode,
    },
    /// The member was linked to their referrer.
    Linked {
        /// The referrer.
        referrer: MemberId,
        /// The code used.
        code: crate::ReferralCode,
    },
    /// Fingerprints were recorded.
    FingerprintsRecorded {
        /// How many were new.
        new: usize,
    },
    /// The member invited someone.
    Invited {
        /// The host's invitation reference.
        invitation: Reference,
    },
}

impl fmt::Display for ReferralReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.change {
            ReferralChange::CodeIssued { code } => {
                write!(f, "{} was issued referral code {code}", self.member)
            }
            ReferralChange::Linked { referrer, code } => write!(
                f,
                "{} was linked to referrer {referrer} with code {code} on {}",
                self.member,
                date(&self.at)
            ),
            ReferralChange::FingerprintsRecorded { new } => {
                write!(f, "{} new fingerprints recorded for {}", new, self.member)
            }
            ReferralChange::Invited { invitation } => {
                write!(f, "{} sent invitation {invitation}", self.member)
            }
        }
    }
}
