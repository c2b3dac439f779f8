//! Time to first frame: load and validate the bundled pack, build the app (and its search
//! index), and draw the first frame at 120×40. Each stage is measured on its own too, so a
//! regression points at its cause.
//!
//! `startup-dir/*`: the same stages for a generated pack directory (1,000 trials by default;
//! TRIALDECK_BENCH_TRIALS=N), loaded with the pack cache off and warm, so the cache's share
//! and the search index's share of a large first frame are measured in-process. The
//! whole-process figures are scripts/bench-startup.sh's.

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::{Terminal, backend::TestBackend};
use std::hint::black_box;
use trialdeck::content::load_bundled;
use trialdeck::tui::app::App;
use trialdeck::tui::theme::ThemeName;

fn first_frame(c: &mut Criterion) {
    let mut g = c.benchmark_group("startup");
    g.bench_function("load_bundled", |b| {
        b.iter(|| black_box(load_bundled().unwrap()))
    });
    let lib = load_bundled().unwrap().library;
    g.bench_function("app_new", |b| {
        b.iter(|| black_box(App::new(lib.clone(), ThemeName::Dark)))
    });
    let app = App::new(lib.clone(), ThemeName::Dark);
    g.bench_function("render_120x40", |b| {
        let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
        b.iter(|| {
            term.draw(|f| trialdeck::tui::ui::render(&app, f)).unwrap();
        })
    });
    g.bench_function("first_frame_total", |b| {
        b.iter(|| {
            let lib = load_bundled().unwrap().library;
            let mut app = App::new(lib, ThemeName::Dark);
            app.size = (120, 40);
            let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
            term.draw(|f| trialdeck::tui::ui::render(&app, f)).unwrap();
            black_box(term.backend().buffer().area)
        })
    });
    g.finish();
}

fn dir_pack(c: &mut Criterion) {
    use trialdeck::content::{Cache, PackSource};
    use trialdeck::pack::load_with;
    let trials: usize = std::env::var("TRIALDECK_BENCH_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("pack");
    trialdeck::dev::generate::gen_pack(trials, 1, &dir).unwrap();
    // Files this fresh are never cached: make them look older.
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for e in std::fs::read_dir(&dir).unwrap() {
        let f = std::fs::File::options()
            .write(true)
            .open(e.unwrap().path())
            .unwrap();
        f.set_modified(old).unwrap();
    }
    let sources = [PackSource::Dir(dir)];
    let cache = Cache::at(tmp.path().join("cache"));
    load_with(&sources, &cache).unwrap();
    let mut g = c.benchmark_group(format!("startup-dir/{trials}"));
    g.sample_size(10);
    g.bench_function("load_no_cache", |b| {
        b.iter(|| black_box(load_with(&sources, &Cache::off()).unwrap()))
    });
    g.bench_function("load_warm_cache", |b| {
        b.iter(|| black_box(load_with(&sources, &cache).unwrap()))
    });
    let lib = load_with(&sources, &cache).unwrap().library;
    g.bench_function("app_new", |b| {
        b.iter(|| black_box(App::new(lib.clone(), ThemeName::Dark)))
    });
    g.finish();
}

criterion_group!(benches, first_frame, dir_pack);
criterion_main!(benches);
