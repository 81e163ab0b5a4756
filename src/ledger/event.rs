//! Events: what happened, as the host stores it.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::draws::Draws;
use crate::earn::EarnLines;
use crate::rewards::Donation;
use rust_decimal::Decimal;

use crate::{
    ActionId, Cart, DiscountTarget, Fingerprint, Grant, MemberId, Money, Points, Reference,
    ReferralCode, ReferralRefusal, ReferralRole, RewardId, Rounding, RuleId, TierId,
};

/// Every change to the ledger, in past tense.
///
/// [`Ledger::decide`](crate::Ledger::decide) returns events,
/// [`Ledger::apply`](crate::Ledger::apply) folds them, and
/// [`Ledger::replay`](crate::Ledger::replay) rebuilds an identical ledger
/// from a stored log. Each event concerns exactly one member
/// ([`Event::member`]), so a host that partitions members can route them.
///
/// # Format
///
/// Events serialize as JSON objects tagged by `"type"`; times are RFC 3339
/// in UTC, money is `"<amount> <currency>"`, points are integers. Fields
/// that are empty (no lots, no debt) are left out. Unknown fields are
/// rejected, so an event written by a newer format is never half-read. The
/// format is version [`Event::FORMAT_VERSION`]; changes that keep old events
/// readable add optional fields, and a change that would not raises the
/// version, with [`Event::upcast`] turning the older shape into the new
/// one. Every event type has a pinned sample per version in the crate's
/// tests (`tests/data/events/`), and every pinned version's logs must
/// replay.
///
/// Keys may come in any order. `"type"` is written first, and an event
/// read with it first is read straight from the text; a store that sorts
/// keys (PostgreSQL's `jsonb`) hands events back with `"type"` later, and
/// those read the same, only slower (each is buffered whole first).
///
/// ```json
/// {"type":"PurchaseRecorded","member":"marta","order":"ORD-1001",
///  "at":"2026-01-12T10:00:00Z","amount":"57.40 EUR","points":57,
///  "breakdown":[{"rule":"base","eligible":"57.40 EUR",
///                "rate":{"points":1,"per":"1.00 EUR"},"rounding":"floor","points":57}],
///  "credit":{"lot":1,"points":57}}
/// ```
///
/// # Lots
///
/// Points live in lots: each purchase, credit or transfer makes one, with
/// the instant it expires (or none). Spending draws from lots
/// soonest-expiring first, ties oldest (lowest [`LotId`]) first; events
/// record every draw ([`LotDraw`]) and credit ([`LotCredit`]), so a lot's
/// history can be followed and a cancelled redemption can put points back
/// where they came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type")]
#[non_exhaustive]
pub enum Event {
    /// A member joined.
    MemberEnrolled(MemberEnrolled),
    /// A purchase earned points (available or pending).
    PurchaseRecorded(PurchaseRecorded),
    /// The host confirmed an order; its pending points became spendable.
    OrderConfirmed(OrderConfirmed),
    /// Pending points became spendable at the end of their pending period.
    PointsSettled(PointsSettled),
    /// Points bought a reward.
    RewardRedeemed(RewardRedeemed),
    /// A redemption was cancelled and its points returned.
    RedemptionCancelled(RedemptionCancelled),
    /// An order was refunded, fully or partly: points clawed back, spent
    /// points restored.
    OrderRefunded(OrderRefunded),
    /// Points were credited or debited by hand.
    PointsAdjusted(PointsAdjusted),
    /// Points left this member for another.
    PointsTransferredOut(PointsTransferredOut),
    /// Points arrived from another member.
    PointsTransferredIn(PointsTransferredIn),
    /// Points expired.
    PointsExpired(PointsExpired),
    /// A bonus was awarded: sign-up, birthday or a custom action.
    BonusAwarded(BonusAwarded),
    /// A member's qualified tier changed.
    TierChanged(TierChanged),
    /// A member's tier was reviewed and kept, or put on grace.
    TierReviewed(TierReviewed),
    /// A member bought a paid membership.
    MembershipStarted(MembershipStarted),
    /// A membership was renewed for another term.
    MembershipRenewed(MembershipRenewed),
    /// A membership ended: its term ran out, or it was cancelled.
    MembershipEnded(MembershipEnded),
    /// A member's referral code was issued.
    ReferralCodeIssued(ReferralCodeIssued),
    /// The host recorded identity fingerprints for a member.
    FingerprintsRecorded(FingerprintsRecorded),
    /// A member invited someone.
    ReferralInvited(ReferralInvited),
    /// A new member was linked to their referrer.
    ReferralLinked(ReferralLinked),
    /// Someone joined with a member's code.
    ReferralJoined(ReferralJoined),
    /// A referral qualified.
    ReferralQualified(ReferralQualified),
    /// A referral rewarded a member.
    ReferralRewarded(ReferralRewarded),
    /// A referral's reward for a member was withheld.
    ReferralWithheld(ReferralWithheld),
    /// A referral's reward was taken back.
    ReferralReversed(ReferralReversed),
}

