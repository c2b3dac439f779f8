//! The review history: an append-only SQLite log of reviews, and each card's state derived
//! from it. This is the only module that touches the data directory.
//!
//! Nothing is lost:
//! - every review is one `BEGIN IMMEDIATE` transaction (log row + derived state), in WAL mode
//!   with `synchronous = FULL`, so a killed process loses at most the review being written;
//! - two instances can write at once: writers queue on SQLite's lock (`busy_timeout`);
//! - a file that is not SQLite, or is SQLite but not ours (its `application_id` differs),
//!   is reported with its path and never opened for writing, overwritten or deleted;
//! - a data directory we cannot write is a distinct error ([`StoreError::ReadOnly`]) so the
//!   app can fall back to a no-save store with a notice;
//! - [`Store::no_save`] keeps the session's reviews in memory and writes nothing at all;
//! - each write is checkpointed into the database file at once, so a confirmed grade never
//!   lives only in the `-wal` file; a `-wal` file deleted or replaced under us (a cleanup or
//!   sync tool) is noticed before the next write, which then goes through a new connection;
//! - the data directory must be a directory and the database a regular file (or a link to
//!   one): a FIFO is never opened, a dangling link never followed to create a file elsewhere;
//! - [`Store::open_lazy`] creates the file on the first write; [`Store::open_read_only`]
//!   writes nothing. Which one a command uses is [`super::history`]'s call.
//!
//! Undo appends to an `undone` table rather than deleting from the log; the card's state is
//! rebuilt from its remaining reviews.

use super::cards::CardId;
use super::cards::CardIndex;
use super::fsrs::{CardState, Grade, Phase, Scheduler};
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The database file name inside the data directory.
pub const DB_FILE: &str = "reviews.sqlite3";

/// `PRAGMA application_id` of a trialdeck review database ("TDK1").
pub const APP_ID: i32 = 0x5444_4B31;

/// How long a writer waits for another instance's transaction before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Schema migrations: `MIGRATIONS[i]` takes `user_version` i to i + 1.
const MIGRATIONS: &[&str] = &[
    // 1: the review log, undo marks and derived card state.
    "CREATE TABLE reviews (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        card TEXT NOT NULL,
        at INTEGER NOT NULL,
        grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 4),
        points INTEGER NOT NULL DEFAULT 0,
        points_total INTEGER NOT NULL DEFAULT 0,
        duration_ms INTEGER NOT NULL DEFAULT 0,
        was_new INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX reviews_card ON reviews (card, at);
    CREATE INDEX reviews_at ON reviews (at);
    CREATE TABLE undone (
        review INTEGER PRIMARY KEY REFERENCES reviews (id),
        at INTEGER NOT NULL
    );
    CREATE TABLE card_state (
        card TEXT PRIMARY KEY,
        stability REAL NOT NULL,
        difficulty REAL NOT NULL,
        due INTEGER NOT NULL,
        reps INTEGER NOT NULL,
        lapses INTEGER NOT NULL,
        last_review INTEGER NOT NULL,
        last_grade INTEGER NOT NULL
    ) WITHOUT ROWID;",
    // 2: learning steps in the card state (phase, step), the kind of each review (learn,
    // review, relearn) for the daily limits, card flags (suspended, buried, leech, reset) and
    // the learner's fitted FSRS parameters. Every card state of schema 1 was scheduled in
    // days, so it is a review card; a first review was a learning one.
    "ALTER TABLE card_state ADD COLUMN phase INTEGER NOT NULL DEFAULT 2;
    ALTER TABLE card_state ADD COLUMN step INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE reviews ADD COLUMN kind INTEGER NOT NULL DEFAULT 1;
    UPDATE reviews SET kind = 0 WHERE was_new = 1;
    CREATE TABLE card_flags (
        card TEXT PRIMARY KEY,
        suspended INTEGER NOT NULL DEFAULT 0,
        buried_until INTEGER NOT NULL DEFAULT 0,
        leech INTEGER NOT NULL DEFAULT 0,
        leech_review INTEGER,
        reset_after INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE TABLE parameters (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        parameters TEXT NOT NULL,
        reviews INTEGER NOT NULL,
        log_loss_before REAL NOT NULL,
        log_loss_after REAL NOT NULL,
        rmse_before REAL NOT NULL,
        rmse_after REAL NOT NULL
    );",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{path}: this file is damaged or is not a database ({detail}). trialdeck left it untouched; \
         move it aside to start a new history, or pass --data-dir DIR to use another directory"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "{path}: this is an SQLite database that trialdeck did not create. trialdeck left it \
         untouched; move it aside, or pass --data-dir DIR to use another directory"
    )]
    Foreign { path: PathBuf },
    #[error(
        "{path}: cannot write here ({detail}); reviews will not be saved this session. \
         Make the directory writable or pass --data-dir DIR"
    )]
    ReadOnly { path: PathBuf, detail: String },
    #[error(
        "{path}: the review history was written by a newer trialdeck (schema {found}, this one \
         knows {SCHEMA_VERSION}). It was left untouched; upgrade trialdeck to use it"
    )]
    TooNew { path: PathBuf, found: i64 },
    #[error(
        "{path}: this is a file, not a data directory. Move it aside, or pass --data-dir DIR \
         naming a directory"
    )]
    NotADirectory { path: PathBuf },
    #[error(
        "{path}: this is {kind}, not a review history. trialdeck left it untouched; move it \
         aside, or pass --data-dir DIR to use another directory"
    )]
    NotAFile { path: PathBuf, kind: &'static str },
    #[error(
        "{path}: this is a symbolic link to {target}, which does not exist. trialdeck will not \
         create the review history outside its data directory; remove the link, or point it at \
         an existing history"
    )]
    DanglingLink { path: PathBuf, target: PathBuf },
    #[error(
        "{path}: its -wal file was deleted or replaced while trialdeck had it open (a cleanup or \
         sync tool?), and this change could not be kept; the history was reopened, so later \
         grades are saved"
    )]
    WalLost { path: PathBuf },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: database error: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

