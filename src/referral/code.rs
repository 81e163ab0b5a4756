//! Referral codes: short, upper-case, from an alphabet without look-alikes,
//! ending in a check character that catches every single-character typo.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::MemberId;

/// The characters codes are made of: digits and upper-case letters without
/// the look-alikes `0`, `1`, `I` and `O`.
pub const CODE_ALPHABET: &str = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// The fewest characters a code has, its check character included.
pub const MIN_CODE_LEN: usize = 4;

/// The most characters a code has, its check character included.
pub const MAX_CODE_LEN: usize = 24;

const RADIX: u32 = 32;

/// A member's referral code, such as `K7M2QX9B`.
///
/// Codes are upper case, drawn from [`CODE_ALPHABET`] (no `0`, `1`, `I` or
/// `O`), 4 to 24 characters long, and end in a check character (Luhn mod
/// 32): a code with any one character mistyped never parses, and most
/// swaps of two neighbouring characters do not either. Parsing forgives
/// case, spaces and hyphens, so `k7m2-qx9b` reads as `K7M2QX9B`.
///
/// The ledger gives each member a code derived from their id and the
/// program's secret; a host that prefers its own (`MARTA`) completes it
/// with [`ReferralCode::with_check`].
///
/// # Example
///
/// ```
/// use loyalty::ReferralCode;
///
/// let code = ReferralCode::with_check("MARTA")?;
/// assert_eq!(code.as_str(), "MARTAT");
/// assert_eq!("marta-t".parse::<ReferralCode>()?, code);
///
/// // One character wrong: caught.
/// let typo = "MARTBT".parse::<ReferralCode>().unwrap_err();
/// assert_eq!(typo.to_string(),
///     "invalid referral code \"MARTBT\": mistyped (its check character does not match)");
/// # Ok::<(), loyalty::InvalidCode>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ReferralCode(String);

/// A referral code that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[error("invalid referral code {text:?}: {problem}")]
#[non_exhaustive]
pub struct InvalidCode {
    /// The text given (cut to [`MAX_CODE_LEN`] × 2 characters).
    pub text: String,
    /// What is wrong with it.
    pub problem: CodeProblem,
}

/// What is wrong with a referral code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum CodeProblem {
    /// Fewer characters than [`MIN_CODE_LEN`] (check character included).
    #[error("has {len} characters, at least {MIN_CODE_LEN} are needed")]
    TooShort {
        /// Its length, without spaces and hyphens.
        len: usize,
    },
    /// More characters than [`MAX_CODE_LEN`].
    #[error("has {len} characters, at most {MAX_CODE_LEN} are allowed")]
    TooLong {
        /// Its length, without spaces and hyphens.
        len: usize,
    },
    /// A character outside [`CODE_ALPHABET`].
    #[error("{character:?} at position {position} is not used in codes")]
    NotInAlphabet {
        /// The character.
        character: char,
        /// Its position, from 1, spaces and hyphens left out.
        position: usize,
    },
    /// The check character does not match the rest: a typo.
    #[error("mistyped (its check character does not match)")]
    CheckFailed,
}

/// A character's value in the alphabet.
fn value(c: char) -> Option<u32> {
    CODE_ALPHABET
        .chars()
        .position(|a| a == c)
        .and_then(|p| u32::try_from(p).ok())
}

/// The alphabet's character for a value below 32.
fn character(v: u32) -> char {
    CODE_ALPHABET.chars().nth((v & 31) as usize).unwrap_or('2')
}

/// The Luhn mod 32 sum of `values`, the rightmost doubled when `double_last`.
fn luhn_sum(values: &[u32], double_last: bool) -> u32 {
    let mut sum = 0_u32;
    let mut double = double_last;
    for v in values.iter().rev() {
        let addend = if double { v.saturating_mul(2) } else { *v };
        // Values stay below 64: no overflow.
        sum = sum
            .wrapping_add(addend.wrapping_div(RADIX))
            .wrapping_add(addend.wrapping_rem(RADIX))
            .wrapping_rem(RADIX);
        double = !double;
    }
    sum
}

/// The check character's value for a body.
fn check_value(body: &[u32]) -> u32 {
    RADIX.wrapping_sub(luhn_sum(body, true)).wrapping_rem(RADIX)
}

/// Upper case, without spaces and hyphens.
fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn invalid(text: &str, problem: CodeProblem) -> InvalidCode {
    InvalidCode {
        text: text.chars().take(MAX_CODE_LEN.saturating_mul(2)).collect(),
        problem,
    }
}

/// The values of a normalised text, or the first character outside the
/// alphabet.
fn values(text: &str, original: &str) -> Result<Vec<u32>, InvalidCode> {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            value(c).ok_or_else(|| {
                invalid(
                    original,
                    CodeProblem::NotInAlphabet {
                        character: c,
                        position: i.saturating_add(1),
                    },
                )
            })
        })
        .collect()
}

