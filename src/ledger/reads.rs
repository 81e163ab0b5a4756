//! Read-only questions: balances, statements, expiring points, quotes.

use std::fmt;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use super::Ledger;
use super::account::{Account, Balance, EntryKind, Posting, postings};
use super::decide::{Draft, Lent};
use super::event::{Event, ExpiryReason};
use super::journal::PostingView;
use crate::earn::Earning;
use crate::rewards::{Quote, Standing, price};
use crate::{Cart, Purchase};
use crate::{Error, MemberId, Points, Reference};

/// Points that will expire, as [`Ledger::expiring_points`] forecasts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExpiringPoints {
    /// When they expire.
    pub at: DateTime<Utc>,
    /// How many.
    pub points: Points,
    /// Why.
    pub reason: ExpiryReason,
}

/// A member with points expiring soon, from [`Ledger::expiring_soon`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MemberExpiry {
    /// The member.
    pub member: MemberId,
    /// What expires, soonest first.
    pub expiring: Vec<ExpiringPoints>,
}

/// A member's statement between two instants: opening balance, every
/// movement with the running balance, closing balance.
///
/// Its `Display` is the statement a merchant sends, with dates in the
/// program's UTC offset.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Statement {
    /// The member.
    pub member: MemberId,
    /// The first instant covered.
    pub from: DateTime<Utc>,
    /// The instant the statement ends, not included.
    pub to: DateTime<Utc>,
    /// The figures before `from`.
    pub opening: Balance,
    /// Every movement in `[from, to)`, oldest first.
    pub lines: Vec<StatementLine>,
    /// The figures at the end.
    pub closing: Balance,
    /// The offset dates are shown in.
    pub utc_offset: FixedOffset,
}

/// One movement of a [`Statement`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StatementLine {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: EntryKind,
    /// The host's reference (order, redemption, refund, action); for a
    /// sign-up or birthday bonus, `sign-up` or `birthday <year>`; none for
    /// expiry.
    pub reference: Option<Reference>,
    /// The change in available points.
    pub available: Points,
    /// The change in pending points.
    pub pending: Points,
    /// Available points after it.
    pub available_after: Points,
    /// Pending points after it.
    pub pending_after: Points,
}

impl fmt::Display for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let day = |t: &DateTime<Utc>| t.with_timezone(&self.utc_offset).format("%Y-%m-%d");
        writeln!(
            f,
            "Statement for {} from {} to {}",
            self.member,
            day(&self.from),
            day(&self.to)
        )?;
        writeln!(
            f,
            "  opening balance {:>34} available, {} pending",
            self.opening.available, self.opening.pending
        )?;
        for line in &self.lines {
            let change = if line.available.is_zero() && !line.pending.is_zero() {
                format!("{:+} pending", line.pending.value())
            } else {
                format!("{:+}", line.available.value())
            };
            writeln!(
                f,
                "  {}  {:<22} {:<12} {:>12}  → {:>6}{}",
                day(&line.at),
                line.kind.describe(),
                line.reference.as_ref().map_or("", Reference::as_str),
                change,
                line.available_after,
                if line.pending_after.is_zero() {
                    String::new()
                } else {
                    format!(" (+{} pending)", line.pending_after)
                }
            )?;
        }
        write!(
            f,
            "  closing balance {:>34} available, {} pending",
            self.closing.available, self.closing.pending
        )
    }
}

impl Ledger {
    /// A member's figures as of their last event.
    ///
    /// # Errors
    ///
    /// [`Error::NotEnrolled`] for an unknown member.
    pub fn balance(&self, member: &MemberId) -> Result<Balance, Error> {
        Ok(self.enrolled(member)?.balance())
    }

