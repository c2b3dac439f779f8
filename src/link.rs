//! The presenter link: two terminals, one round. The room (`trialdeck rounds`, on the
//! projector) listens on a Unix domain socket; a presenter (`trialdeck rounds --presenter`,
//! on the attending's own terminal) connects to it. Nothing here knows a terminal: the
//! runtime carries the messages, the app decides what they mean.
//!
//! Where: `$XDG_RUNTIME_DIR/trialdeck/<name>.sock`, or, without a runtime directory,
//! `<temp dir>/trialdeck-<uid>/<name>.sock`. The directory is created private (700) and
//! refused if it is anyone else's or open to others; the socket is 600, and a connection
//! from another user is closed unanswered (its peer credentials are checked).
//!
//! One round per name: the room holds an exclusive `flock` on `<name>.lock` for as long as
//! it runs. The kernel drops the lock when the process dies, however it dies, so a socket
//! left by a killed round (`kill -9`) is recognised as stale by the next room, which may
//! take the lock, and is removed; a second room on a live name is refused.
//!
//! The protocol is JSON, one message a line ([`ToRoom`], [`ToPresenter`]). The room is the
//! one authority: a presenter sends what its keys ask ([`Command`]), with the card it
//! pressed them on, and the room applies them (dropping a move pressed on a card the room
//! has already left, so two people pressing "next" at once move one card) and sends every
//! presenter the round's new state ([`RoundState`]). A presenter whose room goes away keeps
//! its last state and reconnects; a room that restarts and has not been driven yet takes
//! the state of the first presenter that comes back, so the round resumes on the same card.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, OpenOptionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The protocol's version: a presenter and a room of different versions refuse each other.
pub const PROTOCOL: u32 = 1;

/// The name a round goes by when none is given.
pub const DEFAULT_NAME: &str = "default";

/// Longest message line read (a round's state is a few KiB).
const MAX_LINE: u64 = 1 << 20;

/// How long the room waits for a presenter to take a message before dropping it: a presenter
/// that stops reading never stalls the projector.
const WRITE_TIMEOUT: Duration = Duration::from_millis(500);

/// How often a presenter whose room went away tries again.
pub const RETRY: Duration = Duration::from_millis(300);

/// Why a link could not be made.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error(
        "a round named `{name}` is already running{pid}; join it with `trialdeck rounds --presenter --name {name}`, or give this one another name with --name"
    )]
    Busy { name: String, pid: String },
    #[error(
        "no round named `{name}` is running (looked for {path}); start it first on the projector with `trialdeck rounds --name {name}`"
    )]
    NotRunning { name: String, path: String },
    #[error(
        "`{0}` cannot name a round: use 1–32 letters, digits, `-` or `_`, starting with a letter or digit"
    )]
    BadName(String),
    #[error("{0}")]
    Unsafe(String),
    #[error("the round answered with {0}")]
    Protocol(String),
    #[error("{what}: {err}")]
    Io { what: String, err: io::Error },
}

fn io_err(what: impl Into<String>) -> impl FnOnce(io::Error) -> LinkError {
    let what = what.into();
    move |err| LinkError::Io { what, err }
}

/// A round's name: letters, digits, `-` and `_`.
pub fn check_name(name: &str) -> Result<(), LinkError> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(LinkError::BadName(name.to_string()))
    }
}

fn uid() -> u32 {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() }
}

/// The directory the sockets live in (created private if need be).
pub fn socket_dir() -> Result<PathBuf, LinkError> {
    let dir = match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(d) if !d.is_empty() && Path::new(&d).is_absolute() => {
            PathBuf::from(d).join("trialdeck")
        }
        _ => std::env::temp_dir().join(format!("trialdeck-{}", uid())),
    };
    private_dir(&dir)?;
    Ok(dir)
}

/// Create `dir` (700) or check that it is a private directory of ours, not a link.
fn private_dir(dir: &Path) -> Result<(), LinkError> {
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io_err(format!("cannot create {}", dir.display()))(e)),
    }
    let m =
        std::fs::symlink_metadata(dir).map_err(io_err(format!("cannot read {}", dir.display())))?;
    if !m.file_type().is_dir() || m.uid() != uid() || m.mode() & 0o077 != 0 {
        return Err(LinkError::Unsafe(format!(
            "{} must be a directory of yours that only you can open (mode 700); remove it, or set XDG_RUNTIME_DIR",
            dir.display()
        )));
    }
    Ok(())
}

