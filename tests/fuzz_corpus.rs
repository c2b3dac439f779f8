//! Replays the fuzz corpus (`fuzz/corpus/TARGET/`) and every saved crash input
//! (`fuzz/artifacts/TARGET/`) through the functions the cargo-fuzz targets call, so an input
//! that once crashed fails `cargo test` too. See fuzz/README.md.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use trialdeck::dev::fuzz::fuzz_pack_bytes;
use trialdeck::dev::fuzz::fuzz_search_bytes;

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for dir in ["corpus", "artifacts"] {
        let Ok(listing) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for e in listing {
            let p = e.unwrap().path();
            if p.is_file() {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// Run `f` on every input of `target`; fail listing every input that panicked.
fn replay(target: &str, f: impl Fn(&[u8])) -> usize {
    let files = inputs(target);
    let failed: Vec<String> = files
        .iter()
        .filter(|p| {
            let bytes = std::fs::read(p).unwrap();
            catch_unwind(AssertUnwindSafe(|| f(&bytes))).is_err()
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(failed.is_empty(), "inputs that panic: {failed:#?}");
    files.len()
}

#[test]
fn pack_loader_corpus_and_crashes_replay() {
    let n = replay("pack_loader", |b| {
        fuzz_pack_bytes(b);
    });
    assert!(n >= 10, "the seed corpus is there ({n} files)");
}

#[test]
fn search_query_corpus_and_crashes_replay() {
    let n = replay("search_query", fuzz_search_bytes);
    assert!(n >= 10, "the seed corpus is there ({n} files)");
}

/// The seeds are packs in the fuzz input format: the good one loads, the broken ones do not.
#[test]
fn the_pack_seeds_mean_what_their_names_say() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/pack_loader");
    let load = |name: &str| fuzz_pack_bytes(&std::fs::read(dir.join(name)).unwrap());
    assert!(load("good-mini"));
    for bad in [
        "bad-syntax-missing-comma",
        "bad-invalid-utf8",
        "bad-nul-byte",
        "bad-duplicate-entry-id",
        "bad-missing-manifest",
        "empty",
    ] {
        assert!(!load(bad), "{bad} loaded");
    }
}
