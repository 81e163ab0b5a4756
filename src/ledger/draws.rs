//! [`Draws`]: the lots an event draws points from, the first held in
//! place.

use super::event::LotDraw;
use crate::few::Few;

/// The lots an event draws points from, in consumption order.
///
/// A [`Few`] of [`LotDraw`]s, which holds a single draw without
/// allocating: most expiries, transfers and clawbacks draw from one lot.
/// It reads as a slice (`draws.len()`, `draws[0]`, `draws.iter()`,
/// `for d in &draws`), converts from and into a `Vec`, compares, hashes
/// and prints as the slice it holds, and is stored as a list, exactly as
/// a `Vec` was.
///
/// # Example
///
/// ```
/// use loyalty::{Draws, Event};
///
/// let line = r#"{"type":"PointsExpired","member":"marta","at":"2027-01-12T10:00:00Z",
///     "reason":"lot_expired","points":57,"draws":[{"lot":1,"points":57}]}"#;
/// let Event::PointsExpired(expired) = serde_json::from_str::<Event>(line)? else {
///     unreachable!("the line is an expiry")
/// };
/// assert_eq!(expired.draws.len(), 1);
/// assert_eq!(expired.draws[0].points.value(), 57);
/// let total: i64 = expired.draws.iter().map(|d| d.points.value()).sum();
/// assert_eq!(total, 57);
///
/// // Stored as the list it was read from.
/// assert_eq!(serde_json::to_string(&expired.draws)?, r#"[{"lot":1,"points":57}]"#);
/// assert_eq!(Draws::from(expired.draws.to_vec()), expired.draws);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub type Draws = Few<LotDraw>;
