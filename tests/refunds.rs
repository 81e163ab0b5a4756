//! Refunds claw back what the order earned and give back what was spent on
//! it, in proportion, under the program's negative-balance policy.

use loyalty::*;

use crate::support::*;

#[test]
fn returning_a_third_of_the_order_claws_back_a_third_and_restores_a_third() {
    let mut shop = Shop::marta_redeemed(program(SEED));
    let receipt = shop
        .refund("marta", "ORD-1003", "RF-1", "24.00 EUR", "2026-03-30")
        .unwrap();
    assert_eq!(receipt.clawback.points, pts(24));
    assert_eq!(receipt.restored_points(), pts(33));
    assert_eq!(
        receipt.to_string(),
        "refund RF-1 of 24.00 EUR on order ORD-1003: clawed back 24 points \
         (24 = floor(72 × 24.00 EUR / 72.00 EUR)); restored 33 points spent on redemption \
         RDM-1 (33 = floor(100 × 24.00 EUR / 72.00 EUR))"
    );
    let balance = shop.balance("marta");
    assert_eq!(balance.available, pts(86));
    assert_eq!(balance.clawed_back, pts(24));
    assert_eq!(balance.redeemed, pts(67));
    // The clawback came from the refunded order's own lot.
    assert_eq!(receipt.clawback.draws[0].lot, LotId::new(3));
}

#[test]
fn repeated_partial_refunds_never_claw_back_more_than_the_order_earned() {
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "57.40 EUR", "2026-01-12");
    let mut clawed = Vec::new();
    for (i, amount) in ["19.10 EUR", "19.10 EUR", "19.10 EUR", "0.10 EUR"]
        .iter()
        .enumerate()
    {
        let receipt = shop
            .refund("marta", "ORD-1", &format!("RF-{i}"), amount, "2026-01-20")
            .unwrap();
        clawed.push(receipt.clawback.points.value());
    }
    // floor(57 × 19.10/57.40) = 18, then cumulative floors 37 and 56, then 57.
    assert_eq!(clawed, [18, 19, 19, 1]);
    assert_eq!(clawed.iter().sum::<i64>(), 57);
    assert_eq!(shop.available("marta"), 0);

    let err = shop
        .refund("marta", "ORD-1", "RF-9", "0.01 EUR", "2026-01-21")
        .unwrap_err();
    assert_eq!(
        err,
        Error::RefundExceedsOrder {
            order: r("ORD-1"),
            order_amount: money("57.40 EUR"),
            already_refunded: money("57.40 EUR"),
            requested: money("0.01 EUR")
        }
    );
    assert_eq!(
        err.to_string(),
        "refund exceeds order ORD-1: 0.01 EUR requested, 57.40 EUR of 57.40 EUR already refunded"
    );
}

#[test]
fn a_second_refund_explains_what_earlier_ones_took() {
    let mut shop = Shop::marta_redeemed(program(SEED));
    let first = shop
        .refund("marta", "ORD-1003", "RF-1", "24.00 EUR", "2026-03-30")
        .unwrap();
    let second = shop
        .refund("marta", "ORD-1003", "RF-2", "48.00 EUR", "2026-04-02")
        .unwrap();
    // Retried, each refund gives back the receipt it gave, worked out
    // again from its stored event.
    let retried = shop
        .refund("marta", "ORD-1003", "RF-1", "24.00 EUR", "2026-03-30")
        .unwrap();
    assert_eq!(retried, first);
    let retried = shop
        .refund("marta", "ORD-1003", "RF-2", "48.00 EUR", "2026-04-02")
        .unwrap();
    assert_eq!(retried, second);
    assert_eq!(second.clawed_back_before, pts(24));
    assert_eq!(second.clawback.points, pts(48));
    assert_eq!(second.restored[0].before, pts(33));
    assert_eq!(second.restored[0].points, pts(67));
    assert!(
        second
            .to_string()
            .contains("48 = floor(72 × 72.00 EUR / 72.00 EUR) − 24 before")
    );
    // Fully refunded: all of ORD-1003's points gone, all of RDM-1's back.
    let balance = shop.balance("marta");
    assert_eq!((balance.available, balance.redeemed), (pts(105), pts(0)));
}

#[test]
fn refund_amounts_are_checked() {
    let mut shop = Shop::marta_redeemed(program(SEED));
    let zero = shop
        .refund("marta", "ORD-1003", "RF-1", "0.00 EUR", "2026-03-30")
        .unwrap_err();
    assert_eq!(
        zero.to_string(),
        "invalid amount 0.00 EUR: a refund must be greater than zero"
    );
    let usd = shop
        .refund("marta", "ORD-1003", "RF-1", "5.00 USD", "2026-03-30")
        .unwrap_err();
    assert!(matches!(usd, Error::WrongCurrency { .. }));
    let unknown = shop
        .refund("marta", "ORD-404", "RF-1", "5.00 EUR", "2026-03-30")
        .unwrap_err();
    assert_eq!(unknown.to_string(), "member marta has no order ORD-404");
    let too_much = shop
        .refund("marta", "ORD-1003", "RF-1", "72.01 EUR", "2026-03-30")
        .unwrap_err();
    assert!(matches!(too_much, Error::RefundExceedsOrder { .. }));
}

