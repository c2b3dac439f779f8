//! The entry document as styled terminal lines at a width, with the line range of every
//! selectable item. Both `app` (scroll bounds, clicks on items) and `ui` (drawing) call this,
//! so what is drawn and what `update` reasons about are the same lines.

use super::question::{QuestionCard, Reveal};
use super::wrap::{Doc, wrap};
use crate::content::{Role, RoleGroup};
use crate::doc::{Block, Document, FindingGroup, FindingRow, QuestionItem, Section, Tone};
use crate::tui::action::Action;
use crate::tui::keymap::Context;
use crate::tui::theme::Theme;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use std::collections::HashSet;
use std::ops::Range;

/// The reader's state that changes how a section looks.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    /// Text that names a key asks the keymap.
    pub keys: &'a crate::tui::keymap::Keymap,
    pub section: Section,
    /// The selected item of the section.
    pub item: usize,
    /// Whether the panel has focus (the selection is highlighted only then).
    pub focused: bool,
    /// Only questions of this role.
    pub role: Option<Role>,
    /// Without a role filter, only questions up to this role (the learner's level).
    pub ceiling: Option<Role>,
    /// Ids of questions whose key response is shown.
    pub revealed: &'a HashSet<String>,
}

/// Lines of one section, and the line range of each selectable item.
#[derive(Debug, Default)]
pub struct Styled {
    pub lines: Vec<Line<'static>>,
    pub items: Vec<Range<usize>>,
}

/// The questions a view shows: one role's, else those up to the learner's level.
pub fn questions_in_view(
    doc: &Document,
    role: Option<Role>,
    ceiling: Option<Role>,
) -> Vec<&QuestionItem> {
    doc.questions()
        .into_iter()
        .filter(|q| match role {
            Some(r) => q.role == r,
            None => ceiling.is_none_or(|c| q.role <= c),
        })
        .collect()
}

/// How many selectable items a section has in this view (with the learner's level applied).
pub fn item_count_in_view(
    doc: &Document,
    section: Section,
    role: Option<Role>,
    ceiling: Option<Role>,
) -> usize {
    match section {
        Section::Findings => doc.finding_rows().len(),
        Section::Safety => doc.safety().len(),
        Section::Discussion => questions_in_view(doc, role, ceiling).len(),
        s => doc
            .part(s)
            .iter()
            .map(|b| match b {
                Block::Links(l) => l.len(),
                Block::Notes(n) => n.len(),
                _ => 0,
            })
            .sum(),
    }
}

fn tone(t: &Theme, tone: Tone) -> Style {
    match tone {
        Tone::Body => t.base,
        Tone::Muted => t.muted,
        Tone::Warn => t.warn,
        Tone::Accent => t.accent,
    }
}

/// Render one section of `doc` at `width` columns.
pub fn section(doc: &Document, view: &View, t: &Theme, width: u16) -> Styled {
    let mut d = Doc::new(width);
    for block in doc.part(view.section) {
        block_lines(doc, block, view, t, &mut d);
    }
    if view.section == Section::Discussion {
        discussion(doc, view, t, &mut d);
    }
    if d.lines.is_empty() {
        d.text("Nothing recorded for this section.", t.muted);
    }
    Styled {
        items: d.item_ranges(),
        lines: d.lines,
    }
}

