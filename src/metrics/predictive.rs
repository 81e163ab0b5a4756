//! Predictive customer lifetime value: the BG/NBD model of repeat
//! purchases (Fader, Hardie & Lee 2005), fitted by maximum likelihood on
//! (frequency, recency, T) summaries.
//!
//! Statistics are `f64`. Log-gamma comes from the `libm` crate (the Rust
//! port of the C library's `lgamma`, no dependencies of its own); the fit
//! minimises the negative log-likelihood over the parameters' logarithms
//! with Nelder–Mead, so every parameter stays positive.

use serde::{Deserialize, Serialize};

use super::{MetricError, RepeatSummary};

/// The BG/NBD model's parameters: purchase rates are gamma-distributed
/// with shape `r` and rate `alpha`; after each purchase a customer drops
/// out with a probability that is beta-distributed with `a` and `b`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BgNbd {
    /// Shape of the purchase-rate gamma distribution.
    pub r: f64,
    /// Rate (scale inverse) of the purchase-rate gamma distribution, in
    /// the summary's unit of time.
    pub alpha: f64,
    /// First shape of the drop-out beta distribution.
    pub a: f64,
    /// Second shape of the drop-out beta distribution.
    pub b: f64,
}

/// A fitted [`BgNbd`] model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BgNbdFit {
    /// The maximum-likelihood parameters.
    pub model: BgNbd,
    /// The log-likelihood at them, summed over customers.
    pub log_likelihood: f64,
    /// Nelder–Mead iterations taken.
    pub iterations: u32,
}

fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// `ln(e^x + e^y)` without overflow.
fn log_add_exp(x: f64, y: f64) -> f64 {
    let (hi, lo) = if x > y { (x, y) } else { (y, x) };
    hi + (lo - hi).exp().ln_1p()
}

fn check_summary(index: usize, s: &RepeatSummary) -> Result<(), MetricError> {
    check_history(index, s.frequency, s.recency, s.t)
}

fn check_history(index: usize, frequency: u32, recency: f64, t: f64) -> Result<(), MetricError> {
    let ok = recency.is_finite()
        && t.is_finite()
        && recency >= 0.0
        && t >= recency
        && (frequency > 0 || recency == 0.0);
    if ok {
        Ok(())
    } else {
        Err(MetricError::InvalidSummary {
            index,
            frequency,
            recency,
            t,
        })
    }
}

impl BgNbd {
    /// The model with these parameters.
    ///
    /// # Errors
    ///
    /// [`MetricError::InvalidParameter`] for a parameter that is not a
    /// positive, finite number.
    pub fn new(r: f64, alpha: f64, a: f64, b: f64) -> Result<BgNbd, MetricError> {
        positive(&[("r", r), ("alpha", alpha), ("a", a), ("b", b)])?;
        Ok(BgNbd { r, alpha, a, b })
    }

