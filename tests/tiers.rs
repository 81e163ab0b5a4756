//! Tiers: upgrades on the event that crosses a threshold, refunds that stop
//! counting at once, reviews that keep, grant grace or downgrade, the
//! windows and metrics a program can measure by, benefits, status reads,
//! and re-evaluation after the ladder changes.

use loyalty::*;

use crate::support::*;

/// Bronze / Silver / Gold by calendar-year spend, reviewed at year end with
/// 30 days of grace: `sections` adds to or replaces the `tiers` settings.
fn ladder(tiers: &str) -> Program {
    seed_with(&format!(
        r#""earn": {{"points": 1, "per": "1.00", "rounding": "floor", "stacking": "multiply"}},
           "tiers": {{"metric": "spend", "window": "calendar_year", "review": "period_end",
                      "grace_days": 30, "downgrade": "one_level",
                      "levels": [
                        {{"id": "bronze", "name": "Bronze", "threshold": "0"}},
                        {{"id": "silver", "name": "Silver", "threshold": "500", "multiplier": "1.25",
                          "perks": ["Free shipping"]}},
                        {{"id": "gold", "name": "Gold", "threshold": "1000", "multiplier": "1.5",
                          "perks": ["Free shipping", "Priority support"]}}
                      ]{tiers}}}"#
    ))
}

/// The tier events logged so far, as one line each.
fn tier_story(shop: &Shop) -> Vec<String> {
    shop.log
        .iter()
        .filter_map(|e| match e {
            Event::TierChanged(c) => Some(format!(
                "{} {}: {} -> {} ({}, metric {}{})",
                c.at.format("%Y-%m-%d"),
                c.member,
                c.from.as_ref().map_or("none", |t| t.as_str()),
                c.to.as_ref().map_or("none", |t| t.as_str()),
                match &c.reason {
                    TierReason::Qualified { threshold } => format!("qualified at {threshold}"),
                    TierReason::Review { threshold } => format!("review below {threshold}"),
                    TierReason::Reevaluated => "reevaluated".to_owned(),
                    other => format!("{other:?}"),
                },
                c.metric,
                c.secured_until
                    .map(|s| format!(", secured until {}", s.format("%Y-%m-%d")))
                    .unwrap_or_default()
            )),
            Event::TierReviewed(r) => Some(format!(
                "{} {}: {} reviewed at {} of {}: {}",
                r.at.format("%Y-%m-%d"),
                r.member,
                r.tier,
                r.metric,
                r.threshold,
                match r.outcome {
                    ReviewOutcome::Kept {
                        secured_until: Some(s),
                    } => format!("kept until {}", s.format("%Y-%m-%d")),
                    ReviewOutcome::Kept {
                        secured_until: None,
                    } => "kept for good".to_owned(),
                    ReviewOutcome::Grace { until } =>
                        format!("grace until {}", until.format("%Y-%m-%d")),
                    other => format!("{other:?}"),
                }
            )),
            _ => None,
        })
        .collect()
}

fn status(shop: &Shop, who: &str, at: &str) -> TierStatus {
    shop.ledger.tier_status(&member(who), t(at)).unwrap()
}

fn tier_of(shop: &Shop, who: &str, at: &str) -> Option<String> {
    status(shop, who, at).tier.map(|t| t.to_string())
}

