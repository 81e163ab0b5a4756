//! Identifier newtypes: members, the host's references, rewards.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// The longest identifier accepted, in bytes.
pub const MAX_ID_LEN: usize = 128;

/// An identifier that is empty, too long, or holds whitespace at its ends or
/// control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[error("invalid {kind} {value:?}: {problem}")]
#[non_exhaustive]
pub struct InvalidId {
    /// Which identifier: `"member id"`, `"reference"`, `"reward id"`.
    pub kind: &'static str,
    /// The text that was given (cut to [`MAX_ID_LEN`] characters).
    pub value: String,
    /// What is wrong with it.
    pub problem: IdProblem,
}

/// What is wrong with an identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum IdProblem {
    /// No characters.
    #[error("must not be empty")]
    Empty,
    /// More than [`MAX_ID_LEN`] bytes.
    #[error("is {len} bytes long, the limit is {MAX_ID_LEN}")]
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// Leading or trailing whitespace, which makes two ids look equal.
    #[error("must not start or end with whitespace")]
    SurroundingWhitespace,
    /// A control character (newline, tab, NUL, ...).
    #[error("must not contain control characters")]
    ControlCharacter,
}

fn check(kind: &'static str, value: &str) -> Result<(), InvalidId> {
    let problem = if value.is_empty() {
        IdProblem::Empty
    } else if value.len() > MAX_ID_LEN {
        IdProblem::TooLong { len: value.len() }
    } else if plain(value) {
        return Ok(());
    } else if value.trim() != value {
        IdProblem::SurroundingWhitespace
    } else if value.chars().any(char::is_control) {
        IdProblem::ControlCharacter
    } else {
        return Ok(());
    };
    Err(InvalidId {
        kind,
        value: value.chars().take(MAX_ID_LEN).collect(),
        problem,
    })
}

/// Whether `value` is printable ASCII that neither starts nor ends with a
/// space, as nearly every id is (`member-0001234`, `ORD-2026-000123`):
/// valid, read byte by byte where the general checks decode each
/// character to ask whether it is whitespace or a control. Any other
/// text goes through those checks, which it may pass too.
fn plain(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.iter().all(|b| matches!(b, b' '..=b'~'))
        && bytes.first().is_some_and(|b| *b != b' ')
        && bytes.last().is_some_and(|b| *b != b' ')
}

/// The text of an identifier: up to [`INLINE`] bytes held in place (most
/// order, member and reward ids), longer ones shared behind an `Arc`. So
/// an id clones without allocating, and a map keyed by ids compares keys
/// without following a pointer per comparison.
#[derive(Clone)]
enum IdText {
    Inline { len: u8, bytes: [u8; INLINE] },
    Shared(Arc<str>),
}

/// The longest id held in place, in bytes: what fits beside the length in
/// the 24 bytes of the larger variant.
const INLINE: usize = 22;

impl IdText {
    fn new(text: &str) -> IdText {
        let mut bytes = [0; INLINE];
        match (bytes.get_mut(..text.len()), u8::try_from(text.len())) {
            (Some(place), Ok(len)) => {
                place.copy_from_slice(text.as_bytes());
                IdText::Inline { len, bytes }
            }
            _ => IdText::Shared(Arc::from(text)),
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            IdText::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            IdText::Shared(text) => text.as_bytes(),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            // Always valid: the bytes were copied from a `str` whole.
            IdText::Inline { .. } => std::str::from_utf8(self.as_bytes()).unwrap_or_default(),
            IdText::Shared(text) => text,
        }
    }
}

/// An inline id's bytes as three big-endian words: two held in place
/// compare as their words do, with no call per comparison. The bytes past
/// the length are zero, and an id holds no zero byte (no control
/// characters), so a shorter id that starts another sorts first, as text
/// does.
fn words(bytes: &[u8; INLINE]) -> (u64, u64, u64) {
    let (first, rest) = bytes.split_at(8);
    let (second, third) = rest.split_at(8);
    (word(first), word(second), word(third))
}

/// Up to eight bytes as a big-endian word, zero-padded on the right.
fn word(chunk: &[u8]) -> u64 {
    let mut word = [0; 8];
    if let Some(place) = word.get_mut(..chunk.len()) {
        place.copy_from_slice(chunk);
    }
    u64::from_be_bytes(word)
}

