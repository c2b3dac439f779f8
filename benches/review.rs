//! Building a day's quiz queue from a large history: 100,000 logged reviews over a
//! 10,000-trial synthetic pack (`devgen::gen_library(10000, 1)`: 70,000 question cards plus
//! the fact cards generated from its findings and design cards). Target: under 50 ms.
//!
//! - `day_queue/from_store` — read every card's state from the on-disk SQLite store and build
//!   the default session (due cards, then new ones; 50 cards), as the app does when a quiz
//!   starts. Cards and their id index are built once at startup (`build_cards` is measured
//!   separately; the index build time is printed).
//! - `day_queue/queue_only` — the queue from states already in memory.
//! - `day_queue/counts` — the builder's due/new/total counts for one choice.
//! - `build_cards` — generating every question and fact card of the pack (ids and metadata;
//!   a card's text is written from the library when it is shown).
//!
//! Run: `cargo bench --bench review -- --warm-up-time 1 --measurement-time 3`

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Instant;
use trialdeck::dev::generate::gen_library;
use trialdeck::review::queue::{self, Filter};
use trialdeck::review::store::NewReview;
use trialdeck::review::{CardIndex, Grade, Scheduler, Store, build_cards};

const REVIEWS: usize = 100_000;
const NOW: i64 = 1_750_000_000;
const DAY: i64 = 86_400;

fn bench(c: &mut Criterion) {
    let lib = gen_library(10_000, 1);
    let t = Instant::now();
    let cards = build_cards(&lib);
    eprintln!("{} cards built in {:?}", cards.len(), t.elapsed());

    // 100,000 reviews spread over the last year, on a third of the cards, oldest first.
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path(), Scheduler::default()).unwrap();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let studied = cards.len() / 3;
    let mut log: Vec<NewReview> = (0..REVIEWS)
        .map(|_| {
            let card = &cards[(rnd() % studied as u64) as usize];
            NewReview {
                card: card.id.clone(),
                at: NOW - (rnd() % (365 * DAY as u64)) as i64,
                grade: Grade::ALL[[0, 1, 2, 2, 2, 2, 3][(rnd() % 7) as usize]],
                points: rnd() & 0b1111,
                points_total: 4,
                duration_ms: 10_000 + rnd() % 50_000,
            }
        })
        .collect();
    log.sort_by_key(|r| r.at);
    let t = Instant::now();
    store.record_many(&log).unwrap();
    eprintln!("{REVIEWS} reviews logged in {:?}", t.elapsed());
    let t = Instant::now();
    let index = CardIndex::new(&cards);
    eprintln!("card index built in {:?}", t.elapsed());
    let states = store.states_aligned(&index).unwrap();
    let filter = Filter {
        count: Some(50),
        ..Filter::default()
    };
    let today = queue::Today::new(&Scheduler::default(), NOW);
    let counts = queue::counts(&cards, &states, &[], &filter, &today);
    eprintln!(
        "{} cards with state; due {}, new {}, total {}",
        states.iter().flatten().count(),
        counts.due,
        counts.new,
        counts.total
    );

    let mut g = c.benchmark_group("day_queue");
    g.bench_function("from_store", |b| {
        b.iter(|| {
            let states = store.states_aligned(&index).unwrap();
            black_box(queue::build(&cards, &states, &filter, &today))
        })
    });
    g.bench_function("queue_only", |b| {
        b.iter(|| black_box(queue::build(&cards, &states, &filter, &today)))
    });
    g.bench_function("counts", |b| {
        b.iter(|| black_box(queue::counts(&cards, &states, &[], &filter, &today)))
    });
    g.finish();
    c.bench_function("build_cards", |b| b.iter(|| black_box(build_cards(&lib))));
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
