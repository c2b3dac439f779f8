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
    // Nor does opening it for the app later (the history is made on the first grade).
    let err = Store::open_lazy(&ro.join("trialdeck"), Scheduler::default()).unwrap_err();
    assert!(err.is_read_only(), "{err:?}");
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
    // Read only (`stats`), and the app's own way in: the history is read, nothing written.
    let r = Store::open_read_only(&old, Scheduler::default()).unwrap();
    assert_eq!(r.review_count().unwrap(), 1);
    let h = trialdeck::review::history::open(
        Some(&old),
        false,
        Scheduler::default(),
        trialdeck::review::Access::Strict,
    )
    .unwrap();
    assert!(!h.store.is_saving() && h.states.len() == 1, "{h:?}");
    assert!(h.notices.join(" ").contains("not saved"));
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

/// Opens the history in `TRIALDECK_TEST_READER_DIR` and prints the ids of the reviews tagged
/// `TRIALDECK_TEST_WRITER_TAG`, one line: `ids 0,1,2`.
#[test]
#[ignore = "child process of the store tests"]
fn child_reader() {
    let Ok(dir) = std::env::var("TRIALDECK_TEST_READER_DIR") else {
        return;
    };
    let tag = std::env::var(ENV_TAG).unwrap();
    let store = Store::open(Path::new(&dir), Scheduler::default()).unwrap();
    let ids: Vec<String> = committed_ids(&store, &tag)
        .iter()
        .map(u64::to_string)
        .collect();
    println!("\nids {}", ids.join(","));
}

fn ids_seen_by_another_process(dir: &Path, tag: &str) -> Vec<u64> {
    let out = child("child_reader")
        .env("TRIALDECK_TEST_READER_DIR", dir)
        .env(ENV_TAG, tag)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("ids "))
        .unwrap_or_else(|| panic!("no ids line: {stdout}"));
    line.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect()
}

/// A cleanup or sync tool deletes the `-wal` file while quiz A has the history open, and quiz
/// B then opens it: every grade A was told is saved is in the history B sees, and after both
/// close; a grade that could not be kept is reported as an error, never lost silently.
#[test]
fn a_deleted_wal_file_loses_no_confirmed_grade() {
    let tmp = tempfile::tempdir().unwrap();
    let wal = tmp.path().join(format!("{DB_FILE}-wal"));
    let mut a = Store::open(tmp.path(), Scheduler::default()).unwrap();
    let mut saved = Vec::new();
    for i in 0..10u64 {
        if i == 3 {
            assert!(wal.exists(), "the history is in WAL mode");
            std::fs::remove_file(&wal).unwrap();
        }
        if i == 6 {
            // Quiz B, another process, opens the same history and reads it.
            assert_eq!(ids_seen_by_another_process(tmp.path(), "w"), saved);
        }
        if a.record(&review(format!("w-{i}"), i)).is_ok() {
            saved.push(i);
        }
    }
    assert!(
        saved.len() >= 7,
        "A kept saving after the deletion: {saved:?}"
    );
    assert_eq!(ids_seen_by_another_process(tmp.path(), "w"), saved);
    let b = Store::open(tmp.path(), Scheduler::default()).unwrap();
    assert_eq!(committed_ids(&b, "w"), saved);
    drop(a);
    drop(b);
    let c = Store::open(tmp.path(), Scheduler::default()).unwrap();
    assert_eq!(committed_ids(&c, "w"), saved);
    assert_eq!(c.integrity_check().unwrap(), "ok");
}

/// Run `f` on another thread; fail (rather than hang the test) if it does not return in time.
fn within_deadline<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("{what} hung"))
}

/// A FIFO where the database should be is reported at once, by every way of opening the
/// history; nothing waits for a writer that never comes.
#[test]
fn a_fifo_as_the_database_is_refused_without_hanging() {
    use trialdeck::review::{Access, history};
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(DB_FILE);
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let dir = tmp.path().to_path_buf();
    let err = within_deadline("Store::open on a FIFO", move || {
        Store::open(&dir, Scheduler::default()).unwrap_err()
    });
    assert!(matches!(err, StoreError::NotAFile { .. }), "{err:?}");
    assert!(err.to_string().contains("FIFO"), "{err}");
    for access in [Access::Strict, Access::ReadOnly] {
        let dir = tmp.path().to_path_buf();
        let r = within_deadline("history::open on a FIFO", move || {
            history::open(Some(&dir), false, Scheduler::default(), access).map(|_| ())
        });
        assert!(
            matches!(r, Err(StoreError::NotAFile { .. })),
            "{access:?}: {r:?}"
        );
    }
    let dir = tmp.path().to_path_buf();
    let h = within_deadline("the browser's open on a FIFO", move || {
        history::open(Some(&dir), false, Scheduler::default(), Access::Lenient).unwrap()
    });
    assert!(!h.store.is_saving());
    assert!(h.notices.join(" ").contains("FIFO"), "{:?}", h.notices);
}

