//! The content model: what a pack holds, as serde structs.
//!
//! The same structs are the RON file format (with `deny_unknown_fields`) and, after
//! [`crate::content::validate`] has sanitized every string and resolved every id, the
//! in-memory model the rest of the app reads. Keeping one set of types avoids a second,
//! near-identical tree; validation is what turns "parsed" into "trusted".

use super::{Figure, Text};
use serde::{Deserialize, Serialize};

/// The manifest of a pack (`pack.ron`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub id: String,
    pub title: String,
    pub version: String,
    pub description: String,
    /// The date the content speaks from (e.g. "2018"): statuses are as of this date.
    pub as_of: String,
    pub authors: Vec<String>,
    pub license: String,
    pub sources: Vec<Source>,
    /// The entry the app opens on (the pack's landmark trial, e.g. `"emilia"`).
    #[serde(default)]
    pub landmark: Option<String>,
}

/// A source document that findings cite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    /// A short human label for citations, e.g. "EMILIA summary" or "Li 2013". Readers see
    /// this, never the file name.
    #[serde(default)]
    pub label: String,
    /// File name of the document the pack was written from (for maintainers only).
    pub file: String,
    pub title: String,
    #[serde(default)]
    pub year: Option<u32>,
    #[serde(default)]
    pub description: String,
}

/// Whether an entry is a trial (with a design card) or a topic (mechanism, resistance, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntryKind {
    Trial,
    Topic,
}

/// Reporting status of a trial, always as of a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// Results are reported in the sources.
    Reported,
    /// The source lists the trial as ongoing; `as_of` is the source's date.
    Ongoing { as_of: Text, source: Text },
}

/// One trial or topic: one `.ron` file of a pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: Text,
    pub kind: EntryKind,
    /// Short name, e.g. "EMILIA".
    pub name: Text,
    pub title: Text,
    #[serde(default)]
    pub year: Option<u32>,
    #[serde(default)]
    pub journal: Option<Text>,
    #[serde(default)]
    pub authors: Vec<Text>,
    #[serde(default)]
    pub registry: Vec<Text>,
    #[serde(default = "Status::reported")]
    pub status: Status,
    #[serde(default)]
    pub design: Option<Design>,
    pub bottom_line: Text,
    #[serde(default)]
    pub significance: Text,
    #[serde(default)]
    pub context: Text,
    /// What has happened since the entry's sources, in a short attributed line: a later
    /// result or change in practice that a source reports (attributed to it), or that the
    /// trial has since reported with results outside the pack's sources. Statuses and
    /// figures elsewhere in the entry stay as of the sources.
    #[serde(default)]
    pub later_evidence: Option<Text>,
    #[serde(default)]
    pub findings: Vec<Finding>,
    #[serde(default)]
    pub safety: Vec<SafetyItem>,
    #[serde(default)]
    pub limitations: Vec<Text>,
    #[serde(default)]
    pub related: Vec<Related>,
    #[serde(default)]
    pub discrepancies: Vec<Discrepancy>,
    #[serde(default)]
    pub questions: Vec<Question>,
    #[serde(default)]
    pub tags: Vec<Text>,
}

impl Status {
    fn reported() -> Self {
        Status::Reported
    }
    pub fn is_ongoing(&self) -> bool {
        matches!(self, Status::Ongoing { .. })
    }
}

/// The design card of a trial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Design {
    /// "1", "2", "3", "1b", "retrospective" …
    pub phase: Text,
    /// "randomised", "open-label", "single-arm", "multicentre" …
    #[serde(default)]
    pub features: Vec<Text>,
    #[serde(default)]
    pub sample_size: Option<u32>,
    #[serde(default)]
    pub setting: Text,
    #[serde(default)]
    pub duration: Text,
    pub population: Text,
    pub intervention: Text,
    #[serde(default)]
    pub comparator: Option<Text>,
    #[serde(default)]
    pub primary_endpoints: Vec<Text>,
    #[serde(default)]
    pub secondary_endpoints: Vec<Text>,
    #[serde(default)]
    pub arms: Vec<Arm>,
    /// Where the design facts come from.
    #[serde(default)]
    pub cite: Vec<Cite>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arm {
    pub id: Text,
    pub label: Text,
    #[serde(default)]
    pub n: Option<u32>,
    #[serde(default)]
    pub regimen: Text,
}