/// Read as serde's derive for `#[serde(tag = "type")]` reads, in any key
/// order, with the same errors. When `type` is the first key, as this
/// crate writes it, the rest of the event is read straight from the input
/// instead of being buffered first: a log is read about twice as fast.
/// Events whose store reordered their keys (PostgreSQL's `jsonb` sorts
/// them) are buffered and read as before.
impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Event, D::Error> {
        crate::wire::tagged(deserializer)
    }
}

impl crate::wire::Tagged for Event {
    const TAG: &'static str = "type";
    const EXPECTING: &'static str = "an event";

    fn variant<'de, D: serde::Deserializer<'de>>(name: &str, fields: D) -> Result<Event, D::Error> {
        crate::wire::variant_by_name!(Event, name, fields;
            MemberEnrolled,
            PurchaseRecorded,
            OrderConfirmed,
            PointsSettled,
            RewardRedeemed,
            RedemptionCancelled,
            OrderRefunded,
            PointsAdjusted,
            PointsTransferredOut,
            PointsTransferredIn,
            PointsExpired,
            BonusAwarded,
            TierChanged,
            TierReviewed,
            MembershipStarted,
            MembershipRenewed,
            MembershipEnded,
            ReferralCodeIssued,
            FingerprintsRecorded,
            ReferralInvited,
            ReferralLinked,
            ReferralJoined,
            ReferralQualified,
            ReferralRewarded,
            ReferralWithheld,
            ReferralReversed,
        )
    }
}

impl Event {
    /// The version of the event format this crate writes.
    pub const FORMAT_VERSION: u32 = 1;

    /// Reads an event stored under format `version`, turning an older
    /// shape into the current one.
    ///
    /// Hosts that store the format version with their events (a column, a
    /// header, a file name) read them through here; replaying what comes
    /// out rebuilds the same ledger in later versions of the crate. Version
    /// 1 is the current format, read as it is. When a format changes,
    /// [`FORMAT_VERSION`](Event::FORMAT_VERSION) goes up and this function
    /// gains the arm that converts the previous version; the crate's tests
    /// replay every pinned version's sample logs through it.
    ///
    /// # Errors
    ///
    /// The deserializer's error for malformed input, or for a version this
    /// crate does not know (newer than it, or zero).
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::Event;
    ///
    /// let stored = r#"{"type":"MemberEnrolled","member":"marta","at":"2026-01-05T12:00:00Z"}"#;
    /// let event = Event::upcast(1, &mut serde_json::Deserializer::from_str(stored))?;
    /// assert_eq!(event.kind(), "MemberEnrolled");
    /// assert!(Event::upcast(9, &mut serde_json::Deserializer::from_str(stored)).is_err());
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn upcast<'de, D: serde::Deserializer<'de>>(
        version: u32,
        stored: D,
    ) -> Result<Event, D::Error> {
        match version {
            1 => Event::deserialize(stored),
            _ => Err(serde::de::Error::custom(format_args!(
                "event format version {version} is not one this crate reads (1 to {})",
                Event::FORMAT_VERSION
            ))),
        }
    }

