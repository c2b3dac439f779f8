//! Scoring: match quality in a field, the substring finders, ranking the best `limit` with
//! pruning, scoring on threads, and the [`Searcher`] that narrows the last query's matches.

use super::index::{Hay, Record, SearchIndex, Slot, is_word};
use super::query::{Query, Term};
use super::{Hit, Kind};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use memchr::memmem::Finder;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

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

/// "pfs", "os", "orr": how clinicians type an endpoint. Above a mid-word hit in a trial's
/// name (W_NAME × Q_SUBSTR), so `os` finds overall survival before NeoSphere.
const W_INITIALS: u32 = 60;

/// An adverse event's name: above a mid-word hit in a trial's name, as the initials.
const W_EVENT: u32 = 60;

const W_TAG: u32 = 40;

const W_DRUG: u32 = 40;

const W_ABOUT: u32 = 40;

const W_PROMPT: u32 = 30;

/// The entry's name on its own findings, questions and events: `emilia pfs` puts EMILIA's
/// PFS before another entry's text that mentions EMILIA and PFS.
const W_PARENT: u32 = 45;

const W_QTAG: u32 = 20;

const W_NUMBERS: u32 = 20;

const W_LONG_ENTRY: u32 = 10;

const W_LONG_ITEM: u32 = 8;

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

impl Slot {
    pub(super) fn weight(self) -> u32 {
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
            Slot::Numbers | Slot::Rates => W_NUMBERS,
            Slot::Event => W_EVENT,
            Slot::Prompt => W_PROMPT,
            Slot::QTag => W_QTAG,
            Slot::About => W_ABOUT,
            Slot::Reading | Slot::KeyResponse | Slot::KeyPoint | Slot::Note | Slot::SafetyNote => {
                W_LONG_ITEM
            }
        }
    }

    /// Substring only, never fuzzy: long text, a finding's numbers and its initials.
    pub(super) fn long(self) -> bool {
        matches!(
            self,
            Slot::BottomLine
                | Slot::Numbers
                | Slot::Initials
                | Slot::Reading
                | Slot::KeyResponse
                | Slot::KeyPoint
                | Slot::Note
                | Slot::Rates
                | Slot::SafetyNote
        )
    }
}

/// The heaviest field weight a record of this kind has (its first piece's).
fn max_weight(kind: Kind) -> u32 {
    match kind {
        Kind::Trial | Kind::Topic => W_NAME,
        Kind::Finding => W_ENDPOINT.max(W_INITIALS).max(W_PARENT),
        Kind::Question => W_PROMPT.max(W_PARENT),
        Kind::Discrepancy => W_ABOUT.max(W_PARENT),
        Kind::Safety => W_EVENT.max(W_PARENT),
    }
}

#[cfg(test)]
pub(super) fn max_weight_of(kind: Kind) -> u32 {
    max_weight(kind)
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
pub(super) struct Needle<'q> {
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
pub(super) fn field_quality(
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

pub(super) fn matcher() -> SkimMatcherV2 {
    // Text is folded at build and the query folded at parse, so the matcher can compare
    // chars as they are.
    // Past FUZZY_DP_COLS chars the full DP is replaced by skim's linear greedy scorer.
    SkimMatcherV2::default()
        .respect_case()
        .element_limit(2 * (FUZZY_DP_COLS + 1))
}

/// A query with its searchers built once for each term and negation, shared by every
/// record scored (and every scoring thread).
pub(super) struct Prepared<'q> {
    pub(super) query: &'q Query,
    pub(super) terms: Vec<Needle<'q>>,
    pub(super) negations: Vec<Needle<'q>>,
}

impl<'q> Prepared<'q> {
    pub(super) fn new(query: &'q Query) -> Prepared<'q> {
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

impl SearchIndex {
    /// Search with no cache: parse, score every record, return the best `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let q = Query::parse(query);
        let (scored, _) = self.score_all(&q, None, 1, limit, false);
        self.top(scored, limit)
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
        // Long text a pack image holds is copied here to be matched (see index::hay_scan).
        let mut scratch = Vec::new();
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
                let hay = self.hay_scan(r, p, key_point, &mut scratch);
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
                let hay = self.hay_scan(r, p, key_point, &mut scratch);
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
                    entry: self.lib.entries.row(r.entry as usize).id.to_string(),
                    item: self.item_id(r),
                    score,
                    title: self.compose(r).title,
                }
            })
            .collect()
    }
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

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::content::Library;

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
}
