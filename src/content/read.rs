//! Files → bytes. Reads a pack directory (or the bundled copy) defensively: size caps per
//! file, per pack and per run ([`Budget`]); directories, FIFOs, devices or unreadable files
//! where files are expected (only regular files are read, and opening one never blocks); and
//! `*.ron` names that are symbolic links leading out of the pack directory (refused, so a pack
//! can never make the loader read, and a diagnostic echo, a file elsewhere: `/proc`, a
//! secret). Never panics on input. Parsing is [`super::parse`]'s.

use super::diag::{Diagnostic, file_label};
use std::fs;
use std::path::{Path, PathBuf};

const MIB: u64 = 1024 * 1024;
/// Largest file the loader reads.
pub const MAX_FILE_BYTES: u64 = 8 * MIB;
/// Most entry files (trials and topics: every `*.ron` but the manifest) one pack may hold.
pub const MAX_PACK_ENTRIES: usize = 20_000;
/// Most bytes the `*.ron` files of one pack may hold together, the manifest included.
pub const MAX_PACK_BYTES: u64 = 512 * MIB;
/// Most entry files all the packs of one run may hold together.
pub const MAX_RUN_ENTRIES: usize = 50_000;
/// Most bytes the `*.ron` files of all the packs of one run may hold together.
pub const MAX_RUN_BYTES: u64 = 1024 * MIB;
/// The manifest's file name.
pub const MANIFEST: &str = "pack.ron";

/// Where a pack comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackSource {
    /// The packs compiled into the binary.
    Bundled,
    /// A pack directory on disk.
    Dir(PathBuf),
}

pub(super) mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
}

/// One file of a pack as read: its display name and its bytes (or why it could not be read).
#[derive(Debug)]
pub struct RawFile {
    pub name: String,
    pub bytes: Result<Vec<u8>, Diagnostic>,
}

impl RawFile {
    /// Bytes read (none when the file could not be read).
    pub fn len(&self) -> u64 {
        self.bytes.as_ref().map_or(0, |b| b.len() as u64)
    }

    /// Nothing was read.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A pack's files, manifest first.
#[derive(Debug)]
pub struct RawPack {
    pub manifest: RawFile,
    pub entries: Vec<RawFile>,
}

/// What one run has read so far, against the per-run limits ([`MAX_RUN_ENTRIES`],
/// [`MAX_RUN_BYTES`]). One budget is shared by every source of a run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Entry files read (manifests are not counted).
    pub entries: usize,
    /// Bytes of every file read, manifests included.
    pub bytes: u64,
}

/// Read the raw files of every pack a source names (the bundled source may hold several),
/// with a budget of its own. Use [`read_within`] to share one budget between sources.
pub fn read(source: &PackSource) -> Result<Vec<RawPack>, Diagnostic> {
    read_within(source, &mut Budget::default())
}

/// Read the raw files of every pack a source names, charging them to `budget`.
pub fn read_within(source: &PackSource, budget: &mut Budget) -> Result<Vec<RawPack>, Diagnostic> {
    match source {
        PackSource::Bundled => {
            let packs = read_bundled();
            for p in &packs {
                let entries = p.entries.len();
                let bytes = p
                    .entries
                    .iter()
                    .chain([&p.manifest])
                    .map(RawFile::len)
                    .sum();
                let name = p.manifest.name.rsplit_once('/').map_or("", |(d, _)| d);
                check_run_entries(name, budget, entries)?;
                charge(name, &mut 0, budget, bytes)?;
                budget.entries += entries;
            }
            Ok(packs)
        }
        PackSource::Dir(dir) => read_dir_within(dir, budget).map(|p| vec![p]),
    }
}

