//! The runtime: the loop the binary runs, over a [`Console`] (a terminal and what it can do
//! beyond drawing) and a channel of [`Incoming`] events, carrying out the app's effects
//! through [`Services`] (the review store, the search engine, the file writer).
//!
//! The contract with the app is two types: everything the runtime does for the app is an
//! [`Effect`] returned by [`App::update`] or [`App::receive`], and everything it hands back is a
//! [`Reply`] given to [`App::receive`]. Nothing else here writes the app's state.
//!
//! One turn of the loop ([`Runtime::step`]): wait for the first incoming event (a key, a
//! mouse event, a resize, search hits, or — while a countdown runs — the time for a tick),
//! take every event already queued behind it (a burst of keys, a paste) and apply each,
//! score the newest query of the burst once, then draw. Tests run this same `step` with
//! scripted events on ratatui's `TestBackend` ([`Headless`]); the binary runs it on the
//! terminal with a thread reading input ([`run`]). The terminal's modes, signals and job
//! control are in [`super::terminal`].

use super::input;
use super::terminal::{
    discard, enter, install_job_control, install_panic_hook, job_control, loop_left, restore,
    spawn_guards, suspend, terminal_alive,
};
use crate::content::Library;
use crate::review::Store;
use crate::search::{SearchIndex, Searcher};
use crate::tui::app::{App, Effect, LinkEvent, Reply, SEARCH_LIMIT, WriteFailure};
use ratatui::backend::{Backend, TestBackend};
use ratatui::crossterm::event::Event;
use ratatui::{DefaultTerminal, Terminal};
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::time::{Duration, SystemTime};

/// What reaches the loop from outside: the terminal, the search worker, the test script.
#[derive(Debug)]
pub enum Incoming {
    /// A terminal event (a key, a mouse event, a paste, a resize).
    Input(Event),
    /// Hits of query `seq` from the search worker.
    Searched {
        seq: u64,
        hits: Vec<crate::search::Hit>,
    },
    /// Time passed (tests send it after moving their clock; the binary's loop makes its own
    /// when the app asks to be woken).
    Tick,
    /// The terminal is gone (its input closed): the session ends as on SIGHUP.
    HangUp,
    /// The presenter link: a presenter joined, left or pressed a key (on the room); the room
    /// sent its state or went away (on a presenter).
    Link(LinkEvent),
    /// The search engine, built on its own thread after the first frame.
    SearchBuilt(Built),
    /// What looking at the packs' files found, for a library drawn from their images before
    /// looking (see [`crate::content::open_unverified`]).
    Looked(crate::content::Verdict),
}

/// A search engine built off the loop's thread.
pub struct Built(Searcher);

impl std::fmt::Debug for Built {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Built({} records)", self.0.index().len())
    }
}

/// The presenter link as the runtime runs it: this screen is the room, or a presenter.
pub enum Link {
    Room(crate::link::Room),
    Presenter(crate::link::Presenter),
}

impl Link {
    /// Start listening (the room) or reading (a presenter); what happens goes to `out`.
    pub fn start(&mut self, out: Sender<Incoming>) -> io::Result<()> {
        match self {
            Link::Room(room) => {
                room.start(move |e| out.send(Incoming::Link(LinkEvent::Room(e))).is_ok())
            }
            Link::Presenter(p) => {
                p.start(move |e| out.send(Incoming::Link(LinkEvent::Presenter(e))).is_ok())
            }
        }
    }
}

/// The terminal the loop draws on, and what it can do beyond drawing.
pub trait Console {
    type Backend: Backend;
    fn terminal(&mut self) -> &mut Terminal<Self::Backend>;
    /// Give the terminal back and stop until the shell continues us (`Ctrl+Z`).
    fn suspend(&mut self) -> io::Result<()>;
    /// Act on job-control signals that arrived from outside; `true` when the terminal was
    /// taken again (everything must be drawn).
    fn job_control(&mut self) -> io::Result<bool>;
}

/// The real terminal.
pub struct Tty {
    terminal: DefaultTerminal,
}

impl Console for Tty {
    type Backend = ratatui::backend::CrosstermBackend<io::Stdout>;
    fn terminal(&mut self) -> &mut Terminal<Self::Backend> {
        &mut self.terminal
    }
    fn suspend(&mut self) -> io::Result<()> {
        suspend(&mut self.terminal)
    }
    fn job_control(&mut self) -> io::Result<bool> {
        job_control(&mut self.terminal)
    }
}

