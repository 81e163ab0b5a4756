//! Money: a `Decimal` amount in an ISO 4217 currency.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::wire::ShortText;

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
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency {
    code: [u8; 3],
    minor_units: u8,
}

/// What [`BY_CODE`] holds for three letters that are no active code.
const NO_CODE: u8 = u8::MAX;

/// The number of codes of three capital letters.
const CODES: usize = 26 * 26 * 26;

/// The place in [`ISO_4217`] of every active code, at its [`code_index`]
/// ([`NO_CODE`] elsewhere): a code is looked up with one read instead of a
/// search of the list, from which the table is built when the crate is
/// compiled.
static BY_CODE: [u8; CODES] = by_code();

/// Builds [`BY_CODE`]. Evaluated by the compiler: an index out of range
/// (a code in [`ISO_4217`] that is not three capital letters), or a list
/// too long for its places to fit below [`NO_CODE`], fails the build.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
const fn by_code() -> [u8; CODES] {
    assert!(ISO_4217.len() < NO_CODE as usize);
    let mut table = [NO_CODE; CODES];
    let mut i = 0;
    while i < ISO_4217.len() {
        let ([a, b, c], _) = ISO_4217[i];
        table[((a - b'A') as usize * 26 + (b - b'A') as usize) * 26 + (c - b'A') as usize] =
            i as u8;
        i += 1;
    }
    table
}

/// Where three capital letters sit in [`BY_CODE`]; nothing for any other
/// bytes.
fn code_index(code: [u8; 3]) -> Option<usize> {
    let letter = |byte: u8| {
        let at = byte.wrapping_sub(b'A');
        (at < 26).then_some(usize::from(at))
    };
    let [a, b, c] = code;
    letter(a)?
        .checked_mul(26)?
        .checked_add(letter(b)?)?
        .checked_mul(26)?
        .checked_add(letter(c)?)
}