fn read_bundled() -> Vec<RawPack> {
    let mut packs: Vec<(String, RawPack)> = Vec::new();
    for &(pack, file, bytes) in bundled::BUNDLED {
        let raw = RawFile {
            name: format!("content/{pack}/{file}"),
            bytes: Ok(bytes.to_vec()),
        };
        let slot = match packs.iter().position(|(p, _)| p == pack) {
            Some(i) => i,
            None => {
                packs.push((
                    pack.to_string(),
                    RawPack {
                        manifest: RawFile {
                            name: format!("content/{pack}/{MANIFEST}"),
                            bytes: Err(missing_manifest(&format!("content/{pack}"))),
                        },
                        entries: Vec::new(),
                    },
                ));
                packs.len() - 1
            }
        };
        if file == MANIFEST {
            packs[slot].1.manifest = raw;
        } else {
            packs[slot].1.entries.push(raw);
        }
    }
    packs.into_iter().map(|(_, p)| p).collect()
}

fn missing_manifest(dir: &str) -> Diagnostic {
    Diagnostic::error(
        "missing-manifest",
        dir.to_string(),
        format!("no {MANIFEST} in this pack directory"),
    )
    .help(format!(
        "a pack is a directory with a manifest `{MANIFEST}` and one .ron file per trial; \
         create {MANIFEST} (see docs/pack-format.md) or point --pack at the right directory"
    ))
}

/// A path as diagnostics name it (see [`file_label`]).
pub(crate) fn display(p: &Path) -> String {
    file_label(&p.display().to_string())
}

/// Read a pack directory: `pack.ron` plus every other `*.ron` file, in name order.
pub fn read_dir(dir: &Path) -> Result<RawPack, Diagnostic> {
    read_dir_within(dir, &mut Budget::default())
}

fn human_bytes(n: u64) -> String {
    if n >= 1024 * MIB {
        format!("{:.1} GiB", n as f64 / (1024 * MIB) as f64)
    } else {
        format!("{:.1} MiB", n as f64 / MIB as f64)
    }
}

fn too_many_entries(name: &str, what: String) -> Diagnostic {
    Diagnostic::error("too-many-entries", name, what).help(format!(
        "a pack may hold {MAX_PACK_ENTRIES} trial or topic files and one run \
         {MAX_RUN_ENTRIES} (see Limits in docs/pack-format.md); split the pack, or load \
         fewer packs at once"
    ))
}

pub(super) fn check_run_entries(
    name: &str,
    budget: &Budget,
    entries: usize,
) -> Result<(), Diagnostic> {
    if budget.entries + entries > MAX_RUN_ENTRIES {
        return Err(too_many_entries(
            name,
            format!(
                "the packs of this run hold {} trial or topic files together; \
                 the limit per run is {MAX_RUN_ENTRIES}",
                budget.entries + entries
            ),
        ));
    }
    Ok(())
}

/// Add `bytes` to the pack's and the run's totals, failing once either is over its limit.
pub(super) fn charge(
    name: &str,
    pack: &mut u64,
    budget: &mut Budget,
    bytes: u64,
) -> Result<(), Diagnostic> {
    *pack += bytes;
    budget.bytes += bytes;
    let over = if *pack > MAX_PACK_BYTES {
        Some(format!(
            "this pack's .ron files hold more than {}; the limit per pack is {}",
            human_bytes(*pack),
            human_bytes(MAX_PACK_BYTES)
        ))
    } else if budget.bytes > MAX_RUN_BYTES {
        Some(format!(
            "the packs of this run hold more than {} together; the limit per run is {}",
            human_bytes(budget.bytes),
            human_bytes(MAX_RUN_BYTES)
        ))
    } else {
        None
    };
    match over {
        Some(msg) => Err(Diagnostic::error("too-large", name, msg).help(format!(
            "a pack may hold {} of .ron files and one run {} (see Limits in \
             docs/pack-format.md); split the pack, or load fewer packs at once",
            human_bytes(MAX_PACK_BYTES),
            human_bytes(MAX_RUN_BYTES)
        ))),
        None => Ok(()),
    }
}

