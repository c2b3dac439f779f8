//! The keymap as a value: (context, keys) → Action, with a description and a footer word.
//!
//! The defaults are a table written in the same key syntax a user writes in a keymap file
//! (`"Ctrl+C"`, `"PgDn"`, `"Space"`), so the parser is exercised by every start. Overrides
//! replace the keys of a binding: `{"detail.next_section": "l Right ]"}`. Help and the footer
//! read the same table, so what the app says about its keys is always what the keys do.

use crate::tui::action::Action;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind,
};
use std::collections::BTreeMap;

/// Where the user is, for key lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Keys that work everywhere except while typing in search or reading help.
    Global,
    List,
    Detail,
    Search,
    Help,
    Rounds,
    Quiz,
    /// The card browser.
    Cards,
}

impl Context {
    pub const ALL: [Context; 8] = [
        Context::Global,
        Context::List,
        Context::Detail,
        Context::Quiz,
        Context::Cards,
        Context::Rounds,
        Context::Search,
        Context::Help,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::List => "Trial list",
            Context::Detail => "Trial detail",
            Context::Search => "Search",
            Context::Help => "Help",
            Context::Rounds => "Teaching rounds",
            Context::Quiz => "Quiz",
            Context::Cards => "Card browser",
        }
    }

    /// The name a keymap file uses (`detail.next_section`).
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Detail => "detail",
            Context::Search => "search",
            Context::Help => "help",
            Context::Rounds => "rounds",
            Context::Quiz => "quiz",
            Context::Cards => "cards",
        }
    }

    pub fn from_name(s: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == s)
    }
}

/// A key: code plus the modifiers that must be held (Shift is ignored for characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key(pub KeyCode, pub KeyModifiers);

impl Key {
    /// Parse `"j"`, `"Space"`, `"Ctrl+C"`, `"Shift+Tab"`, `"PgDn"`, `"F1"`, `"↓"`.
    pub fn parse(s: &str) -> Result<Key, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("empty key".into());
        }
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            let take = |p: &str| lower.starts_with(p) && rest.len() > p.len();
            if take("ctrl+") {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[5..];
            } else if take("alt+") {
                mods |= KeyModifiers::ALT;
                rest = &rest[4..];
            } else if take("shift+") {
                mods |= KeyModifiers::SHIFT;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            let code = match c {
                '↑' => KeyCode::Up,
                '↓' => KeyCode::Down,
                '←' => KeyCode::Left,
                '→' => KeyCode::Right,
                c if mods.contains(KeyModifiers::CONTROL) => KeyCode::Char(c.to_ascii_lowercase()),
                c => KeyCode::Char(c),
            };
            // Shift is part of the character itself (`G`), never a separate modifier.
            return Ok(Key(code, mods - KeyModifiers::SHIFT));
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "space" => KeyCode::Char(' '),
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" if mods.contains(KeyModifiers::SHIFT) => {
                return Ok(Key(KeyCode::BackTab, mods - KeyModifiers::SHIFT));
            }
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" | "bksp" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" | "ins" => KeyCode::Insert,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" => KeyCode::PageDown,
            f if f.starts_with('f')
                && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
            {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                return Err(format!(
                    "unknown key `{s}`; write a character (`j`, `G`, `/`), a name (Space, Enter, \
                     Esc, Tab, Backspace, Up, Down, Left, Right, Home, End, PgUp, PgDn, F1–F12), \
                     optionally after Ctrl+, Alt+ or Shift+"
                ));
            }
        };
        Ok(Key(code, mods - KeyModifiers::SHIFT))
    }

    /// How the key is written in help and the footer.
    pub fn label(&self) -> String {
        let mut s = String::new();
        if self.1.contains(KeyModifiers::CONTROL) {
            s.push_str("Ctrl+");
        }
        if self.1.contains(KeyModifiers::ALT) {
            s.push_str("Alt+");
        }
        let name = match self.0 {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) if self.1.contains(KeyModifiers::CONTROL) => {
                c.to_ascii_uppercase().to_string()
            }
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift+Tab".into(),
            KeyCode::Backspace => "Bksp".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::Insert => "Ins".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        s.push_str(&name);
        s
    }

    /// How running text names the key: as [`Key::label`], with the footer's short forms
    /// written out ("Backspace", not "Bksp").
    pub fn word(&self) -> String {
        let l = self.label();
        match self.0 {
            KeyCode::Backspace => l.replace("Bksp", "Backspace"),
            KeyCode::Delete => l.replace("Del", "Delete"),
            _ => l,
        }
    }

    fn matches(&self, ev: &KeyEvent) -> bool {
        let mods = ev.modifiers - KeyModifiers::SHIFT;
        match (self.0, ev.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) => {
                // Ctrl+letter arrives as lowercase with CONTROL; accept either case.
                let eq = if self.1.contains(KeyModifiers::CONTROL) {
                    a.eq_ignore_ascii_case(&b)
                } else {
                    a == b
                };
                eq && mods == self.1
            }
            (a, b) => a == b && mods == self.1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub ctx: Context,
    pub keys: Vec<Key>,
    pub action: Action,
    pub desc: &'static str,
    /// The footer's short word for it; empty when it is not shown in the footer.
    pub hint: &'static str,
}

