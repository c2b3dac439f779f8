//! Quiz mode through `App::update(action, now)` with a fixed clock: the session builder, the
//! card flow (reveal, staged points, ticks), grading and the effects it returns, undo, skip,
//! opening the trial and coming back, the summary and "drill what I missed", time passed in,
//! and the due/new/missed filters over history attached with `App::attach_history`.
//! Snapshots of each quiz screen at 80×24 and 120×40 close the file.

mod common;
use common::Tester;

use common::{mini_library, render, screen_text};
use std::collections::HashMap;
use std::time::{Duration, SystemTime};
use trialdeck::content::Role;
use trialdeck::review::{CardId, CardState, Filter, Grade, NewReview, Scheduler};
use trialdeck::tui::action::Action;
use trialdeck::tui::app::{App, BuilderRow, Effect, Face, Quiz, Screen, Session};
use trialdeck::tui::theme::ThemeName;

/// A realistic fixed clock (November 2023): the quiz schedules in days from here.
const T0_UNIX: i64 = 1_700_000_000;
const DAY: i64 = 86_400;

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(T0_UNIX as u64)
}

/// `secs` seconds after `t0()`.
fn at(secs: u64) -> SystemTime {
    t0() + Duration::from_secs(secs)
}

/// Ids of the mini pack's cards, in deck order (questions, then fact cards).
const STUDENT: &str = "mini-pack/q/alpha-student"; // 4 key points
const RESIDENT: &str = "mini-pack/q/alpha-resident"; // 3 key points
const PHD: &str = "mini-pack/q/alpha-phd"; // 4 key points
const DESIGN: &str = "mini-pack/f/alpha/design/design";
const PFS_VALUES: &str = "mini-pack/f/alpha/pfs/values";
const PFS_EFFECT: &str = "mini-pack/f/alpha/pfs/effect";
const ORR_VALUES: &str = "mini-pack/f/alpha/orr/values";
const ORR_EFFECT: &str = "mini-pack/f/alpha/orr/effect";
const SAFETY: &str = "mini-pack/f/alpha/safety-any-adverse-event-3/safety";
const ALL: [&str; 9] = [
    STUDENT, RESIDENT, PHD, DESIGN, PFS_VALUES, PFS_EFFECT, ORR_VALUES, ORR_EFFECT, SAFETY,
];

/// A scheduler without learning steps: most tests here count days; the steps have tests of
/// their own below (with the default scheduler).
fn days_only() -> Scheduler {
    Scheduler::default().with_steps(trialdeck::review::Steps {
        learning: vec![],
        relearning: vec![],
    })
}

/// An app on the mini pack at `w`×`h`, at time `t0()`, with a history of `states`.
/// Its grades go to an in-memory store holding those states, which answers as a history on
/// disk does.
fn app_hist(w: u16, h: u16, states: &HashMap<String, CardState>, saving: bool) -> Tester {
    let mut store = trialdeck::review::Store::no_save(days_only());
    store.put_states(states).expect("states go into the store");
    let mut app = Tester::with_store(App::new(mini_library(), ThemeName::Dark), store);
    app.act(Action::Resize(w, h), t0());
    app.attach_history(states, days_only(), saving, None);
    app
}

/// A saving app with a session from `filter` running, at time `t0()`.
fn quiz_app(filter: Filter) -> Tester {
    let mut app = app_hist(80, 24, &HashMap::new(), true);
    app.start_quiz(filter, false);
    app
}

/// A session over exactly these cards, in this order (questions only keep it short).
fn session_of(ids: &[&str]) -> Tester {
    let mut app = quiz_app(Filter::default());
    let queue = ids.iter().map(|id| card_index(&app, id)).collect();
    app.screen = Screen::Quiz(Box::new(Quiz::Running(Session::new(
        queue,
        Filter::default(),
        t0(),
    ))));
    app
}

fn card_index(app: &App, id: &str) -> usize {
    app.deck
        .index
        .get(id)
        .unwrap_or_else(|| panic!("no card {id}"))
}

fn session(app: &App) -> &Session {
    match app.quiz() {
        Some(Quiz::Running(s)) => s,
        other => panic!(
            "no running session: {:?}",
            other.map(std::mem::discriminant)
        ),
    }
}

/// The id of the card on screen.
fn current(app: &App) -> String {
    let s = session(app);
    app.deck.cards[s.card().expect("a card on screen")]
        .id
        .0
        .clone()
}

fn queue_ids(app: &App) -> Vec<String> {
    session(app)
        .upcoming()
        .iter()
        .map(|&i| app.deck.cards[i].id.0.clone())
        .collect()
}

/// Apply actions in order at the app's current time (the time of its last update).
fn keys(app: &mut Tester, actions: impl IntoIterator<Item = Action>) {
    for a in actions {
        let now = app.now;
        app.act(a, now);
    }
}

fn up(app: &mut Tester, action: Action, now: SystemTime) -> Effect {
    app.act(action, now)
}

fn record(effect: Effect) -> NewReview {
    match effect {
        Effect::Record { review, .. } => review,
        other => panic!("expected Effect::Record, got {other:?}"),
    }
}

/// A state as the store would give it: reviewed at `last`, due at `due`, last graded `grade`.
fn state(last: i64, due: i64, grade: Grade) -> CardState {
    CardState {
        stability: 3.0,
        difficulty: 5.0,
        due,
        reps: 1,
        lapses: 0,
        last_review: last,
        last_grade: grade,
        phase: trialdeck::review::Phase::Review,
        step: 0,
    }
}

// ---------------------------------------------------------------------------------------------
// The builder

#[test]
fn the_mini_deck_is_its_questions_then_its_fact_cards() {
    let app = quiz_app(Filter::default());
    let ids: Vec<&str> = app.deck.cards.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ALL);
}

