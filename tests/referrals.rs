//! Referrals: a code per member, friends who join with it, rewards on both
//! sides when the friend's first order qualifies, a ladder by the
//! referrer's count, the guards, and reversal when the qualifying order is
//! refunded.

use loyalty::*;

use crate::support::*;

/// The seed program with a referral ladder: a friend's first order of at
/// least 30.00 EUR within 30 days gives the friend 50 points and the
/// referrer 100 points for referrals 1 and 2, 150 from the third, and 500
/// more on reaching 3. The referrer's own referrer gets 20. Codes link
/// within 7 days of enrolling.
fn ladder_with(extra: &str) -> Program {
    ladder_and(extra, "")
}

/// The ladder with `extra` referral settings and `sections` of the program.
fn ladder_and(extra: &str, sections: &str) -> Program {
    seed_with(&format!(
        r#""referrals": {{"secret": "correct horse battery staple",
            "link_within_days": 7, "minimum_order": "30.00", "qualify_within_days": 30,
            "referee": {{"points": 50}},
            "ladder": [{{"from": 1, "points": 100}}, {{"from": 3, "points": 150}}],
            "milestones": [{{"at": 3, "points": 500}}],
            "upline": [20]{extra}}}{sections}"#
    ))
}

fn ladder() -> Shop {
    Shop::new(ladder_with(""))
}

fn code_of(shop: &Shop, who: &str) -> ReferralCode {
    shop.ledger
        .referral_code(&member(who))
        .cloned()
        .expect("a code is issued at enrolment")
}

fn join_with(shop: &mut Shop, who: &str, code: &ReferralCode, at: &str) -> Result<Decision, Error> {
    shop.try_run(Enroll::new(member(who), t(at)).referred_by(code.clone()))
}

fn refused(result: Result<Decision, Error>) -> ReferralRefusal {
    match result {
        Err(Error::ReferralRefused { reason, .. }) => reason,
        other => panic!("expected a referral refusal, got {other:?}"),
    }
}

fn outcomes(decision: &Decision) -> Vec<String> {
    decision
        .referral_outcomes()
        .map(|o| o.to_string())
        .collect()
}

fn buy(shop: &mut Shop, who: &str, order: &str, amount: &str, at: &str) -> Decision {
    shop.try_run(Purchase::new(member(who), r(order), money(amount), t(at)))
        .unwrap()
}

fn figures(shop: &Shop, who: &str) -> ReferralFigures {
    shop.ledger.referral_figures(&member(who)).unwrap()
}

/// Marta enrols; Ana joins with Marta's code.
fn marta_and_ana() -> Shop {
    let mut shop = ladder();
    shop.enroll("marta", "2026-03-01");
    let code = code_of(&shop, "marta");
    join_with(&mut shop, "ana", &code, "2026-03-02").unwrap();
    shop
}

#[test]
fn a_friends_first_qualifying_order_rewards_both_sides() {
    let mut shop = marta_and_ana();
    assert_eq!(
        shop.ledger.account(&member("ana")).unwrap().referred_by(),
        Some(&member("marta"))
    );

    let decision = buy(&mut shop, "ana", "A-1", "45.00 EUR", "2026-03-10");
    assert_eq!(
        outcomes(&decision),
        [
            "ana gets 50 points for joining by referral",
            "marta gets 100 points for referring ana (referral 1)"
        ]
    );
    assert_eq!(shop.available("ana"), 45 + 50);
    assert_eq!(shop.available("marta"), 100);
    let b = shop.balance("marta");
    assert_eq!((b.earned.value(), b.bonuses.value()), (100, 100));

    // Ana's second order earns only its own points.
    let again = buy(&mut shop, "ana", "A-2", "60.00 EUR", "2026-03-12");
    assert_eq!(again.referral_outcomes().count(), 0);
    assert_eq!(shop.available("marta"), 100);

    let f = figures(&shop, "marta");
    assert_eq!(
        (f.enrolled, f.qualified, f.rewarded, f.withheld, f.reversed),
        (1, 1, 1, 0, 0)
    );
    assert_eq!(f.points, pts(100));
    assert_eq!(f.next_step.as_ref().map(LadderStep::from), Some(3));
    assert_eq!(
        f.to_string(),
        format!(
            "marta (code {}): 0 invited, 1 enrolled, 1 qualified, 1 rewarded, 0 withheld, 0 reversed; \
             100 points from referrals; next step: 150 points from referral 3; next milestone: 500 points at 3 referrals",
            code_of(&shop, "marta")
        )
    );
}

#[test]
fn an_order_below_the_minimum_waits_for_one_that_qualifies() {
    let mut shop = marta_and_ana();
    let small = buy(&mut shop, "ana", "A-1", "29.99 EUR", "2026-03-05");
    assert_eq!(small.referral_outcomes().count(), 0);
    assert_eq!(shop.available("marta"), 0);

    buy(&mut shop, "ana", "A-2", "30.00 EUR", "2026-03-06");
    assert_eq!(shop.available("marta"), 100);
    assert_eq!(shop.available("ana"), 29 + 30 + 50);
}

