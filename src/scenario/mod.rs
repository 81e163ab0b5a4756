//! Scenario files: test a program's configuration without writing Rust.
//!
//! A scenario is a program and a timeline: commands with their times, and
//! after any of them what the merchant expects — a balance, a tier, a
//! receipt's points and explanation, a quote's rewards, a refusal, the
//! events, the program's health. [`Scenario::run`] plays the timeline on a
//! fresh ledger and returns a [`Report`] with every expectation's verdict:
//!
//! ```text
//! FAIL Refunds claw back: 1 of 14 checks failed
//!      step 7 (refund ORD-3 20.00 EUR): expected available 37, got 39
//! ```
//!
//! Scenarios are written in TOML or JSON. Run them with the runner that
//! comes with the crate, which prints one line per scenario and exits
//! non-zero on any failure:
//!
//! ```text
//! cargo run --example scenario -- path/to/scenario.toml [more files or directories]
//! ```
//!
//! This module is behind the `scenarios` feature (part of `testing`).
//!
//! # The format
//!
//! A scenario file has three parts:
//!
//! - `name`, and an optional `description`;
//! - `program`: the program's configuration, inline (a table, exactly as
//!   in a program file; see [`ProgramConfig`](crate::ProgramConfig)) or the
//!   path of a `.toml` or `.json` program file, relative to the scenario
//!   file;
//! - `steps`: the timeline, in order (`[[steps]]` in TOML, an array in
//!   JSON).
//!
//! ## Steps
//!
//! A step runs at most one command or quote, under a key naming it. The
//! command's fields are those of its type, serialized as the host queues
//! it, `at` included:
//!
//! | key | command | fields |
//! | --- | --- | --- |
//! | `enroll` | [`Enroll`](crate::Enroll) | `member`, `at`, `birth_date`, `referred_by`, `code`, `fingerprints` |
//! | `purchase` | [`Purchase`](crate::Purchase) | `member`, `order`, `amount`, `at`, `cart` (`lines`, `shipping`, `tax`, `discount`, `gift_card`), `redemptions` |
//! | `confirm` | [`Confirm`](crate::Confirm) | `member`, `order`, `at` |
//! | `quote` | [`Ledger::quote`](crate::Ledger::quote) | `member`, `at`, and `cart` or `amount` |
//! | `redeem` | [`Redeem`](crate::Redeem) | `member`, `redemption`, `reward`, `cart`, `at`, `points`, `voucher` |
//! | `cancel_redemption` | [`CancelRedemption`](crate::CancelRedemption) | `member`, `redemption`, `at` |
//! | `refund` | [`Refund`](crate::Refund) | `member`, `order`, `refund`, `amount`, `at` |
//! | `action` | [`Action`](crate::Action) | `member`, `action`, `reference`, `at` |
//! | `adjust` | [`Adjust`](crate::Adjust) | `member`, `adjustment`, `points`, `reason`, `at` |
//! | `transfer` | [`Transfer`](crate::Transfer) | `from`, `to`, `transfer`, `points`, `at` |
//! | `join_membership`, `renew_membership`, `cancel_membership` | [`JoinMembership`](crate::JoinMembership), ... | `member`, `membership` (to join), `reference`, `at` |
//! | `link_referral`, `issue_referral_code`, `record_fingerprints`, `invite` | [`LinkReferral`](crate::LinkReferral), ... | `member`, `code`, `fingerprints`, `invitation`, `at` |
//! | `tick` | [`Tick`](crate::Tick) | `at` |
//! | `reevaluate_tiers` | [`ReevaluateTiers`](crate::ReevaluateTiers) | `at` |
//!
//! Amounts are text with their currency (`"57.40 EUR"`), points whole
//! numbers, times RFC 3339 with their offset — quoted, or in TOML a bare
//! datetime (`at = 2026-01-12T10:00:00Z`).
//!
//! A step may also have a `name`, which the report shows instead of the
//! step's summary, and an `expect` table. A step with no command or quote
//! only expects.
//!
//! ## Expectations
//!
//! The keys of `expect` ([`Expect`]); each is checked only when given.
//!
//! | key | checks |
//! | --- | --- |
//! | `error` | the command is refused with this kind of error ([`Error::kind`](crate::Error::kind): `insufficient_points`, `refund_exceeds_order`, ...) |
//! | `error_message` | the refusal's message contains this text |
//! | `receipt` | the receipt reads exactly this |
//! | `explanation` | the receipt contains this text (`"57 = floor(57.40 EUR × 1 point per 1.00 EUR)"`) |
//! | `points` | the receipt's points: earned, settled, spent, restored, clawed back or moved |
//! | `events` | the types of the events emitted, in order (`["PurchaseRecorded"]`) |
//! | `rewards` | a quote's available rewards, in order |
//! | `options` | a quote's options, each as it reads |
//! | `available`, `pending` | the member's balance after the step |
//! | `tier` | the member's tier after the step (`"none"` for none) |
//! | `member` | whose balance and tier to read (default: the step's member) |
//! | `at` | read the balance and tier as of this later time |
//! | `health` | the program's health over `from`..`to` ([`Health`]): `issued`, `redeemed`, `expired`, `clawed_back`, `adjusted`, `pending`, `outstanding`, `debt`, `members`, `active_members`, `redemption_rate`, `breakage_rate` |
//!
//! A step whose command is refused fails unless it expects an `error`; a
//! refused command changes nothing, so the steps after it run on the same
//! ledger. After the last step the report checks that the events replay
//! into the same ledger.
//!
//! # A complete example
//!
//! ```
//! use loyalty::scenario::Scenario;
//!
//! let scenario = Scenario::from_toml(r#"
//! name = "Marta's first spring"
//! description = "1 point per euro, 100 points for 10% off, refunds claw back"
//!
//! [program]
//! name = "Clothing store rewards"
//! currency = "EUR"
//! earn = { points = 1, per = "1.00", rounding = "floor" }
//! expiry = { policy = "never" }
//! rewards = [{ id = "ten-percent-off", name = "10% off your next order", kind = "percent_off", cost = 100, percent = "10" }]
//!
//! [[steps]]
//! enroll = { member = "marta", at = 2026-01-05T09:00:00Z }
//!
//! [[steps]]
//! purchase = { member = "marta", order = "ORD-1", amount = "57.40 EUR", at = 2026-01-12T10:00:00Z }
//! [steps.expect]
//! points = 57
//! explanation = "57 = floor(57.40 EUR × 1 point per 1.00 EUR)"
//! available = 57
//! events = ["PurchaseRecorded"]
//!
//! [[steps]]
//! name = "not yet enough for 10% off"
//! redeem = { member = "marta", redemption = "RDM-1", reward = "ten-percent-off", at = 2026-01-20T10:00:00Z, cart = { lines = [{ quantity = 1, unit_price = "80.00 EUR" }] } }
//! expect = { error = "insufficient_points", error_message = "57 available, 100 required" }
//!
//! [[steps]]
//! purchase = { member = "marta", order = "ORD-2", amount = "48.00 EUR", at = 2026-02-20T18:30:00Z }
//!
//! [[steps]]
//! quote = { member = "marta", amount = "80.00 EUR", at = 2026-03-14T11:00:00Z }
//! expect = { rewards = ["ten-percent-off"], options = ["10% off your next order (100 points): 8.00 EUR off — available"] }
//!
//! [[steps]]
//! refund = { member = "marta", order = "ORD-2", refund = "RF-1", amount = "24.00 EUR", at = 2026-03-30T16:00:00Z }
//! expect = { points = 24, available = 81 }
//!
//! [[steps]]
//! name = "three years later, nothing has expired"
//! expect = { member = "marta", at = 2029-03-30T00:00:00Z, available = 81 }
//!
//! [[steps]]
//! [steps.expect.health]
//! from = 2026-01-01T00:00:00Z
//! to = 2026-04-01T00:00:00Z
//! issued = 105
//! clawed_back = 24
//! outstanding = 81
//! redemption_rate = "0"
//! "#)?;
//!
//! let program = scenario.inline_program().ok_or("the program is inline")?;
//! let report = scenario.run(program);
//! assert!(report.passed(), "{report}");
//! assert_eq!(report.to_string(), "ok   Marta's first spring: 8 steps, 21 checks");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The same scenario in JSON starts
//! `{"name": "Marta's first spring", "program": {"currency": "EUR", ...},
//! "steps": [{"enroll": {"member": "marta", "at": "2026-01-05T09:00:00Z"}},
//! ...]}`.
//!
//! # Files
//!
//! The library reads no files: [`run_file`] takes the host's way of
//! reading one, resolves a program path against the scenario's folder, and
//! reports a malformed file by path, line and column:
//!
//! ```text
//! tests/scenarios/refunds.toml:12:11: unknown field `ammount`, expected one of `member`, `order`, `refund`, `amount`, `at`
//! ```