/// One `*.ron` name of a pack directory as listed.
#[derive(Debug, Clone)]
pub(crate) struct Listed {
    pub path: PathBuf,
    /// The name is a symbolic link (followed only to a file inside the pack).
    pub link: bool,
    /// The name is a regular file, or a link to one (as listed; checked again when read).
    pub regular: bool,
}

/// A pack directory listed and checked against the limits, before any file is read.
#[derive(Debug)]
pub(crate) struct Listing {
    /// The directory as diagnostics name it.
    pub name: String,
    /// Its canonical path: every file read must lie inside it.
    pub canonical: PathBuf,
    pub manifest: Listed,
    /// Entry files, in name order.
    pub entries: Vec<Listed>,
    /// Each file's stamp (links followed; manifest first), when every name is a regular
    /// file: what a pack image's key is made of.
    pub metas: Option<Vec<super::stamp::Stamp>>,
}

impl Listing {
    /// The manifest's display name.
    pub fn manifest_name(&self) -> String {
        display(&self.manifest.path)
    }
}

/// List a pack directory and check it against the limits from the sizes its files claim.
pub(crate) fn list_dir(dir: &Path, budget: &Budget) -> Result<Listing, Diagnostic> {
    let name = display(dir);
    let unreadable = |e: std::io::Error| {
        Diagnostic::error(
            "unreadable",
            name.clone(),
            format!("cannot open pack directory: {e}"),
        )
        .help("check the path given to --pack")
    };
    let meta = fs::metadata(dir).map_err(unreadable)?;
    if !meta.is_dir() {
        return Err(Diagnostic::error(
            "not-a-directory",
            name,
            "--pack expects a directory, but this is a file",
        )
        .help(format!("pass the directory that holds {MANIFEST}")));
    }
    let canonical = fs::canonicalize(dir).map_err(unreadable)?;
    let listing = fs::read_dir(dir).map_err(|e| {
        Diagnostic::error(
            "unreadable",
            name.clone(),
            format!("cannot list pack directory: {e}"),
        )
        .help("check the directory's permissions")
    })?;
    let manifest_path = dir.join(MANIFEST);
    let mut manifest = None;
    let mut entries: Vec<Listed> = Vec::new();
    for item in listing {
        let item = item.map_err(|e| {
            Diagnostic::error(
                "unreadable",
                name.clone(),
                format!("cannot list pack directory: {e}"),
            )
        })?;
        let p = item.path();
        if p.extension().is_none_or(|x| x != "ron") {
            continue;
        }
        // The type of the name itself (from the directory listing, without a call per file
        // on most file systems).
        let ft = item.file_type().ok();
        let listed = Listed {
            path: p,
            link: ft.is_some_and(|t| t.is_symlink()),
            regular: ft.is_some_and(|t| t.is_file()),
        };
        if listed.path == manifest_path {
            manifest = Some(listed);
            continue;
        }
        entries.push(listed);
        if entries.len() > MAX_PACK_ENTRIES {
            return Err(too_many_entries(
                &name,
                format!(
                    "more than {MAX_PACK_ENTRIES} trial or topic files in one pack; \
                     that is the limit per pack"
                ),
            ));
        }
    }
    let Some(manifest) = manifest else {
        return Err(missing_manifest(&name));
    };
    check_run_entries(&name, budget, entries.len())?;
    // One directory: the names decide the order (comparing whole paths component by
    // component was a tenth of a warm start at 10,000 files).
    entries.sort_by_cached_key(|a| a.path.file_name().map(std::ffi::OsStr::to_owned));
    // Refuse a pack over budget before reading any of it, from the sizes its files claim
    // (anything that is not a regular file is refused later and counts nothing here) ...
    let mut claimed = 0;
    let files: Vec<&Listed> = [&manifest].into_iter().chain(&entries).collect();
    let mut metas = Some(Vec::with_capacity(files.len()));
    for stamp in stamps(dir, &files) {
        match stamp {
            Some(st) => {
                claimed += st.len.min(MAX_FILE_BYTES + 1);
                if let Some(s) = &mut metas {
                    s.push(st);
                }
            }
            None => metas = None,
        }
    }
    charge(&name, &mut 0, &mut budget.clone(), claimed)?;
    Ok(Listing {
        name,
        canonical,
        manifest,
        entries,
        metas,
    })
}