    /// One customer's log-likelihood of having made `frequency` repeat
    /// purchases, the last at `recency`, observed for `t`.
    fn customer_log_likelihood(&self, frequency: u32, recency: f64, t: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let x = f64::from(frequency);
        let a1 = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln();
        let a2 = ln_gamma(a + b) + ln_gamma(b + x) - ln_gamma(b) - ln_gamma(a + b + x);
        let a3 = -(r + x) * (alpha + t).ln();
        let tail = if frequency > 0 {
            let a4 = a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + recency).ln();
            log_add_exp(a3, a4)
        } else {
            a3
        };
        a1 + a2 + tail
    }

    /// The log-likelihood of the summaries under this model.
    ///
    /// # Errors
    ///
    /// [`MetricError::InvalidSummary`] for a summary with recency above T,
    /// a negative or non-finite time, or recency without repeat purchases.
    pub fn log_likelihood(&self, summaries: &[RepeatSummary]) -> Result<f64, MetricError> {
        let mut total = 0.0;
        for (index, s) in summaries.iter().enumerate() {
            check_summary(index, s)?;
            total += self.customer_log_likelihood(s.frequency, s.recency, s.t);
        }
        Ok(total)
    }

    /// Fits the model by maximum likelihood.
    ///
    /// # Errors
    ///
    /// [`MetricError::Empty`] without summaries; as
    /// [`log_likelihood`](BgNbd::log_likelihood) for a summary that does
    /// not hold together; [`MetricError::NoConvergence`] when the search
    /// does not settle.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::metrics::{BgNbd, RepeatSummary, TimeUnit};
    ///
    /// // A few customers: (repeat purchases, recency, T) in weeks.
    /// let data = [(2, 30.43, 38.86), (1, 1.71, 38.86), (0, 0.0, 38.86), (0, 0.0, 38.86),
    ///             (0, 0.0, 38.86), (7, 29.43, 38.86), (1, 5.0, 38.86), (0, 0.0, 38.71),
    ///             (2, 35.71, 38.71), (0, 0.0, 38.71), (5, 24.43, 38.71), (0, 0.0, 38.71)];
    /// let summaries: Vec<RepeatSummary> = data.iter().enumerate()
    ///     .map(|(i, (x, tx, t))| RepeatSummary::new(i.to_string().parse().unwrap(), *x, *tx, *t, TimeUnit::Weeks))
    ///     .collect();
    /// let fit = BgNbd::fit(&summaries)?;
    /// assert!(fit.log_likelihood < 0.0);
    /// assert!(fit.model.p_alive(0, 0.0, 38.86) > fit.model.p_alive(2, 5.0, 38.86));
    /// # Ok::<(), loyalty::metrics::MetricError>(())
    /// ```
    pub fn fit(summaries: &[RepeatSummary]) -> Result<BgNbdFit, MetricError> {
        if summaries.is_empty() {
            return Err(MetricError::Empty {
                what: "customers",
                metric: "BG/NBD fit",
            });
        }
        for (index, s) in summaries.iter().enumerate() {
            check_summary(index, s)?;
        }
        let (p, log_likelihood, iterations) = maximise(
            |p: &[f64; 4]| {
                let model = BgNbd {
                    r: p[0],
                    alpha: p[1],
                    a: p[2],
                    b: p[3],
                };
                summaries
                    .iter()
                    .map(|s| model.customer_log_likelihood(s.frequency, s.recency, s.t))
                    .sum()
            },
            1e-10,
            10_000,
            "BG/NBD fit",
        )?;
        let model = BgNbd::new(p[0], p[1], p[2], p[3])?;
        Ok(BgNbdFit {
            model,
            log_likelihood,
            iterations,
        })
    }

    /// Expected purchases in a period of length `t` for a customer picked
    /// at random (no history known), in the model's unit of time:
    /// `(a + b − 1)/(a − 1) · [1 − (α/(α + t))^r · ₂F₁(r, b; a + b − 1; t/(α + t))]`.
    ///
    /// # Errors
    ///
    /// [`MetricError::InvalidParameter`] for a negative or non-finite `t`,
    /// or `a = 1` (the formula divides by `a − 1`);
    /// [`MetricError::NoConvergence`] if the series does not settle.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::metrics::BgNbd;
    ///
    /// let cdnow = BgNbd::new(0.243, 4.414, 0.793, 2.426)?;
    /// // A new customer's expected repeat purchases in their first 39 weeks.
    /// assert_eq!(format!("{:.3}", cdnow.expected_purchases_unconditional(39.0)?), "1.197");
    /// # Ok::<(), loyalty::metrics::MetricError>(())
    /// ```
    pub fn expected_purchases_unconditional(&self, t: f64) -> Result<f64, MetricError> {
        check_time("t", t)?;
        let BgNbd { r, alpha, a, b } = *self;
        if (a - 1.0).abs() < f64::EPSILON {
            return Err(MetricError::InvalidParameter {
                name: "a",
                value: a,
            });
        }
        let z = t / (alpha + t);
        let log_term = r * (alpha / (alpha + t)).ln() + ln_hyp2f1(r, b, a + b - 1.0, z)?;
        Ok((a + b - 1.0) / (a - 1.0) * -log_term.exp_m1())
    }

    /// Expected purchases in the next `t` for a customer with `frequency`
    /// repeat purchases, the last at `recency`, observed for `age` (T),
    /// all in the model's unit of time:
    /// `(a + b + x − 1)/(a − 1) · [1 − ((α + T)/(α + T + t))^(r + x) ·
    /// ₂F₁(r + x, b + x; a + b + x − 1; t/(α + T + t))] / [1 + δ(x > 0) ·
    /// a/(b + x − 1) · ((α + T)/(α + tₓ))^(r + x)]`.
    ///
    /// The hypergeometric series reaches about 10¹⁰ for heavy buyers: it
    /// is summed in full (every term positive, so no cancellation) and
    /// combined with the power term in logarithms.
    ///
    /// # Errors
    ///
    /// As [`expected_purchases_unconditional`](BgNbd::expected_purchases_unconditional),
    /// and [`MetricError::InvalidSummary`] for a history that does not hold
    /// together.
    ///
    /// # Example
    ///
    /// CDNOW's customer 1 (2 repeat purchases, the last in week 30.43, 38.86
    /// weeks observed) is expected to buy 1.23 times in the next 39 weeks.
    ///
    /// ```
    /// use loyalty::metrics::BgNbd;
    ///
    /// let cdnow = BgNbd::new(0.243, 4.414, 0.793, 2.426)?;
    /// let next = cdnow.expected_purchases(39.0, 2, 30.43, 38.86)?;
    /// assert_eq!(format!("{next:.2}"), "1.23");
    /// # Ok::<(), loyalty::metrics::MetricError>(())
    /// ```
    pub fn expected_purchases(
        &self,
        t: f64,
        frequency: u32,
        recency: f64,
        age: f64,
    ) -> Result<f64, MetricError> {
        check_time("t", t)?;
        check_history(0, frequency, recency, age)?;
        let BgNbd { r, alpha, a, b } = *self;
        if (a - 1.0).abs() < f64::EPSILON {
            return Err(MetricError::InvalidParameter {
                name: "a",
                value: a,
            });
        }
        let x = f64::from(frequency);
        let z = t / (alpha + age + t);
        let log_term = (r + x) * ((alpha + age) / (alpha + age + t)).ln()
            + ln_hyp2f1(r + x, b + x, a + b + x - 1.0, z)?;
        let numerator = (a + b + x - 1.0) / (a - 1.0) * -log_term.exp_m1();
        let denominator = if frequency > 0 {
            1.0 + (a.ln() - (b + x - 1.0).ln()
                + (r + x) * ((alpha + age).ln() - (alpha + recency).ln()))
            .exp()
        } else {
            1.0
        };
        Ok(numerator / denominator)
    }

    /// The probability that a customer with `frequency` repeat purchases,
    /// the last at `recency`, observed for `t`, is still active:
    /// `1 / (1 + δ(x > 0) · a / (b + x − 1) · ((α + T) / (α + tₓ))^(r + x))`.
    pub fn p_alive(&self, frequency: u32, recency: f64, t: f64) -> f64 {
        if frequency == 0 {
            return 1.0;
        }
        let BgNbd { r, alpha, a, b } = *self;
        let x = f64::from(frequency);
        let log_odds =
            a.ln() - (b + x - 1.0).ln() + (r + x) * ((alpha + t).ln() - (alpha + recency).ln());
        1.0 / (1.0 + log_odds.exp())
    }
}

