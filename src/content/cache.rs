//! A binary cache of parsed pack directories, so that a large pack is not parsed from RON at
//! every start.
//!
//! What is cached is the *parsed* pack (the manifest and each entry as read from its file),
//! never the validated library: validation runs on every load, from the cache or not, so the
//! cache cannot change what `check` reports or let an invalid pack through. Only a pack whose
//! files all read and parsed without a single diagnostic is cached.
//!
//! A cache file is used only when all of these hold, and is otherwise ignored (and rewritten
//! after the pack is parsed again):
//! - its header has this build's magic, format version and fingerprint (a hash of the content
//!   model's and the loader's source and the crate version, so a change to the pack format
//!   never reads an old cache);
//! - its key equals the pack's key now: the pack directory's canonical path, the path as
//!   given (the parsed pack names its files with it) and, for every
//!   `*.ron` file, its name, size, modification and change times (nanoseconds), inode and
//!   device;
//! - no file of the pack was modified within [`RACY_NS`] of the moment the cache was written
//!   (as git does for its index: an edit in the same clock tick could keep every stamp);
//! - the payload decodes within its stated length, and its CRC-32 matches.
//!
//! Small packs parse in a millisecond or two, so only packs of at least
//! [`Cache::min_bytes`] are cached. The directory is `TRIALDECK_CACHE_DIR` if set (`off` or
//! empty disables the cache), else `packs/` in the platform cache directory.

use super::model::{Entry, Manifest};
use bincode::Options;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// First bytes of every cache file.
const MAGIC: &[u8; 16] = b"trialdeck-cache\n";
/// Bumped whenever the layout of a cache file changes.
const FORMAT: u32 = 1;
/// A file modified this close to (or after) the cache's writing makes the cache untrusted.
pub const RACY_NS: u64 = 2_000_000_000;
/// Packs smaller than this are not cached by default (they parse in about a millisecond).
pub const DEFAULT_MIN_BYTES: u64 = 1024 * 1024;

/// The model's and the loader's source and the crate version: a change to any of them makes
/// old caches stale.
fn fingerprint() -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(include_str!("model.rs").as_bytes());
    h.update(include_str!("load.rs").as_bytes());
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(&FORMAT.to_le_bytes());
    h.finalize()
}

/// Where (and whether) parsed packs are cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    /// The cache directory; `None` disables the cache.
    pub dir: Option<PathBuf>,
    /// Packs whose `*.ron` files hold fewer bytes than this are neither read from nor
    /// written to the cache.
    pub min_bytes: u64,
}

impl Cache {
    /// No cache at all.
    pub fn off() -> Cache {
        Cache {
            dir: None,
            min_bytes: DEFAULT_MIN_BYTES,
        }
    }

    /// A cache in `dir` for packs of any size (tests use this).
    pub fn at(dir: impl Into<PathBuf>) -> Cache {
        Cache {
            dir: Some(dir.into()),
            min_bytes: 0,
        }
    }

    /// The cache the app uses: `TRIALDECK_CACHE_DIR` (empty or `off` disables it), else
    /// `packs/` in the platform cache directory (none if there is no home directory).
    pub fn from_env() -> Cache {
        let dir = match std::env::var_os("TRIALDECK_CACHE_DIR") {
            Some(v) if v.is_empty() || v == "off" => None,
            Some(v) => Some(PathBuf::from(v)),
            None => directories::ProjectDirs::from("", "", "trialdeck")
                .map(|d| d.cache_dir().join("packs")),
        };
        Cache {
            dir,
            min_bytes: DEFAULT_MIN_BYTES,
        }
    }

    fn file_for(&self, key: &Key) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let id = format!("{}\0{}", key.dir, key.shown);
        let mut h = crc32fast::Hasher::new();
        h.update(id.as_bytes());
        let a = h.finalize();
        let mut h = crc32fast::Hasher::new_with_initial(0x9e37_79b9);
        h.update(id.as_bytes());
        let b = h.finalize();
        Some(dir.join(format!("{a:08x}{b:08x}.bin")))
    }

    /// The cached parse of the pack `key` describes, if there is a valid one.
    pub fn get(&self, key: &Key) -> Option<CachedPack> {
        if key.total_bytes() < self.min_bytes {
            return None;
        }
        let path = self.file_for(key)?;
        read_cache(&path, key).ok()
    }

    /// Store the parse of the pack `key` describes; failures are ignored (the cache is only
    /// ever an optimisation). Nothing is written when a file of the pack is too recent to
    /// trust its stamps (see [`RACY_NS`]).
    pub fn put(
        &self,
        key: &Key,
        manifest_file: &str,
        manifest: &Manifest,
        entries: &[(String, Entry)],
    ) {
        if key.total_bytes() < self.min_bytes {
            return;
        }
        let Some(path) = self.file_for(key) else {
            return;
        };
        let now = now_ns();
        if key.is_racy(now) {
            return;
        }
        let pack = CachedPackRef {
            manifest_file,
            manifest,
            entries,
        };
        let _ = write_cache(&path, key, &pack, now);
    }
}

/// One `*.ron` file of a pack as the file system describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub name: String,
    pub len: u64,
    pub mtime_ns: u64,
    pub ctime_ns: u64,
    pub ino: u64,
    pub dev: u64,
}