#[test]
fn builder_lists_every_choice_and_toggles_them() {
    let mut app = app_hist(80, 24, &HashMap::new(), true);
    app.start_quiz(Filter::default(), true);
    let Some(Quiz::Building(b)) = app.quiz() else {
        panic!("the builder opens");
    };
    let mut expected = vec![
        BuilderRow::Start,
        BuilderRow::Due,
        BuilderRow::New,
        BuilderRow::Missed,
        BuilderRow::Facts,
        BuilderRow::OngoingFacts,
        BuilderRow::Shuffle,
        BuilderRow::Count,
    ];
    expected.extend(Role::ALL.into_iter().map(BuilderRow::Role));
    expected.push(BuilderRow::Trial("alpha".into()));
    assert_eq!(
        b.rows(),
        expected,
        "the topic has no cards, so it is not offered"
    );

    let builder = |app: &App| match app.quiz() {
        Some(Quiz::Building(b)) => b.clone(),
        _ => panic!("still building"),
    };
    // Due, New, Missed, Facts, Shuffle toggle with Space, and again off.
    for (row, what) in [
        (1, "due"),
        (2, "new"),
        (3, "missed"),
        (4, "facts"),
        (5, "ongoing"),
        (6, "shuffle"),
    ] {
        keys(&mut app, [Action::Top]);
        keys(&mut app, std::iter::repeat_n(Action::Down, row));
        assert_eq!(builder(&app).row, row);
        let before = builder(&app).filter;
        up(&mut app, Action::Reveal, t0());
        let on = builder(&app).filter;
        assert_ne!(on, before, "Space on {what} changes the filter");
        match what {
            "due" => assert!(on.due),
            "new" => assert!(on.new),
            "missed" => assert!(on.missed),
            "facts" => assert!(
                on.no_facts,
                "facts are on by default; Space leaves them out"
            ),
            "ongoing" => assert!(
                on.ongoing_facts,
                "facts of ongoing trials are off by default; Space takes them in"
            ),
            _ => assert!(on.shuffle.is_some()),
        }
        up(&mut app, Action::Reveal, t0());
        assert_eq!(
            builder(&app).filter,
            before,
            "Space again on {what} undoes it"
        );
    }
    // The count steps up (→) and down (←) through its stops, wrapping to "all".
    keys(&mut app, [Action::Top]);
    keys(&mut app, std::iter::repeat_n(Action::Down, 7));
    assert_eq!(builder(&app).filter.count, None);
    up(&mut app, Action::NextSection, t0());
    assert_eq!(builder(&app).filter.count, Some(5));
    up(&mut app, Action::NextSection, t0());
    assert_eq!(builder(&app).filter.count, Some(10));
    keys(&mut app, [Action::PrevSection, Action::PrevSection]);
    assert_eq!(builder(&app).filter.count, None, "below 5 is all");
    up(&mut app, Action::PrevSection, t0());
    assert_eq!(builder(&app).filter.count, Some(100));
    up(&mut app, Action::NextSection, t0());
    // Roles and the trial toggle in and out of the filter; Enter toggles too.
    keys(&mut app, [Action::Down, Action::Down]); // Resident
    assert_eq!(
        builder(&app).rows()[builder(&app).row],
        BuilderRow::Role(Role::Resident)
    );
    up(&mut app, Action::Reveal, t0());
    assert_eq!(builder(&app).filter.roles, vec![Role::Resident]);
    keys(&mut app, [Action::Down, Action::Open]); // Fellow, by Enter
    assert_eq!(
        builder(&app).filter.roles,
        vec![Role::Resident, Role::Fellow]
    );
    up(&mut app, Action::Open, t0());
    assert_eq!(builder(&app).filter.roles, vec![Role::Resident]);
    up(&mut app, Action::Bottom, t0());
    up(&mut app, Action::Reveal, t0());
    assert_eq!(builder(&app).filter.trials, vec!["alpha".to_string()]);
    // The cursor stops at both ends.
    up(&mut app, Action::Down, t0());
    assert_eq!(builder(&app).row, builder(&app).rows().len() - 1);
    keys(&mut app, [Action::Top, Action::Up]);
    assert_eq!(builder(&app).row, 0);
}

#[test]
fn builder_counts_follow_the_choice_and_the_history() {
    // One card due, one reviewed and not yet due, the rest new.
    let mut states = HashMap::new();
    states.insert(
        STUDENT.into(),
        state(T0_UNIX - 5 * DAY, T0_UNIX - DAY, Grade::Good),
    );
    states.insert(
        PFS_VALUES.into(),
        state(T0_UNIX - DAY, T0_UNIX + 3 * DAY, Grade::Good),
    );
    let mut app = app_hist(80, 24, &states, true);
    app.start_quiz(Filter::default(), true);
    let text = screen_text(&render(&app));
    assert!(
        text.contains("Session: New 7 · Learning 0 · Due 1 = 8 cards"),
        "the builder's headline counts, which add up:\n{text}"
    );
    assert!(
        text.contains("Today: 0 of 20 new cards and 0 of 200 reviews done"),
        "{text}"
    );
    // Per role: Medical Student has the due question and the (new) design card.
    assert!(
        text.lines()
            .any(|l| l.contains("[ ] Medical Student") && l.contains("1 due · 1 new · 2 total")),
        "{text}"
    );
    // Resident: the question (new), two values cards (one scheduled, one new), the safety
    // card (new).
    assert!(
        text.lines()
            .any(|l| l.contains("[ ] Resident") && l.contains("0 due · 3 new · 4 total")),
        "{text}"
    );
    // Choosing Resident narrows the headline.
    keys(&mut app, std::iter::repeat_n(Action::Down, 9));
    up(&mut app, Action::Reveal, t0());
    let text = screen_text(&render(&app));
    assert!(
        text.contains("Session: New 3 · Learning 0 · Due 0 = 3 cards"),
        "{text}"
    );
    // Leaving fact cards out leaves the one Resident question.
    keys(&mut app, [Action::Top]);
    keys(&mut app, std::iter::repeat_n(Action::Down, 4));
    up(&mut app, Action::Reveal, t0());
    let text = screen_text(&render(&app));
    assert!(
        text.contains("Session: New 1 · Learning 0 · Due 0 = 1 card"),
        "{text}"
    );
    // Start (Enter on the first row) runs exactly that session.
    keys(&mut app, [Action::Top, Action::Open]);
    assert_eq!(queue_ids(&app), vec![RESIDENT]);
}

#[test]
fn builder_refuses_an_empty_session_and_esc_leaves() {
    let mut app = app_hist(80, 24, &HashMap::new(), true);
    app.start_quiz(Filter::default(), true);
    // Due only, with no history: nothing is due, and the quiz says when and what else.
    keys(&mut app, [Action::Down, Action::Reveal, Action::Top]);
    up(&mut app, Action::Open, t0());
    assert!(matches!(app.quiz(), Some(Quiz::Idle(_))), "nothing due");
    let text = screen_text(&render(&app));
    assert!(text.contains("Nothing is due now."), "{text}");
    assert!(
        text.contains("Enter studies new cards: 9 left today"),
        "{text}"
    );
    assert!(text.contains("p starts a practice run"), "{text}");
    // Enter takes the offer: new cards within the day's limit.
    up(&mut app, Action::Open, t0());
    assert_eq!(session(&app).upcoming().len(), 9);
    up(&mut app, Action::Back, t0());
    // A choice that admits no card at all (the mini pack has no Attending card).
    app.start_quiz(
        Filter {
            roles: vec![Role::Attending],
            ..Filter::default()
        },
        true,
    );
    up(&mut app, Action::Open, t0());
    assert!(
        matches!(app.quiz(), Some(Quiz::Building(_))),
        "still building"
    );
    assert!(
        app.message
            .as_deref()
            .is_some_and(|m| m.contains("no cards match")),
        "{:?}",
        app.message
    );
    up(&mut app, Action::Back, t0());
    assert!(
        matches!(app.screen, Screen::Browse),
        "Esc leaves the builder"
    );
}

#[test]
fn the_learners_level_sets_the_default_roles() {
    let mut app = Tester::new(App::new(mini_library(), ThemeName::Dark));
    app.act(Action::Resize(80, 24), t0());
    app.attach_history(
        &HashMap::new(),
        Scheduler::default(),
        true,
        Some(Role::Resident),
    );
    app.browse_mut().role = None;
    let f = app.quiz_filter_here();
    assert_eq!(f.roles, vec![Role::MedicalStudent, Role::Resident]);
    assert_eq!(f.trials, vec!["alpha".to_string()], "the trial on screen");
    // Q opens the builder with that filter.
    up(&mut app, Action::OpenQuiz, t0());
    match app.quiz() {
        Some(Quiz::Building(b)) => assert_eq!(b.filter, f),
        _ => panic!("Q opens the builder"),
    }
}

// ---------------------------------------------------------------------------------------------
// A card: reveal, staged points, ticks