#[test]
fn an_order_after_the_qualifying_window_rewards_nobody() {
    let mut shop = marta_and_ana();
    // Linked on 2026-03-02 at noon: 30 days run to 2026-04-01 at noon.
    let late = buy(&mut shop, "ana", "A-1", "80.00 EUR", "2026-04-02");
    assert_eq!(late.referral_outcomes().count(), 0);
    assert_eq!(shop.available("marta"), 0);
    assert_eq!(figures(&shop, "marta").qualified, 0);
}

#[test]
fn the_ladder_grows_with_the_count_and_pays_the_milestone_once() {
    let mut shop = ladder();
    shop.enroll("marta", "2026-03-01");
    let code = code_of(&shop, "marta");
    let mut paid = Vec::new();
    for (i, friend) in ["ana", "ben", "cleo", "dan"].iter().enumerate() {
        join_with(&mut shop, friend, &code, "2026-03-02").unwrap();
        let d = buy(
            &mut shop,
            friend,
            &format!("{friend}-1"),
            "40.00 EUR",
            "2026-03-10",
        );
        paid.push((i + 1, outcomes(&d)));
    }
    assert_eq!(
        paid[0].1[1],
        "marta gets 100 points for referring ana (referral 1)"
    );
    assert_eq!(
        paid[1].1[1],
        "marta gets 100 points for referring ben (referral 2)"
    );
    assert_eq!(
        paid[2].1[1..],
        [
            "marta gets 150 points for referring cleo (referral 3)",
            "marta gets 500 points on reaching 3 referrals (with cleo)"
        ]
    );
    assert_eq!(
        paid[3].1[1..],
        ["marta gets 150 points for referring dan (referral 4)"]
    );
    assert_eq!(shop.available("marta"), 100 + 100 + 150 + 500 + 150);
    let f = figures(&shop, "marta");
    assert_eq!((f.rewarded, f.successes), (4, 4));
    assert!(f.next_step.is_none() && f.next_milestone.is_none());
}

