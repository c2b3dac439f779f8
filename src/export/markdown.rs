//! A Markdown handout, rendered from the entry document (as `show` renders plain text): title,
//! meta, key results, bottom line, the design card as a table, the findings as tables with
//! their readings and footnotes under them, safety, appraisal, related trials, discrepancies,
//! and the discussion by role with each key response folded in `<details>` for self-quizzing.
//!
//! Pack text is escaped so that it reads as text, rendered or printed as it is: Markdown
//! punctuation gets a backslash, and so do a `<` that could open an HTML tag and a `&` that
//! could start an entity (`\<b`, `\&amp;`); a `<` or `&` that cannot (`p < 0.001`, `A & B`) is
//! left as it is, so the file reads as the screen does, and never holds an HTML entity. Table
//! cells never break their row.
//!
//! The rounds handout is this same rendering of the entry document, with the questions
//! asked open instead of the whole Discussion folded, laid out for a printer
//! ([`super::print`]).

use super::Selection;
use crate::content::{Library, Role};
use crate::doc::{Block, Document, FindingGroup, Section, status_label};
use std::fmt::Write as _;

/// The handout of a selection: one trial when one is selected (its name is the title), else
/// the pack's title with every selected entry under it.
pub fn render(lib: &Library, sel: &Selection) -> String {
    let mut o = String::new();
    let level = if sel.is_single() {
        1
    } else {
        pack_header(lib, sel, &mut o);
        2
    };
    for e in sel.entries(lib) {
        let doc = crate::doc::build(lib, e);
        entry(&doc, &status_label(e), sel, Asked::Folded, level, &mut o);
    }
    // Keep numbers and their units together without invisible characters in the file.
    let o = crate::format::plain_spaces(&o);
    let mut o = o.trim_end().to_string();
    o.push('\n');
    o
}

/// Which questions the Discussion holds, and how.
#[derive(Clone, Copy)]
enum Asked<'a> {
    /// Every question of the selected roles, each key response folded in `<details>`.
    Folded,
    /// Only these questions (ids, in the order asked), their key responses open.
    Open(&'a [String]),
}

/// The handout of a teaching round: the entry as the Markdown export renders it (overview,
/// findings, safety, appraisal and limitations, related trials, discrepancies), with the
/// questions that were asked and their key responses open, laid out for a printer.
pub fn handout(lib: &Library, e: &crate::content::Entry, asked: &[String]) -> String {
    let doc = crate::doc::build(lib, e);
    let sel = Selection::new(lib, &[e.id.as_str()], &[]);
    let mut o = String::new();
    entry(&doc, &status_label(e), &sel, Asked::Open(asked), 1, &mut o);
    let o = crate::format::plain_spaces(&o);
    let mut o = super::print::fold(o.trim_end(), super::print::WIDTH);
    o.push('\n');
    o
}

fn heading(level: usize, text: &str) -> String {
    format!("{} {}\n\n", "#".repeat(level.min(6)), esc(text))
}

fn pack_header(lib: &Library, sel: &Selection, o: &mut String) {
    let title = lib
        .packs
        .iter()
        .map(|p| p.manifest.title.as_str())
        .collect::<Vec<_>>()
        .join(" · ");
    o.push_str(&heading(
        1,
        if title.is_empty() {
            "trialdeck"
        } else {
            &title
        },
    ));
    for p in &lib.packs {
        let m = &p.manifest;
        let mut meta = vec![format!("version {}", m.version)];
        if !m.as_of.is_empty() {
            meta.push(format!("as of {}", m.as_of));
        }
        if !m.authors.is_empty() {
            meta.push(m.authors.join(", "));
        }
        if !m.license.is_empty() {
            meta.push(m.license.clone());
        }
        let _ = writeln!(o, "*{}*\n", esc(&meta.join(" · ")));
        if !m.description.is_empty() {
            let _ = writeln!(o, "{}\n", esc(&m.description));
        }
    }
    if !sel.roles().is_empty() {
        let roles: Vec<&str> = sel.roles().iter().map(|r| r.label()).collect();
        let _ = writeln!(o, "*Questions for: {}*\n", esc(&roles.join(", ")));
    }
    o.push_str("Contents:\n\n");
    for e in sel.entries(lib) {
        let _ = writeln!(o, "- {} — {}", esc(&e.name), esc(&e.title));
    }
    o.push('\n');
}

