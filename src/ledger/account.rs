//! One member's account: lots, pending points, debt, totals, records and
//! journal — and `apply`, which folds an event into them.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeDelta, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::draws::Draws;
use super::event::*;
use super::journal::{Entered, Filed, Journal, List, Lists, PostingView};
use super::keyed::Keyed;
use super::keyed::LazyKeyed;
use super::lots::{Lots, Near};
use super::orders::{Numbers, Orders, RareParts};
use super::pending::PendingLots;
use super::policy::DueRules;
use super::qualifying::{Contributes, Contribution, Qualifying};
use super::receipt::{AdjustmentReceipt, RedemptionReceipt};
use super::referrals::ReferralBook;
use super::times::{RewardsUsed, TimesBy};
use crate::calendar::{birthday_in, birthday_start, days_after, local_date, seconds_after};
use crate::{
    ActionId, ApplyError, Cart, Currency, DiscountTarget, Donation, EarnLine, EarnLines, EarnRate,
    EarnSource, Grant, MemberId, Money, Name, Points, PointsOverflow, Reference, ReferenceKind,
    ReferralCode, RewardId, Rounding, RuleId, TierId,
};

/// Where a lot sits in consumption order: soonest expiry first, lots that
/// never expire last, ties by lot id (oldest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct LotKey {
    never: bool,
    expires_at: Option<DateTime<Utc>>,
    lot: LotId,
}

impl LotKey {
    pub(crate) fn new(lot: LotId, expires_at: Option<DateTime<Utc>>) -> LotKey {
        LotKey {
            never: expires_at.is_none(),
            expires_at,
            lot,
        }
    }

    pub(crate) fn lot(&self) -> LotId {
        self.lot
    }

    pub(crate) fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.expires_at
    }
}

/// Points waiting to become spendable.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PendingLot {
    pub(crate) order: Reference,
    pub(crate) points: Points,
    pub(crate) available_at: Option<DateTime<Utc>>,
    pub(crate) expires_at: Option<DateTime<Utc>>,
}

/// A member's points figures.
///
/// `available + pending = earned − redeemed − expired − clawed_back +
/// adjusted + transferred_in − transferred_out` always holds.
///
/// # Example
///
/// ```
/// use loyalty::{Enroll, Ledger, Points, Program, Purchase};
///
/// let mut ledger = Ledger::new(serde_json::from_str::<Program>(r#"{"currency": "EUR"}"#)?);
/// let at = "2026-01-12T10:00:00Z".parse()?;
/// ledger.execute(Enroll::new("marta".parse()?, at))?;
/// ledger.execute(Purchase::new("marta".parse()?, "ORD-1".parse()?, "57.40 EUR".parse()?, at))?;
///
/// let balance = ledger.balance(&"marta".parse()?)?;
/// assert_eq!(balance.available, Points::new(57));
/// assert_eq!(balance.earned, Points::new(57));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Balance {
    /// Spendable now. Negative when clawbacks left a debt.
    pub available: Points,
    /// Earned, not yet spendable.
    pub pending: Points,
    /// Earned by purchases and bonuses, over the member's lifetime.
    pub earned: Points,
    /// The part of `earned` that came from bonuses (sign-up, birthday,
    /// actions).
    pub bonuses: Points,
    /// Spent on rewards, less what cancellations and refunds gave back.
    pub redeemed: Points,
    /// Expired.
    pub expired: Points,
    /// Taken back by refunds (a debt included; forgiven points excluded).
    pub clawed_back: Points,
    /// Manual credits less manual debits.
    pub adjusted: Points,
    /// Received from other members.
    pub transferred_in: Points,
    /// Sent to other members.
    pub transferred_out: Points,
}

impl Balance {
    /// The debt left by clawbacks: how far `available` is below zero.
    pub fn debt(&self) -> Points {
        Points::new(self.available.value().min(0).saturating_neg())
    }

    /// Folds one journal entry in.
    pub(crate) fn post(&mut self, entry: &PostingView) -> Result<(), PointsOverflow> {
        self.post_figures(entry.kind, entry.available, entry.pending)
    }

    /// Folds in an event's posting, as [`post`](Balance::post) folds in
    /// the journal entry it becomes, without reading its reference.
    pub(crate) fn post_posting(&mut self, posting: &Posting) -> Result<(), PointsOverflow> {
        self.post_figures(posting.kind, posting.available, posting.pending)
    }

    /// Folds in an entry of `kind` moving `available` and `pending`
    /// points: what [`post`](Balance::post) reads of an entry.
    fn post_figures(
        &mut self,
        kind: EntryKind,
        available: Points,
        pending: Points,
    ) -> Result<(), PointsOverflow> {
        let mut next = *self;
        next.available = next.available.checked_add(available)?;
        next.pending = next.pending.checked_add(pending)?;
        let both = available.checked_add(pending)?;
        match kind {
            EntryKind::Earned => next.earned = next.earned.checked_add(both)?,
            EntryKind::Bonus | EntryKind::Referral => {
                next.earned = next.earned.checked_add(both)?;
                next.bonuses = next.bonuses.checked_add(both)?;
            }
            EntryKind::Settled => {}
            EntryKind::Redeemed | EntryKind::RedemptionCancelled | EntryKind::Restored => {
                next.redeemed = next.redeemed.checked_sub(available)?
            }
            EntryKind::ClawedBack | EntryKind::ReferralReversed => {
                next.clawed_back = next.clawed_back.checked_sub(both)?
            }
            EntryKind::Expired => next.expired = next.expired.checked_sub(available)?,
            EntryKind::Adjusted => next.adjusted = next.adjusted.checked_add(available)?,
            EntryKind::TransferredIn => {
                next.transferred_in = next.transferred_in.checked_add(available)?
            }
            EntryKind::TransferredOut => {
                next.transferred_out = next.transferred_out.checked_sub(available)?
            }
        }
        *self = next;
        Ok(())
    }
}

/// What a statement line records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EntryKind {
    /// Points earned by a purchase (available or pending).
    Earned,
    /// A bonus: sign-up, birthday or an action.
    Bonus,
    /// Pending points became spendable.
    Settled,
    /// Points spent on a reward.
    Redeemed,
    /// A cancelled redemption's points came back.
    RedemptionCancelled,
    /// A refund gave back points spent on the order's discounts.
    Restored,
    /// A refund took back points the order earned.
    ClawedBack,
    /// Manual credit or debit.
    Adjusted,
    /// Received from another member.
    TransferredIn,
    /// Sent to another member.
    TransferredOut,
    /// Points expired.
    Expired,
    /// A referral's reward.
    Referral,
    /// A referral's reward taken back.
    ReferralReversed,
}

impl EntryKind {
    /// A short description for statements.
    pub fn describe(self) -> &'static str {
        match self {
            EntryKind::Earned => "earned",
            EntryKind::Bonus => "bonus",
            EntryKind::Settled => "became spendable",
            EntryKind::Redeemed => "redeemed",
            EntryKind::RedemptionCancelled => "redemption cancelled",
            EntryKind::Restored => "restored by refund",
            EntryKind::ClawedBack => "clawed back by refund",
            EntryKind::Adjusted => "adjusted",
            EntryKind::TransferredIn => "received",
            EntryKind::TransferredOut => "sent",
            EntryKind::Expired => "expired",
            EntryKind::Referral => "referral reward",
            EntryKind::ReferralReversed => "referral reversed",
        }
    }
}

/// One balance movement of the journal, as an event `'e` makes it: its
/// reference named, not copied (see [`Label`]), so that a posting is
/// plain data, made and dropped without touching a reference's text.
/// Folding each event in makes its postings and drops them: while a
/// posting held its own `Reference`, making one copied the event's and
/// dropping it asked whether it held a shared text, and the compiler's
/// choice whether to drop a command's postings in line or call out
/// (about 90 instructions of a purchase that settles the member's last
/// order) moved with code elsewhere in the crate.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Posting<'e> {
    pub(crate) at: DateTime<Utc>,
    pub(crate) kind: EntryKind,
    pub(crate) reference: Label<'e>,
    pub(crate) available: Points,
    pub(crate) pending: Points,
}

impl<'e> Posting<'e> {
    fn new(
        at: DateTime<Utc>,
        kind: EntryKind,
        reference: Option<&'e Reference>,
        available: Points,
        pending: Points,
    ) -> Posting<'e> {
        Posting {
            at,
            kind,
            reference: reference.map_or(Label::None, Label::Named),
            available,
            pending,
        }
    }
}

/// The reference of a [`Posting`]: the event's own, or the label a
/// bonus or a referral reward without one is journaled under, made when
/// it is read ([`Label::reference`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Label<'e> {
    /// None: an expiry's.
    None,
    /// The event's reference (an order's, a redemption's, a sign-up
    /// bonus's...).
    Named(&'e Reference),
    /// A birthday bonus's: `birthday {year}`.
    Birthday(i32),
    /// A referral reward without an order: `referral {referee}`.
    Referral(&'e MemberId),
}

impl Label<'_> {
    /// The reference, as the journal keeps and reads it (a birthday's or
    /// a referral's label made here; none when it is not a valid one).
    pub(crate) fn reference(self) -> Option<Reference> {
        match self {
            Label::None => None,
            Label::Named(reference) => Some(reference.clone()),
            Label::Birthday(year) => Reference::new(format!("birthday {year}")).ok(),
            Label::Referral(referee) => Reference::new(format!("referral {referee}")).ok(),
        }
    }
}

fn neg(points: Points) -> Result<Points, PointsOverflow> {
    points.checked_neg()
}

/// What `draws` took in all. Most take from one lot, read as it is: a
/// redemption's record reads its points this way (see
/// [`Redemption::points`]).
fn sum_draws(draws: &[LotDraw]) -> Result<Points, PointsOverflow> {
    match draws {
        [one] => Ok(one.points),
        draws => Points::checked_sum(draws.iter().map(|d| d.points)),
    }
}

fn sum_credits(credits: &[LotCredit]) -> Result<Points, PointsOverflow> {
    Points::checked_sum(credits.iter().map(|c| c.points))
}

/// The journal entries one event makes: none or one for every event but a
/// refund that gives points back, so the common event (a refund that
/// gives none back included) needs no allocation.
#[derive(Debug)]
pub(crate) enum Entries<'e> {
    None,
    One(Posting<'e>),
    Many(Vec<Posting<'e>>),
}

impl<'e> Entries<'e> {
    pub(crate) fn as_slice(&self) -> &[Posting<'e>] {
        match self {
            Entries::None => &[],
            Entries::One(p) => std::slice::from_ref(p),
            Entries::Many(ps) => ps,
        }
    }
}

/// The journal entries an event makes, in order.
pub(crate) fn postings(event: &Event) -> Result<Entries<'_>, PointsOverflow> {
    let zero = Points::ZERO;
    Ok(match event {
        Event::MemberEnrolled(_) => Entries::None,
        Event::PurchaseRecorded(e) => {
            let available = e.credit.map_or(zero, |c| c.points);
            let pending = e.pending.map_or(zero, |p| p.points);
            Entries::One(Posting::new(
                e.at,
                EntryKind::Earned,
                Some(&e.order),
                available,
                pending,
            ))
        }
        Event::OrderConfirmed(e) => match e.credit {
            Some(c) => Entries::One(Posting::new(
                e.at,
                EntryKind::Settled,
                Some(&e.order),
                c.points,
                neg(c.points)?,
            )),
            None => Entries::None,
        },
        Event::PointsSettled(e) => Entries::One(Posting::new(
            e.at,
            EntryKind::Settled,
            Some(&e.order),
            e.credit.points,
            neg(e.credit.points)?,
        )),
        Event::RewardRedeemed(e) => Entries::One(Posting::new(
            e.at,
            EntryKind::Redeemed,
            Some(&e.redemption),
            neg(e.points)?,
            zero,
        )),
        Event::RedemptionCancelled(e) => Entries::One(Posting::new(
            e.at,
            EntryKind::RedemptionCancelled,
            Some(&e.redemption),
            e.points,
            zero,
        )),
        Event::OrderRefunded(e) => {
            let c = &e.clawback;
            let from_available = sum_draws(&c.draws)?.checked_add(c.debt)?;
            let from_pending = c.from_pending.map_or(zero, |d| d.points);
            let clawed_back = Posting::new(
                e.at,
                EntryKind::ClawedBack,
                Some(&e.refund),
                neg(from_available)?,
                neg(from_pending)?,
            );
            // Most refunds give no points back: their one entry needs no
            // list.
            if e.restored.is_empty() {
                return Ok(Entries::One(clawed_back));
            }
            let mut out = Vec::with_capacity(e.restored.len().saturating_add(1));
            for r in &e.restored {
                out.push(Posting::new(
                    e.at,
                    EntryKind::Restored,
                    Some(&e.refund),
                    r.points,
                    zero,
                ));
            }
            out.push(clawed_back);
            Entries::Many(out)
        }
        Event::PointsAdjusted(e) => Entries::One(Posting::new(
            e.at,
            EntryKind::Adjusted,
            Some(&e.adjustment),
            e.points,
            zero,
        )),
        Event::PointsTransferredOut(e) => Entries::One(Posting::new(
            e.at,
            EntryKind::TransferredOut,
            Some(&e.transfer),
            neg(e.points)?,
            zero,
        )),
        Event::PointsTransferredIn(e) => Entries::One(Posting::new(
            e.at,
            EntryKind::TransferredIn,
            Some(&e.transfer),
            e.points,
            zero,
        )),
        Event::PointsExpired(e) => Entries::One(Posting::new(
            e.at,
            EntryKind::Expired,
            None,
            neg(e.points)?,
            zero,
        )),
        Event::BonusAwarded(e) => {
            let label = match &e.bonus {
                BonusKind::Action { reference, .. } => Label::Named(reference),
                BonusKind::SignUp => Label::Named(&crate::id::SIGN_UP),
                BonusKind::Birthday { year } => Label::Birthday(*year),
            };
            Entries::One(Posting {
                at: e.at,
                kind: EntryKind::Bonus,
                reference: label,
                available: e.points,
                pending: zero,
            })
        }
        Event::ReferralRewarded(e) => match e.credit {
            Some(c) => Entries::One(Posting {
                at: e.at,
                kind: EntryKind::Referral,
                reference: e
                    .order
                    .as_ref()
                    .map_or(Label::Referral(&e.referee), Label::Named),
                available: c.points,
                pending: zero,
            }),
            None => Entries::None,
        },
        Event::ReferralReversed(e) => {
            let taken = sum_draws(&e.draws)?.checked_add(e.debt)?;
            if taken.is_zero() {
                Entries::None
            } else {
                Entries::One(Posting::new(
                    e.at,
                    EntryKind::ReferralReversed,
                    Some(&e.order),
                    neg(taken)?,
                    zero,
                ))
            }
        }
        Event::TierChanged(_)
        | Event::TierReviewed(_)
        | Event::MembershipStarted(_)
        | Event::MembershipRenewed(_)
        | Event::MembershipEnded(_)
        | Event::ReferralCodeIssued(_)
        | Event::FingerprintsRecorded(_)
        | Event::ReferralInvited(_)
        | Event::ReferralLinked(_)
        | Event::ReferralJoined(_)
        | Event::ReferralQualified(_)
        | Event::ReferralWithheld(_) => Entries::None,
    })
}

/// Whether an event counts as activity for inactivity expiry.
pub(crate) fn is_activity(event: &Event) -> bool {
    match event {
        Event::MemberEnrolled(_)
        | Event::PurchaseRecorded(_)
        | Event::PointsSettled(_)
        | Event::RewardRedeemed(_)
        | Event::RedemptionCancelled(_)
        | Event::PointsTransferredOut(_)
        | Event::PointsTransferredIn(_) => true,
        Event::OrderConfirmed(e) => e.credit.is_some(),
        Event::OrderRefunded(e) => !e.restored.is_empty(),
        Event::PointsAdjusted(e) => e.points.is_positive(),
        Event::BonusAwarded(e) => e.credit.is_some(),
        Event::MembershipStarted(_) => true,
        Event::MembershipRenewed(e) => e.reference.is_some(),
        Event::ReferralRewarded(e) => e.credit.is_some(),
        Event::TierChanged(_)
        | Event::TierReviewed(_)
        | Event::MembershipEnded(_)
        | Event::ReferralCodeIssued(_)
        | Event::FingerprintsRecorded(_)
        | Event::ReferralInvited(_)
        | Event::ReferralLinked(_)
        | Event::ReferralJoined(_)
        | Event::ReferralQualified(_)
        | Event::ReferralWithheld(_)
        | Event::ReferralReversed(_) => false,
        Event::PointsExpired(_) => false,
    }
}

/// The balance-carrying part of an account: everything a decision needs to
/// see change as it plans a command's events. Small: it holds live lots
/// only, never history.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Wallet {
    pub(crate) lots: Lots,
    pub(crate) pending: PendingLots,
    pub(crate) debt: Points,
    pub(crate) next_lot: u64,
    /// How many of `lots` have an expiry date: when none has, what falls
    /// due next is known without walking to the first lot.
    pub(crate) expiring_lots: usize,
    pub(crate) last_event_at: DateTime<Utc>,
    pub(crate) last_activity_at: DateTime<Utc>,
    pub(crate) balance: Balance,
    /// When the member enrolled, and their birth date if given.
    pub(crate) enrolled_at: DateTime<Utc>,
    pub(crate) birth_date: Option<NaiveDate>,
    /// The last year a birthday bonus was granted.
    pub(crate) last_birthday: Option<i32>,
    /// The member's qualified tier, when they have one.
    pub(crate) tier: Option<Box<TierState>>,
    /// The member's paid membership, while active.
    pub(crate) membership: Option<Box<ActiveMembership>>,
}

/// A member's qualified tier and its review dates.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct TierState {
    pub(crate) tier: TierId,
    pub(crate) since: DateTime<Utc>,
    /// The next review: the tier is secured until then.
    pub(crate) review_at: Option<DateTime<Utc>>,
    /// After a failed review, when the downgrade falls due.
    pub(crate) grace_until: Option<DateTime<Utc>>,
}

impl TierState {
    /// When this tier next falls due for a review (or its grace ends).
    pub(crate) fn due(&self) -> Option<DateTime<Utc>> {
        self.grace_until.or(self.review_at)
    }
}

/// An active paid membership.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ActiveMembership {
    pub(crate) id: RuleId,
    pub(crate) tier: TierId,
    /// The start of the current term.
    pub(crate) term_start: DateTime<Utc>,
    pub(crate) ends_at: DateTime<Utc>,
    /// The order recording the current term's fee, when it earns.
    pub(crate) fee_order: Option<Reference>,
}

/// The credit of an event that makes a whole pending lot spendable (a
/// settlement, or a confirmation that credits points), which
/// [`Wallet::apply`] and [`Wallet::fits`] fold in and check the short way.
fn settling_credit(event: &Event) -> Option<&LotCredit> {
    match event {
        Event::PointsSettled(PointsSettled { credit, .. })
        | Event::OrderConfirmed(OrderConfirmed {
            credit: Some(credit),
            ..
        }) => Some(credit),
        _ => None,
    }
}

/// The purchase that [`Wallet::apply`] and [`Wallet::fits`] fold in and
/// check the short way: one whose points are credited to one lot without
/// repaying debt, or held pending, or none earned (a purchase with both a
/// credit and pending points is malformed, and refused there as checking
/// refuses it).
fn short_purchase(event: &Event) -> Option<&PurchaseRecorded> {
    match event {
        Event::PurchaseRecorded(purchase)
            if purchase.credit.is_none_or(|c| c.debt_repaid.is_zero()) =>
        {
            Some(purchase)
        }
        _ => None,
    }
}

/// The draws of an event that only draws from lots, which
/// [`Wallet::apply`] and [`Wallet::fits`] fold in and check the short way:
/// a redemption, a transfer out, an expiry, or a refund that only claws
/// points back from lots (none given back, none from pending points,
/// none as debt). Each credits no lot, takes or holds no pending points,
/// and repays or incurs no debt.
fn drawing_only(event: &Event) -> Option<&[LotDraw]> {
    match event {
        Event::RewardRedeemed(e) => Some(&e.draws),
        Event::PointsTransferredOut(e) => Some(&e.draws),
        Event::PointsExpired(e) => Some(&e.draws),
        Event::OrderRefunded(e)
            if e.restored.is_empty()
                && e.clawback.from_pending.is_none()
                && e.clawback.debt.is_zero() =>
        {
            Some(&e.clawback.draws)
        }
        _ => None,
    }
}

/// What [`Wallet::check_settling`] found a settlement will do: the
/// figures after it and the points it adds to its lot.
struct Settling {
    debt: Points,
    balance: Balance,
    next_lot: u64,
    add: Points,
}

/// What [`Wallet::check`] found an event will do: the figures after it and
/// the points it draws from each lot.
pub(crate) struct Checked<'e> {
    movement: Movement<'e>,
    debt: Points,
    balance: Balance,
    next_lot: u64,
    needs: Needs,
}

/// The points an event draws from each lot, each lot once.
enum Needs {
    /// The event's draws name each lot once, in consumption order, as
    /// every planned event's do: they are the needs as listed, with
    /// nothing to gather (and nothing to allocate).
    AsListed,
    /// Draws that name a lot twice or out of order (a hand-written log),
    /// gathered by lot. Boxed, rare as it is, so that the needs take a
    /// word in every check's result.
    #[allow(clippy::box_collection)]
    Gathered(Box<BTreeMap<LotKey, Points>>),
}

impl Needs {
    #[inline(always)]
    fn of(draws: &[LotDraw]) -> Result<Needs, PointsOverflow> {
        // No draws, the common case, without walking the list.
        if draws.is_empty() {
            return Ok(Needs::AsListed);
        }
        let mut keys = draws.iter().map(draw_key);
        let mut last = keys.next();
        for key in keys {
            if last.is_some_and(|last| key <= last) {
                return Needs::gather(draws);
            }
            last = Some(key);
        }
        Ok(Needs::AsListed)
    }

    fn gather(draws: &[LotDraw]) -> Result<Needs, PointsOverflow> {
        let mut gathered: BTreeMap<LotKey, Points> = BTreeMap::new();
        for d in draws.iter() {
            let need = gathered.entry(draw_key(d)).or_insert(Points::ZERO);
            *need = need.checked_add(d.points)?;
        }
        Ok(Needs::Gathered(Box::new(gathered)))
    }

    /// Calls `each` with each lot drawn from and the points drawn, in
    /// consumption order, stopping at its first error; `draws` are the
    /// ones these needs were worked out from.
    #[inline(always)]
    fn try_each<E>(
        &self,
        draws: &[LotDraw],
        mut each: impl FnMut(LotKey, Points) -> Result<(), E>,
    ) -> Result<(), E> {
        match self {
            Needs::AsListed if draws.is_empty() => {}
            Needs::AsListed => {
                for d in draws.iter() {
                    each(draw_key(d), d.points)?;
                }
            }
            Needs::Gathered(needs) => {
                for (key, need) in needs.iter() {
                    each(*key, *need)?;
                }
            }
        }
        Ok(())
    }

    /// The points drawn from `key`.
    fn of_lot(&self, draws: &[LotDraw], key: LotKey) -> Points {
        match self {
            Needs::AsListed => draws
                .iter()
                .find(|d| draw_key(d) == key)
                .map_or(Points::ZERO, |d| d.points),
            Needs::Gathered(needs) => needs.get(&key).copied().unwrap_or(Points::ZERO),
        }
    }
}

fn draw_key(draw: &LotDraw) -> LotKey {
    LotKey::new(draw.lot, draw.expires_at)
}

/// An event's effect on lots, pending points and debt, taken apart so it can
/// be checked whole before anything changes.
struct Movement<'e> {
    pending_add: Option<(&'e PendingCredit, &'e Reference)>,
    pending_take: Option<(LotId, Points, bool)>,
    credits: Refs<'e, LotCredit>,
    /// The lots drawn from: every event that draws lists its draws in one
    /// list.
    draws: &'e [LotDraw],
    debt_incurred: Points,
}

/// References to an event's credits, which a refund gathers from each
/// redemption it restores: the first two held in place, so the common
/// event (one credit or two) is checked without an allocation.
struct Refs<'e, T> {
    first: [Option<&'e T>; 2],
    more: Vec<&'e T>,
}

impl<'e, T> Refs<'e, T> {
    fn new() -> Refs<'e, T> {
        Refs {
            first: [None, None],
            more: Vec::new(),
        }
    }

    fn push(&mut self, item: &'e T) {
        match self.first.iter_mut().find(|slot| slot.is_none()) {
            Some(slot) => *slot = Some(item),
            None => self.more.push(item),
        }
    }

    fn extend(&mut self, items: impl IntoIterator<Item = &'e T>) {
        for item in items {
            self.push(item);
        }
    }

    /// Whether it holds none (the first slot is filled first).
    fn is_empty(&self) -> bool {
        self.first[0].is_none()
    }

    fn iter(&self) -> impl Iterator<Item = &'e T> + '_ {
        self.first
            .iter()
            .flatten()
            .copied()
            .chain(self.more.iter().copied())
    }
}

impl<'e> Movement<'e> {
    fn of(event: &'e Event) -> Movement<'e> {
        let mut m = Movement {
            pending_add: None,
            pending_take: None,
            credits: Refs::new(),
            draws: &[],
            debt_incurred: Points::ZERO,
        };
        match event {
            Event::MemberEnrolled(_) => {}
            Event::PurchaseRecorded(e) => {
                m.credits.extend(e.credit.as_ref());
                m.pending_add = e.pending.as_ref().map(|p| (p, &e.order));
            }
            Event::OrderConfirmed(e) => {
                if let Some(c) = &e.credit {
                    m.pending_take = Some((c.lot, c.points, true));
                    m.credits.push(c);
                }
            }
            Event::PointsSettled(e) => {
                m.pending_take = Some((e.credit.lot, e.credit.points, true));
                m.credits.push(&e.credit);
            }
            Event::RewardRedeemed(e) => m.draws = &e.draws,
            Event::RedemptionCancelled(e) => m.credits.extend(&e.credits),
            Event::OrderRefunded(e) => {
                for r in &e.restored {
                    m.credits.extend(&r.credits);
                }
                m.draws = &e.clawback.draws;
                m.debt_incurred = e.clawback.debt;
                m.pending_take = e.clawback.from_pending.map(|d| (d.lot, d.points, false));
            }
            Event::PointsAdjusted(e) => {
                m.credits.extend(e.credit.as_ref());
                m.draws = &e.draws;
            }
            Event::PointsTransferredOut(e) => m.draws = &e.draws,
            Event::PointsTransferredIn(e) => m.credits.extend(&e.credits),
            Event::PointsExpired(e) => m.draws = &e.draws,
            Event::BonusAwarded(e) => m.credits.extend(e.credit.as_ref()),
            Event::ReferralRewarded(e) => m.credits.extend(e.credit.as_ref()),
            Event::ReferralReversed(e) => {
                m.draws = &e.draws;
                m.debt_incurred = e.debt;
            }
            Event::TierChanged(_)
            | Event::TierReviewed(_)
            | Event::MembershipStarted(_)
            | Event::MembershipRenewed(_)
            | Event::MembershipEnded(_)
            | Event::ReferralCodeIssued(_)
            | Event::FingerprintsRecorded(_)
            | Event::ReferralInvited(_)
            | Event::ReferralLinked(_)
            | Event::ReferralJoined(_)
            | Event::ReferralQualified(_)
            | Event::ReferralWithheld(_) => {}
        }
        m
    }
}

impl Wallet {
    /// Makes this wallet a copy of `source`, in the room its lists have:
    /// what a decision does with the ledger's spare wallet when time
    /// brought something due before the command's own event (see
    /// [`Draft`](super::decide::Draft)). A `clone` allocates the lots'
    /// queue and the pending lots' list afresh, and dropping the copy
    /// frees them: under points pending a day, about a thousand
    /// instructions of a purchase that settles the member's previous
    /// order.
    pub(crate) fn copy_from(&mut self, source: &Wallet) {
        let Wallet {
            lots,
            pending,
            debt,
            next_lot,
            expiring_lots,
            last_event_at,
            last_activity_at,
            balance,
            enrolled_at,
            birth_date,
            last_birthday,
            tier,
            membership,
        } = source;
        self.lots.copy_from(lots);
        self.pending.copy_from(pending);
        self.debt = *debt;
        self.next_lot = *next_lot;
        self.expiring_lots = *expiring_lots;
        self.last_event_at = *last_event_at;
        self.last_activity_at = *last_activity_at;
        self.balance = *balance;
        self.enrolled_at = *enrolled_at;
        self.birth_date = *birth_date;
        self.last_birthday = *last_birthday;
        self.tier.clone_from(tier);
        self.membership.clone_from(membership);
    }

    fn new(enrolled: &MemberEnrolled) -> Wallet {
        Wallet {
            lots: Lots::default(),
            pending: PendingLots::default(),
            debt: Points::ZERO,
            next_lot: 1,
            expiring_lots: 0,
            last_event_at: enrolled.at,
            last_activity_at: enrolled.at,
            balance: Balance::default(),
            enrolled_at: enrolled.at,
            birth_date: enrolled.birth_date,
            last_birthday: None,
            tier: None,
            membership: None,
        }
    }

    /// The next birthday to grant and when it falls due (local midnight
    /// starting it): the first on or after the enrolment day, then each
    /// year after the last granted.
    pub(crate) fn next_birthday(&self, offset: FixedOffset) -> Option<(i32, DateTime<Utc>)> {
        let birth = self.birth_date?;
        let year = match self.last_birthday {
            Some(last) => last.checked_add(1)?,
            None => {
                let joined = local_date(self.enrolled_at, offset);
                if birthday_in(birth, joined.year())? >= joined {
                    joined.year()
                } else {
                    joined.year().checked_add(1)?
                }
            }
        };
        Some((year, birthday_start(birth, year, offset)?))
    }

    /// Whether `at` falls in the member's birthday month, in `offset`.
    pub(crate) fn in_birthday_month(&self, at: DateTime<Utc>, offset: FixedOffset) -> bool {
        self.birth_date
            .is_some_and(|b| b.month() == local_date(at, offset).month())
    }

    /// The id the next new lot gets.
    pub(crate) fn next_lot_id(&self) -> LotId {
        LotId::new(self.next_lot)
    }

    /// Available points: lots less debt.
    pub(crate) fn available(&self) -> Points {
        self.balance.available
    }

    /// Folds an event's balance effects in (its journal entries are
    /// `entries`, from [`postings`]), or changes nothing and says why.
    pub(crate) fn apply(&mut self, event: &Event, entries: &[Posting]) -> Result<(), ApplyError> {
        if let Some(purchase) = short_purchase(event) {
            return self.apply_purchase(event, purchase, entries);
        }
        if let Some(credit) = settling_credit(event) {
            return self.apply_settling(event, credit, entries);
        }
        if let Some(draws) = drawing_only(event) {
            return self.apply_drawing(event, draws, entries);
        }
        let checked = self.check(event, entries)?;
        self.commit(event, checked);
        Ok(())
    }

    /// Whether an event fits the wallet, as [`apply`](Wallet::apply)
    /// would find, without changing it: a command's last event is only
    /// checked against the decision's wallet. A purchase, a settlement, a
    /// crediting confirmation or an event that only draws from lots (see
    /// [`drawing_only`]) is checked the short way.
    pub(crate) fn fits(&self, event: &Event, entries: &[Posting]) -> Result<(), ApplyError> {
        if let Some(purchase) = short_purchase(event) {
            return self
                .check_purchase(event, purchase, purchase.pending.as_ref(), entries)
                .map(drop);
        }
        if let Some(credit) = settling_credit(event) {
            return self.check_settling(event, credit, entries).map(drop);
        }
        match drawing_only(event) {
            Some(draws) => self.check_drawing(event, draws, entries).map(drop),
            None => self.check(event, entries).map(drop),
        }
    }

    /// Folds in an event that only draws from lots (see
    /// [`drawing_only`]): what [`check`](Wallet::check) and
    /// [`commit`](Wallet::commit) do for it, in the same order and with
    /// the same errors, without taking the event apart into a
    /// [`Movement`] and walking the credits, pending lots and debt it
    /// cannot have. A change to what checking or committing does for
    /// these events is made here too; the test
    /// `a_drawing_event_folds_in_as_checking_and_committing_it_would`
    /// folds them both ways and compares.
    fn apply_drawing(
        &mut self,
        event: &Event,
        draws: &[LotDraw],
        entries: &[Posting],
    ) -> Result<(), ApplyError> {
        let (needs, balance) = self.check_drawing(event, draws, entries)?;
        self.take_drawn(&needs, draws);
        self.balance = balance;
        let at = event.at();
        self.last_event_at = at;
        if is_activity(event) {
            self.last_activity_at = at;
        }
        Ok(())
    }

    /// What [`apply_drawing`](Wallet::apply_drawing) checks, without
    /// changing the wallet: the points drawn from each lot and the
    /// balance after. Inlined into its callers, as
    /// [`check_settling`](Wallet::check_settling) is.
    #[inline(always)]
    fn check_drawing(
        &self,
        event: &Event,
        draws: &[LotDraw],
        entries: &[Posting],
    ) -> Result<(Needs, Balance), ApplyError> {
        self.check_arrival(event, || event.member(), event.at())?;
        // No debt is repaid: checking finds one only when the wallet's
        // is below none, which folding in never leaves.
        if self.debt.is_negative() {
            return Err(ApplyError::DebtShort {
                member: event.member().clone(),
                debt: self.debt,
                repaid: Points::ZERO,
            });
        }
        let needs = Needs::of(draws)?;
        let mut near = Near::default();
        needs.try_each(draws, |key, need| {
            let held = self.lots.get_near(&key, &mut near).unwrap_or(Points::ZERO);
            if need > held {
                return Err(ApplyError::LotShort {
                    member: event.member().clone(),
                    lot: key.lot,
                    held,
                    drawn: need,
                });
            }
            Ok(())
        })?;
        let mut balance = self.balance;
        for entry in entries {
            balance.post_posting(entry)?;
        }
        Ok((needs, balance))
    }

    /// Takes each lot's `needs` (worked out from `draws`) from the lots,
    /// which hold them: what committing an event does with its draws.
    #[inline(always)]
    fn take_drawn(&mut self, needs: &Needs, draws: &[LotDraw]) {
        let Ok(()) = needs.try_each(draws, |key, need| -> Result<(), Infallible> {
            if self
                .lots
                .take(&key, need)
                .is_some_and(|left| !left.is_positive())
                && key.expires_at.is_some()
            {
                self.expiring_lots = self.expiring_lots.saturating_sub(1);
            }
            Ok(())
        });
    }

    /// Folds in an event that makes a whole pending lot spendable as
    /// `credit` (a settlement, or a confirmation that credits points):
    /// what [`check`](Wallet::check) and [`commit`](Wallet::commit) do
    /// for it, in the same order and with the same errors, without taking
    /// the event apart into a [`Movement`] first. Such an event takes its
    /// pending lot whole, credits one lot, may repay debt, draws from no
    /// lot and incurs no debt. A decision that settles orders folds each
    /// settlement into its copy of the wallet, and applying folds it
    /// again. A change to what checking or committing does for these
    /// events is made here too; the test
    /// `a_settlement_folds_in_as_checking_and_committing_it_would`
    /// folds them both ways and compares.
    fn apply_settling(
        &mut self,
        event: &Event,
        credit: &LotCredit,
        entries: &[Posting],
    ) -> Result<(), ApplyError> {
        let Settling {
            debt,
            balance,
            next_lot,
            add,
        } = self.check_settling(event, credit, entries)?;
        let key = LotKey::new(credit.lot, credit.expires_at);
        self.pending.remove(&credit.lot);
        if add.is_positive() && self.lots.add(key, add) && key.expires_at.is_some() {
            self.expiring_lots = self.expiring_lots.saturating_add(1);
        }
        self.debt = debt;
        self.balance = balance;
        self.next_lot = next_lot;
        let at = event.at();
        self.last_event_at = at;
        self.last_activity_at = at;
        Ok(())
    }

    /// What [`apply_settling`](Wallet::apply_settling) checks, without
    /// changing the wallet: the figures after the event. Inlined into its
    /// two callers: apart, its figures were copied out and in again, and
    /// a settling purchase took 200 instructions more.
    #[inline(always)]
    fn check_settling(
        &self,
        event: &Event,
        credit: &LotCredit,
        entries: &[Posting],
    ) -> Result<Settling, ApplyError> {
        let member = || event.member().clone();
        self.check_arrival(event, || event.member(), event.at())?;
        let (lot, taken) = (credit.lot, credit.points);
        let held = self.pending.get(&lot).map_or(Points::ZERO, |p| p.points);
        if taken != held || !taken.is_positive() {
            return Err(ApplyError::PendingShort {
                member: member(),
                lot,
                held,
                taken,
            });
        }
        let repaid = credit.debt_repaid;
        if repaid > self.debt {
            return Err(ApplyError::DebtShort {
                member: member(),
                debt: self.debt,
                repaid,
            });
        }
        let debt = self.debt.checked_sub(repaid)?;
        let mut balance = self.balance;
        for entry in entries {
            balance.post_posting(entry)?;
        }
        let next_lot = self.next_lot.max(lot.number().saturating_add(1));
        let key = LotKey::new(lot, credit.expires_at);
        // A lot numbered past every lot so far holds nothing yet.
        let lot_held = if lot.number() >= self.next_lot {
            Points::ZERO
        } else {
            self.lots.get(&key).unwrap_or(Points::ZERO)
        };
        let add = taken.checked_sub(repaid)?;
        lot_held.checked_add(add)?;
        Ok(Settling {
            debt,
            balance,
            next_lot,
            add,
        })
    }

    /// Folds in the common purchase: its points credited to one lot
    /// without repaying debt, or held pending until the order settles, or
    /// none earned (see [`short_purchase`]). What [`check`](Wallet::check)
    /// and [`commit`](Wallet::commit) do for it, in the same order and
    /// with the same errors, without taking the event apart into a
    /// [`Movement`] first: a purchase draws from no lot, repays and
    /// incurs no debt, and takes from no pending lot. A change to what
    /// checking or committing does for a purchase is made here too; the
    /// test `a_common_purchase_folds_in_as_checking_and_committing_it_would`
    /// folds purchases both ways and compares.
    fn apply_purchase(
        &mut self,
        event: &Event,
        purchase: &PurchaseRecorded,
        entries: &[Posting],
    ) -> Result<(), ApplyError> {
        // Apart, so that the common purchase, with nothing pending, is
        // checked without looking for a pending lot.
        let Some(pending) = &purchase.pending else {
            let (balance, next_lot) = self.check_purchase(event, purchase, None, entries)?;
            self.commit_purchase(purchase, balance, next_lot);
            return Ok(());
        };
        let (balance, next_lot) = self.check_purchase(event, purchase, Some(pending), entries)?;
        self.pending.insert(
            pending.lot,
            PendingLot {
                order: purchase.order.clone(),
                points: pending.points,
                available_at: pending.available_at,
                expires_at: pending.expires_at,
            },
        );
        self.commit_purchase(purchase, balance, next_lot);
        Ok(())
    }

