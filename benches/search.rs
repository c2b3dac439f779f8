//! Search-as-you-type: each keystroke searches the top `app::SEARCH_LIMIT` (200) hits, as
//! the app does, and highlights the first 50 (a screenful). One criterion iteration types a whole query from an empty cache; divide by the
//! keystrokes (reported as throughput, "elements") for the time per keystroke.
//!
//! Variants, measured side by side on the same libraries:
//! - `fresh`      — `SearchIndex::search` at every keystroke (no cache, one thread)
//! - `narrow`     — `Searcher` re-scoring only the last query's matches
//! - `narrow-2t`  — the same, scoring on two threads when there are many candidates
//! - `fresh-2t`   — no cache, two threads
//!
//! After criterion, a table of per-keystroke medians (each keystroke timed on its own) is
//! printed, because the first keystroke of a query is the slow one and a mean hides it.
//!
//! Times are wall time (a per-thread CPU clock reads in scheduler ticks on some machines and
//! printed 0.000 ms); TRIALDECK_BENCH_CPU=1 times the one-thread columns in thread CPU time.
//!
//! Run: `cargo bench --bench search -- --warm-up-time 1 --measurement-time 3`
//!
//! Side by side with fzf and skim (scripts/bench-search.sh): TRIALDECK_SEARCH_EXPORT=DIR
//! skips criterion, writes each library's records as plain lines (`DIR/NAME.lines`), the
//! keystrokes typed (`DIR/keys`), and trialdeck's per-keystroke wall time as the app searches
//! (narrowing, the machine's cores, `SEARCH_LIMIT`) to `DIR/NAME.trialdeck`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};
use trialdeck::content::Library;
use trialdeck::search::{SearchIndex, Searcher};

const QUERIES: &[&str] = &[
    "emilia",
    "thrombocytopenia",
    "progression free",
    "@resident pfs",
];
/// Hits per keystroke: what the app asks for.
const LIMIT: usize = trialdeck::tui::app::SEARCH_LIMIT;
/// Hits highlighted per keystroke: a screenful.
const SHOWN: usize = 50;
/// Queries typed for the side-by-side comparison: plain words, which every tool reads alike.
const SIDE_QUERIES: &[&str] = &[
    "emilia",
    "thrombocytopenia",
    "progression free",
    "hazard ratio",
    "trastuzumab emtansine",
    "t",
];

#[derive(Clone, Copy)]
enum Variant {
    Fresh,
    Narrow,
    Narrow2,
    Fresh2,
}

impl Variant {
    const ALL: [Variant; 4] = [
        Variant::Fresh,
        Variant::Narrow,
        Variant::Narrow2,
        Variant::Fresh2,
    ];
    fn name(self) -> &'static str {
        match self {
            Variant::Fresh => "fresh",
            Variant::Narrow => "narrow",
            Variant::Narrow2 => "narrow-2t",
            Variant::Fresh2 => "fresh-2t",
        }
    }
    fn threads(self) -> usize {
        match self {
            Variant::Fresh | Variant::Narrow => 1,
            Variant::Narrow2 | Variant::Fresh2 => 2,
        }
    }
    fn searcher(self, index: SearchIndex) -> Searcher {
        let (narrow, threads) = match self {
            Variant::Fresh => (false, 1),
            Variant::Narrow => (true, 1),
            Variant::Narrow2 => (true, 2),
            Variant::Fresh2 => (false, 2),
        };
        Searcher::new(index)
            .with_narrowing(narrow)
            .with_threads(threads)
    }
}

fn prefixes(q: &str) -> Vec<&str> {
    (1..=q.len())
        .filter(|&i| q.is_char_boundary(i))
        .map(|i| &q[..i])
        .collect()
}

/// One keystroke as the UI does it: search, then highlight the rows on screen.
fn keystroke(s: &mut Searcher, p: &str) -> usize {
    let hits = s.search(p, LIMIT);
    let mut n = hits.len();
    for h in hits.iter().take(SHOWN) {
        n += s.highlight(h, p).1.len();
    }
    n
}

fn bundled() -> (String, Library) {
    match trialdeck::content::load_bundled() {
        Ok(l) => ("bundled".into(), l.library),
        Err(_) => (
            "gen20 (bundled failed to load)".into(),
            trialdeck::dev::generate::gen_library(20, 1),
        ),
    }
}

/// The libraries to measure; TRIALDECK_BENCH_LIBS=bundled,1k limits them.
fn libraries() -> Vec<(String, Arc<Library>)> {
    let want = std::env::var("TRIALDECK_BENCH_LIBS").unwrap_or_else(|_| "bundled,1k,10k".into());
    let mut out = Vec::new();
    for w in want.split(',') {
        match w.trim() {
            "bundled" => {
                let (name, lib) = bundled();
                out.push((name, Arc::new(lib)));
            }
            "1k" => out.push((
                "1k".into(),
                Arc::new(trialdeck::dev::generate::gen_library(1_000, 1)),
            )),
            "10k" => out.push((
                "10k".into(),
                Arc::new(trialdeck::dev::generate::gen_library(10_000, 1)),
            )),
            _ => {}
        }
    }
    out
}

