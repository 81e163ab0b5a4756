//! Decisions: the business rules that turn a command into events.
//!
//! Nothing here changes the ledger. A [`Draft`] copies the small
//! balance-carrying part of an account (its live lots, pending points and
//! debt; never its history), folds each planned event into that copy with
//! the same code `apply` uses, and so sees the account exactly as the next
//! event will.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, Utc};

use super::account::{Account, LotKey, Wallet, postings};
use super::command::*;
use super::event::*;
use super::receipt::*;
use super::{Ledger, policy::Expiry, policy::NegativeBalance, policy::Pending};
use crate::rewards::price;
use crate::{ApplyError, Error, MemberId, Money, Points, Program, Reference, ReferenceKind};

/// The most characters an adjustment's reason may have.
pub const MAX_REASON_CHARS: usize = 500;

/// One member's account as planned events will leave it.
///
/// The wallet is borrowed until an event must be folded in before the next
/// is planned (time falling due, a sweep after a restoration); a command's
/// last event is only checked. So the common command copies nothing, and
/// its cost does not grow with the member's history.
pub(crate) struct Draft<'a> {
    program: &'a Program,
    member: &'a MemberId,
    pub(crate) wallet: Cow<'a, Wallet>,
    pub(crate) events: Vec<Event>,
}

impl<'a> Draft<'a> {
    pub(crate) fn new(program: &'a Program, account: &'a Account) -> Draft<'a> {
        Draft {
            program,
            member: account.member(),
            wallet: Cow::Borrowed(&account.wallet),
            events: Vec::new(),
        }
    }

    /// Plans an event: folds it into the draft wallet and keeps it.
    fn push(&mut self, event: Event) -> Result<(), Error> {
        let entries = postings(&event)?;
        self.wallet
            .to_mut()
            .apply(&event, &entries)
            .map_err(refusal)?;
        self.events.push(event);
        Ok(())
    }

    /// Plans a command's last event: checks that it fits, without folding
    /// it in.
    fn finish(&mut self, event: Event) -> Result<(), Error> {
        let entries = postings(&event)?;
        self.wallet.check(&event, &entries).map_err(refusal)?;
        self.events.push(event);
        Ok(())
    }

    /// Brings the account up to `at`: expires lots and settles pending
    /// points that fell due, in time order, each event dated when it fell
    /// due (or at the account's last event, if that is later).
    pub(crate) fn sweep(&mut self, at: DateTime<Utc>) -> Result<(), Error> {
        let inactivity = match self.program.expiry() {
            Expiry::AfterInactivity { days } => Some(days),
            _ => None,
        };
        while let Some(due) = self.wallet.next_due(inactivity) {
            if due > at {
                break;
            }
            let when = due.max(self.wallet.last_event_at);
            let before = self.events.len();

            // Lots that were spendable until `due` expire first...
            let lapsed = inactivity
                .and_then(|days| self.wallet.inactivity_deadline(days))
                .is_some_and(|deadline| deadline <= due);
            let draws: Vec<LotDraw> = self
                .wallet
                .lots
                .iter()
                .take_while(|(k, _)| lapsed || k.expires_at().is_some_and(|t| t <= due))
                .map(|(k, p)| LotDraw::new(k.lot(), k.expires_at(), *p))
                .collect();
            if !draws.is_empty() {
                let points = Points::checked_sum(draws.iter().map(|d| d.points))?;
                self.push(Event::PointsExpired(PointsExpired {
                    member: self.member.clone(),
                    at: when,
                    reason: if lapsed {
                        ExpiryReason::Inactivity
                    } else {
                        ExpiryReason::LotExpired
                    },
                    points,
                    draws,
                }))?;
            }

            // ...then pending points maturing at `due` arrive.
            let mut maturing: Vec<(DateTime<Utc>, LotId)> = self
                .wallet
                .pending
                .iter()
                .filter_map(|(lot, p)| p.available_at.filter(|t| *t <= due).map(|t| (t, *lot)))
                .collect();
            maturing.sort_unstable();
            for (_, lot) in maturing {
                let Some(p) = self.wallet.pending.get(&lot) else {
                    continue;
                };
                let (order, points, expires_at) = (p.order.clone(), p.points, p.expires_at);
                let credit = self.sole_credit(lot, expires_at, points)?;
                self.push(Event::PointsSettled(PointsSettled {
                    member: self.member.clone(),
                    order,
                    at: when,
                    credit,
                }))?;
            }
            if self.events.len() == before {
                // Nothing fell due after all; never loop on it.
                break;
            }
        }
        Ok(())
    }

    /// A credit of `points` into `lot`, repaying debt first. `repaid` is the
    /// debt already repaid by earlier credits of the same event.
    fn credit(
        &self,
        lot: LotId,
        expires_at: Option<DateTime<Utc>>,
        points: Points,
        repaid: &mut Points,
    ) -> Result<LotCredit, Error> {
        let owed = self.wallet.debt.checked_sub(*repaid)?.max(Points::ZERO);
        let debt_repaid = points.min(owed);
        *repaid = repaid.checked_add(debt_repaid)?;
        Ok(LotCredit::new(lot, expires_at, points, debt_repaid))
    }

    /// A credit of `points` into `lot` that is the event's only one.
    fn sole_credit(
        &self,
        lot: LotId,
        expires_at: Option<DateTime<Utc>>,
        points: Points,
    ) -> Result<LotCredit, Error> {
        self.credit(lot, expires_at, points, &mut Points::default())
    }

    /// Plans draws of `points` from `wallet`'s lots in consumption order,
    /// from lot `first` before the others when given. Returns the draws and
    /// what the lots could not cover.
    fn draws(wallet: &Wallet, points: Points, first: Option<LotId>) -> (Vec<LotDraw>, Points) {
        let mut left = points.value();
        let mut draws = Vec::new();
        let preferred = first.and_then(|lot| wallet.lots.iter().find(|(k, _)| k.lot() == lot));
        let rest = wallet.lots.iter().filter(|(k, _)| Some(k.lot()) != first);
        for (key, held) in preferred.into_iter().chain(rest) {
            if left <= 0 {
                break;
            }
            let take = left.min(held.value());
            if take > 0 {
                draws.push(LotDraw::new(key.lot(), key.expires_at(), Points::new(take)));
                left = left.saturating_sub(take);
            }
        }
        (draws, Points::new(left.max(0)))
    }

    fn new_lot_expiry(&self, at: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, Error> {
        self.program.lot_expiry(at)
    }
}

