//! The ledger's policies: expiry, pending period, refunds; and what
//! falls due under them.

use chrono::FixedOffset;
use serde::{Deserialize, Serialize};

use crate::Rounding;
use crate::calendar::Period;
use crate::earn::Birthday;
use crate::program::{ConfigRule, Problems};

/// The longest period, in days, any setting accepts (100 years).
pub const MAX_DAYS: u32 = 36_500;

/// The `[expiry]` section of a [`ProgramConfig`](crate::ProgramConfig).
///
/// ```toml
/// [expiry]
/// policy = "after_earning"   # or "never" (the default), "after_inactivity"
/// days = 365
/// extend_to = "month"        # optional, after_earning only: "day", "week", "month", "year"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ExpiryConfig {
    /// Which rule applies.
    #[serde(default)]
    pub policy: ExpiryPolicy,
    /// The number of days of the rule; required by `after_earning` and
    /// `after_inactivity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// `after_earning` only: push the expiry to the end of that day, month
    /// or year in the program's UTC offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extend_to: Option<Period>,
}

/// The name of an expiry rule in configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExpiryPolicy {
    /// Points never expire.
    #[default]
    Never,
    /// Each lot expires `days` after it was earned.
    AfterEarning,
    /// All points expire after `days` without activity.
    AfterInactivity,
}

/// When points expire: the validated expiry rule of a
/// [`Program`](crate::Program).
///
/// A lot is spendable while the time is before its expiry instant and
/// expired from that instant on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expiry {
    /// Points never expire (the seed program).
    Never,
    /// Each lot expires `days` days after it was earned (or credited),
    /// optionally pushed to the end of that day, month or year.
    AfterEarning {
        /// Days after earning.
        days: u32,
        /// The period whose end the expiry is pushed to.
        extend_to: Option<Period>,
    },
    /// Every available point expires after `days` days without activity.
    ///
    /// Activity is enrolling, a purchase, a redemption or its cancellation,
    /// points becoming spendable (settled, credited, restored) and
    /// transfers in either direction. Expiry and clawbacks are not activity.
    AfterInactivity {
        /// Days without activity.
        days: u32,
    },
}

impl ExpiryConfig {
    pub(crate) fn validate(&self, problems: &mut Problems) -> Option<Expiry> {
        let max = i64::from(MAX_DAYS);
        match self.policy {
            ExpiryPolicy::Never => {
                let days = problems.unused("expiry.days", &self.days, "policy = \"never\"");
                let extend =
                    problems.unused("expiry.extend_to", &self.extend_to, "policy = \"never\"");
                (days && extend).then_some(Expiry::Never)
            }
            ExpiryPolicy::AfterEarning => {
                let when = "policy = \"after_earning\"";
                let days = problems
                    .required("expiry.days", self.days, when)
                    .filter(|d| problems.range("expiry.days", i64::from(*d), 1, max))?;
                Some(Expiry::AfterEarning {
                    days,
                    extend_to: self.extend_to,
                })
            }
            ExpiryPolicy::AfterInactivity => {
                let when = "policy = \"after_inactivity\"";
                let extend = problems.unused("expiry.extend_to", &self.extend_to, when);
                let days = problems
                    .required("expiry.days", self.days, when)
                    .filter(|d| problems.range("expiry.days", i64::from(*d), 1, max))?;
                extend.then_some(Expiry::AfterInactivity { days })
            }
        }
    }
}

/// The `[pending]` section of a [`ProgramConfig`](crate::ProgramConfig):
/// when earned points become spendable.
///
/// ```toml
/// [pending]
/// settle = "after_days"      # or "on_confirmation"
/// days = 14                  # after_days only; 0 (the default) = at once
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PendingConfig {
    /// What makes pending points spendable.
    #[serde(default)]
    pub settle: Settle,
    /// `after_days`: the days points stay pending (the return window).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
}

/// The name of a settlement rule in configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Settle {
    /// After a number of days (0 = at once).
    #[default]
    AfterDays,
    /// When the host confirms the order.
    OnConfirmation,
}

