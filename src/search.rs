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
//! Titles never repeat the entry's name when the item's text already opens with it.
//! Text is case-folded once, at build, one char for one
//! char, so char positions in the folded text are char positions in the original.
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
//! # Incremental narrowing
//!
//! Whether a record *matches* (ignoring score) only gets stricter as a term grows: a longer
//! pattern that is a subsequence/substring of a field implies its shorter prefix is too. So a
//! [`Searcher`] keeps the previous query's matching records, and when the new query narrows the
//! old one (same filters and negations, each old term contained in the new one) it re-scores
//! only those.

use crate::content::{ArmValue, Entry, EntryKind, Finding, Library, Role, fmt_effect, fmt_num};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use memchr::memmem::Finder;
use std::fmt::Write as _;

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

#[derive(Clone)]
struct Field {
    text: Box<str>,
    folded: Box<str>,
    weight: u32,
    long: bool,
    ascii: bool,
    /// Char offset of this field inside the record's display title, if it is shown there.
    title_at: Option<u32>,
}

#[derive(Clone)]
struct Record {
    kind: Kind,
    entry: u32,
    item: Option<Box<str>>,
    role: Option<Role>,
    title: Box<str>,
    /// Range into `SearchIndex::fields`, sorted by weight, heaviest first.
    fields: (u32, u32),
}

