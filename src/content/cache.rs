//! A binary cache of checked pack directories, so that a large pack is neither parsed from
//! RON nor checked entry by entry at every start. It knows the model and the sanitizer, not
//! how packs are read, parsed or validated: the orchestrator ([`super::load_with`]) asks it
//! for a pack by [`Key`] and hands it what to keep.
//!
//! What is cached is the pack's manifest as parsed, and each entry either as the validator
//! left it, when checking it produced no diagnostic (*checked*), or as parsed (*unchecked*:
//! checked again at every load, so its warnings and errors are reported as without a
//! cache). Only a pack whose files all read and parsed without a diagnostic is cached.
//! An entry is stored checked only when the run that checked it declared no source beyond
//! the pack's own, so that no run can find an error the cache hid.
//!
//! A cache file is used only when all of these hold, and is otherwise ignored (and rewritten
//! after the pack is parsed again):
//! - it is a regular file (opening it never blocks: a FIFO put in its place is a miss);
//! - its header has this build's magic, format version ([`FORMAT`]) and fingerprint (a hash
//!   of the source of the content model, the reader, the parser, the validator, the
//!   sanitizer and this file, and the crate version: a change to what a pack means or how it
//!   is checked never reads an old cache), and the header's own CRC-32 matches;
//! - its key equals the pack's key now: the pack directory's canonical path and, for every
//!   `*.ron` file, its name, size, modification and change times (nanoseconds), inode and
//!   device. One pack has one cache file whatever path names it: the entries' file names are
//!   not stored, and are given again from the path of this run;
//! - no file of the pack was modified within [`RACY_NS`] of the moment the cache was written
//!   (as git does for its index: an edit in the same clock tick could keep every stamp);
//! - every chunk of entries decodes within its stated length (so a corrupt length never
//!   allocates more than the chunk's bytes), ends exactly there, and its CRC-32 matches;
//! - every string of every checked entry is proven free of control characters and escape
//!   sequences ([`super::sanitize::all_clean`]): the cache is never trusted with the
//!   terminal's safety.
//!
//! The entries are stored in chunks that decode independently, from the file as it is
//! read (never the whole file in memory), on the machine's cores. Files are written with
//! the one atomic writer ([`crate::fsutil`]); the directory holds at most
//! [`Cache::max_total_bytes`] of cache files, the least recently written going first.
//!
//! Small packs parse in a millisecond or two, so only packs of at least
//! [`Cache::min_bytes`] are cached. The directory is `TRIALDECK_CACHE_DIR` if set (`off` or
//! empty disables the cache), else `packs/` in the platform cache directory.

use super::model::{Entry, Manifest};
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// First bytes of every cache file.
const MAGIC: &[u8; 16] = b"trialdeck-cache\n";
/// Bumped whenever the layout or the encoding of a cache file changes (3: postcard instead of
/// bincode, keyed by canonical path alone, no file names stored).
pub const FORMAT: u32 = 3;
/// A file modified this close to (or after) the cache's writing makes the cache untrusted.
pub const RACY_NS: u64 = 2_000_000_000;
/// Packs smaller than this are not cached by default (they parse in about a millisecond).
pub const DEFAULT_MIN_BYTES: u64 = 1024 * 1024;
/// The cache directory holds at most this many bytes of cache files by default: the largest
/// run ([`super::read::MAX_RUN_BYTES`] of RON) caches in well under half of it.
pub const DEFAULT_MAX_TOTAL_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// The source of what gives a cached pack its meaning, and the crate version: a change to
/// any of them makes old caches stale.
pub fn fingerprint() -> u32 {
    let mut h = crc32fast::Hasher::new();
    for src in [
        include_str!("model.rs"),
        include_str!("figure.rs"),
        include_str!("read.rs"),
        include_str!("parse.rs"),
        include_str!("validate.rs"),
        include_str!("sanitize.rs"),
        include_str!("diag.rs"),
        include_str!("cache.rs"),
    ] {
        h.update(src.as_bytes());
    }
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(&FORMAT.to_le_bytes());
    h.finalize()
}

/// Where (and whether) checked packs are cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    /// The cache directory; `None` disables the cache.
    pub dir: Option<PathBuf>,
    /// Packs whose `*.ron` files hold fewer bytes than this are neither read from nor
    /// written to the cache.
    pub min_bytes: u64,
    /// After a write, the least recently written cache files are removed until those left
    /// hold at most this many bytes (the file just written always stays).
    pub max_total_bytes: u64,
}