/// Earn 72 on an order, spend 100 of 120, then return the whole order.
fn spent_then_returned(policy: &str) -> (Shop, Result<RefundReceipt, Error>) {
    let mut shop = Shop::new(seed_with(&format!(
        r#""refunds": {{"negative_balance": "{policy}"}}"#
    )));
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "48.00 EUR", "2026-01-10");
    shop.buy("marta", "ORD-2", "72.00 EUR", "2026-01-12");
    shop.redeem(
        "marta",
        "RDM-1",
        "ten-percent-off",
        "80.00 EUR",
        "2026-01-13",
    )
    .unwrap();
    assert_eq!(shop.available("marta"), 20);
    let result = shop.refund("marta", "ORD-2", "RF-1", "72.00 EUR", "2026-01-20");
    (shop, result)
}

#[test]
fn under_reject_a_clawback_beyond_the_balance_refuses_the_refund() {
    let (shop, result) = spent_then_returned("reject");
    assert_eq!(
        result.unwrap_err(),
        Error::ClawbackExceedsBalance {
            available: pts(20),
            required: pts(72)
        }
    );
    assert_eq!(shop.available("marta"), 20);
}

#[test]
fn under_clamp_the_clawback_takes_what_is_there_and_forgives_the_rest() {
    let (shop, result) = spent_then_returned("clamp");
    let receipt = result.unwrap();
    assert_eq!(receipt.clawback.points, pts(72));
    assert_eq!(receipt.clawback.forgiven, pts(52));
    assert_eq!(receipt.clawed_back(), pts(20));
    assert!(receipt.to_string().contains(", 52 forgiven"));
    let balance = shop.balance("marta");
    assert_eq!((balance.available, balance.clawed_back), (pts(0), pts(20)));
}

#[test]
fn under_debt_the_balance_goes_negative_and_the_next_purchase_repays_it() {
    let (mut shop, result) = spent_then_returned("debt");
    let receipt = result.unwrap();
    assert_eq!(receipt.clawback.debt, pts(52));
    assert!(receipt.to_string().contains(", 52 left as debt"));
    let balance = shop.balance("marta");
    assert_eq!(balance.available, pts(-52));
    assert_eq!(balance.debt(), pts(52));
    assert_eq!(shop.lots("marta"), []);

    // Redemptions cannot spend a debt.
    let err = shop
        .redeem(
            "marta",
            "RDM-2",
            "ten-percent-off",
            "80.00 EUR",
            "2026-01-21",
        )
        .unwrap_err();
    assert_eq!(
        err,
        Error::InsufficientPoints {
            available: pts(-52),
            required: pts(100)
        }
    );

    let purchase = shop.buy("marta", "ORD-3", "60.00 EUR", "2026-02-01");
    assert_eq!(purchase.debt_repaid, pts(52));
    assert!(purchase.to_string().contains("; 52 points repaid debt"));
    assert_eq!(shop.available("marta"), 8);
    assert_eq!(shop.lots("marta"), [(8, None)]);
}

#[test]
fn a_refund_inside_the_return_window_takes_the_pending_points() {
    let mut shop = Shop::new(seed_with(r#""pending": {"days": 14}"#));
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "90.00 EUR", "2026-01-10");
    let receipt = shop
        .refund("marta", "ORD-1", "RF-1", "30.00 EUR", "2026-01-12")
        .unwrap();
    assert_eq!(
        receipt.clawback.from_pending.map(|d| d.points),
        Some(pts(30))
    );
    assert!(receipt.to_string().contains(", 30 from pending"));
    assert_eq!((shop.available("marta"), shop.pending("marta")), (0, 60));
    shop.tick("2026-01-25");
    assert_eq!((shop.available("marta"), shop.pending("marta")), (60, 0));
}

#[test]
fn a_refund_takes_the_orders_own_points_before_older_ones() {
    let mut shop = Shop::new(seed_with(
        r#""expiry": {"policy": "after_earning", "days": 365}"#,
    ));
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "40.00 EUR", "2026-01-10");
    shop.buy("marta", "ORD-2", "30.00 EUR", "2026-02-10");
    shop.refund("marta", "ORD-2", "RF-1", "30.00 EUR", "2026-02-11")
        .unwrap();
    // ORD-1's lot, the one expiring first, is untouched.
    assert_eq!(shop.lots("marta"), [(40, Some(t("2027-01-10")))]);
}

