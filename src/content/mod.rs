//! The domain: packs, trials, findings, questions. No terminal code lives here.
//!
//! [`load_later_with`] is the one orchestrator: for each source, **read** ([`read`]: files, limits,
//! budgets) → the pack's **image** ([`image`], found by [`cache`]): opened, not loaded, its
//! unchanged files taken from it → **parse** ([`parse`]: RON with located diagnostics) what
//! the image does not hold → **validate** ([`validate`]: sanitize, check, resolve) what was
//! parsed, and what crosses files → **image write** for the packs that may be kept, left to
//! the caller ([`Library::take_pending_images`]): an image holds the search layer's records
//! too, so `crate::pack` writes it at once and the app after its first frame. Each step knows only the model
//! and the types below it; only this file knows the order, and how many threads each step
//! gets.
//!
//! A run whose packs all have images that hold them (or hold all but a few edited files of
//! its one pack) never decodes an entry to start: the library reads list rows from the
//! images and decodes entries when they are first asked for ([`library`]). Any other run
//! decodes the entries the images hold, parses the rest, and validates as a run without
//! images would, so what is reported never depends on an image.
//!
//! The app's warm start goes one step further ([`open_unverified`]): it trusts the images'
//! record of the entry files until its first frame is on screen, then compares the files'
//! stamps on another thread and loads again through [`load_later_with`] if one differs.

// A `Diagnostic` is large, but it is only built on the cold path of a broken pack.
#![allow(clippy::result_large_err)]

pub mod cache;
mod cachedir;
pub mod diag;
pub mod figure;
pub mod image;
pub mod library;
pub mod lookup;
mod map;
pub mod model;
pub mod parse;
pub mod read;
pub mod row;
pub mod sanitize;
pub mod stamp;
pub mod text;
pub mod validate;

pub use cache::Cache;
pub use diag::{Diagnostic, Report, Severity};
pub use figure::Figure;
pub use library::{Entries, Library};
pub use model::*;
pub use read::PackSource;
pub use row::{PackInfo, Row};
pub use text::Text;

use image::{Image, Item, Pending, StoredDiag};
use parse::ParsedPack;
use read::{Budget, Listing};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

/// Developers' start-up trace: with `TRIALDECK_TRACE=FILE`, each call appends a label and
/// the milliseconds since the first call to FILE (how PERFORMANCE.md splits a warm start).
#[doc(hidden)]
pub fn trace(label: &str) {
    use std::sync::OnceLock;
    static START: OnceLock<(std::time::Instant, Option<std::path::PathBuf>)> = OnceLock::new();
    let (t0, path) = START.get_or_init(|| {
        (
            std::time::Instant::now(),
            std::env::var_os("TRIALDECK_TRACE").map(Into::into),
        )
    });
    if let Some(p) = path {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
        {
            let _ = writeln!(f, "{:8.3} {label}", t0.elapsed().as_secs_f64() * 1e3);
        }
    }
}

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
/// Pack directories are parsed on the machine's cores, and large ones are opened from their
/// image in the cache [`Cache::from_env`] names (see [`cache`], [`image`]). Images to write
/// are left in the library ([`Library::take_pending_images`]): an image also holds each
/// entry's search records, which the search layer encodes, so the writer is above both
/// ([`crate::pack::load`] writes them at once, the app off its drawing thread once its first
/// frame is on screen).
pub fn load_later(sources: &[PackSource]) -> Result<Loaded, Report> {
    load_later_with(sources, &Cache::from_env())
}

/// [`load_later`] with the given cache.
pub fn load_later_with(sources: &[PackSource], cache: &Cache) -> Result<Loaded, Report> {
    let threads = threads();
    let mut diags = Vec::new();
    let mut got = Vec::new();
    let mut budget = Budget::default();
    for s in sources {
        match s {
            PackSource::Dir(dir) => match open_dir(dir, &mut budget, cache, threads, &mut diags) {
                Ok(g) => got.push(g),
                Err(d) => {
                    diags.push(d);
                    got.push(Got::Parsed(ParsedPack::unreadable(), None));
                }
            },
            PackSource::Bundled => match read::read_within(s, &mut budget) {
                Ok(raws) => {
                    for raw in raws {
                        got.push(Got::Parsed(
                            parse::parse_bundled(raw, threads, &mut diags),
                            None,
                        ));
                    }
                }
                Err(d) => {
                    diags.push(d);
                    got.push(Got::Parsed(ParsedPack::unreadable(), None));
                }
            },
        }
    }
    let sources_n = got.len();
    let mut lazy: Vec<&mut Lazy> = got
        .iter_mut()
        .filter_map(|g| match g {
            Got::Lazy(l) => Some(l),
            Got::Parsed(..) => None,
        })
        .collect();
    let mut checked = None;
    if diags.is_empty()
        && lazy.len() == sources_n
        && let Some(loaded) = open_lazily(&mut lazy, cache, &mut checked)
    {
        trace("library");
        if let Some(key) = checked {
            loaded.library.remember_distinct(cache.clone(), key);
        }
        return Ok(loaded);
    }
    drop(lazy);
    load_checked(got, threads, diags)
}

