//! Synthetic libraries for benchmarks and load tests: N trials with realistic-looking text,
//! deterministic from a seed (a small xorshift; no `rand`).

use crate::content::read::{MAX_PACK_BYTES, MAX_PACK_ENTRIES};
use crate::content::{
    Analysis, Arm, ArmValue, Cite, Design, Discrepancy, Effect, Entry, EntryKind, Finding, Library,
    Manifest, Measure, PValue, PackInfo, Question, Role, Source, Status, Unit, Version,
};
use std::io;
use std::path::Path;

const VOCAB: &[&str] = &[
    "trastuzumab",
    "emtansine",
    "pertuzumab",
    "lapatinib",
    "capecitabine",
    "docetaxel",
    "paclitaxel",
    "taxane",
    "anthracycline",
    "HER2-positive",
    "metastatic",
    "breast",
    "cancer",
    "progression-free",
    "overall",
    "survival",
    "hazard",
    "ratio",
    "confidence",
    "interval",
    "randomised",
    "open-label",
    "phase",
    "endpoint",
    "primary",
    "secondary",
    "response",
    "rate",
    "objective",
    "toxicity",
    "thrombocytopenia",
    "hepatotoxicity",
    "neutropenia",
    "diarrhoea",
    "fatigue",
    "cardiotoxicity",
    "ejection",
    "fraction",
    "grade",
    "adverse",
    "events",
    "patients",
    "cohort",
    "arm",
    "control",
    "median",
    "months",
    "follow-up",
    "interim",
    "analysis",
    "censoring",
    "crossover",
    "subgroup",
    "stratified",
    "adjuvant",
    "neoadjuvant",
    "pathological",
    "complete",
    "biomarker",
    "amplification",
    "resistance",
    "conjugate",
    "payload",
    "maytansinoid",
    "internalisation",
    "lysosomal",
    "receptor",
    "tyrosine",
    "kinase",
    "inhibitor",
    "dose",
    "schedule",
    "every",
    "three",
    "weeks",
    "benefit",
    "risk",
    "the",
    "of",
    "and",
    "in",
    "with",
    "was",
    "than",
    "for",
    "versus",
    "compared",
    "improved",
    "reduced",
    "significant",
    "clinically",
    "meaningful",
    "evidence",
    "guideline",
    "standard",
    "care",
    "line",
    "therapy",
    "prior",
    "treated",
];

const TRIAL_NAMES: &[&str] = &[
    "EMILIA",
    "CLEOPATRA",
    "MARIANNE",
    "TH3RESA",
    "KATHERINE",
    "KAITLIN",
    "APHINITY",
    "NeoSphere",
    "HERA",
    "GeparSepto",
    "BOLERO-3",
    "NALA",
];

const SYLLABLES: &[&str] = &[
    "KA", "TH", "ER", "IN", "MA", "RI", "AN", "NE", "CLE", "O", "PA", "TRA", "SO", "PHI", "BE",
    "LU", "NA", "DES", "TI", "NY", "GE", "MO", "VA", "XEN",
];

const ENDPOINTS: &[&str] = &[
    "Progression-free survival",
    "Overall survival",
    "Objective response rate",
    "Grade 3 or higher adverse events",
    "Thrombocytopenia of any grade",
    "Pathological complete response",
    "Duration of response",
    "Time to symptom progression",
];

const DRUGS: &[&str] = &[
    "trastuzumab emtansine",
    "trastuzumab",
    "pertuzumab",
    "lapatinib",
    "capecitabine",
    "docetaxel",
    "paclitaxel",
    "vinorelbine",
    "everolimus",
    "neratinib",
];

const TAGS: &[&str] = &[
    "metastatic",
    "adjuvant",
    "neoadjuvant",
    "second-line",
    "first-line",
    "antibody-drug-conjugate",
    "dual-blockade",
    "phase-3",
];

/// xorshift64*: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15 | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` words of prose: vocabulary, now and then a trial name, sentences capitalised.
fn prose(r: &mut Rng, n: usize) -> String {
    let mut s = String::new();
    let mut sentence_start = true;
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        let w = if r.below(40) == 0 {
            r.pick(TRIAL_NAMES)
        } else {
            r.pick(VOCAB)
        };
        if sentence_start {
            let mut c = w.chars();
            if let Some(f) = c.next() {
                s.extend(f.to_uppercase());
                s.push_str(c.as_str());
            }
        } else {
            s.push_str(w);
        }
        sentence_start = i + 1 < n && r.below(12) == 0;
        if sentence_start || i + 1 == n {
            s.push('.');
        }
    }
    s
}