impl Cache {
    /// No cache at all.
    pub fn off() -> Cache {
        Cache {
            dir: None,
            min_bytes: DEFAULT_MIN_BYTES,
            max_total_bytes: DEFAULT_MAX_TOTAL_BYTES,
        }
    }

    /// A cache in `dir` for packs of any size (tests use this).
    pub fn at(dir: impl Into<PathBuf>) -> Cache {
        Cache {
            dir: Some(dir.into()),
            min_bytes: 0,
            max_total_bytes: DEFAULT_MAX_TOTAL_BYTES,
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
            ..Cache::off()
        }
    }

    /// Whether a pack of this key is read from and written to the cache at all.
    pub fn wants(&self, key: &Key) -> bool {
        self.dir.is_some() && key.total_bytes() >= self.min_bytes
    }

    fn file_for(&self, key: &Key) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let mut h = crc32fast::Hasher::new();
        h.update(key.dir.as_bytes());
        let a = h.finalize();
        let mut h = crc32fast::Hasher::new_with_initial(0x9e37_79b9);
        h.update(key.dir.as_bytes());
        let b = h.finalize();
        Some(dir.join(format!("{a:08x}{b:08x}.bin")))
    }

    /// The cached pack `key` describes, if there is a valid one, decoded on up to `threads`
    /// threads.
    pub fn get(&self, key: &Key, threads: usize) -> Option<CachedPack> {
        if !self.wants(key) {
            return None;
        }
        let path = self.file_for(key)?;
        read_cache(&path, key, threads).ok()
    }

    /// The cache file for the pack `key` describes (whether or not it exists).
    pub fn path_for(&self, key: &Key) -> Option<PathBuf> {
        self.file_for(key)
    }

    /// Store a pack: its manifest as parsed and its entries (in the order of the key's
    /// entry files), each with whether it is stored checked. Failures are ignored (the cache
    /// is only ever an optimisation). Nothing is written when a file of the pack is too
    /// recent to trust its stamps (see [`RACY_NS`]).
    pub fn put(&self, key: &Key, manifest: &Manifest, entries: &[Item<'_>]) {
        if !self.wants(key) || entries.len() + 1 != key.files.len() {
            return;
        }
        let (Some(path), Some(dir)) = (self.file_for(key), self.dir.as_deref()) else {
            return;
        };
        let now = now_ns();
        if key.is_racy(now) {
            return;
        }
        if fs::create_dir_all(dir).is_err() {
            return;
        }
        // Temporary files of the cache's own earlier naming, left by killed writes.
        crate::fsutil::sweep(dir, SystemTime::now(), legacy_temp_pid);
        if write_cache(&path, key, manifest, entries, now, fingerprint()).is_ok() {
            evict(dir, &path, self.max_total_bytes);
        }
    }
}

/// Whether `name` is a cache file's name (16 hex digits, `.bin`).
fn is_cache_file(name: &str) -> bool {
    name.strip_suffix(".bin")
        .is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The process id in the name of a temporary file of an earlier cache writer
/// (`.<16 hex>.bin.<pid>.tmp`).
fn legacy_temp_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (file, pid) = rest.rsplit_once('.')?;
    if !is_cache_file(file) || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Remove the least recently written cache files of `dir` (never `keep`) until those left
/// hold at most `max` bytes. Only regular files of the cache's naming that this user owns
/// are counted and removed.
fn evict(dir: &Path, keep: &Path, max: u64) {
    let Ok(listing) = fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
    let mut total = 0u64;
    for item in listing.flatten() {
        if !is_cache_file(&item.file_name().to_string_lossy()) {
            continue;
        }
        let Ok(m) = fs::symlink_metadata(item.path()) else {
            continue;
        };
        if !m.is_file() || !owned_by_me(&m) {
            continue;
        }
        total = total.saturating_add(m.len());
        let path = item.path();
        if path != keep {
            files.push((m.modified().unwrap_or(UNIX_EPOCH), m.len(), path));
        }
    }
    files.sort();
    for (_, len, path) in files {
        if total <= max {
            break;
        }
        if fs::remove_file(&path).is_ok() {
            total -= len;
        }
    }
}

#[cfg(unix)]
fn owned_by_me(m: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions.
    m.uid() == unsafe { libc::geteuid() }
}

#[cfg(not(unix))]
fn owned_by_me(_: &fs::Metadata) -> bool {
    true
}

/// One entry as stored: whether it is checked, the entry.
type Stored = (bool, Entry);

/// One entry to store: whether it is checked, the entry.
pub type Item<'a> = (bool, &'a Entry);

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

