//! What the customer buys: lines, and the order's shipping, tax, discount and
//! gift-card portions.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::{Category, Currency, Money, Sku};

/// One line of a cart: a product, how many, at what price.
///
/// # Example
///
/// ```
/// use loyalty::Line;
///
/// let boots = Line::new("BOOT-41".parse()?, 2, "60.00 EUR".parse()?)
///     .category("shoes".parse()?)
///     .discount("10.00 EUR".parse()?);
/// assert_eq!(boots.net()?.to_string(), "110.00 EUR");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Line {
    /// The product; absent for a line that only states an amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<Sku>,
    /// The categories and collections the product belongs to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// How many. At least 1.
    pub quantity: u32,
    /// The price of one, before tax.
    pub unit_price: Money,
    /// A discount on the whole line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Money>,
}

impl Line {
    /// `quantity` of `sku` at `unit_price` each.
    pub fn new(sku: Sku, quantity: u32, unit_price: Money) -> Line {
        Line {
            sku: Some(sku),
            categories: Vec::new(),
            quantity,
            unit_price,
            discount: None,
        }
    }

    /// A line that only states an amount: no product, quantity 1.
    pub fn amount(amount: Money) -> Line {
        Line {
            sku: None,
            categories: Vec::new(),
            quantity: 1,
            unit_price: amount,
            discount: None,
        }
    }

    /// Adds a category or collection.
    pub fn category(mut self, category: Category) -> Line {
        self.categories.push(category);
        self
    }

    /// Sets the discount on the whole line.
    pub fn discount(mut self, discount: Money) -> Line {
        self.discount = Some(discount);
        self
    }

    /// Whether the line belongs to any of `categories`.
    pub fn in_any(&self, categories: &[Category]) -> bool {
        self.categories.iter().any(|c| categories.contains(c))
    }

    /// `quantity × unit_price − discount`.
    ///
    /// # Errors
    ///
    /// [`CartError::Overflow`] when the product does not fit, and
    /// [`CartError::MixedCurrencies`] when the discount is in another
    /// currency.
    pub fn net(&self) -> Result<Money, CartError> {
        let gross = self
            .unit_price
            .amount()
            .checked_mul(Decimal::from(self.quantity))
            .ok_or(CartError::Overflow)?;
        let discount = match self.discount {
            Some(d) if d.currency() != self.unit_price.currency() => {
                return Err(CartError::MixedCurrencies {
                    expected: self.unit_price.currency(),
                    actual: d.currency(),
                });
            }
            Some(d) => d.amount(),
            None => Decimal::ZERO,
        };
        let net = gross.checked_sub(discount).ok_or(CartError::Overflow)?;
        Ok(Money::new(net, self.unit_price.currency()))
    }
}

/// What the customer buys, or bought: lines, and the order's shipping, tax,
/// promotional discount and the part paid with gift cards.
///
/// The cart's total is Σ line nets + shipping + tax − discount. Prices are
/// before tax; a shop that shows prices with tax included sends the net
/// prices and the tax separately. Discounts paid with points are not part of
/// the cart: they come from the redemptions the purchase links.
///
/// # Example
///
/// ```
/// use loyalty::{Cart, Line};
///
/// let cart = Cart::of([
///         Line::new("JKT-1".parse()?, 1, "89.90 EUR".parse()?).category("outerwear".parse()?),
///         Line::new("SCF-2".parse()?, 2, "12.50 EUR".parse()?).category("accessories".parse()?),
///     ])
///     .shipping("4.95 EUR".parse()?)
///     .discount("10.00 EUR".parse()?);
/// assert_eq!(cart.total()?.to_string(), "109.85 EUR");
///
/// // A cart that only states its total.
/// assert_eq!(Cart::new("80.00 EUR".parse()?).total()?.to_string(), "80.00 EUR");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Cart {
    /// The products.
    #[serde(default)]
    pub lines: Vec<Line>,
    /// Shipping charged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping: Option<Money>,
    /// Tax charged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax: Option<Money>,
    /// Promotional discount on the whole order (a coupon), spread over the
    /// lines in proportion to their value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Money>,
    /// The part of the payment made with gift cards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift_card: Option<Money>,
}

impl Cart {
    /// A cart that only states its total: one line of that amount.
    pub fn new(total: Money) -> Cart {
        Cart::of([Line::amount(total)])
    }

