//! (context, key) → Action. The same table feeds the help overlay and the footer hints,
//! so what the app says about its keys is always what the keys do.

use crate::action::Action;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind,
};

/// Where the user is, for key lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Keys that work everywhere except while typing in search.
    Global,
    List,
    Detail,
    Search,
    Help,
}

impl Context {
    pub fn label(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::List => "Trial list",
            Context::Detail => "Trial detail",
            Context::Search => "Search",
            Context::Help => "Help",
        }
    }
}

/// A key: code plus the modifiers that must be held (Shift is ignored for characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key(pub KeyCode, pub KeyModifiers);

const fn k(c: char) -> Key {
    Key(KeyCode::Char(c), KeyModifiers::NONE)
}
const fn ctrl(c: char) -> Key {
    Key(KeyCode::Char(c), KeyModifiers::CONTROL)
}
const fn code(c: KeyCode) -> Key {
    Key(c, KeyModifiers::NONE)
}

pub struct Binding {
    pub ctx: Context,
    pub keys: &'static [Key],
    /// How the keys are written in help and hints.
    pub label: &'static str,
    pub action: Action,
    pub desc: &'static str,
    /// The footer's short word for it; empty when it is not shown in the footer.
    pub hint: &'static str,
}

macro_rules! b {
    ($ctx:ident, [$($key:expr),+], $label:expr, $action:expr, $desc:expr, $hint:expr) => {
        Binding { ctx: Context::$ctx, keys: { const K: &[Key] = &[$($key),+]; K }, label: $label, action: $action, desc: $desc, hint: $hint }
    };
}

use KeyCode as C;

