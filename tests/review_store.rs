//! The review store: crash safety (a real SIGKILL), two writers at once, corrupt and foreign
//! files left untouched, a read-only data directory, and no-save writing nothing.
//!
//! Child processes are this test binary itself, re-run on an ignored test (`child_writer`,
//! `child_readonly`) that an environment variable switches on.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use trialdeck::review::store::{DB_FILE, NewReview, SCHEMA_VERSION, Store, StoreError};
use trialdeck::review::{CardId, Grade, Scheduler};

const ENV_DIR: &str = "TRIALDECK_TEST_WRITER_DIR";
const ENV_TAG: &str = "TRIALDECK_TEST_WRITER_TAG";
const ENV_COUNT: &str = "TRIALDECK_TEST_WRITER_COUNT";
const ENV_RO: &str = "TRIALDECK_TEST_READONLY";
const T0: i64 = 1_750_000_000;

fn review(card: String, i: u64) -> NewReview {
    NewReview {
        card: CardId(card),
        at: T0 + i as i64 * 60,
        grade: Grade::ALL[(i % 4) as usize],
        points: i & 0b111,
        points_total: 3,
        duration_ms: 1000 + i,
    }
}

fn child(test: &str) -> Command {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args([
        "--exact",
        test,
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    c
}

/// Writes reviews `<tag>-<i>` (one per card, one transaction each), printing `committed <i>`
/// after each commit. Runs only when the parent sets the environment.
#[test]
#[ignore = "child process of the store tests"]
fn child_writer() {
    let Ok(dir) = std::env::var(ENV_DIR) else {
        return;
    };
    let tag = std::env::var(ENV_TAG).unwrap();
    let count: u64 = std::env::var(ENV_COUNT).unwrap().parse().unwrap();
    let mut store = Store::open(Path::new(&dir), Scheduler::default()).unwrap();
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for i in 0..count {
        store.record(&review(format!("{tag}-{i}"), i)).unwrap();
        writeln!(out, "committed {i}").unwrap();
        out.flush().unwrap();
    }
}

fn committed_ids(store: &Store, tag: &str) -> Vec<u64> {
    let mut ids: Vec<u64> = store
        .reviews_since(0)
        .unwrap()
        .into_iter()
        .filter_map(|r| r.card.strip_prefix(&format!("{tag}-"))?.parse().ok())
        .collect();
    ids.sort();
    ids
}

#[test]
fn sigkill_mid_stream_loses_no_committed_review() {
    let tmp = tempfile::tempdir().unwrap();
    let mut proc = child("child_writer")
        .env(ENV_DIR, tmp.path())
        .env(ENV_TAG, "k")
        .env(ENV_COUNT, "1000000")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(proc.stdout.take().unwrap()).lines();
    let mut last = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(n) = line.strip_prefix("committed ") {
            last = Some(n.parse::<u64>().unwrap());
            if last == Some(150) {
                break;
            }
        }
    }
    // A real kill -9 while the child is still writing.
    let rc = unsafe { libc::kill(proc.id() as libc::pid_t, libc::SIGKILL) };
    assert_eq!(rc, 0);
    let status = proc.wait().unwrap();
    assert!(!status.success(), "the child was killed, not finished");
    let seen = last.expect("the child committed reviews");

    let store = Store::open(tmp.path(), Scheduler::default()).expect("the database opens");
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let ids = committed_ids(&store, "k");
    // Every review reported committed is there, in order, with no gaps; at most the ones
    // committed after the last line we read are extra.
    assert!(ids.len() as u64 > seen, "{} reviews, saw {seen}", ids.len());
    assert_eq!(ids, (0..ids.len() as u64).collect::<Vec<_>>());
    // Derived state agrees with the log: one state per reviewed card.
    assert_eq!(store.states().unwrap().len(), ids.len());
}

#[test]
fn two_writers_at_once_lose_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let n = 150;
    let spawn = |tag: &str| {
        child("child_writer")
            .env(ENV_DIR, tmp.path())
            .env(ENV_TAG, tag)
            .env(ENV_COUNT, n.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn("a"), spawn("b"));
    for p in [a, b] {
        let out = p.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "writer failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let store = Store::open(tmp.path(), Scheduler::default()).unwrap();
    let all: Vec<u64> = (0..n).collect();
    assert_eq!(committed_ids(&store, "a"), all);
    assert_eq!(committed_ids(&store, "b"), all);
    assert_eq!(store.review_count().unwrap(), 2 * n);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn random_bytes_are_reported_and_left_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(DB_FILE);
    let mut x: u64 = 0x1234_5678;
    let bytes: Vec<u8> = (0..8192)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(&path, &bytes).unwrap();
    let before = snapshot(tmp.path());
    let err = Store::open(tmp.path(), Scheduler::default()).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("untouched"), "{msg}");
    assert_eq!(
        snapshot(tmp.path()),
        before,
        "no byte changed, no file added"
    );
    // The app's policy does not degrade on this: it is an error to show.
    assert!(Store::open_or_degrade(tmp.path(), false, Scheduler::default()).is_err());
}

#[test]
fn damaged_trialdeck_database_is_reported_and_left_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let mut s = Store::open(tmp.path(), Scheduler::default()).unwrap();
        for i in 0..50 {
            s.record(&review(format!("d-{i}"), i)).unwrap();
        }
    }
    let path = tmp.path().join(DB_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 4096 * 2);
    // Keep the header (so it still looks like ours) and scribble over every later page.
    for b in bytes[4096..].iter_mut() {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let before = snapshot(tmp.path());
    let err = Store::open(tmp.path(), Scheduler::default())
        .and_then(|s| s.states().map(|_| s))
        .unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains(&path.display().to_string()));
    let after = snapshot(tmp.path());
    let main_file = |v: &[(PathBuf, Vec<u8>)]| v.iter().find(|(p, _)| p == &path).cloned();
    assert_eq!(
        main_file(&after),
        main_file(&before),
        "the file is not rewritten"
    );
}