fn trial_name(r: &mut Rng, i: usize) -> String {
    if r.below(20) == 0 {
        return format!("{}-{}", r.pick(TRIAL_NAMES), i);
    }
    let mut s: String = (0..r.range(2, 4)).map(|_| r.pick(SYLLABLES)).collect();
    if r.below(4) == 0 {
        s.push_str(&format!("-{}", r.range(1, 9)));
    }
    s
}

fn cite(at: &str) -> Cite {
    Cite {
        source: "synthetic".into(),
        at: at.into(),
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn gen_entry(r: &mut Rng, i: usize) -> Entry {
    let id = format!("trial-{i:05}");
    let name = trial_name(r, i);
    let drug_a = r.pick(DRUGS);
    let drug_b = r.pick(DRUGS);
    let intervention = format!("{drug_a} plus {drug_b}");
    let comparator = format!("{} plus {}", r.pick(DRUGS), r.pick(DRUGS));
    let n = r.range(100, 2000) as u32;
    let design = Design {
        phase: ["1", "2", "3", "1b"][r.below(4)].into(),
        features: vec!["randomised".into(), "open-label".into()],
        sample_size: Some(n),
        setting: prose(r, 6).into(),
        duration: format!("{} months of follow-up", r.range(6, 60)).into(),
        population: prose(r, 14).into(),
        intervention: intervention.clone().into(),
        comparator: Some(comparator.clone().into()),
        primary_endpoints: vec![r.pick(ENDPOINTS).into()],
        secondary_endpoints: vec![r.pick(ENDPOINTS).into(), r.pick(ENDPOINTS).into()],
        arms: vec![
            Arm {
                id: "experimental".into(),
                label: intervention.into(),
                n: Some(n / 2),
                regimen: prose(r, 10).into(),
            },
            Arm {
                id: "control".into(),
                label: comparator.into(),
                n: Some(n - n / 2),
                regimen: prose(r, 10).into(),
            },
        ],
        cite: vec![cite("Table 1")],
    };
    let findings = (1..=3)
        .map(|k| {
            let a = round1(3.0 + r.unit() * 30.0);
            let b = round1(3.0 + r.unit() * 30.0);
            let est = round2(0.4 + r.unit() * 0.8);
            Finding {
                id: format!("f{k}").into(),
                endpoint: r.pick(ENDPOINTS).into(),
                analysis: Analysis::Itt,
                values: vec![
                    ArmValue {
                        arm: Some("experimental".into()),
                        value: Some(a.into()),
                        unit: Unit::Months,
                        ci: None,
                        note: None,
                    },
                    ArmValue {
                        arm: Some("control".into()),
                        value: Some(b.into()),
                        unit: Unit::Months,
                        ci: None,
                        note: None,
                    },
                ],
                effect: Some(Effect {
                    measure: Measure::HR,
                    // Figures as their shortest text, which is what the RON writer prints.
                    estimate: est.into(),
                    ci: Some((round2(est * 0.8).into(), round2(est * 1.25).into())),
                    p: Some(PValue::Eq(round2(0.01 + r.unit() * 0.5).into())),
                    comparison: "experimental vs control".into(),
                }),
                reading: prose(r, 24).into(),
                cite: vec![cite(&format!("Table {}", k + 1))],
                headline: k == 1,
            }
        })
        .collect();
    let questions = Role::ALL
        .into_iter()
        .map(|role| Question {
            id: format!("{id}-{}", role.slug()).into(),
            role,
            prompt: format!("{}?", prose(r, 16).trim_end_matches('.')).into(),
            key_response: prose(r, 120).into(),
            key_points: (0..4).map(|_| prose(r, 8).into()).collect(),
            tags: vec![],
            findings: vec!["f1".into()],
        })
        .collect();
    let discrepancies = if i.is_multiple_of(4) {
        vec![Discrepancy {
            id: "d1".into(),
            about: prose(r, 6).into(),
            versions: vec![
                Version {
                    says: prose(r, 8).into(),
                    cite: cite("Table 2"),
                },
                Version {
                    says: prose(r, 8).into(),
                    cite: cite("Results, paragraph 3"),
                },
            ],
            note: prose(r, 30).into(),
            findings: vec!["f2".into()],
        }]
    } else {
        vec![]
    };
    let title_words = r.range(8, 16);
    Entry {
        id: id.into(),
        kind: EntryKind::Trial,
        title: prose(r, title_words)
            .trim_end_matches('.')
            .to_string()
            .into(),
        name: name.into(),
        year: Some(2000 + r.below(20) as u32),
        journal: Some("Journal of Synthetic Oncology".into()),
        authors: vec!["Devgen A".into()],
        registry: vec![format!("NCT{:08}", r.below(100_000_000)).into()],
        status: Status::Reported,
        design: Some(design),
        bottom_line: prose(r, 50).into(),
        significance: prose(r, 30).into(),
        context: prose(r, 30).into(),
        later_evidence: None,
        findings,
        safety: vec![],
        limitations: vec![prose(r, 12).into()],
        related: vec![],
        discrepancies,
        questions,
        tags: (0..r.range(1, 3)).map(|_| r.pick(TAGS).into()).collect(),
    }
}

fn manifest() -> Manifest {
    Manifest {
        id: "synthetic".into(),
        title: "Synthetic trials".into(),
        version: "0.1.0".into(),
        description: "Generated by trialdeck::dev::generate for benchmarks and tests.".into(),
        as_of: "2020".into(),
        authors: vec!["devgen".into()],
        license: "CC0-1.0".into(),
        sources: vec![Source {
            id: "synthetic".into(),
            label: "Synthetic source".into(),
            file: "synthetic.txt".into(),
            title: "Synthetic source".into(),
            year: Some(2020),
            description: String::new(),
        }],
        landmark: None,
    }
}

/// A synthetic library of `trials` trials, each with a design, 3 findings, 7 questions (one
/// per role, ~120-word key responses) and, for every fourth trial, a discrepancy.
pub fn gen_library(trials: usize, seed: u64) -> Library {
    let mut r = Rng::new(seed);
    let entries: Vec<Entry> = (0..trials).map(|i| gen_entry(&mut r, i)).collect();
    let pack = PackInfo {
        manifest: manifest(),
        entries: entries.iter().map(|e| e.id.clone()).collect(),
    };
    Library::new(vec![pack], entries)
}

fn ron_err(e: ron::Error) -> io::Error {
    io::Error::other(e.to_string())
}

/// Most bytes one generated entry file may take. Generated entries are far smaller (about
/// 21 KB); [`write_pack`] checks every one, so a generated pack of [`MAX_PACK_ENTRIES`]
/// entries always fits the loader's [`MAX_PACK_BYTES`].
pub const MAX_GEN_ENTRY_BYTES: u64 = 25 * 1024;

// The generator and the loader agree: the largest pack the generator may write loads.
const _: () = assert!(
    (MAX_PACK_ENTRIES as u64 + 1) * MAX_GEN_ENTRY_BYTES <= MAX_PACK_BYTES
        && MAX_PACK_ENTRIES <= crate::content::read::MAX_RUN_ENTRIES
        && MAX_PACK_BYTES <= crate::content::read::MAX_RUN_BYTES
);

/// Refuse a pack the loader would refuse: more trials than [`MAX_PACK_ENTRIES`].
pub fn check_trials(trials: usize) -> io::Result<()> {
    if trials > MAX_PACK_ENTRIES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{trials} trials is more than one pack may hold ({MAX_PACK_ENTRIES}, see \
                 Limits in docs/pack-format.md); generate several smaller packs"
            ),
        ));
    }
    Ok(())
}

