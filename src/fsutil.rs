//! The one way trialdeck writes a file (exports, the config, the pack cache, the rounds
//! handout), and the one way it reads a small file a user names (the config, a keymap, a
//! list of learners).
//!
//! Writing: readers see the old content or the new, never half of it. The content goes to a
//! temporary file beside the target, which is fsynced and renamed over the target; then the
//! directory is fsynced. Around that core:
//! - the temporary file is created anew (`O_CREAT|O_EXCL`, plus `O_NOFOLLOW`), under a name
//!   with a random part, so a file or link another local user planted in a shared directory is
//!   never opened, let alone written through;
//! - a failed write (or a panic while writing) removes its temporary file, and temporary files
//!   of our naming pattern that a killed run left are swept from the directory on the next
//!   write there (see [`sweep_temps`]);
//! - an existing target keeps its permission bits (a 600 file stays 600), and its owner and
//!   group where the system lets us;
//! - a symbolic link is written through (its target is replaced, the link stays), and a
//!   dangling link is refused;
//! - a target that is not a regular file (a directory, a FIFO, a device) is refused;
//! - a target we may not write (read-only, or another user's file that `access(W_OK)` says we
//!   cannot write) is refused unless `force` is given; a forced write keeps a read-only mode.
//!
//! Reading ([`read_regular`]): only a regular file is read, opening it never blocks (a FIFO
//! would otherwise wait for a writer forever), and no more than a cap is read.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Marks our temporary files: `.<target name>.trialdeck-tmp.<pid>.<random>`.
pub const TEMP_MARK: &str = ".trialdeck-tmp.";

/// A temporary file of ours whose writer is still running is removed only when it is older
/// than this (its process id may have been reused by another program).
pub const STALE_AFTER: Duration = Duration::from_secs(10 * 60);

/// How many symbolic links in a row are followed before giving up (as the kernel's ELOOP).
const MAX_LINKS: usize = 40;

/// Random characters in a temporary file's name (62 possible each).
const RANDOM_CHARS: usize = 12;

/// At most this many bytes of the target's name go into a temporary file's name, so that the
/// temporary name stays within the file system's limit.
const NAME_IN_TEMP: usize = 64;

/// Why a write was refused before anything was written (carried inside the `io::Error`;
/// see [`refusal`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The target has no write permission at all.
    ReadOnly,
    /// The target is writable by someone, but not by this user (e.g. another user's file in a
    /// directory this user may write).
    NotYours,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refusal::ReadOnly => "the file is read-only",
            Refusal::NotYours => "you may not write this file (its permissions do not allow it)",
        })
    }
}

impl std::error::Error for Refusal {}

/// The refusal inside an error of [`write_atomically`], if that is why it failed.
pub fn refusal(e: &io::Error) -> Option<Refusal> {
    e.get_ref()?.downcast_ref::<Refusal>().copied()
}

/// Write `bytes` to `path` atomically (see the module docs). `force` replaces a target this
/// user may not write.
pub fn write_atomically(path: &Path, bytes: &[u8], force: bool) -> io::Result<()> {
    write_atomically_with(path, force, |f| f.write_all(bytes))
}

/// Like [`write_atomically`], with the content written by `fill` into the temporary file.
/// If `fill` fails (or panics), the target is untouched and the temporary file removed.
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
        if !force {
            if m.permissions().readonly() {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    Refusal::ReadOnly,
                ));
            }
            if !writable(&target) {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    Refusal::NotYours,
                ));
            }
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
    sweep_temps(&dir, SystemTime::now());

    // Removed when dropped, unless persisted: on an error and on a panic.
    let mut tmp = create_temp(&dir, &name, existing.is_some())?;
    fill(tmp.as_file_mut())?;
    if let Some(m) = &existing {
        keep_owner(tmp.as_file(), m);
        // Keep the target's mode (including read-only, when forced).
        tmp.as_file().set_permissions(m.permissions())?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    // Make the rename itself durable. Some filesystems cannot fsync a directory; the file
    // is already in place, so that is not an error.
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Write `bytes` to a new file at `path`, atomically, never over a file (or a link) that is
/// there: that fails with [`io::ErrorKind::AlreadyExists`], also when one appears while the
/// content is written (the file is moved into place only if the name is still free).
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if fs::symlink_metadata(path).is_ok() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "a file is there already",
        ));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?
        .to_string_lossy()
        .into_owned();
    sweep_temps(&dir, SystemTime::now());
    let mut tmp = create_temp(&dir, &name, false)?;
    tmp.as_file_mut().write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Whether this user may write `path`, as `access(W_OK)` decides it (with the effective ids).
