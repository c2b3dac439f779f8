//! The search index as pack images store it: each entry's records on their own (a
//! *fragment*), so that an edit rewrites only its entry's, and the index of a library read
//! from images is assembled from them without decoding an entry or formatting a number.
//!
//! A fragment is the records [`SearchIndex::build`] makes for the entry alone, in order (the
//! entry's own record first, then its items'): for each, its kind, role, item and the byte
//! length of its pieces, then every record's pieces. A piece of long text that the index
//! would read from the library is, in an image, a piece that says where the text is in the
//! entry's bytes (its offset and length), so that search reads it there, copied out of the
//! image, without decoding the entry ([`crate::content::Entries::image_text`]). Where that
//! place cannot be given, the text is held folded in the fragment like a short field.
//!
//! Assembling keeps [`SearchIndex::build`]'s record order (every entry's own record first,
//! then each entry's items in entry order), so hits, ties and narrowing are the same;
//! `tests` compare the two.

use super::Kind;
use super::index::{IN_LIB, Record, SearchIndex, Slot, fold, len_code};
use crate::content::{Entry, Library, Role};
use std::sync::Arc;

/// Where a string of an entry is in the entry's bytes, if it can be said.
type Locate<'a> = &'a dyn Fn(&str) -> Option<u32>;

/// A record of a fragment: kind, role, item, pieces.
type Stored<'a> = (Kind, Option<Role>, u32, &'a str);

/// Bytes of a record's head in a fragment: kind, role, item (`u32`), pieces' length (`u32`).
const HEAD: usize = 10;

/// The payload of a long piece stored in an image: where its text is.
fn image_payload(offset: u32, len: u32) -> Vec<u8> {
    let mut p = Vec::with_capacity(12);
    push_len(&mut p, offset as usize);
    push_len(&mut p, len as usize);
    p
}

/// Append a piece: its slot byte, its payload's length, its payload.
fn push_piece(out: &mut Vec<u8>, head: u8, payload: &[u8]) {
    out.push(head);
    push_len(out, payload.len());
    out.extend_from_slice(payload);
}

/// A length as pieces write it (see [`len_code`]).
fn push_len(out: &mut Vec<u8>, len: usize) {
    let (code, n) = len_code(len);
    out.extend_from_slice(&code[..n]);
}

fn role_byte(r: Option<Role>) -> u8 {
    r.and_then(|r| Role::ALL.iter().position(|x| *x == r))
        .map_or(0xff, |i| i as u8)
}

fn kind_byte(k: Kind) -> u8 {
    Kind::ALL.iter().position(|x| *x == k).unwrap_or(0) as u8
}

/// The search records of `entry` alone, as its image stores them. `locate` gives where a
/// string of the entry is in the entry's bytes (`None`: the text is held folded instead).
pub fn fragment(entry: &Entry, locate: Locate<'_>) -> Vec<u8> {
    encode(entry, Some(locate))
}

/// The records of an entry held in memory: long text stays in the library.
fn fragment_in_memory(entry: &Entry) -> Vec<u8> {
    encode(entry, None)
}

fn encode(entry: &Entry, locate: Option<Locate<'_>>) -> Vec<u8> {
    let idx = SearchIndex::build_in_memory(Arc::new(Library::new(vec![], vec![entry.clone()])));
    let mut heads = Vec::with_capacity(4 + idx.records.len() * HEAD);
    heads.extend_from_slice(&(idx.records.len() as u32).to_le_bytes());
    let mut texts = Vec::new();
    for r in &idx.records {
        let start = texts.len();
        let mut key_point = 0;
        for p in idx.pieces(r) {
            let ordinal = key_point;
            if p.slot == Slot::KeyPoint {
                key_point += 1;
            }
            if !p.in_lib {
                push_piece(&mut texts, p.slot as u8, p.folded.as_bytes());
                continue;
            }
            let text = idx.lib_text(r, p.slot, ordinal);
            match locate {
                None => push_piece(&mut texts, p.slot as u8 | IN_LIB, b""),
                Some(locate) => match locate(text) {
                    Some(offset) => push_piece(
                        &mut texts,
                        p.slot as u8 | IN_LIB,
                        &image_payload(offset, text.len() as u32),
                    ),
                    None => push_piece(&mut texts, p.slot as u8, fold(text).as_bytes()),
                },
            }
        }
        heads.push(kind_byte(r.kind));
        heads.push(role_byte(r.role));
        heads.extend_from_slice(&r.item.to_le_bytes());
        heads.extend_from_slice(&((texts.len() - start) as u32).to_le_bytes());
    }
    heads.extend_from_slice(&texts);
    heads
}