/// The socket of round `name` in `dir`.
pub fn socket_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.sock"))
}

fn lock_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.lock"))
}

/// The user id at the other end of a connected socket.
fn peer_uid(s: &UnixStream) -> io::Result<u32> {
    use std::os::fd::AsRawFd;
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let mut cred = libc::ucred {
            pid: 0,
            uid: 0,
            gid: 0,
        };
        let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
        // SAFETY: a valid socket and a buffer of the size given.
        let r = unsafe {
            libc::getsockopt(
                s.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_PEERCRED,
                (&mut cred as *mut libc::ucred).cast(),
                &mut len,
            )
        };
        if r != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(cred.uid)
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let mut uid: libc::uid_t = 0;
        let mut gid: libc::gid_t = 0;
        // SAFETY: a valid socket and two out-parameters.
        if unsafe { libc::getpeereid(s.as_raw_fd(), &mut uid, &mut gid) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(uid)
    }
}

// ---------------------------------------------------------------------------------------------
// Messages

/// Where the room's packs come from, so a presenter loads the same ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PackRef {
    Bundled,
    Dir(PathBuf),
}

/// The countdown: `left_ms` remaining at `since_ms` (Unix milliseconds) when it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimerState {
    pub total_ms: u64,
    pub left_ms: u64,
    pub since_ms: Option<u64>,
}

/// A learner called on a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub learner: usize,
    /// Index into the round's questions.
    pub question: usize,
}

/// Everything the room and its presenters share about a round. Times are Unix milliseconds
/// of the one machine both run on, so the state does not change while nothing happens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundState {
    /// The trial's id.
    pub trial: String,
    /// The round's question ids, in order.
    pub questions: Vec<String>,
    /// The step on screen (0 the title card).
    pub at: usize,
    /// Key points shown (past the last: the key response too).
    pub shown: usize,
    pub blank: bool,
    /// How far the room's card is scrolled.
    pub scroll: usize,
    pub timer: TimerState,
    /// The countdown ran out and someone has seen the "Time" card.
    pub time_seen: bool,
    /// When the round started, and when the card on screen was reached.
    pub started_ms: u64,
    pub step_since_ms: u64,
    pub learners: Vec<String>,
    pub learner: Option<usize>,
    pub learner_shown: bool,
    pub calls: Vec<Call>,
    /// Steps visited.
    pub covered: Vec<usize>,
    /// The room's screen (columns, rows).
    pub room_size: (u16, u16),
    /// Presenters attached.
    pub presenters: usize,
    /// Nothing has moved since the room started.
    pub pristine: bool,
    /// Something the room tells its presenters (a handout written), numbered.
    pub notice: Option<(u64, String)>,
}

/// What a presenter's keys ask of the room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    Next,
    Prev,
    First,
    Last,
    /// Go to this step.
    Go(usize),
    Reveal,
    Blank,
    Timer,
    TimerReset,
    Learner,
    Handout,
    /// Scroll the room's card by this many rows.
    Scroll(i32),
    /// Any other key: brings a blank screen or the "Time" card back, as any key does.
    Wake,
}

/// From a presenter to the room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ToRoom {
    Hello {
        protocol: u32,
    },
    /// The round as this presenter last saw it (for a room that restarted).
    Resume(Box<RoundState>),
    /// A key, pressed on step `at` with `shown` points showing.
    Do {
        command: Command,
        at: usize,
        shown: usize,
    },
}

/// From the room to a presenter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ToPresenter {
    Hello {
        protocol: u32,
        name: String,
        packs: Vec<PackRef>,
        state: Box<RoundState>,
    },
    State(Box<RoundState>),
}

fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    let mut line = serde_json::to_vec(msg).expect("messages serialize");
    line.push(b'\n');
    line
}

/// One message line, or `None` at the end of the stream.
fn read_msg<T: for<'de> Deserialize<'de>, R: BufRead>(r: &mut R) -> io::Result<Option<T>> {
    let mut line = Vec::new();
    let n = r.by_ref().take(MAX_LINE).read_until(b'\n', &mut line)?;
    if n == 0 {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "a message line too long or cut",
        ));
    }
    serde_json::from_slice(&line)
        .map(Some)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

// ---------------------------------------------------------------------------------------------
// The room

/// What happens at the room's socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomEvent {
    /// A presenter connected (numbered).
    Joined(u64),
    /// A presenter said something.
    Said(u64, ToRoom),
    /// A presenter went away.
    Left(u64),
}

