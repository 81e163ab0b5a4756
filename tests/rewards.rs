//! Quotes, redemptions and cancellations against the reward catalogue.

use loyalty::*;

use crate::support::*;

/// The seed program plus a capped, minimum-order reward and a fixed amount.
fn catalogue() -> Program {
    seed_with(
        r#""rewards": [
            {"id": "ten-percent-off", "name": "10% off your next order", "cost": 100,
             "kind": "percent_off", "percent": "10"},
            {"id": "vip-25", "name": "25% off orders from 50.00 EUR", "cost": 250,
             "kind": "percent_off", "percent": "25", "minimum_order": "50.00",
             "maximum_discount": "30.00"},
            {"id": "five-off", "name": "5.00 EUR off", "cost": 60,
             "kind": "fixed_amount_off", "amount": "5.00"}
        ]"#,
    )
}

#[test]
fn a_quote_says_what_she_can_have_and_why_not_the_rest() {
    let mut shop = Shop::new(catalogue());
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1001", "57.40 EUR", "2026-01-12");

    let quote = shop
        .ledger
        .quote(
            &member("marta"),
            &Cart::new(money("40.00 EUR")),
            t("2026-01-13"),
        )
        .unwrap();
    assert_eq!(quote.available, pts(57));
    let lines: Vec<String> = quote.options.iter().map(|o| o.to_string()).collect();
    assert_eq!(
        lines,
        [
            "10% off your next order (100 points): 4.00 EUR off — not available: needs 43 more points",
            "25% off orders from 50.00 EUR (250 points) — not available: order below 50.00 EUR, needs 193 more points",
            "5.00 EUR off (60 points): 5.00 EUR off — not available: needs 3 more points",
        ]
    );
    assert_eq!(quote.available().count(), 0);
    // Each option names its reward as the program does, written as a
    // plain string.
    assert_eq!(quote.options[0].name, "10% off your next order");
    assert_eq!(
        serde_json::to_value(&quote.options[0]).unwrap()["name"],
        "10% off your next order"
    );
    assert_eq!(
        quote.options[1].shortfalls,
        [
            Shortfall::BelowMinimumOrder {
                minimum: money("50.00 EUR"),
                actual: money("40.00 EUR")
            },
            Shortfall::InsufficientPoints {
                available: pts(57),
                required: pts(250)
            }
        ]
    );

    shop.buy("marta", "ORD-1002", "48.00 EUR", "2026-02-20");
    let quote = shop
        .ledger
        .quote(
            &member("marta"),
            &Cart::new(money("80.00 EUR")),
            t("2026-03-14"),
        )
        .unwrap();
    let available: Vec<&str> = quote.available().map(|o| o.reward.as_str()).collect();
    assert_eq!(available, ["ten-percent-off", "five-off"]);
    assert_eq!(quote.options[0].discount, Some(money("8.00 EUR")));
}

#[test]
fn a_quote_changes_nothing() {
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "120.00 EUR", "2026-01-12");
    let before = shop.ledger.clone();
    shop.ledger
        .quote(
            &member("marta"),
            &Cart::new(money("80.00 EUR")),
            t("2026-03-14"),
        )
        .unwrap();
    assert_eq!(shop.ledger, before);
}

#[test]
fn one_hundred_points_buy_ten_percent_off_oldest_points_first() {
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1001", "57.40 EUR", "2026-01-12");
    shop.buy("marta", "ORD-1002", "48.00 EUR", "2026-02-20");

    let receipt = shop
        .redeem(
            "marta",
            "RDM-1",
            "ten-percent-off",
            "80.00 EUR",
            "2026-03-14",
        )
        .unwrap();
    assert_eq!(receipt.discount, money("8.00 EUR"));
    assert_eq!(receipt.points, pts(100));
    assert_eq!(drawn(&receipt.draws), [(1, 57), (2, 43)]);
    assert_eq!(
        receipt.to_string(),
        "redemption RDM-1 of ten-percent-off: 8.00 EUR off a cart of 80.00 EUR for 100 points \
         (57 from lot 1, 43 from lot 2)"
    );
    let balance = shop.balance("marta");
    assert_eq!((balance.available, balance.redeemed), (pts(5), pts(100)));
    assert_eq!(shop.lots("marta"), [(5, None)]);
}

