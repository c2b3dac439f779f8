//! The one atomic writer and the small-file reader (src/fsutil.rs), through everything that
//! writes or reads with them: the config (`config set`), exports, the Anki package, the
//! keymap and learners files. Permissions are checked as an unprivileged user: the tests run
//! as root in CI, so those parts run the binary as `nobody`.

mod common;

use common::files::{
    NOBODY, chown, dead_pid, export_json, is_root, mini, mkfifo, mode, names_in, printed, set_mode,
    trialdeck, within_guard,
};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use trialdeck::config::Config;

/// `config set KEY VALUE` on the config file `path`.
fn config_set(path: &Path, key: &str, value: &str) -> std::process::Output {
    trialdeck()
        .arg("--config")
        .arg(path)
        .args(["config", "set", key, value])
        .output()
        .unwrap()
}

#[test]
fn a_link_planted_at_the_old_predictable_config_temp_name_is_never_followed() {
    // A shared directory where another user planted `config.ron.tmp<pid>` for our pid, a
    // link to a file of ours (root's 600 file, in the issue).
    let tmp = tempfile::tempdir().unwrap();
    let victim = tmp.path().join("victim");
    fs::write(&victim, "precious").unwrap();
    set_mode(&victim, 0o600);
    let path = tmp.path().join("config.ron");
    let planted = tmp
        .path()
        .join(format!("config.ron.tmp{}", std::process::id()));
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    let mut c = Config::default();
    c.set("role", "resident").unwrap();
    c.save(&path).unwrap();
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(mode(&victim), 0o600);
    assert!(
        !fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(Config::load(&path), (c, None));
    // The planted link is left alone (it is not a file of ours).
    assert!(
        fs::symlink_metadata(&planted)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn config_set_keeps_a_private_configs_mode() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("config.ron");
    fs::write(&path, "(role: MedicalStudent)\n").unwrap();
    set_mode(&path, 0o600);
    let out = config_set(&path, "role", "fellow");
    assert!(out.status.success(), "{}", printed(&out));
    assert_eq!(mode(&path), 0o600, "600 stays 600");
    assert!(fs::read_to_string(&path).unwrap().contains("Fellow"));
    assert_eq!(names_in(tmp.path()), ["config.ron"]);
}

#[test]
fn config_set_writes_through_a_symlinked_config_and_keeps_the_link() {
    // A dotfiles setup: ~/.config/trialdeck/config.ron -> ~/dotfiles/trialdeck.ron
    let tmp = tempfile::tempdir().unwrap();
    let dotfiles = tmp.path().join("dotfiles");
    let conf = tmp.path().join("conf");
    fs::create_dir_all(&dotfiles).unwrap();
    fs::create_dir_all(&conf).unwrap();
    let real = dotfiles.join("trialdeck.ron");
    fs::write(&real, "(role: MedicalStudent)\n").unwrap();
    let link = conf.join("config.ron");
    std::os::unix::fs::symlink("../dotfiles/trialdeck.ron", &link).unwrap();
    let out = config_set(&link, "theme", "light");
    assert!(out.status.success(), "{}", printed(&out));
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced by a file"
    );
    let text = fs::read_to_string(&real).unwrap();
    assert!(
        text.contains("light") && text.contains("MedicalStudent"),
        "{text}"
    );
    assert_eq!(names_in(&conf), ["config.ron"]);
    assert_eq!(names_in(&dotfiles), ["trialdeck.ron"]);
}

#[test]
fn config_set_refuses_a_read_only_config_with_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("config.ron");
    fs::write(&path, "(role: MedicalStudent)\n").unwrap();
    set_mode(&path, 0o444);
    let out = config_set(&path, "role", "fellow");
    let text = printed(&out);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(text.contains("read-only"), "{text}");
    assert!(text.contains("not changed"), "{text}");
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "(role: MedicalStudent)\n"
    );
    assert_eq!(mode(&path), 0o444);
    assert_eq!(names_in(tmp.path()), ["config.ron"]);
}

#[test]
fn a_config_that_is_a_fifo_or_too_large_is_reported_not_waited_on_or_read_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("config.ron");
    mkfifo(&fifo);
    let (c, msg) = within_guard({
        let fifo = fifo.clone();
        move || Config::load(&fifo)
    })
    .expect("Config::load returned on a FIFO");
    assert_eq!(c, Config::default());
    let msg = msg.expect("a message");
    assert!(msg.contains("FIFO"), "{msg}");

    // The CLI too: `config show` says what is wrong and uses the defaults.
    let out = trialdeck()
        .arg("--config")
        .arg(&fifo)
        .args(["config", "show"])
        .output()
        .unwrap();
    assert!(printed(&out).contains("FIFO"), "{}", printed(&out));

    let big = tmp.path().join("big.ron");
    let f = fs::File::create(&big).unwrap();
    f.set_len(2 * trialdeck::config::MAX_BYTES).unwrap();
    let (c, msg) = Config::load(&big);
    assert_eq!(c, Config::default());
    let msg = msg.expect("a message");
    assert!(msg.contains("limit"), "{msg}");
}

#[test]
fn a_keymap_or_learners_file_that_is_a_fifo_or_too_large_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("pipe");
    mkfifo(&fifo);
    let big = tmp.path().join("big");
    fs::File::create(&big).unwrap().set_len(4 << 20).unwrap();
    for (file, expect) in [(&fifo, "FIFO"), (&big, "limit")] {
        let out = trialdeck()
            .arg("--no-save")
            .arg("--keymap")
            .arg(file)
            .output()
            .unwrap();
        let text = printed(&out);
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(text.contains("keymap") && text.contains(expect), "{text}");

        let out = trialdeck()
            .args(["rounds", "--learners"])
            .arg(file)
            .output()
            .unwrap();
        let text = printed(&out);
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(text.contains("learners") && text.contains(expect), "{text}");
    }
}

