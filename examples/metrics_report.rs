//! A retention report: the merchant's formulas, an order history's cohorts
//! and RFM segments, the loyalty program's health from its ledger, and the
//! CDNOW sample's predictive fit.
//!
//! Run it with `cargo run --example metrics_report`.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use loyalty::metrics::{self, BgNbd, GammaGamma, Order, RepeatSummary, TimeUnit, ValueModel};
use loyalty::{
    Cart, Currency, Enroll, Ledger, MemberId, Money, Program, Purchase, Redeem, Refund, Rounding,
    Tick,
};
use rust_decimal::Decimal;

fn at(day: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    format!("{day}T12:00:00Z").parse()
}

fn formulas() -> Result<(), Box<dyn std::error::Error>> {
    println!("== The merchant's formulas (first quarter)");
    let d = |s: &str| s.parse::<Decimal>();
    println!(
        "retention rate      {}%  ((1050 − 250) / 1000 × 100)",
        metrics::retention_rate(1000, 1050, 250)?
    );
    println!(
        "churn rate          {}%  ((1000 + 250 − 1050) / 1250 × 100)",
        metrics::churn_rate(1000, 1050, 250)?
    );
    println!(
        "lost customers      {}%  (200 lost / 1000)",
        metrics::lost_rate(1000, 200)?
    );
    let aov = metrics::average_order_value(d("157500.00")?, 3000)?;
    let frequency = metrics::purchase_frequency(3000, 1250)?;
    println!("average order value {aov} EUR, purchase frequency {frequency} orders a quarter");
    let clv = metrics::lifetime_value(aov, frequency * Decimal::from(4), d("3")?)?;
    let margin = metrics::lifetime_value_with_margin(
        aov,
        frequency * Decimal::from(4),
        d("3")?,
        d("0.35")?,
    )?;
    let discounted = metrics::discounted_lifetime_value(d("110.25")?, d("0.8")?, d("0.1")?)?;
    println!(
        "lifetime value      {} EUR revenue, {} EUR margin over 3 years; {} EUR retention-discounted",
        clv.round_dp(2),
        margin.round_dp(2),
        discounted.round_dp(2)
    );
    let nps = metrics::net_promoter_score(&[10, 9, 9, 10, 8, 7, 7, 6, 3, 9, 10, 5])?;
    println!(
        "Net Promoter Score  {} ({} promoters, {} passives, {} detractors)",
        nps.score.round_dp(1),
        nps.promoters,
        nps.passives,
        nps.detractors
    );
    let index = metrics::loyalty_index(&[[6, 5, 5], [4, 4, 3], [5, 6, 4], [2, 3, 2]])?;
    println!("loyalty index       {} of 6", index.mean.round_dp(2));
    println!(
        "repeat purchases    {}%, acquisition cost {} EUR, conversion {}%",
        metrics::repeat_purchase_rate(540, 1250)?,
        metrics::acquisition_cost(d("6250")?, 250)?,
        metrics::conversion_rate(250, 12_500)?
    );
    println!();
    Ok(())
}

/// Six months of a small shop's orders.
fn history() -> Result<Vec<Order>, Box<dyn std::error::Error>> {
    let rows = [
        ("ana", "2026-01-04", "64.00", "JKT"),
        ("ana", "2026-02-11", "32.00", "SOCK"),
        ("ana", "2026-04-02", "88.00", "BOOT"),
        ("ana", "2026-06-20", "45.00", "HAT"),
        ("ben", "2026-01-15", "120.00", "BOOT"),
        ("ben", "2026-03-03", "40.00", "BOOT"),
        ("cleo", "2026-01-28", "25.00", "SOCK"),
        ("dan", "2026-02-02", "75.00", "JKT"),
        ("dan", "2026-02-25", "30.00", "HAT"),
        ("dan", "2026-05-30", "58.00", "JKT"),
        ("dan", "2026-06-25", "61.00", "SOCK"),
        ("eva", "2026-02-14", "210.00", "COAT"),
        ("finn", "2026-03-09", "19.00", "SOCK"),
        ("finn", "2026-06-28", "44.00", "HAT"),
        ("gus", "2026-04-18", "150.00", "COAT"),
        ("gus", "2026-05-02", "35.00", "SOCK"),
        ("hana", "2026-05-21", "52.00", "BOOT"),
    ];
    rows.iter()
        .map(|(who, day, amount, sku)| {
            Ok(
                Order::new(who.parse()?, at(day)?, format!("{amount} EUR").parse()?)
                    .with_products([sku.parse()?]),
            )
        })
        .collect()
}

