//! Statistics over the review history, and a session summary. Plain data, serializable to
//! JSON for `trialdeck stats --format json`; views draw the charts.

use super::cards::{Card, CardId};
use super::fsrs::{CardState, DAY, Grade};
use super::queue::CardIndex;
use super::store::ReviewRow;
use crate::content::Role;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Days in the review chart and in the forecast.
pub const WINDOW_DAYS: usize = 30;

/// A count on a calendar day (`YYYY-MM-DD`, local to the offset given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayCount {
    pub date: String,
    pub count: u32,
}

/// Retention of one group: reviews of already-seen cards, and how many were recalled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retention {
    /// Role slug or entry id.
    pub key: String,
    pub label: String,
    pub reviews: u32,
    pub passed: u32,
    /// `passed / reviews` (0 when there were none).
    pub rate: f64,
}

/// Everything `trialdeck stats` and the stats view show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub now: i64,
    pub total_cards: usize,
    pub new_cards: usize,
    pub due_now: usize,
    /// Due before the end of today (overdue included).
    pub due_today: usize,
    /// Due before the end of the seventh day from today (overdue included).
    pub due_week: usize,
    /// Reviews per day, the last 30 days, oldest first (today last).
    pub reviews_per_day: Vec<DayCount>,
    pub retention_by_role: Vec<Retention>,
    pub retention_by_trial: Vec<Retention>,
    /// Cards due on each of the next 30 days, today first (overdue counted today).
    pub forecast: Vec<DayCount>,
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The local day number of a time, for a UTC offset in seconds.
pub fn day_of(t: i64, utc_offset: i64) -> i64 {
    (t + utc_offset).div_euclid(DAY)
}

pub fn date_string(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

fn retention_table<K: Ord + Clone>(
    map: BTreeMap<K, (u32, u32)>,
    label: impl Fn(&K) -> (String, String),
) -> Vec<Retention> {
    map.into_iter()
        .map(|(k, (reviews, passed))| {
            let (key, label) = label(&k);
            Retention {
                key,
                label,
                reviews,
                passed,
                rate: if reviews == 0 {
                    0.0
                } else {
                    passed as f64 / reviews as f64
                },
            }
        })
        .collect()
}

/// Compute the stats. `states` is aligned with `cards` (see [`CardIndex`]); `reviews` should
/// cover at least the last 30 days; reviews of cards no longer in `cards` are ignored.
/// `names` maps entry ids to the labels shown (e.g. "EMILIA"); others show their id.
pub fn compute(
    cards: &[Card],
    index: &CardIndex,
    states: &[Option<CardState>],
    reviews: &[ReviewRow],
    names: &HashMap<String, String>,
    now: i64,
    utc_offset: i64,
) -> Stats {
    let today = day_of(now, utc_offset);
    let mut new_cards = 0;
    let mut due_now = 0;
    let mut due_today = 0;
    let mut due_week = 0;
    let mut forecast = vec![0u32; WINDOW_DAYS];
    for i in 0..cards.len() {
        match states.get(i).and_then(Option::as_ref) {
            None => new_cards += 1,
            Some(s) => {
                let d = (day_of(s.due, utc_offset) - today).max(0);
                if s.due <= now {
                    due_now += 1;
                }
                if d == 0 {
                    due_today += 1;
                }
                if d < 7 {
                    due_week += 1;
                }
                if (d as usize) < WINDOW_DAYS {
                    forecast[d as usize] += 1;
                }
            }
        }
    }
    let first_day = today - (WINDOW_DAYS as i64 - 1);
    let mut per_day = vec![0u32; WINDOW_DAYS];
    let mut by_role: BTreeMap<Role, (u32, u32)> = BTreeMap::new();
    let mut by_trial: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    for r in reviews {
        let d = day_of(r.at, utc_offset);
        if d < first_day || d > today {
            continue;
        }
        let Some(card) = index.get(&r.card).and_then(|i| cards.get(i)) else {
            continue;
        };
        per_day[(d - first_day) as usize] += 1;
        if r.was_new {
            continue; // a first sighting measures learning, not retention
        }
        let pass = u32::from(r.grade.passed());
        let e = by_role.entry(card.role).or_default();
        e.0 += 1;
        e.1 += pass;
        let e = by_trial.entry(card.entry.clone()).or_default();
        e.0 += 1;
        e.1 += pass;
    }
    let days = |start: i64, counts: Vec<u32>| {
        counts
            .into_iter()
            .enumerate()
            .map(|(i, count)| DayCount {
                date: date_string(start + i as i64),
                count,
            })
            .collect()
    };
    Stats {
        now,
        total_cards: cards.len(),
        new_cards,
        due_now,
        due_today,
        due_week,
        reviews_per_day: days(first_day, per_day),
        retention_by_role: retention_table(by_role, |r| (r.slug().into(), r.label().into())),
        retention_by_trial: retention_table(by_trial, |t| {
            (
                t.clone(),
                names.get(t).cloned().unwrap_or_else(|| t.clone()),
            )
        }),
        forecast: days(today, forecast),
    }
}

/// One graded card of a session.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionReview {
    pub card: CardId,
    pub grade: Grade,
    pub points: u64,
    pub points_total: u32,
    pub duration_ms: u64,
}

