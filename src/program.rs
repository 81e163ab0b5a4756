//! The merchant's rules: `ProgramConfig` as data, validated into `Program`.

use std::fmt;

use chrono::{DateTime, FixedOffset, Offset, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calendar::days_after;
use crate::earn::{
    BirthdayMode, BonusConfig, Bonuses, Campaign, CampaignConfig, EarnConfig, EarnRule,
};
use crate::ledger::policy::{
    DueRules, Expiry, ExpiryConfig, Pending, PendingConfig, RefundConfig, RefundPolicy,
};
use crate::referral::{ReferralConfig, Referrals};
use crate::rewards::{Reward, RewardConfig};
use crate::tiers::{Membership, MembershipConfig, TierConfig, Tiers};
use crate::{Currency, Error, IdProblem, Money, RewardId, Rounding};

/// The merchant's loyalty rules as plain data, ready for serde.
///
/// Load it from JSON, TOML or any format serde reads, then validate it into a
/// [`Program`] with [`Program::new`] (or deserialize a `Program` directly,
/// which validates on the way in). Every section has a default, so the
/// smallest configuration names only the currency. Unknown fields are
/// rejected, so a misspelt setting is an error rather than silently ignored.
///
/// # Example: the seed program in TOML
///
/// ```
/// use loyalty::{Program, ProgramConfig};
///
/// let config: ProgramConfig = toml::from_str(r#"
///     name = "Clothing store rewards"
///     currency = "EUR"
///
///     [earn]
///     points = 1          # 1 point ...
///     per = "1.00"        # ... per 1.00 EUR
///     rounding = "floor"
///
///     [[rewards]]
///     id = "ten-percent-off"
///     name = "10% off your next order"
///     cost = 100
///     kind = "percent_off"
///     percent = "10"
///
///     [expiry]
///     policy = "never"
/// "#)?;
/// let program = Program::new(config)?;
/// assert_eq!(program.rewards().len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Example: built in Rust
///
/// ```
/// use loyalty::{Program, ProgramConfig, RewardConfig};
/// use rust_decimal::Decimal;
///
/// let mut config = ProgramConfig::new("EUR");
/// config.earn.points = 5; // 5 points per 1.00 EUR
/// config.rewards.push(RewardConfig::fixed_amount_off("five-off", 500, Decimal::new(5, 0)));
/// let program = Program::new(config)?;
/// assert_eq!(program.earn().rate().to_string(), "5 points per 1.00 EUR");
/// # Ok::<(), loyalty::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ProgramConfig {
    /// A name for people: shown in statements and logs.
    #[serde(default)]
    pub name: String,
    /// The ISO 4217 currency every amount of the program is in, such as
    /// `"EUR"`.
    pub currency: String,
    /// The program's UTC offset, such as `"+01:00"`: where a day, a month
    /// or a year ends for expiry. Defaults to `"+00:00"`.
    #[serde(default = "default_offset")]
    pub utc_offset: String,
    /// How purchases earn points.
    #[serde(default)]
    pub earn: EarnConfig,
    /// The reward catalogue.
    #[serde(default)]
    pub rewards: Vec<RewardConfig>,
    /// How discounts are rounded to the currency's minor units. Defaults to
    /// `half_up`.
    #[serde(default = "default_discount_rounding")]
    pub discount_rounding: Rounding,
    /// When earned points expire. Defaults to never.
    #[serde(default)]
    pub expiry: ExpiryConfig,
    /// When earned points become spendable. Defaults to at once.
    #[serde(default)]
    pub pending: PendingConfig,
    /// How refunds claw points back.
    #[serde(default)]
    pub refunds: RefundConfig,
    /// Time-windowed campaigns: multipliers or bonuses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub campaigns: Vec<CampaignConfig>,
    /// Sign-up, first-purchase, birthday and action bonuses.
    #[serde(default)]
    pub bonuses: BonusConfig,
    /// Named benefits every member enjoys and the host honours (early access
    /// to sales, an exclusive member offer, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub perks: Vec<String>,
    /// The tier ladder; none when it has no levels.
    #[serde(default)]
    pub tiers: TierConfig,
    /// Paid memberships granting a tier for a term.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub memberships: Vec<MembershipConfig>,
    /// Referral codes and rewards; none without this section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrals: Option<ReferralConfig>,
}

