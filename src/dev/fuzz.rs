//! Entry points shared by the cargo-fuzz targets in `fuzz/` and by `tests/fuzz_corpus.rs`,
//! which replays the committed corpus and saved crash inputs in `cargo test`: the pack
//! loader's ([`fuzz_pack_bytes`]) and the search's ([`fuzz_search_bytes`]).

use crate::content::parse;
use crate::content::read::{MANIFEST, RawFile, RawPack};
use crate::content::{Library, Report};
use crate::search::{Query, SearchIndex, Searcher};
use std::sync::{Arc, OnceLock};

/// Separates the files of a pack in a fuzz input (ASCII record separator).
pub const FUZZ_FILE_SEPARATOR: u8 = 0x1E;

/// A pack directory from bytes, for fuzzing the loader without a filesystem: the input is
/// split at [`FUZZ_FILE_SEPARATOR`] into the manifest and entry files, which are parsed and
/// validated as the loader would hand them over from a directory (a pack has at most a few
/// dozen files here). Checks what must hold for any input: no panic, every diagnostic says
/// something, the report renders, and a library that loads finds each of its entries by id.
/// Returns whether a library loaded.
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
    let parsed = parse::parse_pack(RawPack { manifest, entries }, 1, &mut diags);
    let (library, report) =
        crate::content::check_parsed(vec![parsed], Report { diagnostics: diags });
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

/// The mini test pack, embedded so the fuzz target needs no files.
const MINI: [(&str, &str); 3] = [
    (
        "pack.ron",
        include_str!("../../tests/fixtures/good/mini/pack.ron"),
    ),
    (
        "alpha.ron",
        include_str!("../../tests/fixtures/good/mini/alpha.ron"),
    ),
    (
        "mechanism.ron",
        include_str!("../../tests/fixtures/good/mini/mechanism.ron"),
    ),
];

fn mini_library() -> &'static Arc<Library> {
    static LIB: OnceLock<Arc<Library>> = OnceLock::new();
    LIB.get_or_init(|| {
        let file = |(name, text): (&str, &str)| RawFile {
            name: format!("mini/{name}"),
            bytes: Ok(text.as_bytes().to_vec()),
        };
        let raw = RawPack {
            manifest: file(MINI[0]),
            entries: MINI[1..].iter().copied().map(file).collect(),
        };
        let mut diags = Vec::new();
        let parsed = parse::parse_pack(raw, 1, &mut diags);
        let (lib, report) =
            crate::content::check_parsed(vec![parsed], Report { diagnostics: diags });
        Arc::new(lib.unwrap_or_else(|| panic!("the mini pack loads: {}", report.render())))
    })
}

/// Most characters of a fuzz query typed one at a time (each is a search).
const TYPED_CHARS: usize = 48;

/// A search query from bytes (lossy UTF-8), run over the mini pack. Checks: no panic; every
/// highlight position lies inside its snippet; and typing the query one character at a time
/// into a narrowing [`Searcher`] gives, at every step, the same hits as a fresh search.
pub fn fuzz_search_bytes(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = Query::parse(&text);
    let lib = mini_library();
    let index = SearchIndex::build(Arc::clone(lib));
    let hits = index.search(&text, 20);
    for h in &hits {
        let (snippet, positions) = index.highlight(h, &text);
        let len = snippet.chars().count();
        assert!(
            positions.iter().all(|&p| p < len),
            "highlight {positions:?} outside {snippet:?} for {text:?}"
        );
    }
    let mut typing = Searcher::new(SearchIndex::build(Arc::clone(lib)));
    let mut prefix = String::new();
    let mut prev = Query::default();
    for c in text.chars().take(TYPED_CHARS) {
        prefix.push(c);
        let q = Query::parse(&prefix);
        let _ = q.narrows(&prev);
        prev = q;
        assert_eq!(
            typing.search(&prefix, 20),
            index.search(&prefix, 20),
            "narrowing changed the hits for {prefix:?}"
        );
    }
}
