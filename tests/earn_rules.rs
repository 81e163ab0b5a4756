//! Earn rules alone and together: eligible amounts, multipliers and their
//! stacking, per-item bonuses, campaigns, first-purchase bonus, limits,
//! rounding scope, previews. Every receipt lists its parts.

use loyalty::*;

use crate::support::*;

fn line(sku: &str, qty: u32, price: &str, category: Option<&str>) -> Line {
    let l = Line::new(sku.parse().unwrap(), qty, money(price));
    match category {
        Some(c) => l.category(c.parse().unwrap()),
        None => l,
    }
}

/// Buys `cart` for its total less `points_paid`.
fn buy_cart(shop: &mut Shop, who: &str, order: &str, cart: Cart, at: &str) -> PurchaseReceipt {
    let amount = cart.total().unwrap();
    match shop.run(Purchase::new(member(who), r(order), amount, t(at)).with_cart(cart)) {
        Receipt::Purchase(p) => p,
        other => panic!("unexpected receipt {other:?}"),
    }
}

#[test]
fn only_the_eligible_part_of_a_cart_earns() {
    let mut shop = Shop::new(seed_with(
        r#""earn": {"exclude": {"shipping": true, "tax": true, "categories": ["gift-cards"]}}"#,
    ));
    shop.enroll("marta", "2026-01-05");
    let cart = Cart::of([
        line("JKT-1", 1, "89.90 EUR", Some("outerwear")),
        line("GIFT-50", 1, "50.00 EUR", Some("gift-cards")),
    ])
    .shipping(money("4.95 EUR"))
    .tax(money("18.00 EUR"));
    let receipt = buy_cart(&mut shop, "marta", "ORD-1", cart, "2026-01-12");
    assert_eq!(receipt.amount, money("162.85 EUR"));
    assert_eq!(receipt.points(), pts(89));
    assert_eq!(
        receipt.earning.to_string(),
        "89 = floor(89.90 EUR × 1 point per 1.00 EUR)"
    );
}

#[test]
fn without_exclusions_shipping_and_tax_earn_too() {
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    let cart = Cart::of([line("JKT-1", 1, "89.90 EUR", None)])
        .shipping(money("4.95 EUR"))
        .tax(money("18.00 EUR"));
    assert_eq!(
        buy_cart(&mut shop, "marta", "ORD-1", cart, "2026-01-12").points(),
        pts(112)
    );
}

