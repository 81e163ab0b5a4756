//! Purchases earn points: rates, rounding, minimums, pending periods and
//! confirmation.

use loyalty::*;

use crate::support::*;

#[test]
fn a_57_40_eur_order_earns_57_points_and_says_why() {
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    let receipt = shop.buy("marta", "ORD-1001", "57.40 EUR", "2026-01-12");
    assert_eq!(receipt.points(), pts(57));
    assert_eq!(
        receipt.earning.to_string(),
        "57 = floor(57.40 EUR × 1 point per 1.00 EUR)"
    );
    assert_eq!(receipt.status, EarnStatus::Available);
    assert_eq!(shop.available("marta"), 57);

    shop.buy("marta", "ORD-1002", "48.00 EUR", "2026-02-20");
    let balance = shop.balance("marta");
    assert_eq!(balance.available, pts(105));
    assert_eq!(balance.earned, pts(105));
    assert_eq!(balance.pending, pts(0));
}

#[test]
fn other_rates_earn_what_the_merchant_configured() {
    let mut five = Shop::new(seed_with(r#""earn": {"points": 5, "per": "1.00"}"#));
    five.enroll("ana", "2026-01-05");
    assert_eq!(
        five.buy("ana", "A", "57.40 EUR", "2026-01-12").points(),
        pts(287)
    );

    let mut tenth = Shop::new(seed_with(r#""earn": {"points": 1, "per": "10.00"}"#));
    tenth.enroll("ana", "2026-01-05");
    let receipt = tenth.buy("ana", "A", "57.40 EUR", "2026-01-12");
    assert_eq!(receipt.points(), pts(5));
    assert_eq!(
        receipt.earning.to_string(),
        "5 = floor(57.40 EUR × 1 point per 10.00 EUR)"
    );

    let mut nearest = Shop::new(seed_with(
        r#""earn": {"points": 1, "per": "1.00", "rounding": "half_up"}"#,
    ));
    nearest.enroll("ana", "2026-01-05");
    assert_eq!(
        nearest.buy("ana", "A", "57.50 EUR", "2026-01-12").points(),
        pts(58)
    );
    assert_eq!(
        nearest.buy("ana", "B", "57.49 EUR", "2026-01-12").points(),
        pts(57)
    );
}

#[test]
fn an_order_below_the_minimum_is_recorded_but_earns_nothing() {
    let mut shop = Shop::new(seed_with(
        r#""earn": {"points": 1, "per": "1.00", "minimum_order": "10.00"}"#,
    ));
    shop.enroll("marta", "2026-01-05");
    let receipt = shop.buy("marta", "ORD-1", "9.99 EUR", "2026-01-12");
    assert_eq!(receipt.points(), pts(0));
    assert_eq!(receipt.status, EarnStatus::NothingEarned);
    assert_eq!(
        receipt.earning.to_string(),
        "0: 9.99 EUR is below the 10.00 EUR minimum order to earn"
    );
    assert_eq!(
        shop.ledger.account(&member("marta")).unwrap().order_count(),
        1
    );
    assert_eq!(
        shop.buy("marta", "ORD-2", "10.00 EUR", "2026-01-13")
            .points(),
        pts(10)
    );
}

#[test]
fn a_free_order_earns_nothing_and_is_not_an_error() {
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    assert_eq!(
        shop.buy("marta", "ORD-1", "0.00 EUR", "2026-01-12")
            .points(),
        pts(0)
    );
}

#[test]
fn purchases_in_another_currency_or_below_zero_are_refused() {
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    let err = shop
        .try_run(Purchase::new(
            member("marta"),
            r("ORD-1"),
            money("57.40 USD"),
            t("2026-01-12"),
        ))
        .unwrap_err();
    assert_eq!(
        err,
        Error::WrongCurrency {
            expected: Currency::EUR,
            actual: Currency::USD
        }
    );
    assert_eq!(
        err.to_string(),
        "wrong currency: the program runs in EUR, got USD"
    );
    let err = shop
        .try_run(Purchase::new(
            member("marta"),
            r("ORD-1"),
            money("-1.00 EUR"),
            t("2026-01-12"),
        ))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidAmount { .. }), "{err}");
}

#[test]
fn a_purchase_for_someone_not_enrolled_is_refused() {
    let mut shop = Shop::seed();
    let err = shop
        .try_run(Purchase::new(
            member("ghost"),
            r("ORD-1"),
            money("5 EUR"),
            t("2026-01-12"),
        ))
        .unwrap_err();
    assert_eq!(
        err,
        Error::NotEnrolled {
            member: member("ghost")
        }
    );
    assert_eq!(err.to_string(), "member ghost is not enrolled");
}

#[test]
fn points_wait_out_a_14_day_return_window() {
    let mut shop = Shop::new(seed_with(
        r#""pending": {"settle": "after_days", "days": 14}"#,
    ));
    shop.enroll("marta", "2026-01-05");
    let receipt = shop.buy("marta", "ORD-1", "120.00 EUR", "2026-01-12");
    assert_eq!(
        receipt.status,
        EarnStatus::Pending {
            until: Some(t("2026-01-26"))
        }
    );
    assert!(
        receipt
            .to_string()
            .ends_with("pending until 2026-01-26 12:00 UTC")
    );
    assert_eq!((shop.available("marta"), shop.pending("marta")), (0, 120));

    // Not spendable inside the window...
    let err = shop
        .redeem(
            "marta",
            "RDM-1",
            "ten-percent-off",
            "50.00 EUR",
            "2026-01-20",
        )
        .unwrap_err();
    assert_eq!(
        err,
        Error::InsufficientPoints {
            available: pts(0),
            required: pts(100)
        }
    );

    // ...and spendable once it closes, with no tick needed: the redemption
    // brings the member up to date first.
    shop.redeem(
        "marta",
        "RDM-1",
        "ten-percent-off",
        "50.00 EUR",
        "2026-01-27",
    )
    .unwrap();
    assert_eq!((shop.available("marta"), shop.pending("marta")), (20, 0));
    let settled = shop.settlements()[0].clone();
    assert_eq!(settled.at, t("2026-01-26"), "dated when the window closed");
    assert_eq!(settled.credit.points, pts(120));
}

#[test]
fn a_purchase_that_settles_earlier_orders_leaves_the_member_due_at_the_next() {
    // Given points pending 14 days and three orders on the 10th, 12th and
    // 20th, an order on the 30th first settles the two whose windows closed
    // (on the 24th and the 26th), then holds its own: the member is next due
    // when the order of the 20th settles, on 3 February.
    let mut shop = Shop::new(seed_with(r#""pending": {"days": 14}"#));
    shop.enroll("ana", "2026-01-05");
    shop.buy("ana", "A1", "30.00 EUR", "2026-01-10");
    shop.buy("ana", "A2", "20.00 EUR", "2026-01-12");
    shop.buy("ana", "A3", "40.00 EUR", "2026-01-20");
    assert_eq!(shop.ledger.next_due(), Some(t("2026-01-24")));

    shop.buy("ana", "A4", "10.00 EUR", "2026-01-30");
    assert_eq!(shop.settlements().len(), 2);
    assert_eq!((shop.available("ana"), shop.pending("ana")), (50, 50));
    assert_eq!(shop.ledger.next_due(), Some(t("2026-02-03")));

    // Nothing is due before then; on the 3rd, the order of the 20th settles.
    let early = shop.tick("2026-02-02");
    assert_eq!((early.members, early.settled), (0, pts(0)));
    let tick = shop.tick("2026-02-03");
    assert_eq!((tick.members, tick.settled), (1, pts(40)));
    assert_eq!(shop.ledger.next_due(), Some(t("2026-02-13")));
}

#[test]
fn orders_placed_before_a_shorter_pending_period_settle_soonest_first() {
    // Given points pending 14 days and an order on the 10th (pending until
    // the 24th), the shop restarts with points pending a day: an order on
    // the 20th is pending until the 21st, a later order than the first
    // whose points mature before the first's.
    let mut shop = Shop::new(seed_with(r#""pending": {"days": 14}"#));
    shop.enroll("ana", "2026-01-05");
    shop.buy("ana", "A1", "30.00 EUR", "2026-01-10");
    let shorter = seed_with(r#""pending": {"days": 1}"#);
    shop.ledger = Ledger::replay(shorter, &shop.log).expect("the log replays");
    shop.buy("ana", "A2", "20.00 EUR", "2026-01-20");
    shop.buy("ana", "A3", "40.00 EUR", "2026-01-20");

    // An order on the 30th first settles the three, soonest first: the
    // two orders of the 20th (on the 21st, in the order they were placed),
    // then the order of the 10th (on the 24th), though its lot came first.
    shop.buy("ana", "A4", "10.00 EUR", "2026-01-30");
    let settled: Vec<(String, Points)> = shop
        .settlements()
        .iter()
        .map(|s| (s.order.to_string(), s.credit.points))
        .collect();
    assert_eq!(
        settled,
        [
            ("A2".to_owned(), pts(20)),
            ("A3".to_owned(), pts(40)),
            ("A1".to_owned(), pts(30))
        ]
    );
    assert_eq!((shop.available("ana"), shop.pending("ana")), (90, 10));
    assert_eq!(shop.ledger.next_due(), Some(t("2026-01-31")));
    // The log replays to the same ledger.
    let replayed = Ledger::replay(seed_with(r#""pending": {"days": 1}"#), &shop.log);
    assert_eq!(replayed.as_ref(), Ok(&shop.ledger));
}

#[test]
fn orders_keep_the_earn_rate_they_were_placed_under_after_it_changes() {
    // Given 1 point per euro and an order of 57.40 EUR, the shop restarts
    // earning 2 points per euro: the next order of 57.40 EUR earns 114.
    let mut shop = Shop::seed();
    shop.enroll("ana", "2026-01-05");
    shop.buy("ana", "A1", "57.40 EUR", "2026-01-12");
    let doubled = seed_with(r#""earn": {"points": 2, "per": "1.00"}"#);
    shop.ledger = Ledger::replay(doubled.clone(), &shop.log).expect("the log replays");
    let second = shop.buy("ana", "A2", "57.40 EUR", "2026-01-20");
    assert_eq!(second.points(), pts(114));
    assert_eq!(shop.available("ana"), 171);

    // A retry of either order gives back its receipt, each at its own
    // rate, and the ledger is unchanged.
    let first = shop.buy("ana", "A1", "57.40 EUR", "2026-01-12");
    assert_eq!(
        first.earning.to_string(),
        "57 = floor(57.40 EUR × 1 point per 1.00 EUR)"
    );
    let again = shop.buy("ana", "A2", "57.40 EUR", "2026-01-20");
    assert_eq!(
        again.earning.to_string(),
        "114 = floor(57.40 EUR × 2 points per 1.00 EUR)"
    );
    assert_eq!(shop.available("ana"), 171);

    // A third order at the new rate, then the log replayed: the same
    // ledger, and the same fingerprint, as the live one.
    shop.buy("ana", "A3", "10.00 EUR", "2026-01-25");
    assert_eq!(shop.available("ana"), 191);
    let replayed = Ledger::replay(doubled, &shop.log).expect("the log replays");
    assert_eq!(replayed, shop.ledger);
    assert_eq!(replayed.state_hash(), shop.ledger.state_hash());
}

#[test]
fn a_tick_settles_every_member_whose_window_closed() {
    let mut shop = Shop::new(seed_with(r#""pending": {"days": 14}"#));
    for who in ["ana", "ben", "cris"] {
        shop.enroll(who, "2026-01-05");
    }
    shop.buy("ana", "A1", "30.00 EUR", "2026-01-10");
    shop.buy("ben", "B1", "40.00 EUR", "2026-01-20");
    assert_eq!(shop.ledger.next_due(), Some(t("2026-01-24")));

    let tick = shop.tick("2026-01-25");
    assert_eq!((tick.members, tick.settled), (1, pts(30)));
    assert_eq!(shop.available("ana"), 30);
    assert_eq!(shop.pending("ben"), 40);
    assert_eq!(shop.ledger.next_due(), Some(t("2026-02-03")));

    let nothing = shop.tick("2026-01-26");
    assert_eq!((nothing.members, nothing.settled), (0, pts(0)));
}

#[test]
fn points_settle_when_the_host_confirms_the_order() {
    let mut shop = Shop::new(seed_with(r#""pending": {"settle": "on_confirmation"}"#));
    shop.enroll("marta", "2026-01-05");
    let receipt = shop.buy("marta", "ORD-1", "57.40 EUR", "2026-01-12");
    assert_eq!(receipt.status, EarnStatus::Pending { until: None });
    assert!(
        receipt
            .to_string()
            .contains("pending until the order is confirmed")
    );
    shop.tick("2027-01-01");
    assert_eq!((shop.available("marta"), shop.pending("marta")), (0, 57));

    let confirm = Confirm::new(member("marta"), r("ORD-1"), t("2027-01-02"));
    let Receipt::Confirmation(receipt) = shop.run(confirm.clone()) else {
        panic!()
    };
    assert_eq!(receipt.settled, pts(57));
    assert_eq!(
        receipt.to_string(),
        "order ORD-1 confirmed: 57 points became spendable"
    );
    assert_eq!((shop.available("marta"), shop.pending("marta")), (57, 0));

    // Confirming again repeats the receipt and changes nothing.
    let again = shop.try_run(confirm).unwrap();
    assert!(again.duplicate);
    assert_eq!(again.receipt, Receipt::Confirmation(receipt));
}

/// Points expire a month after the order earned them, whether or not
/// it was confirmed by then: confirmed later, they become spendable and
/// expire in the same decision.
#[test]
fn points_confirmed_after_their_lot_expired_expire_at_once() {
    let mut shop = Shop::new(seed_with(
        r#""pending": {"settle": "on_confirmation"},
           "expiry": {"policy": "after_earning", "days": 30}"#,
    ));
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "57.40 EUR", "2026-01-12");
    shop.buy("marta", "ORD-2", "20.00 EUR", "2026-02-20");

    let decision = shop
        .try_run(Confirm::new(member("marta"), r("ORD-1"), t("2026-03-01")))
        .unwrap();
    let kinds: Vec<&str> = decision.events.iter().map(|e| e.kind()).collect();
    assert_eq!(kinds, ["OrderConfirmed", "PointsExpired"]);
    let balance = shop.balance("marta");
    assert_eq!((balance.available, balance.pending), (pts(0), pts(20)));
    assert_eq!(balance.expired, pts(57));

    // Confirmed before its lot expires, the second order's points stay.
    let decision = shop
        .try_run(Confirm::new(member("marta"), r("ORD-2"), t("2026-03-02")))
        .unwrap();
    assert_eq!(decision.events.len(), 1);
    assert_eq!(shop.available("marta"), 20);
}

#[test]
fn confirming_early_ends_a_return_window_early() {
    let mut shop = Shop::new(seed_with(r#""pending": {"days": 30}"#));
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "57.40 EUR", "2026-01-12");
    shop.run(Confirm::new(member("marta"), r("ORD-1"), t("2026-01-15")));
    assert_eq!((shop.available("marta"), shop.pending("marta")), (57, 0));
    assert_eq!(shop.ledger.next_due(), None);
    // Nothing is left to settle when the window would have closed.
    assert_eq!(shop.tick("2026-02-20").settled, pts(0));
}

#[test]
fn confirming_an_unknown_order_is_refused() {
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    let err = shop
        .try_run(Confirm::new(member("marta"), r("ORD-9"), t("2026-01-12")))
        .unwrap_err();
    assert_eq!(err.to_string(), "member marta has no order ORD-9");
}

#[test]
fn a_huge_order_is_an_error_not_an_overflow() {
    let mut shop = Shop::new(seed_with(r#""earn": {"points": 1000000, "per": "0.01"}"#));
    shop.enroll("marta", "2026-01-05");
    let amount = Money::new(rust_decimal::Decimal::MAX, Currency::EUR);
    let err = shop
        .try_run(Purchase::new(
            member("marta"),
            r("ORD-1"),
            amount,
            t("2026-01-12"),
        ))
        .unwrap_err();
    assert!(matches!(err, Error::AmountOutOfRange { .. }), "{err}");

    // Orders that fit, but whose points would overflow the balance, are
    // refused too.
    let big = Money::new(
        rust_decimal::Decimal::new(5_000_000_000_000, 2),
        Currency::EUR,
    );
    shop.run(Purchase::new(
        member("marta"),
        r("ORD-2"),
        big,
        t("2026-01-12"),
    ));
    let third = Purchase::new(member("marta"), r("ORD-3"), big, t("2026-01-12"));
    let err = shop.try_run(third.clone()).unwrap_err();
    assert!(matches!(err, Error::PointsOverflow(_)), "{err}");
    // `execute` leaves the purchase's own event for its apply step to
    // check; deciding alone checks it at once, with the same refusal.
    let decided = shop.ledger.decide(third).unwrap_err();
    assert_eq!(decided.to_string(), err.to_string());
    assert!(matches!(decided, Error::PointsOverflow(_)), "{decided}");
}

#[test]
fn a_host_that_hands_back_the_events_list_gets_the_same_decisions() {
    // Two shops take the same commands: one through `execute`, the other
    // through `execute_reusing`, handing each decision's list back.
    let program = program(SEED);
    let at = |day: u32| t(&format!("2026-03-{day:02}"));
    let commands: Vec<Command> = vec![
        Enroll::new(member("marta"), at(1)).into(),
        Purchase::new(member("marta"), r("ORD-1"), money("57.40 EUR"), at(2)).into(),
        Purchase::new(member("marta"), r("ORD-2"), money("120.00 EUR"), at(3)).into(),
        // A retry: the original receipt, no events.
        Purchase::new(member("marta"), r("ORD-2"), money("120.00 EUR"), at(3)).into(),
        Adjust::new(
            member("marta"),
            r("A-1"),
            pts(-100),
            "goodwill taken back",
            at(4),
        )
        .into(),
        Purchase::new(member("marta"), r("ORD-3"), money("80.00 EUR"), at(5)).into(),
        // Refused: dated before marta's last event.
        Purchase::new(member("marta"), r("ORD-4"), money("10.00 EUR"), at(4)).into(),
        Refund::new(
            member("marta"),
            r("ORD-1"),
            r("F-1"),
            money("57.40 EUR"),
            at(6),
        )
        .into(),
        Purchase::new(member("marta"), r("ORD-5"), money("9.99 EUR"), at(7)).into(),
    ];
    let mut plain = Ledger::new(program.clone());
    let mut reusing = Ledger::new(program);
    let mut spare: Vec<Event> = Vec::new();
    let mut stored = 0;
    for command in commands {
        let expected = plain.execute(command.clone());
        let got = reusing.execute_reusing(command, std::mem::take(&mut spare));
        assert_eq!(got, expected);
        if let Ok(decision) = got {
            stored += decision.events.len();
            spare = decision.events;
        }
        assert_eq!(reusing, plain);
    }
    assert_eq!(stored, 7);
    // 57 + 120 − 100 + 80, less ORD-1's 57 on its refund, + 9.
    assert_eq!(
        reusing.balance(&member("marta")).unwrap().available,
        pts(109)
    );
    assert_eq!(reusing.state_hash(), plain.state_hash());
}

#[test]
fn a_purchase_answers_with_a_list_of_events_sized_for_it() {
    // Given the seed program and a member, a purchase through `execute`
    // returns its event in a list with room for it and an upgrade, no
    // more; a list the host lends keeps the room it had.
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    let buy = |order: &str| {
        Purchase::new(
            member("marta"),
            r(order),
            money("57.40 EUR"),
            t("2026-01-12"),
        )
    };
    let decision = shop.ledger.execute(buy("ORD-1")).unwrap();
    assert_eq!(decision.events.len(), 1);
    assert_eq!(decision.events.capacity(), 2);
    let lent: Vec<Event> = Vec::with_capacity(16);
    let decision = shop.ledger.execute_reusing(buy("ORD-2"), lent).unwrap();
    assert_eq!(decision.events.len(), 1);
    assert_eq!(decision.events.capacity(), 16);
}

#[test]
fn a_nightly_import_of_orders_runs_as_one_batch_with_each_order_answered() {
    // Given the seed program and twenty members, of whom the import's
    // orders reach each in turn, with a retried order, an order of a
    // customer who never enrolled, and one in another currency.
    let mut shop = Shop::seed();
    let names: Vec<String> = (0..20).map(|i| format!("member-{i:02}")).collect();
    for name in &names {
        shop.enroll(name, "2026-01-05");
    }
    let at = t("2026-01-12");
    let mut batch: Vec<Command> = (0..60)
        .map(|n| {
            let who = member(&names[n % names.len()]);
            Purchase::new(who, r(&format!("ORD-{n}")), money("57.40 EUR"), at).into()
        })
        .collect();
    batch.insert(
        10,
        Purchase::new(member("member-03"), r("ORD-3"), money("57.40 EUR"), at).into(),
    );
    batch.insert(
        20,
        Purchase::new(member("nobody"), r("ORD-X"), money("10.00 EUR"), at).into(),
    );
    batch.insert(
        30,
        Purchase::new(member("member-07"), r("ORD-Y"), money("10.00 USD"), at).into(),
    );

    // When the host executes the import as one batch.
    let mut one_by_one = shop.ledger.clone();
    let mut results = Vec::new();
    shop.ledger
        .execute_all(batch.clone(), |result| results.push(result.cloned()));

    // Then each of the 63 commands has its own answer, in order: the
    // retry returns the first receipt and awards nothing, the two bad
    // orders are refused, and the sixty orders earn 57 points each.
    assert_eq!(results.len(), 63);
    let retry = results[10].as_ref().expect("a retry is accepted");
    assert!(retry.duplicate && retry.events.is_empty());
    assert!(matches!(results[20], Err(Error::NotEnrolled { .. })));
    assert!(matches!(results[30], Err(Error::WrongCurrency { .. })));
    let refused = results.iter().filter(|result| result.is_err()).count();
    assert_eq!(refused, 2);
    for name in &names {
        assert_eq!(shop.available(name), 3 * 57, "{name}");
    }

    // And the batch is what executing the commands one at a time gives.
    let expected: Vec<Result<Decision, Error>> = batch
        .into_iter()
        .map(|command| one_by_one.execute(command))
        .collect();
    assert_eq!(results, expected);
    assert_eq!(shop.ledger, one_by_one);
}