impl StoreError {
    /// Whether the app should carry on without saving (rather than stop).
    pub fn is_read_only(&self) -> bool {
        matches!(self, StoreError::ReadOnly { .. })
    }
}

/// One row of the review log.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReviewRow {
    pub id: i64,
    pub card: String,
    pub at: i64,
    pub grade: Grade,
    /// Key points ticked, bit i for point i.
    pub points: u64,
    pub points_total: u32,
    pub duration_ms: u64,
    /// Whether the card had no state before this review.
    pub was_new: bool,
    /// What the review was: a learning, review or relearning one.
    pub kind: ReviewKind,
}

/// What a review was, as Anki's log says: a new or learning card's, a review card's, or a
/// relearning card's. The daily limits count new cards and review cards by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ReviewKind {
    Learn,
    Review,
    Relearn,
}

impl ReviewKind {
    fn value(self) -> i64 {
        match self {
            ReviewKind::Learn => 0,
            ReviewKind::Review => 1,
            ReviewKind::Relearn => 2,
        }
    }
    fn from_value(v: i64) -> ReviewKind {
        match v {
            0 => ReviewKind::Learn,
            2 => ReviewKind::Relearn,
            _ => ReviewKind::Review,
        }
    }
    /// The kind of a review of a card in `state` before it.
    pub fn of(state: Option<&CardState>) -> ReviewKind {
        match state.map(|s| s.phase) {
            None | Some(Phase::Learning) => ReviewKind::Learn,
            Some(Phase::Review) => ReviewKind::Review,
            Some(Phase::Relearning) => ReviewKind::Relearn,
        }
    }
}

/// A card's flags: suspended (never shown until unsuspended), buried (not shown until a
/// time), a leech (lapsed [`Scheduler::leech_threshold`] times; suspended when it became one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct CardFlags {
    pub suspended: bool,
    /// Unix time until which the card is buried (0: not buried).
    pub buried_until: i64,
    pub leech: bool,
}

impl CardFlags {
    /// Whether the card is buried at `now`.
    pub fn buried(&self, now: i64) -> bool {
        self.buried_until > now
    }
    /// Whether sessions leave the card out at `now`.
    pub fn hidden(&self, now: i64) -> bool {
        self.suspended || self.buried(now)
    }
}

/// What `cards suspend|unsuspend|bury|reset` and the card browser do to cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardOp {
    Suspend,
    Unsuspend,
    /// Bury until this unix time (the start of tomorrow).
    Bury {
        until: i64,
    },
    /// Forget the card: new again, its flags cleared; the log keeps its reviews.
    Reset,
}

impl CardOp {
    pub fn verb(self) -> &'static str {
        match self {
            CardOp::Suspend => "suspended",
            CardOp::Unsuspend => "unsuspended",
            CardOp::Bury { .. } => "buried until tomorrow",
            CardOp::Reset => "reset to new",
        }
    }
}

/// A card after a [`CardOp`]: its flags and state.
#[derive(Debug, Clone, PartialEq)]
pub struct CardChange {
    pub card: String,
    pub flags: CardFlags,
    pub state: Option<CardState>,
}

/// The learner's fitted FSRS parameters, with the fit they gave (see `review::optimize`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Fitted {
    pub at: i64,
    pub parameters: Vec<f32>,
    /// Reviews in the log when they were fitted.
    pub reviews: u64,
    pub log_loss_before: f64,
    pub log_loss_after: f64,
    pub rmse_before: f64,
    pub rmse_after: f64,
}

/// Reviews of the day so far, for the daily limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DayCounts {
    /// New cards seen for the first time.
    pub new: u32,
    /// Reviews of review cards.
    pub reviews: u32,
}

/// A review to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReview {
    pub card: CardId,
    pub at: i64,
    pub grade: Grade,
    pub points: u64,
    pub points_total: u32,
    pub duration_ms: u64,
}

/// What recording a review produced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Recorded {
    /// The log row's id (for undo).
    pub review_id: i64,
    pub state: CardState,
    pub interval_days: u32,
    pub kind: ReviewKind,
    pub was_new: bool,
    /// This lapse made the card a leech: it is tagged and suspended.
    pub leech: bool,
}

/// The review store (on disk, or in memory for no-save).
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    sched: Scheduler,
    /// The `-wal` file the connection writes to (device, inode), to notice when someone
    /// deletes or replaces it under us.
    wal: Option<(u64, u64)>,
    /// Saving, but the database file does not exist yet: it is created on the first write
    /// (until then `conn` is an empty in-memory history).
    deferred: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// The platform data directory (`~/.local/share/trialdeck` on Linux), if there is a home.
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "trialdeck").map(|p| p.data_dir().to_path_buf())
}

fn is_perm(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
    )
}

/// What a file type is called in messages.
fn kind_of(t: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

/// The data directory must be a directory, or not exist yet.
fn check_dir(dir: &Path) -> Result<(), StoreError> {
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => Err(StoreError::NotADirectory { path: dir.into() }),
        _ => Ok(()),
    }
}

