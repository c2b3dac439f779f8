//! Pack images: a checked pack directory kept so that it is opened, not loaded.
//!
//! One file per pack directory (in the cache directory, see [`super::cache`]) holds, for
//! each entry, its bytes (postcard, as the validator left it) followed by its search records
//! (see [`crate::search`]), and for the pack its list rows, the stamps of its files, the ids
//! that cross-pack checks need, and the warnings checking it gave. Opening it reads the
//! header, the root and the table (a few dozen bytes per entry) and the list rows; each
//! entry is decoded when it is first shown, searched or quizzed, and search reads long text
//! from the entries' bytes without decoding them.
//!
//! # Layout (integers little-endian)
//!
//! ```text
//! header [64] | entry 0 bytes, entry 0 search records | entry 1 … | table | names | rows |
//! refs | question-id hashes | warnings | root
//! ```
//!
//! The header: magic (16 bytes), format (`u32`), fingerprint (`u32`), the root's offset,
//! length (`u64`s) and CRC-32, the file's length when the header was written, and the
//! header's own CRC-32 (last 4 bytes). The root (postcard) names the pack directory, the
//! manifest as parsed and where every other part is, each with its length and CRC-32. The
//! table has one fixed record per entry: its file's stamp (size, modification and change
//! times, inode, device), where its bytes are, and the lengths and CRC-32s of its bytes and
//! of its search records.
//!
//! # What is checked, and when
//!
//! - Opening: the file is a regular file; the magic, format and fingerprint (the source of
//!   the model, reader, parser, validator, sanitizer, this format and the search index's
//!   records) are this build's; the header's CRC; the root's and the table's, names' and
//!   rows' CRCs; every part lies inside the file. The rows' text must be clean (no control
//!   characters or escape sequences). Anything else is a miss: the pack is read from its
//!   files.
//! - Then every file's stamp is compared with the directory as it is now ([`super::load_later_with`]):
//!   files whose stamps differ, new files, and files modified within [`super::stamp::RACY_NS`]
//!   of the image's writing are read and checked again; the others come from the image.
//! - Decoding an entry: its bytes are copied out, their CRC checked, decoded within their
//!   length, and every string proven clean ([`super::sanitize::all_clean`]): text was
//!   scanned when the image was written and is scanned again here, so the image is never
//!   trusted with the terminal's safety. Search records are checked by their own CRC when
//!   the search index is assembled, and an entry's long text is searched only once its
//!   bytes passed their CRC.
//!
//! Bytes are never read in place: see [`super::map`].
//!
//! # Writing
//!
//! A new image is written whole through the one atomic writer ([`crate::fsutil`]). After
//! an edit, only the parts that changed are written: the new entries' bytes, then a new
//! table, rows, … and root are appended past the end of the file, and the header is
//! rewritten last to point at the new root. Readers that opened the image before keep
//! reading what they mapped (appending never changes a byte they read). When the bytes no
//! root refers to outweigh those it does, the image is written anew.

use super::diag::{Diagnostic, Location};
use super::map::Map;
use super::model::{Entry, EntryKind, Manifest};
use super::row::Row;
use super::stamp::{Key, Stamp, racy};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

/// First bytes of every image.
pub const MAGIC: &[u8; 16] = b"trialdeck-image\n";
/// Bumped whenever the layout or an encoding of an image changes (4: the first image; 3
/// and before were the loaded cache).
pub const FORMAT: u32 = 5;
/// Where the fingerprint is (tests change it to play an older build).
pub const FINGERPRINT_AT: usize = 20;
const HEADER: usize = 64;
/// Bytes of one table record.
const REC: usize = 64;
/// Largest root accepted (it holds the manifest and the part table: small).
const MAX_ROOT: u64 = 16 * 1024 * 1024;
/// Most entries an image holds (a pack may hold fewer, see [`super::read`]).
const MAX_ENTRIES: u64 = 1 << 20;

/// The source of what gives an image its meaning, and the crate version: a change to any of
/// them makes old images stale.
pub fn fingerprint() -> u32 {
    let mut h = crc32fast::Hasher::new();
    for src in [
        include_str!("model.rs"),
        include_str!("library.rs"),
        include_str!("figure.rs"),
        include_str!("text.rs"),
        include_str!("read.rs"),
        include_str!("parse.rs"),
        include_str!("validate.rs"),
        include_str!("sanitize.rs"),
        include_str!("diag.rs"),
        include_str!("cache.rs"),
        include_str!("image.rs"),
        include_str!("../search/index.rs"),
        include_str!("../search/stored.rs"),
        include_str!("../format.rs"),
    ] {
        h.update(src.as_bytes());
    }
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(&FORMAT.to_le_bytes());
    h.finalize()
}

fn invalid(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_string())
}

/// Where a part is: offset, length, CRC-32 of its bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Span {
    at: u64,
    len: u64,
    crc: u32,
}

