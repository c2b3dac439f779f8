//! Plain-text renderings for the command line (`list`, `show`). Pack text is sanitized at
//! load, so it is safe to print; the only escape codes here are our own bold headings,
//! and only when `color` is on.

use crate::content::{Entry, Library};
use std::fmt::Write as _;

/// One row of `trialdeck list`.
pub fn list_table(lib: &Library) -> String {
    let header = ["ID", "NAME", "YEAR", "PHASE", "N", "QUESTIONS", "STATUS"];
    let mut rows: Vec<[String; 7]> = vec![header.map(String::from)];
    for e in &lib.entries {
        rows.push([
            e.id.clone(),
            clip(&e.name, 32),
            e.year.map(|y| y.to_string()).unwrap_or_else(|| "-".into()),
            clip(e.phase().unwrap_or(kind_label(e)), 16),
            e.sample_size()
                .map(|n| n.to_string())
                .unwrap_or_else(|| "-".into()),
            e.questions.len().to_string(),
            status_label(e),
        ]);
    }
    let mut widths = [0usize; 7];
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    out
}

/// At most `n` characters, ending in "…" when cut (so columns stay aligned).
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n - 1).collect();
        out.push('…');
        out
    }
}

fn kind_label(e: &Entry) -> &'static str {
    match e.kind {
        crate::content::EntryKind::Trial => "trial",
        crate::content::EntryKind::Topic => "topic",
    }
}

/// "reported", or "ongoing as of 2015".
pub fn status_label(e: &Entry) -> String {
    crate::doc::status_label(e)
}

/// A trial as readable plain text (`trialdeck show`), rendered from the entry document.
pub fn show(lib: &Library, e: &Entry, color: bool) -> String {
    crate::doc::plain::render(lib, e, color)
}