/// A pack directory's image, opened for [`open_unverified`] after one look at the manifest.
struct Unlooked {
    dir: std::path::PathBuf,
    canonical: std::path::PathBuf,
    image: Image,
    rows: Vec<Row>,
}

/// Open the image of one source for [`open_unverified`]: `None` unless it is a pack
/// directory whose image can be trusted before its entry files are looked at (its manifest
/// unchanged, no file too recent, within the limits of one pack).
fn open_unlooked(s: &PackSource, cache: &Cache) -> Option<Unlooked> {
    let PackSource::Dir(dir) = s else {
        return None;
    };
    let canonical = std::fs::canonicalize(dir).ok()?;
    let opened = cache.open(canonical.to_str()?)?;
    let image = opened.image;
    if image.len() > read::MAX_PACK_ENTRIES
        || !cache.wants_bytes(image.recorded_bytes())
        || image.recorded_racy()
    {
        return None;
    }
    let now = std::fs::metadata(dir.join(read::MANIFEST)).ok()?;
    if &stamp::Stamp::of(read::MANIFEST.to_string(), &now) != image.manifest_stamp() {
        return None;
    }
    Some(Unlooked {
        dir: dir.clone(),
        canonical,
        image,
        rows: opened.rows,
    })
}

/// The app's start when every source is a pack directory whose image holds all of it: the
/// library as the images recorded the packs, **before looking at their entry files** (one
/// look at each manifest), holding what to look at once the first frame is on screen
/// ([`Library::take_unverified`], [`Unverified::verify`]). At 10,000 files, looking at every file's stamp is most of a warm
/// start; an image whose files all kept their stamps is what every warm start finds, so the
/// app draws from it at once and looks afterwards. `None` when the images cannot be trusted
/// this far (no image, a manifest changed, a file too recent, a limit): load as usual.
pub fn open_unverified(sources: &[PackSource], cache: &Cache) -> Option<Loaded> {
    let mut packs = Vec::with_capacity(sources.len());
    let mut images = Vec::with_capacity(sources.len());
    let mut budget = Budget::default();
    // A few packs' images are opened side by side (their tables and rows read and
    // checked), one thread each: 50,000 trials in three packs drew 1.4 ms sooner.
    let opened: Vec<Option<Unlooked>> = if (2..=8).contains(&sources.len()) {
        std::thread::scope(|scope| {
            let handles: Vec<_> = sources
                .iter()
                .map(|s| scope.spawn(move || open_unlooked(s, cache)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().ok().flatten())
                .collect()
        })
    } else {
        sources.iter().map(|s| open_unlooked(s, cache)).collect()
    };
    for u in opened {
        let Unlooked {
            dir,
            canonical,
            image,
            rows,
        } = u?;
        // What the image recorded, read without its names (they are read once the first
        // frame is drawn, to compare with the directory: `Unverified::verify`).
        let (entries, bytes) = (image.len(), image.recorded_bytes());
        let name = read::display(&dir);
        read::check_run_entries(&name, &budget, entries).ok()?;
        read::charge(&name, &mut 0, &mut budget, bytes).ok()?;
        budget.entries += entries;
        let image = Arc::new(image);
        images.push(Arc::clone(&image));
        packs.push(Lazy {
            listing: Listing {
                name,
                canonical,
                manifest: read::Listed {
                    path: dir.join(read::MANIFEST),
                    link: false,
                    regular: true,
                },
                // Not listed: the image names the files (see `Lazy::entry_files`).
                entries: Vec::new(),
                metas: None,
            },
            path: std::path::PathBuf::new(),
            max_total_bytes: cache.max_total_bytes,
            key: None,
            order: (0..entries as u32).map(Place::Kept).collect(),
            rows,
            image,
            changed: Vec::new(),
            removed: false,
        });
    }
    trace("images opened, unverified");
    let mut lazy: Vec<&mut Lazy> = packs.iter_mut().collect();
    let mut distinct = None;
    let loaded = open_lazily(&mut lazy, cache, &mut distinct)?;
    trace("library");
    loaded.library.set_unverified(Unverified {
        sources: sources.to_vec(),
        images,
        cache: cache.clone(),
        distinct,
    });
    Some(loaded)
}

/// What a library opened by [`open_unverified`] has yet to look at: whether the pack
/// directories still hold the files their images recorded.
#[derive(Debug)]
pub struct Unverified {
    sources: Vec<PackSource>,
    /// One per source: the image the library was opened from.
    images: Vec<Arc<Image>>,
    cache: Cache,
    /// The packs were checked for ids used twice across them, and passed: remembered once
    /// their files are found unchanged ([`Cache::remember_distinct`]).
    distinct: Option<u64>,
}

/// What [`Unverified::verify`] found (sent once per run: its size does not matter).
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Verdict {
    /// Every file is as its image recorded it: the library stands.
    Fresh,
    /// Some file changed, came or went: the packs loaded again, as a run that had looked
    /// first would have loaded them (from the images for the files that did not change).
    Changed(Result<Loaded, Report>),
}

impl Unverified {
    /// Look at every file of the packs (off the drawing thread: at 10,000 files this takes
    /// tens of milliseconds) and load them again if any differs from its image.
    pub fn verify(self) -> Verdict {
        let same = self
            .sources
            .iter()
            .zip(&self.images)
            .all(|(s, image)| match s {
                PackSource::Dir(d) => image
                    .names()
                    .ok()
                    .and_then(|names| image.recorded_key(&names))
                    .is_some_and(|k| pack_key(d) == Some(k)),
                PackSource::Bundled => true,
            });
        if same {
            if let Some(key) = self.distinct {
                self.cache.remember_distinct(key);
            }
            Verdict::Fresh
        } else {
            Verdict::Changed(load_later_with(&self.sources, &self.cache))
        }
    }
}

/// Validate parsed packs into a library, on one thread (the loader checks on the machine's
/// cores). Returns the library only when there are no errors; the report always holds
/// every diagnostic (warnings included).
pub fn check_parsed(packs: Vec<ParsedPack>, report: Report) -> (Option<Library>, Report) {
    Library::from_checked(validate::check_packs(packs, report, 1), Vec::new())
}

/// The bundled packs, which are checked by the test suite and so always load.
pub fn load_bundled() -> Result<Loaded, Report> {
    load_later(&[PackSource::Bundled])
}

/// A pack directory as the orchestrator found it (one per source: their sizes matter little).
#[allow(clippy::large_enum_variant)]
enum Got {
    /// Read and parsed here, with what to write to its image once it is checked.
    Parsed(ParsedPack, Option<ToWrite>),
    /// Its image holds it (or all but the files parsed here).
    Lazy(Lazy),
}

/// What the orchestrator keeps of a pack read from its files (all or some), to write its
/// image once it is validated.
struct ToWrite {
    path: std::path::PathBuf,
    key: stamp::Key,
    /// The manifest as parsed.
    manifest: Manifest,
    /// One per entry: `Some(at)` when it is entry `at` of `base`, unchanged.
    kept: Vec<Option<u32>>,
    base: Option<Arc<Image>>,
    max_total_bytes: u64,
}

/// A pack whose image holds it, but for the files parsed here.
struct Lazy {
    listing: Listing,
    /// The directory as listed (`None`: opened before looking at it, see [`open_unverified`]).
    key: Option<stamp::Key>,
    image: Arc<Image>,
    /// The image's rows, one per entry it holds.
    rows: Vec<Row>,
    /// One per entry file: entry `at` of the image, or parsed entry `k` of `changed`.
    order: Vec<Place>,
    /// Entries parsed here (their files changed or are new), with their files' labels.
    changed: Vec<(String, Entry)>,
    /// The image holds entries whose files are gone.
    removed: bool,
    path: std::path::PathBuf,
    max_total_bytes: u64,
}

#[derive(Debug, Clone, Copy)]
enum Place {
    Kept(u32),
    Changed(usize),
}

/// The cache key of a pack directory as it is now (`None` if it cannot be listed, or holds
/// something other than regular files).
pub fn pack_key(dir: &Path) -> Option<stamp::Key> {
    key_of(&read::list_dir(dir, &Budget::default()).ok()?)
}

fn key_of(listing: &Listing) -> Option<stamp::Key> {
    let files = listing.metas.clone()?;
    Some(stamp::Key {
        dir: listing.canonical.to_string_lossy().into_owned(),
        files,
    })
}

/// List a pack directory, charging it to `budget`, and find what its image holds of it:
/// the pack as its image has it (and its changed files parsed), or read and parsed from its
/// files on `threads` threads. An error that stops the whole pack (a limit, no manifest) is
/// returned.
fn open_dir(
    dir: &Path,
    budget: &mut Budget,
    cache: &Cache,
    threads: usize,
    diags: &mut Vec<Diagnostic>,
) -> Result<Got, Diagnostic> {
    trace("list");
    let listing = read::list_dir(dir, budget)?;
    trace("listed");
    let key = key_of(&listing).filter(|k| cache.wants(k));
    let first = diags.len();
    if let Some(key) = &key
        && let Some(opened) = cache.open(&key.dir)
        && opened.image.manifest_stamp() == &key.files[0]
        && !stamp::racy(
            opened.image.manifest_stamp().mtime_ns,
            opened.image.written_ns(),
        )
        && let Ok(names) = opened.image.names()
    {
        trace("image opened");
        let image = opened.image;
        // The stamps say which files the image holds as they are now; the rest is parsed.
        let at: HashMap<&str, u32> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i as u32))
            .collect();
        let mut order = Vec::with_capacity(listing.entries.len());
        let mut parse = Vec::new();
        let mut kept = 0;
        for (i, stamp) in key.files[1..].iter().enumerate() {
            match at.get(stamp.name.as_str()) {
                Some(&k) if image.fresh(k as usize, stamp) => {
                    order.push(Place::Kept(k));
                    kept += 1;
                }
                _ => {
                    order.push(Place::Changed(parse.len()));
                    parse.push(listing.entries[i].clone());
                }
            }
        }
        read::charge(&listing.name, &mut 0, budget, key.total_bytes())?;
        budget.entries += listing.entries.len();
        let files = read_parse_listed(&parse, &listing.canonical, threads);
        let mut changed = Vec::with_capacity(files.len());
        let mut incomplete = false;
        for f in files {
            diags.extend(f.diags);
            match f.entry {
                Some(e) => changed.push((f.name, e)),
                None => incomplete = true,
            }
        }
        let lazy = Lazy {
            removed: kept < image.len(),
            path: cache.path_for(key).unwrap_or_default(),
            max_total_bytes: cache.max_total_bytes,
            listing,
            key: Some(key.clone()),
            image: Arc::new(image),
            rows: opened.rows,
            order,
            changed,
        };
        trace("stamps compared");
        if diags.len() == first && !incomplete {
            return Ok(Got::Lazy(lazy));
        }
        // A file that does not read or parse: checked as a run without images would be.
        let (mut pack, _) = lazy.into_parsed(diags);
        pack.incomplete = true;
        return Ok(Got::Parsed(pack, None));
    }
    let mut pack_bytes = 0;
    let manifest = read::read_file(&listing.manifest, &listing.canonical);
    read::charge(&listing.name, &mut pack_bytes, budget, manifest.len())?;
    let manifest_file = manifest.name.clone();
    let manifest = parse::parse_file::<Manifest>(manifest, diags).map(|(_, m)| m);
    let files = read_parse_listed(&listing.entries, &listing.canonical, threads);
    let mut out = ParsedPack {
        manifest_file,
        manifest,
        entries: Vec::with_capacity(files.len()),
        ..Default::default()
    };
    for f in files {
        read::charge(&listing.name, &mut pack_bytes, budget, f.len)?;
        diags.extend(f.diags);
        match f.entry {
            Some(e) => out.entries.push((f.name, e)),
            None => out.incomplete = true,
        }
    }
    budget.entries += listing.entries.len();
    let writable = out.manifest.is_some() && !out.incomplete && diags.len() == first;
    let write = key.filter(|_| writable).and_then(|key| {
        Some(ToWrite {
            path: cache.path_for(&key)?,
            manifest: out.manifest.clone()?,
            kept: vec![None; out.entries.len()],
            key,
            base: None,
            max_total_bytes: cache.max_total_bytes,
        })
    });
    Ok(Got::Parsed(out, write))
}

