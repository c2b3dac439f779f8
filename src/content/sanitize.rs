//! Make untrusted pack text safe to put on a terminal.
//!
//! Applied once, at load, to every string of a pack. Removes C0 controls (except newline),
//! DEL, C1 controls, whole ANSI escape sequences (CSI, OSC, DCS … as far as they can be
//! recognised) and bidirectional overrides/isolates; expands tabs to spaces; normalises CRLF.

/// Width a tab expands to.
pub const TAB_WIDTH: usize = 4;

/// What sanitizing changed in one string.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Changes {
    /// Control characters, escape sequences and bidi controls removed.
    pub removed: usize,
    /// Tabs expanded.
    pub tabs: usize,
}

impl Changes {
    pub fn any_removed(&self) -> bool {
        self.removed > 0
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Characters that are never allowed through: C0 (but `\n`), DEL, C1, bidi controls,
/// and a few invisible format characters that confuse width computation.
pub fn is_forbidden(c: char) -> bool {
    (c.is_control() && c != '\n')
        || is_bidi_control(c)
        || matches!(c, '\u{FEFF}' | '\u{2028}' | '\u{2029}')
}

/// Whether [`sanitize`] would leave `s` as it is: no forbidden character (tabs, CR and
/// escapes are all controls). Plain ASCII is checked a byte at a time.
pub fn is_clean(s: &str) -> bool {
    // 32 bytes at a time without early exit inside a chunk, so the loop vectorizes: a byte
    // is suspect if it is a control (but `\n`), DEL, or not ASCII.
    let suspect = |b: u8| (b < 0x20 && b != b'\n') | (b >= 0x7f);
    let bytes = s.as_bytes();
    let mut chunks = bytes.chunks_exact(32);
    let mut plain = true;
    for c in &mut chunks {
        if c.iter().fold(false, |acc, &b| acc | suspect(b)) {
            plain = false;
            break;
        }
    }
    if plain && !chunks.remainder().iter().any(|&b| suspect(b)) {
        return true;
    }
    !s.chars().any(is_forbidden)
}

/// Sanitize `s`, returning the clean text and what was changed.
pub fn sanitize(s: &str) -> (String, Changes) {
    let mut out = String::with_capacity(s.len());
    let mut ch = Changes::default();
    let mut col = 0usize;
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\n' => {
                out.push('\n');
                col = 0;
            }
            '\r' => {
                // CRLF → LF silently; a lone CR is a control character.
                if it.peek() == Some(&'\n') {
                    continue;
                }
                ch.removed += 1;
            }
            '\t' => {
                let n = TAB_WIDTH - (col % TAB_WIDTH);
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
                ch.tabs += 1;
            }
            '\u{1b}' => {
                ch.removed += 1;
                skip_escape(&mut it);
            }
            '\u{9b}' => {
                // C1 CSI: parameters then a final byte.
                ch.removed += 1;
                skip_csi(&mut it);
            }
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => {
                // C1 OSC/DCS/SOS/PM/APC: string up to ST or BEL.
                ch.removed += 1;
                skip_string(&mut it);
            }
            c if is_forbidden(c) => ch.removed += 1,
            c => {
                out.push(c);
                col += 1;
            }
        }
    }
    (out, ch)
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn skip_escape(it: &mut Chars<'_>) {
    match it.peek().copied() {
        Some('[') => {
            it.next();
            skip_csi(it);
        }
        Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => {
            it.next();
            skip_string(it);
        }
        // Two-character escapes (ESC 7, ESC c, ESC ( B …): drop intermediates and the final.
        Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
            while matches!(it.peek(), Some(c) if ('\u{20}'..='\u{2f}').contains(c)) {
                it.next();
            }
            if matches!(it.peek(), Some(c) if ('\u{30}'..='\u{7e}').contains(c)) {
                it.next();
            }
        }
        Some(c) if ('\u{30}'..='\u{7e}').contains(&c) => {
            it.next();
        }
        _ => {}
    }
}

fn skip_csi(it: &mut Chars<'_>) {
    // Parameter and intermediate bytes 0x20–0x3f, then one final byte 0x40–0x7e.
    while let Some(&c) = it.peek() {
        if ('\u{20}'..='\u{3f}').contains(&c) {
            it.next();
        } else {
            if ('\u{40}'..='\u{7e}').contains(&c) {
                it.next();
            }
            return;
        }
    }
}

fn skip_string(it: &mut Chars<'_>) {
    // Up to BEL, ESC \ (ST) or C1 ST; an unterminated string swallows the rest of the line.
    while let Some(c) = it.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                if it.peek() == Some(&'\\') {
                    it.next();
                }
                return;
            }
            '\n' => return,
            _ => {}
        }
    }
}

/// Sanitize text that is about to be printed but did not come through the loader
/// (e.g. an error message quoting a file path).
pub fn clean(s: &str) -> String {
    sanitize(s).0
}

#[cfg(test)]
mod tests {
    #[test]
    fn is_clean_agrees_with_sanitize() {
        let long = "plain text ".repeat(10);
        let mut cases = vec![
            String::new(),
            "plain".into(),
            "two\nlines".into(),
            "café ≥3 – naïve".into(),
            long.clone(),
        ];
        for bad in [
            "\t",
            "\r",
            "\r\n",
            "\u{1b}[31m",
            "\u{7f}",
            "\u{9b}1m",
            "\u{202e}",
            "\u{feff}",
            "\u{2028}",
            "\u{0}",
        ] {
            cases.push(bad.to_string());
            cases.push(format!("{long}{bad}"));
            cases.push(format!("{bad}{long}é"));
            cases.push(format!("{}{bad}", &long[..31]));
        }
        for c in &cases {
            let (out, ch) = super::sanitize(c);
            let unchanged = out == *c && ch == super::Changes::default();
            assert_eq!(super::is_clean(c), unchanged, "{c:?}");
        }
    }

    use super::*;

    #[test]
    fn strips_csi_osc_and_controls() {
        let (s, ch) = sanitize("a\u{1b}[31mred\u{1b}[0m\u{1b}]0;title\u{7}b\u{0}c\u{7f}d\u{85}e");
        assert_eq!(s, "aredbcde");
        assert_eq!(ch.removed, 6);
    }

    #[test]
    fn strips_bidi_and_c1_csi() {
        let (s, ch) = sanitize("x\u{202E}y\u{9b}2Jz\u{2066}");
        assert_eq!(s, "xyz");
        assert_eq!(ch.removed, 3);
    }

    #[test]
    fn expands_tabs_to_next_stop_and_keeps_newlines() {
        let (s, ch) = sanitize("ab\tc\n\td");
        assert_eq!(s, "ab  c\n    d");
        assert_eq!(ch.tabs, 2);
        assert_eq!(ch.removed, 0);
    }

    #[test]
    fn crlf_becomes_lf_but_lone_cr_is_removed() {
        assert_eq!(sanitize("a\r\nb\rc").0, "a\nbc");
    }

    #[test]
    fn plain_unicode_is_untouched() {
        let t = "HR 0.65 (95% CI 0.55–0.77), grade ≥3 — naïve";
        assert_eq!(sanitize(t), (t.to_string(), Changes::default()));
    }
}
