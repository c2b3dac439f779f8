//! The entry document: one neutral description of a trial or topic — headings, key/value
//! rows, tables, bullets and the few item lists a reader selects from — built once per entry
//! from the validated model.
//!
//! Every view of an entry renders this document: the TUI's detail panel (`tui::lines`), the
//! plain text of `trialdeck show` ([`plain`]), and exporters. Numbers are phrased by
//! [`crate::format`]; labels and citations here; so the views cannot drift apart.
//!
//! Consumers that need one thing of an entry ask for it by type — [`Document::design`],
//! [`Document::key_results`], [`Document::safety`], [`Document::limitations`],
//! [`Document::sources`], [`Document::forest`] — rather than looking for a heading or a
//! field's text in the blocks, which are for rendering.

pub mod plain;
pub mod shared;

use crate::content::{
    Analysis, ArmValue, Cite, Entry, Finding, Library, Measure, Role, SafetyItem, Status,
};
use crate::format;

/// The sections of an entry, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    Overview,
    Findings,
    Forest,
    Safety,
    Appraisal,
    Related,
    Discrepancies,
    Sources,
    Discussion,
}

impl Section {
    pub const ALL: [Section; 9] = [
        Section::Overview,
        Section::Findings,
        Section::Forest,
        Section::Safety,
        Section::Appraisal,
        Section::Related,
        Section::Discrepancies,
        Section::Sources,
        Section::Discussion,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Section::Overview => "Overview",
            Section::Findings => "Findings",
            Section::Forest => "Forest plot",
            Section::Safety => "Safety",
            Section::Appraisal => "Appraisal",
            Section::Related => "Related",
            Section::Discrepancies => "Discrepancies",
            Section::Sources => "Sources",
            Section::Discussion => "Discussion",
        }
    }
    /// A shorter label for narrower panels (still unambiguous).
    pub fn medium(self) -> &'static str {
        match self {
            Section::Forest => "Plot",
            Section::Appraisal => "Apprais.",
            Section::Discrepancies => "Discrep.",
            Section::Discussion => "Discuss.",
            s => s.label(),
        }
    }
    /// The shortest label (no two sections share a prefix that could confuse them).
    pub fn short(self) -> &'static str {
        match self {
            Section::Overview => "Ovw",
            Section::Findings => "Find",
            Section::Forest => "Plot",
            Section::Safety => "Safe",
            Section::Appraisal => "Appr",
            Section::Related => "Rel",
            Section::Discrepancies => "Discr",
            Section::Sources => "Src",
            Section::Discussion => "Discu",
        }
    }
    pub fn index(self) -> usize {
        Section::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
    /// Whether the section is a list the reader selects items from with j/k.
    pub fn has_items(self) -> bool {
        matches!(
            self,
            Section::Findings
                | Section::Safety
                | Section::Related
                | Section::Discrepancies
                | Section::Discussion
        )
    }
}

/// What a piece of text is, for styling (the plain renderer ignores it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Body,
    Muted,
    Warn,
    Accent,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub key: &'static str,
    pub value: String,
}

/// One row of the findings table, with what is shown under it when it is selected.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingRow {
    pub id: String,
    /// "Progression-free survival (median)".
    pub endpoint: String,
    /// "ITT", "interim", "subgroup: …".
    pub analysis: String,
    /// Per arm: (arm label, value with footnote marks), values only.
    pub arms: Vec<(String, String)>,
    /// "HR 0.65 (0.55–0.77)", or "" when there is no effect estimate.
    pub effect: String,
    /// "p < 0.001" or "".
    pub p: String,
    /// The effect in words: "HR 0.65 (95% CI 0.55–0.77), p < 0.001", or "".
    pub effect_full: String,
    /// What is compared ("T-DM1 vs lapatinib + capecitabine").
    pub comparison: String,
    /// Caveats of per-arm values, each starting with its mark ("¹ T-DM1: …").
    pub footnotes: Vec<String>,
    pub reading: String,
    /// Readable citations ("EMILIA summary, Key Findings item 1").
    pub source: String,
    /// Titles of the discrepancy notes that touch this finding.
    pub discrepancies: Vec<String>,
    pub headline: bool,
}