struct Peer {
    stream: UnixStream,
    /// The last state sent (`None`: not greeted yet).
    sent: Option<RoundState>,
}

/// The presenters connected, and the round's latest state (new presenters are greeted with
/// it at once, on the accepting thread, whatever the room's loop is doing).
#[derive(Default)]
struct Peers {
    map: HashMap<u64, Peer>,
    latest: Option<RoundState>,
}

impl Peers {
    /// Greet a presenter with the latest state (none yet: at the next publish).
    fn greet(&self, name: &str, packs: &[PackRef], peer: &mut Peer) -> io::Result<()> {
        if let Some(state) = &self.latest {
            let hello = ToPresenter::Hello {
                protocol: PROTOCOL,
                name: name.to_string(),
                packs: packs.to_vec(),
                state: Box::new(state.clone()),
            };
            send_line(&peer.stream, &encode(&hello))?;
            peer.sent = Some(state.clone());
        }
        Ok(())
    }
}

/// The room's end: the name's lock, the socket, and the presenters connected.
pub struct Room {
    name: String,
    path: PathBuf,
    /// Held (flock) while the room runs; the kernel releases it when the process ends.
    _lock: std::fs::File,
    listener: Option<UnixListener>,
    peers: Arc<Mutex<Peers>>,
    stop: Arc<AtomicBool>,
    packs: Vec<PackRef>,
}

impl Room {
    /// Take the name `name` (refused while another room holds it), remove a stale socket, and
    /// listen. Nothing is accepted until [`Room::start`].
    pub fn open(name: &str, packs: Vec<PackRef>) -> Result<Room, LinkError> {
        check_name(name)?;
        let dir = socket_dir()?;
        Room::open_in(&dir, name, packs)
    }

    /// [`Room::open`] in a given directory (tests).
    pub fn open_in(dir: &Path, name: &str, packs: Vec<PackRef>) -> Result<Room, LinkError> {
        use std::os::fd::AsRawFd;
        check_name(name)?;
        let lp = lock_path(dir, name);
        let mut lock = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&lp)
            .map_err(io_err(format!("cannot open {}", lp.display())))?;
        // SAFETY: a valid file descriptor.
        if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            let err = io::Error::last_os_error();
            if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
                let mut pid = String::new();
                let _ = lock.read_to_string(&mut pid);
                let pid = pid.trim();
                return Err(LinkError::Busy {
                    name: name.to_string(),
                    pid: if pid.chars().all(|c| c.is_ascii_digit()) && !pid.is_empty() {
                        format!(" (process {pid})")
                    } else {
                        String::new()
                    },
                });
            }
            return Err(io_err(format!("cannot lock {}", lp.display()))(err));
        }
        let _ = lock.set_len(0);
        let _ = write!(lock, "{}", std::process::id());
        // We hold the name: a socket here is a killed round's, and nobody answers it.
        let path = socket_path(dir, name);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_socket() => std::fs::remove_file(&path).map_err(io_err(
                format!("cannot remove the stale {}", path.display()),
            ))?,
            Ok(_) => {
                return Err(LinkError::Unsafe(format!(
                    "{} is in the way and is not a socket; remove it",
                    path.display()
                )));
            }
            Err(_) => {}
        }
        let listener = UnixListener::bind(&path)
            .map_err(io_err(format!("cannot listen on {}", path.display())))?;
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .map_err(io_err(format!("cannot make {} private", path.display())))?;
        Ok(Room {
            name: name.to_string(),
            path,
            _lock: lock,
            listener: Some(listener),
            peers: Arc::new(Mutex::new(Peers::default())),
            stop: Arc::new(AtomicBool::new(false)),
            packs,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Accept presenters on a thread; what they do goes to `out` (which answers `false` once
    /// nobody listens any more).
    pub fn start(
        &mut self,
        out: impl Fn(RoomEvent) -> bool + Send + Sync + 'static,
    ) -> io::Result<()> {
        let Some(listener) = self.listener.take() else {
            return Ok(());
        };
        let peers = Arc::clone(&self.peers);
        let stop = Arc::clone(&self.stop);
        let out = Arc::new(out);
        let name = self.name.clone();
        let packs = self.packs.clone();
        let next = Arc::new(AtomicU64::new(1));
        std::thread::Builder::new()
            .name("room".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    // Only the user who runs the room may join it.
                    if peer_uid(&stream).ok() != Some(uid()) {
                        continue;
                    }
                    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
                    let Ok(reader) = stream.try_clone() else {
                        continue;
                    };
                    let id = next.fetch_add(1, Ordering::SeqCst);
                    {
                        let mut ps = peers.lock().unwrap_or_else(|e| e.into_inner());
                        let mut peer = Peer { stream, sent: None };
                        if ps.greet(&name, &packs, &mut peer).is_err() {
                            continue;
                        }
                        ps.map.insert(id, peer);
                    }
                    if !out(RoomEvent::Joined(id)) {
                        break;
                    }
                    let out = Arc::clone(&out);
                    let peers = Arc::clone(&peers);
                    let _ = std::thread::Builder::new()
                        .name("presenter".into())
                        .spawn(move || {
                            let mut r = BufReader::new(reader);
                            while let Ok(Some(msg)) = read_msg::<ToRoom, _>(&mut r) {
                                if !out(RoomEvent::Said(id, msg)) {
                                    return;
                                }
                            }
                            let gone = peers
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .map
                                .remove(&id)
                                .is_some();
                            if gone {
                                out(RoomEvent::Left(id));
                            }
                        });
                }
            })?;
        Ok(())
    }

    /// How many presenters are connected.
    pub fn presenters(&self) -> usize {
        self.peers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map
            .len()
    }

    /// Send every presenter the round's state: a greeting to new ones, the state to those
    /// whose last copy differs. A presenter that cannot take it is dropped (it reconnects).
    pub fn publish(&self, state: &RoundState) {
        let mut peers = self.peers.lock().unwrap_or_else(|e| e.into_inner());
        if peers.latest.as_ref() != Some(state) {
            peers.latest = Some(state.clone());
        }
        let mut dead = Vec::new();
        for (id, p) in peers.map.iter_mut() {
            let msg = match &p.sent {
                Some(s) if s == state => continue,
                Some(_) => ToPresenter::State(Box::new(state.clone())),
                None => ToPresenter::Hello {
                    protocol: PROTOCOL,
                    name: self.name.clone(),
                    packs: self.packs.clone(),
                    state: Box::new(state.clone()),
                },
            };
            if send_line(&p.stream, &encode(&msg)).is_ok() {
                p.sent = Some(state.clone());
            } else {
                dead.push(*id);
            }
        }
        for id in dead {
            if let Some(p) = peers.map.remove(&id) {
                let _ = p.stream.shutdown(std::net::Shutdown::Both);
            }
        }
    }
}

