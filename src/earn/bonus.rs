//! Bonuses: sign-up, first purchase, birthday, and custom actions.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calendar::Period;
use crate::program::{ConfigRule, Problems};
use crate::{ActionId, Name, Points};

/// The `[bonuses]` section of a [`ProgramConfig`](crate::ProgramConfig).
///
/// ```toml
/// [bonuses]
/// sign_up = 50            # points at enrolment
/// first_purchase = 100    # points on top of the first order
///
/// [bonuses.birthday]
/// mode = "grant"          # points on the birthday, at tick; or "multiplier"
/// points = 200            # grant: the points
/// # multiplier = "2"      # multiplier: during the birthday month
///
/// [[bonuses.actions]]
/// id = "review"
/// name = "Write a review"
/// points = 25
/// limit = { count = 1, per = "day" }   # or: cooldown_days = 30
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct BonusConfig {
    /// Points awarded at enrolment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_up: Option<i64>,
    /// Points added to the member's first order. Only the first order
    /// counts: if it is below the minimum order to earn, it earns nothing,
    /// this bonus included, and later orders are not first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_purchase: Option<i64>,
    /// The birthday bonus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<BirthdayConfig>,
    /// Custom actions the host reports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ActionConfig>,
}

/// The birthday bonus: a grant on the birthday or a multiplier during the
/// birthday month, both in the program's UTC offset. Birth dates are given
/// at enrolment; a 29th of February birthday falls on the 28th in other
/// years.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct BirthdayConfig {
    /// Grant or multiplier.
    pub mode: BirthdayMode,
    /// `grant`: the points granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// `multiplier`: the multiplier during the birthday month (1 to 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiplier: Option<Decimal>,
}

/// How the birthday is celebrated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum BirthdayMode {
    /// Points granted when the birthday starts (by the next tick or command).
    Grant,
    /// Purchases in the birthday month earn more.
    Multiplier,
}

/// A custom action the host reports (review written, survey completed,
/// newsletter sign-up, social share), with its points and how often it
/// counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ActionConfig {
    /// Unique id; the host reports the action by it.
    pub id: String,
    /// A name for people; defaults to the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Points per action.
    pub points: i64,
    /// At most `count` per calendar `per`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Frequency>,
    /// At least this many days between two actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cooldown_days: Option<u32>,
}

impl ActionConfig {
    /// An action worth `points`, with no frequency limit.
    pub fn new(id: impl Into<String>, points: i64) -> ActionConfig {
        ActionConfig {
            id: id.into(),
            name: None,
            points,
            limit: None,
            cooldown_days: None,
        }
    }

    /// Sets the name shown to people.
    pub fn name(mut self, name: impl Into<String>) -> ActionConfig {
        self.name = Some(name.into());
        self
    }

    /// Counts at most `count` actions per calendar `per`.
    pub fn at_most(mut self, count: u32, per: Period) -> ActionConfig {
        self.limit = Some(Frequency { count, per });
        self
    }

    /// Counts an action only `days` after the previous one.
    pub fn cooldown(mut self, days: u32) -> ActionConfig {
        self.cooldown_days = Some(days);
        self
    }
}

/// At most `count` per calendar `per`, in the program's UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Frequency {
    /// How many.
    pub count: u32,
    /// Per which period.
    pub per: Period,
}

impl Frequency {
    /// At most `count` per `per`.
    pub fn new(count: u32, per: Period) -> Frequency {
        Frequency { count, per }
    }

    pub(crate) fn validate(&self, path: &str, problems: &mut Problems) -> bool {
        problems.range(
            &format!("{path}.count"),
            i64::from(self.count),
            1,
            1_000_000,
        )
    }
}

/// The validated bonuses of a [`Program`](crate::Program).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Bonuses {
    pub(crate) sign_up: Option<Points>,
    pub(crate) first_purchase: Option<Points>,
    pub(crate) birthday: Option<Birthday>,
    pub(crate) actions: Vec<ActionRule>,
}

/// The validated birthday bonus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Birthday {
    /// Points granted when the birthday starts.
    Grant(Points),
    /// A multiplier on purchases during the birthday month.
    Multiplier(Decimal),
}

/// A validated custom action.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActionRule {
    pub(crate) id: ActionId,
    pub(crate) name: Name,
    pub(crate) points: Points,
    pub(crate) frequency: Option<ActionFrequency>,
}

/// How often an action counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ActionFrequency {
    /// At most `count` per calendar period.
    AtMost(Frequency),
    /// At least `days` between two.
    Cooldown {
        /// Days between two actions.
        days: u32,
    },
}

