//! Paid memberships: a fee buys a tier for a term regardless of spend; the
//! term lapses, renews by hand or by itself, or is cancelled with or
//! without a pro-rata refund; the fee earns points only when the program
//! says so.

use loyalty::*;

use crate::support::*;

/// Bronze / Silver / Gold by yearly spend, with two memberships: "plus"
/// (Gold for a year, 49.00 EUR, renewed by hand, no refund) and "monthly"
/// (Silver for 30 days, 9.99 EUR, renewed automatically, refunded pro rata,
/// its fee earning points).
fn program() -> Program {
    seed_with(
        r#""earn": {"points": 1, "per": "1.00", "rounding": "floor", "stacking": "multiply"},
           "tiers": {"metric": "spend", "window": "calendar_year", "review": "period_end",
                     "levels": [
                       {"id": "bronze", "threshold": "0"},
                       {"id": "silver", "name": "Silver", "threshold": "500", "multiplier": "1.25"},
                       {"id": "gold", "name": "Gold", "threshold": "1000", "multiplier": "1.5",
                        "perks": ["Free shipping"]}]},
           "memberships": [
             {"id": "plus", "name": "Plus", "tier": "gold", "fee": "49.00", "term_months": 12},
             {"id": "monthly", "tier": "silver", "fee": "9.99", "term_days": 30,
              "renewal": "automatic", "cancellation": "pro_rata", "fee_earns_points": true}]"#,
    )
}

fn join(
    shop: &mut Shop,
    who: &str,
    membership: &str,
    reference: &str,
    at: &str,
) -> Result<MembershipReceipt, Error> {
    let command = JoinMembership::new(
        member(who),
        membership.parse().unwrap(),
        r(reference),
        t(at),
    );
    shop.try_run(command).map(|d| match d.receipt {
        Receipt::Membership(m) => m,
        other => panic!("unexpected receipt {other:?}"),
    })
}

fn membership_events(shop: &Shop) -> Vec<String> {
    shop.log
        .iter()
        .filter(|e| e.kind().starts_with("Membership"))
        .map(|e| match e {
            Event::MembershipStarted(m) => format!(
                "{} started {} ({}) until {}",
                m.at.format("%Y-%m-%d"),
                m.membership,
                m.tier,
                m.ends_at.format("%Y-%m-%d")
            ),
            Event::MembershipRenewed(m) => format!(
                "{} renewed {} until {}{}",
                m.at.format("%Y-%m-%d"),
                m.membership,
                m.ends_at.format("%Y-%m-%d"),
                if m.reference.is_none() {
                    " automatically"
                } else {
                    ""
                }
            ),
            Event::MembershipEnded(m) => format!(
                "{} ended {}: {}",
                m.at.format("%Y-%m-%d"),
                m.membership,
                match &m.reason {
                    MembershipEnd::Lapsed => "lapsed".to_owned(),
                    MembershipEnd::Cancelled { reference, refund } =>
                        format!("cancelled under {reference}, {refund} refunded"),
                    other => format!("{other:?}"),
                }
            ),
            other => other.to_string(),
        })
        .collect()
}

#[test]
fn a_membership_grants_its_tier_for_the_term_regardless_of_spend() {
    let mut shop = Shop::new(program());
    shop.enroll("ana", "2026-01-05");
    let joined = join(&mut shop, "ana", "plus", "PAY-1", "2026-02-01").unwrap();
    assert_eq!(
        joined.to_string(),
        "membership plus started: gold until 2027-02-01 12:00 UTC for 49.00 EUR"
    );
    let account = shop.ledger.account(&member("ana")).unwrap();
    assert_eq!(account.membership().map(RuleId::as_str), Some("plus"));
    assert_eq!(account.tier().map(TierId::as_str), Some("bronze"));
    // The fee earns nothing and does not count toward the tiers.
    assert_eq!(shop.available("ana"), 0);
    let status = shop
        .ledger
        .tier_status(&member("ana"), t("2026-02-02"))
        .unwrap();
    assert_eq!(status.metric, "0".parse().unwrap());
    assert_eq!(
        status.qualified.as_ref().map(TierId::as_str),
        Some("bronze")
    );
    assert_eq!(status.tier.as_ref().map(TierId::as_str), Some("gold"));
    assert_eq!(status.perks, ["Free shipping"]);
    assert_eq!(
        status.to_string(),
        "gold through membership plus until 2027-02-01; 500.00 EUR more for silver by 2027-01-01"
    );
    // Gold's 1.5× applies to her orders during the term.
    assert_eq!(
        shop.buy("ana", "ORD-1", "100.00 EUR", "2026-03-01")
            .earning
            .to_string(),
        "150 = 100 base (floor(100.00 EUR × 1 point per 1.00 EUR)) + 50 Gold ×1.5 on 100.00 EUR"
    );
    // At term end it lapses: back to Bronze's rate.
    assert_eq!(shop.ledger.next_due(), Some(t("2027-02-01")));
    let lapse = shop.tick("2027-02-01");
    assert_eq!(lapse.memberships_lapsed, 1);
    assert_eq!(
        membership_events(&shop),
        [
            "2026-02-01 started plus (gold) until 2027-02-01",
            "2027-02-01 ended plus: lapsed",
        ]
    );
    assert_eq!(
        shop.buy("ana", "ORD-2", "100.00 EUR", "2027-02-02")
            .earning
            .points,
        pts(100)
    );
}

