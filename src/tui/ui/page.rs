//! Lines laid out top to bottom in an area: the quiz card and the rounds screens draw with it.

use crate::tui::lines::wrap::wrap;
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
}
