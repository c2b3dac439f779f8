//! The terminal runtime: enter and leave the terminal's app modes, run the event loop, and
//! give the terminal back on every exit path (quit, error, panic, signal, suspend).

use crate::app::{App, Effect};
use ratatui::DefaultTerminal;
use ratatui::crossterm::{
    cursor::Show,
    event::{
        self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    },
    execute,
    terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode},
};
use std::io::{self, stdout};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::Duration;

/// Leave every mode we entered. Safe to call more than once.
pub fn restore() {
    let _ = execute!(
        stdout(),
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        Show
    );
    let _ = disable_raw_mode();
}

fn enter() -> io::Result<DefaultTerminal> {
    enable_raw_mode()?;
    execute!(
        stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )?;
    let backend = ratatui::backend::CrosstermBackend::new(stdout());
    ratatui::Terminal::new(backend)
}

/// Restore the terminal before the default panic message is printed.
fn install_panic_hook() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        prev(info);
    }));
}

/// Whether our terminal is still there. After a hang-up (the window closed, tmux killed)
/// the tty answers every request with EIO, and crossterm would wait on it forever.
fn terminal_alive() -> bool {
    // SAFETY: TIOCGWINSZ only writes into the winsize struct we pass.
    unsafe {
        let mut ws: libc::winsize = std::mem::zeroed();
        libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) == 0
    }
}

/// How long the event loop has, after a signal, to leave on its own before the guard
/// restores the terminal and exits for it.
const SIGNAL_GRACE: Duration = Duration::from_millis(600);