/// Checks that every named parameter is a positive, finite number.
fn positive(parameters: &[(&'static str, f64)]) -> Result<(), MetricError> {
    match parameters
        .iter()
        .find(|(_, value)| !(value.is_finite() && *value > 0.0))
    {
        Some((name, value)) => Err(MetricError::InvalidParameter {
            name,
            value: *value,
        }),
        None => Ok(()),
    }
}

fn check_time(name: &'static str, value: f64) -> Result<(), MetricError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(MetricError::InvalidParameter { name, value })
    }
}

/// `ln ₂F₁(a, b; c; z)` for positive `a`, `b`, `c` and `0 ≤ z < 1`, by its
/// power series. Every term is positive, so the sum loses no precision to
/// cancellation however large it grows; it is accumulated relative to the
/// largest term seen to stay within `f64`.
pub(crate) fn ln_hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Result<f64, MetricError> {
    positive(&[("a", a), ("b", b), ("c", c)])?;
    if !(0.0..1.0).contains(&z) {
        return Err(MetricError::InvalidParameter {
            name: "z",
            value: z,
        });
    }
    // Terms as logarithms: term(n+1) = term(n) · (a+n)(b+n)/((c+n)(n+1)) · z.
    let mut log_term = 0.0_f64;
    let mut log_scale = 0.0_f64; // the sum is exp(log_scale) · sum
    let mut sum = 1.0_f64;
    for n in 0..1_000_000_u32 {
        let n = f64::from(n);
        log_term += ((a + n) * (b + n) / ((c + n) * (n + 1.0)) * z).ln();
        if log_term > log_scale + 600.0 {
            sum *= (log_scale - log_term).exp();
            log_scale = log_term;
        }
        let term = (log_term - log_scale).exp();
        sum += term;
        // Past the peak, terms shrink geometrically: stop when they no
        // longer matter.
        if term < sum * 1e-17 && (a + n) * (b + n) * z < (c + n) * (n + 1.0) {
            return Ok(log_scale + sum.ln());
        }
    }
    Err(MetricError::NoConvergence {
        metric: "hypergeometric series",
    })
}

/// Maximises a log-likelihood over positive parameters: a Nelder–Mead
/// search over their logarithms from all ones. The parameters, the
/// log-likelihood there, and the iterations taken.
fn maximise<const N: usize>(
    log_likelihood: impl Fn(&[f64; N]) -> f64,
    tolerance: f64,
    max_iterations: u32,
    metric: &'static str,
) -> Result<([f64; N], f64, u32), MetricError> {
    let objective = |logs: &[f64; N]| {
        let ll = log_likelihood(&logs.map(f64::exp));
        if ll.is_finite() { -ll } else { f64::INFINITY }
    };
    let (best, value, iterations) = nelder_mead(objective, [0.0; N], tolerance, max_iterations)
        .ok_or(MetricError::NoConvergence { metric })?;
    Ok((best.map(f64::exp), -value, iterations))
}

/// Nelder–Mead minimisation of `f` from `start`: the point, its value and
/// the iterations taken, or `None` when the iterations run out before the
/// simplex's values agree within `tolerance` (relative).
fn nelder_mead<const N: usize>(
    f: impl Fn(&[f64; N]) -> f64,
    start: [f64; N],
    tolerance: f64,
    max_iterations: u32,
) -> Option<([f64; N], f64, u32)> {
    let mut simplex: Vec<([f64; N], f64)> = Vec::with_capacity(N.saturating_add(1));
    simplex.push((start, f(&start)));
    for i in 0..N {
        let mut p = start;
        if let Some(x) = p.get_mut(i) {
            *x += 0.5;
        }
        simplex.push((p, f(&p)));
    }
    let along = |from: &[f64; N], to: &[f64; N], t: f64| -> [f64; N] {
        let mut out = [0.0; N];
        for ((o, a), b) in out.iter_mut().zip(from).zip(to) {
            *o = a + t * (b - a);
        }
        out
    };
    for iteration in 0..max_iterations {
        simplex.sort_by(|x, y| x.1.total_cmp(&y.1));
        let (best, worst) = (simplex.first()?.1, simplex.last()?.1);
        if (worst - best).abs() <= tolerance * (best.abs() + tolerance) {
            let (point, value) = *simplex.first()?;
            return Some((point, value, iteration));
        }
        let mut centroid = [0.0; N];
        for (p, _) in simplex.iter().take(N) {
            for (c, x) in centroid.iter_mut().zip(p) {
                *c += x / N as f64;
            }
        }
        let (worst_point, worst_value) = *simplex.last()?;
        let second_worst = simplex.get(N.checked_sub(1)?)?.1;
        let reflected = along(&worst_point, &centroid, 2.0);
        let fr = f(&reflected);
        let replacement = if fr < best {
            let expanded = along(&worst_point, &centroid, 3.0);
            let fe = f(&expanded);
            if fe < fr {
                Some((expanded, fe))
            } else {
                Some((reflected, fr))
            }
        } else if fr < second_worst {
            Some((reflected, fr))
        } else {
            let (toward, ft) = if fr < worst_value {
                (reflected, fr)
            } else {
                (worst_point, worst_value)
            };
            let contracted = along(&centroid, &toward, 0.5);
            let fc = f(&contracted);
            (fc < ft).then_some((contracted, fc))
        };
        match replacement {
            Some(point) => {
                if let Some(last) = simplex.last_mut() {
                    *last = point;
                }
            }
            None => {
                // Shrink toward the best point.
                let best_point = simplex.first()?.0;
                for entry in simplex.iter_mut().skip(1) {
                    let p = along(&best_point, &entry.0, 0.5);
                    *entry = (p, f(&p));
                }
            }
        }
    }
    None
}

/// The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee
/// 2005, "RFM and CLV"): a customer's transaction values are gamma with
/// shape `p` and a rate that is itself gamma across customers with shape
/// `q` and rate `v`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GammaGamma {
    /// Shape of each customer's transaction values.
    pub p: f64,
    /// Shape of the rate's distribution across customers.
    pub q: f64,
    /// Rate of the rate's distribution across customers.
    pub v: f64,
}

