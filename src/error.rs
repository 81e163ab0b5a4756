//! Why a command was refused, and why an event did not fit.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::ledger::LotId;
use crate::{Currency, MemberId, Money, MoneyError, Points, PointsOverflow, Reference, RewardId};

/// Why the ledger refused a command or a read.
///
/// A refused command changes nothing. Each variant carries the numbers a
/// host needs to explain the refusal to a customer or a support agent.
///
/// # Example
///
/// ```
/// use loyalty::{Cart, Enroll, Error, Ledger, Points, Program, Redeem};
///
/// let program: Program = serde_json::from_str(r#"{"currency": "EUR",
///     "rewards": [{"id": "ten-percent-off", "cost": 100, "kind": "percent_off", "percent": "10"}]}"#)?;
/// let mut ledger = Ledger::new(program);
/// let at = "2026-01-12T10:00:00Z".parse()?;
/// ledger.execute(Enroll::new("marta".parse()?, at))?;
///
/// let refused = ledger.execute(Redeem::new(
///     "marta".parse()?, "RDM-1".parse()?, "ten-percent-off".parse()?,
///     Cart::new("80.00 EUR".parse()?), at,
/// ));
/// assert_eq!(
///     refused.unwrap_err(),
///     Error::InsufficientPoints { available: Points::new(0), required: Points::new(100) }
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The member has not enrolled.
    #[error("member {member} is not enrolled")]
    NotEnrolled {
        /// The member.
        member: MemberId,
    },
    /// The command is dated before the member's last event.
    #[error(
        "out of order: command for {member} at {at} is before their last event at {last_event_at}"
    )]
    OutOfOrder {
        /// The member.
        member: MemberId,
        /// The command's time.
        at: DateTime<Utc>,
        /// The time of the member's last event.
        last_event_at: DateTime<Utc>,
    },
    /// The reference was already used for a different command.
    #[error(
        "conflict: {kind} {reference} was already recorded with {field} {recorded}, not {received}"
    )]
    Conflict {
        /// What the reference names.
        kind: ReferenceKind,
        /// The reference.
        reference: Reference,
        /// The field that differs.
        field: &'static str,
        /// Its value in the recorded command.
        recorded: String,
        /// Its value in this command.
        received: String,
    },
    /// An amount is not in the program's currency.
    #[error("wrong currency: the program runs in {expected}, got {actual}")]
    WrongCurrency {
        /// The program's currency.
        expected: Currency,
        /// The amount's currency.
        actual: Currency,
    },
    /// An amount below zero, or zero where something must be paid back.
    #[error("invalid amount {amount}: {problem}")]
    InvalidAmount {
        /// The amount.
        amount: Money,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A number of points that must be above zero is not.
    #[error("invalid points {points}: must be at least 1")]
    InvalidPoints {
        /// The points given.
        points: Points,
    },
    /// An adjustment's reason is empty or too long.
    #[error("invalid reason: must be 1 to {max} characters (got {len})")]
    InvalidReason {
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The member has too few available points.
    #[error("insufficient points: {available} available, {required} required")]
    InsufficientPoints {
        /// Points available now.
        available: Points,
        /// Points needed.
        required: Points,
    },
    /// The cart is below the reward's minimum order.
    #[error("order below minimum: {actual} is below the reward's {minimum} minimum")]
    BelowMinimumOrder {
        /// The reward's minimum order.
        minimum: Money,
        /// The cart's total.
        actual: Money,
    },
    /// The cart is inconsistent.
    #[error("invalid cart: {0}")]
    InvalidCart(#[from] crate::CartError),
    /// A purchase's amount is not its cart's total less the discounts paid
    /// with points.
    #[error(
        "the amount paid, {amount}, is not the cart's {cart_total} less {points_discount} paid with points"
    )]
    CartMismatch {
        /// The amount the purchase states.
        amount: Money,
        /// The cart's total.
        cart_total: Money,
        /// The discounts of the redemptions the purchase links.
        points_discount: Money,
    },
    /// The reward cannot be redeemed by this member on this cart now.
    #[error("reward {reward} is not available: {reason}")]
    RewardUnavailable {
        /// The reward.
        reward: RewardId,
        /// Why.
        reason: crate::Shortfall,
    },
    /// Points given for a reward with a fixed cost, or missing for
    /// points-as-cash.
    #[error("reward {reward} takes {expected}, not {given}")]
    WrongPoints {
        /// The reward.
        reward: RewardId,
        /// What it takes: its cost, or for points-as-cash a multiple of
        /// its step between its minimum and maximum.
        expected: String,
        /// What the command gave.
        given: String,
    },
    /// The program has no such custom action.
    #[error("unknown action {action}")]
    UnknownAction {
        /// The action reported.
        action: crate::ActionId,
    },
    /// The action already counted as often as the program allows in this
    /// period.
    #[error("action {action} counts at most {limit} times per {per}{}", next_at.map(|t| format!("; next from {}", t.format("%Y-%m-%d %H:%M UTC"))).unwrap_or_default())]
    ActionLimitReached {
        /// The action.
        action: crate::ActionId,
        /// How many count per period.
        limit: u32,
        /// The period.
        per: crate::Period,
        /// When it counts again.
        next_at: Option<DateTime<Utc>>,
    },
    /// The action counted too recently.
    #[error("action {action} counts once every {days} days; next from {}", next_at.format("%Y-%m-%d %H:%M UTC"))]
    ActionCoolingDown {
        /// The action.
        action: crate::ActionId,
        /// Days between two.
        days: u32,
        /// When it counts again.
        next_at: DateTime<Utc>,
    },
    /// The program offers no such membership.
    #[error("unknown membership {membership}")]
    UnknownMembership {
        /// The membership asked for.
        membership: crate::RuleId,
    },
    /// The member already holds a membership.
    #[error("membership {membership} is active until {}; renew or cancel it first", ends_at.format("%Y-%m-%d %H:%M UTC"))]
    MembershipActive {
        /// The active membership.
        membership: crate::RuleId,
        /// When its term ends.
        ends_at: DateTime<Utc>,
    },
    /// The member holds no membership to renew or cancel.
    #[error("member {member} holds no active membership")]
    NoMembership {
        /// The member.
        member: MemberId,
    },
    /// The program has no tier ladder.
    #[error("the program has no tiers (tiers.levels is empty)")]
    NoTiers,
    /// The catalogue has no such reward.
    #[error("unknown reward {reward}")]
    UnknownReward {
        /// The reward asked for.
        reward: RewardId,
    },
    /// The member has no such order.
    #[error("member {member} has no order {order}")]
    UnknownOrder {
        /// The member.
        member: MemberId,
        /// The order.
        order: Reference,
    },
    /// The member has no such redemption.
    #[error("member {member} has no redemption {redemption}")]
    UnknownRedemption {
        /// The member.
        member: MemberId,
        /// The redemption.
        redemption: Reference,
    },
    /// The redemption's discount was used by an order; refund the order to
    /// give its points back.
    #[error("redemption {redemption} was used by order {order}: refund the order instead")]
    RedemptionUsed {
        /// The redemption.
        redemption: Reference,
        /// The order that used it.
        order: Reference,
    },
    /// The redemption was cancelled, so an order cannot use it.
    #[error("redemption {redemption} was cancelled")]
    RedemptionCancelled {
        /// The redemption.
        redemption: Reference,
    },
    /// The refunds of an order would exceed what was paid.
    #[error(
        "refund exceeds order {order}: {requested} requested, {already_refunded} of {order_amount} already refunded"
    )]
    RefundExceedsOrder {
        /// The order.
        order: Reference,
        /// What the order was paid.
        order_amount: Money,
        /// What earlier refunds returned.
        already_refunded: Money,
        /// What this refund asks for.
        requested: Money,
    },
    /// Under [`NegativeBalance::Reject`](crate::NegativeBalance::Reject): the
    /// clawback is larger than the points available.
    #[error("clawback of {required} points exceeds the {available} available")]
    ClawbackExceedsBalance {
        /// Points available (after any restored points).
        available: Points,
        /// Points to claw back from the available balance.
        required: Points,
    },
    /// A period that ends before it starts.
    #[error("invalid period: {to} is before {from}")]
    InvalidPeriod {
        /// The start.
        from: DateTime<Utc>,
        /// The end.
        to: DateTime<Utc>,
    },
    /// A referral was refused: the code does not link this member, or the
    /// program has no referrals.
    #[error("referral for {member} refused: {reason}")]
    ReferralRefused {
        /// The member who brought the code.
        member: MemberId,
        /// Why.
        reason: crate::ReferralRefusal,
    },
    /// A referral code the host chose belongs to another member.
    #[error("referral code {code} already belongs to {member}")]
    CodeTaken {
        /// The code.
        code: crate::ReferralCode,
        /// Its member.
        member: MemberId,
    },
    /// No referral voucher of the member has this reference (or it was
    /// revoked when its referral was reversed).
    #[error("member {member} has no usable voucher {voucher}")]
    UnknownVoucher {
        /// The member.
        member: MemberId,
        /// The voucher.
        voucher: Reference,
    },
    /// The voucher already paid for a redemption.
    #[error("voucher {voucher} was used by redemption {redemption}")]
    VoucherUsed {
        /// The voucher.
        voucher: Reference,
        /// The redemption it paid for.
        redemption: Reference,
    },
    /// The voucher is for another reward.
    #[error("voucher {voucher} is for reward {reward}, not {requested}")]
    VoucherForAnotherReward {
        /// The voucher.
        voucher: Reference,
        /// Its reward.
        reward: RewardId,
        /// The reward asked for.
        requested: RewardId,
    },
    /// A transfer from a member to themselves.
    #[error("cannot transfer points from {member} to themselves")]
    SelfTransfer {
        /// The member.
        member: MemberId,
    },
    /// Points arithmetic overflowed.
    #[error(transparent)]
    PointsOverflow(#[from] PointsOverflow),
    /// Money arithmetic failed.
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// An amount too large to compute points or a discount from.
    #[error("amount {amount} is out of range")]
    AmountOutOfRange {
        /// The amount.
        amount: Money,
    },
    /// A date computed from the command's time falls outside the calendar.
    #[error("date out of range: {days} days after {at}")]
    TimeOutOfRange {
        /// The time the computation started from.
        at: DateTime<Utc>,
        /// The days added.
        days: u32,
    },
    /// The ledger's own events did not fit its state. This is a bug in the
    /// crate; the command changed nothing.
    #[error("internal inconsistency: {0}")]
    Inconsistent(#[from] ApplyError),
}

impl Error {
    /// The refusal's kind in `snake_case`, stable across versions: the
    /// variant's name (`insufficient_points` for
    /// [`Error::InsufficientPoints`]). Scenario files name expected errors
    /// by it; hosts can use it as a metric label or an API error code.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::{Error, Points};
    ///
    /// let refused = Error::InsufficientPoints { available: Points::new(40), required: Points::new(100) };
    /// assert_eq!(refused.kind(), "insufficient_points");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Error::NotEnrolled { .. } => "not_enrolled",
            Error::OutOfOrder { .. } => "out_of_order",
            Error::Conflict { .. } => "conflict",
            Error::WrongCurrency { .. } => "wrong_currency",
            Error::InvalidAmount { .. } => "invalid_amount",
            Error::InvalidPoints { .. } => "invalid_points",
            Error::InvalidReason { .. } => "invalid_reason",
            Error::InsufficientPoints { .. } => "insufficient_points",
            Error::BelowMinimumOrder { .. } => "below_minimum_order",
            Error::InvalidCart(_) => "invalid_cart",
            Error::CartMismatch { .. } => "cart_mismatch",
            Error::RewardUnavailable { .. } => "reward_unavailable",
            Error::WrongPoints { .. } => "wrong_points",
            Error::UnknownAction { .. } => "unknown_action",
            Error::ActionLimitReached { .. } => "action_limit_reached",
            Error::ActionCoolingDown { .. } => "action_cooling_down",
            Error::UnknownMembership { .. } => "unknown_membership",
            Error::MembershipActive { .. } => "membership_active",
            Error::NoMembership { .. } => "no_membership",
            Error::NoTiers => "no_tiers",
            Error::UnknownReward { .. } => "unknown_reward",
            Error::UnknownOrder { .. } => "unknown_order",
            Error::UnknownRedemption { .. } => "unknown_redemption",
            Error::RedemptionUsed { .. } => "redemption_used",
            Error::RedemptionCancelled { .. } => "redemption_cancelled",
            Error::RefundExceedsOrder { .. } => "refund_exceeds_order",
            Error::ClawbackExceedsBalance { .. } => "clawback_exceeds_balance",
            Error::InvalidPeriod { .. } => "invalid_period",
            Error::ReferralRefused { .. } => "referral_refused",
            Error::CodeTaken { .. } => "code_taken",
            Error::UnknownVoucher { .. } => "unknown_voucher",
            Error::VoucherUsed { .. } => "voucher_used",
            Error::VoucherForAnotherReward { .. } => "voucher_for_another_reward",
            Error::SelfTransfer { .. } => "self_transfer",
            Error::PointsOverflow(_) => "points_overflow",
            Error::Money(_) => "money",
            Error::AmountOutOfRange { .. } => "amount_out_of_range",
            Error::TimeOutOfRange { .. } => "time_out_of_range",
            Error::Inconsistent(_) => "inconsistent",
        }
    }
}