impl Lazy {
    /// The pack as a run without images would check it: the entries the image holds
    /// decoded (and marked checked, with what checking them reported), the files parsed
    /// here as they are; and what to write to its image once checked.
    fn into_parsed(self, diags: &mut Vec<Diagnostic>) -> (ParsedPack, Option<ToWrite>) {
        let files = self.entry_files();
        let Lazy {
            listing,
            key,
            image,
            order,
            changed,
            path,
            max_total_bytes,
            ..
        } = self;
        let stored: HashMap<u32, Vec<StoredDiag>> = image
            .diags()
            .map(|d| d.into_iter().collect())
            .unwrap_or_default();
        let mut changed: Vec<Option<(String, Entry)>> = changed.into_iter().map(Some).collect();
        let mut entries = Vec::with_capacity(order.len());
        let mut checked = Vec::with_capacity(order.len());
        let mut kept = Vec::with_capacity(order.len());
        let mut incomplete = false;
        for (i, p) in order.iter().enumerate() {
            match *p {
                Place::Kept(at) => {
                    let Some(file) = files.get(i) else {
                        incomplete = true;
                        continue;
                    };
                    let label = read::display(&file.path);
                    match image.entry(at) {
                        Ok(e) => {
                            let d = stored
                                .get(&at)
                                .map(|ds| ds.iter().map(|d| d.restore(&label)).collect())
                                .unwrap_or_default();
                            entries.push((label, e));
                            checked.push(Some(d));
                            kept.push(Some(at));
                        }
                        // Its bytes fail their checks: read from its file instead.
                        Err(_) => {
                            let mut ds = Vec::new();
                            let f = read::read_file(file, &listing.canonical);
                            match parse::parse_file::<Entry>(f, &mut ds) {
                                Some(pair) if ds.is_empty() => {
                                    entries.push(pair);
                                    checked.push(None);
                                    kept.push(None);
                                }
                                _ => {
                                    diags.append(&mut ds);
                                    incomplete = true;
                                }
                            }
                        }
                    }
                }
                Place::Changed(k) => {
                    if let Some(pair) = changed.get_mut(k).and_then(Option::take) {
                        entries.push(pair);
                        checked.push(None);
                        kept.push(None);
                    }
                }
            }
        }
        let pack = ParsedPack {
            manifest_file: listing.manifest_name(),
            manifest: Some(image.manifest().clone()),
            entries,
            incomplete,
            checked,
        };
        let write = key.map(|key| ToWrite {
            path,
            manifest: image.manifest().clone(),
            key,
            kept,
            base: Some(image),
            max_total_bytes,
        });
        (pack, write)
    }

