//! Helpers shared by the behaviour tests: a shop that runs a program and
//! checks, on every command, what must always hold.

#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc};
use loyalty::*;

/// `"2026-01-12"` (midday UTC) or a full RFC 3339 time.
pub fn t(s: &str) -> DateTime<Utc> {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.and_hms_opt(12, 0, 0).unwrap().and_utc();
    }
    s.parse().unwrap()
}

pub fn money(s: &str) -> Money {
    s.parse().unwrap()
}

pub fn member(s: &str) -> MemberId {
    s.parse().unwrap()
}

pub fn r(s: &str) -> Reference {
    s.parse().unwrap()
}

pub fn pts(n: i64) -> Points {
    Points::new(n)
}

/// Each lot a list of draws took from, with the points it took.
pub fn drawn(draws: &[LotDraw]) -> Vec<(u64, i64)> {
    draws
        .iter()
        .map(|d| (d.lot.number(), d.points.value()))
        .collect()
}

/// The seed program: 1 point per euro, 100 points buy 10% off, points never
/// expire.
pub const SEED: &str = r#"{
    "name": "Clothing store rewards",
    "currency": "EUR",
    "earn": {"points": 1, "per": "1.00", "rounding": "floor"},
    "rewards": [{"id": "ten-percent-off", "name": "10% off your next order",
                 "cost": 100, "kind": "percent_off", "percent": "10"}],
    "expiry": {"policy": "never"}
}"#;

pub fn program(json: &str) -> Program {
    serde_json::from_str(json).unwrap()
}

/// The seed program with some top-level sections replaced, e.g.
/// `seed_with(r#""refunds": {"negative_balance": "clamp"}"#)`.
pub fn seed_with(sections: &str) -> Program {
    let mut base: serde_json::Value = serde_json::from_str(SEED).unwrap();
    let extra: serde_json::Value = serde_json::from_str(&format!("{{{sections}}}")).unwrap();
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    serde_json::from_value(base).unwrap()
}

/// A merchant's ledger plus its event log. Every command is checked:
/// replaying the log gives an equal ledger, every event survives JSON, and a
/// refused command leaves the ledger exactly as it was.
pub struct Shop {
    pub ledger: Ledger,
    pub log: Vec<Event>,
}

impl Shop {
    pub fn new(program: Program) -> Shop {
        Shop {
            ledger: Ledger::new(program),
            log: Vec::new(),
        }
    }

    pub fn seed() -> Shop {
        Shop::new(program(SEED))
    }

    pub fn try_run(&mut self, command: impl Into<Command>) -> Result<Decision, Error> {
        let before = self.ledger.clone();
        let fingerprint = self.ledger.state_hash();
        match self.ledger.execute(command) {
            Ok(decision) => {
                for event in &decision.events {
                    let json = serde_json::to_string(event).unwrap();
                    let back: Event = serde_json::from_str(&json).unwrap();
                    assert_eq!(&back, event, "{json}");
                }
                if decision.duplicate {
                    assert_eq!(self.ledger, before, "a duplicate changed the ledger");
                    assert_eq!(self.ledger.state_hash(), fingerprint);
                }
                self.log.extend(decision.events.iter().cloned());
                let replayed = Ledger::replay(self.ledger.program().clone(), &self.log).unwrap();
                assert_eq!(replayed, self.ledger, "replay differs from the live ledger");
                assert_eq!(replayed.state_hash(), self.ledger.state_hash());
                Ok(decision)
            }
            Err(error) => {
                assert_eq!(self.ledger, before, "a refused command changed the ledger");
                assert_eq!(self.ledger.state_hash(), fingerprint, "{error}");
                Err(error)
            }
        }
    }

    pub fn run(&mut self, command: impl Into<Command>) -> Receipt {
        match self.try_run(command) {
            Ok(decision) => decision.receipt,
            Err(e) => panic!("command refused: {e}"),
        }
    }

