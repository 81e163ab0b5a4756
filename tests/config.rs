//! Loading a program from JSON and TOML, and every validation rule.

use loyalty::*;
use rust_decimal::Decimal;

use crate::support::*;

const SEED_TOML: &str = r#"
name = "Clothing store rewards"
currency = "EUR"

[earn]
points = 1
per = "1.00"
rounding = "floor"

[[rewards]]
id = "ten-percent-off"
name = "10% off your next order"
cost = 100
kind = "percent_off"
percent = "10"

[expiry]
policy = "never"
"#;

#[test]
fn the_seed_program_reads_the_same_from_json_and_toml() {
    let from_json = program(SEED);
    let from_toml: Program = toml::from_str(SEED_TOML).unwrap();
    assert_eq!(from_json, from_toml);
    assert_eq!(from_json.name(), "Clothing store rewards");
    assert_eq!(from_json.currency(), Currency::EUR);
    assert_eq!(from_json.earn().rate().to_string(), "1 point per 1.00 EUR");
    assert_eq!(from_json.earn().rounding(), Rounding::Floor);
    let reward = from_json
        .reward(&"ten-percent-off".parse().unwrap())
        .unwrap();
    assert_eq!(reward.cost(), pts(100));
    assert_eq!(reward.name(), "10% off your next order");
    assert_eq!(from_json.expiry(), Expiry::Never);
}