fn default_offset() -> String {
    "+00:00".to_owned()
}

fn default_discount_rounding() -> Rounding {
    Rounding::HalfUp
}

impl ProgramConfig {
    /// A configuration with every default: 1 point per 1.00 of `currency`,
    /// rounded down, no rewards, points never expire and are spendable at
    /// once, clawbacks may leave a debt.
    pub fn new(currency: impl Into<String>) -> ProgramConfig {
        ProgramConfig {
            name: String::new(),
            currency: currency.into(),
            utc_offset: default_offset(),
            earn: EarnConfig::default(),
            rewards: Vec::new(),
            discount_rounding: default_discount_rounding(),
            expiry: ExpiryConfig::default(),
            pending: PendingConfig::default(),
            refunds: RefundConfig::default(),
            campaigns: Vec::new(),
            bonuses: BonusConfig::default(),
            perks: Vec::new(),
            tiers: TierConfig::default(),
            memberships: Vec::new(),
            referrals: None,
        }
    }

    /// Validates the configuration into a [`Program`].
    ///
    /// # Errors
    ///
    /// [`ConfigError`] listing every rule the configuration breaks, each with
    /// its field path.
    pub fn validate(self) -> Result<Program, ConfigError> {
        Program::new(self)
    }
}

/// A validated, immutable loyalty program: the rules a [`Ledger`](crate::Ledger)
/// runs.
///
/// Built from a [`ProgramConfig`] by [`Program::new`]; it serializes back to
/// the same configuration, and deserializing a `Program` validates it.
///
/// # Example
///
/// ```
/// use loyalty::Program;
///
/// let program: Program = serde_json::from_str(r#"{
///     "currency": "EUR",
///     "rewards": [{"id": "ten-percent-off", "cost": 100, "kind": "percent_off", "percent": "10"}]
/// }"#)?;
/// assert_eq!(program.currency().code(), "EUR");
///
/// let broken = serde_json::from_str::<Program>(r#"{"currency": "EUR", "earn": {"per": "0"}}"#);
/// assert!(broken.unwrap_err().to_string().contains("earn.per: must be greater than zero (got 0)"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ProgramConfig", into = "ProgramConfig")]
pub struct Program {
    config: ProgramConfig,
    currency: Currency,
    offset: FixedOffset,
    earn: EarnRule,
    rewards: Vec<Reward>,
    expiry: Expiry,
    pending: Pending,
    refunds: RefundPolicy,
    campaigns: Vec<Campaign>,
    bonuses: Bonuses,
    tiers: Option<Tiers>,
    memberships: Vec<Membership>,
    referrals: Option<Referrals>,
    /// What falls due for a member besides lots and pending points, read
    /// off the rules above once: the ledger asks after every event.
    due_rules: DueRules,
}

