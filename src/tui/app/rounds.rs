//! Teaching rounds: one trial on a shared screen — a title card, an evidence card, then the
//! discussion ladder one question at a time, with staged reveal, a countdown, a learner picker,
//! presenter notes and a blank screen. Nothing personal is read or written here.

use crate::content::{Library, Role};
use crate::doc::{self, Document};
use crate::tui::action::Action;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// One screen of a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Title,
    Evidence,
    /// Index into the round's questions.
    Question(usize),
}

/// How the round was started, for where `Esc` goes.
#[derive(Debug, Clone)]
pub struct RoundsOptions {
    /// Only questions of these roles (all when empty).
    pub roles: Vec<Role>,
    /// The countdown's length.
    pub timer: Duration,
    pub learners: Vec<String>,
    /// Where `h` (and the end of the round) writes the handout.
    pub handout: Option<PathBuf>,
}

impl Default for RoundsOptions {
    fn default() -> Self {
        RoundsOptions {
            roles: Vec::new(),
            timer: Duration::from_secs(120),
            learners: Vec::new(),
            handout: None,
        }
    }
}

/// A visible countdown: running from `since` with `left` remaining at that moment, or paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timer {
    pub total: Duration,
    pub left: Duration,
    pub since: Option<SystemTime>,
}

impl Timer {
    pub fn new(total: Duration) -> Timer {
        Timer {
            total,
            left: total,
            since: None,
        }
    }

    pub fn running(&self) -> bool {
        self.since.is_some()
    }

    /// Time left at `now`.
    pub fn remaining(&self, now: SystemTime) -> Duration {
        match self.since {
            Some(s) => self
                .left
                .saturating_sub(now.duration_since(s).unwrap_or_default()),
            None => self.left,
        }
    }

