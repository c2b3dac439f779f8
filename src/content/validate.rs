//! Parsed structs → checked packs, from which the trusted [`super::Library`] is built: every
//! string sanitized, every id checked and resolved, every number checked. All problems are
//! collected, not just the first.

use super::diag::{Diagnostic, Report};
use super::model::*;
use super::parse::ParsedPack;
use super::row::PackInfo;
use super::sanitize::{is_clean, sanitize};
use super::text::Text;
use std::collections::{HashMap, HashSet};

/// Libraries with fewer entries than this are checked on one thread.
const PARALLEL_MIN_ENTRIES: usize = 64;
/// Publication years outside this range are treated as typos.
pub const YEARS: std::ops::RangeInclusive<u32> = 1950..=2035;
/// Longest source label before a warning (labels sit beside every citation).
pub const LABEL_MAX: usize = 24;
/// Key points per question.
pub const KEY_POINTS: std::ops::RangeInclusive<usize> = 3..=6;
/// Words per key response (CONTENT.md); outside it is a warning.
pub const KEY_RESPONSE_WORDS: std::ops::RangeInclusive<usize> = 80..=200;
/// Most words in an entry's later-evidence line (a short note, CONTENT.md rule 11); more is
/// a warning.
pub const LATER_EVIDENCE_WORDS: usize = 80;

/// Where in an entry a check is: built only when a diagnostic needs it (most checks pass,
/// and formatting every path was a large part of validating a big pack).
trait PathArg {
    fn path(&self) -> String;
}

impl PathArg for &str {
    fn path(&self) -> String {
        (*self).to_string()
    }
}

impl<F: Fn() -> String> PathArg for F {
    fn path(&self) -> String {
        self()
    }
}

/// Pack text the validator may replace with its sanitized form.
trait Editable: AsRef<str> {
    fn set(&mut self, s: String);
}

impl Editable for String {
    fn set(&mut self, s: String) {
        *self = s;
    }
}

impl Editable for Text {
    fn set(&mut self, s: String) {
        *self = Text::from(s);
    }
}

struct Ctx<'a> {
    file: &'a str,
    report: &'a mut Report,
    /// Some text was rewritten by sanitizing.
    changed: bool,
}

impl Ctx<'_> {
    fn err(
        &mut self,
        code: &'static str,
        path: String,
        msg: impl Into<String>,
        help: impl Into<String>,
    ) {
        let d = Diagnostic::error(code, self.file, msg)
            .at_path(path)
            .help(help);
        self.report.push(d);
    }
    fn warn(
        &mut self,
        code: &'static str,
        path: String,
        msg: impl Into<String>,
        help: impl Into<String>,
    ) {
        let d = Diagnostic::warning(code, self.file, msg)
            .at_path(path)
            .help(help);
        self.report.push(d);
    }

    /// Sanitize one string in place; warn where it changed; error if required and empty.
    /// `path` is only built when there is something to report.
    fn text(&mut self, s: &mut impl Editable, path: impl PathArg, required: bool) {
        // Most text is clean: it is kept as it is, without a copy.
        if !is_clean(s.as_ref()) {
            let (clean, ch) = sanitize(s.as_ref());
            if ch.any_removed() {
                self.warn(
                    "control-chars",
                    path.path(),
                    format!(
                        "removed {} control character(s) or escape sequence(s)",
                        ch.removed
                    ),
                    "pack text must be plain: remove escape sequences and control characters",
                );
            }
            s.set(clean);
            self.changed = true;
        }
        if required && s.as_ref().trim().is_empty() {
            self.err(
                "empty-text",
                path.path(),
                "required text is empty",
                "write the text, or remove the item",
            );
        }
    }

    fn texts(&mut self, v: &mut [impl Editable], path: impl PathArg) {
        for (i, s) in v.iter_mut().enumerate() {
            self.text(s, || format!("{}[{i}]", path.path()), true);
        }
    }

    fn opt_text(&mut self, s: &mut Option<impl Editable>, path: impl PathArg) {
        if let Some(s) = s {
            self.text(s, path, true);
        }
    }

    fn id(&mut self, id: &mut impl Editable, path: impl PathArg) {
        self.text(id, || path.path(), true);
        let id = id.as_ref();
        if !id.is_empty() && !is_kebab(id) {
            self.err(
                "bad-id",
                path.path(),
                format!("id `{id}` is not kebab-case"),
                "use lowercase letters, digits and single hyphens, e.g. `emilia-resident`",
            );
        }
    }

    fn number(&mut self, v: f64, path: impl PathArg) -> bool {
        if !v.is_finite() {
            self.err(
                "non-finite",
                path.path(),
                format!("{v} is not a finite number"),
                "write the number the source gives",
            );
            return false;
        }
        true
    }
}

