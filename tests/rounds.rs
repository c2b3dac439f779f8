//! Teaching rounds through `App::update(action, now)` with a fixed clock: the steps (title,
//! evidence, the discussion ladder with its "Fellow · 3 of 7" counter), staged reveal, moving
//! resets the reveal, the blank screen, the countdown, the learner picker, presenter notes, the
//! handout of what was covered and the role filter; the room never shows what is not yet
//! revealed; `g` and a number, the question list, cards and notes that scroll with a "more"
//! mark; the handout is the export's document. Snapshots of every rounds screen at 100×30,
//! and one at 200×50, close the file.

mod common;
use common::Tester;

use common::{bundled_library, mini_library, render, screen_text};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};
use trialdeck::content::{Library, Role};
use trialdeck::tui::action::Action;
use trialdeck::tui::app::{App, Effect, Rounds, RoundsOptions, Screen, Step};
use trialdeck::tui::theme::ThemeName;

const T0_UNIX: u64 = 1_700_000_000;

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(T0_UNIX)
}

fn at(secs: u64) -> SystemTime {
    t0() + Duration::from_secs(secs)
}

/// Rounds on `entry` as `trialdeck rounds` starts them (Esc does not leave), at `t0() + start`.
fn rounds_on(lib: Library, entry: &str, opts: RoundsOptions, w: u16, h: u16) -> Tester {
    let mut app = Tester::new(App::new(lib, ThemeName::HighContrast));
    app.act(Action::Resize(w, h), t0());
    let e = app.lib.index_of(entry).expect("the entry is in the pack");
    app.start_rounds(e, opts, false);
    app
}

fn mini(opts: RoundsOptions) -> Tester {
    rounds_on(mini_library(), "alpha", opts, 100, 30)
}

fn r(app: &App) -> &Rounds {
    app.rounds().expect("rounds are on screen")
}

/// Apply actions at the app's current time.
fn keys(app: &mut Tester, actions: impl IntoIterator<Item = Action>) {
    for a in actions {
        let now = app.now;
        app.act(a, now);
    }
}

fn text(app: &App) -> String {
    screen_text(&render(app))
}

/// Whether `prompt` is on the screen: as text, or set in block type (its first line's top
/// row of blocks, at either size, is drawn).
fn shows(app: &App, prompt: &str) -> bool {
    use trialdeck::tui::lines::big;
    let t = text(app);
    if t.contains(prompt) {
        return true;
    }
    let w = app.size.0.saturating_sub(8);
    [big::Size::Large, big::Size::Small]
        .into_iter()
        .any(|size| {
            big::wrap(prompt, size, w)
                .and_then(|lines| big::rows(&lines[0], size))
                .is_some_and(|rows| t.contains(rows[0].trim()) && t.contains(rows[1].trim()))
        })
}

const STUDENT_PROMPT: &str = "What did ALPHA compare, and what was its main result?";
const RESIDENT_PROMPT: &str = "How would you explain the hazard ratio of ALPHA to a patient?";
const PHD_PROMPT: &str = "What threatens the validity of ALPHA's comparison?";

// ---------------------------------------------------------------------------------------------
// Steps

