//! Quiz mode: a session builder, flashcard sessions graded with FSRS, and a summary.
//!
//! The app never touches the review store: it holds a snapshot of card states (given by the
//! runtime at start), schedules with the pure [`Scheduler`], and returns
//! [`Effect::Record`](super::Effect) / [`Effect::Unrecord`](super::Effect) for the runtime to
//! write. Time comes in as `now`.

use crate::content::{Library, Role};
use crate::review::queue::{self, Filter};
use crate::review::stats::{self, SessionReview, SessionSummary};
use crate::review::{Card, CardIndex, CardState, CardText, Grade, NewReview, Scheduler};
use crate::tui::action::Action;
use std::collections::HashMap;
use std::time::SystemTime;

/// Every card of the library with its state: what sessions draw from.
#[derive(Debug, Clone)]
pub struct Deck {
    pub cards: Vec<Card>,
    pub index: CardIndex,
    /// Aligned with `cards`.
    pub states: Vec<Option<CardState>>,
    pub scheduler: Scheduler,
    /// Whether grades are written (false: `--no-save`, a read-only data directory).
    pub saving: bool,
    /// Entry id → short name, for summaries.
    pub names: HashMap<String, String>,
    /// The learner's level from the config: sessions default to it and the roles below.
    pub level: Option<Role>,
    /// States by card id as read from the history, until the cards are built.
    pending: Option<HashMap<String, CardState>>,
}

impl Deck {
    /// A deck whose cards are built on first use ([`Deck::ensure`]): building every card of a
    /// large pack takes a while, and browsing never needs them.
    pub fn lazy(states: HashMap<String, CardState>, scheduler: Scheduler) -> Deck {
        Deck {
            cards: Vec::new(),
            index: CardIndex::new(&[]),
            states: Vec::new(),
            scheduler,
            saving: true,
            names: HashMap::new(),
            level: None,
            pending: Some(states),
        }
    }

    pub fn new(lib: &Library, states: &HashMap<String, CardState>, scheduler: Scheduler) -> Deck {
        let mut d = Deck::lazy(states.clone(), scheduler);
        d.ensure(lib);
        d
    }

    /// Build the cards (once) and align the states read from the history with them.
    pub fn ensure(&mut self, lib: &Library) {
        let Some(states) = self.pending.take() else {
            return;
        };
        self.cards = crate::review::build_cards(lib);
        self.index = CardIndex::new(&self.cards);
        self.states = self.index.align(&states);
        self.names = lib
            .entries
            .iter()
            .map(|e| (e.id.to_string(), e.name.to_string()))
            .collect();
    }
}

/// Unix seconds of a time.
pub fn unix(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// The session builder: the same filters as `trialdeck quiz`, with counts for each choice.
#[derive(Debug, Clone)]
pub struct Builder {
    pub filter: Filter,
    /// The row with the cursor.
    pub row: usize,
    /// Entry ids offered (those with cards), in pack order.
    pub trials: Vec<String>,
}

/// A row of the builder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuilderRow {
    Start,
    Due,
    New,
    Missed,
    Facts,
    Shuffle,
    Count,
    Role(Role),
    Trial(String),
}

impl Builder {
    pub fn new(deck: &Deck, filter: Filter) -> Builder {
        let mut trials: Vec<String> = Vec::new();
        for c in &deck.cards {
            if trials.last() != Some(&c.entry) && !trials.contains(&c.entry) {
                trials.push(c.entry.clone());
            }
        }
        Builder {
            filter,
            row: 0,
            trials,
        }
    }

    pub fn rows(&self) -> Vec<BuilderRow> {
        let mut rows = vec![
            BuilderRow::Start,
            BuilderRow::Due,
            BuilderRow::New,
            BuilderRow::Missed,
            BuilderRow::Facts,
            BuilderRow::Shuffle,
            BuilderRow::Count,
        ];
        rows.extend(Role::ALL.into_iter().map(BuilderRow::Role));
        rows.extend(self.trials.iter().cloned().map(BuilderRow::Trial));
        rows
    }