/// The root of an image (postcard).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Root {
    written_ns: u64,
    /// The pack directory's canonical path.
    dir: String,
    /// The manifest's stamp and the manifest as parsed (checked again at every open: it is
    /// small, and its warnings name this run's path).
    manifest_stamp: Stamp,
    manifest: Manifest,
    entries: u64,
    table: Span,
    names: Span,
    rows: Span,
    refs: Span,
    qhashes: Span,
    diags: Span,
    /// Every related link of the pack leads to one of its own entries, and every entry was
    /// checked against the pack's own sources only: what checking found holds in any run.
    self_contained: bool,
    /// Bytes the root refers to (the rest of the file is left from earlier roots).
    live: u64,
}

/// One entry's table record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rec {
    pub len: u64,
    pub mtime_ns: u64,
    pub ctime_ns: u64,
    pub ino: u64,
    pub dev: u64,
    at: u64,
    bytes: u32,
    bytes_crc: u32,
    frag: u32,
    frag_crc: u32,
}

impl Rec {
    fn read(b: &[u8]) -> Rec {
        let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or_default());
        let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap_or_default());
        Rec {
            len: u64_at(0),
            mtime_ns: u64_at(8),
            ctime_ns: u64_at(16),
            ino: u64_at(24),
            dev: u64_at(32),
            at: u64_at(40),
            bytes: u32_at(48),
            bytes_crc: u32_at(52),
            frag: u32_at(56),
            frag_crc: u32_at(60),
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        for v in [
            self.len,
            self.mtime_ns,
            self.ctime_ns,
            self.ino,
            self.dev,
            self.at,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [self.bytes, self.bytes_crc, self.frag, self.frag_crc] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }

    /// Whether the file's stamp is `s`'s.
    pub fn stamped(&self, s: &Stamp) -> bool {
        (self.len, self.mtime_ns, self.ctime_ns, self.ino, self.dev)
            == (s.len, s.mtime_ns, s.ctime_ns, s.ino, s.dev)
    }

    fn end(&self) -> u64 {
        self.at + u64::from(self.bytes) + u64::from(self.frag)
    }
}

/// A warning (or error) checking an entry gave, kept to be reported again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredDiag {
    error: bool,
    code: String,
    path: Option<String>,
    message: String,
    help: String,
}

impl StoredDiag {
    pub fn of(d: &Diagnostic) -> Option<StoredDiag> {
        let path = match &d.location {
            Location::File => None,
            Location::Path { path } => Some(path.clone()),
            // Checks of parsed entries never point into a file's text.
            Location::Position { .. } => return None,
        };
        Some(StoredDiag {
            error: d.is_error(),
            code: d.code.to_string(),
            path,
            message: d.message.clone(),
            help: d.help.clone(),
        })
    }

    /// The diagnostic, naming `file` as this run names it.
    pub fn restore(&self, file: &str) -> Diagnostic {
        let code = static_code(&self.code);
        let d = if self.error {
            Diagnostic::error(code, file, self.message.clone())
        } else {
            Diagnostic::warning(code, file, self.message.clone())
        };
        let d = d.help(self.help.clone());
        match &self.path {
            Some(p) => d.at_path(p.clone()),
            None => d,
        }
    }
}

/// A diagnostic code as the `&'static str` a [`Diagnostic`] holds: each distinct code is
/// kept once for the life of the process (there are a few dozen).
fn static_code(code: &str) -> &'static str {
    use std::sync::Mutex;
    static CODES: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut codes = CODES.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(c) = codes.iter().find(|c| **c == code) {
        return c;
    }
    let c: &'static str = Box::leak(code.to_string().into_boxed_str());
    codes.push(c);
    c
}

/// What cross-entry checks need of an entry: its question ids and related links.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Refs {
    pub questions: Vec<String>,
    pub related: Vec<String>,
}

impl Refs {
    pub fn of(e: &Entry) -> Refs {
        Refs {
            questions: e.questions.iter().map(|q| q.id.to_string()).collect(),
            related: e.related.iter().map(|r| r.to.to_string()).collect(),
        }
    }
}

/// A 64-bit hash of an id (FNV-1a) for the cross-pack duplicate check: equal hashes are only
/// a reason to compare the ids, so a collision costs time, never a wrong answer.
pub(crate) fn id_hash(id: &str) -> u64 {
    bytes_hash(id.as_bytes())
}

/// FNV-1a over bytes (see [`id_hash`]).
pub(crate) fn bytes_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// An opened image (see the module docs for what opening checked).
pub struct Image {
    map: Map,
    root: Root,
    /// The header as read (an append checks the file still has it).
    header: [u8; HEADER],
    /// The table as read: one [`REC`]-byte record per entry.
    table: Vec<u8>,
    recorded_bytes: u64,
    recorded_racy: bool,
    /// Per entry: its bytes' CRC not checked yet (0), passed (1), failed (2); for searching
    /// its long text without decoding it.
    checked: Vec<AtomicU8>,
    lost: AtomicBool,
    path: PathBuf,
    #[cfg(unix)]
    id: (u64, u64),
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Image({} entries of {})", self.len(), self.root.dir)
    }
}