#[cfg(unix)]
fn writable(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a valid NUL-terminated path; faccessat only reads it.
    unsafe { libc::faccessat(libc::AT_FDCWD, c.as_ptr(), libc::W_OK, libc::AT_EACCESS) == 0 }
}

#[cfg(not(unix))]
fn writable(_: &Path) -> bool {
    true
}

/// Give the new file the old one's owner and group, where the system allows it (root may;
/// anyone may keep a group they belong to). Best effort: a file of one's own stays one's own.
#[cfg(unix)]
fn keep_owner(file: &File, old: &fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    let Ok(new) = file.metadata() else { return };
    if (new.uid(), new.gid()) == (old.uid(), old.gid()) {
        return;
    }
    let _ = std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()))
        .or_else(|_| std::os::unix::fs::fchown(file, None, Some(old.gid())));
}

#[cfg(not(unix))]
fn keep_owner(_: &File, _: &fs::Metadata) {}

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

/// A new temporary file in `dir` for the target `name`: `.<name>.trialdeck-tmp.<pid>.<random>`,
/// created anew and never through a link. It is private (600) while it is written when it
/// replaces a file (whose mode it takes before the rename); a new file gets the mode the
/// umask gives, as any new file would.
fn create_temp(dir: &Path, name: &str, replaces: bool) -> io::Result<tempfile::NamedTempFile> {
    let mut short = name.len().min(NAME_IN_TEMP);
    while !name.is_char_boundary(short) {
        short -= 1;
    }
    let prefix = format!(".{}{TEMP_MARK}{}.", &name[..short], std::process::id());
    tempfile::Builder::new()
        .prefix(&prefix)
        .rand_bytes(RANDOM_CHARS)
        .make_in(dir, |p| {
            let mut opts = fs::OpenOptions::new();
            opts.read(true).write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(if replaces { 0o600 } else { 0o666 })
                    .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
            }
            opts.open(p)
        })
}

/// The process id in `file_name` if it is one of our temporary files
/// (`.<name>.trialdeck-tmp.<pid>.<letters and digits>`).
pub fn temp_pid(file_name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix('.')?;
    let at = rest.rfind(TEMP_MARK)?;
    if at == 0 {
        return None;
    }
    let (pid, random) = rest[at + TEMP_MARK.len()..].split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let alnum = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric());
    (digits(pid) && alnum(random))
        .then(|| pid.parse().ok())
        .flatten()
}

/// Whether `file_name` is one of our temporary files.
pub fn is_our_temp(file_name: &str) -> bool {
    temp_pid(file_name).is_some()
}

/// Remove our temporary files in `dir` that no running write will finish: those whose
/// process has ended, and any older than [`STALE_AFTER`]. Best effort; returns how many went.
pub fn sweep_temps(dir: &Path, now: SystemTime) -> usize {
    sweep(dir, now, temp_pid)
}

/// Remove the files in `dir` whose names `pattern` recognises as temporary files of ours
/// (giving the process id in the name) and that no running write will finish: the process
/// is gone, or the file is older than [`STALE_AFTER`]. Only regular files this user owns are
/// removed, never a link. Best effort; returns how many went.
pub fn sweep(dir: &Path, now: SystemTime, pattern: impl Fn(&str) -> Option<u32>) -> usize {
    let Ok(listing) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for item in listing.flatten() {
        let name = item.file_name();
        let Some(pid) = pattern(&name.to_string_lossy()) else {
            continue;
        };
        // Never follows a link: only regular files of ours are removed.
        let Ok(meta) = fs::symlink_metadata(item.path()) else {
            continue;
        };
        if !meta.is_file() || !owned_by_me(&meta) {
            continue;
        }
        let old = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if (old || !process_alive(pid)) && fs::remove_file(item.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Whether this user owns the file `meta` describes (always, off Unix).
#[cfg(unix)]
pub fn owned_by_me(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions.
    meta.uid() == unsafe { libc::geteuid() }
}

#[cfg(not(unix))]
pub fn owned_by_me(_: &fs::Metadata) -> bool {
    true
}

/// Whether a process with this id exists (it may be another program that reused the id).
#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    // 0 and ids beyond i32 would name process groups or nothing: no such writer.
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists and may be signalled.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn process_alive(_: u32) -> bool {
    true
}

/// Why [`read_regular`] read nothing.
#[derive(Debug)]
pub enum ReadError {
    /// The file could not be opened or read (it may not exist: see [`io::Error::kind`]).
    Io(io::Error),
    /// The name is not a regular file: what it is (e.g. "a FIFO (named pipe)").
    NotAFile { kind: &'static str, is_dir: bool },
    /// The file holds more than the cap (its size, or at least the cap and one).
    TooLarge { len: u64, cap: u64 },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::NotAFile { kind, .. } => write!(f, "expected a regular file, found {kind}"),
            ReadError::TooLarge { len, cap } => write!(
                f,
                "the file is {}; the limit is {}",
                human_bytes(*len),
                human_bytes(*cap)
            ),
        }
    }
}

impl std::error::Error for ReadError {}

impl ReadError {
    /// The file does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == io::ErrorKind::NotFound)
    }
}

/// `n` bytes for people: KiB below a mebibyte, MiB below a gibibyte, else GiB.
pub fn human_bytes(n: u64) -> String {
    const KIB: f64 = 1024.0;
    let f = n as f64;
    if f >= KIB * KIB * KIB {
        format!("{:.1} GiB", f / (KIB * KIB * KIB))
    } else if f >= KIB * KIB {
        format!("{:.1} MiB", f / (KIB * KIB))
    } else {
        format!("{:.1} KiB", f / KIB)
    }
}

/// What a file that is not a regular file is, for a message.
pub fn file_kind(ft: fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_char_device() || ft.is_block_device() {
            return "a device";
        }
    }
    if ft.is_dir() {
        "a directory"
    } else {
        "something other than a regular file"
    }
}

