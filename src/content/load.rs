//! Bytes → parsed structs. Reads a pack directory (or the bundled copy) defensively:
//! size caps per file, per pack and per run, UTF-8 and NUL checks, a byte-order mark, ron's
//! recursion limit, and directories, FIFOs, devices or unreadable files where files are
//! expected (only regular files are read, and opening one never blocks). Never panics on input.

use super::cache::{Cache, Key, Stamp};
use super::diag::Diagnostic;
use super::model::{Entry, Manifest};
use serde::de::DeserializeOwned;
use std::fs;
use std::io::Read;
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
/// ron's nesting limit (its default), kept explicit so it is never removed by accident.
pub const RECURSION_LIMIT: usize = 128;
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

mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
}

/// One file of a pack as read: its display name and its bytes (or why it could not be read).
#[derive(Debug)]
pub struct RawFile {
    pub name: String,
    pub bytes: Result<Vec<u8>, Diagnostic>,
}

/// A pack's files, manifest first.
#[derive(Debug)]
pub struct RawPack {
    pub manifest: RawFile,
    pub entries: Vec<RawFile>,
}

/// A pack after parsing: the manifest (if it parsed) and each entry that parsed, with its file.
#[derive(Debug, Default)]
pub struct ParsedPack {
    pub manifest_file: String,
    pub manifest: Option<Manifest>,
    pub entries: Vec<(String, Entry)>,
    /// Some entry file (or the whole pack) could not be read or parsed, so ids it would
    /// declare are unknown: references to missing entries are then not reported, since
    /// they would only repeat the first error.
    pub incomplete: bool,
    /// One per entry, or empty: the entry comes from a pack cache that had checked it
    /// (and proven its text clean), so validation skips its per-entry checks.
    pub checked: Vec<bool>,
    /// Where to keep this pack once it is validated: set when it was read from its files,
    /// every one of them parsed without a diagnostic, and the cache may hold it.
    pub(crate) to_cache: Option<ToCache>,
}

