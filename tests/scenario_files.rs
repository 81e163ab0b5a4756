//! Scenario files: every scenario the crate ships passes; a failing
//! expectation names its step, the figure and both values; a malformed file
//! is reported by path, line and what was expected, never by a panic.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use loyalty::scenario::{Report, Scenario, ScenarioError, SyntaxError, parse_scenario, run_file};
use proptest::prelude::*;

/// Tests read the scenario files the crate ships.
#[allow(clippy::disallowed_methods)]
fn read(path: &Path) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}

/// The `.toml` and `.json` files of a folder, in name order.
fn scenario_files(folder: &str) -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml" || e == "json"))
        .collect();
    files.sort();
    files
}

fn run_all(folder: &str) -> BTreeMap<String, Report> {
    scenario_files(folder)
        .into_iter()
        .map(|path| {
            let report = run_file(&path, read).unwrap_or_else(|e| panic!("{e}"));
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, report)
        })
        .collect()
}

#[test]
fn every_area_has_a_scenario_and_every_scenario_passes() {
    let reports = run_all("tests/scenarios");
    for area in [
        "earning",
        "rewards",
        "pending_and_expiry",
        "refunds",
        "tiers",
        "memberships",
        "referrals",
    ] {
        assert!(reports.contains_key(area), "no scenario for {area}");
    }
    for (name, report) in &reports {
        assert!(report.passed(), "{name}: {report}");
        assert!(
            report.checks.len() > report.steps,
            "{name} checks too little"
        );
    }
}

#[test]
fn the_clothing_store_and_vip_programs_pass_their_scenarios() {
    let reports = run_all("examples/scenarios");
    assert_eq!(
        reports.keys().collect::<Vec<_>>(),
        ["clothing_store", "vip_tiers"]
    );
    for (name, report) in &reports {
        assert!(report.passed(), "{name}: {report}");
    }
}

/// The seed program, inline, and a timeline whose expectations are off.
const WRONG: &str = r#"
name = "Refunds, misread"
program = { currency = "EUR", earn = { points = 1, per = "1.00", rounding = "floor" }, rewards = [{ id = "ten-percent-off", name = "10% off", kind = "percent_off", cost = 100, percent = "10" }] }

[[steps]]
enroll = { member = "marta", at = 2026-01-05T09:00:00Z }

[[steps]]
purchase = { member = "marta", order = "ORD-1", amount = "10.00 EUR", at = 2026-01-06T09:00:00Z }
expect = { points = 11, explanation = "ceil", events = ["PurchaseRecorded", "TierChanged"] }

[[steps]]
purchase = { member = "marta", order = "ORD-2", amount = "9.00 EUR", at = 2026-01-07T09:00:00Z }
expect = { error = "insufficient_points" }

[[steps]]
purchase = { member = "marta", order = "ORD-3", amount = "40.00 EUR", at = 2026-01-08T09:00:00Z }
expect = { receipt = "order ORD-3 of 40.00 EUR: earned 40 points" }

[[steps]]
tick = { at = 2026-01-09T09:00:00Z }
expect = { member = "marta", points = 0, tier = "gold" }

[[steps]]
name = "a redemption she cannot afford"
redeem = { member = "marta", redemption = "RDM-1", reward = "ten-percent-off", at = 2026-01-09T10:00:00Z, cart = { lines = [{ quantity = 1, unit_price = "80.00 EUR" }] } }
expect = { available = 59 }

[[steps]]
refund = { member = "marta", order = "ORD-3", refund = "RF-1", amount = "20.00 EUR", at = 2026-01-10T09:00:00Z }
expect = { available = 37, pending = 0 }

[[steps]]
quote = { member = "marta", amount = "80.00 EUR", at = 2026-01-11T09:00:00Z }
expect = { rewards = ["ten-percent-off"], error = "not_enrolled" }

[[steps]]
refund = { member = "marta", order = "ORD-404", refund = "RF-2", amount = "1.00 EUR", at = 2026-01-12T09:00:00Z }
expect = { error = "refund_exceeds_order", error_message = "no order" }

