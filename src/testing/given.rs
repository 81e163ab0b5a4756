//! Given a program and a history, when a command, then what to expect.

use std::borrow::Borrow;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::scenario::{Expect, Outcome, verify};
use crate::{Cart, Command, Decision, Error, Event, Ledger, MemberId, Program, Quote};

/// The start of a given/when/then test: a program and what already
/// happened.
///
/// `then` checks an [`Expect`] — the same expectations a scenario file
/// writes — and panics with every failed one listed, as `assert!` does;
/// [`Then::check`] returns them instead.
///
/// # Example
///
/// ```
/// use loyalty::{Enroll, Points, Program, Purchase};
/// use loyalty::scenario::Expect;
/// use loyalty::testing::Given;
///
/// let program: Program = serde_json::from_str(r#"{"currency": "EUR",
///     "earn": {"points": 1, "per": "1.00", "rounding": "floor"}}"#)?;
/// let marta: loyalty::MemberId = "marta".parse()?;
///
/// Given::program(program)
///     .commands([Enroll::new(marta.clone(), "2026-01-05T09:00:00Z".parse()?)])
///     .when(Purchase::new(marta.clone(), "ORD-1".parse()?, "57.40 EUR".parse()?,
///         "2026-01-12T10:00:00Z".parse()?))
///     .then(Expect::new()
///         .points(Points::new(57))
///         .available(Points::new(57))
///         .events(["PurchaseRecorded"]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Given {
    ledger: Ledger,
    log: Vec<Event>,
}

impl Given {
    /// A fresh ledger running `program`.
    pub fn program(program: Program) -> Given {
        Given {
            ledger: Ledger::new(program),
            log: Vec::new(),
        }
    }

    /// Applies stored events, as a host replays its log.
    ///
    /// # Panics
    ///
    /// When an event does not fit the ledger, naming it and why: the
    /// history given is not one this program's ledger could have written.
    #[track_caller]
    #[allow(clippy::panic)] // an assertion helper: failing is its purpose
    pub fn events<E: Borrow<Event>>(mut self, events: impl IntoIterator<Item = E>) -> Given {
        for (number, event) in (1_usize..).zip(events) {
            let event = event.borrow();
            if let Err(error) = self.ledger.apply(event) {
                panic!("given event {number} ({event}) does not apply: {error}");
            }
            self.log.push(event.clone());
        }
        self
    }

    /// Runs commands, as the history.
    ///
    /// # Panics
    ///
    /// When one is refused, naming it and why.
    #[track_caller]
    #[allow(clippy::panic)] // an assertion helper: failing is its purpose
    pub fn commands<C: Into<Command>>(mut self, commands: impl IntoIterator<Item = C>) -> Given {
        for (number, command) in (1_usize..).zip(commands) {
            let command = command.into();
            match self.ledger.execute(command.clone()) {
                Ok(decision) => self.log.extend(decision.events),
                Err(error) => panic!(
                    "given command {number} ({}) was refused ({}): {error}",
                    crate::scenario::label(&command),
                    error.kind()
                ),
            }
        }
        self
    }

    /// The ledger so far.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// The events so far: those given and those the given commands
    /// emitted.
    pub fn log(&self) -> &[Event] {
        &self.log
    }

    /// Runs `command`; a refusal is an outcome to check, not a failure.
    pub fn when(mut self, command: impl Into<Command>) -> Then {
        let command = command.into();
        let before = self.ledger.clone();
        let result = self.ledger.execute(command.clone());
        let unchanged = result.is_ok() || self.ledger == before;
        Then {
            label: crate::scenario::label(&command),
            member: command.member().cloned(),
            ledger: self.ledger,
            outcome: WhenOutcome::Command(Box::new(result)),
            unchanged,
        }
    }

    /// Asks which rewards `member` can have on `cart` at `at`.
    pub fn when_quote(self, member: &MemberId, cart: &Cart, at: DateTime<Utc>) -> Then {
        let result = self.ledger.quote(member, cart, at);
        Then {
            label: format!("quote {member}"),
            member: Some(member.clone()),
            ledger: self.ledger,
            outcome: WhenOutcome::Quote(result),
            unchanged: true,
        }
    }
}

#[derive(Debug, Clone)]
enum WhenOutcome {
    Command(Box<Result<Decision, Error>>),
    Quote(Result<Quote, Error>),
}

/// What a `when` did, to check with [`Then::then`].
#[derive(Debug, Clone)]
pub struct Then {
    label: String,
    member: Option<MemberId>,
    ledger: Ledger,
    outcome: WhenOutcome,
    unchanged: bool,
}

impl Then {
    /// Checks `expect` against what happened; the member read by default is
    /// the command's.
    ///
    /// # Errors
    ///
    /// Every failed expectation, each as `expected available 37, got 39`.
    /// A refused command that changed the ledger fails too.
    pub fn check(&self, expect: &Expect) -> Result<(), Vec<String>> {
        let outcome = match &self.outcome {
            WhenOutcome::Command(result) => Outcome::Command(result.as_ref()),
            WhenOutcome::Quote(result) => Outcome::Quote(result),
        };
        let mut failures: Vec<String> = verify(expect, outcome, self.member.as_ref(), &self.ledger)
            .into_iter()
            .filter_map(|v| v.failure)
            .collect();
        if !self.unchanged {
            failures.push("the refused command changed the ledger".to_owned());
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(failures)
        }
    }

    /// Asserts `expect`, and returns `self` for more.
    ///
    /// # Panics
    ///
    /// When any expectation fails, listing every failure under the
    /// command's summary.
    #[track_caller]
    #[allow(clippy::panic)] // an assertion helper: failing is its purpose
    pub fn then(self, expect: Expect) -> Then {
        if let Err(failures) = self.check(&expect) {
            let mut message = format!("when {}:", self.label);
            for failure in failures {
                let _ = write!(message, "\n  {failure}");
            }
            panic!("{message}");
        }
        self
    }

    /// The decision, when the command was accepted.
    pub fn decision(&self) -> Option<&Decision> {
        match &self.outcome {
            WhenOutcome::Command(result) => result.as_ref().as_ref().ok(),
            WhenOutcome::Quote(_) => None,
        }
    }

    /// The quote, when one was asked for and given.
    pub fn quote(&self) -> Option<&Quote> {
        match &self.outcome {
            WhenOutcome::Quote(Ok(quote)) => Some(quote),
            _ => None,
        }
    }

    /// The refusal, when there was one.
    pub fn error(&self) -> Option<&Error> {
        match &self.outcome {
            WhenOutcome::Command(result) => result.as_ref().as_ref().err(),
            WhenOutcome::Quote(result) => result.as_ref().err(),
        }
    }

    /// The ledger after the command.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }
}
