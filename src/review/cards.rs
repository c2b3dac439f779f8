//! Cards: the questions of a pack, and fact cards generated from its structured data.
//!
//! A card is keyed by pack id + a stable content id ([`CardId`]): a question card by its
//! question id, a fact card by entry id + finding id + fact kind. Text may change between pack
//! versions; the id does not, so review history follows the card.
//!
//! Fact cards take their answers from the data, so they always agree with it, and phrase its
//! numbers as every other surface does ([`crate::format`]). Their roles:
//! design facts (sample size, comparator) go to **Medical Student**, per-arm values and
//! safety (grade ≥3 adverse events and the like) to **Resident**, effect estimates with their
//! CI to **Fellow** — recall first, then reading results and toxicity, then weighing an
//! effect's precision.
//!
//! A card's front (its header and prompt, [`CardText::header`] and [`CardText::prompt`]) never
//! states what its key points hold: the header names only the trial, and the prompt names
//! what is asked, never a figure of the answer (`tests/review_cards.rs` checks every card).
//!
//! [`teaching_order`] is the order new cards are met in: the pack's landmark first, then
//! reported trials from phase 3 down, topics, and trials still ongoing in the sources last;
//! within a trial, its questions up the clinical ladder, then its fact cards (headline
//! results first). Sessions interleave the fact cards with the questions
//! ([`crate::review::queue`]).

use crate::content::{ARM_NOT_STATED, ArmValue, Entry, EntryKind, Finding, Library, Role};
use crate::format;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// The tag every fact card carries (`#fact` in filters).
pub const FACT_TAG: &str = "fact";

/// A card's stable id: `<pack>/q/<question id>` or `<pack>/f/<entry>/<finding>/<kind>`
/// (`design` stands for the finding of a design card).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CardId(pub String);

