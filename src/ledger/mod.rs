//! The points ledger: accounts as the fold of events.

mod account;
mod accounts;
mod blocks;
mod command;
mod decide;
mod draws;
mod due;
mod event;
mod hashed;
mod journal;
mod keyed;
mod lots;
mod orders;
mod pending;
pub(crate) mod policy;
mod qualifying;
mod reads;
mod receipt;
mod referral_rules;
mod referrals;
mod tiering;
mod times;

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::iter;

use chrono::{DateTime, Utc};

pub use account::{Account, Balance, EntryKind, Lot, PendingPoints};
pub use command::{
    Action, Adjust, CancelMembership, CancelRedemption, Command, Confirm, Enroll, Invite,
    IssueReferralCode, JoinMembership, LinkReferral, Purchase, RecordFingerprints, Redeem,
    ReevaluateTiers, Refund, RenewMembership, Tick, Transfer,
};
use decide::Found;
pub use decide::MAX_REASON_CHARS;
pub use draws::Draws;
pub use event::{
    BonusAwarded, BonusKind, Clawback, Event, ExpiryReason, FingerprintsRecorded, LotCredit,
    LotDraw, LotId, MemberEnrolled, MembershipEnd, MembershipEnded, MembershipRenewed,
    MembershipStarted, OrderConfirmed, OrderRefunded, PendingCredit, PointsAdjusted, PointsExpired,
    PointsSettled, PointsTransferredIn, PointsTransferredOut, PurchaseRecorded,
    RedemptionCancelled, ReferralCodeIssued, ReferralInvited, ReferralJoined, ReferralLinked,
    ReferralQualified, ReferralReversed, ReferralRewarded, ReferralWithheld, Restoration,
    ReviewOutcome, RewardRedeemed, TierChanged, TierReason, TierReviewed,
};
pub use reads::{ExpiringPoints, MemberExpiry, Statement, StatementLine};
pub use receipt::{
    ActionReceipt, AdjustmentReceipt, CancellationReceipt, ConfirmationReceipt, Decision,
    EarnStatus, EnrollmentReceipt, MembershipChange, MembershipReceipt, PurchaseReceipt, Receipt,
    RedemptionReceipt, ReevaluationReceipt, ReferralChange, ReferralOutcome, ReferralReceipt,
    RefundReceipt, RestoredPoints, TickReceipt, TransferReceipt,
};
pub use referral_rules::ReferralFigures;
pub use tiering::{AtRisk, MembershipStatus, Progress, TierStatus};

use crate::{
    ApplyError, Error, MemberId, Program, Reference, ReferenceKind, ReferralCode, ReplayError,
};

/// Every member's points: the fold of the program's events.
///
/// The ledger never reads a clock, a file or a random source: commands bring
/// their time, [`decide`](Ledger::decide) turns a command into events
/// without changing anything, [`apply`](Ledger::apply) folds an event in,
/// and [`replay`](Ledger::replay) rebuilds an identical ledger (`==`) from
/// a stored log. [`execute`](Ledger::execute) decides and applies in one
/// step.
///
/// # Example
///
/// ```
/// use loyalty::{Enroll, Ledger, Points, Program, Purchase};
///
/// let program: Program = serde_json::from_str(r#"{"currency": "EUR"}"#)?;
/// let mut ledger = Ledger::new(program.clone());
/// let marta: loyalty::MemberId = "marta".parse()?;
/// let at = "2026-01-12T10:00:00Z".parse()?;
///
/// ledger.execute(Enroll::new(marta.clone(), at))?;
/// // Decide, store the events (here: in a Vec), then apply them.
/// let decision = ledger.decide(Purchase::new(marta.clone(), "ORD-1".parse()?, "57.40 EUR".parse()?, at))?;
/// let mut log = vec![];
/// for event in &decision.events {
///     log.push(serde_json::to_string(event)?);
///     ledger.apply(event)?;
/// }
/// assert_eq!(ledger.balance(&marta)?.available, Points::new(57));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ledger {
    program: Program,
    accounts: accounts::Accounts,
    /// Each member with something due (a lot expiring, pending points
    /// maturing, an inactivity deadline), filed by when: `tick` visits only
    /// these.
    due: due::DueIndex,
    /// Every referral code issued, and its member.
    codes: BTreeMap<ReferralCode, MemberId>,
    /// A wallet a decision copies its member's into when time brought
    /// something due before the command's own event (see
    /// [`decide::SpareWallet`]).
    spare: decide::SpareWallet,
}

impl Ledger {
    /// The most members one ledger holds: 4,294,967,294 (accounts are
    /// numbered in 32 bits). An enrolment beyond it is refused with
    /// [`ApplyError::TooManyMembers`], naming the member and the limit.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::Ledger;
    ///
    /// // Far beyond what memory holds at about 850 bytes a member.
    /// assert_eq!(Ledger::MAX_MEMBERS, 4_294_967_294);
    /// ```
    pub const MAX_MEMBERS: u64 = u32::MAX as u64 - 1;

    /// An empty ledger running `program`.
    pub fn new(program: Program) -> Ledger {
        Ledger {
            program,
            accounts: accounts::Accounts::default(),
            due: due::DueIndex::default(),
            codes: BTreeMap::new(),
            spare: decide::SpareWallet::default(),
        }
    }

