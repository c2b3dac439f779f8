//! Property tests of the loader: whatever bytes a pack file holds, `content::load` returns
//! a library or a report of located, explained errors. It never panics, and what it lets
//! through is free of control characters and escape sequences.

mod common;
use common::mini_dir as mini;

use proptest::prelude::*;
use trialdeck::content::diag::Location;
use trialdeck::content::sanitize::is_forbidden;
use trialdeck::content::{PackSource, Report};

fn alpha_bytes() -> Vec<u8> {
    std::fs::read(mini().join("alpha.ron")).unwrap()
}

/// A copy of the mini pack with `alpha.ron` replaced by `bytes`.
fn pack_with_alpha(bytes: &[u8]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["pack.ron", "mechanism.ron"] {
        std::fs::copy(mini().join(name), tmp.path().join(name)).unwrap();
    }
    std::fs::write(tmp.path().join("alpha.ron"), bytes).unwrap();
    tmp
}

fn assert_clean(v: &serde_json::Value) {
    match v {
        serde_json::Value::String(s) => {
            assert!(!s.chars().any(is_forbidden), "unsanitized text: {s:?}")
        }
        serde_json::Value::Array(a) => a.iter().for_each(assert_clean),
        serde_json::Value::Object(o) => o.values().for_each(assert_clean),
        _ => {}
    }
}

fn assert_report_sane(report: &Report, alpha: &[u8]) {
    let text = std::str::from_utf8(alpha.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(alpha)).ok();
    for d in &report.diagnostics {
        assert!(!d.message.trim().is_empty(), "empty message: {d:?}");
        assert!(!d.file.is_empty(), "no file: {d:?}");
        assert!(
            !d.message.chars().any(is_forbidden),
            "raw control character in message: {d:?}"
        );
        assert!(
            !d.file.chars().any(is_forbidden),
            "raw control character in file: {d:?}"
        );
        if let Location::Path { path } = &d.location {
            assert!(
                !path.chars().any(is_forbidden),
                "raw control character in path: {d:?}"
            );
        }
        if let (Location::Position { line, column, .. }, Some(text)) = (&d.location, text)
            && d.file.ends_with("alpha.ron")
        {
            // The position lies in the text (or just past its end).
            let lines: Vec<&str> = text.split('\n').collect();
            assert!(
                *line >= 1 && *line <= lines.len(),
                "line {line} of {}: {d:?}",
                lines.len()
            );
            let width = lines[line - 1].chars().count();
            assert!(
                *column >= 1 && *column <= width + 1,
                "column {column} of {width}: {d:?}"
            );
        }
    }
    let rendered = report.render();
    assert!(!rendered.contains('\u{1b}'), "escape in rendered report");
}