/// A planned event that does not fit: an overflow the command caused, or a
/// bug.
fn refusal(error: ApplyError) -> Error {
    match error {
        ApplyError::Overflow(o) => Error::PointsOverflow(o),
        other => Error::Inconsistent(other),
    }
}

/// A conflict on `reference`: `field` was `recorded` before, `received` now.
fn conflict(
    kind: ReferenceKind,
    reference: &Reference,
    field: &'static str,
    recorded: impl fmt::Display,
    received: impl fmt::Display,
) -> Error {
    Error::Conflict {
        kind,
        reference: reference.clone(),
        field,
        recorded: recorded.to_string(),
        received: received.to_string(),
    }
}

/// A list of references for a conflict message.
struct List<'a>(&'a [Reference]);

impl fmt::Display for List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        for (i, r) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

fn fresh(receipt: Receipt, events: Vec<Event>) -> Decision {
    Decision {
        receipt,
        events,
        duplicate: false,
    }
}

fn repeated(receipt: Receipt) -> Decision {
    Decision {
        receipt,
        events: Vec::new(),
        duplicate: true,
    }
}

fn check_time(account: &Account, at: DateTime<Utc>) -> Result<(), Error> {
    if at < account.last_event_at() {
        Err(Error::OutOfOrder {
            member: account.member().clone(),
            at,
            last_event_at: account.last_event_at(),
        })
    } else {
        Ok(())
    }
}