fn order_history() -> Result<(), Box<dyn std::error::Error>> {
    println!("== An order history (January to June)");
    let orders = history()?;
    let summaries = metrics::customer_summaries(&orders)?;
    let several = summaries.iter().filter(|s| s.products > 1).count() as u64;
    let one = summaries.iter().filter(|s| s.products == 1).count() as u64;
    println!(
        "upsell ratio {} ({several} customers bought several products, {one} one)",
        metrics::upsell_ratio(several, one)?.round_dp(2)
    );
    println!("cohort retention, % of each acquisition month buying in month k:");
    for cohort in metrics::cohort_retention(&orders, "+00:00".parse()?)? {
        let cells: Vec<String> = cohort
            .retained
            .iter()
            .map(|r| format!("{:>4}", r.round_dp(0)))
            .collect();
        println!(
            "  {} (customers: {}) {}",
            cohort.month.format("%Y-%m"),
            cohort.customers,
            cells.join(" ")
        );
    }
    println!("RFM segments on 2026-07-01:");
    for s in metrics::rfm(&orders, at("2026-07-01")?)? {
        println!(
            "  {:<5} R{} F{} M{}  {:<20} last order {} days ago, orders: {}, {}",
            s.customer.as_str(),
            s.r,
            s.f,
            s.m,
            s.segment.name(),
            s.recency_days,
            s.frequency,
            s.monetary
        );
    }
    let win_back = metrics::lapsed(&orders, at("2026-07-01")?, 90)?;
    let names: Vec<&str> = win_back.iter().map(|l| l.customer.as_str()).collect();
    println!(
        "win back (no order in 90 days, most valuable first): {}",
        names.join(", ")
    );
    println!();
    Ok(())
}

fn program_health() -> Result<(), Box<dyn std::error::Error>> {
    println!("== The loyalty program's health");
    let program: Program = serde_json::from_str(
        r#"{"currency": "EUR", "expiry": {"policy": "after_earning", "days": 120},
            "rewards": [{"id": "five-off", "cost": 100, "kind": "fixed_amount_off", "amount": "5.00"}],
            "tiers": {"metric": "spend", "window": "calendar_year", "review": "period_end",
                      "levels": [{"id": "silver", "threshold": "150"}, {"id": "gold", "threshold": "300"}]}}"#,
    )?;
    let mut ledger = Ledger::new(program);
    for order in history()? {
        if ledger.account(&order.customer).is_none() {
            ledger.execute(Enroll::new(order.customer.clone(), order.at))?;
        }
        let reference = format!("{}-{}", order.customer, order.at.format("%m%d")).parse()?;
        ledger.execute(Purchase::new(
            order.customer.clone(),
            reference,
            order.amount,
            order.at,
        ))?;
    }
    let ana: MemberId = "ana".parse()?;
    ledger.execute(Redeem::new(
        ana.clone(),
        "R-1".parse()?,
        "five-off".parse()?,
        Cart::new("40.00 EUR".parse()?),
        at("2026-06-21")?,
    ))?;
    ledger.execute(Refund::new(
        "eva".parse()?,
        "eva-0214".parse()?,
        "RF-1".parse()?,
        "210.00 EUR".parse()?,
        at("2026-02-20")?,
    ))?;
    ledger.execute(Tick::new(at("2026-06-30")?))?;
    for (name, from, to) in [
        ("Q1", "2026-01-01", "2026-04-01"),
        ("Q2", "2026-04-01", "2026-07-01"),
    ] {
        let h = metrics::program_health(&ledger, at(from)?, at(to)?)?;
        let rate = |r: Result<Decimal, metrics::MetricError>| {
            r.map_or_else(|e| e.to_string(), |r| format!("{}%", r.round_dp(1)))
        };
        println!(
            "{name}: issued {}, redeemed {}, expired {}, clawed back {}; outstanding {}; \
             redemption rate {}, breakage {}; {} of {} members active",
            h.issued,
            h.redeemed,
            h.expired,
            h.clawed_back,
            h.outstanding,
            rate(h.redemption_rate()),
            rate(h.breakage_rate()),
            h.active_members,
            h.members
        );
        let liability = h.liability("0.05 EUR".parse()?, "0.8".parse()?, Rounding::HalfEven)?;
        let tiers: Vec<String> = h
            .members_by_tier
            .iter()
            .map(|(t, n)| format!("{} {n}", t.as_ref().map_or("no tier", |t| t.as_str())))
            .collect();
        println!(
            "    liability {liability} (0.05 EUR a point, 80% expected redeemed); {}",
            tiers.join(", ")
        );
    }
    println!();
    Ok(())
}

