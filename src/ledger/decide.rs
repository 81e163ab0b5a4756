//! Decisions: the business rules that turn a command into events.
//!
//! Nothing here changes the ledger. A [`Draft`] copies the small
//! balance-carrying part of an account (its live lots, pending points and
//! debt; never its history), folds each planned event into that copy with
//! the same code `apply` uses, and so sees the account exactly as the next
//! event will.

use std::borrow::Cow;
use std::fmt;
use std::ops::ControlFlow;

use chrono::{DateTime, Utc};

use super::account::{
    Account, EntryKind, LotKey, NewReference, Order, PendingLot, Wallet, postings,
};
use super::accounts::AHEAD;
use super::command::*;
use super::draws::Draws;
use super::event::*;
use super::journal::PostingView;
use super::receipt::*;
use super::referral_rules::Others;
use super::{Ledger, policy::NegativeBalance, policy::Pending};
use crate::calendar::days_after;
use crate::earn::{
    ActionFrequency, Birthday, EarnSource, PurchaseFacts, bonus_earning, earn_purchase,
};
use crate::rewards::{RewardKind, Standing, assess};
use crate::{
    ApplyError, DiscountTarget, Error, MemberId, Money, Points, Program, Reference, ReferenceKind,
};

/// The most characters an adjustment's reason may have.
pub const MAX_REASON_CHARS: usize = 500;

/// One member's account as planned events will leave it.
///
/// The wallet is borrowed until an event must be folded in before the next
/// is planned (time falling due, a sweep after a restoration); a command's
/// last event is only checked. So the common command copies nothing, and
/// its cost does not grow with the member's history.
pub(crate) struct Draft<'a> {
    pub(crate) program: &'a Program,
    pub(crate) account: &'a Account,
    pub(crate) member: &'a MemberId,
    pub(crate) wallet: DraftWallet<'a>,
    /// Where the ledger keeps its spare wallet, when it lends it (see
    /// [`Draft::lend_spare`]): the account's wallet is copied into the
    /// spare when an event must be folded in, and the copy is kept there
    /// as the next spare.
    spare: Option<&'a mut Lent>,
    pub(crate) events: Vec<Event>,
    /// Whether the plan's events are applied at once, so that a first
    /// event planned against the account's own wallet can be left for
    /// the apply step to check (see [`Ledger::decide_into`]).
    pub(crate) leave_first_check: bool,
    /// How many of the plan's events, from its first, are folded into the
    /// wallet's copy, each in turn; `None` once an event was folded in
    /// after one that was only checked, when the copy is not the
    /// account's wallet after the plan's first events. Applying takes the
    /// copy as the account's wallet after them rather than folding them
    /// in again (see [`Draft::return_spare`]).
    folded: Option<u32>,
    /// Whether the account is the ledger's own, filed in its due index
    /// under [`Account::due`]: then, while nothing is folded into the
    /// draft, that is when the wallet next falls due, and a sweep reads it
    /// rather than working it out again. Not so for an enrolment's new
    /// account, which is filed once applied.
    filed: bool,
}

/// A wallet the ledger keeps for a decision to copy a member's into (see
/// [`Draft::lend_spare`]): under points pending a while, a purchase
/// settles the member's earlier orders before its own event is planned,
/// and its decision plans on a copy of the member's wallet with the
/// settlements folded in (a confirmation, a redemption, a refund or an
/// adjustment after something fell due, and a tick's member with more
/// than one thing due, likewise). Copied into the spare, whose lists
/// have room from the last copy, the copy allocates nothing and frees
/// nothing.
/// Not part of what the ledger holds: a clone of the ledger has none,
/// two ledgers compare equal whatever their spares, and `Debug` shows
/// only whether there is one.
#[derive(Default)]
pub(crate) struct SpareWallet(Lent);

impl SpareWallet {
    /// The spare, to lend a decision, none of whose events it holds yet.
    pub(crate) fn take(&mut self) -> Lent {
        Lent {
            wallet: self.0.wallet.take(),
            folded: 0,
        }
    }

    /// Keeps what a decision handed back, `lent`, until its events are
    /// applied (see [`take_copy`](SpareWallet::take_copy)), and the wallet
    /// for the next decision.
    pub(crate) fn keep(&mut self, lent: Lent) {
        self.0 = lent;
    }

    /// The spare wallet and how many of the decision's events it holds
    /// folded in (see [`Lent::folded`]), which it then no longer holds:
    /// asked once, as the decision's events are applied.
    pub(crate) fn take_copy(&mut self) -> Option<(&mut Wallet, u32)> {
        let folded = std::mem::take(&mut self.0.folded);
        self.0.wallet.as_deref_mut().map(|wallet| (wallet, folded))
    }
}

/// The ledger's spare wallet, lent to a decision (see [`SpareWallet`]),
/// and what the decision left in it.
#[derive(Default)]
pub(crate) struct Lent {
    /// The wallet, if the ledger had one or the decision made one.
    pub(crate) wallet: Option<Box<Wallet>>,
    /// How many of the decision's events, from its first, the wallet
    /// holds folded into a copy of the member's wallet, each in turn: the
    /// settlements and expiries a purchase, a redemption, a refund or an
    /// adjustment planned on. None when the decision copied nothing, and
    /// after a tick (see [`Ledger::decide_tick`]). Applying those events,
    /// the account may take the copy as its wallet after them rather
    /// than fold them in again (see
    /// [`Ledger::apply_own`](super::Ledger::apply_own)).
    pub(crate) folded: u32,
}

impl Clone for SpareWallet {
    fn clone(&self) -> SpareWallet {
        SpareWallet::default()
    }
}

impl PartialEq for SpareWallet {
    fn eq(&self, _: &SpareWallet) -> bool {
        true
    }
}

impl Eq for SpareWallet {}

impl fmt::Debug for SpareWallet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.wallet.is_some() {
            "SpareWallet(Some(..))"
        } else {
            "SpareWallet(None)"
        })
    }
}

/// The wallet a [`Draft`] plans on: the account's own, borrowed, until an
/// event must be folded in before the next is planned; from then on a
/// copy, boxed so that the draft stays small (it is moved as it is made
/// and handed on) and so that the copy can be kept as the ledger's next
/// spare (see [`SpareWallet`]).
pub(crate) struct DraftWallet<'a> {
    own: &'a Wallet,
    copy: Option<Box<Wallet>>,
}

impl<'a> DraftWallet<'a> {
    /// The account's own wallet, not copied.
    fn of(own: &'a Wallet) -> DraftWallet<'a> {
        DraftWallet { own, copy: None }
    }

    /// Whether the draft plans on the account's own wallet still.
    pub(crate) fn is_borrowed(&self) -> bool {
        self.copy.is_none()
    }

    /// The wallet to fold an event into: the copy, made first if there is
    /// none yet, in `spare` when it holds a wallet.
    fn to_mut(&mut self, spare: Option<&mut Lent>) -> &mut Wallet {
        let own = self.own;
        self.copy
            .get_or_insert_with(|| match spare.and_then(|lent| lent.wallet.take()) {
                Some(mut wallet) => {
                    wallet.copy_from(own);
                    wallet
                }
                None => Box::new(own.clone()),
            })
    }
}

impl std::ops::Deref for DraftWallet<'_> {
    type Target = Wallet;

    fn deref(&self) -> &Wallet {
        self.copy.as_deref().unwrap_or(self.own)
    }
}

impl AsRef<Wallet> for DraftWallet<'_> {
    fn as_ref(&self) -> &Wallet {
        self
    }
}

impl<'a> Draft<'a> {
    /// Lends the draft `spare` to copy the account's wallet into, should
    /// an event have to be folded in: a wallet an earlier decision copied
    /// into, whose lists have room (see [`Wallet::copy_from`]).
    #[inline(always)]
    pub(crate) fn lend_spare(&mut self, spare: &'a mut Lent) {
        self.spare = Some(spare);
    }

    /// Keeps the copy of the wallet the draft made, if any, where the
    /// ledger keeps its spare (when it lent it), for the next decision,
    /// with how many of the plan's events, from its first, the copy has
    /// folded in, each in turn: once the plan is decided, the copy is the
    /// account's wallet after those events, and applying them may take it
    /// as that (see [`Lent::folded`]). Without a copy, the spare is left
    /// as lent: a decision is lent it with none folded.
    #[inline(always)]
    pub(crate) fn return_spare(&mut self) {
        if let Some(copy) = self.wallet.copy.take()
            && let Some(spare) = self.spare.as_deref_mut()
        {
            spare.wallet = Some(copy);
            spare.folded = self.folded.unwrap_or(0);
        }
    }