/// A fitted [`GammaGamma`] model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GammaGammaFit {
    /// The maximum-likelihood parameters.
    pub model: GammaGamma,
    /// The log-likelihood at them, summed over repeat customers.
    pub log_likelihood: f64,
    /// Customers fitted on: those with repeat purchases and a spend.
    pub customers: usize,
    /// Nelder–Mead iterations taken.
    pub iterations: u32,
}

/// A repeat customer's (repeat purchases, mean repeat spend), from a
/// summary; none without repeat purchases or a positive spend.
fn repeat_spend(s: &RepeatSummary) -> Option<(f64, f64)> {
    use rust_decimal::prelude::ToPrimitive;
    let spend = s.spend?.to_f64()?;
    (s.frequency > 0 && spend > 0.0 && spend.is_finite()).then(|| (f64::from(s.frequency), spend))
}

impl GammaGamma {
    /// The model with these parameters.
    ///
    /// # Errors
    ///
    /// [`MetricError::InvalidParameter`] for a parameter that is not a
    /// positive, finite number.
    pub fn new(p: f64, q: f64, v: f64) -> Result<GammaGamma, MetricError> {
        positive(&[("p", p), ("q", q), ("v", v)])?;
        Ok(GammaGamma { p, q, v })
    }

    fn customer_log_likelihood(&self, x: f64, mean: f64) -> f64 {
        let GammaGamma { p, q, v } = *self;
        let px = p * x;
        ln_gamma(px + q) - ln_gamma(px) - ln_gamma(q)
            + q * v.ln()
            + (px - 1.0) * mean.ln()
            + px * x.ln()
            - (px + q) * (x * mean + v).ln()
    }

