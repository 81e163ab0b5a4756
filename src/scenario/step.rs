//! A scenario's steps: one command or quote each, and what to expect.

use std::fmt;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::{
    Action, Adjust, CancelMembership, CancelRedemption, Cart, Command, Confirm, Enroll, Invite,
    IssueReferralCode, JoinMembership, LinkReferral, MemberId, Money, Points, Purchase,
    RecordFingerprints, Redeem, ReevaluateTiers, Refund, RenewMembership, RewardId, Tick, Transfer,
};

/// One step of a scenario's timeline: a command, a quote, or only
/// expectations, with an optional name that replaces the step's label in
/// the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub(super) name: Option<String>,
    pub(super) action: Option<StepAction>,
    pub(super) expect: Option<Expect>,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum StepAction {
    Command(Command),
    Quote(QuoteRequest),
}

impl Step {
    /// The step's command, if it runs one.
    pub fn command(&self) -> Option<&Command> {
        match &self.action {
            Some(StepAction::Command(command)) => Some(command),
            _ => None,
        }
    }

    /// What the step expects.
    pub fn expect(&self) -> Option<&Expect> {
        self.expect.as_ref()
    }

    /// How the report names the step: its `name`, or a summary of its
    /// command (`refund ORD-3 20.00 EUR`), quote (`quote marta 80.00 EUR`)
    /// or expectation (`expect marta`).
    pub fn label(&self) -> String {
        if let Some(name) = &self.name {
            return name.clone();
        }
        match &self.action {
            Some(StepAction::Command(command)) => command_label(command),
            Some(StepAction::Quote(quote)) => match quote.cart.total() {
                Ok(total) => format!("quote {} {total}", quote.member),
                Err(_) => format!("quote {}", quote.member),
            },
            None => match self.expect.as_ref().and_then(|e| e.member.as_ref()) {
                Some(member) => format!("expect {member}"),
                None => "expect".to_owned(),
            },
        }
    }
}

/// A short summary of a command for a report line.
pub(crate) fn command_label(command: &Command) -> String {
    match command {
        Command::Enroll(c) => format!("enroll {}", c.member),
        Command::Purchase(c) => format!("purchase {} {}", c.order, c.amount),
        Command::Confirm(c) => format!("confirm {}", c.order),
        Command::Redeem(c) => format!("redeem {} {}", c.redemption, c.reward),
        Command::CancelRedemption(c) => format!("cancel_redemption {}", c.redemption),
        Command::Refund(c) => format!("refund {} {}", c.order, c.amount),
        Command::Adjust(c) => format!("adjust {} {:+}", c.adjustment, c.points.value()),
        Command::Transfer(c) => format!("transfer {} {} {}→{}", c.transfer, c.points, c.from, c.to),
        Command::Action(c) => format!("action {} {}", c.action, c.reference),
        Command::Tick(c) => format!("tick {}", c.at.format("%Y-%m-%d %H:%M")),
        Command::JoinMembership(c) => format!("join_membership {} {}", c.membership, c.reference),
        Command::RenewMembership(c) => format!("renew_membership {}", c.reference),
        Command::CancelMembership(c) => format!("cancel_membership {}", c.reference),
        Command::ReevaluateTiers(_) => "reevaluate_tiers".to_owned(),
        Command::LinkReferral(c) => format!("link_referral {} {}", c.member, c.code),
        Command::IssueReferralCode(c) => format!("issue_referral_code {}", c.member),
        Command::RecordFingerprints(c) => format!("record_fingerprints {}", c.member),
        Command::Invite(c) => format!("invite {}", c.invitation),
    }
}

/// A quote step: which rewards a member can have on a cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct QuoteRequest {
    pub(super) member: MemberId,
    pub(super) at: DateTime<Utc>,
    pub(super) cart: Cart,
}

/// A quote step as written: a cart, or an amount for a cart of one line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuote {
    member: MemberId,
    #[serde(with = "crate::time_text::utc")]
    at: DateTime<Utc>,
    #[serde(default)]
    cart: Option<Cart>,
    #[serde(default)]
    amount: Option<Money>,
}