/// The checks of [`Image::open`] that read the rows: their text, as read.
pub(crate) struct Opened {
    pub image: Image,
    pub rows: Vec<Row>,
}

impl Image {
    /// Open and check an image (see the module docs). Never blocks: a FIFO in its place is a
    /// miss, not a hang.
    pub fn open(path: &Path) -> io::Result<Image> {
        let file = crate::fsutil::open_nonblocking(path)?;
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(invalid("not a file"));
        }
        let size = meta.len();
        if size < HEADER as u64 {
            return Err(invalid("short"));
        }
        let map = Map::new(&file, size)?;
        let mut buf = Vec::new();
        map.copy(0, HEADER, &mut buf)?;
        let mut header = [0u8; HEADER];
        header.copy_from_slice(&buf);
        let u32_at = |i: usize| u32::from_le_bytes(header[i..i + 4].try_into().unwrap_or_default());
        let u64_at = |i: usize| u64::from_le_bytes(header[i..i + 8].try_into().unwrap_or_default());
        if &header[..16] != MAGIC || u32_at(16) != FORMAT || u32_at(FINGERPRINT_AT) != fingerprint()
        {
            return Err(invalid("stale"));
        }
        if crc32fast::hash(&header[..60]) != u32_at(60) {
            return Err(invalid("header checksum"));
        }
        let (root_at, root_len, root_crc, written_len) =
            (u64_at(24), u64_at(32), u32_at(40), u64_at(48));
        if written_len > size
            || root_len > MAX_ROOT
            || root_at
                .checked_add(root_len)
                .is_none_or(|e| e > written_len)
        {
            return Err(invalid("length"));
        }
        map.copy(root_at, root_len as usize, &mut buf)?;
        if crc32fast::hash(&buf) != root_crc {
            return Err(invalid("root checksum"));
        }
        let root: Root = match postcard::take_from_bytes(&buf) {
            Ok((r, [])) => r,
            _ => return Err(invalid("root")),
        };
        if root.entries > MAX_ENTRIES || root.table.len != root.entries * REC as u64 {
            return Err(invalid("table length"));
        }
        let image_len = written_len;
        let within = |s: &Span| s.at.checked_add(s.len).is_some_and(|e| e <= image_len);
        let spans = [
            root.table,
            root.names,
            root.rows,
            root.refs,
            root.qhashes,
            root.diags,
        ];
        if !spans.iter().all(within) {
            return Err(invalid("length"));
        }
        read_span(&map, root.table, &mut buf)?;
        // The table is kept as read (a record is read from it when asked for), and looked
        // through once here.
        let table = buf;
        let (mut bytes, mut racy_file) = (root.manifest_stamp.len, false);
        for r in table.chunks_exact(REC).map(Rec::read) {
            if r.at < HEADER as u64 || r.end() > image_len {
                return Err(invalid("length"));
            }
            bytes = bytes.saturating_add(r.len);
            racy_file |= racy(r.mtime_ns, root.written_ns);
        }
        let recorded_racy = racy_file || racy(root.manifest_stamp.mtime_ns, root.written_ns);
        let checked = (0..table.len() / REC).map(|_| AtomicU8::new(0)).collect();
        #[cfg(unix)]
        let id = {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino())
        };
        Ok(Image {
            map,
            root,
            header,
            table,
            recorded_bytes: bytes,
            recorded_racy,
            checked,
            lost: AtomicBool::new(false),
            path: path.to_path_buf(),
            #[cfg(unix)]
            id,
        })
    }

    /// Open and check an image, and read its list rows (checked and proven clean).
    pub(crate) fn open_with_rows(path: &Path) -> io::Result<Opened> {
        let image = Image::open(path)?;
        let rows = image.rows()?;
        Ok(Opened { image, rows })
    }

    pub fn len(&self) -> usize {
        self.table.len() / REC
    }

    /// Every entry's record, in order.
    fn recs(&self) -> impl Iterator<Item = Rec> + '_ {
        self.table.chunks_exact(REC).map(Rec::read)
    }

    /// The header as opened: its format, fingerprint, and the CRC and place of the root,
    /// which vouches for every part. Two opens with the same header read the same image.
    pub(crate) fn header(&self) -> &[u8; HEADER] {
        &self.header
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    pub fn dir(&self) -> &str {
        &self.root.dir
    }

    pub fn written_ns(&self) -> u64 {
        self.root.written_ns
    }

    pub fn manifest_stamp(&self) -> &Stamp {
        &self.root.manifest_stamp
    }

    /// The manifest as parsed when the image was written.
    pub fn manifest(&self) -> &Manifest {
        &self.root.manifest
    }

    pub fn self_contained(&self) -> bool {
        self.root.self_contained
    }

    /// Whether the file of entry `i` is as stamped now, and not so recent that a second
    /// edit could hide behind its stamp (see [`racy`]).
    pub fn fresh(&self, i: usize, now: &Stamp) -> bool {
        self.rec(i as u32)
            .is_ok_and(|r| r.stamped(now) && !racy(r.mtime_ns, self.root.written_ns))
    }

    /// The bytes of the pack's files as the image recorded them (manifest included): what
    /// [`Key::total_bytes`] of [`Self::recorded_key`] gives, without reading the names.
    pub fn recorded_bytes(&self) -> u64 {
        self.recorded_bytes
    }

    /// Whether some file the image recorded was modified so close to its writing that the
    /// image cannot vouch for it ([`Key::is_racy`] of [`Self::recorded_key`], without
    /// reading the names).
    pub fn recorded_racy(&self) -> bool {
        self.recorded_racy
    }

    /// The key the image was written for, as it recorded it: its directory, the manifest's
    /// stamp, then each entry file's (`names` are [`Self::names`]). What the app trusts for
    /// its first frame until it has looked at the files (see [`super::open_unverified`]).
    pub fn recorded_key(&self, names: &[String]) -> Option<Key> {
        if names.len() != self.len() {
            return None;
        }
        let mut files = Vec::with_capacity(names.len() + 1);
        files.push(self.root.manifest_stamp.clone());
        files.extend(names.iter().zip(self.recs()).map(|(name, r)| Stamp {
            name: name.clone(),
            len: r.len,
            mtime_ns: r.mtime_ns,
            ctime_ns: r.ctime_ns,
            ino: r.ino,
            dev: r.dev,
        }));
        Some(Key {
            dir: self.root.dir.clone(),
            files,
        })
    }

    /// The entry files' names, in order.
    pub fn names(&self) -> io::Result<Vec<String>> {
        let mut buf = Vec::new();
        let b = read_span(&self.map, self.root.names, &mut buf)?;
        let mut out = Vec::with_capacity(self.len());
        let mut at = 0;
        while at < b.len() {
            let n = u16::from_le_bytes(
                b.get(at..at + 2)
                    .ok_or_else(|| invalid("names"))?
                    .try_into()
                    .unwrap_or_default(),
            ) as usize;
            let s = b.get(at + 2..at + 2 + n).ok_or_else(|| invalid("names"))?;
            out.push(String::from_utf8(s.to_vec()).map_err(|_| invalid("names"))?);
            at += 2 + n;
        }
        if out.len() != self.len() {
            return Err(invalid("names"));
        }
        Ok(out)
    }

    /// The list rows, their text proven clean.
    pub fn rows(&self) -> io::Result<Vec<Row>> {
        let mut buf = Vec::new();
        let b = read_span(&self.map, self.root.rows, &mut buf)?;
        decode_rows(b, self.len()).ok_or_else(|| invalid("rows"))
    }

    /// What cross-entry checks need of each entry.
    pub(crate) fn refs(&self) -> io::Result<Vec<Refs>> {
        let mut buf = Vec::new();
        let b = read_span(&self.map, self.root.refs, &mut buf)?;
        let refs: Vec<Refs> = postcard::from_bytes(b).map_err(|_| invalid("refs"))?;
        if refs.len() != self.len() {
            return Err(invalid("refs"));
        }
        Ok(refs)
    }

    /// The hashes of every question id ([`id_hash`]), sorted.
    pub(crate) fn question_hashes(&self) -> io::Result<Vec<u64>> {
        let mut buf = Vec::new();
        let b = read_span(&self.map, self.root.qhashes, &mut buf)?;
        Ok(b.chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect())
    }

    /// The warnings checking each entry gave, by entry.
    pub(crate) fn diags(&self) -> io::Result<Vec<(u32, Vec<StoredDiag>)>> {
        let mut buf = Vec::new();
        let b = read_span(&self.map, self.root.diags, &mut buf)?;
        let d: Vec<(u32, Vec<StoredDiag>)> =
            postcard::from_bytes(b).map_err(|_| invalid("diags"))?;
        if d.iter().any(|(i, _)| *i as usize >= self.len()) {
            return Err(invalid("diags"));
        }
        Ok(d)
    }

    /// Entry `i`: copied out, its CRC checked, decoded within its length, its text proven
    /// clean.
    pub fn entry(&self, i: u32) -> io::Result<Entry> {
        let r = self.rec(i)?;
        let mut buf = Vec::new();
        self.map.copy(r.at, r.bytes as usize, &mut buf)?;
        if crc32fast::hash(&buf) != r.bytes_crc || self.map.is_lost() {
            self.checked[i as usize].store(2, Ordering::Relaxed);
            return Err(invalid("entry checksum"));
        }
        self.checked[i as usize].store(1, Ordering::Relaxed);
        decode_entry(&buf)
    }

    /// Entry `i`'s bytes and search records as stored (for writing them again unchanged).
    fn raw(&self, i: u32, out: &mut Vec<u8>) -> io::Result<Rec> {
        let r = self.rec(i)?;
        self.map.copy(r.at, (r.bytes + r.frag) as usize, out)?;
        let (bytes, frag) = out.split_at(r.bytes as usize);
        if crc32fast::hash(bytes) != r.bytes_crc || crc32fast::hash(frag) != r.frag_crc {
            return Err(invalid("entry checksum"));
        }
        Ok(r)
    }

    /// Entry `i`'s search records, their CRC checked.
    pub fn fragment(&self, i: u32, out: &mut Vec<u8>) -> io::Result<()> {
        let r = self.rec(i)?;
        self.map
            .read(r.at + u64::from(r.bytes), r.frag as usize, out)?;
        if crc32fast::hash(out) != r.frag_crc || self.map.is_lost() {
            return Err(invalid("search records checksum"));
        }
        Ok(())
    }

    /// `len` bytes of entry `i`'s bytes at `offset`, as text: copied into `out`, once the
    /// entry's bytes have passed their CRC. `None` if they did not, or the bytes are not
    /// UTF-8 now.
    pub fn text<'b>(&self, i: u32, offset: u32, len: u32, out: &'b mut Vec<u8>) -> Option<&'b str> {
        let r = self.rec(i).ok()?;
        let state = self.checked.get(i as usize)?;
        if state.load(Ordering::Relaxed) == 0 {
            let ok = self.map.copy(r.at, r.bytes as usize, out).is_ok()
                && crc32fast::hash(out) == r.bytes_crc;
            state.store(if ok { 1 } else { 2 }, Ordering::Relaxed);
        }
        if state.load(Ordering::Relaxed) != 1 || self.map.is_lost() {
            return None;
        }
        if offset.checked_add(len).is_none_or(|e| e > r.bytes) {
            return None;
        }
        self.map
            .copy(r.at + u64::from(offset), len as usize, out)
            .ok()?;
        std::str::from_utf8(out).ok()
    }

    fn rec(&self, i: u32) -> io::Result<Rec> {
        let at = i as usize * REC;
        self.table
            .get(at..at + REC)
            .map(Rec::read)
            .ok_or_else(|| invalid("no such entry"))
    }

    /// Mark the image as failing its checks after it was opened (its bytes changed on disk),
    /// and remove its file if it is still the one opened: the next run reads the pack from
    /// its files and writes a new image.
    pub fn lose(&self) {
        if self.lost.swap(true, Ordering::Relaxed) {
            return;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            if let Ok(m) = std::fs::symlink_metadata(&self.path)
                && m.is_file()
                && (m.dev(), m.ino()) == self.id
            {
                let _ = std::fs::remove_file(&self.path);
            }
        }
    }

    pub fn is_lost(&self) -> bool {
        self.lost.load(Ordering::Relaxed) || self.map.is_lost()
    }

    /// Bytes of the file no root refers to any more.
    fn garbage(&self) -> u64 {
        (self.map.len() as u64).saturating_sub(self.root.live)
    }
}

