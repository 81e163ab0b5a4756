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

/// A story with every tier and membership event.
fn tier_story() -> Shop {
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
    shop
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
    // Any key order reads the same; what is wrong is named either way.
    let moved = r#"{"member":"marta","order":"ORD-1003","amount":"72.00 EUR","at":"2026-03-14T12:00:00Z","redemptions":["RDM-1"],"command":"purchase"}"#;
    assert_eq!(serde_json::from_str::<Command>(moved).unwrap(), command);
    refused::<Command>(
        &[
            r#"{"command":"buy","member":"marta"}"#,
            r#"{"member":"marta","command":"buy"}"#,
        ],
        "unknown variant `buy`, expected one of `enroll`, `purchase`",
    );
    refused::<Command>(
        &[r#"{"member":"marta","at":"2026-03-14T12:00:00Z"}"#],
        "missing field `command`",
    );
    refused::<Command>(
        &[
            r#"{"command":"enroll","member":"marta","at":"2026-03-14T12:00:00Z","tier":"gold"}"#,
            r#"{"tier":"gold","member":"marta","at":"2026-03-14T12:00:00Z","command":"enroll"}"#,
        ],
        "unknown field `tier`",
    );

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
fn referral_story() -> Shop {
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
    shop
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
        "825e7253872c67f3"
    );
    // One event less, another fingerprint.
    let mut longer = shop.log.clone();
    longer.pop();
    let shorter = Ledger::replay(shop.ledger.program().clone(), &longer).unwrap();
    assert_ne!(shorter.state_hash(), replayed.state_hash());
}

/// A story that runs commands into a shop.
type Story = fn() -> Shop;

/// The stories whose full logs are pinned under `tests/data/events/`.
const STORIES: [(&str, Story); 3] = [
    ("core", every_event),
    ("tiers", tier_story),
    ("referrals", referral_story),
];

#[allow(clippy::disallowed_methods)] // the pinned logs are files
fn pinned_log(version: u32, story: &str) -> (String, Vec<String>) {
    let path = format!("tests/data/events/v{version}/{story}.jsonl");
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(&path);
    let text = std::fs::read_to_string(full).unwrap_or_else(|e| panic!("{path}: {e}"));
    (path, text.lines().map(str::to_owned).collect())
}

/// What to do when a pinned sample no longer matches.
fn how_to_version(path: &str, line: usize, pinned: &str, now: &str) -> String {
    let version = Event::FORMAT_VERSION;
    format!(
        "the stored JSON of an event changed ({path}, line {line}):\n  pinned: {pinned}\n  now:    {now}\n\n\
         Hosts keep events for years, so this is a change of the stored format.\n\
         - If the new shape only adds an optional field, and the pinned line still reads \
         into the same event, update the line in {path} and note the field in CHANGELOG.md.\n\
         - Otherwise raise Event::FORMAT_VERSION to {next}, write the new samples to \
         tests/data/events/v{next}/, leave tests/data/events/v{version}/ as it is, and add an \
         arm to Event::upcast that turns a version {version} event into the new shape: \
         every_pinned_format_replays_through_upcast then proves old logs still replay. \
         Record the change in CHANGELOG.md as breaking for readers of raw events.",
        next = version + 1,
    )
}

#[test]
fn the_current_format_is_pinned_for_every_event_type() {
    let mut kinds = std::collections::BTreeSet::new();
    for (story, run) in STORIES {
        let (path, pinned) = pinned_log(Event::FORMAT_VERSION, story);
        let shop = run();
        let now: Vec<String> = shop
            .log
            .iter()
            .map(|e| serde_json::to_string(e).unwrap())
            .collect();
        for (line, (p, n)) in (1..).zip(pinned.iter().zip(&now)) {
            assert!(p == n, "{}", how_to_version(&path, line, p, n));
        }
        assert_eq!(
            pinned.len(),
            now.len(),
            "{path}: the story now writes {} events, {} are pinned",
            now.len(),
            pinned.len()
        );
        kinds.extend(shop.log.iter().map(Event::kind));
    }
    assert_eq!(kinds.len(), 26, "every event type is pinned: {kinds:?}");
}

#[test]
fn every_pinned_format_replays_through_upcast() {
    for version in 1..=Event::FORMAT_VERSION {
        for (story, run) in STORIES {
            let (path, pinned) = pinned_log(version, story);
            let events: Vec<Event> = pinned
                .iter()
                .map(|line| {
                    Event::upcast(version, &mut serde_json::Deserializer::from_str(line))
                        .unwrap_or_else(|e| panic!("{path}: {e}: {line}"))
                })
                .collect();
            let shop = run();
            let replayed = Ledger::replay(shop.ledger.program().clone(), &events)
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(replayed, shop.ledger, "{path}");
        }
    }
    // A version this crate does not know is refused by name.
    let line = r#"{"type":"MemberEnrolled","member":"marta","at":"2026-01-05T12:00:00Z"}"#;
    let error = Event::upcast(
        Event::FORMAT_VERSION + 1,
        &mut serde_json::Deserializer::from_str(line),
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("format version 2"), "{error}");
}

#[test]
fn a_hand_written_event_may_draw_from_a_lot_in_several_lines_in_any_order() {
    // Marta's 100-point redemption drew 57 points from lot 1 and 43 from
    // lot 2. A log written by hand may list lot 2 first and split lot 1.
    let shop = Shop::marta_redeemed(program(SEED));
    let log = log_of(&shop);
    let redeemed = shop
        .log
        .iter()
        .position(|e| e.kind() == "RewardRedeemed")
        .unwrap();
    let planned = r#""draws":[{"lot":1,"points":57},{"lot":2,"points":43}]"#;
    assert!(log[redeemed].contains(planned), "{}", log[redeemed]);

    let mut split = log.clone();
    split[redeemed] = split[redeemed].replace(
        planned,
        r#""draws":[{"lot":2,"points":43},{"lot":1,"points":50},{"lot":1,"points":7}]"#,
    );
    let replayed = replay_json(&split).unwrap();
    assert_eq!(
        replayed.balance(&member("marta")).unwrap(),
        shop.ledger.balance(&member("marta")).unwrap()
    );

    // Lot 1 holds 57 points: lines that draw 58 from it in all are refused,
    // though each line alone would fit.
    let mut greedy = log.clone();
    greedy[redeemed] = greedy[redeemed].replace(
        planned,
        r#""draws":[{"lot":1,"points":50},{"lot":2,"points":42},{"lot":1,"points":8}]"#,
    );
    let err = replay_json(&greedy).unwrap_err();
    assert_eq!(err.index, redeemed);
    assert_eq!(
        err.error,
        ApplyError::LotShort {
            member: member("marta"),
            lot: LotId::new(1),
            held: Points::new(57),
            drawn: Points::new(58),
        }
    );
}

#[test]
fn a_hand_written_purchase_gives_back_its_lines_as_written() {
    // A log imported from another system names Marta's first order's
    // eligible amount to three places, "57.400 EUR", where the order says
    // "57.40 EUR": the same value, written another way.
    let shop = Shop::marta_redeemed(program(SEED));
    let mut log = log_of(&shop);
    let first = shop
        .log
        .iter()
        .position(|e| e.kind() == "PurchaseRecorded")
        .unwrap();
    let planned = r#""eligible":"57.40 EUR""#;
    assert!(log[first].contains(planned), "{}", log[first]);
    log[first] = log[first].replace(planned, r#""eligible":"57.400 EUR""#);
    let mut replayed = replay_json(&log).unwrap();

    // The shop retries the order: the receipt it gets back names the
    // eligible amount as the stored event wrote it.
    let retry = replayed
        .execute(Purchase::new(
            member("marta"),
            r("ORD-1001"),
            money("57.40 EUR"),
            t("2026-01-12"),
        ))
        .unwrap();
    assert!(retry.duplicate);
    let Receipt::Purchase(receipt) = retry.receipt else {
        panic!("a purchase's receipt: {:?}", retry.receipt)
    };
    let written = serde_json::to_string(&receipt.earning).unwrap();
    assert!(written.contains(r#""eligible":"57.400 EUR""#), "{written}");
    assert_eq!(receipt.earning.points, Points::new(57));
}

/// `value` as JSON text with every object's keys in sorted order, or in
/// reverse sorted order: how stores that keep JSON by key (PostgreSQL's
/// `jsonb`, a document database) may hand an event back.
fn with_keys(value: &serde_json::Value, reversed: bool) -> String {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<String> = map
                .iter()
                .map(|(key, value)| {
                    format!(
                        "{}:{}",
                        serde_json::Value::from(key.as_str()),
                        with_keys(value, reversed)
                    )
                })
                .collect();
            if reversed {
                entries.reverse();
            }
            format!("{{{}}}", entries.join(","))
        }
        serde_json::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|v| with_keys(v, reversed)).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

#[test]
fn a_log_whose_store_reordered_its_keys_reads_as_the_same_events() {
    // This crate writes `type` first, and reads the rest of such an event
    // straight from the text; a store that sorts keys moves it, and the
    // event must read the same anyway.
    for (story, _) in STORIES {
        let (path, pinned) = pinned_log(Event::FORMAT_VERSION, story);
        for line in &pinned {
            let event: Event = serde_json::from_str(line).unwrap();
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            for reversed in [false, true] {
                let moved = with_keys(&value, reversed);
                // Sorted, `type` follows `at`; reversed, it leads but the
                // lines' `rule` follows their other keys.
                assert!(reversed || !moved.starts_with(r#"{"type""#), "{moved}");
                let read: Event =
                    serde_json::from_str(&moved).unwrap_or_else(|e| panic!("{path}: {e}: {moved}"));
                assert_eq!(read, event, "{path}: {moved}");
            }
            // As does a value already parsed (its keys sorted too).
            assert_eq!(serde_json::from_value::<Event>(value).unwrap(), event);
        }
    }
    let shop = every_event();
    let sorted: Vec<String> = log_of(&shop)
        .iter()
        .map(|line| with_keys(&serde_json::from_str(line).unwrap(), false))
        .collect();
    assert_eq!(replay_json(&sorted).unwrap(), shop.ledger);
}

#[test]
fn a_log_stamped_by_a_clock_that_reads_microseconds_reads_back_to_the_instant() {
    // A host that stamps each command with its clock's reading: the times
    // in the log (when points settle and expire among them) carry a
    // fraction of a second, and read back to the same instants, whichever
    // order a store hands the keys back in.
    let mut shop = Shop::new(seed_with(
        r#""pending": {"days": 14}, "expiry": {"policy": "after_earning", "days": 365}"#,
    ));
    shop.enroll("marta", "2026-03-01T09:15:02.123456Z");
    shop.buy("marta", "ORD-1", "80.00 EUR", "2026-03-02T10:00:00.5Z");
    shop.buy("marta", "ORD-2", "45.00 EUR", "2026-03-03T18:42:07.000001Z");
    shop.buy(
        "marta",
        "ORD-3",
        "12.00 EUR",
        "2026-03-04T08:00:00.123456789Z",
    );
    shop.tick("2026-03-20T00:00:00.25Z");
    let lines = log_of(&shop);
    assert!(
        lines
            .iter()
            .any(|line| line.contains(r#""expires_at":"2027-03-03T18:42:07.000001Z""#)),
        "{lines:#?}"
    );
    for (line, event) in lines.iter().zip(&shop.log) {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        for moved in [
            line.clone(),
            with_keys(&value, false),
            with_keys(&value, true),
        ] {
            let read: Event = serde_json::from_str(&moved).unwrap();
            assert_eq!(&read, event, "{moved}");
        }
    }
    let events: Vec<Event> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let replayed = Ledger::replay(shop.ledger.program().clone(), &events).unwrap();
    assert_eq!(replayed, shop.ledger);
    assert_eq!(shop.available("marta"), 137);
}

#[test]
fn a_time_a_store_wrote_as_null_reads_as_none() {
    // A store that writes every field, `null` for a lot that never
    // expires, hands back the event this crate wrote without it.
    let written = r#"{"type":"PurchaseRecorded","member":"marta","order":"ORD-1","at":"2026-03-02T10:00:00Z","amount":"80.00 EUR","points":80,"breakdown":[{"rule":"base","eligible":"80.00 EUR","rate":{"points":1,"per":"1.00 EUR"},"rounding":"floor","points":80}],"credit":{"lot":1,"points":80}}"#;
    let nulled = written.replace(r#""lot":1,"#, r#""lot":1,"expires_at":null,"#);
    let read: Event = serde_json::from_str(&nulled).unwrap();
    assert_eq!(read, serde_json::from_str::<Event>(written).unwrap());
    refused::<Event>(
        &[&written.replace(r#""lot":1,"#, r#""lot":1,"expires_at":"next year","#)],
        "`next year` is not an RFC 3339 time",
    );
}

/// Every one of `lines` is refused as a `T`, with an error saying
/// `expected`.
fn refused<T: serde::de::DeserializeOwned + std::fmt::Debug>(lines: &[&str], expected: &str) {
    for line in lines {
        let error = serde_json::from_str::<T>(line).unwrap_err().to_string();
        assert!(error.contains(expected), "{line}: {error}");
    }
}

#[test]
fn a_misread_event_is_refused_by_name_wherever_its_type_is() {
    refused::<Event>(
        &[
            r#"{"type":"MemberEnrolled","member":"marta","at":"2026-01-05T12:00:00Z","tier":"gold"}"#,
            r#"{"member":"marta","type":"MemberEnrolled","at":"2026-01-05T12:00:00Z","tier":"gold"}"#,
            r#"{"tier":"gold","member":"marta","at":"2026-01-05T12:00:00Z","type":"MemberEnrolled"}"#,
        ],
        "unknown field `tier`",
    );
    refused::<Event>(
        &[
            r#"{"type":"MemberJoined","member":"marta","at":"2026-01-05T12:00:00Z"}"#,
            r#"{"member":"marta","at":"2026-01-05T12:00:00Z","type":"MemberJoined"}"#,
        ],
        "unknown variant `MemberJoined`, expected one of `MemberEnrolled`",
    );
    refused::<Event>(
        &[r#"{"member":"marta","at":"2026-01-05T12:00:00Z"}"#, "{}"],
        "missing field `type`",
    );
    refused::<Event>(
        &[
            r#"{"member":"marta","type":"MemberEnrolled","type":"MemberEnrolled","at":"2026-01-05T12:00:00Z"}"#,
        ],
        "duplicate field `type`",
    );
    refused::<Event>(&[r#"["MemberEnrolled","marta"]"#], "expected an event");
    refused::<Event>(
        &[r#"{"type":"MemberEnrolled","member":"","at":"2026-01-05T12:00:00Z"}"#],
        "member id",
    );
    // A breakdown line of an unknown rule, its tag first or last.
    let bonus = |line: &str| {
        format!(
            r#"{{"type":"BonusAwarded","member":"marta","at":"2026-01-05T12:00:00Z","bonus":{{"for":"sign_up"}},"points":5,"breakdown":[{line}]}}"#
        )
    };
    refused::<Event>(
        &[
            &bonus(r#"{"rule":"lucky","points":5}"#),
            &bonus(r#"{"points":5,"rule":"lucky"}"#),
        ],
        "unknown variant `lucky`",
    );
}
