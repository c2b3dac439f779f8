//! Large type drawn into a buffer: the rows come from [`crate::tui::lines::big`] (the 8×8
//! font as block characters), so what is measured and what is drawn are the same text.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

pub use crate::tui::lines::big::{Size, fit, width};

/// Draw `text` big, centred in `area` (4 rows tall). Returns false when it does not fit.
pub fn render(text: &str, size: Size, area: Rect, buf: &mut Buffer, style: Style) -> bool {
    let area = area.intersection(buf.area);
    let (Some(w), Some(rows)) = (width(text, size), crate::tui::lines::big::rows(text, size))
    else {
        return false;
    };
    if w > area.width || area.height < 4 {
        return false;
    }
    let x0 = area.x + (area.width - w) / 2;
    for (i, row) in rows.iter().enumerate() {
        for (j, sym) in row.chars().enumerate() {
            let mut s = [0u8; 4];
            buf[(x0 + j as u16, area.y + i as u16)]
                .set_symbol(sym.encode_utf8(&mut s))
                .set_style(style);
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_block_glyphs_only() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 4));
        assert!(render(
            "I",
            Size::Large,
            Rect::new(0, 0, 20, 4),
            &mut buf,
            Style::new()
        ));
        let s: String = buf.content.iter().map(|c| c.symbol()).collect();
        assert!(s.contains('█'));
        assert!(s.chars().all(|c| " ▀▄█".contains(c)));
    }
}