/// A pack directory to write to the cache after validation.
#[derive(Debug)]
pub(crate) struct ToCache {
    key: Key,
    /// The entry files, in entry order (to read an entry again as parsed).
    paths: Vec<PathBuf>,
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
                let bytes = p.entries.iter().chain([&p.manifest]).map(raw_len).sum();
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

/// Parse a pack of the bundled source: from its form parsed at build time (see `build.rs`)
/// when there is one, else from its RON as [`parse_pack`] does. Either way the result is
/// validated as any pack is.
pub fn parse_bundled(raw: RawPack, diags: &mut Vec<Diagnostic>) -> ParsedPack {
    let pack = raw
        .manifest
        .name
        .strip_prefix("content/")
        .and_then(|n| n.strip_suffix(&format!("/{MANIFEST}")));
    let parsed = bundled::PARSED
        .iter()
        .find(|(p, _)| Some(*p) == pack)
        .and_then(|(p, bytes)| {
            use bincode::Options;
            let (manifest, entries): (Manifest, Vec<(String, Entry)>) =
                super::text::arena_sized(bytes.len(), || {
                    bincode::DefaultOptions::new()
                        .with_limit(bytes.len() as u64)
                        .deserialize(bytes)
                })
                .ok()?;
            let entries: Vec<_> = entries
                .into_iter()
                .map(|(file, e)| (format!("content/{p}/{file}"), e))
                .collect();
            // The same files as at build time (the binary holds both forms of one tree).
            let names = raw.entries.iter().map(|f| f.name.as_str());
            names
                .eq(entries.iter().map(|(n, _)| n.as_str()))
                .then_some(ParsedPack {
                    manifest_file: raw.manifest.name.clone(),
                    manifest: Some(manifest),
                    entries,
                    ..Default::default()
                })
        });
    match parsed {
        Some(p) => p,
        None => parse_pack(raw, diags),
    }
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

fn display(p: &Path) -> String {
    super::sanitize::clean(&p.display().to_string())
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

fn check_run_entries(name: &str, budget: &Budget, entries: usize) -> Result<(), Diagnostic> {
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
fn charge(name: &str, pack: &mut u64, budget: &mut Budget, bytes: u64) -> Result<(), Diagnostic> {
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

/// A pack directory listed and checked against the limits, before any file is read.
struct Listing {
    name: String,
    manifest_path: PathBuf,
    /// Entry files, in name order.
    paths: Vec<PathBuf>,
    /// Each file's stamp (manifest first), when every file is a regular file.
    stamps: Option<Vec<Stamp>>,
}

fn list_dir(dir: &Path, budget: &Budget) -> Result<Listing, Diagnostic> {
    let name = display(dir);
    let meta = fs::metadata(dir).map_err(|e| {
        Diagnostic::error(
            "unreadable",
            name.clone(),
            format!("cannot open pack directory: {e}"),
        )
        .help("check the path given to --pack")
    })?;
    if !meta.is_dir() {
        return Err(Diagnostic::error(
            "not-a-directory",
            name,
            "--pack expects a directory, but this is a file",
        )
        .help(format!("pass the directory that holds {MANIFEST}")));
    }
    let listing = fs::read_dir(dir).map_err(|e| {
        Diagnostic::error(
            "unreadable",
            name.clone(),
            format!("cannot list pack directory: {e}"),
        )
        .help("check the directory's permissions")
    })?;
    let manifest_path = dir.join(MANIFEST);
    let mut has_manifest = false;
    let mut paths: Vec<PathBuf> = Vec::new();
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
        if p == manifest_path {
            has_manifest = true;
            continue;
        }
        paths.push(p);
        if paths.len() > MAX_PACK_ENTRIES {
            return Err(too_many_entries(
                &name,
                format!(
                    "more than {MAX_PACK_ENTRIES} trial or topic files in one pack; \
                     that is the limit per pack"
                ),
            ));
        }
    }
    if !has_manifest {
        return Err(missing_manifest(&name));
    }
    check_run_entries(&name, budget, paths.len())?;
    paths.sort();
    // Refuse a pack over budget before reading any of it, from the sizes its files claim
    // (anything that is not a regular file is refused later and counts nothing here) ...
    let mut claimed = 0;
    let mut stamps = Some(Vec::with_capacity(paths.len() + 1));
    for p in [&manifest_path].into_iter().chain(&paths) {
        match fs::metadata(p) {
            Ok(m) if m.is_file() => {
                claimed += m.len().min(MAX_FILE_BYTES + 1);
                if let Some(s) = &mut stamps {
                    let file = p
                        .file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                    s.push(Stamp::of(file, &m));
                }
            }
            _ => stamps = None,
        }
    }
    charge(&name, &mut 0, &mut budget.clone(), claimed)?;
    Ok(Listing {
        name,
        manifest_path,
        paths,
        stamps,
    })
}

/// The cache key of a pack directory as it is now (`None` if it cannot be listed, or holds
/// something other than regular files).
pub fn pack_key(dir: &Path) -> Option<Key> {
    let listing = list_dir(dir, &Budget::default()).ok()?;
    key_of(dir, &listing)
}

fn key_of(dir: &Path, listing: &Listing) -> Option<Key> {
    Some(Key {
        dir: fs::canonicalize(dir).ok()?.to_string_lossy().into_owned(),
        shown: listing.name.clone(),
        files: listing.stamps.clone()?,
    })
}

/// Read a pack directory, charging its entries and bytes to `budget`; fails when the pack
/// or the run would go over a limit.
pub fn read_dir_within(dir: &Path, budget: &mut Budget) -> Result<RawPack, Diagnostic> {
    let Listing {
        name,
        manifest_path,
        paths,
        ..
    } = list_dir(dir, budget)?;
    // ... and charge what is really read, in case a file grew meanwhile.
    let mut pack_bytes = 0;
    let manifest = read_file(&manifest_path);
    charge(&name, &mut pack_bytes, budget, raw_len(&manifest))?;
    let mut entries = Vec::with_capacity(paths.len());
    for p in &paths {
        let f = read_file(p);
        charge(&name, &mut pack_bytes, budget, raw_len(&f))?;
        entries.push(f);
    }
    budget.entries += entries.len();
    Ok(RawPack { manifest, entries })
}

/// Packs with fewer entry files than this are parsed on one thread.
const PARALLEL_MIN_FILES: usize = 64;

/// One entry file read and parsed: its name, the bytes read, the entry (if it parsed) and
/// the diagnostics reading and parsing produced.
type ParsedFile = (String, u64, Option<Entry>, Vec<Diagnostic>);

fn read_parse_entry(path: &Path) -> ParsedFile {
    let f = read_file(path);
    let name = f.name.clone();
    let len = raw_len(&f);
    let mut diags = Vec::new();
    let entry = parse_file::<Entry>(f, &mut diags).map(|(_, e)| e);
    (name, len, entry, diags)
}

/// Read and parse entry files on up to `threads` threads, in order. Each file's bytes are
/// dropped as soon as it is parsed, so the pack's bytes are never all in memory at once.
fn read_parse_entries(paths: &[PathBuf], threads: usize) -> Vec<ParsedFile> {
    if threads <= 1 || paths.len() < PARALLEL_MIN_FILES {
        return paths.iter().map(|p| read_parse_entry(p)).collect();
    }
    let chunk = paths.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || part.iter().map(|p| read_parse_entry(p)).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Threads for parsing: the machine's cores, at most 4.
pub fn parse_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// Read and parse a pack directory, charging it to `budget`: what [`read_dir_within`] and
/// [`parse_pack`] do together, but file by file on [`parse_threads`] threads, and from
/// `cache` when it holds the parse of the pack's files as they are now. Problems go to
/// `diags`; an error that stops the whole pack (a limit, no manifest) is returned.
pub fn read_parse_dir(
    dir: &Path,
    budget: &mut Budget,
    cache: &Cache,
    diags: &mut Vec<Diagnostic>,
) -> Result<ParsedPack, Diagnostic> {
    let listing = list_dir(dir, budget)?;
    let key = key_of(dir, &listing);
    if let Some(key) = &key
        && let Some(hit) = cache.get(key)
        && hit.entries.len() == listing.paths.len()
    {
        // The stamps match, so these are the sizes that would be read.
        let bytes = key.files.iter().map(|f| f.len).sum();
        charge(&listing.name, &mut 0, budget, bytes)?;
        budget.entries += hit.entries.len();
        return Ok(ParsedPack {
            manifest_file: hit.manifest_file,
            manifest: Some(hit.manifest),
            entries: hit.entries,
            incomplete: false,
            checked: hit.checked,
            to_cache: None,
        });
    }
    let mut pack_bytes = 0;
    let manifest = read_file(&listing.manifest_path);
    charge(&listing.name, &mut pack_bytes, budget, raw_len(&manifest))?;
    let manifest_file = manifest.name.clone();
    let first = diags.len();
    let manifest = parse_file::<Manifest>(manifest, diags).map(|(_, m)| m);
    let files = read_parse_entries(&listing.paths, parse_threads());
    let mut out = ParsedPack {
        manifest_file,
        manifest,
        entries: Vec::with_capacity(files.len()),
        ..Default::default()
    };
    for (name, len, entry, mut ds) in files {
        charge(&listing.name, &mut pack_bytes, budget, len)?;
        diags.append(&mut ds);
        match entry {
            Some(e) => out.entries.push((name, e)),
            None => out.incomplete = true,
        }
    }
    budget.entries += listing.paths.len();
    if let (Some(key), true, false, true) = (
        key,
        out.manifest.is_some(),
        out.incomplete,
        diags.len() == first,
    ) && cache.dir.is_some()
    {
        out.to_cache = Some(ToCache {
            key,
            paths: listing.paths,
        });
    }
    Ok(out)
}

/// Keep a validated pack in the cache: each entry checked when checking it found nothing
/// (and the run declared no source beyond the pack's own), else as parsed: as it still is
/// when checking it changed no text, or read and parsed again from its file.
pub(crate) fn store(
    cache: &Cache,
    to: &ToCache,
    manifest_file: &str,
    manifest: &Manifest,
    entries: &[(String, Entry)],
    outcomes: &[super::validate::Outcome],
    own_sources: bool,
) {
    use super::validate::Outcome;
    if entries.len() != to.paths.len() || outcomes.len() != entries.len() {
        return;
    }
    let mut again: Vec<Option<Entry>> = Vec::new();
    for (i, o) in outcomes.iter().enumerate() {
        if let Outcome::Noisy { changed: true } = o {
            let (_, _, e, ds) = read_parse_entry(&to.paths[i]);
            match e {
                Some(e) if ds.is_empty() => {
                    again.resize_with(i + 1, || None);
                    again[i] = Some(e);
                }
                _ => return,
            }
        }
    }
    let items: Vec<_> = entries
        .iter()
        .zip(outcomes)
        .enumerate()
        .map(|(i, ((file, e), o))| {
            let checked = own_sources && *o == Outcome::Quiet;
            let e = again.get(i).and_then(Option::as_ref).unwrap_or(e);
            (checked, file.as_str(), e)
        })
        .collect();
    cache.put(&to.key, manifest_file, manifest, &items);
}

fn raw_len(f: &RawFile) -> u64 {
    f.bytes.as_ref().map_or(0, |b| b.len() as u64)
}

fn read_file(path: &Path) -> RawFile {
    let name = display(path);
    let bytes = read_capped(path)
        .map_err(|(code, msg, help)| Diagnostic::error(code, name.clone(), msg).help(help));
    RawFile { name, bytes }
}

/// What a file that is not a regular file is, for a diagnostic.
fn file_kind(ft: fs::FileType) -> &'static str {
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

fn not_a_file(ft: fs::FileType) -> (&'static str, String, String) {
    let kind = file_kind(ft);
    let help = if ft.is_dir() {
        "rename or move the directory: every *.ron name in a pack must be a file"
    } else {
        "replace it with a regular file, or remove it: every *.ron name in a pack must be \
         a regular file (a symbolic link to one is fine)"
    };
    (
        "not-a-file",
        format!("expected a .ron file, found {kind}"),
        help.to_string(),
    )
}

/// Open a file for reading without ever blocking: a FIFO swapped in after the check would
/// otherwise wait for a writer forever.
fn open_nonblocking(path: &Path) -> std::io::Result<fs::File> {
    let mut opts = fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    opts.open(path)
}

fn read_capped(path: &Path) -> Result<Vec<u8>, (&'static str, String, String)> {
    let unreadable = |e: std::io::Error, help: &str| {
        (
            "unreadable",
            format!("cannot read file: {e}"),
            help.to_string(),
        )
    };
    // Follows symbolic links: a link to a regular file is read, a link to a FIFO is not.
    let meta = fs::metadata(path)
        .map_err(|e| unreadable(e, "check that the file exists and is readable"))?;
    if !meta.is_file() {
        return Err(not_a_file(meta.file_type()));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    let file = open_nonblocking(path).map_err(|e| unreadable(e, "check the file's permissions"))?;
    // The name may have been replaced between the check and the open: check what was opened.
    let meta = file
        .metadata()
        .map_err(|e| unreadable(e, "check the file's permissions"))?;
    if !meta.is_file() {
        return Err(not_a_file(meta.file_type()));
    }
    let mut buf = Vec::with_capacity(meta.len().min(MAX_FILE_BYTES) as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| unreadable(e, "check the file's permissions"))?;
    if buf.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(buf.len() as u64));
    }
    Ok(buf)
}

fn too_large(len: u64) -> (&'static str, String, String) {
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

/// Bytes → text: rejects invalid UTF-8 and NUL bytes with their position; strips a BOM
/// (with a warning pushed to `warnings`).
pub fn decode(
    name: &str,
    bytes: &[u8],
    warnings: &mut Vec<Diagnostic>,
) -> Result<String, Diagnostic> {
    let mut bytes = bytes;
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        bytes = rest;
        warnings.push(
            Diagnostic::warning(
                "byte-order-mark",
                name,
                "file starts with a UTF-8 byte-order mark (ignored)",
            )
            .help("save the file as UTF-8 without BOM"),
        );
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = e.valid_up_to();
            let prefix = String::from_utf8_lossy(&bytes[..good]).into_owned();
            let rest = String::from_utf8_lossy(&bytes[good..]).into_owned();
            let whole = format!("{prefix}{rest}");
            return Err(Diagnostic::error(
                "invalid-utf8",
                name,
                format!("invalid UTF-8 at byte {good}"),
            )
            .at_offset(&whole, good)
            .help("save the file as UTF-8"));
        }
    };
    if let Some(pos) = text.find('\0') {
        return Err(
            Diagnostic::error("nul-byte", name, "file contains a NUL byte")
                .at_offset(text, pos)
                .help("remove the NUL byte; a pack file is plain text"),
        );
    }
    Ok(text.to_string())
}

/// Parse RON text into `T`, turning ron's error into a diagnostic at its position.
pub fn parse<T: DeserializeOwned>(name: &str, text: &str) -> Result<T, Diagnostic> {
    let opts = ron::Options::default().with_recursion_limit(RECURSION_LIMIT);
    // Text is gathered into shared blocks (see content::text): one allocation per ~1 MB.
    super::text::arena_sized(text.len(), || opts.from_str::<T>(text)).map_err(|e| {
        let (code, help) = classify(&e.code);
        // ron's span can start on the whitespace before the offending token (e.g. after
        // `sample_size:`); point at the token itself, within the span.
        let end = byte_offset(text, e.span.end.line, e.span.end.col);
        let mut start = byte_offset(text, e.span.start.line, e.span.start.col).min(end);
        if e.code == ron::Error::ExpectedRawValue {
            start = value_start(text, start);
        }
        while let Some(c) = text[start..end]
            .chars()
            .next()
            .filter(|c| c.is_whitespace())
        {
            start += c.len_utf8();
        }
        let message = match &e.code {
            // A figure (content::figure) reads its literal as a raw value: one that is not a
            // number is reported by ron as no raw value.
            ron::Error::ExpectedRawValue => "expected a number".to_string(),
            c => c.to_string(),
        };
        Diagnostic::error(code, name, super::sanitize::clean(&message))
            .at_offset(text, start)
            .help(help)
    })
}

/// Where the value that ends before byte `end` starts: ron reports a figure that is not a
/// number (see `content::figure`) after the value, and the caret belongs on it. A string is
/// found by its opening quote; anything else runs back to the `:`, `,`, `(` or `[` before it.
fn value_start(text: &str, end: usize) -> usize {
    let before = text[..end].trim_end();
    let start = match before.strip_suffix('"') {
        Some(inner) => {
            let b = inner.as_bytes();
            (0..b.len())
                .rev()
                .find(|&i| b[i] == b'"' && (i == 0 || b[i - 1] != b'\\'))
                .unwrap_or(0)
        }
        None => before.rfind([':', ',', '(', '[']).map_or(0, |i| i + 1),
    };
    start + (text[start..end].len() - text[start..end].trim_start().len())
}

/// The byte offset of a 1-based line and (character) column, clamped to the text.
fn byte_offset(text: &str, line: usize, col: usize) -> usize {
    let mut off = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return off
                + l.char_indices()
                    .nth(col.saturating_sub(1))
                    .map_or(l.len(), |(b, _)| b);
        }
        off += l.len();
    }
    text.len()
}

fn classify(e: &ron::Error) -> (&'static str, &'static str) {
    use ron::Error as E;
    match e {
        E::NoSuchStructField { .. } => (
            "unknown-field",
            "remove the field or fix its spelling; docs/pack-format.md lists every field",
        ),
        E::MissingStructField { .. } => ("missing-field", "add the field; it is required"),
        E::DuplicateStructField { .. } => ("duplicate-field", "keep one of the two"),
        E::NoSuchEnumVariant { .. } => {
            ("unknown-variant", "use one of the values the message lists")
        }
        E::ExceededRecursionLimit => (
            "too-deep",
            "the file nests deeper than a pack ever needs; check for runaway brackets",
        ),
        E::InvalidValueForType { .. }
        | E::ExpectedString
        | E::ExpectedInteger
        | E::ExpectedFloat
        | E::ExpectedBoolean
        | E::ExpectedArray
        | E::ExpectedOption
        | E::ExpectedDifferentLength { .. }
        | E::IntegerOutOfBounds
        | E::ExpectedNamedStructLike(_)
        | E::ExpectedDifferentStructName { .. }
        | E::ExpectedRawValue => (
            "wrong-type",
            "give the field a value of the type docs/pack-format.md shows",
        ),
        _ => (
            "syntax",
            "fix the RON syntax at the caret (a missing comma, quote or bracket?)",
        ),
    }
}

/// Parse every file of a raw pack. Problems go to `diags`; what parsed is returned.
pub fn parse_pack(raw: RawPack, diags: &mut Vec<Diagnostic>) -> ParsedPack {
    let mut out = ParsedPack {
        manifest_file: raw.manifest.name.clone(),
        ..Default::default()
    };
    out.manifest = parse_file::<Manifest>(raw.manifest, diags).map(|(_, m)| m);
    let parse_all = |files: Vec<RawFile>| {
        let mut ds = Vec::new();
        let parsed: Vec<_> = files
            .into_iter()
            .map(|f| parse_file::<Entry>(f, &mut ds))
            .collect();
        (parsed, ds)
    };
    // The bundled pack (half a megabyte of RON) parses on two threads: it is on the path to
    // every first frame. Diagnostics keep file order.
    let bytes: u64 = raw.entries.iter().map(raw_len).sum();
    let threads = parse_threads();
    let parts = if threads > 1 && raw.entries.len() >= 16 && bytes >= PARALLEL_MIN_BYTES {
        let mut first = raw.entries;
        let second = first.split_off(first.len() / 2);
        std::thread::scope(|s| {
            let h = s.spawn(|| parse_all(second));
            let a = parse_all(first);
            vec![a, h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))]
        })
    } else {
        vec![parse_all(raw.entries)]
    };
    for (parsed, mut ds) in parts {
        diags.append(&mut ds);
        for p in parsed {
            match p {
                Some(pair) => out.entries.push(pair),
                None => out.incomplete = true,
            }
        }
    }
    out
}

