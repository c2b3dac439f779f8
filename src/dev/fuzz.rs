//! Entry points shared by the cargo-fuzz targets in `fuzz/` and by `tests/fuzz_corpus.rs`,
//! which replays the committed corpus and saved crash inputs in `cargo test`. The pack
//! loader's lives beside it: [`crate::content::load::fuzz_pack_bytes`].

use crate::content::load::{self, RawFile, RawPack};
use crate::content::{Library, Report, validate};
use crate::search::{Query, SearchIndex, Searcher};
use std::sync::{Arc, OnceLock};

pub use crate::content::load::fuzz_pack_bytes;

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
        let parsed = load::parse_pack(raw, &mut diags);
        let (lib, report) = validate::validate(vec![parsed], Report { diagnostics: diags });
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
