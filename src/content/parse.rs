//! Bytes → parsed structs: UTF-8 and NUL checks, a byte-order mark, RON with ron's recursion
//! limit, and every problem as a [`Diagnostic`] located at its file, line and column (with
//! the offending line, which is only ever a line of a file [`super::read`] accepted: a
//! regular file inside the pack). The bundled packs come parsed at build time (`build.rs`,
//! postcard) and fall back to their RON. Never panics on input.

use super::diag::Diagnostic;
use super::model::{Entry, Manifest};
use super::read::{MANIFEST, RawFile, RawPack, bundled};
use serde::de::DeserializeOwned;

/// ron's nesting limit (its default), kept explicit so it is never removed by accident.
pub const RECURSION_LIMIT: usize = 128;

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
    /// One per entry, or empty: `Some` when the entry comes from a pack image that had
    /// checked it (and proven its text clean), so validation skips its per-entry checks and
    /// reports again what they reported then.
    pub checked: Vec<Option<Vec<Diagnostic>>>,
}

impl ParsedPack {
    /// A pack that could not be read at all.
    pub fn unreadable() -> ParsedPack {
        ParsedPack {
            incomplete: true,
            ..Default::default()
        }
    }
}

/// Parse a pack of the bundled source: from its form parsed at build time (see `build.rs`)
/// when there is one, else from its RON as [`parse_pack`] does. Either way the result is
/// validated as any pack is.
pub fn parse_bundled(raw: RawPack, threads: usize, diags: &mut Vec<Diagnostic>) -> ParsedPack {
    let pack = raw
        .manifest
        .name
        .strip_prefix("content/")
        .and_then(|n| n.strip_suffix(&format!("/{MANIFEST}")));
    let parsed = bundled::PARSED
        .iter()
        .find(|(p, _)| Some(*p) == pack)
        .and_then(|(p, bytes)| {
            let (manifest, entries): (Manifest, Vec<(String, Entry)>) =
                super::text::arena_sized(bytes.len(), || postcard::from_bytes(bytes)).ok()?;
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
        None => parse_pack(raw, threads, diags),
    }
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

/// Parse every file of a raw pack, on up to two of `threads` when it is large. Problems go to
/// `diags` (in file order); what parsed is returned.
pub fn parse_pack(raw: RawPack, threads: usize, diags: &mut Vec<Diagnostic>) -> ParsedPack {
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
    let bytes: u64 = raw.entries.iter().map(RawFile::len).sum();
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

/// Decode and parse one file read as a `T`; its problems go to `diags`.
pub fn parse_file<T: DeserializeOwned>(
    f: RawFile,
    diags: &mut Vec<Diagnostic>,
) -> Option<(String, T)> {
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