    /// Rebuilds a ledger from a stored log of events, in the order they were
    /// decided.
    ///
    /// # Errors
    ///
    /// [`ReplayError`] with the position of the first event that does not
    /// fit (a log that was edited, reordered or truncated in the middle).
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::{Enroll, Event, Ledger, Program, Purchase};
    ///
    /// let program: Program = serde_json::from_str(r#"{"currency": "EUR"}"#)?;
    /// let mut live = Ledger::new(program.clone());
    /// let at = "2026-01-12T10:00:00Z".parse()?;
    /// let mut log: Vec<Event> = vec![];
    /// log.extend(live.execute(Enroll::new("marta".parse()?, at))?.events);
    /// log.extend(live.execute(Purchase::new("marta".parse()?, "ORD-1".parse()?, "57.40 EUR".parse()?, at))?.events);
    ///
    /// assert_eq!(Ledger::replay(program, &log)?, live);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn replay<E: Borrow<Event>>(
        program: Program,
        events: impl IntoIterator<Item = E>,
    ) -> Result<Ledger, ReplayError> {
        let mut ledger = Ledger::new(program);
        let mut events = events.into_iter();
        let mut group: Vec<E> = Vec::with_capacity(accounts::AHEAD);
        let mut first: usize = 0;
        loop {
            group.extend(events.by_ref().take(accounts::AHEAD));
            if group.is_empty() {
                return Ok(ledger);
            }
            ledger
                .apply_group(&group, None)
                .map_err(|(at, error)| ReplayError {
                    index: first.saturating_add(at),
                    error,
                })?;
            first = first.saturating_add(group.len());
            group.clear();
        }
    }

    /// Applies up to [`AHEAD`](accounts::AHEAD) events in order, their
    /// members' accounts read ahead together first (see
    /// `Accounts::read_ahead`): how a log, or a decision whose events fall
    /// on many members (a tick's), is applied. A refusal gives the
    /// refused event's position in `group`; the events before it stay
    /// applied.
    fn apply_group<E: Borrow<Event>>(
        &mut self,
        group: &[E],
        slot: Option<usize>,
    ) -> Result<(), (usize, ApplyError)> {
        // A lone event (the second of a purchase that moves its member up
        // a tier, the last of a log) has no misses to wait for together
        // with: it is applied as `apply` does, without reading ahead, its
        // member looked for first at `slot`.
        if let [event] = group {
            return self
                .apply_at(event.borrow(), Found::at(slot))
                .map_err(|error| (0, error));
        }
        let mut members = group.iter().map(|event| event.borrow().member());
        let slots = self
            .accounts
            .read_ahead(&mut members, Account::warm)
            .map(|taken| taken.and_then(|(_, slot)| slot));
        for (at, (event, slot)) in group.iter().zip(slots).enumerate() {
            self.apply_at(event.borrow(), Found::at(slot))
                .map_err(|error| (at, error))?;
        }
        Ok(())
    }

    /// The program the ledger runs.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Decides what a command does, without changing anything: the receipt
    /// and the events to store and apply.
    ///
    /// A command whose reference was already recorded with the same payload
    /// returns the original receipt, no events, and `duplicate: true`.
    ///
    /// # Errors
    ///
    /// [`Error`] naming why the command is refused; a refused command
    /// changes nothing. Among them: [`Error::NotEnrolled`],
    /// [`Error::OutOfOrder`] (dated before the member's last event),
    /// [`Error::Conflict`] (a reference reused with another payload),
    /// [`Error::WrongCurrency`], [`Error::InsufficientPoints`],
    /// [`Error::BelowMinimumOrder`], [`Error::UnknownReward`].
    pub fn decide(&self, command: impl Into<Command>) -> Result<Decision, Error> {
        self.decide_command(command.into())
    }

    /// As [`decide`](Ledger::decide), with the decision's list of events
    /// in `spare`'s allocation: a host that hands each decision's list
    /// back once it has stored the events records purchases (the earn
    /// path), redemptions, refunds and adjustments without allocating for
    /// it. `spare` is emptied first. Other commands, rarer, make their own
    /// list and drop `spare`; so does a refusal.
    ///
    /// # Errors
    ///
    /// As [`decide`](Ledger::decide).
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::{Enroll, Event, Ledger, Program, Purchase};
    ///
    /// let mut ledger = Ledger::new(serde_json::from_str::<Program>(r#"{"currency": "EUR"}"#)?);
    /// let at = "2026-01-12T10:00:00Z".parse()?;
    /// ledger.execute(Enroll::new("marta".parse()?, at))?;
    ///
    /// let mut spare: Vec<Event> = Vec::new();
    /// let mut stored = 0;
    /// for n in 1..=3 {
    ///     let order = format!("ORD-{n}").parse()?;
    ///     let purchase = Purchase::new("marta".parse()?, order, "57.40 EUR".parse()?, at);
    ///     let decision = ledger.decide_reusing(purchase, std::mem::take(&mut spare))?;
    ///     for event in &decision.events {
    ///         // The host stores the event, then applies it.
    ///         ledger.apply(event)?;
    ///         stored += 1;
    ///     }
    ///     spare = decision.events;
    /// }
    /// assert_eq!(stored, 3);
    /// assert_eq!(ledger.balance(&"marta".parse()?)?.available.value(), 171);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decide_reusing(
        &self,
        command: impl Into<Command>,
        spare: Vec<Event>,
    ) -> Result<Decision, Error> {
        self.decide_command_into(command.into(), spare)
    }

    /// Folds one event into the ledger.
    ///
    /// # Errors
    ///
    /// [`ApplyError`] when the event does not fit the ledger (an unknown
    /// member, a lot without the points drawn, a reference already
    /// recorded, ...). The ledger is then left exactly as it was. Events
    /// that [`decide`](Ledger::decide) returned, applied in order, always
    /// fit.
    pub fn apply(&mut self, event: &Event) -> Result<(), ApplyError> {
        self.apply_at(event, Found::default())
    }

    /// As [`apply`](Ledger::apply), the member's account looked for first
    /// at `found.slot` (see
    /// [`Accounts::get_mut_at`](accounts::Accounts::get_mut_at)), and the
    /// new reference the event files hashed as `found.reference` says, a
    /// refunded order looked for first at `found.order` (see
    /// [`Account::apply_known`]).
    fn apply_at(&mut self, event: &Event, found: Found) -> Result<(), ApplyError> {
        let member = event.member();
        match event {
            Event::MemberEnrolled(e) => {
                self.accounts.insert(member.clone(), Account::new(e))?;
            }
            _ => {
                let account = self
                    .accounts
                    .get_mut_at(found.slot, member)
                    .ok_or_else(|| ApplyError::UnknownMember {
                        member: member.clone(),
                    })?;
                if let Event::ReferralCodeIssued(e) = event
                    && self.codes.get(&e.code).is_some_and(|owner| owner != member)
                {
                    return Err(ApplyError::DuplicateReference {
                        member: member.clone(),
                        kind: ReferenceKind::ReferralCode,
                        reference: Reference::of_code(&e.code),
                    });
                }
                account.apply_known(event, found.reference, found.order)?;
                if let Event::ReferralCodeIssued(e) = event {
                    self.codes.insert(e.code.clone(), member.clone());
                }
                // The account is at hand: keep its tier window's running sum
                // and file it without a second lookup.
                track_tiers(&self.program, account);
                file_due(&mut self.due, &self.program, member, account);
                return Ok(());
            }
        }
        self.refile(member);
        Ok(())
    }

    /// Decides a command and applies its events: the convenience for hosts
    /// that store events after the fact, for tests and for examples.
    ///
    /// # Errors
    ///
    /// As [`decide`](Ledger::decide); a refused command changes nothing.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::{Enroll, Ledger, Program, Purchase, Receipt};
    ///
    /// let mut ledger = Ledger::new(serde_json::from_str::<Program>(r#"{"currency": "EUR"}"#)?);
    /// let at = "2026-01-12T10:00:00Z".parse()?;
    /// ledger.execute(Enroll::new("marta".parse()?, at))?;
    /// let purchase = Purchase::new("marta".parse()?, "ORD-1".parse()?, "57.40 EUR".parse()?, at);
    ///
    /// let first = ledger.execute(purchase.clone())?;
    /// assert_eq!(first.receipt.to_string(),
    ///     "order ORD-1 of 57.40 EUR: earned 57 points (57 = floor(57.40 EUR × 1 point per 1.00 EUR)), spendable now");
    ///
    /// // The same order again: the original receipt, nothing awarded twice.
    /// let again = ledger.execute(purchase)?;
    /// assert!(again.duplicate && again.events.is_empty());
    /// assert_eq!(again.receipt, first.receipt);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn execute(&mut self, command: impl Into<Command>) -> Result<Decision, Error> {
        self.execute_reusing(command, Vec::new())
    }

    /// As [`execute`](Ledger::execute), with the decision's list of events
    /// in `spare`'s allocation, as [`decide_reusing`](Ledger::decide_reusing)
    /// explains.
    ///
    /// # Errors
    ///
    /// As [`decide`](Ledger::decide); a refused command changes nothing.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::{Enroll, Event, Ledger, Program, Purchase};
    ///
    /// let mut ledger = Ledger::new(serde_json::from_str::<Program>(r#"{"currency": "EUR"}"#)?);
    /// let at = "2026-01-12T10:00:00Z".parse()?;
    /// ledger.execute(Enroll::new("marta".parse()?, at))?;
    ///
    /// let mut spare: Vec<Event> = Vec::new();
    /// for n in 1..=3 {
    ///     let order = format!("ORD-{n}").parse()?;
    ///     let purchase = Purchase::new("marta".parse()?, order, "57.40 EUR".parse()?, at);
    ///     let decision = ledger.execute_reusing(purchase, std::mem::take(&mut spare))?;
    ///     assert_eq!(decision.events.len(), 1);
    ///     spare = decision.events;
    /// }
    /// assert_eq!(ledger.balance(&"marta".parse()?)?.available.value(), 171);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn execute_reusing(
        &mut self,
        command: impl Into<Command>,
        spare: Vec<Event>,
    ) -> Result<Decision, Error> {
        self.execute_at(command.into(), spare, None)
    }

    /// As [`execute_reusing`](Ledger::execute_reusing), the member's
    /// account looked for first at `slot`, where
    /// [`execute_all`](Ledger::execute_all) read it ahead with the parts a
    /// purchase reads (see [`Accounts::find`](accounts::Accounts::find)
    /// and [`Account::warm`]). Deciding leaves
    /// where it found the account (and, for a purchase, a redemption or a
    /// refund, its new reference's hash: see
    /// [`decide_into`](Ledger::decide_into)),
    /// and applying the first event starts from there: the member is
    /// looked up once, or not at all when `slot` holds them already, and
    /// the reference is hashed once.
    fn execute_at(
        &mut self,
        command: Command,
        spare: Vec<Event>,
        slot: Option<usize>,
    ) -> Result<Decision, Error> {
        let mut found = slot.map_or_else(Found::default, Found::read_ahead);
        // The decision is handed back as it was made, not taken out of
        // its result and put back into another (336 bytes copied twice).
        // The decision copies its member's wallet, when it must, into the
        // ledger's spare, and leaves the copy there as the next spare.
        let mut lent = self.spare.take();
        let decided = self.decide_into(command, spare, true, &mut found, &mut lent);
        self.spare.keep(lent);
        if let Ok(decision) = &decided
            && let Some((first, rest)) = decision.events.split_first()
        {
            // Deciding may have left the first event for this step to
            // check: a refusal here is reported as deciding reports one,
            // and the ledger is unchanged. The reference's hash goes with
            // the first event alone: it is the command's own event unless
            // expiries went before it, which leave the hash aside.
            if rest.is_empty() {
                self.apply_at(first, found).map_err(decide::refusal)?;
            } else if own_events(first, rest) {
                self.apply_own(first, rest, found)?;
            } else {
                self.apply_at(first, found).map_err(decide::refusal)?;
                // The rest (a tick's, one a due member) a group at a time.
                for group in rest.chunks(accounts::AHEAD) {
                    self.apply_group(group, found.slot)
                        .map_err(|(_, error)| error)?;
                }
            }
        }
        decided
    }

    /// Applies a command's events that all fall on one member's account
    /// (see [`own_events`]; a purchase that settles earlier orders or
    /// moves its member up a tier, a confirmation whose points expire at
    /// once): as [`apply_at`](Ledger::apply_at) applies each, with the
    /// account looked for once and filed in the due index once, after
    /// the last. Nothing reads where the account is filed between two of
    /// a command's events. A refusal of the first event is reported as
    /// deciding reports one, of a later one as applying does, as
    /// [`execute_at`](Ledger::execute_at) reports them; the events before
    /// it stay applied, and the account is filed as they left it.
    ///
    /// When deciding folded the first events into a copy of the wallet,
    /// left as the ledger's spare (see
    /// [`SpareWallet::take_copy`](decide::SpareWallet::take_copy): the
    /// settlements and expiries a purchase, a redemption, a refund or an
    /// adjustment planned on), and those are events whose records are
    /// checked without reading what another of them changes in the
    /// wallet (see [`taken_from_copy`]), they are not folded in a second
    /// time (see [`apply_from_copy`]).
    fn apply_own(&mut self, first: &Event, rest: &[Event], found: Found) -> Result<(), Error> {
        let member = first.member();
        let account = self
            .accounts
            .get_mut_at(found.slot, member)
            .ok_or_else(|| {
                decide::refusal(ApplyError::UnknownMember {
                    member: member.clone(),
                })
            })?;
        let program = &self.program;
        let copy = self
            .spare
            .take_copy()
            .and_then(|(copy, folded)| Some((copy, usize::try_from(folded).ok()?)))
            .filter(|&(_, folded)| taken_from_copy(first, rest, folded));
        let applied = match copy {
            Some((copy, folded)) => {
                apply_from_copy(program, account, (first, rest), found, (copy, folded))
            }
            // Each event tracked as `apply_at` tracks it: the tier
            // window's running sum follows the contributions as they
            // are filed.
            None => account
                .apply_known(first, found.reference, found.order)
                .map_err(decide::refusal)
                .and_then(|()| {
                    track_tiers(program, account);
                    rest.iter().try_for_each(|event| {
                        account.apply_known(event, None, None)?;
                        track_tiers(program, account);
                        Ok(())
                    })
                }),
        };
        file_due(&mut self.due, program, member, account);
        applied
    }

    /// Executes `commands` in order, each as [`execute`](Ledger::execute)
    /// would, and hands each one's result to `each` as soon as it is
    /// decided and applied: for a host that takes commands in batches (a
    /// queue consumer, an import, the orders of one database transaction)
    /// and stores each decision's events as it comes.
    ///
    /// `each` borrows the decision: its list of events is reused for the
    /// next command's, as [`execute_reusing`](Ledger::execute_reusing)
    /// reuses a list handed back, so a batch of purchases allocates no
    /// list of events after its first. A host that keeps a decision
    /// clones it.
    ///
    /// Each result is its command's own: a refused command changes
    /// nothing, and the commands after it are still executed, against
    /// the ledger as the accepted ones left it. The results and the
    /// ledger are those of one `execute` after another. It is faster on
    /// a ledger too large for the processor's caches, where members come
    /// in no particular order: the accounts of each group of eight
    /// commands are read ahead together before the first of them is
    /// decided, so their cache misses are waited for once, not one after
    /// another.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::{Command, Enroll, Error, Event, Ledger, Program, Purchase};
    ///
    /// let mut ledger = Ledger::new(serde_json::from_str::<Program>(r#"{"currency": "EUR"}"#)?);
    /// let at = "2026-01-12T10:00:00Z".parse()?;
    /// let batch: Vec<Command> = vec![
    ///     Enroll::new("marta".parse()?, at).into(),
    ///     Purchase::new("marta".parse()?, "ORD-1".parse()?, "57.40 EUR".parse()?, at).into(),
    ///     Purchase::new("jonas".parse()?, "ORD-2".parse()?, "12.00 EUR".parse()?, at).into(),
    ///     Purchase::new("marta".parse()?, "ORD-3".parse()?, "20.00 EUR".parse()?, at).into(),
    /// ];
    ///
    /// let mut stored: Vec<Event> = Vec::new();
    /// let mut refused: Vec<Error> = Vec::new();
    /// ledger.execute_all(batch, |result| match result {
    ///     Ok(decision) => stored.extend_from_slice(&decision.events),
    ///     Err(error) => refused.push(error),
    /// });
    ///
    /// // Jonas never enrolled: his order is refused, the others are not.
    /// assert_eq!(stored.len(), 3);
    /// assert!(matches!(refused[..], [Error::NotEnrolled { .. }]));
    /// assert_eq!(ledger.balance(&"marta".parse()?)?.available.value(), 77);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn execute_all<C: Into<Command>>(
        &mut self,
        commands: impl IntoIterator<Item = C>,
        mut each: impl FnMut(Result<&Decision, Error>),
    ) {
        let mut commands = commands.into_iter().map(Into::into);
        let mut group: Vec<Command> = Vec::with_capacity(accounts::AHEAD);
        let mut spare: Vec<Event> = Vec::new();
        loop {
            group.extend(commands.by_ref().take(accounts::AHEAD));
            if group.is_empty() {
                return;
            }
            let mut members = group.iter().filter_map(Command::member);
            let mut slots = self
                .accounts
                .read_ahead(&mut members, Account::warm)
                .map(|taken| taken.and_then(|(_, slot)| slot))
                .into_iter();
            for command in group.drain(..) {
                // The group's members were read ahead in order, one for
                // each command that names one.
                let slot = command.member().and_then(|_| slots.next().flatten());
                match self.execute_at(command, std::mem::take(&mut spare), slot) {
                    Ok(decision) => {
                        each(Ok(&decision));
                        spare = decision.events;
                    }
                    Err(error) => each(Err(error)),
                }
            }
        }
    }

    /// A member's account.
    pub fn account(&self, member: &MemberId) -> Option<&Account> {
        self.accounts.get(member)
    }

    /// Every account, by member id.
    ///
    /// The ledger finds members by hash and keeps no index by id up to
    /// date on every enrolment: the first listing after an enrolment sorts
    /// the members (about 70 ms for a million members enrolled in id
    /// order, 145 ms for ids in no order, on the machine in the README's
    /// Performance section), and the listings after it, until the next
    /// enrolment, reuse that order. The fingerprint
    /// ([`state_hash`](Ledger::state_hash)), `==` and
    /// [`ReevaluateTiers`] list the accounts this
    /// way too.
    ///
    /// ```
    /// use loyalty::{Enroll, Ledger, Program};
    ///
    /// let program: Program = serde_json::from_str(r#"{"currency": "EUR"}"#)?;
    /// let mut ledger = Ledger::new(program);
    /// let at = "2026-01-12T10:00:00Z".parse()?;
    /// for id in ["marta", "zoe"] {
    ///     ledger.execute(Enroll::new(id.parse()?, at))?;
    /// }
    /// let listed: Vec<String> = ledger.accounts().map(|a| a.member().to_string()).collect();
    /// assert_eq!(listed, ["marta", "zoe"]);
    /// // An enrolment after a listing: the next listing sorts it in.
    /// ledger.execute(Enroll::new("ana".parse()?, at))?;
    /// let listed: Vec<String> = ledger.accounts().map(|a| a.member().to_string()).collect();
    /// assert_eq!(listed, ["ana", "marta", "zoe"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.accounts.values()
    }

    /// The number of members.
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// Whether no member has enrolled.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// When something next falls due for any member (points to settle or
    /// expire): the time a host's scheduler can sleep until before its next
    /// [`Tick`].
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.due.first()
    }

    /// A fingerprint of the whole state of the members: balances, lots,
    /// pending points, orders, redemptions, the references remembered for
    /// exactly-once, tiers, memberships, referral state, and what falls due
    /// when. Equal ledgers have equal fingerprints, in every run and on
    /// every platform (integers are hashed little-endian at full width;
    /// nothing depends on a hash map's order). The program is not part of
    /// it; compare programs with `==`.
    ///
    /// For comparing replicas that replayed the same log on different
    /// machines, and for checking that a refused command changed nothing.
    /// It is SipHash-2-4 under a fixed key: a fingerprint, not a signature.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::{Enroll, Ledger, Points, Program, Purchase, Redeem, Cart};
    ///
    /// let program: Program = serde_json::from_str(r#"{"currency": "EUR",
    ///     "rewards": [{"id": "ten-off", "cost": 100, "kind": "percent_off", "percent": "10"}]}"#)?;
    /// let mut ledger = Ledger::new(program.clone());
    /// let mut log = Vec::new();
    /// let at = "2026-01-12T10:00:00Z".parse()?;
    /// log.extend(ledger.execute(Enroll::new("marta".parse()?, at))?.events);
    /// log.extend(ledger.execute(Purchase::new("marta".parse()?, "ORD-1".parse()?,
    ///     "57.40 EUR".parse()?, at))?.events);
    ///
    /// // A refused command leaves the state exactly as it was.
    /// let before = ledger.state_hash();
    /// let refused = ledger.execute(Redeem::new("marta".parse()?, "RDM-1".parse()?,
    ///     "ten-off".parse()?, Cart::new("80.00 EUR".parse()?), at));
    /// assert!(refused.is_err());
    /// assert_eq!(ledger.state_hash(), before);
    ///
    /// // A replica rebuilt from the log has the same fingerprint.
    /// assert_eq!(Ledger::replay(program, &log)?.state_hash(), before);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn state_hash(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher =
            crate::siphash::SipHasher24::new(0x6c6f_7961_6c74_7921, 0x7374_6174_6520_7631);
        self.accounts.hash(&mut hasher);
        self.due.hash(&mut hasher);
        self.codes.hash(&mut hasher);
        hasher.finish()
    }

    /// Files the member in the due index under their next due time.
    pub(crate) fn refile(&mut self, member: &MemberId) {
        if let Some(account) = self.accounts.get_mut(member) {
            file_due(&mut self.due, &self.program, member, account);
        }
    }
}