impl TryFrom<RawQuote> for QuoteRequest {
    type Error = String;

    fn try_from(raw: RawQuote) -> Result<QuoteRequest, String> {
        let cart = match (raw.cart, raw.amount) {
            (Some(cart), None) => cart,
            (None, Some(amount)) => Cart::new(amount),
            (Some(_), Some(_)) => {
                return Err("a quote takes a cart or an amount, not both".to_owned());
            }
            (None, None) => return Err("a quote needs a cart or an amount".to_owned()),
        };
        Ok(QuoteRequest {
            member: raw.member,
            at: raw.at,
            cart,
        })
    }
}

/// What a step expects: of its command's outcome (receipt, points,
/// events, error), of its quote (rewards), and of the ledger after it
/// (balance, tier, the program's health).
///
/// Every field is optional; only the ones given are checked. In a scenario
/// file they are the keys of a step's `expect` table; in Rust, build one
/// with [`Expect::new`] and its setters and hand it to the testing kit's
/// `then`.
///
/// # Example
///
/// ```
/// use loyalty::Points;
/// use loyalty::scenario::Expect;
///
/// let expect = Expect::new().available(Points::new(57)).events(["PurchaseRecorded"]);
/// assert_eq!(expect.to_string(), "events [PurchaseRecorded], available 57");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Expect {
    /// Whose balance and tier to read; by default the step's member (for a
    /// transfer, the sender).
    #[serde(default)]
    pub member: Option<MemberId>,
    /// Read the balance and tier as of this time (pending points settle and
    /// lots expire up to it) instead of as of the member's last event.
    #[serde(default, with = "crate::time_text::maybe_utc")]
    pub at: Option<DateTime<Utc>>,
    /// The command is refused with this kind of error
    /// ([`Error::kind`](crate::Error::kind), `insufficient_points`).
    #[serde(default)]
    pub error: Option<String>,
    /// The refusal's message contains this text.
    #[serde(default)]
    pub error_message: Option<String>,
    /// The receipt reads exactly this.
    #[serde(default)]
    pub receipt: Option<String>,
    /// The receipt's text contains this (an explanation such as
    /// `57 = floor(57.40 EUR × 1 point per 1.00 EUR)`).
    #[serde(default)]
    pub explanation: Option<String>,
    /// The receipt's points: earned by a purchase, an action or a sign-up;
    /// settled by a confirmation; spent by a redemption; restored by a
    /// cancellation; clawed back by a refund; moved by an adjustment or a
    /// transfer; earned by a membership's fee.
    #[serde(default)]
    pub points: Option<Points>,
    /// The types of the events the command emitted, in order
    /// (`["PurchaseRecorded", "TierChanged"]`).
    #[serde(default)]
    pub events: Option<Vec<String>>,
    /// The rewards a quote offers as available, in the quote's order.
    #[serde(default)]
    pub rewards: Option<Vec<RewardId>>,
    /// A quote's options, each as it reads
    /// (`10% off your next order (100 points): 8.00 EUR off — available`).
    #[serde(default)]
    pub options: Option<Vec<String>>,
    /// Spendable points.
    #[serde(default)]
    pub available: Option<Points>,
    /// Points earned and not yet spendable.
    #[serde(default)]
    pub pending: Option<Points>,
    /// The tier whose benefits apply, or `none` for no tier.
    #[serde(default)]
    pub tier: Option<String>,
    /// The program's health over a period
    /// ([`program_health`](crate::metrics::program_health)).
    #[serde(default)]
    pub health: Option<Health>,
}

impl Expect {
    /// Expects nothing yet.
    pub fn new() -> Expect {
        Expect::default()
    }

    /// Reads the balance and tier of `member`.
    pub fn member(mut self, member: MemberId) -> Expect {
        self.member = Some(member);
        self
    }

    /// Reads the balance and tier as of `at`.
    pub fn at(mut self, at: DateTime<Utc>) -> Expect {
        self.at = Some(at);
        self
    }

    /// The command is refused with an error of this kind.
    pub fn error(mut self, kind: impl Into<String>) -> Expect {
        self.error = Some(kind.into());
        self
    }