/// A terminal in memory (ratatui's `TestBackend`), for running the real loop in tests.
pub struct Headless {
    terminal: Terminal<TestBackend>,
    /// How many times the app asked to be suspended.
    pub suspended: usize,
}

impl Headless {
    pub fn new(width: u16, height: u16) -> Headless {
        Headless {
            terminal: Terminal::new(TestBackend::new(width, height))
                .expect("a test terminal never fails"),
            suspended: 0,
        }
    }

    /// What was drawn last.
    pub fn buffer(&self) -> &ratatui::buffer::Buffer {
        self.terminal.backend().buffer()
    }

    /// Resize the screen (send the matching resize event to tell the app).
    pub fn resize(&mut self, width: u16, height: u16) {
        self.terminal.backend_mut().resize(width, height);
    }
}

impl Console for Headless {
    type Backend = TestBackend;
    fn terminal(&mut self) -> &mut Terminal<TestBackend> {
        &mut self.terminal
    }
    fn suspend(&mut self) -> io::Result<()> {
        self.suspended += 1;
        Ok(())
    }
    fn job_control(&mut self) -> io::Result<bool> {
        Ok(false)
    }
}

/// From this many search records, queries are scored on a worker thread, so the loop never
/// waits for them; below it, once per burst of keys on the loop's thread (under a millisecond).
pub const ASYNC_SEARCH_RECORDS: usize = 20_000;

/// The search engine as the runtime runs it.
enum Search {
    /// Not built yet (it is built after the first frame, or when first asked).
    Unbuilt,
    /// Waiting for the library to settle: the packs' files are being looked at, and the
    /// index is built for the library that stands after; the newest query asked for
    /// meanwhile is answered then.
    Settling { waiting: Option<(u64, String)> },
    /// Being built on its own thread (it arrives as [`Incoming::SearchBuilt`]); the newest
    /// query asked for meanwhile, answered as soon as it is there.
    Building { waiting: Option<(u64, String)> },
    /// Scored on the loop's thread, once per burst: the newest query waiting.
    Inline {
        searcher: Searcher,
        waiting: Option<(u64, String)>,
    },
    /// Scored on a worker thread; its hits come back as [`Incoming::Searched`].
    Worker { requests: Sender<(u64, String)> },
}

/// What carries out the app's effects: the review store, the search engine and the file
/// writer. [`Services::carry_out`] is what the loop calls for every effect; tests that drive
/// [`App::update`] directly call it too, so both see the same answers.
pub struct Services {
    lib: Arc<Library>,
    store: Store,
    search: Search,
    /// Where the search worker sends its hits.
    sender: Sender<Incoming>,
    /// Score on the worker from this many records (tests lower it to exercise the worker).
    pub async_records: usize,
    /// Build the search engine on a thread of its own, so the loop answers keys while it
    /// is built (the binary does; tests that carry out effects one by one build it inline).
    pub build_in_background: bool,
    /// The presenter link of a round played on two screens.
    link: Option<Link>,
}

/// What the loop does after an effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Quit,
    Suspend,
}

impl Services {
    /// Services for `lib` (the app's library) with `store` (an in-memory one for no-save);
    /// the search worker's hits go to `sender`.
    pub fn new(lib: Arc<Library>, store: Store, sender: Sender<Incoming>) -> Services {
        Services {
            lib,
            store,
            search: Search::Unbuilt,
            sender,
            async_records: ASYNC_SEARCH_RECORDS,
            build_in_background: false,
            link: None,
        }
    }

    /// Join the round's presenter link and start it (its events come to the loop).
    pub fn attach_link(&mut self, mut link: Link) -> io::Result<()> {
        link.start(self.sender.clone())?;
        self.link = Some(link);
        Ok(())
    }