/// Load the mini pack with `alpha` as its trial file and check the invariants.
fn load_checked(alpha: &[u8]) {
    let tmp = pack_with_alpha(alpha);
    match trialdeck::pack::load(&[PackSource::Dir(tmp.path().to_path_buf())]) {
        Ok(loaded) => {
            assert!(!loaded.report.has_errors());
            assert_report_sane(&loaded.report, alpha);
            let lib = serde_json::to_value(&loaded.library).unwrap();
            assert_clean(&lib);
        }
        Err(report) => {
            assert!(report.has_errors(), "Err with no errors: {report:?}");
            assert_report_sane(&report, alpha);
        }
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Insert(usize, &'static str),
    Delete(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    // Positions are fractions of the current length, so every mutation lands in the file.
    let pos = 0usize..10_000;
    prop_oneof![
        (pos.clone(), any::<u8>()).prop_map(|(p, b)| Mutation::Flip(p, b)),
        pos.clone().prop_map(Mutation::Truncate),
        (
            pos.clone(),
            prop::sample::select(vec![
                "(",
                ")",
                "\"",
                "\u{1b}",
                "\u{1b}[31m",
                "[",
                "]",
                ",",
                ":",
                "\\",
                "\u{0}",
                "\r",
                "\t",
                "\u{202e}",
                "inf",
                "NaN",
                "-",
                "//",
                "/*",
                "r#\"",
                "é",
                "\u{feff}",
            ])
        )
            .prop_map(|(p, s)| Mutation::Insert(p, s)),
        (pos, 1usize..64).prop_map(|(p, n)| Mutation::Delete(p, n)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let at = |p: usize, len: usize| if len == 0 { 0 } else { p * len / 10_000 };
    match *m {
        Mutation::Flip(p, b) => {
            if !bytes.is_empty() {
                let i = at(p, bytes.len());
                bytes[i] ^= b | 1;
            }
        }
        Mutation::Truncate(p) => bytes.truncate(at(p, bytes.len())),
        Mutation::Insert(p, s) => {
            let i = at(p, bytes.len() + 1);
            bytes.splice(i..i, s.bytes());
        }
        Mutation::Delete(p, n) => {
            let i = at(p, bytes.len());
            let j = (i + n).min(bytes.len());
            bytes.drain(i..j);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_as_an_entry_file_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        load_checked(&bytes);
    }

    #[test]
    fn arbitrary_text_as_an_entry_file_never_panics(text in "\\PC{0,400}") {
        load_checked(format!("Entry(id: \"alpha\", kind: Topic, {text})").as_bytes());
    }

    #[test]
    fn mutated_trial_files_load_or_report_located_errors(muts in prop::collection::vec(mutation(), 1..6)) {
        let mut bytes = alpha_bytes();
        for m in &muts {
            apply(&mut bytes, m);
        }
        load_checked(&bytes);
    }
}

#[test]
fn the_unmutated_trial_file_loads_cleanly() {
    let tmp = pack_with_alpha(&alpha_bytes());
    let loaded = trialdeck::pack::load(&[PackSource::Dir(tmp.path().to_path_buf())]).unwrap();
    assert!(
        loaded.report.diagnostics.is_empty(),
        "{}",
        loaded.report.render()
    );
    assert_eq!(loaded.library.entries.len(), 2);
    assert_eq!(loaded.library.question_count(), 3);
}

#[test]
fn escape_sequences_in_strings_are_removed_at_load() {
    let text = String::from_utf8(alpha_bytes()).unwrap().replace(
        "name: \"ALPHA\"",
        "name: \"AL\\u{1b}[2J\\u{1b}]8;;http://x\\u{7}PHA\u{202e}\\r\"",
    );
    let tmp = pack_with_alpha(text.as_bytes());
    let loaded = trialdeck::pack::load(&[PackSource::Dir(tmp.path().to_path_buf())]).unwrap();
    assert_eq!(loaded.library.entry("alpha").unwrap().name, "ALPHA");
    let warn = &loaded.report.diagnostics;
    assert_eq!(warn.len(), 1, "{warn:?}");
    assert_eq!(warn[0].code, "control-chars");
}

#[test]
fn ron_recursion_limit_is_reported_as_too_deep() {
    // No type of the model nests deeply, so reach the limit through an untyped value.
    use trialdeck::content::parse::{RECURSION_LIMIT, parse};
    for depth in [RECURSION_LIMIT + 1, 100_000] {
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let d = parse::<ron::Value>("deep.ron", &text).unwrap_err();
        assert_eq!(d.code, "too-deep", "{d}");
        assert!(matches!(d.location, Location::Position { line: 1, .. }));
        assert!(!d.help.is_empty());
    }
    let ok = format!("{}{}", "[".repeat(10), "]".repeat(10));
    assert!(parse::<ron::Value>("ok.ron", &ok).is_ok());
}

#[test]
fn an_unreadable_pack_does_not_make_links_into_it_look_broken() {
    // Pack B links to `alpha` in pack A; A has no manifest, so it cannot be read at all.
    // The one useful error is A's; "related entry `alpha` does not exist" would mislead.
    let a = tempfile::tempdir().unwrap();
    std::fs::copy(mini().join("alpha.ron"), a.path().join("alpha.ron")).unwrap();
    let b = tempfile::tempdir().unwrap();
    std::fs::write(
        b.path().join("pack.ron"),
        r#"Manifest(id: "other", title: "Other", version: "1", description: "", as_of: "2020",
           authors: ["t"], license: "CC0-1.0", sources: [])"#,
    )
    .unwrap();
    std::fs::write(
        b.path().join("omega.ron"),
        r#"Entry(id: "omega", kind: Topic, name: "Omega", title: "Omega", bottom_line: "Links to alpha.",
           related: [Related(to: "alpha", relation: Context)])"#,
    )
    .unwrap();
    let dirs = [
        PackSource::Dir(a.path().to_path_buf()),
        PackSource::Dir(b.path().to_path_buf()),
    ];
    let report = trialdeck::pack::load(&dirs).unwrap_err();
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["missing-manifest"], "{}", report.render());

    // With A fixed, B loads with it; without A, the link is a real error.
    std::fs::copy(mini().join("pack.ron"), a.path().join("pack.ron")).unwrap();
    std::fs::copy(mini().join("mechanism.ron"), a.path().join("mechanism.ron")).unwrap();
    assert!(trialdeck::pack::load(&dirs).is_ok());
    let report = trialdeck::pack::load(&dirs[1..]).unwrap_err();
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["unknown-ref"], "{}", report.render());
}