#[test]
fn a_temporary_file_of_a_killed_export_is_swept_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let gone = dead_pid();
    // Left a second ago by an export that was killed (its process is gone): swept now, not
    // ten minutes later.
    let orphan = format!(".lib.json.trialdeck-tmp.{gone}.0");
    fs::write(tmp.path().join(&orphan), "half an export").unwrap();
    // Not ours to remove: another user's (when root can make one), and a link.
    let link = format!(".x.trialdeck-tmp.{gone}.1");
    std::os::unix::fs::symlink("/etc/hostname", tmp.path().join(&link)).unwrap();
    let theirs = format!(".y.trialdeck-tmp.{gone}.2");
    fs::write(tmp.path().join(&theirs), "").unwrap();
    if is_root() {
        chown(&tmp.path().join(&theirs), NOBODY, NOBODY);
    }
    let out = export_json(&tmp.path().join("lib.json"), false);
    assert!(out.status.success(), "{}", printed(&out));
    let mut expect = vec![link.clone(), "lib.json".to_string()];
    if is_root() {
        expect.insert(1, theirs.clone());
    }
    assert_eq!(names_in(tmp.path()), expect);
}

#[test]
fn exports_temporary_names_are_unpredictable_and_links_there_never_followed() {
    // Another user plants links at every name the old scheme would try first.
    let tmp = tempfile::tempdir().unwrap();
    let victim = tmp.path().join("victim");
    fs::write(&victim, "precious").unwrap();
    let out_path = tmp.path().join("lib.json");
    let res = export_json(&out_path, false);
    assert!(res.status.success(), "{}", printed(&res));
    let first = fs::read(&out_path).unwrap();
    // The writer's temporary names carry a random part: two writes by one process use
    // different names (seen through the library, where the process id is known).
    let mut seen = std::collections::HashSet::new();
    for _ in 0..3 {
        trialdeck::fsutil::write_atomically_with(&out_path, false, |f| {
            let name = fs::read_dir(tmp.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .find(|n| trialdeck::fsutil::is_our_temp(n))
                .expect("a temporary file exists while writing");
            seen.insert(name);
            std::io::Write::write_all(f, &first)
        })
        .unwrap();
    }
    assert_eq!(seen.len(), 3, "{seen:?}");
    let pid = std::process::id();
    for n in 0..5 {
        let name = format!(".lib.json.trialdeck-tmp.{pid}.{n}");
        let _ = std::os::unix::fs::symlink(&victim, tmp.path().join(name));
    }
    trialdeck::fsutil::write_atomically(&out_path, b"{}", false).unwrap();
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(fs::read(&out_path).unwrap(), b"{}");
}

#[test]
fn anki_export_leaves_nothing_in_the_temporary_directory_and_sweeps_old_leftovers() {
    let tmp = tempfile::tempdir().unwrap();
    let tmpdir = tmp.path().join("tmp");
    fs::create_dir(&tmpdir).unwrap();
    let gone = dead_pid();
    // What a killed export of an earlier version left (world-readable, never swept).
    let old = format!("trialdeck-anki-{gone}-123456-0.anki2");
    fs::write(tmpdir.join(&old), "a collection").unwrap();
    fs::write(tmpdir.join(format!("{old}-journal")), "").unwrap();
    fs::write(tmpdir.join("someone-elses.anki2"), "").unwrap();
    let out = tmp.path().join("deck.apkg");
    let res = trialdeck()
        .env("TMPDIR", &tmpdir)
        .arg("--pack")
        .arg(mini())
        .args(["export", "--format", "anki", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(res.status.success(), "{}", printed(&res));
    assert!(fs::metadata(&out).unwrap().len() > 0);
    assert_eq!(names_in(&tmpdir), ["someone-elses.anki2"]);
}

/// Root in CI: run `export` as `nobody` into a directory of nobody's holding root's 644 file.
#[test]
fn export_refuses_another_users_file_it_cannot_write_unless_forced() {
    if !is_root() {
        eprintln!("skipped: making another user's file needs root");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    set_mode(tmp.path(), 0o755);
    let dir = tmp.path().join("home");
    fs::create_dir(&dir).unwrap();
    chown(&dir, NOBODY, NOBODY);
    let theirs = dir.join("lib.json");
    fs::write(&theirs, "root's").unwrap();
    set_mode(&theirs, 0o644);
    let as_nobody = |force: bool| {
        use std::os::unix::process::CommandExt;
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("trialdeck"));
        cmd.uid(NOBODY)
            .gid(NOBODY)
            .env("TRIALDECK_CACHE_DIR", "off")
            .env("HOME", &dir)
            .arg("--pack")
            .arg(mini())
            .args(["export", "--out"])
            .arg(&theirs);
        if force {
            cmd.arg("--force");
        }
        cmd.output().unwrap()
    };
    let out = as_nobody(false);
    let text = printed(&out);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(text.contains("--force"), "{text}");
    assert_eq!(fs::read_to_string(&theirs).unwrap(), "root's");
    assert_eq!(fs::metadata(&theirs).unwrap().uid(), 0, "still root's");
    assert_eq!(names_in(&dir), ["lib.json"]);

    let out = as_nobody(true);
    assert!(out.status.success(), "{}", printed(&out));
    assert!(fs::read_to_string(&theirs).unwrap().starts_with('{'));
    assert_eq!(names_in(&dir), ["lib.json"]);
}
