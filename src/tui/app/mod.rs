//! App state and `update(action, now) -> Effect`: the only place state changes.
//!
//! The app is a [`Screen`] (browsing today; quiz and rounds plug in beside it) with at most one
//! [`Overlay`] over it (search, help). `update` never touches I/O or the clock: time comes in
//! as `now`, and what must happen outside (quit, suspend, later "record this review") goes out
//! as an [`Effect`] the runtime carries out. Geometry comes from [`crate::tui::layout`] and the
//! lines of the detail panel from [`crate::tui::lines::document`], the same code the views draw with, so
//! scroll bounds and clicks never depend on the last frame.

mod browse;
pub mod quiz;
mod rounds;
mod search;

pub use crate::doc::Section;
pub use crate::tui::layout::Focus;
pub use browse::{Browse, Place, Sort};
pub use quiz::{Builder, BuilderRow, Deck, Face, Quiz, Session};
pub use rounds::{Rounds, RoundsOptions, Step, Timer};
pub use search::SearchState;

use crate::content::Library;
use crate::search::{SearchIndex, Searcher};
use crate::tui::action::Action;
use crate::tui::keymap::{Context, Keymap};
use crate::tui::theme::{Theme, ThemeName};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

/// How many search results are kept per query.
pub const SEARCH_LIMIT: usize = 200;

/// Most characters the search box holds: typing or pasting past it is ignored, so a burst of
/// keys (a long unbracketed paste) costs no more than a query anyone would type.
pub const QUERY_MAX_CHARS: usize = 200;

/// What the runtime must do after an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    None,
    Quit,
    /// Give the terminal back and stop until the shell's `fg`.
    Suspend,
    /// Write `contents` to `path` (atomically), then tell the app how it went with
    /// [`App::notify`].
    Write {
        path: PathBuf,
        contents: String,
    },
    /// Append a review to the history (one transaction).
    Record(crate::review::NewReview),
    /// Take back the last review of this card recorded in this run (undo).
    Unrecord(crate::review::CardId),
    /// Read the recent review log and hand it to [`App::show_stats`].
    LoadStats,
}

/// The screen under any overlay. The browse state lives on in [`App::browse`] while another
/// screen is up, so leaving that screen returns to where the reader was.
#[derive(Debug, Clone)]
pub enum Screen {
    Browse,
    Rounds(Box<RoundsScreen>),
    Quiz(Box<Quiz>),
}

/// Rounds, and what to restore when they end.
#[derive(Debug, Clone)]
pub struct RoundsScreen {
    pub rounds: Rounds,
    /// The theme before rounds switched to high contrast (restored on leaving).
    pub theme_before: Option<ThemeName>,
    /// Whether `Esc` returns to browsing (started from the app) or does nothing (`rounds`).
    pub from_app: bool,
}

/// When a changed search query is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchMode {
    /// In `update`, so every update leaves the hits current.
    Now,
    /// Once after a burst of keys, on the UI thread.
    Batched,
    /// On the runtime's worker thread (large libraries); the UI never waits.
    Worker,
}

/// What is drawn over the screen and takes its keys.
#[derive(Debug, Clone)]
pub enum Overlay {
    Search(SearchState),
    Help(HelpState),
    /// Review statistics (built from the history the runtime read for it).
    Stats(Box<StatsState>),
}

