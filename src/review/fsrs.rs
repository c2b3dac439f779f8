//! Scheduling: the `fsrs` crate (FSRS-6, the open-spaced-repetition implementation Anki runs)
//! behind a pure `(state, grade, now)` interface, with Anki's learning and relearning steps.
//!
//! Time is always passed in (unix seconds), so scheduling is tested without waiting.
//!
//! How a card moves, as in Anki:
//! - a **new** card (no state) and a card in **learning** go through the learning steps
//!   (default 1 m, 10 m): Again goes back to the first step, Hard repeats the current one (on
//!   the first step, halfway to the second), Good moves to the next step and past the last one
//!   graduates, Easy graduates at once;
//! - a **review** card is scheduled in whole days by FSRS; Again is a lapse and sends it to the
//!   **relearning** steps (default 10 m), whose last Good graduates it again.
//!
//! The memory state (stability, difficulty) is updated by the crate on every review, the
//! same-day ones included (FSRS-6's short-term formula), with days counted between calendar
//! days ([`Scheduler::day_offset`] says where a day starts), as Anki counts them.

use serde::{Deserialize, Serialize};

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// The default desired retention.
pub const DEFAULT_RETENTION: f64 = 0.9;

/// The default learning steps, in seconds (Anki's 1 m and 10 m).
pub const DEFAULT_LEARNING_STEPS: [i64; 2] = [60, 600];
/// The default relearning step after a lapse (Anki's 10 m).
pub const DEFAULT_RELEARNING_STEPS: [i64; 1] = [600];
/// Lapses after which a card is a leech (tagged and suspended), as in Anki.
pub const DEFAULT_LEECH_THRESHOLD: u32 = 8;

/// How well the learner recalled the card, as in Anki.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Grade {
    Again = 1,
    Hard = 2,
    Good = 3,
    Easy = 4,
}

impl Grade {
    pub const ALL: [Grade; 4] = [Grade::Again, Grade::Hard, Grade::Good, Grade::Easy];

    pub fn value(self) -> u8 {
        self as u8
    }

    pub fn from_value(v: u8) -> Option<Grade> {
        match v {
            1 => Some(Grade::Again),
            2 => Some(Grade::Hard),
            3 => Some(Grade::Good),
            4 => Some(Grade::Easy),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Grade::Again => "Again",
            Grade::Hard => "Hard",
            Grade::Good => "Good",
            Grade::Easy => "Easy",
        }
    }

    /// Whether the review counts as recalled (anything but Again), as Anki's retention does.
    pub fn passed(self) -> bool {
        self != Grade::Again
    }
}

/// Where a reviewed card is in its flow (a card never reviewed is new and has no state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Phase {
    /// In the learning steps after its first reviews.
    Learning,
    /// Graduated: scheduled in days.
    Review,
    /// In the relearning steps after a lapse.
    Relearning,
}

impl Phase {
    pub fn value(self) -> u8 {
        match self {
            Phase::Learning => 1,
            Phase::Review => 2,
            Phase::Relearning => 3,
        }
    }
    pub fn from_value(v: u8) -> Phase {
        match v {
            1 => Phase::Learning,
            3 => Phase::Relearning,
            _ => Phase::Review,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Phase::Learning => "learning",
            Phase::Review => "review",
            Phase::Relearning => "relearning",
        }
    }
    /// Learning or relearning: due by the minute, not by the day.
    pub fn in_steps(self) -> bool {
        self != Phase::Review
    }
}

/// A card's memory state after at least one review. A card never reviewed has no state.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CardState {
    /// Days until retrievability falls to 90%.
    pub stability: f64,
    /// 1 (easy) to 10 (hard).
    pub difficulty: f64,
    /// When the card is next due (unix seconds).
    pub due: i64,
    pub reps: u32,
    /// Times the card was forgotten (graded Again as a review card).
    pub lapses: u32,
    /// Time of the last review (unix seconds).
    pub last_review: i64,
    pub last_grade: Grade,
    pub phase: Phase,
    /// The learning or relearning step the card is on (0-based).
    pub step: u32,
}

