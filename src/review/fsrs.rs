//! FSRS scheduling (the FSRS-5 formulas, as used by modern Anki), implemented from the
//! published algorithm description with the published default weights.
//!
//! Time is always passed in (unix seconds), so scheduling is tested without waiting.
//! This is the "long-term" variant: every review is scheduled in whole days (at least one),
//! and a review on the same day as the previous one uses FSRS-5's short-term stability
//! update. Re-showing a card within a session is the session's job, not the scheduler's.

use serde::{Deserialize, Serialize};

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// The FSRS-5 default weights `w0..w18`.
pub const DEFAULT_WEIGHTS: [f64; 19] = [
    0.40255, 1.18385, 3.173, 15.69105, 7.1949, 0.5345, 1.4604, 0.0046, 1.54575, 0.1192, 1.01925,
    1.9395, 0.11, 0.29605, 2.2698, 0.2315, 2.9898, 0.51655, 0.6621,
];

/// The forgetting curve's decay.
pub const DECAY: f64 = -0.5;
/// Chosen so that retrievability is exactly 0.9 after `stability` days: `0.9^(1/DECAY) - 1`.
pub const FACTOR: f64 = 19.0 / 81.0;

/// The default desired retention.
pub const DEFAULT_RETENTION: f64 = 0.9;

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
    /// Times the card was forgotten (graded Again after its first review).
    pub lapses: u32,
    /// Time of the last review (unix seconds).
    pub last_review: i64,
    pub last_grade: Grade,
}

/// The scheduler: weights, desired retention and the interval cap.
#[derive(Debug, Clone, PartialEq)]
pub struct Scheduler {
    pub weights: [f64; 19],
    pub desired_retention: f64,
    pub maximum_interval_days: u32,
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler::new(DEFAULT_RETENTION)
    }
}

/// The outcome of grading a card: its new state and the interval in days.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scheduled {
    pub state: CardState,
    pub interval_days: u32,
}

impl Scheduler {
    /// A scheduler with the default weights; `desired_retention` is clamped to 0.70–0.99.
    pub fn new(desired_retention: f64) -> Scheduler {
        let r = if desired_retention.is_finite() {
            desired_retention.clamp(0.70, 0.99)
        } else {
            DEFAULT_RETENTION
        };
        Scheduler {
            weights: DEFAULT_WEIGHTS,
            desired_retention: r,
            maximum_interval_days: 36_500,
        }
    }

    /// Probability of recall after `elapsed_days` for a card of `stability`.
    pub fn retrievability(elapsed_days: f64, stability: f64) -> f64 {
        (1.0 + FACTOR * elapsed_days.max(0.0) / stability).powf(DECAY)
    }

    /// Retrievability of a card at `now`.
    pub fn retrievability_at(state: &CardState, now: i64) -> f64 {
        Self::retrievability(elapsed_days(state.last_review, now) as f64, state.stability)
    }

    /// The interval (whole days, at least 1) at which recall falls to the desired retention.
    pub fn interval(&self, stability: f64) -> u32 {
        let raw = stability / FACTOR * (self.desired_retention.powf(1.0 / DECAY) - 1.0);
        let days = raw.round();
        days.clamp(1.0, self.maximum_interval_days as f64) as u32
    }

    fn w(&self, i: usize) -> f64 {
        self.weights[i]
    }

    pub fn initial_stability(&self, g: Grade) -> f64 {
        self.w(g as usize - 1).max(0.1)
    }

    fn raw_initial_difficulty(&self, g: Grade) -> f64 {
        self.w(4) - (self.w(5) * (g.value() as f64 - 1.0)).exp() + 1.0
    }

    pub fn initial_difficulty(&self, g: Grade) -> f64 {
        self.raw_initial_difficulty(g).clamp(1.0, 10.0)
    }

    pub fn next_difficulty(&self, d: f64, g: Grade) -> f64 {
        let delta = -self.w(6) * (g.value() as f64 - 3.0);
        // Linear damping: the closer to 10, the smaller the step (FSRS-5).
        let damped = d + delta * (10.0 - d) / 9.0;
        // Mean reversion towards the initial difficulty of Easy.
        let target = self.initial_difficulty(Grade::Easy);
        (self.w(7) * target + (1.0 - self.w(7)) * damped).clamp(1.0, 10.0)
    }

