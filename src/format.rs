//! Every phrase of a number, in one place: arm values with their units, effects (measure,
//! estimate, CI, p), differences, counts, values the source gives no figure for, years and
//! design lines. The entry document ([`crate::doc`]), search titles, fact cards, the quiz
//! header, rounds and every exporter call these functions and never format a number
//! themselves, so one finding reads the same on every surface (`tests/format_surfaces.rs`
//! holds them to it).
//!
//! # Phrases
//!
//! | what | phrase |
//! | --- | --- |
//! | a figure | as the source wrote it: `57.0`, `0.80`, `57` ([`Figure`]) |
//! | a median, a duration | `9.6 mo`, `3 wk`, `12 d`, `2 y` |
//! | a rate | `43.6%` |
//! | a count | `1 patient`, `38 patients` |
//! | another unit | `3.6 mg/kg`, `25× paclitaxel potency`; a calendar year is the year: `1998` |
//! | with the arm's CI | `9.0 mo (95% CI 8.0–10.0)` |
//! | no figure | `not reached` when the note says so, else `no figure given` (the note stays a note) |
//! | an estimate | `HR 0.65`, `Diff −13.9 percentage points` (a difference has the unit of a difference) |
//! | an effect in a table | `HR 0.65 (0.55–0.77)` |
//! | an effect in words | `HR 0.65 (95% CI 0.55–0.77), p < 0.001` |
//! | a CI with a negative bound | `−20.1 to −7.5` (an en dash between two minus signs misleads) |
//! | a p-value | `p < 0.001`, `p = 0.012`, `p > 0.05` |
//! | a design line | `Phase 3, randomised, open-label · 991 patients`; a phase that is a word reads as one: `Retrospective, single-arm · 78 patients` |
//! | a phase in a list column | `ph3`, `ph1b/2a`, `retro` |
//!
//! # The minus sign, and spaces
//!
//! Text for people — the terminal, `show`, Markdown, CSV and Anki fields, search titles —
//! writes a negative number with the minus sign U+2212 (`−13.9`), which no font confuses
//! with a hyphen. Machine-readable numbers stay numbers: the JSON export writes the model's
//! figures as JSON numbers (`-13.9`), never these phrases. Search folds `−` to `-`, so typing
//! `-13.9` finds `−13.9`.
//!
//! A number and its unit are joined by a no-break space ([`NBSP`]) so a wrapped line never
//! parts them on screen; whatever is written to a file or to standard output (`show`,
//! Markdown, CSV, Anki, `trialdeck search`) prints it as a plain space ([`plain_spaces`]).

use crate::content::figure::Figure;
use crate::content::model::{ArmValue, Design, Effect, Finding, Measure, PValue, Unit};

/// The minus sign of every phrase for people.
pub const MINUS: char = '\u{2212}';
/// Joins a number to its unit (see the module docs).
pub const NBSP: char = '\u{a0}';
/// The phrase of a median (or other value) the source says was not reached.
pub const NOT_REACHED: &str = "not reached";
/// The phrase of a value the source gives no figure for.
pub const NO_FIGURE: &str = "no figure given";
/// The unit of a value that is a calendar year (`Other("calendar year")`): shown as the year.
const CALENDAR_YEAR: &str = "calendar year";

/// Text for a file or standard output: no-break spaces as plain spaces.
pub fn plain_spaces(s: &str) -> String {
    s.replace(NBSP, " ")
}

/// A text with `-` before a digit as the minus sign.
fn minus(s: &str) -> String {
    match s.strip_prefix('-') {
        Some(rest) => format!("{MINUS}{rest}"),
        None => s.to_string(),
    }
}

/// A figure as the source wrote it, with the minus sign: `57.0`, `−13.9`, `0.80`.
pub fn figure(x: Figure) -> String {
    minus(&x.to_string())
}

/// A number computed here rather than written by a source (a plot's tick): up to four
/// decimals, none trailing, with the minus sign.
pub fn number(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { minus(s) }
}

/// "1 patient", "991 patients"; "1 discrepancy note", "7 discrepancy notes".
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// A design card's sample: "1 patient", "991 patients".
pub fn patients(n: u32) -> String {
    count(n as usize, "patient", "patients")
}