/// The database path must be a regular file, or not exist (a link to a regular file is fine).
/// Returns whether it exists. Never opens it, so a FIFO cannot block us.
fn check_file(path: &Path) -> Result<bool, StoreError> {
    let io = |e: std::io::Error| StoreError::Io {
        path: path.into(),
        source: e,
    };
    let link = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io(e)),
    };
    let meta = if link.file_type().is_symlink() {
        match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::DanglingLink {
                    path: path.into(),
                    target: std::fs::read_link(path).map_err(io)?,
                });
            }
            Err(e) => return Err(io(e)),
        }
    } else {
        link
    };
    if !meta.is_file() {
        return Err(StoreError::NotAFile {
            path: path.into(),
            kind: kind_of(meta.file_type()),
        });
    }
    Ok(true)
}

/// Open for reading without ever blocking (a FIFO swapped in after the check would wait for
/// a writer forever), and check what was opened.
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

/// Check the file's header without SQLite: a non-empty file must be SQLite and ours.
fn check_header(path: &Path) -> Result<(), StoreError> {
    if !check_file(path)? {
        return Ok(());
    }
    let mut f = match open_nonblocking(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) if is_perm(&e) => {
            return Err(StoreError::ReadOnly {
                path: path.into(),
                detail: e.to_string(),
            });
        }
        Err(e) => {
            return Err(StoreError::Io {
                path: path.into(),
                source: e,
            });
        }
    };
    match f.metadata() {
        Ok(m) if !m.is_file() => {
            return Err(StoreError::NotAFile {
                path: path.into(),
                kind: kind_of(m.file_type()),
            });
        }
        Ok(_) => {}
        Err(e) => {
            return Err(StoreError::Io {
                path: path.into(),
                source: e,
            });
        }
    }
    let mut head = Vec::with_capacity(100);
    f.by_ref()
        .take(100)
        .read_to_end(&mut head)
        .map_err(|e| StoreError::Io {
            path: path.into(),
            source: e,
        })?;
    if head.is_empty() {
        return Ok(()); // a new, empty file: nothing to lose
    }
    if head.len() < 100 || &head[..16] != b"SQLite format 3\0" {
        return Err(StoreError::Corrupt {
            path: path.into(),
            detail: "no SQLite header".into(),
        });
    }
    let app = i32::from_be_bytes([head[68], head[69], head[70], head[71]]);
    if app != APP_ID {
        return Err(StoreError::Foreign { path: path.into() });
    }
    Ok(())
}

fn map_sqlite(path: &Path, e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, ref msg) = e {
        let detail = msg.clone().unwrap_or_else(|| f.to_string());
        match f.code {
            ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied => {
                return StoreError::ReadOnly {
                    path: path.into(),
                    detail,
                };
            }
            ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => {
                return StoreError::Corrupt {
                    path: path.into(),
                    detail,
                };
            }
            _ => {}
        }
    }
    StoreError::Sqlite {
        path: path.into(),
        source: e,
    }
}

/// A review log row from `id, card, at, grade, points, points_total, duration_ms, was_new,
/// kind`, in that order.
fn review_row(r: &rusqlite::Row) -> rusqlite::Result<ReviewRow> {
    Ok(ReviewRow {
        id: r.get(0)?,
        card: r.get(1)?,
        at: r.get(2)?,
        grade: Grade::from_value(r.get(3)?).unwrap_or(Grade::Again),
        points: r.get::<_, i64>(4)? as u64,
        points_total: r.get(5)?,
        duration_ms: r.get::<_, i64>(6)? as u64,
        was_new: r.get(7)?,
        kind: ReviewKind::from_value(r.get(8)?),
    })
}
impl Store {
    /// Open (or create) the history in `dir`, creating the directory if needed.
    pub fn open(dir: &Path, sched: Scheduler) -> Result<Store, StoreError> {
        check_dir(dir)?;
        if let Err(e) = std::fs::create_dir_all(dir) {
            return Err(if is_perm(&e) {
                StoreError::ReadOnly {
                    path: dir.into(),
                    detail: e.to_string(),
                }
            } else {
                StoreError::Io {
                    path: dir.into(),
                    source: e,
                }
            });
        }
        let path = dir.join(DB_FILE);
        check_header(&path)?;
        let conn = Connection::open(&path).map_err(|e| map_sqlite(&path, e))?;
        let mut store = Store {
            conn,
            path: Some(path.clone()),
            sched,
            wal: None,
            deferred: false,
        };
        store.init().map_err(|e| match e {
            StoreError::Sqlite { source, .. } => map_sqlite(&path, source),
            other => other,
        })?;
        store.wal = file_id(&wal_path(&path));
        Ok(store)
    }

    /// Like [`Store::open`], but a history that does not exist yet is created on the first
    /// write, not now: opening the app and quitting leaves nothing behind. A data directory
    /// that could not be written is still reported now ([`StoreError::ReadOnly`]).
    pub fn open_lazy(dir: &Path, sched: Scheduler) -> Result<Store, StoreError> {
        check_dir(dir)?;
        let path = dir.join(DB_FILE);
        if check_file(&path)? {
            return Store::open(dir, sched);
        }
        // Where the directory (or the first of its parents that exists) cannot be written,
        // the history could never be created: say so now, as `open` would.
        let mut existing = dir;
        while !existing.exists() {
            match existing.parent() {
                Some(p) if !p.as_os_str().is_empty() => existing = p,
                _ => break,
            }
        }
        if let Ok(c) = std::ffi::CString::new(existing.as_os_str().as_encoded_bytes()) {
            // SAFETY: a valid C string; access only reads.
            if unsafe { libc::access(c.as_ptr(), libc::W_OK) } != 0 {
                return Err(StoreError::ReadOnly {
                    path: existing.into(),
                    detail: std::io::Error::last_os_error().to_string(),
                });
            }
        }
        let mut s = Store::no_save(sched);
        s.path = Some(path);
        s.deferred = true;
        Ok(s)
    }