mod run;
mod step;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{MapAccess, Visitor, value::MapAccessDeserializer};

use crate::Program;

pub use run::{Check, Report};
pub use step::{Expect, Health, Step};
#[cfg(feature = "testing")]
pub(crate) use {
    run::{Outcome, verify},
    step::command_label as label,
};

/// A scenario: a program and a timeline of steps. Parse one with
/// [`Scenario::from_toml`] or [`Scenario::from_json`], run it with
/// [`Scenario::run`] (or [`run_file`] for a file on disk).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    name: String,
    #[serde(default)]
    description: Option<String>,
    program: ProgramSource,
    #[serde(default)]
    steps: Vec<Step>,
}

/// Where a scenario's program comes from.
#[derive(Debug, Clone, PartialEq)]
enum ProgramSource {
    /// Written in the scenario.
    Inline(Box<Program>),
    /// A file, relative to the scenario's.
    File(String),
}

impl<'de> Deserialize<'de> for ProgramSource {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Source;

        impl<'de> Visitor<'de> for Source {
            type Value = ProgramSource;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a program table, or the path of a program file")
            }

            fn visit_str<E: serde::de::Error>(self, path: &str) -> Result<ProgramSource, E> {
                Ok(ProgramSource::File(path.to_owned()))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ProgramSource, A::Error> {
                Program::deserialize(MapAccessDeserializer::new(map))
                    .map(|program| ProgramSource::Inline(Box::new(program)))
            }
        }

