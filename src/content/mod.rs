//! The domain: packs, trials, findings, questions. No terminal code lives here.
//!
//! [`load()`] is the one orchestrator: for each source, **read** ([`read`]: files, limits,
//! budgets) → a **cache** hit ([`cache`]) or **parse** ([`parse`]: RON with located
//! diagnostics) → **validate** ([`validate`]: sanitize, check, resolve) → **cache put** for the
//! packs that may be kept. Each step knows only the model and the types below it; only this
//! file knows the order, and how many threads each step gets.

// A `Diagnostic` is large, but it is only built on the cold path of a broken pack.
#![allow(clippy::result_large_err)]

pub mod cache;
pub mod diag;
pub mod figure;
pub mod lookup;
pub mod model;
pub mod parse;
pub mod read;
pub mod sanitize;
pub mod text;
pub mod validate;

pub use cache::Cache;
pub use diag::{Diagnostic, Report, Severity};
pub use figure::Figure;
pub use model::*;
pub use read::PackSource;
pub use text::Text;

use parse::ParsedPack;
use read::{Budget, Listing};
use std::path::Path;

/// A library that validated, with the warnings it produced.
#[derive(Debug)]
pub struct Loaded {
    pub library: Library,
    pub report: Report,
}

/// Threads for reading, parsing, checking and decoding: the machine's cores, at most 4.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// Load and validate every source. On any error, the report lists them all. All sources
/// share one budget (see the limits in [`read`]): a run over it fails with a clear error.
///
/// Pack directories are parsed on the machine's cores, and large ones are kept in the cache
/// [`Cache::from_env`] names (see [`cache`]), checked where checking found nothing.
pub fn load(sources: &[PackSource]) -> Result<Loaded, Report> {
    load_with(sources, &Cache::from_env())
}

/// What the orchestrator keeps of a pack read from its files, to put it in the cache once it
/// is validated.
struct ToCache {
    key: cache::Key,
    /// One per entry: the entry as parsed, when its text is not clean (validation sanitizes
    /// it in place, and an unchecked entry is stored as parsed so that the next load reports
    /// the same). Kept here so the files are never read again to fill the cache.
    as_parsed: Vec<Option<Entry>>,
}

/// [`load()`] with the given cache ([`Cache::off`] for none).
pub fn load_with(sources: &[PackSource], cache: &Cache) -> Result<Loaded, Report> {
    let threads = threads();
    let mut diags = Vec::new();
    let mut parsed = Vec::new();
    let mut to_cache: Vec<Option<ToCache>> = Vec::new();
    let mut budget = Budget::default();
    for s in sources {
        match s {
            PackSource::Dir(dir) => match load_dir(dir, &mut budget, cache, threads, &mut diags) {
                Ok((p, keep)) => {
                    parsed.push(p);
                    to_cache.push(keep);
                }
                Err(d) => {
                    diags.push(d);
                    parsed.push(ParsedPack::unreadable());
                    to_cache.push(None);
                }
            },
            PackSource::Bundled => match read::read_within(s, &mut budget) {
                Ok(raws) => {
                    for raw in raws {
                        parsed.push(parse::parse_bundled(raw, threads, &mut diags));
                        to_cache.push(None);
                    }
                }
                Err(d) => {
                    diags.push(d);
                    parsed.push(ParsedPack::unreadable());
                    to_cache.push(None);
                }
            },
        }
    }
    // What the cache needs once the packs are validated: each pack's entry count, and the
    // manifest as parsed for those to write.
    let shapes: Vec<_> = parsed
        .iter()
        .zip(&to_cache)
        .map(|(p, keep)| (p.entries.len(), keep.as_ref().and(p.manifest.clone())))
        .collect();
    let checked = validate::check_packs(parsed, Report { diagnostics: diags }, threads);
    let mut at = 0;
    for (i, (n, manifest)) in shapes.into_iter().enumerate() {
        if let (Some(keep), Some(manifest)) = (&to_cache[i], manifest) {
            put(
                cache,
                keep,
                &manifest,
                &checked.entries[at..at + n],
                &checked.outcomes[at..at + n],
                checked.own_sources[i],
            );
        }
        at += n;
    }
    match checked.finish() {
        (Some(library), report) => Ok(Loaded { library, report }),
        (None, report) => Err(report),
    }
}

/// The bundled packs, which are checked by the test suite and so always load.
pub fn load_bundled() -> Result<Loaded, Report> {
    load(&[PackSource::Bundled])
}

/// The cache key of a pack directory as it is now (`None` if it cannot be listed, or holds
/// something other than regular files).
pub fn pack_key(dir: &Path) -> Option<cache::Key> {
    key_of(&read::list_dir(dir, &Budget::default()).ok()?)
}

fn key_of(listing: &Listing) -> Option<cache::Key> {
    let files = listing
        .metas
        .as_ref()?
        .iter()
        .map(|(name, meta)| cache::Stamp::of(name.clone(), meta))
        .collect();
    Some(cache::Key {
        dir: listing.canonical.to_string_lossy().into_owned(),
        files,
    })
}