    /// The entry files, one per place of `order`: as listed, or (opened before looking at
    /// the directory) as the image names them ([`image_files`]).
    fn entry_files(&self) -> Vec<read::Listed> {
        if !self.listing.entries.is_empty() {
            return self.listing.entries.clone();
        }
        image_files(self.dir(), &self.image)
            .into_iter()
            .map(|path| read::Listed {
                path,
                link: false,
                regular: true,
            })
            .collect()
    }

    /// The pack directory, as the command line named it.
    fn dir(&self) -> &Path {
        self.listing.manifest.path.parent().unwrap_or(Path::new(""))
    }
}

/// The entry files of a pack opened before its directory was looked at, in the image's
/// order: as the image names them, or, if it cannot (an image that failed its checks is why
/// an entry is read from its file), as the directory lists them now. An entry read from one
/// is checked against its row.
pub(crate) fn image_files(dir: &Path, image: &Image) -> Vec<std::path::PathBuf> {
    match image.names() {
        Ok(names) => names.iter().map(|n| dir.join(n)).collect(),
        Err(_) => read::list_dir(dir, &Budget::default())
            .map(|l| l.entries.into_iter().map(|f| f.path).collect())
            .unwrap_or_default(),
    }
}

/// A run whose packs all come from their images: opened without decoding an entry, when
/// what checking them would report can be known without it. That is when the images hold
/// every file as it is (and, with several packs, no id is used by two of them), or when one
/// pack is loaded and the few files parsed here pass their checks and change no link. Any
/// other run is `None`: it is checked in full ([`load_checked`]).
fn open_lazily(
    packs: &mut [&mut Lazy],
    cache: &Cache,
    checked: &mut Option<u64>,
) -> Option<Loaded> {
    if !packs.iter().all(|p| p.image.self_contained()) {
        return None;
    }
    let edited = packs.iter().any(|p| !p.changed.is_empty() || p.removed);
    if edited && packs.len() > 1 {
        return None;
    }
    // Manifests: checked again (they are small, and their warnings name this run's path).
    let mut report = Report::default();
    let mut manifests = Vec::with_capacity(packs.len());
    let mut pack_ids = HashSet::new();
    for p in packs.iter() {
        let mut m = p.image.manifest().clone();
        let ds = validate::check_manifest_alone(&p.listing.manifest_name(), &mut m);
        if ds.iter().any(Diagnostic::is_error) || !pack_ids.insert(m.id.clone()) {
            return None;
        }
        report.diagnostics.extend(ds);
        manifests.push(m);
    }
    let sources: HashSet<String> = manifests
        .iter()
        .flat_map(|m| m.sources.iter().map(|s| s.id.clone()))
        .collect();
    // Files parsed here: their per-entry checks, against this run's sources.
    let mut fresh: Vec<Vec<(Entry, Vec<Diagnostic>)>> = Vec::with_capacity(packs.len());
    for p in packs.iter() {
        let mut out = Vec::with_capacity(p.changed.len());
        for (file, e) in &p.changed {
            let mut e = e.clone();
            let ds = validate::check_one(file, &mut e, Some(&sources));
            if ds.iter().any(Diagnostic::is_error) {
                return None;
            }
            out.push((e, ds));
        }
        fresh.push(out);
    }
    // Across entries.
    if edited {
        if !links_hold(packs[0], &fresh[0])? {
            return None;
        }
    } else if packs.len() > 1 {
        // Checked once per set of images: a run that passed is remembered (by the app, once
        // it has found the files unchanged), and a run of the same images trusts that.
        let key = across_key(packs);
        if !cache.knows_distinct(key) {
            if !distinct_across(packs)? {
                return None;
            }
            *checked = Some(key);
        }
    }
    for ((p, m), fresh) in packs.iter().zip(&manifests).zip(&fresh) {
        if let Some(id) = &m.landmark {
            let kept = p.order.iter().any(|place| match *place {
                Place::Kept(at) => p.rows.get(at as usize).is_some_and(|r| r.id == id.as_str()),
                Place::Changed(_) => false,
            });
            if !kept && !fresh.iter().any(|(e, _)| e.id == id.as_str()) {
                return None;
            }
        }
    }
    // The library: rows from the images, entries decoded when asked for; the report as a
    // run without images gives it.
    let mut entries = library::Entries::default();
    // One pack's rows move in as they are; several are gathered into room made once.
    if packs.len() > 1 {
        entries.reserve(packs.iter().map(|p| p.order.len()).sum());
    }
    let mut infos = Vec::with_capacity(packs.len());
    let mut pending = Vec::new();
    let mut entry_diags = Vec::new();
    let mut images = Vec::with_capacity(packs.len());
    for ((p, m), fresh) in packs.iter_mut().zip(manifests).zip(fresh) {
        let stored = p.image.diags().ok()?;
        let img = entries.add_image(Arc::clone(&p.image));
        images.push((img, entries.len()));
        let first = entries.len();
        // Every entry as the image holds it, in its order (every warm start that finds no
        // file changed): the rows move into the library as they are.
        let whole = p.changed.is_empty()
            && p.order.len() == p.rows.len()
            && p.order
                .iter()
                .enumerate()
                .all(|(i, place)| matches!(*place, Place::Kept(at) if at as usize == i));
        if whole {
            if !stored.is_empty() {
                let files = p.entry_files();
                for (at, ds) in &stored {
                    let label = files.get(*at as usize).map(|f| read::display(&f.path))?;
                    entry_diags.extend(ds.iter().map(|d| d.restore(&label)));
                }
            }
            let rows = std::mem::take(&mut p.rows);
            infos.push(PackInfo {
                manifest: m,
                entries: rows.iter().map(|r| r.id.clone()).collect(),
            });
            entries.push_image_rows(img, rows);
            continue;
        }
        let stored: HashMap<u32, &Vec<StoredDiag>> = stored.iter().map(|(i, d)| (*i, d)).collect();
        let mut fresh: Vec<Option<(Entry, Vec<Diagnostic>)>> =
            fresh.into_iter().map(Some).collect();
        let mut items = Vec::with_capacity(p.order.len());
        let mut ids = Vec::with_capacity(p.order.len());
        // Read only when an entry has warnings to name its file with.
        let files = std::cell::OnceCell::new();
        for (i, place) in p.order.iter().enumerate() {
            match *place {
                Place::Kept(at) => {
                    let row = p.rows.get(at as usize)?.clone();
                    ids.push(row.id.clone());
                    if let Some(ds) = stored.get(&at) {
                        let files: &Vec<read::Listed> = files.get_or_init(|| p.entry_files());
                        let label = files.get(i).map(|f| read::display(&f.path))?;
                        entry_diags.extend(ds.iter().map(|d| d.restore(&label)));
                    }
                    entries.push_image_entry(img, row, at);
                    items.push(Item::Keep { at });
                }
                Place::Changed(k) => {
                    let (e, ds) = fresh.get_mut(k)?.take()?;
                    ids.push(e.id.clone());
                    items.push(Item::New {
                        entry: first + i,
                        diags: ds.iter().filter_map(StoredDiag::of).collect(),
                    });
                    entry_diags.extend(ds);
                    entries.push(e);
                }
            }
        }
        if edited
            && !p.path.as_os_str().is_empty()
            && let Some(key) = &p.key
        {
            pending.push(Pending {
                path: p.path.clone(),
                max_total_bytes: p.max_total_bytes,
                key: key.clone(),
                manifest: p.image.manifest().clone(),
                items,
                self_contained: true,
                base: Some(Arc::clone(&p.image)),
                unchecked: false,
            });
        }
        infos.push(PackInfo {
            manifest: m,
            entries: ids,
        });
    }
    report.diagnostics.extend(entry_diags);
    // Nothing can fail from here: the entry files are kept (not copied) for reading an
    // entry whose image bytes fail their checks.
    for (p, (img, first)) in packs.iter_mut().zip(images) {
        // Opened before looking at the directory: the image names the files, read if an
        // entry ever has to be read from its file.
        let named = p
            .listing
            .entries
            .is_empty()
            .then(|| (p.dir().to_path_buf(), Arc::clone(&p.image)));
        entries.set_fallback(
            img,
            library::Fallback {
                dir: p.listing.canonical.clone(),
                sources: sources.clone(),
                paths: std::mem::take(&mut p.listing.entries)
                    .into_iter()
                    .map(|l| l.path)
                    .collect(),
                first,
                named,
                found: Default::default(),
            },
        );
    }
    Some(Loaded {
        library: Library::assemble(infos, entries, pending),
        report,
    })
}

