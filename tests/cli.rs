//! The command line, driven through the real binary: every subcommand, good and bad, on the
//! fictional mini pack, and on the bundled pack where the test does not depend on its content.

mod common;
use common::{mini_dir as mini, trialdeck};

/// A copy of the mini pack with `edit` applied to `alpha.ron`.
fn mini_copy(edit: impl Fn(String) -> String) -> tempfile::TempDir {
    common::mini_copy_edited("alpha.ron", |s| edit(s.to_string()))
}

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn bad(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bad")
        .join(kind)
}

fn no_panic() -> impl Predicate<str> {
    predicate::str::contains("panicked")
        .or(predicate::str::contains("RUST_BACKTRACE"))
        .not()
}

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "failed with {:?}:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 stdout")
}

fn stderr_of(cmd: &mut Command, code: i32) -> String {
    let out = cmd.output().expect("runs");
    assert_eq!(out.status.code(), Some(code), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    let err = String::from_utf8(out.stderr).expect("UTF-8 stderr");
    assert!(!err.contains("panicked"), "{err}");
    err
}

// ---- help and version ------------------------------------------------------------------------

#[test]
fn help_lists_every_subcommand_and_global_option() {
    let out = stdout_of(trialdeck().arg("--help"));
    for word in ["check", "list", "show", "export", "--pack", "--no-color"] {
        assert!(out.contains(word), "--help lacks {word}:\n{out}");
    }
    for sub in ["check", "list", "show", "export"] {
        trialdeck()
            .args([sub, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Usage: trialdeck"));
    }
}

#[test]
fn version_prints_the_crate_version() {
    trialdeck()
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("trialdeck {}\n", env!("CARGO_PKG_VERSION")));
}

// ---- usage errors: exit 2 --------------------------------------------------------------------

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["--bogus"][..],
        &["list", "--bogus"],
        &["frobnicate"],
        &["show"],
        &["search"],
        &["list", "--format", "csv"],
        &["export", "--format", "xml"],
        &["check", "--format", "yaml"],
        &["--pack"],
    ] {
        trialdeck()
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::is_empty().not())
            .stderr(no_panic());
    }
}

#[test]
fn show_unknown_id_exits_2_and_suggests_only_the_nearest_ids() {
    // Nothing near: no list of every id, a pointer to `list` instead.
    let err = stderr_of(
        trialdeck()
            .args(["show", "no-such-trial", "--pack"])
            .arg(mini()),
        2,
    );
    assert!(err.contains("no-such-trial"), "{err}");
    assert!(err.contains("trialdeck list"), "{err}");
    assert!(
        !err.contains("alpha") && !err.contains("ab-mechanism"),
        "{err}"
    );
    // A typo (a swap, a missing letter) suggests the one id it is near.
    for typo in ["alpah", "alph", "ab-mechanim"] {
        let err = stderr_of(trialdeck().args(["show", typo, "--pack"]).arg(mini()), 2);
        let want = if typo.starts_with("alp") {
            "alpha"
        } else {
            "ab-mechanism"
        };
        let other = if want == "alpha" {
            "ab-mechanism"
        } else {
            "`alpha`"
        };
        assert!(err.contains(&format!("did you mean `{want}`?")), "{err}");
        assert!(!err.contains(other), "{err}");
    }
    // On the bundled pack, a prefix suggests a few ids, not all of them.
    let err = stderr_of(trialdeck().args(["show", "tdm4"]), 2);
    assert!(err.contains("`tdm4258g`"), "{err}");
    assert!(!err.contains("emilia"), "{err}");
    // An entry/item id whose item does not exist suggests the nearest item.
    let err = stderr_of(trialdeck().args(["show", "emilia/emilia-phdd"]), 2);
    assert!(err.contains("did you mean `emilia/emilia-phd`?"), "{err}");
}

#[test]
fn ids_are_accepted_in_any_case() {
    let lower = stdout_of(trialdeck().args(["show", "alpha", "--pack"]).arg(mini()));
    for id in ["ALPHA", "Alpha", " alpha "] {
        let out = stdout_of(trialdeck().args(["show", id, "--pack"]).arg(mini()));
        assert_eq!(out, lower, "{id}");
    }
    let topic = stdout_of(
        trialdeck()
            .args(["show", "AB-Mechanism", "--pack"])
            .arg(mini()),
    );
    assert!(topic.starts_with("Drug A mechanism — "));
}

#[test]
fn ids_as_search_prints_them_show_the_entry() {
    let alpha = stdout_of(trialdeck().args(["show", "alpha", "--pack"]).arg(mini()));
    // Every id `search` prints opens: entries, and entry/finding, entry/question,
    // entry/discrepancy show the entry they belong to.
    let hits = stdout_of(
        trialdeck()
            .args(["search", "alpha", "--limit", "50", "--pack"])
            .arg(mini()),
    );
    let ids: Vec<&str> = hits
        .lines()
        .map(|l| l.split('\t').nth(1).unwrap())
        .collect();
    assert!(ids.contains(&"alpha/pfs"), "{hits}");
    assert!(ids.iter().any(|i| i.starts_with("alpha/alpha-")), "{hits}");
    for id in ids.iter().filter(|i| i.starts_with("alpha")) {
        let out = stdout_of(trialdeck().args(["show", id, "--pack"]).arg(mini()));
        assert_eq!(out, alpha, "{id}");
    }
    let upper = stdout_of(
        trialdeck()
            .args(["show", "ALPHA/PFS", "--pack"])
            .arg(mini()),
    );
    assert_eq!(upper, alpha);
    // On the bundled pack, a question id as search prints it.
    let out = stdout_of(trialdeck().args(["show", "emilia/emilia-resident"]));
    assert!(out.starts_with("EMILIA — "), "{out}");
}