impl Program {
    /// Validates a configuration.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] listing every rule the configuration breaks, each with
    /// its field path, for example
    /// `rewards[1].percent: must be greater than 0 and at most 100 (got 120)`.
    pub fn new(config: ProgramConfig) -> Result<Program, ConfigError> {
        let mut problems = Problems::default();
        let currency = match Currency::new(&config.currency) {
            Ok(c) => Some(c),
            Err(_) => {
                problems.push(
                    "currency",
                    ConfigRule::UnknownCurrency {
                        code: config.currency.clone(),
                    },
                );
                None
            }
        };
        let offset = match config.utc_offset.parse::<FixedOffset>() {
            Ok(o) => Some(o),
            Err(_) => {
                problems.push(
                    "utc_offset",
                    ConfigRule::InvalidOffset {
                        text: config.utc_offset.clone(),
                    },
                );
                None
            }
        };
        // Amounts need the currency; check the rest with a stand-in so every
        // problem is reported in one pass.
        let money_currency = currency.unwrap_or(Currency::EUR);
        let earn = config.earn.validate(money_currency, &mut problems);
        let time_offset = offset.unwrap_or_else(|| Utc.fix());
        let rewards: Vec<Reward> = config
            .rewards
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                r.validate(
                    &format!("rewards[{i}]"),
                    money_currency,
                    time_offset,
                    &mut problems,
                )
            })
            .collect();
        problems.unique("rewards", config.rewards.iter().map(|r| r.id.as_str()));
        let campaigns: Vec<Campaign> = config
            .campaigns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                c.validate(
                    &format!("campaigns[{i}]"),
                    money_currency,
                    time_offset,
                    &mut problems,
                )
            })
            .collect();
        problems.unique("campaigns", config.campaigns.iter().map(|c| c.id.as_str()));
        let bonuses = config.bonuses.validate(&mut problems);
        let tiers = config.tiers.validate(money_currency, &mut problems);
        let ladder = tiers.as_ref().filter(|t| !t.levels().is_empty());
        let memberships: Vec<Membership> = config
            .memberships
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                m.validate(
                    &format!("memberships[{i}]"),
                    money_currency,
                    ladder,
                    &mut problems,
                )
            })
            .collect();
        problems.unique(
            "memberships",
            config.memberships.iter().map(|m| m.id.as_str()),
        );
        for (i, reward) in config.rewards.iter().enumerate() {
            let named = reward.tiers.iter().chain(reward.tier_costs.keys());
            for tier in named {
                let known =
                    ladder.is_some_and(|l| l.levels().iter().any(|t| t.id().as_str() == tier));
                if !known {
                    problems.push(
                        format!("rewards[{i}].tiers"),
                        ConfigRule::NotListed {
                            key: tier.clone(),
                            list: "tiers.levels".to_owned(),
                        },
                    );
                }
            }
        }
        for (i, perk) in config.perks.iter().enumerate() {
            if perk.trim().is_empty() {
                problems.push(
                    format!("perks[{i}]"),
                    ConfigRule::InvalidId {
                        problem: IdProblem::Empty,
                    },
                );
            }
        }
        // Two multipliers that may meet on a line need a stacking policy.
        let multipliers = [
            earn.as_ref().map_or(0, EarnRule::multiplier_count),
            config
                .campaigns
                .iter()
                .filter(|c| c.multiplier.is_some())
                .count(),
            usize::from(
                config
                    .bonuses
                    .birthday
                    .as_ref()
                    .is_some_and(|b| b.mode == BirthdayMode::Multiplier),
            ),
            usize::from(
                config
                    .tiers
                    .levels
                    .iter()
                    .any(|l| l.multiplier != Decimal::ONE),
            ),
        ]
        .into_iter()
        .fold(0_usize, usize::saturating_add);
        if multipliers > 1 && config.earn.stacking.is_none() {
            problems.push(
                "earn.stacking",
                ConfigRule::Required {
                    when: format!(
                        "{multipliers} multipliers can apply (earn rules, campaigns, the birthday month, tiers): \"multiply\", \"add\" or \"highest\""
                    ),
                },
            );
        }
        // `Some(None)`: the program has no referrals; `None`: they are invalid.
        let referrals = match &config.referrals {
            None => Some(None),
            Some(r) => r
                .validate(money_currency, time_offset, &rewards, &mut problems)
                .map(Some),
        };
        let expiry = config.expiry.validate(&mut problems);
        let pending = config.pending.validate(expiry, &mut problems);
        let refunds = config.refunds.validate();
        match (
            currency, offset, earn, expiry, pending, bonuses, tiers, referrals,
        ) {
            (
                Some(currency),
                Some(offset),
                Some(earn),
                Some(expiry),
                Some(pending),
                Some(bonuses),
                Some(tiers),
                Some(referrals),
            ) if problems.0.is_empty() => {
                let tiers = Some(tiers).filter(|t| !t.levels().is_empty());
                let reviews = tiers.is_some() || !memberships.is_empty();
                let due_rules = DueRules::new(expiry, bonuses.birthday(), offset, reviews);
                Ok(Program {
                    config,
                    currency,
                    offset,
                    earn,
                    rewards,
                    expiry,
                    pending,
                    refunds,
                    campaigns,
                    bonuses,
                    tiers,
                    memberships,
                    referrals,
                    due_rules,
                })
            }
            // Every `None` above pushed a problem, so the list is not empty.
            _ => Err(ConfigError {
                problems: problems.0,
            }),
        }
    }

    /// The configuration this program was validated from.
    pub fn config(&self) -> &ProgramConfig {
        &self.config
    }

    /// The program's name.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// The currency of every amount in the program.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// What falls due for a member under this program besides lots and
    /// pending points (see [`DueRules`]).
    pub(crate) fn due_rules(&self) -> DueRules {
        self.due_rules
    }

    /// The program's UTC offset: where days, months and years end.
    pub fn utc_offset(&self) -> FixedOffset {
        self.offset
    }

    /// How purchases earn points.
    pub fn earn(&self) -> &EarnRule {
        &self.earn
    }

    /// The reward catalogue, in configuration order.
    pub fn rewards(&self) -> &[Reward] {
        &self.rewards
    }

    /// A reward by id.
    pub fn reward(&self, id: &RewardId) -> Option<&Reward> {
        self.rewards.iter().find(|r| r.id() == id)
    }

    /// The campaigns, in configuration order.
    pub fn campaigns(&self) -> &[Campaign] {
        &self.campaigns
    }

    /// Sign-up, first-purchase, birthday and action bonuses.
    pub fn bonuses(&self) -> &Bonuses {
        &self.bonuses
    }

    /// The tier ladder, when the program has one.
    pub fn tiers(&self) -> Option<&Tiers> {
        self.tiers.as_ref()
    }

    /// The paid memberships.
    pub fn memberships(&self) -> &[Membership] {
        &self.memberships
    }

    /// The referral rules, when the program has them.
    pub fn referrals(&self) -> Option<&Referrals> {
        self.referrals.as_ref()
    }

    /// A membership by id.
    pub fn membership(&self, id: &crate::RuleId) -> Option<&Membership> {
        self.memberships.iter().find(|m| m.id() == id)
    }

    /// Named benefits every member enjoys and the host honours.
    pub fn perks(&self) -> &[String] {
        &self.config.perks
    }

    /// How discounts are rounded to the currency's minor units.
    pub fn discount_rounding(&self) -> Rounding {
        self.config.discount_rounding
    }

    /// When earned points expire.
    pub fn expiry(&self) -> Expiry {
        self.expiry
    }

    /// When earned points become spendable.
    pub fn pending(&self) -> Pending {
        self.pending
    }

    /// How refunds claw points back.
    pub fn refunds(&self) -> RefundPolicy {
        self.refunds
    }

    /// Checks that `amount` is in the program's currency.
    pub(crate) fn check_currency(&self, amount: &Money) -> Result<(), Error> {
        if amount.currency() == self.currency {
            Ok(())
        } else {
            Err(Error::WrongCurrency {
                expected: self.currency,
                actual: amount.currency(),
            })
        }
    }

    /// When a lot earned (or credited) at `at` expires under
    /// [`Expiry::AfterEarning`]; `None` under the other policies.
    // Inlined for its first step: most programs' points never expire, or
    // expire after inactivity, and every purchase asks.
    #[inline]
    pub(crate) fn lot_expiry(&self, at: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, Error> {
        let Expiry::AfterEarning { days, extend_to } = self.expiry else {
            return Ok(None);
        };
        self.expiry_after_earning(at, days, extend_to)
    }

    /// [`lot_expiry`](Program::lot_expiry) under
    /// [`Expiry::AfterEarning`] of `days`, extended to the end of
    /// `extend_to`. Inlined into it, as one step of every purchase under
    /// that policy: out of line, some 100 instructions more a purchase.
    #[inline]
    fn expiry_after_earning(
        &self,
        at: DateTime<Utc>,
        days: u32,
        extend_to: Option<crate::Period>,
    ) -> Result<Option<DateTime<Utc>>, Error> {
        let out_of_range = || Error::TimeOutOfRange { at, days };
        let due = days_after(at, days).ok_or_else(out_of_range)?;
        let Some(period) = extend_to else {
            return Ok(Some(due));
        };
        period
            .end(due, self.offset)
            .map(Some)
            .ok_or_else(out_of_range)
    }
}

