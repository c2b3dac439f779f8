//! Where pack images live: one file per pack directory in the cache directory, named from
//! the pack's canonical path, and a bounded directory. What an image holds and how it is
//! checked is [`super::image`]'s; when one is used, and what is read from the pack's files
//! instead, is the orchestrator's ([`super::load_later_with`]).
//!
//! An image is used for a pack directory only when its key matches: the directory's
//! canonical path, the manifest's stamp, and for each `*.ron` file its name, size,
//! modification and change times (nanoseconds), inode and device. A file whose stamp
//! differs, a new file, or a file modified within [`RACY_NS`] of the image's writing (as git
//! does for its index: an edit in the same clock tick could keep every stamp) is read and
//! checked again; the others come from the image. One pack has one image whatever path
//! names it: entry file names are kept in the image, the labels diagnostics use are given
//! again from the path of this run.
//!
//! Images are written through the one atomic writer ([`crate::fsutil`]) or appended to
//! (see [`super::image`]); the directory holds at most [`Cache::max_total_bytes`] of images,
//! the least recently written going first. Opening a file in the cache never blocks: a FIFO
//! put in an image's place is a miss.
//!
//! Small packs parse in a millisecond or two, so only packs of at least
//! [`Cache::min_bytes`] get an image. The directory is `TRIALDECK_CACHE_DIR` if set (`off` or
//! empty disables images), else `packs/` in the platform cache directory.

use super::model::{Entry, Manifest};
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

pub use super::image::{FINGERPRINT_AT, FORMAT, fingerprint};
/// A file modified this close to (or after) the cache's writing makes the cache untrusted.
pub const RACY_NS: u64 = 2_000_000_000;
/// Packs smaller than this are not cached by default (they parse in about a millisecond).
pub const DEFAULT_MIN_BYTES: u64 = 1024 * 1024;
/// The cache directory holds at most this many bytes of cache files by default: the largest
/// run ([`super::read::MAX_RUN_BYTES`] of RON) caches in well under half of it.
pub const DEFAULT_MAX_TOTAL_BYTES: u64 = 2 * 1024 * 1024 * 1024;

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

    /// The image file of the pack directory whose canonical path is `dir`.
    pub fn file_for_dir(&self, dir: &str) -> Option<PathBuf> {
        let cache = self.dir.as_ref()?;
        let mut h = crc32fast::Hasher::new();
        h.update(dir.as_bytes());
        let a = h.finalize();
        let mut h = crc32fast::Hasher::new_with_initial(0x9e37_79b9);
        h.update(dir.as_bytes());
        let b = h.finalize();
        Some(cache.join(format!("{a:08x}{b:08x}.bin")))
    }

    /// The image of the pack directory whose canonical path is `dir`, opened and checked
    /// (see [`super::image`]), with its list rows; `None` if there is none, or it fails a
    /// check.
    pub(crate) fn open(&self, dir: &str) -> Option<super::image::Opened> {
        let path = self.file_for_dir(dir)?;
        super::image::Image::open_with_rows(&path)
            .ok()
            .filter(|o| o.image.dir() == dir)
    }

    /// The image file for the pack `key` describes (whether or not it exists).
    pub fn path_for(&self, key: &Key) -> Option<PathBuf> {
        self.file_for_dir(&key.dir)
    }

    /// Write an image of a pack now: its manifest as parsed and its entries (in the order of
    /// the key's entry files, as validation left them, clean), as checked without a warning.
    /// Failures are ignored (an image is only ever an optimisation); nothing is written when
    /// a file of the pack is too recent to trust its stamps (see [`RACY_NS`]). Tests use this
    /// to plant images; the loader writes its own through [`super::image::Pending`].
    pub fn put(
        &self,
        key: &Key,
        manifest: &Manifest,
        entries: &[Entry],
        records: super::image::Records,
    ) {
        if !self.wants(key) || entries.len() + 1 != key.files.len() {
            return;
        }
        let Some(path) = self.path_for(key) else {
            return;
        };
        let ids: std::collections::HashSet<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        let self_contained = entries
            .iter()
            .all(|e| e.related.iter().all(|r| ids.contains(r.to.as_str())));
        let lib = super::Library::new(vec![], entries.to_vec());
        self.pending(
            path,
            key.clone(),
            manifest.clone(),
            self_contained,
            entries.len(),
        )
        .write(&lib, records);
    }

    /// [`Cache::put`] without proving the entries' text clean: how tests plant an image a
    /// tamperer made (one whose checksums all hold).
    #[cfg(feature = "dev")]
    pub fn plant(
        &self,
        key: &Key,
        manifest: &Manifest,
        entries: &[Entry],
        records: super::image::Records,
    ) {
        let Some(path) = self.path_for(key) else {
            return;
        };
        let lib = super::Library::new(vec![], entries.to_vec());
        let mut p = self.pending(path, key.clone(), manifest.clone(), true, entries.len());
        p.unchecked = true;
        p.write(&lib, records);
    }

    /// An image to write of the pack `key` describes, whose entries are entries `0..n` of
    /// the library it will be given.
    pub(crate) fn pending(
        &self,
        path: PathBuf,
        key: Key,
        manifest: Manifest,
        self_contained: bool,
        n: usize,
    ) -> super::image::Pending {
        super::image::Pending {
            path,
            max_total_bytes: self.max_total_bytes,
            key,
            manifest,
            items: (0..n)
                .map(|entry| super::image::Item::New {
                    entry,
                    diags: Vec::new(),
                })
                .collect(),
            self_contained,
            base: None,
            unchecked: false,
        }
    }
}

/// After writing `path`, remove the least recently written images of its directory (never
/// `path`) until those left hold at most `max` bytes.
pub(crate) fn evict_around(path: &Path, max: u64) {
    if let Some(dir) = path.parent() {
        evict(dir, path, max);
    }
}

/// Whether `name` is a cache file's name (16 hex digits, `.bin`).
fn is_cache_file(name: &str) -> bool {
    name.strip_suffix(".bin")
        .is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The process id in the name of a temporary file of an earlier cache writer
/// (`.<16 hex>.bin.<pid>.tmp`).
pub(crate) fn legacy_temp_pid(name: &str) -> Option<u32> {
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
    pub fn is_racy(&self, at: u64) -> bool {
        self.files
            .iter()
            .any(|f| f.mtime_ns.saturating_add(RACY_NS) >= at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