#[test]
fn a_currency_alone_is_a_complete_program_with_documented_defaults() {
    let p = program(r#"{"currency": "EUR"}"#);
    assert_eq!(p.earn().rate().to_string(), "1 point per 1.00 EUR");
    assert_eq!(p.earn().rounding(), Rounding::Floor);
    assert_eq!(p.earn().minimum_order(), None);
    assert!(p.rewards().is_empty());
    assert_eq!(p.expiry(), Expiry::Never);
    assert_eq!(p.pending(), Pending::AfterDays(0));
    assert_eq!(p.refunds().rounding, Rounding::Floor);
    assert_eq!(p.refunds().negative_balance, NegativeBalance::Debt);
    assert_eq!(p.discount_rounding(), Rounding::HalfUp);
    assert_eq!(p.utc_offset().local_minus_utc(), 0);
}

#[test]
fn every_setting_reads_from_toml() {
    let p: Program = toml::from_str(
        r#"
        currency = "PLN"
        utc_offset = "+01:00"
        discount_rounding = "half_even"
        [earn]
        points = 5
        per = "10.00"
        rounding = "half_up"
        minimum_order = "20.00"
        [expiry]
        policy = "after_earning"
        days = 365
        extend_to = "month"
        [pending]
        settle = "after_days"
        days = 14
        [refunds]
        rounding = "ceiling"
        negative_balance = "clamp"
        [[rewards]]
        id = "twenty-off"
        cost = 400
        kind = "fixed_amount_off"
        amount = "20.00"
        minimum_order = "100.00"
        [[rewards]]
        id = "fifteen-percent"
        cost = 600
        kind = "percent_off"
        percent = "15"
        maximum_discount = "75.00"
        "#,
    )
    .unwrap();
    assert_eq!(p.currency().code(), "PLN");
    assert_eq!(p.utc_offset().local_minus_utc(), 3600);
    assert_eq!(p.earn().rate().to_string(), "5 points per 10.00 PLN");
    assert_eq!(p.earn().minimum_order(), Some(money("20.00 PLN")));
    assert_eq!(
        p.expiry(),
        Expiry::AfterEarning {
            days: 365,
            extend_to: Some(Period::Month)
        }
    );
    assert_eq!(p.pending(), Pending::AfterDays(14));
    assert_eq!(p.refunds().negative_balance, NegativeBalance::Clamp);
    assert_eq!(p.refunds().rounding, Rounding::Ceiling);
    assert_eq!(p.discount_rounding(), Rounding::HalfEven);
    assert_eq!(
        *p.rewards()[0].kind(),
        RewardKind::FixedAmountOff {
            amount: money("20.00 PLN")
        }
    );
    assert_eq!(p.rewards()[0].name(), "twenty-off");
    assert_eq!(
        *p.rewards()[1].kind(),
        RewardKind::PercentOff {
            percent: Decimal::new(15, 0),
            maximum_discount: Some(money("75.00 PLN"))
        }
    );
}

#[test]
fn a_program_serialises_back_to_its_configuration() {
    let p = program(SEED);
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(serde_json::from_str::<Program>(&json).unwrap(), p);
    let toml_text = toml::to_string(&p).unwrap();
    assert_eq!(toml::from_str::<Program>(&toml_text).unwrap(), p);
    assert_eq!(p.config().currency, "EUR");
}

#[test]
fn a_misspelt_setting_is_an_error_not_ignored() {
    let err = serde_json::from_str::<Program>(r#"{"currency": "EUR", "earn": {"pionts": 2}}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field `pionts`"), "{err}");
    let err = toml::from_str::<Program>("currency = \"EUR\"\nexpiry = { policy = \"monthly\" }")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown variant `monthly`"), "{err}");
}

/// `(configuration, the one problem it has)` for every validation rule.
const BAD: &[(&str, &str)] = &[
    (
        r#"{"currency": "EUE"}"#,
        r#"currency: unknown currency "EUE": expected an active ISO 4217 code such as "EUR""#,
    ),
    (
        r#"{"currency": "EUR", "utc_offset": "CET"}"#,
        r#"utc_offset: "CET" is not a UTC offset: expected "+HH:MM" or "-HH:MM", such as "+01:00""#,
    ),
    (
        r#"{"currency": "EUR", "earn": {"points": 0}}"#,
        "earn.points: must be at least 1 (got 0)",
    ),
    (
        r#"{"currency": "EUR", "earn": {"points": 2000000}}"#,
        "earn.points: must be at most 1000000 (got 2000000)",
    ),
    (
        r#"{"currency": "EUR", "earn": {"per": "0"}}"#,
        "earn.per: must be greater than zero (got 0)",
    ),
    (
        r#"{"currency": "EUR", "earn": {"minimum_order": "-5.00"}}"#,
        "earn.minimum_order: must not be negative (got -5.00)",
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "", "cost": 100, "kind": "percent_off", "percent": "10"}]}"#,
        "rewards[0].id: must not be empty",
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "r", "cost": 0, "kind": "percent_off", "percent": "10"}]}"#,
        "rewards[0].cost: must be at least 1 (got 0)",
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "r", "cost": 100, "kind": "percent_off", "percent": "120"}]}"#,
        "rewards[0].percent: must be greater than 0 and at most 100 (got 120)",
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "r", "cost": 100, "kind": "percent_off"}]}"#,
        r#"rewards[0].percent: required when kind = "percent_off""#,
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "r", "cost": 100, "kind": "percent_off", "percent": "10", "amount": "5"}]}"#,
        r#"rewards[0].amount: not used when kind = "percent_off""#,
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "r", "cost": 100, "kind": "percent_off", "percent": "10", "maximum_discount": "0"}]}"#,
        "rewards[0].maximum_discount: must be greater than zero (got 0)",
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "r", "cost": 100, "kind": "fixed_amount_off", "amount": "0"}]}"#,
        "rewards[0].amount: must be greater than zero (got 0)",
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "r", "cost": 100, "kind": "fixed_amount_off"}]}"#,
        r#"rewards[0].amount: required when kind = "fixed_amount_off""#,
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "r", "cost": 100, "kind": "fixed_amount_off", "amount": "5", "percent": "10"}]}"#,
        r#"rewards[0].percent: not used when kind = "fixed_amount_off""#,
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "r", "cost": 100, "kind": "fixed_amount_off", "amount": "5", "maximum_discount": "5"}]}"#,
        r#"rewards[0].maximum_discount: not used when kind = "fixed_amount_off""#,
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "r", "cost": 100, "kind": "fixed_amount_off", "amount": "5", "minimum_order": "-1"}]}"#,
        "rewards[0].minimum_order: must not be negative (got -1)",
    ),
    (
        r#"{"currency": "EUR", "rewards": [
            {"id": "r", "cost": 100, "kind": "fixed_amount_off", "amount": "5"},
            {"id": "r", "cost": 200, "kind": "fixed_amount_off", "amount": "10"}]}"#,
        "rewards[1].id: duplicates rewards[0].id",
    ),
    (
        r#"{"currency": "EUR", "expiry": {"policy": "never", "days": 30}}"#,
        r#"expiry.days: not used when policy = "never""#,
    ),
    (
        r#"{"currency": "EUR", "expiry": {"policy": "never", "extend_to": "month"}}"#,
        r#"expiry.extend_to: not used when policy = "never""#,
    ),
    (
        r#"{"currency": "EUR", "expiry": {"policy": "after_earning"}}"#,
        r#"expiry.days: required when policy = "after_earning""#,
    ),
    (
        r#"{"currency": "EUR", "expiry": {"policy": "after_earning", "days": 0}}"#,
        "expiry.days: must be at least 1 (got 0)",
    ),
    (
        r#"{"currency": "EUR", "expiry": {"policy": "after_earning", "days": 40000}}"#,
        "expiry.days: must be at most 36500 (got 40000)",
    ),
    (
        r#"{"currency": "EUR", "expiry": {"policy": "after_inactivity"}}"#,
        r#"expiry.days: required when policy = "after_inactivity""#,
    ),
    (
        r#"{"currency": "EUR", "expiry": {"policy": "after_inactivity", "days": 90, "extend_to": "year"}}"#,
        r#"expiry.extend_to: not used when policy = "after_inactivity""#,
    ),
    (
        r#"{"currency": "EUR", "expiry": {"policy": "after_earning", "days": 30}, "pending": {"days": 30}}"#,
        "pending.days: must be less than expiry.days (30) (got 30)",
    ),
    (
        r#"{"currency": "EUR", "expiry": {"policy": "after_inactivity", "days": 10}, "pending": {"days": 14}}"#,
        "pending.days: must be less than expiry.days (10) (got 14)",
    ),
    (
        r#"{"currency": "EUR", "pending": {"days": 40000}}"#,
        "pending.days: must be at most 36500 (got 40000)",
    ),
    (
        r#"{"currency": "EUR", "pending": {"settle": "on_confirmation", "days": 14}}"#,
        r#"pending.days: not used when settle = "on_confirmation""#,
    ),
    (
        r#"{"currency": "EUR", "earn": {"per": "-1"}}"#,
        "earn.per: must be greater than zero (got -1)",
    ),
    (
        r#"{"currency": "EUR", "earn": {"rules": [{"id": "r", "multiplier": "2"}]}}"#,
        "earn.rules[0].categories: required when skus is empty",
    ),
    (
        r#"{"currency": "EUR", "earn": {"rules": [{"id": "r", "categories": ["shoes"]}]}}"#,
        "earn.rules[0].multiplier: required when bonus_per_item is absent",
    ),
    (
        r#"{"currency": "EUR", "earn": {"rules": [{"id": "r", "skus": [""], "bonus_per_item": 5}]}}"#,
        "earn.rules[0].skus[0]: must not be empty",
    ),
    (
        r#"{"currency": "EUR", "earn": {"limits": {"maximum_per_order": 0}}}"#,
        "earn.limits.maximum_per_order: must be at least 1 (got 0)",
    ),
    (
        r#"{"currency": "EUR", "campaigns": [{"id": "c", "starts_at": "2026-06-01", "ends_at": "2026-05-01", "multiplier": "2"}]}"#,
        "campaigns[0].ends_at: must be after starts_at (2026-06-01) (got 2026-05-01)",
    ),
    (
        r#"{"currency": "EUR", "campaigns": [{"id": "c", "starts_at": "next monday", "ends_at": "2026-05-01", "multiplier": "2"}]}"#,
        r#"campaigns[0].starts_at: "next monday" is not a time: expected RFC 3339 ("2026-05-02T00:00:00+02:00") or a date ("2026-05-02", midnight in the program's offset)"#,
    ),
    (
        r#"{"currency": "EUR", "campaigns": [{"id": "c", "starts_at": "2026-05-01", "ends_at": "2026-06-01", "multiplier": "0.5"}]}"#,
        "campaigns[0].multiplier: must be at least 1 and at most 100 (got 0.5)",
    ),
    (
        r#"{"currency": "EUR", "campaigns": [{"id": "c", "starts_at": "2026-05-01", "ends_at": "2026-06-01", "multiplier": "2", "bonus": 10}]}"#,
        "campaigns[0].bonus: not used when multiplier is given",
    ),
    (
        r#"{"currency": "EUR", "campaigns": [{"id": "c", "starts_at": "2026-05-01", "ends_at": "2026-06-01"}]}"#,
        "campaigns[0].multiplier: required when bonus is absent",
    ),
    (
        r#"{"currency": "EUR", "campaigns": [
            {"id": "c", "starts_at": "2026-05-01", "ends_at": "2026-06-01", "bonus": 5},
            {"id": "c", "starts_at": "2026-05-01", "ends_at": "2026-06-01", "bonus": 5}]}"#,
        "campaigns[1].id: duplicates campaigns[0].id",
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "r", "kind": "points_as_cash", "step_points": 100, "step_value": "1", "minimum_points": 500, "maximum_points": 300}]}"#,
        "rewards[0].maximum_points: must be at least minimum_points (500) (got 300)",
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "r", "kind": "points_as_cash", "step_points": 100, "step_value": "1", "minimum_points": 250}]}"#,
        "rewards[0].minimum_points: must be a multiple of step_points (100) (got 250)",
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "r", "kind": "points_as_cash", "cost": 100, "step_points": 100, "step_value": "1"}]}"#,
        r#"rewards[0].cost: not used when kind = "points_as_cash""#,
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "r", "kind": "points_as_cash", "step_points": 100}]}"#,
        r#"rewards[0].step_value: required when kind = "points_as_cash""#,
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "r", "kind": "free_product", "cost": 100}]}"#,
        r#"rewards[0].sku: required when kind = "free_product""#,
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "r", "kind": "donation", "cost": 100, "amount": "1"}]}"#,
        r#"rewards[0].cause: required when kind = "donation""#,
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "r", "kind": "free_shipping", "cost": 100, "categories": ["shoes"]}]}"#,
        r#"rewards[0].categories: not used when kind = "free_shipping""#,
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "r", "kind": "free_shipping", "cost": 100, "valid_from": "2026-06-01", "valid_until": "2026-06-01"}]}"#,
        "rewards[0].valid_until: must be after valid_from (2026-06-01) (got 2026-06-01)",
    ),
    (
        r#"{"currency": "EUR", "tiers": {"levels": [{"id": "silver", "threshold": "0"}, {"id": "gold", "threshold": "1000"}]}, "rewards": [{"id": "r", "kind": "free_shipping", "cost": 100, "tiers": ["gold"], "tier_costs": {"silver": 50}}]}"#,
        "rewards[0].tier_costs.silver: silver is not listed in rewards[0].tiers",
    ),
    (
        r#"{"currency": "EUR", "tiers": {"levels": [{"id": "silver", "threshold": "0"}, {"id": "gold", "threshold": "1000"}]}, "rewards": [{"id": "r", "kind": "free_shipping", "cost": 100, "tier_costs": {"gold": 150}}]}"#,
        "rewards[0].tier_costs.gold: must be at most 100 (got 150)",
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "r", "kind": "free_shipping", "cost": 100, "limit": {"count": 0, "per": "month"}}]}"#,
        "rewards[0].limit.count: must be at least 1 (got 0)",
    ),
    (
        r#"{"currency": "EUR", "bonuses": {"sign_up": 0}}"#,
        "bonuses.sign_up: must be at least 1 (got 0)",
    ),
    (
        r#"{"currency": "EUR", "bonuses": {"birthday": {"mode": "grant"}}}"#,
        r#"bonuses.birthday.points: required when mode = "grant""#,
    ),
    (
        r#"{"currency": "EUR", "bonuses": {"birthday": {"mode": "multiplier", "multiplier": "2", "points": 5}}}"#,
        r#"bonuses.birthday.points: not used when mode = "multiplier""#,
    ),
    (
        r#"{"currency": "EUR", "bonuses": {"actions": [{"id": "a", "points": 5, "limit": {"count": 1, "per": "day"}, "cooldown_days": 3}]}}"#,
        "bonuses.actions[0].cooldown_days: not used when limit is given",
    ),
    (
        r#"{"currency": "EUR", "bonuses": {"actions": [{"id": "a", "points": 5}, {"id": "a", "points": 6}]}}"#,
        "bonuses.actions[1].id: duplicates bonuses.actions[0].id",
    ),
    (
        r#"{"currency": "EUR", "perks": ["early access", " "]}"#,
        "perks[1]: must not be empty",
    ),
    (
        r#"{"currency": "EUR", "rewards": [{"id": "r", "kind": "free_shipping", "cost": 100, "tiers": ["gold"]}]}"#,
        "rewards[0].tiers: gold is not listed in tiers.levels",
    ),
    (
        r#"{"currency": "EUR", "tiers": {"levels": [{"id": "silver", "threshold": "500"}, {"id": "gold", "threshold": "500"}]}}"#,
        "tiers.levels[1].threshold: must be above tiers.levels[0].threshold (500) (got 500)",
    ),
    (
        r#"{"currency": "EUR", "tiers": {"levels": [{"id": "silver", "threshold": "-1"}]}}"#,
        "tiers.levels[0].threshold: must not be negative (got -1)",
    ),
    (
        r#"{"currency": "EUR", "tiers": {"metric": "orders", "levels": [{"id": "silver", "threshold": "2.5"}]}}"#,
        r#"tiers.levels[0].threshold: must be a whole number when metric = "orders" (got 2.5)"#,
    ),
    (
        r#"{"currency": "EUR", "tiers": {"levels": [{"id": "silver", "threshold": "1", "multiplier": "0.5"}]}}"#,
        "tiers.levels[0].multiplier: must be at least 1 and at most 100 (got 0.5)",
    ),
    (
        r#"{"currency": "EUR", "tiers": {"levels": [{"id": "silver", "threshold": "1"}, {"id": "silver", "threshold": "2"}]}}"#,
        "tiers.levels[1].id: duplicates tiers.levels[0].id",
    ),
    (
        r#"{"currency": "EUR", "tiers": {"window": "rolling", "levels": [{"id": "silver", "threshold": "1"}]}}"#,
        r#"tiers.rolling_days: required when window = "rolling""#,
    ),
    (
        r#"{"currency": "EUR", "tiers": {"window": "lifetime", "rolling_days": 30, "levels": [{"id": "silver", "threshold": "1"}]}}"#,
        r#"tiers.rolling_days: not used when window = "lifetime""#,
    ),
    (
        r#"{"currency": "EUR", "tiers": {"window": "rolling", "rolling_days": 365, "through_next_year": true, "levels": [{"id": "silver", "threshold": "1"}]}}"#,
        r#"tiers.through_next_year: not used when window = "rolling""#,
    ),
    (
        r#"{"currency": "EUR", "tiers": {"grace_days": 100000, "levels": [{"id": "silver", "threshold": "1"}]}}"#,
        "tiers.grace_days: must be at most 36500 (got 100000)",
    ),
    (
        r#"{"currency": "EUR", "tiers": {"levels": [{"id": "silver", "threshold": "1", "perks": [""]}]}}"#,
        "tiers.levels[0].perks[0]: must not be empty",
    ),
    (
        r#"{"currency": "EUR", "tiers": {"levels": [{"id": "silver", "threshold": "1"}]}, "memberships": [{"id": "plus", "tier": "gold", "fee": "49.00", "term_months": 12}]}"#,
        "memberships[0].tier: gold is not listed in tiers.levels",
    ),
    (
        r#"{"currency": "EUR", "tiers": {"levels": [{"id": "gold", "threshold": "1"}]}, "memberships": [{"id": "plus", "tier": "gold", "fee": "49.00"}]}"#,
        "memberships[0].term_months: required when term_days is absent",
    ),
    (
        r#"{"currency": "EUR", "tiers": {"levels": [{"id": "gold", "threshold": "1"}]}, "memberships": [{"id": "plus", "tier": "gold", "fee": "49.00", "term_months": 12, "term_days": 30}]}"#,
        "memberships[0].term_days: not used when term_months is given",
    ),
    (
        r#"{"currency": "EUR", "tiers": {"levels": [{"id": "gold", "threshold": "1"}]}, "memberships": [{"id": "plus", "tier": "gold", "fee": "0", "term_months": 12}]}"#,
        "memberships[0].fee: must be greater than zero (got 0)",
    ),
    (
        r#"{"currency": "EUR", "tiers": {"levels": [{"id": "gold", "threshold": "1"}]}, "memberships": [{"id": "plus", "tier": "gold", "fee": "9.00", "term_days": 0}]}"#,
        "memberships[0].term_days: must be at least 1 (got 0)",
    ),
    (
        r#"{"currency": "EUR", "tiers": {"levels": [{"id": "gold", "threshold": "1"}]}, "memberships": [{"id": "plus", "tier": "gold", "fee": "9.00", "term_days": 30}, {"id": "plus", "tier": "gold", "fee": "9.00", "term_days": 30}]}"#,
        "memberships[1].id: duplicates memberships[0].id",
    ),
];

