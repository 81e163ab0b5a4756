//! `loyalty` runs a customer-loyalty program inside an e-commerce backend:
//! a points ledger a merchant can trust with its customers' points, driven
//! by the merchant's rules as data.
//!
//! It is pure. It never reads a clock, a file, the network, the environment
//! or a random source: every command carries its time, the library returns
//! the events that happened, and the host stores them.
//!
//! ```text
//! config (JSON/TOML) ──serde──▶ ProgramConfig ──validate──▶ Program
//! command {.., at}   ──Ledger::decide──▶ Decision { receipt, events }
//! host stores events ──Ledger::apply───▶ state = fold of events
//! restart            ──Ledger::replay──▶ the same ledger (==)
//! ```
//!
//! # The whole flow
//!
//! The reference program: customers earn 1 point per euro spent; from 100
//! points they can redeem them for 10% off their next purchase; points
//! accumulate and never expire.
//!
//! ```
//! use loyalty::{Cart, Enroll, Ledger, Points, Program, Purchase, Redeem, Refund};
//!
//! // The merchant's rules, as stored in its config (JSON, TOML, a row...).
//! let program: Program = serde_json::from_str(r#"{
//!     "name": "Clothing store rewards",
//!     "currency": "EUR",
//!     "earn": {"points": 1, "per": "1.00", "rounding": "floor"},
//!     "rewards": [{"id": "ten-percent-off", "name": "10% off your next order",
//!                  "cost": 100, "kind": "percent_off", "percent": "10"}],
//!     "expiry": {"policy": "never"}
//! }"#)?;
//!
//! let mut ledger = Ledger::new(program.clone());
//! let mut log = Vec::new(); // the host's event store
//! let marta: loyalty::MemberId = "marta".parse()?;
//!
//! // Commands carry their time; each returns a receipt and events.
//! let mut run = |ledger: &mut Ledger, command: loyalty::Command| {
//!     let decision = ledger.execute(command)?;
//!     log.extend(decision.events);
//!     Ok::<_, loyalty::Error>(decision.receipt)
//! };
//! run(&mut ledger, Enroll::new(marta.clone(), "2026-01-05T09:00:00Z".parse()?).into())?;
//! let receipt = run(&mut ledger, Purchase::new(
//!     marta.clone(), "ORD-1001".parse()?, "57.40 EUR".parse()?, "2026-01-12T10:00:00Z".parse()?,
//! ).into())?;
//! assert_eq!(receipt.to_string(), "order ORD-1001 of 57.40 EUR: earned 57 points \
//!     (57 = floor(57.40 EUR × 1 point per 1.00 EUR)), spendable now");
//! run(&mut ledger, Purchase::new(
//!     marta.clone(), "ORD-1002".parse()?, "48.00 EUR".parse()?, "2026-02-20T18:30:00Z".parse()?,
//! ).into())?;
//!
//! // At checkout: what can she have on an 80.00 EUR cart?
//! let cart = Cart::new("80.00 EUR".parse()?);
//! let quote = ledger.quote(&marta, &cart, "2026-03-14T11:00:00Z".parse()?)?;
//! assert_eq!(quote.options[0].to_string(),
//!     "10% off your next order (100 points): 8.00 EUR off — available");
//!
//! // She takes it; the order is placed for 72.00 EUR.
//! run(&mut ledger, Redeem::new(marta.clone(), "RDM-1".parse()?, "ten-percent-off".parse()?,
//!     cart, "2026-03-14T11:00:00Z".parse()?).into())?;
//! run(&mut ledger, Purchase::new(marta.clone(), "ORD-1003".parse()?, "72.00 EUR".parse()?,
//!     "2026-03-14T11:05:00Z".parse()?).with_redemption("RDM-1".parse()?).into())?;
//!
//! // She returns a 24.00 EUR item: a third of the order.
//! let refund = run(&mut ledger, Refund::new(marta.clone(), "ORD-1003".parse()?, "RF-1".parse()?,
//!     "24.00 EUR".parse()?, "2026-03-30T16:00:00Z".parse()?).into())?;
//! assert_eq!(refund.to_string(), "refund RF-1 of 24.00 EUR on order ORD-1003: clawed back \
//!     24 points (24 = floor(72 × 24.00 EUR / 72.00 EUR)); restored 33 points spent on \
//!     redemption RDM-1 (33 = floor(100 × 24.00 EUR / 72.00 EUR))");
//!
//! // 105 − 100 + 72 − 24 + 33 = 86, and three years later they are still there.
//! let later = ledger.balance_at(&marta, "2029-03-30T00:00:00Z".parse()?)?;
//! assert_eq!(later.available, Points::new(86));
//!
//! // After a restart, the stored events rebuild the same ledger.
//! assert_eq!(Ledger::replay(program, &log)?, ledger);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Where things are
//!
//! - **Configuration**: [`ProgramConfig`] (serde) validated into
//!   [`Program`]; errors name the field path ([`ConfigError`]).
//! - **Carts**: [`Cart`] and its [`Line`]s, what purchases and quotes are
//!   about.
//! - **Earning**: [`EarnConfig`] (rates, exclusions, rules, stacking,
//!   limits), [`CampaignConfig`], [`BonusConfig`]; every award explained by
//!   an [`Earning`]; [`Ledger::preview`] at checkout.
//! - **Rewards**: [`RewardConfig`], priced by [`Ledger::quote`] into a
//!   [`Quote`]; [`Program::economics`] before going live.
//! - **Tiers and memberships**: [`TierConfig`] (the ladder, its metric,
//!   window, reviews and benefits) and [`MembershipConfig`] (a tier for a
//!   fee and a term); [`Ledger::tier_status`] for the tier, its perks,
//!   progress and risk; [`JoinMembership`], [`RenewMembership`],
//!   [`CancelMembership`]; [`ReevaluateTiers`] after [`Ledger::set_program`].
//! - **Referrals**: [`ReferralConfig`] (codes, linking, qualification,
//!   rewards, ladder, milestones, upline, limits) validated into
//!   [`Referrals`]; [`ReferralCode`]; [`Enroll::referred_by`],
//!   [`LinkReferral`], [`RecordFingerprints`], [`Invite`],
//!   [`Redeem::with_voucher`]; guards as [`ReferralRefusal`]s;
//!   [`Ledger::referral_figures`] and [`Decision::referral_outcomes`].
//! - **Metrics**: [`metrics`] — the retention formulas, an order history's
//!   cohorts, RFM segments and win-back list, the program's health from a
//!   ledger, and predictive lifetime value (BG/NBD, Gamma-Gamma).
//! - **Testing a program**: `scenario` (feature `scenarios`) — scenario
//!   files in TOML or JSON, a timeline of commands and expectations run
//!   into a report; `testing` (feature `testing`) — proptest strategies
//!   built on a program, given/when/then, and a property run of the
//!   invariants. [`Error::kind`] names each refusal.
//! - **Ledger**: [`Ledger`], its [`Command`]s, [`Event`]s and
//!   [`Receipt`]s; policies [`Expiry`], [`Pending`], [`NegativeBalance`];
//!   reads [`Balance`], [`Statement`], [`ExpiringPoints`];
//!   [`Ledger::state_hash`] to compare replicas; [`Event::upcast`] to read
//!   events stored under an older format.
//! - **Values**: [`Points`], [`Money`], [`Currency`], [`Rounding`], and the
//!   ids [`MemberId`], [`Reference`], [`RewardId`].
//!
//! # Guarantees
//!
//! These hold for every sequence of commands and are checked by property
//! tests:
//!
//! 1. For every member, available + pending = earned − redeemed − expired −
//!    clawed back + adjustments (and transfers).
//! 2. Available points never go below zero through a redemption; only a
//!    refund's clawback can, and only under [`NegativeBalance::Debt`].
//! 3. Replaying the event log reproduces the ledger exactly (`==`).
//! 4. The same external reference never awards, spends or claws back twice.
//! 5. A refund never claws back more than the order earned.
//! 6. Lots are spent soonest-expiring first, ties oldest first; an expired
//!    lot is never spent.
//! 7. No input — configuration, command or event — makes the library panic.
//! 8. An upgrade is never delayed: after every command a member holds at
//!    least the tier their qualifying metric earns.
//! 9. A member's tier depends on their qualifying history (what their
//!    orders, refunds and bonuses add to the metric) and the review dates
//!    alone: redemptions, adjustments, transfers, membership fees and when
//!    the host's ticks run leave it unchanged.
//! 10. A referral pays each side at most once, and refunding the qualifying
//!     order restores every side's balance; every referral code survives
//!     being retyped, and every single-character typo in one is caught.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