    /// Fits the model by maximum likelihood on the customers with repeat
    /// purchases and a positive mean repeat spend ([`RepeatSummary::spend`]);
    /// the others carry no information about spend and are left out.
    ///
    /// # Errors
    ///
    /// [`MetricError::Empty`] without such customers;
    /// [`MetricError::NoConvergence`] when the search does not settle.
    pub fn fit(summaries: &[RepeatSummary]) -> Result<GammaGammaFit, MetricError> {
        let data: Vec<(f64, f64)> = summaries.iter().filter_map(repeat_spend).collect();
        if data.is_empty() {
            return Err(MetricError::Empty {
                what: "customers with repeat purchases and spend",
                metric: "Gamma-Gamma fit",
            });
        }
        let (p, log_likelihood, iterations) = maximise(
            |p: &[f64; 3]| {
                let model = GammaGamma {
                    p: p[0],
                    q: p[1],
                    v: p[2],
                };
                data.iter()
                    .map(|(x, m)| model.customer_log_likelihood(*x, *m))
                    .sum()
            },
            1e-12,
            20_000,
            "Gamma-Gamma fit",
        )?;
        let model = GammaGamma::new(p[0], p[1], p[2])?;
        Ok(GammaGammaFit {
            model,
            log_likelihood,
            customers: data.len(),
            iterations,
        })
    }