#[test]
fn a_member_moves_up_on_the_order_that_crosses_the_threshold() {
    let mut shop = Shop::new(ladder(""));
    shop.enroll("ana", "2026-01-05");
    // Bronze needs nothing: Ana holds it from enrolment, for good.
    assert_eq!(tier_of(&shop, "ana", "2026-01-05"), Some("bronze".into()));
    shop.buy("ana", "ORD-1", "300.00 EUR", "2026-02-10");
    // The order that crosses 500.00 EUR earns at Bronze; Silver follows in
    // the same decision.
    let crossing = shop.buy("ana", "ORD-2", "250.00 EUR", "2026-03-01");
    assert_eq!(crossing.earning.points, pts(250));
    assert_eq!(
        tier_story(&shop),
        [
            "2026-01-05 ana: none -> bronze (qualified at 0, metric 0)",
            "2026-03-01 ana: bronze -> silver (qualified at 500, metric 550.00, secured until 2027-01-01)",
        ]
    );
    let last = shop.log.last().unwrap();
    assert_eq!(last.kind(), "TierChanged");
    assert_eq!(last.at(), t("2026-03-01"));
    // From now on Silver's 1.25× applies.
    let next = shop.buy("ana", "ORD-3", "100.00 EUR", "2026-03-05");
    assert_eq!(
        next.earning.to_string(),
        "125 = 100 base (floor(100.00 EUR × 1 point per 1.00 EUR)) + 25 Silver ×1.25 on 100.00 EUR"
    );
    let s = status(&shop, "ana", "2026-03-06");
    assert_eq!(s.multiplier, "1.25".parse().unwrap());
    assert_eq!(s.perks, vec!["Free shipping".to_string()]);
    assert_eq!(
        s.to_string(),
        "silver since 2026-03-01, secured until 2027-01-01; 350.00 EUR more for gold by 2027-01-01"
    );
    // The same status, for a host's API.
    assert_eq!(
        serde_json::to_string(&s).unwrap(),
        r#"{"member":"ana","at":"2026-03-06T12:00:00Z","tier":"silver","qualified":"silver","since":"2026-03-01T12:00:00Z","secured_until":"2027-01-01T00:00:00Z","grace_until":null,"membership":null,"metric":"650.00","multiplier":"1.25","perks":["Free shipping"],"next":{"tier":"gold","needs":"350.00","by":"2027-01-01T00:00:00Z"},"at_risk":null}"#
    );
    // An order that jumps two tiers goes straight to the top.
    let mut jump = Shop::new(ladder(""));
    jump.enroll("ben", "2026-01-05");
    jump.buy("ben", "ORD-1", "1200.00 EUR", "2026-04-01");
    assert_eq!(
        tier_story(&jump).last().unwrap(),
        "2026-04-01 ben: bronze -> gold (qualified at 1000, metric 1200.00, secured until 2027-01-01)"
    );
}

#[test]
fn a_refund_stops_counting_at_once_but_the_tier_waits_for_its_review() {
    let mut shop = Shop::new(ladder(""));
    shop.enroll("ana", "2026-01-05");
    shop.buy("ana", "ORD-1", "550.00 EUR", "2026-03-01");
    shop.refund("ana", "ORD-1", "RF-1", "200.00 EUR", "2026-03-10")
        .unwrap();
    let s = status(&shop, "ana", "2026-03-11");
    assert_eq!(s.metric, "350.00".parse().unwrap());
    assert_eq!(s.tier.as_ref().map(TierId::as_str), Some("silver"));
    let risk = s.at_risk.clone().unwrap();
    assert_eq!(risk.needs, "150.00".parse().unwrap());
    assert_eq!(risk.review_at, t("2027-01-01T00:00:00Z"));
    assert_eq!(
        s.to_string(),
        "silver since 2026-03-01, secured until 2027-01-01; needs 150.00 EUR more before the review \
         on 2027-01-01; 650.00 EUR more for gold by 2027-01-01"
    );
    // No tier event until the review.
    assert_eq!(tier_story(&shop).len(), 2);
    // At the review she falls short: 30 days of grace, then one level down.
    assert_eq!(shop.ledger.next_due(), Some(t("2027-01-01T00:00:00Z")));
    let review = shop.tick("2027-01-01T00:00:00Z");
    assert_eq!(review.tier_changes, 0);
    let grace = status(&shop, "ana", "2027-01-02");
    assert_eq!(grace.grace_until, Some(t("2027-01-31T00:00:00Z")));
    assert_eq!(
        grace.at_risk.as_ref().map(|r| r.review_at),
        Some(t("2027-01-31T00:00:00Z"))
    );
    let end = shop.tick("2027-01-31T00:00:00Z");
    assert_eq!(end.tier_changes, 1);
    assert_eq!(
        end.to_string(),
        "time reached 2027-01-31 00:00 UTC: 0 points settled, 0 points expired, 1 tier change across 1 member"
    );
    assert_eq!(
        tier_story(&shop)[2..],
        [
            "2027-01-01 ana: silver reviewed at 350.00 of 500: grace until 2027-01-31",
            "2027-01-31 ana: silver -> bronze (review below 500, metric 350.00)",
        ]
    );
    // Bronze earns the base rate again.
    assert_eq!(
        shop.buy("ana", "ORD-2", "10.00 EUR", "2027-02-01")
            .earning
            .points,
        pts(10)
    );
}

