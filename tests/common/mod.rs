//! Helpers shared by the app tests: load the fictional mini pack, build an app, drive it with a
//! fixed clock, render it, and find text in what was drawn.
#![allow(dead_code)]

pub mod files;
pub mod pty;

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
    content::load(&[PackSource::Dir(mini_dir())])
        .expect("the mini fixture pack loads")
        .library
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
    let dir = tempfile::tempdir().expect("tempdir");
    for f in std::fs::read_dir(mini_dir()).expect("mini dir") {
        let f = f.expect("entry").path();
        let text = std::fs::read_to_string(&f).expect("read");
        let name = f.file_name().expect("name");
        let text = if name == file {
            let edited = edit(&text);
            assert_ne!(edited, text, "the edit of {file} changed something");
            edited
        } else {
            text
        };
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let lib = content::load(&[PackSource::Dir(dir.path().to_path_buf())])
        .expect("the edited mini pack loads")
        .library;
    (dir, lib)
}

/// Apply one action at the fixed test time.
pub fn step(app: &mut App, action: Action) -> Effect {
    app.update(action, NOW)
}

/// A fresh app on `lib`, told that the terminal is `w`×`h`.
pub fn app_on(lib: Library, theme: ThemeName, w: u16, h: u16) -> App {
    let mut app = App::new(lib, theme);
    step(&mut app, Action::Resize(w, h));
    app
}

/// A fresh app on the mini pack, told that the terminal is `w`×`h`.
pub fn app_with(theme: ThemeName, w: u16, h: u16) -> App {
    app_on(mini_library(), theme, w, h)
}

pub fn app(w: u16, h: u16) -> App {
    app_with(ThemeName::Dark, w, h)
}

/// Apply actions in order; returns the effect of the last one (None for no actions).
pub fn apply(app: &mut App, actions: impl IntoIterator<Item = Action>) -> Effect {
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
pub fn click_text(app: &mut App, needle: &str) -> (u16, u16) {
    let (x, y) = find(render(app).backend().buffer(), needle);
    step(app, Action::Click(x, y));
    (x, y)
}

/// Type a string into the search box, one character at a time.
pub fn type_query(app: &mut App, q: &str) {
    for c in q.chars() {
        step(app, Action::SearchInput(c));
    }
}
