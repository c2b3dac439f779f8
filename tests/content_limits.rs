//! Hostile packs and limits: FIFOs and devices where files are expected, and the per-pack and
//! per-run budgets (entries and bytes), which the pack generator agrees with.

mod common;

use common::files::{
    HANG_GUARD, export_json, mini, mini_copy, mkfifo, mode, names_in, set_mode, trialdeck,
};
use std::fs;
use std::path::{Path, PathBuf};
use trialdeck::content::read::{
    self, Budget, MAX_FILE_BYTES, MAX_PACK_BYTES, MAX_PACK_ENTRIES, MAX_RUN_BYTES, MAX_RUN_ENTRIES,
};

/// `check --pack DIR`: exit code and everything printed.
fn check(dirs: &[&Path]) -> (Option<i32>, String) {
    let mut cmd = trialdeck();
    for d in dirs {
        cmd.arg("--pack").arg(d);
    }
    let out = cmd.arg("check").output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn a_fifo_named_like_an_entry_is_refused_not_waited_on() {
    let (_tmp, dir) = mini_copy();
    mkfifo(&dir.join("x.ron"));
    let (code, text) = check(&[&dir]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("error[not-a-file]"), "{text}");
    assert!(
        text.contains("x.ron"),
        "the diagnostic names the file: {text}"
    );
    assert!(text.contains("FIFO"), "{text}");
}

#[test]
fn a_fifo_as_the_manifest_is_refused_not_waited_on() {
    let (_tmp, dir) = mini_copy();
    fs::remove_file(dir.join("pack.ron")).unwrap();
    mkfifo(&dir.join("pack.ron"));
    let (code, text) = check(&[&dir]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("error[not-a-file]"), "{text}");
    assert!(text.contains("pack.ron"), "{text}");
}

#[test]
fn a_symlink_to_a_fifo_is_refused_and_a_symlink_to_a_file_is_read() {
    let (tmp, dir) = mini_copy();
    // A link to a regular file inside the pack (here in a folder of it) is an ordinary
    // entry; a link to one outside the pack is refused (see tests/content_read.rs).
    fs::create_dir(dir.join("src")).unwrap();
    let real = dir.join("src/elsewhere.ron");
    fs::rename(dir.join("alpha.ron"), &real).unwrap();
    std::os::unix::fs::symlink(&real, dir.join("alpha.ron")).unwrap();
    let (code, text) = check(&[&dir]);
    assert_eq!(code, Some(0), "{text}");

    let fifo = tmp.path().join("pipe");
    mkfifo(&fifo);
    std::os::unix::fs::symlink(&fifo, dir.join("y.ron")).unwrap();
    let (code, text) = check(&[&dir]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("y.ron") && text.contains("FIFO"), "{text}");
}

#[test]
fn a_device_named_like_an_entry_is_refused_without_reading_it() {
    let (_tmp, dir) = mini_copy();
    std::os::unix::fs::symlink("/dev/zero", dir.join("z.ron")).unwrap();
    let (code, text) = check(&[&dir]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("error[not-a-file]"), "{text}");
    assert!(text.contains("a device"), "{text}");
}

/// The loader reads a FIFO swapped in after its check without blocking (it opens with
/// O_NONBLOCK and checks what it opened), so even the library call returns.
#[test]
fn the_library_loader_returns_on_a_fifo() {
    let (_tmp, dir) = mini_copy();
    mkfifo(&dir.join("x.ron"));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(read::read_dir(&dir).map(|p| p.entries.len()));
    });
    let entries = rx
        .recv_timeout(HANG_GUARD)
        .expect("read_dir blocked on a FIFO")
        .expect("the pack itself is readable");
    assert_eq!(
        entries, 3,
        "the FIFO is listed as an entry that failed to read"
    );
}

#[test]
fn a_pack_over_the_entry_limit_is_refused_with_a_clear_error() {
    let (_tmp, dir) = mini_copy();
    // Empty files: the listing is refused before any of them is read.
    for i in 0..MAX_PACK_ENTRIES {
        fs::File::create(dir.join(format!("e{i:05}.ron"))).unwrap();
    }
    let (code, text) = check(&[&dir]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("error[too-many-entries]"), "{text}");
    assert!(
        text.contains(&format!("more than {MAX_PACK_ENTRIES}")),
        "{text}"
    );
    assert!(text.contains("docs/pack-format.md"), "{text}");
}

