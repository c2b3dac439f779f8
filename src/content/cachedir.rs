//! The cache directory's housekeeping: which files are images (by their names), temporary
//! files of earlier writers, and eviction of the least recently written images.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

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
        if !m.is_file() || !crate::fsutil::owned_by_me(&m) {
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