fn block_lines(_doc: &Document, block: &Block, view: &View, t: &Theme, d: &mut Doc) {
    match block {
        Block::Heading(h) => d.heading(h, t.heading),
        Block::Text(tn, s) => d.text(s, tone(t, *tn)),
        Block::Mark(m, tn, s) => d.bullet(m, s, tone(t, *tn)),
        Block::Fields(fields) => {
            let kw = fields.iter().map(|f| f.key.len()).max().unwrap_or(0) + 1;
            for f in fields {
                d.kv(f.key, &f.value, t.accent, t.base, kw.max(13));
            }
        }
        Block::Bullets(items) => {
            for i in items {
                d.bullet("•", i, t.base);
            }
        }
        Block::Findings(groups) => findings(groups, view, t, d),
        Block::Safety(rows) => safety(rows, view, t, d),
        Block::Links(links) => {
            d.text(
                &format!(
                    "{} follows a link; {} comes back.",
                    view.keys.key_for(Context::Detail, &Action::Open),
                    view.keys.key_for(Context::Detail, &Action::Back)
                ),
                t.muted,
            );
            d.blank();
            for (i, l) in links.iter().enumerate() {
                d.anchor();
                let (marker, style) = marker(view, i, t);
                d.spans(
                    vec![
                        marker,
                        Span::styled(format!("{}: ", l.relation), t.muted),
                        Span::styled(l.name.clone(), style),
                    ],
                    4,
                );
                if !l.note.is_empty() {
                    d.spans(
                        vec![Span::raw("    "), Span::styled(l.note.clone(), t.base)],
                        4,
                    );
                }
            }
            d.end_items();
        }
        Block::Notes(notes) => {
            for (i, x) in notes.iter().enumerate() {
                d.anchor();
                d.blank();
                let (m, style) = marker(view, i, t);
                d.spans(
                    vec![
                        m,
                        Span::styled(format!("⚠ {}", x.about), style.patch(t.warn)),
                    ],
                    4,
                );
                for (says, cite) in &x.versions {
                    d.spans(
                        vec![
                            Span::styled("    says: ", t.muted),
                            Span::styled(says.clone(), t.base),
                            Span::styled(format!("  [{cite}]"), t.muted),
                        ],
                        10,
                    );
                }
                d.spans(
                    vec![
                        Span::styled("    note: ", t.muted),
                        Span::styled(x.note.clone(), t.base),
                    ],
                    10,
                );
                if !x.findings.is_empty() {
                    d.spans(
                        vec![
                            Span::styled("    about: ", t.muted),
                            Span::styled(x.findings.join("; "), t.muted),
                        ],
                        11,
                    );
                }
            }
            d.end_items();
        }
        // Drawn by the discussion pass (it needs the role filter and the ladder).
        Block::Questions(_) => {}
        Block::Forest {
            rows,
            skipped,
            favours,
        } => {
            if rows.is_empty() {
                d.text(
                    "No ratio effect estimates (HR, OR, RR) to plot for this entry.",
                    t.muted,
                );
            } else {
                let side = match favours {
                    Some((a, b)) => format!(
                        " Left of the line favours {a}, right favours {b}, for outcomes where a lower hazard is better (progression, death)."
                    ),
                    None => String::new(),
                };
                d.text(
                    &format!("Estimates (■) with 95% CI on a log scale; │ is no effect (1).{side}"),
                    t.muted,
                );
            }
            if *skipped > 0 {
                d.text(
                    &format!(
                        "{} on an absolute scale not plotted; see Findings.",
                        crate::format::count(*skipped, "effect", "effects")
                    ),
                    t.muted,
                );
            }
        }
    }
}

/// The `▶` marker and style of item `i` (selected style only while focused).
fn marker(view: &View, i: usize, t: &Theme) -> (Span<'static>, Style) {
    let sel = i == view.item;
    let style = if sel && view.focused {
        t.selected
    } else {
        t.accent
    };
    (Span::styled(if sel { "▶ " } else { "  " }, style), style)
}

/// Lay cells side by side, each wrapped in its column; returns the row's lines.
fn table_row(
    cells: &[(String, Style)],
    widths: &[usize],
    sel: bool,
    focused: bool,
    t: &Theme,
) -> Vec<Line<'static>> {
    // Names wrap with a hanging indent; numbers (the effect and p columns) do not, so a
    // value and its unit always have the column's full width.
    let wrapped: Vec<Vec<Line<'static>>> = cells
        .iter()
        .zip(widths)
        .enumerate()
        .map(|(col, ((s, st), w))| {
            s.split('\n')
                .flat_map(|p| {
                    wrap(
                        vec![Span::styled(p.to_string(), *st)],
                        w.saturating_sub(1).max(1),
                        if col < 2 { 2 } else { 0 },
                    )
                })
                .collect()
        })
        .collect();
    let rows = wrapped.iter().map(Vec::len).max().unwrap_or(1);
    let hl = sel && focused;
    let mut out = Vec::new();
    for r in 0..rows {
        let mut spans = vec![Span::styled(
            if sel && r == 0 { "▶" } else { " " },
            if hl { t.selected } else { t.accent },
        )];
        for (col, w) in wrapped.iter().zip(widths) {
            let line = col.get(r).cloned().unwrap_or_default();
            let lw = line.width();
            let style = if hl { t.selected } else { Style::default() };
            spans.extend(line.spans.into_iter().map(|s| s.patch_style(style)));
            spans.push(Span::styled(" ".repeat(w.saturating_sub(lw)), style));
        }
        out.push(Line::from(spans));
    }
    out
}

