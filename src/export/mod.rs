//! Exports of a validated library: JSON (the whole pack), and — rendered from the entry
//! document ([`crate::doc`]) so that no exporter formats a design card, finding or citation
//! of its own — a Markdown handout, CSV for flashcard tools' text import, and an Anki deck.
//! [`list`] gives `trialdeck list`'s rows (table, TSV, JSON).
//!
//! What is exported is a [`Selection`]: some or all entries, and the questions of some or
//! all roles.

pub mod anki;
pub mod csv;
pub mod list;
pub mod markdown;
pub mod print;

use crate::content::{Entry, EntryKind, Library, PackInfo, Role};
use crate::doc::Document;
use crate::format::plain_spaces;
use crate::review::cards::{self, CardId, CardKind};
use serde::Serialize;

/// Version of the JSON export's shape. Bump it when a field is renamed or removed.
pub const JSON_FORMAT_VERSION: u32 = 2;

#[derive(Serialize)]
struct JsonExport<'a> {
    format: &'static str,
    format_version: u32,
    packs: &'a [crate::content::PackInfo],
    entries: &'a crate::content::Entries,
}

/// The whole library as pretty JSON: `{ format, format_version, packs, entries }`.
/// Field names are those of the RON model (see docs/export-json.md).
pub fn to_json(lib: &Library) -> String {
    let doc = JsonExport {
        format: "trialdeck-pack",
        format_version: JSON_FORMAT_VERSION,
        packs: &lib.packs,
        entries: &lib.entries,
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("library serializes to JSON");
    s.push('\n');
    s
}

/// The selected entries and questions as JSON, in the shape of [`to_json`]: each pack lists
/// only its selected entries, and each entry keeps only the questions of the selected roles.
/// With everything selected this is exactly [`to_json`].
pub fn to_json_selected(lib: &Library, sel: &Selection) -> String {
    if sel.is_everything(lib) {
        return to_json(lib);
    }
    let entries: Vec<Entry> = sel
        .entries(lib)
        .map(|e| {
            let mut e = e.clone();
            e.questions.retain(|q| sel.keeps_role(q.role));
            e
        })
        .collect();
    let packs: Vec<PackInfo> = lib
        .packs
        .iter()
        .map(|p| PackInfo {
            manifest: p.manifest.clone(),
            entries: p
                .entries
                .iter()
                .filter(|id| entries.iter().any(|e| &e.id == *id))
                .cloned()
                .collect(),
        })
        .collect();
    to_json(&Library::new(packs, entries))
}

/// What to export: entries (in the order asked for) and the roles whose questions go along.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Indices into `Library::entries`, no repeats.
    entries: Vec<usize>,
    /// Roles whose questions are exported; empty means all.
    roles: Vec<Role>,
}

impl Selection {
    /// Every entry, every question.
    pub fn all(lib: &Library) -> Selection {
        Selection {
            entries: (0..lib.entries.len()).collect(),
            roles: Vec::new(),
        }
    }

    /// The entries with these exact ids, in this order (repeats dropped; none = all), and the
    /// questions of these roles (none = all). Ids that name no entry are skipped: the command
    /// line resolves ids, with suggestions, before it gets here.
    pub fn new(lib: &Library, ids: &[&str], roles: &[Role]) -> Selection {
        let mut entries = Vec::new();
        if ids.is_empty() {
            entries.extend(0..lib.entries.len());
        }
        for id in ids {
            if let Some(i) = lib.index_of(id)
                && !entries.contains(&i)
            {
                entries.push(i);
            }
        }
        let mut roles = roles.to_vec();
        roles.sort();
        roles.dedup();
        Selection { entries, roles }
    }

    /// The selected entries, in order.
    pub fn entries<'a>(&'a self, lib: &'a Library) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries.iter().filter_map(|&i| lib.entries.get(i))
    }

    /// Whether questions of `role` are exported.
    pub fn keeps_role(&self, role: Role) -> bool {
        self.roles.is_empty() || self.roles.contains(&role)
    }

    /// The roles asked for (empty: all).
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// Whether exactly one entry is selected (a handout for one trial).
    pub fn is_single(&self) -> bool {
        self.entries.len() == 1
    }

    fn is_everything(&self, lib: &Library) -> bool {
        self.roles.is_empty()
            && self.entries.len() == lib.entries.len()
            && self.entries.iter().enumerate().all(|(i, &j)| i == j)
    }
}

/// The pack an entry belongs to.
pub fn pack_of<'a>(lib: &'a Library, entry: &str) -> Option<&'a PackInfo> {
    lib.packs
        .iter()
        .find(|p| p.entries.iter().any(|id| id == entry))
}

/// What kind of card a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Question,
    /// A fact card generated from the structured findings (`--facts`).
    Fact,
}

