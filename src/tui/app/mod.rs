//! App state and `update(action, now) -> Effect`: the only place state changes.
//!
//! The app is a [`Screen`] (browsing today; quiz and rounds plug in beside it) with at most one
//! [`Overlay`] over it (search, help). `update` never touches I/O or the clock: time comes in
//! as `now`, and what must happen outside (quit, suspend, later "record this review") goes out
//! as an [`Effect`] the runtime carries out. Geometry comes from [`crate::tui::layout`] and the
//! lines of the detail panel from [`crate::tui::lines::document`], the same code the views draw with, so
//! scroll bounds and clicks never depend on the last frame.

mod browse;
pub mod cards;
pub mod quiz;
pub mod rounds;
mod search;

pub use crate::doc::Section;
pub use crate::tui::layout::Focus;
pub use browse::{Browse, Place, Sort};
pub use cards::CardsBrowser;
pub use quiz::{Builder, BuilderRow, Deck, Face, Idle, Quiz, Session};
pub use rounds::{Out as RoundsOut, Rounds, RoundsOptions, Side, Step, Timer};
pub use search::SearchState;

use crate::content::Library;
use crate::search::Searcher;
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

/// What the runtime must do after an update: everything the runtime does for the app is one
/// of these, and what comes of it returns through [`App::receive`] as a [`Reply`].
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    None,
    /// End the session (the runtime then asks [`App::at_exit`] for what the session leaves).
    Quit,
    /// Give the terminal back and stop until the shell's `fg`.
    Suspend,
    /// Write `contents` to `path` (atomically); answered by [`Reply::Wrote`]. `what` names
    /// the file for the notice ("the handout"). Without `replace`, an existing file is left
    /// alone and the write refused ([`WriteFailure::Exists`]).
    Write {
        path: PathBuf,
        contents: String,
        what: &'static str,
        replace: bool,
    },
    /// Send the room this (a presenter's key); answered by [`Reply::Told`] when it fails.
    Tell(crate::link::ToRoom),
    /// Append a review to the history (one transaction); answered by [`Reply::Recorded`]
    /// with the same `token`.
    Record {
        token: u64,
        review: crate::review::NewReview,
    },
    /// Take back exactly this review of the history; answered by [`Reply::Undone`].
    Undo {
        review_id: i64,
    },
    /// Read the recent review log; answered by [`Reply::History`].
    LoadStats,
    /// Suspend, unsuspend, bury or reset cards (ids); answered by [`Reply::Cards`].
    Cards {
        op: crate::review::CardOp,
        cards: Vec<String>,
    },
    /// Score this query; answered by [`Reply::Searched`] with the same `seq` (a newer query
    /// may supersede it first: the runtime scores only the newest of a burst).
    Search {
        seq: u64,
        query: String,
    },
}

/// What the runtime hands back: the answer to an [`Effect`], or time passing.
pub enum Reply {
    /// Time passed (while [`App::wake_after`] asks for it: a countdown runs).
    Tick,
    /// The search index is built: a searcher sharing it, for highlighting what is on screen.
    SearchReady(Searcher),
    /// The hits of query `seq`.
    Searched {
        seq: u64,
        hits: Vec<crate::search::Hit>,
    },
    /// A review was recorded (with its log id and the card's state as the store computed
    /// it), or it was not.
    Recorded {
        token: u64,
        result: Result<crate::review::store::Recorded, String>,
    },
    /// A review was taken back: the card's state now (`None`: new again), or why not.
    Undone {
        review_id: i64,
        result: Result<Option<crate::review::CardState>, String>,
    },
    /// A file was written (where, as a full path), or why not.
    Wrote {
        path: PathBuf,
        what: &'static str,
        result: Result<PathBuf, WriteFailure>,
    },
    /// Something happened on the presenter link (a presenter joined, a key from it, the
    /// room's state, the room gone).
    Link(LinkEvent),
    /// A message for the room could not be sent.
    Told(Result<(), String>),
    /// The recent review log, for statistics.
    History(Result<Vec<crate::review::store::ReviewRow>, String>),
    /// Cards were changed (their flags and states now), or why not.
    Cards {
        op: crate::review::CardOp,
        result: Result<Vec<crate::review::store::CardChange>, String>,
    },
    /// The packs' files changed since the images the first frame was drawn from (the runtime
    /// looked after that frame): the packs as loaded again, or what is wrong with them now.
    PackChanged {
        result: Result<Box<Library>, String>,
        /// Warnings loading it again gave (the terminal is the app's: they cannot be printed).
        warnings: usize,
    },
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reply::Tick => write!(f, "Tick"),
            Reply::SearchReady(_) => write!(f, "SearchReady"),
            Reply::Searched { seq, hits } => write!(f, "Searched({seq}, {} hits)", hits.len()),
            Reply::Recorded { token, result } => write!(f, "Recorded({token}, {result:?})"),
            Reply::Undone { review_id, result } => write!(f, "Undone({review_id}, {result:?})"),
            Reply::Wrote { path, result, .. } => {
                write!(f, "Wrote({}, {result:?})", path.display())
            }
            Reply::History(r) => write!(f, "History({:?})", r.as_ref().map(Vec::len)),
            Reply::Link(e) => write!(f, "Link({e:?})"),
            Reply::Told(r) => write!(f, "Told({r:?})"),
            Reply::Cards { op, result } => {
                write!(f, "Cards({op:?}, {:?})", result.as_ref().map(Vec::len))
            }
            Reply::PackChanged { result, warnings } => write!(
                f,
                "PackChanged({:?}, {warnings} warnings)",
                result.as_ref().map(|l| l.entries.len())
            ),
        }
    }
}