/// An arm's size as the design card shows it: "n = 495".
pub fn arm_size(n: u32) -> String {
    format!("n = {n}")
}

/// An entry's year.
pub fn year(y: u32) -> String {
    y.to_string()
}

/// The short name of a measure: "HR", "OR", "RR", "Diff".
pub fn measure(m: Measure) -> &'static str {
    match m {
        Measure::HR => "HR",
        Measure::OR => "OR",
        Measure::RR => "RR",
        Measure::Difference => "Diff",
    }
}

/// The name of a measure in a sentence: "Hazard ratio", "Difference".
pub fn measure_name(m: Measure) -> &'static str {
    match m {
        Measure::HR => "Hazard ratio",
        Measure::OR => "Odds ratio",
        Measure::RR => "Risk ratio",
        Measure::Difference => "Difference",
    }
}

/// A figure with its unit: `9.6 mo`, `43.6%`, `1 patient`, `3.6 mg/kg`, `1998`.
pub fn value_with_unit(x: Figure, unit: &Unit) -> String {
    let n = figure(x);
    match unit {
        Unit::Percent => format!("{n}%"),
        Unit::Months => format!("{n}{NBSP}mo"),
        Unit::Weeks => format!("{n}{NBSP}wk"),
        Unit::Days => format!("{n}{NBSP}d"),
        Unit::Years => format!("{n}{NBSP}y"),
        Unit::Patients => {
            let one = x.value() == 1.0 && x.decimals() == 0;
            format!("{n}{NBSP}{}", if one { "patient" } else { "patients" })
        }
        Unit::Other(u) if u.trim().eq_ignore_ascii_case(CALENDAR_YEAR) => n,
        Unit::Other(u) => other_unit(&n, u),
    }
}

/// `3.6 mg/kg`, but `25× paclitaxel potency`: a unit that opens with a symbol sticks to its
/// number.
fn other_unit(n: &str, u: &str) -> String {
    let u = u.trim();
    if u.is_empty() {
        n.to_string()
    } else if u.starts_with(char::is_alphanumeric) {
        format!("{n}{NBSP}{u}")
    } else {
        format!("{n}{u}")
    }
}

/// Two figures as a range: `0.55–0.77`, or `−20.1 to −7.5` when a bound is negative.
pub fn range(lo: Figure, hi: Figure) -> String {
    let (a, b) = (figure(lo), figure(hi));
    if a.starts_with(MINUS) || b.starts_with(MINUS) {
        format!("{a} to {b}")
    } else {
        format!("{a}–{b}")
    }
}

/// A 95% CI: `95% CI 0.55–0.77`.
pub fn ci(lo: Figure, hi: Figure) -> String {
    format!("95% CI {}", range(lo, hi))
}

/// How a value the source gives no figure for is phrased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absent {
    /// The note says the median (or value) was not reached.
    NotReached,
    /// Anything else: the source gives no figure.
    NoFigure,
}

impl Absent {
    /// The phrase: "not reached", "no figure given".
    pub fn phrase(self) -> &'static str {
        match self {
            Absent::NotReached => NOT_REACHED,
            Absent::NoFigure => NO_FIGURE,
        }
    }

    /// How `v` is phrased when it has no figure (`None` when it has one): "not reached"
    /// when its note says so, anywhere, else "no figure given".
    pub fn of(v: &ArmValue) -> Option<Absent> {
        if v.value.is_some() {
            return None;
        }
        let says = |s: &str| {
            v.note
                .as_deref()
                .is_some_and(|n| n.to_lowercase().contains(s))
        };
        Some(if says(NOT_REACHED) {
            Absent::NotReached
        } else {
            Absent::NoFigure
        })
    }
}

/// An arm's value on its own: `9.6 mo`, `9.0 mo (95% CI 8.0–10.0)`, `not reached`,
/// `no figure given`. Its note is not part of it (see [`arm_note`]).
pub fn arm_value(v: &ArmValue) -> String {
    let Some(x) = v.value else {
        return Absent::of(v)
            .unwrap_or(Absent::NoFigure)
            .phrase()
            .to_string();
    };
    let mut s = value_with_unit(x, &v.unit);
    if let Some((lo, hi)) = v.ci {
        s.push_str(&format!(" ({})", ci(lo, hi)));
    }
    s
}