#[test]
fn staged_points_then_reveal() {
    let mut app = session_of(&[RESIDENT, STUDENT]);
    assert_eq!(session(&app).face, Face::Front { points: 0 });
    let text = screen_text(&render(&app));
    assert!(
        text.contains("How would you explain the hazard ratio"),
        "{text}"
    );
    assert!(
        !text.contains("HR 0.70 means"),
        "no key point before n:\n{text}"
    );
    for n in 1..=3 {
        up(&mut app, Action::NextPoint, t0());
        assert_eq!(session(&app).face, Face::Front { points: n });
    }
    let text = screen_text(&render(&app));
    assert!(
        text.contains("1. HR 0.70 means a 30% lower hazard"),
        "{text}"
    );
    assert!(
        text.contains("3. CI 0.55 to 0.85 excludes no effect"),
        "{text}"
    );
    assert!(
        !text.contains("Answer"),
        "the answer is still hidden:\n{text}"
    );
    // Past the last point, n turns the card.
    up(&mut app, Action::NextPoint, t0());
    assert_eq!(session(&app).face, Face::Back);
    // Space turns a fresh card at once.
    up(&mut app, Action::Skip, t0());
    assert_eq!(current(&app), STUDENT);
    assert_eq!(session(&app).face, Face::Front { points: 0 });
    up(&mut app, Action::Reveal, t0());
    assert_eq!(session(&app).face, Face::Back);
    let text = screen_text(&render(&app));
    assert!(text.contains("Answer"), "{text}");
    assert!(
        text.contains("ALPHA is an invented phase 3 trial"),
        "{text}"
    );
}