fn positive(points: Points) -> Result<(), Error> {
    if points.is_positive() {
        Ok(())
    } else {
        Err(Error::InvalidPoints { points })
    }
}

impl Ledger {
    pub(crate) fn decide_command(&self, command: Command) -> Result<Decision, Error> {
        match command {
            Command::Enroll(c) => self.decide_enroll(c),
            Command::Purchase(c) => self.decide_purchase(c),
            Command::Confirm(c) => self.decide_confirm(c),
            Command::Redeem(c) => self.decide_redeem(c),
            Command::CancelRedemption(c) => self.decide_cancel(c),
            Command::Refund(c) => self.decide_refund(c),
            Command::Adjust(c) => self.decide_adjust(c),
            Command::Transfer(c) => self.decide_transfer(c),
            Command::Tick(c) => self.decide_tick(c.at),
        }
    }

    fn decide_enroll(&self, c: Enroll) -> Result<Decision, Error> {
        if let Some(account) = self.accounts.get(&c.member) {
            return Ok(repeated(Receipt::Enrollment(EnrollmentReceipt {
                member: c.member,
                enrolled_at: account.enrolled_at(),
            })));
        }
        let receipt = Receipt::Enrollment(EnrollmentReceipt {
            member: c.member.clone(),
            enrolled_at: c.at,
        });
        Ok(fresh(
            receipt,
            vec![Event::MemberEnrolled(MemberEnrolled {
                member: c.member,
                at: c.at,
            })],
        ))
    }

    fn decide_purchase(&self, c: Purchase) -> Result<Decision, Error> {
        let account = self.enrolled(&c.member)?;
        if let Some(order) = account.orders.get(&c.order) {
            let recorded = &order.recorded;
            if recorded.amount != c.amount {
                return Err(conflict(
                    ReferenceKind::Order,
                    &c.order,
                    "amount",
                    recorded.amount,
                    c.amount,
                ));
            }
            if recorded.redemptions != c.redemptions {
                return Err(conflict(
                    ReferenceKind::Order,
                    &c.order,
                    "redemptions",
                    List(&recorded.redemptions),
                    List(&c.redemptions),
                ));
            }
            return Ok(repeated(Receipt::Purchase(PurchaseReceipt::new(recorded))));
        }
        check_time(account, c.at)?;
        self.program.check_currency(&c.amount)?;
        if c.amount.is_negative() {
            return Err(Error::InvalidAmount {
                amount: c.amount,
                problem: "a purchase cannot be negative",
            });
        }
        for (i, r) in c.redemptions.iter().enumerate() {
            let Some(rec) = account.redemptions.get(r) else {
                return Err(Error::UnknownRedemption {
                    member: c.member.clone(),
                    redemption: r.clone(),
                });
            };
            if rec.cancelled.is_some() {
                return Err(Error::RedemptionCancelled {
                    redemption: r.clone(),
                });
            }
            let used_here = c.redemptions.iter().take(i).any(|x| x == r);
            if let Some(order) = rec.used_by.clone().or(used_here.then(|| c.order.clone())) {
                return Err(Error::RedemptionUsed {
                    redemption: r.clone(),
                    order,
                });
            }
        }

        let mut draft = Draft::new(&self.program, account);
        draft.sweep(c.at)?;
        let earning = self.program.earn().earn(c.amount)?;
        let lot = draft.wallet.next_lot_id();
        let expires_at = draft.new_lot_expiry(c.at)?;
        let (credit, pending) = match self.program.pending() {
            _ if earning.points.is_zero() => (None, None),
            Pending::AfterDays(0) => (
                Some(draft.sole_credit(lot, expires_at, earning.points)?),
                None,
            ),
            Pending::AfterDays(days) => {
                let available_at =
                    c.at.checked_add_days(chrono::Days::new(u64::from(days)))
                        .ok_or(Error::TimeOutOfRange { at: c.at, days })?;
                (
                    None,
                    Some(pending_credit(
                        lot,
                        earning.points,
                        Some(available_at),
                        expires_at,
                    )),
                )
            }
            Pending::OnConfirmation => (
                None,
                Some(pending_credit(lot, earning.points, None, expires_at)),
            ),
        };
        let event = PurchaseRecorded {
            member: c.member,
            order: c.order,
            at: c.at,
            amount: c.amount,
            points: earning.points,
            breakdown: earning.lines,
            credit,
            pending,
            redemptions: c.redemptions,
        };
        let receipt = Receipt::Purchase(PurchaseReceipt::new(&event));
        draft.finish(Event::PurchaseRecorded(event))?;
        Ok(fresh(receipt, draft.events))
    }