impl CardId {
    pub fn question(pack: &str, question: &str) -> CardId {
        CardId(format!("{pack}/q/{question}"))
    }
    pub fn fact(pack: &str, entry: &str, finding: &str, kind: FactKind) -> CardId {
        CardId(format!("{pack}/f/{entry}/{finding}/{}", kind.slug()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The pack part of the id.
    pub fn pack(&self) -> &str {
        self.0.split('/').next().unwrap_or("")
    }
}

impl fmt::Display for CardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a fact card asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FactKind {
    /// The value of an endpoint in each arm.
    Values,
    /// The effect estimate with its 95% CI.
    Effect,
    /// Sample size and comparator (or design, for a single-arm study).
    Design,
    /// An adverse-event rate in each arm (the entry's safety data).
    Safety,
}

impl FactKind {
    pub fn slug(self) -> &'static str {
        match self {
            FactKind::Values => "values",
            FactKind::Effect => "effect",
            FactKind::Design => "design",
            FactKind::Safety => "safety",
        }
    }
    /// The default role of a fact card of this kind (see the module docs).
    pub fn role(self) -> Role {
        match self {
            FactKind::Design => Role::MedicalStudent,
            FactKind::Values | FactKind::Safety => Role::Resident,
            FactKind::Effect => Role::Fellow,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CardKind {
    Question,
    Fact(FactKind),
}

/// One reviewable card: its id, where its text lives in the library, and what filters need.
///
/// Cards are light (no copies of pack text), so a 10,000-trial pack's cards build quickly;
/// [`Card::text`] writes the prompt and answer from the library when the card is shown, so
/// a fact card's answer always matches the data it was built from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Card {
    pub id: CardId,
    pub kind: CardKind,
    /// Id of the trial (or topic) entry the card belongs to.
    pub entry: String,
    /// Index of that entry in [`Library::entries`].
    pub entry_index: usize,
    /// Index of the question (question cards) or finding (values and effect cards).
    pub item: usize,
    pub role: Role,
    /// The question's own tags (fact cards have none of their own).
    pub tags: Vec<String>,
    /// The entry's tags, shared by all its cards.
    #[serde(skip)]
    pub entry_tags: Arc<[String]>,
    /// The trial is still ongoing in the sources (its fact cards are opt-in).
    pub ongoing: bool,
}

/// What a card shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CardText {
    /// The front's header: the trial (or topic) the card is about, and nothing of its answer.
    pub header: String,
    pub prompt: String,
    /// The key response (question cards) or the answer built from the data (fact cards).
    pub answer: String,
    /// Points a good answer contains; the learner ticks the ones they had.
    pub key_points: Vec<String>,
    /// Caveats the answer carries (arm not stated, a note on a value, sources that disagree).
    pub caveats: Vec<String>,
}

impl Card {
    pub fn is_fact(&self) -> bool {
        matches!(self.kind, CardKind::Fact(_))
    }

    /// Every tag: `fact` and `fact-<kind>` on fact cards, the question's, the entry's.
    pub fn tags(&self) -> impl Iterator<Item = &str> {
        let fact: &[&str] = match self.kind {
            CardKind::Question => &[],
            CardKind::Fact(FactKind::Values) => &[FACT_TAG, "fact-values"],
            CardKind::Fact(FactKind::Effect) => &[FACT_TAG, "fact-effect"],
            CardKind::Fact(FactKind::Design) => &[FACT_TAG, "fact-design"],
            CardKind::Fact(FactKind::Safety) => &[FACT_TAG, "fact-safety"],
        };
        fact.iter()
            .copied()
            .chain(self.tags.iter().map(String::as_str))
            .chain(self.entry_tags.iter().map(String::as_str))
    }

    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags().any(|t| t.eq_ignore_ascii_case(tag))
    }

    /// The card's prompt and answer, from `lib` (the library the cards were built from).
    /// `None` if the library no longer holds the card's source.
    pub fn text(&self, lib: &Library) -> Option<CardText> {
        let e = lib
            .entries
            .get(self.entry_index)
            .filter(|e| e.id == self.entry)?;
        let mut t = match self.kind {
            CardKind::Question => {
                let q = e.questions.get(self.item)?;
                Some(CardText {
                    header: String::new(),
                    prompt: q.prompt.to_string(),
                    answer: q.key_response.to_string(),
                    key_points: q.key_points.iter().map(|s| s.to_string()).collect(),
                    caveats: Vec::new(),
                })
            }
            CardKind::Fact(FactKind::Design) => design_text(e),
            CardKind::Fact(FactKind::Values) => values_text(e, e.findings.get(self.item)?),
            CardKind::Fact(FactKind::Effect) => effect_card_text(e, e.findings.get(self.item)?),
            CardKind::Fact(FactKind::Safety) => safety_text(e, self.item),
        }?;
        // The trial's name, and nothing of its design: a design card asks for it.
        t.header = e.name.to_string();
        Some(t)
    }
}

/// Every card of a library in [`teaching_order`]: indices into `cards`.
pub fn teaching_order(lib: &Library, cards: &[Card]) -> Vec<usize> {
    let landmark = lib.landmark();
    let entry_rank = |i: usize| {
        let e = &lib.entries[i];
        let rank = if Some(i) == landmark {
            0
        } else if e.kind != EntryKind::Trial {
            5
        } else if matches!(e.status, crate::content::Status::Ongoing { .. }) {
            6
        } else {
            let phase = e.phase().unwrap_or("");
            if phase.contains('3') {
                1
            } else if phase.contains('2') {
                2
            } else if phase.contains('1') {
                3
            } else {
                4
            }
        };
        (rank, e.year.unwrap_or(u32::MAX))
    };
    let fact_rank = |c: &Card| {
        let e = &lib.entries[c.entry_index];
        let headline = e.findings.get(c.item).is_some_and(|f| f.headline);
        match c.kind {
            CardKind::Question => 0,
            CardKind::Fact(FactKind::Values) if headline => 1,
            CardKind::Fact(FactKind::Effect) if headline => 2,
            CardKind::Fact(FactKind::Safety) => 3,
            CardKind::Fact(FactKind::Design) => 4,
            CardKind::Fact(FactKind::Values) => 5,
            CardKind::Fact(FactKind::Effect) => 6,
        }
    };
    let mut order: Vec<usize> = (0..cards.len()).collect();
    // A stable sort: cards of the same rank keep pack order.
    order.sort_by_key(|&i| {
        let c = &cards[i];
        let role = if c.is_fact() { None } else { Some(c.role) };
        (
            entry_rank(c.entry_index),
            c.entry_index,
            fact_rank(c),
            role,
            c.item,
        )
    });
    order
}

/// Every card of a library: for each entry in load order, its question cards, then its fact
/// cards (design, then per finding: values, effect; then safety).
pub fn build_cards(lib: &Library) -> Vec<Card> {
    let mut out = Vec::with_capacity(lib.question_count() * 2);
    for pack in &lib.packs {
        let pack_id = pack.manifest.id.as_str();
        for id in &pack.entries {
            if let Some(i) = lib.index_of(id) {
                entry_cards(pack_id, &lib.entries[i], i, &mut out);
                safety_cards(pack_id, &lib.entries[i], i, &mut out);
            }
        }
    }
    out
}

/// A safety item's slug for its card id: its event and grade in lowercase words
/// (`any-adverse-event-3`), stable while the pack's wording of them is.
fn safety_slug(e: &Entry, i: usize) -> String {
    let item = &e.safety[i];
    let text = format!(
        "safety {} {}",
        item.event,
        item.grade.as_deref().unwrap_or_default()
    );
    let mut slug = String::new();
    for ch in text.chars() {
        if ch.is_ascii_alphanumeric() {
            slug.push(ch.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_string()
}

/// The safety items of an entry that make cards: those with a figure for an arm, one per
/// event (a second item on the same event, from another source, shows in the first's answer).
fn safety_items(e: &Entry) -> Vec<usize> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (i, item) in e.safety.iter().enumerate() {
        if !item.values.iter().any(|v| v.value.is_some()) || seen.contains(&item.event.as_str()) {
            continue;
        }
        seen.push(item.event.as_str());
        out.push(i);
    }
    out
}

/// The safety fact cards of one trial (kept apart from [`entry_cards`], which the exports
/// read: they gain safety cards when they choose to).
pub fn safety_cards(pack: &str, e: &Entry, index: usize, out: &mut Vec<Card>) {
    if e.kind != EntryKind::Trial {
        return;
    }
    let entry_tags: Arc<[String]> = e.tags.iter().map(|t| t.to_string()).collect();
    let mut slugs: Vec<String> = Vec::new();
    for i in safety_items(e) {
        let mut slug = safety_slug(e, i);
        if slugs.contains(&slug) {
            slug = format!("{slug}-{i}");
        }
        slugs.push(slug.clone());
        out.push(Card {
            id: CardId::fact(pack, &e.id, &slug, FactKind::Safety),
            kind: CardKind::Fact(FactKind::Safety),
            entry: e.id.to_string(),
            entry_index: index,
            item: i,
            role: FactKind::Safety.role(),
            tags: Vec::new(),
            entry_tags: entry_tags.clone(),
            ongoing: is_ongoing(e),
        });
    }
}

fn is_ongoing(e: &Entry) -> bool {
    matches!(e.status, crate::content::Status::Ongoing { .. })
}

/// The cards of one entry (at `index` in its library): questions, then facts.
pub fn entry_cards(pack: &str, e: &Entry, index: usize, out: &mut Vec<Card>) {
    let entry_tags: Arc<[String]> = e.tags.iter().map(|t| t.to_string()).collect();
    let card = |id: CardId, kind: CardKind, item: usize, role: Role, tags: Vec<String>| Card {
        id,
        kind,
        entry: e.id.to_string(),
        entry_index: index,
        item,
        role,
        tags,
        entry_tags: entry_tags.clone(),
        ongoing: is_ongoing(e),
    };
    for (i, q) in e.questions.iter().enumerate() {
        out.push(card(
            CardId::question(pack, &q.id),
            CardKind::Question,
            i,
            q.role,
            q.tags.iter().map(|t| t.to_string()).collect(),
        ));
    }
    if e.kind != EntryKind::Trial {
        return; // topics: questions only
    }
    let fact = |finding: &str, item: usize, kind: FactKind| {
        card(
            CardId::fact(pack, &e.id, finding, kind),
            CardKind::Fact(kind),
            item,
            kind.role(),
            Vec::new(),
        )
    };
    if e.design
        .as_ref()
        .is_some_and(|d| d.sample_size.is_some() || d.comparator.is_some())
    {
        out.push(fact("design", 0, FactKind::Design));
    }
    for (i, f) in e.findings.iter().enumerate() {
        if has_values(f) {
            out.push(fact(&f.id, i, FactKind::Values));
        }
        if f.effect.is_some() {
            out.push(fact(&f.id, i, FactKind::Effect));
        }
    }
}

fn has_values(f: &Finding) -> bool {
    f.values.iter().any(|v| v.value.is_some())
}

fn text() -> CardText {
    CardText {
        header: String::new(),
        prompt: String::new(),
        answer: String::new(),
        key_points: Vec::new(),
        caveats: Vec::new(),
    }
}

fn design_text(e: &Entry) -> Option<CardText> {
    let d = e.design.as_ref()?;
    if d.sample_size.is_none() && d.comparator.is_none() {
        return None;
    }
    let mut c = text();
    let size = d.sample_size.map(format::patients);
    let mut lines = Vec::new();
    match &d.comparator {
        Some(comp) => {
            c.prompt = format!("Sample size and comparator of {}?", e.name);
            if let Some(s) = &size {
                lines.push(format!("Sample size: {s}."));
                c.key_points.push(s.clone());
            } else {
                lines.push("Sample size: not given in the sources.".into());
            }
            lines.push(format!("Comparator: {comp}."));
            c.key_points.push(format!("Comparator: {comp}"));
        }
        None => {
            c.prompt = format!("Sample size and design of {}?", e.name);
            if let Some(s) = &size {
                lines.push(format!("Sample size: {s}."));
                c.key_points.push(s.clone());
            }
            lines.push("No comparator arm.".into());
            c.key_points.push("No comparator arm".into());
        }
    }
    let design = format::design(d);
    lines.push(format!("Design: {design}."));
    c.key_points.push(design);
    c.answer = lines.join("\n");
    Some(c)
}

/// The arm a value belongs to, `None` when the source does not name it.
fn value_arm(v: &ArmValue) -> Option<&str> {
    v.arm.as_deref().filter(|a| !a.is_empty())
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// How the finding is named in a prompt: "Progression-free survival (median) in EMILIA",
/// with the analysis when it is not the plain ITT one.
fn finding_phrase(e: &Entry, f: &Finding) -> String {
    match f.analysis {
        crate::content::Analysis::Itt => format!("{} in {}", f.endpoint, e.name),
        ref a => format!("{} in {} ({})", f.endpoint, e.name, a.label()),
    }
}

/// Caveats from discrepancies that touch a finding: its sources disagree.
fn discrepancy_caveats(e: &Entry, f: &Finding) -> Vec<String> {
    e.discrepancies
        .iter()
        .filter(|d| d.findings.iter().any(|x| x == &f.id))
        .map(|d| format!("Sources disagree: {}", d.about))
        .collect()
}

fn values_text(e: &Entry, f: &Finding) -> Option<CardText> {
    if !has_values(f) {
        return None;
    }
    let mut c = text();
    let phrase = finding_phrase(e, f);
    c.prompt = if f.values.len() > 1 {
        format!("{phrase}: the figure in each arm?")
    } else {
        format!("{phrase}: the figure reported?")
    };
    let mut lines = Vec::new();
    for v in &f.values {
        let who = arm_who(e, v, &mut c);
        let text = format::arm_value(v);
        c.key_points.push(format!("{who}: {text}"));
        let mut line = format!("{who}: {text}");
        if let Some(note) = format::arm_note(v) {
            line.push_str(&format!(" (note: {note})"));
            c.caveats.push(format!("{who}: {note}"));
        }
        lines.push(line);
    }
    if let Some(eff) = &f.effect {
        let mut l = format!("Effect: {}", format::finding_effect(f));
        if !eff.comparison.is_empty() {
            l.push_str(&format!("; {}", eff.comparison));
        }
        lines.push(l);
    }
    for d in discrepancy_caveats(e, f) {
        lines.push(format!("{d}."));
        c.caveats.push(d);
    }
    c.answer = lines.join("\n");
    Some(c)
}

/// Who a value belongs to on a card: the arm's label, or "Arm not stated" with a caveat.
fn arm_who(e: &Entry, v: &ArmValue, c: &mut CardText) -> String {
    match value_arm(v) {
        Some(arm) => e.arm_label(Some(arm)).to_string(),
        None => {
            c.caveats
                .push(format!("{}: the source does not name the arm", e.name));
            capitalize(ARM_NOT_STATED)
        }
    }
}

fn safety_text(e: &Entry, i: usize) -> Option<CardText> {
    let item = e.safety.get(i)?;
    let mut c = text();
    let what = format!("{} in {}", crate::doc::safety_event(item), e.name);
    let figures = item.values.iter().filter(|v| v.value.is_some()).count();
    c.prompt = if figures > 1 {
        format!("{what}: the rate in each arm?")
    } else {
        format!("{what}: the figure reported?")
    };
    let mut lines = Vec::new();
    let arm_line =
        |v: &ArmValue, c: &mut CardText| format!("{}: {}", arm_who(e, v, c), format::arm_value(v));
    for v in item.values.iter().filter(|v| v.value.is_some()) {
        let line = arm_line(v, &mut c);
        c.key_points.push(line.clone());
        lines.push(line);
    }
    if let Some(note) = &item.note {
        lines.push(format!("Note: {note}"));
    }
    // The same event from another source: both are kept, each with its grade.
    for other in e
        .safety
        .iter()
        .enumerate()
        .filter(|(j, o)| *j != i && o.event == item.event)
        .map(|(_, o)| o)
    {
        let grade = other
            .grade
            .as_deref()
            .map(|g| format!(" (grade {g})"))
            .unwrap_or_default();
        let vals: Vec<String> = other
            .values
            .iter()
            .filter(|v| v.value.is_some())
            .map(|v| arm_line(v, &mut c))
            .collect();
        if !vals.is_empty() {
            let cv = format!("Also reported{grade}: {}", vals.join("; "));
            lines.push(format!("{cv}."));
            c.caveats.push(cv);
        }
    }
    c.answer = lines.join("\n");
    Some(c)
}

fn effect_card_text(e: &Entry, f: &Finding) -> Option<CardText> {
    let eff = f.effect.as_ref()?;
    let mut c = text();
    let what = format::measure_name(eff.measure);
    c.prompt = format!("{what} and 95% CI for {}?", finding_phrase(e, f));
    c.key_points
        .push(format::estimate(eff, format::finding_unit(f)));
    let mut lines = vec![format::finding_effect(f)];
    match eff.ci {
        Some((lo, hi)) => c.key_points.push(format::ci(lo, hi)),
        None => {
            lines.push("No CI given in the sources.".into());
            c.caveats.push("The sources give no CI".into());
        }
    }
    if !eff.comparison.is_empty() {
        lines.push(format!("Comparison: {}.", eff.comparison));
    }
    for d in discrepancy_caveats(e, f) {
        lines.push(format!("{d}."));
        c.caveats.push(d);
    }
    c.answer = lines.join("\n");
    Some(c)
}

/// Card id → position in the card list, built once per card list.
#[derive(Debug, Clone, Default)]
pub struct CardIndex {
    map: std::collections::HashMap<String, usize>,
    len: usize,
}

impl CardIndex {
    pub fn new(cards: &[Card]) -> CardIndex {
        CardIndex {
            map: cards
                .iter()
                .enumerate()
                .map(|(i, c)| (c.id.0.clone(), i))
                .collect(),
            len: cards.len(),
        }
    }
    pub fn get(&self, id: &str) -> Option<usize> {
        self.map.get(id).copied()
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Align a map of states (card id → state) with the cards.
    pub fn align(
        &self,
        states: &std::collections::HashMap<String, super::fsrs::CardState>,
    ) -> Vec<Option<super::fsrs::CardState>> {
        let mut out = vec![None; self.len];
        for (id, st) in states {
            if let Some(i) = self.get(id) {
                out[i] = Some(*st);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_strings() {
        let q = CardId::question("her2-tdm1", "emilia-student");
        assert_eq!(q.as_str(), "her2-tdm1/q/emilia-student");
        assert_eq!(q.pack(), "her2-tdm1");
        let f = CardId::fact("her2-tdm1", "emilia", "pfs", FactKind::Effect);
        assert_eq!(f.as_str(), "her2-tdm1/f/emilia/pfs/effect");
    }

    #[test]
    fn roles_by_kind() {
        assert_eq!(FactKind::Design.role(), Role::MedicalStudent);
        assert_eq!(FactKind::Values.role(), Role::Resident);
        assert_eq!(FactKind::Effect.role(), Role::Fellow);
    }
}
