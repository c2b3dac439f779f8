//! Search over a [`Library`]: an index built once, a small query language, ranked hits, and
//! match positions for the rows on screen.
//!
//! # Records
//!
//! Every entry, finding, question and discrepancy is one record. A record has *short* fields
//! (names, titles, tags, registry ids, drugs, endpoints, prompts) and *long* fields (bottom
//! lines, readings, key responses, notes). Findings, questions and discrepancies also carry
//! their entry's name (lightly weighted), so `emilia pfs` finds EMILIA's PFS finding. A
//! finding's numbers (effect, CI, p, per-arm values; see [`finding_summary`]) are a field of
//! their own and end its display title, so `9.6` finds that finding and its hit shows them.
//! Titles never repeat the entry's name when the item's text already opens with it; they are
//! composed for the hits returned, not stored. A finding's endpoint is also found by its
//! initials (`pfs`, `os`).
//!
//! # Memory
//!
//! The index shares the library (an `Arc`) instead of copying it. Short fields are held
//! case-folded (one char for one char, so char positions carry over to the original) in one
//! string; long text that is plain ASCII, nearly all of it, is matched where the library holds
//! it, ignoring ASCII case; only long text that needs more than ASCII folding is copied.
//!
//! # Query syntax
//!
//! Whitespace separates tokens; every term must match (AND).
//!
//! - `term` — fuzzy (skim) on short fields, substring on long fields (never fuzzy on long text:
//!   a fuzzy "emilia" matches nearly every 600-char paragraph and costs ~150× a title).
//! - `'term` — case-insensitive substring only, anywhere.
//! - `!term` — drop records that contain `term` anywhere.
//! - `@role` — only questions for that role (`@resident`, `@phd`, `@student`, prefixes ok).
//! - `#kind` — only records of that kind (`#trial`, `#topic`, `#finding`, `#question`,
//!   `#discrepancy`, prefixes ok: `#t` is trials and topics).
//! - A number (`9.6`, `0.65`, `<0.001`) is a substring term: digits never match fuzzily.
//!
//! A `@role` or `#kind` word that names nothing is reported in [`Query::problems`] (and by
//! [`check`]) with the valid words; the search itself then finds nothing.
//!
//! # Ranking
//!
//! A term's score on a record is the best over its fields of `field weight × match quality`;
//! the record's score is the sum over terms. Names and titles weigh most, long text least;
//! an exact field beats a prefix, which beats a whole word, a word start, a mid-word substring,
//! and last a scattered fuzzy match. Ties go to the earlier record, and entries come first.
//!
//! # Only what can rank
//!
//! Only the best `limit` hits are wanted. Each scoring thread keeps its best `limit` so far;
//! once it has that many, a record is skipped when even its heaviest field matched whole could
//! not beat the lowest of them, a field when it cannot, and only a prefix is checked when only
//! a prefix would count. Skipped records are kept as candidates for the next keystroke, so
//! pruning changes neither the hits nor narrowing (tests compare with scoring everything).
//!
//! # Incremental narrowing
//!
//! Whether a record *matches* (ignoring score) only gets stricter as a term grows: a longer
//! pattern that is a subsequence/substring of a field implies its shorter prefix is too. So a
//! [`Searcher`] keeps the previous query's matching (or skipped) records, and when the new
//! query narrows the old one (same filters and negations, each old term contained in the new
//! one) it re-scores only those.

use crate::content::{
    ArmValue, Entry, EntryKind, Finding, Library, Role, Text, fmt_effect, fmt_num,
};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use memchr::memmem::Finder;
use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt::Write as _;
use std::sync::Arc;

/// What a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Trial,
    Topic,
    Finding,
    Question,
    Discrepancy,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Trial,
        Kind::Topic,
        Kind::Finding,
        Kind::Question,
        Kind::Discrepancy,
    ];

    /// Lowercase label, as used by `#kind` filters and `format_hits`.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Trial => "trial",
            Kind::Topic => "topic",
            Kind::Finding => "finding",
            Kind::Question => "question",
            Kind::Discrepancy => "discrepancy",
        }
    }

    /// Whether this record is a whole entry (trial or topic).
    pub fn is_entry(self) -> bool {
        matches!(self, Kind::Trial | Kind::Topic)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }

    /// The kinds a `#filter` word names: every kind whose label starts with it (or that it
    /// starts with, so plurals work). Returned as a bit set; 0 when nothing fits.
    fn mask_for(word: &str) -> u8 {
        let w = fold(word);
        Kind::ALL
            .into_iter()
            .filter(|k| k.label().starts_with(&w) || w.starts_with(k.label()))
            .fold(0, |m, k| m | k.bit())
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Index of the record in the [`SearchIndex`].
    pub record: usize,
    pub kind: Kind,
    /// Id of the entry the record belongs to (the entry itself for trials and topics).
    pub entry: String,
    /// Id of the finding, question or discrepancy; `None` for entries.
    pub item: Option<String>,
    pub score: i64,
    /// Display title (may hold newlines from pack text; see [`format_hits`]).
    pub title: String,
}

// Match qualities, multiplied by field weights. Any substring beats any fuzzy match.
const Q_EQUAL: i64 = 1000;
const Q_PREFIX: i64 = 900;
const Q_WORD: i64 = 800;
const Q_WORD_START: i64 = 700;
const Q_SUBSTR: i64 = 500;
const Q_FUZZY_MAX: i64 = 300;
const Q_MAX: i64 = Q_EQUAL;

// Field weights.
const W_NAME: u32 = 100;
const W_TITLE: u32 = 60;
const W_REGISTRY: u32 = 50;
const W_ENDPOINT: u32 = 50;
/// "pfs", "os", "orr": how clinicians type an endpoint.
const W_INITIALS: u32 = 45;
const W_TAG: u32 = 40;
const W_DRUG: u32 = 40;
const W_ABOUT: u32 = 40;
const W_PROMPT: u32 = 30;
const W_PARENT: u32 = 25;
const W_QTAG: u32 = 20;
const W_NUMBERS: u32 = 20;
const W_LONG_ENTRY: u32 = 10;
const W_LONG_ITEM: u32 = 8;

/// Chars of long text shown around a match.
const SNIPPET_CHARS: usize = 100;
/// Chars of context kept before the first match in a snippet.
const SNIPPET_LEAD: usize = 30;
/// Longest short field scored with skim's full dynamic programme (see `matcher`).
const FUZZY_DP_COLS: usize = if cfg!(feature = "search-full-dp") {
    usize::MAX / 4
} else {
    48
};
/// Below this many candidates, scoring stays on one thread.
const PARALLEL_MIN: usize = if cfg!(test) { 64 } else { 2048 };
/// Records a scoring thread takes at a time, in turn with the others.
const SCORE_BLOCK: usize = if cfg!(test) { 16 } else { 1024 };

/// What a field of a record is. One byte in the index's text (see [`SearchIndex`]) says
/// which; its weight and whether it is matched as a substring only follow from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Slot {
    Name = 1,
    Title,
    Registry,
    Tag,
    Drug,
    BottomLine,
    Endpoint,
    /// The entry's name on a finding, question or discrepancy (read from the entry's record).
    Parent,
    /// A finding's numbers ([`finding_summary`]).
    Numbers,
    Reading,
    Prompt,
    QTag,
    KeyResponse,
    KeyPoint,
    About,
    Note,
    /// The initials of a finding's endpoint ("pfs" for progression-free survival).
    Initials,
}

const SLOTS: [Slot; 17] = [
    Slot::Name,
    Slot::Title,
    Slot::Registry,
    Slot::Tag,
    Slot::Drug,
    Slot::BottomLine,
    Slot::Endpoint,
    Slot::Parent,
    Slot::Numbers,
    Slot::Reading,
    Slot::Prompt,
    Slot::QTag,
    Slot::KeyResponse,
    Slot::KeyPoint,
    Slot::About,
    Slot::Note,
    Slot::Initials,
];

/// Flag on a piece's slot byte: the text is not copied into the index but read from the
/// library (plain ASCII long text, matched ignoring ASCII case).
const IN_LIB: u8 = 0x40;
/// A piece's length is written after its slot byte, 6 bits per byte, low bits first, with
/// this bit on every byte but the last: ASCII, so the index's text stays a `str`.
const LEN_MORE: u8 = 0x40;

impl Slot {
    fn from_byte(b: u8) -> Slot {
        SLOTS[usize::from((b & !IN_LIB).clamp(1, SLOTS.len() as u8) - 1)]
    }

    fn weight(self) -> u32 {
        match self {
            Slot::Name => W_NAME,
            Slot::Title => W_TITLE,
            Slot::Registry => W_REGISTRY,
            Slot::Tag => W_TAG,
            Slot::Drug => W_DRUG,
            Slot::BottomLine => W_LONG_ENTRY,
            Slot::Endpoint => W_ENDPOINT,
            Slot::Initials => W_INITIALS,
            Slot::Parent => W_PARENT,
            Slot::Numbers => W_NUMBERS,
            Slot::Prompt => W_PROMPT,
            Slot::QTag => W_QTAG,
            Slot::About => W_ABOUT,
            Slot::Reading | Slot::KeyResponse | Slot::KeyPoint | Slot::Note => W_LONG_ITEM,
        }
    }

    /// Substring only, never fuzzy: long text, a finding's numbers and its initials.
    fn long(self) -> bool {
        matches!(
            self,
            Slot::BottomLine
                | Slot::Numbers
                | Slot::Initials
                | Slot::Reading
                | Slot::KeyResponse
                | Slot::KeyPoint
                | Slot::Note
        )
    }
}

/// The heaviest field weight a record of this kind has (its first piece's).
fn max_weight(kind: Kind) -> u32 {
    match kind {
        Kind::Trial | Kind::Topic => W_NAME,
        Kind::Finding => W_ENDPOINT,
        Kind::Question => W_PROMPT,
        Kind::Discrepancy => W_ABOUT,
    }
}

#[derive(Clone, Copy)]
struct Record {
    kind: Kind,
    role: Option<Role>,
    entry: u32,
    /// Index of the finding, question or discrepancy in its entry (0 for an entry).
    item: u32,
    /// The record's pieces: a byte range of `SearchIndex::text` (under 4 GiB: a run's
    /// packs hold at most `MAX_RUN_BYTES`, and the index holds less than their text).
    start: u32,
    end: u32,
}

/// One field of a record as stored: its slot, and its folded text (empty when the text is
/// read from the library, or for [`Slot::Parent`]).
#[derive(Clone, Copy)]
struct Piece<'a> {
    slot: Slot,
    in_lib: bool,
    folded: &'a str,
}