#[test]
fn the_part_paid_with_gift_cards_can_be_excluded() {
    let mut shop = Shop::new(seed_with(r#""earn": {"exclude": {"gift_cards": true}}"#));
    shop.enroll("marta", "2026-01-05");
    let cart = Cart::of([line("JKT-1", 1, "100.00 EUR", None)]).gift_card(money("30.00 EUR"));
    assert_eq!(
        buy_cart(&mut shop, "marta", "ORD-1", cart, "2026-01-12").points(),
        pts(70)
    );
}

#[test]
fn points_never_earn_points() {
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "100.00 EUR", "2026-01-10");
    shop.redeem(
        "marta",
        "RDM-1",
        "ten-percent-off",
        "100.00 EUR",
        "2026-01-11",
    )
    .unwrap();
    // The cart is 100.00; 10.00 of it was paid with points. Stating the
    // full price as paid is refused with the numbers...
    let cart = Cart::of([line("JKT-1", 1, "100.00 EUR", None)]);
    let err = shop
        .try_run(
            Purchase::new(
                member("marta"),
                r("ORD-2"),
                money("100.00 EUR"),
                t("2026-01-11"),
            )
            .with_redemption(r("RDM-1"))
            .with_cart(cart.clone()),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the amount paid, 100.00 EUR, is not the cart's 100.00 EUR less 10.00 EUR paid with points"
    );
    // ...and the 90.00 really paid earns 90.
    let Receipt::Purchase(receipt) = shop.run(
        Purchase::new(
            member("marta"),
            r("ORD-2"),
            money("90.00 EUR"),
            t("2026-01-11"),
        )
        .with_redemption(r("RDM-1"))
        .with_cart(cart),
    ) else {
        panic!()
    };
    assert_eq!(receipt.points(), pts(90));
}

#[test]
fn a_purchase_whose_amount_does_not_match_its_cart_is_refused() {
    let mut shop = Shop::seed();
    shop.enroll("marta", "2026-01-05");
    let cart = Cart::of([line("JKT-1", 1, "89.90 EUR", None)]).shipping(money("4.95 EUR"));
    let err = shop
        .try_run(
            Purchase::new(
                member("marta"),
                r("ORD-1"),
                money("89.90 EUR"),
                t("2026-01-12"),
            )
            .with_cart(cart),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the amount paid, 89.90 EUR, is not the cart's 94.85 EUR less 0.00 EUR paid with points"
    );
    let bad = Cart::of([line("JKT-1", 1, "89.90 EUR", None)]).discount(money("100.00 EUR"));
    let err = shop
        .try_run(
            Purchase::new(
                member("marta"),
                r("ORD-1"),
                money("0.00 EUR"),
                t("2026-01-12"),
            )
            .with_cart(bad),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid cart: discount of 100.00 EUR exceeds the merchandise of 89.90 EUR"
    );
}

/// Shoes earn double; socks earn 5 points each; a weekend campaign doubles
/// everything; stacking as given.
fn store(stacking: &str) -> Program {
    seed_with(&format!(
        r#""earn": {{"stacking": "{stacking}", "rules": [
              {{"id": "shoes", "name": "Shoes", "categories": ["shoes"], "multiplier": "2"}},
              {{"id": "socks", "name": "Socks", "skus": ["SOCK"], "bonus_per_item": 5}}]}},
           "campaigns": [{{"id": "weekend", "name": "Double points weekend",
              "starts_at": "2026-05-01", "ends_at": "2026-06-01",
              "days": ["saturday", "sunday"], "multiplier": "2"}}]"#
    ))
}

#[test]
fn category_multipliers_and_item_bonuses_explain_themselves() {
    let mut shop = Shop::new(store("multiply"));
    shop.enroll("marta", "2026-01-05");
    let cart = Cart::of([
        line("BOOT-41", 1, "60.00 EUR", Some("shoes")),
        line("SOCK", 3, "5.00 EUR", None),
    ]);
    // Wednesday 2026-05-06: no campaign.
    let receipt = buy_cart(&mut shop, "marta", "ORD-1", cart, "2026-05-06");
    assert_eq!(receipt.points(), pts(150));
    assert_eq!(
        receipt.earning.to_string(),
        "150 = 75 base (floor(75.00 EUR × 1 point per 1.00 EUR)) + 60 Shoes ×2 on 60.00 EUR \
         + 15 Socks: 3 × 5"
    );
}

#[test]
fn stacking_is_what_the_program_says() {
    let cart = || Cart::of([line("BOOT-41", 1, "60.00 EUR", Some("shoes"))]);
    // Saturday 2026-05-09: shoes ×2 and the weekend ×2 meet on the boots.
    for (policy, points) in [("multiply", 240), ("add", 180), ("highest", 120)] {
        let mut shop = Shop::new(store(policy));
        shop.enroll("marta", "2026-01-05");
        let receipt = buy_cart(&mut shop, "marta", "ORD-1", cart(), "2026-05-09");
        assert_eq!(
            receipt.points(),
            pts(points),
            "{policy}: {}",
            receipt.earning
        );
    }
    let mut shop = Shop::new(store("multiply"));
    shop.enroll("marta", "2026-01-05");
    let receipt = buy_cart(&mut shop, "marta", "ORD-1", cart(), "2026-05-09");
    assert_eq!(
        receipt.earning.to_string(),
        "240 = 60 base (floor(60.00 EUR × 1 point per 1.00 EUR)) + 60 Shoes ×2 on 60.00 EUR \
         + 120 Double points weekend ×2 on 60.00 EUR"
    );
}