/// When earned points become spendable: the validated pending rule of a
/// [`Program`](crate::Program).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Pending {
    /// Spendable this many days after the purchase; 0 means at once.
    /// Confirming the order settles them early.
    AfterDays(u32),
    /// Spendable when the host confirms the order.
    OnConfirmation,
}

impl PendingConfig {
    pub(crate) fn validate(
        &self,
        expiry: Option<Expiry>,
        problems: &mut Problems,
    ) -> Option<Pending> {
        match self.settle {
            Settle::AfterDays => {
                let days = self.days.unwrap_or(0);
                if !problems.range("pending.days", i64::from(days), 0, i64::from(MAX_DAYS)) {
                    return None;
                }
                let limit = match expiry {
                    Some(Expiry::AfterEarning { days, .. }) => Some(days),
                    Some(Expiry::AfterInactivity { days }) => Some(days),
                    _ => None,
                };
                if let Some(limit) = limit
                    && days >= limit
                {
                    problems.push(
                        "pending.days",
                        ConfigRule::NotBelow {
                            value: i64::from(days),
                            other: "expiry.days".to_owned(),
                            limit: i64::from(limit),
                        },
                    );
                    return None;
                }
                Some(Pending::AfterDays(days))
            }
            Settle::OnConfirmation => problems
                .unused("pending.days", &self.days, "settle = \"on_confirmation\"")
                .then_some(Pending::OnConfirmation),
        }
    }
}

/// The `[refunds]` section of a [`ProgramConfig`](crate::ProgramConfig).
///
/// ```toml
/// [refunds]
/// rounding = "floor"          # how proportional clawbacks and restorations round
/// negative_balance = "debt"   # or "reject", "clamp"
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RefundConfig {
    /// How `earned × refunded / order amount` is rounded. Defaults to
    /// `floor`.
    #[serde(default)]
    pub rounding: Rounding,
    /// What happens when a clawback is larger than the points available.
    #[serde(default)]
    pub negative_balance: NegativeBalance,
}

impl RefundConfig {
    pub(crate) fn validate(&self) -> RefundPolicy {
        RefundPolicy {
            rounding: self.rounding,
            negative_balance: self.negative_balance,
        }
    }
}

/// What a clawback does when the member has already spent the points.
///
/// A customer earns 72 points on an order, spends them, then returns the
/// order: the 72 points are no longer there to take back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NegativeBalance {
    /// Refuse the refund command with
    /// [`Error::ClawbackExceedsBalance`](crate::Error::ClawbackExceedsBalance);
    /// the host decides (for example, deducts the points' value from the
    /// money refunded).
    Reject,
    /// Take what is there and forgive the rest (recorded as `forgiven`).
    Clamp,
    /// Take what is there and record the rest as a debt: the balance goes
    /// negative and later earnings repay it first. The default: the books
    /// stay right and no refund is blocked.
    #[default]
    Debt,
}

/// The validated refund rules of a [`Program`](crate::Program).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RefundPolicy {
    /// How proportional clawbacks and restorations round.
    pub rounding: Rounding,
    /// What happens when a clawback exceeds the points available.
    pub negative_balance: NegativeBalance,
}

/// What falls due for a member under a program, besides lots and pending
/// points: the inactivity deadline and birthday grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct DueRules {
    pub(crate) inactivity_days: Option<u32>,
    /// The program's offset, when birthdays are granted.
    pub(crate) birthdays: Option<FixedOffset>,
    /// Whether tiers are reviewed.
    pub(crate) tiers: bool,
}

impl DueRules {
    /// What falls due under an `expiry` rule, a `birthday` bonus granted
    /// in `offset`, and tier or membership `reviews`: worked out once, as
    /// a program is validated ([`Program::due_rules`](crate::Program)).
    pub(crate) fn new(
        expiry: Expiry,
        birthday: Option<Birthday>,
        offset: FixedOffset,
        reviews: bool,
    ) -> DueRules {
        DueRules {
            inactivity_days: match expiry {
                Expiry::AfterInactivity { days } => Some(days),
                _ => None,
            },
            birthdays: matches!(birthday, Some(Birthday::Grant(_))).then_some(offset),
            tiers: reviews,
        }
    }
}
