//! Every bad pack under tests/fixtures/bad/ must make `trialdeck check` report the diagnostic
//! its `expect.json` names, with the right exit status. A few defects that would be awkward
//! to commit (an 8 MiB file, runaway nesting) are generated into a tempdir here.

mod common;
use common::{mini_dir as mini, trialdeck};

fn mini_copy() -> tempfile::TempDir {
    common::mini_copy_edited("", str::to_string)
}

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Run `check --format json --pack DIR`: exit code and the parsed JSON report.
fn check_json(dir: &Path) -> (i32, Value) {
    let out = trialdeck()
        .args(["check", "--format", "json", "--pack"])
        .arg(dir)
        .output()
        .expect("runs");
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "{}: panic on stderr:\n{stderr}",
        dir.display()
    );
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{}: stdout is not JSON ({e}):\n{stdout}", dir.display()));
    (out.status.code().expect("exit code"), json)
}

fn diagnostics(report: &Value) -> &Vec<Value> {
    report["diagnostics"].as_array().expect("diagnostics array")
}

/// Does `d` match every key the expectation gives?
fn matches(d: &Value, expect: &Value) -> bool {
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let loc = &d["location"];
    if s(d, "code") != s(expect, "code") {
        return false;
    }
    if let Some(file) = s(expect, "file")
        && !d["file"].as_str().unwrap_or_default().ends_with(&file)
    {
        return false;
    }
    let severity = s(expect, "severity").unwrap_or_else(|| "error".into());
    if s(d, "severity").as_deref() != Some(severity.as_str()) {
        return false;
    }
    for key in ["line", "column"] {
        if let Some(n) = expect.get(key)
            && loc.get(key) != Some(n)
        {
            return false;
        }
    }
    if let Some(path) = s(expect, "path")
        && !loc["path"].as_str().unwrap_or_default().contains(&path)
    {
        return false;
    }
    true
}

fn assert_fixture(dir: &Path, expect: &Value) {
    let (code, report) = check_json(dir);
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let want_exit = expect["exit"].as_i64().expect("expect.exit") as i32;
    assert_eq!(
        code, want_exit,
        "{name}: exit status\n{report:#}\nexpected {expect}"
    );
    assert_eq!(
        report["ok"].as_bool(),
        Some(want_exit == 0),
        "{name}: `ok` field"
    );
    assert!(
        diagnostics(&report).iter().any(|d| matches(d, expect)),
        "{name}: no diagnostic matches {expect}\ngot {report:#}"
    );
    for d in diagnostics(&report) {
        assert!(
            !d["message"].as_str().unwrap_or_default().is_empty(),
            "{name}: empty message in {d}"
        );
        assert!(
            !d["help"].as_str().unwrap_or_default().is_empty(),
            "{name}: no help in {d}"
        );
    }
    if want_exit == 0 {
        assert_eq!(
            report["errors"], 0,
            "{name}: a warnings-only fixture has errors"
        );
    }
}

#[test]
fn every_bad_fixture_reports_its_diagnostic() {
    let mut dirs: Vec<PathBuf> = fs::read_dir(fixtures().join("bad"))
        .expect("tests/fixtures/bad exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 24, "only {} bad fixtures", dirs.len());
    for dir in dirs {
        let expect: Value = serde_json::from_str(
            &fs::read_to_string(dir.join("expect.json"))
                .unwrap_or_else(|e| panic!("{}: expect.json: {e}", dir.display())),
        )
        .unwrap_or_else(|e| panic!("{}: expect.json: {e}", dir.display()));
        assert_fixture(&dir, &expect);
    }
}

#[test]
fn the_good_mini_pack_has_no_diagnostics() {
    let (code, report) = check_json(&mini());
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["ok"], true);
    assert!(diagnostics(&report).is_empty(), "{report:#}");
    trialdeck()
        .args(["check", "--pack"])
        .arg(mini())
        .assert()
        .success()
        .stdout("ok: no problems found\n");
}

#[test]
fn text_report_of_a_syntax_error_has_location_header_and_caret() {
    let dir = fixtures().join("bad/syntax-missing-comma");
    let out = trialdeck()
        .args(["check", "--pack"])
        .arg(&dir)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let head = lines
        .iter()
        .position(|l| l.starts_with("error[syntax]:"))
        .unwrap_or_else(|| panic!("no error[syntax] header:\n{text}"));
    assert!(
        lines[head + 1].trim_start().starts_with("--> ")
            && lines[head + 1].ends_with("alpha.ron:7:5"),
        "location line: {:?}",
        lines[head + 1]
    );
    assert_eq!(
        lines[head + 3],
        "7 |     title: \"Drug A versus drug B in an invented disease\","
    );
    // The caret sits under column 5: "  | " then four spaces.
    assert_eq!(lines[head + 4], "  |     ^");
    assert!(text.contains("= help: "), "{text}");
    assert!(text.ends_with("1 error, 0 warnings\n"), "{text}");
}

#[test]
fn text_report_caret_points_at_the_value_not_the_space_before_it() {
    let dir = fixtures().join("bad/wrong-type-string-for-number");
    let out = trialdeck()
        .args(["check", "--pack"])
        .arg(&dir)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let src = "16 |         sample_size: \"400\",";
    let i = text
        .lines()
        .position(|l| l == src)
        .unwrap_or_else(|| panic!("no source line:\n{text}"));
    let caret = text.lines().nth(i + 1).unwrap();
    let col = caret.find('^').unwrap() - "   | ".len() + 1;
    assert_eq!(col, 22, "caret line {caret:?}");
}