    /// Open the history only to read it (`stats`): nothing is created, migrated or written.
    /// A history that does not exist is empty. One we may not write (a read-only directory
    /// or file) is read as the app reads it then.
    pub fn open_read_only(dir: &Path, sched: Scheduler) -> Result<Store, StoreError> {
        check_dir(dir)?;
        let path = dir.join(DB_FILE);
        let mut s = Store::no_save(sched);
        if !check_file(&path)? {
            return Ok(s);
        }
        check_header(&path)?;
        // Read through SQLite's read-only mode first (it sees the -wal file), then, where
        // that cannot open (no -shm and a read-only directory), the file as immutable.
        let copied = s
            .copy_from(&path, "mode=ro")
            .or_else(|_| s.copy_from(&path, "mode=ro&immutable=1"));
        copied.map_err(|e| map_sqlite(&path, e))?;
        Ok(s)
    }

    /// Before a write: create a deferred history now, and reopen the connection if the
    /// `-wal` file it writes to was deleted or replaced (a write there would be lost).
    fn prepare_write(&mut self) -> Result<(), StoreError> {
        let Some(path) = self.path.clone() else {
            return Ok(());
        };
        if self.deferred {
            let dir = path.parent().unwrap_or(Path::new("."));
            let fresh = Store::open(dir, self.sched.clone())?;
            self.take_connection(fresh);
            self.deferred = false;
            return Ok(());
        }
        if self.wal_replaced(&path) {
            self.reopen(&path)?;
        }
        Ok(())
    }

    /// After a write: copy it from the `-wal` file into the database file at once, so that a
    /// confirmed grade never lives only in a file a cleanup tool may delete. If the `-wal` file
    /// was deleted meanwhile, reopen; `kept` says whether the change is in the history as the
    /// reopened connection sees it (if not, [`StoreError::WalLost`]: it was NOT saved).
    fn secure(&mut self, kept: impl Fn(&Connection) -> bool) -> Result<(), StoreError> {
        let Some(path) = self.path.clone() else {
            return Ok(());
        };
        // Busy (another instance is reading or writing): the change stays in the -wal file,
        // which is where SQLite keeps it anyway; the next write tries again.
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        if !self.wal_replaced(&path) {
            return Ok(());
        }
        self.reopen(&path)?;
        if kept(&self.conn) {
            Ok(())
        } else {
            Err(StoreError::WalLost { path })
        }
    }

    /// Whether the `-wal` file at `path` is no longer the one this connection opened.
    fn wal_replaced(&mut self, path: &Path) -> bool {
        let now = file_id(&wal_path(path));
        match (self.wal, now) {
            (Some(was), now) => now != Some(was),
            (None, now) => {
                self.wal = now;
                false
            }
        }
    }

    /// A new connection on `path` in place of this one.
    fn reopen(&mut self, path: &Path) -> Result<(), StoreError> {
        let dir = path.parent().unwrap_or(Path::new("."));
        let fresh = Store::open(dir, self.sched.clone())?;
        self.take_connection(fresh);
        Ok(())
    }

    fn take_connection(&mut self, mut fresh: Store) {
        std::mem::swap(&mut self.conn, &mut fresh.conn);
        self.wal = fresh.wal;
    }

    /// A store that writes nothing anywhere: reviews live in memory for this session only.
    pub fn no_save(sched: Scheduler) -> Store {
        let conn = Connection::open_in_memory().expect("an in-memory SQLite database opens");
        let mut s = Store {
            conn,
            path: None,
            sched,
            wal: None,
            deferred: false,
        };
        s.init()
            .expect("the schema applies to an in-memory database");
        s
    }

    /// The policy the app wants: `no_save` → memory; a read-only data directory → memory and
    /// a notice to show; any other error (corrupt, foreign, too new) is returned.
    pub fn open_or_degrade(
        dir: &Path,
        no_save: bool,
        sched: Scheduler,
    ) -> Result<(Store, Option<String>), StoreError> {
        if no_save {
            return Ok((Store::no_save(sched), None));
        }
        match Store::open(dir, sched.clone()) {
            Ok(s) => Ok((s, None)),
            Err(e) if e.is_read_only() => {
                let mut s = Store::no_save(sched);
                // Show the learner their history even though nothing new can be saved.
                let path = dir.join(DB_FILE);
                if check_header(&path).is_ok() && path.exists() {
                    let _ = s.copy_from(&path, "mode=ro&immutable=1");
                }
                Ok((s, Some(e.to_string())))
            }
            Err(e) => Err(e),
        }
    }

    /// Copy the history of a database we may not write into this (in-memory) store, opened
    /// with the URI parameters `params` (`mode=ro&immutable=1`: nothing, not even a lock or
    /// `-shm` file, is written).
    fn copy_from(&mut self, path: &Path, params: &str) -> rusqlite::Result<()> {
        let mut uri = String::from("file:");
        for b in path.as_os_str().as_encoded_bytes() {
            match *b {
                b'?' | b'#' | b'%' | 0x80.. => uri.push_str(&format!("%{b:02X}")),
                _ => uri.push(*b as char),
            }
        }
        uri.push('?');
        uri.push_str(params);
        self.conn.execute("ATTACH DATABASE ?1 AS old", [&uri])?;
        let version: i64 = self
            .conn
            .query_row("PRAGMA old.user_version", [], |r| r.get(0))
            .unwrap_or(0);
        // A history of an older schema is read as its migration would leave it.
        let copy = self.conn.execute_batch(if version >= 2 {
            "BEGIN;
             INSERT INTO main.reviews SELECT * FROM old.reviews;
             INSERT INTO main.undone SELECT * FROM old.undone;
             INSERT INTO main.card_state SELECT * FROM old.card_state;
             INSERT INTO main.card_flags SELECT * FROM old.card_flags;
             INSERT INTO main.parameters SELECT * FROM old.parameters;
             COMMIT;"
        } else {
            "BEGIN;
             INSERT INTO main.reviews
                SELECT *, CASE WHEN was_new THEN 0 ELSE 1 END FROM old.reviews;
             INSERT INTO main.undone SELECT * FROM old.undone;
             INSERT INTO main.card_state SELECT *, 2, 0 FROM old.card_state;
             COMMIT;"
        });
        if copy.is_err() {
            let _ = self.conn.execute_batch("ROLLBACK;");
        }
        self.conn.execute_batch("DETACH DATABASE old;")?;
        copy
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        let path = self
            .path
            .clone()
            .unwrap_or_else(|| PathBuf::from(":memory:"));
        map_sqlite(&path, e)
    }