    /// Toggle the row under the cursor (or step the count).
    fn toggle(&mut self, delta: i64) {
        let row = self.rows().get(self.row).cloned();
        let f = &mut self.filter;
        match row {
            Some(BuilderRow::Due) => f.due = !f.due,
            Some(BuilderRow::New) => f.new = !f.new,
            Some(BuilderRow::Missed) => f.missed = !f.missed,
            Some(BuilderRow::Facts) => f.no_facts = !f.no_facts,
            Some(BuilderRow::Shuffle) => {
                f.shuffle = match f.shuffle {
                    Some(_) => None,
                    None => Some(1),
                }
            }
            Some(BuilderRow::Count) => {
                const STEPS: [usize; 7] = [5, 10, 20, 30, 50, 100, 0];
                let cur = f.count.unwrap_or(0);
                let i = STEPS.iter().position(|s| *s == cur).unwrap_or(2) as i64;
                let n = STEPS.len() as i64;
                let next = STEPS[((i + delta).rem_euclid(n)) as usize];
                f.count = (next > 0).then_some(next);
            }
            Some(BuilderRow::Role(r)) => toggle(&mut f.roles, r),
            Some(BuilderRow::Trial(t)) => toggle(&mut f.trials, t),
            Some(BuilderRow::Start) | None => {}
        }
    }
}

fn toggle<T: PartialEq>(v: &mut Vec<T>, x: T) {
    match v.iter().position(|y| *y == x) {
        Some(i) => {
            v.remove(i);
        }
        None => v.push(x),
    }
}

/// Where a card is in its flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// The question; `points` key points shown so far (staged recall with `n`).
    Front { points: usize },
    /// The answer is showing; the learner ticks points and grades.
    Back,
}

/// What undo needs to put back.
#[derive(Debug, Clone)]
struct Graded {
    at: usize,
    card: usize,
    before: Option<CardState>,
}

#[derive(Debug, Clone)]
pub struct Session {
    /// Indices into the deck's cards, in order.
    pub queue: Vec<usize>,
    pub at: usize,
    pub face: Face,
    /// Key points ticked (bit i for point i).
    pub ticked: u64,
    /// When the current card was shown (for the review's duration).
    pub shown_at: SystemTime,
    pub started: SystemTime,
    pub reviews: Vec<SessionReview>,
    graded: Vec<Graded>,
    pub skipped: usize,
    /// Lines of the answer scrolled (PgDn/PgUp) when it does not fit.
    pub scroll: usize,
    /// The filter the session was built from (for "drill what I missed").
    pub filter: Filter,
}

impl Session {
    pub fn new(queue: Vec<usize>, filter: Filter, now: SystemTime) -> Session {
        Session {
            queue,
            at: 0,
            face: Face::Front { points: 0 },
            ticked: 0,
            shown_at: now,
            started: now,
            reviews: Vec::new(),
            graded: Vec::new(),
            skipped: 0,
            scroll: 0,
            filter,
        }
    }

    /// The deck index of the card on screen.
    pub fn card(&self) -> Option<usize> {
        self.queue.get(self.at).copied()
    }

    pub fn finished(&self) -> bool {
        self.at >= self.queue.len()
    }

    fn next(&mut self, now: SystemTime) {
        self.at += 1;
        self.face = Face::Front { points: 0 };
        self.ticked = 0;
        self.scroll = 0;
        self.shown_at = now;
    }
}

/// The quiz screen: building, in a session, or summarising one.
#[derive(Debug, Clone)]
pub enum Quiz {
    Building(Builder),
    Running(Session),
    Done {
        summary: Box<SessionSummary>,
        filter: Filter,
        /// The finished session, so its last grade can still be undone.
        session: Box<Session>,
    },
}

/// What an update asks of the app.
pub enum QuizOut {
    None,
    Message(String),
    Record(NewReview),
    Unrecord(crate::review::CardId),
    /// Open this entry in the browser (the quiz waits).
    OpenEntry(usize),
    /// Leave quiz mode.
    Leave,
}

impl Quiz {
    /// A session straight from a filter (the command line), or the builder when empty.
    pub fn start(deck: &Deck, filter: Filter, now: SystemTime) -> Quiz {
        let q = queue::build(&deck.cards, &deck.states, &filter, unix(now));
        Quiz::Running(Session::new(q, filter, now))
    }

    pub fn text(deck: &Deck, lib: &Library, card: usize) -> Option<CardText> {
        deck.cards.get(card)?.text(lib)
    }

    /// The grade the ticked points suggest.
    pub fn suggested(deck: &Deck, lib: &Library, s: &Session) -> Grade {
        let total = s
            .card()
            .and_then(|c| Quiz::text(deck, lib, c))
            .map_or(0, |t| t.key_points.len() as u32);
        crate::review::suggest_grade(s.ticked.count_ones(), total)
    }

