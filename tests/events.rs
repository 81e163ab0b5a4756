//! The stored event format: pinned samples, strict reading, replay of
//! logs that were tampered with.

use loyalty::*;

use crate::support::*;

/// A story that produces every event type once or more.
fn every_event() -> Shop {
    let mut shop = Shop::marta_redeemed(seed_with(
        r#""pending": {"days": 14}, "expiry": {"policy": "after_earning", "days": 365},
           "bonuses": {"actions": [{"id": "review", "name": "Write a review", "points": 25}]}"#,
    ));
    shop.enroll("joan", "2026-03-15");
    shop.refund("marta", "ORD-1003", "RF-1", "24.00 EUR", "2026-03-20")
        .unwrap();
    shop.run(Confirm::new(
        member("marta"),
        r("ORD-1003"),
        t("2026-03-21"),
    ));
    shop.run(Adjust::credit(
        member("marta"),
        r("ADJ-1"),
        pts(20),
        "goodwill",
        t("2026-03-21T13:00:00Z"),
    ));
    shop.redeem(
        "marta",
        "RDM-2",
        "ten-percent-off",
        "30.00 EUR",
        "2026-03-22",
    )
    .unwrap();
    shop.run(CancelRedemption::new(
        member("marta"),
        r("RDM-2"),
        t("2026-03-23"),
    ));
    shop.run(Transfer::new(
        member("marta"),
        member("joan"),
        r("GIFT-1"),
        pts(20),
        t("2026-03-25"),
    ));
    shop.run(Action::new(
        member("marta"),
        "review".parse().unwrap(),
        r("REV-1"),
        t("2026-04-02"),
    ));
    shop.tick("2027-02-21");
    shop
}