#[test]
fn the_referrers_own_referrer_gets_the_upline_reward() {
    let mut shop = marta_and_ana();
    let ana_code = code_of(&shop, "ana");
    join_with(&mut shop, "ben", &ana_code, "2026-03-03").unwrap();
    let d = buy(&mut shop, "ben", "B-1", "35.00 EUR", "2026-03-04");
    assert_eq!(
        outcomes(&d),
        [
            "ben gets 50 points for joining by referral",
            "ana gets 100 points for referring ben (referral 1)",
            "marta gets 20 points as upline (depth 1) for ben's referral"
        ]
    );
    assert_eq!(shop.available("marta"), 20);
    // Each event concerns the member it is stored for.
    for e in &d.events {
        match e {
            Event::ReferralRewarded(r) => assert_eq!(e.member(), &r.member),
            Event::PurchaseRecorded(_) | Event::ReferralQualified(_) => {
                assert_eq!(e.member(), &member("ben"))
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn refunding_the_qualifying_order_in_full_reverses_both_sides() {
    let mut shop = marta_and_ana();
    let code = code_of(&shop, "marta");
    join_with(&mut shop, "ben", &code, "2026-03-02").unwrap();
    buy(&mut shop, "ben", "B-1", "40.00 EUR", "2026-03-05");
    let before = (
        shop.balance("ana"),
        shop.balance("marta"),
        shop.balance("ben"),
    );
    buy(&mut shop, "ana", "A-1", "50.00 EUR", "2026-03-06");
    assert_eq!(shop.available("marta"), 200);

    let refund = Refund::new(
        member("ana"),
        r("A-1"),
        r("RF-1"),
        money("50.00 EUR"),
        t("2026-03-08"),
    );
    let d = shop.try_run(refund).unwrap();
    assert_eq!(
        outcomes(&d),
        [
            "ana's welcome for joining by referral reversed: ana's order A-1 was refunded; 50 points taken back",
            "marta's reward for referring ana (referral 2) reversed: ana's order A-1 was refunded; 100 points taken back"
        ]
    );
    assert_eq!(shop.available("ana"), 0);
    assert_eq!(shop.available("marta"), before.1.available.value());
    assert_eq!(shop.balance("ben"), before.2);
    let f = figures(&shop, "marta");
    assert_eq!((f.rewarded, f.reversed, f.successes), (1, 1, 1));
    assert_eq!((f.points, f.points_reversed), (pts(100), pts(100)));

    // Reversed for good: Ana's next order does not qualify again.
    let next = buy(&mut shop, "ana", "A-2", "90.00 EUR", "2026-03-09");
    assert_eq!(next.referral_outcomes().count(), 0);
}

#[test]
fn a_partial_refund_reverses_only_below_the_minimum() {
    let mut shop = marta_and_ana();
    buy(&mut shop, "ana", "A-1", "50.00 EUR", "2026-03-06");
    // 35.00 EUR kept: still above the minimum.
    let first = shop
        .try_run(Refund::new(
            member("ana"),
            r("A-1"),
            r("RF-1"),
            money("15.00 EUR"),
            t("2026-03-07"),
        ))
        .unwrap();
    assert_eq!(first.referral_outcomes().count(), 0);
    assert_eq!(shop.available("marta"), 100);
    // 25.00 EUR kept: below.
    let second = shop
        .try_run(Refund::new(
            member("ana"),
            r("A-1"),
            r("RF-2"),
            money("10.00 EUR"),
            t("2026-03-08"),
        ))
        .unwrap();
    assert_eq!(second.referral_outcomes().count(), 2);
    assert_eq!(shop.available("marta"), 0);
    assert_eq!(shop.available("ana"), 25);
}

#[test]
fn a_reversal_follows_the_negative_balance_policy() {
    let story = |program: Program| {
        let mut shop = Shop::new(program);
        shop.enroll("marta", "2026-03-01");
        let code = code_of(&shop, "marta");
        join_with(&mut shop, "ana", &code, "2026-03-02").unwrap();
        buy(&mut shop, "ana", "A-1", "50.00 EUR", "2026-03-06");
        // Both spend their points before Ana's order is refunded.
        shop.run(Adjust::debit(
            member("marta"),
            r("ADJ-1"),
            pts(100),
            "swap",
            t("2026-03-07"),
        ));
        shop.run(Adjust::debit(
            member("ana"),
            r("ADJ-2"),
            pts(100),
            "swap",
            t("2026-03-07"),
        ));
        let refund = Refund::new(
            member("ana"),
            r("A-1"),
            r("RF-1"),
            money("50.00 EUR"),
            t("2026-03-08"),
        );
        (shop.try_run(refund), shop)
    };

    // Debt (the seed's default): both owe what they spent.
    let (refund, shop) = story(ladder_with(""));
    refund.unwrap();
    assert_eq!(shop.available("marta"), -100);
    assert_eq!(shop.available("ana"), -100);

    // Clamp: what the lots cannot cover is forgiven.
    let (refund, shop) = story(ladder_and(
        "",
        r#", "refunds": {"negative_balance": "clamp"}"#,
    ));
    let d = refund.unwrap();
    assert!(
        outcomes(&d)[1].ends_with("100 points forgiven"),
        "{:?}",
        outcomes(&d)
    );
    assert_eq!(shop.available("marta"), 0);

    // Reject: the refunded member's own refund is refused; a referrer's
    // balance never blocks someone else's refund.
    let (refund, _) = story(ladder_and(
        "",
        r#", "refunds": {"negative_balance": "reject"}"#,
    ));
    assert!(
        matches!(refund, Err(Error::ClawbackExceedsBalance { .. })),
        "{refund:?}"
    );
}

#[test]
fn a_referrer_whose_last_event_is_later_is_rewarded_at_that_time() {
    let mut shop = marta_and_ana();
    shop.buy("marta", "M-1", "10.00 EUR", "2026-03-20");
    // Ana's order arrives dated earlier than Marta's last event.
    let d = buy(&mut shop, "ana", "A-1", "40.00 EUR", "2026-03-10");
    let marta = d
        .events
        .iter()
        .find(|e| e.member() == &member("marta"))
        .unwrap();
    assert_eq!(marta.at(), t("2026-03-20"));
    assert_eq!(shop.available("marta"), 110);
}

mod guards {
    use super::*;

    #[test]
    fn an_unknown_code_refuses_the_enrolment_and_records_nothing() {
        let mut shop = ladder();
        let code = ReferralCode::with_check("NEWBY").unwrap();
        let reason = refused(join_with(&mut shop, "ana", &code, "2026-03-02"));
        assert_eq!(reason, ReferralRefusal::UnknownCode { code });
        assert!(shop.ledger.account(&member("ana")).is_none());
    }

    #[test]
    fn a_member_cannot_use_their_own_code() {
        let mut shop = ladder();
        shop.enroll("marta", "2026-03-01");
        let own = code_of(&shop, "marta");
        let reason =
            refused(shop.try_run(LinkReferral::new(member("marta"), own, t("2026-03-02"))));
        assert_eq!(reason, ReferralRefusal::SelfReferral);
        assert_eq!(reason.to_string(), "a member cannot use their own code");
    }

    #[test]
    fn a_member_is_referred_once() {
        let mut shop = marta_and_ana();
        shop.enroll("ben", "2026-03-01");
        let marta = code_of(&shop, "marta");
        let ben = code_of(&shop, "ben");
        // The same code again: the first receipt, nothing new.
        let again = shop
            .try_run(LinkReferral::new(member("ana"), marta, t("2026-03-03")))
            .unwrap();
        assert!(again.duplicate);
        let reason = refused(shop.try_run(LinkReferral::new(member("ana"), ben, t("2026-03-03"))));
        assert_eq!(
            reason,
            ReferralRefusal::AlreadyReferred {
                referrer: member("marta")
            }
        );
    }

    #[test]
    fn an_existing_customer_is_not_a_new_referral() {
        let mut shop = ladder();
        shop.enroll("marta", "2026-03-01");
        shop.enroll("olga", "2026-03-01");
        shop.buy("olga", "O-1", "20.00 EUR", "2026-03-02");
        let code = code_of(&shop, "marta");
        let reason =
            refused(shop.try_run(LinkReferral::new(member("olga"), code, t("2026-03-03"))));
        assert_eq!(reason, ReferralRefusal::NotNew { orders: 1 });
    }

    #[test]
    fn a_code_links_within_the_days_after_enrolling() {
        let mut shop = ladder();
        shop.enroll("marta", "2026-03-01");
        shop.enroll("ana", "2026-03-01");
        let code = code_of(&shop, "marta");
        let reason = refused(shop.try_run(LinkReferral::new(
            member("ana"),
            code.clone(),
            t("2026-03-09"),
        )));
        assert_eq!(
            reason,
            ReferralRefusal::LinkWindowClosed {
                enrolled_at: t("2026-03-01"),
                days: 7
            }
        );
        let linked = shop
            .try_run(LinkReferral::new(member("ana"), code, t("2026-03-08")))
            .unwrap();
        assert_eq!(
            linked.receipt.to_string(),
            format!(
                "ana was linked to referrer marta with code {} on 2026-03-08 12:00 UTC",
                code_of(&shop, "marta")
            )
        );
    }

    #[test]
    fn shared_identity_refuses_the_link() {
        let mut shop = ladder();
        let email = Fingerprint::new(FingerprintKind::Email, "sha256:aa11").unwrap();
        shop.run(Enroll::new(member("marta"), t("2026-03-01")).with_fingerprint(email.clone()));
        let code = code_of(&shop, "marta");
        let enrol = Enroll::new(member("marta2"), t("2026-03-02"))
            .referred_by(code)
            .with_fingerprint(email);
        let reason = refused(shop.try_run(enrol));
        assert_eq!(
            reason,
            ReferralRefusal::SharedIdentity {
                kind: FingerprintKind::Email
            }
        );
        assert_eq!(
            reason.to_string(),
            "referrer and referee share the same email address"
        );
    }

    #[test]
    fn shared_identity_found_later_withholds_both_rewards() {
        let mut shop = marta_and_ana();
        let card = Fingerprint::new(FingerprintKind::Payment, "tok_4242").unwrap();
        shop.run(RecordFingerprints::new(
            member("marta"),
            vec![card.clone()],
            t("2026-03-03"),
        ));
        shop.run(RecordFingerprints::new(
            member("ana"),
            vec![card],
            t("2026-03-04"),
        ));
        let d = buy(&mut shop, "ana", "A-1", "40.00 EUR", "2026-03-04");
        assert_eq!(
            outcomes(&d),
            [
                "ana's welcome for joining by referral withheld: referrer and referee share the same payment instrument",
                "marta's reward for referring ana (referral 1) withheld: referrer and referee share the same payment instrument"
            ]
        );
        assert_eq!(shop.available("marta"), 0);
        assert_eq!(shop.available("ana"), 40);
        let f = figures(&shop, "marta");
        assert_eq!((f.qualified, f.rewarded, f.withheld), (1, 0, 1));
    }

    #[test]
    fn a_period_limit_withholds_the_referrers_reward_not_the_friends() {
        let mut shop = Shop::new(ladder_with(r#", "limit": {"count": 2, "per": "month"}"#));
        shop.enroll("marta", "2026-03-01");
        let code = code_of(&shop, "marta");
        for friend in ["ana", "ben", "cleo"] {
            join_with(&mut shop, friend, &code, "2026-03-02").unwrap();
            buy(
                &mut shop,
                friend,
                &format!("{friend}-1"),
                "40.00 EUR",
                "2026-03-10",
            );
        }
        assert_eq!(shop.available("marta"), 200);
        assert_eq!(shop.available("cleo"), 90);
        let last = shop.log.iter().rev().find_map(|e| match e {
            Event::ReferralWithheld(w) => Some(w.why.clone()),
            _ => None,
        });
        assert_eq!(
            last,
            Some(ReferralRefusal::PeriodLimit {
                count: 2,
                per: Period::Month
            })
        );
        // Next month counts afresh.
        join_with(&mut shop, "dan", &code, "2026-04-01").unwrap();
        buy(&mut shop, "dan", "dan-1", "40.00 EUR", "2026-04-02");
        assert_eq!(shop.available("marta"), 200 + 150 + 500);
    }

    #[test]
    fn a_total_cap_withholds_past_it() {
        let mut shop = Shop::new(ladder_with(r#", "max_total": 1"#));
        shop.enroll("marta", "2026-03-01");
        let code = code_of(&shop, "marta");
        for friend in ["ana", "ben"] {
            join_with(&mut shop, friend, &code, "2026-03-02").unwrap();
            buy(
                &mut shop,
                friend,
                &format!("{friend}-1"),
                "40.00 EUR",
                "2026-03-10",
            );
        }
        assert_eq!(shop.available("marta"), 100);
        let why = shop.log.iter().find_map(|e| match e {
            Event::ReferralWithheld(w) => Some(w.why.to_string()),
            _ => None,
        });
        assert_eq!(
            why.as_deref(),
            Some("the referrer reached the limit of 1 successful referrals")
        );
    }

    #[test]
    fn an_expired_code_and_a_closed_programme_refuse_the_link() {
        let mut shop = Shop::new(ladder_with(
            r#", "code_valid_days": 30, "ends_at": "2026-06-01""#,
        ));
        shop.enroll("marta", "2026-03-01");
        let code = code_of(&shop, "marta");
        let reason = refused(join_with(&mut shop, "ana", &code, "2026-03-31"));
        assert_eq!(
            reason,
            ReferralRefusal::CodeExpired {
                expired_at: t("2026-03-31")
            }
        );
        shop.enroll("zoe", "2026-05-30");
        let zoe = code_of(&shop, "zoe");
        let reason = refused(join_with(&mut shop, "yan", &zoe, "2026-06-02"));
        assert!(
            matches!(reason, ReferralRefusal::OutsideWindow { .. }),
            "{reason:?}"
        );
    }

    #[test]
    fn a_link_may_not_close_a_loop() {
        let mut shop = marta_and_ana();
        // Marta, who referred Ana, tries to link Ana's code.
        let ana = code_of(&shop, "ana");
        let reason =
            refused(shop.try_run(LinkReferral::new(member("marta"), ana, t("2026-03-03"))));
        assert_eq!(
            reason,
            ReferralRefusal::Cycle {
                referrer: member("ana")
            }
        );
    }

    #[test]
    fn a_program_without_referrals_refuses_codes() {
        let mut shop = Shop::seed();
        shop.enroll("marta", "2026-03-01");
        assert!(shop.ledger.referral_code(&member("marta")).is_none());
        let code = ReferralCode::with_check("MARTA").unwrap();
        let reason = refused(join_with(&mut shop, "ana", &code, "2026-03-02"));
        assert_eq!(reason, ReferralRefusal::NoReferrals);
    }
}

mod codes {
    use super::*;

    #[test]
    fn codes_are_derived_short_and_resolve_however_they_are_typed() {
        let mut shop = ladder();
        shop.enroll("marta", "2026-03-01");
        let code = code_of(&shop, "marta");
        assert_eq!(
            code.as_str().len(),
            8,
            "7 characters and the check character"
        );
        assert!(code.as_str().chars().all(|c| CODE_ALPHABET.contains(c)));
        let typed = code.as_str().to_lowercase();
        let typed = format!("{}-{}", &typed[..4], &typed[4..]);
        let parsed: ReferralCode = typed.parse().unwrap();
        assert_eq!(shop.ledger.resolve_code(&parsed), Some(&member("marta")));

        // The same member id and secret derive the same code in another
        // ledger: codes are stable across replays and machines.
        let mut other = ladder();
        other.enroll("marta", "2026-05-01");
        assert_eq!(code_of(&other, "marta"), code);
    }

    #[test]
    fn a_host_chosen_code_must_be_free() {
        let mut shop = ladder();
        let chosen = ReferralCode::with_check("MARTA").unwrap();
        let receipt =
            shop.run(Enroll::new(member("marta"), t("2026-03-01")).with_code(chosen.clone()));
        assert_eq!(
            receipt.to_string(),
            "marta enrolled on 2026-03-01 12:00 UTC; referral code MARTAT"
        );
        let taken =
            shop.try_run(Enroll::new(member("mart"), t("2026-03-01")).with_code(chosen.clone()));
        assert_eq!(
            taken.unwrap_err(),
            Error::CodeTaken {
                code: chosen,
                member: member("marta")
            }
        );
    }

    #[test]
    fn members_from_before_referrals_get_a_code_on_request() {
        let mut shop = Shop::seed();
        shop.enroll("marta", "2026-01-01");
        let mut shop = Shop {
            ledger: Ledger::replay(ladder_with(""), &shop.log).unwrap(),
            log: shop.log,
        };
        assert!(shop.ledger.referral_code(&member("marta")).is_none());
        let issued = shop.run(IssueReferralCode::new(member("marta"), t("2026-03-01")));
        let again = shop
            .try_run(IssueReferralCode::new(member("marta"), t("2026-03-02")))
            .unwrap();
        assert!(again.duplicate);
        assert_eq!(again.receipt, issued);
        let other = ReferralCode::with_check("THERE").unwrap();
        let conflict =
            shop.try_run(IssueReferralCode::new(member("marta"), t("2026-03-02")).code(other));
        assert!(
            matches!(conflict, Err(Error::Conflict { field: "code", .. })),
            "{conflict:?}"
        );
    }

    #[test]
    fn invitations_count_once() {
        let mut shop = ladder();
        shop.enroll("marta", "2026-03-01");
        shop.run(Invite::new(member("marta"), r("INV-1"), t("2026-03-02")));
        let again = shop
            .try_run(Invite::new(member("marta"), r("INV-1"), t("2026-03-02")))
            .unwrap();
        assert!(again.duplicate);
        shop.run(Invite::new(member("marta"), r("INV-2"), t("2026-03-02")));
        assert_eq!(figures(&shop, "marta").invited, 2);
    }
}

mod qualification {
    use super::*;

    #[test]
    fn at_enrolment_both_sides_are_rewarded_when_the_friend_joins() {
        let mut shop = Shop::new(seed_with(
            r#""referrals": {"secret": "correct horse battery staple", "qualify": "enrolment",
                             "referee": {"points": 25}, "referrer": {"points": 75}}"#,
        ));
        shop.enroll("marta", "2026-03-01");
        let code = code_of(&shop, "marta");
        let d = join_with(&mut shop, "ana", &code, "2026-03-02").unwrap();
        assert_eq!(d.referral_outcomes().count(), 2);
        assert_eq!((shop.available("ana"), shop.available("marta")), (25, 75));
        match d.receipt {
            Receipt::Enrollment(e) => assert_eq!(e.referred_by, Some(member("marta"))),
            other => panic!("{other:?}"),
        }
        // With no order to name, each side's statement names the friend.
        for who in ["ana", "marta"] {
            let statement = shop
                .ledger
                .statement(&member(who), t("2026-03-01"), t("2026-04-01"))
                .unwrap();
            let named: Vec<_> = statement
                .lines
                .iter()
                .map(|line| (line.kind, line.reference.as_ref().map(|r| r.to_string())))
                .collect();
            assert_eq!(
                named,
                [(EntryKind::Referral, Some("referral ana".to_owned()))]
            );
        }
    }

    #[test]
    fn each_of_the_first_orders_rewards_both_sides_and_counts_one_referral() {
        let mut shop = Shop::new(seed_with(
            r#""referrals": {"secret": "correct horse battery staple", "qualify": "each_order",
                             "orders": 3, "minimum_order": "10.00",
                             "referee": {"points": 10}, "referrer": {"points": 20}}"#,
        ));
        shop.enroll("marta", "2026-03-01");
        let code = code_of(&shop, "marta");
        join_with(&mut shop, "ana", &code, "2026-03-02").unwrap();
        for i in 1..=4 {
            buy(
                &mut shop,
                "ana",
                &format!("A-{i}"),
                "10.00 EUR",
                "2026-03-03",
            );
        }
        assert_eq!(shop.available("marta"), 60);
        assert_eq!(shop.available("ana"), 40 + 30);
        let f = figures(&shop, "marta");
        assert_eq!((f.rewarded, f.successes), (1, 1));
        // Refunding one of them takes back its own rewards only.
        shop.run(Refund::new(
            member("ana"),
            r("A-2"),
            r("RF-1"),
            money("10.00 EUR"),
            t("2026-03-04"),
        ));
        assert_eq!(shop.available("marta"), 40);
        assert_eq!(figures(&shop, "marta").rewarded, 1);
    }
}

#[test]
fn a_programme_that_welcomes_only_the_friend_leaves_the_referrer_alone() {
    let mut shop = Shop::new(seed_with(
        r#""referrals": {"secret": "correct horse battery staple", "referee": {"points": 40}}"#,
    ));
    shop.enroll("marta", "2026-03-01");
    let code = code_of(&shop, "marta");
    join_with(&mut shop, "ana", &code, "2026-03-02").unwrap();
    let d = buy(&mut shop, "ana", "A-1", "12.00 EUR", "2026-03-03");
    assert_eq!(outcomes(&d), ["ana gets 40 points for joining by referral"]);
    assert!(d.events.iter().all(|e| e.member() == &member("ana")));
    assert_eq!(figures(&shop, "marta").qualified, 1);
}

#[test]
fn enrolling_again_with_another_code_is_a_conflict() {
    let mut shop = marta_and_ana();
    shop.enroll("ben", "2026-03-01");
    let ben = code_of(&shop, "ben");
    let again = join_with(&mut shop, "ana", &ben, "2026-03-02");
    assert!(
        matches!(
            again,
            Err(Error::Conflict {
                field: "referred_by",
                ..
            })
        ),
        "{again:?}"
    );
    let marta = code_of(&shop, "marta");
    assert!(
        join_with(&mut shop, "ana", &marta, "2026-03-02")
            .unwrap()
            .duplicate
    );
}

mod vouchers {
    use super::*;

    /// The friend gets a voucher for 10% off instead of points.
    fn shop() -> Shop {
        let mut shop = Shop::new(seed_with(
            r#""rewards": [{"id": "ten-percent-off", "name": "10% off", "cost": 100,
                           "kind": "percent_off", "percent": "10"},
                          {"id": "free-socks", "cost": 300, "kind": "free_product", "sku": "SOCKS"}],
               "referrals": {"secret": "correct horse battery staple",
                             "referee": {"reward": "ten-percent-off"}, "referrer": {"points": 100}}"#,
        ));
        shop.enroll("marta", "2026-03-01");
        let code = code_of(&shop, "marta");
        join_with(&mut shop, "ana", &code, "2026-03-02").unwrap();
        shop
    }

    fn voucher_of(d: &Decision) -> Reference {
        d.events
            .iter()
            .find_map(|e| match e {
                Event::ReferralRewarded(r) => r.voucher.clone(),
                _ => None,
            })
            .unwrap()
    }

    fn redeem(
        shop: &mut Shop,
        reward: &str,
        voucher: &Reference,
        redemption: &str,
    ) -> Result<Decision, Error> {
        let cart = Cart::new(money("80.00 EUR"));
        let command = Redeem::new(
            member("ana"),
            r(redemption),
            reward.parse().unwrap(),
            cart,
            t("2026-03-05"),
        )
        .with_voucher(voucher.clone());
        shop.try_run(command)
    }

    #[test]
    fn a_voucher_pays_for_its_reward_once() {
        let mut shop = shop();
        let d = buy(&mut shop, "ana", "A-1", "40.00 EUR", "2026-03-04");
        let voucher = voucher_of(&d);
        assert_eq!(voucher.as_str(), "referral-voucher-1");
        assert_eq!(
            outcomes(&d)[0],
            "ana gets a ten-percent-off voucher for joining by referral (voucher referral-voucher-1)"
        );

        let other = redeem(&mut shop, "free-socks", &voucher, "RDM-0");
        assert!(
            matches!(other, Err(Error::VoucherForAnotherReward { .. })),
            "{other:?}"
        );
        let used = redeem(&mut shop, "ten-percent-off", &voucher, "RDM-1").unwrap();
        match &used.receipt {
            Receipt::Redemption(x) => {
                assert_eq!((x.points, x.discount), (pts(0), money("8.00 EUR")))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(shop.available("ana"), 40);
        let twice = redeem(&mut shop, "ten-percent-off", &voucher, "RDM-2");
        assert_eq!(
            twice.unwrap_err(),
            Error::VoucherUsed {
                voucher: voucher.clone(),
                redemption: r("RDM-1")
            }
        );
        // Cancelling the redemption frees the voucher again.
        shop.run(CancelRedemption::new(
            member("ana"),
            r("RDM-1"),
            t("2026-03-05"),
        ));
        redeem(&mut shop, "ten-percent-off", &voucher, "RDM-3").unwrap();
    }

    #[test]
    fn a_reversal_revokes_an_unused_voucher_and_charges_a_used_one() {
        let mut shop = shop();
        let d = buy(&mut shop, "ana", "A-1", "40.00 EUR", "2026-03-04");
        let voucher = voucher_of(&d);
        shop.run(Refund::new(
            member("ana"),
            r("A-1"),
            r("RF-1"),
            money("40.00 EUR"),
            t("2026-03-05"),
        ));
        let revoked = redeem(&mut shop, "ten-percent-off", &voucher, "RDM-1");
        assert!(
            matches!(revoked, Err(Error::UnknownVoucher { .. })),
            "{revoked:?}"
        );

        let mut shop = self::shop();
        let d = buy(&mut shop, "ana", "A-1", "140.00 EUR", "2026-03-04");
        let voucher = voucher_of(&d);
        redeem(&mut shop, "ten-percent-off", &voucher, "RDM-1").unwrap();
        let back = shop
            .try_run(Refund::new(
                member("ana"),
                r("A-1"),
                r("RF-1"),
                money("140.00 EUR"),
                t("2026-03-06"),
            ))
            .unwrap();
        assert!(
            outcomes(&back)[0].contains("100 points taken back"),
            "{:?}",
            outcomes(&back)
        );
        // 140 earned and clawed back; the used voucher's 100 points owed.
        assert_eq!(shop.available("ana"), -100);
    }
}

#[test]
fn each_members_events_replay_alone_as_a_partitioned_host_stores_them() {
    let mut shop = marta_and_ana();
    let ana_code = code_of(&shop, "ana");
    join_with(&mut shop, "ben", &ana_code, "2026-03-03").unwrap();
    buy(&mut shop, "ana", "A-1", "40.00 EUR", "2026-03-04");
    buy(&mut shop, "ben", "B-1", "40.00 EUR", "2026-03-05");
    shop.run(Refund::new(
        member("ben"),
        r("B-1"),
        r("RF-1"),
        money("40.00 EUR"),
        t("2026-03-06"),
    ));
    for who in ["marta", "ana", "ben"] {
        let own: Vec<&Event> = shop
            .log
            .iter()
            .filter(|e| e.member() == &member(who))
            .collect();
        let alone = Ledger::replay(shop.ledger.program().clone(), own).unwrap();
        assert_eq!(
            alone.account(&member(who)),
            shop.ledger.account(&member(who)),
            "{who}"
        );
    }
}

#[test]
fn referral_configuration_mistakes_are_named() {
    let problems = |referrals: &str| -> Vec<String> {
        let json = format!(r#"{{"currency": "EUR", "referrals": {referrals}}}"#);
        let config: ProgramConfig = serde_json::from_str(&json).unwrap();
        match Program::new(config) {
            Ok(_) => vec![],
            Err(e) => e.problems().iter().map(|p| p.to_string()).collect(),
        }
    };
    assert_eq!(
        problems(r#"{"secret": "short"}"#),
        ["referrals.secret: must be at least 16 (got 5)"]
    );
    let p = problems(
        r#"{"secret": "correct horse battery staple", "referrer": {"points": 1},
            "ladder": [{"from": 2, "points": 5}]}"#,
    );
    assert!(p.iter().any(|x| x.starts_with("referrals.ladder")), "{p:?}");
    let p = problems(r#"{"secret": "correct horse battery staple", "upline": [10]}"#);
    assert!(
        p.iter().any(|x| x.starts_with("referrals.referrer")),
        "{p:?}"
    );
    let p =
        problems(r#"{"secret": "correct horse battery staple", "referee": {"reward": "nope"}}"#);
    assert!(
        p.iter().any(|x| x.starts_with("referrals.referee.reward")),
        "{p:?}"
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn body() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            proptest::sample::select(CODE_ALPHABET.chars().collect::<Vec<_>>()),
            4..=12,
        )
        .prop_map(|cs| cs.into_iter().collect())
    }

    proptest! {
        /// A code survives printing and retyping (any case, hyphens,
        /// spaces), and every single-character typo is caught.
        #[test]
        fn codes_round_trip_and_every_single_character_typo_is_caught(body in body()) {
            let code = ReferralCode::with_check(&body).unwrap();
            prop_assert_eq!(code.as_str().parse::<ReferralCode>().unwrap(), code.clone());
            let lower = code.as_str().to_lowercase();
            let retyped = format!("{} {}", &lower[..2], &lower[2..]).replace(' ', " - ");
            prop_assert_eq!(retyped.parse::<ReferralCode>().unwrap(), code.clone());
            let json = serde_json::to_string(&code).unwrap();
            prop_assert_eq!(serde_json::from_str::<ReferralCode>(&json).unwrap(), code.clone());
            let chars: Vec<char> = code.as_str().chars().collect();
            for i in 0..chars.len() {
                for c in CODE_ALPHABET.chars().filter(|c| *c != chars[i]) {
                    let mut typo = chars.clone();
                    typo[i] = c;
                    let typo: String = typo.into_iter().collect();
                    prop_assert!(typo.parse::<ReferralCode>().is_err(), "{} taken for {}", typo, code);
                }
            }
        }

        /// Derived codes are valid codes, distinct per member, and resolve
        /// to their member.
        #[test]
        fn derived_codes_resolve_to_their_member(ids in proptest::collection::btree_set("[a-z0-9._-]{1,40}", 1..20)) {
            let mut shop = Shop::new(ladder_with(r#", "code_length": 4"#));
            for id in &ids {
                shop.ledger.execute(Enroll::new(member(id), t("2026-03-01"))).unwrap();
            }
            let mut seen = std::collections::BTreeSet::new();
            for id in &ids {
                let code = shop.ledger.referral_code(&member(id)).unwrap().clone();
                prop_assert_eq!(code.as_str().parse::<ReferralCode>().unwrap(), code.clone());
                prop_assert_eq!(shop.ledger.resolve_code(&code), Some(&member(id)));
                prop_assert!(seen.insert(code));
            }
        }

        /// However a friend's orders, retries and refunds go, the friend is
        /// welcomed once and the referrer rewarded once for them.
        #[test]
        fn a_referral_pays_each_side_at_most_once(
            steps in proptest::collection::vec((0..4_usize, 0..9_000_i64, 0..3_u8), 1..25),
        ) {
            let mut shop = marta_and_ana();
            let mut at = t("2026-03-03");
            for (order, cents, what) in steps {
                at += chrono::Duration::hours(7);
                let order = r(&format!("A-{order}"));
                let amount = Money::new(rust_decimal::Decimal::new(cents, 2), Currency::EUR);
                let command: Command = match what {
                    0 | 1 => Purchase::new(member("ana"), order, amount, at).into(),
                    _ => Refund::new(member("ana"), order, r(&format!("RF-{cents}")), amount, at).into(),
                };
                let _ = shop.try_run(command);
            }
            let count = |who: &str, role: ReferralRole| {
                shop.log.iter().filter(|e| matches!(e, Event::ReferralRewarded(x) if x.member == member(who) && x.role == role)).count()
            };
            prop_assert!(count("ana", ReferralRole::Referee) <= 1);
            let first = ReferralRole::Referrer { count: 1 };
            prop_assert!(count("marta", first) <= 1);
            let f = shop.ledger.referral_figures(&member("marta")).unwrap();
            prop_assert!(f.rewarded + f.reversed <= 1);
            prop_assert_eq!(f.points, pts(100 * i64::try_from(f.rewarded).unwrap()));
        }

        /// Refunding the qualifying order in full gives every side back the
        /// balance they had before it, wherever the referrer stood on the
        /// ladder, with or without an upline, under every policy.
        #[test]
        fn a_reversal_restores_both_balances(
            friends_before in 0..4_usize,
            cents in 3_000..50_000_i64,
            refunds in 1..4_i64,
            policy in 0..3_usize,
            upline in any::<bool>(),
        ) {
            let policy = ["reject", "clamp", "debt"][policy];
            let mut shop = Shop::new(ladder_and("", &format!(r#", "refunds": {{"negative_balance": "{policy}"}}"#)));
            shop.enroll("olga", "2026-03-01");
            let olga = code_of(&shop, "olga");
            let marta = Enroll::new(member("marta"), t("2026-03-01"));
            shop.run(if upline { marta.referred_by(olga) } else { marta });
            let code = code_of(&shop, "marta");
            for i in 0..friends_before {
                let friend = format!("friend{i}");
                join_with(&mut shop, &friend, &code, "2026-03-02").unwrap();
                buy(&mut shop, &friend, &format!("F-{i}"), "40.00 EUR", "2026-03-03");
            }
            join_with(&mut shop, "ana", &code, "2026-03-04").unwrap();
            let before: Vec<(Points, Points, Points)> = ["ana", "marta", "olga"]
                .iter()
                .map(|w| { let b = shop.balance(w); (b.available, b.pending, b.debt()) })
                .collect();
            let amount = Money::new(rust_decimal::Decimal::new(cents, 2), Currency::EUR);
            let d = buy(&mut shop, "ana", "A-1", &amount.to_string(), "2026-03-05");
            prop_assert!(d.referral_outcomes().count() >= 2);
            // Refunded in a few parts; the last brings it below the minimum.
            let part = cents / refunds;
            for k in 0..refunds {
                let amount = if k + 1 == refunds { cents - part * (refunds - 1) } else { part };
                let money = Money::new(rust_decimal::Decimal::new(amount, 2), Currency::EUR);
                shop.run(Refund::new(member("ana"), r("A-1"), r(&format!("RF-{k}")), money, t("2026-03-06")));
            }
            let after: Vec<(Points, Points, Points)> = ["ana", "marta", "olga"]
                .iter()
                .map(|w| { let b = shop.balance(w); (b.available, b.pending, b.debt()) })
                .collect();
            prop_assert_eq!(after, before);
        }
    }
}