#[test]
fn a_round_walks_title_evidence_then_the_ladder() {
    let mut app = mini(RoundsOptions::default());
    assert_eq!(
        r(&app).steps,
        vec![
            Step::Title,
            Step::Evidence,
            Step::Question(0),
            Step::Question(1),
            Step::Question(2)
        ]
    );
    assert_eq!(
        r(&app).questions,
        vec!["alpha-student", "alpha-resident", "alpha-phd"]
    );
    // The title card: the trial, its design, population and comparison.
    let t = text(&app);
    assert!(
        t.contains("Drug A versus drug B in an invented disease"),
        "{t}"
    );
    assert!(
        t.contains("Phase 3, randomised, open-label, multicentre · 400 patients"),
        "{t}"
    );
    assert!(
        t.contains("Population  Adults with the invented disease"),
        "{t}"
    );
    assert!(
        t.contains("Comparison  Drug A 10 mg daily  versus  Drug B 20 mg daily"),
        "{t}"
    );
    assert!(t.lines().next().unwrap().contains("Title"), "{t}");
    assert_eq!(r(&app).counter(), None);
    // No list, no tabs.
    assert!(!t.contains("Trials ·"), "{t}");
    assert!(!t.contains("Ovw"), "{t}");

    keys(&mut app, [Action::Down]);
    assert_eq!(r(&app).step(), Step::Evidence);
    let t = text(&app);
    assert!(t.lines().next().unwrap().contains("Evidence"), "{t}");
    assert!(
        t.contains("■ Progression-free survival"),
        "the headline result:\n{t}"
    );
    assert!(
        t.contains("Objective response rate"),
        "a per-arm rate:\n{t}"
    );
    assert!(t.contains("█ 40%"), "a bar per arm:\n{t}");

    let expected = [
        (STUDENT_PROMPT, "Medical Student · 1 of 3"),
        (RESIDENT_PROMPT, "Resident · 2 of 3"),
        (PHD_PROMPT, "PhD · 3 of 3"),
    ];
    for (prompt, counter) in expected {
        keys(&mut app, [Action::Down]);
        assert_eq!(r(&app).counter().as_deref(), Some(counter));
        let t = text(&app);
        assert!(shows(&app, prompt), "{t}");
        assert!(
            t.lines().next().unwrap().contains(counter),
            "the top line: {t}"
        );
    }
    // The last screen stays the last; Home goes to the title, End to the last question.
    keys(&mut app, [Action::Down]);
    assert_eq!(r(&app).step(), Step::Question(2));
    keys(&mut app, [Action::Top]);
    assert_eq!(r(&app).step(), Step::Title);
    keys(&mut app, [Action::Up]);
    assert_eq!(r(&app).step(), Step::Title);
    keys(&mut app, [Action::Bottom]);
    assert_eq!(r(&app).step(), Step::Question(2));
}

#[test]
fn emilia_ladder_runs_student_to_guideline_committee() {
    let mut app = rounds_on(
        bundled_library(),
        "emilia",
        RoundsOptions::default(),
        100,
        30,
    );
    let roles: Vec<Role> = (0..r(&app).questions.len())
        .map(|i| {
            let id = &r(&app).questions[i];
            app.lib
                .entry("emilia")
                .unwrap()
                .questions
                .iter()
                .find(|q| &q.id == id)
                .unwrap()
                .role
        })
        .collect();
    assert_eq!(
        roles,
        Role::ALL.to_vec(),
        "one question a role, in ladder order"
    );
    assert_eq!(r(&app).steps[..2], [Step::Title, Step::Evidence]);
    keys(&mut app, std::iter::repeat_n(Action::Down, 4));
    assert_eq!(r(&app).counter().as_deref(), Some("Fellow · 3 of 7"));
    let t = text(&app);
    assert!(t.lines().next().unwrap().contains("Fellow · 3 of 7"), "{t}");
    assert!(
        t.contains("Which patients does EMILIA really speak to"),
        "{t}"
    );
    keys(&mut app, [Action::Bottom]);
    assert_eq!(
        r(&app).counter().as_deref(),
        Some("Guideline Committee · 7 of 7")
    );
}

#[test]
fn roles_filter_keeps_only_those_questions() {
    let mut app = mini(RoundsOptions {
        roles: vec![Role::PhD, Role::Resident],
        ..RoundsOptions::default()
    });
    assert_eq!(
        r(&app).questions,
        vec!["alpha-resident", "alpha-phd"],
        "ladder order"
    );
    assert_eq!(r(&app).steps.len(), 4);
    keys(&mut app, [Action::Down, Action::Down]);
    assert_eq!(r(&app).counter().as_deref(), Some("Resident · 1 of 2"));
    keys(&mut app, [Action::Down]);
    assert_eq!(r(&app).counter().as_deref(), Some("PhD · 2 of 2"));
    assert!(!shows(&app, STUDENT_PROMPT));
    // A role with no questions leaves only the title and evidence.
    let app = mini(RoundsOptions {
        roles: vec![Role::Attending],
        ..RoundsOptions::default()
    });
    assert_eq!(r(&app).steps, vec![Step::Title, Step::Evidence]);
}