/// Why a file was not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteFailure {
    /// A file is there already and was not to be replaced.
    Exists,
    Other(String),
}

/// What the presenter link hands the app: at the room's end, or at a presenter's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEvent {
    Room(crate::link::RoomEvent),
    Presenter(crate::link::PresenterEvent),
}

/// The screen under any overlay. The browse state lives on in [`App::browse`] while another
/// screen is up, so leaving that screen returns to where the reader was.
#[derive(Debug, Clone)]
pub enum Screen {
    Browse,
    Rounds(Box<RoundsScreen>),
    Quiz(Box<Quiz>),
    /// The card browser, and the screen it returns to.
    Cards(Box<CardsScreen>),
}

/// The card browser and what was on screen before it.
#[derive(Debug, Clone)]
pub struct CardsScreen {
    pub browser: CardsBrowser,
    pub back: Screen,
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
    /// A searcher sharing the runtime's search index, for highlighting the hits on screen
    /// (scoring is the runtime's: [`Effect::Search`]); `None` until the index is built.
    highlighter: Option<Searcher>,
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
    /// Numbers the grades sent to the store, so each answer finds its grade.
    next_token: u64,
    /// The quiz was started from the command line: leaving it ends the program, back to the
    /// shell, rather than opening the browser.
    pub quit_after_quiz: bool,
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
            next_token: 0,
            quit_after_quiz: false,
            lib: Arc::new(lib),
            highlighter: None,
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

