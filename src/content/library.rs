//! [`Library`]: the validated packs the app reads, with their entries decoded when they are
//! first asked for.
//!
//! A library is built in memory (from parsed packs, or [`Library::new`]) or opened over pack
//! images ([`super::image`]): then only the list rows ([`Row`]: what the trial list, its sort
//! and the header need) are read at start, and each entry is decoded from its image the first
//! time it is shown, searched or quizzed ([`Entries::get`], or `lib.entries[i]`), once. Both
//! kinds read the same way: `lib.entries[i]` is an [`Entry`], `lib.entries.iter()` walks them
//! all (decoding what is not decoded yet), and `lib.entries.row(i)` reads a row without
//! decoding anything.

use super::diag::Report;
use super::image::{self, Image};
use super::model::{Entry, Source};
pub use super::row::{PackInfo, Row};
use super::text::Text;
use super::validate::Checked;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

/// A validated set of packs: entries in load order, with lookups by id.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Library {
    pub packs: Vec<PackInfo>,
    pub entries: Entries,
    /// Images to write for packs read from their files this run: written once the app has
    /// drawn its first frame ([`Library::take_pending_images`]), or at once by `crate::pack::load`.
    #[serde(skip)]
    pending: Arc<Mutex<Vec<image::Pending>>>,
    /// Opened from images without looking at the pack's files yet: what to look at once the
    /// first frame is drawn ([`Library::take_unverified`]).
    #[serde(skip)]
    unverified: Arc<Mutex<Option<super::Unverified>>>,
    /// A run of several packs checked for ids used twice across them, to remember with the
    /// images ([`super::Cache::remember_distinct`]).
    #[serde(skip)]
    distinct: Arc<Mutex<Option<(super::Cache, u64)>>>,
}

/// How to read an image's entries from their files, should their bytes fail their checks.
#[derive(Debug, Default)]
pub(crate) struct Fallback {
    /// The pack's canonical directory.
    pub dir: std::path::PathBuf,
    /// The run's sources (entries are checked against them).
    pub sources: HashSet<String>,
    /// The entry files, by the entries' place in the library from `first` on.
    pub paths: Vec<std::path::PathBuf>,
    pub first: usize,
    /// When `paths` is empty (the pack was opened before its directory was looked at): the
    /// directory and the image that names its files.
    pub named: Option<(std::path::PathBuf, Arc<Image>)>,
    /// The files `named` gives, found the first time one is needed.
    pub found: OnceLock<Vec<std::path::PathBuf>>,
}

impl Fallback {
    /// The file of the image's `k`th entry.
    fn path(&self, k: usize) -> Option<std::path::PathBuf> {
        let Some((dir, image)) = &self.named else {
            return self.paths.get(k).cloned();
        };
        self.found
            .get_or_init(|| super::image_files(dir, image))
            .get(k)
            .cloned()
    }
}

/// Where an entry not yet decoded comes from.
#[derive(Debug, Clone, Copy)]
struct From {
    /// Index into [`Entries::images`].
    image: u32,
    /// The entry's place in that image.
    at: u32,
}

/// The entries of a library, each decoded once, when first asked for (see the module docs).
#[derive(Clone, Default)]
pub struct Entries {
    rows: Vec<Row>,
    slots: Vec<OnceLock<Box<Entry>>>,
    /// One per entry when some come from images (empty when all are in memory).
    from: Vec<Option<From>>,
    images: Vec<Arc<Image>>,
    /// Per image: its pack's canonical directory and the run's sources.
    fallback: Vec<Arc<Fallback>>,
    by_id: OnceLock<HashMap<Text, usize>>,
}

impl Entries {
    /// Entries held in memory.
    pub fn from_vec(entries: Vec<Entry>) -> Entries {
        let rows = entries.iter().map(Row::of).collect();
        let slots = entries
            .into_iter()
            .map(|e| OnceLock::from(Box::new(e)))
            .collect();
        Entries {
            rows,
            slots,
            ..Default::default()
        }
    }

    /// Add an image entries will come from. Returns its number for
    /// [`Self::push_image_entry`] and [`Self::set_fallback`].
    pub(crate) fn add_image(&mut self, image: Arc<Image>) -> u32 {
        self.images.push(image);
        self.fallback.push(Arc::default());
        (self.images.len() - 1) as u32
    }