    /// The refusal's message contains `text`.
    pub fn error_message(mut self, text: impl Into<String>) -> Expect {
        self.error_message = Some(text.into());
        self
    }

    /// The receipt reads exactly `text`.
    pub fn receipt(mut self, text: impl Into<String>) -> Expect {
        self.receipt = Some(text.into());
        self
    }

    /// The receipt's text contains `text`.
    pub fn explanation(mut self, text: impl Into<String>) -> Expect {
        self.explanation = Some(text.into());
        self
    }

    /// The receipt's points.
    pub fn points(mut self, points: Points) -> Expect {
        self.points = Some(points);
        self
    }

    /// The types of the events emitted, in order.
    pub fn events<S: Into<String>>(mut self, kinds: impl IntoIterator<Item = S>) -> Expect {
        self.events = Some(kinds.into_iter().map(Into::into).collect());
        self
    }

    /// The rewards a quote offers as available.
    pub fn rewards(mut self, rewards: impl IntoIterator<Item = RewardId>) -> Expect {
        self.rewards = Some(rewards.into_iter().collect());
        self
    }

    /// A quote's options, each as it reads.
    pub fn options<S: Into<String>>(mut self, options: impl IntoIterator<Item = S>) -> Expect {
        self.options = Some(options.into_iter().map(Into::into).collect());
        self
    }

    /// Spendable points.
    pub fn available(mut self, points: Points) -> Expect {
        self.available = Some(points);
        self
    }

    /// Pending points.
    pub fn pending(mut self, points: Points) -> Expect {
        self.pending = Some(points);
        self
    }

    /// The tier whose benefits apply; `none` for no tier.
    pub fn tier(mut self, tier: impl Into<String>) -> Expect {
        self.tier = Some(tier.into());
        self
    }

    /// The program's health over a period.
    pub fn health(mut self, health: Health) -> Expect {
        self.health = Some(health);
        self
    }

    /// Whether anything is expected of a command's outcome (its receipt,
    /// points, events or error).
    pub(super) fn of_outcome(&self) -> bool {
        self.error.is_some()
            || self.error_message.is_some()
            || self.receipt.is_some()
            || self.explanation.is_some()
            || self.points.is_some()
            || self.events.is_some()
    }

    /// Whether anything is expected of a quote.
    pub(super) fn of_quote(&self) -> bool {
        self.rewards.is_some() || self.options.is_some()
    }

    /// Whether anything is expected of a member's account.
    pub(super) fn of_member(&self) -> bool {
        self.available.is_some() || self.pending.is_some() || self.tier.is_some()
    }
}

impl fmt::Display for Expect {
    /// The expectations given, as a list (`available 57, tier gold`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(member) = &self.member {
            parts.push(format!("member {member}"));
        }
        if let Some(at) = &self.at {
            parts.push(format!("at {}", at.format("%Y-%m-%dT%H:%M:%SZ")));
        }
        if let Some(kind) = &self.error {
            parts.push(format!("error {kind}"));
        }
        if let Some(text) = &self.error_message {
            parts.push(format!("error message containing {text:?}"));
        }
        if let Some(text) = &self.receipt {
            parts.push(format!("receipt {text:?}"));
        }
        if let Some(text) = &self.explanation {
            parts.push(format!("explanation {text:?}"));
        }
        if let Some(points) = self.points {
            parts.push(format!("points {points}"));
        }
        if let Some(kinds) = &self.events {
            parts.push(format!("events [{}]", kinds.join(", ")));
        }
        if let Some(rewards) = &self.rewards {
            let ids: Vec<String> = rewards.iter().map(ToString::to_string).collect();
            parts.push(format!("rewards [{}]", ids.join(", ")));
        }
        if let Some(options) = &self.options {
            parts.push(format!("{} quote options", options.len()));
        }
        if let Some(points) = self.available {
            parts.push(format!("available {points}"));
        }
        if let Some(points) = self.pending {
            parts.push(format!("pending {points}"));
        }
        if let Some(tier) = &self.tier {
            parts.push(format!("tier {tier}"));
        }
        if let Some(health) = &self.health {
            parts.push(format!(
                "health from {} to {}",
                health.from.format("%Y-%m-%d"),
                health.to.format("%Y-%m-%d")
            ));
        }
        f.write_str(&parts.join(", "))
    }
}