/// The stamp of each file (links followed), `None` for a name that is not a regular file or
/// cannot be looked at. Large directories are looked at on two threads, each name relative
/// to the directory (no path walk per file): at 10,000 files this is most of a warm start.
fn stamps(dir: &Path, files: &[&Listed]) -> Vec<Option<super::stamp::Stamp>> {
    let name = |f: &Listed| {
        f.path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    };
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::io::AsRawFd;
        if let Ok(d) = fs::File::open(dir) {
            let fd = d.as_raw_fd();
            let one = |f: &&Listed| -> Option<super::stamp::Stamp> {
                let c = std::ffi::CString::new(f.path.file_name()?.as_bytes()).ok()?;
                let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
                // SAFETY: a valid directory descriptor (kept open by `d`), a NUL-terminated
                // name, and a stat buffer the call fills when it returns 0.
                let st = unsafe {
                    if libc::fstatat(fd, c.as_ptr(), st.as_mut_ptr(), 0) != 0 {
                        return None;
                    }
                    st.assume_init()
                };
                if st.st_mode & libc::S_IFMT != libc::S_IFREG {
                    return None;
                }
                let ns = |s: i64, n: i64| (s.max(0) as u64) * 1_000_000_000 + n.max(0) as u64;
                Some(super::stamp::Stamp {
                    name: name(f),
                    len: st.st_size as u64,
                    mtime_ns: ns(st.st_mtime, st.st_mtime_nsec),
                    ctime_ns: ns(st.st_ctime, st.st_ctime_nsec),
                    ino: st.st_ino,
                    dev: st.st_dev,
                })
            };
            if files.len() < 2048 {
                return files.iter().map(one).collect();
            }
            let half = files.len().div_ceil(2);
            return std::thread::scope(|s| {
                let (a, b) = files.split_at(half);
                let h = s.spawn(move || b.iter().map(one).collect::<Vec<_>>());
                let mut out: Vec<_> = a.iter().map(one).collect();
                out.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
                out
            });
        }
    }
    files
        .iter()
        .map(|f| {
            fs::metadata(&f.path)
                .ok()
                .filter(fs::Metadata::is_file)
                .map(|m| super::stamp::Stamp::of(name(f), &m))
        })
        .collect()
}

/// Read a pack directory, charging its entries and bytes to `budget`; fails when the pack
/// or the run would go over a limit.
pub fn read_dir_within(dir: &Path, budget: &mut Budget) -> Result<RawPack, Diagnostic> {
    let listing = list_dir(dir, budget)?;
    // ... and charge what is really read, in case a file grew meanwhile.
    let mut pack_bytes = 0;
    let manifest = read_file(&listing.manifest, &listing.canonical);
    charge(&listing.name, &mut pack_bytes, budget, manifest.len())?;
    let mut entries = Vec::with_capacity(listing.entries.len());
    for f in &listing.entries {
        let f = read_file(f, &listing.canonical);
        charge(&listing.name, &mut pack_bytes, budget, f.len())?;
        entries.push(f);
    }
    budget.entries += entries.len();
    Ok(RawPack { manifest, entries })
}

/// Read one listed file of the pack whose canonical directory is `inside`.
pub(crate) fn read_file(f: &Listed, inside: &Path) -> RawFile {
    let name = display(&f.path);
    let bytes = read_capped(f, inside)
        .map_err(|(code, msg, help)| Diagnostic::error(code, name.clone(), msg).help(help));
    RawFile { name, bytes }
}

