//! The property run: random command sequences against a merchant's
//! program, checked against the ledger's invariants.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};

use super::strategy::{Pools, commands};
use crate::{Command, Decision, EarnLine, Event, Ledger, MemberId, Points, Program, Reference};

/// A check a merchant adds to the run: given the ledger after an accepted
/// command and the command's decision, `Err` says what is wrong.
type Custom = Box<dyn Fn(&Ledger, &Decision) -> Result<(), String>>;

/// Random command sequences against a program, each checked after every
/// command against the ledger's invariants and the merchant's own:
///
/// - **replay** — replaying the events, from memory and from their JSON,
///   gives the same ledger;
/// - **balances** — every member's available and pending points are what
///   their events add up to;
/// - **no debt from spending** — a redemption, a transfer or a manual
///   debit never takes a balance below zero, nor deepens a debt;
/// - **points never earn points** — what a purchase earns on is never more
///   than the money paid;
/// - **clawback within earnings** — refunds never take back more than the
///   order earned;
/// - **exactly once** — a reference never records twice, and a retry of an
///   accepted command is recognised and changes nothing;
/// - **referral counts** — each referrer's count of successful referrals,
///   which the ladder pays by, is the number of their friends whose
///   referral stands successful;
/// - **tier windows** — the running sum a tier decision reads for a
///   member's current window is what their orders and bonuses in that
///   window add up to;
/// - **refusals change nothing** — a refused command leaves the ledger as
///   it was, and no command is refused as an internal inconsistency.
///
/// A failure comes back shrunk to the shortest sequence proptest finds,
/// as a [`PropertyFailure`] that prints the commands and can be saved as a
/// scenario file.
///
/// Runs are deterministic: the same program, settings and
/// [`seed`](PropertyRun::seed) generate the same sequences. proptest's own
/// `PROPTEST_*` environment variables (such as `PROPTEST_MAX_SHRINK_ITERS`)
/// apply; the number of sequences is the one set here.
///
/// # Example
///
/// ```
/// use loyalty::Program;
/// use loyalty::testing::PropertyRun;
///
/// let program: Program = serde_json::from_str(r#"{"currency": "EUR",
///     "earn": {"points": 1, "per": "1.00", "rounding": "floor"},
///     "rewards": [{"id": "ten-off", "cost": 100, "kind": "percent_off", "percent": "10"}]}"#)?;
/// let passed = PropertyRun::new(program).sequences(32).steps(40).run()?;
/// assert_eq!(passed.sequences, 32);
/// assert!(passed.accepted > 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PropertyRun {
    program: Program,
    pools: Pools,
    sequences: u32,
    steps: usize,
    seed: u64,
    custom: Vec<(String, Custom)>,
}

impl fmt::Debug for PropertyRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.custom.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("PropertyRun")
            .field("program", &self.program.name())
            .field("pools", &self.pools)
            .field("sequences", &self.sequences)
            .field("steps", &self.steps)
            .field("seed", &self.seed)
            .field("custom", &names)
            .finish()
    }
}

/// What a run that found nothing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Passed {
    /// Sequences run.
    pub sequences: u32,
    /// Commands run, over all sequences.
    pub commands: u64,
    /// Commands the ledger accepted (the rest it refused, as it should
    /// have: unknown members, insufficient points, conflicts, ...).
    pub accepted: u64,
}

impl fmt::Display for Passed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} sequences, {} commands ({} accepted): every invariant held",
            self.sequences, self.commands, self.accepted
        )
    }
}

/// An invariant that broke, and the shortest command sequence found that
/// breaks it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PropertyFailure {
    /// The invariant's name (`replay`, `exactly once`, or a custom
    /// check's).
    pub invariant: String,
    /// What was wrong.
    pub message: String,
    /// The step (from 1) after which it was found; 0 when found after the
    /// whole sequence.
    pub step: usize,
    /// The commands, shrunk.
    pub commands: Vec<Command>,
    program: Box<Program>,
}

