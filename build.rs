//! Embeds the bundled packs (`content/<pack>/*.ron`) into the binary, so the app works from
//! any directory. Each file goes through `include_bytes!`, which makes cargo rebuild when it
//! changes; `rerun-if-changed` on the folder catches files that are added or removed.
//!
//! Each pack is also parsed here, with the content model itself, and embedded parsed
//! (postcard), so a start does not parse half a megabyte of RON before its first frame. A
//! pack that does not parse is embedded as RON only: the app parses it at run time and
//! reports what is wrong as for any pack. Validation still runs at every start.

#[allow(dead_code)]
#[allow(clippy::mutable_key_type)] // Text is immutable once built (see clippy.toml)
#[path = "src/content/model.rs"]
mod model;
#[allow(dead_code)]
#[path = "src/content/text.rs"]
mod text;
use text::Text;
#[allow(dead_code)]
#[path = "src/content/figure.rs"]
mod figure;
use figure::Figure;

use std::{env, fmt::Write as _, fs, path::Path};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    println!("cargo:rerun-if-changed=content");
    let mut packs: Vec<_> = fs::read_dir(&root)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    packs.sort();
    let out_dir = env::var("OUT_DIR").unwrap();
    let mut parsed_code = String::from("pub static PARSED: &[(&str, &[u8])] = &[\n");
    let mut code = String::from("pub static BUNDLED: &[(&str, &str, &[u8])] = &[\n");
    for pack in &packs {
        println!("cargo:rerun-if-changed={}", pack.display());
        let name = pack.file_name().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<_> = fs::read_dir(pack)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "ron"))
            .collect();
        files.sort();
        if let Some(bin) = parse_pack(&files) {
            let path = Path::new(&out_dir).join(format!("{name}.parsed.bin"));
            fs::write(&path, bin).unwrap();
            writeln!(
                parsed_code,
                "    ({name:?}, include_bytes!({:?})),",
                path.display().to_string()
            )
            .unwrap();
        }
        for f in files {
            let file = f.file_name().unwrap().to_string_lossy().into_owned();
            writeln!(
                code,
                "    ({name:?}, {file:?}, include_bytes!({:?})),",
                f.display().to_string()
            )
            .unwrap();
        }
    }
    code.push_str("];\n");
    parsed_code.push_str("];\n");
    code.push_str(&parsed_code);
    let out = Path::new(&out_dir).join("bundled.rs");
    fs::write(out, code).unwrap();
}

/// The pack's files (sorted) parsed as the loader parses them, encoded as the loader
/// decodes them (`src/content/parse.rs`, `parse_bundled`): the manifest, then each entry
/// file's name and entry. `None` if some file does not parse (or there is no manifest).
fn parse_pack(files: &[std::path::PathBuf]) -> Option<Vec<u8>> {
    let opts = ron::Options::default().with_recursion_limit(128);
    let text = |f: &Path| {
        let t = fs::read_to_string(f).ok()?;
        // The run-time loader strips a byte-order mark with a warning and refuses NUL bytes:
        // leave such files to it.
        (!t.starts_with('\u{feff}') && !t.contains('\0')).then_some(t)
    };
    let mut manifest = None;
    let mut entries = Vec::new();
    for f in files {
        let file = f.file_name()?.to_string_lossy().into_owned();
        let t = text(f)?;
        if file == "pack.ron" {
            manifest = Some(opts.from_str::<model::Manifest>(&t).ok()?);
        } else {
            entries.push((file, opts.from_str::<model::Entry>(&t).ok()?));
        }
    }
    postcard::to_allocvec(&(manifest?, entries)).ok()
}
