//! The terminal's input: bytes read from the tty, parsed into crossterm [`Event`]s, in place
//! of crossterm's own `event::poll`/`event::read` (same shape: [`poll`] and [`read`]).
//!
//! Why not crossterm's reader (0.29, Unix):
//! - Its default source registers the tty with epoll *edge-triggered* and returns after the
//!   first event it parses, without reading to `EAGAIN`. After a burst larger than one read
//!   (a paste the terminal does not bracket, `tmux send-keys` of a long string) the rest waits
//!   in the tty's queue, no new edge comes while the queue is full, and the app stops reading
//!   for good (upstream PR #1057).
//! - Its `use-dev-tty` source polls level-triggered, but it reads the (blocking) stdin again
//!   whenever a read ended inside an escape sequence, so it can block past any timeout.
//! - An `ESC[200~` (bracketed paste start) with no `ESC[201~` makes its parser keep every later
//!   byte as part of the paste: all input is swallowed (upstream #1060).
//! - After a hang-up, `read` returns 0 and its inner loop retries forever; the caller never
//!   gets control back to stop.
//!
//! Here: `poll(2)`, level-triggered, on the tty and on a SIGWINCH self-pipe; each wake-up reads
//! everything queued (up to [`READ_BUDGET`]) before parsing, checking readiness with a zero
//! timeout before each `read`, so stdin is never switched to non-blocking (that flag lives
//! on the file description the shell shares). Escape sequences are parsed by `terminput`
//! (crossterm's parser, kept as its own crate) and converted with `terminput-crossterm`, so
//! keys mean exactly what they meant before. A bracketed paste ends at its end marker, or once
//! the input has been quiet for [`PASTE_QUIET`], or at [`PASTE_MAX`] bytes. A hang-up is an
//! error that [`is_hang_up`] recognises.

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::collections::VecDeque;
use std::io::{self, Read};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A bracketed paste whose end marker has not come ends when no byte has arrived for this
/// long (terminals write a paste at once; a pause this long means the marker is lost).
pub const PASTE_QUIET: Duration = Duration::from_millis(300);

/// A bracketed paste ends at this size even without its end marker.
pub const PASTE_MAX: usize = 1 << 20;

/// Most bytes taken from the tty in one wake-up; the rest is read on the next (poll is
/// level-triggered, so nothing waits for a new edge).
pub const READ_BUDGET: usize = 64 * 1024;

/// An escape sequence longer than this is not one we know: its bytes are dropped.
const MAX_SEQUENCE: usize = 64;

const PASTE_START: &[u8] = b"\x1b[200~";
const PASTE_END: &[u8] = b"\x1b[201~";
const ESC: u8 = 0x1b;

/// The error of a terminal that hung up (its window closed, its multiplexer killed).
#[derive(Debug)]
struct HungUp;

impl std::fmt::Display for HungUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the terminal hung up")
    }
}

impl std::error::Error for HungUp {}

fn hung_up() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, HungUp)
}

/// Whether `e` says the terminal hung up (from [`poll`], [`read`] or [`Parser`]'s reader).
pub fn is_hang_up(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<HungUp>())
}

/// Bytes to events: escape sequences, UTF-8, and bracketed pastes, with the paste bounded in
/// time and size. Pure (no I/O), so it is tested byte by byte.
#[derive(Debug, Default)]
pub struct Parser {
    /// An escape sequence (or UTF-8 character) in progress.
    pending: Vec<u8>,
    /// Inside a bracketed paste: its bytes so far.
    paste: Option<Vec<u8>>,
    events: VecDeque<Event>,
}

impl Parser {
    /// Feed bytes that arrived together. `more` says whether more bytes are known to follow at
    /// once: a lone ESC at the very end is the Esc key only when none do.
    pub fn advance(&mut self, bytes: &[u8], more: bool) {
        for (i, &b) in bytes.iter().enumerate() {
            let more = more || i + 1 < bytes.len();
            if let Some(paste) = &mut self.paste {
                paste.push(b);
                if paste.ends_with(PASTE_END) {
                    let mut text = self.paste.take().unwrap_or_default();
                    text.truncate(text.len() - PASTE_END.len());
                    self.push_paste(text);
                } else if paste.len() >= PASTE_MAX {
                    self.end_paste();
                }
                continue;
            }
            self.pending.push(b);
            if self.pending == PASTE_START {
                self.pending.clear();
                self.paste = Some(Vec::new());
                continue;
            }
            if self.pending == [ESC] && more {
                // Maybe the start of a sequence: wait for its next byte.
                continue;
            }
            match terminput::Event::parse_from(&self.pending) {
                Ok(Some(ev)) => {
                    self.pending.clear();
                    if let Ok(ev) = terminput_crossterm::to_crossterm(ev) {
                        self.events.push_back(ev);
                    }
                }
                Ok(None) if self.pending.len() < MAX_SEQUENCE => {}
                // Not a sequence we know, or one that never ends: drop it and read on.
                _ => self.pending.clear(),
            }
        }
    }