#[derive(Debug, Clone)]
pub struct StatsState {
    pub stats: crate::review::stats::Stats,
    pub scroll: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HelpState {
    pub scroll: usize,
}

pub struct App {
    pub lib: Arc<Library>,
    /// The search engine (index plus the last query's candidates, for typing speed); built on
    /// first use ([`App::searcher`]), so the first frame never waits for it.
    searcher: Option<Searcher>,
    pub theme: Theme,
    pub keymap: Keymap,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// The time of the last update (views that show time, such as a countdown, read it).
    pub now: SystemTime,
    /// The browse screen's state (kept while another screen is up).
    pub browse: Browse,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    /// A one-line notice for the footer; cleared by the next action.
    pub message: Option<String>,
    /// The last search closed, so `/` reopens it with its query and selection.
    pub last_search: Option<SearchState>,
    /// Cards, their states and the scheduler: what quiz sessions draw from.
    pub deck: Deck,
    /// A quiz paused while its card's trial is open in the browser (`Q` resumes it).
    pub paused_quiz: Option<Box<Quiz>>,
    /// When a changed query is scored: at once (tests, the default), once after a burst of
    /// keys ([`App::flush_search`]), or on the runtime's worker ([`App::take_search_request`]).
    pub search_mode: SearchMode,
    /// The query sequence number last handed to the worker.
    pub(crate) requested: Option<u64>,
}

impl App {
    /// A new app on `lib`: the trial list by phase, opened on the pack's landmark entry.
    pub fn new(lib: Library, theme: ThemeName) -> App {
        let browse = Browse::new(&lib);
        let mut deck = Deck::lazy(
            std::collections::HashMap::new(),
            crate::review::Scheduler::default(),
        );
        deck.saving = false;
        App {
            deck,
            paused_quiz: None,
            search_mode: SearchMode::Now,
            requested: None,
            lib: Arc::new(lib),
            searcher: None,
            theme: Theme::new(theme),
            keymap: Keymap::default(),
            size: (80, 24),
            now: SystemTime::UNIX_EPOCH,
            browse,
            screen: Screen::Browse,
            overlay: None,
            message: None,
            last_search: None,
        }
    }

    /// The search engine, built now if it has not been yet.
    pub fn searcher(&mut self) -> &mut Searcher {
        let lib = &self.lib;
        self.searcher.get_or_insert_with(|| {
            // Large libraries are scored on the machine's cores (measured: ~2× at 10,000
            // trials on 2 cores); small ones stay on one thread (see search::PARALLEL_MIN).
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
            Searcher::new(SearchIndex::build(Arc::clone(lib))).with_threads(cores)
        })
    }

    /// The search engine if it is built (views only read; search opens build it).
    pub fn searcher_ready(&self) -> Option<&Searcher> {
        self.searcher.as_ref()
    }

    /// Use a keymap other than the defaults.
    pub fn with_keymap(mut self, keymap: Keymap) -> App {
        self.keymap = keymap;
        self
    }

    pub fn browse(&self) -> &Browse {
        &self.browse
    }

    pub fn browse_mut(&mut self) -> &mut Browse {
        &mut self.browse
    }

    /// Start teaching rounds on `entry` (from the command line: `Esc` will not leave them).
    pub fn start_rounds(&mut self, entry: usize, opts: RoundsOptions, from_app: bool) {
        let rounds = Rounds::new(&self.lib, entry, opts, self.now);
        let theme_before = (self.theme.name != ThemeName::HighContrast).then_some(self.theme.name);
        if from_app {
            self.theme = Theme::new(ThemeName::HighContrast);
        }
        self.screen = Screen::Rounds(Box::new(RoundsScreen {
            rounds,
            theme_before: if from_app { theme_before } else { None },
            from_app,
        }));
    }

    /// Attach the review history read by the runtime: card states, whether grades are saved,
    /// the scheduler, and the learner's level (quizzes and the Discussion default to it).
    pub fn attach_history(
        &mut self,
        states: &std::collections::HashMap<String, crate::review::CardState>,
        scheduler: crate::review::Scheduler,
        saving: bool,
        level: Option<crate::content::Role>,
    ) {
        let mut deck = Deck::lazy(states.clone(), scheduler);
        deck.saving = saving;
        deck.level = level;
        self.deck = deck;
        self.browse.ceiling = level;
    }

    /// Start a quiz: a session from `filter`, or (`builder`) the session builder.
    pub fn start_quiz(&mut self, filter: crate::review::Filter, builder: bool) {
        self.deck.ensure(&self.lib);
        let quiz = if builder {
            Quiz::Building(Builder::new(&self.deck, filter))
        } else {
            Quiz::start(&self.deck, filter, self.now)
        };
        self.screen = Screen::Quiz(Box::new(quiz));
    }

    /// The quiz on screen, if any.
    pub fn quiz(&self) -> Option<&Quiz> {
        match &self.screen {
            Screen::Quiz(q) => Some(q),
            _ => None,
        }
    }

