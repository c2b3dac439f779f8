//! The terminal runtime: enter and leave the terminal's app modes, run the event loop, and
//! give the terminal back on every exit path (quit, error, panic, signal, suspend).

use crate::app::App;
use crate::keymap;
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
use std::sync::atomic::{AtomicBool, Ordering};
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

/// Run the app until it quits. The terminal is restored however this returns.
pub fn run(mut app: App) -> io::Result<()> {
    install_panic_hook();
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
    ] {
        signal_hook::flag::register(sig, Arc::clone(&stop))?;
    }
    let mut terminal = match enter() {
        Ok(t) => t,
        Err(e) => {
            restore();
            return Err(e);
        }
    };
    let result = event_loop(&mut terminal, &mut app, &stop);
    restore();
    result
}

fn event_loop(terminal: &mut DefaultTerminal, app: &mut App, stop: &AtomicBool) -> io::Result<()> {
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    loop {
        terminal.draw(|f| crate::ui::render(app, f))?;
        // Wait for input, waking regularly to notice signals.
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            if event::poll(Duration::from_millis(200))? {
                break;
            }
        }
        // Drain what is queued before drawing again, so fast typing never lags behind.
        loop {
            let ev = event::read()?;
            if let Some(action) = keymap::map_event(app.context(), &ev) {
                app.update(action);
            }
            if app.quit || app.suspend || !event::poll(Duration::ZERO)? {
                break;
            }
        }
        if app.quit {
            return Ok(());
        }
        if app.suspend {
            app.suspend = false;
            suspend(terminal)?;
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