/// Key-point recall of one group in a session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recall {
    pub key: String,
    pub label: String,
    pub cards: u32,
    pub points_ticked: u32,
    pub points_total: u32,
    pub passed: u32,
    /// Points ticked / points offered; for cards without points, the share not graded Again.
    pub rate: f64,
}

/// The end-of-session summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionSummary {
    pub seen: u32,
    /// Grade counts: Again, Hard, Good, Easy.
    pub grades: [u32; 4],
    pub time_ms: u64,
    pub recall_by_role: Vec<Recall>,
    pub recall_by_trial: Vec<Recall>,
    /// The role and trial with the lowest recall (none when every card was recalled fully).
    pub weakest_role: Option<String>,
    pub weakest_trial: Option<String>,
    /// Cards graded Again, in session order, for "drill what I missed".
    pub missed: Vec<CardId>,
    /// The earliest due time among the session's cards afterwards.
    pub next_due: Option<i64>,
}

#[derive(Default)]
struct Acc {
    cards: u32,
    ticked: u32,
    total: u32,
    passed: u32,
}

impl Acc {
    fn add(&mut self, r: &SessionReview) {
        self.cards += 1;
        let mask = if r.points_total >= 64 {
            u64::MAX
        } else {
            (1u64 << r.points_total) - 1
        };
        self.ticked += (r.points & mask).count_ones();
        self.total += r.points_total;
        self.passed += u32::from(r.grade.passed());
    }
    fn rate(&self) -> f64 {
        if self.total > 0 {
            self.ticked as f64 / self.total as f64
        } else if self.cards > 0 {
            self.passed as f64 / self.cards as f64
        } else {
            0.0
        }
    }
}

fn recall_table<K: Ord>(
    map: BTreeMap<K, Acc>,
    label: impl Fn(&K) -> (String, String),
) -> Vec<Recall> {
    map.into_iter()
        .map(|(k, a)| {
            let (key, label) = label(&k);
            Recall {
                key,
                label,
                cards: a.cards,
                points_ticked: a.ticked,
                points_total: a.total,
                passed: a.passed,
                rate: a.rate(),
            }
        })
        .collect()
}

fn weakest(rows: &[Recall]) -> Option<String> {
    rows.iter()
        .filter(|r| r.rate < 1.0)
        .min_by(|a, b| a.rate.total_cmp(&b.rate).then(b.cards.cmp(&a.cards)))
        .map(|r| r.label.clone())
}