impl TryFrom<ProgramConfig> for Program {
    type Error = ConfigError;

    fn try_from(config: ProgramConfig) -> Result<Self, Self::Error> {
        Program::new(config)
    }
}

impl From<Program> for ProgramConfig {
    fn from(program: Program) -> Self {
        program.config
    }
}

/// A configuration that breaks one or more rules; lists every problem.
///
/// # Example
///
/// ```
/// use loyalty::{ConfigRule, Program, ProgramConfig};
///
/// let mut config = ProgramConfig::new("EUR");
/// config.earn.points = 0;
/// let error = Program::new(config).unwrap_err();
/// assert_eq!(error.problems()[0].path, "earn.points");
/// assert_eq!(error.problems()[0].rule, ConfigRule::TooSmall { minimum: 1, value: 0 });
/// assert_eq!(
///     error.to_string(),
///     "invalid program configuration: earn.points: must be at least 1 (got 0)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct ConfigError {
    problems: Vec<ConfigProblem>,
}

impl ConfigError {
    /// Every problem found, in field order.
    pub fn problems(&self) -> &[ConfigProblem] {
        &self.problems
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid program configuration: ")?;
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// One broken rule: where (`rewards[1].percent`) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigProblem {
    /// The field path, such as `earn.per` or `rewards[2].maximum_discount`.
    pub path: String,
    /// The rule it breaks, with the numbers involved.
    pub rule: ConfigRule,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.rule)
    }
}