    /// The member the event concerns.
    pub fn member(&self) -> &MemberId {
        match self {
            Event::MemberEnrolled(e) => &e.member,
            Event::PurchaseRecorded(e) => &e.member,
            Event::OrderConfirmed(e) => &e.member,
            Event::PointsSettled(e) => &e.member,
            Event::RewardRedeemed(e) => &e.member,
            Event::RedemptionCancelled(e) => &e.member,
            Event::OrderRefunded(e) => &e.member,
            Event::PointsAdjusted(e) => &e.member,
            Event::PointsTransferredOut(e) => &e.member,
            Event::PointsTransferredIn(e) => &e.member,
            Event::PointsExpired(e) => &e.member,
            Event::BonusAwarded(e) => &e.member,
            Event::TierChanged(e) => &e.member,
            Event::TierReviewed(e) => &e.member,
            Event::MembershipStarted(e) => &e.member,
            Event::MembershipRenewed(e) => &e.member,
            Event::MembershipEnded(e) => &e.member,
            Event::ReferralCodeIssued(e) => &e.member,
            Event::FingerprintsRecorded(e) => &e.member,
            Event::ReferralInvited(e) => &e.member,
            Event::ReferralLinked(e) => &e.member,
            Event::ReferralJoined(e) => &e.member,
            Event::ReferralQualified(e) => &e.member,
            Event::ReferralRewarded(e) => &e.member,
            Event::ReferralWithheld(e) => &e.member,
            Event::ReferralReversed(e) => &e.member,
        }
    }

    /// When it happened.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Event::MemberEnrolled(e) => e.at,
            Event::PurchaseRecorded(e) => e.at,
            Event::OrderConfirmed(e) => e.at,
            Event::PointsSettled(e) => e.at,
            Event::RewardRedeemed(e) => e.at,
            Event::RedemptionCancelled(e) => e.at,
            Event::OrderRefunded(e) => e.at,
            Event::PointsAdjusted(e) => e.at,
            Event::PointsTransferredOut(e) => e.at,
            Event::PointsTransferredIn(e) => e.at,
            Event::PointsExpired(e) => e.at,
            Event::BonusAwarded(e) => e.at,
            Event::TierChanged(e) => e.at,
            Event::TierReviewed(e) => e.at,
            Event::MembershipStarted(e) => e.at,
            Event::MembershipRenewed(e) => e.at,
            Event::MembershipEnded(e) => e.at,
            Event::ReferralCodeIssued(e) => e.at,
            Event::FingerprintsRecorded(e) => e.at,
            Event::ReferralInvited(e) => e.at,
            Event::ReferralLinked(e) => e.at,
            Event::ReferralJoined(e) => e.at,
            Event::ReferralQualified(e) => e.at,
            Event::ReferralRewarded(e) => e.at,
            Event::ReferralWithheld(e) => e.at,
            Event::ReferralReversed(e) => e.at,
        }
    }

    /// The event's type name, as in its `"type"` field.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::MemberEnrolled(_) => "MemberEnrolled",
            Event::PurchaseRecorded(_) => "PurchaseRecorded",
            Event::OrderConfirmed(_) => "OrderConfirmed",
            Event::PointsSettled(_) => "PointsSettled",
            Event::RewardRedeemed(_) => "RewardRedeemed",
            Event::RedemptionCancelled(_) => "RedemptionCancelled",
            Event::OrderRefunded(_) => "OrderRefunded",
            Event::PointsAdjusted(_) => "PointsAdjusted",
            Event::PointsTransferredOut(_) => "PointsTransferredOut",
            Event::PointsTransferredIn(_) => "PointsTransferredIn",
            Event::PointsExpired(_) => "PointsExpired",
            Event::BonusAwarded(_) => "BonusAwarded",
            Event::TierChanged(_) => "TierChanged",
            Event::TierReviewed(_) => "TierReviewed",
            Event::MembershipStarted(_) => "MembershipStarted",
            Event::MembershipRenewed(_) => "MembershipRenewed",
            Event::MembershipEnded(_) => "MembershipEnded",
            Event::ReferralCodeIssued(_) => "ReferralCodeIssued",
            Event::FingerprintsRecorded(_) => "FingerprintsRecorded",
            Event::ReferralInvited(_) => "ReferralInvited",
            Event::ReferralLinked(_) => "ReferralLinked",
            Event::ReferralJoined(_) => "ReferralJoined",
            Event::ReferralQualified(_) => "ReferralQualified",
            Event::ReferralRewarded(_) => "ReferralRewarded",
            Event::ReferralWithheld(_) => "ReferralWithheld",
            Event::ReferralReversed(_) => "ReferralReversed",
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.at().format("%Y-%m-%dT%H:%M:%SZ"),
            self.member(),
            self.kind()
        )
    }
}

