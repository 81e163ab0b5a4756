//! Tiers and paid memberships in the ledger: upgrades as soon as a threshold
//! is crossed, reviews that keep, grant grace or downgrade, membership terms,
//! re-evaluation after a configuration change, and the tier status a host
//! shows.

use std::fmt;

use chrono::{DateTime, Days, FixedOffset, TimeDelta, Timelike, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Ledger;
use super::account::{Account, ActiveMembership, TierState};
use super::command::{CancelMembership, JoinMembership, Purchase, Refund, RenewMembership};
use super::decide::{Draft, check_time, conflict, fresh, purchase_receipt, repeated};
use super::event::*;
use super::qualifying::{Contribution, Span};
use super::receipt::{Decision, MembershipReceipt, Receipt, ReevaluationReceipt};

use crate::calendar::local_date;
use crate::money::compare_decimals;
use crate::tiers::{Downgrade, Renewal, Tier, Tiers, Window};
use crate::{
    ApplyError, Error, MemberId, Money, Program, Reference, ReferenceKind, RuleId, TierId,
};

/// The window a member's running sum is kept over once their latest
/// contribution was made at `latest`: the calendar year holding it, or the
/// rolling window of the next instant (the earliest start a later question
/// asks about); none for the whole history.
pub(crate) fn tracked_span(
    tiers: &Tiers,
    latest: DateTime<Utc>,
    offset: FixedOffset,
) -> Option<Span> {
    match tiers.window() {
        Window::Lifetime => None,
        Window::Rolling { .. } => just_after(latest)
            .and_then(|end| tiers.window_start(end, offset))
            .map(|start| Span::Sliding { start }),
        Window::CalendarYear { .. } => tiers
            .fixed_window(latest, offset)
            .map(|(start, end)| Span::Fixed { start, end }),
    }
}

/// The most review cycles a review looks ahead for its next date.
const MAX_CYCLES: usize = 1000;

/// One instant after `at`: for windows that include `at` itself. Within
/// a second (every time but a second's last nanosecond or a leap
/// second's), the next nanosecond of the same second, without the date
/// arithmetic of adding a duration, which a tiered purchase would
/// otherwise pay on every decision.
fn just_after(at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    // The time as UTC holds it: `DateTime`'s own `time` and `date_naive`
    // add its zone's offset first, even UTC's zero.
    let naive = at.naive_utc();
    let nanos = naive.nanosecond();
    if nanos < 999_999_999
        && let Some(next) = naive.with_nanosecond(nanos.saturating_add(1))
    {
        return Some(next.and_utc());
    }
    at.checked_add_signed(TimeDelta::nanoseconds(1))
}

impl Draft<'_> {
    /// The member's tier for benefits: the higher of their qualified tier
    /// and their membership's.
    pub(crate) fn effective_tier(&self) -> Option<TierId> {
        let tiers = self.program.tiers()?;
        let qualified = self.wallet.tier.as_ref().map(|t| &t.tier);
        let member = self.wallet.membership.as_ref().map(|m| &m.tier);
        tiers.higher(qualified, member).cloned()
    }

    /// What the events planned so far, dated from `start` until `end` (not
    /// included), add to the tier metrics; `None` when none adds anything.
    /// Membership fees do not count.
    fn planned(&self, start: Option<DateTime<Utc>>, end: DateTime<Utc>) -> Option<Contribution> {
        let fee = |order: &Reference| {
            self.wallet
                .membership
                .as_ref()
                .and_then(|m| m.fee_order.as_ref())
                == Some(order)
                || self.events.iter().any(|e| match e {
                    Event::MembershipStarted(m) => m.fee_order.as_ref() == Some(order),
                    Event::MembershipRenewed(m) => m.fee_order.as_ref() == Some(order),
                    _ => false,
                })
        };
        let within = |at: DateTime<Utc>| start.is_none_or(|s| at >= s) && at < end;
        self.events
            .iter()
            .filter(|e| within(e.at()))
            .filter_map(|e| match e {
                Event::PurchaseRecorded(p) if !fee(&p.order) => Some(Contribution {
                    spend: p.amount.amount(),
                    points: p.points.value(),
                    orders: 1,
                }),
                Event::BonusAwarded(b) => Some(Contribution {
                    points: b.points.value(),
                    ..Contribution::default()
                }),
                _ => None,
            })
            // The first is the sum so far as it is: a purchase's amount
            // keeps its scale, as zero plus it would.
            .reduce(Contribution::plus)
    }

    /// The qualifying metric from `start` until `end` (not included),
    /// counting what this decision planned.
    fn metric_between(
        &self,
        tiers: &Tiers,
        start: Option<DateTime<Utc>>,
        end: DateTime<Utc>,
    ) -> Decimal {
        let recorded = self.account.qualifying_between(start, end);
        match self.planned(start, end) {
            Some(planned) => recorded.plus(planned),
            None => recorded,
        }
        .value(tiers.metric())
    }

    /// The qualifying metric over the window that ends at `end` (not
    /// included).
    fn metric(&self, tiers: &Tiers, end: DateTime<Utc>) -> Decimal {
        // The calendar year the member's running sum tracks, when it holds
        // `end`, is the window: no calendar arithmetic needed.
        let start = self
            .account
            .qualifying
            .tracked_start(end)
            .or_else(|| tiers.window_start(end, self.program.utc_offset()));
        self.metric_between(tiers, start, end)
    }

    /// The metric a tier's pending review judges, so far: the window that
    /// ends at the review, extended through any grace period. With the
    /// time that review (or the grace) falls due.
    fn review_metric(&self, tiers: &Tiers, state: &TierState) -> Option<(DateTime<Utc>, Decimal)> {
        let due = state.due()?;
        let review_at = state.review_at.unwrap_or(due);
        let start = tiers.window_start(review_at, self.program.utc_offset());
        Some((due, self.metric_between(tiers, start, due)))
    }

    /// After a purchase or bonus at `at`: an upgrade when the qualifying
    /// metric — counting what this decision planned — reaches a tier above
    /// the member's; or, for a member in a grace period, the review kept
    /// at once when the reviewed window now reaches their tier.
    pub(crate) fn upgrade(&self, at: DateTime<Utc>) -> Result<Option<Event>, Error> {
        let Some(tiers) = self.program.tiers() else {
            return Ok(None);
        };
        // The error is built only when there is no such time: built and
        // dropped (`ok_or`), it cost every purchase 20 instructions.
        let Some(end) = just_after(at) else {
            return Err(Error::TimeOutOfRange { at, days: 0 });
        };
        let state = self.wallet.tier.as_ref();
        let current = state.map(|t| &t.tier);
        let held = current.and_then(|c| tiers.rank(c));
        let grace = state.filter(|s| s.grace_until.is_some_and(|g| g > at));
        // A member on the top rung has no tier above to reach and, out of
        // a grace period, none to keep: the metric, the costliest part of
        // this step, is not summed. The most active members, who place
        // the most orders, are the ones up there.
        if grace.is_none() && held.is_some_and(|r| tiers.is_top(r)) {
            return Ok(None);
        }
        let metric = self.metric(tiers, end);
        // A metric below the next rung up reaches nothing new: one
        // comparison, not a walk down the ladder. A tier the program no
        // longer names ranks below every other.
        if held.is_none_or(|r| tiers.reaches_above(r, metric))
            && let Some((rank, earned)) = tiers.earned_with_rank(metric)
            && held.is_none_or(|r| r < rank)
        {
            let offset = self.program.utc_offset();
            return Ok(Some(Event::TierChanged(TierChanged {
                member: self.member.clone(),
                at,
                from: current.cloned(),
                to: Some(earned.id().clone()),
                reason: TierReason::Qualified {
                    threshold: earned.threshold(),
                },
                metric,
                secured_until: tiers.secured_until(earned, at, offset, true)?,
            })));
        }
        // Requalifying during a grace period ends it at once.
        if let Some(state) = grace
            && let Some(tier) = tiers.tier(&state.tier)
        {
            let review_at = state.review_at.unwrap_or(at);
            let start = tiers.window_start(review_at, self.program.utc_offset());
            let reviewed = self.metric_between(tiers, start, end);
            if compare_decimals(reviewed, tier.threshold()).is_ge() {
                return Ok(Some(self.kept(tiers, state, tier, reviewed, at)?));
            }
        }
        Ok(None)
    }

    /// A review that keeps the member's tier: secured for a cycle after the
    /// review that fell due.
    fn kept(
        &self,
        tiers: &Tiers,
        state: &TierState,
        tier: &Tier,
        metric: Decimal,
        when: DateTime<Utc>,
    ) -> Result<Event, Error> {
        let offset = self.program.utc_offset();
        let mut next = tiers.secured_until(tier, state.review_at.unwrap_or(when), offset, false)?;
        // A review looked at late (or a long grace) moves on whole cycles.
        for _ in 0..MAX_CYCLES {
            match next {
                Some(t) if t <= when => next = tiers.secured_until(tier, t, offset, false)?,
                _ => break,
            }
        }
        Ok(Event::TierReviewed(TierReviewed {
            member: self.member.clone(),
            at: when,
            tier: state.tier.clone(),
            metric,
            threshold: tier.threshold(),
            outcome: ReviewOutcome::Kept {
                secured_until: next.filter(|t| *t > when),
            },
        }))
    }

    /// Reviews the member's tier if its review (or grace) fell due by
    /// `due`: keeps it, grants grace, or downgrades it; then upgrades it if
    /// the current window earns more.
    pub(crate) fn review(&mut self, due: DateTime<Utc>, when: DateTime<Utc>) -> Result<(), Error> {
        let (Some(tiers), Some(state)) = (self.program.tiers(), self.wallet.tier.clone()) else {
            return Ok(());
        };
        let Some((review_due, metric)) =
            self.review_metric(tiers, &state).filter(|(d, _)| *d <= due)
        else {
            return Ok(());
        };
        let offset = self.program.utc_offset();
        let earned = tiers.earned_by(metric);
        let event = match tiers.tier(&state.tier) {
            // The tier left the ladder: the member takes the tier the
            // window earns.
            None => {
                let to = earned.map(|t| t.id().clone());
                Event::TierChanged(TierChanged {
                    member: self.member.clone(),
                    at: when,
                    from: Some(state.tier.clone()),
                    secured_until: match earned {
                        Some(t) => tiers.secured_until(t, when, offset, false)?,
                        None => None,
                    },
                    to,
                    reason: TierReason::Reevaluated,
                    metric,
                })
            }
            Some(current) if current.never_downgrade() || metric >= current.threshold() => {
                self.kept(tiers, &state, current, metric, when)?
            }
            Some(current) => {
                let grace_until = review_due
                    .checked_add_days(Days::new(u64::from(tiers.grace_days())))
                    .ok_or(Error::TimeOutOfRange {
                        at: review_due,
                        days: tiers.grace_days(),
                    })?;
                if state.grace_until.is_none() && grace_until > when {
                    Event::TierReviewed(TierReviewed {
                        member: self.member.clone(),
                        at: when,
                        tier: state.tier.clone(),
                        metric,
                        threshold: current.threshold(),
                        outcome: ReviewOutcome::Grace { until: grace_until },
                    })
                } else {
                    let to = downgrade_to(tiers, current, earned);
                    Event::TierChanged(TierChanged {
                        member: self.member.clone(),
                        at: when,
                        from: Some(state.tier.clone()),
                        secured_until: match to {
                            Some(t) => tiers.secured_until(t, when, offset, false)?,
                            None => None,
                        },
                        to: to.map(|t| t.id().clone()),
                        reason: TierReason::Review {
                            threshold: current.threshold(),
                        },
                        metric,
                    })
                }
            }
        };
        self.push(event)?;
        if let Some(upgrade) = self.upgrade(when)? {
            self.push(upgrade)?;
        }
        Ok(())
    }

    /// Ends or renews the member's membership if its term ran out by `due`.
    pub(crate) fn end_of_term(
        &mut self,
        due: DateTime<Utc>,
        when: DateTime<Utc>,
    ) -> Result<(), Error> {
        let Some(active) = self.wallet.membership.clone().filter(|m| m.ends_at <= due) else {
            return Ok(());
        };
        let definition = self.program.membership(&active.id);
        let Some(def) = definition.filter(|d| d.renewal() == Renewal::Automatic) else {
            return self.push(Event::MembershipEnded(MembershipEnded {
                member: self.member.clone(),
                at: when,
                membership: active.id,
                reason: MembershipEnd::Lapsed,
            }));
        };
        let ends_at = def
            .term()
            .end(active.ends_at)
            .ok_or(Error::TimeOutOfRange {
                at: active.ends_at,
                days: 0,
            })?;
        let fee_order = if def.fee_earns_points() {
            let date = local_date(active.ends_at, self.program.utc_offset());
            Reference::new(format!("{}-renewal-{date}", active.id))
                .ok()
                .filter(|r| !self.account.orders.contains_key(r))
        } else {
            None
        };
        self.push(Event::MembershipRenewed(MembershipRenewed {
            member: self.member.clone(),
            at: when,
            membership: active.id,
            reference: None,
            fee: def.fee(),
            ends_at,
            fee_order: fee_order.clone(),
        }))?;
        if let Some(order) = fee_order {
            let fee = Purchase::new(self.member.clone(), order, def.fee(), when);
            self.purchase(fee, &[], false)?;
        }
        Ok(())
    }
}