/// Active ISO 4217 codes (funds and precious metals excluded) with their
/// minor units, sorted by code.
const ISO_4217: &[([u8; 3], u8)] = &[
    (*b"AED", 2),
    (*b"AFN", 2),
    (*b"ALL", 2),
    (*b"AMD", 2),
    (*b"ANG", 2),
    (*b"AOA", 2),
    (*b"ARS", 2),
    (*b"AUD", 2),
    (*b"AWG", 2),
    (*b"AZN", 2),
    (*b"BAM", 2),
    (*b"BBD", 2),
    (*b"BDT", 2),
    (*b"BGN", 2),
    (*b"BHD", 3),
    (*b"BIF", 0),
    (*b"BMD", 2),
    (*b"BND", 2),
    (*b"BOB", 2),
    (*b"BRL", 2),
    (*b"BSD", 2),
    (*b"BTN", 2),
    (*b"BWP", 2),
    (*b"BYN", 2),
    (*b"BZD", 2),
    (*b"CAD", 2),
    (*b"CDF", 2),
    (*b"CHF", 2),
    (*b"CLP", 0),
    (*b"CNY", 2),
    (*b"COP", 2),
    (*b"CRC", 2),
    (*b"CUP", 2),
    (*b"CVE", 2),
    (*b"CZK", 2),
    (*b"DJF", 0),
    (*b"DKK", 2),
    (*b"DOP", 2),
    (*b"DZD", 2),
    (*b"EGP", 2),
    (*b"ERN", 2),
    (*b"ETB", 2),
    (*b"EUR", 2),
    (*b"FJD", 2),
    (*b"FKP", 2),
    (*b"GBP", 2),
    (*b"GEL", 2),
    (*b"GHS", 2),
    (*b"GIP", 2),
    (*b"GMD", 2),
    (*b"GNF", 0),
    (*b"GTQ", 2),
    (*b"GYD", 2),
    (*b"HKD", 2),
    (*b"HNL", 2),
    (*b"HTG", 2),
    (*b"HUF", 2),
    (*b"IDR", 2),
    (*b"ILS", 2),
    (*b"INR", 2),
    (*b"IQD", 3),
    (*b"IRR", 2),
    (*b"ISK", 0),
    (*b"JMD", 2),
    (*b"JOD", 3),
    (*b"JPY", 0),
    (*b"KES", 2),
    (*b"KGS", 2),
    (*b"KHR", 2),
    (*b"KMF", 0),
    (*b"KPW", 2),
    (*b"KRW", 0),
    (*b"KWD", 3),
    (*b"KYD", 2),
    (*b"KZT", 2),
    (*b"LAK", 2),
    (*b"LBP", 2),
    (*b"LKR", 2),
    (*b"LRD", 2),
    (*b"LSL", 2),
    (*b"LYD", 3),
    (*b"MAD", 2),
    (*b"MDL", 2),
    (*b"MGA", 2),
    (*b"MKD", 2),
    (*b"MMK", 2),
    (*b"MNT", 2),
    (*b"MOP", 2),
    (*b"MRU", 2),
    (*b"MUR", 2),
    (*b"MVR", 2),
    (*b"MWK", 2),
    (*b"MXN", 2),
    (*b"MYR", 2),
    (*b"MZN", 2),
    (*b"NAD", 2),
    (*b"NGN", 2),
    (*b"NIO", 2),
    (*b"NOK", 2),
    (*b"NPR", 2),
    (*b"NZD", 2),
    (*b"OMR", 3),
    (*b"PAB", 2),
    (*b"PEN", 2),
    (*b"PGK", 2),
    (*b"PHP", 2),
    (*b"PKR", 2),
    (*b"PLN", 2),
    (*b"PYG", 0),
    (*b"QAR", 2),
    (*b"RON", 2),
    (*b"RSD", 2),
    (*b"RUB", 2),
    (*b"RWF", 0),
    (*b"SAR", 2),
    (*b"SBD", 2),
    (*b"SCR", 2),
    (*b"SDG", 2),
    (*b"SEK", 2),
    (*b"SGD", 2),
    (*b"SHP", 2),
    (*b"SLE", 2),
    (*b"SOS", 2),
    (*b"SRD", 2),
    (*b"SSP", 2),
    (*b"STN", 2),
    (*b"SVC", 2),
    (*b"SYP", 2),
    (*b"SZL", 2),
    (*b"THB", 2),
    (*b"TJS", 2),
    (*b"TMT", 2),
    (*b"TND", 3),
    (*b"TOP", 2),
    (*b"TRY", 2),
    (*b"TTD", 2),
    (*b"TWD", 2),
    (*b"TZS", 2),
    (*b"UAH", 2),
    (*b"UGX", 0),
    (*b"USD", 2),
    (*b"UYU", 2),
    (*b"UZS", 2),
    (*b"VED", 2),
    (*b"VES", 2),
    (*b"VND", 0),
    (*b"VUV", 0),
    (*b"WST", 2),
    (*b"XAF", 0),
    (*b"XCD", 2),
    (*b"XCG", 2),
    (*b"XOF", 0),
    (*b"XPF", 0),
    (*b"YER", 2),
    (*b"ZAR", 2),
    (*b"ZMW", 2),
    (*b"ZWG", 2),
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
        let bytes: [u8; 3] = code.as_bytes().try_into().map_err(|_| unknown())?;
        let place = BY_CODE.get(code_index(bytes).ok_or_else(unknown)?);
        place
            .and_then(|place| Currency::at_place(*place))
            .ok_or_else(unknown)
    }

    /// The currency's place among the active codes, below 255: what a
    /// record packs it to (see [`at_place`](Currency::at_place)).
    pub(crate) fn place(self) -> u8 {
        code_index(self.code)
            .and_then(|at| BY_CODE.get(at))
            .copied()
            .unwrap_or(NO_CODE)
    }

    /// The currency at `place` among the active codes, as
    /// [`place`](Currency::place) gives it; nothing past the last.
    pub(crate) fn at_place(place: u8) -> Option<Currency> {
        ISO_4217
            .get(usize::from(place))
            .map(|&(code, minor_units)| Currency { code, minor_units })
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

/// Written as its code.
impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// Read from its code.
impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Currency, D::Error> {
        crate::wire::text(deserializer, Currency::new)
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
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
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

    /// Whether `other` is written as this amount is (as `Display` and
    /// serde write them): the same currency and value, at the same scale
    /// once widened to the currency's minor units. `==` compares values
    /// alone: `57.40 EUR` equals `57.400 EUR`, though the two are written
    /// two ways; `57 EUR` and `57.00 EUR` are written alike, as are
    /// `-0.00 EUR` and `0.00 EUR` (a zero is written without a sign). What
    /// a record drops because it reads back as another field must be
    /// written as that field is, not only equal to it.
    #[inline]
    pub(crate) fn written_as(&self, other: &Money) -> bool {
        self.currency == other.currency
            && (self.amount.serialize() == other.amount.serialize() || self.widened_as(other))
    }

    /// [`written_as`](Money::written_as) for figures not held alike: the
    /// same value at scales that differ, or a zero's sign, which the text
    /// shows at some scales and not at others (`-0 JPY`, `0.00 EUR`).
    /// Rare (a host's hand-written figure), so it compares the text
    /// itself, after checking the values.
    #[cold]
    #[inline(never)]
    fn widened_as(&self, other: &Money) -> bool {
        self.amount == other.amount && self.to_string() == other.to_string()
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
        write!(f, "{} {}", self.shown(), self.currency)
    }
}

impl Money {
    /// The amount as money is written: at the currency's minor units at
    /// least (`57.4 EUR` as `57.40 EUR`). Widening the scale only appends
    /// zeros: the value is unchanged.
    fn shown(&self) -> Decimal {
        let mut shown = self.amount;
        let minor = self.currency.minor_units();
        if shown.scale() < minor {
            shown.rescale(minor);
        }
        shown
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some((amount, code)) = written(s) {
            return Ok(Money::new(amount, Currency::new(code)?));
        }
        let malformed = || MoneyError::Malformed { text: s.to_owned() };
        let mut parts = s.split_whitespace();
        let (Some(amount), Some(code), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(malformed());
        };
        let amount = Decimal::from_str_exact(amount).map_err(|_| malformed())?;
        Ok(Money::new(amount, Currency::new(code)?))
    }
}

/// The amount and code of `text` in the shape this crate writes money,
/// `57.40 EUR`: digits with a point among them as [`plain_decimal`]
/// reads them, one space, three capital letters. Read so, without
/// decoding each character to ask whether it is whitespace, it is what
/// splitting on whitespace and reading the amount exactly gives; nothing
/// for any other text, which is read that way.
fn written(text: &str) -> Option<(Decimal, &str)> {
    let split = text.len().checked_sub(4)?;
    let (amount, code) = (text.get(..split)?, text.get(split..)?);
    let [b' ', letters @ ..] = <[u8; 4]>::try_from(code.as_bytes()).ok()? else {
        return None;
    };
    if !letters.iter().all(u8::is_ascii_uppercase) {
        return None;
    }
    Some((plain_decimal(amount)?, code.get(1..)?))
}

/// The `Decimal` that digits with a point among them, `57.40`, write,
/// exactly as [`Decimal::from_str_exact`] reads them (the scale is the
/// number of digits after the point, trailing zeros included), when the
/// digits make a number below 2^64, with at least one on each side of a
/// point if there is one; nothing for any other text (a sign, an
/// exponent, separators, more digits), which `from_str_exact` then reads,
/// or refuses. Its general reading takes several times as long.
fn plain_decimal(text: &str) -> Option<Decimal> {
    let mut mantissa = 0_u64;
    let mut point = None;
    for (at, byte) in text.bytes().enumerate() {
        match byte {
            b'0'..=b'9' => {
                mantissa = mantissa
                    .checked_mul(10)?
                    .checked_add(u64::from(byte & 0x0f))?;
            }
            b'.' if point.is_none() && at > 0 => point = Some(at),
            _ => return None,
        }
    }
    // The digits after the point, at least one if there is a point.
    let scale = match point {
        None if !text.is_empty() => 0,
        Some(at) => text
            .len()
            .checked_sub(at)?
            .checked_sub(1)
            .filter(|s| *s > 0)?,
        None => return None,
    };
    let scale = u32::try_from(scale)
        .ok()
        .filter(|scale| *scale <= Decimal::MAX_SCALE)?;
    // The low and high halves of the mantissa.
    Some(Decimal::from_parts(
        mantissa as u32,
        (mantissa >> 32) as u32,
        0,
        false,
        scale,
    ))
}

impl TryFrom<String> for Money {
    type Error = MoneyError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

/// Written as its text, `"57.40 EUR"`.
impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match money_text(self) {
            Some(text) => serializer.serialize_str(text.as_str()),
            None => serializer.collect_str(self),
        }
    }
}