    /// How to read image `image`'s entries from their files.
    pub(crate) fn set_fallback(&mut self, image: u32, f: Fallback) {
        if let Some(slot) = self.fallback.get_mut(image as usize) {
            *slot = Arc::new(f);
        }
    }

    /// Add entry `at` of image `image` (its row read from the image), decoded when asked for.
    pub(crate) fn push_image_entry(&mut self, image: u32, row: Row, at: u32) {
        if self.from.len() < self.slots.len() {
            self.from.resize(self.slots.len(), None);
        }
        self.from.push(Some(From { image, at }));
        self.slots.push(OnceLock::new());
        self.rows.push(row);
        self.by_id = OnceLock::new();
    }

    /// Add every entry of image `image`, in its order, with its rows (read from the image),
    /// decoded when asked for.
    pub(crate) fn push_image_rows(&mut self, image: u32, rows: Vec<Row>) {
        if self.from.len() < self.slots.len() {
            self.from.resize(self.slots.len(), None);
        }
        let n = rows.len();
        self.from
            .extend((0..n as u32).map(|at| Some(From { image, at })));
        self.slots.resize_with(self.slots.len() + n, OnceLock::new);
        if self.rows.is_empty() && self.rows.capacity() < n {
            self.rows = rows;
        } else {
            self.rows.extend(rows);
        }
        self.by_id = OnceLock::new();
    }

    /// Make room for `n` more entries.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.rows.reserve(n);
        self.slots.reserve(n);
        self.from.reserve(n);
    }

    /// Add an entry held in memory.
    pub fn push(&mut self, e: Entry) {
        self.rows.push(Row::of(&e));
        self.slots.push(OnceLock::from(Box::new(e)));
        if !self.from.is_empty() {
            self.from.push(None);
        }
        self.by_id = OnceLock::new();
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The list row of entry `i` (nothing is decoded).
    pub fn row(&self, i: usize) -> &Row {
        &self.rows[i]
    }

    /// Every entry's list row.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// Entry `i`, decoded now if it is not yet.
    pub fn get(&self, i: usize) -> Option<&Entry> {
        let slot = self.slots.get(i)?;
        Some(slot.get_or_init(|| Box::new(self.decode(i))))
    }

    pub fn get_mut(&mut self, i: usize) -> Option<&mut Entry> {
        self.get(i)?;
        self.by_id = OnceLock::new();
        self.slots.get_mut(i)?.get_mut().map(|b| &mut **b)
    }

    /// Whether entry `i` is decoded (or was never encoded): for tests and measuring.
    pub fn is_decoded(&self, i: usize) -> bool {
        self.slots.get(i).is_some_and(|s| s.get().is_some())
    }

    /// How many entries are decoded (for tests and measuring).
    pub fn decoded(&self) -> usize {
        self.slots.iter().filter(|s| s.get().is_some()).count()
    }

    /// Entries in order (each decoded as it is reached).
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            entries: self,
            range: 0..self.len(),
        }
    }

    /// Where entry `i` comes from, if it is read from an image.
    fn source(&self, i: usize) -> Option<(&Image, u32)> {
        let f = (*self.from.get(i)?)?;
        Some((&self.images[f.image as usize], f.at))
    }

    /// Decode entry `i` from its image. An entry whose bytes no longer pass their checks
    /// (the image was changed on disk after it was opened) is never shown from them: it
    /// reads as a notice, from its row.
    fn decode(&self, i: usize) -> Entry {
        let Some((image, at)) = self.source(i) else {
            // In memory entries are set when made: unreachable, but never a panic.
            return unreadable(&self.rows[i]);
        };
        match image.entry(at) {
            Ok(e) => e,
            Err(_) => {
                image.lose();
                self.read_from_file(i)
                    .unwrap_or_else(|| unreadable(&self.rows[i]))
            }
        }
    }

    /// Entry `i` read from its file and checked (as validation checks it), for an entry
    /// whose image bytes failed their checks: `None` if that fails too.
    fn read_from_file(&self, i: usize) -> Option<Entry> {
        let f = (*self.from.get(i)?)?;
        let fb = &**self.fallback.get(f.image as usize)?;
        let listed = super::read::Listed {
            path: fb.path(i.checked_sub(fb.first)?)?,
            link: false,
            regular: true,
        };
        let (dir, sources) = (&fb.dir, &fb.sources);
        let raw = super::read::read_file(&listed, dir);
        let mut diags = Vec::new();
        let (file, mut e) = super::parse::parse_file::<Entry>(raw, &mut diags)?;
        let ds = super::validate::check_one(&file, &mut e, Some(sources));
        (diags.is_empty() && !ds.iter().any(|d| d.is_error()) && e.id == self.rows[i].id)
            .then_some(e)
    }

    /// The image bytes of entry `i`'s search records (see [`crate::search`]), checked: `None`
    /// when the entry is in memory, or its image's bytes failed their checks.
    pub fn search_fragment(&self, i: usize, out: &mut Vec<u8>) -> Option<()> {
        let (image, at) = self.source(i)?;
        image.fragment(at, out).ok()
    }

    /// Long text of entry `i` as its image holds it: `len` bytes at `offset` of the entry's
    /// encoding, copied into `out` (the image is never read in place: see
    /// [`super::image`]). `None` when the entry is not in an image or its bytes fail their
    /// checks.
    pub fn image_text<'b>(
        &self,
        i: usize,
        offset: u32,
        len: u32,
        out: &'b mut Vec<u8>,
    ) -> Option<&'b str> {
        let (image, at) = self.source(i)?;
        image.text(at, offset, len, out)
    }

    fn ids(&self) -> &HashMap<Text, usize> {
        self.by_id.get_or_init(|| {
            self.rows
                .iter()
                .enumerate()
                .map(|(i, r)| (r.id.clone(), i))
                .collect()
        })
    }

    /// Every entry, decoded on up to `threads` threads (for commands that read them all).
    pub fn decode_all(&self, threads: usize) {
        let todo: Vec<usize> = (0..self.len()).filter(|&i| !self.is_decoded(i)).collect();
        if todo.is_empty() {
            return;
        }
        let threads = threads.clamp(1, 8);
        if threads == 1 || todo.len() < 64 {
            for i in todo {
                self.get(i);
            }
            return;
        }
        let next = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&i) = todo.get(k) else { break };
                        self.get(i);
                    }
                });
            }
        });
    }
}

