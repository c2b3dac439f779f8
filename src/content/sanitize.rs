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
/// escapes are all controls).
///
/// Scanned 32 bytes at a time without an early exit inside a chunk, so the loop
/// vectorizes. A byte is suspect if it is an ASCII control (but `\n`), DEL, or the first
/// byte of the only encodings forbidden characters beyond ASCII have: `C2` (C1 controls
/// U+0080–U+009F), `D8` (U+061C), `E2` (U+200E/F, U+2028–U+202E, U+2066–U+2069) and `EF`
/// (U+FEFF). Only a suspect byte is looked at closely, so text with dashes, accents or
/// `≥` stays on the fast path.
pub fn is_clean(s: &str) -> bool {
    let b = s.as_bytes();
    let suspect = |x: u8| {
        (x < 0x20 && x != b'\n')
            | (x == 0x7f)
            | (x == 0xc2)
            | (x == 0xd8)
            | (x == 0xe2)
            | (x == 0xef)
    };
    let mut chunks = b.chunks_exact(32);
    let mut at = 0;
    for c in &mut chunks {
        if c.iter().fold(false, |acc, &x| acc | suspect(x))
            && (at..at + 32).any(|j| suspect(b[j]) && forbidden_at(b, j))
        {
            return false;
        }
        at += 32;
    }
    !(at..b.len()).any(|j| suspect(b[j]) && forbidden_at(b, j))
}

/// Whether the suspect byte at `j` of UTF-8 text starts a forbidden character (see
/// [`is_clean`]; a lead byte is always followed by its continuation bytes).
fn forbidden_at(b: &[u8], j: usize) -> bool {
    let at = |k: usize| b.get(j + k).copied().unwrap_or(0);
    match b[j] {
        0xc2 => (0x80..=0x9f).contains(&at(1)),
        0xd8 => at(1) == 0x9c,
        0xe2 => matches!(
            (at(1), at(2)),
            (0x80, 0x8e | 0x8f | 0xa8..=0xae) | (0x81, 0xa6..=0xa9)
        ),
        0xef => at(1) == 0xbb && at(2) == 0xbf,
        _ => true,
    }
}

/// Whether every string (and char) in `value` is [`is_clean`]: what validation leaves, so
/// text that claims to have been validated (a pack cache) can be proven safe to show
/// without validating it again. Walks the value through its `Serialize` impl, so a field
/// added to the model is covered without a change here; stops at the first unclean string.
pub fn all_clean<T: serde::Serialize + ?Sized>(value: &T) -> bool {
    value.serialize(&mut Scan).is_ok()
}

/// A serializer that writes nothing and fails at the first string that is not clean.
struct Scan;

#[derive(Debug)]
struct Unclean;

impl std::fmt::Display for Unclean {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("text that is not clean")
    }
}

impl std::error::Error for Unclean {}

impl serde::ser::Error for Unclean {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        Unclean
    }
}

mod scan {
    use super::{Scan, Unclean, is_clean};
    use serde::ser::{self, Serialize};

    type R = Result<(), Unclean>;

    /// Serializer methods for values that hold no text: nothing to check.
    macro_rules! no_text {
        ($($name:ident: $t:ty),* $(,)?) => {
            $(fn $name(self, _: $t) -> R {
                Ok(())
            })*
        };
    }

    impl ser::Serializer for &mut Scan {
        type Ok = ();
        type Error = Unclean;
        type SerializeSeq = Self;
        type SerializeTuple = Self;
        type SerializeTupleStruct = Self;
        type SerializeTupleVariant = Self;
        type SerializeMap = Self;
        type SerializeStruct = Self;
        type SerializeStructVariant = Self;