const PINNED: &str = r#"{"type":"MemberEnrolled","member":"marta","at":"2026-01-05T12:00:00Z"}
{"type":"PurchaseRecorded","member":"marta","order":"ORD-1001","at":"2026-01-12T12:00:00Z","amount":"57.40 EUR","points":57,"breakdown":[{"rule":"base","eligible":"57.40 EUR","rate":{"points":1,"per":"1.00 EUR"},"rounding":"floor","points":57}],"pending":{"lot":1,"points":57,"available_at":"2026-01-26T12:00:00Z","expires_at":"2027-01-12T12:00:00Z"}}
{"type":"PointsSettled","member":"marta","order":"ORD-1001","at":"2026-01-26T12:00:00Z","credit":{"lot":1,"expires_at":"2027-01-12T12:00:00Z","points":57}}
{"type":"PurchaseRecorded","member":"marta","order":"ORD-1002","at":"2026-02-20T12:00:00Z","amount":"48.00 EUR","points":48,"breakdown":[{"rule":"base","eligible":"48.00 EUR","rate":{"points":1,"per":"1.00 EUR"},"rounding":"floor","points":48}],"pending":{"lot":2,"points":48,"available_at":"2026-03-06T12:00:00Z","expires_at":"2027-02-20T12:00:00Z"}}
{"type":"PointsSettled","member":"marta","order":"ORD-1002","at":"2026-03-06T12:00:00Z","credit":{"lot":2,"expires_at":"2027-02-20T12:00:00Z","points":48}}
{"type":"RewardRedeemed","member":"marta","redemption":"RDM-1","reward":"ten-percent-off","at":"2026-03-14T12:00:00Z","cart":"80.00 EUR","discount":"8.00 EUR","points":100,"draws":[{"lot":1,"expires_at":"2027-01-12T12:00:00Z","points":57},{"lot":2,"expires_at":"2027-02-20T12:00:00Z","points":43}]}
{"type":"PurchaseRecorded","member":"marta","order":"ORD-1003","at":"2026-03-14T12:00:00Z","amount":"72.00 EUR","points":72,"breakdown":[{"rule":"base","eligible":"72.00 EUR","rate":{"points":1,"per":"1.00 EUR"},"rounding":"floor","points":72}],"pending":{"lot":3,"points":72,"available_at":"2026-03-28T12:00:00Z","expires_at":"2027-03-14T12:00:00Z"},"redemptions":["RDM-1"]}
{"type":"MemberEnrolled","member":"joan","at":"2026-03-15T12:00:00Z"}
{"type":"OrderRefunded","member":"marta","order":"ORD-1003","refund":"RF-1","at":"2026-03-20T12:00:00Z","amount":"24.00 EUR","refunded_total":"24.00 EUR","restored":[{"redemption":"RDM-1","points":33,"credits":[{"lot":2,"expires_at":"2027-02-20T12:00:00Z","points":33}]}],"clawback":{"points":24,"rounding":"floor","from_pending":{"lot":3,"expires_at":"2027-03-14T12:00:00Z","points":24}}}
{"type":"OrderConfirmed","member":"marta","order":"ORD-1003","at":"2026-03-21T12:00:00Z","credit":{"lot":3,"expires_at":"2027-03-14T12:00:00Z","points":48}}
{"type":"PointsAdjusted","member":"marta","adjustment":"ADJ-1","at":"2026-03-21T13:00:00Z","points":20,"reason":"goodwill","credit":{"lot":4,"expires_at":"2027-03-21T13:00:00Z","points":20}}
{"type":"RewardRedeemed","member":"marta","redemption":"RDM-2","reward":"ten-percent-off","at":"2026-03-22T12:00:00Z","cart":"30.00 EUR","discount":"3.00 EUR","points":100,"draws":[{"lot":2,"expires_at":"2027-02-20T12:00:00Z","points":38},{"lot":3,"expires_at":"2027-03-14T12:00:00Z","points":48},{"lot":4,"expires_at":"2027-03-21T13:00:00Z","points":14}]}
{"type":"RedemptionCancelled","member":"marta","redemption":"RDM-2","at":"2026-03-23T12:00:00Z","points":100,"credits":[{"lot":2,"expires_at":"2027-02-20T12:00:00Z","points":38},{"lot":3,"expires_at":"2027-03-14T12:00:00Z","points":48},{"lot":4,"expires_at":"2027-03-21T13:00:00Z","points":14}]}
{"type":"PointsTransferredOut","member":"marta","transfer":"GIFT-1","to":"joan","at":"2026-03-25T12:00:00Z","points":20,"draws":[{"lot":2,"expires_at":"2027-02-20T12:00:00Z","points":20}]}
{"type":"PointsTransferredIn","member":"joan","transfer":"GIFT-1","from":"marta","at":"2026-03-25T12:00:00Z","points":20,"credits":[{"lot":1,"expires_at":"2027-02-20T12:00:00Z","points":20}]}
{"type":"BonusAwarded","member":"marta","at":"2026-04-02T12:00:00Z","bonus":{"for":"action","action":"review","reference":"REV-1"},"points":25,"breakdown":[{"rule":"bonus","source":"action","id":"review","name":"Write a review","points":25}],"credit":{"lot":5,"expires_at":"2027-04-02T12:00:00Z","points":25}}
{"type":"PointsExpired","member":"joan","at":"2027-02-20T12:00:00Z","reason":"lot_expired","points":20,"draws":[{"lot":1,"expires_at":"2027-02-20T12:00:00Z","points":20}]}
{"type":"PointsExpired","member":"marta","at":"2027-02-20T12:00:00Z","reason":"lot_expired","points":18,"draws":[{"lot":2,"expires_at":"2027-02-20T12:00:00Z","points":18}]}
"#;

#[test]
fn the_json_shape_of_every_event_is_pinned() {
    let shop = every_event();
    let lines: Vec<String> = shop
        .log
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect();
    let kinds: std::collections::BTreeSet<&str> = shop.log.iter().map(Event::kind).collect();
    assert_eq!(kinds.len(), 12, "every event type appears: {kinds:?}");
    let expected: Vec<&str> = PINNED.lines().collect();
    assert_eq!(
        lines, expected,
        "a change to the stored format must be deliberate"
    );
}