#[test]
fn foreign_sqlite_database_is_reported_and_left_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(DB_FILE);
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup');")
            .unwrap();
    }
    let before = snapshot(tmp.path());
    let err = Store::open(tmp.path(), Scheduler::default()).unwrap_err();
    assert!(matches!(err, StoreError::Foreign { .. }), "{err:?}");
    assert!(err.to_string().contains(&path.display().to_string()));
    assert!(err.to_string().contains("did not create"));
    assert_eq!(snapshot(tmp.path()), before);
}

#[test]
fn newer_schema_is_refused_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    drop(Store::open(tmp.path(), Scheduler::default()).unwrap());
    let path = tmp.path().join(DB_FILE);
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(&format!("PRAGMA user_version = {};", SCHEMA_VERSION + 1))
            .unwrap();
    }
    let err = Store::open(tmp.path(), Scheduler::default()).unwrap_err();
    assert!(
        matches!(err, StoreError::TooNew { found, .. } if found == SCHEMA_VERSION + 1),
        "{err:?}"
    );
}

#[test]
fn reopening_keeps_history_and_schema() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let mut s = Store::open(tmp.path(), Scheduler::default()).unwrap();
        s.record(&review("p/q/one".into(), 1)).unwrap();
    }
    let s = Store::open(tmp.path(), Scheduler::default()).unwrap();
    assert_eq!(s.review_count().unwrap(), 1);
    let c = rusqlite::Connection::open(tmp.path().join(DB_FILE)).unwrap();
    let v: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, SCHEMA_VERSION);
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn no_save_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let (mut s, notice) = Store::open_or_degrade(&data, true, Scheduler::default()).unwrap();
    assert!(notice.is_none());
    assert!(!s.is_saving());
    for i in 0..10 {
        s.record(&review(format!("n-{i}"), i)).unwrap();
    }
    assert_eq!(
        s.review_count().unwrap(),
        10,
        "the session still has its reviews"
    );
    assert_eq!(
        std::fs::read_dir(&data).unwrap().count(),
        0,
        "the data dir stays empty"
    );
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
}

/// Runs as an unprivileged user (see `read_only_dir_is_a_distinct_error`).
#[test]
#[ignore = "child process of the store tests"]
fn child_readonly() {
    if std::env::var(ENV_RO).is_err() {
        return;
    }
    check_read_only();
}

fn check_read_only() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let ro = tmp.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    // The data dir itself is read-only, or a parent where it would be created is.
    for dir in [ro.clone(), ro.join("trialdeck")] {
        let err = Store::open(&dir, Scheduler::default()).unwrap_err();
        assert!(err.is_read_only(), "{dir:?}: {err:?}");
        assert!(err.to_string().contains("cannot write"), "{err}");
        let (s, notice) = Store::open_or_degrade(&dir, false, Scheduler::default()).unwrap();
        assert!(!s.is_saving());
        assert!(notice.unwrap().contains("not be saved"));
    }
    assert_eq!(std::fs::read_dir(&ro).unwrap().count(), 0);
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();

    // An existing history in a directory that has since become read-only.
    let old = tmp.path().join("old");
    {
        let mut s = Store::open(&old, Scheduler::default()).unwrap();
        s.record(&review("o-1".into(), 1)).unwrap();
    }
    let db = old.join(DB_FILE);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o555)).unwrap();
    let before = std::fs::read(&db).unwrap();
    let err = Store::open(&old, Scheduler::default()).unwrap_err();
    assert!(err.is_read_only(), "{err:?}");
    // Degraded: the history is readable in memory, nothing is written.
    let (mut s, notice) = Store::open_or_degrade(&old, false, Scheduler::default()).unwrap();
    assert!(notice.is_some());
    assert!(!s.is_saving());
    assert_eq!(s.review_count().unwrap(), 1);
    assert_eq!(s.states().unwrap().len(), 1);
    s.record(&review("o-2".into(), 2)).unwrap();
    assert_eq!(std::fs::read(&db).unwrap(), before);
    let mut files: Vec<_> = std::fs::read_dir(&old)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    files.sort();
    assert_eq!(files, vec![std::ffi::OsString::from(DB_FILE)]);
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn read_only_dir_is_a_distinct_error() {
    if unsafe { libc::geteuid() } != 0 {
        check_read_only();
        return;
    }
    // Root writes anywhere: check as an unprivileged user in a child process.
    use std::os::unix::process::CommandExt;
    let out = child("child_readonly")
        .env(ENV_RO, "1")
        .env("TMPDIR", std::env::temp_dir())
        .uid(65_534)
        .gid(65_534)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("child_readonly ... ok"), "{stdout}");
}
