//! Block type from the 8×8 font, as rows of text: each font pixel pair is one cell (▀ ▄ █),
//! so a character is 8 columns by 4 rows; `Small` uses quadrant blocks (4 columns by 4 rows).
//! Every glyph used is in the Block Elements range, which DejaVu Sans Mono and the other
//! common monospace fonts draw. Text is wrapped at word boundaries, so a long question can
//! be set in block type over several lines; text the font cannot show is refused (the caller
//! falls back to ordinary text).

use font8x8::legacy::{BASIC_LEGACY, LATIN_LEGACY};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// 8 columns × 4 rows a character (half-height pixels).
    Large,
    /// 4 columns × 4 rows a character (quadrant pixels).
    Small,
}

/// Rows a line of block type takes.
pub const ROWS: u16 = 4;

impl Size {
    pub fn cols(self) -> u16 {
        match self {
            Size::Large => 8,
            Size::Small => 4,
        }
    }
}

/// The 8×8 glyph of a character, with typographic punctuation set as its plain form; `None`
/// when the font has none.
fn glyph(c: char) -> Option<[u8; 8]> {
    let c = match c {
        '\u{2018}' | '\u{2019}' => '\'',
        '\u{201C}' | '\u{201D}' => '"',
        '\u{2010}'..='\u{2014}' | '\u{2212}' => '-',
        '\u{00A0}' | '\u{202F}' | '\u{2009}' => ' ',
        '·' => '.',
        c => c,
    };
    let n = c as usize;
    if c.is_ascii() && !c.is_ascii_control() {
        return BASIC_LEGACY.get(n).copied();
    }
    if (0xA0..=0xFF).contains(&n) {
        return LATIN_LEGACY.get(n - 0xA0).copied();
    }
    None
}

fn pixel(g: &[u8; 8], x: usize, y: usize) -> bool {
    y < 8 && x < 8 && (g[y] >> x) & 1 == 1
}

/// Quadrant blocks by bits: 1 upper-left, 2 upper-right, 4 lower-left, 8 lower-right.
const QUADRANTS: [&str; 16] = [
    " ", "▘", "▝", "▀", "▖", "▌", "▞", "▛", "▗", "▚", "▐", "▜", "▄", "▙", "▟", "█",
];

/// The width `text` takes at `size`, or `None` when a character has no glyph.
pub fn width(text: &str, size: Size) -> Option<u16> {
    text.chars()
        .try_fold(0u16, |w, c| glyph(c).map(|_| w.saturating_add(size.cols())))
}

/// The largest size at which `text` fits on one line of `max` columns.
pub fn fit(text: &str, max: u16) -> Option<Size> {
    [Size::Large, Size::Small]
        .into_iter()
        .find(|s| width(text, *s).is_some_and(|w| w <= max))
}

/// One line of `text` as [`ROWS`] rows of block characters (unstyled).
pub fn rows(text: &str, size: Size) -> Option<Vec<String>> {
    let glyphs: Vec<[u8; 8]> = text.chars().map(glyph).collect::<Option<_>>()?;
    let mut out = vec![String::new(); ROWS as usize];
    for (row, line) in out.iter_mut().enumerate() {
        for g in &glyphs {
            for col in 0..size.cols() as usize {
                let sym = match size {
                    Size::Large => {
                        let py = row * 2;
                        match (pixel(g, col, py), pixel(g, col, py + 1)) {
                            (true, true) => "█",
                            (true, false) => "▀",
                            (false, true) => "▄",
                            (false, false) => " ",
                        }
                    }
                    Size::Small => {
                        let (px, py) = (col * 2, row * 2);
                        let q = [
                            pixel(g, px, py),
                            pixel(g, px + 1, py),
                            pixel(g, px, py + 1),
                            pixel(g, px + 1, py + 1),
                        ];
                        QUADRANTS[q
                            .iter()
                            .enumerate()
                            .map(|(i, b)| (*b as usize) << i)
                            .sum::<usize>()]
                    }
                };
                line.push_str(sym);
            }
        }
    }
    Some(out)
}

/// `text` wrapped at spaces into lines of at most `max` columns of block type at `size`;
/// `None` when a character has no glyph or a word alone is wider than the line.
pub fn wrap(text: &str, size: Size, max: u16) -> Option<Vec<String>> {
    let per = (max / size.cols()) as usize;
    if per == 0 {
        return None;
    }
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        width(word, size)?;
        let n = word.chars().count();
        if n > per {
            return None;
        }
        let cur_n = cur.chars().count();
        if cur.is_empty() {
            cur.push_str(word);
        } else if cur_n + 1 + n <= per {
            cur.push(' ');
            cur.push_str(word);
        } else {
            lines.push(std::mem::take(&mut cur));
            cur.push_str(word);
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    Some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_text_fits_or_says_it_does_not() {
        assert_eq!(width("EMILIA", Size::Large), Some(48));
        assert_eq!(fit("EMILIA", 60), Some(Size::Large));
        assert_eq!(fit("EMILIA", 30), Some(Size::Small));
        assert_eq!(fit("EMILIA", 10), None);
        assert_eq!(width("Café", Size::Large), Some(32));
        assert_eq!(width("≥ 3", Size::Large), None);
        assert_eq!(width("0.55–0.77", Size::Small), Some(36));
    }

    #[test]
    fn rows_are_block_glyphs_of_the_right_width() {
        let r = rows("I:0", Size::Large).unwrap();
        assert_eq!(r.len(), 4);
        assert!(r.iter().all(|l| l.chars().count() == 24));
        assert!(r.concat().chars().all(|c| " ▀▄█".contains(c)));
        let r = rows("Time", Size::Small).unwrap();
        assert!(r.iter().all(|l| l.chars().count() == 16));
    }

    #[test]
    fn wrapping_keeps_words_whole() {
        let w = wrap("What does each of those numbers tell you", Size::Small, 60).unwrap();
        assert!(w.iter().all(|l| l.chars().count() <= 15), "{w:?}");
        assert_eq!(w.join(" "), "What does each of those numbers tell you");
        assert_eq!(wrap("Supercalifragilistic", Size::Large, 40), None);
        assert_eq!(wrap("HR ≥ 1", Size::Small, 200), None);
    }
}
