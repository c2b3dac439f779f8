//! The detail panel: section tabs, then the selected section of the current entry.

use super::doc::{Doc, truncate, wrap};
use super::forest::{self, ForestPlot};
use crate::app::{App, Focus, Section};
use crate::content::{Cite, Entry, Role, RoleGroup, Status};
use crate::text::{effect, status_label};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let focused = app.focus == Focus::Detail;
    let Some(ei) = app.current() else {
        let block = super::panel(Line::from(" Detail "), focused, app);
        frame.render_widget(Paragraph::new("Select a trial.").block(block), area);
        return;
    };
    let e = &app.lib.entries[ei];
    let title_w = area.width.saturating_sub(4) as usize;
    let title = Line::from(Span::styled(
        format!(
            " {} ",
            truncate(
                &format!("{} — {}", e.name, e.title),
                title_w.saturating_sub(2)
            )
        ),
        if focused { t.border_focus } else { t.title },
    ));
    let block = super::panel(title, focused, app);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 2 || inner.width < 10 {
        return;
    }
    // Tabs row, with ‹ › where tabs are scrolled out of a narrow panel.
    let visible = super::tabs(inner.width, app.section);
    let (cut_before, cut_after) = super::tabs_cut(&visible);
    let mut spans = Vec::new();
    if cut_before {
        spans.push(Span::styled("‹", t.accent));
    }
    for (s, label, _) in &visible {
        let cur = *s == app.section;
        spans.push(Span::styled(
            format!(" {label}"),
            if cur { t.selected } else { t.muted },
        ));
        spans.push(Span::styled("│", t.border));
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    if cut_after {
        spans.push(Span::raw(
            " ".repeat((inner.width as usize).saturating_sub(used + 1)),
        ));
        spans.push(Span::styled("›", t.accent));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)),
        Rect::new(inner.x, inner.y, inner.width, 1),
    );
    let body = Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 1);
    if app.section == Section::Forest {
        render_forest(app, e, frame, body);
        return;
    }
    let doc = build(app, e, body.width);
    let h = body.height as usize;
    let max = super::max_top(doc.lines.len(), h);
    let anchor = if app.item == 0 {
        0
    } else {
        doc.anchors.get(app.item).copied().unwrap_or(0)
    };
    let top = (anchor + app.scroll as usize).min(max);
    app.view_max_scroll.set(max.min(u16::MAX as usize) as u16);
    super::scrolled(frame, body, doc.lines, top, t.base, t.muted);
}

/// The lines of a section (everything but the forest plot), wrapped to `width`.
pub fn build(app: &App, e: &Entry, width: u16) -> Doc {
    let t = &app.theme;
    let mut d = Doc::new(width);
    match app.section {
        Section::Overview => overview(app, e, &mut d),
        Section::Findings => findings(app, e, &mut d),
        Section::Forest => {}
        Section::Safety => safety(app, e, &mut d),
        Section::Appraisal => {
            d.heading("Limitations", t.heading);
            if e.limitations.is_empty() {
                d.text("None recorded.", t.muted);
            }
            for l in &e.limitations {
                d.bullet("•", l, t.base);
            }
            if !e.significance.is_empty() {
                d.heading("Clinical significance", t.heading);
                d.text(&e.significance, t.base);
            }
            if !e.context.is_empty() {
                d.heading("Historical context", t.heading);
                d.text(&e.context, t.base);
            }
        }
        Section::Related => related(app, e, &mut d),
        Section::Discrepancies => discrepancies(app, e, &mut d),
        Section::Sources => sources(app, e, &mut d),
        Section::Discussion => discussion(app, e, &mut d),
    }
    if d.lines.is_empty() {
        d.text("Nothing recorded for this section.", t.muted);
    }
    d
}

