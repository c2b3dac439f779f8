//! Helpers shared by the app tests: load the fictional mini pack, build an app, drive it with a
//! fixed clock — each action's effect carried out by the runtime's own [`Services`], as the
//! loop does — render it, and find text in what was drawn. `tests/runtime_loop.rs` drives the
//! whole loop instead ([`trialdeck::tui::runtime::Runtime`]).
#![allow(dead_code)]

pub mod files;
pub mod pty;

use ratatui::crossterm;
use std::ops::{Deref, DerefMut};
use trialdeck::review::{Scheduler, Store};
use trialdeck::tui::runtime::{Incoming, Services};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use std::time::SystemTime;
use trialdeck::content::{self, Library, PackSource};
use trialdeck::tui::action::Action;
use trialdeck::tui::app::{App, Effect};
use trialdeck::tui::theme::ThemeName;

/// The clock every test passes to `update`: browsing keeps no time, and tests never read the
/// real one.
pub const NOW: SystemTime = SystemTime::UNIX_EPOCH;

/// The directory of the fictional mini pack.
pub fn mini_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good/mini")
}

pub fn mini_library() -> Library {
    trialdeck::pack::load(&[PackSource::Dir(mini_dir())])
        .expect("the mini fixture pack loads")
        .library
}

/// A fixture under `tests/fixtures` (`good/mini`, `bad/syntax-missing-comma`).
pub fn fixture(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// The binary, with a hang guard, colour left to the command line, and no config or cache of
/// the machine's.
pub fn trialdeck() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("trialdeck").expect("the binary builds");
    c.env_remove("NO_COLOR")
        .env("TRIALDECK_CACHE_DIR", "off")
        .timeout(files::HANG_GUARD);
    c
}

/// The bundled packs, which must load without a warning.
pub fn bundled_clean() -> Library {
    match content::load_bundled() {
        Ok(l) => {
            assert!(
                l.report.diagnostics.is_empty(),
                "the bundled pack must load without warnings:\n{}",
                l.report.render()
            );
            l.library
        }
        Err(r) => panic!("the bundled pack does not load:\n{}", r.render()),
    }
}

/// A copy of the mini pack in a fresh temporary directory, with `edit` applied to the text of
/// its file `file` (`""`: a plain copy).
pub fn mini_copy_edited(file: &str, edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in std::fs::read_dir(mini_dir()).expect("mini dir") {
        let f = f.expect("entry").path();
        let name = f.file_name().expect("name");
        let text = std::fs::read_to_string(&f).expect("read");
        let text = if name == file { edit(&text) } else { text };
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

/// The bundled packs (EMILIA and friends).
pub fn bundled_library() -> Library {
    content::load_bundled()
        .expect("the bundled packs load")
        .library
}

/// Copy the mini pack into a fresh temporary directory, with `edit` applied to the text of
/// its file `file` (e.g. `pack.ron`); returns the directory (kept alive by the caller) and the
/// loaded library.
pub fn edited_mini(file: &str, edit: impl Fn(&str) -> String) -> (tempfile::TempDir, Library) {
    let dir = mini_copy_edited(file, |text| {
        let edited = edit(text);
        assert_ne!(edited, text, "the edit of {file} changed something");
        edited
    });
    let lib = trialdeck::pack::load(&[PackSource::Dir(dir.path().to_path_buf())])
        .expect("the edited mini pack loads")
        .library;
    (dir, lib)
}

/// An app with what carries out its effects: the runtime's [`Services`] over an in-memory
/// review store. Reads as the app it holds (`t.search()`, `t.browse()`); [`Tester::act`]
/// applies an action and carries out its effect, as one turn of the loop does.
pub struct Tester {
    pub app: App,
    pub services: Services,
    /// Keeps the channel the search worker would answer on open.
    pub incoming: std::sync::mpsc::Receiver<Incoming>,
}

impl Tester {
    /// `app` with an empty in-memory history.
    pub fn new(app: App) -> Tester {
        let store = Store::no_save(app.deck.scheduler.clone());
        Tester::with_store(app, store)
    }

    /// `app` with `store` as its history.
    pub fn with_store(app: App, store: Store) -> Tester {
        let (tx, rx) = std::sync::mpsc::channel();
        let services = Services::new(std::sync::Arc::clone(&app.lib), store, tx);
        Tester {
            app,
            services,
            incoming: rx,
        }
    }

    /// Apply `action` at `now` and carry out what it asks (a search it starts is scored at
    /// once). Returns the effect `update` returned.
    pub fn act(&mut self, action: Action, now: SystemTime) -> Effect {
        let effect = self.app.update(action, now);
        self.services.settle(&mut self.app, effect.clone(), now);
        effect
    }

    /// Time passed: the tick the loop sends while the app asks to be woken.
    pub fn tick(&mut self, now: SystemTime) {
        let effect = self.app.receive(trialdeck::tui::app::Reply::Tick, now);
        self.services.settle(&mut self.app, effect, now);
    }
}

impl Deref for Tester {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

impl DerefMut for Tester {
    fn deref_mut(&mut self) -> &mut App {
        &mut self.app
    }
}

/// An in-memory history holding these card states (as a store would after those reviews).
pub fn store_with(
    states: &std::collections::HashMap<String, trialdeck::review::CardState>,
) -> Store {
    let mut s = Store::no_save(Scheduler::default());
    s.put_states(states)
        .expect("states go into a fresh in-memory store");
    s
}

/// Apply one action at the fixed test time, carrying out its effect.
pub fn step(app: &mut Tester, action: Action) -> Effect {
    app.act(action, NOW)
}

/// A fresh app on `lib`, told that the terminal is `w`×`h`.
pub fn app_on(lib: Library, theme: ThemeName, w: u16, h: u16) -> Tester {
    let mut app = Tester::new(App::new(lib, theme));
    step(&mut app, Action::Resize(w, h));
    app
}

/// A fresh app on the mini pack, told that the terminal is `w`×`h`.
pub fn app_with(theme: ThemeName, w: u16, h: u16) -> Tester {
    app_on(mini_library(), theme, w, h)
}

pub fn app(w: u16, h: u16) -> Tester {
    app_with(ThemeName::Dark, w, h)
}

/// Apply actions in order; returns the effect of the last one (None for no actions).
pub fn apply(app: &mut Tester, actions: impl IntoIterator<Item = Action>) -> Effect {
    let mut last = Effect::None;
    for a in actions {
        last = step(app, a);
    }
    last
}

/// Draw the app into a fresh test terminal of the app's current size.
pub fn render(app: &App) -> Terminal<TestBackend> {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    terminal
        .draw(|f| trialdeck::tui::ui::render(app, f))
        .expect("draw");
    terminal
}

/// The screen as plain text lines.
pub fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    buffer_text(terminal.backend().buffer())
}

/// A buffer as plain text lines (wide characters once).
pub fn buffer_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        out.push_str(&row_text(buf, y));
        out.push('\n');
    }
    out
}