    pub fn update(
        &mut self,
        deck: &mut Deck,
        lib: &Library,
        action: Action,
        now: SystemTime,
    ) -> QuizOut {
        match self {
            Quiz::Building(b) => {
                let n = b.rows().len();
                match action {
                    Action::Down => b.row = (b.row + 1).min(n - 1),
                    Action::Up => b.row = b.row.saturating_sub(1),
                    Action::PageDown => b.row = (b.row + 10).min(n - 1),
                    Action::PageUp => b.row = b.row.saturating_sub(10),
                    Action::Top => b.row = 0,
                    Action::Bottom => b.row = n - 1,
                    Action::Reveal => b.toggle(1),
                    Action::NextSection => b.toggle(1),
                    Action::PrevSection => b.toggle(-1),
                    Action::Open => {
                        if b.rows().get(b.row) != Some(&BuilderRow::Start) {
                            b.toggle(1);
                            return QuizOut::None;
                        }
                        let mut f = b.filter.clone();
                        if let Some(seed) = f.shuffle.as_mut() {
                            *seed = unix(now) as u64;
                        }
                        let q = queue::build(&deck.cards, &deck.states, &f, unix(now));
                        if q.is_empty() {
                            return QuizOut::Message(
                                "no cards match: widen the choice (roles, trials, new/due)".into(),
                            );
                        }
                        *self = Quiz::Running(Session::new(q, f, now));
                    }
                    Action::Back => return QuizOut::Leave,
                    _ => {}
                }
                QuizOut::None
            }
            Quiz::Running(s) => {
                let out = session_update(s, deck, lib, action, now);
                if s.finished() {
                    let states_after = deck.states.clone();
                    let summary = stats::summarize(
                        &deck.cards,
                        &deck.index,
                        &s.reviews,
                        &states_after,
                        &deck.names,
                    );
                    let filter = s.filter.clone();
                    let session = Box::new(s.clone());
                    *self = Quiz::Done {
                        summary: Box::new(summary),
                        filter,
                        session,
                    };
                }
                out
            }
            Quiz::Done {
                summary,
                filter,
                session,
            } => match action {
                Action::Undo => {
                    let mut s = (**session).clone();
                    let out = undo(&mut s, deck, now);
                    if matches!(out, QuizOut::Unrecord(_)) {
                        *self = Quiz::Running(s);
                    }
                    out
                }
                Action::DrillMissed => {
                    let missed: Vec<usize> = summary
                        .missed
                        .iter()
                        .filter_map(|id| deck.index.get(id.as_str()))
                        .collect();
                    if missed.is_empty() {
                        return QuizOut::Message("nothing was missed in this session".into());
                    }
                    *self = Quiz::Running(Session::new(missed, filter.clone(), now));
                    QuizOut::None
                }
                Action::Open | Action::OpenQuiz => {
                    *self = Quiz::Building(Builder::new(deck, filter.clone()));
                    QuizOut::None
                }
                Action::Back => QuizOut::Leave,
                _ => QuizOut::None,
            },
        }
    }
}

fn session_update(
    s: &mut Session,
    deck: &mut Deck,
    lib: &Library,
    action: Action,
    now: SystemTime,
) -> QuizOut {
    if action == Action::Undo {
        return undo(s, deck, now);
    }
    let Some(card) = s.card() else {
        return QuizOut::None;
    };
    let text = Quiz::text(deck, lib, card);
    let points = text.as_ref().map_or(0, |t| t.key_points.len());
    match (s.face, action) {
        (Face::Front { .. }, Action::Reveal) => s.face = Face::Back,
        (Face::Front { points: p }, Action::NextPoint) => {
            if p + 1 > points {
                s.face = Face::Back;
            } else {
                s.face = Face::Front { points: p + 1 };
            }
        }
        (Face::Back, Action::TickPoint(i)) => {
            let i = i as usize;
            if i >= 1 && i <= points.min(64) {
                s.ticked ^= 1 << (i - 1);
            }
        }
        (Face::Back, Action::Open) => {
            let g = Quiz::suggested(deck, lib, s);
            return grade(s, deck, card, g, now, points as u32);
        }
        (Face::Back, Action::Grade(g)) => {
            if let Some(g) = Grade::from_value(g) {
                return grade(s, deck, card, g, now, points as u32);
            }
        }
        (_, Action::PageDown | Action::ScrollDown(..)) => s.scroll += 5,
        (_, Action::PageUp | Action::ScrollUp(..)) => s.scroll = s.scroll.saturating_sub(5),
        (_, Action::Skip) => {
            s.skipped += 1;
            s.next(now);
        }
        (_, Action::OpenEntry) => return QuizOut::OpenEntry(deck.cards[card].entry_index),
        (_, Action::Back) => {
            // Leaving mid-session shows the summary of what was graded so far.
            s.at = s.queue.len();
        }
        _ => {}
    }
    QuizOut::None
}

/// Take back the session's last grade: the card's state as it was, the card shown again.
fn undo(s: &mut Session, deck: &mut Deck, now: SystemTime) -> QuizOut {
    let Some(last) = s.graded.pop() else {
        return QuizOut::Message("nothing to undo".into());
    };
    s.reviews.pop();
    deck.states[last.card] = last.before;
    s.at = last.at;
    s.face = Face::Back;
    s.ticked = 0;
    s.scroll = 0;
    s.shown_at = now;
    QuizOut::Unrecord(deck.cards[last.card].id.clone())
}