impl Ledger {
    /// Replaces the program: for a change of rules on a live ledger. Events
    /// already recorded stand; decisions from now on follow `program`. To
    /// apply a new tier ladder to every member at once, run
    /// [`ReevaluateTiers`](crate::ReevaluateTiers) next.
    ///
    /// Events carry their own figures, so the whole log replays under the
    /// program in force at its end: store the new program beside the log
    /// and replay with it.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::{Enroll, Ledger, Program, Purchase, ReevaluateTiers, TierLevelConfig};
    ///
    /// let program: Program = toml::from_str(r#"
    ///     currency = "EUR"
    ///     [[tiers.levels]]
    ///     id = "silver"
    ///     threshold = "500"
    /// "#)?;
    /// let mut ledger = Ledger::new(program.clone());
    /// let ana: loyalty::MemberId = "ana".parse()?;
    /// ledger.execute(Enroll::new(ana.clone(), "2026-01-05T10:00:00Z".parse()?))?;
    /// ledger.execute(Purchase::new(ana.clone(), "ORD-1".parse()?, "420.00 EUR".parse()?,
    ///     "2026-02-01T10:00:00Z".parse()?))?;
    ///
    /// // The merchant lowers Silver to 400.00 EUR and applies it to everyone.
    /// let mut config = program.config().clone();
    /// config.tiers.levels = vec![TierLevelConfig::new("silver", "400".parse()?)];
    /// ledger.set_program(Program::new(config)?)?;
    /// let done = ledger.execute(ReevaluateTiers::new("2026-03-01T00:00:00Z".parse()?))?;
    /// assert_eq!(done.receipt.to_string(),
    ///     "tiers re-evaluated at 2026-03-01 00:00 UTC: 1 of 1 member changed");
    /// let status = ledger.tier_status(&ana, "2026-03-01T00:00:00Z".parse()?)?;
    /// assert_eq!(status.tier.map(|t| t.to_string()), Some("silver".into()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::WrongCurrency`] for a program in another currency: the
    /// recorded amounts would no longer add up. The ledger is left as it
    /// was.
    pub fn set_program(&mut self, program: Program) -> Result<(), Error> {
        if program.currency() != self.program.currency() {
            return Err(Error::WrongCurrency {
                expected: self.program.currency(),
                actual: program.currency(),
            });
        }
        self.program = program;
        let members: Vec<MemberId> = self.accounts.keys().cloned().collect();
        for member in members {
            // A tier window tracked under the old program (its offset, its
            // kind of window) is summed again under the new one.
            if let Some(account) = self.accounts.get_mut(&member) {
                account.qualifying.forget_window();
            }
            self.refile(&member);
        }
        Ok(())
    }