/// A value's note, unless it says no more than the value's phrase (a note "not reached" on
/// a value without a figure).
pub fn arm_note(v: &ArmValue) -> Option<&str> {
    let note = v.note.as_deref()?.trim();
    let phrase = Absent::of(v).map(Absent::phrase);
    (!note.is_empty() && phrase.is_none_or(|p| !note.eq_ignore_ascii_case(p))).then_some(note)
}

/// A p-value: `p < 0.001`, `p = 0.012`, `p > 0.05`.
pub fn p_value(p: PValue) -> String {
    match p {
        PValue::Eq(v) => format!("p = {}", figure(v)),
        PValue::Lt(v) => format!("p < {}", figure(v)),
        PValue::Gt(v) => format!("p > {}", figure(v)),
    }
}

/// The unit of a difference between arms whose values are in `unit`: percentages differ by
/// percentage points; other units by themselves.
fn difference(x: Figure, unit: Option<&Unit>) -> String {
    match unit {
        Some(Unit::Percent) => format!("{}{NBSP}percentage{NBSP}points", figure(x)),
        Some(Unit::Other(u)) if u.trim().eq_ignore_ascii_case(CALENDAR_YEAR) => {
            format!("{}{NBSP}years", figure(x))
        }
        Some(u) => value_with_unit(x, u),
        None => figure(x),
    }
}

/// The unit a finding's difference is in: that of its values.
pub fn finding_unit(f: &Finding) -> Option<&Unit> {
    f.values.first().map(|v| &v.unit)
}

/// An effect's estimate: `HR 0.65`, `Diff −13.9 percentage points`. `unit` is the unit of
/// the values compared ([`finding_unit`]).
pub fn estimate(x: &Effect, unit: Option<&Unit>) -> String {
    let value = match x.measure {
        Measure::Difference => difference(x.estimate, unit),
        _ => figure(x.estimate),
    };
    format!("{} {value}", measure(x.measure))
}

/// An effect for a table: `HR 0.65 (0.55–0.77)`, `Diff −13.9 percentage points`.
pub fn effect_short(x: &Effect, unit: Option<&Unit>) -> String {
    let mut s = estimate(x, unit);
    if let Some((lo, hi)) = x.ci {
        s.push_str(&format!(" ({})", range(lo, hi)));
    }
    s
}

/// An effect in words: `HR 0.65 (95% CI 0.55–0.77), p < 0.001`.
pub fn effect(x: &Effect, unit: Option<&Unit>) -> String {
    let mut s = estimate(x, unit);
    if let Some((lo, hi)) = x.ci {
        s.push_str(&format!(" ({})", ci(lo, hi)));
    }
    if let Some(p) = x.p {
        s.push_str(&format!(", {}", p_value(p)));
    }
    s
}

/// A finding's effect for a table ([`effect_short`]), or "" when it has none.
pub fn finding_effect_short(f: &Finding) -> String {
    f.effect
        .as_ref()
        .map(|x| effect_short(x, finding_unit(f)))
        .unwrap_or_default()
}

/// A finding's effect in words ([`effect`]), or "" when it has none.
pub fn finding_effect(f: &Finding) -> String {
    f.effect
        .as_ref()
        .map(|x| effect(x, finding_unit(f)))
        .unwrap_or_default()
}

/// A text with its first letter in capitals.
fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A design card's phase: `Phase 3`, `Phase 1b/2a`, `Phase not stated in the sources`; a
/// phase that is a word reads as one: `Retrospective`, `Neoadjuvant, phase 2`.
pub fn phase(d: &Design) -> String {
    let p = d.phase.trim();
    if p.starts_with(|c: char| c.is_ascii_digit()) || p.starts_with("not ") {
        return format!("Phase {p}");
    }
    if p.to_lowercase().contains("phase") {
        return capitalized(p);
    }
    match p.rsplit_once(' ') {
        Some((words, code)) if code.starts_with(|c: char| c.is_ascii_digit()) => {
            format!("{}, phase {code}", capitalized(words))
        }
        _ => capitalized(p),
    }
}