/// The program's health over a period, as
/// [`program_health`](crate::metrics::program_health) reports it: points
/// issued, redeemed, expired, clawed back and adjusted in the period, what
/// is pending, outstanding and owed at its end, members, and the
/// redemption and breakage rates in percent.
///
/// A rate is compared at the precision it is written with: `33.33` matches
/// 33.3333…% (rounded half away from zero).
///
/// # Example
///
/// ```
/// use loyalty::Points;
/// use loyalty::scenario::{Expect, Health};
/// use rust_decimal::Decimal;
///
/// let quarter = Health::between("2026-01-01T00:00:00Z".parse()?, "2026-04-01T00:00:00Z".parse()?)
///     .issued(Points::new(300))
///     .redemption_rate(Decimal::new(3333, 2));
/// let expect = Expect::new().health(quarter);
/// assert_eq!(expect.to_string(), "health from 2026-01-01 to 2026-04-01");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Health {
    /// The period's start.
    #[serde(with = "crate::time_text::utc")]
    pub from: DateTime<Utc>,
    /// The period's end (exclusive).
    #[serde(with = "crate::time_text::utc")]
    pub to: DateTime<Utc>,
    /// Points issued in the period.
    #[serde(default)]
    pub issued: Option<Points>,
    /// Points redeemed in the period.
    #[serde(default)]
    pub redeemed: Option<Points>,
    /// Points expired in the period.
    #[serde(default)]
    pub expired: Option<Points>,
    /// Points clawed back in the period.
    #[serde(default)]
    pub clawed_back: Option<Points>,
    /// Manual adjustments in the period.
    #[serde(default)]
    pub adjusted: Option<Points>,
    /// Points pending at the period's end.
    #[serde(default)]
    pub pending: Option<Points>,
    /// Points spendable at the period's end.
    #[serde(default)]
    pub outstanding: Option<Points>,
    /// Points owed at the period's end.
    #[serde(default)]
    pub debt: Option<Points>,
    /// Members enrolled by the period's end.
    #[serde(default)]
    pub members: Option<u64>,
    /// Members with activity in the period.
    #[serde(default)]
    pub active_members: Option<u64>,
    /// Redeemed as a percentage of issued.
    #[serde(default)]
    pub redemption_rate: Option<Decimal>,
    /// Expired as a percentage of issued.
    #[serde(default)]
    pub breakage_rate: Option<Decimal>,
}

impl Health {
    /// Expects nothing yet of the period from `from` to `to`.
    pub fn between(from: DateTime<Utc>, to: DateTime<Utc>) -> Health {
        Health {
            from,
            to,
            issued: None,
            redeemed: None,
            expired: None,
            clawed_back: None,
            adjusted: None,
            pending: None,
            outstanding: None,
            debt: None,
            members: None,
            active_members: None,
            redemption_rate: None,
            breakage_rate: None,
        }
    }

    /// Points issued in the period.
    pub fn issued(mut self, points: Points) -> Health {
        self.issued = Some(points);
        self
    }

    /// Points redeemed in the period.
    pub fn redeemed(mut self, points: Points) -> Health {
        self.redeemed = Some(points);
        self
    }

    /// Points expired in the period.
    pub fn expired(mut self, points: Points) -> Health {
        self.expired = Some(points);
        self
    }

    /// Points spendable at the period's end.
    pub fn outstanding(mut self, points: Points) -> Health {
        self.outstanding = Some(points);
        self
    }

    /// Members with activity in the period.
    pub fn active_members(mut self, count: u64) -> Health {
        self.active_members = Some(count);
        self
    }

    /// Redeemed as a percentage of issued, at the precision given.
    pub fn redemption_rate(mut self, percent: Decimal) -> Health {
        self.redemption_rate = Some(percent);
        self
    }

