//! Two terminals, one round, through the loop the binary runs: a room and a presenter, each
//! its own `Runtime` on a test terminal, joined by the real presenter link (a Unix socket in
//! a temporary directory). Keys pressed on either side move both; the presenter sees the key
//! response, every key point and the notes while the room sees only what is revealed; the
//! presenter quits and rejoins on the same card; the room restarts and resumes from the
//! presenter; a second presenter drives too.

mod common;

use common::{Looped, NOW, bundled_library};
use trialdeck::link::{Presenter, Room, ToPresenter};
use trialdeck::tui::app::{App, RoundsOptions, Step};
use trialdeck::tui::runtime::Link;
use trialdeck::tui::theme::ThemeName;

/// The room on EMILIA (200×50 unless said), listening as round `name` in `dir`.
fn room_in(dir: &std::path::Path, name: &str, w: u16, h: u16) -> Looped {
    let mut app = App::new(bundled_library(), ThemeName::HighContrast);
    let e = app.lib.index_of("emilia").unwrap();
    app.start_rounds(
        e,
        RoundsOptions {
            learners: vec!["Ana".into(), "Ben".into(), "Chi".into()],
            ..RoundsOptions::default()
        },
        false,
    );
    let mut l = Looped::new(app, w, h, NOW);
    let room = Room::open_in(dir, name, vec![]).expect("the room takes its name");
    l.rt.services
        .attach_link(Link::Room(room))
        .expect("the room listens");
    // A turn publishes the round (presenters are greeted with it).
    l.turn();
    l
}

/// A presenter (120×40 unless said) joining round `name` in `dir`.
fn presenter_in(dir: &std::path::Path, name: &str, w: u16, h: u16) -> Looped {
    let (link, hello) = Presenter::connect_in(dir, name).expect("the round is running");
    let ToPresenter::Hello { state, .. } = hello else {
        panic!("no greeting")
    };
    let mut app = App::new(bundled_library(), ThemeName::Dark);
    app.start_presenter(name, &state)
        .expect("the trial is here");
    let mut l = Looped::new(app, w, h, NOW);
    l.rt.services
        .attach_link(Link::Presenter(link))
        .expect("the presenter reads");
    l
}

fn at(l: &Looped) -> (usize, usize) {
    let r = l.app().rounds().unwrap();
    (r.at, r.shown)
}

/// Both sides settle on the same card.
fn in_step(room: &mut Looped, p: &mut Looped) {
    let want = at(room);
    p.turn_until("the presenter to follow the room", |p| at(p) == want);
    room.idle(30);
    assert_eq!(at(room), at(p));
}

fn joined(room: &mut Looped, n: usize) {
    room.turn_until("the presenters to join", |l| {
        l.app().rounds().unwrap().presenters() == n
    });
}

#[test]
fn keys_on_either_side_move_both_and_the_presenter_sees_what_the_room_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut room = room_in(dir.path(), "ward", 200, 50);
    let mut p = presenter_in(dir.path(), "ward", 120, 40);
    joined(&mut room, 1);
    assert!(
        p.screen().contains("presenter · round `ward`"),
        "{}",
        p.screen()
    );

    // The presenter drives: → → reaches the first question on both screens.
    p.burst(&["Right", "Right"]);
    room.turn_until("the room to move", |l| at(l).0 == 2);
    in_step(&mut room, &mut p);
    assert!(
        room.top().contains("Medical Student · 1 of 7"),
        "{}",
        room.top()
    );
    assert!(p.top().contains("Medical Student · 1 of 7"), "{}", p.top());

    // The presenter sees the key response and every key point; the room none of it.
    let q = room.app().lib.entry("emilia").unwrap().questions[0].clone();
    let p_text = flat(&p.screen());
    let point = |i: usize| q.key_points[i].chars().take(28).collect::<String>();
    assert!(p_text.contains(&flat(&point(0))), "{}", p.screen());
    assert!(p_text.contains("Key response"), "{}", p.screen());
    assert!(
        p_text.contains("the room sees the question only"),
        "{}",
        p.screen()
    );
    for i in 0..q.key_points.len() {
        assert!(!flat(&room.screen()).contains(&flat(&point(i))));
    }
    assert!(!room.screen().contains("Key response"));

    // The room drives: Space reveals a point on both; the presenter ticks it as seen.
    room.press("Space");
    in_step(&mut room, &mut p);
    assert_eq!(at(&p), (2, 1));
    assert!(flat(&room.screen()).contains(&flat(&point(0))));
    assert!(!flat(&room.screen()).contains(&flat(&point(1))));
    assert!(p.screen().contains("1 [✓]"), "{}", p.screen());
    assert!(p.screen().contains("2 [ ]"), "{}", p.screen());

    // `g 5` on the presenter: question 5 of 7 on both.
    p.press("g");
    p.press("5");
    room.turn_until("question 5", |l| l.top().contains("PhD · 5 of 7"));
    in_step(&mut room, &mut p);
    // The presenter's notes, below the answer (] scrolls): this question's first (crossover
    // is the PhD question's point).
    assert!(p.screen().contains("↓ more"), "{}", p.screen());
    let mut seen = String::new();
    for _ in 0..40 {
        seen.push_str(&p.screen());
        if p.screen().contains("The rest of the trial's notes") {
            break;
        }
        p.press("]");
    }
    let here = seen
        .find("This question (PhD · 5 of 7)")
        .expect("this question's notes");
    let crossover = seen
        .find("• Crossover: control patients")
        .expect("the crossover limitation");
    let rest = seen
        .find("The rest of the trial's notes")
        .expect("then the trial's");
    assert!(here < crossover && crossover < rest, "{seen}");
    let s = flat(&p.screen());
    // The next question and the learners.
    assert!(s.contains("Journal Editor · 6 of 7"), "{}", p.screen());
    p.press("l");
    room.turn_until("a learner called", |l| {
        l.app().rounds().unwrap().called().is_some()
    });
    let called = room.app().rounds().unwrap().called().unwrap().to_string();
    p.turn_until("the presenter to show the call", |p| {
        p.screen().contains("called now")
    });
    assert!(flat(&p.screen()).contains(&format!("▶ {called} called now (Q5)")));
    // The countdown starts from the presenter and runs on both.
    p.press("t");
    room.turn_until("the countdown", |l| {
        l.app().rounds().unwrap().timer.running()
    });
    p.turn_until("the presenter's clock", |p| {
        p.screen().contains("2:00 left")
    });
    // The room never shows the notes while a presenter is attached.
    room.press("p");
    assert!(!room.app().rounds().unwrap().notes_on_room());
    assert!(
        room.bottom()
            .contains("the notes are on the presenter's screen")
    );
    assert!(!room.screen().contains("Presenter notes"));
    assert!(!room.screen().contains("Crossover: control patients"));
}

