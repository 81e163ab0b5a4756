//! Decoders from raw bytes, for fuzzers and for property tests alike: a
//! program's configuration from JSON, an event log from JSON, and a command
//! sequence from any bytes. Each returns `Err` only when the crate broke a
//! promise — a panic caught, an invariant that did not hold — and `Ok` for
//! every input it accepted or refused properly.
//!
//! The crate's `fuzz/` folder runs them under cargo-fuzz; its tests run
//! them under proptest.

use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::property::{PropertyRun, balances, replay};
use crate::{
    Adjust, CancelRedemption, Cart, Command, Confirm, Currency, Enroll, Event, Ledger, MemberId,
    Money, Points, Program, Purchase, Redeem, Reference, Refund, Tick, Transfer,
};

/// The program command sequences run against: points per euro with a
/// return window, expiry, a debt policy, two rewards, a tier ladder and a
/// campaign.
pub const PROGRAM: &str = r#"{
    "name": "Fuzzed shop",
    "currency": "EUR",
    "earn": {"points": 1, "per": "1.00", "rounding": "floor", "stacking": "multiply",
             "rules": [{"id": "shoes", "categories": ["shoes"], "multiplier": "2"}],
             "limits": {"maximum_per_order": 5000}},
    "pending": {"settle": "after_days", "days": 3},
    "expiry": {"policy": "after_earning", "days": 30},
    "refunds": {"negative_balance": "debt"},
    "bonuses": {"sign_up": 10},
    "campaigns": [{"id": "weekend", "starts_at": "2026-01-01", "ends_at": "2027-01-01",
                   "days": ["saturday"], "multiplier": "2"}],
    "tiers": {"metric": "spend", "window": "calendar_year", "review": "period_end",
              "levels": [{"id": "silver", "threshold": "0"},
                         {"id": "gold", "threshold": "500", "multiplier": "1.5"}]},
    "rewards": [
        {"id": "ten-off", "cost": 100, "kind": "percent_off", "percent": "10"},
        {"id": "cash", "kind": "points_as_cash", "step_points": 100, "step_value": "1.00",
         "minimum_points": 100}
    ]
}"#;

/// Runs `check`, turning a panic into an error that names it.
fn no_panic<T>(what: &str, check: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    match catch_unwind(AssertUnwindSafe(check)) {
        Ok(result) => result,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            Err(format!("{what} panicked: {message}"))
        }
    }
}

/// The fixed program sequences run against.
///
/// # Errors
///
/// Never for the crate as shipped; the text is fixed.
pub fn program() -> Result<Program, String> {
    serde_json::from_str(PROGRAM).map_err(|e| e.to_string())
}

/// A program's configuration from JSON bytes. When accepted, it must
/// survive a round trip through its JSON unchanged, and a short story on
/// it — enrolments, purchases, a redemption, a refund, a transfer, time
/// passing — must keep the ledger's invariants.
///
/// # Errors
///
/// A panic, a round trip that changed the program, or a broken invariant.
///
/// # Example
///
/// ```
/// use loyalty::testing::fuzz;
///
/// assert_eq!(fuzz::program_from_json(br#"{"currency": "EUR"}"#), Ok(()));
/// assert_eq!(fuzz::program_from_json(b"not json"), Ok(())); // refused, properly
/// ```
pub fn program_from_json(bytes: &[u8]) -> Result<(), String> {
    no_panic("reading a program", || {
        let Ok(program) = serde_json::from_slice::<Program>(bytes) else {
            return Ok(());
        };
        let text = serde_json::to_string(&program).map_err(|e| e.to_string())?;
        let again: Program = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
        if again != program {
            return Err(format!("the program changed through its JSON: {text}"));
        }
        let story = story(&program);
        PropertyRun::new(program)
            .check_sequence(&story)
            .map(|_| ())
            .map_err(|f| f.to_string())
    })
}