    pub fn recall_stability(&self, d: f64, s: f64, r: f64, g: Grade) -> f64 {
        let hard_penalty = if g == Grade::Hard { self.w(15) } else { 1.0 };
        let easy_bonus = if g == Grade::Easy { self.w(16) } else { 1.0 };
        s * (self.w(8).exp()
            * (11.0 - d)
            * s.powf(-self.w(9))
            * ((self.w(10) * (1.0 - r)).exp() - 1.0)
            * hard_penalty
            * easy_bonus
            + 1.0)
    }

    pub fn forget_stability(&self, d: f64, s: f64, r: f64) -> f64 {
        let long = self.w(11)
            * d.powf(-self.w(12))
            * ((s + 1.0).powf(self.w(13)) - 1.0)
            * (self.w(14) * (1.0 - r)).exp();
        let short = s / (self.w(17) * self.w(18)).exp();
        long.min(short)
    }

    pub fn short_term_stability(&self, s: f64, g: Grade) -> f64 {
        s * (self.w(17) * (g.value() as f64 - 3.0 + self.w(18))).exp()
    }

    /// What each grade would do to a card (`None`: never reviewed) at `now`, in grade order.
    /// Intervals are kept in order: Hard ≤ Good < Easy.
    pub fn preview(&self, state: Option<&CardState>, now: i64) -> [Scheduled; 4] {
        let mut out = Grade::ALL.map(|g| self.step(state, g, now));
        // Keep the buttons' intervals ordered, as Anki does.
        let (h, g, e) = (
            out[1].interval_days,
            out[2].interval_days,
            out[3].interval_days,
        );
        let h2 = h.min(g);
        let g2 = g.max(h2 + 1);
        let e2 = e.max(g2 + 1);
        for (i, days) in [(1, h2), (2, g2), (3, e2)] {
            out[i].interval_days = days.min(self.maximum_interval_days);
            out[i].state.due = now + out[i].interval_days as i64 * DAY;
        }
        out
    }

    /// Grade a card at `now`.
    pub fn review(&self, state: Option<&CardState>, grade: Grade, now: i64) -> Scheduled {
        self.preview(state, now)[grade as usize - 1]
    }

