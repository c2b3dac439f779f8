//! The index: every entry, finding, question and discrepancy of a library as a record of
//! fields, built once; folding (case and accents, one char for one char); and the fields'
//! original text for display.

use super::Kind;
use crate::content::{ArmValue, Entry, EntryKind, Finding, Library, Role, Text};
use crate::format;
use std::borrow::Cow;
use std::sync::Arc;

/// What a field of a record is. One byte in the index's text (see [`SearchIndex`]) says
/// which; its weight and whether it is matched as a substring only follow from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Slot {
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
    /// An adverse event, with its grade ("Thrombocytopenia (grade ≥3)").
    Event,
    /// An adverse event's per-arm rates ("T-DM1 41% · Lapatinib + capecitabine 57%").
    Rates,
    /// An adverse event's note.
    SafetyNote,
}

const SLOTS: [Slot; 20] = [
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
    Slot::Event,
    Slot::Rates,
    Slot::SafetyNote,
];

/// Flag on a piece's slot byte: the text is not copied into the index but read from the
/// library (plain ASCII long text, matched ignoring ASCII case).
pub(super) const IN_LIB: u8 = 0x40;

/// A piece's length is written after its slot byte, 6 bits per byte, low bits first, with
/// this bit on every byte but the last: ASCII, so the index's text stays a `str`.
pub(super) const LEN_MORE: u8 = 0x40;

/// A piece's length as pieces write it: 6 bits a byte, low bits first, [`LEN_MORE`] on all
/// but the last (so every byte is ASCII). The bytes, and how many of them.
pub(super) fn len_code(mut len: usize) -> ([u8; 11], usize) {
    let mut out = [0u8; 11];
    let mut n = 0;
    loop {
        let low = (len & 0x3F) as u8;
        len >>= 6;
        if len == 0 {
            out[n] = low;
            return (out, n + 1);
        }
        out[n] = low | LEN_MORE;
        n += 1;
    }
}

/// A length written by [`len_code`] at the start of `b`: the length and the bytes it took.
pub(super) fn read_len(b: &[u8]) -> Option<(usize, usize)> {
    let (mut len, mut shift) = (0usize, 0);
    for (i, &x) in b.iter().enumerate() {
        if shift > 42 {
            return None;
        }
        len |= usize::from(x & 0x3F) << shift;
        shift += 6;
        if x & LEN_MORE == 0 {
            return Some((len, i + 1));
        }
    }
    None
}

/// Where a long piece's text is: in the library (read when it is matched), or, for an
/// entry opened from a pack image, at an offset of its entry's bytes there (see
/// `stored.rs`, which writes such pieces).
pub(super) enum Long {
    Library,
    Image { offset: u32, len: u32 },
}

/// Where the text of a long piece is, from its payload (empty: in the library).
pub(super) fn long_at(payload: &str) -> Long {
    let b = payload.as_bytes();
    let Some((offset, n)) = read_len(b) else {
        return Long::Library;
    };
    let Some((len, m)) = read_len(&b[n..]) else {
        return Long::Library;
    };
    if n + m != b.len() {
        return Long::Library;
    }
    match (u32::try_from(offset), u32::try_from(len)) {
        (Ok(offset), Ok(len)) => Long::Image { offset, len },
        _ => Long::Library,
    }
}

impl Slot {
    fn from_byte(b: u8) -> Slot {
        SLOTS[usize::from((b & !IN_LIB).clamp(1, SLOTS.len() as u8) - 1)]
    }
}

#[derive(Clone, Copy)]
pub(super) struct Record {
    pub(super) kind: Kind,
    pub(super) role: Option<Role>,
    pub(super) entry: u32,
    /// Index of the finding, question or discrepancy in its entry (0 for an entry).
    pub(super) item: u32,
    /// The record's pieces: a byte range of `SearchIndex::text` (under 4 GiB: a run's
    /// packs hold at most `MAX_RUN_BYTES`, and the index holds less than their text).
    pub(super) start: u32,
    pub(super) end: u32,
}

/// One field of a record as stored: its slot, and its folded text (empty when the text is
/// read from the library, or for [`Slot::Parent`]).
#[derive(Clone, Copy)]
pub(super) struct Piece<'a> {
    pub(super) slot: Slot,
    pub(super) in_lib: bool,
    pub(super) folded: &'a str,
}