impl PropertyFailure {
    /// The failing sequence as a JSON scenario file: the program and the
    /// commands as steps, ready to save, add the expectation that fails,
    /// and keep as a regression test.
    pub fn scenario_json(&self) -> String {
        use serde_json::Value;
        let steps: Vec<Value> = self.commands.iter().map(step_json).collect();
        let mut scenario = serde_json::Map::new();
        let name = format!("{} ({})", self.invariant, self.program.name());
        scenario.insert("name".to_owned(), Value::String(name));
        scenario.insert(
            "description".to_owned(),
            Value::String(self.message.clone()),
        );
        let program = serde_json::to_value(&*self.program).unwrap_or_default();
        scenario.insert("program".to_owned(), program);
        scenario.insert("steps".to_owned(), Value::Array(steps));
        serde_json::to_string_pretty(&Value::Object(scenario)).unwrap_or_default()
    }
}

/// A command as a scenario step: `{"purchase": {...}}`.
fn step_json(command: &Command) -> serde_json::Value {
    use serde_json::Value;
    match serde_json::to_value(command) {
        Ok(Value::Object(mut fields)) => {
            let key = match fields.remove("command") {
                Some(Value::String(key)) => key,
                _ => "command".to_owned(),
            };
            let mut step = serde_json::Map::new();
            step.insert(key, Value::Object(fields));
            Value::Object(step)
        }
        _ => Value::Null,
    }
}