    fn init(&mut self) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| self.err(e))?;
        // Read the header through SQLite: a damaged file fails here, before any write.
        let (app, version): (i32, i64) = self
            .conn
            .query_row(
                "SELECT (SELECT application_id FROM pragma_application_id), \
                        (SELECT user_version FROM pragma_user_version)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.err(e))?;
        if app != 0 && app != APP_ID {
            return Err(StoreError::Foreign {
                path: self.path.clone().unwrap_or_default(),
            });
        }
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: self.path.clone().unwrap_or_default(),
                found: version,
            });
        }
        if version < SCHEMA_VERSION || app == 0 {
            self.migrate().map_err(|e| self.err(e))?;
        }
        if self.path.is_some() {
            // After the schema exists (page 1 is written in rollback mode, so the header's
            // application id is on disk before any WAL frame).
            let mode: String = self
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(|e| self.err(e))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::ReadOnly {
                    path: self.path.clone().unwrap_or_default(),
                    detail: format!("could not enable WAL (journal mode {mode})"),
                });
            }
            self.conn
                .execute_batch("PRAGMA synchronous = FULL;")
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    fn migrate(&mut self) -> rusqlite::Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Re-read under the write lock: another instance may have migrated meanwhile.
        let app: i32 = tx.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let mut version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if app == 0 {
            let tables: i64 = tx.query_row(
                "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
                [],
                |r| r.get(0),
            )?;
            if tables > 0 || version != 0 {
                // Someone else's database that slipped past the header check.
                return Err(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOTADB),
                    Some("not a trialdeck database".into()),
                ));
            }
            tx.execute_batch(&format!("PRAGMA application_id = {APP_ID};"))?;
        }
        while version < SCHEMA_VERSION {
            tx.execute_batch(MIGRATIONS[version as usize])?;
            version += 1;
            tx.execute_batch(&format!("PRAGMA user_version = {version};"))?;
        }
        tx.commit()
    }

    /// The database file, or `None` for a no-save store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn is_saving(&self) -> bool {
        self.path.is_some()
    }

    pub fn scheduler(&self) -> &Scheduler {
        &self.sched
    }

    /// Record one review in one transaction: the log row and the card's new state.
    pub fn record(&mut self, r: &NewReview) -> Result<Recorded, StoreError> {
        self.prepare_write()?;
        let sched = self.sched.clone();
        let res = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let rec = append(&tx, &sched, r)?;
            tx.commit()?;
            Ok(rec)
        })();
        let rec = res.map_err(|e| self.err(e))?;
        self.secure(|c| has_review(c, rec.review_id, r))?;
        Ok(rec)
    }

    /// Undo a review: mark it undone (the log keeps it) and rebuild its card's state.
    /// Returns the card's state afterwards (`None`: the card is new again).
    pub fn undo(&mut self, review_id: i64, now: i64) -> Result<Option<CardState>, StoreError> {
        self.prepare_write()?;
        let sched = self.sched.clone();
        let res = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let card: Option<String> = tx
                .query_row("SELECT card FROM reviews WHERE id = ?1", [review_id], |r| {
                    r.get(0)
                })
                .optional()?;
            let Some(card) = card else {
                return Ok(None);
            };
            tx.execute(
                "INSERT OR IGNORE INTO undone (review, at) VALUES (?1, ?2)",
                params![review_id, now],
            )?;
            // A leech this review made is one no more.
            tx.execute(
                "UPDATE card_flags SET leech = 0, suspended = 0, leech_review = NULL
                 WHERE card = ?1 AND leech_review = ?2",
                params![card, review_id],
            )?;
            let state = replay_card(&tx, &sched, &card)?;
            match &state {
                Some(s) => write_state(&tx, &card, s)?,
                None => {
                    tx.execute("DELETE FROM card_state WHERE card = ?1", [&card])?;
                }
            }
            tx.commit()?;
            Ok(state)
        })();
        let state = res.map_err(|e| self.err(e))?;
        self.secure(|c| {
            c.query_row(
                "SELECT 1 FROM undone WHERE review = ?1",
                [review_id],
                |_| Ok(()),
            )
            .is_ok()
        })?;
        Ok(state)
    }

    /// Rebuild every card's state from the log (e.g. after the desired retention changed).
    pub fn rebuild_states(&mut self) -> Result<usize, StoreError> {
        self.prepare_write()?;
        let sched = self.sched.clone();
        let res = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut states: HashMap<String, CardState> = HashMap::new();
            {
                let mut stmt = tx.prepare(
                    "SELECT r.card, r.at, r.grade FROM reviews r
                     LEFT JOIN card_flags f ON f.card = r.card
                     WHERE r.id NOT IN (SELECT review FROM undone)
                       AND r.id > coalesce(f.reset_after, 0)
                     ORDER BY r.at, r.id",
                )?;
                let mut rows = stmt.query([])?;
                while let Some(row) = rows.next()? {
                    let card: String = row.get(0)?;
                    let at: i64 = row.get(1)?;
                    let grade = Grade::from_value(row.get(2)?).unwrap_or(Grade::Again);
                    let prev = states.get(&card);
                    let next = sched.review(prev, grade, at).state;
                    states.insert(card, next);
                }
            }
            tx.execute("DELETE FROM card_state", [])?;
            for (card, s) in &states {
                write_state(&tx, card, s)?;
            }
            tx.commit()?;
            Ok(states.len())
        })();
        let n = res.map_err(|e| self.err(e))?;
        // Derived state only: a lost rebuild is redone from the log next time.
        self.secure(|_| true)?;
        Ok(n)
    }

    /// Every card's state, keyed by card id (cards no longer in any pack included: callers
    /// look up the cards they have and so ignore the rest).
    pub fn states(&self) -> Result<HashMap<String, CardState>, StoreError> {
        let res = (|| {
            let mut stmt = self.conn.prepare_cached(
                "SELECT card, stability, difficulty, due, reps, lapses, last_review, last_grade,
                        phase, step
                 FROM card_state",
            )?;
            let mut out = HashMap::new();
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                out.insert(row.get::<_, String>(0)?, state_from_row(row, 1)?);
            }
            Ok(out)
        })();
        res.map_err(|e| self.err(e))
    }

    /// The states of `index`'s cards, aligned with them (`None`: never reviewed). States of
    /// cards the index does not hold (removed from the pack) are skipped.
    pub fn states_aligned(&self, index: &CardIndex) -> Result<Vec<Option<CardState>>, StoreError> {
        let res = (|| -> rusqlite::Result<Vec<Option<CardState>>> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT card, stability, difficulty, due, reps, lapses, last_review, last_grade,
                        phase, step
                 FROM card_state",
            )?;
            let mut out = vec![None; index.len()];
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let id = row.get_ref(0)?.as_str().map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        0,
                        rusqlite::types::Type::Text,
                        e.into(),
                    )
                })?;
                if let Some(i) = index.get(id) {
                    out[i] = Some(state_from_row(row, 1)?);
                }
            }
            Ok(out)
        })();
        res.map_err(|e| self.err(e))
    }

    /// One card's state.
    pub fn state(&self, card: &CardId) -> Result<Option<CardState>, StoreError> {
        read_state(&self.conn, card.as_str()).map_err(|e| self.err(e))
    }

    /// Reviews at or after `since` (unix seconds), oldest first, undone ones left out.
    pub fn reviews_since(&self, since: i64) -> Result<Vec<ReviewRow>, StoreError> {
        let res = (|| -> rusqlite::Result<Vec<ReviewRow>> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT id, card, at, grade, points, points_total, duration_ms, was_new, kind
                 FROM reviews WHERE at >= ?1 AND id NOT IN (SELECT review FROM undone)
                 ORDER BY at, id",
            )?;
            let rows = stmt.query_map([since], review_row)?;
            rows.collect()
        })();
        res.map_err(|e| self.err(e))
    }

    /// Number of rows in the log (undone ones included: the log is append-only).
    pub fn review_count(&self) -> Result<u64, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM reviews", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| self.err(e))
    }

    /// Use another scheduler from now on (the learner's fitted parameters, new steps).
    pub fn set_scheduler(&mut self, sched: Scheduler) {
        self.sched = sched;
    }

    /// Every card's flags that differ from the defaults, keyed by card id.
    pub fn flags(&self) -> Result<HashMap<String, CardFlags>, StoreError> {
        let res = (|| -> rusqlite::Result<HashMap<String, CardFlags>> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT card, suspended, buried_until, leech FROM card_flags
                 WHERE suspended OR buried_until > 0 OR leech",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    CardFlags {
                        suspended: r.get(1)?,
                        buried_until: r.get(2)?,
                        leech: r.get(3)?,
                    },
                ))
            })?;
            rows.collect()
        })();
        res.map_err(|e| self.err(e))
    }

    /// Suspend, unsuspend, bury or reset cards, all in one transaction. Returns each card's
    /// flags and state afterwards.
    pub fn apply(&mut self, op: CardOp, cards: &[String]) -> Result<Vec<CardChange>, StoreError> {
        self.prepare_write()?;
        let res = (|| -> rusqlite::Result<Vec<CardChange>> {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut out = Vec::new();
            for card in cards {
                tx.execute(
                    "INSERT OR IGNORE INTO card_flags (card) VALUES (?1)",
                    [card],
                )?;
                match op {
                    CardOp::Suspend => tx.execute(
                        "UPDATE card_flags SET suspended = 1 WHERE card = ?1",
                        [card],
                    )?,
                    CardOp::Unsuspend => tx.execute(
                        "UPDATE card_flags SET suspended = 0, buried_until = 0 WHERE card = ?1",
                        [card],
                    )?,
                    CardOp::Bury { until } => tx.execute(
                        "UPDATE card_flags SET buried_until = ?2 WHERE card = ?1",
                        params![card, until],
                    )?,
                    CardOp::Reset => {
                        let last: i64 =
                            tx.query_row("SELECT coalesce(max(id), 0) FROM reviews", [], |r| {
                                r.get(0)
                            })?;
                        tx.execute("DELETE FROM card_state WHERE card = ?1", [card])?;
                        tx.execute(
                            "UPDATE card_flags SET suspended = 0, buried_until = 0, leech = 0,
                             leech_review = NULL, reset_after = ?2 WHERE card = ?1",
                            params![card, last],
                        )?
                    }
                };
                let flags = tx.query_row(
                    "SELECT suspended, buried_until, leech FROM card_flags WHERE card = ?1",
                    [card],
                    |r| {
                        Ok(CardFlags {
                            suspended: r.get(0)?,
                            buried_until: r.get(1)?,
                            leech: r.get(2)?,
                        })
                    },
                )?;
                let state = read_state(&tx, card)?;
                out.push(CardChange {
                    card: card.clone(),
                    flags,
                    state,
                });
            }
            tx.commit()?;
            Ok(out)
        })();
        let out = res.map_err(|e| self.err(e))?;
        self.secure(|_| true)?;
        Ok(out)
    }

    /// New cards seen and review cards reviewed at or after `since` (the start of the day).
    pub fn day_counts(&self, since: i64) -> Result<DayCounts, StoreError> {
        self.conn
            .query_row(
                "SELECT coalesce(sum(was_new), 0), coalesce(sum(kind = 1), 0) FROM reviews
                 WHERE at >= ?1 AND id NOT IN (SELECT review FROM undone)",
                [since],
                |r| {
                    Ok(DayCounts {
                        new: r.get::<_, i64>(0)? as u32,
                        reviews: r.get::<_, i64>(1)? as u32,
                    })
                },
            )
            .map_err(|e| self.err(e))
    }

    /// The learner's fitted parameters in force (the newest fit), if any.
    pub fn fitted(&self) -> Result<Option<Fitted>, StoreError> {
        let res = self
            .conn
            .query_row(
                "SELECT at, parameters, reviews, log_loss_before, log_loss_after, rmse_before,
                        rmse_after FROM parameters ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    let text: String = r.get(1)?;
                    Ok(Fitted {
                        at: r.get(0)?,
                        parameters: serde_json::from_str(&text).unwrap_or_default(),
                        reviews: r.get::<_, i64>(2)? as u64,
                        log_loss_before: r.get(3)?,
                        log_loss_after: r.get(4)?,
                        rmse_before: r.get(5)?,
                        rmse_after: r.get(6)?,
                    })
                },
            )
            .optional();
        res.map_err(|e| self.err(e))
    }

    /// Store fitted parameters (they are in force from now on, for every instance that opens
    /// the history).
    pub fn save_fitted(&mut self, f: &Fitted) -> Result<(), StoreError> {
        self.prepare_write()?;
        let text = serde_json::to_string(&f.parameters).expect("numbers serialize");
        let res = self.conn.execute(
            "INSERT INTO parameters (at, parameters, reviews, log_loss_before, log_loss_after,
             rmse_before, rmse_after) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                f.at,
                text,
                f.reviews as i64,
                f.log_loss_before,
                f.log_loss_after,
                f.rmse_before,
                f.rmse_after
            ],
        );
        res.map_err(|e| self.err(e))?;
        self.secure(|c| {
            c.query_row("SELECT 1 FROM parameters WHERE at = ?1", [f.at], |_| Ok(()))
                .is_ok()
        })
    }

    /// Every review in force (not undone, not before its card's reset), oldest first: what
    /// `optimize` fits to.
    pub fn reviews_in_force(&self) -> Result<Vec<ReviewRow>, StoreError> {
        let res = (|| -> rusqlite::Result<Vec<ReviewRow>> {
            let mut stmt = self.conn.prepare(
                "SELECT r.id, r.card, r.at, r.grade, r.points, r.points_total, r.duration_ms,
                        r.was_new, r.kind
                 FROM reviews r LEFT JOIN card_flags f ON f.card = r.card
                 WHERE r.id NOT IN (SELECT review FROM undone)
                   AND r.id > coalesce(f.reset_after, 0)
                 ORDER BY r.at, r.id",
            )?;
            let rows = stmt.query_map([], review_row)?;
            rows.collect()
        })();
        res.map_err(|e| self.err(e))
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// Refuse (or accept again) every write, as a full disk or a history made read-only under
    /// a running quiz would: for tests and demonstrations of how the app keeps grades it
    /// could not save (SQLite's `query_only`).
    #[doc(hidden)]
    pub fn refuse_writes(&mut self, refuse: bool) {
        let _ = self
            .conn
            .execute_batch(&format!("PRAGMA query_only = {};", i32::from(refuse)));
    }

    /// Set card states directly, without log rows: for tests and tools that start from a
    /// known history (a no-save store seeded with the states an app is given).
    pub fn put_states(&mut self, states: &HashMap<String, CardState>) -> Result<(), StoreError> {
        let res = (|| -> rusqlite::Result<()> {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            for (card, s) in states {
                write_state(&tx, card, s)?;
            }
            tx.commit()
        })();
        res.map_err(|e| self.err(e))
    }

    /// Append many reviews in one transaction (imports, benches, tests).
    pub fn record_many(&mut self, reviews: &[NewReview]) -> Result<(), StoreError> {
        self.prepare_write()?;
        let sched = self.sched.clone();
        let res = (|| -> rusqlite::Result<Option<(i64, NewReview)>> {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut last = None;
            for r in reviews {
                last = Some((append(&tx, &sched, r)?.review_id, r));
            }
            tx.commit()?;
            Ok(last.map(|(id, r)| (id, r.clone())))
        })();
        let last = res.map_err(|e| self.err(e))?;
        self.secure(|c| last.as_ref().is_none_or(|(id, r)| has_review(c, *id, r)))
    }
}

