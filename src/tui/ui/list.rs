//! The trial list: name, year and a text tag (phase, "◷ 2014" for ongoing as of a source, "topic").

use crate::content::{Entry, EntryKind, Library, Row};
use crate::tui::app::Browse;
use crate::tui::layout::{self, Focus};
use crate::tui::lines::wrap::truncate;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use unicode_width::UnicodeWidthStr;

/// The short tag shown at the right of a row: `2012 ph3`; `◷ 2014` for a trial ongoing as of
/// its 2014 source (never "ongoing" as if that were its status today); `topic`.
pub fn tag(e: &Entry) -> String {
    row_tag(&Row::of(e))
}

/// The short tag of a list row (read without decoding its entry).
pub fn row_tag(r: &Row) -> String {
    if r.kind == EntryKind::Topic {
        return "topic".into();
    }
    if r.ongoing {
        return match r.as_of {
            Some(year) => format!("◷ {year}"),
            None => "◷ ongoing".into(),
        };
    }
    let p = r
        .phase
        .as_deref()
        .map(crate::format::phase_short_of)
        .unwrap_or_default();
    match r.year {
        Some(y) if p.is_empty() => y.to_string(),
        Some(y) => format!("{y} {p}"),
        None if p.is_empty() => "trial".into(),
        None => p,
    }
}

/// The trial list panel.
pub struct ListView<'a> {
    pub lib: &'a Library,
    pub browse: &'a Browse,
    pub theme: &'a Theme,
}

impl Widget for &ListView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let b = self.browse;
        let focused = b.focus == Focus::List;
        let title = Line::from(vec![
            Span::styled(" Trials ", if focused { t.border_focus } else { t.border }),
            Span::styled(format!("· {} ", b.sort.label()), t.muted),
        ]);
        let block = super::panel(title, focused, t);
        let inner = layout::inner(area);
        block.render(area, buf);
        if b.order.is_empty() {
            Paragraph::new("No trials loaded.").render(inner, buf);
            return;
        }
        let h = inner.height as usize;
        let w = inner.width as usize;
        let first = layout::list_first_visible(b.list_sel, h);
        let mut lines = Vec::new();
        for (row, &i) in b.order.iter().enumerate().skip(first).take(h) {
            // The row only: the list never decodes an entry.
            let e = self.lib.entries.row(i);
            let sel = row == b.list_sel;
            let marker = if sel { "▶ " } else { "  " };
            let tag = row_tag(e);
            let name_w = w.saturating_sub(tag.width() + 3);
            let name = truncate(&e.name, name_w);
            let pad = w.saturating_sub(marker.width() + name.width() + tag.width());
            let style = if sel { t.selected } else { t.base };
            let tag_style = if sel {
                t.selected
            } else if e.ongoing {
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
        Paragraph::new(lines).render(inner, buf);
        super::Scroll::new(first, b.order.len(), h).render_marks(inner, buf, t.muted);
    }
}