impl fmt::Display for PropertyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invariant broken: {}: {}", self.invariant, self.message)?;
        if self.step > 0 {
            write!(f, " (after step {})", self.step)?;
        }
        write!(
            f,
            "\nthe shortest sequence found, {} commands:",
            self.commands.len()
        )?;
        for (number, command) in (1_usize..).zip(&self.commands) {
            let json = serde_json::to_string(&step_json(command)).unwrap_or_default();
            write!(f, "\n  {number:>3}. {json}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PropertyFailure {}

/// Where an invariant broke, inside one sequence.
struct Violation {
    invariant: String,
    message: String,
    step: usize,
}

impl PropertyRun {
    /// A run against `program`: 256 sequences of up to 100 commands over
    /// [`Pools::default`], seed 0.
    pub fn new(program: Program) -> PropertyRun {
        PropertyRun {
            program,
            pools: Pools::default(),
            sequences: 256,
            steps: 100,
            seed: 0,
            custom: Vec::new(),
        }
    }

    /// How many sequences to run.
    pub fn sequences(mut self, count: u32) -> PropertyRun {
        self.sequences = count;
        self
    }

    /// The most commands in a sequence (at least 1).
    pub fn steps(mut self, count: usize) -> PropertyRun {
        self.steps = count.max(1);
        self
    }

    /// The members and references commands draw from.
    pub fn pools(mut self, pools: Pools) -> PropertyRun {
        self.pools = pools;
        self
    }

    /// Another seed, for other sequences.
    pub fn seed(mut self, seed: u64) -> PropertyRun {
        self.seed = seed;
        self
    }

    /// Adds the merchant's own invariant, checked after every accepted
    /// command with the ledger and the command's decision.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::{Event, Program};
    /// use loyalty::testing::PropertyRun;
    ///
    /// let program: Program = serde_json::from_str(r#"{"currency": "EUR",
    ///     "earn": {"points": 1, "per": "1.00", "rounding": "floor",
    ///              "limits": {"maximum_per_order": 500}}}"#)?;
    /// PropertyRun::new(program)
    ///     .sequences(16)
    ///     .invariant("no order earns more than 500 points", |_, decision| {
    ///         match decision.events.iter().find_map(|e| match e {
    ///             Event::PurchaseRecorded(p) if p.points.value() > 500 => Some(p.points),
    ///             _ => None,
    ///         }) {
    ///             Some(points) => Err(format!("an order earned {points}")),
    ///             None => Ok(()),
    ///         }
    ///     })
    ///     .run()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn invariant(
        mut self,
        name: impl Into<String>,
        check: impl Fn(&Ledger, &Decision) -> Result<(), String> + 'static,
    ) -> PropertyRun {
        self.custom.push((name.into(), Box::new(check)));
        self
    }

    /// Runs the sequences.
    ///
    /// # Errors
    ///
    /// The first invariant broken, with its sequence shrunk.
    pub fn run(&self) -> Result<Passed, PropertyFailure> {
        let config = Config {
            cases: self.sequences,
            failure_persistence: None,
            ..Config::default()
        };
        let mut seed = [0_u8; 32];
        for (byte, value) in seed.iter_mut().zip(self.seed.to_le_bytes()) {
            *byte = value;
        }
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
        let strategy = commands(&self.program, &self.pools, 1..self.steps.saturating_add(1));
        let counted = Cell::new((0_u64, 0_u64));
        let result = runner.run(&strategy, |sequence| {
            let (run, accepted) = counted.get();
            let (violation, done) = self.check(&sequence);
            counted.set((
                run.saturating_add(sequence.len() as u64),
                accepted.saturating_add(done),
            ));
            match violation {
                Some(v) => Err(TestCaseError::fail(v.message)),
                None => Ok(()),
            }
        });
        match result {
            Ok(()) => {
                let (commands, accepted) = counted.get();
                Ok(Passed {
                    sequences: self.sequences,
                    commands,
                    accepted,
                })
            }
            Err(TestError::Fail(reason, sequence)) => {
                let violation = self.check(&sequence).0.unwrap_or(Violation {
                    invariant: "unrepeatable".to_owned(),
                    message: reason.to_string(),
                    step: 0,
                });
                Err(PropertyFailure {
                    invariant: violation.invariant,
                    message: violation.message,
                    step: violation.step,
                    commands: sequence,
                    program: Box::new(self.program.clone()),
                })
            }
            Err(TestError::Abort(reason)) => Err(PropertyFailure {
                invariant: "aborted".to_owned(),
                message: reason.to_string(),
                step: 0,
                commands: Vec::new(),
                program: Box::new(self.program.clone()),
            }),
        }
    }

    /// Checks one given sequence as the run checks each of its own: for a
    /// sequence from elsewhere (a fuzzer, a production incident, a saved
    /// failure). The merchant's invariants are checked too; the sequence
    /// is not shrunk.
    ///
    /// # Errors
    ///
    /// The first invariant broken.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::{Command, Enroll, Program, Purchase};
    /// use loyalty::testing::PropertyRun;
    ///
    /// let program: Program = serde_json::from_str(r#"{"currency": "EUR"}"#)?;
    /// let at = "2026-01-05T09:00:00Z".parse()?;
    /// let sequence: Vec<Command> = vec![
    ///     Enroll::new("marta".parse()?, at).into(),
    ///     Purchase::new("marta".parse()?, "ORD-1".parse()?, "10.00 EUR".parse()?, at).into(),
    ///     Purchase::new("ana".parse()?, "ORD-1".parse()?, "10.00 EUR".parse()?, at).into(),
    /// ];
    /// assert_eq!(PropertyRun::new(program).check_sequence(&sequence)?, 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_sequence(&self, commands: &[Command]) -> Result<u64, PropertyFailure> {
        match self.check(commands) {
            (None, accepted) => Ok(accepted),
            (Some(v), _) => Err(PropertyFailure {
                invariant: v.invariant,
                message: v.message,
                step: v.step,
                commands: commands.to_vec(),
                program: Box::new(self.program.clone()),
            }),
        }
    }

    /// Asserts the run: for a `#[test]`.
    ///
    /// # Panics
    ///
    /// With the [`PropertyFailure`], when an invariant breaks.
    #[track_caller]
    #[allow(clippy::panic)] // an assertion helper: failing is its purpose
    pub fn assert(&self) -> Passed {
        match self.run() {
            Ok(passed) => passed,
            Err(failure) => panic!("{failure}"),
        }
    }

    /// Runs one sequence: the first violation, and how many commands were
    /// accepted.
    fn check(&self, sequence: &[Command]) -> (Option<Violation>, u64) {
        let mut ledger = Ledger::new(self.program.clone());
        let mut log: Vec<Event> = Vec::new();
        let mut accepted: Vec<&Command> = Vec::new();
        for (step, command) in (1_usize..).zip(sequence) {
            let found = |invariant: &str, message: String| Violation {
                invariant: invariant.to_owned(),
                message,
                step,
            };
            let before = ledger.clone();
            let decision = match ledger.execute(command.clone()) {
                Ok(decision) => decision,
                Err(error) => {
                    if matches!(error, crate::Error::Inconsistent(_)) {
                        return (Some(found("refusals change nothing", error.to_string())), 0);
                    }
                    if ledger != before {
                        let message = format!("refused ({error}) and changed the ledger");
                        return (Some(found("refusals change nothing", message)), 0);
                    }
                    continue;
                }
            };
            accepted.push(command);
            log.extend(decision.events.iter().cloned());
            let checks = [
                (
                    "no debt from spending",
                    no_debt_from_spending(command, &before, &ledger),
                ),
                ("points never earn points", points_never_earn(&decision)),
                ("exactly once", retried(command, &decision, &ledger)),
                ("balances", balances(&ledger, &log)),
                ("referral counts", referral_counts(&ledger)),
                ("tier windows", tier_windows(&ledger)),
            ];
            for (invariant, result) in checks {
                if let Err(message) = result {
                    return (Some(found(invariant, message)), 0);
                }
            }
            for (name, check) in &self.custom {
                if let Err(message) = check(&ledger, &decision) {
                    return (Some(found(name, message)), 0);
                }
            }
        }
        let done = accepted.len() as u64;
        let end = [
            ("clawback within earnings", clawback_within_earnings(&log)),
            ("exactly once", references_once(&log)),
            ("exactly once", retries_change_nothing(&accepted, &ledger)),
            ("replay", replay(&self.program, &log, &ledger)),
        ];
        for (invariant, result) in end {
            if let Err(message) = result {
                let violation = Violation {
                    invariant: invariant.to_owned(),
                    message,
                    step: 0,
                };
                return (Some(violation), done);
            }
        }
        (None, done)
    }
}