/// The `-wal` file beside a database file.
fn wal_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

/// A file's identity (device, inode), if it exists.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path)
        .ok()
        .map(|m| (m.dev(), m.ino()))
}

/// Whether the log holds review `id` as `r` describes it.
fn has_review(conn: &Connection, id: i64, r: &NewReview) -> bool {
    conn.query_row(
        "SELECT 1 FROM reviews WHERE id = ?1 AND card = ?2 AND at = ?3 AND grade = ?4",
        params![id, r.card.as_str(), r.at, r.grade.value()],
        |_| Ok(()),
    )
    .is_ok()
}

fn state_from_row(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<CardState> {
    Ok(CardState {
        stability: row.get(at)?,
        difficulty: row.get(at + 1)?,
        due: row.get(at + 2)?,
        reps: row.get(at + 3)?,
        lapses: row.get(at + 4)?,
        last_review: row.get(at + 5)?,
        last_grade: Grade::from_value(row.get(at + 6)?).unwrap_or(Grade::Again),
        phase: Phase::from_value(row.get(at + 7)?),
        step: row.get(at + 8)?,
    })
}

/// Append one review inside a transaction: the log row and the card's new state. Returns
/// the row's id and what the scheduler made of the grade.
fn append(conn: &Connection, sched: &Scheduler, r: &NewReview) -> rusqlite::Result<Recorded> {
    let prev = read_state(conn, r.card.as_str())?;
    let next = sched.review(prev.as_ref(), r.grade, r.at);
    let kind = ReviewKind::of(prev.as_ref());
    conn.execute(
        "INSERT INTO reviews (card, at, grade, points, points_total, duration_ms, was_new, kind)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            r.card.as_str(),
            r.at,
            r.grade.value(),
            r.points as i64,
            r.points_total,
            r.duration_ms as i64,
            prev.is_none(),
            kind.value()
        ],
    )?;
    let id = conn.last_insert_rowid();
    write_state(conn, r.card.as_str(), &next.state)?;
    // A lapse that reaches the threshold makes a leech: tagged and suspended, as in Anki.
    let lapsed = next.state.lapses > prev.map_or(0, |p| p.lapses);
    let leech = lapsed && next.state.lapses >= sched.leech_threshold;
    if leech {
        conn.execute(
            "INSERT INTO card_flags (card, suspended, leech, leech_review) VALUES (?1, 1, 1, ?2)
             ON CONFLICT (card) DO UPDATE SET suspended = 1, leech = 1, leech_review = ?2",
            params![r.card.as_str(), id],
        )?;
    }
    Ok(Recorded {
        review_id: id,
        state: next.state,
        interval_days: next.interval_days,
        kind,
        was_new: prev.is_none(),
        leech,
    })
}