fn entry(
    doc: &Document,
    status: &str,
    sel: &Selection,
    asked: Asked,
    level: usize,
    o: &mut String,
) {
    o.push_str(&heading(level, &format!("{} — {}", doc.name, doc.title)));
    let _ = writeln!(o, "*{}*\n", esc(status));
    for part in &doc.parts {
        match part.section {
            // Every citation is printed beside what it supports; the findings table has
            // every estimate the plot would show.
            Section::Sources | Section::Forest => continue,
            Section::Overview => blocks(&part.blocks, level + 1, o),
            Section::Discussion => discussion(&part.blocks, sel, asked, level + 1, o),
            s => {
                let mut body = String::new();
                blocks(&part.blocks, level + 2, &mut body);
                if body.trim().is_empty() {
                    continue;
                }
                o.push_str(&heading(level + 1, s.label()));
                o.push_str(&body);
            }
        }
    }
}

fn blocks(bs: &[Block], level: usize, o: &mut String) {
    for b in bs {
        match b {
            Block::Heading(t) => o.push_str(&heading(level, t)),
            Block::Text(tone, t) => {
                if *tone == crate::doc::Tone::Muted && !t.contains('\n') {
                    let _ = writeln!(o, "*{}*\n", esc(t));
                } else {
                    let _ = writeln!(o, "{}\n", esc(t));
                }
            }
            // Warnings stand out as quotes; other marked lines (a safety event) as bold.
            Block::Mark(m, crate::doc::Tone::Warn, t) => {
                let _ = writeln!(o, "> {m} {}\n", esc(t));
            }
            Block::Mark(_, _, t) => {
                let _ = writeln!(o, "**{}**\n", esc(t));
            }
            Block::Fields(fs) => {
                o.push_str("| | |\n| --- | --- |\n");
                for f in fs {
                    let _ = writeln!(o, "| **{}** | {} |", cell(f.key), cell(&f.value));
                }
                o.push('\n');
            }
            Block::Bullets(items) => {
                for i in items {
                    let _ = writeln!(o, "- {}", item(i, 2));
                }
                o.push('\n');
            }
            Block::Findings(groups) => {
                for g in groups {
                    findings(g, level, o);
                }
            }
            Block::Safety(rows) => safety(rows, o),
            Block::Links(ls) => {
                for l in ls {
                    let _ = writeln!(
                        o,
                        "- {} **{}**: {}",
                        esc(l.relation),
                        esc(&l.name),
                        item(&l.note, 2)
                    );
                }
                o.push('\n');
            }
            Block::Notes(ns) => {
                for x in ns {
                    let _ = writeln!(o, "- **{}**", esc(&x.about));
                    for (says, cite) in &x.versions {
                        let _ = writeln!(o, "  - says: {} ({})", item(says, 4), esc(cite));
                    }
                    let _ = writeln!(o, "  - note: {}", item(&x.note, 4));
                    if !x.findings.is_empty() {
                        let _ = writeln!(o, "  - about: {}", esc(&x.findings.join("; ")));
                    }
                }
                o.push('\n');
            }
            // Rendered by `discussion`, which knows the roles asked for.
            Block::Questions(_) | Block::Forest { .. } => {}
        }
    }
}

/// A group of findings as one table (a column per arm when the rows share a few arms, else
/// one column of values), then each row's reading, footnotes, source and discrepancies.
fn findings(g: &FindingGroup, level: usize, o: &mut String) {
    o.push_str(&heading(level, g.title));
    let cols = ArmColumns::of(g.rows.iter().map(|r| r.arms.as_slice()));
    let mut header = vec!["Endpoint".to_string(), "Analysis".to_string()];
    cols.header(&mut header);
    header.push("Effect".into());
    header.push("p".into());
    let _ = writeln!(o, "| {} |", header.join(" | "));
    let _ = writeln!(o, "|{}", " --- |".repeat(header.len()));
    for r in &g.rows {
        let mut cells = vec![cell(&r.endpoint), cell(&r.analysis)];
        cols.cells(&r.arms, &mut cells);
        cells.push(cell(&r.effect));
        cells.push(cell(&r.p));
        let _ = writeln!(o, "| {} |", cells.join(" | "));
    }
    o.push('\n');
    for r in &g.rows {
        let _ = writeln!(
            o,
            "- **{}** ({}): {}",
            esc(&r.endpoint),
            esc(&r.analysis),
            item(&r.reading, 2)
        );
        if !r.comparison.is_empty() {
            let _ = writeln!(o, "  - Comparison: {}", esc(&r.comparison));
        }
        for n in &r.footnotes {
            let _ = writeln!(o, "  - {}", item(n, 4));
        }
        if !r.source.is_empty() {
            let _ = writeln!(o, "  - Source: {}", esc(&r.source));
        }
        for x in &r.discrepancies {
            let _ = writeln!(o, "  - ⚠ Sources disagree: {}", esc(x));
        }
    }
    o.push('\n');
}