    /// A cart of these lines.
    pub fn of(lines: impl IntoIterator<Item = Line>) -> Cart {
        Cart {
            lines: lines.into_iter().collect(),
            ..Cart::default()
        }
    }

    /// Adds a line.
    pub fn line(mut self, line: Line) -> Cart {
        self.lines.push(line);
        self
    }

    /// Sets the shipping charged.
    pub fn shipping(mut self, shipping: Money) -> Cart {
        self.shipping = Some(shipping);
        self
    }

    /// Sets the tax charged.
    pub fn tax(mut self, tax: Money) -> Cart {
        self.tax = Some(tax);
        self
    }

    /// Sets the promotional discount on the whole order.
    pub fn discount(mut self, discount: Money) -> Cart {
        self.discount = Some(discount);
        self
    }

    /// Sets the part of the payment made with gift cards.
    pub fn gift_card(mut self, gift_card: Money) -> Cart {
        self.gift_card = Some(gift_card);
        self
    }

    /// The cart's currency: that of its first amount.
    pub fn currency(&self) -> Option<Currency> {
        self.lines
            .first()
            .map(|l| l.unit_price.currency())
            .or(self.shipping.map(|m| m.currency()))
            .or(self.tax.map(|m| m.currency()))
    }

    /// Σ line nets + shipping + tax − discount.
    ///
    /// # Errors
    ///
    /// [`CartError`] when the cart is inconsistent (see [`Cart::check`]).
    pub fn total(&self) -> Result<Money, CartError> {
        Ok(self.check()?.total)
    }

    /// The value of the lines after their own discounts.
    ///
    /// # Errors
    ///
    /// [`CartError`] when the cart is inconsistent (see [`Cart::check`]).
    pub fn merchandise(&self) -> Result<Money, CartError> {
        Ok(self.check()?.merchandise)
    }

    /// Checks the cart: one currency, no negative amounts, quantities of at
    /// least 1, discounts no larger than what they discount, gift cards no
    /// larger than the total.
    ///
    /// # Errors
    ///
    /// The first [`CartError`] found, with the numbers involved.
    pub fn check(&self) -> Result<CheckedCart, CartError> {
        self.check_listing(true)
    }

    /// As [`Cart::check`]; with `list` false, a cart without an order
    /// discount to spread leaves [`CheckedCart::lines`] empty, as each
    /// line's value is then its net: the reward rules work out the few
    /// values they read ([`CheckedCart::value_of`]), and a redemption
    /// allocates no list.
    pub(crate) fn check_listing(&self, list: bool) -> Result<CheckedCart, CartError> {
        match self.sole_amount(list) {
            Some(checked) => Ok(checked),
            None => self.check_in_full(list),
        }
    }

    /// The checked figures of the cart [`Cart::new`] makes, one line
    /// stating a positive amount with nothing else charged or taken off:
    /// what a redemption or a quote is most often handed. Its
    /// merchandise and total are that amount exactly (times one, less
    /// nothing, plus nothing), as [`check_in_full`](Cart::check_in_full)
    /// works them out in about 350 instructions; `None` for any other
    /// cart, a zero or negative amount included.
    fn sole_amount(&self, list: bool) -> Option<CheckedCart> {
        let ([line], None, None, None, None) = (
            self.lines.as_slice(),
            self.shipping,
            self.tax,
            self.discount,
            self.gift_card,
        ) else {
            return None;
        };
        let price = line.unit_price;
        if line.quantity != 1
            || line.discount.is_some()
            || price.amount().is_sign_negative()
            || price.is_zero()
        {
            return None;
        }
        Some(CheckedCart {
            currency: price.currency(),
            lines: if list {
                vec![price.amount()]
            } else {
                Vec::new()
            },
            shipping: Decimal::ZERO,
            tax: Decimal::ZERO,
            gift_card: Decimal::ZERO,
            merchandise: price,
            total: price,
        })
    }