    /// The input has gone quiet: a lone ESC is the Esc key, and a paste without its end
    /// marker ends here with what it has.
    pub fn quiet(&mut self) {
        if self.pending == [ESC] {
            self.pending.clear();
            self.events
                .push_back(Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
        }
        self.end_paste();
    }

    /// Whether a bracketed paste has started and not ended.
    pub fn in_paste(&self) -> bool {
        self.paste.is_some()
    }

    /// Whether what was read so far waits for more input to mean anything: a paste without
    /// its end marker, or an ESC at the end of a read that was cut short. [`Parser::quiet`]
    /// settles it when nothing more comes.
    pub fn waiting(&self) -> bool {
        self.in_paste() || self.pending == [ESC]
    }

    fn end_paste(&mut self) {
        if let Some(text) = self.paste.take() {
            self.push_paste(text);
        }
    }

    fn push_paste(&mut self, text: Vec<u8>) {
        self.events
            .push_back(Event::Paste(String::from_utf8_lossy(&text).into_owned()));
    }

    /// The oldest event parsed and not yet taken.
    pub fn pop_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    pub fn push(&mut self, ev: Event) {
        self.events.push_back(ev);
    }
}

/// The terminal's input: the tty (stdin, or `/dev/tty` when stdin is not one) and the window
/// size changes.
pub struct TtyInput {
    /// `/dev/tty` when we opened it (stdin is borrowed, never closed).
    _owned: Option<std::fs::File>,
    fd: RawFd,
    winch: UnixStream,
    winch_id: signal_hook::SigId,
    parser: Parser,
    /// When the last byte arrived (a paste without its end marker ends after a quiet spell).
    last_byte: Instant,
    hung_up: bool,
}

impl Drop for TtyInput {
    fn drop(&mut self) {
        signal_hook::low_level::unregister(self.winch_id);
    }
}

fn poll_fds(fds: &mut [libc::pollfd], timeout: Option<Duration>) -> io::Result<usize> {
    let ms = match timeout {
        None => -1,
        // Round up, so a short wait is not a busy loop.
        Some(t) => t
            .as_micros()
            .div_ceil(1000)
            .min(i32::MAX as u128)
            .try_into()
            .unwrap_or(i32::MAX),
    };
    // SAFETY: `fds` is a valid, exclusively borrowed slice of pollfd for the call.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms) };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

fn readable(fd: RawFd, timeout: Option<Duration>) -> io::Result<i16> {
    let mut fds = [libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    }];
    loop {
        match poll_fds(&mut fds, timeout) {
            Ok(_) => return Ok(fds[0].revents),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

impl TtyInput {
    pub fn new() -> io::Result<TtyInput> {
        // SAFETY: isatty only inspects the descriptor.
        let (owned, fd) = if unsafe { libc::isatty(libc::STDIN_FILENO) } == 1 {
            (None, libc::STDIN_FILENO)
        } else {
            let f = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/tty")?;
            let fd = f.as_raw_fd();
            (Some(f), fd)
        };
        let (winch, sender) = UnixStream::pair()?;
        winch.set_nonblocking(true)?;
        sender.set_nonblocking(true)?;
        let winch_id = signal_hook::low_level::pipe::register(libc::SIGWINCH, sender)?;
        Ok(TtyInput {
            _owned: owned,
            fd,
            winch,
            winch_id,
            parser: Parser::default(),
            last_byte: Instant::now(),
            hung_up: false,
        })
    }

    /// Whether an event is ready within `timeout` (then [`TtyInput::read`] returns it at once).
    pub fn poll(&mut self, timeout: Duration) -> io::Result<bool> {
        let deadline = Instant::now().checked_add(timeout);
        loop {
            if self.parser.has_events() {
                return Ok(true);
            }
            if self.hung_up {
                return Err(hung_up());
            }
            let now = Instant::now();
            // A paste without its end marker ends once the input is quiet: wake up for that.
            let paste_end = self.parser.waiting().then(|| self.last_byte + PASTE_QUIET);
            let wake = match (deadline, paste_end) {
                (Some(d), Some(p)) => Some(d.min(p)),
                (d, p) => d.or(p),
            };
            let wait = wake.map(|w| w.saturating_duration_since(now));
            let mut fds = [
                libc::pollfd {
                    fd: self.fd,
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: self.winch.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            match poll_fds(&mut fds, wait) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            if fds[0].revents & libc::POLLNVAL != 0 {
                return Err(io::Error::other("the terminal's input is closed"));
            }
            if fds[0].revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0 {
                self.fill()?;
            }
            if fds[1].revents & libc::POLLIN != 0 {
                let mut sink = [0u8; 64];
                while matches!((&self.winch).read(&mut sink), Ok(n) if n > 0) {}
                let (w, h) = ratatui::crossterm::terminal::size()?;
                self.parser.push(Event::Resize(w, h));
            }
            if self.parser.waiting() && self.last_byte.elapsed() >= PASTE_QUIET {
                self.parser.quiet();
            }
            if self.parser.has_events() {
                return Ok(true);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(false);
            }
        }
    }

    /// The next event, waiting as long as it takes.
    pub fn read(&mut self) -> io::Result<Event> {
        loop {
            if self.poll(Duration::from_secs(3600))?
                && let Some(ev) = self.parser.pop_event()
            {
                return Ok(ev);
            }
        }
    }

    /// Read everything queued on the tty (up to [`READ_BUDGET`]) and parse it.
    fn fill(&mut self) -> io::Result<()> {
        let mut buf = [0u8; 4096];
        let mut taken = 0;
        let mut got: Vec<u8> = Vec::new();
        loop {
            // SAFETY: reads into our own buffer, at most its length.
            let n = unsafe { libc::read(self.fd, buf.as_mut_ptr().cast(), buf.len()) };
            if n < 0 {
                let e = io::Error::last_os_error();
                match e.kind() {
                    io::ErrorKind::Interrupted => continue,
                    io::ErrorKind::WouldBlock => break,
                    // EIO: the terminal is gone.
                    _ if e.raw_os_error() == Some(libc::EIO) => {
                        self.hung_up = true;
                        break;
                    }
                    _ => return Err(e),
                }
            }
            if n == 0 {
                // End of file on a terminal in raw mode: it hung up.
                self.hung_up = true;
                break;
            }
            got.extend_from_slice(&buf[..n as usize]);
            taken += n as usize;
            if taken >= READ_BUDGET {
                break;
            }
            // Only read again when that cannot block.
            let revents = readable(self.fd, Some(Duration::ZERO))?;
            if revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) == 0 {
                break;
            }
        }
        if !got.is_empty() {
            self.last_byte = Instant::now();
            let more = taken >= READ_BUDGET;
            self.parser.advance(&got, more);
        }
        Ok(())
    }
}

/// The process's one reader, made on first use (as crossterm's is).
static INPUT: Mutex<Option<TtyInput>> = Mutex::new(None);

fn with_input<T>(f: impl FnOnce(&mut TtyInput) -> io::Result<T>) -> io::Result<T> {
    let mut guard = INPUT.lock().unwrap_or_else(|e| e.into_inner());
    if guard.is_none() {
        *guard = Some(TtyInput::new()?);
    }
    f(guard.as_mut().expect("made above"))
}

/// Make the reader now (it listens for resizes from then on): before the first frame, so a
/// resize while the app starts is never missed.
pub fn init() -> io::Result<()> {
    with_input(|_| Ok(()))
}

/// Whether an event is ready within `timeout` (crossterm's `event::poll`). Errors when the
/// terminal hung up ([`is_hang_up`]).
pub fn poll(timeout: Duration) -> io::Result<bool> {
    with_input(|i| i.poll(timeout))
}

/// The next event, waiting for it (crossterm's `event::read`).
pub fn read() -> io::Result<Event> {
    with_input(TtyInput::read)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(p: &mut Parser) -> Vec<Event> {
        std::iter::from_fn(|| p.pop_event()).collect()
    }

    fn key(code: KeyCode, m: KeyModifiers) -> Event {
        Event::Key(KeyEvent::new(code, m))
    }

    #[test]
    fn keys_escapes_and_utf8() {
        let mut p = Parser::default();
        p.advance(b"a\x03\x1b[A\x1bOB\r\x7f\xc3\xa9", false);
        assert_eq!(
            events(&mut p),
            vec![
                key(KeyCode::Char('a'), KeyModifiers::NONE),
                key(KeyCode::Char('c'), KeyModifiers::CONTROL),
                key(KeyCode::Up, KeyModifiers::NONE),
                key(KeyCode::Down, KeyModifiers::NONE),
                key(KeyCode::Enter, KeyModifiers::NONE),
                key(KeyCode::Backspace, KeyModifiers::NONE),
                key(KeyCode::Char('é'), KeyModifiers::NONE),
            ]
        );
    }

    #[test]
    fn a_sequence_split_across_reads_is_one_key() {
        let mut p = Parser::default();
        p.advance(b"\x1b", true);
        p.advance(b"[1;5", false);
        assert!(!p.has_events());
        p.advance(b"C", false);
        assert_eq!(
            events(&mut p),
            vec![key(KeyCode::Right, KeyModifiers::CONTROL)]
        );
    }

    #[test]
    fn a_lone_esc_is_the_esc_key() {
        let mut p = Parser::default();
        p.advance(b"\x1b", false);
        assert_eq!(events(&mut p), vec![key(KeyCode::Esc, KeyModifiers::NONE)]);
        // Waiting for more, then nothing came.
        p.advance(b"\x1b", true);
        assert!(!p.has_events());
        p.quiet();
        assert_eq!(events(&mut p), vec![key(KeyCode::Esc, KeyModifiers::NONE)]);
    }

    #[test]
    fn a_bracketed_paste_is_one_event_even_split() {
        let mut p = Parser::default();
        p.advance(b"\x1b[200~two\r\nlines \x1b", false);
        assert!(p.in_paste() && !p.has_events());
        p.advance(b"[201~x", false);
        assert_eq!(
            events(&mut p),
            vec![
                Event::Paste("two\r\nlines ".into()),
                key(KeyCode::Char('x'), KeyModifiers::NONE),
            ]
        );
    }

    #[test]
    fn a_paste_without_its_end_ends_when_quiet_and_keys_are_keys_again() {
        let mut p = Parser::default();
        p.advance(b"\x1b[200~abc", false);
        assert!(!p.has_events());
        p.quiet();
        assert!(!p.in_paste());
        p.advance(b"q", false);
        assert_eq!(
            events(&mut p),
            vec![
                Event::Paste("abc".into()),
                key(KeyCode::Char('q'), KeyModifiers::NONE),
            ]
        );
    }

    #[test]
    fn a_paste_without_its_end_ends_at_the_size_cap() {
        let mut p = Parser::default();
        p.advance(PASTE_START, false);
        p.advance(&vec![b'x'; PASTE_MAX + 3], false);
        let evs = events(&mut p);
        assert_eq!(evs.len(), 4, "the paste, then three keys");
        assert!(matches!(&evs[0], Event::Paste(s) if s.len() == PASTE_MAX));
    }

    #[test]
    fn an_endless_sequence_is_dropped_and_reading_goes_on() {
        let mut p = Parser::default();
        let mut bytes = b"\x1b[".to_vec();
        bytes.extend(std::iter::repeat_n(b'1', 500));
        p.advance(&bytes, false);
        p.advance(b"z", false);
        // The sequence is given up at its length cap (its tail reads as plain digits).
        assert_eq!(
            events(&mut p).last(),
            Some(&key(KeyCode::Char('z'), KeyModifiers::NONE))
        );
    }

    #[test]
    fn mouse_reports_are_clicks_and_wheel_turns() {
        use ratatui::crossterm::event::{MouseButton, MouseEventKind};
        let mut p = Parser::default();
        p.advance(b"\x1b[<0;10;5M\x1b[<65;3;4M", false);
        let evs = events(&mut p);
        assert!(
            matches!(&evs[0], Event::Mouse(m) if m.kind == MouseEventKind::Down(MouseButton::Left)
                && (m.column, m.row) == (9, 4)),
            "{evs:?}"
        );
        assert!(
            matches!(&evs[1], Event::Mouse(m) if m.kind == MouseEventKind::ScrollDown),
            "{evs:?}"
        );
    }

    #[test]
    fn a_hang_up_is_recognised() {
        assert!(is_hang_up(&hung_up()));
        assert!(!is_hang_up(&io::Error::other("x")));
    }
}