fn overview(app: &App, e: &Entry, d: &mut Doc) {
    let t = &app.theme;
    let meta = crate::text::meta_parts(e);
    if !meta.is_empty() {
        d.text(&meta.join(" · "), t.muted);
    }
    match &e.status {
        Status::Ongoing { as_of, source } => {
            let src = app
                .lib
                .source(source)
                .map(|s| s.file.as_str())
                .unwrap_or(source);
            d.bullet(
                "◷",
                &format!("ONGOING as of {as_of} (per {src}); no results in the sources"),
                t.warn,
            );
        }
        Status::Reported => {}
    }
    if !e.discrepancies.is_empty() {
        d.bullet(
            "⚠",
            &format!(
                "{} discrepancy note(s) between sources: see Discrepancies",
                e.discrepancies.len()
            ),
            t.warn,
        );
    }
    d.heading("Bottom line", t.heading);
    d.text(&e.bottom_line, t.base);
    if let Some(ds) = &e.design {
        d.heading("Design", t.heading);
        let kw = 13;
        d.kv("Phase", &ds.phase, t.accent, t.base, kw);
        d.kv("Design", &ds.features.join(", "), t.accent, t.base, kw);
        d.kv(
            "Sample",
            &ds.sample_size
                .map(|n| format!("{n} patients"))
                .unwrap_or_default(),
            t.accent,
            t.base,
            kw,
        );
        d.kv("Setting", &ds.setting, t.accent, t.base, kw);
        d.kv("Duration", &ds.duration, t.accent, t.base, kw);
        d.kv("Population", &ds.population, t.accent, t.base, kw);
        d.kv("Intervention", &ds.intervention, t.accent, t.base, kw);
        d.kv(
            "Comparator",
            ds.comparator.as_deref().unwrap_or(""),
            t.accent,
            t.base,
            kw,
        );
        d.kv(
            "Primary",
            &ds.primary_endpoints.join("; "),
            t.accent,
            t.base,
            kw,
        );
        d.kv(
            "Secondary",
            &ds.secondary_endpoints.join("; "),
            t.accent,
            t.base,
            kw,
        );
        for a in &ds.arms {
            let n = a.n.map(|n| format!(" (n = {n})")).unwrap_or_default();
            let reg = if a.regimen.is_empty() {
                String::new()
            } else {
                format!(": {}", a.regimen)
            };
            d.kv("Arm", &format!("{}{n}{reg}", a.label), t.accent, t.base, kw);
        }
    }
    if !e.tags.is_empty() {
        d.blank();
        d.text(&format!("Tags: {}", e.tags.join(", ")), t.muted);
    }
}

/// Lay cells side by side, each wrapped in its column; returns the row's lines.
fn table_row(
    cells: &[(String, Style)],
    widths: &[usize],
    sel: bool,
    t: &Theme,
) -> Vec<Line<'static>> {
    let wrapped: Vec<Vec<Line<'static>>> = cells
        .iter()
        .zip(widths)
        .map(|((s, st), w)| {
            s.split('\n')
                .flat_map(|p| {
                    wrap(
                        vec![Span::styled(p.to_string(), *st)],
                        w.saturating_sub(1).max(1),
                        0,
                    )
                })
                .collect()
        })
        .collect();
    let rows = wrapped.iter().map(Vec::len).max().unwrap_or(1);
    let mut out = Vec::new();
    for r in 0..rows {
        let mut spans = vec![Span::styled(
            if sel && r == 0 { "▶" } else { " " },
            if sel { t.accent } else { t.base },
        )];
        for (col, w) in wrapped.iter().zip(widths) {
            let line = col.get(r).cloned().unwrap_or_default();
            let lw = line.width();
            let style = if sel { t.selected } else { Style::default() };
            spans.extend(line.spans.into_iter().map(|s| s.patch_style(style)));
            spans.push(Span::styled(" ".repeat(w.saturating_sub(lw)), style));
        }
        out.push(Line::from(spans));
    }
    out
}