fn read_span<'b>(map: &Map, s: Span, buf: &'b mut Vec<u8>) -> io::Result<&'b [u8]> {
    let len = usize::try_from(s.len).map_err(|_| invalid("length"))?;
    map.copy(s.at, len, buf)?;
    if crc32fast::hash(buf) != s.crc || map.is_lost() {
        return Err(invalid("checksum"));
    }
    Ok(buf)
}

/// Decode an entry's bytes: within their length (a corrupt length fails before allocating
/// beyond them), ending exactly at their end, every string clean.
fn decode_entry(bytes: &[u8]) -> io::Result<Entry> {
    let e: Entry =
        super::text::arena_sized(bytes.len(), || match postcard::take_from_bytes(bytes) {
            Ok((e, [])) => Ok(e),
            _ => Err(invalid("entry")),
        })?;
    if !super::sanitize::all_clean(&e) {
        return Err(invalid("unclean text"));
    }
    Ok(e)
}

/// Bytes of one row record: id, name, phase (offset and length each), year, questions,
/// kind, flags, two spare bytes.
const ROW: usize = 36;

fn encode_rows(rows: &[Row]) -> Vec<u8> {
    let mut recs = Vec::with_capacity(4 + rows.len() * ROW);
    let mut text = String::new();
    recs.extend_from_slice(&(rows.len() as u32).to_le_bytes());
    let mut put = |recs: &mut Vec<u8>, s: &str| {
        recs.extend_from_slice(&(text.len() as u32).to_le_bytes());
        recs.extend_from_slice(&(s.len() as u32).to_le_bytes());
        text.push_str(s);
    };
    for r in rows {
        put(&mut recs, &r.id);
        put(&mut recs, &r.name);
        put(&mut recs, r.phase.as_deref().unwrap_or(""));
        recs.extend_from_slice(&r.year.unwrap_or(0).to_le_bytes());
        recs.extend_from_slice(&r.questions.to_le_bytes());
        recs.push(match r.kind {
            EntryKind::Trial => 0,
            EntryKind::Topic => 1,
        });
        recs.push(u8::from(r.ongoing) | (u8::from(r.phase.is_some()) << 1));
        recs.extend_from_slice(&r.as_of.unwrap_or(0).to_le_bytes());
    }
    recs.extend_from_slice(text.as_bytes());
    recs
}

