//! The testing kit, used as a merchant's team would: the property run
//! against the shipped programs, a merchant's own invariant caught and
//! shrunk, given/when/then, and the strategies' shapes.

use std::path::Path;

use loyalty::scenario::{Expect, Scenario};
use loyalty::testing::{Given, Pools, PropertyRun, cart, commands, purchase};
use loyalty::*;
use proptest::prelude::*;

use crate::support::*;

/// A shipped program file.
#[allow(clippy::disallowed_methods)] // the tests read the example programs
fn program_file(path: &str) -> Program {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The inline program of a shipped scenario.
#[allow(clippy::disallowed_methods)]
fn scenario_program(path: &str) -> Program {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&path).unwrap();
    let scenario = loyalty::scenario::parse_scenario(&path, &text).unwrap();
    scenario.inline_program().unwrap().clone()
}

#[test]
fn the_shipped_programs_keep_every_invariant_under_random_sequences() {
    let programs = [
        program_file("examples/clothing_store.toml"),
        program_file("examples/vip_tiers.toml"),
        scenario_program("tests/scenarios/earning.toml"),
        scenario_program("tests/scenarios/rewards.json"),
        scenario_program("tests/scenarios/pending_and_expiry.toml"),
        scenario_program("tests/scenarios/refunds.toml"),
        scenario_program("tests/scenarios/memberships.toml"),
        scenario_program("tests/scenarios/referrals.toml"),
    ];
    for program in programs {
        let passed = PropertyRun::new(program.clone())
            .sequences(48)
            .steps(60)
            .assert();
        assert_eq!(passed.sequences, 48);
        // The generator speaks the program's language: a good share of
        // what it sends is accepted, so the invariants see real activity.
        assert!(
            passed.accepted * 4 > passed.commands,
            "{}: {passed}",
            program.name()
        );
    }
}

#[test]
fn a_merchants_own_invariant_that_breaks_comes_back_shrunk() {
    let run = PropertyRun::new(program_file("examples/clothing_store.toml"))
        .sequences(64)
        .invariant(
            "nobody holds more than 300 points",
            |ledger, _| match ledger
                .accounts()
                .find(|a| a.balance().available > Points::new(300))
            {
                Some(a) => Err(format!("{} holds {}", a.member(), a.balance().available)),
                None => Ok(()),
            },
        );
    let failure = run.run().unwrap_err();
    assert_eq!(failure.invariant, "nobody holds more than 300 points");
    // Shrunk: an enrolment and what crossed 300 (here, a credit of
    // i64::MAX points by hand).
    assert!(failure.commands.len() <= 4, "{failure}");
    assert!(
        matches!(failure.commands[0], Command::Enroll(_)),
        "{failure}"
    );
    assert_eq!(failure.step, failure.commands.len());
    let text = failure.to_string();
    assert!(
        text.starts_with("invariant broken: nobody holds more than 300 points: member-"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "the shortest sequence found, {} commands:\n    1. {{\"enroll\":",
            failure.commands.len()
        )),
        "{text}"
    );

    // The failure saved as a scenario replays the same story.
    let scenario = Scenario::from_json(&failure.scenario_json()).unwrap();
    assert_eq!(scenario.steps().len(), failure.commands.len());
    let report = scenario.run(scenario.inline_program().unwrap());
    assert!(report.passed(), "{report}");

    // The same seed finds the same failure; the run is deterministic.
    assert_eq!(run.run().unwrap_err(), failure);
}

#[test]
fn runs_are_deterministic_by_seed() {
    let program = program_file("examples/vip_tiers.toml");
    let a = PropertyRun::new(program.clone())
        .sequences(8)
        .seed(7)
        .assert();
    let b = PropertyRun::new(program.clone())
        .sequences(8)
        .seed(7)
        .assert();
    let c = PropertyRun::new(program).sequences(8).seed(8).assert();
    assert_eq!(a, b);
    assert_ne!((a.commands, a.accepted), (c.commands, c.accepted));
}