// ---------------------------------------------------------------------------------------------
// Reveal

#[test]
fn space_reveals_points_one_by_one_then_the_full_response() {
    let mut app = mini(RoundsOptions::default());
    // On the title and evidence, Space moves on.
    keys(&mut app, [Action::Reveal]);
    assert_eq!(r(&app).step(), Step::Evidence);
    keys(&mut app, [Action::Reveal]);
    assert_eq!(r(&app).step(), Step::Question(0));
    let points = [
        "Drug A versus drug B, 400 patients",
        "PFS 9.0 vs 6.0 months, HR 0.70",
        "Response 40% vs 30%",
        "Fewer severe adverse events with drug A",
    ];
    let t = text(&app);
    assert!(
        t.contains("Space reveals the next key point (4 to go)"),
        "{t}"
    );
    for p in points {
        assert!(!t.contains(p), "{p} hidden at first:\n{t}");
    }
    for n in 1..=4 {
        keys(&mut app, [Action::Reveal]);
        assert_eq!(r(&app).shown, n);
        assert!(!r(&app).full());
        let t = text(&app);
        for (i, p) in points.iter().enumerate() {
            assert_eq!(
                t.contains(&format!("{}. {p}", i + 1)),
                i < n,
                "after {n} reveals, {p}:\n{t}"
            );
        }
        assert!(!t.contains("Key response"), "{t}");
    }
    assert!(text(&app).contains("Space reveals the full key response"));
    keys(&mut app, [Action::Reveal]);
    assert!(r(&app).full());
    let t = text(&app);
    assert!(t.contains("Key response"), "{t}");
    assert!(t.contains("ALPHA is an invented phase 3 trial"), "{t}");
    // More Space does nothing more, and stays on the question.
    keys(&mut app, [Action::Reveal, Action::Reveal]);
    assert_eq!(r(&app).shown, 5);
    assert_eq!(r(&app).step(), Step::Question(0));
}

#[test]
fn moving_between_questions_resets_the_reveal() {
    let mut app = mini(RoundsOptions::default());
    keys(
        &mut app,
        [Action::Down, Action::Down, Action::Reveal, Action::Reveal],
    );
    assert_eq!(r(&app).shown, 2);
    keys(&mut app, [Action::Down]);
    assert_eq!((r(&app).step(), r(&app).shown), (Step::Question(1), 0));
    keys(
        &mut app,
        [
            Action::Reveal,
            Action::Reveal,
            Action::Reveal,
            Action::Reveal,
        ],
    );
    assert!(r(&app).full());
    keys(&mut app, [Action::Up]);
    assert_eq!((r(&app).step(), r(&app).shown), (Step::Question(0), 0));
    assert!(
        !text(&app).contains("1. Drug A versus drug B"),
        "hidden again"
    );
    keys(&mut app, [Action::Down]);
    assert_eq!((r(&app).step(), r(&app).shown), (Step::Question(1), 0));
    assert!(!text(&app).contains("Key response"));
}

// ---------------------------------------------------------------------------------------------
// Blank, timer, learner, notes