/// What identifies one state of a pack directory: its canonical path and its files' stamps,
/// manifest first, then the entry files in name order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    pub dir: String,
    pub files: Vec<Stamp>,
}

impl Key {
    /// The bytes of the pack's files, as their stamps give them.
    pub fn total_bytes(&self) -> u64 {
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

/// A pack as the cache holds it: the entries in the order of the key's entry files.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedPack {
    pub manifest: Manifest,
    pub entries: Vec<Entry>,
    /// One per entry: stored checked (its text has been proven clean on this read).
    pub checked: Vec<bool>,
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

fn invalid(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_string())
}

/// The layout of a cache file:
///
/// ```text
/// magic [16] | format u32 | fingerprint u32 | header offset u64 | header length u32 |
/// header CRC-32 u32 | chunk 0 | chunk 1 | ... | header
/// ```
///
/// Integers little-endian. Each chunk is a postcard `Vec<Stored>` (checked,
/// entry); the header (postcard [`Header`]) gives each chunk's length, CRC-32 and
/// entry count, and ends the file. The header is written last because the chunks' lengths
/// are only known once they are written.
const PREFIX: u64 = 40;
/// Where the fingerprint is in a cache file (tests change it to play an older build).
pub const FINGERPRINT_AT: usize = 20;

#[derive(Serialize, Deserialize)]
struct Header {
    written_ns: u64,
    key: Key,
    manifest: Manifest,
    chunks: Vec<Chunk>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Chunk {
    len: u64,
    crc: u32,
    entries: u32,
}

/// Largest header accepted (a key of 50,000 files with long names fits easily).
const MAX_HEADER: u64 = 64 * 1024 * 1024;
/// Largest chunk accepted (a chunk holds a few dozen entries of at most 8 MiB each).
const MAX_CHUNK: u64 = 256 * 1024 * 1024;
/// Most chunks a cache file may have.
const MAX_CHUNKS: usize = 4096;
/// Entries are written in about this many chunks (so two cores share the decoding evenly) ...
const CHUNKS: usize = 64;
/// ... of at least this many entries.
const MIN_CHUNK_ENTRIES: usize = 16;

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

/// Reads `[pos, end)` of a file by position, so several threads share one open file.
struct At<'a> {
    file: &'a fs::File,
    pos: u64,
    end: u64,
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = (self.end.saturating_sub(self.pos)).min(buf.len() as u64) as usize;
        if want == 0 {
            return Ok(0);
        }
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(self.file, &mut buf[..want], self.pos)?;
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(self.file, &mut buf[..want], self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

fn read_exact_at(file: &fs::File, pos: u64, len: u64) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(len as usize);
    At {
        file,
        pos,
        end: pos + len,
    }
    .read_to_end(&mut buf)?;
    if buf.len() as u64 != len {
        return Err(invalid("short read"));
    }
    Ok(buf)
}

fn read_cache(path: &Path, key: &Key, threads: usize) -> io::Result<CachedPack> {
    // Never blocks: a FIFO in the cache file's place is a miss, not a hang.
    let file = crate::fsutil::open_nonblocking(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(invalid("not a file"));
    }
    let size = meta.len();
    let prefix = read_exact_at(&file, 0, PREFIX)?;
    let u32_at = |i: usize| u32::from_le_bytes(prefix[i..i + 4].try_into().unwrap_or_default());
    if &prefix[..16] != MAGIC || u32_at(16) != FORMAT || u32_at(FINGERPRINT_AT) != fingerprint() {
        return Err(invalid("stale"));
    }
    let header_at = u64::from_le_bytes(prefix[24..32].try_into().unwrap_or_default());
    let header_len = u64::from(u32_at(32));
    if header_len > MAX_HEADER || header_at.checked_add(header_len) != Some(size) {
        return Err(invalid("length"));
    }
    let bytes = read_exact_at(&file, header_at, header_len)?;
    if crc32fast::hash(&bytes) != u32_at(36) {
        return Err(invalid("header checksum"));
    }
    let header: Header = match postcard::take_from_bytes(&bytes) {
        Ok((h, [])) => h,
        _ => return Err(invalid("header")),
    };
    drop(bytes);
    if header.key != *key {
        return Err(invalid("stale"));
    }
    if key.is_racy(header.written_ns) {
        return Err(invalid("racy"));
    }
    let chunks = &header.chunks;
    let total = chunks
        .iter()
        .try_fold(0u64, |a, c| a.checked_add(c.len))
        .ok_or_else(|| invalid("length"))?;
    if chunks.len() > MAX_CHUNKS || PREFIX.checked_add(total) != Some(header_at) {
        return Err(invalid("length"));
    }
    let mut starts = Vec::with_capacity(chunks.len());
    let mut at = PREFIX;
    for c in chunks {
        starts.push(at);
        at += c.len;
    }
    // Chunks are handed out one at a time to up to `threads` threads; each is decoded from
    // the file as it is read, checked, and scanned before the next is taken.
    let next = AtomicUsize::new(0);
    let work = || -> io::Result<Vec<(usize, Vec<Stored>)>> {
        let mut done = Vec::new();
        let mut buf = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(c) = chunks.get(i) else {
                return Ok(done);
            };
            done.push((i, read_chunk(&file, starts[i], *c, &mut buf)?));
        }
    };
    let threads = threads.clamp(1, chunks.len().max(1));
    let parts: Vec<io::Result<_>> = if threads > 1 {
        std::thread::scope(|s| {
            let helpers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
            let mut parts = vec![work()];
            for h in helpers {
                parts.push(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            }
            parts
        })
    } else {
        vec![work()]
    };
    let mut decoded: Vec<Option<Vec<Stored>>> = vec![None; chunks.len()];
    for part in parts {
        for (i, items) in part? {
            decoded[i] = Some(items);
        }
    }
    let n = chunks.iter().map(|c| c.entries as usize).sum();
    let mut entries = Vec::with_capacity(n);
    let mut checked = Vec::with_capacity(n);
    for items in decoded {
        for (c, e) in items.ok_or_else(|| invalid("chunk"))? {
            checked.push(c);
            entries.push(e);
        }
    }
    Ok(CachedPack {
        manifest: header.manifest,
        entries,
        checked,
    })
}

/// Decode one chunk from `file` at `start` into `buf` (reused from chunk to chunk, so the
/// file is never in memory whole): its CRC-32 must match before anything is decoded, the
/// decoder reads and allocates for no more than the chunk's bytes and must end exactly at
/// its end, and the text of its checked entries must be clean.
fn read_chunk(file: &fs::File, start: u64, c: Chunk, buf: &mut Vec<u8>) -> io::Result<Vec<Stored>> {
    if c.len > MAX_CHUNK {
        return Err(invalid("chunk length"));
    }
    buf.clear();
    At {
        file,
        pos: start,
        end: start + c.len,
    }
    .read_to_end(buf)?;
    if buf.len() as u64 != c.len || crc32fast::hash(buf) != c.crc {
        return Err(invalid("chunk checksum"));
    }
    decode_chunk(buf, c.entries)
}

/// A chunk's items from its bytes, the text of its checked entries proven clean.
/// The decoder allocates for no length beyond the bytes left (a corrupt length fails at
/// once), and the items must end exactly at the end of `bytes`.
fn decode_chunk(bytes: &[u8], entries: u32) -> io::Result<Vec<Stored>> {
    use serde::de::{DeserializeSeed, Error as _, SeqAccess, Visitor};
    struct Items(u32);
    impl<'de> Visitor<'de> for Items {
        type Value = Vec<Stored>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a chunk of entries")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut items = Vec::with_capacity(self.0 as usize);
            while let Some(item) = seq.next_element::<Stored>()? {
                if items.len() == self.0 as usize {
                    return Err(A::Error::custom("too many entries"));
                }
                items.push(item);
            }
            Ok(items)
        }
    }
    impl<'de> DeserializeSeed<'de> for Items {
        type Value = Vec<Stored>;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_seq(self)
        }
    }
    // Text is gathered into shared blocks (see content::text), readable once the arena ends:
    // only then is it scanned.
    // postcard reads from the bytes in hand: a string or a sequence that claims more than is
    // left fails there, and strings are borrowed from `bytes`, not allocated.
    let items = super::text::arena_sized(bytes.len(), || {
        let mut de = postcard::Deserializer::from_bytes(bytes);
        let items = Items(entries).deserialize(&mut de)?;
        match de.finalize()? {
            [] => Ok(items),
            _ => Err(postcard::Error::DeserializeBadEncoding),
        }
    })
    .map_err(|_: postcard::Error| invalid("chunk"))?;
    if items.len() != entries as usize {
        return Err(invalid("chunk entries"));
    }
    let clean = |(checked, e): &Stored| !checked || super::sanitize::all_clean(e);
    if !items.iter().all(clean) {
        return Err(invalid("unclean text"));
    }
    Ok(items)
}