    /// [`check_listing`](Cart::check_listing) for any cart, line by line.
    fn check_in_full(&self, list: bool) -> Result<CheckedCart, CartError> {
        let currency = self.currency().ok_or(CartError::Empty)?;
        // The field's name is written only for the error that needs it.
        let money = |field: &dyn Fn() -> String, m: Option<Money>| -> Result<Decimal, CartError> {
            match m {
                None => Ok(Decimal::ZERO),
                Some(m) if m.currency() != currency => Err(CartError::MixedCurrencies {
                    expected: currency,
                    actual: m.currency(),
                }),
                Some(m) if m.is_negative() => Err(CartError::Negative {
                    field: field(),
                    amount: m,
                }),
                Some(m) => Ok(m.amount()),
            }
        };
        let list = list || self.discount.is_some_and(|d| !d.is_zero());
        let mut nets = Vec::with_capacity(if list { self.lines.len() } else { 0 });
        // Summed as the lines are checked; an overflow is reported after
        // every line is.
        let mut merchandise = Some(Decimal::ZERO);
        for (i, line) in self.lines.iter().enumerate() {
            money(&|| format!("lines[{i}].unit_price"), Some(line.unit_price))?;
            let discount = money(&|| format!("lines[{i}].discount"), line.discount)?;
            if line.quantity == 0 {
                return Err(CartError::ZeroQuantity { line: i });
            }
            let net = line.net()?;
            if net.is_negative() {
                return Err(CartError::LineDiscountExceedsLine {
                    line: i,
                    discount: Money::new(discount, currency),
                    amount: Money::new(
                        net.amount()
                            .checked_add(discount)
                            .ok_or(CartError::Overflow)?,
                        currency,
                    ),
                });
            }
            merchandise = merchandise.and_then(|m| m.checked_add(net.amount()));
            if list {
                nets.push(net.amount());
            }
        }
        let merchandise = merchandise.ok_or(CartError::Overflow)?;
        let shipping = money(&|| "shipping".into(), self.shipping)?;
        let tax = money(&|| "tax".into(), self.tax)?;
        let discount = money(&|| "discount".into(), self.discount)?;
        let gift_card = money(&|| "gift_card".into(), self.gift_card)?;
        if discount > merchandise {
            return Err(CartError::DiscountExceedsMerchandise {
                discount: Money::new(discount, currency),
                merchandise: Money::new(merchandise, currency),
            });
        }
        let total = merchandise
            .checked_add(shipping)
            .and_then(|t| t.checked_add(tax))
            .and_then(|t| t.checked_sub(discount))
            .ok_or(CartError::Overflow)?;
        if gift_card > total {
            return Err(CartError::GiftCardExceedsTotal {
                gift_card: Money::new(gift_card, currency),
                total: Money::new(total, currency),
            });
        }
        // The order's discount, spread over the lines. Without one, each
        // share would be zero and the lines their nets, exactly (a zero
        // taken off leaves a figure's scale as it was).
        let lines = if discount.is_zero() {
            nets
        } else {
            let scale = currency.minor_units().max(discount.scale());
            let shares = allocate(discount, &nets, scale).ok_or(CartError::Overflow)?;
            nets.iter()
                .zip(shares)
                .map(|(net, share)| net.checked_sub(share).ok_or(CartError::Overflow))
                .collect::<Result<Vec<_>, _>>()?
        };
        Ok(CheckedCart {
            currency,
            lines,
            shipping,
            tax,
            gift_card,
            merchandise: Money::new(merchandise, currency),
            total: Money::new(total, currency),
        })
    }
}

/// What a discount paid with points applied to, recorded with each
/// redemption: the earn rules take it off those parts of the order, so
/// points never earn points.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "to", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum DiscountTarget {
    /// The lines of these categories; all lines when empty.
    Lines {
        /// The categories.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        categories: Vec<Category>,
    },
    /// Shipping.
    Shipping,
    /// The lines of one product.
    Product {
        /// The product.
        sku: Sku,
    },
    /// Nothing in the order (a donation).
    Nothing,
}

impl DiscountTarget {
    /// Whether it is every line of the order.
    pub fn is_all_lines(&self) -> bool {
        matches!(self, DiscountTarget::Lines { categories } if categories.is_empty())
    }
}

impl Default for DiscountTarget {
    fn default() -> Self {
        DiscountTarget::Lines {
            categories: Vec::new(),
        }
    }
}

/// A cart that passed [`Cart::check`], with the amounts the rules work on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct CheckedCart {
    /// The cart's currency.
    pub currency: Currency,
    /// Each line's value after its own discount and its share of the
    /// order's discount, in line order.
    pub lines: Vec<Decimal>,
    /// Shipping.
    pub shipping: Decimal,
    /// Tax.
    pub tax: Decimal,
    /// The part paid with gift cards.
    pub gift_card: Decimal,
    /// The lines' value after their own discounts.
    pub merchandise: Money,
    /// The cart's total.
    pub total: Money,
}