/// What a [`Reference`] names, in a [`Error::Conflict`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReferenceKind {
    /// An order.
    Order,
    /// A redemption.
    Redemption,
    /// A refund.
    Refund,
    /// An adjustment.
    Adjustment,
    /// A transfer.
    Transfer,
    /// A custom action.
    Action,
    /// A member's enrolment.
    Member,
    /// A membership's purchase, renewal or cancellation.
    Membership,
    /// A referral invitation.
    Invitation,
    /// A referral voucher.
    Voucher,
    /// A referral code.
    ReferralCode,
}

impl fmt::Display for ReferenceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReferenceKind::Order => "order",
            ReferenceKind::Redemption => "redemption",
            ReferenceKind::Refund => "refund",
            ReferenceKind::Adjustment => "adjustment",
            ReferenceKind::Transfer => "transfer",
            ReferenceKind::Action => "action",
            ReferenceKind::Member => "member",
            ReferenceKind::Membership => "membership",
            ReferenceKind::Invitation => "invitation",
            ReferenceKind::Voucher => "voucher",
            ReferenceKind::ReferralCode => "referral code",
        })
    }
}

/// Why an event could not be applied to the ledger.
///
/// Events the ledger decided always apply. A stored log that was edited,
/// truncated, reordered or mixed with another ledger's may not: the event is
/// refused and the ledger is left exactly as it was before it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApplyError {
    /// The event is for a member who has not enrolled.
    #[error("{member} is not enrolled")]
    UnknownMember {
        /// The member.
        member: MemberId,
    },
    /// An enrolment beyond the most members one ledger holds
    /// ([`MAX_MEMBERS`](crate::Ledger::MAX_MEMBERS)).
    #[error("{member} cannot enrol: the ledger holds its limit of {limit} members")]
    TooManyMembers {
        /// The member.
        member: MemberId,
        /// The limit.
        limit: u64,
    },
    /// A second enrolment of the same member.
    #[error("{member} is already enrolled")]
    AlreadyEnrolled {
        /// The member.
        member: MemberId,
    },
    /// The event is dated before the member's last event.
    #[error("{member}: event at {at} is before the last event at {last_event_at}")]
    OutOfOrder {
        /// The member.
        member: MemberId,
        /// The event's time.
        at: DateTime<Utc>,
        /// The member's last event time.
        last_event_at: DateTime<Utc>,
    },
    /// A draw from a lot that does not hold enough points.
    #[error("{member}: {lot} holds {held} points, cannot draw {drawn}")]
    LotShort {
        /// The member.
        member: MemberId,
        /// The lot.
        lot: LotId,
        /// Points it holds (0 when it does not exist).
        held: Points,
        /// Points the event draws.
        drawn: Points,
    },
    /// Settling or clawing back more pending points than the lot holds.
    #[error("{member}: pending {lot} holds {held} points, not {taken}")]
    PendingShort {
        /// The member.
        member: MemberId,
        /// The pending lot.
        lot: LotId,
        /// Points it holds (0 when it does not exist).
        held: Points,
        /// Points the event takes.
        taken: Points,
    },
    /// Repaying more debt than the member owes.
    #[error("{member}: repays {repaid} points of a {debt} point debt")]
    DebtShort {
        /// The member.
        member: MemberId,
        /// The member's debt.
        debt: Points,
        /// The repayment.
        repaid: Points,
    },
    /// The event's own figures disagree (parts that do not add up, a
    /// negative amount, ...).
    #[error("{member}: {event} is inconsistent: {problem}")]
    Malformed {
        /// The member.
        member: MemberId,
        /// The event type.
        event: &'static str,
        /// What does not add up.
        problem: &'static str,
    },
    /// The event refers to an order the member does not have.
    #[error("{member} has no order {order}")]
    UnknownOrder {
        /// The member.
        member: MemberId,
        /// The order.
        order: Reference,
    },
    /// The event refers to a redemption the member does not have.
    #[error("{member} has no redemption {redemption}")]
    UnknownRedemption {
        /// The member.
        member: MemberId,
        /// The redemption.
        redemption: Reference,
    },
    /// The event records a reference that was already recorded.
    #[error("{member}: {kind} {reference} is already recorded")]
    DuplicateReference {
        /// The member.
        member: MemberId,
        /// What the reference names.
        kind: ReferenceKind,
        /// The reference.
        reference: Reference,
    },
    /// A total overflowed.
    #[error(transparent)]
    Overflow(#[from] PointsOverflow),
    /// Money arithmetic failed.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// An event of a stored log that did not apply, and its position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event {index} of the log does not apply: {error}")]
#[non_exhaustive]
pub struct ReplayError {
    /// The event's position in the log, from 0.
    pub index: usize,
    /// Why it did not apply.
    pub error: ApplyError,
}