/// The rule a configuration field breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigRule {
    /// Not an active ISO 4217 currency code.
    #[error("unknown currency {code:?}: expected an active ISO 4217 code such as \"EUR\"")]
    UnknownCurrency {
        /// The code given.
        code: String,
    },
    /// Not a UTC offset.
    #[error("{text:?} is not a UTC offset: expected \"+HH:MM\" or \"-HH:MM\", such as \"+01:00\"")]
    InvalidOffset {
        /// The text given.
        text: String,
    },
    /// A whole number below its minimum.
    #[error("must be at least {minimum} (got {value})")]
    TooSmall {
        /// The smallest accepted value.
        minimum: i64,
        /// The value given.
        value: i64,
    },
    /// A whole number above its maximum.
    #[error("must be at most {maximum} (got {value})")]
    TooLarge {
        /// The largest accepted value.
        maximum: i64,
        /// The value given.
        value: i64,
    },
    /// An amount that must be above zero.
    #[error("must be greater than zero (got {value})")]
    NotPositive {
        /// The value given.
        value: Decimal,
    },
    /// An amount that must not be negative.
    #[error("must not be negative (got {value})")]
    Negative {
        /// The value given.
        value: Decimal,
    },
    /// A percentage outside (0, 100].
    #[error("must be greater than 0 and at most 100 (got {value})")]
    PercentOutOfRange {
        /// The value given.
        value: Decimal,
    },
    /// An invalid identifier.
    #[error("{problem}")]
    InvalidId {
        /// What is wrong with it.
        problem: IdProblem,
    },
    /// The same id appears twice.
    #[error("duplicates {first}")]
    Duplicate {
        /// The path of the first occurrence.
        first: String,
    },
    /// A field that the chosen option needs is missing.
    #[error("required when {when}")]
    Required {
        /// The option that needs it, such as `kind = "percent_off"`.
        when: String,
    },
    /// A field that the chosen option does not use is present.
    #[error("not used when {when}")]
    NotUsed {
        /// The option that does not use it.
        when: String,
    },
    /// A number of days that must be below another setting's.
    #[error("must be less than {other} ({limit}) (got {value})")]
    NotBelow {
        /// The value given.
        value: i64,
        /// The other setting's path.
        other: String,
        /// The other setting's value.
        limit: i64,
    },
    /// A maximum below its minimum.
    #[error("must be at least {other} ({limit}) (got {value})")]
    BelowOther {
        /// The value given.
        value: i64,
        /// The other setting's path.
        other: String,
        /// The other setting's value.
        limit: i64,
    },
    /// An end that is not after its start.
    #[error("must be after {other} ({limit}) (got {value})")]
    NotAfter {
        /// The value given.
        value: String,
        /// The other setting's path.
        other: String,
        /// The other setting's value.
        limit: String,
    },
    /// A number that must be a multiple of another setting.
    #[error("must be a multiple of {other} ({step}) (got {value})")]
    NotAMultiple {
        /// The value given.
        value: i64,
        /// The other setting's path.
        other: String,
        /// The other setting's value.
        step: i64,
    },
    /// Not a time.
    #[error(
        "{text:?} is not a time: expected RFC 3339 (\"2026-05-02T00:00:00+02:00\") or a date (\"2026-05-02\", midnight in the program's offset)"
    )]
    InvalidTime {
        /// The text given.
        text: String,
    },
    /// A multiplier outside [1, 100].
    #[error("must be at least 1 and at most 100 (got {value})")]
    MultiplierOutOfRange {
        /// The value given.
        value: Decimal,
    },
    /// A value that must exceed another setting's.
    #[error("must be above {other} ({limit}) (got {value})")]
    NotAbove {
        /// The value given.
        value: Decimal,
        /// The other setting's path.
        other: String,
        /// The other setting's value.
        limit: Decimal,
    },
    /// A number that must be whole under the chosen option.
    #[error("must be a whole number when {when} (got {value})")]
    NotWhole {
        /// The value given.
        value: Decimal,
        /// The option that needs it, such as `metric = "orders"`.
        when: String,
    },
    /// A key that names something the list it belongs with does not hold.
    #[error("{key} is not listed in {list}")]
    NotListed {
        /// The key given.
        key: String,
        /// The list's path.
        list: String,
    },
}

