//! Cards: the questions of a pack, and fact cards generated from its structured data.
//!
//! A card is keyed by pack id + a stable content id ([`CardId`]): a question card by its
//! question id, a fact card by entry id + finding id + fact kind. Text may change between pack
//! versions; the id does not, so review history follows the card.
//!
//! Fact cards take their answers from the data, so they always agree with it. Their roles:
//! design facts (sample size, comparator) go to **Medical Student**, per-arm values to
//! **Resident**, effect estimates with their CI to **Fellow** — recall first, then reading
//! results, then weighing an effect's precision.

use crate::content::{
    ARM_NOT_STATED, ArmValue, Effect, Entry, EntryKind, Finding, Library, Measure, Role,
    fmt_effect, fmt_num,
};
use serde::{Deserialize, Serialize};
use std::fmt;

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
}

impl FactKind {
    pub fn slug(self) -> &'static str {
        match self {
            FactKind::Values => "values",
            FactKind::Effect => "effect",
            FactKind::Design => "design",
        }
    }
    /// The default role of a fact card of this kind (see the module docs).
    pub fn role(self) -> Role {
        match self {
            FactKind::Design => Role::MedicalStudent,
            FactKind::Values => Role::Resident,
            FactKind::Effect => Role::Fellow,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CardKind {
    Question,
    Fact(FactKind),
}

/// One reviewable card.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Card {
    pub id: CardId,
    pub kind: CardKind,
    /// Id of the trial (or topic) entry the card belongs to.
    pub entry: String,
    pub role: Role,
    pub prompt: String,
    /// The key response (question cards) or the answer built from the data (fact cards).
    pub answer: String,
    /// Points a good answer contains; the learner ticks the ones they had.
    pub key_points: Vec<String>,
    /// Question or finding tags, the entry's tags, and `fact` on fact cards.
    pub tags: Vec<String>,
    /// Caveats the answer carries (arm not stated, a note on a value, sources that disagree).
    pub caveats: Vec<String>,
}

impl Card {
    pub fn is_fact(&self) -> bool {
        matches!(self.kind, CardKind::Fact(_))
    }
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t.eq_ignore_ascii_case(tag))
    }
}

/// Every card of a library: for each entry in load order, its question cards, then its fact
/// cards (design, then per finding: values, effect).
pub fn build_cards(lib: &Library) -> Vec<Card> {
    let mut out = Vec::with_capacity(lib.question_count() * 2);
    for pack in &lib.packs {
        let pack_id = pack.manifest.id.as_str();
        for id in &pack.entries {
            if let Some(e) = lib.entry(id) {
                question_cards(pack_id, e, &mut out);
                fact_cards(pack_id, e, &mut out);
            }
        }
    }
    out
}

/// The question cards of one entry.
pub fn question_cards(pack: &str, e: &Entry, out: &mut Vec<Card>) {
    for q in &e.questions {
        let mut tags = q.tags.clone();
        tags.extend(e.tags.iter().cloned());
        out.push(Card {
            id: CardId::question(pack, &q.id),
            kind: CardKind::Question,
            entry: e.id.clone(),
            role: q.role,
            prompt: q.prompt.clone(),
            answer: q.key_response.clone(),
            key_points: q.key_points.clone(),
            tags,
            caveats: Vec::new(),
        });
    }
}

/// The fact cards of one entry (none for a topic).
pub fn fact_cards(pack: &str, e: &Entry, out: &mut Vec<Card>) {
    if e.kind != EntryKind::Trial {
        return;
    }
    if let Some(c) = design_card(pack, e) {
        out.push(c);
    }
    for f in &e.findings {
        if let Some(c) = values_card(pack, e, f) {
            out.push(c);
        }
        if let Some(c) = effect_card(pack, e, f) {
            out.push(c);
        }
    }
}

