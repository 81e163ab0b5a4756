//! Calendar periods, days of the week and birthdays in the program's UTC
//! offset.

use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, Months, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// A calendar period in the program's UTC offset: where a day, a week
/// (Monday to Sunday), a month or a year starts and ends for expiry, limits
/// and frequency caps.
///
/// # Example
///
/// ```
/// use chrono::{FixedOffset, TimeZone, Utc};
/// use loyalty::Period;
///
/// let cet = FixedOffset::east_opt(3600).unwrap();
/// let at = Utc.with_ymd_and_hms(2026, 3, 15, 23, 30, 0).unwrap(); // 00:30 on the 16th in CET
/// assert_eq!(Period::Day.start(at, cet), Some(Utc.with_ymd_and_hms(2026, 3, 15, 23, 0, 0).unwrap()));
/// assert_eq!(Period::Week.start(at, cet), Some(Utc.with_ymd_and_hms(2026, 3, 15, 23, 0, 0).unwrap()));
/// assert_eq!(Period::Month.end(at, cet), Some(Utc.with_ymd_and_hms(2026, 3, 31, 23, 0, 0).unwrap()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Period {
    /// A day, from midnight.
    Day,
    /// A week, from Monday midnight.
    Week,
    /// A month, from the first at midnight.
    Month,
    /// A year, from the first of January at midnight.
    Year,
}

impl Period {
    /// The name used in configuration and explanations.
    pub const fn name(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Year => "year",
        }
    }

    /// The first day of the period holding `date`.
    fn first_day(self, date: NaiveDate) -> Option<NaiveDate> {
        match self {
            Period::Day => Some(date),
            Period::Week => date.checked_sub_days(chrono::Days::new(u64::from(
                date.weekday().num_days_from_monday(),
            ))),
            Period::Month => date.with_day0(0),
            Period::Year => date.with_ordinal0(0),
        }
    }

    /// The first day of the next period after the one holding `date`.
    fn next_first_day(self, date: NaiveDate) -> Option<NaiveDate> {
        let first = self.first_day(date)?;
        match self {
            Period::Day => first.succ_opt(),
            Period::Week => first.checked_add_days(chrono::Days::new(7)),
            Period::Month => first.checked_add_months(Months::new(1)),
            Period::Year => first.checked_add_months(Months::new(12)),
        }
    }

    /// The instant the period holding `at` started, in `offset`; `None` at
    /// the ends of the calendar.
    pub fn start(self, at: DateTime<Utc>, offset: FixedOffset) -> Option<DateTime<Utc>> {
        let day = self.first_day(local_date(at, offset))?;
        midnight(day, offset)
    }

    /// The instant the period holding `at` ends (the next one starts), in
    /// `offset`; `None` at the ends of the calendar.
    pub fn end(self, at: DateTime<Utc>, offset: FixedOffset) -> Option<DateTime<Utc>> {
        let day = self.next_first_day(local_date(at, offset))?;
        midnight(day, offset)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The instant `days` whole days after `at`, `None` past the end of the
/// calendar: what `at.checked_add_days(Days::new(days))` gives in UTC,
/// where a day is 86,400 seconds and the time of day (a leap second's
/// included) is kept, worked out on the timestamp rather than through
/// the calendar date. An expiry after earning asks it once a purchase,
/// one after inactivity twice.
pub(crate) fn days_after(at: DateTime<Utc>, days: u32) -> Option<DateTime<Utc>> {
    seconds_after(at, i64::from(days).checked_mul(86_400)?)
}

/// The instant `seconds` whole seconds after `at` on its timestamp, the
/// fraction of a second kept; `None` past the ends of the calendar. For
/// an instant that is not a leap second, what chrono's addition of
/// seconds gives; a leap second chrono counts as one more second.
pub(crate) fn seconds_after(at: DateTime<Utc>, seconds: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(
        at.timestamp().checked_add(seconds)?,
        at.timestamp_subsec_nanos(),
    )
}

/// The local date of `at` in `offset`.
pub(crate) fn local_date(at: DateTime<Utc>, offset: FixedOffset) -> NaiveDate {
    at.with_timezone(&offset).date_naive()
}

/// Local midnight starting `day`, as a UTC instant.
pub(crate) fn midnight(day: NaiveDate, offset: FixedOffset) -> Option<DateTime<Utc>> {
    // What `offset.from_local_datetime(..).single()` gives for a fixed
    // offset (one instant, none past the ends of the calendar), without
    // the generic path through `LocalResult`, which a review of every
    // member's tier window takes once or twice a member.
    let utc = day.and_hms_opt(0, 0, 0)?.checked_sub_offset(offset)?;
    Some(DateTime::from_naive_utc_and_offset(utc, Utc))
}

/// A day of the week, for campaigns that run on chosen days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
#[non_exhaustive]
pub enum DayOfWeek {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl DayOfWeek {
    /// The day of the week of `at` in `offset`.
    pub fn of(at: DateTime<Utc>, offset: FixedOffset) -> DayOfWeek {
        match local_date(at, offset).weekday() {
            Weekday::Mon => DayOfWeek::Monday,
            Weekday::Tue => DayOfWeek::Tuesday,
            Weekday::Wed => DayOfWeek::Wednesday,
            Weekday::Thu => DayOfWeek::Thursday,
            Weekday::Fri => DayOfWeek::Friday,
            Weekday::Sat => DayOfWeek::Saturday,
            Weekday::Sun => DayOfWeek::Sunday,
        }
    }
}

/// The member's birthday in `year` (the 28th of February for a 29th of
/// February outside leap years).
pub(crate) fn birthday_in(birth: NaiveDate, year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, birth.month(), 28))
}