/// Collects problems while validating, so all are reported at once.
#[derive(Default)]
pub(crate) struct Problems(Vec<ConfigProblem>);

impl Problems {
    pub(crate) fn push(&mut self, path: impl Into<String>, rule: ConfigRule) {
        self.0.push(ConfigProblem {
            path: path.into(),
            rule,
        });
    }

    /// `value` must be in `minimum..=maximum`.
    pub(crate) fn range(&mut self, path: &str, value: i64, minimum: i64, maximum: i64) -> bool {
        if value < minimum {
            self.push(path, ConfigRule::TooSmall { minimum, value });
            false
        } else if value > maximum {
            self.push(path, ConfigRule::TooLarge { maximum, value });
            false
        } else {
            true
        }
    }

    /// `value` must be above zero.
    pub(crate) fn positive(&mut self, path: &str, value: Decimal) -> bool {
        if value > Decimal::ZERO {
            true
        } else {
            self.push(path, ConfigRule::NotPositive { value });
            false
        }
    }

    /// `value`, when given, must not be negative.
    pub(crate) fn non_negative(&mut self, path: &str, value: Option<Decimal>) -> bool {
        match value {
            Some(v) if v.is_sign_negative() && !v.is_zero() => {
                self.push(path, ConfigRule::Negative { value: v });
                false
            }
            _ => true,
        }
    }

    /// `value` must be absent because `when` does not use it.
    pub(crate) fn unused<T>(&mut self, path: &str, value: &Option<T>, when: &str) -> bool {
        if value.is_some() {
            self.push(
                path,
                ConfigRule::NotUsed {
                    when: when.to_owned(),
                },
            );
            false
        } else {
            true
        }
    }

    /// Parses an identifier.
    pub(crate) fn id<T>(&mut self, path: &str, text: &str) -> Option<T>
    where
        T: TryFrom<String, Error = crate::InvalidId>,
    {
        match T::try_from(text.to_owned()) {
            Ok(id) => Some(id),
            Err(e) => {
                self.push(path, ConfigRule::InvalidId { problem: e.problem });
                None
            }
        }
    }

