//! Referral decisions — issuing codes, linking, qualifying, rewarding and
//! reversing — and the referrer's figures.
//!
//! A referral concerns several members: the referee, the referrer, and the
//! referrer's own referrers (the upline). Each gets their own events, dated
//! at the command's time or, when their last event is later, at that: a
//! member's events stay in time order without refusing the referee's
//! command.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Ledger;
use super::account::Account;
use super::command::*;
use super::decide::{Draft, check_time, conflict, fresh, repeated};
use super::event::*;
use super::policy::NegativeBalance;
use super::receipt::*;
use crate::points::PointsNoun;

use crate::{
    Error, Grant, LadderStep, MAX_UPLINE, MemberId, Milestone, Points, Purchase, Qualify,
    Reference, ReferenceKind, ReferralCode, ReferralRefusal, ReferralRole, Referrals,
};

/// The drafts of the other members one decision concerns: referrers and
/// their upline.
#[derive(Default)]
pub(crate) struct Others<'a> {
    drafts: Vec<Draft<'a>>,
}

impl<'a> Others<'a> {
    /// `member`'s draft, brought up to `at` (or their last event, if later),
    /// and the time their next event takes.
    fn draft(
        &mut self,
        ledger: &'a Ledger,
        member: &MemberId,
        at: DateTime<Utc>,
    ) -> Result<(&mut Draft<'a>, DateTime<Utc>), Error> {
        let index = match self.drafts.iter().position(|d| d.member == member) {
            Some(index) => index,
            None => {
                let account = ledger.enrolled(member)?;
                let mut draft = Draft::new(&ledger.program, account);
                draft.sweep(at.max(account.last_event_at()))?;
                self.drafts.push(draft);
                self.drafts.len().saturating_sub(1)
            }
        };
        let draft = self
            .drafts
            .get_mut(index)
            .ok_or_else(|| Error::NotEnrolled {
                member: member.clone(),
            })?;
        let when = at.max(draft.wallet.last_event_at);
        Ok((draft, when))
    }

    /// Appends their planned events, member by member, to `events`, each
    /// draft's list moved whole: in the common decision, which concerns
    /// no other member, there is nothing to walk (a flattening iterator
    /// took about 90 instructions a refund to find none).
    pub(crate) fn append_to(self, events: &mut Vec<Event>) {
        for mut draft in self.drafts {
            events.append(&mut draft.events);
        }
    }
}

/// A referral reward as an event: points into a new lot (repaying debt
/// first), or a voucher numbered after the member's others.
fn grant_event(
    draft: &Draft<'_>,
    referee: &MemberId,
    role: ReferralRole,
    order: Option<&Reference>,
    grant: &Grant,
    at: DateTime<Utc>,
) -> Result<Event, Error> {
    let (credit, voucher) = match grant {
        Grant::Points(points) => {
            let lot = draft.wallet.next_lot_id();
            let expires_at = draft.new_lot_expiry(at)?;
            (Some(draft.sole_credit(lot, expires_at, *points)?), None)
        }
        Grant::Reward(_) => {
            let planned = draft
                .events
                .iter()
                .filter(|e| matches!(e, Event::ReferralRewarded(r) if r.voucher.is_some()))
                .count();
            let number = draft
                .account
                .book()
                .vouchers
                .len()
                .saturating_add(planned)
                .saturating_add(1);
            (
                None,
                Some(Reference::label(format!("referral-voucher-{number}"))),
            )
        }
    };
    Ok(Event::ReferralRewarded(ReferralRewarded {
        member: draft.member.clone(),
        at,
        referee: referee.clone(),
        role,
        order: order.cloned(),
        grant: grant.clone(),
        credit,
        voucher,
    }))
}

fn withheld(
    member: &MemberId,
    referee: &MemberId,
    role: ReferralRole,
    order: Option<&Reference>,
    why: ReferralRefusal,
    at: DateTime<Utc>,
) -> Event {
    Event::ReferralWithheld(ReferralWithheld {
        member: member.clone(),
        at,
        referee: referee.clone(),
        role,
        order: order.cloned(),
        why,
    })
}