impl Stamp {
    /// The stamp of a file from its metadata (following symbolic links).
    pub fn of(name: String, m: &fs::Metadata) -> Stamp {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let ns = |s: i64, n: i64| (s.max(0) as u64) * 1_000_000_000 + n.max(0) as u64;
            Stamp {
                name,
                len: m.len(),
                mtime_ns: ns(m.mtime(), m.mtime_nsec()),
                ctime_ns: ns(m.ctime(), m.ctime_nsec()),
                ino: m.ino(),
                dev: m.dev(),
            }
        }
        #[cfg(not(unix))]
        {
            let t = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as u64);
            Stamp {
                name,
                len: m.len(),
                mtime_ns: t,
                ctime_ns: t,
                ino: 0,
                dev: 0,
            }
        }
    }
}

/// What identifies one state of a pack directory: its canonical path, the path as given
/// (file names in diagnostics and in the parsed pack start with it), and its files' stamps,
/// manifest first, then the entry files in name order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    pub dir: String,
    pub shown: String,
    pub files: Vec<Stamp>,
}

impl Key {
    fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.len).sum()
    }

    /// Whether some file was modified so close to `at` that a second edit in the same clock
    /// tick could hide behind its stamps. (The change time is not needed here: a later
    /// edit of the contents moves the modification time too.)
    fn is_racy(&self, at: u64) -> bool {
        self.files
            .iter()
            .any(|f| f.mtime_ns.saturating_add(RACY_NS) >= at)
    }
}

/// A pack as parsed from its files, before validation: what the cache holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedPack {
    pub manifest_file: String,
    pub manifest: Manifest,
    pub entries: Vec<(String, Entry)>,
}

/// [`CachedPack`] borrowed, for writing: the same bytes on disk.
#[derive(Serialize)]
struct CachedPackRef<'a> {
    manifest_file: &'a str,
    manifest: &'a Manifest,
    entries: &'a [(String, Entry)],
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

fn opts() -> impl Options {
    bincode::DefaultOptions::new()
}

fn invalid(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_string())
}

/// The fixed part of a cache file, after the magic. The payload follows it, then a trailer
/// of the payload's length (u64) and CRC-32 (u32), little-endian.
#[derive(Serialize, Deserialize)]
struct Header {
    format: u32,
    fingerprint: u32,
    written_ns: u64,
    key: Key,
}

const TRAILER: u64 = 12;

/// Counts and checksums what passes through.
struct Crc<T> {
    inner: T,
    hasher: crc32fast::Hasher,
    len: u64,
}

impl<T> Crc<T> {
    fn new(inner: T) -> Crc<T> {
        Crc {
            inner,
            hasher: crc32fast::Hasher::new(),
            len: 0,
        }
    }
}

impl<R: Read> Read for Crc<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
}

impl<W: Write> Write for Crc<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Largest header accepted (a key of 50,000 files with long names fits easily).
const MAX_HEADER: u64 = 64 * 1024 * 1024;

fn read_cache(path: &Path, key: &Key) -> io::Result<CachedPack> {
    let file = fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(invalid("not a file"));
    }
    let mut r = BufReader::with_capacity(256 * 1024, file);
    let mut magic = [0u8; 16];
    r.read_exact(&mut magic)?;
    if &magic != MAGIC {
        return Err(invalid("magic"));
    }
    let mut counted = Crc::new(r);
    let header: Header = opts()
        .with_limit(MAX_HEADER)
        .deserialize_from(&mut counted)
        .map_err(|_| invalid("header"))?;
    if header.format != FORMAT || header.fingerprint != fingerprint() || header.key != *key {
        return Err(invalid("stale"));
    }
    if key.is_racy(header.written_ns) {
        return Err(invalid("racy"));
    }
    let payload_len = meta
        .len()
        .checked_sub(MAGIC.len() as u64 + counted.len + TRAILER)
        .ok_or_else(|| invalid("length"))?;
    // The rest of the file in one read: checksummed before anything is decoded from it,
    // then decoded from memory (faster than through a reader), then dropped.
    let mut rest = Vec::with_capacity((payload_len + TRAILER) as usize);
    counted
        .inner
        .take(payload_len + TRAILER + 1)
        .read_to_end(&mut rest)?;
    if rest.len() as u64 != payload_len + TRAILER {
        return Err(invalid("length"));
    }
    let (payload, trailer) = rest.split_at(payload_len as usize);
    let (len, sum) = trailer.split_at(8);
    if u64::from_le_bytes(len.try_into().unwrap_or_default()) != payload_len
        || u32::from_le_bytes(sum.try_into().unwrap_or_default()) != crc32fast::hash(payload)
    {
        return Err(invalid("checksum"));
    }
    // Bincode's default options reject bytes left over after the value.
    super::text::arena(|| opts().with_limit(payload_len).deserialize(payload))
        .map_err(|_| invalid("payload"))
}

fn write_cache(path: &Path, key: &Key, pack: &CachedPackRef, now: u64) -> io::Result<()> {
    let dir = path.parent().ok_or_else(|| invalid("no parent"))?;
    fs::create_dir_all(dir)?;
    // Written to a temporary file, synced, then renamed: a reader sees the old cache, the
    // new one, or none, never half of one.
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("cache"),
        std::process::id()
    ));
    let result = (|| {
        let mut w = BufWriter::with_capacity(256 * 1024, fs::File::create(&tmp)?);
        w.write_all(MAGIC)?;
        let header = Header {
            format: FORMAT,
            fingerprint: fingerprint(),
            written_ns: now,
            key: key.clone(),
        };
        opts()
            .serialize_into(&mut w, &header)
            .map_err(|_| invalid("serialize"))?;
        let mut payload = Crc::new(w);
        opts()
            .serialize_into(&mut payload, pack)
            .map_err(|_| invalid("serialize"))?;
        let mut w = payload.inner;
        w.write_all(&payload.len.to_le_bytes())?;
        w.write_all(&payload.hasher.finalize().to_le_bytes())?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