/// The id of a lot within one member's account; lots are numbered from 1 in
/// the order they were made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LotId(u64);

impl LotId {
    /// A lot id from its number.
    pub const fn new(number: u64) -> LotId {
        LotId(number)
    }

    /// The lot's number.
    pub const fn number(self) -> u64 {
        self.0
    }
}

impl fmt::Display for LotId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lot {}", self.0)
    }
}

fn is_zero(points: &Points) -> bool {
    points.is_zero()
}

/// Points put into a lot (a new one, or back into the one they came from).
///
/// When the member is in debt, `debt_repaid` of the `points` repay it and
/// only the rest reaches the lot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LotCredit {
    /// The lot credited.
    pub lot: LotId,
    /// When the lot expires; absent when it never does.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::time_text::maybe_utc"
    )]
    pub expires_at: Option<DateTime<Utc>>,
    /// The points credited, debt repayment included.
    pub points: Points,
    /// The part of `points` that repaid debt instead.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub debt_repaid: Points,
}

/// Points taken from a lot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LotDraw {
    /// The lot drawn from.
    pub lot: LotId,
    /// When the lot expires; absent when it never does.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::time_text::maybe_utc"
    )]
    pub expires_at: Option<DateTime<Utc>>,
    /// The points taken.
    pub points: Points,
}

impl LotCredit {
    pub(crate) fn new(
        lot: LotId,
        expires_at: Option<DateTime<Utc>>,
        points: Points,
        debt_repaid: Points,
    ) -> LotCredit {
        LotCredit {
            lot,
            expires_at,
            points,
            debt_repaid,
        }
    }
}

impl LotDraw {
    pub(crate) fn new(lot: LotId, expires_at: Option<DateTime<Utc>>, points: Points) -> LotDraw {
        LotDraw {
            lot,
            expires_at,
            points,
        }
    }
}

/// Earned points waiting to become spendable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PendingCredit {
    /// The lot they will form.
    pub lot: LotId,
    /// The points.
    pub points: Points,
    /// When they become spendable; absent when the order must be confirmed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::time_text::maybe_utc"
    )]
    pub available_at: Option<DateTime<Utc>>,
    /// When the lot will expire; absent when it never does.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::time_text::maybe_utc"
    )]
    pub expires_at: Option<DateTime<Utc>>,
}

/// A member joined the program.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MemberEnrolled {
    /// The member.
    pub member: MemberId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The member's birth date, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    /// Identity fingerprints the host supplied (for referral guards).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fingerprints: Vec<Fingerprint>,
}

/// A purchase was recorded and earned points.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PurchaseRecorded {
    /// The member.
    pub member: MemberId,
    /// The host's order reference.
    pub order: Reference,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The amount paid.
    pub amount: Money,
    /// The points earned.
    pub points: Points,
    /// How the points were computed.
    #[serde(deserialize_with = "crate::earn::read_breakdown")]
    pub breakdown: EarnLines,
    /// The points, when spendable at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<LotCredit>,
    /// The points, when pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<PendingCredit>,
    /// Redemptions whose discounts this order used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redemptions: Vec<Reference>,
    /// The order's lines and portions, when the host sent them. Boxed, as
    /// on [`Purchase`](crate::Purchase): an event is moved several times
    /// on its way to the host, and most carry no cart (320 bytes an event
    /// instead of 432).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart: Option<Box<Cart>>,
}

