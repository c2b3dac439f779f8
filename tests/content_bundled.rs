//! The bundled pack's shape: the trials the sources report, seven roles for the major ones,
//! citations everywhere, and a numeric cross-check of every key response.

mod common;
use common::bundled_clean as lib;

use std::collections::BTreeSet;
use trialdeck::content::{Entry, EntryKind, Role, Status};

/// Numbers written in running text, as values: "1,092" → 1092, "43.6%" → 43.6.
/// Digits glued to letters (T-DM1, HER2, NCT0…, m2) are names, not numbers.
fn numbers(text: &str) -> Vec<f64> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            let glued_before = start > 0
                && (chars[start - 1].is_alphabetic()
                    || (chars[start - 1] == '-'
                        && start > 1
                        && chars[start - 2].is_alphanumeric())
                    || chars[start - 1] == '.' && start > 1 && chars[start - 2].is_ascii_digit());
            let mut s = String::new();
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || ((chars[i] == '.' || chars[i] == ',')
                        && i + 1 < chars.len()
                        && chars[i + 1].is_ascii_digit()
                        // "1,092" is a thousands separator; "3, 4" is a list.
                        && (chars[i] == '.' || (i + 3 < chars.len() + 1 && chars[i + 1..].iter().take(3).all(|c| c.is_ascii_digit())))))
            {
                if chars[i] != ',' {
                    s.push(chars[i]);
                }
                i += 1;
            }
            let glued_after =
                i < chars.len() && chars[i].is_alphabetic() && !matches!(chars[i], 'x' | '×');
            // "95% CI" names the kind of interval, not a figure of the trial.
            let rest: String = chars[i..].iter().take(14).collect();
            let ci_level =
                s == "95" && (rest.starts_with("% CI") || rest.starts_with("% confidence"));
            if !glued_before
                && !glued_after
                && !ci_level
                && let Ok(v) = s.parse::<f64>()
            {
                out.push(v);
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Every number an entry's findings, safety, design card and discrepancy notes hold.
fn known_numbers(e: &Entry) -> Vec<f64> {
    let mut v: Vec<f64> = Vec::new();
    let mut text = String::new();
    let mut push_text = |s: &str| {
        text.push_str(s);
        text.push('\n');
    };
    if let Some(y) = e.year {
        v.push(y as f64);
    }
    for r in &e.registry {
        push_text(r);
    }
    if let Status::Ongoing { as_of, .. } = &e.status {
        push_text(as_of);
    }
    if let Some(d) = &e.design {
        v.extend(d.sample_size.map(|n| n as f64));
        for s in [
            &d.phase,
            &d.setting,
            &d.duration,
            &d.population,
            &d.intervention,
        ] {
            push_text(s);
        }
        push_text(d.comparator.as_deref().unwrap_or(""));
        for s in d
            .features
            .iter()
            .chain(&d.primary_endpoints)
            .chain(&d.secondary_endpoints)
        {
            push_text(s);
        }
        for a in &d.arms {
            v.extend(a.n.map(|n| n as f64));
            push_text(&a.label);
            push_text(&a.regimen);
        }
    }
    fn values(vals: &[trialdeck::content::ArmValue], v: &mut Vec<f64>, text: &mut dyn FnMut(&str)) {
        for x in vals {
            v.extend(x.value.map(|x| x.value()));
            if let Some((a, b)) = x.ci {
                v.extend([a.value(), b.value()]);
            }
            text(x.note.as_deref().unwrap_or(""));
            if let trialdeck::content::Unit::Other(u) = &x.unit {
                text(u);
            }
        }
    }
    for f in &e.findings {
        values(&f.values, &mut v, &mut push_text);
        if let Some(eff) = &f.effect {
            v.push(eff.estimate.value());
            if let Some((a, b)) = eff.ci {
                v.extend([a.value(), b.value()]);
            }
            v.extend(eff.p.map(|p| p.raw()));
            push_text(&eff.comparison);
        }
        push_text(&f.endpoint);
        push_text(&f.reading);
        if let trialdeck::content::Analysis::Subgroup(s) | trialdeck::content::Analysis::Other(s) =
            &f.analysis
        {
            push_text(s);
        }
    }
    for s in &e.safety {
        values(&s.values, &mut v, &mut push_text);
        push_text(&s.event);
        push_text(s.grade.as_deref().unwrap_or(""));
        push_text(s.note.as_deref().unwrap_or(""));
    }
    for d in &e.discrepancies {
        for ver in &d.versions {
            push_text(&ver.says);
        }
    }
    v.extend(numbers(&text));
    v
}

#[test]
fn number_extraction_reads_numbers_not_names() {
    assert_eq!(
        numbers("T-DM1 in HER2-positive disease, NCT01120184"),
        Vec::<f64>::new()
    );
    assert_eq!(
        numbers("9.6 vs 6.4 months (HR 0.65; P<0.001)"),
        vec![9.6, 6.4, 0.65, 0.001]
    );
    assert_eq!(
        numbers("1,092 patients; 43.6% vs 30.8%"),
        vec![1092.0, 43.6, 30.8]
    );
    assert_eq!(numbers("arms 3, 4 and 5"), vec![3.0, 4.0, 5.0]);
    assert_eq!(
        numbers("HR 0.65 (95% CI 0.55–0.77)"),
        vec![0.65, 0.55, 0.77]
    );
}

#[test]
fn the_pack_holds_every_trial_the_sources_report() {
    let lib = lib();
    let ids: BTreeSet<&str> = lib.entries.iter().map(|e| e.id.as_str()).collect();
    for id in [
        "emilia",
        "th3resa",
        "cleopatra",
        "marianne",
        "tdm3569g",
        "tdm4258g",
        "tdm4374g",
        "tdm4450g",
        "tdm4373g",
        "ncch-retrospective",
        "dzimitrowicz",
        "italian-retro-1",
        "italian-retro-2",
        "neosphere",
        "neoaltto",
        "katherine",
        "kaitlin",
        "atempt",
        "kristine",
        "adapt",
        "tdm4652g",
        "topic-mechanism",
        "topic-resistance",
        "topic-landscape",
    ] {
        assert!(ids.contains(id), "missing entry {id}");
    }
    for id in [
        "katherine",
        "kaitlin",
        "atempt",
        "kristine",
        "adapt",
        "tdm4652g",
    ] {
        let e = lib.entry(id).unwrap();
        assert!(
            e.status.is_ongoing(),
            "{id} must be marked ongoing as of its source"
        );
        assert!(
            e.design.as_ref().is_some_and(|d| d.sample_size.is_some()),
            "{id} needs its planned enrolment"
        );
        assert!(!e.registry.is_empty(), "{id} needs its registry id");
    }
    for id in ["topic-mechanism", "topic-resistance", "topic-landscape"] {
        assert_eq!(lib.entry(id).unwrap().kind, EntryKind::Topic);
    }
    assert!(
        lib.question_count() >= 70,
        "only {} questions",
        lib.question_count()
    );
}

#[test]
fn major_trials_have_all_seven_roles_in_ladder_order() {
    let lib = lib();
    for id in ["emilia", "th3resa", "tdm4450g", "ncch-retrospective"] {
        let e = lib.entry(id).unwrap();
        let roles: Vec<Role> = e.questions.iter().map(|q| q.role).collect();
        assert_eq!(roles, Role::ALL.to_vec(), "{id}");
    }
    // MARIANNE and CLEOPATRA are known here only from a one-line card (and, for MARIANNE,
    // the review's design): they keep only the tiers that ask a real question of what the
    // sources give, one question per tier, in ladder order, each tied to a finding the entry
    // holds. The tiers they dropped keep their ids retired.
    for (id, retired) in [
        ("marianne", &["marianne-attending"][..]),
        (
            "cleopatra",
            &[
                "cleopatra-resident",
                "cleopatra-editor",
                "cleopatra-guideline",
            ][..],
        ),
    ] {
        let e = lib.entry(id).unwrap();
        let roles: Vec<Role> = e.questions.iter().map(|q| q.role).collect();
        assert!(roles.len() >= 4, "{id} has only {} questions", roles.len());
        assert!(
            roles.windows(2).all(|w| w[0] < w[1]),
            "{id}: roles must climb the ladder, one question each: {roles:?}"
        );
        for q in &e.questions {
            assert!(
                !q.findings.is_empty()
                    && q.findings
                        .iter()
                        .all(|f| e.findings.iter().any(|x| &x.id == f)),
                "{id} › {} must rely on a finding the entry holds",
                q.id
            );
            assert!(
                !retired.contains(&q.id.as_str()),
                "{} is a retired id",
                q.id
            );
        }
    }
    for e in &lib.entries {
        let roles: BTreeSet<Role> = e.questions.iter().map(|q| q.role).collect();
        assert!(
            roles.len() >= 3,
            "{} has questions for only {} roles",
            e.id,
            roles.len()
        );
    }
}

#[test]
fn every_finding_and_safety_item_is_cited_and_reported_trials_have_findings() {
    let lib = lib();
    for e in &lib.entries {
        for f in &e.findings {
            assert!(!f.cite.is_empty(), "{} › {} has no citation", e.id, f.id);
        }
        for s in &e.safety {
            assert!(!s.cite.is_empty(), "{} › {} has no citation", e.id, s.event);
        }
        if e.kind == EntryKind::Trial && !e.status.is_ongoing() {
            assert!(
                !e.findings.is_empty(),
                "{} reports results but has no findings",
                e.id
            );
        }
    }
}

#[test]
fn key_responses_state_only_numbers_the_entry_holds() {
    let lib = lib();
    let mut problems = Vec::new();
    for e in &lib.entries {
        let known = known_numbers(e);
        for q in &e.questions {
            for n in numbers(&q.key_response) {
                if !known.iter().any(|k| (k - n).abs() < 1e-9) {
                    problems.push(format!("{} › {}: {n}", e.id, q.id));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "numbers in key responses that the entry's data does not hold:\n{}",
        problems.join("\n")
    );
}

#[test]
fn discrepancies_are_recorded_with_two_cited_versions() {
    let lib = lib();
    let total: usize = lib.entries.iter().map(|e| e.discrepancies.len()).sum();
    assert!(total >= 10, "only {total} discrepancy notes");
    for id in ["emilia", "th3resa", "ncch-retrospective"] {
        assert!(
            !lib.entry(id).unwrap().discrepancies.is_empty(),
            "{id} should record its discrepancies"
        );
    }
}

/// The export of the small fixture pack, whole: short enough to review line by line.
#[test]
fn json_export_snapshot_of_the_mini_pack() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good/mini");
    let loaded = trialdeck::pack::load(&[trialdeck::content::PackSource::Dir(dir)])
        .unwrap_or_else(|r| panic!("the mini pack does not load:\n{}", r.render()));
    insta::assert_snapshot!(
        "mini_pack_export",
        trialdeck::export::to_json(&loaded.library)
    );
}

/// The bundled export is too long to review as a snapshot; its shape is checked instead.
#[test]
fn json_export_of_the_bundled_pack_has_the_documented_shape() {
    let lib = lib();
    let text = trialdeck::export::to_json(&lib);
    let v: serde_json::Value = serde_json::from_str(&text).expect("the export parses as JSON");
    assert_eq!(v["format"], "trialdeck-pack");
    assert_eq!(
        v["format_version"],
        serde_json::json!(trialdeck::export::JSON_FORMAT_VERSION)
    );
    let packs = v["packs"].as_array().expect("packs is an array");
    assert_eq!(packs.len(), lib.packs.len());
    let entries = v["entries"].as_array().expect("entries is an array");
    // One entry per row of `trialdeck list` (the library's entries, in order).
    let list_ids: Vec<&str> = lib.entries.iter().map(|e| e.id.as_str()).collect();
    let export_ids: Vec<&str> = entries
        .iter()
        .map(|e| e["id"].as_str().expect("every entry has a string id"))
        .collect();
    assert_eq!(export_ids, list_ids);
    assert!(entries.len() >= 24);
    for e in entries {
        let id = &e["id"];
        assert!(
            e["name"].as_str().is_some_and(|n| !n.is_empty()),
            "{id}: name"
        );
        for key in [
            "questions",
            "findings",
            "safety",
            "related",
            "discrepancies",
        ] {
            assert!(e[key].is_array(), "{id}: {key} is not an array");
        }
        for q in e["questions"].as_array().unwrap() {
            for key in ["id", "role", "prompt", "key_response"] {
                assert!(q[key].is_string(), "{id}: question {key}");
            }
        }
    }
    let questions: usize = entries
        .iter()
        .map(|e| e["questions"].as_array().unwrap().len())
        .sum();
    assert_eq!(questions, lib.question_count());
    // The entries parse back into the model, equal to what was exported.
    let back: Vec<Entry> =
        serde_json::from_value(v["entries"].clone()).expect("entries parse back into the model");
    // Equal as JSON: JSON numbers keep no trailing zeros (0.80 is 0.8; see content::figure).
    assert!(
        serde_json::to_value(&back).unwrap() == v["entries"],
        "the export does not round-trip"
    );
}