fn findings(app: &App, e: &Entry, d: &mut Doc) {
    let t = &app.theme;
    if e.findings.is_empty() {
        let msg = if e.status.is_ongoing() {
            "No results: the trial was ongoing as of the source."
        } else {
            "No structured findings recorded."
        };
        d.text(msg, t.muted);
        return;
    }
    let w = d.width().saturating_sub(1);
    let (ep, arms, eff, p) = if w >= 70 {
        let rest = w - 11 - 20;
        (rest / 2, rest - rest / 2, 20, 11)
    } else {
        let rest = w.saturating_sub(18);
        (rest / 2, rest - rest / 2, 18, 0)
    };
    let widths: Vec<usize> = if p > 0 {
        vec![ep, arms, eff, p]
    } else {
        vec![ep, arms, eff]
    };
    let mut header = vec![
        ("Endpoint".to_string(), t.heading),
        ("Per arm".to_string(), t.heading),
        ("Effect (95% CI)".to_string(), t.heading),
    ];
    if p > 0 {
        header.push(("p".to_string(), t.heading));
    }
    d.raw(table_row(&header, &widths, false, t));
    for (i, f) in e.findings.iter().enumerate() {
        d.anchor();
        let sel = app.focus == Focus::Detail && i == app.item;
        let arms_txt = f
            .values
            .iter()
            .map(|v| crate::text::arm_with_value(e, v, ": "))
            .collect::<Vec<_>>()
            .join("\n");
        let (eff_txt, p_txt) = match &f.effect {
            Some(x) => {
                let fe = |v| crate::content::fmt_effect(x.measure, v);
                let mut s = format!("{} {}", x.measure.label(), fe(x.estimate));
                if let Some((lo, hi)) = x.ci {
                    s.push_str(&format!(" ({}–{})", fe(lo), fe(hi)));
                }
                (s, x.p.map(|p| p.to_string()).unwrap_or_default())
            }
            None => ("—".to_string(), String::new()),
        };
        let eff_txt = if p == 0 && !p_txt.is_empty() {
            format!("{eff_txt}\n{p_txt}")
        } else {
            eff_txt
        };
        let mut cells = vec![
            (format!("{} [{}]", f.endpoint, f.analysis.label()), t.base),
            (arms_txt, t.base),
            (eff_txt, t.accent),
        ];
        if p > 0 {
            cells.push((p_txt, t.base));
        }
        d.raw(table_row(&cells, &widths, sel, t));
    }
    // The selected finding in words, with its citation.
    let sel = e.findings.get(app.item.min(e.findings.len() - 1));
    if let Some(f) = sel {
        d.heading(&format!("Reading: {}", f.endpoint), t.heading);
        d.text(&f.reading, t.base);
        let eff = effect(f);
        if let Some(x) = &f.effect
            && !x.comparison.is_empty()
        {
            d.text(&format!("{eff} — {}", x.comparison), t.muted);
        }
        d.text(
            &format!("Source: {}", crate::text::cites(&app.lib, &f.cite)),
            t.muted,
        );
        let touched: Vec<_> = e
            .discrepancies
            .iter()
            .filter(|x| x.findings.contains(&f.id))
            .collect();
        for x in touched {
            d.bullet(
                "⚠",
                &format!("Discrepancy: {} (see Discrepancies)", x.about),
                t.warn,
            );
        }
    }
}

