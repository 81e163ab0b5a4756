//! The reference program, one customer's year.
//!
//! "Customers earn 1 point per euro spent. From 100 points they can redeem
//! them for a 10% discount on their next purchase. Points accumulate and
//! never expire."
//!
//! Run it with `cargo run --example quickstart`.

use loyalty::{
    Cart, Command, Enroll, Event, Ledger, MemberId, Points, Program, Purchase, Redeem, Refund, Tick,
};

/// The merchant's rules, as they would sit in its config store.
const PROGRAM: &str = r#"
name = "Clothing store rewards"
currency = "EUR"
utc_offset = "+01:00"

[earn]
points = 1          # 1 point...
per = "1.00"        # ...per euro spent,
rounding = "floor"  # rounded down: 57.40 EUR earns 57 points

[[rewards]]
id = "ten-percent-off"
name = "10% off your next order"
cost = 100
kind = "percent_off"
percent = "10"

[expiry]
policy = "never"
"#;

/// The host's side: runs commands, stores the events it gets back.
struct Shop {
    ledger: Ledger,
    events: Vec<Event>,
}

impl Shop {
    fn run(&mut self, command: impl Into<Command>) -> Result<String, loyalty::Error> {
        let decision = self.ledger.execute(command)?;
        // A real host writes these in the same transaction as its order.
        self.events.extend(decision.events);
        Ok(decision.receipt.to_string())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let program: Program = toml::from_str(PROGRAM)?;
    let mut shop = Shop {
        ledger: Ledger::new(program.clone()),
        events: Vec::new(),
    };
    let marta: MemberId = "marta".parse()?;
    let say = |day: &str, what: &str, receipt: &str| {
        println!("{day}  {what}");
        if !receipt.is_empty() {
            println!("            → {receipt}");
        }
    };

    println!(
        "{}: 1 point per euro, 100 points buy 10% off, points never expire.\n",
        program.name()
    );

    let receipt = shop.run(Enroll::new(marta.clone(), "2026-01-05T09:00:00Z".parse()?))?;
    say("2026-01-05", "Marta joins the program.", &receipt);

    let receipt = shop.run(Purchase::new(
        marta.clone(),
        "ORD-1001".parse()?,
        "57.40 EUR".parse()?,
        "2026-01-12T10:15:00Z".parse()?,
    ))?;
    say("2026-01-12", "Marta buys a jumper for 57.40 EUR.", &receipt);

    let quote = shop.ledger.quote(
        &marta,
        &Cart::new("35.00 EUR".parse()?),
        "2026-01-20T17:00:00Z".parse()?,
    )?;
    say(
        "2026-01-20",
        "At checkout with a 35.00 EUR cart, what can she have?",
        &quote.options[0].to_string(),
    );

    let receipt = shop.run(Purchase::new(
        marta.clone(),
        "ORD-1002".parse()?,
        "48.00 EUR".parse()?,
        "2026-02-20T18:30:00Z".parse()?,
    ))?;
    say(
        "2026-02-20",
        "Marta buys a scarf and gloves for 48.00 EUR.",
        &receipt,
    );

    let cart = Cart::new("80.00 EUR".parse()?);
    let quote = shop
        .ledger
        .quote(&marta, &cart, "2026-03-14T11:00:00Z".parse()?)?;
    say(
        "2026-03-14",
        &format!(
            "At checkout with an 80.00 EUR cart and {} points, what can she have?",
            quote.available
        ),
        &quote.options[0].to_string(),
    );

    let receipt = shop.run(Redeem::new(
        marta.clone(),
        "RDM-1".parse()?,
        "ten-percent-off".parse()?,
        cart,
        "2026-03-14T11:01:00Z".parse()?,
    ))?;
    say("2026-03-14", "She takes the 10% off.", &receipt);

    let receipt = shop.run(
        Purchase::new(
            marta.clone(),
            "ORD-1003".parse()?,
            "72.00 EUR".parse()?,
            "2026-03-14T11:02:00Z".parse()?,
        )
        .with_redemption("RDM-1".parse()?),
    )?;
    say("2026-03-14", "She pays 72.00 EUR for the order.", &receipt);

    let receipt = shop.run(Refund::new(
        marta.clone(),
        "ORD-1003".parse()?,
        "RF-1".parse()?,
        "24.00 EUR".parse()?,
        "2026-03-30T16:00:00Z".parse()?,
    ))?;
    say(
        "2026-03-30",
        "She returns a 24.00 EUR shirt from that order: a third of it.",
        &receipt,
    );

    let receipt = shop.run(Tick::new("2029-03-30T00:00:00Z".parse()?))?;
    let balance = shop.ledger.balance(&marta)?;
    // 57 + 48 − 100 + 72 − 24 + 33: the seed program's arithmetic.
    assert_eq!(balance.available, Points::new(86));
    assert_eq!(balance.expired, Points::new(0));
    say(
        "2029-03-30",
        &format!(
            "Three years later: {} points available, {} expired.",
            balance.available, balance.expired
        ),
        &receipt,
    );

    println!();
    let statement = shop.ledger.statement(
        &marta,
        "2026-01-01T00:00:00Z".parse()?,
        "2029-04-01T00:00:00Z".parse()?,
    )?;
    println!("{statement}");

    println!(
        "\nLifetime: earned {}, redeemed {}, clawed back {}, expired {}.",
        balance.earned, balance.redeemed, balance.clawed_back, balance.expired
    );

    // After a restart, the stored events rebuild the same ledger.
    let rebuilt = Ledger::replay(program, &shop.events)?;
    assert_eq!(rebuilt, shop.ledger);
    println!(
        "Replaying the {} stored events rebuilds the same ledger.",
        shop.events.len()
    );
    Ok(())
}