/// A dangling symbolic link as the database: SQLite would create the file where the link
/// points, outside the data directory. Refused, and nothing is created there.
#[test]
fn a_dangling_symlink_as_the_database_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let outside = tmp.path().join("elsewhere.sqlite3");
    std::os::unix::fs::symlink(&outside, data.join(DB_FILE)).unwrap();
    let err = Store::open(&data, Scheduler::default()).unwrap_err();
    assert!(matches!(err, StoreError::DanglingLink { .. }), "{err:?}");
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert!(
        !outside.exists(),
        "nothing was created outside the data directory"
    );
    let err = Store::open_lazy(&data, Scheduler::default()).unwrap_err();
    assert!(matches!(err, StoreError::DanglingLink { .. }), "{err:?}");
    assert!(!outside.exists());
    // A link to an existing history is followed (a synced dotfiles setup).
    std::fs::remove_file(data.join(DB_FILE)).unwrap();
    let real = tmp.path().join("real");
    {
        let mut s = Store::open(&real, Scheduler::default()).unwrap();
        s.record(&review("l-1".into(), 1)).unwrap();
    }
    std::os::unix::fs::symlink(real.join(DB_FILE), data.join(DB_FILE)).unwrap();
    assert_eq!(
        Store::open(&data, Scheduler::default())
            .unwrap()
            .review_count()
            .unwrap(),
        1
    );
}

