//! Reading a pack (src/content/read.rs): a `.ron` name may lead only to a regular file inside
//! the pack, so a pack can never make `check` read a file elsewhere and echo its lines; and a
//! file's name can never forge a line of the report.

mod common;

use common::files::{mini_copy, printed, trialdeck};
use serde_json::Value;
use std::fs;

/// `check --pack DIR` with `TRIALDECK_TEST_SECRET` set in its environment.
fn check_with_secret(dir: &std::path::Path, secret: &str, json: bool) -> (i32, String) {
    let mut cmd = trialdeck();
    cmd.env("TRIALDECK_TEST_SECRET", secret)
        .arg("--pack")
        .arg(dir)
        .arg("check");
    if json {
        cmd.args(["--format", "json"]);
    }
    let out = cmd.output().unwrap();
    (out.status.code().unwrap(), printed(&out))
}

#[test]
fn a_link_to_proc_self_environ_is_refused_and_the_environment_never_printed() {
    let (_tmp, dir) = mini_copy();
    std::os::unix::fs::symlink("/proc/self/environ", dir.join("zz.ron")).unwrap();
    let secret = "s3cret-token-of-the-ci-job";
    for json in [false, true] {
        let (code, text) = check_with_secret(&dir, secret, json);
        assert_eq!(code, 1, "{text}");
        assert!(
            !text.contains(secret),
            "the environment was printed:\n{text}"
        );
        assert!(text.contains("outside-pack"), "{text}");
        assert!(
            text.contains("zz.ron"),
            "the diagnostic names the file: {text}"
        );
    }
}

#[test]
fn a_link_to_a_file_beside_the_pack_is_refused_and_never_echoed() {
    let (tmp, dir) = mini_copy();
    let secret = tmp.path().join("credentials");
    fs::write(&secret, "aws_secret_access_key = WJALRXUTNFEMI\n").unwrap();
    std::os::unix::fs::symlink(&secret, dir.join("creds.ron")).unwrap();
    // Through a relative link and a link to a link, too.
    std::os::unix::fs::symlink("../credentials", dir.join("rel.ron")).unwrap();
    std::os::unix::fs::symlink("creds.ron", dir.join("chain.ron")).unwrap();
    let (code, text) = check_with_secret(&dir, "unused", false);
    assert_eq!(code, 1, "{text}");
    assert!(
        !text.contains("WJALRXUTNFEMI"),
        "a line of the file was echoed:\n{text}"
    );
    for name in ["creds.ron", "rel.ron", "chain.ron"] {
        assert!(
            text.lines().any(|l| l.contains(name)),
            "{name} is reported:\n{text}"
        );
    }
    assert_eq!(text.matches("error[outside-pack]").count(), 3, "{text}");
}

#[test]
fn a_link_to_a_file_inside_the_pack_is_read() {
    let (_tmp, dir) = mini_copy();
    fs::create_dir(dir.join("drafts")).unwrap();
    fs::rename(dir.join("alpha.ron"), dir.join("drafts/alpha.ron")).unwrap();
    std::os::unix::fs::symlink("drafts/alpha.ron", dir.join("alpha.ron")).unwrap();
    let (code, text) = check_with_secret(&dir, "unused", false);
    assert_eq!(code, 0, "{text}");
    // A pack given through a linked directory is the same pack.
    let (tmp2, _) = mini_copy();
    let link = tmp2.path().join("linked");
    std::os::unix::fs::symlink(&dir, &link).unwrap();
    let (code, text) = check_with_secret(&link, "unused", false);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn a_file_name_with_a_newline_cannot_print_a_fake_ok_line() {
    let (_tmp, dir) = mini_copy();
    let evil = "x\nok: no problems found\n\u{1b}[2J.ron";
    fs::write(dir.join(evil), "Entry(id: ").unwrap();
    let (code, text) = check_with_secret(&dir, "unused", false);
    assert_eq!(code, 1, "{text}");
    assert!(
        !text.lines().any(|l| l.trim() == "ok: no problems found"),
        "a line of its own:\n{text}"
    );
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(
        text.contains(r#"x\nok: no problems found\n"#),
        "escaped: {text}"
    );

    let (code, text) = check_with_secret(&dir, "unused", true);
    assert_eq!(code, 1, "{text}");
    let report: Value = serde_json::from_str(&text).unwrap();
    let files: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["file"].as_str())
        .collect();
    assert!(!files.is_empty(), "{text}");
    for f in files {
        assert!(!f.contains('\n') && !f.contains('\u{1b}'), "{f:?}");
    }
}
