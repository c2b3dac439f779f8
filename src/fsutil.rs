//! Writing a file so that readers see the old content or the new, never half of it: write a
//! temporary file next to the target, fsync it, rename it over the target, fsync the directory.
//!
//! Around that core:
//! - a failed write removes its temporary file, and temporary files of our own naming pattern
//!   left by a killed run (older than [`STALE_AFTER`]) are swept from the directory;
//! - an existing target keeps its permission bits;
//! - a symbolic link is written through (its target is replaced, the link stays), and a
//!   dangling link is refused;
//! - a target that is not a regular file (a directory, a FIFO, a device) is refused;
//! - a read-only target is refused unless `force` is given (it stays read-only afterwards).

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Marks our temporary files: `.<target name>.trialdeck-tmp.<pid>.<n>`.
pub const TEMP_MARK: &str = ".trialdeck-tmp.";

/// A temporary file of ours older than this is left from a run that was killed, and removed.
pub const STALE_AFTER: Duration = Duration::from_secs(10 * 60);

/// How many symbolic links in a row are followed before giving up (as the kernel's ELOOP).
const MAX_LINKS: usize = 40;

/// Write `bytes` to `path` atomically (see the module docs). `force` replaces a read-only
/// target.
pub fn write_atomically(path: &Path, bytes: &[u8], force: bool) -> io::Result<()> {
    write_atomically_with(path, force, |f| f.write_all(bytes))
}

/// Like [`write_atomically`], with the content written by `fill` into the temporary file.
/// If `fill` fails, the target is untouched and the temporary file removed.
pub fn write_atomically_with(
    path: &Path,
    force: bool,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    let target = resolve_links(path)?;
    let existing = match fs::metadata(&target) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if let Some(m) = &existing {
        if !m.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a regular file; write to a file path, or to standard output without --out",
            ));
        }
        if m.permissions().readonly() && !force {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "the file is read-only; pass --force to replace it",
            ));
        }
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?
        .to_string_lossy()
        .into_owned();
    sweep_stale_temps(&dir, SystemTime::now());

    let (tmp, mut file) = create_temp(&dir, &name)?;
    let guard = RemoveOnDrop(Some(tmp));
    fill(&mut file)?;
    if let Some(m) = &existing {
        // Keep the target's mode (including read-only, when forced).
        file.set_permissions(m.permissions())?;
    }
    file.sync_all()?;
    drop(file);
    fs::rename(guard.path(), &target)?;
    guard.disarm();
    // Make the rename itself durable. Some filesystems cannot fsync a directory; the file
    // is already in place, so that is not an error.
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Follow symbolic links from `path` to the file that will really be written. A dangling
/// link is refused: writing it would create a file wherever it happens to point.
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&p)?;
                let next = match p.parent() {
                    Some(parent) => parent.join(&to),
                    None => to,
                };
                if fs::symlink_metadata(&next).is_err() {
                    return Err(io::Error::new(
                        io::ErrorKind::NotFound,
                        format!(
                            "a symbolic link to {}, which does not exist; \
                             create the file or write elsewhere",
                            next.display()
                        ),
                    ));
                }
                p = next;
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    let mut n = 0u32;
    loop {
        let tmp = dir.join(format!(".{name}{TEMP_MARK}{pid}.{n}"));
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Like a new file: the umask decides; an existing target's mode is copied later.
            opts.mode(0o666);
        }
        match opts.open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
            Err(e) => return Err(e),
        }
    }
}

/// Whether `file_name` is one of our temporary files.
pub fn is_our_temp(file_name: &str) -> bool {
    let Some(rest) = file_name.strip_prefix('.') else {
        return false;
    };
    let Some(at) = rest.rfind(TEMP_MARK) else {
        return false;
    };
    let tail = &rest[at + TEMP_MARK.len()..];
    let mut parts = tail.split('.');
    let digits =
        |s: Option<&str>| s.is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
    at > 0 && digits(parts.next()) && digits(parts.next()) && parts.next().is_none()
}

/// Remove our temporary files in `dir` last modified before `now - STALE_AFTER`: they are
/// left from runs that were killed (a live run's temporary file is younger). Best effort.
pub fn sweep_stale_temps(dir: &Path, now: SystemTime) -> usize {
    let Ok(listing) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for item in listing.flatten() {
        let name = item.file_name();
        if !is_our_temp(&name.to_string_lossy()) {
            continue;
        }
        // Never follows a link: only regular files of ours are removed.
        let Ok(meta) = fs::symlink_metadata(item.path()) else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if meta.is_file() && old && fs::remove_file(item.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Removes the temporary file unless disarmed: on an error, and on a panic.
struct RemoveOnDrop(Option<PathBuf>);

impl RemoveOnDrop {
    fn path(&self) -> &Path {
        self.0.as_deref().expect("armed")
    }

    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = fs::remove_file(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_temp_names() {
        assert!(is_our_temp(".out.json.trialdeck-tmp.123.0"));
        assert!(is_our_temp(".a.trialdeck-tmp.b.trialdeck-tmp.9.12"));
        assert!(!is_our_temp("out.json.trialdeck-tmp.123.0"));
        assert!(!is_our_temp(".trialdeck-tmp.123.0"));
        assert!(!is_our_temp(".out.json.trialdeck-tmp.123"));
        assert!(!is_our_temp(".out.json.trialdeck-tmp.12x.0"));
        assert!(!is_our_temp(".out.json.tmp-123"));
    }
}
