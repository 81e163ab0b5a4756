//! Points expire as the program says: never, some days after earning, or
//! after a spell without activity — and are spent soonest-expiring first.

use loyalty::*;

use crate::support::*;

#[test]
fn in_the_seed_program_points_are_still_there_three_years_later() {
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "57.40 EUR", "2026-01-12");
    let tick = shop.tick("2029-01-12");
    assert_eq!(tick.expired, pts(0));
    assert_eq!(shop.available("marta"), 57);
    assert_eq!(shop.ledger.next_due(), None, "nothing ever falls due");
}

#[test]
fn points_expire_a_year_after_they_were_earned() {
    let mut shop = Shop::new(seed_with(
        r#""expiry": {"policy": "after_earning", "days": 365}"#,
    ));
    shop.enroll("marta", "2026-01-05");
    let receipt = shop.buy("marta", "ORD-1", "57.40 EUR", "2026-01-12");
    assert_eq!(receipt.expires_at, Some(t("2027-01-12")));
    shop.buy("marta", "ORD-2", "48.00 EUR", "2026-06-01");

    // Spendable up to the instant before, expired from it on.
    assert_eq!(
        shop.ledger
            .balance_at(
                &member("marta"),
                t("2027-01-12") - chrono::Duration::seconds(1)
            )
            .unwrap()
            .available,
        pts(105)
    );
    let tick = shop.tick("2027-01-12");
    assert_eq!((tick.members, tick.expired), (1, pts(57)));
    let balance = shop.balance("marta");
    assert_eq!((balance.available, balance.expired), (pts(48), pts(57)));
    let expired = shop.expirations()[0].clone();
    assert_eq!(expired.at, t("2027-01-12"));
    assert_eq!(expired.reason, ExpiryReason::LotExpired);
}

#[test]
fn one_tick_expires_the_points_of_every_member_due_however_many() {
    // Thirty members bought on the same day, and one more a month later:
    // a year on, one tick expires all thirty and only them (a tick reads
    // its due members' accounts ahead a few at a time).
    let mut shop = Shop::new(seed_with(
        r#""expiry": {"policy": "after_earning", "days": 365}"#,
    ));
    let names: Vec<String> = (0..30).map(|i| format!("member-{i:02}")).collect();
    for (i, name) in names.iter().enumerate() {
        shop.enroll(name, "2026-01-05");
        shop.buy(
            name,
            &format!("ORD-{i}"),
            &format!("{}.00 EUR", 10 + i),
            "2026-01-12",
        );
    }
    shop.enroll("late", "2026-01-05");
    shop.buy("late", "ORD-LATE", "20.00 EUR", "2026-02-12");

    let tick = shop.tick("2027-01-12");
    assert_eq!(tick.members, 30);
    assert_eq!(tick.expired, pts((10..40).sum::<i64>()));
    for name in &names {
        let balance = shop.balance(name);
        assert_eq!(balance.available, pts(0), "{name}");
        assert_eq!(balance.expired, balance.earned, "{name}");
    }
    assert_eq!(shop.available("late"), 20);
}

#[test]
fn expiry_can_run_to_the_end_of_the_month_in_the_shops_time_zone() {
    let mut shop = Shop::new(seed_with(
        r#""utc_offset": "+01:00",
           "expiry": {"policy": "after_earning", "days": 365, "extend_to": "month"}"#,
    ));
    shop.enroll("marta", "2026-01-05");
    let receipt = shop.buy("marta", "ORD-1", "57.40 EUR", "2026-01-12");
    // 2027-01-12 → the end of January 2027 in UTC+1.
    assert_eq!(receipt.expires_at, Some(t("2027-01-31T23:00:00Z")));
}

#[test]
fn an_expired_lot_is_never_spent_even_without_a_tick() {
    let mut shop = Shop::new(seed_with(
        r#""expiry": {"policy": "after_earning", "days": 30}"#,
    ));
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "120.00 EUR", "2026-01-10");
    let err = shop
        .redeem(
            "marta",
            "RDM-1",
            "ten-percent-off",
            "50.00 EUR",
            "2026-02-10",
        )
        .unwrap_err();
    assert_eq!(
        err,
        Error::InsufficientPoints {
            available: pts(0),
            required: pts(100)
        }
    );
}

