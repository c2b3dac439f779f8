//! Quiz mode: a session builder, flashcard sessions graded with FSRS, and a summary.
//!
//! The app never touches the review store: it holds a snapshot of card states and flags (given
//! by the runtime at start) and returns [`Effect::Record`](super::Effect) for each grade and
//! [`Effect::Undo`](super::Effect) for an undo. The store computes the card's next state (FSRS
//! and the learning steps, once per grade) and the runtime hands it back, with the review's
//! log id, through [`App::receive`](super::App::receive): the stored state is the one truth,
//! and undo takes back exactly the review it names. A card the store puts on a learning step
//! due today comes back in the same session once its step is due, or earlier when nothing else
//! is left (the learn-ahead limit). The pure [`Scheduler`] only previews the intervals on the
//! grade buttons. Time comes in as `now`.

use crate::content::{Library, Role};
use crate::review::queue::{self, Filter, Limits, Plan, Today};
use crate::review::stats::{self, SessionReview, SessionSummary};
use crate::review::store::{CardFlags, CardOp, DayCounts, Recorded, ReviewKind};
use crate::review::{Card, CardIndex, CardState, CardText, Grade, NewReview, Scheduler};
use crate::tui::action::Action;
use std::collections::{HashMap, VecDeque};
use std::time::SystemTime;

/// Every card of the library with its state: what sessions draw from.
#[derive(Debug, Clone)]
pub struct Deck {
    pub cards: Vec<Card>,
    pub index: CardIndex,
    /// Aligned with `cards`.
    pub states: Vec<Option<CardState>>,
    /// Aligned with `cards`: suspended, buried, leech.
    pub flags: Vec<CardFlags>,
    /// Every card in the order new cards are met (see `review::cards::teaching_order`).
    pub order: Vec<usize>,
    pub scheduler: Scheduler,
    /// Whether grades are written (false: `--no-save`, a read-only data directory).
    pub saving: bool,
    /// Entry id → short name, for summaries.
    pub names: HashMap<String, String>,
    /// The learner's level from the config: sessions default to it and the roles below.
    pub level: Option<Role>,
    /// The daily limits, with what was done on `limits_day`.
    pub limits: Limits,
    /// The calendar day `limits.done` counts.
    pub limits_day: i64,
    /// Fact cards of trials still ongoing in the sources, by default (the config's choice).
    pub ongoing_facts: bool,
    /// States and flags by card id as read from the history, until the cards are built.
    pending: Option<(HashMap<String, CardState>, HashMap<String, CardFlags>)>,
}

impl Deck {
    /// A deck whose cards are built on first use ([`Deck::ensure`]): building every card of a
    /// large pack takes a while, and browsing never needs them.
    pub fn lazy(states: HashMap<String, CardState>, scheduler: Scheduler) -> Deck {
        Deck {
            cards: Vec::new(),
            index: CardIndex::new(&[]),
            states: Vec::new(),
            flags: Vec::new(),
            order: Vec::new(),
            scheduler,
            saving: true,
            names: HashMap::new(),
            level: None,
            limits: Limits::default(),
            limits_day: i64::MIN,
            ongoing_facts: false,
            pending: Some((states, HashMap::new())),
        }
    }

    pub fn new(lib: &Library, states: &HashMap<String, CardState>, scheduler: Scheduler) -> Deck {
        let mut d = Deck::lazy(states.clone(), scheduler);
        d.ensure(lib);
        d
    }

    /// Flags read from the history (before the cards are built).
    pub fn set_flags(&mut self, flags: HashMap<String, CardFlags>) {
        match &mut self.pending {
            Some((_, f)) => *f = flags,
            None => {
                for (id, fl) in flags {
                    if let Some(i) = self.index.get(&id) {
                        self.flags[i] = fl;
                    }
                }
            }
        }
    }

    /// The library changed under the deck (the packs were loaded again): its cards are built
    /// again on first use, each card keeping its state and flags by id.
    pub fn rebase(&mut self) {
        if self.pending.is_some() {
            return;
        }
        let ids = || self.cards.iter().map(|c| c.id.0.clone());
        let states = ids()
            .zip(&self.states)
            .filter_map(|(id, s)| Some((id, (*s)?)))
            .collect();
        let flags = ids()
            .zip(&self.flags)
            .filter(|(_, f)| **f != CardFlags::default())
            .map(|(id, f)| (id, *f))
            .collect();
        self.pending = Some((states, flags));
        self.cards.clear();
        self.index = CardIndex::new(&[]);
        self.states.clear();
        self.flags.clear();
        self.order.clear();
    }

