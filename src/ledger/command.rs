//! Commands: what the host asks the ledger to do, each with its time.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    ActionId, Cart, Fingerprint, MemberId, Points, Reference, ReferralCode, RewardId, RuleId,
};

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
/// queue them. The tag is written first, and a command read with it first
/// is read straight from its text; keys in any other order read the same,
/// buffered first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    /// Report a custom action (a review, a survey, ...).
    Action(Action),
    /// Let time pass for every member.
    Tick(Tick),
    /// Buy a paid membership.
    JoinMembership(JoinMembership),
    /// Renew a paid membership for another term.
    RenewMembership(RenewMembership),
    /// Cancel a paid membership.
    CancelMembership(CancelMembership),
    /// Re-evaluate every member's tier under the program's current ladder.
    ReevaluateTiers(ReevaluateTiers),
    /// Link a member to the referrer whose code they bring, after
    /// enrolling.
    LinkReferral(LinkReferral),
    /// Issue a member's referral code.
    IssueReferralCode(IssueReferralCode),
    /// Record identity fingerprints for a member.
    RecordFingerprints(RecordFingerprints),
    /// Record that a member invited someone.
    Invite(Invite),
}

/// Read as serde's derive for `#[serde(tag = "command")]` reads, in any
/// key order, with the same errors; when `command` is the first key, as
/// this crate writes it, the rest is read straight from the input instead
/// of being buffered first.
impl<'de> Deserialize<'de> for Command {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Command, D::Error> {
        crate::wire::tagged(deserializer)
    }
}

impl crate::wire::Tagged for Command {
    const TAG: &'static str = "command";
    const EXPECTING: &'static str = "a command";

    fn variant<'de, D: serde::Deserializer<'de>>(
        name: &str,
        fields: D,
    ) -> Result<Command, D::Error> {
        // Each variant is written in snake case.
        crate::wire::variant_by_name!(Command, name, fields;
            "enroll" => Enroll,
            "purchase" => Purchase,
            "confirm" => Confirm,
            "redeem" => Redeem,
            "cancel_redemption" => CancelRedemption,
            "refund" => Refund,
            "adjust" => Adjust,
            "transfer" => Transfer,
            "action" => Action,
            "tick" => Tick,
            "join_membership" => JoinMembership,
            "renew_membership" => RenewMembership,
            "cancel_membership" => CancelMembership,
            "reevaluate_tiers" => ReevaluateTiers,
            "link_referral" => LinkReferral,
            "issue_referral_code" => IssueReferralCode,
            "record_fingerprints" => RecordFingerprints,
            "invite" => Invite,
        )
    }
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
            Command::Action(c) => c.at,
            Command::Tick(c) => c.at,
            Command::JoinMembership(c) => c.at,
            Command::RenewMembership(c) => c.at,
            Command::CancelMembership(c) => c.at,
            Command::ReevaluateTiers(c) => c.at,
            Command::LinkReferral(c) => c.at,
            Command::IssueReferralCode(c) => c.at,
            Command::RecordFingerprints(c) => c.at,
            Command::Invite(c) => c.at,
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

impl Command {
    /// Moves the command to `at`: generated sequences are built first and
    /// spread over time after.
    #[cfg(feature = "testing")]
    pub(crate) fn set_at(&mut self, at: DateTime<Utc>) {
        match self {
            Command::Enroll(c) => c.at = at,
            Command::Purchase(c) => c.at = at,
            Command::Confirm(c) => c.at = at,
            Command::Redeem(c) => c.at = at,
            Command::CancelRedemption(c) => c.at = at,
            Command::Refund(c) => c.at = at,
            Command::Adjust(c) => c.at = at,
            Command::Transfer(c) => c.at = at,
            Command::Action(c) => c.at = at,
            Command::Tick(c) => c.at = at,
            Command::JoinMembership(c) => c.at = at,
            Command::RenewMembership(c) => c.at = at,
            Command::CancelMembership(c) => c.at = at,
            Command::ReevaluateTiers(c) => c.at = at,
            Command::LinkReferral(c) => c.at = at,
            Command::IssueReferralCode(c) => c.at = at,
            Command::RecordFingerprints(c) => c.at = at,
            Command::Invite(c) => c.at = at,
        }
    }

