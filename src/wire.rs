//! Reading the crate's values from serde formats without the detours
//! serde's derives take: text read where the format hands it over
//! (borrowed from the input when it can) instead of through an owned
//! `String`, and enums tagged inside their map (`{"type":
//! "PurchaseRecorded", ...}`) read straight from the map when the tag
//! comes first, as this crate writes it, instead of being buffered whole.
//!
//! A derived internally tagged enum cannot know which variant it reads
//! until it has seen the tag, so it buffers every entry of the map into a
//! self-describing value first, then reads the variant from the buffer:
//! an allocation per key, per text value and per nested map, for every
//! event of a replayed log. [`tagged`] looks at the first key instead.
//! When it is the tag, the rest of the map is read directly as the
//! variant. When it is not (a store that sorts keys, such as PostgreSQL's
//! `jsonb`, or a log written by hand), the entries are buffered into a
//! [`Value`] as the derive would, and the variant is read from that: the
//! same events, the same errors, only slower.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, MapDeserializer, SeqDeserializer};
use serde::de::{
    self, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};
use serde::{Deserialize, Deserializer};

/// Short ASCII text written on the stack, digit by digit: what money and
/// times write themselves into for a serializer (see `Money`'s
/// `Serialize` and [`time_text`](crate::time_text)), where `Display`
/// and chrono go through the formatter a piece at a time, about a third
/// of writing a stored purchase event for its amounts and a sixth for
/// each of its times.
pub(crate) struct ShortText {
    /// Room for the longest of them: money with 28 digits after the point
    /// and its code, 34 bytes.
    bytes: [u8; 40],
    len: usize,
}

impl ShortText {
    /// No text yet.
    pub(crate) const fn new() -> ShortText {
        ShortText {
            bytes: [0; 40],
            len: 0,
        }
    }

    /// Appends `bytes` (ASCII); nothing if there is no room.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> Option<()> {
        let end = self.len.checked_add(bytes.len())?;
        self.bytes.get_mut(self.len..end)?.copy_from_slice(bytes);
        self.len = end;
        Some(())
    }

    /// Appends the last `width` decimal digits of `value`, zeros in front;
    /// nothing if there is no room.
    pub(crate) fn push_digits(&mut self, mut value: u64, width: usize) -> Option<()> {
        let end = self.len.checked_add(width)?;
        for digit in self.bytes.get_mut(self.len..end)?.iter_mut().rev() {
            *digit = b'0' | (value % 10) as u8;
            value /= 10;
        }
        self.len = end;
        Some(())
    }

    /// Appends `value` in as many decimal digits as it takes.
    pub(crate) fn push_number(&mut self, value: u64) -> Option<()> {
        let width = value
            .checked_ilog10()
            .map_or(1, |places| (places as usize).saturating_add(1));
        self.push_digits(value, width)
    }

    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        self.bytes
            .get(..self.len)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .unwrap_or_default()
    }
}

/// Reads text with `parse`, as `String`'s own reading would hand it over
/// but without the allocation: what ids, money and currencies read
/// through, their errors as `parse` words them.
pub(crate) fn text<'de, D, T, E>(
    deserializer: D,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    E: fmt::Display,
{
    deserializer.deserialize_str(Text(parse))
}

/// The visitor of [`text`].
struct Text<F>(F);

impl<'de, F, T, E> Visitor<'de> for Text<F>
where
    F: FnOnce(&str) -> Result<T, E>,
    E: fmt::Display,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<Er: de::Error>(self, text: &str) -> Result<T, Er> {
        (self.0)(text).map_err(Er::custom)
    }

    fn visit_bytes<Er: de::Error>(self, bytes: &[u8]) -> Result<T, Er> {
        let text = utf8(bytes, &self)?;
        self.visit_str(text)
    }
}

/// Bytes a format handed over where text was expected, as text if they
/// are UTF-8; refused as what `expected` did not expect otherwise.
fn utf8<'b, E: de::Error>(bytes: &'b [u8], expected: &dyn de::Expected) -> Result<&'b str, E> {
    std::str::from_utf8(bytes).map_err(|_| E::invalid_value(Unexpected::Bytes(bytes), expected))
}