/// Text a term is matched against: folded text, or the library's own plain-ASCII text,
/// matched ignoring ASCII case (so long text is not held twice).
#[derive(Clone, Copy)]
enum Hay<'a> {
    Folded(&'a str),
    Ascii(&'a str),
}

impl<'a> Hay<'a> {
    fn text(self) -> &'a str {
        match self {
            Hay::Folded(s) | Hay::Ascii(s) => s,
        }
    }
}

/// The index: every entry, finding, question and discrepancy of a library as a record,
/// built once. Short fields are held case- and accent-folded, in one string; long text that
/// is plain ASCII (nearly all of it) is not copied but read from the shared library and
/// matched ignoring ASCII case, so the index costs a small part of the library's memory.
/// Display titles are composed for the hits shown, not stored.
#[derive(Clone)]
pub struct SearchIndex {
    lib: Arc<Library>,
    records: Vec<Record>,
    /// Every record's fields, back to back, heaviest first: for each, its slot byte (with
    /// [`IN_LIB`] when the text stays in the library), its folded text's length in bytes
    /// (see [`LEN_MORE`]) and its folded text.
    text: String,
}

/// Fold one char: lowercase where that is one char, strip common Latin accents.
fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut l = c.to_lowercase();
    let c = match (l.next(), l.next()) {
        (Some(x), None) => x,
        _ => c,
    };
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        '\u{2010}' | '\u{2011}' | '\u{2013}' => '-',
        c => c,
    }
}

/// Case- and accent-fold text, one char for one char.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars().map(fold_char).collect()
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// Quality of an occurrence of a needle at byte `pos` (len `len`) in `hay`.
fn quality_at(hay: &str, pos: usize, len: usize) -> i64 {
    let end = pos + len;
    let start_ok = hay[..pos].chars().next_back().is_none_or(|c| !is_word(c));
    let end_ok = hay[end..].chars().next().is_none_or(|c| !is_word(c));
    match (pos == 0, end == hay.len(), start_ok, end_ok) {
        (true, true, _, _) => Q_EQUAL,
        (true, false, _, _) => Q_PREFIX,
        (false, _, true, true) => Q_WORD,
        (false, _, true, false) => Q_WORD_START,
        _ => Q_SUBSTR,
    }
}

/// Best substring occurrence of `needle` in `hay`: (quality, byte position). Looks past the
/// first occurrence (a few times) for one on a word boundary. `finder` searches for
/// `needle` and is built once per query (SIMD substring search; a one-byte needle is a
/// memchr). A match of valid UTF-8 in valid UTF-8 starts on a char
/// boundary, so byte positions can slice `hay`.
/// How rare a byte is in English (and pack) text, lower is rarer; letters count both cases.
fn rarity(b: u8) -> u8 {
    match b.to_ascii_lowercase() {
        b' ' => 255,
        b'e' => 250,
        b't' => 240,
        b'a' => 235,
        b'o' | b'i' => 230,
        b'n' | b's' | b'r' => 225,
        b'h' | b'l' => 200,
        b'd' | b'c' => 190,
        b'u' => 180,
        b'm' => 170,
        b'f' | b'p' => 160,
        b'g' | b'.' | b',' => 150,
        b'w' | b'y' => 140,
        b'b' => 130,
        b'v' => 110,
        b'0'..=b'9' => 100,
        b'k' => 90,
        b'-' => 80,
        b'x' => 60,
        b'j' => 40,
        b'q' | b'z' => 30,
        _ => 20,
    }
}

/// Finds a lowercase ASCII needle in ASCII text ignoring case, without a lowered copy of
/// the text: candidates are where the needle's two rarest bytes sit (either case), 32
/// positions at a time in a loop the compiler vectorizes; each is then compared whole.
struct AsciiFinder {
    needle: Box<[u8]>,
    /// Offsets in the needle of its two rarest bytes, the bytes (lowercase), and the OR
    /// masks that fold a haystack byte onto them (0x20 for letters).
    at: [usize; 2],
    byte: [u8; 2],
    mask: [u8; 2],
}

impl AsciiFinder {
    /// `None` when the needle is empty or not ASCII (it cannot occur in ASCII text).
    fn new(needle: &str) -> Option<AsciiFinder> {
        if needle.is_empty() || !needle.is_ascii() {
            return None;
        }
        let n = needle.as_bytes();
        let mut order: Vec<usize> = (0..n.len()).collect();
        order.sort_by_key(|&i| (rarity(n[i]), i));
        let at = [order[0], order.get(1).copied().unwrap_or(order[0])];
        let fold = |i: usize| {
            let b = n[i].to_ascii_lowercase();
            (b, if b.is_ascii_alphabetic() { 0x20 } else { 0 })
        };
        let (b0, m0) = fold(at[0]);
        let (b1, m1) = fold(at[1]);
        Some(AsciiFinder {
            needle: n.to_ascii_lowercase().into_boxed_slice(),
            at,
            byte: [b0, b1],
            mask: [m0, m1],
        })
    }

    fn is_at(&self, hay: &[u8], pos: usize) -> bool {
        hay[pos..pos + self.needle.len()].eq_ignore_ascii_case(&self.needle)
    }

    fn is_candidate(&self, x: u8, y: u8) -> bool {
        ((x | self.mask[0]) == self.byte[0]) & ((y | self.mask[1]) == self.byte[1])
    }

    /// Byte position of the first occurrence.
    fn find(&self, hay: &[u8]) -> Option<usize> {
        const L: usize = 32;
        let n = self.needle.len();
        if hay.len() < n {
            return None;
        }
        let starts = hay.len() - n + 1;
        let a = &hay[self.at[0]..self.at[0] + starts];
        let b = &hay[self.at[1]..self.at[1] + starts];
        let (mut ca, mut cb) = (a.chunks_exact(L), b.chunks_exact(L));
        let mut base = 0;
        for (x, y) in (&mut ca).zip(&mut cb) {
            let x: &[u8; L] = x.try_into().expect("chunk of L");
            let y: &[u8; L] = y.try_into().expect("chunk of L");
            let mut hits: u32 = 0;
            for k in 0..L {
                hits |= u32::from(self.is_candidate(x[k], y[k])) << k;
            }
            while hits != 0 {
                let pos = base + hits.trailing_zeros() as usize;
                if self.is_at(hay, pos) {
                    return Some(pos);
                }
                hits &= hits - 1;
            }
            base += L;
        }
        (ca.remainder().iter().zip(cb.remainder()))
            .enumerate()
            .find(|&(k, (&x, &y))| self.is_candidate(x, y) && self.is_at(hay, base + k))
            .map(|(k, _)| base + k)
    }
}

/// A term's (or negation's) searchers, built once per query and shared by every record
/// and thread: SIMD substring search in folded text, and ASCII-case-blind search in the
/// library's plain-ASCII text.
struct Needle<'q> {
    folded: Finder<'q>,
    ascii: Option<AsciiFinder>,
}

impl<'q> Needle<'q> {
    fn new(text: &'q str) -> Needle<'q> {
        Needle {
            folded: Finder::new(text.as_bytes()),
            ascii: AsciiFinder::new(text),
        }
    }

    fn find(&self, hay: Hay, from: usize) -> Option<usize> {
        let bytes = hay.text().as_bytes().get(from..)?;
        let at = match hay {
            Hay::Folded(_) => self.folded.find(bytes),
            Hay::Ascii(_) => self.ascii.as_ref()?.find(bytes),
        };
        at.map(|p| p + from)
    }
}

/// Best substring occurrence of term `t` in `hay`: (quality, byte position). Looks past the
/// first occurrence (a few times) for one on a word boundary. When only a quality above
/// [`Q_WORD`] would count (`min_quality`), only a prefix can, and only the start is looked
/// at. A match of valid UTF-8 in valid UTF-8 starts on a char boundary, so byte positions
/// can slice `hay`.
fn substring_with(hay: Hay, t: &Term, needle: &Needle, min_quality: i64) -> Option<(i64, usize)> {
    let text = hay.text();
    let len = t.text.len();
    if min_quality > Q_WORD {
        let prefix = match hay {
            Hay::Folded(s) => s.starts_with(&t.text),
            Hay::Ascii(s) => s
                .as_bytes()
                .get(..len)
                .is_some_and(|head| head.eq_ignore_ascii_case(t.text.as_bytes())),
        };
        return prefix.then(|| (quality_at(text, 0, len), 0));
    }
    let first = needle.find(hay, 0)?;
    let mut best = (quality_at(text, first, len), first);
    let step = t.text.chars().next().map_or(1, char::len_utf8);
    let mut from = first + step;
    let mut tries = 0;
    while best.0 < Q_WORD && tries < 8 && from <= text.len() {
        let Some(pos) = needle.find(hay, from) else {
            break;
        };
        let q = quality_at(text, pos, len);
        if q > best.0 {
            best = (q, pos);
        }
        from = pos + step;
        tries += 1;
    }
    Some(best)
}

/// How term `t` matches a field: (quality, byte position of a substring match, or `None`
/// for a fuzzy one). `fuzzy`: the field may match fuzzily (short fields). Qualities below
/// `min_quality` may be reported as no match: they would not change the ranking.
fn field_quality(
    hay: Hay,
    fuzzy: bool,
    t: &Term,
    needle: &Needle,
    min_quality: i64,
    m: &SkimMatcherV2,
) -> Option<(i64, Option<usize>)> {
    if let Some((q, pos)) = substring_with(hay, t, needle, min_quality) {
        return Some((q, Some(pos)));
    }
    let Hay::Folded(text) = hay else {
        return None;
    };
    if !fuzzy || t.exact || t.text.len() < 2 || min_quality > Q_FUZZY_MAX {
        return None;
    }
    if !is_subsequence(&t.text, text) {
        return None;
    }
    m.fuzzy_match(text, &t.text)
        .map(|s| (s.clamp(1, Q_FUZZY_MAX), None))
}

/// The initials of a text's words, folded, and the char position of each in the text:
/// "Progression-free survival" gives "pfs" and [0, 12, 17]. Words are runs of letters and
/// digits.
fn initials(text: &str) -> (String, Vec<usize>) {
    let mut out = String::new();
    let mut starts = Vec::new();
    let mut in_word = false;
    for (i, c) in text.chars().enumerate() {
        let word = c.is_alphanumeric();
        if word && !in_word {
            out.push(fold_char(c));
            starts.push(i);
        }
        in_word = word;
    }
    (out, starts)
}

/// Whether `needle` is a subsequence of `hay` (cheap pre-check before the fuzzy matcher).
fn is_subsequence(needle: &str, hay: &str) -> bool {
    if needle.is_ascii() {
        let mut hay = hay.as_bytes();
        for &b in needle.as_bytes() {
            match memchr::memchr(b, hay) {
                Some(i) => hay = &hay[i + 1..],
                None => return false,
            }
        }
        true
    } else {
        let mut it = hay.chars();
        needle.chars().all(|n| it.any(|h| h == n))
    }
}

/// One positive term of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Folded text.
    pub text: String,
    /// `'term`: substring only, no fuzzy matching.
    pub exact: bool,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub terms: Vec<Term>,
    /// Folded `!negations`.
    pub negations: Vec<String>,
    /// `@role` filters (any of them); `Some(empty)` when a role word named no role.
    pub roles: Option<Vec<Role>>,
    /// `#kind` filters as a bit set; `Some(0)` when a kind word named no kind.
    kinds: Option<u8>,
    /// What is wrong with the query, for people: unknown `@role` or `#kind` words.
    pub problems: Vec<String>,
}