    fn decide_confirm(&self, c: Confirm) -> Result<Decision, Error> {
        let account = self.enrolled(&c.member)?;
        let Some(order) = account.orders.get(&c.order) else {
            return Err(Error::UnknownOrder {
                member: c.member,
                order: c.order,
            });
        };
        if let Some(confirmed) = &order.confirmed {
            return Ok(repeated(Receipt::Confirmation(ConfirmationReceipt::new(
                confirmed,
            ))));
        }
        check_time(account, c.at)?;
        let mut draft = Draft::new(&self.program, account);
        draft.sweep(c.at)?;
        let waiting = order
            .recorded
            .pending
            .and_then(|p| draft.wallet.pending.get(&p.lot).map(|w| (p.lot, w)));
        let credit = match waiting {
            Some((lot, w)) => Some(draft.sole_credit(lot, w.expires_at, w.points)?),
            None => None,
        };
        let event = OrderConfirmed {
            member: c.member,
            order: c.order,
            at: c.at,
            credit,
        };
        let receipt = Receipt::Confirmation(ConfirmationReceipt::new(&event));
        draft.push(Event::OrderConfirmed(event))?;
        // Points confirmed after their lot's expiry expire at once.
        draft.sweep(c.at)?;
        Ok(fresh(receipt, draft.events))
    }

    fn decide_redeem(&self, c: Redeem) -> Result<Decision, Error> {
        let account = self.enrolled(&c.member)?;
        if let Some(rec) = account.redemptions.get(&c.redemption) {
            let recorded = &rec.redeemed;
            if recorded.reward != c.reward {
                return Err(conflict(
                    ReferenceKind::Redemption,
                    &c.redemption,
                    "reward",
                    &recorded.reward,
                    &c.reward,
                ));
            }
            if recorded.cart != c.cart.total {
                return Err(conflict(
                    ReferenceKind::Redemption,
                    &c.redemption,
                    "cart",
                    recorded.cart,
                    c.cart.total,
                ));
            }
            return Ok(repeated(Receipt::Redemption(RedemptionReceipt::new(
                recorded,
            ))));
        }
        check_time(account, c.at)?;
        let reward = self
            .program
            .reward(&c.reward)
            .ok_or_else(|| Error::UnknownReward {
                reward: c.reward.clone(),
            })?;
        if c.cart.total.is_negative() {
            return Err(Error::InvalidAmount {
                amount: c.cart.total,
                problem: "a cart cannot be negative",
            });
        }
        let mut draft = Draft::new(&self.program, account);
        draft.sweep(c.at)?;
        let option = price(
            reward,
            &c.cart,
            draft.wallet.available(),
            self.program.discount_rounding(),
        );
        if let Some(first) = option.shortfalls.into_iter().next() {
            return Err(first.into());
        }
        let discount = option
            .discount
            .unwrap_or(Money::zero(c.cart.total.currency()));
        let (draws, short) = Draft::draws(&draft.wallet, reward.cost(), None);
        if short.is_positive() {
            return Err(Error::InsufficientPoints {
                available: draft.wallet.available(),
                required: reward.cost(),
            });
        }
        let event = RewardRedeemed {
            member: c.member,
            redemption: c.redemption,
            reward: c.reward,
            at: c.at,
            cart: c.cart.total,
            discount,
            points: reward.cost(),
            draws,
        };
        let receipt = Receipt::Redemption(RedemptionReceipt::new(&event));
        draft.finish(Event::RewardRedeemed(event))?;
        Ok(fresh(receipt, draft.events))
    }