/// The index: every record of a library with its prepared (folded) text. Built once.
#[derive(Clone)]
pub struct SearchIndex {
    records: Vec<Record>,
    fields: Vec<Field>,
    entry_ids: Vec<Box<str>>,
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
fn substring_with(hay: &str, needle: &str, finder: &Finder) -> Option<(i64, usize)> {
    let bytes = hay.as_bytes();
    let first = finder.find(bytes)?;
    let mut best = (quality_at(hay, first, needle.len()), first);
    let step = needle.chars().next().map_or(1, char::len_utf8);
    let mut from = first + step;
    let mut tries = 0;
    while best.0 < Q_WORD && tries < 8 && from <= bytes.len() {
        let Some(p) = finder.find(&bytes[from..]) else {
            break;
        };
        let pos = from + p;
        let q = quality_at(hay, pos, needle.len());
        if q > best.0 {
            best = (q, pos);
        }
        from = pos + step;
        tries += 1;
    }
    Some(best)
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

fn char_index(s: &str, ascii: bool, byte: usize) -> usize {
    if ascii {
        byte
    } else {
        s[..byte].chars().count()
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

/// A query with a substring searcher built once for each term and negation, shared by
/// every record scored (and every scoring thread).
struct Prepared<'q> {
    query: &'q Query,
    terms: Vec<Finder<'q>>,
    negations: Vec<Finder<'q>>,
}

impl<'q> Prepared<'q> {
    fn new(query: &'q Query) -> Prepared<'q> {
        Prepared {
            query,
            terms: query
                .terms
                .iter()
                .map(|t| Finder::new(t.text.as_bytes()))
                .collect(),
            negations: query
                .negations
                .iter()
                .map(|n| Finder::new(n.as_bytes()))
                .collect(),
        }
    }
}

struct Builder {
    records: Vec<Record>,
    fields: Vec<Field>,
}

impl Builder {
    fn push_field(&mut self, text: &str, weight: u32, long: bool, title_at: Option<usize>) {
        if text.trim().is_empty() {
            return;
        }
        let folded = fold(text);
        self.fields.push(Field {
            ascii: folded.is_ascii() && text.is_ascii(),
            text: text.into(),
            folded: folded.into(),
            weight,
            long,
            title_at: title_at.map(|t| t as u32),
        });
    }

    fn record(
        &mut self,
        kind: Kind,
        entry: usize,
        item: Option<&str>,
        role: Option<Role>,
        title: String,
        add: impl FnOnce(&mut Self),
    ) {
        let start = self.fields.len();
        add(self);
        self.fields[start..].sort_by_key(|f| std::cmp::Reverse(f.weight));
        self.records.push(Record {
            kind,
            entry: entry as u32,
            item: item.map(Into::into),
            role,
            title: title.into(),
            fields: (start as u32, self.fields.len() as u32),
        });
    }
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

impl SearchIndex {
    /// Index every entry, finding, question and discrepancy of `lib`. Entries come first.
    pub fn build(lib: &Library) -> SearchIndex {
        let mut b = Builder {
            records: Vec::new(),
            fields: Vec::new(),
        };
        for (ei, e) in lib.entries.iter().enumerate() {
            let kind = match e.kind {
                EntryKind::Trial => Kind::Trial,
                EntryKind::Topic => Kind::Topic,
            };
            let (title, at) = named(&e.name, ": ", &e.title);
            b.record(kind, ei, None, None, title, |b| entry_fields(b, e, at));
        }
        for (ei, e) in lib.entries.iter().enumerate() {
            // The entry's name opens finding and discrepancy titles (once: see `named`).
            for f in &e.findings {
                let (mut title, at) = named(&e.name, " · ", &f.endpoint);
                let summary = finding_summary(e, f);
                let summary_at = (!summary.is_empty()).then(|| {
                    title.push_str(" — ");
                    title.chars().count()
                });
                title.push_str(&summary);
                b.record(Kind::Finding, ei, Some(&f.id), None, title, |b| {
                    b.push_field(&e.name, W_PARENT, false, Some(0));
                    b.push_field(&f.endpoint, W_ENDPOINT, false, Some(at));
                    // Substring only (long): numbers and arm labels, never fuzzy.
                    b.push_field(&summary, W_NUMBERS, true, summary_at);
                    b.push_field(&f.reading, W_LONG_ITEM, true, None);
                });
            }
            for q in &e.questions {
                // "EMILIA · Resident: prompt", or "Resident: EMILIA …" when the prompt opens
                // with the name; the name field points at the name either way.
                let own = starts_with_name(&q.prompt, &e.name);
                let (title, at) = if own {
                    titled(&format!("{}: ", q.role.label()), &q.prompt)
                } else {
                    titled(&format!("{} · {}: ", e.name, q.role.label()), &q.prompt)
                };
                let name_at = if own { at } else { 0 };
                b.record(Kind::Question, ei, Some(&q.id), Some(q.role), title, |b| {
                    b.push_field(&e.name, W_PARENT, false, Some(name_at));
                    b.push_field(&q.prompt, W_PROMPT, false, Some(at));
                    for t in &q.tags {
                        b.push_field(t, W_QTAG, false, None);
                    }
                    b.push_field(&q.key_response, W_LONG_ITEM, true, None);
                    b.push_field(&q.key_points.join("; "), W_LONG_ITEM, true, None);
                });
            }
            for d in &e.discrepancies {
                let (title, at) = named(&e.name, " · ", &d.about);
                b.record(Kind::Discrepancy, ei, Some(&d.id), None, title, |b| {
                    b.push_field(&e.name, W_PARENT, false, Some(0));
                    b.push_field(&d.about, W_ABOUT, false, Some(at));
                    b.push_field(&d.note, W_LONG_ITEM, true, None);
                });
            }
        }
        SearchIndex {
            records: b.records,
            fields: b.fields,
            entry_ids: lib.entries.iter().map(|e| e.id.as_str().into()).collect(),
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
    pub fn title(&self, record: usize) -> &str {
        &self.records[record].title
    }

    pub fn kind(&self, record: usize) -> Kind {
        self.records[record].kind
    }

    /// A record's text on one line, its fields joined by " · ": the same corpus as plain
    /// lines, for comparing with line-oriented finders (scripts/bench-search.sh).
    pub fn record_line(&self, record: usize) -> String {
        self.records.get(record).map_or_else(String::new, |r| {
            let parts: Vec<String> = self.fields(r).iter().map(|f| one_line(&f.text)).collect();
            parts.join(" · ")
        })
    }

    /// Search with no cache: parse, score every record, return the best `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let q = Query::parse(query);
        let scored = self.score_all(&q, None, 1);
        self.top(scored, limit)
    }

    fn fields(&self, r: &Record) -> &[Field] {
        &self.fields[r.fields.0 as usize..r.fields.1 as usize]
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

    /// Score one record, or `None` when it does not match.
    fn score(&self, r: &Record, q: &Prepared, m: &SkimMatcherV2) -> Option<i64> {
        if !self.passes_filters(r, q.query) {
            return None;
        }
        let fields = self.fields(r);
        let mut total = 0;
        for (t, finder) in q.query.terms.iter().zip(&q.terms) {
            let mut best = 0;
            for f in fields {
                if i64::from(f.weight) * Q_MAX <= best {
                    break; // fields are sorted heaviest first
                }
                if let Some(quality) = field_quality_with(f, t, finder, m) {
                    best = best.max(i64::from(f.weight) * quality.0);
                }
            }
            if best == 0 {
                return None;
            }
            total += best;
        }
        for n in &q.negations {
            if fields.iter().any(|f| n.find(f.folded.as_bytes()).is_some()) {
                return None;
            }
        }
        Some(total)
    }

    fn score_ids(
        &self,
        q: &Prepared,
        ids: impl Iterator<Item = u32>,
        m: &SkimMatcherV2,
    ) -> Vec<(i64, u32)> {
        ids.filter_map(|i| self.score(&self.records[i as usize], q, m).map(|s| (s, i)))
            .collect()
    }

    /// Score every record (or the given candidates, ascending) on up to `threads` threads.
    /// Returns matches in record order.
    fn score_all(&self, q: &Query, candidates: Option<&[u32]>, threads: usize) -> Vec<(i64, u32)> {
        let n = candidates.map_or(self.records.len(), <[u32]>::len);
        let threads = if n < PARALLEL_MIN { 1 } else { threads.max(1) };
        let q = &Prepared::new(q);
        let run = |lo: usize, hi: usize| {
            // Each worker has its own matcher: a shared one was measured running erratically.
            let m = matcher();
            match candidates {
                Some(c) => self.score_ids(q, c[lo..hi].iter().copied(), &m),
                None => self.score_ids(q, lo as u32..hi as u32, &m),
            }
        };
        if threads == 1 {
            return run(0, n);
        }
        let chunk = n.div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = (1..threads)
                .map(|t| {
                    let lo = (t * chunk).min(n);
                    let hi = ((t + 1) * chunk).min(n);
                    s.spawn(move || run(lo, hi))
                })
                .collect();
            let mut out = run(0, chunk.min(n));
            for h in handles {
                out.extend(h.join().expect("search worker panicked"));
            }
            out
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
                    entry: self.entry_ids[r.entry as usize].to_string(),
                    item: r.item.as_deref().map(str::to_string),
                    score,
                    title: r.title.to_string(),
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
        let fields = self.fields(r);
        let m = matcher();
        // The field of the heaviest term match decides the snippet.
        let mut best: Option<(i64, usize)> = None;
        for t in &q.terms {
            for (fi, f) in fields.iter().enumerate() {
                if let Some((quality, _)) = field_quality(f, t, &m) {
                    let s = i64::from(f.weight) * quality;
                    if best.is_none_or(|b| s > b.0) {
                        best = Some((s, fi));
                    }
                }
            }
        }
        let Some((_, fi)) = best else {
            return (one_line(&r.title), Vec::new());
        };
        let f = &fields[fi];
        let mut pos: Vec<usize> = Vec::new();
        for t in &q.terms {
            match field_quality(f, t, &m) {
                Some((_, Some(byte))) => {
                    let c = char_index(&f.folded, f.ascii, byte);
                    pos.extend(c..c + t.text.chars().count());
                }
                Some((_, None)) => {
                    if let Some((_, idx)) = m.fuzzy_indices(&f.folded, &t.text) {
                        pos.extend(idx);
                    }
                }
                None => {}
            }
        }
        pos.sort_unstable();
        pos.dedup();
        if let Some(at) = f.title_at {
            let at = at as usize;
            return (
                one_line(&r.title),
                pos.into_iter().map(|p| p + at).collect(),
            );
        }
        window(&f.text, &pos)
    }
}

fn entry_fields(b: &mut Builder, e: &Entry, title_at: usize) {
    b.push_field(&e.name, W_NAME, false, Some(0));
    b.push_field(&e.title, W_TITLE, false, Some(title_at));
    for t in &e.tags {
        b.push_field(t, W_TAG, false, None);
    }
    for r in &e.registry {
        b.push_field(r, W_REGISTRY, false, None);
    }
    if let Some(d) = &e.design {
        b.push_field(&d.intervention, W_DRUG, false, None);
        if let Some(c) = &d.comparator {
            b.push_field(c, W_DRUG, false, None);
        }
    }
    b.push_field(&e.bottom_line, W_LONG_ENTRY, true, None);
}

/// How a term matches a field: (quality, byte position of a substring match, or `None` for
/// a fuzzy one).
fn field_quality(f: &Field, t: &Term, m: &SkimMatcherV2) -> Option<(i64, Option<usize>)> {
    field_quality_with(f, t, &Finder::new(t.text.as_bytes()), m)
}

/// [`field_quality`] with the term's searcher built once per query.
fn field_quality_with(
    f: &Field,
    t: &Term,
    finder: &Finder,
    m: &SkimMatcherV2,
) -> Option<(i64, Option<usize>)> {
    if let Some((q, pos)) = substring_with(&f.folded, &t.text, finder) {
        return Some((q, Some(pos)));
    }
    if t.exact || f.long || t.text.len() < 2 || !is_subsequence(&t.text, &f.folded) {
        return None;
    }
    m.fuzzy_match(&f.folded, &t.text)
        .map(|s| (s.clamp(1, Q_FUZZY_MAX), None))
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
        let scored = self.index.score_all(&q, cached, self.threads);
        if self.narrowing {
            let ids = scored.iter().map(|&(_, i)| i).collect();
            self.cache = Some((q, ids));
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
        let title = index
            .records
            .get(h.record)
            .map_or(h.title.as_str(), |r| &r.title);
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
            super::substring_with(hay, needle, &super::Finder::new(needle.as_bytes()))
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
            significance: String::new(),
            context: String::new(),
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
            setting: String::new(),
            duration: String::new(),
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
        let idx = SearchIndex::build(&lib());
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
        let idx = SearchIndex::build(&lib());
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
        let idx = SearchIndex::build(&lib());
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
        let idx = SearchIndex::build(&lib());
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
        let idx = SearchIndex::build(&lib());
        let hits = idx.search("", 100);
        assert_eq!(hits.len(), idx.len());
        assert_eq!(ids(&hits[..3]), ["th3resa", "emilia", "mechanism"]);
        assert!(hits[3..].iter().all(|h| !h.kind.is_entry()));
        assert_eq!(idx.search("", 2).len(), 2);
        assert!(idx.search("emilia", 0).is_empty());
    }

    #[test]
    fn exact_terms_are_substrings_only() {
        let idx = SearchIndex::build(&lib());
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
        let idx = SearchIndex::build(&lib());
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
        let idx = SearchIndex::build(&lib());
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
        let idx = SearchIndex::build(&Library::new(vec![], vec![e]));
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
        let mut big = crate::devgen::gen_library(30, 3);
        big.entries.extend(lib.entries);
        let big = Library::new(vec![], big.entries);
        let idx = SearchIndex::build(&big);
        assert!(idx.len() > PARALLEL_MIN * 2);
        let mut s = Searcher::new(SearchIndex::build(&big));
        let mut par = Searcher::new(SearchIndex::build(&big)).with_threads(2);
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
        let idx = SearchIndex::build(&lib);
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
                regimen: String::new(),
            },
            crate::content::Arm {
                id: "lapcap".into(),
                label: "Lapatinib + capecitabine".into(),
                n: None,
                regimen: String::new(),
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
            comparison: String::new(),
        });
        // The reading no longer holds the numbers: they must come from the values.
        pfs.reading = "T-DM1 delayed progression.".into();
        Library::new(vec![], lib.entries)
    }

    #[test]
    fn finding_hits_show_their_numbers() {
        let idx = SearchIndex::build(&lib_with_numbers());
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
        let idx = SearchIndex::build(&lib_with_numbers());
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
        let idx = SearchIndex::build(&Library::new(vec![], lib.entries));
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