/// Ana reaches a tier in 2026 with `spent` and an order of 100.00 EUR she
/// then returns: at the year-end review she holds `spent`, short of the
/// tier, and is given a grace period.
fn in_grace_after_spending(spent: &str) -> Shop {
    let mut shop = Shop::new(ladder(""));
    shop.enroll("ana", "2026-01-05");
    shop.buy("ana", "ORD-1", spent, "2026-02-01");
    shop.buy("ana", "ORD-2", "100.00 EUR", "2026-03-01");
    shop.refund("ana", "ORD-2", "RF-1", "100.00 EUR", "2026-03-02")
        .unwrap();
    shop.tick("2027-01-01T00:00:00Z");
    shop
}

#[test]
fn spending_during_the_grace_period_keeps_the_tier_at_once() {
    let mut shop = in_grace_after_spending("420.00 EUR");
    // 420.00 of 500 at the review: grace. The year under review runs on
    // through the grace period, so 80.00 EUR in January is enough.
    shop.buy("ana", "ORD-3", "80.00 EUR", "2027-01-20");
    assert_eq!(
        tier_story(&shop)[2..],
        [
            "2027-01-01 ana: silver reviewed at 420.00 of 500: grace until 2027-01-31",
            "2027-01-20 ana: silver reviewed at 500.00 of 500: kept until 2028-01-01",
        ]
    );
    assert_eq!(shop.ledger.next_due(), Some(t("2028-01-01T00:00:00Z")));
    // The January order also counts toward 2027.
    assert_eq!(
        status(&shop, "ana", "2027-01-21").metric,
        "80.00".parse().unwrap()
    );
}

#[test]
fn a_member_who_keeps_spending_keeps_the_tier_year_after_year() {
    let mut shop = Shop::new(ladder(""));
    shop.enroll("ana", "2026-01-05");
    shop.buy("ana", "ORD-1", "600.00 EUR", "2026-03-01");
    shop.buy("ana", "ORD-2", "1000.00 EUR", "2027-06-01");
    shop.tick("2028-01-01T00:00:00Z");
    assert_eq!(
        tier_story(&shop)[2..],
        [
            "2027-01-01 ana: silver reviewed at 600.00 of 500: kept until 2028-01-01",
            "2027-06-01 ana: silver -> gold (qualified at 1000, metric 1000.00, secured until 2028-01-01)",
            "2028-01-01 ana: gold reviewed at 1000.00 of 1000: kept until 2029-01-01",
        ]
    );
}

#[test]
fn a_downgrade_goes_one_level_at_a_time_or_to_the_tier_the_year_earns() {
    let year = |downgrade: &str| {
        let mut shop = Shop::new(ladder(&format!(
            r#", "downgrade": "{downgrade}", "grace_days": 0"#
        )));
        shop.enroll("ana", "2026-01-05");
        shop.buy("ana", "ORD-1", "1000.00 EUR", "2026-03-01");
        // 2027 and 2028: nothing bought. The review at the end of 2026
        // keeps Gold; the next ones judge the empty years.
        shop.tick("2029-01-01T00:00:00Z");
        tier_story(&shop)[2..].to_vec()
    };
    assert_eq!(
        year("one_level"),
        [
            "2027-01-01 ana: gold reviewed at 1000.00 of 1000: kept until 2028-01-01",
            "2028-01-01 ana: gold -> silver (review below 1000, metric 0, secured until 2029-01-01)",
            "2029-01-01 ana: silver -> bronze (review below 500, metric 0)",
        ]
    );
    assert_eq!(
        year("to_earned"),
        [
            "2027-01-01 ana: gold reviewed at 1000.00 of 1000: kept until 2028-01-01",
            "2028-01-01 ana: gold -> bronze (review below 1000, metric 0)",
        ]
    );
}