impl ReferralCode {
    /// Completes a code the host chose (`MARTA`) with its check character
    /// (`MARTAT`).
    ///
    /// # Errors
    ///
    /// [`InvalidCode`] when `body` has characters outside
    /// [`CODE_ALPHABET`], or fewer than 3 or more than 23 of them.
    pub fn with_check(body: &str) -> Result<ReferralCode, InvalidCode> {
        let text = normalise(body);
        let len = text.chars().count().saturating_add(1);
        if len < MIN_CODE_LEN {
            return Err(invalid(body, CodeProblem::TooShort { len }));
        }
        if len > MAX_CODE_LEN {
            return Err(invalid(body, CodeProblem::TooLong { len }));
        }
        let body_values = values(&text, body)?;
        let mut code = text;
        code.push(character(check_value(&body_values)));
        Ok(ReferralCode(code))
    }

    /// Reads a code as a customer typed it: case, spaces and hyphens do not
    /// matter; the check character must match.
    ///
    /// # Errors
    ///
    /// [`InvalidCode`] naming the problem: too short or long, a character
    /// not used in codes, or a typo caught by the check character.
    pub fn parse(text: &str) -> Result<ReferralCode, InvalidCode> {
        let code = normalise(text);
        let len = code.chars().count();
        if len < MIN_CODE_LEN {
            return Err(invalid(text, CodeProblem::TooShort { len }));
        }
        if len > MAX_CODE_LEN {
            return Err(invalid(text, CodeProblem::TooLong { len }));
        }
        let all = values(&code, text)?;
        if luhn_sum(&all, false) != 0 {
            return Err(invalid(text, CodeProblem::CheckFailed));
        }
        Ok(ReferralCode(code))
    }

    /// The code derived for `member` under `key`, `attempt` 0 first (the
    /// next attempts when a code is already taken): `body_len` characters
    /// from a keyed hash of the member's id, then the check character.
    pub(crate) fn derive(
        member: &MemberId,
        key: &CodeKey,
        body_len: usize,
        attempt: u32,
    ) -> ReferralCode {
        let mut input = member.as_str().as_bytes().to_vec();
        input.push(0xff);
        input.extend_from_slice(&attempt.to_le_bytes());
        let mut hash = crate::siphash::siphash24(key.0, key.1, &input);
        let body: Vec<u32> = (0..body_len.clamp(1, 12))
            .map(|_| {
                let v = (hash & 0x1f) as u32;
                hash >>= 5;
                v
            })
            .collect();
        let mut code: String = body.iter().map(|v| character(*v)).collect();
        code.push(character(check_value(&body)));
        ReferralCode(code)
    }

    /// The code, upper case, check character last.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReferralCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ReferralCode {
    type Err = InvalidCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ReferralCode::parse(s)
    }
}

impl<'de> Deserialize<'de> for ReferralCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ReferralCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The key codes are derived with: two 64-bit halves drawn from the
/// program's secret.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct CodeKey(u64, u64);

impl fmt::Debug for CodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the key.
        f.write_str("CodeKey(..)")
    }
}

impl CodeKey {
    /// The key for a program secret.
    pub(crate) fn from_secret(secret: &str) -> CodeKey {
        const FIXED: (u64, u64) = (0x6c6f_7961_6c74_7921, 0x7265_6665_7272_616c);
        let mut first = b"loyalty referral key 0:".to_vec();
        first.extend_from_slice(secret.as_bytes());
        let mut second = b"loyalty referral key 1:".to_vec();
        second.extend_from_slice(secret.as_bytes());
        CodeKey(
            crate::siphash::siphash24(FIXED.0, FIXED.1, &first),
            crate::siphash::siphash24(FIXED.0, FIXED.1, &second),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_codes_are_stable_checked_and_keyed() {
        let key = CodeKey::from_secret("a program secret of some length");
        let marta: MemberId = "marta".parse().unwrap();
        let code = ReferralCode::derive(&marta, &key, 7, 0);
        assert_eq!(code.as_str().len(), 8);
        assert_eq!(ReferralCode::parse(code.as_str()), Ok(code.clone()));
        assert_eq!(ReferralCode::derive(&marta, &key, 7, 0), code);
        assert_ne!(ReferralCode::derive(&marta, &key, 7, 1), code);
        let other = CodeKey::from_secret("another program secret, not the same");
        assert_ne!(ReferralCode::derive(&marta, &other, 7, 0), code);
        assert!(format!("{key:?}").contains(".."));
    }

    #[test]
    fn parsing_names_what_is_wrong() {
        let problem = |s: &str| ReferralCode::parse(s).unwrap_err().problem;
        assert_eq!(problem("AB2"), CodeProblem::TooShort { len: 3 });
        assert_eq!(problem(&"A".repeat(25)), CodeProblem::TooLong { len: 25 });
        assert_eq!(
            problem("MAR0AT"),
            CodeProblem::NotInAlphabet {
                character: '0',
                position: 4
            }
        );
        assert_eq!(problem("MARTAX"), CodeProblem::CheckFailed);
        assert_eq!(
            ReferralCode::with_check("AB").unwrap_err().problem,
            CodeProblem::TooShort { len: 3 }
        );
    }
}