/// What an entry whose image bytes failed their checks shows: its name, and what to do.
fn unreadable(row: &Row) -> Entry {
    Entry {
        id: row.id.clone(),
        kind: row.kind,
        name: row.name.clone(),
        title: Text::from("This entry could not be read"),
        year: row.year,
        journal: None,
        authors: vec![],
        registry: vec![],
        status: super::model::Status::Reported,
        design: None,
        bottom_line: Text::from(
            "Its pack image changed on disk while trialdeck was running. Quit and start \
             again: the pack is read from its files.",
        ),
        significance: Text::default(),
        context: Text::default(),
        later_evidence: None,
        findings: vec![],
        safety: vec![],
        limitations: vec![],
        related: vec![],
        discrepancies: vec![],
        questions: vec![],
        tags: vec![],
    }
}

impl std::fmt::Debug for Entries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for Entries {
    fn eq(&self, other: &Entries) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Serialize for Entries {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl std::ops::Index<usize> for Entries {
    type Output = Entry;
    fn index(&self, i: usize) -> &Entry {
        match self.get(i) {
            Some(e) => e,
            None => panic!("entry {i} of {}", self.len()),
        }
    }
}

impl std::ops::IndexMut<usize> for Entries {
    fn index_mut(&mut self, i: usize) -> &mut Entry {
        let n = self.len();
        match self.get_mut(i) {
            Some(e) => e,
            None => panic!("entry {i} of {n}"),
        }
    }
}

/// The entries of a library in order.
#[derive(Clone)]
pub struct Iter<'a> {
    entries: &'a Entries,
    range: std::ops::Range<usize>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a Entry;
    fn next(&mut self) -> Option<&'a Entry> {
        let i = self.range.next()?;
        self.entries.get(i)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.range.size_hint()
    }
    fn nth(&mut self, n: usize) -> Option<&'a Entry> {
        let i = self.range.nth(n)?;
        self.entries.get(i)
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let i = self.range.next_back()?;
        self.entries.get(i)
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Entries {
    type Item = &'a Entry;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl std::convert::From<Entries> for Vec<Entry> {
    fn from(e: Entries) -> Vec<Entry> {
        e.into_iter().collect()
    }
}

impl std::convert::From<Vec<Entry>> for Entries {
    fn from(v: Vec<Entry>) -> Entries {
        Entries::from_vec(v)
    }
}

impl IntoIterator for Entries {
    type Item = Entry;
    type IntoIter = std::vec::IntoIter<Entry>;
    fn into_iter(self) -> Self::IntoIter {
        let mut out = Vec::with_capacity(self.len());
        for i in 0..self.len() {
            self.get(i);
        }
        for slot in self.slots {
            if let Some(e) = slot.into_inner() {
                out.push(*e);
            }
        }
        out.into_iter()
    }
}

impl Extend<Entry> for Entries {
    fn extend<I: IntoIterator<Item = Entry>>(&mut self, iter: I) {
        for e in iter {
            self.push(e);
        }
    }
}

impl Library {
    pub fn new(packs: Vec<PackInfo>, entries: impl Into<Vec<Entry>>) -> Self {
        Library {
            packs,
            entries: Entries::from_vec(entries.into()),
            pending: Default::default(),
            unverified: Default::default(),
            distinct: Default::default(),
        }
    }

