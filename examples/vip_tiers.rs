//! VIP tiers and a paid membership: one member's year.
//!
//! Bronze, Silver and Gold by calendar-year spend, with earn multipliers of
//! 1×, 1.25× and 1.5× and perks the shop honours; status is reviewed at the
//! end of each year with 30 days of grace. "Plus" is a paid membership: Gold
//! for three months, whatever the member spends.
//!
//! Ines reaches Silver in April, a refund in May leaves her short, the
//! review on 1 January gives her 30 days of grace, and at the end of
//! January she drops to Bronze. In March she buys Plus, shops at Gold's
//! rate, takes a Gold-only reward, and in June Plus lapses.
//!
//! The program is the TOML file beside this example; the same story is
//! checked as a scenario in `examples/scenarios/vip_tiers.toml`.
//!
//! Run it with `cargo run --example vip_tiers`.

use chrono::{DateTime, FixedOffset, Utc};
use loyalty::{
    Cart, Command, Enroll, Event, JoinMembership, Ledger, MemberId, Money, Points, Program,
    Purchase, Redeem, Refund, ReviewOutcome, Tick, TierReason,
};

const PROGRAM: &str = include_str!("vip_tiers.toml");

fn eur(amount: &str) -> Result<Money, loyalty::MoneyError> {
    format!("{amount} EUR").parse()
}

/// What the shop would tell the member about a tier event, with dates in
/// the program's offset.
fn announce(event: &Event, offset: FixedOffset) -> Option<String> {
    let day = |t: &DateTime<Utc>| t.with_timezone(&offset).format("%Y-%m-%d").to_string();
    match event {
        Event::TierChanged(e) => {
            let to = e.to.as_ref().map_or("no tier", |t| t.as_str());
            let why = match &e.reason {
                TierReason::Qualified { .. } if e.metric.is_zero() => "welcome".to_owned(),
                TierReason::Qualified { threshold } => {
                    format!("{} spent this year reaches {threshold}", e.metric)
                }
                TierReason::Review { threshold } => {
                    format!("{} spent falls short of {threshold}", e.metric)
                }
                _ => "the ladder changed".to_owned(),
            };
            let until = e
                .secured_until
                .map(|t| format!(", secured until {}", day(&t)))
                .unwrap_or_default();
            Some(format!("tier now {to}: {why}{until}"))
        }
        Event::TierReviewed(e) => Some(match e.outcome {
            ReviewOutcome::Grace { until } => format!(
                "review: {} of {} spent, {} kept in grace until {}",
                e.metric,
                e.threshold,
                e.tier,
                day(&until)
            ),
            _ => format!("review: {} kept", e.tier),
        }),
        Event::MembershipEnded(e) => Some(format!("membership {} ended", e.membership)),
        _ => None,
    }
}

