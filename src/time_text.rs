//! Reading and writing times and dates in commands and events: RFC 3339
//! text, or a TOML datetime; the shape this crate writes,
//! `2026-03-01T12:00:00Z` or `2026-03-01T12:00:00.123456Z`, read and
//! written without chrono's general parser and formatting.
//!
//! Chrono reads times only from text. TOML has datetimes of its own
//! (`at = 2026-03-01T12:00:00Z`, unquoted), which the `toml` crate hands to
//! serde as a one-entry map whose key is `$__toml_private_datetime` and
//! whose value is the text. Commands accept both, so a scenario or a queued
//! command written in TOML reads the way TOML is written. Times are
//! written as RFC 3339 text, exactly as chrono writes them.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::Deserializer;
use serde::de::{self, MapAccess, Visitor};

use crate::wire::ShortText;

/// The key under which the `toml` crate passes a native datetime.
const TOML_DATETIME: &str = "$__toml_private_datetime";

/// A value read from text with `parse`, or from a TOML datetime's text.
struct TextVisitor<T, P> {
    expecting: &'static str,
    parse: fn(&str) -> Result<T, P>,
}

impl<'de, T, P: fmt::Display> Visitor<'de> for TextVisitor<T, P> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        (self.parse)(text)
            .map_err(|e| E::custom(format_args!("`{text}` is not {}: {e}", self.expecting)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let key: Option<String> = map.next_key()?;
        match key.as_deref() {
            Some(TOML_DATETIME) => {
                let text: String = map.next_value()?;
                self.visit_str(&text)
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

fn read<'de, D, T, P>(
    deserializer: D,
    expecting: &'static str,
    parse: fn(&str) -> Result<T, P>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    P: fmt::Display,
{
    deserializer.deserialize_str(TextVisitor { expecting, parse })
}

/// A time with its offset (`#[serde(with = "crate::time_text::utc")]`):
/// read from `2026-03-01T12:00:00Z`, `2026-03-01T12:00:00.123456Z` or
/// `2026-03-01T13:00:00+01:00`, written as chrono writes it.
pub(crate) mod utc {
    use chrono::{DateTime, Utc};
    use serde::{Deserializer, Serializer};

    /// Reads the time (see [`parse_utc`](super::parse_utc)).
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<DateTime<Utc>, D::Error> {
        super::read(deserializer, super::UTC_EXPECTING, super::parse_utc)
    }

    /// Writes the time as chrono's own `Serialize` does, without its
    /// formatting machinery for the times [`time_text`](super::time_text)
    /// writes.
    pub(crate) fn serialize<S: Serializer>(
        time: &DateTime<Utc>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match super::time_text(time) {
            Some(text) => serializer.serialize_str(text.as_str()),
            None => serde::Serialize::serialize(time, serializer),
        }
    }
}

/// As [`utc`], for a time that may be absent
/// (`#[serde(default, with = "crate::time_text::maybe_utc")]`): `null`
/// reads as none, as a field left out does.
pub(crate) mod maybe_utc {
    use chrono::{DateTime, Utc};
    use serde::{Deserializer, Serialize, Serializer};

    /// Reads the time, or none.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        deserializer.deserialize_option(super::MaybeUtc)
    }

    /// Writes the time as [`utc`](super::utc) does, or none.
    pub(crate) fn serialize<S: Serializer>(
        time: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match time {
            Some(time) => serializer.serialize_some(&Written(time)),
            None => serializer.serialize_none(),
        }
    }

    /// A time written as [`utc`](super::utc) writes it.
    struct Written<'a>(&'a DateTime<Utc>);

    impl Serialize for Written<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            super::utc::serialize(self.0, serializer)
        }
    }
}

/// What [`utc`] and [`maybe_utc`] expect.
const UTC_EXPECTING: &str = "an RFC 3339 time with its offset, such as 2026-03-01T12:00:00Z";

/// A time with its offset, read through [`written_utc`] when it has the
/// shape this crate writes, through chrono's general parser otherwise.
fn parse_utc(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    match written_utc(text) {
        Some(time) => Ok(time),
        None => text.parse(),
    }
}

/// The visitor of [`maybe_utc`]: none, or a time as [`utc`] reads it.
struct MaybeUtc;

