//! Lines laid out top to bottom in an area: the quiz card and the rounds screens draw with it.

use super::bigtext;
use crate::tui::lines::wrap::{truncate, wrap};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

pub struct Page<'b> {
    pub buf: &'b mut Buffer,
    pub area: Rect,
    /// The next row to write.
    pub y: u16,
}

impl<'b> Page<'b> {
    pub fn new(buf: &'b mut Buffer, area: Rect) -> Page<'b> {
        Page {
            buf,
            area,
            y: area.y,
        }
    }

    pub fn bottom(&self) -> u16 {
        self.area.y + self.area.height
    }

    pub fn room(&self) -> u16 {
        self.bottom().saturating_sub(self.y)
    }

    pub fn gap(&mut self, n: u16) {
        self.y = (self.y + n).min(self.bottom());
    }

    /// One line; false (and nothing drawn) when there is no room left.
    pub fn line(&mut self, line: Line<'static>) -> bool {
        if self.y >= self.bottom() {
            return false;
        }
        Paragraph::new(line).render(Rect::new(self.area.x, self.y, self.area.width, 1), self.buf);
        self.y += 1;
        true
    }

    /// Wrapped spans; false when cut for lack of room.
    pub fn spans(&mut self, spans: Vec<Span<'static>>, indent: usize) -> bool {
        wrap(spans, self.area.width as usize, indent)
            .into_iter()
            .all(|l| self.line(l))
    }

    pub fn text(&mut self, s: &str, style: Style) -> bool {
        self.spans(vec![Span::styled(s.to_string(), style)], 0)
    }

    pub fn centred(&mut self, s: &str, style: Style) {
        if self.y >= self.bottom() {
            return;
        }
        let s = truncate(s, self.area.width as usize);
        let w = unicode_width::UnicodeWidthStr::width(s.as_str()) as u16;
        let x = self.area.x + (self.area.width.saturating_sub(w)) / 2;
        self.buf.set_string(x, self.y, &s, style);
        self.y += 1;
    }

    /// Large type, centred; plain text where it does not fit.
    pub fn big(&mut self, s: &str, style: Style) {
        match bigtext::fit(s, self.area.width) {
            Some(size) if self.room() >= 5 => {
                let r = Rect::new(self.area.x, self.y, self.area.width, 4);
                bigtext::render(s, size, r, self.buf, style);
                self.y += 4;
            }
            _ => self.centred(s, style),
        }
    }
}