#[test]
fn two_multipliers_without_a_stacking_policy_is_a_configuration_error() {
    let config: ProgramConfig = serde_json::from_str(
        r#"{"currency": "EUR",
            "earn": {"rules": [{"id": "shoes", "categories": ["shoes"], "multiplier": "2"}]},
            "campaigns": [{"id": "weekend", "starts_at": "2026-05-01", "ends_at": "2026-06-01", "multiplier": "2"}]}"#,
    )
    .unwrap();
    assert_eq!(
        Program::new(config).unwrap_err().to_string(),
        "invalid program configuration: earn.stacking: required when 2 multipliers can apply \
         (earn rules, campaigns, the birthday month, tiers): \"multiply\", \"add\" or \"highest\""
    );
}

#[test]
fn campaigns_run_in_their_window_on_their_days() {
    let mut shop = Shop::new(store("multiply"));
    shop.enroll("marta", "2026-01-05");
    let plain = || Cart::of([line("HAT", 1, "20.00 EUR", None)]);
    // Friday, Saturday, Sunday, and a Saturday after the campaign ended.
    let points: Vec<i64> = ["2026-05-08", "2026-05-09", "2026-05-10", "2026-06-06"]
        .iter()
        .enumerate()
        .map(|(i, day)| {
            buy_cart(&mut shop, "marta", &format!("O{i}"), plain(), day)
                .points()
                .value()
        })
        .collect();
    assert_eq!(points, [20, 40, 40, 20]);
}

#[test]
fn a_campaign_can_be_limited_to_categories_and_a_minimum_order() {
    let mut shop = Shop::new(seed_with(
        r#""campaigns": [{"id": "summer", "name": "Summer shoes", "starts_at": "2026-06-01",
            "ends_at": "2026-09-01", "categories": ["shoes"], "minimum_order": "50.00",
            "multiplier": "3"},
           {"id": "welcome-back", "name": "Welcome back bonus", "starts_at": "2026-06-01",
            "ends_at": "2026-09-01", "minimum_order": "30.00", "bonus": 100}]"#,
    ));
    shop.enroll("marta", "2026-01-05");
    let mixed = Cart::of([
        line("SANDAL", 1, "40.00 EUR", Some("shoes")),
        line("HAT", 1, "20.00 EUR", None),
    ]);
    let receipt = buy_cart(&mut shop, "marta", "ORD-1", mixed, "2026-06-10");
    assert_eq!(
        receipt.earning.to_string(),
        "240 = 60 base (floor(60.00 EUR × 1 point per 1.00 EUR)) + 80 Summer shoes ×3 on 40.00 EUR \
         + 100 Welcome back bonus"
    );
    let small = Cart::of([line("SANDAL", 1, "25.00 EUR", Some("shoes"))]);
    assert_eq!(
        buy_cart(&mut shop, "marta", "ORD-2", small, "2026-06-11").points(),
        pts(25)
    );
}

#[test]
fn an_order_discount_is_spread_over_the_lines_before_they_earn() {
    let mut shop = Shop::new(store("multiply"));
    shop.enroll("marta", "2026-01-05");
    let cart = Cart::of([
        line("BOOT-41", 1, "60.00 EUR", Some("shoes")),
        line("HAT", 1, "40.00 EUR", None),
    ])
    .discount(money("10.00 EUR"));
    // The boots carry 6.00 of the discount, the hat 4.00.
    let receipt = buy_cart(&mut shop, "marta", "ORD-1", cart, "2026-05-06");
    assert_eq!(
        receipt.earning.to_string(),
        "144 = 90 base (floor(90.00 EUR × 1 point per 1.00 EUR)) + 54 Shoes ×2 on 54.00 EUR"
    );
}

