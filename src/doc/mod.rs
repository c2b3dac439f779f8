//! The entry document: one neutral description of a trial or topic — headings, key/value
//! rows, tables, bullets and the few item lists a reader selects from — built once per entry
//! from the validated model.
//!
//! Every view of an entry renders this document: the TUI's detail panel ([`styled`]), the
//! plain text of `trialdeck show` ([`plain`]), and exporters. Formatting of values (arm values,
//! effects, citations, counts) lives here and nowhere else, so the views cannot drift apart.

pub mod plain;
pub mod shared;

use crate::content::{
    Analysis, ArmValue, Cite, Entry, Finding, Library, Measure, Role, SafetyItem, Status, Unit,
    fmt_effect, fmt_num,
};

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
            Section::Findings | Section::Related | Section::Discrepancies | Section::Discussion
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
    pub estimate: f64,
    pub ci: Option<(f64, f64)>,
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

/// An entry as a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub id: String,
    pub name: String,
    pub title: String,
    pub parts: Vec<Part>,
}

impl Document {
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
// Formatting shared by every view.

/// "1 patient", "991 patients"; "1 discrepancy note", "7 discrepancy notes".
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// A number with a true minus sign (−13.9, not -13.9).
pub fn signed(v: f64) -> String {
    let s = fmt_num(v);
    match s.strip_prefix('-') {
        Some(rest) => format!("−{rest}"),
        None => s,
    }
}

/// The unit of a difference between arms whose values are in `unit`.
fn difference_unit(unit: Option<&Unit>) -> &'static str {
    match unit {
        Some(Unit::Percent) => " percentage points",
        Some(Unit::Months) => " months",
        Some(Unit::Weeks) => " weeks",
        Some(Unit::Days) => " days",
        Some(Unit::Years) => " years",
        Some(Unit::Patients) => " patients",
        _ => "",
    }
}

/// A value with its unit, kept on one line (a no-break space before the unit).
pub fn value_with_unit(x: f64, unit: &Unit) -> String {
    let suffix = unit.suffix();
    match suffix.strip_prefix(' ') {
        Some(rest) => format!("{} {rest}", fmt_num(x)),
        None => format!("{}{suffix}", fmt_num(x)),
    }
}

/// An arm's value alone: `9.6 mo`, `43.6% (95% CI 38–49)`; "no number" when the source gives
/// none and no note says why (validation prevents that).
pub fn arm_value(v: &ArmValue) -> String {
    match v.value {
        Some(x) => {
            let mut s = value_with_unit(x, &v.unit);
            if let Some((lo, hi)) = v.ci {
                s.push_str(&format!(" (95% CI {}–{})", fmt_num(lo), fmt_num(hi)));
            }
            s
        }
        // A value the source gives only in words ("not reached"): the words are the value.
        None => v.note.as_deref().unwrap_or("no number").to_string(),
    }
}

