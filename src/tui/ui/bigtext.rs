//! Large type from the 8×8 font: each font pixel pair is one cell (▀ ▄ █), so a character is 8
//! columns by 4 rows; `Small` uses quadrant blocks (4 columns by 4 rows... at half the width).
//! Only ASCII has glyphs; text with other characters falls back to the caller's plain line.

use font8x8::legacy::BASIC_LEGACY;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// 8 columns × 4 rows a character (half-height pixels).
    Large,
    /// 4 columns × 4 rows a character (quadrant pixels).
    Small,
}

impl Size {
    fn cols(self) -> u16 {
        match self {
            Size::Large => 8,
            Size::Small => 4,
        }
    }
}

/// The width big `text` takes at `size`, or None when a character has no glyph.
pub fn width(text: &str, size: Size) -> Option<u16> {
    if !text.chars().all(|c| c.is_ascii() && !c.is_ascii_control()) {
        return None;
    }
    Some(text.chars().count() as u16 * size.cols())
}

/// The largest size at which `text` fits in `max` columns.
pub fn fit(text: &str, max: u16) -> Option<Size> {
    [Size::Large, Size::Small]
        .into_iter()
        .find(|s| width(text, *s).is_some_and(|w| w <= max))
}

fn pixel(c: char, x: usize, y: usize) -> bool {
    let g = BASIC_LEGACY.get(c as usize).copied().unwrap_or([0; 8]);
    y < 8 && x < 8 && (g[y] >> x) & 1 == 1
}

/// Draw `text` big, centred in `area` (4 rows tall). Returns false when it does not fit.
pub fn render(text: &str, size: Size, area: Rect, buf: &mut Buffer, style: Style) -> bool {
    let area = area.intersection(buf.area);
    let Some(w) = width(text, size) else {
        return false;
    };
    if w > area.width || area.height < 4 {
        return false;
    }
    let x0 = area.x + (area.width - w) / 2;
    for (i, c) in text.chars().enumerate() {
        for row in 0..4u16 {
            for col in 0..size.cols() {
                let sym = match size {
                    Size::Large => {
                        let (px, py) = (col as usize, row as usize * 2);
                        match (pixel(c, px, py), pixel(c, px, py + 1)) {
                            (true, true) => "█",
                            (true, false) => "▀",
                            (false, true) => "▄",
                            (false, false) => " ",
                        }
                    }
                    Size::Small => {
                        let (px, py) = (col as usize * 2, row as usize * 2);
                        let q = [
                            pixel(c, px, py),
                            pixel(c, px + 1, py),
                            pixel(c, px, py + 1),
                            pixel(c, px + 1, py + 1),
                        ];
                        QUADRANTS[q
                            .iter()
                            .enumerate()
                            .map(|(i, b)| (*b as usize) << i)
                            .sum::<usize>()]
                    }
                };
                let x = x0 + i as u16 * size.cols() + col;
                buf[(x, area.y + row)].set_symbol(sym).set_style(style);
            }
        }
    }
    true
}

/// Quadrant blocks by bits: 1 upper-left, 2 upper-right, 4 lower-left, 8 lower-right.
const QUADRANTS: [&str; 16] = [
    " ", "▘", "▝", "▀", "▖", "▌", "▞", "▛", "▗", "▚", "▐", "▜", "▄", "▙", "▟", "█",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_text_fits_or_says_it_does_not() {
        assert_eq!(width("EMILIA", Size::Large), Some(48));
        assert_eq!(fit("EMILIA", 60), Some(Size::Large));
        assert_eq!(fit("EMILIA", 30), Some(Size::Small));
        assert_eq!(fit("EMILIA", 10), None);
        assert_eq!(width("Café", Size::Large), None);
    }

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