#[test]
fn show_unknown_id_with_escape_codes_does_not_echo_them() {
    trialdeck()
        .args(["show", "x\u{1b}]0;pwned\u{7}\u{1b}[31my", "--pack"])
        .arg(mini())
        .assert()
        .code(2)
        .stderr(predicate::str::contains('\u{1b}').not())
        .stderr(predicate::str::contains('\u{7}').not());
}

// ---- check -------------------------------------------------------------------------------------

#[test]
fn check_good_pack_text_and_json() {
    trialdeck()
        .args(["check", "--pack"])
        .arg(mini())
        .assert()
        .success()
        .stdout("ok: no problems found\n")
        .stderr("");
    let out = stdout_of(
        trialdeck()
            .args(["check", "--format", "json", "--pack"])
            .arg(mini()),
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["errors"], 0);
    assert_eq!(v["warnings"], 0);
    assert_eq!(v["diagnostics"], serde_json::json!([]));
}

#[test]
fn check_bad_pack_exits_1_with_the_report_on_stdout() {
    trialdeck()
        .args(["check", "--pack"])
        .arg(bad("unknown-arm"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error[unknown-ref]"))
        .stdout(predicate::str::contains(
            "alpha › findings › pfs › values[1] › arm",
        ))
        .stdout(predicate::str::ends_with("1 error, 0 warnings\n"))
        .stderr(no_panic());
}

#[test]
fn check_warnings_only_exits_0_and_counts_them() {
    trialdeck()
        .args(["check", "--pack"])
        .arg(bad("duplicate-role"))
        .assert()
        .success()
        .stdout(predicate::str::contains("warning[duplicate-role]"))
        .stdout(predicate::str::ends_with("0 errors, 2 warnings\n"));
}

#[test]
fn a_missing_pack_path_is_a_usage_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let nope = tmp.path().join("nope");
    for sub in [&["check"][..], &["list"], &["show", "alpha"], &[]] {
        let err = stderr_of(trialdeck().args(sub).arg("--pack").arg(&nope), 2);
        assert!(err.contains(&nope.display().to_string()), "{err}");
        assert!(err.contains("no such file or directory"), "{err}");
        assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    }
}

#[test]
fn check_non_directory_pack_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("file.ron");
    std::fs::write(&file, "()").unwrap();
    trialdeck()
        .args(["check", "--pack"])
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error[not-a-directory]"));
}

#[test]
fn check_bundled_pack_is_clean() {
    let out = stdout_of(trialdeck().args(["check", "--format", "json"]));
    let v: Value = serde_json::from_str(&out).expect("JSON report");
    assert_eq!(v["ok"], true);
    assert_eq!(v["errors"], 0);
    assert_eq!(v["warnings"], 0);
    assert_eq!(v["diagnostics"], serde_json::json!([]));
    trialdeck()
        .arg("check")
        .assert()
        .success()
        .stdout("ok: no problems found\n")
        .stderr("");
}

// ---- list --------------------------------------------------------------------------------------

fn assert_list_table(out: &str, ids: &[&str]) {
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("NAME") && lines[0].contains("QUESTIONS"),
        "header row: {:?}",
        lines[0]
    );
    assert_eq!(lines.len(), ids.len() + 1, "one row per entry:\n{out}");
    for (line, id) in lines[1..].iter().zip(ids) {
        assert_eq!(line.split_whitespace().next(), Some(*id), "row {line:?}");
    }
    assert!(!out.contains('\u{1b}'));
}

#[test]
fn list_has_a_header_then_one_row_per_entry() {
    let out = stdout_of(trialdeck().arg("list").arg("--pack").arg(mini()));
    assert_list_table(&out, &["alpha", "ab-mechanism"]);
    let alpha = out.lines().nth(1).unwrap();
    for cell in ["ALPHA", "2019", "400", "reported"] {
        assert!(alpha.contains(cell), "{alpha:?} lacks {cell}");
    }
}

#[test]
fn global_options_work_before_and_after_the_subcommand() {
    let before = stdout_of(trialdeck().arg("--pack").arg(mini()).arg("list"));
    let after = stdout_of(trialdeck().arg("list").arg("--pack").arg(mini()));
    assert_eq!(before, after);
    let before = stdout_of(
        trialdeck()
            .arg("--no-color")
            .args(["show", "alpha", "--pack"])
            .arg(mini()),
    );
    let after =
        stdout_of(
            trialdeck()
                .arg("--pack")
                .arg(mini())
                .args(["show", "alpha", "--no-color"]),
        );
    assert_eq!(before, after);
}