impl IdText {
    /// A quick hash for the ledger's in-memory index: the inline words (or
    /// the shared text eight bytes at a time) folded by multiplication,
    /// then mixed. Not a fingerprint: equal ids hash alike in every run,
    /// which is all an index needs; the index does not trust it to be
    /// spread evenly (see `ledger::accounts`). Always inlined: a few
    /// dozen instructions asked on every command's path, which the
    /// compiler otherwise moved in and out of line as unrelated code
    /// changed (a plain purchase 17 to 24 instructions apart).
    #[inline(always)]
    fn quick_hash(&self) -> u64 {
        let h = match self {
            IdText::Inline { len, bytes } => {
                let (a, b, c) = words(bytes);
                fold(fold(fold(u64::from(*len), a), b), c)
            }
            IdText::Shared(text) => return IdText::quick_hash_of(text),
        };
        mix(h)
    }

    /// The quick hash of an id held past [`INLINE`] bytes, from its text
    /// (as [`quick_hash`](IdText::quick_hash) gives for a shared one): the
    /// text eight bytes at a time, folded as the inline words are.
    fn quick_hash_of(text: &str) -> u64 {
        if text.len() <= INLINE {
            return IdText::new(text).quick_hash();
        }
        mix(text
            .as_bytes()
            .chunks(8)
            .fold(u64::try_from(text.len()).unwrap_or(u64::MAX), |h, chunk| {
                fold(h, word(chunk))
            }))
    }
}

/// One step of the quick hash: the hash so far turned and crossed with the
/// next word, then multiplied.
#[inline(always)]
fn fold(h: u64, w: u64) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    (h.rotate_left(23) ^ w).wrapping_mul(K)
}

/// The finaliser of MurmurHash3: every input bit reaches every output bit.
#[inline(always)]
fn mix(h: u64) -> u64 {
    let h = (h ^ (h >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    let h = (h ^ (h >> 33)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

impl PartialEq for IdText {
    fn eq(&self, other: &IdText) -> bool {
        match (self, other) {
            (
                IdText::Inline { len, bytes },
                IdText::Inline {
                    len: other_len,
                    bytes: other_bytes,
                },
            ) => len == other_len && bytes == other_bytes,
            _ => self.as_bytes() == other.as_bytes(),
        }
    }
}

impl Eq for IdText {}

impl PartialOrd for IdText {
    fn partial_cmp(&self, other: &IdText) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Byte order, which is the order of the text.
impl Ord for IdText {
    fn cmp(&self, other: &IdText) -> std::cmp::Ordering {
        match (self, other) {
            (
                IdText::Inline { len, bytes },
                IdText::Inline {
                    len: other_len,
                    bytes: other_bytes,
                },
            ) => words(bytes)
                .cmp(&words(other_bytes))
                .then(len.cmp(other_len)),
            _ => self.as_bytes().cmp(other.as_bytes()),
        }
    }
}

/// As `str` hashes: the bytes, then `0xff`.
impl std::hash::Hash for IdText {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write(self.as_bytes());
        state.write_u8(0xff);
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $example:literal) => {
        $(#[$doc])*
        ///
        /// Any text of 1 to 128 bytes without control characters or
        /// surrounding whitespace; compared exactly (case matters).
        /// Ids of up to 22 bytes are held in place and longer ones shared,
        /// so cloning one never allocates: events, receipts and the
        /// ledger's records hold ids without heap allocations of their
        /// own.
        ///
        /// # Example
        ///
        /// ```
        #[doc = concat!("use loyalty::", stringify!($name), ";")]
        ///
        #[doc = concat!("let id: ", stringify!($name), " = \"", $example, "\".parse()?;")]
        #[doc = concat!("assert_eq!(id.as_str(), \"", $example, "\");")]
        #[doc = concat!("assert!(", stringify!($name), "::new(\"\").is_err());")]
        /// # Ok::<(), loyalty::InvalidId>(())
        /// ```
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(IdText);

        impl $name {
            /// Checks and wraps an identifier, from any text: a `&str`
            /// borrowed from a request or a database row is read where it
            /// is, without a `String` made for it (an id of up to 22
            /// bytes then allocates nothing at all).
            ///
            /// # Errors
            ///
            /// [`InvalidId`] when the text is empty, longer than 128 bytes,
            /// starts or ends with whitespace, or holds control characters.
            pub fn new(value: impl AsRef<str>) -> Result<Self, InvalidId> {
                $name::checked(value.as_ref())
            }

            /// Checks and wraps an identifier read as borrowed text: what
            /// [`new`](Self::new), parsing and deserialising go through.
            fn checked(value: &str) -> Result<Self, InvalidId> {
                check($kind, value)?;
                Ok($name(IdText::new(value)))
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0.as_str())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0.as_str())
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::checked(s)
            }
        }

        /// Written as its text.
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.0.as_str())
            }
        }

        /// Read from text, checked as [`new`](Self::new) checks it.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::wire::text(deserializer, $name::checked)
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                $name::new(value)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = InvalidId;

            fn try_from(value: &str) -> Result<Self, Self::Error> {
                $name::checked(value)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0.as_str().to_owned()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.0.as_str()
            }
        }
    };
}

