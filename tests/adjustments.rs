//! Manual credits and debits with a reason; transfers between members.

use loyalty::*;

use crate::support::*;

#[test]
fn support_credits_points_for_a_late_delivery() {
    let mut shop = Shop::new(seed_with(
        r#""expiry": {"policy": "after_earning", "days": 365}"#,
    ));
    shop.enroll("marta", "2026-01-05");
    let Receipt::Adjustment(receipt) = shop.run(Adjust::credit(
        member("marta"),
        r("ADJ-1"),
        pts(50),
        "goodwill: parcel arrived late",
        t("2026-02-01"),
    )) else {
        panic!()
    };
    assert_eq!(
        receipt.to_string(),
        "adjustment ADJ-1: credited 50 points (goodwill: parcel arrived late)"
    );
    assert_eq!(shop.available("marta"), 50);
    assert_eq!(shop.balance("marta").adjusted, pts(50));
    // Credited points expire like earned ones.
    assert_eq!(shop.lots("marta"), [(50, Some(t("2027-02-01")))]);
}

/// Support credits a goodwill gesture and debits a mistake; the retried
/// commands (a timeout on the support tool) give back the first receipts
/// and change nothing, and the statement names both by their references.
#[test]
fn a_retried_adjustment_gives_back_its_receipt_and_the_statement_names_it() {
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "57.40 EUR", "2026-01-12");
    let credit = Adjust::credit(
        member("marta"),
        r("ADJ-1"),
        pts(20),
        "goodwill: parcel arrived late",
        t("2026-01-20"),
    );
    let debit = Adjust::debit(
        member("marta"),
        r("ADJ-2"),
        pts(30),
        "points credited twice",
        t("2026-01-21"),
    );
    let first = [shop.run(credit.clone()), shop.run(debit.clone())];
    let balance = shop.balance("marta");
    for (command, receipt) in [credit, debit].into_iter().zip(&first) {
        let again = shop.try_run(command).unwrap();
        assert!(again.duplicate);
        assert!(again.events.is_empty());
        assert_eq!(&again.receipt, receipt);
    }
    assert_eq!(shop.balance("marta"), balance);
    assert_eq!(shop.available("marta"), 57 + 20 - 30);
    let statement = shop
        .ledger
        .statement(&member("marta"), t("2026-01-01"), t("2027-01-01"))
        .unwrap();
    let lines: Vec<(EntryKind, Option<String>, i64, i64)> = statement
        .lines
        .iter()
        .map(|l| {
            (
                l.kind,
                l.reference.as_ref().map(ToString::to_string),
                l.available.value(),
                l.available_after.value(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (EntryKind::Earned, Some("ORD-1".into()), 57, 57),
            (EntryKind::Adjusted, Some("ADJ-1".into()), 20, 77),
            (EntryKind::Adjusted, Some("ADJ-2".into()), -30, 47),
        ]
    );
}

#[test]
fn a_debit_cannot_take_more_than_is_available() {
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "57.40 EUR", "2026-01-12");
    let err = shop
        .try_run(Adjust::debit(
            member("marta"),
            r("ADJ-1"),
            pts(58),
            "correction",
            t("2026-01-13"),
        ))
        .unwrap_err();
    assert_eq!(
        err,
        Error::InsufficientPoints {
            available: pts(57),
            required: pts(58)
        }
    );
    let Receipt::Adjustment(receipt) = shop.run(Adjust::debit(
        member("marta"),
        r("ADJ-1"),
        pts(7),
        "duplicate goodwill credit",
        t("2026-01-13"),
    )) else {
        panic!()
    };
    assert_eq!(receipt.points, pts(-7));
    assert_eq!(
        receipt.to_string(),
        "adjustment ADJ-1: debited 7 points (duplicate goodwill credit)"
    );
    assert_eq!(shop.available("marta"), 50);
    assert_eq!(shop.balance("marta").adjusted, pts(-7));
}

