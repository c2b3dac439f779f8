//! Time to first frame: load and validate the bundled pack, build the app (and its search
//! index), and draw the first frame at 120×40. Each stage is measured on its own too, so a
//! regression points at its cause.

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::{Terminal, backend::TestBackend};
use std::hint::black_box;
use trialdeck::app::App;
use trialdeck::content::load_bundled;
use trialdeck::theme::ThemeName;

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
            term.draw(|f| trialdeck::ui::render(&app, f)).unwrap();
        })
    });
    g.bench_function("first_frame_total", |b| {
        b.iter(|| {
            let lib = load_bundled().unwrap().library;
            let mut app = App::new(lib, ThemeName::Dark);
            app.size = (120, 40);
            let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
            term.draw(|f| trialdeck::ui::render(&app, f)).unwrap();
            black_box(term.backend().buffer().area)
        })
    });
    g.finish();
}

criterion_group!(benches, first_frame);
criterion_main!(benches);