id_type!(
    /// A member of the loyalty program: the host's customer id.
    MemberId,
    "member id",
    "cust-1042"
);

id_type!(
    /// The host's reference for something that happened in the outside world:
    /// an order id, a refund id, a redemption id, an adjustment or transfer id.
    ///
    /// References make commands exactly-once: the same reference twice is
    /// recognised. They are scoped per member and per kind, so an order
    /// `"1001"` and a refund `"1001"` of the same member do not collide.
    Reference,
    "reference",
    "ORD-1001"
);

impl Reference {
    /// A member's id as a reference, for conflicts on enrolment. Both
    /// follow the same rules, so nothing is checked twice.
    pub(crate) fn of_member(member: &MemberId) -> Reference {
        Reference(member.0.clone())
    }

    /// A referral code as a reference: 4 to 24 letters and digits, which
    /// the reference rules accept.
    pub(crate) fn of_code(code: &crate::ReferralCode) -> Reference {
        Reference(IdText::new(code.as_str()))
    }

    /// Trusted text as a reference: the ledger's own labels, always short
    /// printable text.
    pub(crate) fn label(text: String) -> Reference {
        Reference(IdText::new(&text))
    }
}

/// The reference a sign-up bonus's journal entry names, held once: the
/// journal reads the entry off the member's sign-up bonus, naming this.
pub(crate) static SIGN_UP: Reference = Reference(IdText::Inline {
    len: 7,
    bytes: *b"sign-up\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
});

id_type!(
    /// A reward in the program's catalogue.
    RewardId,
    "reward id",
    "ten-percent-off"
);

id_type!(
    /// A product's stock-keeping unit, as the host's catalogue names it.
    Sku,
    "sku",
    "JKT-0042-M"
);

id_type!(
    /// A category or collection a product belongs to, such as `"shoes"` or
    /// `"summer-sale"`: what earn rules, campaigns and rewards match on.
    Category,
    "category",
    "shoes"
);

id_type!(
    /// A custom action the host reports (a review written, a survey
    /// completed, a newsletter sign-up), as the program names it.
    ActionId,
    "action id",
    "review"
);

id_type!(
    /// An earn rule or campaign of the program, as named in receipts.
    RuleId,
    "rule id",
    "double-points-weekend"
);

id_type!(
    /// A tier of the program (Bronze, Silver, Gold, ...).
    TierId,
    "tier id",
    "gold"
);

/// A name shown to people, as an award's source carries it (a rule's,
/// a campaign's, an action's or a tier's name from the program).
///
/// Any text. Names of up to 22 bytes are held in place and longer ones
/// shared, so the copy of a rule's or tier's name that each award line
/// carries never allocates. It reads as a `str` (through `Deref`), prints,
/// compares and hashes as its text does, and is written in events and
/// JSON as a plain string.
///
/// # Example
///
/// ```
/// use loyalty::Name;
///
/// let name = Name::new("Gold members earn double");
/// assert_eq!(name, "Gold members earn double");
/// assert_eq!(name.len(), 24);
/// assert_eq!(Name::from("Gold").to_string(), "Gold");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Name(IdText);

/// Written as its text.
impl Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.as_str())
    }
}

/// Read from any text.
impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Name, D::Error> {
        crate::wire::text(deserializer, |text| {
            Ok::<Name, std::convert::Infallible>(Name::new(text))
        })
    }
}

impl Name {
    /// A name with this text.
    pub fn new(text: impl AsRef<str>) -> Name {
        Name(IdText::new(text.as_ref()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl Default for Name {
    fn default() -> Name {
        Name::new("")
    }
}

impl std::ops::Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

impl std::borrow::Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.0.as_str()
    }
}

/// As the text's own `Debug`: a quoted string.
impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0.as_str(), f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name::new(text)
    }
}