/// An enum written as a map whose entry under [`TAG`](Tagged::TAG) names
/// the variant, the variant's own fields beside it.
pub(crate) trait Tagged: Sized {
    /// The key that names the variant.
    const TAG: &'static str;
    /// What a value of the enum is called in errors ("an event").
    const EXPECTING: &'static str;

    /// Reads the variant called `name` from `fields`: the map's other
    /// entries.
    fn variant<'de, D: Deserializer<'de>>(name: &str, fields: D) -> Result<Self, D::Error>;
}

/// The body of a [`Tagged::variant`] whose variants each hold a struct of
/// their own name: reads the variant of `$enum` called `$name` from
/// `$fields`, each named as written (`"enroll" => Enroll`) or by the
/// variant's own name (`PurchaseRecorded`); any other name is serde's
/// unknown-variant error, listing the names.
macro_rules! variant_by_name {
    ($enum:ident, $name:expr, $fields:expr; $($tag:expr => $variant:ident),* $(,)?) => {
        match $name {
            $(name if name == $tag => $variant::deserialize($fields).map($enum::$variant),)*
            name => Err(serde::de::Error::unknown_variant(name, &[$($tag),*])),
        }
    };
    ($enum:ident, $name:expr, $fields:expr; $($variant:ident),* $(,)?) => {
        $crate::wire::variant_by_name!($enum, $name, $fields; $(stringify!($variant) => $variant),*)
    };
}
pub(crate) use variant_by_name;

/// Reads a [`Tagged`] enum: straight from the map when the tag is its
/// first key, from the map's entries buffered whole otherwise.
pub(crate) fn tagged<'de, T: Tagged, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(TagFirst(PhantomData))
}

/// The visitor of [`tagged`].
struct TagFirst<T>(PhantomData<T>);

impl<'de, T: Tagged> Visitor<'de> for TagFirst<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let Some(first) = map.next_key::<Key<'de>>()? else {
            return Err(de::Error::missing_field(T::TAG));
        };
        if first.as_str() == T::TAG {
            let name: Key<'de> = map.next_value()?;
            return T::variant(name.as_str(), MapAccessDeserializer::new(map));
        }
        // The tag comes later, or not at all: every entry is read whole
        // until the variant is known.
        let mut name: Option<String> = None;
        let mut fields: Vec<(Value, Value)> = Vec::new();
        let mut key = Some(first);
        while let Some(k) = key {
            if k.as_str() == T::TAG {
                if name.is_some() {
                    return Err(de::Error::duplicate_field(T::TAG));
                }
                name = Some(map.next_value::<Key<'de>>()?.as_str().to_owned());
            } else {
                let value: Value = map.next_value()?;
                fields.push((Value::String(k.as_str().to_owned()), value));
            }
            key = map.next_key()?;
        }
        let name = name.ok_or_else(|| de::Error::missing_field(T::TAG))?;
        T::variant(&name, MapDeserializer::new(fields.into_iter()))
    }
}

/// A key or a tag's text: borrowed from the input when the format allows.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(text) => text,
            Key::Owned(text) => text,
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Key<'de>, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// The visitor of [`Key`].
struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Key<'de>, E> {
        Ok(Key::Borrowed(text))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Key<'de>, E> {
        Ok(Key::Owned(text.to_owned()))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Key<'de>, E> {
        Ok(Key::Owned(text))
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Key<'de>, E> {
        let text = utf8(bytes, &self)?;
        self.visit_str(text)
    }
}

/// Anything a self-describing format holds, read whole: the buffer a
/// [`Tagged`] enum reads its variant from when the tag does not come
/// first.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Unit,
    Bool(bool),
    I64(i64),
    U64(u64),
    I128(i128),
    U128(u128),
    F64(f64),
    Char(char),
    String(String),
    Bytes(Vec<u8>),
    None,
    Some(Box<Value>),
    Newtype(Box<Value>),
    Seq(Vec<Value>),
    Map(Vec<(Value, Value)>),
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