/// Whether a token is a number as papers write them (`9.6`, `0.001`, `<0.05`, `43.6%`):
/// such terms match as substrings only, since a scattered fuzzy match of digits means nothing.
fn is_numeric(tok: &str) -> bool {
    tok.chars().any(|c| c.is_ascii_digit())
        && tok.chars().all(|c| {
            c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '–' | '%' | '<' | '>' | '=')
        })
}

/// The valid `@role` words, as one line: `@student @resident …`.
pub fn role_words() -> String {
    Role::ALL
        .iter()
        .map(|r| format!("@{}", r.slug()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The valid `#kind` words, as one line: `#trial #topic …`.
pub fn kind_words() -> String {
    Kind::ALL
        .iter()
        .map(|k| format!("#{}", k.label()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Check a query for filters that name nothing. `Err` holds one readable message, e.g.
/// "unknown role `@foo`; use one of @student @resident …".
pub fn check(query: &str) -> Result<(), String> {
    let q = Query::parse(query);
    if q.problems.is_empty() {
        Ok(())
    } else {
        Err(q.problems.join("; "))
    }
}

impl Query {
    pub fn parse(s: &str) -> Query {
        let mut q = Query::default();
        for tok in s.split_whitespace() {
            // The first char may be any width (a query can start with "é" or "中").
            let first = tok.chars().next().map_or(0, char::len_utf8);
            let (head, rest) = tok.split_at(first);
            match head {
                "!" => {
                    if !rest.is_empty() {
                        q.negations.push(fold(rest));
                    }
                }
                "'" => {
                    if !rest.is_empty() {
                        q.terms.push(Term {
                            text: fold(rest),
                            exact: true,
                        });
                    }
                }
                "@" => {
                    if !rest.is_empty() {
                        let roles = q.roles.get_or_insert_with(Vec::new);
                        match Role::parse(rest) {
                            Some(r) => roles.push(r),
                            None => q
                                .problems
                                .push(format!("unknown role `{tok}`; use one of {}", role_words())),
                        }
                    }
                }
                "#" => {
                    if !rest.is_empty() {
                        let mask = Kind::mask_for(rest);
                        if mask == 0 {
                            q.problems
                                .push(format!("unknown kind `{tok}`; use one of {}", kind_words()));
                        }
                        *q.kinds.get_or_insert(0) |= mask;
                    }
                }
                _ => q.terms.push(Term {
                    text: fold(tok),
                    exact: is_numeric(tok),
                }),
            }
        }
        q
    }

    /// Whether every record matching `self` also matches `prev` (so only `prev`'s matches
    /// need scoring): same filters and negations, and each of `prev`'s terms is contained
    /// in the term at the same place here.
    pub fn narrows(&self, prev: &Query) -> bool {
        self.roles == prev.roles
            && self.kinds == prev.kinds
            && self.negations == prev.negations
            && self.terms.len() >= prev.terms.len()
            && self
                .terms
                .iter()
                .zip(&prev.terms)
                .all(|(n, o)| n.exact == o.exact && n.text.contains(&o.text))
    }
}

fn matcher() -> SkimMatcherV2 {
    // Text is folded at build and the query folded at parse, so the matcher can compare
    // chars as they are.
    // Past FUZZY_DP_COLS chars the full DP is replaced by skim's linear greedy scorer.
    SkimMatcherV2::default()
        .respect_case()
        .element_limit(2 * (FUZZY_DP_COLS + 1))
}

/// A query with its searchers built once for each term and negation, shared by every
/// record scored (and every scoring thread).
struct Prepared<'q> {
    query: &'q Query,
    terms: Vec<Needle<'q>>,
    negations: Vec<Needle<'q>>,
}

impl<'q> Prepared<'q> {
    fn new(query: &'q Query) -> Prepared<'q> {
        Prepared {
            query,
            terms: query.terms.iter().map(|t| Needle::new(&t.text)).collect(),
            negations: query.negations.iter().map(|n| Needle::new(n)).collect(),
        }
    }
}

/// What scoring one record found.
enum Outcome {
    /// It does not match.
    No,
    /// It may match but cannot reach the best `limit` found so far: not ranked, but kept
    /// as a candidate for the next, narrower query.
    Keep,
    Score(i64),
}

fn offset(at: usize) -> u32 {
    u32::try_from(at).expect("a search index under 4 GiB (see content::load::MAX_RUN_BYTES)")
}

struct Builder {
    records: Vec<Record>,
    text: String,
    /// The folded text of the piece being added.
    scratch: String,
    /// A first pass that only counts (records, bytes), so the index is allocated once at
    /// its size: growing it by doubling would briefly hold it twice.
    measure: Option<(usize, usize)>,
}

/// Bytes a finding's numbers take in the index, for the first pass's count (an estimate:
/// they are not formatted twice).
const NUMBERS_BYTES: usize = 64;

impl Builder {
    /// A piece: its slot and folded text (empty when the text stays in the library).
    fn push(&mut self, slot: Slot, in_lib: bool, folded: &str) {
        if let Some((_, bytes)) = &mut self.measure {
            *bytes += 4 + folded.len();
            return;
        }
        self.text
            .push(char::from(slot as u8 | if in_lib { IN_LIB } else { 0 }));
        let mut len = folded.len();
        loop {
            let low = (len & 0x3F) as u8;
            len >>= 6;
            if len == 0 {
                self.text.push(char::from(low));
                break;
            }
            self.text.push(char::from(low | LEN_MORE));
        }
        self.text.push_str(folded);
    }

    /// A field held folded in the index.
    fn piece(&mut self, slot: Slot, text: &str) {
        if let Some((_, bytes)) = &mut self.measure {
            // Folding keeps a char's length but for a few letters: close enough.
            *bytes += 4 + text.len();
            return;
        }
        let mut folded = std::mem::take(&mut self.scratch);
        folded.clear();
        if text.is_ascii() {
            folded.push_str(text);
            folded.make_ascii_lowercase();
        } else {
            folded.extend(text.chars().map(fold_char));
        }
        self.push(slot, false, &folded);
        self.scratch = folded;
    }

    /// A finding's numbers ([`finding_summary`]), held folded.
    fn numbers(&mut self, e: &Entry, f: &Finding) {
        if let Some((_, bytes)) = &mut self.measure {
            *bytes += 4 + NUMBERS_BYTES;
            return;
        }
        self.piece(Slot::Numbers, &finding_summary(e, f));
    }

    /// Long text: read from the library when it is plain ASCII, else held folded.
    fn long(&mut self, slot: Slot, text: &str) {
        if text.is_ascii() {
            self.push(slot, true, "");
        } else {
            self.piece(slot, text);
        }
    }

    fn record(
        &mut self,
        kind: Kind,
        entry: usize,
        item: usize,
        role: Option<Role>,
        add: impl FnOnce(&mut Self),
    ) {
        let start = self.text.len();
        add(self);
        if let Some((records, _)) = &mut self.measure {
            *records += 1;
            return;
        }
        self.records.push(Record {
            kind,
            role,
            entry: entry as u32,
            item: item as u32,
            start: offset(start),
            end: offset(self.text.len()),
        });
    }
}

/// A record's display title and where its fields sit in it (char offsets).
struct Composed {
    title: String,
    /// The entry's name.
    name_at: usize,
    /// The record's own title field: entry title, endpoint, prompt, "about".
    main_at: usize,
    /// A finding's numbers, when it has any.
    numbers_at: Option<usize>,
}

impl Composed {
    fn at(&self, slot: Slot) -> Option<usize> {
        match slot {
            Slot::Name | Slot::Parent => Some(self.name_at),
            Slot::Title | Slot::Endpoint | Slot::Initials | Slot::Prompt | Slot::About => {
                Some(self.main_at)
            }
            Slot::Numbers => self.numbers_at,
            _ => None,
        }
    }
}

/// The pieces of a record's text, in order.
struct Pieces<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Piece<'a>;

    fn next(&mut self) -> Option<Piece<'a>> {
        let bytes = self.rest.as_bytes();
        let head = *bytes.first()?;
        let (mut len, mut shift, mut at) = (0usize, 0, 1);
        loop {
            let b = *bytes.get(at)?;
            at += 1;
            len |= usize::from(b & 0x3F) << shift;
            shift += 6;
            if b & LEN_MORE == 0 {
                break;
            }
        }
        let folded = self.rest.get(at..at + len)?;
        self.rest = &self.rest[at + len..];
        Some(Piece {
            slot: Slot::from_byte(head),
            in_lib: head & IN_LIB != 0,
            folded,
        })
    }
}

/// One field of a record, resolved: where it is matched and which of its slot it is.
struct FieldAt<'a> {
    slot: Slot,
    hay: Hay<'a>,
    ordinal: usize,
}

/// `prefix` + `text`, and the char offset where `text` starts.
fn titled(prefix: &str, text: &str) -> (String, usize) {
    (format!("{prefix}{text}"), prefix.chars().count())
}

/// Whether `text` already opens with `name` as a whole word ("NeoSphere: randomised …",
/// "BYL719 + T-DM1 in …"), ignoring case, so a title need not repeat it.
fn starts_with_name(text: &str, name: &str) -> bool {
    let name = name.trim();
    if name.is_empty() {
        return false;
    }
    let (t, n) = (fold(text), fold(name));
    t.starts_with(&n) && t[n.len()..].chars().next().is_none_or(|c| !is_word(c))
}

/// A record title: `name` + `sep` + `text`, unless `text` already opens with `name`.
fn named(name: &str, sep: &str, text: &str) -> (String, usize) {
    if starts_with_name(text, name) {
        (text.to_string(), 0)
    } else {
        titled(&format!("{name}{sep}"), text)
    }
}

/// A label for a per-arm group that is not a design arm: a short note, else nothing.
const GROUP_NOTE_CHARS: usize = 32;

/// The numbers of a finding on one line, as its hit shows them, most telling first (a
/// narrow screen cuts the end):
/// `HR 0.65 (0.55–0.77) · T-DM1 9.6 mo · Lapatinib + capecitabine 6.4 mo · p < 0.001`.
/// Values without a number are left out (their notes are prose, searched elsewhere).
pub fn finding_summary(e: &Entry, f: &Finding) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(eff) = &f.effect {
        let num = |v| fmt_effect(eff.measure, v);
        let mut s = format!("{} {}", eff.measure.label(), num(eff.estimate));
        if let Some((lo, hi)) = eff.ci {
            let _ = write!(s, " ({}–{})", num(lo), num(hi));
        }
        parts.push(s);
    }
    for v in &f.values {
        let Some(x) = v.value else { continue };
        let value = format!("{}{}", fmt_num(x), v.unit.suffix());
        match group_label(e, v) {
            Some(label) => parts.push(format!("{label} {value}")),
            None => parts.push(value),
        }
    }
    if let Some(p) = f.effect.as_ref().and_then(|eff| eff.p) {
        parts.push(p.to_string());
    }
    parts.join(" · ")
}

/// How a per-arm value's group is named in a summary: the design arm's label, or a short
/// note for a group that is not a design arm or whose arm the source does not name.
fn group_label<'a>(e: &'a Entry, v: &'a ArmValue) -> Option<&'a str> {
    let arm = e
        .design
        .as_ref()
        .and_then(|d| d.arms.iter().find(|a| Some(&a.id) == v.arm.as_ref()));
    match (arm, &v.note) {
        (Some(a), _) => Some(a.label.as_str()),
        (None, Some(n)) if n.chars().count() <= GROUP_NOTE_CHARS => Some(n.as_str()),
        _ => None,
    }
}

/// Add every record of `lib` to `b`: entries first, then each entry's items.
fn fill(b: &mut Builder, lib: &Library) {
    for (ei, e) in lib.entries.iter().enumerate() {
        let kind = match e.kind {
            EntryKind::Trial => Kind::Trial,
            EntryKind::Topic => Kind::Topic,
        };
        b.record(kind, ei, 0, None, |b| {
            b.piece(Slot::Name, &e.name);
            b.piece(Slot::Title, &e.title);
            for r in &e.registry {
                b.piece(Slot::Registry, r);
            }
            for t in &e.tags {
                b.piece(Slot::Tag, t);
            }
            if let Some(d) = &e.design {
                b.piece(Slot::Drug, &d.intervention);
                if let Some(c) = &d.comparator {
                    b.piece(Slot::Drug, c);
                }
            }
            b.long(Slot::BottomLine, &e.bottom_line);
        });
    }
    for (ei, e) in lib.entries.iter().enumerate() {
        for (i, f) in e.findings.iter().enumerate() {
            b.record(Kind::Finding, ei, i, None, |b| {
                b.piece(Slot::Endpoint, &f.endpoint);
                b.piece(Slot::Initials, &initials(&f.endpoint).0);
                b.push(Slot::Parent, false, "");
                // Substring only: numbers and arm labels, never fuzzy.
                b.numbers(e, f);
                b.long(Slot::Reading, &f.reading);
            });
        }
        for (i, q) in e.questions.iter().enumerate() {
            b.record(Kind::Question, ei, i, Some(q.role), |b| {
                b.piece(Slot::Prompt, &q.prompt);
                b.push(Slot::Parent, false, "");
                for t in &q.tags {
                    b.piece(Slot::QTag, t);
                }
                b.long(Slot::KeyResponse, &q.key_response);
                for k in &q.key_points {
                    b.long(Slot::KeyPoint, k);
                }
            });
        }
        for (i, d) in e.discrepancies.iter().enumerate() {
            b.record(Kind::Discrepancy, ei, i, None, |b| {
                b.piece(Slot::About, &d.about);
                b.push(Slot::Parent, false, "");
                b.long(Slot::Note, &d.note);
            });
        }
    }
}

impl SearchIndex {
    /// Index every entry, finding, question and discrepancy of `lib`. Entries come first.
    /// Each record's fields are laid out heaviest first (scoring stops early on that).
    pub fn build(lib: Arc<Library>) -> SearchIndex {
        let mut b = Builder {
            records: Vec::new(),
            text: String::new(),
            scratch: String::new(),
            measure: Some((0, 0)),
        };
        fill(&mut b, &lib);
        if let Some((records, bytes)) = b.measure.take() {
            b.records.reserve_exact(records);
            b.text.reserve_exact(bytes);
        }
        fill(&mut b, &lib);
        b.text.shrink_to_fit();
        SearchIndex {
            lib,
            records: b.records,
            text: b.text,
        }
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Index (in the library) of the entry a record belongs to.
    pub fn entry_index(&self, record: usize) -> usize {
        self.records[record].entry as usize
    }

    /// Display title of a record.
    pub fn title(&self, record: usize) -> String {
        self.records
            .get(record)
            .map_or_else(String::new, |r| self.compose(r).title)
    }

    pub fn kind(&self, record: usize) -> Kind {
        self.records[record].kind
    }

    /// Bytes the index holds beyond the library it shares (for measuring).
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.records.capacity() * std::mem::size_of::<Record>()
    }

    /// A record's text on one line, its fields joined by " · ": the same corpus as plain
    /// lines, for comparing with line-oriented finders (scripts/bench-search.sh).
    pub fn record_line(&self, record: usize) -> String {
        self.records.get(record).map_or_else(String::new, |r| {
            let parts: Vec<String> = self
                .fields_of(r)
                .iter()
                .map(|f| one_line(&self.original(r, f.slot, f.ordinal)))
                .filter(|s| !s.trim().is_empty())
                .collect();
            parts.join(" · ")
        })
    }

    /// Search with no cache: parse, score every record, return the best `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let q = Query::parse(query);
        let (scored, _) = self.score_all(&q, None, 1, limit, false);
        self.top(scored, limit)
    }

    fn pieces<'a>(&'a self, r: &Record) -> Pieces<'a> {
        Pieces {
            rest: &self.text[r.start as usize..r.end as usize],
        }
    }

    /// An entry's folded name (the first piece of its record).
    fn entry_name(&self, entry: u32) -> &str {
        self.records
            .get(entry as usize)
            .and_then(|r| self.pieces(r).next())
            .map_or("", |p| p.folded)
    }

    /// Where a piece is matched; `key_point` is its place among the record's key points.
    fn hay<'a>(&'a self, r: &Record, p: Piece<'a>, key_point: usize) -> Hay<'a> {
        if p.slot == Slot::Parent {
            Hay::Folded(self.entry_name(r.entry))
        } else if p.in_lib {
            Hay::Ascii(self.lib_text(r, p.slot, key_point))
        } else {
            Hay::Folded(p.folded)
        }
    }

    /// Long text as the library holds it.
    fn lib_text(&self, r: &Record, slot: Slot, key_point: usize) -> &str {
        let e = &self.lib.entries[r.entry as usize];
        let item = r.item as usize;
        let text = match slot {
            Slot::BottomLine => Some(&e.bottom_line),
            Slot::Reading => e.findings.get(item).map(|f| &f.reading),
            Slot::KeyResponse => e.questions.get(item).map(|q| &q.key_response),
            Slot::KeyPoint => e
                .questions
                .get(item)
                .and_then(|q| q.key_points.get(key_point)),
            Slot::Note => e.discrepancies.get(item).map(|d| &d.note),
            _ => None,
        };
        text.map_or("", |t| t.as_str())
    }

    /// A field's original text (for display): the `ordinal`-th of its slot in the record.
    fn original(&self, r: &Record, slot: Slot, ordinal: usize) -> Cow<'_, str> {
        let e = &self.lib.entries[r.entry as usize];
        let item = r.item as usize;
        let (f, q, d) = (
            e.findings.get(item),
            e.questions.get(item),
            e.discrepancies.get(item),
        );
        let text: Option<&Text> = match slot {
            Slot::Name | Slot::Parent => Some(&e.name),
            Slot::Title => Some(&e.title),
            Slot::Registry => e.registry.get(ordinal),
            Slot::Tag => e.tags.get(ordinal),
            Slot::Drug => e.design.as_ref().and_then(|d| match ordinal {
                0 => Some(&d.intervention),
                _ => d.comparator.as_ref(),
            }),
            Slot::Numbers => {
                return Cow::Owned(f.map(|f| finding_summary(e, f)).unwrap_or_default());
            }
            Slot::Initials => {
                return Cow::Owned(f.map(|f| initials(&f.endpoint).0).unwrap_or_default());
            }
            Slot::Endpoint => f.map(|f| &f.endpoint),
            Slot::Prompt => q.map(|q| &q.prompt),
            Slot::QTag => q.and_then(|q| q.tags.get(ordinal)),
            Slot::About => d.map(|d| &d.about),
            Slot::BottomLine | Slot::Reading | Slot::KeyResponse | Slot::KeyPoint | Slot::Note => {
                return Cow::Borrowed(self.lib_text(r, slot, ordinal));
            }
        };
        Cow::Borrowed(text.map_or("", |t| t.as_str()))
    }

    /// A record's fields in order, resolved.
    fn fields_of<'a>(&'a self, r: &Record) -> Vec<FieldAt<'a>> {
        let mut seen = [0usize; SLOTS.len() + 1];
        self.pieces(r)
            .map(|p| {
                let ordinal = seen[p.slot as usize];
                seen[p.slot as usize] += 1;
                FieldAt {
                    slot: p.slot,
                    hay: self.hay(r, p, ordinal),
                    ordinal,
                }
            })
            .collect()
    }

    /// A record's display title: "EMILIA: Trastuzumab emtansine …", "EMILIA · PFS — HR 0.65
    /// …", "EMILIA · Resident: prompt" (or "Resident: EMILIA …" when the prompt opens with
    /// the name), "EMILIA · about".
    fn compose(&self, r: &Record) -> Composed {
        self.compose_with(r, true)
    }

    /// [`Self::compose`]; without `numbers`, a finding's numbers are left out of the title
    /// (not formatted) but still located: for a caller that has the title already.
    fn compose_with(&self, r: &Record, numbers: bool) -> Composed {
        let e = &self.lib.entries[r.entry as usize];
        let item = r.item as usize;
        let plain = |(title, at): (String, usize)| Composed {
            title,
            name_at: 0,
            main_at: at,
            numbers_at: None,
        };
        match r.kind {
            Kind::Trial | Kind::Topic => plain(named(&e.name, ": ", &e.title)),
            Kind::Finding => {
                let Some(f) = e.findings.get(item) else {
                    return plain((e.name.to_string(), 0));
                };
                let (mut title, at) = named(&e.name, " · ", &f.endpoint);
                // finding_summary is empty exactly when there is no effect and no number.
                let has_numbers = f.effect.is_some() || f.values.iter().any(|v| v.value.is_some());
                let numbers_at = has_numbers.then(|| {
                    title.push_str(" — ");
                    title.chars().count()
                });
                if numbers {
                    title.push_str(&finding_summary(e, f));
                }
                Composed {
                    title,
                    name_at: 0,
                    main_at: at,
                    numbers_at,
                }
            }
            Kind::Question => {
                let Some(q) = e.questions.get(item) else {
                    return plain((e.name.to_string(), 0));
                };
                // "EMILIA · Resident: prompt", or "Resident: EMILIA …" when the prompt opens
                // with the name; the name points at the name either way.
                let own = starts_with_name(&q.prompt, &e.name);
                let (title, at) = if own {
                    titled(&format!("{}: ", q.role.label()), &q.prompt)
                } else {
                    titled(&format!("{} · {}: ", e.name, q.role.label()), &q.prompt)
                };
                Composed {
                    title,
                    name_at: if own { at } else { 0 },
                    main_at: at,
                    numbers_at: None,
                }
            }
            Kind::Discrepancy => match e.discrepancies.get(item) {
                Some(d) => plain(named(&e.name, " · ", &d.about)),
                None => plain((e.name.to_string(), 0)),
            },
        }
    }

    fn item_id(&self, r: &Record) -> Option<String> {
        let e = &self.lib.entries[r.entry as usize];
        let item = r.item as usize;
        match r.kind {
            Kind::Trial | Kind::Topic => None,
            Kind::Finding => e.findings.get(item).map(|f| f.id.to_string()),
            Kind::Question => e.questions.get(item).map(|q| q.id.to_string()),
            Kind::Discrepancy => e.discrepancies.get(item).map(|d| d.id.to_string()),
        }
    }

    fn passes_filters(&self, r: &Record, q: &Query) -> bool {
        if let Some(k) = q.kinds
            && k & r.kind.bit() == 0
        {
            return false;
        }
        if let Some(roles) = &q.roles {
            match r.role {
                Some(role) if roles.contains(&role) => {}
                _ => return false,
            }
        }
        true
    }

    /// Score one record. With `min` (the lowest score among the best `limit` found so
    /// far), work that could only lead to a score of at most `min` is skipped and the
    /// record reported as [`Outcome::Keep`]: a record that scores `min` or less is not
    /// ranked (ties go to the earlier record, and records are scored in order).
    fn score(&self, r: &Record, q: &Prepared, m: &SkimMatcherV2, min: Option<i64>) -> Outcome {
        if !self.passes_filters(r, q.query) {
            return Outcome::No;
        }
        let terms = q.query.terms.len() as i64;
        // The most one term can score on this record: its heaviest field, matched whole.
        let term_max = i64::from(max_weight(r.kind)) * Q_MAX;
        if min.is_some_and(|min| terms * term_max <= min) {
            return Outcome::Keep;
        }
        let mut total = 0;
        for (ti, (t, needle)) in q.query.terms.iter().zip(&q.terms).enumerate() {
            // To beat `min` this term must score above `need`, even if every later term
            // scores its most.
            let later = terms - 1 - ti as i64;
            let need = min.map_or(0, |min| min - total - later * term_max).max(0);
            let mut best = 0;
            let mut key_point = 0;
            for p in self.pieces(r) {
                let w = i64::from(p.slot.weight());
                let floor = best.max(need);
                if w * Q_MAX <= floor {
                    break; // pieces are laid out heaviest first
                }
                let hay = self.hay(r, p, key_point);
                if p.slot == Slot::KeyPoint {
                    key_point += 1;
                }
                let fuzzy = !p.slot.long();
                if let Some((quality, _)) = field_quality(hay, fuzzy, t, needle, floor / w + 1, m) {
                    best = best.max(w * quality);
                }
            }
            if best <= need {
                // Nothing matched, every field looked at in full: no match. Otherwise the
                // record cannot rank, but might match.
                return if need == 0 {
                    Outcome::No
                } else {
                    Outcome::Keep
                };
            }
            total += best;
        }
        for n in &q.negations {
            let mut key_point = 0;
            for p in self.pieces(r) {
                let hay = self.hay(r, p, key_point);
                if p.slot == Slot::KeyPoint {
                    key_point += 1;
                }
                if n.find(hay, 0).is_some() {
                    return Outcome::No;
                }
            }
        }
        match min {
            Some(min) if total <= min => Outcome::Keep,
            _ => Outcome::Score(total),
        }
    }

    /// Score `ids` in order, keeping the best `limit` (score, record) and, with `keep`,
    /// every record that matched or might have (the next keystroke's candidates).
    fn score_ids(
        &self,
        q: &Prepared,
        ids: impl Iterator<Item = u32>,
        limit: usize,
        keep: bool,
    ) -> (Vec<(i64, u32)>, Vec<u32>) {
        // Each worker has its own matcher: a shared one was measured running erratically.
        let m = matcher();
        // A min-heap of the best so far: lowest score first, then the latest record.
        let mut best: BinaryHeap<Reverse<(i64, Reverse<u32>)>> = BinaryHeap::new();
        let mut kept = Vec::with_capacity(if keep { ids.size_hint().0 } else { 0 });
        for i in ids {
            let min = if limit > 0 && best.len() >= limit {
                best.peek().map(|Reverse((s, _))| *s)
            } else {
                None
            };
            match self.score(&self.records[i as usize], q, &m, min) {
                Outcome::No => {}
                Outcome::Keep => {
                    if keep {
                        kept.push(i);
                    }
                }
                Outcome::Score(s) => {
                    if keep {
                        kept.push(i);
                    }
                    if limit > 0 {
                        best.push(Reverse((s, Reverse(i))));
                        if best.len() > limit {
                            best.pop();
                        }
                    }
                }
            }
        }
        let best = best
            .into_iter()
            .map(|Reverse((s, Reverse(i)))| (s, i))
            .collect();
        (best, kept)
    }

    /// Score every record (or the given candidates, ascending) on up to `threads` threads.
    /// Returns each thread's best `limit` (the best `limit` overall are among them) and,
    /// with `keep`, the records that matched or might have, ascending.
    fn score_all(
        &self,
        q: &Query,
        candidates: Option<&[u32]>,
        threads: usize,
        limit: usize,
        keep: bool,
    ) -> (Vec<(i64, u32)>, Vec<u32>) {
        let n = candidates.map_or(self.records.len(), <[u32]>::len);
        let threads = if n < PARALLEL_MIN { 1 } else { threads.max(1) };
        let q = &Prepared::new(q);
        let id = |k: usize| candidates.map_or(k as u32, |c| c[k]);
        if threads == 1 {
            return self.score_ids(q, (0..n).map(id), limit, keep);
        }
        // Threads take blocks in turn (entries, which come first, score differently from
        // questions): block b goes to thread b % threads. Each thread's best `limit` and
        // kept records come out in record order; kept lists are merged back into order.
        let blocks = n.div_ceil(SCORE_BLOCK);
        let run = |t: usize| {
            let ids = (t..blocks)
                .step_by(threads)
                .flat_map(|b| b * SCORE_BLOCK..((b + 1) * SCORE_BLOCK).min(n))
                .map(id);
            self.score_ids(q, ids, limit, keep)
        };
        std::thread::scope(|s| {
            let handles: Vec<_> = (1..threads).map(|t| s.spawn(move || run(t))).collect();
            let (mut best, mut kept) = run(0);
            for h in handles {
                let (b, k) = h.join().expect("search worker panicked");
                best.extend(b);
                kept.extend(k);
            }
            kept.sort_unstable();
            (best, kept)
        })
    }

    /// The best `limit` of `scored`, as hits: score descending, then record order.
    fn top(&self, mut scored: Vec<(i64, u32)>, limit: usize) -> Vec<Hit> {
        if limit == 0 {
            return Vec::new();
        }
        let key = |a: &(i64, u32), b: &(i64, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        if scored.len() > limit {
            scored.select_nth_unstable_by(limit - 1, key);
            scored.truncate(limit);
        }
        scored.sort_unstable_by(key);
        scored
            .into_iter()
            .map(|(score, i)| {
                let r = &self.records[i as usize];
                Hit {
                    record: i as usize,
                    kind: r.kind,
                    entry: self.lib.entries[r.entry as usize].id.to_string(),
                    item: self.item_id(r),
                    score,
                    title: self.compose(r).title,
                }
            })
            .collect()
    }

    /// The snippet to show for a hit and the char positions (within the snippet) to highlight.
    /// A match in a name, title, endpoint, prompt or "about" shows the display title; a match
    /// elsewhere shows that field, cut to a window of ~100 chars around the first match.
    pub fn highlight(&self, hit: &Hit, query: &str) -> (String, Vec<usize>) {
        let Some(r) = self.records.get(hit.record) else {
            return (String::new(), Vec::new());
        };
        let q = Query::parse(query);
        let prepared = Prepared::new(&q);
        let fields = self.fields_of(r);
        let m = matcher();
        let quality = |f: &FieldAt, t: &Term, needle: &Needle| {
            field_quality(f.hay, !f.slot.long(), t, needle, 1, &m)
        };
        // The field of the heaviest term match decides the snippet.
        let mut best: Option<(i64, usize)> = None;
        for (t, needle) in q.terms.iter().zip(&prepared.terms) {
            for (fi, f) in fields.iter().enumerate() {
                if let Some((quality, _)) = quality(f, t, needle) {
                    let s = i64::from(f.slot.weight()) * quality;
                    if best.is_none_or(|b| s > b.0) {
                        best = Some((s, fi));
                    }
                }
            }
        }
        // The hit's title is this record's, composed already: only where its fields sit is
        // needed (without formatting a finding's numbers again).
        let composed = self.compose_with(r, false);
        let title = &hit.title;
        debug_assert!(title.starts_with(composed.title.as_str()), "{title:?}");
        let Some((_, fi)) = best else {
            return (one_line(title), Vec::new());
        };
        let f = &fields[fi];
        let text = f.hay.text();
        let mut pos: Vec<usize> = Vec::new();
        for (t, needle) in q.terms.iter().zip(&prepared.terms) {
            match quality(f, t, needle) {
                Some((_, Some(byte))) => {
                    let c = text[..byte].chars().count();
                    pos.extend(c..c + t.text.chars().count());
                }
                Some((_, None)) => {
                    if let Some((_, idx)) = m.fuzzy_indices(text, &t.text) {
                        pos.extend(idx);
                    }
                }
                None => {}
            }
        }
        pos.sort_unstable();
        pos.dedup();
        if f.slot == Slot::Initials {
            // Point at the endpoint's word starts that the initials matched.
            let (_, starts) = initials(&self.original(r, Slot::Endpoint, 0));
            pos = pos.iter().filter_map(|&p| starts.get(p).copied()).collect();
        }
        if let Some(at) = composed.at(f.slot) {
            return (one_line(title), pos.into_iter().map(|p| p + at).collect());
        }
        window(&self.original(r, f.slot, f.ordinal), &pos)
    }
}

