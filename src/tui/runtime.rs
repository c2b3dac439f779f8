//! The runtime: the event loop over the terminal, carrying out the app's effects (writing a
//! review, a file, reading statistics) and running the search worker. The terminal's modes,
//! signals and job control are in [`super::terminal`].

use super::input;
use super::terminal::{
    enter, install_job_control, install_panic_hook, job_control, loop_left, restore, spawn_guards,
    suspend, terminal_alive,
};
use crate::tui::app::{App, Effect};
use ratatui::DefaultTerminal;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

/// Run the app until it quits. The terminal is restored however this returns. Returns the
/// signal that stopped it, if one did (the caller exits with 128 + signal).
/// The app comes back too, so the caller can finish what the session leaves (a handout).
pub fn run(app: &mut App, store: Option<&mut crate::review::Store>) -> io::Result<Option<i32>> {
    install_panic_hook();
    let stop = Arc::new(AtomicI32::new(0));
    spawn_guards(Arc::clone(&stop))?;
    install_job_control()?;
    let mut terminal = match enter() {
        Ok(t) => t,
        Err(e) => {
            restore();
            return Err(e);
        }
    };
    let mut effects = Effects {
        store,
        recorded: Vec::new(),
    };
    let result = event_loop(&mut terminal, app, &stop, &mut effects);
    loop_left();
    restore();
    super::terminal::discard(terminal);
    match (result, stop.load(Ordering::SeqCst)) {
        (Ok(()), 0) => Ok(None),
        // Stopping for a signal: an error on the way (a terminal gone) changes nothing.
        (_, sig @ 1..) => Ok(Some(sig)),
        // The terminal went away under the loop: stop as on SIGHUP.
        (Err(e), _) if input::is_hang_up(&e) || !terminal_alive() => Ok(Some(libc::SIGHUP)),
        (r, _) => r.map(|()| None),
    }
}

/// What carries out the effects that touch the world beyond the terminal.
struct Effects<'s> {
    store: Option<&'s mut crate::review::Store>,
    /// Reviews recorded in this run, newest last: (card, log row id), for undo.
    recorded: Vec<(String, i64)>,
}

impl Effects<'_> {
    fn record(&mut self, r: &crate::review::NewReview) -> Option<String> {
        let store = self.store.as_deref_mut()?;
        match store.record(r) {
            Ok(rec) => {
                self.recorded
                    .push((r.card.as_str().to_string(), rec.review_id));
                None
            }
            Err(e) => Some(format!("this grade was NOT saved: {e}")),
        }
    }

    fn unrecord(&mut self, card: &crate::review::CardId) -> Option<String> {
        let store = self.store.as_deref_mut()?;
        let i = self
            .recorded
            .iter()
            .rposition(|(c, _)| c == card.as_str())?;
        let (_, id) = self.recorded.remove(i);
        let now = crate::tui::app::quiz::unix(std::time::SystemTime::now());
        match store.undo(id, now) {
            Ok(_) => Some("undone: the last grade is taken back".into()),
            Err(e) => Some(format!("could not undo in the history: {e}")),
        }
    }
}

/// From this many search records, scoring runs on a worker thread so the UI never waits for it.
const ASYNC_SEARCH_RECORDS: usize = 20_000;

/// The search worker: scores the newest query it has been sent (older ones waiting in the
/// channel are skipped) and sends the hits back.
struct SearchWorker {
    requests: std::sync::mpsc::Sender<(u64, String)>,
    results: std::sync::mpsc::Receiver<(u64, Vec<crate::search::Hit>)>,
}