/// Lines joined into one run of words (text wraps differently on each screen).
fn flat(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || "│┌┐└┘─".contains(c))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_presenter_quits_and_rejoins_on_the_same_card() {
    let dir = tempfile::tempdir().unwrap();
    let mut room = room_in(dir.path(), "r1", 200, 50);
    let mut p = presenter_in(dir.path(), "r1", 120, 40);
    joined(&mut room, 1);
    p.burst(&["Right", "Right", "Right", "Space", "Space"]);
    room.turn_until("question 2 with two points", |l| at(l) == (3, 2));
    p.press("q");
    assert!(p.ended.is_some(), "q ends the presenter");
    drop(p);
    room.turn_until("the presenter to leave", |l| {
        l.app().rounds().unwrap().presenters() == 0
    });
    assert_eq!(at(&room), (3, 2), "the room is where it was");
    let mut p = presenter_in(dir.path(), "r1", 120, 40);
    joined(&mut room, 1);
    assert_eq!(at(&p), (3, 2), "rejoined on the same card, as revealed");
    assert!(p.top().contains("Resident · 2 of 7"), "{}", p.top());
    p.press("Right");
    room.turn_until("the room to follow", |l| at(l) == (4, 0));
}

#[test]
fn the_room_restarts_and_resumes_from_the_presenter() {
    let dir = tempfile::tempdir().unwrap();
    let mut room = room_in(dir.path(), "r2", 200, 50);
    let mut p = presenter_in(dir.path(), "r2", 120, 40);
    joined(&mut room, 1);
    p.burst(&["g", "4", "Space"]);
    room.turn_until("question 4, one point", |l| at(l) == (5, 1));
    // The projector's terminal goes away.
    drop(room);
    p.turn_until("the presenter to notice", |p| {
        p.screen().contains("the room is gone")
    });
    assert_eq!(at(&p), (5, 1), "the presenter keeps the card");
    // It comes back fresh, on its title card, and the presenter brings it to the same card.
    let mut room = room_in(dir.path(), "r2", 200, 50);
    assert_eq!(at(&room), (0, 0));
    let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while at(&room) != (5, 1) {
        assert!(
            std::time::Instant::now() < end,
            "the room did not resume:\n{}",
            room.screen()
        );
        p.idle(20);
        room.idle(20);
    }
    assert!(room.top().contains("Attending · 4 of 7"), "{}", room.top());
    p.turn_until("connected again", |p| {
        !p.screen().contains("the room is gone")
    });
    p.press("Space");
    room.turn_until("the next point", |l| at(l) == (5, 2));
}

#[test]
fn a_second_presenter_drives_too_and_a_stale_press_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let mut room = room_in(dir.path(), "r3", 200, 50);
    let mut a = presenter_in(dir.path(), "r3", 120, 40);
    let mut b = presenter_in(dir.path(), "r3", 100, 30);
    joined(&mut room, 2);
    a.press("Right");
    room.turn_until("evidence", |l| at(l).0 == 1);
    b.turn_until("b follows", |b| at(b).0 == 1);
    b.press("Right");
    room.turn_until("question 1", |l| at(l).0 == 2);
    a.turn_until("a follows", |a| at(a).0 == 2);
    // Both press → on question 1 at the same moment: the room moves one card, not two.
    a.press("Right");
    b.press("Right");
    room.turn_until("question 2", |l| at(l).0 == 3);
    room.idle(100);
    assert_eq!(at(&room).0, 3, "two presses on the same card move it once");
    a.turn_until("a settles", |a| at(a).0 == 3);
    b.turn_until("b settles", |b| at(b).0 == 3);
    assert_eq!(
        room.app().rounds().unwrap().step(),
        Step::Question(1),
        "question 2 of 7"
    );
}

#[test]
fn one_round_per_name_and_a_clear_error_when_none_is_running() {
    let dir = tempfile::tempdir().unwrap();
    let err = Presenter::connect_in(dir.path(), "nobody")
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("no round named `nobody` is running"), "{err}");
    let first = Room::open_in(dir.path(), "busy", vec![]).unwrap();
    let err = Room::open_in(dir.path(), "busy", vec![])
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("a round named `busy` is already running"),
        "{err}"
    );
    // The socket is private.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(first.path())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    drop(first);
    assert!(
        !dir.path().join("busy.sock").exists(),
        "a room that ends takes its socket away"
    );
    assert!(Room::open_in(dir.path(), "busy", vec![]).is_ok());
}
