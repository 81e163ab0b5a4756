//! Bonuses: sign-up, birthday (a grant at tick, or a multiplier in the
//! birthday month), custom actions with their frequency limits.

use chrono::NaiveDate;
use loyalty::*;

use crate::support::*;

fn born(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn enroll_born(shop: &mut Shop, who: &str, at: &str, birth: NaiveDate) -> EnrollmentReceipt {
    match shop.run(Enroll::new(member(who), t(at)).born(birth)) {
        Receipt::Enrollment(e) => e,
        other => panic!("unexpected receipt {other:?}"),
    }
}

#[test]
fn joining_earns_the_sign_up_bonus_once() {
    let mut shop = Shop::new(seed_with(r#""bonuses": {"sign_up": 50}"#));
    let receipt = enroll_born(&mut shop, "marta", "2026-01-05", born(1990, 6, 15));
    assert_eq!(
        receipt.to_string(),
        "marta enrolled on 2026-01-05 12:00 UTC with a sign-up bonus of 50 points"
    );
    assert_eq!(shop.available("marta"), 50);
    let balance = shop.balance("marta");
    assert_eq!((balance.earned, balance.bonuses), (pts(50), pts(50)));
    // Enrolling again repeats the receipt; another birth date is a conflict.
    let again = shop
        .try_run(Enroll::new(member("marta"), t("2026-02-01")).born(born(1990, 6, 15)))
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(again.receipt, Receipt::Enrollment(receipt));
    let err = shop
        .try_run(Enroll::new(member("marta"), t("2026-02-01")).born(born(1991, 6, 15)))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "conflict: member marta was already recorded with birth_date 1990-06-15, not 1991-06-15"
    );
}

fn birthday_gift() -> Program {
    seed_with(
        r#""utc_offset": "+02:00",
           "bonuses": {"birthday": {"mode": "grant", "points": 200}}"#,
    )
}

#[test]
fn a_birthday_gift_arrives_at_the_start_of_the_birthday_each_year() {
    let mut shop = Shop::new(birthday_gift());
    enroll_born(&mut shop, "marta", "2026-01-05", born(1990, 6, 15));
    shop.enroll("joan", "2026-01-05");
    // Midnight of the 15th in UTC+2 is 22:00 UTC on the 14th.
    assert_eq!(shop.ledger.next_due(), Some(t("2026-06-14T22:00:00Z")));
    assert_eq!(shop.tick("2026-06-14T21:59:00Z").bonuses, pts(0));
    let tick = shop.tick("2026-06-14T22:00:00Z");
    assert_eq!((tick.members, tick.bonuses), (1, pts(200)));
    assert!(tick.to_string().contains("200 points of birthday bonuses"));
    assert_eq!(shop.available("marta"), 200);
    assert_eq!(shop.tick("2026-06-20").bonuses, pts(0));
    // Next year again, whether or not a tick ran in between: a purchase
    // brings her up to date first.
    shop.buy("marta", "ORD-1", "10.00 EUR", "2027-06-16");
    assert_eq!(shop.available("marta"), 410);
    let Some(Event::BonusAwarded(gift)) = shop
        .log
        .iter()
        .rev()
        .find(|e| e.kind() == "BonusAwarded")
        .cloned()
    else {
        panic!()
    };
    assert_eq!(gift.bonus, BonusKind::Birthday { year: 2027 });
    assert_eq!(gift.at, t("2027-06-14T22:00:00Z"));
    assert_eq!(shop.available("joan"), 0);
    // Her statement names each gift for its year.
    let statement = shop
        .ledger
        .statement(&member("marta"), t("2026-01-01"), t("2028-01-01"))
        .unwrap();
    let named: Vec<_> = statement
        .lines
        .iter()
        .map(|line| {
            let reference = line.reference.as_ref().map(|r| r.to_string());
            (line.kind, reference, line.available.value())
        })
        .collect();
    assert_eq!(
        named,
        [
            (EntryKind::Bonus, Some("birthday 2026".to_owned()), 200),
            (EntryKind::Bonus, Some("birthday 2027".to_owned()), 200),
            (EntryKind::Earned, Some("ORD-1".to_owned()), 10),
        ]
    );
}

#[test]
fn joining_on_the_birthday_still_brings_the_gift() {
    let mut shop = Shop::new(birthday_gift());
    enroll_born(
        &mut shop,
        "marta",
        "2026-06-15T09:00:00Z",
        born(1990, 6, 15),
    );
    shop.tick("2026-06-15T10:00:00Z");
    assert_eq!(shop.available("marta"), 200);
    // One who joined the day after waits a year.
    enroll_born(&mut shop, "joan", "2026-06-16T09:00:00Z", born(1990, 6, 15));
    assert_eq!(shop.tick("2027-01-01").bonuses, pts(0));
    assert_eq!(shop.available("joan"), 0);
}

#[test]
fn a_leap_day_birthday_is_celebrated_on_the_28th_in_other_years() {
    let mut shop = Shop::new(seed_with(
        r#""bonuses": {"birthday": {"mode": "grant", "points": 100}}"#,
    ));
    enroll_born(&mut shop, "marta", "2026-01-05", born(2000, 2, 29));
    assert_eq!(shop.ledger.next_due(), Some(t("2026-02-28T00:00:00Z")));
    shop.tick("2028-03-01");
    // 2026-02-28, 2027-02-28 and 2028-02-29.
    assert_eq!(shop.available("marta"), 300);
}

#[test]
fn the_birthday_month_can_multiply_purchases_instead() {
    let mut shop = Shop::new(seed_with(
        r#""bonuses": {"birthday": {"mode": "multiplier", "multiplier": "2"}}"#,
    ));
    enroll_born(&mut shop, "marta", "2026-01-05", born(1990, 6, 15));
    let june = shop.buy("marta", "ORD-1", "40.00 EUR", "2026-06-03");
    assert_eq!(
        june.earning.to_string(),
        "80 = 40 base (floor(40.00 EUR × 1 point per 1.00 EUR)) + 40 birthday month ×2 on 40.00 EUR"
    );
    assert_eq!(
        shop.buy("marta", "ORD-2", "40.00 EUR", "2026-07-03")
            .points(),
        pts(40)
    );
    assert_eq!(shop.ledger.next_due(), None, "no grants to schedule");
}

fn actions() -> Program {
    seed_with(
        r#""bonuses": {"actions": [
            {"id": "review", "name": "Write a review", "points": 25, "limit": {"count": 1, "per": "day"}},
            {"id": "survey", "name": "Answer a survey", "points": 40, "cooldown_days": 30},
            {"id": "newsletter", "points": 10}]}"#,
    )
}