#[test]
fn refusals_carry_the_numbers_to_explain_them() {
    let mut shop = Shop::new(catalogue());
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "300.00 EUR", "2026-01-12");
    shop.buy("marta", "ORD-2", "0.00 EUR", "2026-01-12");

    let below = shop
        .redeem("marta", "RDM-1", "vip-25", "49.99 EUR", "2026-01-13")
        .unwrap_err();
    assert_eq!(
        below,
        Error::BelowMinimumOrder {
            minimum: money("50.00 EUR"),
            actual: money("49.99 EUR")
        }
    );
    assert_eq!(
        below.to_string(),
        "order below minimum: 49.99 EUR is below the reward's 50.00 EUR minimum"
    );

    let unknown = shop
        .redeem("marta", "RDM-1", "free-car", "49.99 EUR", "2026-01-13")
        .unwrap_err();
    assert_eq!(unknown.to_string(), "unknown reward free-car");

    let currency = shop
        .redeem("marta", "RDM-1", "five-off", "49.99 USD", "2026-01-13")
        .unwrap_err();
    assert_eq!(
        currency,
        Error::WrongCurrency {
            expected: Currency::EUR,
            actual: Currency::USD
        }
    );

    shop.redeem("marta", "RDM-1", "vip-25", "60.00 EUR", "2026-01-13")
        .unwrap();
    let short = shop
        .redeem(
            "marta",
            "RDM-2",
            "ten-percent-off",
            "60.00 EUR",
            "2026-01-13",
        )
        .unwrap_err();
    assert_eq!(
        short,
        Error::InsufficientPoints {
            available: pts(50),
            required: pts(100)
        }
    );
    assert_eq!(
        short.to_string(),
        "insufficient points: 50 available, 100 required"
    );
}

#[test]
fn discounts_are_capped_rounded_and_never_exceed_the_cart() {
    let mut shop = Shop::new(catalogue());
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "1000.00 EUR", "2026-01-12");
    let capped = shop
        .redeem("marta", "R1", "vip-25", "400.00 EUR", "2026-01-13")
        .unwrap();
    assert_eq!(capped.discount, money("30.00 EUR"));
    let rounded = shop
        .redeem("marta", "R2", "ten-percent-off", "57.45 EUR", "2026-01-13")
        .unwrap();
    assert_eq!(rounded.discount, money("5.75 EUR"), "half_up by default");
    let whole_cart = shop
        .redeem("marta", "R3", "five-off", "3.20 EUR", "2026-01-13")
        .unwrap();
    assert_eq!(whole_cart.discount, money("3.20 EUR"));
}

#[test]
fn pending_points_cannot_be_redeemed() {
    let mut shop = Shop::new(seed_with(r#""pending": {"settle": "on_confirmation"}"#));
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "150.00 EUR", "2026-01-12");
    let err = shop
        .redeem("marta", "R1", "ten-percent-off", "80.00 EUR", "2026-01-13")
        .unwrap_err();
    assert_eq!(
        err,
        Error::InsufficientPoints {
            available: pts(0),
            required: pts(100)
        }
    );
}

/// Points earned an order at a time: a redemption draws from as many lots
/// as it takes, oldest first, whether the list is short or long, and a
/// cancellation puts every point back where it came from.
#[test]
fn a_redemption_from_many_small_lots_lists_every_lot_it_drew_from() {
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-01");
    // Thirty orders of 4.00 EUR (thirty lots of 4 points), then one of
    // 120.00 EUR.
    for day in 1..=30 {
        let order = format!("ORD-{day}");
        shop.buy("marta", &order, "4.00 EUR", &format!("2026-01-{day:02}"));
    }
    shop.buy("marta", "ORD-31", "120.00 EUR", "2026-02-01");
    let before = shop.lots("marta");
    // 100 points: twenty-five whole lots of 4.
    let first = shop
        .redeem(
            "marta",
            "RDM-1",
            "ten-percent-off",
            "80.00 EUR",
            "2026-03-14",
        )
        .unwrap();
    assert_eq!(
        drawn(&first.draws),
        (1..=25).map(|lot| (lot, 4)).collect::<Vec<_>>()
    );

    // The next 100: the last five lots of 4, then 80 of the 120.
    let second = shop
        .redeem(
            "marta",
            "RDM-2",
            "ten-percent-off",
            "80.00 EUR",
            "2026-03-15",
        )
        .unwrap();
    assert_eq!(
        drawn(&second.draws),
        [(26, 4), (27, 4), (28, 4), (29, 4), (30, 4), (31, 80)]
    );
    assert_eq!(shop.lots("marta"), [(40, None)]);

    // Retrying the first redemption repeats its receipt, draws and all.
    let again = shop
        .redeem(
            "marta",
            "RDM-1",
            "ten-percent-off",
            "80.00 EUR",
            "2026-03-16",
        )
        .unwrap();
    assert_eq!(again, first);

    // Cancelling both gives each lot its points back.
    for redemption in ["RDM-2", "RDM-1"] {
        shop.run(CancelRedemption::new(
            member("marta"),
            r(redemption),
            t("2026-03-16T13:00:00Z"),
        ));
    }
    assert_eq!(shop.lots("marta"), before);
    assert_eq!(shop.balance("marta").available, pts(240));
}

#[test]
fn an_abandoned_checkout_gives_the_points_back_to_their_lots() {
    let mut shop = Shop::new(seed_with(
        r#""expiry": {"policy": "after_earning", "days": 365}"#,
    ));
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1001", "57.40 EUR", "2026-01-12");
    shop.buy("marta", "ORD-1002", "48.00 EUR", "2026-02-20");
    let before = shop.lots("marta");
    shop.redeem(
        "marta",
        "RDM-1",
        "ten-percent-off",
        "80.00 EUR",
        "2026-03-14",
    )
    .unwrap();

    let cancel = CancelRedemption::new(member("marta"), r("RDM-1"), t("2026-03-14T13:00:00Z"));
    let Receipt::Cancellation(receipt) = shop.run(cancel.clone()) else {
        panic!()
    };
    assert_eq!(receipt.points, pts(100));
    assert_eq!(
        receipt.to_string(),
        "redemption RDM-1 cancelled: 100 points given back"
    );
    assert_eq!(shop.lots("marta"), before, "same lots, same expiry");
    assert_eq!(shop.balance("marta").redeemed, pts(0));

    // Cancelling again repeats the receipt.
    let again = shop.try_run(cancel).unwrap();
    assert!(again.duplicate);

    // A cancelled redemption cannot be used by an order.
    let err = shop
        .try_run(
            Purchase::new(
                member("marta"),
                r("ORD-1003"),
                money("72.00 EUR"),
                t("2026-03-15"),
            )
            .with_redemption(r("RDM-1")),
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "redemption RDM-1 was cancelled");
}

#[test]
fn points_returned_after_their_lot_expired_expire_again_at_once() {
    let mut shop = Shop::new(seed_with(
        r#""expiry": {"policy": "after_earning", "days": 30}"#,
    ));
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "150.00 EUR", "2026-01-10");
    shop.redeem(
        "marta",
        "RDM-1",
        "ten-percent-off",
        "80.00 EUR",
        "2026-01-20",
    )
    .unwrap();
    let Receipt::Cancellation(receipt) = shop.run(CancelRedemption::new(
        member("marta"),
        r("RDM-1"),
        t("2026-03-01"),
    )) else {
        panic!()
    };
    assert_eq!(receipt.expired_on_return, pts(100));
    assert!(
        receipt
            .to_string()
            .ends_with("(100 of them had already expired)")
    );
    let balance = shop.balance("marta");
    assert_eq!(balance.available, pts(0));
    assert_eq!(balance.expired, pts(150));
}