/// When the birthday grant for `year` falls due: local midnight starting the
/// birthday.
pub(crate) fn birthday_start(
    birth: NaiveDate,
    year: i32,
    offset: FixedOffset,
) -> Option<DateTime<Utc>> {
    midnight(birthday_in(birth, year)?, offset)
}

/// Parses a configuration time: RFC 3339 (`2026-05-02T00:00:00+02:00`) or a
/// date (`2026-05-02`, local midnight in `offset`).
pub(crate) fn parse_time(text: &str, offset: FixedOffset) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    midnight(day, offset)
}

/// Instants over the whole calendar for property tests: anywhere chrono
/// holds, or near its edges (within a few thousand days of its first
/// time, two hundred years of its last, and its last second itself),
/// near the edges of what an order record packs (2^33 seconds either
/// side of 1970) or near now; the first and last nanoseconds of a second
/// more often than chance; one in five a leap second (written as the
/// 59th second with a second's worth of nanoseconds more).
#[cfg(test)]
pub(crate) fn instants() -> impl proptest::strategy::Strategy<Value = DateTime<Utc>> {
    use proptest::prelude::*;
    let (first, last) = (
        DateTime::<Utc>::MIN_UTC.timestamp(),
        DateTime::<Utc>::MAX_UTC.timestamp(),
    );
    let packed = 1_i64 << 33;
    (
        prop_oneof![
            6 => first..=last,
            1 => first..first + 4_000 * 86_400,
            1 => last - 200 * 365 * 86_400..=last,
            1 => Just(last),
            1 => -packed - 3..-packed + 3,
            1 => packed - 3..packed + 3,
            1 => 1_768_000_000_i64..1_769_000_000,
        ],
        prop_oneof![
            3 => 0_u32..1_000_000_000,
            1 => Just(0_u32),
            1 => Just(999_999_998_u32),
            1 => Just(999_999_999_u32),
        ],
        proptest::bool::weighted(0.2),
    )
        .prop_filter_map("a time", move |(seconds, nanos, leap)| {
            let (seconds, nanos) = if leap {
                (seconds - seconds.rem_euclid(60) + 59, nanos + 1_000_000_000)
            } else {
                (seconds, nanos)
            };
            DateTime::from_timestamp(seconds, nanos)
        })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    proptest::proptest! {
        /// Days after an instant are what adding calendar days in UTC
        /// gives, over the whole calendar, for any number of days a
        /// setting accepts and past it, leap seconds and the calendar's
        /// end included.
        #[test]
        fn days_after_is_what_adding_calendar_days_gives(
            at in instants(),
            days in proptest::prop_oneof![0_u32..=36_500, proptest::num::u32::ANY],
        ) {
            proptest::prop_assert_eq!(
                days_after(at, days),
                at.checked_add_days(chrono::Days::new(u64::from(days)))
            );
        }
    }

    #[test]
    fn midnight_is_the_instant_a_fixed_offset_gives_for_a_local_day() {
        let offsets = [-14 * 3600, -5 * 3600 - 1800, -1, 0, 1, 3600, 14 * 3600];
        let days = [
            NaiveDate::MIN,
            NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            NaiveDate::MAX,
        ];
        for seconds in offsets {
            let offset = FixedOffset::east_opt(seconds).unwrap();
            for day in days {
                let through_local = offset
                    .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap())
                    .single()
                    .map(|t| t.with_timezone(&Utc));
                assert_eq!(midnight(day, offset), through_local, "{day} at {offset}");
            }
        }
        // Past the ends of the calendar there is no such instant.
        let east = FixedOffset::east_opt(3600).unwrap();
        assert_eq!(midnight(NaiveDate::MIN, east), None);
    }

    fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    #[test]
    fn periods_start_and_end_in_the_offset() {
        let cet = FixedOffset::east_opt(3600).unwrap();
        // Wednesday 2026-03-18 10:00 UTC.
        let at = utc(2026, 3, 18, 10);
        assert_eq!(Period::Week.start(at, cet), Some(utc(2026, 3, 15, 23)));
        assert_eq!(Period::Week.end(at, cet), Some(utc(2026, 3, 22, 23)));
        assert_eq!(Period::Year.start(at, cet), Some(utc(2025, 12, 31, 23)));
        assert_eq!(Period::Year.end(at, cet), Some(utc(2026, 12, 31, 23)));
        assert_eq!(Period::Day.end(at, cet), Some(utc(2026, 3, 18, 23)));
        assert_eq!(Period::Month.start(DateTime::<Utc>::MIN_UTC, cet), None);
    }

    #[test]
    fn days_of_the_week_are_local() {
        let tokyo = FixedOffset::east_opt(9 * 3600).unwrap();
        // Friday 20:00 UTC is Saturday 05:00 in Tokyo.
        assert_eq!(
            DayOfWeek::of(utc(2026, 5, 1, 20), tokyo),
            DayOfWeek::Saturday
        );
        assert_eq!(
            DayOfWeek::of(utc(2026, 5, 1, 20), FixedOffset::east_opt(0).unwrap()),
            DayOfWeek::Friday
        );
    }

    #[test]
    fn a_leap_day_birthday_falls_on_the_28th_in_other_years() {
        let leap = NaiveDate::from_ymd_opt(2004, 2, 29).unwrap();
        assert_eq!(
            birthday_in(leap, 2027),
            NaiveDate::from_ymd_opt(2027, 2, 28)
        );
        assert_eq!(
            birthday_in(leap, 2028),
            NaiveDate::from_ymd_opt(2028, 2, 29)
        );
    }

    #[test]
    fn configuration_times_read_as_instants_or_local_dates() {
        let cest = FixedOffset::east_opt(7200).unwrap();
        assert_eq!(parse_time("2026-05-02", cest), Some(utc(2026, 5, 1, 22)));
        assert_eq!(
            parse_time("2026-05-02T00:00:00+02:00", cest),
            Some(utc(2026, 5, 1, 22))
        );
        assert_eq!(parse_time("02/05/2026", cest), None);
    }
}
