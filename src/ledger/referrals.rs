//! Referrals in the ledger: each member's book (their code, fingerprints,
//! who referred them, whom they referred, what referrals paid them), and
//! the decisions that link, qualify, reward and reverse referrals.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::event::*;
use crate::{
    ApplyError, Fingerprint, Grant, MemberId, Points, Reference, ReferenceKind, ReferralCode,
    ReferralRole, RewardId,
};

/// Who referred a member, and the referral's qualifications.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Referred {
    pub(crate) referrer: MemberId,
    pub(crate) code: ReferralCode,
    pub(crate) linked_at: DateTime<Utc>,
    /// Each qualification (by order; `None` for qualifying at linking),
    /// and whether it was reversed.
    pub(crate) qualifications: BTreeMap<Option<Reference>, bool>,
}

/// A member this member referred, as the referrer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Referee {
    /// When the referral first paid the referrer, and the count it was:
    /// the referral is successful while it has orders not reversed.
    pub(crate) success: Option<Success>,
    /// Qualifications whose referrer reward was withheld.
    pub(crate) withheld: u32,
    /// Whether a successful referral was reversed.
    pub(crate) reversed: bool,
}

/// A successful referral.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Success {
    pub(crate) at: DateTime<Utc>,
    pub(crate) count: u32,
    /// The qualifications that paid the referrer and stand.
    pub(crate) standing: BTreeSet<Option<Reference>>,
}

/// A voucher a referral gave: a catalogue reward for no points.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Voucher {
    pub(crate) reward: RewardId,
    /// The redemption that used it.
    pub(crate) used_by: Option<Reference>,
    pub(crate) revoked: bool,
}

/// One member's referrals.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReferralBook {
    /// The member's own code, and when it was issued.
    pub(crate) code: Option<(ReferralCode, DateTime<Utc>)>,
    pub(crate) fingerprints: BTreeSet<Fingerprint>,
    pub(crate) invitations: BTreeMap<Reference, DateTime<Utc>>,
    pub(crate) referred: Option<Referred>,
    pub(crate) referees: BTreeMap<MemberId, Referee>,
    /// Rewards received for qualifying orders and not reversed, by referee
    /// and order: what a refund would take back.
    pub(crate) rewards: BTreeMap<(MemberId, Reference), Vec<ReferralRewarded>>,
    /// Milestones paid and not reversed: the count, and the referral that
    /// reached it.
    pub(crate) milestones: BTreeMap<u32, MemberId>,
    pub(crate) vouchers: BTreeMap<Reference, Voucher>,
    /// Points received from referrals, and taken back.
    pub(crate) points_received: Points,
    pub(crate) points_reversed: Points,
    /// When each successful referral among `referees` first paid, oldest
    /// first: kept with them, so the ladder's count and a period's count
    /// cost nothing (a binary search) however many friends a member
    /// brought. Derived, so neither `==` nor the fingerprint reads it.
    success_times: Vec<DateTime<Utc>>,
}

impl ReferralBook {
    /// Every field but the success times derived from `referees`: what
    /// `==` and the fingerprint go by.
    fn recorded(&self) -> impl PartialEq + std::hash::Hash + '_ {
        (
            &self.code,
            &self.fingerprints,
            &self.invitations,
            &self.referred,
            &self.referees,
            &self.rewards,
            &self.milestones,
            &self.vouchers,
            self.points_received,
            self.points_reversed,
        )
    }
}

impl PartialEq for ReferralBook {
    fn eq(&self, other: &ReferralBook) -> bool {
        self.recorded() == other.recorded()
    }
}

impl Eq for ReferralBook {}

impl std::hash::Hash for ReferralBook {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.recorded().hash(state);
    }
}

impl ReferralBook {
    /// A book with nothing in it.
    pub(crate) const EMPTY: ReferralBook = ReferralBook {
        code: None,
        fingerprints: BTreeSet::new(),
        invitations: BTreeMap::new(),
        referred: None,
        referees: BTreeMap::new(),
        rewards: BTreeMap::new(),
        milestones: BTreeMap::new(),
        vouchers: BTreeMap::new(),
        points_received: Points::ZERO,
        points_reversed: Points::ZERO,
        success_times: Vec::new(),
    };

    /// Whether the book checks and records `event`.
    pub(crate) fn concerns(event: &Event) -> bool {
        match event {
            Event::ReferralCodeIssued(_)
            | Event::FingerprintsRecorded(_)
            | Event::ReferralInvited(_)
            | Event::ReferralLinked(_)
            | Event::ReferralJoined(_)
            | Event::ReferralQualified(_)
            | Event::ReferralRewarded(_)
            | Event::ReferralWithheld(_)
            | Event::ReferralReversed(_) => true,
            Event::RewardRedeemed(e) => e.voucher.is_some(),
            Event::RedemptionCancelled(e) => e.credits.is_empty() && e.points.is_zero(),
            _ => false,
        }
    }

