//! Teaching rounds: one trial on a shared screen — a title card, an evidence card, then the
//! discussion ladder one question at a time, with staged reveal, a countdown, a learner picker,
//! presenter notes and a blank screen. Nothing personal is read or written here.
//!
//! A round is played on one screen, or on two: the room (the projector) and a presenter (the
//! attending's own terminal), joined by [`crate::link`]. The room holds the round; a
//! presenter holds a copy ([`Rounds::adopt`]) and sends what its keys ask ([`Command`]),
//! which the room applies as it applies its own keys ([`Rounds::apply`]). What is local to
//! each screen — the question list, a `g` waiting for its number, how far the notes are
//! scrolled — stays local.

use crate::content::{Library, Role};
use crate::doc::{self, Document};
use crate::link::{Call, Command, RoundState, TimerState};
use crate::tui::action::Action;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// Lines the notes move a key (a few at a time: they are read, not searched).
pub const NOTES_STEP: usize = 4;

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

    /// Whether it is shown: running, or stopped part way.
    pub fn shown(&self) -> bool {
        self.running() || self.left != self.total
    }

    /// Start, or pause; a finished timer starts again from the top.
    pub fn toggle(&mut self, now: SystemTime) {
        match self.since {
            Some(_) if self.remaining(now).is_zero() => {
                self.left = self.total;
                self.since = Some(now);
            }
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

/// Which end of a round this screen is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Side {
    /// The shared screen, holding the round; `presenters` attached.
    Room { presenters: usize },
    /// A presenter's own screen, following the room `name`.
    Presenter { name: String, connected: bool },
}

/// What an action asks of the app around the round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Out {
    None,
    Message(String),
    /// Write the handout.
    Handout,
    /// Send the room this (a presenter's key), pressed on step `at` with `shown` showing.
    Tell {
        command: Command,
        at: usize,
        shown: usize,
    },
    /// A digit without `g` first: say how to go to a question.
    PressGoTo,
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
    /// The presenter notes under the card (one screen, no presenter attached).
    pub notes: bool,
    pub timer: Timer,
    pub learners: Vec<String>,
    /// The last learner called on (kept to avoid calling on them twice in a row).
    pub learner: Option<usize>,
    /// Whether the learner is shown (until the screen changes).
    pub learner_shown: bool,
    /// Who was called on which question, in order.
    pub calls: Vec<Call>,
    /// Steps visited (what the handout covers).
    pub covered: BTreeSet<usize>,
    /// Where `--handout` asked the handout to go (replaced on each write).
    pub handout: Option<PathBuf>,
    /// The file `h` created in the working directory (a new name, never an existing file),
    /// and the number of the name it tries next.
    pub handout_made: Option<PathBuf>,
    pub handout_try: u32,
    /// How far the card on screen is scrolled (the room's; a presenter sees the room's).
    pub scroll: usize,
    /// How far the notes are scrolled (each screen its own).
    pub notes_scroll: usize,
    /// The countdown ran out and someone pressed a key on the "Time" card.
    pub time_seen: bool,
    /// When the round started, and when the card on screen was reached.
    pub started: SystemTime,
    pub step_since: SystemTime,
    /// Digits typed after `g` (local): `Some("")` waits for the first.
    pub goto: Option<String>,
    /// The question list, with its selected step (local).
    pub list: Option<usize>,
    pub side: Side,
    /// Nothing has moved since the room started (a presenter coming back may resume it).
    pub pristine: bool,
    /// What the room last told its presenters (numbered); on a presenter, the last one shown.
    pub notice: Option<(u64, String)>,
    /// The room's screen size (on a presenter: as the room last said).
    pub room_size: (u16, u16),
    seed: u64,
}

