//! Styled text wrapped to a width: a line builder with item ranges, greedy word wrap that
//! never splits a no-break space, and truncation with an ellipsis.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// Lines being built at a width, with the line ranges of selectable items.
#[derive(Default)]
pub struct Doc {
    pub lines: Vec<Line<'static>>,
    /// Line index at which each item starts.
    pub anchors: Vec<usize>,
    /// Where the last item ends (set by [`Doc::end_items`]; else the end of the lines).
    items_end: Option<usize>,
    width: usize,
}

impl Doc {
    pub fn new(width: u16) -> Doc {
        Doc {
            lines: Vec::new(),
            anchors: Vec::new(),
            items_end: None,
            width: width.max(1) as usize,
        }
    }

    /// Mark the end of the item list (lines after it belong to no item).
    pub fn end_items(&mut self) {
        self.items_end = Some(self.lines.len());
    }

    /// The line range of each item.
    pub fn item_ranges(&self) -> Vec<std::ops::Range<usize>> {
        let end = self.items_end.unwrap_or(self.lines.len());
        (0..self.anchors.len())
            .map(|i| {
                self.anchors[i]
                    ..self
                        .anchors
                        .get(i + 1)
                        .copied()
                        .unwrap_or(end)
                        .max(self.anchors[i] + 1)
            })
            .collect()
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn anchor(&mut self) {
        self.anchors.push(self.lines.len());
    }

    pub fn blank(&mut self) {
        self.lines.push(Line::default());
    }

    /// Styled spans wrapped to the width, continuation lines indented by `indent`.
    pub fn spans(&mut self, spans: Vec<Span<'static>>, indent: usize) {
        let lines = wrap(spans, self.width, indent);
        self.lines.extend(lines);
    }

    pub fn text(&mut self, text: &str, style: Style) {
        for para in text.split('\n') {
            self.spans(vec![Span::styled(para.to_string(), style)], 0);
        }
    }

    pub fn heading(&mut self, text: &str, style: Style) {
        if !self.lines.is_empty() {
            self.blank();
        }
        self.spans(vec![Span::styled(text.to_string(), style)], 0);
    }

    /// `key  value` with the value wrapped under itself.
    pub fn kv(&mut self, key: &str, value: &str, key_style: Style, style: Style, key_width: usize) {
        if value.trim().is_empty() {
            return;
        }
        let kw = key_width.min(self.width / 2);
        let key = format!("{key:<kw$} ");
        for (i, para) in value.split('\n').enumerate() {
            let k = if i == 0 {
                key.clone()
            } else {
                " ".repeat(kw + 1)
            };
            self.spans(
                vec![
                    Span::styled(k, key_style),
                    Span::styled(para.to_string(), style),
                ],
                kw + 1,
            );
        }
    }

    /// A bullet item: `• text`, wrapped with a hanging indent.
    pub fn bullet(&mut self, marker: &str, text: &str, style: Style) {
        let m = format!("{marker} ");
        let ind = m.width();
        self.spans(
            vec![
                Span::styled(m, style),
                Span::styled(text.to_string(), style),
            ],
            ind,
        );
    }

    /// Push pre-built lines (already fitted to the width).
    pub fn raw(&mut self, lines: impl IntoIterator<Item = Line<'static>>) {
        self.lines.extend(lines);
    }
}

/// Greedy word wrap of styled spans. Words longer than the width are split.
pub fn wrap(spans: Vec<Span<'static>>, width: usize, indent: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let indent = if indent >= width { 0 } else { indent };
    let mut out: Vec<Line<'static>> = Vec::new();
    let mut cur: Vec<Span<'static>> = Vec::new();
    let mut col = 0usize;
    let push_line = |out: &mut Vec<Line<'static>>, cur: &mut Vec<Span<'static>>| {
        // Trim trailing spaces of the line.
        if let Some(last) = cur.last_mut() {
            let t = last.content.trim_end().to_string();
            last.content = t.into();
        }
        out.push(Line::from(std::mem::take(cur)));
    };
    for span in spans {
        let style = span.style;
        let mut piece = String::new();
        // A glued value wider than a whole line lets go of its first words, one at a time,
        // until the rest fits ("Diff" then "10 percentage points").
        let room = width.saturating_sub(indent).max(1);
        let toks: Vec<&str> = tokens(&span.content)
            .into_iter()
            .flat_map(|t| unglue(t, room))
            .collect();
        for token in toks {
            let tw = token.width();
            let is_space = token.chars().all(char::is_whitespace);
            if col + tw > width && col > indent {
                if is_space {
                    // A break at a space: drop the space.
                    if !piece.is_empty() {
                        cur.push(Span::styled(std::mem::take(&mut piece), style));
                    }
                    push_line(&mut out, &mut cur);
                    cur.push(Span::raw(" ".repeat(indent)));
                    col = indent;
                    continue;
                }
                if !piece.is_empty() {
                    cur.push(Span::styled(std::mem::take(&mut piece), style));
                }
                push_line(&mut out, &mut cur);
                cur.push(Span::raw(" ".repeat(indent)));
                col = indent;
            }
            if tw > width - col {
                // Too long for any line: split by characters.
                for ch in token.chars() {
                    let cw = UnicodeWidthStr::width(ch.encode_utf8(&mut [0; 4]) as &str);
                    if col + cw > width {
                        if !piece.is_empty() {
                            cur.push(Span::styled(std::mem::take(&mut piece), style));
                        }
                        push_line(&mut out, &mut cur);
                        cur.push(Span::raw(" ".repeat(indent)));
                        col = indent;
                    }
                    piece.push(ch);
                    col += cw;
                }
                continue;
            }
            if is_space && col == indent && !out.is_empty() {
                continue;
            }
            piece.push_str(token);
            col += tw;
        }
        if !piece.is_empty() {
            cur.push(Span::styled(piece, style));
        }
    }
    if !cur.is_empty() || out.is_empty() {
        push_line(&mut out, &mut cur);
    }
    out
}

/// Split text into alternating runs of spaces and non-spaces; a word is also split after a
/// hyphen between letters ("investigator-|assessed"), so long compounds wrap at the hyphen.
fn tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev: Option<char> = None;
    for (i, c) in s.char_indices() {
        if let Some(p) = prev {
            let space_edge = (p == ' ') != (c == ' ');
            // Only after a word of three letters or more: "T-DM1" and "x-ray" stay whole.
            let hyphen_break = p == '-'
                && c.is_alphabetic()
                && i >= 2
                && s[..i - 1]
                    .chars()
                    .rev()
                    .take(3)
                    .filter(|c| c.is_alphabetic())
                    .count()
                    == 3;
            if space_edge || hyphen_break {
                out.push(&s[start..i]);
                start = i;
            }
        }
        prev = Some(c);
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    glue(s, out)
}

/// A token as pieces no wider than `room` where possible, split at its spaces from the left.
fn unglue(t: &str, room: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = t;
    while rest.width() > room && !rest.trim().is_empty() {
        let Some(i) = rest.find(' ') else { break };
        out.push(&rest[..i]);
        out.push(" ");
        rest = &rest[i + 1..];
    }
    out.push(rest);
    out
}

/// Words that stay on the line of the number before them ("9.6 mo", "95% CI").
const UNITS: [&str; 16] = [
    "mo",
    "months",
    "month",
    "wk",
    "weeks",
    "d",
    "days",
    "y",
    "years",
    "pts",
    "patients",
    "percentage",
    "points",
    "CI",
    "mg",
    "mg/kg",
];

/// Whether `next` stays on the line of `prev` (one space between): a number and its unit
/// ("9.6 mo", "95% CI", "10 percentage points"), a measure and its value ("HR 0.65"), a p and
/// its bound ("p < 0.001").
fn stays_together(prev: &str, next: &str) -> bool {
    let last = prev.rsplit(' ').next().unwrap_or(prev);
    let starts_number = next.starts_with(|c: char| c.is_ascii_digit() || c == '−' || c == '-');
    let unit = next.trim_end_matches([
        ',', ';', ')', '.', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹', '*',
    ]);
    let number_then_unit = (last.ends_with(|c: char| c.is_ascii_digit() || c == '%')
        || last == "percentage")
        && UNITS.contains(&unit);
    let measure_then_value = matches!(last, "HR" | "OR" | "RR" | "Diff" | "p")
        && (starts_number || matches!(next, "<" | "=" | ">" | "≤" | "≥"));
    let bound_then_number = matches!(last, "<" | "=" | ">" | "≤" | "≥") && starts_number;
    number_then_unit || measure_then_value || bound_then_number
}

/// Merge what [`stays_together`] into one token, so a value never wraps away from its unit.
fn glue<'a>(s: &'a str, toks: Vec<&'a str>) -> Vec<&'a str> {
    let base = s.as_ptr() as usize;
    let span = |t: &str| {
        let a = t.as_ptr() as usize - base;
        (a, a + t.len())
    };
    let mut out: Vec<&'a str> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        if let (Some(prev), Some(&sp), Some(&next)) =
            (out.last().copied(), toks.get(i), toks.get(i + 1))
            && sp == " "
            && stays_together(prev, next)
        {
            let (a, _) = span(prev);
            let (_, b) = span(next);
            out.pop();
            out.push(&s[a..b]);
            i += 2;
            continue;
        }
        out.push(t);
        i += 1;
    }
    out
}

