//! The same reference is recognised: the original receipt comes back and
//! nothing is awarded, spent or clawed back twice; a different payload is a
//! conflict; commands from the past are refused.

use loyalty::*;

use crate::support::*;

fn marta_with_history() -> Shop {
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    shop.enroll("joan", "2026-01-05");
    shop.buy("marta", "ORD-1", "150.00 EUR", "2026-01-12");
    shop
}

#[test]
fn a_retried_purchase_returns_the_original_receipt_and_awards_nothing() {
    let mut shop = marta_with_history();
    // The host retries after a timeout, a little later.
    let retry = shop
        .try_run(Purchase::new(
            member("marta"),
            r("ORD-1"),
            money("150.00 EUR"),
            t("2026-01-13"),
        ))
        .unwrap();
    assert!(retry.duplicate);
    assert!(retry.events.is_empty());
    let Receipt::Purchase(receipt) = retry.receipt else {
        panic!()
    };
    assert_eq!((receipt.points(), receipt.at), (pts(150), t("2026-01-12")));
    assert_eq!(shop.available("marta"), 150);
    // Trailing zeros do not make a different amount.
    let same = shop
        .try_run(Purchase::new(
            member("marta"),
            r("ORD-1"),
            money("150 EUR"),
            t("2026-01-13"),
        ))
        .unwrap();
    assert!(same.duplicate);
}

/// The ledger keeps an order more compactly than its event: a retry's
/// receipt is rebuilt from what it kept, and must be the original byte for
/// byte however the points were computed.
#[test]
fn a_retried_purchase_gets_the_original_receipt_byte_for_byte() {
    let mut shop = Shop::new(seed_with(
        r#""earn": {"exclude": {"shipping": true},
                    "rules": [{"id": "shoes", "categories": ["shoes"], "multiplier": "2"}]}"#,
    ));
    shop.enroll("marta", "2026-01-05");
    let boots = Line::new("BOOT-41".parse().unwrap(), 1, money("60.00 EUR"))
        .category("shoes".parse().unwrap());
    let hat = Line::new("HAT".parse().unwrap(), 1, money("20.00 EUR"));
    let orders = [
        // The base rate alone, the amount written with one decimal.
        Purchase::new(
            member("marta"),
            r("ORD-1"),
            money("57.4 EUR"),
            t("2026-01-12"),
        ),
        // Shipping excluded: the eligible amount is not the amount paid.
        Purchase::new(
            member("marta"),
            r("ORD-2"),
            money("24.95 EUR"),
            t("2026-01-12"),
        )
        .with_cart(Cart::of([hat.clone()]).shipping(money("4.95 EUR"))),
        // The payment written with one decimal, the cart with two.
        Purchase::new(
            member("marta"),
            r("ORD-4"),
            money("12.5 EUR"),
            t("2026-01-12"),
        )
        .with_cart(Cart::of([Line::new(
            "SOCKS".parse().unwrap(),
            1,
            money("12.50 EUR"),
        )])),
        // A multiplier on the shoes: two lines.
        Purchase::new(
            member("marta"),
            r("ORD-3"),
            money("80.00 EUR"),
            t("2026-01-12"),
        )
        .with_cart(Cart::of([boots, hat])),
    ];
    for order in orders {
        let first = shop.try_run(order.clone()).unwrap();
        let retry = shop.try_run(order).unwrap();
        assert!(retry.duplicate && !first.duplicate);
        assert_eq!(retry.receipt, first.receipt);
        assert_eq!(
            serde_json::to_string(&retry.receipt).unwrap(),
            serde_json::to_string(&first.receipt).unwrap()
        );
        assert_eq!(retry.receipt.to_string(), first.receipt.to_string());
    }
    assert_eq!(shop.available("marta"), 57 + 20 + 12 + 120 + 20);
}

#[test]
fn every_kind_of_reference_is_exactly_once() {
    let mut shop = marta_with_history();
    let redeem = Redeem::new(
        member("marta"),
        r("RDM-1"),
        "ten-percent-off".parse().unwrap(),
        Cart::new(money("80.00 EUR")),
        t("2026-01-14"),
    );
    let refund = Refund::new(
        member("marta"),
        r("ORD-1"),
        r("RF-1"),
        money("50.00 EUR"),
        t("2026-01-15"),
    );
    let adjust = Adjust::credit(
        member("marta"),
        r("ADJ-1"),
        pts(5),
        "survey",
        t("2026-01-16"),
    );
    let transfer = Transfer::new(
        member("marta"),
        member("joan"),
        r("T-1"),
        pts(5),
        t("2026-01-17"),
    );
    let commands: Vec<Command> = vec![redeem.into(), refund.into(), adjust.into(), transfer.into()];
    for command in &commands {
        shop.run(command.clone());
    }
    let balance = shop.balance("marta");
    for command in commands {
        let again = shop.try_run(command.clone()).unwrap();
        assert!(again.duplicate, "{command:?}");
        assert!(again.events.is_empty());
    }
    assert_eq!(shop.balance("marta"), balance);
    // 150 earned − 100 redeemed − 50 clawed back + 5 credited − 5 sent.
    assert_eq!(balance.available, pts(0));
}