    pub(crate) fn decide_join(&self, c: JoinMembership) -> Result<Decision, Error> {
        let account = self.enrolled(&c.member)?;
        if let Some(recorded) = account.rare().membership_refs.get(&c.reference) {
            return match recorded {
                Event::MembershipStarted(e) if e.membership == c.membership => {
                    Ok(repeated(self.membership_receipt(account, recorded)?))
                }
                Event::MembershipStarted(e) => Err(conflict(
                    ReferenceKind::Membership,
                    &c.reference,
                    "membership",
                    &e.membership,
                    &c.membership,
                )),
                _ => Err(conflict(
                    ReferenceKind::Membership,
                    &c.reference,
                    "command",
                    recorded.kind(),
                    "MembershipStarted",
                )),
            };
        }
        check_time(account, c.at)?;
        let def =
            self.program
                .membership(&c.membership)
                .ok_or_else(|| Error::UnknownMembership {
                    membership: c.membership.clone(),
                })?;
        let mut draft = Draft::new(&self.program, account);
        draft.sweep(c.at)?;
        if let Some(active) = &draft.wallet.membership {
            return Err(Error::MembershipActive {
                membership: active.id.clone(),
                ends_at: active.ends_at,
            });
        }
        let ends_at = def
            .term()
            .end(c.at)
            .ok_or(Error::TimeOutOfRange { at: c.at, days: 0 })?;
        let fee_order = fee_order(account, def.fee_earns_points(), &c.reference)?;
        let started = Event::MembershipStarted(MembershipStarted {
            member: c.member.clone(),
            at: c.at,
            membership: c.membership,
            reference: c.reference,
            tier: def.tier().clone(),
            fee: def.fee(),
            ends_at,
            fee_order: fee_order.clone(),
        });
        draft.push(started.clone())?;
        let earning = charge_fee(&mut draft, &c.member, fee_order, def.fee(), c.at)?;
        let receipt =
            MembershipReceipt::new(&started, earning).ok_or_else(|| not_a_membership(&started))?;
        Ok(fresh(Receipt::Membership(receipt), draft.events))
    }