#[test]
fn each_broken_rule_is_named_with_its_field_path_and_numbers() {
    for (json, expected) in BAD {
        let config: ProgramConfig = serde_json::from_str(json).unwrap();
        let error = Program::new(config).unwrap_err();
        let problems: Vec<String> = error.problems().iter().map(|p| p.to_string()).collect();
        assert_eq!(problems, vec![expected.to_string()], "for {json}");
        assert_eq!(
            error.to_string(),
            format!("invalid program configuration: {expected}")
        );
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let config: ProgramConfig = serde_json::from_str(
        r#"{"currency": "XXX", "earn": {"points": 0, "per": "-1"},
            "rewards": [{"id": "r", "cost": -5, "kind": "percent_off", "percent": "0"}]}"#,
    )
    .unwrap();
    let error = Program::new(config).unwrap_err();
    let paths: Vec<&str> = error.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "currency",
            "earn.points",
            "earn.per",
            "rewards[0].cost",
            "rewards[0].percent"
        ]
    );
    assert_eq!(
        error.problems()[1].rule,
        ConfigRule::TooSmall {
            minimum: 1,
            value: 0
        }
    );
}

#[test]
fn configurations_built_in_rust_validate_the_same_way() {
    let mut config = ProgramConfig::new("EUR");
    config.rewards.push(
        RewardConfig::percent_off("ten-percent-off", 100, Decimal::new(10, 0))
            .name("10% off your next order")
            .minimum_order(Decimal::new(50, 0))
            .maximum_discount(Decimal::new(20, 0)),
    );
    config.expiry.policy = ExpiryPolicy::AfterEarning;
    let error = config.clone().validate().unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"invalid program configuration: expiry.days: required when policy = "after_earning""#
    );
    config.expiry.days = Some(365);
    let program = config.validate().unwrap();
    assert_eq!(
        program.rewards()[0].minimum_order(),
        Some(money("50.00 EUR"))
    );
}

#[test]
fn the_clothing_store_configuration_reads_as_its_comments_say() {
    let program: Program = toml::from_str(include_str!("../examples/clothing_store.toml")).unwrap();
    assert_eq!(program.name(), "Clothing store rewards");
    assert!(program.earn().exclusions().shipping);
    assert_eq!(program.campaigns()[0].name(), "Double points weekend");
    assert_eq!(
        program.bonuses().birthday(),
        Some(Birthday::Grant(pts(100)))
    );
    assert_eq!(
        program.perks(),
        [
            "Early access to sales",
            "Members-only offers",
            "A birthday gift"
        ]
    );
    assert_eq!(program.rewards().len(), 2);
}