fn not_a_file(ft: fs::FileType) -> ReadError {
    ReadError::NotAFile {
        kind: file_kind(ft),
        is_dir: ft.is_dir(),
    }
}

/// Open a file for reading without ever blocking: a FIFO swapped in after a check would
/// otherwise wait for a writer forever, and a terminal device never becomes ours.
pub fn open_nonblocking(path: &Path) -> io::Result<File> {
    let mut opts = fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC);
    }
    opts.open(path)
}

/// Read `path` whole if it is a regular file (a symbolic link to one is followed) of at most
/// `cap` bytes. Opening never blocks, and what was opened is checked again (the name may have
/// been replaced since the first check); no more than `cap + 1` bytes are ever read.
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let meta = fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(not_a_file(meta.file_type()));
    }
    if meta.len() > cap {
        return Err(ReadError::TooLarge {
            len: meta.len(),
            cap,
        });
    }
    let file = open_nonblocking(path).map_err(ReadError::Io)?;
    read_opened(file, cap)
}

/// The rest of [`read_regular`] for a file already open: it must be a regular file, and at
/// most `cap` bytes are accepted.
pub fn read_opened(file: File, cap: u64) -> Result<Vec<u8>, ReadError> {
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(not_a_file(meta.file_type()));
    }
    let mut buf = Vec::with_capacity(meta.len().min(cap) as usize);
    file.take(cap.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(ReadError::Io)?;
    if buf.len() as u64 > cap {
        return Err(ReadError::TooLarge {
            len: buf.len() as u64,
            cap,
        });
    }
    Ok(buf)
}

/// [`read_regular`] as UTF-8 text (invalid bytes are an `InvalidData` error).
pub fn read_text(path: &Path, cap: u64) -> Result<String, ReadError> {
    let bytes = read_regular(path, cap)?;
    String::from_utf8(bytes).map_err(|e| {
        ReadError::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not UTF-8 text (at byte {})", e.utf8_error().valid_up_to()),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_temp_names() {
        assert!(is_our_temp(".out.json.trialdeck-tmp.123.0"));
        assert!(is_our_temp(".out.json.trialdeck-tmp.123.aZ09xQ"));
        assert!(is_our_temp(".a.trialdeck-tmp.b.trialdeck-tmp.9.12"));
        assert_eq!(temp_pid(".a.trialdeck-tmp.b.trialdeck-tmp.9.12"), Some(9));
        assert!(!is_our_temp("out.json.trialdeck-tmp.123.0"));
        assert!(!is_our_temp(".trialdeck-tmp.123.0"));
        assert!(!is_our_temp(".out.json.trialdeck-tmp.123"));
        assert!(!is_our_temp(".out.json.trialdeck-tmp.12x.0"));
        assert!(!is_our_temp(".out.json.trialdeck-tmp.12.a-b"));
        assert!(!is_our_temp(".out.json.tmp-123"));
    }

    #[test]
    fn a_temporary_name_fits_however_long_the_target_name() {
        let tmp = tempfile::tempdir().unwrap();
        let name = "é".repeat(120); // 240 bytes: the name alone nearly fills NAME_MAX
        let path = tmp.path().join(&name);
        write_atomically(&path, b"x", false).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"x");
    }

    #[cfg(unix)]
    #[test]
    fn no_process_zero_or_beyond_pid_range_is_alive() {
        assert!(!process_alive(0));
        assert!(!process_alive(u32::MAX));
        assert!(process_alive(std::process::id()));
    }
}