#[test]
fn a_renewal_by_hand_adds_a_term_from_the_end_of_the_current_one() {
    let mut shop = Shop::new(program());
    shop.enroll("ana", "2026-01-05");
    join(&mut shop, "ana", "plus", "PAY-1", "2026-02-01").unwrap();
    let renew = RenewMembership::new(member("ana"), r("PAY-2"), t("2027-01-15"));
    let receipt = shop.run(renew.clone());
    assert_eq!(
        receipt.to_string(),
        "membership plus renewed until 2028-02-01 12:00 UTC for 49.00 EUR"
    );
    // The same payment again repeats the receipt.
    let again = shop.try_run(renew).unwrap();
    assert!(again.duplicate);
    assert_eq!(again.receipt, receipt);
    shop.tick("2027-12-31");
    assert_eq!(
        shop.ledger
            .tier_status(&member("ana"), t("2027-12-31"))
            .unwrap()
            .tier
            .map(|t| t.to_string()),
        Some("gold".into())
    );
    shop.tick("2028-02-01");
    assert_eq!(
        membership_events(&shop),
        [
            "2026-02-01 started plus (gold) until 2027-02-01",
            "2027-01-15 renewed plus until 2028-02-01",
            "2028-02-01 ended plus: lapsed",
        ]
    );
    // Nothing to renew now.
    let err = shop
        .try_run(RenewMembership::new(
            member("ana"),
            r("PAY-3"),
            t("2028-02-02"),
        ))
        .unwrap_err();
    assert_eq!(err.to_string(), "member ana holds no active membership");
}

#[test]
fn an_automatic_membership_renews_itself_and_its_fee_earns_points() {
    let mut shop = Shop::new(program());
    shop.enroll("ana", "2026-01-05");
    let joined = join(&mut shop, "ana", "monthly", "PAY-1", "2026-02-01").unwrap();
    // The fee is recorded as an order under the payment's reference and
    // earns at the membership's tier.
    assert_eq!(
        joined.to_string(),
        "membership monthly started: silver until 2026-03-03 12:00 UTC for 9.99 EUR; the fee \
         earned 11 points (11 = 9 base (floor(9.99 EUR × 1 point per 1.00 EUR)) + 2 Silver ×1.25 on 9.99 EUR)"
    );
    assert_eq!(shop.available("ana"), 11);
    let tick = shop.tick("2026-03-03");
    assert_eq!(tick.memberships_renewed, 1);
    assert_eq!(
        tick.to_string(),
        "time reached 2026-03-03 12:00 UTC: 0 points settled, 0 points expired, 1 membership renewed across 1 member"
    );
    assert_eq!(
        membership_events(&shop),
        [
            "2026-02-01 started monthly (silver) until 2026-03-03",
            "2026-03-03 renewed monthly until 2026-04-02 automatically",
        ]
    );
    // The renewal's fee is an order too, named after the renewal.
    assert_eq!(shop.available("ana"), 22);
    let statement = shop
        .ledger
        .statement(&member("ana"), t("2026-03-01"), t("2026-03-05"))
        .unwrap()
        .to_string();
    assert!(
        statement.contains("monthly-renewal-2026-03-03"),
        "{statement}"
    );
    // Fees never count toward the tiers.
    let status = shop
        .ledger
        .tier_status(&member("ana"), t("2026-03-04"))
        .unwrap();
    assert_eq!(status.metric, "0".parse().unwrap());
}