/// The host confirmed an order (its return window closed, it shipped, ...);
/// its pending points, if any are left, became spendable.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct OrderConfirmed {
    /// The member.
    pub member: MemberId,
    /// The order.
    pub order: Reference,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The order's pending points, now a spendable lot; absent when none
    /// were left pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<LotCredit>,
}

/// Pending points of an order became spendable.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PointsSettled {
    /// The member.
    pub member: MemberId,
    /// The order that earned them.
    pub order: Reference,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The lot they now form.
    pub credit: LotCredit,
}

/// Points bought a reward.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RewardRedeemed {
    /// The member.
    pub member: MemberId,
    /// The host's redemption reference.
    pub redemption: Reference,
    /// The reward.
    pub reward: RewardId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The cart's total before the discount.
    pub cart: Money,
    /// The discount given.
    pub discount: Money,
    /// What the discount applies to; absent when it is all lines.
    #[serde(default, skip_serializing_if = "DiscountTarget::is_all_lines")]
    pub applies_to: DiscountTarget,
    /// The donation the points funded, for a donation reward.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub donation: Option<Donation>,
    /// The points spent.
    pub points: Points,
    /// The lots they came from, in consumption order.
    pub draws: Draws,
    /// The referral voucher that paid for it instead of points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher: Option<Reference>,
}

/// A redemption was cancelled; its points went back to their lots.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RedemptionCancelled {
    /// The member.
    pub member: MemberId,
    /// The redemption.
    pub redemption: Reference,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The points returned.
    pub points: Points,
    /// Where they went, with their original lots' expiry.
    pub credits: Vec<LotCredit>,
}

/// An order was refunded, fully or partly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct OrderRefunded {
    /// The member.
    pub member: MemberId,
    /// The order.
    pub order: Reference,
    /// The host's refund reference.
    pub refund: Reference,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The amount refunded by this refund.
    pub amount: Money,
    /// The amount refunded on the order so far, this refund included.
    pub refunded_total: Money,
    /// Points spent on the order's discounts, given back in proportion.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restored: Vec<Restoration>,
    /// Points the order earned, taken back in proportion.
    pub clawback: Clawback,
}

/// Points of one redemption given back by a refund.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Restoration {
    /// The redemption whose points come back.
    pub redemption: Reference,
    /// The points given back by this refund.
    pub points: Points,
    /// Where they went, with their original lots' expiry.
    pub credits: Vec<LotCredit>,
}

/// The points a refund took back, and from where.
///
/// `points` = `from_pending` + `expired` + Σ `draws` + `debt` + `forgiven`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Clawback {
    /// The points this refund claws back:
    /// `rounding(earned × refunded_total / order amount)` less what earlier
    /// refunds of the order clawed back.
    pub points: Points,
    /// The rounding used.
    pub rounding: Rounding,
    /// Taken from the order's points still pending: its pending lot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_pending: Option<LotDraw>,
    /// Not taken because the order's own points had already expired
    /// unused: they left the balance once and are not taken twice.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub expired: Points,
    /// Taken from available lots, the order's own lot first.
    #[serde(default, skip_serializing_if = "Draws::is_empty")]
    pub draws: Draws,
    /// Recorded as debt (negative balance).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub debt: Points,
    /// Not taken: forgiven under the clamp policy.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub forgiven: Points,
}

/// Points credited or debited by hand.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PointsAdjusted {
    /// The member.
    pub member: MemberId,
    /// The host's adjustment reference.
    pub adjustment: Reference,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The change: positive for a credit, negative for a debit.
    pub points: Points,
    /// Why, for the member's statement and the audit trail.
    pub reason: String,
    /// For a credit: the lot made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<LotCredit>,
    /// For a debit: the lots drawn.
    #[serde(default, skip_serializing_if = "Draws::is_empty")]
    pub draws: Draws,
}

/// Points left this member for another.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PointsTransferredOut {
    /// The sender.
    pub member: MemberId,
    /// The host's transfer reference.
    pub transfer: Reference,
    /// The receiver.
    pub to: MemberId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The points sent.
    pub points: Points,
    /// The lots drawn.
    pub draws: Draws,
}

