//! The full reward catalogue: free shipping, free products, donations,
//! points as cash; eligible categories, limits, validity, tiers; quotes that
//! say why; the program's economics.

use loyalty::*;
use rust_decimal::Decimal;

use crate::support::*;

fn catalogue() -> Program {
    seed_with(
        r#""tiers": {"levels": [{"id": "gold", "threshold": "5000.00"}]},
        "memberships": [{"id": "gold-pass", "tier": "gold", "fee": "30.00", "term_months": 1}],
        "rewards": [
            {"id": "ten-percent-off", "name": "10% off", "kind": "percent_off", "cost": 100, "percent": "10"},
            {"id": "shoes-20", "name": "20% off shoes", "kind": "percent_off", "cost": 150,
             "percent": "20", "categories": ["shoes"]},
            {"id": "free-shipping", "name": "Free shipping", "kind": "free_shipping", "cost": 80,
             "limit": {"count": 1, "per": "month"}},
            {"id": "free-tote", "name": "A tote bag on us", "kind": "free_product", "cost": 300,
             "sku": "TOTE-01", "limit_total": 1},
            {"id": "plant-a-tree", "name": "Plant a tree", "kind": "donation", "cost": 100,
             "amount": "1.00", "cause": "One Tree Planted"},
            {"id": "points-as-cash", "name": "Pay with points", "kind": "points_as_cash",
             "step_points": 100, "step_value": "1.00", "minimum_points": 500, "maximum_points": 5000},
            {"id": "summer-gift", "name": "Summer gift", "kind": "fixed_amount_off", "cost": 50,
             "amount": "5.00", "valid_from": "2026-06-01", "valid_until": "2026-09-01"},
            {"id": "gold-lounge", "name": "Gold members' gift", "kind": "fixed_amount_off", "cost": 500,
             "amount": "25.00", "tiers": ["gold"], "tier_costs": {"gold": 250}}
        ]"#,
    )
}

fn rich(points: &str) -> Shop {
    let mut shop = Shop::new(catalogue());
    shop.enroll("marta", "2026-01-05");
    shop.buy("marta", "ORD-0", points, "2026-01-06");
    shop
}

fn basket() -> Cart {
    Cart::of([
        Line::new("BOOT-41".parse().unwrap(), 1, money("60.00 EUR"))
            .category("shoes".parse().unwrap()),
        Line::new("HAT".parse().unwrap(), 1, money("20.00 EUR")),
    ])
    .shipping(money("4.95 EUR"))
}

#[test]
fn a_quote_prices_every_reward_and_says_why_not() {
    let shop = rich("400.00 EUR");
    let quote = shop
        .ledger
        .quote(&member("marta"), &basket(), t("2026-03-01"))
        .unwrap();
    let lines: Vec<String> = quote.options.iter().map(|o| o.to_string()).collect();
    assert_eq!(
        lines,
        [
            "10% off (100 points): 8.00 EUR off — available",
            "20% off shoes (150 points): 12.00 EUR off — available",
            "Free shipping (80 points): 4.95 EUR off — available",
            "A tote bag on us (300 points) — not available: add TOTE-01 to the cart",
            "Plant a tree (100 points): donates 1.00 EUR to One Tree Planted — available",
            "Pay with points (400 points): 4.00 EUR off — not available: needs 100 more points",
            "Summer gift (50 points): 5.00 EUR off — not available: available from 2026-06-01 00:00 UTC",
            "Gold members' gift (500 points): 25.00 EUR off — not available: for gold members only, needs 100 more points",
        ]
    );
}

#[test]
fn free_shipping_takes_off_the_shipping_once_a_month() {
    let mut shop = rich("400.00 EUR");
    let receipt = shop
        .redeem_cart("marta", "RDM-1", "free-shipping", basket(), "2026-03-01")
        .unwrap();
    assert_eq!(receipt.discount, money("4.95 EUR"));
    let err = shop
        .redeem_cart("marta", "RDM-2", "free-shipping", basket(), "2026-03-20")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "reward free-shipping is not available: limit of 1 per month reached"
    );
    // Cancelling gives the month's allowance back; so does April.
    shop.run(CancelRedemption::new(
        member("marta"),
        r("RDM-1"),
        t("2026-03-21"),
    ));
    shop.redeem_cart("marta", "RDM-2", "free-shipping", basket(), "2026-03-22")
        .unwrap();
    shop.redeem_cart("marta", "RDM-3", "free-shipping", basket(), "2026-04-01")
        .unwrap();
    let no_shipping = Cart::new(money("20.00 EUR"));
    let err = shop
        .redeem_cart("marta", "RDM-4", "free-shipping", no_shipping, "2026-05-01")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "reward free-shipping is not available: no shipping to take off"
    );
}