impl<'de> Visitor<'de> for MaybeUtc {
    type Value = Option<DateTime<Utc>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{UTC_EXPECTING}, or nothing")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        utc::deserialize(deserializer).map(Some)
    }
}

/// A time in the shape this crate writes times, `2026-03-01T12:00:00Z`,
/// with a fraction of a second of up to nine digits where it has one
/// (`2026-03-01T12:00:00.123456Z`, as a clock reading microseconds
/// stamps it), read without chrono's general parser, which takes about
/// a fifth of reading a stored purchase event for each time it holds;
/// nothing for any other text, which chrono then reads, or refuses. Only
/// a valid date and time of day is given back (not a leap second), so
/// what this reads, chrono reads the same.
fn written_utc(text: &str) -> Option<DateTime<Utc>> {
    let (head, rest) = text.as_bytes().split_first_chunk::<19>()?;
    let [
        y0,
        y1,
        y2,
        y3,
        b'-',
        mo0,
        mo1,
        b'-',
        d0,
        d1,
        b'T',
        h0,
        h1,
        b':',
        mi0,
        mi1,
        b':',
        s0,
        s1,
    ] = *head
    else {
        return None;
    };
    let nanos = match rest {
        [b'Z'] => 0,
        [b'.', fraction @ .., b'Z'] if (1..=9).contains(&fraction.len()) => {
            let places = u32::try_from(fraction.len()).ok()?;
            let scale = 10_u32.checked_pow(9_u32.checked_sub(places)?)?;
            number(fraction)?.checked_mul(scale)?
        }
        _ => return None,
    };
    let year = i32::try_from(number(&[y0, y1, y2, y3])?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, number(&[mo0, mo1])?, number(&[d0, d1])?)?;
    // Below a whole second of nanoseconds: never a leap second.
    let time = date.and_hms_nano_opt(
        number(&[h0, h1])?,
        number(&[mi0, mi1])?,
        number(&[s0, s1])?,
        nanos,
    )?;
    Some(time.and_utc())
}

/// The number ASCII `digits` write, if they are all digits and it fits.
fn number(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0_u32, |n, d| {
        n.checked_mul(10)?.checked_add(char::from(*d).to_digit(10)?)
    })
}

/// `time` as chrono's `Serialize` writes it (RFC 3339 with `Z`, the
/// fraction of a second in as many digits of 3, 6 or 9 as it needs, none
/// for a whole second), for the years 0 to 9999 and every time but a
/// leap second, written digit by digit; nothing for any other time, which
/// chrono then writes itself.
fn time_text(time: &DateTime<Utc>) -> Option<ShortText> {
    let naive = time.naive_utc();
    let year = u32::try_from(naive.year())
        .ok()
        .filter(|year| *year <= 9999)?;
    // Past a whole second of nanoseconds: a leap second.
    let nanos = naive.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    let (fraction, places) = if nanos == 0 {
        (0, 0)
    } else if nanos.is_multiple_of(1_000_000) {
        (nanos / 1_000_000, 3)
    } else if nanos.is_multiple_of(1_000) {
        (nanos / 1_000, 6)
    } else {
        (nanos, 9)
    };
    let mut text = ShortText::new();
    for (before, value) in [
        (&b""[..], year),
        (b"-", naive.month()),
        (b"-", naive.day()),
        (b"T", naive.hour()),
        (b":", naive.minute()),
        (b":", naive.second()),
    ] {
        text.push(before)?;
        text.push_digits(u64::from(value), if before.is_empty() { 4 } else { 2 })?;
    }
    if places > 0 {
        text.push(b".")?;
        text.push_digits(u64::from(fraction), places)?;
    }
    text.push(b"Z")?;
    Some(text)
}

/// A calendar date, `1990-04-12`, when there is one.
pub(crate) fn date<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<NaiveDate>, D::Error> {
    read(deserializer, "a date such as 1990-04-12", str::parse).map(Some)
}

#[cfg(test)]
mod tests {
    use proptest::strategy::Strategy;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    struct At {
        #[serde(with = "utc")]
        at: DateTime<Utc>,
        #[serde(default, deserialize_with = "date")]
        born: Option<NaiveDate>,
    }