    /// Expired as a percentage of issued, at the precision given.
    pub fn breakage_rate(mut self, percent: Decimal) -> Health {
        self.breakage_rate = Some(percent);
        self
    }
}

/// The step as written: every command a key, at most one of them given.
macro_rules! raw_step {
    ($($key:ident => $command:ident),* $(,)?) => {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        pub(super) struct RawStep {
            #[serde(default)]
            name: Option<String>,
            #[serde(default)]
            expect: Option<Expect>,
            #[serde(default)]
            quote: Option<RawQuote>,
            $(
                #[serde(default)]
                $key: Option<$command>,
            )*
        }

        impl RawStep {
            /// The commands given, with their keys.
            fn commands(&mut self) -> Vec<(&'static str, Command)> {
                let mut given = Vec::new();
                $(
                    if let Some(command) = self.$key.take() {
                        given.push((stringify!($key), Command::from(command)));
                    }
                )*
                given
            }
        }
    };
}

raw_step!(
    enroll => Enroll,
    purchase => Purchase,
    confirm => Confirm,
    redeem => Redeem,
    cancel_redemption => CancelRedemption,
    refund => Refund,
    adjust => Adjust,
    transfer => Transfer,
    action => Action,
    tick => Tick,
    join_membership => JoinMembership,
    renew_membership => RenewMembership,
    cancel_membership => CancelMembership,
    reevaluate_tiers => ReevaluateTiers,
    link_referral => LinkReferral,
    issue_referral_code => IssueReferralCode,
    record_fingerprints => RecordFingerprints,
    invite => Invite,
);

impl TryFrom<RawStep> for Step {
    type Error = String;

    /// One command or quote at most; expectations that fit what the step
    /// does.
    fn try_from(mut raw: RawStep) -> Result<Step, String> {
        let mut commands = raw.commands();
        let quote = raw.quote.take();
        let action = match (commands.len(), quote) {
            (0, None) => None,
            (0, Some(quote)) => Some(StepAction::Quote(QuoteRequest::try_from(quote)?)),
            (1, None) => commands.pop().map(|(_, c)| StepAction::Command(c)),
            (_, quote) => {
                let mut keys: Vec<&str> = commands.iter().map(|(key, _)| *key).collect();
                if quote.is_some() {
                    keys.push("quote");
                }
                return Err(format!(
                    "a step runs one command or quote, this one has {}",
                    keys.join(" and ")
                ));
            }
        };
        if let Some(expect) = &raw.expect {
            check_fits(expect, action.as_ref())?;
        } else if action.is_none() {
            return Err(
                "a step needs a command (enroll, purchase, refund, ...), a quote or an expect"
                    .to_owned(),
            );
        }
        Ok(Step {
            name: raw.name,
            action,
            expect: raw.expect,
        })
    }
}

/// Refuses expectations that cannot apply to what the step does.
fn check_fits(expect: &Expect, action: Option<&StepAction>) -> Result<(), String> {
    match action {
        Some(StepAction::Command(command)) => {
            if expect.of_quote() {
                return Err("rewards and options are expected of a quote step".to_owned());
            }
            if expect.of_member() && expect.member.is_none() && command.member().is_none() {
                return Err(format!(
                    "{} has no member: name whose balance or tier to check with `member`",
                    command_label(command)
                ));
            }
        }
        Some(StepAction::Quote(_)) => {
            if expect.of_outcome() && expect.error.is_none() && expect.error_message.is_none() {
                return Err(
                    "a quote has no receipt, points or events: expect rewards or options"
                        .to_owned(),
                );
            }
        }
        None => {
            if expect.of_outcome() || expect.of_quote() {
                return Err(
                    "receipt, points, events, error, rewards and options are expected of a \
                     step's command or quote; this step has none"
                        .to_owned(),
                );
            }
            if expect.of_member() && expect.member.is_none() {
                return Err("name whose balance or tier to check with `member`".to_owned());
            }
        }
    }
    Ok(())
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Step, D::Error> {
        let raw = RawStep::deserialize(deserializer)?;
        Step::try_from(raw).map_err(serde::de::Error::custom)
    }
}