    /// The default quiz filter from where the reader is: the current trial and the role
    /// filter, else the learner's level.
    pub fn quiz_filter_here(&self) -> crate::review::Filter {
        let mut f = crate::review::Filter::default();
        if let Some(e) = self.browse.current() {
            f.trials.push(self.lib.entries[e].id.to_string());
        }
        match (self.browse.role, self.deck.level) {
            (Some(r), _) => f.roles.push(r),
            (None, Some(level)) => f.roles = crate::review::roles_up_to(level),
            (None, None) => {}
        }
        f
    }

    /// The round on screen, if any.
    pub fn rounds(&self) -> Option<&Rounds> {
        match &self.screen {
            Screen::Rounds(r) => Some(&r.rounds),
            _ => None,
        }
    }

    /// Whether the screen shows a running clock (the runtime then sends `Tick`s).
    pub fn ticking(&self) -> bool {
        self.rounds().is_some_and(|r| r.timer.running())
    }

    /// The handout to write when the session ends (rounds started with `--handout FILE`).
    pub fn final_handout(&self) -> Option<(PathBuf, String)> {
        let r = self.rounds()?;
        Some((r.handout.clone()?, r.handout(&self.lib)))
    }

    /// Show review statistics from the recent review log (read by the runtime).
    pub fn show_stats(&mut self, reviews: &[crate::review::store::ReviewRow]) {
        self.deck.ensure(&self.lib);
        let d = &self.deck;
        let stats = crate::review::stats::compute(
            &d.cards,
            &d.index,
            &d.states,
            reviews,
            &d.names,
            quiz::unix(self.now),
            0,
        );
        self.overlay = Some(Overlay::Stats(Box::new(StatsState { stats, scroll: 0 })));
    }

    /// A notice from the runtime (e.g. whether a file was written).
    pub fn notify(&mut self, message: String) {
        self.message = Some(message);
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
            Some(Overlay::Help(_)) | Some(Overlay::Stats(_)) => Context::Help,
            Some(Overlay::Search(_)) => Context::Search,
            None => match &self.screen {
                Screen::Browse => match self.browse.focus {
                    Focus::List => Context::List,
                    Focus::Detail => Context::Detail,
                },
                Screen::Rounds(_) => Context::Rounds,
                Screen::Quiz(_) => Context::Quiz,
            },
        }
    }

    /// Whether an action does something in the current state (the footer shows only those).
    pub fn acts(&self, action: &Action) -> bool {
        match (&self.overlay, &self.screen) {
            (Some(_), _) => true,
            (None, Screen::Rounds(r)) => match action {
                Action::Reveal => r.rounds.question().is_some() && !r.rounds.full(),
                Action::Learner => !r.rounds.learners.is_empty(),
                Action::Up => r.rounds.at > 0,
                Action::Down => r.rounds.at + 1 < r.rounds.steps.len(),
                _ => true,
            },
            (None, Screen::Quiz(q)) => quiz_acts(q, &self.deck, &self.lib, action),
            (None, Screen::Browse) => self.browse.acts(&self.lib, action),
        }
    }

    /// The footer's hints: (keys, word) of the bindings that act here.
    pub fn hints(&self) -> Vec<(String, &'static str)> {
        self.keymap
            .hints(self.context())
            .into_iter()
            .filter(|b| self.acts(&b.action))
            .map(|b| (b.label(), self.hint_word(&b.action, b.hint)))
            .collect()
    }