/// One row of a buffer as text (wide characters once).
pub fn row_text(buf: &Buffer, y: u16) -> String {
    let mut out = String::new();
    let mut skip = 0;
    for x in 0..buf.area.width {
        if skip > 0 {
            skip -= 1;
            continue;
        }
        let sym = buf[(x, y)].symbol();
        out.push_str(sym);
        skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
    }
    out
}

/// Every cell (column, row) where `needle` starts, cell by cell (one char per cell).
pub fn find_all(buf: &Buffer, needle: &str) -> Vec<(u16, u16)> {
    let chars: Vec<String> = needle.chars().map(String::from).collect();
    let mut out = Vec::new();
    let w = buf.area.width;
    for y in 0..buf.area.height {
        for x in 0..w {
            if chars.iter().enumerate().all(|(i, c)| {
                let cx = x as usize + i;
                cx < w as usize && buf[(cx as u16, y)].symbol() == c
            }) {
                out.push((x, y));
            }
        }
    }
    out
}

/// The first cell where `needle` is drawn; panics with the screen when it is not.
pub fn find(buf: &Buffer, needle: &str) -> (u16, u16) {
    find_all(buf, needle)
        .first()
        .copied()
        .unwrap_or_else(|| panic!("{needle:?} is not on screen:\n{}", buffer_text(buf)))
}

/// Render, find `needle`, and click on its first cell. Returns where it clicked.
pub fn click_text(app: &mut Tester, needle: &str) -> (u16, u16) {
    let (x, y) = find(render(app).backend().buffer(), needle);
    step(app, Action::Click(x, y));
    (x, y)
}

/// Type a string into the search box, one character at a time.
pub fn type_query(app: &mut Tester, q: &str) {
    for c in q.chars() {
        step(app, Action::SearchInput(c));
    }
}

/// The real loop ([`trialdeck::tui::runtime::Runtime`]) on an in-memory terminal, with a clock
/// the test moves: events go in as the terminal would send them, and each turn is the loop's
/// own `step`.
pub struct Looped {
    pub rt: trialdeck::tui::runtime::Runtime<trialdeck::tui::runtime::Headless>,
    tx: std::sync::mpsc::Sender<Incoming>,
    clock: std::rc::Rc<std::cell::Cell<SystemTime>>,
    /// How the session ended, once it has.
    pub ended: Option<trialdeck::tui::runtime::Ending>,
}

impl Looped {
    /// `app` on a `w`×`h` screen with an empty in-memory history, at time `now`; the first
    /// frame is drawn.
    pub fn new(app: App, w: u16, h: u16, now: SystemTime) -> Looped {
        let store = Store::no_save(app.deck.scheduler.clone());
        Looped::with_store(app, store, w, h, now)
    }

    /// `app` as the binary runs it: the search index is built on a thread of its own after
    /// the first frame, and `before` (keys) is queued before that first frame is drawn.
    pub fn with_background_search(
        app: App,
        w: u16,
        h: u16,
        now: SystemTime,
        before: &[&str],
    ) -> Looped {
        let store = Store::no_save(app.deck.scheduler.clone());
        Looped::build(app, store, w, h, now, true, before)
    }