#[test]
fn points_that_already_expired_unused_are_not_clawed_back_twice() {
    let mut shop = Shop::new(seed_with(
        r#""expiry": {"policy": "after_earning", "days": 30}"#,
    ));
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "40.00 EUR", "2026-01-10");
    shop.buy("marta", "ORD-2", "25.00 EUR", "2026-03-01");
    // ORD-1's 40 points expire unused on 2026-02-09; the order comes back
    // after that.
    let receipt = shop
        .refund("marta", "ORD-1", "RF-1", "40.00 EUR", "2026-03-02")
        .unwrap();
    assert_eq!(receipt.clawback.points, pts(40));
    assert_eq!(receipt.clawback.expired, pts(40));
    assert_eq!(receipt.clawed_back(), pts(0));
    assert!(receipt.to_string().contains(", 40 had already expired"));
    // ORD-2's points are untouched.
    assert_eq!(shop.available("marta"), 25);
    let balance = shop.balance("marta");
    assert_eq!((balance.expired, balance.clawed_back), (pts(40), pts(0)));
}

#[test]
fn spent_points_of_an_order_whose_rest_expired_are_still_clawed_back() {
    let mut shop = Shop::new(seed_with(
        r#""expiry": {"policy": "after_earning", "days": 30},
           "rewards": [{"id": "five-off", "cost": 60, "kind": "fixed_amount_off", "amount": "5"}]"#,
    ));
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "100.00 EUR", "2026-01-10");
    shop.redeem("marta", "RDM-1", "five-off", "20.00 EUR", "2026-01-11")
        .unwrap();
    shop.buy("marta", "ORD-2", "80.00 EUR", "2026-03-01");
    // 60 of ORD-1's points were spent, 40 expired on 2026-02-09.
    let receipt = shop
        .refund("marta", "ORD-1", "RF-1", "100.00 EUR", "2026-03-02")
        .unwrap();
    assert_eq!(receipt.clawback.expired, pts(40));
    assert_eq!(receipt.clawed_back(), pts(60));
    assert_eq!(shop.available("marta"), 20);
}

#[test]
fn a_clawback_never_takes_points_restored_into_an_expired_lot() {
    let mut shop = Shop::new(seed_with(
        r#""expiry": {"policy": "after_earning", "days": 30},
           "refunds": {"negative_balance": "debt"}"#,
    ));
    shop.enroll("marta", "2025-12-20");
    shop.buy("marta", "ORD-1", "100.00 EUR", "2026-01-01");
    shop.redeem(
        "marta",
        "RDM-1",
        "ten-percent-off",
        "30.00 EUR",
        "2026-01-02",
    )
    .unwrap();
    shop.run(
        Purchase::new(
            member("marta"),
            r("ORD-2"),
            money("27.00 EUR"),
            t("2026-01-02"),
        )
        .with_redemption(r("RDM-1")),
    );
    shop.buy("marta", "ORD-3", "50.00 EUR", "2026-02-05");
    // On 2026-02-10 ORD-1's lot (where RDM-1's points came from) and ORD-2's
    // lot have both expired. Refunding ORD-2 gives RDM-1's 100 points back
    // into their expired lot, where they expire at once; ORD-2's own 27
    // points had expired unused, so nothing is taken from ORD-3's 50.
    let receipt = shop
        .refund("marta", "ORD-2", "RF-1", "27.00 EUR", "2026-02-10")
        .unwrap();
    assert_eq!(receipt.restored_points(), pts(100));
    assert_eq!(receipt.clawback.expired, pts(27));
    assert!(receipt.clawback.draws.is_empty());
    assert_eq!(shop.available("marta"), 50);
    assert_eq!(shop.balance("marta").expired, pts(127));
}

#[test]
fn returning_an_order_paid_entirely_with_points_gives_the_points_back() {
    let mut shop = Shop::new(seed_with(
        r#""rewards": [{"id": "five-off", "cost": 60, "kind": "fixed_amount_off", "amount": "5.00"}]"#,
    ));
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "80.00 EUR", "2026-01-10");
    shop.redeem("marta", "RDM-1", "five-off", "5.00 EUR", "2026-01-11")
        .unwrap();
    shop.run(
        Purchase::new(
            member("marta"),
            r("ORD-2"),
            money("0.00 EUR"),
            t("2026-01-11"),
        )
        .with_redemption(r("RDM-1")),
    );
    assert_eq!(shop.available("marta"), 20);

    let receipt = shop
        .refund("marta", "ORD-2", "RF-1", "0.00 EUR", "2026-01-15")
        .unwrap();
    assert_eq!(receipt.restored_points(), pts(60));
    assert!(
        receipt.to_string().ends_with(
            "restored 60 points spent on redemption RDM-1 (60 = all 60: the order was free)"
        ),
        "{receipt}"
    );
    assert_eq!(shop.available("marta"), 80);

    // Once only.
    let again = shop
        .refund("marta", "ORD-2", "RF-2", "0.00 EUR", "2026-01-16")
        .unwrap_err();
    assert!(matches!(again, Error::RefundExceedsOrder { .. }), "{again}");
    // And a paid order still needs an amount.
    let zero = shop
        .refund("marta", "ORD-1", "RF-3", "0.00 EUR", "2026-01-16")
        .unwrap_err();
    assert!(matches!(zero, Error::InvalidAmount { .. }), "{zero}");
}