#[test]
fn b_blanks_the_screen_and_any_key_brings_it_back_doing_nothing_else() {
    let mut app = mini(RoundsOptions::default());
    keys(&mut app, [Action::Down, Action::Down, Action::Reveal]);
    keys(&mut app, [Action::Blank]);
    assert!(r(&app).blank);
    assert!(
        text(&app).trim().is_empty(),
        "nothing drawn:\n{}",
        text(&app)
    );
    // Ticks and resizes do not bring it back.
    app.tick(at(1));
    app.act(Action::Resize(100, 30), at(1));
    assert!(r(&app).blank);
    for (i, key) in [
        Action::Down,
        Action::Reveal,
        Action::Notes,
        Action::Learner,
        Action::Handout,
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            keys(&mut app, [Action::Blank]);
        }
        assert!(r(&app).blank);
        let e = app.act(key.clone(), at(2));
        assert_eq!(e, Effect::None, "{key:?} only unblanks");
        assert!(!r(&app).blank);
        assert_eq!(
            (r(&app).step(), r(&app).shown),
            (Step::Question(0), 1),
            "{key:?}"
        );
        assert!(!r(&app).notes);
    }
    assert!(shows(&app, STUDENT_PROMPT));
}

#[test]
fn t_counts_down_with_the_clock_passed_in_and_pauses() {
    let mut app = mini(RoundsOptions {
        timer: Duration::from_secs(90),
        ..RoundsOptions::default()
    });
    assert!(app.wake_after(app.now).is_none());
    assert!(!text(&app).contains("Timer"), "no countdown until t");
    app.act(Action::Timer, at(0));
    assert!(
        app.wake_after(app.now).is_some(),
        "the runtime sends ticks while it runs"
    );
    app.tick(at(15));
    assert_eq!(r(&app).timer.remaining(app.now), Duration::from_secs(75));
    // The large clock (block digits) with a word under it.
    let clock = |app: &App| {
        let t = text(app);
        let word = ["last 30 seconds", "paused", "left"]
            .into_iter()
            .find(|w| t.contains(&format!(" {w} ")))
            .unwrap_or("none");
        format!(
            "{} {word}",
            trialdeck::tui::lines::rounds::clock_text(r(app), app.now)
        )
    };
    assert_eq!(clock(&app), "1:15 left");
    // A part second left shows as the next whole second.
    app.tick(at(15) + Duration::from_millis(300));
    assert_eq!(clock(&app), "1:15 left");
    // Pause at 30 s; time passing changes nothing.
    app.act(Action::Timer, at(30));
    assert!(app.wake_after(app.now).is_none());
    app.tick(at(500));
    assert_eq!(r(&app).timer.remaining(app.now), Duration::from_secs(60));
    assert_eq!(clock(&app), "1:00 paused");
    // Moving between screens keeps the countdown.
    app.act(Action::Down, at(501));
    assert_eq!(clock(&app), "1:00 paused");
    // Resume; in the last 30 seconds it says so (and changes colour); at zero the "Time"
    // card fills the screen until a key is pressed.
    app.act(Action::Timer, at(600));
    app.tick(at(631));
    assert_eq!(clock(&app), "0:29 last 30 seconds");
    app.tick(at(659));
    assert_eq!(clock(&app), "0:01 last 30 seconds");
    app.tick(at(700));
    assert_eq!(r(&app).timer.remaining(app.now), Duration::ZERO);
    assert!(r(&app).time_up(app.now));
    let t = text(&app);
    assert!(
        t.contains("1:30 is up · any key returns to the question"),
        "{t}"
    );
    assert!(
        !t.contains("■ Progression-free survival"),
        "the card is covered:\n{t}"
    );
    // Any key takes the card away and does nothing else.
    let before = (r(&app).at, r(&app).shown);
    app.act(Action::Reveal, at(701));
    assert_eq!((r(&app).at, r(&app).shown), before);
    assert!(!r(&app).time_up(app.now));
    assert!(text(&app).contains("■ Progression-free survival"));
    // T resets it.
    app.act(Action::TimerReset, at(701));
    assert!(app.wake_after(app.now).is_none());
    assert_eq!(r(&app).timer.remaining(at(900)), Duration::from_secs(90));
}

fn learners(names: &[&str]) -> RoundsOptions {
    RoundsOptions {
        learners: names.iter().map(|s| s.to_string()).collect(),
        ..RoundsOptions::default()
    }
}

