//! Statements, past balances and figures that count what is due.

use loyalty::*;

use crate::support::*;

fn marta_year() -> Shop {
    let mut shop = Shop::marta_redeemed(program(SEED));
    shop.refund("marta", "ORD-1003", "RF-1", "24.00 EUR", "2026-03-30")
        .unwrap();
    shop
}

/// Each line of `statement`: its kind, the points it moved and the
/// available balance after it.
fn running(statement: &Statement) -> Vec<(EntryKind, i64, i64)> {
    statement
        .lines
        .iter()
        .map(|l| (l.kind, l.available.value(), l.available_after.value()))
        .collect()
}

#[test]
fn a_statement_shows_every_movement_with_the_running_balance() {
    let shop = marta_year();
    let statement = shop
        .ledger
        .statement(&member("marta"), t("2026-01-01"), t("2027-01-01"))
        .unwrap();
    assert_eq!(
        running(&statement),
        [
            (EntryKind::Earned, 57, 57),
            (EntryKind::Earned, 48, 105),
            (EntryKind::Redeemed, -100, 5),
            (EntryKind::Earned, 72, 77),
            (EntryKind::Restored, 33, 110),
            (EntryKind::ClawedBack, -24, 86),
        ]
    );
    assert_eq!(statement.opening.available, pts(0));
    assert_eq!(statement.closing.available, pts(86));
    assert_eq!(
        statement.to_string(),
        "Statement for marta from 2026-01-01 to 2027-01-01
  opening balance                                  0 available, 0 pending
  2026-01-12  earned                 ORD-1001              +57  →     57
  2026-02-20  earned                 ORD-1002              +48  →    105
  2026-03-14  redeemed               RDM-1                -100  →      5
  2026-03-14  earned                 ORD-1003              +72  →     77
  2026-03-30  restored by refund     RF-1                  +33  →    110
  2026-03-30  clawed back by refund  RF-1                  -24  →     86
  closing balance                                 86 available, 0 pending"
    );
}

#[test]
fn a_refund_that_gives_no_points_back_shows_one_line() {
    let mut shop = marta_year();
    // ORD-1001 (57 points on 57.40 EUR) used no redemption: returning
    // 20.00 EUR of it only claws back, 19 points in proportion.
    shop.refund("marta", "ORD-1001", "RF-2", "20.00 EUR", "2026-04-02")
        .unwrap();
    let april = shop
        .ledger
        .statement(&member("marta"), t("2026-04-01"), t("2026-05-01"))
        .unwrap();
    assert_eq!(running(&april), [(EntryKind::ClawedBack, -19, 67)]);
    assert_eq!(april.opening.available, pts(86));
    assert_eq!(shop.available("marta"), 67);
}

#[test]
fn a_statement_for_part_of_the_year_opens_with_the_balance_before_it() {
    let shop = marta_year();
    let march = shop
        .ledger
        .statement(&member("marta"), t("2026-03-01"), t("2026-03-20"))
        .unwrap();
    assert_eq!(march.opening.available, pts(105));
    assert_eq!(march.lines.len(), 2);
    assert_eq!(march.closing.available, pts(77));
    let err = shop
        .ledger
        .statement(&member("marta"), t("2026-03-20"), t("2026-03-01"))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidPeriod { .. }));
}

#[test]
fn the_balance_on_any_past_date() {
    let shop = marta_year();
    let on = |day: &str| {
        shop.ledger
            .balance_at(&member("marta"), t(day))
            .unwrap()
            .available
            .value()
    };
    assert_eq!(on("2026-01-01"), 0);
    assert_eq!(on("2026-01-12"), 57);
    assert_eq!(on("2026-02-21"), 105);
    assert_eq!(on("2026-03-15"), 77);
    assert_eq!(on("2029-03-30"), 86);
    let then = shop
        .ledger
        .balance_at(&member("marta"), t("2026-03-15"))
        .unwrap();
    assert_eq!((then.earned, then.redeemed), (pts(177), pts(100)));
}

#[test]
fn statements_and_balances_count_expiry_that_is_due_before_any_tick() {
    let mut shop = Shop::new(seed_with(
        r#""utc_offset": "+01:00", "expiry": {"policy": "after_earning", "days": 365}"#,
    ));
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "57.40 EUR", "2026-01-12");
    let statement = shop
        .ledger
        .statement(&member("marta"), t("2026-01-01"), t("2028-01-01"))
        .unwrap();
    let last = statement.lines.last().unwrap();
    assert_eq!((last.kind, last.available), (EntryKind::Expired, pts(-57)));
    assert_eq!(last.at, t("2027-01-12"));
    assert_eq!(statement.closing.expired, pts(57));
    assert!(statement.to_string().contains("2027-01-12  expired"));
    // Reading changed nothing: the expiry is still to be recorded by a tick.
    assert_eq!(shop.balance("marta").available, pts(57));
    assert_eq!(
        shop.ledger
            .balance_at(&member("marta"), t("2027-06-01"))
            .unwrap()
            .available,
        pts(0)
    );
}

#[test]
fn reads_for_unknown_members_are_errors() {
    let shop = marta_year();
    let ghost = member("ghost");
    assert!(matches!(
        shop.ledger.balance(&ghost),
        Err(Error::NotEnrolled { .. })
    ));
    assert!(shop.ledger.balance_at(&ghost, t("2026-01-01")).is_err());
    assert!(
        shop.ledger
            .statement(&ghost, t("2026-01-01"), t("2026-02-01"))
            .is_err()
    );
    assert!(
        shop.ledger
            .expiring_points(&ghost, t("2026-01-01"), t("2026-02-01"))
            .is_err()
    );
    assert!(
        shop.ledger
            .quote(&ghost, &Cart::new(money("1 EUR")), t("2026-01-01"))
            .is_err()
    );
    assert!(shop.ledger.account(&ghost).is_none());
}

#[test]
fn an_account_lists_its_lots_and_pending_points() {
    let mut shop = Shop::new(seed_with(r#""pending": {"days": 14}"#));
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "57.40 EUR", "2026-01-12");
    let account = shop.ledger.account(&member("marta")).unwrap();
    let pending: Vec<PendingPoints> = account.pending().collect();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        (
            pending[0].order.as_str(),
            pending[0].points,
            pending[0].available_at
        ),
        ("ORD-1", pts(57), Some(t("2026-01-26")))
    );
    assert_eq!(account.lots().count(), 0);
    assert_eq!(account.enrolled_at(), t("2026-01-05"));
    assert_eq!(account.last_event_at(), t("2026-01-12"));
    assert_eq!(shop.ledger.len(), 1);
    assert_eq!(shop.ledger.accounts().count(), 1);
}