/// Read a pack directory, charging it to `budget`: from `cache` when it holds the pack's
/// files as they are now, else read and parsed file by file on `threads` threads. Problems
/// go to `diags`; an error that stops the whole pack (a limit, no manifest) is returned.
/// With the pack comes what to keep to cache it, when it may be cached.
fn load_dir(
    dir: &Path,
    budget: &mut Budget,
    cache: &Cache,
    threads: usize,
    diags: &mut Vec<Diagnostic>,
) -> Result<(ParsedPack, Option<ToCache>), Diagnostic> {
    let listing = read::list_dir(dir, budget)?;
    let key = key_of(&listing).filter(|k| cache.wants(k));
    if let Some(key) = &key
        && let Some(hit) = cache.get(key, threads)
        && hit.entries.len() == listing.entries.len()
    {
        // The stamps match, so these are the sizes that would be read.
        read::charge(&listing.name, &mut 0, budget, key.total_bytes())?;
        budget.entries += hit.entries.len();
        // The cache stores no file names: the pack is named as this run names it.
        return Ok((
            ParsedPack {
                manifest_file: listing.manifest_name(),
                manifest: Some(hit.manifest),
                entries: listing.entry_names().zip(hit.entries).collect(),
                incomplete: false,
                checked: hit.checked,
            },
            None,
        ));
    }
    let mut pack_bytes = 0;
    let manifest = read::read_file(&listing.manifest, &listing.canonical);
    read::charge(&listing.name, &mut pack_bytes, budget, manifest.len())?;
    let manifest_file = manifest.name.clone();
    let first = diags.len();
    let manifest = parse::parse_file::<Manifest>(manifest, diags).map(|(_, m)| m);
    let files = read_parse_entries(&listing, threads, key.is_some());
    let mut out = ParsedPack {
        manifest_file,
        manifest,
        entries: Vec::with_capacity(files.len()),
        ..Default::default()
    };
    let mut as_parsed = Vec::with_capacity(if key.is_some() { files.len() } else { 0 });
    for f in files {
        read::charge(&listing.name, &mut pack_bytes, budget, f.len)?;
        diags.extend(f.diags);
        match f.entry {
            Some(e) => out.entries.push((f.name, e)),
            None => out.incomplete = true,
        }
        if key.is_some() {
            as_parsed.push(f.as_parsed);
        }
    }
    budget.entries += listing.entries.len();
    let cacheable = out.manifest.is_some() && !out.incomplete && diags.len() == first;
    let keep = key
        .filter(|_| cacheable)
        .map(|key| ToCache { key, as_parsed });
    Ok((out, keep))
}

/// Packs with fewer entry files than this are read and parsed on one thread.
const PARALLEL_MIN_FILES: usize = 64;

/// One entry file read and parsed.
struct ParsedFile {
    name: String,
    /// Bytes read.
    len: u64,
    entry: Option<Entry>,
    /// What reading and parsing it reported.
    diags: Vec<Diagnostic>,
    /// A copy of the entry as parsed when its text is not clean (only when asked for).
    as_parsed: Option<Entry>,
}

/// Read and parse the entry files of a listing on up to `threads` threads, in order. Each
/// file's bytes are dropped as soon as it is parsed, so the pack's bytes are never all in
/// memory at once. With `keep_unclean`, an entry whose text validation will rewrite is also
/// kept as parsed (see [`ToCache::as_parsed`]).
fn read_parse_entries(listing: &Listing, threads: usize, keep_unclean: bool) -> Vec<ParsedFile> {
    let one = |f: &read::Listed| {
        let raw = read::read_file(f, &listing.canonical);
        let name = raw.name.clone();
        let len = raw.len();
        let mut diags = Vec::new();
        let entry = parse::parse_file::<Entry>(raw, &mut diags).map(|(_, e)| e);
        let as_parsed = entry
            .as_ref()
            .filter(|e| keep_unclean && !sanitize::all_clean(e))
            .cloned();
        ParsedFile {
            name,
            len,
            entry,
            diags,
            as_parsed,
        }
    };
    let files = &listing.entries;
    if threads <= 1 || files.len() < PARALLEL_MIN_FILES {
        return files.iter().map(one).collect();
    }
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(one).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Keep a validated pack in the cache: each entry checked when checking it found nothing
/// (and the run declared no source beyond the pack's own), else as parsed: as it still is
/// when checking it changed no text, or the copy kept before validation rewrote it.
fn put(
    cache: &Cache,
    keep: &ToCache,
    manifest: &Manifest,
    entries: &[(String, Entry)],
    outcomes: &[validate::Outcome],
    own_sources: bool,
) {
    use validate::Outcome;
    if entries.len() != keep.as_parsed.len() || outcomes.len() != entries.len() {
        return;
    }
    let mut items = Vec::with_capacity(entries.len());
    for (((_, e), o), as_parsed) in entries.iter().zip(outcomes).zip(&keep.as_parsed) {
        let entry = match (o, as_parsed) {
            (Outcome::Noisy { changed: true }, Some(p)) => p,
            // Rewritten, and no copy as parsed: never store the rewritten text unchecked.
            (Outcome::Noisy { changed: true }, None) => return,
            _ => e,
        };
        items.push((own_sources && *o == Outcome::Quiet, entry));
    }
    cache.put(&keep.key, manifest, &items);
}