fn typing(c: &mut Criterion) {
    for (name, lib) in libraries() {
        let mut g = c.benchmark_group(format!("typing/{name}"));
        g.sample_size(10);
        for v in Variant::ALL {
            let mut s = v.searcher(SearchIndex::build(Arc::clone(&lib)));
            for q in QUERIES {
                let ps = prefixes(q);
                g.throughput(Throughput::Elements(ps.len() as u64));
                g.bench_with_input(BenchmarkId::new(v.name(), q), &ps, |b, ps| {
                    b.iter(|| {
                        s.reset();
                        for p in ps {
                            black_box(keystroke(&mut s, p));
                        }
                    })
                });
            }
        }
        g.finish();
    }
}

/// CPU time of this thread (Linux), so that a busy machine does not inflate single-thread
/// numbers: wall time counts the time other processes held the core.
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}

/// Per-keystroke medians and the worst keystroke, each keystroke timed on its own.
fn keystroke_table(_: &mut Criterion) {
    // Fewer runs on a busy machine: TRIALDECK_BENCH_REPS=3.
    let wall_only = std::env::var_os("TRIALDECK_BENCH_CPU").is_none();
    let reps: usize = std::env::var("TRIALDECK_BENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let clock = if wall_only {
        "all columns wall time"
    } else {
        "1-thread columns are thread CPU time, 2-thread columns wall time"
    };
    println!(
        "\nper-keystroke time (ms): median over all keystrokes of all queries / slowest keystroke \
         (median of {reps} runs; {clock})"
    );
    println!(
        "{:<10} {:>8} {:>17} {:>17} {:>17} {:>17}",
        "library",
        "records",
        Variant::ALL[0].name(),
        Variant::ALL[1].name(),
        Variant::ALL[2].name(),
        Variant::ALL[3].name()
    );
    for (name, lib) in libraries() {
        let t = Instant::now();
        let index = SearchIndex::build(Arc::clone(&lib));
        let build = t.elapsed();
        let records = index.len();
        let mut cols = Vec::new();
        let mut index = Some(index);
        for v in Variant::ALL {
            let mut s = v.searcher(
                index
                    .take()
                    .unwrap_or_else(|| SearchIndex::build(Arc::clone(&lib))),
            );
            // times[k] = runs of keystroke k (over all queries)
            let mut times: Vec<Vec<Duration>> = Vec::new();
            for rep in 0..reps {
                let mut k = 0;
                for q in QUERIES {
                    s.reset();
                    for p in prefixes(q) {
                        let t = Instant::now();
                        let c0 = thread_cpu();
                        black_box(keystroke(&mut s, p));
                        let wall = t.elapsed();
                        // Wall time by default; TRIALDECK_BENCH_CPU=1: thread CPU time for
                        // the single-thread variants (its clock may tick coarsely).
                        let d = match (v.threads(), c0, thread_cpu()) {
                            _ if wall_only => wall,
                            (1, Some(a), Some(b)) => b.saturating_sub(a),
                            _ => wall,
                        };
                        if rep == 0 {
                            times.push(Vec::new());
                        }
                        times[k].push(d);
                        k += 1;
                    }
                }
            }
            let per_key: Vec<Duration> = times.into_iter().map(median).collect();
            let worst = *per_key.iter().max().unwrap();
            cols.push(format!("{} / {}", ms(median(per_key)), ms(worst)));
            index = Some(s.into_index());
        }
        println!(
            "{:<10} {:>8} {:>17} {:>17} {:>17} {:>17}   (index build {} ms)",
            name.split(' ').next().unwrap_or(&name),
            records,
            cols[0],
            cols[1],
            cols[2],
            cols[3],
            ms(build)
        );
    }
}

/// The side-by-side export (see the module docs): corpus lines, keystrokes, and trialdeck's
/// per-keystroke wall time (median of the runs) as the app searches.
fn export(dir: &std::path::Path) {
    use std::fmt::Write as _;
    let reps: usize = std::env::var("TRIALDECK_BENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    std::fs::create_dir_all(dir).unwrap();
    let keys: Vec<&str> = SIDE_QUERIES.iter().flat_map(|q| prefixes(q)).collect();
    std::fs::write(dir.join("keys"), keys.join("\n") + "\n").unwrap();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    for (name, lib) in libraries() {
        let name = name.split(' ').next().unwrap_or(&name).to_string();
        let index = SearchIndex::build(Arc::clone(&lib));
        let mut lines = String::new();
        for r in 0..index.len() {
            lines.push_str(&index.record_line(r));
            lines.push('\n');
        }
        std::fs::write(dir.join(format!("{name}.lines")), lines).unwrap();
        // As App::new builds it.
        let mut s = Searcher::new(index).with_threads(cores);
        let mut times: Vec<Vec<Duration>> = vec![Vec::new(); keys.len()];
        for _ in 0..reps {
            let mut k = 0;
            for q in SIDE_QUERIES {
                s.reset();
                for p in prefixes(q) {
                    let t = Instant::now();
                    black_box(keystroke(&mut s, p));
                    times[k].push(t.elapsed());
                    k += 1;
                }
            }
        }
        let mut out = String::new();
        for (key, t) in keys.iter().zip(times) {
            let _ = writeln!(out, "{key}\t{:.4}", median(t).as_secs_f64() * 1e3);
        }
        std::fs::write(dir.join(format!("{name}.trialdeck")), out).unwrap();
        eprintln!("exported {name}: {} records", s.index().len());
    }
}

criterion_group!(benches, typing, keystroke_table);

fn main() {
    if let Some(dir) = std::env::var_os("TRIALDECK_SEARCH_EXPORT") {
        export(std::path::Path::new(&dir));
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