/// Points arrived from another member, keeping their lots' expiry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PointsTransferredIn {
    /// The receiver.
    pub member: MemberId,
    /// The host's transfer reference.
    pub transfer: Reference,
    /// The sender.
    pub from: MemberId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The points received.
    pub points: Points,
    /// The lots made.
    pub credits: Vec<LotCredit>,
}

/// Points expired.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PointsExpired {
    /// The member.
    pub member: MemberId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// Why.
    pub reason: ExpiryReason,
    /// The points expired.
    pub points: Points,
    /// The lots they were in.
    pub draws: Draws,
}

/// A bonus was awarded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct BonusAwarded {
    /// The member.
    pub member: MemberId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// What for.
    pub bonus: BonusKind,
    /// The points awarded, after the program's caps (may be zero).
    pub points: Points,
    /// How the points were computed.
    #[serde(deserialize_with = "crate::earn::read_breakdown")]
    pub breakdown: EarnLines,
    /// The lot they form; absent when nothing was awarded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<LotCredit>,
}

/// What a bonus was awarded for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "for", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum BonusKind {
    /// Joining the program.
    SignUp,
    /// The member's birthday in `year`.
    Birthday {
        /// The year.
        year: i32,
    },
    /// A custom action the host reported.
    Action {
        /// The action.
        action: ActionId,
        /// The host's reference for it.
        reference: Reference,
    },
}

/// A member's qualified tier changed: up as soon as the qualifying metric
/// crosses a threshold, down only at a review.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TierChanged {
    /// The member.
    pub member: MemberId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The tier before; absent when the member had none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<TierId>,
    /// The tier now; absent when the member has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<TierId>,
    /// Why.
    pub reason: TierReason,
    /// The qualifying metric over the window, when the change was decided.
    pub metric: Decimal,
    /// When the new tier is next reviewed: it is secured until then.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::time_text::maybe_utc"
    )]
    pub secured_until: Option<DateTime<Utc>>,
}

/// Why a tier changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum TierReason {
    /// The metric reached the new tier's threshold.
    Qualified {
        /// The new tier's threshold.
        threshold: Decimal,
    },
    /// A review found the metric below the tier's threshold.
    Review {
        /// The threshold of the tier lost.
        threshold: Decimal,
    },
    /// The program's tier configuration changed.
    Reevaluated,
}

/// A member's tier was reviewed and kept, or given a grace period.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TierReviewed {
    /// The member.
    pub member: MemberId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The tier reviewed.
    pub tier: TierId,
    /// The qualifying metric over the window reviewed.
    pub metric: Decimal,
    /// The tier's threshold.
    pub threshold: Decimal,
    /// What the review decided.
    pub outcome: ReviewOutcome,
}

/// What a review decided, besides a downgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum ReviewOutcome {
    /// The member keeps the tier until the next review.
    Kept {
        /// The next review; absent when the tier can no longer be lost.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "crate::time_text::maybe_utc"
        )]
        secured_until: Option<DateTime<Utc>>,
    },
    /// The member fell short; the downgrade waits until `until`.
    Grace {
        /// When the tier is reviewed again.
        #[serde(with = "crate::time_text::utc")]
        until: DateTime<Utc>,
    },
}

/// A member bought a paid membership.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MembershipStarted {
    /// The member.
    pub member: MemberId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The membership.
    pub membership: RuleId,
    /// The host's reference for the payment.
    pub reference: Reference,
    /// The tier it grants.
    pub tier: TierId,
    /// The fee paid for the term.
    pub fee: Money,
    /// When the term ends.
    #[serde(with = "crate::time_text::utc")]
    pub ends_at: DateTime<Utc>,
    /// The order recording the fee, when the fee earns points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_order: Option<Reference>,
}