    /// Build the cards (once) and align the states read from the history with them.
    pub fn ensure(&mut self, lib: &Library) {
        let Some((states, flags)) = self.pending.take() else {
            return;
        };
        self.cards = crate::review::build_cards(lib);
        self.index = CardIndex::new(&self.cards);
        self.states = self.index.align(&states);
        self.flags = vec![CardFlags::default(); self.cards.len()];
        for (id, f) in flags {
            if let Some(i) = self.index.get(&id) {
                self.flags[i] = f;
            }
        }
        self.order = crate::review::cards::teaching_order(lib, &self.cards);
        self.names = lib
            .entries
            .iter()
            .map(|e| (e.id.to_string(), e.name.to_string()))
            .collect();
    }

    /// "Now" as sessions count it.
    pub fn today(&self, now: SystemTime) -> Today {
        Today::new(&self.scheduler, unix(now))
    }

    /// The limits at `now`: what was done counts only on the day it was done.
    pub fn limits_at(&self, now: SystemTime) -> Limits {
        let mut l = self.limits;
        if self.today(now).day != self.limits_day {
            l.done = DayCounts::default();
        }
        l
    }

    /// Set what was done today (from the history), as of `now`.
    pub fn set_done(&mut self, done: DayCounts, now: SystemTime) {
        self.limits.done = done;
        self.limits_day = self.today(now).day;
    }

    /// Count a review in (or, `undo`, out of) the day's limits.
    fn count(&mut self, rec: &Recorded, at: i64, undo: bool) {
        let day = self.scheduler.day(at);
        if day != self.limits_day {
            self.limits.done = DayCounts::default();
            self.limits_day = day;
        }
        let d = &mut self.limits.done;
        let step = |n: &mut u32| {
            *n = if undo {
                n.saturating_sub(1)
            } else {
                n.saturating_add(1)
            }
        };
        if rec.was_new {
            step(&mut d.new);
        }
        if rec.kind == ReviewKind::Review {
            step(&mut d.reviews);
        }
    }

    /// The plan of a session from `filter` at `now`.
    pub fn plan(&self, filter: &Filter, now: SystemTime) -> Plan {
        queue::plan(
            &self.cards,
            &self.states,
            &self.flags,
            &self.order,
            filter,
            &self.limits_at(now),
            &self.today(now),
        )
    }

    /// What a card is now, as the card and the counts say it: new, learning, relearning or
    /// review.
    pub fn kind_of(&self, card: usize) -> &'static str {
        match self.states.get(card).and_then(Option::as_ref) {
            None => "new",
            Some(s) => s.phase.label(),
        }
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
    /// What the choice yields, counted when the choice (or the time) changes, not per frame.
    pub tally: Tally,
}

/// What the builder's choice yields: counts for the choice, the session it makes (within the
/// daily limits), and counts per role and per trial for the rows that change them.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub all: queue::Counts,
    /// The session's new, learning and review cards (they add up to its size).
    pub new: usize,
    pub learning: usize,
    pub due: usize,
    pub session: usize,
    pub limits: Limits,
    pub by_role: std::collections::BTreeMap<Role, queue::Counts>,
    pub by_entry: std::collections::BTreeMap<String, queue::Counts>,
    /// The filter and the minute (Unix minutes) it was counted for.
    counted: Option<(Filter, i64)>,
}

impl Tally {
    /// Count again if the filter changed since the last count, or the minute did (cards
    /// fall due with time).
    fn update(&mut self, deck: &Deck, f: &Filter, now: SystemTime) {
        let minute = unix(now).div_euclid(60);
        if self
            .counted
            .as_ref()
            .is_some_and(|(cf, at)| cf == f && *at == minute)
        {
            return;
        }
        let today = deck.today(now);
        self.all = queue::counts(&deck.cards, &deck.states, &deck.flags, f, &today);
        let plan = deck.plan(f, now);
        self.new = plan.new.len();
        self.learning = plan.learning.len();
        self.due = plan.review.len();
        self.session = plan.len();
        self.limits = deck.limits_at(now);
        let wide = Filter {
            roles: Vec::new(),
            trials: Vec::new(),
            ..f.clone()
        };
        (self.by_role, self.by_entry) =
            queue::breakdown(&deck.cards, &deck.states, &deck.flags, &wide, &today);
        self.counted = Some((f.clone(), minute));
    }
}

/// A row of the builder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuilderRow {
    Start,
    Due,
    New,
    Missed,
    Facts,
    OngoingFacts,
    Shuffle,
    Count,
    Role(Role),
    Trial(String),
}

impl Builder {
    pub fn new(deck: &Deck, filter: Filter, now: SystemTime) -> Builder {
        let mut trials: Vec<String> = Vec::new();
        for c in &deck.cards {
            if trials.last() != Some(&c.entry) && !trials.contains(&c.entry) {
                trials.push(c.entry.clone());
            }
        }
        let mut tally = Tally::default();
        tally.update(deck, &filter, now);
        Builder {
            filter,
            row: 0,
            trials,
            tally,
        }
    }