fn cdnow() -> Result<(), Box<dyn std::error::Error>> {
    println!("== Predictive lifetime value: the CDNOW sample");
    let mut orders = Vec::new();
    for line in include_str!("../tests/data/CDNOW_sample.txt").lines() {
        let c: Vec<&str> = line.split_whitespace().collect();
        let (Some(id), Some(day), Some(amount)) = (c.get(1), c.get(2), c.get(4)) else {
            continue;
        };
        let day = NaiveDate::parse_from_str(day, "%Y%m%d")?;
        let midnight = day.and_hms_opt(0, 0, 0).ok_or("a time")?;
        orders.push(Order::new(
            id.trim_start_matches('0').parse()?,
            Utc.from_utc_datetime(&midnight),
            Money::new(amount.parse()?, Currency::USD),
        ));
    }
    let end = NaiveDate::from_ymd_opt(1997, 9, 30).ok_or("a date")?;
    let summaries = metrics::repeat_summaries(&orders, end, "+00:00".parse()?, TimeUnit::Weeks)?;
    let purchases = BgNbd::fit(&summaries)?;
    let spend = GammaGamma::fit(&summaries)?;
    let m = purchases.model;
    println!(
        "BG/NBD       r = {:.3}, α = {:.3}, a = {:.3}, b = {:.3}, log-likelihood {:.1} (published 0.243, 4.414, 0.793, 2.426, −9582.4)",
        m.r, m.alpha, m.a, m.b, purchases.log_likelihood
    );
    let g = spend.model;
    println!(
        "Gamma-Gamma  p = {:.2}, q = {:.2}, v = {:.2} on {} repeat customers (published 6.25, 3.74, 15.44)",
        g.p, g.q, g.v, spend.customers
    );
    let model = ValueModel::new(m, g, TimeUnit::Weeks);
    println!(
        "customer  x   t_x      T   P(active)  next 39 weeks  value next year (30% margin, 1%/4 weeks)"
    );
    for id in ["1", "18", "1516", "2", "148"] {
        let Some(s) = summaries.iter().find(|s| s.customer.as_str() == id) else {
            continue;
        };
        let summary: &RepeatSummary = s;
        println!(
            "{:>8} {:>2} {:>5.2} {:>6.2}   {:>8.3}   {:>12.3}   {:>10.2} USD",
            id,
            summary.frequency,
            summary.recency,
            summary.t,
            m.p_alive(summary.frequency, summary.recency, summary.t),
            m.expected_purchases(39.0, summary.frequency, summary.recency, summary.t)?,
            model.lifetime_value(summary, 13, TimeUnit::Weeks, 4.0, 0.30, 0.01)?
        );
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    formulas()?;
    order_history()?;
    program_health()?;
    cdnow()?;
    Ok(())
}