/// A pack whose files claim `files` × the largest file size, as sparse files (nothing is
/// written to disk, and nothing is read: the budget is checked on sizes first).
fn sparse_pack(root: &Path, name: &str, files: usize) -> PathBuf {
    let dir = root.join(name);
    fs::create_dir(&dir).unwrap();
    fs::copy(mini().join("pack.ron"), dir.join("pack.ron")).unwrap();
    for i in 0..files {
        let f = fs::File::create(dir.join(format!("big{i:03}.ron"))).unwrap();
        f.set_len(MAX_FILE_BYTES).unwrap();
    }
    dir
}

#[test]
fn a_pack_over_the_byte_limit_is_refused_before_it_is_read() {
    let tmp = tempfile::tempdir().unwrap();
    let files = (MAX_PACK_BYTES / MAX_FILE_BYTES) as usize + 1;
    let dir = sparse_pack(tmp.path(), "big", files);
    let (code, text) = check(&[&dir]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("error[too-large]"), "{text}");
    assert!(text.contains("the limit per pack is 512.0 MiB"), "{text}");
}

/// The run's budget is shared by its packs (a CLI test would have to read a pack of
/// hundreds of MiB first, so this drives the loader with a budget already nearly spent).
#[test]
fn the_run_budget_counts_entries_and_bytes_across_packs() {
    // The mini pack has 2 entries.
    let mut nearly_full = Budget {
        entries: MAX_RUN_ENTRIES - 1,
        bytes: 0,
    };
    let err = read::read_dir_within(&mini(), &mut nearly_full).unwrap_err();
    assert_eq!(err.code, "too-many-entries");
    assert!(err.message.contains("limit per run"), "{}", err.message);

    let mut nearly_full = Budget {
        entries: 0,
        bytes: MAX_RUN_BYTES - 100,
    };
    let err = read::read_dir_within(&mini(), &mut nearly_full).unwrap_err();
    assert_eq!(err.code, "too-large");
    assert!(err.message.contains("limit per run"), "{}", err.message);

    let mut budget = Budget::default();
    read::read_dir_within(&mini(), &mut budget).unwrap();
    read::read_dir_within(&mini(), &mut budget).unwrap();
    assert_eq!(budget.entries, 4);
    let one: u64 = fs::read_dir(mini())
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert_eq!(budget.bytes, 2 * one);
}

#[test]
fn gen_pack_refuses_more_trials_than_the_loader_accepts() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("huge");
    let res = trialdeck()
        .args(["dev", "gen-pack", "--trials"])
        .arg((MAX_PACK_ENTRIES + 1).to_string())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(!res.status.success(), "{err}");
    assert!(err.contains("more than one pack may hold"), "{err}");
    assert!(err.contains(&MAX_PACK_ENTRIES.to_string()), "{err}");
    assert!(!out.exists(), "nothing was written");
}

#[test]
fn gen_pack_output_loads() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("p");
    trialdeck()
        .args(["dev", "gen-pack", "--trials", "20", "--out"])
        .arg(&out)
        .assert()
        .success();
    let (code, text) = check(&[&out]);
    assert_eq!(code, Some(0), "{text}");
}

// ---- export: atomic writes -------------------------------------------------------------

#[test]
fn export_keeps_the_permissions_of_an_existing_target() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("lib.json");
    fs::write(&out, "old").unwrap();
    set_mode(&out, 0o640);
    let res = export_json(&out, false);
    assert!(res.status.success(), "{res:?}");
    assert!(fs::read_to_string(&out).unwrap().starts_with('{'));
    assert_eq!(mode(&out), 0o640);
    assert_eq!(names_in(tmp.path()), ["lib.json"]);
}