fn render_forest(app: &App, e: &Entry, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let (rows, skipped) = forest::rows(e);
    let mut d = Doc::new(area.width);
    if rows.is_empty() {
        d.text(
            "No ratio effect estimates (HR, OR, RR) to plot for this entry.",
            t.muted,
        );
    } else {
        d.text(
            "Estimates (■) with 95% CI on a log scale; │ marks no effect (1). For a hazard ratio of progression or death, < 1 favours the first-named arm of the comparison (see Findings).",
            t.muted,
        );
    }
    if skipped > 0 {
        d.text(
            &format!("{skipped} effect(s) on an absolute scale are not plotted; see Findings."),
            t.muted,
        );
    }
    let head = d.lines.len() as u16;
    frame.render_widget(Paragraph::new(d.lines).style(t.base), area);
    if rows.is_empty() || area.height <= head + 1 {
        app.view_max_scroll.set(0);
        return;
    }
    let plot = ForestPlot {
        rows: &rows,
        theme: t,
    };
    let avail = area.height - head - 1;
    // Scroll rows when there are more estimates than fit.
    let per = if ForestPlot::stacked(area.width) {
        2
    } else {
        1
    };
    let fit = (avail.saturating_sub(3) / per) as usize;
    let start = (app.scroll as usize).min(rows.len().saturating_sub(fit.max(1)));
    app.view_max_scroll
        .set(rows.len().saturating_sub(fit.max(1)) as u16);
    let shown: Vec<_> = rows.iter().skip(start).take(fit.max(1)).cloned().collect();
    let plot = ForestPlot {
        rows: &shown,
        theme: plot.theme,
    };
    let r = Rect::new(
        area.x,
        area.y + head + 1,
        area.width,
        plot.height(area.width).min(avail),
    );
    frame.render_widget(&plot, r);
    if start + shown.len() < rows.len() {
        let r = Rect::new(
            area.x + area.width.saturating_sub(8),
            area.y + area.height - 1,
            8.min(area.width),
            1,
        );
        frame.render_widget(Paragraph::new(Span::styled(" ↓ more ", t.muted)), r);
    }
}

fn safety(app: &App, e: &Entry, d: &mut Doc) {
    let t = &app.theme;
    if e.safety.is_empty() {
        d.text("No safety data recorded.", t.muted);
        return;
    }
    for s in &e.safety {
        d.bullet("•", &crate::text::safety_event(s), t.accent);
        for v in &s.values {
            d.spans(
                vec![
                    Span::raw("    "),
                    Span::styled(crate::text::arm_with_value(e, v, ": "), t.base),
                ],
                6,
            );
        }
        if let Some(n) = &s.note {
            d.spans(vec![Span::styled(format!("    {n}"), t.base)], 4);
        }
        d.spans(
            vec![Span::styled(
                format!("    Source: {}", crate::text::cites(&app.lib, &s.cite)),
                t.muted,
            )],
            6,
        );
    }
}

/// The `▶` marker and style of item `i` of a section (selected style only while focused).
fn item_marker(app: &App, i: usize) -> (Span<'static>, Style) {
    let sel = i == app.item;
    let style = if sel && app.focus == Focus::Detail {
        app.theme.selected
    } else {
        app.theme.accent
    };
    (Span::styled(if sel { "▶ " } else { "  " }, style), style)
}

fn related(app: &App, e: &Entry, d: &mut Doc) {
    let t = &app.theme;
    if e.related.is_empty() {
        d.text("No related trials recorded.", t.muted);
        return;
    }
    d.text("Enter follows a link; Backspace comes back.", t.muted);
    d.blank();
    for (i, r) in e.related.iter().enumerate() {
        d.anchor();
        let name = app
            .lib
            .entry(&r.to)
            .map(|x| format!("{} ({})", x.name, status_label(x)))
            .unwrap_or(r.to.clone());
        let (marker, style) = item_marker(app, i);
        d.spans(
            vec![
                marker,
                Span::styled(format!("{}: ", r.relation.label()), t.muted),
                Span::styled(name, style),
            ],
            4,
        );
        if !r.note.is_empty() {
            d.spans(
                vec![Span::raw("    "), Span::styled(r.note.clone(), t.base)],
                4,
            );
        }
    }
}