    /// The referrer's count of successful referrals.
    pub(crate) fn successes(&self) -> u32 {
        u32::try_from(self.success_times.len()).unwrap_or(u32::MAX)
    }

    /// Files a success that first paid at `at`.
    fn file_success(&mut self, at: DateTime<Utc>) {
        let place = self.success_times.partition_point(|t| *t <= at);
        self.success_times.insert(place, at);
    }

    /// Takes back a success that first paid at `at`.
    fn unfile_success(&mut self, at: DateTime<Utc>) {
        let place = self.success_times.partition_point(|t| *t < at);
        if self.success_times.get(place) == Some(&at) {
            self.success_times.remove(place);
        }
    }

    /// Successful referrals that first paid at or after `since`.
    pub(crate) fn successes_since(&self, since: DateTime<Utc>) -> u32 {
        let before = self.success_times.partition_point(|at| *at < since);
        let n = self.success_times.len().saturating_sub(before);
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// The first fingerprint kind this member shares with `other`.
    pub(crate) fn shared_with(
        &self,
        other: &BTreeSet<Fingerprint>,
    ) -> Option<crate::FingerprintKind> {
        self.fingerprints
            .iter()
            .find(|f| other.contains(*f))
            .map(Fingerprint::kind)
    }

    /// Checks that an event fits the book; changes nothing.
    pub(crate) fn check(&self, member: &MemberId, event: &Event) -> Result<(), ApplyError> {
        let malformed = |problem| ApplyError::Malformed {
            member: member.clone(),
            event: event.kind(),
            problem,
        };
        let duplicate = |kind, reference: &Reference| ApplyError::DuplicateReference {
            member: member.clone(),
            kind,
            reference: reference.clone(),
        };
        match event {
            Event::ReferralCodeIssued(_) if self.code.is_some() => {
                Err(malformed("the member already has a referral code"))
            }
            Event::ReferralInvited(e) if self.invitations.contains_key(&e.invitation) => {
                Err(duplicate(ReferenceKind::Invitation, &e.invitation))
            }
            Event::ReferralLinked(_) if self.referred.is_some() => {
                Err(malformed("the member was already referred"))
            }
            Event::ReferralJoined(e) if self.referees.contains_key(&e.referee) => {
                Err(malformed("the referee already joined with this code"))
            }
            Event::ReferralQualified(e) => match &self.referred {
                Some(r) if r.referrer == e.referrer && !r.qualifications.contains_key(&e.order) => {
                    Ok(())
                }
                _ => Err(malformed(
                    "a qualification that does not fit the member's referral",
                )),
            },
            Event::ReferralRewarded(e) => {
                if let Some(v) = &e.voucher
                    && self.vouchers.contains_key(v)
                {
                    return Err(duplicate(ReferenceKind::Voucher, v));
                }
                match e.role {
                    ReferralRole::Referrer { .. } if !self.referees.contains_key(&e.referee) => {
                        Err(malformed(
                            "a referrer reward for a member this member did not refer",
                        ))
                    }
                    _ => Ok(()),
                }
            }
            Event::RewardRedeemed(e) => {
                let usable = e
                    .voucher
                    .as_ref()
                    .and_then(|v| self.vouchers.get(v))
                    .is_some_and(|v| v.used_by.is_none() && !v.revoked && v.reward == e.reward);
                if usable {
                    Ok(())
                } else {
                    Err(malformed(
                        "a voucher that is unknown, used, revoked or for another reward",
                    ))
                }
            }
            Event::ReferralReversed(e) => {
                let stands = match e.role {
                    ReferralRole::Referee => self.referred.as_ref().is_some_and(|r| {
                        r.qualifications.get(&Some(e.order.clone())) == Some(&false)
                    }),
                    _ => self
                        .rewards
                        .get(&(e.referee.clone(), e.order.clone()))
                        .is_some_and(|rs| rs.iter().any(|r| r.role == e.role)),
                };
                if stands {
                    Ok(())
                } else {
                    Err(malformed("it reverses a referral reward that is not there"))
                }
            }
            _ => Ok(()),
        }
    }

    /// Records an event that passed [`check`](Self::check).
    pub(crate) fn record(&mut self, event: &Event) {
        match event {
            Event::ReferralCodeIssued(e) => self.code = Some((e.code.clone(), e.at)),
            Event::FingerprintsRecorded(e) => {
                self.fingerprints.extend(e.fingerprints.iter().cloned())
            }

            Event::ReferralInvited(e) => {
                self.invitations.insert(e.invitation.clone(), e.at);
            }
            Event::ReferralLinked(e) => {
                self.referred = Some(Referred {
                    referrer: e.referrer.clone(),
                    code: e.code.clone(),
                    linked_at: e.at,
                    qualifications: BTreeMap::new(),
                });
            }
            Event::ReferralJoined(e) => {
                let replaced = self.referees.insert(
                    e.referee.clone(),
                    Referee {
                        success: None,
                        withheld: 0,
                        reversed: false,
                    },
                );
                if let Some(success) = replaced.and_then(|r| r.success) {
                    self.unfile_success(success.at);
                }
            }
            Event::ReferralQualified(e) => {
                if let Some(r) = &mut self.referred {
                    r.qualifications.insert(e.order.clone(), false);
                }
            }
            Event::ReferralRewarded(e) => self.rewarded(e),
            Event::ReferralWithheld(e) => {
                if matches!(e.role, ReferralRole::Referrer { .. })
                    && let Some(r) = self.referees.get_mut(&e.referee)
                {
                    r.withheld = r.withheld.saturating_add(1);
                }
            }
            Event::ReferralReversed(e) => self.reversed(e),
            Event::RewardRedeemed(e) => {
                if let Some(v) = e.voucher.as_ref().and_then(|v| self.vouchers.get_mut(v)) {
                    v.used_by = Some(e.redemption.clone());
                }
            }
            Event::RedemptionCancelled(e) => {
                if let Some(v) = self
                    .vouchers
                    .values_mut()
                    .find(|v| v.used_by.as_ref() == Some(&e.redemption))
                {
                    v.used_by = None;
                }
            }
            _ => {}
        }
    }

    fn rewarded(&mut self, e: &ReferralRewarded) {
        self.points_received = self
            .points_received
            .checked_add(e.points())
            .unwrap_or(Points::MAX);
        if let (Grant::Reward(reward), Some(v)) = (&e.grant, &e.voucher) {
            self.vouchers.insert(
                v.clone(),
                Voucher {
                    reward: reward.clone(),
                    used_by: None,
                    revoked: false,
                },
            );
        }
        if let Some(order) = &e.order {
            self.rewards
                .entry((e.referee.clone(), order.clone()))
                .or_default()
                .push(e.clone());
        }
        match e.role {
            ReferralRole::Referrer { count } => {
                if let Some(r) = self.referees.get_mut(&e.referee) {
                    let first = r.success.is_none();
                    r.success
                        .get_or_insert_with(|| Success {
                            at: e.at,
                            count,
                            standing: BTreeSet::new(),
                        })
                        .standing
                        .insert(e.order.clone());
                    if first {
                        self.file_success(e.at);
                    }
                }
            }
            ReferralRole::Milestone { count } => {
                self.milestones.insert(count, e.referee.clone());
            }
            _ => {}
        }
    }

    fn reversed(&mut self, e: &ReferralReversed) {
        let taken = e.points.checked_sub(e.forgiven).unwrap_or(Points::ZERO);
        self.points_reversed = self
            .points_reversed
            .checked_add(taken)
            .unwrap_or(Points::MAX);
        if let Some(v) = e
            .voucher_revoked
            .as_ref()
            .and_then(|v| self.vouchers.get_mut(v))
        {
            v.revoked = true;
        }
        let key = (e.referee.clone(), e.order.clone());
        if let Some(rs) = self.rewards.get_mut(&key) {
            rs.retain(|r| r.role != e.role);
            if rs.is_empty() {
                self.rewards.remove(&key);
            }
        }
        match e.role {
            ReferralRole::Referee => {
                if let Some(q) = self
                    .referred
                    .as_mut()
                    .and_then(|r| r.qualifications.get_mut(&Some(e.order.clone())))
                {
                    *q = true;
                }
            }
            ReferralRole::Referrer { .. } => {
                if let Some(r) = self.referees.get_mut(&e.referee)
                    && let Some(s) = &mut r.success
                {
                    s.standing.remove(&Some(e.order.clone()));
                    if s.standing.is_empty() {
                        let at = s.at;
                        r.success = None;
                        r.reversed = true;
                        self.unfile_success(at);
                    }
                }
            }
            ReferralRole::Milestone { count } => {
                self.milestones.remove(&count);
            }
            _ => {}
        }
    }
}