    /// What [`apply_purchase`](Wallet::apply_purchase) changes besides
    /// the pending lots, once checked.
    #[inline(always)]
    fn commit_purchase(&mut self, purchase: &PurchaseRecorded, balance: Balance, next_lot: u64) {
        if let Some(credit) = &purchase.credit {
            let key = LotKey::new(credit.lot, credit.expires_at);
            if credit.points.is_positive()
                && self.lots.add(key, credit.points)
                && key.expires_at.is_some()
            {
                self.expiring_lots = self.expiring_lots.saturating_add(1);
            }
        }
        self.balance = balance;
        self.next_lot = next_lot;
        let at = purchase.at;
        self.last_event_at = at;
        self.last_activity_at = at;
    }

    /// What [`apply_purchase`](Wallet::apply_purchase) checks, without
    /// changing the wallet: the balance and the next lot's number after
    /// the purchase, whose `pending` points are its own (given apart, so
    /// that a caller that knows there are none checks for none). Inlined
    /// into its callers, as [`check_settling`](Wallet::check_settling) is.
    #[inline(always)]
    fn check_purchase(
        &self,
        event: &Event,
        purchase: &PurchaseRecorded,
        pending: Option<&PendingCredit>,
        entries: &[Posting],
    ) -> Result<(Balance, u64), ApplyError> {
        self.check_arrival(event, || &purchase.member, purchase.at)?;
        let malformed = |problem| ApplyError::Malformed {
            member: purchase.member.clone(),
            event: event.kind(),
            problem,
        };
        let mut next_lot = self.next_lot;
        if let Some(p) = pending {
            if self.pending.contains_key(&p.lot) || !p.points.is_positive() {
                return Err(malformed(
                    "a pending lot that exists already or holds no points",
                ));
            }
            next_lot = next_lot.max(p.lot.number().saturating_add(1));
        }
        let mut balance = self.balance;
        for entry in entries {
            balance.post_posting(entry)?;
        }
        if let Some(credit) = &purchase.credit {
            // A lot numbered past every lot so far holds nothing yet.
            if credit.lot.number() < self.next_lot {
                let key = LotKey::new(credit.lot, credit.expires_at);
                let held = self.lots.get(&key).unwrap_or(Points::ZERO);
                held.checked_add(credit.points)?;
            }
            next_lot = next_lot.max(credit.lot.number().saturating_add(1));
        }
        Ok((balance, next_lot))
    }

    /// What every way of folding an event in checks first: that `event`,
    /// by the `member` named (asked only for an error) at `at` (its own,
    /// given apart where the caller holds them at hand), comes no earlier than the wallet's last event, and
    /// that its own figures add up.
    #[inline(always)]
    fn check_arrival<'e>(
        &self,
        event: &'e Event,
        member: impl Fn() -> &'e MemberId,
        at: DateTime<Utc>,
    ) -> Result<(), ApplyError> {
        if at < self.last_event_at {
            return Err(ApplyError::OutOfOrder {
                member: member().clone(),
                at,
                last_event_at: self.last_event_at,
            });
        }
        check_figures(event).map_err(|problem| ApplyError::Malformed {
            member: member().clone(),
            event: event.kind(),
            problem,
        })
    }

    /// Checks that an event fits the wallet, without changing it: what
    /// [`Wallet::commit`] needs to fold it in.
    pub(crate) fn check<'e>(
        &self,
        event: &'e Event,
        entries: &[Posting],
    ) -> Result<Checked<'e>, ApplyError> {
        let member = event.member();
        let at = event.at();
        self.check_arrival(event, || member, at)?;
        let malformed = |problem| ApplyError::Malformed {
            member: member.clone(),
            event: event.kind(),
            problem,
        };
        let movement = Movement::of(event);

        // Pending points.
        if let Some((lot, taken, whole)) = movement.pending_take {
            let held = self.pending.get(&lot).map_or(Points::ZERO, |p| p.points);
            if taken > held || (whole && taken != held) || !taken.is_positive() {
                return Err(ApplyError::PendingShort {
                    member: member.clone(),
                    lot,
                    held,
                    taken,
                });
            }
        }
        if let Some((p, _)) = movement.pending_add
            && (self.pending.contains_key(&p.lot) || !p.points.is_positive())
        {
            return Err(malformed(
                "a pending lot that exists already or holds no points",
            ));
        }

        // Debt.
        let repaid = Points::checked_sum(movement.credits.iter().map(|c| c.debt_repaid))?;
        if repaid > self.debt {
            return Err(ApplyError::DebtShort {
                member: member.clone(),
                debt: self.debt,
                repaid,
            });
        }
        let debt = self
            .debt
            .checked_sub(repaid)?
            .checked_add(movement.debt_incurred)?;

        // Lots: every draw must be covered by what the lot holds after the
        // event's credits.
        let needs = Needs::of(movement.draws)?;
        let mut near = Near::default();
        needs.try_each(movement.draws, |key, need| {
            let mut held = self.lots.get_near(&key, &mut near).unwrap_or(Points::ZERO);
            // Most events that draw credit nothing: a redemption's draws
            // skip the walk over no credits.
            if !movement.credits.is_empty() {
                for c in movement
                    .credits
                    .iter()
                    .filter(|c| LotKey::new(c.lot, c.expires_at) == key)
                {
                    held = held.checked_add(c.points.checked_sub(c.debt_repaid)?)?;
                }
            }
            if need > held {
                return Err(ApplyError::LotShort {
                    member: member.clone(),
                    lot: key.lot,
                    held,
                    drawn: need,
                });
            }
            Ok(())
        })?;

        // A debt is only incurred once no live lot holds points: the lots
        // left may only be ones that expire by now (restored into a lot
        // that has meanwhile expired; the next event expires them).
        if movement.debt_incurred.is_positive() {
            let live = |key: &LotKey| key.expires_at.is_none_or(|t| t > at);
            let mut touched: Vec<LotKey> =
                self.lots.iter().map(|(key, _)| key).filter(live).collect();
            touched.extend(
                movement
                    .credits
                    .iter()
                    .map(|c| LotKey::new(c.lot, c.expires_at))
                    .filter(live),
            );
            for key in touched {
                let mut held = self.lots.get(&key).unwrap_or(Points::ZERO);
                for c in movement
                    .credits
                    .iter()
                    .filter(|c| LotKey::new(c.lot, c.expires_at) == key)
                {
                    held = held.checked_add(c.points.checked_sub(c.debt_repaid)?)?;
                }
                held = held.checked_sub(needs.of_lot(movement.draws, key))?;
                if held.is_positive() {
                    return Err(malformed("a debt while live lots still hold points"));
                }
            }
        }

        // Totals.
        let mut balance = self.balance;
        for entry in entries {
            balance.post_posting(entry)?;
        }
        let mut next_lot = self.next_lot;
        for c in movement.credits.iter() {
            next_lot = next_lot.max(c.lot.number().saturating_add(1));
        }
        if let Some((p, _)) = movement.pending_add {
            next_lot = next_lot.max(p.lot.number().saturating_add(1));
        }
        for c in movement.credits.iter() {
            // A lot numbered past every lot so far holds nothing yet: the
            // common credit, a purchase's new lot, needs no lookup.
            let held = if c.lot.number() >= self.next_lot {
                Points::ZERO
            } else {
                self.lots
                    .get(&LotKey::new(c.lot, c.expires_at))
                    .unwrap_or(Points::ZERO)
            };
            held.checked_add(c.points.checked_sub(c.debt_repaid)?)?;
        }

        Ok(Checked {
            movement,
            debt,
            balance,
            next_lot,
            needs,
        })
    }

    /// Folds in an event that [`Wallet::check`] accepted.
    pub(crate) fn commit(&mut self, event: &Event, checked: Checked<'_>) {
        let movement = checked.movement;
        if let Some((lot, taken, _)) = movement.pending_take
            && let Some(p) = self.pending.get_mut(&lot)
        {
            p.points = p.points.saturating_sub(taken);
            if p.points.is_zero() {
                self.pending.remove(&lot);
            }
        }
        if let Some((p, order)) = movement.pending_add {
            self.pending.insert(
                p.lot,
                PendingLot {
                    order: order.clone(),
                    points: p.points,
                    available_at: p.available_at,
                    expires_at: p.expires_at,
                },
            );
        }
        for c in movement.credits.iter() {
            let key = LotKey::new(c.lot, c.expires_at);
            let add = c.points.value().saturating_sub(c.debt_repaid.value());
            if add > 0 && self.lots.add(key, Points::new(add)) && key.expires_at.is_some() {
                self.expiring_lots = self.expiring_lots.saturating_add(1);
            }
        }
        self.take_drawn(&checked.needs, movement.draws);
        self.debt = checked.debt;
        self.balance = checked.balance;
        self.next_lot = checked.next_lot;
        let at = event.at();
        self.last_event_at = at;
        if is_activity(event) {
            self.last_activity_at = at;
        }
        match event {
            Event::BonusAwarded(BonusAwarded {
                bonus: BonusKind::Birthday { year },
                ..
            }) => self.last_birthday = Some(*year),
            Event::TierChanged(e) => {
                self.tier = e.to.clone().map(|tier| {
                    Box::new(TierState {
                        tier,
                        since: e.at,
                        review_at: e.secured_until,
                        grace_until: None,
                    })
                });
            }
            Event::TierReviewed(e) => {
                if let Some(state) = &mut self.tier {
                    match e.outcome {
                        ReviewOutcome::Kept { secured_until } => {
                            state.review_at = secured_until;
                            state.grace_until = None;
                        }
                        ReviewOutcome::Grace { until } => state.grace_until = Some(until),
                    }
                }
            }
            Event::MembershipStarted(e) => {
                self.membership = Some(Box::new(ActiveMembership {
                    id: e.membership.clone(),
                    tier: e.tier.clone(),
                    term_start: e.at,
                    ends_at: e.ends_at,
                    fee_order: e.fee_order.clone(),
                }));
            }
            Event::MembershipRenewed(e) => {
                if let Some(m) = &mut self.membership {
                    m.term_start = m.ends_at.min(e.ends_at);
                    m.ends_at = e.ends_at;
                    m.fee_order = e.fee_order.clone();
                }
            }
            Event::MembershipEnded(_) => self.membership = None,
            _ => {}
        }
    }

    /// When something next falls due for this wallet under `expiry`: a
    /// pending lot maturing, a lot expiring, or the inactivity deadline.
    pub(crate) fn next_due(&self, rules: DueRules) -> Option<DateTime<Utc>> {
        let expiring = if self.expiring_lots == 0 {
            None
        } else {
            self.lots.first().and_then(|k| k.expires_at)
        };
        self.next_due_with(rules, expiring, !self.lots.is_empty())
    }

    /// What [`next_due`](Wallet::next_due) will say once the first
    /// `expired` lots in consumption order have expired whole, without
    /// folding the expiry in: whether a tick's expiry is the member's last
    /// event, so that it needs only checking. An expiry changes nothing
    /// else that falls due: it is not activity, and it leaves pending
    /// points, birthdays, tiers and memberships alone.
    pub(crate) fn next_due_past(&self, rules: DueRules, expired: usize) -> Option<DateTime<Utc>> {
        let rest = self.lots.iter().nth(expired);
        let expiring = rest.and_then(|(k, _)| k.expires_at);
        self.next_due_with(rules, expiring, rest.is_some())
    }

    /// The soonest of what falls due, given when the first lot expires and
    /// whether any lot is held.
    fn next_due_with(
        &self,
        rules: DueRules,
        expiring: Option<DateTime<Utc>>,
        holds_lots: bool,
    ) -> Option<DateTime<Utc>> {
        // Asked after every command: each source is looked at only when
        // it can have something due, and most have nothing.
        let mut soonest = expiring;
        let mut consider = |at: Option<DateTime<Utc>>| {
            if let Some(at) = at
                && soonest.is_none_or(|s| at < s)
            {
                soonest = Some(at);
            }
        };
        if !self.pending.is_empty() {
            consider(self.pending.values().filter_map(|p| p.available_at).min());
        }
        if holds_lots && let Some(days) = rules.inactivity_days {
            consider(self.inactivity_deadline(days));
        }
        if let Some(offset) = rules.birthdays {
            consider(self.next_birthday(offset).map(|(_, at)| at));
        }
        if rules.tiers {
            consider(self.tier.as_ref().and_then(|t| t.due()));
            consider(self.membership.as_ref().map(|m| m.ends_at));
        }
        soonest
    }

    /// When the member's points lapse for inactivity, if they hold any.
    #[inline(always)]
    pub(crate) fn inactivity_deadline(&self, days: u32) -> Option<DateTime<Utc>> {
        if self.lots.is_empty() {
            return None;
        }
        days_after(self.last_activity_at, days)
    }
}

/// Checks that an event's own figures add up: positive amounts where points
/// move, totals equal to their parts.
fn check_figures(event: &Event) -> Result<(), &'static str> {
    let positive_credits = |cs: &[LotCredit]| {
        cs.iter().all(|c| {
            c.points.is_positive() && !c.debt_repaid.is_negative() && c.debt_repaid <= c.points
        })
    };
    let positive_draws = |ds: &[LotDraw]| ds.iter().all(|d| d.points.is_positive());
    let sums = |total: Points, parts: Result<Points, PointsOverflow>| parts == Ok(total);
    let ok = match event {
        Event::MemberEnrolled(_) => true,
        Event::PurchaseRecorded(e) => {
            let credit_points = e.credit.map_or(Points::ZERO, |c| c.points);
            let pending_points = e.pending.map_or(Points::ZERO, |p| p.points);
            let one_form = e.credit.is_none() || e.pending.is_none();
            !e.points.is_negative()
                && one_form
                && e.credit.is_none_or(|c| positive_credits(&[c]))
                && credit_points.checked_add(pending_points) == Ok(e.points)
                && !e.amount.is_negative()
        }
        Event::OrderConfirmed(e) => e.credit.is_none_or(|c| positive_credits(&[c])),
        Event::PointsSettled(e) => positive_credits(&[e.credit]),
        Event::RewardRedeemed(e) => match &e.voucher {
            None => {
                e.points.is_positive()
                    && positive_draws(&e.draws)
                    && sums(e.points, sum_draws(&e.draws))
            }
            Some(_) => e.points.is_zero() && e.draws.is_empty(),
        },
        Event::RedemptionCancelled(e) => {
            positive_credits(&e.credits) && sums(e.points, sum_credits(&e.credits))
        }
        Event::OrderRefunded(e) => {
            let c = &e.clawback;
            let from_pending = c.from_pending.map_or(Points::ZERO, |d| d.points);
            let parts = sum_draws(&c.draws)
                .and_then(|d| d.checked_add(from_pending))
                .and_then(|s| s.checked_add(c.expired))
                .and_then(|s| s.checked_add(c.debt))
                .and_then(|s| s.checked_add(c.forgiven));
            e.restored
                .iter()
                .all(|r| positive_credits(&r.credits) && sums(r.points, sum_credits(&r.credits)))
                && positive_draws(&c.draws)
                && c.from_pending.is_none_or(|d| d.points.is_positive())
                && !c.debt.is_negative()
                && !c.expired.is_negative()
                && !c.forgiven.is_negative()
                && sums(c.points, parts)
                && !e.amount.is_negative()
        }
        Event::PointsAdjusted(e) => {
            if e.points.is_positive() {
                e.draws.is_empty()
                    && e.credit
                        .is_some_and(|c| positive_credits(&[c]) && c.points == e.points)
            } else {
                e.credit.is_none()
                    && positive_draws(&e.draws)
                    && e.points
                        .checked_neg()
                        .is_ok_and(|p| sums(p, sum_draws(&e.draws)))
            }
        }
        Event::PointsTransferredOut(e) => {
            positive_draws(&e.draws) && sums(e.points, sum_draws(&e.draws))
        }
        Event::PointsTransferredIn(e) => {
            positive_credits(&e.credits) && sums(e.points, sum_credits(&e.credits))
        }
        Event::PointsExpired(e) => positive_draws(&e.draws) && sums(e.points, sum_draws(&e.draws)),
        Event::BonusAwarded(e) => {
            let credited = e.credit.map_or(Points::ZERO, |c| c.points);
            !e.points.is_negative()
                && e.credit.is_none_or(|c| positive_credits(&[c]))
                && credited == e.points
                && sums(
                    e.points,
                    Points::checked_sum(e.breakdown.iter().map(|l| l.points())),
                )
        }
        Event::TierChanged(e) => {
            e.from != e.to
                && !e.metric.is_sign_negative()
                && e.secured_until.is_none_or(|t| t > e.at)
        }
        Event::TierReviewed(e) => match e.outcome {
            ReviewOutcome::Kept { secured_until } => secured_until.is_none_or(|t| t > e.at),
            ReviewOutcome::Grace { until } => until > e.at,
        },
        Event::MembershipStarted(e) => e.fee.amount().is_sign_positive() && e.ends_at > e.at,
        Event::MembershipRenewed(e) => e.fee.amount().is_sign_positive() && e.ends_at > e.at,
        Event::MembershipEnded(e) => match &e.reason {
            MembershipEnd::Cancelled { refund, .. } => !refund.is_negative(),
            MembershipEnd::Lapsed => true,
        },
        Event::ReferralRewarded(e) => match (&e.grant, e.credit, &e.voucher) {
            (Grant::Points(p), Some(c), None) => positive_credits(&[c]) && c.points == *p,
            (Grant::Reward(_), None, Some(_)) => true,
            _ => false,
        },
        Event::ReferralReversed(e) => {
            let parts = sum_draws(&e.draws)
                .and_then(|d| d.checked_add(e.debt))
                .and_then(|s| s.checked_add(e.forgiven));
            positive_draws(&e.draws)
                && !e.debt.is_negative()
                && !e.forgiven.is_negative()
                && sums(e.points, parts)
        }
        Event::FingerprintsRecorded(e) => !e.fingerprints.is_empty(),
        Event::ReferralCodeIssued(_)
        | Event::ReferralInvited(_)
        | Event::ReferralLinked(_)
        | Event::ReferralJoined(_)
        | Event::ReferralQualified(_)
        | Event::ReferralWithheld(_) => true,
    };
    if ok {
        Ok(())
    } else {
        Err("its points do not add up")
    }
}

/// An order as the account remembers it: what refunds, confirmations and
/// a retry's receipt need, without the member and order ids the event
/// repeats (the account and its order list hold them) and, for the common
/// order earning at the base rate alone, without a copy of its breakdown:
/// 32 bytes, its time, amount, points, lot and breakdown packed, its
/// lot's number and its key among the tier metrics' contributions read
/// off its position (see [`Numbers`]), and what few orders have kept
/// beside it (see [`Order`]). It took 40 bytes while it held the two
/// numbers, in 4 bytes each.
#[derive(Debug, Clone)]
pub(crate) struct OrderRecord {
    /// When the order was placed, in 8 bytes (see [`StoredAt`]).
    at: StoredAt,
    /// The amount and its currency, in 8 bytes where a [`Money`] takes 20
    /// (see [`StoredAmount`]), with two flags: whether the member's
    /// orders hold a rare part for the record (the redemptions the order
    /// used, its cart, and its confirmation, refunds and lapses, once it
    /// has any of them: most orders have none, so the record carries no
    /// pointer to one, see [`Order`]), and whether the order does not
    /// count toward the tier metrics (a membership fee).
    amount: StoredAmount,
    /// The order's points, in 4 bytes where [`Points`] take 8:
    /// [`POINTS_IN_FULL`] for more than they hold, which the rare part
    /// then holds.
    points: u32,
    /// What its points formed, without repeating the points or the
    /// lot's number.
    earned: StoredLot,
    breakdown: Breakdown,
}

/// The redemptions an order used, its cart, and what happened after the
/// sale: an order record's rare part, which the member's orders keep
/// beside the records (see [`RareParts`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct More {
    redemptions: Box<[Reference]>,
    /// Behind a pointer of its own (8 bytes of the part where the cart
    /// took 120): most orders with a rare part have it for a
    /// confirmation or a refund, not a cart.
    cart: Option<Box<Cart>>,
    after: AfterSale,
    /// How the order's points were computed, when the record's 4 bytes
    /// could not hold it (see [`Breakdown`]).
    lines: Box<[EarnLine]>,
    /// What the order's points formed, when the record's 12 bytes could
    /// not hold it (see [`StoredLot`]).
    lot: Option<Box<OrderLot>>,
    /// The order's amount, when the record's 8 bytes could not hold it
    /// (see [`StoredAmount`]).
    amount: Option<Decimal>,
    /// When the order was placed, when the record's 8 bytes could not
    /// hold it (see [`StoredAt`]).
    at: Option<DateTime<Utc>>,
    /// The order's points, when the record's 4 bytes could not hold them
    /// (see [`POINTS_IN_FULL`]); zero otherwise, which no points held
    /// here are.
    points: Points,
}

impl More {
    /// The lot the order's points formed, when held here in full.
    pub(crate) fn lot_in_full(&self) -> Option<LotId> {
        self.lot.as_deref().and_then(OrderLot::lot)
    }

    /// Nothing yet, for an order in `currency`.
    fn new(currency: Currency) -> More {
        More {
            redemptions: Box::default(),
            cart: None,
            after: AfterSale {
                refunded: Money::zero(currency),
                clawed_back: Points::ZERO,
                confirmed: None,
                lapsed: Points::ZERO,
                lapsed_counted: Points::ZERO,
                fully_refunded: false,
            },
            lines: Box::default(),
            lot: None,
            amount: None,
            at: None,
            points: Points::ZERO,
        }
    }
}

/// Records compare and hash (as a member's [`Orders`] compare and hash
/// them) by what they say, as if every after-sale figure were held inline
/// and every breakdown held as recorded: whether an order's after-sale
/// part was allocated yet, or where its tier's shape is kept, changes
/// neither `==` nor the ledger's fingerprint.
///
/// [`Orders`]: super::orders::Orders
impl<'a> Order<'a> {
    /// Every figure of the record, read among the member's tier `shapes`,
    /// the after-sale ones read as zero when not allocated: what `==` and
    /// the fingerprint of the member's orders go by, in the order the
    /// fields were declared before the after-sale part moved behind a
    /// pointer. `names`, the member's and the order's, hash a confirmation
    /// as the event it records (see [`ConfirmedFigures`]); they change
    /// nothing `==` compares.
    pub(crate) fn figures<'r>(
        self,
        shapes: &'r Shapes,
        names: Option<(&'r MemberId, &'r Reference)>,
    ) -> impl PartialEq + std::hash::Hash + 'r
    where
        'a: 'r,
    {
        (
            (
                self.at(),
                self.amount(),
                self.points(),
                self.earned(),
                self.breakdown_view(shapes),
                self.redemptions(),
                self.cart(),
            ),
            (
                self.refunded(),
                self.clawed_back(),
                ConfirmedFigures {
                    names,
                    confirmation: self.confirmed(),
                },
                self.lapsed(),
                self.lapsed_counted(),
                self.fully_refunded(),
                self.qualifying_key(),
            ),
        )
    }
}

/// An order's contribution to the tier metrics is read off its record.
impl Contributes for Order<'_> {
    type Bound = PlacedBound;

    fn bound(at: DateTime<Utc>) -> PlacedBound {
        PlacedBound {
            at,
            stamp: StoredAt::of(at).unwrap_or(StoredAt::IN_FULL),
        }
    }

    fn made_before(&self, bound: &PlacedBound) -> bool {
        self.placed_before(bound)
    }

    fn at(&self) -> DateTime<Utc> {
        Order::at(*self)
    }

    fn key(&self) -> Option<u32> {
        Order::key(*self)
    }

    fn contribution(&self) -> Contribution {
        Order::contribution(*self)
    }
}

/// What happened to an order after it was placed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct AfterSale {
    pub(crate) refunded: Money,
    /// Cumulative clawback target: taken, owed, forgiven or already expired.
    pub(crate) clawed_back: Points,
    pub(crate) confirmed: Option<Confirmation>,
    /// Points of the order's own lot that expired unused.
    pub(crate) lapsed: Points,
    /// Of those, the points clawbacks have already counted.
    pub(crate) lapsed_counted: Points,
    /// Whether refunds returned the whole amount (a free order's one
    /// refund included).
    pub(crate) fully_refunded: bool,
}

/// An order's confirmation as its record keeps it: the event without
/// the member (the account's) and the order (the record's key), which it
/// repeats: 64 bytes of the rare part where the event took 112.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Confirmation {
    at: DateTime<Utc>,
    credit: Option<LotCredit>,
}

impl Confirmation {
    /// The confirmation `e` records.
    fn of(e: &OrderConfirmed) -> Confirmation {
        Confirmation {
            at: e.at,
            credit: e.credit,
        }
    }

    /// The event it records, `member`'s confirmation of `order`: what a
    /// retry's receipt is read from.
    pub(crate) fn event(&self, member: &MemberId, order: &Reference) -> OrderConfirmed {
        OrderConfirmed {
            member: member.clone(),
            order: order.clone(),
            at: self.at,
            credit: self.credit,
        }
    }
}

/// A [`Confirmation`] as the ledger's fingerprint reads it: compared as
/// itself, hashed as the event it records (its member, order, time and
/// credit, in the event's order), as records hashed it when they kept the
/// whole event, so the fingerprint is unchanged. Without the names (a
/// record compared or hashed on its own), hashed as itself.
struct ConfirmedFigures<'r> {
    names: Option<(&'r MemberId, &'r Reference)>,
    confirmation: Option<Confirmation>,
}

impl PartialEq for ConfirmedFigures<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.confirmation == other.confirmation
    }
}

impl std::hash::Hash for ConfirmedFigures<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self.names {
            Some((member, order)) => self
                .confirmation
                .map(|c| (member, order, c.at, c.credit))
                .hash(state),
            None => self.confirmation.hash(state),
        }
    }
}

/// The points an order earned: a lot at once, pending, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum OrderLot {
    None,
    Credit(LotCredit),
    Pending(PendingCredit),
}

impl OrderLot {
    /// The lot's id, if the order formed one.
    fn lot(&self) -> Option<LotId> {
        match self {
            OrderLot::None => None,
            OrderLot::Credit(c) => Some(c.lot),
            OrderLot::Pending(p) => Some(p.lot),
        }
    }

    /// The points it made available and the points it left pending.
    fn split(&self) -> (Points, Points) {
        match self {
            OrderLot::None => (Points::ZERO, Points::ZERO),
            OrderLot::Credit(c) => (c.points, Points::ZERO),
            OrderLot::Pending(p) => (Points::ZERO, p.points),
        }
    }
}

/// An [`OrderLot`] as a record holds it, in 8 bytes: for the common
/// order, whose lot holds exactly its points (no debt repaid) and is
/// numbered in 32 bits (from one), when its points settle and expire,
/// each as whole seconds after the order; the lot's number is read off
/// the order's position (see [`Numbers`]). Anything else is held in full
/// in the record's rare part ([`More`]). Before the fifty-first round
/// the record held the lot's number here too, in 12 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StoredLot {
    /// With a lot: when its points settle, in whole seconds after the
    /// order was placed, below [`CONFIRMED`] ([`ON_CONFIRMATION`] when
    /// they settle on confirmation, [`CONFIRMED`] and the seconds after
    /// the order when they settled so, confirmed), or [`CREDIT`] for
    /// points spendable at once. With none held here: [`NO_LOT`], or
    /// [`IN_FULL`] when the rare part holds it.
    settles_after: u32,
    /// When the points expire, in whole seconds after the order was
    /// placed; [`NEVER`] when they do not. For a confirmation held from
    /// [`CONFIRMED_AT`], the confirmation's nanoseconds, and the points
    /// never expire.
    expires_after: u32,
}

/// When a confirmation kept on an order's lot came, after the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConfirmedAfter {
    /// This many seconds after the order, at its fraction of a second.
    Seconds(u32),
    /// This many seconds after the order's second, at this many
    /// nanoseconds into that second.
    At { seconds: u32, nanos: u32 },
}

/// What a [`StoredLot`] says.
enum Stored {
    None,
    Credit {
        expires_after: u32,
    },
    Pending {
        settles_after: u32,
        expires_after: u32,
    },
    InFull,
}

/// What [`StoredLot::settles_after`] holds for points that settle when the
/// order is confirmed.
const ON_CONFIRMATION: u32 = u32::MAX;

/// Added to the seconds between an order and its confirmation, what
/// [`StoredLot::settles_after`] holds for points that settled on the
/// order's confirmation, for the common confirmation: of the order's
/// whole lot, none of it repaying debt, whole seconds after the order
/// (fewer than 2^30, 34 years). A confirmation then takes no room of its
/// own; one at another fraction of a second of a lot that never expires
/// is held from [`CONFIRMED_AT`]; any other is held in the record's rare
/// part. Points that settle a set time after the order are held here
/// below it, 68 years, and in full past that.
const CONFIRMED: u32 = 1 << 31;

/// Added to the whole seconds between an order's second and its
/// confirmation's (fewer than `IN_FULL - CONFIRMED_AT`, 34 years), what
/// [`StoredLot::settles_after`] holds for the common confirmation of a
/// lot that never expires at a time whose fraction of a second is not
/// the order's, as a clock that reads to the microsecond or nanosecond
/// stamps nearly every confirmation: [`StoredLot::expires_after`] then
/// holds the confirmation's nanoseconds instead of [`NEVER`].
const CONFIRMED_AT: u32 = CONFIRMED + (1 << 30);

/// What [`StoredLot::settles_after`] holds for points spendable at once
/// (points pending exactly that many seconds are held in full).
const CREDIT: u32 = u32::MAX - 1;

/// What [`StoredLot::settles_after`] holds for an order that formed no
/// lot.
const NO_LOT: u32 = u32::MAX - 2;

/// What [`StoredLot::settles_after`] holds for a lot held in full in the
/// record's rare part.
const IN_FULL: u32 = u32::MAX - 3;

/// What a [`StoredLot`] holds for points that never expire.
const NEVER: u32 = u32::MAX;

/// What an order record's points hold for points held in full in its rare
/// part: `u32::MAX` and more, which no order earns in practice.
const POINTS_IN_FULL: u32 = u32::MAX;

/// What an order of `amount` earning `points` adds to the tier metrics
/// before any refund.
fn bought(amount: Decimal, points: Points) -> Contribution {
    Contribution {
        spend: amount,
        points: points.value(),
        orders: 1,
    }
}

/// A non-negative `Decimal` whose mantissa fits 64 bits, as its mantissa
/// and scale: what [`PackedRate`] and [`StoredAmount`] pack. A minus sign
/// (on zero too) or a wider mantissa gives `None`, so that what it gives
/// comes back through [`unpacked`] as exactly the decimal, scale included.
fn mantissa_and_scale(value: Decimal) -> Option<(u64, u32)> {
    let parts = value.unpack();
    (!parts.negative && parts.hi == 0).then(|| {
        (
            u64::from(parts.lo) | u64::from(parts.mid) << 32,
            parts.scale,
        )
    })
}

/// The amount `stored` holds, or what `held` gives where `stored` could
/// not pack it (zero stands for an amount lost, which no record that
/// packs its amount has).
fn unpacked_amount(stored: StoredAmount, held: impl FnOnce() -> Option<Decimal>) -> Decimal {
    stored
        .decimal()
        .unwrap_or_else(|| held().unwrap_or(Decimal::ZERO))
}

/// The `Decimal` of `mantissa` at `scale`, as [`mantissa_and_scale`] gave
/// them. The scale was a `Decimal`'s, at most 28, so bounding it changes
/// nothing.
fn unpacked(mantissa: u64, scale: u32) -> Decimal {
    // The low and high halves of the mantissa.
    Decimal::from_parts(
        mantissa as u32,
        (mantissa >> 32) as u32,
        0,
        false,
        scale.min(Decimal::MAX_SCALE),
    )
}

/// An order's amount and currency as its record holds them, in 8 bytes:
/// for every amount an order is placed for in practice, a non-negative
/// mantissa below 2^49 (over 5 × 10^14 minor units: 5 million million
/// euros in cents) in the low bits, two flags of the record above it
/// (see [`StoredAmount::MORE`]), its scale in the 5 above those, and the
/// currency's place among the active codes in the top byte, so that it
/// unpacks to exactly the `Decimal` packed, scale included. Any other
/// amount (a negative one, the zero written with a minus sign, a wider
/// mantissa) is held in full in the record's rare part ([`More`]), and
/// the scale here is [`StoredAmount::IN_FULL`], which no scale is. Before
/// the fifty-first round, when an order's record kept its flags in the
/// word that held its tier key, the mantissa took 51 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StoredAmount(u64);

impl StoredAmount {
    /// How many low bits the mantissa takes.
    const MANTISSA_BITS: u32 = 49;

    /// The low bits the mantissa takes.
    const MANTISSA: u64 = (1 << Self::MANTISSA_BITS) - 1;

    /// The first of the two bits between the mantissa and the scale,
    /// which say nothing of the amount: an order's record keeps two flags
    /// of its own there, this one saying that the member's orders hold a
    /// rare part for it ([`OrderRecord::has_more`]); a redemption's
    /// record keeps both clear.
    const MORE: u64 = 1 << Self::MANTISSA_BITS;

    /// The second flag: an order's record says with it that the order
    /// does not count toward the tier metrics ([`OrderRecord::counts`]).
    const UNCOUNTED: u64 = Self::MORE << 1;

    /// Where the scale sits.
    const SCALE_SHIFT: u32 = 51;

    /// Where the currency sits.
    const CURRENCY_SHIFT: u32 = 56;

    /// What the scale's bits hold for an amount held in full.
    const IN_FULL: u64 = 0b1_1111;

    /// `money` in 8 bytes, and its amount in full (for the record's rare
    /// part to hold) when they cannot hold it.
    fn of(money: Money) -> (StoredAmount, Option<Decimal>) {
        let amount = money.amount();
        let (packed, in_full) = match mantissa_and_scale(amount)
            .filter(|(mantissa, _)| mantissa >> Self::MANTISSA_BITS == 0)
        {
            Some((mantissa, scale)) => (mantissa | u64::from(scale) << Self::SCALE_SHIFT, None),
            None => (Self::IN_FULL << Self::SCALE_SHIFT, Some(amount)),
        };
        let currency = u64::from(money.currency().place()) << Self::CURRENCY_SHIFT;
        (StoredAmount(packed | currency), in_full)
    }

    /// The amount, unless it is held in full.
    fn decimal(self) -> Option<Decimal> {
        let scale = (self.0 >> Self::SCALE_SHIFT) & Self::IN_FULL;
        (scale != Self::IN_FULL).then(|| unpacked(self.0 & Self::MANTISSA, scale as u32))
    }

    /// Whether `flag` ([`MORE`](Self::MORE) or
    /// [`UNCOUNTED`](Self::UNCOUNTED)), which the word keeps beside the
    /// amount, is set.
    const fn flag(self, flag: u64) -> bool {
        self.0 & flag != 0
    }

    /// Sets `flag` to `on`.
    fn set_flag(&mut self, flag: u64, on: bool) {
        self.0 = if on { self.0 | flag } else { self.0 & !flag };
    }

    /// Whether the amount is held in full.
    #[cfg(test)]
    fn in_full(self) -> bool {
        self.decimal().is_none()
    }

    /// The currency. Every place [`of`](StoredAmount::of) packs is an
    /// active code's; the euro stands for any other.
    fn currency(self) -> Currency {
        Currency::at_place((self.0 >> Self::CURRENCY_SHIFT) as u8).unwrap_or(Currency::EUR)
    }
}

/// When an order was placed, as its record holds it, in 8 bytes: for
/// every time an order is placed at in practice, its whole seconds since
/// 1970 (from -2^33 to below 2^33: from 1697 to 2242) above 30 bits of
/// nanoseconds, so that it unpacks to exactly the time packed. Any other
/// time (one outside those years, a leap second, and the very first
/// time of the range) is held in full in the record's rare part
/// ([`More`]), and the stamp is [`StoredAt::IN_FULL`], which packs no
/// time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StoredAt(i64);

/// A time an order record's time is compared with in a search: packed
/// once, as the record packs its own.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlacedBound {
    at: DateTime<Utc>,
    /// [`StoredAt::IN_FULL`] when `at` does not pack.
    stamp: StoredAt,
}

impl StoredAt {
    /// Where the seconds sit.
    const SECONDS_SHIFT: u32 = 30;

    /// The stamp of a time held in full: the earliest whole second the
    /// seconds could hold, which is held in full too.
    const IN_FULL: StoredAt = StoredAt(i64::MIN);

    /// A stamp no time packs to (its nanoseconds would be 2^30 − 1, above
    /// a billion), which a redemption's draw gives a lot that never
    /// expires.
    const NEVER: StoredAt = StoredAt(i64::MAX);

    /// `at` in 8 bytes, or in full (the error) for the record's rare part
    /// to hold.
    fn of(at: DateTime<Utc>) -> Result<StoredAt, DateTime<Utc>> {
        const LIMIT: i64 = 1 << (63 - StoredAt::SECONDS_SHIFT);
        let (seconds, nanos) = (at.timestamp(), at.timestamp_subsec_nanos());
        // Nanoseconds below a billion (a leap second's are not) fit 30
        // bits.
        if (-LIMIT..LIMIT).contains(&seconds) && nanos < 1_000_000_000 {
            let stamp = StoredAt(seconds << Self::SECONDS_SHIFT | i64::from(nanos));
            if stamp != Self::IN_FULL {
                return Ok(stamp);
            }
        }
        Err(at)
    }

    /// How long after this time `later` is, as a confirmation kept on a
    /// lot holds it: whole seconds when both have the same fraction of a
    /// second, or the whole seconds between their seconds and `later`'s
    /// nanoseconds; nothing when either is held in full or `later` comes
    /// first.
    #[inline]
    fn confirmed_after(self, later: DateTime<Utc>) -> Option<ConfirmedAfter> {
        if self == Self::IN_FULL {
            return None;
        }
        let later = Self::of(later).ok()?;
        let seconds =
            (later.0 >> Self::SECONDS_SHIFT).checked_sub(self.0 >> Self::SECONDS_SHIFT)?;
        let seconds = u32::try_from(seconds).ok()?;
        let fraction = (1 << Self::SECONDS_SHIFT) - 1;
        Some(if self.0 & fraction == later.0 & fraction {
            ConfirmedAfter::Seconds(seconds)
        } else {
            ConfirmedAfter::At {
                seconds,
                nanos: (later.0 & fraction) as u32,
            }
        })
    }