impl Drop for Room {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for (_, p) in self
            .peers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map
            .drain()
        {
            let _ = p.stream.shutdown(std::net::Shutdown::Both);
        }
        // Wake the accepting thread so it sees the stop, then take the name's socket away
        // (the lock goes with the file handle).
        let _ = UnixStream::connect(&self.path);
        let _ = std::fs::remove_file(&self.path);
    }
}

// ---------------------------------------------------------------------------------------------
// A presenter

/// What happens at a presenter's end of the link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresenterEvent {
    /// Connected (again): the room's greeting.
    Connected(ToPresenter),
    /// The room sent this.
    Got(ToPresenter),
    /// The room went away; trying again every [`RETRY`].
    Lost,
}

/// A presenter's end: the connection to the room, remade whenever it is lost.
pub struct Presenter {
    path: PathBuf,
    name: String,
    writer: Arc<Mutex<Option<UnixStream>>>,
    /// The connection made by [`Presenter::connect`], read on by [`Presenter::start`].
    first: Option<BufReader<UnixStream>>,
    stop: Arc<AtomicBool>,
}

/// Connect to the socket at `path`, say hello and read the room's greeting.
fn join(
    path: &Path,
    name: &str,
) -> Result<(UnixStream, BufReader<UnixStream>, ToPresenter), LinkError> {
    let stream = UnixStream::connect(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused => LinkError::NotRunning {
            name: name.to_string(),
            path: path.display().to_string(),
        },
        _ => LinkError::Io {
            what: format!("cannot connect to {}", path.display()),
            err: e,
        },
    })?;
    if peer_uid(&stream).ok() != Some(uid()) {
        return Err(LinkError::Unsafe(format!(
            "{} belongs to another user",
            path.display()
        )));
    }
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    send_line(&stream, &encode(&ToRoom::Hello { protocol: PROTOCOL }))
        .map_err(io_err("cannot greet the round"))?;
    let mut r = BufReader::new(stream.try_clone().map_err(io_err("socket"))?);
    let hello = match read_msg::<ToPresenter, _>(&mut r) {
        Ok(Some(h @ ToPresenter::Hello { protocol, .. })) if protocol == PROTOCOL => h,
        Ok(Some(ToPresenter::Hello { protocol, .. })) => {
            return Err(LinkError::Protocol(format!(
                "protocol {protocol} (this trialdeck speaks {PROTOCOL}): run the same version on both terminals"
            )));
        }
        Ok(Some(other)) => return Err(LinkError::Protocol(format!("{other:?}"))),
        Ok(None) => {
            return Err(LinkError::NotRunning {
                name: name.to_string(),
                path: path.display().to_string(),
            });
        }
        Err(e) => return Err(io_err("the round's greeting")(e)),
    };
    let _ = r.get_ref().set_read_timeout(None);
    Ok((stream, r, hello))
}

