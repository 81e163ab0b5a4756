//! An online clothing shop's loyalty program, one member's spring.
//!
//! 1 point per euro, 100 points for 10% off, points never expire; members
//! get early access to sales, an exclusive member offer and a birthday gift;
//! May has a double-points weekend. The program is the TOML file beside
//! this example.
//!
//! Run it with `cargo run --example clothing_store`.

use chrono::NaiveDate;
use loyalty::{
    Cart, Command, Enroll, Ledger, Line, MemberId, Money, Points, Program, Purchase, Receipt,
    Redeem, Tick,
};

const PROGRAM: &str = include_str!("clothing_store.toml");

fn eur(amount: &str) -> Result<Money, loyalty::MoneyError> {
    format!("{amount} EUR").parse()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let program: Program = toml::from_str(PROGRAM)?;
    let mut ledger = Ledger::new(program.clone());
    let laia: MemberId = "laia".parse()?;
    let mut run = |command: Command| -> Result<Receipt, loyalty::Error> {
        Ok(ledger.execute(command)?.receipt)
    };

    println!("{}", program.name());
    println!("Member perks: {}.", program.perks().join(", "));
    println!();

    let receipt = run(Enroll::new(laia.clone(), "2026-04-02T10:00:00Z".parse()?)
        .born(NaiveDate::from_ymd_opt(1992, 5, 16).ok_or("a date")?)
        .into())?;
    println!("2026-04-02  {receipt}");

    // A jacket with shipping: shipping does not earn.
    let jacket = Cart::of([
        Line::new("JKT-0042-M".parse()?, 1, eur("89.90")?).category("outerwear".parse()?)
    ])
    .shipping(eur("4.95")?);
    let receipt = run(Purchase::new(
        laia.clone(),
        "ORD-2001".parse()?,
        jacket.total()?,
        "2026-04-10T18:20:00Z".parse()?,
    )
    .with_cart(jacket)
    .into())?;
    println!("2026-04-10  {receipt}");

    // Saturday 9 May: the double-points weekend.
    let shoes = Cart::of([
        Line::new("SNK-41".parse()?, 1, eur("59.90")?).category("shoes".parse()?),
        Line::new("SOCK-3".parse()?, 2, eur("6.50")?).category("accessories".parse()?),
    ]);
    let receipt = run(Purchase::new(
        laia.clone(),
        "ORD-2002".parse()?,
        shoes.total()?,
        "2026-05-09T11:00:00Z".parse()?,
    )
    .with_cart(shoes)
    .into())?;
    println!("2026-05-09  {receipt}");

    // Her birthday: the nightly job hands out the gift.
    let receipt = run(Tick::new("2026-05-16T02:00:00Z".parse()?).into())?;
    println!("2026-05-16  {receipt}");
    let balance = ledger.balance(&laia)?;
    println!("            Laia has {} points.", balance.available);
    assert_eq!(balance.available, Points::new(89 + 144 + 100));

    // At checkout with a dress and the members' tote bag.
    let cart = Cart::of([
        Line::new("DRS-7".parse()?, 1, eur("79.00")?).category("dresses".parse()?),
        Line::new("TOTE-01".parse()?, 1, eur("12.00")?),
    ])
    .shipping(eur("4.95")?);
    let at = "2026-05-20T19:30:00Z".parse()?;
    let quote = ledger.quote(&laia, &cart, at)?;
    println!("2026-05-20  {quote}");

    let receipt = ledger.execute(Redeem::new(
        laia.clone(),
        "RDM-1".parse()?,
        "ten-percent-off".parse()?,
        cart.clone(),
        at,
    ))?;
    println!("            {}", receipt.receipt);
    let Receipt::Redemption(redemption) = receipt.receipt else {
        return Err("a redemption receipt".into());
    };

    // She pays the rest; the 10% paid with points earns nothing.
    let paid = cart.total()?.checked_sub(redemption.discount)?;
    let purchase = Purchase::new(laia.clone(), "ORD-2003".parse()?, paid, at)
        .with_cart(cart)
        .with_redemption("RDM-1".parse()?);
    println!(
        "            You'll earn {} points, says the checkout.",
        ledger.preview(&purchase)?.points
    );
    let receipt = ledger.execute(purchase)?.receipt;
    println!("            {receipt}");

    let balance = ledger.balance(&laia)?;
    assert_eq!(balance.available, Points::new(333 - 100 + 81));
    println!();
    println!(
        "{}",
        ledger.statement(
            &laia,
            "2026-04-01T00:00:00Z".parse()?,
            "2026-06-01T00:00:00Z".parse()?
        )?
    );

    println!();
    println!("What the program gives back on a typical 80.00 EUR basket:");
    println!("{}", program.economics(&Cart::new(eur("80.00")?))?);
    Ok(())
}