#[test]
fn a_reference_reused_with_another_payload_is_a_conflict() {
    let mut shop = marta_with_history();
    let err = shop
        .try_run(Purchase::new(
            member("marta"),
            r("ORD-1"),
            money("99.00 EUR"),
            t("2026-01-13"),
        ))
        .unwrap_err();
    assert_eq!(
        err,
        Error::Conflict {
            kind: ReferenceKind::Order,
            reference: r("ORD-1"),
            field: "amount",
            recorded: "150.00 EUR".into(),
            received: "99.00 EUR".into(),
        }
    );
    assert_eq!(
        err.to_string(),
        "conflict: order ORD-1 was already recorded with amount 150.00 EUR, not 99.00 EUR"
    );

    shop.redeem(
        "marta",
        "RDM-1",
        "ten-percent-off",
        "80.00 EUR",
        "2026-01-14",
    )
    .unwrap();
    let err = shop
        .redeem(
            "marta",
            "RDM-1",
            "ten-percent-off",
            "90.00 EUR",
            "2026-01-14",
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::Conflict { field: "cart", .. }),
        "{err}"
    );
    let err = shop
        .redeem("marta", "RDM-1", "free-shipping", "80.00 EUR", "2026-01-14")
        .unwrap_err();
    assert_eq!(
        err,
        Error::Conflict {
            kind: ReferenceKind::Redemption,
            reference: r("RDM-1"),
            field: "reward",
            recorded: "ten-percent-off".into(),
            received: "free-shipping".into(),
        }
    );

    shop.refund("marta", "ORD-1", "RF-1", "10.00 EUR", "2026-01-15")
        .unwrap();
    let err = shop
        .refund("marta", "ORD-1", "RF-1", "20.00 EUR", "2026-01-15")
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Conflict {
                field: "amount",
                ..
            }
        ),
        "{err}"
    );

    shop.run(Adjust::credit(
        member("marta"),
        r("ADJ-1"),
        pts(5),
        "survey",
        t("2026-01-16"),
    ));
    let err = shop
        .try_run(Adjust::credit(
            member("marta"),
            r("ADJ-1"),
            pts(5),
            "review",
            t("2026-01-16"),
        ))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Conflict {
                field: "reason",
                ..
            }
        ),
        "{err}"
    );

    shop.run(Transfer::new(
        member("marta"),
        member("joan"),
        r("T-1"),
        pts(5),
        t("2026-01-17"),
    ));
    let err = shop
        .try_run(Transfer::new(
            member("marta"),
            member("joan"),
            r("T-1"),
            pts(6),
            t("2026-01-17"),
        ))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Conflict {
                field: "points",
                ..
            }
        ),
        "{err}"
    );
    let err = shop
        .try_run(Transfer::new(
            member("joan"),
            member("marta"),
            r("T-1"),
            pts(5),
            t("2026-01-17"),
        ))
        .unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err}");
}

#[test]
fn a_command_dated_before_the_members_last_event_is_refused() {
    let mut shop = marta_with_history();
    let err = shop
        .try_run(Purchase::new(
            member("marta"),
            r("ORD-0"),
            money("10.00 EUR"),
            t("2026-01-11"),
        ))
        .unwrap_err();
    assert_eq!(
        err,
        Error::OutOfOrder {
            member: member("marta"),
            at: t("2026-01-11"),
            last_event_at: t("2026-01-12"),
        }
    );
    // The same instant is fine; so is another member's past.
    shop.buy("marta", "ORD-2", "10.00 EUR", "2026-01-12");
    shop.buy("joan", "J-1", "10.00 EUR", "2026-01-06");
    // A retry is recognised even when it carries an earlier time.
    let retry = shop
        .try_run(Purchase::new(
            member("marta"),
            r("ORD-1"),
            money("150.00 EUR"),
            t("2026-01-01"),
        ))
        .unwrap();
    assert!(retry.duplicate);
}