    /// The start of a renewal or a cancellation: the original decision
    /// when `reference` already recorded this kind of command, or the
    /// member's draft brought up to `at` with their active membership.
    fn membership_change<'a>(
        &'a self,
        member: &MemberId,
        reference: &Reference,
        at: DateTime<Utc>,
        kind: &'static str,
    ) -> Result<Change<'a>, Error> {
        let account = self.enrolled(member)?;
        if let Some(recorded) = account.rare().membership_refs.get(reference) {
            return if recorded.kind() == kind {
                Ok(Change::Repeat(repeated(
                    self.membership_receipt(account, recorded)?,
                )))
            } else {
                Err(conflict(
                    ReferenceKind::Membership,
                    reference,
                    "command",
                    recorded.kind(),
                    kind,
                ))
            };
        }
        check_time(account, at)?;
        let mut draft = Draft::new(&self.program, account);
        draft.sweep(at)?;
        let active = draft
            .wallet
            .membership
            .clone()
            .ok_or_else(|| Error::NoMembership {
                member: member.clone(),
            })?;
        Ok(Change::Fresh(draft, *active))
    }

    pub(crate) fn decide_renew(&self, c: RenewMembership) -> Result<Decision, Error> {
        let (mut draft, active) =
            match self.membership_change(&c.member, &c.reference, c.at, "MembershipRenewed")? {
                Change::Repeat(decision) => return Ok(decision),
                Change::Fresh(draft, active) => (draft, active),
            };
        let account = draft.account;
        let def = self
            .program
            .membership(&active.id)
            .ok_or_else(|| Error::UnknownMembership {
                membership: active.id.clone(),
            })?;
        let ends_at = def
            .term()
            .end(active.ends_at)
            .ok_or(Error::TimeOutOfRange {
                at: active.ends_at,
                days: 0,
            })?;
        let fee_order = fee_order(account, def.fee_earns_points(), &c.reference)?;
        let renewed = Event::MembershipRenewed(MembershipRenewed {
            member: c.member.clone(),
            at: c.at,
            membership: active.id,
            reference: Some(c.reference),
            fee: def.fee(),
            ends_at,
            fee_order: fee_order.clone(),
        });
        draft.push(renewed.clone())?;
        let earning = charge_fee(&mut draft, &c.member, fee_order, def.fee(), c.at)?;
        let receipt =
            MembershipReceipt::new(&renewed, earning).ok_or_else(|| not_a_membership(&renewed))?;
        Ok(fresh(Receipt::Membership(receipt), draft.events))
    }

    pub(crate) fn decide_cancel_membership(&self, c: CancelMembership) -> Result<Decision, Error> {
        let (mut draft, active) =
            match self.membership_change(&c.member, &c.reference, c.at, "MembershipEnded")? {
                Change::Repeat(decision) => return Ok(decision),
                Change::Fresh(draft, active) => (draft, active),
            };
        let account = draft.account;
        let refund = self
            .program
            .membership(&active.id)
            .map_or(Money::zero(self.program.currency()), |d| {
                d.refund_at(active.term_start, active.ends_at, c.at)
            });
        let ended = Event::MembershipEnded(MembershipEnded {
            member: c.member.clone(),
            at: c.at,
            membership: active.id,
            reason: MembershipEnd::Cancelled {
                reference: c.reference.clone(),
                refund,
            },
        });
        draft.push(ended.clone())?;
        // A fee that earned points gives back its share with the money.
        if let Some(order) = active.fee_order
            && refund.amount() > Decimal::ZERO
            && account.orders.contains_key(&order)
        {
            // A fee order never qualifies a referral: nothing to reverse.
            // The refund is still folded in and swept after, as it follows
            // the membership's end in the same plan.
            let back = Refund::new(c.member, order, c.reference, refund, c.at);
            self.plan_refund(&mut draft, back, false, &mut None)?;
        }
        let receipt =
            MembershipReceipt::new(&ended, None).ok_or_else(|| not_a_membership(&ended))?;
        Ok(fresh(Receipt::Membership(receipt), draft.events))
    }

    pub(crate) fn decide_reevaluate(&self, at: DateTime<Utc>) -> Result<Decision, Error> {
        let mut events = Vec::new();
        let mut members = 0_usize;
        let mut changed = 0_usize;
        if let Some(tiers) = self.program.tiers() {
            let offset = self.program.utc_offset();
            let Some(end) = just_after(at) else {
                return Err(Error::TimeOutOfRange { at, days: 0 });
            };
            for account in self.accounts.values() {
                if at < account.last_event_at() {
                    continue;
                }
                members = members.saturating_add(1);
                let mut draft = Draft::new(&self.program, account);
                draft.sweep(at)?;
                let metric = draft.metric(tiers, end);
                let earned = tiers.earned_by(metric);
                let current = draft.wallet.tier.as_ref().map(|t| t.tier.clone());
                let held = current.as_ref().and_then(|c| tiers.rank(c));
                // Up to the earned tier at once; down only at a review,
                // unless the tier left the ladder.
                let left_ladder = current.is_some() && held.is_none();
                let to = earned.filter(|e| left_ladder || tiers.rank(e.id()) > held);
                if left_ladder || to.is_some() {
                    changed = changed.saturating_add(1);
                    draft.push(Event::TierChanged(TierChanged {
                        member: account.member().clone(),
                        at,
                        from: current,
                        secured_until: match to {
                            Some(t) => tiers.secured_until(t, at, offset, true)?,
                            None => None,
                        },
                        to: to.map(|t| t.id().clone()),
                        reason: TierReason::Reevaluated,
                        metric,
                    }))?;
                }
                events.append(&mut draft.events);
            }
        }
        Ok(fresh(
            Receipt::Reevaluation(ReevaluationReceipt {
                at,
                members,
                changed,
            }),
            events,
        ))
    }

    fn membership_receipt(&self, account: &Account, event: &Event) -> Result<Receipt, Error> {
        let fee_order = match event {
            Event::MembershipStarted(e) => e.fee_order.as_ref(),
            Event::MembershipRenewed(e) => e.fee_order.as_ref(),
            _ => None,
        };
        let earning = fee_order
            .and_then(|o| account.orders.get(o))
            .map(|o| crate::Earning {
                points: o.points(),
                lines: o.breakdown(account.orders.shapes()),
            });
        MembershipReceipt::new(event, earning)
            .map(Receipt::Membership)
            .ok_or_else(|| not_a_membership(event))
    }

    /// A member's tier status at `at`: the tier and its benefits, since when
    /// and until when it is secured, what the next tier takes, and what
    /// keeping this one takes before its review. Counts what falls due by
    /// `at`. Read-only.
    ///
    /// # Errors
    ///
    /// [`Error::NotEnrolled`] for an unknown member; [`Error::NoTiers`] when
    /// the program has no tier ladder.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::{Enroll, Ledger, Program, Purchase};
    ///
    /// let program: Program = toml::from_str(r#"
    ///     currency = "EUR"
    ///     [earn]
    ///     stacking = "multiply"
    ///     [tiers]
    ///     window = "calendar_year"
    ///     review = "period_end"
    ///     [[tiers.levels]]
    ///     id = "silver"
    ///     threshold = "500"
    ///     multiplier = "1.25"
    ///     [[tiers.levels]]
    ///     id = "gold"
    ///     threshold = "1000"
    ///     multiplier = "1.5"
    /// "#)?;
    /// let mut ledger = Ledger::new(program);
    /// let ana: loyalty::MemberId = "ana".parse()?;
    /// ledger.execute(Enroll::new(ana.clone(), "2026-01-05T10:00:00Z".parse()?))?;
    /// ledger.execute(Purchase::new(ana.clone(), "ORD-1".parse()?, "620.00 EUR".parse()?,
    ///     "2026-03-01T10:00:00Z".parse()?))?;
    ///
    /// let status = ledger.tier_status(&ana, "2026-03-02T00:00:00Z".parse()?)?;
    /// assert_eq!(status.tier.as_ref().map(|t| t.as_str()), Some("silver"));
    /// assert_eq!(status.to_string(),
    ///     "silver since 2026-03-01, secured until 2027-01-01; 380.00 EUR more for gold by 2027-01-01");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn tier_status(&self, member: &MemberId, at: DateTime<Utc>) -> Result<TierStatus, Error> {
        let account = self.enrolled(member)?;
        let tiers = self.program.tiers().ok_or(Error::NoTiers)?;
        let offset = self.program.utc_offset();
        let mut draft = Draft::new(&self.program, account);
        draft.sweep(at)?;
        let Some(end) = just_after(at) else {
            return Err(Error::TimeOutOfRange { at, days: 0 });
        };
        let metric = draft.metric(tiers, end);
        let state = draft.wallet.tier.clone();
        let qualified = state.as_ref().map(|s| s.tier.clone());
        let effective = draft.effective_tier();
        let held = effective.as_ref().and_then(|t| tiers.tier(t));
        let rank = qualified.as_ref().and_then(|t| tiers.rank(t));
        let next = match rank {
            Some(r) => tiers.levels().get(r.saturating_add(1)),
            None => tiers.levels().first(),
        }
        .map(|t| Progress {
            tier: t.id().clone(),
            needs: t.threshold().saturating_sub(metric).max(Decimal::ZERO),
            by: tiers.window_end(at, offset),
        });
        let at_risk = state.as_ref().and_then(|s| {
            let tier = tiers.tier(&s.tier)?;
            if tier.never_downgrade() {
                return None;
            }
            let (review_at, at_review) = draft.review_metric(tiers, s)?;
            (at_review < tier.threshold()).then(|| AtRisk {
                needs: tier.threshold().saturating_sub(at_review),
                review_at,
            })
        });
        Ok(TierStatus {
            member: member.clone(),
            at,
            tier: effective.clone(),
            qualified,
            since: state.as_ref().map(|s| s.since),
            secured_until: state.as_ref().and_then(|s| s.review_at),
            grace_until: state.as_ref().and_then(|s| s.grace_until),
            membership: draft.wallet.membership.as_ref().map(|m| MembershipStatus {
                membership: m.id.clone(),
                tier: m.tier.clone(),
                ends_at: m.ends_at,
            }),
            metric,
            multiplier: held.map_or(Decimal::ONE, |t| t.multiplier()),
            perks: held.map(|t| t.perks().to_vec()).unwrap_or_default(),
            next,
            at_risk,
            offset,
            tiers: tiers.clone(),
        })
    }
}