/// The visitor of [`Value`].
struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::I64(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::U64(v))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(Value::I128(v))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(Value::U128(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::F64(v))
    }

    fn visit_char<E: de::Error>(self, v: char) -> Result<Value, E> {
        Ok(Value::Char(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Bytes(v.to_vec()))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Value, E> {
        Ok(Value::Bytes(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Unit)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Value::deserialize(deserializer).map(|v| Value::Some(Box::new(v)))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Value, D::Error> {
        Value::deserialize(deserializer).map(|v| Value::Newtype(Box::new(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Value::Map(entries))
    }
}

impl<'de, E: de::Error> IntoDeserializer<'de, E> for Value {
    type Deserializer = ValueDeserializer<E>;

    fn into_deserializer(self) -> ValueDeserializer<E> {
        ValueDeserializer {
            value: self,
            error: PhantomData,
        }
    }
}

/// A buffered [`Value`] read as the format it came from would be read.
pub(crate) struct ValueDeserializer<E> {
    value: Value,
    error: PhantomData<E>,
}

impl<'de, E: de::Error> Deserializer<'de> for ValueDeserializer<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.value {
            Value::Unit => visitor.visit_unit(),
            Value::Bool(v) => visitor.visit_bool(v),
            Value::I64(v) => visitor.visit_i64(v),
            Value::U64(v) => visitor.visit_u64(v),
            Value::I128(v) => visitor.visit_i128(v),
            Value::U128(v) => visitor.visit_u128(v),
            Value::F64(v) => visitor.visit_f64(v),
            Value::Char(v) => visitor.visit_char(v),
            Value::String(v) => visitor.visit_string(v),
            Value::Bytes(v) => visitor.visit_byte_buf(v),
            Value::None => visitor.visit_none(),
            Value::Some(v) => visitor.visit_some(v.into_deserializer()),
            Value::Newtype(v) => visitor.visit_newtype_struct(v.into_deserializer()),
            Value::Seq(items) => SeqDeserializer::new(items.into_iter()).deserialize_any(visitor),
            Value::Map(entries) => {
                MapDeserializer::new(entries.into_iter()).deserialize_any(visitor)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.value {
            Value::None | Value::Unit => visitor.visit_none(),
            Value::Some(v) => visitor.visit_some(v.into_deserializer()),
            value => visitor.visit_some(value.into_deserializer()),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, E> {
        match self.value {
            Value::Newtype(v) => visitor.visit_newtype_struct(v.into_deserializer()),
            value => visitor.visit_newtype_struct(value.into_deserializer()),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        match self.value {
            // A unit variant, by name.
            Value::String(variant) => visitor.visit_enum(variant.into_deserializer()),
            // A variant with content, as a map of one entry.
            Value::Map(entries) => {
                let mut entries = entries.into_iter();
                match (entries.next(), entries.next()) {
                    (Some((variant, content)), None) => visitor.visit_enum(Variant::<E> {
                        variant,
                        content,
                        error: PhantomData,
                    }),
                    _ => Err(de::Error::invalid_value(
                        Unexpected::Map,
                        &"a map of one entry",
                    )),
                }
            }
            value => Err(de::Error::invalid_type(unexpected(&value), &visitor)),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier
    }
}

/// A buffered variant with content: its name and what it holds.
struct Variant<E> {
    variant: Value,
    content: Value,
    error: PhantomData<E>,
}

impl<'de, E: de::Error> EnumAccess<'de> for Variant<E> {
    type Error = E;
    type Variant = Content<E>;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Content<E>), E> {
        let variant = seed.deserialize(self.variant.into_deserializer())?;
        Ok((
            variant,
            Content {
                content: self.content,
                error: PhantomData,
            },
        ))
    }
}

/// A buffered variant's content.
struct Content<E> {
    content: Value,
    error: PhantomData<E>,
}

impl<'de, E: de::Error> VariantAccess<'de> for Content<E> {
    type Error = E;

    fn unit_variant(self) -> Result<(), E> {
        match self.content {
            Value::Unit | Value::None => Ok(()),
            other => Err(de::Error::invalid_type(
                unexpected(&other),
                &"a unit variant",
            )),
        }
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, E> {
        seed.deserialize(self.content.into_deserializer())
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, E> {
        self.content.into_deserializer().deserialize_any(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        self.content.into_deserializer().deserialize_any(visitor)
    }
}

/// How a buffered value is named in an error.
pub(crate) fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Unit => Unexpected::Unit,
        Value::Bool(v) => Unexpected::Bool(*v),
        Value::I64(v) => Unexpected::Signed(*v),
        Value::U64(v) => Unexpected::Unsigned(*v),
        Value::I128(_) | Value::U128(_) => Unexpected::Other("a 128-bit integer"),
        Value::F64(v) => Unexpected::Float(*v),
        Value::Char(v) => Unexpected::Char(*v),
        Value::String(v) => Unexpected::Str(v),
        Value::Bytes(v) => Unexpected::Bytes(v),
        Value::None | Value::Some(_) => Unexpected::Option,
        Value::Newtype(_) => Unexpected::NewtypeStruct,
        Value::Seq(_) => Unexpected::Seq,
        Value::Map(_) => Unexpected::Map,
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde::de::IntoDeserializer;
    use serde::de::value::Error;

    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    enum Shape {
        Dot,
        Circle(u32),
        Pair(i8, i8),
        Box { wide: u16, high: u16 },
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Meters(f64);

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Everything {
        flag: bool,
        small: i8,
        big: u128,
        negative: i64,
        length: Meters,
        letter: char,
        name: String,
        maybe: Option<u8>,
        nothing: Option<u8>,
        shapes: Vec<Shape>,
        nested: Vec<Vec<u8>>,
        unit: (),
    }

    const TEXT: &str = r#"{"flag": true, "small": -3, "big": 18446744073709551615,
        "negative": -9000000000, "length": 1.5, "letter": "x", "name": "Marta",
        "maybe": 7, "nothing": null, "unit": null,
        "shapes": ["Dot", {"Circle": 4}, {"Pair": [1, -1]}, {"Box": {"wide": 3, "high": 2}}],
        "nested": [[1], [], [2, 3]]}"#;

    /// `text` read as JSON directly, and read into a [`Value`] first.
    fn both<T: for<'de> Deserialize<'de>>(text: &str) -> (T, Result<T, Error>) {
        let direct: T = serde_json::from_str(text).unwrap();
        let value: Value = serde_json::from_str(text).unwrap();
        (direct, T::deserialize(value.into_deserializer()))
    }

    #[test]
    fn a_buffered_value_reads_as_the_text_it_was_read_from() {
        let (direct, buffered) = both::<Everything>(TEXT);
        assert_eq!(buffered, Ok(direct));
        let (direct, buffered) = both::<Option<Shape>>(r#"{"Circle": 9}"#);
        assert_eq!(buffered, Ok(direct));
        // What formats other than JSON hand over.
        let wide: Result<(u128, i128, char), Error> = Deserialize::deserialize(
            Value::Seq(vec![
                Value::U128(u128::MAX),
                Value::I128(i128::MIN),
                Value::Char('x'),
            ])
            .into_deserializer(),
        );
        assert_eq!(wide, Ok((u128::MAX, i128::MIN, 'x')));
    }

    #[test]
    fn a_buffered_value_of_the_wrong_shape_is_refused() {
        let read = |text: &str| {
            let value: Value = serde_json::from_str(text).unwrap();
            let read: Result<Shape, Error> = Shape::deserialize(value.into_deserializer());
            read.unwrap_err().to_string()
        };
        assert!(
            read("5").contains("invalid type: integer `5`"),
            "{}",
            read("5")
        );
        assert!(read(r#"{"Dot": 1, "Circle": 2}"#).contains("a map of one entry"));
        assert!(read(r#"{"Dot": 1}"#).contains("a unit variant"));
        assert!(read(r#""Hexagon""#).contains("unknown variant `Hexagon`"));
    }

    #[test]
    fn text_is_read_borrowed_or_owned_and_parse_errors_are_passed_on() {
        let parse = |text: &str| text.parse::<u8>();
        let read = |json: &str| text(&mut serde_json::Deserializer::from_str(json), parse);
        assert_eq!(read(r#""42""#).unwrap(), 42);
        // An escaped string is handed over owned.
        assert_eq!(read(r#""\u0034\u0032""#).unwrap(), 42);
        assert!(
            read(r#""300""#)
                .unwrap_err()
                .to_string()
                .contains("too large")
        );
        let error = read("42").unwrap_err().to_string();
        assert!(error.contains("expected a string"), "{error}");
        let bytes: Result<u8, Error> = text(Value::Bytes(b"7".to_vec()).into_deserializer(), parse);
        assert_eq!(bytes, Ok(7));
        let bad: Result<u8, Error> = text(Value::Bytes(vec![0xff]).into_deserializer(), parse);
        assert!(bad.is_err());
    }
}