#[test]
fn a_monthly_limit_counts_only_the_months_standing_uses_of_that_reward() {
    let mut shop = rich("900.00 EUR");
    // March: free shipping once, between two other rewards.
    shop.redeem_cart("marta", "RDM-1", "ten-percent-off", basket(), "2026-03-01")
        .unwrap();
    shop.redeem_cart(
        "marta",
        "RDM-2",
        "free-shipping",
        basket(),
        "2026-03-31T23:59:59Z",
    )
    .unwrap();
    // April's first second: March's use does not count, April's does.
    shop.redeem_cart(
        "marta",
        "RDM-3",
        "free-shipping",
        basket(),
        "2026-04-01T00:00:00Z",
    )
    .unwrap();
    shop.redeem_cart("marta", "RDM-4", "plant-a-tree", basket(), "2026-04-02")
        .unwrap();
    let refused_on = |shop: &mut Shop, day: &str| {
        let err = shop
            .redeem_cart("marta", "RDM-5", "free-shipping", basket(), day)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "reward free-shipping is not available: limit of 1 per month reached"
        );
    };
    let cancel = |shop: &mut Shop, redemption: &str, day: &str| {
        shop.run(CancelRedemption::new(
            member("marta"),
            r(redemption),
            t(day),
        ));
    };
    refused_on(&mut shop, "2026-04-03");
    // Cancelling March's use gives nothing back in April; cancelling
    // April's does, and the quote says so too.
    cancel(&mut shop, "RDM-2", "2026-04-04");
    refused_on(&mut shop, "2026-04-05");
    cancel(&mut shop, "RDM-3", "2026-04-06");
    let quote = shop
        .ledger
        .quote(&member("marta"), &basket(), t("2026-04-07"))
        .unwrap();
    let shipping = quote
        .options
        .iter()
        .map(|o| o.to_string())
        .find(|o| o.starts_with("Free shipping"));
    assert_eq!(
        shipping.as_deref(),
        Some("Free shipping (80 points): 4.95 EUR off — available")
    );
    shop.redeem_cart("marta", "RDM-5", "free-shipping", basket(), "2026-04-07")
        .unwrap();
}

#[test]
fn a_free_product_is_given_once_ever() {
    let mut shop = rich("900.00 EUR");
    let with_tote = basket().line(Line::new("TOTE-01".parse().unwrap(), 1, money("12.00 EUR")));
    let receipt = shop
        .redeem_cart(
            "marta",
            "RDM-1",
            "free-tote",
            with_tote.clone(),
            "2026-03-01",
        )
        .unwrap();
    assert_eq!(receipt.discount, money("12.00 EUR"));
    let err = shop
        .redeem_cart("marta", "RDM-2", "free-tote", with_tote, "2027-03-01")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "reward free-tote is not available: limit of 1 in total reached"
    );
}

#[test]
fn a_donation_records_what_the_points_funded() {
    let mut shop = rich("250.00 EUR");
    let receipt = shop
        .redeem_cart("marta", "RDM-1", "plant-a-tree", basket(), "2026-03-01")
        .unwrap();
    assert_eq!(receipt.discount, money("0.00 EUR"));
    let donation = receipt.donation.clone().unwrap();
    assert_eq!(
        (donation.amount, donation.cause.as_str()),
        (money("1.00 EUR"), "One Tree Planted")
    );
    assert!(receipt.to_string().starts_with(
        "redemption RDM-1 of plant-a-tree: 1.00 EUR donated to One Tree Planted for 100 points"
    ));
    let Some(Event::RewardRedeemed(event)) = shop.log.last().cloned() else {
        panic!()
    };
    assert_eq!(event.applies_to, DiscountTarget::Nothing);
    assert_eq!(event.donation.unwrap().amount, money("1.00 EUR"));
}

#[test]
fn a_category_reward_discounts_only_its_lines() {
    let mut shop = rich("400.00 EUR");
    let receipt = shop
        .redeem_cart("marta", "RDM-1", "shoes-20", basket(), "2026-03-01")
        .unwrap();
    assert_eq!(receipt.discount, money("12.00 EUR"));
    let hats = Cart::of([Line::new("HAT".parse().unwrap(), 1, money("20.00 EUR"))]);
    let err = shop
        .redeem_cart("marta", "RDM-2", "shoes-20", hats, "2026-03-01")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "reward shoes-20 is not available: no item in shoes"
    );
}

