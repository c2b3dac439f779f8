//! Helpers for the file tests (the pack reader, the cache, the one atomic writer): copies of
//! the mini pack, the binary with a hang guard, FIFOs, a process id that is surely gone, and
//! running a command as an unprivileged user (tests run as root in CI).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Only a guard so a regression fails instead of hanging the suite.
pub const HANG_GUARD: Duration = Duration::from_secs(60);

/// The uid and gid of `nobody`, whom root-run tests become to see permissions at work.
pub const NOBODY: u32 = 65_534;

/// The mini pack's directory.
pub fn mini() -> PathBuf {
    super::mini_dir()
}

/// A copy of the mini pack in a fresh temporary directory: (the tempdir, the pack inside it).
pub fn mini_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("pack");
    fs::create_dir(&dir).unwrap();
    for e in fs::read_dir(mini()).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), dir.join(e.file_name())).unwrap();
    }
    (tmp, dir)
}

#[allow(unused_imports)]
pub use super::trialdeck;

/// Everything a finished command printed, stdout then stderr.
pub fn printed(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
    assert_eq!(rc, 0, "mkfifo {}", path.display());
}

/// The names in a directory, sorted.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The process id of a process that has ended (and been reaped).
pub fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

pub fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

pub fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Make `path` belong to `uid`:`gid` (root only).
pub fn chown(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
}

/// Run `f(value)` on another thread and give its result, or `None` if it has not returned
/// within [`HANG_GUARD`] (the thread is left behind: the test fails anyway).
pub fn within_guard<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(HANG_GUARD).ok()
}

/// Make every file of `dir` look an hour old: a pack file fresher than the image's racy
/// window (two seconds) is never trusted to an image, so image tests age their packs first.
pub fn age(dir: &Path) {
    let old = std::time::SystemTime::now() - Duration::from_secs(3600);
    for e in fs::read_dir(dir).unwrap() {
        let f = fs::File::options()
            .write(true)
            .open(e.unwrap().path())
            .unwrap();
        f.set_modified(old).unwrap();
    }
}

/// Replace the first `from` in the file at `path` with `to`, and set its modification time an
/// hour back (its change time is now): an edit that only its size and change time tell.
pub fn rewrite_aged(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    fs::write(path, text.replacen(from, to, 1)).unwrap();
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
}

/// `trialdeck export` of the mini pack as JSON to `out` (with `--force` if asked).
pub fn export_json(out: &Path, force: bool) -> std::process::Output {
    let mut cmd = trialdeck();
    cmd.args(["export", "--format", "json", "--pack"])
        .arg(mini())
        .arg("--out")
        .arg(out);
    if force {
        cmd.arg("--force");
    }
    cmd.output().unwrap()
}