/// A story with every tier and membership event.
fn tier_events() -> Vec<String> {
    let mut shop = Shop::new(seed_with(
        r#""earn": {"points": 1, "per": "1.00", "rounding": "floor", "stacking": "multiply"},
           "tiers": {"window": "calendar_year", "review": "period_end", "grace_days": 30,
                     "levels": [{"id": "silver", "threshold": "500", "multiplier": "1.25"}]},
           "memberships": [{"id": "monthly", "tier": "silver", "fee": "9.99", "term_days": 30,
                            "renewal": "automatic", "cancellation": "pro_rata", "fee_earns_points": true}]"#,
    ));
    shop.enroll("ana", "2026-01-05");
    shop.buy("ana", "ORD-1", "500.00 EUR", "2026-03-01");
    shop.refund("ana", "ORD-1", "RF-1", "100.00 EUR", "2026-06-01")
        .unwrap();
    shop.run(JoinMembership::new(
        member("ana"),
        "monthly".parse().unwrap(),
        r("PAY-1"),
        t("2026-12-10"),
    ));
    shop.tick("2027-01-09");
    shop.run(CancelMembership::new(
        member("ana"),
        r("CXL-1"),
        t("2027-01-24"),
    ));
    shop.tick("2027-01-31");
    shop.log
        .iter()
        .filter(|e| e.kind().starts_with("Tier") || e.kind().starts_with("Membership"))
        .map(|e| serde_json::to_string(e).unwrap())
        .collect()
}

const PINNED_TIERS: &str = r#"{"type":"TierChanged","member":"ana","at":"2026-03-01T12:00:00Z","to":"silver","reason":{"why":"qualified","threshold":"500"},"metric":"500.00","secured_until":"2027-01-01T00:00:00Z"}
{"type":"MembershipStarted","member":"ana","at":"2026-12-10T12:00:00Z","membership":"monthly","reference":"PAY-1","tier":"silver","fee":"9.99 EUR","ends_at":"2027-01-09T12:00:00Z","fee_order":"PAY-1"}
{"type":"TierReviewed","member":"ana","at":"2027-01-01T00:00:00Z","tier":"silver","metric":"400.00","threshold":"500","outcome":{"decision":"grace","until":"2027-01-31T00:00:00Z"}}
{"type":"MembershipRenewed","member":"ana","at":"2027-01-09T12:00:00Z","membership":"monthly","fee":"9.99 EUR","ends_at":"2027-02-08T12:00:00Z","fee_order":"monthly-renewal-2027-01-09"}
{"type":"MembershipEnded","member":"ana","at":"2027-01-24T12:00:00Z","membership":"monthly","reason":{"why":"cancelled","reference":"CXL-1","refund":"4.99 EUR"}}
{"type":"TierChanged","member":"ana","at":"2027-01-31T00:00:00Z","from":"silver","reason":{"why":"review","threshold":"500"},"metric":"400.00"}
"#;

#[test]
fn the_json_shape_of_tier_and_membership_events_is_pinned() {
    let lines = tier_events();
    let expected: Vec<&str> = PINNED_TIERS.lines().collect();
    assert_eq!(
        lines, expected,
        "a change to the stored format must be deliberate"
    );
}

#[test]
fn events_say_whom_they_concern_and_when() {
    let shop = every_event();
    let out = shop
        .log
        .iter()
        .find(|e| e.kind() == "PointsTransferredOut")
        .unwrap();
    assert_eq!(out.kind(), "PointsTransferredOut");
    assert_eq!(out.member(), &member("marta"));
    assert_eq!(out.at(), t("2026-03-25"));
    assert_eq!(
        out.to_string(),
        "2026-03-25T12:00:00Z marta PointsTransferredOut"
    );
    assert_eq!(Event::FORMAT_VERSION, 1);
}

#[test]
fn unknown_fields_and_types_are_refused_not_half_read() {
    let unknown_field =
        r#"{"type":"MemberEnrolled","member":"marta","at":"2026-01-05T12:00:00Z","tier":"gold"}"#;
    let err = serde_json::from_str::<Event>(unknown_field).unwrap_err();
    assert!(err.to_string().contains("unknown field `tier`"), "{err}");
    let unknown_type =
        r#"{"type":"ReferralRewarded","member":"marta","at":"2026-01-05T12:00:00Z"}"#;
    assert!(serde_json::from_str::<Event>(unknown_type).is_err());
    let bad_money = r#"{"type":"PurchaseRecorded","member":"m","order":"o","at":"2026-01-12T12:00:00Z","amount":57.4,"points":57,"breakdown":[]}"#;
    assert!(
        serde_json::from_str::<Event>(bad_money).is_err(),
        "money is never a float"
    );
}

fn log_of(shop: &Shop) -> Vec<String> {
    shop.log
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect()
}

fn replay_json(lines: &[String]) -> Result<Ledger, ReplayError> {
    let events: Vec<Event> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    Ledger::replay(every_event().ledger.program().clone(), &events)
}