    /// The time `seconds` after this one's second, `nanos` into it.
    fn later_at(self, seconds: u32, nanos: u32) -> Option<DateTime<Utc>> {
        if self == Self::IN_FULL {
            return None;
        }
        let second = (self.0 >> Self::SECONDS_SHIFT).checked_add(i64::from(seconds))?;
        DateTime::from_timestamp(second, nanos)
    }

    /// The whole seconds from this time to `later`, when both are packed
    /// with the same fraction of a second (so that `later` is exactly that
    /// many seconds after, as [`settled`] adds them) and the seconds fit
    /// 32 bits.
    fn seconds_to(self, later: DateTime<Utc>) -> Option<u32> {
        if self == Self::IN_FULL {
            return None;
        }
        let later = Self::of(later).ok()?;
        let fraction = (1 << Self::SECONDS_SHIFT) - 1;
        if self.0 & fraction != later.0 & fraction {
            return None;
        }
        let seconds =
            (later.0 >> Self::SECONDS_SHIFT).checked_sub(self.0 >> Self::SECONDS_SHIFT)?;
        u32::try_from(seconds).ok()
    }

    /// The time, unless it is held in full.
    fn time(self) -> Option<DateTime<Utc>> {
        if self == Self::IN_FULL {
            return None;
        }
        let nanos = (self.0 & ((1 << Self::SECONDS_SHIFT) - 1)) as u32;
        DateTime::from_timestamp(self.0 >> Self::SECONDS_SHIFT, nanos)
    }

    /// `at` in 8 bytes, and in full (for a record's rare part to hold)
    /// when they cannot hold it, as [`StoredAmount::of`] gives an amount.
    /// Always inlined: left to the compiler, a purchase took 5
    /// instructions more.
    #[inline(always)]
    fn split(at: DateTime<Utc>) -> (StoredAt, Option<DateTime<Utc>>) {
        match StoredAt::of(at) {
            Ok(stamp) => (stamp, None),
            Err(at) => (StoredAt::IN_FULL, Some(at)),
        }
    }

    /// The time, or what `in_full` gives when it is held in full (the
    /// earliest time there is stands for one lost, which no record that
    /// packs its time has).
    fn time_or(self, in_full: impl FnOnce() -> Option<DateTime<Utc>>) -> DateTime<Utc> {
        self.time()
            .unwrap_or_else(|| in_full().unwrap_or(DateTime::<Utc>::MIN_UTC))
    }

    /// Whether this is `at`, packed as it is or, when `at` does not pack,
    /// held in full as `in_full` gives it: compared without unpacking.
    fn is(self, at: DateTime<Utc>, in_full: impl FnOnce() -> Option<DateTime<Utc>>) -> bool {
        match StoredAt::of(at) {
            Ok(stamp) => stamp == self,
            Err(at) => self == StoredAt::IN_FULL && in_full() == Some(at),
        }
    }
}

impl StoredLot {
    /// No lot.
    const NONE: StoredLot = StoredLot::without(NO_LOT);

    /// A lot held in full in the record's rare part.
    const IN_FULL: StoredLot = StoredLot::without(IN_FULL);

    const fn without(kind: u32) -> StoredLot {
        StoredLot {
            settles_after: kind,
            expires_after: NEVER,
        }
    }

    /// How a record of an order placed `at` earning `points` holds
    /// `earned`: in 8 bytes with the lot's number for the order's
    /// position to give (see [`Numbers`]), or in full (the error) for the
    /// record's rare part to hold.
    fn of(
        earned: OrderLot,
        points: Points,
        at: DateTime<Utc>,
    ) -> Result<(StoredLot, Option<u32>), OrderLot> {
        let short = |lot: LotId| u32::try_from(lot.number()).ok().filter(|lot| *lot != 0);
        // Points settle and expire a whole number of seconds after the
        // order, below 2^32 - 2 of them (136 years), or not at all (then
        // `u32::MAX`: ON_CONFIRMATION for a settlement, NEVER for an
        // expiry); anything else (a time written by hand) is held in full.
        let after = |when: Option<DateTime<Utc>>| match when {
            None => Some(u32::MAX),
            // The whole seconds between the timestamps: a time with another
            // fraction of a second (or a leap second) does not come back
            // from them, and is held in full.
            Some(when) => when
                .timestamp()
                .checked_sub(at.timestamp())
                .and_then(|seconds| u32::try_from(seconds).ok())
                .filter(|after| *after < CREDIT && reads_back(at, *after, when)),
        };
        match earned {
            OrderLot::None => Ok((StoredLot::NONE, None)),
            OrderLot::Credit(c) => match (short(c.lot), after(c.expires_at)) {
                (Some(lot), Some(expires_after))
                    if c.points == points && c.debt_repaid == Points::ZERO =>
                {
                    Ok((
                        StoredLot {
                            settles_after: CREDIT,
                            expires_after,
                        },
                        Some(lot),
                    ))
                }
                _ => Err(earned),
            },
            OrderLot::Pending(p) => {
                match (short(p.lot), after(p.available_at), after(p.expires_at)) {
                    (Some(lot), Some(settles_after), Some(expires_after))
                        if p.points == points
                            && (settles_after < CONFIRMED || settles_after == ON_CONFIRMATION) =>
                    {
                        Ok((
                            StoredLot {
                                settles_after,
                                expires_after,
                            },
                            Some(lot),
                        ))
                    }
                    _ => Err(earned),
                }
            }
        }
    }

    /// What it says: a confirmed lot as the pending lot the order formed.
    const fn read(self) -> Stored {
        match self.settles_after {
            IN_FULL => Stored::InFull,
            NO_LOT => Stored::None,
            CREDIT => Stored::Credit {
                expires_after: self.expires_after,
            },
            CONFIRMED..CONFIRMED_AT => Stored::Pending {
                settles_after: ON_CONFIRMATION,
                expires_after: self.expires_after,
            },
            // The nanoseconds of the confirmation where the expiry was.
            CONFIRMED_AT..IN_FULL => Stored::Pending {
                settles_after: ON_CONFIRMATION,
                expires_after: NEVER,
            },
            settles_after => Stored::Pending {
                settles_after,
                expires_after: self.expires_after,
            },
        }
    }

    /// The lot in full, for a record of an order placed `at` earning
    /// `points`, numbered `lot` when held here; `in_full` is the lot its
    /// rare part holds, if any.
    fn full(
        self,
        lot: u32,
        points: Points,
        at: DateTime<Utc>,
        in_full: Option<&OrderLot>,
    ) -> OrderLot {
        match self.read() {
            Stored::None => OrderLot::None,
            Stored::Credit { expires_after } => OrderLot::Credit(LotCredit {
                lot: LotId::new(u64::from(lot)),
                expires_at: expiry(at, expires_after),
                points,
                debt_repaid: Points::ZERO,
            }),
            Stored::Pending {
                settles_after,
                expires_after,
            } => OrderLot::Pending(PendingCredit {
                lot: LotId::new(u64::from(lot)),
                points,
                // Stored only when it gave back the time it was made from.
                available_at: match settles_after {
                    ON_CONFIRMATION => None,
                    after => settled(at, after),
                },
                expires_at: expiry(at, expires_after),
            }),
            Stored::InFull => in_full.copied().unwrap_or(OrderLot::None),
        }
    }

    /// The seconds between the order and when its points settle, for
    /// points pending that set time (held packed, below [`CONFIRMED`]).
    fn settles_in(self) -> Option<u32> {
        match self.read() {
            Stored::Pending { settles_after, .. } if settles_after != ON_CONFIRMATION => {
                Some(settles_after)
            }
            _ => None,
        }
    }

    /// When the order was confirmed, after it, when it was confirmed as
    /// [`CONFIRMED`] or [`CONFIRMED_AT`] says.
    fn confirmed_after(self) -> Option<ConfirmedAfter> {
        match self.settles_after {
            after @ CONFIRMED..CONFIRMED_AT => {
                after.checked_sub(CONFIRMED).map(ConfirmedAfter::Seconds)
            }
            after @ CONFIRMED_AT..IN_FULL => Some(ConfirmedAfter::At {
                seconds: after.checked_sub(CONFIRMED_AT)?,
                nanos: self.expires_after,
            }),
            _ => None,
        }
    }

    /// Whether the order's points formed a lot held here, pending until
    /// the order is confirmed, and it was not confirmed yet.
    fn settles_on_confirmation(self) -> bool {
        self.settles_after == ON_CONFIRMATION
    }

    /// Records that the order's points, pending until it is confirmed,
    /// settled on its confirmation `after` it, when that fits (see
    /// [`CONFIRMED`] and [`CONFIRMED_AT`]); says whether it did.
    fn confirm(&mut self, after: ConfirmedAfter) -> bool {
        if self.settles_after != ON_CONFIRMATION {
            return false;
        }
        match after {
            ConfirmedAfter::Seconds(seconds) if seconds < CONFIRMED_AT - CONFIRMED => {
                self.settles_after = CONFIRMED.saturating_add(seconds);
                true
            }
            ConfirmedAfter::At { seconds, nanos }
                if seconds < IN_FULL - CONFIRMED_AT && self.expires_after == NEVER =>
            {
                self.settles_after = CONFIRMED_AT.saturating_add(seconds);
                self.expires_after = nanos;
                true
            }
            _ => false,
        }
    }

    /// The points the lot made available and the points it left pending,
    /// for a record of an order earning `points`: as
    /// [`full`](StoredLot::full) says, without working out its dates
    /// (every purchase's journal entry is compared with this).
    fn points(self, points: Points, in_full: Option<&OrderLot>) -> (Points, Points) {
        match self.read() {
            Stored::None => (Points::ZERO, Points::ZERO),
            Stored::Credit { .. } => (points, Points::ZERO),
            Stored::Pending { .. } => (Points::ZERO, points),
            Stored::InFull => in_full.map_or((Points::ZERO, Points::ZERO), OrderLot::split),
        }
    }

    /// The lot's id, if the order formed one: `lot` when held here.
    fn lot(self, lot: u32, in_full: Option<&OrderLot>) -> Option<LotId> {
        match self.read() {
            Stored::None => None,
            Stored::Credit { .. } | Stored::Pending { .. } => Some(LotId::new(u64::from(lot))),
            Stored::InFull => in_full.and_then(OrderLot::lot),
        }
    }
}

/// When points pending `after` seconds from `at` settle, if that is a
/// time: `at` plus that many seconds, as chrono adds them. Read off every
/// record that keeps an expiry or a settlement, it adds to the timestamp
/// unless `at` is a leap second, which chrono counts as one more second
/// and is left to it.
fn settled(at: DateTime<Utc>, after: u32) -> Option<DateTime<Utc>> {
    if at.timestamp_subsec_nanos() >= 1_000_000_000 {
        return at.checked_add_signed(TimeDelta::seconds(i64::from(after)));
    }
    seconds_after(at, i64::from(after))
}

/// Whether [`settled`] gives back `when` from `at` and `after`, the whole
/// seconds between their timestamps. Unless `at` is a leap second (which
/// [`settled`] leaves to chrono's addition), it adds `after` to `at`'s
/// timestamp and keeps `at`'s fraction of a second, and a time is its
/// timestamp and its fraction: `when` comes back exactly when its
/// fraction is `at`'s. Compared so, a purchase under points that expire
/// or settle later does not build the time again to compare it (about
/// 120 instructions each, chrono's conversion of a day number to a date
/// most of them).
fn reads_back(at: DateTime<Utc>, after: u32, when: DateTime<Utc>) -> bool {
    let fraction = at.timestamp_subsec_nanos();
    if fraction >= 1_000_000_000 {
        return settled(at, after) == Some(when);
    }
    when.timestamp_subsec_nanos() == fraction
}

/// When points of an order placed `at` expire, held as `after` seconds
/// from it ([`NEVER`] when they do not; stored only when it gave back the
/// time it was made from).
fn expiry(at: DateTime<Utc>, after: u32) -> Option<DateTime<Utc>> {
    match after {
        NEVER => None,
        after => settled(at, after),
    }
}

/// How an order's points were computed, in 4 bytes of the record: the
/// two common shapes packed, anything else held in full in the record's
/// rare part ([`More`]). What the word says is a [`Packed`]: the two
/// bits at the top tell the three kinds apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Breakdown(u32);

/// What a [`Breakdown`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Packed {
    /// One base-rate line on the whole amount (written as the order writes
    /// it: `57.400` on an order of `57.40` is kept as recorded), giving
    /// all the points, at a rate in the order's currency whose points fit
    /// 16 bits and whose amount is a positive mantissa below 2^32 (`1.00`
    /// is 100 at scale 2): the rate's place among the member's
    /// [`Shapes`], where the rate in full takes 32 bytes.
    Base { rate: u32 },
    /// A base-rate line and a tier's multiplier, each on the whole amount
    /// written as the order writes it, giving all the points between
    /// them, the base line's below 2^24 (16,777,216): a purchase by a
    /// member on a rung with a multiplier. The base line's points, and
    /// where the member's orders keep the rate, tier and factor the two
    /// lines share with the member's other orders on that rung (see
    /// [`Shapes`]), where the two lines as recorded take 208 bytes.
    Tiered {
        /// The shape's place among the member's [`Shapes`] (below
        /// [`Shapes::MOST`]).
        shape: u32,
        /// The base line's points; the multiplier's are the rest of the
        /// order's.
        base: u32,
    },
    /// Anything else: the lines as recorded, in the record's rare part.
    InFull,
}

impl Breakdown {
    /// The lines as recorded, in the record's rare part.
    const IN_FULL: Breakdown = Breakdown(u32::MAX);

    /// The top two bits of a tiered breakdown.
    const TIERED: u32 = 0b01 << 30;

    /// Where a tiered breakdown's shape sits, above its base points.
    const SHAPE_SHIFT: u32 = 24;

    /// The bits of a tiered breakdown's base points, below its shape's
    /// place.
    const BASE_BITS: u32 = (1 << Breakdown::SHAPE_SHIFT) - 1;

    /// A base-rate breakdown at the member's rate at `place`.
    fn base(place: u32) -> Option<Breakdown> {
        (usize::try_from(place).ok()? < Shapes::MOST).then_some(Breakdown(place))
    }

    /// A tiered breakdown at the member's shape at `place`, `base` of its
    /// points by the base line.
    fn tiered(place: u32, base: u32) -> Option<Breakdown> {
        (usize::try_from(place).ok()? < Shapes::MOST && base <= Breakdown::BASE_BITS).then_some(
            Breakdown(Breakdown::TIERED | place << Breakdown::SHAPE_SHIFT | base),
        )
    }

    /// What the word says.
    fn read(self) -> Packed {
        match self.0 >> 30 {
            0 => Packed::Base { rate: self.0 },
            1 => Packed::Tiered {
                shape: (self.0 & !Breakdown::TIERED) >> Breakdown::SHAPE_SHIFT,
                base: self.0 & Breakdown::BASE_BITS,
            },
            _ => Packed::InFull,
        }
    }
}

/// An earn rate and its rounding in 8 bytes: the rate's points in 16 bits
/// and its amount as a non-negative mantissa below 2^32 with its scale,
/// in the order's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PackedRate {
    points: i16,
    scale: u8,
    rounding: Rounding,
    per: u32,
}

/// What a purchase on a tier with a multiplier shares with the member's
/// other purchases on that rung: the base rate packed, and the tier's id,
/// name and factor as the multiplier line recorded them.
#[derive(Debug, Clone)]
struct TierShape {
    rate: PackedRate,
    tier: TierId,
    name: Name,
    factor: Decimal,
}

/// What a member's orders share, each held once however many orders share
/// it: the base rates of orders earning at the base rate alone
/// ([`Breakdown`]'s base names a rate's place) and the shapes of orders on
/// tiers with a multiplier (its tiered breakdown names a shape's place).
///
/// A member's orders on one rung under one earn rate share one shape, so
/// an order on an upper rung is recorded without allocating, and a member
/// who climbs a ladder holds one shape a rung. Most members' orders at
/// the base rate share one rate, held in place; a later one (the
/// program's base rate changed, an order in another currency) is held
/// behind the pointer that holds the tier shapes.
///
/// At most [`Shapes::MOST`] rates and as many tier shapes: past that (a
/// program whose rates and tiers changed that often under one member),
/// orders are recorded with their lines as they were. The pointer is
/// allocated with the first tier shape or the second rate: most members
/// never reach a rung with a multiplier, and every account carries it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shapes {
    /// The rate of the member's first order at the base rate alone.
    rate: Option<PackedRate>,
    kept: Option<Box<Kept>>,
}

/// The tier shapes a member's orders keep, and their base rates after the
/// first: the first shape in place, and any after it in a list sized to
/// them (a member climbing a ladder adds one a rung).
#[derive(Debug, Clone, Default)]
struct Kept {
    first: Option<TierShape>,
    more: Vec<TierShape>,
    rates: Vec<PackedRate>,
}

impl Shapes {
    /// The most rates, and the most tier shapes, one member's orders keep.
    const MOST: usize = 64;

    /// The place of `rate`, added if it is new and there is room for it.
    /// The first rate is the one most orders share: it is compared in
    /// line, where every purchase at the base rate records its order.
    #[inline(always)]
    fn rate_place(&mut self, rate: PackedRate) -> Option<u32> {
        match self.rate {
            Some(first) if first == rate => Some(0),
            None => {
                self.rate = Some(rate);
                Some(0)
            }
            Some(_) => self.later_rate_place(rate),
        }
    }

    /// As [`rate_place`](Shapes::rate_place), for a rate other than the
    /// first.
    #[inline(never)]
    fn later_rate_place(&mut self, rate: PackedRate) -> Option<u32> {
        let kept = self.kept.get_or_insert_with(Box::default);
        let at = match kept.rates.iter().position(|kept| *kept == rate) {
            Some(at) => at,
            None if kept.rates.len() < Shapes::MOST.saturating_sub(1) => {
                kept.rates.reserve_exact(1);
                kept.rates.push(rate);
                kept.rates.len().saturating_sub(1)
            }
            None => return None,
        };
        u32::try_from(at.checked_add(1)?).ok()
    }

    /// The rate at `place`.
    fn rate(&self, place: u32) -> Option<PackedRate> {
        match usize::try_from(place).ok()?.checked_sub(1) {
            None => self.rate,
            Some(at) => self.kept.as_deref()?.rates.get(at).copied(),
        }
    }

    /// The place of the tier shape with `rate`, `tier`, `name` and
    /// `factor`, added if it is new and there is room for it. Factors
    /// match as written (`1.5` is not `1.50`), so that an order gives back
    /// its lines exactly.
    fn place(
        &mut self,
        rate: PackedRate,
        tier: &TierId,
        name: &Name,
        factor: &Decimal,
    ) -> Option<u32> {
        let (mantissa, scale) = (factor.mantissa(), factor.scale());
        let same = |shape: &TierShape| {
            shape.rate == rate
                && shape.factor.mantissa() == mantissa
                && shape.factor.scale() == scale
                && shape.tier == *tier
                && shape.name == *name
        };
        let shape = || TierShape {
            rate,
            tier: tier.clone(),
            name: name.clone(),
            factor: *factor,
        };
        let kept = match self.kept.as_deref_mut() {
            Some(kept) => kept,
            None => {
                self.kept = Some(Box::new(Kept {
                    first: Some(shape()),
                    ..Kept::default()
                }));
                return Some(0);
            }
        };
        let Some(first) = &kept.first else {
            kept.first = Some(shape());
            return Some(0);
        };
        // The newest first: a member's orders on one rung follow each
        // other. Then the earlier ones, newest first, each compared once.
        let (newest, earlier, first_left) = match kept.more.split_last() {
            Some((newest, earlier)) => (newest, earlier, true),
            None => (first, &[][..], false),
        };
        if same(newest) {
            return u32::try_from(kept.more.len()).ok();
        }
        let at = match earlier.iter().rposition(same) {
            Some(at) => at.checked_add(1)?,
            None if first_left && same(first) => 0,
            None if kept.more.len() < Shapes::MOST.saturating_sub(1) => {
                kept.more.reserve_exact(1);
                kept.more.push(shape());
                kept.more.len()
            }
            None => return None,
        };
        u32::try_from(at).ok()
    }

    /// The tier shape at `place`.
    fn get(&self, place: u32) -> Option<&TierShape> {
        let kept = self.kept.as_deref()?;
        match usize::try_from(place).ok()?.checked_sub(1) {
            None => kept.first.as_ref(),
            Some(at) => kept.more.get(at),
        }
    }

    /// The newest tier shape kept: the one the member's next order on a
    /// tier most likely shares.
    fn newest(&self) -> Option<&TierShape> {
        let kept = self.kept.as_deref()?;
        kept.more.last().or(kept.first.as_ref())
    }

    /// Whether no rate and no tier shape is kept.
    pub(crate) fn is_empty(&self) -> bool {
        self.rate.is_none() && self.kept.is_none()
    }

    /// How many tier shapes are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.kept.as_deref().map_or(0, |kept| {
            kept.more
                .len()
                .saturating_add(usize::from(kept.first.is_some()))
        })
    }

    /// How many rates are kept.
    #[cfg(test)]
    pub(crate) fn rates(&self) -> usize {
        self.kept
            .as_deref()
            .map_or(0, |kept| kept.rates.len())
            .saturating_add(usize::from(self.rate.is_some()))
    }
}

/// A [`Breakdown`] in full: what records compare and hash by, shaped as
/// the breakdown was held before its rate was packed, so the ledger's
/// fingerprint is unchanged. Amounts are compared as numbers, not as
/// written: money prints and serialises in the currency's minor units
/// either way, and a replayed ledger must keep the same shorthand as the
/// live one.
#[derive(PartialEq, Eq, Hash)]
enum BreakdownView<'r> {
    Base {
        rate: EarnRate,
        rounding: Rounding,
    },
    /// The lines as recorded; a tiered breakdown ([`Packed::Tiered`])
    /// rebuilds its two, so that it compares and hashes as the lines it
    /// stands for.
    Lines(LinesView<'r>),
}

/// Award lines as a [`BreakdownView`] reads them: borrowed from the
/// record, or a tiered record's two rebuilt in place (without a list to
/// allocate each time the record is compared or hashed). Compares and
/// hashes as the slice of its lines, as the list they stand for does.
enum LinesView<'r> {
    Recorded(&'r [EarnLine]),
    Tiered([EarnLine; 2]),
}

impl LinesView<'_> {
    fn as_slice(&self) -> &[EarnLine] {
        match self {
            LinesView::Recorded(lines) => lines,
            LinesView::Tiered(lines) => lines,
        }
    }
}

impl PartialEq for LinesView<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for LinesView<'_> {}

impl std::hash::Hash for LinesView<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl Breakdown {
    /// The breakdown of an order of `amount` earning `points` by `lines`,
    /// among a member's orders whose rates and tier shapes are `shapes`.
    /// [`IN_FULL`](Breakdown::IN_FULL) when neither packed shape holds
    /// them. Inlined into its one caller, [`OrderRecord::of`]: left to
    /// itself, the compiler kept it apart in some builds, at some 50
    /// instructions a purchase.
    #[inline(always)]
    fn of(lines: &[EarnLine], amount: Money, points: Points, shapes: &mut Shapes) -> Breakdown {
        if let Some(packed) = Breakdown::base_rate(lines, amount, points)
            && let Some(place) = shapes.rate_place(packed)
            && let Some(base) = Breakdown::base(place)
        {
            return base;
        }
        if let [
            EarnLine::Base {
                eligible,
                rate,
                rounding,
                points: base,
            },
            EarnLine::Multiplier {
                source: EarnSource::Tier { id, name },
                factor,
                on,
                points: multiplied,
            },
        ] = lines
            && eligible.written_as(&amount)
            && on.written_as(&amount)
            && base.checked_add(*multiplied).ok() == Some(points)
            && let Ok(base) = u32::try_from(base.value())
            // Checked before the shape is placed, so that an order whose
            // base points do not fit adds no shape it does not use.
            && base <= Breakdown::BASE_BITS
            && let Some(packed) = PackedRate::of(*rate, *rounding, amount.currency())
            && let Some(shape) = shapes.place(packed, id, name, factor)
            && let Some(tiered) = Breakdown::tiered(shape, base)
        {
            return tiered;
        }
        Breakdown::IN_FULL
    }

    /// The rate of `lines` packed, when they are one base-rate line that
    /// a base breakdown holds for an order of `amount` earning `points`:
    /// on the whole amount as the order writes it, giving all the points,
    /// at a rate that packs.
    #[inline(always)]
    fn base_rate(lines: &[EarnLine], amount: Money, points: Points) -> Option<PackedRate> {
        let [
            EarnLine::Base {
                eligible,
                rate,
                rounding,
                points: line_points,
            },
        ] = lines
        else {
            return None;
        };
        if !eligible.written_as(&amount) || *line_points != points {
            return None;
        }
        PackedRate::of(*rate, *rounding, amount.currency())
    }

    /// The breakdown in full, for comparing and hashing, of an order of
    /// `amount` that earned `points`, among a member's orders whose rates
    /// and tier shapes are `shapes`, with the lines `in_full` the record's
    /// rare part holds. Lines held in full that a base breakdown holds
    /// (held so because the member's orders keep the most rates) read as
    /// it does, so that an order compares and hashes alike either way. A
    /// packed breakdown whose rate or shape is not among `shapes` (none
    /// made by [`of`](Breakdown::of) with the same shapes is) reads as no
    /// lines.
    fn view<'r>(
        self,
        amount: Money,
        points: Points,
        shapes: &'r Shapes,
        in_full: &'r [EarnLine],
    ) -> BreakdownView<'r> {
        let at_rate = |packed: PackedRate| BreakdownView::Base {
            rate: packed.rate(amount.currency()),
            rounding: packed.rounding,
        };
        match self.read() {
            Packed::Base { rate } => match shapes.rate(rate) {
                Some(packed) => at_rate(packed),
                None => BreakdownView::Lines(LinesView::Recorded(&[])),
            },
            Packed::Tiered { shape, base } => {
                let base = Points::new(i64::from(base));
                BreakdownView::Lines(match shapes.get(shape) {
                    Some(shape) => LinesView::Tiered(shape.lines(base, amount, points)),
                    None => LinesView::Recorded(&[]),
                })
            }
            Packed::InFull => match Breakdown::base_rate(in_full, amount, points) {
                Some(packed) => at_rate(packed),
                None => BreakdownView::Lines(LinesView::Recorded(in_full)),
            },
        }
    }
}

impl PackedRate {
    /// `rate` packed with `rounding`, when it can be. A non-negative
    /// mantissa below 2^32 at a scale of at most 28 (every `Decimal`'s) is
    /// all a `Decimal` holds, so it unpacks to exactly itself, scale and
    /// sign included; a proptest holds records to giving back their
    /// events.
    fn of(rate: EarnRate, rounding: Rounding, currency: Currency) -> Option<PackedRate> {
        if rate.per.currency() != currency {
            return None;
        }
        let (per, scale) = mantissa_and_scale(rate.per.amount())?;
        Some(PackedRate {
            points: i16::try_from(rate.points.value()).ok()?,
            per: u32::try_from(per).ok()?,
            scale: u8::try_from(scale).ok()?,
            rounding,
        })
    }

    /// The rate unpacked, in `currency`.
    fn rate(self, currency: Currency) -> EarnRate {
        EarnRate {
            points: Points::new(i64::from(self.points)),
            per: Money::new(
                unpacked(u64::from(self.per), u32::from(self.scale)),
                currency,
            ),
        }
    }
}

impl TierShape {
    /// The base line and the tier's multiplier line of an order of
    /// `amount` that earned `points`, `base` of them by the base line, as
    /// they were recorded.
    fn lines(&self, base: Points, amount: Money, points: Points) -> [EarnLine; 2] {
        [
            EarnLine::Base {
                eligible: amount,
                rate: self.rate.rate(amount.currency()),
                rounding: self.rate.rounding,
                points: base,
            },
            EarnLine::Multiplier {
                source: EarnSource::Tier {
                    id: self.tier.clone(),
                    name: self.name.clone(),
                },
                factor: self.factor,
                on: amount,
                // The two lines' points summed to the order's when packed.
                points: points.checked_sub(base).unwrap_or(Points::ZERO),
            },
        ]
    }
}

impl OrderRecord {
    /// The record of a purchase event, among a member's orders whose tier
    /// shapes are `shapes`, with its rare part when it has one (flagged
    /// in the record; the member's orders file the part beside it: see
    /// [`Orders::insert_new`]). Inlined into where the record is kept (see
    /// [`Blocks::push_with`](super::blocks::Blocks::push_with)): builds
    /// that kept it apart wrote the record and then copied it, some 25
    /// instructions a purchase.
    #[inline(always)]
    fn of(
        e: &PurchaseRecorded,
        shapes: &mut Shapes,
    ) -> (OrderRecord, Option<Box<More>>, Option<u32>) {
        let earned = match (e.credit, e.pending) {
            (Some(c), _) => OrderLot::Credit(c),
            (None, Some(p)) => OrderLot::Pending(p),
            (None, None) => OrderLot::None,
        };
        let (stored, lot, in_full) = match StoredLot::of(earned, e.points, e.at) {
            Ok((stored, lot)) => (stored, lot, None),
            Err(full) => (StoredLot::IN_FULL, None, Some(full)),
        };
        let (mut amount, amount_in_full) = StoredAmount::of(e.amount);
        let (at, at_in_full) = StoredAt::split(e.at);
        let breakdown = Breakdown::of(&e.breakdown, e.amount, e.points, shapes);
        let lines_in_full = breakdown == Breakdown::IN_FULL && !e.breakdown.is_empty();
        let (points, points_in_full) = match u32::try_from(e.points.value()) {
            Ok(points) if points != POINTS_IN_FULL => (points, Points::ZERO),
            _ => (POINTS_IN_FULL, e.points),
        };
        let rare = !e.redemptions.is_empty()
            || e.cart.is_some()
            || in_full.is_some()
            || amount_in_full.is_some()
            || at_in_full.is_some()
            || !points_in_full.is_zero()
            || lines_in_full;
        amount.set_flag(StoredAmount::MORE, rare);
        let record = OrderRecord {
            at,
            amount,
            points,
            earned: stored,
            breakdown,
        };
        let more = rare.then(|| {
            Box::new(More {
                redemptions: e.redemptions.as_slice().into(),
                cart: e.cart.clone(),
                lines: if lines_in_full {
                    e.breakdown.as_slice().into()
                } else {
                    Box::default()
                },
                lot: in_full.map(Box::new),
                amount: amount_in_full,
                at: at_in_full,
                points: points_in_full,
                ..More::new(e.amount.currency())
            })
        });
        (record, more, lot)
    }

    /// The order's key among the tier metrics' contributions, the one
    /// its position's `numbers` give, when it counts.
    fn key(&self, numbers: Numbers) -> Option<u32> {
        self.counts().then_some(numbers.key)
    }

    /// Whether the order counts toward the tier metrics: filed among
    /// their contributions, under the key its position gives (see
    /// [`Numbers`]).
    pub(crate) const fn counts(&self) -> bool {
        !self.amount.flag(StoredAmount::UNCOUNTED)
    }

    /// Says whether the order counts toward the tier metrics.
    pub(crate) fn set_counts(&mut self, counts: bool) {
        self.amount.set_flag(StoredAmount::UNCOUNTED, !counts);
    }

    /// Whether the member's orders hold a rare part for the record.
    pub(crate) const fn has_more(&self) -> bool {
        self.amount.flag(StoredAmount::MORE)
    }

    /// The order's currency.
    fn currency(&self) -> Currency {
        self.amount.currency()
    }
}

/// An order's record read with its rare part, if it has one: what every
/// figure of the order is read through. The rare part is kept beside the
/// records (see [`Orders`]), so that the record of an order without one
/// holds no pointer to it.
#[derive(Clone, Copy)]
pub(crate) struct Order<'a> {
    record: &'a OrderRecord,
    more: Option<&'a More>,
    /// The numbers the record's position gives it.
    numbers: Numbers,
}

impl fmt::Debug for Order<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Order")
            .field("record", self.record)
            .field("more", &self.more)
            .field("lot", &self.lot())
            .field("key", &self.key())
            .finish()
    }
}

/// An order's record with the member's rare parts, to change: what
/// recording a confirmation, a refund or a lapse goes through.
pub(crate) struct OrderMut<'a> {
    record: &'a mut OrderRecord,
    rare: &'a mut RareParts<More>,
    /// The record's position among the member's orders.
    at: u32,
    /// The numbers that position gives it.
    numbers: Numbers,
}

impl<'a> Order<'a> {
    /// `record`, read with its rare part `more` (none unless the record
    /// has one: see [`OrderRecord::has_more`]) and the `numbers` its
    /// position gives it.
    pub(crate) fn new(
        record: &'a OrderRecord,
        more: Option<&'a More>,
        numbers: Numbers,
    ) -> Order<'a> {
        Order {
            record,
            more,
            numbers,
        }
    }

    /// The record (for tests).
    #[cfg(test)]
    pub(crate) fn record(self) -> &'a OrderRecord {
        self.record
    }

    /// When the order was placed. Held in the record but for times
    /// [`StoredAt`] cannot pack, which the rare part then holds (the
    /// earliest time there is stands for a rare part that lost it, which
    /// no record made by [`of`](OrderRecord::of) has).
    pub(crate) fn at(self) -> DateTime<Utc> {
        self.record.at.time_or(|| self.more.and_then(|m| m.at))
    }

    /// Whether the order was placed before `bound`. Two packed times
    /// compare as their stamps do (the seconds above the nanoseconds), so
    /// neither is unpacked but for a time held in full.
    fn placed_before(self, bound: &PlacedBound) -> bool {
        if self.record.at != StoredAt::IN_FULL && bound.stamp != StoredAt::IN_FULL {
            self.record.at.0 < bound.stamp.0
        } else {
            self.at() < bound.at
        }
    }

    /// The order's points. Held in the record but for more than
    /// [`POINTS_IN_FULL`], which the rare part then holds (zero stands for
    /// a rare part that lost them, which no record made by
    /// [`of`](OrderRecord::of) has).
    pub(crate) fn points(self) -> Points {
        if self.record.points != POINTS_IN_FULL {
            return Points::new(i64::from(self.record.points));
        }
        self.more.map_or(Points::ZERO, |m| m.points)
    }

    /// The order's amount.
    pub(crate) fn amount(self) -> Money {
        Money::new(self.decimal_amount(), self.currency())
    }

    /// The order's currency.
    fn currency(self) -> Currency {
        self.record.currency()
    }

    /// The order's amount, without its currency. Held in the record but
    /// for amounts [`StoredAmount`] cannot pack, which the rare part then
    /// holds (zero stands for a rare part that lost it, which no record
    /// made by [`of`](OrderRecord::of) has).
    pub(crate) fn decimal_amount(self) -> Decimal {
        unpacked_amount(self.record.amount, || self.more.and_then(|m| m.amount))
    }

    /// The redemptions the order used.
    pub(crate) fn redemptions(self) -> &'a [Reference] {
        self.more.map_or(&[], |x| &x.redemptions)
    }

    /// The order's cart, when it was placed with one.
    pub(crate) fn cart(self) -> Option<&'a Cart> {
        self.more.and_then(|x| x.cart.as_deref())
    }

    /// The number of the order's contribution to the tier metrics.
    pub(crate) fn qualifying_key(self) -> Option<usize> {
        self.key().and_then(|key| usize::try_from(key).ok())
    }

    /// As [`qualifying_key`](Order::qualifying_key), as filed.
    pub(crate) fn key(self) -> Option<u32> {
        self.record.key(self.numbers)
    }

    /// What the order adds to the tier metrics now: its amount, points and
    /// one order, less what its refunds took off (the amount refunded, the
    /// points clawed back, and the order once refunded in full).
    fn contribution(self) -> Contribution {
        let bought = bought(self.decimal_amount(), self.points());
        match self.after() {
            None => bought,
            Some(after) => bought.minus(Contribution {
                spend: after.refunded.amount(),
                points: after.clawed_back.value(),
                orders: i64::from(after.fully_refunded),
            }),
        }
    }

    /// The amount refunded so far.
    pub(crate) fn refunded(self) -> Money {
        self.after()
            .map_or(Money::zero(self.currency()), |a| a.refunded)
    }

    /// The cumulative clawback target: taken, owed, forgiven or already
    /// expired.
    pub(crate) fn clawed_back(self) -> Points {
        self.after().map_or(Points::ZERO, |a| a.clawed_back)
    }

    /// The confirmation, once the order was confirmed: read off the
    /// record's lot for the common confirmation (see [`CONFIRMED`]), held
    /// in the rare part otherwise.
    pub(crate) fn confirmed(self) -> Option<Confirmation> {
        if let Some(held) = self.after().and_then(|a| a.confirmed) {
            return Some(held);
        }
        let after = self.record.earned.confirmed_after()?;
        let pending = self.pending()?;
        Some(Confirmation {
            at: self.later(after)?,
            credit: Some(LotCredit {
                lot: pending.lot,
                expires_at: pending.expires_at,
                points: pending.points,
                debt_repaid: Points::ZERO,
            }),
        })
    }

    /// The time `after` the order.
    fn later(self, after: ConfirmedAfter) -> Option<DateTime<Utc>> {
        match after {
            ConfirmedAfter::Seconds(seconds) => settled(self.at(), seconds),
            ConfirmedAfter::At { seconds, nanos } => self.record.at.later_at(seconds, nanos),
        }
    }

    /// Whether the order was confirmed.
    pub(crate) fn is_confirmed(self) -> bool {
        self.record.earned.confirmed_after().is_some()
            || self.after().is_some_and(|a| a.confirmed.is_some())
    }

    /// Points of the order's own lot that expired unused.
    pub(crate) fn lapsed(self) -> Points {
        self.after().map_or(Points::ZERO, |a| a.lapsed)
    }

    /// Of the lapsed points, those clawbacks have already counted.
    pub(crate) fn lapsed_counted(self) -> Points {
        self.after().map_or(Points::ZERO, |a| a.lapsed_counted)
    }

    /// Whether refunds returned the whole amount.
    pub(crate) fn fully_refunded(self) -> bool {
        self.after().is_some_and(|a| a.fully_refunded)
    }

    /// What happened after the sale, when the rare part is allocated.
    fn after(self) -> Option<&'a AfterSale> {
        self.more.map(|m| &m.after)
    }

    /// How the order's points were computed, as the event recorded it,
    /// read among the member's tier `shapes`.
    pub(crate) fn breakdown(self, shapes: &Shapes) -> EarnLines {
        match self.breakdown_view(shapes) {
            BreakdownView::Base { rate, rounding } => EarnLine::Base {
                eligible: self.amount(),
                rate,
                rounding,
                points: self.points(),
            }
            .into(),
            BreakdownView::Lines(LinesView::Tiered(lines)) => lines.into_iter().collect(),
            BreakdownView::Lines(LinesView::Recorded(lines)) => lines.iter().cloned().collect(),
        }
    }

    /// How the order's points were computed, read among the member's tier
    /// `shapes`, as it compares and hashes.
    fn breakdown_view<'r>(self, shapes: &'r Shapes) -> BreakdownView<'r>
    where
        'a: 'r,
    {
        let in_full = self.more.map_or(&[][..], |m| &m.lines);
        self.record
            .breakdown
            .view(self.amount(), self.points(), shapes, in_full)
    }

    /// The purchase event as it was recorded for `member`'s `order`, read
    /// among the member's tier `shapes`.
    pub(crate) fn event(
        &self,
        member: &MemberId,
        order: &Reference,
        shapes: &Shapes,
    ) -> PurchaseRecorded {
        PurchaseRecorded {
            member: member.clone(),
            order: order.clone(),
            at: self.at(),
            amount: self.amount(),
            points: self.points(),
            breakdown: self.breakdown(shapes),
            credit: self.credit(),
            pending: self.pending(),
            redemptions: self.redemptions().to_vec(),
            cart: self.more.and_then(|x| x.cart.clone()),
        }
    }

    /// The lot the order's points formed, if it earned any.
    pub(crate) fn lot(self) -> Option<LotId> {
        self.record.earned.lot(self.numbers.lot, self.lot_in_full())
    }

    /// What the order's points formed, in full.
    fn earned(self) -> OrderLot {
        self.record.earned.full(
            self.numbers.lot,
            self.points(),
            self.at(),
            self.lot_in_full(),
        )
    }

    /// What the order's points formed, when the rare part holds it.
    fn lot_in_full(self) -> Option<&'a OrderLot> {
        self.more.and_then(|m| m.lot.as_deref())
    }

    /// What the order's journal entry says: when it was placed, and the
    /// points it made available and pending. Neither is ever changed once
    /// the order is filed, so the journal reads the entry off the record.
    pub(crate) fn earning(self) -> super::journal::Earning {
        let (available, pending) = self.record.earned.points(self.points(), self.lot_in_full());
        (self.at(), available, pending)
    }

    /// What the journal entry says of the order's pending points becoming
    /// spendable, when the record knows: when, and the points made
    /// available and no longer pending. Its confirmation's, when it
    /// credited points; otherwise, for points pending a set time, their
    /// whole lot settling at that time (as a sweep dates it, unless the
    /// member's last event came later). A confirmation is recorded once
    /// and never changed, and one recorded after the points settled
    /// credits none, so what this reads never changes once the journal
    /// holds the entry: the journal reads it off the record.
    pub(crate) fn settlement(self) -> Option<super::journal::Earning> {
        let held = self
            .after()
            .and_then(|a| a.confirmed)
            .and_then(|c| Some((c.at, c.credit?.points)));
        let (at, points) = match held {
            Some(held) => held,
            // The common confirmation and a settlement at the set time
            // make the order's whole lot spendable.
            None => {
                let after = self.record.earned.confirmed_after().or(self
                    .record
                    .earned
                    .settles_in()
                    .map(ConfirmedAfter::Seconds))?;
                (self.later(after)?, self.points())
            }
        };
        Some((at, points, points.checked_neg().ok()?))
    }

    /// Whether the entry of the order's pending points becoming spendable
    /// says `settlement`, as [`settlement`](Order::settlement) reads
    /// it: without working out a date unless the rare part holds a
    /// confirmation (every confirmation's and settlement's entry is
    /// compared with this).
    pub(crate) fn settlement_is(
        &self,
        &(at, available, pending): &super::journal::Earning,
    ) -> bool {
        if self.after().is_some_and(|a| a.confirmed.is_some()) {
            return self.settlement() == Some((at, available, pending));
        }
        self.record
            .earned
            .confirmed_after()
            .or(self.record.earned.settles_in().map(ConfirmedAfter::Seconds))
            .is_some_and(|after| match after {
                ConfirmedAfter::Seconds(seconds) => self.record.at.seconds_to(at) == Some(seconds),
                ConfirmedAfter::At { .. } => self.record.at.confirmed_after(at) == Some(after),
            })
            && available == self.points()
            && pending.checked_neg() == Ok(available)
    }

    /// Whether the order's journal entry says `earning`, as
    /// [`earning`](Order::earning) reads it (without unpacking the
    /// record's time).
    pub(crate) fn earning_is(self, &(at, available, pending): &super::journal::Earning) -> bool {
        let placed_at = self.record.at.is(at, || self.more.and_then(|m| m.at));
        placed_at
            && self.record.earned.points(self.points(), self.lot_in_full()) == (available, pending)
    }

    /// The points, when they were spendable at once.
    pub(crate) fn credit(self) -> Option<LotCredit> {
        match self.earned() {
            OrderLot::Credit(c) => Some(c),
            _ => None,
        }
    }

    /// The points, when they were pending.
    pub(crate) fn pending(self) -> Option<PendingCredit> {
        match self.earned() {
            OrderLot::Pending(p) => Some(p),
            _ => None,
        }
    }
}