    /// A library of `entries` (some read from images), with images to write later.
    pub(crate) fn assemble(
        packs: Vec<PackInfo>,
        entries: Entries,
        pending: Vec<image::Pending>,
    ) -> Self {
        Library {
            packs,
            entries,
            pending: Arc::new(Mutex::new(pending)),
            unverified: Default::default(),
            distinct: Default::default(),
        }
    }

    /// The library of packs after every check, when there is no error, with the images
    /// to write once it exists; the report always holds every diagnostic.
    pub(crate) fn from_checked(
        checked: Checked,
        pending: Vec<image::Pending>,
    ) -> (Option<Library>, Report) {
        if checked.report.has_errors() {
            return (None, checked.report);
        }
        let entries: Vec<Entry> = checked.entries.into_iter().map(|(_, e)| e).collect();
        (
            Some(Library::assemble(
                checked.infos,
                Entries::from_vec(entries),
                pending,
            )),
            checked.report,
        )
    }

    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.index_of(id).and_then(|i| self.entries.get(i))
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.entries.ids().get(id).copied()
    }

    pub fn question_count(&self) -> usize {
        self.entries.rows.iter().map(|r| r.questions as usize).sum()
    }

    /// The entry the app opens on: the first pack's landmark, if it names one.
    pub fn landmark(&self) -> Option<usize> {
        let id = self
            .packs
            .iter()
            .find_map(|p| p.manifest.landmark.as_deref())?;
        // A scan of the rows: the id map is built only when something looks ids up.
        self.entries.rows.iter().position(|r| r.id == id)
    }

    /// The source with this id, from whichever pack declares it.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.packs
            .iter()
            .flat_map(|p| p.manifest.sources.iter())
            .find(|s| s.id == id)
    }

    /// The images this run has yet to write (taken once: the caller writes them, see
    /// [`image::Pending::write`]).
    pub fn take_pending_images(&self) -> Vec<image::Pending> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// What this library has yet to look at, if it was opened from images before looking at
    /// its files ([`super::open_unverified`]); taken once, by whoever verifies it.
    pub fn take_unverified(&self) -> Option<super::Unverified> {
        self.unverified
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    pub(super) fn set_unverified(&self, u: super::Unverified) {
        *self.unverified.lock().unwrap_or_else(|p| p.into_inner()) = Some(u);
    }

    /// Write the images this run has yet to write, now, on this thread, with each entry's
    /// search records as `records` encodes them.
    pub fn write_pending_images(&self, records: image::Records) {
        for p in self.take_pending_images() {
            self.write_image(p, records);
        }
        self.write_memo();
    }

    /// Remember, with the images, that this run's packs use no id twice across them (once
    /// [`Self::write_memo`] is called).
    pub(super) fn remember_distinct(&self, cache: super::Cache, key: u64) {
        *self.distinct.lock().unwrap_or_else(|p| p.into_inner()) = Some((cache, key));
    }

    /// Whether [`Self::write_memo`] has something to write.
    pub fn has_memo(&self) -> bool {
        self.distinct
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    /// Write what [`Self::remember_distinct`] noted (taken once).
    pub fn write_memo(&self) {
        let memo = self
            .distinct
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some((cache, key)) = memo {
            cache.remember_distinct(key);
        }
    }

    /// Write one image this run had yet to write (see [`Self::take_pending_images`]).
    pub fn write_image(&self, p: image::Pending, records: image::Records) {
        p.write(&|i| self.entries.get(i), records);
    }

    /// Whether an image this library reads from failed its checks after it was opened.
    pub fn image_lost(&self) -> bool {
        self.entries.images.iter().any(|i| i.is_lost())
    }
}