/// Packs read whole ([`parse_pack`]) with fewer bytes than this parse on one thread.
const PARALLEL_MIN_BYTES: u64 = 128 * 1024;

fn parse_file<T: DeserializeOwned>(f: RawFile, diags: &mut Vec<Diagnostic>) -> Option<(String, T)> {
    let bytes = match f.bytes {
        Ok(b) => b,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let text = match decode(&f.name, &bytes, diags) {
        Ok(t) => t,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    match parse::<T>(&f.name, &text) {
        Ok(v) => Some((f.name, v)),
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

/// Separates the files of a pack in a fuzz input (ASCII record separator).
pub const FUZZ_FILE_SEPARATOR: u8 = 0x1E;

/// A pack directory from bytes, for fuzzing the loader without a filesystem: the input is
/// split at [`FUZZ_FILE_SEPARATOR`] into the manifest and entry files, which are parsed and
/// validated as `read_dir` would hand them over (a pack has at most a few dozen files here).
/// Checks what must hold for any input: no panic, every diagnostic says something, the
/// report renders, and a library that loads finds each of its entries by id. Returns
/// whether a library loaded.
pub fn fuzz_pack_bytes(data: &[u8]) -> bool {
    let mut parts = data.split(|&b| b == FUZZ_FILE_SEPARATOR);
    let manifest = RawFile {
        name: format!("fuzz/{MANIFEST}"),
        bytes: Ok(parts.next().unwrap_or_default().to_vec()),
    };
    let entries = parts
        .take(64)
        .enumerate()
        .map(|(i, b)| RawFile {
            name: format!("fuzz/e{i:02}.ron"),
            bytes: Ok(b.to_vec()),
        })
        .collect();
    let mut diags = Vec::new();
    let parsed = parse_pack(RawPack { manifest, entries }, &mut diags);
    let (library, report) =
        super::validate::validate(vec![parsed], super::Report { diagnostics: diags });
    for d in &report.diagnostics {
        assert!(
            !d.message.is_empty(),
            "a diagnostic without a message: {d:?}"
        );
    }
    let text = report.render();
    assert!(
        report.diagnostics.is_empty() || !text.is_empty(),
        "a report renders"
    );
    if let Some(lib) = library {
        assert!(!report.has_errors(), "a library loaded with errors");
        for e in &lib.entries {
            assert!(
                lib.entry(e.id.as_str()).is_some(),
                "entry {} not found",
                e.id
            );
        }
        return true;
    }
    false
}