/// The rows of `n` entries, or `None` if the bytes are not rows or their text is not clean.
fn decode_rows(b: &[u8], n: usize) -> Option<Vec<Row>> {
    let count = u32::from_le_bytes(b.get(..4)?.try_into().ok()?) as usize;
    if count != n {
        return None;
    }
    let recs = b.get(4..4 + n.checked_mul(ROW)?)?;
    let text = std::str::from_utf8(b.get(4 + n * ROW..)?).ok()?;
    if !super::sanitize::is_clean(text) {
        return None;
    }
    let block = super::text::Shared::new(text);
    let u32_at =
        |r: &[u8], i: usize| u32::from_le_bytes(r[i..i + 4].try_into().unwrap_or_default());
    let mut rows = Vec::with_capacity(n);
    for r in recs.chunks_exact(ROW) {
        let id = block.text(u32_at(r, 0), u32_at(r, 4))?;
        let name = block.text(u32_at(r, 8), u32_at(r, 12))?;
        let phase = block.text(u32_at(r, 16), u32_at(r, 20))?;
        let year = u32_at(r, 24);
        let kind = match r[32] {
            0 => EntryKind::Trial,
            1 => EntryKind::Topic,
            _ => return None,
        };
        rows.push(Row {
            id,
            name,
            phase: (r[33] & 2 != 0).then_some(phase),
            year: (year != 0).then_some(year),
            kind,
            ongoing: r[33] & 1 != 0,
            as_of: Some(u16::from_le_bytes([r[34], r[35]])).filter(|&y| y != 0),
            questions: u32_at(r, 28),
        });
    }
    Some(rows)
}