/// Whether retrying `command` must be recognised: it carries a reference.
fn is_referenced(command: &Command) -> bool {
    !matches!(
        command,
        Command::Tick(_)
            | Command::ReevaluateTiers(_)
            | Command::LinkReferral(_)
            | Command::IssueReferralCode(_)
            | Command::RecordFingerprints(_)
    )
}

/// A retry of an accepted command, straight after it, is a duplicate with
/// no events.
fn retried(command: &Command, decision: &Decision, ledger: &Ledger) -> Result<(), String> {
    if !is_referenced(command) || decision.duplicate {
        return Ok(());
    }
    match ledger.decide(command.clone()) {
        Ok(again) if again.duplicate && again.events.is_empty() => Ok(()),
        Ok(again) => Err(format!(
            "a retry of {} was not recognised: {} events",
            crate::scenario::label(command),
            again.events.len()
        )),
        Err(error) => Err(format!(
            "a retry of {} was refused: {error}",
            crate::scenario::label(command)
        )),
    }
}

/// At the end, every accepted command with a reference, retried, changes
/// nothing.
fn retries_change_nothing(accepted: &[&Command], ledger: &Ledger) -> Result<(), String> {
    for command in accepted.iter().filter(|c| is_referenced(c)) {
        if let Ok(again) = ledger.decide((*command).clone())
            && !again.events.is_empty()
        {
            return Err(format!(
                "a late retry of {} recorded {} events",
                crate::scenario::label(command),
                again.events.len()
            ));
        }
    }
    Ok(())
}