impl Presenter {
    /// Join the round `name`: a clear error when none is running.
    pub fn connect(name: &str) -> Result<(Presenter, ToPresenter), LinkError> {
        check_name(name)?;
        let dir = socket_dir()?;
        Presenter::connect_in(&dir, name)
    }

    /// [`Presenter::connect`] in a given directory (tests).
    pub fn connect_in(dir: &Path, name: &str) -> Result<(Presenter, ToPresenter), LinkError> {
        check_name(name)?;
        let path = socket_path(dir, name);
        let (stream, reader, hello) = join(&path, name)?;
        Ok((
            Presenter {
                path,
                name: name.to_string(),
                writer: Arc::new(Mutex::new(Some(stream))),
                first: Some(reader),
                stop: Arc::new(AtomicBool::new(false)),
            },
            hello,
        ))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Read the room on a thread, reconnecting when it goes away; what happens goes to `out`
    /// (which answers `false` once nobody listens any more).
    pub fn start(
        &mut self,
        out: impl Fn(PresenterEvent) -> bool + Send + 'static,
    ) -> io::Result<()> {
        let Some(mut reader) = self.first.take() else {
            return Ok(());
        };
        let writer = Arc::clone(&self.writer);
        let stop = Arc::clone(&self.stop);
        let path = self.path.clone();
        let name = self.name.clone();
        std::thread::Builder::new()
            .name("presenter-link".into())
            .spawn(move || {
                loop {
                    while let Ok(Some(msg)) = read_msg::<ToPresenter, _>(&mut reader) {
                        if !out(PresenterEvent::Got(msg)) {
                            return;
                        }
                    }
                    *writer.lock().unwrap_or_else(|e| e.into_inner()) = None;
                    if stop.load(Ordering::SeqCst) || !out(PresenterEvent::Lost) {
                        return;
                    }
                    // Try again until the room is back (or we are told to stop).
                    loop {
                        std::thread::sleep(RETRY);
                        if stop.load(Ordering::SeqCst) {
                            return;
                        }
                        if let Ok((stream, r, hello)) = join(&path, &name) {
                            *writer.lock().unwrap_or_else(|e| e.into_inner()) = Some(stream);
                            reader = r;
                            if !out(PresenterEvent::Connected(hello)) {
                                return;
                            }
                            break;
                        }
                    }
                }
            })?;
        Ok(())
    }

    /// Whether the room is connected now.
    pub fn connected(&self) -> bool {
        self.writer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// Send the room a message.
    pub fn send(&self, msg: &ToRoom) -> io::Result<()> {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let Some(s) = w.as_ref() else {
            return Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "not connected to the room",
            ));
        };
        let r = send_line(s, &encode(msg));
        if r.is_err()
            && let Some(s) = w.take()
        {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
        r
    }
}

impl Drop for Presenter {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(s) = self.writer.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }
}

/// Write a whole message through a shared stream (`&UnixStream` is `Write`).
fn send_line(mut s: &UnixStream, bytes: &[u8]) -> io::Result<()> {
    s.write_all(bytes)?;
    s.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain() {
        for ok in ["default", "ward-4", "a", "Round_2"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-x", "../x", "a b", "a/b", &"x".repeat(33)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_message_is_one_json_line() {
        let m = ToRoom::Do {
            command: Command::Go(4),
            at: 2,
            shown: 1,
        };
        let line = encode(&m);
        assert_eq!(line.iter().filter(|b| **b == b'\n').count(), 1);
        let back: ToRoom = read_msg(&mut &line[..]).unwrap().unwrap();
        assert_eq!(back, m);
        assert!(read_msg::<ToRoom, _>(&mut &b"{\"Hello\""[..]).is_err());
    }
}