/// Learning and relearning steps, in seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Steps {
    pub learning: Vec<i64>,
    pub relearning: Vec<i64>,
}

impl Default for Steps {
    fn default() -> Self {
        Steps {
            learning: DEFAULT_LEARNING_STEPS.to_vec(),
            relearning: DEFAULT_RELEARNING_STEPS.to_vec(),
        }
    }
}

/// Parse steps as the config writes them: `"1m 10m"`, `"30s 5m 1h"`, `"1d"`; an empty string
/// is no steps. Each step is at least a second and at most a day.
pub fn parse_steps(s: &str) -> Result<Vec<i64>, String> {
    s.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .map(|t| {
            let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
            let n: i64 = num
                .parse()
                .map_err(|_| format!("`{t}` is not a step; write e.g. 1m, 10m, 1h"))?;
            let secs = match unit {
                "s" => n,
                "m" | "" => n * 60,
                "h" => n * 3600,
                "d" => n * DAY,
                _ => return Err(format!("`{t}`: use s, m, h or d (e.g. 10m)")),
            };
            if !(1..=DAY).contains(&secs) {
                return Err(format!("`{t}`: a step is from 1s to 1d"));
            }
            Ok(secs)
        })
        .collect()
}

/// A step or a short interval as the grade buttons write it: `1m`, `6m`, `1h`, `1d`.
pub fn format_secs(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", (s + 30) / 60),
        s if s < DAY => format!("{}h", (s + 1800) / 3600),
        s => format!("{}d", (s + DAY / 2) / DAY),
    }
}

