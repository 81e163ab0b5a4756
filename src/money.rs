//! Money: a `Decimal` amount in an ISO 4217 currency.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An ISO 4217 currency, with the number of minor units (decimal places) the
/// standard gives it.
///
/// Only active ISO 4217 codes are accepted, so a typo such as `"EUE"` is
/// caught where it enters. The minor units decide how discounts are rounded
/// (two places for EUR, none for JPY, three for KWD).
///
/// # Example
///
/// ```
/// use loyalty::Currency;
///
/// let eur: Currency = "EUR".parse()?;
/// assert_eq!(eur, Currency::EUR);
/// assert_eq!(eur.minor_units(), 2);
/// assert_eq!("JPY".parse::<Currency>()?.minor_units(), 0);
/// assert!("EUE".parse::<Currency>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency {
    code: [u8; 3],
    minor_units: u8,
}

/// Active ISO 4217 codes (funds and precious metals excluded) with their
/// minor units, sorted by code.
const ISO_4217: &[(&str, u8)] = &[
    ("AED", 2),
    ("AFN", 2),
    ("ALL", 2),
    ("AMD", 2),
    ("ANG", 2),
    ("AOA", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("AWG", 2),
    ("AZN", 2),
    ("BAM", 2),
    ("BBD", 2),
    ("BDT", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BIF", 0),
    ("BMD", 2),
    ("BND", 2),
    ("BOB", 2),
    ("BRL", 2),
    ("BSD", 2),
    ("BTN", 2),
    ("BWP", 2),
    ("BYN", 2),
    ("BZD", 2),
    ("CAD", 2),
    ("CDF", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CRC", 2),
    ("CUP", 2),
    ("CVE", 2),
    ("CZK", 2),
    ("DJF", 0),
    ("DKK", 2),
    ("DOP", 2),
    ("DZD", 2),
    ("EGP", 2),
    ("ERN", 2),
    ("ETB", 2),
    ("EUR", 2),
    ("FJD", 2),
    ("FKP", 2),
    ("GBP", 2),
    ("GEL", 2),
    ("GHS", 2),
    ("GIP", 2),
    ("GMD", 2),
    ("GNF", 0),
    ("GTQ", 2),
    ("GYD", 2),
    ("HKD", 2),
    ("HNL", 2),
    ("HTG", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("IRR", 2),
    ("ISK", 0),
    ("JMD", 2),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KGS", 2),
    ("KHR", 2),
    ("KMF", 0),
    ("KPW", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("KYD", 2),
    ("KZT", 2),
    ("LAK", 2),
    ("LBP", 2),
    ("LKR", 2),
    ("LRD", 2),
    ("LSL", 2),
    ("LYD", 3),
    ("MAD", 2),
    ("MDL", 2),
    ("MGA", 2),
    ("MKD", 2),
    ("MMK", 2),
    ("MNT", 2),
    ("MOP", 2),
    ("MRU", 2),
    ("MUR", 2),
    ("MVR", 2),
    ("MWK", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("MZN", 2),
    ("NAD", 2),
    ("NGN", 2),
    ("NIO", 2),
    ("NOK", 2),
    ("NPR", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PAB", 2),
    ("PEN", 2),
    ("PGK", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("PYG", 0),
    ("QAR", 2),
    ("RON", 2),
    ("RSD", 2),
    ("RUB", 2),
    ("RWF", 0),
    ("SAR", 2),
    ("SBD", 2),
    ("SCR", 2),
    ("SDG", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("SHP", 2),
    ("SLE", 2),
    ("SOS", 2),
    ("SRD", 2),
    ("SSP", 2),
    ("STN", 2),
    ("SVC", 2),
    ("SYP", 2),
    ("SZL", 2),
    ("THB", 2),
    ("TJS", 2),
    ("TMT", 2),
    ("TND", 3),
    ("TOP", 2),
    ("TRY", 2),
    ("TTD", 2),
    ("TWD", 2),
    ("TZS", 2),
    ("UAH", 2),
    ("UGX", 0),
    ("USD", 2),
    ("UYU", 2),
    ("UZS", 2),
    ("VED", 2),
    ("VES", 2),
    ("VND", 0),
    ("VUV", 0),
    ("WST", 2),
    ("XAF", 0),
    ("XCD", 2),
    ("XCG", 2),
    ("XOF", 0),
    ("XPF", 0),
    ("YER", 2),
    ("ZAR", 2),
    ("ZMW", 2),
    ("ZWG", 2),
];

/// A currency code that is not an active ISO 4217 code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[error("unknown currency {code:?}: expected an active ISO 4217 code such as \"EUR\"")]
#[non_exhaustive]
pub struct UnknownCurrency {
    /// The text that was given.
    pub code: String,
}

impl Currency {
    /// Euro.
    pub const EUR: Currency = Currency::known(*b"EUR", 2);
    /// United States dollar.
    pub const USD: Currency = Currency::known(*b"USD", 2);
    /// Pound sterling.
    pub const GBP: Currency = Currency::known(*b"GBP", 2);
    /// Swiss franc.
    pub const CHF: Currency = Currency::known(*b"CHF", 2);
    /// Polish złoty.
    pub const PLN: Currency = Currency::known(*b"PLN", 2);
    /// Romanian leu.
    pub const RON: Currency = Currency::known(*b"RON", 2);
    /// Japanese yen (no minor units).
    pub const JPY: Currency = Currency::known(*b"JPY", 0);

    const fn known(code: [u8; 3], minor_units: u8) -> Currency {
        Currency { code, minor_units }
    }

    /// Looks up an ISO 4217 code (upper case, as the standard writes it).
    ///
    /// # Errors
    ///
    /// [`UnknownCurrency`] when `code` is not an active ISO 4217 code.
    pub fn new(code: &str) -> Result<Currency, UnknownCurrency> {
        let unknown = || UnknownCurrency {
            code: code.to_owned(),
        };
        let index = ISO_4217
            .binary_search_by(|(c, _)| c.cmp(&code))
            .map_err(|_| unknown())?;
        let (_, minor_units) = ISO_4217.get(index).ok_or_else(unknown)?;
        let bytes: [u8; 3] = code.as_bytes().try_into().map_err(|_| unknown())?;
        Ok(Currency {
            code: bytes,
            minor_units: *minor_units,
        })
    }

    /// The three-letter code, such as `"EUR"`.
    pub fn code(&self) -> &str {
        // Only ASCII codes from the table are ever stored.
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    /// The number of decimal places of the currency's minor unit.
    pub const fn minor_units(&self) -> u32 {
        self.minor_units as u32
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = UnknownCurrency;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::new(s)
    }
}

impl TryFrom<String> for Currency {
    type Error = UnknownCurrency;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Currency::new(&value)
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.code().to_owned()
    }
}

/// An amount of money in one currency.
///
/// The amount is a [`Decimal`], never a float. Money written as text (its
/// `Display`, its serde form, its `FromStr`) is `"<amount> <code>"`, for
/// example `"57.40 EUR"`, shown with at least the currency's minor units.
/// Arithmetic between two currencies is an error, never a silent conversion.
///
/// # Example
///
/// ```
/// use loyalty::{Currency, Money};
/// use rust_decimal::Decimal;
///
/// let order: Money = "57.40 EUR".parse()?;
/// assert_eq!(order.amount(), Decimal::new(5740, 2));
/// assert_eq!(order.currency(), Currency::EUR);
///
/// let total = order.checked_add(Money::new(Decimal::new(48, 0), Currency::EUR))?;
/// assert_eq!(total.to_string(), "105.40 EUR");
///
/// let dollars: Money = "10 USD".parse()?;
/// assert!(order.checked_add(dollars).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

/// What went wrong with an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// Two amounts in different currencies were combined.
    #[error("currency mismatch: {left} and {right}")]
    CurrencyMismatch {
        /// Currency of the left operand.
        left: Currency,
        /// Currency of the right operand.
        right: Currency,
    },
    /// The result does not fit in a `Decimal`.
    #[error("amount overflow: {left} {op} {right} is out of range")]
    Overflow {
        /// Left operand.
        left: Decimal,
        /// The operation.
        op: char,
        /// Right operand.
        right: Decimal,
    },
    /// Text that is not `"<amount> <code>"`.
    #[error(
        "cannot read {text:?} as money: expected \"<amount> <ISO 4217 code>\", such as \"57.40 EUR\""
    )]
    Malformed {
        /// The text that was given.
        text: String,
    },
    /// The currency code is not an active ISO 4217 code.
    #[error(transparent)]
    UnknownCurrency(#[from] UnknownCurrency),
}

impl Money {
    /// An amount in a currency.
    pub const fn new(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }

    /// Zero in a currency.
    pub const fn zero(currency: Currency) -> Money {
        Money::new(Decimal::ZERO, currency)
    }

    /// The amount.
    pub const fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// Whether the amount is below zero.
    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    /// Whether the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }

    /// `self + rhs`.
    ///
    /// # Errors
    ///
    /// [`MoneyError::CurrencyMismatch`] for different currencies,
    /// [`MoneyError::Overflow`] when the sum does not fit.
    pub fn checked_add(self, rhs: Money) -> Result<Money, MoneyError> {
        self.same_currency(&rhs)?;
        let amount = self
            .amount
            .checked_add(rhs.amount)
            .ok_or(MoneyError::Overflow {
                left: self.amount,
                op: '+',
                right: rhs.amount,
            })?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self - rhs`.
    ///
    /// # Errors
    ///
    /// [`MoneyError::CurrencyMismatch`] for different currencies,
    /// [`MoneyError::Overflow`] when the difference does not fit.
    pub fn checked_sub(self, rhs: Money) -> Result<Money, MoneyError> {
        self.same_currency(&rhs)?;
        let amount = self
            .amount
            .checked_sub(rhs.amount)
            .ok_or(MoneyError::Overflow {
                left: self.amount,
                op: '-',
                right: rhs.amount,
            })?;
        Ok(Money::new(amount, self.currency))
    }

    /// Compares two amounts of the same currency.
    ///
    /// # Errors
    ///
    /// [`MoneyError::CurrencyMismatch`] for different currencies.
    pub fn checked_cmp(&self, other: &Money) -> Result<std::cmp::Ordering, MoneyError> {
        self.same_currency(other)?;
        Ok(self.amount.cmp(&other.amount))
    }

    /// The smaller of two amounts of the same currency.
    ///
    /// # Errors
    ///
    /// [`MoneyError::CurrencyMismatch`] for different currencies.
    pub fn checked_min(self, other: Money) -> Result<Money, MoneyError> {
        Ok(match self.checked_cmp(&other)? {
            std::cmp::Ordering::Greater => other,
            _ => self,
        })
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({self})")
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.amount;
        let minor = self.currency.minor_units();
        if shown.scale() < minor {
            // Widening the scale only appends zeros: the value is unchanged.
            shown.rescale(minor);
        }
        write!(f, "{shown} {}", self.currency)
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let malformed = || MoneyError::Malformed { text: s.to_owned() };
        let mut parts = s.split_whitespace();
        let (Some(amount), Some(code), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(malformed());
        };
        let amount = Decimal::from_str_exact(amount).map_err(|_| malformed())?;
        Ok(Money::new(amount, Currency::new(code)?))
    }
}

impl TryFrom<String> for Money {
    type Error = MoneyError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Money> for String {
    fn from(money: Money) -> Self {
        money.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_currency_table_is_sorted_and_well_formed() {
        assert!(ISO_4217.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(
            ISO_4217
                .iter()
                .all(|(c, m)| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) && *m <= 3)
        );
        for (code, minor) in ISO_4217 {
            let currency = Currency::new(code).unwrap();
            assert_eq!(currency.code(), *code);
            assert_eq!(currency.minor_units(), u32::from(*minor));
        }
    }

    #[test]
    fn constants_match_the_table() {
        for c in [
            Currency::EUR,
            Currency::USD,
            Currency::GBP,
            Currency::CHF,
            Currency::PLN,
            Currency::RON,
            Currency::JPY,
        ] {
            assert_eq!(Currency::new(c.code()).unwrap(), c);
        }
    }

    #[test]
    fn rejects_unknown_and_lower_case_codes() {
        assert!(Currency::new("eur").is_err());
        assert!(Currency::new("EURO").is_err());
        assert!(Currency::new("").is_err());
        assert_eq!(
            Currency::new("XYZ").unwrap_err().to_string(),
            "unknown currency \"XYZ\": expected an active ISO 4217 code such as \"EUR\""
        );
    }

    #[test]
    fn money_text_round_trips_and_pads_minor_units() {
        let m: Money = "57.4 EUR".parse().unwrap();
        assert_eq!(m.to_string(), "57.40 EUR");
        assert_eq!(m.to_string().parse::<Money>().unwrap(), m);
        assert_eq!("1000 JPY".parse::<Money>().unwrap().to_string(), "1000 JPY");
        assert_eq!(
            "0.125 KWD".parse::<Money>().unwrap().to_string(),
            "0.125 KWD"
        );
        assert_eq!(
            "0.001 EUR".parse::<Money>().unwrap().to_string(),
            "0.001 EUR"
        );
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, "\"57.40 EUR\"");
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
    }

    #[test]
    fn malformed_money_is_an_error() {
        for text in [
            "",
            "57.40",
            "EUR 57.40",
            "57.40 EUR extra",
            "1e3 EUR",
            "abc EUR",
        ] {
            assert!(text.parse::<Money>().is_err(), "{text}");
        }
        assert!(matches!(
            "1 XXX".parse::<Money>(),
            Err(MoneyError::UnknownCurrency(_))
        ));
    }

    #[test]
    fn arithmetic_checks_currency_and_range() {
        let eur = Money::new(Decimal::MAX, Currency::EUR);
        assert!(matches!(
            eur.checked_add(Money::new(Decimal::ONE, Currency::EUR)),
            Err(MoneyError::Overflow { .. })
        ));
        assert!(matches!(
            eur.checked_sub(Money::new(Decimal::ONE, Currency::USD)),
            Err(MoneyError::CurrencyMismatch { .. })
        ));
    }
}
