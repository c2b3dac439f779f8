//! Statistics over the review history, and a session summary. Plain data, serializable to
//! JSON for `trialdeck stats --format json`; views draw the charts.

use super::cards::CardIndex;
use super::cards::{Card, CardId};
use super::fsrs::{CardState, DAY, Grade};
use super::queue::Today;
use super::store::{CardFlags, ReviewRow};
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
    /// Due tomorrow (and not before).
    pub due_tomorrow: usize,
    /// Due before the end of the seventh day from today (overdue included).
    pub due_week: usize,
    /// Cards in the learning or relearning steps.
    pub learning: usize,
    /// Cards suspended (leeches included).
    pub suspended: usize,
    /// Leeches: cards that lapsed often enough to be tagged and suspended, most lapses first.
    /// For a teacher, the class's weak spots.
    pub leeches: Vec<Leech>,
    /// What to say about fitting the learner's FSRS parameters (`trialdeck optimize`).
    pub optimize: Option<String>,
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

/// A leech, for the stats' list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Leech {
    pub card: String,
    pub trial: String,
    pub role: String,
    pub lapses: u32,
    pub suspended: bool,
}

/// Compute the stats. `states` and `flags` are aligned with `cards` (see [`CardIndex`];
/// `flags` may be empty); `reviews` should cover at least the last 30 days; reviews of cards
/// no longer in `cards` are ignored. `names` maps entry ids to the labels shown (e.g.
/// "EMILIA"); others show their id.
pub fn compute(
    cards: &[Card],
    index: &CardIndex,
    states: &[Option<CardState>],
    flags: &[CardFlags],
    reviews: &[ReviewRow],
    names: &HashMap<String, String>,
    today: &Today,
) -> Stats {
    let now = today.now;
    let utc_offset = today.offset;
    let day = today.day;
    let today = day;
    let mut new_cards = 0;
    let mut due_now = 0;
    let mut due_today = 0;
    let mut due_tomorrow = 0;
    let mut due_week = 0;
    let mut learning = 0;
    let mut suspended = 0;
    let mut leeches = Vec::new();
    let mut forecast = vec![0u32; WINDOW_DAYS];
    for (i, card) in cards.iter().enumerate() {
        let f = flags.get(i).copied().unwrap_or_default();
        if f.suspended {
            suspended += 1;
        }
        let st = states.get(i).and_then(Option::as_ref);
        if f.leech {
            leeches.push(Leech {
                card: card.id.0.clone(),
                trial: names
                    .get(&card.entry)
                    .cloned()
                    .unwrap_or_else(|| card.entry.clone()),
                role: card.role.label().to_string(),
                lapses: st.map_or(0, |s| s.lapses),
                suspended: f.suspended,
            });
        }
        match st {
            None if !f.suspended => new_cards += 1,
            None => {}
            Some(_) if f.suspended => {}
            Some(s) => {
                if s.phase.in_steps() {
                    learning += 1;
                }
                let d = (day_of(s.due, utc_offset) - today).max(0);
                // Review cards fall due by the day (as sessions take them); steps by the minute.
                if (s.phase.in_steps() && s.due <= now) || (!s.phase.in_steps() && d == 0) {
                    due_now += 1;
                }
                if d == 0 {
                    due_today += 1;
                }
                if d == 1 {
                    due_tomorrow += 1;
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
    leeches.sort_by(|a, b| b.lapses.cmp(&a.lapses).then(a.card.cmp(&b.card)));
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
        due_tomorrow,
        due_week,
        learning,
        suspended,
        leeches,
        optimize: None,
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

impl SessionReview {
    /// Key points ticked (of those the card has).
    pub fn ticked(&self) -> u32 {
        let mask = if self.points_total >= 64 {
            u64::MAX
        } else {
            (1u64 << self.points_total) - 1
        };
        (self.points & mask).count_ones()
    }
    /// How well the card was recalled, 0 to 1: the share of key points ticked when the
    /// learner ticked any; otherwise read from the grade (Again 0, Hard ½, Good and Easy 1).
    pub fn score(&self) -> f64 {
        let ticked = self.ticked();
        if ticked > 0 && self.points_total > 0 {
            ticked as f64 / self.points_total as f64
        } else {
            match self.grade {
                Grade::Again => 0.0,
                Grade::Hard => 0.5,
                Grade::Good | Grade::Easy => 1.0,
            }
        }
    }
    /// Whether the learner ticked key points (the score is theirs, not the grade's).
    pub fn by_points(&self) -> bool {
        self.ticked() > 0 && self.points_total > 0
    }
}

/// Recall of one group in a session: each card's first grade of the session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recall {
    pub key: String,
    pub label: String,
    pub cards: u32,
    /// Cards scored by the key points ticked (the others by their grade).
    pub by_points: u32,
    /// Key points ticked, and offered, on the cards scored by points.
    pub points_ticked: u32,
    pub points_total: u32,
    /// Cards not graded Again.
    pub passed: u32,
    /// Cards graded Good or Easy.
    pub good_easy: u32,
    /// The mean of the cards' scores (see [`SessionReview::score`]).
    pub rate: f64,
}

/// The end-of-session summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionSummary {
    /// Cards graded (each counted once).
    pub seen: u32,
    /// Reviews (a card graded Again and then Good is two).
    pub reviews: u32,
    /// Grade counts of every review: Again, Hard, Good, Easy.
    pub grades: [u32; 4],
    pub time_ms: u64,
    pub recall_by_role: Vec<Recall>,
    pub recall_by_trial: Vec<Recall>,
    /// The role and trial recalled least (none when every group was recalled well, and never
    /// one graded mostly Good or Easy).
    pub weakest_role: Option<String>,
    pub weakest_trial: Option<String>,
    /// Cards graded Again, in session order, for "drill what I missed".
    pub missed: Vec<CardId>,
}

#[derive(Default)]
struct Acc {
    cards: u32,
    by_points: u32,
    ticked: u32,
    total: u32,
    passed: u32,
    good_easy: u32,
    score: f64,
}

impl Acc {
    fn add(&mut self, r: &SessionReview) {
        self.cards += 1;
        // Points count only where the learner ticked (elsewhere the grade speaks).
        if r.by_points() {
            self.by_points += 1;
            self.ticked += r.ticked();
            self.total += r.points_total;
        }
        self.passed += u32::from(r.grade.passed());
        self.good_easy += u32::from(matches!(r.grade, Grade::Good | Grade::Easy));
        self.score += r.score();
    }
    fn rate(&self) -> f64 {
        if self.cards == 0 {
            0.0
        } else {
            self.score / self.cards as f64
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
                by_points: a.by_points,
                points_ticked: a.ticked,
                points_total: a.total,
                passed: a.passed,
                good_easy: a.good_easy,
                rate: a.rate(),
            }
        })
        .collect()
}

/// The group recalled least, among those not recalled in full and not graded mostly Good
/// or Easy.
fn weakest(rows: &[Recall]) -> Option<String> {
    rows.iter()
        .filter(|r| r.rate < 1.0 && r.good_easy * 2 <= r.cards)
        .min_by(|a, b| a.rate.total_cmp(&b.rate).then(b.cards.cmp(&a.cards)))
        .map(|r| r.label.clone())
}

/// Summarise a session from its saved reviews; reviews of unknown cards count in the totals
/// but in no group. Recall reads each card's first grade of the session (later ones are
/// relearning). What is due next is the deck's to say, not the session's (every card of the
/// choice counts): `Deck::next_due_day` in the app.
pub fn summarize(
    cards: &[Card],
    index: &CardIndex,
    reviews: &[SessionReview],
    names: &HashMap<String, String>,
) -> SessionSummary {
    let mut grades = [0u32; 4];
    let mut time_ms = 0;
    let mut by_role: BTreeMap<Role, Acc> = BTreeMap::new();
    let mut by_trial: BTreeMap<String, Acc> = BTreeMap::new();
    let mut missed = Vec::new();
    let mut firsts: Vec<&CardId> = Vec::new();
    for r in reviews {
        grades[r.grade as usize - 1] += 1;
        time_ms += r.duration_ms;
        if r.grade == Grade::Again && !missed.contains(&r.card) {
            missed.push(r.card.clone());
        }
        if firsts.contains(&&r.card) {
            continue;
        }
        firsts.push(&r.card);
        let at = index.get(r.card.as_str());
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
        seen: firsts.len() as u32,
        reviews: reviews.len() as u32,
        grades,
        time_ms,
        weakest_role: weakest(&recall_by_role),
        weakest_trial: weakest(&recall_by_trial),
        recall_by_role,
        recall_by_trial,
        missed,
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

/// A column chart with its axes labelled: the count at the top and at the bottom of the
/// left axis, the first and last dates under it, and what the columns count.
pub fn labelled_chart(days: &[DayCount], height: usize, counts: &str) -> Vec<String> {
    let max = days.iter().map(|d| d.count).max().unwrap_or(0);
    let w = max.to_string().len().max(1);
    let mut out = Vec::new();
    let rows = column_chart(days, height);
    let last = rows.len().saturating_sub(1);
    for (i, line) in rows.into_iter().enumerate() {
        let label = match i {
            0 => max.to_string(),
            i if i == last => "0".to_string(),
            _ => String::new(),
        };
        out.push(format!("  {label:>w$} |{line}"));
    }
    out.push(format!("  {:>w$} +{}", "", "-".repeat(days.len())));
    if let (Some(a), Some(b)) = (days.first(), days.last()) {
        let gap = days
            .len()
            .saturating_sub(a.date.len() + b.date.len())
            .max(1);
        out.push(format!(
            "  {:>w$}  {}{}{}",
            "",
            a.date,
            " ".repeat(gap),
            b.date
        ));
    }
    out.push(format!(
        "  {:>w$}  (one column a day; height: {counts})",
        ""
    ));
    out
}

/// `trialdeck stats` as text: counts, two labelled charts, retention tables, leeches, and
/// whether an optimization is due.
pub fn render_text(s: &Stats) -> String {
    let mut o = String::new();
    o.push_str(&format!(
        "Cards: {} ({} new, {} learning, {} suspended) · due now {} · due today {} · due tomorrow {} · due this week {}\n",
        s.total_cards,
        s.new_cards,
        s.learning,
        s.suspended,
        s.due_now,
        s.due_today,
        s.due_tomorrow,
        s.due_week
    ));
    if let Some(line) = &s.optimize {
        o.push_str(&format!("{line}\n"));
    }
    o.push('\n');
    let total: u32 = s.reviews_per_day.iter().map(|d| d.count).sum();
    o.push_str(&format!(
        "Reviews per day, last {} days ({} in all; today at the right):\n",
        s.reviews_per_day.len(),
        total
    ));
    for line in labelled_chart(&s.reviews_per_day, 4, "reviews that day") {
        o.push_str(&format!("{line}\n"));
    }
    o.push('\n');
    let ahead: u32 = s.forecast.iter().map(|d| d.count).sum();
    o.push_str(&format!(
        "Due in the next 30 days ({ahead} in all; today at the left, overdue counted today):\n"
    ));
    for line in labelled_chart(&s.forecast, 4, "cards due that day") {
        o.push_str(&format!("{line}\n"));
    }
    o.push('\n');
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
    o.push_str(&format!(
        "Leeches (cards that lapsed often enough to be suspended): {}\n",
        s.leeches.len()
    ));
    for l in &s.leeches {
        o.push_str(&format!(
            "  {:<12} {:<16} {:>2} lapses{}  {}\n",
            l.trial,
            l.role,
            l.lapses,
            if l.suspended { ", suspended" } else { "" },
            l.card
        ));
    }
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