    fn decide_cancel(&self, c: CancelRedemption) -> Result<Decision, Error> {
        let account = self.enrolled(&c.member)?;
        let Some(rec) = account.redemptions.get(&c.redemption) else {
            return Err(Error::UnknownRedemption {
                member: c.member,
                redemption: c.redemption,
            });
        };
        if let Some(cancelled) = &rec.cancelled {
            return Ok(repeated(Receipt::Cancellation(CancellationReceipt::new(
                cancelled,
            ))));
        }
        if let Some(order) = &rec.used_by {
            return Err(Error::RedemptionUsed {
                redemption: c.redemption,
                order: order.clone(),
            });
        }
        check_time(account, c.at)?;
        let mut draft = Draft::new(&self.program, account);
        draft.sweep(c.at)?;
        let mut repaid = Points::ZERO;
        let credits = rec
            .redeemed
            .draws
            .iter()
            .map(|d| draft.credit(d.lot, d.expires_at, d.points, &mut repaid))
            .collect::<Result<Vec<_>, _>>()?;
        let event = RedemptionCancelled {
            member: c.member,
            redemption: c.redemption,
            at: c.at,
            points: rec.redeemed.points,
            credits,
        };
        let receipt = Receipt::Cancellation(CancellationReceipt::new(&event));
        draft.push(Event::RedemptionCancelled(event))?;
        // Points returned to a lot that has meanwhile expired expire at once.
        draft.sweep(c.at)?;
        Ok(fresh(receipt, draft.events))
    }