/// Whether a command's events after its `first` all fall on the first's
/// member, and none enrols a member or issues a referral code (which the
/// ledger files beside the accounts): then they are applied to the one
/// account (see [`Ledger::apply_own`]).
fn own_events(first: &Event, rest: &[Event]) -> bool {
    let own = |event: &Event| {
        !matches!(
            event,
            Event::MemberEnrolled(_) | Event::ReferralCodeIssued(_)
        )
    };
    let member = first.member();
    own(first)
        && rest
            .iter()
            .all(|event| own(event) && event.member() == member)
}

/// Applies a command's events (`first`, then `rest`) to `account` as
/// [`Ledger::apply_own`] does, the first `folded` of them folded by
/// deciding into `copy`, a copy of the account's wallet: those are
/// filed without folding them in again, and the copy then takes the
/// wallet's place, the wallet becoming the spare. Should filing one of
/// them be refused, the wallet is brought up to the events before it, as
/// folding each would have left it. Apart from `apply_own`'s way for
/// the rest, which most commands of more than one event take (an
/// upgrade, whose purchase is only checked, or a purchase folded in
/// before its referral rewards): written into it, that way cost an
/// upgrading purchase 11 instructions more.
fn apply_from_copy(
    program: &Program,
    account: &mut Account,
    (first, rest): (&Event, &[Event]),
    found: Found,
    (copy, folded): (&mut account::Wallet, usize),
) -> Result<(), Error> {
    let mut copy = Some(copy);
    for (i, event) in iter::once(first).chain(rest).enumerate() {
        let in_copy = copy.is_some() && i < folded;
        let filed = match (i, in_copy) {
            (_, true) => account.apply_folded(event),
            (0, false) => account.apply_known(event, found.reference, found.order),
            (_, false) => account.apply_known(event, None, None),
        };
        if let Err(error) = filed {
            if in_copy {
                refold(account, iter::once(first).chain(rest).take(i));
            }
            return Err(match i {
                0 => decide::refusal(error),
                _ => Error::from(error),
            });
        }
        if i.saturating_add(1) == folded
            && let Some(copy) = copy.take()
        {
            std::mem::swap(&mut account.wallet, copy);
        }
        track_tiers(program, account);
    }
    Ok(())
}