/// Text on one line: newlines and tabs become spaces (one char for one char).
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Cut `text` to about [`SNIPPET_CHARS`] chars around the first of `pos`, with "…" at cut
/// ends, and shift the positions to match.
fn window(text: &str, pos: &[usize]) -> (String, Vec<usize>) {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    if n <= SNIPPET_CHARS + SNIPPET_LEAD {
        return (one_line(text), pos.to_vec());
    }
    let first = pos.first().copied().unwrap_or(0);
    let mut start = first.saturating_sub(SNIPPET_LEAD);
    // Start at a word if one begins shortly before.
    if start > 0 {
        let back = (start.saturating_sub(10)..start)
            .rev()
            .find(|&i| chars[i] == ' ');
        if let Some(i) = back {
            start = i + 1;
        }
    }
    let end = (start + SNIPPET_CHARS).min(n);
    let start = if end == n {
        n.saturating_sub(SNIPPET_CHARS)
    } else {
        start
    };
    let mut s = String::new();
    let shift = usize::from(start > 0);
    if start > 0 {
        s.push('…');
    }
    s.extend(
        chars[start..end]
            .iter()
            .map(|&c| if c.is_control() { ' ' } else { c }),
    );
    if end < n {
        s.push('…');
    }
    let idx = pos
        .iter()
        .filter(|&&p| p >= start && p < end)
        .map(|&p| p - start + shift)
        .collect();
    (s, idx)
}