/// How a renewal or cancellation starts.
enum Change<'a> {
    /// The command repeats one already recorded.
    Repeat(Decision),
    /// The member's draft, brought up to the command's time, and their
    /// active membership.
    Fresh(Draft<'a>, ActiveMembership),
}

/// The order that records a fee that earns points: the payment's
/// reference, which must not name an order already.
fn fee_order(
    account: &Account,
    earns: bool,
    reference: &Reference,
) -> Result<Option<Reference>, Error> {
    if !earns {
        return Ok(None);
    }
    if account.orders.contains_key(reference) {
        return Err(conflict(
            ReferenceKind::Order,
            reference,
            "order",
            "an order",
            "a membership fee",
        ));
    }
    Ok(Some(reference.clone()))
}

/// Records the fee as an order when it earns points, and says what it
/// earned.
fn charge_fee(
    draft: &mut Draft<'_>,
    member: &MemberId,
    order: Option<Reference>,
    fee: Money,
    at: DateTime<Utc>,
) -> Result<Option<crate::Earning>, Error> {
    let Some(order) = order else {
        return Ok(None);
    };
    let purchase = Purchase::new(member.clone(), order, fee, at);
    let placed = draft.purchase(purchase, &[], true)?;
    // A membership's fee is charged once a term: its receipt is read
    // whole for the award, as a purchase's is.
    Ok(Some(
        purchase_receipt(member, &draft.events, placed)?.earning,
    ))
}