    /// A draft over `account`, one of the ledger's.
    pub(crate) fn new(program: &'a Program, account: &'a Account) -> Draft<'a> {
        Draft::planning_into(program, account, Vec::new())
    }

    /// A draft over an enrolment's new account, not yet filed in the
    /// ledger's due index.
    fn unfiled(program: &'a Program, account: &'a Account) -> Draft<'a> {
        Draft {
            filed: false,
            ..Draft::new(program, account)
        }
    }

    /// A draft over `account`, one of the ledger's, that plans its events
    /// into `events` (emptied first): the host's list, when it lends one.
    pub(crate) fn planning_into(
        program: &'a Program,
        account: &'a Account,
        mut events: Vec<Event>,
    ) -> Draft<'a> {
        events.clear();
        Draft {
            program,
            account,
            member: account.member(),
            wallet: DraftWallet::of(&account.wallet),
            spare: None,
            events,
            leave_first_check: false,
            folded: Some(0),
            filed: true,
        }
    }

    /// Plans `c`: what it earns for this member now (the earn rules with
    /// the member's tier, bonuses and caps, the points available or
    /// pending per the program) and the event recording it, kept as
    /// [`finish`](Draft::finish) keeps the plan's last event when `last`
    /// says it is, as [`push`](Draft::push) does when not; gives its
    /// place in the plan, where [`purchase_receipt`] reads its receipt.
    /// The event goes straight into the plan, not through a value handed
    /// back: it is the largest a purchase makes. The receipt is read off
    /// it once the plan is made rather than built here and handed back
    /// through each caller's result, a copy of its 232 bytes at each step.
    pub(crate) fn purchase(
        &mut self,
        c: Purchase,
        discounts: &[(DiscountTarget, Money)],
        last: bool,
    ) -> Result<usize, Error> {
        let offset = self.program.utc_offset();
        let tier = self.effective_tier();
        let planned_order = self
            .events
            .iter()
            .any(|e| matches!(e, Event::PurchaseRecorded(_)));
        let facts = PurchaseFacts {
            amount: c.amount,
            cart: c.cart.as_deref(),
            discounts,
            at: c.at,
            first_purchase: self.account.orders.is_empty() && !planned_order,
            birthday_month: self.wallet.in_birthday_month(c.at, offset),
            earned_in_period: self.earned_in_period(c.at)?,
            held: self.held(),
            tier: tier
                .as_ref()
                .and_then(|t| self.program.tiers().and_then(|ts| ts.tier(t))),
        };
        let earning = earn_purchase(self.program, &facts)?;
        let lot = self.wallet.next_lot_id();
        let expires_at = self.new_lot_expiry(c.at)?;
        let (credit, pending) = match self.program.pending() {
            _ if earning.points.is_zero() => (None, None),
            Pending::AfterDays(0) => (
                Some(self.sole_credit(lot, expires_at, earning.points)?),
                None,
            ),
            Pending::AfterDays(days) => {
                // The error built only when needed: built and dropped, it
                // cost every purchase under pending points 20 instructions.
                let Some(available_at) = days_after(c.at, days) else {
                    return Err(Error::TimeOutOfRange { at: c.at, days });
                };
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
        // Built where it is kept, then checked or folded in there.
        self.make_room();
        let placed = self.events.len();
        self.events.push(Event::PurchaseRecorded(PurchaseRecorded {
            member: c.member,
            order: c.order,
            at: c.at,
            amount: c.amount,
            points: earning.points,
            breakdown: earning.lines,
            credit,
            pending,
            redemptions: c.redemptions,
            cart: c.cart,
        }));
        self.keep_newest(!last)?;
        Ok(placed)
    }

    /// Plans an event: folds it into the draft wallet and keeps it.
    pub(crate) fn push(&mut self, event: Event) -> Result<(), Error> {
        self.make_room();
        self.events.push(event);
        self.keep_newest(true)
    }

    /// Keeps the event just added to the plan once it fits the draft
    /// wallet: folded into it when `fold` says to, as every event but a
    /// command's last is, or only checked against it; takes the event
    /// back out when it does not fit. A command's first and last event,
    /// against the account's own wallet, is left to the apply step that
    /// follows when the draft says so: it checks it the same way.
    fn keep_newest(&mut self, fold: bool) -> Result<(), Error> {
        if !fold && self.leave_first_check && self.events.len() == 1 && self.wallet.is_borrowed() {
            return Ok(());
        }
        let Some(event) = self.events.last() else {
            return Ok(());
        };
        let fits = postings(event)
            .map_err(ApplyError::from)
            .and_then(|entries| {
                let entries = entries.as_slice();
                if fold {
                    self.wallet
                        .to_mut(self.spare.as_deref_mut())
                        .apply(event, entries)
                } else {
                    self.wallet.fits(event, entries)
                }
            })
            .map_err(refusal);
        match fits {
            Err(_) => {
                self.events.pop();
            }
            // The copy holds the plan's first events in turn while each
            // folded in follows the last one folded.
            Ok(()) if fold => {
                let placed = u32::try_from(self.events.len()).ok();
                self.folded = self
                    .folded
                    .zip(placed)
                    .filter(|&(folded, placed)| folded == placed.saturating_sub(1))
                    .map(|(_, placed)| placed);
            }
            Ok(()) => {}
        }
        fits
    }

    /// Before an event is added to the list: a list without room yet
    /// (one the host did not lend) gets room for two, a purchase's and an
    /// upgrade's, rather than the four a `Vec` starts with. At 320 bytes
    /// an event, two fit the small blocks glibc's allocator keeps at hand
    /// for each thread (up to about 1 KB), four do not: a purchase
    /// through [`execute`](crate::Ledger::execute) took 155 instructions
    /// fewer (callgrind, 10 K members). The event itself is pushed where
    /// it was planned, so that it is not copied once more on its way.
    fn make_room(&mut self) {
        if self.events.capacity() == 0 {
            self.events.reserve_exact(2);
        }
    }

    /// Plans a command's last event: checks that it fits, without folding
    /// it in. Inlined, so that the event is written into the list from
    /// where it was built rather than copied into an argument first.
    #[inline]
    pub(crate) fn finish(&mut self, event: Event) -> Result<(), Error> {
        self.make_room();
        self.events.push(event);
        self.keep_newest(false)
    }

    /// Plans a command's last event, one that credits lots at `at`:
    /// when one of those lots has `expired` by then (points confirmed or
    /// restored after their lot's expiry, see [`expired_by`]), folded
    /// into the draft wallet and the wallet swept again, so that their
    /// points expire at once; otherwise only checked, as
    /// [`finish`](Draft::finish) does. Nothing else can fall due by `at`
    /// once the draft was swept to it: a credit moves the inactivity
    /// deadline later, if anything. So the common confirmation or
    /// cancellation copies no wallet.
    pub(crate) fn finish_crediting(
        &mut self,
        event: Event,
        expired: bool,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        if expired {
            self.push(event)?;
            self.sweep(at)
        } else {
            self.finish(event)
        }
    }

    /// Brings the account up to `at`: expires lots and settles pending
    /// points that fell due, in time order, each event dated when it fell
    /// due (or at the account's last event, if that is later).
    pub(crate) fn sweep(&mut self, at: DateTime<Utc>) -> Result<(), Error> {
        self.sweep_until(at, false)
    }

    /// As [`sweep`](Draft::sweep), as the draft's whole plan (a tick's for
    /// one member): an expiry after which nothing more falls due by `at`
    /// is only checked, like a command's last event, so the common tick
    /// copies no wallet.
    pub(crate) fn sweep_last(&mut self, at: DateTime<Utc>) -> Result<(), Error> {
        self.sweep_until(at, true)
    }

    fn sweep_until(&mut self, at: DateTime<Utc>, last: bool) -> Result<(), Error> {
        let rules = self.program.due_rules();
        let inactivity = rules.inactivity_days;
        let mut next = self.first_due();
        while let Some(due) = next {
            if due > at {
                break;
            }
            let when = due.max(self.wallet.last_event_at);
            let before = self.events.len();

            // Lots that were spendable until `due` expire first...
            let lapsed = inactivity
                .and_then(|days| self.wallet.inactivity_deadline(days))
                .is_some_and(|deadline| deadline <= due);
            let expires = |k: &LotKey| lapsed || k.expires_at().is_some_and(|t| t <= due);
            // Most sweeps expire nothing: the first lot in consumption
            // order says so without walking the lots.
            let draws: Draws = if self.wallet.lots.first().is_some_and(|k| expires(&k)) {
                self.wallet
                    .lots
                    .iter()
                    .take_while(|(k, _)| expires(k))
                    .map(|(k, p)| LotDraw::new(k.lot(), k.expires_at(), p))
                    .collect()
            } else {
                Draws::new()
            };
            if !draws.is_empty() {
                let points = Points::checked_sum(draws.iter().map(|d| d.points))?;
                // When nothing falls due by `at` past this expiry, nothing
                // else falls due with it either (pending points, a birthday,
                // a review or a term's end would be as soon), and the loop
                // would end after it: as the plan's last event, it is only
                // checked.
                let ends = last
                    && self
                        .wallet
                        .next_due_past(rules, draws.len())
                        .is_none_or(|next| next > at);
                let expiry = Event::PointsExpired(PointsExpired {
                    member: self.member.clone(),
                    at: when,
                    reason: if lapsed {
                        ExpiryReason::Inactivity
                    } else {
                        ExpiryReason::LotExpired
                    },
                    points,
                    draws,
                });
                if ends {
                    return self.finish(expiry);
                }
                self.push(expiry)?;
            }

            // ...then pending points maturing at `due` arrive, by lot. `due`
            // is the soonest anything falls due, so every pending lot
            // maturing by then matures at `due` itself, and lot order is
            // the order they mature in. Each settlement folded in takes its
            // lot out of the pending ones: the next is the first maturing
            // lot left (the front one, as lots pend in the order they
            // form), found without a list of them to allocate and sort.
            let matures = |p: &PendingLot| p.available_at.is_some_and(|t| t <= due);
            let maturing = self.wallet.pending.values().filter(|p| matures(p)).count();
            for _ in 0..maturing {
                let Some((lot, p)) = self
                    .wallet
                    .pending
                    .iter()
                    .find(|(_, p)| matures(p))
                    .map(|(lot, p)| (*lot, p))
                else {
                    break;
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
            // ...a birthday starting at `due` is celebrated...
            if let Some(offset) = rules.birthdays
                && let Some((year, start)) = self.wallet.next_birthday(offset)
                && start <= due
                && let Some(Birthday::Grant(points)) = self.program.bonuses().birthday()
            {
                let event = self.bonus(
                    BonusKind::Birthday { year },
                    EarnSource::Birthday,
                    points,
                    when,
                )?;
                self.push(event)?;
                if let Some(upgrade) = self.upgrade(when)? {
                    self.push(upgrade)?;
                }
            }
            // ...a membership's term ends, and a tier's review falls due.
            if rules.tiers {
                self.end_of_term(due, when)?;
                self.review(due, when)?;
            }
            if self.events.len() == before {
                // Nothing fell due after all; never loop on it.
                break;
            }
            next = self.wallet.next_due(rules);
        }
        Ok(())
    }

    /// When the draft's wallet next falls due: as the ledger filed it
    /// while the wallet is the account's own (nearly every command
    /// sweeps before anything is folded in, and has nothing due), worked
    /// out otherwise. Saves a purchase one of the two times it was
    /// worked out (the other is the filing after applying).
    fn first_due(&self) -> Option<DateTime<Utc>> {
        if self.filed && self.wallet.is_borrowed() {
            let filed = self.account.due;
            debug_assert_eq!(
                filed,
                self.wallet.next_due(self.program.due_rules()),
                "the ledger files an account under when its wallet next falls due"
            );
            filed
        } else {
            self.wallet.next_due(self.program.due_rules())
        }
    }

    /// A bonus of `points` for `kind`, after the program's caps, as an
    /// event dated `at`.
    pub(crate) fn bonus(
        &self,
        kind: BonusKind,
        source: EarnSource,
        points: Points,
        at: DateTime<Utc>,
    ) -> Result<Event, Error> {
        let earning = bonus_earning(
            self.program,
            source,
            points,
            self.earned_in_period(at)?,
            self.held(),
        )?;
        let credit = if earning.points.is_positive() {
            let lot = self.wallet.next_lot_id();
            let expires_at = self.new_lot_expiry(at)?;
            Some(self.sole_credit(lot, expires_at, earning.points)?)
        } else {
            None
        };
        Ok(Event::BonusAwarded(BonusAwarded {
            member: self.member.clone(),
            at,
            bonus: kind,
            points: earning.points,
            breakdown: earning.lines,
            credit,
        }))
    }

    /// Available and pending points now: what the maximum balance caps.
    /// Held at [`Points::MAX`]: a balance that large has reached any cap,
    /// and without a cap the figure is not needed at all.
    pub(crate) fn held(&self) -> Points {
        let b = self.wallet.balance;
        b.available.saturating_add(b.pending)
    }

    /// Points earned (purchases and bonuses) since the start of the
    /// program's capped period holding `at`; zero without such a cap. Reads
    /// the account's journal back to the period's start only.
    pub(crate) fn earned_in_period(&self, at: DateTime<Utc>) -> Result<Points, Error> {
        let Some((_, period)) = self.program.earn().limits().per_period else {
            return Ok(Points::ZERO);
        };
        let Some(start) = period.start(at, self.program.utc_offset()) else {
            return Ok(Points::ZERO);
        };
        let earned = |p: PostingView| {
            matches!(p.kind, EntryKind::Earned | EntryKind::Bonus)
                .then(|| p.available.checked_add(p.pending))
        };
        let mut total = Points::ZERO;
        for posting in self
            .account
            .journal_figures()
            .rev()
            .take_while(|p| p.at >= start)
        {
            if let Some(points) = earned(posting) {
                total = total.checked_add(points?)?;
            }
        }
        for event in &self.events {
            for posting in postings(event)?.as_slice().iter().filter(|p| p.at >= start) {
                if let Some(points) = earned(posting.view()) {
                    total = total.checked_add(points?)?;
                }
            }
        }
        Ok(total)
    }

    /// A credit of `points` into `lot`, repaying debt first. `repaid` is the
    /// debt already repaid by earlier credits of the same event.
    pub(super) fn credit(
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
    pub(super) fn sole_credit(
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
    pub(super) fn draws(wallet: &Wallet, points: Points, first: Option<LotId>) -> (Draws, Points) {
        let preferred = first.and_then(|lot| {
            wallet
                .lots
                .try_each(|key, held| {
                    if key.lot() == lot {
                        ControlFlow::Break((key, held))
                    } else {
                        ControlFlow::Continue(())
                    }
                })
                .break_value()
        });
        // One pass over the lots in order, each drawn from with what it
        // gives until the points are covered, the draws written on the
        // stack: a redemption from small lots draws from nine or so, and
        // its list is then allocated once, at its size, without counting
        // the lots first. A list too long for the stack goes on in a
        // `Vec`. (Shared by the event, its receipt and the account's
        // record instead of copied, such a list took 4 to 7% more time:
        // three fewer allocations, four more atomic counts.)
        if !points.is_positive() {
            return (Draws::new(), Points::ZERO);
        }
        let mut planned = Planned::new();
        let mut left = points.value();
        let mut draw = |(key, held): (LotKey, Points)| {
            let take = left.min(held.value());
            if take > 0 {
                left = left.saturating_sub(take);
                planned.push(LotDraw::new(key.lot(), key.expires_at(), Points::new(take)));
                if left <= 0 {
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        };
        if preferred.is_none_or(|lot| draw(lot).is_continue()) {
            let _ = wallet.lots.try_each(|key, held| match first {
                Some(lot) if key.lot() == lot => ControlFlow::Continue(()),
                _ => draw((key, held)),
            });
        }
        (planned.listed(), Points::new(left.max(0)))
    }

    pub(super) fn new_lot_expiry(&self, at: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, Error> {
        self.program.lot_expiry(at)
    }
}

/// The draws [`Draft::draws`] plans, written into a buffer on the stack
/// until it is full, then into a `Vec`.
struct Planned {
    buffer: [LotDraw; Planned::ON_STACK],
    len: usize,
    spilled: Vec<LotDraw>,
}

impl Planned {
    /// How many draws the buffer holds: a redemption of 100 points from
    /// lots of 12 draws from nine.
    const ON_STACK: usize = 16;

    fn new() -> Planned {
        Planned {
            buffer: [LotDraw::new(LotId::new(0), None, Points::ZERO); Planned::ON_STACK],
            len: 0,
            spilled: Vec::new(),
        }
    }

    #[inline]
    fn push(&mut self, draw: LotDraw) {
        match self.buffer.get_mut(self.len) {
            Some(slot) => {
                *slot = draw;
                self.len = self.len.saturating_add(1);
            }
            None => self.spill(draw),
        }
    }

    /// Goes on in the `Vec` once the buffer is full.
    #[cold]
    fn spill(&mut self, draw: LotDraw) {
        if self.spilled.is_empty() {
            self.spilled.reserve(Planned::ON_STACK.saturating_mul(2));
            self.spilled.extend_from_slice(&self.buffer);
        }
        self.spilled.push(draw);
    }

    /// The draws planned, listed (read in place rather than moved out).
    fn listed(&mut self) -> Draws {
        if !self.spilled.is_empty() {
            return Draws::from(std::mem::take(&mut self.spilled));
        }
        Draws::from_slice(self.buffer.get(..self.len).unwrap_or_default())
    }
}

/// The receipt of `e`, a refund of `order`: for a refund just planned,
/// whose order is at hand, without looking it up again. `earned_share`
/// is the order's points in proportion to the refunded total, when the
/// plan worked it out already.
fn refund_receipt_of(
    account: &Account,
    e: &OrderRefunded,
    order: Order<'_>,
    earned_share: Option<Points>,
) -> RefundReceipt {
    RefundReceipt::new(e, order.amount(), order.points(), earned_share, |r| {
        account
            .redemptions
            .get(r)
            .map_or(Points::ZERO, |rec| rec.points())
    })
}

/// Where [`plan_refund`](Ledger::plan_refund) placed a refund's event,
/// and what its receipt needs that the event does not say.
pub(super) struct PlannedRefund {
    /// The event's place in the plan.
    placed: usize,
    /// The refunded order's place among the account's orders.
    order_at: usize,
    /// The order's points in proportion to the refunded total.
    earned_share: Points,
}

impl PlannedRefund {
    /// The receipt of the refund placed in `events`, the plan made on
    /// `account`. Nothing moves a plan's events, so it is there; were it
    /// not, the decision is refused as inconsistent rather than given a
    /// receipt of something else.
    fn receipt(&self, account: &Account, events: &[Event]) -> Result<RefundReceipt, Error> {
        let order = account.orders.at(self.order_at);
        match (events.get(self.placed), order) {
            (Some(Event::OrderRefunded(e)), Some(order)) => Ok(refund_receipt_of(
                account,
                e,
                order,
                Some(self.earned_share),
            )),
            (other, _) => Err(Error::Inconsistent(ApplyError::Malformed {
                member: account.member().clone(),
                event: other.map_or("none", Event::kind),
                problem: "the plan lost the refund's event or its order",
            })),
        }
    }
}

/// A planned event that does not fit: an overflow the command caused, or a
/// bug.
pub(super) fn refusal(error: ApplyError) -> Error {
    match error {
        ApplyError::Overflow(o) => Error::PointsOverflow(o),
        other => Error::Inconsistent(other),
    }
}

/// A command retried under a reference the ledger knows, checked field by
/// field against what was recorded under it.
#[derive(Clone, Copy)]
struct Retry<'r> {
    kind: ReferenceKind,
    reference: &'r Reference,
}

impl<'r> Retry<'r> {
    /// A retry under `reference`, of the `kind` of thing it names.
    fn of(kind: ReferenceKind, reference: &'r Reference) -> Retry<'r> {
        Retry { kind, reference }
    }

    /// Refuses the retry when its `field` `differs` from what was
    /// recorded: [`Error::Conflict`] naming the field, `recorded` and
    /// `received`.
    fn check(
        self,
        field: &'static str,
        differs: bool,
        recorded: impl fmt::Display,
        received: impl fmt::Display,
    ) -> Result<(), Error> {
        if differs {
            return Err(conflict(
                self.kind,
                self.reference,
                field,
                recorded,
                received,
            ));
        }
        Ok(())
    }
}

/// A conflict on `reference`: `field` was `recorded` before, `received` now.
pub(super) fn conflict(
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

/// A bonus recorded as an action that is not one: a bug.
fn not_an_action(e: &BonusAwarded) -> Error {
    Error::Inconsistent(ApplyError::Malformed {
        member: e.member.clone(),
        event: "BonusAwarded",
        problem: "an action's bonus that is not for an action",
    })
}

/// An optional birth date for a conflict message.
struct DateText(Option<chrono::NaiveDate>);

impl fmt::Display for DateText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(d) => write!(f, "{d}"),
            None => f.write_str("none"),
        }
    }
}

/// An optional cart for a conflict message: its total.
struct CartText<'a>(Option<&'a crate::Cart>);

impl fmt::Display for CartText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.map(crate::Cart::total) {
            None => f.write_str("none"),
            Some(Ok(total)) => write!(f, "a cart of {total}"),
            Some(Err(_)) => f.write_str("an invalid cart"),
        }
    }
}

/// An optional value for a conflict message.
struct Text<T>(Option<T>);

impl<T: fmt::Display> fmt::Display for Text<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(v) => v.fmt(f),
            None => f.write_str("none"),
        }
    }
}