/// Findings under one heading: headline results, other results, exploratory subgroups.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingGroup {
    pub title: &'static str,
    pub rows: Vec<FindingRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LinkItem {
    /// The id of the entry linked to.
    pub to: String,
    pub relation: &'static str,
    /// "TH3RESA (reported)".
    pub name: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NoteItem {
    pub about: String,
    /// (what the source says, readable citation).
    pub versions: Vec<(String, String)>,
    pub note: String,
    /// Endpoints of the findings the note touches.
    pub findings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuestionItem {
    pub id: String,
    pub role: Role,
    pub prompt: String,
    pub key_response: String,
    pub key_points: Vec<String>,
    /// Endpoints of the findings the question relies on.
    pub relies_on: Vec<String>,
}

/// One estimate of the forest plot.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestRow {
    pub label: String,
    pub measure: Measure,
    /// The estimate and CI as numbers, for placing them on the axis.
    pub estimate: f64,
    pub ci: Option<(f64, f64)>,
    /// The effect as the findings table phrases it: `HR 0.65 (0.55–0.77)`.
    pub text: String,
}

/// The forest plot of a document ([`Document::forest`]).
#[derive(Debug, Clone, Copy)]
pub struct Forest<'a> {
    pub rows: &'a [ForestRow],
    /// (favours the left side, favours the right side), named by the arms.
    pub favours: Option<&'a (String, String)>,
}

/// The design card: its rows as the Overview shows them, the design on one line, and where
/// the design facts come from.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignCard {
    pub fields: Vec<Field>,
    /// `Phase 3, randomised, open-label · 991 patients` ([`format::design_line`]).
    pub line: String,
    /// Readable citations of the design card, or "".
    pub source: String,
}

/// One safety item as the Safety section shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SafetyRow {
    /// `Any adverse event (grade ≥3)`.
    pub event: String,
    /// The event alone: `Any adverse event`.
    pub name: String,
    /// `≥3`, or "" where the source gives no grade.
    pub grade: String,
    /// Per arm: (arm label, value with footnote marks), as a finding's.
    pub arms: Vec<(String, String)>,
    /// Caveats of per-arm values, each starting with its mark.
    pub footnotes: Vec<String>,
    /// Per arm: `T-DM1: 1 patient`, with a caveat in brackets.
    pub values: Vec<String>,
    pub note: Option<String>,
    /// Readable citations.
    pub source: String,
}

/// The citations of one source: its label and title, and each place cited with what it
/// supports (`Table 1 — Progression-free survival`).
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRefs {
    pub label: String,
    pub title: Option<String>,
    pub cites: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(String),
    Text(Tone, String),
    /// A marked line such as a warning (`⚠ …`) or a status (`◷ …`).
    Mark(&'static str, Tone, String),
    Fields(Vec<Field>),
    Bullets(Vec<String>),
    Findings(Vec<FindingGroup>),
    /// Adverse events as a table: event, grade, per-arm rates; note and source under each.
    Safety(Vec<SafetyRow>),
    Links(Vec<LinkItem>),
    Notes(Vec<NoteItem>),
    Questions(Vec<QuestionItem>),
    Forest {
        rows: Vec<ForestRow>,
        /// Effects on an absolute scale, which a log-scale plot cannot show.
        skipped: usize,
        /// (favours the left side, favours the right side), named by the arms.
        favours: Option<(String, String)>,
    },
}

/// One section of the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub section: Section,
    pub blocks: Vec<Block>,
}

/// An entry as a document: its parts (blocks to render) and typed accessors for consumers
/// that need one thing of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub id: String,
    pub name: String,
    pub title: String,
    pub parts: Vec<Part>,
    design: Option<DesignCard>,
    key_results: Vec<String>,
    safety: Vec<SafetyRow>,
    limitations: Vec<String>,
    sources: Vec<SourceRefs>,
}

impl Document {
    /// The design card (trials that have one).
    pub fn design(&self) -> Option<&DesignCard> {
        self.design.as_ref()
    }

    /// The headline results on one line each ([`headline`]), as the Overview lists them.
    pub fn key_results(&self) -> &[String] {
        &self.key_results
    }

    /// The safety items, in pack order.
    pub fn safety(&self) -> &[SafetyRow] {
        &self.safety
    }

