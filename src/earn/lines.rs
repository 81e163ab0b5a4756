//! [`EarnLines`]: the parts of an award, the first held in place.

use std::fmt;

use serde::de::{self, IntoDeserializer, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::{EarnLine, EarnRate};
use crate::few::{Few, FewIntoIter};
use crate::{Money, Points, Rounding, wire};

/// The parts of an award, in order: what [`Earning::lines`](super::Earning)
/// and the events' breakdowns hold.
///
/// Most awards have one part (the base rate on the whole order, or one
/// bonus), and it is held in place: recording a plain purchase, and the
/// receipt's copy of its explanation, allocate nothing for it. A second
/// part moves them all into one list that the receipt's copy shares: a
/// purchase on a tier with a multiplier (the base rate's part and the
/// tier's) allocates once for both.
///
/// A [`Few`]: it reads as a slice (`len`, indexing, `iter`, `first`,
/// pattern matching through [`as_slice`](Few::as_slice)), compares,
/// hashes, prints with `{:?}` and serialises exactly as a `Vec<EarnLine>`
/// of the same parts, and is built from one with `into()` or `collect()`.
///
/// # Example
///
/// ```
/// use loyalty::{EarnLine, EarnLines, EarnSource, Points};
///
/// let mut lines = EarnLines::new();
/// lines.push(EarnLine::Bonus { source: EarnSource::SignUp, points: Points::new(50) });
/// lines.push(EarnLine::Bonus { source: EarnSource::FirstPurchase, points: Points::new(25) });
///
/// assert_eq!(lines.len(), 2);
/// assert_eq!(lines[1].points(), Points::new(25));
/// let total: i64 = lines.iter().map(|l| l.points().value()).sum();
/// assert_eq!(total, 75);
/// assert_eq!(serde_json::to_string(&lines)?, serde_json::to_string(&lines.to_vec())?);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub type EarnLines = Few<EarnLine>;

/// The parts of [`EarnLines`], by value: what its `into_iter` gives.
pub type EarnLinesIntoIter = FewIntoIter<EarnLine>;

/// Reads an event's breakdown as [`EarnLines`] reads, but a base-rate
/// line whose `rule` comes first (as this crate writes it) straight from
/// its map, without buffering it: the line every plain purchase records,
/// read once per purchase when a log is replayed. Any other line is read
/// as `EarnLine`'s derive reads it. See [`wire`].
pub(crate) fn read_breakdown<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<EarnLines, D::Error> {
    deserializer.deserialize_seq(Breakdown)
}

/// The visitor of [`read_breakdown`].
struct Breakdown;

impl<'de> Visitor<'de> for Breakdown {
    type Value = EarnLines;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<EarnLines, A::Error> {
        EarnLines::try_from_fn(crate::few::cautious::<EarnLine>(seq.size_hint()), || {
            Ok(seq.next_element()?.map(|Line(line)| line))
        })
    }
}

/// One line of a breakdown being read.
struct Line(EarnLine);

impl<'de> Deserialize<'de> for Line {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Line, D::Error> {
        wire::tagged(deserializer)
    }
}

/// The fields of [`EarnLine::Base`], read as the derive reads them
/// (unknown fields ignored, as for every line).
#[derive(Deserialize)]
struct BaseFields {
    eligible: Money,
    rate: EarnRate,
    rounding: Rounding,
    points: Points,
}

impl wire::Tagged for Line {
    const TAG: &'static str = "rule";
    const EXPECTING: &'static str = "an earn line";

    fn variant<'de, D: Deserializer<'de>>(name: &str, fields: D) -> Result<Line, D::Error> {
        if name == "base" {
            let BaseFields {
                eligible,
                rate,
                rounding,
                points,
            } = BaseFields::deserialize(fields)?;
            return Ok(Line(EarnLine::Base {
                eligible,
                rate,
                rounding,
                points,
            }));
        }
        // Any other line: its fields buffered, its tag put back, then read
        // by the derive.
        let mut entries = vec![(
            wire::Value::String(Line::TAG.to_owned()),
            wire::Value::String(name.to_owned()),
        )];
        match wire::Value::deserialize(fields)? {
            wire::Value::Map(rest) => entries.extend(rest),
            other => return Err(de::Error::invalid_type(wire::unexpected(&other), &"a map")),
        }
        EarnLine::deserialize(wire::Value::Map(entries).into_deserializer()).map(Line)
    }
}