/// Threads that make sure the process ends: on SIGTERM/SIGHUP/SIGINT (the loop is asked to
/// stop; if it has not within a moment, the terminal is restored and the process exits with
/// 128 + signal), and when the terminal disappears.
fn spawn_guards(stop: Arc<AtomicI32>) -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])?;
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            stop.store(sig, Ordering::SeqCst);
            std::thread::sleep(SIGNAL_GRACE);
            restore();
            std::process::exit(128 + sig);
        }
    });
    std::thread::spawn(|| {
        loop {
            std::thread::sleep(Duration::from_millis(500));
            if !terminal_alive() {
                // Nobody is left to see the screen; restoring would only fail.
                std::process::exit(128 + libc::SIGHUP);
            }
        }
    });
    Ok(())
}

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
    restore();
    result.map(|()| match stop.load(Ordering::SeqCst) {
        0 => None,
        sig => Some(sig),
    })
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
        let now = crate::app::quiz::unix(std::time::SystemTime::now());
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
                    let hits = searcher.search(&req.1, crate::app::SEARCH_LIMIT);
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
    app.search_mode = crate::app::SearchMode::Batched;
    app.update(
        crate::action::Action::Resize(size.width, size.height),
        std::time::SystemTime::now(),
    );
    loop {
        terminal.draw(|f| crate::ui::render(app, f))?;
        if first {
            // The first frame is on screen: now build the search index (keys typed meanwhile
            // wait in the queue), and for large libraries start the search worker.
            first = false;
            if app.searcher().index().len() >= ASYNC_SEARCH_RECORDS {
                worker = Some(SearchWorker::spawn(app.searcher().share())?);
                app.search_mode = crate::app::SearchMode::Worker;
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
            if event::poll(Duration::from_millis(wait))? {
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
                app.update(crate::action::Action::Tick, std::time::SystemTime::now());
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
            if !event::poll(Duration::ZERO)? {
                break;
            }
            let ev = event::read()?;
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
                let since = crate::app::quiz::unix(now) - 31 * crate::review::fsrs::DAY;
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

// ---- Job control ------------------------------------------------------------------------
//
// Like vim: on SIGTSTP (from the terminal's Ctrl+Z when the app is not in raw mode, from
// `kill -TSTP`, or Ctrl+Z read as a key in raw mode) the terminal is given back first, then
// the whole job is stopped: every process of our process group, so a wrapper script stops
// with us and its shell gets the prompt back. On SIGCONT (`fg`, or `kill -CONT` after a
// `kill -STOP` we could not see) the terminal modes are entered again and the screen is
// redrawn, so the app is never left deaf in a cooked terminal.

/// A SIGTSTP arrived and the app has not stopped for it yet.
static TSTP_PENDING: AtomicBool = AtomicBool::new(false);
/// A SIGCONT arrived and the terminal has not been taken again since.
static CONT_PENDING: AtomicBool = AtomicBool::new(false);

/// Catch SIGTSTP and SIGCONT (once per process): the handlers only set a flag, which the
/// event loop reads between events.
fn install_job_control() -> io::Result<()> {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    // SAFETY: the actions only store to atomics, which is async-signal-safe.
    unsafe {
        signal_hook::low_level::register(signal_hook::consts::SIGTSTP, || {
            TSTP_PENDING.store(true, Ordering::SeqCst)
        })?;
        signal_hook::low_level::register(signal_hook::consts::SIGCONT, || {
            CONT_PENDING.store(true, Ordering::SeqCst)
        })?;
    }
    Ok(())
}

/// Act on a pending SIGTSTP or SIGCONT. Returns whether the terminal was taken again (the
/// caller redraws).
fn job_control(terminal: &mut DefaultTerminal) -> io::Result<bool> {
    if TSTP_PENDING.swap(false, Ordering::SeqCst) {
        suspend(terminal)?;
        return Ok(true);
    }
    if CONT_PENDING.swap(false, Ordering::SeqCst) {
        reenter(terminal)?;
        return Ok(true);
    }
    Ok(false)
}

/// Enter the terminal's app modes again and clear it, so the next draw paints everything.
/// (Clears with the escape sequence itself: `Terminal::clear` asks the terminal where its
/// cursor is and waits for the answer, which not every terminal gives.)
fn reenter(terminal: &mut DefaultTerminal) -> io::Result<()> {
    *terminal = enter()?;
    execute!(
        stdout(),
        ratatui::crossterm::terminal::Clear(ratatui::crossterm::terminal::ClearType::All)
    )?;
    Ok(())
}

/// Ctrl+Z or SIGTSTP: give the terminal back, stop the whole job until `fg`, then take the
/// terminal again. Where no job-control shell could ever continue us, nothing happens (the
/// kernel ignores SIGTSTP there too).
fn suspend(terminal: &mut DefaultTerminal) -> io::Result<()> {
    if !stopping_is_safe() {
        return Ok(());
    }
    restore();
    stop_job();
    // Continued. SIGCONT's flag is spent by taking the terminal now.
    reenter(terminal)?;
    CONT_PENDING.store(false, Ordering::SeqCst);
    Ok(())
}

/// Stop every process of our process group (a wrapper script and us). SIGSTOP cannot be
/// caught, so this returns only once the job is continued.
fn stop_job() {
    // SAFETY: plain system call; pid 0 is our process group.
    unsafe {
        libc::kill(0, libc::SIGSTOP);
    }
}

/// Whether something can continue us once stopped: the kernel's test for an "orphaned"
/// process group, along our ancestors. Our group may stop if the first ancestor outside
/// it is in our session (a shell with job control, which waits for the job and has `fg`).
fn stopping_is_safe() -> bool {
    // SAFETY: plain system calls that only read process ids.
    unsafe {
        let pgrp = libc::getpgrp();
        let sid = libc::getsid(0);
        let mut ancestor = libc::getppid();
        for _ in 0..64 {
            if ancestor <= 1 {
                return false;
            }
            let group = libc::getpgid(ancestor);
            if group < 0 {
                return false;
            }
            if group != pgrp {
                return libc::getsid(ancestor) == sid;
            }
            match parent_of(ancestor) {
                Some(p) => ancestor = p,
                // Cannot look further up: stop, as asked.
                None => return true,
            }
        }
        false
    }
}

/// The parent of another process, where the system tells (Linux: /proc).
fn parent_of(pid: libc::pid_t) -> Option<libc::pid_t> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid …`; comm may hold spaces and parentheses.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}