/// Where a downgrade from `current` lands: one level down (or the tier the
/// window earns, if higher), or straight to the earned tier, per the
/// program.
fn downgrade_to<'t>(
    tiers: &'t Tiers,
    current: &Tier,
    earned: Option<&'t Tier>,
) -> Option<&'t Tier> {
    match tiers.downgrade() {
        Downgrade::ToEarned => earned,
        Downgrade::OneLevel => {
            let below = tiers
                .rank(current.id())
                .and_then(|r| r.checked_sub(1))
                .and_then(|r| tiers.levels().get(r));
            match (earned, below) {
                (Some(e), Some(b)) if tiers.rank(e.id()) > tiers.rank(b.id()) => Some(e),
                (e, b) => b.or(e),
            }
        }
    }
}

fn not_a_membership(event: &Event) -> Error {
    Error::Inconsistent(ApplyError::Malformed {
        member: event.member().clone(),
        event: event.kind(),
        problem: "a membership receipt for an event that is not a membership's",
    })
}

/// A member's tier and what it takes to move up or stay, from
/// [`Ledger::tier_status`]. It serialises (without its `Display` text) for
/// a host's API.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct TierStatus {
    /// The member.
    pub member: MemberId,
    /// When the status was read.
    pub at: DateTime<Utc>,
    /// The tier whose benefits apply: the higher of the qualified tier and
    /// a membership's.
    pub tier: Option<TierId>,
    /// The tier the member qualified for.
    pub qualified: Option<TierId>,
    /// When the qualified tier was reached.
    pub since: Option<DateTime<Utc>>,
    /// Until when the qualified tier is secured: its next review.
    pub secured_until: Option<DateTime<Utc>>,
    /// After a failed review, when the downgrade falls due.
    pub grace_until: Option<DateTime<Utc>>,
    /// The active membership, if any.
    pub membership: Option<MembershipStatus>,
    /// The qualifying metric over the current window.
    pub metric: Decimal,
    /// The earn multiplier of `tier`.
    pub multiplier: Decimal,
    /// The perks of `tier`, for the host to honour.
    pub perks: Vec<String>,
    /// What the next tier takes.
    pub next: Option<Progress>,
    /// What keeping the qualified tier takes before its review, when the
    /// metric so far falls short.
    pub at_risk: Option<AtRisk>,
    /// For `Display`: the program's offset and ladder.
    #[serde(skip)]
    offset: chrono::FixedOffset,
    #[serde(skip)]
    tiers: Tiers,
}