/// A membership was renewed for another term.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MembershipRenewed {
    /// The member.
    pub member: MemberId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The membership.
    pub membership: RuleId,
    /// The host's reference for the payment; absent for an automatic
    /// renewal, whose fee the host is to charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<Reference>,
    /// The fee for the new term.
    pub fee: Money,
    /// When the new term ends.
    #[serde(with = "crate::time_text::utc")]
    pub ends_at: DateTime<Utc>,
    /// The order recording the fee, when the fee earns points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_order: Option<Reference>,
}

/// A membership ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MembershipEnded {
    /// The member.
    pub member: MemberId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The membership.
    pub membership: RuleId,
    /// Why.
    pub reason: MembershipEnd,
}

/// Why a membership ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum MembershipEnd {
    /// Its term ran out without renewal.
    Lapsed,
    /// The member cancelled it.
    Cancelled {
        /// The host's reference for the cancellation.
        reference: Reference,
        /// The part of the fee given back.
        refund: Money,
    },
}

/// Why points expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExpiryReason {
    /// The lots reached their expiry instant.
    LotExpired,
    /// The member had no activity for the program's inactivity period.
    Inactivity,
}

/// A member's referral code was issued: derived from their id and the
/// program's secret, or chosen by the host.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ReferralCodeIssued {
    /// The member.
    pub member: MemberId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The code.
    pub code: ReferralCode,
}

/// Identity fingerprints the host supplied for a member.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct FingerprintsRecorded {
    /// The member.
    pub member: MemberId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The fingerprints new to the member.
    pub fingerprints: Vec<Fingerprint>,
}

/// A member invited someone with their code (the host's invitation).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ReferralInvited {
    /// The referrer.
    pub member: MemberId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The host's invitation reference.
    pub invitation: Reference,
}

/// A member was linked to the referrer whose code they used.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ReferralLinked {
    /// The new member (the referee).
    pub member: MemberId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// Who referred them.
    pub referrer: MemberId,
    /// The code used.
    pub code: ReferralCode,
}

/// Someone joined with this member's code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ReferralJoined {
    /// The referrer.
    pub member: MemberId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The new member.
    pub referee: MemberId,
}

/// A referee's referral qualified: at linking, or with this order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ReferralQualified {
    /// The referee.
    pub member: MemberId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// Who referred them.
    pub referrer: MemberId,
    /// The qualifying order; absent when linking qualified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Reference>,
}

/// A referral rewarded one member: points, or a voucher for a catalogue
/// reward.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ReferralRewarded {
    /// Who is rewarded.
    pub member: MemberId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The referral's new member.
    pub referee: MemberId,
    /// In which role.
    pub role: ReferralRole,
    /// The qualifying order; absent when linking qualified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Reference>,
    /// What was given.
    pub grant: Grant,
    /// For points: the lot made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<LotCredit>,
    /// For a reward: the voucher's reference, to redeem it with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher: Option<Reference>,
}

impl ReferralRewarded {
    /// The points credited (none for a voucher).
    pub fn points(&self) -> Points {
        self.credit.map_or(Points::ZERO, |c| c.points)
    }
}

/// A referral's reward for one member was withheld.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ReferralWithheld {
    /// Who would have been rewarded.
    pub member: MemberId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The referral's new member.
    pub referee: MemberId,
    /// In which role.
    pub role: ReferralRole,
    /// The qualifying order; absent when linking qualified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Reference>,
    /// Why.
    pub why: ReferralRefusal,
}

/// A referral's reward was taken back from one member: the qualifying
/// order was refunded in full or below the minimum.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ReferralReversed {
    /// Who gives it back.
    pub member: MemberId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The referral's new member.
    pub referee: MemberId,
    /// In which role it was given.
    pub role: ReferralRole,
    /// The refunded order.
    pub order: Reference,
    /// The points taken back: the reward's points, or the cost of a
    /// voucher already used.
    pub points: Points,
    /// Taken from available lots, the reward's own lot first.
    #[serde(default, skip_serializing_if = "Draws::is_empty")]
    pub draws: Draws,
    /// Recorded as debt (negative balance).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub debt: Points,
    /// Not taken: forgiven (the clamp policy).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub forgiven: Points,
    /// A voucher not yet used, now void.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher_revoked: Option<Reference>,
}