/// Search with a cache of the last query's matches, for search-as-you-type.
pub struct Searcher {
    index: std::sync::Arc<SearchIndex>,
    cache: Option<(Query, Vec<u32>)>,
    narrowing: bool,
    threads: usize,
}

impl Searcher {
    /// A searcher with narrowing on, scoring on one thread.
    pub fn new(index: SearchIndex) -> Searcher {
        Searcher {
            index: std::sync::Arc::new(index),
            cache: None,
            narrowing: true,
            threads: 1,
        }
    }

    /// Another searcher on the same index (shared, not copied), with its own narrowing
    /// cache: for scoring on a worker thread while this one highlights what is on screen.
    pub fn share(&self) -> Searcher {
        Searcher {
            index: std::sync::Arc::clone(&self.index),
            cache: None,
            narrowing: self.narrowing,
            threads: self.threads,
        }
    }

    /// Turn incremental narrowing on or off (for measuring).
    pub fn with_narrowing(mut self, on: bool) -> Searcher {
        self.narrowing = on;
        self.cache = None;
        self
    }

    /// Score on up to this many threads when there are many candidates.
    pub fn with_threads(mut self, threads: usize) -> Searcher {
        self.threads = threads.max(1);
        self
    }

    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    /// The index (a copy only if another searcher still shares it).
    pub fn into_index(self) -> SearchIndex {
        std::sync::Arc::try_unwrap(self.index).unwrap_or_else(|shared| (*shared).clone())
    }

