//! The ledger's accounts: held in one `Vec` in the order members enrolled,
//! found through a hashed index, and listed by member id on demand.
//!
//! A command names its member by id, and the ledger finds the account on
//! every command. An ordered map pays a key comparison per step down a tree
//! of a million members, on cold memory; the hashed index finds most
//! members in one probe. A member it cannot place within
//! [`MAX_PROBE`](super::hashed::MAX_PROBE) entries, as ids chosen to
//! collide would be, is held in a small ordered map beside it instead (as a
//! member's orders are, see [`Keyed`](super::keyed::Keyed)), so no choice
//! of ids makes a lookup slower than an ordered map.
//!
//! The order by member id, which [`Accounts::values`] lists, `==` compares
//! and the fingerprint hashes in, is no index kept up on every enrolment:
//! it is sorted when first asked for after one, and kept until the next.
//! An enrolment files the member in the hashed index alone, where it also
//! walked an ordered map of every member's id (a copy of each: with the
//! tree's nodes, 56 bytes a member in the memory benchmark).

use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

use super::hashed::Hashed;
use super::{Account, Ledger};
use crate::{ApplyError, MemberId};

/// How many members [`Accounts::read_ahead`] takes at a time.
pub(crate) const AHEAD: usize = 8;

/// A group of members taken by [`Accounts::read_ahead`], in order, each
/// with where their account is held if they have one (see
/// [`Accounts::at`]); `None` past the last.
pub(crate) type Ahead<'m> = [Option<(&'m MemberId, Option<usize>)>; AHEAD];

/// Every member's account.
#[derive(Clone, Default)]
pub(crate) struct Accounts {
    /// The accounts, in the order the members enrolled.
    slots: Vec<Account>,
    /// Each member's slot, by hash: in place for the first few members,
    /// then in a table at most half full.
    table: Hashed,
    /// The slots of the members the hashed index could not place, by id:
    /// empty but for ids chosen to collide, so that looking a member the
    /// hashed index does not find up here, as an enrolment does, finds an
    /// empty map.
    unplaced: BTreeMap<MemberId, u32>,
    /// Every slot, in member-id order: sorted when first asked for, and
    /// let go by the next enrolment.
    by_id: OnceLock<Box<[u32]>>,
}

impl Accounts {
    /// The number of accounts.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether there are none.
    pub(crate) fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Where `member`'s account is held.
    fn slot(&self, member: &MemberId) -> Option<usize> {
        self.slot_by(member.quick_hash(), member)
    }

    /// Where `member`, whose quick hash is `hash`, has their account.
    fn slot_by(&self, hash: u64, member: &MemberId) -> Option<usize> {
        let found = self.table.find(hash, |slot| {
            self.slots
                .get(slot)
                .is_some_and(|account| account.member() == member)
        });
        found.or_else(|| {
            self.unplaced
                .get(member)
                .and_then(|slot| usize::try_from(*slot).ok())
        })
    }