        deserializer.deserialize_any(Source)
    }
}

impl Scenario {
    /// Parses a scenario written in TOML.
    ///
    /// # Errors
    ///
    /// [`SyntaxError`] with the line and column of what is malformed: bad
    /// TOML, an unknown key, a missing field, an invalid program (its
    /// field path named), a step with two commands.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::scenario::Scenario;
    ///
    /// let error = Scenario::from_toml("name = \"x\"\nprogram = { currency = \"EUR\" }\n\n[[steps]]\npurchse = {}\n")
    ///     .unwrap_err();
    /// assert_eq!((error.line, error.column), (5, 1));
    /// assert!(error.message.starts_with("unknown field `purchse`, expected one of"));
    /// ```
    pub fn from_toml(text: &str) -> Result<Scenario, SyntaxError> {
        toml::from_str(text).map_err(|e| SyntaxError::from_toml(&e, text))
    }

    /// Parses a scenario written in JSON.
    ///
    /// # Errors
    ///
    /// [`SyntaxError`] with the line and column of what is malformed.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::scenario::Scenario;
    ///
    /// let scenario = Scenario::from_json(r#"{"name": "joining",
    ///     "program": {"currency": "EUR"},
    ///     "steps": [{"enroll": {"member": "marta", "at": "2026-01-05T09:00:00Z"},
    ///                "expect": {"available": 0}}]}"#)?;
    /// assert!(scenario.run(scenario.inline_program().ok_or("inline")?).passed());
    ///
    /// let error = Scenario::from_json("{\"name\": \"x\",\n \"program\": 7}").unwrap_err();
    /// assert_eq!(error.line, 2);
    /// assert!(error.message.contains("a program table, or the path of a program file"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_json(text: &str) -> Result<Scenario, SyntaxError> {
        serde_json::from_str(text).map_err(|e| SyntaxError::from_json(&e))
    }

    /// The scenario's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the scenario is about, when it says.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The program, when the scenario writes it inline.
    pub fn inline_program(&self) -> Option<&Program> {
        match &self.program {
            ProgramSource::Inline(program) => Some(program),
            ProgramSource::File(_) => None,
        }
    }

    /// The path of the program file, relative to the scenario's, when the
    /// scenario names one.
    pub fn program_file(&self) -> Option<&str> {
        match &self.program {
            ProgramSource::File(path) => Some(path),
            ProgramSource::Inline(_) => None,
        }
    }

    /// The timeline.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }
}

/// A malformed scenario or program: where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
#[non_exhaustive]
pub struct SyntaxError {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, in characters.
    pub column: usize,
    /// What is wrong and what was expected.
    pub message: String,
}

impl SyntaxError {
    fn from_toml(error: &toml::de::Error, text: &str) -> SyntaxError {
        let (line, column) = match error.span() {
            Some(span) => line_and_column(text, span.start),
            None => (1, 1),
        };
        SyntaxError {
            line,
            column,
            message: error.message().trim_end().to_owned(),
        }
    }

    fn from_json(error: &serde_json::Error) -> SyntaxError {
        let text = error.to_string();
        let suffix = format!(" at line {} column {}", error.line(), error.column());
        SyntaxError {
            line: error.line().max(1),
            column: error.column().max(1),
            message: text.strip_suffix(&suffix).unwrap_or(&text).to_owned(),
        }
    }
}

/// The 1-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count().saturating_add(1);
    let start = before.rfind('\n').map_or(0, |i| i.saturating_add(1));
    let column = before.get(start..).map_or(0, |s| s.chars().count());
    (line, column.saturating_add(1))
}