/// The whole key table, in the order help shows it.
pub fn bindings() -> &'static [Binding] {
    static TABLE: std::sync::OnceLock<Vec<Binding>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        vec![
            b!(
                Global,
                [k('/')],
                "/",
                Action::OpenSearch,
                "search trials, findings, questions and key responses",
                "search"
            ),
            b!(Global, [k('?')], "?", Action::OpenHelp, "this help", "help"),
            b!(Global, [k('q')], "q", Action::Quit, "quit", "quit"),
            b!(
                Global,
                [ctrl('c')],
                "Ctrl+C",
                Action::ForceQuit,
                "quit at once",
                ""
            ),
            b!(
                Global,
                [ctrl('z')],
                "Ctrl+Z",
                Action::Suspend,
                "suspend to the shell (fg returns)",
                ""
            ),
            b!(
                Global,
                [code(C::Tab), code(C::BackTab)],
                "Tab",
                Action::SwitchPanel,
                "switch between the list and the detail panel",
                "panel"
            ),
            b!(
                Global,
                [k('t')],
                "t",
                Action::CycleTheme,
                "next colour theme (dark, light, high-contrast, mono)",
                ""
            ),
            b!(
                List,
                [k('j'), code(C::Down)],
                "j/↓",
                Action::Down,
                "next trial",
                ""
            ),
            b!(
                List,
                [k('k'), code(C::Up)],
                "k/↑",
                Action::Up,
                "previous trial",
                ""
            ),
            b!(
                List,
                [k('g'), code(C::Home)],
                "g/Home",
                Action::Top,
                "first trial",
                ""
            ),
            b!(
                List,
                [k('G'), code(C::End)],
                "G/End",
                Action::Bottom,
                "last trial",
                ""
            ),
            b!(
                List,
                [code(C::PageDown), ctrl('d')],
                "PgDn",
                Action::PageDown,
                "page down",
                ""
            ),
            b!(
                List,
                [code(C::PageUp), ctrl('u')],
                "PgUp",
                Action::PageUp,
                "page up",
                ""
            ),
            b!(
                List,
                [code(C::Enter), k('l'), code(C::Right)],
                "Enter",
                Action::Open,
                "open the selected trial",
                "open"
            ),
            b!(
                List,
                [k('s')],
                "s",
                Action::CycleSort,
                "sort by phase, year or pack order",
                "sort"
            ),
            b!(
                Detail,
                [k('j'), code(C::Down)],
                "j/↓",
                Action::Down,
                "scroll, or select the next question/link",
                ""
            ),
            b!(
                Detail,
                [k('k'), code(C::Up)],
                "k/↑",
                Action::Up,
                "scroll, or select the previous question/link",
                ""
            ),
            b!(
                Detail,
                [k('g'), code(C::Home)],
                "g/Home",
                Action::Top,
                "top",
                ""
            ),
            b!(
                Detail,
                [k('G'), code(C::End)],
                "G/End",
                Action::Bottom,
                "bottom",
                ""
            ),
            b!(
                Detail,
                [code(C::PageDown), ctrl('d')],
                "PgDn",
                Action::PageDown,
                "page down",
                ""
            ),
            b!(
                Detail,
                [code(C::PageUp), ctrl('u')],
                "PgUp",
                Action::PageUp,
                "page up",
                ""
            ),
            b!(
                Detail,
                [k('l'), code(C::Right), k(']')],
                "l/→",
                Action::NextSection,
                "next section",
                "sections"
            ),
            b!(
                Detail,
                [k('h'), code(C::Left), k('[')],
                "h/←",
                Action::PrevSection,
                "previous section",
                ""
            ),
            b!(
                Detail,
                [k(' ')],
                "Space",
                Action::Reveal,
                "reveal or hide the selected key response",
                "reveal"
            ),
            b!(
                Detail,
                [k('r')],
                "r",
                Action::NextRole,
                "filter the discussion by the next role",
                "role"
            ),
            b!(
                Detail,
                [k('R')],
                "R",
                Action::ClearRole,
                "show all roles again",
                ""
            ),
            b!(
                Detail,
                [code(C::Enter)],
                "Enter",
                Action::Open,
                "follow the selected related-trial link",
                ""
            ),
            b!(
                Detail,
                [code(C::Backspace), code(C::Esc)],
                "Bksp/Esc",
                Action::Back,
                "back: return from a followed link, or to the list",
                "back"
            ),
            b!(
                Search,
                [code(C::Enter)],
                "Enter",
                Action::Open,
                "open the selected result in its context",
                "open"
            ),
            b!(
                Search,
                [code(C::Esc)],
                "Esc",
                Action::Back,
                "close search and return to where you were",
                "back"
            ),
            b!(
                Search,
                [code(C::Down), ctrl('n'), ctrl('j')],
                "↓/Ctrl+N",
                Action::Down,
                "next result",
                "next"
            ),
            b!(
                Search,
                [code(C::Up), ctrl('p'), ctrl('k')],
                "↑/Ctrl+P",
                Action::Up,
                "previous result",
                ""
            ),
            b!(
                Search,
                [code(C::PageDown)],
                "PgDn",
                Action::PageDown,
                "page down",
                ""
            ),
            b!(
                Search,
                [code(C::PageUp)],
                "PgUp",
                Action::PageUp,
                "page up",
                ""
            ),
            b!(
                Search,
                [code(C::Backspace)],
                "Bksp",
                Action::SearchBackspace,
                "delete a character",
                ""
            ),
            b!(
                Search,
                [ctrl('w')],
                "Ctrl+W",
                Action::SearchClear,
                "clear the query",
                ""
            ),
            b!(
                Search,
                [ctrl('r')],
                "Ctrl+R",
                Action::SearchToggleReveal,
                "open questions with the key response revealed or hidden",
                "reveal on open"
            ),
            b!(
                Help,
                [code(C::Esc), k('?'), k('q'), code(C::Enter)],
                "Esc/?",
                Action::Back,
                "close help",
                "close"
            ),
            b!(
                Help,
                [k('j'), code(C::Down)],
                "j/↓",
                Action::Down,
                "scroll",
                ""
            ),
            b!(Help, [k('k'), code(C::Up)], "k/↑", Action::Up, "scroll", ""),
        ]
    })
}

fn matches(key: &Key, ev: &KeyEvent) -> bool {
    let mods = ev.modifiers - KeyModifiers::SHIFT;
    match (key.0, ev.code) {
        (KeyCode::Char(a), KeyCode::Char(b)) => {
            // Ctrl+letter arrives as lowercase with CONTROL; accept either case.
            let eq = if key.1.contains(KeyModifiers::CONTROL) {
                a.eq_ignore_ascii_case(&b)
            } else {
                a == b
            };
            eq && mods == key.1
        }
        (a, b) => a == b && mods == key.1,
    }
}