    /// The member the command is about: for a transfer the sender; none
    /// for a tick or a re-evaluation, which concern every member.
    pub fn member(&self) -> Option<&MemberId> {
        match self {
            Command::Enroll(c) => Some(&c.member),
            Command::Purchase(c) => Some(&c.member),
            Command::Confirm(c) => Some(&c.member),
            Command::Redeem(c) => Some(&c.member),
            Command::CancelRedemption(c) => Some(&c.member),
            Command::Refund(c) => Some(&c.member),
            Command::Adjust(c) => Some(&c.member),
            Command::Transfer(c) => Some(&c.from),
            Command::Action(c) => Some(&c.member),
            Command::JoinMembership(c) => Some(&c.member),
            Command::RenewMembership(c) => Some(&c.member),
            Command::CancelMembership(c) => Some(&c.member),
            Command::LinkReferral(c) => Some(&c.member),
            Command::IssueReferralCode(c) => Some(&c.member),
            Command::RecordFingerprints(c) => Some(&c.member),
            Command::Invite(c) => Some(&c.member),
            Command::Tick(_) | Command::ReevaluateTiers(_) => None,
        }
    }
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
    Action,
    Tick,
    JoinMembership,
    RenewMembership,
    CancelMembership,
    ReevaluateTiers,
    LinkReferral,
    IssueReferralCode,
    RecordFingerprints,
    Invite
);

/// Enrol a member, with their birth date when the program celebrates
/// birthdays, and under a referral program the code of whoever referred
/// them. Enrolling the same member again returns the original receipt and
/// changes nothing.
///
/// Under a program with [referrals](crate::ReferralConfig) every new member
/// gets a referral code: derived from their id and the program's secret, or
/// the one the host chooses with [`with_code`](Enroll::with_code). A
/// referral code that does not link (unknown, expired, shared identity, ...)
/// refuses the whole enrolment with
/// [`Error::ReferralRefused`](crate::Error::ReferralRefused), so the host
/// can ask the customer again; nothing is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Enroll {
    /// The member.
    pub member: MemberId,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// The member's birth date.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time_text::date"
    )]
    pub birth_date: Option<NaiveDate>,
    /// The code of the member who referred them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referred_by: Option<ReferralCode>,
    /// The member's own referral code, chosen by the host (otherwise
    /// derived).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ReferralCode>,
    /// Identity fingerprints (hashes of email, payment instrument, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fingerprints: Vec<Fingerprint>,
}

impl Enroll {
    /// Enrol `member` at `at`.
    pub fn new(member: MemberId, at: DateTime<Utc>) -> Enroll {
        Enroll {
            member,
            at,
            birth_date: None,
            referred_by: None,
            code: None,
            fingerprints: Vec::new(),
        }
    }

    /// The member joins with `code`, a referrer's referral code.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::{Enroll, Error, Ledger, Program, ReferralCode, ReferralRefusal};
    ///
    /// let program: Program = serde_json::from_str(r#"{
    ///     "currency": "EUR",
    ///     "referrals": {"secret": "a long random string", "referee": {"points": 50},
    ///                   "referrer": {"points": 100}}
    /// }"#)?;
    /// let mut ledger = Ledger::new(program);
    /// let at = "2026-03-02T10:00:00Z".parse()?;
    /// ledger.execute(Enroll::new("marta".parse()?, at).with_code(ReferralCode::with_check("MARTA")?))?;
    ///
    /// // A code nobody has refuses the enrolment; nothing is recorded.
    /// let wrong = Enroll::new("ana".parse()?, at).referred_by(ReferralCode::with_check("MARTE")?);
    /// assert!(matches!(ledger.execute(wrong),
    ///     Err(Error::ReferralRefused { reason: ReferralRefusal::UnknownCode { .. }, .. })));
    ///
    /// let joined = ledger.execute(Enroll::new("ana".parse()?, at).referred_by("martat".parse()?))?;
    /// assert_eq!(joined.receipt.to_string().split(';').next(),
    ///     Some("ana enrolled on 2026-03-02 10:00 UTC, referred by marta"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn referred_by(mut self, code: ReferralCode) -> Enroll {
        self.referred_by = Some(code);
        self
    }

    /// Gives the member `code` as their own referral code instead of a
    /// derived one.
    pub fn with_code(mut self, code: ReferralCode) -> Enroll {
        self.code = Some(code);
        self
    }

    /// Records an identity fingerprint with the enrolment.
    pub fn with_fingerprint(mut self, fingerprint: Fingerprint) -> Enroll {
        self.fingerprints.push(fingerprint);
        self
    }

    /// Sets the member's birth date.
    pub fn born(mut self, birth_date: NaiveDate) -> Enroll {
        self.birth_date = Some(birth_date);
        self
    }
}