impl Ledger {
    /// The member whose referral code `code` is.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::{Enroll, Ledger, Program, ReferralCode};
    ///
    /// let program: Program = serde_json::from_str(
    ///     r#"{"currency": "EUR", "referrals": {"secret": "a long random string", "referrer": {"points": 100}}}"#)?;
    /// let mut ledger = Ledger::new(program);
    /// let at = "2026-03-02T10:00:00Z".parse()?;
    /// ledger.execute(Enroll::new("marta".parse()?, at).with_code(ReferralCode::with_check("MARTA")?))?;
    ///
    /// // Customers type codes in any case, with spaces or hyphens.
    /// let typed: ReferralCode = "marta-t".parse()?;
    /// assert_eq!(ledger.resolve_code(&typed).map(|m| m.as_str()), Some("marta"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resolve_code(&self, code: &ReferralCode) -> Option<&MemberId> {
        self.codes.get(code)
    }

    /// A member's own referral code, when one was issued.
    pub fn referral_code(&self, member: &MemberId) -> Option<&ReferralCode> {
        self.accounts.get(member)?.referral_code()
    }

    /// A referrer's figures: invitations, friends who enrolled with their
    /// code, qualified, rewarded, withheld and reversed referrals, points
    /// from referrals, and the next ladder step and milestone.
    ///
    /// # Errors
    ///
    /// [`Error::NotEnrolled`] for an unknown member.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::{Enroll, Ledger, Program, Purchase};
    ///
    /// let program: Program = serde_json::from_str(r#"{
    ///     "currency": "EUR",
    ///     "referrals": {"secret": "a long random string", "minimum_order": "20.00",
    ///                   "ladder": [{"from": 1, "points": 100}, {"from": 3, "points": 150}]}
    /// }"#)?;
    /// let mut ledger = Ledger::new(program);
    /// let at = "2026-03-02T10:00:00Z".parse()?;
    /// ledger.execute(Enroll::new("marta".parse()?, at))?;
    /// let code = ledger.referral_code(&"marta".parse()?).cloned().expect("issued");
    /// ledger.execute(Enroll::new("ana".parse()?, at).referred_by(code))?;
    /// ledger.execute(Purchase::new("ana".parse()?, "A-1".parse()?, "35.00 EUR".parse()?, at))?;
    ///
    /// let figures = ledger.referral_figures(&"marta".parse()?)?;
    /// assert_eq!((figures.enrolled, figures.qualified, figures.rewarded), (1, 1, 1));
    /// assert_eq!(figures.points.value(), 100);
    /// assert_eq!(figures.next_step.map(|s| s.from()), Some(3));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn referral_figures(&self, member: &MemberId) -> Result<ReferralFigures, Error> {
        let account = self.enrolled(member)?;
        let book = account.book();
        let qualified = book
            .referees
            .keys()
            .filter(|r| {
                self.accounts
                    .get(r)
                    .and_then(|a| a.book().referred.as_ref())
                    .is_some_and(|x| !x.qualifications.is_empty())
            })
            .count();
        let standing = |r: &&super::referrals::Referee| r.success.is_some();
        let successes = book.successes();
        let rules = self.program.referrals();
        Ok(ReferralFigures {
            member: member.clone(),
            code: account.referral_code().cloned(),
            invited: book.invitations.len(),
            enrolled: book.referees.len(),
            qualified,
            rewarded: book.referees.values().filter(standing).count(),
            withheld: book
                .referees
                .values()
                .filter(|r| r.success.is_none() && r.withheld > 0 && !r.reversed)
                .count(),
            reversed: book
                .referees
                .values()
                .filter(|r| r.success.is_none() && r.reversed)
                .count(),
            points: book.points_received.checked_sub(book.points_reversed)?,
            points_reversed: book.points_reversed,
            vouchers: book.vouchers.len(),
            successes,
            next_step: rules.and_then(|r| r.next_step(successes)).cloned(),
            next_milestone: rules
                .and_then(|r| r.milestones().iter().find(|m| m.at() > successes))
                .cloned(),
        })
    }

    fn referral_rules(&self, member: &MemberId) -> Result<&Referrals, Error> {
        self.program
            .referrals()
            .ok_or_else(|| Error::ReferralRefused {
                member: member.clone(),
                reason: ReferralRefusal::NoReferrals,
            })
    }

    /// The code a member gets: the host's choice when free, otherwise the
    /// first derived code not taken.
    fn code_for(
        &self,
        rules: &Referrals,
        member: &MemberId,
        chosen: Option<ReferralCode>,
    ) -> Result<ReferralCode, Error> {
        let taken = |code: &ReferralCode| self.codes.get(code).filter(|owner| *owner != member);
        if let Some(code) = chosen {
            return match taken(&code) {
                Some(owner) => Err(Error::CodeTaken {
                    member: owner.clone(),
                    code,
                }),
                None => Ok(code),
            };
        }
        let mut attempt = 0;
        loop {
            let code = ReferralCode::derive(member, rules.key(), rules.code_length(), attempt);
            match taken(&code) {
                None => return Ok(code),
                // Past 64 attempts the code space is nearly full: say so.
                Some(owner) if attempt >= 64 => {
                    return Err(Error::CodeTaken {
                        member: owner.clone(),
                        code,
                    });
                }
                Some(_) => attempt = attempt.saturating_add(1),
            }
        }
    }

    /// Whether `referee` may link `code` at `at`; the referrer if so.
    fn check_link(
        &self,
        rules: &Referrals,
        referee: &Account,
        code: &ReferralCode,
        at: DateTime<Utc>,
    ) -> Result<MemberId, ReferralRefusal> {
        let Some(referrer) = self.codes.get(code) else {
            return Err(ReferralRefusal::UnknownCode { code: code.clone() });
        };
        if referrer == referee.member() {
            return Err(ReferralRefusal::SelfReferral);
        }
        if let Some(already) = referee.referred_by() {
            return Err(ReferralRefusal::AlreadyReferred {
                referrer: already.clone(),
            });
        }
        if referee.order_count() > 0 {
            return Err(ReferralRefusal::NotNew {
                orders: referee.order_count(),
            });
        }
        let days = rules.link_within_days();
        let deadline = referee
            .enrolled_at()
            .checked_add_days(chrono::Days::new(u64::from(days)));
        if deadline.is_none_or(|d| at > d) {
            return Err(ReferralRefusal::LinkWindowClosed {
                enrolled_at: referee.enrolled_at(),
                days,
            });
        }
        let (starts_at, ends_at) = rules.window();
        if starts_at.is_some_and(|s| at < s) || ends_at.is_some_and(|e| at >= e) {
            return Err(ReferralRefusal::OutsideWindow { starts_at, ends_at });
        }
        let Some(account) = self.accounts.get(referrer) else {
            return Err(ReferralRefusal::UnknownCode { code: code.clone() });
        };
        let book = account.book();
        if let (Some((_, issued)), Some(days)) = (&book.code, rules.code_valid_days())
            && let Some(expired_at) = issued.checked_add_days(chrono::Days::new(u64::from(days)))
            && at >= expired_at
        {
            return Err(ReferralRefusal::CodeExpired { expired_at });
        }
        // Links form a forest: the referee may not be up the referrer's
        // chain. Only a referee someone already linked to can be; a new
        // member never is, so the common link does not walk the chain.
        let mut up = if referee.book().referees.is_empty() {
            None
        } else {
            account.referred_by()
        };
        let mut steps = self.accounts.len();
        while let Some(member) = up {
            if member == referee.member() {
                return Err(ReferralRefusal::Cycle {
                    referrer: referrer.clone(),
                });
            }
            steps = steps.saturating_sub(1);
            if steps == 0 {
                break;
            }
            up = self.accounts.get(member).and_then(Account::referred_by);
        }
        if let Some(kind) = referee.book().shared_with(&book.fingerprints) {
            return Err(ReferralRefusal::SharedIdentity { kind });
        }
        Ok(referrer.clone())
    }

    /// Plans the referee's link to `referrer`, and its qualification when
    /// the program qualifies at enrolment.
    fn plan_link<'a>(
        &'a self,
        rules: &Referrals,
        referee: &mut Draft<'_>,
        others: &mut Others<'a>,
        referrer: &MemberId,
        code: ReferralCode,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        referee.push(Event::ReferralLinked(ReferralLinked {
            member: referee.member.clone(),
            at,
            referrer: referrer.clone(),
            code,
        }))?;
        let (draft, when) = others.draft(self, referrer, at)?;
        draft.push(Event::ReferralJoined(ReferralJoined {
            member: referrer.clone(),
            at: when,
            referee: referee.member.clone(),
        }))?;
        if rules.qualify() == Qualify::Enrolment {
            self.plan_qualification(rules, referee, others, referrer, None, at)?;
        }
        Ok(())
    }

    /// Whether purchase `c` qualifies the member's referral; its referrer
    /// if so.
    pub(crate) fn qualifying_referral<'r>(
        &'r self,
        account: &'r Account,
        c: &Purchase,
    ) -> Option<(&'r Referrals, &'r MemberId)> {
        let referred = account.book().referred.as_ref()?;
        let rules = self.program.referrals()?;
        let count = u32::try_from(referred.qualifications.len()).unwrap_or(u32::MAX);
        let within = rules.qualify_within_days().is_none_or(|days| {
            referred
                .linked_at
                .checked_add_days(chrono::Days::new(u64::from(days)))
                .is_some_and(|end| c.at <= end)
        });
        let qualifies = rules.qualify() != Qualify::Enrolment
            && count < rules.qualifying_orders()
            && c.amount.amount() >= rules.minimum_order().amount()
            && within;
        qualifies.then_some((rules, &referred.referrer))
    }

    /// Plans a qualification: the referee's, then each side's reward (or
    /// why it is withheld), a milestone, and the upline's rewards.
    pub(crate) fn plan_qualification<'a>(
        &'a self,
        rules: &Referrals,
        referee: &mut Draft<'_>,
        others: &mut Others<'a>,
        referrer: &MemberId,
        order: Option<&Reference>,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        let member = referee.member.clone();
        referee.push(Event::ReferralQualified(ReferralQualified {
            member: member.clone(),
            at,
            referrer: referrer.clone(),
            order: order.cloned(),
        }))?;
        let account = self.enrolled(referrer)?;
        let book = account.book();
        let success = book.referees.get(&member).and_then(|r| r.success.as_ref());
        let successes = book.successes();
        let count = success.map_or(successes.saturating_add(1), |s| s.count);

        // Fingerprints recorded since the link may show one person on both
        // sides: nobody is rewarded.
        if let Some(kind) = referee.account.book().shared_with(&book.fingerprints) {
            let why = ReferralRefusal::SharedIdentity { kind };
            if rules.referee().is_some() {
                let event = withheld(
                    &member,
                    &member,
                    ReferralRole::Referee,
                    order,
                    why.clone(),
                    at,
                );
                referee.push(event)?;
            }
            let (draft, when) = others.draft(self, referrer, at)?;
            let role = ReferralRole::Referrer { count };
            draft.push(withheld(referrer, &member, role, order, why, when))?;
            return Ok(());
        }

        if let Some(grant) = rules.referee() {
            let event = grant_event(referee, &member, ReferralRole::Referee, order, grant, at)?;
            referee.push(event)?;
        }

        // The referrer's events take the later of `at` and their last event.
        let when = at.max(account.last_event_at());
        let role = ReferralRole::Referrer { count };
        if success.is_none() {
            let limit = if let Some(max) = rules.max_total()
                && successes >= max
            {
                Some(ReferralRefusal::TotalLimit { count: max })
            } else if let Some(limit) = rules.limit() {
                let since = limit.per.start(when, self.program.utc_offset());
                let recent = since.map_or(successes, |s| book.successes_since(s));
                (recent >= limit.count).then_some(ReferralRefusal::PeriodLimit {
                    count: limit.count,
                    per: limit.per,
                })
            } else {
                None
            };
            if let Some(why) = limit {
                let (draft, when) = others.draft(self, referrer, at)?;
                draft.push(withheld(referrer, &member, role, order, why, when))?;
                return Ok(());
            }
        }
        let Some(grant) = rules.referrer_grant(count) else {
            return Ok(());
        };
        let (draft, when) = others.draft(self, referrer, at)?;
        draft.push(grant_event(draft, &member, role, order, grant, when)?)?;
        if success.is_none()
            && let Some(milestone) = rules.milestones().iter().find(|m| m.at() == count)
            && !book.milestones.contains_key(&count)
        {
            let role = ReferralRole::Milestone { count };
            draft.push(grant_event(
                draft,
                &member,
                role,
                order,
                milestone.grant(),
                when,
            )?)?;
        }

        let mut up = account.referred_by().cloned();
        for (depth, points) in (1_u32..).zip(rules.upline()) {
            let Some(upper) = up else {
                break;
            };
            let (draft, when) = others.draft(self, &upper, at)?;
            let role = ReferralRole::Upline { depth };
            draft.push(grant_event(
                draft,
                &member,
                role,
                order,
                &Grant::Points(*points),
                when,
            )?)?;
            up = self.enrolled(&upper)?.referred_by().cloned();
        }
        Ok(())
    }

    /// After a refund of `order` planned on the referee's draft: reverses
    /// the referral rewards the order qualified for, on every side, when
    /// the order is now refunded in full or below the minimum.
    pub(crate) fn plan_reversal<'a>(
        &'a self,
        referee: &mut Draft<'_>,
        others: &mut Others<'a>,
        order: &Reference,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        let account = referee.account;
        let book = account.book();
        let Some(referred) = &book.referred else {
            return Ok(());
        };
        let key = Some(order.clone());
        if referred.qualifications.get(&key) != Some(&false) {
            return Ok(());
        }
        let Some(recorded) = account.orders.get(order) else {
            return Ok(());
        };
        let Some(refunded) = referee.events.iter().rev().find_map(|e| match e {
            Event::OrderRefunded(r) if &r.order == order => Some(r.refunded_total),
            _ => None,
        }) else {
            return Ok(());
        };
        let minimum = self
            .program
            .referrals()
            .map_or(rust_decimal::Decimal::ZERO, |r| r.minimum_order().amount());
        let left = recorded.decimal_amount().saturating_sub(refunded.amount());
        let fully = refunded.amount() == recorded.decimal_amount();
        if !fully && left >= minimum {
            return Ok(());
        }

        let member = referee.member.clone();
        let key = (member.clone(), order.clone());
        let own = book
            .rewards
            .get(&key)
            .and_then(|rs| rs.iter().find(|r| r.role == ReferralRole::Referee));
        let event = self.take_back(
            referee,
            &member,
            ReferralRole::Referee,
            order,
            own,
            at,
            true,
        )?;
        referee.push(event)?;

        let mut up = Some(referred.referrer.clone());
        for _ in 0..=MAX_UPLINE {
            let Some(upper) = up else {
                break;
            };
            let upper_account = self.enrolled(&upper)?;
            if let Some(rewards) = upper_account.book().rewards.get(&key) {
                let (draft, when) = others.draft(self, &upper, at)?;
                for reward in rewards {
                    let event = self.take_back(
                        draft,
                        &member,
                        reward.role.clone(),
                        order,
                        Some(reward),
                        when,
                        false,
                    )?;
                    draft.push(event)?;
                }
            }
            up = upper_account.referred_by().cloned();
        }
        Ok(())
    }

    /// Takes back `reward` (none: a marker that the referee's
    /// qualification is reversed): its points, from its own lot first, or
    /// an unused voucher, or a used voucher's cost in points. What the
    /// lots cannot cover follows the negative-balance policy; `reject`
    /// refuses only when `strict` (the refunded member), otherwise it
    /// forgives.
    #[allow(clippy::too_many_arguments)]
    fn take_back(
        &self,
        draft: &Draft<'_>,
        referee: &MemberId,
        role: ReferralRole,
        order: &Reference,
        reward: Option<&ReferralRewarded>,
        at: DateTime<Utc>,
        strict: bool,
    ) -> Result<Event, Error> {
        let mut points = Points::ZERO;
        let mut voucher_revoked = None;
        if let Some(r) = reward {
            match (&r.grant, &r.voucher) {
                (Grant::Points(p), _) => points = *p,
                (Grant::Reward(id), Some(v)) => match draft.account.book().vouchers.get(v) {
                    Some(x) if x.revoked => {}
                    Some(x) if x.used_by.is_none() => voucher_revoked = Some(v.clone()),
                    Some(_) => points = self.program.reward(id).map_or(Points::ZERO, |x| x.cost()),
                    None => {}
                },
                (Grant::Reward(_), None) => {}
            }
        }
        let own = reward.and_then(|r| r.credit).map(|c| c.lot);
        let (draws, short) = Draft::draws(&draft.wallet, points, own);
        let (debt, forgiven) = match self.program.refunds().negative_balance {
            _ if short.is_zero() => (Points::ZERO, Points::ZERO),
            NegativeBalance::Reject if strict => {
                return Err(Error::ClawbackExceedsBalance {
                    available: draft.wallet.available(),
                    required: points,
                });
            }
            NegativeBalance::Reject | NegativeBalance::Clamp => (Points::ZERO, short),
            NegativeBalance::Debt => (short, Points::ZERO),
        };
        Ok(Event::ReferralReversed(ReferralReversed {
            member: draft.member.clone(),
            at,
            referee: referee.clone(),
            role,
            order: order.clone(),
            points,
            draws,
            debt,
            forgiven,
            voucher_revoked,
        }))
    }

    /// Plans the enrolment's referral part on the new member's draft: their
    /// code, and the link when they bring one.
    pub(crate) fn plan_enrolment_referral<'a>(
        &'a self,
        c: &Enroll,
        draft: &mut Draft<'_>,
        others: &mut Others<'a>,
    ) -> Result<(), Error> {
        let Some(rules) = self.program.referrals() else {
            if c.referred_by.is_some() || c.code.is_some() {
                return Err(Error::ReferralRefused {
                    member: c.member.clone(),
                    reason: ReferralRefusal::NoReferrals,
                });
            }
            return Ok(());
        };
        let code = self.code_for(rules, &c.member, c.code.clone())?;
        draft.push(Event::ReferralCodeIssued(ReferralCodeIssued {
            member: c.member.clone(),
            at: c.at,
            code,
        }))?;
        if let Some(code) = &c.referred_by {
            let referrer = self
                .check_link(rules, draft.account, code, c.at)
                .map_err(|reason| Error::ReferralRefused {
                    member: c.member.clone(),
                    reason,
                })?;
            self.plan_link(rules, draft, others, &referrer, code.clone(), c.at)?;
        }
        Ok(())
    }

    /// Checks that `voucher` is the member's, unused and for `reward`.
    pub(crate) fn check_voucher(
        &self,
        account: &Account,
        voucher: &Reference,
        reward: &crate::RewardId,
    ) -> Result<(), Error> {
        match account.book().vouchers.get(voucher) {
            Some(v) if !v.revoked => match &v.used_by {
                Some(redemption) => Err(Error::VoucherUsed {
                    voucher: voucher.clone(),
                    redemption: redemption.clone(),
                }),
                None if &v.reward != reward => Err(Error::VoucherForAnotherReward {
                    voucher: voucher.clone(),
                    reward: v.reward.clone(),
                    requested: reward.clone(),
                }),
                None => Ok(()),
            },
            _ => Err(Error::UnknownVoucher {
                member: account.member().clone(),
                voucher: voucher.clone(),
            }),
        }
    }

    pub(crate) fn decide_link(&self, c: LinkReferral) -> Result<Decision, Error> {
        let account = self.enrolled(&c.member)?;
        let rules = self.referral_rules(&c.member)?;
        if let Some(referred) = &account.book().referred {
            if referred.code == c.code {
                return Ok(repeated(linked_receipt(
                    &c.member,
                    referred.linked_at,
                    &referred.referrer,
                    &referred.code,
                )));
            }
            return Err(Error::ReferralRefused {
                member: c.member,
                reason: ReferralRefusal::AlreadyReferred {
                    referrer: referred.referrer.clone(),
                },
            });
        }
        check_time(account, c.at)?;
        let referrer = self
            .check_link(rules, account, &c.code, c.at)
            .map_err(|reason| Error::ReferralRefused {
                member: c.member.clone(),
                reason,
            })?;
        let mut draft = Draft::new(&self.program, account);
        draft.sweep(c.at)?;
        let mut others = Others::default();
        let receipt = linked_receipt(&c.member, c.at, &referrer, &c.code);
        self.plan_link(rules, &mut draft, &mut others, &referrer, c.code, c.at)?;
        let mut events = draft.events;
        others.append_to(&mut events);
        Ok(fresh(receipt, events))
    }

    pub(crate) fn decide_issue_code(&self, c: IssueReferralCode) -> Result<Decision, Error> {
        let account = self.enrolled(&c.member)?;
        let rules = self.referral_rules(&c.member)?;
        if let Some((code, at)) = &account.book().code {
            if let Some(asked) = c.code.as_ref().filter(|asked| *asked != code) {
                return Err(conflict(
                    ReferenceKind::ReferralCode,
                    &Reference::of_member(&c.member),
                    "code",
                    code,
                    asked,
                ));
            }
            return Ok(repeated(referral_receipt(
                &c.member,
                *at,
                ReferralChange::CodeIssued { code: code.clone() },
            )));
        }
        check_time(account, c.at)?;
        let code = self.code_for(rules, &c.member, c.code)?;
        let mut draft = Draft::new(&self.program, account);
        draft.sweep(c.at)?;
        let receipt = referral_receipt(
            &c.member,
            c.at,
            ReferralChange::CodeIssued { code: code.clone() },
        );
        draft.finish(Event::ReferralCodeIssued(ReferralCodeIssued {
            member: c.member,
            at: c.at,
            code,
        }))?;
        Ok(fresh(receipt, draft.events))
    }

    pub(crate) fn decide_fingerprints(&self, c: RecordFingerprints) -> Result<Decision, Error> {
        let account = self.enrolled(&c.member)?;
        let known = &account.book().fingerprints;
        let mut new: Vec<_> = c
            .fingerprints
            .into_iter()
            .filter(|f| !known.contains(f))
            .collect();
        new.sort_unstable();
        new.dedup();
        let receipt = referral_receipt(
            &c.member,
            c.at,
            ReferralChange::FingerprintsRecorded { new: new.len() },
        );
        if new.is_empty() {
            return Ok(repeated(receipt));
        }
        check_time(account, c.at)?;
        let mut draft = Draft::new(&self.program, account);
        draft.sweep(c.at)?;
        draft.finish(Event::FingerprintsRecorded(FingerprintsRecorded {
            member: c.member,
            at: c.at,
            fingerprints: new,
        }))?;
        Ok(fresh(receipt, draft.events))
    }

    pub(crate) fn decide_invite(&self, c: Invite) -> Result<Decision, Error> {
        let account = self.enrolled(&c.member)?;
        self.referral_rules(&c.member)?;
        if let Some(at) = account.book().invitations.get(&c.invitation) {
            return Ok(repeated(referral_receipt(
                &c.member,
                *at,
                ReferralChange::Invited {
                    invitation: c.invitation,
                },
            )));
        }
        check_time(account, c.at)?;
        let mut draft = Draft::new(&self.program, account);
        draft.sweep(c.at)?;
        let receipt = referral_receipt(
            &c.member,
            c.at,
            ReferralChange::Invited {
                invitation: c.invitation.clone(),
            },
        );
        draft.finish(Event::ReferralInvited(ReferralInvited {
            member: c.member,
            at: c.at,
            invitation: c.invitation,
        }))?;
        Ok(fresh(receipt, draft.events))
    }
}