impl<'a> OrderMut<'a> {
    /// The record at position `at` of a member's orders, whose rare parts
    /// are `rare`.
    pub(crate) fn new(
        record: &'a mut OrderRecord,
        rare: &'a mut RareParts<More>,
        at: u32,
        numbers: Numbers,
    ) -> OrderMut<'a> {
        OrderMut {
            record,
            rare,
            at,
            numbers,
        }
    }

    /// The order's number among the tier metrics' contributions (see
    /// [`Order::key`]).
    pub(crate) fn key(&self) -> Option<u32> {
        self.record.key(self.numbers)
    }

    /// The order as it reads now.
    pub(crate) fn view(&self) -> Order<'_> {
        Order::new(
            self.record,
            self.rare.of(self.record.has_more(), self.at),
            self.numbers,
        )
    }

    /// Records the order's confirmation `e`: on the record's lot when it
    /// is the common one (see [`CONFIRMED`]), in the rare part otherwise.
    /// Compares the credit with the record's lot by their packed times,
    /// without working out a date.
    pub(crate) fn confirm(&mut self, e: &OrderConfirmed) {
        let order = self.view();
        let placed = self.record.at;
        let earned = self.record.earned;
        let common = |credit: &LotCredit| {
            credit.points == order.points()
                && credit.debt_repaid == Points::ZERO
                && earned.settles_on_confirmation()
                && order.lot() == Some(credit.lot)
                && match credit.expires_at {
                    None => earned.expires_after == NEVER,
                    Some(t) => {
                        earned.expires_after != NEVER
                            && placed.seconds_to(t) == Some(earned.expires_after)
                    }
                }
        };
        let on_the_lot = e.credit.as_ref().is_some_and(common) && !order.is_confirmed();
        if on_the_lot
            && let Some(after) = placed.confirmed_after(e.at)
            && self.record.earned.confirm(after)
        {
            return;
        }
        if let Some(after) = self.after_mut() {
            after.confirmed = Some(Confirmation::of(e));
        }
    }

    /// What happened after the sale, to record more of it (see
    /// [`more_mut`](OrderMut::more_mut)).
    pub(crate) fn after_mut(&mut self) -> Option<&mut AfterSale> {
        self.more_mut().map(|more| &mut more.after)
    }

    /// The rare part, allocated if it was not yet, and the record flagged
    /// as having one. Always there: none only if the member's rare parts
    /// could not read back the part just filed.
    fn more_mut(&mut self) -> Option<&mut More> {
        let currency = self.record.currency();
        self.record.amount.set_flag(StoredAmount::MORE, true);
        self.rare
            .get_or_insert_with(self.at, || Box::new(More::new(currency)))
    }

    /// Says the order's points formed `earned` instead, held as
    /// [`OrderRecord::of`] would hold it, and gives the lot's number for
    /// its position to give (for tests).
    #[cfg(test)]
    fn set_earned(&mut self, earned: OrderLot) -> Option<u32> {
        let order = self.view();
        match StoredLot::of(earned, order.points(), order.at()) {
            Ok((stored, lot)) => {
                self.record.earned = stored;
                if self.record.has_more()
                    && let Some(more) = self.more_mut()
                {
                    more.lot = None;
                }
                lot
            }
            Err(full) => {
                self.record.earned = StoredLot::IN_FULL;
                if let Some(more) = self.more_mut() {
                    more.lot = Some(Box::new(full));
                }
                None
            }
        }
    }
}

/// A redemption as the account remembers it: what a retry, a
/// cancellation, an order that uses it and a refund of that order read
/// of its event. Not the event itself: the member is the account's and
/// the reference the list's key, and what few redemptions have (a
/// target other than every line, a donation, a voucher) is kept beside
/// the records by the member's redemptions ([`Redemptions`]), as are its
/// cancellation and the points refunds gave back, which few have either;
/// the record's reward place holds the bit that says it has them
/// ([`EXTRAS`]), and it is read with them ([`Redemption`]). Its time and
/// its two amounts are packed as an order's are ([`StoredAt`],
/// [`StoredAmount`]), 8 bytes each where they took 12, 20 and 20; one
/// they cannot hold is kept with the extras too. Its draws are one
/// packed in place or the event's list, shared ([`StoredDraws`]), and
/// its points are read off them. Its reward and the order that used it
/// are named by their places ([`Place`], 4 bytes each where the ids took
/// 24) in lists the account keeps beside the records, whose entries
/// never move: the rewards the member redeemed ([`Rare::rewards_used`])
/// and the member's orders; what compares or hashes a record reads them
/// through those lists ([`Beside`]). A record takes 56 bytes where the
/// event it was copied from took 280 (and 320 with the rest), 64 while
/// it held a pointer to its extras. When a member's list of redemptions
/// still moved every record each time it grew, into memory written for
/// the first time, those copies weighed on a redemption's time more than
/// its instructions did, for a member with many redemptions; its blocks
/// ([`Blocks`](super::blocks::Blocks)) now hold as many records as fit
/// 4 KB, rounded down to a power of two (32 of 72 bytes with their
/// references).
#[derive(Debug, Clone)]
pub(crate) struct RedemptionRecord {
    /// When it was redeemed: see [`at`](Redemption::at).
    at: StoredAt,
    /// The cart's total before the discount: see
    /// [`cart`](Redemption::cart).
    cart: StoredAmount,
    /// See [`discount`](Redemption::discount).
    discount: StoredAmount,
    /// The lots the points came from, in consumption order; what they
    /// took sums to the points spent (see
    /// [`points`](Redemption::points)).
    draws: StoredDraws,
    /// Its reward, by where the member's rewards redeemed
    /// ([`Rare::rewards_used`]) file it: see
    /// [`reward`](Redemption::reward). Its top bit ([`EXTRAS`]) says
    /// whether the member's redemptions hold extras for it.
    reward_at: Place,
    /// The order whose discount used it, by where its record sits among
    /// the member's orders (filed once, never moved): see
    /// [`used_by`](Redemption::used_by).
    used_at: Place,
}

/// The bit of a [`RedemptionRecord`]'s reward place that says the
/// member's redemptions hold extras ([`RedemptionExtras`]) for it.
const EXTRAS: u32 = 1 << 31;

/// A place in one of a member's lists whose entries never move, as a
/// redemption's record keeps it: 31 bits, the top two values marking
/// none and one that does not fit (whose entry the record's extras then
/// hold in full); the 32nd bit is free for the record's flag
/// ([`EXTRAS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Place(u32);

impl Place {
    /// No place: no order used the redemption.
    const NONE: Place = Place(EXTRAS - 1);

    /// A place past 31 bits.
    const IN_FULL: Place = Place(EXTRAS - 2);

    /// `at`, or the mark of a place held in full.
    fn of(at: usize) -> Place {
        u32::try_from(at)
            .ok()
            .filter(|&at| at < Self::IN_FULL.0)
            .map_or(Self::IN_FULL, Place)
    }

    /// The place, unless there is none or it is held in full.
    fn at(self) -> Option<usize> {
        if self.0 < Self::IN_FULL.0 {
            usize::try_from(self.0).ok()
        } else {
            None
        }
    }
}

/// What a member's redemption records are read with, held beside them
/// in the account: the orders (where the order that used one is filed)
/// and the rewards redeemed (where its reward is).
#[derive(Clone, Copy)]
struct Beside<'a> {
    orders: &'a Orders,
    rewards: &'a RewardsUsed,
}

/// The sign-up bonus as the account keeps it: when it was awarded and its
/// points, which its journal entry and a repeated enrolment's receipt
/// read. Its lines are kept only when they are not the bonus's one line
/// (a cap cut it): most members' record takes 32 bytes, where the whole
/// event took 248. Its credit is in the wallet, and the member's id is the
/// account's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SignUpBonus {
    at: DateTime<Utc>,
    points: Points,
    /// The lines, when they are not [`SignUpBonus::one_line`].
    lines: Option<Box<EarnLines>>,
}

impl SignUpBonus {
    /// The record of `e`, a sign-up bonus.
    fn of(e: &BonusAwarded) -> SignUpBonus {
        let lines =
            (e.breakdown != SignUpBonus::one_line(e.points)).then(|| Box::new(e.breakdown.clone()));
        SignUpBonus {
            at: e.at,
            points: e.points,
            lines,
        }
    }

    /// A bonus of `points` awarded whole, as one line.
    fn one_line(points: Points) -> EarnLines {
        EarnLines::from(EarnLine::Bonus {
            source: EarnSource::SignUp,
            points,
        })
    }

    /// The points awarded.
    pub(crate) fn points(&self) -> Points {
        self.points
    }

    /// How the points were worked out, as the event said.
    pub(crate) fn lines(&self) -> EarnLines {
        match &self.lines {
            Some(lines) => EarnLines::clone(lines),
            None => SignUpBonus::one_line(self.points),
        }
    }
}

/// The member's sign-up bonus, as the one record of the journal's list
/// of them: its entry is read off the bonus the account keeps, which is
/// recorded once and never changed, naming [`SIGN_UP`](crate::id::SIGN_UP)
/// as the event's posting does.
impl Filed for Option<Box<SignUpBonus>> {
    fn reference_at(&self, position: usize) -> Option<Reference> {
        (position == 0 && self.is_some()).then(|| crate::id::SIGN_UP.clone())
    }

    fn entry_at(&self, position: usize) -> Option<(EntryKind, super::journal::Earning)> {
        let bonus = self.as_deref().filter(|_| position == 0)?;
        Some((EntryKind::Bonus, (bonus.at, bonus.points, Points::ZERO)))
    }
}

/// What few redemptions record: see [`RedemptionRecord`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct RedemptionExtras {
    applies_to: DiscountTarget,
    donation: Option<Donation>,
    voucher: Option<Reference>,
    /// The time, the cart's total and the discount, when the record's
    /// 8 bytes for each could not hold it.
    at: Option<DateTime<Utc>>,
    cart: Option<Decimal>,
    discount: Option<Decimal>,
    /// Its cancellation, once it has one.
    cancelled: Option<Box<RedemptionCancelled>>,
    /// Points given back so far by refunds of the order that used it.
    restored: Points,
    /// The points spent, when its draws do not sum to them: no event the
    /// ledger applies, whose figures are checked to add up, has that.
    points: Option<Points>,
    /// The order that used it, when its place among the member's orders
    /// does not fit (the record's place then says [`Place::IN_FULL`]).
    used_by: Option<Reference>,
    /// Its reward, when its place among the member's rewards does not
    /// fit.
    reward: Option<RewardId>,
}

/// A redemption's draws as its record keeps them, in 24 bytes where a
/// list of draws took 40: most redemptions under a program whose points
/// come in large lots draw from one lot, whose number and points fit 32
/// bits each and whose expiry [`StoredAt`] packs, and that draw is held
/// in place. Any other draws are held as the event's list held them, in
/// one allocation the event, its receipt and the record share.
#[derive(Debug, Clone, PartialEq, Eq)]
enum StoredDraws {
    /// None: a voucher paid.
    None,
    /// One draw that packs.
    One {
        lot: u32,
        points: u32,
        /// When the lot expires, [`StoredAt::NEVER`] when it never does.
        expires: StoredAt,
    },
    /// More than one draw, or one that does not pack.
    Listed(Arc<[LotDraw]>),
}

impl StoredDraws {
    /// `draws` as the record keeps them: sharing the event's list when
    /// it holds more than one draw (copied only from a list read or
    /// built in a `Vec`, as the record's list was before).
    #[inline]
    fn of(draws: &Draws) -> StoredDraws {
        let packed = match draws.as_slice() {
            [] => return StoredDraws::None,
            [one] => Self::pack(one),
            _ => None,
        };
        packed.unwrap_or_else(|| StoredDraws::Listed(draws.shared()))
    }

    /// `draw` packed, when its lot's number and points fit 32 bits and
    /// its expiry packs.
    #[inline]
    fn pack(draw: &LotDraw) -> Option<StoredDraws> {
        let lot = u32::try_from(draw.lot.number()).ok()?;
        let points = u32::try_from(draw.points.value()).ok()?;
        let expires = match draw.expires_at {
            None => StoredAt::NEVER,
            Some(at) => StoredAt::of(at).ok()?,
        };
        Some(StoredDraws::One {
            lot,
            points,
            expires,
        })
    }

    /// The draws, as the event listed them.
    fn draws(&self) -> Draws {
        match self {
            StoredDraws::None => Draws::new(),
            &StoredDraws::One {
                lot,
                points,
                expires,
            } => {
                // A packed time always reads back; a stamp that did not
                // would read as a lot that never expires.
                let expires_at = (expires != StoredAt::NEVER)
                    .then(|| expires.time())
                    .flatten();
                Draws::from(LotDraw::new(
                    LotId::new(u64::from(lot)),
                    expires_at,
                    Points::new(i64::from(points)),
                ))
            }
            StoredDraws::Listed(draws) => Draws::from_shared(Arc::clone(draws)),
        }
    }

    /// The points the draws took, in total.
    fn sum(&self) -> Result<Points, PointsOverflow> {
        match self {
            StoredDraws::None => Ok(Points::ZERO),
            StoredDraws::One { points, .. } => Ok(Points::new(i64::from(*points))),
            StoredDraws::Listed(draws) => sum_draws(draws),
        }
    }
}

impl RedemptionExtras {
    /// What a redemption for every line, without a donation or voucher
    /// and packed whole, has: nothing yet.
    fn none() -> RedemptionExtras {
        RedemptionExtras {
            applies_to: ALL_LINES.clone(),
            donation: None,
            voucher: None,
            at: None,
            cart: None,
            discount: None,
            cancelled: None,
            restored: Points::ZERO,
            points: None,
            used_by: None,
            reward: None,
        }
    }
}

/// What a redemption's discount applies to when its event says nothing:
/// every line.
static ALL_LINES: DiscountTarget = DiscountTarget::Lines {
    categories: Vec::new(),
};

impl RedemptionRecord {
    /// The record of `e`, whose reward the member's rewards redeemed
    /// file at `reward_at`, and its extras when it has any; nothing used,
    /// cancelled or restored yet.
    #[inline]
    fn of(
        e: &RewardRedeemed,
        reward_at: usize,
    ) -> (RedemptionRecord, Option<Box<RedemptionExtras>>) {
        let reward_at = Place::of(reward_at);
        let reward_in_full = (reward_at == Place::IN_FULL).then(|| e.reward.clone());
        let (at, at_in_full) = StoredAt::split(e.at);
        let (cart, cart_in_full) = StoredAmount::of(e.cart);
        let (discount, discount_in_full) = StoredAmount::of(e.discount);
        let points_in_full = (sum_draws(&e.draws) != Ok(e.points)).then_some(e.points);
        let extras = (!e.applies_to.is_all_lines()
            || e.donation.is_some()
            || e.voucher.is_some()
            || at_in_full.is_some()
            || cart_in_full.is_some()
            || discount_in_full.is_some()
            || points_in_full.is_some()
            || reward_in_full.is_some())
        .then(|| {
            Box::new(RedemptionExtras {
                applies_to: e.applies_to.clone(),
                donation: e.donation.clone(),
                voucher: e.voucher.clone(),
                at: at_in_full,
                cart: cart_in_full,
                discount: discount_in_full,
                points: points_in_full,
                reward: reward_in_full,
                ..RedemptionExtras::none()
            })
        });
        let flag = if extras.is_some() { EXTRAS } else { 0 };
        let record = RedemptionRecord {
            at,
            cart,
            discount,
            draws: StoredDraws::of(&e.draws),
            reward_at: Place(reward_at.0 | flag),
            used_at: Place::NONE,
        };
        (record, extras)
    }

    /// Whether the member's redemptions hold extras for it.
    fn has_extras(&self) -> bool {
        self.reward_at.0 & EXTRAS != 0
    }

    /// Says the member's redemptions hold extras for it.
    fn flag_extras(&mut self) {
        self.reward_at.0 |= EXTRAS;
    }

    /// Where the member's rewards redeemed file its reward, as held.
    fn reward_at(&self) -> Place {
        Place(self.reward_at.0 & !EXTRAS)
    }
}

/// A redemption as read: its record and, when it has them, its extras,
/// which the member's redemptions keep beside the records (see
/// [`Redemptions`]). What the account, the decisions and the journal
/// read of a redemption, they read through it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Redemption<'a> {
    record: &'a RedemptionRecord,
    extras: Option<&'a RedemptionExtras>,
}

impl<'a> Redemption<'a> {
    /// The points spent: what its draws took (none for a voucher), read
    /// off them rather than held beside them. The extras hold points its
    /// draws do not sum to, which only an event whose figures were not
    /// checked has.
    pub(crate) fn points(self) -> Points {
        if let Some(points) = self.extras.and_then(|x| x.points) {
            return points;
        }
        self.record.draws.sum().unwrap_or(Points::ZERO)
    }

    /// The lots the points came from, in consumption order.
    pub(crate) fn draws(self) -> Draws {
        self.record.draws.draws()
    }

    /// Its reward, read from the member's rewards redeemed (the
    /// account's, which file it at the place the record keeps).
    pub(crate) fn reward<'r>(self, rewards: &'r RewardsUsed) -> Option<&'r RewardId>
    where
        'a: 'r,
    {
        match self.record.reward_at().at() {
            Some(at) => rewards.key(at),
            None => self.extras?.reward.as_ref(),
        }
    }

    /// Where the member's rewards redeemed file its reward.
    pub(crate) fn reward_place(self, rewards: &RewardsUsed) -> Option<usize> {
        self.record
            .reward_at()
            .at()
            .or_else(|| rewards.place(self.extras?.reward.as_ref()?))
    }

    /// Whether an order used its discount.
    pub(crate) fn is_used(self) -> bool {
        self.record.used_at != Place::NONE
    }

    /// The order that used its discount, read from the member's `orders`
    /// (the account's, which hold it at the place the record keeps).
    pub(crate) fn used_by(self, orders: &Orders) -> Option<Reference> {
        if !self.is_used() {
            return None;
        }
        match self.record.used_at.at() {
            Some(at) => orders.reference_at(at),
            None => self.extras?.used_by.clone(),
        }
    }

    /// Its cancellation, once it has one.
    pub(crate) fn cancelled(self) -> Option<&'a RedemptionCancelled> {
        self.extras.and_then(|x| x.cancelled.as_deref())
    }

    /// Points given back so far by refunds of the order that used it.
    pub(crate) fn restored(self) -> Points {
        self.extras.map_or(Points::ZERO, |x| x.restored)
    }

    /// When it was redeemed. Held in the record but for times
    /// [`StoredAt`] cannot pack, which its extras then hold (the earliest
    /// time there is stands for extras that lost it, which no record made
    /// by [`RedemptionRecord::of`] has).
    pub(crate) fn at(self) -> DateTime<Utc> {
        self.record.at.time_or(|| self.extras.and_then(|x| x.at))
    }

    /// The cart's total before the discount.
    pub(crate) fn cart(self) -> Money {
        let amount = unpacked_amount(self.record.cart, || self.extras.and_then(|x| x.cart));
        Money::new(amount, self.record.cart.currency())
    }

    /// The discount the redemption gave.
    pub(crate) fn discount(self) -> Money {
        let held = || self.extras.and_then(|x| x.discount);
        Money::new(
            unpacked_amount(self.record.discount, held),
            self.record.discount.currency(),
        )
    }

    /// What the discount applies to.
    pub(crate) fn applies_to(self) -> &'a DiscountTarget {
        self.extras.map_or(&ALL_LINES, |x| &x.applies_to)
    }

    /// The donation the points funded, for a donation reward.
    pub(crate) fn donation(self) -> Option<&'a Donation> {
        self.extras.and_then(|x| x.donation.as_ref())
    }

    /// The referral voucher that paid for it instead of points.
    pub(crate) fn voucher(self) -> Option<&'a Reference> {
        self.extras.and_then(|x| x.voucher.as_ref())
    }

    /// The receipt the redemption gave, for `member`'s `redemption` (the
    /// account's and the key it is filed under) of `reward` (its
    /// [`reward`](Redemption::reward)).
    pub(crate) fn receipt(
        self,
        member: &MemberId,
        redemption: &Reference,
        reward: &RewardId,
    ) -> RedemptionReceipt {
        RedemptionReceipt {
            member: member.clone(),
            redemption: redemption.clone(),
            reward: reward.clone(),
            at: self.at(),
            cart: self.cart(),
            discount: self.discount(),
            donation: self.donation().cloned(),
            points: self.points(),
            draws: self.draws(),
        }
    }

    /// Its journal entry, read off the record: its time and the points it
    /// spent never change once filed (a cancellation writes an entry of
    /// its own).
    fn entry(self) -> Option<(EntryKind, super::journal::Earning)> {
        let spent = self.points().checked_neg().ok()?;
        Some((EntryKind::Redeemed, (self.at(), spent, Points::ZERO)))
    }

    /// Whether its journal entry is of `kind` and says `says`: compares
    /// the time packed, as [`Order::earning_is`] does.
    fn entry_is(
        self,
        kind: EntryKind,
        &(at, available, pending): &super::journal::Earning,
    ) -> bool {
        kind == EntryKind::Redeemed
            && self.record.at.is(at, || self.extras.and_then(|x| x.at))
            && self.points().checked_neg() == Ok(available)
            && pending.is_zero()
    }

    /// Whether the two redemptions read the same, each read with its
    /// member's lists `beside` it: amounts compare as `Money` does, by
    /// value (a discount of 0 and one of 0.00, as a stored log may write
    /// it, are the same), which their packed bits, holding the scale, do
    /// not; the order that used each compares by reference, wherever the
    /// member's orders hold it.
    fn same_as(self, beside: Beside<'_>, other: Redemption<'_>, other_beside: Beside<'_>) -> bool {
        self.reward(beside.rewards) == other.reward(other_beside.rewards)
            && self.at() == other.at()
            && self.cart() == other.cart()
            && self.discount() == other.discount()
            && self.points() == other.points()
            && self.draws() == other.draws()
            && self.applies_to() == other.applies_to()
            && self.donation() == other.donation()
            && self.voucher() == other.voucher()
            && self.used_by(beside.orders) == other.used_by(other_beside.orders)
            && self.cancelled() == other.cancelled()
            && self.restored() == other.restored()
    }

    /// Hashes as the record that held the whole event did (the event's
    /// fields in order, `member` and `redemption` among them, then what
    /// happened to it, its reward and the order that used it read from
    /// what is `beside` it), so that the ledger's fingerprint stays what
    /// it was.
    fn hash_as_recorded<H: std::hash::Hasher>(
        self,
        member: &MemberId,
        redemption: &Reference,
        beside: Beside<'_>,
        state: &mut H,
    ) {
        use std::hash::Hash;
        member.hash(state);
        redemption.hash(state);
        if let Some(reward) = self.reward(beside.rewards) {
            reward.hash(state);
        }
        self.at().hash(state);
        self.cart().hash(state);
        self.discount().hash(state);
        self.applies_to().hash(state);
        self.donation().hash(state);
        self.points().hash(state);
        self.draws().hash(state);
        self.voucher().hash(state);
        self.used_by(beside.orders).hash(state);
        self.cancelled().hash(state);
        self.restored().hash(state);
    }
}

/// A redemption's record with the member's extras, to change: what an
/// order using it, its cancellation and a refund giving points back go
/// through.
pub(crate) struct RedemptionMut<'a> {
    record: &'a mut RedemptionRecord,
    extras: &'a mut RareParts<RedemptionExtras>,
    /// The record's position among the member's redemptions.
    at: u32,
}

impl RedemptionMut<'_> {
    /// The redemption, read.
    pub(crate) fn view(&self) -> Redemption<'_> {
        Redemption {
            record: self.record,
            extras: self.extras.of(self.record.has_extras(), self.at),
        }
    }

    /// Records that `order`, filed at `at` among the member's orders,
    /// used its discount.
    pub(crate) fn use_by(&mut self, order: &Reference, at: usize) {
        self.record.used_at = Place::of(at);
        if self.record.used_at == Place::IN_FULL
            && let Some(extras) = self.extras_mut()
        {
            extras.used_by = Some(order.clone());
        }
    }

    /// Records its cancellation `e`.
    pub(crate) fn cancel(&mut self, e: &RedemptionCancelled) {
        if let Some(extras) = self.extras_mut() {
            extras.cancelled = Some(Box::new(e.clone()));
        }
    }

    /// Adds `points` to what refunds gave back.
    pub(crate) fn restore(&mut self, points: Points) {
        if let Some(extras) = self.extras_mut() {
            extras.restored = Points::new(extras.restored.value().saturating_add(points.value()));
        }
    }

    /// What few redemptions have, made when the first of it comes, and
    /// the record flagged as having it. Always there: none only if the
    /// member's redemptions could not read back the extras just filed.
    fn extras_mut(&mut self) -> Option<&mut RedemptionExtras> {
        self.record.flag_extras();
        self.extras
            .get_or_insert_with(self.at, || Box::new(RedemptionExtras::none()))
    }
}

/// A member's redemptions, by reference: allocated with the first, as
/// most members never redeem. The records are filed as a member's
/// orders are ([`Keyed`]), in 56 bytes each (72 with the reference);
/// what few have ([`RedemptionExtras`]) is kept beside them by the
/// record's position, as an order's rare part is, and read with the
/// record ([`Redemption`]). Before the forty-ninth round each record
/// held a pointer to its extras, 8 bytes.
#[derive(Clone, Default)]
pub(crate) struct Redemptions(Option<Box<RedemptionList>>);

/// A member's redemptions, allocated.
#[derive(Clone, Default)]
struct RedemptionList {
    records: Keyed<RedemptionRecord>,
    /// The extras of the records that have them, by position.
    extras: RareParts<RedemptionExtras>,
}

impl RedemptionList {
    /// The record filed at `at`, read with its extras.
    fn view<'a>(&'a self, at: usize, record: &'a RedemptionRecord) -> Redemption<'a> {
        let extras = u32::try_from(at)
            .ok()
            .and_then(|at| self.extras.of(record.has_extras(), at));
        Redemption { record, extras }
    }

    /// The redemption filed at `at`.
    fn at(&self, at: usize) -> Option<Redemption<'_>> {
        let (_, record) = self.records.filed().get(at)?;
        Some(self.view(at, record))
    }
}

impl Redemptions {
    /// The redemption filed under `key`.
    pub(crate) fn get(&self, key: &Reference) -> Option<Redemption<'_>> {
        self.get_hashed(key.quick_hash(), key)
    }

    /// The redemption filed under `key`, whose quick hash is `hash`.
    pub(crate) fn get_hashed(&self, hash: u64, key: &Reference) -> Option<Redemption<'_>> {
        let list = self.0.as_deref()?;
        list.at(list.records.position_hashed(hash, key)?)
    }

    /// The redemption filed under `key`, to change.
    pub(crate) fn get_mut(&mut self, key: &Reference) -> Option<RedemptionMut<'_>> {
        let list = self.0.as_deref_mut()?;
        let at = list.records.position(key)?;
        Some(RedemptionMut {
            record: list.records.filed_mut(at)?,
            extras: &mut list.extras,
            at: u32::try_from(at).ok()?,
        })
    }

    /// Whether a redemption is filed under `key`, whose quick hash is
    /// `hash`.
    pub(crate) fn contains_hashed(&self, hash: u64, key: &Reference) -> bool {
        self.0
            .as_deref()
            .is_some_and(|list| list.records.contains_hashed(hash, key))
    }

    /// Files the record `make` makes, with its extras if it has any,
    /// under `key`, whose quick hash is `hash`, that the caller has just
    /// found not filed (as [`Keyed::insert_new`]); allocates the list with
    /// the first. Says where it was filed, if it was.
    fn insert_new(
        &mut self,
        key: &Reference,
        hash: u64,
        make: impl FnOnce() -> (RedemptionRecord, Option<Box<RedemptionExtras>>),
    ) -> Option<usize> {
        let list = self.0.get_or_insert_default();
        let mut extras = None;
        let at = list.records.insert_new(key, hash, || {
            let (record, made) = make();
            extras = made;
            record
        })?;
        if let Some(extras) = extras {
            let _ = list
                .extras
                .get_or_insert_with(u32::try_from(at).ok()?, || extras);
        }
        Some(at)
    }

    /// The redemption at position `at` of the records, in the order
    /// filed.
    pub(crate) fn filed_at(&self, at: usize) -> Option<Redemption<'_>> {
        self.0.as_deref()?.at(at)
    }

    /// The reference of the redemption at position `at`.
    pub(crate) fn reference_at(&self, at: usize) -> Option<Reference> {
        self.0.as_deref()?.records.reference_at(at)
    }

    /// Every redemption, in the order filed.
    pub(crate) fn records(&self) -> impl DoubleEndedIterator<Item = Redemption<'_>> {
        self.0.as_deref().into_iter().flat_map(|list| {
            list.records
                .filed()
                .range_placed(0, usize::MAX)
                .map(move |(at, (_, record))| list.view(at, record))
        })
    }

    /// Whether the same references hold redemptions `same` finds alike,
    /// none allocated reading as an empty list (see [`Keyed::eq_by`]).
    fn eq_by(
        &self,
        other: &Redemptions,
        mut same: impl FnMut(Redemption<'_>, Redemption<'_>) -> bool,
    ) -> bool {
        match (self.0.as_deref(), other.0.as_deref()) {
            (Some(a), Some(b)) => a
                .records
                .eq_by(&b.records, |i, x, j, y| same(a.view(i, x), b.view(j, y))),
            (Some(list), None) | (None, Some(list)) => list.records.is_empty(),
            (None, None) => true,
        }
    }

    /// Hashes as [`Keyed::hash_by`] does, each redemption read with its
    /// extras; as an empty list when none is allocated.
    fn hash_by<H: std::hash::Hasher>(
        &self,
        state: &mut H,
        mut hash: impl FnMut(&Reference, Redemption<'_>, &mut H),
    ) {
        match self.0.as_deref() {
            Some(list) => list.records.hash_by(state, |key, at, record, state| {
                hash(key, list.view(at, record), state);
            }),
            None => Keyed::<RedemptionRecord>::new().hash_by(state, |_, _, _, _| {}),
        }
    }
}

/// As a map of references to the redemptions, read with their extras.
impl std::fmt::Debug for Redemptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        if let Some(list) = self.0.as_deref() {
            for (key, at, record) in list.records.iter_placed() {
                map.entry(&key, &list.view(at, record));
            }
        }
        map.finish()
    }
}

/// A redemption's journal entry is read off its record (see
/// [`Redemption::entry`]).
impl Filed for Redemptions {
    fn reference_at(&self, position: usize) -> Option<Reference> {
        Redemptions::reference_at(self, position)
    }

    fn entry_at(&self, position: usize) -> Option<(EntryKind, super::journal::Earning)> {
        self.filed_at(position).and_then(Redemption::entry)
    }

    fn entry_is(&self, position: usize, kind: EntryKind, says: &super::journal::Earning) -> bool {
        self.filed_at(position)
            .is_some_and(|redemption| redemption.entry_is(kind, says))
    }
}

/// A member's redemptions as the account's fingerprint reads them, each
/// record with the member's orders (which hold the order that used it):
/// equal as the records read, hashed as records that held their whole
/// events.
struct RedemptionsOf<'a> {
    member: &'a MemberId,
    redemptions: &'a Redemptions,
    beside: Beside<'a>,
}

impl PartialEq for RedemptionsOf<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.redemptions.eq_by(other.redemptions, |a, b| {
            a.same_as(self.beside, b, other.beside)
        })
    }
}

impl std::hash::Hash for RedemptionsOf<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.redemptions.hash_by(state, |key, record, state| {
            record.hash_as_recorded(self.member, key, self.beside, state);
        });
    }
}

/// A record that keeps what the account reads of an event, without the
/// member (the account's) or its reference (the list's key): it hashes
/// as a record holding the whole event did, so that the ledger's
/// fingerprint does not depend on how it is held.
trait AsRecorded {
    /// Hashes as the record of `member`'s event filed under `key` that
    /// held the whole event did.
    fn hash_as_recorded<H: std::hash::Hasher>(
        &self,
        member: &MemberId,
        key: &Reference,
        state: &mut H,
    );
}

/// A member's list of such records as the account's fingerprint reads
/// it: equal as the list is, hashed as records that held their whole
/// events (see [`AsRecorded`]).
#[derive(PartialEq)]
struct Recorded<'a, V> {
    member: &'a MemberId,
    list: &'a LazyKeyed<V>,
}

impl<V: AsRecorded> std::hash::Hash for Recorded<'_, V> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.list.hash_by(state, |key, record, state| {
            record.hash_as_recorded(self.member, key, state);
        });
    }
}

/// A refund as the account remembers it: what a retry's check and
/// receipt read of its event, without the member (the account's) or the
/// refund's reference (the list's key), which the record of the whole
/// event kept a second time: 224 bytes where the event takes 272, so
/// that a member's list of refunds copies less as it grows and a record
/// with its reference fits the 256 bytes the allocator's copy takes in
/// one short step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefundRecord {
    /// The order refunded.
    pub(crate) order: Reference,
    at: DateTime<Utc>,
    /// The amount the refund returned.
    pub(crate) amount: Money,
    refunded_total: Money,
    restored: Vec<Restoration>,
    clawback: Clawback,
}

/// A refund's entries (its clawback, the points it restores) are held in
/// full.
impl Entered for RefundRecord {}