/// Text a term is matched against: folded text, or the library's own plain-ASCII text,
/// matched ignoring ASCII case (so long text is not held twice).
#[derive(Clone, Copy)]
pub(super) enum Hay<'a> {
    Folded(&'a str),
    Ascii(&'a str),
}

impl<'a> Hay<'a> {
    pub(super) fn text(self) -> &'a str {
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
    pub(super) lib: Arc<Library>,
    pub(super) records: Vec<Record>,
    /// Every record's fields, back to back, heaviest first: for each, its slot byte (with
    /// [`IN_LIB`] when the text stays in the library), its folded text's length in bytes
    /// (see [`LEN_MORE`]) and its folded text.
    pub(super) text: String,
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
        // Hyphens, the en dash and the minus sign: `-13.9` finds `−13.9`.
        '\u{2010}' | '\u{2011}' | '\u{2013}' | '\u{2212}' => '-',
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

pub(super) fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// The initials of a text's words, folded, and the char position of each in the text:
/// "Progression-free survival" gives "pfs" and [0, 12, 17]. Words are runs of letters and
/// digits.
pub(super) fn initials(text: &str) -> (String, Vec<usize>) {
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

fn offset(at: usize) -> u32 {
    u32::try_from(at).expect("a search index under 4 GiB (see content::read::MAX_RUN_BYTES)")
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
        let (code, n) = len_code(folded.len());
        self.text.extend(code[..n].iter().map(|&b| char::from(b)));
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

/// The pieces of a record's text, in order.
pub(super) struct Pieces<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Piece<'a>;

    fn next(&mut self) -> Option<Piece<'a>> {
        let bytes = self.rest.as_bytes();
        let head = *bytes.first()?;
        let (len, n) = read_len(&bytes[1..])?;
        let at = 1 + n;
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
pub(super) struct FieldAt<'a> {
    pub(super) slot: Slot,
    pub(super) hay: Hay<'a>,
    pub(super) ordinal: usize,
}

/// A label for a per-arm group that is not a design arm: a short note, else nothing.
const GROUP_NOTE_CHARS: usize = 32;

/// The numbers of a finding on one line, as its hit shows them, most telling first (a
/// narrow screen cuts the end), each phrased by [`crate::format`] as every surface phrases it:
/// `HR 0.65 (0.55–0.77) · T-DM1 9.6 mo · Lapatinib + capecitabine 6.4 mo · p < 0.001`. A value
/// without a figure reads `not reached` or `no figure given`.
pub fn finding_summary(e: &Entry, f: &Finding) -> String {
    let mut parts: Vec<String> = Vec::new();
    let effect = format::finding_effect_short(f);
    if !effect.is_empty() {
        parts.push(effect);
    }
    for v in &f.values {
        let value = format::arm_value(v);
        match group_label(e, v) {
            Some(label) => parts.push(format!("{label} {value}")),
            None => parts.push(value),
        }
    }
    if let Some(p) = f.effect.as_ref().and_then(|eff| eff.p) {
        parts.push(format::p_value(p));
    }
    parts.join(" · ")
}

/// An adverse event's per-arm figures for search: "T-DM1 41% · Lapatinib + capecitabine 57%".
pub fn safety_rates(e: &Entry, s: &crate::content::SafetyItem) -> String {
    s.values
        .iter()
        .filter(|v| v.value.is_some())
        .map(|v| match group_label(e, v) {
            Some(label) => format!("{label} {}", format::arm_value(v)),
            None => format::arm_value(v),
        })
        .collect::<Vec<_>>()
        .join(" · ")
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
        // The note of a value without a figure is about the value, not its group.
        (None, Some(n)) if v.value.is_some() && n.chars().count() <= GROUP_NOTE_CHARS => {
            Some(n.as_str())
        }
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
            // Pieces heaviest first (scoring stops at the first that cannot count).
            b.record(Kind::Finding, ei, i, None, |b| {
                b.piece(Slot::Initials, &initials(&f.endpoint).0);
                b.piece(Slot::Endpoint, &f.endpoint);
                b.push(Slot::Parent, false, "");
                // Substring only: numbers and arm labels, never fuzzy.
                b.numbers(e, f);
                b.long(Slot::Reading, &f.reading);
            });
        }
        for (i, q) in e.questions.iter().enumerate() {
            b.record(Kind::Question, ei, i, Some(q.role), |b| {
                b.push(Slot::Parent, false, "");
                b.piece(Slot::Prompt, &q.prompt);
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
                b.push(Slot::Parent, false, "");
                b.piece(Slot::About, &d.about);
                b.long(Slot::Note, &d.note);
            });
        }
        for (i, s) in e.safety.iter().enumerate() {
            b.record(Kind::Safety, ei, i, None, |b| {
                b.piece(Slot::Event, &crate::doc::safety_event(s));
                b.push(Slot::Parent, false, "");
                b.piece(Slot::Rates, &safety_rates(e, s));
                if let Some(n) = &s.note {
                    b.long(Slot::SafetyNote, n);
                }
            });
        }
    }
}

impl SearchIndex {
    /// Index every entry, finding, question and discrepancy of `lib` from the entries
    /// themselves (decoding any not decoded): entries first, each record's fields laid out
    /// heaviest first (scoring stops early on that). [`SearchIndex::build`] (in `stored.rs`)
    /// assembles the same index from pack images instead, where it can.
    pub(super) fn build_in_memory(lib: Arc<Library>) -> SearchIndex {
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

    pub(super) fn pieces<'a>(&'a self, r: &Record) -> Pieces<'a> {
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
    pub(super) fn hay<'a>(&'a self, r: &Record, p: Piece<'a>, key_point: usize) -> Hay<'a> {
        if p.slot == Slot::Parent {
            Hay::Folded(self.entry_name(r.entry))
        } else if p.in_lib {
            // (Text a pack image holds is read from the decoded entry here: for display.)
            Hay::Ascii(self.lib_text(r, p.slot, key_point))
        } else {
            Hay::Folded(p.folded)
        }
    }

    /// Where a piece is matched when scoring: as [`Self::hay`], but long text that a pack
    /// image holds is read from the image (copied into `scratch`), not from the entry, so
    /// scoring decodes no entry.
    pub(super) fn hay_scan<'s>(
        &'s self,
        r: &Record,
        p: Piece<'s>,
        key_point: usize,
        scratch: &'s mut Vec<u8>,
    ) -> Hay<'s> {
        if p.in_lib
            && !p.folded.is_empty()
            && let Long::Image { offset, len } = long_at(p.folded)
        {
            let text = self
                .lib
                .entries
                .image_text(r.entry as usize, offset, len, scratch)
                .unwrap_or("");
            return Hay::Ascii(text);
        }
        self.hay(r, p, key_point)
    }

    /// Long text as the library holds it.
    pub(super) fn lib_text(&self, r: &Record, slot: Slot, key_point: usize) -> &str {
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
            Slot::SafetyNote => e.safety.get(item).and_then(|s| s.note.as_ref()),
            _ => None,
        };
        text.map_or("", |t| t.as_str())
    }

    /// A field's original text (for display): the `ordinal`-th of its slot in the record.
    pub(super) fn original(&self, r: &Record, slot: Slot, ordinal: usize) -> Cow<'_, str> {
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
            Slot::Event => {
                return Cow::Owned(
                    e.safety
                        .get(item)
                        .map(crate::doc::safety_event)
                        .unwrap_or_default(),
                );
            }
            Slot::Rates => {
                return Cow::Owned(
                    e.safety
                        .get(item)
                        .map(|s| safety_rates(e, s))
                        .unwrap_or_default(),
                );
            }
            Slot::BottomLine
            | Slot::Reading
            | Slot::KeyResponse
            | Slot::KeyPoint
            | Slot::Note
            | Slot::SafetyNote => {
                return Cow::Borrowed(self.lib_text(r, slot, ordinal));
            }
        };
        Cow::Borrowed(text.map_or("", |t| t.as_str()))
    }

    /// A record's fields in order, resolved.
    pub(super) fn fields_of<'a>(&'a self, r: &Record) -> Vec<FieldAt<'a>> {
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

    pub(super) fn item_id(&self, r: &Record) -> Option<String> {
        let e = &self.lib.entries[r.entry as usize];
        let item = r.item as usize;
        match r.kind {
            Kind::Trial | Kind::Topic => None,
            Kind::Finding => e.findings.get(item).map(|f| f.id.to_string()),
            Kind::Question => e.questions.get(item).map(|q| q.id.to_string()),
            Kind::Discrepancy => e.discrepancies.get(item).map(|d| d.id.to_string()),
            // Safety items have no id: their place in the entry's list, from 1.
            Kind::Safety => e.safety.get(item).map(|_| format!("safety-{}", item + 1)),
        }
    }
}

/// Text on one line: newlines and tabs become spaces (one char for one char).
pub(super) fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

    /// Scoring stops at the first piece of a record whose weight cannot count, so every
    /// record's pieces must be laid out heaviest first, and no piece may outweigh its kind's
    /// bound.
    #[test]
    fn every_records_pieces_are_heaviest_first_and_within_its_kinds_bound() {
        let lib = crate::content::load_bundled().expect("bundled").library;
        let idx = build_index(&lib);
        assert!(idx.records.iter().any(|r| r.kind == Kind::Safety));
        for r in &idx.records {
            let w: Vec<u32> = idx.pieces(r).map(|p| p.slot.weight()).collect();
            assert!(
                w.windows(2).all(|p| p[0] >= p[1]),
                "{:?} pieces out of order: {w:?}",
                r.kind
            );
            assert!(
                w.first()
                    .is_some_and(|&f| f <= super::super::score::max_weight_of(r.kind)),
                "{:?}: {w:?}",
                r.kind
            );
        }
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
}