#[test]
fn one_level_down_never_lands_below_what_the_year_earns() {
    let mut shop = Shop::new(ladder(
        r#", "grace_days": 0, "levels": [
            {"id": "bronze", "threshold": "0"}, {"id": "silver", "threshold": "500"},
            {"id": "gold", "threshold": "1000"}, {"id": "platinum", "threshold": "2000"}]"#,
    ));
    shop.enroll("ana", "2026-01-05");
    shop.buy("ana", "ORD-1", "2000.00 EUR", "2026-03-01");
    shop.buy("ana", "ORD-2", "1500.00 EUR", "2027-03-01");
    shop.tick("2028-01-01T00:00:00Z");
    let story = tier_story(&shop);
    assert_eq!(
        story[2..],
        [
            "2027-01-01 ana: platinum reviewed at 2000.00 of 2000: kept until 2028-01-01",
            "2028-01-01 ana: platinum -> gold (review below 2000, metric 1500.00, secured until 2029-01-01)",
        ]
    );
}

#[test]
fn a_never_downgrade_tier_is_kept_for_good() {
    let mut shop = Shop::new(ladder(
        r#", "grace_days": 0, "levels": [
            {"id": "bronze", "threshold": "0"},
            {"id": "silver", "threshold": "500"},
            {"id": "lifetime-gold", "threshold": "5000", "never_downgrade": true}]"#,
    ));
    shop.enroll("ana", "2026-01-05");
    shop.buy("ana", "ORD-1", "5000.00 EUR", "2026-03-01");
    assert_eq!(
        tier_story(&shop)[1],
        "2026-03-01 ana: bronze -> lifetime-gold (qualified at 5000, metric 5000.00)"
    );
    // Nothing falls due for her tier: no reviews, ever.
    assert_eq!(shop.ledger.next_due(), None);
    shop.tick("2030-01-01");
    assert_eq!(
        tier_of(&shop, "ana", "2030-01-01"),
        Some("lifetime-gold".into())
    );
    let s = status(&shop, "ana", "2030-01-01");
    assert_eq!((s.secured_until, &s.at_risk, &s.next), (None, &None, &None));
    assert_eq!(s.to_string(), "lifetime-gold since 2026-03-01");
}

