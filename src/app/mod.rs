//! App state and `update(action, now) -> Effect`: the only place state changes.
//!
//! The app is a [`Screen`] (browsing today; quiz and rounds plug in beside it) with at most one
//! [`Overlay`] over it (search, help). `update` never touches I/O or the clock: time comes in
//! as `now`, and what must happen outside (quit, suspend, later "record this review") goes out
//! as an [`Effect`] the runtime carries out. Geometry comes from [`crate::layout`] and the
//! lines of the detail panel from [`crate::doc::styled`], the same code the views draw with, so
//! scroll bounds and clicks never depend on the last frame.

mod browse;
mod search;

pub use crate::doc::Section;
pub use crate::layout::Focus;
pub use browse::{Browse, Place, Sort};
pub use search::SearchState;

use crate::action::Action;
use crate::content::Library;
use crate::keymap::{Context, Keymap};
use crate::search::{SearchIndex, Searcher};
use crate::theme::{Theme, ThemeName};
use std::time::SystemTime;

/// How many search results are kept per query.
pub const SEARCH_LIMIT: usize = 200;

/// What the runtime must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    None,
    Quit,
    /// Give the terminal back and stop until the shell's `fg`.
    Suspend,
}

/// The screen under any overlay.
#[derive(Debug, Clone)]
pub enum Screen {
    Browse(Browse),
}

/// What is drawn over the screen and takes its keys.
#[derive(Debug, Clone)]
pub enum Overlay {
    Search(SearchState),
    Help(HelpState),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HelpState {
    pub scroll: usize,
}

pub struct App {
    pub lib: Library,
    /// The search engine (index plus the last query's candidates, for typing speed).
    pub searcher: Searcher,
    pub theme: Theme,
    pub keymap: Keymap,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    /// A one-line notice for the footer; cleared by the next action.
    pub message: Option<String>,
    /// The last search closed, so `/` reopens it with its query and selection.
    pub last_search: Option<SearchState>,
}

impl App {
    /// A new app on `lib`: the trial list by phase, opened on the pack's landmark entry.
    pub fn new(lib: Library, theme: ThemeName) -> App {
        // Large libraries are scored on the machine's cores (measured: ~2× at 10,000 trials on
        // 2 cores); small ones stay on one thread (see search::PARALLEL_MIN).
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let searcher = Searcher::new(SearchIndex::build(&lib)).with_threads(cores);
        let browse = Browse::new(&lib);
        App {
            lib,
            searcher,
            theme: Theme::new(theme),
            keymap: Keymap::default(),
            size: (80, 24),
            screen: Screen::Browse(browse),
            overlay: None,
            message: None,
            last_search: None,
        }
    }

    /// Use a keymap other than the defaults.
    pub fn with_keymap(mut self, keymap: Keymap) -> App {
        self.keymap = keymap;
        self
    }

    pub fn browse(&self) -> &Browse {
        match &self.screen {
            Screen::Browse(b) => b,
        }
    }

    pub fn browse_mut(&mut self) -> &mut Browse {
        match &mut self.screen {
            Screen::Browse(b) => b,
        }
    }

    /// The search overlay, when open.
    pub fn search(&self) -> Option<&SearchState> {
        match &self.overlay {
            Some(Overlay::Search(s)) => Some(s),
            _ => None,
        }
    }

    /// The help overlay, when open.
    pub fn help(&self) -> Option<&HelpState> {
        match &self.overlay {
            Some(Overlay::Help(h)) => Some(h),
            _ => None,
        }
    }

    /// The entry shown in the detail panel.
    pub fn current(&self) -> Option<usize> {
        self.browse().current()
    }

    /// Where keys are looked up: the overlay's context, else the screen's.
    pub fn context(&self) -> Context {
        match &self.overlay {
            Some(Overlay::Help(_)) => Context::Help,
            Some(Overlay::Search(_)) => Context::Search,
            None => match &self.screen {
                Screen::Browse(b) => match b.focus {
                    Focus::List => Context::List,
                    Focus::Detail => Context::Detail,
                },
            },
        }
    }

    /// Whether an action does something in the current state (the footer shows only those).
    pub fn acts(&self, action: &Action) -> bool {
        match &self.overlay {
            Some(_) => true,
            None => self.browse().acts(&self.lib, action),
        }
    }

    /// The footer's hints: (keys, word) of the bindings that act here.
    pub fn hints(&self) -> Vec<(String, &'static str)> {
        self.keymap
            .hints(self.context())
            .into_iter()
            .filter(|b| self.acts(&b.action))
            .map(|b| (b.label(), b.hint))
            .collect()
    }