/// Why a scenario file could not be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// A file could not be read.
    #[error("{}: cannot read: {message}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A file is not TOML or JSON by its extension.
    #[error("{}: expected a .toml or .json file", path.display())]
    Format {
        /// The file.
        path: PathBuf,
    },
    /// A scenario or program file is malformed.
    #[error("{}:{}:{}: {}", path.display(), error.line, error.column, error.message)]
    Syntax {
        /// The file.
        path: PathBuf,
        /// Where and what.
        error: SyntaxError,
    },
}

/// The formats scenario and program files come in.
#[derive(Clone, Copy)]
enum Format {
    Toml,
    Json,
}

fn format_of(path: &Path) -> Result<Format, ScenarioError> {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("toml") => Ok(Format::Toml),
        Some(e) if e.eq_ignore_ascii_case("json") => Ok(Format::Json),
        _ => Err(ScenarioError::Format {
            path: path.to_owned(),
        }),
    }
}

/// Parses a scenario from a file's text; the format follows the path's
/// extension (`.toml` or `.json`).
///
/// # Errors
///
/// [`ScenarioError::Format`] for another extension,
/// [`ScenarioError::Syntax`] with the path, line and column of what is
/// malformed.
pub fn parse_scenario(path: &Path, text: &str) -> Result<Scenario, ScenarioError> {
    let parsed = match format_of(path)? {
        Format::Toml => Scenario::from_toml(text),
        Format::Json => Scenario::from_json(text),
    };
    parsed.map_err(|error| ScenarioError::Syntax {
        path: path.to_owned(),
        error,
    })
}

/// Parses and validates a program from a file's text; the format follows
/// the path's extension.
///
/// # Errors
///
/// As [`parse_scenario`]; an invalid program is a [`ScenarioError::Syntax`]
/// whose message names the field ([`ConfigError`](crate::ConfigError)).
///
/// # Example
///
/// ```
/// use std::path::Path;
/// use loyalty::scenario::{ScenarioError, parse_program};
///
/// let program = parse_program(Path::new("shop.toml"), "currency = \"EUR\"")?;
/// assert_eq!(program.currency().to_string(), "EUR");
///
/// let refused = parse_program(Path::new("shop.json"), r#"{"currency": "EUR",
///     "earn": {"points": 0}}"#).unwrap_err();
/// assert_eq!(refused.to_string(), "shop.json:1:1: invalid program configuration: \
///     earn.points: must be at least 1 (got 0)");
/// assert!(matches!(parse_program(Path::new("shop.yaml"), ""), Err(ScenarioError::Format { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_program(path: &Path, text: &str) -> Result<Program, ScenarioError> {
    let parsed = match format_of(path)? {
        Format::Toml => toml::from_str(text).map_err(|e| SyntaxError::from_toml(&e, text)),
        Format::Json => serde_json::from_str(text).map_err(|e| SyntaxError::from_json(&e)),
    };
    parsed.map_err(|error| ScenarioError::Syntax {
        path: path.to_owned(),
        error,
    })
}

/// Reads, parses and runs the scenario file at `path`, and its program
/// file if it names one (relative to the scenario's folder). `read` is the
/// host's way of reading a file — the standard library's
/// `fs::read_to_string` in a runner, a map of texts in a test; the library
/// itself reads nothing.
///
/// # Errors
///
/// [`ScenarioError`] when a file cannot be read or is malformed; a
/// scenario that runs returns its [`Report`], passed or failed.
///
/// # Example
///
/// ```
/// use std::path::Path;
/// use loyalty::scenario::run_file;
///
/// let files = |path: &Path| match path.to_str() {
///     Some("checks/earn.toml") => Ok(r#"
///         name = "earning"
///         program = "../programs/shop.json"
///         [[steps]]
///         enroll = { member = "marta", at = 2026-01-05T09:00:00Z }
///         expect = { available = 0 }
///     "#.to_owned()),
///     Some("checks/../programs/shop.json") => Ok(r#"{"currency": "EUR"}"#.to_owned()),
///     _ => Err("no such file"),
/// };
/// let report = run_file(Path::new("checks/earn.toml"), files)?;
/// assert!(report.passed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_file<E: fmt::Display>(
    path: &Path,
    mut read: impl FnMut(&Path) -> Result<String, E>,
) -> Result<Report, ScenarioError> {
    let mut load = |path: &Path| {
        read(path).map_err(|e| ScenarioError::Read {
            path: path.to_owned(),
            message: e.to_string(),
        })
    };
    let scenario = parse_scenario(path, &load(path)?)?;
    let report = match &scenario.program {
        ProgramSource::Inline(program) => scenario.run(program),
        ProgramSource::File(file) => {
            let file = path.parent().unwrap_or(Path::new("")).join(file);
            let program = parse_program(&file, &load(&file)?)?;
            scenario.run(&program)
        }
    };
    Ok(report)
}