/// Money's text as its `Display` writes it, `57.40 EUR`, for an amount
/// that is not negative and whose mantissa, at the currency's minor units
/// or more, is below 2^64 (every price and total in practice), written
/// digit by digit; nothing for other money, which `Display` writes.
fn money_text(money: &Money) -> Option<ShortText> {
    let parts = money.shown().unpack();
    if parts.negative || parts.hi != 0 {
        return None;
    }
    let mantissa = u64::from(parts.lo) | u64::from(parts.mid) << 32;
    // Past 19 places the whole part of a 64-bit mantissa is zero.
    let (whole, fraction) = match 10_u64.checked_pow(parts.scale) {
        Some(unit) => (mantissa.checked_div(unit)?, mantissa.checked_rem(unit)?),
        None => (0, mantissa),
    };
    let mut text = ShortText::new();
    text.push_number(whole)?;
    if parts.scale > 0 {
        text.push(b".")?;
        text.push_digits(fraction, usize::try_from(parts.scale).ok()?)?;
    }
    text.push(b" ")?;
    text.push(&money.currency.code)?;
    Some(text)
}

/// Read from its text, as [`FromStr`] reads it.
impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
        crate::wire::text(deserializer, Money::from_str)
    }
}

impl From<Money> for String {
    fn from(money: Money) -> Self {
        money.to_string()
    }
}