impl From<String> for Name {
    fn from(text: String) -> Name {
        Name::new(text)
    }
}

impl From<Name> for String {
    fn from(name: Name) -> String {
        name.0.as_str().to_owned()
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.0.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.0.as_str() == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.0.as_str() == other
    }
}

/// A reference as the ledger's lists of records hold it: in 16 bytes
/// where a [`Reference`] takes 24, so that a member's order takes 64
/// bytes with its reference instead of 72.
///
/// The first byte says how the rest holds the reference:
///
/// - up to [`RAW`] bytes (most order, refund and redemption ids), its
///   length, then its text, zero-padded;
/// - 16 to [`PACKED`] characters, each a letter, a digit, `-` or `_` (an
///   order number such as `ORD-2026-000001234`), its length, then six
///   bits a character;
/// - anything longer, or of 16 bytes or more with another character,
///   [`LONG`]: the key holds its length and where its text starts in the
///   text the list keeps beside its records (see `ledger::keyed::Keyed`),
///   which holds each such reference's bytes once. Past 22 bytes that
///   takes less room than a `Reference`, which holds a pointer to its
///   text, 16 bytes of counts and the text in an allocation of its own;
///   from 16 to 22 bytes, which a `Reference` holds in place, more (the
///   key and the text, against the 24 bytes of a `Reference`).
///
/// A reference is always held the one way its text says, so two keys
/// held in place are equal exactly when their references are; a long
/// one never equals one held in place, and two long ones compare their
/// texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RefKey([u64; 2]);

/// The longest reference a [`RefKey`] holds as text in place, in bytes.
pub(crate) const RAW: usize = 15;

/// The longest reference a [`RefKey`] holds packed, six bits a
/// character: 120 bits after the first byte.
pub(crate) const PACKED: usize = 20;

/// The characters a packed [`RefKey`] holds, each as its place here.
const ALPHABET: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/// Each byte's place in [`ALPHABET`], or [`NOT_PACKED`].
const CODES: [u8; 256] = {
    let mut codes = [NOT_PACKED; 256];
    let mut place = 0;
    while place < ALPHABET.len() {
        #[allow(
            clippy::indexing_slicing,
            clippy::arithmetic_side_effects,
            clippy::cast_possible_truncation,
            reason = "evaluated at compile time, over the alphabet's 64 places"
        )]
        {
            codes[ALPHABET[place] as usize] = place as u8;
            place += 1;
        }
    }
    codes
};

/// What [`CODES`] holds for a byte outside the alphabet.
const NOT_PACKED: u8 = 0xff;

/// The first byte of a [`RefKey`] that holds a long reference.
const LONG: u64 = 0xff;

/// How a [`RefKey`] holds its reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Held {
    /// In the key, as text or packed.
    InPlace,
    /// In the list's text: this many bytes from `at`.
    Long { at: usize, len: usize },
}

impl RefKey {
    /// `reference` held in the key, if it fits: its text if it is
    /// [`RAW`] bytes or fewer ([`raw`](RefKey::raw)), packed if it is up
    /// to [`PACKED`] letters, digits, `-` and `_`
    /// ([`packed`](RefKey::packed)).
    pub(crate) fn in_place(reference: &Reference) -> Option<RefKey> {
        RefKey::raw(reference).or_else(|| RefKey::packed(reference))
    }

    /// `reference` held as text in the key, if it is [`RAW`] bytes or
    /// fewer. Inlined: every lookup of a record by reference makes one.
    #[inline(always)]
    pub(crate) fn raw(reference: &Reference) -> Option<RefKey> {
        match &reference.0 {
            IdText::Inline { len, bytes } if usize::from(*len) <= RAW => {
                // Two loads of eight bytes: the first seven bytes above
                // the length, then the next eight.
                let word = |from: usize| {
                    let eight = bytes.get(from..from.saturating_add(8)).unwrap_or_default();
                    u64::from_le_bytes(eight.try_into().unwrap_or_default())
                };
                Some(RefKey([u64::from(*len) | word(0) << 8, word(7)]))
            }
            _ => None,
        }
    }