    fn step(&self, state: Option<&CardState>, g: Grade, now: i64) -> Scheduled {
        let (stability, difficulty, reps, lapses) = match state {
            None => (self.initial_stability(g), self.initial_difficulty(g), 1, 0),
            Some(st) => {
                let days = elapsed_days(st.last_review, now);
                let d = self.next_difficulty(st.difficulty, g);
                let s = if days == 0 {
                    self.short_term_stability(st.stability, g)
                } else {
                    let r = Self::retrievability(days as f64, st.stability);
                    match g {
                        Grade::Again => self.forget_stability(st.difficulty, st.stability, r),
                        _ => self.recall_stability(st.difficulty, st.stability, r, g),
                    }
                };
                let lapses = st.lapses + u32::from(g == Grade::Again);
                (s.max(0.01), d, st.reps + 1, lapses)
            }
        };
        let interval_days = self.interval(stability);
        Scheduled {
            state: CardState {
                stability,
                difficulty,
                due: now + interval_days as i64 * DAY,
                reps,
                lapses,
                last_review: now,
                last_grade: g,
            },
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

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn retention_09_interval_equals_stability() {
        let s = Scheduler::default();
        for st in [1.0, 3.173, 15.69105, 42.4, 300.0] {
            assert_eq!(s.interval(st), st.round() as u32, "stability {st}");
        }
        // And recall after `stability` days is exactly the desired retention.
        assert!(close(Scheduler::retrievability(10.0, 10.0), 0.9, 1e-12));
    }

    #[test]
    fn higher_retention_shortens_intervals() {
        // r = 0.95: interval = S/FACTOR * (0.95^-2 - 1) = S * 0.4606…
        let s = Scheduler::new(0.95);
        assert_eq!(s.interval(100.0), 46);
        let s = Scheduler::new(0.80);
        // 0.8^-2 - 1 = 0.5625; / (19/81) = 2.398 → 240 days for S = 100.
        assert_eq!(s.interval(100.0), 240);
    }

    #[test]
    fn first_review_uses_w0_to_w3() {
        let s = Scheduler::default();
        let p = s.preview(None, T0);
        let stab: Vec<f64> = p.iter().map(|x| x.state.stability).collect();
        assert_eq!(stab, vec![0.40255, 1.18385, 3.173, 15.69105]);
        // Intervals: Again 1 (floor of one day), Hard 1, Good 3 (Hard ≤ Good keeps 1 < 3), Easy 16.
        let iv: Vec<u32> = p.iter().map(|x| x.interval_days).collect();
        assert_eq!(iv, vec![1, 1, 3, 16]);
        // D0(G) = w4 - e^(w5 (G-1)) + 1, worked by hand:
        // Again 7.1949, Hard 7.1949 - e^0.5345 + 1 = 6.48831, Good 5.28243, Easy 3.22450.
        let d: Vec<f64> = p.iter().map(|x| x.state.difficulty).collect();
        for (got, want) in d.iter().zip([7.1949, 6.48831, 5.28243, 3.22450]) {
            assert!(close(*got, want, 1e-4), "{got} vs {want}");
        }
        assert_eq!(p[2].state.due, T0 + 3 * DAY);
        assert_eq!(p[2].state.reps, 1);
    }

    #[test]
    fn good_then_good_after_three_days() {
        let s = Scheduler::default();
        let first = s.review(None, Grade::Good, T0).state;
        let t1 = T0 + 3 * DAY;
        let r = Scheduler::retrievability_at(&first, t1);
        // R = (1 + 19/81 * 3/3.173)^-0.5
        assert!(close(r, 0.904_70, 1e-4), "{r}");
        let second = s.review(Some(&first), Grade::Good, t1);
        // S' = S (e^w8 (11-D) S^-w9 (e^(w10 (1-R)) - 1) + 1), D = 5.28243: 10.7389
        assert!(
            close(second.state.stability, 10.7389, 1e-3),
            "{}",
            second.state.stability
        );
        assert_eq!(second.interval_days, 11);
        // Good leaves difficulty where it is, apart from mean reversion (w7 small):
        // 0.0046 * 3.22450 + 0.9954 * 5.28243 = 5.27297
        assert!(close(second.state.difficulty, 5.27297, 1e-4));
        assert_eq!(second.state.reps, 2);
        assert_eq!(second.state.lapses, 0);
    }

    #[test]
    fn lapse_uses_forget_stability_and_counts() {
        let s = Scheduler::default();
        let first = s.review(None, Grade::Good, T0).state;
        let t1 = T0 + 3 * DAY;
        let again = s.review(Some(&first), Grade::Again, t1);
        // long = w11 D^-w12 ((S+1)^w13 - 1) e^(w14 (1-R)) = 1.05556; short cap = S / e^(w17 w18) = 2.25392
        assert!(
            close(again.state.stability, 1.05556, 1e-3),
            "{}",
            again.state.stability
        );
        assert_eq!(again.interval_days, 1);
        assert_eq!(again.state.lapses, 1);
        // Again raises difficulty: D + w6 * 2 * (10 - D) / 9, then mean reversion.
        assert!(again.state.difficulty > first.difficulty);
    }

    #[test]
    fn same_day_review_uses_short_term_formula() {
        let s = Scheduler::default();
        let first = s.review(None, Grade::Good, T0).state;
        let again_today = s.review(Some(&first), Grade::Good, T0 + 600);
        // S * e^(w17 (G - 3 + w18)) = 3.173 * e^(0.51655 * 0.6621) = 4.46686
        assert!(close(again_today.state.stability, 4.46686, 1e-3));
    }

    #[test]
    fn intervals_are_ordered_and_grow_with_success() {
        let s = Scheduler::default();
        let mut st = s.review(None, Grade::Good, T0).state;
        let mut now = T0;
        let mut last = 0;
        for _ in 0..6 {
            now = st.due;
            let p = s.preview(Some(&st), now);
            assert!(p[1].interval_days <= p[2].interval_days);
            assert!(p[2].interval_days < p[3].interval_days);
            let next = p[2];
            assert!(next.interval_days > last);
            last = next.interval_days;
            st = next.state;
        }
        assert!(now > T0);
        assert!(last > 100, "six Good reviews should reach months: {last}");
    }

    #[test]
    fn retention_is_clamped() {
        assert_eq!(Scheduler::new(1.5).desired_retention, 0.99);
        assert_eq!(Scheduler::new(0.1).desired_retention, 0.70);
        assert_eq!(Scheduler::new(f64::NAN).desired_retention, 0.9);
    }
}