    pub fn enroll(&mut self, who: &str, at: &str) {
        self.run(Enroll::new(member(who), t(at)));
    }

    pub fn buy(&mut self, who: &str, order: &str, amount: &str, at: &str) -> PurchaseReceipt {
        match self.run(Purchase::new(member(who), r(order), money(amount), t(at))) {
            Receipt::Purchase(p) => p,
            other => panic!("unexpected receipt {other:?}"),
        }
    }

    pub fn redeem(
        &mut self,
        who: &str,
        redemption: &str,
        reward: &str,
        cart: &str,
        at: &str,
    ) -> Result<RedemptionReceipt, Error> {
        self.redeem_cart(who, redemption, reward, Cart::new(money(cart)), at)
    }

    pub fn redeem_cart(
        &mut self,
        who: &str,
        redemption: &str,
        reward: &str,
        cart: Cart,
        at: &str,
    ) -> Result<RedemptionReceipt, Error> {
        let command = Redeem::new(
            member(who),
            r(redemption),
            reward.parse().unwrap(),
            cart,
            t(at),
        );
        self.try_run(command).map(|d| match d.receipt {
            Receipt::Redemption(x) => x,
            other => panic!("unexpected receipt {other:?}"),
        })
    }

    pub fn refund(
        &mut self,
        who: &str,
        order: &str,
        refund: &str,
        amount: &str,
        at: &str,
    ) -> Result<RefundReceipt, Error> {
        let command = Refund::new(member(who), r(order), r(refund), money(amount), t(at));
        self.try_run(command).map(|d| match d.receipt {
            Receipt::Refund(x) => x,
            other => panic!("unexpected receipt {other:?}"),
        })
    }

    /// Marta's quickstart story up to the order that used her reward:
    /// 57 + 48 earned, 100 spent on RDM-1 (10% off an 80.00 EUR cart), 72
    /// earned on ORD-1003, which used RDM-1.
    pub fn marta_redeemed(program: Program) -> Shop {
        let mut shop = Shop::new(program);
        shop.enroll("marta", "2026-01-05");
        shop.buy("marta", "ORD-1001", "57.40 EUR", "2026-01-12");
        shop.buy("marta", "ORD-1002", "48.00 EUR", "2026-02-20");
        shop.redeem(
            "marta",
            "RDM-1",
            "ten-percent-off",
            "80.00 EUR",
            "2026-03-14",
        )
        .unwrap();
        shop.run(
            Purchase::new(
                member("marta"),
                r("ORD-1003"),
                money("72.00 EUR"),
                t("2026-03-14"),
            )
            .with_redemption(r("RDM-1")),
        );
        shop
    }

    /// The expiry events logged so far.
    pub fn expirations(&self) -> Vec<PointsExpired> {
        self.log
            .iter()
            .filter_map(|e| match e {
                Event::PointsExpired(x) => Some(x.clone()),
                _ => None,
            })
            .collect()
    }

    /// The settlement events logged so far.
    pub fn settlements(&self) -> Vec<PointsSettled> {
        self.log
            .iter()
            .filter_map(|e| match e {
                Event::PointsSettled(x) => Some(x.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn tick(&mut self, at: &str) -> TickReceipt {
        match self.run(Tick::new(t(at))) {
            Receipt::Tick(x) => x,
            other => panic!("unexpected receipt {other:?}"),
        }
    }

    pub fn balance(&self, who: &str) -> Balance {
        self.ledger.balance(&member(who)).unwrap()
    }

    pub fn available(&self, who: &str) -> i64 {
        self.balance(who).available.value()
    }

    pub fn pending(&self, who: &str) -> i64 {
        self.balance(who).pending.value()
    }

    /// Lots as (points, expiry) in spending order.
    pub fn lots(&self, who: &str) -> Vec<(i64, Option<DateTime<Utc>>)> {
        self.ledger
            .account(&member(who))
            .unwrap()
            .lots()
            .map(|l| (l.points.value(), l.expires_at))
            .collect()
    }
}
