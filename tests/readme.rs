//! The README tells the truth: its screenshot is the app's real first screen on the bundled
//! pack, its Rust version is the one Cargo.toml requires, and it links only to files that exist.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;
use trialdeck::tui::app::App;
use trialdeck::tui::theme::ThemeName;

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md")
}

/// The text block after the `<!-- first-screen WxH -->` marker, and its size.
fn screenshot(readme: &str) -> ((u16, u16), Vec<String>) {
    let at = readme
        .find("<!-- first-screen ")
        .expect("README has a <!-- first-screen WxH --> marker");
    let rest = &readme[at + "<!-- first-screen ".len()..];
    let (size, rest) = rest.split_once(" -->").expect("marker ends");
    let (w, h) = size.split_once('x').expect("WxH");
    let body = rest
        .split_once("```text\n")
        .expect("a text block follows the marker")
        .1
        .split_once("\n```")
        .expect("the block ends")
        .0;
    (
        (w.parse().expect("width"), h.parse().expect("height")),
        body.lines().map(|l| l.trim_end().to_string()).collect(),
    )
}

fn first_screen(w: u16, h: u16) -> Vec<String> {
    let lib = trialdeck::content::load_bundled()
        .expect("bundled pack")
        .library;
    let mut app = App::new(lib, ThemeName::Dark);
    app.update(
        trialdeck::tui::action::Action::Resize(w, h),
        std::time::SystemTime::UNIX_EPOCH,
    );
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| trialdeck::tui::ui::render(&app, f))
        .expect("draw");
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| {
            let mut line = String::new();
            let mut skip = 0;
            for x in 0..w {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let s = buf[(x, y)].symbol();
                line.push_str(s);
                skip = unicode_width::UnicodeWidthStr::width(s).saturating_sub(1);
            }
            // A file gets plain spaces where the screen keeps a number with its unit.
            trialdeck::format::plain_spaces(line.trim_end())
        })
        .collect()
}

#[test]
fn the_readme_screenshot_is_the_real_first_screen() {
    let text = readme();
    let ((w, h), shown) = screenshot(&text);
    let real = first_screen(w, h);
    if shown != real && std::env::var_os("UPDATE_README").is_some() {
        // `UPDATE_README=1 cargo test --test readme` rewrites the block (read it after).
        let new = text.replacen(&shown.join("\n"), &real.join("\n"), 1);
        std::fs::write(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"), new)
            .expect("write README.md");
        return;
    }
    assert!(
        shown == real,
        "README's first screen is out of date (UPDATE_README=1 cargo test --test readme \
         rewrites it); the real one is:\n{}",
        real.join("\n")
    );
    // What a newcomer must see first: the landmark trial with its headline numbers.
    let all = real.join("\n");
    assert!(all.contains("EMILIA"), "{all}");
    assert!(all.contains("Key results"), "{all}");
}

#[test]
fn the_readme_states_the_real_minimum_rust() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .expect("Cargo.toml");
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .expect("Cargo.toml has rust-version")
        .trim_matches('"');
    assert!(
        readme().contains(&format!("Rust {version} or later")),
        "README must say `Rust {version} or later`"
    );
}

#[test]
fn the_readme_links_only_to_files_in_the_repository() {
    let text = readme();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for part in text.split("](").skip(1) {
        let target = part.split(')').next().unwrap_or("");
        if target.starts_with("http") || target.starts_with('#') {
            continue;
        }
        assert!(
            root.join(target).exists(),
            "README links to `{target}`, which is not in the repository"
        );
    }
    for gone in [
        "../shared",
        "CONTENT.md",
        "ARCHITECTURE.md",
        "content guide",
    ] {
        assert!(
            !text.contains(gone),
            "README refers to `{gone}`, which is not in the repository"
        );
    }
}