/// One pack with some files parsed here: every entry and question id is still used once,
/// and every related link still leads to another entry of the pack. `None` if the image's
/// cross-reference part fails its checks.
fn links_hold(p: &Lazy, fresh: &[(Entry, Vec<Diagnostic>)]) -> Option<bool> {
    let refs = p.image.refs().ok()?;
    let mut ids: HashSet<&str> = HashSet::with_capacity(p.order.len());
    let mut questions: HashSet<&str> = HashSet::new();
    let mut links: Vec<(&str, &str)> = Vec::new();
    for place in &p.order {
        let (id, qs, rel): (&str, Vec<&str>, Vec<&str>) = match *place {
            Place::Kept(at) => {
                let r = refs.get(at as usize)?;
                (
                    p.rows.get(at as usize)?.id.as_str(),
                    r.questions.iter().map(String::as_str).collect(),
                    r.related.iter().map(String::as_str).collect(),
                )
            }
            Place::Changed(k) => {
                let e = &fresh.get(k)?.0;
                (
                    e.id.as_str(),
                    e.questions.iter().map(|q| q.id.as_str()).collect(),
                    e.related.iter().map(|r| r.to.as_str()).collect(),
                )
            }
        };
        if !ids.insert(id) {
            return Some(false);
        }
        for q in qs {
            if !questions.insert(q) {
                return Some(false);
            }
        }
        links.extend(rel.into_iter().map(|to| (id, to)));
    }
    Some(
        links
            .iter()
            .all(|(from, to)| from != to && ids.contains(to)),
    )
}

