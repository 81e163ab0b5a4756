//! Time-windowed campaigns: the double-points weekend.

use chrono::{DateTime, FixedOffset, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calendar::DayOfWeek;
use crate::program::{ConfigRule, Problems};
use crate::{Category, Currency, Money, Name, Points, RuleId};

/// One entry of the `campaigns` list of a
/// [`ProgramConfig`](crate::ProgramConfig): a multiplier or a fixed bonus
/// for purchases in a time window.
///
/// Times are RFC 3339 (`"2026-05-02T00:00:00+02:00"`) or dates
/// (`"2026-05-02"`, midnight in the program's UTC offset); the campaign runs
/// from `starts_at` up to, not including, `ends_at`. `days` narrows it to
/// days of the week (in the program's offset), `categories` to lines of
/// those categories, `minimum_order` to orders paying at least that much.
/// Give exactly one of `multiplier` (1 to 100) and `bonus` (points per
/// order).
///
/// ```toml
/// [[campaigns]]
/// id = "double-points-weekend"
/// name = "Double points weekend"
/// starts_at = "2026-05-01"
/// ends_at = "2026-06-01"
/// days = ["saturday", "sunday"]
/// multiplier = "2"
/// ```
///
/// # Example
///
/// ```
/// use loyalty::{CampaignConfig, DayOfWeek, Program, ProgramConfig};
/// use rust_decimal::Decimal;
///
/// let mut config = ProgramConfig::new("EUR");
/// config.campaigns.push(
///     CampaignConfig::multiplier("weekend", "2026-05-01", "2026-06-01", Decimal::TWO)
///         .days([DayOfWeek::Saturday, DayOfWeek::Sunday]),
/// );
/// let program = Program::new(config)?;
/// assert_eq!(program.campaigns()[0].name(), "weekend");
/// # Ok::<(), loyalty::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CampaignConfig {
    /// Unique id, used in receipts.
    pub id: String,
    /// A name for people; defaults to the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When it starts.
    pub starts_at: String,
    /// When it ends (not included).
    pub ends_at: String,
    /// The days of the week it runs on; every day when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<DayOfWeek>,
    /// The categories whose lines it applies to; all lines when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// The smallest order amount it applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_order: Option<Decimal>,
    /// Multiplies the points of the lines it applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiplier: Option<Decimal>,
    /// Adds these points to each order it applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bonus: Option<i64>,
}

impl CampaignConfig {
    fn new(id: impl Into<String>, starts_at: &str, ends_at: &str) -> CampaignConfig {
        CampaignConfig {
            id: id.into(),
            name: None,
            starts_at: starts_at.to_owned(),
            ends_at: ends_at.to_owned(),
            days: Vec::new(),
            categories: Vec::new(),
            minimum_order: None,
            multiplier: None,
            bonus: None,
        }
    }

    /// A campaign multiplying points by `multiplier` from `starts_at` to
    /// `ends_at`.
    pub fn multiplier(
        id: impl Into<String>,
        starts_at: &str,
        ends_at: &str,
        multiplier: Decimal,
    ) -> CampaignConfig {
        CampaignConfig {
            multiplier: Some(multiplier),
            ..CampaignConfig::new(id, starts_at, ends_at)
        }
    }

    /// A campaign adding `bonus` points per order from `starts_at` to
    /// `ends_at`.
    pub fn bonus(
        id: impl Into<String>,
        starts_at: &str,
        ends_at: &str,
        bonus: i64,
    ) -> CampaignConfig {
        CampaignConfig {
            bonus: Some(bonus),
            ..CampaignConfig::new(id, starts_at, ends_at)
        }
    }

    /// Sets the name shown to people.
    pub fn name(mut self, name: impl Into<String>) -> CampaignConfig {
        self.name = Some(name.into());
        self
    }

    /// Runs only on these days of the week.
    pub fn days(mut self, days: impl IntoIterator<Item = DayOfWeek>) -> CampaignConfig {
        self.days = days.into_iter().collect();
        self
    }

    /// Applies only to lines of these categories.
    pub fn categories<S: Into<String>>(
        mut self,
        categories: impl IntoIterator<Item = S>,
    ) -> CampaignConfig {
        self.categories = categories.into_iter().map(Into::into).collect();
        self
    }

