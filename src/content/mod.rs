//! The domain: packs, trials, findings, questions. No terminal code lives here.

// A `Diagnostic` is large, but it is only built on the cold path of a broken pack.
#![allow(clippy::result_large_err)]

pub mod cache;
pub mod diag;
pub mod figure;
pub mod load;
pub mod model;
pub mod sanitize;
pub mod text;
pub mod validate;

pub use cache::Cache;
pub use diag::{Diagnostic, Report, Severity};
pub use figure::Figure;
pub use load::PackSource;
pub use model::*;
pub use text::Text;

/// A library that validated, with the warnings it produced.
#[derive(Debug)]
pub struct Loaded {
    pub library: Library,
    pub report: Report,
}

/// Load and validate every source. On any error, the report lists them all. All sources
/// share one budget (see the limits in [`mod@load`]): a run over it fails with a clear error.
///
/// Pack directories are parsed on the machine's cores, and large ones are kept in the cache
/// [`Cache::from_env`] names (see [`cache`]), checked where checking found nothing.
pub fn load(sources: &[PackSource]) -> Result<Loaded, Report> {
    load_with(sources, &Cache::from_env())
}

/// [`load()`] with the given cache ([`Cache::off`] for none).
pub fn load_with(sources: &[PackSource], cache: &Cache) -> Result<Loaded, Report> {
    let mut diags = Vec::new();
    let mut parsed = Vec::new();
    let mut budget = load::Budget::default();
    for s in sources {
        if let PackSource::Dir(dir) = s {
            match load::read_parse_dir(dir, &mut budget, cache, &mut diags) {
                Ok(p) => parsed.push(p),
                Err(d) => {
                    diags.push(d);
                    parsed.push(load::ParsedPack {
                        incomplete: true,
                        ..Default::default()
                    });
                }
            }
            continue;
        }
        match load::read_within(s, &mut budget) {
            Ok(raws) => {
                for raw in raws {
                    parsed.push(load::parse_bundled(raw, &mut diags));
                }
            }
            Err(d) => {
                diags.push(d);
                parsed.push(load::ParsedPack {
                    incomplete: true,
                    ..Default::default()
                });
            }
        }
    }
    // What the cache needs once the packs are validated: each pack's entry count, and the
    // manifest as parsed for those to write.
    let shapes: Vec<_> = parsed
        .iter()
        .map(|p| {
            let manifest = p.to_cache.as_ref().and(p.manifest.clone());
            (p.entries.len(), manifest, p.manifest_file.clone())
        })
        .collect();
    let mut to_cache: Vec<_> = parsed.iter_mut().map(|p| p.to_cache.take()).collect();
    let checked = validate::check_packs(parsed, Report { diagnostics: diags });
    let mut at = 0;
    for (i, (n, manifest, file)) in shapes.into_iter().enumerate() {
        if let (Some(to), Some(manifest)) = (to_cache[i].take(), manifest) {
            load::store(
                cache,
                &to,
                &file,
                &manifest,
                &checked.entries[at..at + n],
                &checked.outcomes[at..at + n],
                checked.own_sources[i],
            );
        }
        at += n;
    }
    match checked.finish() {
        (Some(library), report) => Ok(Loaded { library, report }),
        (None, report) => Err(report),
    }
}

/// The bundled packs, which are checked by the test suite and so always load.
pub fn load_bundled() -> Result<Loaded, Report> {
    load(&[PackSource::Bundled])
}