#[test]
fn a_redemption_used_by_an_order_comes_back_only_through_a_refund() {
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "120.00 EUR", "2026-01-12");
    shop.redeem(
        "marta",
        "RDM-1",
        "ten-percent-off",
        "80.00 EUR",
        "2026-01-13",
    )
    .unwrap();
    shop.run(
        Purchase::new(
            member("marta"),
            r("ORD-2"),
            money("72.00 EUR"),
            t("2026-01-13"),
        )
        .with_redemption(r("RDM-1")),
    );
    let err = shop
        .try_run(CancelRedemption::new(
            member("marta"),
            r("RDM-1"),
            t("2026-01-14"),
        ))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "redemption RDM-1 was used by order ORD-2: refund the order instead"
    );
    let err = shop
        .try_run(
            Purchase::new(
                member("marta"),
                r("ORD-3"),
                money("10.00 EUR"),
                t("2026-01-14"),
            )
            .with_redemption(r("RDM-1")),
        )
        .unwrap_err();
    assert!(matches!(err, Error::RedemptionUsed { .. }), "{err}");
    let err = shop
        .try_run(CancelRedemption::new(
            member("marta"),
            r("RDM-9"),
            t("2026-01-14"),
        ))
        .unwrap_err();
    assert_eq!(err.to_string(), "member marta has no redemption RDM-9");
}

#[test]
fn a_host_that_lends_its_list_of_events_gets_it_back_from_redemptions_refunds_and_adjustments() {
    // A host storing each decision's events hands the list back for the
    // next command: purchases, redemptions, refunds and adjustments (and
    // their retries) plan into it rather than allocate a list of their own.
    let mut ledger = Ledger::new(catalogue());
    ledger
        .execute(Enroll::new(member("marta"), t("2026-01-05")))
        .unwrap();
    let mut spare: Vec<Event> = Vec::with_capacity(4);
    let lent = spare.as_ptr();
    let commands: Vec<Command> = vec![
        Purchase::new(
            member("marta"),
            r("ORD-1"),
            money("157.40 EUR"),
            t("2026-01-12"),
        )
        .into(),
        Redeem::new(
            member("marta"),
            r("RDM-1"),
            "ten-percent-off".parse().unwrap(),
            Cart::new(money("80.00 EUR")),
            t("2026-01-13"),
        )
        .into(),
        Refund::new(
            member("marta"),
            r("ORD-1"),
            r("RF-1"),
            money("20.00 EUR"),
            t("2026-01-14"),
        )
        .into(),
        Adjust::new(
            member("marta"),
            r("ADJ-1"),
            pts(5),
            "goodwill",
            t("2026-01-15"),
        )
        .into(),
    ];
    for command in commands.iter().chain(&commands) {
        let decision = ledger
            .execute_reusing(command.clone(), std::mem::take(&mut spare))
            .unwrap();
        assert_eq!(decision.events.as_ptr(), lent, "{command:?}");
        spare = decision.events;
    }
    // 157 earned, 100 redeemed, 19 clawed back (20.00 of 157.40 EUR,
    // rounded down), 5 of goodwill; the retries changed nothing.
    assert_eq!(ledger.balance(&member("marta")).unwrap().available, pts(43));
}