#[test]
fn adjustments_need_points_and_a_reason() {
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    let zero = shop
        .try_run(Adjust::credit(
            member("marta"),
            r("A"),
            pts(0),
            "x",
            t("2026-01-06"),
        ))
        .unwrap_err();
    assert_eq!(zero.to_string(), "invalid points 0: must be at least 1");
    let blank = shop
        .try_run(Adjust::credit(
            member("marta"),
            r("A"),
            pts(5),
            "  ",
            t("2026-01-06"),
        ))
        .unwrap_err();
    assert_eq!(
        blank,
        Error::InvalidReason {
            len: 2,
            max: MAX_REASON_CHARS
        }
    );
    let long = "x".repeat(MAX_REASON_CHARS + 1);
    let too_long = shop
        .try_run(Adjust::credit(
            member("marta"),
            r("A"),
            pts(5),
            long,
            t("2026-01-06"),
        ))
        .unwrap_err();
    assert!(matches!(too_long, Error::InvalidReason { len: 501, .. }));
}

#[test]
fn a_member_gives_points_to_a_friend() {
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    shop.enroll("joan", "2026-01-05");
    shop.buy("marta", "ORD-1", "120.00 EUR", "2026-01-12");
    let Receipt::Transfer(receipt) = shop.run(Transfer::new(
        member("marta"),
        member("joan"),
        r("GIFT-1"),
        pts(70),
        t("2026-01-20"),
    )) else {
        panic!()
    };
    assert_eq!(
        receipt.to_string(),
        "transfer GIFT-1: 70 points from marta to joan"
    );
    assert_eq!((shop.available("marta"), shop.available("joan")), (50, 70));
    assert_eq!(shop.balance("marta").transferred_out, pts(70));
    assert_eq!(shop.balance("joan").transferred_in, pts(70));
    // One event per member, so a host that partitions members can route them.
    let tail: Vec<(&str, &str)> = shop.log[shop.log.len() - 2..]
        .iter()
        .map(|e| (e.kind(), e.member().as_str()))
        .collect();
    assert_eq!(
        tail,
        [
            ("PointsTransferredOut", "marta"),
            ("PointsTransferredIn", "joan")
        ]
    );
}

#[test]
fn transfers_are_checked_on_both_sides() {
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    shop.enroll("joan", "2026-01-05");
    shop.buy("marta", "ORD-1", "20.00 EUR", "2026-01-12");
    let to_self = shop
        .try_run(Transfer::new(
            member("marta"),
            member("marta"),
            r("T"),
            pts(5),
            t("2026-01-20"),
        ))
        .unwrap_err();
    assert_eq!(
        to_self.to_string(),
        "cannot transfer points from marta to themselves"
    );
    let stranger = shop
        .try_run(Transfer::new(
            member("marta"),
            member("zed"),
            r("T"),
            pts(5),
            t("2026-01-20"),
        ))
        .unwrap_err();
    assert_eq!(
        stranger,
        Error::NotEnrolled {
            member: member("zed")
        }
    );
    let too_many = shop
        .try_run(Transfer::new(
            member("marta"),
            member("joan"),
            r("T"),
            pts(21),
            t("2026-01-20"),
        ))
        .unwrap_err();
    assert_eq!(
        too_many,
        Error::InsufficientPoints {
            available: pts(20),
            required: pts(21)
        }
    );
    let none = shop
        .try_run(Transfer::new(
            member("marta"),
            member("joan"),
            r("T"),
            pts(0),
            t("2026-01-20"),
        ))
        .unwrap_err();
    assert!(matches!(none, Error::InvalidPoints { .. }));
}

#[test]
fn received_points_repay_a_debt_first() {
    let mut shop = Shop::new(seed_with(r#""refunds": {"negative_balance": "debt"}"#));
    shop.enroll("marta", "2026-01-05");
    shop.enroll("joan", "2026-01-05");
    shop.buy("joan", "J1", "100.00 EUR", "2026-01-06");
    shop.run(Transfer::new(
        member("joan"),
        member("marta"),
        r("T-0"),
        pts(80),
        t("2026-01-07"),
    ));
    shop.buy("marta", "M1", "30.00 EUR", "2026-01-08");
    shop.redeem(
        "marta",
        "RDM-1",
        "ten-percent-off",
        "50.00 EUR",
        "2026-01-09",
    )
    .unwrap();
    shop.refund("marta", "M1", "RF-1", "30.00 EUR", "2026-01-10")
        .unwrap();
    assert_eq!(shop.available("marta"), -20);
    shop.buy("joan", "J2", "50.00 EUR", "2026-01-11");
    shop.run(Transfer::new(
        member("joan"),
        member("marta"),
        r("T-1"),
        pts(50),
        t("2026-01-12"),
    ));
    assert_eq!(shop.available("marta"), 30);
    assert_eq!(shop.lots("marta"), [(30, None)]);
}