fn fact_card(pack: &str, e: &Entry, finding: &str, kind: FactKind) -> Card {
    let mut tags = vec![FACT_TAG.to_string(), format!("fact-{}", kind.slug())];
    tags.extend(e.tags.iter().cloned());
    Card {
        id: CardId::fact(pack, &e.id, finding, kind),
        kind: CardKind::Fact(kind),
        entry: e.id.clone(),
        role: kind.role(),
        prompt: String::new(),
        answer: String::new(),
        key_points: Vec::new(),
        tags,
        caveats: Vec::new(),
    }
}

fn design_card(pack: &str, e: &Entry) -> Option<Card> {
    let d = e.design.as_ref()?;
    if d.sample_size.is_none() && d.comparator.is_none() {
        return None;
    }
    let mut c = fact_card(pack, e, "design", FactKind::Design);
    let size = d.sample_size.map(|n| format!("{n} patients"));
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
    let mut design = format!("Phase {}", d.phase);
    if !d.features.is_empty() {
        design.push_str(", ");
        design.push_str(&d.features.join(", "));
    }
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

fn value_text(v: &ArmValue) -> String {
    let mut s = match v.value {
        Some(x) => format!("{}{}", fmt_num(x), v.unit.suffix()),
        None => "no figure given".to_string(),
    };
    if let Some((lo, hi)) = v.ci {
        s.push_str(&format!(" (95% CI {}–{})", fmt_num(lo), fmt_num(hi)));
    }
    s
}

fn effect_text(eff: &Effect) -> String {
    let m = eff.measure;
    let mut s = format!("{} {}", m.label(), fmt_effect(m, eff.estimate));
    match eff.ci {
        Some((lo, hi)) => s.push_str(&format!(
            " (95% CI {}–{})",
            fmt_effect(m, lo),
            fmt_effect(m, hi)
        )),
        None => s.push_str(" (no CI given in the sources)"),
    }
    if let Some(p) = eff.p {
        s.push_str(&format!(", {p}"));
    }
    s
}

fn measure_name(m: Measure) -> &'static str {
    match m {
        Measure::HR => "Hazard ratio",
        Measure::OR => "Odds ratio",
        Measure::RR => "Risk ratio",
        Measure::Difference => "Difference",
    }
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

fn values_card(pack: &str, e: &Entry, f: &Finding) -> Option<Card> {
    if !f.values.iter().any(|v| v.value.is_some()) {
        return None;
    }
    let mut c = fact_card(pack, e, &f.id, FactKind::Values);
    let phrase = finding_phrase(e, f);
    c.prompt = if f.values.len() > 1 {
        format!("{phrase}: the figure in each arm?")
    } else {
        format!("{phrase}: the figure reported?")
    };
    let mut lines = Vec::new();
    for v in &f.values {
        let who = match value_arm(v) {
            Some(arm) => e.arm_label(Some(arm)).to_string(),
            None => {
                c.caveats
                    .push(format!("{}: the source does not name the arm", e.name));
                capitalize(ARM_NOT_STATED)
            }
        };
        let text = value_text(v);
        c.key_points.push(format!("{who}: {text}"));
        let mut line = format!("{who}: {text}");
        if let Some(note) = &v.note {
            line.push_str(&format!(" (note: {note})"));
            c.caveats.push(format!("{who}: {note}"));
        }
        lines.push(line);
    }
    if let Some(eff) = &f.effect {
        let mut l = format!("Effect: {}", effect_text(eff));
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

fn effect_card(pack: &str, e: &Entry, f: &Finding) -> Option<Card> {
    let eff = f.effect.as_ref()?;
    let mut c = fact_card(pack, e, &f.id, FactKind::Effect);
    let what = measure_name(eff.measure);
    c.prompt = format!("{what} and 95% CI for {}?", finding_phrase(e, f));
    let m = eff.measure;
    c.key_points
        .push(format!("{} {}", m.label(), fmt_effect(m, eff.estimate)));
    match eff.ci {
        Some((lo, hi)) => c.key_points.push(format!(
            "95% CI {}–{}",
            fmt_effect(m, lo),
            fmt_effect(m, hi)
        )),
        None => c.caveats.push("The sources give no CI".into()),
    }
    let mut lines = vec![effect_text(eff)];
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
