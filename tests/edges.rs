//! Inputs at the edges: the largest points and amounts, sub-cent and zero
//! and negative amounts, the ends of the calendar, empty carts, unknown
//! members, rewards, memberships and tiers. Each gets a typed error (or a
//! defined outcome), never a panic, and a refusal changes nothing (the
//! `Shop` helper compares the ledger before and after every refusal).

use chrono::{DateTime, Utc};
use loyalty::*;
use rust_decimal::Decimal;

use crate::support::*;

fn enrolled(program: Program) -> Shop {
    let mut shop = Shop::new(program);
    shop.enroll("marta", "2026-01-05");
    shop
}

/// Buys `amount` and returns the purchase receipt.
fn buy(shop: &mut Shop, order: &str, amount: Money, at: &str) -> PurchaseReceipt {
    match shop.run(Purchase::new(member("marta"), r(order), amount, t(at))) {
        Receipt::Purchase(p) => p,
        other => panic!("unexpected receipt {other:?}"),
    }
}

fn adjust(points: i64, reference: &str) -> Adjust {
    Adjust::new(
        member("marta"),
        r(reference),
        Points::new(points),
        "edge",
        t("2026-01-06"),
    )
}

#[test]
fn points_up_to_i64_max_fit_and_one_more_is_a_typed_overflow() {
    let mut shop = enrolled(seed_with(""));
    shop.run(adjust(i64::MAX, "ADJ-1"));
    assert_eq!(shop.available("marta"), i64::MAX);
    let error = shop.try_run(adjust(1, "ADJ-2")).unwrap_err();
    assert!(matches!(error, Error::PointsOverflow(_)), "{error}");
    assert_eq!(error.kind(), "points_overflow");
    // i64::MIN has no positive twin: refused by name.
    let error = shop.try_run(adjust(i64::MIN, "ADJ-3")).unwrap_err();
    assert_eq!(
        error,
        Error::InvalidPoints {
            points: Points::MIN
        }
    );
    // Spending the whole of it is fine.
    shop.run(adjust(-i64::MAX, "ADJ-4"));
    assert_eq!(shop.available("marta"), 0);
}

#[test]
fn the_largest_decimal_amount_is_refused_as_out_of_range() {
    let mut shop = enrolled(seed_with(""));
    let huge = Money::new(Decimal::MAX, Currency::EUR);
    let error = shop
        .try_run(Purchase::new(
            member("marta"),
            r("ORD-1"),
            huge,
            t("2026-01-06"),
        ))
        .unwrap_err();
    assert!(
        matches!(error.kind(), "amount_out_of_range" | "points_overflow"),
        "{error}"
    );
    // The largest order whose points fit earns them.
    let big = Money::new(Decimal::new(i64::MAX, 2), Currency::EUR);
    let receipt = buy(&mut shop, "ORD-2", big, "2026-01-06");
    assert_eq!(receipt.points(), pts(i64::MAX / 100));
}

#[test]
fn a_full_refund_of_a_huge_order_takes_back_every_point_exactly() {
    let mut shop = enrolled(seed_with(""));
    let big = Money::new(Decimal::new(i64::MAX, 2), Currency::EUR);
    buy(&mut shop, "ORD-1", big, "2026-01-06");
    let receipt = shop
        .try_run(Refund::new(
            member("marta"),
            r("ORD-1"),
            r("RF-1"),
            big,
            t("2026-01-07"),
        ))
        .unwrap();
    let Receipt::Refund(refund) = receipt.receipt else {
        panic!("a refund receipt");
    };
    assert_eq!(refund.clawed_back(), pts(i64::MAX / 100));
    assert_eq!(shop.available("marta"), 0);
}

#[test]
fn sub_cent_zero_and_negative_amounts() {
    let mut shop = enrolled(seed_with(""));
    // Sub-cent amounts are kept as given; a fraction of a euro earns
    // nothing under floor.
    let receipt = shop.buy("marta", "ORD-1", "0.004 EUR", "2026-01-06");
    assert_eq!(
        (receipt.amount, receipt.points()),
        (money("0.004 EUR"), pts(0))
    );
    let receipt = shop.buy("marta", "ORD-2", "0.00 EUR", "2026-01-06");
    assert_eq!(receipt.points(), pts(0));
    let error = shop
        .try_run(Purchase::new(
            member("marta"),
            r("ORD-3"),
            money("-0.01 EUR"),
            t("2026-01-06"),
        ))
        .unwrap_err();
    assert_eq!(error.kind(), "invalid_amount");
    // A refund of a sub-cent part of an order is taken in proportion.
    shop.buy("marta", "ORD-4", "100.00 EUR", "2026-01-07");
    shop.refund("marta", "ORD-4", "RF-1", "0.005 EUR", "2026-01-08")
        .unwrap();
    assert_eq!(shop.available("marta"), 100);
    for amount in ["0.00 EUR", "-1.00 EUR"] {
        let error = shop
            .refund("marta", "ORD-4", "RF-2", amount, "2026-01-08")
            .unwrap_err();
        assert_eq!(error.kind(), "invalid_amount", "{amount}");
    }
    // Points are whole: zero points move nothing and are refused.
    let nothing = Adjust::new(member("marta"), r("ADJ-1"), pts(0), "edge", t("2026-01-09"));
    assert_eq!(
        shop.try_run(nothing).unwrap_err(),
        Error::InvalidPoints { points: pts(0) }
    );
    let transfer = Transfer::new(
        member("marta"),
        member("marta"),
        r("T-1"),
        pts(5),
        t("2026-01-09"),
    );
    assert_eq!(shop.try_run(transfer).unwrap_err().kind(), "self_transfer");
}

