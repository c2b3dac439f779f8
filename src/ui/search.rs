//! The search overlay: query box, then hits with kind, trial and a highlighted snippet.

use super::doc::truncate;
use crate::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};
use unicode_width::UnicodeWidthStr;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(st) = &app.search else { return };
    let t = &app.theme;
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(t.border_focus)
        .title(Span::styled(
            " Search trials, findings, questions, key responses ",
            t.border_focus,
        ))
        .style(t.base);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 3 {
        return;
    }
    // Query line with a visible cursor block.
    let q = Line::from(vec![
        Span::styled(" / ", t.key),
        Span::styled(format!(" {}", st.query), t.title),
        Span::styled("█", t.accent),
    ]);
    frame.render_widget(
        Paragraph::new(q),
        Rect::new(inner.x, inner.y, inner.width, 1),
    );
    let reveal = if st.reveal_on_open {
        "revealed"
    } else {
        "hidden"
    };
    let info = format!(
        " {} result{} · questions open {reveal} (Ctrl+R) · 'exact !not @role #kind",
        st.hits.len(),
        if st.hits.len() == 1 { "" } else { "s" }
    );
    frame.render_widget(
        Paragraph::new(Span::styled(truncate(&info, inner.width as usize), t.muted)),
        Rect::new(inner.x, inner.y + 1, inner.width, 1),
    );
    let list = Rect::new(
        inner.x,
        inner.y + 3,
        inner.width,
        inner.height.saturating_sub(3),
    );
    if st.hits.is_empty() {
        let msg = if st.query.trim().is_empty() {
            "Type to search."
        } else {
            "No matches. Fewer or shorter terms?"
        };
        frame.render_widget(Paragraph::new(Span::styled(msg, t.muted)), list);
        return;
    }
    let rows = (list.height / 2) as usize;
    let first = super::list_first_visible(st.selected, rows.max(1));
    let w = list.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    // Highlights are computed only for the rows on screen.
    for (i, hit) in st.hits.iter().enumerate().skip(first).take(rows) {
        let sel = i == st.selected;
        let row_style = if sel { t.selected } else { t.base };
        let badge = format!("{:<11} ", hit.kind.label());
        let head_w = w.saturating_sub(badge.width() + 2);
        let (snippet, marks) = app.searcher.highlight(hit, &st.query);
        let in_title = snippet == hit.title;
        let mut head = vec![
            Span::styled(if sel { "▶ " } else { "  " }, row_style),
            Span::styled(badge, t.accent),
        ];
        if in_title {
            head.extend(highlighted(&snippet, &marks, head_w, row_style, t.matched).spans);
        } else {
            head.push(Span::styled(
                truncate(&hit.title.replace('\n', " "), head_w),
                row_style,
            ));
        }
        lines.push(Line::from(head));
        let mut second = vec![Span::raw("    ")];
        if in_title {
            second.push(Span::styled(
                truncate(&context(app, hit), w.saturating_sub(4)),
                t.muted,
            ));
        } else {
            second.extend(
                highlighted(&snippet, &marks, w.saturating_sub(4), t.muted, t.matched).spans,
            );
        }
        lines.push(Line::from(second));
    }
    frame.render_widget(Paragraph::new(lines), list);
    if first + rows < st.hits.len() && list.height > 0 {
        let more = format!(" ↓ {} more ", st.hits.len() - first - rows);
        let mw = more.width() as u16;
        let r = Rect::new(
            area.x + area.width.saturating_sub(mw + 2),
            area.y + area.height - 1,
            mw,
            1,
        )
        .intersection(frame.area());
        frame.render_widget(Paragraph::new(Span::styled(more, t.muted)), r);
    }
}

/// A muted second line for a hit matched in its title: where it lives.
fn context(app: &App, hit: &crate::search::Hit) -> String {
    let Some(e) = app.lib.entry(&hit.entry) else {
        return String::new();
    };
    let status = crate::text::status_label(e);
    match hit.kind {
        crate::search::Kind::Question => {
            let role = e
                .questions
                .iter()
                .find(|q| Some(&q.id) == hit.item.as_ref())
                .map(|q| q.role.label())
                .unwrap_or("");
            format!("{role} question · {} ({status})", e.name)
        }
        k if k.is_entry() => {
            let mut parts = vec![status];
            if let Some(y) = e.year {
                parts.push(y.to_string());
            }
            if let Some(p) = e.phase() {
                parts.push(format!("phase {p}"));
            }
            parts.join(" · ")
        }
        crate::search::Kind::Finding => {
            let analysis = e
                .findings
                .iter()
                .find(|f| Some(&f.id) == hit.item.as_ref())
                .map(|f| f.analysis.label())
                .unwrap_or_default();
            format!("{analysis} · in {} ({status})", e.name)
        }
        _ => format!("in {} ({status})", e.name),
    }
}

/// The snippet with matched characters styled (bold + underline, so not by colour alone).
pub fn highlighted(
    s: &str,
    marks: &[usize],
    width: usize,
    base: ratatui::style::Style,
    hl: ratatui::style::Style,
) -> Line<'static> {
    let mut spans = Vec::new();
    let mut used = 0usize;
    let mut cur = String::new();
    let mut cur_hl = false;
    for (i, c) in s.chars().enumerate() {
        let c = if c == '\n' { ' ' } else { c };
        let cw = c.to_string().width();
        if used + cw > width {
            break;
        }
        used += cw;
        let h = marks.binary_search(&i).is_ok();
        if h != cur_hl && !cur.is_empty() {
            spans.push(Span::styled(
                std::mem::take(&mut cur),
                if cur_hl { hl } else { base },
            ));
        }
        cur_hl = h;
        cur.push(c);
    }
    if !cur.is_empty() {
        spans.push(Span::styled(cur, if cur_hl { hl } else { base }));
    }
    Line::from(spans)
}