/// The per-arm columns of a table of rows with (arm, value) cells: a column per arm when the
/// rows share a few named arms, else one column of labelled values.
struct ArmColumns<'a> {
    arms: Vec<&'a str>,
    per_arm: bool,
}

impl<'a> ArmColumns<'a> {
    fn of(rows: impl Iterator<Item = &'a [(String, String)]>) -> ArmColumns<'a> {
        let mut arms: Vec<&str> = Vec::new();
        for r in rows {
            for (a, _) in r {
                if !arms.contains(&a.as_str()) {
                    arms.push(a);
                }
            }
        }
        let per_arm = arms.len() <= 4 && arms.iter().all(|a| !a.is_empty());
        ArmColumns { arms, per_arm }
    }

    fn header(&self, header: &mut Vec<String>) {
        if self.per_arm {
            header.extend(self.arms.iter().map(|a| cell(a)));
        } else {
            header.push("Values".into());
        }
    }

    fn cells(&self, row: &[(String, String)], cells: &mut Vec<String>) {
        if self.per_arm {
            for a in &self.arms {
                let v: Vec<&str> = row
                    .iter()
                    .filter(|(x, _)| x == a)
                    .map(|(_, v)| v.as_str())
                    .collect();
                cells.push(cell(&v.join("; ")));
            }
        } else {
            let vs: Vec<String> = row
                .iter()
                .map(|(a, v)| crate::doc::labelled(a, v))
                .collect();
            cells.push(cell(&vs.join("; ")));
        }
    }
}

/// Adverse events as one table (a column per arm when the rows share a few arms, else one
/// column of values), then each event's note, footnotes and source.
fn safety(rows: &[crate::doc::SafetyRow], o: &mut String) {
    let cols = ArmColumns::of(rows.iter().map(|r| r.arms.as_slice()));
    let mut header = vec!["Adverse event".to_string(), "Grade".to_string()];
    cols.header(&mut header);
    let _ = writeln!(o, "| {} |", header.join(" | "));
    let _ = writeln!(o, "|{}", " --- |".repeat(header.len()));
    for r in rows {
        let mut cells = vec![cell(&r.name), cell(&r.grade)];
        cols.cells(&r.arms, &mut cells);
        let _ = writeln!(o, "| {} |", cells.join(" | "));
    }
    o.push('\n');
    for r in rows {
        match &r.note {
            Some(n) => {
                let _ = writeln!(o, "- **{}**: {}", esc(&r.event), item(n, 2));
            }
            None => {
                let _ = writeln!(o, "- **{}**", esc(&r.event));
            }
        }
        for n in &r.footnotes {
            let _ = writeln!(o, "  - {}", item(n, 4));
        }
        if !r.source.is_empty() {
            let _ = writeln!(o, "  - Source: {}", esc(&r.source));
        }
    }
    o.push('\n');
}

/// The questions of the selected roles, by role, each key response and its key points folded
/// in `<details>`.
fn discussion(bs: &[Block], sel: &Selection, asked: Asked, level: usize, o: &mut String) {
    let qs: Vec<_> = bs
        .iter()
        .flat_map(|b| match b {
            Block::Questions(qs) => qs.iter().filter(|q| sel.keeps_role(q.role)).collect(),
            _ => Vec::new(),
        })
        .filter(|q| match asked {
            Asked::Folded => true,
            Asked::Open(ids) => ids.contains(&q.id),
        })
        .collect();
    if qs.is_empty() {
        return;
    }
    o.push_str(&heading(level, Section::Discussion.label()));
    let mut role: Option<Role> = None;
    let mut n = 0;
    for q in qs {
        if role != Some(q.role) {
            role = Some(q.role);
            n = 0;
            o.push_str(&heading(level + 1, q.role.label()));
        }
        n += 1;
        let _ = writeln!(o, "**Q{n}.** {}\n", esc(&q.prompt));
        if !q.relies_on.is_empty() {
            let _ = writeln!(o, "*Relies on: {}*\n", esc(&q.relies_on.join("; ")));
        }
        let folded = matches!(asked, Asked::Folded);
        if folded {
            o.push_str("<details><summary>Key response</summary>\n\n");
            let _ = writeln!(o, "{}\n", esc(&q.key_response));
        } else {
            let _ = writeln!(o, "**Key response.** {}\n", esc(&q.key_response));
        }
        if !q.key_points.is_empty() {
            o.push_str("Key points:\n\n");
            for k in &q.key_points {
                let _ = writeln!(o, "- {}", item(k, 2));
            }
            o.push('\n');
        }
        if folded {
            o.push_str("</details>\n\n");
        }
    }
}

/// Pack text as Markdown text: punctuation that Markdown or HTML would read is escaped, and
/// a line cannot start a heading, list or quote by accident.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_start();
        let lead = &line[..line.len() - trimmed.len()];
        out.push_str(lead);
        // A line that would open a block: "# ", "- ", "+ ", "1. ", "1) ".
        let digits = trimmed.chars().take_while(|c| c.is_ascii_digit()).count();
        let mut after = trimmed[digits..].chars();
        let opens_list = matches!(after.next(), Some('.') | Some(')'))
            && after.next().is_none_or(char::is_whitespace);
        let mut rest = trimmed;
        if digits > 0 && opens_list {
            out.push_str(&trimmed[..digits]);
            out.push('\\');
            rest = &trimmed[digits..];
        } else if trimmed.starts_with(['-', '+', '#', '=', '>']) {
            out.push('\\');
        }
        for (i, c) in rest.char_indices() {
            let after = &rest[i + c.len_utf8()..];
            match c {
                '<' if opens_tag(after) => out.push_str("\\<"),
                '&' if opens_entity(after) => out.push_str("\\&"),
                '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                    out.push('\\');
                    out.push(c);
                }
                c => out.push(c),
            }
        }
    }
    out
}