    /// Start, or pause; a finished timer starts again from the top.
    pub fn toggle(&mut self, now: SystemTime) {
        match self.since {
            Some(_) => {
                self.left = self.remaining(now);
                self.since = None;
            }
            None => {
                if self.left.is_zero() {
                    self.left = self.total;
                }
                self.since = Some(now);
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Rounds {
    pub entry: usize,
    pub doc: Document,
    /// Ids of the round's questions, in ladder order.
    pub questions: Vec<String>,
    pub steps: Vec<Step>,
    pub at: usize,
    /// Key points shown on the current question; past the last, the full key response.
    pub shown: usize,
    pub blank: bool,
    pub notes: bool,
    pub timer: Timer,
    pub learners: Vec<String>,
    /// The last learner called on (kept to avoid calling on them twice in a row).
    pub learner: Option<usize>,
    /// Whether the learner is shown (until the screen changes).
    pub learner_shown: bool,
    /// Steps visited (what the handout covers).
    pub covered: BTreeSet<usize>,
    pub handout: Option<PathBuf>,
    seed: u64,
}

impl Rounds {
    pub fn new(lib: &Library, entry: usize, opts: RoundsOptions, now: SystemTime) -> Rounds {
        let doc = doc::build(lib, &lib.entries[entry]);
        let questions: Vec<String> = doc
            .questions()
            .into_iter()
            .filter(|q| opts.roles.is_empty() || opts.roles.contains(&q.role))
            .map(|q| q.id.clone())
            .collect();
        let mut steps = vec![Step::Title];
        if !lib.entries[entry].findings.is_empty() {
            steps.push(Step::Evidence);
        }
        steps.extend((0..questions.len()).map(Step::Question));
        let seed = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
            | 1;
        Rounds {
            entry,
            doc,
            questions,
            steps,
            at: 0,
            shown: 0,
            blank: false,
            notes: false,
            timer: Timer::new(opts.timer),
            learners: opts.learners,
            learner: None,
            learner_shown: false,
            covered: BTreeSet::from([0]),
            handout: opts.handout,
            seed,
        }
    }

    pub fn step(&self) -> Step {
        self.steps.get(self.at).copied().unwrap_or(Step::Title)
    }

    /// The question on screen, if the step is one.
    pub fn question(&self) -> Option<&doc::QuestionItem> {
        let Step::Question(i) = self.step() else {
            return None;
        };
        let id = self.questions.get(i)?;
        self.doc.questions().into_iter().find(|q| &q.id == id)
    }

    /// Whether the full key response is showing.
    pub fn full(&self) -> bool {
        self.question()
            .is_some_and(|q| self.shown > q.key_points.len())
    }

    fn go(&mut self, at: usize) {
        let at = at.min(self.steps.len().saturating_sub(1));
        if at != self.at {
            self.at = at;
            self.shown = 0;
            self.learner_shown = false;
            self.covered.insert(at);
        }
    }

    /// The next learner to call on: random, never the same one twice in a row.
    fn pick_learner(&mut self) -> Option<String> {
        let n = self.learners.len();
        if n == 0 {
            return None;
        }
        // xorshift64*: deterministic for a given start time, so tests can pin it.
        self.seed ^= self.seed >> 12;
        self.seed ^= self.seed << 25;
        self.seed ^= self.seed >> 27;
        let r = self.seed.wrapping_mul(0x2545_F491_4F6C_DD1D);
        let mut i = (r % n as u64) as usize;
        if n > 1 && Some(i) == self.learner {
            i = (i + 1 + (r >> 32) as usize % (n - 1)) % n;
        }
        self.learner = Some(i);
        self.learner_shown = true;
        Some(self.learners[i].clone())
    }

    /// Apply an action; returns a footer message, and whether the handout should be written.
    pub fn update(&mut self, action: Action, now: SystemTime) -> (Option<String>, bool) {
        if self.blank && !matches!(action, Action::Resize(..)) {
            // Any key brings the screen back (and does nothing else).
            self.blank = false;
            return (None, false);
        }
        match action {
            Action::Down | Action::Open | Action::PageDown => self.go(self.at + 1),
            Action::Up | Action::PageUp => self.go(self.at.saturating_sub(1)),
            Action::Top => self.go(0),
            Action::Bottom => self.go(usize::MAX),
            Action::Reveal => {
                if let Some(q) = self.question() {
                    let max = q.key_points.len() + 1;
                    self.shown = (self.shown + 1).min(max);
                } else {
                    self.go(self.at + 1);
                }
            }
            Action::Blank => self.blank = true,
            Action::Notes => self.notes = !self.notes,
            Action::Timer => self.timer.toggle(now),
            Action::TimerReset => self.timer = Timer::new(self.timer.total),
            Action::Learner => {
                return match self.pick_learner() {
                    Some(_) => (None, false),
                    None => (
                        Some("no learners: start with --learners FILE (one name a line)".into()),
                        false,
                    ),
                };
            }
            Action::Handout => return (None, true),
            _ => {}
        }
        (None, false)
    }

    /// The learner on screen.
    pub fn called(&self) -> Option<&str> {
        self.learner
            .filter(|_| self.learner_shown)
            .and_then(|i| self.learners.get(i))
            .map(String::as_str)
    }

    /// "Fellow · 3 of 7".
    pub fn counter(&self) -> Option<String> {
        let Step::Question(i) = self.step() else {
            return None;
        };
        let q = self.question()?;
        Some(format!(
            "{} · {} of {}",
            q.role.label(),
            i + 1,
            self.questions.len()
        ))
    }

    /// What the round covered, as a Markdown handout (rendered by the Markdown exporter
    /// from the entry document): the evidence and the questions asked.
    pub fn handout(&self, lib: &Library) -> String {
        let asked: Vec<String> = self
            .covered
            .iter()
            .filter_map(|&s| match self.steps.get(s) {
                Some(Step::Question(i)) => self.questions.get(*i).cloned(),
                _ => None,
            })
            .collect();
        crate::export::markdown::handout(lib, &lib.entries[self.entry], &asked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timer_counts_down_pauses_and_restarts() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
        let mut t = Timer::new(Duration::from_secs(60));
        assert_eq!(t.remaining(t0), Duration::from_secs(60));
        t.toggle(t0);
        assert!(t.running());
        assert_eq!(
            t.remaining(t0 + Duration::from_secs(15)),
            Duration::from_secs(45)
        );
        t.toggle(t0 + Duration::from_secs(15));
        assert!(!t.running());
        assert_eq!(
            t.remaining(t0 + Duration::from_secs(500)),
            Duration::from_secs(45)
        );
        t.toggle(t0 + Duration::from_secs(500));
        assert_eq!(t.remaining(t0 + Duration::from_secs(600)), Duration::ZERO);
    }
}