/// A data directory path that is a regular file: one clear message, from every way of
/// opening the history (the quiz used to say "File exists (os error 17)", `stats` printed an
/// empty history as if it had been lost).
#[test]
fn a_file_as_the_data_directory_is_named_as_such() {
    use trialdeck::review::{Access, history};
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("notadir");
    std::fs::write(&file, "x").unwrap();
    let err = Store::open(&file, Scheduler::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("this is a file, not a data directory"),
        "{err}"
    );
    for access in [Access::Strict, Access::ReadOnly] {
        let err = history::open(Some(&file), false, Scheduler::default(), access).unwrap_err();
        assert!(matches!(err, StoreError::NotADirectory { .. }), "{err:?}");
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

/// A history that does not exist is created by the first write, not by opening it.
#[test]
fn the_history_is_created_on_the_first_write() {
    use trialdeck::review::{Access, history};
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut h = history::open(Some(&data), false, Scheduler::default(), Access::Lenient).unwrap();
    assert!(h.store.is_saving() && h.notices.is_empty());
    assert!(!data.exists(), "opening created nothing");
    h.store.record(&review("f-1".into(), 1)).unwrap();
    assert!(data.join(DB_FILE).exists());
    drop(h);
    let s = Store::open(&data, Scheduler::default()).unwrap();
    assert_eq!(s.review_count().unwrap(), 1);
}

/// The browser opens on a history damaged past its header, without saving and with a notice;
/// the quiz refuses to start; neither touches the file.
#[test]
fn a_history_damaged_past_its_header_opens_the_browser_without_saving() {
    use trialdeck::review::{Access, history};
    let tmp = tempfile::tempdir().unwrap();
    {
        let mut s = Store::open(tmp.path(), Scheduler::default()).unwrap();
        for i in 0..50 {
            s.record(&review(format!("d-{i}"), i)).unwrap();
        }
    }
    let path = tmp.path().join(DB_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    for b in bytes[4096..].iter_mut() {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let h = history::open(
        Some(tmp.path()),
        false,
        Scheduler::default(),
        Access::Lenient,
    )
    .unwrap();
    assert!(!h.store.is_saving());
    let notice = h.notices.join(" ");
    assert!(
        notice.contains("damaged") && notice.contains("not saved"),
        "{notice}"
    );
    let err = history::open(
        Some(tmp.path()),
        false,
        Scheduler::default(),
        Access::Strict,
    )
    .unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

/// A history written by the trialdeck before learning steps (schema 1: made by that binary
/// in a real quiz, 7 reviews of which one undone, 6 card states) as read by SQLite itself.
fn v1_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/history-v1/reviews.sqlite3")
}

type V1State = (String, f64, f64, i64, i64, i64, i64, i64);
type V1Review = (i64, String, i64, i64, i64, i64, i64, bool);

fn v1_rows(db: &Path) -> (Vec<V1Review>, Vec<i64>, Vec<V1State>) {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    let reviews = c
        .prepare("SELECT id, card, at, grade, points, points_total, duration_ms, was_new FROM reviews ORDER BY id")
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let undone = c
        .prepare("SELECT review FROM undone ORDER BY review")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let states = c
        .prepare("SELECT card, stability, difficulty, due, reps, lapses, last_review, last_grade FROM card_state ORDER BY card")
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    (reviews, undone, states)
}

#[test]
fn a_history_of_the_previous_schema_migrates_with_nothing_lost() {
    // Read from copies: SQLite leaves -shm files beside a WAL database it reads.
    let pristine = tempfile::tempdir().unwrap();
    std::fs::copy(v1_fixture(), pristine.path().join(DB_FILE)).unwrap();
    let (reviews, undone, states) = v1_rows(&pristine.path().join(DB_FILE));
    assert_eq!((reviews.len(), undone.len(), states.len()), (7, 1, 6));
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(v1_fixture(), tmp.path().join(DB_FILE)).unwrap();
    // Read only (stats) before any migration: the same history, nothing written.
    let before = std::fs::read(tmp.path().join(DB_FILE)).unwrap();
    let ro = Store::open_read_only(tmp.path(), Scheduler::default()).unwrap();
    assert_eq!(ro.states().unwrap().len(), 6);
    assert_eq!(
        ro.reviews_since(0).unwrap().len(),
        6,
        "the undone review stays undone"
    );
    assert_eq!(std::fs::read(tmp.path().join(DB_FILE)).unwrap(), before);
    // Opened to write: migrated to this schema.
    let mut s = Store::open(tmp.path(), Scheduler::default()).unwrap();
    let db = tmp.path().join(DB_FILE);
    let c = rusqlite::Connection::open(&db).unwrap();
    let version: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    drop(c);
    // Every row as it was: the log, the undo marks, each state's numbers.
    let (r2, u2, s2) = v1_rows(&db);
    assert_eq!(r2, reviews);
    assert_eq!(u2, undone);
    assert_eq!(s2, states);
    // The states read as review cards (schema 1 scheduled in days); first reviews as
    // learning ones, later ones as reviews.
    let read = s.states().unwrap();
    assert_eq!(read.len(), 6);
    for (card, stability, _, due, reps, lapses, last, grade) in &states {
        let st = read[card];
        assert_eq!(st.phase, trialdeck::review::Phase::Review, "{card}");
        assert_eq!(
            (st.stability, st.due, st.reps as i64, st.lapses as i64),
            (*stability, *due, *reps, *lapses)
        );
        assert_eq!(
            (st.last_review, st.last_grade.value() as i64),
            (*last, *grade)
        );
    }
    let rows = s.reviews_since(0).unwrap();
    assert_eq!(rows.len(), 6);
    for r in &rows {
        let want = if r.was_new {
            trialdeck::review::store::ReviewKind::Learn
        } else {
            trialdeck::review::store::ReviewKind::Review
        };
        assert_eq!(r.kind, want, "{r:?}");
    }
    assert!(s.flags().unwrap().is_empty());
    assert!(s.fitted().unwrap().is_none());
    // And it takes the next grade.
    let card = states[0].0.clone();
    let at = states[0].3 + 86_400;
    let rec = s
        .record(&NewReview {
            card: CardId(card.clone()),
            at,
            grade: Grade::Good,
            points: 0,
            points_total: 0,
            duration_ms: 1000,
        })
        .unwrap();
    assert_eq!(rec.state.reps, states[0].4 as u32 + 1);
    assert_eq!(s.review_count().unwrap(), 8);
    assert_eq!(s.integrity_check().unwrap(), "ok");
}

/// A card on a learning step is in the store: a new run finds it on its step, due when it was.
#[test]
fn learning_steps_survive_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let mut s = Store::open(tmp.path(), Scheduler::default()).unwrap();
        let rec = s.record(&review("p/q/again".into(), 0)).unwrap(); // Again at T0
        assert_eq!(rec.state.phase, trialdeck::review::Phase::Learning);
        assert_eq!(rec.state.due, T0 + 60);
        let mut good = review("p/q/good".into(), 2); // Good at T0 + 120
        good.grade = Grade::Good;
        let rec = s.record(&good).unwrap();
        assert_eq!((rec.state.step, rec.state.due), (1, T0 + 120 + 600));
    }
    let s = Store::open(tmp.path(), Scheduler::default()).unwrap();
    let st = s.states().unwrap();
    assert_eq!(
        (
            st["p/q/again"].phase,
            st["p/q/again"].step,
            st["p/q/again"].due
        ),
        (trialdeck::review::Phase::Learning, 0, T0 + 60)
    );
    assert_eq!((st["p/q/good"].step, st["p/q/good"].due), (1, T0 + 720));
    // The day's counts for the limits come from the store too.
    let counts = s.day_counts(T0 - 3600).unwrap();
    assert_eq!((counts.new, counts.reviews), (2, 0));
}