#[test]
fn ticks_toggle_points_only_after_reveal_and_only_points_that_exist() {
    let mut app = session_of(&[RESIDENT]);
    up(&mut app, Action::TickPoint(1), t0());
    assert_eq!(
        session(&app).ticked,
        0,
        "no ticking before the answer shows"
    );
    up(&mut app, Action::Reveal, t0());
    keys(&mut app, [Action::TickPoint(1), Action::TickPoint(3)]);
    assert_eq!(session(&app).ticked, 0b101);
    up(&mut app, Action::TickPoint(1), t0());
    assert_eq!(session(&app).ticked, 0b100, "a second tick takes it back");
    for n in 4..=6 {
        up(&mut app, Action::TickPoint(n), t0());
    }
    assert_eq!(session(&app).ticked, 0b100, "the card has 3 points");
    let text = screen_text(&render(&app));
    // Each point carries the key that ticks it (a, b, c), not a grade's digit.
    assert!(text.contains("a [ ] HR 0.70"), "{text}");
    assert!(text.contains("c [✓] CI 0.55"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// Grading

/// Grade the first card of a fresh session with `ticks` ticked and `key` (Enter or Space):
/// the grade recorded, and whether the first press asked for a confirmation first.
fn enter_grade(id: &str, ticks: &[u8], key: Action) -> (Grade, bool) {
    let mut app = session_of(&[id]);
    up(&mut app, Action::Reveal, t0());
    for &t in ticks {
        up(&mut app, Action::TickPoint(t), t0());
    }
    match up(&mut app, key.clone(), at(10)) {
        Effect::Record { review, .. } => (review.grade, false),
        Effect::None => {
            assert!(session(&app).confirm.is_some(), "asked to confirm");
            let text = screen_text(&render(&app));
            assert!(text.contains("as your ticks suggest?"), "{text}");
            (record(up(&mut app, key, at(11))).grade, true)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn space_and_enter_grade_good_and_ticks_ask_before_changing_it() {
    for key in [Action::Open, Action::Reveal] {
        // No ticks: Good, as in Anki.
        assert_eq!(enter_grade(STUDENT, &[], key.clone()), (Grade::Good, false));
        // Ticks that suggest Good: Good at once.
        assert_eq!(
            enter_grade(STUDENT, &[1, 2, 3, 4], key.clone()),
            (Grade::Good, false)
        );
        assert_eq!(
            enter_grade(RESIDENT, &[3, 2, 1], key.clone()),
            (Grade::Good, false)
        );
        // Ticks that suggest another grade: shown, and taken only on a second press.
        // Four points: one → Again, two or three → Hard.
        assert_eq!(
            enter_grade(STUDENT, &[2], key.clone()),
            (Grade::Again, true)
        );
        assert_eq!(
            enter_grade(STUDENT, &[1, 4], key.clone()),
            (Grade::Hard, true)
        );
        assert_eq!(
            enter_grade(STUDENT, &[1, 2, 3], key.clone()),
            (Grade::Hard, true)
        );
        // Three points: one is under half → Again; two → Hard.
        assert_eq!(
            enter_grade(RESIDENT, &[3], key.clone()),
            (Grade::Again, true)
        );
        assert_eq!(
            enter_grade(RESIDENT, &[1, 3], key.clone()),
            (Grade::Hard, true)
        );
    }
    // 1–4 grade at once, whatever is ticked.
    let mut app = session_of(&[STUDENT]);
    up(&mut app, Action::Reveal, t0());
    up(&mut app, Action::TickPoint(1), t0());
    assert_eq!(
        record(up(&mut app, Action::Grade(4), at(5))).grade,
        Grade::Easy
    );
    // A tick after the question resets it.
    let mut app = session_of(&[STUDENT]);
    up(&mut app, Action::Reveal, t0());
    up(&mut app, Action::TickPoint(1), t0());
    assert_eq!(up(&mut app, Action::Open, at(5)), Effect::None);
    up(&mut app, Action::TickPoint(2), at(6));
    assert!(session(&app).confirm.is_none(), "a new tick asks again");
}

/// The grade marked as Enter's on screen: the last grade word before the `◀` mark.
fn marked_grade(text: &str) -> Option<&'static str> {
    let line = text.lines().find(|l| l.contains('◀'))?;
    let before = &line[..line.find('◀')?];
    ["Again", "Hard", "Good", "Easy"]
        .into_iter()
        .filter_map(|g| before.rfind(g).map(|i| (i, g)))
        .max()
        .map(|(_, g)| g)
}

#[test]
fn the_suggested_grade_is_marked_on_screen() {
    let mut app = session_of(&[STUDENT]);
    up(&mut app, Action::Reveal, t0());
    let text = screen_text(&render(&app));
    assert_eq!(
        marked_grade(&text),
        Some("Good"),
        "nothing ticked, Space gives Good:\n{text}"
    );
    assert_eq!(text.matches('◀').count(), 1, "{text}");
    keys(&mut app, [Action::TickPoint(1), Action::TickPoint(2)]);
    let text = screen_text(&render(&app));
    assert_eq!(marked_grade(&text), Some("Hard"), "half ticked:\n{text}");
    keys(&mut app, [Action::TickPoint(3), Action::TickPoint(4)]);
    let text = screen_text(&render(&app));
    assert_eq!(marked_grade(&text), Some("Good"), "all ticked:\n{text}");
}

#[test]
fn clicking_a_key_point_ticks_it() {
    let mut app = session_of(&[RESIDENT]);
    up(&mut app, Action::Reveal, t0());
    common::click_text(&mut app, "Median 9 versus 6 months");
    assert_eq!(session(&app).ticked, 0b010);
    common::click_text(&mut app, "CI 0.55 to 0.85 excludes");
    assert_eq!(session(&app).ticked, 0b110);
    common::click_text(&mut app, "Median 9 versus 6 months");
    assert_eq!(session(&app).ticked, 0b100, "a second click takes it back");
    // Clicking the question does not tick anything.
    common::click_text(&mut app, "How would you explain");
    assert_eq!(session(&app).ticked, 0b100);
}

#[test]
fn direct_grades_record_the_card_points_and_time() {
    let mut app = session_of(&[STUDENT, RESIDENT, PHD, DESIGN]);
    let grades = [
        (Action::Grade(1), Grade::Again),
        (Action::Grade(2), Grade::Hard),
        (Action::Grade(3), Grade::Good),
        (Action::Grade(4), Grade::Easy),
    ];
    let mut shown = t0();
    for (i, (key, grade)) in grades.into_iter().enumerate() {
        let id = current(&app);
        assert_eq!(id, [STUDENT, RESIDENT, PHD, DESIGN][i]);
        up(&mut app, key.clone(), shown + Duration::from_secs(5));
        assert_eq!(session(&app).at, i, "grading needs the answer shown first");
        up(&mut app, Action::Reveal, shown + Duration::from_secs(20));
        keys(&mut app, [Action::TickPoint(2)]);
        let graded_at = shown + Duration::from_millis(42_500);
        let r = record(up(&mut app, key, graded_at));
        let total = app.deck.cards[card_index(&app, &id)]
            .text(&app.lib)
            .unwrap()
            .key_points
            .len();
        assert_eq!(
            r,
            NewReview {
                card: CardId(id.clone()),
                at: T0_UNIX + (graded_at.duration_since(t0()).unwrap().as_secs() as i64),
                grade,
                points: 0b10,
                points_total: total as u32,
                duration_ms: 42_500,
            }
        );
        shown = graded_at;
        // The deck's state moved on with the grade.
        let st = app.deck.states[card_index(&app, &id)].expect("a state after grading");
        assert_eq!(st.last_grade, grade);
        assert_eq!(st.reps, 1);
    }
    assert!(
        matches!(app.quiz(), Some(Quiz::Done { .. })),
        "four cards, four grades"
    );
}

#[test]
fn not_saving_grades_go_to_memory_and_undo_takes_them_back() {
    let mut app = app_hist(80, 24, &HashMap::new(), false);
    app.start_quiz(Filter::default(), false);
    let id = current(&app);
    up(&mut app, Action::Reveal, t0());
    record(up(&mut app, Action::Grade(3), at(30)));
    assert_eq!(session(&app).at, 1, "the session went on");
    let stored = app.services.store().state(&CardId(id.clone())).unwrap();
    assert!(stored.is_some(), "the in-memory history holds the grade");
    assert_eq!(
        app.deck.states[card_index(&app, &id)],
        stored,
        "the app shows the state the store computed"
    );
    assert!(matches!(
        up(&mut app, Action::Undo, at(31)),
        Effect::Undo { .. }
    ));
    assert_eq!(session(&app).at, 0);
    assert!(app.deck.states[card_index(&app, &id)].is_none());
    assert!(app.services.store().state(&CardId(id)).unwrap().is_none());
    assert!(screen_text(&render(&app)).contains("not saving"));
}

#[test]
fn undo_takes_back_the_last_grade_and_shows_the_card_again() {
    let mut app = session_of(&[STUDENT, RESIDENT, PHD]);
    up(&mut app, Action::Undo, t0());
    assert_eq!(app.message.as_deref(), Some("nothing to undo"));
    up(&mut app, Action::Reveal, t0());
    record(up(&mut app, Action::Grade(3), at(10)));
    let before = app.deck.states[card_index(&app, RESIDENT)];
    assert!(before.is_none());
    up(&mut app, Action::Reveal, at(11));
    up(&mut app, Action::TickPoint(1), at(12));
    record(up(&mut app, Action::Grade(1), at(20)));
    assert_eq!(current(&app), PHD);
    assert_eq!(session(&app).reviews.len(), 2);

    // Undo names exactly the resident's review (the second one recorded).
    assert_eq!(
        up(&mut app, Action::Undo, at(25)),
        Effect::Undo { review_id: 2 }
    );
    assert!(
        app.services
            .store()
            .state(&CardId(RESIDENT.into()))
            .unwrap()
            .is_none(),
        "the history no longer holds it"
    );
    let s = session(&app);
    assert_eq!(current(&app), RESIDENT, "the undone card is shown again");
    assert_eq!(s.face, Face::Back);
    assert_eq!(s.ticked, 0);
    assert_eq!(s.reviews.len(), 1);
    assert_eq!(
        app.deck.states[card_index(&app, RESIDENT)],
        before,
        "its state is restored"
    );
    assert!(
        app.deck.states[card_index(&app, STUDENT)].is_some(),
        "the earlier grade stays"
    );
    let text = screen_text(&render(&app));
    assert!(
        text.contains("How would you explain the hazard ratio"),
        "{text}"
    );
    assert!(text.contains("New 2 · Learning 0 · Due 0"), "{text}");
    // Regrading writes a fresh review, timed from the undo.
    let r = record(up(&mut app, Action::Grade(3), at(27)));
    assert_eq!(
        (r.card.0.as_str(), r.grade, r.duration_ms),
        (RESIDENT, Grade::Good, 2000)
    );
    // Undo twice goes back to the first card.
    up(&mut app, Action::Undo, at(30));
    assert_eq!(
        up(&mut app, Action::Undo, at(31)),
        Effect::Undo { review_id: 1 }
    );
    assert_eq!(current(&app), STUDENT);
    assert!(app.deck.states[card_index(&app, STUDENT)].is_none());
}

#[test]
fn undo_after_the_last_card_reopens_it() {
    let mut app = session_of(&[STUDENT, RESIDENT]);
    up(&mut app, Action::Reveal, t0());
    record(up(&mut app, Action::Grade(3), at(5)));
    up(&mut app, Action::Reveal, at(6));
    record(up(&mut app, Action::Grade(1), at(8)));
    assert!(matches!(app.quiz(), Some(Quiz::Done { .. })));
    assert_eq!(
        up(&mut app, Action::Undo, at(9)),
        Effect::Undo { review_id: 2 },
        "u on the summary takes back the last grade"
    );
    assert_eq!(current(&app), RESIDENT, "and shows that card again");
    assert_eq!(session(&app).face, Face::Back);
    assert!(app.deck.states[card_index(&app, RESIDENT)].is_none());
}

#[test]
fn skip_moves_on_without_a_review() {
    let mut app = session_of(&[STUDENT, RESIDENT]);
    assert_eq!(up(&mut app, Action::Skip, at(3)), Effect::None);
    assert_eq!(current(&app), RESIDENT);
    assert_eq!(session(&app).skipped, 1);
    assert!(app.deck.states[card_index(&app, STUDENT)].is_none());
    // Skipping the last card ends the session with nothing graded.
    up(&mut app, Action::Skip, at(4));
    match app.quiz() {
        Some(Quiz::Done { summary, .. }) => {
            assert_eq!(summary.seen, 0);
            assert_eq!(summary.grades, [0; 4]);
        }
        _ => panic!("the session ended"),
    }
}

#[test]
fn o_opens_the_trial_and_q_resumes_the_same_card() {
    let mut app = session_of(&[STUDENT, RESIDENT, PHD]);
    up(&mut app, Action::Reveal, t0());
    up(&mut app, Action::Grade(3), at(5));
    up(&mut app, Action::NextPoint, at(6));
    assert_eq!(up(&mut app, Action::OpenEntry, at(7)), Effect::None);
    assert!(matches!(app.screen, Screen::Browse), "the browser is up");
    let alpha = app.lib.index_of("alpha").unwrap();
    assert_eq!(app.current(), Some(alpha));
    assert_eq!(app.browse().focus, trialdeck::tui::app::Focus::Detail);
    assert!(app.paused_quiz.is_some());
    let text = screen_text(&render(&app));
    assert!(text.contains("ALPHA — Drug A versus drug B"), "{text}");
    assert!(
        text.contains("Q returns to the quiz"),
        "the footer says the way back:\n{text}"
    );
    // Browse a little, then Q.
    keys(&mut app, [Action::NextSection, Action::NextSection]);
    up(&mut app, Action::OpenQuiz, at(60));
    assert!(app.paused_quiz.is_none());
    assert_eq!(current(&app), RESIDENT, "the same card");
    let s = session(&app);
    assert_eq!(s.at, 1);
    assert_eq!(s.face, Face::Front { points: 1 }, "as it was left");
    assert_eq!(s.reviews.len(), 1, "the grade before is kept");
}

#[test]
fn a_fact_cards_answer_keeps_its_lines_apart() {
    let mut app = session_of(&[PFS_EFFECT]);
    up(&mut app, Action::Reveal, t0());
    let answer = app.deck.cards[card_index(&app, PFS_EFFECT)]
        .text(&app.lib)
        .unwrap()
        .answer;
    assert!(
        answer.contains('\n'),
        "the card's answer has several lines: {answer:?}"
    );
    let text = screen_text(&render(&app));
    for line in answer.lines() {
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with(line.trim())),
            "{line:?} starts a line of its own:\n{text}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The summary and drilling what was missed

#[test]
fn summary_counts_names_the_weakest_and_drills_exactly_the_missed() {
    let mut app = session_of(&[STUDENT, RESIDENT, PHD, DESIGN]);
    // Student: all 4 points, Good.
    up(&mut app, Action::Reveal, t0());
    keys(&mut app, (1..=4).map(Action::TickPoint));
    assert_eq!(
        record(up(&mut app, Action::Open, at(10))).grade,
        Grade::Good
    );
    // Resident: nothing, Again.
    up(&mut app, Action::Reveal, at(10));
    assert_eq!(
        record(up(&mut app, Action::Grade(1), at(40))).grade,
        Grade::Again
    );
    // PhD: 1 of 4, Again by hand.
    up(&mut app, Action::Reveal, at(40));
    up(&mut app, Action::TickPoint(3), at(41));
    record(up(&mut app, Action::Grade(1), at(70)));
    // Design fact: skipped.
    up(&mut app, Action::Skip, at(75));
    let Some(Quiz::Done { summary, .. }) = app.quiz() else {
        panic!("the summary shows");
    };
    assert_eq!(summary.seen, 3);
    assert_eq!(summary.reviews, 3);
    assert_eq!(summary.grades, [2, 0, 1, 0]);
    assert_eq!(summary.time_ms, 70_000);
    assert_eq!(
        summary.missed,
        vec![CardId(RESIDENT.into()), CardId(PHD.into())]
    );
    assert_eq!(
        summary.weakest_role.as_deref(),
        Some("Resident"),
        "0 of 3 points"
    );
    assert_eq!(summary.weakest_trial.as_deref(), Some("ALPHA"));
    let by_trial = &summary.recall_by_trial;
    assert_eq!(by_trial.len(), 1);
    assert_eq!(
        (by_trial[0].points_ticked, by_trial[0].points_total),
        (5, 8),
        "points of the two cards ticked (the resident's, graded Again unticked, by its grade)"
    );
    let Some(Quiz::Done { session: done, .. }) = app.quiz() else {
        unreachable!()
    };
    assert!(
        app.deck
            .next_due_day(&done.filter, at(75))
            .is_some_and(|(due, n)| due > T0_UNIX && n >= 1),
        "the missed cards are due again"
    );
    let text = screen_text(&render(&app));
    assert!(
        text.contains("3 cards · 3 reviews · 1 min 10 s · Again 2 · Hard 0 · Good 1 · Easy 0"),
        "{text}"
    );
    assert!(text.contains("Weakest: Resident · ALPHA"), "{text}");
    assert!(text.contains("m drills the 2 cards you missed"), "{text}");

    // d: a session of exactly the missed cards, in session order.
    assert_eq!(up(&mut app, Action::DrillMissed, at(100)), Effect::None);
    assert_eq!(queue_ids(&app), vec![RESIDENT, PHD]);
    assert_eq!(session(&app).at, 0);
    assert!(session(&app).reviews.is_empty());
}

#[test]
fn drilling_with_nothing_missed_says_so_and_enter_builds_again() {
    let mut app = session_of(&[STUDENT]);
    up(&mut app, Action::Reveal, t0());
    keys(&mut app, (1..=4).map(Action::TickPoint));
    record(up(&mut app, Action::Grade(4), at(3)));
    let text = screen_text(&render(&app));
    assert!(text.contains("Nothing stood out as weak."), "{text}");
    up(&mut app, Action::DrillMissed, at(4));
    assert_eq!(
        app.message.as_deref(),
        Some("nothing was missed in this session")
    );
    assert!(matches!(app.quiz(), Some(Quiz::Done { .. })));
    up(&mut app, Action::Open, at(5));
    assert!(
        matches!(app.quiz(), Some(Quiz::Building(_))),
        "Enter builds another session"
    );
    up(&mut app, Action::Back, at(6));
    assert!(matches!(app.screen, Screen::Browse));
}

#[test]
fn esc_mid_session_shows_the_summary_of_what_was_graded() {
    let mut app = session_of(&[STUDENT, RESIDENT, PHD]);
    up(&mut app, Action::Reveal, t0());
    record(up(&mut app, Action::Grade(1), at(3)));
    up(&mut app, Action::Back, at(4));
    match app.quiz() {
        Some(Quiz::Done { summary, .. }) => {
            assert_eq!(summary.seen, 1);
            assert_eq!(summary.missed, vec![CardId(STUDENT.into())]);
        }
        _ => panic!("Esc shows the summary"),
    }
}

// ---------------------------------------------------------------------------------------------
// Time is passed in

#[test]
fn a_card_graded_later_is_due_later() {
    let due_after = |graded: SystemTime| {
        let mut app = session_of(&[STUDENT]);
        up(&mut app, Action::Reveal, t0());
        let r = record(up(&mut app, Action::Grade(3), graded));
        assert_eq!(
            r.at,
            T0_UNIX + graded.duration_since(t0()).unwrap().as_secs() as i64
        );
        app.deck.states[card_index(&app, STUDENT)].unwrap().due
    };
    let now = due_after(t0());
    let later = due_after(at(90));
    assert!(now > T0_UNIX, "Good schedules into the future");
    assert_eq!(
        later - now,
        90,
        "the same interval, counted from the later time"
    );
}

/// Seen in tmux on a learner's second day: the summary said "Next due: on 2026-12-08" (the
/// earliest of that session's cards) while 16 cards from the first day were due on 12-07.
/// What is due next is said over every card of the choice, with how many.
#[test]
fn the_summary_says_when_any_card_is_next_due_not_only_the_sessions() {
    let states: HashMap<String, CardState> = [(
        RESIDENT.to_string(),
        state(T0_UNIX - DAY, T0_UNIX + DAY, Grade::Good),
    )]
    .into();
    let mut app = app_hist(80, 24, &states, true);
    app.start_quiz(Filter::default(), false);
    let queue = vec![card_index(&app, STUDENT)];
    app.screen = Screen::Quiz(Box::new(Quiz::Running(Session::new(
        queue,
        Filter::default(),
        t0(),
    ))));
    up(&mut app, Action::Reveal, t0());
    record(up(&mut app, Action::Grade(4), t0()));
    let student_due = app.deck.states[card_index(&app, STUDENT)].unwrap().due;
    assert!(
        student_due > T0_UNIX + 2 * DAY,
        "the session's one card (Easy) is due after the other one"
    );
    assert!(matches!(app.quiz(), Some(Quiz::Done { .. })));
    let text = screen_text(&render(&app));
    assert!(text.contains("Next: 1 card due tomorrow"), "{text}");
}

#[test]
fn a_card_due_tomorrow_is_not_due_today_but_is_tomorrow() {
    let mut app = session_of(&[STUDENT]);
    up(&mut app, Action::Reveal, t0());
    record(up(&mut app, Action::Grade(3), t0()));
    let due = app.deck.states[card_index(&app, STUDENT)].unwrap().due;
    let states: HashMap<String, CardState> = [(
        STUDENT.to_string(),
        app.deck.states[card_index(&app, STUDENT)].unwrap(),
    )]
    .into();
    let due_filter = Filter {
        due: true,
        ..Filter::default()
    };
    // Review cards fall due by the day, as in Anki: the day before its due day it is not
    // in a due session (and the quiz says when it is); from the start of that day it is.
    let due_day_start = due - due.rem_euclid(DAY);
    let mut before = app_hist(80, 24, &states, true);
    before.tick(SystemTime::UNIX_EPOCH + Duration::from_secs((due_day_start - 1) as u64));
    before.start_quiz(due_filter.clone(), false);
    assert!(
        matches!(before.quiz(), Some(Quiz::Idle(_))),
        "nothing due: the quiz says so"
    );
    let text = screen_text(&render(&before));
    assert!(text.contains("Next: 1 card due tomorrow"), "{text}");
    // At the start of its due day (before its due hour): in it.
    let mut after = app_hist(80, 24, &states, true);
    after.tick(SystemTime::UNIX_EPOCH + Duration::from_secs(due_day_start as u64));
    after.start_quiz(due_filter, false);
    assert_eq!(queue_ids(&after), vec![STUDENT]);
}

// ---------------------------------------------------------------------------------------------
// Due, new and missed over an attached history

fn history() -> HashMap<String, CardState> {
    let mut s = HashMap::new();
    // Due: overdue by two days (more forgotten) and by one hour.
    s.insert(
        PHD.into(),
        state(T0_UNIX - 10 * DAY, T0_UNIX - 2 * DAY, Grade::Good),
    );
    s.insert(
        DESIGN.into(),
        state(T0_UNIX - DAY, T0_UNIX - 3600, Grade::Hard),
    );
    // Scheduled: not due; one of them last missed.
    s.insert(
        STUDENT.into(),
        state(T0_UNIX - DAY, T0_UNIX + 5 * DAY, Grade::Good),
    );
    s.insert(
        ORR_EFFECT.into(),
        state(T0_UNIX - 600, T0_UNIX + 2 * DAY, Grade::Again),
    );
    // A card no longer in the pack is ignored.
    s.insert(
        "mini-pack/q/removed".into(),
        state(T0_UNIX - DAY, T0_UNIX - DAY, Grade::Again),
    );
    s
}

fn queue_for(filter: Filter) -> Vec<String> {
    let mut app = app_hist(80, 24, &history(), true);
    app.start_quiz(filter, false);
    queue_ids(&app)
}

#[test]
fn due_new_and_missed_filters_over_attached_history() {
    let f = Filter::default;
    assert_eq!(
        queue_for(Filter { due: true, ..f() }),
        vec![PHD, DESIGN],
        "due only, the most forgotten first"
    );
    assert_eq!(
        queue_for(Filter { new: true, ..f() }),
        vec![RESIDENT, PFS_VALUES, PFS_EFFECT, SAFETY, ORR_VALUES],
        "never reviewed, in teaching order: questions, then headline results, safety, the rest"
    );
    assert_eq!(
        queue_for(Filter {
            missed: true,
            ..f()
        }),
        vec![ORR_EFFECT]
    );
    assert_eq!(
        queue_for(f()),
        vec![
            PHD, DESIGN, RESIDENT, PFS_VALUES, PFS_EFFECT, SAFETY, ORR_VALUES
        ],
        "no flag: due, then new; scheduled cards wait"
    );
    assert_eq!(
        queue_for(Filter {
            count: Some(3),
            ..f()
        }),
        vec![PHD, DESIGN, RESIDENT]
    );
    assert_eq!(
        queue_for(Filter {
            new: true,
            no_facts: true,
            ..f()
        }),
        vec![RESIDENT]
    );
    assert_eq!(
        queue_for(Filter {
            due: true,
            roles: vec![Role::PhD],
            ..f()
        }),
        vec![PHD]
    );
    assert_eq!(
        queue_for(Filter {
            topics: vec!["#fact".into()],
            new: true,
            ..f()
        }),
        vec![PFS_VALUES, PFS_EFFECT, SAFETY, ORR_VALUES]
    );
    let mut shuffled = queue_for(Filter {
        shuffle: Some(7),
        ..f()
    });
    shuffled.sort();
    let mut plain = queue_for(f());
    plain.sort();
    assert_eq!(
        shuffled, plain,
        "a shuffle reorders, never changes, the cards"
    );
}

// ---------------------------------------------------------------------------------------------
// Snapshots

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn snap(name: &str, setup: impl Fn(&mut Tester)) {
    for (w, h) in SIZES {
        // With Anki's default steps, as a learner sees it.
        let mut app = Tester::with_store(
            App::new(mini_library(), ThemeName::Dark),
            trialdeck::review::Store::no_save(Scheduler::default()),
        );
        app.act(Action::Resize(w, h), t0());
        app.attach_history(&HashMap::new(), Scheduler::default(), true, None);
        setup(&mut app);
        let terminal = render(&app);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
    }
}

fn start_on(app: &mut Tester, ids: &[&str]) {
    app.start_quiz(Filter::default(), false);
    let queue = ids.iter().map(|id| card_index(app, id)).collect();
    app.screen = Screen::Quiz(Box::new(Quiz::Running(Session::new(
        queue,
        Filter::default(),
        t0(),
    ))));
}

#[test]
fn snapshot_card_hidden() {
    snap("quiz_card_hidden", |a| {
        start_on(a, &[STUDENT, RESIDENT, PHD])
    });
}

#[test]
fn snapshot_card_points_partly_revealed() {
    snap("quiz_card_points_2_of_4", |a| {
        start_on(a, &[STUDENT, RESIDENT, PHD]);
        keys(a, [Action::NextPoint, Action::NextPoint]);
    });
}

#[test]
fn snapshot_card_revealed_and_ticked() {
    snap("quiz_card_revealed_ticked", |a| {
        start_on(a, &[RESIDENT, STUDENT]);
        a.act(Action::Reveal, t0());
        a.act(Action::TickPoint(1), t0());
        a.act(Action::TickPoint(3), t0());
    });
}

#[test]
fn snapshot_builder() {
    snap("quiz_builder", |a| {
        a.start_quiz(
            Filter {
                roles: vec![Role::Resident],
                ..Filter::default()
            },
            true,
        );
        keys(a, std::iter::repeat_n(Action::Down, 2));
    });
}

#[test]
fn snapshot_summary() {
    snap("quiz_summary", |a| {
        start_on(a, &[STUDENT, RESIDENT, PFS_VALUES]);
        a.act(Action::Reveal, t0());
        keys(a, (1..=4).map(Action::TickPoint));
        a.act(Action::Open, at(20));
        a.act(Action::Reveal, at(20));
        a.act(Action::Open, at(65));
        a.act(Action::Reveal, at(65));
        a.act(Action::TickPoint(1), at(66));
        a.act(Action::Grade(2), at(80));
        // The three wait on their learning steps; Esc ends the session here.
        a.act(Action::Back, at(81));
    });
}

// ---------------------------------------------------------------------------------------------
// As a resident who uses Anki, through the loop the binary runs (tests/common's `Looped`)

/// The bundled pack as a resident's first session would open it (`config set role resident`,
/// then `trialdeck quiz`), with Anki's default steps and limits, on an in-memory history.
fn resident_session(store: trialdeck::review::Store, now: SystemTime) -> common::Looped {
    let states = store.states().unwrap();
    let mut app = App::new(common::bundled_library(), ThemeName::Dark);
    app.attach_history(&states, Scheduler::default(), true, Some(Role::Resident));
    app.now = now;
    app.deck
        .set_done(trialdeck::review::history::today(&store, T0_UNIX), now);
    let filter = Filter {
        roles: trialdeck::review::roles_up_to(Role::Resident),
        ..Filter::default()
    };
    app.quit_after_quiz = true;
    app.start_quiz(filter, false);
    common::Looped::with_store(app, store, 100, 30, now)
}

fn shown(l: &common::Looped) -> Option<String> {
    match l.app().quiz() {
        Some(Quiz::Running(s)) => s.card().map(|c| l.app().deck.cards[c].id.0.clone()),
        _ => None,
    }
}

#[test]
fn a_residents_first_session_starts_with_emilia_and_a_missed_card_comes_back() {
    let store = trialdeck::review::Store::no_save(Scheduler::default());
    let mut l = resident_session(store, t0());
    assert!(
        l.top().contains("New 20 · Learning 0 · Due 0"),
        "20 new cards a day: {}",
        l.top()
    );
    let order: Vec<String> = match l.app().quiz() {
        Some(Quiz::Running(s)) => s
            .upcoming()
            .iter()
            .map(|&c| l.app().deck.cards[c].id.0.clone())
            .collect(),
        _ => panic!("a session"),
    };
    assert_eq!(order.len(), 20);
    assert_eq!(
        &order[..2],
        ["her2-tdm1/q/emilia-student", "her2-tdm1/q/emilia-resident"],
        "the landmark's questions first, up the ladder"
    );
    let deck = &l.app().deck;
    let facts: Vec<&String> = order
        .iter()
        .filter(|id| deck.cards[deck.index.get(id).unwrap()].is_fact())
        .collect();
    assert!(
        !facts.is_empty() && facts.len() <= 4,
        "a few fact cards mixed in: {facts:?}"
    );
    let first_fact = order.iter().position(|id| id.contains("/f/")).unwrap();
    assert!(first_fact >= 4, "questions come first: {order:?}");
    assert!(
        facts
            .iter()
            .all(|id| !deck.cards[deck.index.get(id).unwrap()].ongoing),
        "no fact card of a trial still ongoing: {facts:?}"
    );
    // The card says which it is.
    assert!(
        l.screen().contains("Medical Student · new"),
        "{}",
        l.screen()
    );

    // Card 1 missed with 1 (Again): on its 1-minute learning step.
    l.press("Space");
    l.press("1");
    assert!(l.top().contains("New 19 · Learning 1"), "{}", l.top());
    // Twenty seconds a card: the missed one comes back once its minute is up, before the
    // rest of the new cards.
    let mut seen_again = None;
    for n in 0..10 {
        l.wait(20);
        if shown(&l).as_deref() == Some("her2-tdm1/q/emilia-student") {
            seen_again = Some(n);
            break;
        }
        l.press("Space");
        l.press("Space");
    }
    let n = seen_again.expect("the missed card came back in the same session");
    assert!(n <= 4, "back once its step was due ({n} cards later)");
    assert!(
        l.screen().contains("Medical Student · learning"),
        "{}",
        l.screen()
    );
}

#[test]
fn a_three_card_session_shows_the_missed_card_again_before_the_summary() {
    let mut app = App::new(mini_library(), ThemeName::Dark);
    app.attach_history(&HashMap::new(), Scheduler::default(), true, None);
    app.start_quiz(
        Filter {
            count: Some(3),
            ..Filter::default()
        },
        false,
    );
    let mut l = common::Looped::new(app, 80, 24, t0());
    let first = shown(&l).unwrap();
    l.burst(&["Space", "1"]);
    l.burst(&["Space", "4", "Space", "4"]);
    // Nothing new is left, and the missed card's minute is not up: learn-ahead shows it.
    assert_eq!(shown(&l).as_deref(), Some(first.as_str()), "{}", l.screen());
    assert!(
        l.top().contains("New 0 · Learning 1 · Due 0"),
        "{}",
        l.top()
    );
    l.burst(&["Space", "4"]);
    assert!(
        matches!(l.app().quiz(), Some(Quiz::Done { .. })),
        "then the summary"
    );
    assert!(l.screen().contains("3 cards · 4 reviews"), "{}", l.screen());
    // Started from the shell (the app is told so), Esc ends the program.
    let mut app = App::new(mini_library(), ThemeName::Dark);
    app.quit_after_quiz = true;
    app.start_quiz(Filter::default(), false);
    let mut l = common::Looped::new(app, 80, 24, t0());
    l.press("Esc");
    assert!(matches!(l.app().quiz(), Some(Quiz::Done { .. })));
    assert!(l.bottom().contains("to the shell"), "{}", l.bottom());
    l.press("Esc");
    assert_eq!(l.ended, Some(trialdeck::tui::runtime::Ending::Quit));
}

#[test]
fn the_next_day_offers_at_most_twenty_new_cards_and_the_counts_add_up() {
    let store = trialdeck::review::Store::no_save(Scheduler::default());
    let mut l = resident_session(store, t0());
    // Day 1: the twenty cards, each Good twice (its 10-minute step, then it graduates).
    let mut presses = 0;
    while matches!(l.app().quiz(), Some(Quiz::Running(_))) && presses < 200 {
        l.wait(30);
        l.burst(&["Space", "Space"]);
        presses += 1;
    }
    assert!(matches!(l.app().quiz(), Some(Quiz::Done { .. })));
    let states = l.rt.services.store().states().unwrap();
    assert_eq!(states.len(), 20);
    // Day 2 (at 09:00 the next day; T0 is 22:13 UTC).
    let day2 = t0() + Duration::from_secs(11 * 3600);
    let mut store = trialdeck::review::Store::no_save(Scheduler::default());
    store.put_states(&states).unwrap();
    let mut app = App::new(common::bundled_library(), ThemeName::Dark);
    app.attach_history(&states, Scheduler::default(), true, Some(Role::Resident));
    app.now = day2;
    app.start_quiz(
        Filter {
            roles: trialdeck::review::roles_up_to(Role::Resident),
            ..Filter::default()
        },
        true,
    );
    let l = common::Looped::with_store(app, store, 100, 30, day2);
    let Some(Quiz::Building(b)) = l.app().quiz() else {
        panic!("the builder")
    };
    let t = &b.tally;
    assert!(t.new <= 20, "{}", t.new);
    assert_eq!(t.new, 20, "a fresh day's twenty");
    assert_eq!(t.new + t.learning + t.due, t.session, "the counts add up");
    let today = l.app().deck.today(day2);
    let due = states
        .values()
        .filter(|s| today.day_of(s.due) <= today.day)
        .count();
    assert_eq!(t.due + t.learning, due, "what day 1 left due");
    let s = l.screen();
    assert!(
        s.contains(&format!(
            "Session: New 20 · Learning {} · Due {} = {} cards",
            t.learning, t.due, t.session
        )),
        "{s}"
    );
}

/// A refused write (a full disk): the header keeps "N grades NOT saved", the summary counts
/// only what was saved, and r sends the unsaved grade again.
#[test]
fn grades_the_history_refused_stay_visible_and_are_retried() {
    let mut app = App::new(mini_library(), ThemeName::Dark);
    app.attach_history(&HashMap::new(), days_only(), true, None);
    app.start_quiz(
        Filter {
            count: Some(3),
            ..Filter::default()
        },
        false,
    );
    let store = trialdeck::review::Store::no_save(days_only());
    let mut l = common::Looped::with_store(app, store, 100, 30, t0());
    l.burst(&["Space", "3"]);
    l.rt.services.store_mut().refuse_writes(true);
    l.burst(&["Space", "3"]);
    assert!(
        l.top().contains("1 grade NOT saved · r retries"),
        "{}",
        l.top()
    );
    assert!(l.bottom().contains("NOT saved"), "{}", l.bottom());
    l.burst(&["Space", "3"]);
    assert!(l.top().contains("2 grades NOT saved"), "{}", l.top());
    let Some(Quiz::Done { summary, .. }) = l.app().quiz() else {
        panic!("the summary")
    };
    assert_eq!(summary.reviews, 1, "only the saved grade is counted");
    assert!(
        l.screen().contains("2 grades were NOT saved"),
        "{}",
        l.screen()
    );
    // Still refused: the retry says so and keeps them.
    l.press("r");
    assert!(l.top().contains("2 grades NOT saved"), "{}", l.top());
    // The disk has room again: r saves both, one after the other.
    l.rt.services.store_mut().refuse_writes(false);
    l.press("r");
    assert!(l.top().contains("grades saved"), "{}", l.top());
    assert_eq!(l.rt.services.store().review_count().unwrap(), 3);
    let Some(Quiz::Done { summary, .. }) = l.app().quiz() else {
        panic!("the summary")
    };
    assert_eq!(summary.reviews, 3, "now all three count");
}

/// The card browser suspends a card, and the next session leaves it out.
#[test]
fn a_card_suspended_in_the_browser_is_not_in_the_next_session() {
    let mut app = App::new(mini_library(), ThemeName::Dark);
    app.attach_history(&HashMap::new(), Scheduler::default(), true, None);
    let mut l = common::Looped::new(app, 100, 30, t0());
    l.press("C");
    assert!(
        l.screen().contains("Cards · 9 of 9 shown"),
        "{}",
        l.screen()
    );
    // Filter to the resident question and suspend it.
    l.press("/");
    l.type_text("hazard ratio of ALPHA");
    l.press("Enter");
    assert!(
        l.screen().contains("Cards · 1 of 9 shown"),
        "{}",
        l.screen()
    );
    l.press("@");
    assert!(l.screen().contains("suspended"), "{}", l.screen());
    assert!(l.bottom().contains("1 card suspended"), "{}", l.bottom());
    let flags = l.rt.services.store().flags().unwrap();
    assert!(flags[RESIDENT].suspended, "the history holds it");
    l.press("Esc");
    l.press("Esc");
    assert!(l.app().cards().is_none());
    // The next session: every card but the suspended one.
    l.press("Q");
    l.press("Enter");
    let Some(Quiz::Running(s)) = l.app().quiz() else {
        panic!("a session")
    };
    let ids: Vec<&str> = s
        .upcoming()
        .iter()
        .map(|&c| l.app().deck.cards[c].id.as_str())
        .collect();
    assert_eq!(ids.len(), 8);
    assert!(!ids.contains(&RESIDENT), "{ids:?}");
}

/// A card that lapses eight times (Anki's threshold) is tagged a leech and suspended, with a
/// notice; it leaves the session.
#[test]
fn a_leech_is_suspended_with_a_notice() {
    let mut store = trialdeck::review::Store::no_save(days_only());
    // Seven lapses already: learnt, then forgotten seven times, a week apart.
    let mut at = T0_UNIX - 100 * DAY;
    let mut reviews = vec![NewReview {
        card: CardId(STUDENT.into()),
        at,
        grade: Grade::Easy,
        points: 0,
        points_total: 4,
        duration_ms: 1000,
    }];
    for _ in 0..7 {
        at += 7 * DAY;
        reviews.push(NewReview {
            grade: Grade::Again,
            at,
            ..reviews[0].clone()
        });
        at += 7 * DAY;
        reviews.push(NewReview {
            grade: Grade::Good,
            at,
            ..reviews[0].clone()
        });
    }
    store.record_many(&reviews).unwrap();
    let states = store.states().unwrap();
    assert_eq!(states[STUDENT].lapses, 7);
    let mut app = App::new(mini_library(), ThemeName::Dark);
    app.attach_history(&states, days_only(), true, None);
    app.start_quiz(Filter::default(), false);
    app.screen = Screen::Quiz(Box::new(Quiz::Running(Session::new(
        vec![card_index_of(&app, STUDENT), card_index_of(&app, RESIDENT)],
        Filter::default(),
        t0(),
    ))));
    let mut l = common::Looped::with_store(app, store, 100, 30, t0());
    l.burst(&["Space", "1"]);
    assert!(l.bottom().contains("leech"), "{}", l.bottom());
    let flags = l.rt.services.store().flags().unwrap();
    assert!(flags[STUDENT].leech && flags[STUDENT].suspended);
    let i = card_index_of(l.app(), STUDENT);
    assert!(l.app().deck.flags[i].suspended);
    assert_eq!(current(l.app()), RESIDENT, "the session went on without it");
    // Undo takes the leech back with the lapse.
    l.press("u");
    assert!(
        !l.rt
            .services
            .store()
            .flags()
            .unwrap()
            .get(STUDENT)
            .is_some_and(|f| f.leech)
    );
}

fn card_index_of(app: &App, id: &str) -> usize {
    app.deck.index.get(id).unwrap()
}

/// A card suspended in the card browser opened from a session leaves that session too.
#[test]
fn a_card_suspended_from_a_session_leaves_it() {
    let mut app = App::new(mini_library(), ThemeName::Dark);
    app.attach_history(&HashMap::new(), Scheduler::default(), true, None);
    app.start_quiz(Filter::default(), false);
    let mut l = common::Looped::new(app, 100, 30, t0());
    assert!(l.top().contains("New 9"), "{}", l.top());
    l.press("C");
    l.press("/");
    l.type_text("hazard ratio of ALPHA");
    l.press("Enter");
    l.press("@");
    l.press("Esc");
    l.press("Esc");
    assert!(
        l.top().contains("New 8"),
        "the session lost it: {}",
        l.top()
    );
}