#[test]
fn given_events_when_a_purchase_then_the_balance_and_the_events() {
    // The history as a host stored it.
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "57.40 EUR", "2026-01-12");

    let then = Given::program(seed_with(""))
        .events(&shop.log)
        .when(Purchase::new(
            member("marta"),
            r("ORD-2"),
            money("48.00 EUR"),
            t("2026-02-20"),
        ))
        .then(
            Expect::new()
                .points(pts(48))
                .available(pts(105))
                .events(["PurchaseRecorded"]),
        );
    assert_eq!(then.decision().unwrap().events.len(), 1);
    assert_eq!(
        then.ledger().balance(&member("marta")).unwrap().available,
        pts(105)
    );
}

#[test]
fn given_when_then_checks_refusals_and_quotes() {
    let given = Given::program(seed_with(""))
        .commands([Command::from(Enroll::new(member("marta"), t("2026-01-05")))]);
    assert_eq!(given.log().len(), 1);
    let refused = given
        .clone()
        .when(Redeem::new(
            member("marta"),
            r("RDM-1"),
            "ten-percent-off".parse().unwrap(),
            Cart::new(money("80.00 EUR")),
            t("2026-01-06"),
        ))
        .then(
            Expect::new()
                .error("insufficient_points")
                .error_message("0 available, 100 required")
                .available(pts(0)),
        );
    assert_eq!(
        refused.error().map(Error::kind),
        Some("insufficient_points")
    );

    let quote = given.when_quote(
        &member("marta"),
        &Cart::new(money("80.00 EUR")),
        t("2026-01-06"),
    );
    assert_eq!(quote.quote().unwrap().options.len(), 1);
    quote.then(Expect::new().rewards([]));
}

#[test]
fn a_failed_then_lists_every_failure() {
    let then = Given::program(seed_with(""))
        .commands([Command::from(Enroll::new(member("marta"), t("2026-01-05")))])
        .when(Purchase::new(
            member("marta"),
            r("ORD-1"),
            money("57.40 EUR"),
            t("2026-01-12"),
        ));
    assert_eq!(
        then.check(
            &Expect::new()
                .points(pts(58))
                .available(pts(57))
                .tier("gold")
        ),
        Err(vec![
            "expected points 58, got 57".to_owned(),
            "cannot read marta's tier: the program has no tiers (tiers.levels is empty)".to_owned(),
        ])
    );
    let panicked =
        std::panic::catch_unwind(|| then.then(Expect::new().available(pts(1)))).unwrap_err();
    let message = panicked.downcast_ref::<String>().unwrap();
    assert_eq!(
        message,
        "when purchase ORD-1 57.40 EUR:\n  expected available 1, got 57"
    );
}

#[test]
#[should_panic(expected = "given command 2 (purchase ORD-1 10.00 EUR) was refused (not_enrolled)")]
fn a_refused_given_command_fails_the_test_by_name() {
    Given::program(seed_with("")).commands([
        Command::from(Enroll::new(member("marta"), t("2026-01-05"))),
        Purchase::new(
            member("ana"),
            r("ORD-1"),
            money("10.00 EUR"),
            t("2026-01-06"),
        )
        .into(),
    ]);
}

proptest! {
    /// Carts the kit makes always add up: their coupon never exceeds the
    /// merchandise, and their amounts are in the program's currency.
    #[test]
    fn generated_carts_and_purchases_are_well_formed(
        cart in cart(&program_file("examples/clothing_store.toml")),
        purchase in purchase(&program_file("examples/clothing_store.toml"), &Pools::new()),
    ) {
        let total = cart.total().unwrap();
        prop_assert_eq!(total.currency(), Currency::EUR);
        prop_assert!(!cart.lines.is_empty());
        prop_assert_eq!(purchase.amount.currency(), Currency::EUR);
        prop_assert!(purchase.member.as_str().starts_with("member-"));
    }

    /// Sequences move forward in time, now and then a step back.
    #[test]
    fn generated_sequences_are_spread_over_time(
        sequence in commands(&program_file("examples/vip_tiers.toml"), &Pools::new().members(2), 30..31),
    ) {
        prop_assert!((30..=32).contains(&sequence.len()));
        let forward = sequence.windows(2).filter(|w| w[0].at() <= w[1].at()).count();
        prop_assert!(forward >= 15, "{forward} steps forward");
        prop_assert!(sequence.iter().filter_map(Command::member).all(|m| m.as_str() == "member-0" || m.as_str() == "member-1"));
    }
}