    pub fn rows(&self) -> Vec<BuilderRow> {
        let mut rows = vec![
            BuilderRow::Start,
            BuilderRow::Due,
            BuilderRow::New,
            BuilderRow::Missed,
            BuilderRow::Facts,
            BuilderRow::OngoingFacts,
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
            Some(BuilderRow::OngoingFacts) => f.ongoing_facts = !f.ongoing_facts,
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

/// Whether a grade is in the history.
#[derive(Debug, Clone, PartialEq)]
pub enum Saved {
    /// Sent to the store; its answer has not come yet.
    Pending,
    /// Recorded, with the review's log id.
    Yes(i64),
    /// The store could not record it (the reason was shown); it can be sent again.
    No,
    /// A practice run: never sent.
    Practice,
}

/// The card on screen and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown {
    pub card: usize,
    /// When it was due, if it came from the learning cards (it goes back there on undo).
    pub learning_due: Option<i64>,
}

/// A grade of this session: what undo needs to put back, and where the grade stands.
#[derive(Debug, Clone)]
struct Graded {
    at: usize,
    shown: Shown,
    before: Option<CardState>,
    before_flags: CardFlags,
    /// Matches the store's answer to this grade (set when it is sent).
    token: Option<u64>,
    saved: Saved,
    /// What was sent (sent again by a retry).
    record: NewReview,
    /// The store's answer, when it came (undo takes it out of the day's counts).
    recorded: Option<Recorded>,
    /// The learning due time the card was put back with, if it was.
    requeued: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Session {
    /// The card on screen (`None`: finished, or waiting for the store's answer).
    pub current: Option<Shown>,
    /// Cards still to come, in order (reviews, then new cards).
    pub main: VecDeque<usize>,
    /// Cards on a learning step, with the time each is due.
    pub learning: Vec<(usize, i64)>,
    /// How many cards were shown before the one on screen (0 for the first).
    pub at: usize,
    pub face: Face,
    /// Key points ticked (bit i for point i).
    pub ticked: u64,
    /// The grade the ticks suggest, shown for confirmation (Space or Enter again takes it).
    pub confirm: Option<Grade>,
    /// When the current card was shown (for the review's duration).
    pub shown_at: SystemTime,
    pub started: SystemTime,
    /// The grades of this session, in order (see [`Session::saved_reviews`]).
    pub reviews: Vec<SessionReview>,
    graded: Vec<Graded>,
    /// Undos sent to the store, awaiting its answer: (review id, card).
    undoing: Vec<(i64, usize)>,
    /// Grades undone before the store answered: (token, card); undone when it does.
    cancelled: Vec<(u64, usize)>,
    pub skipped: usize,
    /// Lines of the answer scrolled (PgDn/PgUp) when it does not fit.
    pub scroll: usize,
    /// The filter the session was built from (for "drill what I missed").
    pub filter: Filter,
    /// A practice run: nothing is sent to the history, the schedule is not touched.
    pub practice: bool,
    /// How far ahead a learning card is shown when nothing else is left (seconds).
    pub learn_ahead: i64,
}

impl Session {
    /// A session over these cards, in this order (learning cards among them are shown in
    /// turn, like the rest).
    pub fn new(queue: Vec<usize>, filter: Filter, now: SystemTime) -> Session {
        let mut s = Session {
            current: None,
            main: queue.into(),
            learning: Vec::new(),
            at: 0,
            face: Face::Front { points: 0 },
            ticked: 0,
            confirm: None,
            shown_at: now,
            started: now,
            reviews: Vec::new(),
            graded: Vec::new(),
            undoing: Vec::new(),
            cancelled: Vec::new(),
            skipped: 0,
            scroll: 0,
            filter,
            practice: false,
            learn_ahead: queue::DEFAULT_LEARN_AHEAD,
        };
        s.advance(unix(now), false);
        s
    }

    /// A session from a plan.
    pub fn planned(plan: Plan, filter: Filter, learn_ahead: i64, now: SystemTime) -> Session {
        let mut s = Session::new(Vec::new(), filter, now);
        s.main = plan.review.into_iter().chain(plan.new).collect();
        s.learning = plan.learning;
        s.learn_ahead = learn_ahead;
        s.advance(unix(now), false);
        s
    }

    /// A practice run over these cards: grades are kept in the session only.
    pub fn practice(queue: Vec<usize>, filter: Filter, now: SystemTime) -> Session {
        let mut s = Session::new(queue, filter, now);
        s.practice = true;
        s
    }

    /// The deck index of the card on screen.
    pub fn card(&self) -> Option<usize> {
        self.current.map(|c| c.card)
    }

    /// Whether the session is over: no card to show and no grade awaiting the store's answer
    /// (which may put a card back on a learning step).
    pub fn finished(&self) -> bool {
        self.current.is_none() && !self.graded.iter().any(|g| g.saved == Saved::Pending)
    }

    /// Cards still to come, the one on screen first: main cards, then learning ones by time.
    pub fn upcoming(&self) -> Vec<usize> {
        let mut l = self.learning.clone();
        l.sort_by_key(|&(c, at)| (at, c));
        self.card()
            .into_iter()
            .chain(self.main.iter().copied())
            .chain(l.into_iter().map(|(c, _)| c))
            .collect()
    }

    /// New · Learning · Due left in the session, the card on screen included (Anki's
    /// counts).
    pub fn counts(&self, deck: &Deck) -> (usize, usize, usize) {
        let mut new = 0;
        let mut due = 0;
        let mut learning = self.learning.len();
        let mut add = |c: usize, from_learning: bool| {
            if from_learning {
                learning += 1;
            } else if deck.states.get(c).is_some_and(Option::is_none) {
                new += 1;
            } else if deck
                .states
                .get(c)
                .and_then(Option::as_ref)
                .is_some_and(|s| s.phase.in_steps())
            {
                learning += 1;
            } else {
                due += 1;
            }
        };
        if let Some(c) = self.current {
            add(c.card, c.learning_due.is_some());
        }
        for &c in &self.main {
            add(c, false);
        }
        (new, learning, due)
    }

    /// Grades of this session the history does not hold (the store refused them).
    pub fn unsaved(&self) -> usize {
        self.graded.iter().filter(|g| g.saved == Saved::No).count()
    }

    /// The grades the history holds (or, in a practice run, every grade): what the summary
    /// counts.
    pub fn saved_reviews(&self) -> Vec<SessionReview> {
        self.graded
            .iter()
            .zip(&self.reviews)
            .filter(|(g, _)| matches!(g.saved, Saved::Yes(_) | Saved::Practice))
            .map(|(_, r)| r.clone())
            .collect()
    }

    /// The learning cards that wait beyond the learn-ahead limit: (card, due).
    pub fn waiting(&self) -> &[(usize, i64)] {
        &self.learning
    }

    /// Show the next card: a learning card whose step is due, else the next main card, else
    /// (nothing else left) a learning card due within the learn-ahead limit.
    fn advance(&mut self, now: i64, counted: bool) {
        if counted {
            self.at += 1;
        }
        self.face = Face::Front { points: 0 };
        self.ticked = 0;
        self.confirm = None;
        self.scroll = 0;
        let earliest = |l: &[(usize, i64)]| {
            l.iter()
                .enumerate()
                .min_by_key(|(_, (c, at))| (*at, *c))
                .map(|(i, (_, at))| (i, *at))
        };
        let take_learning = |s: &mut Session, i: usize| {
            let (card, due) = s.learning.remove(i);
            s.current = Some(Shown {
                card,
                learning_due: Some(due),
            });
        };
        match earliest(&self.learning) {
            Some((i, at)) if at <= now => take_learning(self, i),
            _ => match self.main.pop_front() {
                Some(card) => {
                    self.current = Some(Shown {
                        card,
                        learning_due: None,
                    })
                }
                None => match earliest(&self.learning) {
                    Some((i, at)) if at <= now + self.learn_ahead => take_learning(self, i),
                    _ => self.current = None,
                },
            },
        }
    }

    /// Put the card on screen back where it came from (before showing another).
    fn put_back(&mut self) {
        if let Some(c) = self.current.take() {
            match c.learning_due {
                Some(due) => self.learning.push((c.card, due)),
                None => self.main.push_front(c.card),
            }
        }
    }

    /// Tag the newest grade with the token its record was sent under.
    pub(super) fn sent(&mut self, token: u64) {
        if let Some(g) = self
            .graded
            .iter_mut()
            .rev()
            .find(|g| g.token.is_none() && g.saved == Saved::Pending)
        {
            g.token = Some(token);
        }
    }

    /// The store's answer to grade `token`. Returns a message to show, and what to do next:
    /// take back a review at once (its grade was undone before the answer came), or send the
    /// next unsaved grade again (a retry goes one grade at a time).
    pub(super) fn recorded(
        &mut self,
        deck: &mut Deck,
        token: u64,
        result: Result<Recorded, String>,
        now: SystemTime,
    ) -> (Option<String>, QuizOut) {
        if let Some(i) = self.cancelled.iter().position(|(t, _)| *t == token) {
            let (_, card) = self.cancelled.remove(i);
            return match result {
                Ok(rec) => {
                    self.undoing.push((rec.review_id, card));
                    (None, QuizOut::Undo(rec.review_id))
                }
                Err(_) => (None, QuizOut::None),
            };
        }
        let Some(gi) = self.graded.iter().position(|g| g.token == Some(token)) else {
            return (None, QuizOut::None);
        };
        let retrying = self.graded[gi].saved == Saved::No;
        let card = self.graded[gi].shown.card;
        let mut message = None;
        match result {
            Ok(rec) => {
                let g = &mut self.graded[gi];
                g.saved = Saved::Yes(rec.review_id);
                g.recorded = Some(rec);
                deck.states[card] = Some(rec.state);
                deck.count(&rec, g.record.at, false);
                if rec.leech {
                    deck.flags[card].leech = true;
                    deck.flags[card].suspended = true;
                    message = Some(format!(
                        "leech: this card has lapsed {} times, so it is tagged and suspended \
                         (the card browser unsuspends it)",
                        rec.state.lapses
                    ));
                } else if !retrying && !self.practice {
                    // On a learning step due today: back in this session when it is due.
                    let today = deck.today(now);
                    if rec.state.phase.in_steps() && today.day_of(rec.state.due) <= today.day {
                        self.learning.push((card, rec.state.due));
                        self.graded[gi].requeued = Some(rec.state.due);
                    }
                }
                if self.current.is_none() {
                    self.advance(unix(now), false);
                }
                if retrying {
                    let left = self.unsaved();
                    message = Some(if left == 0 {
                        "every grade is saved now".into()
                    } else {
                        format!("saved; {left} still to go")
                    });
                    return (message, self.retry_next());
                }
            }
            Err(e) => {
                let g = &mut self.graded[gi];
                g.saved = Saved::No;
                if !retrying {
                    deck.states[card] = g.before;
                }
                message = Some(format!(
                    "this grade was NOT saved: {e} ({} unsaved; r tries again)",
                    self.unsaved()
                ));
                if self.current.is_none() {
                    self.advance(unix(now), false);
                }
            }
        }
        (message, QuizOut::None)
    }

    /// Send the oldest unsaved grade again.
    fn retry_next(&mut self) -> QuizOut {
        match self.graded.iter_mut().find(|g| g.saved == Saved::No) {
            Some(g) => {
                // A new token: the answer finds this grade by it.
                g.token = None;
                QuizOut::Retry(g.record.clone())
            }
            None => QuizOut::None,
        }
    }

    /// Tag the grade being retried with its new token.
    pub(super) fn sent_retry(&mut self, token: u64) {
        if let Some(g) = self
            .graded
            .iter_mut()
            .find(|g| g.saved == Saved::No && g.token.is_none())
        {
            g.token = Some(token);
        }
    }

    /// The store's answer to an undo.
    pub(super) fn undone(
        &mut self,
        deck: &mut Deck,
        review_id: i64,
        result: Result<Option<CardState>, String>,
    ) -> Option<String> {
        let i = self.undoing.iter().position(|(id, _)| *id == review_id)?;
        let (_, card) = self.undoing.remove(i);
        match result {
            Ok(state) => {
                deck.states[card] = state;
                Some("undone: the last grade is taken back".into())
            }
            Err(e) => Some(format!("could not undo in the history: {e}")),
        }
    }
}

/// Nothing to study now: when the next cards come, and what can be done meanwhile.
#[derive(Debug, Clone)]
pub struct Idle {
    pub filter: Filter,
    /// Cards of the choice due on the next day any is due: (when, how many).
    pub next: Option<(i64, usize)>,
    /// Learning cards waiting beyond the learn-ahead limit: the earliest due time.
    pub learning_at: Option<i64>,
    /// New cards in the choice, and how many of them today's limit still allows.
    pub new_available: usize,
    pub new_left: usize,
}

impl Deck {
    /// The next day after today on which reviewed cards of `filter` are due, over the whole
    /// deck (not one session's cards): the earliest due time that day, and how many are due
    /// that day. Learning cards due today are not counted (they come back today). What the
    /// "nothing is due" screen and a session's summary both say.
    pub fn next_due_day(&self, filter: &Filter, now: SystemTime) -> Option<(i64, usize)> {
        let today = self.today(now);
        let mut next: Option<(i64, i64, usize)> = None;
        for (i, c) in self.cards.iter().enumerate() {
            let Some(s) = &self.states[i] else { continue };
            let day = today.day_of(s.due);
            if day <= today.day || !filter.admits(c) || self.flags[i].hidden(today.now) {
                continue;
            }
            next = match next {
                Some((d, _, _)) if day > d => next,
                Some((d, at, n)) if day == d => Some((d, at.min(s.due), n + 1)),
                _ => Some((day, s.due, 1)),
            };
        }
        next.map(|(_, at, n)| (at, n))
    }
}

impl Idle {
    fn new(deck: &Deck, filter: Filter, now: SystemTime) -> Idle {
        let today = deck.today(now);
        let mut learning_at: Option<i64> = None;
        let mut new_available = 0;
        for (i, c) in deck.cards.iter().enumerate() {
            if !filter.admits(c) || deck.flags[i].hidden(today.now) {
                continue;
            }
            match &deck.states[i] {
                None => new_available += 1,
                Some(s) if s.phase.in_steps() && today.day_of(s.due) <= today.day => {
                    learning_at = Some(learning_at.map_or(s.due, |a| a.min(s.due)));
                }
                Some(_) => {}
            }
        }
        let next = deck.next_due_day(&filter, now);
        Idle {
            filter,
            next,
            learning_at,
            new_available,
            new_left: deck.limits_at(now).new_left().min(new_available),
        }
    }
}

/// The quiz screen: building, in a session, nothing to study, or summarising a session.
#[derive(Debug, Clone)]
pub enum Quiz {
    Building(Builder),
    Running(Session),
    Idle(Idle),
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
    /// Record this grade (the app sends it with a token: [`Session::sent`]).
    Record(NewReview),
    /// Record an unsaved grade again (tagged with [`Session::sent_retry`]).
    Retry(NewReview),
    /// Take back this review of the history.
    Undo(i64),
    /// Suspend or bury this card.
    Card(CardOp, usize),
    /// Open this entry in the browser (the quiz waits).
    OpenEntry(usize),
    /// Leave quiz mode.
    Leave,
}

impl Quiz {
    /// A session straight from a filter (the command line); nothing to study says so.
    pub fn start(deck: &Deck, filter: Filter, now: SystemTime) -> Quiz {
        let plan = deck.plan(&filter, now);
        if plan.is_empty() {
            return Quiz::Idle(Idle::new(deck, filter, now));
        }
        Quiz::Running(Session::planned(plan, filter, deck.limits.learn_ahead, now))
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

    /// A practice run of a choice: cards that were reviewed, soonest due first (else new
    /// ones in teaching order), at most `count` (20 by default). The schedule is not touched.
    fn practice(deck: &Deck, filter: &Filter, now: SystemTime) -> Option<Session> {
        let mut seen: Vec<(i64, usize)> = Vec::new();
        let mut new = Vec::new();
        for &i in &deck.order {
            if !deck.cards.get(i).is_some_and(|c| filter.admits(c)) || deck.flags[i].suspended {
                continue;
            }
            match &deck.states[i] {
                Some(s) => seen.push((s.due, i)),
                None => new.push(i),
            }
        }
        seen.sort();
        let n = filter.count.unwrap_or(20);
        let mut q: Vec<usize> = seen.into_iter().map(|(_, i)| i).collect();
        q.extend(queue::interleave(&deck.cards, new));
        q.truncate(n);
        (!q.is_empty()).then(|| Session::practice(q, filter.clone(), now))
    }

    pub fn update(
        &mut self,
        deck: &mut Deck,
        lib: &Library,
        action: Action,
        now: SystemTime,
    ) -> QuizOut {
        let out = self.update_inner(deck, lib, action, now);
        self.settle(deck);
        if let Quiz::Building(b) = self {
            b.tally.update(deck, &b.filter, now);
        }
        out
    }

    fn update_inner(
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
                    Action::Practice => return self.start_practice(deck, now),
                    Action::Open => {
                        if b.rows().get(b.row) != Some(&BuilderRow::Start) {
                            b.toggle(1);
                            return QuizOut::None;
                        }
                        let mut f = b.filter.clone();
                        if let Some(seed) = f.shuffle.as_mut() {
                            *seed = unix(now) as u64;
                        }
                        if queue::counts(
                            &deck.cards,
                            &deck.states,
                            &deck.flags,
                            &f,
                            &deck.today(now),
                        )
                        .total
                            == 0
                        {
                            return QuizOut::Message(
                                "no cards match: widen the choice (roles, trials, new/due)".into(),
                            );
                        }
                        *self = Quiz::start(deck, f, now);
                    }
                    Action::Back => return QuizOut::Leave,
                    _ => {}
                }
                QuizOut::None
            }
            Quiz::Running(s) => session_update(s, deck, lib, action, now),
            Quiz::Idle(idle) => match action {
                Action::Open | Action::Reveal => {
                    if idle.new_left == 0 {
                        return QuizOut::Message(if idle.new_available == 0 {
                            "no new cards in this choice; a practice run reviews cards early \
                             without touching the schedule"
                                .into()
                        } else {
                            format!(
                                "today's {} new cards are done; raise the limit with \
                                 `trialdeck config set new_per_day N` or --new-per-day",
                                deck.limits.new_per_day
                            )
                        });
                    }
                    let f = Filter {
                        new: true,
                        due: false,
                        missed: false,
                        ..idle.filter.clone()
                    };
                    *self = Quiz::start(deck, f, now);
                    QuizOut::None
                }
                Action::Practice => self.start_practice(deck, now),
                Action::OpenQuiz => {
                    *self = Quiz::Building(Builder::new(deck, idle.filter.clone(), now));
                    QuizOut::None
                }
                Action::Back => QuizOut::Leave,
                _ => QuizOut::None,
            },
            Quiz::Done {
                summary,
                filter,
                session,
            } => match action {
                Action::Undo => {
                    let mut s = (**session).clone();
                    if s.graded.is_empty() {
                        return QuizOut::Message("nothing to undo".into());
                    }
                    let out = undo(&mut s, deck, now);
                    *self = Quiz::Running(s);
                    out
                }
                Action::Retry => {
                    let out = session.retry_next();
                    if matches!(out, QuizOut::None) {
                        return QuizOut::Message("every grade is saved".into());
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
                    let mut s = Session::new(missed, filter.clone(), now);
                    s.practice = session.practice;
                    *self = Quiz::Running(s);
                    QuizOut::None
                }
                Action::Practice => {
                    let f = filter.clone();
                    match Quiz::practice(deck, &f, now) {
                        Some(s) => {
                            *self = Quiz::Running(s);
                            QuizOut::None
                        }
                        None => QuizOut::Message("no cards to practise in this choice".into()),
                    }
                }
                Action::Open | Action::OpenQuiz => {
                    *self = Quiz::Building(Builder::new(deck, filter.clone(), now));
                    QuizOut::None
                }
                Action::Back => QuizOut::Leave,
                _ => QuizOut::None,
            },
        }
    }

    fn start_practice(&mut self, deck: &Deck, now: SystemTime) -> QuizOut {
        let filter = match self {
            Quiz::Building(b) => b.filter.clone(),
            Quiz::Idle(i) => i.filter.clone(),
            _ => return QuizOut::None,
        };
        match Quiz::practice(deck, &filter, now) {
            Some(s) => {
                *self = Quiz::Running(s);
                QuizOut::Message(
                    "practice run: grades here do not touch the schedule or the history".into(),
                )
            }
            None => QuizOut::Message("no cards to practise in this choice".into()),
        }
    }

    /// A session with nothing left becomes its summary.
    fn settle(&mut self, deck: &Deck) {
        if let Quiz::Running(s) = self
            && s.finished()
        {
            let summary = summarize(deck, s);
            let filter = s.filter.clone();
            let session = Box::new(s.clone());
            *self = Quiz::Done {
                summary: Box::new(summary),
                filter,
                session,
            };
        }
    }
}

/// The summary of a session (its saved grades), from the deck's states now.
fn summarize(deck: &Deck, s: &Session) -> SessionSummary {
    stats::summarize(&deck.cards, &deck.index, &s.saved_reviews(), &deck.names)
}

impl Quiz {
    /// The session running, or the one just summarised.
    pub fn session(&self) -> Option<&Session> {
        match self {
            Quiz::Running(s) => Some(s),
            Quiz::Done { session, .. } => Some(session),
            Quiz::Building(_) | Quiz::Idle(_) => None,
        }
    }

    fn session_mut(&mut self) -> Option<&mut Session> {
        match self {
            Quiz::Running(s) => Some(s),
            Quiz::Done { session, .. } => Some(session),
            Quiz::Building(_) | Quiz::Idle(_) => None,
        }
    }

    /// The store's answer to grade `token` (see [`Session::recorded`]); a summary on screen
    /// is brought up to date with it.
    pub(super) fn recorded(
        &mut self,
        deck: &mut Deck,
        token: u64,
        result: Result<Recorded, String>,
        now: SystemTime,
    ) -> (Option<String>, QuizOut) {
        let Some(s) = self.session_mut() else {
            return (None, QuizOut::None);
        };
        let out = s.recorded(deck, token, result, now);
        // A card put back on a learning step reopens a summary that came too early.
        if let Quiz::Done { session, .. } = self
            && session.current.is_some()
        {
            *self = Quiz::Running((**session).clone());
        }
        self.settle(deck);
        if let Quiz::Done {
            summary, session, ..
        } = self
        {
            **summary = summarize(deck, session);
        }
        out
    }

    /// The store's answer to an undo (see [`Session::undone`]).
    pub(super) fn undone(
        &mut self,
        deck: &mut Deck,
        review_id: i64,
        result: Result<Option<CardState>, String>,
    ) -> Option<String> {
        self.session_mut()?.undone(deck, review_id, result)
    }

    /// The store's answer to suspending or burying a card from the session.
    pub(super) fn card_changed(&mut self, deck: &Deck, now: SystemTime) {
        if let Quiz::Running(s) = self {
            let now = unix(now);
            s.learning.retain(|(c, _)| !deck.flags[*c].hidden(now));
            s.main.retain(|c| !deck.flags[*c].hidden(now));
        }
    }

    /// Tag the newest grade with the token its record was sent under.
    pub(super) fn sent(&mut self, token: u64, retry: bool) {
        if let Some(s) = self.session_mut() {
            if retry {
                s.sent_retry(token);
            } else {
                s.sent(token);
            }
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
    if action == Action::Retry {
        let out = s.retry_next();
        if matches!(out, QuizOut::None) {
            return QuizOut::Message("every grade is saved".into());
        }
        return out;
    }
    if action == Action::Back {
        // Leaving mid-session shows the summary of what was graded so far.
        // Cards on a learning step stay there (the summary says when they come back).
        s.put_back();
        s.main.clear();
        return QuizOut::None;
    }
    let Some(card) = s.card() else {
        // Waiting: a learning card is due later, or the store has not answered yet.
        if let Some((i, _)) = s
            .learning
            .iter()
            .enumerate()
            .min_by_key(|(_, (c, at))| (*at, *c))
            && (action == Action::Reveal || action == Action::Open)
        {
            // Show it early: the learner asked.
            let (card, due) = s.learning.remove(i);
            s.current = Some(Shown {
                card,
                learning_due: Some(due),
            });
        }
        return QuizOut::None;
    };
    let text = Quiz::text(deck, lib, card);
    let points = text.as_ref().map_or(0, |t| t.key_points.len());
    match (s.face, action.clone()) {
        (Face::Front { .. }, Action::Reveal | Action::Open) => {
            s.face = Face::Back;
            s.scroll = 0;
        }
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
                s.confirm = None;
            }
        }
        (Face::Back, Action::Open | Action::Reveal) => {
            // Anki's habit: Space and Enter grade Good. Ticks that suggest another grade
            // are shown first and taken only on a second press: never applied silently.
            let suggested = Quiz::suggested(deck, lib, s);
            let g = match s.confirm {
                Some(g) => g,
                None if s.ticked == 0 || suggested == Grade::Good => Grade::Good,
                None => {
                    s.confirm = Some(suggested);
                    return QuizOut::None;
                }
            };
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
            s.shown_at = now;
            s.advance(unix(now), true);
        }
        (_, Action::Bury | Action::SuspendCard) if !s.practice => {
            let op = if action == Action::Bury {
                CardOp::Bury {
                    until: deck.today(now).end(),
                }
            } else {
                CardOp::Suspend
            };
            s.skipped += 1;
            s.shown_at = now;
            s.advance(unix(now), true);
            return QuizOut::Card(op, card);
        }
        (_, Action::OpenEntry) => return QuizOut::OpenEntry(deck.cards[card].entry_index),
        _ => {}
    }
    QuizOut::None
}

/// Take back the session's last grade: the card shown again, its state as it was, and the
/// review taken back from the history (exactly that review: by its log id).
fn undo(s: &mut Session, deck: &mut Deck, now: SystemTime) -> QuizOut {
    let Some(last) = s.graded.pop() else {
        return QuizOut::Message("nothing to undo".into());
    };
    s.reviews.pop();
    let card = last.shown.card;
    deck.states[card] = last.before;
    deck.flags[card] = last.before_flags;
    if let Some(rec) = &last.recorded {
        deck.count(rec, last.record.at, true);
    }
    if let Some(due) = last.requeued
        && let Some(i) = s
            .learning
            .iter()
            .position(|&(c, at)| c == card && at == due)
    {
        s.learning.remove(i);
    }
    s.put_back();
    s.current = Some(last.shown);
    s.at = last.at;
    s.face = Face::Back;
    s.ticked = 0;
    s.confirm = None;
    s.scroll = 0;
    s.shown_at = now;
    match (last.saved, last.token) {
        (Saved::Yes(id), _) => {
            s.undoing.push((id, card));
            QuizOut::Undo(id)
        }
        (Saved::Pending, Some(token)) => {
            s.cancelled.push((token, card));
            QuizOut::Message("undone: the last grade is taken back".into())
        }
        (Saved::Practice, _) => QuizOut::Message("undone (a practice grade)".into()),
        (Saved::Pending, None) | (Saved::No, _) => {
            QuizOut::Message("undone (that grade was not in the history)".into())
        }
    }
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
    let rec = NewReview {
        card: deck.cards[card].id.clone(),
        at: t,
        grade: g,
        points: s.ticked,
        points_total,
        duration_ms,
    };
    let shown = s.current.unwrap_or(Shown {
        card,
        learning_due: None,
    });
    s.graded.push(Graded {
        at: s.at,
        shown,
        before,
        before_flags: deck.flags[card],
        token: None,
        saved: if s.practice {
            Saved::Practice
        } else {
            Saved::Pending
        },
        record: rec.clone(),
        recorded: None,
        requeued: None,
    });
    s.reviews.push(review);
    s.current = None;
    s.shown_at = now;
    if s.practice {
        // A practice run keeps its misses to the end of the run.
        if g == Grade::Again {
            s.main.push_back(card);
        }
        s.advance(t, true);
        return QuizOut::None;
    }
    s.advance(t, true);
    QuizOut::Record(rec)
}
