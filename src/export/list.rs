//! `trialdeck list`: one row per trial or topic, as an aligned table (cut to fit only on a
//! terminal), tab-separated values with a header row, or a JSON array of objects.

use crate::content::{EntryKind, Library};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

/// One row of `list`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListRow<'a> {
    pub id: &'a str,
    pub kind: &'static str,
    pub name: &'a str,
    pub year: Option<u32>,
    pub phase: Option<&'a str>,
    pub n: Option<u32>,
    pub questions: usize,
    pub status: String,
}

/// The rows of a library, in load order.
pub fn list_rows(lib: &Library) -> Vec<ListRow<'_>> {
    lib.entries
        .iter()
        .map(|e| ListRow {
            id: &e.id,
            kind: match e.kind {
                EntryKind::Trial => "trial",
                EntryKind::Topic => "topic",
            },
            name: &e.name,
            year: e.year,
            phase: e.phase(),
            n: e.sample_size(),
            questions: e.questions.len(),
            status: crate::doc::status_label(e),
        })
        .collect()
}

/// The table's and the TSV's column names.
pub const LIST_HEADER: [&str; 7] = ["ID", "NAME", "YEAR", "PHASE", "N", "QUESTIONS", "STATUS"];

/// The cells of a row, in [`LIST_HEADER`] order. A missing value is "-".
fn list_cells(r: &ListRow) -> [String; 7] {
    let opt = |v: Option<u32>| v.map_or_else(|| "-".to_string(), |v| v.to_string());
    [
        r.id.to_string(),
        r.name.to_string(),
        opt(r.year),
        r.phase.unwrap_or(r.kind).to_string(),
        opt(r.n),
        r.questions.to_string(),
        r.status.clone(),
    ]
}

/// Widest name and phase cells in a table on a terminal; elsewhere nothing is cut.
pub const NAME_CHARS: usize = 32;
pub const PHASE_CHARS: usize = 16;

/// An aligned table; with `clip`, long names and phases end in "…" so rows fit a terminal.
pub fn list_table(rows: &[ListRow], clip: bool) -> String {
    let mut table: Vec<[String; 7]> = vec![LIST_HEADER.map(String::from)];
    for r in rows {
        let mut cells = list_cells(r);
        if clip {
            cells[1] = clip_chars(&cells[1], NAME_CHARS);
            cells[3] = clip_chars(&cells[3], PHASE_CHARS);
        }
        table.push(cells);
    }
    let mut widths = [0usize; 7];
    for r in &table {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
    let mut out = String::new();
    for r in &table {
        let mut line = String::new();
        for (i, (c, w)) in r.iter().zip(widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(c);
            line.extend(std::iter::repeat_n(' ', w.saturating_sub(c.width())));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// At most `n` chars, ending in "…" when cut.
fn clip_chars(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// Tab-separated values: a header row, then one row per entry; tabs and newlines in a cell
/// become spaces.
pub fn list_tsv(rows: &[ListRow]) -> String {
    let cell = |c: &str| {
        c.chars()
            .map(|ch| if ch.is_control() { ' ' } else { ch })
            .collect::<String>()
    };
    let mut out = LIST_HEADER.join("\t").to_lowercase();
    out.push('\n');
    for r in rows {
        let cells: Vec<String> = list_cells(r).iter().map(|c| cell(c)).collect();
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
    out
}

/// A JSON array of objects, one per row, with a final newline.
pub fn list_json(rows: &[ListRow]) -> String {
    let mut s = serde_json::to_string_pretty(rows).expect("rows serialize to JSON");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &'static str, phase: Option<&'static str>) -> ListRow<'static> {
        ListRow {
            id: "a-trial",
            kind: "trial",
            name,
            year: Some(2020),
            phase,
            n: None,
            questions: 2,
            status: "reported".into(),
        }
    }

    #[test]
    fn a_clipped_table_cuts_long_names_and_phases_with_an_ellipsis() {
        let long = "A name far longer than thirty-two characters in all";
        let rows = [row(long, Some("Phase III, randomised, open-label"))];
        let clipped = list_table(&rows, true);
        assert!(!clipped.contains(long), "{clipped}");
        assert!(clipped.contains('…'), "{clipped}");
        let whole = list_table(&rows, false);
        assert!(whole.contains(long), "{whole}");
        assert!(whole.lines().next().unwrap().starts_with("ID"));
        // A missing value is "-", and the kind stands in for a missing phase.
        let plain = list_table(&[row("X", None)], false);
        assert!(plain.lines().nth(1).unwrap().contains("trial"), "{plain}");
        assert!(plain.contains(" - "), "{plain}");
    }

    #[test]
    fn tsv_cells_never_hold_a_tab_or_newline() {
        let out = list_tsv(&[row("two\tcells\nand a line", None)]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert_eq!(lines[0], "id\tname\tyear\tphase\tn\tquestions\tstatus");
        assert_eq!(lines[1].split('\t').count(), 7, "{out}");
    }
}