/// A chunk of items, serialized as a sequence of `(bool, Entry)`.
struct Items<'a>(&'a [Item<'a>]);

impl Serialize for Items<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter())
    }
}

fn write_cache(
    path: &Path,
    key: &Key,
    manifest: &Manifest,
    entries: &[Item<'_>],
    now: u64,
    fingerprint: u32,
) -> io::Result<()> {
    // Through the one atomic writer: a reader sees the old cache, the new one, or none,
    // never half of one, and the temporary file is never another user's planted link.
    crate::fsutil::write_atomically_with(path, false, |file| {
        let mut w = BufWriter::with_capacity(256 * 1024, file);
        w.write_all(&[0; PREFIX as usize])?;
        let per = entries.len().div_ceil(CHUNKS).max(MIN_CHUNK_ENTRIES);
        let mut chunks = Vec::new();
        for part in entries.chunks(per) {
            let mut c = Crc::new(&mut w);
            postcard::to_io(&Items(part), &mut c).map_err(|_| invalid("serialize"))?;
            chunks.push(Chunk {
                len: c.len,
                crc: c.hasher.finalize(),
                entries: part.len() as u32,
            });
        }
        let header_at = PREFIX + chunks.iter().map(|c| c.len).sum::<u64>();
        let header = postcard::to_allocvec(&Header {
            written_ns: now,
            key: key.clone(),
            manifest: manifest.clone(),
            chunks,
        })
        .map_err(|_| invalid("serialize"))?;
        w.write_all(&header)?;
        let mut prefix = Vec::with_capacity(PREFIX as usize);
        prefix.extend_from_slice(MAGIC);
        prefix.extend_from_slice(&FORMAT.to_le_bytes());
        prefix.extend_from_slice(&fingerprint.to_le_bytes());
        prefix.extend_from_slice(&header_at.to_le_bytes());
        prefix.extend_from_slice(&(header.len() as u32).to_le_bytes());
        prefix.extend_from_slice(&crc32fast::hash(&header).to_le_bytes());
        w.seek(SeekFrom::Start(0))?;
        w.write_all(&prefix)?;
        w.flush()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// postcard's varint (LEB128) of `n`.
    fn varint(mut n: u64) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let b = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(b);
                return out;
            }
            out.push(b | 0x80);
        }
    }

    #[test]
    fn a_huge_bogus_length_fails_fast_without_allocating_it() {
        // A chunk of one item whose entry id claims 2^62 bytes, then a few bytes: were that
        // length believed, the allocation alone would abort the process.
        let mut bytes = vec![1u8, 0]; // one item; checked = false
        bytes.extend(varint(1 << 62));
        bytes.extend_from_slice(b"abc");
        assert!(decode_chunk(&bytes, 1).is_err());
        // A length a little beyond the data fails at the end of it.
        let mut short = vec![1u8, 0, 10];
        short.extend_from_slice(b"abc");
        assert!(decode_chunk(&short, 1).is_err());
        // A sequence claiming 2^40 items reserves no more than the chunk says it holds.
        assert!(decode_chunk(&varint(1 << 40), 1).is_err());
        // The empty chunk of no items decodes; with one item expected, it is short.
        assert!(decode_chunk(&[0], 0).unwrap().is_empty());
        assert!(decode_chunk(&[0], 1).is_err());
        // Trailing bytes after the items are refused.
        assert!(decode_chunk(&[0, 0], 0).is_err());
    }

    #[test]
    fn only_the_caches_own_names_are_swept_or_evicted() {
        assert!(is_cache_file("0123456789abcdef.bin"));
        assert!(!is_cache_file("0123456789abcdef.bin.tmp"));
        assert!(!is_cache_file("0123456789abcdeg.bin"));
        assert!(!is_cache_file("notes.bin"));
        assert_eq!(
            legacy_temp_pid(".0123456789abcdef.bin.4242.tmp"),
            Some(4242)
        );
        assert_eq!(legacy_temp_pid(".0123456789abcdef.bin..tmp"), None);
        assert_eq!(legacy_temp_pid(".notes.bin.4242.tmp"), None);
        assert_eq!(legacy_temp_pid("0123456789abcdef.bin.4242.tmp"), None);
    }
}