/// One question (or fact) as the flashcard exports see it: the same fields for CSV and Anki.
#[derive(Debug, Clone, PartialEq)]
pub struct CardRow {
    /// Stable content id (`<pack>/q/<question>` or `<pack>/f/<entry>/<finding>/<kind>`).
    pub id: String,
    pub kind: RowKind,
    pub entry_id: String,
    /// The entry's short name ("EMILIA").
    pub trial: String,
    pub role: Role,
    pub question: String,
    pub key_response: String,
    pub key_points: Vec<String>,
    /// Anki-style tags (no spaces): `role::resident`, `trial::emilia`, then the question's own.
    pub tags: Vec<String>,
    /// Readable citations of the findings the question relies on, or of the design card.
    pub source: String,
}

/// The citations of the findings with these ids, or the design card's when there are none.
fn source_of(doc: &Document, finding_ids: &[&str]) -> String {
    let rows = doc.finding_rows();
    let mut parts: Vec<&str> = Vec::new();
    for id in finding_ids {
        if let Some(r) = rows.iter().find(|r| r.id == *id) {
            for c in r.source.split("; ") {
                if !c.is_empty() && !parts.contains(&c) {
                    parts.push(c);
                }
            }
        }
    }
    if parts.is_empty() {
        return design_source(doc).unwrap_or_default();
    }
    parts.join("; ")
}

/// The design card's citations, as the document shows them.
fn design_source(doc: &Document) -> Option<String> {
    doc.design()
        .map(|d| d.source.clone())
        .filter(|s| !s.is_empty())
}

/// A tag as Anki takes it: no whitespace (spaces become `_`).
pub fn anki_tag(t: &str) -> String {
    t.split_whitespace().collect::<Vec<_>>().join("_")
}

fn row_tags(e: &Entry, role: Role, extra: &[String]) -> Vec<String> {
    let kind = match e.kind {
        EntryKind::Trial => "trial",
        EntryKind::Topic => "topic",
    };
    let mut tags = vec![
        format!("role::{}", role.slug()),
        format!("{kind}::{}", anki_tag(&e.id.to_lowercase())),
    ];
    for t in extra {
        let t = anki_tag(t);
        if !t.is_empty() && !tags.iter().any(|x| x.eq_ignore_ascii_case(&t)) {
            tags.push(t);
        }
    }
    tags
}

/// The flashcard rows of a selection: for each entry, its questions of the selected roles in
/// ladder order, then (with `facts`) its fact cards of those roles.
pub fn card_rows(lib: &Library, sel: &Selection, facts: bool) -> Vec<CardRow> {
    let mut out = Vec::new();
    for e in sel.entries(lib) {
        let pack = pack_of(lib, &e.id)
            .map(|p| p.manifest.id.as_str())
            .unwrap_or("");
        let doc = crate::doc::build(lib, e);
        for q in doc.questions() {
            if !sel.keeps_role(q.role) {
                continue;
            }
            let model = e.questions.iter().find(|m| m.id == q.id);
            let findings: Vec<&str> = model
                .map(|m| m.findings.iter().map(|f| f.as_str()).collect())
                .unwrap_or_default();
            let mut extra: Vec<String> = model
                .map(|m| m.tags.iter().map(|t| t.to_string()).collect())
                .unwrap_or_default();
            extra.extend(e.tags.iter().map(|t| t.to_string()));
            out.push(CardRow {
                id: CardId::question(pack, &q.id).0,
                kind: RowKind::Question,
                entry_id: e.id.to_string(),
                trial: e.name.to_string(),
                role: q.role,
                question: q.prompt.clone(),
                key_response: q.key_response.clone(),
                key_points: q.key_points.clone(),
                tags: row_tags(e, q.role, &extra),
                source: source_of(&doc, &findings),
            });
        }
        if facts {
            let Some(index) = lib.index_of(&e.id) else {
                continue;
            };
            let mut cs = Vec::new();
            cards::entry_cards(pack, e, index, &mut cs);
            for c in cs.iter().filter(|c| c.is_fact() && sel.keeps_role(c.role)) {
                let Some(text) = c.text(lib) else { continue };
                let source = match c.kind {
                    CardKind::Fact(cards::FactKind::Design) => {
                        design_source(&doc).unwrap_or_default()
                    }
                    _ => {
                        let finding = e.findings.get(c.item).map_or("", |f| f.id.as_str());
                        source_of(&doc, &[finding])
                    }
                };
                let extra: Vec<String> = c.tags().map(String::from).collect();
                out.push(CardRow {
                    id: c.id.0.clone(),
                    kind: RowKind::Fact,
                    entry_id: e.id.to_string(),
                    trial: e.name.to_string(),
                    role: c.role,
                    question: text.prompt,
                    // The answer carries the card's caveats already.
                    key_response: text.answer,
                    key_points: text.key_points,
                    tags: row_tags(e, c.role, &extra),
                    source,
                });
            }
        }
    }
    // Flashcard files get plain spaces (see `crate::format`).
    for r in &mut out {
        for s in [&mut r.question, &mut r.key_response, &mut r.source] {
            *s = plain_spaces(s);
        }
        for k in &mut r.key_points {
            *k = plain_spaces(k);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_have_no_spaces() {
        assert_eq!(anki_tag("breast cancer"), "breast_cancer");
        assert_eq!(anki_tag("  a \t b "), "a_b");
    }
}