fn act(shop: &mut Shop, action: &str, reference: &str, at: &str) -> Result<Decision, Error> {
    shop.try_run(Action::new(
        member("marta"),
        action.parse().unwrap(),
        r(reference),
        t(at),
    ))
}

#[test]
fn reported_actions_earn_their_points() {
    let mut shop = Shop::new(actions());
    shop.enroll("marta", "2026-01-05");
    let done = act(&mut shop, "review", "REV-1", "2026-01-10").unwrap();
    assert_eq!(
        done.receipt.to_string(),
        "action review (REV-1): earned 25 points (25 for Write a review)"
    );
    act(&mut shop, "newsletter", "NL-1", "2026-01-10").unwrap();
    assert_eq!(shop.available("marta"), 35);
    // The same review reported twice counts once.
    let again = act(&mut shop, "review", "REV-1", "2026-01-11").unwrap();
    assert!(again.duplicate);
    assert_eq!(shop.available("marta"), 35);
    let err = act(&mut shop, "survey", "REV-1", "2026-01-11").unwrap_err();
    assert!(
        matches!(
            err,
            Error::Conflict {
                field: "action",
                ..
            }
        ),
        "{err}"
    );
    let err = act(&mut shop, "tweet", "TW-1", "2026-01-11").unwrap_err();
    assert_eq!(err.to_string(), "unknown action tweet");
}

#[test]
fn an_action_counts_as_often_as_the_program_allows() {
    let mut shop = Shop::new(actions());
    shop.enroll("marta", "2026-01-05");
    act(&mut shop, "review", "REV-1", "2026-01-10T09:00:00Z").unwrap();
    let err = act(&mut shop, "review", "REV-2", "2026-01-10T18:00:00Z").unwrap_err();
    assert_eq!(
        err,
        Error::ActionLimitReached {
            action: "review".parse().unwrap(),
            limit: 1,
            per: Period::Day,
            next_at: Some(t("2026-01-11T00:00:00Z")),
        }
    );
    assert_eq!(
        err.to_string(),
        "action review counts at most 1 times per day; next from 2026-01-11 00:00 UTC"
    );
    act(&mut shop, "review", "REV-2", "2026-01-11T08:00:00Z").unwrap();

    act(&mut shop, "survey", "SV-1", "2026-01-12").unwrap();
    let err = act(&mut shop, "survey", "SV-2", "2026-02-10").unwrap_err();
    assert_eq!(
        err.to_string(),
        "action survey counts once every 30 days; next from 2026-02-11 12:00 UTC"
    );
    act(&mut shop, "survey", "SV-2", "2026-02-11").unwrap();
    assert_eq!(shop.available("marta"), 25 + 25 + 40 + 40);
}

#[test]
fn bonuses_respect_the_earning_caps() {
    let mut shop = Shop::new(seed_with(
        r#""bonuses": {"sign_up": 50, "actions": [{"id": "review", "points": 25}]},
           "earn": {"limits": {"maximum_balance": 60}}"#,
    ));
    shop.enroll("marta", "2026-01-05");
    let done = act(&mut shop, "review", "REV-1", "2026-01-10").unwrap();
    assert_eq!(
        done.receipt.to_string(),
        "action review (REV-1): earned 10 points (10 = 25 review − 15 capped at the 60-point maximum balance)"
    );
    let nothing = act(&mut shop, "review", "REV-2", "2026-01-11").unwrap();
    assert!(nothing.receipt.to_string().contains("earned 0 points"));
    assert_eq!(shop.available("marta"), 60);
}