/// Call on learners `n` times; the names called, in order.
fn picks(app: &mut Tester, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            keys(app, [Action::Learner]);
            r(app).called().expect("a learner is shown").to_string()
        })
        .collect()
}

#[test]
fn l_never_calls_the_same_learner_twice_in_a_row() {
    let names = ["Ana", "Ben", "Chidi", "Dee"];
    // Rounds seed their picker from the start time: try several.
    for start in [0, 1, 7, 1234, 99_999] {
        let mut app = Tester::new(App::new(mini_library(), ThemeName::HighContrast));
        app.act(Action::Resize(100, 30), at(start));
        app.start_rounds(0, learners(&names), false);
        let called = picks(&mut app, 200);
        for w in called.windows(2) {
            assert_ne!(
                w[0], w[1],
                "the same learner twice in a row (start {start})"
            );
        }
        for n in names {
            assert!(
                called.iter().any(|c| c == n),
                "{n} is never called (start {start})"
            );
        }
    }
    // Two learners alternate.
    let mut app = mini(learners(&["Ana", "Ben"]));
    let called = picks(&mut app, 200);
    assert!(called.windows(2).all(|w| w[0] != w[1]));
    // One learner is always the one.
    let mut app = mini(learners(&["Ana"]));
    assert!(picks(&mut app, 5).iter().all(|c| c == "Ana"));
}

#[test]
fn the_learner_is_shown_until_the_screen_changes() {
    let mut app = mini(learners(&["Dr Rivera", "Dr Okafor"]));
    keys(&mut app, [Action::Down, Action::Down, Action::Learner]);
    let name = r(&app).called().expect("called").to_string();
    // Shown large (big type): the prompt stays on screen below it.
    let t = text(&app);
    assert!(shows(&app, STUDENT_PROMPT), "{t}");
    keys(&mut app, [Action::Reveal]);
    assert_eq!(
        r(&app).called(),
        Some(name.as_str()),
        "revealing keeps the learner up"
    );
    keys(&mut app, [Action::Down]);
    assert_eq!(r(&app).called(), None, "a new question clears the learner");
    // Without learners, l explains how to give them.
    let mut app = mini(RoundsOptions::default());
    keys(&mut app, [Action::Learner]);
    assert!(
        app.message
            .as_deref()
            .is_some_and(|m| m.contains("--learners FILE")),
        "{:?}",
        app.message
    );
    assert_eq!(r(&app).called(), None);
}

#[test]
fn p_shows_presenter_notes_and_p_closes_them() {
    let mut app = mini(RoundsOptions::default());
    keys(&mut app, [Action::Down, Action::Down, Action::Notes]);
    assert!(r(&app).notes);
    let t = text(&app);
    assert!(t.contains("Presenter notes · p closes · ] [ scroll"), "{t}");
    assert!(
        t.contains("⚠ Median PFS of drug A: The review rounds an earlier data cut."),
        "{t}"
    );
    assert!(t.contains("• Open-label design."), "{t}");
    assert!(t.contains("• Invented data."), "{t}");
    assert!(
        shows(&app, STUDENT_PROMPT),
        "the question stays on the same screen:\n{t}"
    );
    keys(&mut app, [Action::Notes]);
    assert!(!r(&app).notes);
    assert!(!text(&app).contains("Presenter notes"));
}

// ---------------------------------------------------------------------------------------------
// Handout

