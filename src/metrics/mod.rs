//! Retention metrics: the formulas merchants steer by, as pure functions
//! over plain numbers.
//!
//! Each function states its formula, its units and a worked example.
//! Impossible inputs — no customers at the start, more new customers than
//! customers at the end, a score outside its scale — are a typed
//! [`MetricError`] that names the numbers, never a NaN, a panic or a silent
//! zero. Amounts and ratios are [`Decimal`], computed exactly and left
//! unrounded: round for display (`round_dp(2)`).
//!
//! | metric | function |
//! | --- | --- |
//! | customer retention rate | [`retention_rate`] |
//! | churn rate | [`churn_rate`], [`lost_rate`] |
//! | customer lifetime value | [`lifetime_value`], [`lifetime_value_with_margin`], [`discounted_lifetime_value`] |
//! | Net Promoter Score | [`net_promoter_score`] |
//! | customer loyalty index | [`loyalty_index`] |
//! | upsell ratio | [`upsell_ratio`] |
//! | repeat-purchase rate (rate of return) | [`repeat_purchase_rate`] |
//! | purchase frequency | [`purchase_frequency`] |
//! | average order value | [`average_order_value`] |
//! | customer acquisition cost | [`acquisition_cost`] |
//! | conversion rate | [`conversion_rate`] |
//!
//! Over an order history ([`Order`]s): [`customer_summaries`],
//! [`cohort_retention`], [`rfm`] scores and [`Segment`]s, [`lapsed`]
//! customers for win-back, and [`repeat_summaries`] — the (frequency,
//!   recency, T) summary predictive models are fitted on.
//!
//! Over a [`Ledger`](crate::Ledger): [`program_health`] — points issued,
//! redeemed, expired, clawed back and outstanding, redemption and breakage
//! rates, the [`points_liability`], members by tier and active members.

mod formulas;
mod history;
mod predictive;
mod program;

pub use formulas::*;
pub use history::*;
pub use predictive::*;
pub use program::*;

use rust_decimal::Decimal;

/// Why a metric cannot be computed from its inputs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MetricError {
    /// A rate over the customers at the start of a period that had none.
    #[error("no customers at the start of the period: the rate over S = 0 is undefined")]
    NoCustomersAtStart,
    /// More new customers than customers at the end: the new ones are
    /// among those at the end.
    #[error("{new} new customers during the period, but only {end} customers at its end")]
    MoreNewThanAtEnd {
        /// New customers during the period (N).
        new: u64,
        /// Customers at the end (E).
        end: u64,
    },
    /// More customers at the end than the start and the new ones make.
    #[error("{end} customers at the end, but {start} at the start and {new} new make only {total}")]
    MoreAtEndThanPossible {
        /// Customers at the start (S).
        start: u64,
        /// New customers (N).
        new: u64,
        /// Customers at the end (E).
        end: u64,
        /// S + N.
        total: u128,
    },
    /// A part larger than its whole: more customers lost than there were,
    /// more conversions than visitors, more returning customers than
    /// customers.
    #[error("{part_name} ({part}) is more than {whole_name} ({whole})")]
    PartAboveWhole {
        /// What the part counts.
        part_name: &'static str,
        /// The part.
        part: u64,
        /// What the whole counts.
        whole_name: &'static str,
        /// The whole.
        whole: u64,
    },
    /// A survey answer outside its scale.
    #[error("answer {index} is {score}, outside the {min}–{max} scale")]
    ScoreOutOfScale {
        /// The answer's position (from 0; for the loyalty index, the
        /// respondent's position × 3 + the question).
        index: usize,
        /// The answer.
        score: u8,
        /// The scale's lowest answer.
        min: u8,
        /// The scale's highest answer.
        max: u8,
    },
    /// A mean or share of nothing.
    #[error("no {what}: a {metric} of none is undefined")]
    Empty {
        /// What is missing (answers, respondents, ...).
        what: &'static str,
        /// The metric asked for.
        metric: &'static str,
    },
    /// A divisor of zero.
    #[error("{what} is zero: the {metric} divides by it")]
    ZeroDivisor {
        /// The divisor's name.
        what: &'static str,
        /// The metric asked for.
        metric: &'static str,
    },
    /// A number outside the range its formula allows.
    #[error("{what} is {value}; it must be {rule}")]
    OutOfRange {
        /// The input's name.
        what: &'static str,
        /// Its value.
        value: Decimal,
        /// The range it must be in.
        rule: &'static str,
    },
    /// A history in more than one currency.
    #[error("orders in {first} and {other}: a history is in one currency")]
    MixedCurrencies {
        /// The first order's currency.
        first: crate::Currency,
        /// Another currency found.
        other: crate::Currency,
    },
    /// A (frequency, recency, T) summary that does not hold together.
    #[error(
        "summary {index} (frequency {frequency}, recency {recency}, T {t}): recency must be from 0 to T, and 0 without repeat purchases"
    )]
    InvalidSummary {
        /// Its position.
        index: usize,
        /// Repeat purchases.
        frequency: u32,
        /// Recency.
        recency: f64,
        /// T.
        t: f64,
    },
    /// A summary in another unit of time than the model.
    #[error("the model is in {model:?}, the summary in {summary:?}")]
    UnitMismatch {
        /// The model's unit.
        model: TimeUnit,
        /// The summary's unit.
        summary: TimeUnit,
    },
    /// A model parameter that is not a positive, finite number.
    #[error("model parameter {name} is {value}; it must be positive and finite")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// A fit whose search did not settle.
    #[error("the {metric} did not converge")]
    NoConvergence {
        /// The fit.
        metric: &'static str,
    },
    /// The ledger refused a read.
    #[error(transparent)]
    Ledger(#[from] crate::Error),
    /// The result does not fit a [`Decimal`].
    #[error("the {metric} overflows")]
    Overflow {
        /// The metric asked for.
        metric: &'static str,
    },
}