    /// Applies only to orders of at least this amount.
    pub fn minimum_order(mut self, amount: Decimal) -> CampaignConfig {
        self.minimum_order = Some(amount);
        self
    }

    pub(crate) fn validate(
        &self,
        path: &str,
        currency: Currency,
        offset: FixedOffset,
        problems: &mut Problems,
    ) -> Option<Campaign> {
        let id = problems.id::<RuleId>(&format!("{path}.id"), &self.id);
        let starts_at = problems.time(&format!("{path}.starts_at"), &self.starts_at, offset);
        let ends_at = problems.time(&format!("{path}.ends_at"), &self.ends_at, offset);
        if let (Some(start), Some(end)) = (starts_at, ends_at)
            && end <= start
        {
            problems.push(
                format!("{path}.ends_at"),
                ConfigRule::NotAfter {
                    value: self.ends_at.clone(),
                    other: "starts_at".to_owned(),
                    limit: self.starts_at.clone(),
                },
            );
            return None;
        }
        let categories = problems.ids::<Category>(&format!("{path}.categories"), &self.categories);
        let minimum_ok =
            problems.non_negative(&format!("{path}.minimum_order"), self.minimum_order);
        let effect = match (self.multiplier, self.bonus) {
            (Some(m), None) => problems
                .multiplier(&format!("{path}.multiplier"), m)
                .then_some(CampaignEffect::Multiplier(m)),
            (None, Some(b)) => problems
                .range(&format!("{path}.bonus"), b, 1, super::MAX_BONUS)
                .then_some(CampaignEffect::Bonus(Points::new(b))),
            (Some(_), Some(_)) => {
                problems.push(
                    format!("{path}.bonus"),
                    ConfigRule::NotUsed {
                        when: "multiplier is given".to_owned(),
                    },
                );
                None
            }
            (None, None) => {
                problems.push(
                    format!("{path}.multiplier"),
                    ConfigRule::Required {
                        when: "bonus is absent".to_owned(),
                    },
                );
                None
            }
        };
        let (id, starts_at, ends_at, categories, effect) =
            (id?, starts_at?, ends_at?, categories?, effect?);
        minimum_ok.then(|| Campaign {
            name: Name::new(self.name.as_deref().unwrap_or(id.as_str())),
            id,
            starts_at,
            ends_at,
            days: self.days.clone(),
            categories,
            minimum_order: self.minimum_order.map(|m| Money::new(m, currency)),
            effect,
        })
    }
}

/// What a campaign gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CampaignEffect {
    /// Multiplies the points of the lines it applies to.
    Multiplier(Decimal),
    /// Adds points to each order it applies to.
    Bonus(Points),
}

/// A validated campaign of a [`Program`](crate::Program).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Campaign {
    id: RuleId,
    name: Name,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    days: Vec<DayOfWeek>,
    categories: Vec<Category>,
    minimum_order: Option<Money>,
    effect: CampaignEffect,
}

impl Campaign {
    /// The campaign's id.
    pub fn id(&self) -> &RuleId {
        &self.id
    }

    /// The name shown to people.
    pub fn name(&self) -> &str {
        self.name.as_str()
    }

    /// The name, to copy into an award's source without allocating.
    pub(crate) fn shared_name(&self) -> &Name {
        &self.name
    }

    /// When it starts.
    pub fn starts_at(&self) -> DateTime<Utc> {
        self.starts_at
    }

    /// When it ends (not included).
    pub fn ends_at(&self) -> DateTime<Utc> {
        self.ends_at
    }

    /// What it gives.
    pub fn effect(&self) -> CampaignEffect {
        self.effect
    }

    /// The categories it is limited to; empty for all lines.
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// Whether it runs at `at` (window and day of the week, in `offset`).
    pub fn runs_at(&self, at: DateTime<Utc>, offset: FixedOffset) -> bool {
        self.starts_at <= at
            && at < self.ends_at
            && (self.days.is_empty() || self.days.contains(&DayOfWeek::of(at, offset)))
    }

    /// Whether it runs at `at` for an order paying `amount`.
    pub(crate) fn applies(&self, at: DateTime<Utc>, offset: FixedOffset, amount: Money) -> bool {
        self.runs_at(at, offset)
            && self
                .minimum_order
                .is_none_or(|m| amount.amount() >= m.amount())
    }
}
