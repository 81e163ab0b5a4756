//! The testing kit: test a loyalty program from Rust.
//!
//! For the engineers who write a merchant's tests, three tools, all built
//! on the merchant's own [`Program`](crate::Program):
//!
//! - **Strategies** for [proptest](https://docs.rs/proptest): [`member`],
//!   [`amount`], [`cart`] (over the products and categories the program's
//!   rules and rewards name), [`purchase`], and [`commands`] — sequences of
//!   every command the program can use, spread over time.
//! - **Given / when / then**: [`Given`] a program and a history, when a
//!   command, then an [`Expect`](crate::scenario::Expect) — the same
//!   expectations scenario files write.
//! - **The property run**: [`PropertyRun`] points random command sequences
//!   at the program and checks the ledger's invariants after every command,
//!   plus any the merchant adds; a failure comes back shrunk to its
//!   shortest sequence.
//! - **Decoders for fuzzing**: [`fuzz`] reads a program, an event log or a
//!   command sequence from raw bytes and checks what the crate promises;
//!   the crate's `fuzz/` targets and its property tests both run them.
//!
//! This module is behind the `testing` feature; add the crate to
//! `[dev-dependencies]` with it:
//!
//! ```toml
//! [dev-dependencies]
//! loyalty = { version = "0.1", features = ["testing"] }
//! ```
//!
//! # Example
//!
//! ```
//! use loyalty::{Enroll, Points, Program, Purchase, Refund};
//! use loyalty::scenario::Expect;
//! use loyalty::testing::{Given, PropertyRun};
//!
//! let program: Program = toml::from_str(r#"
//!     currency = "EUR"
//!     earn = { points = 1, per = "1.00", rounding = "floor" }
//!     refunds = { negative_balance = "clamp" }
//! "#)?;
//!
//! // A story: a refund after the points were spent takes only what is left.
//! let marta: loyalty::MemberId = "marta".parse()?;
//! Given::program(program.clone())
//!     .commands([
//!         loyalty::Command::from(Enroll::new(marta.clone(), "2026-01-05T09:00:00Z".parse()?)),
//!         Purchase::new(marta.clone(), "ORD-1".parse()?, "80.00 EUR".parse()?,
//!             "2026-01-06T09:00:00Z".parse()?).into(),
//!         loyalty::Adjust::new(marta.clone(), "ADJ-1".parse()?, Points::new(-60), "gift",
//!             "2026-01-07T09:00:00Z".parse()?).into(),
//!     ])
//!     .when(Refund::new(marta.clone(), "ORD-1".parse()?, "RF-1".parse()?,
//!         "80.00 EUR".parse()?, "2026-01-08T09:00:00Z".parse()?))
//!     .then(Expect::new().points(Points::new(20)).available(Points::ZERO));
//!
//! // And the invariants over random sequences.
//! let passed = PropertyRun::new(program).sequences(16).run()?;
//! assert!(passed.accepted > 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod fuzz;
mod given;
mod property;
mod strategy;

pub use given::{Given, Then};
pub use property::{Passed, PropertyFailure, PropertyRun};
pub use strategy::{Pools, amount, cart, commands, member, purchase, reference};