impl Binding {
    /// The keys as help and the footer write them: the first two, joined by `/`.
    pub fn label(&self) -> String {
        self.keys
            .iter()
            .take(2)
            .map(Key::label)
            .collect::<Vec<_>>()
            .join("/")
    }
}

use Action as A;
use Context::{Cards, Detail, Global, Help, List, Quiz, Rounds, Search};

/// The default key table, in the order help shows it.
#[rustfmt::skip]
fn defaults() -> Vec<(Context, &'static str, Action, &'static str, &'static str)> {
    vec![
        (Global, "/", A::OpenSearch, "search trials, findings, questions and key responses (reopens the last search)", "search"),
        (Global, "?", A::OpenHelp, "this help", "help"),
        (Global, "q", A::Quit, "quit", "quit"),
        (Global, "Ctrl+C", A::ForceQuit, "quit at once", ""),
        (Global, "Ctrl+Z", A::Suspend, "suspend to the shell (fg returns)", ""),
        (Global, "Tab Shift+Tab", A::SwitchPanel, "switch between the list and the detail panel", "panel"),
        (Global, "r", A::NextRole, "discussion: next role (all → Medical Student → … → Guideline Committee)", "role"),
        (Global, "R", A::PrevRole, "discussion: previous role", ""),
        (Global, "Q", A::OpenQuiz, "quiz: build a flashcard session (or return to a paused one)", "quiz"),
        (Global, "S", A::OpenStats, "review statistics: due cards, reviews per day, retention, forecast", ""),
        (Global, "C", A::OpenCards, "the card browser: every card with its state; suspend, bury, reset", ""),
        (Global, "P", A::OpenRounds, "teaching rounds on this trial (for a shared screen)", "rounds"),
        (Global, "t", A::CycleTheme, "next colour theme (dark, light, high-contrast, mono)", ""),
        (Global, "1", A::GotoSection(1), "Overview", ""),
        (Global, "2", A::GotoSection(2), "Findings", ""),
        (Global, "3", A::GotoSection(3), "Forest plot", ""),
        (Global, "4", A::GotoSection(4), "Safety", ""),
        (Global, "5", A::GotoSection(5), "Appraisal", ""),
        (Global, "6", A::GotoSection(6), "Related", ""),
        (Global, "7", A::GotoSection(7), "Discrepancies", ""),
        (Global, "8", A::GotoSection(8), "Sources", ""),
        (Global, "9", A::GotoSection(9), "Discussion", ""),
        (List, "j Down", A::Down, "next trial", ""),
        (List, "k Up", A::Up, "previous trial", ""),
        (List, "g Home", A::Top, "first trial", ""),
        (List, "G End", A::Bottom, "last trial", ""),
        (List, "PgDn Ctrl+D", A::PageDown, "page down", ""),
        (List, "PgUp Ctrl+U", A::PageUp, "page up", ""),
        (List, "Enter l Right", A::Open, "open the selected trial at its Overview", "open"),
        (List, "s", A::CycleSort, "sort by phase, year or pack order", "sort"),
        (Detail, "Space", A::Reveal, "Discussion: reveal or hide the selected key response", "reveal"),
        (Detail, "x", A::HideAll, "Discussion: hide every revealed key response", "hide all"),
        (Detail, "Enter", A::Open, "Related: follow the selected link", "follow"),
        (Detail, "j Down", A::Down, "select the next finding, link, note or question; else scroll", "select"),
        (Detail, "k Up", A::Up, "select the previous one; else scroll", ""),
        (Detail, "g Home", A::Top, "top", ""),
        (Detail, "G End", A::Bottom, "bottom", ""),
        (Detail, "PgDn Ctrl+D", A::PageDown, "page down", ""),
        (Detail, "PgUp Ctrl+U", A::PageUp, "page up", ""),
        (Detail, "l Right ]", A::NextSection, "next section", "sections"),
        (Detail, "h Left [", A::PrevSection, "previous section", ""),
        (Detail, "Backspace Esc", A::Back, "back: return from a followed link, or to the list", "back"),
        (Quiz, "Space", A::Reveal, "show the answer; then grade Good, as in Anki (with ticks, the grade they suggest, on a second press); in the builder, toggle", "answer"),
        (Quiz, "Enter", A::Open, "show the answer; then grade Good, as Space does; in the builder, start", "start"),
        (Quiz, "1", A::Grade(1), "grade Again (forgot)", "again"),
        (Quiz, "2", A::Grade(2), "grade Hard", "hard"),
        (Quiz, "3", A::Grade(3), "grade Good", "good"),
        (Quiz, "4", A::Grade(4), "grade Easy", "easy"),
        (Quiz, "n", A::NextPoint, "show the next key point first (staged recall)", "next point"),
        (Quiz, "a", A::TickPoint(1), "tick key point a as recalled", ""),
        (Quiz, "b", A::TickPoint(2), "tick key point b", ""),
        (Quiz, "c", A::TickPoint(3), "tick key point c", ""),
        (Quiz, "d", A::TickPoint(4), "tick key point d", ""),
        (Quiz, "e", A::TickPoint(5), "tick key point e", ""),
        (Quiz, "f", A::TickPoint(6), "tick key point f", ""),
        (Quiz, "u", A::Undo, "undo the last grade", "undo"),
        (Quiz, "s", A::Skip, "skip this card", "skip"),
        (Quiz, "-", A::Bury, "bury this card until tomorrow", "bury"),
        (Quiz, "@", A::SuspendCard, "suspend this card (the card browser unsuspends it)", ""),
        (Quiz, "o", A::OpenEntry, "open the card's trial in the browser (Q comes back)", "open trial"),
        (Quiz, "m", A::DrillMissed, "summary: drill the cards you missed", "drill missed"),
        (Quiz, "p", A::Practice, "a practice run of the choice: grades do not touch the schedule", "practice"),
        (Quiz, "r", A::Retry, "send the grades that were not saved again", "retry"),
        (Quiz, "C", A::OpenCards, "the card browser", ""),
        (Quiz, "j Down", A::Down, "builder: next choice", ""),
        (Quiz, "k Up", A::Up, "builder: previous choice", ""),
        (Quiz, "Right l", A::NextSection, "builder: more (count)", ""),
        (Quiz, "Left", A::PrevSection, "builder: fewer (count)", ""),
        (Quiz, "PgDn", A::PageDown, "builder: page down", ""),
        (Quiz, "PgUp", A::PageUp, "builder: page up", ""),
        (Quiz, "Home", A::Top, "builder: first row", ""),
        (Quiz, "End", A::Bottom, "builder: last row", ""),
        (Quiz, "Esc Backspace", A::Back, "end the session (its summary shows), or leave the quiz", "end"),
        (Quiz, "S", A::OpenStats, "review statistics", ""),
        (Quiz, "?", A::OpenHelp, "help", "help"),
        (Quiz, "q", A::Quit, "quit (every grade is already saved)", "quit"),
        (Quiz, "Ctrl+C", A::ForceQuit, "quit at once", ""),
        (Quiz, "Ctrl+Z", A::Suspend, "suspend to the shell", ""),
        (Cards, "j Down", A::Down, "next card", ""),
        (Cards, "k Up", A::Up, "previous card", ""),
        (Cards, "g Home", A::Top, "first card", ""),
        (Cards, "G End", A::Bottom, "last card", ""),
        (Cards, "PgDn Ctrl+D", A::PageDown, "page down", ""),
        (Cards, "PgUp Ctrl+U", A::PageUp, "page up", ""),
        (Cards, "/", A::OpenSearch, "filter the cards by words (trial, role, state, question, id)", "filter"),
        (Cards, "@", A::SuspendCard, "suspend or unsuspend the selected card", "suspend"),
        (Cards, "-", A::Bury, "bury the selected card until tomorrow", "bury"),
        (Cards, "R", A::ResetCard, "reset the selected card to new (its reviews stay in the log)", "reset"),
        (Cards, "Enter o", A::OpenEntry, "open the card's trial", "open trial"),
        (Cards, "Esc Backspace", A::Back, "clear the filter, or leave the card browser", "back"),
        (Cards, "?", A::OpenHelp, "help", "help"),
        (Cards, "q", A::Quit, "quit", "quit"),
        (Cards, "Ctrl+C", A::ForceQuit, "quit at once", ""),
        (Cards, "Ctrl+Z", A::Suspend, "suspend to the shell", ""),
        (Rounds, "Space", A::Reveal, "reveal the next key point, then the full key response", "reveal"),
        (Rounds, "Right Down j PgDn", A::Down, "next screen (resets what was revealed)", "next"),
        (Rounds, "Enter", A::Open, "next screen; in the question list, go to the one selected", ""),
        (Rounds, "Left Up k PgUp", A::Up, "previous screen", "back"),
        (Rounds, "Home", A::Top, "title card", ""),
        (Rounds, "End G", A::Bottom, "last question", ""),
        (Rounds, "g", A::GoTo, "go to a question: g, then its number (g 5)", "go to"),
        (Rounds, "1", A::Digit(1), "question 1", ""),
        (Rounds, "2", A::Digit(2), "question 2", ""),
        (Rounds, "3", A::Digit(3), "question 3", ""),
        (Rounds, "4", A::Digit(4), "question 4", ""),
        (Rounds, "5", A::Digit(5), "question 5", ""),
        (Rounds, "6", A::Digit(6), "question 6", ""),
        (Rounds, "7", A::Digit(7), "question 7", ""),
        (Rounds, "8", A::Digit(8), "question 8", ""),
        (Rounds, "9", A::Digit(9), "question 9", ""),
        (Rounds, "0", A::Digit(0), "(in a number: g 1 0 is question 10)", ""),
        (Rounds, "Q", A::QuestionList, "the round's questions, to pick one (Enter goes, Esc closes)", "questions"),
        (Rounds, "J", A::CardDown, "scroll the card down (the evidence, a long key response)", "scroll"),
        (Rounds, "K", A::CardUp, "scroll the card up", ""),
        (Rounds, "t", A::Timer, "start or pause the countdown", "timer"),
        (Rounds, "T", A::TimerReset, "reset the countdown", ""),
        (Rounds, "l", A::Learner, "call on a learner (never the same one twice in a row)", "learner"),
        (Rounds, "p", A::Notes, "presenter notes on this screen: this question's discrepancies and limitations, then the trial's (with a presenter attached they are on its screen only)", "notes"),
        (Rounds, "]", A::NotesDown, "scroll the notes down", "notes ↓"),
        (Rounds, "[", A::NotesUp, "scroll the notes up", ""),
        (Rounds, "b", A::Blank, "blank the screen (any key returns)", "blank"),
        (Rounds, "h", A::Handout, "write the handout of what was covered (Markdown; never over another file)", "handout"),
        (Rounds, "Esc Backspace", A::Back, "leave rounds (back to browsing)", ""),
        (Rounds, "?", A::OpenHelp, "help", "help"),
        (Rounds, "q", A::Quit, "quit", "quit"),
        (Rounds, "Ctrl+C", A::ForceQuit, "quit at once", ""),
        (Rounds, "Ctrl+Z", A::Suspend, "suspend to the shell", ""),
        (Search, "Enter", A::Open, "open the selected result in its context", "open"),
        (Search, "Esc", A::Back, "close search and return to where you were", "back"),
        (Search, "Down Ctrl+N Ctrl+J", A::Down, "next result", "next"),
        (Search, "Up Ctrl+P Ctrl+K", A::Up, "previous result", ""),
        (Search, "PgDn", A::PageDown, "page down", ""),
        (Search, "PgUp", A::PageUp, "page up", ""),
        (Search, "Backspace", A::SearchBackspace, "delete a character", ""),
        (Search, "Ctrl+W", A::SearchClear, "clear the query", ""),
        (Search, "Ctrl+R", A::SearchToggleReveal, "open questions with the key response revealed or hidden", "reveal on open"),
        (Search, "Ctrl+C", A::ForceQuit, "quit at once", ""),
        (Search, "Ctrl+Z", A::Suspend, "suspend to the shell", ""),
        (Help, "Esc ? q Enter", A::Back, "close help", "close"),
        (Help, "j Down", A::Down, "scroll down", "scroll"),
        (Help, "k Up", A::Up, "scroll up", ""),
        (Help, "PgDn Space Ctrl+D", A::PageDown, "page down", ""),
        (Help, "PgUp Ctrl+U", A::PageUp, "page up", ""),
        (Help, "g Home", A::Top, "top", ""),
        (Help, "G End", A::Bottom, "bottom", ""),
        (Help, "Ctrl+C", A::ForceQuit, "quit at once", ""),
    ]
}