[[steps]]
expect = { member = "ana", available = 0 }

[[steps]]
[steps.expect.health]
from = 2026-01-01T00:00:00Z
to = 2026-02-01T00:00:00Z
issued = 59
clawed_back = 20
redemption_rate = "0.0"
breakage_rate = "1"
"#;

#[test]
fn a_wrong_expectation_names_its_step_the_figure_and_both_values() {
    let scenario = Scenario::from_toml(WRONG).unwrap();
    let report = scenario.run(scenario.inline_program().unwrap());
    let failures: Vec<String> = report.failures().map(ToString::to_string).collect();
    assert_eq!(
        failures,
        [
            "step 2 (purchase ORD-1 10.00 EUR): expected the receipt to explain \"ceil\", got \
             \"order ORD-1 of 10.00 EUR: earned 10 points (10 = floor(10.00 EUR × 1 point per \
             1.00 EUR)), spendable now\"",
            "step 2 (purchase ORD-1 10.00 EUR): expected points 11, got 10",
            "step 2 (purchase ORD-1 10.00 EUR): expected events [PurchaseRecorded, TierChanged], \
             got [PurchaseRecorded]",
            "step 3 (purchase ORD-2 9.00 EUR): expected error insufficient_points, but the \
             command succeeded: order ORD-2 of 9.00 EUR: earned 9 points (9 = floor(9.00 EUR × \
             1 point per 1.00 EUR)), spendable now",
            "step 4 (purchase ORD-3 40.00 EUR): expected receipt \"order ORD-3 of 40.00 EUR: \
             earned 40 points\", got \"order ORD-3 of 40.00 EUR: earned 40 points (40 = \
             floor(40.00 EUR × 1 point per 1.00 EUR)), spendable now\"",
            "step 5 (tick 2026-01-09 09:00): this receipt has no points figure: time reached \
             2026-01-09 09:00 UTC: 0 points settled, 0 points expired across 0 members",
            "step 5 (tick 2026-01-09 09:00): cannot read marta's tier: the program has no tiers \
             (tiers.levels is empty)",
            "step 6 (a redemption she cannot afford): refused (insufficient_points): insufficient \
             points: 59 available, 100 required",
            "step 7 (refund ORD-3 20.00 EUR): expected available 37, got 39",
            "step 8 (quote marta 80.00 EUR): expected error not_enrolled, but the quote \
             succeeded: quote for marta on a 80.00 EUR cart with 39 points available",
            "step 8 (quote marta 80.00 EUR): expected rewards [ten-percent-off], got []",
            "step 9 (refund ORD-404 1.00 EUR): expected error refund_exceeds_order, got \
             unknown_order: member marta has no order ORD-404",
            "step 10 (expect ana): cannot read ana's balance: member ana is not enrolled",
            "step 11 (expect): expected breakage rate 1%, got 0%",
        ]
    );
    // Every step ran, and the report says how many checks failed.
    assert_eq!(report.steps, 11);
    assert!(!report.passed());
    let first = report.to_string();
    assert!(
        first.starts_with(&format!(
            "FAIL Refunds, misread: 14 of {} checks failed\n     step 2",
            report.checks.len()
        )),
        "{first}"
    );
    // Passing checks are kept too: the replay, the rates at their precision.
    let passed: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| c.passed())
        .map(|c| c.expected.as_str())
        .collect();
    assert!(passed.contains(&"redemption rate 0.0%"), "{passed:?}");
    let replay = format!("{} events rebuild the same ledger", report.events);
    assert!(passed.contains(&replay.as_str()), "{passed:?}");
}

/// Parses `text` as the file `path` names.
fn parse(path: &str, text: &str) -> ScenarioError {
    parse_scenario(Path::new(path), text).unwrap_err()
}

const PROGRAM: &str = "name = \"x\"\nprogram = { currency = \"EUR\" }\n";

