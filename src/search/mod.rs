//! Search over a [`Library`](crate::content::Library): an index built once, a small query
//! language, ranked hits, and match positions for the rows on screen.
//!
//! This file is the public API; the parts live beside it: `query.rs` (terms, the query
//! language, [`check`], the `@role` and `#kind` words), `index.rs` (records, fields, building
//! the index, folding), `score.rs` (match quality, the substring finders, ranking with pruning,
//! the [`Searcher`] and its narrowing) and `highlight.rs` (titles, snippets, match positions).
//!
//! # Records
//!
//! Every entry, finding, question and discrepancy is one record. A record has *short* fields
//! (names, titles, tags, registry ids, drugs, endpoints, prompts) and *long* fields (bottom
//! lines, readings, key responses, notes). Findings, questions and discrepancies also carry
//! their entry's name (lightly weighted), so `emilia pfs` finds EMILIA's PFS finding. A
//! finding's numbers (effect, CI, p, per-arm values, phrased by [`crate::format`] as every
//! surface phrases them; see [`finding_summary`]) are a field of their own and end its display
//! title, so `9.6` finds that finding and its hit shows them.
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
//!   `#discrepancy`, `#safety` (adverse events), prefixes ok: `#t` is trials and topics).
//! - A number (`9.6`, `0.65`, `<0.001`) is a substring term: digits never match fuzzily.
//!   Folding reads the minus sign as a hyphen, so `-13.9` finds `−13.9`.
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

mod highlight;
mod index;
mod query;
mod score;
pub mod stored;

pub use highlight::format_hits;
pub use index::{SearchIndex, finding_summary, fold};
pub use query::{Query, Term, check, kind_words, role_words};
pub use score::Searcher;

/// What a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Trial,
    Topic,
    Finding,
    Question,
    Discrepancy,
    /// An adverse event of an entry's safety data.
    Safety,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Trial,
        Kind::Topic,
        Kind::Finding,
        Kind::Question,
        Kind::Discrepancy,
        Kind::Safety,
    ];

    /// Lowercase label, as used by `#kind` filters and `format_hits`.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Trial => "trial",
            Kind::Topic => "topic",
            Kind::Finding => "finding",
            Kind::Question => "question",
            Kind::Discrepancy => "discrepancy",
            Kind::Safety => "safety",
        }
    }

    /// Whether this record is a whole entry (trial or topic).
    pub fn is_entry(self) -> bool {
        matches!(self, Kind::Trial | Kind::Topic)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
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

impl Hit {
    /// For a safety hit, the event's place in its entry's safety list (its item id is
    /// `safety-N`, from 1).
    pub fn safety_row(&self) -> Option<usize> {
        if self.kind != Kind::Safety {
            return None;
        }
        let n: usize = self
            .item
            .as_deref()?
            .strip_prefix("safety-")?
            .parse()
            .ok()?;
        n.checked_sub(1)
    }
}

/// What the unit tests of every part of search build on: a small library of invented entries.
#[cfg(test)]
mod fixtures {
    use super::*;
    use crate::content::{
        Design, Discrepancy, Entry, EntryKind, Finding, Library, Question, Role, Status, Text,
        Version,
    };
    use std::sync::Arc;

    pub(super) fn build_index(lib: &Library) -> SearchIndex {
        SearchIndex::build(Arc::new(lib.clone()))
    }

    pub(super) fn entry(id: &str, kind: EntryKind, name: &str, title: &str, bottom: &str) -> Entry {
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

    pub(super) fn question(id: &str, role: Role, prompt: &str, key: &str) -> Question {
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

    pub(super) fn finding(id: &str, endpoint: &str, reading: &str) -> Finding {
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

    pub(super) const LONG: &str = "After progression on trastuzumab and a taxane the choice of second-line \
        therapy was open for some years, and several trials were run to settle it; the one that \
        did was EMILIA, which compared T-DM1 with lapatinib plus capecitabine and reported longer \
        progression-free and overall survival with less severe toxicity overall.";

    pub(super) fn lib() -> Library {
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

    pub(super) fn ids(hits: &[Hit]) -> Vec<String> {
        hits.iter()
            .map(|h| match &h.item {
                Some(i) => format!("{}/{i}", h.entry),
                None => h.entry.clone(),
            })
            .collect()
    }
}