    /// The limitations, each a short item.
    pub fn limitations(&self) -> &[String] {
        &self.limitations
    }

    /// Every source the entry cites, with what each citation supports.
    pub fn sources(&self) -> &[SourceRefs] {
        &self.sources
    }

    /// The forest plot's rows and which arm each side favours; `None` when the entry has no
    /// forest section.
    pub fn forest(&self) -> Option<Forest<'_>> {
        self.part(Section::Forest).iter().find_map(|b| match b {
            Block::Forest { rows, favours, .. } => Some(Forest {
                rows,
                favours: favours.as_ref(),
            }),
            _ => None,
        })
    }

    pub fn part(&self, s: Section) -> &[Block] {
        self.parts
            .iter()
            .find(|p| p.section == s)
            .map(|p| p.blocks.as_slice())
            .unwrap_or(&[])
    }

    /// The findings rows in display order (groups flattened): the items of Findings.
    pub fn finding_rows(&self) -> Vec<&FindingRow> {
        self.part(Section::Findings)
            .iter()
            .flat_map(|b| match b {
                Block::Findings(gs) => gs.iter().flat_map(|g| g.rows.iter()).collect(),
                _ => Vec::new(),
            })
            .collect()
    }

    /// The questions of the Discussion, in ladder order.
    pub fn questions(&self) -> Vec<&QuestionItem> {
        self.part(Section::Discussion)
            .iter()
            .flat_map(|b| match b {
                Block::Questions(qs) => qs.iter().collect(),
                _ => Vec::new(),
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// Labels and lines shared by every view (numbers are phrased by `crate::format`).

/// The label of a value's group: the arm's label, "arm not stated", or — for a group that is
/// not an arm of the design (entries without a design card) — its note.
pub fn value_label(e: &Entry, v: &ArmValue) -> String {
    if v.arm.is_some()
        && !e.is_design_arm(v.arm.as_deref())
        && let Some(n) = &v.note
    {
        // The note names the group when there is a number; when there is none, the note
        // (a footnote under the value's phrase) says more than the group id could.
        return if v.value.is_some() {
            n.to_string()
        } else {
            String::new()
        };
    }
    e.arm_label(v.arm.as_deref()).to_string()
}

/// `label: value`, or the value alone when it has no label.
pub fn labelled(label: &str, value: &str) -> String {
    if label.is_empty() {
        value.to_string()
    } else {
        format!("{label}: {value}")
    }
}

/// A value's note when it is a caveat (a footnote, or brackets on one line) rather than the
/// label of its group: the note of a value without a figure (unless it only says "not
/// reached"), and of a design arm's value or one whose arm is not stated.
fn caveat<'a>(e: &Entry, v: &'a ArmValue) -> Option<&'a str> {
    let names_group = v.value.is_some() && v.arm.is_some() && !e.is_design_arm(v.arm.as_deref());
    if names_group {
        None
    } else {
        format::arm_note(v)
    }
}

/// `T-DM1: 9.6 mo`, with the caveat in brackets (for one-line contexts such as safety).
pub fn arm_with_value(e: &Entry, v: &ArmValue) -> String {
    let mut s = labelled(&value_label(e, v), &format::arm_value(v));
    if let Some(n) = caveat(e, v) {
        s.push_str(&format!(" ({n})"));
    }
    s
}

/// A headline result on one line: `PFS (median): T-DM1 9.6 mo vs Lapatinib + capecitabine
/// 6.4 mo · HR 0.65 (95% CI 0.55–0.77), p < 0.001`; `Overall survival: no figure given` when
/// no arm has a figure.
pub fn headline(e: &Entry, f: &Finding) -> String {
    let absent: Vec<_> = f.values.iter().map(format::Absent::of).collect();
    let vals = match absent.first() {
        Some(Some(a)) if absent.iter().all(|x| *x == Some(*a)) => a.phrase().to_string(),
        _ => f
            .values
            .iter()
            .map(|v| {
                format!("{} {}", value_label(e, v), format::arm_value(v))
                    .trim()
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join(" vs "),
    };
    let eff = format::finding_effect(f);
    match (vals.is_empty(), eff.is_empty()) {
        (_, true) => format!("{}: {vals}", f.endpoint),
        (true, false) => format!("{}: {eff}", f.endpoint),
        (false, false) => format!("{}: {vals} · {eff}", f.endpoint),
    }
}

/// A safety item's event with its grade: `Any adverse event (grade ≥3)`.
pub fn safety_event(s: &SafetyItem) -> String {
    match s.grade.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
        Some(g) => format!("{} ({})", s.event, grade_phrase(g)),
        None => s.event.to_string(),
    }
}

/// A grade as a phrase: `grade ≥3`, `any grade`, `all grades`, `fatal`.
pub fn grade_phrase(g: &str) -> String {
    match g.to_ascii_lowercase().as_str() {
        "any" | "any grade" => "any grade".into(),
        "all" | "all grades" => "all grades".into(),
        "fatal" | "grade 5" => g.to_string(),
        l if l.starts_with("grade") => g.to_string(),
        _ => format!("grade {g}"),
    }
}

/// Year, journal, authors and registry ids, where the entry has them.
pub fn meta_parts(e: &Entry) -> Vec<String> {
    let mut meta = Vec::new();
    if let Some(y) = e.year {
        meta.push(format::year(y));
    }
    if let Some(j) = &e.journal {
        meta.push(j.to_string());
    }
    if !e.authors.is_empty() {
        meta.push(e.authors.join(", "));
    }
    meta.extend(e.registry.iter().map(|r| r.to_string()));
    meta
}

/// "reported", "ongoing as of 2015", or "topic".
pub fn status_label(e: &Entry) -> String {
    if e.kind == crate::content::EntryKind::Topic {
        return "topic".into();
    }
    match &e.status {
        Status::Reported => "reported".into(),
        Status::Ongoing { as_of, .. } => format!("ongoing as of {as_of}"),
    }
}

/// A source's readable label (never its file name).
pub fn source_label<'a>(lib: &'a Library, id: &'a str) -> &'a str {
    lib.source(id).map(|s| s.display_label()).unwrap_or(id)
}

/// Citations as `EMILIA summary, Key Findings item 1; T-DM1 review, Table 1`.
pub fn cites(lib: &Library, cs: &[Cite]) -> String {
    cs.iter()
        .map(|c| format!("{}, {}", source_label(lib, &c.source), c.at))
        .collect::<Vec<_>>()
        .join("; ")
}

const MARKS: [&str; 9] = ["¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"];

/// The arm names on each side of a ratio's line of no effect, from "A vs B": for outcomes where
/// lower is better (hazard of progression or death), a ratio below 1 favours A.
fn favours(e: &Entry) -> Option<(String, String)> {
    let f = e
        .findings
        .iter()
        .filter(|f| f.effect.as_ref().is_some_and(|x| x.measure.is_ratio()))
        .find(|f| f.headline)
        .or_else(|| {
            e.findings
                .iter()
                .find(|f| f.effect.as_ref().is_some_and(|x| x.measure.is_ratio()))
        })?;
    let cmp = &f.effect.as_ref()?.comparison;
    let (a, b) = cmp
        .split_once(" vs ")
        .or_else(|| cmp.split_once(" versus "))?;
    let (a, b) = (a.trim(), b.trim());
    (!a.is_empty() && !b.is_empty()).then(|| (a.to_string(), b.to_string()))
}

/// Per-arm cells of values (label, value with a footnote mark where it has a caveat), and
/// the footnotes: what a finding's row and a safety row both show.
fn arm_cells(e: &Entry, values: &[ArmValue]) -> (Vec<(String, String)>, Vec<String>) {
    let mut footnotes = Vec::new();
    let arms = values
        .iter()
        .map(|v| {
            let mut val = format::arm_value(v);
            if let Some(n) = caveat(e, v) {
                let mark = MARKS.get(footnotes.len()).copied().unwrap_or("*");
                val.push_str(mark);
                footnotes.push(format!("{mark} {}", labelled(&value_label(e, v), n)));
            }
            (value_label(e, v), val)
        })
        .collect();
    (arms, footnotes)
}

fn finding_row(lib: &Library, e: &Entry, f: &Finding) -> FindingRow {
    let (arms, footnotes) = arm_cells(e, &f.values);
    let (effect, p, comparison) = match &f.effect {
        Some(x) => (
            format::finding_effect_short(f),
            x.p.map(format::p_value).unwrap_or_default(),
            x.comparison.to_string(),
        ),
        None => (String::new(), String::new(), String::new()),
    };
    FindingRow {
        id: f.id.to_string(),
        endpoint: f.endpoint.to_string(),
        analysis: f.analysis.label(),
        arms,
        effect,
        p,
        effect_full: format::finding_effect(f),
        comparison,
        footnotes,
        reading: f.reading.to_string(),
        source: cites(lib, &f.cite),
        discrepancies: e
            .discrepancies
            .iter()
            .filter(|x| x.findings.contains(&f.id))
            .map(|x| x.about.to_string())
            .collect(),
        headline: f.headline,
    }
}

fn endpoint_of(e: &Entry, id: &str) -> String {
    e.finding(id)
        .map(|f| match &f.analysis {
            Analysis::Subgroup(s) => format!("{} ({s})", f.endpoint),
            _ => f.endpoint.to_string(),
        })
        .unwrap_or_else(|| id.to_string())
}

/// Build the document of an entry.
pub fn build(lib: &Library, e: &Entry) -> Document {
    let mut doc = Document {
        id: e.id.to_string(),
        name: e.name.to_string(),
        title: e.title.to_string(),
        parts: Vec::new(),
        design: e.design.as_ref().map(|d| design_card(lib, d)),
        key_results: e.headlines().map(|f| headline(e, f)).collect(),
        safety: e
            .safety
            .iter()
            .map(|s| {
                let (arms, footnotes) = arm_cells(e, &s.values);
                SafetyRow {
                    event: safety_event(s),
                    name: s.event.to_string(),
                    grade: s.grade.as_deref().unwrap_or_default().to_string(),
                    arms,
                    footnotes,
                    values: s.values.iter().map(|v| arm_with_value(e, v)).collect(),
                    note: s.note.as_ref().map(|n| n.to_string()),
                    source: cites(lib, &s.cite),
                }
            })
            .collect(),
        limitations: e.limitations.iter().map(|s| s.to_string()).collect(),
        sources: source_refs(lib, e),
    };
    doc.parts = Section::ALL
        .into_iter()
        .map(|section| Part {
            section,
            blocks: build_section(lib, e, &doc, section),
        })
        .collect();
    doc
}

/// The blocks of one section, from the entry and the typed pieces already in `doc`.
fn build_section(lib: &Library, e: &Entry, doc: &Document, section: Section) -> Vec<Block> {
    let mut b = Vec::new();
    match section {
        Section::Overview => overview(lib, e, doc, &mut b),
        Section::Findings => {
            if e.findings.is_empty() {
                b.push(Block::Text(
                    Tone::Muted,
                    if e.status.is_ongoing() {
                        "No results: the trial was ongoing as of the source.".into()
                    } else {
                        "No structured findings recorded.".into()
                    },
                ));
            } else {
                let mut groups = vec![
                    FindingGroup {
                        title: "Headline results",
                        rows: Vec::new(),
                    },
                    FindingGroup {
                        title: "Other results",
                        rows: Vec::new(),
                    },
                    FindingGroup {
                        title: "Exploratory subgroups",
                        rows: Vec::new(),
                    },
                ];
                for f in &e.findings {
                    let g = if f.headline {
                        0
                    } else if matches!(f.analysis, Analysis::Subgroup(_)) {
                        2
                    } else {
                        1
                    };
                    groups[g].rows.push(finding_row(lib, e, f));
                }
                groups.retain(|g| !g.rows.is_empty());
                if groups.len() == 1 && groups[0].title == "Other results" {
                    groups[0].title = "Results";
                }
                b.push(Block::Findings(groups));
            }
        }
        Section::Forest => {
            let mut rows = Vec::new();
            let mut skipped = 0;
            for f in &e.findings {
                let Some(x) = &f.effect else { continue };
                if !x.measure.is_ratio() || x.estimate.value() <= 0.0 {
                    skipped += 1;
                    continue;
                }
                let label = match &f.analysis {
                    Analysis::Itt => f.endpoint.to_string(),
                    a => format!("{} ({})", f.endpoint, a.label()),
                };
                rows.push(ForestRow {
                    label,
                    measure: x.measure,
                    estimate: x.estimate.value(),
                    ci: x
                        .ci
                        .map(|(lo, hi)| (lo.value(), hi.value()))
                        .filter(|(lo, hi)| *lo > 0.0 && *hi > 0.0),
                    text: format::finding_effect_short(f),
                });
            }
            b.push(Block::Forest {
                rows,
                skipped,
                favours: favours(e),
            });
        }
        Section::Safety => {
            if doc.safety.is_empty() {
                b.push(Block::Text(Tone::Muted, "No safety data recorded.".into()));
            } else {
                b.push(Block::Safety(doc.safety.clone()));
            }
        }
        Section::Appraisal => {
            b.push(Block::Heading("Limitations".into()));
            if doc.limitations.is_empty() {
                b.push(Block::Text(Tone::Muted, "None recorded.".into()));
            } else {
                b.push(Block::Bullets(doc.limitations.clone()));
            }
            if !e.significance.is_empty() {
                b.push(Block::Heading("Clinical significance".into()));
                b.push(Block::Text(Tone::Body, e.significance.to_string()));
            }
            if !e.context.is_empty() {
                b.push(Block::Heading("Historical context".into()));
                b.push(Block::Text(Tone::Body, e.context.to_string()));
            }
        }
        Section::Related => {
            if e.related.is_empty() {
                b.push(Block::Text(
                    Tone::Muted,
                    "No related trials recorded.".into(),
                ));
            } else {
                b.push(Block::Links(
                    e.related
                        .iter()
                        .map(|r| LinkItem {
                            to: r.to.to_string(),
                            relation: r.relation.label(),
                            name: lib
                                .entry(&r.to)
                                .map(|x| format!("{} ({})", x.name, status_label(x)))
                                .unwrap_or_else(|| r.to.to_string()),
                            note: r.note.to_string(),
                        })
                        .collect(),
                ));
            }
        }
        Section::Discrepancies => {
            if e.discrepancies.is_empty() {
                b.push(Block::Text(
                    Tone::Muted,
                    "The sources agree on everything recorded for this entry.".into(),
                ));
            } else {
                b.push(Block::Text(
                    Tone::Muted,
                    "Where the sources disagree, both values are kept: judge them yourself.".into(),
                ));
                b.push(Block::Notes(
                    e.discrepancies
                        .iter()
                        .map(|x| NoteItem {
                            about: x.about.to_string(),
                            versions: x
                                .versions
                                .iter()
                                .map(|v| {
                                    (
                                        v.says.to_string(),
                                        cites(lib, std::slice::from_ref(&v.cite)),
                                    )
                                })
                                .collect(),
                            note: x.note.to_string(),
                            findings: x.findings.iter().map(|id| endpoint_of(e, id)).collect(),
                        })
                        .collect(),
                ));
            }
        }
        Section::Sources => sources(lib, e, doc, &mut b),
        Section::Discussion => {
            let mut qs: Vec<QuestionItem> = e
                .questions
                .iter()
                .map(|q| QuestionItem {
                    id: q.id.to_string(),
                    role: q.role,
                    prompt: q.prompt.to_string(),
                    key_response: q.key_response.to_string(),
                    key_points: q.key_points.iter().map(|s| s.to_string()).collect(),
                    relies_on: q.findings.iter().map(|id| endpoint_of(e, id)).collect(),
                })
                .collect();
            qs.sort_by_key(|q| q.role);
            b.push(Block::Questions(qs));
        }
    }
    b
}

fn overview(lib: &Library, e: &Entry, doc: &Document, b: &mut Vec<Block>) {
    let meta = meta_parts(e);
    if !meta.is_empty() {
        b.push(Block::Text(Tone::Muted, meta.join(" · ")));
    }
    if let Status::Ongoing { as_of, source } = &e.status {
        b.push(Block::Mark(
            "◷",
            Tone::Warn,
            format!(
                "Ongoing as of {as_of} (per {}); no results in the sources",
                source_label(lib, source)
            ),
        ));
    }
    if !e.discrepancies.is_empty() {
        b.push(Block::Mark(
            "⚠",
            Tone::Warn,
            format!(
                "{} between sources: see Discrepancies",
                crate::format::count(
                    e.discrepancies.len(),
                    "discrepancy note",
                    "discrepancy notes"
                )
            ),
        ));
    }
    if !doc.key_results.is_empty() {
        b.push(Block::Heading("Key results".into()));
        b.push(Block::Bullets(doc.key_results.clone()));
    }
    b.push(Block::Heading("Bottom line".into()));
    b.push(Block::Text(Tone::Body, e.bottom_line.to_string()));
    // What has happened since the sources, attributed (CONTENT.md rule 11): right under the
    // bottom line, so a reader in a later year sees it before acting on the past.
    if let Some(later) = e.later_evidence.as_ref().filter(|l| !l.is_empty()) {
        b.push(Block::Heading("Later evidence".into()));
        b.push(Block::Text(Tone::Body, later.to_string()));
    }
    if let Some(card) = &doc.design {
        b.push(Block::Heading("Design".into()));
        b.push(Block::Fields(card.fields.clone()));
    }
    if !e.tags.is_empty() {
        b.push(Block::Text(
            Tone::Muted,
            format!("Tags: {}", e.tags.join(", ")),
        ));
    }
}

/// The design card: the design on one line (phase and features, [`format::design`]), then
/// the sample, setting, population, arms and the rest, and where they come from.
fn design_card(lib: &Library, ds: &crate::content::Design) -> DesignCard {
    let field = |key, value: String| Field { key, value };
    let mut fields = vec![
        field("Design", format::design(ds)),
        field(
            "Sample",
            ds.sample_size.map(format::patients).unwrap_or_default(),
        ),
        field("Setting", ds.setting.to_string()),
        field("Duration", ds.duration.to_string()),
        field("Population", ds.population.to_string()),
        field("Intervention", ds.intervention.to_string()),
        field(
            "Comparator",
            ds.comparator.as_deref().unwrap_or_default().to_string(),
        ),
        field("Primary", ds.primary_endpoints.join("; ")),
        field("Secondary", ds.secondary_endpoints.join("; ")),
    ];
    for a in &ds.arms {
        let n =
            a.n.map(|n| format!(" ({})", format::arm_size(n)))
                .unwrap_or_default();
        let reg = if a.regimen.is_empty() {
            String::new()
        } else {
            format!(": {}", a.regimen)
        };
        fields.push(field("Arm", format!("{}{n}{reg}", a.label)));
    }
    let source = cites(lib, &ds.cite);
    if !source.is_empty() {
        fields.push(field("Source", source.clone()));
    }
    fields.retain(|f| !f.value.trim().is_empty());
    DesignCard {
        fields,
        line: format::design_line(ds),
        source,
    }
}

/// Every source the entry cites, by label, with what each citation supports.
fn source_refs(lib: &Library, e: &Entry) -> Vec<SourceRefs> {
    let mut cites: Vec<(String, &Cite)> = Vec::new();
    if let Some(ds) = &e.design {
        cites.extend(ds.cite.iter().map(|c| ("design".to_string(), c)));
    }
    for f in &e.findings {
        cites.extend(f.cite.iter().map(|c| (f.endpoint.to_string(), c)));
    }
    for s in &e.safety {
        cites.extend(s.cite.iter().map(|c| (safety_event(s), c)));
    }
    for x in &e.discrepancies {
        cites.extend(x.versions.iter().map(|v| (x.about.to_string(), &v.cite)));
    }
    let mut ids: Vec<&str> = cites.iter().map(|(_, c)| c.source.as_str()).collect();
    ids.sort();
    ids.dedup();
    ids.into_iter()
        .map(|id| SourceRefs {
            label: source_label(lib, id).to_string(),
            title: lib.source(id).map(|s| s.title.clone()),
            cites: cites
                .iter()
                .filter(|(_, c)| c.source == id)
                .map(|(what, c)| format!("{} — {what}", c.at))
                .collect(),
        })
        .collect()
}

fn sources(lib: &Library, e: &Entry, doc: &Document, b: &mut Vec<Block>) {
    if let Status::Ongoing { source, .. } = &e.status {
        b.push(Block::Mark(
            "◷",
            Tone::Warn,
            format!("Status as of {}", source_label(lib, source)),
        ));
    }
    if doc.sources.is_empty() {
        b.push(Block::Text(Tone::Muted, "No citations recorded.".into()));
    }
    for s in &doc.sources {
        b.push(Block::Heading(s.label.clone()));
        if let Some(t) = &s.title {
            b.push(Block::Text(Tone::Muted, t.clone()));
        }
        b.push(Block::Bullets(s.cites.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{ArmValue, Figure, Text, Unit};

    fn arm(id: Option<&str>, value: Option<f64>, note: Option<&str>) -> ArmValue {
        ArmValue {
            arm: id.map(Text::from),
            value: value.map(|v| Figure::new(v, 1)),
            unit: Unit::Months,
            ci: None,
            note: note.map(Text::from),
        }
    }

    fn trial() -> Entry {
        let text = include_str!("../../tests/fixtures/good/mini/alpha.ron");
        ron::from_str(text).expect("the mini trial parses")
    }

    #[test]
    fn values_without_a_figure_are_phrased_and_their_notes_are_footnotes() {
        let mut e = trial();
        e.findings[0].values = vec![
            arm(Some("a"), None, Some("no median given; a trend")),
            arm(Some("b"), None, Some("no median given")),
        ];
        e.findings[0].effect = None;
        assert_eq!(
            headline(&e, &e.findings[0]),
            "Progression-free survival: no figure given"
        );
        let lib = Library::new(vec![], vec![e.clone()]);
        let row = finding_row(&lib, &e, &e.findings[0]);
        assert_eq!(
            row.footnotes,
            [
                "¹ Drug A: no median given; a trend",
                "² Drug B: no median given"
            ]
        );
        let mut e = trial();
        e.findings[0].values = vec![
            arm(Some("a"), None, Some("not reached")),
            arm(Some("b"), Some(6.0), None),
        ];
        let lib = Library::new(vec![], vec![e.clone()]);
        let row = finding_row(&lib, &e, &e.findings[0]);
        assert_eq!(
            row.arms,
            [
                ("Drug A".to_string(), "not reached".to_string()),
                ("Drug B".to_string(), "6.0\u{a0}mo".to_string())
            ]
        );
        assert!(row.footnotes.is_empty(), "{:?}", row.footnotes);
        assert_eq!(
            arm_with_value(&e, &arm(Some("a"), None, Some("no median given"))),
            "Drug A: no figure given (no median given)"
        );
    }

    #[test]
    fn accessors_give_what_the_sections_show() {
        let e = trial();
        let lib = Library::new(vec![], vec![e.clone()]);
        let doc = build(&lib, &e);
        let design = doc.design().expect("a trial has a design card");
        assert_eq!(
            design.line,
            "Phase 3, randomised, open-label, multicentre · 400 patients"
        );
        assert_eq!(
            design.fields[0].value,
            "Phase 3, randomised, open-label, multicentre"
        );
        assert!(design.source.contains("Methods"), "{}", design.source);
        assert!(
            design
                .fields
                .iter()
                .any(|f| f.key == "Source" && f.value == design.source)
        );
        assert_eq!(doc.key_results().len(), 1);
        assert!(doc.key_results()[0].starts_with("Progression-free survival: Drug A 9.0"));
        assert!(
            doc.part(Section::Overview)
                .contains(&Block::Bullets(doc.key_results().to_vec()))
        );
        assert_eq!(doc.safety().len(), 1);
        assert_eq!(doc.safety()[0].event, "Any adverse event (grade ≥3)");
        assert_eq!(doc.safety()[0].values, ["Drug A: 20%", "Drug B: 35%"]);
        assert_eq!(doc.limitations(), ["Open-label design.", "Invented data."]);
        assert!(
            doc.part(Section::Appraisal)
                .contains(&Block::Bullets(doc.limitations().to_vec()))
        );
        // paper-a (design, findings, safety, a discrepancy) and paper-b (a discrepancy).
        assert_eq!(doc.sources().len(), 2);
        assert!(
            doc.sources()[0]
                .cites
                .iter()
                .any(|c| c == "Methods — design")
        );
        let forest = doc.forest().expect("a forest section");
        assert_eq!(forest.rows.len(), 1);
        assert_eq!(forest.rows[0].text, "HR 0.70 (0.55–0.85)");
    }
}