/// A postcard output that notes where each string it is given was written, by the
/// string's address: how search finds an entry's long text in its bytes.
struct Noting {
    out: Vec<u8>,
    at: HashMap<(usize, usize), u32>,
}

impl postcard::ser_flavors::Flavor for Noting {
    type Output = Noting;
    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        if data.len() >= 16 {
            self.at
                .entry((data.as_ptr() as usize, data.len()))
                .or_insert(self.out.len() as u32);
        }
        self.out.extend_from_slice(data);
        Ok(())
    }
    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        self.out.push(data);
        Ok(())
    }
    fn finalize(self) -> postcard::Result<Noting> {
        Ok(self)
    }
}

/// How an image gets an entry's search records: the search layer's encoder
/// (`crate::search::stored::fragment`), handed to the writer by the layer above both. It is
/// given the entry and where each of its strings is in the entry's bytes.
pub type Records = fn(&Entry, &dyn Fn(&str) -> Option<u32>) -> Vec<u8>;

/// The entries an image is written from, by their place in the library.
pub type EntryAt<'a> = &'a dyn Fn(usize) -> Option<&'a Entry>;

/// An entry's bytes and its search records.
fn encode_entry(e: &Entry, unchecked: bool, records: Records) -> io::Result<(Vec<u8>, Vec<u8>)> {
    if !unchecked && !super::sanitize::all_clean(e) {
        // Validation sanitizes every string: text that is not clean is never written.
        return Err(invalid("unclean text"));
    }
    let noted = postcard::serialize_with_flavor(
        e,
        Noting {
            out: Vec::new(),
            at: HashMap::new(),
        },
    )
    .map_err(|_| invalid("serialize"))?;
    let bytes = noted.out;
    let at = noted.at;
    let locate = |s: &str| -> Option<u32> {
        let off = *at.get(&(s.as_ptr() as usize, s.len()))?;
        // Only where the bytes are the text (never trust an address alone).
        (bytes.get(off as usize..off as usize + s.len()) == Some(s.as_bytes())).then_some(off)
    };
    let frag = records(e, &locate);
    Ok((bytes, frag))
}

/// One entry of an image to write.
#[derive(Debug)]
pub(crate) enum Item {
    /// Entry `n` of the library (in memory), with what checking it reported.
    New {
        entry: usize,
        diags: Vec<StoredDiag>,
    },
    /// Entry `at` of the image being updated, unchanged.
    Keep { at: u32 },
}