    /// On the room: send the presenters the round's state (only what changed, or all of it
    /// to a presenter just joined). The link is another view of the app's state, like the
    /// screen: derived from it after each turn, so no change can be missed.
    pub fn publish(&mut self, app: &App) {
        if let Some(Link::Room(room)) = &self.link
            && let Some(state) = app.round_state()
        {
            room.publish(&state);
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// Build the search index if it is not built yet, and hand the app a searcher for
    /// highlighting. Large libraries get a worker thread. With [`Self::build_in_background`]
    /// it is built on a thread of its own and arrives as [`Incoming::SearchBuilt`] (for a
    /// library read from pack images it is assembled from them: no entry is decoded).
    pub fn prepare_search(&mut self, app: &mut App, now: SystemTime) {
        if !matches!(self.search, Search::Unbuilt) {
            return;
        }
        if self.build_in_background {
            let out = self.sender.clone();
            let lib = Arc::clone(&self.lib);
            let spawned = std::thread::Builder::new()
                .name("search-index".into())
                .spawn(move || {
                    yield_to_keys();
                    let _ = out.send(Incoming::SearchBuilt(Built(build_searcher(lib))));
                });
            if spawned.is_ok() {
                self.search = Search::Building { waiting: None };
                return;
            }
        }
        let searcher = build_searcher(Arc::clone(&self.lib));
        self.install(app, searcher, now);
    }

    /// The library is being looked at: build no search index until it settles
    /// ([`Self::settled`]).
    fn settling(&mut self) {
        if matches!(self.search, Search::Unbuilt) {
            self.search = Search::Settling { waiting: None };
        }
    }

    /// The library has settled (its files were as its images said, or it was loaded again
    /// and the app took it): build the app's library's search index, and answer a query
    /// asked for meanwhile once it is built.
    fn settled(&mut self, app: &mut App, now: SystemTime) {
        let waiting = match &mut self.search {
            Search::Settling { waiting } => waiting.take(),
            _ => return,
        };
        self.lib = Arc::clone(&app.lib);
        self.search = Search::Unbuilt;
        self.prepare_search(app, now);
        if let Some(q) = waiting {
            match &mut self.search {
                Search::Inline { waiting, .. } | Search::Building { waiting } => *waiting = Some(q),
                Search::Worker { requests } => {
                    let _ = requests.send(q);
                }
                Search::Unbuilt | Search::Settling { .. } => {}
            }
        }
    }

    /// Start using a built search engine: the app gets its highlighter, and a query asked
    /// for while it was built is scored (inline: by the next [`Self::flush`]).
    pub fn install(&mut self, app: &mut App, searcher: Searcher, now: SystemTime) -> Flow {
        let waiting = match &mut self.search {
            Search::Building { waiting } => waiting.take(),
            Search::Unbuilt => None,
            // Built for a library that was then replaced: dropped.
            Search::Settling { .. } => return Flow::Continue,
            // Built already: keep that one.
            _ => return Flow::Continue,
        };
        // (Nothing to carry out: a searcher for highlights asks for nothing.)
        let _ = app.receive(Reply::SearchReady(searcher.share()), now);
        self.search = if searcher.index().len() >= self.async_records {
            match spawn_search_worker(searcher.share(), self.sender.clone()) {
                Ok(requests) => Search::Worker { requests },
                Err(_) => Search::Inline {
                    searcher,
                    waiting: None,
                },
            }
        } else {
            Search::Inline {
                searcher,
                waiting: None,
            }
        };
        match (&mut self.search, waiting) {
            (Search::Inline { waiting: w, .. }, Some(q)) => *w = Some(q),
            (Search::Worker { requests }, Some(q)) => {
                let _ = requests.send(q);
            }
            _ => {}
        }
        Flow::Continue
    }

    /// Carry out `effect` and hand the app what came of it, and so on until the app asks for
    /// nothing more. Returns what the loop must do (quit, suspend, or go on).
    pub fn carry_out(&mut self, app: &mut App, effect: Effect, now: SystemTime) -> Flow {
        let mut effect = effect;
        loop {
            let reply = match effect {
                Effect::None => return Flow::Continue,
                Effect::Quit => return Flow::Quit,
                Effect::Suspend => return Flow::Suspend,
                Effect::Write {
                    path,
                    contents,
                    what,
                    replace,
                } => {
                    let written = if replace {
                        crate::fsutil::write_atomically(&path, contents.as_bytes(), false)
                    } else {
                        crate::fsutil::write_new(&path, contents.as_bytes())
                    };
                    Reply::Wrote {
                        result: match written {
                            // Where it went, in full: the notice says where to look.
                            Ok(()) => Ok(std::path::absolute(&path).unwrap_or(path.clone())),
                            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && !replace => {
                                Err(WriteFailure::Exists)
                            }
                            Err(e) => Err(WriteFailure::Other(e.to_string())),
                        },
                        path,
                        what,
                    }
                }
                Effect::Tell(msg) => Reply::Told(match &self.link {
                    Some(Link::Presenter(p)) => p.send(&msg).map_err(|e| e.to_string()),
                    _ => Err("no room to tell".into()),
                }),
                Effect::Record { token, review } => Reply::Recorded {
                    token,
                    result: self.store.record(&review).map_err(|e| e.to_string()),
                },
                Effect::Undo { review_id } => Reply::Undone {
                    review_id,
                    result: self
                        .store
                        .undo(review_id, unix(now))
                        .map_err(|e| e.to_string()),
                },
                Effect::Cards { op, cards } => Reply::Cards {
                    op,
                    result: self.store.apply(op, &cards).map_err(|e| e.to_string()),
                },
                Effect::LoadStats => {
                    let since = unix(now) - 31 * crate::review::fsrs::DAY;
                    Reply::History(self.store.reviews_since(since).map_err(|e| e.to_string()))
                }
                Effect::Search { seq, query } => {
                    self.prepare_search(app, now);
                    match &mut self.search {
                        Search::Inline { waiting, .. }
                        | Search::Building { waiting }
                        | Search::Settling { waiting } => *waiting = Some((seq, query)),
                        Search::Worker { requests } => {
                            let _ = requests.send((seq, query));
                        }
                        Search::Unbuilt => {}
                    }
                    return Flow::Continue;
                }
            };
            effect = app.receive(reply, now);
        }
    }

    /// Score the newest query a burst left waiting (inline search), and hand the hits over.
    pub fn flush(&mut self, app: &mut App, now: SystemTime) -> Flow {
        let Search::Inline { searcher, waiting } = &mut self.search else {
            return Flow::Continue;
        };
        let Some((seq, query)) = waiting.take() else {
            return Flow::Continue;
        };
        let hits = searcher.search(&query, SEARCH_LIMIT);
        let effect = app.receive(Reply::Searched { seq, hits }, now);
        self.carry_out(app, effect, now)
    }

    /// Carry out `effect`, then anything a burst left waiting: what a test does for one key.
    pub fn settle(&mut self, app: &mut App, effect: Effect, now: SystemTime) -> Flow {
        match self.carry_out(app, effect, now) {
            Flow::Continue => self.flush(app, now),
            other => other,
        }
    }
}

/// The search engine of `lib`. Large libraries are scored on the machine's cores
/// (measured: ~2× at 10,000 trials on 2 cores); small ones stay on one thread (see
/// search::PARALLEL_MIN).
fn build_searcher(lib: Arc<Library>) -> Searcher {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    Searcher::new(SearchIndex::build(lib)).with_threads(cores)
}

/// The search worker: scores the newest query it has been sent (older ones waiting in the
/// channel are skipped) and sends the hits to the loop.
fn spawn_search_worker(
    mut searcher: Searcher,
    out: Sender<Incoming>,
) -> io::Result<Sender<(u64, String)>> {
    let (tx, rx) = mpsc::channel::<(u64, String)>();
    std::thread::Builder::new()
        .name("search".into())
        .spawn(move || {
            while let Ok(mut req) = rx.recv() {
                // Bursts coalesce: only the newest query is scored.
                while let Ok(newer) = rx.try_recv() {
                    req = newer;
                }
                let hits = searcher.search(&req.1, SEARCH_LIMIT);
                if out.send(Incoming::Searched { seq: req.0, hits }).is_err() {
                    break;
                }
            }
        })?;
    Ok(tx)
}

/// What is wrong with packs that no longer load, in a line for the footer.
fn report_summary(report: &crate::content::Report) -> String {
    let first = report
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .map(|d| format!("{}: {}", d.file, d.message))
        .unwrap_or_default();
    match report.errors() {
        0 | 1 => first,
        n => format!(
            "{first}; {} more",
            crate::format::count(n - 1, "error", "errors")
        ),
    }
}

/// A backend's error as an I/O error (the real backend's already is one).
fn backend_error(e: impl std::error::Error) -> io::Error {
    io::Error::other(e.to_string())
}

/// Unix seconds of a time.
fn unix(t: SystemTime) -> i64 {
    crate::tui::app::quiz::unix(t)
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The user quit.
    Quit,
    /// A signal (or a hang-up, as SIGHUP) stopped it.
    Signal(i32),
}

/// The loop: the app, what carries out its effects, the console it draws on, the events it
/// waits for and the clock it reads.
pub struct Runtime<C: Console> {
    pub app: App,
    pub services: Services,
    pub console: C,
    incoming: Receiver<Incoming>,
    sender: Sender<Incoming>,
    /// Set by the signal guards (the signal's number) to end the session.
    stop: Arc<AtomicI32>,
    clock: Box<dyn FnMut() -> SystemTime>,
    drawn: bool,
    /// The thread writing pack images after the first frame (waited for at exit, after the
    /// terminal is given back, so a quick `q` does not lose the image).
    writer: Option<std::thread::JoinHandle<()>>,
}

impl<C: Console> Runtime<C> {
    /// A loop for `app` on `console`, with the review history in `store`, reading time from
    /// `clock`.
    pub fn new(
        app: App,
        store: Store,
        console: C,
        clock: Box<dyn FnMut() -> SystemTime>,
    ) -> Runtime<C> {
        let (sender, incoming) = mpsc::channel();
        let services = Services::new(Arc::clone(&app.lib), store, sender.clone());
        Runtime {
            app,
            services,
            console,
            incoming,
            sender,
            stop: Arc::new(AtomicI32::new(0)),
            clock,
            drawn: false,
            writer: None,
        }
    }

    /// Where events for the loop are sent (the input thread, a test's script).
    pub fn sender(&self) -> Sender<Incoming> {
        self.sender.clone()
    }

    /// The flag the signal guards set (to the signal's number) to end the session.
    pub fn stop_flag(&self) -> Arc<AtomicI32> {
        Arc::clone(&self.stop)
    }

    fn draw(&mut self) -> io::Result<()> {
        let app = &self.app;
        self.console
            .terminal()
            .draw(|f| crate::tui::ui::render(app, f))
            .map_err(backend_error)?;
        Ok(())
    }

    /// Draw the first frame: the app is told the terminal's size first.
    fn first_frame(&mut self) -> io::Result<()> {
        let size = self.console.terminal().size().map_err(backend_error)?;
        let now = (self.clock)();
        let effect = self.app.update(
            crate::tui::action::Action::Resize(size.width, size.height),
            now,
        );
        self.services.carry_out(&mut self.app, effect, now);
        crate::content::trace("first draw");
        self.draw()?;
        crate::content::trace("first frame drawn");
        self.services.publish(&self.app);
        self.drawn = true;
        // The first frame is on screen. Images of packs read from their files are written
        // on a thread of their own; a library drawn from images before looking at the packs'
        // files has them looked at on another (keys are answered meanwhile); the search
        // index is built (on a thread of its own when the services say so) for the library
        // that stands.
        self.write_images_later();
        if let Some(unverified) = self.app.lib.take_unverified() {
            self.services.settling();
            let out = self.sender.clone();
            let looking = std::thread::Builder::new()
                .name("pack-look".into())
                .spawn(move || {
                    yield_to_keys();
                    let _ = out.send(Incoming::Looked(unverified.verify()));
                });
            if looking.is_err() {
                self.services.settled(&mut self.app, now);
            }
        }
        self.services.prepare_search(&mut self.app, now);
        Ok(())
    }

    /// Write the images the app's library has yet to write, on a thread of its own (after
    /// any writer already running).
    fn write_images_later(&mut self) {
        let pending = self.app.lib.take_pending_images();
        if pending.is_empty() && !self.app.lib.has_memo() {
            return;
        }
        let lib = Arc::clone(&self.app.lib);
        let before = self.writer.take();
        self.writer = std::thread::Builder::new()
            .name("pack-image".into())
            .spawn(move || {
                yield_to_keys();
                if let Some(h) = before {
                    let _ = h.join();
                }
                for p in pending {
                    lib.write_image(p, crate::search::stored::fragment);
                }
                lib.write_memo();
            })
            .ok();
    }

    /// What looking at the packs' files found: a library loaded again goes to the app (which
    /// takes it if it can), and the search index is built for the library that stands.
    fn looked(&mut self, verdict: crate::content::Verdict, now: SystemTime) -> Flow {
        use crate::content::Verdict;
        let reply = match verdict {
            Verdict::Fresh => None,
            Verdict::Changed(Ok(loaded)) => Some(Reply::PackChanged {
                warnings: loaded.report.warnings(),
                result: Ok(Box::new(loaded.library)),
            }),
            Verdict::Changed(Err(report)) => Some(Reply::PackChanged {
                warnings: report.warnings(),
                result: Err(report_summary(&report)),
            }),
        };
        let mut flow = Flow::Continue;
        if let Some(reply) = reply {
            let effect = self.app.receive(reply, now);
            flow = self.services.carry_out(&mut self.app, effect, now);
            self.write_images_later();
        }
        self.services.settled(&mut self.app, now);
        flow
    }

    /// One turn of the loop: wait up to `wait` for something to happen; apply it and
    /// everything queued behind it; draw. Returns how the session ended, if it did.
    pub fn step(&mut self, wait: Duration) -> io::Result<Option<Ending>> {
        if !self.drawn {
            self.first_frame()?;
        }
        let now = (self.clock)();
        let wake = self.app.wake_after(now);
        let timeout = wake.map_or(wait, |w| w.min(wait));
        let first = match self.incoming.recv_timeout(timeout) {
            Ok(x) => Some(x),
            Err(RecvTimeoutError::Timeout) => None,
            // Unreachable while we hold a sender; treat as a closed terminal.
            Err(RecvTimeoutError::Disconnected) => Some(Incoming::HangUp),
        };
        if let Some(sig) = self.stopped() {
            return Ok(Some(Ending::Signal(sig)));
        }
        let mut redraw = self.console.job_control()?;
        let mut flow = Flow::Continue;
        let mut next = match first {
            Some(x) => Some(x),
            // Nothing came: the time the app asked to be woken for has come.
            None if wake.is_some_and(|w| w <= wait) => Some(Incoming::Tick),
            None => None,
        };
        while let Some(incoming) = next.take() {
            redraw = true;
            let now = (self.clock)();
            flow = match incoming {
                Incoming::HangUp => return Ok(Some(Ending::Signal(libc::SIGHUP))),
                Incoming::Tick => {
                    let effect = self.app.receive(Reply::Tick, now);
                    self.services.carry_out(&mut self.app, effect, now)
                }
                Incoming::Searched { seq, hits } => {
                    let effect = self.app.receive(Reply::Searched { seq, hits }, now);
                    self.services.carry_out(&mut self.app, effect, now)
                }
                Incoming::Link(ev) => {
                    let effect = self.app.receive(Reply::Link(ev), now);
                    self.services.carry_out(&mut self.app, effect, now)
                }
                Incoming::SearchBuilt(Built(searcher)) => {
                    self.services.install(&mut self.app, searcher, now)
                }
                Incoming::Looked(verdict) => self.looked(verdict, now),
                Incoming::Input(ev) => match self.app.keymap.map_event(self.app.context(), &ev) {
                    Some(action) => {
                        let effect = self.app.update(action, now);
                        self.services.carry_out(&mut self.app, effect, now)
                    }
                    None => Flow::Continue,
                },
            };
            if flow != Flow::Continue || self.stopped().is_some() {
                break;
            }
            // Take what is already queued, so a burst is drawn once.
            next = match self.incoming.try_recv() {
                Ok(x) => Some(x),
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Disconnected) => Some(Incoming::HangUp),
            };
        }
        let now = (self.clock)();
        if flow == Flow::Continue {
            flow = self.services.flush(&mut self.app, now);
        }
        match flow {
            Flow::Quit => return Ok(Some(Ending::Quit)),
            Flow::Suspend => {
                self.console.suspend()?;
                redraw = true;
            }
            Flow::Continue => {}
        }
        if redraw {
            self.draw()?;
        }
        self.services.publish(&self.app);
        Ok(None)
    }

    fn stopped(&self) -> Option<i32> {
        match self.stop.load(Ordering::SeqCst) {
            0 => None,
            sig => Some(sig),
        }
    }

    /// Run until the session ends, waking at least every `wait` to notice signals.
    pub fn run(&mut self, wait: Duration) -> io::Result<Ending> {
        loop {
            if let Some(end) = self.step(wait)? {
                return Ok(end);
            }
        }
    }

    /// What the session leaves, however it ended (the handout of a round): carried out like
    /// any effect. Returns the app's last notice (e.g. "wrote …"), for the shell.
    pub fn finish(&mut self) -> Option<String> {
        let now = (self.clock)();
        self.app.message = None;
        let effect = self.app.at_exit();
        if effect == Effect::None {
            return None;
        }
        self.services.carry_out(&mut self.app, effect, now);
        self.app.message.take()
    }
}

/// How the binary's session ended: the signal that stopped it, if one did (the caller exits
/// with 128 + signal), and what to tell the shell (e.g. where the handout was written).
#[derive(Debug)]
pub struct Outcome {
    pub signal: Option<i32>,
    pub notice: Option<String>,
}

/// Run the app on the terminal until it quits. The terminal is restored, and what the session
/// leaves (a rounds handout) is written, however it ends: quit, signal, a closed terminal, or
/// a terminal error (returned after both).
pub fn run(app: App, store: Store, clock: Box<dyn FnMut() -> SystemTime>) -> io::Result<Outcome> {
    run_linked(app, store, clock, None)
}

/// [`run`], on one end of a round's presenter link.
pub fn run_linked(
    app: App,
    store: Store,
    clock: Box<dyn FnMut() -> SystemTime>,
    link: Option<Link>,
) -> io::Result<Outcome> {
    install_panic_hook();
    let console = match enter() {
        Ok(terminal) => Tty { terminal },
        Err(e) => {
            restore();
            return Err(e);
        }
    };
    let mut rt = Runtime::new(app, store, console, clock);
    rt.services.build_in_background = true;
    let stop = rt.stop_flag();
    let result = (|| {
        spawn_guards(rt.stop_flag())?;
        install_job_control()?;
        if let Some(link) = link {
            rt.services.attach_link(link)?;
        }
        spawn_input(rt.sender())?;
        // Wake at least this often to notice signals (they set a flag).
        rt.run(Duration::from_millis(200))
    })();
    // From here the guards leave the exit to us: the session's handout is written first.
    loop_left();
    let notice = rt.finish();
    restore();
    // A pack image still being written is finished (the terminal is already the shell's).
    if let Some(w) = rt.writer.take() {
        let _ = w.join();
    }
    // (ratatui's Terminal writes to the tty when dropped, which a hung-up tty answers with an
    // error its drop cannot report but by a panic.)
    discard(rt.console.terminal);
    let signal = match (result, stop.load(Ordering::SeqCst)) {
        (Ok(Ending::Quit), 0) => None,
        (Ok(Ending::Signal(s)), _) => Some(s),
        // Stopping for a signal: an error on the way (a terminal gone) changes nothing.
        (_, sig @ 1..) => Some(sig),
        // The terminal went away under the loop: stop as on SIGHUP.
        (Err(e), _) if input::is_hang_up(&e) || !terminal_alive() => Some(libc::SIGHUP),
        (Err(e), _) => {
            if let Some(n) = notice {
                let _ = writeln_stderr(&n);
            }
            return Err(e);
        }
        (Ok(Ending::Quit), _) => None,
    };
    Ok(Outcome { signal, notice })
}

fn writeln_stderr(s: &str) -> io::Result<()> {
    use std::io::Write;
    writeln!(
        io::stderr(),
        "trialdeck: {}",
        crate::content::sanitize::clean(s)
    )
}

/// The thread that reads the terminal and sends what it reads to the loop. A read that fails
/// (the terminal is gone) ends the session as a hang-up.
fn spawn_input(out: Sender<Incoming>) -> io::Result<()> {
    // Listen for resizes before the first frame is drawn, not when the thread gets to run.
    input::init()?;
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            loop {
                let incoming = match input::read() {
                    Ok(ev) => Incoming::Input(ev),
                    // A hung-up terminal, or one we can no longer read: the session ends.
                    Err(_) => Incoming::HangUp,
                };
                let last = matches!(incoming, Incoming::HangUp);
                if out.send(incoming).is_err() || last {
                    break;
                }
            }
        })?;
    Ok(())
}

/// Called first on a thread whose work can wait for the keys (looking at the pack's files,
/// building the search index, writing an image): it runs at a lower priority (nice 10) than
/// the thread that reads keys and draws. On a two-core machine these threads start just
/// after the first frame, and a key pressed then waited for them (up to 17 ms at 10,000
/// trials). Failing to lower it changes nothing else.
fn yield_to_keys() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only sets this thread's scheduling priority (on Linux, `who` is a
    // thread id with PRIO_PROCESS).
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 10);
    }
}
