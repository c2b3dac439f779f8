//! The detail panel: section tabs, then the selected section of the current entry.

use super::Scroll;
use super::forest::ForestPlot;
use crate::content::Library;
use crate::doc::{self, Section};
use crate::tui::app::Browse;
use crate::tui::layout::{self, Focus};
use crate::tui::lines::document as styled;
use crate::tui::lines::wrap::truncate;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

pub struct DetailView<'a> {
    pub lib: &'a Library,
    pub browse: &'a Browse,
    pub theme: &'a Theme,
    /// Text that names a key asks the keymap.
    pub keys: &'a crate::tui::keymap::Keymap,
}

impl Widget for &DetailView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let b = self.browse;
        let focused = b.focus == Focus::Detail;
        let Some(ei) = b.current() else {
            let block = super::panel(Line::from(" Detail "), focused, t);
            Paragraph::new("Select a trial.")
                .block(block)
                .render(area, buf);
            return;
        };
        let e = &self.lib.entries[ei];
        // The title: the entry, and the role filter when one is on.
        let filter = b
            .role
            .map(|r| format!(" · role: {}", r.label()))
            .unwrap_or_default();
        let title_w = (area.width as usize).saturating_sub(4 + filter.chars().count());
        let title = Line::from(vec![
            Span::styled(
                format!(
                    " {}",
                    truncate(
                        &format!("{} — {}", e.name, e.title),
                        title_w.saturating_sub(2)
                    )
                ),
                if focused { t.border_focus } else { t.title },
            ),
            Span::styled(format!("{filter} "), t.warn),
        ]);
        super::panel(title, focused, t).render(area, buf);
        let inner = layout::inner(area);
        if inner.height < 2 || inner.width < 10 {
            return;
        }
        // Tabs row, with ‹ › where tabs are scrolled out of a narrow panel.
        let row = layout::tab_row(area);
        let visible = layout::tabs(row.width, b.section);
        let (cut_before, cut_after) = layout::tabs_cut(&visible);
        let mut spans = Vec::new();
        if cut_before {
            spans.push(Span::styled("‹", t.accent));
        }
        for tab in &visible {
            let cur = tab.section == b.section;
            spans.push(Span::styled(
                format!(" {}", tab.label),
                if cur { t.selected } else { t.muted },
            ));
            spans.push(Span::styled("│", t.border));
        }
        let used: usize = spans.iter().map(|s| s.width()).sum();
        if cut_after {
            spans.push(Span::raw(
                " ".repeat((row.width as usize).saturating_sub(used + 1)),
            ));
            spans.push(Span::styled("›", t.accent));
        }
        Paragraph::new(Line::from(spans)).render(row, buf);
        let body = layout::detail_body(area);
        let d = b.docs.get(self.lib, ei);
        let s = styled::section(&d, &b.view(focused, self.keys), t, body.width);
        if b.section == Section::Forest {
            render_forest(&d, s.lines, b.scroll, body, buf, t);
            return;
        }
        Scroll::new(b.scroll, s.lines.len(), body.height as usize)
            .render_lines(s.lines, body, buf, t.base, t.muted);
    }
}

fn render_forest(
    d: &doc::Document,
    caption: Vec<Line<'static>>,
    scroll: usize,
    area: Rect,
    buf: &mut Buffer,
    t: &Theme,
) {
    let head = caption.len() as u16;
    Paragraph::new(caption).style(t.base).render(area, buf);
    let Some(doc::Forest { rows, favours }) = d.forest() else {
        return;
    };
    if rows.is_empty() || area.height <= head + 1 {
        return;
    }
    let (fit, _) = layout::forest_fit(area.width, area.height, head);
    let scroll = Scroll::new(scroll, rows.len(), fit);
    let shown = &rows[scroll.top..(scroll.top + fit).min(rows.len())];
    let plot = ForestPlot {
        rows: shown,
        favours,
        theme: t,
    };
    let avail = area.height - head - 1;
    let r = Rect::new(
        area.x,
        area.y + head + 1,
        area.width,
        plot.height(area.width).min(avail),
    );
    (&plot).render(r, buf);
    // The rows above and below the plot carry the marks.
    let marks = Rect::new(r.x, r.y, r.width, r.height.saturating_sub(3));
    scroll.render_marks(marks, buf, t.muted);
}