/// `s.split_whitespace().count()`, a byte at a time (branch-free) for ASCII text.
fn word_count(s: &str) -> usize {
    if !s.is_ascii() {
        return s.split_whitespace().count();
    }
    // ASCII whitespace as `char::is_whitespace` has it: space, \t, \n, \x0B, \x0C, \r.
    let ws = |b: u8| b == b' ' || (b'\t'..=b'\r').contains(&b);
    let mut prev_ws = true;
    let mut n = 0;
    for &b in s.as_bytes() {
        let w = ws(b);
        n += usize::from(prev_ws & !w);
        prev_ws = w;
    }
    n
}

pub fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// What the per-entry checks made of one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Not checked here: it came from a pack cache that had checked it (see [`ParsedPack::checked`]).
    Prechecked,
    /// Checked, and no diagnostic: what it is now is what checking it again would give.
    Quiet,
    /// Checked, with diagnostics; `changed` if sanitizing rewrote some of its text (so the
    /// entry as parsed is no longer at hand).
    Noisy { changed: bool },
}

/// Parsed packs after every check, before the library is built.
pub(crate) struct Checked {
    pub infos: Vec<PackInfo>,
    /// Every pack's entries with their files, in load order.
    pub entries: Vec<(String, Entry)>,
    /// One per pack: its entries were checked against its own sources only (no other pack
    /// of the run declares one it does not), so an entry found quiet is quiet in any run.
    pub own_sources: Vec<bool>,
    /// One per entry: what its per-entry checks reported (kept in its pack's image).
    pub entry_diags: Vec<Vec<Diagnostic>>,
    pub report: Report,
}