mod calendar;
mod cart;
mod earn;
mod economics;
mod error;
mod few;
mod id;
mod ledger;
pub mod metrics;
mod money;
mod points;
mod program;
mod referral;
mod rewards;
mod rounding;
#[cfg(feature = "scenarios")]
#[cfg_attr(docsrs, doc(cfg(feature = "scenarios")))]
pub mod scenario;
mod siphash;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
mod tiers;
mod time_text;
mod wire;

pub use calendar::{DayOfWeek, Period};
pub use cart::{Cart, CartError, CheckedCart, DiscountTarget, Line};
pub use earn::{
    ActionConfig, ActionFrequency, ActionRule, Birthday, BirthdayConfig, BirthdayMode, BonusConfig,
    Bonuses, Campaign, CampaignConfig, CampaignEffect, Cap, EarnConfig, EarnLine, EarnLines,
    EarnLinesIntoIter, EarnRate, EarnRule, EarnRuleConfig, EarnSource, Earning, ExcludeConfig,
    Exclusions, Frequency, ItemRule, Limits, LimitsConfig, PeriodCap, RoundingScope, Stacking,
};
pub use economics::{Economics, RewardEconomics};
pub use error::{ApplyError, Error, ReferenceKind, ReplayError};
pub use few::{Few, FewIntoIter};
pub use id::{
    ActionId, Category, IdProblem, InvalidId, MAX_ID_LEN, MemberId, Name, Reference, RewardId,
    RuleId, Sku, TierId,
};
pub use ledger::policy::{
    Expiry, ExpiryConfig, ExpiryPolicy, MAX_DAYS, NegativeBalance, Pending, PendingConfig,
    RefundConfig, RefundPolicy, Settle,
};
pub use ledger::*;
pub use money::{Currency, Money, MoneyError, UnknownCurrency};
pub use points::{Points, PointsOverflow};
pub use program::{ConfigError, ConfigProblem, ConfigRule, Program, ProgramConfig};
pub use referral::{
    CODE_ALPHABET, CodeProblem, Fingerprint, FingerprintKind, Grant, GrantConfig, InvalidCode,
    LadderStep, LadderStepConfig, MAX_CODE_LEN, MAX_UPLINE, MIN_CODE_LEN, MIN_SECRET_LEN,
    Milestone, MilestoneConfig, Qualify, ReferralCode, ReferralConfig, ReferralRefusal,
    ReferralRole, Referrals, ReferrerReward,
};
pub use rewards::{
    Donation, Quote, Reward, RewardConfig, RewardKind, RewardOption, RewardType, Shortfall,
};
pub use rounding::Rounding;
pub use tiers::{
    Cancellation, Downgrade, Membership, MembershipConfig, Metric, Renewal, Review, Term, Tier,
    TierConfig, TierLevelConfig, Tiers, Window, WindowKind,
};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