/// Steps as the config writes them.
pub fn format_steps(steps: &[i64]) -> String {
    steps
        .iter()
        .map(|s| match *s {
            s if s % DAY == 0 => format!("{}d", s / DAY),
            s if s % 3600 == 0 => format!("{}h", s / 3600),
            s if s % 60 == 0 => format!("{}m", s / 60),
            s => format!("{s}s"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The scheduler: FSRS parameters (the crate's defaults, or the learner's own from
/// `trialdeck optimize`), desired retention, the interval cap, the steps, the leech threshold,
/// and where a day starts.
#[derive(Debug, Clone)]
pub struct Scheduler {
    model: fsrs::FSRS,
    /// The 21 FSRS-6 parameters in use.
    pub parameters: Vec<f32>,
    /// Whether the parameters are the learner's own (fitted), not the defaults.
    pub fitted: bool,
    pub desired_retention: f64,
    pub maximum_interval_days: u32,
    pub steps: Steps,
    pub leech_threshold: u32,
    /// Seconds added to a unix time before dividing by a day to get its calendar day (the
    /// local UTC offset, less the hours after midnight a day still counts as the last one).
    pub day_offset: i64,
}

impl PartialEq for Scheduler {
    fn eq(&self, o: &Self) -> bool {
        self.parameters == o.parameters
            && self.desired_retention == o.desired_retention
            && self.maximum_interval_days == o.maximum_interval_days
            && self.steps == o.steps
            && self.leech_threshold == o.leech_threshold
            && self.day_offset == o.day_offset
    }
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler::new(DEFAULT_RETENTION)
    }
}

/// The outcome of grading a card: its new state and the interval until it is due.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scheduled {
    pub state: CardState,
    /// Seconds until due.
    pub interval: i64,
    /// Whole days until due for a card scheduled in days; 0 for a step.
    pub interval_days: u32,
}

impl Scheduled {
    /// The interval as the grade buttons write it: `1m`, `10m`, `3d`, `2mo`, `1y`.
    pub fn label(&self) -> String {
        if self.state.phase.in_steps() {
            return format_secs(self.interval);
        }
        match self.interval_days {
            d if d < 60 => format!("{d}d"),
            d if d < 730 => format!("{}mo", d / 30),
            d => format!("{}y", d / 365),
        }
    }
}

impl Scheduler {
    /// A scheduler with the crate's default parameters; `desired_retention` is clamped to
    /// 0.70–0.99.
    pub fn new(desired_retention: f64) -> Scheduler {
        let r = if desired_retention.is_finite() {
            desired_retention.clamp(0.70, 0.99)
        } else {
            DEFAULT_RETENTION
        };
        Scheduler {
            model: fsrs::FSRS::default(),
            parameters: fsrs::DEFAULT_PARAMETERS.to_vec(),
            fitted: false,
            desired_retention: r,
            maximum_interval_days: 36_500,
            steps: Steps::default(),
            leech_threshold: DEFAULT_LEECH_THRESHOLD,
            day_offset: 0,
        }
    }

    /// Use these parameters (the learner's own, from `trialdeck optimize`). Parameters the
    /// crate refuses leave the scheduler as it was and say why.
    pub fn with_parameters(mut self, parameters: &[f32]) -> Result<Scheduler, String> {
        let model = fsrs::FSRS::new(parameters).map_err(|e| e.to_string())?;
        self.model = model;
        self.parameters = fsrs::check_and_fill_parameters(parameters).map_err(|e| e.to_string())?;
        self.fitted = true;
        Ok(self)
    }

    pub fn with_steps(mut self, steps: Steps) -> Scheduler {
        self.steps = steps;
        self
    }

    pub fn with_day_offset(mut self, offset: i64) -> Scheduler {
        self.day_offset = offset;
        self
    }

    pub fn with_leech_threshold(mut self, n: u32) -> Scheduler {
        self.leech_threshold = n.max(1);
        self
    }

    /// The crate's model with these parameters (for evaluation and fitting).
    pub fn model(&self) -> &fsrs::FSRS {
        &self.model
    }

    /// The calendar day of a time.
    pub fn day(&self, t: i64) -> i64 {
        (t + self.day_offset).div_euclid(DAY)
    }

    /// Probability of recall after `elapsed_days` for a card of `stability` (FSRS-6's curve
    /// with the default decay: only the order of cards is read from it).
    pub fn retrievability(elapsed_days: f64, stability: f64) -> f64 {
        let mem = fsrs::MemoryState {
            stability: stability.max(0.001) as f32,
            difficulty: 5.0,
        };
        fsrs::current_retrievability(mem, elapsed_days.max(0.0) as f32, fsrs::FSRS6_DEFAULT_DECAY)
            as f64
    }

    /// Retrievability of a card at `now` on this scheduler's own forgetting curve (its
    /// parameters' decay).
    pub fn recall_probability(&self, state: &CardState, now: i64) -> f64 {
        let elapsed = ((now - state.last_review) as f64 / DAY as f64).max(0.0);
        let mem = fsrs::MemoryState {
            stability: state.stability.max(0.001) as f32,
            difficulty: state.difficulty as f32,
        };
        let decay = self
            .parameters
            .get(20)
            .copied()
            .unwrap_or(fsrs::FSRS6_DEFAULT_DECAY);
        fsrs::current_retrievability(mem, elapsed as f32, decay) as f64
    }

    /// Retrievability of a card at `now`.
    pub fn retrievability_at(state: &CardState, now: i64) -> f64 {
        Self::retrievability(
            (now - state.last_review) as f64 / DAY as f64,
            state.stability,
        )
    }

    /// What each grade would do to a card (`None`: new) at `now`, in grade order. Intervals
    /// in days are kept in order (Hard ≤ Good < Easy), as Anki keeps them.
    pub fn preview(&self, state: Option<&CardState>, now: i64) -> [Scheduled; 4] {
        let elapsed = state.map_or(0, |s| (self.day(now) - self.day(s.last_review)).max(0));
        let mem = state.map(|s| fsrs::MemoryState {
            stability: s.stability as f32,
            difficulty: s.difficulty as f32,
        });
        let r = self.desired_retention as f32;
        let next = self
            .model
            .next_states(mem, r, elapsed as u32)
            .or_else(|_| self.model.next_states(None, r, 0))
            .expect("the crate schedules a new card with valid parameters");
        let items = [next.again, next.hard, next.good, next.easy];
        let mut out = Grade::ALL.map(|g| self.step(state, g, now, &items[g as usize - 1]));
        // Days kept in order among the grades that graduate, as Anki keeps its buttons.
        let days = |o: &Scheduled| (!o.state.phase.in_steps()).then_some(o.interval_days);
        if let (Some(h), Some(g)) = (days(&out[1]), days(&out[2]))
            && h > g
        {
            self.set_days(&mut out[1], g, now);
        }
        if let (Some(h), Some(g)) = (days(&out[1]), days(&out[2]))
            && g <= h
            && state.is_some_and(|s| s.phase == Phase::Review)
        {
            self.set_days(&mut out[2], h + 1, now);
        }
        if let (Some(g), Some(e)) = (days(&out[2]), days(&out[3]))
            && e <= g
        {
            self.set_days(&mut out[3], g + 1, now);
        }
        out
    }

    fn set_days(&self, o: &mut Scheduled, days: u32, now: i64) {
        let days = days.clamp(1, self.maximum_interval_days);
        o.interval_days = days;
        o.interval = days as i64 * DAY;
        o.state.due = now + o.interval;
    }

    /// Grade a card at `now`.
    pub fn review(&self, state: Option<&CardState>, grade: Grade, now: i64) -> Scheduled {
        self.preview(state, now)[grade as usize - 1]
    }

    /// The next step of a card in `steps` on step `at` after `g`: `Some((step, delay))`, or
    /// `None` when it graduates.
    fn next_step(steps: &[i64], at: u32, g: Grade) -> Option<(u32, i64)> {
        let at = (at as usize).min(steps.len().saturating_sub(1));
        match g {
            _ if steps.is_empty() => None,
            Grade::Again => Some((0, steps[0])),
            Grade::Hard => {
                let delay = match (at, steps.get(1)) {
                    (0, Some(second)) => (steps[0] + second) / 2,
                    (0, None) => (steps[0] * 3 / 2).min(steps[0] + DAY),
                    (i, _) => steps[i],
                };
                Some((at as u32, delay))
            }
            Grade::Good => steps.get(at + 1).map(|d| (at as u32 + 1, *d)),
            Grade::Easy => None,
        }
    }

    fn step(
        &self,
        state: Option<&CardState>,
        g: Grade,
        now: i64,
        item: &fsrs::ItemState,
    ) -> Scheduled {
        let stability = (item.memory.stability as f64).max(0.001);
        let difficulty = (item.memory.difficulty as f64).clamp(1.0, 10.0);
        let (phase, at, lapses) = match state {
            None => (Phase::Learning, 0, 0),
            Some(s) => (s.phase, s.step, s.lapses),
        };
        let lapse = phase == Phase::Review && g == Grade::Again;
        let stepped = match phase {
            Phase::Learning => {
                Self::next_step(&self.steps.learning, at, g).map(|(i, d)| (Phase::Learning, i, d))
            }
            Phase::Relearning => Self::next_step(&self.steps.relearning, at, g)
                .map(|(i, d)| (Phase::Relearning, i, d)),
            Phase::Review if lapse => self
                .steps
                .relearning
                .first()
                .map(|d| (Phase::Relearning, 0, *d)),
            Phase::Review => None,
        };
        let (phase, step, interval, interval_days) = match stepped {
            Some((p, i, delay)) => (p, i, delay, 0),
            None => {
                let days = (item.interval.round() as i64)
                    .clamp(1, self.maximum_interval_days as i64) as u32;
                (Phase::Review, 0, days as i64 * DAY, days)
            }
        };
        Scheduled {
            state: CardState {
                stability,
                difficulty,
                due: now + interval,
                reps: state.map_or(0, |s| s.reps) + 1,
                lapses: lapses + u32::from(lapse),
                last_review: now,
                last_grade: g,
                phase,
                step,
            },
            interval,
            interval_days,
        }
    }
}

/// Whole days between two times (0 if `now` is earlier).
pub fn elapsed_days(from: i64, now: i64) -> i64 {
    (now - from).max(0) / DAY
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_700_000_000;

    #[test]
    fn new_cards_walk_anki_s_learning_steps() {
        let s = Scheduler::default();
        let p = s.preview(None, T0);
        let iv: Vec<i64> = p.iter().map(|x| x.interval).collect();
        // Again 1 m, Hard halfway between 1 m and 10 m, Good 10 m, Easy graduates.
        assert_eq!(&iv[..3], &[60, 330, 600]);
        assert_eq!(p[3].state.phase, Phase::Review);
        assert!(p[3].interval_days >= 1);
        assert_eq!(p[0].state.phase, Phase::Learning);
        assert_eq!((p[2].state.phase, p[2].state.step), (Phase::Learning, 1));
        // Good on the last step graduates to days.
        let g = s.review(Some(&p[2].state), Grade::Good, T0 + 600);
        assert_eq!(g.state.phase, Phase::Review);
        assert!(g.interval_days >= 1);
        assert_eq!(g.state.reps, 2);
    }

    #[test]
    fn a_lapse_relearns_for_ten_minutes_and_counts() {
        let s = Scheduler::default();
        let mut st = s.review(None, Grade::Easy, T0).state;
        let later = st.due;
        let again = s.review(Some(&st), Grade::Again, later);
        assert_eq!(again.state.phase, Phase::Relearning);
        assert_eq!(again.interval, 600);
        assert_eq!(again.state.lapses, 1);
        st = again.state;
        let back = s.review(Some(&st), Grade::Good, later + 600);
        assert_eq!(back.state.phase, Phase::Review);
        assert_eq!(back.state.lapses, 1, "relearning Good is not a lapse");
        // Again in learning is not a lapse.
        let l = s.review(None, Grade::Again, T0).state;
        assert_eq!(s.review(Some(&l), Grade::Again, T0 + 60).state.lapses, 0);
    }

    #[test]
    fn no_steps_schedules_in_days_at_once() {
        let s = Scheduler::default().with_steps(Steps {
            learning: vec![],
            relearning: vec![],
        });
        for o in s.preview(None, T0) {
            assert_eq!(o.state.phase, Phase::Review);
            assert!(o.interval_days >= 1);
        }
    }

    #[test]
    fn intervals_are_ordered_and_grow_with_success() {
        let s = Scheduler::default();
        let mut st = s.review(None, Grade::Easy, T0).state;
        let mut last = 0;
        for _ in 0..6 {
            let now = st.due;
            let p = s.preview(Some(&st), now);
            assert!(p[1].interval_days <= p[2].interval_days);
            assert!(p[2].interval_days < p[3].interval_days);
            assert!(p[2].interval_days > last);
            last = p[2].interval_days;
            st = p[2].state;
        }
        assert!(last > 60, "six Good reviews reach months: {last}");
    }

    #[test]
    fn days_are_counted_between_calendar_days() {
        // Reviewed at 15:00, due "1 day" later: at 09:00 the next day one day has passed.
        let s = Scheduler::default();
        let day0 = 20_000 * DAY;
        assert_eq!(s.day(day0 + 15 * 3600) + 1, s.day(day0 + DAY + 9 * 3600));
        let s = s.with_day_offset(-4 * 3600);
        assert_eq!(
            s.day(day0 + DAY + 3 * 3600),
            s.day(day0 + 12 * 3600),
            "before 4 am is yesterday"
        );
    }

    #[test]
    fn steps_parse_and_print() {
        assert_eq!(parse_steps("1m 10m"), Ok(vec![60, 600]));
        assert_eq!(parse_steps("30s, 1h 1d"), Ok(vec![30, 3600, DAY]));
        assert_eq!(parse_steps(""), Ok(vec![]));
        assert!(parse_steps("2w").is_err());
        assert!(parse_steps("0m").is_err());
        assert_eq!(format_steps(&[60, 600, 3600]), "1m 10m 1h");
        assert_eq!(format_secs(330), "6m");
    }

    #[test]
    fn retention_is_clamped() {
        assert_eq!(Scheduler::new(1.5).desired_retention, 0.99);
        assert_eq!(Scheduler::new(0.1).desired_retention, 0.70);
        assert_eq!(Scheduler::new(f64::NAN).desired_retention, 0.9);
    }
}