#[test]
fn points_pay_part_of_the_order_in_whole_steps() {
    let mut shop = rich("3000.00 EUR");
    let quote = shop
        .ledger
        .quote(&member("marta"), &basket(), t("2026-03-01"))
        .unwrap();
    // The points can pay for the 80.00 EUR of merchandise, not shipping;
    // she holds 3000 points, so the quote offers all of them.
    let cash = &quote.options[5];
    assert_eq!(
        (cash.cost, cash.discount),
        (pts(3000), Some(money("30.00 EUR")))
    );
    assert!(cash.is_available());
    let redeem = |points: i64| {
        Redeem::new(
            member("marta"),
            r(&format!("CASH-{points}")),
            "points-as-cash".parse().unwrap(),
            basket(),
            t("2026-03-01"),
        )
        .points(pts(points))
    };
    let Receipt::Redemption(receipt) = shop.run(redeem(2300)) else {
        panic!()
    };
    assert_eq!(
        (receipt.points, receipt.discount),
        (pts(2300), money("23.00 EUR"))
    );
    for (points, expected) in [
        (250, "a multiple of 100 points from 500 to 5000"),
        (400, "a multiple of 100 points from 500 to 5000"),
        (5100, "a multiple of 100 points from 500 to 5000"),
    ] {
        let err = shop.try_run(redeem(points)).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("reward points-as-cash takes {expected}, not {points}")
        );
    }
    let err = shop
        .try_run(
            Redeem::new(
                member("marta"),
                r("CASH-X"),
                "points-as-cash".parse().unwrap(),
                Cart::new(money("30.00 EUR")),
                t("2026-03-01"),
            )
            .points(pts(4000)),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "reward points-as-cash is not available: 40.00 EUR of points exceeds the 30.00 EUR they can pay for"
    );
}

#[test]
fn rewards_keep_to_their_dates_and_tiers() {
    let mut shop = rich("400.00 EUR");
    let early = shop
        .redeem_cart("marta", "RDM-1", "summer-gift", basket(), "2026-05-31")
        .unwrap_err();
    assert_eq!(
        early.to_string(),
        "reward summer-gift is not available: available from 2026-06-01 00:00 UTC"
    );
    shop.redeem_cart("marta", "RDM-2", "summer-gift", basket(), "2026-06-01")
        .unwrap();
    let late = shop
        .redeem_cart("marta", "RDM-3", "summer-gift", basket(), "2026-09-01")
        .unwrap_err();
    assert_eq!(
        late.to_string(),
        "reward summer-gift is not available: ended 2026-09-01 00:00 UTC"
    );
    let gold = shop
        .redeem_cart("marta", "RDM-4", "gold-lounge", basket(), "2026-06-02")
        .unwrap_err();
    assert_eq!(
        gold,
        Error::RewardUnavailable {
            reward: "gold-lounge".parse().unwrap(),
            reason: Shortfall::TierRequired {
                tiers: vec!["gold".parse().unwrap()]
            }
        }
    );
    let reward = shop
        .ledger
        .program()
        .reward(&"gold-lounge".parse().unwrap())
        .unwrap();
    assert_eq!(reward.cost_for(Some(&"gold".parse().unwrap())), pts(250));
    assert_eq!(reward.cost_for(None), pts(500));
}

#[test]
fn a_fixed_cost_reward_refuses_other_points() {
    let mut shop = rich("400.00 EUR");
    let err = shop
        .try_run(
            Redeem::new(
                member("marta"),
                r("RDM-1"),
                "ten-percent-off".parse().unwrap(),
                basket(),
                t("2026-03-01"),
            )
            .points(pts(50)),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "reward ten-percent-off takes 100 points, not 50"
    );
}

#[test]
fn free_shipping_paid_with_points_comes_off_the_shipping_not_the_lines() {
    let mut shop = rich("400.00 EUR");
    shop.redeem_cart("marta", "RDM-1", "free-shipping", basket(), "2026-03-01")
        .unwrap();
    let Receipt::Purchase(receipt) = shop.run(
        Purchase::new(
            member("marta"),
            r("ORD-1"),
            money("80.00 EUR"),
            t("2026-03-01"),
        )
        .with_cart(basket())
        .with_redemption(r("RDM-1")),
    ) else {
        panic!()
    };
    assert_eq!(receipt.points(), pts(80));
}

#[test]
fn the_program_reports_its_economics_before_going_live() {
    let program = catalogue();
    let economics = program.economics(&basket()).unwrap();
    assert_eq!(economics.basket, money("84.95 EUR"));
    assert_eq!(economics.basket_points, pts(84));
    let by_id = |id: &str| {
        economics
            .rewards
            .iter()
            .find(|r| r.reward.as_str() == id)
            .unwrap()
    };
    assert_eq!(
        by_id("ten-percent-off").value_on_basket,
        Some(money("8.00 EUR"))
    );
    assert_eq!(by_id("ten-percent-off").best_point_value, None);
    assert_eq!(
        by_id("points-as-cash").best_point_value,
        Some(Decimal::new(1, 2))
    );
    assert_eq!(by_id("points-as-cash").best_rate, Some(Decimal::ONE));
    assert_eq!(by_id("gold-lounge").best_rate, Some(Decimal::new(5, 0)));
    assert_eq!(economics.best_rate, Some(Decimal::new(10, 0)));
    let text = economics.to_string();
    assert!(
        text.starts_with("earning 1 point per 1.00 EUR, a 84.95 EUR basket earns 84 points"),
        "{text}"
    );
    // On the basket 84 points come from 84.95 EUR: a little under 1 a euro.
    assert!(
        text.contains(
            "Summer gift: a point is worth 0.1 on the basket (9.89% back); at best 0.1 a point (10% back)"
        ),
        "{text}"
    );
    assert!(
        text.ends_with("back on this basket: 9.89%; at best: 10%"),
        "{text}"
    );
}