    fn decide_refund(&self, c: Refund) -> Result<Decision, Error> {
        let account = self.enrolled(&c.member)?;
        if let Some(recorded) = account.refunds.get(&c.refund) {
            if recorded.order != c.order {
                return Err(conflict(
                    ReferenceKind::Refund,
                    &c.refund,
                    "order",
                    &recorded.order,
                    &c.order,
                ));
            }
            if recorded.amount != c.amount {
                return Err(conflict(
                    ReferenceKind::Refund,
                    &c.refund,
                    "amount",
                    recorded.amount,
                    c.amount,
                ));
            }
            return Ok(repeated(Receipt::Refund(
                self.refund_receipt(account, recorded)?,
            )));
        }
        let Some(order) = account.orders.get(&c.order) else {
            return Err(Error::UnknownOrder {
                member: c.member,
                order: c.order,
            });
        };
        check_time(account, c.at)?;
        self.program.check_currency(&c.amount)?;
        let recorded = &order.recorded;
        // A free order (paid entirely with a reward) is refunded whole,
        // with an amount of zero.
        if c.amount.is_negative() || (c.amount.is_zero() && !recorded.amount.is_zero()) {
            return Err(Error::InvalidAmount {
                amount: c.amount,
                problem: "a refund must be greater than zero",
            });
        }
        let refunded_total = order.refunded.checked_add(c.amount)?;
        if order.fully_refunded || refunded_total.amount() > recorded.amount.amount() {
            return Err(Error::RefundExceedsOrder {
                order: c.order,
                order_amount: recorded.amount,
                already_refunded: order.refunded,
                requested: c.amount,
            });
        }
        let policy = self.program.refunds();
        let share = |points: Points| {
            proportion(points, refunded_total, recorded.amount, policy.rounding).ok_or(
                Error::AmountOutOfRange {
                    amount: refunded_total,
                },
            )
        };

        let mut draft = Draft::new(&self.program, account);
        draft.sweep(c.at)?;

        // Points spent on the order's discounts come back first, into the
        // lots they came from, latest-consumed first.
        let mut repaid = Points::ZERO;
        let mut restored = Vec::new();
        for r in &recorded.redemptions {
            let Some(rec) = account.redemptions.get(r) else {
                continue;
            };
            let give = share(rec.redeemed.points)?.checked_sub(rec.restored)?;
            if !give.is_positive() {
                continue;
            }
            let mut skip = rec.restored.value();
            let mut left = give.value();
            let mut credits = Vec::new();
            for d in rec.redeemed.draws.iter().rev() {
                let here = d.points.value().saturating_sub(skip).max(0);
                skip = skip.saturating_sub(d.points.value()).max(0);
                let take = here.min(left);
                if take > 0 {
                    credits.push(draft.credit(
                        d.lot,
                        d.expires_at,
                        Points::new(take),
                        &mut repaid,
                    )?);
                    left = left.saturating_sub(take);
                }
            }
            restored.push(Restoration {
                redemption: r.clone(),
                points: give,
                credits,
            });
        }

        // Then the clawback: from the order's pending points, then its points
        // that already expired (nothing to take), then its own lot, then the
        // other lots in consumption order; what is still short goes to the
        // negative-balance policy.
        let claw = share(recorded.points)?
            .checked_sub(order.clawed_back)?
            .max(Points::ZERO);
        let own_lot = order.lot();
        let from_pending = own_lot
            .and_then(|lot| draft.wallet.pending.get(&lot).map(|p| (lot, p)))
            .map(|(lot, p)| LotDraw::new(lot, p.expires_at, claw.min(p.points)))
            .filter(|d| d.points.is_positive());
        let after_pending = claw.checked_sub(from_pending.map_or(Points::ZERO, |d| d.points))?;
        // The order's own points that expired unused (before now, or in the
        // sweep just planned) already left the balance: count them, do not
        // take them twice.
        let lapsed_now = Points::checked_sum(
            draft
                .events
                .iter()
                .filter_map(|e| match e {
                    Event::PointsExpired(x) => Some(&x.draws),
                    _ => None,
                })
                .flatten()
                .filter(|d| Some(d.lot) == own_lot)
                .map(|d| d.points),
        )?;
        let uncounted = order
            .lapsed
            .checked_add(lapsed_now)?
            .checked_sub(order.lapsed_counted)?
            .max(Points::ZERO);
        let expired = after_pending.min(uncounted);
        let from_available = after_pending.checked_sub(expired)?;
        let mut after_restore: Wallet = draft.wallet.as_ref().clone();
        for credit in restored.iter().flat_map(|r| &r.credits) {
            after_restore.preview_credit(credit);
        }
        // Points restored into a lot that has meanwhile expired are dead on
        // arrival (the sweep below expires them): the clawback never takes
        // from them.
        after_restore
            .lots
            .retain(|key, _| key.expires_at().is_none_or(|t| t > c.at));
        let (draws, short) = Draft::draws(&after_restore, from_available, own_lot);
        let (debt, forgiven) = match policy.negative_balance {
            _ if short.is_zero() => (Points::ZERO, Points::ZERO),
            NegativeBalance::Reject => {
                return Err(Error::ClawbackExceedsBalance {
                    available: after_restore
                        .lots_total()?
                        .checked_sub(after_restore.debt)?,
                    required: from_available,
                });
            }
            NegativeBalance::Clamp => (Points::ZERO, short),
            NegativeBalance::Debt => (short, Points::ZERO),
        };
        let event = OrderRefunded {
            member: c.member,
            order: c.order,
            refund: c.refund,
            at: c.at,
            amount: c.amount,
            refunded_total,
            restored,
            clawback: Clawback {
                points: claw,
                rounding: policy.rounding,
                from_pending,
                expired,
                draws,
                debt,
                forgiven,
            },
        };
        let receipt = Receipt::Refund(self.refund_receipt(account, &event)?);
        draft.push(Event::OrderRefunded(event))?;
        // Restored points whose lot has meanwhile expired expire at once.
        draft.sweep(c.at)?;
        Ok(fresh(receipt, draft.events))
    }

