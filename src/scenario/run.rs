//! Running a scenario, and checking what a step expects.

use std::fmt;

use rust_decimal::RoundingStrategy;

use super::Scenario;
use super::step::{Expect, Health, StepAction};
use crate::metrics::program_health;
use crate::{Decision, Error, Event, Ledger, MemberId, Points, Program, Quote, Receipt};

/// What running a scenario found: every check, passed or failed.
///
/// `Display` prints one line for the scenario (`ok` or `FAIL`, its name,
/// its steps and checks) and, under it, one line per failed check.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// The scenario's name.
    pub name: String,
    /// How many steps ran.
    pub steps: usize,
    /// How many events the steps' commands emitted.
    pub events: usize,
    /// Every check, in the order they ran.
    pub checks: Vec<Check>,
}

impl Report {
    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(Check::passed)
    }

    /// The checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.passed())
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failed = self.failures().count();
        if failed == 0 {
            write!(
                f,
                "ok   {}: {} steps, {} checks",
                self.name,
                self.steps,
                self.checks.len()
            )
        } else {
            write!(
                f,
                "FAIL {}: {failed} of {} checks failed",
                self.name,
                self.checks.len()
            )?;
            for check in self.failures() {
                write!(f, "\n     {check}")?;
            }
            Ok(())
        }
    }
}

/// One expectation checked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Check {
    /// The step's number, from 1; none for a check of the whole scenario
    /// (its replay).
    pub step: Option<usize>,
    /// The step's label (`refund ORD-3 20.00 EUR`).
    pub label: String,
    /// What was expected (`available 37`).
    pub expected: String,
    /// Why it failed (`expected available 37, got 39`); none when it
    /// passed.
    pub failure: Option<String>,
}

impl Check {
    /// Whether the check passed.
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }
}

impl fmt::Display for Check {
    /// `step 7 (refund ORD-3 20.00 EUR): expected available 37, got 39`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.step {
            Some(step) => write!(f, "step {step} ({}): ", self.label)?,
            None => write!(f, "{}: ", self.label)?,
        }
        match &self.failure {
            Some(failure) => f.write_str(failure),
            None => write!(f, "{} as expected", self.expected),
        }
    }
}