/// What names a run of pack images for [`Cache::knows_distinct`]: their headers (each
/// vouches for its image's every part), in any order.
fn across_key(packs: &[&mut Lazy]) -> u64 {
    let mut headers: Vec<&[u8]> = packs.iter().map(|p| &p.image.header()[..]).collect();
    headers.sort();
    image::bytes_hash(&headers.concat())
}

/// Several packs, each as its image holds it: no entry id, and no question id, is used by
/// two of them (hashes first; equal hashes send the run to the full check, which names
/// them). `None` if an image's parts fail their checks.
fn distinct_across(packs: &[&mut Lazy]) -> Option<bool> {
    let mut ids = Vec::with_capacity(packs.len());
    let mut questions = Vec::with_capacity(packs.len());
    for p in packs {
        let mut hashes: Vec<u64> = p.rows.iter().map(|r| image::id_hash(&r.id)).collect();
        hashes.sort_unstable();
        ids.push(hashes);
        // Stored sorted (sorted again should an image not hold them so).
        let mut hashes = p.image.question_hashes().ok()?;
        if !hashes.is_sorted() {
            hashes.sort_unstable();
        }
        questions.push(hashes);
    }
    Some(!shared_across(ids) && !shared_across(questions))
}

/// Whether some hash is in two of these lists (each sorted; a list may repeat its own),
/// merging them two by two: half a million question hashes cost a few passes over them,
/// not a sort.
fn shared_across(mut lists: Vec<Vec<u64>>) -> bool {
    while lists.len() > 1 {
        let mut next = Vec::with_capacity(lists.len().div_ceil(2));
        let mut it = lists.into_iter();
        while let Some(a) = it.next() {
            match it.next() {
                None => next.push(a),
                Some(b) => match merge_apart(&a, &b) {
                    Some(m) => next.push(m),
                    None => return true,
                },
            }
        }
        lists = next;
    }
    false
}