impl RefundRecord {
    /// The record of `e`.
    #[inline]
    fn of(e: &OrderRefunded) -> RefundRecord {
        RefundRecord {
            order: e.order.clone(),
            at: e.at,
            amount: e.amount,
            refunded_total: e.refunded_total,
            restored: e.restored.clone(),
            clawback: e.clawback.clone(),
        }
    }

    /// The event it records, `member`'s `refund` (the account's and the
    /// key it is filed under): what a retry's receipt is read from.
    pub(crate) fn event(&self, member: &MemberId, refund: &Reference) -> OrderRefunded {
        OrderRefunded {
            member: member.clone(),
            order: self.order.clone(),
            refund: refund.clone(),
            at: self.at,
            amount: self.amount,
            refunded_total: self.refunded_total,
            restored: self.restored.clone(),
            clawback: self.clawback.clone(),
        }
    }
}

impl AsRecorded for RefundRecord {
    /// Hashes as the whole event did: its fields in order, `member` and
    /// `refund` among them.
    fn hash_as_recorded<H: std::hash::Hasher>(
        &self,
        member: &MemberId,
        refund: &Reference,
        state: &mut H,
    ) {
        use std::hash::Hash;
        member.hash(state);
        self.order.hash(state);
        refund.hash(state);
        self.at.hash(state);
        self.amount.hash(state);
        self.refunded_total.hash(state);
        self.restored.hash(state);
        self.clawback.hash(state);
    }
}

/// An adjustment as the account remembers it: what a retry's check and
/// receipt read of its event, and the lots it moved, without the member
/// (the account's) or the adjustment's reference (the list's key), which
/// the record of the whole event kept a second time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AdjustmentRecord {
    at: DateTime<Utc>,
    /// The change: positive for a credit, negative for a debit.
    pub(crate) points: Points,
    /// Why.
    pub(crate) reason: String,
    credit: Option<LotCredit>,
    draws: Draws,
}

/// An adjustment's journal entry is read off its record, which never
/// changes once filed.
impl Entered for AdjustmentRecord {
    fn entry(&self) -> Option<(EntryKind, super::journal::Earning)> {
        Some((EntryKind::Adjusted, (self.at, self.points, Points::ZERO)))
    }
}

impl AdjustmentRecord {
    /// The record of `e`.
    #[inline]
    fn of(e: &PointsAdjusted) -> AdjustmentRecord {
        AdjustmentRecord {
            at: e.at,
            points: e.points,
            reason: e.reason.clone(),
            credit: e.credit,
            draws: e.draws.clone(),
        }
    }

    /// The receipt of the adjustment it records, `member`'s `adjustment`
    /// (the account's and the key it is filed under): what a retry is
    /// given back.
    pub(crate) fn receipt(&self, member: &MemberId, adjustment: &Reference) -> AdjustmentReceipt {
        AdjustmentReceipt {
            member: member.clone(),
            adjustment: adjustment.clone(),
            at: self.at,
            points: self.points,
            reason: self.reason.clone(),
        }
    }
}

impl AsRecorded for AdjustmentRecord {
    /// Hashes as the whole event did: its fields in order, `member` and
    /// `adjustment` among them.
    fn hash_as_recorded<H: std::hash::Hasher>(
        &self,
        member: &MemberId,
        adjustment: &Reference,
        state: &mut H,
    ) {
        use std::hash::Hash;
        member.hash(state);
        adjustment.hash(state);
        self.at.hash(state);
        self.points.hash(state);
        self.reason.hash(state);
        self.credit.hash(state);
        self.draws.hash(state);
    }
}

/// The quick hash of a new reference of `kind` (a purchase's order, a
/// redemption's, a refund's or an adjustment's reference) that an event
/// files, found before the event is applied by the exactly-once check
/// that found the reference not filed in the account: made only there,
/// right after that check, so that applying the event (see
/// [`Account::apply_known`]) does not check again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NewReference {
    kind: ReferenceKind,
    hash: u64,
}

impl NewReference {
    /// `hash`, the quick hash of a reference of `kind`.
    pub(crate) fn new(kind: ReferenceKind, hash: u64) -> NewReference {
        NewReference { kind, hash }
    }
}

/// A transfer as one side remembers it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum TransferRecord {
    Out(PointsTransferredOut),
    In(PointsTransferredIn),
}

/// What most members never have: refunds, adjustments, transfers, custom
/// actions, reward uses and membership references. The lists filed by
/// reference are each allocated with their first record, so a member
/// with a refund carries one pointer for the adjustments they never had.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rare {
    pub(crate) refunds: LazyKeyed<RefundRecord>,
    pub(crate) adjustments: LazyKeyed<AdjustmentRecord>,
    pub(crate) transfers: LazyKeyed<TransferRecord>,
    /// Custom actions rewarded, by the host's reference.
    pub(crate) actions: LazyKeyed<BonusAwarded>,
    /// When each action was rewarded, oldest first.
    pub(crate) action_times: TimesBy<ActionId>,
    /// The rewards redeemed, where the redemptions' records name them,
    /// with how many redemptions of each stand (the times of their uses
    /// are the records').
    pub(crate) rewards_used: RewardsUsed,
    /// Membership purchases, renewals and cancellations, by the host's
    /// reference.
    pub(crate) membership_refs: LazyKeyed<Event>,
}

/// The rare records of a member who has none.
static NO_RARE: Rare = Rare {
    refunds: LazyKeyed::new(),
    adjustments: LazyKeyed::new(),
    transfers: LazyKeyed::new(),
    actions: LazyKeyed::new(),
    action_times: TimesBy::new(),
    rewards_used: RewardsUsed::new(),
    membership_refs: LazyKeyed::new(),
};

/// The lists a member's journal entries name records of by position, in
/// the order of [`List`]'s variants, from the account's fields: so that
/// applying an event can hand them to the journal it changes.
fn journal_lists<'a>(
    orders: &'a super::orders::Orders,
    redemptions: &'a Redemptions,
    rare: Option<&'a Rare>,
    sign_up: &'a Option<Box<SignUpBonus>>,
) -> Lists<'a> {
    let rare = rare.unwrap_or(&NO_RARE);
    [
        orders,
        redemptions,
        &rare.refunds,
        &rare.adjustments,
        sign_up,
    ]
}

/// The rare records held in `rare`, allocated on first use.
fn rare_mut(rare: &mut Option<Box<Rare>>) -> &mut Rare {
    rare.get_or_insert_with(Box::default)
}

/// One member's account: the fold of their events.
///
/// Read it through [`Ledger::account`](crate::Ledger::account).
#[derive(Debug, Clone)]
pub struct Account {
    member: MemberId,
    pub(crate) wallet: Wallet,
    pub(crate) orders: super::orders::Orders,
    pub(crate) redemptions: Redemptions,
    /// The sign-up bonus, when one was awarded.
    pub(crate) sign_up: Option<Box<SignUpBonus>>,
    /// Refunds, adjustments, transfers, actions, reward uses and
    /// membership references, once the member has any: allocated with the
    /// first, so a member who only buys carries one pointer for them.
    rare: Option<Box<Rare>>,
    /// What the bonuses add to the tier metrics (the orders' contributions
    /// are read off their records), how many contributions were filed,
    /// their sum, and the current window's.
    pub(crate) qualifying: Qualifying,
    /// Referrals: the member's code, who referred them, whom they
    /// referred; allocated with the first referral event.
    pub(crate) referrals: Option<Box<ReferralBook>>,
    pub(crate) journal: Journal,
    /// When something next falls due, as filed in the ledger's due index.
    pub(crate) due: Option<DateTime<Utc>>,
}

/// Accounts compare and hash field by field in the order they were
/// declared before the rare records moved behind a pointer, each rare map
/// read as empty when not allocated, and the list of which order formed
/// each lot read off the orders: the fingerprint does not depend on how
/// they are held.
impl Account {
    /// Every field of the account, the rare maps read as empty when not
    /// allocated: what `==` and the fingerprint go by, in the order the
    /// fields were declared before the rare records moved behind a
    /// pointer.
    fn fields(&self) -> impl PartialEq + std::hash::Hash + '_ {
        let rare = self.rare();
        (
            (
                &self.member,
                self.wallet.enrolled_at,
                &self.wallet,
                super::orders::OrdersOf {
                    member: &self.member,
                    orders: &self.orders,
                },
                RedemptionsOf {
                    member: &self.member,
                    redemptions: &self.redemptions,
                    beside: Beside {
                        orders: &self.orders,
                        rewards: &rare.rewards_used,
                    },
                },
                Recorded {
                    member: &self.member,
                    list: &rare.refunds,
                },
                Recorded {
                    member: &self.member,
                    list: &rare.adjustments,
                },
                &rare.transfers,
                self.orders.lots_formed(),
                &self.sign_up,
            ),
            (
                &rare.actions,
                &rare.action_times,
                self.uses_by_reward(),
                self.qualifying.entries(&self.orders),
                self.qualifying.total(),
                &rare.membership_refs,
                &self.referrals,
                self.journal.read(self.journal_lists()),
                self.due,
            ),
        )
    }
}

impl Account {
    /// The member's redemptions of `reward` (cancellations left out), as
    /// its usage limits count them.
    pub(crate) fn reward_uses<'a>(&'a self, reward: &'a RewardId) -> RewardUses<'a> {
        RewardUses {
            redemptions: &self.redemptions,
            rewards: &self.rare().rewards_used,
            reward,
        }
    }

    /// The times of each reward's uses (cancellations left out), oldest
    /// first, by reward: what `==` and the fingerprint read where the
    /// account kept those times, as the ordered map it kept them in
    /// first. Read off the redemptions' records.
    fn uses_by_reward(&self) -> Vec<(&RewardId, Vec<DateTime<Utc>>)> {
        let rewards = &self.rare().rewards_used;
        let mut by: Vec<(&RewardId, Vec<DateTime<Utc>>)> = rewards
            .rewards()
            .map(|reward| (reward, Vec::new()))
            .collect();
        for record in self.redemptions.records() {
            if record.cancelled().is_some() {
                continue;
            }
            if let Some((_, times)) = record
                .reward_place(rewards)
                .and_then(|place| by.get_mut(place))
            {
                times.push(record.at());
            }
        }
        by.sort_unstable_by_key(|(a, _)| *a);
        by
    }
}

/// A member's redemptions of one reward, cancellations left out, read
/// off their records (see [`Account::reward_uses`]).
pub(crate) struct RewardUses<'a> {
    redemptions: &'a Redemptions,
    rewards: &'a RewardsUsed,
    reward: &'a RewardId,
}

impl crate::rewards::Uses for RewardUses<'_> {
    /// As the member's rewards redeemed count it.
    fn total(&self) -> usize {
        usize::try_from(self.rewards.count(self.reward)).unwrap_or(usize::MAX)
    }

    /// The records newest first, back to `since`: a member's events come
    /// in time order, so the records are filed in it.
    fn since(&self, since: DateTime<Utc>) -> usize {
        let Some(place) = self.rewards.place(self.reward) else {
            return 0;
        };
        self.redemptions
            .records()
            .rev()
            .take_while(|record| record.at() >= since)
            .filter(|record| {
                record.cancelled().is_none() && record.reward_place(self.rewards) == Some(place)
            })
            .count()
    }
}

impl PartialEq for Account {
    fn eq(&self, other: &Account) -> bool {
        self.fields() == other.fields()
    }
}

impl Eq for Account {}

impl std::hash::Hash for Account {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.fields().hash(state);
    }
}

/// The referrals of a member who has none.
static EMPTY_BOOK: ReferralBook = ReferralBook::EMPTY;

/// A lot of spendable points, as [`Account::lots`] lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Lot {
    /// The lot.
    pub id: LotId,
    /// When it expires; `None` when it never does.
    pub expires_at: Option<DateTime<Utc>>,
    /// The points it holds.
    pub points: Points,
}

/// Points waiting to become spendable, as [`Account::pending`] lists them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct PendingPoints {
    /// The lot they will form.
    pub lot: LotId,
    /// The order that earned them.
    pub order: Reference,
    /// The points.
    pub points: Points,
    /// When they become spendable; `None` when the order must be confirmed.
    pub available_at: Option<DateTime<Utc>>,
}

impl Account {
    pub(crate) fn new(event: &MemberEnrolled) -> Account {
        Account {
            member: event.member.clone(),
            wallet: Wallet::new(event),
            orders: super::orders::Orders::default(),
            redemptions: Redemptions::default(),
            sign_up: None,
            rare: None,
            qualifying: Qualifying::default(),
            referrals: (!event.fingerprints.is_empty()).then(|| {
                let mut book = ReferralBook::default();
                book.fingerprints.extend(event.fingerprints.iter().cloned());
                Box::new(book)
            }),
            journal: Journal::default(),
            due: None,
        }
    }

    /// The member's referrals (empty before the first referral event).
    pub(crate) fn book(&self) -> &ReferralBook {
        self.referrals.as_deref().unwrap_or(&EMPTY_BOOK)
    }

    /// The member's own referral code, when one was issued.
    pub fn referral_code(&self) -> Option<&ReferralCode> {
        self.book().code.as_ref().map(|(code, _)| code)
    }

    /// Who referred the member, when someone did.
    pub fn referred_by(&self) -> Option<&MemberId> {
        self.book().referred.as_ref().map(|r| &r.referrer)
    }

    /// The member.
    pub fn member(&self) -> &MemberId {
        &self.member
    }

    /// When the member enrolled.
    pub fn enrolled_at(&self) -> DateTime<Utc> {
        self.wallet.enrolled_at
    }