    fn refund_receipt(&self, account: &Account, e: &OrderRefunded) -> Result<RefundReceipt, Error> {
        let order = account
            .orders
            .get(&e.order)
            .ok_or_else(|| Error::UnknownOrder {
                member: e.member.clone(),
                order: e.order.clone(),
            })?;
        Ok(RefundReceipt::new(e, &order.recorded, |r| {
            account
                .redemptions
                .get(r)
                .map_or(Points::ZERO, |rec| rec.redeemed.points)
        }))
    }

    fn decide_adjust(&self, c: Adjust) -> Result<Decision, Error> {
        let account = self.enrolled(&c.member)?;
        if let Some(recorded) = account.adjustments.get(&c.adjustment) {
            if recorded.points != c.points {
                return Err(conflict(
                    ReferenceKind::Adjustment,
                    &c.adjustment,
                    "points",
                    recorded.points,
                    c.points,
                ));
            }
            if recorded.reason != c.reason {
                return Err(conflict(
                    ReferenceKind::Adjustment,
                    &c.adjustment,
                    "reason",
                    &recorded.reason,
                    &c.reason,
                ));
            }
            return Ok(repeated(Receipt::Adjustment(AdjustmentReceipt::new(
                recorded,
            ))));
        }
        check_time(account, c.at)?;
        if c.points.is_zero() || c.points == Points::MIN {
            return Err(Error::InvalidPoints { points: c.points });
        }
        let len = c.reason.chars().count();
        if len == 0 || len > MAX_REASON_CHARS || c.reason.trim().is_empty() {
            return Err(Error::InvalidReason {
                len,
                max: MAX_REASON_CHARS,
            });
        }
        let mut draft = Draft::new(&self.program, account);
        draft.sweep(c.at)?;
        let (credit, draws) = if c.points.is_positive() {
            let lot = draft.wallet.next_lot_id();
            let expires_at = draft.new_lot_expiry(c.at)?;
            (
                Some(draft.sole_credit(lot, expires_at, c.points)?),
                Vec::new(),
            )
        } else {
            let required = c.points.checked_neg()?;
            let (draws, short) = Draft::draws(&draft.wallet, required, None);
            if short.is_positive() {
                return Err(Error::InsufficientPoints {
                    available: draft.wallet.available(),
                    required,
                });
            }
            (None, draws)
        };
        let event = PointsAdjusted {
            member: c.member,
            adjustment: c.adjustment,
            at: c.at,
            points: c.points,
            reason: c.reason,
            credit,
            draws,
        };
        let receipt = Receipt::Adjustment(AdjustmentReceipt::new(&event));
        draft.finish(Event::PointsAdjusted(event))?;
        Ok(fresh(receipt, draft.events))
    }

