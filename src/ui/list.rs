//! The trial list: name, year and a text tag (phase, "ongoing", "topic").

use super::doc::truncate;
use crate::app::{App, Focus};
use crate::content::{Entry, EntryKind};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

/// The short tag shown at the right of a row.
pub fn tag(e: &Entry) -> String {
    if e.kind == EntryKind::Topic {
        return "topic".into();
    }
    if e.status.is_ongoing() {
        return "ongoing".into();
    }
    let phase = e.phase().unwrap_or("").to_ascii_lowercase();
    let p = if phase.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        format!("ph{}", phase.split_whitespace().next().unwrap_or(""))
    } else if phase.contains("retro") {
        "retro".to_string()
    } else if let Some(d) = phase
        .split_whitespace()
        .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
    {
        format!("ph{d}")
    } else {
        String::new()
    };
    match e.year {
        Some(y) if p.is_empty() => y.to_string(),
        Some(y) => format!("{y} {p}"),
        None if p.is_empty() => "trial".into(),
        None => p,
    }
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let focused = app.focus == Focus::List;
    let title = Line::from(vec![
        Span::styled(" Trials ", if focused { t.border_focus } else { t.border }),
        Span::styled(format!("· {} ", app.sort.label()), t.muted),
    ]);
    let block = super::panel(title, focused, app);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let h = inner.height as usize;
    let w = inner.width as usize;
    let first = super::list_first_visible(app.list_sel, h);
    let mut lines = Vec::new();
    for (row, &i) in app.order.iter().enumerate().skip(first).take(h) {
        let e = &app.lib.entries[i];
        let sel = row == app.list_sel;
        let marker = if sel { "▶ " } else { "  " };
        let tag = tag(e);
        let name_w = w.saturating_sub(tag.width() + 3);
        let name = truncate(&e.name, name_w);
        let pad = w.saturating_sub(marker.width() + name.width() + tag.width());
        let style = if sel { t.selected } else { t.base };
        let tag_style = if sel {
            t.selected
        } else if e.status.is_ongoing() {
            t.warn
        } else {
            t.muted
        };
        lines.push(Line::from(vec![
            Span::styled(marker, style),
            Span::styled(name, style),
            Span::styled(" ".repeat(pad), style),
            Span::styled(tag, tag_style),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
    if app.order.len() > first + h && inner.height > 0 {
        let r = Rect::new(
            inner.x + inner.width.saturating_sub(8),
            area.y + area.height - 1,
            8.min(inner.width),
            1,
        );
        frame.render_widget(Paragraph::new(Span::styled(" ↓ more ", t.muted)), r);
    }
    if app.order.is_empty() {
        frame.render_widget(Paragraph::new("No trials loaded."), inner);
    }
}