#[test]
fn list_bundled_pack_matches_its_export() {
    let list = stdout_of(trialdeck().arg("list"));
    let export: Value =
        serde_json::from_str(&stdout_of(trialdeck().args(["export", "--format", "json"]))).unwrap();
    let ids: Vec<&str> = export["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert!(!ids.is_empty());
    assert_list_table(&list, &ids);
}

#[test]
fn list_tsv_has_a_header_and_one_tab_separated_row_per_entry() {
    let out = stdout_of(
        trialdeck()
            .args(["list", "--format", "tsv", "--pack"])
            .arg(mini()),
    );
    assert_eq!(
        out,
        "id\tname\tyear\tphase\tn\tquestions\tstatus\n\
         alpha\tALPHA\t2019\t3\t400\t3\treported\n\
         ab-mechanism\tDrug A mechanism\t-\ttopic\t-\t0\ttopic\n"
    );
}

#[test]
fn list_json_is_an_array_of_objects() {
    let out = stdout_of(
        trialdeck()
            .args(["list", "--format", "json", "--pack"])
            .arg(mini()),
    );
    let v: Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(
        v,
        serde_json::json!([
            {"id": "alpha", "kind": "trial", "name": "ALPHA", "year": 2019, "phase": "3",
             "n": 400, "questions": 3, "status": "reported"},
            {"id": "ab-mechanism", "kind": "topic", "name": "Drug A mechanism", "year": null,
             "phase": null, "n": null, "questions": 0, "status": "topic"},
        ])
    );
    // The bundled pack: one object per entry of the export.
    let list: Value =
        serde_json::from_str(&stdout_of(trialdeck().args(["list", "--format", "json"]))).unwrap();
    let export: Value = serde_json::from_str(&stdout_of(trialdeck().arg("export"))).unwrap();
    assert_eq!(
        list.as_array().unwrap().len(),
        export["entries"].as_array().unwrap().len()
    );
}

#[test]
fn list_never_truncates_when_piped() {
    let long_name = "ALPHA, a trial whose short name is far longer than any column would allow";
    let long_phase = "3, randomised and stratified by region";
    let pack = mini_copy(|t| {
        t.replace("name: \"ALPHA\"", &format!("name: \"{long_name}\""))
            .replace("phase: \"3\"", &format!("phase: \"{long_phase}\""))
    });
    for format in ["table", "tsv", "json"] {
        let out = stdout_of(
            trialdeck()
                .args(["list", "--format", format, "--pack"])
                .arg(pack.path()),
        );
        assert!(out.contains(long_name), "{format}:\n{out}");
        assert!(out.contains(long_phase), "{format}:\n{out}");
        assert!(!out.contains('…'), "{format}:\n{out}");
    }
    // The default is the table.
    let table = stdout_of(trialdeck().arg("list").arg("--pack").arg(pack.path()));
    assert!(table.starts_with("ID  "), "{table}");
    assert!(table.contains(long_name));
}

#[test]
fn a_broken_pack_makes_list_show_and_export_exit_1_with_the_report_on_stderr() {
    for args in [
        &["list"][..],
        &["show", "alpha"],
        &["export", "--format", "json"],
        &[],
    ] {
        trialdeck()
            .args(args)
            .arg("--pack")
            .arg(bad("syntax-missing-comma"))
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains("error[syntax]: Expected comma"))
            .stderr(predicate::str::contains("alpha.ron:7:5"))
            .stderr(predicate::str::contains("trialdeck check"))
            .stderr(no_panic());
    }
}

#[test]
fn two_packs_with_the_same_entry_ids_exit_1_with_duplicate_id() {
    let copy = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(mini()).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, copy.path().join(p.file_name().unwrap())).unwrap();
    }
    for sub in [&["check"][..], &["list"]] {
        let assert = trialdeck()
            .args(sub)
            .arg("--pack")
            .arg(mini())
            .arg("--pack")
            .arg(copy.path())
            .assert()
            .code(1);
        let out = assert.get_output();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(all.contains("error[duplicate-id]"), "{all}");
        assert!(all.contains("entry id `alpha`"), "{all}");
    }
}

#[test]
fn the_same_pack_twice_is_one_clear_usage_error() {
    // The same directory, spelled the same or differently.
    let other_spelling = mini().join("..").join("mini");
    for second in [mini(), other_spelling] {
        for sub in [&["check"][..], &["list"]] {
            let err = stderr_of(
                trialdeck()
                    .args(sub)
                    .arg("--pack")
                    .arg(mini())
                    .arg("--pack")
                    .arg(&second),
                2,
            );
            assert_eq!(
                err.lines().count(),
                1,
                "one error, not one per entry: {err}"
            );
            assert!(err.contains("given twice"), "{err}");
            assert!(err.contains(&second.display().to_string()), "{err}");
            assert!(!err.contains("duplicate-id"), "{err}");
        }
    }
}

// ---- show --------------------------------------------------------------------------------------