/// Two sorted lists merged, or `None` if they share a value.
fn merge_apart(a: &[u64], b: &[u64]) -> Option<Vec<u64>> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => return None,
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    Some(out)
}

/// The run checked in full: packs read from their files, and those whose images held them
/// decoded; then every check, and images written for the packs that may be kept.
fn load_checked(
    got: Vec<Got>,
    threads: usize,
    mut diags: Vec<Diagnostic>,
) -> Result<Loaded, Report> {
    let mut parsed = Vec::with_capacity(got.len());
    let mut writes = Vec::with_capacity(got.len());
    for g in got {
        let (p, w) = match g {
            Got::Parsed(p, w) => (p, w),
            Got::Lazy(l) => l.into_parsed(&mut diags),
        };
        parsed.push(p);
        writes.push(w);
    }
    let sizes: Vec<usize> = parsed.iter().map(|p| p.entries.len()).collect();
    let checked = validate::check_packs(parsed, Report { diagnostics: diags }, threads);
    let mut pending = Vec::new();
    if !checked.report.has_errors() {
        let mut at = 0;
        for (i, (n, w)) in sizes.into_iter().zip(writes).enumerate() {
            if let Some(w) = w
                && checked.own_sources.get(i).copied().unwrap_or(false)
                && w.kept.iter().any(Option::is_none)
            {
                pending.push(pending_of(w, &checked, at, n));
            }
            at += n;
        }
    }
    match Library::from_checked(checked, pending) {
        (Some(library), report) => Ok(Loaded { library, report }),
        (None, report) => Err(report),
    }
}

