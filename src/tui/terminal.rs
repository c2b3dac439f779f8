//! The terminal itself: enter and leave its app modes, and give it back on every exit path
//! (quit, error, panic, signal, hang-up, suspend). The loop that runs on it is
//! [`super::runtime`]; its input is read by [`super::input`].

use ratatui::DefaultTerminal;
use ratatui::crossterm::{
    cursor::Show,
    event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture},
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

/// Let go of a terminal handle without its drop: ratatui's `Terminal` shows the cursor when
/// dropped and, if it cannot (the terminal hung up), prints with `eprintln!`, which panics
/// when stderr is that same closed terminal. [`restore`] shows the cursor on every way out.
pub fn discard(terminal: DefaultTerminal) {
    std::mem::forget(terminal);
}

pub fn enter() -> io::Result<DefaultTerminal> {
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
pub fn install_panic_hook() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        prev(info);
    }));
}

/// Whether our terminal is still there. After a hang-up (the window closed, tmux killed)
/// the tty answers every request with EIO.
pub fn terminal_alive() -> bool {
    // SAFETY: TIOCGWINSZ only writes into the winsize struct we pass.
    unsafe {
        let mut ws: libc::winsize = std::mem::zeroed();
        libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) == 0
    }
}

/// How long the event loop has, after a signal or a hang-up, to leave on its own before the
/// guard restores the terminal and exits for it. The loop notices within one wait (at most
/// 200 ms); this is only for a loop that is stuck.
const SIGNAL_GRACE: Duration = Duration::from_secs(2);

/// Set once the event loop has returned: from then on the caller finishes the session (a
/// handout, the exit status) and the guards must not exit under it.
static LOOP_LEFT: AtomicBool = AtomicBool::new(false);

/// Tell the guards that the event loop has returned.
pub fn loop_left() {
    LOOP_LEFT.store(true, Ordering::SeqCst);
}

/// The signals that stop the app: every one whose default action ends the process, except
/// those that report a fault of the process itself (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
/// SIGTRAP, SIGSYS: the panic hook is for ours) and SIGPIPE (ignored by Rust programs; a
/// write reports the broken pipe instead). SIGKILL cannot be caught.
pub fn stop_signals() -> Vec<libc::c_int> {
    let mut v = vec![
        libc::SIGHUP,
        libc::SIGINT,
        libc::SIGQUIT,
        libc::SIGTERM,
        libc::SIGUSR1,
        libc::SIGUSR2,
        libc::SIGALRM,
        libc::SIGVTALRM,
        libc::SIGPROF,
        libc::SIGXCPU,
        libc::SIGXFSZ,
    ];
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        v.extend([libc::SIGPWR, libc::SIGIO, libc::SIGSTKFLT]);
        // Real-time signals end the process by default too.
        v.extend(libc::SIGRTMIN()..=libc::SIGRTMAX());
    }
    v
}

/// Ask the loop to stop for `sig`; if it has not returned within [`SIGNAL_GRACE`], restore
/// the terminal and exit with 128 + `sig` for it.
fn stop_or_exit(stop: &AtomicI32, sig: i32) {
    let _ = stop.compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst);
    std::thread::sleep(SIGNAL_GRACE);
    if !LOOP_LEFT.load(Ordering::SeqCst) {
        restore();
        std::process::exit(128 + stop.load(Ordering::SeqCst));
    }
}

/// Threads that make sure the process ends: on a signal of [`stop_signals`], and when the
/// terminal disappears (as on SIGHUP), the loop is asked to stop, and leaves the way it does
/// on `q` (so the session's handout is written); only if it has not within a moment is the
/// terminal restored and the process ended with 128 + signal. Later signals are ignored (a
/// closed terminal can send SIGHUP twice: from the shell, then from the kernel).
pub fn spawn_guards(stop: Arc<AtomicI32>) -> io::Result<()> {
    let mut signals = signal_hook::iterator::Signals::new(stop_signals())?;
    let by_signal = Arc::clone(&stop);
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            stop_or_exit(&by_signal, sig);
        }
    });
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(500));
            if !terminal_alive() {
                stop_or_exit(&stop, libc::SIGHUP);
                return;
            }
        }
    });
    Ok(())
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
pub fn install_job_control() -> io::Result<()> {
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
pub fn job_control(terminal: &mut DefaultTerminal) -> io::Result<bool> {
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
///
/// Raw mode is set for real: after a `kill -STOP` we could not see, the shell has put the
/// terminal back in its own (cooked) mode, while crossterm still holds the mode it saved
/// when raw mode was entered and makes `enable_raw_mode` a no-op. Leaving raw mode first
/// (which puts back that saved mode and forgets it) makes the next `enable_raw_mode` read
/// the terminal's mode as it is now and set raw mode over it.
fn reenter(terminal: &mut DefaultTerminal) -> io::Result<()> {
    let _ = disable_raw_mode();
    discard(std::mem::replace(terminal, enter()?));
    execute!(
        stdout(),
        ratatui::crossterm::terminal::Clear(ratatui::crossterm::terminal::ClearType::All)
    )?;
    Ok(())
}

/// Ctrl+Z or SIGTSTP: give the terminal back, stop the whole job until `fg`, then take the
/// terminal again. Where no job-control shell could ever continue us, nothing happens (the
/// kernel ignores SIGTSTP there too).
pub fn suspend(terminal: &mut DefaultTerminal) -> io::Result<()> {
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
