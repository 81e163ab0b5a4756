//! [`EarnLines`]: the parts of an award, the first held in place.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Deref, DerefMut};

use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::EarnLine;

/// The parts of an award, in order: what [`Earning::lines`](super::Earning)
/// and the events' breakdowns hold.
///
/// Most awards have one part (the base rate on the whole order, or one
/// bonus), and it is held in place: recording a plain purchase, and the
/// receipt's copy of its explanation, allocate nothing for it. A second
/// part moves them all into a list.
///
/// It reads as a slice (`len`, indexing, `iter`, `first`, pattern matching
/// through [`as_slice`](EarnLines::as_slice)), compares, hashes, prints with
/// `{:?}` and serialises exactly as a `Vec<EarnLine>` of the same parts,
/// and is built from one with `into()` or `collect()`.
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
#[derive(Clone, Default)]
pub struct EarnLines(Held);

/// How the parts are held.
#[derive(Clone, Default)]
enum Held {
    #[default]
    None,
    One(EarnLine),
    Many(Vec<EarnLine>),
}

impl EarnLines {
    /// No parts.
    pub const fn new() -> EarnLines {
        EarnLines(Held::None)
    }

    /// The parts, as a slice.
    pub fn as_slice(&self) -> &[EarnLine] {
        match &self.0 {
            Held::None => &[],
            Held::One(line) => std::slice::from_ref(line),
            Held::Many(lines) => lines,
        }
    }

    /// The parts, as a mutable slice.
    pub fn as_mut_slice(&mut self) -> &mut [EarnLine] {
        match &mut self.0 {
            Held::None => &mut [],
            Held::One(line) => std::slice::from_mut(line),
            Held::Many(lines) => lines,
        }
    }

    /// Adds a part at the end.
    pub fn push(&mut self, line: EarnLine) {
        self.0 = match std::mem::take(&mut self.0) {
            Held::None => Held::One(line),
            Held::One(first) => Held::Many(vec![first, line]),
            Held::Many(mut lines) => {
                lines.push(line);
                Held::Many(lines)
            }
        };
    }
}

impl Deref for EarnLines {
    type Target = [EarnLine];

    fn deref(&self) -> &[EarnLine] {
        self.as_slice()
    }
}

impl DerefMut for EarnLines {
    fn deref_mut(&mut self) -> &mut [EarnLine] {
        self.as_mut_slice()
    }
}

impl AsRef<[EarnLine]> for EarnLines {
    fn as_ref(&self) -> &[EarnLine] {
        self.as_slice()
    }
}

impl From<EarnLine> for EarnLines {
    fn from(line: EarnLine) -> EarnLines {
        EarnLines(Held::One(line))
    }
}

impl From<Vec<EarnLine>> for EarnLines {
    fn from(mut lines: Vec<EarnLine>) -> EarnLines {
        if lines.len() > 1 {
            return EarnLines(Held::Many(lines));
        }
        match lines.pop() {
            Some(line) => EarnLines(Held::One(line)),
            None => EarnLines(Held::None),
        }
    }
}

impl From<EarnLines> for Vec<EarnLine> {
    fn from(lines: EarnLines) -> Vec<EarnLine> {
        match lines.0 {
            Held::None => Vec::new(),
            Held::One(line) => vec![line],
            Held::Many(lines) => lines,
        }
    }
}

impl FromIterator<EarnLine> for EarnLines {
    fn from_iter<I: IntoIterator<Item = EarnLine>>(iter: I) -> EarnLines {
        let mut lines = EarnLines::new();
        lines.extend(iter);
        lines
    }
}

impl Extend<EarnLine> for EarnLines {
    fn extend<I: IntoIterator<Item = EarnLine>>(&mut self, iter: I) {
        for line in iter {
            self.push(line);
        }
    }
}

impl<'a> IntoIterator for &'a EarnLines {
    type Item = &'a EarnLine;
    type IntoIter = std::slice::Iter<'a, EarnLine>;

    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl IntoIterator for EarnLines {
    type Item = EarnLine;
    type IntoIter = EarnLinesIntoIter;

    fn into_iter(self) -> EarnLinesIntoIter {
        EarnLinesIntoIter(match self.0 {
            Held::None => Owned::One(None.into_iter()),
            Held::One(line) => Owned::One(Some(line).into_iter()),
            Held::Many(lines) => Owned::Many(lines.into_iter()),
        })
    }
}

/// The parts of [`EarnLines`], by value: what its `into_iter` gives.
#[derive(Debug, Clone)]
pub struct EarnLinesIntoIter(Owned);

#[derive(Debug, Clone)]
enum Owned {
    One(std::option::IntoIter<EarnLine>),
    Many(std::vec::IntoIter<EarnLine>),
}

impl Iterator for EarnLinesIntoIter {
    type Item = EarnLine;