/// Whether the first `folded` of a command's events (`first`, then
/// `rest`), folded into a copy of the wallet by deciding, may be filed
/// without folding them in again and the copy then put in the wallet's
/// place (see [`Ledger::apply_own`]): settlements and expiries (see
/// [`Account::apply_folded`]). Any other event among them (a purchase
/// folded in before the referral rewards it qualifies), and they are
/// folded in as `apply_at` folds each.
fn taken_from_copy(first: &Event, rest: &[Event], folded: usize) -> bool {
    if folded == 0 || folded > rest.len().saturating_add(1) {
        return false;
    }
    iter::once(first)
        .chain(rest)
        .take(folded)
        .all(|event| matches!(event, Event::PointsSettled(_) | Event::PointsExpired(_)))
}

/// Folds `events`, whose records `account` has filed without folding
/// them into its wallet (see [`Ledger::apply_own`]), into the wallet:
/// filing a later one was refused, and the copy that held them is not
/// put in the wallet's place. Deciding folded each into a copy of the
/// same wallet, so none is refused here.
#[cold]
#[inline(never)]
fn refold<'a>(account: &mut Account, events: impl Iterator<Item = &'a Event>) {
    for event in events {
        let folded = account::postings(event)
            .map_err(ApplyError::from)
            .and_then(|entries| account.wallet.apply(event, entries.as_slice()));
        debug_assert!(
            folded.is_ok(),
            "deciding folded {event:?} into the same wallet"
        );
    }
}