/// Look a key up in a context, then in the global table (not while typing a search).
pub fn lookup(ctx: Context, ev: &KeyEvent) -> Option<Action> {
    let find = |c: Context| {
        bindings()
            .iter()
            .filter(|b| b.ctx == c)
            .find(|b| b.keys.iter().any(|key| matches(key, ev)))
            .map(|b| b.action.clone())
    };
    if let Some(a) = find(ctx) {
        return Some(a);
    }
    match ctx {
        Context::Search => {
            // Ctrl+C still quits; Ctrl+Z still suspends; printable text is query input.
            if ev.modifiers.contains(KeyModifiers::CONTROL) {
                return match ev.code {
                    KeyCode::Char('c') | KeyCode::Char('C') => Some(Action::ForceQuit),
                    KeyCode::Char('z') | KeyCode::Char('Z') => Some(Action::Suspend),
                    _ => None,
                };
            }
            match ev.code {
                KeyCode::Char(c) => Some(Action::SearchInput(c)),
                _ => None,
            }
        }
        Context::Help => match ev.code {
            KeyCode::Char('c') if ev.modifiers.contains(KeyModifiers::CONTROL) => {
                Some(Action::ForceQuit)
            }
            _ => None,
        },
        _ => find(Context::Global),
    }
}

/// Map a terminal event to an action.
pub fn map_event(ctx: Context, ev: &Event) -> Option<Action> {
    match ev {
        Event::Key(key) if key.kind != KeyEventKind::Release => lookup(ctx, key),
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

/// The footer hints for a context: its own hinted keys, then the global ones.
pub fn hints(ctx: Context) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<_> = bindings()
        .iter()
        .filter(|b| b.ctx == ctx && !b.hint.is_empty())
        .map(|b| (b.label, b.hint))
        .collect();
    if !matches!(ctx, Context::Search | Context::Help) {
        out.extend(
            bindings()
                .iter()
                .filter(|b| b.ctx == Context::Global && !b.hint.is_empty())
                .map(|b| (b.label, b.hint)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn vim_keys_and_arrows_both_move() {
        for c in [KeyCode::Char('j'), KeyCode::Down] {
            assert_eq!(
                lookup(Context::List, &key(c, KeyModifiers::NONE)),
                Some(Action::Down)
            );
        }
        assert_eq!(
            lookup(
                Context::Detail,
                &key(KeyCode::Char('k'), KeyModifiers::NONE)
            ),
            Some(Action::Up)
        );
    }

    #[test]
    fn typing_in_search_is_input_not_commands() {
        for c in ['q', 'j', '/', '?', 't'] {
            assert_eq!(
                lookup(Context::Search, &key(KeyCode::Char(c), KeyModifiers::NONE)),
                Some(Action::SearchInput(c))
            );
        }
        assert_eq!(
            lookup(
                Context::Search,
                &key(KeyCode::Char('E'), KeyModifiers::SHIFT)
            ),
            Some(Action::SearchInput('E'))
        );
    }

    #[test]
    fn ctrl_c_quits_in_every_context() {
        for ctx in [
            Context::List,
            Context::Detail,
            Context::Search,
            Context::Help,
        ] {
            assert_eq!(
                lookup(ctx, &key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
                Some(Action::ForceQuit),
                "{ctx:?}"
            );
        }
    }

    #[test]
    fn global_keys_fall_through_but_not_in_search() {
        assert_eq!(
            lookup(
                Context::Detail,
                &key(KeyCode::Char('/'), KeyModifiers::NONE)
            ),
            Some(Action::OpenSearch)
        );
        assert_eq!(
            lookup(Context::List, &key(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(Action::Quit)
        );
        assert_eq!(
            lookup(Context::Help, &key(KeyCode::Char('/'), KeyModifiers::NONE)),
            None
        );
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for a in bindings() {
            for b in bindings() {
                if std::ptr::eq(a, b) || a.ctx != b.ctx {
                    continue;
                }
                for ka in a.keys {
                    assert!(!b.keys.contains(ka), "{:?} bound twice in {:?}", ka, a.ctx);
                }
            }
        }
    }

    #[test]
    fn every_context_has_hints_and_no_fkey_only_bindings() {
        for ctx in [
            Context::List,
            Context::Detail,
            Context::Search,
            Context::Help,
        ] {
            assert!(!hints(ctx).is_empty());
        }
        for b in bindings() {
            assert!(b.keys.iter().any(|k| !matches!(k.0, KeyCode::F(_))));
        }
    }
}
