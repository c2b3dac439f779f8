//! Building a session from filters, the cards, their states and flags, the daily limits and
//! the time: a [`Plan`] of learning cards (due by the minute), review cards due today (by the
//! day, as Anki counts them) and new cards in teaching order, with fact cards interleaved
//! among the questions.
//!
//! States are passed aligned with the cards (`states[i]` is the state of `cards[i]`, `None`
//! for a card never reviewed): [`CardIndex`] maps ids to positions once, and the store fills
//! the aligned vector directly ([`crate::review::store::Store::states_aligned`]). A state whose
//! card is no longer in the pack has no position, so it is ignored.

use super::cards::Card;
use super::fsrs::{CardState, DAY, Grade, Scheduler};
use super::store::{CardFlags, DayCounts};
use crate::content::Role;
use serde::Serialize;
use std::collections::BTreeMap;

/// Which cards a session draws from. Empty lists mean "any".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    pub roles: Vec<Role>,
    /// Entry ids (trials or topics).
    pub trials: Vec<String>,
    /// Topic entry ids or tags (`fact` selects fact cards).
    pub topics: Vec<String>,
    /// Cards whose review is due (learning cards included).
    pub due: bool,
    /// Cards never reviewed.
    pub new: bool,
    /// Cards whose last grade was Again.
    pub missed: bool,
    /// Leave fact cards out.
    pub no_facts: bool,
    /// Fact cards of trials still ongoing in the sources (left out unless asked for).
    pub ongoing_facts: bool,
    /// At most this many cards.
    pub count: Option<usize>,
    /// Shuffle with this seed (`None`: learning, then due by urgency, then new in teaching
    /// order).
    pub shuffle: Option<u64>,
}

impl Filter {
    /// Whether a card passes the role, trial, topic and fact filters (not due/new/missed).
    pub fn admits(&self, c: &Card) -> bool {
        (self.roles.is_empty() || self.roles.contains(&c.role))
            && (self.trials.is_empty() || self.trials.iter().any(|t| t == &c.entry))
            && (self.topics.is_empty()
                || self
                    .topics
                    .iter()
                    .any(|t| t == &c.entry || c.has_tag(t.trim_start_matches('#'))))
            && !(self.no_facts && c.is_fact())
            && !(c.is_fact() && c.ongoing && !self.ongoing_facts)
    }
}

/// The daily limits, what the learner has done today, and how far ahead learning cards may
/// be shown when nothing else is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub new_per_day: u32,
    pub reviews_per_day: u32,
    /// Seconds: a learning card due within this is shown when nothing else is left (Anki's
    /// learn-ahead limit).
    pub learn_ahead: i64,
    pub done: DayCounts,
}

/// Anki's defaults: 20 new cards and 200 reviews a day, learning 20 minutes ahead.
pub const DEFAULT_NEW_PER_DAY: u32 = 20;
pub const DEFAULT_REVIEWS_PER_DAY: u32 = 200;
pub const DEFAULT_LEARN_AHEAD: i64 = 20 * 60;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            new_per_day: DEFAULT_NEW_PER_DAY,
            reviews_per_day: DEFAULT_REVIEWS_PER_DAY,
            learn_ahead: DEFAULT_LEARN_AHEAD,
            done: DayCounts::default(),
        }
    }
}

impl Limits {
    /// New cards still allowed today.
    pub fn new_left(&self) -> usize {
        self.new_per_day.saturating_sub(self.done.new) as usize
    }
    /// Reviews still allowed today.
    pub fn reviews_left(&self) -> usize {
        self.reviews_per_day.saturating_sub(self.done.reviews) as usize
    }
}

/// "Now" as sessions count it: the time and the calendar day it falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Today {
    pub now: i64,
    pub day: i64,
    /// Where the scheduler's days start (see [`Scheduler::day_offset`]).
    pub offset: i64,
}

impl Today {
    pub fn new(sched: &Scheduler, now: i64) -> Today {
        Today {
            now,
            day: sched.day(now),
            offset: sched.day_offset,
        }
    }
    /// The calendar day of a time.
    pub fn day_of(&self, t: i64) -> i64 {
        (t + self.offset).div_euclid(DAY)
    }
    /// When today ends (tomorrow starts).
    pub fn end(&self) -> i64 {
        (self.day + 1) * DAY - self.offset
    }
    /// When today started.
    pub fn start(&self) -> i64 {
        self.day * DAY - self.offset
    }
}