/// Optional points for a conflict message.
struct PointsText(Option<Points>);

impl fmt::Display for PointsText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(p) => write!(f, "{p}"),
            None => f.write_str("none"),
        }
    }
}

/// The points a redemption may choose: none for a fixed-cost reward (or
/// exactly its cost), whole steps within the range for points-as-cash.
fn check_chosen_points(
    reward: &crate::Reward,
    tier: Option<&crate::TierId>,
    points: Option<Points>,
) -> Result<(), Error> {
    let wrong = |expected: String| Error::WrongPoints {
        reward: reward.id().clone(),
        expected,
        given: PointsText(points).to_string(),
    };
    match reward.kind() {
        RewardKind::PointsAsCash {
            step_points,
            minimum_points,
            maximum_points,
            ..
        } => {
            let fits = points.is_some_and(|p| {
                p.value().checked_rem(step_points.value()) == Some(0)
                    && p >= *minimum_points
                    && maximum_points.is_none_or(|m| p <= m)
            });
            if fits {
                Ok(())
            } else {
                let most = maximum_points.map_or("any number".to_owned(), |m| m.to_string());
                Err(wrong(format!(
                    "a multiple of {step_points} points from {minimum_points} to {most}"
                )))
            }
        }
        _ => match points {
            Some(p) if p != reward.cost_for(tier) => {
                Err(wrong(format!("{} points", reward.cost_for(tier))))
            }
            _ => Ok(()),
        },
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

/// What deciding a command found that applying its first event can use
/// rather than look for again (see [`decide_into`](Ledger::decide_into)).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Found {
    /// Where the command's member's account is held.
    pub(crate) slot: Option<usize>,
    /// The quick hash of the new reference the command's own event files
    /// (a purchase's order, a redemption's, a refund's or an adjustment's
    /// reference), found by the exactly-once check, which found it not
    /// filed: set only right after that check. Applying uses it for the
    /// first event alone, and only when that event is of its kind: the
    /// command's own (expiries and settlements that go before it are of
    /// other kinds).
    pub(crate) reference: Option<NewReference>,
    /// Where in the account's orders the order a refund's event refunds
    /// is held (see [`Orders::find_from`](super::orders::Orders::find_from)).
    pub(crate) order: Option<usize>,
    /// Whether the parts of the account a purchase or a refund goes on
    /// to use were read ahead with its group's (see
    /// [`Ledger::execute_all`]): deciding does not read them ahead again.
    /// Set only by [`Found::read_ahead`].
    warmed: bool,
}

impl Found {
    /// The account at `slot`, nothing else found yet.
    pub(crate) fn at(slot: Option<usize>) -> Found {
        Found {
            slot,
            ..Found::default()
        }
    }

    /// The account at `slot`, read ahead with its group's parts (see
    /// [`Account::warm`]), nothing else found yet.
    pub(crate) fn read_ahead(slot: usize) -> Found {
        Found {
            warmed: true,
            ..Found::at(Some(slot))
        }
    }

    /// Reads ahead the parts of `account` a purchase or a refund goes on
    /// to use, unless they were read with its group's.
    fn warm(&self, account: &Account) {
        if !self.warmed {
            account.warm();
        }
    }
}

/// Whether one of `credits` goes to a lot that expires by `at`.
fn expired_by<'c>(credits: impl IntoIterator<Item = &'c LotCredit>, at: DateTime<Utc>) -> bool {
    credits
        .into_iter()
        .any(|c| c.expires_at.is_some_and(|t| t <= at))
}