    /// A member's figures at `at`: in the past, from their history; from
    /// the last event on, with what falls due by then (settlements,
    /// expiries) counted even if no [`Tick`](crate::Tick) has run.
    ///
    /// # Errors
    ///
    /// [`Error::NotEnrolled`] for an unknown member.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::{Enroll, Ledger, Points, Program, Purchase};
    ///
    /// let program: Program = serde_json::from_str(
    ///     r#"{"currency": "EUR", "expiry": {"policy": "after_earning", "days": 365}}"#)?;
    /// let mut ledger = Ledger::new(program);
    /// let marta: loyalty::MemberId = "marta".parse()?;
    /// ledger.execute(Enroll::new(marta.clone(), "2026-01-12T10:00:00Z".parse()?))?;
    /// ledger.execute(Purchase::new(marta.clone(), "ORD-1".parse()?, "57.40 EUR".parse()?,
    ///     "2026-01-12T10:00:00Z".parse()?))?;
    ///
    /// let before = ledger.balance_at(&marta, "2026-01-11T00:00:00Z".parse()?)?;
    /// let during = ledger.balance_at(&marta, "2026-06-01T00:00:00Z".parse()?)?;
    /// let after = ledger.balance_at(&marta, "2027-01-12T10:00:00Z".parse()?)?;
    /// assert_eq!(before.available, Points::new(0));
    /// assert_eq!(during.available, Points::new(57));
    /// assert_eq!((after.available, after.expired), (Points::new(0), Points::new(57)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn balance_at(&self, member: &MemberId, at: DateTime<Utc>) -> Result<Balance, Error> {
        let account = self.enrolled(member)?;
        if at >= account.last_event_at() {
            let mut draft = Draft::new(&self.program, account);
            draft.sweep(at)?;
            return Ok(draft.wallet.balance);
        }
        let mut balance = Balance::default();
        for entry in account.journal_figures().take_while(|p| p.at <= at) {
            balance.post(&entry)?;
        }
        Ok(balance)
    }

    /// A member's statement for `[from, to)`, with what falls due before
    /// `to` included even if no [`Tick`](crate::Tick) has run.
    ///
    /// # Errors
    ///
    /// [`Error::NotEnrolled`] for an unknown member;
    /// [`Error::InvalidPeriod`] when `to` is before `from`.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::{EntryKind, Enroll, Ledger, Points, Program, Purchase};
    ///
    /// let mut ledger = Ledger::new(serde_json::from_str::<Program>(r#"{"currency": "EUR"}"#)?);
    /// let marta: loyalty::MemberId = "marta".parse()?;
    /// ledger.execute(Enroll::new(marta.clone(), "2026-01-05T09:00:00Z".parse()?))?;
    /// for (order, amount, at) in [("ORD-1", "57.40 EUR", "2026-01-12T10:00:00Z"),
    ///                             ("ORD-2", "48.00 EUR", "2026-02-20T18:30:00Z")] {
    ///     ledger.execute(Purchase::new(marta.clone(), order.parse()?, amount.parse()?, at.parse()?))?;
    /// }
    ///
    /// let february = ledger.statement(&marta, "2026-02-01T00:00:00Z".parse()?,
    ///     "2026-03-01T00:00:00Z".parse()?)?;
    /// assert_eq!(february.opening.available, Points::new(57));
    /// assert_eq!(february.lines[0].kind, EntryKind::Earned);
    /// assert_eq!(february.lines[0].available_after, Points::new(105));
    /// println!("{february}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn statement(
        &self,
        member: &MemberId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Statement, Error> {
        if to < from {
            return Err(Error::InvalidPeriod { from, to });
        }
        let account = self.enrolled(member)?;
        let projected = self.projected_postings(account, to)?;
        let mut opening = Balance::default();
        let mut running = Balance::default();
        let mut lines = Vec::new();
        let journal = account.journal_lines();
        for entry in journal.chain(projected) {
            if entry.at >= to {
                break;
            }
            running.post(&entry)?;
            if entry.at < from {
                opening = running;
                continue;
            }
            lines.push(StatementLine {
                at: entry.at,
                kind: entry.kind,
                reference: entry.reference,
                available: entry.available,
                pending: entry.pending,
                available_after: running.available,
                pending_after: running.pending,
            });
        }
        Ok(Statement {
            member: member.clone(),
            from,
            to,
            opening,
            lines,
            closing: running,
            utc_offset: self.program.utc_offset(),
        })
    }

    /// Journal entries of what falls due by `until` but has not been
    /// recorded yet.
    fn projected_postings(
        &self,
        account: &Account,
        until: DateTime<Utc>,
    ) -> Result<Vec<PostingView>, Error> {
        let mut draft = Draft::new(&self.program, account);
        draft.sweep_last(until)?;
        let mut out = Vec::new();
        for event in &draft.events {
            out.extend(postings(event)?.as_slice().iter().map(Posting::view));
        }
        Ok(out)
    }

    /// The points of a member that will expire after `at` and by `until`,
    /// if nothing else happens: the figures for a reminder email.
    ///
    /// # Errors
    ///
    /// [`Error::NotEnrolled`] for an unknown member.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::{Enroll, Ledger, Points, Program, Purchase};
    ///
    /// let program: Program = serde_json::from_str(
    ///     r#"{"currency": "EUR", "expiry": {"policy": "after_earning", "days": 365}}"#)?;
    /// let mut ledger = Ledger::new(program);
    /// let marta: loyalty::MemberId = "marta".parse()?;
    /// ledger.execute(Enroll::new(marta.clone(), "2026-01-12T10:00:00Z".parse()?))?;
    /// ledger.execute(Purchase::new(marta.clone(), "ORD-1".parse()?, "57.40 EUR".parse()?,
    ///     "2026-01-12T10:00:00Z".parse()?))?;
    ///
    /// let soon = ledger.expiring_points(&marta, "2026-12-15T00:00:00Z".parse()?,
    ///     "2027-01-15T00:00:00Z".parse()?)?;
    /// assert_eq!(soon[0].points, Points::new(57));
    /// assert_eq!(soon[0].at, "2027-01-12T10:00:00Z".parse::<chrono::DateTime<chrono::Utc>>()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expiring_points(
        &self,
        member: &MemberId,
        at: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<ExpiringPoints>, Error> {
        let account = self.enrolled(member)?;
        self.forecast(account, at, until)
    }

    fn forecast(
        &self,
        account: &Account,
        at: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<ExpiringPoints>, Error> {
        let mut draft = Draft::new(&self.program, account);
        draft.sweep_last(until)?;
        Ok(draft
            .events
            .iter()
            .filter_map(|event| match event {
                Event::PointsExpired(e) if e.at > at => Some(ExpiringPoints {
                    at: e.at,
                    points: e.points,
                    reason: e.reason,
                }),
                _ => None,
            })
            .collect())
    }

    /// Every member with points expiring after `at` and by `until`: the
    /// batch behind reminder emails. Visits only members with something due
    /// by `until`.
    ///
    /// # Errors
    ///
    /// [`Error::PointsOverflow`] if a forecast overflows.
    pub fn expiring_soon(
        &self,
        at: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<MemberExpiry>, Error> {
        let mut out = Vec::new();
        for (_, member) in self.due.iter().take_while(|(due, _)| *due <= until) {
            let Some(account) = self.accounts.get(member) else {
                continue;
            };
            let expiring = self.forecast(account, at, until)?;
            if !expiring.is_empty() {
                out.push(MemberExpiry {
                    member: member.clone(),
                    expiring,
                });
            }
        }
        out.sort_by(|a, b| a.member.cmp(&b.member));
        Ok(out)
    }

    /// The rewards a member can and cannot have on `cart` at `at`, with the
    /// discount each gives and why the others are out of reach (points,
    /// minimum order, dates, limits, tiers, what the cart holds).
    /// Points-as-cash rewards are priced at the most points the member can
    /// use on the cart. Read-only.
    ///
    /// # Errors
    ///
    /// [`Error::NotEnrolled`] for an unknown member;
    /// [`Error::InvalidCart`] for an inconsistent cart.
    pub fn quote(&self, member: &MemberId, cart: &Cart, at: DateTime<Utc>) -> Result<Quote, Error> {
        let account = self.enrolled(member)?;
        let checked = cart.check_listing(false)?;
        let mut draft = Draft::new(&self.program, account);
        draft.sweep(at)?;
        let available = draft.wallet.available();
        let tier = draft.effective_tier();
        let options = self
            .program
            .rewards()
            .iter()
            .map(|r| {
                let uses = account.reward_uses(r.id());
                let standing = Standing {
                    available,
                    at,
                    offset: self.program.utc_offset(),
                    uses: &uses,
                    tier: tier.as_ref(),
                    points: None,
                };
                price(
                    r,
                    cart,
                    &checked,
                    &standing,
                    self.program.discount_rounding(),
                )
            })
            .collect();
        Ok(Quote {
            member: member.clone(),
            at,
            available,
            cart: checked.total,
            options,
        })
    }

    /// What `purchase` would earn if recorded now: the checkout's "you'll
    /// earn 57 points". Read-only, and the same figure the purchase then
    /// earns; its order reference is not looked at.
    ///
    /// # Errors
    ///
    /// Whatever recording the purchase would be refused with (an unknown
    /// member, a wrong currency, a cart that does not add up, ...).
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::{Cart, Enroll, Ledger, Line, Points, Program, Purchase};
    ///
    /// let program: Program = serde_json::from_str(r#"{"currency": "EUR",
    ///     "earn": {"exclude": {"shipping": true}}}"#)?;
    /// let mut ledger = Ledger::new(program);
    /// let at = "2026-01-12T10:00:00Z".parse()?;
    /// ledger.execute(Enroll::new("marta".parse()?, at))?;
    ///
    /// let cart = Cart::of([Line::new("JKT-1".parse()?, 1, "57.40 EUR".parse()?)])
    ///     .shipping("4.95 EUR".parse()?);
    /// let checkout = Purchase::new("marta".parse()?, "CHK-77".parse()?, "62.35 EUR".parse()?, at)
    ///     .with_cart(cart);
    /// let preview = ledger.preview(&checkout)?;
    /// assert_eq!(preview.points, Points::new(57));
    ///
    /// let receipt = ledger.execute(checkout)?.receipt;
    /// assert!(receipt.to_string().contains("earned 57 points"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn preview(&self, purchase: &Purchase) -> Result<Earning, Error> {
        let account = self.enrolled(&purchase.member)?;
        self.record_purchase(
            account,
            purchase.clone(),
            Vec::new(),
            false,
            &mut Lent::default(),
            |receipt, _| receipt.earning,
        )
    }
}