/// Record a purchase: the order earns points, available or pending per the
/// program.
///
/// `amount` is what the customer paid (money and gift cards), after any
/// discount paid with points. Link the redemptions whose discounts the order
/// used with [`with_redemption`](Purchase::with_redemption): the points they
/// paid never earn points, and refunding the order gives them back. Attach
/// the order's detail with [`with_cart`](Purchase::with_cart) so category
/// rules, exclusions and campaigns can apply; its total less the linked
/// discounts must then equal `amount`. Without a cart the whole amount is
/// eligible.
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
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// Redemptions whose discounts this order used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redemptions: Vec<Reference>,
    /// The order's lines and portions. Boxed: most purchases come
    /// without one, and a command without it moves as 112 bytes instead
    /// of 224.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart: Option<Box<Cart>>,
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
            cart: None,
        }
    }

    /// Attaches the order's lines and portions.
    pub fn with_cart(mut self, cart: Cart) -> Purchase {
        self.cart = Some(Box::new(cart));
        self
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
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
}

impl Confirm {
    /// Confirm `order` of `member` at `at`.
    pub fn new(member: MemberId, order: Reference, at: DateTime<Utc>) -> Confirm {
        Confirm { member, order, at }
    }
}

/// Redeem a reward against a cart: spends the points, returns the discount.
///
/// A points-as-cash reward takes the points chosen with
/// [`points`](Redeem::points); other rewards cost what the catalogue says.
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
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
    /// For points-as-cash: the points to spend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Points>,
    /// A referral voucher for this reward, which pays instead of points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher: Option<Reference>,
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
            points: None,
            voucher: None,
        }
    }

    /// Pays with a referral voucher (see
    /// [`ReferralRewarded::voucher`](crate::ReferralRewarded::voucher))
    /// instead of points: the reward costs no points, its other conditions
    /// still apply.
    pub fn with_voucher(mut self, voucher: Reference) -> Redeem {
        self.voucher = Some(voucher);
        self
    }

    /// Chooses the points a points-as-cash reward spends.
    pub fn points(mut self, points: Points) -> Redeem {
        self.points = Some(points);
        self
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
    #[serde(with = "crate::time_text::utc")]
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
    #[serde(with = "crate::time_text::utc")]
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
    #[serde(with = "crate::time_text::utc")]
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
    #[serde(with = "crate::time_text::utc")]
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

/// Report a custom action the program rewards (a review written, a survey
/// completed, a newsletter sign-up, a social share), under the host's
/// reference. The program's frequency limit decides whether it counts.
///
/// # Example
///
/// ```
/// use loyalty::{Action, Enroll, Error, Ledger, Points, Program};
///
/// let program: Program = serde_json::from_str(r#"{"currency": "EUR", "bonuses": {"actions": [
///     {"id": "review", "name": "Write a review", "points": 25, "limit": {"count": 1, "per": "day"}}]}}"#)?;
/// let mut ledger = Ledger::new(program);
/// let marta: loyalty::MemberId = "marta".parse()?;
/// ledger.execute(Enroll::new(marta.clone(), "2026-01-05T09:00:00Z".parse()?))?;
///
/// let review = |reference: &str, at: &str| -> Result<Action, Box<dyn std::error::Error>> {
///     Ok(Action::new(marta.clone(), "review".parse()?, reference.parse()?, at.parse()?))
/// };
/// ledger.execute(review("REV-1", "2026-01-10T09:00:00Z")?)?;
/// // A second review the same day does not count.
/// let second = ledger.execute(review("REV-2", "2026-01-10T18:00:00Z")?);
/// assert!(matches!(second, Err(Error::ActionLimitReached { .. })));
/// assert_eq!(ledger.balance(&marta)?.available, Points::new(25));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Action {
    /// The member.
    pub member: MemberId,
    /// The action, as the program names it.
    pub action: ActionId,
    /// The host's reference (the review's id, the survey answer's id).
    pub reference: Reference,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
}