/// Cut `s` to at most `width` columns, ending in "…" when cut.
pub fn truncate(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = UnicodeWidthStr::width(c.encode_utf8(&mut [0; 4]) as &str);
        if w + cw > width - 1 {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn wraps_at_spaces_with_hanging_indent() {
        let l = wrap(vec![Span::raw("- alpha beta gamma delta")], 12, 2);
        assert_eq!(text(&l), vec!["- alpha beta", "  gamma", "  delta"]);
        for line in &l {
            assert!(line.width() <= 12);
        }
    }

    #[test]
    fn wraps_hyphenated_compounds_at_the_hyphen() {
        let l = wrap(vec![Span::raw("investigator-assessed PFS")], 14, 0);
        assert_eq!(text(&l), vec!["investigator-", "assessed PFS"]);
    }

    #[test]
    fn numbers_keep_their_units() {
        let l = wrap(
            vec![Span::raw("Diff 10 percentage points (95% CI 1–19)")],
            22,
            0,
        );
        assert_eq!(
            text(&l),
            vec!["Diff", "10 percentage points", "(95% CI 1–19)"]
        );
        let l = wrap(vec![Span::raw("PFS 9.6 mo vs 6.4 mo")], 9, 0);
        assert_eq!(text(&l), vec!["PFS", "9.6 mo vs", "6.4 mo"]);
        let l = wrap(vec![Span::raw("HR 0.65 (0.55–0.77), p < 0.001")], 12, 0);
        assert_eq!(text(&l), vec!["HR 0.65", "(0.55–0.77),", "p < 0.001"]);
    }

    #[test]
    fn short_prefixes_stay_with_their_hyphen() {
        let l = wrap(vec![Span::raw("abc T-DM1")], 6, 0);
        assert_eq!(text(&l), vec!["abc", "T-DM1"]);
    }

    #[test]
    fn splits_words_longer_than_the_width() {
        let l = wrap(vec![Span::raw("abcdefghij")], 4, 0);
        assert_eq!(text(&l), vec!["abcd", "efgh", "ij"]);
    }

    #[test]
    fn never_exceeds_width_for_wide_chars() {
        let l = wrap(vec![Span::raw("漢字漢字漢字 ≥3 grade")], 5, 1);
        for line in &l {
            assert!(line.width() <= 5, "{line:?}");
        }
    }

    #[test]
    fn truncate_marks_the_cut() {
        assert_eq!(truncate("EMILIA trial", 6), "EMILI…");
        assert_eq!(truncate("short", 10), "short");
    }
}