/// An image to write once the pack's library exists (see `Library::take_pending_images`).
#[derive(Debug)]
pub struct Pending {
    pub(crate) path: PathBuf,
    pub(crate) max_total_bytes: u64,
    pub(crate) key: Key,
    /// The manifest as parsed.
    pub(crate) manifest: Manifest,
    pub(crate) items: Vec<Item>,
    pub(crate) self_contained: bool,
    /// The image this one updates (its unchanged entries are kept as they are).
    pub(crate) base: Option<std::sync::Arc<Image>>,
    /// Write text without proving it clean (only to plant bad images in tests).
    pub(crate) unchecked: bool,
}

impl Pending {
    /// Write the image (failures are ignored: an image is only ever an optimisation).
    /// Nothing is written when a file of the pack is too recent to trust its stamp.
    /// `lib` gives the library's entries by their place (its items name entries by that place).
    pub fn write(self, lib: EntryAt<'_>, records: Records) {
        let _ = self.try_write(lib, records);
    }

    fn try_write(self, lib: EntryAt<'_>, records: Records) -> io::Result<()> {
        let now = now_ns();
        if self.key.is_racy(now) || self.items.len() + 1 != self.key.files.len() {
            return Ok(());
        }
        let Some(dir) = self.path.parent() else {
            return Ok(());
        };
        std::fs::create_dir_all(dir)?;
        // Temporary files of the cache's own earlier naming, left by killed writes.
        crate::fsutil::sweep(
            dir,
            std::time::SystemTime::now(),
            super::cachedir::legacy_temp_pid,
        );
        let appended = match &self.base {
            Some(base) if base.garbage() * 2 <= base.map.len() as u64 => {
                self.append(base, lib, now, records).is_ok()
            }
            _ => false,
        };
        if !appended {
            crate::fsutil::write_atomically_with(&self.path, false, |file| {
                let mut w = io::BufWriter::with_capacity(256 * 1024, file);
                w.write_all(&[0; HEADER])?;
                let (header, _) = self.emit(&mut w, HEADER as u64, lib, now, false, records)?;
                w.seek(SeekFrom::Start(0))?;
                w.write_all(&header)?;
                w.flush()
            })?;
        }
        super::cachedir::evict_around(&self.path, self.max_total_bytes);
        Ok(())
    }

