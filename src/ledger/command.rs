//! Commands: what the host asks the ledger to do, each with its time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Cart, MemberId, Points, Reference, RewardId};

/// Something the host asks the ledger to do.
///
/// Every command carries its time (`at`); commands from the outside world
/// also carry the host's reference, which makes them exactly-once. Build
/// them with their constructors and pass them to
/// [`Ledger::execute`](crate::Ledger::execute) or
/// [`Ledger::decide`](crate::Ledger::decide), which accept each command type
/// directly.
///
/// Commands serialize as JSON objects tagged by `"command"`, for hosts that
/// queue them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Command {
    /// Enrol a member.
    Enroll(Enroll),
    /// Record a purchase.
    Purchase(Purchase),
    /// Confirm an order.
    Confirm(Confirm),
    /// Redeem a reward.
    Redeem(Redeem),
    /// Cancel a redemption.
    CancelRedemption(CancelRedemption),
    /// Refund an order, fully or partly.
    Refund(Refund),
    /// Credit or debit points by hand.
    Adjust(Adjust),
    /// Move points between members.
    Transfer(Transfer),
    /// Let time pass for every member.
    Tick(Tick),
}

impl Command {
    /// The time the command happens at.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Command::Enroll(c) => c.at,
            Command::Purchase(c) => c.at,
            Command::Confirm(c) => c.at,
            Command::Redeem(c) => c.at,
            Command::CancelRedemption(c) => c.at,
            Command::Refund(c) => c.at,
            Command::Adjust(c) => c.at,
            Command::Transfer(c) => c.at,
            Command::Tick(c) => c.at,
        }
    }
}

macro_rules! into_command {
    ($($name:ident),*) => {
        $(impl From<$name> for Command {
            fn from(command: $name) -> Self {
                Command::$name(command)
            }
        })*
    };
}

into_command!(
    Enroll,
    Purchase,
    Confirm,
    Redeem,
    CancelRedemption,
    Refund,
    Adjust,
    Transfer,
    Tick
);

/// Enrol a member. Enrolling the same member again returns the original
/// receipt and changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Enroll {
    /// The member.
    pub member: MemberId,
    /// When.
    pub at: DateTime<Utc>,
}

impl Enroll {
    /// Enrol `member` at `at`.
    pub fn new(member: MemberId, at: DateTime<Utc>) -> Enroll {
        Enroll { member, at }
    }
}

/// Record a purchase: the order earns points, available or pending per the
/// program.
///
/// `amount` is what the customer paid, after any reward discount. Link the
/// redemptions whose discounts the order used with
/// [`with_redemption`](Purchase::with_redemption), so that refunding the
/// order gives back the points spent on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Purchase {
    /// The member.
    pub member: MemberId,
    /// The host's order reference.
    pub order: Reference,
    /// The amount paid.
    pub amount: crate::Money,
    /// When.
    pub at: DateTime<Utc>,
    /// Redemptions whose discounts this order used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redemptions: Vec<Reference>,
}

impl Purchase {
    /// `member` paid `amount` for `order` at `at`.
    pub fn new(
        member: MemberId,
        order: Reference,
        amount: crate::Money,
        at: DateTime<Utc>,
    ) -> Purchase {
        Purchase {
            member,
            order,
            amount,
            at,
            redemptions: Vec::new(),
        }
    }

    /// Links a redemption whose discount this order used.
    pub fn with_redemption(mut self, redemption: Reference) -> Purchase {
        self.redemptions.push(redemption);
        self
    }
}

/// Confirm an order: its pending points become spendable (early, under a
/// pending period in days). Confirming twice returns the first receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Confirm {
    /// The member.
    pub member: MemberId,
    /// The order.
    pub order: Reference,
    /// When.
    pub at: DateTime<Utc>,
}

impl Confirm {
    /// Confirm `order` of `member` at `at`.
    pub fn new(member: MemberId, order: Reference, at: DateTime<Utc>) -> Confirm {
        Confirm { member, order, at }
    }
}

/// Redeem a reward against a cart: spends the points, returns the discount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Redeem {
    /// The member.
    pub member: MemberId,
    /// The host's redemption reference.
    pub redemption: Reference,
    /// The reward.
    pub reward: RewardId,
    /// The cart it applies to.
    pub cart: Cart,
    /// When.
    pub at: DateTime<Utc>,
}