/// The receipt of the purchase [`Draft::purchase`] placed at `placed` in
/// `events`. Nothing moves a plan's events, so it is there; were it not,
/// the decision is refused as inconsistent rather than given a receipt
/// of something else.
pub(crate) fn purchase_receipt(
    member: &MemberId,
    events: &[Event],
    placed: usize,
) -> Result<PurchaseReceipt, Error> {
    match events.get(placed) {
        Some(Event::PurchaseRecorded(e)) => Ok(PurchaseReceipt::new(e)),
        _ => Err(Error::Inconsistent(ApplyError::Malformed {
            member: member.clone(),
            event: "PurchaseRecorded",
            problem: "the plan lost the purchase's event",
        })),
    }
}

pub(super) fn fresh(receipt: Receipt, events: Vec<Event>) -> Decision {
    Decision {
        receipt,
        events,
        duplicate: false,
    }
}

pub(super) fn repeated(receipt: Receipt) -> Decision {
    repeated_into(receipt, Vec::new())
}

/// A duplicate's decision, its empty event list in `events`'s allocation.
fn repeated_into(receipt: Receipt, mut events: Vec<Event>) -> Decision {
    events.clear();
    Decision {
        receipt,
        events,
        duplicate: true,
    }
}

pub(super) fn check_time(account: &Account, at: DateTime<Utc>) -> Result<(), Error> {
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
        self.decide_command_into(command, Vec::new())
    }

    /// Decides a command with `events`'s allocation for its events where
    /// it can: a purchase (the earn path), a redemption, a refund or an
    /// adjustment plans straight into it; other commands, rarer, plan
    /// into their own list.
    pub(crate) fn decide_command_into(
        &self,
        command: Command,
        events: Vec<Event>,
    ) -> Result<Decision, Error> {
        self.decide_into(
            command,
            events,
            false,
            &mut Found::default(),
            &mut Lent::default(),
        )
    }

    /// As [`decide_command_into`](Ledger::decide_command_into). With
    /// `applying`, the caller applies the events at once (as
    /// [`execute`](Ledger::execute) does), and the first event of a
    /// purchase, a redemption or a refund, planned against the member's
    /// wallet as it stands, is left for the apply step to check: its check
    /// there is the same, and refuses the command with nothing changed.
    /// Only the first event can be left so: the caller maps its refusal
    /// as deciding does ([`refusal`]), and any later event was checked.
    ///
    /// `found.slot` is where the command's member's account is held, as
    /// far as the caller knows (checked before use); the commands of the
    /// mixed workload (purchases, confirmations, redemptions and their
    /// cancellations, refunds, adjustments) leave there where they found
    /// it, so that applying their events does not look the member up
    /// again. A purchase, a redemption and a refund leave in
    /// `found.reference` the quick hash of the reference their own event
    /// files, which applying that event (when it is the first) uses rather
    /// than hash the reference again; a refund leaves in `found.order`
    /// where its order is held, where applying looks for it first.
    ///
    /// A purchase, a confirmation, a redemption, a refund or an
    /// adjustment whose plan must fold an event in before its own (a
    /// settlement of an earlier order, an expiry), and a tick for each
    /// member with more than one thing due, copy the member's wallet into
    /// the wallet `spare` holds, if any, and leave the copy there for the
    /// next member or decision (see [`SpareWallet`]).
    pub(crate) fn decide_into(
        &self,
        command: Command,
        events: Vec<Event>,
        applying: bool,
        found: &mut Found,
        spare: &mut Lent,
    ) -> Result<Decision, Error> {
        let slot = &mut found.slot;
        match command {
            Command::Enroll(c) => self.decide_enroll(c),
            Command::Purchase(c) => self.decide_purchase(c, events, applying, found, spare),
            Command::Confirm(c) => self.decide_confirm(c, slot, spare),
            Command::Redeem(c) => self.decide_redeem(c, events, applying, found, spare),
            Command::CancelRedemption(c) => self.decide_cancel(c, slot),
            Command::Refund(c) => self.decide_refund(c, events, applying, found, spare),
            Command::Adjust(c) => self.decide_adjust(c, events, found, spare),
            Command::Transfer(c) => self.decide_transfer(c),
            Command::Action(c) => self.decide_action(c),
            Command::Tick(c) => self.decide_tick(c.at, spare),
            Command::JoinMembership(c) => self.decide_join(c),
            Command::RenewMembership(c) => self.decide_renew(c),
            Command::CancelMembership(c) => self.decide_cancel_membership(c),
            Command::ReevaluateTiers(c) => self.decide_reevaluate(c.at),
            Command::LinkReferral(c) => self.decide_link(c),
            Command::IssueReferralCode(c) => self.decide_issue_code(c),
            Command::RecordFingerprints(c) => self.decide_fingerprints(c),
            Command::Invite(c) => self.decide_invite(c),
        }
    }

    fn decide_enroll(&self, c: Enroll) -> Result<Decision, Error> {
        if let Some(account) = self.accounts.get(&c.member) {
            Retry::of(ReferenceKind::Member, &Reference::of_member(&c.member)).check(
                "birth_date",
                account.birth_date() != c.birth_date,
                DateText(account.birth_date()),
                DateText(c.birth_date),
            )?;
            let linked = account.book().referred.as_ref().map(|r| &r.code);
            if let Some(code) = c.referred_by.as_ref().filter(|code| linked != Some(*code)) {
                return Err(conflict(
                    ReferenceKind::Member,
                    &Reference::of_member(&c.member),
                    "referred_by",
                    Text(linked),
                    code,
                ));
            }
            if let Some(code) = c
                .code
                .as_ref()
                .filter(|code| account.referral_code() != Some(*code))
            {
                return Err(conflict(
                    ReferenceKind::Member,
                    &Reference::of_member(&c.member),
                    "code",
                    Text(account.referral_code()),
                    code,
                ));
            }
            return Ok(repeated(Receipt::Enrollment(EnrollmentReceipt::new(
                account,
            ))));
        }
        let mut fingerprints = c.fingerprints.clone();
        fingerprints.sort_unstable();
        fingerprints.dedup();
        let enrolled = MemberEnrolled {
            member: c.member.clone(),
            at: c.at,
            birth_date: c.birth_date,
            fingerprints,
        };
        let mut events = vec![Event::MemberEnrolled(enrolled.clone())];
        let account = Account::new(&enrolled);
        let mut draft = Draft::unfiled(&self.program, &account);
        if let Some(points) = self.program.bonuses().sign_up() {
            let bonus = draft.bonus(BonusKind::SignUp, EarnSource::SignUp, points, c.at)?;
            draft.push(bonus)?;
        }
        // A ladder whose first tier needs nothing (or only the sign-up
        // bonus) places the member at once.
        if let Some(upgrade) = draft.upgrade(c.at)? {
            draft.push(upgrade)?;
        }
        // Under referrals: the member's code, and the link to whoever
        // referred them (the whole enrolment is refused if it cannot link).
        let mut others = Others::default();
        self.plan_enrolment_referral(&c, &mut draft, &mut others)?;
        events.append(&mut draft.events);
        let mut welcomed = account;
        for event in events.iter().skip(1) {
            welcomed.apply(event)?;
        }
        others.append_to(&mut events);
        Ok(fresh(
            Receipt::Enrollment(EnrollmentReceipt::new(&welcomed)),
            events,
        ))
    }

    fn decide_purchase(
        &self,
        c: Purchase,
        events: Vec<Event>,
        applying: bool,
        found: &mut Found,
        spare: &mut Lent,
    ) -> Result<Decision, Error> {
        let account = self.enrolled_at(&c.member, &mut found.slot)?;
        found.warm(account);
        let hash = c.order.quick_hash();
        if let Some(recorded) = account.orders.get_hashed(hash, &c.order) {
            let retry = Retry::of(ReferenceKind::Order, &c.order);
            retry.check(
                "amount",
                recorded.amount() != c.amount,
                recorded.amount(),
                c.amount,
            )?;
            retry.check(
                "redemptions",
                recorded.redemptions() != c.redemptions.as_slice(),
                List(recorded.redemptions()),
                List(&c.redemptions),
            )?;
            retry.check(
                "cart",
                recorded.cart() != c.cart.as_deref(),
                CartText(recorded.cart()),
                CartText(c.cart.as_deref()),
            )?;
            let event = recorded.event(account.member(), &c.order, account.orders.shapes());
            return Ok(repeated_into(
                Receipt::Purchase(PurchaseReceipt::new(&event)),
                events,
            ));
        }
        found.reference = Some(NewReference::new(ReferenceKind::Order, hash));
        self.record_purchase(account, c, events, applying, spare, |receipt, events| {
            fresh(Receipt::Purchase(receipt), events)
        })
    }

    /// Decides a purchase whose reference is new: what it earns and the
    /// events recording it, checked to fit the account, but for the first
    /// when `applying` leaves it to the apply step (see
    /// [`decide_into`](Ledger::decide_into)). Also behind
    /// [`Ledger::preview`](crate::Ledger::preview). Gives what `made`
    /// makes of the receipt and the events, so that a decision is made
    /// where it is handed back rather than moved there.
    pub(crate) fn record_purchase<T>(
        &self,
        account: &Account,
        c: Purchase,
        events: Vec<Event>,
        applying: bool,
        spare: &mut Lent,
        made: impl FnOnce(PurchaseReceipt, Vec<Event>) -> T,
    ) -> Result<T, Error> {
        check_time(account, c.at)?;
        let discounts = self.check_purchase(account, &c)?;
        let mut draft = Draft::planning_into(&self.program, account, events);
        draft.leave_first_check = applying;
        draft.lend_spare(spare);
        draft.sweep(c.at)?;
        let at = c.at;
        let order = c.order.clone();
        // A purchase that qualifies the member's referral rewards every
        // side after it; the common purchase only checks its last event.
        let referral = self.qualifying_referral(account, &c);
        let Some((rules, referrer)) = referral else {
            let placed = draft.purchase(c, &discounts, true)?;
            if let Some(upgrade) = draft.upgrade(at)? {
                draft.finish(upgrade)?;
            }
            draft.return_spare();
            let receipt = purchase_receipt(account.member(), &draft.events, placed)?;
            return Ok(made(receipt, draft.events));
        };
        let placed = draft.purchase(c, &discounts, false)?;
        if let Some(upgrade) = draft.upgrade(at)? {
            draft.push(upgrade)?;
        }
        let mut others = Others::default();
        self.plan_qualification(rules, &mut draft, &mut others, referrer, Some(&order), at)?;
        draft.return_spare();
        let receipt = purchase_receipt(account.member(), &draft.events, placed)?;
        let mut events = draft.events;
        others.append_to(&mut events);
        Ok(made(receipt, events))
    }

    /// Checks a purchase's amount and the redemptions it links: the
    /// discounts they paid with points, and what each applied to.
    fn check_purchase(
        &self,
        account: &Account,
        c: &Purchase,
    ) -> Result<Vec<(DiscountTarget, Money)>, Error> {
        self.program.check_currency(&c.amount)?;
        if c.amount.is_negative() {
            return Err(Error::InvalidAmount {
                amount: c.amount,
                problem: "a purchase cannot be negative",
            });
        }
        let mut discounts = Vec::with_capacity(c.redemptions.len());
        for (i, r) in c.redemptions.iter().enumerate() {
            let Some(rec) = account.redemptions.get(r) else {
                return Err(Error::UnknownRedemption {
                    member: c.member.clone(),
                    redemption: r.clone(),
                });
            };
            if rec.cancelled().is_some() {
                return Err(Error::RedemptionCancelled {
                    redemption: r.clone(),
                });
            }
            let used_here = c.redemptions.iter().take(i).any(|x| x == r);
            let used_by = rec.used_by(&account.orders);
            if let Some(order) = used_by.or(used_here.then(|| c.order.clone())) {
                return Err(Error::RedemptionUsed {
                    redemption: r.clone(),
                    order,
                });
            }
            discounts.push((rec.applies_to().clone(), rec.discount()));
        }
        Ok(discounts)
    }

    fn decide_confirm(
        &self,
        c: Confirm,
        slot: &mut Option<usize>,
        spare: &mut Lent,
    ) -> Result<Decision, Error> {
        let account = self.enrolled_at(&c.member, slot)?;
        let Some(order) = account.orders.get(&c.order) else {
            return Err(Error::UnknownOrder {
                member: c.member,
                order: c.order,
            });
        };
        if let Some(confirmed) = order.confirmed() {
            let event = confirmed.event(&c.member, &c.order);
            return Ok(repeated(Receipt::Confirmation(ConfirmationReceipt::new(
                &event,
            ))));
        }
        check_time(account, c.at)?;
        let mut draft = Draft::new(&self.program, account);
        draft.lend_spare(spare);
        draft.sweep(c.at)?;
        let waiting = order
            .pending()
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
        // Points confirmed after their lot's expiry expire at once.
        let expired = expired_by(&event.credit, c.at);
        draft.finish_crediting(Event::OrderConfirmed(event), expired, c.at)?;
        draft.return_spare();
        Ok(fresh(receipt, draft.events))
    }

    fn decide_redeem(
        &self,
        c: Redeem,
        events: Vec<Event>,
        applying: bool,
        found: &mut Found,
        spare: &mut Lent,
    ) -> Result<Decision, Error> {
        let account = self.enrolled_at(&c.member, &mut found.slot)?;
        let checked = c.cart.check_listing(false)?;
        let hash = c.redemption.quick_hash();
        if let Some(recorded) = account.redemptions.get_hashed(hash, &c.redemption) {
            let reward = recorded.reward(&account.rare().rewards_used);
            let retry = Retry::of(ReferenceKind::Redemption, &c.redemption);
            retry.check("reward", reward != Some(&c.reward), Text(reward), &c.reward)?;
            retry.check(
                "cart",
                recorded.cart() != checked.total,
                recorded.cart(),
                checked.total,
            )?;
            retry.check(
                "points",
                c.points.is_some_and(|p| p != recorded.points()),
                recorded.points(),
                PointsText(c.points),
            )?;
            retry.check(
                "voucher",
                recorded.voucher() != c.voucher.as_ref(),
                Text(recorded.voucher()),
                Text(c.voucher.as_ref()),
            )?;
            return Ok(repeated_into(
                Receipt::Redemption(recorded.receipt(&c.member, &c.redemption, &c.reward)),
                events,
            ));
        }
        found.reference = Some(NewReference::new(ReferenceKind::Redemption, hash));
        check_time(account, c.at)?;
        let reward = self
            .program
            .reward(&c.reward)
            .ok_or_else(|| Error::UnknownReward {
                reward: c.reward.clone(),
            })?;
        if let Some(v) = &c.voucher {
            self.check_voucher(account, v, &c.reward)?;
        }
        let mut draft = Draft::planning_into(&self.program, account, events);
        draft.leave_first_check = applying;
        draft.lend_spare(spare);
        draft.sweep(c.at)?;
        let tier = draft.effective_tier();
        let tier = tier.as_ref();
        if c.voucher.is_some() {
            // A voucher pays: no points to choose.
            if c.points.is_some() {
                return Err(Error::WrongPoints {
                    reward: reward.id().clone(),
                    expected: "no points (a voucher pays)".to_owned(),
                    given: PointsText(c.points).to_string(),
                });
            }
        } else {
            check_chosen_points(reward, tier, c.points)?;
        }
        let uses = account.reward_uses(reward.id());
        let standing = Standing {
            // A voucher pays: the member's points do not limit it.
            available: if c.voucher.is_some() {
                Points::MAX
            } else {
                draft.wallet.available()
            },
            at: c.at,
            offset: self.program.utc_offset(),
            uses: &uses,
            tier,
            points: c.points,
        };
        let option = assess(
            reward,
            &c.cart,
            &checked,
            &standing,
            self.program.discount_rounding(),
        );
        if let Some(first) = option.shortfalls.into_iter().next() {
            return Err(first.into_error(reward.id()));
        }
        let cost = if c.voucher.is_some() {
            Points::ZERO
        } else {
            option.cost
        };
        let discount = option.discount.unwrap_or(Money::zero(checked.currency));
        let (draws, short) = Draft::draws(&draft.wallet, cost, None);
        if short.is_positive() {
            return Err(Error::InsufficientPoints {
                available: draft.wallet.available(),
                required: cost,
            });
        }
        // Built where it is kept and checked there, as a purchase's event
        // is (see `Draft::purchase`); the receipt from it.
        draft.finish(Event::RewardRedeemed(RewardRedeemed {
            member: c.member,
            redemption: c.redemption,
            reward: c.reward,
            at: c.at,
            cart: checked.total,
            discount,
            applies_to: reward.target(),
            donation: option.donation,
            points: cost,
            draws,
            voucher: c.voucher,
        }))?;
        let receipt = match draft.events.last() {
            Some(Event::RewardRedeemed(e)) => RedemptionReceipt::new(e),
            other => {
                return Err(Error::Inconsistent(ApplyError::Malformed {
                    member: draft.member.clone(),
                    event: other.map_or("none", Event::kind),
                    problem: "a redemption planned as another event",
                }));
            }
        };
        draft.return_spare();
        Ok(fresh(Receipt::Redemption(receipt), draft.events))
    }

    fn decide_action(&self, c: Action) -> Result<Decision, Error> {
        let account = self.enrolled(&c.member)?;
        if let Some(recorded) = account.rare().actions.get(&c.reference) {
            if let BonusKind::Action { action, .. } = &recorded.bonus
                && action != &c.action
            {
                return Err(conflict(
                    ReferenceKind::Action,
                    &c.reference,
                    "action",
                    action,
                    &c.action,
                ));
            }
            let receipt = ActionReceipt::new(recorded).ok_or_else(|| not_an_action(recorded))?;
            return Ok(repeated(Receipt::Action(receipt)));
        }
        check_time(account, c.at)?;
        let rule =
            self.program
                .bonuses()
                .action(&c.action)
                .ok_or_else(|| Error::UnknownAction {
                    action: c.action.clone(),
                })?;
        let times = account.rare().action_times.of(&c.action);
        let offset = self.program.utc_offset();
        match rule.frequency() {
            Some(ActionFrequency::AtMost(f)) => {
                let since = f.per.start(c.at, offset);
                let count = times
                    .iter()
                    .filter(|t| since.is_none_or(|s| **t >= s))
                    .count();
                if count >= usize::try_from(f.count).unwrap_or(usize::MAX) {
                    return Err(Error::ActionLimitReached {
                        action: c.action,
                        limit: f.count,
                        per: f.per,
                        next_at: f.per.end(c.at, offset),
                    });
                }
            }
            Some(ActionFrequency::Cooldown { days }) => {
                let next_at = times
                    .last()
                    .and_then(|last| last.checked_add_days(chrono::Days::new(u64::from(days))));
                if let Some(next_at) = next_at
                    && c.at < next_at
                {
                    return Err(Error::ActionCoolingDown {
                        action: c.action,
                        days,
                        next_at,
                    });
                }
            }
            _ => {}
        }
        let mut draft = Draft::new(&self.program, account);
        draft.sweep(c.at)?;
        let source = EarnSource::Action {
            id: rule.id().clone(),
            name: rule.shared_name().clone(),
        };
        let kind = BonusKind::Action {
            action: c.action,
            reference: c.reference,
        };
        let event = draft.bonus(kind, source, rule.points(), c.at)?;
        let receipt = match &event {
            Event::BonusAwarded(awarded) => {
                ActionReceipt::new(awarded).ok_or_else(|| not_an_action(awarded))?
            }
            _ => {
                return Err(Error::Inconsistent(ApplyError::Malformed {
                    member: c.member,
                    event: event.kind(),
                    problem: "an action that is not a bonus",
                }));
            }
        };
        let receipt = Receipt::Action(receipt);
        draft.finish(event)?;
        // Points earned by an action count toward a points ladder.
        let at = draft.events.last().map_or(c.at, Event::at);
        if let Some(upgrade) = draft.upgrade(at)? {
            draft.finish(upgrade)?;
        }
        Ok(fresh(receipt, draft.events))
    }

    fn decide_cancel(
        &self,
        c: CancelRedemption,
        slot: &mut Option<usize>,
    ) -> Result<Decision, Error> {
        let account = self.enrolled_at(&c.member, slot)?;
        let Some(rec) = account.redemptions.get(&c.redemption) else {
            return Err(Error::UnknownRedemption {
                member: c.member,
                redemption: c.redemption,
            });
        };
        if let Some(cancelled) = rec.cancelled() {
            return Ok(repeated(Receipt::Cancellation(CancellationReceipt::new(
                cancelled,
            ))));
        }
        if let Some(order) = rec.used_by(&account.orders) {
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
            .draws()
            .iter()
            .map(|d| draft.credit(d.lot, d.expires_at, d.points, &mut repaid))
            .collect::<Result<Vec<_>, _>>()?;
        let event = RedemptionCancelled {
            member: c.member,
            redemption: c.redemption,
            at: c.at,
            points: rec.points(),
            credits,
        };
        let receipt = Receipt::Cancellation(CancellationReceipt::new(&event));
        // Points returned to a lot that has meanwhile expired expire at once.
        let expired = expired_by(&event.credits, c.at);
        draft.finish_crediting(Event::RedemptionCancelled(event), expired, c.at)?;
        Ok(fresh(receipt, draft.events))
    }

    fn decide_refund(
        &self,
        c: Refund,
        events: Vec<Event>,
        applying: bool,
        found: &mut Found,
        spare: &mut Lent,
    ) -> Result<Decision, Error> {
        let account = self.enrolled_at(&c.member, &mut found.slot)?;
        found.warm(account);
        let hash = c.refund.quick_hash();
        if let Some(recorded) = account.rare().refunds.get_hashed(hash, &c.refund) {
            let retry = Retry::of(ReferenceKind::Refund, &c.refund);
            retry.check(
                "order",
                recorded.order != c.order,
                &recorded.order,
                &c.order,
            )?;
            retry.check(
                "amount",
                recorded.amount != c.amount,
                recorded.amount,
                c.amount,
            )?;
            let event = recorded.event(account.member(), &c.refund);
            return Ok(repeated_into(
                Receipt::Refund(self.refund_receipt(account, &event)?),
                events,
            ));
        }
        found.reference = Some(NewReference::new(ReferenceKind::Refund, hash));
        check_time(account, c.at)?;
        let mut draft = Draft::planning_into(&self.program, account, events);
        draft.leave_first_check = applying;
        draft.lend_spare(spare);
        draft.sweep(c.at)?;
        let (order, at) = (c.order.clone(), c.at);
        // A member nobody referred has no referral reward a refund could
        // take back: the refund is the last event planned.
        let last = account.book().referred.is_none();
        let planned = self.plan_refund(&mut draft, c, last, &mut found.order)?;
        let mut others = Others::default();
        self.plan_reversal(&mut draft, &mut others, &order, at)?;
        draft.return_spare();
        let mut events = draft.events;
        others.append_to(&mut events);
        let receipt = planned.receipt(account, &events)?;
        Ok(fresh(Receipt::Refund(receipt), events))
    }

    /// Decides a refund on a draft already brought up to its time: the
    /// clawback and restorations, folded into the draft, or only checked
    /// when it is the `last` event planned and nothing falls due after it.
    /// Leaves in `held` where the order is held among the account's orders.
    /// Gives where the refund's event went in the plan, for its receipt
    /// to be read off it once the plan is made (see [`PlannedRefund`])
    /// rather than built here and handed back through each caller's
    /// result, a copy of its 304 bytes at each step.
    pub(super) fn plan_refund(
        &self,
        draft: &mut Draft<'_>,
        c: Refund,
        last: bool,
        held: &mut Option<usize>,
    ) -> Result<PlannedRefund, Error> {
        let account = draft.account;
        let Some((at, order)) = account.orders.find(&c.order) else {
            return Err(Error::UnknownOrder {
                member: c.member,
                order: c.order,
            });
        };
        *held = Some(at);
        self.program.check_currency(&c.amount)?;
        let recorded = order;
        // A free order (paid entirely with a reward) is refunded whole,
        // with an amount of zero.
        if c.amount.is_negative() || (c.amount.is_zero() && !recorded.amount().is_zero()) {
            return Err(Error::InvalidAmount {
                amount: c.amount,
                problem: "a refund must be greater than zero",
            });
        }
        let refunded_total = order.refunded().checked_add(c.amount)?;
        if order.fully_refunded()
            || crate::money::compare_decimals(refunded_total.amount(), recorded.decimal_amount())
                .is_gt()
        {
            return Err(Error::RefundExceedsOrder {
                order: c.order,
                order_amount: recorded.amount(),
                already_refunded: order.refunded(),
                requested: c.amount,
            });
        }
        let policy = self.program.refunds();
        let share = |points: Points| {
            proportion(points, refunded_total, recorded.amount(), policy.rounding).ok_or(
                Error::AmountOutOfRange {
                    amount: refunded_total,
                },
            )
        };

        // Points spent on the order's discounts come back first, into the
        // lots they came from, latest-consumed first.
        let mut repaid = Points::ZERO;
        let mut restored = Vec::new();
        for r in recorded.redemptions() {
            let Some(rec) = account.redemptions.get(r) else {
                continue;
            };
            let give = share(rec.points())?.checked_sub(rec.restored())?;
            if !give.is_positive() {
                continue;
            }
            let mut skip = rec.restored().value();
            let mut left = give.value();
            let mut credits = Vec::new();
            for d in rec.draws().iter().rev() {
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
        let earned_share = share(recorded.points())?;
        let claw = earned_share
            .checked_sub(order.clawed_back())?
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
            .lapsed()
            .checked_add(lapsed_now)?
            .checked_sub(order.lapsed_counted())?
            .max(Points::ZERO);
        let expired = after_pending.min(uncounted);
        let from_available = after_pending.checked_sub(expired)?;
        // Points restored into a lot that has meanwhile expired are dead on
        // arrival (the sweep below expires them): the clawback never takes
        // from them. With nothing restored and no lot dead (the first lot
        // in consumption order expires soonest), the clawback draws from
        // the draft's wallet as it is, without a copy.
        let dead = |key: LotKey| key.expires_at().is_some_and(|t| t <= c.at);
        let after_restore: Cow<'_, Wallet> =
            if restored.is_empty() && !draft.wallet.lots.first().is_some_and(dead) {
                Cow::Borrowed(draft.wallet.as_ref())
            } else {
                let mut after: Wallet = draft.wallet.as_ref().clone();
                for credit in restored.iter().flat_map(|r| &r.credits) {
                    after.preview_credit(credit);
                }
                after.lots.retain(|key, _| !dead(key));
                Cow::Owned(after)
            };
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
        // Nothing restored, so nothing falls due by the refund's time that
        // the sweep before it left: the refund ends the plan when it is the
        // last event planned, and is only checked.
        let ends = last && restored.is_empty();
        // Built where it is kept, as a redemption's event is; the receipt
        // from it there.
        let event = Event::OrderRefunded(OrderRefunded {
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
        });
        let placed = draft.events.len();
        if ends {
            draft.finish(event)?;
        } else {
            draft.push(event)?;
        }
        if !ends {
            // Restored points whose lot has meanwhile expired expire at once.
            draft.sweep(c.at)?;
        }
        Ok(PlannedRefund {
            placed,
            order_at: at,
            earned_share,
        })
    }

    fn refund_receipt(&self, account: &Account, e: &OrderRefunded) -> Result<RefundReceipt, Error> {
        let order = account
            .orders
            .get(&e.order)
            .ok_or_else(|| Error::UnknownOrder {
                member: e.member.clone(),
                order: e.order.clone(),
            })?;
        Ok(refund_receipt_of(account, e, order, None))
    }

    fn decide_adjust(
        &self,
        c: Adjust,
        events: Vec<Event>,
        found: &mut Found,
        spare: &mut Lent,
    ) -> Result<Decision, Error> {
        let account = self.enrolled_at(&c.member, &mut found.slot)?;
        let hash = c.adjustment.quick_hash();
        if let Some(recorded) = account.rare().adjustments.get_hashed(hash, &c.adjustment) {
            let retry = Retry::of(ReferenceKind::Adjustment, &c.adjustment);
            retry.check(
                "points",
                recorded.points != c.points,
                recorded.points,
                c.points,
            )?;
            retry.check(
                "reason",
                recorded.reason != c.reason,
                &recorded.reason,
                &c.reason,
            )?;
            return Ok(repeated_into(
                Receipt::Adjustment(recorded.receipt(account.member(), &c.adjustment)),
                events,
            ));
        }
        found.reference = Some(NewReference::new(ReferenceKind::Adjustment, hash));
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
        let mut draft = Draft::planning_into(&self.program, account, events);
        draft.lend_spare(spare);
        draft.sweep(c.at)?;
        let (credit, draws) = if c.points.is_positive() {
            let lot = draft.wallet.next_lot_id();
            let expires_at = draft.new_lot_expiry(c.at)?;
            (
                Some(draft.sole_credit(lot, expires_at, c.points)?),
                Draws::new(),
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
        draft.return_spare();
        Ok(fresh(receipt, draft.events))
    }

    fn decide_transfer(&self, c: Transfer) -> Result<Decision, Error> {
        if c.from == c.to {
            return Err(Error::SelfTransfer { member: c.from });
        }
        let from = self.enrolled(&c.from)?;
        let to = self.enrolled(&c.to)?;
        if let Some(recorded) = from.rare().transfers.get(&c.transfer) {
            let super::account::TransferRecord::Out(recorded) = recorded else {
                return Err(conflict(
                    ReferenceKind::Transfer,
                    &c.transfer,
                    "direction",
                    "received",
                    "sent",
                ));
            };
            let retry = Retry::of(ReferenceKind::Transfer, &c.transfer);
            retry.check("to", recorded.to != c.to, &recorded.to, &c.to)?;
            retry.check(
                "points",
                recorded.points != c.points,
                recorded.points,
                c.points,
            )?;
            return Ok(repeated(Receipt::Transfer(TransferReceipt::new(recorded))));
        }
        if to.rare().transfers.contains_key(&c.transfer) {
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

    fn decide_tick(&self, at: DateTime<Utc>, spare: &mut Lent) -> Result<Decision, Error> {
        // The members due, listed once (the index merges two lists), and
        // not at all when the earliest time filed is later.
        let due: Vec<&MemberId> = if self.due.first().is_some_and(|first| first <= at) {
            self.due
                .iter()
                .take_while(|(due, _)| *due <= at)
                .map(|(_, member)| member)
                .collect()
        } else {
            Vec::new()
        };
        let count = due.len();
        // Most members due have one event (an expiry, a settlement): a
        // place for each, reserved up front, saves growing (and copying) a
        // list of large events.
        let mut events = Vec::with_capacity(count);
        // Each member's events are planned in one list, reused.
        let mut planned = Vec::new();
        let mut members = 0_usize;
        let mut settled = Points::ZERO;
        let mut expired = Points::ZERO;
        let mut bonuses = Points::ZERO;
        let (mut tier_changes, mut tier_reviews) = (0_usize, 0_usize);
        let (mut renewed, mut lapsed) = (0_usize, 0_usize);
        let mut skipped = Vec::new();
        // Due members are taken a group at a time, each group's accounts
        // read ahead together (see `Accounts::read_ahead`).
        let mut due_members = due.iter().copied();
        let mut left = count;
        while left > 0 {
            let group = self
                .accounts
                .read_ahead(&mut due_members, Account::warm_for_tick);
            left = left.saturating_sub(AHEAD);
            for (member, slot) in group.into_iter().flatten() {
                let Some(account) = slot.and_then(|slot| self.accounts.at(slot)) else {
                    continue;
                };
                let mut draft = Draft::planning_into(&self.program, account, planned);
                // A member with more than one thing due (a review and its
                // tier change, settlements and an expiry) is planned on a
                // copy of their wallet, made in the ledger's spare.
                draft.lend_spare(spare);
                // One member whose due work cannot be recorded (an overflow
                // after extreme adjustments) must not stop everyone's tick; an
                // internal inconsistency is a bug and is reported.
                let swept = draft.sweep_last(at);
                draft.return_spare();
                planned = draft.events;
                match swept {
                    Ok(()) => {}
                    Err(error @ Error::Inconsistent(_)) => return Err(error),
                    Err(_) => {
                        skipped.push(member.clone());
                        continue;
                    }
                }
                if planned.is_empty() {
                    continue;
                }
                members = members.saturating_add(1);
                for event in &planned {
                    match event {
                        // Totals over members saturate: one member's huge
                        // balance must not stop every member's tick.
                        Event::PointsSettled(e) => {
                            settled = settled.saturating_add(e.credit.points)
                        }
                        Event::PointsExpired(e) => expired = expired.saturating_add(e.points),
                        Event::BonusAwarded(e) => bonuses = bonuses.saturating_add(e.points),
                        Event::TierChanged(_) => tier_changes = tier_changes.saturating_add(1),
                        Event::TierReviewed(_) => tier_reviews = tier_reviews.saturating_add(1),
                        Event::MembershipRenewed(_) => renewed = renewed.saturating_add(1),
                        Event::MembershipEnded(_) => lapsed = lapsed.saturating_add(1),
                        _ => {}
                    }
                }
                events.append(&mut planned);
            }
        }
        // The spare holds the last copy a member's plan made, whose
        // events need not come first, nor be kept (a member skipped):
        // applying the tick folds each event in.
        spare.folded = 0;
        Ok(fresh(
            Receipt::Tick(TickReceipt {
                at,
                members,
                settled,
                expired,
                bonuses,
                tier_changes,
                tier_reviews,
                memberships_renewed: renewed,
                memberships_lapsed: lapsed,
                skipped,
            }),
            events,
        ))
    }

    /// The member's account, or [`Error::NotEnrolled`].
    pub(crate) fn enrolled(&self, member: &MemberId) -> Result<&Account, Error> {
        self.enrolled_at(member, &mut None)
    }

    /// As [`enrolled`](Ledger::enrolled), looking first at `slot` (see
    /// [`Accounts::find`](super::accounts::Accounts::find)) and leaving
    /// there where the account was found, for the apply step: a command
    /// executed looks its member up once.
    pub(crate) fn enrolled_at(
        &self,
        member: &MemberId,
        slot: &mut Option<usize>,
    ) -> Result<&Account, Error> {
        *slot = self.accounts.find(*slot, member);
        slot.and_then(|at| self.accounts.at(at))
            .ok_or_else(|| Error::NotEnrolled {
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
            self.lots
                .add(LotKey::new(credit.lot, credit.expires_at), Points::new(add));
        }
    }

    /// The points all lots hold.
    fn lots_total(&self) -> Result<Points, crate::PointsOverflow> {
        Points::checked_sum(self.lots.values())
    }
}

#[cfg(test)]
pub(super) mod tests {
    use chrono::{NaiveDate, TimeDelta};
    use proptest::prelude::*;

    use super::*;
    use crate::{Cart, Enroll, Refund};

    /// Points pending a day, then expiring sixty days after earning when
    /// `expires` (or never), a tier ladder and a reward: a member's
    /// wallet then holds lots that expire (or lots that do not), pending
    /// lots, a tier and, after refunds, debt; purchases settle the
    /// member's earlier orders and expire their lots.
    pub(in crate::ledger) fn program(expires: bool) -> Program {
        let expiry = if expires {
            r#" "expiry": {"policy": "after_earning", "days": 60},"#
        } else {
            ""
        };
        match serde_json::from_str(&PROGRAM.replace("EXPIRY", expiry)) {
            Ok(program) => program,
            Err(error) => unreachable!("the program parses: {error}"),
        }
    }

    const PROGRAM: &str = r#"{
        "currency": "EUR",
        "earn": {"points": 1, "per": "1.00", "rounding": "floor", "stacking": "multiply"},
        "rewards": [{"id": "ten-percent-off", "cost": 100, "kind": "percent_off", "percent": "10"}],
        "pending": {"days": 1},EXPIRY
        "refunds": {"negative_balance": "debt"},
        "tiers": {"metric": "spend", "window": "calendar_year", "review": "period_end", "grace_days": 30,
                  "levels": [{"id": "bronze", "threshold": "0"},
                             {"id": "silver", "threshold": "300", "multiplier": "1.25"}]}
    }"#;

    pub(in crate::ledger) fn parsed<T: std::str::FromStr>(text: &str) -> T {
        match text.parse() {
            Ok(value) => value,
            Err(_) => unreachable!("{text} parses"),
        }
    }

    /// A ledger under the test program in which Marta enrolled, with her
    /// id and the time.
    fn marta_enrolled() -> (Ledger, MemberId, DateTime<Utc>) {
        let member: MemberId = parsed("marta");
        let mut ledger = Ledger::new(program(false));
        let at = parsed::<DateTime<Utc>>("2026-01-12T10:00:00Z");
        let Ok(_) = ledger.execute(Enroll::new(member.clone(), at)) else {
            unreachable!("enrols");
        };
        (ledger, member, at)
    }

    #[test]
    fn a_purchase_receipt_is_read_off_its_event_or_refused_as_inconsistent() {
        let (ledger, member, at) = marta_enrolled();
        let purchase = Purchase::new(member.clone(), parsed("ORD-1"), parsed("57.40 EUR"), at);
        let Ok(decision) = ledger.decide(purchase) else {
            unreachable!("decides");
        };
        let Receipt::Purchase(receipt) = &decision.receipt else {
            unreachable!("a purchase's receipt");
        };
        // The receipt the decision gave is the one its event reads as.
        assert_eq!(
            purchase_receipt(&member, &decision.events, 0).ok().as_ref(),
            Some(receipt)
        );
        assert_eq!(receipt.earning.points, Points::new(57));
        // Where the plan holds no purchase, nothing is made up.
        for placed in [1, 7] {
            assert!(matches!(
                purchase_receipt(&member, &decision.events, placed),
                Err(Error::Inconsistent(ApplyError::Malformed {
                    event: "PurchaseRecorded",
                    ..
                }))
            ));
        }
        let enrolled = [Event::MemberEnrolled(MemberEnrolled {
            member: member.clone(),
            at,
            birth_date: None,
            fingerprints: Vec::new(),
        })];
        assert!(purchase_receipt(&member, &enrolled, 0).is_err());
    }

    #[test]
    fn a_refund_receipt_is_read_off_its_event_or_refused_as_inconsistent() {
        let (mut ledger, member, at) = marta_enrolled();
        let bought = Purchase::new(member.clone(), parsed("ORD-1"), parsed("57.40 EUR"), at);
        let Ok(_) = ledger.execute(bought) else {
            unreachable!("earns");
        };
        let refund = Refund::new(
            member.clone(),
            parsed("ORD-1"),
            parsed("RF-1"),
            parsed("20.00 EUR"),
            at,
        );
        let Ok(decision) = ledger.decide(refund) else {
            unreachable!("decides");
        };
        let Receipt::Refund(receipt) = &decision.receipt else {
            unreachable!("a refund's receipt");
        };
        // 57 points × 20.00 / 57.40, rounded down.
        assert_eq!(receipt.clawback.points, Points::new(19));
        let Some(account) = ledger.account(&member) else {
            unreachable!("enrolled");
        };
        // The receipt the decision gave is the one its event reads as.
        let planned = PlannedRefund {
            placed: 0,
            order_at: 0,
            earned_share: Points::new(19),
        };
        assert_eq!(
            planned.receipt(account, &decision.events).ok().as_ref(),
            Some(receipt)
        );
        // Where the plan holds no refund there, or the account no such
        // order, nothing is made up.
        for (placed, order_at, event) in [(1, 0, "none"), (0, 1, "OrderRefunded"), (7, 7, "none")] {
            let lost = PlannedRefund {
                placed,
                order_at,
                earned_share: Points::new(19),
            };
            assert!(matches!(
                lost.receipt(account, &decision.events),
                Err(Error::Inconsistent(ApplyError::Malformed { event: e, .. })) if e == event
            ));
        }
    }

    /// Two members' commands: (which member, what, euros, hours later).
    /// What: a purchase, a redemption, a refund of the member's last
    /// order, or a tick.
    pub(in crate::ledger) fn steps() -> impl Strategy<Value = Vec<(bool, u8, u32, i64)>> {
        proptest::collection::vec((any::<bool>(), 0_u8..6, 1_u32..400, 0_i64..40), 0..40)
    }

    /// The commands `steps` (see [`steps`]) make for `members`, each
    /// its step's hours after the one before (the first after `at`): a
    /// purchase, a refund of the member's last order (a purchase while
    /// there is none), a redemption of the reward `ten-percent-off`, or
    /// a tick. Gives them and the last one's time.
    pub(in crate::ledger) fn commands(
        members: &[MemberId; 2],
        mut at: DateTime<Utc>,
        steps: Vec<(bool, u8, u32, i64)>,
    ) -> (Vec<Command>, DateTime<Utc>) {
        let mut orders = [None, None];
        let mut commands = Vec::new();
        for (i, (second, what, euros, hours)) in steps.into_iter().enumerate() {
            at += TimeDelta::hours(hours);
            let who = usize::from(second);
            let member = members[who].clone();
            let amount: Money = parsed(&format!("{euros}.00 EUR"));
            commands.push(match (what, &orders[who]) {
                (0..=2, _) | (3, None) => {
                    let order: Reference = parsed(&format!("ORD-{i}"));
                    orders[who] = Some(order.clone());
                    Purchase::new(member, order, amount, at).into()
                }
                (3, Some(order)) => Refund::new(
                    member,
                    order.clone(),
                    parsed(&format!("REF-{i}")),
                    amount,
                    at,
                )
                .into(),
                (4, _) => Redeem::new(
                    member,
                    parsed(&format!("RDM-{i}")),
                    parsed("ten-percent-off"),
                    Cart::new(amount),
                    at,
                )
                .into(),
                _ => crate::Tick::new(at).into(),
            });
        }
        (commands, at)
    }

    proptest! {
        /// A wallet copied into a spare that held another member's (more
        /// lots or fewer, a tier or none, debt or none) is that wallet,
        /// as a clone of it is: a decision that copies into the ledger's
        /// spare plans on what it would plan on with a fresh copy.
        #[test]
        fn a_wallet_copied_into_a_spare_is_the_wallet(steps in steps(), expires in any::<bool>()) {
            let mut ledger = Ledger::new(program(expires));
            let at: DateTime<Utc> = parsed("2026-01-12T10:00:00Z");
            let members: [MemberId; 2] = [parsed("marta"), parsed("zoe")];
            // The first member gives a birth date, the second none.
            let Some(born) = NaiveDate::from_ymd_opt(1990, 1, 20) else {
                unreachable!("a valid date")
            };
            prop_assert!(ledger.execute(Enroll::new(members[0].clone(), at).born(born)).is_ok());
            prop_assert!(ledger.execute(Enroll::new(members[1].clone(), at)).is_ok());
            let (commands, at) = commands(&members, at, steps);
            for command in commands {
                // Refused commands (a refund beyond the order, a
                // redemption without the points) change nothing.
                let _ = ledger.execute(command);
            }
            // A member enrolled last, with nothing yet.
            let new: MemberId = parsed("lea");
            prop_assert!(ledger.execute(Enroll::new(new.clone(), at)).is_ok());
            let wallets: Vec<Wallet> = [&members[0], &members[1], &new]
                .into_iter()
                .filter_map(|m| ledger.account(m))
                .map(|a| a.wallet.clone())
                .collect();
            prop_assert_eq!(wallets.len(), 3);
            for before in &wallets {
                for wallet in &wallets {
                    let mut spare = Box::new(before.clone());
                    spare.copy_from(wallet);
                    prop_assert_eq!(&*spare, wallet);
                    prop_assert_eq!(format!("{spare:?}"), format!("{wallet:?}"));
                }
            }
        }
    }
}