    /// The expected mean transaction value of a customer with `frequency`
    /// repeat purchases averaging `mean_spend`:
    /// `p (v + x m̄) / (p x + q − 1)`; for a customer without repeat
    /// purchases, the population mean `p v / (q − 1)`.
    ///
    /// # Errors
    ///
    /// [`MetricError::OutOfRange`] when `q ≤ 1` (the population mean is
    /// infinite); [`MetricError::InvalidParameter`] for a negative or
    /// non-finite spend.
    ///
    /// # Example
    ///
    /// Under the CDNOW fit, a customer with 5 repeat purchases averaging
    /// $60 is expected to spend about $58 a transaction: their own average,
    /// pulled toward the population's $35.
    ///
    /// ```
    /// use loyalty::metrics::GammaGamma;
    ///
    /// let model = GammaGamma::new(6.25, 3.74, 15.44)?;
    /// assert_eq!(format!("{:.2}", model.expected_spend(0, 0.0)?), "35.22");
    /// assert_eq!(format!("{:.2}", model.expected_spend(5, 60.0)?), "58.00");
    /// # Ok::<(), loyalty::metrics::MetricError>(())
    /// ```
    pub fn expected_spend(&self, frequency: u32, mean_spend: f64) -> Result<f64, MetricError> {
        let GammaGamma { p, q, v } = *self;
        if q <= 1.0 {
            return Err(MetricError::OutOfRange {
                what: "q",
                value: rust_decimal::Decimal::from_f64_retain(q).unwrap_or_default(),
                rule: "above 1 for a finite expected spend",
            });
        }
        if !(mean_spend.is_finite() && mean_spend >= 0.0) {
            return Err(MetricError::InvalidParameter {
                name: "mean_spend",
                value: mean_spend,
            });
        }
        let x = f64::from(frequency);
        Ok(p * (v + x * mean_spend) / (p * x + q - 1.0))
    }
}

/// Predictive customer lifetime value: the [`BgNbd`] model's expected
/// purchases, the [`GammaGamma`] model's expected spend, a margin and a
/// discount rate, over a horizon. The models were fitted on summaries in
/// `unit`; every customer summary must be in it too.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ValueModel {
    /// Repeat purchases.
    pub purchases: BgNbd,
    /// Spend per purchase.
    pub spend: GammaGamma,
    /// The unit of time both were fitted in.
    pub unit: super::TimeUnit,
}

impl ValueModel {
    /// The two models, fitted on summaries in `unit`.
    pub fn new(purchases: BgNbd, spend: GammaGamma, unit: super::TimeUnit) -> ValueModel {
        ValueModel {
            purchases,
            spend,
            unit,
        }
    }

