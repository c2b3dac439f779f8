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
use std::sync::atomic::{AtomicI32, Ordering};
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
pub fn run(mut app: App) -> io::Result<Option<i32>> {
    install_panic_hook();
    let stop = Arc::new(AtomicI32::new(0));
    spawn_guards(Arc::clone(&stop))?;
    let mut terminal = match enter() {
        Ok(t) => t,
        Err(e) => {
            restore();
            return Err(e);
        }
    };
    let result = event_loop(&mut terminal, &mut app, &stop);
    restore();
    result.map(|()| match stop.load(Ordering::SeqCst) {
        0 => None,
        sig => Some(sig),
    })
}

fn event_loop(terminal: &mut DefaultTerminal, app: &mut App, stop: &AtomicI32) -> io::Result<()> {
    let size = terminal.size()?;
    app.update(
        crate::action::Action::Resize(size.width, size.height),
        std::time::SystemTime::now(),
    );
    loop {
        terminal.draw(|f| crate::ui::render(app, f))?;
        // Wait for input, waking regularly to notice signals.
        loop {
            if stop.load(Ordering::SeqCst) != 0 {
                return Ok(());
            }
            if event::poll(Duration::from_millis(200))? {
                break;
            }
        }
        // Drain what is queued before drawing again, so fast typing never lags behind.
        let mut effect = Effect::None;
        loop {
            let ev = event::read()?;
            if let Some(action) = app.keymap.map_event(app.context(), &ev) {
                effect = app.update(action, std::time::SystemTime::now());
            }
            if effect != Effect::None
                || stop.load(Ordering::SeqCst) != 0
                || !event::poll(Duration::ZERO)?
            {
                break;
            }
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
            Effect::None => {}
        }
    }
}

/// Ctrl+Z: give the terminal back, stop until `fg`, then take it again and redraw.
fn suspend(terminal: &mut DefaultTerminal) -> io::Result<()> {
    restore();
    #[cfg(unix)]
    {
        let _ = signal_hook::low_level::raise(signal_hook::consts::SIGTSTP);
    }
    *terminal = enter()?;
    terminal.clear()?;
    Ok(())
}