    /// Takes the next [`AHEAD`] members (fewer at the end) from
    /// `members`, each with where their account is held if they have one
    /// (for [`at`](Accounts::at) and [`get_mut_at`](Accounts::get_mut_at),
    /// which do not look the member up again), found in three
    /// passes over the group: the hashed index's entries of all of them
    /// are read first, then their accounts, then the `parts` of each
    /// account the caller goes on to use (see [`Account::warm`]). On a
    /// ledger too large for the processor's caches each pass misses them
    /// for every member, and one pass's misses are waited for together
    /// rather than one member's after another's.
    pub(crate) fn read_ahead<'m>(
        &self,
        members: &mut impl Iterator<Item = &'m MemberId>,
        parts: impl Fn(&Account),
    ) -> Ahead<'m> {
        let mut group: Ahead<'m> = [None; AHEAD];
        let mut hashes = [0_u64; AHEAD];
        let mut entries = 0_u64;
        // The group's slots come first, so a full group takes no member
        // more from `members`.
        for ((taken, hash), member) in group.iter_mut().zip(hashes.iter_mut()).zip(members) {
            *hash = member.quick_hash();
            entries ^= self.table.first_entry(*hash);
            *taken = Some((member, None));
        }
        std::hint::black_box(entries);
        for (taken, hash) in group.iter_mut().zip(hashes) {
            if let Some((member, slot)) = taken {
                *slot = self.slot_by(hash, member);
            }
        }
        let found = group.iter().flatten().filter_map(|(_, slot)| *slot);
        for account in found.filter_map(|slot| self.slots.get(slot)) {
            parts(account);
        }
        group
    }

    /// The account held at `slot`, as [`read_ahead`](Accounts::read_ahead)
    /// gave it.
    pub(crate) fn at(&self, slot: usize) -> Option<&Account> {
        self.slots.get(slot)
    }

    /// Where `member`'s account is held: at `hint` when the account there
    /// is `member`'s (as [`read_ahead`](Accounts::read_ahead) or an
    /// earlier lookup gave it), looked up otherwise. Checking a hint
    /// compares one id; a lookup hashes it and reads the index. Kept out
    /// of line, whole: the compiler otherwise split it among its callers
    /// as unrelated code changed, each split a few dozen instructions a
    /// command.
    #[inline(never)]
    pub(crate) fn find(&self, hint: Option<usize>, member: &MemberId) -> Option<usize> {
        hint.filter(|slot| {
            self.slots
                .get(*slot)
                .is_some_and(|account| account.member() == member)
        })
        .or_else(|| self.slot(member))
    }

    /// `member`'s account, to change, found as [`find`](Accounts::find)
    /// finds it.
    pub(crate) fn get_mut_at(
        &mut self,
        slot: Option<usize>,
        member: &MemberId,
    ) -> Option<&mut Account> {
        self.find(slot, member)
            .and_then(|slot| self.slots.get_mut(slot))
    }

    /// `member`'s account.
    pub(crate) fn get(&self, member: &MemberId) -> Option<&Account> {
        self.slot(member).and_then(|slot| self.slots.get(slot))
    }

    /// `member`'s account, to change.
    pub(crate) fn get_mut(&mut self, member: &MemberId) -> Option<&mut Account> {
        self.slot(member).and_then(|slot| self.slots.get_mut(slot))
    }

    /// Adds the account of a member who has none. Refused, changing
    /// nothing, when the member has one or the ledger holds
    /// [`Ledger::MAX_MEMBERS`].
    pub(crate) fn insert(&mut self, member: MemberId, account: Account) -> Result<(), ApplyError> {
        let hash = member.quick_hash();
        if self.slot_by(hash, &member).is_some() {
            return Err(ApplyError::AlreadyEnrolled { member });
        }
        let slot = match u32::try_from(self.slots.len()) {
            Ok(slot) if u64::from(slot) < Ledger::MAX_MEMBERS => slot,
            _ => {
                return Err(ApplyError::TooManyMembers {
                    member,
                    limit: Ledger::MAX_MEMBERS,
                });
            }
        };
        if self.table.is_half_full(self.slots.len()) {
            // To 64 entries at first, then doubled; the members the table
            // held filed again (from its tags, or every member from their
            // ids), those it cannot place held beside it.
            let slots = &self.slots;
            let hashes = slots.iter().map(|a| a.member().quick_hash());
            let mut unplaced = BTreeMap::new();
            let regrown = self.table.grow(64, hashes, |slot| {
                if let Some(account) = usize::try_from(slot).ok().and_then(|i| slots.get(i)) {
                    unplaced.insert(account.member().clone(), slot);
                }
            });
            self.table
                .settle_beside(regrown, &mut self.unplaced, unplaced, MemberId::quick_hash);
        }
        if !self.table.place(hash, slot) {
            self.unplaced.insert(member, slot);
        }
        self.slots.push(account);
        self.by_id.take();
        Ok(())
    }

    /// Every slot in member-id order, sorted now unless it was since the
    /// last enrolment. The ids are copied out to be sorted side by side
    /// (an id held in place is 24 bytes), rather than compared through
    /// their accounts, which on a large ledger each lie on a cache line
    /// of their own.
    fn by_id(&self) -> &[u32] {
        self.by_id.get_or_init(|| {
            let mut ids: Vec<(MemberId, u32)> = self
                .slots
                .iter()
                .zip(0_u32..)
                .map(|(account, slot)| (account.member().clone(), slot))
                .collect();
            ids.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
            ids.into_iter().map(|(_, slot)| slot).collect()
        })
    }

    /// The members, by id.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &MemberId> {
        self.values().map(Account::member)
    }

    /// The accounts, by member id.
    pub(crate) fn values(&self) -> impl Iterator<Item = &Account> {
        self.by_id()
            .iter()
            .filter_map(|slot| usize::try_from(*slot).ok())
            .filter_map(|slot| self.slots.get(slot))
    }
}

