//! The card browser's rows: every card with its id, trial, role, state (new, learning,
//! relearning, review, suspended, buried), due date, stability and lapses. `trialdeck cards`
//! prints them and the app's card browser lists them; both filter with [`matches`].

use super::cards::Card;
use super::fsrs::CardState;
use super::queue::Today;
use super::stats::date_string;
use super::store::CardFlags;
use crate::content::Library;
use serde::Serialize;

/// One card as the browser shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CardRow {
    pub id: String,
    pub trial: String,
    pub role: String,
    /// `question` or `fact`.
    pub kind: &'static str,
    /// new, learning, relearning, review, suspended or buried.
    pub state: &'static str,
    /// Tagged as a leech (it lapsed often enough to be suspended).
    pub leech: bool,
    /// When it is due (`YYYY-MM-DD`, or `HH:MM` today for a learning step); empty for new or
    /// suspended cards.
    pub due: String,
    /// Stability in days (empty for a new card).
    pub stability: Option<f64>,
    pub lapses: u32,
    pub reps: u32,
    pub prompt: String,
}

/// The state word of a card.
pub fn state_word(state: Option<&CardState>, flags: CardFlags, now: i64) -> &'static str {
    if flags.suspended {
        "suspended"
    } else if flags.buried(now) {
        "buried"
    } else {
        match state {
            None => "new",
            Some(s) => s.phase.label(),
        }
    }
}

/// The row of card `i`.
pub fn row(
    lib: &Library,
    cards: &[Card],
    states: &[Option<CardState>],
    flags: &[CardFlags],
    i: usize,
    today: &Today,
) -> CardRow {
    let c = &cards[i];
    let st = states.get(i).and_then(Option::as_ref);
    let f = flags.get(i).copied().unwrap_or_default();
    let due = match st {
        _ if f.suspended => String::new(),
        None => String::new(),
        Some(s) if s.phase.in_steps() && today.day_of(s.due) == today.day => {
            let local = s.due + today.offset + super::clock::ROLLOVER_HOURS * 3600;
            let secs = local.rem_euclid(86_400);
            format!("{:02}:{:02}", secs / 3600, secs % 3600 / 60)
        }
        Some(s) => date_string(today.day_of(s.due)),
    };
    CardRow {
        id: c.id.0.clone(),
        trial: lib
            .entries
            .get(c.entry_index)
            .map_or_else(|| c.entry.clone(), |e| e.name.to_string()),
        role: c.role.label().to_string(),
        kind: if c.is_fact() { "fact" } else { "question" },
        state: state_word(st, f, today.now),
        leech: f.leech,
        due,
        stability: st.map(|s| (s.stability * 10.0).round() / 10.0),
        lapses: st.map_or(0, |s| s.lapses),
        reps: st.map_or(0, |s| s.reps),
        prompt: c.text(lib).map(|t| t.prompt).unwrap_or_default(),
    }
}

/// Whether a row matches a filter: every word of `query` is in its id, trial, role, kind,
/// state (or `leech`) or prompt, in any case.
pub fn matches(r: &CardRow, query: &str) -> bool {
    let hay = format!(
        "{} {} {} {} {}{} {}",
        r.id,
        r.trial,
        r.role,
        r.kind,
        r.state,
        if r.leech { " leech" } else { "" },
        r.prompt
    )
    .to_lowercase();
    query
        .split_whitespace()
        .all(|w| hay.contains(&w.to_lowercase()))
}

/// The rows as an aligned table (for `trialdeck cards`), one card a line.
pub fn table(rows: &[CardRow]) -> String {
    let mut out = String::new();
    let w_trial = rows
        .iter()
        .map(|r| r.trial.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let w_role = rows.iter().map(|r| r.role.len()).max().unwrap_or(4).max(4);
    out.push_str(&format!(
        "{:<w_trial$}  {:<w_role$}  {:<8}  {:<16}  {:<10}  {:>9}  {:>6}  ID\n",
        "TRIAL", "ROLE", "KIND", "STATE", "DUE", "STABILITY", "LAPSES"
    ));
    for r in rows {
        let state = if r.leech {
            format!("{} (leech)", r.state)
        } else {
            r.state.to_string()
        };
        out.push_str(&format!(
            "{:<w_trial$}  {:<w_role$}  {:<8}  {:<16}  {:<10}  {:>9}  {:>6}  {}\n",
            r.trial,
            r.role,
            r.kind,
            state,
            r.due,
            r.stability.map(|s| format!("{s:.1}d")).unwrap_or_default(),
            r.lapses,
            r.id
        ));
    }
    out
}