/// What a step did, for checking.
pub(crate) enum Outcome<'a> {
    /// A command ran.
    Command(&'a Result<Decision, Error>),
    /// A quote was read.
    Quote(&'a Result<Quote, Error>),
    /// The step only expects.
    Nothing,
}

/// One expectation's verdict: what was expected, and why it failed.
pub(crate) struct Verdict {
    pub(crate) expected: String,
    pub(crate) failure: Option<String>,
}

fn verdict(expected: String, failure: Option<String>) -> Verdict {
    Verdict { expected, failure }
}

/// Compares one figure.
fn same<T: PartialEq + fmt::Display>(what: &str, expected: &T, actual: &T) -> Verdict {
    let failure = (expected != actual).then(|| format!("expected {what} {expected}, got {actual}"));
    verdict(format!("{what} {expected}"), failure)
}

/// Checks `expect` against a step's outcome and the ledger after it.
/// `member` is the step's member, read when `expect` names none.
pub(crate) fn verify(
    expect: &Expect,
    outcome: Outcome<'_>,
    member: Option<&MemberId>,
    ledger: &Ledger,
) -> Vec<Verdict> {
    let mut out = Vec::new();
    verify_outcome(expect, &outcome, &mut out);
    if expect.of_member() {
        match expect.member.as_ref().or(member) {
            Some(member) => verify_member(expect, member, ledger, &mut out),
            None => out.push(verdict(
                expect.to_string(),
                Some("no member to read: name one with `member`".to_owned()),
            )),
        }
    }
    if let Some(health) = &expect.health {
        verify_health(health, ledger, &mut out);
    }
    out
}

fn verify_outcome(expect: &Expect, outcome: &Outcome<'_>, out: &mut Vec<Verdict>) {
    let (refusal, what) = match outcome {
        Outcome::Command(Err(e)) => (Some(e), "command"),
        Outcome::Quote(Err(e)) => (Some(e), "quote"),
        Outcome::Command(Ok(_)) => (None, "command"),
        Outcome::Quote(Ok(_)) => (None, "quote"),
        Outcome::Nothing => return,
    };
    let success = match outcome {
        Outcome::Command(Ok(decision)) => decision.receipt.to_string(),
        Outcome::Quote(Ok(quote)) => {
            let text = quote.to_string();
            let first = text.lines().next().unwrap_or_default();
            first.trim_end_matches(':').to_owned()
        }
        _ => String::new(),
    };
    match (&expect.error, refusal) {
        (Some(kind), Some(error)) => {
            let failure = (error.kind() != kind)
                .then(|| format!("expected error {kind}, got {}: {error}", error.kind()));
            out.push(verdict(format!("error {kind}"), failure));
        }
        (Some(kind), None) => out.push(verdict(
            format!("error {kind}"),
            Some(format!(
                "expected error {kind}, but the {what} succeeded: {success}"
            )),
        )),
        (None, Some(error)) => out.push(verdict(
            format!("the {what} succeeds"),
            Some(format!("refused ({}): {error}", error.kind())),
        )),
        (None, None) => out.push(verdict(format!("the {what} succeeds"), None)),
    }
    if let Some(text) = &expect.error_message {
        let expected = format!("an error message containing {text:?}");
        let failure = match refusal {
            Some(error) => {
                let message = error.to_string();
                (!message.contains(text.as_str()))
                    .then(|| format!("expected {expected}, got {message:?}"))
            }
            None => Some(format!("expected {expected}, but the {what} succeeded")),
        };
        out.push(verdict(expected, failure));
    }
    match outcome {
        Outcome::Command(Ok(decision)) => verify_receipt(expect, decision, out),
        Outcome::Quote(Ok(quote)) => verify_quote(expect, quote, out),
        _ => {}
    }
}

fn verify_receipt(expect: &Expect, decision: &Decision, out: &mut Vec<Verdict>) {
    let text = decision.receipt.to_string();
    if let Some(expected) = &expect.receipt {
        let failure =
            (text != *expected).then(|| format!("expected receipt {expected:?}, got {text:?}"));
        out.push(verdict(format!("receipt {expected:?}"), failure));
    }
    if let Some(part) = &expect.explanation {
        let failure = (!text.contains(part.as_str()))
            .then(|| format!("expected the receipt to explain {part:?}, got {text:?}"));
        out.push(verdict(format!("explanation {part:?}"), failure));
    }
    if let Some(expected) = expect.points {
        out.push(match receipt_points(&decision.receipt) {
            Some(points) => same("points", &expected, &points),
            None => verdict(
                format!("points {expected}"),
                Some(format!("this receipt has no points figure: {text}")),
            ),
        });
    }
    if let Some(kinds) = &expect.events {
        let actual: Vec<&str> = decision.events.iter().map(Event::kind).collect();
        let failure = (actual != *kinds).then(|| {
            format!(
                "expected events [{}], got [{}]",
                kinds.join(", "),
                actual.join(", ")
            )
        });
        out.push(verdict(format!("events [{}]", kinds.join(", ")), failure));
    }
}

/// The points figure of a receipt, as [`Expect::points`] reads it.
fn receipt_points(receipt: &Receipt) -> Option<Points> {
    Some(match receipt {
        Receipt::Enrollment(r) => r.sign_up.as_ref().map_or(Points::ZERO, |e| e.points),
        Receipt::Purchase(r) => r.points(),
        Receipt::Confirmation(r) => r.settled,
        Receipt::Redemption(r) => r.points,
        Receipt::Cancellation(r) => r.points,
        Receipt::Refund(r) => r.clawed_back(),
        Receipt::Adjustment(r) => r.points,
        Receipt::Transfer(r) => r.points,
        Receipt::Action(r) => r.earning.points,
        Receipt::Membership(r) => r.fee_earning.as_ref().map_or(Points::ZERO, |e| e.points),
        _ => return None,
    })
}

fn verify_quote(expect: &Expect, quote: &Quote, out: &mut Vec<Verdict>) {
    if let Some(rewards) = &expect.rewards {
        let actual: Vec<String> = quote.available().map(|o| o.reward.to_string()).collect();
        let expected: Vec<String> = rewards.iter().map(ToString::to_string).collect();
        let failure = (actual != expected).then(|| {
            format!(
                "expected rewards [{}], got [{}]",
                expected.join(", "),
                actual.join(", ")
            )
        });
        out.push(verdict(
            format!("rewards [{}]", expected.join(", ")),
            failure,
        ));
    }
    if let Some(options) = &expect.options {
        let actual: Vec<String> = quote.options.iter().map(ToString::to_string).collect();
        let failure = if actual.len() != options.len() {
            Some(format!(
                "expected {} quote options, got {}: {actual:?}",
                options.len(),
                actual.len()
            ))
        } else {
            (1_usize..)
                .zip(options.iter().zip(&actual))
                .find(|(_, (e, a))| e != a)
                .map(|(n, (e, a))| format!("expected option {n} {e:?}, got {a:?}"))
        };
        out.push(verdict(format!("{} quote options", options.len()), failure));
    }
}

fn verify_member(expect: &Expect, member: &MemberId, ledger: &Ledger, out: &mut Vec<Verdict>) {
    let figures = [("available", expect.available), ("pending", expect.pending)];
    if figures.iter().any(|(_, f)| f.is_some()) {
        let balance = match expect.at {
            Some(at) => ledger.balance_at(member, at),
            None => ledger.balance(member),
        };
        for (what, expected) in figures {
            let Some(expected) = expected else { continue };
            out.push(match &balance {
                Ok(balance) => {
                    let actual = if what == "available" {
                        balance.available
                    } else {
                        balance.pending
                    };
                    same(what, &expected, &actual)
                }
                Err(e) => verdict(
                    format!("{what} {expected}"),
                    Some(format!("cannot read {member}'s balance: {e}")),
                ),
            });
        }
    }
    if let Some(expected) = &expect.tier {
        let at = match expect.at {
            Some(at) => Some(at),
            None => ledger.account(member).map(|a| a.last_event_at()),
        };
        let status = match at {
            Some(at) => ledger.tier_status(member, at),
            None => Err(Error::NotEnrolled {
                member: member.clone(),
            }),
        };
        out.push(match status {
            Ok(status) => {
                let actual = status
                    .tier
                    .map_or_else(|| "none".to_owned(), |t| t.to_string());
                same("tier", expected, &actual)
            }
            Err(e) => verdict(
                format!("tier {expected}"),
                Some(format!("cannot read {member}'s tier: {e}")),
            ),
        });
    }
}

fn verify_health(expect: &Health, ledger: &Ledger, out: &mut Vec<Verdict>) {
    let health = match program_health(ledger, expect.from, expect.to) {
        Ok(health) => health,
        Err(e) => {
            out.push(verdict(
                "the program's health".to_owned(),
                Some(format!("cannot compute the program's health: {e}")),
            ));
            return;
        }
    };
    let points: [(&str, Option<Points>, Points); 8] = [
        ("issued", expect.issued, health.issued),
        ("redeemed", expect.redeemed, health.redeemed),
        ("expired", expect.expired, health.expired),
        ("clawed back", expect.clawed_back, health.clawed_back),
        ("adjusted", expect.adjusted, health.adjusted),
        ("pending", expect.pending, health.pending),
        ("outstanding", expect.outstanding, health.outstanding),
        ("debt", expect.debt, health.debt),
    ];
    for (what, expected, actual) in points {
        if let Some(expected) = expected {
            out.push(same(&format!("{what} points"), &expected, &actual));
        }
    }
    let counts = [
        ("members", expect.members, health.members),
        (
            "active members",
            expect.active_members,
            health.active_members,
        ),
    ];
    for (what, expected, actual) in counts {
        if let Some(expected) = expected {
            out.push(same(what, &expected, &actual));
        }
    }
    let rates = [
        (
            "redemption rate",
            expect.redemption_rate,
            health.redemption_rate(),
        ),
        (
            "breakage rate",
            expect.breakage_rate,
            health.breakage_rate(),
        ),
    ];
    for (what, expected, rate) in rates {
        let Some(expected) = expected else { continue };
        let label = format!("{what} {expected}%");
        out.push(match rate {
            Ok(actual) => {
                let shown = actual.round_dp_with_strategy(
                    expected.scale(),
                    RoundingStrategy::MidpointAwayFromZero,
                );
                let failure = (shown != expected)
                    .then(|| format!("expected {what} {expected}%, got {}%", actual.normalize()));
                verdict(label, failure)
            }
            Err(e) => verdict(label, Some(format!("cannot compute the {what}: {e}"))),
        });
    }
}

impl Scenario {
    /// Runs the scenario against `program`: each step's command or quote,
    /// then its expectations; a step that expects nothing of a command
    /// still expects it to succeed. Every step runs, whatever earlier ones
    /// found, and a closing check replays the events into the same ledger.
    ///
    /// The scenario's own program ([`Scenario::inline_program`], or the
    /// file [`Scenario::program_file`] names) is the usual `program`;
    /// passing another runs the same timeline against a changed
    /// configuration.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::scenario::Scenario;
    ///
    /// let scenario = Scenario::from_toml(r#"
    ///     name = "A euro a point"
    ///     program = { currency = "EUR" }
    ///
    ///     [[steps]]
    ///     enroll = { member = "marta", at = 2026-01-05T09:00:00Z }
    ///
    ///     [[steps]]
    ///     purchase = { member = "marta", order = "ORD-1", amount = "57.40 EUR", at = 2026-01-12T10:00:00Z }
    ///     expect = { available = 58 }
    /// "#)?;
    /// let program = scenario.inline_program().ok_or("an inline program")?;
    /// let report = scenario.run(program);
    /// assert!(!report.passed());
    /// assert_eq!(report.failures().next().map(ToString::to_string).as_deref(),
    ///     Some("step 2 (purchase ORD-1 57.40 EUR): expected available 58, got 57"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run(&self, program: &Program) -> Report {
        let mut ledger = Ledger::new(program.clone());
        let mut log: Vec<Event> = Vec::new();
        let mut checks = Vec::new();
        for (number, step) in (1_usize..).zip(&self.steps) {
            let label = step.label();
            let mut record = |verdicts: Vec<Verdict>| {
                checks.extend(verdicts.into_iter().map(|v| Check {
                    step: Some(number),
                    label: label.clone(),
                    expected: v.expected,
                    failure: v.failure,
                }));
            };
            let none = Expect::new();
            let expect = step.expect.as_ref().unwrap_or(&none);
            match &step.action {
                Some(StepAction::Command(command)) => {
                    let result = ledger.execute(command.clone());
                    if let Ok(decision) = &result {
                        log.extend(decision.events.iter().cloned());
                    }
                    let outcome = Outcome::Command(&result);
                    record(verify(expect, outcome, command.member(), &ledger));
                }
                Some(StepAction::Quote(request)) => {
                    let result = ledger.quote(&request.member, &request.cart, request.at);
                    let outcome = Outcome::Quote(&result);
                    record(verify(expect, outcome, Some(&request.member), &ledger));
                }
                None => record(verify(expect, Outcome::Nothing, None, &ledger)),
            }
        }
        let replayed = Ledger::replay(program.clone(), &log);
        let failure = match replayed {
            Ok(replayed) if replayed == ledger => None,
            Ok(_) => Some("the replayed ledger differs from the live one".to_owned()),
            Err(e) => Some(format!("replay refused: {e}")),
        };
        checks.push(Check {
            step: None,
            label: "replay".to_owned(),
            expected: format!("{} events rebuild the same ledger", log.len()),
            failure,
        });
        Report {
            name: self.name.clone(),
            steps: self.steps.len(),
            events: log.len(),
            checks,
        }
    }
}