    fn next(&mut self) -> Option<EarnLine> {
        match &mut self.0 {
            Owned::One(line) => line.next(),
            Owned::Many(lines) => lines.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            Owned::One(line) => line.size_hint(),
            Owned::Many(lines) => lines.size_hint(),
        }
    }
}

impl DoubleEndedIterator for EarnLinesIntoIter {
    fn next_back(&mut self) -> Option<EarnLine> {
        match &mut self.0 {
            Owned::One(line) => line.next_back(),
            Owned::Many(lines) => lines.next_back(),
        }
    }
}

impl ExactSizeIterator for EarnLinesIntoIter {}

impl std::iter::FusedIterator for EarnLinesIntoIter {}

impl fmt::Debug for EarnLines {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

/// Parts compare as the slices they read as: how they are held is not
/// part of what they say.
impl PartialEq for EarnLines {
    fn eq(&self, other: &EarnLines) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for EarnLines {}

impl PartialEq<[EarnLine]> for EarnLines {
    fn eq(&self, other: &[EarnLine]) -> bool {
        self.as_slice() == other
    }
}

impl PartialEq<Vec<EarnLine>> for EarnLines {
    fn eq(&self, other: &Vec<EarnLine>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<const N: usize> PartialEq<[EarnLine; N]> for EarnLines {
    fn eq(&self, other: &[EarnLine; N]) -> bool {
        self.as_slice() == other.as_slice()
    }
}

/// Hashes as the slice (its length, then each part), as a
/// `Vec<EarnLine>` of the same parts does: the ledger's fingerprint does
/// not depend on how the parts are held.
impl Hash for EarnLines {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl Serialize for EarnLines {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for EarnLines {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<EarnLines, D::Error> {
        struct Parts;

        impl<'de> Visitor<'de> for Parts {
            type Value = EarnLines;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of earning lines")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<EarnLines, A::Error> {
                let mut lines = EarnLines::new();
                while let Some(line) = seq.next_element()? {
                    lines.push(line);
                }
                Ok(lines)
            }
        }

        deserializer.deserialize_seq(Parts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EarnSource, Points};
    use std::hash::BuildHasher;

    fn bonus(points: i64) -> EarnLine {
        EarnLine::Bonus {
            source: EarnSource::SignUp,
            points: Points::new(points),
        }
    }

    fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
        std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default().hash_one(value)
    }

    #[test]
    fn parts_read_compare_hash_and_serialise_as_a_vec() {
        for n in 0..4 {
            let vec: Vec<EarnLine> = (0..n).map(bonus).collect();
            let lines: EarnLines = vec.iter().cloned().collect();
            assert_eq!(lines.as_slice(), vec.as_slice());
            assert_eq!(lines, vec);
            assert_eq!(EarnLines::from(vec.clone()), lines);
            assert_eq!(hash_of(&lines), hash_of(&vec));
            assert_eq!(format!("{lines:?}"), format!("{vec:?}"));
            let json = serde_json::to_string(&lines).unwrap();
            assert_eq!(json, serde_json::to_string(&vec).unwrap());
            assert_eq!(serde_json::from_str::<EarnLines>(&json).unwrap(), lines);
            assert_eq!(lines.clone().into_iter().collect::<Vec<_>>(), vec);
            assert_eq!(lines.clone().into_iter().rev().count(), vec.len());
            assert_eq!(Vec::from(lines.clone()), vec);
        }
    }

    #[test]
    fn one_part_is_held_in_place_and_a_second_moves_them_into_a_list() {
        let mut lines = EarnLines::from(bonus(1));
        assert!(matches!(lines.0, Held::One(_)));
        lines.push(bonus(2));
        assert!(matches!(&lines.0, Held::Many(v) if v.len() == 2));
        lines[0] = bonus(5);
        assert_eq!(lines.first().map(EarnLine::points), Some(Points::new(5)));
        assert!(matches!(EarnLines::from(vec![bonus(1)]).0, Held::One(_)));
        assert!(matches!(EarnLines::from(Vec::new()).0, Held::None));
    }

    #[test]
    fn a_breakdown_that_is_not_a_list_is_refused() {
        let error = serde_json::from_str::<EarnLines>(r#"{"rule": "bonus"}"#).unwrap_err();
        assert!(
            error.to_string().contains("a list of earning lines"),
            "{error}"
        );
    }
}