    /// Apply one action at time `now`.
    pub fn update(&mut self, action: Action, now: SystemTime) -> Effect {
        let _ = now; // browsing keeps no time; quiz sessions will.
        self.message = None;
        match action {
            Action::Quit | Action::ForceQuit => return Effect::Quit,
            Action::Suspend => return Effect::Suspend,
            Action::Resize(w, h) => {
                self.size = (w, h);
                self.settle();
                return Effect::None;
            }
            Action::CycleTheme => {
                let i = ThemeName::ALL
                    .iter()
                    .position(|t| *t == self.theme.name)
                    .unwrap_or(0);
                let next = ThemeName::ALL[(i + 1) % ThemeName::ALL.len()];
                self.theme = Theme::new(next);
                self.message = Some(format!("theme: {}", next.label()));
                return Effect::None;
            }
            _ => {}
        }
        match self.overlay.take() {
            Some(Overlay::Help(h)) => self.update_help(h, action),
            Some(Overlay::Search(s)) => self.update_search(s, action),
            None => match action {
                Action::OpenHelp => self.overlay = Some(Overlay::Help(HelpState::default())),
                Action::OpenSearch => self.open_search(),
                action => {
                    let Screen::Browse(b) = &mut self.screen;
                    self.message = b.update(&self.lib, &self.theme, self.size, action);
                }
            },
        }
        self.settle();
        Effect::None
    }

    /// Keep scroll positions within what there is to show at the current size.
    fn settle(&mut self) {
        let Screen::Browse(b) = &mut self.screen;
        b.clamp(&self.lib, &self.theme, self.size);
        if let Some(Overlay::Help(h)) = &mut self.overlay {
            h.scroll = h.scroll.min(help_max_scroll(&self.keymap, self.size));
        }
    }

    fn update_help(&mut self, mut h: HelpState, action: Action) {
        let page = crate::layout::help_body(self.size).height.max(1) as usize;
        match action {
            Action::Back | Action::Click(..) => return,
            Action::Down | Action::ScrollDown(..) => h.scroll += 1,
            Action::Up | Action::ScrollUp(..) => h.scroll = h.scroll.saturating_sub(1),
            Action::PageDown => h.scroll += page,
            Action::PageUp => h.scroll = h.scroll.saturating_sub(page),
            Action::Top => h.scroll = 0,
            Action::Bottom => h.scroll = usize::MAX,
            _ => {}
        }
        self.overlay = Some(Overlay::Help(h));
    }
}

/// Lines of the help text at a size (one line per key row, a title and a blank per context;
/// in two columns, the longer column).
pub fn help_lines(keymap: &Keymap, size: (u16, u16)) -> Vec<Vec<(String, String)>> {
    let mut groups = keymap.help();
    let rows = |r: &[(&str, &str)]| -> Vec<(String, String)> {
        r.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    groups.push((
        "Search syntax",
        rows(&[
            (
                "word",
                "fuzzy on names, titles, endpoints, prompts; words in long text",
            ),
            ("9.6", "numbers find the findings that report them"),
            ("'word", "exact substring"),
            ("!word", "exclude results containing it"),
            (
                "@resident",
                "one role: student resident fellow attending phd editor guideline",
            ),
            (
                "#finding",
                "one kind: trial, topic, finding, question, discrepancy",
            ),
        ]),
    ));
    groups.push((
        "Mouse",
        rows(&[
            (
                "click",
                "select a trial, a tab, a finding, link or question",
            ),
            (
                "click again",
                "reveal a selected question; open a selected search result",
            ),
            ("wheel", "scroll"),
        ]),
    ));
    groups.push((
        "Markers",
        rows(&[
            ("▶", "selected"),
            ("◷", "ongoing as of its source"),
            ("⚠", "the sources disagree"),
            ("¹ ²", "a caveat, shown under the selected finding"),
            ("■ │", "an estimate; the line of no effect"),
        ]),
    ));
    if !crate::layout::help_two_columns(size) {
        return vec![flatten_help(&groups)];
    }
    // Split the groups (in order) where the longer column is shortest.
    let len = |gs: &[(&'static str, Vec<(String, String)>)]| flatten_help(gs).len();
    let split = (1..groups.len())
        .min_by_key(|&k| len(&groups[..k]).max(len(&groups[k..])))
        .unwrap_or(groups.len());
    let right = groups.split_off(split);
    let left = groups;
    vec![flatten_help(&left), flatten_help(&right)]
}

/// A help column as (keys, description) rows; a heading row has empty keys and a `#` prefix.
fn flatten_help(groups: &[(&'static str, Vec<(String, String)>)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (title, rows) in groups {
        if !out.is_empty() {
            out.push((String::new(), String::new()));
        }
        out.push((String::new(), format!("# {title}")));
        out.extend(rows.iter().cloned());
    }
    out
}

pub fn help_max_scroll(keymap: &Keymap, size: (u16, u16)) -> usize {
    let h = crate::layout::help_body(size).height as usize;
    let longest = help_lines(keymap, size)
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0);
    crate::layout::max_top(longest, h)
}
