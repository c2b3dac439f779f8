//! End to end: the real binary in a pseudo-terminal (portable-pty), its output fed to a
//! terminal emulator (vt100). Every wait polls the emulated screen against a deadline; no test
//! sleeps for a fixed time to let the app "catch up".
//!
//! Each test also checks that the terminal is given back on exit: the alternate screen is left,
//! the cursor is visible again, mouse reporting and bracketed paste are off.

mod common;

use common::pty::{DEADLINE, POLL, Pty};
use portable_pty::{CommandBuilder, PtySize};
use std::io::Read;
use std::time::Instant;

const ROWS: u16 = 30;
const COLS: u16 = 100;

static SPAWNED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// `cmd` with `$TRIALDECK` naming the binary, and never the tester's own review history or
/// settings: a fresh data directory and config per run.
fn isolated(mut cmd: CommandBuilder) -> CommandBuilder {
    cmd.env("TRIALDECK", env!("CARGO_BIN_EXE_trialdeck"));
    let home = std::env::temp_dir().join(format!(
        "trialdeck-e2e-{}-{}",
        std::process::id(),
        SPAWNED.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    cmd.env("TRIALDECK_DATA_DIR", home.join("data"));
    cmd.env("TRIALDECK_CONFIG", home.join("config.ron"));
    cmd
}

/// Start trialdeck on `pack` in a new pty.
fn spawn_in_pty(pack: &str) -> (common::pty::Master, common::pty::Running) {
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_trialdeck"));
    cmd.args(["--pack", pack]);
    common::pty::open(isolated(cmd), ROWS, COLS)
}

type Session = Pty;

impl Pty {
    fn start() -> Pty {
        Pty::start_with("tests/fixtures/good/mini")
    }

    fn start_with(pack: &str) -> Pty {
        Pty::attach(spawn_in_pty(pack), ROWS, COLS)
    }

    /// A bash script with job control on (`set -m`, as in an interactive shell), which runs
    /// trialdeck as `$TRIALDECK`.
    fn start_script(script: &str) -> Pty {
        let mut cmd = CommandBuilder::new("bash");
        cmd.args(["--norc", "--noprofile", "-m", "-c", script]);
        Pty::spawn(isolated(cmd), ROWS, COLS)
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
        "TERM" => libc::SIGTERM,
        "HUP" => libc::SIGHUP,
        "INT" => libc::SIGINT,
        "QUIT" => libc::SIGQUIT,
        "USR1" => libc::SIGUSR1,
        "USR2" => libc::SIGUSR2,
        "ALRM" => libc::SIGALRM,
        _ => unreachable!("signal {sig}"),
    } as u32;
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

/// Every signal whose default action ends the process (and that a process may catch) gives
/// the terminal back first.
#[test]
fn sigquit_restores_the_terminal() {
    signal_restores("QUIT");
}

#[test]
fn sigusr1_restores_the_terminal() {
    signal_restores("USR1");
}

#[test]
fn sigusr2_restores_the_terminal() {
    signal_restores("USR2");
}

#[test]
fn sigalrm_restores_the_terminal() {
    signal_restores("ALRM");
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
    let shell = s.pid();
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

/// `kill -STOP` from outside, under a shell that puts the terminal back in its own (cooked)
/// mode while the job is stopped, as an interactive shell does: after `fg` the app is in raw
/// mode again, so a key is read at once, not held until Enter.
#[test]
#[cfg(target_os = "linux")]
fn fg_after_an_outside_sigstop_reads_keys_at_once() {
    let mut s = Session::start_script(
        r#"
        "$TRIALDECK" --pack tests/fixtures/good/mini
        echo "job stopped: $?"
        stty sane
        echo "cooked again"
        read -r _
        fg >/dev/null
        echo "job done: $?"
        "#,
    );
    s.wait_ready();
    let app = child_of(s.pid());
    let st = std::process::Command::new("kill")
        .args(["-STOP", &app.to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    // The app could not see the stop, so the screen is still its own.
    s.wait_text("job stopped: 147");
    // The shell's `read` takes a line in the cooked terminal; `fg` continues the app. (A key
    // sent before `stty sane` has run is read raw: a CR that never ends the line.)
    s.wait_text("cooked again");
    s.send(b"\r");
    s.wait_for(
        "the app's screen drawn again over the shell's lines",
        |sc| {
            let c = sc.contents();
            !c.contains("job stopped") && c.contains("ALPHA") && sc.alternate_screen()
        },
    );
    // One key, no Enter after it.
    s.send(b"/");
    s.wait_text("Search trials");
    s.send(b"\x03");
    s.wait_for("the shell's line after the job", |sc| {
        !sc.alternate_screen() && sc.contents().contains("job done: 0")
    });
    assert!(s.wait_exit().success());
    s.assert_restored();
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

// ---- Input that must never stop the app reading ------------------------------------------

/// The search box holds exactly `query` (the cursor block follows it).
fn wait_query(s: &Session, query: &str) {
    let line = format!("/  {query}█");
    s.wait_for(&format!("the query {query:?}"), |sc| {
        sc.contents().contains(&line)
    });
}

/// Esc closes the search, then `q` quits with status 0 and the terminal is given back.
fn close_search_and_quit(s: &mut Session) {
    s.send(b"\x1b");
    s.wait_for("the search closed", |sc| {
        !sc.contents().contains("Search trials")
    });
    s.send(b"q");
    let status = s.wait_exit();
    assert!(status.success(), "q exits with status 0, got {status:?}");
    s.assert_restored();
}

/// 64 KiB of plain keystrokes at once (a paste the terminal does not bracket, `tmux
/// paste-buffer`): the app reads all of it and goes on reading. The burst ends with Ctrl+W
/// (clear the query) and a marker, so the marker alone in the search box proves that every
/// byte before it was read, in order; then Esc and `q` quit.
#[test]
fn a_64_kib_unbracketed_burst_is_read_to_the_end_and_q_still_quits() {
    let mut s = Session::start();
    s.wait_ready();
    s.send(b"/");
    s.wait_text("Search trials");
    let mut burst = Vec::with_capacity(70 * 1024);
    while burst.len() < 64 * 1024 {
        burst.extend_from_slice(b"hazard ratio overall survival ");
    }
    burst.extend_from_slice(b"\x17ENDMARK");
    let writer = s.send_in_background(burst);
    wait_query(&s, "ENDMARK");
    assert!(writer.join().unwrap(), "the whole burst was written");
    close_search_and_quit(&mut s);
}

/// A bracketed paste that starts (`ESC[200~`) and never ends: what came after the start is
/// taken as the paste once the input goes quiet, and later keys are keys again.
#[test]
fn an_unterminated_paste_start_does_not_swallow_later_input() {
    let mut s = Session::start();
    s.wait_ready();
    s.send(b"/");
    s.wait_text("Search trials");
    s.send(b"\x1b[200~alpha");
    wait_query(&s, "alpha");
    // Keys typed later are keys: Ctrl+W clears the query, then a word.
    s.send(b"\x17beta");
    wait_query(&s, "beta");
    close_search_and_quit(&mut s);
}