        fn serialize_str(self, v: &str) -> R {
            if is_clean(v) { Ok(()) } else { Err(Unclean) }
        }
        fn serialize_char(self, v: char) -> R {
            self.serialize_str(v.encode_utf8(&mut [0; 4]))
        }
        // Numbers, flags and bytes hold no text.
        no_text! {
            serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
            serialize_i64: i64, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
            serialize_u64: u64, serialize_f32: f32, serialize_f64: f64, serialize_bytes: &[u8]
        }
        fn serialize_none(self) -> R {
            Ok(())
        }
        fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> R {
            v.serialize(self)
        }
        fn serialize_unit(self) -> R {
            Ok(())
        }
        fn serialize_unit_struct(self, _: &'static str) -> R {
            Ok(())
        }
        fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> R {
            Ok(())
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> R {
            v.serialize(self)
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            v: &T,
        ) -> R {
            v.serialize(self)
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Self, Unclean> {
            Ok(self)
        }
        fn serialize_tuple(self, _: usize) -> Result<Self, Unclean> {
            Ok(self)
        }
        fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Unclean> {
            Ok(self)
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self, Unclean> {
            Ok(self)
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Self, Unclean> {
            Ok(self)
        }
        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Unclean> {
            Ok(self)
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self, Unclean> {
            Ok(self)
        }
    }

    macro_rules! elements {
        ($($trait:ident :: $method:ident),*) => {$(
            impl ser::$trait for &mut Scan {
                type Ok = ();
                type Error = Unclean;
                fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> R {
                    v.serialize(&mut **self)
                }
                fn end(self) -> R {
                    Ok(())
                }
            }
        )*};
    }
    elements!(
        SerializeSeq::serialize_element,
        SerializeTuple::serialize_element,
        SerializeTupleStruct::serialize_field,
        SerializeTupleVariant::serialize_field
    );

    impl ser::SerializeMap for &mut Scan {
        type Ok = ();
        type Error = Unclean;
        fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> R {
            k.serialize(&mut **self)
        }
        fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> R {
            v.serialize(&mut **self)
        }
        fn end(self) -> R {
            Ok(())
        }
    }

    macro_rules! fields {
        ($($trait:ident),*) => {$(
            impl ser::$trait for &mut Scan {
                type Ok = ();
                type Error = Unclean;
                fn serialize_field<T: Serialize + ?Sized>(&mut self, _: &'static str, v: &T) -> R {
                    v.serialize(&mut **self)
                }
                fn end(self) -> R {
                    Ok(())
                }
            }
        )*};
    }
    fields!(SerializeStruct, SerializeStructVariant);
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
    fn is_clean_agrees_with_is_forbidden_for_every_character() {
        // Every scalar value, alone and amid text (at a 32-byte chunk's edge and inside one).
        let pad = "x".repeat(30);
        for c in (0..=0x10ffffu32).filter_map(char::from_u32) {
            let alone = c.to_string();
            assert_eq!(is_clean(&alone), !is_forbidden(c), "{c:?}");
            if c as u32 > 0x7f
                && !(0x2000..0x2100).contains(&(c as u32))
                && c as u32 > 0x700
                && c as u32 != 0xfeff
            {
                continue;
            }
            for s in [
                format!("{pad}{c}é"),
                format!("é–{c}{pad}{pad}"),
                format!("{pad}a{c}"),
            ] {
                assert_eq!(is_clean(&s), !is_forbidden(c), "{s:?}");
            }
        }
    }

    #[test]
    fn all_clean_finds_unclean_text_anywhere_in_a_value() {
        #[derive(serde::Serialize)]
        enum Unit {
            Other(String),
        }
        #[derive(serde::Serialize)]
        struct Inner {
            n: f64,
            unit: Unit,
            note: Option<String>,
            pair: (u32, String),
            c: char,
        }
        let inner = |unit: &str, note: Option<&str>, pair: &str, c: char| Inner {
            n: 1.0,
            unit: Unit::Other(unit.into()),
            note: note.map(String::from),
            pair: (1, pair.into()),
            c,
        };
        let clean = vec![inner("mo", Some("ok é"), "two\nlines", 'x')];
        assert!(all_clean(&clean));
        assert!(all_clean(&Vec::<Inner>::new()));
        for dirty in [
            inner("m\u{1b}[2Jo", None, "", 'x'),
            inner("mo", Some("\u{9b}31m"), "", 'x'),
            inner("mo", None, "a\tb", 'x'),
            inner("mo", None, "", '\u{202e}'),
        ] {
            assert!(!all_clean(&vec![inner("a", None, "b", 'c'), dirty]));
        }
        let map: std::collections::BTreeMap<String, String> =
            [("k\u{7}".to_string(), "v".to_string())].into();
        assert!(!all_clean(&map));
    }

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