/// Column widths of the findings table: endpoint, per arm, effect, and p when there is room.
pub fn finding_widths(width: usize) -> Vec<usize> {
    let w = width.saturating_sub(1);
    if w >= 72 {
        // Wide screens give the effect room for a difference with its unit and CI.
        let eff = if w >= 120 { 34 } else { 21 };
        let rest = w - 11 - eff;
        vec![rest * 2 / 5, rest - rest * 2 / 5, eff, 11]
    } else {
        let eff = 21.min(w / 2);
        let rest = w.saturating_sub(eff);
        vec![rest / 2, rest - rest / 2, eff]
    }
}

fn findings(groups: &[FindingGroup], view: &View, t: &Theme, d: &mut Doc) {
    let widths = finding_widths(d.width());
    let with_p = widths.len() == 4;
    let mut header = vec![
        ("Endpoint".to_string(), t.heading),
        ("Per arm".to_string(), t.heading),
        ("Effect (95% CI)".to_string(), t.heading),
    ];
    if with_p {
        header.push(("p".to_string(), t.heading));
    }
    d.raw(table_row(&header, &widths, false, false, t));
    let mut i = 0;
    for g in groups {
        if groups.len() > 1 || g.title != "Results" {
            d.spans(vec![Span::styled(format!("─ {} ", g.title), t.heading)], 2);
        }
        for f in &g.rows {
            d.anchor();
            let sel = i == view.item;
            finding_row(f, sel, view.focused, &widths, t, d);
            i += 1;
        }
    }
    d.end_items();
    d.blank();
    d.text(
        &format!(
            "{}/{} select a finding: its reading, caveats and source show under it.",
            view.keys.key_for(Context::Detail, &Action::Down),
            view.keys.key_for(Context::Detail, &Action::Up)
        ),
        t.muted,
    );
}

fn finding_row(f: &FindingRow, sel: bool, focused: bool, widths: &[usize], t: &Theme, d: &mut Doc) {
    let with_p = widths.len() == 4;
    let arms = f
        .arms
        .iter()
        .map(|(a, v)| crate::doc::labelled(a, v))
        .collect::<Vec<_>>()
        .join("\n");
    let endpoint = if f.analysis == "ITT" {
        f.endpoint.clone()
    } else {
        format!("{}\n[{}]", f.endpoint, f.analysis)
    };
    let effect = if f.effect.is_empty() {
        "—".to_string()
    } else {
        f.effect.clone()
    };
    let effect = if !with_p && !f.p.is_empty() {
        format!("{effect}\n{}", f.p)
    } else {
        effect
    };
    let mut cells = vec![(endpoint, t.base), (arms, t.base), (effect, t.accent)];
    if with_p {
        cells.push((f.p.clone(), t.base));
    }
    d.raw(table_row(&cells, widths, sel, focused, t));
    if !sel {
        return;
    }
    // The selected finding in words, right under its row.
    let ind = |s: String, style: Style| vec![Span::raw("  "), Span::styled(s, style)];
    d.spans(ind(f.reading.clone(), t.title), 2);
    if !f.comparison.is_empty() && !f.effect.is_empty() {
        d.spans(ind(format!("Compared: {}", f.comparison), t.muted), 4);
    }
    for n in &f.footnotes {
        d.spans(ind(n.clone(), t.muted), 4);
    }
    d.spans(ind(format!("Source: {}", f.source), t.muted), 4);
    for x in &f.discrepancies {
        d.spans(
            ind(
                format!("⚠ Sources disagree: {x} (see Discrepancies)"),
                t.warn,
            ),
            4,
        );
    }
    d.blank();
}

/// Column widths of the safety table: event, grade, per-arm rates.
fn safety_widths(width: usize) -> Vec<usize> {
    let w = width.saturating_sub(1);
    let grade = if w >= 72 { 9 } else { 6 };
    let rest = w.saturating_sub(grade);
    vec![rest * 2 / 5, grade, rest - rest * 2 / 5]
}

