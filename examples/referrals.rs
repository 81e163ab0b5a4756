//! A referral ladder: Marta brings six friends in March.
//!
//! A friend's first order of at least 25.00 EUR within 30 days gives the
//! friend 50 points and Marta 100 points for her first two successful
//! referrals, 150 from the third and 200 from the fifth, plus 250 when she
//! reaches three. One attempt is Marta using her own code, one friend is
//! already a customer, and one friend returns the order that qualified.
//!
//! Run it with `cargo run --example referrals`.

use loyalty::{Command, Enroll, Invite, Ledger, LinkReferral, MemberId, Program, Purchase, Refund};

const PROGRAM: &str = r#"
name = "Clothing store rewards"
currency = "EUR"
earn = { points = 1, per = "1.00", rounding = "floor" }

[referrals]
secret = "keep-this-out-of-the-repository-in-production"
link_within_days = 14
minimum_order = "25.00"
qualify_within_days = 30
referee = { points = 50 }
milestones = [{ at = 3, points = 250 }]

[[referrals.ladder]]
from = 1
points = 100

[[referrals.ladder]]
from = 3
points = 150

[[referrals.ladder]]
from = 5
points = 200
"#;

/// Runs a command and prints what it did, with every referral outcome.
fn show(ledger: &mut Ledger, day: &str, command: impl Into<Command>) {
    match ledger.execute(command) {
        Ok(decision) => {
            println!("{day}  {}", decision.receipt);
            for outcome in decision.referral_outcomes() {
                println!("            → {outcome}");
            }
        }
        Err(refused) => println!("{day}  refused: {refused}"),
    }
}

fn at(day: &str) -> Result<chrono::DateTime<chrono::Utc>, chrono::ParseError> {
    format!("{day}T10:00:00Z").parse()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let program: Program = toml::from_str(PROGRAM)?;
    let mut ledger = Ledger::new(program);
    let marta: MemberId = "marta".parse()?;

    // Olga has shopped here since February.
    show(
        &mut ledger,
        "2026-02-10",
        Enroll::new("olga".parse()?, at("2026-02-10")?),
    );
    show(
        &mut ledger,
        "2026-02-10",
        Purchase::new(
            "olga".parse()?,
            "O-1".parse()?,
            "64.00 EUR".parse()?,
            at("2026-02-10")?,
        ),
    );

    show(
        &mut ledger,
        "2026-03-01",
        Enroll::new(marta.clone(), at("2026-03-01")?),
    );
    let code = ledger
        .referral_code(&marta)
        .cloned()
        .ok_or("every member gets a code")?;
    println!("            Marta shares her code {code} with six friends.");
    for friend in ["ana", "ben", "olga", "cleo", "dan", "eva"] {
        let invitation = format!("INV-{friend}").parse()?;
        ledger.execute(Invite::new(marta.clone(), invitation, at("2026-03-01")?))?;
    }
    println!();

    // Marta tries her own code.
    show(
        &mut ledger,
        "2026-03-02",
        LinkReferral::new(marta.clone(), code.clone(), at("2026-03-02")?),
    );
    // Olga is not a new customer.
    show(
        &mut ledger,
        "2026-03-02",
        LinkReferral::new("olga".parse()?, code.clone(), at("2026-03-02")?),
    );
    println!();

    // Five friends join with the code (typed in lower case) and order.
    let typed: loyalty::ReferralCode = code.as_str().to_lowercase().parse()?;
    let orders = [
        ("ana", "2026-03-03", "48.00"),
        ("ben", "2026-03-05", "62.00"),
        ("cleo", "2026-03-09", "35.00"),
        ("dan", "2026-03-12", "90.00"),
        ("eva", "2026-03-16", "55.00"),
    ];
    for (friend, day, amount) in orders {
        let member: MemberId = friend.parse()?;
        show(
            &mut ledger,
            day,
            Enroll::new(member.clone(), at(day)?).referred_by(typed.clone()),
        );
        let order = format!("{}-1", friend.to_uppercase()).parse()?;
        let paid = format!("{amount} EUR").parse()?;
        show(
            &mut ledger,
            day,
            Purchase::new(member, order, paid, at(day)?),
        );
        if friend == "cleo" {
            // Cleo returns everything: both sides give their reward back.
            show(
                &mut ledger,
                "2026-03-11",
                Refund::new(
                    "cleo".parse()?,
                    "CLEO-1".parse()?,
                    "RET-1".parse()?,
                    "35.00 EUR".parse()?,
                    at("2026-03-11")?,
                ),
            );
        }
        println!();
    }

    let figures = ledger.referral_figures(&marta)?;
    println!("{figures}");
    println!(
        "Marta's balance: {} points available.",
        ledger.balance(&marta)?.available
    );
    Ok(())
}