    /// Forget the cached candidates.
    pub fn reset(&mut self) {
        self.cache = None;
    }

    /// Like [`SearchIndex::search`], re-scoring only the last query's matches when the new
    /// query narrows it. Returns the same hits as a fresh search.
    pub fn search(&mut self, query: &str, limit: usize) -> Vec<Hit> {
        let q = Query::parse(query);
        let cached = match &self.cache {
            Some((prev, ids)) if self.narrowing && q.narrows(prev) => Some(ids.as_slice()),
            _ => None,
        };
        let (scored, kept) = self
            .index
            .score_all(&q, cached, self.threads, limit, self.narrowing);
        if self.narrowing {
            self.cache = Some((q, kept));
        }
        self.index.top(scored, limit)
    }

    pub fn highlight(&self, hit: &Hit, query: &str) -> (String, Vec<usize>) {
        self.index.highlight(hit, query)
    }
}

/// One line per hit: `kind<TAB>id<TAB>score<TAB>title`, where id is the entry id for
/// entries and `entry/item` otherwise, and the title has no tabs or newlines.
pub fn format_hits(index: &SearchIndex, hits: &[Hit]) -> String {
    let mut out = String::new();
    for h in hits {
        let composed = (h.record < index.len()).then(|| index.title(h.record));
        let title = composed.as_deref().unwrap_or(&h.title);
        let id = match &h.item {
            Some(item) => format!("{}/{item}", h.entry),
            None => h.entry.clone(),
        };
        let title = one_line(title);
        let _ = writeln!(
            out,
            "{}\t{id}\t{}\t{}",
            h.kind.label(),
            h.score,
            title.trim()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn substring_search_finds_the_best_occurrence_on_char_boundaries() {
        let find = |hay: &str, needle: &str| {
            let t = Term {
                text: needle.to_string(),
                exact: false,
            };
            let n = Needle::new(needle);
            let folded = substring_with(Hay::Folded(hay), &t, &n, 1);
            // Plain ASCII long text is matched as the library holds it, in any case.
            if hay.is_ascii() {
                let upper = hay.to_ascii_uppercase();
                assert_eq!(substring_with(Hay::Ascii(&upper), &t, &n, 1), folded);
            }
            folded
        };
        // The first occurrence is inside a word; a later one starts a word.
        assert_eq!(
            find("stratified tra trastuzumab", "tra"),
            Some((Q_WORD, 11))
        );
        assert_eq!(find("a t b", "t"), Some((Q_WORD, 2)));
        assert_eq!(find("ttt", "t"), Some((Q_PREFIX, 0)));
        assert_eq!(find("naïve é-é", "é"), Some((Q_WORD, 7)));
        assert_eq!(find("été", "t"), Some((Q_SUBSTR, 2)));
        assert_eq!(find("abc", "x"), None);
        assert_eq!(find("", "x"), None);
        for (hay, needle) in [("ééé", "é"), ("aéaéa", "a"), ("x", "x")] {
            let (_, pos) = find(hay, needle).unwrap();
            assert!(hay.is_char_boundary(pos));
            assert!(hay[pos..].starts_with(needle));
        }
    }

    #[test]
    fn queries_may_start_with_any_character() {
        for q in ["é", "中文", "\u{200b}x", "!é", "@中", "#ü", "'ß"] {
            let _ = super::Query::parse(q);
        }
    }

    use super::*;

    fn build_index(lib: &Library) -> SearchIndex {
        SearchIndex::build(Arc::new(lib.clone()))
    }
    use crate::content::{Design, Discrepancy, Finding, Question, Status, Version};

    fn entry(id: &str, kind: EntryKind, name: &str, title: &str, bottom: &str) -> Entry {
        Entry {
            id: id.into(),
            kind,
            name: name.into(),
            title: title.into(),
            year: None,
            journal: None,
            authors: vec![],
            registry: vec![],
            status: Status::Reported,
            design: None,
            bottom_line: bottom.into(),
            significance: Text::default(),
            context: Text::default(),
            later_evidence: None,
            findings: vec![],
            safety: vec![],
            limitations: vec![],
            related: vec![],
            discrepancies: vec![],
            questions: vec![],
            tags: vec![],
        }
    }

    fn question(id: &str, role: Role, prompt: &str, key: &str) -> Question {
        Question {
            id: id.into(),
            role,
            prompt: prompt.into(),
            key_response: key.into(),
            key_points: vec!["first point".into(), "second point".into()],
            tags: vec![],
            findings: vec![],
        }
    }

    fn finding(id: &str, endpoint: &str, reading: &str) -> Finding {
        Finding {
            id: id.into(),
            endpoint: endpoint.into(),
            analysis: crate::content::Analysis::Itt,
            values: vec![],
            effect: None,
            reading: reading.into(),
            cite: vec![],
            headline: false,
        }
    }

    const LONG: &str = "After progression on trastuzumab and a taxane the choice of second-line \
        therapy was open for some years, and several trials were run to settle it; the one that \
        did was EMILIA, which compared T-DM1 with lapatinib plus capecitabine and reported longer \
        progression-free and overall survival with less severe toxicity overall.";

    fn lib() -> Library {
        let mut th3 = entry(
            "th3resa",
            EntryKind::Trial,
            "TH3RESA",
            "T-DM1 versus treatment of physician's choice",
            "T-DM1 improved progression-free survival after two or more HER2-directed regimens.",
        );
        th3.questions = vec![
            question(
                "th3resa-resident",
                Role::Resident,
                "How does TH3RESA extend the second-line data?",
                LONG,
            ),
            question(
                "th3resa-phd",
                Role::PhD,
                "What does crossover do to the overall survival estimate?",
                "Crossover dilutes the overall survival difference between arms.",
            ),
        ];
        th3.findings = vec![finding(
            "pfs",
            "Progression-free survival",
            "Median PFS was longer with T-DM1.",
        )];
        let mut emilia = entry(
            "emilia",
            EntryKind::Trial,
            "EMILIA",
            "Trastuzumab emtansine for HER2-positive advanced breast cancer",
            "T-DM1 prolonged progression-free and overall survival versus lapatinib plus capecitabine.",
        );
        emilia.registry = vec!["NCT00829166".into()];
        emilia.tags = vec!["second-line".into()];
        emilia.design = Some(Design {
            phase: "3".into(),
            features: vec![],
            sample_size: Some(991),
            setting: Text::default(),
            duration: Text::default(),
            population: "HER2-positive advanced breast cancer".into(),
            intervention: "Trastuzumab emtansine".into(),
            comparator: Some("Lapatinib plus capecitabine".into()),
            primary_endpoints: vec![],
            secondary_endpoints: vec![],
            arms: vec![],
            cite: vec![],
        });
        emilia.findings = vec![
            finding(
                "pfs",
                "Progression-free survival",
                "Median PFS 9.6 vs 6.4 months.",
            ),
            finding(
                "thrombo",
                "Thrombocytopenia",
                "Grade 3 or worse thrombocytopenia was more common with T-DM1.",
            ),
        ];
        emilia.questions = vec![
            question(
                "emilia-resident",
                Role::Resident,
                "What was the primary endpoint?",
                "Progression-free survival by independent review and overall survival.",
            ),
            question(
                "emilia-student",
                Role::MedicalStudent,
                "What is an antibody-drug conjugate?",
                "An antibody joined to a cytotoxic payload, delivered to HER2-expressing cells.",
            ),
        ];
        emilia.discrepancies = vec![Discrepancy {
            id: "os-months".into(),
            about: "Median overall survival".into(),
            versions: vec![
                Version {
                    says: "30.9 months".into(),
                    cite: crate::content::Cite {
                        source: "a".into(),
                        at: "b".into(),
                    },
                },
                Version {
                    says: "30.7 months".into(),
                    cite: crate::content::Cite {
                        source: "a".into(),
                        at: "c".into(),
                    },
                },
            ],
            note: "The summary and the review round the median differently.".into(),
            findings: vec![],
        }];
        let moa = entry(
            "mechanism",
            EntryKind::Topic,
            "Mechanism of action",
            "How T-DM1 works: HER2 binding, internalisation and DM1 release",
            "The antibody carries the payload; lysosomal degradation frees DM1.",
        );
        Library::new(vec![], vec![th3, emilia, moa])
    }

    fn ids(hits: &[Hit]) -> Vec<String> {
        hits.iter()
            .map(|h| match &h.item {
                Some(i) => format!("{}/{i}", h.entry),
                None => h.entry.clone(),
            })
            .collect()
    }

    #[test]
    fn name_match_beats_passing_mention() {
        let idx = build_index(&lib());
        let hits = idx.search("emilia", 10);
        assert_eq!(ids(&hits)[0], "emilia");
        let passing = hits
            .iter()
            .position(|h| h.item.as_deref() == Some("th3resa-resident"))
            .expect("the key response mentioning EMILIA matches");
        assert!(passing > 0);
        assert!(hits[0].score > hits[passing].score * 5);
        // Case does not matter.
        assert_eq!(ids(&idx.search("EMILIA", 1)), ids(&idx.search("emilia", 1)));
    }

    #[test]
    fn prefix_and_word_matches_beat_fuzzy() {
        let idx = build_index(&lib());
        // "thr" is a prefix of "Thrombocytopenia" (finding endpoint) and fuzzy elsewhere.
        let hits = idx.search("thromb", 10);
        assert_eq!(ids(&hits)[0], "emilia/thrombo");
        // Fuzzy on short fields: "emla" is scattered in "EMILIA".
        let hits = idx.search("emla", 10);
        assert_eq!(ids(&hits)[0], "emilia");
        // ...but never fuzzy on long text: "tdmlpc" is not a substring anywhere.
        assert!(idx.search("tdmlpc", 10).is_empty());
    }

    #[test]
    fn role_filter() {
        let idx = build_index(&lib());
        let hits = idx.search("@resident", 50);
        assert_eq!(
            ids(&hits),
            ["th3resa/th3resa-resident", "emilia/emilia-resident"]
        );
        let hits = idx.search("@res survival", 50);
        assert!(!hits.is_empty());
        assert!(hits.iter().all(|h| h.kind == Kind::Question));
        assert!(
            hits.iter()
                .all(|h| h.item.as_deref().unwrap().ends_with("resident"))
        );
        assert_eq!(ids(&idx.search("@student", 50)), ["emilia/emilia-student"]);
        assert_eq!(ids(&idx.search("@phd", 50)), ["th3resa/th3resa-phd"]);
        assert!(idx.search("@nosuchrole", 50).is_empty());
    }

    #[test]
    fn kind_filter() {
        let idx = build_index(&lib());
        let hits = idx.search("#finding", 50);
        assert_eq!(hits.len(), 3);
        assert!(hits.iter().all(|h| h.kind == Kind::Finding));
        let hits = idx.search("#find survival", 50);
        assert!(!hits.is_empty() && hits.iter().all(|h| h.kind == Kind::Finding));
        let hits = idx.search("#t", 50);
        assert_eq!(ids(&hits), ["th3resa", "emilia", "mechanism"]);
        assert_eq!(ids(&idx.search("#topic", 50)), ["mechanism"]);
        assert_eq!(ids(&idx.search("#disc", 50)), ["emilia/os-months"]);
        assert!(idx.search("#zzz", 50).is_empty());
    }

    #[test]
    fn empty_query_lists_entries_first() {
        let idx = build_index(&lib());
        let hits = idx.search("", 100);
        assert_eq!(hits.len(), idx.len());
        assert_eq!(ids(&hits[..3]), ["th3resa", "emilia", "mechanism"]);
        assert!(hits[3..].iter().all(|h| !h.kind.is_entry()));
        assert_eq!(idx.search("", 2).len(), 2);
        assert!(idx.search("emilia", 0).is_empty());
    }

    #[test]
    fn exact_terms_are_substrings_only() {
        let idx = build_index(&lib());
        // Fuzzy "emla" finds EMILIA; exact does not.
        assert!(!idx.search("emla", 10).is_empty());
        assert!(idx.search("'emla", 10).is_empty());
        let hits = idx.search("'LAPATINIB", 10);
        assert!(!hits.is_empty());
        for h in &hits {
            let (snip, pos) = idx.highlight(h, "'LAPATINIB");
            let got: String = pos.iter().map(|&i| snip.chars().nth(i).unwrap()).collect();
            assert_eq!(got.to_lowercase(), "lapatinib");
        }
    }

    #[test]
    fn negation_excludes() {
        let idx = build_index(&lib());
        let all = ids(&idx.search("survival", 50));
        assert!(all.contains(&"emilia/pfs".to_string()));
        let hits = ids(&idx.search("survival !median", 50));
        assert!(!hits.contains(&"emilia/pfs".to_string()));
        assert!(!hits.contains(&"th3resa/pfs".to_string()));
        assert!(hits.len() < all.len() && !hits.is_empty());
        // A lone "!" or "'" is ignored while typing.
        assert_eq!(ids(&idx.search("survival !", 50)), all);
        assert_eq!(ids(&idx.search("survival '", 50)), all);
    }

    #[test]
    fn highlight_points_at_matched_chars() {
        let idx = build_index(&lib());
        for q in [
            "emilia",
            "emla",
            "thromb",
            "progression free",
            "lapatinib",
            "crossover",
        ] {
            let hits = idx.search(q, 50);
            assert!(!hits.is_empty(), "{q}");
            for h in &hits {
                let (snip, pos) = idx.highlight(h, q);
                assert!(!pos.is_empty(), "{q}: no positions for {h:?}");
                let chars: Vec<char> = snip.chars().collect();
                assert!(pos.iter().all(|&p| p < chars.len()));
                assert!(pos.windows(2).all(|w| w[0] < w[1]));
                let hl: String = pos.iter().map(|&p| chars[p]).collect::<String>();
                let hl = hl.to_lowercase();
                // Every highlighted char is a char of the query.
                assert!(hl.chars().all(|c| q.contains(c)), "{q}: {hl} in {snip}");
            }
        }
        // The EMILIA trial's snippet is its title with the name highlighted.
        let hits = idx.search("emilia", 1);
        let (snip, pos) = idx.highlight(&hits[0], "emilia");
        assert!(snip.starts_with("EMILIA: "));
        assert_eq!(pos, [0, 1, 2, 3, 4, 5]);
        // A long-text match is a window with ellipses, positions on the match.
        let h = idx
            .search("emilia", 10)
            .into_iter()
            .find(|h| h.item.as_deref() == Some("th3resa-resident"))
            .unwrap();
        let (snip, pos) = idx.highlight(&h, "emilia");
        assert!(snip.starts_with('…') && snip.ends_with('…'), "{snip}");
        assert!(snip.chars().count() <= SNIPPET_CHARS + 2);
        let hl: String = pos.iter().map(|&p| snip.chars().nth(p).unwrap()).collect();
        assert_eq!(hl, "EMILIA");
        // Filters alone: the title, nothing highlighted.
        let h = &idx.search("@phd", 1)[0];
        assert_eq!(idx.highlight(h, "@phd").1, Vec::<usize>::new());
    }

    #[test]
    fn non_ascii_positions_are_chars() {
        let mut e = entry(
            "x",
            EntryKind::Topic,
            "Über-Studie",
            "Étude ≥3 toxicité",
            "Grade ≥3 toxicité hépatique was rare.",
        );
        e.id = "x".into();
        let idx = build_index(&Library::new(vec![], vec![e]));
        let h = &idx.search("toxicite", 1)[0];
        let (snip, pos) = idx.highlight(h, "toxicite");
        let hl: String = pos.iter().map(|&p| snip.chars().nth(p).unwrap()).collect();
        assert_eq!(hl, "toxicité");
        let h = &idx.search("uber", 1)[0];
        let (snip, pos) = idx.highlight(h, "uber");
        let hl: String = pos.iter().map(|&p| snip.chars().nth(p).unwrap()).collect();
        assert_eq!(hl, "Über", "{snip}");
    }

    #[test]
    fn incremental_matches_fresh() {
        let lib = lib();
        let mut big = crate::dev::generate::gen_library(30, 3);
        big.entries.extend(lib.entries);
        let big = Library::new(vec![], big.entries);
        let idx = build_index(&big);
        assert!(idx.len() > PARALLEL_MIN * 2);
        let mut s = Searcher::new(build_index(&big));
        let mut par = Searcher::new(build_index(&big)).with_threads(2);
        let queries = [
            "emilia",
            "progression free",
            "@resident pfs",
            "#q trastuzumab !lapatinib",
            "'thromb x",
            "thrombocytopenia",
            "@phd #question 'over",
        ];
        for q in queries {
            // Type it, then delete it again, checking every prefix both ways.
            let prefixes: Vec<&str> = (0..=q.len())
                .filter(|&i| q.is_char_boundary(i))
                .map(|i| &q[..i])
                .collect();
            for p in prefixes.iter().chain(prefixes.iter().rev()) {
                let fresh = idx.search(p, 50);
                let inc = s.search(p, 50);
                assert_eq!(inc, fresh, "query {p:?}");
                assert_eq!(par.search(p, 50), fresh, "parallel {p:?}");
            }
        }
    }

    /// Every match, scored with no bound, ranked: what pruning must reproduce.
    fn exhaustive(idx: &SearchIndex, query: &str, limit: usize) -> Vec<Hit> {
        let q = Query::parse(query);
        let p = Prepared::new(&q);
        let m = matcher();
        let scored = (0..idx.records.len() as u32)
            .filter_map(
                |i| match idx.score(&idx.records[i as usize], &p, &m, None) {
                    Outcome::Score(s) => Some((s, i)),
                    Outcome::Keep => panic!("no record is merely kept without a bound"),
                    Outcome::No => None,
                },
            )
            .collect();
        idx.top(scored, limit)
    }

    #[test]
    fn ranking_with_pruning_equals_scoring_everything() {
        let mut big = crate::dev::generate::gen_library(40, 5);
        big.entries.extend(lib().entries);
        let big = Library::new(vec![], big.entries);
        let idx = build_index(&big);
        // Words from the records themselves, whole, cut and in capitals, plus the usual.
        let mut queries: Vec<String> = ["t", "em", "emilia", "progression free", "0.6", "hr 0"]
            .map(String::from)
            .to_vec();
        for r in (0..idx.len()).step_by(37) {
            let line = idx.record_line(r);
            let words: Vec<&str> = line.split_whitespace().collect();
            for (k, w) in words.iter().enumerate().step_by(23).take(3) {
                queries.push(w.to_string());
                queries.push(w.chars().take(3).collect());
                if let Some(next) = words.get(k + 1) {
                    queries.push(format!("{} {}", w.to_uppercase(), next));
                }
            }
        }
        let mut pruned_any = false;
        for q in &queries {
            for limit in [1, 7, 50] {
                assert_eq!(
                    idx.search(q, limit),
                    exhaustive(&idx, q, limit),
                    "{q:?} top {limit}"
                );
            }
            let (_, kept) = idx.score_all(&Query::parse(q), None, 1, 7, true);
            pruned_any |= kept.len() > exhaustive(&idx, q, usize::MAX).len();
        }
        assert!(queries.len() > 40);
        assert!(
            pruned_any,
            "the bound never skipped a record: the test proves nothing"
        );
    }

    #[test]
    fn ascii_finder_finds_what_a_lowered_copy_finds() {
        // A small alphabet so needles occur often, in both cases, at chunk edges.
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let alphabet = b"aAbB -.9zZ";
        for _ in 0..3000 {
            let len = next() % 90;
            let hay: String = (0..len)
                .map(|_| alphabet[next() % alphabet.len()] as char)
                .collect();
            let nlen = 1 + next() % 4;
            let needle: String = (0..nlen)
                .map(|_| alphabet[next() % alphabet.len()].to_ascii_lowercase() as char)
                .collect();
            let f = AsciiFinder::new(&needle).unwrap();
            assert_eq!(
                f.find(hay.as_bytes()),
                hay.to_ascii_lowercase().find(&needle),
                "{needle:?} in {hay:?}"
            );
        }
        assert!(AsciiFinder::new("é").is_none());
        assert!(AsciiFinder::new("").is_none());
    }

    #[test]
    fn the_index_does_not_copy_long_text() {
        let lib = crate::dev::generate::gen_library(60, 2);
        let long: usize = lib
            .entries
            .iter()
            .map(|e| {
                e.bottom_line.len()
                    + e.findings.iter().map(|f| f.reading.len()).sum::<usize>()
                    + e.questions
                        .iter()
                        .map(|q| q.key_response.len() + q.key_points.concat().len())
                        .sum::<usize>()
            })
            .sum();
        let idx = build_index(&lib);
        assert!(
            idx.heap_bytes() * 3 < long,
            "index {} bytes, long text {long}",
            idx.heap_bytes()
        );
        // And long text is still found, in any case, with its snippet.
        let q = &lib.entries[3].questions[2];
        let word = q
            .key_response
            .split_whitespace()
            .nth(40)
            .unwrap()
            .trim_matches('.');
        let hits = idx.search(&format!("'{} @{}", word.to_uppercase(), q.role.slug()), 500);
        assert!(
            hits.iter()
                .any(|h| h.item.as_deref() == Some(q.id.as_str()))
        );
    }

    #[test]
    fn endpoints_are_found_by_their_initials() {
        let idx = build_index(&lib());
        let hits = idx.search("emilia pfs", 3);
        assert!(
            ids(&hits).contains(&"emilia/pfs".to_string()),
            "{:?}",
            ids(&hits)
        );
        let hit = hits
            .iter()
            .find(|h| h.item.as_deref() == Some("pfs"))
            .unwrap();
        let (title, marks) = idx.highlight(hit, "pfs");
        let marked: String = marks
            .iter()
            .map(|&i| title.chars().nth(i).unwrap())
            .collect();
        assert_eq!(marked, "Pfs", "{title:?} {marks:?}");
        assert_eq!(initials("Progression-free survival (median)").0, "pfsm");
        assert_eq!(initials("Grade ≥3 events").1, vec![0, 7, 9]);
    }

    #[test]
    fn narrows_only_when_safe() {
        let p = |s: &str| Query::parse(s);
        assert!(p("emil").narrows(&p("emi")));
        assert!(p("emi x").narrows(&p("emi")));
        assert!(!p("emi").narrows(&p("emil")));
        assert!(!p("emil !x").narrows(&p("emi")));
        assert!(!p("emil !xy").narrows(&p("emil !x")));
        assert!(!p("@phd emil").narrows(&p("emi")));
        assert!(!p("'emil").narrows(&p("emi")));
    }

    #[test]
    fn format_hits_is_tab_separated() {
        let mut lib = lib();
        lib.entries[1].title = "Trastuzumab\temtansine,\nsecond line".into();
        let idx = build_index(&lib);
        let hits = idx.search("emilia", 3);
        let out = format_hits(&idx, &hits);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        let cols: Vec<&str> = lines[0].split('\t').collect();
        assert_eq!(cols.len(), 4);
        assert_eq!(cols[0], "trial");
        assert_eq!(cols[1], "emilia");
        assert_eq!(cols[2], hits[0].score.to_string());
        assert_eq!(cols[3], "EMILIA: Trastuzumab emtansine, second line");
        for l in &lines[1..] {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 4);
            if cols[0] != "trial" && cols[0] != "topic" {
                assert!(cols[1].contains('/'));
            }
        }
    }

    /// EMILIA's PFS finding with its real numbers and design arms.
    fn lib_with_numbers() -> Library {
        let mut lib = lib();
        let emilia = &mut lib.entries[1];
        let d = emilia.design.as_mut().unwrap();
        d.arms = vec![
            crate::content::Arm {
                id: "tdm1".into(),
                label: "T-DM1".into(),
                n: None,
                regimen: Text::default(),
            },
            crate::content::Arm {
                id: "lapcap".into(),
                label: "Lapatinib + capecitabine".into(),
                n: None,
                regimen: Text::default(),
            },
        ];
        let arm = |arm: &str, v: f64| crate::content::ArmValue {
            arm: Some(arm.into()),
            value: Some(v),
            unit: crate::content::Unit::Months,
            ci: None,
            note: None,
        };
        let pfs = &mut emilia.findings[0];
        pfs.values = vec![arm("tdm1", 9.6), arm("lapcap", 6.4)];
        pfs.effect = Some(crate::content::Effect {
            measure: crate::content::Measure::HR,
            estimate: 0.65,
            ci: Some((0.55, 0.77)),
            p: Some(crate::content::PValue::Lt(0.001)),
            comparison: Text::default(),
        });
        // The reading no longer holds the numbers: they must come from the values.
        pfs.reading = "T-DM1 delayed progression.".into();
        Library::new(vec![], lib.entries)
    }

    #[test]
    fn finding_hits_show_their_numbers() {
        let idx = build_index(&lib_with_numbers());
        let h = idx
            .search("#finding emilia progression", 5)
            .into_iter()
            .find(|h| h.item.as_deref() == Some("pfs") && h.entry == "emilia")
            .unwrap();
        assert_eq!(
            h.title,
            "EMILIA · Progression-free survival — HR 0.65 (0.55–0.77) · T-DM1 9.6 mo · \
             Lapatinib + capecitabine 6.4 mo · p < 0.001"
        );
        // A finding without numbers keeps a plain title.
        let t = idx.search("thrombocytopenia", 1);
        assert_eq!(t[0].title, "EMILIA · Thrombocytopenia");
    }

    #[test]
    fn numbers_are_searchable_and_highlighted_in_the_title() {
        let idx = build_index(&lib_with_numbers());
        for q in ["9.6", "0.65", "6.4", "0.55–0.77", "0.55-0.77", "p < 0.001"] {
            let hits = idx.search(q, 10);
            assert_eq!(ids(&hits[..1]), ["emilia/pfs"], "{q}: {hits:?}");
        }
        // Digits never match scattered: "0.56" is in no field, though its chars are.
        assert!(idx.search("0.56", 10).is_empty());
        let q = Query::parse("9.6 0.65");
        assert_eq!(
            q.terms.iter().map(|t| t.text.as_str()).collect::<Vec<_>>(),
            ["9.6", "0.65"]
        );
        let h = &idx.search("9.6", 1)[0];
        let (snip, pos) = idx.highlight(h, "9.6");
        assert_eq!(snip, h.title);
        let hl: String = pos.iter().map(|&p| snip.chars().nth(p).unwrap()).collect();
        assert_eq!(hl, "9.6");
    }

    #[test]
    fn titles_never_repeat_the_entry_name() {
        let mut lib = lib();
        lib.entries[1].title = "EMILIA: trastuzumab emtansine in advanced disease".into();
        lib.entries[1].findings[0].endpoint = "EMILIA progression-free survival".into();
        lib.entries[1].discrepancies[0].about = "emilia's median overall survival".into();
        lib.entries[1].questions[0].prompt = "EMILIA: what was the primary endpoint?".into();
        // A name that merely starts a longer word is not a repeat.
        lib.entries[2].title = "Mechanism of actionable things".into();
        let idx = build_index(&Library::new(vec![], lib.entries));
        let title = |id: &str| {
            idx.search("", 100)
                .into_iter()
                .find(|h| ids(std::slice::from_ref(h))[0] == id)
                .unwrap()
                .title
        };
        assert_eq!(
            title("emilia"),
            "EMILIA: trastuzumab emtansine in advanced disease"
        );
        assert_eq!(title("emilia/pfs"), "EMILIA progression-free survival");
        assert_eq!(
            title("emilia/os-months"),
            "emilia's median overall survival"
        );
        assert_eq!(
            title("emilia/emilia-resident"),
            "Resident: EMILIA: what was the primary endpoint?"
        );
        assert_eq!(
            title("mechanism"),
            "Mechanism of action: Mechanism of actionable things"
        );
        assert_eq!(
            title("th3resa"),
            "TH3RESA: T-DM1 versus treatment of physician's choice"
        );
        // The name is still highlighted where it stands in the title.
        for (q, id) in [("emilia", "emilia"), ("emilia", "emilia/emilia-resident")] {
            let h = idx
                .search(q, 100)
                .into_iter()
                .find(|h| ids(std::slice::from_ref(h))[0] == id)
                .unwrap();
            let (snip, pos) = idx.highlight(&h, q);
            let hl: String = pos.iter().map(|&p| snip.chars().nth(p).unwrap()).collect();
            assert_eq!(hl, "EMILIA", "{id}: {snip}");
        }
    }

    #[test]
    fn unknown_filters_are_reported_with_the_valid_ones() {
        assert_eq!(check("emilia @res #find 9.6"), Ok(()));
        assert_eq!(check(""), Ok(()));
        // A lone sigil is a filter still being typed.
        assert_eq!(check("emilia @ #"), Ok(()));
        let err = check("pfs @foo").unwrap_err();
        assert_eq!(
            err,
            "unknown role `@foo`; use one of @student @resident @fellow @attending @phd \
             @editor @guideline"
        );
        let err = check("#zzz").unwrap_err();
        assert_eq!(
            err,
            "unknown kind `#zzz`; use one of #trial #topic #finding #question #discrepancy"
        );
        let err = check("@x #y").unwrap_err();
        assert!(err.contains("`@x`") && err.contains("`#y`"), "{err}");
        assert_eq!(Query::parse("@x").problems.len(), 1);
    }
}