    /// A customer's expected value over the next `periods` periods of
    /// `period` (for example 12 periods of 4 weeks): for each period k, the
    /// purchases expected in it (E[Y(k)] − E[Y(k − 1)]) × the expected
    /// spend per purchase × `margin` (a fraction from 0 to 1), discounted
    /// by `(1 + discount)^k` (`discount` per period, a fraction).
    ///
    /// # Errors
    ///
    /// [`MetricError::UnitMismatch`] when the summary is in another unit
    /// than the models; [`MetricError::InvalidParameter`] for a margin
    /// outside 0 to 1, a negative discount or more than 10,000 periods;
    /// and as [`BgNbd::expected_purchases`] and
    /// [`GammaGamma::expected_spend`].
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::metrics::{BgNbd, GammaGamma, RepeatSummary, TimeUnit, ValueModel};
    /// use rust_decimal::Decimal;
    ///
    /// let model = ValueModel::new(BgNbd::new(0.243, 4.414, 0.793, 2.426)?,
    ///     GammaGamma::new(6.25, 3.74, 15.44)?, TimeUnit::Weeks);
    /// let customer = RepeatSummary::new("1".parse().unwrap(), 2, 30.43, 38.86, TimeUnit::Weeks)
    ///     .with_spend(Decimal::new(2235, 2));
    /// // A year ahead in 13 four-week periods, a 30% margin, 1% a period.
    /// let value = model.lifetime_value(&customer, 13, TimeUnit::Weeks, 4.0, 0.30, 0.01)?;
    /// assert!(value > 5.0 && value < 20.0, "{value}");
    /// # Ok::<(), loyalty::metrics::MetricError>(())
    /// ```
    pub fn lifetime_value(
        &self,
        customer: &RepeatSummary,
        periods: u32,
        period_unit: super::TimeUnit,
        period_length: f64,
        margin: f64,
        discount: f64,
    ) -> Result<f64, MetricError> {
        if customer.unit != self.unit {
            return Err(MetricError::UnitMismatch {
                model: self.unit,
                summary: customer.unit,
            });
        }
        if !(0.0..=1.0).contains(&margin) {
            return Err(MetricError::InvalidParameter {
                name: "margin",
                value: margin,
            });
        }
        check_time("discount", discount)?;
        if !(period_length.is_finite() && period_length > 0.0) {
            return Err(MetricError::InvalidParameter {
                name: "period_length",
                value: period_length,
            });
        }
        if periods > 10_000 {
            return Err(MetricError::InvalidParameter {
                name: "periods",
                value: f64::from(periods),
            });
        }
        use rust_decimal::prelude::ToPrimitive;
        let mean = customer.spend.and_then(|s| s.to_f64()).unwrap_or(0.0);
        let per_purchase = self.spend.expected_spend(customer.frequency, mean)?;
        let step = period_length * period_unit.days() / self.unit.days();
        let mut value = 0.0;
        let mut before = 0.0;
        for k in 1..=periods {
            let horizon = step * f64::from(k);
            let by_then = self.purchases.expected_purchases(
                horizon,
                customer.frequency,
                customer.recency,
                customer.t,
            )?;
            value +=
                (by_then - before) * per_purchase * margin / (1.0 + discount).powf(f64::from(k));
            before = by_then;
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(ours: f64, exact: f64) {
        assert!(((ours - exact) / exact).abs() < 1e-12, "{ours} vs {exact}");
    }

    #[test]
    fn the_hypergeometric_series_meets_its_closed_forms_even_when_huge() {
        // ₂F₁(a, b; b; z) = (1 − z)^(−a): 2^60.5 ≈ 1.6 · 10^18 at a = 60.5.
        close(ln_hyp2f1(60.5, 3.0, 3.0, 0.5).unwrap(), 60.5 * 2f64.ln());
        close(
            ln_hyp2f1(0.243, 2.426, 2.426, 0.3).unwrap(),
            -0.243 * 0.7f64.ln(),
        );
        // ₂F₁(1, 1; 2; z) = −ln(1 − z)/z.
        let z: f64 = 0.9;
        close(
            ln_hyp2f1(1.0, 1.0, 2.0, z).unwrap(),
            (-(1.0 - z).ln() / z).ln(),
        );
        assert!(ln_hyp2f1(1.0, 1.0, 2.0, 1.0).is_err());
    }

    #[test]
    fn a_customer_with_no_history_expects_what_a_random_one_does() {
        let m = BgNbd::new(0.243, 4.414, 0.793, 2.426).unwrap();
        for t in [1.0, 13.0, 39.0, 78.0] {
            close(
                m.expected_purchases(t, 0, 0.0, 0.0).unwrap(),
                m.expected_purchases_unconditional(t).unwrap(),
            );
        }
        // For a short period: about r/α purchases per unit of time.
        let tiny = m.expected_purchases_unconditional(1e-6).unwrap();
        assert!((tiny / 1e-6 - 0.243 / 4.414).abs() < 1e-4);
    }
}