#[test]
fn references_are_scoped_per_member_and_per_kind() {
    let mut shop = marta_with_history();
    shop.buy("joan", "ORD-1", "20.00 EUR", "2026-01-12");
    assert_eq!((shop.available("marta"), shop.available("joan")), (150, 20));
    // A refund may reuse an order's id.
    shop.refund("marta", "ORD-1", "ORD-1", "10.00 EUR", "2026-01-13")
        .unwrap();
    assert_eq!(shop.available("marta"), 140);
}

#[test]
fn enrolling_twice_returns_the_first_enrolment() {
    let mut shop = marta_with_history();
    let again = shop
        .try_run(Enroll::new(member("marta"), t("2026-03-01")))
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(
        again.receipt.to_string(),
        "marta enrolled on 2026-01-05 12:00 UTC"
    );
}

/// The ledger holds a reference of up to 15 bytes, or up to 20 letters,
/// digits, `-` and `_`, in its record, and any other beside its records:
/// each is recognised on a retry, refunded by name, named in the member's
/// statement, and replayed to the same ledger (the shop checks replay and
/// the fingerprint after every command).
#[test]
fn references_of_every_length_are_recognised_refunded_and_listed() {
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    let orders = [
        "ORD-7",
        "ORD-2026-0000123",
        "ORD-2026-000001234",
        "ORD/2026/000001234",
        "4f1c2b9e-8d7a-4c3b-9e21-5a6b7c8d9e0f",
        &"X".repeat(128),
    ];
    for (order, day) in orders.iter().zip(10..) {
        shop.buy("marta", order, "20.00 EUR", &format!("2026-01-{day}"));
    }
    assert_eq!(shop.available("marta"), 120);
    let again = |order: &str, amount: &str| {
        Purchase::new(member("marta"), r(order), money(amount), t("2026-02-01"))
    };
    for order in orders {
        let retry = shop.try_run(again(order, "20.00 EUR")).unwrap();
        assert!(retry.duplicate && retry.events.is_empty(), "{order}");
        let conflict = shop.try_run(again(order, "21.00 EUR")).unwrap_err();
        assert!(
            matches!(&conflict, Error::Conflict { reference, field: "amount", .. } if reference.as_str() == order),
            "{conflict}"
        );
    }
    // A reference one character off each is an order of its own.
    shop.buy("marta", "ORD/2026/000001235", "20.00 EUR", "2026-02-02");
    shop.buy("marta", "ORD-2026-00000123", "20.00 EUR", "2026-02-02");
    assert_eq!(shop.available("marta"), 160);
    let refunds: Vec<String> = orders
        .iter()
        .zip(1..)
        .map(|(order, n)| format!("RF/{n}/{order}").chars().take(128).collect())
        .collect();
    for (order, refund) in orders.iter().zip(&refunds) {
        shop.refund("marta", order, refund, "10.00 EUR", "2026-02-03")
            .unwrap();
    }
    assert_eq!(shop.available("marta"), 100);
    // A redemption named at length, and the order that used it.
    let redemption = "RDM/2026/000000001";
    shop.redeem(
        "marta",
        redemption,
        "ten-percent-off",
        "80.00 EUR",
        "2026-02-04",
    )
    .unwrap();
    let using = |order: &str, at: &str| {
        Purchase::new(member("marta"), r(order), money("72.00 EUR"), t(at))
            .with_redemption(r(redemption))
    };
    let used = using("ORD/2026/000009999", "2026-02-04");
    shop.run(used.clone());
    let again = used.with_redemption(r(redemption));
    let refused = shop.try_run(again).unwrap_err();
    assert!(
        matches!(
            refused,
            Error::Conflict {
                field: "redemptions",
                ..
            }
        ),
        "{refused}"
    );
    let other = using("ORD/2026/000010000", "2026-02-05");
    assert_eq!(
        shop.try_run(other).unwrap_err(),
        Error::RedemptionUsed {
            redemption: r(redemption),
            order: r("ORD/2026/000009999"),
        }
    );
    let statement = shop
        .ledger
        .statement(&member("marta"), t("2026-01-01"), t("2026-03-01"))
        .unwrap();
    let named: Vec<&str> = statement
        .lines
        .iter()
        .filter_map(|line| line.reference.as_ref().map(Reference::as_str))
        .collect();
    for name in orders
        .iter()
        .copied()
        .chain(refunds.iter().map(String::as_str))
    {
        assert_eq!(named.iter().filter(|n| **n == name).count(), 1, "{name}");
    }
}