    /// A reference of 16 to [`PACKED`] bytes, packed six bits a character
    /// after its length (the first character lowest), if each is in the
    /// alphabet. Out of line, as the step few references take.
    #[inline(never)]
    pub(crate) fn packed(reference: &Reference) -> Option<RefKey> {
        let IdText::Inline { len, bytes } = &reference.0 else {
            return None;
        };
        let text = bytes
            .get(..usize::from(*len))
            .filter(|t| t.len() > RAW && t.len() <= PACKED)?;
        let mut packed: u128 = 0;
        for byte in text.iter().rev() {
            let code = CODES.get(usize::from(*byte)).copied().unwrap_or(NOT_PACKED);
            if code == NOT_PACKED {
                return None;
            }
            packed = packed << 6 | u128::from(code);
        }
        let len = u128::try_from(text.len()).ok()?;
        let packed = packed << 8 | len;
        let low = u64::try_from(packed & u128::from(u64::MAX)).ok()?;
        Some(RefKey([low, u64::try_from(packed >> 64).ok()?]))
    }

    /// A long reference of `len` bytes, held in its list's text from
    /// `at`; none when either is past what the key holds (32 bits for
    /// where it starts: a member's list of four gigabytes of references
    /// files no more).
    pub(crate) fn long(at: usize, len: usize) -> Option<RefKey> {
        let at = u64::from(u32::try_from(at).ok()?);
        let len = u64::from(u8::try_from(len).ok()?);
        Some(RefKey([LONG | len << 8 | at << 32, 0]))
    }

    /// Whether the reference is held in place or in the list's text.
    pub(crate) fn held(self) -> Held {
        let [low, _] = self.0;
        if low & 0xff == LONG {
            let len = usize::from(u8::try_from(low >> 8 & 0xff).unwrap_or_default());
            let at = usize::try_from(low >> 32).unwrap_or(usize::MAX);
            Held::Long { at, len }
        } else {
            Held::InPlace
        }
    }

    /// The reference, reading a long one from `text`, the text its list
    /// keeps beside its records: a long reference the text does not hold
    /// (which a list never makes) reads as `"?"`.
    pub(crate) fn reference(self, text: &str) -> Reference {
        let [low, high] = self.0;
        let len = u8::try_from(low & 0xff).unwrap_or_default();
        let mut bytes = [0; INLINE];
        match self.held() {
            Held::InPlace if self.is_raw() => {
                let (first, rest) = bytes.split_at_mut(7);
                first.copy_from_slice(low.to_le_bytes().get(1..).unwrap_or_default());
                if let Some(rest) = rest.get_mut(..8) {
                    rest.copy_from_slice(&high.to_le_bytes());
                }
            }
            Held::InPlace => {
                let mut packed = (u128::from(high) << 64 | u128::from(low)) >> 8;
                for byte in bytes.iter_mut().take(usize::from(len)) {
                    let code = usize::try_from(packed & 0x3f).unwrap_or_default();
                    *byte = ALPHABET.get(code).copied().unwrap_or_default();
                    packed >>= 6;
                }
            }
            Held::Long { at, len } => {
                let end = at.saturating_add(len);
                return Reference(IdText::new(text.get(at..end).unwrap_or("?")));
            }
        }
        // The bytes were copied from a reference's text whole, or are
        // characters of the alphabet, which a reference's text took them
        // from.
        Reference(IdText::Inline { len, bytes })
    }

    /// Whether the key holds its reference as text (its first byte, the
    /// length, at most [`RAW`]; a packed or long key's is more).
    #[inline(always)]
    fn is_raw(self) -> bool {
        self.0[0] & 0xff <= RAW as u64
    }

    /// The quick hash of a reference held as text in a key: its two words
    /// folded and mixed (see [`Reference::quick_hash`]).
    #[inline(always)]
    fn raw_hash(self) -> u64 {
        let [low, high] = self.0;
        mix(fold(fold(0, low), high))
    }

    /// The quick hash of the reference the key holds (see
    /// [`Reference::quick_hash`]), without making a [`Reference`] of it
    /// but for one packed: one held as text is hashed from the key's two
    /// words as they are, a long one read from `text`. A member's order
    /// index hashes every order's key again each time it doubles (see
    /// `ledger::hashed`): about 15 instructions a key held as text, where
    /// making its reference first and hashing that took about 50.
    #[inline]
    pub(crate) fn quick_hash(self, text: &str) -> u64 {
        if self.is_raw() {
            self.raw_hash()
        } else {
            self.longer_hash(text)
        }
    }