/// Runs a command, printing its receipt and what it did to the tier.
fn run(ledger: &mut Ledger, day: &str, command: Command) -> Result<(), loyalty::Error> {
    let decision = ledger.execute(command)?;
    println!("{day}  {}", decision.receipt);
    let offset = ledger.program().utc_offset();
    for line in decision.events.iter().filter_map(|e| announce(e, offset)) {
        println!("            {line}");
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let program: Program = toml::from_str(PROGRAM)?;
    let mut ledger = Ledger::new(program.clone());
    let ines: MemberId = "ines".parse()?;
    println!("{}", program.name());
    for tier in program.tiers().ok_or("a ladder")?.levels() {
        println!(
            "  {:<7} from {:>8} a year, ×{}: {}",
            tier.name(),
            eur(&tier.threshold().to_string())?.to_string(),
            tier.multiplier(),
            tier.perks().join(", ")
        );
    }
    println!();

    run(
        &mut ledger,
        "2026-01-15",
        Enroll::new(ines.clone(), "2026-01-15T10:00:00Z".parse()?).into(),
    )?;
    run(
        &mut ledger,
        "2026-03-02",
        Purchase::new(
            ines.clone(),
            "ORD-1".parse()?,
            eur("320.00")?,
            "2026-03-02T19:00:00Z".parse()?,
        )
        .into(),
    )?;
    // The order that crosses 500.00 EUR: Silver at once.
    run(
        &mut ledger,
        "2026-04-18",
        Purchase::new(
            ines.clone(),
            "ORD-2".parse()?,
            eur("240.00")?,
            "2026-04-18T12:30:00Z".parse()?,
        )
        .into(),
    )?;
    // A return: the refund stops counting at once, the tier stays until
    // the review.
    run(
        &mut ledger,
        "2026-05-04",
        Refund::new(
            ines.clone(),
            "ORD-2".parse()?,
            "RF-1".parse()?,
            eur("120.00")?,
            "2026-05-04T09:00:00Z".parse()?,
        )
        .into(),
    )?;
    let status = ledger.tier_status(&ines, "2026-05-05T00:00:00Z".parse()?)?;
    println!("            status: {status}");
    assert_eq!(
        status.to_string(),
        "silver since 2026-04-18, secured until 2027-01-01; needs 60.00 EUR more before the \
         review on 2027-01-01; 560.00 EUR more for gold by 2027-01-01"
    );

    // The nightly job runs through the review and the grace period.
    run(
        &mut ledger,
        "2027-01-01",
        Tick::new("2027-01-01T02:00:00Z".parse()?).into(),
    )?;
    let status = ledger.tier_status(&ines, "2027-01-02T00:00:00Z".parse()?)?;
    println!("            status: {status}");
    run(
        &mut ledger,
        "2027-01-31",
        Tick::new("2027-01-31T02:00:00Z".parse()?).into(),
    )?;
    let status = ledger.tier_status(&ines, "2027-02-01T00:00:00Z".parse()?)?;
    assert_eq!(status.tier.as_ref().map(|t| t.as_str()), Some("bronze"));

    // Plus: Gold for three months, bought, used, lapsed.
    run(
        &mut ledger,
        "2027-03-01",
        JoinMembership::new(
            ines.clone(),
            "plus".parse()?,
            "PAY-77".parse()?,
            "2027-03-01T10:00:00Z".parse()?,
        )
        .into(),
    )?;
    let status = ledger.tier_status(&ines, "2027-03-01T10:00:00Z".parse()?)?;
    println!("            status: {status}");
    println!("            perks: {}", status.perks.join(", "));
    run(
        &mut ledger,
        "2027-03-15",
        Purchase::new(
            ines.clone(),
            "ORD-3".parse()?,
            eur("200.00")?,
            "2027-03-15T17:45:00Z".parse()?,
        )
        .into(),
    )?;
    run(
        &mut ledger,
        "2027-04-02",
        Redeem::new(
            ines.clone(),
            "RDM-1".parse()?,
            "private-sale".parse()?,
            Cart::new(eur("95.00")?),
            "2027-04-02T11:00:00Z".parse()?,
        )
        .into(),
    )?;
    run(
        &mut ledger,
        "2027-06-02",
        Tick::new("2027-06-02T02:00:00Z".parse()?).into(),
    )?;
    run(
        &mut ledger,
        "2027-06-10",
        Purchase::new(
            ines.clone(),
            "ORD-4".parse()?,
            eur("100.00")?,
            "2027-06-10T16:00:00Z".parse()?,
        )
        .into(),
    )?;
    let status = ledger.tier_status(&ines, "2027-06-11T00:00:00Z".parse()?)?;
    println!("            status: {status}");

    // 320 + 240 − 120 clawed back + 300 at Gold − 300 for the voucher + 100.
    let balance = ledger.balance(&ines)?;
    println!();
    println!("Ines has {} points.", balance.available);
    assert_eq!(balance.available, Points::new(540));
    assert_eq!(status.tier.as_ref().map(|t| t.as_str()), Some("bronze"));
    assert_eq!(status.metric, "300.00".parse()?);
    Ok(())
}