impl SearchWorker {
    fn spawn(mut searcher: crate::search::Searcher) -> io::Result<SearchWorker> {
        let (req_tx, req_rx) = std::sync::mpsc::channel::<(u64, String)>();
        let (res_tx, res_rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("search".into())
            .spawn(move || {
                while let Ok(mut req) = req_rx.recv() {
                    // Bursts coalesce: only the newest query is scored.
                    while let Ok(newer) = req_rx.try_recv() {
                        req = newer;
                    }
                    let hits = searcher.search(&req.1, crate::tui::app::SEARCH_LIMIT);
                    if res_tx.send((req.0, hits)).is_err() {
                        break;
                    }
                }
            })?;
        Ok(SearchWorker {
            requests: req_tx,
            results: res_rx,
        })
    }
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    stop: &AtomicI32,
    effects: &mut Effects,
) -> io::Result<()> {
    let mut worker: Option<SearchWorker> = None;
    let mut first = true;
    let size = terminal.size()?;
    // A burst of keys (fast typing, a paste) runs one search, after the burst.
    app.search_mode = crate::tui::app::SearchMode::Batched;
    app.update(
        crate::tui::action::Action::Resize(size.width, size.height),
        std::time::SystemTime::now(),
    );
    loop {
        terminal.draw(|f| crate::tui::ui::render(app, f))?;
        if first {
            // The first frame is on screen: now build the search index (keys typed meanwhile
            // wait in the queue), and for large libraries start the search worker.
            first = false;
            if app.searcher().index().len() >= ASYNC_SEARCH_RECORDS {
                worker = Some(SearchWorker::spawn(app.searcher().share())?);
                app.search_mode = crate::tui::app::SearchMode::Worker;
            }
        }
        // Wait for input, waking regularly to notice signals.
        let mut redraw = false;
        loop {
            if stop.load(Ordering::SeqCst) != 0 {
                return Ok(());
            }
            if job_control(terminal)? {
                redraw = true;
                break;
            }
            // While the worker scores a query, look for its hits often.
            let wait = if app.search_pending() { 8 } else { 200 };
            if input::poll(Duration::from_millis(wait))? {
                break;
            }
            if let Some(w) = &worker
                && let Ok((seq, hits)) = w.results.try_recv()
            {
                app.apply_search_results(seq, hits);
                redraw = true;
                break;
            }
            if app.ticking() {
                // A countdown is running: let it move on screen.
                app.update(
                    crate::tui::action::Action::Tick,
                    std::time::SystemTime::now(),
                );
                redraw = true;
                break;
            }
        }
        if redraw {
            continue;
        }
        // Drain what is queued before drawing again, so fast typing never lags behind.
        let mut effect = Effect::None;
        loop {
            if !input::poll(Duration::ZERO)? {
                break;
            }
            let ev = input::read()?;
            if let Some(action) = app.keymap.map_event(app.context(), &ev) {
                effect = app.update(action, std::time::SystemTime::now());
            }
            if effect != Effect::None || stop.load(Ordering::SeqCst) != 0 {
                break;
            }
        }
        app.flush_search();
        if let (Some(w), Some(req)) = (&worker, app.take_search_request()) {
            let _ = w.requests.send(req);
        }
        match effect {
            Effect::Quit => return Ok(()),
            Effect::Suspend => suspend(terminal)?,
            Effect::Write { path, contents } => {
                let msg = match crate::fsutil::write_atomically(&path, contents.as_bytes(), false) {
                    Ok(()) => format!("wrote {}", path.display()),
                    Err(e) => format!("could not write {}: {e}", path.display()),
                };
                app.notify(crate::content::sanitize::clean(&msg));
            }
            Effect::Record(r) => {
                if let Some(m) = effects.record(&r) {
                    app.notify(crate::content::sanitize::clean(&m));
                }
            }
            Effect::Unrecord(c) => {
                if let Some(m) = effects.unrecord(&c) {
                    app.notify(crate::content::sanitize::clean(&m));
                }
            }
            Effect::LoadStats => {
                let now = std::time::SystemTime::now();
                let since = crate::tui::app::quiz::unix(now) - 31 * crate::review::fsrs::DAY;
                let rows = match effects.store.as_deref() {
                    Some(store) => match store.reviews_since(since) {
                        Ok(r) => r,
                        Err(e) => {
                            app.notify(crate::content::sanitize::clean(&format!(
                                "cannot read the review history: {e}"
                            )));
                            Vec::new()
                        }
                    },
                    None => Vec::new(),
                };
                app.show_stats(&rows);
            }
            Effect::None => {}
        }
    }
}