/// A place in a source: which document, and where in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cite {
    pub source: Text,
    /// Section, table or paragraph, e.g. "Table 1" or "Key Findings, item 2".
    pub at: Text,
}

/// The unit of a per-arm value (phrased by [`crate::format::value_with_unit`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Unit {
    Percent,
    Months,
    Weeks,
    Days,
    Years,
    Patients,
    Other(Text),
}

/// One arm's value for an endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArmValue {
    /// Arm id from the design card, or `None` when the source gives the value without naming
    /// the arm it belongs to (shown as "arm not stated"). The field is required either way,
    /// so that an unnamed arm is always a decision, never an omission.
    #[serde(deserialize_with = "required_option")]
    pub arm: Option<Text>,
    /// The number as written; `None` when the source gives none (e.g. "not reached": say so
    /// in `note`).
    #[serde(default)]
    pub value: Option<Figure>,
    pub unit: Unit,
    /// A 95% CI for this arm's value, where the source gives one.
    #[serde(default)]
    pub ci: Option<(Figure, Figure)>,
    #[serde(default)]
    pub note: Option<Text>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Measure {
    /// Hazard ratio.
    HR,
    /// Odds ratio.
    OR,
    /// Risk ratio.
    RR,
    /// Absolute difference (same unit as the per-arm values).
    Difference,
}

impl Measure {
    pub fn is_ratio(self) -> bool {
        !matches!(self, Measure::Difference)
    }
}

/// A p-value as reported: exact, or a bound.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum PValue {
    Eq(Figure),
    Lt(Figure),
    Gt(Figure),
}

impl PValue {
    /// The figure the p-value is, or is bounded by.
    pub fn figure(self) -> Figure {
        match self {
            PValue::Eq(v) | PValue::Lt(v) | PValue::Gt(v) => v,
        }
    }
    pub fn raw(self) -> f64 {
        self.figure().value()
    }
}

/// An effect estimate comparing arms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Effect {
    pub measure: Measure,
    pub estimate: Figure,
    /// 95% confidence interval (lower, upper).
    #[serde(default)]
    pub ci: Option<(Figure, Figure)>,
    #[serde(default)]
    pub p: Option<PValue>,
    /// What is compared, e.g. "T-DM1 vs lapatinib + capecitabine".
    #[serde(default)]
    pub comparison: Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Analysis {
    /// Intention-to-treat (primary) analysis.
    Itt,
    Interim,
    Final,
    Subgroup(Text),
    PerProtocol,
    SingleArm,
    Retrospective,
    Other(Text),
}

impl Analysis {
    pub fn label(&self) -> String {
        match self {
            Analysis::Itt => "ITT".into(),
            Analysis::Interim => "interim".into(),
            Analysis::Final => "final".into(),
            Analysis::Subgroup(s) => format!("subgroup: {s}"),
            Analysis::PerProtocol => "per protocol".into(),
            Analysis::SingleArm => "single arm".into(),
            Analysis::Retrospective => "retrospective".into(),
            Analysis::Other(s) => s.to_string(),
        }
    }
}

/// A structured result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub id: Text,
    pub endpoint: Text,
    pub analysis: Analysis,
    #[serde(default)]
    pub values: Vec<ArmValue>,
    #[serde(default)]
    pub effect: Option<Effect>,
    /// One line in plain language.
    pub reading: Text,
    pub cite: Vec<Cite>,
    /// A headline result (the primary endpoint or endpoints): shown first on the trial's
    /// Overview, before the prose.
    #[serde(default)]
    pub headline: bool,
}

/// Deserialize an `Option` whose field must be present (`arm: None` or `arm: "x"`).
fn required_option<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d)
}

/// An adverse event (or a summary line such as "grade ≥3 AEs") per arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyItem {
    pub event: Text,
    #[serde(default)]
    pub grade: Option<Text>,
    #[serde(default)]
    pub values: Vec<ArmValue>,
    #[serde(default)]
    pub note: Option<Text>,
    pub cite: Vec<Cite>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Relation {
    Confirms,
    Extends,
    Contradicts,
    SupersededBy,
    Supersedes,
    ComparedWith,
    Context,
}

