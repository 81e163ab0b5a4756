//! Reading times and dates in commands: RFC 3339 text, or a TOML datetime.
//!
//! Chrono reads times only from text. TOML has datetimes of its own
//! (`at = 2026-03-01T12:00:00Z`, unquoted), which the `toml` crate hands to
//! serde as a one-entry map whose key is `$__toml_private_datetime` and
//! whose value is the text. Commands accept both, so a scenario or a queued
//! command written in TOML reads the way TOML is written. Serializing is
//! unchanged: times are written as RFC 3339 text.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserializer;
use serde::de::{self, MapAccess, Visitor};

/// The key under which the `toml` crate passes a native datetime.
const TOML_DATETIME: &str = "$__toml_private_datetime";

/// A value read from text, or from a TOML datetime's text.
struct TextVisitor<T> {
    expecting: &'static str,
    read: PhantomData<T>,
}

impl<'de, T> Visitor<'de> for TextVisitor<T>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        text.parse()
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

fn read<'de, D, T>(deserializer: D, expecting: &'static str) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: fmt::Display,
{
    deserializer.deserialize_str(TextVisitor {
        expecting,
        read: PhantomData,
    })
}

/// A time with its offset: `2026-03-01T12:00:00Z` or
/// `2026-03-01T13:00:00+01:00`.
pub(crate) fn utc<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    read(
        deserializer,
        "an RFC 3339 time with its offset, such as 2026-03-01T12:00:00Z",
    )
}

/// A calendar date, `1990-04-12`, when there is one.
pub(crate) fn date<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<NaiveDate>, D::Error> {
    read(deserializer, "a date such as 1990-04-12").map(Some)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    struct At {
        #[serde(deserialize_with = "utc")]
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

    #[test]
    fn a_time_without_its_offset_is_refused_by_name() {
        let local = toml::from_str::<At>("at = 2026-03-01T12:00:00").unwrap_err();
        assert!(local.message().contains("with its offset"), "{local}");
        let number = serde_json::from_str::<At>(r#"{"at": 5}"#).unwrap_err();
        assert!(number.to_string().contains("RFC 3339"), "{number}");
    }
}
