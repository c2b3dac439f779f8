//! Helpers shared by the app tests: load the fictional mini pack, build an app, render it.
#![allow(dead_code)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use trialdeck::action::Action;
use trialdeck::app::App;
use trialdeck::content::{self, Library, PackSource};
use trialdeck::theme::ThemeName;

/// The directory of the fictional mini pack.
pub fn mini_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good/mini")
}

pub fn mini_library() -> Library {
    content::load(&[PackSource::Dir(mini_dir())])
        .expect("the mini fixture pack loads")
        .library
}

/// A fresh app on the mini pack, told that the terminal is `w`×`h`.
pub fn app_with(theme: ThemeName, w: u16, h: u16) -> App {
    let mut app = App::new(mini_library(), theme);
    app.update(Action::Resize(w, h));
    app
}

pub fn app(w: u16, h: u16) -> App {
    app_with(ThemeName::Dark, w, h)
}

pub fn apply(app: &mut App, actions: impl IntoIterator<Item = Action>) {
    for a in actions {
        app.update(a);
    }
}

/// Draw the app into a fresh test terminal of the app's current size.
pub fn render(app: &App) -> Terminal<TestBackend> {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    terminal
        .draw(|f| trialdeck::ui::render(app, f))
        .expect("draw");
    terminal
}

/// The screen as plain text lines.
pub fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    let buf = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
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
        out.push('\n');
    }
    out
}

/// Type a string into the search box, one character at a time.
pub fn type_query(app: &mut App, q: &str) {
    for c in q.chars() {
        app.update(Action::SearchInput(c));
    }
}
