//! End to end: two terminals, one round. `trialdeck rounds` (the room) and
//! `trialdeck rounds --presenter` run for real, each in its own pseudo-terminal, sharing a
//! runtime directory; keys in either move both; the presenter quits and rejoins on the same
//! card; a `kill -9` of the room leaves a socket that does not block the next room, and the
//! presenter brings the new room back to the card. Every wait polls the screens against a
//! deadline.

mod common;

use common::pty::Pty;
use portable_pty::CommandBuilder;
use std::path::Path;

/// `trialdeck ARGS` with its own data, config and runtime directory under `dir`.
fn command(dir: &Path, args: &[&str]) -> CommandBuilder {
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_trialdeck"));
    cmd.args(args);
    cmd.env("TRIALDECK_DATA_DIR", dir.join("data"));
    cmd.env("TRIALDECK_CONFIG", dir.join("config.ron"));
    cmd.env("XDG_RUNTIME_DIR", dir);
    cmd
}

fn room(dir: &Path) -> Pty {
    let learners = dir.join("learners.txt");
    std::fs::write(&learners, "Ana\nBen\n").unwrap();
    let p = Pty::spawn(
        command(
            dir,
            &[
                "rounds",
                "--trial",
                "emilia",
                "--learners",
                learners.to_str().unwrap(),
            ],
        ),
        35,
        120,
    );
    p.wait_text("EMILIA · teaching rounds");
    p
}

fn presenter(dir: &Path) -> Pty {
    let p = Pty::spawn(command(dir, &["rounds", "--presenter"]), 30, 100);
    p.wait_text("presenter · round `default`");
    p
}

fn wait_top(p: &Pty, text: &str) {
    p.wait_for(&format!("{text:?} on the top line"), |s| {
        s.contents().lines().next().unwrap_or("").contains(text)
    });
}

#[test]
fn two_terminals_one_round() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // No round yet: the presenter says so, before taking the terminal.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trialdeck"))
        .args(["rounds", "--presenter"])
        .env("XDG_RUNTIME_DIR", d)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no round named `default` is running"), "{err}");
    assert!(err.contains("start it first on the projector"), "{err}");

    let mut r = room(d);
    let mut p = presenter(d);
    r.wait_text("a presenter joined");

    // The presenter drives: → → reaches the first question on both.
    p.send(b"\x1b[C\x1b[C");
    wait_top(&r, "Medical Student · 1 of 7");
    wait_top(&p, "Medical Student · 1 of 7");
    p.wait_text("Key response");
    assert!(!r.contents().contains("Key response"));
    assert!(!r.contents().contains("1. A median is when half"));
    // The room drives: Space reveals a point; the presenter marks it seen.
    r.send(b" ");
    r.wait_text("1. A median is when half an arm");
    p.wait_text("1 [✓]");
    // g 3 on the presenter.
    p.send(b"g3");
    wait_top(&r, "Fellow · 3 of 7");
    wait_top(&p, "Fellow · 3 of 7");
    // A second presenter is allowed and drives too.
    let mut p2 = presenter(d);
    wait_top(&p2, "Fellow · 3 of 7");
    p2.send(b"\x1b[D");
    wait_top(&r, "Resident · 2 of 7");
    wait_top(&p, "Resident · 2 of 7");
    p2.send(b"q");
    assert!(p2.wait_exit().success());

    // The presenter quits and rejoins on the same card.
    r.send(b" ");
    r.wait_text("1. Primary endpoints");
    p.send(b"q");
    assert!(p.wait_exit().success());
    p.assert_restored();
    r.wait_text("a presenter left");
    let mut p = presenter(d);
    wait_top(&p, "Resident · 2 of 7");
    p.wait_text("1 [✓]");

    // kill -9 of the room: its socket stays behind, stale; the presenter waits.
    r.signal("KILL");
    r.wait_exit();
    assert!(
        d.join("trialdeck/default.sock").exists(),
        "a killed room leaves its socket"
    );
    p.wait_text("the room is gone");
    // The next room is not blocked by it, and the presenter brings it back to the card.
    let r = room(d);
    wait_top(&r, "Resident · 2 of 7");
    r.wait_text("1. Primary endpoints");
    p.wait_for("connected again", |s| {
        !s.contents().contains("the room is gone")
    });
    wait_top(&p, "Resident · 2 of 7");
    p.send(b"q");
    assert!(p.wait_exit().success());
}