fn parse_keys(s: &str) -> Result<Vec<Key>, String> {
    let keys: Vec<Key> = s
        .split_whitespace()
        .map(Key::parse)
        .collect::<Result<_, _>>()?;
    if keys.is_empty() {
        return Err("no keys given".into());
    }
    Ok(keys)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        let bindings = defaults()
            .into_iter()
            .map(|(ctx, keys, action, desc, hint)| Binding {
                ctx,
                keys: parse_keys(keys).unwrap_or_else(|e| panic!("default key table: {e}")),
                action,
                desc,
                hint,
            })
            .collect();
        Keymap { bindings }
    }
}

impl Keymap {
    /// The defaults with `overrides` applied: each maps `context.action` to the keys that
    /// replace that binding's keys (space-separated). Every problem is reported; on any, the
    /// caller keeps the defaults.
    pub fn with_overrides(overrides: &BTreeMap<String, String>) -> Result<Keymap, Vec<String>> {
        let mut map = Keymap::default();
        let mut errors = Vec::new();
        for (name, keys) in overrides {
            let Some((ctx, action)) = name.split_once('.') else {
                errors.push(format!(
                    "`{name}`: write context.action, e.g. `detail.next_section`"
                ));
                continue;
            };
            let Some(ctx) = Context::from_name(ctx) else {
                errors.push(format!(
                    "`{name}`: unknown context `{ctx}`; use global, list, detail, quiz, cards, rounds, search or help"
                ));
                continue;
            };
            let Some(action) = Action::from_name(action) else {
                errors.push(format!(
                    "`{name}`: unknown action `{action}`; use one of: {}",
                    Action::names().join(", ")
                ));
                continue;
            };
            let keys = match parse_keys(keys) {
                Ok(k) => k,
                Err(e) => {
                    errors.push(format!("`{name}`: {e}"));
                    continue;
                }
            };
            match map
                .bindings
                .iter_mut()
                .find(|b| b.ctx == ctx && b.action == action)
            {
                Some(b) => b.keys = keys,
                None => errors.push(format!(
                    "`{name}`: `{}` has no binding in `{}`",
                    action.name().unwrap_or_default(),
                    ctx.name()
                )),
            }
        }
        // A key bound twice in one context would make one binding unreachable.
        for (i, a) in map.bindings.iter().enumerate() {
            for b in &map.bindings[i + 1..] {
                if a.ctx == b.ctx
                    && let Some(k) = a.keys.iter().find(|k| b.keys.contains(k))
                {
                    errors.push(format!(
                        "{} is bound to both `{}` and `{}` in `{}`",
                        k.label(),
                        a.action.name().unwrap_or_default(),
                        b.action.name().unwrap_or_default(),
                        a.ctx.name()
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(map)
        } else {
            Err(errors)
        }
    }

    /// Parse a keymap file (RON: a map of `"context.action": "keys"`) over the defaults.
    pub fn from_ron(text: &str) -> Result<Keymap, Vec<String>> {
        let overrides: BTreeMap<String, String> =
            ron::from_str(text).map_err(|e| vec![format!("keymap file: {e}")])?;
        Keymap::with_overrides(&overrides)
    }

    fn find(&self, ctx: Context, ev: &KeyEvent) -> Option<Action> {
        self.bindings
            .iter()
            .filter(|b| b.ctx == ctx)
            .find(|b| b.keys.iter().any(|k| k.matches(ev)))
            .map(|b| b.action.clone())
    }

    /// Look a key up in a context, then (outside search and help) in the global table.
    /// In search, printable characters are query input.
    pub fn lookup(&self, ctx: Context, ev: &KeyEvent) -> Option<Action> {
        if let Some(a) = self.find(ctx, ev) {
            return Some(a);
        }
        match ctx {
            Context::Search => match ev.code {
                KeyCode::Char(c)
                    if !ev
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                {
                    Some(Action::SearchInput(c))
                }
                _ => None,
            },
            Context::Help | Context::Rounds | Context::Quiz | Context::Cards => None,
            _ => self.find(Context::Global, ev),
        }
    }

    pub fn map_event(&self, ctx: Context, ev: &Event) -> Option<Action> {
        match ev {
            Event::Key(key) if key.kind != KeyEventKind::Release => self.lookup(ctx, key),
            Event::Mouse(m) => match m.kind {
                MouseEventKind::Down(_) => Some(Action::Click(m.column, m.row)),
                MouseEventKind::ScrollUp => Some(Action::ScrollUp(m.column, m.row)),
                MouseEventKind::ScrollDown => Some(Action::ScrollDown(m.column, m.row)),
                _ => None,
            },
            Event::Paste(s) if ctx == Context::Search => Some(Action::SearchPaste(s.clone())),
            Event::Resize(w, h) => Some(Action::Resize(*w, *h)),
            _ => None,
        }
    }

    /// The binding of `action` in `ctx`, else (where global keys reach) in the global table.
    fn binding_for(&self, ctx: Context, action: &Action) -> Option<&Binding> {
        let own = self
            .bindings
            .iter()
            .find(|b| b.ctx == ctx && b.action == *action);
        let reaches_global = !matches!(
            ctx,
            Context::Search | Context::Help | Context::Rounds | Context::Quiz | Context::Cards
        );
        own.or_else(|| {
            reaches_global
                .then(|| {
                    self.bindings
                        .iter()
                        .find(|b| b.ctx == Context::Global && b.action == *action)
                })
                .flatten()
        })
    }

    /// How text names the keys of `action` in `ctx`, as the footer writes them (the first
    /// two: `j/↓`). Text that names a key asks here, so a rebinding never makes it lie.
    pub fn label_for(&self, ctx: Context, action: &Action) -> String {
        self.binding_for(ctx, action)
            .map_or_else(|| "(unbound)".to_string(), Binding::label)
    }

    /// The first key of `action` in `ctx`, for running text ("Space reveals it").
    pub fn key_for(&self, ctx: Context, action: &Action) -> String {
        self.binding_for(ctx, action)
            .and_then(|b| b.keys.first())
            .map_or_else(|| "(unbound)".to_string(), Key::word)
    }

    /// The keys of the numbered actions `first..=last` (ticks, sections) as a span: `1–6`.
    pub fn span_for(&self, ctx: Context, first: &Action, last: &Action) -> String {
        let (a, b) = (self.key_for(ctx, first), self.key_for(ctx, last));
        if a == b { a } else { format!("{a}–{b}") }
    }

    /// The hinted bindings of a context, then (outside search and help) the global ones.
    pub fn hints(&self, ctx: Context) -> Vec<&Binding> {
        let own = self
            .bindings
            .iter()
            .filter(move |b| b.ctx == ctx && !b.hint.is_empty());
        let global = self.bindings.iter().filter(move |b| {
            b.ctx == Context::Global
                && !b.hint.is_empty()
                && !matches!(
                    ctx,
                    Context::Search
                        | Context::Help
                        | Context::Rounds
                        | Context::Quiz
                        | Context::Cards
                )
        });
        own.chain(global).collect()
    }

    /// Help rows grouped by context: (context label, [(keys, description)]). The nine
    /// section keys are folded into one row.
    pub fn help(&self) -> Vec<(&'static str, Vec<(String, String)>)> {
        Context::ALL
            .into_iter()
            .map(|ctx| {
                let mut rows = Vec::new();
                let mut sections = Vec::new();
                let mut ticks = Vec::new();
                let mut digits = Vec::new();
                for b in self.bindings.iter().filter(|b| b.ctx == ctx) {
                    match b.action {
                        Action::Digit(n) => {
                            digits.push((n, b.keys.first().map(Key::label).unwrap_or_default()))
                        }
                        Action::GotoSection(_) => {
                            sections.push(b.keys.first().map(Key::label).unwrap_or_default())
                        }
                        Action::TickPoint(_) => {
                            ticks.push(b.keys.first().map(Key::label).unwrap_or_default())
                        }
                        _ => rows.push((b.label(), b.desc.to_string())),
                    }
                }
                let span = |v: &[String]| {
                    format!(
                        "{}–{}",
                        v.first().cloned().unwrap_or_default(),
                        v.last().cloned().unwrap_or_default()
                    )
                };
                if !sections.is_empty() {
                    rows.push((
                        span(&sections),
                        "jump to a section (Overview … Discussion)".to_string(),
                    ));
                }
                if !digits.is_empty() {
                    digits.sort();
                    let labels: Vec<String> = digits.into_iter().map(|(_, l)| l).collect();
                    let at = rows
                        .iter()
                        .position(|(_, d)| d.starts_with("go to a question"))
                        .map_or(rows.len(), |i| i + 1);
                    rows.insert(
                        at,
                        (
                            span(&labels),
                            format!(
                                "after {}: the question's number (it goes as soon as the number can mean only one question, or on Enter)",
                                self.key_for(ctx, &Action::GoTo)
                            ),
                        ),
                    );
                }
                if !ticks.is_empty() {
                    rows.insert(
                        2.min(rows.len()),
                        (span(&ticks), "tick the key points you recalled".to_string()),
                    );
                }
                (ctx.label(), rows)
            })
            .filter(|(_, rows)| !rows.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn keys_parse_and_label_round_trip() {
        for s in [
            "j",
            "G",
            "/",
            "Space",
            "Enter",
            "Esc",
            "Ctrl+C",
            "Shift+Tab",
            "PgDn",
            "PgUp",
            "F1",
            "↓",
            "Bksp",
            "Home",
        ] {
            let k = Key::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(Key::parse(&k.label()), Ok(k), "{s}");
        }
        assert_eq!(
            Key::parse("ctrl+c"),
            Ok(Key(KeyCode::Char('c'), KeyModifiers::CONTROL))
        );
        assert_eq!(
            Key::parse("Down"),
            Ok(Key(KeyCode::Down, KeyModifiers::NONE))
        );
        assert!(Key::parse("Hyper+x").is_err());
        assert!(Key::parse("").is_err());
    }

    #[test]
    fn vim_keys_and_arrows_both_move() {
        let m = Keymap::default();
        for c in [KeyCode::Char('j'), KeyCode::Down] {
            assert_eq!(
                m.lookup(Context::List, &key(c, KeyModifiers::NONE)),
                Some(Action::Down)
            );
        }
    }

    #[test]
    fn typing_in_search_is_input_not_commands() {
        let m = Keymap::default();
        for c in ['q', 'j', '/', '?', 't', 'r', '1'] {
            assert_eq!(
                m.lookup(Context::Search, &key(KeyCode::Char(c), KeyModifiers::NONE)),
                Some(Action::SearchInput(c))
            );
        }
        assert_eq!(
            m.lookup(
                Context::Search,
                &key(KeyCode::Char('E'), KeyModifiers::SHIFT)
            ),
            Some(Action::SearchInput('E'))
        );
    }

    #[test]
    fn ctrl_c_quits_in_every_context_from_a_table_row() {
        let m = Keymap::default();
        for ctx in [
            Context::List,
            Context::Detail,
            Context::Search,
            Context::Help,
        ] {
            assert_eq!(
                m.lookup(ctx, &key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
                Some(Action::ForceQuit),
                "{ctx:?}"
            );
        }
        assert!(
            m.bindings
                .iter()
                .any(|b| b.ctx == Context::Search && b.action == Action::Suspend)
        );
    }

    #[test]
    fn global_keys_fall_through_but_not_in_search_or_help() {
        let m = Keymap::default();
        let ev = key(KeyCode::Char('/'), KeyModifiers::NONE);
        assert_eq!(m.lookup(Context::Detail, &ev), Some(Action::OpenSearch));
        assert_eq!(m.lookup(Context::Help, &ev), None);
        assert_eq!(
            m.lookup(Context::List, &key(KeyCode::Char('r'), KeyModifiers::NONE)),
            Some(Action::NextRole)
        );
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        assert!(Keymap::with_overrides(&BTreeMap::new()).is_ok());
    }

    #[test]
    fn overrides_rebind_and_report_problems() {
        let mut o = BTreeMap::new();
        o.insert("detail.next_section".to_string(), "n Right".to_string());
        let m = Keymap::with_overrides(&o).expect("valid override");
        let n = key(KeyCode::Char('n'), KeyModifiers::NONE);
        assert_eq!(m.lookup(Context::Detail, &n), Some(Action::NextSection));
        assert_eq!(
            m.lookup(
                Context::Detail,
                &key(KeyCode::Char('l'), KeyModifiers::NONE)
            ),
            None
        );
        let b = m
            .bindings
            .iter()
            .find(|b| b.action == Action::NextSection)
            .expect("binding");
        assert_eq!(b.label(), "n/→");

        let mut bad = BTreeMap::new();
        bad.insert("detail.fly".to_string(), "f".to_string());
        bad.insert("nowhere.quit".to_string(), "q".to_string());
        bad.insert("detail.reveal".to_string(), "j".to_string());
        let errs = Keymap::with_overrides(&bad).unwrap_err();
        assert!(
            errs.iter().any(|e| e.contains("unknown action `fly`")),
            "{errs:?}"
        );
        assert!(
            errs.iter().any(|e| e.contains("unknown context `nowhere`")),
            "{errs:?}"
        );
        assert!(errs.iter().any(|e| e.contains("bound to both")), "{errs:?}");
    }

    #[test]
    fn every_context_has_hints() {
        let m = Keymap::default();
        for ctx in [
            Context::List,
            Context::Detail,
            Context::Search,
            Context::Help,
        ] {
            assert!(!m.hints(ctx).is_empty());
        }
    }
}

#[cfg(test)]
mod example_file {
    use super::*;

    #[test]
    fn the_shipped_example_keymap_parses_and_rebinds() {
        let m = Keymap::from_ron(include_str!("../../docs/keymap.example.ron"))
            .unwrap_or_else(|e| panic!("docs/keymap.example.ron: {e:?}"));
        let n = KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE);
        assert_eq!(m.lookup(Context::Detail, &n), Some(Action::NextSection));
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL);
        assert_eq!(m.lookup(Context::List, &q), Some(Action::Quit));
    }
}