#[test]
fn export_through_a_symlink_writes_its_target_and_keeps_the_link() {
    let tmp = tempfile::tempdir().unwrap();
    let real_dir = tmp.path().join("real");
    fs::create_dir(&real_dir).unwrap();
    let real = real_dir.join("lib.json");
    fs::write(&real, "old").unwrap();
    let link = tmp.path().join("link.json");
    // A relative link, resolved against the link's own directory.
    std::os::unix::fs::symlink("real/lib.json", &link).unwrap();
    let res = export_json(&link, false);
    assert!(res.status.success(), "{res:?}");
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced by a file"
    );
    assert!(fs::read_to_string(&real).unwrap().starts_with('{'));
    assert_eq!(names_in(&real_dir), ["lib.json"]);
}

#[test]
fn export_to_a_dangling_symlink_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let link = tmp.path().join("link.json");
    std::os::unix::fs::symlink(tmp.path().join("nowhere/lib.json"), &link).unwrap();
    let res = export_json(&link, false);
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(!res.status.success());
    assert!(err.contains("does not exist"), "{err}");
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(names_in(tmp.path()), ["link.json"]);
}

#[test]
fn export_refuses_a_read_only_target_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("lib.json");
    fs::write(&out, "old").unwrap();
    set_mode(&out, 0o444);
    let res = export_json(&out, false);
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(!res.status.success());
    assert!(
        err.contains("read-only") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&out).unwrap(), "old");

    let res = export_json(&out, true);
    assert!(res.status.success(), "{res:?}");
    assert!(fs::read_to_string(&out).unwrap().starts_with('{'));
    assert_eq!(mode(&out), 0o444, "still read-only");
    assert_eq!(names_in(tmp.path()), ["lib.json"]);
}

#[test]
fn export_to_a_directory_or_a_fifo_is_refused_and_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    fs::create_dir(&dir).unwrap();
    let res = export_json(&dir, false);
    assert!(!res.status.success());
    let fifo = tmp.path().join("f");
    mkfifo(&fifo);
    let res = export_json(&fifo, false);
    assert!(!res.status.success());
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(err.contains("not a regular file"), "{err}");
    assert_eq!(names_in(tmp.path()), ["d", "f"]);
}

#[test]
fn export_sweeps_stale_temporary_files_of_its_own_only() {
    let tmp = tempfile::tempdir().unwrap();
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let make = |name: &str, old: bool| {
        let f = fs::File::create(tmp.path().join(name)).unwrap();
        if old {
            f.set_modified(hour_ago).unwrap();
        }
    };
    make(".lib.json.trialdeck-tmp.4242.0", true); // left by a killed export: swept
    make(".other.csv.trialdeck-tmp.77.3", true); // of another target, ours too: swept
    // A running export's (its process is alive: this test's own id stands for it): kept.
    let live = format!(".lib.json.trialdeck-tmp.{}.0", std::process::id());
    make(&live, false);
    make(".lib.json.tmp-4242", true); // not our pattern: kept
    make("notes.txt", true);
    let res = export_json(&tmp.path().join("lib.json"), false);
    assert!(res.status.success(), "{res:?}");
    assert_eq!(
        names_in(tmp.path()),
        [".lib.json.tmp-4242", live.as_str(), "lib.json", "notes.txt"]
    );
}

#[test]
fn a_failed_write_leaves_the_target_and_no_temporary_file() {
    use std::io::Write;
    use trialdeck::fsutil::write_atomically_with;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("lib.json");
    fs::write(&out, "old").unwrap();
    let err = write_atomically_with(&out, false, |f| {
        f.write_all(b"half of it")?;
        Err(std::io::Error::other("disk full"))
    })
    .unwrap_err();
    assert_eq!(err.to_string(), "disk full");
    assert_eq!(fs::read_to_string(&out).unwrap(), "old");
    assert_eq!(names_in(tmp.path()), ["lib.json"]);

    // A panic while writing cleans up too.
    let out2 = out.clone();
    let r = std::panic::catch_unwind(move || {
        let _ = write_atomically_with(&out2, false, |_| panic!("bug while writing"));
    });
    assert!(r.is_err());
    assert_eq!(names_in(tmp.path()), ["lib.json"]);

    // And a successful write to a new file leaves just the file.
    let new = tmp.path().join("new.json");
    trialdeck::fsutil::write_atomically(&new, b"{}", false).unwrap();
    assert_eq!(fs::read(&new).unwrap(), b"{}");
    assert_eq!(names_in(tmp.path()), ["lib.json", "new.json"]);
}