    #[test]
    fn reads_text_and_toml_datetimes_alike() {
        let quoted: At = toml::from_str("at = \"2026-03-01T13:00:00+01:00\"").unwrap();
        let native: At = toml::from_str("at = 2026-03-01T12:00:00Z\nborn = 1990-04-12").unwrap();
        let json: At = serde_json::from_str(r#"{"at": "2026-03-01T12:00:00Z"}"#).unwrap();
        assert_eq!(quoted.at, native.at);
        assert_eq!(json.at, native.at);
        assert_eq!(native.born, NaiveDate::from_ymd_opt(1990, 4, 12));
        assert_eq!(json.born, None);
    }

    proptest::proptest! {
        /// Whatever the shortcut for `YYYY-MM-DDTHH:MM:SS[.f]Z` reads,
        /// chrono reads the same: every time of years 0 to 9999 as this
        /// crate writes it, whole seconds or not, and text of that shape
        /// with any figures (a 13th month, a 30th of February, hour 24,
        /// second 60, no digit or ten after the point), which the
        /// shortcut leaves to chrono unless they are a time.
        #[test]
        fn the_shortcut_reads_what_chrono_reads(
            seconds in -62_167_219_200_i64..253_402_300_800,
            nanos in proptest::prop_oneof![
                proptest::strategy::Just(0_u32),
                0_u32..1_000,
                (0_u32..1_000).prop_map(|n| n * 1_000_000),
                (0_u32..1_000_000).prop_map(|n| n * 1_000),
                0_u32..1_000_000_000,
            ],
            year in 0_u32..10_000,
            month in 0_u32..14,
            day in 0_u32..33,
            hour in 0_u32..26,
            minute in 0_u32..61,
            second in 0_u32..62,
            fraction in "(\\.[0-9]{0,10})?",
        ) {
            let time = DateTime::<Utc>::from_timestamp(seconds, nanos).unwrap();
            let text = time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
            proptest::prop_assert_eq!(written_utc(&text), Some(time));
            proptest::prop_assert_eq!(text.parse::<DateTime<Utc>>().ok(), Some(time));
            let written = serde_json::to_string(&time).unwrap();
            proptest::prop_assert_eq!(written_utc(written.trim_matches('"')), Some(time));
            let ours = time_text(&time).map(|text| format!("\"{}\"", text.as_str()));
            proptest::prop_assert_eq!(ours, Some(written.clone()));
            let both = Both { at: time, maybe: Some(time) };
            let chrono_both = format!(r#"{{"at":{written},"maybe":{written}}}"#);
            proptest::prop_assert_eq!(serde_json::to_string(&both).unwrap(), chrono_both);
            let any = format!(
                "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}Z"
            );
            let chrono = any.parse::<DateTime<Utc>>().ok();
            match written_utc(&any) {
                Some(read) => proptest::prop_assert_eq!(chrono, Some(read)),
                // Left to chrono: an impossible date or time, a leap
                // second, or a fraction of no digit or of more than nine.
                None => proptest::prop_assert!(
                    chrono.is_none() || second == 60 || !(2..=10).contains(&fraction.len()),
                    "{}",
                    any
                ),
            }
        }
    }

    #[test]
    fn fractions_of_a_second_are_read_to_the_nanosecond() {
        for (text, nanos) in [
            ("2026-03-01T12:00:00.5Z", 500_000_000),
            ("2026-03-01T12:00:00.123Z", 123_000_000),
            ("2026-03-01T12:00:00.000123Z", 123_000),
            ("2026-03-01T12:00:00.123456789Z", 123_456_789),
            ("2026-03-01T12:00:00.000000000Z", 0),
        ] {
            let read = written_utc(text).unwrap();
            assert_eq!(read.timestamp_subsec_nanos(), nanos, "{text}");
            assert_eq!(Some(read), text.parse::<DateTime<Utc>>().ok(), "{text}");
        }
    }

    #[test]
    fn other_shapes_of_time_are_left_to_chrono() {
        for text in [
            "2026-03-01T13:00:00+01:00",
            "2026-03-01T12:00:00.5+00:00",
            "2026-03-01t12:00:00z",
            "2026-03-01 12:00:00Z",
            "2026-02-30T12:00:00Z",
            "2026-03-01T24:00:00Z",
            "2016-12-31T23:59:60Z",
            "2016-12-31T23:59:60.5Z",
            "+2026-03-01T12:00:00Z",
            "2026-03-01T12:00:0xZ",
            "2026-03-01T12:00:00.Z",
            "2026-03-01T12:00:00.1234567891Z",
            "2026-03-01T12:00:00.12x4Z",
            "2026-03-01T12:00:00,5Z",
        ] {
            assert_eq!(written_utc(text), None, "{text}");
            let json = format!(r#"{{"at": "{text}"}}"#);
            let read = serde_json::from_str::<At>(&json).map(|at| at.at).ok();
            assert_eq!(read, text.parse::<DateTime<Utc>>().ok(), "{text}");
        }
    }

    /// A time and an optional one, written and read through this module.
    #[derive(Debug, PartialEq, serde::Serialize, Deserialize)]
    struct Both {
        #[serde(with = "utc")]
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none", with = "maybe_utc")]
        maybe: Option<DateTime<Utc>>,
    }

    #[test]
    fn times_past_what_the_shortcut_writes_are_written_by_chrono() {
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .unwrap()
            .and_utc();
        let far = NaiveDate::from_ymd_opt(10_000, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap()
            .and_utc();
        let before = NaiveDate::from_ymd_opt(-1, 12, 31)
            .and_then(|d| d.and_hms_micro_opt(23, 0, 0, 5))
            .unwrap()
            .and_utc();
        for time in [
            leap,
            far,
            before,
            DateTime::<Utc>::MAX_UTC,
            DateTime::<Utc>::MIN_UTC,
        ] {
            assert!(time_text(&time).is_none(), "{time:?}");
            let chrono = serde_json::to_string(&time).unwrap();
            let both = Both {
                at: time,
                maybe: Some(time),
            };
            let written = serde_json::to_string(&both).unwrap();
            assert_eq!(written, format!(r#"{{"at":{chrono},"maybe":{chrono}}}"#));
            assert_eq!(serde_json::from_str::<Both>(&written).unwrap(), both);
        }
        let none = Both {
            at: leap,
            maybe: None,
        };
        let written = serde_json::to_string(&none).unwrap();
        assert!(!written.contains("maybe"), "{written}");
        assert_eq!(serde_json::from_str::<Both>(&written).unwrap(), none);
        // Formats that mark an option's presence see it marked.
        let toml = toml::to_string(&Both {
            at: far,
            maybe: Some(leap),
        })
        .unwrap();
        assert!(
            toml.contains("maybe = \"2016-12-31T23:59:60.500Z\""),
            "{toml}"
        );
    }

    #[derive(Debug, Deserialize)]
    struct Maybe {
        #[serde(default, with = "maybe_utc")]
        at: Option<DateTime<Utc>>,
    }

    #[test]
    fn a_time_that_may_be_absent_reads_as_none_when_left_out_or_null() {
        let read = |json: &str| serde_json::from_str::<Maybe>(json).map(|m| m.at);
        let at = "2026-03-01T12:00:00.25Z".parse::<DateTime<Utc>>().ok();
        assert_eq!(read("{}").unwrap(), None);
        assert_eq!(read(r#"{"at": null}"#).unwrap(), None);
        assert_eq!(read(r#"{"at": "2026-03-01T12:00:00.25Z"}"#).unwrap(), at);
        assert_eq!(
            read(r#"{"at": "2026-03-01T13:00:00.25+01:00"}"#).unwrap(),
            at
        );
        let native: Maybe = toml::from_str("at = 2026-03-01T12:00:00.25Z").unwrap();
        assert_eq!(native.at, at);
        let wrong = read(r#"{"at": "yesterday"}"#).unwrap_err().to_string();
        assert!(
            wrong.contains("`yesterday` is not an RFC 3339 time"),
            "{wrong}"
        );
        let number = read(r#"{"at": 5}"#).unwrap_err().to_string();
        assert!(number.contains("RFC 3339"), "{number}");
    }

    #[test]
    fn a_time_without_its_offset_is_refused_by_name() {
        let local = toml::from_str::<At>("at = 2026-03-01T12:00:00").unwrap_err();
        assert!(local.message().contains("with its offset"), "{local}");
        let number = serde_json::from_str::<At>(r#"{"at": 5}"#).unwrap_err();
        assert!(number.to_string().contains("RFC 3339"), "{number}");
    }
}