/// An active membership in a [`TierStatus`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MembershipStatus {
    /// The membership.
    pub membership: RuleId,
    /// The tier it grants.
    pub tier: TierId,
    /// When its term ends.
    pub ends_at: DateTime<Utc>,
}

/// What the next tier takes: "120.00 EUR more by 2027-03-01".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Progress {
    /// The next tier.
    pub tier: TierId,
    /// How much more of the metric it needs.
    pub needs: Decimal,
    /// When the current window closes, if it has a fixed end.
    pub by: Option<DateTime<Utc>>,
}

/// What keeping a tier takes: "needs 80.00 EUR more before the review on
/// 2027-01-01".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AtRisk {
    /// How much more of the metric the review's window needs.
    pub needs: Decimal,
    /// When the review falls due.
    pub review_at: DateTime<Utc>,
}

impl TierStatus {
    /// A metric value in the program's terms (`120.00 EUR`, `80 points`).
    pub fn describe(&self, value: Decimal) -> String {
        self.tiers.describe(value)
    }
}

impl fmt::Display for TierStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let day = |t: &DateTime<Utc>| t.with_timezone(&self.offset).format("%Y-%m-%d");
        match (&self.tier, &self.membership) {
            (Some(tier), Some(m))
                if Some(tier) == Some(&m.tier) && self.qualified.as_ref() != Some(tier) =>
            {
                write!(
                    f,
                    "{tier} through membership {} until {}",
                    m.membership,
                    day(&m.ends_at)
                )?
            }
            (Some(tier), _) => {
                write!(f, "{tier}")?;
                if let Some(since) = &self.since {
                    write!(f, " since {}", day(since))?;
                }
                match (&self.grace_until, &self.secured_until) {
                    (Some(grace), _) => write!(f, ", in grace until {}", day(grace))?,
                    (None, Some(until)) => write!(f, ", secured until {}", day(until))?,
                    (None, None) => {}
                }
            }
            (None, _) => f.write_str("no tier")?,
        }
        if let Some(risk) = &self.at_risk {
            write!(
                f,
                "; needs {} more before the review on {}",
                self.describe(risk.needs),
                day(&risk.review_at)
            )?;
        }
        if let Some(next) = &self.next {
            write!(f, "; {} more for {}", self.describe(next.needs), next.tier)?;
            if let Some(by) = &next.by {
                write!(f, " by {}", day(by))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The next instant is the one adding a nanosecond gives, within a
        /// second, at its last nanosecond, in a leap second and at the
        /// ends of the range chrono holds.
        #[test]
        fn just_after_is_one_nanosecond_later(at in crate::calendar::instants()) {
            proptest::prop_assert_eq!(just_after(at), at.checked_add_signed(TimeDelta::nanoseconds(1)));
        }
    }
}