#[test]
fn points_with_the_nearest_expiry_are_spent_first() {
    let mut shop = Shop::new(seed_with(
        r#""expiry": {"policy": "after_earning", "days": 365}"#,
    ));
    shop.enroll("ana", "2026-01-05");
    shop.enroll("ben", "2026-01-05");
    shop.buy("ana", "A1", "80.00 EUR", "2026-01-10");
    shop.buy("ben", "B1", "60.00 EUR", "2026-05-01");
    // Ben receives Ana's older points: they keep their earlier expiry...
    shop.run(Transfer::new(
        member("ana"),
        member("ben"),
        r("T-1"),
        pts(50),
        t("2026-06-01"),
    ));
    assert_eq!(
        shop.lots("ben"),
        [(50, Some(t("2027-01-10"))), (60, Some(t("2027-05-01")))]
    );
    // ...so they are spent before his own.
    let receipt = shop
        .redeem("ben", "RDM-1", "ten-percent-off", "50.00 EUR", "2026-06-02")
        .unwrap();
    let drawn: Vec<i64> = receipt.draws.iter().map(|d| d.points.value()).collect();
    assert_eq!(drawn, [50, 50]);
    assert_eq!(shop.lots("ben"), [(10, Some(t("2027-05-01")))]);
}

#[test]
fn lots_with_the_same_expiry_are_spent_oldest_first() {
    let mut shop = Shop::new(seed_with(
        r#""expiry": {"policy": "after_earning", "days": 365, "extend_to": "year"}"#,
    ));
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "30.00 EUR", "2026-02-01");
    shop.buy("marta", "ORD-2", "90.00 EUR", "2026-03-01");
    let receipt = shop
        .redeem(
            "marta",
            "RDM-1",
            "ten-percent-off",
            "50.00 EUR",
            "2026-03-02",
        )
        .unwrap();
    assert_eq!(drawn(&receipt.draws), [(1, 30), (2, 70)]);
}

#[test]
fn a_quiet_member_loses_everything_after_the_inactivity_period() {
    let mut shop = Shop::new(seed_with(
        r#""expiry": {"policy": "after_inactivity", "days": 180}"#,
    ));
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "57.40 EUR", "2026-01-12");
    shop.buy("marta", "ORD-2", "48.00 EUR", "2026-05-01");
    // Activity on 2026-05-01 moved the deadline to 2026-10-28.
    assert_eq!(shop.ledger.next_due(), Some(t("2026-10-28")));
    assert_eq!(shop.tick("2026-10-27").expired, pts(0));
    let tick = shop.tick("2026-10-28");
    assert_eq!(tick.expired, pts(105));
    let expired = shop.expirations()[0].clone();
    assert_eq!(expired.reason, ExpiryReason::Inactivity);
    assert_eq!(shop.ledger.next_due(), None);

    // New points start a new clock.
    shop.buy("marta", "ORD-3", "10.00 EUR", "2026-11-01");
    assert_eq!(shop.available("marta"), 10);
    assert_eq!(shop.ledger.next_due(), Some(t("2027-04-30")));
}

#[test]
fn reminder_emails_know_what_expires_and_when() {
    let mut shop = Shop::new(seed_with(
        r#""expiry": {"policy": "after_earning", "days": 365}"#,
    ));
    for who in ["ana", "ben", "cris"] {
        shop.enroll(who, "2026-01-05");
    }
    shop.buy("ana", "A1", "57.40 EUR", "2026-01-12");
    shop.buy("ana", "A2", "20.00 EUR", "2026-01-20");
    shop.buy("ana", "A3", "99.00 EUR", "2026-09-01");
    shop.buy("ben", "B1", "30.00 EUR", "2026-03-01");

    let ana = shop
        .ledger
        .expiring_points(&member("ana"), t("2026-12-20"), t("2027-01-31"))
        .unwrap();
    let figures: Vec<(i64, _)> = ana.iter().map(|e| (e.points.value(), e.at)).collect();
    assert_eq!(figures, [(57, t("2027-01-12")), (20, t("2027-01-20"))]);

    let batch = shop
        .ledger
        .expiring_soon(t("2026-12-20"), t("2027-01-31"))
        .unwrap();
    let members: Vec<&str> = batch.iter().map(|m| m.member.as_str()).collect();
    assert_eq!(members, ["ana"]);
    let later = shop
        .ledger
        .expiring_soon(t("2026-12-20"), t("2027-03-31"))
        .unwrap();
    let members: Vec<&str> = later.iter().map(|m| m.member.as_str()).collect();
    assert_eq!(members, ["ana", "ben"]);
}

#[test]
fn an_inactivity_forecast_assumes_nothing_else_happens() {
    let mut shop = Shop::new(seed_with(
        r#""expiry": {"policy": "after_inactivity", "days": 90}"#,
    ));
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "57.40 EUR", "2026-01-12");
    let soon = shop
        .ledger
        .expiring_points(&member("marta"), t("2026-03-01"), t("2026-06-01"))
        .unwrap();
    assert_eq!(soon.len(), 1);
    assert_eq!(
        (soon[0].points, soon[0].at, soon[0].reason),
        (pts(57), t("2026-04-12"), ExpiryReason::Inactivity)
    );
}