/// A short story in the program's currency.
fn story(program: &Program) -> Vec<Command> {
    let currency = program.currency();
    let eur = |cents: i64| Money::new(Decimal::new(cents, 2), currency);
    let at = |day: i64| {
        start()
            .checked_add_signed(Duration::days(day))
            .unwrap_or(start())
    };
    let (Ok(marta), Ok(ana)) = ("marta".parse::<MemberId>(), "ana".parse::<MemberId>()) else {
        return Vec::new();
    };
    let r = |s: &str| s.parse::<Reference>().ok();
    let (Some(o1), Some(o2), Some(r1), Some(f1), Some(t1)) =
        (r("O-1"), r("O-2"), r("R-1"), r("F-1"), r("T-1"))
    else {
        return Vec::new();
    };
    let reward = program.rewards().first().map(|r| r.id().clone());
    let mut commands: Vec<Command> = vec![
        Enroll::new(marta.clone(), at(0)).into(),
        Enroll::new(ana.clone(), at(0)).into(),
        Purchase::new(marta.clone(), o1.clone(), eur(12_000), at(1)).into(),
        Purchase::new(marta.clone(), o2, eur(4_550), at(2)).into(),
        Tick::new(at(20)).into(),
    ];
    if let Some(reward) = reward {
        commands.push(Redeem::new(marta.clone(), r1, reward, Cart::new(eur(8_000)), at(21)).into());
    }
    commands.extend([
        Command::from(Refund::new(marta.clone(), o1, f1, eur(6_000), at(22))),
        Transfer::new(marta, ana, t1, Points::new(10), at(23)).into(),
        Tick::new(at(400)).into(),
    ]);
    commands
}

fn start() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2026, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .unwrap_or_default()
}

/// An event log from JSON bytes (an array of events), replayed against
/// [`PROGRAM`]. When the replay is accepted, the ledger must add up, and
/// the log, written out and read again, must replay to the same ledger
/// with the same [`state_hash`](Ledger::state_hash).
///
/// # Errors
///
/// A panic or a broken invariant.
///
/// # Example
///
/// ```
/// use loyalty::testing::fuzz;
///
/// let log = br#"[{"type":"MemberEnrolled","member":"marta","at":"2026-01-05T12:00:00Z"}]"#;
/// assert_eq!(fuzz::replay_from_json(log), Ok(()));
/// assert_eq!(fuzz::replay_from_json(br#"[{"type":"Nonsense"}]"#), Ok(())); // refused whole
/// ```
pub fn replay_from_json(bytes: &[u8]) -> Result<(), String> {
    no_panic("replaying a log", || {
        let program = program()?;
        let Ok(log) = serde_json::from_slice::<Vec<Event>>(bytes) else {
            return Ok(());
        };
        let Ok(ledger) = Ledger::replay(program.clone(), &log) else {
            return Ok(());
        };
        balances(&ledger, &log)?;
        replay(&program, &log, &ledger)?;
        let again = Ledger::replay(program, &log).map_err(|e| e.to_string())?;
        if again.state_hash() != ledger.state_hash() {
            return Err("two replays of one log have different fingerprints".to_owned());
        }
        Ok(())
    })
}

/// Reads bytes in order; past the end, zeros.
struct Bytes<'a> {
    data: &'a [u8],
    at: usize,
}

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        let byte = self.data.get(self.at).copied().unwrap_or(0);
        self.at = self.at.saturating_add(1);
        byte
    }

    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    fn i64(&mut self) -> i64 {
        let mut word = [0_u8; 8];
        for byte in &mut word {
            *byte = self.u8();
        }
        i64::from_le_bytes(word)
    }

    fn done(&self) -> bool {
        self.at >= self.data.len()
    }

    /// An amount in cents: usually an everyday one, sometimes any `i64`.
    fn cents(&mut self) -> i64 {
        match self.u8() % 16 {
            0 => self.i64(),
            1 => 0,
            _ => i64::from(self.u16()).saturating_mul(3),
        }
    }

    /// Points: usually small, sometimes any `i64`.
    fn points(&mut self) -> i64 {
        match self.u8() % 16 {
            0 => self.i64(),
            _ => i64::from(self.u16() % 600).saturating_sub(200),
        }
    }

    /// Seconds to the next command: often none, hours to weeks, now and
    /// then back in time.
    fn gap(&mut self) -> i64 {
        let unit = i64::from(self.u16());
        match self.u8() % 8 {
            0 | 1 => 0,
            2 => unit,
            3 | 4 => unit.saturating_mul(30),
            5 => unit.saturating_mul(600),
            6 => 3 * 86_400,
            _ => unit.saturating_mul(-5),
        }
    }
}

