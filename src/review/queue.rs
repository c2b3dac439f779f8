//! Building a session's queue from filters, the cards and their states, at `now`.
//!
//! States are passed aligned with the cards (`states[i]` is the state of `cards[i]`, `None`
//! for a card never reviewed): [`CardIndex`] maps ids to positions once, and the store fills
//! the aligned vector directly ([`crate::review::store::Store::states_aligned`]). A state whose
//! card is no longer in the pack has no position, so it is ignored.

use super::cards::Card;
use super::fsrs::{CardState, Grade, Scheduler};
use crate::content::Role;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Card id → position in the card list, built once per card list.
#[derive(Debug, Clone, Default)]
pub struct CardIndex {
    map: HashMap<String, usize>,
    len: usize,
}

impl CardIndex {
    pub fn new(cards: &[Card]) -> CardIndex {
        CardIndex {
            map: cards
                .iter()
                .enumerate()
                .map(|(i, c)| (c.id.0.clone(), i))
                .collect(),
            len: cards.len(),
        }
    }
    pub fn get(&self, id: &str) -> Option<usize> {
        self.map.get(id).copied()
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Align a map of states (card id → state) with the cards.
    pub fn align(&self, states: &HashMap<String, CardState>) -> Vec<Option<CardState>> {
        let mut out = vec![None; self.len];
        for (id, st) in states {
            if let Some(i) = self.get(id) {
                out[i] = Some(*st);
            }
        }
        out
    }
}

/// Which cards a session draws from. Empty lists mean "any".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    pub roles: Vec<Role>,
    /// Entry ids (trials or topics).
    pub trials: Vec<String>,
    /// Topic entry ids or tags (`fact` selects fact cards).
    pub topics: Vec<String>,
    /// Cards whose review is due.
    pub due: bool,
    /// Cards never reviewed.
    pub new: bool,
    /// Cards whose last grade was Again.
    pub missed: bool,
    /// Leave fact cards out.
    pub no_facts: bool,
    /// At most this many cards.
    pub count: Option<usize>,
    /// Shuffle with this seed (`None`: due by urgency, then new in pack order).
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
    }
}

/// Where a card stands at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Standing {
    Due,
    New,
    /// Reviewed and not yet due.
    Scheduled,
}

pub fn standing(state: Option<&CardState>, now: i64) -> Standing {
    match state {
        None => Standing::New,
        Some(s) if s.due <= now => Standing::Due,
        Some(_) => Standing::Scheduled,
    }
}

/// How many cards a choice yields, for the session builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    pub due: usize,
    pub new: usize,
    pub missed: usize,
    pub total: usize,
}

impl Counts {
    fn add(&mut self, st: Option<&CardState>, now: i64) {
        self.total += 1;
        match standing(st, now) {
            Standing::Due => self.due += 1,
            Standing::New => self.new += 1,
            Standing::Scheduled => {}
        }
        if st.is_some_and(|s| s.last_grade == Grade::Again) {
            self.missed += 1;
        }
    }
}

/// Counts for the cards a filter admits (its due/new/missed flags and count ignored).
pub fn counts(cards: &[Card], states: &[Option<CardState>], filter: &Filter, now: i64) -> Counts {
    let mut c = Counts::default();
    for (card, st) in cards.iter().zip(states) {
        if filter.admits(card) {
            c.add(st.as_ref(), now);
        }
    }
    c
}

/// Counts per role and per entry, for the builder's choices.
pub fn breakdown(
    cards: &[Card],
    states: &[Option<CardState>],
    filter: &Filter,
    now: i64,
) -> (BTreeMap<Role, Counts>, BTreeMap<String, Counts>) {
    let mut by_role: BTreeMap<Role, Counts> = BTreeMap::new();
    let mut by_entry: BTreeMap<String, Counts> = BTreeMap::new();
    for (card, st) in cards.iter().zip(states) {
        if !filter.admits(card) {
            continue;
        }
        let st = st.as_ref();
        by_role.entry(card.role).or_default().add(st, now);
        by_entry.entry(card.entry.clone()).or_default().add(st, now);
    }
    (by_role, by_entry)
}

/// Build a session: indices into `cards`, in the order to show them.
///
/// With none of `due`/`new`/`missed` set, a session takes due cards then new ones. Without a
/// shuffle, due cards come most-forgotten first (lowest retrievability at `now`), then missed
/// ones not yet due, then new cards in pack order; `count` cuts the list. With a shuffle, the
/// whole selection is shuffled before the cut.
pub fn build(
    cards: &[Card],
    states: &[Option<CardState>],
    filter: &Filter,
    now: i64,
) -> Vec<usize> {
    let any_flag = filter.due || filter.new || filter.missed;
    let (want_due, want_new, want_missed) = if any_flag {
        (filter.due, filter.new, filter.missed)
    } else {
        (true, true, false)
    };
    let mut due: Vec<(f64, usize)> = Vec::new();
    let mut missed: Vec<usize> = Vec::new();
    let mut new: Vec<usize> = Vec::new();
    for (i, (card, st)) in cards.iter().zip(states).enumerate() {
        if !filter.admits(card) {
            continue;
        }
        let st = st.as_ref();
        let was_missed = st.is_some_and(|s| s.last_grade == Grade::Again);
        match standing(st, now) {
            Standing::Due if want_due || (want_missed && was_missed) => {
                let r = st.map_or(0.0, |s| Scheduler::retrievability_at(s, now));
                due.push((r, i));
            }
            Standing::Scheduled if want_missed && was_missed => missed.push(i),
            Standing::New if want_new => new.push(i),
            _ => {}
        }
    }
    let cmp = |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    // Without a shuffle only the first `count` due cards need to be in order.
    match filter.count {
        Some(n) if filter.shuffle.is_none() && n < due.len() => {
            if n > 0 {
                due.select_nth_unstable_by(n - 1, cmp);
            }
            due.truncate(n);
            due.sort_unstable_by(cmp);
        }
        _ => due.sort_unstable_by(cmp),
    }
    let mut out: Vec<usize> = due.into_iter().map(|(_, i)| i).collect();
    out.extend(missed);
    out.extend(new);
    if let Some(seed) = filter.shuffle {
        shuffle(&mut out, seed);
    }
    if let Some(n) = filter.count {
        out.truncate(n);
    }
    out
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
