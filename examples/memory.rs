//! Where a large pack's memory goes: live heap, allocation count and resident size after
//! loading it and after building its search index, counted by a wrapping allocator.
//!
//!     cargo run --release --example memory -- DIR [QUERY…]
//!
//! DIR is a pack directory (e.g. from `trialdeck dev gen-pack --trials 10000 --out DIR`); the
//! pack cache is the app's (`TRIALDECK_CACHE_DIR`, `off` for none). Each QUERY is then typed
//! into a searcher as the app searches and timed. Figures for PERFORMANCE.md.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static COUNT: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged; the counters are atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(live, Relaxed);
        COUNT.fetch_add(1, Relaxed);
        // SAFETY: the caller's layout is passed on as it is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // The system's realloc, as the app has it (often in place): not alloc, copy and free.
        if new_size >= layout.size() {
            let live = LIVE.fetch_add(new_size - layout.size(), Relaxed) + new_size - layout.size();
            PEAK.fetch_max(live, Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Relaxed);
        }
        // SAFETY: `ptr` came from this allocator with `layout`; the caller upholds the rest.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        COUNT.fetch_sub(1, Relaxed);
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// `VmRSS` and `VmHWM` of this process, in MiB (Linux; empty elsewhere).
fn resident() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map_or_else(String::new, |kib| format!("{:.1} MiB", kib / 1024.0))
    };
    format!("resident {} (peak {})", field("VmRSS:"), field("VmHWM:"))
}

fn report(stage: &str) {
    println!(
        "{stage:<8} live heap {:7.1} MB (peak {:7.1} MB) in {:>9} allocations; {}",
        LIVE.load(Relaxed) as f64 / 1e6,
        PEAK.load(Relaxed) as f64 / 1e6,
        COUNT.load(Relaxed),
        resident()
    );
}

fn main() {
    use trialdeck::content::{Cache, PackSource};
    use trialdeck::pack::load_with;
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: cargo run --release --example memory -- DIR [QUERY…]");
        std::process::exit(2);
    };
    report("start");
    let t = Instant::now();
    let loaded = match load_with(&[PackSource::Dir(dir.into())], &Cache::from_env()) {
        Ok(l) => l,
        Err(report) => {
            eprintln!("{}", report.render());
            std::process::exit(1);
        }
    };
    let lib = std::sync::Arc::new(loaded.library);
    println!("loaded in {:?}", t.elapsed());
    report("library");
    let t = Instant::now();
    let index = trialdeck::search::SearchIndex::build(lib);
    println!("index built in {:?}", t.elapsed());
    report("index");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let mut searcher = trialdeck::search::Searcher::new(index).with_threads(cores);
    for query in args {
        searcher.reset();
        for end in (1..=query.len()).filter(|&i| query.is_char_boundary(i)) {
            let t = Instant::now();
            let hits = searcher.search(&query[..end], trialdeck::tui::app::SEARCH_LIMIT);
            println!(
                "{:<24} {:>4} hits {:?}",
                &query[..end],
                hits.len(),
                t.elapsed()
            );
        }
    }
    report("searched");
}
