//! What says a pack's files are as they were: each `*.ron` file's [`Stamp`] (name, size,
//! times, inode, device) and a pack directory's [`Key`]. An image is trusted for a file only
//! while its stamp is the one the image recorded (see [`super::cache`]).

use serde::{Deserialize, Serialize};
use std::fs;
#[cfg(not(unix))]
use std::time::UNIX_EPOCH;

/// A file modified this close to (or after) the cache's writing makes the cache untrusted.
pub const RACY_NS: u64 = 2_000_000_000;

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
        self.files.iter().any(|f| racy(f.mtime_ns, at))
    }
}

/// Whether a file modified at `mtime_ns` is so close to (or after) `at` that a second edit
/// in the same clock tick could hide behind its stamp.
pub fn racy(mtime_ns: u64, at: u64) -> bool {
    mtime_ns.saturating_add(RACY_NS) >= at
}