#[test]
fn h_writes_a_handout_of_exactly_the_questions_covered() {
    let path = PathBuf::from("out/round.md");
    let mut app = mini(RoundsOptions {
        handout: Some(path.clone()),
        ..RoundsOptions::default()
    });
    // Title, evidence, the student question, then straight to the last (PhD) question.
    keys(
        &mut app,
        [Action::Down, Action::Down, Action::Reveal, Action::Bottom],
    );
    let (p, md) = match app.app.update(Action::Handout, at(5)) {
        Effect::Write { path, contents, .. } => (path, contents),
        other => panic!("h writes the handout: {other:?}"),
    };
    assert_eq!(p, path);
    assert_eq!(
        app.at_exit(),
        Effect::Write {
            path,
            contents: md.clone(),
            what: "the handout",
            replace: true,
        },
        "the same at the end"
    );
    assert!(
        md.starts_with("# ALPHA — Drug A versus drug B in an invented disease\n"),
        "{md}"
    );
    assert!(md.contains("## Findings"), "{md}");
    // The findings table is wider than a printed page: a list, a row an item.
    assert!(
        md.contains("- **Progression-free survival** — Analysis: ITT; Drug A: 9.0 mo"),
        "{md}"
    );
    assert!(
        md.contains("- **Objective response rate** — Analysis: ITT; Drug A: 40%; Drug B: 30%;"),
        "{md}"
    );
    assert!(md.contains("p < 0.001"), "{md}");
    let discussion = &md[md.find("## Discussion").expect("a discussion section")..];
    assert!(discussion.contains(STUDENT_PROMPT), "{md}");
    assert!(
        discussion.contains("**Key response.** ALPHA is an invented phase 3 trial"),
        "{md}"
    );
    assert!(
        discussion.contains("- Response 40% vs 30%"),
        "its key points:\n{md}"
    );
    assert!(
        discussion.contains("What threatens the validity of ALPHA's comparison?"),
        "{md}"
    );
    assert!(
        discussion.contains("- Discrepant medians across sources"),
        "{md}"
    );
    assert!(
        !md.contains(RESIDENT_PROMPT),
        "the resident question was never shown:\n{md}"
    );
    assert!(!md.contains("HR 0.70 means a 30% lower hazard"), "{md}");
    assert_eq!(
        discussion.matches("\n### ").count(),
        2,
        "two questions:\n{discussion}"
    );
    assert!(discussion.contains("### Medical Student") && discussion.contains("### PhD"));
    let student = md.find(STUDENT_PROMPT).unwrap();
    let phd = md.find("What threatens the validity").unwrap();
    assert!(student < phd, "in ladder order");
}

#[test]
fn a_handout_before_any_question_has_no_discussion_and_a_default_name() {
    let mut app = mini(RoundsOptions::default());
    match app.app.update(Action::Handout, at(1)) {
        Effect::Write {
            path,
            contents,
            replace,
            ..
        } => {
            assert_eq!(path, PathBuf::from("alpha-handout.md"));
            assert!(!replace, "never over a file that is there");
            assert!(contents.contains("## Findings"), "{contents}");
            assert!(!contents.contains("## Discussion"), "{contents}");
            assert!(!contents.contains("What did ALPHA compare"), "{contents}");
        }
        other => panic!("h writes the handout: {other:?}"),
    }
    assert_eq!(
        app.at_exit(),
        Effect::None,
        "no --handout, nothing written at the end"
    );
}