impl Action {
    /// `member` did `action` at `at`.
    pub fn new(
        member: MemberId,
        action: ActionId,
        reference: Reference,
        at: DateTime<Utc>,
    ) -> Action {
        Action {
            member,
            action,
            reference,
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
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
}

impl Tick {
    /// Time has reached `at`.
    pub fn new(at: DateTime<Utc>) -> Tick {
        Tick { at }
    }
}

/// Buy a paid membership: it grants its tier (and the tier's benefits) from
/// `at` for one term, regardless of spend. The host charges the fee; the
/// reference is the payment's. A member holds one membership at a time.
///
/// # Example
///
/// ```
/// use loyalty::{Enroll, JoinMembership, Ledger, Program};
///
/// let program: Program = toml::from_str(r#"
///     currency = "EUR"
///     [[tiers.levels]]
///     id = "gold"
///     threshold = "1000"
///     multiplier = "1.5"
///     [[memberships]]
///     id = "plus"
///     tier = "gold"
///     fee = "49.00"
///     term_months = 12
/// "#)?;
/// let mut ledger = Ledger::new(program);
/// let at = "2026-02-01T09:00:00Z".parse()?;
/// ledger.execute(Enroll::new("ana".parse()?, at))?;
/// let joined = ledger.execute(JoinMembership::new("ana".parse()?, "plus".parse()?, "PAY-1".parse()?, at))?;
/// assert_eq!(joined.receipt.to_string(), "membership plus started: gold until 2027-02-01 09:00 UTC for 49.00 EUR");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct JoinMembership {
    /// The member.
    pub member: MemberId,
    /// The membership, as the program names it.
    pub membership: RuleId,
    /// The host's reference for the payment.
    pub reference: Reference,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
}

impl JoinMembership {
    /// `member` buys `membership` at `at`, paid under `reference`.
    pub fn new(
        member: MemberId,
        membership: RuleId,
        reference: Reference,
        at: DateTime<Utc>,
    ) -> JoinMembership {
        JoinMembership {
            member,
            membership,
            reference,
            at,
        }
    }
}

/// Renew the member's active membership for another term, from the end of
/// the current one. The host charges the fee; the reference is the
/// payment's. Memberships with `renewal = "automatic"` renew by themselves
/// at term end.
///
/// # Example
///
/// ```
/// use loyalty::{Enroll, JoinMembership, Ledger, Program, RenewMembership};
///
/// let program: Program = toml::from_str(r#"
///     currency = "EUR"
///     [[tiers.levels]]
///     id = "gold"
///     threshold = "1000"
///     [[memberships]]
///     id = "plus"
///     tier = "gold"
///     fee = "49.00"
///     term_months = 12
/// "#)?;
/// let mut ledger = Ledger::new(program);
/// let ana: loyalty::MemberId = "ana".parse()?;
/// ledger.execute(Enroll::new(ana.clone(), "2026-02-01T09:00:00Z".parse()?))?;
/// ledger.execute(JoinMembership::new(ana.clone(), "plus".parse()?, "PAY-1".parse()?,
///     "2026-02-01T09:00:00Z".parse()?))?;
/// // Renewed a month early: the new term runs from the end of the first.
/// let renewed = ledger.execute(RenewMembership::new(ana, "PAY-2".parse()?,
///     "2027-01-01T09:00:00Z".parse()?))?;
/// assert_eq!(renewed.receipt.to_string(),
///     "membership plus renewed until 2028-02-01 09:00 UTC for 49.00 EUR");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RenewMembership {
    /// The member.
    pub member: MemberId,
    /// The host's reference for the payment.
    pub reference: Reference,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
}

impl RenewMembership {
    /// `member` renews at `at`, paid under `reference`.
    pub fn new(member: MemberId, reference: Reference, at: DateTime<Utc>) -> RenewMembership {
        RenewMembership {
            member,
            reference,
            at,
        }
    }
}