impl Bonuses {
    /// Points awarded at enrolment.
    pub fn sign_up(&self) -> Option<Points> {
        self.sign_up
    }

    /// Points added to the first order.
    pub fn first_purchase(&self) -> Option<Points> {
        self.first_purchase
    }

    /// The birthday bonus.
    pub fn birthday(&self) -> Option<Birthday> {
        self.birthday
    }

    /// The custom actions.
    pub fn actions(&self) -> &[ActionRule] {
        &self.actions
    }

    /// A custom action by id.
    pub fn action(&self, id: &ActionId) -> Option<&ActionRule> {
        self.actions.iter().find(|a| &a.id == id)
    }
}

impl ActionRule {
    /// The action's id.
    pub fn id(&self) -> &ActionId {
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

    /// Points per action.
    pub fn points(&self) -> Points {
        self.points
    }

    /// How often it counts; always when `None`.
    pub fn frequency(&self) -> Option<ActionFrequency> {
        self.frequency
    }
}

impl BonusConfig {
    pub(crate) fn validate(&self, problems: &mut Problems) -> Option<Bonuses> {
        let max = super::MAX_BONUS;
        let mut ok = true;
        let mut points = |path: &str, value: Option<i64>, problems: &mut Problems| {
            value.and_then(|v| {
                let valid = problems.range(path, v, 1, max);
                ok &= valid;
                valid.then_some(Points::new(v))
            })
        };
        let sign_up = points("bonuses.sign_up", self.sign_up, problems);
        let first_purchase = points("bonuses.first_purchase", self.first_purchase, problems);
        let birthday = match &self.birthday {
            None => None,
            Some(b) => {
                let parsed = b.validate(problems);
                ok &= parsed.is_some();
                parsed
            }
        };
        let mut actions = Vec::with_capacity(self.actions.len());
        for (i, a) in self.actions.iter().enumerate() {
            match a.validate(&format!("bonuses.actions[{i}]"), problems) {
                Some(rule) => actions.push(rule),
                None => ok = false,
            }
        }
        problems.unique(
            "bonuses.actions",
            self.actions.iter().map(|a| a.id.as_str()),
        );
        ok.then_some(Bonuses {
            sign_up,
            first_purchase,
            birthday,
            actions,
        })
    }
}

impl BirthdayConfig {
    fn validate(&self, problems: &mut Problems) -> Option<Birthday> {
        match self.mode {
            BirthdayMode::Grant => {
                let when = "mode = \"grant\"";
                let unused = problems.unused("bonuses.birthday.multiplier", &self.multiplier, when);
                let points = problems
                    .required("bonuses.birthday.points", self.points, when)
                    .filter(|p| {
                        problems.range("bonuses.birthday.points", *p, 1, super::MAX_BONUS)
                    })?;
                unused.then_some(Birthday::Grant(Points::new(points)))
            }
            BirthdayMode::Multiplier => {
                let when = "mode = \"multiplier\"";
                let unused = problems.unused("bonuses.birthday.points", &self.points, when);
                let m = problems
                    .required("bonuses.birthday.multiplier", self.multiplier, when)
                    .filter(|m| problems.multiplier("bonuses.birthday.multiplier", *m))?;
                unused.then_some(Birthday::Multiplier(m))
            }
        }
    }
}

impl ActionConfig {
    fn validate(&self, path: &str, problems: &mut Problems) -> Option<ActionRule> {
        let id = problems.id::<ActionId>(&format!("{path}.id"), &self.id);
        let points_ok = problems.range(&format!("{path}.points"), self.points, 1, super::MAX_BONUS);
        let frequency = match (self.limit, self.cooldown_days) {
            (Some(_), Some(_)) => {
                problems.push(
                    format!("{path}.cooldown_days"),
                    ConfigRule::NotUsed {
                        when: "limit is given".to_owned(),
                    },
                );
                return None;
            }
            (Some(limit), None) => {
                if !limit.validate(&format!("{path}.limit"), problems) {
                    return None;
                }
                Some(ActionFrequency::AtMost(limit))
            }
            (None, Some(days)) => {
                if !problems.range(
                    &format!("{path}.cooldown_days"),
                    i64::from(days),
                    1,
                    i64::from(crate::MAX_DAYS),
                ) {
                    return None;
                }
                Some(ActionFrequency::Cooldown { days })
            }
            (None, None) => None,
        };
        let id = id?;
        points_ok.then(|| ActionRule {
            name: Name::new(self.name.as_deref().unwrap_or(id.as_str())),
            id,
            points: Points::new(self.points),
            frequency,
        })
    }
}