#[test]
fn a_stored_log_replays_to_the_same_ledger() {
    let shop = every_event();
    assert_eq!(replay_json(&log_of(&shop)).unwrap(), shop.ledger);
}

#[test]
fn a_tampered_log_is_refused_at_the_first_event_that_does_not_fit() {
    let shop = every_event();
    let log = log_of(&shop);
    // Where the first event of a type sits in the log.
    let first = |kind: &str| shop.log.iter().position(|e| e.kind() == kind).unwrap();

    // An event for someone who never enrolled.
    let mut missing = log.clone();
    missing.remove(0);
    let err = replay_json(&missing).unwrap_err();
    assert_eq!(err.index, 0);
    assert_eq!(
        err.error,
        ApplyError::UnknownMember {
            member: member("marta")
        }
    );
    assert_eq!(
        err.to_string(),
        "event 0 of the log does not apply: marta is not enrolled"
    );

    // An order recorded twice.
    let purchase = first("PurchaseRecorded");
    let mut twice = log.clone();
    twice.insert(purchase + 1, log[purchase].clone());
    let err = replay_json(&twice).unwrap_err();
    assert_eq!(err.index, purchase + 1);
    assert!(matches!(
        err.error,
        ApplyError::DuplicateReference {
            kind: ReferenceKind::Order,
            ..
        }
    ));

    // Events out of time order: ORD-1001's points settling (2026-01-26)
    // after ORD-1002 was bought (2026-02-20).
    let settled = first("PointsSettled");
    let mut swapped = log.clone();
    swapped.swap(settled, settled + 1);
    let err = replay_json(&swapped).unwrap_err();
    assert_eq!(err.index, settled + 1);
    assert_eq!(
        err.error,
        ApplyError::OutOfOrder {
            member: member("marta"),
            at: t("2026-01-26"),
            last_event_at: t("2026-02-20")
        }
    );

    // A redemption drawing more than the lot held.
    let redeemed = first("RewardRedeemed");
    let mut greedy = log.clone();
    greedy[redeemed] = greedy[redeemed]
        .replace(r#""points":100"#, r#""points":101"#)
        .replace(r#""points":57}"#, r#""points":58}"#);
    let err = replay_json(&greedy).unwrap_err();
    assert_eq!(err.index, redeemed);
    assert!(matches!(err.error, ApplyError::LotShort { .. }), "{err}");

    // Figures that do not add up.
    let mut wrong = log.clone();
    wrong[redeemed] = wrong[redeemed].replace(r#""points":100"#, r#""points":90"#);
    let err = replay_json(&wrong).unwrap_err();
    assert_eq!(err.index, redeemed);
    assert!(matches!(err.error, ApplyError::Malformed { .. }), "{err}");
    assert!(
        err.to_string().contains("its points do not add up"),
        "{err}"
    );
}

#[test]
fn an_event_that_does_not_fit_leaves_the_ledger_as_it_was() {
    let shop = every_event();
    let mut ledger = shop.ledger.clone();
    for event in &shop.log {
        assert!(ledger.apply(event).is_err(), "{event} applied twice");
        assert_eq!(ledger, shop.ledger);
    }
}

#[test]
fn commands_and_receipts_serialise_for_queues_and_audit_logs() {
    let command: Command = Purchase::new(
        member("marta"),
        r("ORD-1003"),
        money("72.00 EUR"),
        t("2026-03-14"),
    )
    .with_redemption(r("RDM-1"))
    .into();
    let json = serde_json::to_string(&command).unwrap();
    assert_eq!(
        json,
        r#"{"command":"purchase","member":"marta","order":"ORD-1003","amount":"72.00 EUR","at":"2026-03-14T12:00:00Z","redemptions":["RDM-1"]}"#
    );
    assert_eq!(serde_json::from_str::<Command>(&json).unwrap(), command);

    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    let receipt = Receipt::Purchase(shop.buy("marta", "ORD-1", "57.40 EUR", "2026-01-12"));
    let json = serde_json::to_string(&receipt).unwrap();
    assert_eq!(serde_json::from_str::<Receipt>(&json).unwrap(), receipt);
}

#[test]
fn read_models_serialise_for_apis() {
    let shop = every_event();
    let marta = member("marta");
    let ledger = &shop.ledger;

    let balance = ledger.balance(&marta).unwrap();
    let json = serde_json::to_string(&balance).unwrap();
    assert_eq!(
        json,
        r#"{"available":93,"pending":0,"earned":202,"bonuses":25,"redeemed":67,"expired":18,"clawed_back":24,"adjusted":20,"transferred_in":0,"transferred_out":20}"#
    );
    assert_eq!(serde_json::from_str::<Balance>(&json).unwrap(), balance);

    let quote = ledger
        .quote(&marta, &Cart::new(money("80.00 EUR")), t("2027-03-01"))
        .unwrap();
    let json = serde_json::to_string(&quote).unwrap();
    assert_eq!(serde_json::from_str::<Quote>(&json).unwrap(), quote);

    let statement = ledger
        .statement(&marta, t("2026-01-01"), t("2028-01-01"))
        .unwrap();
    for line in &statement.lines {
        let json = serde_json::to_string(line).unwrap();
        assert_eq!(&serde_json::from_str::<StatementLine>(&json).unwrap(), line);
    }

    let expiring = ledger
        .expiring_points(&marta, t("2027-03-01"), t("2027-04-01"))
        .unwrap();
    assert!(!expiring.is_empty());
    let json = serde_json::to_string(&expiring).unwrap();
    assert_eq!(
        serde_json::from_str::<Vec<ExpiringPoints>>(&json).unwrap(),
        expiring
    );
}

/// A story with every referral event.
fn referral_events() -> Vec<String> {
    let mut shop = Shop::new(seed_with(
        r#""referrals": {"secret": "correct horse battery staple", "link_within_days": 7,
                         "minimum_order": "30.00", "referee": {"reward": "ten-percent-off"},
                         "referrer": {"points": 100}, "limit": {"count": 1, "per": "month"}}"#,
    ));
    let email = Fingerprint::new(FingerprintKind::Email, "sha256:5d41402a").unwrap();
    shop.run(
        Enroll::new(member("marta"), t("2026-03-01"))
            .with_code(ReferralCode::with_check("MARTA").unwrap())
            .with_fingerprint(email),
    );
    shop.run(Invite::new(member("marta"), r("INV-1"), t("2026-03-01")));
    shop.enroll("ana", "2026-03-02");
    let code: ReferralCode = "marta-t".parse().unwrap();
    shop.run(LinkReferral::new(
        member("ana"),
        code.clone(),
        t("2026-03-03"),
    ));
    let card = Fingerprint::new(FingerprintKind::Payment, "tok_4242").unwrap();
    shop.run(RecordFingerprints::new(
        member("ana"),
        vec![card],
        t("2026-03-03"),
    ));
    shop.buy("ana", "A-1", "40.00 EUR", "2026-03-04");
    shop.run(
        Redeem::new(
            member("ana"),
            r("RDM-1"),
            "ten-percent-off".parse().unwrap(),
            Cart::new(money("50.00 EUR")),
            t("2026-03-05"),
        )
        .with_voucher(r("referral-voucher-1")),
    );
    // Marta's limit of one a month withholds her reward for Ben.
    shop.run(Enroll::new(member("ben"), t("2026-03-05")).referred_by(code));
    shop.buy("ben", "B-1", "30.00 EUR", "2026-03-05");
    shop.refund("ana", "A-1", "RF-1", "40.00 EUR", "2026-03-06")
        .unwrap();
    shop.log
        .iter()
        .filter(|e| {
            e.kind().starts_with("Referral")
                || e.kind() == "FingerprintsRecorded"
                || matches!(e, Event::RewardRedeemed(x) if x.voucher.is_some())
                || matches!(e, Event::MemberEnrolled(x) if !x.fingerprints.is_empty())
        })
        .map(|e| serde_json::to_string(e).unwrap())
        .collect()
}

const PINNED_REFERRALS: &str = r#"
{"type":"MemberEnrolled","member":"marta","at":"2026-03-01T12:00:00Z","fingerprints":[{"kind":"email","hash":"sha256:5d41402a"}]}
{"type":"ReferralCodeIssued","member":"marta","at":"2026-03-01T12:00:00Z","code":"MARTAT"}
{"type":"ReferralInvited","member":"marta","at":"2026-03-01T12:00:00Z","invitation":"INV-1"}
{"type":"ReferralCodeIssued","member":"ana","at":"2026-03-02T12:00:00Z","code":"6DKDXZEF"}
{"type":"ReferralLinked","member":"ana","at":"2026-03-03T12:00:00Z","referrer":"marta","code":"MARTAT"}
{"type":"ReferralJoined","member":"marta","at":"2026-03-03T12:00:00Z","referee":"ana"}
{"type":"FingerprintsRecorded","member":"ana","at":"2026-03-03T12:00:00Z","fingerprints":[{"kind":"payment","hash":"tok_4242"}]}
{"type":"ReferralQualified","member":"ana","at":"2026-03-04T12:00:00Z","referrer":"marta","order":"A-1"}
{"type":"ReferralRewarded","member":"ana","at":"2026-03-04T12:00:00Z","referee":"ana","role":{"who":"referee"},"order":"A-1","grant":{"reward":"ten-percent-off"},"voucher":"referral-voucher-1"}
{"type":"ReferralRewarded","member":"marta","at":"2026-03-04T12:00:00Z","referee":"ana","role":{"who":"referrer","count":1},"order":"A-1","grant":{"points":100},"credit":{"lot":1,"points":100}}
{"type":"RewardRedeemed","member":"ana","redemption":"RDM-1","reward":"ten-percent-off","at":"2026-03-05T12:00:00Z","cart":"50.00 EUR","discount":"5.00 EUR","points":0,"draws":[],"voucher":"referral-voucher-1"}
{"type":"ReferralCodeIssued","member":"ben","at":"2026-03-05T12:00:00Z","code":"FY82LHUM"}
{"type":"ReferralLinked","member":"ben","at":"2026-03-05T12:00:00Z","referrer":"marta","code":"MARTAT"}
{"type":"ReferralJoined","member":"marta","at":"2026-03-05T12:00:00Z","referee":"ben"}
{"type":"ReferralQualified","member":"ben","at":"2026-03-05T12:00:00Z","referrer":"marta","order":"B-1"}
{"type":"ReferralRewarded","member":"ben","at":"2026-03-05T12:00:00Z","referee":"ben","role":{"who":"referee"},"order":"B-1","grant":{"reward":"ten-percent-off"},"voucher":"referral-voucher-1"}
{"type":"ReferralWithheld","member":"marta","at":"2026-03-05T12:00:00Z","referee":"ben","role":{"who":"referrer","count":2},"order":"B-1","why":{"reason":"period_limit","count":1,"per":"month"}}
{"type":"ReferralReversed","member":"ana","at":"2026-03-06T12:00:00Z","referee":"ana","role":{"who":"referee"},"order":"A-1","points":100,"debt":100}
{"type":"ReferralReversed","member":"marta","at":"2026-03-06T12:00:00Z","referee":"ana","role":{"who":"referrer","count":1},"order":"A-1","points":100,"draws":[{"lot":1,"points":100}]}
"#;

#[test]
fn the_json_shape_of_referral_events_is_pinned() {
    let lines = referral_events();
    let kinds: std::collections::BTreeSet<&str> =
        lines.iter().map(|l| l.split('"').nth(3).unwrap()).collect();
    assert_eq!(
        kinds.len(),
        11,
        "every referral event type appears: {kinds:?}"
    );
    let expected: Vec<&str> = PINNED_REFERRALS.trim().lines().collect();
    assert_eq!(
        lines, expected,
        "a change to the stored format must be deliberate"
    );
}

/// The state a log replays to has one fingerprint, in every run and on
/// every platform: integers are hashed little-endian at full width and
/// nothing iterates a hash map. A change here means the state's shape or
/// a dependency's hashing changed; replicas that compare fingerprints
/// across versions must then be upgraded together.
#[test]
fn replay_gives_the_same_state_fingerprint_everywhere() {
    let shop = every_event();
    let replayed = Ledger::replay(shop.ledger.program().clone(), &shop.log).unwrap();
    assert_eq!(replayed.state_hash(), shop.ledger.state_hash());
    let again = Ledger::replay(shop.ledger.program().clone(), &shop.log).unwrap();
    assert_eq!(again.state_hash(), replayed.state_hash());
    assert_eq!(
        format!("{:016x}", replayed.state_hash()),
        "9b755a0ce0f7e8ff"
    );
    // One event less, another fingerprint.
    let mut longer = shop.log.clone();
    longer.pop();
    let shorter = Ledger::replay(shop.ledger.program().clone(), &longer).unwrap();
    assert_ne!(shorter.state_hash(), replayed.state_hash());
}