/// Keeps `account`'s tier window's running sum up with the contributions
/// filed, under `program`'s tiers (nothing without them). Always
/// inlined: a program without tiers asks one question, which called
/// apart cost a purchase 18 instructions.
#[inline(always)]
fn track_tiers(program: &Program, account: &mut Account) {
    if let Some(tiers) = program.tiers() {
        let offset = program.utc_offset();
        account.qualifying.track(&account.orders, |latest| {
            tiering::tracked_span(tiers, latest, offset)
        });
    }
}

/// Files `account` in the due index under its next due time, moving it
/// from where it was filed before. Always inlined into its three
/// callers: called apart, a purchase took 11 instructions more and a
/// replayed event 10.
#[inline(always)]
fn file_due(
    index: &mut due::DueIndex,
    program: &Program,
    member: &MemberId,
    account: &mut Account,
) {
    let due = account.wallet.next_due(program.due_rules());
    if due == account.due {
        return;
    }
    if let Some(old) = account.due {
        index.remove(old, member);
    }
    if let Some(new) = due {
        index.insert(new, member);
    }
    account.due = due;
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use proptest::prelude::*;

    use super::decide::Lent;
    use super::decide::tests::{commands, parsed, program, steps};
    use super::*;
    use crate::{Enroll, Points, Purchase, Tick};

    /// Executes `commands`, each accepted.
    fn executed(ledger: &mut Ledger, commands: impl IntoIterator<Item = Command>) {
        for command in commands {
            assert!(ledger.execute(command).is_ok());
        }
    }

    /// `ledger` equals `host`, and Marta holds `available` and `pending`
    /// points in it.
    fn same_as_host(
        host: &Ledger,
        ledger: &Ledger,
        marta: &MemberId,
        (available, pending): (i64, i64),
    ) {
        assert_eq!(host, ledger);
        assert_eq!(
            ledger.balance(marta).map(|b| (b.available, b.pending)),
            Ok((Points::new(available), Points::new(pending)))
        );
    }

    /// Marta's two orders, an hour apart, both pending a day; gives
    /// the ledger, Marta and a time two days after the first, when both
    /// are due (under the program without expiry).
    fn marta_with_two_pending() -> (Ledger, MemberId, DateTime<Utc>) {
        let mut ledger = Ledger::new(program(false));
        let marta: MemberId = parsed("marta");
        let at: DateTime<Utc> = parsed("2026-03-02T10:00:00Z");
        let later = at + TimeDelta::hours(1);
        executed(
            &mut ledger,
            [
                Enroll::new(marta.clone(), at).into(),
                Purchase::new(marta.clone(), parsed("ORD-1"), parsed("30.00 EUR"), at).into(),
                Purchase::new(marta.clone(), parsed("ORD-2"), parsed("20.00 EUR"), later).into(),
            ],
        );
        (ledger, marta, at + TimeDelta::days(2))
    }

    #[test]
    fn a_purchase_that_settles_earlier_orders_takes_the_wallet_its_decision_folded() {
        // Given Marta's two orders pending, her third, two days on, first
        // settles both: deciding folds the settlements into a copy of her
        // wallet, and applying puts that copy in her wallet's place, her
        // wallet as it was becoming the ledger's spare.
        let (mut ledger, marta, at) = marta_with_two_pending();
        let mut host = ledger.clone();
        let before = ledger.account(&marta).map(|a| a.wallet.clone());
        let purchase = Purchase::new(marta.clone(), parsed("ORD-3"), parsed("10.00 EUR"), at);
        let Ok(decision) = ledger.execute(purchase.clone()) else {
            unreachable!("the purchase is accepted")
        };
        let kinds: Vec<&str> = decision.events.iter().map(Event::kind).collect();
        assert_eq!(
            kinds,
            ["PointsSettled", "PointsSettled", "PurchaseRecorded"]
        );
        assert_eq!(ledger.spare.take_copy().map(|(w, _)| &*w), before.as_ref());
        // The same as a host that decides, then applies each event.
        let Ok(decided) = host.decide(purchase) else {
            unreachable!("the purchase is accepted")
        };
        assert_eq!(decided, decision);
        for event in &decided.events {
            assert_eq!(host.apply(event), Ok(()));
        }
        same_as_host(&host, &ledger, &marta, (50, 10));
    }

    #[test]
    fn a_refused_event_after_folded_ones_leaves_the_wallet_folding_would_have() {
        // Given a copy of Marta's wallet with both her settlements folded
        // in, the second altered to name an order she never placed:
        // filing it is refused, and her wallet is the one folding the
        // first alone would leave, not the copy.
        let (mut ledger, marta, at) = marta_with_two_pending();
        let Ok(tick) = ledger.decide(Tick::new(at)) else {
            unreachable!("the tick is decided")
        };
        let [Event::PointsSettled(first), Event::PointsSettled(second)] = &tick.events[..] else {
            unreachable!("two settlements: {:?}", tick.events)
        };
        let first = Event::PointsSettled(first.clone());
        let mut altered = second.clone();
        altered.order = parsed("ORD-9");
        let second = Event::PointsSettled(altered);
        let Some(mut copy) = ledger.account(&marta).map(|a| a.wallet.clone()) else {
            unreachable!("Marta has an account")
        };
        for event in [&first, &second] {
            let Ok(entries) = account::postings(event) else {
                unreachable!("the settlement posts")
            };
            assert_eq!(copy.apply(event, entries.as_slice()), Ok(()));
        }
        let mut host = ledger.clone();
        ledger.spare.keep(Lent {
            wallet: Some(Box::new(copy)),
            folded: 2,
        });
        let applied = ledger.apply_own(&first, std::slice::from_ref(&second), Found::at(None));
        assert!(matches!(
            applied,
            Err(Error::Inconsistent(ApplyError::UnknownOrder { .. }))
        ));
        assert_eq!(host.apply(&first), Ok(()));
        assert!(host.apply(&second).is_err());
        same_as_host(&host, &ledger, &marta, (30, 20));
    }

    #[test]
    fn only_settlements_and_expiries_are_taken_from_the_copy() {
        let (ledger, marta, at) = marta_with_two_pending();
        let Ok(tick) = ledger.decide(Tick::new(at)) else {
            unreachable!("the tick is decided")
        };
        let [first, second] = &tick.events[..] else {
            unreachable!("two settlements: {:?}", tick.events)
        };
        let Ok(purchase) = ledger.decide(Purchase::new(
            marta.clone(),
            parsed("ORD-3"),
            parsed("10.00 EUR"),
            at,
        )) else {
            unreachable!("the purchase is decided")
        };
        let Some(bought) = purchase.events.last() else {
            unreachable!("a purchase's event")
        };
        let rest = [second.clone(), bought.clone()];
        assert!(taken_from_copy(first, &rest, 1));
        assert!(taken_from_copy(first, &rest, 2));
        // A purchase among them (a purchase that qualifies a referral is
        // folded in before the rewards), none, or more than there are:
        // folded in again.
        assert!(!taken_from_copy(first, &rest, 3));
        assert!(!taken_from_copy(first, &rest, 0));
        assert!(!taken_from_copy(first, &rest, 4));
        assert!(!taken_from_copy(first, std::slice::from_ref(second), 3));
        assert!(!taken_from_copy(bought, &rest, 1));
        // Nor would an account file one as folded: refused, unchanged.
        let Some(mut account) = ledger.account(&marta).cloned() else {
            unreachable!("Marta has an account")
        };
        assert!(matches!(
            account.apply_folded(bought),
            Err(ApplyError::Malformed {
                event: "PurchaseRecorded",
                ..
            })
        ));
        assert_eq!(Some(&account), ledger.account(&marta));
    }

    #[test]
    fn a_tick_leaves_nothing_to_take_from_the_copy() {
        // Given Marta and Zoe each with two orders pending, a tick plans
        // each on a copy of her wallet, made in the ledger's spare: the
        // spare then holds the last copy, which need not be of the
        // member whose events come first, so applying the tick takes
        // nothing from it.
        let (mut ledger, _, at) = marta_with_two_pending();
        let zoe: MemberId = parsed("zoe");
        let start = at - TimeDelta::days(2);
        executed(
            &mut ledger,
            [
                Enroll::new(zoe.clone(), start).into(),
                Purchase::new(zoe.clone(), parsed("Z-1"), parsed("15.00 EUR"), start).into(),
                Purchase::new(zoe, parsed("Z-2"), parsed("25.00 EUR"), start).into(),
            ],
        );
        let mut lent = ledger.spare.take();
        let decided = ledger.decide_into(
            Tick::new(at).into(),
            Vec::new(),
            true,
            &mut Found::default(),
            &mut lent,
        );
        let Ok(decision) = decided else {
            unreachable!("the tick is decided")
        };
        assert_eq!(decision.events.len(), 4);
        assert!(lent.wallet.is_some());
        assert_eq!(lent.folded, 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Executing a command, which takes the wallet its decision
        /// folded the command's settlements and expiries into, leaves
        /// the ledger a host leaves that decides the command and applies
        /// each event, folding every one into the wallet: purchases that
        /// settle and expire earlier orders, move a member up the ladder
        /// or not, redemptions and refunds after time brought something
        /// due, ticks, and refused commands.
        #[test]
        fn executing_leaves_the_ledger_applying_each_event_leaves(
            steps in steps(),
            expires in any::<bool>(),
        ) {
            let mut ledger = Ledger::new(program(expires));
            let at: DateTime<Utc> = parsed("2026-01-12T10:00:00Z");
            let members: [MemberId; 2] = [parsed("marta"), parsed("zoe")];
            for member in &members {
                prop_assert!(ledger.execute(Enroll::new(member.clone(), at)).is_ok());
            }
            let mut host = ledger.clone();
            for command in commands(&members, at, steps).0 {
                let decided = host.decide(command.clone());
                let executed = ledger.execute(command);
                prop_assert_eq!(&executed, &decided);
                if let Ok(decision) = decided {
                    for event in &decision.events {
                        prop_assert_eq!(host.apply(event), Ok(()));
                    }
                }
                prop_assert_eq!(&ledger, &host);
            }
        }
    }
}
