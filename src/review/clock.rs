//! The clock the quiz, `cards`, `stats` and `optimize` read: the system's, or the one
//! `TRIALDECK_NOW` sets (RFC 3339, e.g. `2026-12-02T09:00:00Z`), which is how a learner (or a
//! test) looks at tomorrow. Time runs on from the moment it sets, so a session still takes
//! the time it takes. Also where a calendar day starts (local midnight, or 4 am as Anki counts
//! a late night as the day before).
//!
//! Written here rather than with a date crate: parsing one fixed format and asking the C
//! library for the local UTC offset is a few dozen lines, and the app needs nothing else of
//! dates (the few it prints are civil dates, [`super::stats::date_string`]).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The variable that sets "now".
pub const NOW_VAR: &str = "TRIALDECK_NOW";

/// Hours after midnight that still count as the day before (Anki's "next day starts at").
pub const ROLLOVER_HOURS: i64 = 4;

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parse an RFC 3339 time (`2026-12-02T09:00:00Z`, `2026-12-02 09:00:00+01:00`, fractions of
/// a second allowed) into unix seconds.
pub fn parse_rfc3339(s: &str) -> Result<i64, String> {
    let bad = || {
        format!(
            "`{s}` is not an RFC 3339 time; write e.g. 2026-12-02T09:00:00Z (or +01:00 for an offset)"
        )
    };
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 20 {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Result<i64, String> {
        let t = s.get(r).ok_or_else(bad)?;
        if t.bytes().all(|c| c.is_ascii_digit()) {
            t.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    if b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(bad());
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return Err(bad());
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    let offset = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
            let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            let o = oh * 3600 + om * 60;
            if *sign == b'-' { -o } else { o }
        }
        _ => return Err(bad()),
    };
    let days = days_from_civil(y, mo as u32, d as u32);
    Ok(days * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

/// A unix time as a `SystemTime`.
pub fn system_time(unix: i64) -> SystemTime {
    if unix >= 0 {
        UNIX_EPOCH + Duration::from_secs(unix as u64)
    } else {
        UNIX_EPOCH - Duration::from_secs(unix.unsigned_abs())
    }
}

/// Where "now" comes from: the system clock, or `TRIALDECK_NOW` with time running on from it.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start: Option<(SystemTime, Instant)>,
}

impl Clock {
    /// The clock `TRIALDECK_NOW` sets (an empty variable counts as unset), else the system's.
    /// A value that does not parse is an error naming the variable.
    pub fn from_env() -> Result<Clock, String> {
        match std::env::var(NOW_VAR) {
            Ok(v) if !v.trim().is_empty() => {
                let t = parse_rfc3339(&v).map_err(|e| format!("{NOW_VAR}: {e}"))?;
                Ok(Clock {
                    start: Some((system_time(t), Instant::now())),
                })
            }
            _ => Ok(Clock { start: None }),
        }
    }

    pub fn system() -> Clock {
        Clock { start: None }
    }

    /// Whether `TRIALDECK_NOW` set this clock.
    pub fn is_set(&self) -> bool {
        self.start.is_some()
    }

    pub fn now(&self) -> SystemTime {
        match self.start {
            Some((t, at)) => t + at.elapsed(),
            None => SystemTime::now(),
        }
    }
}

/// The local UTC offset at `unix` (seconds east of UTC), from the C library (which reads `TZ`
/// and the system's zone); 0 when it cannot say.
pub fn local_offset(unix: i64) -> i64 {
    let t = unix as libc::time_t;
    // SAFETY: `tm` is plain data that localtime_r fills in; both pointers are valid.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            0
        } else {
            tm.tm_gmtoff
        }
    }
}

/// The day offset the scheduler and statistics use at `unix`: local time, with the first
/// [`ROLLOVER_HOURS`] after midnight counted as the day before.
pub fn day_offset(unix: i64) -> i64 {
    local_offset(unix) - ROLLOVER_HOURS * 3600
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times_parse() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_rfc3339("2023-11-14T22:13:20Z"), Ok(1_700_000_000));
        assert_eq!(
            parse_rfc3339("2023-11-15T00:13:20+02:00"),
            Ok(1_700_000_000)
        );
        assert_eq!(parse_rfc3339("2023-11-14 22:13:20.5z"), Ok(1_700_000_000));
        assert_eq!(parse_rfc3339("2024-02-29T00:00:00Z"), Ok(19_782 * 86_400));
        for bad in [
            "2026-12-02",
            "tomorrow",
            "2026-13-02T09:00:00Z",
            "2026-12-02T09:00:00",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }
}