#[test]
fn status_reached_in_a_year_lasts_through_the_next_the_way_airlines_grant_it() {
    let mut shop = Shop::new(ladder(r#", "through_next_year": true, "grace_days": 0"#));
    shop.enroll("ana", "2026-01-05");
    shop.buy("ana", "ORD-1", "600.00 EUR", "2026-03-01");
    assert_eq!(
        tier_story(&shop)[1],
        "2026-03-01 ana: bronze -> silver (qualified at 500, metric 600.00, secured until 2028-01-01)"
    );
    // No review at the end of 2026; 2027 buys nothing; the review at the
    // end of 2027 judges 2027.
    shop.tick("2027-06-01");
    assert_eq!(tier_story(&shop).len(), 2);
    shop.tick("2028-01-01T00:00:00Z");
    assert_eq!(
        tier_story(&shop)[2],
        "2028-01-01 ana: silver -> bronze (review below 500, metric 0)"
    );
    // Requalifying in 2028 secures the tier through 2029.
    shop.buy("ana", "ORD-2", "500.00 EUR", "2028-05-01");
    assert_eq!(
        tier_story(&shop)[3],
        "2028-05-01 ana: bronze -> silver (qualified at 500, metric 500.00, secured until 2030-01-01)"
    );
}

#[test]
fn a_rolling_window_forgets_old_orders_and_the_anniversary_reviews_them() {
    let mut shop = Shop::new(ladder(
        r#", "window": "rolling", "rolling_days": 365, "review": "anniversary", "grace_days": 0"#,
    ));
    shop.enroll("ana", "2026-01-05");
    shop.buy("ana", "ORD-1", "300.00 EUR", "2026-02-01");
    shop.buy("ana", "ORD-2", "300.00 EUR", "2026-08-01");
    assert_eq!(
        tier_story(&shop)[1],
        "2026-08-01 ana: bronze -> silver (qualified at 500, metric 600.00, secured until 2027-08-01)"
    );
    // By March 2027 the February order has left the window.
    let s = status(&shop, "ana", "2027-03-01");
    assert_eq!(s.metric, "300.00".parse().unwrap());
    assert_eq!(s.next.as_ref().map(|n| n.by), Some(None));
    assert_eq!(
        s.to_string(),
        "silver since 2026-08-01, secured until 2027-08-01; needs 200.00 EUR more before the \
         review on 2027-08-01; 700.00 EUR more for gold"
    );
    // 200.00 EUR more in July keeps her: on the anniversary the window
    // reaches back to 2026-08-01 12:00, so the August order still counts.
    shop.buy("ana", "ORD-3", "200.00 EUR", "2027-07-01");
    shop.tick("2027-08-01");
    assert_eq!(
        tier_story(&shop)[2],
        "2027-08-01 ana: silver reviewed at 500.00 of 500: kept until 2028-08-01"
    );
    // A year later the window holds nothing: one level down.
    shop.tick("2028-08-01");
    assert_eq!(
        tier_story(&shop)[3],
        "2028-08-01 ana: silver -> bronze (review below 500, metric 0)"
    );
}

#[test]
fn points_and_order_counts_can_qualify_too() {
    // Points earned: the sign-up bonus counts, a clawback comes off.
    let mut points = Shop::new(seed_with(
        r#""bonuses": {"sign_up": 100, "actions": [{"id": "review", "points": 150}]},
           "tiers": {"metric": "points", "window": "lifetime",
                     "levels": [{"id": "member", "threshold": "100"}, {"id": "insider", "threshold": "250"}]}"#,
    ));
    points.enroll("ana", "2026-01-05");
    assert_eq!(
        tier_story(&points),
        ["2026-01-05 ana: none -> member (qualified at 100, metric 100, secured until 2027-01-05)"]
    );
    points.buy("ana", "ORD-1", "150.00 EUR", "2026-02-01");
    assert_eq!(
        tier_story(&points)[1],
        "2026-02-01 ana: member -> insider (qualified at 250, metric 250, secured until 2027-02-01)"
    );
    points
        .refund("ana", "ORD-1", "RF-1", "50.00 EUR", "2026-02-02")
        .unwrap();
    let s = status(&points, "ana", "2026-02-03");
    assert_eq!(s.metric, "200".parse().unwrap());
    // Points from an action count as soon as they are awarded.
    points.enroll("ben", "2026-01-05");
    points.run(Action::new(
        member("ben"),
        "review".parse().unwrap(),
        r("REV-1"),
        t("2026-01-06"),
    ));
    assert_eq!(
        tier_story(&points).last().unwrap(),
        "2026-01-06 ben: member -> insider (qualified at 250, metric 250, secured until 2027-01-06)"
    );
    assert_eq!(
        s.to_string(),
        "insider since 2026-02-01, secured until 2027-02-01; needs 50 points more before the \
         review on 2027-02-01"
    );

    // Orders: a fully refunded order stops counting; a partial one counts.
    let mut orders = Shop::new(seed_with(
        r#""tiers": {"metric": "orders", "window": "calendar_year", "review": "period_end",
                     "levels": [{"id": "regular", "threshold": "3"}]}"#,
    ));
    orders.enroll("ana", "2026-01-05");
    orders.buy("ana", "ORD-1", "10.00 EUR", "2026-02-01");
    orders.buy("ana", "ORD-2", "10.00 EUR", "2026-02-02");
    orders
        .refund("ana", "ORD-2", "RF-1", "10.00 EUR", "2026-02-03")
        .unwrap();
    orders.buy("ana", "ORD-3", "10.00 EUR", "2026-02-04");
    orders
        .refund("ana", "ORD-3", "RF-2", "5.00 EUR", "2026-02-05")
        .unwrap();
    let s = status(&orders, "ana", "2026-02-06");
    assert_eq!(s.metric, "2".parse().unwrap());
    assert_eq!(
        s.to_string(),
        "no tier; 1 order more for regular by 2027-01-01"
    );
    orders.buy("ana", "ORD-4", "10.00 EUR", "2026-02-07");
    assert_eq!(
        tier_story(&orders),
        ["2026-02-07 ana: none -> regular (qualified at 3, metric 3, secured until 2027-01-01)"]
    );
}

#[test]
fn tier_benefits_open_tier_only_rewards_at_tier_prices() {
    let mut program = ladder("");
    let mut config = program.config().clone();
    config.rewards.push(
        RewardConfig::fixed_amount_off("gold-gift", 500, "25.00".parse().unwrap())
            .tiers(["gold"])
            .tier_cost("gold", 300),
    );
    program = Program::new(config).unwrap();
    let mut shop = Shop::new(program);
    shop.enroll("ana", "2026-01-05");
    shop.buy("ana", "ORD-1", "900.00 EUR", "2026-02-01");
    let refused = shop
        .redeem("ana", "RDM-1", "gold-gift", "80.00 EUR", "2026-02-02")
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "reward gold-gift is not available: for gold members only"
    );
    shop.buy("ana", "ORD-2", "100.00 EUR", "2026-02-03");
    let redeemed = shop
        .redeem("ana", "RDM-2", "gold-gift", "80.00 EUR", "2026-02-04")
        .unwrap();
    assert_eq!(redeemed.points, pts(300));
    let quote = shop
        .ledger
        .quote(
            &member("ana"),
            &Cart::new(money("80.00 EUR")),
            t("2026-02-05"),
        )
        .unwrap();
    let gift = quote
        .options
        .iter()
        .find(|o| o.reward.as_str() == "gold-gift")
        .unwrap();
    assert_eq!(gift.cost, pts(300));
    let s = status(&shop, "ana", "2026-02-05");
    assert_eq!(s.perks, ["Free shipping", "Priority support"]);
    assert_eq!(s.next, None);
}