impl Relation {
    pub fn label(self) -> &'static str {
        match self {
            Relation::Confirms => "confirms",
            Relation::Extends => "extends",
            Relation::Contradicts => "contradicts",
            Relation::SupersededBy => "superseded by",
            Relation::Supersedes => "supersedes",
            Relation::ComparedWith => "compared with",
            Relation::Context => "context",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Related {
    /// Id of another entry in the loaded packs.
    pub to: Text,
    pub relation: Relation,
    #[serde(default)]
    pub note: Text,
}

/// Where two places in the sources disagree: both values, and what to make of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Discrepancy {
    pub id: Text,
    pub about: Text,
    pub versions: Vec<Version>,
    pub note: Text,
    /// Findings of this entry the discrepancy touches.
    #[serde(default)]
    pub findings: Vec<Text>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Version {
    pub says: Text,
    pub cite: Cite,
}

/// The seven roles, in ladder order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    MedicalStudent,
    Resident,
    Fellow,
    Attending,
    PhD,
    JournalEditor,
    GuidelineCommittee,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RoleGroup {
    ClinicalLadder,
    ScholarlyReview,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::MedicalStudent,
        Role::Resident,
        Role::Fellow,
        Role::Attending,
        Role::PhD,
        Role::JournalEditor,
        Role::GuidelineCommittee,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Role::MedicalStudent => "Medical Student",
            Role::Resident => "Resident",
            Role::Fellow => "Fellow",
            Role::Attending => "Attending",
            Role::PhD => "PhD",
            Role::JournalEditor => "Journal Editor",
            Role::GuidelineCommittee => "Guideline Committee",
        }
    }

    /// A short slug for filters (`@resident`) and ids.
    pub fn slug(self) -> &'static str {
        match self {
            Role::MedicalStudent => "student",
            Role::Resident => "resident",
            Role::Fellow => "fellow",
            Role::Attending => "attending",
            Role::PhD => "phd",
            Role::JournalEditor => "editor",
            Role::GuidelineCommittee => "guideline",
        }
    }

    pub fn group(self) -> RoleGroup {
        match self {
            Role::MedicalStudent | Role::Resident | Role::Fellow | Role::Attending => {
                RoleGroup::ClinicalLadder
            }
            _ => RoleGroup::ScholarlyReview,
        }
    }

    /// Parse a role from a slug, a label or a prefix of either (case-insensitive).
    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim().to_lowercase().replace([' ', '-', '_'], "");
        if s.is_empty() {
            return None;
        }
        Role::ALL.into_iter().find(|r| {
            let label = r.label().to_lowercase().replace(' ', "");
            r.slug().starts_with(&s) || label.starts_with(&s)
        })
    }
}

impl RoleGroup {
    pub fn label(self) -> &'static str {
        match self {
            RoleGroup::ClinicalLadder => "Clinical ladder",
            RoleGroup::ScholarlyReview => "Scholarly review",
        }
    }
}

/// A discussion question with its key response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: Text,
    pub role: Role,
    pub prompt: Text,
    pub key_response: Text,
    pub key_points: Vec<Text>,
    #[serde(default)]
    pub tags: Vec<Text>,
    /// Ids of findings of the same entry this question relies on.
    #[serde(default)]
    pub findings: Vec<Text>,
}

/// How a value whose arm the source does not name is labelled.
pub const ARM_NOT_STATED: &str = "arm not stated";

impl Source {
    /// What readers see for this source: its label, or its id if it has none.
    pub fn display_label(&self) -> &str {
        if self.label.is_empty() {
            &self.id
        } else {
            &self.label
        }
    }
}

impl Entry {
    pub fn finding(&self, id: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.id == id)
    }
    /// The label of an arm; "arm not stated" when the source names none.
    pub fn arm_label<'a>(&'a self, arm: Option<&'a str>) -> &'a str {
        let Some(arm) = arm else {
            return ARM_NOT_STATED;
        };
        self.design
            .as_ref()
            .and_then(|d| d.arms.iter().find(|a| a.id == arm))
            .map(|a| a.label.as_str())
            .unwrap_or(arm)
    }
    /// Whether `arm` is one of the design card's arms.
    pub fn is_design_arm(&self, arm: Option<&str>) -> bool {
        arm.is_some_and(|arm| {
            self.design
                .as_ref()
                .is_some_and(|d| d.arms.iter().any(|a| a.id == arm))
        })
    }
    /// The headline findings (marked `headline: true`), in pack order.
    pub fn headlines(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.headline)
    }
    pub fn phase(&self) -> Option<&str> {
        self.design.as_ref().map(|d| d.phase.as_str())
    }
    pub fn sample_size(&self) -> Option<u32> {
        self.design.as_ref().and_then(|d| d.sample_size)
    }
}