#[test]
fn a_malformed_file_is_reported_by_path_line_and_what_was_expected() {
    let cases: [(&str, String, &str); 11] = [
        (
            "bad.toml",
            "name = \"unterminated\n".to_owned(),
            "bad.toml:1:21: invalid basic string, expected `\"`",
        ),
        (
            "typo.toml",
            format!("{PROGRAM}\n[[steps]]\npurchase = {{ member = \"m\", order = \"O\", ammount = \"1.00 EUR\", at = 2026-01-01T00:00:00Z }}\n"),
            "typo.toml:5:41: unknown field `ammount`, expected one of `member`, `order`, `amount`, `at`, `redemptions`, `cart`",
        ),
        (
            "two.toml",
            format!("{PROGRAM}\n[[steps]]\nenroll = {{ member = \"m\", at = 2026-01-01T00:00:00Z }}\ntick = {{ at = 2026-01-01T00:00:00Z }}\n"),
            "two.toml:4:1: a step runs one command or quote, this one has enroll and tick",
        ),
        (
            "empty.toml",
            format!("{PROGRAM}\n[[steps]]\nname = \"nothing\"\n"),
            "empty.toml:4:1: a step needs a command (enroll, purchase, refund, ...), a quote or an expect",
        ),
        (
            "who.toml",
            format!("{PROGRAM}\n[[steps]]\nexpect = {{ available = 5 }}\n"),
            "who.toml:4:1: name whose balance or tier to check with `member`",
        ),
        (
            "tick.toml",
            format!("{PROGRAM}\n[[steps]]\ntick = {{ at = 2026-01-01T00:00:00Z }}\nexpect = {{ tier = \"gold\" }}\n"),
            "tick.toml:4:1: tick 2026-01-01 00:00 has no member: name whose balance or tier to check with `member`",
        ),
        (
            "quote.toml",
            format!("{PROGRAM}\n[[steps]]\nquote = {{ member = \"m\", at = 2026-01-01T00:00:00Z }}\n"),
            "quote.toml:4:1: a quote needs a cart or an amount",
        ),
        (
            "local.toml",
            format!("{PROGRAM}\n[[steps]]\ntick = {{ at = 2026-01-01T00:00:00 }}\n"),
            "local.toml:5:15: `2026-01-01T00:00:00` is not an RFC 3339 time with its offset, such as 2026-03-01T12:00:00Z: premature end of input",
        ),
        (
            "program.toml",
            "name = \"x\"\nprogram = { currency = \"EUR\", rewards = [{ id = \"r\", kind = \"percent_off\", cost = 100, percent = \"120\" }] }\n".to_owned(),
            "program.toml:2:11: invalid program configuration: rewards[0].percent: must be greater than 0 and at most 100 (got 120)",
        ),
        (
            "bad.json",
            "{\"name\": \"x\",\n \"program\": {\"currency\": \"EUR\"},\n \"steps\": [{\"tick\": {}}]}".to_owned(),
            "bad.json:3:22: missing field `at`",
        ),
        (
            "notes.txt",
            PROGRAM.to_owned(),
            "notes.txt: expected a .toml or .json file",
        ),
    ];
    for (path, text, expected) in cases {
        assert_eq!(parse(path, &text).to_string(), expected, "{path}");
    }
}

/// A reader over texts held in memory.
fn files<'a>(
    texts: &'a [(&'a str, &'a str)],
) -> impl FnMut(&Path) -> Result<String, &'static str> + 'a {
    move |path: &Path| {
        texts
            .iter()
            .find(|(p, _)| Path::new(p) == path)
            .map(|(_, t)| (*t).to_owned())
            .ok_or("no such file")
    }
}

