//! End to end: `trialdeck quiz` and `trialdeck rounds` run for real in a pseudo-terminal
//! (portable-pty), their output fed to a terminal emulator (vt100). Every wait polls the
//! emulated screen against a deadline; nothing sleeps a fixed time. Every run gets its own
//! temporary HOME, data directory and config file, so the tester's own history is never read
//! or written.
//!
//! The quiz test grades three cards, then reads the review log with SQLite directly and checks
//! that `stats --format json` and a second session see the reviews. The rounds test drives a
//! round on EMILIA and checks the handout it leaves.

mod common;

use common::pty::{Closable, Pty};
use portable_pty::CommandBuilder;
use std::path::Path;

const ROWS: u16 = 30;
const COLS: u16 = 100;
const MINI: &str = "tests/fixtures/good/mini";

/// A temporary home for one test: HOME, the data directory and the config file live in it.
struct Home {
    dir: tempfile::TempDir,
    /// `TRIALDECK_NOW` for the runs (the clock of quiz, cards and stats).
    now: std::cell::RefCell<Option<String>>,
}

impl Home {
    fn new() -> Home {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("home")).expect("home");
        Home {
            dir,
            now: std::cell::RefCell::new(None),
        }
    }
    /// Runs from now on see this time (RFC 3339).
    fn set_now(&self, now: &str) {
        *self.now.borrow_mut() = Some(now.to_string());
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn data(&self) -> std::path::PathBuf {
        self.path().join("data")
    }
    fn config(&self) -> std::path::PathBuf {
        self.path().join("config.ron")
    }
    /// `trialdeck ARGS --data-dir DATA --config CONFIG`, with HOME and XDG dirs inside.
    fn args(&self, args: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        v.push("--data-dir".into());
        v.push(self.data().display().to_string());
        v.push("--config".into());
        v.push(self.config().display().to_string());
        v
    }
    fn envs(&self) -> Vec<(&'static str, std::path::PathBuf)> {
        let home = self.path().join("home");
        let mut v = vec![
            // Rounds meet in the runtime directory: each test its own (private, as it is).
            ("XDG_RUNTIME_DIR", self.path().to_path_buf()),
            ("HOME", home.clone()),
            ("XDG_DATA_HOME", home.join(".local/share")),
            ("XDG_CONFIG_HOME", home.join(".config")),
            // Days start in UTC here, whatever the machine's zone.
            ("TZ", "UTC".into()),
        ];
        if let Some(now) = self.now.borrow().as_ref() {
            v.push(("TRIALDECK_NOW", now.into()));
        }
        v
    }
    /// Run the binary to completion (no terminal); stdout on success.
    fn run(&self, args: &[&str]) -> String {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_trialdeck"));
        cmd.args(self.args(args))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("TRIALDECK_DATA_DIR")
            .env_remove("TRIALDECK_CONFIG");
        for (k, v) in self.envs() {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run trialdeck");
        assert!(
            out.status.success(),
            "trialdeck {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }
}

/// `trialdeck ARGS` with the home's data dir and config.
fn command(home: &Home, args: &[&str]) -> CommandBuilder {
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_trialdeck"));
    cmd.args(home.args(args));
    cmd.env_remove("TRIALDECK_DATA_DIR");
    cmd.env_remove("TRIALDECK_CONFIG");
    for (k, v) in home.envs() {
        cmd.env(k, v);
    }
    cmd
}

impl Pty {
    /// Start `trialdeck ARGS` (with the home's data dir and config) in a new pty.
    fn start(home: &Home, args: &[&str]) -> Pty {
        Pty::spawn(command(home, args), ROWS, COLS)
    }

    fn wait_top(&self, text: &str) {
        self.wait_for(&format!("{text:?} on the top line"), |s| {
            s.contents().lines().next().unwrap_or("").contains(text)
        });
    }
}

const STUDENT: &str = "mini-pack/q/alpha-student";
const RESIDENT: &str = "mini-pack/q/alpha-resident";
const PHD: &str = "mini-pack/q/alpha-phd";

/// Day 1 as a learner who uses Anki: three new cards graded with Anki's keys (ticks, a
/// suggestion confirmed or overridden), the missed card back in the same session on its
/// learning step, the summary, and back to the shell. Then the log as SQLite holds it, `stats`
/// on day 1, and day 2 under `TRIALDECK_NOW` with a new-card limit.
#[test]
fn quiz_grades_three_cards_into_the_history_and_the_next_run_sees_them() {
    let home = Home::new();
    home.set_now("2026-12-01T09:00:00Z");
    let mut s = Pty::start(&home, &["--pack", MINI, "quiz", "--count", "3"]);
    s.wait_text("New 3 · Learning 0 · Due 0");
    s.wait_text("What did ALPHA compare");
    assert!(s.contents().contains("grades saved"), "{}", s.contents());
    assert!(
        s.contents().contains("Medical Student · new"),
        "{}",
        s.contents()
    );

    // Card 1 (4 key points): reveal, tick all four (a–d), Space grades Good (the ticks agree).
    s.send(b" ");
    s.wait_text("Key points — tick");
    s.send(b"abcd");
    s.wait_for("four ticks", |s| s.contents().matches("[✓]").count() == 4);
    s.send(b" ");
    s.wait_text("New 2 · Learning 1 · Due 0");

    // Card 2: one key point first (staged recall), then the answer; 1 is Again.
    s.wait_text("How would you explain the hazard ratio");
    s.send(b"n");
    s.wait_text("1. HR 0.70 means a 30% lower hazard");
    s.send(b" ");
    s.wait_text("Key points — tick");
    s.send(b"1");
    s.wait_text("New 1 · Learning 2 · Due 0");

    // Card 3: one tick of four suggests Again; Space asks first, and 2 grades Hard instead.
    s.wait_text("What threatens the validity");
    s.send(b" ");
    s.wait_text("Key points — tick");
    s.send(b"b");
    s.wait_for("one tick", |s| s.contents().matches("[✓]").count() == 1);
    s.wait_text("Ticks suggest Again");
    s.send(b" ");
    s.wait_text("Again, as your ticks suggest?");
    s.send(b"2");

    // Nothing new is left: the missed card comes back first (its 1-minute step, within the
    // 20-minute learn-ahead), then the others on their steps.
    s.wait_text("New 0 · Learning 3 · Due 0");
    s.wait_text("How would you explain the hazard ratio");
    assert!(
        s.contents().contains("Resident · learning"),
        "{}",
        s.contents()
    );
    for _ in 0..3 {
        s.send(b" ");
        s.wait_text("Key points — tick");
        s.send(b"4");
    }
    s.wait_text("session summary");
    s.wait_text("3 cards · 6 reviews");
    assert!(
        s.contents().contains("Again 1 · Hard 1 · Good 1 · Easy 3"),
        "{}",
        s.contents()
    );
    // Started from the shell, the quiz returns there when it ends.
    s.send(b"\x1b");
    let status = s.wait_exit();
    assert!(
        status.success(),
        "Esc on the summary exits with 0, got {status:?}"
    );
    s.assert_restored();

    // The log holds exactly the six reviews, as graded, in order.
    let db = rusqlite::Connection::open_with_flags(
        home.data().join("reviews.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("the review history exists");
    let rows: Vec<(String, i64, i64, i64)> = db
        .prepare("SELECT card, grade, points, points_total FROM reviews ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let (st, re, ph) = (STUDENT.to_string(), RESIDENT.to_string(), PHD.to_string());
    assert_eq!(
        rows,
        vec![
            (st.clone(), 3, 0b1111, 4),
            (re.clone(), 1, 0, 3),
            (ph.clone(), 2, 0b10, 4),
            (re, 4, 0, 3),
            (ph, 4, 0, 4),
            (st, 4, 0, 4),
        ]
    );
    let phases: Vec<i64> = db
        .prepare("SELECT phase FROM card_state ORDER BY card")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(phases, vec![2, 2, 2], "all three graduated to review");
    drop(db);

    // `stats` (still day 1) counts them: 9 cards, 6 new, nothing due today.
    let json: serde_json::Value =
        serde_json::from_str(&home.run(&["--pack", MINI, "stats", "--format", "json"]))
            .expect("stats JSON");
    assert_eq!(json["total_cards"], 9, "{json}");
    assert_eq!(json["new_cards"], 6, "{json}");
    assert_eq!(json["due_today"], 0, "{json}");
    assert_eq!(json["learning"], 0, "{json}");

    // Day 2: the builder's counts add up within the limit given on the command line.
    home.set_now("2026-12-02T09:00:00Z");
    let mut s = Pty::start(
        &home,
        &["--pack", MINI, "quiz", "--new", "--new-per-day", "2"],
    );
    s.wait_text("New 2 · Learning 0 · Due 0");
    s.send(b"q");
    assert!(s.wait_exit().success());
    // Quitting without grading wrote nothing more.
    let db = rusqlite::Connection::open(home.data().join("reviews.sqlite3")).unwrap();
    let n: i64 = db
        .query_row("SELECT count(*) FROM reviews", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 6);
}

#[test]
fn quiz_with_no_save_writes_nothing() {
    let home = Home::new();
    let mut s = Pty::start(
        &home,
        &["--pack", MINI, "--no-save", "quiz", "--count", "1"],
    );
    s.wait_text("New 1 · Learning 0 · Due 0");
    s.wait_text("not saving");
    s.send(b" ");
    s.wait_text("Key points — tick");
    s.send(b"4");
    s.wait_text("1 card · 1 review");
    s.send(b"q");
    assert!(s.wait_exit().success());
    assert!(
        !home.data().join("reviews.sqlite3").exists(),
        "--no-save wrote a history"
    );
}

/// `s` up to its first character that the handout would escape, at most `n` characters.
fn plain_prefix(s: &str, n: usize) -> String {
    s.chars()
        .take_while(|c| !"\\`*_[]#|<>&".contains(*c))
        .take(n)
        .collect()
}

#[test]
fn a_round_on_emilia_leaves_a_handout_of_what_was_covered() {
    let home = Home::new();
    let learners = home.path().join("learners.txt");
    std::fs::write(&learners, "Ana\nBen\n\nChidi\n").unwrap();
    let handout = home.path().join("h.md");
    let mut s = Pty::start(
        &home,
        &[
            "rounds",
            "--trial",
            "emilia",
            "--handout",
            handout.to_str().unwrap(),
            "--learners",
            learners.to_str().unwrap(),
            "--timer",
            "5",
        ],
    );
    s.wait_text("EMILIA · teaching rounds");
    s.wait_top("Title");
    s.wait_text("Population");

    // → the evidence card.
    s.send(b"\x1b[C");
    s.wait_top("Evidence");

    // → the first question: two key points, then a learner, then the countdown.
    s.send(b"\x1b[C");
    s.wait_top("Medical Student · 1 of 7");
    s.wait_text("EMILIA reports median progression-free");
    s.send(b" ");
    s.wait_text("4 more points hidden");
    assert!(s.contents().contains("1. A median is when half an arm"));
    s.send(b" ");
    s.wait_text("3 more points hidden");
    // A learner is called on (in large type, above the question, which stays).
    s.send(b"l");
    s.wait_text("EMILIA reports median progression-free");
    // The countdown (5 s): the large clock says these are the last seconds, then the "Time"
    // card covers the question until a key is pressed (which does nothing else).
    s.send(b"t");
    s.wait_text("last 30 seconds");
    // (Waited for whole: a frame being drawn can show the card over half the question.)
    s.wait_for("the Time card covering the question", |sc| {
        let c = sc.contents();
        c.contains("is up · any key returns to the question")
            && !c.contains("EMILIA reports median")
    });
    s.send(b" ");
    s.wait_text("EMILIA reports median progression-free");
    assert!(
        s.contents().contains("3 more points hidden"),
        "{}",
        s.contents()
    );
    s.send(b"t");
    s.wait_text("last 30 seconds");
    s.send(b"t");
    s.wait_text("paused");

    // → the second question, revealed in full.
    s.send(b"\x1b[C");
    s.wait_top("Resident · 2 of 7");
    s.wait_for("no key point shown on a new question", |s| {
        !s.contents().contains("Key points")
    });
    for _ in 0..6 {
        s.send(b" ");
    }
    s.wait_text("Key response");
    assert!(s.contents().contains("paused"), "{}", s.contents());

    s.send(b"q");
    let status = s.wait_exit();
    assert!(status.success(), "q exits with 0, got {status:?}");
    s.assert_restored();
    s.wait_text("wrote the handout");

    let md = std::fs::read_to_string(&handout).expect("the handout was written");
    let lib = trialdeck::content::load_bundled().unwrap().library;
    let e = lib.entry("emilia").unwrap();
    assert!(md.starts_with("# EMILIA — "), "{md}");
    assert!(md.contains("## Findings"), "{md}");
    // The handout is the export's document: safety and limitations are in it.
    assert!(
        md.contains("## Safety") && md.contains("### Limitations"),
        "{md}"
    );
    // Printed as it is: no line past 80 columns, no HTML entity.
    assert!(md.lines().all(|l| l.chars().count() <= 80), "{md}");
    assert!(!md.contains("&lt;") && !md.contains("&amp;"), "{md}");
    for f in &e.findings {
        assert!(
            md.contains(&format!("- **{}", plain_prefix(&f.endpoint, 20))),
            "a row for {}:\n{md}",
            f.endpoint
        );
    }
    let discussion = &md[md.find("## Discussion").expect("a discussion section")..];
    assert_eq!(
        discussion.matches("\n### ").count(),
        2,
        "exactly the two questions visited:\n{discussion}"
    );
    assert!(discussion.contains("### Medical Student") && discussion.contains("### Resident"));
    assert_eq!(discussion.matches("**Key response.**").count(), 2, "{md}");
    // Text wraps at 80 columns: compare words.
    let md = md.split_whitespace().collect::<Vec<_>>().join(" ");
    for q in &e.questions {
        let visited = matches!(q.id.as_str(), "emilia-student" | "emilia-resident");
        let prompt = plain_prefix(&q.prompt, 50);
        let response = plain_prefix(&q.key_response, 50);
        assert!(
            prompt.len() > 20 && response.len() > 20,
            "{prompt:?} {response:?}"
        );
        assert_eq!(md.contains(&prompt), visited, "{}: {prompt:?}\n{md}", q.id);
        assert_eq!(
            md.contains(&response),
            visited,
            "{}: {response:?}\n{md}",
            q.id
        );
    }
    // Rounds keep no personal history.
    assert!(!home.data().join("reviews.sqlite3").exists());
}

/// The terminal is closed in the middle of a round (a window closed, tmux killed): the app
/// stops as on SIGHUP (status 129), and the handout asked for is written all the same.
#[test]
fn closing_the_terminal_mid_round_still_writes_the_handout() {
    let home = Home::new();
    let handout = home.path().join("h.md");
    let args = [
        "rounds",
        "--trial",
        "emilia",
        "--handout",
        handout.to_str().unwrap(),
    ];
    let mut p = Closable::spawn(command(&home, &args), ROWS, COLS);
    p.wait_text("EMILIA · teaching rounds");
    p.send(b"\x1b[C");
    p.wait_text("Evidence");
    p.send(b"\x1b[C");
    p.wait_text("Medical Student · 1 of 7");
    p.hang_up();
    let status = p.wait_exit();
    assert_eq!(status.exit_code(), 129, "{status:?}");
    let md = std::fs::read_to_string(&handout).expect("the handout was written");
    let lib = trialdeck::content::load_bundled().unwrap().library;
    let q = &lib.entry("emilia").unwrap().questions[0];
    assert_eq!(q.id.as_str(), "emilia-student");
    let discussion = &md[md.find("## Discussion").expect("a discussion section")..];
    assert_eq!(discussion.matches("\n### ").count(), 1, "{md}");
    assert!(discussion.contains(&plain_prefix(&q.prompt, 50)), "{md}");
}

#[test]
fn rounds_refuse_an_unknown_role_before_taking_the_terminal() {
    let home = Home::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trialdeck"))
        .args(home.args(&["rounds", "--roles", "resident,janitor"]))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .envs(home.envs())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown role `janitor`"), "{err}");
}

// ---- The review history, as the app opens it ---------------------------------------------

/// `--data-dir` naming a regular file: the quiz says "this is a file, not a data directory"
/// (it used to say "File exists (os error 17)") and exits 3, leaving the file alone.
#[test]
fn quiz_with_a_file_as_the_data_directory_says_so() {
    let home = Home::new();
    std::fs::write(home.data(), "x").unwrap();
    let mut s = Pty::start(&home, &["--pack", MINI, "quiz", "--count", "1"]);
    let status = s.wait_exit();
    assert_eq!(status.exit_code(), 3, "{status:?}");
    s.wait_text("this is a file, not a data directory");
    s.assert_restored();
    assert_eq!(std::fs::read(home.data()).unwrap(), b"x");
}

/// Browsing and quitting, with no quiz taken, leaves no review history behind.
#[test]
fn the_browser_creates_no_history_until_a_grade_is_saved() {
    let home = Home::new();
    let mut s = Pty::start(&home, &["--pack", MINI]);
    s.wait_text("Trials · ");
    s.send(b"q");
    assert!(s.wait_exit().success());
    assert!(
        !home.data().join("reviews.sqlite3").exists(),
        "a history was created by just looking"
    );
}

/// A history damaged past its header: the browser opens without saving and says so (it used
/// to exit 3, though the README promises it opens), and the file is left as it was.
#[test]
fn the_browser_opens_without_saving_on_a_damaged_history() {
    let home = Home::new();
    {
        use trialdeck::review::{CardId, Grade, NewReview, Scheduler, Store};
        let mut st = Store::open(&home.data(), Scheduler::default()).unwrap();
        for i in 0..50 {
            st.record(&NewReview {
                card: CardId(format!("x-{i}")),
                at: 1_750_000_000 + i,
                grade: Grade::Good,
                points: 0,
                points_total: 0,
                duration_ms: 1,
            })
            .unwrap();
        }
    }
    let db = home.data().join("reviews.sqlite3");
    let mut bytes = std::fs::read(&db).unwrap();
    for b in bytes[4096..].iter_mut() {
        *b = 0xA5;
    }
    std::fs::write(&db, &bytes).unwrap();
    let mut s = Pty::start(&home, &["--pack", MINI]);
    s.wait_text("Trials · ");
    s.wait_text("grades are not saved: ");
    s.send(b"q");
    assert!(s.wait_exit().success());
    s.assert_restored();
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
}