/// Every check of [`super::check_parsed`]. Entries a pack marks as checked ([`ParsedPack::checked`])
/// skip the per-entry checks (their text must already have been proven clean); the
/// checks across entries (unique ids, links) always run. Large libraries are checked on up
/// to `threads` threads.
pub(crate) fn check_packs(packs: Vec<ParsedPack>, mut report: Report, threads: usize) -> Checked {
    let mut infos = Vec::new();
    let mut entries: Vec<(String, Entry)> = Vec::new();
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut source_ids: HashSet<String> = HashSet::new();
    let mut own_counts: Vec<Option<usize>> = Vec::new();
    let mut pack_ids: HashMap<String, String> = HashMap::new();
    let mut manifests_ok = true;
    // What a pack image kept of each entry's checks, replayed for entries it had checked.
    let mut prechecked: Vec<Vec<Diagnostic>> = Vec::new();
    let all_parsed = packs.iter().all(|p| !p.incomplete);

    for pack in packs {
        let file = pack.manifest_file.clone();
        match pack.manifest {
            Some(mut m) => {
                let mut cx = Ctx {
                    file: &file,
                    report: &mut report,
                    changed: false,
                };
                check_manifest(&mut cx, &mut m);
                if let Some(prev) = pack_ids.insert(m.id.clone(), file.clone()) {
                    cx.err(
                        "duplicate-id",
                        m.id.clone(),
                        format!("pack id `{}` is also used by {prev}", m.id),
                        "give each pack its own id",
                    );
                }
                let own: HashSet<&str> = m.sources.iter().map(|s| s.id.as_str()).collect();
                own_counts.push(Some(own.len()));
                for s in &m.sources {
                    source_ids.insert(s.id.clone());
                }
                let ids: Vec<Text> = pack.entries.iter().map(|(_, e)| e.id.clone()).collect();
                if let Some(id) = &mut m.landmark {
                    cx.text(id, "landmark", true);
                    if !pack.incomplete && !ids.iter().any(|i| i == id) {
                        cx.err(
                            "unknown-ref",
                            "landmark".to_string(),
                            format!("landmark entry `{id}` is not an entry of this pack"),
                            "name the id of one of this pack's trials (the app opens on it), or remove `landmark`",
                        );
                    }
                }
                infos.push(PackInfo {
                    manifest: m,
                    entries: ids,
                });
            }
            None => {
                manifests_ok = false;
                own_counts.push(None);
            }
        }
        let checked = pack.checked.len() == pack.entries.len();
        let mut stored = pack.checked.into_iter();
        outcomes.extend((0..pack.entries.len()).map(|_| {
            match stored.next().flatten().filter(|_| checked) {
                Some(d) => {
                    prechecked.push(d);
                    Outcome::Prechecked
                }
                None => {
                    prechecked.push(Vec::new());
                    Outcome::Quiet
                }
            }
        }));
        entries.extend(pack.entries);
    }
    // A pack's own sources are a subset of the run's: the same count means the same set.
    let own_sources = own_counts
        .iter()
        .map(|n| manifests_ok && *n == Some(source_ids.len()))
        .collect();

    // Per-entry checks (sanitizing first so later checks see clean text).
    // Entries are independent here, so large libraries are checked on the machine's cores;
    // each part's diagnostics are appended in entry order, as one thread would have.
    let sources = manifests_ok.then_some(&source_ids);
    let check_all =
        |part: &mut [(String, Entry)], outcomes: &mut [Outcome], stored: &mut [Vec<Diagnostic>]| {
            let mut report = Report::default();
            for (((file, e), outcome), stored) in part.iter_mut().zip(outcomes).zip(stored) {
                if *outcome == Outcome::Prechecked {
                    // Checked when its image was written: what it reported then, again.
                    report.diagnostics.append(stored);
                    continue;
                }
                let before = report.diagnostics.len();
                let mut cx = Ctx {
                    file,
                    report: &mut report,
                    changed: false,
                };
                check_entry(&mut cx, e, sources);
                let changed = cx.changed;
                if report.diagnostics.len() > before {
                    *outcome = Outcome::Noisy { changed };
                    *stored = report.diagnostics[before..].to_vec();
                }
            }
            report.diagnostics
        };
    let mut entry_diags = prechecked;
    let to_check = outcomes
        .iter()
        .filter(|o| **o != Outcome::Prechecked)
        .count();
    if threads > 1 && to_check >= PARALLEL_MIN_ENTRIES {
        let chunk = entries.len().div_ceil(threads);
        let parts: Vec<Vec<Diagnostic>> = std::thread::scope(|s| {
            let handles: Vec<_> = entries
                .chunks_mut(chunk)
                .zip(outcomes.chunks_mut(chunk))
                .zip(entry_diags.chunks_mut(chunk))
                .map(|((part, outs), st)| s.spawn(|| check_all(part, outs, st)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        for mut p in parts {
            report.diagnostics.append(&mut p);
        }
    } else if !entries.is_empty() {
        let mut ds = check_all(&mut entries, &mut outcomes, &mut entry_diags);
        report.diagnostics.append(&mut ds);
    }
    // Replayed diagnostics were moved out; the image keeps what it had for those entries.

    // Cross-entry checks: unique entry and question ids, related links. Whether any id
    // may repeat is settled first from keyed 64-bit hashes (on the machine's cores, sorted,
    // no map): distinct hashes prove distinct ids. Only when two hashes are equal are the
    // ids compared, in the maps that name each duplicate and where it was first used.
    let (dup_entries, dup_questions) = maybe_duplicates(&entries, threads);
    let any_related = entries.iter().any(|(_, e)| !e.related.is_empty());
    let mut entry_ids: HashMap<&str, &str> = HashMap::new();
    if dup_entries || dup_questions || any_related {
        entry_ids.reserve(entries.len());
        let mut question_ids: HashMap<&str, (&str, &str)> = HashMap::new();
        for (file, e) in &entries {
            if let Some(prev) = entry_ids.insert(&e.id, file) {
                report.push(
                    Diagnostic::error(
                        "duplicate-id",
                        file.as_str(),
                        format!("entry id `{}` is also used in {prev}", e.id),
                    )
                    .at_path(e.id.clone())
                    .help("every trial and topic needs its own id; ids are never reused"),
                );
            }
            if !dup_questions {
                continue;
            }
            for q in &e.questions {
                if let Some((pf, pe)) = question_ids.insert(&q.id, (file, &e.id)) {
                    report.push(
                        Diagnostic::error("duplicate-id", file.as_str(), format!("question id `{}` is also used in {pf} ({pe})", q.id))
                            .at_path(format!("{} › questions › {}", e.id, q.id))
                            .help("question ids key review history: give each its own, e.g. `<trial>-<role>-2`"),
                    );
                }
            }
        }
    }
    for (file, e) in &entries {
        for (i, r) in e.related.iter().enumerate() {
            if !entry_ids.contains_key(r.to.as_str()) {
                if !all_parsed {
                    continue;
                }
                report.push(
                    Diagnostic::error(
                        "unknown-ref",
                        file.as_str(),
                        format!("related entry `{}` does not exist", r.to),
                    )
                    .at_path(format!("{} › related[{i}] › to", e.id))
                    .help("use the id of a trial or topic in a loaded pack"),
                );
            } else if r.to == e.id {
                report.push(
                    Diagnostic::error(
                        "unknown-ref",
                        file.as_str(),
                        "an entry cannot be related to itself",
                    )
                    .at_path(format!("{} › related[{i}] › to", e.id))
                    .help("remove the link"),
                );
            }
        }
    }
    drop(entry_ids);

    Checked {
        infos,
        entries,
        own_sources,
        entry_diags,
        report,
    }
}

/// The per-entry checks of one entry (sanitizing it), against `sources`: what they report.
pub(crate) fn check_one(
    file: &str,
    e: &mut Entry,
    sources: Option<&HashSet<String>>,
) -> Vec<Diagnostic> {
    let mut report = Report::default();
    let mut cx = Ctx {
        file,
        report: &mut report,
        changed: false,
    };
    check_entry(&mut cx, e, sources);
    report.diagnostics
}

/// The checks of a manifest (sanitizing it): what they report.
pub(crate) fn check_manifest_alone(file: &str, m: &mut Manifest) -> Vec<Diagnostic> {
    let mut report = Report::default();
    let mut cx = Ctx {
        file,
        report: &mut report,
        changed: false,
    };
    check_manifest(&mut cx, m);
    report.diagnostics
}

/// Whether some entry id, and some question id, may be used twice: false when all their
/// hashes (keyed anew at every run, so a pack cannot aim at a collision) differ.
fn maybe_duplicates(entries: &[(String, Entry)], threads: usize) -> (bool, bool) {
    use std::hash::BuildHasher;
    let keys = std::hash::RandomState::new();
    let hash_part = |part: &[(String, Entry)]| {
        let mut es = Vec::with_capacity(part.len());
        let mut qs = Vec::new();
        for (_, e) in part {
            es.push(keys.hash_one(e.id.as_str()));
            qs.extend(e.questions.iter().map(|q| keys.hash_one(q.id.as_str())));
        }
        (es, qs)
    };
    let parts: Vec<(Vec<u64>, Vec<u64>)> = if threads > 1 && entries.len() >= PARALLEL_MIN_ENTRIES {
        let chunk = entries.len().div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = entries
                .chunks(chunk)
                .map(|part| s.spawn(|| hash_part(part)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    } else {
        vec![hash_part(entries)]
    };
    let (mut es, mut qs): (Vec<u64>, Vec<u64>) = (Vec::new(), Vec::new());
    for (e, q) in parts {
        es.extend(e);
        qs.extend(q);
    }
    let repeats = |v: &mut Vec<u64>| {
        v.sort_unstable();
        v.windows(2).any(|w| w[0] == w[1])
    };
    (repeats(&mut es), repeats(&mut qs))
}

fn check_manifest(cx: &mut Ctx, m: &mut Manifest) {
    cx.id(&mut m.id, "id");
    cx.text(&mut m.title, "title", true);
    cx.text(&mut m.version, "version", true);
    cx.text(&mut m.description, "description", false);
    cx.text(&mut m.as_of, "as_of", true);
    cx.texts(&mut m.authors, "authors");
    cx.text(&mut m.license, "license", true);
    let mut seen = HashSet::new();
    for (i, s) in m.sources.iter_mut().enumerate() {
        let p = format!("sources[{i}]");
        cx.id(&mut s.id, || format!("{p} › id"));
        cx.text(&mut s.label, || format!("{p} › label"), false);
        if s.label.is_empty() {
            cx.warn(
                "missing-label",
                format!("sources › {}", s.id),
                format!("source `{}` has no label; citations will show its id", s.id),
                "add a short label readers recognise, e.g. `label: \"EMILIA summary\"`",
            );
        } else if s.label.chars().count() > LABEL_MAX {
            cx.warn(
                "long-label",
                format!("sources › {}", s.id),
                format!(
                    "the label of source `{}` is over {LABEL_MAX} characters",
                    s.id
                ),
                "keep labels short (the title holds the full name)",
            );
        }
        cx.text(&mut s.file, || format!("{p} › file"), true);
        cx.text(&mut s.title, || format!("{p} › title"), true);
        cx.text(&mut s.description, || format!("{p} › description"), false);
        if let Some(y) = s.year {
            check_year(cx, y, &format!("{p} › year"));
        }
        if !seen.insert(s.id.clone()) {
            cx.err(
                "duplicate-id",
                format!("sources › {}", s.id),
                format!("source id `{}` is declared twice", s.id),
                "give each source its own id",
            );
        }
    }
}

fn check_year(cx: &mut Ctx, y: u32, path: &str) {
    if !YEARS.contains(&y) {
        cx.err(
            "implausible-year",
            path.to_string(),
            format!("year {y} is outside {}–{}", YEARS.start(), YEARS.end()),
            "check the year against the source",
        );
    }
}

fn check_cites(cx: &mut Ctx, cites: &mut [Cite], path: &str, sources: Option<&HashSet<String>>) {
    for (i, c) in cites.iter_mut().enumerate() {
        let p = format!("{path} › cite[{i}]");
        cx.text(&mut c.source, || format!("{p} › source"), true);
        cx.text(&mut c.at, || format!("{p} › at"), true);
        if let Some(sources) = sources
            && !sources.contains(c.source.as_str())
        {
            cx.err(
                "unknown-ref",
                format!("{p} › source"),
                format!("source `{}` is not declared in the manifest", c.source),
                "add it to pack.ron's sources, or fix the id",
            );
        }
    }
}

fn check_values(
    cx: &mut Ctx,
    values: &mut [ArmValue],
    path: &str,
    arms: &HashSet<Text>,
    has_design: bool,
) {
    for (i, v) in values.iter_mut().enumerate() {
        let p = format!("{path} › values[{i}]");
        if let Some(arm) = &mut v.arm {
            cx.text(arm, || format!("{p} › arm"), true);
        }
        cx.opt_text(&mut v.note, || format!("{p} › note"));
        if let Unit::Other(u) = &mut v.unit {
            cx.text(u, || format!("{p} › unit"), true);
        }
        if let Some(arm) = &v.arm
            && has_design
            && !arms.contains(arm.as_str())
        {
            cx.err(
                "unknown-ref",
                format!("{p} › arm"),
                format!("arm `{arm}` is not in the design card"),
                "use an arm id from design.arms, or `arm: None` if the source does not name the arm",
            );
        }
        if let Some(x) = v.value
            && cx.number(x.value(), || format!("{p} › value"))
            && v.unit == Unit::Percent
            && !(0.0..=100.0).contains(&x.value())
        {
            cx.err(
                "out-of-range",
                format!("{p} › value"),
                format!("{x}% is not a percentage in 0–100"),
                "check the value against the source",
            );
        }
        if v.value.is_none() && v.note.is_none() {
            cx.err(
                "empty-text",
                p.to_string(),
                "a value with no number needs a note saying why",
                "add `note: \"not reached\"` (or what the source says)",
            );
        }
        if let Some((lo, hi)) = v.ci {
            let ok = cx.number(lo.value(), || format!("{p} › ci"))
                & cx.number(hi.value(), || format!("{p} › ci"));
            if ok && lo.value() > hi.value() {
                cx.err(
                    "bad-ci",
                    format!("{p} › ci"),
                    format!("CI lower bound {lo} is above upper bound {hi}"),
                    "write the CI as (lower, upper)",
                );
            } else if ok
                && let Some(x) = v.value
                && !(lo.value() <= x.value() && x.value() <= hi.value())
            {
                cx.err(
                    "bad-ci",
                    format!("{p} › ci"),
                    format!("value {x} lies outside its CI ({lo}, {hi})"),
                    "check the value and CI against the source",
                );
            }
        }
    }
}

fn check_effect(cx: &mut Ctx, e: &mut Effect, p: &str) {
    cx.text(&mut e.comparison, || format!("{p} › comparison"), false);
    // (Named in messages only when a ratio: HR, OR, RR.)
    let measure = format!("{:?}", e.measure);
    let est = e.estimate.value();
    let est_ok = cx.number(est, || format!("{p} › estimate"));
    if est_ok && e.measure.is_ratio() && est <= 0.0 {
        cx.err(
            "out-of-range",
            format!("{p} › estimate"),
            format!("a {measure} must be > 0, found {}", e.estimate),
            "ratios are positive; check the source",
        );
    }
    if let Some((lo_f, hi_f)) = e.ci {
        let (lo, hi) = (lo_f.value(), hi_f.value());
        let ok = cx.number(lo, || format!("{p} › ci")) & cx.number(hi, || format!("{p} › ci"));
        if ok {
            if e.measure.is_ratio() && (lo <= 0.0 || hi <= 0.0) {
                cx.err(
                    "out-of-range",
                    format!("{p} › ci"),
                    format!("a {measure} CI must be > 0, found ({lo_f}, {hi_f})"),
                    "ratios are positive; check the source",
                );
            }
            if lo > hi {
                cx.err(
                    "bad-ci",
                    format!("{p} › ci"),
                    format!("CI lower bound {lo_f} is above upper bound {hi_f}"),
                    "write the CI as (lower, upper)",
                );
            } else if est_ok && !(lo <= est && est <= hi) {
                cx.err(
                    "bad-ci",
                    format!("{p} › ci"),
                    format!("estimate {} lies outside its CI ({lo_f}, {hi_f})", e.estimate),
                    "check the estimate and CI against the source; the CI must contain the estimate",
                );
            }
        }
    }
    if let Some(pv) = e.p {
        let v = pv.raw();
        if cx.number(v, || format!("{p} › p")) && !(0.0..=1.0).contains(&v) {
            cx.err(
                "out-of-range",
                format!("{p} › p"),
                format!("p = {v} is not in 0–1"),
                "check the p-value against the source",
            );
        }
    }
}

fn check_entry(cx: &mut Ctx, e: &mut Entry, sources: Option<&HashSet<String>>) {
    cx.id(&mut e.id, "id");
    let eid = e.id.clone();
    let at = |rest: &str| format!("{eid} › {rest}");
    cx.text(&mut e.name, || at("name"), true);
    cx.text(&mut e.title, || at("title"), true);
    if let Some(y) = e.year {
        check_year(cx, y, &at("year"));
    }
    cx.opt_text(&mut e.journal, || at("journal"));
    cx.texts(&mut e.authors, || at("authors"));
    cx.texts(&mut e.registry, || at("registry"));
    cx.texts(&mut e.tags, || at("tags"));
    if let Status::Ongoing { as_of, source } = &mut e.status {
        cx.text(as_of, || at("status › as_of"), true);
        cx.text(source, || at("status › source"), true);
        if let Some(s) = sources
            && !s.contains(source.as_str())
        {
            cx.err(
                "unknown-ref",
                at("status › source"),
                format!("source `{source}` is not declared in the manifest"),
                "use a source id from pack.ron",
            );
        }
    }
    cx.text(&mut e.bottom_line, || at("bottom_line"), true);
    cx.text(&mut e.significance, || at("significance"), false);
    cx.text(&mut e.context, || at("context"), false);
    if let Some(later) = &mut e.later_evidence {
        cx.text(later, || at("later_evidence"), true);
        let words = word_count(later);
        if words > LATER_EVIDENCE_WORDS {
            cx.warn(
                "later-evidence-length",
                at("later_evidence"),
                format!(
                    "the later-evidence line has {words} words; keep it to {LATER_EVIDENCE_WORDS}"
                ),
                "say in a sentence or two what has happened since the sources, and who says so",
            );
        }
    }
    cx.texts(&mut e.limitations, || at("limitations"));

    let mut arms = HashSet::new();
    let has_design = e.design.is_some();
    if let Some(d) = &mut e.design {
        cx.text(&mut d.phase, || at("design › phase"), true);
        cx.texts(&mut d.features, || at("design › features"));
        cx.text(&mut d.setting, || at("design › setting"), false);
        cx.text(&mut d.duration, || at("design › duration"), false);
        cx.text(&mut d.population, || at("design › population"), true);
        cx.text(&mut d.intervention, || at("design › intervention"), true);
        cx.opt_text(&mut d.comparator, || at("design › comparator"));
        cx.texts(&mut d.primary_endpoints, || {
            at("design › primary_endpoints")
        });
        cx.texts(&mut d.secondary_endpoints, || {
            at("design › secondary_endpoints")
        });
        if d.sample_size == Some(0) {
            cx.err(
                "out-of-range",
                at("design › sample_size"),
                "sample size is 0",
                "write the number enrolled, or leave sample_size out",
            );
        }
        for a in d.arms.iter_mut() {
            let p = at(&format!("design › arms › {}", a.id));
            cx.id(&mut a.id, || format!("{p} › id"));
            cx.text(&mut a.label, || format!("{p} › label"), true);
            cx.text(&mut a.regimen, || format!("{p} › regimen"), false);
            if !arms.insert(a.id.clone()) {
                cx.err(
                    "duplicate-id",
                    p.clone(),
                    format!("arm id `{}` is used twice", a.id),
                    "give each arm its own id",
                );
            }
        }
        check_cites(cx, &mut d.cite, &at("design"), sources);
    } else if e.kind == EntryKind::Trial {
        cx.warn(
            "missing-design",
            at("design"),
            "a trial has no design card",
            "add design: Design(...) with phase, population and intervention",
        );
    }

    let mut finding_ids = HashSet::new();
    for f in e.findings.iter_mut() {
        let p = at(&format!("findings › {}", f.id));
        cx.id(&mut f.id, || format!("{p} › id"));
        if !finding_ids.insert(f.id.clone()) {
            cx.err(
                "duplicate-id",
                p.clone(),
                format!("finding id `{}` is used twice in this entry", f.id),
                "give each finding its own id",
            );
        }
        cx.text(&mut f.endpoint, || format!("{p} › endpoint"), true);
        cx.text(&mut f.reading, || format!("{p} › reading"), true);
        match &mut f.analysis {
            Analysis::Subgroup(s) | Analysis::Other(s) => {
                cx.text(s, || format!("{p} › analysis"), true)
            }
            _ => {}
        }
        check_values(cx, &mut f.values, &p, &arms, has_design);
        if let Some(eff) = &mut f.effect {
            check_effect(cx, eff, &format!("{p} › effect"));
        }
        if f.cite.is_empty() {
            // A warning, as docs/pack-format.md says: the finding is still usable.
            cx.warn(
                "missing-cite",
                format!("{p} › cite"),
                "a finding has no citation",
                "add cite: [Cite(source: \"…\", at: \"section or table\")]",
            );
        }
        check_cites(cx, &mut f.cite, &p, sources);
    }

    for (i, s) in e.safety.iter_mut().enumerate() {
        let p = at(&format!("safety[{i}]"));
        cx.text(&mut s.event, || format!("{p} › event"), true);
        cx.opt_text(&mut s.grade, || format!("{p} › grade"));
        cx.opt_text(&mut s.note, || format!("{p} › note"));
        check_values(cx, &mut s.values, &p, &arms, has_design);
        if s.cite.is_empty() {
            cx.err(
                "missing-cite",
                format!("{p} › cite"),
                "a safety item has no citation",
                "add cite: [Cite(...)]",
            );
        }
        check_cites(cx, &mut s.cite, &p, sources);
    }

    for (i, r) in e.related.iter_mut().enumerate() {
        cx.text(&mut r.to, || at(&format!("related[{i}] › to")), true);
        cx.text(&mut r.note, || at(&format!("related[{i}] › note")), false);
    }

    let mut disc_ids = HashSet::new();
    for d in e.discrepancies.iter_mut() {
        let p = at(&format!("discrepancies › {}", d.id));
        cx.id(&mut d.id, || format!("{p} › id"));
        if !disc_ids.insert(d.id.clone()) {
            cx.err(
                "duplicate-id",
                p.clone(),
                format!("discrepancy id `{}` is used twice", d.id),
                "give each discrepancy its own id",
            );
        }
        cx.text(&mut d.about, || format!("{p} › about"), true);
        cx.text(&mut d.note, || format!("{p} › note"), true);
        cx.texts(&mut d.findings, || format!("{p} › findings"));
        if d.versions.len() < 2 {
            cx.err(
                "too-few-versions",
                format!("{p} › versions"),
                "a discrepancy needs at least two versions",
                "record each source's value with its citation",
            );
        }
        for (j, v) in d.versions.iter_mut().enumerate() {
            cx.text(&mut v.says, || format!("{p} › versions[{j}] › says"), true);
            check_cites(
                cx,
                std::slice::from_mut(&mut v.cite),
                &format!("{p} › versions[{j}]"),
                sources,
            );
        }
        for (j, f) in d.findings.iter().enumerate() {
            if !finding_ids.contains(f) {
                cx.err(
                    "unknown-ref",
                    format!("{p} › findings[{j}]"),
                    format!("finding `{f}` is not in this entry"),
                    "use a finding id of this entry",
                );
            }
        }
    }

    let mut roles_seen: HashMap<Role, String> = HashMap::new();
    for q in e.questions.iter_mut() {
        let p = at(&format!("questions › {}", q.id));
        cx.id(&mut q.id, || format!("{p} › id"));
        cx.text(&mut q.prompt, || format!("{p} › prompt"), true);
        cx.text(&mut q.key_response, || format!("{p} › key_response"), true);
        cx.texts(&mut q.key_points, || format!("{p} › key_points"));
        cx.texts(&mut q.tags, || format!("{p} › tags"));
        cx.texts(&mut q.findings, || format!("{p} › findings"));
        if !KEY_POINTS.contains(&q.key_points.len()) {
            cx.err(
                "key-points",
                format!("{p} › key_points"),
                format!(
                    "{} key points; a question needs {}–{}",
                    q.key_points.len(),
                    KEY_POINTS.start(),
                    KEY_POINTS.end()
                ),
                "list the 3–6 points a good answer must contain",
            );
        }
        let words = word_count(&q.key_response);
        if !q.key_response.trim().is_empty() && !KEY_RESPONSE_WORDS.contains(&words) {
            cx.warn(
                "key-response-length",
                format!("{p} › key_response"),
                format!(
                    "key response has {words} words; aim for {}–{}",
                    KEY_RESPONSE_WORDS.start(),
                    KEY_RESPONSE_WORDS.end()
                ),
                "answer the question fully but briefly",
            );
        }
        for (j, f) in q.findings.iter().enumerate() {
            if !finding_ids.contains(f) {
                cx.err(
                    "unknown-ref",
                    format!("{p} › findings[{j}]"),
                    format!("finding `{f}` is not in this entry"),
                    "use a finding id of this entry",
                );
            }
        }
        if let Some(prev) = roles_seen.insert(q.role, q.id.to_string()) {
            cx.warn(
                "duplicate-role",
                p.clone(),
                format!("{} already has a question here (`{prev}`)", q.role.label()),
                "one question per role per entry reads best; move one to another role",
            );
        }
    }
    if !e.questions.is_empty() && roles_seen.len() < 3 {
        cx.warn(
            "few-roles",
            at("questions"),
            format!("questions cover only {} role(s)", roles_seen.len()),
            "write questions for at least three roles of the ladder",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_count_agrees_with_split_whitespace() {
        for s in [
            "",
            " ",
            "one",
            " one  two\tthree\nfour\r\n",
            "a\x0Bb\x0Cc",
            "naïve café  ok",
            "\u{2003}em\u{2003}space",
            "trailing ",
        ] {
            assert_eq!(word_count(s), s.split_whitespace().count(), "{s:?}");
        }
    }

    #[test]
    fn kebab_ids() {
        for ok in ["a", "emilia", "emilia-resident", "tdm4373g", "a-2", "1b"] {
            assert!(is_kebab(ok), "{ok}");
        }
        for bad in [
            "", "-", "a-", "-a", "a--b", "Alpha", "a_b", "a b", "é", "a.b", "a\u{1b}",
        ] {
            assert!(!is_kebab(bad), "{bad:?}");
        }
    }

    #[test]
    fn limits_match_the_pack_format() {
        assert!(YEARS.contains(&1950) && YEARS.contains(&2035));
        assert!(!YEARS.contains(&1949) && !YEARS.contains(&2036));
        assert_eq!(KEY_POINTS, 3..=6);
        assert_eq!(KEY_RESPONSE_WORDS, 80..=200);
        assert_eq!(LATER_EVIDENCE_WORDS, 80);
    }
}