/// The most places apart two figures are compared in whole numbers: a
/// mantissa (below 2^96) times ten to that many fits 128 bits.
const MOST_PLACES: u32 = 9;

/// `a.cmp(&b)`, in whole numbers when their scales differ by at most
/// nine places (every amount of money, tier threshold and qualifying sum
/// the ledger compares on its hot paths): the mantissa at the smaller
/// scale is brought to the larger one in 128 bits, where it cannot
/// overflow. `Decimal`'s own comparison rescales in 96-bit parts, some
/// 60 to 95 instructions where scales differ (a threshold of `500`
/// against a spend of `1234.50`); figures further apart still go through
/// it.
pub(crate) fn compare_decimals(a: Decimal, b: Decimal) -> std::cmp::Ordering {
    let (x, y) = (a.mantissa(), b.mantissa());
    let (scale_a, scale_b) = (a.scale(), b.scale());
    let power = |places: u32| {
        let power = (places <= MOST_PLACES).then(|| crate::rounding::ten_to(places));
        power.flatten().map(i128::from)
    };
    // Below 2^96 times below 2^30: the products cannot wrap.
    let aligned = match scale_a.checked_sub(scale_b) {
        Some(0) => Some(x.cmp(&y)),
        Some(places) => power(places).map(|p| x.cmp(&y.wrapping_mul(p))),
        None => power(scale_b.wrapping_sub(scale_a)).map(|p| x.wrapping_mul(p).cmp(&y)),
    };
    aligned.unwrap_or_else(|| a.cmp(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Comparing in whole numbers agrees with `Decimal`'s comparison
        /// for every pair of figures: small and large, at scales near each
        /// other and far apart.
        #[test]
        fn decimals_compare_as_decimal_compares_them(
            a in proptest::num::i128::ANY,
            b in proptest::num::i128::ANY,
            scale_a in 0_u32..=28,
            scale_b in 0_u32..=28,
            shape in 0_u8..5,
        ) {
            let (a, b) = match shape {
                0 => (a % 1_000_000_000, b % 1_000_000_000),
                1 => (a >> 64, b >> 64),
                2 => (a >> 64, a >> 64),
                // Around 2^64.
                3 => (a % (1 << 66), b % (1 << 66)),
                _ => (a >> 32, b >> 32),
            };
            let (Ok(x), Ok(y)) = (
                Decimal::try_from_i128_with_scale(a, scale_a),
                Decimal::try_from_i128_with_scale(b, scale_b),
            ) else {
                return Ok(());
            };
            proptest::prop_assert_eq!(compare_decimals(x, y), x.cmp(&y));
            proptest::prop_assert_eq!(compare_decimals(y, x), y.cmp(&x));
            proptest::prop_assert_eq!(compare_decimals(x, x.normalize()), std::cmp::Ordering::Equal);
        }

        /// Two amounts are written alike exactly when their text is the
        /// same: a value at scales on either side of the currency's minor
        /// units, a zero with and without its minus sign, in currencies
        /// with none, two and three minor units.
        #[test]
        fn amounts_are_written_alike_when_their_text_is_the_same(
            mantissa in proptest::prop_oneof![-20_i128..20, -(1_i128 << 63)..(1_i128 << 63)],
            scale in 0_u32..6,
            widen in 0_u32..4,
            minus in proptest::bool::ANY,
            codes in (
                proptest::sample::select(vec!["EUR", "JPY", "KWD"]),
                proptest::sample::select(vec!["EUR", "JPY", "KWD"]),
            ),
        ) {
            let a = Decimal::try_from_i128_with_scale(mantissa, scale).unwrap();
            let factor = 10_i128.pow(widen);
            let mut b = Decimal::try_from_i128_with_scale(mantissa * factor, scale + widen).unwrap();
            if minus {
                b.set_sign_negative(!b.is_sign_negative());
            }
            let x = Money::new(a, codes.0.parse().unwrap());
            let y = Money::new(b, codes.1.parse().unwrap());
            for (p, q) in [(x, y), (y, x), (x, x)] {
                proptest::prop_assert_eq!(p.written_as(&q), p.to_string() == q.to_string(), "{} and {}", p, q);
            }
        }
    }

    proptest::proptest! {
        /// Whatever the shortcuts for money as this crate writes it
        /// (`57.40 EUR`) read, the general reading reads the same, to the
        /// scale: amounts of up to 25 digits with and without a point,
        /// and text near that shape (signs, exponents, separators, other
        /// spaces, lower-case codes), which the shortcuts leave to it.
        #[test]
        fn the_shortcuts_read_money_as_the_general_reading_does(
            amount in "[-+]?[0-9]{0,12}(\\.[0-9]{0,13})?",
            odd in "[ _eE,.\\t\u{a0}-]?",
            at in 0_usize..20,
            space in proptest::sample::select(vec![" ", "  ", "\t", "\u{a0}", " \u{2003}"]),
            code in proptest::sample::select(vec!["EUR", "JPY", "KWD", "eur", "EU", "EURO", "XYZ"]),
            around in proptest::sample::select(vec!["", " ", "\n"]),
        ) {
            let mut amount = amount;
            if at <= amount.len() && amount.is_char_boundary(at) {
                amount.insert_str(at, &odd);
            }
            let text = format!("{around}{amount}{space}{code}{around}");
            let general = || -> Option<Money> {
                let mut parts = text.split_whitespace();
                let (Some(amount), Some(code), None) = (parts.next(), parts.next(), parts.next())
                else {
                    return None;
                };
                Some(Money::new(Decimal::from_str_exact(amount).ok()?, Currency::new(code).ok()?))
            };
            let read = text.parse::<Money>().ok();
            proptest::prop_assert_eq!(
                read.map(|m| (m.amount().serialize(), m.currency())),
                general().map(|m| (m.amount().serialize(), m.currency())),
                "{:?}",
                text
            );
            if let Some((read, code)) = written(&text) {
                let parts: Vec<&str> = text.split_whitespace().collect();
                proptest::prop_assert_eq!(parts.len(), 2);
                proptest::prop_assert_eq!(parts.get(1), Some(&code));
                let exact = parts.first().and_then(|amount| Decimal::from_str_exact(amount).ok());
                proptest::prop_assert_eq!(exact.map(|d| d.serialize()), Some(read.serialize()));
            }
            if let Some(shortcut) = plain_decimal(&amount) {
                let exact = Decimal::from_str_exact(&amount).ok();
                proptest::prop_assert_eq!(Some(shortcut.serialize()), exact.map(|d| d.serialize()), "{:?}", amount);
            }
        }
    }

    proptest::proptest! {
        /// Money is written as its `Display` writes it, whether the
        /// shortcut writes it or not: amounts small and large (past 2^64
        /// and 2^96 once widened to the minor units), at scales from none
        /// to 28, either sign (a zero with a minus sign too), in
        /// currencies with none, two and three minor units. The shortcut
        /// writes every amount that is not negative and fits 64 bits.
        #[test]
        fn money_is_written_as_its_display_writes_it(
            mantissa in proptest::prop_oneof![
                0_i128..1_000_000,
                0_i128..(1_i128 << 64),
                0_i128..(1_i128 << 96),
            ],
            scale in 0_u32..=28,
            negative in proptest::bool::ANY,
            code in proptest::sample::select(vec!["EUR", "JPY", "KWD"]),
        ) {
            let mut amount = Decimal::try_from_i128_with_scale(mantissa, scale).unwrap();
            amount.set_sign_negative(negative);
            let money = Money::new(amount, code.parse().unwrap());
            let shown = money.to_string();
            proptest::prop_assert_eq!(
                serde_json::to_string(&money).unwrap(),
                serde_json::to_string(&shown).unwrap()
            );
            let text = money_text(&money);
            proptest::prop_assert_eq!(text.as_ref().map(ShortText::as_str), text.is_some().then_some(shown.as_str()));
            let widened = scale < money.currency().minor_units();
            if !negative && mantissa < 1 << 54 || !negative && !widened && mantissa < 1 << 64 {
                proptest::prop_assert!(text.is_some(), "{}", shown);
            }
        }
    }

    #[test]
    fn money_is_written_digit_by_digit_as_it_displays() {
        for (money, text) in [
            ("57.40 EUR", "57.40 EUR"),
            ("57.4 EUR", "57.40 EUR"),
            ("57 JPY", "57 JPY"),
            ("0 EUR", "0.00 EUR"),
            ("0.05 EUR", "0.05 EUR"),
            ("0.57 EUR", "0.57 EUR"),
            ("1.5 KWD", "1.500 KWD"),
            (
                "0.0000000000000000000000000001 EUR",
                "0.0000000000000000000000000001 EUR",
            ),
            ("18446744073709551615 JPY", "18446744073709551615 JPY"),
        ] {
            let money: Money = money.parse().unwrap();
            assert_eq!(money_text(&money).unwrap().as_str(), text);
            assert_eq!(money.to_string(), text);
        }
        for money in [
            "-1.00 EUR",
            "18446744073709551616 JPY",
            "18446744073709551615 EUR",
        ] {
            let money: Money = money.parse().unwrap();
            assert!(money_text(&money).is_none(), "{money}");
            let written = serde_json::to_string(&money).unwrap();
            assert_eq!(written, format!("\"{money}\""));
        }
    }

    #[test]
    fn money_as_written_is_read_to_the_scale_by_the_shortcut() {
        for (text, mantissa, scale) in [
            ("57.40 EUR", 5740, 2),
            ("57 EUR", 57, 0),
            ("0.00 EUR", 0, 2),
            ("007.50 EUR", 750, 2),
            ("1234567890123456789 JPY", 1_234_567_890_123_456_789, 0),
            ("0.123456789012345678 KWD", 123_456_789_012_345_678, 18),
            ("18446744073709551615 JPY", 18_446_744_073_709_551_615, 0),
            ("0.0000000000000000000000000001 EUR", 1, 28),
        ] {
            let (read, _) = written(text).unwrap();
            assert_eq!((read.mantissa(), read.scale()), (mantissa, scale), "{text}");
            let money: Money = text.parse().unwrap();
            assert_eq!(money.amount().serialize(), read.serialize(), "{text}");
        }
        for amount in [
            "-1.00",
            "+1",
            "1e3",
            "1_000",
            ".5",
            "5.",
            "1.2.3",
            "18446744073709551616",
            "0.12345678901234567890123456789",
            "",
        ] {
            assert_eq!(plain_decimal(amount), None, "{amount}");
        }
        for text in [
            "57.40  EUR",
            " 57.40 EUR",
            "57.40 EUR ",
            "57.40\tEUR",
            "57.40 eur",
        ] {
            assert_eq!(written(text), None, "{text}");
        }
    }

    #[test]
    fn amounts_written_alike() {
        let m = |s: &str| s.parse::<Money>().unwrap();
        for (a, b, alike) in [
            ("57.40 EUR", "57.40 EUR", true),
            ("57.40 EUR", "57.400 EUR", false),
            ("57 EUR", "57.00 EUR", true),
            ("57.4 EUR", "57.40 EUR", true),
            ("0 EUR", "0.00 EUR", true),
            ("-0.00 EUR", "0.00 EUR", true),
            ("-0.000 EUR", "0.00 EUR", false),
            ("5 JPY", "5.0 JPY", false),
            ("57.40 EUR", "57.40 USD", false),
        ] {
            assert_eq!(m(a).written_as(&m(b)), alike, "{a} and {b}");
            assert_eq!(m(a).to_string() == m(b).to_string(), alike, "{a} and {b}");
        }
    }

    #[test]
    fn decimals_compare_across_scales() {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        for (a, b, order) in [
            ("500", "1234.50", Less),
            ("500", "500.00", Equal),
            ("-0.00", "0", Equal),
            ("-1.5", "-1.49", Less),
            // Past nine places apart: `Decimal` answers.
            ("1", "0.0000000000000000000000000001", Greater),
        ] {
            assert_eq!(compare_decimals(d(a), d(b)), order, "{a} against {b}");
        }
        assert_eq!(compare_decimals(Decimal::MAX, Decimal::MIN), Greater);
    }

    #[test]
    fn the_currency_table_is_sorted_and_well_formed() {
        assert!(ISO_4217.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(
            ISO_4217
                .iter()
                .all(|(c, m)| c.iter().all(|b| b.is_ascii_uppercase()) && *m <= 3)
        );
        for (code, minor) in ISO_4217 {
            let code = std::str::from_utf8(code).unwrap();
            let currency = Currency::new(code).unwrap();
            assert_eq!(currency.code(), code);
            assert_eq!(currency.minor_units(), u32::from(*minor));
            assert_eq!(Currency::at_place(currency.place()), Some(currency));
        }
        assert!(ISO_4217.len() < usize::from(NO_CODE));
        assert_eq!(Currency::at_place(NO_CODE), None);
    }

    #[test]
    fn every_three_letter_code_is_found_exactly_when_the_table_has_it() {
        let letters = b'A'..=b'Z';
        let mut found = 0;
        for a in letters.clone() {
            for b in letters.clone() {
                for c in letters.clone() {
                    let code = [a, b, c];
                    let listed = ISO_4217.iter().find(|(listed, _)| *listed == code);
                    let text = std::str::from_utf8(&code).unwrap();
                    match (Currency::new(text), listed) {
                        (Ok(currency), Some((_, minor))) => {
                            assert_eq!(currency.minor_units(), u32::from(*minor));
                            found += 1;
                        }
                        (Err(unknown), None) => assert_eq!(unknown.code, text),
                        (read, listed) => panic!("{text}: {read:?} against {listed:?}"),
                    }
                }
            }
        }
        assert_eq!(found, ISO_4217.len());
        for code in ["eur", "EU", "EURO", "", "E\u{0}R", "@UR", "[UR", "EU\u{e9}"] {
            assert!(Currency::new(code).is_err(), "{code}");
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
            assert_eq!(Currency::at_place(c.place()), Some(c));
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