#[test]
fn the_status_read_counts_what_falls_due_by_then() {
    let mut shop = Shop::new(ladder(r#", "grace_days": 0"#));
    shop.enroll("ana", "2026-01-05");
    shop.buy("ana", "ORD-1", "600.00 EUR", "2026-03-01");
    // Read after the review of 2027 (an empty year) without a tick: the
    // downgrade is already counted, and nothing changed in the ledger.
    let before = shop.ledger.clone();
    assert_eq!(tier_of(&shop, "ana", "2027-12-31"), Some("silver".into()));
    let s = status(&shop, "ana", "2028-02-01");
    assert_eq!(s.tier.as_ref().map(TierId::as_str), Some("bronze"));
    assert_eq!(shop.ledger, before);
    assert_eq!(
        shop.ledger.tier_status(&member("nobody"), t("2027-01-01")),
        Err(Error::NotEnrolled {
            member: member("nobody")
        })
    );
    let plain = Shop::seed();
    let mut plain = plain;
    plain.enroll("ana", "2026-01-05");
    assert_eq!(
        plain.ledger.tier_status(&member("ana"), t("2026-01-06")),
        Err(Error::NoTiers)
    );
}

#[test]
fn a_new_ladder_is_applied_to_every_member_by_re_evaluation() {
    let mut shop = Shop::new(ladder(r#", "grace_days": 0"#));
    for (who, order, amount) in [
        ("ana", "ORD-1", "450.00 EUR"),
        ("ben", "ORD-2", "600.00 EUR"),
        ("cy", "ORD-3", "1100.00 EUR"),
    ] {
        shop.enroll(who, "2026-01-05");
        shop.buy(who, order, amount, "2026-02-01");
    }
    // The merchant lowers Silver to 400, raises Gold to 1500 and adds
    // Platinum at 3000.
    let mut config = shop.ledger.program().config().clone();
    config.tiers.levels = vec![
        TierLevelConfig::new("bronze", "0".parse().unwrap()),
        TierLevelConfig::new("silver", "400".parse().unwrap()),
        TierLevelConfig::new("gold", "1500".parse().unwrap()),
        TierLevelConfig::new("platinum", "3000".parse().unwrap()),
    ];
    shop.ledger
        .set_program(Program::new(config).unwrap())
        .unwrap();
    let before = tier_story(&shop).len();
    let decision = shop
        .ledger
        .decide(ReevaluateTiers::new(t("2026-06-01")))
        .unwrap();
    // Deterministic: deciding again gives the same events.
    assert_eq!(
        shop.ledger
            .decide(ReevaluateTiers::new(t("2026-06-01")))
            .unwrap(),
        decision
    );
    let receipt = shop.run(ReevaluateTiers::new(t("2026-06-01")));
    assert_eq!(
        receipt.to_string(),
        "tiers re-evaluated at 2026-06-01 12:00 UTC: 1 of 3 members changed"
    );
    // Ana moves up; Cy keeps Gold until the review although 1100 no longer
    // reaches it; Ben is unchanged.
    assert_eq!(
        tier_story(&shop)[before..],
        ["2026-06-01 ana: bronze -> silver (reevaluated, metric 450.00, secured until 2027-01-01)"]
    );
    shop.tick("2027-01-01T00:00:00Z");
    assert!(
        tier_story(&shop)
            .contains(&"2027-01-01 cy: gold -> silver (review below 1500, metric 1100.00, secured until 2028-01-01)".to_owned()),
        "{:#?}",
        tier_story(&shop)
    );
}

#[test]
fn a_tier_removed_from_the_ladder_gives_way_to_the_tier_the_member_earns() {
    let mut shop = Shop::new(ladder(""));
    shop.enroll("ana", "2026-01-05");
    shop.buy("ana", "ORD-1", "700.00 EUR", "2026-02-01");
    let mut config = shop.ledger.program().config().clone();
    config.tiers.levels.retain(|l| l.id != "silver");
    // A program in another currency is refused: the amounts would not add up.
    let mut dollars = config.clone();
    dollars.currency = "USD".to_owned();
    let before = shop.ledger.clone();
    assert_eq!(
        shop.ledger
            .set_program(Program::new(dollars).unwrap())
            .unwrap_err()
            .to_string(),
        "wrong currency: the program runs in EUR, got USD"
    );
    assert_eq!(shop.ledger, before);
    shop.ledger
        .set_program(Program::new(config).unwrap())
        .unwrap();
    shop.run(ReevaluateTiers::new(t("2026-03-01")));
    assert_eq!(
        tier_story(&shop).last().unwrap(),
        "2026-03-01 ana: silver -> bronze (reevaluated, metric 700.00)"
    );
}

#[test]
fn moving_the_shop_to_another_time_zone_moves_the_year_that_counts() {
    let mut shop = Shop::new(ladder(r#", "grace_days": 0"#));
    let mut config = shop.ledger.program().config().clone();
    config.utc_offset = "+00:00".into();
    shop.ledger
        .set_program(Program::new(config.clone()).unwrap())
        .unwrap();
    shop.enroll("ana", "2026-12-01");
    shop.buy("ana", "ORD-1", "600.00 EUR", "2026-12-31T09:00:00Z");
    assert_eq!(
        tier_of(&shop, "ana", "2026-12-31T09:30:00Z").as_deref(),
        Some("silver")
    );
    // The shop moves to UTC+14, where the new year began at 10:00 UTC on
    // 31 December: ORD-1 now counts toward last year.
    config.utc_offset = "+14:00".into();
    shop.ledger
        .set_program(Program::new(config).unwrap())
        .unwrap();
    shop.buy("ana", "ORD-2", "500.00 EUR", "2026-12-31T11:00:00Z");
    // This year's 500.00 keeps Silver; it does not add up to Gold with
    // last year's 600.00.
    assert_eq!(
        tier_of(&shop, "ana", "2026-12-31T11:30:00Z").as_deref(),
        Some("silver")
    );
    assert_eq!(
        status(&shop, "ana", "2026-12-31T11:30:00Z")
            .metric
            .to_string(),
        "500.00"
    );
}

#[test]
fn a_gold_member_spending_during_the_grace_period_keeps_gold_at_once() {
    let mut shop = in_grace_after_spending("900.00 EUR");
    // 900.00 of 1000 at the review: grace on Gold, the top rung. 80.00
    // EUR in January is not enough, 20.00 more is.
    shop.buy("ana", "ORD-3", "80.00 EUR", "2027-01-20");
    shop.buy("ana", "ORD-4", "20.00 EUR", "2027-01-25");
    // Kept, and on the top rung: a large order has nothing to move up to.
    shop.buy("ana", "ORD-5", "5000.00 EUR", "2027-02-10");
    assert_eq!(
        tier_story(&shop)[3..],
        [
            "2027-01-01 ana: gold reviewed at 900.00 of 1000: grace until 2027-01-31",
            "2027-01-25 ana: gold reviewed at 1000.00 of 1000: kept until 2028-01-01",
        ]
    );
    assert_eq!(shop.ledger.next_due(), Some(t("2028-01-01T00:00:00Z")));
    let now = status(&shop, "ana", "2027-02-11");
    assert_eq!(now.tier.map(|t| t.to_string()).as_deref(), Some("gold"));
    assert_eq!(now.grace_until, None);
    assert_eq!(now.metric, "5100.00".parse().unwrap());
}