impl CheckedCart {
    /// Whether [`lines`](CheckedCart::lines) lists the value of every line
    /// of `cart`, the cart this was checked from: it does, unless
    /// [`Cart::check_listing`] left the list out.
    pub(crate) fn lists(&self, cart: &Cart) -> bool {
        self.lines.len() == cart.lines.len()
    }

    /// The value of `line`, the `i`th of `cart` (the cart this was checked
    /// from): as listed, or its net when the list was left out (no order
    /// discount took a share of it).
    pub(crate) fn value_of(
        &self,
        cart: &Cart,
        i: usize,
        line: &Line,
    ) -> Result<Decimal, CartError> {
        match self.lines.get(i) {
            Some(value) if self.lists(cart) => Ok(*value),
            _ => line.net().map(|net| net.amount()),
        }
    }
}

/// What is wrong with a cart.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CartError {
    /// No lines, shipping or tax: nothing to price.
    #[error("the cart is empty")]
    Empty,
    /// Amounts in more than one currency.
    #[error("the cart mixes {expected} and {actual}")]
    MixedCurrencies {
        /// The cart's currency.
        expected: Currency,
        /// The other currency.
        actual: Currency,
    },
    /// A negative amount.
    #[error("{field} is negative ({amount})")]
    Negative {
        /// The field, such as `lines[2].unit_price`.
        field: String,
        /// The amount.
        amount: Money,
    },
    /// A line of zero items.
    #[error("lines[{line}].quantity must be at least 1")]
    ZeroQuantity {
        /// The line's position.
        line: usize,
    },
    /// A line discount larger than the line.
    #[error("lines[{line}].discount of {discount} exceeds the line's {amount}")]
    LineDiscountExceedsLine {
        /// The line's position.
        line: usize,
        /// The discount.
        discount: Money,
        /// The line before the discount.
        amount: Money,
    },
    /// An order discount larger than the merchandise.
    #[error("discount of {discount} exceeds the merchandise of {merchandise}")]
    DiscountExceedsMerchandise {
        /// The discount.
        discount: Money,
        /// The lines' value.
        merchandise: Money,
    },
    /// A gift-card payment larger than the total.
    #[error("gift card payment of {gift_card} exceeds the total of {total}")]
    GiftCardExceedsTotal {
        /// The gift-card payment.
        gift_card: Money,
        /// The cart's total.
        total: Money,
    },
    /// An amount too large to compute with.
    #[error("the cart's amounts are out of range")]
    Overflow,
}