/// The records of one fragment: (kind, role, item, pieces), checked to be records.
fn decode(b: &[u8]) -> Option<Vec<Stored<'_>>> {
    let n = u32::from_le_bytes(b.get(..4)?.try_into().ok()?) as usize;
    let heads = b.get(4..4 + n.checked_mul(HEAD)?)?;
    let mut text = b.get(4 + n * HEAD..)?;
    let mut out = Vec::with_capacity(n);
    for h in heads.chunks_exact(HEAD) {
        let kind = *Kind::ALL.get(h[0] as usize)?;
        let role = match h[1] {
            0xff => None,
            i => Some(*Role::ALL.get(i as usize)?),
        };
        let item = u32::from_le_bytes(h[2..6].try_into().ok()?);
        let len = u32::from_le_bytes(h[6..10].try_into().ok()?) as usize;
        let pieces = std::str::from_utf8(text.get(..len)?).ok()?;
        text = &text[len..];
        out.push((kind, role, item, pieces));
    }
    (text.is_empty() && out.first().is_none_or(|r| r.0.is_entry())).then_some(out)
}

impl SearchIndex {
    /// Index every entry, finding, question and discrepancy of `lib`. Entries come first.
    /// Each record's fields are laid out heaviest first (scoring stops early on that).
    /// Entries read from pack images bring their records with them: their index is
    /// assembled from the images, not built, and no entry is decoded for it.
    pub fn build(lib: Arc<Library>) -> SearchIndex {
        if (0..lib.entries.len()).any(|i| !lib.entries.is_decoded(i)) {
            return assemble(lib);
        }
        SearchIndex::build_in_memory(lib)
    }
}

/// The index of `lib`, assembled from its entries' fragments: from their images where they
/// come from one, else built from the entry.
fn assemble(lib: Arc<Library>) -> SearchIndex {
    let n = lib.entries.len();
    let mut heads: Vec<Record> = Vec::with_capacity(n);
    let mut items: Vec<Record> = Vec::new();
    let mut text = String::new();
    let mut buf = Vec::new();
    for ei in 0..n {
        let from_image = lib.entries.search_fragment(ei, &mut buf).is_some();
        let built;
        let bytes: &[u8] = if from_image {
            &buf
        } else {
            built = fragment_in_memory(&lib.entries[ei]);
            &built
        };
        let records = match decode(bytes) {
            Some(r) if !r.is_empty() => r,
            // Records that fail their checks: built from the entry (decoded) instead.
            _ => {
                let own = fragment_in_memory(&lib.entries[ei]);
                let Some(r) = decode(&own).filter(|r| !r.is_empty()) else {
                    continue;
                };
                push_records(&mut text, &mut heads, &mut items, ei, &r);
                continue;
            }
        };
        push_records(&mut text, &mut heads, &mut items, ei, &records);
    }
    heads.extend(items);
    text.shrink_to_fit();
    SearchIndex {
        lib,
        records: heads,
        text,
    }
}

fn push_records(
    text: &mut String,
    heads: &mut Vec<Record>,
    items: &mut Vec<Record>,
    ei: usize,
    records: &[Stored<'_>],
) {
    for (k, &(kind, role, item, pieces)) in records.iter().enumerate() {
        let start = text.len();
        text.push_str(pieces);
        let r = Record {
            kind,
            role,
            entry: ei as u32,
            item,
            start: start as u32,
            end: text.len() as u32,
        };
        if k == 0 {
            heads.push(r);
        } else {
            items.push(r);
        }
    }
}