    fn decide_transfer(&self, c: Transfer) -> Result<Decision, Error> {
        if c.from == c.to {
            return Err(Error::SelfTransfer { member: c.from });
        }
        let from = self.enrolled(&c.from)?;
        let to = self.enrolled(&c.to)?;
        if let Some(recorded) = from.transfers.get(&c.transfer) {
            let super::account::TransferRecord::Out(recorded) = recorded else {
                return Err(conflict(
                    ReferenceKind::Transfer,
                    &c.transfer,
                    "direction",
                    "received",
                    "sent",
                ));
            };
            if recorded.to != c.to {
                return Err(conflict(
                    ReferenceKind::Transfer,
                    &c.transfer,
                    "to",
                    &recorded.to,
                    &c.to,
                ));
            }
            if recorded.points != c.points {
                return Err(conflict(
                    ReferenceKind::Transfer,
                    &c.transfer,
                    "points",
                    recorded.points,
                    c.points,
                ));
            }
            return Ok(repeated(Receipt::Transfer(TransferReceipt::new(recorded))));
        }
        if to.transfers.contains_key(&c.transfer) {
            return Err(conflict(
                ReferenceKind::Transfer,
                &c.transfer,
                "from",
                "another sender",
                &c.from,
            ));
        }
        check_time(from, c.at)?;
        check_time(to, c.at)?;
        positive(c.points)?;
        let mut sender = Draft::new(&self.program, from);
        let mut receiver = Draft::new(&self.program, to);
        sender.sweep(c.at)?;
        receiver.sweep(c.at)?;
        let (draws, short) = Draft::draws(&sender.wallet, c.points, None);
        if short.is_positive() {
            return Err(Error::InsufficientPoints {
                available: sender.wallet.available(),
                required: c.points,
            });
        }
        let mut repaid = Points::ZERO;
        let first = receiver.wallet.next_lot_id().number();
        let credits = draws
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let lot = LotId::new(first.saturating_add(i as u64));
                receiver.credit(lot, d.expires_at, d.points, &mut repaid)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let out = PointsTransferredOut {
            member: c.from.clone(),
            transfer: c.transfer.clone(),
            to: c.to.clone(),
            at: c.at,
            points: c.points,
            draws,
        };
        let receipt = Receipt::Transfer(TransferReceipt::new(&out));
        sender.finish(Event::PointsTransferredOut(out))?;
        receiver.finish(Event::PointsTransferredIn(PointsTransferredIn {
            member: c.to,
            transfer: c.transfer,
            from: c.from,
            at: c.at,
            points: c.points,
            credits,
        }))?;
        let mut events = sender.events;
        events.append(&mut receiver.events);
        Ok(fresh(receipt, events))
    }

    fn decide_tick(&self, at: DateTime<Utc>) -> Result<Decision, Error> {
        let mut events = Vec::new();
        let mut members = 0_usize;
        let mut settled = Points::ZERO;
        let mut expired = Points::ZERO;
        for (_, member) in self.due.iter().take_while(|(due, _)| *due <= at) {
            let Some(account) = self.accounts.get(member) else {
                continue;
            };
            let mut draft = Draft::new(&self.program, account);
            draft.sweep(at)?;
            if draft.events.is_empty() {
                continue;
            }
            members = members.saturating_add(1);
            for event in &draft.events {
                match event {
                    Event::PointsSettled(e) => settled = settled.checked_add(e.credit.points)?,
                    Event::PointsExpired(e) => expired = expired.checked_add(e.points)?,
                    _ => {}
                }
            }
            events.append(&mut draft.events);
        }
        Ok(fresh(
            Receipt::Tick(TickReceipt {
                at,
                members,
                settled,
                expired,
            }),
            events,
        ))
    }

    /// The member's account, or [`Error::NotEnrolled`].
    pub(crate) fn enrolled(&self, member: &MemberId) -> Result<&Account, Error> {
        self.accounts.get(member).ok_or_else(|| Error::NotEnrolled {
            member: member.clone(),
        })
    }
}

fn pending_credit(
    lot: LotId,
    points: Points,
    available_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
) -> PendingCredit {
    PendingCredit {
        lot,
        points,
        available_at,
        expires_at,
    }
}

impl Wallet {
    /// Puts a credit's points into the lots (or towards the debt) without
    /// any bookkeeping: a preview for planning draws after it.
    fn preview_credit(&mut self, credit: &LotCredit) {
        self.debt = Points::new(
            self.debt
                .value()
                .saturating_sub(credit.debt_repaid.value())
                .max(0),
        );
        let add = credit
            .points
            .value()
            .saturating_sub(credit.debt_repaid.value());
        if add > 0 {
            let held = self
                .lots
                .entry(LotKey::new(credit.lot, credit.expires_at))
                .or_insert(Points::ZERO);
            *held = Points::new(held.value().saturating_add(add));
        }
    }

    /// The points all lots hold.
    fn lots_total(&self) -> Result<Points, crate::PointsOverflow> {
        Points::checked_sum(self.lots.values().copied())
    }
}