    pub fn with_store(app: App, store: Store, w: u16, h: u16, now: SystemTime) -> Looped {
        Looped::build(app, store, w, h, now, false, &[])
    }

    fn build(
        app: App,
        store: Store,
        w: u16,
        h: u16,
        now: SystemTime,
        background: bool,
        before: &[&str],
    ) -> Looped {
        let clock = std::rc::Rc::new(std::cell::Cell::new(now));
        let c = std::rc::Rc::clone(&clock);
        let rt = trialdeck::tui::runtime::Runtime::new(
            app,
            store,
            trialdeck::tui::runtime::Headless::new(w, h),
            Box::new(move || c.get()),
        );
        let tx = rt.sender();
        let mut rt = rt;
        rt.services.build_in_background = background;
        for k in before {
            tx.send(Incoming::Input(key_event(k)))
                .expect("the loop listens");
        }
        let mut l = Looped {
            rt,
            tx,
            clock,
            ended: None,
        };
        l.turn();
        l
    }

    /// The app as the loop holds it.
    pub fn app(&self) -> &App {
        &self.rt.app
    }

    /// One turn of the loop over what has been sent.
    pub fn turn(&mut self) {
        assert!(self.ended.is_none(), "the session has ended");
        self.ended = self
            .rt
            .step(std::time::Duration::ZERO)
            .expect("a turn of the loop on a test terminal");
    }

    /// Turn the loop, waiting a little for events each time (a presenter link's messages
    /// arrive from other threads), until `ok` holds; fails with the screen after a deadline.
    pub fn turn_until(&mut self, what: &str, ok: impl Fn(&Looped) -> bool) {
        let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            assert!(self.ended.is_none(), "the session has ended");
            self.ended = self
                .rt
                .step(std::time::Duration::from_millis(20))
                .expect("a turn of the loop on a test terminal");
            if ok(self) {
                return;
            }
            assert!(
                std::time::Instant::now() < end,
                "timed out waiting for {what}; the screen shows:\n{}",
                self.screen()
            );
        }
    }

    /// Turn the loop for a short while, taking whatever arrives (to show that nothing does).
    pub fn idle(&mut self, ms: u64) {
        let end = std::time::Instant::now() + std::time::Duration::from_millis(ms);
        while std::time::Instant::now() < end && self.ended.is_none() {
            self.ended = self
                .rt
                .step(std::time::Duration::from_millis(10))
                .expect("a turn of the loop on a test terminal");
        }
    }

    /// Queue a terminal event (taken at the next turn).
    pub fn send(&self, ev: crossterm::event::Event) {
        self.tx.send(Incoming::Input(ev)).expect("the loop listens");
    }

    /// Press one key, written as a keymap writes it (`j`, `Space`, `Ctrl+C`, `PgDn`).
    pub fn press(&mut self, key: &str) {
        self.send(key_event(key));
        self.turn();
    }

    /// Press keys as one burst (all queued before the loop's turn, as in fast typing).
    pub fn burst(&mut self, keys: &[&str]) {
        for k in keys {
            self.send(key_event(k));
        }
        self.turn();
    }

    /// Type text as one burst of character keys.
    pub fn type_text(&mut self, s: &str) {
        for c in s.chars() {
            self.send(crossterm::event::Event::Key(
                crossterm::event::KeyEvent::new(
                    crossterm::event::KeyCode::Char(c),
                    crossterm::event::KeyModifiers::NONE,
                ),
            ));
        }
        self.turn();
    }

    /// The terminal is resized.
    pub fn resize(&mut self, w: u16, h: u16) {
        self.rt.console.resize(w, h);
        self.send(crossterm::event::Event::Resize(w, h));
        self.turn();
    }

    /// `secs` seconds pass; the loop is woken with a tick.
    pub fn wait(&mut self, secs: u64) {
        self.clock
            .set(self.clock.get() + std::time::Duration::from_secs(secs));
        self.tx.send(Incoming::Tick).expect("the loop listens");
        self.turn();
    }

    /// The screen as text.
    pub fn screen(&self) -> String {
        buffer_text(self.rt.console.buffer())
    }

    /// The screen's first row.
    pub fn top(&self) -> String {
        row_text(self.rt.console.buffer(), 0)
    }

    /// The screen's last row (the footer).
    pub fn bottom(&self) -> String {
        let b = self.rt.console.buffer();
        row_text(b, b.area.height - 1)
    }
}

/// A key as the terminal sends it, from keymap syntax.
pub fn key_event(key: &str) -> crossterm::event::Event {
    use crossterm::event::{KeyCode, KeyModifiers};
    let k = trialdeck::tui::keymap::Key::parse(key).unwrap_or_else(|e| panic!("{key}: {e}"));
    // Terminals send capitals and Shift+Tab with Shift held, as crossterm reports them.
    let mods = match k.0 {
        KeyCode::Char(c) if c.is_uppercase() => k.1 | KeyModifiers::SHIFT,
        KeyCode::BackTab => k.1 | KeyModifiers::SHIFT,
        _ => k.1,
    };
    crossterm::event::Event::Key(crossterm::event::KeyEvent::new(k.0, mods))
}
