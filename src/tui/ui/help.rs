//! The help overlay, generated from the keymap: one or two columns, scrollable.

use super::Scroll;
use crate::tui::keymap::Keymap;
use crate::tui::layout;
use crate::tui::lines::wrap::truncate;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

pub struct HelpView<'a> {
    pub keymap: &'a Keymap,
    pub scroll: usize,
    pub theme: &'a Theme,
}

impl Widget for &HelpView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let size = (buf.area.width, buf.area.height);
        super::overlay_block(&super::reader_title("Help", self.keymap), t).render(area, buf);
        let inner = layout::inner(area);
        if inner.height < 2 {
            return;
        }
        let body = layout::help_body(size);
        let columns = crate::tui::lines::help::help_lines(self.keymap, size);
        let longest = columns.iter().map(Vec::len).max().unwrap_or(0);
        let scroll = Scroll::new(self.scroll, longest, body.height as usize);
        // Leave room at the end of the first line for the "↑ more" mark when scrolled.
        let room = if scroll.more_above() { 9 } else { 0 };
        Paragraph::new(Span::styled(
            truncate(
                "Every key, by where it works. “Everywhere” keys work in both panels.",
                (inner.width as usize).saturating_sub(room),
            ),
            t.muted,
        ))
        .render(Rect::new(inner.x, inner.y, inner.width, 1), buf);
        let n = columns.len() as u16;
        let col_w = body.width / n.max(1);
        let (kw, desc_w) = crate::tui::lines::help::help_widths(size, n);
        for (c, rows) in columns.iter().enumerate() {
            let r = Rect::new(
                body.x + c as u16 * col_w,
                body.y,
                col_w.saturating_sub(1),
                body.height,
            );
            let lines: Vec<Line<'static>> = rows
                .iter()
                .map(|(k, d)| {
                    if let Some(h) = d.strip_prefix("# ").filter(|_| k.is_empty()) {
                        Line::from(Span::styled(h.to_string(), t.heading))
                    } else {
                        Line::from(vec![
                            Span::styled(format!("  {:<kw$} ", truncate(k, kw)), t.accent),
                            Span::styled(truncate(d, desc_w), t.base),
                        ])
                    }
                })
                .collect();
            let visible: Vec<Line> = lines
                .into_iter()
                .skip(scroll.top)
                .take(scroll.height)
                .collect();
            Paragraph::new(visible).style(t.base).render(r, buf);
        }
        scroll.render_marks(body, buf, t.muted);
    }
}