/// Whether a `<` followed by `after` could open HTML (a tag, a comment, a declaration) or an
/// autolink: a letter, `/`, `!` or `?` follows.
fn opens_tag(after: &str) -> bool {
    after.starts_with(|c: char| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'))
}

/// Whether a `&` followed by `after` could start a character reference (`&amp;`, `&#60;`).
fn opens_entity(after: &str) -> bool {
    let name = after.strip_prefix('#').unwrap_or(after);
    let len = name.chars().take_while(char::is_ascii_alphanumeric).count();
    len > 0 && name[len..].starts_with(';')
}

/// Pack text in a table cell: escaped, on one line (a cell cannot hold a line break).
fn cell(s: &str) -> String {
    let one_line: String = s
        .split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    esc(&one_line)
}

/// Pack text in a list item: escaped, continuation lines indented to stay in the item.
fn item(s: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    esc(s.trim())
        .split('\n')
        .collect::<Vec<_>>()
        .join(&format!("\n{pad}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_markdown_characters_are_escaped() {
        // What cannot open HTML or an entity reads as written.
        assert_eq!(esc("p < 0.05 & HR > 1"), "p < 0.05 & HR > 1");
        assert_eq!(esc("grade ≥3, <1%, 2<3"), "grade ≥3, <1%, 2<3");
        assert_eq!(esc("a|b *c* _d_ `e`"), "a\\|b \\*c\\* \\_d\\_ \\`e\\`");
        // What could, is escaped.
        assert_eq!(esc("<script>"), "\\<script>");
        assert_eq!(esc("</b> <!-- x --> <?x"), "\\</b> \\<!-- x --> \\<?x");
        assert_eq!(esc("AT&amp; &#60; &x"), "AT\\&amp; \\&#60; &x");
        assert_eq!(esc("> not a quote"), "\\> not a quote");
        assert!(!esc("p < 0.001, HR <0.5, a & b").contains("&lt;"));
    }

    #[test]
    fn lines_cannot_open_blocks() {
        assert_eq!(esc("# not a heading"), "\\# not a heading");
        assert_eq!(esc("- not a list"), "\\- not a list");
        assert_eq!(esc("1. not a list"), "1\\. not a list");
        assert_eq!(esc("x\n2) y"), "x\n2\\) y");
        assert_eq!(esc("1.5 mo"), "1.5 mo");
    }

    #[test]
    fn cells_stay_on_one_line() {
        assert_eq!(cell("a\nb | c"), "a b \\| c");
    }
}