/// The image to write of a checked pack whose entries are `at..at + n` of the run.
fn pending_of(w: ToWrite, checked: &validate::Checked, at: usize, n: usize) -> Pending {
    let entries = &checked.entries[at..at + n];
    let ids: HashSet<&str> = entries.iter().map(|(_, e)| e.id.as_str()).collect();
    let self_contained = entries
        .iter()
        .all(|(_, e)| e.related.iter().all(|r| ids.contains(r.to.as_str())));
    let items = w
        .kept
        .iter()
        .enumerate()
        .map(|(i, k)| match k {
            Some(at) => Item::Keep { at: *at },
            None => Item::New {
                entry: at + i,
                diags: checked.entry_diags[at + i]
                    .iter()
                    .filter_map(StoredDiag::of)
                    .collect(),
            },
        })
        .collect();
    Pending {
        path: w.path,
        max_total_bytes: w.max_total_bytes,
        key: w.key,
        manifest: w.manifest,
        items,
        self_contained,
        base: w.base,
        unchecked: false,
    }
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
}

/// Read and parse entry files of the pack whose canonical directory is `inside`, on up to
/// `threads` threads, in order. Each file's bytes are dropped as soon as it is parsed, so
/// the pack's bytes are never all in memory at once.
fn read_parse_listed(files: &[read::Listed], inside: &Path, threads: usize) -> Vec<ParsedFile> {
    let one = |f: &read::Listed| {
        let raw = read::read_file(f, inside);
        let name = raw.name.clone();
        let len = raw.len();
        let mut diags = Vec::new();
        let entry = parse::parse_file::<Entry>(raw, &mut diags).map(|(_, e)| e);
        ParsedFile {
            name,
            len,
            entry,
            diags,
        }
    };
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

#[cfg(test)]
mod tests {
    use super::shared_across;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_hash_is_shared_across_lists_exactly_when_two_lists_hold_it(
            lists in proptest::collection::vec(proptest::collection::vec(0u64..40, 0..12), 0..7)
        ) {
            let naive = lists.iter().enumerate().any(|(i, a)| {
                lists.iter().skip(i + 1).any(|b| a.iter().any(|x| b.contains(x)))
            });
            let sorted = lists
                .iter()
                .map(|l| {
                    let mut l = l.clone();
                    l.sort_unstable();
                    l
                })
                .collect();
            prop_assert_eq!(shared_across(sorted), naive);
        }
    }
}
