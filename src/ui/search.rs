//! The search overlay: query box, then hits with kind, trial and a highlighted snippet.

use super::doc::truncate;
use crate::app::App;
use crate::search::HitKind;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};
use unicode_width::UnicodeWidthStr;

pub fn kind_label(k: HitKind) -> &'static str {
    match k {
        HitKind::Trial => "trial",
        HitKind::Topic => "topic",
        HitKind::Finding => "finding",
        HitKind::Question => "question",
        HitKind::Discrepancy => "discrep",
    }
}

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
        let entry = app
            .lib
            .entry(&hit.entry_id)
            .map(|e| e.name.as_str())
            .unwrap_or(&hit.entry_id);
        let badge = format!("{:<8}", kind_label(hit.kind));
        let head_w = w.saturating_sub(badge.width() + 4);
        lines.push(Line::from(vec![
            Span::styled(if sel { "▶ " } else { "  " }, row_style),
            Span::styled(badge, t.accent),
            Span::styled(" ", row_style),
            Span::styled(
                truncate(&format!("{entry} · {}", hit.title), head_w),
                row_style,
            ),
        ]));
        let (snippet, marks) = app.index.highlight(hit, &st.query);
        lines.push(highlighted(
            &snippet,
            &marks,
            w.saturating_sub(4),
            t.muted,
            t.matched,
        ));
    }
    frame.render_widget(Paragraph::new(lines), list);
}

/// The snippet with matched characters styled (bold + underline, so not by colour alone).
pub fn highlighted(
    s: &str,
    marks: &[usize],
    width: usize,
    base: ratatui::style::Style,
    hl: ratatui::style::Style,
) -> Line<'static> {
    let mut spans = vec![Span::styled("    ", base)];
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