    /// [`quick_hash`](RefKey::quick_hash) of a reference packed or held in
    /// `text`: out of line, as the way few keys take.
    #[inline(never)]
    fn longer_hash(self, text: &str) -> u64 {
        match self.held() {
            Held::InPlace => self.reference(text).quick_hash(),
            Held::Long { at, len } => {
                let end = at.saturating_add(len);
                IdText::quick_hash_of(text.get(at..end).unwrap_or("?"))
            }
        }
    }
}

impl MemberId {
    /// A quick hash of the id for the ledger's member index.
    #[inline(always)]
    pub(crate) fn quick_hash(&self) -> u64 {
        self.0.quick_hash()
    }
}

impl Reference {
    /// A quick hash of the reference for a member's order index: for a
    /// reference of up to [`RAW`] bytes, of the words its [`RefKey`]
    /// holds, so that an index filed again hashes its keys as they are
    /// held (see [`RefKey::quick_hash`]); for any other, of its text as a
    /// member id's is.
    #[inline(always)]
    pub(crate) fn quick_hash(&self) -> u64 {
        match RefKey::raw(self) {
            Some(key) => key.raw_hash(),
            None => self.0.quick_hash(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The shortcut for plain ASCII ids passes only what the general
        /// checks pass: ids of printable ASCII and around it (spaces at
        /// either end, tabs, controls, other whitespace, other letters).
        #[test]
        fn plain_ids_pass_the_general_checks(
            id in "[ -~\\t\\n\u{0}\u{7f}\u{a0}\u{2003}é]{1,20}",
        ) {
            let general = id.trim() == id && !id.chars().any(char::is_control);
            if plain(&id) {
                proptest::prop_assert!(general, "{:?}", id);
            }
            proptest::prop_assert_eq!(check("id", &id).is_ok(), general, "{:?}", id);
        }
    }

    #[test]
    fn ids_are_checked_alike_whether_plain_or_not() {
        for (id, plain_ascii, valid) in [
            ("member-0001234", true, true),
            ("ORD 2026 1", true, true),
            (" ORD-1", false, false),
            ("ORD-1 ", false, false),
            ("ORD\t1", false, false),
            ("Café-1", false, true),
            ("ORD-1\u{a0}", false, false),
        ] {
            assert_eq!(plain(id), plain_ascii, "{id:?}");
            assert_eq!(check("id", id).is_ok(), valid, "{id:?}");
        }
    }

    #[test]
    fn the_sign_up_reference_is_the_one_its_text_makes() {
        let made = Reference::new("sign-up").unwrap();
        assert_eq!(SIGN_UP, made);
        assert_eq!(SIGN_UP.as_str(), "sign-up");
        assert_eq!(SIGN_UP.cmp(&made), std::cmp::Ordering::Equal);
        assert_eq!(SIGN_UP.quick_hash(), made.quick_hash());
    }

    #[test]
    fn a_name_reads_compares_hashes_and_serialises_as_its_text() {
        fn hash_of(value: &impl std::hash::Hash) -> u64 {
            let mut hasher = crate::siphash::SipHasher24::new(1, 2);
            value.hash(&mut hasher);
            std::hash::Hasher::finish(&hasher)
        }
        let long = "A campaign name well past twenty-two bytes";
        for text in ["", "Gold", "Twenty-two bytes long!", long, "Zoë's ☕ week"] {
            let name = Name::new(text);
            assert_eq!(name.as_str(), text);
            assert_eq!(&*name, text);
            assert_eq!(name, text);
            assert_eq!(name, text.to_owned());
            assert_eq!(name.to_string(), text);
            assert_eq!(format!("{name:?}"), format!("{text:?}"));
            assert_eq!(hash_of(&name), hash_of(&text.to_owned()));
            assert_eq!(String::from(name.clone()), text);
            assert_eq!(Name::from(text.to_owned()), name);
            let json = serde_json::to_string(&name).unwrap();
            assert_eq!(json, serde_json::to_string(text).unwrap());
            assert_eq!(serde_json::from_str::<Name>(&json).unwrap(), name);
        }
        assert_eq!(Name::default(), "");
        assert_ne!(Name::new("Gold"), Name::new("Gold "));
    }

    #[test]
    fn ids_are_read_from_any_text_alike() {
        let row = String::from("member-0042");
        let borrowed = MemberId::new(row.as_str()).unwrap();
        assert_eq!(MemberId::new(&row).unwrap(), borrowed);
        assert_eq!(MemberId::new(row.clone()).unwrap(), borrowed);
        assert_eq!(
            MemberId::new(std::borrow::Cow::Borrowed("member-0042")).unwrap(),
            borrowed
        );
        assert_eq!(
            MemberId::new(Box::<str>::from("member-0042")).unwrap(),
            borrowed
        );
        assert_eq!("member-0042".parse::<MemberId>().unwrap(), borrowed);
        // Past 22 bytes, held behind a pointer: the same id either way.
        let long = "order-".repeat(10);
        assert_eq!(
            Reference::new(&long).unwrap(),
            Reference::new(long.clone()).unwrap()
        );
        assert_eq!(Reference::new(&long).unwrap().as_str(), long);
    }

    #[test]
    fn each_problem_is_named() {
        let problem = |s: &str| MemberId::new(s).unwrap_err().problem;
        assert_eq!(problem(""), IdProblem::Empty);
        assert_eq!(problem(&"x".repeat(129)), IdProblem::TooLong { len: 129 });
        assert_eq!(problem(" a"), IdProblem::SurroundingWhitespace);
        assert_eq!(problem("a\nb"), IdProblem::ControlCharacter);
        assert!(MemberId::new("x".repeat(128)).is_ok());
        assert!(MemberId::new("Marta García").is_ok());
    }

    #[test]
    fn messages_say_which_id_and_why() {
        assert_eq!(
            Reference::new("").unwrap_err().to_string(),
            "invalid reference \"\": must not be empty"
        );
        assert_eq!(
            RewardId::new("a\t").unwrap_err().to_string(),
            "invalid reward id \"a\\t\": must not start or end with whitespace"
        );
    }

    #[test]
    fn short_and_long_ids_compare_hash_and_read_alike() {
        use std::hash::{Hash, Hasher};
        fn hash(value: &impl Hash) -> u64 {
            let mut hasher = crate::siphash::SipHasher24::new(1, 2);
            value.hash(&mut hasher);
            hasher.finish()
        }
        // 22 bytes are held in place, 23 shared; "é" is two bytes.
        let texts = [
            "a".to_owned(),
            "ORD-1".to_owned(),
            "ORD-10".to_owned(),
            "x".repeat(21) + "é",
            "x".repeat(22),
            "x".repeat(23),
            "x".repeat(128),
            "Zoë".to_owned(),
        ];
        let ids: Vec<Reference> = texts
            .iter()
            .map(|t| Reference::new(t.as_str()).unwrap())
            .collect();
        for (a, ta) in ids.iter().zip(&texts) {
            assert_eq!(a.as_str(), ta.as_str());
            assert_eq!(a.to_string(), *ta);
            assert_eq!(hash(a), hash(&ta.as_str()), "hashes as the text does");
            for (b, tb) in ids.iter().zip(&texts) {
                assert_eq!(a.cmp(b), ta.as_str().cmp(tb.as_str()), "{ta} against {tb}");
                assert_eq!(a == b, ta == tb);
            }
        }
        assert_eq!(std::mem::size_of::<Reference>(), 24);
    }

    proptest::proptest! {
        /// Ids compare as their text does, whether held in place or
        /// shared, for any text an id may hold (prefixes of each other,
        /// multi-byte characters, either side of the 22-byte line).
        #[test]
        fn ids_order_as_their_text(
            a in "[a-c0-9é ]{0,24}[a-cZ]",
            b in "[a-c0-9é ]{0,24}[a-cZ]",
            cut in 0_usize..26,
        ) {
            let b = if cut % 2 == 0 { a.chars().take(cut).collect::<String>() + &b } else { b };
            let (Ok(x), Ok(y)) = (Reference::new(a.trim_start()), Reference::new(b.trim_start())) else {
                return Ok(());
            };
            proptest::prop_assert_eq!(x.cmp(&y), x.as_str().cmp(y.as_str()));
            proptest::prop_assert_eq!(x == y, x.as_str() == y.as_str());
        }
    }

    #[test]
    fn a_reference_of_up_to_fifteen_bytes_or_twenty_plain_characters_is_held_in_its_key() {
        // "é" is two bytes: 15 bytes as text, 16 not; up to twenty
        // letters, digits, '-' and '_' packed.
        let held = [
            "a",
            "ORD-1",
            "ORD-2026-00123",
            &("x".repeat(13) + "é"),
            "ORD-2026-000001234",
            "0123456789abcdefghij",
            "ABCDEFGHIJKLMNOPQRST",
            "uvwxyz-_UVWXYZ-_0000",
            "zzzzzzzzzzzzzzzz",
        ];
        for text in held {
            let reference = Reference::new(text).unwrap();
            let key = RefKey::in_place(&reference).unwrap();
            assert_eq!(key.held(), Held::InPlace);
            assert_eq!(key.reference(""), reference, "{text}");
            assert_eq!(key.reference("").as_str(), text);
            assert_eq!(key.quick_hash(""), reference.quick_hash());
            assert_eq!(RefKey::in_place(&key.reference("")), Some(key));
        }
        // Trailing zeros pack to zero bits: the length tells them apart.
        let zeros = ["ORD-2026-000000000", "ORD-2026-0000000000"]
            .map(|text| RefKey::in_place(&Reference::new(text).unwrap()));
        assert!(zeros[0].is_some() && zeros[0] != zeros[1]);
        let long = [
            "x".repeat(14) + "é",
            "ORD.2026.000001234".to_owned(),
            "x".repeat(21),
            "x".repeat(22),
            "x".repeat(23),
        ];
        for text in long {
            let reference = Reference::new(&text).unwrap();
            assert_eq!(RefKey::in_place(&reference), None, "{text}");
        }
    }

    #[test]
    fn a_longer_reference_is_read_from_its_list_text() {
        let texts = [
            "ORD/2026/000123456",
            &"x".repeat(22),
            &"y".repeat(23),
            &"z".repeat(128),
        ];
        let mut text = String::new();
        let mut keys = Vec::new();
        for t in texts {
            keys.push(RefKey::long(text.len(), t.len()).unwrap());
            text.push_str(t);
        }
        let mut at = 0;
        for (key, t) in keys.iter().zip(texts) {
            let reference = Reference::new(t).unwrap();
            assert_eq!(key.held(), Held::Long { at, len: t.len() });
            assert_eq!(key.reference(&text), reference);
            assert_eq!(key.quick_hash(&text), reference.quick_hash(), "{t}");
            assert_ne!(RefKey::in_place(&Reference::new("x").unwrap()), Some(*key));
            at += t.len();
        }
        // Text the list does not hold reads as "?"; a place or a length
        // past what the key holds makes none.
        assert_eq!(keys[3].reference("short").as_str(), "?");
        assert_eq!(
            RefKey::long(usize::try_from(u32::MAX).unwrap() + 1, 20),
            None
        );
        assert_eq!(RefKey::long(0, 256), None);
        assert_eq!(std::mem::size_of::<RefKey>(), 16);
    }

    proptest::proptest! {
        /// Two references held in place have equal keys exactly when their
        /// texts are equal, and each key gives its reference back.
        #[test]
        fn keys_in_place_are_equal_as_their_texts(
            a in "[a-cé0-9_-]{1,15}|[A-Za-z0-9_-]{16,20}|[a-c.]{16,20}",
            b in "[a-cé0-9_-]{1,15}|[A-Za-z0-9_-]{16,20}|[a-c.]{16,20}",
        ) {
            let (Ok(x), Ok(y)) = (Reference::new(&a), Reference::new(&b)) else {
                return Ok(());
            };
            let fits = |t: &str| {
                t.len() <= RAW
                    || (t.len() <= PACKED
                        && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
            };
            match (RefKey::in_place(&x), RefKey::in_place(&y)) {
                (Some(kx), Some(ky)) => {
                    proptest::prop_assert_eq!(kx == ky, a == b);
                    proptest::prop_assert_eq!(kx.reference(""), x.clone());
                    proptest::prop_assert_eq!(ky.reference(""), y);
                    proptest::prop_assert_eq!(kx.quick_hash(""), x.quick_hash());
                }
                (kx, ky) => {
                    proptest::prop_assert_eq!(kx.is_some(), fits(&a));
                    proptest::prop_assert_eq!(ky.is_some(), fits(&b));
                }
            }
        }
    }

    #[test]
    fn serde_validates() {
        assert_eq!(
            serde_json::to_string(&MemberId::new("m-1").unwrap()).unwrap(),
            "\"m-1\""
        );
        assert!(serde_json::from_str::<MemberId>("\"\"").is_err());
    }
}
