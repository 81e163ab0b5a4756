//! Predictive metrics on the CDNOW sample: the BG/NBD and Gamma-Gamma fits,
//! and predictions for every customer. Run with `cargo bench --bench
//! metrics`.

use std::hint::black_box;

use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use loyalty::metrics::{
    BgNbd, GammaGamma, Order, RepeatSummary, TimeUnit, ValueModel, repeat_summaries,
};
use loyalty::{Currency, MemberId, Money};

/// The CDNOW sample summarised up to the end of its calibration period.
fn cdnow() -> Vec<RepeatSummary> {
    let orders: Vec<Order> = include_str!("../tests/data/CDNOW_sample.txt")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let c: Vec<&str> = line.split_whitespace().collect();
            let day = NaiveDate::parse_from_str(c[2], "%Y%m%d").expect("a date");
            Order::new(
                MemberId::new(c[1]).expect("an id"),
                Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight")),
                Money::new(c[4].parse().expect("an amount"), Currency::USD),
            )
        })
        .collect();
    let end = NaiveDate::from_ymd_opt(1997, 9, 30).expect("a date");
    repeat_summaries(
        &orders,
        end,
        "+00:00".parse().expect("an offset"),
        TimeUnit::Weeks,
    )
    .expect("one currency")
}

fn fits(c: &mut Criterion) {
    let summaries = cdnow();
    let mut group = c.benchmark_group("fit");
    group.sample_size(20);
    group.bench_function(BenchmarkId::new("bg_nbd", summaries.len()), |b| {
        b.iter(|| black_box(BgNbd::fit(&summaries).expect("fits")))
    });
    group.bench_function(BenchmarkId::new("gamma_gamma", summaries.len()), |b| {
        b.iter(|| black_box(GammaGamma::fit(&summaries).expect("fits")))
    });
    group.finish();
}

fn predictions(c: &mut Criterion) {
    let summaries = cdnow();
    let purchases = BgNbd::fit(&summaries).expect("fits").model;
    let spend = GammaGamma::fit(&summaries).expect("fits").model;
    let model = ValueModel::new(purchases, spend, TimeUnit::Weeks);
    let mut group = c.benchmark_group("predict");
    group.throughput(Throughput::Elements(summaries.len() as u64));
    group.bench_function(
        BenchmarkId::new("expected_purchases_39_weeks", summaries.len()),
        |b| {
            b.iter(|| {
                let total: f64 = summaries
                    .iter()
                    .map(|s| {
                        purchases
                            .expected_purchases(39.0, s.frequency, s.recency, s.t)
                            .expect("finite")
                    })
                    .sum();
                black_box(total)
            })
        },
    );
    group.bench_function(BenchmarkId::new("p_alive", summaries.len()), |b| {
        b.iter(|| {
            let total: f64 = summaries
                .iter()
                .map(|s| purchases.p_alive(s.frequency, s.recency, s.t))
                .sum();
            black_box(total)
        })
    });
    group.bench_function(
        BenchmarkId::new("lifetime_value_13x4_weeks", summaries.len()),
        |b| {
            b.iter(|| {
                let total: f64 = summaries
                    .iter()
                    .map(|s| {
                        model
                            .lifetime_value(s, 13, TimeUnit::Weeks, 4.0, 0.3, 0.01)
                            .expect("a value")
                    })
                    .sum();
                black_box(total)
            })
        },
    );
    group.finish();
}

criterion_group!(benches, fits, predictions);
criterion_main!(benches);
