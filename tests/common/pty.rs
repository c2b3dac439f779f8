//! A program run for real in a pseudo-terminal (portable-pty), its output fed to a terminal
//! emulator (vt100). Every wait polls the emulated screen against a deadline; nothing sleeps a
//! fixed time to let the program "catch up".

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Generous, because a loaded CI machine may be slow to start a debug binary; a passing test
/// returns as soon as the screen shows what it waits for.
pub const DEADLINE: Duration = Duration::from_secs(20);
pub const POLL: Duration = Duration::from_millis(10);

pub type Master = Box<dyn MasterPty + Send>;
pub type Running = Box<dyn Child + Send + Sync>;

/// Start `cmd` in a new `rows`×`cols` pty, in the crate's directory, as a colour terminal.
/// Only the child keeps the slave end, so readers of the master see EOF when it exits.
pub fn open(mut cmd: CommandBuilder, rows: u16, cols: u16) -> (Master, Running) {
    let portable_pty::PtyPair { master, slave } = native_pty_system()
        .openpty(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("open a pty");
    cmd.cwd(env!("CARGO_MANIFEST_DIR"));
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("NO_COLOR");
    let child = slave.spawn_command(cmd).expect("spawn in the pty");
    drop(slave);
    (master, child)
}

/// A running program and the screen it has drawn so far.
pub struct Pty {
    pub parser: Arc<Mutex<vt100::Parser>>,
    /// Set by the reader thread when the pty reports end of output (every slave end closed).
    eof: Arc<AtomicBool>,
    /// Shared, so a large write can go on in another thread (see [`Pty::send_in_background`]).
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    pub master: Master,
    child: Running,
}

impl Pty {
    /// [`open`], then read the program's output into a `rows`×`cols` emulated screen.
    pub fn spawn(cmd: CommandBuilder, rows: u16, cols: u16) -> Pty {
        Pty::attach(open(cmd, rows, cols), rows, cols)
    }

    pub fn attach((master, child): (Master, Running), rows: u16, cols: u16) -> Pty {
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let eof = Arc::new(AtomicBool::new(false));
        let mut reader = master.try_clone_reader().expect("pty reader");
        {
            let parser = Arc::clone(&parser);
            let eof = Arc::clone(&eof);
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                loop {
                    match reader.read(&mut buf) {
                        // Linux reports EIO on the master once the slave is closed.
                        Ok(0) | Err(_) => break,
                        Ok(n) => parser
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .process(&buf[..n]),
                    }
                }
                eof.store(true, Ordering::SeqCst);
            });
        }
        let writer = Arc::new(Mutex::new(master.take_writer().expect("pty writer")));
        Pty {
            parser,
            eof,
            writer,
            master,
            child,
        }
    }

    pub fn contents(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Poll the screen until `ok` holds, or fail with what the screen shows.
    pub fn wait_for(&self, what: &str, ok: impl Fn(&vt100::Screen) -> bool) {
        let end = Instant::now() + DEADLINE;
        loop {
            if ok(self.parser.lock().unwrap().screen()) {
                return;
            }
            if Instant::now() > end {
                panic!(
                    "timed out waiting for {what}; the screen shows:\n{}",
                    self.contents()
                );
            }
            std::thread::sleep(POLL);
        }
    }

    pub fn wait_text(&self, text: &str) {
        self.wait_for(&format!("{text:?}"), |s| s.contents().contains(text));
    }

    pub fn send(&mut self, bytes: &[u8]) {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        w.write_all(bytes).expect("write to pty");
        w.flush().expect("flush pty");
    }

    /// Write `bytes` from another thread. The terminal's input queue holds a few KiB: past that
    /// a write waits until the program reads, and a program that stopped reading would block
    /// the test itself, which could then never fail with what the screen shows. The thread
    /// ends when all is written, or when the pty goes away (the test's end kills the program).
    pub fn send_in_background(&self, bytes: Vec<u8>) -> std::thread::JoinHandle<bool> {
        let writer = Arc::clone(&self.writer);
        std::thread::spawn(move || {
            let mut w = writer.lock().unwrap_or_else(|e| e.into_inner());
            w.write_all(&bytes).and_then(|()| w.flush()).is_ok()
        })
    }

    /// Wait for the process to exit, then for its last output to be processed.
    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let end = Instant::now() + DEADLINE;
        let status = loop {
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                break st;
            }
            if Instant::now() > end {
                panic!(
                    "the program did not exit; the screen shows:\n{}",
                    self.contents()
                );
            }
            std::thread::sleep(POLL);
        };
        let end = Instant::now() + DEADLINE;
        while !self.eof.load(Ordering::SeqCst) {
            assert!(Instant::now() < end, "the pty output never ended");
            std::thread::sleep(POLL);
        }
        status
    }

    /// The terminal is as the program found it: main screen, cursor shown, mouse reporting
    /// and bracketed paste off.
    pub fn assert_restored(&self) {
        let s = self.parser.lock().unwrap().screen().clone();
        assert!(
            !s.alternate_screen(),
            "still on the alternate screen after exit"
        );
        assert!(!s.hide_cursor(), "the cursor is still hidden after exit");
        assert_eq!(
            s.mouse_protocol_mode(),
            vt100::MouseProtocolMode::None,
            "mouse capture left on after exit"
        );
        assert!(!s.bracketed_paste(), "bracketed paste left on after exit");
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("child pid")
    }

    /// `kill -NAME` the program.
    pub fn signal(&self, name: &str) {
        let pid = self.pid();
        let st = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(pid.to_string())
            .status()
            .expect("run kill");
        assert!(st.success(), "kill -{name} {pid}");
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        // Never leave a child behind when a test fails.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A program in a pty that the test reads on its own thread (no reader thread holds a copy of
/// the master), so that [`Closable::hang_up`] closes every master handle: a real hang-up, as
/// when a terminal window is closed.
pub struct Closable {
    pub parser: vt100::Parser,
    master: Option<Master>,
    reader: Option<Box<dyn Read + Send>>,
    writer: Option<Box<dyn Write + Send>>,
    child: Running,
}

impl Closable {
    pub fn spawn(cmd: CommandBuilder, rows: u16, cols: u16) -> Closable {
        let (master, child) = open(cmd, rows, cols);
        let reader = master.try_clone_reader().expect("pty reader");
        let writer = master.take_writer().expect("pty writer");
        Closable {
            parser: vt100::Parser::new(rows, cols, 0),
            master: Some(master),
            reader: Some(reader),
            writer: Some(writer),
            child,
        }
    }

    /// Read what the program wrote until `text` is on the screen, or fail with the screen.
    pub fn wait_text(&mut self, text: &str) {
        let end = Instant::now() + DEADLINE;
        let fd = self
            .master
            .as_ref()
            .and_then(|m| m.as_raw_fd())
            .expect("the master's fd");
        let mut buf = [0u8; 8192];
        while !self.parser.screen().contents().contains(text) {
            assert!(
                Instant::now() < end,
                "timed out waiting for {text:?}; the screen shows:\n{}",
                self.parser.screen().contents()
            );
            let mut p = libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            let ready = unsafe { libc::poll(&mut p, 1, POLL.as_millis() as i32) };
            if ready > 0 {
                match self.reader.as_mut().expect("not hung up").read(&mut buf) {
                    Ok(0) | Err(_) => panic!(
                        "the program's output ended before {text:?}; the screen shows:\n{}",
                        self.parser.screen().contents()
                    ),
                    Ok(n) => self.parser.process(&buf[..n]),
                }
            }
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        let w = self.writer.as_mut().expect("not hung up");
        w.write_all(bytes).expect("write to pty");
        w.flush().expect("flush pty");
    }

    /// Close every handle on the master: the kernel hangs the terminal up.
    pub fn hang_up(&mut self) {
        self.reader = None;
        self.writer = None;
        self.master = None;
    }

    /// Wait for the program to exit, or fail.
    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let end = Instant::now() + DEADLINE;
        loop {
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                return st;
            }
            assert!(Instant::now() < end, "the program did not exit");
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Closable {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