/// Where a card stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Standing {
    /// Never reviewed.
    New,
    /// In the learning or relearning steps, due today.
    Learning,
    /// A review card due today (or overdue).
    Due,
    /// Reviewed and not due today.
    Scheduled,
    /// Suspended or buried.
    Hidden,
}

pub fn standing(state: Option<&CardState>, flags: CardFlags, today: &Today) -> Standing {
    if flags.hidden(today.now) {
        return Standing::Hidden;
    }
    match state {
        None => Standing::New,
        Some(s) if today.day_of(s.due) > today.day => Standing::Scheduled,
        Some(s) if s.phase.in_steps() => Standing::Learning,
        Some(_) => Standing::Due,
    }
}

/// How many cards a choice holds, for the session builder (before the daily limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    /// Review cards due today.
    pub due: usize,
    /// Cards in the learning steps, due today.
    pub learning: usize,
    pub new: usize,
    pub missed: usize,
    /// Suspended or buried.
    pub hidden: usize,
    pub total: usize,
}

impl Counts {
    fn add(&mut self, st: Option<&CardState>, flags: CardFlags, today: &Today) {
        self.total += 1;
        match standing(st, flags, today) {
            Standing::Due => self.due += 1,
            Standing::Learning => self.learning += 1,
            Standing::New => self.new += 1,
            Standing::Hidden => self.hidden += 1,
            Standing::Scheduled => {}
        }
        if st.is_some_and(|s| s.last_grade == Grade::Again) {
            self.missed += 1;
        }
    }
}

fn flag(flags: &[CardFlags], i: usize) -> CardFlags {
    flags.get(i).copied().unwrap_or_default()
}

/// Counts for the cards a filter admits (its due/new/missed flags and count ignored).
pub fn counts(
    cards: &[Card],
    states: &[Option<CardState>],
    flags: &[CardFlags],
    filter: &Filter,
    today: &Today,
) -> Counts {
    let mut c = Counts::default();
    for (i, (card, st)) in cards.iter().zip(states).enumerate() {
        if filter.admits(card) {
            c.add(st.as_ref(), flag(flags, i), today);
        }
    }
    c
}

/// Counts per role and per entry, for the builder's choices.
pub fn breakdown(
    cards: &[Card],
    states: &[Option<CardState>],
    flags: &[CardFlags],
    filter: &Filter,
    today: &Today,
) -> (BTreeMap<Role, Counts>, BTreeMap<String, Counts>) {
    let mut by_role: BTreeMap<Role, Counts> = BTreeMap::new();
    let mut by_entry: BTreeMap<String, Counts> = BTreeMap::new();
    for (i, (card, st)) in cards.iter().zip(states).enumerate() {
        if !filter.admits(card) {
            continue;
        }
        let st = st.as_ref();
        by_role
            .entry(card.role)
            .or_default()
            .add(st, flag(flags, i), today);
        by_entry
            .entry(card.entry.clone())
            .or_default()
            .add(st, flag(flags, i), today);
    }
    (by_role, by_entry)
}

/// A session's cards: learning cards with the time each is due, review cards due today (most
/// forgotten first, or missed ones), and new cards in the order they are met.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub learning: Vec<(usize, i64)>,
    pub review: Vec<usize>,
    pub new: Vec<usize>,
}

