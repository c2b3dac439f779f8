//! End to end: the real binary in a pseudo-terminal (portable-pty), its output fed to a
//! terminal emulator (vt100). Every wait polls the emulated screen against a deadline; no test
//! sleeps for a fixed time to let the app "catch up".
//!
//! Each test also checks that the terminal is given back on exit: the alternate screen is left,
//! the cursor is visible again, mouse reporting and bracketed paste are off.

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Generous, because a loaded CI machine may be slow to start a debug binary; a passing test
/// returns as soon as the screen shows what it waits for.
const DEADLINE: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(10);
const ROWS: u16 = 30;
const COLS: u16 = 100;

static SPAWNED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Start trialdeck on `pack` in a new pty. Only the child keeps the slave end, so readers of
/// the master see EOF when it exits.
fn spawn_in_pty(pack: &str) -> (Box<dyn MasterPty + Send>, Box<dyn Child + Send + Sync>) {
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_trialdeck"));
    cmd.args(["--pack", pack]);
    spawn_cmd_in_pty(cmd)
}

/// Start `cmd` in a new pty, in the crate's directory, with `$TRIALDECK` naming the binary.
fn spawn_cmd_in_pty(
    mut cmd: CommandBuilder,
) -> (Box<dyn MasterPty + Send>, Box<dyn Child + Send + Sync>) {
    let portable_pty::PtyPair { master, slave } = native_pty_system()
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("open a pty");
    cmd.cwd(env!("CARGO_MANIFEST_DIR"));
    cmd.env("TERM", "xterm-256color");
    cmd.env("TRIALDECK", env!("CARGO_BIN_EXE_trialdeck"));
    cmd.env_remove("NO_COLOR");
    // Never the tester's own review history or settings: a fresh directory per run.
    let home = std::env::temp_dir().join(format!(
        "trialdeck-e2e-{}-{}",
        std::process::id(),
        SPAWNED.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    cmd.env("TRIALDECK_DATA_DIR", home.join("data"));
    cmd.env("TRIALDECK_CONFIG", home.join("config.ron"));
    let child = slave.spawn_command(cmd).expect("spawn trialdeck");
    drop(slave);
    (master, child)
}

struct Session {
    parser: Arc<Mutex<vt100::Parser>>,
    /// Set by the reader thread when the pty reports end of output (every slave end closed).
    eof: Arc<AtomicBool>,
    writer: Box<dyn Write + Send>,
    master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
}

impl Session {
    fn start() -> Session {
        Session::start_with("tests/fixtures/good/mini")
    }

    fn start_with(pack: &str) -> Session {
        Session::attach(spawn_in_pty(pack))
    }

    /// A bash script with job control on (`set -m`, as in an interactive shell), which runs
    /// trialdeck as `$TRIALDECK`.
    fn start_script(script: &str) -> Session {
        let mut cmd = CommandBuilder::new("bash");
        cmd.args(["--norc", "--noprofile", "-m", "-c", script]);
        Session::attach(spawn_cmd_in_pty(cmd))
    }

    fn attach(
        (master, child): (Box<dyn MasterPty + Send>, Box<dyn Child + Send + Sync>),
    ) -> Session {
        let parser = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
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
        let writer = master.take_writer().expect("pty writer");
        Session {
            parser,
            eof,
            writer,
            master,
            child,
        }
    }

    fn contents(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Poll the screen until `ok` holds, or fail with what the screen shows.
    fn wait_for(&self, what: &str, ok: impl Fn(&vt100::Screen) -> bool) {
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

    fn wait_text(&self, text: &str) {
        self.wait_for(&format!("{text:?}"), |s| s.contents().contains(text));
    }

    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("write to pty");
        self.writer.flush().expect("flush pty");
    }

    /// Wait for the app to be up: the list is drawn (so raw mode is on and input is read),
    /// on the alternate screen, with the cursor hidden and mouse and paste reporting on.
    /// (The cursor is hidden at the end of a draw, so this waits for all of it.)
    fn wait_ready(&self) {
        self.wait_for(
            "the trial list on the alternate screen, cursor hidden, mouse and paste on",
            |s| {
                let c = s.contents();
                c.contains("Trials · ")
                    && c.contains("ALPHA")
                    && s.alternate_screen()
                    && s.hide_cursor()
                    && s.mouse_protocol_mode() != vt100::MouseProtocolMode::None
                    && s.bracketed_paste()
            },
        );
    }

    /// Wait for the process to exit, then for its last output to be processed.
    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let end = Instant::now() + DEADLINE;
        let status = loop {
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                break st;
            }
            if Instant::now() > end {
                panic!(
                    "trialdeck did not exit; the screen shows:\n{}",
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

    /// The terminal is as the app found it.
    fn assert_restored(&self) {
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

    fn signal(&self, name: &str) {
        let pid = self.child.process_id().expect("child pid");
        let st = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(pid.to_string())
            .status()
            .expect("run kill");
        assert!(st.success(), "kill -{name} {pid}");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Never leave a child behind when a test fails.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[test]
fn search_open_reveal_and_quit() {
    let mut s = Session::start();
    s.wait_ready();

    s.send(b"/");
    s.wait_text("Search trials");
    s.send(b"ALPHA");
    s.wait_for("the trial ALPHA as the selected hit", |sc| {
        sc.contents()
            .lines()
            .any(|l| l.contains("▶ trial") && l.contains("ALPHA"))
    });

    s.send(b"\r");
    s.wait_for("the detail of ALPHA, focused", |sc| {
        let c = sc.contents();
        !c.contains("Search trials")
            && c.contains("ALPHA — Drug A versus")
            && c.contains("sections")
    });

    // `9` jumps to the discussion (Space outside it does nothing); Space there reveals the
    // selected question.
    s.send(b"9");
    s.wait_text("All roles");
    assert!(!s.contents().contains("Key response"));
    s.send(b" ");
    s.wait_text("Key response");

    s.send(b"q");
    let status = s.wait_exit();
    assert!(status.success(), "q exits with status 0, got {status:?}");
    s.assert_restored();
}

#[test]
fn ctrl_c_quits_cleanly() {
    let mut s = Session::start();
    s.wait_ready();
    // Raw mode: Ctrl+C arrives as a key (0x03), not as SIGINT.
    s.send(b"\x03");
    let status = s.wait_exit();
    assert!(
        status.success(),
        "Ctrl+C exits with status 0, got {status:?}"
    );
    s.assert_restored();
}

#[test]
fn ctrl_c_quits_from_search_too() {
    let mut s = Session::start();
    s.wait_ready();
    s.send(b"/q");
    s.wait_text("/  q");
    s.send(b"\x03");
    let status = s.wait_exit();
    assert!(status.success(), "got {status:?}");
    s.assert_restored();
}

fn signal_restores(sig: &str) {
    let mut s = Session::start();
    s.wait_ready();
    s.signal(sig);
    let status = s.wait_exit();
    // The runtime catches the signal, leaves its loop, restores the terminal and exits with
    // the conventional status 128 + signal number.
    let num = match sig {
        "TERM" => 15,
        "HUP" => 1,
        "INT" => 2,
        _ => unreachable!("signal {sig}"),
    };
    assert_eq!(status.exit_code(), 128 + num, "SIG{sig} exit: {status:?}");
    s.assert_restored();
}

#[test]
fn sigterm_restores_the_terminal() {
    signal_restores("TERM");
}

#[test]
fn sighup_restores_the_terminal() {
    signal_restores("HUP");
}

#[test]
fn sigint_restores_the_terminal() {
    signal_restores("INT");
}

#[test]
fn resizing_the_terminal_redraws_for_the_new_size() {
    let mut s = Session::start();
    s.wait_ready();
    let resize = |s: &Session, cols: u16, rows: u16| {
        s.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize pty");
        s.parser.lock().unwrap().screen_mut().set_size(rows, cols);
    };
    resize(&s, 30, 8);
    s.wait_text("Make the window");
    resize(&s, 60, 20);
    s.wait_for("the single-panel list at 60 columns", |sc| {
        let c = sc.contents();
        !c.contains("Make the window") && c.contains("Trials · ") && !c.contains("Over│")
    });
    s.send(b"q");
    assert!(s.wait_exit().success());
    s.assert_restored();
}

#[test]
fn a_broken_pack_in_a_terminal_reports_and_exits_1_without_taking_the_screen() {
    let mut s = Session::start_with("tests/fixtures/bad/syntax-missing-comma");
    let status = s.wait_exit();
    assert_eq!(status.exit_code(), 1, "{status:?}");
    let text = s.contents();
    assert!(text.contains("error[syntax]"), "{text}");
    assert!(text.contains("trialdeck check"), "{text}");
    s.assert_restored();
}

/// Closing the terminal under the app (a window closed, tmux killed) must end the process,
/// not leave it waiting on a dead tty.
#[test]
fn the_app_exits_when_its_terminal_goes_away() {
    let (master, mut child) = spawn_in_pty("tests/fixtures/good/mini");
    // Read until the first frame is drawn, so the app is in its event loop.
    let mut reader = master.try_clone_reader().expect("pty reader");
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("ALPHA") {
        match reader.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    assert!(
        String::from_utf8_lossy(&seen).contains("ALPHA"),
        "the app started"
    );
    // Hang up: close every master handle.
    drop(reader);
    drop(master);
    let end = Instant::now() + DEADLINE;
    loop {
        if child.try_wait().expect("wait").is_some() {
            return;
        }
        if Instant::now() > end {
            let _ = child.kill();
            panic!("trialdeck kept running after its terminal went away");
        }
        std::thread::sleep(POLL);
    }
}

// ---- Job control -------------------------------------------------------------------------

/// The pid of the only child of `parent` (Linux: /proc).
#[cfg(target_os = "linux")]
fn child_of(parent: u32) -> u32 {
    let end = Instant::now() + DEADLINE;
    loop {
        let kids: Vec<u32> = std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .ok()
                    .and_then(|st| {
                        let rest = &st[st.rfind(')')? + 1..];
                        rest.split_whitespace().nth(1)?.parse::<u32>().ok()
                    })
                    == Some(parent)
            })
            .collect();
        if let [one] = kids[..] {
            return one;
        }
        assert!(Instant::now() < end, "children of {parent}: {kids:?}");
        std::thread::sleep(POLL);
    }
}

/// After the job stopped: the terminal was given back (main screen, cursor shown, mouse and
/// paste off) and the shell ran the line after the job.
fn assert_stopped_and_restored(s: &Session, line: &str) {
    s.wait_for(&format!("{line:?} on the main screen"), |sc| {
        !sc.alternate_screen() && sc.contents().contains(line)
    });
    s.assert_restored();
}

/// Back from `fg`: redrawn, and it still answers keys; then it quits (Ctrl+C) and the shell
/// goes on.
fn resumes_redraws_and_answers_keys(s: &mut Session) {
    // The shell waits on `read`: a line lets it `fg` the job.
    s.send(b"\r");
    s.wait_ready();
    s.send(b"/");
    s.wait_text("Search trials");
    s.send(b"\x03");
    s.wait_for("the shell's line after the job", |sc| {
        !sc.alternate_screen() && sc.contents().contains("job done: 0")
    });
    let status = s.wait_exit();
    assert!(status.success(), "{status:?}");
    s.assert_restored();
}

/// `kill -TSTP` from outside: the app gives the terminal back before it stops (so the shell's
/// prompt is not drawn on the alternate screen with the mouse captured), and after `fg`
/// (SIGCONT) takes it again, redraws and reads keys.
#[test]
#[cfg(target_os = "linux")]
fn sigtstp_from_outside_restores_the_terminal_and_fg_redraws() {
    let mut s = Session::start_script(
        r#"
        "$TRIALDECK" --pack tests/fixtures/good/mini
        echo "job stopped: $?"
        read -r _
        fg >/dev/null
        echo "job done: $?"
        "#,
    );
    s.wait_ready();
    let shell = s.child.process_id().expect("shell pid");
    let app = child_of(shell);
    let st = std::process::Command::new("kill")
        .args(["-TSTP", &app.to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    // The job stopped (a stopped job's status is 128 + the signal that stopped it).
    assert_stopped_and_restored(&s, "job stopped: 14");
    resumes_redraws_and_answers_keys(&mut s);
}

/// Ctrl+Z under a wrapper script: the whole job stops (the script too), so the shell gets
/// its prompt back; `fg` continues both.
#[test]
fn ctrl_z_under_a_wrapper_script_stops_the_whole_job() {
    let mut s = Session::start_script(
        r#"
        sh -c '"$TRIALDECK" --pack tests/fixtures/good/mini; echo "wrapper: $?"'
        echo "job stopped: $?"
        read -r _
        fg >/dev/null
        echo "job done: $?"
        "#,
    );
    s.wait_ready();
    s.send(b"\x1a");
    assert_stopped_and_restored(&s, "job stopped: 14");
    resumes_redraws_and_answers_keys(&mut s);
    assert!(s.contents().contains("wrapper: 0"), "{}", s.contents());
}

/// `kill -STOP` cannot be caught; after `kill -CONT` the app still takes the terminal again
/// and redraws the whole screen.
#[test]
fn sigcont_after_an_uncatchable_stop_redraws() {
    let mut s = Session::start();
    s.wait_ready();
    s.signal("STOP");
    // Whatever happened to the screen while the app was stopped is painted over.
    s.parser.lock().unwrap().process(b"\x1b[2J\x1b[Hgarbage");
    s.wait_for("the wiped screen", |sc| !sc.contents().contains("ALPHA"));
    s.signal("CONT");
    s.wait_ready();
    assert!(!s.contents().contains("garbage"), "{}", s.contents());
    s.send(b"/");
    s.wait_text("Search trials");
    s.send(b"\x03");
    assert!(s.wait_exit().success());
    s.assert_restored();
}