/// Summarise a session. `states_after` (aligned with `cards`) gives what is due next;
/// reviews of unknown cards count in the totals but in no group.
pub fn summarize(
    cards: &[Card],
    index: &CardIndex,
    reviews: &[SessionReview],
    states_after: &[Option<CardState>],
    names: &HashMap<String, String>,
) -> SessionSummary {
    let mut grades = [0u32; 4];
    let mut time_ms = 0;
    let mut by_role: BTreeMap<Role, Acc> = BTreeMap::new();
    let mut by_trial: BTreeMap<String, Acc> = BTreeMap::new();
    let mut missed = Vec::new();
    let mut next_due: Option<i64> = None;
    for r in reviews {
        grades[r.grade as usize - 1] += 1;
        time_ms += r.duration_ms;
        if r.grade == Grade::Again && !missed.contains(&r.card) {
            missed.push(r.card.clone());
        }
        let at = index.get(r.card.as_str());
        if let Some(s) = at
            .and_then(|i| states_after.get(i))
            .and_then(Option::as_ref)
        {
            next_due = Some(next_due.map_or(s.due, |d| d.min(s.due)));
        }
        if let Some(c) = at.and_then(|i| cards.get(i)) {
            by_role.entry(c.role).or_default().add(r);
            by_trial.entry(c.entry.clone()).or_default().add(r);
        }
    }
    let recall_by_role = recall_table(by_role, |r| (r.slug().into(), r.label().into()));
    let recall_by_trial = recall_table(by_trial, |t| {
        (
            t.clone(),
            names.get(t).cloned().unwrap_or_else(|| t.clone()),
        )
    });
    SessionSummary {
        seen: reviews.len() as u32,
        grades,
        time_ms,
        weakest_role: weakest(&recall_by_role),
        weakest_trial: weakest(&recall_by_trial),
        recall_by_role,
        recall_by_trial,
        missed,
        next_due,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(date_string(0), "1970-01-01");
        assert_eq!(date_string(19_723), "2024-01-01");
        assert_eq!(date_string(19_782), "2024-02-29");
        assert_eq!(date_string(-1), "1969-12-31");
    }

    #[test]
    fn day_boundaries_follow_the_offset() {
        // 2023-11-14 22:13:20 UTC; at UTC+2 it is already the 15th.
        let t = 1_700_000_000;
        assert_eq!(date_string(day_of(t, 0)), "2023-11-14");
        assert_eq!(date_string(day_of(t, 2 * 3600)), "2023-11-15");
    }
}

/// A column chart of daily counts as text rows (tallest bar `height` rows), oldest left.
pub fn column_chart(days: &[DayCount], height: usize) -> Vec<String> {
    const EIGHTHS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = days.iter().map(|d| d.count).max().unwrap_or(0).max(1) as usize;
    (0..height)
        .rev()
        .map(|row| {
            days.iter()
                .map(|d| {
                    // In eighths of a row, how much of this row the bar fills.
                    let filled = d.count as usize * height * 8 / max;
                    let here = filled.saturating_sub(row * 8).min(8);
                    let c = if d.count > 0 && row == 0 && here == 0 {
                        '▁'
                    } else {
                        EIGHTHS[here]
                    };
                    c.to_string()
                })
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect()
}

/// `trialdeck stats` as text: counts, two charts, retention tables.
pub fn render_text(s: &Stats) -> String {
    let mut o = String::new();
    o.push_str(&format!(
        "Cards: {} ({} new) · due now {} · due today {} · due this week {}\n\n",
        s.total_cards, s.new_cards, s.due_now, s.due_today, s.due_week
    ));
    let total: u32 = s.reviews_per_day.iter().map(|d| d.count).sum();
    o.push_str(&format!(
        "Reviews per day, last {} days ({} in all; today at the right):\n",
        s.reviews_per_day.len(),
        total
    ));
    for line in column_chart(&s.reviews_per_day, 4) {
        o.push_str(&format!("  |{line}\n"));
    }
    if let (Some(a), Some(b)) = (s.reviews_per_day.first(), s.reviews_per_day.last()) {
        o.push_str(&format!("   {} … {}\n\n", a.date, b.date));
    }
    o.push_str("Due in the next 30 days (today at the left):\n");
    for line in column_chart(&s.forecast, 4) {
        o.push_str(&format!("  |{line}\n"));
    }
    if let (Some(a), Some(b)) = (s.forecast.first(), s.forecast.last()) {
        o.push_str(&format!("   {} … {}\n\n", a.date, b.date));
    }
    let table = |o: &mut String, title: &str, rows: &[Retention]| {
        o.push_str(&format!("{title}\n"));
        if rows.is_empty() {
            o.push_str("  no reviews of seen cards in the last 30 days\n");
        }
        for r in rows {
            o.push_str(&format!(
                "  {:<24} {:>4}%  {} of {} recalled\n",
                r.label,
                (r.rate * 100.0).round() as u32,
                r.passed,
                r.reviews
            ));
        }
        o.push('\n');
    };
    table(
        &mut o,
        "Retention by role (last 30 days):",
        &s.retention_by_role,
    );
    table(
        &mut o,
        "Retention by trial (last 30 days):",
        &s.retention_by_trial,
    );
    o
}

#[cfg(test)]
mod chart_tests {
    use super::*;

    #[test]
    fn column_chart_scales_to_the_tallest_day() {
        let days: Vec<DayCount> = [0u32, 1, 4, 8]
            .iter()
            .map(|&count| DayCount {
                date: String::new(),
                count,
            })
            .collect();
        let rows = column_chart(&days, 2);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0], "   █");
        assert_eq!(rows[1], " ▂██");
    }
}