/// Cancel the member's active membership at once. With
/// `cancellation = "pro_rata"` the receipt names the part of the current
/// term's fee the host refunds; points the fee earned go back in the same
/// proportion.
///
/// # Example
///
/// ```
/// use loyalty::{CancelMembership, Enroll, JoinMembership, Ledger, Program};
///
/// let program: Program = toml::from_str(r#"
///     currency = "EUR"
///     [[tiers.levels]]
///     id = "silver"
///     threshold = "500"
///     [[memberships]]
///     id = "monthly"
///     tier = "silver"
///     fee = "9.99"
///     term_days = 30
///     cancellation = "pro_rata"
/// "#)?;
/// let mut ledger = Ledger::new(program);
/// let ana: loyalty::MemberId = "ana".parse()?;
/// ledger.execute(Enroll::new(ana.clone(), "2026-02-01T09:00:00Z".parse()?))?;
/// ledger.execute(JoinMembership::new(ana.clone(), "monthly".parse()?, "PAY-1".parse()?,
///     "2026-02-01T09:00:00Z".parse()?))?;
/// // Ten days in: two thirds of the fee back, rounded down to the cent.
/// let cancelled = ledger.execute(CancelMembership::new(ana, "CXL-1".parse()?,
///     "2026-02-11T09:00:00Z".parse()?))?;
/// assert_eq!(cancelled.receipt.to_string(), "membership monthly cancelled, 6.66 EUR refunded");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CancelMembership {
    /// The member.
    pub member: MemberId,
    /// The host's reference for the cancellation.
    pub reference: Reference,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
}

impl CancelMembership {
    /// `member` cancels at `at`, under `reference`.
    pub fn new(member: MemberId, reference: Reference, at: DateTime<Utc>) -> CancelMembership {
        CancelMembership {
            member,
            reference,
            at,
        }
    }
}

/// Re-evaluate every member's tier under the program's current ladder, after
/// [`Ledger::set_program`](crate::Ledger::set_program) changed it: members
/// whose qualifying metric now earns a higher tier are upgraded at once;
/// members whose tier left the ladder move to the tier their metric earns.
/// Nobody is downgraded before their review. Members with events after `at`
/// are left out. Deterministic: the same ledger and `at` give the same
/// events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ReevaluateTiers {
    /// The time now.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
}

impl ReevaluateTiers {
    /// Re-evaluate at `at`.
    pub fn new(at: DateTime<Utc>) -> ReevaluateTiers {
        ReevaluateTiers { at }
    }
}

/// Link a member to the referrer whose code they bring, after enrolling:
/// within the program's `link_within_days` of enrolment and before their
/// first order. Linking the same code again returns the first receipt.
///
/// # Example
///
/// ```
/// use loyalty::{Enroll, Ledger, LinkReferral, Program};
///
/// let program: Program = serde_json::from_str(r#"{
///     "currency": "EUR",
///     "referrals": {"secret": "a long random string", "link_within_days": 14,
///                   "qualify": "enrolment", "referee": {"points": 50}, "referrer": {"points": 100}}
/// }"#)?;
/// let mut ledger = Ledger::new(program);
/// let at = "2026-03-02T10:00:00Z".parse()?;
/// ledger.execute(Enroll::new("marta".parse()?, at))?;
/// ledger.execute(Enroll::new("ana".parse()?, at))?;
/// let code = ledger.referral_code(&"marta".parse()?).cloned().expect("issued at enrolment");
///
/// let linked = ledger.execute(LinkReferral::new("ana".parse()?, code, "2026-03-05T09:00:00Z".parse()?))?;
/// assert_eq!(linked.referral_outcomes().count(), 2); // both sides rewarded
/// assert_eq!(ledger.balance(&"marta".parse()?)?.available.value(), 100);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LinkReferral {
    /// The new member (the referee).
    pub member: MemberId,
    /// The referrer's code.
    pub code: ReferralCode,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
}

impl LinkReferral {
    /// `member` brings `code` at `at`.
    pub fn new(member: MemberId, code: ReferralCode, at: DateTime<Utc>) -> LinkReferral {
        LinkReferral { member, code, at }
    }
}