#[test]
fn rounding_per_line_or_per_order() {
    let cart = || {
        Cart::of([
            line("A", 1, "10.50 EUR", None),
            line("B", 1, "10.50 EUR", None),
        ])
    };
    let mut per_order = Shop::seed();
    per_order.enroll("marta", "2026-01-05");
    assert_eq!(
        buy_cart(&mut per_order, "marta", "O", cart(), "2026-01-12").points(),
        pts(21)
    );
    let mut per_line = Shop::new(seed_with(r#""earn": {"rounding_scope": "line"}"#));
    per_line.enroll("marta", "2026-01-05");
    assert_eq!(
        buy_cart(&mut per_line, "marta", "O", cart(), "2026-01-12").points(),
        pts(20)
    );
}

#[test]
fn the_first_purchase_earns_a_bonus_once() {
    let mut shop = Shop::new(seed_with(r#""bonuses": {"first_purchase": 50}"#));
    shop.enroll("marta", "2026-01-05");
    let first = shop.buy("marta", "ORD-1", "20.00 EUR", "2026-01-12");
    assert_eq!(
        first.earning.to_string(),
        "70 = 20 base (floor(20.00 EUR × 1 point per 1.00 EUR)) + 50 first purchase"
    );
    assert_eq!(
        shop.buy("marta", "ORD-2", "20.00 EUR", "2026-01-13")
            .points(),
        pts(20)
    );
}

#[test]
fn caps_cut_an_award_and_say_so() {
    let mut shop = Shop::new(seed_with(
        r#""earn": {"limits": {"maximum_per_order": 100,
             "maximum_per_period": {"points": 150, "per": "month"},
             "maximum_balance": 1000}}"#,
    ));
    shop.enroll("marta", "2026-01-05");
    let big = shop.buy("marta", "ORD-1", "130.00 EUR", "2026-01-12");
    assert_eq!(
        big.earning.to_string(),
        "100 = 130 base (floor(130.00 EUR × 1 point per 1.00 EUR)) − 30 capped at 100 points per order"
    );
    let month = shop.buy("marta", "ORD-2", "80.00 EUR", "2026-01-20");
    assert_eq!(month.points(), pts(50));
    assert!(
        month
            .earning
            .to_string()
            .ends_with("− 30 capped at 150 points per month")
    );
    // A new month, a new allowance.
    assert_eq!(
        shop.buy("marta", "ORD-3", "80.00 EUR", "2026-02-01")
            .points(),
        pts(80)
    );
}

#[test]
fn earning_stops_at_the_maximum_balance() {
    let mut shop = Shop::new(seed_with(r#""earn": {"limits": {"maximum_balance": 200}}"#));
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-1", "150.00 EUR", "2026-01-12");
    let capped = shop.buy("marta", "ORD-2", "100.00 EUR", "2026-01-13");
    assert_eq!(capped.points(), pts(50));
    assert!(
        capped
            .earning
            .to_string()
            .ends_with("− 50 capped at the 200-point maximum balance")
    );
    assert_eq!(
        shop.buy("marta", "ORD-3", "10.00 EUR", "2026-01-14")
            .points(),
        pts(0)
    );
}

#[test]
fn the_checkout_preview_is_what_the_purchase_earns() {
    let mut shop = Shop::new(store("multiply"));
    shop.enroll("marta", "2026-01-05");
    let cart = Cart::of([
        line("BOOT-41", 1, "60.00 EUR", Some("shoes")),
        line("SOCK", 2, "5.00 EUR", None),
    ]);
    let purchase = Purchase::new(
        member("marta"),
        r("CHK-1"),
        money("70.00 EUR"),
        t("2026-05-09"),
    )
    .with_cart(cart);
    let before = shop.ledger.clone();
    let preview = shop.ledger.preview(&purchase).unwrap();
    assert_eq!(shop.ledger, before, "a preview changes nothing");
    let Receipt::Purchase(receipt) = shop.run(purchase) else {
        panic!()
    };
    assert_eq!(receipt.earning, preview);
    assert_eq!(preview.points, pts(70 + 60 + 130 + 10));
}

#[test]
fn a_refund_claws_back_bonuses_with_the_base_in_proportion() {
    let mut shop = Shop::new(store("multiply"));
    shop.enroll("marta", "2026-01-05");
    let cart = Cart::of([
        line("BOOT-41", 1, "60.00 EUR", Some("shoes")),
        line("HAT", 1, "40.00 EUR", None),
    ]);
    // Saturday: 100 base, 60 for the shoes, 160 for the weekend...
    let receipt = buy_cart(&mut shop, "marta", "ORD-1", cart, "2026-05-09");
    assert_eq!(receipt.points(), pts(100 + 60 + 160));
    // ...and half the money back takes half of all of it.
    let refund = shop
        .refund("marta", "ORD-1", "RF-1", "50.00 EUR", "2026-05-12")
        .unwrap();
    assert_eq!(refund.clawback.points, pts(160));
    assert_eq!(shop.available("marta"), 160);
}
