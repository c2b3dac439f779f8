//! End to end, at 80×24: the real binary in a pseudo-terminal, help and statistics opened,
//! scrolled and closed with the keys their footers name. (These flows failed in the running
//! app while every `update` test passed: the loop took the overlay away after each burst.)

mod common;

use common::pty::Pty;
use portable_pty::CommandBuilder;

const ROWS: u16 = 24;
const COLS: u16 = 80;

/// The bundled pack's app at 80×24, with a fresh history and settings.
fn start(args: &[&str]) -> (Pty, tempfile::TempDir) {
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_trialdeck"));
    cmd.args(args);
    cmd.env("TRIALDECK_DATA_DIR", home.path().join("data"));
    cmd.env("TRIALDECK_CONFIG", home.path().join("config.ron"));
    // Each run its own runtime directory: rounds in parallel tests never share a name.
    cmd.env("XDG_RUNTIME_DIR", home.path());
    let s = Pty::spawn(cmd, ROWS, COLS);
    (s, home)
}

/// The screen's last row: the footer, drawn last in a frame.
fn footer(sc: &vt100::Screen) -> String {
    sc.contents_between(ROWS - 1, 0, ROWS - 1, COLS)
}

fn quit(mut s: Pty) {
    s.send(b"q");
    let st = s.wait_exit();
    assert!(st.success(), "{st:?}");
    s.assert_restored();
}

/// At the top of a scrolled overlay: more below, nothing above.
fn at_top(sc: &vt100::Screen) -> bool {
    let c = sc.contents();
    c.contains("↓ more") && !c.contains("↑ more") && footer(sc).contains("scroll")
}

/// At its end: more above, nothing below.
fn at_end(sc: &vt100::Screen) -> bool {
    let c = sc.contents();
    c.contains("↑ more") && !c.contains("↓ more") && footer(sc).contains("scroll")
}

/// Between: more both ways.
fn between(sc: &vt100::Screen) -> bool {
    let c = sc.contents();
    c.contains("↑ more") && c.contains("↓ more")
}

#[test]
fn help_opens_scrolls_and_closes_at_80x24() {
    let (mut s, _home) = start(&[]);
    s.wait_text("EMILIA");
    s.send(b"?");
    s.wait_for("help at its top", |sc| {
        sc.contents().contains("Every key, by where it works") && at_top(sc)
    });
    // To the end: the last group comes into view, and help stays open.
    s.send(b"G");
    s.wait_for("help at its end", |sc| {
        sc.contents().contains("Markers") && at_end(sc)
    });
    s.send(b"k");
    s.wait_for("one line up from the end", between);
    // Far past the end, then one k: it moves at once (the scroll is clamped).
    s.send(&[b'j'; 120]);
    s.wait_for("the end again", at_end);
    s.send(b"k");
    s.wait_for("one line up from the end", between);
    s.send(b"g");
    s.wait_for("help at its top again", at_top);
    s.send(b"\x1b");
    s.wait_for("help closed", |sc| {
        !sc.contents().contains("Every key, by where it works")
    });
    quit(s);
}

#[test]
fn statistics_scroll_to_retention_and_back_at_80x24() {
    let (mut s, _home) = start(&[]);
    s.wait_text("EMILIA");
    s.send(b"S");
    s.wait_for("the statistics at their top", |sc| {
        sc.contents().contains("Review statistics") && at_top(sc)
    });
    assert!(
        !s.contents().contains("Retention by trial"),
        "the last section starts below the fold:\n{}",
        s.contents()
    );
    s.send(b"G");
    s.wait_for("the statistics' end", |sc| {
        sc.contents().contains("Retention by trial") && at_end(sc)
    });
    assert!(s.contents().contains("Review statistics"), "still open");
    s.send(b"g");
    s.wait_for("the top again", at_top);
    // Key by key past the end, then one k: it moves at once (the scroll is clamped).
    s.send(&[b'j'; 60]);
    s.wait_for("the end, by j", at_end);
    s.send(b"k");
    s.wait_for("one line up from the end", between);
    s.send(b"\x1b");
    s.wait_for("statistics closed", |sc| {
        !sc.contents().contains("Review statistics")
    });
    quit(s);
}

#[test]
fn help_opens_in_the_quiz_and_in_rounds() {
    let (mut s, _home) = start(&["quiz", "--trial", "emilia", "--count", "3"]);
    s.wait_text("New 3 · Learning 0 · Due 0");
    s.send(b"?");
    s.wait_text("Every key, by where it works");
    s.send(b"j");
    s.send(b"j");
    s.wait_text("Every key, by where it works");
    s.send(b"\x1b");
    s.wait_for("help closed", |sc| {
        !sc.contents().contains("Every key, by where it works")
    });
    quit(s);

    let (mut s, _home) = start(&["rounds", "--trial", "emilia"]);
    s.wait_text("EMILIA");
    s.send(b"?");
    s.wait_text("Every key, by where it works");
    s.send(b"j");
    s.wait_text("Every key, by where it works");
    s.send(b"q");
    s.wait_for("help closed", |sc| {
        !sc.contents().contains("Every key, by where it works")
    });
    quit(s);
}