    /// Parses a list of identifiers, naming each bad one by its position.
    pub(crate) fn ids<T>(&mut self, path: &str, texts: &[String]) -> Option<Vec<T>>
    where
        T: TryFrom<String, Error = crate::InvalidId>,
    {
        let parsed: Vec<Option<T>> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| self.id(&format!("{path}[{i}]"), t))
            .collect();
        parsed.into_iter().collect()
    }

    /// Parses a configuration time (RFC 3339, or a date at local midnight).
    pub(crate) fn time(
        &mut self,
        path: &str,
        text: &str,
        offset: FixedOffset,
    ) -> Option<DateTime<Utc>> {
        let parsed = crate::calendar::parse_time(text, offset);
        if parsed.is_none() {
            self.push(
                path,
                ConfigRule::InvalidTime {
                    text: text.to_owned(),
                },
            );
        }
        parsed
    }

    /// A multiplier must be in [1, 100].
    pub(crate) fn multiplier(&mut self, path: &str, value: Decimal) -> bool {
        if value >= Decimal::ONE && value <= Decimal::ONE_HUNDRED {
            true
        } else {
            self.push(path, ConfigRule::MultiplierOutOfRange { value });
            false
        }
    }

    /// Each id must appear once; later occurrences are named.
    pub(crate) fn unique<'a>(&mut self, list: &str, ids: impl IntoIterator<Item = &'a str>) {
        let mut seen: Vec<&str> = Vec::new();
        for (i, id) in ids.into_iter().enumerate() {
            if let Some(first) = seen.iter().position(|s| *s == id) {
                self.push(
                    format!("{list}[{i}].id"),
                    ConfigRule::Duplicate {
                        first: format!("{list}[{first}].id"),
                    },
                );
            }
            seen.push(id);
        }
    }

    /// `value` must be present because `when` needs it.
    pub(crate) fn required<T: Copy>(
        &mut self,
        path: &str,
        value: Option<T>,
        when: &str,
    ) -> Option<T> {
        if value.is_none() {
            self.push(
                path,
                ConfigRule::Required {
                    when: when.to_owned(),
                },
            );
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn program(expiry: &str, offset: &str) -> Program {
        let json = format!(r#"{{"currency":"EUR","utc_offset":"{offset}","expiry":{expiry}}}"#);
        serde_json::from_str(&json).unwrap()
    }

    #[test]
    fn lot_expiry_extends_to_the_end_of_the_period_in_the_programs_offset() {
        let at = Utc.with_ymd_and_hms(2026, 3, 15, 10, 0, 0).unwrap();
        let plain = program(r#"{"policy":"after_earning","days":30}"#, "+00:00");
        assert_eq!(
            plain.lot_expiry(at).unwrap(),
            Some(Utc.with_ymd_and_hms(2026, 4, 14, 10, 0, 0).unwrap())
        );
        let month = program(
            r#"{"policy":"after_earning","days":30,"extend_to":"month"}"#,
            "+01:00",
        );
        // 2026-04-14 local → the month ends at 2026-05-01T00:00+01:00.
        assert_eq!(
            month.lot_expiry(at).unwrap(),
            Some(Utc.with_ymd_and_hms(2026, 4, 30, 23, 0, 0).unwrap())
        );
        let day = program(
            r#"{"policy":"after_earning","days":1,"extend_to":"day"}"#,
            "-05:00",
        );
        // 2026-03-16T10:00Z is 05:00 local on the 16th → ends 2026-03-17T00:00-05:00.
        assert_eq!(
            day.lot_expiry(at).unwrap(),
            Some(Utc.with_ymd_and_hms(2026, 3, 17, 5, 0, 0).unwrap())
        );
        let year = program(
            r#"{"policy":"after_earning","days":365,"extend_to":"year"}"#,
            "+00:00",
        );
        assert_eq!(
            year.lot_expiry(at).unwrap(),
            Some(Utc.with_ymd_and_hms(2028, 1, 1, 0, 0, 0).unwrap())
        );
        let never = program(r#"{"policy":"never"}"#, "+00:00");
        assert_eq!(never.lot_expiry(at).unwrap(), None);
    }

    #[test]
    fn lot_expiry_at_the_end_of_time_is_an_error() {
        let plain = program(r#"{"policy":"after_earning","days":30}"#, "+00:00");
        assert!(matches!(
            plain.lot_expiry(DateTime::<Utc>::MAX_UTC),
            Err(Error::TimeOutOfRange { days: 30, .. })
        ));
    }
}