fn write_entry(dir: &Path, e: &Entry) -> io::Result<()> {
    let text = ron::ser::to_string_pretty(e, ron::ser::PrettyConfig::default()).map_err(ron_err)?;
    if text.len() as u64 > MAX_GEN_ENTRY_BYTES {
        return Err(io::Error::other(format!(
            "generated entry {} takes {} bytes, more than the {MAX_GEN_ENTRY_BYTES} the \
             generator allows itself (a bug in the generator)",
            e.id,
            text.len()
        )));
    }
    std::fs::write(dir.join(format!("{}.ron", e.id)), text)
}

fn write_manifest(dir: &Path, manifest: &Manifest) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let text =
        ron::ser::to_string_pretty(manifest, ron::ser::PrettyConfig::default()).map_err(ron_err)?;
    std::fs::write(dir.join(crate::content::read::MANIFEST), text)
}

/// Write `lib` as a pack directory: `pack.ron` (the first pack's manifest) and one
/// `<entry id>.ron` per entry. Refuses (before writing anything) a library the loader
/// would refuse as one pack.
pub fn write_pack(lib: &Library, dir: &Path) -> io::Result<()> {
    check_trials(lib.entries.len())?;
    let manifest = lib
        .packs
        .first()
        .map(|p| p.manifest.clone())
        .unwrap_or_else(manifest);
    write_manifest(dir, &manifest)?;
    for e in &lib.entries {
        write_entry(dir, e)?;
    }
    Ok(())
}