type Refused = (&'static str, String, String);

fn not_a_file(kind: &str, is_dir: bool) -> Refused {
    let help = if is_dir {
        "rename or move the directory: every *.ron name in a pack must be a file"
    } else {
        "replace it with a regular file, or remove it: every *.ron name in a pack must be \
         a regular file (a symbolic link to one inside the pack is fine)"
    };
    (
        "not-a-file",
        format!("expected a .ron file, found {kind}"),
        help.to_string(),
    )
}

fn unreadable(e: std::io::Error, help: &str) -> Refused {
    (
        "unreadable",
        format!("cannot read file: {e}"),
        help.to_string(),
    )
}

fn outside() -> Refused {
    (
        "outside-pack",
        "this .ron name is a symbolic link to a file outside the pack directory; \
         it was not read"
            .into(),
        "put the file itself in the pack directory (a link may only point inside the pack)".into(),
    )
}

/// A file's bytes, if it is a regular file inside the pack (a symbolic link is followed only
/// to a file inside `inside`, the pack's canonical directory) of at most [`MAX_FILE_BYTES`].
/// Opening never blocks and never follows a link the listing did not see: a name replaced by
/// a link (or a FIFO) after it was listed is refused, not read.
fn read_capped(f: &Listed, inside: &Path) -> Result<Vec<u8>, Refused> {
    use crate::fsutil::{self, ReadError};
    if !f.link && !f.regular {
        // Never opened: a device may act on being opened.
        let meta = fs::symlink_metadata(&f.path)
            .map_err(|e| unreadable(e, "check that the file exists and is readable"))?;
        if !meta.is_file() {
            let ft = meta.file_type();
            return Err(not_a_file(fsutil::file_kind(ft), ft.is_dir()));
        }
    }
    // What the name leads to (through a link): a regular file, or refused unopened.
    let meta = fs::metadata(&f.path)
        .map_err(|e| unreadable(e, "check that the file exists and is readable"))?;
    if !meta.is_file() {
        let ft = meta.file_type();
        return Err(not_a_file(fsutil::file_kind(ft), ft.is_dir()));
    }
    let path = if f.link {
        let to = fs::canonicalize(&f.path)
            .map_err(|e| unreadable(e, "check that the file exists and is readable"))?;
        if !to.starts_with(inside) {
            return Err(outside());
        }
        to
    } else {
        f.path.clone()
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    let file = open_no_follow(&path).map_err(|e| {
        if e.raw_os_error() == Some(libc::ELOOP) {
            outside()
        } else {
            unreadable(e, "check the file's permissions")
        }
    })?;
    // What was opened is what was checked (the name was not replaced in between).
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let opened = file
            .metadata()
            .map_err(|e| unreadable(e, "check the file's permissions"))?;
        if (opened.dev(), opened.ino()) != (meta.dev(), meta.ino()) {
            return Err(unreadable(
                std::io::Error::other("the file was replaced while it was being read"),
                "run the command again",
            ));
        }
    }
    fsutil::read_opened(file, MAX_FILE_BYTES).map_err(|e| match e {
        ReadError::Io(e) => unreadable(e, "check the file's permissions"),
        ReadError::NotAFile { kind, is_dir } => not_a_file(kind, is_dir),
        ReadError::TooLarge { len, .. } => too_large(len),
    })
}

/// Open for reading without blocking, and without following a symbolic link in the last
/// component (the path is either a listed regular file or the canonical path of a link's
/// target).
fn open_no_follow(path: &Path) -> std::io::Result<fs::File> {
    let mut opts = fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    opts.open(path)
}

fn too_large(len: u64) -> Refused {
    (
        "too-large",
        format!(
            "file is {:.1} MiB; the limit is {} MiB",
            len as f64 / 1048576.0,
            MAX_FILE_BYTES / 1048576
        ),
        "split the content into several files (one per trial)".into(),
    )
}