/// The label of a value's group: the arm's label, "arm not stated", or — for a group that is
/// not an arm of the design (entries without a design card) — its note.
pub fn value_label(e: &Entry, v: &ArmValue) -> String {
    if v.arm.is_some()
        && !e.is_design_arm(v.arm.as_deref())
        && let Some(n) = &v.note
    {
        // The note names the group when there is a number; when there is none, the note is
        // the value itself and the group id says nothing a reader needs.
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

/// Whether a value's note is a caveat (shown as a footnote) rather than the value or label.
fn note_is_caveat(e: &Entry, v: &ArmValue) -> bool {
    v.value.is_some() && (v.arm.is_none() || e.is_design_arm(v.arm.as_deref()))
}

/// `T-DM1: 9.6 mo`, with the caveat in brackets (for one-line contexts such as safety).
pub fn arm_with_value(e: &Entry, v: &ArmValue) -> String {
    let mut s = labelled(&value_label(e, v), &arm_value(v));
    if note_is_caveat(e, v)
        && let Some(n) = &v.note
    {
        s.push_str(&format!(" ({n})"));
    }
    s
}

/// The effect of a finding without its p: `HR 0.65 (0.55–0.77)`, `Diff −13.9 percentage
/// points (−20–−7.5)`.
pub fn effect_short(f: &Finding) -> String {
    effect_text(f, false)
}

/// The effect as a sentence fragment: `HR 0.65 (95% CI 0.55–0.77), p < 0.001`.
pub fn effect(f: &Finding) -> String {
    effect_text(f, true)
}

fn effect_text(f: &Finding, long: bool) -> String {
    let Some(x) = &f.effect else {
        return String::new();
    };
    let num = |v: f64| {
        if x.measure.is_ratio() {
            fmt_effect(x.measure, v)
        } else {
            signed(v)
        }
    };
    let unit = if x.measure == Measure::Difference {
        difference_unit(f.values.first().map(|v| &v.unit))
    } else {
        ""
    };
    let mut s = format!("{} {}{unit}", x.measure.label(), num(x.estimate));
    if let Some((lo, hi)) = x.ci {
        let ci = if long { "95% CI " } else { "" };
        s.push_str(&format!(" ({ci}{}–{})", num(lo), num(hi)));
    }
    if long && let Some(p) = x.p {
        s.push_str(&format!(", {p}"));
    }
    s
}

/// A headline result on one line: `PFS (median): T-DM1 9.6 mo vs Lapatinib + capecitabine
/// 6.4 mo · HR 0.65 (95% CI 0.55–0.77), p < 0.001`.
pub fn headline(e: &Entry, f: &Finding) -> String {
    let vals: Vec<String> = f
        .values
        .iter()
        .map(|v| {
            format!("{} {}", value_label(e, v), arm_value(v))
                .trim()
                .to_string()
        })
        .collect();
    let mut s = format!("{}: {}", f.endpoint, vals.join(" vs "));
    let eff = effect(f);
    if !eff.is_empty() {
        s.push_str(&format!(" · {eff}"));
    }
    s
}

/// A safety item's event with its grade: `Any adverse event (grade ≥3)`.
pub fn safety_event(s: &SafetyItem) -> String {
    match &s.grade {
        Some(g) => format!("{} (grade {g})", s.event),
        None => s.event.to_string(),
    }
}

/// Year, journal, authors and registry ids, where the entry has them.
pub fn meta_parts(e: &Entry) -> Vec<String> {
    let mut meta = Vec::new();
    if let Some(y) = e.year {
        meta.push(y.to_string());
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

fn finding_row(lib: &Library, e: &Entry, f: &Finding) -> FindingRow {
    let mut footnotes = Vec::new();
    let arms = f
        .values
        .iter()
        .map(|v| {
            let mut val = arm_value(v);
            if note_is_caveat(e, v)
                && let Some(n) = &v.note
            {
                let mark = MARKS.get(footnotes.len()).copied().unwrap_or("*");
                val.push_str(mark);
                footnotes.push(format!("{mark} {}: {n}", value_label(e, v)));
            }
            (value_label(e, v), val)
        })
        .collect();
    let (effect, p, comparison) = match &f.effect {
        Some(x) => (
            effect_short(f),
            x.p.map(|p| p.to_string()).unwrap_or_default(),
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
        effect_full: self::effect(f),
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
    let parts = Section::ALL
        .into_iter()
        .map(|section| Part {
            section,
            blocks: build_section(lib, e, section),
        })
        .collect();
    Document {
        id: e.id.to_string(),
        name: e.name.to_string(),
        title: e.title.to_string(),
        parts,
    }
}

fn build_section(lib: &Library, e: &Entry, section: Section) -> Vec<Block> {
    let mut b = Vec::new();
    match section {
        Section::Overview => overview(lib, e, &mut b),
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
                if !x.measure.is_ratio() || x.estimate <= 0.0 {
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
                    estimate: x.estimate,
                    ci: x.ci.filter(|(lo, hi)| *lo > 0.0 && *hi > 0.0),
                });
            }
            b.push(Block::Forest {
                rows,
                skipped,
                favours: favours(e),
            });
        }
        Section::Safety => {
            if e.safety.is_empty() {
                b.push(Block::Text(Tone::Muted, "No safety data recorded.".into()));
            }
            for s in &e.safety {
                b.push(Block::Mark("•", Tone::Accent, safety_event(s)));
                let mut items: Vec<String> =
                    s.values.iter().map(|v| arm_with_value(e, v)).collect();
                if let Some(n) = &s.note {
                    items.push(n.to_string());
                }
                items.push(format!("Source: {}", cites(lib, &s.cite)));
                b.push(Block::Bullets(items));
            }
        }
        Section::Appraisal => {
            b.push(Block::Heading("Limitations".into()));
            if e.limitations.is_empty() {
                b.push(Block::Text(Tone::Muted, "None recorded.".into()));
            } else {
                b.push(Block::Bullets(
                    e.limitations.iter().map(|s| s.to_string()).collect(),
                ));
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
        Section::Sources => sources(lib, e, &mut b),
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

fn overview(lib: &Library, e: &Entry, b: &mut Vec<Block>) {
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
                count(
                    e.discrepancies.len(),
                    "discrepancy note",
                    "discrepancy notes"
                )
            ),
        ));
    }
    let heads: Vec<String> = e.headlines().map(|f| headline(e, f)).collect();
    if !heads.is_empty() {
        b.push(Block::Heading("Key results".into()));
        b.push(Block::Bullets(heads));
    }
    b.push(Block::Heading("Bottom line".into()));
    b.push(Block::Text(Tone::Body, e.bottom_line.to_string()));
    if let Some(ds) = &e.design {
        b.push(Block::Heading("Design".into()));
        let mut fields = vec![
            Field {
                key: "Phase",
                value: ds.phase.to_string(),
            },
            Field {
                key: "Design",
                value: ds.features.join(", "),
            },
            Field {
                key: "Sample",
                value: ds
                    .sample_size
                    .map(|n| count(n as usize, "patient", "patients"))
                    .unwrap_or_default(),
            },
            Field {
                key: "Setting",
                value: ds.setting.to_string(),
            },
            Field {
                key: "Duration",
                value: ds.duration.to_string(),
            },
            Field {
                key: "Population",
                value: ds.population.to_string(),
            },
            Field {
                key: "Intervention",
                value: ds.intervention.to_string(),
            },
            Field {
                key: "Comparator",
                value: ds.comparator.as_deref().unwrap_or_default().to_string(),
            },
            Field {
                key: "Primary",
                value: ds.primary_endpoints.join("; "),
            },
            Field {
                key: "Secondary",
                value: ds.secondary_endpoints.join("; "),
            },
        ];
        for a in &ds.arms {
            let n = a.n.map(|n| format!(" (n = {n})")).unwrap_or_default();
            let reg = if a.regimen.is_empty() {
                String::new()
            } else {
                format!(": {}", a.regimen)
            };
            fields.push(Field {
                key: "Arm",
                value: format!("{}{n}{reg}", a.label),
            });
        }
        if !ds.cite.is_empty() {
            fields.push(Field {
                key: "Source",
                value: cites(lib, &ds.cite),
            });
        }
        fields.retain(|f| !f.value.trim().is_empty());
        b.push(Block::Fields(fields));
    }
    if !e.tags.is_empty() {
        b.push(Block::Text(
            Tone::Muted,
            format!("Tags: {}", e.tags.join(", ")),
        ));
    }
}

fn sources(lib: &Library, e: &Entry, b: &mut Vec<Block>) {
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
    if let Status::Ongoing { source, .. } = &e.status {
        b.push(Block::Mark(
            "◷",
            Tone::Warn,
            format!("Status as of {}", source_label(lib, source)),
        ));
    }
    let mut ids: Vec<&str> = cites.iter().map(|(_, c)| c.source.as_str()).collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        b.push(Block::Text(Tone::Muted, "No citations recorded.".into()));
    }
    for id in ids {
        b.push(Block::Heading(source_label(lib, id).to_string()));
        if let Some(s) = lib.source(id) {
            b.push(Block::Text(Tone::Muted, s.title.clone()));
        }
        b.push(Block::Bullets(
            cites
                .iter()
                .filter(|(_, c)| c.source == id)
                .map(|(what, c)| format!("{} — {what}", c.at))
                .collect(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_in_number() {
        assert_eq!(count(1, "patient", "patients"), "1 patient");
        assert_eq!(count(991, "patient", "patients"), "991 patients");
        assert_eq!(
            count(1, "discrepancy note", "discrepancy notes"),
            "1 discrepancy note"
        );
    }

    #[test]
    fn negative_numbers_use_a_minus_sign() {
        assert_eq!(signed(-13.9), "−13.9");
        assert_eq!(signed(2.5), "2.5");
    }

    #[test]
    fn values_keep_number_and_unit_together() {
        assert_eq!(value_with_unit(9.6, &Unit::Months), "9.6 mo");
        assert_eq!(value_with_unit(43.6, &Unit::Percent), "43.6%");
    }
}
