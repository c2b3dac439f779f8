//! The house has two halves: the domain (everything under `src/` but `src/tui/` and the
//! binary) knows nothing of a terminal. A domain file that names ratatui, crossterm or the
//! terminal folder fails here, with the file and line.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn domain_files() -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    rust_files(&src, &mut all);
    all.retain(|p| !p.starts_with(src.join("tui")) && p != &src.join("main.rs"));
    all.sort();
    all
}

/// Lines of a domain file that name the terminal side.
fn offences(text: &str) -> Vec<(usize, String)> {
    const NAMES: [&str; 3] = ["ratatui", "crossterm", "crate::tui"];
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let code = l.trim_start();
            !code.starts_with("//") && NAMES.iter().any(|n| code.contains(n))
        })
        .map(|(i, l)| (i + 1, l.trim().to_string()))
        .collect()
}

#[test]
fn the_domain_imports_no_terminal_code() {
    let files = domain_files();
    assert!(
        files.len() > 20,
        "expected the domain's files, found {}",
        files.len()
    );
    let mut bad = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read");
        for (line, l) in offences(&text) {
            bad.push(format!("{}:{line}: {l}", f.display()));
        }
    }
    assert!(
        bad.is_empty(),
        "domain files name the terminal side:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_check_sees_an_import_and_ignores_a_comment() {
    assert_eq!(offences("use ratatui::text::Line;").len(), 1);
    assert_eq!(offences("    let x = crate::tui::app::App::new;").len(), 1);
    assert!(offences("// ratatui draws this elsewhere\n//! crossterm too").is_empty());
}