#[test]
fn a_program_file_is_read_beside_the_scenario_and_its_errors_name_it() {
    let scenario = "name = \"x\"\nprogram = \"programs/shop.toml\"\n[[steps]]\nenroll = { member = \"m\", at = 2026-01-01T00:00:00Z }\n";
    let report = run_file(
        Path::new("checks/a.toml"),
        files(&[
            ("checks/a.toml", scenario),
            ("checks/programs/shop.toml", "currency = \"EUR\"\n"),
        ]),
    )
    .unwrap();
    assert!(report.passed(), "{report}");

    let invalid = run_file(
        Path::new("checks/a.toml"),
        files(&[
            ("checks/a.toml", scenario),
            (
                "checks/programs/shop.toml",
                "currency = \"EUR\"\n\nexpiry = { policy = \"sometimes\" }\n",
            ),
        ]),
    )
    .unwrap_err();
    assert!(
        invalid
            .to_string()
            .starts_with("checks/programs/shop.toml:3:21: unknown variant `sometimes`"),
        "{invalid}"
    );

    let missing = run_file(
        Path::new("checks/a.toml"),
        files(&[("checks/a.toml", scenario)]),
    )
    .unwrap_err();
    assert_eq!(
        missing,
        ScenarioError::Read {
            path: PathBuf::from("checks/programs/shop.toml"),
            message: "no such file".to_owned()
        }
    );
    assert_eq!(
        missing.to_string(),
        "checks/programs/shop.toml: cannot read: no such file"
    );
}

#[test]
fn a_scenario_without_steps_runs_its_replay_check_only() {
    let scenario =
        Scenario::from_json(r#"{"name": "empty", "program": {"currency": "EUR"}}"#).unwrap();
    assert_eq!(scenario.steps().len(), 0);
    let report = scenario.run(scenario.inline_program().unwrap());
    assert!(report.passed());
    assert_eq!(report.to_string(), "ok   empty: 0 steps, 1 checks");
}

fn is_located(error: &SyntaxError, text: &str) -> bool {
    error.line >= 1 && error.line <= text.lines().count() + 1 && error.column >= 1
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any text is a scenario or a located error, never a panic.
    #[test]
    fn any_text_parses_or_is_located(text in "\\PC{0,300}") {
        if let Err(e) = Scenario::from_toml(&text) {
            prop_assert!(is_located(&e, &text), "{e:?}");
        }
        if let Err(e) = Scenario::from_json(&text) {
            prop_assert!(is_located(&e, &text), "{e:?}");
        }
    }

    /// A shipped scenario with a slice cut out, or a character changed,
    /// parses and runs, or is a located error: never a panic.
    #[test]
    fn damaged_scenarios_parse_and_run_or_are_located(
        file in 0..8_usize,
        at in any::<prop::sample::Index>(),
        cut in 0..40_usize,
        insert in prop::sample::select(vec!["", "\"", "}", "[[steps]]\n", "-", "9999999999999999999", "x = 1\n"]),
    ) {
        let files = scenario_files("tests/scenarios");
        let path = &files[file % files.len()];
        let text = read(path).unwrap();
        let start = at.index(text.len());
        let start = (0..=start).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        let end = (start + cut).min(text.len());
        let end = (end..=text.len()).find(|i| text.is_char_boundary(*i)).unwrap_or(text.len());
        let damaged = format!("{}{insert}{}", &text[..start], &text[end..]);
        match parse_scenario(path, &damaged) {
            Ok(scenario) => {
                if let Some(program) = scenario.inline_program() {
                    let _ = scenario.run(program);
                }
            }
            Err(ScenarioError::Syntax { error, .. }) => {
                prop_assert!(is_located(&error, &damaged), "{error:?}");
            }
            Err(other) => prop_assert!(false, "{other}"),
        }
    }
}

#[test]
fn the_runners_failing_fixtures_fail_as_they_say() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/failing");
    let wrong = run_file(&folder.join("wrong_balance.toml"), read).unwrap();
    let failures: Vec<String> = wrong.failures().map(ToString::to_string).collect();
    assert_eq!(
        failures,
        ["step 3 (refund ORD-1 20.00 EUR): expected available 36, got 38"]
    );
    let malformed = run_file(&folder.join("malformed.json"), read).unwrap_err();
    let ScenarioError::Syntax { error, .. } = malformed else {
        panic!("{malformed}");
    };
    assert_eq!((error.line, error.column), (6, 72));
    assert!(error.message.contains("such as \"57.40 EUR\""), "{error}");
}