#[test]
fn show_prints_the_entry_as_plain_text() {
    let out = stdout_of(trialdeck().args(["show", "alpha", "--pack"]).arg(mini()));
    assert!(
        !out.contains("paper_a.txt"),
        "citations name sources, not files:\n{out}"
    );
    for needle in [
        "ALPHA — Drug A versus drug B in an invented disease",
        "Bottom line",
        "Design",
        "Drug A (n = 200): 10 mg daily",
        "HR 0.70 (95% CI 0.55–0.85), p < 0.001",
        // As written, as the discrepancy note beside it quotes it.
        "Drug A: 9.0 mo (95% CI 8.0–10.0)",
        "Safety",
        "- Any adverse event (grade ≥3)\n    Drug A: 20%\n    Drug B: 35%",
        "- context: Drug A mechanism (topic) [ab-mechanism]",
        "says: 9.0 months [ALPHA report, Results",
        "Source: ALPHA report, Results, item 1",
        "[Medical Student] What did ALPHA compare",
        "[Resident]",
        "[PhD]",
        "  * Response 40% vs 30%",
    ] {
        assert!(out.contains(needle), "show lacks {needle:?}:\n{out}");
    }
    // Sources by their labels, never their file names.
    assert!(
        !out.contains("paper_a.txt") && !out.contains("paper-a"),
        "{out}"
    );
    let topic = stdout_of(
        trialdeck()
            .args(["show", "ab-mechanism", "--pack"])
            .arg(mini()),
    );
    assert!(topic.starts_with("Drug A mechanism — How invented drug A is thought to work\n"));
    assert!(!topic.contains("Design"));
}

#[test]
fn show_prints_no_escape_codes_when_not_a_terminal_or_asked_not_to() {
    // stdout is a pipe here, so colour is off in every case; NO_COLOR and --no-color must
    // keep it off too.
    let plain = stdout_of(trialdeck().args(["show", "alpha", "--pack"]).arg(mini()));
    let no_color_env = stdout_of(
        trialdeck()
            .env("NO_COLOR", "1")
            .args(["show", "alpha", "--pack"])
            .arg(mini()),
    );
    let no_color_flag = stdout_of(
        trialdeck()
            .args(["--no-color", "show", "alpha", "--pack"])
            .arg(mini()),
    );
    for out in [&plain, &no_color_env, &no_color_flag] {
        assert!(!out.contains('\u{1b}'), "escape code in:\n{out}");
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'));
    }
    assert_eq!(plain, no_color_env);
    assert_eq!(plain, no_color_flag);
}

#[test]
fn show_with_color_uses_only_our_own_bold_headings() {
    // Library level, since colour needs a terminal: headings are bold, pack text is not.
    let loaded = trialdeck::pack::load(&[trialdeck::content::PackSource::Dir(mini())])
        .expect("mini pack loads");
    let lib = &loaded.library;
    let e = lib.entry("alpha").unwrap();
    let colored = trialdeck::doc::plain::render(lib, e, true);
    assert!(colored.contains("\u{1b}[1mBottom line\u{1b}[0m"));
    let stripped = colored.replace("\u{1b}[1m", "").replace("\u{1b}[0m", "");
    assert_eq!(stripped, trialdeck::doc::plain::render(lib, e, false));
}

#[test]
fn show_every_bundled_entry() {
    let lib = trialdeck::content::load_bundled().unwrap().library;
    for e in &lib.entries {
        let out = stdout_of(trialdeck().args(["show", &e.id]));
        assert!(out.starts_with(&format!("{} — ", e.name)), "{out}");
        assert!(!out.contains('\u{1b}'));
    }
}

// ---- export ------------------------------------------------------------------------------------

fn assert_export_shape(v: &Value) {
    assert_eq!(v["format"], "trialdeck-pack");
    assert_eq!(v["format_version"], trialdeck::export::JSON_FORMAT_VERSION);
    assert!(v["packs"].is_array());
    assert!(v["entries"].is_array());
}

#[test]
fn export_json_to_stdout() {
    let out = stdout_of(
        trialdeck()
            .args(["export", "--format", "json", "--pack"])
            .arg(mini()),
    );
    let v: Value = serde_json::from_str(&out).expect("valid JSON");
    assert_export_shape(&v);
    assert_eq!(v["packs"][0]["id"], "mini-pack");
    assert_eq!(
        v["packs"][0]["entries"],
        serde_json::json!(["alpha", "ab-mechanism"])
    );
    assert_eq!(v["entries"].as_array().unwrap().len(), 2);
    let alpha = &v["entries"][0];
    assert_eq!(alpha["id"], "alpha");
    assert_eq!(
        alpha["findings"][0]["effect"]["ci"],
        serde_json::json!([0.55, 0.85])
    );
    assert_eq!(alpha["questions"].as_array().unwrap().len(), 3);
}