#[test]
fn the_ends_of_the_calendar_are_typed_errors() {
    let mut shop = Shop::new(seed_with(
        r#""expiry": {"policy": "after_earning", "days": 30}, "pending": {"days": 14}"#,
    ));
    let end = DateTime::<Utc>::MAX_UTC;
    shop.run(Enroll::new(member("marta"), end));
    // Lots expire 30 days after earning: past the calendar's end.
    let error = shop
        .try_run(Purchase::new(
            member("marta"),
            r("ORD-1"),
            money("10.00 EUR"),
            end,
        ))
        .unwrap_err();
    assert!(matches!(error, Error::TimeOutOfRange { .. }), "{error}");
    let Receipt::Tick(tick) = shop.run(Tick::new(end)) else {
        panic!("a tick receipt");
    };
    assert_eq!(tick.expired, pts(0));

    let start = DateTime::<Utc>::MIN_UTC;
    let mut shop = Shop::new(seed_with(""));
    shop.run(Enroll::new(member("ana"), start));
    shop.run(Purchase::new(
        member("ana"),
        r("ORD-1"),
        money("10.00 EUR"),
        start,
    ));
    assert_eq!(shop.available("ana"), 10);
}

#[test]
fn empty_carts_and_unknown_names_are_refused_by_name() {
    let mut shop = enrolled(seed_with(
        r#""memberships": [{"id": "plus", "tier": "gold", "fee": "9.00", "term_months": 1}],
           "tiers": {"levels": [{"id": "gold", "threshold": "1000"}]}"#,
    ));
    shop.run(adjust(500, "ADJ-1"));
    let redeem = |reward: &str, cart: Cart| {
        Redeem::new(
            member("marta"),
            r("RDM-1"),
            reward.parse().unwrap(),
            cart,
            t("2026-01-07"),
        )
    };
    let error = shop
        .try_run(redeem("ten-percent-off", Cart::of([])))
        .unwrap_err();
    assert_eq!(error.kind(), "invalid_cart", "{error}");
    let error = shop
        .try_run(redeem("no-such-reward", Cart::new(money("10.00 EUR"))))
        .unwrap_err();
    assert_eq!(error.kind(), "unknown_reward");
    let error = shop
        .try_run(Purchase::new(
            member("nobody"),
            r("ORD-1"),
            money("1.00 EUR"),
            t("2026-01-07"),
        ))
        .unwrap_err();
    assert_eq!(
        error,
        Error::NotEnrolled {
            member: member("nobody")
        }
    );
    let error = shop
        .try_run(JoinMembership::new(
            member("marta"),
            "platinum".parse().unwrap(),
            r("PAY-1"),
            t("2026-01-07"),
        ))
        .unwrap_err();
    assert_eq!(error.kind(), "unknown_membership");
    assert!(matches!(
        shop.ledger.balance(&member("nobody")),
        Err(Error::NotEnrolled { .. })
    ));
    // A program without tiers has no tier status.
    let plain = enrolled(seed_with(""));
    assert_eq!(
        plain.ledger.tier_status(&member("marta"), t("2026-01-07")),
        Err(Error::NoTiers)
    );
    // A reward for a tier the ladder does not have is a configuration
    // error naming the field.
    let config = serde_json::from_str::<Program>(
        r#"{"currency": "EUR", "tiers": {"levels": [{"id": "gold", "threshold": "1000"}]},
            "rewards": [{"id": "r", "cost": 10, "kind": "free_shipping", "tiers": ["platinum"]}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(config.contains("rewards[0].tiers"), "{config}");
}

#[test]
fn a_member_whose_expiry_would_overflow_does_not_stop_the_nightly_tick() {
    let mut shop = Shop::new(seed_with(
        r#""expiry": {"policy": "after_earning", "days": 30}"#,
    ));
    shop.enroll("marta", "2026-01-05");
    shop.enroll("ana", "2026-01-05");
    // Marta's lifetime expired total reaches i64::MAX...
    shop.run(adjust(i64::MAX, "ADJ-1"));
    shop.tick("2026-02-10");
    assert_eq!(shop.balance("marta").expired, Points::MAX);
    // ...so the next expiry of hers cannot be recorded.
    shop.buy("marta", "ORD-1", "10.00 EUR", "2026-02-11");
    shop.buy("ana", "ORD-1", "20.00 EUR", "2026-02-11");
    let tick = shop.tick("2026-03-20");
    assert_eq!(tick.skipped, [member("marta")]);
    assert!(
        tick.to_string()
            .ends_with("; 1 member skipped, their figures would overflow: marta")
    );
    // Ana's points expired; Marta is as she was, and her own commands
    // say why.
    assert_eq!(shop.balance("ana").expired, pts(20));
    assert_eq!(shop.available("marta"), 10);
    let error = shop
        .try_run(Purchase::new(
            member("marta"),
            r("ORD-2"),
            money("1.00 EUR"),
            t("2026-03-21"),
        ))
        .unwrap_err();
    assert_eq!(error.kind(), "points_overflow");
}