/// Generate and write a pack of `trials` trials, one entry at a time (the same pack
/// [`gen_library`] and [`write_pack`] make, without holding it in memory). Refuses more
/// trials than one pack may hold before writing anything.
pub fn gen_pack(trials: usize, seed: u64, dir: &Path) -> io::Result<()> {
    gen_pack_from(trials, seed, 0, dir)
}

/// [`gen_pack`] whose trials are numbered from `first` (ids `trial-<first>` on), in a pack
/// of its own id when `first` is not 0: packs made with separate ranges load together (a
/// curriculum of more trials than one pack may hold, see [`MAX_PACK_ENTRIES`]).
pub fn gen_pack_from(trials: usize, seed: u64, first: usize, dir: &Path) -> io::Result<()> {
    check_trials(trials)?;
    let mut m = manifest();
    if first != 0 {
        m.id = format!("synthetic-{first}");
    }
    write_manifest(dir, &m)?;
    let mut r = Rng::new(seed);
    for i in first..first + trials {
        write_entry(dir, &gen_entry(&mut r, i))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::PackSource;
    use crate::pack::load;

    #[test]
    fn deterministic() {
        let a = gen_library(3, 7);
        let b = gen_library(3, 7);
        assert_eq!(a.entries, b.entries);
        assert_ne!(a.entries, gen_library(3, 8).entries);
        assert_eq!(a.question_count(), 21);
        let words = a.entries[0].questions[0]
            .key_response
            .split_whitespace()
            .count();
        assert_eq!(words, 120);
    }

    #[test]
    fn generated_entries_stay_under_the_size_the_limits_assume() {
        let mut r = Rng::new(5);
        let mut largest = 0;
        for i in 0..400 {
            let e = gen_entry(&mut r, i);
            let text = ron::ser::to_string_pretty(&e, ron::ser::PrettyConfig::default()).unwrap();
            largest = largest.max(text.len() as u64);
        }
        eprintln!("largest generated entry: {largest} bytes");
        assert!(largest <= MAX_GEN_ENTRY_BYTES, "{largest}");
    }

    #[test]
    fn gen_pack_writes_what_gen_library_and_write_pack_write() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        gen_pack(5, 9, a.path()).unwrap();
        write_pack(&gen_library(5, 9), b.path()).unwrap();
        let files = |d: &Path| {
            let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(d)
                .unwrap()
                .map(|e| {
                    let e = e.unwrap();
                    let name = e.file_name().to_string_lossy().into_owned();
                    (name, std::fs::read(e.path()).unwrap())
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(files(a.path()).len(), 6);
        assert_eq!(files(a.path()), files(b.path()));
    }

    #[test]
    fn the_generator_refuses_more_trials_than_a_pack_may_hold() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("big");
        let err = gen_pack(MAX_PACK_ENTRIES + 1, 1, &out).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(
            err.to_string().contains("more than one pack may hold"),
            "{err}"
        );
        assert!(!out.exists(), "nothing is written");
        assert!(check_trials(MAX_PACK_ENTRIES).is_ok());
    }

    #[test]
    fn written_pack_loads_without_errors() {
        let lib = gen_library(12, 42);
        let dir = tempfile::tempdir().unwrap();
        write_pack(&lib, dir.path()).unwrap();
        let loaded = match load(&[PackSource::Dir(dir.path().to_path_buf())]) {
            Ok(l) => l,
            Err(report) => panic!("synthetic pack failed to load: {report:?}"),
        };
        assert!(!loaded.report.has_errors());
        assert_eq!(loaded.library.entries.len(), 12);
        assert_eq!(loaded.library.question_count(), 12 * 7);
        for e in &lib.entries {
            assert_eq!(loaded.library.entry(&e.id), Some(e));
        }
    }
}