/// A command sequence decoded from any bytes against [`PROGRAM`]: each
/// command takes a few bytes (which command, whose, which reference, an
/// amount or points, the time since the last), so a fuzzer's mutations
/// change commands locally. Of the five references of each kind, three
/// are short (`O0`, `O1`, `O2` for orders), two of 18 bytes
/// (`O-2026-00000000003`, `O/2026/00000000004`), which the ledger holds
/// in two other ways.
///
/// # Example
///
/// ```
/// use loyalty::Command;
/// use loyalty::testing::fuzz;
///
/// // Kind 0 (enrol), member 1, member 0 (unused), reference 0, no time gap.
/// let commands = fuzz::decode_commands(&[0, 1, 0, 0, 0, 0, 0]);
/// assert!(matches!(commands.as_slice(), [Command::Enroll(e)] if e.member.as_str() == "m1"));
/// assert!(fuzz::decode_commands(&[]).is_empty());
/// ```
pub fn decode_commands(bytes: &[u8]) -> Vec<Command> {
    let mut input = Bytes { data: bytes, at: 0 };
    let mut at = start();
    let mut commands = Vec::new();
    let members: Vec<MemberId> = ["m0", "m1", "m2"]
        .iter()
        .filter_map(|m| m.parse().ok())
        .collect();
    let shoe: Option<crate::Category> = "shoes".parse().ok();
    while !input.done() && commands.len() < 400 {
        let kind = input.u8();
        let pick = |i: u8| members.get(usize::from(i % 3)).cloned();
        let (Some(a), Some(b)) = (pick(input.u8()), pick(input.u8())) else {
            break;
        };
        let n = input.u8() % 5;
        // Two of the five references of each kind are long: one the
        // ledger packs in its record's key, one it holds beside.
        let reference = |prefix: &str| {
            match n {
                3 => format!("{prefix}-2026-{n:011}"),
                4 => format!("{prefix}/2026/{n:011}"),
                _ => format!("{prefix}{n}"),
            }
            .parse::<Reference>()
            .ok()
        };
        at = at
            .checked_add_signed(Duration::seconds(input.gap()))
            .unwrap_or(at);
        let eur = |cents: i64| Money::new(Decimal::new(cents, 2), Currency::EUR);
        let command: Option<Command> = match kind % 11 {
            0 => Some(Enroll::new(a, at).into()),
            1 | 2 => reference("O").map(|o| Purchase::new(a, o, eur(input.cents()), at).into()),
            3 => {
                let cart = match (&shoe, input.u8() % 2) {
                    (Some(shoe), 0) => {
                        Cart::of([crate::Line::amount(eur(input.cents())).category(shoe.clone())])
                    }
                    _ => Cart::new(eur(input.cents())),
                };
                let total = cart.total().unwrap_or(eur(0));
                reference("O").map(|o| Purchase::new(a, o, total, at).with_cart(cart).into())
            }
            4 => reference("O").map(|o| Confirm::new(a, o, at).into()),
            5 => {
                let (reward, points) = if input.u8().is_multiple_of(2) {
                    ("ten-off", None)
                } else {
                    (
                        "cash",
                        Some(Points::new(i64::from(input.u8()).saturating_mul(100))),
                    )
                };
                let cart = Cart::new(eur(input.cents()));
                match (reference("R"), reward.parse()) {
                    (Some(r), Ok(reward)) => {
                        let redeem = Redeem::new(a, r, reward, cart, at);
                        Some(match points {
                            Some(p) => redeem.points(p).into(),
                            None => redeem.into(),
                        })
                    }
                    _ => None,
                }
            }
            6 => reference("R").map(|r| CancelRedemption::new(a, r, at).into()),
            7 => match (reference("O"), reference("F")) {
                (Some(o), Some(f)) => Some(Refund::new(a, o, f, eur(input.cents()), at).into()),
                _ => None,
            },
            8 => reference("A")
                .map(|j| Adjust::new(a, j, Points::new(input.points()), "fuzz", at).into()),
            9 => reference("T")
                .map(|t| Transfer::new(a, b, t, Points::new(input.points()), at).into()),
            _ => Some(Tick::new(at).into()),
        };
        commands.extend(command);
    }
    commands
}

/// A command sequence from any bytes ([`decode_commands`]) run against
/// [`PROGRAM`], checked after every command as [`PropertyRun`] checks
/// its sequences.
///
/// # Errors
///
/// A panic or a broken invariant, with the commands that broke it.
///
/// # Example
///
/// ```
/// use loyalty::testing::fuzz;
///
/// assert_eq!(fuzz::commands_from_bytes(b"\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x07\x10"), Ok(()));
/// ```
pub fn commands_from_bytes(bytes: &[u8]) -> Result<(), String> {
    no_panic("running commands", || {
        let program = program()?;
        let commands = decode_commands(bytes);
        PropertyRun::new(program)
            .check_sequence(&commands)
            .map(|_| ())
            .map_err(|f| f.to_string())
    })
}