fn discrepancies(app: &App, e: &Entry, d: &mut Doc) {
    let t = &app.theme;
    if e.discrepancies.is_empty() {
        d.text(
            "The sources agree on everything recorded for this entry.",
            t.muted,
        );
        return;
    }
    d.text(
        "Where the sources disagree, both values are kept: judge them yourself.",
        t.muted,
    );
    for x in &e.discrepancies {
        d.anchor();
        d.blank();
        d.bullet("⚠", &x.about, t.warn);
        for v in &x.versions {
            d.spans(
                vec![
                    Span::styled("    says: ", t.muted),
                    Span::styled(v.says.clone(), t.base),
                    Span::styled(format!("  [{}]", cite_text(app, &v.cite)), t.muted),
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
    }
}

fn cite_text(app: &App, c: &Cite) -> String {
    crate::text::cites(&app.lib, std::slice::from_ref(c))
}

fn sources(app: &App, e: &Entry, d: &mut Doc) {
    let t = &app.theme;
    let mut cites: Vec<(&str, &Cite)> = Vec::new();
    if let Some(ds) = &e.design {
        cites.extend(ds.cite.iter().map(|c| ("design", c)));
    }
    for f in &e.findings {
        cites.extend(f.cite.iter().map(|c| (f.endpoint.as_str(), c)));
    }
    for s in &e.safety {
        cites.extend(s.cite.iter().map(|c| (s.event.as_str(), c)));
    }
    for x in &e.discrepancies {
        cites.extend(x.versions.iter().map(|v| (x.about.as_str(), &v.cite)));
    }
    if let Status::Ongoing { source, .. } = &e.status
        && let Some(s) = app.lib.source(source)
    {
        d.bullet("◷", &format!("status as of {}", s.file), t.warn);
    }
    let mut ids: Vec<&str> = cites.iter().map(|(_, c)| c.source.as_str()).collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        d.text("No citations recorded.", t.muted);
    }
    for id in ids {
        let (file, title) = app
            .lib
            .source(id)
            .map(|s| (s.file.as_str(), s.title.as_str()))
            .unwrap_or((id, ""));
        d.heading(file, t.heading);
        if !title.is_empty() {
            d.text(title, t.muted);
        }
        for (what, c) in cites.iter().filter(|(_, c)| c.source == id) {
            d.bullet("•", &format!("{} — {what}", c.at), t.base);
        }
    }
}

/// The role ladder with the current filter marked.
fn ladder(app: &App, d: &mut Doc) {
    let t = &app.theme;
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
            let on = app.role == Some(r);
            spans.push(Span::styled(
                if on {
                    format!("[{}]", r.label())
                } else {
                    r.label().to_string()
                },
                if on {
                    t.selected
                } else if app.role.is_none() {
                    t.base
                } else {
                    t.muted
                },
            ));
        }
        d.spans(spans, 18);
    }
    let filter = match app.role {
        None => "showing all roles (r: filter by role)".to_string(),
        Some(r) => format!("showing {} only (r: next role, R: all)", r.label()),
    };
    d.text(&filter, t.muted);
}

fn discussion(app: &App, e: &Entry, d: &mut Doc) {
    let t = &app.theme;
    ladder(app, d);
    let qs = app.visible_questions();
    if qs.is_empty() {
        d.blank();
        d.text(
            if e.questions.is_empty() {
                "No discussion questions for this entry."
            } else {
                "No question for this role here."
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
        let (marker, style) = item_marker(app, i);
        d.spans(
            vec![marker, Span::styled(q.role.label().to_string(), style)],
            2,
        );
        d.spans(
            vec![Span::raw("  "), Span::styled(q.prompt.clone(), t.title)],
            2,
        );
        if app.revealed.contains(&q.id) {
            d.spans(vec![Span::styled("  Key response ", t.heading)], 2);
            for para in q.key_response.split('\n') {
                d.spans(
                    vec![Span::raw("  "), Span::styled(para.to_string(), t.base)],
                    2,
                );
            }
            d.spans(vec![Span::styled("  Key points", t.heading)], 2);
            for k in &q.key_points {
                d.spans(
                    vec![
                        Span::styled("  ✓ ", t.good),
                        Span::styled(k.clone(), t.base),
                    ],
                    4,
                );
            }
        } else {
            d.spans(
                vec![Span::styled(
                    "  ░░ key response hidden: Space reveals ░░",
                    t.muted,
                )],
                2,
            );
        }
    }
}