/// Unix milliseconds of a time.
fn ms(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn from_ms(m: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(m)
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
        let steps = steps_of(lib, entry, questions.len());
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
            calls: Vec::new(),
            covered: BTreeSet::from([0]),
            handout: opts.handout,
            handout_made: None,
            handout_try: 1,
            scroll: 0,
            notes_scroll: 0,
            time_seen: false,
            started: now,
            step_since: now,
            goto: None,
            list: None,
            side: Side::Room { presenters: 0 },
            pristine: true,
            notice: None,
            room_size: (0, 0),
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
        self.question_at(i)
    }

    /// The round's question `i`.
    pub fn question_at(&self, i: usize) -> Option<&doc::QuestionItem> {
        let id = self.questions.get(i)?;
        self.doc.questions().into_iter().find(|q| &q.id == id)
    }

    /// The question after the one on screen (or the first, before the questions).
    pub fn next_question(&self) -> Option<(usize, &doc::QuestionItem)> {
        let i = match self.step() {
            Step::Question(i) => i + 1,
            _ => 0,
        };
        self.question_at(i).map(|q| (i, q))
    }

    /// Whether the full key response is showing.
    pub fn full(&self) -> bool {
        self.question()
            .is_some_and(|q| self.shown > q.key_points.len())
    }

    /// Whether this is a presenter's screen.
    pub fn is_presenter(&self) -> bool {
        matches!(self.side, Side::Presenter { .. })
    }

    /// Presenters attached to this room (0 on a presenter's screen).
    pub fn presenters(&self) -> usize {
        match self.side {
            Side::Room { presenters } => presenters,
            Side::Presenter { .. } => 0,
        }
    }

    /// Whether the room's screen shows the notes panel: asked for, and no presenter attached
    /// (with one, the notes are on the presenter's screen only).
    pub fn notes_on_room(&self) -> bool {
        self.notes && matches!(self.side, Side::Room { presenters: 0 })
    }

    /// Whether the "Time" card is up: the countdown ran out and nobody has pressed a key since.
    pub fn time_up(&self, now: SystemTime) -> bool {
        self.timer.running() && self.timer.remaining(now).is_zero() && !self.time_seen
    }

    /// The step of question number `n` (1-based).
    pub fn step_of_question(&self, n: usize) -> Option<usize> {
        let i = n.checked_sub(1)?;
        self.steps.iter().position(|s| *s == Step::Question(i))
    }

    fn go(&mut self, at: usize, now: SystemTime) {
        let at = at.min(self.steps.len().saturating_sub(1));
        if at != self.at {
            self.at = at;
            self.shown = 0;
            self.scroll = 0;
            self.notes_scroll = 0;
            self.learner_shown = false;
            self.step_since = now;
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
        if let Step::Question(q) = self.step() {
            self.calls.push(Call {
                learner: i,
                question: q,
            });
        }
        Some(self.learners[i].clone())
    }

    /// Apply a key. On a room it changes the round; on a presenter, what changes the round
    /// is sent to the room ([`Out::Tell`]) and only this screen's own things change here.
    pub fn update(&mut self, action: Action, now: SystemTime) -> Out {
        if matches!(action, Action::Resize(..)) {
            return Out::None;
        }
        let presenter = self.is_presenter();
        // The room's blank screen and "Time" card: any key brings the card back, nothing else.
        if !presenter && (self.blank || self.time_up(now)) {
            return self.apply(Command::Wake, now);
        }
        if let Some(out) = self.local(&action, now) {
            return out;
        }
        let command = match action {
            Action::Down | Action::Open | Action::PageDown => Command::Next,
            Action::Up | Action::PageUp => Command::Prev,
            Action::Top => Command::First,
            Action::Bottom => Command::Last,
            Action::Reveal => Command::Reveal,
            Action::Blank => Command::Blank,
            Action::Timer => Command::Timer,
            Action::TimerReset => Command::TimerReset,
            Action::Learner => Command::Learner,
            Action::Handout => Command::Handout,
            Action::CardDown => Command::Scroll(1),
            Action::CardUp => Command::Scroll(-1),
            Action::ScrollDown(..) => Command::Scroll(3),
            Action::ScrollUp(..) => Command::Scroll(-3),
            _ if presenter && (self.blank || self.time_up(now)) => Command::Wake,
            _ => return Out::None,
        };
        if presenter {
            // Handled here first where the presenter can say why nothing would happen.
            if command == Command::Learner && self.learners.is_empty() {
                return Out::Message(no_learners());
            }
            return self.tell(command, now);
        }
        self.apply(command, now)
    }

    /// What stays on this screen: the question list, `g` and its digits, the notes.
    fn local(&mut self, action: &Action, now: SystemTime) -> Option<Out> {
        if let Some(sel) = self.list {
            let last = self.steps.len().saturating_sub(1);
            return Some(match action {
                Action::Down | Action::CardDown | Action::ScrollDown(..) => {
                    self.list = Some((sel + 1).min(last));
                    Out::None
                }
                Action::Up | Action::CardUp | Action::ScrollUp(..) => {
                    self.list = Some(sel.saturating_sub(1));
                    Out::None
                }
                Action::PageDown | Action::Bottom => {
                    self.list = Some(last);
                    Out::None
                }
                Action::PageUp | Action::Top => {
                    self.list = Some(0);
                    Out::None
                }
                Action::Open | Action::Reveal => {
                    self.list = None;
                    self.jump(sel, now)
                }
                Action::Digit(d) => match self.step_of_question(*d as usize) {
                    Some(s) => {
                        self.list = None;
                        self.jump(s, now)
                    }
                    None => Out::Message(self.no_question(&d.to_string())),
                },
                Action::Back | Action::QuestionList => {
                    self.list = None;
                    Out::None
                }
                _ => Out::None,
            });
        }
        if let Some(typed) = self.goto.take() {
            match action {
                Action::Digit(d) => {
                    let typed = format!("{typed}{d}");
                    let n: usize = typed.parse().unwrap_or(0);
                    let count = self.questions.len();
                    if n == 0 || n > count {
                        return Some(Out::Message(self.no_question(&typed)));
                    }
                    // Wait for another digit while a longer number could still be meant.
                    if n * 10 <= count {
                        self.goto = Some(typed);
                        return Some(Out::None);
                    }
                    let s = self.step_of_question(n).unwrap_or(self.at);
                    return Some(self.jump(s, now));
                }
                Action::Open if !typed.is_empty() => {
                    let n: usize = typed.parse().unwrap_or(0);
                    return Some(match self.step_of_question(n) {
                        Some(s) => self.jump(s, now),
                        None => Out::Message(self.no_question(&typed)),
                    });
                }
                // Esc, or any other key, forgets the `g`; the other key then does its own.
                Action::Back => return Some(Out::None),
                _ => {}
            }
        }
        Some(match action {
            Action::GoTo => {
                self.goto = Some(String::new());
                Out::None
            }
            Action::QuestionList => {
                self.list = Some(self.at);
                Out::None
            }
            Action::Notes if self.is_presenter() => {
                Out::Message("the notes are always on this screen".into())
            }
            Action::Notes if self.presenters() > 0 => {
                self.notes = false;
                Out::Message("the notes are on the presenter's screen, not the room's".into())
            }
            Action::Notes => {
                self.notes = !self.notes;
                self.notes_scroll = 0;
                Out::None
            }
            Action::NotesDown => {
                self.notes_scroll = self.notes_scroll.saturating_add(NOTES_STEP);
                Out::None
            }
            Action::NotesUp => {
                self.notes_scroll = self.notes_scroll.saturating_sub(NOTES_STEP);
                Out::None
            }
            Action::Digit(_) => Out::PressGoTo,
            _ => return None,
        })
    }

    fn no_question(&self, typed: &str) -> String {
        format!(
            "there is no question {typed}: this round has {}",
            crate::format::count(self.questions.len(), "question", "questions")
        )
    }

    /// Go to step `s`: here on a room, by the room on a presenter.
    fn jump(&mut self, s: usize, now: SystemTime) -> Out {
        if self.is_presenter() {
            self.tell(Command::Go(s), now)
        } else {
            self.apply(Command::Go(s), now)
        }
    }

    /// A presenter's key for the room, sent with the card it was pressed on. A move or a
    /// reveal is applied to this copy at once too, so the next key of a burst is pressed on
    /// the card it will meet in the room; the room's state follows and settles any doubt.
    fn tell(&mut self, command: Command, now: SystemTime) -> Out {
        let (at, shown) = (self.at, self.shown);
        let moves = matches!(
            command,
            Command::Next
                | Command::Prev
                | Command::First
                | Command::Last
                | Command::Go(_)
                | Command::Reveal
        );
        if moves && !self.blank && !self.time_up(now) {
            self.apply(command.clone(), now);
        }
        Out::Tell { command, at, shown }
    }

    /// Apply what a key asks of the round (the room's own, or a presenter's).
    pub fn apply(&mut self, command: Command, now: SystemTime) -> Out {
        if self.blank || self.time_up(now) {
            // Any key brings the screen back (and does nothing else).
            self.blank = false;
            if self.time_up(now) {
                self.time_seen = true;
            }
            self.pristine = false;
            return Out::None;
        }
        if !matches!(command, Command::Wake | Command::Handout) {
            self.pristine = false;
        }
        match command {
            Command::Next => {
                self.go(self.at + 1, now);
                Out::None
            }
            Command::Prev => {
                self.go(self.at.saturating_sub(1), now);
                Out::None
            }
            Command::First => {
                self.go(0, now);
                Out::None
            }
            Command::Last => {
                self.go(usize::MAX, now);
                Out::None
            }
            Command::Go(s) => {
                self.go(s, now);
                Out::None
            }
            Command::Reveal => {
                if let Some(q) = self.question() {
                    let max = q.key_points.len() + 1;
                    self.shown = (self.shown + 1).min(max);
                } else {
                    self.go(self.at + 1, now);
                }
                Out::None
            }
            Command::Scroll(n) => {
                self.scroll = if n < 0 {
                    self.scroll.saturating_sub(n.unsigned_abs() as usize)
                } else {
                    self.scroll.saturating_add(n as usize)
                };
                Out::None
            }
            Command::Blank => {
                self.blank = true;
                Out::None
            }
            Command::Timer => {
                self.timer.toggle(now);
                self.time_seen = false;
                Out::None
            }
            Command::TimerReset => {
                self.timer = Timer::new(self.timer.total);
                self.time_seen = false;
                Out::None
            }
            Command::Learner => match self.pick_learner() {
                Some(_) => Out::None,
                None => Out::Message(no_learners()),
            },
            Command::Handout => Out::Handout,
            Command::Wake => Out::None,
        }
    }

    /// A presenter's key, pressed on step `at` with `shown` showing: a move or a reveal
    /// pressed on a card the room has already left is dropped (two people pressing "next" at
    /// once move one card).
    pub fn apply_remote(
        &mut self,
        command: Command,
        at: usize,
        shown: usize,
        now: SystemTime,
    ) -> Out {
        let moves = matches!(
            command,
            Command::Next
                | Command::Prev
                | Command::First
                | Command::Last
                | Command::Go(_)
                | Command::Reveal
        );
        if moves && (at, shown) != (self.at, self.shown) && !self.blank && !self.time_up(now) {
            return Out::None;
        }
        self.apply(command, now)
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

    /// What the top line says of the step: the counter, or "Title", "Evidence".
    pub fn where_label(&self) -> String {
        self.counter().unwrap_or_else(|| {
            match self.step() {
                Step::Title => "Title",
                Step::Evidence => "Evidence",
                Step::Question(_) => "",
            }
            .to_string()
        })
    }

    /// The question ids asked so far (what the handout covers), in ladder order.
    pub fn asked(&self) -> Vec<String> {
        self.covered
            .iter()
            .filter_map(|&s| match self.steps.get(s) {
                Some(Step::Question(i)) => self.questions.get(*i).cloned(),
                _ => None,
            })
            .collect()
    }

    /// What the round covered, as a Markdown handout: the entry document as the Markdown
    /// export renders it, with the questions asked (their key responses open).
    pub fn handout(&self, lib: &Library) -> String {
        crate::export::markdown::handout(lib, &lib.entries[self.entry], &self.asked())
    }

    /// Where `h` writes now, and whether it may replace a file there: the `--handout` file
    /// (replaced), the file this round already made (replaced), or a new name in the working
    /// directory (`<id>-handout.md`, then `-2`, `-3` …), never an existing file.
    pub fn handout_target(&self) -> (PathBuf, bool) {
        if let Some(p) = self.handout.as_ref().or(self.handout_made.as_ref()) {
            return (p.clone(), true);
        }
        let id = &self.doc.id;
        let name = match self.handout_try {
            0 | 1 => format!("{id}-handout.md"),
            n => format!("{id}-handout-{n}.md"),
        };
        (PathBuf::from(name), false)
    }

    /// The round as the link carries it.
    pub fn state(&self) -> RoundState {
        RoundState {
            trial: self.doc.id.clone(),
            questions: self.questions.clone(),
            at: self.at,
            shown: self.shown,
            blank: self.blank,
            scroll: self.scroll,
            timer: TimerState {
                total_ms: self.timer.total.as_millis() as u64,
                left_ms: self.timer.left.as_millis() as u64,
                since_ms: self.timer.since.map(ms),
            },
            time_seen: self.time_seen,
            started_ms: ms(self.started),
            step_since_ms: ms(self.step_since),
            learners: self.learners.clone(),
            learner: self.learner,
            learner_shown: self.learner_shown,
            calls: self.calls.clone(),
            covered: self.covered.iter().copied().collect(),
            room_size: self.room_size,
            presenters: self.presenters(),
            pristine: self.pristine,
            notice: self.notice.clone(),
        }
    }

    /// Take the round's state from the link (a presenter following its room, or a restarted
    /// room resuming from a presenter). The trial changes if the state is on another one;
    /// what is local to this screen stays, within the new round's bounds.
    pub fn adopt(&mut self, lib: &Library, st: &RoundState) -> Result<(), String> {
        let entry = lib.index_of(&st.trial).ok_or_else(|| {
            format!(
                "the round is on `{}`, which is not in this screen's packs",
                st.trial
            )
        })?;
        if entry != self.entry {
            let side = self.side.clone();
            *self = Rounds::new(lib, entry, RoundsOptions::default(), from_ms(st.started_ms));
            self.side = side;
        }
        let known: Vec<String> = self.doc.questions().iter().map(|q| q.id.clone()).collect();
        self.questions = st
            .questions
            .iter()
            .filter(|q| known.contains(q))
            .cloned()
            .collect();
        self.steps = steps_of(lib, entry, self.questions.len());
        let last = self.steps.len().saturating_sub(1);
        if self.at != st.at.min(last) {
            self.notes_scroll = 0;
        }
        self.at = st.at.min(last);
        self.shown = st.shown;
        self.blank = st.blank;
        self.scroll = st.scroll;
        self.timer = Timer {
            total: Duration::from_millis(st.timer.total_ms),
            left: Duration::from_millis(st.timer.left_ms),
            since: st.timer.since_ms.map(from_ms),
        };
        self.time_seen = st.time_seen;
        self.started = from_ms(st.started_ms);
        self.step_since = from_ms(st.step_since_ms);
        self.learners = st.learners.clone();
        self.learner = st.learner.filter(|i| *i < self.learners.len());
        self.learner_shown = st.learner_shown;
        self.calls = st.calls.clone();
        self.covered = st.covered.iter().copied().filter(|s| *s <= last).collect();
        self.covered.insert(self.at);
        if let Some(l) = self.list {
            self.list = Some(l.min(last));
        }
        if self.is_presenter() {
            self.room_size = st.room_size;
        }
        self.pristine = st.pristine && self.pristine;
        Ok(())
    }
}

fn no_learners() -> String {
    "no learners: start with --learners FILE (one name a line)".into()
}

/// Title, evidence (when there are findings), then a step per question.
fn steps_of(lib: &Library, entry: usize, questions: usize) -> Vec<Step> {
    let mut steps = vec![Step::Title];
    if !lib.entries[entry].findings.is_empty() {
        steps.push(Step::Evidence);
    }
    steps.extend((0..questions).map(Step::Question));
    steps
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