#[test]
fn a_handout_never_points_to_a_section_it_lacks() {
    let mut app = mini(RoundsOptions::default());
    let Effect::Write { contents, .. } = app.app.update(Action::Handout, at(1)) else {
        panic!("h writes the handout");
    };
    if contents.contains("see Discrepancies") {
        assert!(contents.contains("## Discrepancies"), "{contents}");
        assert!(
            contents.contains("The review rounds an earlier data cut."),
            "{contents}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Leaving

#[test]
fn esc_leaves_rounds_started_in_the_app_but_not_from_the_command_line() {
    let mut app = mini(RoundsOptions::default());
    keys(&mut app, [Action::Back]);
    assert!(matches!(app.screen, Screen::Rounds(_)));
    assert_eq!(app.message.as_deref(), Some("q ends the round"));
    assert_eq!(app.act(Action::Quit, at(1)), Effect::Quit);

    let mut app = common::app_on(mini_library(), ThemeName::Dark, 100, 30);
    keys(&mut app, [Action::OpenRounds]);
    assert!(
        matches!(app.screen, Screen::Rounds(_)),
        "P starts rounds on the trial"
    );
    assert_eq!(app.theme.name, ThemeName::HighContrast, "projector colours");
    keys(&mut app, [Action::Back]);
    assert!(matches!(app.screen, Screen::Browse));
    assert_eq!(
        app.theme.name,
        ThemeName::Dark,
        "the reader's theme comes back"
    );
}

// ---------------------------------------------------------------------------------------------
// Snapshots

/// Every screen at 100×30; one at 200×50 (what a projector shows), below.
fn snap(name: &str, opts: impl Fn() -> RoundsOptions, setup: impl Fn(&mut Tester)) {
    let mut app = rounds_on(mini_library(), "alpha", opts(), 100, 30);
    setup(&mut app);
    insta::assert_snapshot!(format!("{name}_100x30"), render(&app).backend());
}

fn to_question(app: &mut Tester) {
    keys(app, [Action::Down, Action::Down]);
}

#[test]
fn snapshot_title() {
    snap("rounds_title", RoundsOptions::default, |_| {});
}

#[test]
fn snapshot_evidence() {
    snap("rounds_evidence", RoundsOptions::default, |a| {
        keys(a, [Action::Down])
    });
}

#[test]
fn snapshot_question_hidden() {
    snap(
        "rounds_question_hidden",
        RoundsOptions::default,
        to_question,
    );
}

#[test]
fn snapshot_points_partly_revealed() {
    snap("rounds_points_2_of_4", RoundsOptions::default, |a| {
        to_question(a);
        keys(a, [Action::Reveal, Action::Reveal]);
    });
    // The one projector-sized snapshot: the question in block type, two points revealed.
    let mut app = rounds_on(mini_library(), "alpha", RoundsOptions::default(), 200, 50);
    to_question(&mut app);
    keys(&mut app, [Action::Reveal, Action::Reveal]);
    insta::assert_snapshot!("rounds_points_2_of_4_200x50", render(&app).backend());
}

#[test]
fn snapshot_full_response() {
    snap("rounds_full_response", RoundsOptions::default, |a| {
        to_question(a);
        keys(a, std::iter::repeat_n(Action::Reveal, 5));
    });
}

#[test]
fn snapshot_notes() {
    snap("rounds_notes", RoundsOptions::default, |a| {
        to_question(a);
        keys(a, [Action::Notes]);
    });
}

#[test]
fn snapshot_timer_running() {
    snap(
        "rounds_timer_running",
        || RoundsOptions {
            timer: Duration::from_secs(120),
            ..RoundsOptions::default()
        },
        |a| {
            to_question(a);
            a.act(Action::Timer, at(0));
            a.tick(at(47));
        },
    );
}

#[test]
fn snapshot_learner_shown() {
    snap(
        "rounds_learner",
        || learners(&["Sam"]),
        |a| {
            to_question(a);
            keys(a, [Action::Learner]);
        },
    );
}

// ---------------------------------------------------------------------------------------------
// The handout is the document

#[test]
fn the_emilia_handout_is_the_exports_document_with_safety_and_limitations_and_prints() {
    let lib = bundled_library();
    let e = lib.entry("emilia").unwrap();
    let asked = vec!["emilia-phd".to_string()];
    let md = trialdeck::export::markdown::handout(&lib, e, &asked);
    // Safety: grade ≥ 3 adverse events, 41% vs 57%.
    let safety = &md[md.find("## Safety").expect("a Safety section")..];
    let safety = &safety[..safety.find("\n## ").unwrap_or(safety.len())];
    assert!(safety.contains("Any adverse event (grade ≥3)"), "{safety}");
    // The safety table, folded for a page: a row an item.
    assert!(
        safety.contains(
            "**Any adverse event** — Grade: ≥3; T-DM1: 41%; Lapatinib + capecitabine: 57%"
        ),
        "{safety}"
    );
    // Limitations, crossover first (the PhD question's point).
    let limits = &md[md.find("### Limitations").expect("Limitations")..];
    assert!(
        limits.contains("- Crossover: control patients could receive T-DM1"),
        "{limits}"
    );
    // Plain text: no HTML entity, no HTML; lines a printer takes.
    assert!(
        !md.contains("&lt;") && !md.contains("&gt;") && !md.contains("&amp;"),
        "{md}"
    );
    assert!(md.contains("p < 0.001"), "{md}");
    assert!(!md.contains("<details>"), "{md}");
    let long: Vec<&str> = md.lines().filter(|l| l.chars().count() > 80).collect();
    assert!(long.is_empty(), "lines past 80 columns: {long:#?}");
    // The questions asked, open; no others.
    assert!(md.contains("### PhD") && md.contains("**Key response.** Crossover works"));
    assert!(!md.contains("### Resident"), "{md}");
    // The same document as the Markdown export: every section the export has is here, with
    // the same words (the handout is folded for print, the export is not).
    let export = trialdeck::export::markdown::render(
        &lib,
        &trialdeck::export::Selection::new(&lib, &["emilia"], &[]),
    );
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    for h in export.lines().filter(|l| l.starts_with("## ")) {
        assert!(
            md.contains(h),
            "the export's {h} is missing from the handout"
        );
    }
    let section = |s: &str, h: &str| {
        let from = s.find(h).unwrap();
        let rest = &s[from + h.len()..];
        rest[..rest.find("\n## ").unwrap_or(rest.len())].to_string()
    };
    for h in [
        "## Safety",
        "## Appraisal",
        "## Related",
        "## Discrepancies",
    ] {
        // The same words; a table wider than a page is a list in the handout.
        let printed =
            trialdeck::export::print::fold(&section(&export, h), trialdeck::export::print::WIDTH);
        assert_eq!(flat(&section(&md, h)), flat(&printed), "{h}");
    }
}

#[test]
fn h_never_writes_over_a_file_and_says_where_it_wrote() {
    use trialdeck::tui::app::{Reply, WriteFailure};
    let mut app = mini(RoundsOptions::default());
    // h: a new file in the working directory, never replacing one.
    let Effect::Write { path, replace, .. } = app.app.update(Action::Handout, at(1)) else {
        panic!("h writes the handout")
    };
    assert_eq!(
        (path.as_path(), replace),
        (std::path::Path::new("alpha-handout.md"), false)
    );
    // One is there already: the next name, still never replacing.
    let next = app.app.receive(
        Reply::Wrote {
            path,
            what: "the handout",
            result: Err(WriteFailure::Exists),
        },
        at(1),
    );
    let Effect::Write { path, replace, .. } = next else {
        panic!("the next name: {next:?}")
    };
    assert_eq!(
        (path.as_path(), replace),
        (std::path::Path::new("alpha-handout-2.md"), false)
    );
    let full = PathBuf::from("/somewhere/alpha-handout-2.md");
    let done = app.app.receive(
        Reply::Wrote {
            path,
            what: "the handout",
            result: Ok(full),
        },
        at(1),
    );
    assert_eq!(done, Effect::None);
    assert_eq!(
        app.message.as_deref(),
        Some("wrote the handout to /somewhere/alpha-handout-2.md")
    );
    // The round's own file is updated by the next h.
    let Effect::Write { path, replace, .. } = app.app.update(Action::Handout, at(2)) else {
        panic!("h writes the handout")
    };
    assert_eq!(
        (path.as_path(), replace),
        (std::path::Path::new("alpha-handout-2.md"), true)
    );
    // And the writer really refuses to replace: through the runtime's services.
    let dir = tempfile::tempdir().unwrap();
    let there = dir.path().join("alpha-handout.md");
    std::fs::write(&there, "the attending's own notes").unwrap();
    let err = trialdeck::fsutil::write_new(&there, b"handout").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
    assert_eq!(
        std::fs::read_to_string(&there).unwrap(),
        "the attending's own notes"
    );
    trialdeck::fsutil::write_new(&dir.path().join("alpha-handout-2.md"), b"handout").unwrap();
}