/// A redemption, a transfer or a manual debit never takes a balance below
/// zero, nor deepens a debt.
fn no_debt_from_spending(command: &Command, before: &Ledger, after: &Ledger) -> Result<(), String> {
    let member = match command {
        Command::Redeem(c) => &c.member,
        Command::Transfer(c) => &c.from,
        Command::Adjust(c) => &c.member,
        _ => return Ok(()),
    };
    let was = before
        .account(member)
        .map_or(Points::ZERO, |a| a.balance().available);
    let now = after
        .account(member)
        .map_or(Points::ZERO, |a| a.balance().available);
    if now.is_negative() && now < was {
        return Err(format!(
            "{} took {member} from {was} to {now} points",
            crate::scenario::label(command)
        ));
    }
    Ok(())
}

/// What a purchase earns on is never more than the money paid.
fn points_never_earn(decision: &Decision) -> Result<(), String> {
    for event in &decision.events {
        let Event::PurchaseRecorded(e) = event else {
            continue;
        };
        for line in &e.breakdown {
            if let EarnLine::Base { eligible, .. } = line
                && eligible.amount() > e.amount.amount()
            {
                return Err(format!(
                    "order {} earned on {eligible}, more than the {} paid",
                    e.order, e.amount
                ));
            }
        }
    }
    Ok(())
}

/// Per member: what their events add up to, in i128 so that no sum
/// overflows.
fn sums(log: &[Event]) -> BTreeMap<&MemberId, i128> {
    let mut out: BTreeMap<&MemberId, i128> = BTreeMap::new();
    for event in log {
        let value = |p: Points| i128::from(p.value());
        let delta: i128 = match event {
            Event::PurchaseRecorded(e) => value(e.points),
            Event::BonusAwarded(e) => value(e.points),
            Event::ReferralRewarded(e) => value(e.points()),
            Event::RewardRedeemed(e) => value(e.points).saturating_neg(),
            Event::RedemptionCancelled(e) => value(e.points),
            Event::OrderRefunded(e) => {
                let restored: i128 = e.restored.iter().map(|r| value(r.points)).sum();
                let clawed = value(e.clawback.points)
                    .saturating_sub(value(e.clawback.forgiven))
                    .saturating_sub(value(e.clawback.expired));
                restored.saturating_sub(clawed)
            }
            Event::PointsExpired(e) => value(e.points).saturating_neg(),
            Event::PointsAdjusted(e) => value(e.points),
            Event::PointsTransferredIn(e) => value(e.points),
            Event::PointsTransferredOut(e) => value(e.points).saturating_neg(),
            Event::ReferralReversed(e) => value(e.points)
                .saturating_sub(value(e.forgiven))
                .saturating_neg(),
            _ => 0,
        };
        let total = out.entry(event.member()).or_default();
        *total = total.saturating_add(delta);
    }
    out
}

/// Every member's available and pending points are what their events add
/// up to.
pub(super) fn balances(ledger: &Ledger, log: &[Event]) -> Result<(), String> {
    let sums = sums(log);
    for account in ledger.accounts() {
        let balance = account.balance();
        let held = i128::from(balance.available.value())
            .saturating_add(i128::from(balance.pending.value()));
        let added = sums.get(account.member()).copied().unwrap_or_default();
        if held != added {
            return Err(format!(
                "{} holds {} available and {} pending, but the events add up to {added}",
                account.member(),
                balance.available,
                balance.pending
            ));
        }
    }
    Ok(())
}

/// Each referrer's count of successful referrals, which the ladder pays
/// by, is the number of their friends whose referral stands successful;
/// and so is the count since any of their times, which period limits go
/// by.
fn referral_counts(ledger: &Ledger) -> Result<(), String> {
    for account in ledger.accounts() {
        let book = account.book();
        let standing = book
            .referees
            .values()
            .filter(|r| r.success.is_some())
            .count();
        if usize::try_from(book.successes()).ok() != Some(standing) {
            return Err(format!(
                "{} counts {} successful referrals, but {standing} of their friends stand successful",
                account.member(),
                book.successes()
            ));
        }
        // And the count since each success's time, for per-period limits.
        for since in book.referees.values().filter_map(|r| r.success.as_ref()) {
            let since = since.at;
            let after = book
                .referees
                .values()
                .filter(|r| r.success.as_ref().is_some_and(|s| s.at >= since))
                .count();
            if usize::try_from(book.successes_since(since)).ok() != Some(after) {
                return Err(format!(
                    "{} counts {} successful referrals since {since}, but {after} of their friends first paid since",
                    account.member(),
                    book.successes_since(since)
                ));
            }
        }
    }
    Ok(())
}