#[test]
fn cancelling_refunds_the_unused_part_when_the_program_says_so() {
    let mut shop = Shop::new(program());
    shop.enroll("ana", "2026-01-05");
    join(&mut shop, "ana", "monthly", "PAY-1", "2026-02-01").unwrap();
    // Halfway through the 30 days: half the fee back (rounded down to the
    // cent), and half the fee's points with it.
    let receipt = shop.run(CancelMembership::new(
        member("ana"),
        r("CXL-1"),
        t("2026-02-16"),
    ));
    assert_eq!(
        receipt.to_string(),
        "membership monthly cancelled, 4.99 EUR refunded"
    );
    assert_eq!(
        membership_events(&shop)[1],
        "2026-02-16 ended monthly: cancelled under CXL-1, 4.99 EUR refunded"
    );
    assert_eq!(shop.available("ana"), 6);
    assert_eq!(shop.ledger.next_due(), None);

    // Plus gives nothing back.
    join(&mut shop, "ana", "plus", "PAY-2", "2026-03-01").unwrap();
    let receipt = shop.run(CancelMembership::new(
        member("ana"),
        r("CXL-2"),
        t("2026-03-02"),
    ));
    assert_eq!(
        receipt.to_string(),
        "membership plus cancelled, nothing refunded"
    );
    assert_eq!(
        shop.ledger
            .tier_status(&member("ana"), t("2026-03-02"))
            .unwrap()
            .tier
            .map(|t| t.to_string()),
        Some("bronze".into())
    );
}

#[test]
fn the_higher_of_the_earned_and_the_paid_tier_applies() {
    let mut shop = Shop::new(program());
    shop.enroll("ana", "2026-01-05");
    join(&mut shop, "ana", "monthly", "PAY-1", "2026-02-01").unwrap();
    shop.buy("ana", "ORD-1", "1000.00 EUR", "2026-02-02");
    let status = shop
        .ledger
        .tier_status(&member("ana"), t("2026-02-03"))
        .unwrap();
    assert_eq!(status.qualified.as_ref().map(TierId::as_str), Some("gold"));
    assert_eq!(status.tier.as_ref().map(TierId::as_str), Some("gold"));
    assert_eq!(status.multiplier, "1.5".parse().unwrap());
    assert_eq!(
        status.to_string(),
        "gold since 2026-02-02, secured until 2027-01-01"
    );
}

#[test]
fn membership_commands_are_exactly_once_and_refuse_what_does_not_fit() {
    let mut shop = Shop::new(program());
    shop.enroll("ana", "2026-01-05");
    let first = join(&mut shop, "ana", "plus", "PAY-1", "2026-02-01").unwrap();
    let again = shop
        .try_run(JoinMembership::new(
            member("ana"),
            "plus".parse().unwrap(),
            r("PAY-1"),
            t("2026-02-05"),
        ))
        .unwrap();
    assert!(again.duplicate && again.events.is_empty());
    assert_eq!(again.receipt, Receipt::Membership(first));
    assert_eq!(
        join(&mut shop, "ana", "monthly", "PAY-1", "2026-02-05")
            .unwrap_err()
            .to_string(),
        "conflict: membership PAY-1 was already recorded with membership plus, not monthly"
    );
    assert_eq!(
        join(&mut shop, "ana", "monthly", "PAY-2", "2026-02-05").unwrap_err(),
        Error::MembershipActive {
            membership: "plus".parse().unwrap(),
            ends_at: t("2027-02-01"),
        }
    );
    assert_eq!(
        join(&mut shop, "ana", "platinum", "PAY-3", "2026-02-05")
            .unwrap_err()
            .to_string(),
        "unknown membership platinum"
    );
    assert_eq!(
        join(&mut shop, "nobody", "plus", "PAY-4", "2026-02-05").unwrap_err(),
        Error::NotEnrolled {
            member: member("nobody")
        }
    );
    assert!(matches!(
        join(&mut shop, "ana", "plus", "PAY-5", "2026-01-31").unwrap_err(),
        Error::OutOfOrder { .. }
    ));
    // A cancellation's reference may not repeat a payment's.
    assert!(matches!(
        shop.try_run(CancelMembership::new(
            member("ana"),
            r("PAY-1"),
            t("2026-02-06")
        ))
        .unwrap_err(),
        Error::Conflict { .. }
    ));
    // A fee that earns points is an order: its reference must be new.
    shop.buy("ana", "ORD-1", "10.00 EUR", "2026-02-07");
    shop.run(CancelMembership::new(
        member("ana"),
        r("CXL-1"),
        t("2026-02-08"),
    ));
    assert!(matches!(
        join(&mut shop, "ana", "monthly", "ORD-1", "2026-02-09").unwrap_err(),
        Error::Conflict { .. }
    ));
}