    /// The footer's word for an action where the screen gives it another meaning.
    fn hint_word(&self, action: &Action, word: &'static str) -> &'static str {
        match (self.quiz(), action) {
            (Some(Quiz::Building(_)), Action::Reveal) => "toggle",
            (Some(Quiz::Building(_)), Action::Open) => "start",
            (Some(Quiz::Building(_)), Action::Back) => "leave",
            (Some(Quiz::Done { .. }), Action::Open) => "new session",
            (Some(Quiz::Done { .. }), Action::Back) => "leave",
            (None, Action::OpenQuiz) if self.paused_quiz.is_some() => "back to quiz",
            (None, Action::Down)
                if matches!(self.screen, Screen::Browse)
                    && self.browse.focus == Focus::Detail
                    && !self.browse.section.has_items() =>
            {
                "scroll"
            }
            _ => word,
        }
    }

    /// Apply one action at time `now`.
    pub fn update(&mut self, action: Action, now: SystemTime) -> Effect {
        self.now = now;
        if action == Action::Tick {
            return Effect::None;
        }
        // A resize (the first one comes before the first frame) keeps the message: a notice
        // given at start, such as why grades are not saved, must be seen.
        if !matches!(action, Action::Resize(..)) {
            self.message = None;
        }
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
            Some(Overlay::Stats(mut st)) => {
                let page = crate::tui::layout::help_body(self.size).height.max(1) as usize;
                match action {
                    Action::Back | Action::Click(..) | Action::OpenStats => {}
                    a => {
                        st.scroll = match a {
                            Action::Down | Action::ScrollDown(..) => st.scroll + 1,
                            Action::Up | Action::ScrollUp(..) => st.scroll.saturating_sub(1),
                            Action::PageDown => st.scroll + page,
                            Action::PageUp => st.scroll.saturating_sub(page),
                            Action::Top => 0,
                            _ => st.scroll,
                        };
                        self.overlay = Some(Overlay::Stats(st));
                    }
                }
            }
            Some(Overlay::Search(s)) => {
                self.update_search(s, action);
                if matches!(self.overlay, Some(Overlay::Search(_))) {
                    // Still searching: the browser under the overlay has not changed, so
                    // there is nothing to settle (a burst of typed keys stays cheap).
                    return Effect::None;
                }
            }
            None => match action {
                Action::OpenHelp => self.overlay = Some(Overlay::Help(HelpState::default())),
                Action::OpenStats if !matches!(self.screen, Screen::Rounds(_)) => {
                    // Personal history is never shown in rounds.
                    return Effect::LoadStats;
                }
                Action::OpenSearch if matches!(self.screen, Screen::Browse) => self.open_search(),
                action => {
                    let effect = self.update_screen(action, now);
                    self.settle();
                    return effect;
                }
            },
        }
        self.settle();
        Effect::None
    }