/// Splits `amount` over `weights` in proportion, in whole units of
/// `10^-scale`, so that the shares add up to `amount` exactly: each share is
/// rounded down, then the units left go to the largest remainders (ties to
/// the earlier weight). All weight zero: `amount` must be zero too.
pub(crate) fn allocate(amount: Decimal, weights: &[Decimal], scale: u32) -> Option<Vec<Decimal>> {
    let total = weights
        .iter()
        .try_fold(Decimal::ZERO, |a, w| a.checked_add(*w))?;
    if total.is_zero() {
        return amount.is_zero().then(|| vec![Decimal::ZERO; weights.len()]);
    }
    let unit = Decimal::new(1, scale.min(28));
    let mut shares = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut given = Decimal::ZERO;
    for (i, w) in weights.iter().enumerate() {
        let exact = amount.checked_mul(*w)?.checked_div(total)?;
        let share =
            exact.round_dp_with_strategy(scale.min(28), RoundingStrategy::ToNegativeInfinity);
        given = given.checked_add(share)?;
        remainders.push((exact.checked_sub(share)?, i));
        shares.push(share);
    }
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut left = amount.checked_sub(given)?;
    for (_, i) in remainders
        .iter()
        .cycle()
        .take(weights.len().saturating_mul(2))
    {
        if left < unit {
            break;
        }
        let share = shares.get_mut(*i)?;
        *share = share.checked_add(unit)?;
        left = left.checked_sub(unit)?;
    }
    Some(shares)
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sku {
            Some(sku) => write!(f, "{} × {sku} at {}", self.quantity, self.unit_price),
            None => write!(f, "{}", self.unit_price),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn eur(s: &str) -> Money {
        Money::new(d(s), Currency::EUR)
    }

    #[test]
    fn allocation_adds_up_exactly_in_cents() {
        let shares = allocate(d("10.00"), &[d("10"), d("10"), d("10")], 2).unwrap();
        assert_eq!(shares, [d("3.34"), d("3.33"), d("3.33")]);
        let shares = allocate(d("0.05"), &[d("1"), d("3")], 2).unwrap();
        assert_eq!(shares, [d("0.01"), d("0.04")]);
        let shares = allocate(d("7.00"), &[d("0"), d("14.00")], 2).unwrap();
        assert_eq!(shares, [d("0"), d("7.00")]);
        assert_eq!(allocate(d("1"), &[d("0")], 2), None);
        assert_eq!(allocate(d("0"), &[d("0")], 2), Some(vec![d("0")]));
    }

    #[test]
    fn a_cart_spreads_its_discount_over_the_lines() {
        let cart = Cart::of([
            Line::new("A".parse().unwrap(), 1, eur("30.00")),
            Line::new("B".parse().unwrap(), 2, eur("30.00")).discount(eur("30.00")),
        ])
        .shipping(eur("4.95"))
        .tax(eur("1.05"))
        .discount(eur("10.00"));
        let checked = cart.check().unwrap();
        assert_eq!(checked.lines, [d("25.00"), d("25.00")]);
        assert_eq!(checked.total, eur("56.00"));
        assert_eq!(checked.merchandise, eur("60.00"));
    }

    #[test]
    fn inconsistent_carts_are_refused_with_the_numbers() {
        let line = |p: &str| Line::new("A".parse().unwrap(), 1, eur(p));
        assert_eq!(Cart::default().check().unwrap_err(), CartError::Empty);
        assert_eq!(
            Cart::of([line("5")])
                .discount(eur("6"))
                .check()
                .unwrap_err()
                .to_string(),
            "discount of 6.00 EUR exceeds the merchandise of 5.00 EUR"
        );
        assert_eq!(
            Cart::of([line("5").discount(eur("7"))])
                .check()
                .unwrap_err()
                .to_string(),
            "lines[0].discount of 7.00 EUR exceeds the line's 5.00 EUR"
        );
        assert_eq!(
            Cart::of([line("5")])
                .gift_card(eur("6"))
                .check()
                .unwrap_err()
                .to_string(),
            "gift card payment of 6.00 EUR exceeds the total of 5.00 EUR"
        );
        assert_eq!(
            Cart::of([line("5")])
                .shipping(Money::new(d("1"), Currency::USD))
                .check()
                .unwrap_err(),
            CartError::MixedCurrencies {
                expected: Currency::EUR,
                actual: Currency::USD
            }
        );
        assert_eq!(
            Cart::of([line("-5")]).check().unwrap_err().to_string(),
            "lines[0].unit_price is negative (-5.00 EUR)"
        );
        // Each negative figure is named, with its line.
        let negative = |cart: Cart| match cart.check() {
            Err(CartError::Negative { field, .. }) => field,
            other => format!("{other:?}"),
        };
        let two = || Cart::of([line("5"), line("4")]);
        assert_eq!(
            negative(Cart::of([line("5"), line("4").discount(eur("-1"))])),
            "lines[1].discount"
        );
        assert_eq!(negative(two().shipping(eur("-1"))), "shipping");
        assert_eq!(negative(two().tax(eur("-1"))), "tax");
        assert_eq!(negative(two().discount(eur("-1"))), "discount");
        assert_eq!(negative(two().gift_card(eur("-1"))), "gift_card");
        let mut zero = line("5");
        zero.quantity = 0;
        assert_eq!(
            Cart::of([zero]).check().unwrap_err(),
            CartError::ZeroQuantity { line: 0 }
        );
    }

    proptest::proptest! {
        /// Without an order discount (none, or a zero of any scale), the
        /// checked lines are what spreading a zero over them gives:
        /// equal, and written to the same scale.
        #[test]
        fn a_zero_discount_leaves_each_line_as_spreading_it_would(
            prices in proptest::collection::vec((0i64..1_000_000, 0u32..5, 1u32..4), 1..6),
            discount in proptest::option::of(0u32..4),
        ) {
            let lines: Vec<Line> = prices
                .iter()
                .map(|(units, scale, quantity)| {
                    let price = Money::new(Decimal::new(*units, *scale), Currency::EUR);
                    Line::new("A".parse().unwrap(), *quantity, price)
                })
                .collect();
            let mut cart = Cart::of(lines);
            if let Some(scale) = discount {
                cart = cart.discount(Money::new(Decimal::new(0, scale), Currency::EUR));
            }
            let checked = cart.check().unwrap();
            let nets: Vec<Decimal> =
                cart.lines.iter().map(|l| l.net().unwrap().amount()).collect();
            let zero = cart.discount.map_or(Decimal::ZERO, |m| m.amount());
            let scale = Currency::EUR.minor_units().max(zero.scale());
            let shares = allocate(zero, &nets, scale).unwrap();
            let spread: Vec<Decimal> =
                nets.iter().zip(shares).map(|(n, s)| n.checked_sub(s).unwrap()).collect();
            proptest::prop_assert_eq!(&checked.lines, &spread);
            for (line, expected) in checked.lines.iter().zip(&spread) {
                proptest::prop_assert_eq!(line.scale(), expected.scale());
            }
        }

        /// A cart of one line, whatever its amount (zero, a negative zero,
        /// any scale, the largest mantissa), quantity and line discount,
        /// with or without the order's other amounts, checks to the same
        /// figures, written to the same scale, or to the same error, as
        /// checked line by line: the sole amount's short way is taken
        /// only where it gives what the full check gives.
        #[test]
        fn a_cart_of_one_amount_checks_as_in_full(
            mantissa in proptest::prop_oneof![
                -1_000_000i128..1_000_000,
                proptest::strategy::Just(0i128),
                proptest::strategy::Just((1i128 << 96) - 1),
            ],
            scale in 0u32..29,
            negative_zero in proptest::bool::ANY,
            quantity in proptest::prop_oneof![proptest::strategy::Just(1u32), 0u32..4],
            line_discount in proptest::option::of(0i64..500),
            shipping in proptest::option::of(0i64..500),
            discount in proptest::option::of(0i64..500),
            gift_card in proptest::option::of(0i64..500),
            list in proptest::bool::ANY,
        ) {
            let mut amount = Decimal::from_i128_with_scale(mantissa, scale);
            if negative_zero && amount.is_zero() {
                amount.set_sign_negative(true);
            }
            let mut line = Line::new("A".parse().unwrap(), quantity, Money::new(amount, Currency::EUR));
            line.discount = line_discount.map(|c| Money::new(Decimal::new(c, 2), Currency::EUR));
            let mut cart = Cart::of([line]);
            let cents = |c: i64| Money::new(Decimal::new(c, 2), Currency::EUR);
            cart.shipping = shipping.map(cents);
            cart.discount = discount.map(cents);
            cart.gift_card = gift_card.map(cents);
            let (short, full) = (cart.check_listing(list), cart.check_in_full(list));
            proptest::prop_assert_eq!(&short, &full);
            if let (Ok(short), Ok(full)) = (short, full) {
                let written = |c: &CheckedCart| {
                    (
                        c.lines.iter().map(Decimal::serialize).collect::<Vec<_>>(),
                        [c.shipping, c.tax, c.gift_card, c.merchandise.amount(), c.total.amount()]
                            .map(|d| d.serialize()),
                    )
                };
                proptest::prop_assert_eq!(written(&short), written(&full));
            }
        }
    }

    #[test]
    fn a_cart_of_one_positive_amount_takes_the_short_way() {
        let line = |price: &str| Line::new("A".parse().unwrap(), 1, eur(price));
        let cart = Cart::new(eur("80.00"));
        let checked = cart.sole_amount(false).unwrap();
        assert_eq!(checked.total, eur("80.00"));
        assert_eq!(checked.merchandise, eur("80.00"));
        assert!(checked.lines.is_empty());
        assert_eq!(cart.sole_amount(true).unwrap().lines, vec![d("80.00")]);
        // Anything else is checked in full.
        assert!(Cart::new(eur("0.00")).sole_amount(false).is_none());
        assert!(Cart::new(eur("-1.00")).sole_amount(false).is_none());
        assert!(
            Cart::new(eur("80.00"))
                .shipping(eur("4.90"))
                .sole_amount(false)
                .is_none()
        );
        assert!(
            Cart::of([line("5"), line("6")])
                .sole_amount(false)
                .is_none()
        );
        let mut two = line("5");
        two.quantity = 2;
        assert!(Cart::of([two]).sole_amount(false).is_none());
    }
}