/// Accounts are equal when the same members hold equal accounts; the order
/// they enrolled in and the hashed index do not count.
impl PartialEq for Accounts {
    fn eq(&self, other: &Accounts) -> bool {
        self.len() == other.len() && self.values().eq(other.values())
    }
}

impl Eq for Accounts {}

/// As a map from member id to account hashes: the ledger's fingerprint
/// does not depend on how accounts are held.
impl Hash for Accounts {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        for account in self.values() {
            account.member().hash(state);
            account.hash(state);
        }
    }
}

impl fmt::Debug for Accounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.values().map(|account| (account.member(), account)))
            .finish()
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Enroll, Program};

    fn enrolled(n: usize) -> Result<(Ledger, Vec<MemberId>), Box<dyn std::error::Error>> {
        let program: Program = serde_json::from_str(r#"{"currency": "EUR"}"#)?;
        let mut ledger = Ledger::new(program);
        let at = "2026-01-12T10:00:00Z".parse()?;
        let mut members = Vec::new();
        for i in 0..n {
            let member: MemberId = format!("member-{i}").parse()?;
            ledger.execute(Enroll::new(member.clone(), at))?;
            members.push(member);
        }
        Ok((ledger, members))
    }

    fn all_found(accounts: &Accounts, members: &[MemberId]) -> bool {
        members
            .iter()
            .all(|m| accounts.get(m).is_some_and(|account| account.member() == m))
    }

    proptest::proptest! {
        /// The accounts behave as the ordered map they replaced: every
        /// enrolled member is found, no other is, a second enrolment is
        /// refused, and they list by member id after every enrolment;
        /// through the growth of the hashed index and whatever ids collide
        /// in it.
        #[test]
        fn accounts_behave_as_an_ordered_map(
            ids in proptest::collection::vec("[a-d]{1,3}|[a-d]{20,26}", 1..150),
            strangers in proptest::collection::vec("[a-e]{1,4}", 0..20),
        ) {
            let program: crate::Program = serde_json::from_str(r#"{"currency": "EUR"}"#)
                .map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            let at = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
            let mut ledger = Ledger::new(program);
            let mut model = std::collections::BTreeSet::new();
            for id in &ids {
                let member: MemberId = id.parse()
                    .map_err(|_| proptest::test_runner::TestCaseError::reject("not an id"))?;
                let event = crate::MemberEnrolled {
                    member: member.clone(),
                    at,
                    birth_date: None,
                    fingerprints: Vec::new(),
                };
                let fresh = model.insert(member.clone());
                let result = ledger.accounts.insert(member.clone(), Account::new(&event));
                proptest::prop_assert_eq!(result.is_ok(), fresh);
                // Listed by id after every enrolment: the order sorted for
                // the listing before it is not kept past it.
                proptest::prop_assert!(ledger.accounts.keys().eq(model.iter()));
            }
            proptest::prop_assert_eq!(ledger.accounts.len(), model.len());
            for member in &model {
                proptest::prop_assert!(ledger.accounts.get(member).is_some_and(|a| a.member() == member));
            }
            for id in &strangers {
                let member: MemberId = id.parse()
                    .map_err(|_| proptest::test_runner::TestCaseError::reject("not an id"))?;
                proptest::prop_assert_eq!(ledger.accounts.get(&member).is_some(), model.contains(&member));
            }
            proptest::prop_assert!(ledger.accounts.keys().eq(model.iter()));
            proptest::prop_assert!(ledger.accounts.values().map(Account::member).eq(model.iter()));
        }
    }

    #[test]
    fn reading_ahead_takes_members_a_group_at_a_time_with_their_accounts()
    -> Result<(), Box<dyn std::error::Error>> {
        // Members and strangers interleaved, more than two groups' worth.
        let (ledger, members) = enrolled(30)?;
        let strangers: Vec<MemberId> = (0..7)
            .map(|i| format!("stranger-{i}").parse())
            .collect::<Result<_, _>>()?;
        let asked: Vec<&MemberId> = members
            .iter()
            .take(12)
            .chain(&strangers)
            .chain(members.iter().skip(12))
            .collect();
        let mut rest = asked.iter().copied();
        let mut taken = Vec::new();
        let mut groups = 0;
        let warmed = std::cell::Cell::new(0);
        loop {
            let group = ledger
                .accounts
                .read_ahead(&mut rest, |_| warmed.set(warmed.get() + 1));
            if group.iter().all(Option::is_none) {
                break;
            }
            groups += 1;
            // A group is full but for the last, and filled from the front.
            let len = group.iter().take_while(|taken| taken.is_some()).count();
            assert!(group.iter().skip(len).all(Option::is_none));
            assert!(len == AHEAD || taken.len() + len == asked.len());
            for (member, slot) in group.into_iter().flatten() {
                let account = slot.and_then(|slot| ledger.accounts.at(slot));
                assert_eq!(
                    account.map(Account::member),
                    ledger.accounts.get(member).map(Account::member)
                );
                assert_eq!(account.is_some(), !strangers.contains(member));
                taken.push(member);
            }
        }
        assert_eq!(taken, asked);
        assert_eq!(groups, asked.len().div_ceil(AHEAD));
        // The parts of every account found, and no more, were read.
        assert_eq!(warmed.get(), members.len());
        Ok(())
    }

    #[test]
    fn a_hint_is_taken_only_when_it_holds_the_member() -> Result<(), Box<dyn std::error::Error>> {
        let (ledger, members) = enrolled(40)?;
        let stranger: MemberId = "stranger".parse()?;
        for member in &members {
            let slot = ledger.accounts.slot(member);
            assert!(slot.is_some());
            // No hint, the right one, another member's, one past the end:
            // the member's own slot each time, and none for a stranger.
            for hint in [None, slot, Some(0), Some(members.len()), Some(usize::MAX)] {
                assert_eq!(ledger.accounts.find(hint, member), slot);
                assert_eq!(ledger.accounts.find(hint, &stranger), None);
            }
        }
        let mut accounts = ledger.accounts.clone();
        let last = members.last().ok_or("no members")?;
        let changed = accounts
            .get_mut_at(Some(0), last)
            .map(|a| a.member().clone());
        assert_eq!(changed.as_ref(), Some(last));
        Ok(())
    }

    #[test]
    fn members_the_hashed_index_cannot_place_are_found_beside_it()
    -> Result<(), Box<dyn std::error::Error>> {
        let (ledger, members) = enrolled(300)?;
        let mut accounts = ledger.accounts.clone();
        assert!(all_found(&accounts, &members));
        let stranger: MemberId = "stranger".parse()?;
        assert!(accounts.get(&stranger).is_none());

        // Every entry taken by another slot under every tag, as ids chosen
        // to collide would leave it, and every member filed beside the
        // table: each lookup probes its limit, then asks the map beside it.
        let spread = |i: usize| (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        accounts.unplaced = members
            .iter()
            .map(|m| {
                Ok((
                    m.clone(),
                    u32::try_from(accounts.slot(m).ok_or("enrolled")?)?,
                ))
            })
            .collect::<Result<_, Box<dyn std::error::Error>>>()?;
        accounts.table.set_entries(|i| Some((spread(i), 0)));
        assert!(all_found(&accounts, &members));
        assert!(accounts.get(&stranger).is_none());

        // An empty hashed index: the map beside it finds everyone.
        accounts.table.set_entries(|_| None);
        assert!(all_found(&accounts, &members));
        // Unless it holds no one: then the hashed index alone is asked.
        accounts.unplaced.clear();
        assert!(members.iter().all(|m| accounts.get(m).is_none()));
        Ok(())
    }

    #[test]
    fn members_that_collide_are_held_beside_the_hashed_index_and_found()
    -> Result<(), Box<dyn std::error::Error>> {
        // Twenty-four ids whose hashes start the same probe sequence in a
        // table of 64 entries: sixteen fit it, the last eight are held
        // beside it, found there, and refused a second enrolment.
        let crowd: Vec<MemberId> = (0..)
            .map(|i| format!("crowd-{i}").parse::<MemberId>())
            .filter(|id| id.as_ref().is_ok_and(|id| id.quick_hash() >> 58 == 0))
            .take(24)
            .collect::<Result<_, _>>()?;
        let program: Program = serde_json::from_str(r#"{"currency": "EUR"}"#)?;
        let mut ledger = Ledger::new(program);
        let at = "2026-01-12T10:00:00Z".parse()?;
        for member in &crowd {
            ledger.execute(Enroll::new(member.clone(), at))?;
        }
        let beside: Vec<&MemberId> = ledger.accounts.unplaced.keys().collect();
        let mut last_eight: Vec<&MemberId> =
            crowd.iter().skip(super::super::hashed::MAX_PROBE).collect();
        last_eight.sort();
        assert_eq!(beside, last_eight);
        assert!(all_found(&ledger.accounts, &crowd));
        let mut accounts = ledger.accounts.clone();
        for member in &crowd {
            let event = crate::MemberEnrolled {
                member: member.clone(),
                at,
                birth_date: None,
                fingerprints: Vec::new(),
            };
            assert_eq!(
                accounts.insert(member.clone(), Account::new(&event)),
                Err(ApplyError::AlreadyEnrolled {
                    member: member.clone()
                })
            );
        }
        assert_eq!(accounts.len(), crowd.len());
        let stranger: MemberId = "stranger".parse()?;
        assert!(ledger.accounts.get(&stranger).is_none());
        // More members double the table, which files again, from its
        // tags, the members it held, then those beside it where it has
        // room now: each member is found in the table or beside it,
        // never both.
        let others: Vec<MemberId> = (0..40)
            .map(|i| format!("other-{i}").parse())
            .collect::<Result<_, _>>()?;
        for member in &others {
            ledger.execute(Enroll::new(member.clone(), at))?;
        }
        let accounts = &ledger.accounts;
        assert!(matches!(&accounts.table, Hashed::Narrow(t) if t.len() == 128));
        assert!(all_found(accounts, &crowd) && all_found(accounts, &others));
        for member in crowd.iter().chain(&others) {
            let mut held = accounts.table.candidates(member.quick_hash());
            let in_table = held.any(|slot| accounts.slots[slot].member() == member);
            assert_ne!(in_table, accounts.unplaced.contains_key(member), "{member}");
        }
        Ok(())
    }

    #[test]
    fn accounts_compare_and_list_by_member_id_whatever_order_they_enrolled_in()
    -> Result<(), Box<dyn std::error::Error>> {
        let (ledger, members) = enrolled(70)?;
        let program = ledger.program().clone();
        let at = "2026-01-12T10:00:00Z".parse()?;
        let mut reversed = Ledger::new(program);
        for member in members.iter().rev() {
            reversed.execute(Enroll::new(member.clone(), at))?;
        }
        assert_eq!(reversed.accounts, ledger.accounts);
        assert_eq!(reversed.state_hash(), ledger.state_hash());
        let listed: Vec<&MemberId> = ledger.accounts.keys().collect();
        let mut sorted = listed.clone();
        sorted.sort();
        assert_eq!(listed, sorted);
        assert!(ledger.accounts.values().map(Account::member).eq(sorted));
        Ok(())
    }
}
