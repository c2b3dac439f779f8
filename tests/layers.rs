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

/// The domain's own floors, lowest first: a module may name only modules on lower floors
/// (so the import graph has no circle, and nothing low reaches up).
const FLOORS: [(&str, u8); 11] = [
    ("fsutil", 0),
    ("link", 0),
    ("content", 1),
    ("format", 2),
    ("doc", 3),
    ("search", 4),
    ("review", 4),
    ("config", 5),
    ("pack", 5),
    ("export", 6),
    ("dev", 7),
];

/// The domain modules a file's code names (`crate::format::…`), outside comments and tests.
fn named_modules(text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut out = Vec::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        for (i, _) in line.match_indices("crate::") {
            let name: String = line[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

#[test]
fn each_domain_module_names_only_modules_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let floor = |m: &str| FLOORS.iter().find(|(n, _)| *n == m).map(|(_, f)| *f);
    let mut bad = Vec::new();
    for f in domain_files() {
        let rel = f.strip_prefix(&src).expect("under src");
        let module = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .map(|s| s.trim_end_matches(".rs").to_string())
            .expect("a module");
        let Some(own) = floor(&module) else { continue };
        let text = std::fs::read_to_string(&f).expect("read");
        for used in named_modules(&text) {
            if used == module {
                continue;
            }
            if let Some(theirs) = floor(&used)
                && theirs >= own
            {
                bad.push(format!(
                    "{}: names crate::{used} (floor {theirs} ≥ its own {own})",
                    rel.display()
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_floor_check_reads_code_not_comments_or_tests() {
    assert_eq!(named_modules("use crate::format::count;"), ["format"]);
    assert!(named_modules("//! see [`crate::doc`]").is_empty());
    assert!(named_modules("#[cfg(test)]\nmod t { use crate::dev::x; }").is_empty());
}
