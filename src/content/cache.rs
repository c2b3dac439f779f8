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
//! checked again; the others come from the image. (The app's warm start compares the entry
//! files just after its first frame, not before: see [`super::open_unverified`].) One pack has one image whatever path
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
use std::path::PathBuf;

pub use super::image::{FINGERPRINT_AT, FORMAT, fingerprint};
pub use super::stamp::{Key, RACY_NS, Stamp};
/// Packs smaller than this are not cached by default (they parse in about a millisecond).
pub const DEFAULT_MIN_BYTES: u64 = 1024 * 1024;
/// The cache directory holds at most this many bytes of cache files by default: the largest
/// run ([`super::read::MAX_RUN_BYTES`] of RON) caches in well under half of it.
pub const DEFAULT_MAX_TOTAL_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Runs of several packs remembered as using no id twice across packs.
pub const DISTINCT_RUNS: usize = 64;
const DISTINCT_BYTES: u64 = 64 * 1024;

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
        self.wants_bytes(key.total_bytes())
    }

    /// Whether a pack of this many bytes gets an image.
    pub fn wants_bytes(&self, bytes: u64) -> bool {
        self.dir.is_some() && bytes >= self.min_bytes
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

    /// Whether a run of these images was found to use no entry or question id twice across
    /// packs (`key` names the images, by their headers), so the check need not run again before the
    /// first frame. A memo only: a missing or unreadable file says no.
    pub(crate) fn knows_distinct(&self, key: u64) -> bool {
        let Some(path) = self.distinct_file() else {
            return false;
        };
        let want = format!("{key:016x}");
        crate::fsutil::read_text(&path, DISTINCT_BYTES)
            .is_ok_and(|text| text.lines().any(|l| l == want))
    }

    /// Remember that the run `key` names uses no id twice across packs (the most recent
    /// [`DISTINCT_RUNS`] are kept). Failures are ignored: it is only a memo.
    pub(crate) fn remember_distinct(&self, key: u64) {
        let Some(path) = self.distinct_file() else {
            return;
        };
        let line = format!("{key:016x}");
        let old = crate::fsutil::read_text(&path, DISTINCT_BYTES).unwrap_or_default();
        let mut keys: Vec<&str> = old
            .lines()
            .filter(|l| l.len() == 16 && *l != line && l.bytes().all(|b| b.is_ascii_hexdigit()))
            .collect();
        keys.push(&line);
        let keep = &keys[keys.len().saturating_sub(DISTINCT_RUNS)..];
        let _ = std::fs::create_dir_all(path.parent().unwrap_or(&path));
        let _ = crate::fsutil::write_atomically(&path, (keep.join("\n") + "\n").as_bytes(), false);
    }

    fn distinct_file(&self) -> Option<PathBuf> {
        Some(self.dir.as_ref()?.join("distinct-runs"))
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
        self.pending(
            path,
            key.clone(),
            manifest.clone(),
            self_contained,
            entries.len(),
        )
        .write(&|i| entries.get(i), records);
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
        let mut p = self.pending(path, key.clone(), manifest.clone(), true, entries.len());
        p.unchecked = true;
        p.write(&|i| entries.get(i), records);
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