/// Each member's running tier-window sum is the sum of the contributions
/// in its window.
fn tier_windows(ledger: &Ledger) -> Result<(), String> {
    match ledger
        .accounts()
        .find(|a| !a.qualifying.window_agrees(&a.orders))
    {
        Some(account) => Err(format!(
            "{}'s running tier-window sum is not what their orders and bonuses in the window add up to",
            account.member()
        )),
        None => Ok(()),
    }
}

/// Refunds never take back more than the order earned.
fn clawback_within_earnings(log: &[Event]) -> Result<(), String> {
    let mut earned: BTreeMap<(&MemberId, &Reference), i128> = BTreeMap::new();
    let mut clawed: BTreeMap<(&MemberId, &Reference), i128> = BTreeMap::new();
    for event in log {
        match event {
            Event::PurchaseRecorded(e) => {
                earned.insert((&e.member, &e.order), i128::from(e.points.value()));
            }
            Event::OrderRefunded(e) => {
                let total = clawed.entry((&e.member, &e.order)).or_default();
                *total = total.saturating_add(i128::from(e.clawback.points.value()));
                let limit = earned
                    .get(&(&e.member, &e.order))
                    .copied()
                    .unwrap_or_default();
                if *total > limit {
                    return Err(format!(
                        "refunds of {}'s order {} took back {total} points, it earned {limit}",
                        e.member, e.order
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// No reference records twice: one purchase per order, one redemption,
/// refund, adjustment, transfer per reference, per member.
fn references_once(log: &[Event]) -> Result<(), String> {
    let mut seen: BTreeSet<(&MemberId, &'static str, &Reference)> = BTreeSet::new();
    for event in log {
        let key = match event {
            Event::PurchaseRecorded(e) => ("order", &e.order),
            Event::RewardRedeemed(e) => ("redemption", &e.redemption),
            Event::RedemptionCancelled(e) => ("cancellation", &e.redemption),
            Event::OrderRefunded(e) => ("refund", &e.refund),
            Event::PointsAdjusted(e) => ("adjustment", &e.adjustment),
            Event::PointsTransferredOut(e) => ("transfer out", &e.transfer),
            Event::PointsTransferredIn(e) => ("transfer in", &e.transfer),
            _ => continue,
        };
        if !seen.insert((event.member(), key.0, key.1)) {
            return Err(format!(
                "{} {} recorded twice for {}",
                key.0,
                key.1,
                event.member()
            ));
        }
    }
    Ok(())
}

/// Replaying the events, from memory and from their JSON, gives the same
/// ledger.
pub(super) fn replay(program: &Program, log: &[Event], ledger: &Ledger) -> Result<(), String> {
    match Ledger::replay(program.clone(), log) {
        Ok(replayed) if replayed == *ledger => {}
        Ok(_) => return Err("the replayed ledger differs from the live one".to_owned()),
        Err(error) => return Err(format!("replay refused: {error}")),
    }
    let stored = serde_json::to_string(log).map_err(|e| e.to_string())?;
    let read: Vec<Event> = serde_json::from_str(&stored).map_err(|e| e.to_string())?;
    match Ledger::replay(program.clone(), &read) {
        Ok(replayed) if replayed == *ledger => Ok(()),
        Ok(_) => Err("the ledger replayed from JSON differs from the live one".to_owned()),
        Err(error) => Err(format!("replay from JSON refused: {error}")),
    }
}