fn grade(
    s: &mut Session,
    deck: &mut Deck,
    card: usize,
    g: Grade,
    now: SystemTime,
    points_total: u32,
) -> QuizOut {
    let t = unix(now);
    let before = deck.states[card];
    let next = deck.scheduler.review(before.as_ref(), g, t);
    deck.states[card] = Some(next.state);
    let duration_ms = now
        .duration_since(s.shown_at)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let review = SessionReview {
        card: deck.cards[card].id.clone(),
        grade: g,
        points: s.ticked,
        points_total,
        duration_ms,
    };
    s.graded.push(Graded {
        at: s.at,
        card,
        before,
    });
    s.reviews.push(review);
    let rec = NewReview {
        card: deck.cards[card].id.clone(),
        at: t,
        grade: g,
        points: s.ticked,
        points_total,
        duration_ms,
    };
    s.next(now);
    QuizOut::Record(rec)
}

/// The top of a quiz card as lines at a width: the trial in one line, the role and counter,
/// the question, and the key points (shown so far on the front; tickable on the back), with
/// the line range of each tickable point. The view draws these lines and `update` hit-tests
/// clicks with them, so a click on a point always ticks the point drawn there.
pub struct CardTop {
    pub lines: Vec<ratatui::text::Line<'static>>,
    pub points: Vec<std::ops::Range<usize>>,
}

pub fn card_top(
    lib: &Library,
    deck: &Deck,
    s: &Session,
    width: u16,
    t: &crate::tui::theme::Theme,
) -> CardTop {
    use crate::tui::lines::wrap::{truncate, wrap};
    use ratatui::text::{Line, Span};
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut points = Vec::new();
    let w = width as usize;
    let Some(ci) = s.card() else {
        return CardTop { lines, points };
    };
    let c = &deck.cards[ci];
    let Some(text) = c.text(lib) else {
        return CardTop { lines, points };
    };
    let e = &lib.entries[c.entry_index];
    let design = match &e.design {
        Some(d) => format!("{} · {}", e.name, crate::format::design_line(d)),
        None => e.name.to_string(),
    };
    let text_lines = |lines: &mut Vec<Line<'static>>, spans: Vec<Span<'static>>, indent| {
        lines.extend(wrap(spans, w, indent));
    };
    lines.push(Line::from(Span::styled(truncate(&design, w), t.muted)));
    let kind = if c.is_fact() { " · fact card" } else { "" };
    text_lines(
        &mut lines,
        vec![
            Span::styled(format!("{}{kind}", c.role.label()), t.heading),
            Span::styled(format!("   {} of {}", s.at + 1, s.queue.len()), t.muted),
        ],
        0,
    );
    lines.push(Line::default());
    text_lines(
        &mut lines,
        vec![Span::styled(text.prompt.clone(), t.title)],
        0,
    );
    lines.push(Line::default());
    let n = text.key_points.len();
    match s.face {
        Face::Front { points: shown } => {
            for (i, k) in text.key_points.iter().take(shown).enumerate() {
                text_lines(
                    &mut lines,
                    vec![
                        Span::styled(format!("  {}. ", i + 1), t.accent),
                        Span::styled(k.clone(), t.base),
                    ],
                    5,
                );
            }
            lines.push(Line::default());
            let hint = if n > shown {
                format!(
                    "Recall your answer. Space reveals it; n shows key point {} of {n} first.",
                    shown + 1
                )
            } else {
                "Recall your answer. Space reveals it.".to_string()
            };
            text_lines(&mut lines, vec![Span::styled(hint, t.muted)], 0);
        }
        Face::Back => {
            if n > 0 {
                text_lines(
                    &mut lines,
                    vec![Span::styled(
                        "Key points — tick the ones you had (1–6 or click), then grade:"
                            .to_string(),
                        t.heading,
                    )],
                    0,
                );
                for (i, k) in text.key_points.iter().enumerate() {
                    let on = s.ticked & (1 << i) != 0;
                    let start = lines.len();
                    text_lines(
                        &mut lines,
                        vec![
                            Span::styled(
                                format!("  {} {} ", i + 1, if on { "[✓]" } else { "[ ]" }),
                                if on { t.good } else { t.accent },
                            ),
                            Span::styled(k.clone(), t.base),
                        ],
                        8,
                    );
                    points.push(start..lines.len());
                }
                lines.push(Line::default());
            }
        }
    }
    CardTop { lines, points }
}