#[test]
fn file_over_8_mib_is_rejected_without_reading_it_all() {
    let tmp = mini_copy();
    // A syntactically plausible file, just too big: a comment padded past the cap.
    let mut big = b"#![enable(implicit_some)]\n// ".to_vec();
    big.resize(8 * 1024 * 1024 + 1, b'x');
    fs::write(tmp.path().join("zzz-big.ron"), big).unwrap();
    assert_fixture(
        tmp.path(),
        &serde_json::json!({"exit": 1, "code": "too-large", "file": "zzz-big.ron"}),
    );
}

#[test]
fn file_of_exactly_8_mib_is_read() {
    let tmp = mini_copy();
    let mut text = fs::read(mini().join("mechanism.ron")).unwrap();
    text.extend_from_slice(b"// ");
    text.resize(8 * 1024 * 1024, b'x');
    text.pop();
    text.push(b'\n');
    fs::write(tmp.path().join("mechanism.ron"), text).unwrap();
    let (code, report) = check_json(tmp.path());
    assert_eq!(code, 0, "{report:#}");
}

/// The model has no recursive type, so serde stops typed input at the first wrong bracket
/// long before ron's recursion limit (which `content_props.rs` tests on untyped input);
/// either way, runaway nesting must be a located error, never a stack overflow.
#[test]
fn runaway_nesting_is_a_located_error_not_a_stack_overflow() {
    let tmp = mini_copy();
    for depth in [200usize, 100_000] {
        for (field, code) in [("tags", "wrong-type"), ("status", "syntax")] {
            let text = format!(
                "Entry(id: \"deep\", kind: Topic, name: \"x\", title: \"x\", bottom_line: \"x\", {field}: {}{})",
                "[(".repeat(depth),
                ")]".repeat(depth)
            );
            fs::write(tmp.path().join("deep.ron"), text).unwrap();
            assert_fixture(
                tmp.path(),
                &serde_json::json!({"exit": 1, "code": code, "file": "deep.ron", "line": 1}),
            );
        }
    }
}

#[test]
fn control_characters_are_removed_before_show_prints_them() {
    let dir = fixtures().join("bad/control-chars");
    let out = trialdeck()
        .args(["--no-color", "show", "alpha", "--pack"])
        .arg(&dir)
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("In this invented trial drug A"),
        "the text around the escapes survives:\n{stdout}"
    );
    assert!(!stdout.contains('\u{1b}'), "ESC in show output");
    assert!(!stdout.contains('\u{7}'), "BEL in show output");
    assert!(!stdout.contains("pwned"), "OSC payload in show output");
    // The warning goes to stderr, itself free of raw escapes.
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("warning[control-chars]"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "ESC in stderr");

    // The same holds for the JSON export.
    let out = trialdeck()
        .args(["export", "--format", "json", "--pack"])
        .arg(&dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json = String::from_utf8(out).unwrap();
    assert!(!json.contains("\\u001b") && !json.contains('\u{1b}'));
}

#[test]
fn a_broken_entry_file_does_not_cause_cascading_unknown_ref_errors() {
    // alpha.ron fails to parse; mechanism.ron links to alpha. Only the syntax error is useful.
    let (_, report) = check_json(&fixtures().join("bad/syntax-missing-comma"));
    let codes: Vec<&str> = diagnostics(&report)
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["syntax"], "{report:#}");
}

#[test]
fn two_packs_with_the_same_entries_report_duplicate_ids() {
    let out = trialdeck()
        .args(["check", "--format", "json", "--pack"])
        .arg(mini())
        .arg("--pack")
        .arg(mini_copy().path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let dup = |what: &str| {
        diagnostics(&report)
            .iter()
            .any(|d| d["code"] == "duplicate-id" && d["message"].as_str().unwrap().contains(what))
    };
    assert!(dup("entry id `alpha`"), "{report:#}");
    assert!(dup("entry id `ab-mechanism`"), "{report:#}");
    assert!(dup("question id `alpha-student`"), "{report:#}");
    assert!(dup("pack id `mini-pack`"), "{report:#}");
}

#[test]
fn caret_lines_up_under_tabs_and_wide_characters() {
    // The source line is shown with tabs expanded (to 4) and wide characters take two
    // cells, so the caret must be placed by display width, not by character count.
    let tmp = mini_copy();
    let alpha = fs::read_to_string(mini().join("alpha.ron"))
        .unwrap()
        .replace("    name: \"ALPHA\",", "\tname: \"日本語\" 1,");
    fs::write(tmp.path().join("alpha.ron"), alpha).unwrap();
    assert_fixture(
        tmp.path(),
        &serde_json::json!({"exit": 1, "code": "syntax", "file": "alpha.ron", "line": 6, "column": 14}),
    );
    let out = trialdeck()
        .args(["check", "--pack"])
        .arg(tmp.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with("6 | "))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(lines[i], "6 |     name: \"日本語\" 1,");
    assert_eq!(lines[i + 1], format!("  | {}^", " ".repeat(19)));
}

#[test]
fn escape_codes_in_a_bad_line_are_not_echoed_by_the_report() {
    let tmp = mini_copy();
    let alpha = fs::read_to_string(mini().join("alpha.ron"))
        .unwrap()
        .replace(
            "    name: \"ALPHA\",",
            "    name: \"A\u{1b}[2J\u{1b}]0;pwned\u{7}\" 1,",
        );
    fs::write(tmp.path().join("alpha.ron"), alpha).unwrap();
    let out = trialdeck()
        .args(["check", "--pack"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(text.contains("6 |     name: \"A\" 1,"), "{text}");
    // The caret is placed in the cleaned line, under the `1`: 14 cells in.
    assert!(text.contains(&format!("  | {}^", " ".repeat(14))), "{text}");
}