impl Redeem {
    /// `member` redeems `reward` on `cart` at `at`, under the host's
    /// `redemption` reference.
    pub fn new(
        member: MemberId,
        redemption: Reference,
        reward: RewardId,
        cart: Cart,
        at: DateTime<Utc>,
    ) -> Redeem {
        Redeem {
            member,
            redemption,
            reward,
            cart,
            at,
        }
    }
}

/// Cancel a redemption that no order used (an abandoned checkout): its
/// points return to their original lots, with those lots' expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CancelRedemption {
    /// The member.
    pub member: MemberId,
    /// The redemption.
    pub redemption: Reference,
    /// When.
    pub at: DateTime<Utc>,
}

impl CancelRedemption {
    /// Cancel `redemption` of `member` at `at`.
    pub fn new(member: MemberId, redemption: Reference, at: DateTime<Utc>) -> CancelRedemption {
        CancelRedemption {
            member,
            redemption,
            at,
        }
    }
}

/// Refund an order, fully or partly.
///
/// Claws back the points the order earned in proportion to the amount
/// refunded (never more in total than it earned), and gives back the points
/// spent on the order's discounts in the same proportion. A free order
/// (paid entirely with a reward) is refunded whole with an amount of zero,
/// which gives back all the points spent on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Refund {
    /// The member.
    pub member: MemberId,
    /// The order.
    pub order: Reference,
    /// The host's refund reference.
    pub refund: Reference,
    /// The amount refunded by this refund.
    pub amount: crate::Money,
    /// When.
    pub at: DateTime<Utc>,
}

impl Refund {
    /// Refund `amount` of `order`, under the host's `refund` reference.
    pub fn new(
        member: MemberId,
        order: Reference,
        refund: Reference,
        amount: crate::Money,
        at: DateTime<Utc>,
    ) -> Refund {
        Refund {
            member,
            order,
            refund,
            amount,
            at,
        }
    }
}

/// Credit or debit points by hand, with a reason.
///
/// A credit makes a lot that expires like earned points; a debit draws from
/// lots like a redemption and cannot take more than is available.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Adjust {
    /// The member.
    pub member: MemberId,
    /// The host's adjustment reference.
    pub adjustment: Reference,
    /// The change: positive credits, negative debits.
    pub points: Points,
    /// Why (1 to 500 characters), for the statement and the audit trail.
    pub reason: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl Adjust {
    /// Change `member`'s points by `points`: positive credits, negative
    /// debits.
    pub fn new(
        member: MemberId,
        adjustment: Reference,
        points: Points,
        reason: impl Into<String>,
        at: DateTime<Utc>,
    ) -> Adjust {
        Adjust {
            member,
            adjustment,
            points,
            reason: reason.into(),
            at,
        }
    }

    /// Credit `points` to `member`.
    pub fn credit(
        member: MemberId,
        adjustment: Reference,
        points: Points,
        reason: impl Into<String>,
        at: DateTime<Utc>,
    ) -> Adjust {
        Adjust::new(member, adjustment, points, reason, at)
    }

    /// Debit `points` from `member` (give a positive number).
    pub fn debit(
        member: MemberId,
        adjustment: Reference,
        points: Points,
        reason: impl Into<String>,
        at: DateTime<Utc>,
    ) -> Adjust {
        let debit = Points::new(points.value().saturating_neg());
        Adjust::new(member, adjustment, debit, reason, at)
    }
}

/// Move points from one member to another; they keep their lots' expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Transfer {
    /// The sender.
    pub from: MemberId,
    /// The receiver.
    pub to: MemberId,
    /// The host's transfer reference.
    pub transfer: Reference,
    /// The points to move.
    pub points: Points,
    /// When.
    pub at: DateTime<Utc>,
}

impl Transfer {
    /// Move `points` from `from` to `to` at `at`.
    pub fn new(
        from: MemberId,
        to: MemberId,
        transfer: Reference,
        points: Points,
        at: DateTime<Utc>,
    ) -> Transfer {
        Transfer {
            from,
            to,
            transfer,
            points,
            at,
        }
    }
}

/// Let time pass: settle due pending points and expire due lots for every
/// member, up to `at`. Run it from a periodic job; it touches only members
/// with something due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Tick {
    /// The time now.
    pub at: DateTime<Utc>,
}

impl Tick {
    /// Time has reached `at`.
    pub fn new(at: DateTime<Utc>) -> Tick {
        Tick { at }
    }
}