#[test]
fn export_out_writes_the_file_and_nothing_to_stdout() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("library.json");
    trialdeck()
        .args(["export", "--format", "json", "--out"])
        .arg(&file)
        .arg("--pack")
        .arg(mini())
        .assert()
        .success()
        .stdout("");
    let written = std::fs::read_to_string(&file).unwrap();
    let stdout = stdout_of(
        trialdeck()
            .args(["export", "--format", "json", "--pack"])
            .arg(mini()),
    );
    assert_eq!(written, stdout);
    assert_export_shape(&serde_json::from_str(&written).unwrap());
    // Written atomically: no temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["library.json"]);
    // Overwrites an existing file.
    std::fs::write(&file, "old").unwrap();
    trialdeck()
        .args(["export", "--format", "json", "--pack"])
        .arg(mini())
        .arg("--out")
        .arg(&file)
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), stdout);
}

#[test]
fn export_out_to_a_missing_directory_is_an_io_error_exit_3() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("no/such/dir/out.json");
    let err = stderr_of(
        trialdeck()
            .args(["export", "--format", "json", "--pack"])
            .arg(mini())
            .arg("--out")
            .arg(&file),
        3,
    );
    assert!(err.contains("cannot write"), "{err}");
    assert!(err.contains(&file.display().to_string()), "{err}");
    assert!(!file.exists());
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_output_is_an_io_error_exit_3() {
    // /dev/full fails every write with ENOSPC.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full exists on Linux");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trialdeck"))
        .args(["list", "--pack"])
        .arg(mini())
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write output"));
}

#[test]
fn export_defaults_to_json() {
    let default = stdout_of(trialdeck().args(["export", "--pack"]).arg(mini()));
    let json = stdout_of(
        trialdeck()
            .args(["export", "--format", "json", "--pack"])
            .arg(mini()),
    );
    assert_eq!(default, json);
    assert_export_shape(&serde_json::from_str(&default).unwrap());
}

#[test]
fn export_bundled_pack_is_valid_json() {
    let out = stdout_of(trialdeck().args(["export", "--format", "json"]));
    assert_export_shape(&serde_json::from_str(&out).unwrap());
}

// ---- no subcommand -----------------------------------------------------------------------------

#[test]
fn no_subcommand_loads_the_packs_and_says_so() {
    // Without a terminal the app cannot open: the packs are loaded (and counted), then it
    // explains that it needs a terminal (a terminal error, 4, not a usage error).
    // tests/e2e_terminal.rs runs it in a pty.
    trialdeck()
        .arg("--pack")
        .arg(mini())
        .assert()
        .code(4)
        .stdout("")
        .stderr(predicate::str::contains("loaded 2 entries and 3 questions"))
        .stderr(predicate::str::contains("needs a terminal"))
        .stderr(no_panic());
}

#[test]
fn warnings_go_to_stderr_and_do_not_stop_list() {
    trialdeck()
        .args(["list", "--pack"])
        .arg(bad("byte-order-mark"))
        .assert()
        .success()
        .stdout(predicate::str::starts_with("ID"))
        .stderr(predicate::str::contains("warning[byte-order-mark]"));
}

// ---- search --------------------------------------------------------------------------------------

#[test]
fn search_prints_one_tab_separated_hit_per_line_with_the_named_trial_first() {
    let out = stdout_of(trialdeck().args(["search", "emilia", "--limit", "7"]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 7, "{out}");
    for l in &lines {
        let cols: Vec<&str> = l.split('\t').collect();
        assert_eq!(cols.len(), 4, "kind, id, score, title: {l:?}");
        assert!(cols[2].parse::<i64>().is_ok(), "score is a number: {l:?}");
    }
    assert!(lines[0].starts_with("trial\temilia\t"), "{out}");
    let scores: Vec<i64> = lines
        .iter()
        .map(|l| l.split('\t').nth(2).unwrap().parse().unwrap())
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "ranked: {scores:?}"
    );
}

#[test]
fn search_filters_by_role_and_kind() {
    let out = stdout_of(trialdeck().args(["search", "@phd", "--limit", "100"]));
    assert!(!out.is_empty());
    for l in out.lines() {
        assert!(
            l.starts_with("question\t") && l.split('\t').nth(1).unwrap().ends_with("-phd"),
            "{l}"
        );
    }
    let out = stdout_of(trialdeck().args(["search", "#finding", "pfs", "--limit", "50"]));
    assert!(out.lines().all(|l| l.starts_with("finding\t")), "{out}");
    let none = stdout_of(trialdeck().args(["search", "'zzzqqqxxx"]));
    assert!(none.is_empty());
}

#[test]
fn an_empty_search_query_is_a_usage_error() {
    for q in [&[""][..], &["   "], &["", " \t "]] {
        let err = stderr_of(
            trialdeck().arg("search").args(q).arg("--pack").arg(mini()),
            2,
        );
        assert!(err.contains("query is empty"), "{err}");
        assert!(err.contains("trialdeck search emilia"), "an example: {err}");
    }
}