impl Plan {
    pub fn len(&self) -> usize {
        self.learning.len() + self.review.len() + self.new.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// After this many questions, one fact card (while both are left).
pub const QUESTIONS_PER_FACT: usize = 4;

/// Interleave fact cards with questions: `QUESTIONS_PER_FACT` questions, then one fact card,
/// each stream in its own order; what is left of either follows.
pub fn interleave(cards: &[Card], order: impl IntoIterator<Item = usize>) -> Vec<usize> {
    let (mut qs, mut fs) = (Vec::new(), Vec::new());
    for i in order {
        if cards[i].is_fact() {
            fs.push(i);
        } else {
            qs.push(i);
        }
    }
    let mut out = Vec::with_capacity(qs.len() + fs.len());
    let mut fs = fs.into_iter();
    for (n, q) in qs.into_iter().enumerate() {
        out.push(q);
        if (n + 1) % QUESTIONS_PER_FACT == 0
            && let Some(f) = fs.next()
        {
            out.push(f);
        }
    }
    out.extend(fs);
    out
}

/// Build a session's plan.
///
/// With none of `due`/`new`/`missed` set, a session takes the learning cards due today, the
/// review cards due today (up to the day's review limit) and new cards (up to the day's new
/// limit). New cards come in `order` (see [`super::cards::teaching_order`]) with fact cards
/// interleaved; `count` cuts learning, then reviews, then new cards. A shuffle shuffles the
/// reviews and the new cards.
#[allow(clippy::too_many_arguments)]
pub fn plan(
    cards: &[Card],
    states: &[Option<CardState>],
    flags: &[CardFlags],
    order: &[usize],
    filter: &Filter,
    limits: &Limits,
    today: &Today,
) -> Plan {
    let any_flag = filter.due || filter.new || filter.missed;
    let (want_due, want_new, want_missed) = if any_flag {
        (filter.due, filter.new, filter.missed)
    } else {
        (true, true, false)
    };
    let mut learning: Vec<(usize, i64)> = Vec::new();
    let mut due: Vec<(f64, usize)> = Vec::new();
    let mut missed: Vec<usize> = Vec::new();
    let mut is_new = vec![false; cards.len()];
    for (i, (card, st)) in cards.iter().zip(states).enumerate() {
        if !filter.admits(card) {
            continue;
        }
        let st = st.as_ref();
        let was_missed = st.is_some_and(|s| s.last_grade == Grade::Again);
        match standing(st, flag(flags, i), today) {
            Standing::Learning if want_due || (want_missed && was_missed) => {
                learning.push((i, st.map_or(today.now, |s| s.due)));
            }
            Standing::Due if want_due || (want_missed && was_missed) => {
                let r = st.map_or(0.0, |s| Scheduler::retrievability_at(s, today.now));
                due.push((r, i));
            }
            Standing::Scheduled if want_missed && was_missed => missed.push(i),
            Standing::New if want_new => is_new[i] = true,
            _ => {}
        }
    }
    learning.sort_by_key(|&(i, at)| (at, i));
    due.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut review: Vec<usize> = due.into_iter().map(|(_, i)| i).collect();
    review.truncate(limits.reviews_left());
    review.extend(missed);
    let mut new: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| is_new.get(i).copied().unwrap_or(false))
        .collect();
    // Cards the order does not hold (a caller without one) come after, in pack order.
    if new.len() < is_new.iter().filter(|x| **x).count() {
        let seen: std::collections::HashSet<usize> = new.iter().copied().collect();
        new.extend((0..cards.len()).filter(|i| is_new[*i] && !seen.contains(i)));
    }
    let mut new = interleave(cards, new);
    new.truncate(limits.new_left());
    if let Some(seed) = filter.shuffle {
        shuffle(&mut review, seed);
        shuffle(&mut new, seed.rotate_left(17));
    }
    if let Some(n) = filter.count {
        learning.truncate(n);
        review.truncate(n - learning.len());
        new.truncate(n - learning.len() - review.len());
    }
    Plan {
        learning,
        review,
        new,
    }
}

/// Build a session as a plain list (learning, then reviews, then new cards): see [`plan`].
pub fn build(
    cards: &[Card],
    states: &[Option<CardState>],
    filter: &Filter,
    today: &Today,
) -> Vec<usize> {
    let order: Vec<usize> = (0..cards.len()).collect();
    let limits = Limits {
        new_per_day: u32::MAX,
        reviews_per_day: u32::MAX,
        ..Limits::default()
    };
    let p = plan(cards, states, &[], &order, filter, &limits, today);
    p.learning
        .into_iter()
        .map(|(i, _)| i)
        .chain(p.review)
        .chain(p.new)
        .collect()
}

/// Fisher–Yates with a small xorshift: the same seed gives the same order.
pub fn shuffle<T>(xs: &mut [T], seed: u64) {
    let mut s = seed ^ 0x9E37_79B9_7F4A_7C15 | 1;
    let mut next = || {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        s.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    for i in (1..xs.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        xs.swap(i, j);
    }
}