/// Issue a member's referral code: for members who enrolled before the
/// program had referrals. Derived from the member's id and the program's
/// secret unless the host gives one. A member keeps their code: issuing
/// again returns the first receipt.
///
/// # Example
///
/// ```
/// use loyalty::{Enroll, IssueReferralCode, Ledger, Program};
///
/// let before: Program = serde_json::from_str(r#"{"currency": "EUR"}"#)?;
/// let mut ledger = Ledger::new(before);
/// let at = "2026-03-02T10:00:00Z".parse()?;
/// let log = ledger.execute(Enroll::new("marta".parse()?, at))?.events;
///
/// // The program gains referrals; Marta enrolled before them.
/// let after: Program = serde_json::from_str(
///     r#"{"currency": "EUR", "referrals": {"secret": "a long random string", "referrer": {"points": 100}}}"#)?;
/// let mut ledger = Ledger::replay(after, &log)?;
/// assert!(ledger.referral_code(&"marta".parse()?).is_none());
/// ledger.execute(IssueReferralCode::new("marta".parse()?, at))?;
/// assert!(ledger.referral_code(&"marta".parse()?).is_some());
/// assert!(ledger.execute(IssueReferralCode::new("marta".parse()?, at))?.duplicate);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct IssueReferralCode {
    /// The member.
    pub member: MemberId,
    /// The host's choice of code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ReferralCode>,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
}

impl IssueReferralCode {
    /// Issues `member` a derived code at `at`.
    pub fn new(member: MemberId, at: DateTime<Utc>) -> IssueReferralCode {
        IssueReferralCode {
            member,
            code: None,
            at,
        }
    }

    /// Issues `code` instead of a derived one.
    pub fn code(mut self, code: ReferralCode) -> IssueReferralCode {
        self.code = Some(code);
        self
    }
}

/// Record identity fingerprints for a member (a payment instrument seen at
/// checkout, a device): the referral guards compare them between referrer
/// and referee. Fingerprints already recorded are left out; recording only
/// known ones changes nothing.
///
/// # Example
///
/// ```
/// use loyalty::{Enroll, Fingerprint, FingerprintKind, Ledger, Program, RecordFingerprints};
///
/// let mut ledger = Ledger::new(serde_json::from_str::<Program>(r#"{"currency": "EUR"}"#)?);
/// let at = "2026-03-02T10:00:00Z".parse()?;
/// ledger.execute(Enroll::new("ana".parse()?, at))?;
/// let card = Fingerprint::new(FingerprintKind::Payment, "tok_4242")?;
/// let first = ledger.execute(RecordFingerprints::new("ana".parse()?, vec![card.clone()], at))?;
/// assert_eq!(first.receipt.to_string(), "1 new fingerprints recorded for ana");
/// assert!(ledger.execute(RecordFingerprints::new("ana".parse()?, vec![card], at))?.duplicate);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RecordFingerprints {
    /// The member.
    pub member: MemberId,
    /// The fingerprints.
    pub fingerprints: Vec<Fingerprint>,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
}

impl RecordFingerprints {
    /// Records `fingerprints` for `member` at `at`.
    pub fn new(
        member: MemberId,
        fingerprints: Vec<Fingerprint>,
        at: DateTime<Utc>,
    ) -> RecordFingerprints {
        RecordFingerprints {
            member,
            fingerprints,
            at,
        }
    }
}

/// Record that a member invited someone (the host sent an invitation with
/// the member's code), for the referrer's figures. Exactly once per
/// invitation reference.
///
/// # Example
///
/// ```
/// use loyalty::{Enroll, Invite, Ledger, Program};
///
/// let program: Program = serde_json::from_str(
///     r#"{"currency": "EUR", "referrals": {"secret": "a long random string", "referrer": {"points": 100}}}"#)?;
/// let mut ledger = Ledger::new(program);
/// let at = "2026-03-02T10:00:00Z".parse()?;
/// ledger.execute(Enroll::new("marta".parse()?, at))?;
/// ledger.execute(Invite::new("marta".parse()?, "INV-1".parse()?, at))?;
/// ledger.execute(Invite::new("marta".parse()?, "INV-1".parse()?, at))?; // a retry
/// assert_eq!(ledger.referral_figures(&"marta".parse()?)?.invited, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Invite {
    /// The referrer.
    pub member: MemberId,
    /// The host's invitation reference.
    pub invitation: Reference,
    /// When.
    #[serde(with = "crate::time_text::utc")]
    pub at: DateTime<Utc>,
}

impl Invite {
    /// `member` sent `invitation` at `at`.
    pub fn new(member: MemberId, invitation: Reference, at: DateTime<Utc>) -> Invite {
        Invite {
            member,
            invitation,
            at,
        }
    }
}
