//! Exports of a validated library.

use crate::content::Library;
use serde::Serialize;

/// Version of the JSON export's shape. Bump it when a field is renamed or removed.
pub const JSON_FORMAT_VERSION: u32 = 2;

#[derive(Serialize)]
struct JsonExport<'a> {
    format: &'static str,
    format_version: u32,
    packs: &'a [crate::content::PackInfo],
    entries: &'a [crate::content::Entry],
}

/// The whole library as pretty JSON: `{ format, format_version, packs, entries }`.
/// Field names are those of the RON model (see docs/export-json.md).
pub fn to_json(lib: &Library) -> String {
    let doc = JsonExport {
        format: "trialdeck-pack",
        format_version: JSON_FORMAT_VERSION,
        packs: &lib.packs,
        entries: &lib.entries,
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("library serializes to JSON");
    s.push('\n');
    s
}