fn read_state(conn: &Connection, card: &str) -> rusqlite::Result<Option<CardState>> {
    conn.prepare_cached(
        "SELECT stability, difficulty, due, reps, lapses, last_review, last_grade, phase, step
         FROM card_state WHERE card = ?1",
    )?
    .query_row([card], |r| state_from_row(r, 0))
    .optional()
}

fn write_state(conn: &Connection, card: &str, s: &CardState) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO card_state
         (card, stability, difficulty, due, reps, lapses, last_review, last_grade, phase, step)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        card,
        s.stability,
        s.difficulty,
        s.due,
        s.reps,
        s.lapses,
        s.last_review,
        s.last_grade.value(),
        s.phase.value(),
        s.step
    ])?;
    Ok(())
}

fn replay_card(
    conn: &Connection,
    sched: &Scheduler,
    card: &str,
) -> rusqlite::Result<Option<CardState>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, grade FROM reviews
         WHERE card = ?1 AND id NOT IN (SELECT review FROM undone)
           AND id > coalesce((SELECT reset_after FROM card_flags WHERE card = ?1), 0)
         ORDER BY at, id",
    )?;
    let mut rows = stmt.query([card])?;
    let mut state: Option<CardState> = None;
    while let Some(row) = rows.next()? {
        let at: i64 = row.get(0)?;
        let grade = Grade::from_value(row.get(1)?).unwrap_or(Grade::Again);
        state = Some(sched.review(state.as_ref(), grade, at).state);
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rev(card: &str, at: i64, grade: Grade) -> NewReview {
        NewReview {
            card: CardId(card.into()),
            at,
            grade,
            points: 0b101,
            points_total: 3,
            duration_ms: 1200,
        }
    }

    #[test]
    fn record_derives_state_and_undo_rebuilds_it() {
        let mut s = Store::no_save(Scheduler::default());
        let t = 1_700_000_000;
        let a = s.record(&rev("p/q/a", t, Grade::Easy)).unwrap();
        assert!(a.interval_days >= 1);
        let b = s
            .record(&rev("p/q/a", t + 3 * 86_400, Grade::Again))
            .unwrap();
        assert_eq!(b.state.lapses, 1);
        let after = s.undo(b.review_id, t + 3 * 86_400 + 5).unwrap().unwrap();
        assert_eq!(after, a.state);
        assert_eq!(s.review_count().unwrap(), 2, "the log keeps undone reviews");
        assert_eq!(s.reviews_since(0).unwrap().len(), 1);
        assert_eq!(s.undo(a.review_id, t + 10).unwrap(), None);
        assert!(s.states().unwrap().is_empty());
    }

    #[test]
    fn rebuild_matches_incremental_state() {
        let mut s = Store::no_save(Scheduler::default());
        let t = 1_700_000_000;
        for (i, g) in [Grade::Good, Grade::Hard, Grade::Easy, Grade::Again]
            .into_iter()
            .enumerate()
        {
            s.record(&rev("p/q/x", t + i as i64 * 5 * 86_400, g))
                .unwrap();
            s.record(&rev("p/q/y", t + i as i64 * 86_400, Grade::Good))
                .unwrap();
        }
        let before = s.states().unwrap();
        assert_eq!(s.rebuild_states().unwrap(), 2);
        assert_eq!(s.states().unwrap(), before);
    }
}