    /// The styles and keys that lines are laid out with.
    pub fn look(&self) -> crate::tui::lines::Look<'_> {
        look(&self.theme, &self.keymap)
    }

    /// The searcher for highlighting hits, once the runtime has built the index.
    pub fn highlighter(&self) -> Option<&Searcher> {
        self.highlighter.as_ref()
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
            Quiz::Building(Builder::new(&self.deck, filter, self.now))
        } else {
            Quiz::start(&self.deck, filter, self.now)
        };
        self.screen = Screen::Quiz(Box::new(quiz));
    }

    /// Open the card browser over the current screen.
    pub fn open_cards(&mut self) {
        self.deck.ensure(&self.lib);
        let browser = CardsBrowser::new(&self.deck, &self.lib, self.now);
        let back = std::mem::replace(&mut self.screen, Screen::Browse);
        self.screen = Screen::Cards(Box::new(CardsScreen { browser, back }));
    }

    /// The card browser on screen, if any.
    pub fn cards(&self) -> Option<&CardsBrowser> {
        match &self.screen {
            Screen::Cards(c) => Some(&c.browser),
            _ => None,
        }
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

    /// How long the runtime may wait before it should send a [`Reply::Tick`]: while a
    /// countdown runs, until its next whole second; otherwise `None` (wait for input).
    pub fn wake_after(&self, now: SystemTime) -> Option<std::time::Duration> {
        let r = self.rounds()?;
        if r.is_presenter() {
            // The presenter's clock shows the round's time passing: every whole second.
            let part = now
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default()
                .subsec_nanos();
            let to_next = std::time::Duration::from_nanos(1_000_000_000 - part as u64);
            return Some(to_next.max(std::time::Duration::from_millis(1)));
        }
        let timer = Some(r.timer).filter(|t| t.running())?;
        let left = timer.remaining(now);
        if left.is_zero() {
            // It has run out and says so; nothing moves any more.
            return None;
        }
        // Until the shown whole second changes (a part second shows as the next one up).
        let part = left.subsec_nanos();
        let to_next = if part == 0 {
            std::time::Duration::from_secs(1)
        } else {
            std::time::Duration::from_nanos(part as u64)
        };
        Some(to_next.max(std::time::Duration::from_millis(1)))
    }

    /// What the session leaves when it ends, however it ends (quit, a signal, a closed
    /// terminal): the handout of a round started with `--handout FILE`.
    pub fn at_exit(&mut self) -> Effect {
        let Some(r) = self.rounds() else {
            return Effect::None;
        };
        match r.handout.clone() {
            Some(path) => Effect::Write {
                contents: r.handout(&self.lib),
                path,
                what: "the handout",
                replace: true,
            },
            None => Effect::None,
        }
    }

    /// Show review statistics from the recent review log (read by the runtime).
    pub fn show_stats(&mut self, reviews: &[crate::review::store::ReviewRow]) {
        self.deck.ensure(&self.lib);
        let d = &self.deck;
        let stats = crate::review::stats::compute(
            &d.cards,
            &d.index,
            &d.states,
            &d.flags,
            reviews,
            &d.names,
            &d.today(self.now),
        );
        self.overlay = Some(Overlay::Stats(Box::new(StatsState { stats, scroll: 0 })));
    }

    /// A notice for the footer, set while wiring the app up before it runs (a broken config
    /// file, a read-only history). While it runs, notices come with [`App::receive`].
    pub fn notify(&mut self, message: String) {
        self.message = Some(crate::content::sanitize::clean(&message));
    }

    /// The packs changed on disk after the first frame was drawn from their images: browse
    /// the library loaded again from now on, on the same entry. A quiz, a round or the card
    /// browser keeps the library it started with (its cards and their order came from it),
    /// and so does a pack that no longer loads; the footer says what to do.
    fn pack_changed(&mut self, result: Result<Box<Library>, String>, warnings: usize) {
        let lib = match result {
            Ok(lib) => lib,
            Err(e) => {
                self.notify(format!(
                    "the pack changed on disk and no longer loads ({e}); showing it as it was \
                     — run `trialdeck check` to see why"
                ));
                return;
            }
        };
        if !matches!(self.screen, Screen::Browse) || self.paused_quiz.is_some() {
            self.notify(
                "the pack changed on disk after it was opened: quit and reopen to see the change"
                    .into(),
            );
            return;
        }
        let lib = Arc::new(*lib);
        let old = &self.browse;
        let id = old
            .current()
            .map(|i| self.lib.entries.row(i).id.to_string());
        let mut b = Browse::new(&lib);
        b.sort = old.sort;
        b.role = old.role;
        b.ceiling = old.ceiling;
        b.revealed = old.revealed.clone();
        b.resort(&lib);
        if let Some(row) = id
            .and_then(|id| lib.index_of(&id))
            .and_then(|i| b.order.iter().position(|&x| x == i))
        {
            b.list_sel = row;
            b.focus = old.focus;
            b.section = old.section;
            b.scroll = old.scroll;
            b.item = old.item;
        }
        self.browse = b;
        self.lib = lib;
        self.highlighter = None;
        self.deck.rebase();
        let warned = match warnings {
            0 => String::new(),
            n => format!(
                " ({}: `trialdeck check` lists them)",
                crate::format::count(n, "warning", "warnings")
            ),
        };
        self.notify(format!(
            "reloaded: the pack's files changed since it was last opened{warned}"
        ));
    }

    /// What the runtime hands back (the answer to an [`Effect`], or time passing): the one
    /// way anything outside [`App::update`] reaches the app's state. Returns what the runtime
    /// must do next, as `update` does.
    pub fn receive(&mut self, reply: Reply, now: SystemTime) -> Effect {
        self.now = now;
        let mut effect = Effect::None;
        match reply {
            Reply::Tick => {}
            Reply::SearchReady(s) => self.highlighter = Some(s),
            Reply::Searched { seq, hits } => effect = self.searched(seq, hits, now),
            Reply::Recorded { token, result } => {
                let quiz = match &mut self.screen {
                    Screen::Quiz(q) => Some(&mut **q),
                    _ => self.paused_quiz.as_deref_mut(),
                };
                if let Some(q) = quiz {
                    let (message, out) = q.recorded(&mut self.deck, token, result, now);
                    if let Some(m) = message {
                        self.message = Some(crate::content::sanitize::clean(&m));
                    }
                    match out {
                        quiz::QuizOut::Undo(review_id) => effect = Effect::Undo { review_id },
                        quiz::QuizOut::Retry(review) => {
                            let token = self.next_token;
                            self.next_token += 1;
                            q.sent(token, true);
                            effect = Effect::Record { token, review };
                        }
                        _ => {}
                    }
                }
            }
            Reply::Undone { review_id, result } => {
                let quiz = match &mut self.screen {
                    Screen::Quiz(q) => Some(&mut **q),
                    _ => self.paused_quiz.as_deref_mut(),
                };
                if let Some(m) = quiz.and_then(|q| q.undone(&mut self.deck, review_id, result)) {
                    self.message = Some(crate::content::sanitize::clean(&m));
                }
            }
            Reply::Wrote { path, what, result } => {
                if let (Screen::Rounds(rs), Err(WriteFailure::Exists)) = (&mut self.screen, &result)
                    && rs.rounds.handout_made.is_none()
                    && rs.rounds.handout.is_none()
                    && rs.rounds.handout_try < 1000
                {
                    // Never over an existing file: the next free name.
                    rs.rounds.handout_try += 1;
                    return self.write_handout();
                }
                let m = match &result {
                    Ok(full) => format!("wrote {what} to {}", full.display()),
                    Err(WriteFailure::Exists) => {
                        format!("did not write {what}: {} is there already", path.display())
                    }
                    Err(WriteFailure::Other(e)) => {
                        format!("could not write {what} to {}: {e}", path.display())
                    }
                };
                let m = crate::content::sanitize::clean(&m);
                if let Screen::Rounds(rs) = &mut self.screen {
                    let r = &mut rs.rounds;
                    if result.is_ok() && r.handout.is_none() && r.handout_made.is_none() {
                        r.handout_made = Some(path.clone());
                    }
                    // The presenters hear of it too.
                    let n = r.notice.as_ref().map_or(1, |(n, _)| n + 1);
                    r.notice = Some((n, m.clone()));
                }
                self.message = Some(m);
            }
            Reply::PackChanged { result, warnings } => self.pack_changed(result, warnings),
            Reply::Link(ev) => effect = self.linked(ev, now),
            Reply::Told(result) => {
                if let Err(e) = result {
                    self.message = Some(crate::content::sanitize::clean(&format!(
                        "the room did not get that key: {e}"
                    )));
                }
            }
            Reply::Cards { op, result } => match result {
                Ok(changes) => {
                    for ch in &changes {
                        if let Some(i) = self.deck.index.get(&ch.card) {
                            self.deck.flags[i] = ch.flags;
                            self.deck.states[i] = ch.state;
                        }
                    }
                    let n = changes.len();
                    self.message = Some(format!(
                        "{} {}",
                        crate::format::count(n, "card", "cards"),
                        op.verb()
                    ));
                    // A session (on screen, under the card browser, or paused) leaves out
                    // the cards just suspended or buried.
                    match &mut self.screen {
                        Screen::Cards(c) => {
                            c.browser.refilter(&self.deck, &self.lib, now);
                            if let Screen::Quiz(q) = &mut c.back {
                                q.card_changed(&self.deck, now);
                            }
                        }
                        Screen::Quiz(q) => q.card_changed(&self.deck, now),
                        _ => {}
                    }
                    if let Some(q) = self.paused_quiz.as_deref_mut() {
                        q.card_changed(&self.deck, now);
                    }
                }
                Err(e) => {
                    self.message = Some(crate::content::sanitize::clean(&format!(
                        "the card was NOT changed: {e}"
                    )))
                }
            },
            Reply::History(rows) => {
                let rows = rows.unwrap_or_else(|e| {
                    self.message = Some(crate::content::sanitize::clean(&format!(
                        "cannot read the review history: {e}"
                    )));
                    Vec::new()
                });
                self.show_stats(&rows);
            }
        }
        self.settle();
        effect
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
                Screen::Cards(c) if c.browser.typing => Context::Search,
                Screen::Cards(_) => Context::Cards,
            },
        }
    }

    /// Whether an action does something in the current state (the footer shows only those).
    pub fn acts(&self, action: &Action) -> bool {
        match (&self.overlay, &self.screen) {
            (Some(_), _) => true,
            (None, Screen::Rounds(r)) => self.rounds_acts(&r.rounds, action),
            (None, Screen::Quiz(q)) => quiz_acts(q, &self.deck, &self.lib, action),
            (None, Screen::Cards(c)) => match action {
                Action::SuspendCard | Action::Bury | Action::ResetCard | Action::OpenEntry => {
                    c.browser.selected().is_some()
                }
                // While typing the filter, the search keys that edit or end it.
                Action::SearchToggleReveal | Action::PageDown | Action::PageUp => !c.browser.typing,
                _ => true,
            },
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
        let back = |q: &Quiz| matches!(q, Quiz::Running(s) if s.face == Face::Back);
        if let (Screen::Cards(c), Action::SuspendCard) = (&self.screen, action)
            && c.browser
                .selected()
                .is_some_and(|i| self.deck.flags[i].suspended)
        {
            return "unsuspend";
        }
        if let (Screen::Cards(c), Action::Open | Action::Back) = (&self.screen, action)
            && c.browser.typing
        {
            return "done";
        }
        match (self.quiz(), action) {
            (Some(Quiz::Running(s)), Action::Reveal) if s.confirm.is_some() => "confirm",
            (Some(q), Action::Reveal) if back(q) => "good",
            (Some(Quiz::Idle(_)), Action::Open) => "new cards",
            (Some(Quiz::Idle(_) | Quiz::Building(_) | Quiz::Done { .. }), Action::Back)
                if self.quit_after_quiz =>
            {
                "to the shell"
            }
            (Some(Quiz::Idle(_)), Action::Back) => "leave",
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
        let effect = match self.overlay.take() {
            Some(Overlay::Help(h)) => {
                self.update_help(h, action);
                Effect::None
            }
            Some(Overlay::Stats(st)) => {
                self.update_stats(st, action);
                Effect::None
            }
            Some(Overlay::Search(s)) => {
                let effect = self.update_search(s, action);
                if matches!(self.overlay, Some(Overlay::Search(_))) {
                    // Still searching: the browser under the overlay has not changed, so
                    // there is nothing to settle (a burst of typed keys stays cheap).
                    return effect;
                }
                effect
            }
            None => match action {
                Action::OpenHelp => {
                    self.overlay = Some(Overlay::Help(HelpState::default()));
                    Effect::None
                }
                // Personal history is never shown in rounds.
                Action::OpenStats if !matches!(self.screen, Screen::Rounds(_)) => Effect::LoadStats,
                Action::OpenSearch if matches!(self.screen, Screen::Browse) => self.open_search(),
                action => self.update_screen(action, now),
            },
        };
        self.settle();
        effect
    }

    fn update_screen(&mut self, action: Action, now: SystemTime) -> Effect {
        match &mut self.screen {
            Screen::Quiz(_) if action == Action::OpenCards => {
                self.open_cards();
                Effect::None
            }
            Screen::Quiz(q) => {
                // A click on a key point ticks it (the same lines the view draws).
                let action = match (action, &**q) {
                    (Action::Click(x, y), Quiz::Running(s)) if s.face == Face::Back => {
                        let body = crate::tui::layout::quiz_body(self.size);
                        let top = crate::tui::lines::quiz::card_top(
                            &self.lib,
                            &self.deck,
                            s,
                            body.width,
                            &self.theme,
                            &self.keymap,
                        );
                        // The back scrolls as one, card top included (see ui::quiz).
                        let line = y.checked_sub(body.y).map(|l| usize::from(l) + s.scroll);
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
                    quiz::QuizOut::Record(review) => {
                        let token = self.next_token;
                        self.next_token += 1;
                        q.sent(token, false);
                        Effect::Record { token, review }
                    }
                    quiz::QuizOut::Retry(review) => {
                        let token = self.next_token;
                        self.next_token += 1;
                        q.sent(token, true);
                        Effect::Record { token, review }
                    }
                    quiz::QuizOut::Card(op, card) => Effect::Cards {
                        op,
                        cards: vec![self.deck.cards[card].id.0.clone()],
                    },
                    quiz::QuizOut::Undo(review_id) => Effect::Undo { review_id },
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
                        self.message = Some(format!(
                            "{} returns to the quiz",
                            self.keymap.key_for(Context::Detail, &Action::OpenQuiz)
                        ));
                        Effect::None
                    }
                    quiz::QuizOut::Leave if self.quit_after_quiz => Effect::Quit,
                    quiz::QuizOut::Leave => {
                        self.screen = Screen::Browse;
                        Effect::None
                    }
                }
            }
            Screen::Cards(c) => {
                let page = crate::tui::layout::quiz_body(self.size).height.max(1) as usize;
                match c.browser.update(&self.deck, &self.lib, action, now, page) {
                    cards::CardsOut::None => Effect::None,
                    cards::CardsOut::Message(m) => {
                        self.message = Some(m);
                        Effect::None
                    }
                    cards::CardsOut::Op(op, i) => Effect::Cards {
                        op,
                        cards: vec![self.deck.cards[i].id.0.clone()],
                    },
                    cards::CardsOut::Open(e) => {
                        let Screen::Cards(c) = std::mem::replace(&mut self.screen, Screen::Browse)
                        else {
                            return Effect::None;
                        };
                        if let Screen::Quiz(q) = c.back {
                            self.paused_quiz = Some(q);
                        }
                        let from = self.browse.place();
                        self.browse.history.push(from);
                        self.browse.go(Place {
                            entry: e,
                            focus: Focus::Detail,
                            section: Section::Overview,
                            scroll: 0,
                            item: 0,
                        });
                        Effect::None
                    }
                    cards::CardsOut::Leave => {
                        let Screen::Cards(c) = std::mem::replace(&mut self.screen, Screen::Browse)
                        else {
                            return Effect::None;
                        };
                        self.screen = c.back;
                        Effect::None
                    }
                }
            }
            Screen::Browse => {
                if action == Action::OpenCards {
                    self.open_cards();
                    return Effect::None;
                }
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
                self.message = self.browse.update(
                    &self.lib,
                    look(&self.theme, &self.keymap),
                    self.size,
                    action,
                );
                Effect::None
            }
            Screen::Rounds(r) => {
                let local = r.rounds.list.is_some() || r.rounds.goto.is_some();
                if action == Action::Back && !local {
                    if r.from_app {
                        if let Some(t) = r.theme_before {
                            self.theme = Theme::new(t);
                        }
                        self.screen = Screen::Browse;
                    } else {
                        self.message = Some(format!(
                            "{} ends the round",
                            self.keymap.key_for(Context::Rounds, &Action::Quit)
                        ));
                    }
                    return Effect::None;
                }
                let out = r.rounds.update(action, now);
                self.rounds_out(out)
            }
        }
    }

    /// What the app does with what a round's key asked.
    fn rounds_out(&mut self, out: RoundsOut) -> Effect {
        match out {
            RoundsOut::None => Effect::None,
            RoundsOut::Message(m) => {
                self.message = Some(m);
                Effect::None
            }
            RoundsOut::PressGoTo => {
                self.message = Some(format!(
                    "to go to a question, press {} and then its number",
                    self.keymap.key_for(Context::Rounds, &Action::GoTo)
                ));
                Effect::None
            }
            RoundsOut::Handout => self.write_handout(),
            RoundsOut::Tell { command, at, shown } => {
                Effect::Tell(crate::link::ToRoom::Do { command, at, shown })
            }
        }
    }

    /// Write the round's handout where it goes now (see [`Rounds::handout_target`]).
    fn write_handout(&mut self) -> Effect {
        let Screen::Rounds(r) = &self.screen else {
            return Effect::None;
        };
        let (path, replace) = r.rounds.handout_target();
        Effect::Write {
            path,
            contents: r.rounds.handout(&self.lib),
            what: "the handout",
            replace,
        }
    }

    /// A presenter joined or left the room, said something, or (on a presenter) the room
    /// sent its state or went away.
    fn linked(&mut self, ev: LinkEvent, now: SystemTime) -> Effect {
        use crate::link::{PresenterEvent as P, RoomEvent as R, ToPresenter, ToRoom};
        let lib = Arc::clone(&self.lib);
        let Screen::Rounds(rs) = &mut self.screen else {
            return Effect::None;
        };
        let r = &mut rs.rounds;
        match ev {
            LinkEvent::Room(R::Joined(_)) => {
                if let Side::Room { presenters } = &mut r.side {
                    *presenters += 1;
                }
                r.notes = false;
                self.message = Some("a presenter joined: the notes are on its screen".into());
            }
            LinkEvent::Room(R::Left(_)) => {
                if let Side::Room { presenters } = &mut r.side {
                    *presenters = presenters.saturating_sub(1);
                }
                self.message = Some("a presenter left".into());
            }
            LinkEvent::Room(R::Said(_, ToRoom::Hello { .. })) => {}
            LinkEvent::Room(R::Said(_, ToRoom::Resume(st))) => {
                if r.pristine && st.trial == r.doc.id && !st.pristine && r.adopt(&lib, &st).is_ok()
                {
                    r.pristine = false;
                    self.message = Some(format!(
                        "the round resumes where the presenter left it: {}",
                        r.where_label()
                    ));
                }
            }
            LinkEvent::Room(R::Said(_, ToRoom::Do { command, at, shown })) => {
                let out = r.apply_remote(command, at, shown, now);
                return self.rounds_out(out);
            }
            LinkEvent::Presenter(P::Lost) => {
                if let Side::Presenter { connected, .. } = &mut r.side {
                    *connected = false;
                }
                self.message =
                    Some("the room went away: waiting for it to come back (q quits)".into());
            }
            LinkEvent::Presenter(P::Connected(msg) | P::Got(msg)) => {
                let (st, hello) = match msg {
                    ToPresenter::Hello { state, .. } => (state, true),
                    ToPresenter::State(state) => (state, false),
                };
                if let Side::Presenter { connected, .. } = &mut r.side {
                    *connected = true;
                }
                // A room that restarted, not yet driven: it resumes from this presenter.
                if hello && st.pristine && !r.pristine && st.trial == r.doc.id {
                    self.message = Some("the room is back: it resumes on this card".into());
                    return Effect::Tell(ToRoom::Resume(Box::new(r.state())));
                }
                let seen = r.notice.as_ref().map(|(n, _)| *n);
                if let Err(e) = r.adopt(&lib, &st) {
                    self.message = Some(crate::content::sanitize::clean(&e));
                    return Effect::None;
                }
                match &st.notice {
                    Some((n, m)) if Some(*n) != seen => {
                        r.notice = st.notice.clone();
                        self.message = Some(crate::content::sanitize::clean(&format!("room: {m}")));
                    }
                    _ => {}
                }
                if hello {
                    self.message = Some("connected to the room".into());
                }
            }
        }
        Effect::None
    }

    /// Start a presenter's screen following the room `name`, from the room's greeting.
    pub fn start_presenter(
        &mut self,
        name: &str,
        state: &crate::link::RoundState,
    ) -> Result<(), String> {
        let entry = self.lib.index_of(&state.trial).ok_or_else(|| {
            format!(
                "the room is on `{}`, which is not in the packs the room named",
                state.trial
            )
        })?;
        let mut rounds = Rounds::new(&self.lib, entry, RoundsOptions::default(), self.now);
        rounds.side = Side::Presenter {
            name: name.to_string(),
            connected: true,
        };
        rounds.adopt(&self.lib, state)?;
        self.screen = Screen::Rounds(Box::new(RoundsScreen {
            rounds,
            theme_before: None,
            from_app: false,
        }));
        Ok(())
    }

    /// The round's state for the presenters, on the room's screen.
    pub fn round_state(&self) -> Option<crate::link::RoundState> {
        let r = self.rounds().filter(|r| !r.is_presenter())?;
        let mut st = r.state();
        st.room_size = self.size;
        Some(st)
    }

    /// Whether a key does something on the rounds screen now (for the footer).
    fn rounds_acts(&self, r: &Rounds, action: &Action) -> bool {
        let look = look(&self.theme, &self.keymap);
        match action {
            Action::Reveal => r.question().is_some() && !r.full(),
            Action::Learner => !r.learners.is_empty(),
            Action::Up => r.at > 0,
            Action::Down => r.at + 1 < r.steps.len(),
            Action::Notes => !r.is_presenter() && r.presenters() == 0,
            Action::NotesDown | Action::NotesUp => {
                let (lines, h) = rounds_notes_measure(&self.lib, r, self.size, self.now, look);
                if *action == Action::NotesUp {
                    r.notes_scroll > 0
                } else {
                    lines > h && r.notes_scroll < crate::tui::layout::max_top(lines, h)
                }
            }
            Action::CardDown | Action::CardUp => {
                let size = if r.is_presenter() {
                    r.room_size
                } else {
                    self.size
                };
                let (rows, h) = rounds_card_measure(&self.lib, r, size, self.now, look);
                if *action == Action::CardUp {
                    r.scroll > 0
                } else {
                    r.scroll < crate::tui::layout::max_top(rows, h)
                }
            }
            Action::GoTo => !r.questions.is_empty(),
            Action::Digit(_) => r.goto.is_some() || r.list.is_some(),
            _ => true,
        }
    }

    /// Keep scroll positions within what there is to show at the current size.
    fn settle(&mut self) {
        self.browse
            .clamp(&self.lib, look(&self.theme, &self.keymap), self.size);
        if let Screen::Rounds(rs) = &mut self.screen {
            let look = look(&self.theme, &self.keymap);
            let r = &mut rs.rounds;
            if !r.is_presenter() {
                r.room_size = self.size;
                let (rows, h) = rounds_card_measure(&self.lib, r, self.size, self.now, look);
                r.scroll = r.scroll.min(crate::tui::layout::max_top(rows, h));
            }
            let (lines, h) = rounds_notes_measure(&self.lib, r, self.size, self.now, look);
            r.notes_scroll = r.notes_scroll.min(crate::tui::layout::max_top(lines, h));
        }
        let body = crate::tui::layout::help_body(self.size);
        match &mut self.overlay {
            Some(Overlay::Help(h)) => {
                h.scroll = h.scroll.min(crate::tui::lines::help::help_max_scroll(
                    &self.keymap,
                    self.size,
                ));
            }
            Some(Overlay::Stats(st)) => {
                let n = crate::tui::lines::stats::lines(
                    &st.stats,
                    self.deck.level,
                    &self.theme,
                    body.width,
                )
                .len();
                st.scroll = st
                    .scroll
                    .min(crate::tui::layout::max_top(n, body.height as usize));
            }
            _ => {}
        }
    }

    fn update_help(&mut self, mut h: HelpState, action: Action) {
        if let Some(s) = scrolled(h.scroll, action, self.size) {
            h.scroll = s;
            self.overlay = Some(Overlay::Help(h));
        }
    }

    fn update_stats(&mut self, mut st: Box<StatsState>, action: Action) {
        if action == Action::OpenStats {
            return;
        }
        if let Some(s) = scrolled(st.scroll, action, self.size) {
            st.scroll = s;
            self.overlay = Some(Overlay::Stats(st));
        }
    }
}

/// The styles and keys lines are laid out with.
fn look<'a>(theme: &'a Theme, keys: &'a Keymap) -> crate::tui::lines::Look<'a> {
    crate::tui::lines::Look { theme, keys }
}

/// A reading overlay's scroll after an action (help, statistics), or `None` when the action
/// closes it. Clamped to what there is by [`App::settle`].
fn scrolled(scroll: usize, action: Action, size: (u16, u16)) -> Option<usize> {
    let page = crate::tui::layout::help_body(size).height.max(1) as usize;
    Some(match action {
        Action::Back | Action::Click(..) => return None,
        Action::Down | Action::ScrollDown(..) => scroll.saturating_add(1),
        Action::Up | Action::ScrollUp(..) => scroll.saturating_sub(1),
        Action::PageDown => scroll.saturating_add(page),
        Action::PageUp => scroll.saturating_sub(page),
        Action::Top => 0,
        Action::Bottom => usize::MAX,
        _ => scroll,
    })
}

/// The rows of the room's card at `size`, and the rows it has on screen.
fn rounds_card_measure(
    lib: &Library,
    r: &Rounds,
    size: (u16, u16),
    now: SystemTime,
    look: crate::tui::lines::Look,
) -> (usize, usize) {
    use crate::tui::lines::rounds as lay;
    let a = lay::room(size, r, now);
    let card = lay::card(lib, r, a.card.width, a.card.height, look);
    (card.rows.len(), a.card.height as usize)
}

/// The lines of the notes as this screen shows them (the room's panel, or the presenter's
/// answer pane), and the rows they have.
fn rounds_notes_measure(
    _lib: &Library,
    r: &Rounds,
    size: (u16, u16),
    now: SystemTime,
    look: crate::tui::lines::Look,
) -> (usize, usize) {
    use crate::tui::lines::rounds as lay;
    if r.is_presenter() {
        let a = lay::inner(lay::presenter(size).answer);
        let w = a.width.saturating_sub(2);
        return (lay::answer(r, w, look).len(), a.height as usize);
    }
    match lay::room(size, r, now).notes {
        Some(n) => {
            let inner = lay::inner(n);
            let col = lay::column(inner);
            (lay::notes(r, col.width, look).len(), col.height as usize)
        }
        None => (0, 0),
    }
}

/// Whether an action does something on the quiz screen now (for the footer).
fn quiz_acts(q: &Quiz, deck: &Deck, lib: &Library, action: &Action) -> bool {
    if matches!(action, Action::OpenHelp | Action::Quit | Action::OpenCards) {
        return true;
    }
    match q {
        Quiz::Building(_) => matches!(
            action,
            Action::Open
                | Action::Reveal
                | Action::Back
                | Action::Down
                | Action::Up
                | Action::Practice
        ),
        Quiz::Idle(_) => matches!(action, Action::Open | Action::Practice | Action::Back),
        Quiz::Running(s) => {
            let Some(card) = s.card() else {
                return matches!(action, Action::Undo | Action::Back);
            };
            let back = s.face == Face::Back;
            let points = Quiz::text(deck, lib, card).map_or(0, |t| t.key_points.len());
            match action {
                Action::Reveal => true,
                // Enter does what Space does on a card; the footer names Space.
                Action::Open => false,
                Action::NextPoint => !back && points > 0,
                Action::TickPoint(n) => back && (*n as usize) <= points,
                Action::Grade(_) => back,
                Action::Undo => !s.reviews.is_empty(),
                Action::Retry => s.unsaved() > 0,
                Action::Bury | Action::SuspendCard => !s.practice,
                Action::DrillMissed | Action::Down | Action::Up | Action::Practice => false,
                _ => true,
            }
        }
        Quiz::Done {
            summary, session, ..
        } => match action {
            Action::DrillMissed => !summary.missed.is_empty(),
            Action::Undo => !session.reviews.is_empty(),
            Action::Retry => session.unsaved() > 0,
            Action::Open | Action::Back | Action::Practice => true,
            _ => false,
        },
    }
}