#[test]
fn unknown_role_or_kind_in_a_search_is_a_usage_error_listing_the_valid_ones() {
    let err = stderr_of(trialdeck().args(["search", "pfs", "@surgeon"]), 2);
    assert!(err.contains("unknown role `@surgeon`"), "{err}");
    for role in [
        "@student",
        "@resident",
        "@fellow",
        "@attending",
        "@phd",
        "@editor",
        "@guideline",
    ] {
        assert!(err.contains(role), "{err} lacks {role}");
    }
    let err = stderr_of(trialdeck().args(["search", "#paper"]), 2);
    assert!(err.contains("unknown kind `#paper`"), "{err}");
    for kind in [
        "#trial",
        "#topic",
        "#finding",
        "#question",
        "#discrepancy",
        "#safety",
    ] {
        assert!(err.contains(kind), "{err} lacks {kind}");
    }
    // Prefixes of valid words are fine.
    stdout_of(trialdeck().args(["search", "@res", "#q", "survival"]));
}

#[test]
fn search_finds_findings_by_their_numbers_and_shows_them() {
    let out = stdout_of(trialdeck().args(["search", "#finding", "9.6", "0.65"]));
    let first = out.lines().next().expect("a hit");
    let cols: Vec<&str> = first.split('\t').collect();
    assert_eq!(cols[1], "emilia/pfs", "{out}");
    for n in [
        "HR 0.65 (0.55–0.77)",
        "T-DM1 9.6 mo",
        "Lapatinib + capecitabine 6.4 mo",
    ] {
        assert!(cols[3].contains(n), "{first} lacks {n}");
    }
}

#[test]
fn search_titles_do_not_repeat_the_entry_name() {
    let out = stdout_of(trialdeck().args(["search", "#trial", "neosphere", "--limit", "100"]));
    assert!(out.contains("\tNeoSphere: randomised"), "{out}");
    let all = stdout_of(trialdeck().args(["search", "--limit", "2000", "#t"]));
    for l in all.lines() {
        let title = l.split('\t').nth(3).unwrap();
        if let Some((name, rest)) = title.split_once(": ") {
            assert!(!rest.starts_with(&format!("{name}:")), "{l}");
        }
    }
}

// ---- stderr that cannot be written, and empty environment variables ------------------------