/// Adverse events as a table, a row an event; the selected one shows its note, caveats and
/// source under it.
fn safety(rows: &[crate::doc::SafetyRow], view: &View, t: &Theme, d: &mut Doc) {
    let widths = safety_widths(d.width());
    let header = [
        ("Adverse event".to_string(), t.heading),
        ("Grade".to_string(), t.heading),
        ("Per arm".to_string(), t.heading),
    ];
    d.raw(table_row(&header, &widths, false, false, t));
    for (i, s) in rows.iter().enumerate() {
        d.anchor();
        let sel = i == view.item;
        let arms = s
            .arms
            .iter()
            .map(|(a, v)| crate::doc::labelled(a, v))
            .collect::<Vec<_>>()
            .join("\n");
        let grade = if s.grade.is_empty() {
            "—".to_string()
        } else {
            s.grade.clone()
        };
        let cells = [(s.name.clone(), t.base), (grade, t.base), (arms, t.accent)];
        d.raw(table_row(&cells, &widths, sel, view.focused, t));
        if sel {
            let ind = |s: String, style: Style| vec![Span::raw("  "), Span::styled(s, style)];
            if let Some(n) = &s.note {
                d.spans(ind(n.clone(), t.title), 2);
            }
            for n in &s.footnotes {
                d.spans(ind(n.clone(), t.muted), 4);
            }
            d.spans(ind(format!("Source: {}", s.source), t.muted), 4);
            d.blank();
        }
    }
    d.end_items();
    d.blank();
    d.text(
        &format!(
            "{}/{} select an event: its note, caveats and source show under it.",
            view.keys.key_for(Context::Detail, &Action::Down),
            view.keys.key_for(Context::Detail, &Action::Up)
        ),
        t.muted,
    );
}

/// The role ladder with the current filter marked.
fn ladder(role: Option<Role>, ceiling: Option<Role>, t: &Theme, d: &mut Doc) {
    for group in [RoleGroup::ClinicalLadder, RoleGroup::ScholarlyReview] {
        let mut spans = vec![Span::styled(
            format!("{:<18}", format!("{}:", group.label())),
            t.muted,
        )];
        for (i, r) in Role::ALL
            .into_iter()
            .filter(|r| r.group() == group)
            .enumerate()
        {
            if i > 0 {
                spans.push(Span::styled(" › ", t.muted));
            }
            let on = role == Some(r);
            spans.push(Span::styled(
                if on {
                    format!("[{}]", r.label())
                } else {
                    r.label().to_string()
                },
                if on {
                    t.selected
                } else if role.is_none() && ceiling.is_none_or(|c| r <= c) {
                    t.base
                } else {
                    t.muted
                },
            ));
        }
        d.spans(spans, 18);
    }
    let filter = match (role, ceiling) {
        (None, Some(c)) => format!(
            "Up to {} (your level; r/R: step through the roles; x hides every answer)",
            c.label()
        ),
        (None, None) => "All roles (r/R: step through the roles; x hides every answer)".to_string(),
        (Some(r), _) => format!("{} only (r/R: next/previous role)", r.label()),
    };
    d.text(&filter, t.muted);
}

fn discussion(doc: &Document, view: &View, t: &Theme, d: &mut Doc) {
    ladder(view.role, view.ceiling, t, d);
    let qs = questions_in_view(doc, view.role, view.ceiling);
    if qs.is_empty() {
        d.blank();
        d.text(
            if doc.questions().is_empty() {
                "No discussion questions for this entry."
            } else {
                "No question for this role here: r/R step to another role."
            },
            t.muted,
        );
        return;
    }
    let mut group: Option<RoleGroup> = None;
    for (i, q) in qs.iter().enumerate() {
        if group != Some(q.role.group()) {
            group = Some(q.role.group());
            d.heading(&format!("── {} ──", q.role.group().label()), t.heading);
        }
        d.anchor();
        d.blank();
        let revealed = view.revealed.contains(&q.id);
        let selected = i == view.item;
        let style = if selected && view.focused {
            t.selected
        } else {
            t.accent
        };
        let card = QuestionCard {
            header: vec![
                Span::styled(if selected { "▶ " } else { "  " }, style),
                Span::styled(q.role.label().to_string(), style),
            ],
            prompt: &q.prompt,
            key_points: &q.key_points,
            key_response: &q.key_response,
            relies_on: &q.relies_on,
            reveal: if revealed {
                Reveal::Full
            } else {
                Reveal::Hidden
            },
            ticks: None,
            with_response: true,
            hint: (!revealed).then(|| {
                format!(
                    "░░ key response hidden: {} reveals ░░",
                    view.keys.key_for(Context::Detail, &Action::Reveal)
                )
            }),
            ticks_heading: None,
            indent: 2,
            spaced: false,
        };
        d.raw(card.lines(d.width() as u16, t).lines);
    }
    d.end_items();
}