    /// The member's birth date, when given at enrolment.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        self.wallet.birth_date
    }

    /// The time of the member's last event; commands dated earlier are
    /// refused as out of order.
    pub fn last_event_at(&self) -> DateTime<Utc> {
        self.wallet.last_event_at
    }

    /// The time of the member's last activity (see
    /// [`Expiry::AfterInactivity`](crate::Expiry::AfterInactivity)).
    pub fn last_activity_at(&self) -> DateTime<Utc> {
        self.wallet.last_activity_at
    }

    /// The tier the member qualified for, as of their last event. For the
    /// tier whose benefits apply now (a membership's included) and what
    /// falls due, read [`Ledger::tier_status`](crate::Ledger::tier_status).
    pub fn tier(&self) -> Option<&TierId> {
        self.wallet.tier.as_ref().map(|t| &t.tier)
    }

    /// The paid membership active as of the member's last event.
    pub fn membership(&self) -> Option<&RuleId> {
        self.wallet.membership.as_ref().map(|m| &m.id)
    }

    /// The member's figures as of their last event.
    pub fn balance(&self) -> Balance {
        self.wallet.balance
    }

    /// Points owed from clawbacks under
    /// [`NegativeBalance::Debt`](crate::NegativeBalance::Debt); later
    /// credits repay it first. Available points are the lots' points less
    /// this debt.
    pub fn debt(&self) -> Points {
        self.wallet.debt
    }

    /// Spendable lots, in the order they will be spent.
    pub fn lots(&self) -> impl Iterator<Item = Lot> + '_ {
        self.wallet.lots.iter().map(|(k, points)| Lot {
            id: k.lot(),
            expires_at: k.expires_at(),
            points,
        })
    }

    /// Points waiting to become spendable, by lot.
    pub fn pending(&self) -> impl Iterator<Item = PendingPoints> + '_ {
        self.wallet.pending.iter().map(|(lot, p)| PendingPoints {
            lot: *lot,
            order: p.order.clone(),
            points: p.points,
            available_at: p.available_at,
        })
    }

    /// Reads a word of each part of the account a purchase or a refund
    /// goes on to use (the newest order and lot, the tier and its
    /// window's running sum, the newest shape of the member's orders on a
    /// rung with a multiplier), all at once, as the command starts: on an
    /// account out of the processor's caches, their misses are then
    /// waited for together instead of one after another as the command
    /// reaches each part. The journal's newest run sits in the account
    /// itself. It changes nothing.
    ///
    /// What it saves is measured in the README's Performance section
    /// (the ninth round under "Where the engine stands"). A redemption,
    /// which spends the oldest lots rather than the newest, measured the
    /// same either way and does not call it. A replay reads
    /// the same parts ahead for each group of events it applies (see
    /// [`Accounts::read_ahead`](super::accounts::Accounts::read_ahead)),
    /// as most events it applies are purchases.
    pub(crate) fn warm(&self) {
        std::hint::black_box((
            self.orders.filed().last().map(|(_, record)| record.points),
            self.wallet.lots.newest_lasting(),
            self.wallet.tier.as_deref().map(|tier| tier.since),
            self.orders.shapes().newest().map(|shape| shape.rate),
            self.qualifying.window_latest(),
            self.wallet.balance.available,
            self.due,
        ));
    }

    /// As [`warm`](Account::warm), for the due work a tick decides: the
    /// first lot to expire, the first pending lot and the tier.
    pub(crate) fn warm_for_tick(&self) {
        std::hint::black_box((
            self.wallet.lots.iter().next().map(|(_, points)| points),
            self.wallet.pending.first_key_value().map(|(lot, _)| *lot),
            self.wallet.tier.as_deref().map(|tier| tier.since),
            self.wallet.balance.available,
        ));
    }

    /// Refunds, adjustments, transfers, actions, reward uses and
    /// membership references.
    pub(crate) fn rare(&self) -> &Rare {
        self.rare.as_deref().unwrap_or(&NO_RARE)
    }

    /// The lists the journal's entries name records of by position.
    fn journal_lists(&self) -> Lists<'_> {
        journal_lists(
            &self.orders,
            &self.redemptions,
            self.rare.as_deref(),
            &self.sign_up,
        )
    }

    /// The journal's entries, oldest first.
    pub(crate) fn journal_lines(
        &self,
    ) -> impl DoubleEndedIterator<Item = PostingView> + ExactSizeIterator {
        self.journal.iter(self.journal_lists())
    }

    /// The journal's entries, oldest first, without their references:
    /// for a read that sums them (see [`Journal::figures`]).
    pub(crate) fn journal_figures(
        &self,
    ) -> impl DoubleEndedIterator<Item = PostingView> + ExactSizeIterator {
        self.journal.figures(self.journal_lists())
    }

    /// How many orders the member has placed.
    pub fn order_count(&self) -> usize {
        self.orders.len()
    }

    fn duplicate(&self, kind: ReferenceKind, reference: &Reference) -> ApplyError {
        ApplyError::DuplicateReference {
            member: self.member.clone(),
            kind,
            reference: reference.clone(),
        }
    }

    /// Folds an event into the account, or changes nothing and says why.
    pub(crate) fn apply(&mut self, event: &Event) -> Result<(), ApplyError> {
        self.apply_known(event, None, None)
    }

    /// As [`apply`](Account::apply), with the quick hash of the new
    /// reference the event files when the caller found it already
    /// (deciding the command the event came from did): `known` must be
    /// the hash of the event's own reference of its kind, which deciding
    /// found not filed in this account (see [`NewReference`]), and is
    /// left aside for an event of another kind. With it, the event's
    /// exactly-once check is not made a second time. A refund's event
    /// looks for its order first at `order`, a place among the account's
    /// orders (see [`Orders::find_from`](super::orders::Orders::find_from)),
    /// as an account is looked for first at its slot.
    pub(crate) fn apply_known(
        &mut self,
        event: &Event,
        known: Option<NewReference>,
        order: Option<usize>,
    ) -> Result<(), ApplyError> {
        // Check the records first, then the wallet (which checks itself
        // whole before changing), then record: nothing is half-applied.
        let member = &self.member;
        // A new reference's quick hash, and whether deciding found the
        // reference not filed here: nothing has changed the account since,
        // so its exactly-once check stands.
        let known_as = |kind: ReferenceKind, reference: &Reference| match known {
            Some(k) if k.kind == kind => (k.hash, true),
            _ => (reference.quick_hash(), false),
        };
        // A new order's, redemption's, refund's or adjustment's quick
        // hash, found once for the check and the record; where the order
        // a refund, a settlement or a confirmation names is held, found
        // once for both too.
        let mut new_reference = None;
        let mut order_at = None;
        match event {
            Event::MemberEnrolled(_) => {
                return Err(ApplyError::AlreadyEnrolled {
                    member: member.clone(),
                });
            }
            Event::PurchaseRecorded(e) => {
                let (hash, found_new) = known_as(ReferenceKind::Order, &e.order);
                if !found_new && self.orders.contains_hashed(hash, &e.order) {
                    return Err(self.duplicate(ReferenceKind::Order, &e.order));
                }
                new_reference = Some(hash);
                for (i, r) in e.redemptions.iter().enumerate() {
                    let usable = self
                        .redemptions
                        .get(r)
                        .is_some_and(|rec| !rec.is_used() && rec.cancelled().is_none());
                    if !usable || e.redemptions.iter().take(i).any(|x| x == r) {
                        return Err(ApplyError::UnknownRedemption {
                            member: member.clone(),
                            redemption: r.clone(),
                        });
                    }
                }
            }
            Event::OrderConfirmed(e) => {
                match self.orders.find(&e.order) {
                    None => return Err(self.unknown_order(&e.order)),
                    Some((_, o)) if o.is_confirmed() => {
                        return Err(self.duplicate(ReferenceKind::Order, &e.order));
                    }
                    Some((at, _)) => order_at = Some(at),
                }
                if let Some(c) = &e.credit {
                    self.check_pending_order(c.lot, &e.order, event.kind())?;
                }
            }
            Event::PointsSettled(e) => {
                order_at = Some(self.check_settled(e)?);
            }
            Event::RewardRedeemed(e) => {
                let (hash, found_new) = known_as(ReferenceKind::Redemption, &e.redemption);
                if !found_new && self.redemptions.contains_hashed(hash, &e.redemption) {
                    return Err(self.duplicate(ReferenceKind::Redemption, &e.redemption));
                }
                new_reference = Some(hash);
            }
            Event::RedemptionCancelled(e) => {
                let cancellable = self
                    .redemptions
                    .get(&e.redemption)
                    .is_some_and(|r| !r.is_used() && r.cancelled().is_none());
                if !cancellable {
                    return Err(ApplyError::UnknownRedemption {
                        member: member.clone(),
                        redemption: e.redemption.clone(),
                    });
                }
            }
            Event::OrderRefunded(e) => {
                let (hash, found_new) = known_as(ReferenceKind::Refund, &e.refund);
                if !found_new && self.rare().refunds.contains_hashed(hash, &e.refund) {
                    return Err(self.duplicate(ReferenceKind::Refund, &e.refund));
                }
                new_reference = Some(hash);
                let Some((at, order)) = self.orders.find_from(order, &e.order) else {
                    return Err(self.unknown_order(&e.order));
                };
                order_at = Some(at);
                let expected_total = order.refunded().checked_add(e.amount)?;
                let free = order.amount().is_zero();
                if expected_total != e.refunded_total
                    || crate::money::compare_decimals(
                        e.refunded_total.amount(),
                        order.decimal_amount(),
                    )
                    .is_gt()
                    || order.fully_refunded()
                    || (e.amount.is_zero() && !free)
                {
                    return Err(ApplyError::Malformed {
                        member: member.clone(),
                        event: event.kind(),
                        problem: "its refunded total does not follow the order's refunds",
                    });
                }
                for r in &e.restored {
                    let Some(rec) = self
                        .redemptions
                        .get(&r.redemption)
                        .filter(|rec| rec.used_by(&self.orders).as_ref() == Some(&e.order))
                    else {
                        return Err(ApplyError::UnknownRedemption {
                            member: member.clone(),
                            redemption: r.redemption.clone(),
                        });
                    };
                    if rec.restored().checked_add(r.points)? > rec.points() {
                        return Err(ApplyError::Malformed {
                            member: member.clone(),
                            event: event.kind(),
                            problem: "it restores more points than the redemption spent",
                        });
                    }
                }
                if order.clawed_back().checked_add(e.clawback.points)? > order.points() {
                    return Err(ApplyError::Malformed {
                        member: member.clone(),
                        event: event.kind(),
                        problem: "it claws back more points than the order earned",
                    });
                }
                if order.lapsed_counted().checked_add(e.clawback.expired)? > order.lapsed() {
                    return Err(ApplyError::Malformed {
                        member: member.clone(),
                        event: event.kind(),
                        problem: "it counts more expired points than the order's lot lost",
                    });
                }
            }
            Event::PointsAdjusted(e) => {
                let (hash, found_new) = known_as(ReferenceKind::Adjustment, &e.adjustment);
                if !found_new && self.rare().adjustments.contains_hashed(hash, &e.adjustment) {
                    return Err(self.duplicate(ReferenceKind::Adjustment, &e.adjustment));
                }
                new_reference = Some(hash);
            }
            Event::PointsTransferredOut(e) => {
                if self.rare().transfers.contains_key(&e.transfer) {
                    return Err(self.duplicate(ReferenceKind::Transfer, &e.transfer));
                }
            }
            Event::PointsTransferredIn(e) => {
                if self.rare().transfers.contains_key(&e.transfer) {
                    return Err(self.duplicate(ReferenceKind::Transfer, &e.transfer));
                }
            }
            Event::PointsExpired(_) => {}
            Event::BonusAwarded(e) => match &e.bonus {
                BonusKind::SignUp if self.sign_up.is_some() => {
                    return Err(ApplyError::Malformed {
                        member: member.clone(),
                        event: event.kind(),
                        problem: "a second sign-up bonus",
                    });
                }
                BonusKind::Birthday { year }
                    if self.wallet.birth_date.is_none()
                        || self.wallet.last_birthday.is_some_and(|last| *year <= last) =>
                {
                    return Err(ApplyError::Malformed {
                        member: member.clone(),
                        event: event.kind(),
                        problem: "a birthday bonus for a year already granted, or without a birth date",
                    });
                }
                BonusKind::Action { reference, .. }
                    if self.rare().actions.contains_key(reference) =>
                {
                    return Err(self.duplicate(ReferenceKind::Action, reference));
                }
                _ => {}
            },
            Event::TierChanged(e) => {
                if self.wallet.tier.as_ref().map(|t| &t.tier) != e.from.as_ref() {
                    return Err(ApplyError::Malformed {
                        member: member.clone(),
                        event: event.kind(),
                        problem: "it changes a tier the member does not hold",
                    });
                }
            }
            Event::TierReviewed(e) => {
                if self.wallet.tier.as_ref().map(|t| &t.tier) != Some(&e.tier) {
                    return Err(ApplyError::Malformed {
                        member: member.clone(),
                        event: event.kind(),
                        problem: "it reviews a tier the member does not hold",
                    });
                }
            }
            Event::MembershipStarted(e) => {
                if self.rare().membership_refs.contains_key(&e.reference) {
                    return Err(self.duplicate(ReferenceKind::Membership, &e.reference));
                }
                if self.wallet.membership.is_some() {
                    return Err(ApplyError::Malformed {
                        member: member.clone(),
                        event: event.kind(),
                        problem: "a membership while another is active",
                    });
                }
            }
            Event::MembershipRenewed(e) => {
                if let Some(r) = &e.reference
                    && self.rare().membership_refs.contains_key(r)
                {
                    return Err(self.duplicate(ReferenceKind::Membership, r));
                }
                if self.wallet.membership.as_ref().map(|m| &m.id) != Some(&e.membership) {
                    return Err(ApplyError::Malformed {
                        member: member.clone(),
                        event: event.kind(),
                        problem: "it renews a membership the member does not hold",
                    });
                }
            }
            Event::MembershipEnded(e) => {
                if let MembershipEnd::Cancelled { reference, .. } = &e.reason
                    && self.rare().membership_refs.contains_key(reference)
                {
                    return Err(self.duplicate(ReferenceKind::Membership, reference));
                }
                if self.wallet.membership.as_ref().map(|m| &m.id) != Some(&e.membership) {
                    return Err(ApplyError::Malformed {
                        member: member.clone(),
                        event: event.kind(),
                        problem: "it ends a membership the member does not hold",
                    });
                }
            }
            // The referral book checks these.
            Event::ReferralCodeIssued(_)
            | Event::FingerprintsRecorded(_)
            | Event::ReferralInvited(_)
            | Event::ReferralLinked(_)
            | Event::ReferralJoined(_)
            | Event::ReferralQualified(_)
            | Event::ReferralRewarded(_)
            | Event::ReferralWithheld(_)
            | Event::ReferralReversed(_) => {}
        }
        let book = ReferralBook::concerns(event);
        if book {
            self.book().check(member, event)?;
        }
        let entries = postings(event)?;
        self.wallet.apply(event, entries.as_slice())?;
        self.file(event, entries, new_reference, order_at);
        if book {
            self.referrals.get_or_insert_default().record(event);
        }
        Ok(())
    }

    /// As [`apply_known`](Account::apply_known), for a settlement or an
    /// expiry already folded into the wallet: deciding folded it into a
    /// copy, which the caller puts in place of the wallet once it has
    /// filed the events the copy holds (see
    /// [`Ledger::apply_own`](super::Ledger::apply_own)). The event's
    /// records are checked as `apply_known` checks them and filed, and
    /// its journal entries kept; the wallet is left as it is. Checking
    /// them reads nothing in the wallet that another of those events
    /// changes: a settlement reads its own pending lot, which no other
    /// settlement and no expiry takes. Any other event is refused,
    /// nothing changed.
    pub(crate) fn apply_folded(&mut self, event: &Event) -> Result<(), ApplyError> {
        let order_at = match event {
            Event::PointsSettled(e) => Some(self.check_settled(e)?),
            Event::PointsExpired(_) => None,
            _ => {
                return Err(ApplyError::Malformed {
                    member: self.member.clone(),
                    event: event.kind(),
                    problem: "it was not folded into the wallet it is filed with",
                });
            }
        };
        let entries = postings(event)?;
        self.file(event, entries, None, order_at);
        Ok(())
    }

    /// A settlement's checks against the records: its order recorded,
    /// its pending lot that order's. Gives where the order is filed.
    #[inline(always)]
    fn check_settled(&self, e: &PointsSettled) -> Result<usize, ApplyError> {
        let Some((at, _)) = self.orders.find(&e.order) else {
            return Err(self.unknown_order(&e.order));
        };
        self.check_pending_order(e.credit.lot, &e.order, "PointsSettled")?;
        Ok(at)
    }

    /// Files an event whose checks passed: its records (see
    /// [`record`](Account::record)), then its journal `entries`, which
    /// name a purchase's, a redemption's, a refund's or an adjustment's
    /// record, just filed, by position.
    #[inline(always)]
    fn file(
        &mut self,
        event: &Event,
        entries: Entries,
        new_reference: Option<u64>,
        order_at: Option<usize>,
    ) {
        let filed = self.record(event, new_reference, order_at);
        // The member's lists, for entries other than a fresh purchase's
        // (which reads its order alone): built only for those.
        let lists = || {
            journal_lists(
                &self.orders,
                &self.redemptions,
                self.rare.as_deref(),
                &self.sign_up,
            )
        };
        match entries {
            Entries::None => {}
            Entries::One(p) => match (event, filed) {
                (Event::PurchaseRecorded(_), Some((List::Orders, i))) => {
                    self.journal.push_purchase(p, i, &self.orders);
                }
                _ => self.journal.push_reading(p, filed, &self.orders, lists),
            },
            Entries::Many(ps) => {
                for p in ps {
                    self.journal.push_reading(p, filed, &self.orders, lists);
                }
            }
        }
    }

    /// Settling `lot` for `order`: the pending lot must be that order's.
    fn check_pending_order(
        &self,
        lot: LotId,
        order: &Reference,
        event: &'static str,
    ) -> Result<(), ApplyError> {
        match self.wallet.pending.get(&lot) {
            Some(p) if &p.order == order => Ok(()),
            _ => Err(ApplyError::Malformed {
                member: self.member.clone(),
                event,
                problem: "it settles a pending lot of another order",
            }),
        }
    }

    fn unknown_order(&self, order: &Reference) -> ApplyError {
        ApplyError::UnknownOrder {
            member: self.member.clone(),
            order: order.clone(),
        }
    }

    /// What the orders and bonuses recorded from `start` (the first, when
    /// `None`) until `end` (not included) add to the tier metrics, less
    /// refunds and clawbacks.
    pub(crate) fn qualifying_between(
        &self,
        start: Option<DateTime<Utc>>,
        end: DateTime<Utc>,
    ) -> Contribution {
        self.qualifying
            .between(&self.orders, start, end, self.wallet.last_event_at)
    }

    /// Marks the redemptions whose discounts `e`'s order used, just
    /// filed at `filed`, as used by it: they name it by its place among
    /// the orders (which the checks found new; an order filed before is
    /// looked up). Out of line: most purchases use none.
    #[inline(never)]
    fn use_redemptions(&mut self, e: &PurchaseRecorded, filed: Option<usize>) {
        let Some(at) = self.order_at(filed, &e.order) else {
            return;
        };
        for r in &e.redemptions {
            if let Some(mut rec) = self.redemptions.get_mut(r) {
                rec.use_by(&e.order, at);
            }
        }
    }

    /// Where `order` is filed among the orders: `checked`, where the
    /// check found it, or looked up.
    fn order_at(&self, checked: Option<usize>, order: &Reference) -> Option<usize> {
        checked.or_else(|| self.orders.find(order).map(|(at, _)| at))
    }

    /// Updates the records; every check already passed. `new_reference`
    /// is the quick hash of a purchase's order, a redemption's, a
    /// refund's or an adjustment's reference, which the check found not
    /// recorded; `order_at` where the check found the order a refund, a
    /// settlement or a confirmation names. Says in which list, and where,
    /// such a new record was filed.
    /// Inlined into its one caller, [`Account::apply`]: left to itself,
    /// the compiler kept it apart once the lots' code grew, at some 20
    /// instructions an event.
    #[inline(always)]
    fn record(
        &mut self,
        event: &Event,
        new_reference: Option<u64>,
        order_at: Option<usize>,
    ) -> Option<(List, usize)> {
        let mut filed = None;
        match event {
            Event::MemberEnrolled(_) => {}
            // A settlement's or a confirmation's journal entry names its
            // order by position, instead of keeping its reference again.
            Event::PointsSettled(e) => {
                filed = self
                    .order_at(order_at, &e.order)
                    .map(|at| (List::Orders, at));
            }
            Event::BonusAwarded(e) => {
                self.qualifying.file_bonus(e.at, e.points.value());
                match &e.bonus {
                    BonusKind::SignUp => {
                        self.sign_up = Some(Box::new(SignUpBonus::of(e)));
                        filed = Some((List::SignUp, 0));
                    }
                    BonusKind::Birthday { .. } => {}
                    BonusKind::Action { action, reference } => {
                        let rare = rare_mut(&mut self.rare);
                        rare.actions.insert(reference.clone(), e.clone());
                        rare.action_times.push(action, e.at);
                    }
                }
            }
            Event::TierChanged(_) | Event::TierReviewed(_) => {}
            Event::MembershipStarted(e) => {
                rare_mut(&mut self.rare)
                    .membership_refs
                    .insert(e.reference.clone(), event.clone());
            }
            Event::MembershipRenewed(e) => {
                if let Some(r) = &e.reference {
                    rare_mut(&mut self.rare)
                        .membership_refs
                        .insert(r.clone(), event.clone());
                }
            }
            Event::MembershipEnded(e) => {
                if let MembershipEnd::Cancelled { reference, .. } = &e.reason {
                    rare_mut(&mut self.rare)
                        .membership_refs
                        .insert(reference.clone(), event.clone());
                }
            }
            Event::PointsExpired(e) => {
                for d in &e.draws {
                    if let Some(mut o) = self.orders.of_lot_mut(d.lot)
                        && let Some(after) = o.after_mut()
                    {
                        after.lapsed =
                            Points::new(after.lapsed.value().saturating_add(d.points.value()));
                    }
                }
            }
            Event::PurchaseRecorded(e) => {
                let fee = self
                    .wallet
                    .membership
                    .as_ref()
                    .and_then(|m| m.fee_order.as_ref())
                    == Some(&e.order);
                let hash = new_reference.unwrap_or_else(|| e.order.quick_hash());
                let position = self
                    .orders
                    .insert_new(&e.order, hash, |shapes| OrderRecord::of(e, shapes));
                if !e.redemptions.is_empty() {
                    self.use_redemptions(e, position);
                }
                // Only a filed order counts toward the tier metrics: its
                // record is where its contribution is read later (here, a
                // new record's is the event's, nothing refunded yet).
                if let Some(at) = position {
                    let key = if fee {
                        None
                    } else {
                        self.qualifying
                            .file_order(e.at, bought(e.amount.amount(), e.points))
                    };
                    self.orders.set_key(at, key);
                }
                filed = position.map(|i| (List::Orders, i));
            }
            Event::OrderConfirmed(e) => {
                if let Some(at) = self.order_at(order_at, &e.order) {
                    if let Some(mut o) = self.orders.filed_mut(at) {
                        o.confirm(e);
                    }
                    filed = Some((List::Orders, at));
                }
            }
            Event::RewardRedeemed(e) => {
                let reward_at = rare_mut(&mut self.rare).rewards_used.redeemed(&e.reward);
                let hash = new_reference.unwrap_or_else(|| e.redemption.quick_hash());
                filed = self
                    .redemptions
                    .insert_new(&e.redemption, hash, || RedemptionRecord::of(e, reward_at))
                    .map(|i| (List::Redemptions, i));
            }
            Event::RedemptionCancelled(e) => {
                if let Some(mut r) = self.redemptions.get_mut(&e.redemption) {
                    r.cancel(e);
                    let rare = rare_mut(&mut self.rare);
                    if let Some(place) = r.view().reward_place(&rare.rewards_used) {
                        rare.rewards_used.cancelled(place);
                    }
                }
            }
            Event::OrderRefunded(e) => {
                let order = self
                    .order_at(order_at, &e.order)
                    .and_then(|at| self.orders.filed_mut(at));
                if let Some(mut o) = order {
                    let fully = e.refunded_total.amount() == o.view().decimal_amount();
                    if let Some(key) = o.key() {
                        let lost = Contribution {
                            spend: e.amount.amount(),
                            points: e.clawback.points.value(),
                            orders: i64::from(fully),
                        };
                        self.qualifying.reduce(key, lost);
                    }
                    if let Some(after) = o.after_mut() {
                        after.refunded = e.refunded_total;
                        after.fully_refunded = fully;
                        after.clawed_back = Points::new(
                            after
                                .clawed_back
                                .value()
                                .saturating_add(e.clawback.points.value()),
                        );
                        after.lapsed_counted = Points::new(
                            after
                                .lapsed_counted
                                .value()
                                .saturating_add(e.clawback.expired.value()),
                        );
                    }
                }
                for r in &e.restored {
                    if let Some(mut rec) = self.redemptions.get_mut(&r.redemption) {
                        rec.restore(r.points);
                    }
                }
                let hash = new_reference.unwrap_or_else(|| e.refund.quick_hash());
                filed = rare_mut(&mut self.rare)
                    .refunds
                    .insert_new(&e.refund, hash, || RefundRecord::of(e))
                    .map(|i| (List::Refunds, i));
            }
            Event::PointsAdjusted(e) => {
                let hash = new_reference.unwrap_or_else(|| e.adjustment.quick_hash());
                filed = rare_mut(&mut self.rare)
                    .adjustments
                    .insert_new(&e.adjustment, hash, || AdjustmentRecord::of(e))
                    .map(|i| (List::Adjustments, i));
            }
            Event::PointsTransferredOut(e) => {
                rare_mut(&mut self.rare)
                    .transfers
                    .insert(e.transfer.clone(), TransferRecord::Out(e.clone()));
            }
            Event::PointsTransferredIn(e) => {
                rare_mut(&mut self.rare)
                    .transfers
                    .insert(e.transfer.clone(), TransferRecord::In(e.clone()));
            }
            // The referral book records these.
            Event::ReferralCodeIssued(_)
            | Event::FingerprintsRecorded(_)
            | Event::ReferralInvited(_)
            | Event::ReferralLinked(_)
            | Event::ReferralJoined(_)
            | Event::ReferralQualified(_)
            | Event::ReferralRewarded(_)
            | Event::ReferralWithheld(_)
            | Event::ReferralReversed(_) => {}
        }
        filed
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::hash::{Hash, Hasher};

    use super::*;
    use crate::id::RefKey;

    fn fingerprint(value: &(impl Hash + ?Sized)) -> u64 {
        let mut hasher = crate::siphash::SipHasher24::new(1, 2);
        value.hash(&mut hasher);
        hasher.finish()
    }

    /// A redemption's record on its own, with its extras if it has any
    /// (held as a member's redemptions hold the first's).
    pub(crate) struct LoneRedemption {
        record: RedemptionRecord,
        extras: RareParts<RedemptionExtras>,
    }

    impl LoneRedemption {
        /// The record of `e`, whose reward is at `reward_at`.
        pub(crate) fn of(e: &RewardRedeemed, reward_at: usize) -> LoneRedemption {
            let (record, made) = RedemptionRecord::of(e, reward_at);
            let mut extras = RareParts::default();
            if let Some(made) = made {
                let _ = extras.get_or_insert_with(0, || made);
            }
            LoneRedemption { record, extras }
        }

        /// The redemption, read.
        pub(crate) fn view(&self) -> Redemption<'_> {
            Redemption {
                record: &self.record,
                extras: self.extras.of(self.record.has_extras(), 0),
            }
        }

        /// The redemption, to change.
        pub(crate) fn edit(&mut self) -> RedemptionMut<'_> {
            RedemptionMut {
                record: &mut self.record,
                extras: &mut self.extras,
                at: 0,
            }
        }
    }

    /// An order's record on its own, with its rare part if it has one
    /// (held as a member's orders hold the first order's).
    #[derive(Debug, Clone)]
    pub(crate) struct Lone {
        record: OrderRecord,
        rare: RareParts<More>,
        numbers: Numbers,
    }

    impl Lone {
        /// The record of `e`, among tier `shapes`.
        pub(crate) fn of(e: &PurchaseRecorded, shapes: &mut Shapes) -> Lone {
            let (mut record, more, lot) = OrderRecord::of(e, shapes);
            // Not filed among the tier metrics' contributions.
            record.set_counts(false);
            let mut rare = RareParts::<More>::default();
            if let Some(more) = more {
                let _ = rare.get_or_insert_with(0, || more);
            }
            let numbers = Numbers {
                lot: lot.unwrap_or_default(),
                key: 0,
            };
            Lone {
                record,
                rare,
                numbers,
            }
        }

        /// The order, read.
        pub(crate) fn view(&self) -> Order<'_> {
            Order::new(
                &self.record,
                self.rare.of(self.record.has_more(), 0),
                self.numbers,
            )
        }

        /// The order, to change.
        pub(crate) fn edit(&mut self) -> OrderMut<'_> {
            OrderMut::new(&mut self.record, &mut self.rare, 0, self.numbers)
        }

        /// The record and its rare part, to file among orders.
        pub(crate) fn parts(&self) -> (OrderRecord, Option<Box<More>>, Option<u32>) {
            let more = self.view().more.map(|more| Box::new(more.clone()));
            // The lot's number when the record holds the lot.
            let lot = self.record.earned.lot(self.numbers.lot, None);
            let lot = lot.and_then(|lot| u32::try_from(lot.number()).ok());
            (self.record.clone(), more, lot)
        }

        /// Says the order's points formed `earned` instead, held as
        /// [`OrderRecord::of`] would hold it.
        pub(crate) fn set_earned(&mut self, earned: OrderLot) {
            let lot = self.edit().set_earned(earned);
            self.numbers.lot = lot.unwrap_or_default();
        }

        /// Whether it has a rare part.
        pub(crate) fn has_more(&self) -> bool {
            self.view().more.is_some()
        }
    }

    /// A record of a plain purchase.
    pub(crate) fn recorded() -> Option<Lone> {
        let event = PurchaseRecorded {
            member: "marta".parse().ok()?,
            order: "ORD-1".parse().ok()?,
            at: "2026-01-12T10:00:00Z".parse().ok()?,
            amount: "57.40 EUR".parse().ok()?,
            points: Points::new(57),
            breakdown: EarnLines::new(),
            credit: None,
            pending: None,
            redemptions: Vec::new(),
            cart: None,
        };
        Some(Lone::of(&event, &mut Shapes::default()))
    }

    /// A ledger under the program `config` (JSON) with Marta enrolled at
    /// the start of 2026: the ledger, her id, that time and the log.
    fn marta_enrolled(config: &str) -> (crate::Ledger, MemberId, DateTime<Utc>, Vec<Event>) {
        let program: crate::Program = serde_json::from_str(config).unwrap();
        let mut ledger = crate::Ledger::new(program);
        let start: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
        let marta: MemberId = "marta".parse().unwrap();
        let log = ledger
            .execute(crate::Enroll::new(marta.clone(), start))
            .unwrap()
            .events;
        (ledger, marta, start, log)
    }

    proptest::proptest! {
        /// Whatever rewards a member redeems and cancels, the uses read
        /// off the redemptions' records (the times of each reward's
        /// standing redemptions, their count, and those since a time)
        /// are what the list of times the account kept before said, and
        /// compare and hash as that list did.
        #[test]
        fn a_rewards_uses_are_read_off_its_redemptions_as_the_list_of_times_said(
            steps in proptest::collection::vec((0_u8..3, 0_u8..4, proptest::bool::weighted(0.3)), 1..30),
        ) {
            use crate::rewards::Uses;
            use crate::{Cart, CancelRedemption, Purchase, Redeem};
            let (mut ledger, marta, start, _) = marta_enrolled(
                r#"{"currency": "EUR", "earn": {"points": 1, "per": "1.00", "rounding": "floor"},
                    "rewards": [
                        {"id": "r0", "name": "r0", "kind": "fixed_amount_off", "cost": 1, "amount": "1.00"},
                        {"id": "r1", "name": "r1", "kind": "fixed_amount_off", "cost": 1, "amount": "1.00"},
                        {"id": "r2", "name": "r2", "kind": "fixed_amount_off", "cost": 1, "amount": "1.00"}]}"#,
            );
            let buy = Purchase::new(marta.clone(), "ORD-1".parse().unwrap(), "1000.00 EUR".parse().unwrap(), start);
            ledger.execute(buy).unwrap();
            let mut kept: TimesBy<RewardId> = TimesBy::new();
            let mut redeemed: Vec<(Reference, RewardId, DateTime<Utc>)> = Vec::new();
            for (i, (reward, hours, cancel)) in steps.into_iter().enumerate() {
                // Some at the same time as the one before.
                let at = start + chrono::TimeDelta::days(1) + chrono::TimeDelta::hours(i64::from(hours) + 4 * i as i64 / 3);
                let at = at.max(ledger.account(&marta).unwrap().last_event_at());
                if cancel && let Some(k) = redeemed.len().checked_sub(usize::from(hours) + 1) {
                    let (reference, reward, was) = redeemed.remove(k);
                    ledger.execute(CancelRedemption::new(marta.clone(), reference, at)).unwrap();
                    if let Some(times) = kept.get_mut(&reward)
                        && let Some(i) = times.iter().rposition(|t| *t == was)
                    {
                        times.remove(i);
                    }
                    continue;
                }
                let reward: RewardId = format!("r{reward}").parse().unwrap();
                let reference: Reference = format!("RDM-{i}").parse().unwrap();
                let redeem = Redeem::new(marta.clone(), reference.clone(), reward.clone(), Cart::new("10.00 EUR".parse().unwrap()), at);
                ledger.execute(redeem).unwrap();
                kept.push(&reward, at);
                redeemed.push((reference, reward, at));
            }
            let account = ledger.account(&marta).unwrap();
            let read = account.uses_by_reward();
            // Every reward redeemed, in reward order (r0, r1, r2).
            let as_kept: Vec<(RewardId, Vec<DateTime<Utc>>)> = (0..3)
                .map(|k| format!("r{k}").parse::<RewardId>().unwrap())
                .filter(|r| kept.place(r).is_some())
                .map(|r| { let times = kept.of(&r).to_vec(); (r, times) })
                .collect();
            let read_owned: Vec<(RewardId, Vec<DateTime<Utc>>)> =
                read.iter().map(|(r, times)| ((*r).clone(), times.clone())).collect();
            proptest::prop_assert_eq!(&read_owned, &as_kept);
            let hash = |value: &dyn Fn(&mut std::hash::DefaultHasher)| {
                let mut hasher = std::hash::DefaultHasher::new();
                value(&mut hasher);
                std::hash::Hasher::finish(&hasher)
            };
            proptest::prop_assert_eq!(
                hash(&|h| std::hash::Hash::hash(&read, h)),
                hash(&|h| std::hash::Hash::hash(&kept, h))
            );
            for k in 0..3 {
                let reward: RewardId = format!("r{k}").parse().unwrap();
                let uses = account.reward_uses(&reward);
                let times = kept.of(&reward);
                proptest::prop_assert_eq!(uses.total(), times.total());
                for hours in [0, 5, 13, 26, 100] {
                    let since = start + chrono::TimeDelta::days(1) + chrono::TimeDelta::hours(hours);
                    proptest::prop_assert_eq!(uses.since(since), times.since(since), "since {}", since);
                }
            }
        }
    }

    /// An order confirmed for its whole pending lot keeps its
    /// confirmation on its record's lot and allocates no rare part,
    /// whatever fraction of a second either time has (for points that
    /// never expire; see the next test); one confirmed after a refund took
    /// some of its pending points keeps it in the rare part. Either gives
    /// the event back for a retry's receipt, and a replay of the log is
    /// the same ledger with the same fingerprint.
    #[test]
    fn a_common_confirmation_is_kept_on_the_orders_lot() {
        use crate::{Confirm, Ledger, Purchase, Refund};
        let (mut ledger, marta, start, mut log) = marta_enrolled(
            r#"{"currency": "EUR", "earn": {"points": 1, "per": "1.00", "rounding": "floor"},
                "pending": {"settle": "on_confirmation"}}"#,
        );
        let program = ledger.program().clone();
        let hours = |h: i64| start + chrono::TimeDelta::hours(h);
        let nanos = |h: i64, n: i64| hours(h) + chrono::TimeDelta::nanoseconds(n);
        for (n, at) in [hours(0), hours(1), hours(2), nanos(3, 123_456_789)]
            .into_iter()
            .enumerate()
        {
            let buy = Purchase::new(
                marta.clone(),
                format!("ORD-{n}").parse().unwrap(),
                "57.40 EUR".parse().unwrap(),
                at,
            );
            log.extend(ledger.execute(buy).unwrap().events);
        }
        let refund = Refund::new(
            marta.clone(),
            "ORD-2".parse().unwrap(),
            "RF-2".parse().unwrap(),
            "10.00 EUR".parse().unwrap(),
            hours(4),
        );
        log.extend(ledger.execute(refund).unwrap().events);
        let confirmations = [
            ("ORD-0", hours(24)),
            ("ORD-1", hours(25) + chrono::TimeDelta::milliseconds(500)),
            ("ORD-2", hours(26)),
            ("ORD-3", nanos(27, 987_654_321)),
        ];
        for (order, at) in confirmations {
            let confirm = Confirm::new(marta.clone(), order.parse().unwrap(), at);
            log.extend(ledger.execute(confirm).unwrap().events);
        }
        let account = ledger.account(&marta).unwrap();
        let record = |order: &str| account.orders.get(&order.parse().unwrap()).unwrap();
        assert!(record("ORD-0").more.is_none());
        assert!(record("ORD-1").more.is_none(), "a fraction of a second off");
        assert!(record("ORD-2").more.is_some(), "part of its lot refunded");
        assert!(record("ORD-3").more.is_none(), "both to the nanosecond");
        // Every confirmation's journal entry is read off its order's
        // record, wherever the record keeps it: only the refund's is held
        // in full.
        assert_eq!(account.journal.held_in_full(), 1);
        let settled: Vec<_> = account
            .journal_lines()
            .filter(|line| line.kind == EntryKind::Settled)
            .map(|line| (line.reference.unwrap(), line.at, line.available))
            .collect();
        let confirmed: Vec<_> = log
            .iter()
            .filter_map(|event| match event {
                Event::OrderConfirmed(e) => Some((e.order.clone(), e.at, e.credit.unwrap().points)),
                _ => None,
            })
            .collect();
        assert_eq!(settled, confirmed);
        for event in &log {
            let Event::OrderConfirmed(e) = event else {
                continue;
            };
            let held = record(e.order.as_str()).confirmed().unwrap();
            assert_eq!(&held.event(&marta, &e.order), e);
            // The order's own lot still reads as the pending lot it formed.
            let pending = record(e.order.as_str()).pending().unwrap();
            assert_eq!(pending.available_at, None);
        }
        let replayed = Ledger::replay(program, &log).unwrap();
        assert_eq!(&replayed, &ledger);
        assert_eq!(replayed.state_hash(), ledger.state_hash());

        // Confirming again repeats the receipt, read off the lot.
        for order in ["ORD-0", "ORD-1", "ORD-3"] {
            let again = ledger
                .execute(Confirm::new(
                    marta.clone(),
                    order.parse().unwrap(),
                    hours(30),
                ))
                .unwrap();
            assert!(again.duplicate && again.events.is_empty());
            let Some(Event::OrderConfirmed(first)) = log
                .iter()
                .find(|e| matches!(e, Event::OrderConfirmed(c) if c.order.as_str() == order))
            else {
                unreachable!("{order} was confirmed")
            };
            assert_eq!(
                again.receipt,
                crate::Receipt::Confirmation(super::super::receipt::ConfirmationReceipt::new(
                    first
                ))
            );
        }
    }

    /// Points that expire keep their expiry where a confirmation at
    /// another fraction of a second than the order's would keep its
    /// nanoseconds: such a confirmation is held in the rare part, one at
    /// the order's fraction on the lot, and both read back as they were.
    #[test]
    fn a_confirmation_of_expiring_points_off_the_orders_fraction_is_held_in_full() {
        use crate::{Confirm, Ledger, Purchase};
        let (mut ledger, marta, start, mut log) = marta_enrolled(
            r#"{"currency": "EUR", "earn": {"points": 1, "per": "1.00", "rounding": "floor"},
                "pending": {"settle": "on_confirmation"}, "expiry": {"policy": "after_earning", "days": 365}}"#,
        );
        let program = ledger.program().clone();
        let at = |h: i64, n: i64| {
            start + chrono::TimeDelta::hours(h) + chrono::TimeDelta::nanoseconds(n)
        };
        let steps = [
            ("ORD-0", at(0, 250), at(24, 250)),
            ("ORD-1", at(1, 250), at(25, 999)),
        ];
        for (order, placed, _) in steps {
            let buy = Purchase::new(
                marta.clone(),
                order.parse().unwrap(),
                "57.40 EUR".parse().unwrap(),
                placed,
            );
            log.extend(ledger.execute(buy).unwrap().events);
        }
        for (order, _, confirmed) in steps {
            let confirm = Confirm::new(marta.clone(), order.parse().unwrap(), confirmed);
            log.extend(ledger.execute(confirm).unwrap().events);
        }
        let account = ledger.account(&marta).unwrap();
        let record = |order: &str| account.orders.get(&order.parse().unwrap()).unwrap();
        assert!(record("ORD-0").more.is_none(), "the order's fraction");
        assert!(record("ORD-1").more.is_some(), "another fraction");
        for event in &log {
            if let Event::OrderConfirmed(e) = event {
                let held = record(e.order.as_str()).confirmed().unwrap();
                assert_eq!(&held.event(&marta, &e.order), e);
                let pending = record(e.order.as_str()).pending().unwrap();
                assert!(pending.expires_at.is_some());
            }
        }
        let replayed = Ledger::replay(program, &log).unwrap();
        assert_eq!(&replayed, &ledger);
        assert_eq!(replayed.state_hash(), ledger.state_hash());
    }

    /// A member who joins with a sign-up bonus, buys, redeems, is
    /// adjusted and has a redemption cancelled: the bonus's, purchases',
    /// redemptions' and adjustments' journal entries are read off their
    /// records (only the cancellation's is held in full), the statement
    /// says what the events said, and a replay compares and hashes alike.
    #[test]
    fn redemption_and_adjustment_journal_entries_are_read_off_their_records() {
        use crate::{Adjust, CancelRedemption, Cart, Ledger, Purchase, Redeem};
        let (mut ledger, marta, start, mut log) = marta_enrolled(
            r#"{"currency": "EUR", "earn": {"points": 1, "per": "1.00", "rounding": "floor"},
                "bonuses": {"sign_up": 20},
                "rewards": [{"id": "ten-off", "cost": 50, "kind": "fixed_amount_off", "amount": "10.00"}]}"#,
        );
        let program = ledger.program().clone();
        let at = |minutes: i64| start + chrono::TimeDelta::minutes(minutes);
        let mut execute = |ledger: &mut Ledger, command: crate::Command| {
            log.extend(ledger.execute(command).unwrap().events);
        };
        for n in 0..3 {
            let order = format!("ORD-{n}").parse().unwrap();
            let buy = Purchase::new(marta.clone(), order, "57.40 EUR".parse().unwrap(), at(n));
            execute(&mut ledger, buy.into());
        }
        for n in 0..2 {
            let redeem = Redeem::new(
                marta.clone(),
                format!("RD-{n}").parse().unwrap(),
                "ten-off".parse().unwrap(),
                Cart::new("40.00 EUR".parse().unwrap()),
                at(10 + n),
            );
            execute(&mut ledger, redeem.into());
        }
        let adjust = |n: i64, points: i64| {
            Adjust::new(
                marta.clone(),
                format!("ADJ-{n}").parse().unwrap(),
                Points::new(points),
                "goodwill",
                at(20 + n),
            )
        };
        execute(&mut ledger, adjust(0, 25).into());
        execute(&mut ledger, adjust(1, -5).into());
        let cancel = CancelRedemption::new(marta.clone(), "RD-1".parse().unwrap(), at(30));
        execute(&mut ledger, cancel.into());
        let account = ledger.account(&marta).unwrap();
        assert_eq!(account.journal.held_in_full(), 1, "the cancellation alone");
        let lines: Vec<(EntryKind, i64, Option<String>)> = account
            .journal_lines()
            .map(|p| (p.kind, p.available.value(), p.reference.map(String::from)))
            .collect();
        let expected = [
            (EntryKind::Bonus, 20, Some("sign-up")),
            (EntryKind::Earned, 57, Some("ORD-0")),
            (EntryKind::Earned, 57, Some("ORD-1")),
            (EntryKind::Earned, 57, Some("ORD-2")),
            (EntryKind::Redeemed, -50, Some("RD-0")),
            (EntryKind::Redeemed, -50, Some("RD-1")),
            (EntryKind::Adjusted, 25, Some("ADJ-0")),
            (EntryKind::Adjusted, -5, Some("ADJ-1")),
            (EntryKind::RedemptionCancelled, 50, Some("RD-1")),
        ]
        .map(|(kind, points, reference)| (kind, points, reference.map(String::from)));
        assert_eq!(lines, expected);
        let replayed = Ledger::replay(program, &log).unwrap();
        assert_eq!(&replayed, &ledger);
        assert_eq!(replayed.state_hash(), ledger.state_hash());
    }

    /// A member who joins with a sign-up bonus and then only buys holds
    /// one run of lines in the account's journal, and nothing beside it:
    /// the bonus's entry is read off the bonus, the purchases' off their
    /// orders.
    #[test]
    fn a_sign_up_bonus_takes_no_journal_entry_of_its_own() {
        use crate::Purchase;
        let (mut ledger, marta, start, _) = marta_enrolled(
            r#"{"currency": "EUR", "earn": {"points": 1, "per": "1.00", "rounding": "floor"},
                "bonuses": {"sign_up": 20}}"#,
        );
        let account = ledger.account(&marta).unwrap();
        assert!(!account.journal.allocated());
        assert_eq!(account.journal_lines().len(), 1);
        let order = "ORD-0".parse().unwrap();
        let buy = Purchase::new(marta.clone(), order, "57.40 EUR".parse().unwrap(), start);
        ledger.execute(buy).unwrap();
        let account = ledger.account(&marta).unwrap();
        assert!(!account.journal.allocated());
        let bonus = account.journal_lines().next().unwrap();
        assert_eq!(
            (bonus.kind, bonus.available.value(), bonus.reference),
            (EntryKind::Bonus, 20, Some(crate::id::SIGN_UP.clone()))
        );
    }

    /// The account keeps a sign-up bonus in 32 bytes, its lines only when
    /// a cap cut it: either way, a repeated enrolment's receipt says what
    /// the first said, and a replay of the log is the same ledger.
    #[test]
    fn a_sign_up_bonus_is_kept_compact_and_read_back_whole() {
        use crate::{Enroll, Ledger};
        assert_eq!(std::mem::size_of::<SignUpBonus>(), 32);
        for (config, points, kept_lines) in [
            (
                r#"{"currency": "EUR", "bonuses": {"sign_up": 50}}"#,
                50,
                false,
            ),
            (
                r#"{"currency": "EUR", "bonuses": {"sign_up": 500},
                    "earn": {"limits": {"maximum_balance": 300}}}"#,
                300,
                true,
            ),
        ] {
            let program: crate::Program = serde_json::from_str(config).unwrap();
            let mut ledger = Ledger::new(program.clone());
            let at: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
            let marta: MemberId = "marta".parse().unwrap();
            let first = ledger.execute(Enroll::new(marta.clone(), at)).unwrap();
            let Some(Event::BonusAwarded(bonus)) = first.events.last() else {
                panic!("a sign-up bonus: {:?}", first.events);
            };
            assert_eq!(bonus.points.value(), points);
            let kept = ledger.account(&marta).unwrap().sign_up.as_deref().unwrap();
            assert_eq!(kept.lines.is_some(), kept_lines);
            assert_eq!(kept.lines(), bonus.breakdown);

            let again = ledger.execute(Enroll::new(marta.clone(), at)).unwrap();
            assert!(again.duplicate);
            assert_eq!(again.receipt, first.receipt);
            let replayed = Ledger::replay(program, &first.events).unwrap();
            assert_eq!(replayed.state_hash(), ledger.state_hash());
            assert!(replayed == ledger);
        }
    }

    /// Purchases whose points are spendable at once, pending, or none
    /// (a free order), and two settlements: the purchases' and the
    /// settlements' journal entries are read off their orders, and the
    /// statement says what the events said.
    #[test]
    fn a_purchase_journal_entry_is_read_off_its_order() {
        use crate::{Ledger, Purchase, Tick};
        let (mut ledger, marta, start, mut log) = marta_enrolled(
            r#"{"currency": "EUR", "earn": {"points": 1, "per": "1.00", "rounding": "floor"},
                "pending": {"days": 14}}"#,
        );
        let program = ledger.program().clone();
        for (n, amount) in ["57.40 EUR", "0.50 EUR", "120.00 EUR"].iter().enumerate() {
            let at = start + chrono::TimeDelta::days(n as i64);
            let order = Purchase::new(
                marta.clone(),
                format!("ORD-{n}").parse().unwrap(),
                amount.parse().unwrap(),
                at,
            );
            log.extend(ledger.execute(order).unwrap().events);
        }
        for day in [15, 17] {
            let tick = Tick::new(start + chrono::TimeDelta::days(day));
            log.extend(ledger.execute(tick).unwrap().events);
        }
        let account = ledger.account(&marta).unwrap();
        assert_eq!(account.journal.held_in_full(), 0);
        let lines: Vec<(i64, i64, Option<String>)> = account
            .journal_lines()
            .map(|p| {
                (
                    p.available.value(),
                    p.pending.value(),
                    p.reference.map(|r| r.to_string()),
                )
            })
            .collect();
        let order = |n: u32| Some(format!("ORD-{n}"));
        assert_eq!(
            lines,
            [
                (0, 57, order(0)),
                (0, 0, order(1)),
                (0, 120, order(2)),
                (57, -57, order(0)),
                (120, -120, order(2))
            ]
        );
        let first = account.journal_lines().next().unwrap();
        assert_eq!((first.at, first.kind), (start, EntryKind::Earned));
        // Read from either end alike.
        let mut backwards: Vec<_> = account.journal_lines().rev().collect();
        backwards.reverse();
        assert!(backwards.into_iter().eq(account.journal_lines()));
        assert_eq!(&Ledger::replay(program, &log).unwrap(), &ledger);
    }

    /// A refund's event looks for its order first where deciding found
    /// it: any place given finds the order (there or by its reference),
    /// and an unknown order is unknown wherever it is looked for.
    #[test]
    fn an_order_is_found_wherever_it_is_looked_for_first() {
        use super::super::orders::Orders;
        let Some(record) = recorded() else {
            unreachable!("the record's fields parse")
        };
        let mut orders = Orders::default();
        let reference = |n: usize| Reference::new(format!("O-{n}")).unwrap();
        for n in 0..5 {
            orders.insert(reference(n), |_| record.parts());
        }
        let places = [None, Some(0), Some(2), Some(4), Some(5), Some(usize::MAX)];
        for n in 0..5 {
            for place in places {
                let found = orders.find_from(place, &reference(n)).map(|(at, _)| at);
                assert_eq!(found, Some(n), "order {n} looked for first at {place:?}");
            }
        }
        for place in places {
            assert!(orders.find_from(place, &reference(9)).is_none());
        }
    }

    proptest::proptest! {
        /// The lots the orders formed read as the list the account kept
        /// of them: filed by lot as each order was placed, a lot named
        /// again taken over by the later order. Lots rise with the orders
        /// (as the ledger numbers them), now and then skipping orders that
        /// formed none, or come in any order (as a log written by hand may
        /// have them).
        #[test]
        fn the_lots_orders_formed_read_as_the_list_kept_of_them(
            rising in proptest::bool::ANY,
            steps in proptest::collection::vec((0_u64..6, proptest::option::weighted(0.8, 1_u64..40)), 0..80),
            asked in proptest::collection::vec(0_u64..90, 0..30),
        ) {
            use super::super::orders::Orders;
            let Some(record) = recorded() else {
                unreachable!("the record's fields parse")
            };
            let mut orders = Orders::default();
            let mut kept: Vec<(LotId, Reference)> = Vec::new();
            let mut next = 1_u64;
            for ((gap, lot), n) in steps.iter().zip(0_u32..) {
                let lot = if rising {
                    lot.map(|_| {
                        next += gap + 1;
                        next
                    })
                } else {
                    *lot
                };
                let Ok(reference) = Reference::new(format!("O-{n}")) else {
                    unreachable!("a valid reference")
                };
                let mut record = record.clone();
                let earned = lot.map_or(OrderLot::None, |lot| {
                    OrderLot::Credit(LotCredit {
                        lot: LotId::new(lot),
                        expires_at: None,
                        points: Points::new(1),
                        debt_repaid: Points::ZERO,
                    })
                });
                record.set_earned(earned);
                // The account's list, as it was kept.
                if let Some(lot) = lot.map(LotId::new) {
                    if kept.last().is_none_or(|(last, _)| *last < lot) {
                        kept.push((lot, reference.clone()));
                    } else {
                        match kept.binary_search_by_key(&lot, |(l, _)| *l) {
                            Ok(i) => kept[i].1 = reference.clone(),
                            Err(i) => kept.insert(i, (lot, reference.clone())),
                        }
                    }
                }
                orders.insert(reference, |_| record.parts());
            }
            // An order placed again under a known reference is not
            // recorded, and forms no lot.
            if let Some((lot, order)) = kept.first() {
                let mut again = record.clone();
                again.set_earned(OrderLot::Credit(LotCredit {
                    lot: LotId::new(lot.number() + 1_000),
                    expires_at: None,
                    points: Points::new(1),
                    debt_repaid: Points::ZERO,
                }));
                let placed = orders.len();
                orders.insert(order.clone(), |_| again.parts());
                proptest::prop_assert_eq!(orders.len(), placed);
            }
            let formed: Vec<(LotId, Reference)> = orders
                .lots_formed()
                .into_iter()
                .map(|(lot, order)| (lot, order.clone()))
                .collect();
            proptest::prop_assert_eq!(&formed, &kept);
            for lot in asked.iter().copied().chain(kept.iter().map(|(l, _)| l.number())) {
                let lot = LotId::new(lot);
                let expected = kept
                    .binary_search_by_key(&lot, |(l, _)| *l)
                    .ok()
                    .map(|i| &kept[i].1);
                proptest::prop_assert_eq!(orders.of_lot(lot), expected.cloned());
                // The record to change is that order's own.
                let by_reference = expected
                    .and_then(|order| orders.get(order))
                    .map(|order| order.record() as *const OrderRecord);
                let by_lot = orders
                    .of_lot_mut(lot)
                    .map(|order| order.view().record() as *const OrderRecord);
                proptest::prop_assert_eq!(by_lot, by_reference);
            }
        }
    }

    /// A purchase event as the strategies below describe it: `credit` is
    /// the lot, whether it expires, and its points; `points` the event's
    /// total when it should not equal the credit's.
    fn purchase_event(
        at: DateTime<Utc>,
        credit: Option<(u64, bool, i64)>,
        points: Option<i64>,
        amount: &str,
    ) -> Option<Event> {
        let credit = credit.map(|(lot, expires, points)| LotCredit {
            lot: LotId::new(lot),
            expires_at: expires.then(|| at + TimeDelta::days(365)),
            points: Points::new(points),
            debt_repaid: Points::ZERO,
        });
        let total = points.unwrap_or_else(|| credit.map_or(0, |c| c.points.value()));
        Some(Event::PurchaseRecorded(PurchaseRecorded {
            member: "marta".parse().ok()?,
            order: "ORD-1".parse().ok()?,
            at,
            amount: amount.parse().ok()?,
            points: Points::new(total),
            breakdown: EarnLines::new(),
            credit,
            pending: None,
            redemptions: Vec::new(),
            cart: None,
        }))
    }

    /// Points as the strategies draw them: small, none, negative, or near
    /// the top of the range.
    fn drawn_points() -> impl proptest::strategy::Strategy<Value = i64> {
        use proptest::prelude::*;
        prop_oneof![
            4 => 1_i64..500,
            2 => 1_i64..4,
            1 => Just(0_i64),
            1 => Just(-3_i64),
            2 => (i64::MAX - 3)..=i64::MAX,
        ]
    }

    proptest::proptest! {
        /// Seconds after an instant, as a record reads its expiry or
        /// settlement back, are what chrono's addition gives: over the
        /// whole calendar, leap seconds and its end included.
        #[test]
        fn seconds_after_an_instant_are_what_chrono_adds(
            at in crate::calendar::instants(),
            after in proptest::prop_oneof![0_u32..100_000_000, proptest::num::u32::ANY],
        ) {
            proptest::prop_assert_eq!(
                settled(at, after),
                at.checked_add_signed(TimeDelta::seconds(i64::from(after)))
            );
        }

        /// A record keeps a time as seconds after its order's only when
        /// settling them gives it back; comparing fractions instead, as
        /// `reads_back` does unless the order's time is a leap second,
        /// says the same: for the time settling gives, for that time with
        /// another fraction (a leap second's included), and for any other
        /// time, whenever the seconds between fit.
        #[test]
        fn reading_a_time_back_says_what_settling_again_says(
            at in crate::calendar::instants(),
            after in proptest::prop_oneof![0_u32..100_000_000, proptest::num::u32::ANY],
            fraction in 0_u32..2_000_000_000,
            other in crate::calendar::instants(),
        ) {
            use chrono::Timelike;
            let settling = settled(at, after);
            let refracted = settling.and_then(|t| t.with_nanosecond(fraction));
            let mut compared = 0;
            for when in [settling, refracted, Some(other)].into_iter().flatten() {
                let seconds = when.timestamp().checked_sub(at.timestamp());
                if let Some(after) = seconds.and_then(|s| u32::try_from(s).ok()) {
                    proptest::prop_assert_eq!(
                        reads_back(at, after, when),
                        settled(at, after) == Some(when),
                        "{} after {} reading back {}", after, at, when
                    );
                    compared += 1;
                }
            }
            // The time settling gives is always compared when there is one
            // whose seconds after `at` are `after`.
            if settling.is_some_and(|t| t.timestamp() - at.timestamp() == i64::from(after)) {
                proptest::prop_assert!(compared >= 1);
            }
        }

        /// The seconds between two packed times are those `settled`
        /// adds, and none when the two differ in their fraction of a
        /// second: a confirmation is kept on its order's lot only when
        /// it gives back its time exactly.
        #[test]
        fn the_seconds_between_packed_times_are_what_settling_adds(
            seconds in -(1_i64 << 32)..(1_i64 << 32),
            nanos in proptest::prop_oneof![proptest::strategy::Just(0_u32), 0_u32..1_000_000_000],
            after in proptest::prop_oneof![0_u32..100_000_000, proptest::num::u32::ANY],
            nudge in 1_i64..1_000_000_000,
        ) {
            // Times the record packs (about 2^33 seconds either side of
            // 1970), and the whole seconds after them.
            let at = DateTime::from_timestamp(seconds, nanos).unwrap();
            let placed = StoredAt::of(at).unwrap();
            let later = settled(at, after).unwrap();
            let packs = StoredAt::of(later).is_ok();
            proptest::prop_assert_eq!(placed.seconds_to(later), packs.then_some(after));
            let off = later + TimeDelta::nanoseconds(nudge);
            proptest::prop_assert_eq!(
                placed.seconds_to(off).and_then(|s| settled(at, s)).is_some_and(|t| t == off),
                false
            );
        }
    }

    /// The one refusal the totals do not give first: a lot credited past
    /// the top of the range while the totals, which count the lot as
    /// adjusted and net of a debt, stay in it. The short path refuses it
    /// as checking does, and changes nothing.
    #[test]
    fn a_purchase_overflowing_its_lot_is_refused_by_the_short_path_too()
    -> Result<(), Box<dyn std::error::Error>> {
        let start: DateTime<Utc> = "2026-01-12T10:00:00Z".parse()?;
        let mut wallet = Wallet::new(&MemberEnrolled {
            member: "marta".parse()?,
            at: start,
            birth_date: None,
            fingerprints: Vec::new(),
        });
        let first = purchase_event(start, Some((1, false, i64::MAX - 1)), None, "10.00 EUR")
            .ok_or("the event's fields parse")?;
        wallet.apply(&first, postings(&first)?.as_slice())?;
        wallet.balance.adjusted = wallet.balance.earned;
        wallet.balance.earned = Points::ZERO;
        wallet.debt = Points::new(2);
        wallet.balance.available = Points::new(i64::MAX - 3);
        let second = purchase_event(start, Some((1, false, 2)), None, "10.00 EUR")
            .ok_or("the event's fields parse")?;
        let entries = postings(&second)?;
        let refusal = Err(ApplyError::Overflow(PointsOverflow {
            left: i64::MAX - 1,
            op: '+',
            right: 2,
        }));
        assert_eq!(
            wallet.check(&second, entries.as_slice()).err(),
            refusal.clone().err()
        );
        let mut short = wallet.clone();
        assert_eq!(short.apply(&second, entries.as_slice()), refusal);
        assert_eq!(short, wallet);
        Ok(())
    }

    /// `event`, a purchase, with its points held pending in `lot` (kept
    /// beside its credit when `credited`, which is malformed): until the
    /// order is confirmed when `confirmed`, for a day otherwise; `points`
    /// the purchase's total, when given, or its credit's and pending
    /// points' sum.
    fn pending_purchase(
        event: Event,
        (lot, expires, pending): (u64, bool, i64),
        credited: bool,
        confirmed: bool,
        points: Option<i64>,
    ) -> Event {
        let Event::PurchaseRecorded(e) = event else {
            return event;
        };
        let credit = e.credit.filter(|_| credited);
        let total = credit
            .map_or(0_i64, |c| c.points.value())
            .saturating_add(pending);
        Event::PurchaseRecorded(PurchaseRecorded {
            pending: Some(PendingCredit {
                lot: LotId::new(lot),
                points: Points::new(pending),
                available_at: (!confirmed).then(|| e.at + TimeDelta::days(1)),
                expires_at: expires.then(|| e.at + TimeDelta::days(365)),
            }),
            credit,
            points: Points::new(points.unwrap_or(total)),
            ..e
        })
    }

    proptest::proptest! {
        /// The common purchase (one lot credited, points held pending, or
        /// none earned; no debt repaid) is folded in by its own short path:
        /// it ends with the same wallet, or the same error and the wallet
        /// unchanged, as checking the event and committing it do, whatever
        /// the wallet held before (lots that expire or not, numbered below,
        /// at or past the next lot, near the top of the range; pending
        /// lots; a debt; totals that do not count the lots as earned) and
        /// whatever the event says (out of order, a pending lot already
        /// held or holding no points, pending points beside a credit,
        /// malformed figures, overflowing totals).
        #[test]
        fn a_common_purchase_folds_in_as_checking_and_committing_it_would(
            before in proptest::collection::vec(
                (1_u64..3, proptest::bool::ANY, drawn_points(), proptest::option::weighted(0.3, 3_u64..6)),
                0..4,
            ),
            adjusted in proptest::bool::ANY,
            debt in 0_i64..3,
            shift in -3_i64..4,
            credit in proptest::option::weighted(0.9, (0_u64..5, proptest::bool::ANY, drawn_points())),
            pending in proptest::option::weighted(0.4, (0_u64..7, proptest::bool::ANY, drawn_points())),
            credited in proptest::bool::weighted(0.1),
            confirmed in proptest::bool::ANY,
            points in proptest::option::weighted(0.1, drawn_points()),
            amount in proptest::sample::select(vec!["57.40 EUR", "0.00 EUR", "-1.00 EUR"]),
        ) {
            let (start, _, mut wallet) = marta_wallet();
            // What the wallet held: earlier purchases folded in the general
            // way, at a minute apart (those the wallet refuses are left out).
            for ((lot, expires, p, held), minute) in before.iter().zip(1_i64..) {
                let at = start + TimeDelta::minutes(minute);
                let Some(event) = purchase_event(at, Some((*lot, *expires, *p)), None, "10.00 EUR") else {
                    unreachable!("the event's fields parse")
                };
                // Or held pending in a lot of its own.
                let event = match held {
                    Some(lot) => pending_purchase(event, (*lot, *expires, *p), false, *expires, None),
                    None => event,
                };
                let Ok(entries) = postings(&event) else { continue };
                if let Ok(checked) = wallet.check(&event, entries.as_slice()) {
                    wallet.commit(&event, checked);
                }
            }
            // Lots credited otherwise than by purchases (adjustments, as
            // far as the totals say), and a debt beside them, which only a
            // hand-written log leaves: a lot's points can then overflow
            // where the totals do not.
            if adjusted {
                wallet.balance.adjusted = wallet.balance.earned;
                wallet.balance.earned = Points::ZERO;
            }
            wallet.debt = Points::new(debt);
            wallet.balance.available = Points::new(wallet.balance.available.value() - debt);
            let at = wallet.last_event_at + TimeDelta::seconds(shift);
            let Some(event) = purchase_event(at, credit, points, amount) else {
                unreachable!("the event's fields parse")
            };
            let event = match pending {
                Some(held) => pending_purchase(event, held, credited, confirmed, points),
                None => event,
            };
            folds_both_ways(&wallet, &event)?;
        }
    }

    proptest::proptest! {
        /// A settlement or a crediting confirmation folds in by the short
        /// way exactly as checking and committing it does: the same
        /// result, the same wallet after, and an unchanged wallet when
        /// refused; checked alone, it fits or not as checking says. Whatever the wallet held before (pending lots that
        /// expire or not, a lot already formed under the settled lot's
        /// number, a debt) and whatever the event says (another lot, other
        /// points, a debt repaid beyond the debt, out of order, malformed
        /// figures, overflowing totals).
        #[test]
        fn a_settlement_folds_in_as_checking_and_committing_it_would(
            pending in proptest::collection::vec((proptest::bool::ANY, drawn_points()), 0..4),
            formed in proptest::option::weighted(0.2, drawn_points()),
            debt in 0_i64..3,
            shift in -3_i64..4,
            lot in 1_u64..6,
            expires in proptest::bool::ANY,
            points in proptest::option::weighted(0.2, drawn_points()),
            repaid in proptest::option::weighted(0.4, -1_i64..2),
            confirmation in proptest::bool::ANY,
        ) {
            let (start, member, mut wallet) = marta_wallet();
            let Ok(order) = "ORD-1".parse::<Reference>() else {
                unreachable!("a valid id")
            };
            let expiry = |at: DateTime<Utc>, expires: bool| expires.then(|| at + TimeDelta::days(365));
            let fold = |wallet: &mut Wallet, event: &Event| {
                if let Ok(entries) = postings(event)
                    && let Ok(checked) = wallet.check(event, entries.as_slice())
                {
                    wallet.commit(event, checked);
                }
            };
            // A lot formed under the number the event may credit (a lot
            // already holding points), then pending lots numbered after
            // it, a minute apart (those the wallet refuses are left out).
            if let Some(p) = formed {
                let at = start + TimeDelta::seconds(1);
                let Some(event) = purchase_event(at, Some((1, false, p)), None, "10.00 EUR") else {
                    unreachable!("the event's fields parse")
                };
                fold(&mut wallet, &event);
            }
            for ((expires, p), minute) in pending.iter().zip(1_i64..) {
                let at = start + TimeDelta::minutes(minute);
                let lot = LotId::new(u64::try_from(minute).unwrap_or(1) + 1);
                let event = Event::PurchaseRecorded(PurchaseRecorded {
                    pending: Some(PendingCredit {
                        lot,
                        points: Points::new(*p),
                        available_at: Some(at + TimeDelta::days(1)),
                        expires_at: expiry(at, *expires),
                    }),
                    credit: None,
                    points: Points::new(*p),
                    ..match purchase_event(at, None, None, "10.00 EUR") {
                        Some(Event::PurchaseRecorded(e)) => e,
                        _ => unreachable!("the event's fields parse"),
                    }
                });
                fold(&mut wallet, &event);
            }
            wallet.debt = Points::new(debt);
            wallet.balance.available = Points::new(wallet.balance.available.value() - debt);
            let at = wallet.last_event_at + TimeDelta::seconds(shift);
            let held = wallet.pending.get(&LotId::new(lot)).map(|p| (p.points, p.expires_at));
            let credit = LotCredit {
                lot: LotId::new(lot),
                expires_at: held.map_or(expiry(at, expires), |(_, e)| e),
                points: points.map_or(held.map_or(Points::new(5), |(p, _)| p), Points::new),
                // None, or about the debt: one point under it, all of it
                // or one point over.
                debt_repaid: Points::new(repaid.map_or(0, |r| debt + r)),
            };
            let event = if confirmation {
                Event::OrderConfirmed(OrderConfirmed { member, order, at, credit: Some(credit) })
            } else {
                Event::PointsSettled(PointsSettled { member, order, at, credit })
            };
            folds_both_ways(&wallet, &event)?;
        }
    }

    proptest::proptest! {
        // More cases than the default: the refunds that must go the
        // general way are a few in a hundred of the events drawn.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]

        /// An event that only draws from lots (a redemption, a transfer
        /// out, an expiry, a refund clawing back from lots alone, and
        /// beside it refunds that also incur debt, take pending points or
        /// give points back, which are folded in generally) folds in by
        /// the short way exactly as checking
        /// and committing it does: the same result, the same wallet after,
        /// and an unchanged wallet when refused; checked alone, it fits or
        /// not as checking says. Whatever the wallet held (lots that
        /// expire and lots that do not, a debt, one below none that only a
        /// hand-written wallet holds) and whatever the event draws: lots
        /// held, in consumption order or not, one lot twice, more than a
        /// lot holds, lots not held or under another expiry, points of
        /// none or fewer, a total that is not the draws' sum, or a time
        /// before the wallet's last event.
        #[test]
        fn a_drawing_event_folds_in_as_checking_and_committing_it_would(
            held in proptest::collection::vec((proptest::bool::ANY, drawn_points()), 0..4),
            debt in -1_i64..3,
            shift in -3_i64..4,
            kind in 0_u8..4,
            refund_debt in proptest::option::weighted(0.2, -1_i64..3),
            from_pending in proptest::option::weighted(0.15, drawn_points()),
            restoring in proptest::option::weighted(0.15, drawn_points()),
            draws in proptest::collection::vec(
                (
                    1_u64..6,
                    proptest::bool::weighted(0.8),
                    proptest::option::weighted(0.7, drawn_points()),
                ),
                0..4,
            ),
            total in proptest::option::weighted(0.1, drawn_points()),
        ) {
            let (start, member, mut wallet) = marta_wallet();
            // Lot `n` is earned `n` minutes in, and expires a year after
            // if it expires (those the wallet refuses are left out).
            let earned = |lot: u64| start + TimeDelta::minutes(i64::try_from(lot).unwrap_or(0));
            for ((expires, p), lot) in held.iter().zip(1_u64..) {
                let Some(event) = purchase_event(earned(lot), Some((lot, *expires, *p)), None, "10.00 EUR") else {
                    unreachable!("the event's fields parse")
                };
                if let Ok(entries) = postings(&event)
                    && let Ok(checked) = wallet.check(&event, entries.as_slice())
                {
                    wallet.commit(&event, checked);
                }
            }
            wallet.debt = Points::new(debt);
            wallet.balance.available = Points::new(wallet.balance.available.value().saturating_sub(debt));
            let at = wallet.last_event_at + TimeDelta::seconds(shift);
            // A draw names its lot under the lot's own expiry, or under
            // another one, and takes some points or all the lot holds.
            let draws: Vec<LotDraw> = draws
                .iter()
                .map(|(lot, same, p)| {
                    let (expires, holds) = held
                        .get(usize::try_from(*lot).unwrap_or(0).saturating_sub(1))
                        .copied()
                        .unwrap_or((false, 1));
                    let expires_at = (expires == *same).then(|| earned(*lot) + TimeDelta::days(365));
                    LotDraw::new(LotId::new(*lot), expires_at, Points::new(p.unwrap_or(holds)))
                })
                .collect();
            let sum = draws
                .iter()
                .try_fold(Points::ZERO, |sum, d| sum.checked_add(d.points).ok());
            let points = total.map(Points::new).or(sum).unwrap_or(Points::ZERO);
            let draws = Draws::from_slice(&draws);
            let event = match kind {
                0 => {
                    let Ok(redeemed) = marta_redeemed(draws) else {
                        unreachable!("the event's fields parse")
                    };
                    Event::RewardRedeemed(RewardRedeemed { at, points, ..redeemed })
                }
                1 => {
                    let (Ok(transfer), Ok(to)) = ("TR-1".parse(), "jonas".parse()) else {
                        unreachable!("valid ids")
                    };
                    Event::PointsTransferredOut(PointsTransferredOut {
                        member,
                        transfer,
                        to,
                        at,
                        points,
                        draws,
                    })
                }
                2 => Event::PointsExpired(PointsExpired {
                    member,
                    at,
                    reason: ExpiryReason::LotExpired,
                    points,
                    draws,
                }),
                _ => {
                    let (Ok(order), Ok(refund), Ok(amount)) =
                        ("ORD-1".parse(), "RF-1".parse(), "1.00 EUR".parse::<Money>())
                    else {
                        unreachable!("the event's fields parse")
                    };
                    let debt = Points::new(refund_debt.unwrap_or(0));
                    Event::OrderRefunded(OrderRefunded {
                        member,
                        order,
                        refund,
                        at,
                        amount,
                        refunded_total: amount,
                        // Given back into a lot of its own, numbered
                        // past the wallet's.
                        restored: restoring
                            .and_then(|p| {
                                Some(Restoration {
                                    redemption: "RDM-1".parse().ok()?,
                                    points: Points::new(p),
                                    credits: vec![LotCredit {
                                        lot: LotId::new(9),
                                        expires_at: None,
                                        points: Points::new(p),
                                        debt_repaid: Points::ZERO,
                                    }],
                                })
                            })
                            .into_iter()
                            .collect(),
                        clawback: Clawback {
                            points: [debt, Points::new(from_pending.unwrap_or(0))]
                                .into_iter()
                                .try_fold(points, |sum, p| sum.checked_add(p).ok())
                                .unwrap_or(points),
                            rounding: Rounding::Floor,
                            // From a pending lot the wallet does not hold.
                            from_pending: from_pending
                                .map(|p| LotDraw::new(LotId::new(8), None, Points::new(p))),
                            expired: Points::ZERO,
                            draws,
                            debt,
                            forgiven: Points::ZERO,
                        },
                    })
                }
            };
            folds_both_ways(&wallet, &event)?;
        }
    }

    /// Marta's wallet, enrolled at 10:00 UTC on 2026-01-12 and holding
    /// nothing, with that time and her id: where the fold tests start.
    fn marta_wallet() -> (DateTime<Utc>, MemberId, Wallet) {
        let Ok(start) = "2026-01-12T10:00:00Z".parse::<DateTime<Utc>>() else {
            unreachable!("a valid time")
        };
        let Ok(member) = "marta".parse::<MemberId>() else {
            unreachable!("a valid id")
        };
        let wallet = Wallet::new(&MemberEnrolled {
            member: member.clone(),
            at: start,
            birth_date: None,
            fingerprints: Vec::new(),
        });
        (start, member, wallet)
    }

    /// Folds `event` into copies of `wallet` by [`Wallet::apply`] (its
    /// short paths) and by checking and committing it, and checks it
    /// alone by [`Wallet::fits`]: the same result each way, the same
    /// wallet after, and the wallet unchanged when refused.
    fn folds_both_ways(
        wallet: &Wallet,
        event: &Event,
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        let Ok(entries) = postings(event) else {
            return Ok(());
        };
        let mut short = wallet.clone();
        let shortly = short.apply(event, entries.as_slice());
        let mut general = wallet.clone();
        let generally = general
            .check(event, entries.as_slice())
            .map(|checked| general.commit(event, checked));
        proptest::prop_assert_eq!(&shortly, &generally);
        proptest::prop_assert_eq!(&short, &general);
        if shortly.is_err() {
            proptest::prop_assert_eq!(&short, wallet);
        }
        // Checking alone, as a command's last event is, says the same.
        proptest::prop_assert_eq!(wallet.fits(event, entries.as_slice()), generally);
        Ok(())
    }

    #[test]
    fn an_order_record_holds_its_rare_parts_beside_it() {
        // The redemptions, cart, after-sale figures and uncommon award
        // lines are held beside the records, by position, flagged by a
        // bit beside the amount; the points are 32 bits; the common time,
        // amount, lot and breakdowns are packed, and the lot's number and
        // the tier key are read off the position: 32 bytes a record, 48
        // with its reference as the list holds it (40 and 56 while the
        // record held the two numbers; 48 and 64 with a pointer to the
        // rare part in each record; 56 and 80 before the breakdowns named
        // the member's rate by place).
        assert_eq!(std::mem::size_of::<OrderRecord>(), 32);
        assert_eq!(std::mem::size_of::<(RefKey, OrderRecord)>(), 48);
        assert_eq!(std::mem::size_of::<RareParts<More>>(), 8);
        assert_eq!(std::mem::size_of::<StoredAt>(), 8);
        assert_eq!(std::mem::size_of::<StoredAmount>(), 8);
        assert_eq!(std::mem::size_of::<StoredLot>(), 8);
        assert_eq!(std::mem::size_of::<Breakdown>(), 4);
        // A member's rates and tier shapes: the first rate in place.
        assert_eq!(std::mem::size_of::<Shapes>(), 16);
        // The rare part: 200 bytes, its cart behind a pointer of its own
        // and its confirmation without the member and order (192 before
        // it could hold points the record's 32 bits do not).
        assert_eq!(std::mem::size_of::<More>(), 200);
        assert_eq!(std::mem::size_of::<Option<Confirmation>>(), 64);
        assert_eq!(std::mem::size_of::<TierShape>(), 72);
    }

    #[test]
    fn the_rare_records_hold_each_list_behind_one_pointer() {
        // Five lists filed by reference, a pointer each until their first
        // record, and the two lists of times.
        assert_eq!(std::mem::size_of::<Rare>(), 88);
        assert_eq!(std::mem::size_of::<Redemptions>(), 8);
    }

    #[test]
    fn a_redemption_record_holds_what_few_have_beside_it() {
        // Its time and two amounts packed in 8 bytes each, as an order's,
        // a single draw packed in place or a pointer to the event's list,
        // its points read off the draws, its reward and the order that
        // used it by their places (4 bytes each), its cancellation and
        // points given back with its extras, which the member's
        // redemptions keep beside the records: 56 bytes, 72 with its
        // reference as the list holds it (64 and 80 with a pointer to
        // its extras; 88 with a whole `Reference`; 104 and 128 with the
        // reward's and the order's ids in place, 120 and 144 with a list
        // of draws too, 128 and 152 with the points held beside the
        // draws, 176 and 200 before the time and amounts were packed).
        assert_eq!(std::mem::size_of::<StoredDraws>(), 24);
        assert_eq!(std::mem::size_of::<RedemptionRecord>(), 56);
        assert_eq!(std::mem::size_of::<(RefKey, RedemptionRecord)>(), 72);
        // The list itself is one pointer in the account, as before.
        assert_eq!(std::mem::size_of::<Redemptions>(), 8);
        // Draws from several lots sit in a list of their own, 32 bytes a
        // lot, shared with the event.
        assert_eq!(std::mem::size_of::<LotDraw>(), 32);
    }

    /// Marta's redemption RDM-1 of 100 points for 10% off an 80.00 EUR
    /// cart, drawn as `draws` say.
    fn marta_redeemed(draws: Draws) -> Result<RewardRedeemed, Box<dyn std::error::Error>> {
        Ok(RewardRedeemed {
            member: "marta".parse()?,
            redemption: "RDM-1".parse()?,
            reward: "ten-percent-off".parse()?,
            at: "2026-03-14T10:00:00Z".parse()?,
            cart: "80.00 EUR".parse()?,
            discount: "8.00 EUR".parse()?,
            applies_to: DiscountTarget::default(),
            donation: None,
            points: Points::new(100),
            draws,
            voucher: None,
        })
    }

    /// A redemption's record hashes as the record that held its whole
    /// event did, whatever the event carried (a target, a donation, a
    /// voucher, draws, a time or amounts its 8 bytes cannot hold), and
    /// whatever happened to it since: the ledger's fingerprint did not
    /// change with the record's shape. It gives back what the event said.
    #[test]
    fn a_redemption_record_hashes_as_the_whole_event_did() -> Result<(), Box<dyn std::error::Error>>
    {
        // Shared, as the engine plans a redemption's draws.
        let plain = marta_redeemed(Draws::from_slice(&[
            LotDraw::new(LotId::new(1), None, Points::new(57)),
            LotDraw::new(LotId::new(2), None, Points::new(43)),
            LotDraw::new(LotId::new(3), None, Points::new(0)),
        ]))?;
        let mut rare = plain.clone();
        rare.applies_to = DiscountTarget::Lines {
            categories: vec!["shoes".parse()?],
        };
        rare.donation = Some(Donation {
            amount: "5.00 EUR".parse()?,
            cause: "reforestation".into(),
        });
        rare.voucher = Some("referral-voucher-1".parse()?);
        let mut target_only = plain.clone();
        target_only.applies_to = DiscountTarget::Shipping;
        // A leap second, a cart of a mantissa wider than 51 bits, and a
        // discount written with a minus sign on zero: each held in full.
        let mut leap = plain.clone();
        leap.at = NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .ok_or("a leap second")?
            .and_utc();
        let mut wide = plain.clone();
        wide.cart = Money::new(Decimal::from_i128_with_scale(1 << 60, 2), Currency::JPY);
        let mut signed = plain.clone();
        signed.discount = Money::new(-Decimal::ZERO, Currency::EUR);
        assert!(signed.discount.amount().is_sign_negative());
        // The points read off one draw, or off none for a voucher; points
        // the draws do not sum to (which the ledger refuses to apply) held
        // with the extras.
        let mut one_draw = plain.clone();
        one_draw.draws = vec![LotDraw::new(LotId::new(1), None, Points::new(100))].into();
        let mut voucher = plain.clone();
        voucher.points = Points::ZERO;
        voucher.draws = Draws::new();
        voucher.voucher = Some("referral-voucher-2".parse()?);
        let mut unsummed = plain.clone();
        unsummed.points = Points::new(99);
        // One draw packs with its lot's expiry; a lot number or points
        // past 32 bits, or an expiry on a leap second, are held in a list
        // as several draws are.
        let one = |lot: u64, expires_at: Option<DateTime<Utc>>, points: i64| {
            let mut e = plain.clone();
            e.points = Points::new(points);
            e.draws = vec![LotDraw::new(
                LotId::new(lot),
                expires_at,
                Points::new(points),
            )]
            .into();
            e
        };
        let expiring = one(7, Some("2027-03-14T10:00:00.25Z".parse()?), 100);
        let widest = one(u64::from(u32::MAX), None, i64::from(u32::MAX));
        let far_lot = one(1 << 32, None, 100);
        let many_points = one(1, None, 1 << 32);
        let expires_leaping = one(1, Some(leap.at), 100);
        let nothing_drawn = one(1, None, 0);
        // The same amounts at another scale (as a stored log may write
        // them) make an equal record, which hashes the same.
        let mut rescaled = plain.clone();
        rescaled.cart = "80.0 EUR".parse()?;
        rescaled.discount = "8 EUR".parse()?;
        // Marta redeemed the one reward these events name; her orders
        // are read in the steps below.
        let no_orders = Orders::default();
        let mut rewards = RewardsUsed::new();
        assert_eq!(rewards.redeemed(&plain.reward), 0);
        let beside = Beside {
            orders: &no_orders,
            rewards: &rewards,
        };
        let same = |a: &RewardRedeemed, b: &RewardRedeemed| {
            LoneRedemption::of(a, 0)
                .view()
                .same_as(beside, LoneRedemption::of(b, 0).view(), beside)
        };
        assert!(same(&rescaled, &plain));
        let hash = |e: &RewardRedeemed| {
            let mut hasher = crate::siphash::SipHasher24::new(1, 2);
            LoneRedemption::of(e, 0).view().hash_as_recorded(
                &e.member,
                &e.redemption,
                beside,
                &mut hasher,
            );
            hasher.finish()
        };
        assert_eq!(hash(&rescaled), hash(&plain));
        assert!(!same(&signed, &leap));
        assert!(!same(&unsummed, &plain));
        assert_ne!(hash(&unsummed), hash(&plain));
        // Draws of the same points from other lots, or from a lot that
        // expires at another time, make another record.
        for (a, b) in [
            (&one_draw, one(2, None, 100)),
            (
                &expiring,
                one(7, Some("2027-03-14T10:00:00Z".parse()?), 100),
            ),
            (&expiring, one(7, None, 100)),
            (&plain, {
                let mut moved = plain.clone();
                moved.draws = Draws::from_slice(&[
                    LotDraw::new(LotId::new(1), None, Points::new(43)),
                    LotDraw::new(LotId::new(2), None, Points::new(57)),
                    LotDraw::new(LotId::new(3), None, Points::new(0)),
                ]);
                moved
            }),
        ] {
            assert_eq!(a.points, b.points);
            assert!(!same(a, &b));
            assert_ne!(hash(a), hash(&b));
        }
        for e in [
            &plain,
            &rare,
            &target_only,
            &leap,
            &wide,
            &signed,
            &one_draw,
            &voucher,
            &unsummed,
            &expiring,
            &widest,
            &far_lot,
            &many_points,
            &expires_leaping,
            &nothing_drawn,
        ] {
            let mut record = LoneRedemption::of(e, 0);
            assert_eq!(record.view().reward(&rewards), Some(&e.reward));
            assert_eq!(record.view().points(), e.points);
            assert_eq!(record.view().draws(), e.draws);
            let packed = [&one_draw, &expiring, &widest, &nothing_drawn].contains(&e);
            assert_eq!(
                matches!(record.record.draws, StoredDraws::One { .. }),
                packed,
                "{e:?}"
            );
            if !packed && !e.draws.is_empty() {
                // The record shares the event's list.
                let StoredDraws::Listed(listed) = &record.record.draws else {
                    return Err(format!("{e:?} keeps its draws listed").into());
                };
                assert_eq!(&listed[..], &e.draws[..]);
                if e.draws.len() > 1 {
                    assert!(std::ptr::eq(listed.as_ptr(), e.draws.as_ptr()));
                }
            }
            assert_eq!(
                record.view().extras.and_then(|x| x.points),
                (e == &unsummed).then_some(e.points)
            );
            assert_eq!(record.view().at(), e.at);
            assert_eq!(record.view().cart(), e.cart);
            assert_eq!(record.view().discount(), e.discount);
            assert_eq!(
                record.view().discount().amount().is_sign_negative(),
                e.discount.amount().is_sign_negative()
            );
            assert_eq!(
                record.view().extras.is_none(),
                ![
                    &rare,
                    &target_only,
                    &leap,
                    &wide,
                    &signed,
                    &voucher,
                    &unsummed
                ]
                .contains(&e),
                "{e:?}"
            );
            // Its journal entry compares as read, packed or not: the
            // entry it gives back, and ones off by a time, points or kind.
            let entry = record.view().entry().ok_or("a redemption's entry")?;
            let (kind, (at, spent, pending)) = entry;
            assert_eq!(
                entry,
                (
                    EntryKind::Redeemed,
                    (e.at, e.points.checked_neg()?, Points::ZERO)
                )
            );
            for (k, says) in [
                (kind, (at, spent, pending)),
                (kind, (at + TimeDelta::nanoseconds(1), spent, pending)),
                (kind, (at - TimeDelta::seconds(1), spent, pending)),
                (kind, (leap.at, spent, pending)),
                (kind, (at, spent.checked_add(Points::new(1))?, pending)),
                (kind, (at, spent, Points::new(1))),
                (EntryKind::Adjusted, (at, spent, pending)),
            ] {
                assert_eq!(
                    record.view().entry_is(k, &says),
                    Some((k, says)) == record.view().entry(),
                    "{says:?}"
                );
            }
            assert_eq!(record.view().applies_to(), &e.applies_to);
            assert_eq!(record.view().donation(), e.donation.as_ref());
            assert_eq!(record.view().voucher(), e.voucher.as_ref());
            assert_eq!(
                record.view().receipt(&e.member, &e.redemption, &e.reward),
                RedemptionReceipt::new(e)
            );
            // What happened to it since, as the whole record held it.
            let (mut used_by, mut cancelled, mut restored) = (
                None::<Reference>,
                None::<Box<RedemptionCancelled>>,
                Points::ZERO,
            );
            let cancellation = RedemptionCancelled {
                member: e.member.clone(),
                redemption: e.redemption.clone(),
                at: e.at + TimeDelta::days(1),
                points: e.points,
                credits: Vec::new(),
            };
            let orders = marta_orders(&["ORD-1", "ORD-2"]);
            let beside = Beside {
                orders: &orders,
                rewards: &rewards,
            };
            for step in 0..5 {
                let whole = (e, &used_by, &cancelled, restored);
                let mut hasher = crate::siphash::SipHasher24::new(1, 2);
                record
                    .view()
                    .hash_as_recorded(&e.member, &e.redemption, beside, &mut hasher);
                assert_eq!(
                    hasher.finish(),
                    fingerprint(&whole),
                    "{e:?} after {step} steps"
                );
                assert_eq!(
                    (
                        record.view().used_by(&orders),
                        record.view().cancelled(),
                        record.view().restored()
                    ),
                    (used_by.clone(), cancelled.as_deref(), restored)
                );
                match step {
                    0 => {
                        let order: Reference = "ORD-2".parse()?;
                        record.edit().use_by(&order, 1);
                        used_by = Some(order);
                    }
                    1 | 2 => {
                        restored = Points::new(restored.value() + 20 + step as i64);
                        record.edit().restore(Points::new(20 + step as i64));
                    }
                    _ => {
                        cancelled = Some(Box::new(cancellation.clone()));
                        record.edit().cancel(&cancellation);
                    }
                }
            }
            // Refunds and a cancellation, rare, sit with the extras.
            assert!(record.view().extras.is_some());
            assert_eq!(record.view().applies_to(), &e.applies_to);
            assert_eq!(
                record.view().receipt(&e.member, &e.redemption, &e.reward),
                RedemptionReceipt::new(e)
            );
        }
        Ok(())
    }

    /// Marta's orders under `references`, filed in that order.
    fn marta_orders(references: &[&str]) -> Orders {
        let mut orders = Orders::default();
        for order in references {
            let e = plain_order(order);
            orders.insert(e.order.clone(), |shapes| OrderRecord::of(&e, shapes));
        }
        orders
    }

    #[test]
    fn a_place_past_what_31_bits_hold_beside_two_marks_is_held_in_full() {
        // The 32nd bit is the record's flag for its extras.
        let top = (EXTRAS - 1) as usize;
        for (at, kept) in [
            (0, Some(0)),
            (top - 2, Some(top - 2)),
            (top - 1, None),
            (top, None),
            (top + 1, None),
        ] {
            assert_eq!(Place::of(at).at(), kept, "{at}");
            assert_eq!(Place::of(at) == Place::IN_FULL, kept.is_none(), "{at}");
        }
        assert_eq!(Place::NONE.at(), None);
        assert_eq!(Place::IN_FULL.at(), None);
    }

    /// Marta's rewards redeemed, `references` in that order.
    fn marta_rewards(references: &[&str]) -> RewardsUsed {
        let mut rewards = RewardsUsed::new();
        for reward in references {
            let reward = reward
                .parse()
                .unwrap_or_else(|_| unreachable!("a reward id"));
            rewards.redeemed(&reward);
        }
        rewards
    }

    /// A redemption names its reward and the order that used it by where
    /// the member's rewards redeemed and orders file them: records read
    /// with lists filed in other orders compare and hash as the reward's
    /// and the order's ids do, and a place past 32 bits keeps the id
    /// with the record's extras.
    #[test]
    fn a_redemption_names_its_reward_and_the_order_that_used_it_by_their_places()
    -> Result<(), Box<dyn std::error::Error>> {
        let (ord_1, ord_2): (Reference, Reference) = ("ORD-1".parse()?, "ORD-2".parse()?);
        let (orders_in_turn, orders_backwards, no_orders) = (
            marta_orders(&["ORD-1", "ORD-2"]),
            marta_orders(&["ORD-2", "ORD-1"]),
            Orders::default(),
        );
        let (rewards_in_turn, rewards_backwards, no_rewards) = (
            marta_rewards(&["free-shipping", "ten-percent-off"]),
            marta_rewards(&["ten-percent-off", "free-shipping"]),
            RewardsUsed::new(),
        );
        let in_turn = Beside {
            orders: &orders_in_turn,
            rewards: &rewards_in_turn,
        };
        let backwards = Beside {
            orders: &orders_backwards,
            rewards: &rewards_backwards,
        };
        let nothing = Beside {
            orders: &no_orders,
            rewards: &no_rewards,
        };
        let redeemed = marta_redeemed(Draws::from(LotDraw::new(
            LotId::new(1),
            None,
            Points::new(100),
        )))?;
        let used = |reward_at: usize, order: &Reference, at: usize| {
            let mut record = LoneRedemption::of(&redeemed, reward_at);
            assert!(!record.view().is_used());
            record.edit().use_by(order, at);
            assert!(record.view().is_used());
            record
        };
        let hash = |record: &LoneRedemption, beside: Beside<'_>| {
            let mut hasher = crate::siphash::SipHasher24::new(1, 2);
            record.view().hash_as_recorded(
                &redeemed.member,
                &redeemed.redemption,
                beside,
                &mut hasher,
            );
            hasher.finish()
        };
        let second = used(1, &ord_2, 1);
        let first = used(0, &ord_2, 0);
        let far = used(1 << 32, &ord_2, 1 << 32);
        assert_eq!(
            second.view().reward(&rewards_in_turn),
            Some(&redeemed.reward)
        );
        assert_eq!(
            first.view().reward(&rewards_backwards),
            Some(&redeemed.reward)
        );
        assert_eq!(far.view().reward(&no_rewards), Some(&redeemed.reward));
        assert_eq!(second.view().reward_place(&rewards_in_turn), Some(1));
        assert_eq!(far.view().reward_place(&rewards_in_turn), Some(1));
        assert_eq!(far.view().reward_place(&rewards_backwards), Some(0));
        assert_eq!(second.view().used_by(&orders_in_turn), Some(ord_2.clone()));
        assert_eq!(first.view().used_by(&orders_backwards), Some(ord_2.clone()));
        assert_eq!(far.view().used_by(&no_orders), Some(ord_2.clone()));
        assert!(second.view().extras.is_none() && first.view().extras.is_none());
        assert!(far.view().extras.is_some());
        for (record, beside) in [(&first, backwards), (&far, nothing)] {
            assert!(second.view().same_as(in_turn, record.view(), beside));
            assert_eq!(hash(&second, in_turn), hash(record, beside));
        }
        // Another order, or another reward, make another record.
        for other in [used(1, &ord_1, 0), used(0, &ord_2, 1)] {
            assert!(!second.view().same_as(in_turn, other.view(), in_turn));
            assert_ne!(hash(&second, in_turn), hash(&other, in_turn));
        }
        // Read with lists that do not hold the places, it names neither.
        assert_eq!(second.view().used_by(&no_orders), None);
        assert_eq!(second.view().reward(&no_rewards), None);
        Ok(())
    }

    #[test]
    fn a_refund_record_with_its_reference_fits_in_256_bytes() {
        assert_eq!(std::mem::size_of::<RefundRecord>(), 224);
        assert!(std::mem::size_of::<(RefKey, RefundRecord)>() <= 256);
    }

    /// A refund's record gives back the event it was made from, and
    /// hashes as the whole event did, with points given back or without:
    /// the ledger's fingerprint did not change with the record's shape.
    #[test]
    fn a_refund_record_gives_back_its_event_and_hashes_as_it()
    -> Result<(), Box<dyn std::error::Error>> {
        let plain = OrderRefunded {
            member: "marta".parse()?,
            order: "ORD-1003".parse()?,
            refund: "RF-1".parse()?,
            at: "2026-03-30T10:00:00Z".parse()?,
            amount: "24.00 EUR".parse()?,
            refunded_total: "24.00 EUR".parse()?,
            restored: Vec::new(),
            clawback: Clawback {
                points: Points::new(24),
                rounding: Rounding::Floor,
                from_pending: None,
                expired: Points::ZERO,
                draws: vec![LotDraw::new(LotId::new(3), None, Points::new(24))].into(),
                debt: Points::ZERO,
                forgiven: Points::ZERO,
            },
        };
        let mut restoring = plain.clone();
        restoring.restored = vec![Restoration {
            redemption: "RDM-1".parse()?,
            points: Points::new(33),
            credits: vec![LotCredit {
                lot: LotId::new(1),
                expires_at: None,
                points: Points::new(33),
                debt_repaid: Points::ZERO,
            }],
        }];
        restoring.clawback.debt = Points::new(2);
        for e in [&plain, &restoring] {
            let record = RefundRecord::of(e);
            assert_eq!(&record.event(&e.member, &e.refund), e);
            let mut hasher = crate::siphash::SipHasher24::new(1, 2);
            record.hash_as_recorded(&e.member, &e.refund, &mut hasher);
            assert_eq!(hasher.finish(), fingerprint(e), "{e:?}");
        }
        Ok(())
    }

    /// An adjustment's record gives the receipt its event gave, and
    /// hashes as the whole event did, for a credit and for a debit: the
    /// ledger's fingerprint did not change with the record's shape.
    #[test]
    fn an_adjustment_record_gives_its_receipt_and_hashes_as_its_event()
    -> Result<(), Box<dyn std::error::Error>> {
        let credit = PointsAdjusted {
            member: "marta".parse()?,
            adjustment: "ADJ-7".parse()?,
            at: "2026-03-30T10:00:00Z".parse()?,
            points: Points::new(50),
            reason: "parcel arrived late".into(),
            credit: Some(LotCredit {
                lot: LotId::new(4),
                expires_at: Some("2027-03-30T10:00:00Z".parse()?),
                points: Points::new(50),
                debt_repaid: Points::ZERO,
            }),
            draws: Draws::new(),
        };
        let debit = PointsAdjusted {
            points: Points::new(-30),
            reason: "points credited twice".into(),
            credit: None,
            draws: vec![
                LotDraw::new(LotId::new(1), None, Points::new(20)),
                LotDraw::new(LotId::new(2), None, Points::new(10)),
            ]
            .into(),
            ..credit.clone()
        };
        for e in [&credit, &debit] {
            let record = AdjustmentRecord::of(e);
            assert_eq!(
                record.receipt(&e.member, &e.adjustment),
                AdjustmentReceipt::new(e)
            );
            let mut hasher = crate::siphash::SipHasher24::new(1, 2);
            record.hash_as_recorded(&e.member, &e.adjustment, &mut hasher);
            assert_eq!(hasher.finish(), fingerprint(e), "{e:?}");
        }
        Ok(())
    }

    proptest::proptest! {
        /// A record gives back the purchase event it was made from,
        /// whether its time, amount, base rate and lot were packed or held
        /// in full: a time centuries away or a leap second, an amount in
        /// any currency, a rate's amount to its scale, a lot's number past
        /// 32 bits, points that repaid debt or that differ from the
        /// order's, dates before the order or not in whole seconds after
        /// it, an order of more points than 32 bits hold. The common order
        /// (placed between 1697 and 2242, a base rate of small figures in
        /// the order's currency, a lot of exactly its points) is the one
        /// packed.
        #[test]
        fn a_record_gives_back_its_purchase_packed_or_not(
            rate_points in proptest::prop_oneof![1_i64..1_000, proptest::num::i64::ANY],
            per in proptest::prop_oneof![1_i128..100_000, -(1_i128 << 95)..(1_i128 << 95)],
            scale in proptest::prop_oneof![0_u32..4, 0_u32..=28],
            per_in_euros in proptest::bool::weighted(0.9),
            whole_amount in proptest::bool::weighted(0.9),
            rewritten in proptest::bool::weighted(0.2),
            line_points in proptest::prop_oneof![proptest::strategy::Just(57_i64), 0_i64..100],
            lot in proptest::prop_oneof![1_u64..1_000, proptest::strategy::Just(0_u64), proptest::num::u64::ANY],
            kind in 0_u8..3,
            lot_points in proptest::prop_oneof![proptest::strategy::Just(57_i64), 0_i64..100],
            debt_repaid in proptest::prop_oneof![proptest::strategy::Just(0_i64), 0_i64..10],
            // Added to the order's, the line's and the lot's points: none,
            // or around the most the record's 32 bits hold.
            more_points in proptest::prop_oneof![
                8 => proptest::strategy::Just(0_i64),
                1 => proptest::strategy::Just(i64::from(u32::MAX) - 57),
                1 => i64::from(u32::MAX) - 60..i64::from(u32::MAX) + 2,
            ],
            days in proptest::collection::vec(
                proptest::option::of(proptest::prop_oneof![
                    0_i64..400,
                    -400_i64..0,
                    24_000_i64..26_000,
                    49_000_i64..50_000
                ]),
                2,
            ),
            nanos in proptest::prop_oneof![proptest::strategy::Just(0_i64), 1_i64..1_000_000_000],
            (mantissa, amount_scale, minus) in (
                proptest::prop_oneof![
                    3 => proptest::strategy::Just(5_740_i128),
                    1 => proptest::strategy::Just(0_i128),
                    1 => 0_i128..(1 << 60),
                    1 => ((1_i128 << 49) - 2)..((1_i128 << 49) + 2),
                    1 => -(1_i128 << 95)..(1_i128 << 95),
                ],
                proptest::prop_oneof![proptest::strategy::Just(2_u32), 0_u32..=28],
                proptest::bool::weighted(0.1),
            ),
            amount_currency in proptest::sample::select(vec!["EUR", "JPY", "USD", "AED", "ZWG"]),
            // The time's whole seconds since 1970, its nanoseconds, and
            // whether it is a leap second (at the minute's last second).
            (placed, placed_nanos, leap) in (
                proptest::prop_oneof![
                    2 => proptest::strategy::Just(1_768_212_000_i64),
                    1 => -(1_i64 << 33) - 3..-(1_i64 << 33) + 3,
                    1 => (1_i64 << 33) - 3..(1_i64 << 33) + 3,
                    1 => -8_000_000_000_000_i64..8_000_000_000_000,
                ],
                proptest::prop_oneof![proptest::strategy::Just(0_u32), 0_u32..1_000_000_000],
                proptest::bool::weighted(0.1),
            ),
        ) {
            let none = Shapes::default();
            let Some(base) = recorded().map(|r| r.view().event(&"marta".parse().unwrap(), &"ORD-1".parse().unwrap(), &none)) else {
                unreachable!("the record's fields parse")
            };
            let per_amount = Decimal::try_from_i128_with_scale(per, scale);
            proptest::prop_assume!(per_amount.is_ok());
            let per_amount = per_amount.unwrap();
            let amount_currency: Currency = amount_currency.parse().unwrap();
            let other = if amount_currency == Currency::USD { Currency::EUR } else { Currency::USD };
            let currency = if per_in_euros { amount_currency } else { other };
            let placed = if leap { placed - placed.rem_euclid(60) + 59 } else { placed };
            let placed_nanos = if leap { placed_nanos + 1_000_000_000 } else { placed_nanos };
            let at = DateTime::from_timestamp(placed, placed_nanos);
            proptest::prop_assume!(at.is_some());
            let at = at.unwrap();
            let rate = EarnRate { points: Points::new(rate_points), per: Money::new(per_amount, currency) };
            // The order's amount, "-0.00" among them (a minus sign kept on zero).
            let mut amount = Decimal::try_from_i128_with_scale(mantissa, amount_scale).unwrap();
            if minus && mantissa == 0 {
                amount.set_sign_negative(true);
            }
            let base = PurchaseRecorded {
                at,
                amount: Money::new(amount, amount_currency),
                points: Points::new(57 + more_points),
                ..base
            };
            // The base line on the whole amount as the order writes it, on
            // the same value at another scale or sign (one more decimal
            // place, written another way unless the currency's minor units
            // cover it; a zero without its minus sign, written alike), or
            // on part of it.
            let eligible = match (whole_amount, rewritten) {
                (true, false) => base.amount,
                (true, true) => {
                    let mut other = amount;
                    if amount.is_zero() && amount.is_sign_negative() {
                        other.set_sign_negative(false);
                    } else if let Ok(longer) = Decimal::try_from_i128_with_scale(amount.mantissa() * 10, amount.scale() + 1) {
                        other = longer;
                    }
                    Money::new(other, amount_currency)
                }
                (false, _) => Money::new(Decimal::new(5000, 2), amount_currency),
            };
            let line = EarnLine::Base {
                eligible,
                rate,
                rounding: Rounding::HalfUp,
                points: Points::new(line_points + more_points),
            };
            let day = |d: Option<i64>| d.map(|d| base.at + chrono::TimeDelta::days(d));
            let settles = days[0].map(|d| base.at + chrono::TimeDelta::days(d) + chrono::TimeDelta::nanoseconds(nanos));
            let (credit, pending) = match kind {
                0 => (None, None),
                1 => (Some(LotCredit {
                    lot: LotId::new(lot),
                    expires_at: day(days[0]),
                    points: Points::new(lot_points + more_points),
                    debt_repaid: Points::new(debt_repaid),
                }), None),
                _ => (None, Some(PendingCredit {
                    lot: LotId::new(lot),
                    points: Points::new(lot_points + more_points),
                    available_at: settles,
                    expires_at: day(days[1]),
                })),
            };
            let event = PurchaseRecorded {
                breakdown: [line].into_iter().collect(),
                credit,
                pending,
                ..base.clone()
            };
            let mut shapes = Shapes::default();
            let lone = Lone::of(&event, &mut shapes);
            let record = lone.view();
            // The journal's reading of the points agrees with the lot in
            // full, packed or not.
            let split = match record.earned() {
                OrderLot::Credit(c) => (c.points, Points::ZERO),
                OrderLot::Pending(p) => (Points::ZERO, p.points),
                OrderLot::None => (Points::ZERO, Points::ZERO),
            };
            proptest::prop_assert_eq!(record.earning(), (event.at, split.0, split.1));
            let again = record.event(&event.member, &event.order, &shapes);
            proptest::prop_assert_eq!(&again, &event);
            let scales = |e: &PurchaseRecorded| {
                e.breakdown
                    .iter()
                    .map(|l| match l {
                        EarnLine::Base { rate, eligible, .. } => (
                            rate.per.amount().mantissa(),
                            rate.per.amount().scale(),
                            rate.per.currency(),
                            eligible.to_string(),
                        ),
                        _ => (0, 0, Currency::EUR, String::new()),
                    })
                    .collect::<Vec<_>>()
            };
            proptest::prop_assert_eq!(scales(&again), scales(&event));
            let written = |m: Money| (m.amount().mantissa(), m.amount().scale(), m.amount().is_sign_negative(), m.currency());
            proptest::prop_assert_eq!(written(again.amount), written(event.amount));
            // An amount is packed when it is a mantissa below 2^49 without a
            // minus sign; a time, when it is no leap second and its seconds
            // are from -2^33 to below 2^33, but for -2^33 exactly.
            proptest::prop_assert_eq!(
                !amount.is_sign_negative() && (0..1 << 49).contains(&mantissa),
                !record.record.amount.in_full()
            );
            proptest::prop_assert_eq!(record.record.amount.currency(), amount_currency);
            proptest::prop_assert_eq!(
                !leap
                    && (-(1_i64 << 33)..1 << 33).contains(&placed)
                    && (placed, placed_nanos) != (-(1_i64 << 33), 0),
                record.record.at != StoredAt::IN_FULL
            );
            proptest::prop_assert_eq!(record.at(), at);
            // Points below 2^32 - 1 are packed.
            proptest::prop_assert_eq!(record.points(), base.points);
            proptest::prop_assert_eq!(
                57 + more_points < i64::from(u32::MAX),
                record.record.points != POINTS_IN_FULL
            );
            proptest::prop_assert_eq!(
                record.record.points == POINTS_IN_FULL,
                record.more.is_some_and(|m| m.points == base.points)
            );
            let remade = Lone::of(&again, &mut shapes);
            let remade = remade.view();
            proptest::prop_assert!(remade.figures(&shapes, None) == record.figures(&shapes, None));
            proptest::prop_assert_eq!(
                fingerprint(&remade.figures(&shapes, None)),
                fingerprint(&record.figures(&shapes, None))
            );
            let common_rate = per_in_euros
                && eligible.written_as(&base.amount)
                && line_points == 57
                && i16::try_from(rate_points).is_ok()
                && u32::try_from(per).is_ok();
            proptest::prop_assert_eq!(
                common_rate,
                matches!(record.record.breakdown.read(), Packed::Base { .. })
            );
            // Points expire in whole seconds, from none to 2^32 - 2 after
            // the order (49,710 days), and settle in whole seconds below
            // 2^31 after it (24,855 days), to be packed.
            let packs = |d: Option<i64>, nanos: i64, most: i64| d.is_none_or(|d| nanos == 0 && (0..=most).contains(&d));
            let expires_packed = packs(if kind == 1 { days[0] } else { days[1] }, 0, 49_710);
            let common_lot = kind == 0
                || ((1..=u64::from(u32::MAX)).contains(&lot)
                    && lot_points == 57
                    && expires_packed
                    && if kind == 2 { packs(days[0], nanos, 24_855) } else { debt_repaid == 0 });
            proptest::prop_assert_eq!(common_lot, !matches!(record.record.earned.read(), Stored::InFull));
            proptest::prop_assert_eq!(common_lot, record.lot_in_full().is_none());
        }
    }

    proptest::proptest! {
        /// An order's confirmation reads back as its event and as the
        /// journal entry its event gives, whether the record keeps it on
        /// the order's lot (the whole lot of points that never expire, at
        /// any fraction of a second) or in its rare part, and the quick
        /// comparison applying makes
        /// agrees with that reading: a nanosecond or a point off is not
        /// the entry. Points pending a set time read as their whole lot
        /// settling then, unless a confirmation credited them first; a
        /// confirmation after they settled credits none and changes
        /// nothing.
        #[test]
        fn a_confirmation_reads_back_as_its_journal_entry(
            seconds in proptest::prop_oneof![0_i64..100_000, (1_i64 << 31) - 3..(1_i64 << 31) + 3],
            nanos in proptest::prop_oneof![proptest::strategy::Just(0_i64), 1_i64..1_000_000_000],
            points in proptest::prop_oneof![proptest::strategy::Just(57_i64), 0_i64..100],
            debt_repaid in proptest::prop_oneof![proptest::strategy::Just(0_i64), 0_i64..10],
            credited in proptest::bool::weighted(0.9),
            timed in proptest::option::weighted(0.3, 0_i64..10_000_000),
        ) {
            let none = Shapes::default();
            let (member, order): (MemberId, Reference) = ("marta".parse().unwrap(), "ORD-1".parse().unwrap());
            let lot = LotId::new(7);
            let purchase = PurchaseRecorded {
                pending: Some(PendingCredit {
                    lot,
                    points: Points::new(57),
                    available_at: None,
                    expires_at: None,
                }),
                ..recorded().unwrap().view().event(&member, &order, &none)
            };
            let settles = timed.map(|t| purchase.at + chrono::TimeDelta::seconds(t));
            let purchase = PurchaseRecorded {
                pending: purchase.pending.map(|p| PendingCredit { available_at: settles, ..p }),
                ..purchase
            };
            let mut record = Lone::of(&purchase, &mut Shapes::default());
            let on_time = settles.map(|t| (t, Points::new(57), Points::new(-57)));
            proptest::prop_assert_eq!(record.view().settlement(), on_time);
            let at = purchase.at + chrono::TimeDelta::seconds(seconds) + chrono::TimeDelta::nanoseconds(nanos);
            let confirmed = OrderConfirmed {
                member,
                order,
                at,
                credit: credited.then_some(LotCredit {
                    lot,
                    expires_at: None,
                    points: Points::new(points),
                    debt_repaid: Points::new(debt_repaid),
                }),
            };
            record.edit().confirm(&confirmed);
            let common = credited
                && timed.is_none()
                && points == 57
                && debt_repaid == 0
                && seconds < 100_000;
            if common {
                proptest::prop_assert!(!record.has_more(), "kept on the lot");
            }
            let held = record.view().confirmed().map(|c| c.event(&confirmed.member, &confirmed.order));
            proptest::prop_assert_eq!(held.as_ref(), Some(&confirmed));
            let entry = confirmed
                .credit
                .map(|c| (at, c.points, Points::new(-c.points.value())))
                .or(on_time);
            proptest::prop_assert_eq!(record.view().settlement(), entry);
            if let Some((at, available, pending)) = entry {
                proptest::prop_assert!(record.view().settlement_is(&(at, available, pending)));
                let later = at + chrono::TimeDelta::nanoseconds(1);
                proptest::prop_assert!(!record.view().settlement_is(&(later, available, pending)));
                let more = Points::new(available.value() + 1);
                proptest::prop_assert!(!record.view().settlement_is(&(at, more, pending)));
                if available != Points::ZERO {
                    proptest::prop_assert!(!record.view().settlement_is(&(at, available, available)));
                }
            }
        }
    }

    proptest::proptest! {
        /// A search compares an order's time as packed in its record with
        /// a time packed once: the answer is the times' own, packed or held
        /// in full, a nanosecond apart or years.
        #[test]
        fn a_record_is_placed_before_a_time_as_its_time_is(
            at in crate::calendar::instants(),
            other in crate::calendar::instants(),
            shift in proptest::option::of(-2_000_000_000_i64..2_000_000_000),
        ) {
            let bound = match shift {
                Some(nanos) => at.checked_add_signed(TimeDelta::nanoseconds(nanos)),
                None => Some(other),
            };
            proptest::prop_assume!(bound.is_some());
            let bound = bound.unwrap();
            let none = Shapes::default();
            let event = recorded().map(|r| r.view().event(&"marta".parse().unwrap(), &"ORD-1".parse().unwrap(), &none));
            let event = PurchaseRecorded { at, ..event.unwrap() };
            let record = Lone::of(&event, &mut Shapes::default());
            let order = record.view();
            let prepared = <Order<'_> as Contributes>::bound(bound);
            proptest::prop_assert_eq!(Contributes::made_before(&order, &prepared), at < bound);
            proptest::prop_assert_eq!(order.at(), at);
        }
    }

    /// A member climbing a ladder whose upper rungs multiply points: each
    /// order's record gives back the event it was filed from, the orders
    /// that earned a base line and a tier's multiplier on the whole amount
    /// are held in the compact form, and every record compares and hashes
    /// as it would holding the lines as recorded.
    #[test]
    fn tiered_orders_are_held_compactly_and_read_as_recorded() {
        use crate::{Ledger, Purchase};
        let (mut ledger, marta, start, mut log) = marta_enrolled(
            r#"{"currency": "EUR", "earn": {"points": 1, "per": "1.00", "rounding": "floor"},
                "tiers": {"metric": "spend", "window": "calendar_year",
                          "levels": [{"id": "bronze", "threshold": "0"},
                                     {"id": "silver", "threshold": "100", "multiplier": "1.25"},
                                     {"id": "gold", "threshold": "300", "multiplier": "1.5"}]}}"#,
        );
        let amounts = ["57.40", "80.00", "123.45", "0.99", "250.00", "19.90"];
        for (n, amount) in amounts.iter().enumerate() {
            let at = start + chrono::TimeDelta::days(n as i64);
            let amount: Money = format!("{amount} EUR").parse().unwrap();
            let order = format!("ORD-{n}").parse().unwrap();
            log.extend(
                ledger
                    .execute(Purchase::new(marta.clone(), order, amount, at))
                    .unwrap()
                    .events,
            );
        }
        let account = ledger.account(&marta).unwrap();
        let shapes = account.orders.shapes();
        let mut compact = 0;
        for event in &log {
            let Event::PurchaseRecorded(e) = event else {
                continue;
            };
            let record = account.orders.get(&e.order).unwrap();
            assert_eq!(&record.event(&marta, &e.order, shapes), e, "{}", e.order);
            let tiered = matches!(
                e.breakdown.as_slice(),
                [EarnLine::Base { eligible, .. }, EarnLine::Multiplier { source: EarnSource::Tier { .. }, on, .. }]
                    if eligible.written_as(&e.amount) && on.written_as(&e.amount)
            );
            assert_eq!(
                tiered,
                matches!(record.record.breakdown.read(), Packed::Tiered { .. }),
                "{}",
                e.order
            );
            if tiered {
                compact += 1;
                let (mut in_full, more) = (record.record.clone(), record.more.cloned());
                in_full.breakdown = Breakdown::IN_FULL;
                let mut rare = RareParts::<More>::default();
                if let Some(more) = more {
                    let _ = rare.get_or_insert_with(0, || Box::new(more));
                }
                if let Some(more) =
                    OrderMut::new(&mut in_full, &mut rare, 0, record.numbers).more_mut()
                {
                    more.lines = e.breakdown.as_slice().into();
                }
                let as_recorded =
                    Order::new(&in_full, rare.of(in_full.has_more(), 0), record.numbers);
                assert!(record.figures(shapes, None) == as_recorded.figures(shapes, None));
                assert_eq!(
                    fingerprint(&record.figures(shapes, None)),
                    fingerprint(&as_recorded.figures(shapes, None))
                );
                // Either reads its lines as the list of lines itself hashes.
                for held in [record, as_recorded] {
                    let BreakdownView::Lines(lines) = held.breakdown_view(shapes) else {
                        unreachable!("two lines")
                    };
                    assert_eq!(fingerprint(&lines), fingerprint(e.breakdown.as_slice()));
                }
            }
        }
        // Silver from the third order (the first two came to 137.40 EUR),
        // gold from the sixth: four orders share two shapes.
        assert_eq!(compact, 4);
        assert_eq!(shapes.len(), 2);
        assert_eq!(
            Ledger::replay(ledger.program().clone(), &log).unwrap(),
            ledger
        );

        // A multiplier on part of the amount, lines that do not give the
        // order's points, or lines naming the amount written another way
        // (19.900 EUR on an order of 19.90, as a host may write an event
        // itself): held as recorded, and read back as written.
        let Some(Event::PurchaseRecorded(tiered)) = log.last() else {
            unreachable!("the last event is a purchase")
        };
        assert_eq!(tiered.amount, "19.90 EUR".parse().unwrap());
        let longer: Money = "19.900 EUR".parse().unwrap();
        let mut partly = tiered.clone();
        if let Some(EarnLine::Multiplier { on, .. }) = partly.breakdown.as_mut_slice().get_mut(1) {
            *on = "10.00 EUR".parse().unwrap();
        }
        let mut short = tiered.clone();
        short.points = short.points.checked_add(Points::new(1)).unwrap();
        let mut eligible_longer = tiered.clone();
        if let Some(EarnLine::Base { eligible, .. }) =
            eligible_longer.breakdown.as_mut_slice().get_mut(0)
        {
            *eligible = longer;
        }
        let mut on_longer = tiered.clone();
        if let Some(EarnLine::Multiplier { on, .. }) = on_longer.breakdown.as_mut_slice().get_mut(1)
        {
            *on = longer;
        }
        // A base line of more points than 32 bits hold (the multiplier's
        // one more): the lines as recorded too.
        let mut beyond = tiered.clone();
        let huge = Points::new(i64::from(u32::MAX) + 1);
        if let [
            EarnLine::Base { points: base, .. },
            EarnLine::Multiplier { points: extra, .. },
        ] = beyond.breakdown.as_mut_slice()
        {
            *base = huge;
            *extra = Points::new(1);
        }
        beyond.points = huge.checked_add(Points::new(1)).unwrap();
        // A base line of 2^24 points, one more than the breakdown's 24
        // bits hold: the lines as recorded too. One point fewer is packed.
        let with_base = |base_points: i64| {
            let mut event = tiered.clone();
            if let [
                EarnLine::Base { points: base, .. },
                EarnLine::Multiplier { points: extra, .. },
            ] = event.breakdown.as_mut_slice()
            {
                *base = Points::new(base_points);
                *extra = Points::new(1);
            }
            event.points = Points::new(base_points + 1);
            event
        };
        let most = with_base(i64::from(Breakdown::BASE_BITS));
        let mut shapes = Shapes::default();
        let record = Lone::of(&most, &mut shapes);
        let record = record.view();
        assert_eq!(
            record.record.breakdown.read(),
            Packed::Tiered {
                shape: 0,
                base: (1 << 24) - 1
            }
        );
        assert_eq!(record.event(&most.member, &most.order, &shapes), most);
        let over = with_base(1 << 24);
        for event in [partly, short, eligible_longer, on_longer, beyond, over] {
            let mut shapes = Shapes::default();
            let record = Lone::of(&event, &mut shapes);
            let record = record.view();
            assert_eq!(record.record.breakdown, Breakdown::IN_FULL);
            assert!(shapes.is_empty());
            let again = record.event(&event.member, &event.order, &shapes);
            assert_eq!(again, event);
            assert_eq!(
                serde_json::to_string(&again).unwrap(),
                serde_json::to_string(&event).unwrap()
            );
        }
    }

    /// Marta's plain order of 57.40 EUR earning 57 points, its reference
    /// `order`, with no lines.
    fn plain_order(order: &str) -> PurchaseRecorded {
        let Some(plain) = recorded() else {
            unreachable!("the record's fields parse")
        };
        let member = MemberId::new("marta").unwrap_or_else(|_| unreachable!());
        let order = Reference::new(order).unwrap_or_else(|_| unreachable!());
        plain.view().event(&member, &order, &Shapes::default())
    }

    /// Marta's orders of `events` placed in turn and the other way round,
    /// checked to compare and hash alike, with what fingerprints them.
    fn placed_both_ways(
        events: &[PurchaseRecorded],
    ) -> (
        super::super::orders::Orders,
        super::super::orders::Orders,
        impl Fn(&super::super::orders::Orders) -> u64,
    ) {
        let placed = |events: &mut dyn Iterator<Item = &PurchaseRecorded>| {
            let mut orders = super::super::orders::Orders::default();
            for e in events {
                orders.insert(e.order.clone(), |shapes| OrderRecord::of(e, shapes));
            }
            orders
        };
        let forwards = placed(&mut events.iter());
        let backwards = placed(&mut events.iter().rev());
        let member: MemberId = "marta".parse().unwrap();
        let print = move |orders: &super::super::orders::Orders| {
            fingerprint(&super::super::orders::OrdersOf {
                member: &member,
                orders,
            })
        };
        assert_eq!(backwards, forwards);
        assert_eq!(print(&backwards), print(&forwards));
        (forwards, backwards, print)
    }

    /// An order at the base rate alone of 1 point per `per` (as
    /// written), its reference `order`: 57.40 EUR earning 57 points.
    fn at_a_rate(order: &str, per: &str) -> PurchaseRecorded {
        let plain = plain_order(order);
        PurchaseRecorded {
            breakdown: [EarnLine::Base {
                eligible: plain.amount,
                rate: EarnRate {
                    points: Points::new(1),
                    per: per.parse().unwrap_or_else(|_| unreachable!()),
                },
                rounding: Rounding::Floor,
                points: Points::new(57),
            }]
            .into_iter()
            .collect(),
            ..plain
        }
    }

    /// A member's orders at one base rate share it, a rate written
    /// differently (at another scale) is one of its own, and past the
    /// most rates one member keeps orders hold their lines as recorded:
    /// every order gives back its event, and orders compare and hash
    /// alike however their rates were numbered. A record read among
    /// shapes that do not hold its rate reads as no lines.
    #[test]
    fn orders_at_the_base_rate_share_it_up_to_the_most_a_member_keeps() {
        let pers: Vec<String> = (0..Shapes::MOST + 6)
            .map(|n| format!("{}.00 EUR", n + 3))
            .collect();
        let mut events = vec![
            at_a_rate("R-1", "1.00 EUR"),
            at_a_rate("R-2", "1.00 EUR"),
            at_a_rate("R-3", "2.00 EUR"),
            at_a_rate("R-4", "1.00 EUR"),
            at_a_rate("R-5", "1.000 EUR"),
            at_a_rate("R-6", "2.00 EUR"),
        ];
        events.extend(
            pers.iter()
                .enumerate()
                .map(|(n, per)| at_a_rate(&format!("P-{n}"), per)),
        );
        // The same orders placed the other way round number their rates
        // otherwise, and hold others in full.
        let (forwards, backwards, print) = placed_both_ways(&events);
        let shapes = forwards.shapes();
        assert_eq!(shapes.rates(), Shapes::MOST);
        assert_eq!(shapes.len(), 0);
        for (n, e) in events.iter().enumerate() {
            let Some(record) = forwards.get(&e.order) else {
                unreachable!("every order is recorded")
            };
            assert_eq!(&record.event(&e.member, &e.order, shapes), e, "{}", e.order);
            // The first 64 rates: the six orders' three (1.00, 2.00 and
            // 1.000), and the first 61 others.
            let packed = matches!(record.record.breakdown.read(), Packed::Base { .. });
            assert_eq!(packed, n < 67, "{}", e.order);
            assert_eq!(record.more.is_some(), !packed, "{}", e.order);
            // Read among no rates, a packed one reads as no lines.
            let none = Shapes::default();
            assert_eq!(record.breakdown(&none).is_empty(), packed, "{}", e.order);
        }
        let place = |order: &Reference| match forwards.get(order).map(|r| r.record.breakdown.read())
        {
            Some(Packed::Base { rate }) => Some(rate),
            _ => None,
        };
        let places: Vec<Option<u32>> = events.iter().take(6).map(|e| place(&e.order)).collect();
        assert_eq!(places, [0, 0, 1, 0, 2, 1].map(Some));

        let newest = events.last().map(|e| &e.order);
        assert_eq!(
            newest.and_then(|order| place_in(&backwards, order)),
            Some(0)
        );
        assert_eq!(place_in(&backwards, &events[0].order), None);
        // The first order named at the second rate instead: another
        // order.
        let mut changed = forwards.clone();
        let Some(record) = changed.record_mut(0) else {
            unreachable!("every order is recorded")
        };
        record.breakdown = Breakdown::base(1).unwrap();
        assert!(changed != forwards && changed != backwards);
        assert_ne!(print(&changed), print(&forwards));
    }

    /// The rate place of the order `order` among `orders`, when packed.
    fn place_in(orders: &super::super::orders::Orders, order: &Reference) -> Option<u32> {
        match orders.get(order)?.record.breakdown.read() {
            Packed::Base { rate } => Some(rate),
            _ => None,
        }
    }

    /// An order on a tier with a multiplier of `factor` (as written), its
    /// reference `order`: 57.40 EUR at 1 point a euro, 57 points by the
    /// base line and `extra` by the tier's.
    fn on_a_tier(order: &str, tier: &str, factor: &str, extra: i64) -> PurchaseRecorded {
        let plain = plain_order(order);
        let amount = plain.amount;
        PurchaseRecorded {
            points: Points::new(57 + extra),
            breakdown: [
                EarnLine::Base {
                    eligible: amount,
                    rate: EarnRate {
                        points: Points::new(1),
                        per: "1.00 EUR".parse().unwrap_or_else(|_| unreachable!()),
                    },
                    rounding: Rounding::Floor,
                    points: Points::new(57),
                },
                EarnLine::Multiplier {
                    source: EarnSource::Tier {
                        id: tier.parse().unwrap_or_else(|_| unreachable!()),
                        name: Name::new(tier),
                    },
                    factor: factor.parse().unwrap_or_else(|_| unreachable!()),
                    on: amount,
                    points: Points::new(extra),
                },
            ]
            .into_iter()
            .collect(),
            ..plain
        }
    }

    /// A member's orders on one rung share its shape, a factor written
    /// differently (or with the same digits at another scale) is a shape
    /// of its own, and past the most shapes one
    /// member keeps orders hold their lines as recorded: every order gives
    /// back its event, and orders compare and hash alike however their
    /// shapes were numbered.
    #[test]
    fn orders_on_a_tier_share_its_shape_up_to_the_most_a_member_keeps() {
        let factors: Vec<String> = (0..Shapes::MOST + 6)
            .map(|n| format!("1.{:03}", n + 1))
            .collect();
        let mut events = vec![
            on_a_tier("SILVER-1", "silver", "1.25", 14),
            on_a_tier("SILVER-2", "silver", "1.25", 14),
            on_a_tier("SILVER-3", "silver", "1.250", 14),
            on_a_tier("SILVER-4", "silver", "12.5", 660),
            on_a_tier("GOLD-1", "gold", "1.25", 14),
            on_a_tier("GOLD-2", "gold", "1.25", 14),
            on_a_tier("SILVER-5", "silver", "1.25", 14),
        ];
        events.extend(
            factors
                .iter()
                .enumerate()
                .map(|(n, factor)| on_a_tier(&format!("F-{n}"), "gold", factor, 1)),
        );
        // The same orders placed the other way round number their shapes
        // otherwise, and hold others in full.
        let (forwards, backwards, print) = placed_both_ways(&events);
        let shapes = forwards.shapes();
        assert_eq!(shapes.len(), Shapes::MOST);
        for (n, e) in events.iter().enumerate() {
            let Some(record) = forwards.get(&e.order) else {
                unreachable!("every order is recorded")
            };
            assert_eq!(&record.event(&e.member, &e.order, shapes), e, "{}", e.order);
            let compact = matches!(record.record.breakdown.read(), Packed::Tiered { .. });
            // The first 64 shapes: the five silver orders' three (1.25,
            // 1.250 and 12.5), the gold orders' one, and the first 60
            // other factors.
            assert_eq!(compact, n < 67, "{}", e.order);
        }
        let place = |order: &Reference| match forwards.get(order).map(|r| r.record.breakdown.read())
        {
            Some(Packed::Tiered { shape, .. }) => Some(shape),
            _ => None,
        };
        let places: Vec<Option<u32>> = events.iter().take(7).map(|e| place(&e.order)).collect();
        assert_eq!(places, [0, 0, 1, 2, 3, 3, 0].map(Some));

        // The first silver order's base line one point short, its
        // multiplier's one more: the same order's points, other lines.
        let mut changed = forwards.clone();
        let Some(record) = changed.record_mut(0) else {
            unreachable!("every order is recorded")
        };
        let Packed::Tiered { shape, .. } = record.breakdown.read() else {
            unreachable!("held compactly")
        };
        record.breakdown = Breakdown::tiered(shape, 56).unwrap();
        assert!(changed != forwards && changed != backwards);
        assert_ne!(print(&changed), print(&forwards));
    }

    #[test]
    fn an_order_record_compares_and_hashes_by_what_it_says_not_how_it_is_held() {
        let Some(untouched) = recorded() else {
            unreachable!("the record's fields parse")
        };
        let mut touched = untouched.clone();
        // The after-sale part allocated, every figure still zero.
        touched.edit().after_mut();
        assert!(touched.has_more() && !untouched.has_more());
        let (touched_lone, untouched_lone) = (touched.clone(), untouched.clone());
        let (touched, untouched) = (touched_lone.view(), untouched_lone.view());
        let none = Shapes::default();
        assert!(touched.figures(&none, None) == untouched.figures(&none, None));
        assert_eq!(
            fingerprint(&touched.figures(&none, None)),
            fingerprint(&untouched.figures(&none, None))
        );

        let mut touched_lone = touched_lone.clone();
        if let Some(after) = touched_lone.edit().after_mut() {
            after.lapsed = Points::new(3);
        }
        let touched = touched_lone.view();
        assert_eq!(touched.lapsed(), Points::new(3));
        assert!(touched.figures(&none, None) != untouched.figures(&none, None));
        assert_ne!(
            fingerprint(&touched.figures(&none, None)),
            fingerprint(&untouched.figures(&none, None))
        );
    }

    proptest::proptest! {
        /// Each order's rare part is read with its own record, whether it
        /// came with the order (a cart) or later (a refund of any earlier
        /// order, in any order): the member's orders hold one for exactly
        /// the records flagged, and compare and hash alike however the
        /// parts were filed.
        #[test]
        fn the_rare_parts_beside_the_records_stay_with_their_own_orders(
            carts in proptest::collection::vec(proptest::bool::weighted(0.3), 0..40),
            refunds in proptest::collection::vec((0_usize..40, 1_i64..5_000), 0..30),
        ) {
            use super::super::orders::{Orders, OrdersOf};
            let reference = |n: usize| Reference::new(format!("O-{n}")).unwrap();
            let place = |orders: &mut Orders| {
                for (n, cart) in carts.iter().enumerate() {
                    let mut e = plain_order(&format!("O-{n}"));
                    if *cart {
                        e.cart = Some(Box::new(Cart::new(e.amount)));
                    }
                    orders.insert(reference(n), |shapes| OrderRecord::of(&e, shapes));
                }
            };
            let refund = |orders: &mut Orders, at: usize, cents: i64| {
                if let Some(mut order) = orders.filed_mut(at)
                    && let Some(after) = order.after_mut()
                {
                    after.refunded = Money::new(Decimal::new(cents, 2), Currency::EUR);
                }
            };
            let (mut forwards, mut backwards) = (Orders::default(), Orders::default());
            place(&mut forwards);
            place(&mut backwards);
            let mut model: Vec<Option<i64>> = vec![None; carts.len()];
            let refunds: Vec<(usize, i64)> = refunds
                .into_iter()
                .filter(|(at, _)| *at < carts.len())
                .collect();
            for (at, cents) in &refunds {
                refund(&mut forwards, *at, *cents);
                model[*at] = Some(*cents);
            }
            // The same refunds the other way round, each order's last
            // first: the same figures, parts filed in another order.
            let mut last: Vec<(usize, i64)> = Vec::new();
            for (at, cents) in refunds.iter().rev() {
                if !last.iter().any(|(seen, _)| seen == at) {
                    last.push((*at, *cents));
                }
            }
            for (at, cents) in &last {
                refund(&mut backwards, *at, *cents);
            }
            let mut flagged = 0;
            for (n, cart) in carts.iter().enumerate() {
                let refunded = model[n].map_or(Decimal::ZERO, |cents| Decimal::new(cents, 2));
                for order in [forwards.at(n), forwards.get(&reference(n)), forwards.placed().nth(n).map(|(_, o)| o)] {
                    let Some(order) = order else {
                        unreachable!("every order is recorded")
                    };
                    proptest::prop_assert_eq!(order.cart().is_some(), *cart, "order {}", n);
                    proptest::prop_assert_eq!(order.refunded().amount(), refunded, "order {}", n);
                    proptest::prop_assert_eq!(order.record().has_more(), *cart || model[n].is_some());
                    proptest::prop_assert_eq!(order.more.is_some(), order.record().has_more());
                }
                flagged += usize::from(*cart || model[n].is_some());
            }
            proptest::prop_assert_eq!(forwards.rare_len(), flagged);
            proptest::prop_assert!(forwards == backwards);
            let marta = MemberId::new("marta").unwrap();
            let print = |orders: &Orders| fingerprint(&OrdersOf { member: &marta, orders });
            proptest::prop_assert_eq!(print(&forwards), print(&backwards));
            // A cent more than the order's last refund (its first may be
            // a cent below its last).
            if let Some(&(at, _)) = refunds.first() {
                refund(&mut backwards, at, model[at].unwrap_or_default() + 1);
                proptest::prop_assert!(forwards != backwards);
                proptest::prop_assert_ne!(print(&forwards), print(&backwards));
            }
        }
    }

    proptest::proptest! {
        /// The extras of a member's redemptions stay with their own
        /// records, whether they came with the redemption (a voucher paid)
        /// or later (points a refund gave back, to any earlier redemption,
        /// in any order): the member's redemptions hold extras for exactly
        /// the records flagged, read alike however they are found, and
        /// compare and hash alike however the extras were filed.
        #[test]
        fn the_extras_beside_the_redemption_records_stay_with_their_own(
            vouchers in proptest::collection::vec(proptest::bool::weighted(0.3), 0..40),
            restores in proptest::collection::vec((0_usize..40, 1_i64..50), 0..30),
        ) {
            let reference = |n: usize| Reference::new(format!("RDM-{n}")).unwrap();
            let redeem = |redemptions: &mut Redemptions| {
                for (n, voucher) in vouchers.iter().enumerate() {
                    let mut e = marta_redeemed(Draws::from(LotDraw::new(
                        LotId::new(1),
                        None,
                        Points::new(100),
                    )))
                    .unwrap();
                    e.redemption = reference(n);
                    if *voucher {
                        e.voucher = Some(Reference::new(format!("V-{n}")).unwrap());
                    }
                    let hash = e.redemption.quick_hash();
                    let _ = redemptions.insert_new(&e.redemption, hash, || RedemptionRecord::of(&e, 0));
                }
            };
            let restore = |redemptions: &mut Redemptions, n: usize, points: i64| {
                if let Some(mut r) = redemptions.get_mut(&reference(n)) {
                    r.restore(Points::new(points));
                }
            };
            let (mut forwards, mut backwards) = (Redemptions::default(), Redemptions::default());
            redeem(&mut forwards);
            redeem(&mut backwards);
            let restores: Vec<(usize, i64)> = restores
                .into_iter()
                .filter(|(n, _)| *n < vouchers.len())
                .collect();
            let mut model = vec![0_i64; vouchers.len()];
            for (n, points) in &restores {
                restore(&mut forwards, *n, *points);
                model[*n] += points;
            }
            for (n, points) in restores.iter().rev() {
                restore(&mut backwards, *n, *points);
            }
            let mut flagged = 0;
            for (n, voucher) in vouchers.iter().enumerate() {
                let found = [
                    forwards.get(&reference(n)),
                    forwards.filed_at(n),
                    forwards.records().nth(n),
                ];
                for redemption in found {
                    let Some(redemption) = redemption else {
                        unreachable!("every redemption is recorded")
                    };
                    proptest::prop_assert_eq!(redemption.voucher().is_some(), *voucher, "redemption {}", n);
                    proptest::prop_assert_eq!(redemption.restored(), Points::new(model[n]), "redemption {}", n);
                    let has = *voucher || model[n] > 0;
                    proptest::prop_assert_eq!(redemption.record.has_extras(), has, "redemption {}", n);
                    proptest::prop_assert_eq!(redemption.extras.is_some(), has, "redemption {}", n);
                }
                flagged += usize::from(*voucher || model[n] > 0);
            }
            let held = forwards.0.as_deref().map_or(0, |list| list.extras.len());
            proptest::prop_assert_eq!(held, flagged);
            let marta = MemberId::new("marta").unwrap();
            let (orders, rewards) = (Orders::default(), RewardsUsed::new());
            let beside = Beside { orders: &orders, rewards: &rewards };
            let same = |a: &Redemptions, b: &Redemptions| {
                RedemptionsOf { member: &marta, redemptions: a, beside }
                    == RedemptionsOf { member: &marta, redemptions: b, beside }
            };
            let print = |redemptions: &Redemptions| {
                fingerprint(&RedemptionsOf { member: &marta, redemptions, beside })
            };
            proptest::prop_assert!(same(&forwards, &backwards));
            proptest::prop_assert_eq!(print(&forwards), print(&backwards));
            if let Some((n, _)) = restores.first() {
                restore(&mut backwards, *n, 1);
                proptest::prop_assert!(!same(&forwards, &backwards));
                proptest::prop_assert_ne!(print(&forwards), print(&backwards));
            }
        }
    }

    #[test]
    fn an_order_placed_with_a_cart_keeps_it_through_its_after_sale() {
        let Some(plain) = recorded() else {
            unreachable!("the record's fields parse")
        };
        let Ok(redemption) = Reference::new("RDM-1") else {
            unreachable!("a valid reference")
        };
        let plain = plain.view();
        let cart = Cart::new(plain.amount());
        let event = PurchaseRecorded {
            redemptions: vec![redemption.clone()],
            cart: Some(Box::new(cart.clone())),
            ..plain.event(
                &MemberId::new("marta").unwrap_or_else(|_| unreachable!()),
                &redemption,
                &Shapes::default(),
            )
        };
        let mut lone = Lone::of(&event, &mut Shapes::default());
        assert_eq!(lone.view().refunded(), Money::zero(plain.currency()));
        if let Some(after) = lone.edit().after_mut() {
            after.refunded = plain.amount();
        }
        if let Some(after) = lone.edit().after_mut() {
            after.fully_refunded = true;
        }
        let record = lone.view();
        assert_eq!(record.redemptions(), std::slice::from_ref(&redemption));
        assert_eq!(record.cart(), Some(&cart));
        assert_eq!(
            (record.refunded(), record.fully_refunded()),
            (plain.amount(), true)
        );
    }
}