/// `trialdeck ARGS` with its stderr set up by `stderr`; returns the exit code.
fn status_with_stderr(args: &[&str], stderr: std::process::Stdio) -> Option<i32> {
    std::process::Command::new(env!("CARGO_BIN_EXE_trialdeck"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(stderr)
        .status()
        .expect("runs")
        .code()
}

/// A usage error, a broken pack and a warning all write to stderr; a full one (`/dev/full`)
/// or a pipe nobody reads must not turn them into a panic (exit 101).
#[test]
fn a_full_or_broken_stderr_never_panics() {
    let mini = mini();
    let broken = bad("syntax-missing-comma");
    let cases: [(&[&str], i32); 2] = [
        (&["--pack", mini.to_str().unwrap(), "show", "nosuchid"], 2),
        (&["--pack", broken.to_str().unwrap(), "list"], 1),
    ];
    for (args, code) in cases {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        assert_eq!(
            status_with_stderr(args, full.into()),
            Some(code),
            "{args:?} to /dev/full"
        );
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        assert_eq!(
            status_with_stderr(args, writer.into()),
            Some(code),
            "{args:?} to a broken pipe"
        );
    }
}

/// With stderr closed, the message goes nowhere and the exit status still says what happened.
#[test]
fn a_closed_stderr_still_exits_with_the_status() {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_trialdeck"));
    cmd.args(["--pack", mini().to_str().unwrap(), "show", "nosuchid"])
        .stdout(std::process::Stdio::null());
    // SAFETY: close(2) between fork and exec touches only the child.
    unsafe {
        cmd.pre_exec(|| {
            libc::close(2);
            Ok(())
        });
    }
    assert_eq!(cmd.status().unwrap().code(), Some(2));
}

/// `TRIALDECK_DATA_DIR=` and `TRIALDECK_CONFIG=` (set, empty) mean "not set", as in most
/// tools: the defaults are used, and no flag the user never typed is named.
#[test]
fn empty_environment_variables_count_as_unset() {
    let home = tempfile::tempdir().unwrap();
    let cfg_home = home.path().join("cfg");
    let out = trialdeck()
        .args(["--pack", mini().to_str().unwrap(), "config", "path"])
        .env("TRIALDECK_DATA_DIR", "")
        .env("TRIALDECK_CONFIG", "")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", &cfg_home)
        .env("XDG_DATA_HOME", home.path().join("data"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        !err.contains("--data-dir") && !err.contains("--config"),
        "{err}"
    );
    let path = String::from_utf8(out.stdout).unwrap();
    assert!(
        path.trim().starts_with(cfg_home.to_str().unwrap()),
        "the default config path: {path}"
    );
    let out = trialdeck()
        .args([
            "--pack",
            mini().to_str().unwrap(),
            "stats",
            "--format",
            "json",
        ])
        .env("TRIALDECK_DATA_DIR", "")
        .env("TRIALDECK_CONFIG", "")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", &cfg_home)
        .env("XDG_DATA_HOME", home.path().join("data"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---- `stats` and the review history --------------------------------------------------------

/// `trialdeck --pack MINI --data-dir DATA stats --format json` in an isolated home.
fn stats_cmd(home: &Path, data: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_trialdeck"));
    c.args(["--pack", mini().to_str().unwrap()])
        .args(["--data-dir", data.to_str().unwrap()])
        .args(["--config", home.join("config.ron").to_str().unwrap()])
        .args(["stats", "--format", "json"])
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env_remove("TRIALDECK_DATA_DIR")
        .env_remove("TRIALDECK_CONFIG");
    c
}

/// Run to the end, failing (not hanging) if it takes longer than the deadline.
fn output_within_deadline(mut cmd: std::process::Command) -> std::process::Output {
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let end = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > end {
            let _ = child.kill();
            panic!("{cmd:?} hung");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

/// A history with one review of a mini-pack card, in `data`.
fn history_with_one_review(data: &Path) {
    use trialdeck::review::{CardId, Grade, NewReview, Scheduler, Store};
    let mut s = Store::open(data, Scheduler::default()).unwrap();
    s.record(&NewReview {
        card: CardId("mini-pack/q/alpha-student".into()),
        at: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64,
        grade: Grade::Good,
        points: 0,
        points_total: 4,
        duration_ms: 1000,
    })
    .unwrap();
}

/// `stats` on a history the user may only read (a read-only directory and file) reads it, as
/// the app does, instead of failing with exit 3. Run as an unprivileged user: root writes
/// anywhere.
#[test]
fn stats_reads_a_read_only_history() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    history_with_one_review(&data);
    let db = data.join("reviews.sqlite3");
    let before = std::fs::read(&db).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o555)).unwrap();
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut cmd = stats_cmd(home.path(), &data);
    if unsafe { libc::geteuid() } == 0 {
        cmd.uid(65_534).gid(65_534);
    }
    let out = output_within_deadline(cmd);
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(
        out.status.success(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["new_cards"], 8,
        "one of the 9 cards (a safety card among them) was reviewed: {json}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), before, "nothing was written");
}

/// A FIFO as the review database: `stats` says what it is and exits 3, at once.
#[test]
fn stats_on_a_fifo_database_reports_it_instead_of_hanging() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let c = std::ffi::CString::new(data.join("reviews.sqlite3").to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let out = output_within_deadline(stats_cmd(home.path(), &data));
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("FIFO") && err.contains("untouched"), "{err}");
}

/// `--data-dir` naming a regular file: `stats` says so (it used to print an empty history,
/// which looks like lost data).
#[test]
fn stats_with_a_file_as_the_data_directory_says_so() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("notadir");
    std::fs::write(&file, "x").unwrap();
    let out = output_within_deadline(stats_cmd(home.path(), &file));
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("this is a file, not a data directory"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

// ---- cards, optimize, TRIALDECK_NOW ----------------------------------------------------------

/// `trialdeck --pack MINI --data-dir DATA --config CONFIG ARGS` at `now` (RFC 3339).
fn at_time(dir: &Path, now: &str, args: &[&str]) -> Command {
    let mut c = trialdeck();
    c.arg("--pack")
        .arg(mini())
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--config")
        .arg(dir.join("config.ron"))
        .args(args)
        .env("TRIALDECK_NOW", now)
        .env("TZ", "UTC");
    c
}

#[test]
fn cards_lists_every_card_and_suspend_unsuspend_bury_reset_change_them() {
    let dir = tempfile::tempdir().unwrap();
    let day1 = "2026-12-01T09:00:00Z";
    {
        use trialdeck::review::{CardId, Grade, NewReview, Scheduler, Store};
        let mut s = Store::open(&dir.path().join("data"), Scheduler::default()).unwrap();
        let at = trialdeck::review::clock::parse_rfc3339(day1).unwrap();
        s.record(&NewReview {
            card: CardId("mini-pack/q/alpha-student".into()),
            at,
            grade: Grade::Easy,
            points: 0,
            points_total: 4,
            duration_ms: 1000,
        })
        .unwrap();
    }
    let table = stdout_of(&mut at_time(dir.path(), day1, &["cards"]));
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 10, "a header and the nine cards:\n{table}");
    for col in [
        "TRIAL",
        "ROLE",
        "KIND",
        "STATE",
        "DUE",
        "STABILITY",
        "LAPSES",
        "ID",
    ] {
        assert!(lines[0].contains(col), "{table}");
    }
    let student = lines
        .iter()
        .find(|l| l.ends_with("mini-pack/q/alpha-student"))
        .unwrap();
    assert!(student.contains("review"), "{student}");
    assert!(student.contains("2026-12-"), "its due date: {student}");
    assert_eq!(
        lines.iter().filter(|l| l.contains(" new ")).count(),
        8,
        "{table}"
    );
    // JSON, filtered by words.
    let json: Value = serde_json::from_str(&stdout_of(&mut at_time(
        dir.path(),
        day1,
        &["cards", "--format", "json", "--filter", "alpha resident"],
    )))
    .unwrap();
    let rows = json.as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["role"] == "Resident"), "{json}");
    assert!(rows[0]["stability"].is_null() || rows[0]["stability"].is_number());
    // Suspend (by a unique part of the id), then unsuspend, bury and reset.
    let out = stdout_of(&mut at_time(
        dir.path(),
        day1,
        &["cards", "suspend", "q/alpha-resident"],
    ));
    assert_eq!(out, "mini-pack/q/alpha-resident: suspended\n");
    let state_of = |id: &str| -> String {
        let v: Value = serde_json::from_str(&stdout_of(&mut at_time(
            dir.path(),
            day1,
            &["cards", "--format", "json"],
        )))
        .unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["state"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(state_of("mini-pack/q/alpha-resident"), "suspended");
    stdout_of(&mut at_time(
        dir.path(),
        day1,
        &["cards", "unsuspend", "mini-pack/q/alpha-resident"],
    ));
    assert_eq!(state_of("mini-pack/q/alpha-resident"), "new");
    stdout_of(&mut at_time(
        dir.path(),
        day1,
        &["cards", "bury", "mini-pack/q/alpha-phd"],
    ));
    assert_eq!(state_of("mini-pack/q/alpha-phd"), "buried");
    // Buried until tomorrow: the next day it is back.
    let v: Value = serde_json::from_str(&stdout_of(&mut at_time(
        dir.path(),
        "2026-12-02T09:00:00Z",
        &["cards", "--format", "json", "--filter", "alpha-phd"],
    )))
    .unwrap();
    assert_eq!(v[0]["state"], "new", "{v}");
    stdout_of(&mut at_time(
        dir.path(),
        day1,
        &["cards", "reset", "mini-pack/q/alpha-student"],
    ));
    assert_eq!(state_of("mini-pack/q/alpha-student"), "new");
    // A name that matches several cards, or none, is a usage error.
    let err = stderr_of(
        &mut at_time(dir.path(), day1, &["cards", "suspend", "alpha"]),
        2,
    );
    assert!(err.contains("names 9 cards"), "{err}");
    let err = stderr_of(
        &mut at_time(dir.path(), day1, &["cards", "bury", "nothing-like-it"]),
        2,
    );
    assert!(err.contains("no card"), "{err}");
}

#[test]
fn trialdeck_now_moves_the_clock_of_stats_and_a_bad_value_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let day1 = "2026-12-01T09:00:00Z";
    {
        use trialdeck::review::{CardId, Grade, NewReview, Scheduler, Steps, Store};
        let sched = Scheduler::default().with_steps(Steps {
            learning: vec![],
            relearning: vec![],
        });
        let mut s = Store::open(&dir.path().join("data"), sched).unwrap();
        s.record(&NewReview {
            card: CardId("mini-pack/q/alpha-student".into()),
            at: trialdeck::review::clock::parse_rfc3339(day1).unwrap(),
            grade: Grade::Again,
            points: 0,
            points_total: 4,
            duration_ms: 1000,
        })
        .unwrap();
    }
    let stats = |now: &str| -> Value {
        serde_json::from_str(&stdout_of(&mut at_time(
            dir.path(),
            now,
            &["stats", "--format", "json"],
        )))
        .unwrap()
    };
    let d1 = stats(day1);
    assert_eq!(
        (d1["due_today"].clone(), d1["due_tomorrow"].clone()),
        (0.into(), 1.into()),
        "{d1}"
    );
    let d2 = stats("2026-12-02T09:00:00Z");
    assert_eq!(
        (d2["due_today"].clone(), d2["due_tomorrow"].clone()),
        (1.into(), 0.into()),
        "{d2}"
    );
    let text = stdout_of(&mut at_time(dir.path(), day1, &["stats"]));
    assert!(text.contains("due tomorrow 1"), "{text}");
    assert!(
        text.contains("`trialdeck optimize` fits your own after 400"),
        "{text}"
    );
    let err = stderr_of(&mut at_time(dir.path(), "tomorrow", &["stats"]), 2);
    assert!(err.contains("TRIALDECK_NOW"), "{err}");
    assert!(err.contains("RFC 3339"), "{err}");
}

#[test]
fn config_sets_limits_steps_and_leeches() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.ron");
    let set = |k: &str, v: &str| {
        trialdeck()
            .arg("--config")
            .arg(&cfg)
            .args(["config", "set", k, v])
            .output()
            .unwrap()
    };
    for (k, v) in [
        ("new_per_day", "30"),
        ("reviews_per_day", "100"),
        ("learning_steps", "1m 10m 1h"),
        ("relearning_steps", "10m"),
        ("learn_ahead_minutes", "15"),
        ("leech_threshold", "6"),
        ("ongoing_facts", "true"),
    ] {
        let out = set(k, v);
        assert!(
            out.status.success(),
            "{k}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let c = trialdeck::config::Config::load(&cfg).0;
    assert_eq!((c.new_per_day, c.reviews_per_day), (30, 100));
    assert_eq!(c.learning_steps, "1m 10m 1h");
    assert_eq!(c.scheduler().steps.learning, vec![60, 600, 3600]);
    assert_eq!(c.scheduler().leech_threshold, 6);
    assert_eq!(c.limits().learn_ahead, 900);
    assert!(c.ongoing_facts);
    let bad = set("learning_steps", "2 weeks");
    assert_eq!(bad.status.code(), Some(2));
    let bad = set("leech_threshold", "0");
    assert_eq!(bad.status.code(), Some(2));
}