/// A phase in a few letters, for a list column: `ph3`, `ph1b/2a`, `retro`, or "" when the
/// phase names none.
pub fn phase_short(d: &Design) -> String {
    phase_short_of(&d.phase)
}

/// [`phase_short`] of a phase as written.
pub fn phase_short_of(phase: &str) -> String {
    let phase = phase.to_ascii_lowercase();
    if phase.starts_with(|c: char| c.is_ascii_digit()) {
        format!("ph{}", phase.split_whitespace().next().unwrap_or(""))
    } else if phase.contains("retro") {
        "retro".to_string()
    } else if let Some(code) = phase
        .split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))
    {
        format!("ph{code}")
    } else {
        String::new()
    }
}

/// A design: the phase, then the features that do not repeat it:
/// `Phase 3, randomised, open-label`, `Retrospective, single-arm`.
pub fn design(d: &Design) -> String {
    let phase_word = d.phase.trim();
    let mut parts = vec![phase(d)];
    parts.extend(
        d.features
            .iter()
            .map(|f| f.trim())
            .filter(|f| !f.is_empty() && !f.eq_ignore_ascii_case(phase_word))
            .map(str::to_string),
    );
    parts.join(", ")
}

/// A design on one line, with the sample: `Phase 3, randomised, open-label · 991 patients`.
pub fn design_line(d: &Design) -> String {
    match d.sample_size {
        Some(n) => format!("{} · {}", design(d), patients(n)),
        None => design(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::text::Text;

    fn f(v: f64, d: u8) -> Figure {
        Figure::new(v, d)
    }

    fn value(x: Option<Figure>, unit: Unit, note: Option<&str>) -> ArmValue {
        ArmValue {
            arm: Some("a".into()),
            value: x,
            unit,
            ci: None,
            note: note.map(Text::from),
        }
    }

    #[test]
    fn figures_keep_their_written_precision_and_a_true_minus() {
        assert_eq!(figure(f(57.0, 1)), "57.0");
        assert_eq!(figure(f(57.0, 0)), "57");
        assert_eq!(figure(f(0.8, 2)), "0.80");
        assert_eq!(figure(f(-13.9, 1)), "−13.9");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(4.0), "4");
        assert_eq!(number(-0.5), "−0.5");
        assert_eq!(number(-0.00001), "0");
    }

    #[test]
    fn values_keep_number_and_unit_together() {
        let nb = |s: &str| s.replace(' ', "\u{a0}");
        assert_eq!(value_with_unit(f(9.6, 1), &Unit::Months), nb("9.6 mo"));
        assert_eq!(value_with_unit(f(43.6, 1), &Unit::Percent), "43.6%");
        assert_eq!(value_with_unit(f(1.0, 0), &Unit::Patients), nb("1 patient"));
        assert_eq!(
            value_with_unit(f(38.0, 0), &Unit::Patients),
            nb("38 patients")
        );
        assert_eq!(
            value_with_unit(f(3.6, 1), &Unit::Other("mg/kg".into())),
            nb("3.6 mg/kg")
        );
        assert_eq!(
            value_with_unit(f(25.0, 0), &Unit::Other("× paclitaxel potency".into())),
            "25× paclitaxel potency"
        );
        assert_eq!(
            value_with_unit(f(1998.0, 0), &Unit::Other("calendar year".into())),
            "1998"
        );
    }

    #[test]
    fn ranges_with_a_negative_bound_use_words() {
        assert_eq!(range(f(0.55, 2), f(0.77, 2)), "0.55–0.77");
        assert_eq!(range(f(-20.1, 1), f(-7.5, 1)), "−20.1 to −7.5");
        assert_eq!(range(f(-2.0, 0), f(19.0, 0)), "−2 to 19");
        assert_eq!(ci(f(8.0, 1), f(10.0, 1)), "95% CI 8.0–10.0");
    }

    #[test]
    fn values_without_a_figure_say_so_and_keep_their_note_as_a_note() {
        let nr = value(None, Unit::Months, Some("not reached"));
        assert_eq!(arm_value(&nr), "not reached");
        assert_eq!(arm_note(&nr), None);
        let nr = value(None, Unit::Months, Some("median PFS not reached"));
        assert_eq!(arm_value(&nr), "not reached");
        assert_eq!(arm_note(&nr), Some("median PFS not reached"));
        let none = value(None, Unit::Months, Some("no median given; a trend"));
        assert_eq!(arm_value(&none), "no figure given");
        assert_eq!(arm_note(&none), Some("no median given; a trend"));
        let mut with_ci = value(Some(f(9.0, 1)), Unit::Months, Some("rounded"));
        with_ci.ci = Some((f(8.0, 1), f(10.0, 1)));
        assert_eq!(arm_value(&with_ci), "9.0\u{a0}mo (95% CI 8.0–10.0)");
        assert_eq!(arm_note(&with_ci), Some("rounded"));
    }

    #[test]
    fn effects_read_alike_in_tables_and_words() {
        let hr = Effect {
            measure: Measure::HR,
            estimate: f(0.65, 2),
            ci: Some((f(0.55, 2), f(0.77, 2))),
            p: Some(PValue::Lt(f(0.001, 3))),
            comparison: Text::default(),
        };
        assert_eq!(effect_short(&hr, None), "HR 0.65 (0.55–0.77)");
        assert_eq!(effect(&hr, None), "HR 0.65 (95% CI 0.55–0.77), p < 0.001");
        let diff = Effect {
            measure: Measure::Difference,
            estimate: f(-13.9, 1),
            ci: None,
            p: Some(PValue::Eq(f(0.2566, 4))),
            comparison: Text::default(),
        };
        let pct = Some(&Unit::Percent);
        assert_eq!(
            effect(&diff, pct),
            "Diff −13.9\u{a0}percentage\u{a0}points, p = 0.2566"
        );
        assert_eq!(estimate(&diff, pct), effect_short(&diff, pct));
        assert_eq!(p_value(PValue::Gt(f(0.05, 2))), "p > 0.05");
    }

    #[test]
    fn counts_agree_in_number() {
        assert_eq!(count(1, "patient", "patients"), "1 patient");
        assert_eq!(count(991, "patient", "patients"), "991 patients");
        assert_eq!(patients(1), "1 patient");
    }

    fn design_of(phase: &str, features: &[&str], n: Option<u32>) -> Design {
        Design {
            phase: phase.into(),
            features: features.iter().map(|s| Text::from(*s)).collect(),
            sample_size: n,
            setting: Text::default(),
            duration: Text::default(),
            population: Text::default(),
            intervention: Text::default(),
            comparator: None,
            primary_endpoints: vec![],
            secondary_endpoints: vec![],
            arms: vec![],
            cite: vec![],
        }
    }

    #[test]
    fn design_lines_name_the_phase_once() {
        let d = design_of("3", &["randomised", "open-label"], Some(991));
        assert_eq!(
            design_line(&d),
            "Phase 3, randomised, open-label · 991 patients"
        );
        let d = design_of("retrospective", &["Retrospective", "single-arm"], Some(78));
        assert_eq!(design_line(&d), "Retrospective, single-arm · 78 patients");
        assert_eq!(phase(&design_of("1b/2a", &[], None)), "Phase 1b/2a");
        assert_eq!(
            phase(&design_of("not stated in the sources", &[], None)),
            "Phase not stated in the sources"
        );
        assert_eq!(
            phase(&design_of("neoadjuvant 2", &[], None)),
            "Neoadjuvant, phase 2"
        );
        assert_eq!(
            phase(&design_of(
                "neoadjuvant (phase not stated in the review)",
                &[],
                None
            )),
            "Neoadjuvant (phase not stated in the review)"
        );
        assert_eq!(
            design_line(&design_of("2", &[], Some(1))),
            "Phase 2 · 1 patient"
        );
        assert_eq!(phase_short(&design_of("1b/2a", &[], None)), "ph1b/2a");
        assert_eq!(phase_short(&design_of("neoadjuvant 2", &[], None)), "ph2");
        assert_eq!(phase_short(&design_of("retrospective", &[], None)), "retro");
        assert_eq!(
            phase_short(&design_of("not stated in the sources", &[], None)),
            ""
        );
    }
}