    /// Append the new parts to the base image's file and point its header at them.
    fn append(&self, base: &Image, lib: EntryAt<'_>, now: u64, records: Records) -> io::Result<()> {
        let mut opts = std::fs::OpenOptions::new();
        opts.read(true).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
        }
        let mut file = opts.open(&self.path)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            use std::os::unix::io::AsRawFd;
            let m = file.metadata()?;
            if !m.is_file() || (m.dev(), m.ino()) != base.id {
                return Err(invalid("replaced"));
            }
            // One writer at a time; another one busy means it is being updated already.
            // SAFETY: flock on a file descriptor we own.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        #[cfg(not(unix))]
        return Err(invalid("append"));
        #[allow(unreachable_code)]
        {
            let mut head = [0u8; HEADER];
            {
                use std::io::Read;
                file.seek(SeekFrom::Start(0))?;
                file.read_exact(&mut head)?;
            }
            if head != base.header {
                return Err(invalid("changed"));
            }
            let end = file.seek(SeekFrom::End(0))?;
            let header = {
                let mut w = io::BufWriter::with_capacity(256 * 1024, &mut file);
                let (header, _) = self.emit(&mut w, end, lib, now, true, records)?;
                w.flush()?;
                header
            };
            file.sync_data()?;
            file.seek(SeekFrom::Start(0))?;
            file.write_all(&header)?;
            file.sync_data()
        }
    }

    /// Write every part from `pos` on (entries, then the tables, then the root) and return
    /// the header that points at them. With `reuse`, kept entries stay where the base image
    /// has them; without, they are copied.
    fn emit<W: Write>(
        &self,
        w: &mut W,
        mut pos: u64,
        lib: EntryAt<'_>,
        now: u64,
        reuse: bool,
        records: Records,
    ) -> io::Result<([u8; HEADER], u64)> {
        let base_rows = match &self.base {
            Some(b) if self.items.iter().any(|i| matches!(i, Item::Keep { .. })) => {
                Some((b.rows()?, b.refs()?, b.diags()?))
            }
            _ => None,
        };
        let base_diags: HashMap<u32, &Vec<StoredDiag>> = base_rows
            .as_ref()
            .map(|(_, _, d)| d.iter().map(|(i, v)| (*i, v)).collect())
            .unwrap_or_default();
        let put = |w: &mut W, bytes: &[u8], pos: &mut u64| -> io::Result<Span> {
            w.write_all(bytes)?;
            let s = Span {
                at: *pos,
                len: bytes.len() as u64,
                crc: crc32fast::hash(bytes),
            };
            *pos += bytes.len() as u64;
            Ok(s)
        };
        let mut table = Vec::with_capacity(self.items.len() * REC);
        let mut rows = Vec::with_capacity(self.items.len());
        let mut refs = Vec::with_capacity(self.items.len());
        let mut diags = Vec::new();
        let mut live = 0u64;
        let mut buf = Vec::new();
        let mut self_contained = self.self_contained;
        for (k, item) in self.items.iter().enumerate() {
            let stamp = &self.key.files[k + 1];
            let mut rec = match item {
                Item::New { entry, diags: d } => {
                    let e = lib(*entry).ok_or_else(|| invalid("no such entry"))?;
                    let (bytes, frag) = encode_entry(e, self.unchecked, records)?;
                    let a = put(w, &bytes, &mut pos)?;
                    let b = put(w, &frag, &mut pos)?;
                    rows.push(Row::of(e));
                    refs.push(Refs::of(e));
                    if !d.is_empty() {
                        diags.push((k as u32, d.clone()));
                    }
                    Rec {
                        len: 0,
                        mtime_ns: 0,
                        ctime_ns: 0,
                        ino: 0,
                        dev: 0,
                        at: a.at,
                        bytes: a.len as u32,
                        bytes_crc: a.crc,
                        frag: b.len as u32,
                        frag_crc: b.crc,
                    }
                }
                Item::Keep { at } => {
                    let base = self.base.as_ref().ok_or_else(|| invalid("no base"))?;
                    let (brows, brefs, _) = base_rows.as_ref().ok_or_else(|| invalid("no base"))?;
                    let i = *at as usize;
                    rows.push(brows.get(i).cloned().ok_or_else(|| invalid("rows"))?);
                    refs.push(brefs.get(i).cloned().ok_or_else(|| invalid("refs"))?);
                    if let Some(d) = base_diags.get(at) {
                        diags.push((k as u32, (*d).clone()));
                    }
                    if !base.self_contained() {
                        self_contained = false;
                    }
                    if reuse {
                        base.rec(*at)?
                    } else {
                        let r = base.raw(*at, &mut buf)?;
                        let at = pos;
                        w.write_all(&buf)?;
                        pos += buf.len() as u64;
                        Rec { at, ..r }
                    }
                }
            };
            rec.len = stamp.len;
            rec.mtime_ns = stamp.mtime_ns;
            rec.ctime_ns = stamp.ctime_ns;
            rec.ino = stamp.ino;
            rec.dev = stamp.dev;
            live += u64::from(rec.bytes) + u64::from(rec.frag);
            rec.write(&mut table);
        }
        let table = put(w, &table, &mut pos)?;
        let mut names = Vec::new();
        for s in &self.key.files[1..] {
            let n = s.name.as_bytes();
            let n = &n[..n.len().min(u16::MAX as usize)];
            names.extend_from_slice(&(n.len() as u16).to_le_bytes());
            names.extend_from_slice(n);
        }
        let names = put(w, &names, &mut pos)?;
        let rows = put(w, &encode_rows(&rows), &mut pos)?;
        let mut qh: Vec<u64> = refs
            .iter()
            .flat_map(|r| r.questions.iter().map(|q| id_hash(q)))
            .collect();
        qh.sort_unstable();
        let qh: Vec<u8> = qh.iter().flat_map(|h| h.to_le_bytes()).collect();
        let refs = put(
            w,
            &postcard::to_allocvec(&refs).map_err(|_| invalid("serialize"))?,
            &mut pos,
        )?;
        let qhashes = put(w, &qh, &mut pos)?;
        let diags = put(
            w,
            &postcard::to_allocvec(&diags).map_err(|_| invalid("serialize"))?,
            &mut pos,
        )?;
        live += HEADER as u64
            + [table, names, rows, refs, qhashes, diags]
                .iter()
                .map(|s| s.len)
                .sum::<u64>();
        let root = Root {
            written_ns: now,
            dir: self.key.dir.clone(),
            manifest_stamp: self.key.files[0].clone(),
            manifest: self.manifest.clone(),
            entries: self.items.len() as u64,
            table,
            names,
            rows,
            refs,
            qhashes,
            diags,
            self_contained,
            live,
        };
        let root_bytes = postcard::to_allocvec(&root).map_err(|_| invalid("serialize"))?;
        let r = put(w, &root_bytes, &mut pos)?;
        let mut header = [0u8; HEADER];
        header[..16].copy_from_slice(MAGIC);
        header[16..20].copy_from_slice(&FORMAT.to_le_bytes());
        header[20..24].copy_from_slice(&fingerprint().to_le_bytes());
        header[24..32].copy_from_slice(&r.at.to_le_bytes());
        header[32..40].copy_from_slice(&r.len.to_le_bytes());
        header[40..44].copy_from_slice(&r.crc.to_le_bytes());
        header[48..56].copy_from_slice(&pos.to_le_bytes());
        let crc = crc32fast::hash(&header[..60]);
        header[60..64].copy_from_slice(&crc.to_le_bytes());
        Ok((header, pos))
    }
}

pub(crate) fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}