fn referral_receipt(member: &MemberId, at: DateTime<Utc>, change: ReferralChange) -> Receipt {
    Receipt::Referral(ReferralReceipt {
        member: member.clone(),
        at,
        change,
    })
}

fn linked_receipt(
    member: &MemberId,
    at: DateTime<Utc>,
    referrer: &MemberId,
    code: &ReferralCode,
) -> Receipt {
    referral_receipt(
        member,
        at,
        ReferralChange::Linked {
            referrer: referrer.clone(),
            code: code.clone(),
        },
    )
}

/// A referrer's figures, as [`Ledger::referral_figures`] reads them.
///
/// Counts are of friends (referees), not of orders: a friend whose every
/// qualifying order was refunded counts as reversed, not as rewarded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReferralFigures {
    /// The referrer.
    pub member: MemberId,
    /// Their code.
    pub code: Option<ReferralCode>,
    /// Invitations recorded with [`Invite`].
    pub invited: usize,
    /// Friends who enrolled (or linked) with the code.
    pub enrolled: usize,
    /// Of those, friends whose referral qualified.
    pub qualified: usize,
    /// Friends whose referral rewards the referrer now: the successful
    /// referrals the ladder counts.
    pub rewarded: usize,
    /// Friends whose referral qualified but whose reward was withheld
    /// (limits, shared identity).
    pub withheld: usize,
    /// Friends whose rewarded referral was reversed by a refund.
    pub reversed: usize,
    /// Points from referrals (referrer, milestone and upline rewards, and
    /// the member's own welcome as a referee), less those taken back.
    pub points: Points,
    /// Points taken back by reversals.
    pub points_reversed: Points,
    /// Vouchers received.
    pub vouchers: usize,
    /// The count of successful referrals the ladder uses.
    pub successes: u32,
    /// The next ladder step, when the referrer has not reached the last.
    pub next_step: Option<LadderStep>,
    /// The next milestone.
    pub next_milestone: Option<Milestone>,
}

impl fmt::Display for ReferralFigures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.member)?;
        if let Some(code) = &self.code {
            write!(f, " (code {code})")?;
        }
        write!(
            f,
            ": {} invited, {} enrolled, {} qualified, {} rewarded, {} withheld, {} reversed; {} from referrals",
            self.invited,
            self.enrolled,
            self.qualified,
            self.rewarded,
            self.withheld,
            self.reversed,
            PointsNoun(self.points)
        )?;
        if self.points_reversed.is_positive() {
            write!(f, " ({} taken back)", PointsNoun(self.points_reversed))?;
        }
        if let Some(step) = &self.next_step {
            write!(
                f,
                "; next step: {} from referral {}",
                step.grant(),
                step.from()
            )?;
        }
        if let Some(m) = &self.next_milestone {
            write!(f, "; next milestone: {} at {} referrals", m.grant(), m.at())?;
        }
        Ok(())
    }
}