    fn update_screen(&mut self, action: Action, now: SystemTime) -> Effect {
        match &mut self.screen {
            Screen::Quiz(q) => {
                if action == Action::OpenStats {
                    self.message =
                        Some("statistics: run `trialdeck stats` (in-app view coming)".into());
                    return Effect::None;
                }
                // A click on a key point ticks it (the same lines the view draws).
                let action = match (action, &**q) {
                    (Action::Click(x, y), Quiz::Running(s)) if s.face == Face::Back => {
                        let body = crate::tui::layout::quiz_body(self.size);
                        let top = quiz::card_top(&self.lib, &self.deck, s, body.width, &self.theme);
                        let line = y.checked_sub(body.y).map(usize::from);
                        match line.and_then(|l| top.points.iter().position(|r| r.contains(&l))) {
                            Some(i) if crate::tui::layout::contains(body, x, y) => {
                                Action::TickPoint(i as u8 + 1)
                            }
                            _ => Action::Click(x, y),
                        }
                    }
                    (a, _) => a,
                };
                match q.update(&mut self.deck, &self.lib, action, now) {
                    quiz::QuizOut::None => Effect::None,
                    quiz::QuizOut::Message(m) => {
                        self.message = Some(m);
                        Effect::None
                    }
                    quiz::QuizOut::Record(r) if self.deck.saving => Effect::Record(r),
                    quiz::QuizOut::Record(_) => Effect::None,
                    quiz::QuizOut::Unrecord(c) if self.deck.saving => Effect::Unrecord(c),
                    quiz::QuizOut::Unrecord(_) => Effect::None,
                    quiz::QuizOut::OpenEntry(e) => {
                        let Screen::Quiz(q) = std::mem::replace(&mut self.screen, Screen::Browse)
                        else {
                            return Effect::None;
                        };
                        self.paused_quiz = Some(q);
                        let from = self.browse.place();
                        self.browse.history.push(from);
                        self.browse.go(Place {
                            entry: e,
                            focus: Focus::Detail,
                            section: Section::Overview,
                            scroll: 0,
                            item: 0,
                        });
                        self.message = Some("Q returns to the quiz".into());
                        Effect::None
                    }
                    quiz::QuizOut::Leave => {
                        self.screen = Screen::Browse;
                        Effect::None
                    }
                }
            }
            Screen::Browse => {
                if action == Action::OpenQuiz {
                    match self.paused_quiz.take() {
                        Some(q) => self.screen = Screen::Quiz(q),
                        None => {
                            let f = self.quiz_filter_here();
                            self.start_quiz(f, true);
                        }
                    }
                    return Effect::None;
                }
                if action == Action::OpenStats {
                    self.message =
                        Some("statistics: run `trialdeck stats` (in-app view coming)".into());
                    return Effect::None;
                }
                if action == Action::OpenRounds {
                    match self.browse.current() {
                        Some(e) if !self.lib.entries[e].questions.is_empty() => {
                            let opts = RoundsOptions {
                                roles: self.browse.role.into_iter().collect(),
                                ..RoundsOptions::default()
                            };
                            self.start_rounds(e, opts, true);
                        }
                        _ => {
                            self.message =
                                Some("this entry has no discussion questions for rounds".into())
                        }
                    }
                    return Effect::None;
                }
                self.message = self
                    .browse
                    .update(&self.lib, &self.theme, self.size, action);
                Effect::None
            }
            Screen::Rounds(r) => {
                if action == Action::Back {
                    if r.from_app {
                        if let Some(t) = r.theme_before {
                            self.theme = Theme::new(t);
                        }
                        self.screen = Screen::Browse;
                    } else {
                        self.message = Some("q ends the round".into());
                    }
                    return Effect::None;
                }
                let (message, write) = r.rounds.update(action, now);
                self.message = message;
                if write {
                    let path = r.rounds.handout.clone().unwrap_or_else(|| {
                        PathBuf::from(format!(
                            "{}-handout.md",
                            self.lib.entries[r.rounds.entry].id
                        ))
                    });
                    return Effect::Write {
                        path,
                        contents: r.rounds.handout(&self.lib),
                    };
                }
                Effect::None
            }
        }
    }

    /// Keep scroll positions within what there is to show at the current size.
    fn settle(&mut self) {
        self.browse.clamp(&self.lib, &self.theme, self.size);
        if let Some(Overlay::Help(h)) = &mut self.overlay {
            h.scroll = h.scroll.min(help_max_scroll(&self.keymap, self.size));
        }
    }

    fn update_help(&mut self, mut h: HelpState, action: Action) {
        let page = crate::tui::layout::help_body(self.size).height.max(1) as usize;
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

/// Whether an action does something on the quiz screen now (for the footer).
fn quiz_acts(q: &Quiz, deck: &Deck, lib: &Library, action: &Action) -> bool {
    match q {
        Quiz::Building(_) => matches!(
            action,
            Action::Open
                | Action::Reveal
                | Action::Back
                | Action::OpenHelp
                | Action::Quit
                | Action::Down
                | Action::Up
        ),
        Quiz::Running(s) => {
            let back = s.face == Face::Back;
            let points = s
                .card()
                .and_then(|c| Quiz::text(deck, lib, c))
                .map_or(0, |t| t.key_points.len());
            match action {
                Action::Reveal => !back,
                Action::NextPoint => !back && points > 0,
                Action::TickPoint(n) => back && (*n as usize) <= points,
                Action::Open | Action::Grade(_) => back,
                Action::Undo => !s.reviews.is_empty(),
                Action::DrillMissed | Action::Down | Action::Up => false,
                _ => true,
            }
        }
        Quiz::Done {
            summary, session, ..
        } => match action {
            Action::DrillMissed => !summary.missed.is_empty(),
            Action::Undo => !session.reviews.is_empty(),
            Action::Open | Action::Back | Action::OpenHelp | Action::Quit => true,
            _ => false,
        },
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
    if !crate::tui::layout::help_two_columns(size) {
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
    let h = crate::tui::layout::help_body(size).height as usize;
    let longest = help_lines(keymap, size)
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0);
    crate::tui::layout::max_top(longest, h)
}
